"""The emulator's attribute statistics and values (object types and profiles) and
DetectProfileObjectType, through the SDK client and through plain boto3 over HTTP."""

from __future__ import annotations

import json
import statistics
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from customer_profiles_sdk.errors import BadRequestError, ResourceNotFoundError
from customer_profiles_sdk.local import Emulator

from .localserver import shipped_client

CANARY = "canary-93kq"
ORDERS = {
    "DomainName": "d", "ObjectTypeName": "Orders", "Description": "orders", "AllowProfileCreation": True,
    "Fields": {
        "order_id": {"Source": "_source.id"}, "total": {"Source": "_source.total"},
        "status": {"Source": "_source.status"}, "email": {"Source": "_source.email", "Target": "_profile.EmailAddress"},
        "unused": {"Source": "_source.nothing"},
    },
    "Keys": {"_email": [{"StandardIdentifiers": ["PROFILE"], "FieldNames": ["email"]}],
             "order": [{"StandardIdentifiers": ["UNIQUE"], "FieldNames": ["order_id"]}]},
}
ORDER_ROWS = [("o1", 10, "open"), ("o2", "2.5", "closed"), ("o3", 7, "open"), ("o4", 10, "open"), ("o5", -1, "void")]


@pytest.fixture
def emu() -> Iterator[Emulator]:
    emulator = Emulator()
    backend = emulator.backend
    backend.call("CreateDomain", {"DomainName": "d", "DefaultExpirationDays": 30, "DataStore": {"Enabled": True}})
    backend.call("PutProfileObjectType", ORDERS)
    for number, (order_id, total, status) in enumerate(ORDER_ROWS):
        emulator.advance(60)
        document = {"id": order_id, "total": total, "status": status, "email": f"u{number % 2}@example.com"}
        backend.call("PutProfileObject", {"DomainName": "d", "ObjectTypeName": "Orders",
                                          "Object": json.dumps(document)})
    yield emulator


@pytest.fixture
def raw(emu: Emulator) -> Iterator[Any]:
    with emu.serve() as server:
        yield shipped_client(f"http://127.0.0.1:{server.port}")


def code(error: ClientError) -> str:
    return str(error.response["Error"]["Code"])


# ----------------------------------------------------------------------------------- statistics


def test_statistics_over_the_stored_objects_through_the_sdk(emu: Emulator) -> None:
    answer = emu.client().get_object_type_attribute_statistics(domain_name="d", object_type_name="Orders",
                                                               attribute_name="total")
    numbers = [10.0, 2.5, 7.0, 10.0, -1.0]
    stats = answer.statistics
    assert stats is not None and stats.percentiles is not None
    assert (stats.minimum, stats.maximum) == (-1.0, 10.0)
    assert stats.average == pytest.approx(statistics.fmean(numbers))
    assert stats.standard_deviation == pytest.approx(statistics.pstdev(numbers))
    # Linear interpolation between ranks over [-1, 2.5, 7, 10, 10].
    assert stats.percentiles.p5 == pytest.approx(-0.3)
    assert (stats.percentiles.p25, stats.percentiles.p50, stats.percentiles.p75, stats.percentiles.p95) == (
        2.5, 7.0, 10.0, 10.0)
    assert answer.calculated_at is not None


def test_statistics_follow_new_objects_and_a_re_put(emu: Emulator, raw: Any) -> None:
    raw.put_profile_object(DomainName="d", ObjectTypeName="Orders", Object=json.dumps({"id": "o5", "total": 100}))
    stats = raw.get_object_type_attribute_statistics(DomainName="d", ObjectTypeName="Orders",
                                                     AttributeName="total")["Statistics"]
    assert (stats["Minimum"], stats["Maximum"]) == (2.5, 100.0)  # o5's -1 was replaced


def test_statistics_of_text_attributes_are_null(emu: Emulator, raw: Any) -> None:
    answer = raw.get_object_type_attribute_statistics(DomainName="d", ObjectTypeName="Orders", AttributeName="status")
    assert answer["Statistics"] == {} and "CalculatedAt" in answer


def test_statistics_errors(emu: Emulator, raw: Any) -> None:
    with pytest.raises(ClientError) as no_attribute:
        raw.get_object_type_attribute_statistics(DomainName="d", ObjectTypeName="Orders", AttributeName=CANARY)
    assert code(no_attribute.value) == "ResourceNotFoundException"
    assert CANARY not in no_attribute.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as no_type:
        raw.get_object_type_attribute_statistics(DomainName="d", ObjectTypeName="Nope", AttributeName="total")
    assert code(no_type.value) == "ResourceNotFoundException"
    raw.create_domain(DomainName="plain", DefaultExpirationDays=1)
    with pytest.raises(ClientError) as no_store:
        raw.get_object_type_attribute_statistics(DomainName="plain", ObjectTypeName="Orders", AttributeName="total")
    assert code(no_store.value) == "BadRequestException"


# --------------------------------------------------------------------------- object type attributes


def test_attribute_values_are_distinct_most_recent_first(emu: Emulator, raw: Any) -> None:
    items = raw.list_object_type_attribute_values(DomainName="d", ObjectTypeName="Orders",
                                                  AttributeName="status")["Items"]
    assert [i["Value"] for i in items] == ["void", "open", "closed"]
    times = {i["Value"]: i["LastUpdatedAt"] for i in items}
    assert times["void"] > times["open"] > times["closed"]
    totals = raw.list_object_type_attribute_values(DomainName="d", ObjectTypeName="Orders",
                                                   AttributeName="total")["Items"]
    assert [i["Value"] for i in totals] == ["-1", "10", "7", "2.5"]


def test_attribute_values_page_through_the_sdk(emu: Emulator) -> None:
    client = emu.client()
    first = client.list_object_type_attribute_values(domain_name="d", object_type_name="Orders",
                                                     attribute_name="order_id", max_results=3)
    assert first.next_token is not None
    rest = client.list_object_type_attribute_values(domain_name="d", object_type_name="Orders",
                                                    attribute_name="order_id", max_results=3,
                                                    next_token=first.next_token)
    values = [i.value for i in (first.items or []) + (rest.items or [])]
    assert values == ["o5", "o4", "o3", "o2", "o1"] and rest.next_token is None
    with pytest.raises(ResourceNotFoundError):
        client.list_object_type_attribute_values(domain_name="d", object_type_name="Orders", attribute_name="zz")


def test_list_attributes_of_an_object_type(emu: Emulator, raw: Any) -> None:
    items = raw.list_object_type_attributes(DomainName="d", ObjectTypeName="Orders")["Items"]
    assert [i["AttributeName"] for i in items] == ["email", "order_id", "status", "total", "unused"]
    when = {i["AttributeName"]: i["LastUpdatedAt"] for i in items}
    assert when["total"] > when["unused"]  # the last object with a total came after the type was put
    page = raw.list_object_type_attributes(DomainName="d", ObjectTypeName="Orders", MaxResults=4)
    rest = raw.list_object_type_attributes(DomainName="d", ObjectTypeName="Orders", NextToken=page["NextToken"],
                                           MaxResults=4)
    assert [i["AttributeName"] for i in rest["Items"]] == ["unused"]
    with pytest.raises(ClientError) as missing:
        raw.list_object_type_attributes(DomainName="d", ObjectTypeName="Nope")
    assert code(missing.value) == "ResourceNotFoundException"


def test_domain_object_type_attributes_have_no_values(emu: Emulator, raw: Any) -> None:
    raw.put_domain_object_type(DomainName="d", ObjectTypeName="Docs",
                               Fields={"Title": {"Source": "_source.title", "Target": "_doc.Title"}})
    items = raw.list_object_type_attributes(DomainName="d", ObjectTypeName="Docs")["Items"]
    assert [i["AttributeName"] for i in items] == ["Title"]
    assert raw.list_object_type_attribute_values(DomainName="d", ObjectTypeName="Docs",
                                                 AttributeName="Title")["Items"] == []
    assert raw.get_object_type_attribute_statistics(DomainName="d", ObjectTypeName="Docs",
                                                    AttributeName="Title")["Statistics"] == {}


# ---------------------------------------------------------------------------- profile attributes


def test_profile_attribute_values_through_the_sdk_and_http(emu: Emulator, raw: Any) -> None:
    client = emu.client()
    for first, city, tier in (("Bo", "Oslo", "gold"), ("Al", "Rome", "gold"), ("Bo", "Oslo", None), ("Cy", None, "x")):
        extra: dict[str, Any] = {"address": {"city": city}} if city else {}
        if tier:
            extra["attributes"] = {"tier": tier}
        client.create_profile(domain_name="d", first_name=first, **extra)
    names = client.list_profile_attribute_values(domain_name="d", attribute_name="FirstName")
    assert names.domain_name == "d" and names.attribute_name == "FirstName"
    assert [i.value for i in names.items or []] == ["Bo", "Al", "Cy"]  # the most frequent first
    cities = raw.list_profile_attribute_values(DomainName="d", AttributeName="Address.City")
    assert [i["Value"] for i in cities["Items"]] == ["Oslo", "Rome"]
    assert cities["StatusCode"] == 200 and cities["ResponseMetadata"]["HTTPStatusCode"] == 200
    tiers = raw.list_profile_attribute_values(DomainName="d", AttributeName="Attributes.tier")["Items"]
    assert [i["Value"] for i in tiers] == ["gold", "x"]
    emails = raw.list_profile_attribute_values(DomainName="d", AttributeName="EmailAddress")["Items"]
    assert [i["Value"] for i in emails] == ["u0@example.com", "u1@example.com"]  # from the objects' fields


@pytest.mark.parametrize("name", [CANARY, "Address", "Address.Nowhere", "ProfileId", "Attributes", "FirstName.x"])
def test_profile_attribute_names_must_name_a_profile_attribute(emu: Emulator, name: str) -> None:
    with pytest.raises(BadRequestError) as refused:
        emu.client().list_profile_attribute_values(domain_name="d", attribute_name=name)
    assert "AttributeName" in str(refused.value) and CANARY not in str(refused.value)


def test_profile_attribute_values_of_a_missing_domain(emu: Emulator) -> None:
    with pytest.raises(ResourceNotFoundError):
        emu.client().list_profile_attribute_values(domain_name="zz", attribute_name="FirstName")


# ------------------------------------------------------------------------------------- detection


SAMPLES = [
    {"id": "a-1", "email": "ann@example.com", "phone": "+1 555 010 1234", "first_name": "Ann", "surname": "Lee",
     "address": {"city": "Oslo", "zip": "0150"}, "total": 12.5, "tags": ["x"], "updatedAt": "2024-01-02T03:04:05Z"},
    {"id": "a-2", "email": "bob@example.com", "total": 3, "note": "hello", "updatedAt": "2024-01-03T03:04:05Z"},
]


def test_detect_infers_fields_targets_and_keys_through_the_sdk(emu: Emulator) -> None:
    answer = emu.client().detect_profile_object_type(domain_name="d", objects=[json.dumps(s) for s in SAMPLES])
    [detected] = answer.detected_profile_object_types or []
    fields = detected.fields or {}
    assert list(fields) == ["id", "email", "phone", "first_name", "surname", "address_city", "address_zip", "total",
                            "updatedAt", "note"]
    kinds = {name: (spec.source, spec.content_type, spec.target) for name, spec in fields.items()}
    assert kinds["email"] == ("_source.email", "EMAIL_ADDRESS", "_profile.EmailAddress")
    assert kinds["phone"] == ("_source.phone", "PHONE_NUMBER", "_profile.PhoneNumber")
    assert kinds["first_name"] == ("_source.first_name", "NAME", "_profile.FirstName")
    assert kinds["surname"] == ("_source.surname", "NAME", "_profile.LastName")
    assert kinds["address_city"] == ("_source.address.city", "STRING", "_profile.Address.City")
    assert kinds["address_zip"][2] == "_profile.Address.PostalCode"
    assert kinds["total"] == ("_source.total", "NUMBER", None)
    assert kinds["note"] == ("_source.note", "STRING", None)
    keys = {name: [(k.standard_identifiers, k.field_names) for k in key] for name, key in (detected.keys or {}).items()}
    assert keys == {"_email": [(["PROFILE"], ["email"])], "_phone": [(["PROFILE"], ["phone"])],
                    "id": [(["UNIQUE"], ["id"])]}
    assert detected.source_last_updated_timestamp_format == "yyyy-MM-dd'T'HH:mm:ss'Z'"


def test_detected_type_can_be_put_and_ingests_the_samples(emu: Emulator, raw: Any) -> None:
    detected = raw.detect_profile_object_type(DomainName="d", Objects=[json.dumps(s) for s in SAMPLES])
    found = detected["DetectedProfileObjectTypes"][0]
    raw.put_profile_object_type(DomainName="d", ObjectTypeName="Detected", Description="detected",
                                AllowProfileCreation=True, Fields=found["Fields"], Keys=found["Keys"])
    raw.put_profile_object(DomainName="d", ObjectTypeName="Detected", Object=json.dumps(SAMPLES[0]))
    hits = raw.search_profiles(DomainName="d", KeyName="_email", Values=["ann@example.com"])["Items"]
    assert [(p["FirstName"], p["LastName"], p["Address"]["City"]) for p in hits] == [("Ann", "Lee", "Oslo")]


def test_detection_is_deterministic_and_keys_need_distinct_ids(emu: Emulator, raw: Any) -> None:
    objects = [json.dumps({"id": "same", "customer_email": "c@example.org", "mobile": "5550101234"})] * 2
    first = raw.detect_profile_object_type(DomainName="d", Objects=objects)["DetectedProfileObjectTypes"]
    assert first == raw.detect_profile_object_type(DomainName="d", Objects=objects)["DetectedProfileObjectTypes"]
    fields, keys = first[0]["Fields"], first[0]["Keys"]
    assert fields["customer_email"]["Target"] == "_profile.EmailAddress"  # by its content
    assert fields["mobile"]["Target"] == "_profile.MobilePhoneNumber"  # by its name
    assert "id" not in keys and set(keys) == {"_email"}


def test_detection_of_objects_without_fields_is_empty(emu: Emulator, raw: Any) -> None:
    answer = raw.detect_profile_object_type(DomainName="d", Objects=["{}", '{"list": [1, 2]}'])
    assert answer["DetectedProfileObjectTypes"] == []


@pytest.mark.parametrize(("objects", "rule"), [
    (['{"a": 1}', f'{{"a": "{CANARY}"'], "Objects[1] is not valid JSON"),
    ([f'["{CANARY}"]'], "Objects[0] must be a JSON object"),
    ([f'"{CANARY}"'], "Objects[0] must be a JSON object"),
])
def test_detection_errors_name_the_sample_never_its_content(emu: Emulator, raw: Any, objects: list[str],
                                                            rule: str) -> None:
    with pytest.raises(ClientError) as refused:
        raw.detect_profile_object_type(DomainName="d", Objects=objects)
    message = refused.value.response["Error"]["Message"]
    assert code(refused.value) == "BadRequestException" and rule in message and CANARY not in message


def test_detection_limits_come_from_the_model(emu: Emulator, raw: Any) -> None:
    with pytest.raises(ClientError) as too_many:
        raw.detect_profile_object_type(DomainName="d", Objects=["{}"] * 6)
    assert code(too_many.value) == "BadRequestException"
    with pytest.raises(ClientError) as no_domain:
        raw.detect_profile_object_type(DomainName="zz", Objects=["{}"])
    assert code(no_domain.value) == "ResourceNotFoundException"


def test_detection_of_adversarial_values_finishes() -> None:
    """Long values shaped against naive email and phone patterns are classified in linear time."""
    emu = Emulator()
    emu.backend.call("CreateDomain", {"DomainName": "d", "DefaultExpirationDays": 1})
    hostile = [json.dumps({"email": "a@" + "." * 120_000 + "@", "phone": "1" * 120_000}),
               json.dumps({"email": "a@" + "a." * 60_000 + "!", "phone": "(" * 120_000}),
               json.dumps({f"k{i}": {"x": i} for i in range(5_000)})]
    outcome: list[Any] = []
    worker = threading.Thread(target=lambda: outcome.append(
        emu.backend.call("DetectProfileObjectType", {"DomainName": "d", "Objects": hostile})), daemon=True)
    worker.start()
    worker.join(60)
    assert outcome, "DetectProfileObjectType did not finish within 60 s"
    fields = outcome[0]["DetectedProfileObjectTypes"][0]["Fields"]
    assert fields["email"]["ContentType"] == "STRING" and fields["phone"]["ContentType"] == "STRING"
    assert len(fields) == 500  # MAX_FIELDS: the leaves beyond are left out
