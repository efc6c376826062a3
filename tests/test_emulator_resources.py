"""The emulator's event streams, integration workflows and domain object types: lifecycles with
statuses on the emulator's clock, through the SDK client and through plain boto3 over HTTP."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from customer_profiles_sdk.errors import BadRequestError, ResourceNotFoundError
from customer_profiles_sdk.local import Emulator
from customer_profiles_sdk.local._areas.workflows import START_DELAY_SECONDS, STEP_SECONDS
from customer_profiles_sdk.local._errors import EmulatorError

from .localserver import shipped_client

STREAM = "arn:aws:kinesis:us-east-1:123456789012:stream/profile-events"
ROLE = "arn:aws:iam::123456789012:role/appflow"
KMS = "arn:aws:kms:us-east-1:123456789012:key/abc"
CANARY = "canary-5e1d@example.com"


@pytest.fixture
def emu() -> Iterator[Emulator]:
    emulator = Emulator()
    backend = emulator.backend
    backend.call("CreateDomain", {"DomainName": "d", "DefaultExpirationDays": 30, "DataStore": {"Enabled": True}})
    backend.call("PutProfileObjectType", {
        "DomainName": "d", "ObjectTypeName": "Contacts", "Description": "contacts", "AllowProfileCreation": True,
        "Fields": {"email": {"Source": "_source.email", "Target": "_profile.EmailAddress"}},
        "Keys": {"_email": [{"StandardIdentifiers": ["PROFILE"], "FieldNames": ["email"]}]},
    })
    yield emulator


@pytest.fixture
def raw(emu: Emulator) -> Iterator[Any]:
    """A plain boto3 client over HTTP to the emulator."""
    with emu.serve() as server:
        yield shipped_client(f"http://127.0.0.1:{server.port}")


def code(error: ClientError) -> str:
    return str(error.response["Error"]["Code"])


# ----------------------------------------------------------------------------------- event streams


def test_event_stream_lifecycle_through_the_sdk(emu: Emulator) -> None:
    client = emu.client()
    created = client.create_event_stream(domain_name="d", uri=STREAM, event_stream_name="es1", tags={"team": "a"})
    assert created.event_stream_arn == "arn:aws:profile:us-east-1:123456789012:domains/d/event-streams/es1"
    assert created.tags == {"team": "a"}
    got = client.get_event_stream(domain_name="d", event_stream_name="es1")
    assert got.state == "RUNNING" and got.domain_name == "d" and got.tags == {"team": "a"}
    assert got.destination_details.uri == STREAM and got.destination_details.status == "HEALTHY"
    assert got.created_at is not None and got.created_at <= emu.backend.now()
    listed = client.list_event_streams(domain_name="d").items or []
    assert [(s.event_stream_name, s.state, s.destination_summary and s.destination_summary.status)
            for s in listed] == [
        ("es1", "RUNNING", "HEALTHY")]
    client.delete_event_stream(domain_name="d", event_stream_name="es1")
    with pytest.raises(ResourceNotFoundError):
        client.get_event_stream(domain_name="d", event_stream_name="es1")
    with pytest.raises(ResourceNotFoundError):
        client.delete_event_stream(domain_name="d", event_stream_name="es1")
    assert client.list_event_streams(domain_name="d").items == []


def test_event_stream_over_http_with_pagination_and_errors(emu: Emulator, raw: Any) -> None:
    for name in ("c", "a", "b"):
        raw.create_event_stream(DomainName="d", Uri=STREAM, EventStreamName=name)
    first = raw.list_event_streams(DomainName="d", MaxResults=2)
    assert [i["EventStreamName"] for i in first["Items"]] == ["a", "b"]
    second = raw.list_event_streams(DomainName="d", MaxResults=2, NextToken=first["NextToken"])
    assert [i["EventStreamName"] for i in second["Items"]] == ["c"] and "NextToken" not in second
    got = raw.get_event_stream(DomainName="d", EventStreamName="a")
    assert got["State"] == "RUNNING" and got["DestinationDetails"]["Status"] == "HEALTHY"
    with pytest.raises(ClientError) as duplicate:
        raw.create_event_stream(DomainName="d", Uri=STREAM, EventStreamName="a")
    assert code(duplicate.value) == "BadRequestException"
    with pytest.raises(ClientError) as missing_domain:
        raw.create_event_stream(DomainName="nope", Uri=STREAM, EventStreamName="x")
    assert code(missing_domain.value) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as missing:
        raw.get_event_stream(DomainName="d", EventStreamName="zz")
    assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


@pytest.mark.parametrize("uri", [
    "arn:aws:sqs:us-east-1:123456789012:queue",  # another service
    "arn:aws:kinesis:us-east-1:123456789012:deliverystream/x",  # Firehose, not a data stream
    "arn:aws:kinesis:us-east-1:1234:stream/x",  # a short account
    f"arn:aws:kinesis:us-east-1:123456789012:stream/{CANARY}",  # characters a stream name has not
    "https://kinesis.us-east-1.amazonaws.com/stream",
])
def test_event_stream_uri_must_be_a_kinesis_stream_arn(emu: Emulator, uri: str) -> None:
    with pytest.raises(BadRequestError) as refused:
        emu.client().create_event_stream(domain_name="d", uri=uri, event_stream_name="es")
    assert "Kinesis" in str(refused.value) and CANARY not in str(refused.value)
    assert emu.client().list_event_streams(domain_name="d").items == []


@pytest.mark.parametrize("uri", [
    "arn:aws:kinesis:eu-west-1:123456789012:stream/s",
    "arn:aws:kinesis:us-east-1:210987654321:stream/s",
])
def test_event_stream_destination_must_be_in_the_domains_region_and_account(emu: Emulator, uri: str) -> None:
    with pytest.raises(BadRequestError, match="region and account"):
        emu.client().create_event_stream(domain_name="d", uri=uri, event_stream_name="es")


class Clock:
    """A clock a test moves by hand (an emulator given ``clock=`` is moved by its owner)."""

    def __init__(self) -> None:
        self.moment = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.moment

    def move(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)


def test_event_stream_destination_failure_stops_the_stream_and_healing_restarts_it() -> None:
    clock = Clock()
    emu = Emulator(clock=clock)
    client = emu.client()
    client.create_domain(domain_name="d", default_expiration_days=1)
    client.create_event_stream(domain_name="d", uri=STREAM, event_stream_name="es")
    assert client.get_event_stream(domain_name="d", event_stream_name="es").created_at == clock.moment
    clock.move(30)
    broken_at = clock.moment
    emu.backend.set_event_stream_health("d", "es", False, "stream deleted")
    clock.move(10)
    got = client.get_event_stream(domain_name="d", event_stream_name="es")
    assert got.state == "STOPPED" and got.stopped_since == broken_at
    assert got.destination_details.status == "UNHEALTHY"
    assert got.destination_details.unhealthy_since == broken_at
    assert got.destination_details.message == "stream deleted"
    summary = (client.list_event_streams(domain_name="d").items or [])[0]
    assert summary.state == "STOPPED" and summary.destination_summary is not None
    assert summary.destination_summary.unhealthy_since == broken_at
    emu.backend.set_event_stream_health("d", "es", True)
    healed = client.get_event_stream(domain_name="d", event_stream_name="es")
    assert healed.state == "RUNNING" and healed.destination_details.status == "HEALTHY"
    assert healed.stopped_since is None and healed.destination_details.unhealthy_since is None


def test_event_stream_records_profile_changes_while_running(emu: Emulator) -> None:
    client = emu.client()
    client.create_event_stream(domain_name="d", uri=STREAM, event_stream_name="es")
    created = client.create_profile(domain_name="d", first_name="Ann")
    client.put_profile_object(domain_name="d", object_type_name="Contacts", object=f'{{"email": "{CANARY}"}}')
    records = emu.backend.event_stream_records("d", "es")
    assert [r["EventType"] for r in records][:1] == ["CREATED"]
    assert records[0]["AssociatedProfileId"] == created.profile_id
    assert any(r["EventType"] == "INGESTED" and r["ObjectTypeName"] == "Contacts" for r in records)
    assert len({r["EventId"] for r in records}) == len(records)
    emu.backend.set_event_stream_health("d", "es", False)
    client.create_profile(domain_name="d", first_name="Bob")
    assert len(emu.backend.event_stream_records("d", "es")) == len(records)  # a stopped stream delivers nothing


def test_event_streams_go_with_their_domain(emu: Emulator) -> None:
    client = emu.client()
    client.create_event_stream(domain_name="d", uri=STREAM, event_stream_name="es")
    client.delete_domain(domain_name="d")
    client.create_domain(domain_name="d", default_expiration_days=1)
    assert client.list_event_streams(domain_name="d").items == []


# ----------------------------------------------------------------------------------------- workflows


def flow(connector: str = "Salesforce", batches: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    member = {"Servicenow": "ServiceNow"}.get(connector, connector)
    properties: dict[str, Any] = {member: {"BucketName": "bucket"} if connector == "S3" else {"Object": "Contact"}}
    appflow: dict[str, Any] = {"FlowDefinition": {
        "FlowName": "contacts-flow", "KmsArn": KMS,
        "SourceFlowConfig": {"ConnectorType": connector, "ConnectorProfileName": "sf-profile",
                             "SourceConnectorProperties": properties},
        "Tasks": [{"SourceFields": ["Email"], "TaskType": "Map", "DestinationField": "Email"}],
        "TriggerConfig": {"TriggerType": "OnDemand"}, **extra,
    }}
    if batches is not None:
        appflow["Batches"] = batches
    return {"AppflowIntegration": appflow}


def create_workflow(raw: Any, **kwargs: Any) -> str:
    answer = raw.create_integration_workflow(DomainName="d", WorkflowType="APPFLOW_INTEGRATION",
                                             IntegrationConfig=kwargs.pop("config", flow()),
                                             ObjectTypeName=kwargs.pop("object_type", "Contacts"), RoleArn=ROLE,
                                             **kwargs)
    assert answer["Message"]
    return str(answer["WorkflowId"])


def test_workflow_walks_every_status_on_the_clock_over_http(emu: Emulator, raw: Any) -> None:
    jan, feb, mar = (datetime(2024, m, 1, tzinfo=UTC) for m in (1, 2, 3))
    config = flow(batches=[{"StartTime": jan, "EndTime": feb}, {"StartTime": feb, "EndTime": mar}])
    workflow_id = create_workflow(raw, config=config, Tags={"k": "v"})
    created_at = raw.list_workflows(DomainName="d")["Items"][0]["CreatedAt"]
    assert len(workflow_id) == 32 and all(c in "0123456789abcdef" for c in workflow_id)

    def status() -> tuple[str, int, list[str]]:
        got = raw.get_workflow(DomainName="d", WorkflowId=workflow_id)
        steps = raw.get_workflow_steps(DomainName="d", WorkflowId=workflow_id)["Items"]
        metrics = got["Metrics"]["AppflowIntegration"]
        assert metrics["TotalSteps"] == 2 and metrics["RecordsProcessed"] == 0
        return got["Status"], metrics["StepsCompleted"], [s["AppflowIntegration"]["Status"] for s in steps]

    assert status() == ("NOT_STARTED", 0, ["NOT_STARTED", "NOT_STARTED"])
    assert "StartDate" not in raw.get_workflow(DomainName="d", WorkflowId=workflow_id)
    emu.advance(START_DELAY_SECONDS)
    assert status() == ("IN_PROGRESS", 0, ["IN_PROGRESS", "NOT_STARTED"])
    emu.advance(STEP_SECONDS)
    assert status() == ("IN_PROGRESS", 1, ["COMPLETE", "IN_PROGRESS"])
    emu.advance(STEP_SECONDS)
    assert status() == ("COMPLETE", 2, ["COMPLETE", "COMPLETE"])
    got = raw.get_workflow(DomainName="d", WorkflowId=workflow_id)
    finished = created_at + timedelta(seconds=START_DELAY_SECONDS + 2 * STEP_SECONDS)
    assert got["StartDate"] == created_at + timedelta(seconds=START_DELAY_SECONDS)
    assert got["LastUpdatedAt"] == finished
    assert got["WorkflowType"] == "APPFLOW_INTEGRATION"
    assert got["Attributes"]["AppflowIntegration"] == {
        "SourceConnectorType": "Salesforce", "ConnectorProfileName": "sf-profile", "RoleArn": ROLE}
    steps = [s["AppflowIntegration"] for s in raw.get_workflow_steps(DomainName="d", WorkflowId=workflow_id)["Items"]]
    assert [s["FlowName"] for s in steps] == ["contacts-flow-1", "contacts-flow-2"]
    assert [(s["BatchRecordsStartTime"], s["BatchRecordsEndTime"]) for s in steps] == [
        ("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"), ("2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z")]
    assert all(s["ExecutionMessage"] for s in steps)
    listed = raw.list_workflows(DomainName="d")["Items"]
    assert [(w["WorkflowId"], w["Status"]) for w in listed] == [(workflow_id, "COMPLETE")]
    assert listed[0]["StatusDescription"] and listed[0]["LastUpdatedAt"] == finished


def test_workflow_through_the_sdk_without_batches_has_one_step(emu: Emulator) -> None:
    client = emu.client()
    made = client.create_integration_workflow(
        domain_name="d", workflow_type="APPFLOW_INTEGRATION", integration_config=flow("Marketo"),  # type: ignore[arg-type]
        object_type_name="Contacts", role_arn=ROLE)
    steps = client.get_workflow_steps(domain_name="d", workflow_id=made.workflow_id)
    assert steps.workflow_id == made.workflow_id and steps.workflow_type == "APPFLOW_INTEGRATION"
    assert [s.appflow_integration and s.appflow_integration.flow_name for s in steps.items or []] == [
        "contacts-flow"]
    emu.advance(START_DELAY_SECONDS + STEP_SECONDS)
    assert client.get_workflow(domain_name="d", workflow_id=made.workflow_id).status == "COMPLETE"
    client.delete_workflow(domain_name="d", workflow_id=made.workflow_id)
    with pytest.raises(ResourceNotFoundError):
        client.get_workflow(domain_name="d", workflow_id=made.workflow_id)
    with pytest.raises(ResourceNotFoundError):
        client.get_workflow_steps(domain_name="d", workflow_id=made.workflow_id)
    with pytest.raises(ResourceNotFoundError):
        client.delete_workflow(domain_name="d", workflow_id=made.workflow_id)


def test_workflow_fails_when_its_object_type_is_deleted(emu: Emulator, raw: Any) -> None:
    feb, mar, apr = (datetime(2024, m, 1, tzinfo=UTC) for m in (2, 3, 4))
    workflow_id = create_workflow(raw, config=flow(batches=[{"StartTime": feb, "EndTime": mar},
                                                            {"StartTime": mar, "EndTime": apr}]))
    emu.advance(START_DELAY_SECONDS + 10)
    raw.delete_profile_object_type(DomainName="d", ObjectTypeName="Contacts")
    got = raw.get_workflow(DomainName="d", WorkflowId=workflow_id)
    assert got["Status"] == "FAILED" and got["ErrorDescription"]
    emu.advance(STEP_SECONDS * 5)
    steps = raw.get_workflow_steps(DomainName="d", WorkflowId=workflow_id)["Items"]
    assert [s["AppflowIntegration"]["Status"] for s in steps] == ["FAILED", "CANCELLED"]
    assert raw.get_workflow(DomainName="d", WorkflowId=workflow_id)["Status"] == "FAILED"
    assert [w["Status"] for w in raw.list_workflows(DomainName="d", Status="FAILED")["Items"]] == ["FAILED"]


def test_list_workflows_filters_and_pages(emu: Emulator, raw: Any) -> None:
    first = create_workflow(raw)
    emu.advance(START_DELAY_SECONDS + STEP_SECONDS)
    second = create_workflow(raw)
    third = create_workflow(raw)
    everything = raw.list_workflows(DomainName="d")["Items"]
    middle = everything[1]["CreatedAt"]
    statuses = {w["WorkflowId"]: w["Status"] for w in everything}
    assert statuses == {first: "COMPLETE", second: "NOT_STARTED", third: "NOT_STARTED"}
    assert [w["WorkflowId"] for w in raw.list_workflows(DomainName="d", Status="NOT_STARTED")["Items"]] == [
        second, third]
    assert [w["WorkflowId"] for w in raw.list_workflows(DomainName="d", QueryStartDate=middle)["Items"]] == [
        second, third]
    before = everything[0]["CreatedAt"] + timedelta(seconds=1)
    assert [w["WorkflowId"] for w in raw.list_workflows(DomainName="d", QueryEndDate=before)["Items"]] == [first]
    page = raw.list_workflows(DomainName="d", MaxResults=2)
    rest = raw.list_workflows(DomainName="d", MaxResults=2, NextToken=page["NextToken"])
    assert [w["WorkflowId"] for w in page["Items"] + rest["Items"]] == [first, second, third]
    with pytest.raises(ClientError) as other_query:  # a token belongs to its query
        raw.list_workflows(DomainName="d", Status="COMPLETE", NextToken=page["NextToken"])
    assert code(other_query.value) == "BadRequestException"


def test_get_workflow_steps_pages(emu: Emulator, raw: Any) -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    batches = [{"StartTime": start + timedelta(days=i), "EndTime": start + timedelta(days=i + 1)} for i in range(5)]
    workflow_id = create_workflow(raw, config=flow(batches=batches))
    names = []
    token: dict[str, Any] = {}
    for _ in range(5):
        page = raw.get_workflow_steps(DomainName="d", WorkflowId=workflow_id, MaxResults=2, **token)
        names += [s["AppflowIntegration"]["FlowName"] for s in page["Items"]]
        if "NextToken" not in page:
            break
        token = {"NextToken": page["NextToken"]}
    assert names == [f"contacts-flow-{i}" for i in range(1, 6)]


@pytest.mark.parametrize(("config", "rule"), [
    ({}, "AppflowIntegration is required"),
    (flow("Zendesk"), "ConnectorType"),
    (flow("S3"), "ConnectorType"),
    ({"AppflowIntegration": {**flow()["AppflowIntegration"], "FlowDefinition": {
        **flow()["AppflowIntegration"]["FlowDefinition"],
        "SourceFlowConfig": {"ConnectorType": "Salesforce", "SourceConnectorProperties": {"Marketo": {"Object": "x"}}},
    }}}, "SourceConnectorProperties.Salesforce is required"),
    (flow(batches=[{"StartTime": datetime(2024, 2, 1, tzinfo=UTC), "EndTime": datetime(2024, 1, 1, tzinfo=UTC)}]),
     r"Batches\[0\]: StartTime must be before EndTime"),
])
def test_create_workflow_refuses_bad_configs(emu: Emulator, raw: Any, config: dict[str, Any], rule: str) -> None:
    with pytest.raises(ClientError) as refused:
        create_workflow(raw, config=config)
    assert code(refused.value) == "BadRequestException"
    assert re.search(rule, refused.value.response["Error"]["Message"])
    assert raw.list_workflows(DomainName="d")["Items"] == []


def test_create_workflow_needs_the_object_type_and_domain(emu: Emulator, raw: Any) -> None:
    with pytest.raises(ClientError) as no_type:
        create_workflow(raw, object_type="Missing")
    assert code(no_type.value) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as no_domain:
        raw.create_integration_workflow(DomainName="zz", WorkflowType="APPFLOW_INTEGRATION",
                                        IntegrationConfig=flow(), ObjectTypeName="Contacts", RoleArn=ROLE)
    assert code(no_domain.value) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as unknown:
        raw.get_workflow(DomainName="d", WorkflowId="0" * 32)
    assert code(unknown.value) == "ResourceNotFoundException"


def test_workflow_ids_are_deterministic_with_a_seed() -> None:
    def run() -> str:
        emulator = Emulator(seed=7)
        emulator.backend.call("CreateDomain", {"DomainName": "d", "DefaultExpirationDays": 1})
        emulator.backend.call("PutProfileObjectType", {"DomainName": "d", "ObjectTypeName": "T", "Description": "t",
                                                       "Fields": {"a": {"Source": "_source.a"}}})
        answer = emulator.backend.call("CreateIntegrationWorkflow", {
            "DomainName": "d", "WorkflowType": "APPFLOW_INTEGRATION", "IntegrationConfig": flow(),
            "ObjectTypeName": "T", "RoleArn": ROLE})
        return str(answer["WorkflowId"])

    assert run() == run()


# ------------------------------------------------------------------------------ domain object types


FIELDS = {
    "Title": {"Source": "_source.title", "Target": "_doc.Title", "ContentType": "STRING", "FeatureType": "TEXTUAL"},
    "Category": {"Source": "_source.category", "Target": "_doc.Category", "FeatureType": "CATEGORICAL"},
}


def test_domain_object_type_crud_through_the_sdk(emu: Emulator) -> None:
    client = emu.client()
    put = client.put_domain_object_type(domain_name="d", object_type_name="Docs", fields=FIELDS,  # type: ignore[arg-type]
                                        description="documents", encryption_key=KMS, tags={"t": "1"})
    assert put.object_type_name == "Docs" and put.encryption_key == KMS and put.tags == {"t": "1"}
    assert put.fields is not None and put.fields["Title"].feature_type == "TEXTUAL"
    created = put.created_at
    assert created is not None and put.last_updated_at == created
    emu.advance(3600)
    again = client.put_domain_object_type(domain_name="d", object_type_name="Docs",
                                          fields={"Title": FIELDS["Title"]})  # type: ignore[dict-item]
    assert again.created_at == created and again.last_updated_at is not None
    assert again.last_updated_at >= created + timedelta(seconds=3600)
    assert again.tags == {"t": "1"}  # tags not given are kept
    got = client.get_domain_object_type(domain_name="d", object_type_name="Docs")
    assert got.fields is not None and list(got.fields) == ["Title"] and got.description is None
    listed = client.list_domain_object_types(domain_name="d").items or []
    assert [(i.object_type_name, i.tags) for i in listed] == [("Docs", {"t": "1"})]
    client.delete_domain_object_type(domain_name="d", object_type_name="Docs")
    with pytest.raises(ResourceNotFoundError):
        client.get_domain_object_type(domain_name="d", object_type_name="Docs")
    with pytest.raises(ResourceNotFoundError):
        client.delete_domain_object_type(domain_name="d", object_type_name="Docs")


def test_domain_object_types_over_http(emu: Emulator, raw: Any) -> None:
    for name in ("B", "A", "C"):
        raw.put_domain_object_type(DomainName="d", ObjectTypeName=name, Fields=FIELDS)
    first = raw.list_domain_object_types(DomainName="d", MaxResults=2)
    rest = raw.list_domain_object_types(DomainName="d", MaxResults=2, NextToken=first["NextToken"])
    assert [i["ObjectTypeName"] for i in first["Items"] + rest["Items"]] == ["A", "B", "C"]
    got = raw.get_domain_object_type(DomainName="d", ObjectTypeName="A")
    assert got["Fields"]["Category"]["FeatureType"] == "CATEGORICAL"
    assert isinstance(got["CreatedAt"], datetime)
    with pytest.raises(ClientError) as missing:
        raw.get_domain_object_type(DomainName="d", ObjectTypeName="Z")
    assert code(missing.value) == "ResourceNotFoundException"


def test_domain_object_type_needs_the_data_store(emu: Emulator, raw: Any) -> None:
    raw.create_domain(DomainName="plain", DefaultExpirationDays=1)
    with pytest.raises(ClientError) as refused:
        raw.put_domain_object_type(DomainName="plain", ObjectTypeName="Docs", Fields=FIELDS)
    assert code(refused.value) == "BadRequestException" and "DataStore" in refused.value.response["Error"]["Message"]
    raw.update_domain(DomainName="plain", DataStore={"Enabled": True})
    raw.put_domain_object_type(DomainName="plain", ObjectTypeName="Docs", Fields=FIELDS)
    with pytest.raises(ClientError) as no_domain:
        raw.put_domain_object_type(DomainName="zz", ObjectTypeName="Docs", Fields=FIELDS)
    assert code(no_domain.value) == "ResourceNotFoundException"


def test_domain_object_type_field_rules(emu: Emulator, raw: Any) -> None:
    with pytest.raises(ClientError) as bad_source:
        raw.put_domain_object_type(DomainName="d", ObjectTypeName="Docs",
                                   Fields={"Title": {"Source": CANARY, "Target": "_doc.Title"}})
    message = bad_source.value.response["Error"]["Message"]
    assert "Fields.Title.Source" in message and CANARY not in message
    with pytest.raises(ClientError) as empty:
        raw.put_domain_object_type(DomainName="d", ObjectTypeName="Docs", Fields={})
    assert code(empty.value) == "BadRequestException"
    with pytest.raises(EmulatorError) as bad_feature:
        emu.backend.call("PutDomainObjectType", {"DomainName": "d", "ObjectTypeName": "Docs", "Fields": {
            "Title": {"Source": "_source.t", "Target": "_doc.t", "FeatureType": "NUMERIC"}}})
    assert "FeatureType" in str(bad_feature.value)
    assert raw.list_domain_object_types(DomainName="d")["Items"] == []
