"""The shapes named in the two seed change notes (2021-12 and 2025-06) come out right."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from customer_profiles_sdk import ParamValidationError
from customer_profiles_sdk.models import (
    AttributeDetails,
    AttributeItem,
    BatchGetCalculatedAttributeForProfileRequest,
    ConditionOverrides,
    Conditions,
    CreateCalculatedAttributeDefinitionRequest,
    CreateCalculatedAttributeDefinitionResponse,
    CreateDomainLayoutRequest,
    DetectProfileObjectTypeRequest,
    DetectProfileObjectTypeResponse,
    GetCalculatedAttributeDefinitionResponse,
    GetDomainLayoutResponse,
    GetIntegrationResponse,
    GetProfileObjectTypeResponse,
    LayoutType,
    ListAccountIntegrationsResponse,
    ListDomainLayoutsResponse,
    ObjectTypeKey,
    PutIntegrationRequest,
    PutProfileObjectTypeRequest,
    Range,
    RangeOverride,
    ReadinessStatus,
    StandardIdentifier,
    UpdateCalculatedAttributeDefinitionRequest,
    UpdateDomainLayoutRequest,
    ValueRange,
)

TRAVEL_AND_HOSPITALITY = [
    "ORDER", "COMMUNICATION_RECORD", "AIR_PREFERENCE", "HOTEL_PREFERENCE", "AIR_BOOKING",
    "AIR_SEGMENT", "HOTEL_RESERVATION", "HOTEL_STAY_REVENUE", "LOYALTY", "LOYALTY_TRANSACTION",
    "LOYALTY_PROMOTION",
]


def test_standard_identifiers_include_order_and_2025_identifiers() -> None:
    values = {member.value for member in StandardIdentifier}
    assert set(TRAVEL_AND_HOSPITALITY) <= values
    key = ObjectTypeKey(standard_identifiers=[StandardIdentifier.AIR_BOOKING, "PROFILE"], field_names=["pnr"])
    assert key.to_boto() == {"StandardIdentifiers": ["AIR_BOOKING", "PROFILE"], "FieldNames": ["pnr"]}
    assert type(key.to_boto()["StandardIdentifiers"][0]) is str


def test_put_profile_object_type_with_order_keys() -> None:
    request = PutProfileObjectTypeRequest(
        domain_name="shop",
        object_type_name="Orders",
        description="Orders from the web shop",
        max_profile_object_count=500,
        keys={
            "_order": [ObjectTypeKey(standard_identifiers=["ORDER", "UNIQUE"], field_names=["OrderId"])],
            "_profile": [ObjectTypeKey(standard_identifiers=["PROFILE"], field_names=["Email"])],
        },
    )
    wire = request.to_boto()
    assert wire["Keys"]["_order"][0]["StandardIdentifiers"] == ["ORDER", "UNIQUE"]
    assert wire["MaxProfileObjectCount"] == 500
    with pytest.raises(ParamValidationError) as info:
        PutProfileObjectTypeRequest(
            domain_name="shop", object_type_name="Orders", description="d", max_profile_object_count=0)
    assert [(p.path, p.rule) for p in info.value.problems] == [("MaxProfileObjectCount", "min")]


def test_get_profile_object_type_reads_keys_and_max_counts() -> None:
    response = GetProfileObjectTypeResponse.model_validate({
        "ObjectTypeName": "Bookings", "Description": "d",
        "MaxProfileObjectCount": 100, "MaxAvailableProfileObjectCount": 40,
        "Keys": {"_air": [{"StandardIdentifiers": TRAVEL_AND_HOSPITALITY, "FieldNames": ["pnr"]}]},
    })
    assert response.max_profile_object_count == 100
    assert response.max_available_profile_object_count == 40
    assert response.keys is not None
    assert response.keys["_air"][0].standard_identifiers == TRAVEL_AND_HOSPITALITY


def test_object_type_names_on_integrations() -> None:
    request = PutIntegrationRequest(
        domain_name="shop", uri="arn:aws:flow:us-east-1:123456789012:URIOfIntegration1",
        object_type_names={"ShopifyCreateOrders": "ShopifyOrder", "ShopifyUpdatedOrders": "ShopifyOrder"},
    )
    assert request.to_boto()["ObjectTypeNames"]["ShopifyCreateOrders"] == "ShopifyOrder"
    for response in (
        GetIntegrationResponse.model_validate({"ObjectTypeNames": {"SegmentIdentify": "SegmentUser"}}),
        ListAccountIntegrationsResponse.model_validate(
            {"Items": [{"DomainName": "d", "ObjectTypeNames": {"SegmentIdentify": "SegmentUser"}}]}
        ).items[0],  # type: ignore[index]
    ):
        assert response.object_type_names == {"SegmentIdentify": "SegmentUser"}


def test_conditions_range_with_value_range_and_timestamp_source() -> None:
    conditions = Conditions(range=Range(
        unit="DAYS", value_range=ValueRange(start=30, end=-7),
        timestamp_source="{Orders.placedAt}", timestamp_format="ISO_8601",
    ))
    assert conditions.to_boto() == {"Range": {
        "Unit": "DAYS", "ValueRange": {"Start": 30, "End": -7},
        "TimestampSource": "{Orders.placedAt}", "TimestampFormat": "ISO_8601",
    }}
    with pytest.raises(ParamValidationError) as info:
        Conditions.model_validate({"Range": {"ValueRange": {"Start": 1}}})
    assert [(p.path, p.rule) for p in info.value.problems] == [("Range.ValueRange.End", "required")]


def test_calculated_attribute_definitions_with_historical_data_and_readiness() -> None:
    request = CreateCalculatedAttributeDefinitionRequest(
        domain_name="shop", calculated_attribute_name="total_spend", statistic="SUM",
        attribute_details=AttributeDetails(attributes=[AttributeItem(name="Total")], expression="{Orders.Total}"),
        conditions=Conditions(range=Range(unit="DAYS", value_range=ValueRange(start=90, end=0))),
        use_historical_data=True,
    )
    assert request.to_boto()["UseHistoricalData"] is True
    update = UpdateCalculatedAttributeDefinitionRequest(
        domain_name="shop", calculated_attribute_name="total_spend",
        conditions=Conditions(range=Range(value_range=ValueRange(start=30, end=0))))
    assert update.to_boto()["Conditions"] == {"Range": {"ValueRange": {"Start": 30, "End": 0}}}
    for cls in (CreateCalculatedAttributeDefinitionResponse, GetCalculatedAttributeDefinitionResponse):
        response = cls.model_validate({
            "UseHistoricalData": True, "Status": "IN_PROGRESS",
            "Readiness": {"ProgressPercentage": 42, "Message": "indexing"},
            "Conditions": {"Range": {"ValueRange": {"Start": 30, "End": 0}, "TimestampFormat": "EPOCHMILLI"}},
        })
        assert response.use_historical_data is True
        assert response.status == ReadinessStatus.IN_PROGRESS
        assert response.readiness is not None and response.readiness.progress_percentage == 42
        assert response.conditions is not None and response.conditions.range is not None
        assert response.conditions.range.value_range is not None
        assert response.conditions.range.value_range.start == 30


def test_condition_overrides_on_batch_get_calculated_attribute() -> None:
    request = BatchGetCalculatedAttributeForProfileRequest(
        domain_name="shop", calculated_attribute_name="total_spend",
        profile_ids=["a" * 32, "b" * 32],
        condition_overrides=ConditionOverrides(range=RangeOverride(start=7, end=0, unit="DAYS")),
    )
    assert request.to_boto()["ConditionOverrides"] == {"Range": {"Start": 7, "End": 0, "Unit": "DAYS"}}
    assert "Start" not in repr(request) and "condition_overrides=<redacted>" in repr(request)
    with pytest.raises(ParamValidationError) as info:
        BatchGetCalculatedAttributeForProfileRequest.model_validate({
            "DomainName": "shop", "CalculatedAttributeName": "t", "ProfileIds": [],
            "ConditionOverrides": {"Range": {"Start": 7}}})
    assert sorted((p.path, p.rule) for p in info.value.problems) == [
        ("ConditionOverrides.Range.Unit", "required"), ("ProfileIds", "min_length")]


def test_domain_layout_shapes() -> None:
    layout = json.dumps({"sections": [{"title": "Loyalty"}]})
    create = CreateDomainLayoutRequest(
        domain_name="shop", layout_definition_name="agent_view", description="Agent view",
        display_name="Agent view", layout_type=LayoutType.PROFILE_EXPLORER, layout=layout)
    assert create.to_boto()["LayoutType"] == "PROFILE_EXPLORER"
    assert layout not in repr(create)
    update = UpdateDomainLayoutRequest(domain_name="shop", layout_definition_name="agent_view", is_default=True)
    assert update.to_boto() == {"DomainName": "shop", "LayoutDefinitionName": "agent_view", "IsDefault": True}
    got = GetDomainLayoutResponse.model_validate({
        "LayoutDefinitionName": "agent_view", "LayoutType": "FUTURE_LAYOUT", "Layout": layout,
        "Version": "3", "CreatedAt": 1_700_000_000})
    assert got.layout_type == "FUTURE_LAYOUT"
    assert got.created_at == datetime.fromtimestamp(1_700_000_000, UTC)
    listed = ListDomainLayoutsResponse.model_validate({"Items": [{"LayoutDefinitionName": "agent_view"}]})
    assert listed.items is not None and listed.items[0].layout_definition_name == "agent_view"


def test_detect_profile_object_type_shapes() -> None:
    request = DetectProfileObjectTypeRequest(domain_name="shop", objects=['{"orderId": "1"}'])
    assert request.to_boto() == {"DomainName": "shop", "Objects": ['{"orderId": "1"}']}
    with pytest.raises(ParamValidationError) as info:
        DetectProfileObjectTypeRequest(domain_name="shop", objects=["{}"] * 6)
    assert [(p.path, p.rule) for p in info.value.problems] == [("Objects", "max_length")]
    response = DetectProfileObjectTypeResponse.model_validate({"DetectedProfileObjectTypes": [{
        "SourceLastUpdatedTimestampFormat": "yyyy-MM-dd",
        "Fields": {"orderId": {"Source": "_source.orderId", "Target": "_order.OrderId"}},
        "Keys": {"_order": [{"StandardIdentifiers": ["ORDER", "UNIQUE"], "FieldNames": ["orderId"]}]},
    }]})
    detected = response.detected_profile_object_types
    assert detected is not None and detected[0].keys is not None
    assert detected[0].keys["_order"][0].field_names == ["orderId"]
