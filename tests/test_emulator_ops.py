"""The emulator's semantics, operation by operation, seen through three clients.

Every test here runs three times: with the SDK's client (``fast_parse`` on and off) and with a
plain boto3 client, all attached to one fresh emulator. The ``api`` fixture hides the difference:
it takes and returns wire-named dicts, so each test asserts the same results for all three.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from botocore import xform_name
from botocore.exceptions import ClientError

from customer_profiles_sdk import CustomerProfilesClient, rules
from customer_profiles_sdk.errors import PartialFailureError, ResourceNotFoundError
from customer_profiles_sdk.local import Emulator
from customer_profiles_sdk.models import AttributeDetails, ObjectTypeField, ObjectTypeKey

from .canned import method_kwargs

START = datetime(2024, 5, 17, 12, 0, 0, tzinfo=UTC)
PROFILE_ID = re.compile(r"[a-f0-9]{32}")


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Api:
    """One client kind over one emulator: ``api("CreateDomain", DomainName=...)`` -> wire dict."""

    emulator: Emulator
    kind: str
    clock: Clock
    sdk: CustomerProfilesClient | None
    boto: Any

    def __call__(self, operation: str, **params: Any) -> dict[str, Any]:
        if self.sdk is None:
            response = dict(getattr(self.boto, xform_name(operation))(**params))
            response.pop("ResponseMetadata")
            return response
        from customer_profiles_sdk.local._http import service_model

        shape = service_model().operation_model(operation).input_shape
        kwargs = method_kwargs(shape.name, params) if shape is not None else {}
        if operation.startswith("BatchGet"):
            kwargs["allow_partial"] = True
        result: dict[str, Any] = getattr(self.sdk, xform_name(operation))(**kwargs).to_boto()
        return result

    def error(self, operation: str, **params: Any) -> dict[str, Any]:
        """The error answer of a call that must fail: botocore's error dict."""
        with pytest.raises(ClientError) as caught:
            self(operation, **params)
        return cast(dict[str, Any], caught.value.response)

    def code(self, operation: str, **params: Any) -> tuple[str, int]:
        response = self.error(operation, **params)
        return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture(params=["sdk", "sdk-slow-parse", "boto3"])
def api(request: pytest.FixtureRequest) -> Api:
    clock = Clock()
    emulator = Emulator(clock=clock)
    sdk = None
    if request.param != "boto3":
        sdk = emulator.client(fast_parse=request.param == "sdk")
    return Api(emulator, request.param, clock, sdk, emulator.boto3_client())


# --------------------------------------------------------------------------------- scenarios

ORDERS_FIELDS = {
    "OrderId": {"Source": "_source.id", "Target": "_order.OrderId"},
    "Email": {"Source": "_source.email", "Target": "_profile.EmailAddress"},
    "First": {"Source": "_source.first", "Target": "_profile.FirstName"},
    "City": {"Source": "_source.address.city", "Target": "_profile.Address.City"},
    "Tier": {"Source": "_source.tier", "Target": "_profile.Attributes.tier"},
    "Total": {"Source": "_source.total", "Target": "_order.Total"},
}
ORDERS_KEYS = {
    "_orderId": [{"StandardIdentifiers": ["UNIQUE"], "FieldNames": ["OrderId"]}],
    "_email": [{"StandardIdentifiers": ["PROFILE"], "FieldNames": ["Email"]}],
}


def domain(api: Api, name: str = "shop") -> str:
    api("CreateDomain", DomainName=name, DefaultExpirationDays=365)
    return name


def orders(api: Api, allow_creation: bool = True, **extra: Any) -> None:
    api("PutProfileObjectType", DomainName="shop", ObjectTypeName="Orders", Description="orders",
        Fields=ORDERS_FIELDS, Keys=ORDERS_KEYS, AllowProfileCreation=allow_creation, **extra)


def put_order(api: Api, order_id: str, email: str = "ann@example.com", **more: Any) -> str:
    document = {"id": order_id, "email": email, **more}
    key: str = api("PutProfileObject", DomainName="shop", ObjectTypeName="Orders",
                   Object=json.dumps(document))["ProfileObjectUniqueKey"]
    return key


def search(api: Api, key: str, *values: str, **extra: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = api("SearchProfiles", DomainName="shop", KeyName=key, Values=list(values),
                                      **extra)["Items"]
    return items


def new_profile(api: Api, **fields: Any) -> str:
    profile_id: str = api("CreateProfile", DomainName="shop", **fields)["ProfileId"]
    return profile_id


def only_profile(api: Api) -> dict[str, Any]:
    found = api("BatchGetProfile", DomainName="shop",
                ProfileIds=[p for p in api.emulator.backend._domains["shop"].profiles])["Profiles"]
    assert len(found) == 1
    profile: dict[str, Any] = found[0]
    return profile


def collect(api: Api, operation: str, size: int, **params: Any) -> tuple[list[Any], int]:
    """Every item of a paged listing, and the number of pages it took."""
    items: list[Any] = []
    pages = 0
    token: str | None = None
    while True:
        extra = {"NextToken": token} if token else {}
        page = api(operation, MaxResults=size, **params, **extra)
        pages += 1
        items += page["Items"]
        token = page.get("NextToken")
        if not token:
            return items, pages


# ------------------------------------------------------------------------------------- domains


def test_domain_lifecycle(api: Api) -> None:
    created = api("CreateDomain", DomainName="shop", DefaultExpirationDays=365,
                  DeadLetterQueueUrl="https://sqs.us-east-1.amazonaws.com/123456789012/dlq", Tags={"team": "a"})
    assert created == {"DomainName": "shop", "DefaultExpirationDays": 365, "CreatedAt": START,
                       "LastUpdatedAt": START, "Tags": {"team": "a"},
                       "DeadLetterQueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/dlq"}
    got = api("GetDomain", DomainName="shop")
    assert got["Stats"] == {"ProfileCount": 0, "MeteringProfileCount": 0, "ObjectCount": 0, "TotalSize": 0}
    assert {k: v for k, v in got.items() if k != "Stats"} == created

    api.clock.advance(hours=1)
    updated = api("UpdateDomain", DomainName="shop", DefaultExpirationDays=30, DeadLetterQueueUrl="")
    assert updated["DefaultExpirationDays"] == 30
    assert "DeadLetterQueueUrl" not in updated  # "" clears it
    assert (updated["CreatedAt"], updated["LastUpdatedAt"]) == (START, START + timedelta(hours=1))
    assert api("GetDomain", DomainName="shop")["DefaultExpirationDays"] == 30

    assert api("ListDomains")["Items"] == [{"DomainName": "shop", "CreatedAt": START,
                                            "LastUpdatedAt": START + timedelta(hours=1), "Tags": {"team": "a"}}]
    assert api("DeleteDomain", DomainName="shop")["Message"]
    assert api("ListDomains")["Items"] == []
    assert api.code("GetDomain", DomainName="shop") == ("ResourceNotFoundException", 404)
    assert api.code("DeleteDomain", DomainName="shop") == ("ResourceNotFoundException", 404)
    assert api.code("UpdateDomain", DomainName="shop", DefaultExpirationDays=3) == ("ResourceNotFoundException", 404)


def test_a_domain_name_is_taken_once(api: Api) -> None:
    domain(api)
    assert api.code("CreateDomain", DomainName="shop", DefaultExpirationDays=1) == ("BadRequestException", 400)
    assert api("GetDomain", DomainName="shop")["DefaultExpirationDays"] == 365


def test_domain_stats_count_profiles_and_objects(api: Api) -> None:
    domain(api)
    orders(api)
    new_profile(api, FirstName="Bo")
    put_order(api, "o1", "ann@example.com")
    put_order(api, "o2", "ann@example.com")
    put_order(api, "o3", "cy@example.com")
    stats = api("GetDomain", DomainName="shop")["Stats"]
    assert (stats["ProfileCount"], stats["ObjectCount"]) == (3, 3)
    assert stats["TotalSize"] > 0


def test_list_domains_pages(api: Api) -> None:
    names = [f"d{i}" for i in range(5)]
    for name in reversed(names):
        domain(api, name)
    items, pages = collect(api, "ListDomains", 2)
    assert [item["DomainName"] for item in items] == names
    assert pages == 3


# --------------------------------------------------------------------------- object types


def test_object_type_lifecycle(api: Api) -> None:
    domain(api)
    put = api("PutProfileObjectType", DomainName="shop", ObjectTypeName="Orders", Description="orders",
              Fields=ORDERS_FIELDS, Keys=ORDERS_KEYS, ExpirationDays=30, Tags={"k": "v"})
    assert put["Fields"] == ORDERS_FIELDS and put["Keys"] == ORDERS_KEYS
    assert (put["ObjectTypeName"], put["ExpirationDays"], put["AllowProfileCreation"]) == ("Orders", 30, False)
    assert put["Tags"] == {"k": "v"}
    assert api("GetProfileObjectType", DomainName="shop", ObjectTypeName="Orders") == put

    api.clock.advance(minutes=5)
    again = api("PutProfileObjectType", DomainName="shop", ObjectTypeName="Orders", Description="v2",
                Fields=ORDERS_FIELDS, Keys=ORDERS_KEYS)
    assert (again["Description"], again["CreatedAt"], again["LastUpdatedAt"]) == (
        "v2", START, START + timedelta(minutes=5))

    api("PutProfileObjectType", DomainName="shop", ObjectTypeName="Alpha", Description="a",
        Fields={"x": {"Source": "_source.x", "Target": "_profile.Attributes.x"}})
    listed = api("ListProfileObjectTypes", DomainName="shop")["Items"]
    assert [(item["ObjectTypeName"], item["Description"]) for item in listed] == [("Alpha", "a"), ("Orders", "v2")]
    assert api("DeleteProfileObjectType", DomainName="shop", ObjectTypeName="Alpha")["Message"]
    assert [item["ObjectTypeName"] for item in api("ListProfileObjectTypes", DomainName="shop")["Items"]] == ["Orders"]
    assert api.code("GetProfileObjectType", DomainName="shop", ObjectTypeName="Alpha") == (
        "ResourceNotFoundException", 404)
    assert api.code("DeleteProfileObjectType", DomainName="shop", ObjectTypeName="Alpha") == (
        "ResourceNotFoundException", 404)
    assert api.code("ListProfileObjectTypes", DomainName="nope") == ("ResourceNotFoundException", 404)


@pytest.mark.parametrize(("fields", "keys"), [
    ({"a": {"Source": "_source.a", "Target": "_profile.FirstName"}},
     {"_k": [{"StandardIdentifiers": ["PROFILE"], "FieldNames": ["missing"]}]}),
    ({"a": {"Source": "document.a", "Target": "_profile.FirstName"}}, {}),
    ({}, {}),
    # Targets that name no standard profile field: they would corrupt the profile.
    ({"a": {"Source": "_source.a", "Target": "_profile.ProfileId"}}, {}),
    ({"a": {"Source": "_source.a", "Target": "_profile.Address"}}, {}),
    ({"a": {"Source": "_source.a", "Target": "_profile.Address.Planet"}}, {}),
    ({"a": {"Source": "_source.a", "Target": "_profile.FirstName.Initial"}}, {}),
    ({"a": {"Source": "_source.a", "Target": "_profile.Attributes"}}, {}),
    ({"a": {"Source": "_source.a", "Target": "_profile.NoSuchField"}}, {}),
])
def test_invalid_object_types_are_refused(api: Api, fields: dict[str, Any], keys: dict[str, Any]) -> None:
    domain(api)
    assert api.code("PutProfileObjectType", DomainName="shop", ObjectTypeName="T", Description="d",
                    Fields=fields, Keys=keys) == ("BadRequestException", 400)
    assert api("ListProfileObjectTypes", DomainName="shop")["Items"] == []


def test_two_unique_keys_are_refused_even_when_the_client_does_not_check(api: Api) -> None:
    domain(api)
    keys = {"_a": [{"StandardIdentifiers": ["UNIQUE"], "FieldNames": ["OrderId"]}],
            "_b": [{"StandardIdentifiers": ["UNIQUE", "PROFILE"], "FieldNames": ["Email"]}]}
    with rules.disabled("single_unique_key"):
        error = api.error("PutProfileObjectType", DomainName="shop", ObjectTypeName="T", Description="d",
                          Fields=ORDERS_FIELDS, Keys=keys)
    assert error["Error"]["Code"] == "BadRequestException"
    assert "UNIQUE" in error["Error"]["Message"]


def test_templates(api: Api) -> None:
    items = api("ListProfileObjectTypeTemplates")["Items"]
    assert [item["TemplateId"] for item in items] == ["Salesforce-Contact", "Shopify-Customer", "Zendesk-User"]
    assert items[1] == {"TemplateId": "Shopify-Customer", "SourceName": "Shopify", "SourceObject": "Customer"}
    page = api("ListProfileObjectTypeTemplates", MaxResults=2)
    assert len(page["Items"]) == 2 and page["NextToken"]
    template = api("GetProfileObjectTypeTemplate", TemplateId="Shopify-Customer")
    assert template["Fields"]["FirstName"]["Target"] == "_profile.FirstName"
    assert template["Keys"]["_shopifyCustomerId"][0]["StandardIdentifiers"] == ["PROFILE", "UNIQUE"]
    assert api.code("GetProfileObjectTypeTemplate", TemplateId="Nope-Nothing") == ("ResourceNotFoundException", 404)


def test_an_object_type_from_a_template(api: Api) -> None:
    domain(api)
    put = api("PutProfileObjectType", DomainName="shop", ObjectTypeName="Customers", Description="shopify",
              TemplateId="Shopify-Customer")
    template = api("GetProfileObjectTypeTemplate", TemplateId="Shopify-Customer")
    assert (put["TemplateId"], put["Fields"], put["Keys"]) == ("Shopify-Customer", template["Fields"], template["Keys"])
    assert put["AllowProfileCreation"] is True
    api("PutProfileObject", DomainName="shop", ObjectTypeName="Customers",
        Object=json.dumps({"id": 42, "first_name": "Ann", "email": "ann@example.com"}))
    [profile] = search(api, "_shopifyCustomerId", "42")
    assert (profile["FirstName"], profile["EmailAddress"]) == ("Ann", "ann@example.com")
    assert profile["Attributes"] == {"ShopifyCustomerId": "42"}
    assert api.code("PutProfileObjectType", DomainName="shop", ObjectTypeName="X", Description="d",
                    TemplateId="Nope-Nothing") == ("ResourceNotFoundException", 404)


# ------------------------------------------------------------------------------------ profiles


def test_create_and_update_profile(api: Api) -> None:
    domain(api)
    profile_id = new_profile(api, FirstName="Ann", LastName="Lee", EmailAddress="ann@example.com",
                             Address={"City": "Paris", "PostalCode": "75001", "Country": "FR"},
                             Attributes={"tier": "gold", "since": "2020"})
    assert PROFILE_ID.fullmatch(profile_id)
    assert api("UpdateProfile", DomainName="shop", ProfileId=profile_id, FirstName="", MiddleName="J",
               Address={"City": "", "PostalCode": "75002"}, Attributes={"tier": "", "vip": "yes"}) == {
        "ProfileId": profile_id}
    assert only_profile(api) == {
        "ProfileId": profile_id, "LastName": "Lee", "MiddleName": "J", "EmailAddress": "ann@example.com",
        "Address": {"PostalCode": "75002", "Country": "FR"}, "Attributes": {"since": "2020", "vip": "yes"},
    }
    # Clearing every member of a nested address removes the address.
    api("UpdateProfile", DomainName="shop", ProfileId=profile_id, Address={"PostalCode": "", "Country": ""})
    assert "Address" not in only_profile(api)
    assert api.code("UpdateProfile", DomainName="shop", ProfileId="0" * 32, FirstName="x") == (
        "ResourceNotFoundException", 404)
    assert api.code("CreateProfile", DomainName="nope", FirstName="x") == ("ResourceNotFoundException", 404)


def test_update_profile_through_the_sdk_sends_empty_strings_and_omits_the_rest() -> None:
    emu = Emulator()
    client = emu.client()
    client.create_domain(domain_name="shop", default_expiration_days=1)
    profile_id = client.create_profile(domain_name="shop", first_name="Ann", last_name="Lee").profile_id
    assert profile_id is not None
    client.update_profile(domain_name="shop", profile_id=profile_id, first_name="")
    [profile] = client.search_profiles(domain_name="shop", key_name="_profileId", values=[profile_id]).items or []
    assert (profile.first_name, profile.last_name) == (None, "Lee")


def test_delete_profile_deletes_its_objects(api: Api) -> None:
    domain(api)
    orders(api)
    put_order(api, "o1")
    [profile] = search(api, "_email", "ann@example.com")
    assert api("DeleteProfile", DomainName="shop", ProfileId=profile["ProfileId"])["Message"]
    assert search(api, "_email", "ann@example.com") == []
    assert api("GetDomain", DomainName="shop")["Stats"]["ObjectCount"] == 0
    assert api.code("DeleteProfile", DomainName="shop", ProfileId=profile["ProfileId"]) == (
        "ResourceNotFoundException", 404)


def test_batch_get_profile_reports_missing_ids(api: Api) -> None:
    domain(api)
    known = new_profile(api, FirstName="Ann")
    missing = "f" * 32
    answer = api("BatchGetProfile", DomainName="shop", ProfileIds=[known, missing])
    assert [p["ProfileId"] for p in answer["Profiles"]] == [known]
    assert answer["Errors"] == [{"Code": "ResourceNotFoundException", "Message": "Profile not found",
                                 "ProfileId": missing}]


# -------------------------------------------------------------------------------------- search


def test_search_by_every_standard_key(api: Api) -> None:
    domain(api)
    ann = new_profile(api, FirstName="Ann", MiddleName="B", LastName="Lee", AccountNumber="acc-1",
                      BusinessEmailAddress="ann@work.example", MobilePhoneNumber="+15550001")
    new_profile(api, FirstName="Cy", EmailAddress="cy@example.com", PhoneNumber="+15550002", AccountNumber="acc-2")
    for key, value in [("_profileId", ann), ("_email", "ann@work.example"), ("_phone", "+15550001"),
                       ("_account", "acc-1"), ("_fullName", "Ann B Lee")]:
        assert [p["ProfileId"] for p in search(api, key, value)] == [ann], key
    assert search(api, "_email", "nobody@example.com") == []
    assert search(api, "_unknownKey", "acc-1") == []
    assert len(search(api, "_account", "acc-1", "acc-2")) == 2  # Values are alternatives


def test_search_with_additional_keys_and_or(api: Api) -> None:
    domain(api)
    both = new_profile(api, EmailAddress="a@example.com", AccountNumber="1")
    email_only = new_profile(api, EmailAddress="a@example.com", AccountNumber="2")
    account_only = new_profile(api, EmailAddress="b@example.com", AccountNumber="1")
    extra = [{"KeyName": "_account", "Values": ["1"]}]
    anded = search(api, "_email", "a@example.com", AdditionalSearchKeys=extra)
    assert [p["ProfileId"] for p in anded] == [both]
    assert anded[0]["FoundByItems"] == [{"KeyName": "_email", "Values": ["a@example.com"]},
                                        {"KeyName": "_account", "Values": ["1"]}]
    ored = search(api, "_email", "a@example.com", AdditionalSearchKeys=extra, LogicalOperator="OR")
    assert [p["ProfileId"] for p in ored] == [both, email_only, account_only]
    assert [item["FoundByItems"] for item in ored[1:]] == [
        [{"KeyName": "_email", "Values": ["a@example.com"]}], [{"KeyName": "_account", "Values": ["1"]}]]
    assert "FoundByItems" not in search(api, "_email", "a@example.com")[0]


def test_search_pages_and_refuses_a_token_of_another_query(api: Api) -> None:
    domain(api)
    ids = [new_profile(api, AccountNumber="shared") for _ in range(5)]
    first = api("SearchProfiles", DomainName="shop", KeyName="_account", Values=["shared"], MaxResults=2)
    assert len(first["Items"]) == 2 and first["NextToken"]
    items, pages = collect(api, "SearchProfiles", 2, DomainName="shop", KeyName="_account", Values=["shared"])
    assert [p["ProfileId"] for p in items] == ids and pages == 3
    assert len(api("SearchProfiles", DomainName="shop", KeyName="_account", Values=["shared"])["Items"]) == 5
    for other in [dict(KeyName="_account", Values=["other"]), dict(KeyName="_email", Values=["shared"])]:
        assert api.code("SearchProfiles", DomainName="shop", MaxResults=2, NextToken=first["NextToken"],
                        **other) == ("BadRequestException", 400)
    assert api.code("ListDomains", NextToken=first["NextToken"]) == ("BadRequestException", 400)
    assert api.code("ListDomains", NextToken="not-a-token") == ("BadRequestException", 400)


def test_the_sdk_paginator_walks_a_search() -> None:
    emu = Emulator()
    client = emu.client()
    client.create_domain(domain_name="shop", default_expiration_days=1)
    ids = [client.create_profile(domain_name="shop", account_number="a").profile_id for _ in range(7)]
    paginator = client.paginate_search_profiles(domain_name="shop", key_name="_account", values=["a"], page_size=3)
    assert [p.profile_id for p in paginator] == ids
    assert emu.backend.calls["SearchProfiles"] == 3


# ----------------------------------------------------------------------------- profile keys


def test_profile_keys_make_profiles_searchable(api: Api) -> None:
    domain(api)
    profile_id = new_profile(api, FirstName="Ann")
    added = api("AddProfileKey", DomainName="shop", ProfileId=profile_id, KeyName="_loyaltyId", Values=["L1", "L2"])
    assert added == {"KeyName": "_loyaltyId", "Values": ["L1", "L2"]}
    assert [p["ProfileId"] for p in search(api, "_loyaltyId", "L2")] == [profile_id]
    api("AddProfileKey", DomainName="shop", ProfileId=profile_id, KeyName="_email", Values=["alias@example.com"])
    assert [p["ProfileId"] for p in search(api, "_email", "alias@example.com")] == [profile_id]

    assert api("DeleteProfileKey", DomainName="shop", ProfileId=profile_id, KeyName="_loyaltyId",
               Values=["L1"])["Message"]
    assert search(api, "_loyaltyId", "L1") == []
    assert len(search(api, "_loyaltyId", "L2")) == 1
    assert api.code("DeleteProfileKey", DomainName="shop", ProfileId=profile_id, KeyName="_loyaltyId",
                    Values=["L1"]) == ("ResourceNotFoundException", 404)
    assert api.code("AddProfileKey", DomainName="shop", ProfileId="0" * 32, KeyName="_k", Values=["v"]) == (
        "ResourceNotFoundException", 404)


# ---------------------------------------------------------------------------- profile objects


def test_objects_map_fields_onto_the_profile(api: Api) -> None:
    domain(api)
    orders(api)
    key = put_order(api, "o1", first="Ann", address={"city": "Paris"}, tier="gold", total=12.5)
    profile = only_profile(api)
    assert {k: v for k, v in profile.items() if k != "ProfileId"} == {
        "EmailAddress": "ann@example.com", "FirstName": "Ann", "Address": {"City": "Paris"},
        "Attributes": {"tier": "gold"}}
    listed = api("ListProfileObjects", DomainName="shop", ObjectTypeName="Orders", ProfileId=profile["ProfileId"])
    assert listed["Items"] == [{"ObjectTypeName": "Orders", "ProfileObjectUniqueKey": key,
                                "Object": json.dumps({"id": "o1", "email": "ann@example.com", "first": "Ann",
                                                      "address": {"city": "Paris"}, "tier": "gold",
                                                      "total": 12.5})}]
    # A second object for the same email goes to the same profile and updates its fields.
    put_order(api, "o2", first="Anne", address={"city": "Lyon"}, tier=3)
    profile = only_profile(api)
    assert (profile["FirstName"], profile["Address"], profile["Attributes"]) == ("Anne", {"City": "Lyon"},
                                                                                 {"tier": "3"})


def test_attribute_targets_may_hold_dots_and_other_targets_stay_off_the_profile(api: Api) -> None:
    domain(api)
    api("PutProfileObjectType", DomainName="shop", ObjectTypeName="T", Description="d", AllowProfileCreation=True,
        Fields={"Id": {"Source": "_source.id", "Target": "_profile.Attributes.crm.id"},
                "Zip": {"Source": "_source.zip", "Target": "_profile.ShippingAddress.PostalCode"},
                "Sku": {"Source": "_source.sku", "Target": "_order.Sku"},
                "Flag": {"Source": "_source.flag", "Target": "_profile.Attributes.flag"}},
        Keys={"_crmId": [{"StandardIdentifiers": ["PROFILE", "UNIQUE"], "FieldNames": ["Id"]}]})
    api("PutProfileObject", DomainName="shop", ObjectTypeName="T",
        Object=json.dumps({"id": 7, "zip": "12345", "sku": "s-1", "flag": True}))
    [profile] = search(api, "_crmId", "7")
    assert {k: v for k, v in profile.items() if k != "ProfileId"} == {
        "Attributes": {"crm.id": "7"}, "ShippingAddress": {"PostalCode": "12345"}}


def test_objects_round_trip_exactly(api: Api) -> None:
    domain(api)
    orders(api)
    document = json.dumps({"id": "ü-1", "email": "zoë@example.com", "note": "line\nbreak \u2028 \"q\" \\ 🎉"},
                          ensure_ascii=False)
    key = api("PutProfileObject", DomainName="shop", ObjectTypeName="Orders", Object=document)
    profile = only_profile(api)
    assert profile["EmailAddress"] == "zoë@example.com"
    [item] = api("ListProfileObjects", DomainName="shop", ObjectTypeName="Orders",
                 ProfileId=profile["ProfileId"])["Items"]
    assert (item["Object"], item["ProfileObjectUniqueKey"]) == (document, key["ProfileObjectUniqueKey"])
    described = api("PutProfileObjectType", DomainName="shop", ObjectTypeName="Orders", Description="é\n🎉\t\"x\"",
                    Fields=ORDERS_FIELDS, Keys=ORDERS_KEYS)
    assert described["Description"] == "é\n🎉\t\"x\""


def test_a_unique_key_replaces_the_object(api: Api) -> None:
    domain(api)
    orders(api)
    first = put_order(api, "o1", total=1)
    again = put_order(api, "o1", total=2)
    other = put_order(api, "o2", total=3)
    assert first == again != other
    profile_id = only_profile(api)["ProfileId"]
    items = api("ListProfileObjects", DomainName="shop", ObjectTypeName="Orders", ProfileId=profile_id)["Items"]
    assert [(item["ProfileObjectUniqueKey"], json.loads(item["Object"])["total"]) for item in items] == [
        (first, 2), (other, 3)]
    assert api("GetDomain", DomainName="shop")["Stats"]["ObjectCount"] == 2


def test_without_a_unique_key_every_put_is_a_new_object(api: Api) -> None:
    domain(api)
    api("PutProfileObjectType", DomainName="shop", ObjectTypeName="Visits", Description="d",
        AllowProfileCreation=True, Fields={"Email": {"Source": "_source.email", "Target": "_profile.EmailAddress"}},
        Keys={"_email": [{"StandardIdentifiers": ["PROFILE"], "FieldNames": ["Email"]}]})
    keys = {api("PutProfileObject", DomainName="shop", ObjectTypeName="Visits",
                Object='{"email": "a@example.com"}')["ProfileObjectUniqueKey"] for _ in range(3)}
    assert len(keys) == 3
    assert api("GetDomain", DomainName="shop")["Stats"]["ProfileCount"] == 1


def test_allow_profile_creation_false_creates_no_profile(api: Api) -> None:
    domain(api)
    orders(api, allow_creation=False)
    put_order(api, "o1", "stranger@example.com")
    assert api("GetDomain", DomainName="shop")["Stats"]["ProfileCount"] == 0
    assert search(api, "_email", "stranger@example.com") == []
    # A profile that the PROFILE key finds gets the object.
    profile_id = new_profile(api, EmailAddress="ann@example.com")
    key = put_order(api, "o2", "ann@example.com", first="Ann")
    items = api("ListProfileObjects", DomainName="shop", ObjectTypeName="Orders", ProfileId=profile_id)["Items"]
    assert [item["ProfileObjectUniqueKey"] for item in items] == [key]
    assert only_profile(api)["FirstName"] == "Ann"


def test_secondary_keys_are_tried_after_the_other_profile_keys(api: Api) -> None:
    domain(api)
    by_phone = new_profile(api, PhoneNumber="+15550001")
    by_email = new_profile(api, EmailAddress="ann@example.com")
    api("PutProfileObjectType", DomainName="shop", ObjectTypeName="Calls", Description="d",
        Fields={"Phone": {"Source": "_source.phone", "Target": "_profile.PhoneNumber"},
                "Email": {"Source": "_source.email", "Target": "_profile.EmailAddress"}},
        Keys={"_phone": [{"StandardIdentifiers": ["PROFILE", "SECONDARY"], "FieldNames": ["Phone"]}],
              "_email": [{"StandardIdentifiers": ["PROFILE"], "FieldNames": ["Email"]}]})
    api("PutProfileObject", DomainName="shop", ObjectTypeName="Calls",
        Object=json.dumps({"phone": "+15550001", "email": "ann@example.com"}))
    assert len(api("ListProfileObjects", DomainName="shop", ObjectTypeName="Calls", ProfileId=by_email)["Items"]) == 1
    assert api("ListProfileObjects", DomainName="shop", ObjectTypeName="Calls", ProfileId=by_phone)["Items"] == []


def test_object_keys_make_profiles_searchable(api: Api) -> None:
    domain(api)
    api("PutProfileObjectType", DomainName="shop", ObjectTypeName="Loyalty", Description="d",
        AllowProfileCreation=True,
        Fields={"Card": {"Source": "_source.card", "Target": "_profile.Attributes.card"},
                "Ref": {"Source": "_source.ref", "Target": "_order.Ref"}},
        Keys={"_card": [{"StandardIdentifiers": ["PROFILE", "UNIQUE"], "FieldNames": ["Card"]}],
              "_ref": [{"StandardIdentifiers": ["LOOKUP_ONLY", "PROFILE"], "FieldNames": ["Ref"]}]})
    api("PutProfileObject", DomainName="shop", ObjectTypeName="Loyalty", Object='{"card": 1234, "ref": "r1"}')
    [profile] = search(api, "_card", "1234")
    assert profile["Attributes"] == {"card": "1234"}
    assert search(api, "_ref", "r1") == []  # LOOKUP_ONLY keys match but are not kept


def test_list_profile_objects_filters_and_pages(api: Api) -> None:
    domain(api)
    orders(api)
    keys = [put_order(api, f"o{i}") for i in range(5)]
    profile_id = only_profile(api)["ProfileId"]
    base = dict(DomainName="shop", ObjectTypeName="Orders", ProfileId=profile_id)
    filtered = api("ListProfileObjects", **base, ObjectFilter={"KeyName": "_orderId", "Values": ["o1", "o3"]})
    assert [item["ProfileObjectUniqueKey"] for item in filtered["Items"]] == [keys[1], keys[3]]
    items, pages = collect(api, "ListProfileObjects", 2, **base)
    assert [item["ProfileObjectUniqueKey"] for item in items] == keys and pages == 3
    assert api.code("ListProfileObjects", **base, ObjectFilter={"KeyName": "_nope", "Values": ["x"]}) == (
        "BadRequestException", 400)
    assert api.code("ListProfileObjects", DomainName="shop", ObjectTypeName="Nope", ProfileId=profile_id) == (
        "ResourceNotFoundException", 404)
    assert api.code("ListProfileObjects", DomainName="shop", ObjectTypeName="Orders", ProfileId="0" * 32) == (
        "ResourceNotFoundException", 404)


def test_delete_profile_object(api: Api) -> None:
    domain(api)
    orders(api)
    key = put_order(api, "o1")
    profile_id = only_profile(api)["ProfileId"]
    base = dict(DomainName="shop", ObjectTypeName="Orders", ProfileId=profile_id)
    assert api("DeleteProfileObject", **base, ProfileObjectUniqueKey=key)["Message"]
    assert api("ListProfileObjects", **base)["Items"] == []
    assert api.code("DeleteProfileObject", **base, ProfileObjectUniqueKey=key) == ("ResourceNotFoundException", 404)


@pytest.mark.parametrize("document", ["not json", "[1, 2]", "42"])
def test_an_object_must_be_a_json_object(api: Api, document: str) -> None:
    domain(api)
    orders(api)
    assert api.code("PutProfileObject", DomainName="shop", ObjectTypeName="Orders", Object=document) == (
        "BadRequestException", 400)
    assert api.code("PutProfileObject", DomainName="shop", ObjectTypeName="Nope", Object="{}") == (
        "ResourceNotFoundException", 404)


def test_deleting_an_object_type_deletes_its_objects(api: Api) -> None:
    domain(api)
    orders(api)
    put_order(api, "o1")
    api("DeleteProfileObjectType", DomainName="shop", ObjectTypeName="Orders")
    assert api("GetDomain", DomainName="shop")["Stats"]["ObjectCount"] == 0


# -------------------------------------------------------------------------------- integrations

URI = "arn:aws:sqs:us-east-1:123456789012:queue"


def test_integration_lifecycle(api: Api) -> None:
    domain(api)
    domain(api, "other")
    orders(api)
    api("PutProfileObjectType", DomainName="other", ObjectTypeName="Orders", Description="d",
        Fields=ORDERS_FIELDS, Keys=ORDERS_KEYS)
    put = api("PutIntegration", DomainName="shop", Uri=URI, ObjectTypeName="Orders", Tags={"a": "b"})
    assert put == {"DomainName": "shop", "Uri": URI, "ObjectTypeName": "Orders", "CreatedAt": START,
                   "LastUpdatedAt": START, "Tags": {"a": "b"}, "IsUnstructured": False}
    assert api("GetIntegration", DomainName="shop", Uri=URI) == put
    api.clock.advance(seconds=30)
    names = {"shopify-customer": "Orders"}
    again = api("PutIntegration", DomainName="shop", Uri=URI, ObjectTypeNames=names)
    assert (again["ObjectTypeNames"], again["CreatedAt"], again["LastUpdatedAt"]) == (
        names, START, START + timedelta(seconds=30))
    assert again["Tags"] == {"a": "b"}  # kept when not given again
    api("PutIntegration", DomainName="other", Uri=URI, ObjectTypeName="Orders")
    api("PutIntegration", DomainName="shop", Uri=URI + "2", ObjectTypeName="Orders")

    assert [i["Uri"] for i in api("ListIntegrations", DomainName="shop")["Items"]] == [URI, URI + "2"]
    assert [i["DomainName"] for i in api("ListAccountIntegrations", Uri=URI)["Items"]] == ["other", "shop"]
    assert api("ListAccountIntegrations", Uri=URI, IncludeHidden=True, MaxResults=1)["NextToken"]
    assert api("DeleteIntegration", DomainName="shop", Uri=URI)["Message"]
    assert [i["DomainName"] for i in api("ListAccountIntegrations", Uri=URI)["Items"]] == ["other"]
    assert api.code("GetIntegration", DomainName="shop", Uri=URI) == ("ResourceNotFoundException", 404)
    assert api.code("DeleteIntegration", DomainName="shop", Uri=URI) == ("ResourceNotFoundException", 404)
    assert api.code("PutIntegration", DomainName="shop", Uri=URI, ObjectTypeName="Nope") == (
        "ResourceNotFoundException", 404)
    assert api.code("PutIntegration", DomainName="shop", Uri=URI) == ("BadRequestException", 400)
    assert api("ListIntegrations", DomainName="shop", IncludeHidden=True)["Items"][0]["Uri"] == URI + "2"


def test_a_flow_definition_with_timestamps_is_read() -> None:
    emu = Emulator()
    client = emu.boto3_client()
    client.create_domain(DomainName="shop", DefaultExpirationDays=1)
    client.put_profile_object_type(DomainName="shop", ObjectTypeName="Orders", Description="d", Fields=ORDERS_FIELDS)
    flow = {
        "FlowName": "flow", "KmsArn": "arn:aws:kms:us-east-1:123456789012:key/k",
        "SourceFlowConfig": {"ConnectorType": "S3", "SourceConnectorProperties": {"S3": {"BucketName": "bucket"}}},
        "Tasks": [{"SourceFields": ["a"], "TaskType": "Map"}],
        "TriggerConfig": {"TriggerType": "Scheduled", "TriggerProperties": {"Scheduled": {
            "ScheduleExpression": "rate(1hours)", "ScheduleStartTime": datetime(2024, 1, 1, tzinfo=UTC)}}},
    }
    put = client.put_integration(DomainName="shop", Uri=URI, ObjectTypeName="Orders", FlowDefinition=flow)
    assert put["Uri"] == URI and "FlowDefinition" not in put


# ---------------------------------------------------------------------- calculated attributes


def spend(api: Api, name: str = "spend", statistic: str = "SUM", **extra: Any) -> dict[str, Any]:
    result: dict[str, Any] = api(
        "CreateCalculatedAttributeDefinition", DomainName="shop", CalculatedAttributeName=name,
        DisplayName=name.title(), Statistic=statistic, UseHistoricalData=True,
        AttributeDetails={"Attributes": [{"Name": "Orders.Total"}], "Expression": "{Orders.Total}"}, **extra)
    return result


def test_calculated_attribute_definition_lifecycle(api: Api) -> None:
    domain(api)
    orders(api)
    created = spend(api, Description="total spend", Tags={"k": "v"})
    assert (created["CalculatedAttributeName"], created["Statistic"], created["CreatedAt"]) == ("spend", "SUM", START)
    assert created["AttributeDetails"] == {"Attributes": [{"Name": "Orders.Total"}], "Expression": "{Orders.Total}"}
    got = api("GetCalculatedAttributeDefinition", DomainName="shop", CalculatedAttributeName="spend")
    assert got["Description"] == "total spend" and got["Tags"] == {"k": "v"}
    assert got["Status"] == "COMPLETED" and got["UseHistoricalData"] is True

    api.clock.advance(days=1)
    updated = api("UpdateCalculatedAttributeDefinition", DomainName="shop", CalculatedAttributeName="spend",
                  Description="v2", Conditions={"Range": {"Value": 7, "Unit": "DAYS"}})
    assert (updated["Description"], updated["Conditions"], updated["LastUpdatedAt"]) == (
        "v2", {"Range": {"Value": 7, "Unit": "DAYS"}}, START + timedelta(days=1))
    assert updated["CreatedAt"] == START

    spend(api, "count", "COUNT")
    listed = api("ListCalculatedAttributeDefinitions", DomainName="shop")["Items"]
    assert [item["CalculatedAttributeName"] for item in listed] == ["count", "spend"]
    assert api("DeleteCalculatedAttributeDefinition", DomainName="shop", CalculatedAttributeName="count") == {}
    assert api.code("GetCalculatedAttributeDefinition", DomainName="shop", CalculatedAttributeName="count") == (
        "ResourceNotFoundException", 404)
    assert api.code("CreateCalculatedAttributeDefinition", DomainName="shop", CalculatedAttributeName="spend",
                    Statistic="SUM", AttributeDetails={"Attributes": [{"Name": "Orders.Total"}],
                                                       "Expression": "{Orders.Total}"}) == ("BadRequestException", 400)


@pytest.mark.parametrize("details", [
    {"Attributes": [{"Name": "Nope.Total"}], "Expression": "{Nope.Total}"},
    {"Attributes": [{"Name": "Orders.Missing"}], "Expression": "{Orders.Missing}"},
    {"Attributes": [{"Name": "Missing"}], "Expression": "{Orders.Missing}"},
])
def test_a_definition_must_read_an_existing_field(api: Api, details: dict[str, Any]) -> None:
    domain(api)
    orders(api)
    assert api.code("CreateCalculatedAttributeDefinition", DomainName="shop", CalculatedAttributeName="x",
                    Statistic="SUM", AttributeDetails=details) == ("BadRequestException", 400)


def test_a_bare_field_name_in_attributes_is_accepted(api: Api) -> None:
    domain(api)
    orders(api)
    api("CreateCalculatedAttributeDefinition", DomainName="shop", CalculatedAttributeName="x", Statistic="SUM",
        UseHistoricalData=True, AttributeDetails={"Attributes": [{"Name": "Total"}], "Expression": "{Orders.Total}"})
    put_order(api, "o1", total=4)
    profile_id = only_profile(api)["ProfileId"]
    assert api("GetCalculatedAttributeForProfile", DomainName="shop", ProfileId=profile_id,
               CalculatedAttributeName="x")["Value"] == "4"


def test_calculated_values_for_a_profile(api: Api) -> None:
    domain(api)
    orders(api)
    for statistic in ("SUM", "COUNT", "AVERAGE", "LAST_OCCURRENCE"):
        spend(api, statistic.lower(), statistic)
    for order_id, total in [("o1", 10), ("o2", 2.5), ("o3", 6)]:
        put_order(api, order_id, total=total)
        api.clock.advance(days=1)
    profile_id = only_profile(api)["ProfileId"]
    values = {}
    for statistic in ("sum", "count", "average", "last_occurrence"):
        answer = api("GetCalculatedAttributeForProfile", DomainName="shop", ProfileId=profile_id,
                     CalculatedAttributeName=statistic)
        assert (answer["CalculatedAttributeName"], answer["IsDataPartial"]) == (statistic, "false")
        assert answer["LastObjectTimestamp"] == START + timedelta(days=2)
        values[statistic] = answer["Value"]
    assert values == {"sum": "18.5", "count": "3", "average": "6.166667", "last_occurrence": "6"}
    listed = api("ListCalculatedAttributesForProfile", DomainName="shop", ProfileId=profile_id)["Items"]
    assert {item["CalculatedAttributeName"]: item["Value"] for item in listed} == values
    assert api.code("GetCalculatedAttributeForProfile", DomainName="shop", ProfileId="0" * 32,
                    CalculatedAttributeName="sum") == ("ResourceNotFoundException", 404)
    assert api.code("GetCalculatedAttributeForProfile", DomainName="shop", ProfileId=profile_id,
                    CalculatedAttributeName="nope") == ("ResourceNotFoundException", 404)


def test_a_range_window_follows_the_clock(api: Api) -> None:
    domain(api)
    orders(api)
    spend(api, Conditions={"Range": {"Value": 7, "Unit": "DAYS"}})
    put_order(api, "old", total=100)
    api.clock.advance(days=5)
    put_order(api, "new", total=1)
    profile_id = only_profile(api)["ProfileId"]

    def value() -> str | None:
        answer = api("GetCalculatedAttributeForProfile", DomainName="shop", ProfileId=profile_id,
                     CalculatedAttributeName="spend")
        return answer.get("Value")

    assert value() == "101"
    api.clock.advance(days=3)  # "old" is now 8 days old
    assert value() == "1"
    api.clock.advance(days=5)
    assert value() is None
    assert api("ListCalculatedAttributesForProfile", DomainName="shop", ProfileId=profile_id)["Items"] == []


def test_without_historical_data_only_later_objects_count(api: Api) -> None:
    domain(api)
    orders(api)
    put_order(api, "before", total=100)
    api.clock.advance(minutes=1)
    api("CreateCalculatedAttributeDefinition", DomainName="shop", CalculatedAttributeName="spend", Statistic="SUM",
        AttributeDetails={"Attributes": [{"Name": "Orders.Total"}], "Expression": "{Orders.Total}"})
    api.clock.advance(minutes=1)
    put_order(api, "after", total=5)
    profile_id = only_profile(api)["ProfileId"]
    assert api("GetCalculatedAttributeForProfile", DomainName="shop", ProfileId=profile_id,
               CalculatedAttributeName="spend")["Value"] == "5"


def test_batch_get_calculated_attribute_reports_missing_profiles(api: Api) -> None:
    domain(api)
    orders(api)
    spend(api)
    put_order(api, "o1", total=3)
    api.clock.advance(days=10)
    put_order(api, "o2", total=4)
    known = only_profile(api)["ProfileId"]
    missing = "e" * 32
    answer = api("BatchGetCalculatedAttributeForProfile", DomainName="shop", CalculatedAttributeName="spend",
                 ProfileIds=[known, missing])
    assert [(v["ProfileId"], v["Value"]) for v in answer["CalculatedAttributeValues"]] == [(known, "7")]
    assert answer["Errors"] == [{"Code": "ResourceNotFoundException", "Message": "Profile not found",
                                 "ProfileId": missing}]
    overridden = api("BatchGetCalculatedAttributeForProfile", DomainName="shop", CalculatedAttributeName="spend",
                     ProfileIds=[known], ConditionOverrides={"Range": {"Start": 5, "Unit": "DAYS"}})
    assert overridden["CalculatedAttributeValues"][0]["Value"] == "4"
    assert overridden["ConditionOverrides"] == {"Range": {"Start": 5, "Unit": "DAYS"}}
    assert overridden["Errors"] == []
    assert api.code("BatchGetCalculatedAttributeForProfile", DomainName="shop", CalculatedAttributeName="spend",
                    ProfileIds=[known], ConditionOverrides={"Range": {"Start": 1, "End": 5, "Unit": "DAYS"}}) == (
        "BadRequestException", 400)  # Start must be the earlier point
    assert api.code("BatchGetCalculatedAttributeForProfile", DomainName="shop", CalculatedAttributeName="nope",
                    ProfileIds=[known]) == ("ResourceNotFoundException", 404)


def test_the_sdk_raises_partial_failure_holding_the_response() -> None:
    emu = Emulator()
    client = emu.client()
    client.create_domain(domain_name="shop", default_expiration_days=1)
    client.put_profile_object_type(
        domain_name="shop", object_type_name="Orders", description="d", allow_profile_creation=True,
        fields={name: ObjectTypeField.model_validate(field) for name, field in ORDERS_FIELDS.items()},
        keys={name: [ObjectTypeKey.model_validate(key) for key in keys] for name, keys in ORDERS_KEYS.items()})
    client.create_calculated_attribute_definition(
        domain_name="shop", calculated_attribute_name="spend", statistic="SUM", use_historical_data=True,
        attribute_details=AttributeDetails.model_validate(
            {"Attributes": [{"Name": "Orders.Total"}], "Expression": "{Orders.Total}"}))
    client.put_profile_object(domain_name="shop", object_type_name="Orders",
                              object=json.dumps({"id": "o1", "email": "a@example.com", "total": 2}))
    [profile] = client.search_profiles(domain_name="shop", key_name="_email", values=["a@example.com"]).items or []
    assert profile.profile_id is not None
    missing = "d" * 32
    with pytest.raises(PartialFailureError) as caught:
        client.batch_get_calculated_attribute_for_profile(
            domain_name="shop", calculated_attribute_name="spend", profile_ids=[profile.profile_id, missing])
    assert caught.value.failed_ids == (missing,)
    assert caught.value.failures[0].code == "ResourceNotFoundException"
    values = caught.value.response.calculated_attribute_values
    assert [(v.profile_id, v.value) for v in values] == [(profile.profile_id, "2")]
    with pytest.raises(ResourceNotFoundError) as not_found:
        client.get_calculated_attribute_for_profile(domain_name="shop", profile_id=missing,
                                                    calculated_attribute_name="spend")
    assert (not_found.value.http_status, not_found.value.retry_attempts) == (404, 0)


# ------------------------------------------------------------------------------------- layouts

LAYOUT = json.dumps({"sections": []})


def test_domain_layout_lifecycle(api: Api) -> None:
    domain(api)
    base = dict(DomainName="shop", Description="d", DisplayName="Main", LayoutType="PROFILE_EXPLORER")
    created = api("CreateDomainLayout", LayoutDefinitionName="main", Layout=LAYOUT, IsDefault=True, **base)
    assert (created["LayoutDefinitionName"], created["Version"], created["IsDefault"], created["Layout"]) == (
        "main", "1", True, LAYOUT)
    api("CreateDomainLayout", LayoutDefinitionName="alt", Layout=LAYOUT, **base)
    assert api.code("CreateDomainLayout", LayoutDefinitionName="alt", Layout=LAYOUT, **base) == (
        "BadRequestException", 400)
    assert api.code("CreateDomainLayout", LayoutDefinitionName="bad", Layout="{nope", **base) == (
        "BadRequestException", 400)

    api.clock.advance(seconds=1)
    updated = api("UpdateDomainLayout", DomainName="shop", LayoutDefinitionName="alt", IsDefault=True,
                  DisplayName="Alt")
    assert (updated["Version"], updated["DisplayName"], updated["IsDefault"]) == ("2", "Alt", True)
    assert updated["LastUpdatedAt"] == START + timedelta(seconds=1)
    main = api("GetDomainLayout", DomainName="shop", LayoutDefinitionName="main")
    assert main["IsDefault"] is False  # one default layout per domain
    listed = api("ListDomainLayouts", DomainName="shop")["Items"]
    assert [(item["LayoutDefinitionName"], item["IsDefault"]) for item in listed] == [("alt", True), ("main", False)]
    assert api("DeleteDomainLayout", DomainName="shop", LayoutDefinitionName="alt")["Message"]
    assert api.code("GetDomainLayout", DomainName="shop", LayoutDefinitionName="alt") == (
        "ResourceNotFoundException", 404)
    assert api.code("UpdateDomainLayout", DomainName="shop", LayoutDefinitionName="alt", DisplayName="x") == (
        "ResourceNotFoundException", 404)


# ---------------------------------------------------------------------------------------- tags


def test_tags_on_every_kind_of_resource(api: Api) -> None:
    domain(api)
    orders(api)
    spend(api)
    api("CreateDomainLayout", DomainName="shop", LayoutDefinitionName="main", Description="d", DisplayName="M",
        LayoutType="PROFILE_EXPLORER", Layout=LAYOUT)
    arn = api.emulator.backend.resource_arn
    for resource in [arn("shop"), arn("shop", "object-types", "Orders"), arn("shop", "calculated-attributes", "spend"),
                     arn("shop", "layouts", "main")]:
        assert api("ListTagsForResource", resourceArn=resource)["tags"] == {}
        assert api("TagResource", resourceArn=resource, tags={"a": "1", "b": "2", "c": "3"}) == {}
        assert api("UntagResource", resourceArn=resource, tagKeys=["a", "c", "never"]) == {}
        assert api("ListTagsForResource", resourceArn=resource)["tags"] == {"b": "2"}
    assert api("GetDomain", DomainName="shop")["Tags"] == {"b": "2"}
    assert api("GetProfileObjectType", DomainName="shop", ObjectTypeName="Orders")["Tags"] == {"b": "2"}
    assert arn("shop") == "arn:aws:profile:us-east-1:123456789012:domains/shop"


@pytest.mark.parametrize("resource", [
    "arn:aws:profile:us-east-1:123456789012:domains/nope",
    "arn:aws:profile:us-east-1:123456789012:domains/shop/object-types/nope",
    "arn:aws:profile:us-east-1:123456789012:domains/shop/unknown-kind/x",
    "arn:aws:profile:eu-west-1:123456789012:domains/shop",
    "arn:aws:profile:us-east-1:999999999999:domains/shop",
])
def test_tags_of_an_unknown_resource(api: Api, resource: str) -> None:
    domain(api)
    assert api.code("ListTagsForResource", resourceArn=resource) == ("ResourceNotFoundException", 404)
    assert api.code("TagResource", resourceArn=resource, tags={"a": "b"}) == ("ResourceNotFoundException", 404)


def test_at_most_fifty_tags(api: Api) -> None:
    domain(api)
    resource = api.emulator.backend.resource_arn("shop")
    api("TagResource", resourceArn=resource, tags={f"k{i}": "v" for i in range(50)})
    assert api.code("TagResource", resourceArn=resource, tags={"one-more": "v"}) == ("BadRequestException", 400)
    assert len(api("ListTagsForResource", resourceArn=resource)["tags"]) == 50


# -------------------------------------------------------------------------------------- errors

CANARY = "canary7f3a9"


def error_text(response: dict[str, Any]) -> str:
    return json.dumps(response, default=str)


# Invalid input that the SDK refuses before sending: only a plain client gets it to the emulator.
INVALID = [
    ("CreateDomain", dict(DomainName=CANARY * 6, DefaultExpirationDays=1)),
    ("CreateDomain", dict(DomainName="fresh", DefaultExpirationDays=1, Tags={CANARY: "x" * 300})),
    ("CreateDomain", dict(DomainName="fresh", DefaultExpirationDays=1, Tags={"aws:" + CANARY: "x"})),
    ("CreateProfile", dict(DomainName="shop", EmailAddress=CANARY * 30)),
    ("CreateProfile", dict(DomainName="shop", Attributes={CANARY: CANARY * 30})),
    ("CreateProfile", dict(DomainName="shop", Gender=CANARY)),
    ("SearchProfiles", dict(DomainName="shop", KeyName=CANARY * 10, Values=["v"])),
]


@pytest.mark.parametrize(("operation", "params"), INVALID)
def test_validation_errors_never_carry_request_values(operation: str, params: dict[str, Any]) -> None:
    emu = Emulator()
    emu.backend.call("CreateDomain", {"DomainName": "shop", "DefaultExpirationDays": 1})
    client = emu.boto3_client()
    with pytest.raises(ClientError) as caught:
        getattr(client, xform_name(operation))(**params)
    response = caught.value.response
    assert (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]) == ("BadRequestException", 400)
    assert "[rule=" in response["Error"]["Message"]
    assert CANARY not in json.dumps(response, default=str)
    assert emu.backend.domain_names() == ["shop"] and emu.backend.calls == {"CreateDomain": 1}


@pytest.mark.parametrize(("operation", "params"), [
    ("PutProfileObject", dict(DomainName="shop", ObjectTypeName="Orders", Object=f"{{{CANARY}")),
    ("SearchProfiles", dict(DomainName="shop", KeyName="_email", Values=[CANARY], NextToken=CANARY)),
    ("ListDomains", dict(NextToken=CANARY)),
    ("GetDomain", dict(DomainName=CANARY)),
    ("UpdateProfile", dict(DomainName="shop", ProfileId="c" * 32, FirstName=CANARY)),
    ("CreateDomainLayout", dict(DomainName="shop", LayoutDefinitionName="l", Description="d", DisplayName="d",
                                LayoutType="PROFILE_EXPLORER", Layout=CANARY)),
    ("TagResource", dict(resourceArn=f"arn:aws:profile:us-east-1:123456789012:domains/{CANARY}", tags={"a": "b"})),
    ("DeleteProfileKey", dict(DomainName="shop", ProfileId="c" * 32, KeyName="_k", Values=[CANARY])),
])
def test_errors_never_carry_request_values(api: Api, operation: str, params: dict[str, Any]) -> None:
    domain(api)
    orders(api)
    response = api.error(operation, **params)
    assert response["ResponseMetadata"]["HTTPStatusCode"] in (400, 404)
    assert response["ResponseMetadata"]["RetryAttempts"] == 0
    assert CANARY not in error_text(response)


def test_a_plain_client_gets_a_400_that_names_path_and_rule() -> None:
    client = Emulator().boto3_client()
    with pytest.raises(ClientError) as caught:
        client.create_domain(DomainName="x" * 65, DefaultExpirationDays=1)
    error = caught.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == ("BadRequestException", 400)
    assert "DomainName" in error["Error"]["Message"] and "max_length" in error["Error"]["Message"]
    assert "x" * 65 not in error["Error"]["Message"]
    invalid: list[dict[str, Any]] = [
        {"DefaultExpirationDays": 999999}, {"Tags": {"aws:reserved": "v"}},
        {"Tags": {f"k{i}": "v" for i in range(51)}},
        {"Matching": {"Enabled": True, "JobSchedule": {"DayOfTheWeek": "FUNDAY", "Time": "12:00"}}},
    ]
    for bad in invalid:
        with pytest.raises(ClientError) as caught:
            client.create_domain(**{"DomainName": "shop", "DefaultExpirationDays": 1, **bad})
        assert caught.value.response["Error"]["Code"] == "BadRequestException", bad
    assert client.list_domains()["Items"] == []


@pytest.mark.parametrize("mode", ["legacy", "standard", "adaptive"])
def test_client_errors_are_attempted_once(mode: str) -> None:
    from botocore.config import Config

    emu = Emulator()
    client = emu.boto3_client(Config(retries=cast(Any, {"mode": mode, "total_max_attempts": 5})))
    attempts: list[str] = []
    client.meta.events.register("before-send", lambda request, **_: attempts.append(request.method))
    calls: list[tuple[Callable[[], Any], int]] = [
        (lambda: client.get_domain(DomainName="nope"), 404),
        (lambda: client.create_domain(DomainName="x" * 65, DefaultExpirationDays=1), 400),
        (lambda: client.get_matches(DomainName="nope"), 501),
    ]
    for call, status in calls:
        with pytest.raises(ClientError) as caught:
            call()
        metadata = caught.value.response["ResponseMetadata"]
        assert (metadata["HTTPStatusCode"], metadata["RetryAttempts"]) == (status, 0)
    assert attempts == ["GET", "POST", "GET"]
    assert emu.backend.calls == {"GetDomain": 1}  # only operations that passed validation count


def test_the_sdk_raises_its_typed_errors() -> None:
    from customer_profiles_sdk.errors import BadRequestError, UnmodeledServiceError

    client = Emulator().client()
    with pytest.raises(ResourceNotFoundError) as missing:
        client.get_domain(domain_name="nope")
    assert (missing.value.code, missing.value.http_status, missing.value.retry_attempts) == (
        "ResourceNotFoundException", 404, 0)
    assert missing.value.request_id
    client.create_domain(domain_name="shop", default_expiration_days=1)
    with pytest.raises(BadRequestError):
        client.create_domain(domain_name="shop", default_expiration_days=1)
    with pytest.raises(UnmodeledServiceError) as unmodelled:
        client.get_matches(domain_name="shop")
    assert (unmodelled.value.code, unmodelled.value.http_status) == ("NotImplementedByEmulator", 501)


# --------------------------------------------------------------------- the three clients agree


def scenario(api: Api) -> list[Any]:
    """A run over most operations; what each returns, for comparison across client kinds."""
    seen: list[Any] = []
    ids = iter(f"{i:032x}" for i in range(1, 100))

    def note(value: dict[str, Any]) -> None:
        text = json.dumps(value, sort_keys=True, default=lambda v: v.astimezone(UTC).isoformat())
        # profile ids and random object keys differ between runs: number them in order of appearance
        for profile_id in re.findall(r"[a-f0-9]{32}", text):
            text = text.replace(profile_id, next(ids))
        seen.append(json.loads(text))

    domain(api)
    orders(api)
    spend(api)
    note(api("GetDomain", DomainName="shop"))
    note(api("GetProfileObjectType", DomainName="shop", ObjectTypeName="Orders"))
    put_order(api, "o1", total=2, first="Ann", address={"city": "Paris"})
    api.clock.advance(seconds=1.5)
    put_order(api, "o2", total=3)
    [profile] = search(api, "_email", "ann@example.com")
    note(profile)
    profile_id = profile["ProfileId"]
    api("UpdateProfile", DomainName="shop", ProfileId=profile_id, Attributes={"a": "b"}, FirstName="")
    note(api("SearchProfiles", DomainName="shop", KeyName="_profileId", Values=[profile_id]))
    note(api("ListProfileObjects", DomainName="shop", ObjectTypeName="Orders", ProfileId=profile_id))
    note(api("GetCalculatedAttributeForProfile", DomainName="shop", ProfileId=profile_id,
             CalculatedAttributeName="spend"))
    note(api("BatchGetCalculatedAttributeForProfile", DomainName="shop", CalculatedAttributeName="spend",
             ProfileIds=[profile_id, "9" * 32]))
    note(api("GetDomain", DomainName="shop"))
    note(api("ListProfileObjectTypeTemplates"))
    return seen


def test_the_three_clients_see_the_same_results() -> None:
    results: dict[str, list[Any]] = {}
    for kind in ("sdk", "sdk-slow-parse", "boto3"):
        clock = Clock()
        emulator = Emulator(clock=clock)
        sdk = None if kind == "boto3" else emulator.client(fast_parse=kind == "sdk")
        results[kind] = scenario(Api(emulator, kind, clock, sdk, emulator.boto3_client()))
    assert results["sdk"] == results["sdk-slow-parse"] == results["boto3"]
    assert len(results["boto3"]) == 9


# ------------------------------------------------------------------------ direct backend use


def test_the_backend_returns_copies_and_keeps_its_own() -> None:
    emu = Emulator()
    backend = emu.backend
    backend.call("CreateDomain", {"DomainName": "shop", "DefaultExpirationDays": 1, "Tags": {"a": "b"}})
    address = {"City": "Paris"}
    attributes = {"k": "v"}
    request = {"DomainName": "shop", "Address": address, "Attributes": attributes}
    profile_id = backend.call("CreateProfile", request)["ProfileId"]
    address["City"] = "changed"  # the caller's dicts are not the backend's
    attributes["k"] = "changed"
    answer = backend.call("SearchProfiles", {"DomainName": "shop", "KeyName": "_profileId", "Values": [profile_id]})
    answer["Items"][0]["Address"]["City"] = "mutated"  # neither are the answers
    again = backend.call("SearchProfiles", {"DomainName": "shop", "KeyName": "_profileId", "Values": [profile_id]})
    assert again["Items"][0]["Address"] == {"City": "Paris"}
    assert again["Items"][0]["Attributes"] == {"k": "v"}
    got = backend.call("GetDomain", {"DomainName": "shop"})
    got["Tags"]["a"] = "mutated"
    assert backend.call("GetDomain", {"DomainName": "shop"})["Tags"] == {"a": "b"}


def test_the_backend_validates_and_refuses_unmodelled_operations() -> None:
    from customer_profiles_sdk.local import EmulatorError

    backend = Emulator().backend
    with pytest.raises(EmulatorError) as caught:
        backend.call("CreateDomain", {"DomainName": "shop"})
    assert (caught.value.code, caught.value.status) == ("BadRequestException", 400)
    assert "DefaultExpirationDays" in caught.value.message
    with pytest.raises(EmulatorError) as caught:
        backend.call("GetMatches", {"DomainName": "shop"})
    assert (caught.value.code, caught.value.status) == ("NotImplementedByEmulator", 501)
    assert backend.calls == {}


@pytest.fixture
def new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process's local time zone is not UTC for the test."""
    import time

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("new_york")
def test_a_naive_clock_is_utc() -> None:
    emu = Emulator(clock=lambda: datetime(2024, 1, 1, 12, 0))
    created = emu.client().create_domain(domain_name="shop", default_expiration_days=1)
    assert created.created_at == datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
    aware = Emulator(clock=lambda: datetime(2024, 1, 1, 12, 0, tzinfo=UTC) + timedelta(hours=-5))
    assert aware.boto3_client().create_domain(DomainName="x", DefaultExpirationDays=1)["CreatedAt"] == datetime(
        2024, 1, 1, 7, 0, tzinfo=UTC)


def test_reset_forgets_everything() -> None:
    emu = Emulator()
    client = emu.client()
    client.create_domain(domain_name="shop", default_expiration_days=1)
    assert emu.backend.domain_names() == ["shop"]
    emu.reset()
    assert emu.backend.domain_names() == [] and emu.backend.calls == {}
    assert client.list_domains().items == []

