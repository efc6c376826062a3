"""The emulator's segments: definitions, estimates, snapshots, membership, subscriptions, streams.

Scenario tests run through the SDK client and through a plain boto3 client over HTTP (``serve``);
the finer semantics run through the SDK client only. Long-running work is walked with
``emu.advance(seconds)``, never by sleeping.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

import pytest
from botocore import xform_name
from botocore.exceptions import ClientError

from customer_profiles_sdk.local import Emulator
from customer_profiles_sdk.local._areas import segments as _segments
from customer_profiles_sdk.local._errors import EmulatorError

from .canned import method_kwargs
from .localserver import shipped_client

# The emulator's durations (read from the module so the tests follow it; the defaults are today's).
ESTIMATE_SECONDS = getattr(_segments, "ESTIMATE_SECONDS", 5)
SNAPSHOT_SECONDS = getattr(_segments, "SNAPSHOT_SECONDS", 30)
SUBSCRIPTION_START_SECONDS = getattr(_segments, "SUBSCRIPTION_START_SECONDS", 10)
ROLE = "arn:aws:iam::123456789012:role/segments"
STREAM = "arn:aws:kinesis:us-east-1:123456789012:stream/segments"


@dataclass
class Api:
    """One client kind over one emulator: ``api("CreateDomain", DomainName=...)`` -> wire dict."""

    emulator: Emulator
    kind: str
    boto: Any

    def __call__(self, operation: str, **params: Any) -> dict[str, Any]:
        if self.kind == "boto3":
            response = dict(getattr(self.boto, xform_name(operation))(**params))
            meta = response.pop("ResponseMetadata")
            response["_status"] = meta["HTTPStatusCode"]
            return response
        from customer_profiles_sdk.local._http import service_model

        shape = service_model().operation_model(operation).input_shape
        kwargs = method_kwargs(shape.name, params) if shape is not None else {}
        result: dict[str, Any] = getattr(self.emulator.client(), xform_name(operation))(**kwargs).to_boto()
        return result

    def code(self, operation: str, **params: Any) -> tuple[str, int, str]:
        with pytest.raises(ClientError) as caught:
            self(operation, **params)
        response = cast(dict[str, Any], caught.value.response)
        return (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"],
                response["Error"].get("Message", ""))


@pytest.fixture(params=["sdk", "boto3"])
def api(request: pytest.FixtureRequest) -> Iterator[Api]:
    emulator = Emulator(seed=7)
    if request.param == "sdk":
        yield Api(emulator, "sdk", None)
        return
    with emulator.serve() as server:
        client = shipped_client(f"http://127.0.0.1:{server.port}")
        yield Api(emulator, "boto3", client)


@pytest.fixture
def sdk() -> Api:
    return Api(Emulator(seed=3), "sdk", None)


def profile(api: Api, **fields: Any) -> str:
    return str(api("CreateProfile", DomainName="shop", **fields)["ProfileId"])


def people(api: Api) -> dict[str, str]:
    api("CreateDomain", DomainName="shop", DefaultExpirationDays=30)
    return {
        "ann": profile(api, FirstName="Ann", LastName="Lee", EmailAddress="ann@example.com", BirthDate="1990-05-01",
                       Address={"City": "Paris", "Country": "FR"}, Attributes={"tier": "gold", "score": "42",
                                                                                "tags": "vip,eu"}),
        "bob": profile(api, FirstName="Bob", LastName="Ray", EmailAddress="bob@test.org", BirthDate="05/20/1985",
                       Address={"City": "Lyon", "Country": "FR"}, Attributes={"tier": "silver", "score": "7"}),
        "cyd": profile(api, FirstName="Cyd", LastName="Lim", BirthDate="2001-12-31",
                       Address={"City": "Boston", "Country": "US"}, Attributes={"tier": "gold", "score": "100",
                                                                                "tags": '["vip", "us"]'}),
        "dee": profile(api, FirstName="Dee", ProfileType="ACCOUNT_PROFILE"),
    }


def attr(name: str, kind: str, *values: str) -> dict[str, Any]:
    return {"ProfileAttributes": {"Attributes": {name: {"DimensionType": kind, "Values": list(values)}}}}


def field(name: str, kind: str, *values: str) -> dict[str, Any]:
    return {"ProfileAttributes": {name: {"DimensionType": kind, "Values": list(values)}}}


def groups(*dimensions: dict[str, Any], kind: str = "ALL", include: str = "ALL") -> dict[str, Any]:
    return {"Include": include, "Groups": [{"Type": kind, "Dimensions": list(dimensions)}]}


def define(api: Api, name: str, query: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    if query is not None:
        extra["SegmentGroups"] = query
    return api("CreateSegmentDefinition", DomainName="shop", SegmentDefinitionName=name, DisplayName=name.title(),
               **extra)


def members(api: Api, name: str, ids: dict[str, str]) -> set[str]:
    answer = api("GetSegmentMembership", DomainName="shop", SegmentDefinitionName=name, ProfileIds=list(ids.values()))
    by_id = {v: k for k, v in ids.items()}
    return {by_id[item["ProfileId"]] for item in answer["Profiles"] if item["QueryResult"] == "PRESENT"}


def estimate(api: Api, query: dict[str, Any] | None = None, sql: str | None = None) -> str:
    params: dict[str, Any] = {"SegmentQuery": query} if query is not None else {"SegmentSqlQuery": sql}
    created = api("CreateSegmentEstimate", DomainName="shop", **params)
    api.emulator.advance(ESTIMATE_SECONDS)
    answer = api("GetSegmentEstimate", DomainName="shop", EstimateId=created["EstimateId"])
    assert answer["Status"] == "SUCCEEDED"
    return str(answer["Estimate"])


# ----------------------------------------------------------------------------------- scenarios

def test_estimate_snapshot_and_membership_agree_with_the_profiles(api: Api) -> None:
    ids = people(api)
    query = groups(attr("tier", "INCLUSIVE", "gold"), field("FirstName", "EXCLUSIVE", "Zed"))
    created = define(api, "gold", query, SegmentSort={"Attributes": [
        {"Name": "Attributes.score", "DataType": "NUMBER", "Order": "DESC", "Type": "PROFILE"}]},
        Tags={"team": "crm"})
    assert created["SegmentDefinitionArn"].endswith(":domains/shop/segment-definitions/gold")
    got = api("GetSegmentDefinition", DomainName="shop", SegmentDefinitionName="gold")
    assert got["SegmentType"] == "CLASSIC" and got["SegmentGroups"] == query and got["Tags"] == {"team": "crm"}

    # The estimate: 202 while RUNNING, then 200 with the count.
    started = api("CreateSegmentEstimate", DomainName="shop", SegmentQuery=query)
    assert started["StatusCode"] == 202
    running = api("GetSegmentEstimate", DomainName="shop", EstimateId=started["EstimateId"])
    assert (running["Status"], running["StatusCode"]) == ("RUNNING", 202)
    assert "Estimate" not in running
    if api.kind == "boto3":
        assert running["_status"] == 202
    api.emulator.advance(ESTIMATE_SECONDS)
    done = api("GetSegmentEstimate", DomainName="shop", EstimateId=started["EstimateId"])
    assert (done["Status"], done["StatusCode"], done["Estimate"]) == ("SUCCEEDED", 200, "2")

    # Membership: the same two profiles, the unknown id as a failure.
    unknown = "0" * 32
    answer = api("GetSegmentMembership", DomainName="shop", SegmentDefinitionName="gold",
                 ProfileIds=[*ids.values(), unknown])
    present = {item["ProfileId"] for item in answer["Profiles"] if item["QueryResult"] == "PRESENT"}
    assert present == {ids["ann"], ids["cyd"]}
    assert {item["ProfileId"] for item in answer["Profiles"]} == set(ids.values())
    assert answer["Failures"] == [{"ProfileId": unknown, "Message": "Profile not found", "Status": 404}]
    assert all(item["Profile"]["ProfileId"] == item["ProfileId"] for item in answer["Profiles"]
               if item["QueryResult"] == "PRESENT")

    # The snapshot: IN_PROGRESS, then COMPLETED, holding the members in SegmentSort's order.
    snap = api("CreateSegmentSnapshot", DomainName="shop", SegmentDefinitionName="gold", DataFormat="JSONL",
               RoleArn=ROLE, DestinationUri="s3://bucket/prefix")["SnapshotId"]
    first = api("GetSegmentSnapshot", DomainName="shop", SegmentDefinitionName="gold", SnapshotId=snap)
    assert (first["Status"], first["DataFormat"], first["DestinationUri"]) == ("IN_PROGRESS", "JSONL",
                                                                               "s3://bucket/prefix")
    api.emulator.advance(SNAPSHOT_SECONDS)
    assert api("GetSegmentSnapshot", DomainName="shop", SegmentDefinitionName="gold",
               SnapshotId=snap)["Status"] == "COMPLETED"
    rows = api.emulator.backend.segment_snapshot_profiles("shop", "gold", snap)
    assert [row["ProfileId"] for row in rows] == [ids["cyd"], ids["ann"]]  # score 100, then 42

    # The profiles change: membership follows at once; a new estimate counts again.
    api("UpdateProfile", DomainName="shop", ProfileId=ids["bob"], Attributes={"tier": "gold"})
    api("DeleteProfile", DomainName="shop", ProfileId=ids["ann"])
    del ids["ann"]
    assert members(api, "gold", ids) == {"bob", "cyd"}
    assert estimate(api, query) == "2"


def test_subscription_events_and_stream(api: Api) -> None:
    ids = people(api)
    define(api, "gold", groups(attr("tier", "INCLUSIVE", "gold")))
    assert api.code("GetSegmentSubscription", DomainName="shop", SegmentDefinitionName="gold")[:2] == (
        "ResourceNotFoundException", 404)
    put = api("PutSegmentSubscription", DomainName="shop", SegmentDefinitionName="gold")
    assert put["Status"] == "STARTING"
    # A change while STARTING moves the baseline but records no event.
    api("UpdateProfile", DomainName="shop", ProfileId=ids["dee"], Attributes={"tier": "gold"})
    api.emulator.advance(SUBSCRIPTION_START_SECONDS)
    assert api("GetSegmentSubscription", DomainName="shop", SegmentDefinitionName="gold")["Status"] == "RUNNING"
    api("UpdateProfile", DomainName="shop", ProfileId=ids["bob"], Attributes={"tier": "gold"})
    api("UpdateProfile", DomainName="shop", ProfileId=ids["bob"], FirstName="Robert")  # still a member: no event
    api("UpdateProfile", DomainName="shop", ProfileId=ids["ann"], Attributes={"tier": "bronze"})
    api("DeleteProfile", DomainName="shop", ProfileId=ids["cyd"])
    new = profile(api, FirstName="Eve", Attributes={"tier": "gold"})
    events = api("ListSegmentSubscriptionEvents", DomainName="shop", SegmentDefinitionName="gold")["Events"]
    assert [(e["ProfileId"], e["Event"], e["EventType"]) for e in events] == [
        (ids["bob"], "JOINED", "LIVE"), (ids["ann"], "LEFT", "LIVE"), (ids["cyd"], "LEFT", "LIVE"),
        (new, "JOINED", "LIVE")]
    page = api("ListSegmentSubscriptionEvents", DomainName="shop", SegmentDefinitionName="gold", MaxResults=3)
    assert len(page["Events"]) == 3 and page["NextToken"]
    rest = api("ListSegmentSubscriptionEvents", DomainName="shop", SegmentDefinitionName="gold", MaxResults=3,
               NextToken=page["NextToken"])
    assert [e["ProfileId"] for e in rest["Events"]] == [new] and not rest.get("NextToken")

    # The stream association lists the subscribed segments.
    assert api.code("GetStreamForSegments", DomainName="shop")[:2] == ("ResourceNotFoundException", 404)
    api("AssociateStreamForSegments", DomainName="shop", DestinationArn=STREAM, DestinationRoleArn=ROLE)
    assert api.code("AssociateStreamForSegments", DomainName="shop", DestinationArn=STREAM,
                    DestinationRoleArn=ROLE)[:2] == ("BadRequestException", 400)
    stream = api("GetStreamForSegments", DomainName="shop")
    assert (stream["State"], stream["DestinationArn"], stream["AssociatedSegments"]) == (
        "RUNNING", STREAM, [{"SegmentName": "gold", "Status": "RUNNING"}])
    assert api("DisassociateStreamForSegments", DomainName="shop")["Message"]
    stopped = api("GetStreamForSegments", DomainName="shop")
    assert stopped["State"] == "STOPPED" and "DisassociatedAt" in stopped
    assert api.code("DisassociateStreamForSegments", DomainName="shop")[:2] == ("ResourceNotFoundException", 404)
    api("AssociateStreamForSegments", DomainName="shop", DestinationArn=STREAM, DestinationRoleArn=ROLE)

    assert api("DeleteSegmentSubscription", DomainName="shop", SegmentDefinitionName="gold")["Message"]
    assert api.code("DeleteSegmentSubscription", DomainName="shop", SegmentDefinitionName="gold")[:2] == (
        "ResourceNotFoundException", 404)


def test_definitions_list_pages_and_delete(api: Api) -> None:
    people(api)
    for index in range(5):
        define(api, f"seg{index}", groups(attr("tier", "INCLUSIVE", "gold")))
    first = api("ListSegmentDefinitions", DomainName="shop", MaxResults=2)
    assert [i["SegmentDefinitionName"] for i in first["Items"]] == ["seg0", "seg1"]
    names = [i["SegmentDefinitionName"] for i in first["Items"]]
    token = first.get("NextToken")
    while token:
        page = api("ListSegmentDefinitions", DomainName="shop", MaxResults=2, NextToken=token)
        names += [i["SegmentDefinitionName"] for i in page["Items"]]
        token = page.get("NextToken")
    assert names == [f"seg{i}" for i in range(5)]
    assert api.code("ListSegmentDefinitions", DomainName="shop", NextToken="bm90IG91cnM=")[:2] == (
        "BadRequestException", 400)
    assert api("DeleteSegmentDefinition", DomainName="shop", SegmentDefinitionName="seg3")["Message"]
    cases: list[tuple[str, dict[str, Any]]] = [("GetSegmentDefinition", {}), ("DeleteSegmentDefinition", {}),
                             ("GetSegmentMembership", {"ProfileIds": ["1" * 32]}),
                             ("CreateSegmentSnapshot", {"DataFormat": "CSV"}),
                             ("PutSegmentSubscription", {}), ("ListSegmentSubscriptionEvents", {})]
    for operation, extra in cases:
        assert api.code(operation, DomainName="shop", SegmentDefinitionName="seg3", **extra)[:2] == (
            "ResourceNotFoundException", 404), operation
    assert api.code("GetSegmentDefinition", DomainName="nope", SegmentDefinitionName="seg1")[:2] == (
        "ResourceNotFoundException", 404)
    assert api.code("GetSegmentEstimate", DomainName="shop", EstimateId="missing")[:2] == (
        "ResourceNotFoundException", 404)
    assert api.code("GetSegmentSnapshot", DomainName="shop", SegmentDefinitionName="seg1",
                    SnapshotId="2" * 32)[:2] == ("ResourceNotFoundException", 404)


# ------------------------------------------------------------------------------ dimension types

@pytest.mark.parametrize(("dimension", "expected"), [
    (field("FirstName", "INCLUSIVE", "Ann", "Bob"), {"ann", "bob"}),
    (field("FirstName", "EXCLUSIVE", "Ann"), {"bob", "cyd", "dee"}),
    (field("EmailAddress", "CONTAINS", "@example"), {"ann"}),
    (field("EmailAddress", "EXCLUSIVE", "x@y.z"), {"ann", "bob"}),  # no email: never matches
    (field("LastName", "BEGINS_WITH", "L"), {"ann", "cyd"}),
    (field("EmailAddress", "ENDS_WITH", ".org"), {"bob"}),
    (field("BirthDate", "BEFORE", "1990-01-01"), {"bob"}),
    (field("BirthDate", "AFTER", "05/01/1990"), {"cyd"}),
    (field("BirthDate", "ON", "1990-05-01"), {"ann"}),
    (field("BirthDate", "BETWEEN", "1985-05-20", "1990-05-01"), {"ann", "bob"}),
    (field("BirthDate", "NOT_BETWEEN", "1985-05-20", "1990-05-01"), {"cyd"}),
    ({"ProfileAttributes": {"Address": {"City": {"DimensionType": "INCLUSIVE", "Values": ["Paris", "Boston"]},
                                        "Country": {"DimensionType": "INCLUSIVE", "Values": ["FR"]}}}}, {"ann"}),
    ({"ProfileAttributes": {"ProfileType": {"DimensionType": "INCLUSIVE", "Values": ["ACCOUNT_PROFILE"]}}}, {"dee"}),
    ({"ProfileAttributes": {"ProfileType": {"DimensionType": "EXCLUSIVE", "Values": ["ACCOUNT_PROFILE"]}}},
     {"ann", "bob", "cyd"}),
    (attr("score", "GREATER_THAN", "42"), {"cyd"}),
    (attr("score", "GREATER_THAN_OR_EQUAL", "42"), {"ann", "cyd"}),
    (attr("score", "LESS_THAN", "42.5"), {"ann", "bob"}),
    (attr("score", "LESS_THAN_OR_EQUAL", "7"), {"bob"}),
    (attr("score", "EQUAL", "7.0"), {"bob"}),
    (attr("score", "BETWEEN", "7", "42"), {"ann", "bob"}),
    (attr("tags", "LIST_CONTAINS", "vip"), {"ann", "cyd"}),
    (attr("tags", "LIST_CONTAINS_ALL", "vip", "us"), {"cyd"}),
    (attr("tier", "ENDS_WITH", "ver"), {"bob"}),
])
def test_each_dimension_type(sdk: Api, dimension: dict[str, Any], expected: set[str]) -> None:
    ids = people(sdk)
    define(sdk, "s", groups(dimension))
    assert members(sdk, "s", ids) == expected
    assert estimate(sdk, groups(dimension)) == str(len(expected))


def test_group_types_include_and_source_segments(sdk: Api) -> None:
    ids = people(sdk)
    gold, paris = attr("tier", "INCLUSIVE", "gold"), field("FirstName", "INCLUSIVE", "Ann", "Bob")
    define(sdk, "any", groups(gold, paris, kind="ANY"))
    define(sdk, "none", groups(gold, paris, kind="NONE"))
    define(sdk, "excluded", groups(gold, include="NONE"))
    define(sdk, "two", {"Include": "ANY", "Groups": [{"Dimensions": [gold]}, {"Dimensions": [paris]}]})
    define(sdk, "both", {"Include": "ALL", "Groups": [{"Dimensions": [gold]}, {"Dimensions": [paris]}]})
    assert members(sdk, "any", ids) == {"ann", "bob", "cyd"}
    assert members(sdk, "none", ids) == {"dee"}
    assert members(sdk, "excluded", ids) == {"bob", "dee"}
    assert members(sdk, "two", ids) == {"ann", "bob", "cyd"}
    assert members(sdk, "both", ids) == {"ann"}
    # Segments built on segments: the sources combined by SourceType, then the group's dimensions.
    define(sdk, "from_both", {"Groups": [{"SourceSegments": [{"SegmentDefinitionName": "any"},
                                                             {"SegmentDefinitionName": "excluded"}],
                                          "SourceType": "ALL"}]})
    define(sdk, "from_any", {"Groups": [{"SourceSegments": [{"SegmentDefinitionName": "both"},
                                                            {"SegmentDefinitionName": "none"}],
                                         "SourceType": "ANY", "Dimensions": [field("FirstName", "CONTAINS", "e")]}]})
    define(sdk, "not_from", {"Groups": [{"SourceSegments": [{"SegmentDefinitionName": "any"}], "SourceType": "NONE"}]})
    assert members(sdk, "from_both", ids) == {"bob"}
    assert members(sdk, "from_any", ids) == {"dee"}
    assert members(sdk, "not_from", ids) == {"dee"}
    # A deleted source counts as empty; a definition cannot name a missing one.
    sdk("DeleteSegmentDefinition", DomainName="shop", SegmentDefinitionName="none")
    assert members(sdk, "from_any", ids) == set()
    assert sdk.code("CreateSegmentDefinition", DomainName="shop", SegmentDefinitionName="x", DisplayName="X",
                    SegmentGroups={"Groups": [{"SourceSegments": [{"SegmentDefinitionName": "none"}]}]})[:2] == (
        "BadRequestException", 400)


def test_a_cycle_of_source_segments_ends(sdk: Api) -> None:
    ids = people(sdk)
    define(sdk, "a", groups(attr("tier", "INCLUSIVE", "gold")))
    define(sdk, "b", {"Groups": [{"SourceSegments": [{"SegmentDefinitionName": "a"}]}]})
    sdk("DeleteSegmentDefinition", DomainName="shop", SegmentDefinitionName="a")
    define(sdk, "a", {"Groups": [{"SourceSegments": [{"SegmentDefinitionName": "b"}]}]})
    assert members(sdk, "a", ids) == set() and members(sdk, "b", ids) == set()


def test_calculated_attribute_dimensions_and_sort(sdk: Api) -> None:
    ids = people(sdk)
    sdk("PutProfileObjectType", DomainName="shop", ObjectTypeName="Orders", Description="orders",
        AllowProfileCreation=False,
        Fields={"OrderId": {"Source": "_source.id", "Target": "_order.OrderId"},
                "Email": {"Source": "_source.email", "Target": "_profile.EmailAddress"},
                "Total": {"Source": "_source.total", "Target": "_order.Total"}},
        Keys={"_orderId": [{"StandardIdentifiers": ["UNIQUE"], "FieldNames": ["OrderId"]}],
              "_email": [{"StandardIdentifiers": ["PROFILE"], "FieldNames": ["Email"]}]})
    sdk("CreateCalculatedAttributeDefinition", DomainName="shop", CalculatedAttributeName="spend", DisplayName="S",
        Statistic="SUM", UseHistoricalData=True,
        AttributeDetails={"Attributes": [{"Name": "Orders.Total"}], "Expression": "{Orders.Total}"})
    for number, (email, total) in enumerate([("ann@example.com", 30), ("ann@example.com", 40),
                                             ("bob@test.org", 500)]):
        sdk("PutProfileObject", DomainName="shop", ObjectTypeName="Orders",
            Object=json.dumps({"id": f"o{number}", "email": email, "total": total}))
    big = {"CalculatedAttributes": {"spend": {"DimensionType": "GREATER_THAN", "Values": ["60"]}}}
    define(sdk, "big", {"Groups": [{"Dimensions": [big]}]},
           SegmentSort={"Attributes": [{"Name": "spend", "Type": "CALCULATED", "DataType": "NUMBER",
                                        "Order": "ASC"}]})
    assert members(sdk, "big", ids) == {"ann", "bob"}
    snap = sdk("CreateSegmentSnapshot", DomainName="shop", SegmentDefinitionName="big", DataFormat="CSV")["SnapshotId"]
    rows = sdk.emulator.backend.segment_snapshot_profiles("shop", "big", snap)
    assert [row["ProfileId"] for row in rows] == [ids["ann"], ids["bob"]]
    assert sdk.code("CreateSegmentDefinition", DomainName="shop", SegmentDefinitionName="x", DisplayName="X",
                    SegmentGroups=groups({"CalculatedAttributes": {"nope": {"DimensionType": "EQUAL",
                                                                            "Values": ["1"]}}}))[:2] == (
        "BadRequestException", 400)


def test_sort_with_mixed_orders_puts_missing_values_last(sdk: Api) -> None:
    people(sdk)
    define(sdk, "all", {"Groups": []}, SegmentSort={"Attributes": [
        {"Name": "Address.Country", "Order": "ASC"}, {"Name": "BirthDate", "DataType": "DATE", "Order": "DESC"}]})
    snap = sdk("CreateSegmentSnapshot", DomainName="shop", SegmentDefinitionName="all", DataFormat="CSV")["SnapshotId"]
    rows = sdk.emulator.backend.segment_snapshot_profiles("shop", "all", snap)
    assert [row["FirstName"] for row in rows] == ["Ann", "Bob", "Cyd", "Dee"]


# ------------------------------------------------------------------------------------ SQL subset

@pytest.mark.parametrize(("sql", "expected"), [
    ("SELECT * FROM profile WHERE FirstName = 'Ann'", {"ann"}),
    ("select ProfileId from profile where Attributes.score >= 42 and not (FirstName = 'Cyd')", {"ann"}),
    ("SELECT * FROM profile WHERE Address.City LIKE '%o%' OR FirstName IN ('Dee')", {"bob", "cyd", "dee"}),
    ("SELECT * FROM profile WHERE EmailAddress IS NULL", {"cyd", "dee"}),
    ("SELECT * FROM profile WHERE EmailAddress <> 'x'", {"ann", "bob"}),  # NULL <> 'x' is unknown
    ("SELECT * FROM profile WHERE NOT EmailAddress = 'ann@example.com'", {"bob"}),
    ("SELECT * FROM profile WHERE Attributes.score BETWEEN 7 AND 42", {"ann", "bob"}),
    ("SELECT * FROM profile WHERE LastName NOT LIKE 'L_e'", {"bob", "cyd"}),
    ("SELECT * FROM profile", {"ann", "bob", "cyd", "dee"}),
])
def test_sql_segments(sdk: Api, sql: str, expected: set[str]) -> None:
    ids = people(sdk)
    define(sdk, "q", SegmentSqlQuery=sql)
    assert sdk("GetSegmentDefinition", DomainName="shop", SegmentDefinitionName="q")["SegmentType"] == "ENHANCED"
    assert members(sdk, "q", ids) == expected
    assert estimate(sdk, sql=sql) == str(len(expected))


def test_sql_outside_the_subset_is_refused_honestly(sdk: Api) -> None:
    people(sdk)
    assert sdk.code("CreateSegmentDefinition", DomainName="shop", SegmentDefinitionName="q", DisplayName="Q",
                    SegmentSqlQuery="SELECT * FROM p WHERE FirstName = 'a' ORDER BY x")[:2] == (
        "NotImplementedByEmulator", 501)
    code, status, message = sdk.code("CreateSegmentDefinition", DomainName="shop", SegmentDefinitionName="q",
                                     DisplayName="Q", SegmentSqlQuery="DROP secret_value")
    assert (code, status) == ("BadRequestException", 400) and "secret_value" not in message
    deep = "SELECT * FROM p WHERE " + "(" * 200 + "FirstName = 'a'" + ")" * 200
    assert sdk.code("CreateSegmentDefinition", DomainName="shop", SegmentDefinitionName="q", DisplayName="Q",
                    SegmentSqlQuery=deep)[:2] == ("BadRequestException", 400)


def test_like_is_fast_on_adversarial_patterns() -> None:
    from customer_profiles_sdk.local._areas import _segment_eval

    text = "a" * 1000
    pattern = "%a" * 2000 + "%b"
    outcome: list[bool] = []
    worker = threading.Thread(target=lambda: outcome.append(_segment_eval.like(text, pattern)), daemon=True)
    worker.start()
    worker.join(60)
    assert outcome == [False]
    assert _segment_eval.like("abcabc", "a%c_b%") and not _segment_eval.like("abc", "a_")


# ------------------------------------------------------------------------------ refused queries

@pytest.mark.parametrize("params", [
    {},  # neither groups nor SQL
    {"SegmentGroups": groups(field("FirstName", "INCLUSIVE", "x")), "SegmentSqlQuery": "SELECT * FROM p"},
    {"SegmentGroups": groups(field("BirthDate", "BEFORE", "private-1990"))},
    {"SegmentGroups": groups(field("BirthDate", "BETWEEN", "1990-01-01"))},
    {"SegmentGroups": groups(attr("score", "GREATER_THAN", "many"))},
    {"SegmentGroups": groups(attr("score", "LESS_THAN", "1", "2"))},
    {"SegmentGroups": groups({"ProfileAttributes": {}})},
    {"SegmentGroups": groups({"ProfileAttributes": {"Address": {}}})},
])
def test_invalid_definitions_are_refused_without_echoing_values(sdk: Api, params: dict[str, Any]) -> None:
    people(sdk)
    # Through the backend: the SDK client refuses some of these before sending.
    with pytest.raises(EmulatorError) as caught:
        sdk.emulator.backend.call("CreateSegmentDefinition", {"DomainName": "shop", "SegmentDefinitionName": "bad",
                                                              "DisplayName": "Bad", **params})
    code, status, message = caught.value.code, caught.value.status, caught.value.message
    assert (code, status) == ("BadRequestException", 400)
    assert "private" not in message and "many" not in message
    assert sdk.code("GetSegmentDefinition", DomainName="shop", SegmentDefinitionName="bad")[1] == 404


def test_duplicate_definition_and_bad_values_of_the_model(sdk: Api) -> None:
    people(sdk)
    define(sdk, "s", groups(field("FirstName", "INCLUSIVE", "a")))
    assert sdk.code("CreateSegmentDefinition", DomainName="shop", SegmentDefinitionName="s", DisplayName="S",
                    SegmentGroups=groups(field("FirstName", "INCLUSIVE", "a")))[:2] == ("BadRequestException", 400)
    # The model's limits, as a client that does not check them meets them.
    limits: list[tuple[str, dict[str, Any]]] = [("GetSegmentMembership", {"ProfileIds": ["1" * 32] * 101}),
                                                ("PutSegmentSubscription", {"ScheduleConfiguration": {"Interval": 25}}),
                                                ("CreateSegmentSnapshot", {"DataFormat": "XML"})]
    for operation, extra in limits:
        with pytest.raises(EmulatorError) as caught:
            sdk.emulator.backend.call(operation, {"DomainName": "shop", "SegmentDefinitionName": "s", **extra})
        assert caught.value.status == 400, operation


def test_scheduled_subscription_records_schedule_events(sdk: Api) -> None:
    ids = people(sdk)
    define(sdk, "gold", groups(attr("tier", "INCLUSIVE", "gold")))
    put = sdk("PutSegmentSubscription", DomainName="shop", SegmentDefinitionName="gold",
              ScheduleConfiguration={"Interval": 2, "Unit": "HOURLY"})
    started = put["StartedAt"]
    got = sdk("GetSegmentSubscription", DomainName="shop", SegmentDefinitionName="gold")
    assert got["ScheduledExecutions"]["NextExecutedAt"] - started == _hours(2)
    sdk("UpdateProfile", DomainName="shop", ProfileId=ids["bob"], Attributes={"tier": "gold"})
    sdk("UpdateProfile", DomainName="shop", ProfileId=ids["ann"], Attributes={"tier": "none"})
    assert sdk("ListSegmentSubscriptionEvents", DomainName="shop", SegmentDefinitionName="gold")["Events"] == []
    sdk.emulator.advance(2 * 3600)
    events = sdk("ListSegmentSubscriptionEvents", DomainName="shop", SegmentDefinitionName="gold")["Events"]
    assert [(e["ProfileId"], e["Event"], e["EventType"]) for e in events] == [
        (ids["bob"], "JOINED", "SCHEDULE"), (ids["ann"], "LEFT", "SCHEDULE")]
    assert all(e["UpdatedAt"] - started == _hours(2) for e in events)
    got = sdk("GetSegmentSubscription", DomainName="shop", SegmentDefinitionName="gold")
    assert got["ScheduledExecutions"]["LastExecutedAt"] - started == _hours(2)
    assert got["ScheduledExecutions"]["NextExecutedAt"] - started == _hours(4)


def _hours(count: int) -> Any:
    from datetime import timedelta

    return timedelta(hours=count)
