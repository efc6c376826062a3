"""The seed notes' operations, called the way a user would, and batch partial failures.

Each call goes through botocore's real serializer to a 127.0.0.1 server; the tests check the JSON
the service would receive and the typed value the caller gets back.
"""

from __future__ import annotations

import json
import pickle
from datetime import UTC, datetime

import pytest

from customer_profiles_sdk import CustomerProfilesClient, ParamValidationError, PartialFailureError
from customer_profiles_sdk.models import (
    AttributeDetails,
    AttributeItem,
    BatchPutProfileObjectRequestItem,
    Conditions,
    FlowDefinition,
    ObjectTypeKey,
    Range,
    S3SourceProperties,
    SourceConnectorProperties,
    SourceFlowConfig,
    StandardIdentifier,
    Statistic,
    Task,
    TriggerConfig,
    ValueRange,
)

from .localserver import LocalServer, Reply

PROFILE_A = "a" * 32
PROFILE_B = "b" * 32


@pytest.fixture
def client(fresh_server: LocalServer) -> CustomerProfilesClient:
    return fresh_server.client()


def test_put_profile_object_type_with_keys(fresh_server: LocalServer, client: CustomerProfilesClient) -> None:
    fresh_server.respond = lambda request: Reply(200, {
        "ObjectTypeName": "Orders", "Description": "Orders",
        "Keys": {"_order": [{"StandardIdentifiers": ["ORDER", "UNIQUE"], "FieldNames": ["OrderId"]}]},
        "MaxProfileObjectCount": 1000,
    })
    reply = client.put_profile_object_type(
        domain_name="shop",
        object_type_name="Orders",
        description="Orders from the web shop",
        keys={"_order": [ObjectTypeKey(standard_identifiers=[StandardIdentifier.ORDER, "UNIQUE"],
                                       field_names=["OrderId"])]},
        allow_profile_creation=False,
    )
    sent = fresh_server.requests[-1]
    assert (sent.method, sent.path) == ("PUT", "/domains/shop/object-types/Orders")
    assert sent.json()["Keys"] == {"_order": [{"StandardIdentifiers": ["ORDER", "UNIQUE"], "FieldNames": ["OrderId"]}]}
    assert reply.keys is not None and reply.keys["_order"][0].standard_identifiers == ["ORDER", "UNIQUE"]
    assert reply.max_profile_object_count == 1000


def test_put_profile_object_type_rejects_two_unique_keys_before_sending(
    fresh_server: LocalServer, client: CustomerProfilesClient
) -> None:
    with pytest.raises(ParamValidationError) as caught:
        client.put_profile_object_type(
            domain_name="shop", object_type_name="Orders", description="d",
            keys={"a": [ObjectTypeKey(standard_identifiers=["UNIQUE"], field_names=["x"])],
                  "b": [ObjectTypeKey(standard_identifiers=["UNIQUE"], field_names=["y"])]},
        )
    assert caught.value.problems[0].rule == "single_unique_key"
    assert fresh_server.requests == []


def test_put_integration_with_object_type_names(fresh_server: LocalServer, client: CustomerProfilesClient) -> None:
    fresh_server.respond = lambda request: Reply(200, {
        "DomainName": "shop", "Uri": "arn:aws:sqs:us-east-1:123456789012:q", "ObjectTypeName": "",
        "ObjectTypeNames": {"Order": "Orders"}, "CreatedAt": 1700000000, "LastUpdatedAt": 1700000000,
    })
    reply = client.put_integration(
        domain_name="shop", uri="arn:aws:sqs:us-east-1:123456789012:q", object_type_names={"Order": "Orders"},
    )
    assert fresh_server.requests[-1].json() == {
        "Uri": "arn:aws:sqs:us-east-1:123456789012:q", "ObjectTypeNames": {"Order": "Orders"}}
    assert reply.object_type_names == {"Order": "Orders"}
    assert reply.created_at == datetime.fromtimestamp(1700000000, UTC)


def test_put_integration_with_a_flow_definition(fresh_server: LocalServer, client: CustomerProfilesClient) -> None:
    fresh_server.respond = lambda request: Reply(200, {"DomainName": "shop", "Uri": "u", "ObjectTypeName": "o",
                                                       "CreatedAt": 1, "LastUpdatedAt": 1})
    client.put_integration(
        domain_name="shop",
        object_type_name="Orders",
        flow_definition=FlowDefinition(
            flow_name="orders-from-s3",
            kms_arn="arn:aws:kms:us-east-1:123456789012:key/k",
            source_flow_config=SourceFlowConfig(
                connector_type="S3",
                source_connector_properties=SourceConnectorProperties(s3=S3SourceProperties(bucket_name="orders")),
            ),
            tasks=[Task(source_fields=["OrderId"], task_type="Map", destination_field="OrderId")],
            trigger_config=TriggerConfig(trigger_type="OnDemand"),
        ),
    )
    body = fresh_server.requests[-1].json()
    assert body["FlowDefinition"]["SourceFlowConfig"] == {
        "ConnectorType": "S3", "SourceConnectorProperties": {"S3": {"BucketName": "orders"}}}
    assert body["FlowDefinition"]["Tasks"] == [{"SourceFields": ["OrderId"], "TaskType": "Map",
                                                "DestinationField": "OrderId"}]


def test_calculated_attribute_with_value_range_and_historical_data(
    fresh_server: LocalServer, client: CustomerProfilesClient
) -> None:
    fresh_server.respond = lambda request: Reply(200, {
        "CalculatedAttributeName": "spend_90d", "Statistic": "SUM", "UseHistoricalData": True,
        "Readiness": {"ProgressPercentage": 40, "Message": "backfilling"}, "Status": "PREPARING",
        "Conditions": {"Range": {"ValueRange": {"Start": 90, "End": 0}, "Unit": "DAYS"}},
    })
    reply = client.create_calculated_attribute_definition(
        domain_name="shop",
        calculated_attribute_name="spend_90d",
        attribute_details=AttributeDetails(attributes=[AttributeItem(name="Total")], expression="{Orders.Total}"),
        statistic=Statistic.SUM,
        conditions=Conditions(range=Range(value_range=ValueRange(start=90, end=0), unit="DAYS",
                                          timestamp_source="{Orders.OrderDate}")),
        use_historical_data=True,
    )
    body = fresh_server.requests[-1].json()
    assert body["Conditions"]["Range"] == {"ValueRange": {"Start": 90, "End": 0}, "Unit": "DAYS",
                                           "TimestampSource": "{Orders.OrderDate}"}
    assert body["UseHistoricalData"] is True
    assert reply.readiness is not None and reply.readiness.progress_percentage == 40
    assert reply.conditions is not None and reply.conditions.range is not None
    assert reply.conditions.range.value_range == ValueRange(start=90, end=0)

    for op in ("get_calculated_attribute_definition", "delete_calculated_attribute_definition"):
        getattr(client, op)(domain_name="shop", calculated_attribute_name="spend_90d")
    client.update_calculated_attribute_definition(
        domain_name="shop", calculated_attribute_name="spend_90d",
        conditions=Conditions(range=Range(value_range=ValueRange(start=30, end=0), unit="DAYS")),
    )
    client.get_calculated_attribute_for_profile(domain_name="shop", calculated_attribute_name="spend_90d",
                                                profile_id=PROFILE_A)
    client.list_calculated_attribute_definitions(domain_name="shop")
    client.list_calculated_attributes_for_profile(domain_name="shop", profile_id=PROFILE_A)
    assert [r.method for r in fresh_server.requests] == ["POST", "GET", "DELETE", "PUT", "GET", "GET", "GET"]


def test_expression_naming_an_unlisted_attribute_is_rejected_before_sending(
    fresh_server: LocalServer, client: CustomerProfilesClient
) -> None:
    with pytest.raises(ParamValidationError):
        client.create_calculated_attribute_definition(
            domain_name="shop", calculated_attribute_name="c", statistic="SUM",
            attribute_details=AttributeDetails(attributes=[AttributeItem(name="Total")], expression="{Orders.Other}"),
        )
    assert fresh_server.requests == []


def test_all_five_domain_layout_operations(fresh_server: LocalServer, client: CustomerProfilesClient) -> None:
    layout = json.dumps({"sections": [{"fields": ["FirstName", "EmailAddress"]}]})
    fresh_server.respond = lambda request: Reply(200, {
        "LayoutDefinitionName": "agents", "Description": "d", "DisplayName": "Agents", "LayoutType": "PROFILE_EXPLORER",
        "Layout": layout, "Version": "1", "CreatedAt": 1, "LastUpdatedAt": 1, "Items": [],
    })
    created = client.create_domain_layout(domain_name="shop", layout_definition_name="agents",
                                          description="Layout for agents", display_name="Agents",
                                          layout_type="PROFILE_EXPLORER", layout=layout, is_default=True)
    got = client.get_domain_layout(domain_name="shop", layout_definition_name="agents")
    client.update_domain_layout(domain_name="shop", layout_definition_name="agents", display_name="Agents v2")
    listed = client.list_domain_layouts(domain_name="shop", max_results=10)
    client.delete_domain_layout(domain_name="shop", layout_definition_name="agents")
    assert [(r.method, r.path) for r in fresh_server.requests] == [
        ("POST", "/domains/shop/layouts/agents"), ("GET", "/domains/shop/layouts/agents"),
        ("PUT", "/domains/shop/layouts/agents"), ("GET", "/domains/shop/layouts"),
        ("DELETE", "/domains/shop/layouts/agents")]
    assert fresh_server.requests[3].query == {"max-results": ["10"]}
    assert created.layout == got.layout == layout
    assert "layout=<redacted>" in repr(created)
    assert layout not in repr(got)  # Layout is sensitive
    assert listed.items == []


def test_detect_profile_object_type(fresh_server: LocalServer, client: CustomerProfilesClient) -> None:
    fresh_server.respond = lambda request: Reply(200, {"DetectedProfileObjectTypes": [{
        "SourceLastUpdatedTimestampFormat": "yyyy-MM-dd",
        "Fields": {"email": {"Source": "_source.email", "Target": "_profile.EmailAddress"}},
        "Keys": {"_email": [{"StandardIdentifiers": ["PROFILE"], "FieldNames": ["email"]}]},
    }]})
    sample = json.dumps({"email": "jane@example.com", "orderId": "o-1"})
    reply = client.detect_profile_object_type(domain_name="shop", objects=[sample])
    assert fresh_server.requests[-1].json() == {"Objects": [sample]}
    detected = reply.detected_profile_object_types
    assert detected is not None and detected[0].keys is not None
    assert detected[0].keys["_email"][0].field_names == ["email"]


# -- batch partial failures ------------------------------------------------------------------------

def test_batch_get_profile_partial_failure_raises_with_the_whole_response(
    fresh_server: LocalServer, client: CustomerProfilesClient
) -> None:
    fresh_server.respond = lambda request: Reply(200, {
        "Profiles": [{"ProfileId": PROFILE_A, "FirstName": "Jane"}],
        "Errors": [{"Code": "ResourceNotFoundException", "Message": "not found", "ProfileId": PROFILE_B},
                   {"Code": "ThrottlingException", "Message": "later", "ProfileId": "c" * 32}],
    })
    with pytest.raises(PartialFailureError) as caught:
        client.batch_get_profile(domain_name="shop", profile_ids=[PROFILE_A, PROFILE_B, "c" * 32])
    error = caught.value
    assert error.failed_ids == (PROFILE_B, "c" * 32)
    assert [f.code for f in error.failures] == ["ResourceNotFoundException", "ThrottlingException"]
    assert error.response.profiles[0].profile_id == PROFILE_A  # the successes are not lost
    assert "2 entries failed" in str(error) and "ResourceNotFoundException x1" in str(error)
    assert "Jane" not in str(error) and PROFILE_B not in str(error)
    again = pickle.loads(pickle.dumps(error))
    assert again.failed_ids == error.failed_ids

    allowed = client.batch_get_profile(domain_name="shop", profile_ids=[PROFILE_A], allow_partial=True)
    assert allowed.errors is not None and len(allowed.errors) == 2


def test_batch_get_calculated_attribute_partial_failure(
    fresh_server: LocalServer, client: CustomerProfilesClient
) -> None:
    fresh_server.respond = lambda request: Reply(200, {
        "CalculatedAttributeValues": [{"ProfileId": PROFILE_A, "Value": "12"}],
        "Errors": [{"Code": "ResourceNotFoundException", "Message": "m", "ProfileId": PROFILE_B}],
        "ConditionOverrides": {"Range": {"Start": 30, "Unit": "DAYS"}},
    })
    with pytest.raises(PartialFailureError) as caught:
        client.batch_get_calculated_attribute_for_profile(
            domain_name="shop", calculated_attribute_name="spend", profile_ids=[PROFILE_A, PROFILE_B])
    assert caught.value.failed_ids == (PROFILE_B,)
    assert caught.value.response.calculated_attribute_values[0].value == "12"


def test_batch_put_profile_object_partial_failure(fresh_server: LocalServer, client: CustomerProfilesClient) -> None:
    fresh_server.respond = lambda request: Reply(200, {
        "Successful": [{"Id": "o-1", "ProfileObjectUniqueKey": "k1"}],
        "Failed": [{"Id": "o-2", "Code": "400", "Message": "bad object"}],
    })
    items = [BatchPutProfileObjectRequestItem(id=f"o-{i}", object=json.dumps({"OrderId": i})) for i in (1, 2)]
    with pytest.raises(PartialFailureError) as caught:
        client.batch_put_profile_object(domain_name="shop", object_type_name="Orders", items=items)
    assert caught.value.failed_ids == ("o-2",)


def test_batch_without_failures_returns_normally(fresh_server: LocalServer, client: CustomerProfilesClient) -> None:
    fresh_server.respond = lambda request: Reply(200, {"Profiles": [{"ProfileId": PROFILE_A}], "Errors": []})
    reply = client.batch_get_profile(domain_name="shop", profile_ids=[PROFILE_A])
    assert reply.profiles is not None and len(reply.profiles) == 1


def test_send_also_raises_on_partial_failure(fresh_server: LocalServer, client: CustomerProfilesClient) -> None:
    from customer_profiles_sdk.models import BatchGetProfileRequest

    fresh_server.respond = lambda request: Reply(200, {"Errors": [{"Code": "X", "Message": "m",
                                                                    "ProfileId": PROFILE_B}]})
    with pytest.raises(PartialFailureError):
        client.send(BatchGetProfileRequest(domain_name="shop", profile_ids=[PROFILE_B]))


def test_send_takes_allow_partial(fresh_server: LocalServer, client: CustomerProfilesClient) -> None:
    from customer_profiles_sdk.models import BatchGetProfileRequest

    fresh_server.respond = lambda request: Reply(200, {"Errors": [{"Code": "X", "Message": "m",
                                                                    "ProfileId": PROFILE_B}]})
    reply = client.send(BatchGetProfileRequest(domain_name="shop", profile_ids=[PROFILE_B]), allow_partial=True)
    assert reply.errors is not None and reply.errors[0].profile_id == PROFILE_B


def test_allow_profile_creation_false_is_sent(fresh_server: LocalServer, client: CustomerProfilesClient) -> None:
    client.put_profile_object_type(domain_name="shop", object_type_name="Orders", description="d",
                                   allow_profile_creation=False)
    assert fresh_server.requests[-1].json() == {"Description": "d", "AllowProfileCreation": False}
