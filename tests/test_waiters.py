"""The waiters (``wait_for_<resource>`` and ``wait_for_<resource>_deleted``) of the sync client,
against the emulator, and the sans-I/O polling logic (``waiters.Waiting``) on its own.

Every waiter of ``codegen/waiters.py`` is walked through its statuses on the emulator's clock
(``sleep=emu.advance``: nothing sleeps), to success, to a failure state, to its timeout, and through
throttling and 5xx answers while polling; every deletion waiter to None and to its timeout. Where
the emulator never reaches a failure state (segment estimates and snapshots, subscriptions, the
stream association, identity resolution jobs, calculated attributes) the emulator's own answer is
kept and only its status member is replaced (``scripted``); every other failure is the
emulator's: a recommender whose schema goes during training, a filter with a bad expression, a
workflow whose object type goes, upload jobs started with no upload or stopped.

The module also keeps docs/guides/long-running-jobs.md's table of the waiters equal to the table
in codegen/waiters.py and to the model's enums (:func:`waiter_table`).
"""

from __future__ import annotations

import itertools
import json
import math
import pickle
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import WaiterError

from codegen.waiters import WAITERS as ROWS
from codegen.waiters import WaiterRow
from customer_profiles_sdk import CustomerProfilesClient
from customer_profiles_sdk._generated.waiters import WAITERS as SPECS
from customer_profiles_sdk._upload import put_upload, sse_c_headers
from customer_profiles_sdk.errors import (
    AccessDeniedError,
    BadRequestError,
    CustomerProfilesError,
    ParamValidationError,
    ResourceNotFoundError,
    UnmodeledServiceError,
    WaiterFailedError,
    WaiterTimeoutError,
)
from customer_profiles_sdk.local import Emulator
from customer_profiles_sdk.waiters import DEFAULT_DELAY, DEFAULT_MAX_DELAY, DEFAULT_TIMEOUT, Waiting, WaitProgress

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "guides" / "long-running-jobs.md"
#: A client whose botocore makes one attempt: throttling reaches the waiter, not botocore's retries.
NO_RETRIES = Config(retries={"total_max_attempts": 1})
CANARY = "canary-waiter-7f3e@example.com"
QUEUE = "arn:aws:sqs:us-east-1:123456789012:orders"
STREAM = "arn:aws:kinesis:us-east-1:123456789012:stream/profile-events"
ROLE = "arn:aws:iam::123456789012:role/profiles"
KMS = "arn:aws:kms:us-east-1:123456789012:key/abc"
DAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
UPLOAD_FIELDS: dict[str, Any] = {
    "CustomerId": {"Source": "_source.CustomerId", "Target": "_profile.AccountNumber"},
    "Email": {"Source": "_source.Email", "Target": "_profile.EmailAddress"},
}
CSV = b"CustomerId,Email\nc1,ann@example.com\nc2,bob@example.com\n"

STATUS_WAITERS = sorted(row.name for row in ROWS if row.status is not None)
DELETABLE = sorted(row.name for row in ROWS if row.deletable)
ROW = {row.name: row for row in ROWS}


def wire(params: dict[str, Any]) -> dict[str, Any]:
    """A waiter's keyword arguments as the wire request (``job_id`` -> ``JobId``)."""
    return {"".join(part.capitalize() for part in key.split("_")): value for key, value in params.items()}


def script(emu: Emulator, operation: str, statuses: list[str], member: str = "Status") -> None:
    """From now on the emulator answers ``operation`` as it does, but with ``member`` set to the
    next of ``statuses`` (the last one repeats): for failure states the emulator never reaches."""
    real = emu.backend._handlers[operation]
    answered = itertools.count()

    def handler(params: Any) -> Any:
        answer = real(params)
        answer[member] = statuses[min(next(answered), len(statuses) - 1)]
        return answer

    emu.backend._handlers[operation] = handler


# ------------------------------------------------------------------------------------- the cases


def _orders(raw: Any) -> None:
    raw.put_profile_object_type(
        DomainName="shop", ObjectTypeName="Orders", Description="orders", AllowProfileCreation=True,
        Fields={"Email": {"Source": "_source.Email", "Target": "_profile.EmailAddress"},
                "Total": {"Source": "_source.Total", "Target": "Orders.Total", "ContentType": "NUMBER"}},
        Keys={"_email": [{"FieldNames": ["Email"], "StandardIdentifiers": ["PROFILE"]}]})


def _groups() -> dict[str, Any]:
    return {"Include": "ALL", "Groups": [{"Type": "ALL", "Dimensions": [
        {"ProfileAttributes": {"FirstName": {"DimensionType": "INCLUSIVE", "Values": ["Ann"]}}}]}]}


def _segment(raw: Any) -> None:
    raw.create_segment_definition(DomainName="shop", SegmentDefinitionName="gold", DisplayName="Gold",
                                  SegmentGroups=_groups())


def _flow() -> dict[str, Any]:
    return {"AppflowIntegration": {"FlowDefinition": {
        "FlowName": "orders-flow", "KmsArn": KMS,
        "SourceFlowConfig": {"ConnectorType": "Salesforce", "ConnectorProfileName": "sf",
                             "SourceConnectorProperties": {"Salesforce": {"Object": "Contact"}}},
        "Tasks": [{"SourceFields": ["Email"], "TaskType": "Map", "DestinationField": "Email"}],
        "TriggerConfig": {"TriggerType": "OnDemand"}}}}


def setup_identity_resolution_job(emu: Emulator, raw: Any) -> dict[str, Any]:
    start = (emu.backend.now() + timedelta(minutes=10)).replace(second=0, microsecond=0)
    raw.update_domain(DomainName="shop", Matching={"Enabled": True, "JobSchedule": {
        "DayOfTheWeek": DAYS[start.weekday()], "Time": f"{start.hour}:{start.minute:02d}"}})
    emu.advance((start - emu.backend.now()).total_seconds() + 5)
    jobs = raw.list_identity_resolution_jobs(DomainName="shop")["IdentityResolutionJobsList"]
    return {"domain_name": "shop", "job_id": jobs[0]["JobId"]}


def new_upload_job(raw: Any) -> str:
    return str(raw.create_upload_job(DomainName="shop", DisplayName="people.csv", Fields=UPLOAD_FIELDS,
                                     UniqueKey="CustomerId")["JobId"])


def setup_upload_job(emu: Emulator, raw: Any) -> dict[str, Any]:
    job_id = new_upload_job(raw)
    path = raw.get_upload_job_path(DomainName="shop", JobId=job_id)
    assert put_upload(raw, path["Url"], CSV, sse_c_headers(path["ClientToken"]))[0] == 200
    raw.start_upload_job(DomainName="shop", JobId=job_id)
    return {"domain_name": "shop", "job_id": job_id}


def setup_segment_snapshot(emu: Emulator, raw: Any) -> dict[str, Any]:
    _segment(raw)
    snapshot = raw.create_segment_snapshot(DomainName="shop", SegmentDefinitionName="gold", DataFormat="CSV")
    return {"domain_name": "shop", "segment_definition_name": "gold", "snapshot_id": snapshot["SnapshotId"]}


def setup_segment_estimate(emu: Emulator, raw: Any) -> dict[str, Any]:
    estimate = raw.create_segment_estimate(DomainName="shop", SegmentQuery=_groups())
    return {"domain_name": "shop", "estimate_id": estimate["EstimateId"]}


def setup_calculated_attribute_definition(emu: Emulator, raw: Any) -> dict[str, Any]:
    _orders(raw)
    raw.create_calculated_attribute_definition(
        DomainName="shop", CalculatedAttributeName="spend", Statistic="SUM",
        AttributeDetails={"Attributes": [{"Name": "Orders.Total"}], "Expression": "{Orders.Total}"})
    return {"domain_name": "shop", "calculated_attribute_name": "spend"}


def setup_recommender(emu: Emulator, raw: Any) -> dict[str, Any]:
    raw.create_recommender(DomainName="shop", RecommenderName="top", RecommenderRecipeName="popular-items")
    return {"domain_name": "shop", "recommender_name": "top"}


FILTER = 'EXCLUDE ItemID WHERE Items.Category IN ("hats")'


def setup_recommender_filter(emu: Emulator, raw: Any) -> dict[str, Any]:
    raw.create_recommender_filter(DomainName="shop", RecommenderFilterName="nohats", RecommenderFilterExpression=FILTER)
    return {"domain_name": "shop", "recommender_filter_name": "nohats"}


SCHEMA_FIELDS = {"_webAnalytics": [{"TargetFieldName": "Attributes.MealTime", "ContentType": "STRING",
                                    "FeatureType": "CATEGORICAL"}]}


def setup_recommender_schema(emu: Emulator, raw: Any) -> dict[str, Any]:
    raw.create_recommender_schema(DomainName="shop", RecommenderSchemaName="meals", Fields=SCHEMA_FIELDS)
    return {"domain_name": "shop", "recommender_schema_name": "meals"}


def setup_workflow(emu: Emulator, raw: Any) -> dict[str, Any]:
    _orders(raw)
    made = raw.create_integration_workflow(DomainName="shop", WorkflowType="APPFLOW_INTEGRATION",
                                           IntegrationConfig=_flow(), ObjectTypeName="Orders", RoleArn=ROLE)
    return {"domain_name": "shop", "workflow_id": made["WorkflowId"]}


def setup_event_stream(emu: Emulator, raw: Any) -> dict[str, Any]:
    raw.create_event_stream(DomainName="shop", Uri=STREAM, EventStreamName="events")
    return {"domain_name": "shop", "event_stream_name": "events"}


def setup_segment_subscription(emu: Emulator, raw: Any) -> dict[str, Any]:
    _segment(raw)
    raw.put_segment_subscription(DomainName="shop", SegmentDefinitionName="gold")
    return {"domain_name": "shop", "segment_definition_name": "gold"}


def setup_stream_for_segments(emu: Emulator, raw: Any) -> dict[str, Any]:
    raw.associate_stream_for_segments(DomainName="shop", DestinationArn=STREAM, DestinationRoleArn=ROLE)
    return {"domain_name": "shop"}


def setup_domain(emu: Emulator, raw: Any) -> dict[str, Any]:
    return {"domain_name": "shop"}


def setup_profile_object_type(emu: Emulator, raw: Any) -> dict[str, Any]:
    _orders(raw)
    return {"domain_name": "shop", "object_type_name": "Orders"}


def setup_domain_layout(emu: Emulator, raw: Any) -> dict[str, Any]:
    raw.create_domain_layout(DomainName="shop", LayoutDefinitionName="main", Description="main", DisplayName="Main",
                             LayoutType="PROFILE_EXPLORER", Layout="{}")
    return {"domain_name": "shop", "layout_definition_name": "main"}


def setup_integration(emu: Emulator, raw: Any) -> dict[str, Any]:
    _orders(raw)
    raw.put_integration(DomainName="shop", Uri=QUEUE, ObjectTypeName="Orders")
    return {"domain_name": "shop", "uri": QUEUE}


def setup_event_trigger(emu: Emulator, raw: Any) -> dict[str, Any]:
    _orders(raw)
    raw.create_event_trigger(DomainName="shop", EventTriggerName="big", ObjectTypeName="Orders",
                             EventTriggerConditions=[{"EventTriggerDimensions": [{"ObjectAttributes": [
                                 {"FieldName": "Total", "ComparisonOperator": "GREATER_THAN", "Values": ["100"]}]}],
                                 "LogicalOperator": "ALL"}])
    return {"domain_name": "shop", "event_trigger_name": "big"}


def setup_segment_definition(emu: Emulator, raw: Any) -> dict[str, Any]:
    _segment(raw)
    return {"domain_name": "shop", "segment_definition_name": "gold"}


def setup_domain_object_type(emu: Emulator, raw: Any) -> dict[str, Any]:
    raw.put_domain_object_type(DomainName="shop", ObjectTypeName="Docs",
                               Fields={"Title": {"Source": "_source.Title", "Target": "Docs.Title"}})
    return {"domain_name": "shop", "object_type_name": "Docs"}


SETUP: dict[str, Callable[[Emulator, Any], dict[str, Any]]] = {
    name[len("setup_"):]: function for name, function in globals().items() if name.startswith("setup_")
}


@dataclass(frozen=True)
class Walk:
    """How a status waiter's resource reaches success on the emulator: the statuses the progress
    callback reports (consecutive repeats dropped) with a ``delay`` short enough to see each."""

    statuses: tuple[str, ...]
    delay: float
    timeout: float = DEFAULT_TIMEOUT
    kwargs: dict[str, Any] = field(default_factory=dict)


WALKS: dict[str, Walk] = {
    "identity_resolution_job": Walk(("PENDING", "PREPROCESSING", "FIND_MATCHING", "COMPLETED"), 60, 7200),
    "upload_job": Walk(("IN_PROGRESS", "SUCCEEDED"), 1),
    "segment_snapshot": Walk(("IN_PROGRESS", "COMPLETED"), 5),
    "segment_estimate": Walk(("RUNNING", "SUCCEEDED"), 1),
    "calculated_attribute_definition": Walk(("COMPLETED",), 1),
    "recommender": Walk(("PENDING", "IN_PROGRESS", "ACTIVE"), 4),
    "recommender_filter": Walk(("PENDING", "IN_PROGRESS", "ACTIVE"), 2),
    "recommender_schema": Walk(("ACTIVE",), 1),
    "workflow": Walk(("NOT_STARTED", "IN_PROGRESS", "COMPLETE"), 2),
    "event_stream": Walk(("RUNNING",), 1),
    "segment_subscription": Walk(("STARTING", "RUNNING"), 2),
    "stream_for_segments": Walk(("RUNNING",), 1),
}


@dataclass(frozen=True)
class Failing:
    """How a status waiter's resource reaches a failure state: ``make(emu, raw, params)`` returns
    the waiter's extra keyword arguments; the waiter then raises with ``status``."""

    make: Callable[[Emulator, Any, dict[str, Any]], dict[str, Any]]
    status: str
    #: The emulator's own failure (True) or a scripted status (False).
    emulated: bool


def _schema_goes_during_training(emu: Emulator, raw: Any, params: dict[str, Any]) -> dict[str, Any]:
    raw.create_recommender_schema(DomainName="shop", RecommenderSchemaName="meals", Fields=SCHEMA_FIELDS)
    raw.delete_recommender(DomainName="shop", RecommenderName="top")
    emu.advance(10)  # "top" is gone after DELETING
    raw.create_recommender(DomainName="shop", RecommenderName="top", RecommenderRecipeName="popular-items",
                           RecommenderSchemaName="meals")
    raw.delete_recommender_schema(DomainName="shop", RecommenderSchemaName="meals")
    return {}


def _bad_filter(emu: Emulator, raw: Any, params: dict[str, Any]) -> dict[str, Any]:
    raw.create_recommender_filter(DomainName="shop", RecommenderFilterName="bad",
                                  RecommenderFilterExpression=f"SELECT {CANARY} FROM nowhere")
    params["recommender_filter_name"] = "bad"
    return {}


def _schema_deleting(emu: Emulator, raw: Any, params: dict[str, Any]) -> dict[str, Any]:
    raw.delete_recommender_schema(**wire(params))
    return {"failure_states": ["DELETING"]}


def _object_type_goes(emu: Emulator, raw: Any, params: dict[str, Any]) -> dict[str, Any]:
    emu.advance(10)  # the first step is running
    raw.delete_profile_object_type(DomainName="shop", ObjectTypeName="Orders")
    return {}


def _stream_stops(emu: Emulator, raw: Any, params: dict[str, Any]) -> dict[str, Any]:
    emu.backend.set_event_stream_health("shop", "events", False)
    return {"failure_states": ["STOPPED"]}


def _no_upload(emu: Emulator, raw: Any, params: dict[str, Any]) -> dict[str, Any]:
    params["job_id"] = new_upload_job(raw)
    raw.start_upload_job(DomainName="shop", JobId=params["job_id"])
    return {}


def _scripted(operation: str, *statuses: str, member: str = "Status") -> Callable[..., dict[str, Any]]:
    def make(emu: Emulator, raw: Any, params: dict[str, Any]) -> dict[str, Any]:
        script(emu, operation, list(statuses), member)
        return {}

    return make


FAILURES: dict[str, Failing] = {
    "identity_resolution_job": Failing(_scripted("GetIdentityResolutionJob", "PENDING", "MERGING", "FAILED"),
                                       "FAILED", False),
    "upload_job": Failing(_no_upload, "FAILED", True),
    "segment_snapshot": Failing(_scripted("GetSegmentSnapshot", "IN_PROGRESS", "FAILED"), "FAILED", False),
    "segment_estimate": Failing(_scripted("GetSegmentEstimate", "RUNNING", "FAILED"), "FAILED", False),
    "calculated_attribute_definition": Failing(
        _scripted("GetCalculatedAttributeDefinition", "PREPARING", "IN_PROGRESS", "FAILED"), "FAILED", False),
    "recommender": Failing(_schema_goes_during_training, "FAILED", True),
    "recommender_filter": Failing(_bad_filter, "FAILED", True),
    "recommender_schema": Failing(_schema_deleting, "DELETING", True),
    "workflow": Failing(_object_type_goes, "FAILED", True),
    "event_stream": Failing(_stream_stops, "STOPPED", True),
    "segment_subscription": Failing(_scripted("GetSegmentSubscription", "STARTING", "FAILED"), "FAILED", False),
    "stream_for_segments": Failing(_scripted("GetStreamForSegments", "STOPPED", "UNHEALTHY", member="State"),
                                   "UNHEALTHY", False),
}


def _stuck_calc(emu: Emulator, raw: Any, params: dict[str, Any]) -> dict[str, Any]:
    script(emu, "GetCalculatedAttributeDefinition", ["IN_PROGRESS"])
    return {}


def _stuck_schema(emu: Emulator, raw: Any, params: dict[str, Any]) -> dict[str, Any]:
    raw.delete_recommender_schema(**wire(params))  # DELETING while the clock stands still
    return {}


def _stuck_upload(emu: Emulator, raw: Any, params: dict[str, Any]) -> dict[str, Any]:
    params["job_id"] = new_upload_job(raw)  # CREATED, never started
    return {}


def _stuck_stream(emu: Emulator, raw: Any, params: dict[str, Any]) -> dict[str, Any]:
    raw.disassociate_stream_for_segments(DomainName="shop")  # STOPPED: neither success nor failure
    return {}


def stays(emu: Emulator, raw: Any, params: dict[str, Any]) -> dict[str, Any]:
    return {}


#: How to keep a resource from ending while the emulator's clock stands still (the default: it
#: starts in a working status and stays there).
STUCK: dict[str, Callable[[Emulator, Any, dict[str, Any]], dict[str, Any]]] = {
    "calculated_attribute_definition": _stuck_calc,
    "recommender_schema": _stuck_schema,
    "upload_job": _stuck_upload,
    "event_stream": lambda emu, raw, params: {"success_states": ["STOPPED"]},
    "stream_for_segments": _stuck_stream,
}


def remove(raw: Any, name: str, params: dict[str, Any]) -> None:
    """Delete the resource of the deletion waiter ``name``."""
    operation = "Delete" + ROW[name].operation[len("Get"):]
    getattr(raw, xform_name(operation))(**wire(params))


#: The statuses a deleted resource shows before it answers 404 (the recommenders' DELETING).
DELETING = {"recommender": ("DELETING",), "recommender_filter": ("DELETING",), "recommender_schema": ("DELETING",)}


# ------------------------------------------------------------------------------------ fixtures


@dataclass
class Shop:
    """An emulator with the domain ``shop``, a client with botocore's retries off, its boto3 client."""

    emu: Emulator
    client: CustomerProfilesClient
    raw: Any

    def prepare(self, name: str) -> dict[str, Any]:
        return SETUP[name](self.emu, self.raw)

    def sent(self) -> int:
        return sum(self.emu.backend.calls.values())


def new_shop() -> Shop:
    emu = Emulator()
    client = emu.client(NO_RETRIES)
    raw: Any = client.boto3_client
    raw.create_domain(DomainName="shop", DefaultExpirationDays=30, DataStore={"Enabled": True})
    return Shop(emu, client, raw)


@pytest.fixture
def shop() -> Shop:
    return new_shop()


class Recorder:
    """A progress callback that keeps what it is given, and a sleep that advances the emulator
    (or not, ``frozen``) and adds up what it slept."""

    def __init__(self, emu: Emulator | None = None) -> None:
        self.emu = emu
        self.seen: list[WaitProgress] = []
        self.slept: list[float] = []

    def __call__(self, progress: WaitProgress) -> None:
        self.seen.append(progress)

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        if self.emu is not None:
            self.emu.advance(seconds)

    def statuses(self) -> list[str | None]:
        """The statuses reported, consecutive repeats dropped."""
        return [status for status, _ in itertools.groupby(p.status for p in self.seen)]


def in_order(seen: list[str | None], walk: tuple[str, ...]) -> bool:
    """Whether ``seen`` is ``walk`` with some of its first statuses skipped (passed during retries)."""
    return bool(seen) and tuple(seen) == walk[len(walk) - len(seen):]


def method(client: Any, name: str, deleted: bool = False) -> Callable[..., Any]:
    return getattr(client, f"wait_for_{name}{'_deleted' if deleted else ''}")  # type: ignore[no-any-return]


def response_class(name: str) -> str:
    return ROW[name].operation + "Response"


def check_progress(recorder: Recorder, name: str, deleted: bool = False) -> None:
    """The progress calls number the polls, only the last one has no next delay, and elapsed grows."""
    seen = recorder.seen
    assert [p.attempt for p in seen] == list(range(1, len(seen) + 1))
    assert all(p.waiter == f"{name}{'_deleted' if deleted else ''}" for p in seen)
    assert all(p.next_delay is not None for p in seen[:-1])
    assert [p.elapsed for p in seen] == sorted(p.elapsed for p in seen)
    assert [p.next_delay for p in seen[:-1]] == recorder.slept[: len(seen) - 1]


# ------------------------------------------------------------------------ every waiter, emulated


def test_every_status_waiter_has_a_walk_a_failure_and_every_row_a_setup() -> None:
    assert sorted(WALKS) == sorted(FAILURES) == STATUS_WAITERS
    assert sorted(SETUP) == sorted(row.name for row in ROWS)
    assert len(STATUS_WAITERS) == 12 and len(DELETABLE) == 14


@pytest.mark.parametrize("name", STATUS_WAITERS)
def test_success_walks_every_status_and_returns_the_response_model(shop: Shop, name: str) -> None:
    params = shop.prepare(name)
    walk = WALKS[name]
    recorder = Recorder(shop.emu)
    got = method(shop.client, name)(**params, delay=walk.delay, max_delay=walk.delay, timeout=walk.timeout,
                                    progress=recorder, sleep=recorder.sleep, **walk.kwargs)
    assert type(got).__name__ == response_class(name)
    assert getattr(got, SPECS[name].status or "") == walk.statuses[-1]
    assert recorder.statuses() == list(walk.statuses)
    assert recorder.seen[-1].response is got and recorder.seen[-1].next_delay is None
    check_progress(recorder, name)


@pytest.mark.parametrize("name", STATUS_WAITERS)
def test_failure_state_raises_waiter_failed_error_with_the_last_response(shop: Shop, name: str) -> None:
    params = shop.prepare(name)
    failing = FAILURES[name]
    extra = failing.make(shop.emu, shop.raw, params)
    recorder = Recorder(shop.emu)
    with pytest.raises(WaiterFailedError) as caught:
        method(shop.client, name)(**params, delay=2, max_delay=4, progress=recorder, sleep=recorder.sleep, **extra)
    error = caught.value
    assert isinstance(error, WaiterError) and isinstance(error, CustomerProfilesError)
    assert error.status == failing.status and error.waiter == name
    assert type(error.last_response).__name__ == response_class(name)
    assert recorder.seen[-1].status == failing.status and recorder.seen[-1].next_delay is None
    assert recorder.seen[-1].response is error.last_response
    assert f"reached the failure state {failing.status}" in str(error)
    assert CANARY not in str(error) and CANARY not in repr(error)
    check_progress(recorder, name)


def test_upload_job_stopped_is_a_failure(shop: Shop) -> None:
    job_id = new_upload_job(shop.raw)
    shop.raw.stop_upload_job(DomainName="shop", JobId=job_id)
    with pytest.raises(WaiterFailedError) as caught:
        shop.client.wait_for_upload_job(domain_name="shop", job_id=job_id, sleep=shop.emu.advance)
    assert caught.value.status == "STOPPED" and cast(Any, caught.value.last_response).status == "STOPPED"


def test_default_success_states_include_partial_ones(shop: Shop) -> None:
    params = shop.prepare("identity_resolution_job")
    script(shop.emu, "GetIdentityResolutionJob", ["MERGING", "PARTIAL_SUCCESS"])
    got = shop.client.wait_for_identity_resolution_job(**params, sleep=shop.emu.advance)
    assert got.status == "PARTIAL_SUCCESS"


def test_state_overrides_wait_for_a_stopped_recommender_and_accept_enum_members(shop: Shop) -> None:
    from customer_profiles_sdk.models import RecommenderStatus

    params = shop.prepare("recommender")
    shop.client.wait_for_recommender(**params, sleep=shop.emu.advance)
    shop.raw.stop_recommender(**wire(params))
    recorder = Recorder(shop.emu)
    got = shop.client.wait_for_recommender(**params, success_states=[RecommenderStatus.INACTIVE], delay=2,
                                           progress=recorder, sleep=recorder.sleep)
    assert got.status == "INACTIVE" and recorder.statuses() == ["STOPPING", "INACTIVE"]
    # A stopped recommender never becomes ACTIVE by itself: the default waits until its timeout.
    with pytest.raises(WaiterTimeoutError) as caught:
        shop.client.wait_for_recommender(**params, timeout=60, sleep=shop.emu.advance)
    assert caught.value.status == "INACTIVE"


def test_event_stream_waits_for_a_stop_with_success_states(shop: Shop) -> None:
    params = shop.prepare("event_stream")
    shop.emu.backend.set_event_stream_health("shop", "events", False)
    assert shop.client.wait_for_event_stream(**params, success_states=["STOPPED"], sleep=shop.emu.advance).state == (
        "STOPPED")


@pytest.mark.parametrize("name", STATUS_WAITERS)
def test_timeout_raises_with_the_last_response_and_never_sleeps_past_it(shop: Shop, name: str) -> None:
    params = shop.prepare(name)
    extra = STUCK.get(name, stays)(shop.emu, shop.raw, params)
    recorder = Recorder()  # the emulator's clock stands still: the resource stays where it is
    with pytest.raises(WaiterTimeoutError) as caught:
        method(shop.client, name)(**params, delay=1, max_delay=8, timeout=30, progress=recorder,
                                  sleep=recorder.sleep, **extra)
    error = caught.value
    assert isinstance(error, WaiterError) and isinstance(error, CustomerProfilesError)
    assert type(error.last_response).__name__ == response_class(name)
    status = getattr(error.last_response, SPECS[name].status or "")
    assert error.status == status and status is not None
    assert sum(recorder.slept) <= 30 and error.elapsed <= 30
    assert len(recorder.slept) >= 4  # 1, 2, 4, 8: about 15 s, then the next pause passes 30 s
    assert recorder.seen[-1].next_delay is None and recorder.seen[-1].status == status
    assert "timeout of 30 s" in str(error) and f"still {status}" in str(error)


@pytest.mark.parametrize("name", STATUS_WAITERS)
def test_throttling_while_polling_is_retried(shop: Shop, name: str) -> None:
    params = shop.prepare(name)
    walk = WALKS[name]
    shop.emu.fail(ROW[name].operation, code="ThrottlingException", status=429, times=3)
    recorder = Recorder(shop.emu)
    got = method(shop.client, name)(**params, delay=walk.delay, max_delay=walk.delay, timeout=walk.timeout,
                                    progress=recorder, sleep=recorder.sleep, **walk.kwargs)
    assert type(got).__name__ == response_class(name)
    assert [(p.status, p.response) for p in recorder.seen[:3]] == [(None, None)] * 3
    assert in_order(recorder.statuses()[1:], walk.statuses)
    check_progress(recorder, name)


@pytest.mark.parametrize(("code", "status"), [
    ("InternalServerException", 500), ("ServiceUnavailable", 503), ("BadGateway", 502), ("SlowDown", 503),
    ("Throttling", 400), ("TooManyRequestsException", 400), ("RequestLimitExceeded", 400),
    ("RequestTimeoutException", 408), ("ThrottlingException", 400),
])
def test_5xx_and_throttling_codes_while_polling_are_retried(shop: Shop, code: str, status: int) -> None:
    params = shop.prepare("recommender")
    shop.emu.fail("GetRecommender", code=code, status=status, times=2)
    assert shop.client.wait_for_recommender(**params, sleep=shop.emu.advance).status == "ACTIVE"
    assert shop.emu.backend.calls["GetRecommender"] >= 2


@pytest.mark.parametrize(("code", "status", "error_class"), [
    ("BadRequestException", 400, BadRequestError), ("AccessDeniedException", 403, AccessDeniedError),
    ("ValidationException", 400, UnmodeledServiceError), ("ResourceNotFoundException", 404, ResourceNotFoundError),
])
def test_a_client_error_while_polling_is_raised_at_once(shop: Shop, code: str, status: int,
                                                         error_class: type[Exception]) -> None:
    params = shop.prepare("recommender")
    shop.emu.fail("GetRecommender", code=code, status=status, message=CANARY, times=1)
    recorder = Recorder(shop.emu)
    with pytest.raises(error_class):
        shop.client.wait_for_recommender(**params, progress=recorder, sleep=recorder.sleep)
    assert recorder.slept == [] and recorder.seen == []


def test_a_missing_resource_is_raised_at_once_by_a_status_waiter(shop: Shop) -> None:
    with pytest.raises(ResourceNotFoundError):
        shop.client.wait_for_recommender(domain_name="shop", recommender_name="none", sleep=shop.emu.advance)
    assert shop.emu.backend.calls["GetRecommender"] == 1


def test_throttled_on_every_poll_times_out_naming_the_error_class_only(shop: Shop) -> None:
    params = shop.prepare("recommender")
    shop.client.wait_for_recommender(**params, sleep=shop.emu.advance)  # ACTIVE: a last status to keep
    shop.raw.stop_recommender(**wire(params))
    recorder = Recorder(shop.emu)
    first = shop.client.wait_for_recommender(**params, success_states=["STOPPING"], sleep=recorder.sleep)
    assert first.status == "STOPPING"
    shop.emu.fail("GetRecommender", code="ThrottlingException", status=429, message=CANARY, times=10_000)
    with pytest.raises(WaiterTimeoutError) as caught:
        shop.client.wait_for_recommender(**params, timeout=100, sleep=recorder.sleep)
    error = caught.value
    assert error.last_response is None and error.status is None
    assert "the last poll failed (ThrottlingError ThrottlingException)" in str(error)
    assert CANARY not in str(error)
    assert isinstance(error.__context__, CustomerProfilesError)  # the last poll's error, for a traceback


def test_service_rate_limits_while_polling_are_retried() -> None:
    now = [0.0]
    emu = Emulator(rate_limits={"GetRecommender": 0.1}, rate_clock=lambda: now[0])
    client = emu.client(NO_RETRIES)
    client.create_domain(domain_name="shop", default_expiration_days=30)
    client.create_recommender(domain_name="shop", recommender_name="top", recommender_recipe_name="popular-items")

    def sleep(seconds: float) -> None:
        now[0] += seconds
        emu.advance(seconds)

    recorder = Recorder()
    got = client.wait_for_recommender(domain_name="shop", recommender_name="top", delay=2, max_delay=2,
                                      progress=recorder, sleep=sleep)
    assert got.status == "ACTIVE"
    assert any(p.status is None for p in recorder.seen) and emu.throttled


def test_real_sleep_is_time_sleep_and_the_timeout_counts_the_wall_clock(shop: Shop,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    params = shop.prepare("upload_job")
    _stuck_upload(shop.emu, shop.raw, params)
    real_sleep, slept = time.sleep, []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        real_sleep(seconds)

    monkeypatch.setattr(time, "sleep", sleep)
    with pytest.raises(WaiterTimeoutError) as caught:
        shop.client.wait_for_upload_job(**params, delay=0.01, max_delay=0.02, timeout=0.2)
    monkeypatch.undo()
    # Each pause began only if it would end within the timeout, on the wall clock (which also
    # counts the polls): the pauses add up to at most the timeout, however slow the machine.
    assert caught.value.status == "CREATED" and slept and sum(slept) <= 0.2


@pytest.mark.parametrize("name", DELETABLE)
def test_deletion_waiter_returns_none_once_the_resource_answers_404(shop: Shop, name: str) -> None:
    params = shop.prepare(name)
    remove(shop.raw, name, params)
    recorder = Recorder(shop.emu)
    assert method(shop.client, name, deleted=True)(**params, delay=2, progress=recorder, sleep=recorder.sleep) is None
    assert recorder.statuses() == [*DELETING.get(name, ()), None]
    assert recorder.seen[-1].response is None and recorder.seen[-1].next_delay is None
    check_progress(recorder, name, deleted=True)


@pytest.mark.parametrize("name", DELETABLE)
def test_deletion_waiter_times_out_while_the_resource_stays(shop: Shop, name: str) -> None:
    params = shop.prepare(name)
    recorder = Recorder(shop.emu)
    with pytest.raises(WaiterTimeoutError) as caught:
        method(shop.client, name, deleted=True)(**params, delay=5, max_delay=20, timeout=120, progress=recorder,
                                                sleep=recorder.sleep)
    error = caught.value
    assert type(error.last_response).__name__ == response_class(name)
    assert error.waiter == f"{name}_deleted" and sum(recorder.slept) <= 120 and error.elapsed <= 120
    assert "still there" in str(error)
    spec = SPECS[name]
    assert error.status == (getattr(error.last_response, spec.status) if spec.status else None)


def test_deletion_waiter_retries_throttling_and_raises_other_errors(shop: Shop) -> None:
    params = shop.prepare("workflow")
    remove(shop.raw, "workflow", params)
    shop.emu.fail("GetWorkflow", times=2)
    assert method(shop.client, "workflow", deleted=True)(**params, sleep=shop.emu.advance) is None
    shop.emu.fail("GetWorkflow", code="AccessDeniedException", status=403)
    with pytest.raises(AccessDeniedError):
        shop.client.wait_for_workflow_deleted(**params, sleep=shop.emu.advance)


def test_deletion_waiters_take_no_state_options(shop: Shop) -> None:
    with pytest.raises(TypeError):
        method(shop.client, "recommender", deleted=True)(domain_name="shop", recommender_name="x",
                                                         success_states=["ACTIVE"])


# ------------------------------------------------------------------------ options, through the client

def endless(*values: Any) -> Iterator[Any]:
    """An iterable with no useful end: a waiter must stop reading it early. (It does end after a
    million items with an AssertionError, so that a waiter that reads it all fails, not hangs.)"""
    yield from itertools.islice(itertools.cycle(values), 1_000_000)
    raise AssertionError("the waiter read the whole iterable")


BAD_OPTIONS: list[tuple[dict[str, Any], str, str]] = [
    ({"delay": 0}, "delay", "min"),
    ({"delay": -1}, "delay", "min"),
    ({"delay": math.nan}, "delay", "type"),
    ({"delay": math.inf}, "delay", "max"),
    ({"delay": "5"}, "delay", "type"),
    ({"delay": True}, "delay", "type"),
    ({"delay": None}, "delay", "type"),
    ({"delay": 10**400}, "delay", "max"),
    ({"max_delay": -0.5}, "max_delay", "min"),
    ({"max_delay": math.inf}, "max_delay", "max"),
    ({"max_delay": 10**400}, "max_delay", "max"),
    ({"max_delay": [1]}, "max_delay", "type"),
    ({"timeout": -1}, "timeout", "min"),
    ({"timeout": math.nan}, "timeout", "type"),
    ({"timeout": 10**400}, "timeout", "max"),
    ({"timeout": "1800"}, "timeout", "type"),
    ({"success_states": "ACTIVE"}, "success_states", "type"),
    ({"success_states": b"ACTIVE"}, "success_states", "type"),
    ({"success_states": 5}, "success_states", "type"),
    ({"success_states": [CANARY]}, "success_states[0]", "enum"),
    ({"success_states": ["ACTIVE", 7]}, "success_states[1]", "enum"),
    ({"success_states": []}, "success_states", "min_length"),
    ({"success_states": endless("ACTIVE")}, "success_states", "max_length"),
    ({"failure_states": [CANARY]}, "failure_states[0]", "enum"),
    ({"failure_states": ["ACTIVE"]}, "failure_states", "conflict"),
    ({"failure_states": endless(1)}, "failure_states", "max_length"),
    ({"progress": 5}, "progress", "type"),
    ({"progress": CANARY}, "progress", "type"),
    ({"sleep": 5}, "sleep", "type"),
]


async def _async_sleep(seconds: float) -> None:
    return None


@pytest.mark.parametrize(("options", "path", "rule"), BAD_OPTIONS)
def test_bad_options_are_refused_before_anything_is_sent(shop: Shop, options: dict[str, Any], path: str,
                                                         rule: str) -> None:
    before = shop.sent()
    with pytest.raises(ParamValidationError) as caught:
        shop.client.wait_for_recommender(domain_name="shop", recommender_name="top", **options)
    assert [(p.path, p.rule) for p in caught.value.problems] == [(path, rule)]
    assert "wait_for_recommender" in str(caught.value)
    assert CANARY not in str(caught.value) and "10000000000" not in str(caught.value)
    assert shop.sent() == before


def test_every_bad_option_is_named_at_once(shop: Shop) -> None:
    with pytest.raises(ParamValidationError) as caught:
        shop.client.wait_for_recommender(domain_name="shop", recommender_name="top", delay=-1, max_delay="x",  # type: ignore[arg-type]
                                         timeout=math.nan, success_states=["NOPE"], progress=1,  # type: ignore[arg-type,list-item]
                                         sleep=2)  # type: ignore[arg-type]
    assert {p.path for p in caught.value.problems} == {"delay", "max_delay", "timeout", "success_states[0]",
                                                       "progress", "sleep"}


@pytest.mark.parametrize("sleep", [_async_sleep, lambda seconds: _async_sleep(seconds)])
def test_a_coroutine_sleep_is_refused_by_the_sync_client(shop: Shop, sleep: Any) -> None:
    # A coroutine function is refused before the first poll; a plain function that gives an
    # awaitable is found at its first pause (its coroutine is closed, never left unawaited).
    params = shop.prepare("recommender")
    with pytest.raises(ParamValidationError) as caught:
        shop.client.wait_for_recommender(**params, sleep=sleep)
    assert [p.path for p in caught.value.problems] == ["sleep"]
    assert shop.emu.backend.calls.get("GetRecommender", 0) == (0 if sleep is _async_sleep else 1)


def test_bad_deletion_waiter_options_name_the_deletion_waiter(shop: Shop) -> None:
    with pytest.raises(ParamValidationError) as caught:
        shop.client.wait_for_domain_deleted(domain_name="shop", timeout=-5)
    assert "wait_for_domain_deleted" in str(caught.value)
    assert [p.path for p in caught.value.problems] == ["timeout"]


def test_a_bad_request_parameter_is_refused_before_anything_is_sent(shop: Shop) -> None:
    before = shop.sent()
    with pytest.raises(ParamValidationError) as caught:
        shop.client.wait_for_recommender(domain_name="shop", recommender_name="x" * 1000, sleep=shop.emu.advance)
    assert caught.value.problems[0].path == "RecommenderName" and shop.sent() == before


def test_max_delay_below_delay_is_lifted_to_it() -> None:
    waiting = Waiting(SPECS["recommender"], delay=10, max_delay=1, jitter=lambda: 1.0)
    assert waiting.max_delay == 10
    assert waiting.answered(SimpleNamespace(status="PENDING")) == 10


def test_defaults() -> None:
    assert (DEFAULT_DELAY, DEFAULT_MAX_DELAY, DEFAULT_TIMEOUT) == (5.0, 60.0, 1800.0)


# ------------------------------------------------------------------------------ Waiting, sans I/O


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def pending(status: str | None = "PENDING", **extra: Any) -> SimpleNamespace:
    return SimpleNamespace(status=status, **extra)


@pytest.mark.parametrize(("jitter", "expected"), [
    (1.0, [1, 2, 4, 8, 8, 8]), (0.0, [0.5, 1, 2, 4, 4, 4]), (0.5, [0.75, 1.5, 3, 6, 6, 6]),
])
def test_backoff_doubles_up_to_max_delay_with_equal_jitter(jitter: float, expected: list[float]) -> None:
    waiting = Waiting(SPECS["recommender"], delay=1, max_delay=8, timeout=math.inf, clock=Clock(),
                      jitter=lambda: jitter)
    assert [waiting.answered(pending()) for _ in expected] == expected


def test_jitter_stays_between_half_and_all_of_the_base() -> None:
    waiting = Waiting(SPECS["recommender"], delay=3, max_delay=40, timeout=math.inf, clock=Clock())
    bases = [3, 6, 12, 24, 40, 40, 40, 40]
    for base in bases * 20:
        waiting.attempt = bases.index(base)  # the pause after poll attempt+1
        pause = waiting.answered(pending())
        assert pause is not None and base / 2 <= pause <= base


def test_retried_errors_count_in_the_backoff() -> None:
    from customer_profiles_sdk.errors import ThrottlingError

    waiting = Waiting(SPECS["recommender"], delay=1, max_delay=60, timeout=math.inf, clock=Clock(), jitter=lambda: 1.0)
    error = ThrottlingError({"Error": {"Code": "ThrottlingException", "Message": CANARY},
                             "ResponseMetadata": {"HTTPStatusCode": 429}}, "GetRecommender")
    assert [waiting.failed(error), waiting.answered(pending()), waiting.failed(error)] == [1, 2, 4]


def test_wall_clock_timeout_never_sleeps_past_it() -> None:
    clock = Clock()
    seen: list[WaitProgress] = []
    waiting = Waiting(SPECS["recommender"], delay=10, max_delay=100, timeout=25, clock=clock, jitter=lambda: 1.0,
                      progress=seen.append)
    assert waiting.answered(pending()) == 10
    clock.now += 10.5  # the sleep, and a slow poll
    with pytest.raises(WaiterTimeoutError) as caught:
        waiting.answered(pending("IN_PROGRESS"))  # 10.5 + 20 would pass 25
    assert caught.value.elapsed == 10.5 and caught.value.status == "IN_PROGRESS"
    assert [(p.attempt, p.status, p.next_delay, p.elapsed) for p in seen] == [
        (1, "PENDING", 10, 0.0), (2, "IN_PROGRESS", None, 10.5)]


def test_custom_sleep_timeout_counts_the_seconds_slept() -> None:
    waiting = Waiting(SPECS["recommender"], delay=10, max_delay=10, timeout=35, clock=Clock(), jitter=lambda: 1.0,
                      sleep=lambda seconds: None)
    assert [waiting.answered(pending()) for _ in range(3)] == [10, 10, 10]
    with pytest.raises(WaiterTimeoutError) as caught:
        waiting.answered(pending())
    assert caught.value.elapsed == 30


def test_a_zero_timeout_polls_once() -> None:
    waiting = Waiting(SPECS["recommender"], timeout=0, clock=Clock())
    assert waiting.answered(pending("ACTIVE")) is None and waiting.result.status == "ACTIVE"
    with pytest.raises(WaiterTimeoutError):
        Waiting(SPECS["recommender"], timeout=0, clock=Clock()).answered(pending())


def test_an_unknown_or_missing_status_keeps_waiting_and_is_quoted_bounded() -> None:
    clock = Clock()
    waiting = Waiting(SPECS["recommender"], delay=1, timeout=2, clock=clock, jitter=lambda: 1.0)
    assert waiting.answered(pending(None)) == 1
    clock.now += 1
    long_status = "NEW_" + "\n" * 5 + "X" * 500
    with pytest.raises(WaiterTimeoutError) as caught:
        waiting.answered(pending(long_status))
    text = str(caught.value)
    assert "\n" not in text and len(text) < 300 and caught.value.status == long_status


def test_the_failure_text_holds_no_personal_data() -> None:
    from customer_profiles_sdk.models import GetRecommenderResponse

    response = GetRecommenderResponse.from_boto({"RecommenderName": "top", "RecommenderRecipeName": "popular-items",
                                                 "Status": "FAILED", "FailureReason": CANARY,
                                                 "Description": CANARY})
    waiting = Waiting(SPECS["recommender"])
    with pytest.raises(WaiterFailedError) as caught:
        waiting.answered(response)
    error = caught.value
    assert cast(Any, error.last_response) is response and error.status == "FAILED"
    for text in (str(error), repr(error), str(error.args), str(error.kwargs)):
        assert CANARY not in text


def test_waiter_errors_pickle_and_are_botocore_waiter_errors() -> None:
    from customer_profiles_sdk.models import GetUploadJobResponse

    response = GetUploadJobResponse.from_boto({"JobId": "j1", "Status": "STOPPED"})
    for error_class in (WaiterFailedError, WaiterTimeoutError):
        error = error_class("upload_job", "reached the failure state STOPPED", response, "STOPPED", 12.5)
        assert isinstance(error, WaiterError) and isinstance(error, CustomerProfilesError)
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is error_class and str(copy) == str(error)
        assert (copy.waiter, copy.status, copy.elapsed) == ("upload_job", "STOPPED", 12.5)
        assert cast(Any, copy.last_response) == response
        assert str(copy) == "Waiter upload_job failed: reached the failure state STOPPED"
    empty = pickle.loads(pickle.dumps(WaiterTimeoutError("domain_deleted", "still there", None, None, 1.0)))
    assert empty.last_response is None and empty.status is None


def test_deleted_waiting_ends_on_404_only() -> None:
    not_found = ResourceNotFoundError({"Error": {"Code": "ResourceNotFoundException", "Message": CANARY},
                                       "ResponseMetadata": {"HTTPStatusCode": 404}}, "GetDomain")
    waiting = Waiting(SPECS["domain"], deleted=True, delay=1, clock=Clock(), jitter=lambda: 1.0)
    assert waiting.answered(SimpleNamespace(domain_name="shop")) == 1
    assert waiting.failed(not_found) is None and waiting.result is None
    status_waiting = Waiting(SPECS["domain_layout"], delay=1, clock=Clock())
    with pytest.raises(ResourceNotFoundError):
        status_waiting.failed(not_found)


def test_a_progress_callback_that_raises_stops_the_wait(shop: Shop) -> None:
    params = shop.prepare("recommender")

    def progress(seen: WaitProgress) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        shop.client.wait_for_recommender(**params, progress=progress, sleep=shop.emu.advance)
    assert shop.emu.backend.calls["GetRecommender"] == 1


def test_a_hostile_states_iterable_is_read_only_up_to_its_bound() -> None:
    read = itertools.count()

    def states() -> Iterator[str]:
        for _ in endless("ACTIVE", "FAILED"):
            next(read)
            yield "ACTIVE"

    with pytest.raises(ParamValidationError) as caught:
        Waiting(SPECS["recommender"], success_states=states())
    assert caught.value.problems[0].rule == "max_length" and next(read) <= 100


# ------------------------------------------------------------------------- the table and the docs


def _model() -> dict[str, Any]:
    return json.loads((ROOT / "codegen" / "model" / "service-2.json").read_text())  # type: ignore[no-any-return]


def _enum_of(model: dict[str, Any], row: WaiterRow) -> tuple[str, list[str]]:
    output = model["shapes"][model["operations"][row.operation]["output"]["shape"]]
    shape = output["members"][row.status]["shape"]
    return shape, list(model["shapes"][shape]["enum"])


def waiter_table() -> list[str]:
    """The guide's table of the waiters, from codegen/waiters.py and the model's enums."""
    model = _model()
    lines = ["| resource | methods | polls | status member (enum) | success | failure | still working |",
             "|---|---|---|---|---|---|---|"]
    for row in sorted(ROWS, key=lambda r: r.name):
        methods = ([f"`wait_for_{row.name}`"] if row.status else []) + (
            [f"`wait_for_{row.name}_deleted`"] if row.deletable else [])
        if row.status is None:
            member, success, failure, working = "—", "—", "—", "—"
        else:
            shape, values = _enum_of(model, row)
            member = f"`{row.status}` (`{shape}`)"
            success = ", ".join(row.success)
            failure = ", ".join(row.failure) or "—"
            working = ", ".join(v for v in values if v not in row.success and v not in row.failure) or "—"
        lines.append(f"| {row.description} | {'<br>'.join(methods)} | `{row.operation}` | {member} | {success} | "
                     f"{failure} | {working} |")
    return lines


def test_the_guide_table_is_the_waiter_table() -> None:
    text = GUIDE.read_text()
    table = "\n".join(waiter_table())
    assert table in text, "regenerate the table: python -c 'from tests.test_waiters import waiter_table; " \
                          "print(*waiter_table(), sep=chr(10))'"
    for row in ROWS:  # and every method is spelled out somewhere else in the guide too
        assert f"wait_for_{row.name}" in text


def test_the_generated_specs_follow_the_table_and_the_model() -> None:
    model = _model()
    assert sorted(SPECS) == sorted(row.name for row in ROWS)
    for row in ROWS:
        spec = SPECS[row.name]
        assert (spec.operation, spec.success, spec.failure) == (row.operation, row.success, row.failure)
        if row.status is None:
            assert spec.status is None and spec.states == ()
        else:
            assert spec.states == tuple(_enum_of(model, row)[1])
            assert spec.status == xform_name(row.status)


def test_every_status_bearing_get_and_every_deletable_resource_has_a_waiter() -> None:
    model = _model()
    operations = model["operations"]
    have_status = set()
    for name, operation in operations.items():
        if not name.startswith("Get") or "output" not in operation:
            continue
        members = model["shapes"][operation["output"]["shape"]].get("members", {})
        if any(member in ("Status", "State") and "enum" in model["shapes"][shape["shape"]]
               for member, shape in members.items()):
            have_status.add(name)
    assert have_status == {row.operation for row in ROWS if row.status is not None}
    deletable = {"Get" + name[len("Delete"):] for name in operations
                 if name.startswith("Delete") and "Get" + name[len("Delete"):] in operations}
    assert deletable == {row.operation for row in ROWS if row.deletable}


def test_both_clients_have_every_waiter_method() -> None:
    from customer_profiles_sdk.aio import AsyncCustomerProfilesClient

    for row in ROWS:
        names = ([f"wait_for_{row.name}"] if row.status else []) + (
            [f"wait_for_{row.name}_deleted"] if row.deletable else [])
        for name in names:
            assert callable(getattr(CustomerProfilesClient, name))
            assert callable(getattr(AsyncCustomerProfilesClient, name))
