"""The waiter table: what the generator turns into ``wait_for_<name>`` and
``wait_for_<name>_deleted`` methods of both clients (botocore models no waiters for this service).

Each row names the ``Get`` operation that reads the resource, the status member of its output
(a wire name), and the states that end the wait: ``success`` returns the response, ``failure``
raises :class:`~customer_profiles_sdk.errors.WaiterFailedError`. The states must be values of the
member's enum in the service model (the generator checks it). A resource with no status (``status``
None) only gets the deletion waiter; ``deletable`` adds one for a resource that has a Delete
operation: it waits until the ``Get`` operation answers 404.

Terminal states come from the model's enums: every value not listed in ``success`` or
``failure`` means "still working" (docs/guides/long-running-jobs.md lists them all).
"""

from __future__ import annotations

from typing import NamedTuple


class WaiterRow(NamedTuple):
    name: str
    operation: str
    status: str | None
    success: tuple[str, ...]
    failure: tuple[str, ...]
    deletable: bool
    #: The resource, as a noun phrase ("a recommender"), for the docstrings of both methods:
    #: "Wait for <description>: ..." and "Wait until <description> is deleted: ...".
    description: str


WAITERS: tuple[WaiterRow, ...] = (
    WaiterRow("identity_resolution_job", "GetIdentityResolutionJob", "Status",
              ("COMPLETED", "PARTIAL_SUCCESS"), ("FAILED",), False, "an identity resolution job"),
    WaiterRow("upload_job", "GetUploadJob", "Status",
              ("SUCCEEDED", "PARTIALLY_SUCCEEDED"), ("FAILED", "STOPPED"), False, "an upload job"),
    WaiterRow("segment_snapshot", "GetSegmentSnapshot", "Status",
              ("COMPLETED",), ("FAILED",), False, "a segment snapshot"),
    WaiterRow("segment_estimate", "GetSegmentEstimate", "Status",
              ("SUCCEEDED",), ("FAILED",), False, "a segment estimate (HTTP 202 until it is ready)"),
    WaiterRow("calculated_attribute_definition", "GetCalculatedAttributeDefinition", "Status",
              ("COMPLETED",), ("FAILED",), True, "a calculated attribute definition"),
    WaiterRow("recommender", "GetRecommender", "Status", ("ACTIVE",), ("FAILED",), True,
              "a recommender"),
    WaiterRow("recommender_filter", "GetRecommenderFilter", "Status",
              ("ACTIVE",), ("FAILED",), True, "a recommender filter"),
    WaiterRow("recommender_schema", "GetRecommenderSchema", "Status",
              ("ACTIVE",), (), True, "a recommender schema"),
    WaiterRow("workflow", "GetWorkflow", "Status",
              ("COMPLETE",), ("FAILED", "CANCELLED"), True, "a workflow"),
    WaiterRow("event_stream", "GetEventStream", "State",
              ("RUNNING",), (), True, "an event stream"),
    WaiterRow("segment_subscription", "GetSegmentSubscription", "Status",
              ("RUNNING",), ("FAILED",), True, "a segment subscription"),
    WaiterRow("stream_for_segments", "GetStreamForSegments", "State",
              ("RUNNING",), ("UNHEALTHY",), False, "the segment stream association"),
    WaiterRow("domain", "GetDomain", None, (), (), True, "a domain"),
    WaiterRow("profile_object_type", "GetProfileObjectType", None, (), (), True, "a profile object type"),
    WaiterRow("domain_layout", "GetDomainLayout", None, (), (), True, "a domain layout"),
    WaiterRow("integration", "GetIntegration", None, (), (), True, "an integration"),
    WaiterRow("event_trigger", "GetEventTrigger", None, (), (), True, "an event trigger"),
    WaiterRow("segment_definition", "GetSegmentDefinition", None, (), (), True, "a segment definition"),
    WaiterRow("domain_object_type", "GetDomainObjectType", None, (), (), True, "a domain object type"),
)


def _check(rows: tuple[WaiterRow, ...]) -> None:
    """What the table itself must hold (the generator checks the states against the model's enums)."""
    names = [row.name for row in rows]
    if len(set(names)) != len(names):
        raise ValueError("waiter names must be unique")
    for row in rows:
        if set(row.success) & set(row.failure):
            raise ValueError(f"waiter {row.name}: a state is both a success and a failure")
        if row.status is None and (row.success or row.failure or not row.deletable):
            raise ValueError(f"waiter {row.name}: a resource without status has only a deletion waiter")
        if row.status is not None and not row.success:
            raise ValueError(f"waiter {row.name}: a status waiter needs a success state")
        if not row.operation.startswith("Get"):
            raise ValueError(f"waiter {row.name}: polls a Get operation")


_check(WAITERS)
