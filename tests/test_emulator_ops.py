"""The emulator's semantics, operation by operation, seen through three clients.

Every test here runs three times: with the SDK's client (``fast_parse`` on and off) and with a
plain boto3 client, all attached to one fresh emulator. The ``api`` fixture hides the difference:
it takes and returns wire-named dicts, so each test asserts the same results for all three.
"""

from __future__ import annotations

import base64
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
    # Only templates whose ids AWS documents (docs/guides/testing.md lists the sources).
    assert [item["TemplateId"] for item in items] == [
        "Marketo-leads", "Salesforce-Account", "Salesforce-Contact", "Segment-Identify", "Shopify-Customer",
        "Zendesk-users"]
    assert items[4] == {"TemplateId": "Shopify-Customer", "SourceName": "Shopify", "SourceObject": "Customer"}
    page = api("ListProfileObjectTypeTemplates", MaxResults=2)
    assert len(page["Items"]) == 2 and page["NextToken"]
    template = api("GetProfileObjectTypeTemplate", TemplateId="Shopify-Customer")
    assert template["Fields"]["first_name"]["Target"] == "_profile.FirstName"
    # The one field the Administrator Guide shows as the template writes it.
    assert template["Fields"]["shopifyCustomerId"] == {
        "Source": "_source.detail.event.detail.payload.id", "Target": "_profile.Attributes.ShopifyCustomerId",
        "ContentType": "STRING"}
    assert template["Keys"]["_shopifyCustomerId"][0]["StandardIdentifiers"] == ["PROFILE", "UNIQUE"]
    assert api.code("GetProfileObjectTypeTemplate", TemplateId="Nope-Nothing") == ("ResourceNotFoundException", 404)
    # Ids the service does not have: Zendesk's template is "Zendesk-users".
    for made_up in ("Zendesk-User", "Salesforce-Lead", "ServiceNow-sys_user"):
        assert api.code("GetProfileObjectTypeTemplate", TemplateId=made_up) == ("ResourceNotFoundException", 404)


def test_an_object_type_from_a_template(api: Api) -> None:
    domain(api)
    put = api("PutProfileObjectType", DomainName="shop", ObjectTypeName="Customers", Description="shopify",
              TemplateId="Shopify-Customer")
    template = api("GetProfileObjectTypeTemplate", TemplateId="Shopify-Customer")
    assert (put["TemplateId"], put["Fields"], put["Keys"]) == ("Shopify-Customer", template["Fields"], template["Keys"])
    assert put["AllowProfileCreation"] is True
    event = {"detail": {"event": {"detail": {"payload": {"id": 42, "first_name": "Ann", "email": "ann@example.com"}}}}}
    api("PutProfileObject", DomainName="shop", ObjectTypeName="Customers", Object=json.dumps(event))
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
    anded = search(api, "_email", "a@example.com", AdditionalSearchKeys=extra, LogicalOperator="AND")
    assert [p["ProfileId"] for p in anded] == [both]
    assert anded[0]["FoundByItems"] == [{"KeyName": "_email", "Values": ["a@example.com"]},
                                        {"KeyName": "_account", "Values": ["1"]}]
    ored = search(api, "_email", "a@example.com", AdditionalSearchKeys=extra, LogicalOperator="OR")
    assert [p["ProfileId"] for p in ored] == [both, email_only, account_only]
    # Without LogicalOperator the service combines the keys with OR.
    assert search(api, "_email", "a@example.com", AdditionalSearchKeys=extra) == ored
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
    # Every operation is modelled: a 501 comes from an injected fault (not run, not counted).
    emu.fail("GetMatches", code="NotImplementedByEmulator", status=501)
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

    emu = Emulator()
    client = emu.client()
    with pytest.raises(ResourceNotFoundError) as missing:
        client.get_domain(domain_name="nope")
    assert (missing.value.code, missing.value.http_status, missing.value.retry_attempts) == (
        "ResourceNotFoundException", 404, 0)
    assert missing.value.request_id
    client.create_domain(domain_name="shop", default_expiration_days=1)
    with pytest.raises(BadRequestError):
        client.create_domain(domain_name="shop", default_expiration_days=1)
    emu.fail("GetMatches", code="NotImplementedByEmulator", status=501)
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
        backend.call("NoSuchOperation", {"DomainName": "shop"})
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



# ------------------------------------------------------------------- review: values and tokens


def plain() -> tuple[Emulator, Any]:
    """A fresh emulator with the domain "shop", and a plain boto3 client attached to it."""
    emu = Emulator(clock=Clock())
    client = emu.boto3_client()
    client.create_domain(DomainName="shop", DefaultExpirationDays=1)
    return emu, client


def test_huge_numbers_through_the_emulator_give_no_value_and_no_crash() -> None:
    _, client = plain()
    client.put_profile_object_type(
        DomainName="shop", ObjectTypeName="T", Description="d", AllowProfileCreation=True,
        Fields={"e": {"Source": "_source.e", "Target": "_profile.EmailAddress"},
                "amt": {"Source": "_source.amt", "Target": "_order.amt"}},
        Keys={"_email": [{"StandardIdentifiers": ["PROFILE"], "FieldNames": ["e"]}]})
    for statistic in ("MAXIMUM", "SUM"):
        client.create_calculated_attribute_definition(
            DomainName="shop", CalculatedAttributeName=statistic, Statistic=statistic, UseHistoricalData=True,
            AttributeDetails={"Attributes": [{"Name": "T.amt"}], "Expression": "{T.amt}"})
    for amount in ("1e5000", "1e100000000"):
        client.put_profile_object(DomainName="shop", ObjectTypeName="T", Object=json.dumps({"e": "a@x", "amt": amount}))
    [profile] = client.search_profiles(DomainName="shop", KeyName="_email", Values=["a@x"])["Items"]
    for statistic in ("MAXIMUM", "SUM"):
        answer = client.get_calculated_attribute_for_profile(DomainName="shop", ProfileId=profile["ProfileId"],
                                                             CalculatedAttributeName=statistic)
        assert "Value" not in answer


def test_a_lone_surrogate_in_a_unique_key_and_in_a_document() -> None:
    emu, client = plain()
    client.put_profile_object_type(
        DomainName="shop", ObjectTypeName="T", Description="d", AllowProfileCreation=True,
        Fields={"id": {"Source": "_source.id", "Target": "_profile.AccountNumber"}},
        Keys={"_id": [{"StandardIdentifiers": ["UNIQUE", "PROFILE"], "FieldNames": ["id"]}]})
    escaped = '{"id":"\\ud800"}'  # the JSON text is ASCII, its value a lone surrogate
    first = client.put_profile_object(DomainName="shop", ObjectTypeName="T", Object=escaped)
    again = client.put_profile_object(DomainName="shop", ObjectTypeName="T", Object=escaped)
    assert first["ProfileObjectUniqueKey"] == again["ProfileObjectUniqueKey"]
    stats = client.get_domain(DomainName="shop")["Stats"]
    assert (stats["ObjectCount"], stats["ProfileCount"]) == (1, 1)
    [profile] = client.batch_get_profile(DomainName="shop", ProfileIds=list(emu.backend._domains["shop"].profiles))[
        "Profiles"]
    assert profile["AccountNumber"] == "\ud800"
    # In the profile's JSON, the surrogate counts as its 3 UTF-8 bytes (not as the 6 of its escape).
    size = len(escaped) + len(json.dumps(profile, separators=(",", ":"))) - len("\\ud800") + 3
    assert stats["TotalSize"] == size


def crafted(token: str, offset_json: str) -> str:
    """``token`` with its offset replaced by the JSON text ``offset_json``."""
    decoded = json.loads(base64.urlsafe_b64decode(token))
    text = json.dumps({"o": "OFFSET", "s": decoded["s"]}).replace('"OFFSET"', offset_json)
    return base64.urlsafe_b64encode(text.encode()).decode()


@pytest.mark.parametrize("offset", ["Infinity", "-Infinity", "NaN", "1e400", "1.5", "2.0", "true", '"2"', "null",
                                    "-1", "[2]"])
def test_a_crafted_next_token_is_a_bad_request(offset: str) -> None:
    from customer_profiles_sdk.local import EmulatorError

    emu, client = plain()
    for index in range(3):
        client.create_profile(DomainName="shop", AccountNumber="a", FirstName=f"n{index}")
    params = {"DomainName": "shop", "KeyName": "_account", "Values": ["a"], "MaxResults": 1}
    token = emu.backend.call("SearchProfiles", params)["NextToken"]
    assert emu.backend.call("SearchProfiles", {**params, "NextToken": crafted(token, "2")})["Items"]
    with pytest.raises(EmulatorError) as caught:
        emu.backend.call("SearchProfiles", {**params, "NextToken": crafted(token, offset)})
    assert (caught.value.code, caught.value.status) == ("BadRequestException", 400)


@pytest.mark.parametrize("token", [
    base64.urlsafe_b64encode(b"\xff\xfe").decode(), base64.urlsafe_b64encode(b"[1, 2]").decode(),
    base64.urlsafe_b64encode(b'{"o": 1}').decode(), base64.urlsafe_b64encode(b"[" * 5000).decode()[:1024],
    "%%%%", "\u00e9t\u00e9",
])
def test_malformed_next_tokens_are_bad_requests(token: str) -> None:
    from customer_profiles_sdk.local import EmulatorError

    emu, _ = plain()
    with pytest.raises(EmulatorError) as caught:
        emu.backend.call("ListDomains", {"NextToken": token})
    assert (caught.value.code, caught.value.status) == ("BadRequestException", 400)


def test_next_tokens_reveal_nothing_of_the_query() -> None:
    import hashlib

    tokens = []
    emulators = []
    for _ in range(2):
        _, client = plain()
        for _ in range(2):
            client.create_profile(DomainName="shop", EmailAddress="ann@example.com")
        tokens.append(client.search_profiles(DomainName="shop", KeyName="_email", Values=["ann@example.com"],
                                             MaxResults=1)["NextToken"])
        emulators.append(client)
    # An unkeyed hash of the query would be the same for everyone, and could be checked against
    # guessed emails: the keyed one differs between emulators, and each refuses the other's token.
    assert tokens[0] != tokens[1]
    decoded = json.loads(base64.urlsafe_b64decode(tokens[0]))
    scope = json.dumps(["SearchProfiles", "shop", [["_email", ["ann@example.com"]]], True])
    assert hashlib.sha256(scope.encode()).hexdigest()[:16] not in decoded["s"]
    with pytest.raises(ClientError):
        emulators[0].search_profiles(DomainName="shop", KeyName="_email", Values=["ann@example.com"],
                                     MaxResults=1, NextToken=tokens[1])
    page = emulators[0].search_profiles(DomainName="shop", KeyName="_email", Values=["ann@example.com"],
                                        MaxResults=1, NextToken=tokens[0])
    assert len(page["Items"]) == 1 and "NextToken" not in page


@pytest.mark.parametrize("document", ['{"id": NaN}', '{"id": "o1", "total": Infinity}', '{"x": [-Infinity]}'])
def test_nan_and_infinity_in_an_object_are_refused(document: str) -> None:
    _, client = plain()
    client.put_profile_object_type(DomainName="shop", ObjectTypeName="Orders", Description="d",
                                   Fields=ORDERS_FIELDS, Keys=ORDERS_KEYS, AllowProfileCreation=True)
    with pytest.raises(ClientError) as caught:
        client.put_profile_object(DomainName="shop", ObjectTypeName="Orders", Object=document)
    assert caught.value.response["Error"]["Code"] == "BadRequestException"
    assert client.get_domain(DomainName="shop")["Stats"]["ObjectCount"] == 0


def test_nan_in_a_layout_is_refused() -> None:
    _, client = plain()
    base = dict(DomainName="shop", Description="d", DisplayName="M", LayoutType="PROFILE_EXPLORER")
    with pytest.raises(ClientError) as caught:
        client.create_domain_layout(LayoutDefinitionName="m", Layout='{"width": NaN}', **base)
    assert caught.value.response["Error"]["Code"] == "BadRequestException"
    client.create_domain_layout(LayoutDefinitionName="m", Layout=LAYOUT, **base)
    with pytest.raises(ClientError) as caught:
        client.update_domain_layout(DomainName="shop", LayoutDefinitionName="m", Layout='{"w": Infinity}')
    assert caught.value.response["Error"]["Code"] == "BadRequestException"
    assert client.get_domain_layout(DomainName="shop", LayoutDefinitionName="m")["Layout"] == LAYOUT


def test_state_reprs_show_no_data() -> None:
    from customer_profiles_sdk.local._calc import IngestedObject

    emu, client = plain()
    client.put_profile_object_type(DomainName="shop", ObjectTypeName="Orders", Description="d",
                                   Fields=ORDERS_FIELDS, Keys=ORDERS_KEYS, AllowProfileCreation=True)
    client.put_profile_object(DomainName="shop", ObjectTypeName="Orders",
                              Object=json.dumps({"id": CANARY, "email": f"{CANARY}@example.com", "first": CANARY}))
    client.create_profile(DomainName="shop", FirstName=CANARY, Attributes={CANARY: CANARY})
    domain_state = emu.backend._domains["shop"]
    [stored] = domain_state.objects.values()
    texts = [repr(domain_state), repr(stored), *map(repr, domain_state.profiles.values()),
             repr(IngestedObject("Orders", stored.source, stored.fields, stored.ingested_at))]
    assert all(CANARY not in text for text in texts), texts
    assert "shop" in texts[0] and stored.unique_key in texts[1]
    assert all(profile_id in text for profile_id, text in zip(domain_state.profiles, texts[2:4], strict=True))


# ------------------------------------------------------------- review: deleting an object type


def test_deleting_an_object_type_cleans_integrations_and_the_profile_fields_it_wrote(api: Api) -> None:
    domain(api)
    orders(api)
    api("PutProfileObjectType", DomainName="shop", ObjectTypeName="Crm", Description="crm", AllowProfileCreation=True,
        Fields={"Email": {"Source": "_source.email", "Target": "_profile.EmailAddress"},
                "Last": {"Source": "_source.last", "Target": "_profile.LastName"},
                "Code": {"Source": "_source.code", "Target": "_profile.Attributes.code"}},
        Keys={"_email": [{"StandardIdentifiers": ["PROFILE"], "FieldNames": ["Email"]}]})
    put_order(api, "o1", first="Ann", address={"city": "Paris"}, tier="gold")
    profile_id = only_profile(api)["ProfileId"]
    api("PutProfileObject", DomainName="shop", ObjectTypeName="Crm",
        Object=json.dumps({"email": "ann@example.com", "last": "Lee", "code": "c1"}))
    new_profile(api, FirstName="Bo", EmailAddress="bo@example.com")  # written directly: never scrubbed
    api("UpdateProfile", DomainName="shop", ProfileId=profile_id, Address={"PostalCode": "75001"},
        Attributes={"tier": "platinum"})  # a direct write of Attributes.tier: no longer the type's
    api("PutIntegration", DomainName="shop", Uri=URI + "1", ObjectTypeName="Orders")
    api("PutIntegration", DomainName="shop", Uri=URI + "2", ObjectTypeNames={"a": "Orders", "b": "Crm"})
    api("PutIntegration", DomainName="shop", Uri=URI + "3", ObjectTypeName="Crm")

    api("DeleteProfileObjectType", DomainName="shop", ObjectTypeName="Orders")

    profile = api("SearchProfiles", DomainName="shop", KeyName="_profileId", Values=[profile_id])["Items"][0]
    # FirstName and Address.City came from Orders only; EmailAddress was written by Crm last.
    assert {k: v for k, v in profile.items() if k != "ProfileId"} == {
        "EmailAddress": "ann@example.com", "LastName": "Lee", "Address": {"PostalCode": "75001"},
        "Attributes": {"tier": "platinum", "code": "c1"}}
    assert [p["FirstName"] for p in search(api, "_email", "bo@example.com")] == ["Bo"]
    integrations = api("ListIntegrations", DomainName="shop")["Items"]
    assert [(i["Uri"], i.get("ObjectTypeName"), i.get("ObjectTypeNames")) for i in integrations] == [
        (URI + "2", None, {"b": "Crm"}), (URI + "3", "Crm", None)]
    assert api.code("GetIntegration", DomainName="shop", Uri=URI + "1") == ("ResourceNotFoundException", 404)

    api("DeleteProfileObjectType", DomainName="shop", ObjectTypeName="Crm")
    profile = api("SearchProfiles", DomainName="shop", KeyName="_profileId", Values=[profile_id])["Items"][0]
    assert {k: v for k, v in profile.items() if k != "ProfileId"} == {
        "Address": {"PostalCode": "75001"}, "Attributes": {"tier": "platinum"}}
    # The key values that the objects put on the profile stay: it is still found by them.
    assert ids(search(api, "_email", "ann@example.com")) == [profile_id]
    assert api("ListIntegrations", DomainName="shop")["Items"] == []


# ------------------------------------------------------------ review: putting a type again


def test_putting_an_object_type_again_reindexes_its_objects(api: Api) -> None:
    domain(api)
    fields = {**ORDERS_FIELDS, "Ref": {"Source": "_source.ref", "Target": "_order.Ref"}}
    api("PutProfileObjectType", DomainName="shop", ObjectTypeName="Orders", Description="orders", Fields=fields,
        Keys=ORDERS_KEYS, AllowProfileCreation=True, Tags={"team": "a"})
    put_order(api, "o1", ref="r1", total=1)
    api.clock.advance(seconds=1)
    put_order(api, "o2", ref="r1", total=2)
    api.clock.advance(seconds=1)
    put_order(api, "o3", ref="r3", total=3)
    profile_id = only_profile(api)["ProfileId"]
    base = dict(DomainName="shop", ObjectTypeName="Orders", ProfileId=profile_id)
    assert len(api("ListProfileObjects", **base)["Items"]) == 3

    keys = {"_ref": [{"StandardIdentifiers": ["UNIQUE"], "FieldNames": ["Ref"]}],
            "_email": [{"StandardIdentifiers": ["PROFILE"], "FieldNames": ["Email"]}]}
    again = api("PutProfileObjectType", DomainName="shop", ObjectTypeName="Orders", Description="v2", Fields=fields,
                Keys=keys, AllowProfileCreation=True)
    assert again["Tags"] == {"team": "a"}  # kept when not given again
    arn = api.emulator.backend.resource_arn("shop", "object-types", "Orders")
    assert api("ListTagsForResource", resourceArn=arn)["tags"] == {"team": "a"}
    # o1 and o2 now share the unique key r1: the later one, o2, stays. The objects keep their profile.
    items = api("ListProfileObjects", **base)["Items"]
    assert [json.loads(item["Object"])["id"] for item in items] == ["o2", "o3"]
    filtered = api("ListProfileObjects", **base, ObjectFilter={"KeyName": "_ref", "Values": ["r3"]})["Items"]
    assert [json.loads(item["Object"])["id"] for item in filtered] == ["o3"]
    # Sending a document again replaces its object, by the new unique key.
    assert put_order(api, "o3", ref="r3", total=30) == filtered[0]["ProfileObjectUniqueKey"]
    assert api("GetDomain", DomainName="shop")["Stats"]["ObjectCount"] == 2
    # The calculated attributes read the fields derived again.
    api("PutProfileObjectType", DomainName="shop", ObjectTypeName="Orders", Description="v3", Keys=keys,
        AllowProfileCreation=True,
        Fields={**fields, "Total": {"Source": "_source.ref", "Target": "_order.Total"}})
    spend(api, "refs", "RECENT_OCCURRENCES")
    assert api("GetCalculatedAttributeForProfile", DomainName="shop", ProfileId=profile_id,
               CalculatedAttributeName="refs")["Value"] == '["r3","r1"]'
    api("PutProfileObjectType", DomainName="shop", ObjectTypeName="Orders", Description="v4", Fields=fields,
        Keys=keys, Tags={"team": "b"})
    assert api("ListTagsForResource", resourceArn=arn)["tags"] == {"team": "b"}


def test_a_template_id_with_the_members_it_defines_is_refused() -> None:
    _, client = plain()
    extras: list[dict[str, Any]] = [
        {"Fields": ORDERS_FIELDS}, {"Keys": ORDERS_KEYS}, {"AllowProfileCreation": False},
        {"SourceLastUpdatedTimestampFormat": "EPOCHMILLI"}, {"Fields": ORDERS_FIELDS, "AllowProfileCreation": True},
    ]
    for extra in extras:
        with pytest.raises(ClientError) as caught:
            client.put_profile_object_type(DomainName="shop", ObjectTypeName="C", Description="d",
                                           TemplateId="Shopify-Customer", **extra)
        error = caught.value.response["Error"]
        assert error["Code"] == "BadRequestException"
        assert all(member in error["Message"] for member in extra) and "TemplateId" in error["Message"]
    assert client.list_profile_object_types(DomainName="shop")["Items"] == []
    put = client.put_profile_object_type(DomainName="shop", ObjectTypeName="C", Description="d",
                                         TemplateId="Shopify-Customer", ExpirationDays=5)
    assert (put["ExpirationDays"], put["AllowProfileCreation"]) == (5, True)


# ------------------------------------------------------------------ review: key identifiers


def key_type(api: Api, keys: dict[str, list[str]], allow_creation: bool = True) -> None:
    """Object type "K": fields email, phone and code, with the given key name -> identifiers (on
    the field of the same name: _email -> email)."""
    fields = {name: {"Source": f"_source.{name}", "Target": f"_order.{name}"} for name in ("email", "phone", "code")}
    fields["email"]["Target"] = "_profile.EmailAddress"
    api("PutProfileObjectType", DomainName="shop", ObjectTypeName="K", Description="d", Fields=fields,
        AllowProfileCreation=allow_creation,
        Keys={name: [{"StandardIdentifiers": ids, "FieldNames": [name[1:]]}] for name, ids in keys.items()})


def put_k(api: Api, **document: str) -> None:
    api("PutProfileObject", DomainName="shop", ObjectTypeName="K", Object=json.dumps(document))


def ids(found: list[dict[str, Any]]) -> list[str]:
    return [profile["ProfileId"] for profile in found]


@pytest.mark.parametrize("identifier", ["LOYALTY", "DEVICE", "WEB_ANALYTICS", "COMMUNICATION_RECORD", "AIR_BOOKING",
                                        "HOTEL_RESERVATION", "LOYALTY_TRANSACTION", "ASSET", "ORDER", "SECONDARY"])
def test_keys_of_every_standard_identifier_make_the_profile_searchable(identifier: str) -> None:
    emu, client = plain()
    api = Api(emu, "boto3", Clock(), None, client)
    key_type(api, {"_email": ["PROFILE"], "_code": [identifier]})
    put_k(api, email="ann@example.com", code="C-1")
    assert len(search(api, "_code", "C-1")) == 1


def test_keys_that_are_not_kept_on_the_profile(api: Api) -> None:
    domain(api)
    key_type(api, {"_email": ["PROFILE"], "_code": ["UNIQUE"], "_phone": ["LOOKUP_ONLY", "PROFILE"]})
    put_k(api, email="ann@example.com", code="C-1", phone="+1555")
    assert len(search(api, "_email", "ann@example.com")) == 1
    assert search(api, "_code", "C-1") == [] and search(api, "_phone", "+1555") == []
    api("PutProfileObjectType", DomainName="shop", ObjectTypeName="U", Description="d", AllowProfileCreation=True,
        Fields={"code": {"Source": "_source.code", "Target": "_order.code"}},
        Keys={"_code": [{"StandardIdentifiers": ["UNIQUE", "ORDER"], "FieldNames": ["code"]}]})
    api("PutProfileObject", DomainName="shop", ObjectTypeName="U", Object='{"code": "C-2"}')
    assert len(search(api, "_code", "C-2")) == 1  # UNIQUE with another identifier is kept


def test_new_only_keys_are_kept_on_new_profiles_and_match_existing_ones(api: Api) -> None:
    domain(api)
    existing = new_profile(api, EmailAddress="bo@example.com")
    key_type(api, {"_email": ["PROFILE"], "_code": ["PROFILE", "NEW_ONLY"]})
    put_k(api, email="ann@example.com", code="NEW-1")  # creates a profile: its NEW_ONLY value is kept
    [ann] = search(api, "_code", "NEW-1")
    assert ann["EmailAddress"] == "ann@example.com" and ann["ProfileId"] != existing
    put_k(api, email="bo@example.com", code="NEW-2")  # matched an existing profile: not kept
    assert search(api, "_code", "NEW-2") == []
    put_k(api, code="NEW-1")  # the kept value still finds its profile
    listed = api("ListProfileObjects", DomainName="shop", ObjectTypeName="K", ProfileId=ann["ProfileId"])["Items"]
    assert len(listed) == 2
    assert api("GetDomain", DomainName="shop")["Stats"]["ProfileCount"] == 2


def test_a_secondary_only_key_matches_after_the_profile_keys(api: Api) -> None:
    domain(api)
    by_phone = new_profile(api, PhoneNumber="+15550001")
    by_email = new_profile(api, EmailAddress="ann@example.com")
    key_type(api, {"_email": ["PROFILE"], "_phone": ["SECONDARY"]}, allow_creation=False)
    put_k(api, email="nobody@example.com", phone="+15550001")  # only the SECONDARY key finds a profile
    put_k(api, email="ann@example.com", phone="+15550001")  # the PROFILE key wins
    listed = {profile_id: len(api("ListProfileObjects", DomainName="shop", ObjectTypeName="K",
                                  ProfileId=profile_id)["Items"]) for profile_id in (by_phone, by_email)}
    assert listed == {by_phone: 1, by_email: 1}
    assert api("GetDomain", DomainName="shop")["Stats"]["ProfileCount"] == 2


def test_the_first_key_definition_with_a_value_gives_the_key_its_value(api: Api) -> None:
    domain(api)
    api("PutProfileObjectType", DomainName="shop", ObjectTypeName="K", Description="d", AllowProfileCreation=True,
        Fields={"work": {"Source": "_source.work", "Target": "_order.work"},
                "home": {"Source": "_source.home", "Target": "_order.home"}},
        Keys={"_email": [{"StandardIdentifiers": ["PROFILE"], "FieldNames": ["work"]},
                         {"StandardIdentifiers": ["PROFILE"], "FieldNames": ["home"]}]})
    put_k(api, work="w@example.com", home="h@example.com")
    assert len(search(api, "_email", "w@example.com")) == 1
    assert search(api, "_email", "h@example.com") == []
    put_k(api, home="h2@example.com")  # no work address: the second definition gives the value
    assert len(search(api, "_email", "h2@example.com")) == 1
    assert api("GetDomain", DomainName="shop")["Stats"]["ProfileCount"] == 2


def test_a_put_again_keeps_the_objects_profile_when_no_key_matches(api: Api) -> None:
    domain(api)
    orders(api)
    key = put_order(api, "o1", "ann@example.com", total=1)
    ann = only_profile(api)["ProfileId"]
    assert put_order(api, "o1", "new-address@example.com", total=2) == key  # matches no profile
    assert api("GetDomain", DomainName="shop")["Stats"]["ProfileCount"] == 1
    [item] = api("ListProfileObjects", DomainName="shop", ObjectTypeName="Orders", ProfileId=ann)["Items"]
    assert json.loads(item["Object"])["total"] == 2
    assert ids(search(api, "_email", "new-address@example.com")) == [ann]


# --------------------------------------------------------------- review: profiles and stats


def test_add_profile_key_keeps_each_value_once(api: Api) -> None:
    domain(api)
    profile_id = new_profile(api, FirstName="Ann")
    api("AddProfileKey", DomainName="shop", ProfileId=profile_id, KeyName="_k", Values=["a", "b", "a"])
    api("AddProfileKey", DomainName="shop", ProfileId=profile_id, KeyName="_k", Values=["b", "c"])
    assert api.emulator.backend._domains["shop"].profiles[profile_id].keys == {"_k": ["a", "b", "c"]}
    api("DeleteProfileKey", DomainName="shop", ProfileId=profile_id, KeyName="_k", Values=["a"])
    assert search(api, "_k", "a") == [] and ids(search(api, "_k", "b")) == [profile_id]


def test_update_profile_replaces_engagement_preferences_whole(api: Api) -> None:
    domain(api)
    phone = [{"KeyName": "_phone", "KeyValue": "+15550001", "ContactType": "PhoneNumber"}]
    email = [{"KeyName": "_email", "KeyValue": "ann@example.com", "ContactType": "EmailAddress"}]
    profile_id = new_profile(api, FirstName="Ann", EngagementPreferences={"Phone": phone, "Email": email})
    other = [{"KeyName": "_email", "KeyValue": "new@example.com", "ContactType": "EmailAddress"}]
    api("UpdateProfile", DomainName="shop", ProfileId=profile_id, EngagementPreferences={"Email": other})
    assert only_profile(api)["EngagementPreferences"] == {"Email": other}  # Phone is gone


def test_total_size_is_documents_plus_profiles_json() -> None:
    _, client = plain()
    client.put_profile_object_type(DomainName="shop", ObjectTypeName="Orders", Description="d",
                                   Fields=ORDERS_FIELDS, Keys=ORDERS_KEYS, AllowProfileCreation=True)
    document = json.dumps({"id": "o1", "email": "zoë@example.com"}, ensure_ascii=False)
    client.put_profile_object(DomainName="shop", ObjectTypeName="Orders", Object=document)
    created = client.create_profile(DomainName="shop", FirstName="Zoë", Attributes={"a": "b"})["ProfileId"]
    [found] = client.search_profiles(DomainName="shop", KeyName="_email", Values=["zoë@example.com"])["Items"]
    profiles = [{"ProfileId": found["ProfileId"], "EmailAddress": "zoë@example.com"},
                {"ProfileId": created, "FirstName": "Zoë", "Attributes": {"a": "b"}}]
    expected = len(document.encode()) + sum(
        len(json.dumps(p, separators=(",", ":"), ensure_ascii=False).encode()) for p in profiles)
    assert client.get_domain(DomainName="shop")["Stats"]["TotalSize"] == expected
    assert client.get_domain(DomainName="shop")["Stats"]["ObjectCount"] == 1


def test_max_available_profile_object_count_follows_max_profile_object_count(api: Api) -> None:
    domain(api)
    put = api("PutProfileObjectType", DomainName="shop", ObjectTypeName="Orders", Description="d",
              Fields=ORDERS_FIELDS, MaxProfileObjectCount=7)
    assert (put["MaxProfileObjectCount"], put["MaxAvailableProfileObjectCount"]) == (7, 7)
    got = api("GetProfileObjectType", DomainName="shop", ObjectTypeName="Orders")
    assert (got["MaxProfileObjectCount"], got["MaxAvailableProfileObjectCount"]) == (7, 7)
    again = api("PutProfileObjectType", DomainName="shop", ObjectTypeName="Orders", Description="d",
                Fields=ORDERS_FIELDS)
    assert "MaxProfileObjectCount" not in again and "MaxAvailableProfileObjectCount" not in again


def test_update_domain_layout_keeps_created_at(api: Api) -> None:
    domain(api)
    api("CreateDomainLayout", DomainName="shop", LayoutDefinitionName="m", Description="d", DisplayName="M",
        LayoutType="PROFILE_EXPLORER", Layout=LAYOUT)
    api.clock.advance(hours=2)
    updated = api("UpdateDomainLayout", DomainName="shop", LayoutDefinitionName="m", DisplayName="N")
    assert (updated["CreatedAt"], updated["LastUpdatedAt"]) == (START, START + timedelta(hours=2))
    assert api("GetDomainLayout", DomainName="shop", LayoutDefinitionName="m")["CreatedAt"] == START


# ------------------------------------------------------------------- review: the search index


def brute_force_index(state: Any) -> dict[str, dict[str, set[str]]]:
    """The index as a scan of every profile computes it."""
    index: dict[str, dict[str, set[str]]] = {}
    for profile in state.profiles.values():
        for key in ("_profileId", "_fullName", "_email", "_phone", "_account", *profile.keys):
            for value in profile.values(key):
                index.setdefault(key, {}).setdefault(value, set()).add(profile.profile_id)
    return index


def test_the_search_index_follows_every_change() -> None:
    """Random operations of every kind that changes a profile; after each, the index is what a
    scan of every profile gives, and a search answers what a scan answers, in creation order."""
    import random

    from customer_profiles_sdk.local import EmulatorError

    rng = random.Random(20240517)
    emu = Emulator(seed=1)
    call = emu.backend.call
    call("CreateDomain", {"DomainName": "shop", "DefaultExpirationDays": 1})
    fields = {"Id": {"Source": "_source.id", "Target": "_order.Id"},
              "Email": {"Source": "_source.email", "Target": "_profile.EmailAddress"},
              "Name": {"Source": "_source.name", "Target": "_profile.FirstName"},
              "Card": {"Source": "_source.card", "Target": "_order.Card"}}
    keys = {"_id": [{"StandardIdentifiers": ["UNIQUE"], "FieldNames": ["Id"]}],
            "_email": [{"StandardIdentifiers": ["PROFILE"], "FieldNames": ["Email"]}],
            "_card": [{"StandardIdentifiers": ["LOYALTY", "SECONDARY"], "FieldNames": ["Card"]}]}
    emails = [f"p{i}@example.com" for i in range(6)]
    names = ["Ann", "Bo", "Cy"]
    state = emu.backend._domains["shop"]

    def any_profile() -> str:
        return rng.choice(list(state.profiles) or ["0" * 32])

    operations: list[Callable[[], Any]] = [
        lambda: call("CreateProfile", {"DomainName": "shop", "EmailAddress": rng.choice(emails),
                                       "FirstName": rng.choice(names), "AccountNumber": rng.choice("abc")}),
        lambda: call("UpdateProfile", {"DomainName": "shop", "ProfileId": any_profile(),
                                       "EmailAddress": rng.choice([*emails, ""]), "LastName": rng.choice(names)}),
        lambda: call("DeleteProfile", {"DomainName": "shop", "ProfileId": any_profile()}),
        lambda: call("AddProfileKey", {"DomainName": "shop", "ProfileId": any_profile(), "KeyName": "_email",
                                       "Values": [rng.choice(emails)]}),
        lambda: call("DeleteProfileKey", {"DomainName": "shop", "ProfileId": any_profile(), "KeyName": "_email",
                                          "Values": [rng.choice(emails)]}),
        lambda: call("PutProfileObject", {"DomainName": "shop", "ObjectTypeName": "Orders", "Object": json.dumps(
            {"id": rng.choice("xyz"), "email": rng.choice(emails), "name": rng.choice(names),
             "card": rng.choice(["c1", "c2"])})}),
        lambda: call("PutProfileObjectType", {"DomainName": "shop", "ObjectTypeName": "Orders", "Description": "d",
                                              "AllowProfileCreation": rng.random() < 0.8, "Fields": fields,
                                              "Keys": keys}),
        lambda: call("DeleteProfileObjectType", {"DomainName": "shop", "ObjectTypeName": "Orders"}),
    ]
    weights = [4, 3, 1, 3, 2, 8, 1, 1]
    for _ in range(600):
        try:
            rng.choices(operations, weights)[0]()
        except EmulatorError:
            pass  # a profile or object type that is not there: nothing changed
        assert state.index == brute_force_index(state)
    assert len(state.profiles) > 5
    scan = {email: [p.profile_id for p in state.profiles.values() if email in p.values("_email")]
            for email in emails}
    for email, expected in scan.items():
        found = call("SearchProfiles", {"DomainName": "shop", "KeyName": "_email", "Values": [email],
                                        "MaxResults": 100})["Items"]
        assert [p["ProfileId"] for p in found] == expected


# ------------------------------------------------------------------------ review: the lock


def test_the_backend_lock_prevents_lost_updates() -> None:
    """A handler that reads, yields to other threads, then writes: without the lock in
    Backend.call, concurrent calls would overwrite each other's updates."""
    import threading
    import time

    emu = Emulator()
    emu.backend.call("CreateDomain", {"DomainName": "shop", "DefaultExpirationDays": 1})
    record = emu.backend._domains["shop"].record

    def increment(params: dict[str, Any]) -> dict[str, Any]:
        value = record["DefaultExpirationDays"]
        time.sleep(0.0005)  # another thread runs here
        record["DefaultExpirationDays"] = value + 1
        return {}

    emu.backend._handlers["UpdateDomain"] = increment
    barrier = threading.Barrier(8)

    def work() -> None:
        barrier.wait()
        for _ in range(25):
            emu.backend.call("UpdateDomain", {"DomainName": "shop"})

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert record["DefaultExpirationDays"] == 1 + 8 * 25
