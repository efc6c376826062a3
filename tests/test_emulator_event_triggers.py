"""The emulator's event triggers: definitions, evaluation on ingestion, limits on the emulator
clock, and what fired (Emulator.fired_triggers)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from customer_profiles_sdk.local import Emulator

from .localserver import shipped_client

FIELDS = {
    "OrderId": {"Source": "_source.id", "Target": "_order.OrderId"},
    "Email": {"Source": "_source.email", "Target": "_profile.EmailAddress"},
    "Total": {"Source": "_source.total", "Target": "_order.TotalPrice"},
}
KEYS = {
    "_orderId": [{"StandardIdentifiers": ["UNIQUE"], "FieldNames": ["OrderId"]}],
    "_email": [{"StandardIdentifiers": ["PROFILE"], "FieldNames": ["Email"]}],
}
CANARY = "canary-91ad2"
BIG_ORDER: list[Any] = [{"EventTriggerDimensions": [{"ObjectAttributes": [
    {"FieldName": "Total", "ComparisonOperator": "GREATER_THAN", "Values": ["100"]}]}], "LogicalOperator": "ALL"}]


def prepared(client: Any) -> Any:
    client.create_domain(DomainName="shop", DefaultExpirationDays=365)
    client.put_profile_object_type(DomainName="shop", ObjectTypeName="Orders", Description="d",
                                   AllowProfileCreation=True, Fields=FIELDS, Keys=KEYS)
    return client


def order(client: Any, n: int, total: Any, email: str = "ann@example.com", **extra: Any) -> None:
    client.put_profile_object(DomainName="shop", ObjectTypeName="Orders",
                              Object=json.dumps({"id": f"o{n}", "email": email, "total": total, **extra}))


def error_of(call: Any, **params: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as error:
        call(**params)
    return error.value.response["Error"]["Code"], error.value.response["Error"]["Message"]


def test_scenario_sdk_client_trigger_fires_within_its_limits() -> None:
    emu = Emulator()
    client = emu.client()
    prepared(client.boto3_client)
    created = client.create_event_trigger(
        domain_name="shop", event_trigger_name="big-order", object_type_name="Orders",
        description="orders over 100", event_trigger_conditions=BIG_ORDER,
        event_trigger_limits={"Periods": [{"Unit": "HOURS", "Value": 1, "MaxInvocationsPerProfile": 2}]},
        tags={"team": "crm"})
    assert created.event_trigger_name == "big-order" and created.created_at is not None
    boto = client.boto3_client
    order(boto, 1, 50)     # below: no
    order(boto, 2, 150)    # fires
    order(boto, 3, "250")  # fires (text numbers compare as numbers)
    order(boto, 4, 300)    # over the limit of 2 an hour
    order(boto, 5, 500, email="bob@example.com")  # another profile: its own count
    fired = emu.fired_triggers("shop")
    assert [f.trigger_name for f in fired] == ["big-order"] * 3
    assert len({f.profile_id for f in fired}) == 2 and {f.object_type_name for f in fired} == {"Orders"}
    assert CANARY not in repr(fired)
    emu.advance(3601)  # the period has passed
    order(boto, 6, 999)
    assert len(emu.fired_triggers("shop")) == 4
    assert emu.fired_triggers("shop")[-1].fired_at > fired[0].fired_at
    got = client.get_event_trigger(domain_name="shop", event_trigger_name="big-order")
    assert got.object_type_name == "Orders" and got.tags == {"team": "crm"}
    listed = client.list_event_triggers(domain_name="shop")
    assert [item.event_trigger_name for item in listed.items or []] == ["big-order"]
    client.delete_event_trigger(domain_name="shop", event_trigger_name="big-order")
    order(boto, 7, 999)
    assert len(emu.fired_triggers("shop")) == 4


def test_scenario_boto3_over_http() -> None:
    emu = Emulator()
    with emu.serve() as server:
        client = prepared(shipped_client(f"http://127.0.0.1:{server.port}"))
        client.create_event_trigger(DomainName="shop", EventTriggerName="vip", ObjectTypeName="Orders",
                                    EventTriggerConditions=[{"EventTriggerDimensions": [{"ObjectAttributes": [
                                        {"Source": "_source.tier", "ComparisonOperator": "INCLUSIVE",
                                         "Values": ["gold", "platinum"]}]}], "LogicalOperator": "ANY"}])
        order(client, 1, 10, tier="silver")
        order(client, 2, 10, tier="gold")
        client.update_event_trigger(DomainName="shop", EventTriggerName="vip", Description="updated",
                                    EventTriggerConditions=BIG_ORDER)
        order(client, 3, 10, tier="gold")
        order(client, 4, 101)
        assert client.get_event_trigger(DomainName="shop", EventTriggerName="vip")["Description"] == "updated"
        assert len(emu.fired_triggers("shop")) == 2
        assert client.delete_event_trigger(DomainName="shop", EventTriggerName="vip")["Message"]
        assert client.list_event_triggers(DomainName="shop")["Items"] == []


def test_operators() -> None:
    emu = Emulator()
    client = prepared(emu.boto3_client())
    cases = [
        ("INCLUSIVE", ["a", "b"], "b", True), ("INCLUSIVE", ["a"], "c", False),
        ("EXCLUSIVE", ["a"], "c", True), ("EXCLUSIVE", ["a"], "a", False),
        ("CONTAINS", ["ell"], "hello", True), ("BEGINS_WITH", ["he"], "hello", True),
        ("ENDS_WITH", ["lo"], "hello", True), ("ENDS_WITH", ["x"], "hello", False),
        ("EQUAL", ["5"], 5, True), ("LESS_THAN", ["5"], 4.5, True), ("LESS_THAN_OR_EQUAL", ["5"], 5, True),
        ("GREATER_THAN_OR_EQUAL", ["5"], 4, False), ("BETWEEN", ["1", "10"], 10, True),
        ("BETWEEN", ["1", "10"], 11, False), ("NOT_BETWEEN", ["1", "10"], 11, True),
        ("BEFORE", ["2024-01-01"], "2023-12-31T23:00:00Z", True), ("AFTER", ["2024-01-01"], "2023-06-01", False),
        ("ON", ["2024-01-01"], "2024-01-01T15:30:00Z", True), ("GREATER_THAN", ["5"], "not a number", False),
    ]
    for index, (operator, values, value, expected) in enumerate(cases):
        name = f"t{index}"
        client.create_event_trigger(DomainName="shop", EventTriggerName=name, ObjectTypeName="Orders",
                                    EventTriggerConditions=[{"EventTriggerDimensions": [{"ObjectAttributes": [
                                        {"Source": "_source.v", "ComparisonOperator": operator, "Values": values}]}],
                                        "LogicalOperator": "ALL"}])
        order(client, index, 1, v=value)
        fired = {f.trigger_name for f in emu.fired_triggers("shop")}
        assert (name in fired) is expected, (operator, values, value)
        client.delete_event_trigger(DomainName="shop", EventTriggerName=name)


def test_logical_operators_and_several_conditions() -> None:
    emu = Emulator()
    client = prepared(emu.boto3_client())
    small = {"ObjectAttributes": [{"FieldName": "Total", "ComparisonOperator": "LESS_THAN", "Values": ["10"]}]}
    gold = {"ObjectAttributes": [{"Source": "_source.tier", "ComparisonOperator": "INCLUSIVE", "Values": ["gold"]}]}
    for name, operator in (("all", "ALL"), ("any", "ANY"), ("none", "NONE")):
        client.create_event_trigger(DomainName="shop", EventTriggerName=name, ObjectTypeName="Orders",
                                    EventTriggerConditions=[{"EventTriggerDimensions": [small, gold],
                                                             "LogicalOperator": operator}])
    client.create_event_trigger(DomainName="shop", EventTriggerName="both", ObjectTypeName="Orders",
                                EventTriggerConditions=[{"EventTriggerDimensions": [small], "LogicalOperator": "ALL"},
                                                        {"EventTriggerDimensions": [gold], "LogicalOperator": "ALL"}])
    order(client, 1, 5, tier="silver")  # small only
    assert {f.trigger_name for f in emu.fired_triggers("shop")} == {"any"}
    order(client, 2, 5, tier="gold")  # small and gold
    assert [f.trigger_name for f in emu.fired_triggers("shop")][1:] == ["all", "any", "both"]
    order(client, 3, 50, tier="bronze")  # neither
    assert emu.fired_triggers("shop")[-1].trigger_name == "none"


def test_other_object_types_and_objects_without_a_profile_do_not_fire() -> None:
    emu = Emulator()
    client = prepared(emu.boto3_client())
    client.put_profile_object_type(DomainName="shop", ObjectTypeName="Returns", Description="d",
                                   AllowProfileCreation=False, Fields=FIELDS, Keys=KEYS)
    client.create_event_trigger(DomainName="shop", EventTriggerName="big", ObjectTypeName="Orders",
                                EventTriggerConditions=BIG_ORDER)
    client.put_profile_object(DomainName="shop", ObjectTypeName="Returns",
                              Object=json.dumps({"id": "r1", "email": "nobody@example.com", "total": 500}))
    assert emu.fired_triggers("shop") == []


def test_unlimited_periods_and_several_periods() -> None:
    emu = Emulator()
    client = prepared(emu.boto3_client())
    client.create_event_trigger(DomainName="shop", EventTriggerName="free", ObjectTypeName="Orders",
                                EventTriggerConditions=BIG_ORDER,
                                EventTriggerLimits={"Periods": [{"Unit": "DAYS", "Value": 1, "Unlimited": True}]})
    client.create_event_trigger(DomainName="shop", EventTriggerName="paced", ObjectTypeName="Orders",
                                EventTriggerConditions=BIG_ORDER, EventTriggerLimits={"Periods": [
                                    {"Unit": "MINUTES", "Value": 1, "MaxInvocationsPerProfile": 1},
                                    {"Unit": "DAYS", "Value": 1, "MaxInvocationsPerProfile": 2}]})
    for n in range(4):
        order(client, n, 200)
        emu.advance(61)
    names = [f.trigger_name for f in emu.fired_triggers("shop")]
    assert names.count("free") == 4 and names.count("paced") == 2
    emu.advance(86400)
    order(client, 9, 200)
    assert [f.trigger_name for f in emu.fired_triggers("shop")].count("paced") == 3


def test_model_limits_are_enforced_by_the_emulator() -> None:
    emu = Emulator()
    client = prepared(emu.boto3_client())  # a plain boto3 client sends lists longer than the model allows
    attribute = {"FieldName": "Total", "ComparisonOperator": "GREATER_THAN", "Values": ["1"]}
    too_many: dict[str, list[Any]] = {
        "EventTriggerConditions": [BIG_ORDER[0]] * 6,
        "EventTriggerConditions[0].EventTriggerDimensions": [
            {"EventTriggerDimensions": [{"ObjectAttributes": [attribute]}] * 11, "LogicalOperator": "ALL"}],
        "EventTriggerConditions[0].EventTriggerDimensions[0].ObjectAttributes": [
            {"EventTriggerDimensions": [{"ObjectAttributes": [attribute] * 11}], "LogicalOperator": "ALL"}],
        "Values": [{"EventTriggerDimensions": [{"ObjectAttributes": [
            {**attribute, "ComparisonOperator": "INCLUSIVE", "Values": [str(i) for i in range(11)]}]}],
            "LogicalOperator": "ALL"}],
    }
    for path, conditions in too_many.items():
        code, message = error_of(client.create_event_trigger, DomainName="shop", EventTriggerName="t",
                                 ObjectTypeName="Orders", EventTriggerConditions=conditions)
        assert code == "BadRequestException" and path in message, (path, message)
    code, message = error_of(client.create_event_trigger, DomainName="shop", EventTriggerName="t",
                             ObjectTypeName="Orders", EventTriggerConditions=BIG_ORDER,
                             EventTriggerLimits={"Periods": [{"Unit": "HOURS", "Value": 1,
                                                              "MaxInvocationsPerProfile": 1}] * 5})
    assert code == "BadRequestException" and "Periods" in message
    assert client.list_event_triggers(DomainName="shop")["Items"] == []


@pytest.mark.parametrize("attribute, member", [
    ({"ComparisonOperator": "EQUAL", "Values": ["1"]}, "exactly one of Source and FieldName"),
    ({"Source": "_source.a", "FieldName": "Total", "ComparisonOperator": "EQUAL", "Values": ["1"]},
     "exactly one of Source and FieldName"),
    ({"FieldName": "Nope", "ComparisonOperator": "EQUAL", "Values": ["1"]}, "FieldName"),
    ({"Source": "total", "ComparisonOperator": "EQUAL", "Values": ["1"]}, "Source"),
    ({"FieldName": "Total", "ComparisonOperator": "BETWEEN", "Values": ["1"]}, "Values"),
    ({"FieldName": "Total", "ComparisonOperator": "GREATER_THAN", "Values": [CANARY]}, "Values[0]"),
    ({"FieldName": "Total", "ComparisonOperator": "BEFORE", "Values": [CANARY]}, "Values[0]"),
])
def test_bad_attributes_are_refused_naming_the_member(attribute: dict[str, Any], member: str) -> None:
    emu = Emulator()
    client = prepared(emu.boto3_client())
    code, message = error_of(client.create_event_trigger, DomainName="shop", EventTriggerName="t",
                             ObjectTypeName="Orders", EventTriggerConditions=[{"EventTriggerDimensions": [
                                 {"ObjectAttributes": [attribute]}], "LogicalOperator": "ALL"}])
    assert code == "BadRequestException"
    assert "EventTriggerConditions[0].EventTriggerDimensions[0].ObjectAttributes[0]" in message and member in message
    assert CANARY not in message


def test_errors() -> None:
    emu = Emulator()
    client = prepared(emu.boto3_client())
    base = {"DomainName": "shop", "EventTriggerName": "t", "EventTriggerConditions": BIG_ORDER}
    assert error_of(client.create_event_trigger, **{**base, "ObjectTypeName": "Missing"})[0] == \
        "ResourceNotFoundException"
    assert error_of(client.create_event_trigger, **{**base, "DomainName": "nowhere", "ObjectTypeName": "Orders"})[0] \
        == "ResourceNotFoundException"
    client.create_event_trigger(**base, ObjectTypeName="Orders")
    assert error_of(client.create_event_trigger, **base, ObjectTypeName="Orders")[0] == "BadRequestException"
    for call in (client.get_event_trigger, client.delete_event_trigger, client.update_event_trigger):
        assert error_of(call, DomainName="shop", EventTriggerName="missing")[0] == "ResourceNotFoundException"
    code, message = error_of(client.update_event_trigger, DomainName="shop", EventTriggerName="t",
                             EventTriggerLimits={"Periods": [{"Unit": "HOURS", "Value": 1}]})
    assert code == "BadRequestException" and "Periods[0]" in message
    code, _ = error_of(client.update_event_trigger, DomainName="shop", EventTriggerName="t",
                       EventTriggerLimits={"Periods": [{"Unit": "HOURS", "Value": 1, "Unlimited": True,
                                                        "MaxInvocationsPerProfile": 3}]})
    assert code == "BadRequestException"
    with pytest.raises(KeyError):
        emu.fired_triggers("nowhere")


def test_list_event_triggers_pages() -> None:
    emu = Emulator()
    client = prepared(emu.boto3_client())
    names = [f"t{i:02d}" for i in range(13)]
    for name in reversed(names):
        client.create_event_trigger(DomainName="shop", EventTriggerName=name, ObjectTypeName="Orders",
                                    EventTriggerConditions=BIG_ORDER)
    first = client.list_event_triggers(DomainName="shop")
    seen = [item["EventTriggerName"] for item in first["Items"]]
    assert len(seen) == 10 and first["NextToken"]
    second = client.list_event_triggers(DomainName="shop", NextToken=first["NextToken"], MaxResults=100)
    assert seen + [item["EventTriggerName"] for item in second["Items"]] == names
    assert "NextToken" not in second


def test_domain_deletion_forgets_the_triggers() -> None:
    emu = Emulator()
    client = prepared(emu.boto3_client())
    client.create_event_trigger(DomainName="shop", EventTriggerName="t", ObjectTypeName="Orders",
                                EventTriggerConditions=BIG_ORDER)
    order(client, 1, 500)
    client.delete_domain(DomainName="shop")
    prepared(client)
    assert client.list_event_triggers(DomainName="shop")["Items"] == []
    assert emu.fired_triggers("shop") == []
