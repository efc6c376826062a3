"""Event streams to Kinesis destinations, with their statuses.

Operations: CreateEventStream, DeleteEventStream, GetEventStream, ListEventStreams.

A stream's state lives in ``Domain.areas["event_streams"]`` (stream name -> record), so it goes
with its domain. A new stream is ``RUNNING`` with a ``HEALTHY`` destination. The emulator has no
Kinesis: a test makes a destination fail with :meth:`EventStreamsArea.set_event_stream_health`
(``UNHEALTHY`` since that moment, and the stream ``STOPPED`` since the same moment), and heals it
the same way (``HEALTHY`` and ``RUNNING`` again). While a stream runs, every profile change the
backend emits is recorded as the record the stream would deliver
(:meth:`EventStreamsArea.event_stream_records`), at most :data:`MAX_RECORDS` per stream.
"""

from __future__ import annotations

import hashlib
import re
from collections import deque
from typing import Any

from .._errors import bad_request, not_found
from .._store import BackendBase, Domain, Params, ProfileEvent

_AREA = "event_streams"
#: A Kinesis data stream ARN: partition, region, 12-digit account, ``stream/<name>`` (the stream
#: name rule of Kinesis: 1 to 128 characters of letters, digits, ``_``, ``.`` and ``-``).
_KINESIS_STREAM_ARN = re.compile(
    r"arn:aws(?:-[a-z]+)*:kinesis:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):stream/[A-Za-z0-9_.-]{1,128}")
#: The records kept per stream for tests to read (the oldest go first).
MAX_RECORDS = 10_000


def _streams(backend: BackendBase, domain: Domain) -> dict[str, dict[str, Any]]:
    streams: dict[str, dict[str, Any]] = backend.area_state(domain, _AREA, dict)
    return streams


class EventStreamsArea(BackendBase):
    """Event streams to Kinesis destinations, with their statuses."""

    def tagged_records_event_streams(self, domain: Domain) -> dict[str, dict[str, dict[str, Any]]]:
        """The records that TagResource can tag, by the ARN's resource kind."""
        return {"event-streams": self.area_state(domain, _AREA, dict)}

    def _event_stream(self, domain: Domain, name: str) -> dict[str, Any]:
        record = _streams(self, domain).get(name)
        if record is None:
            raise not_found("Event stream not found")
        return record

    def op_CreateEventStream(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        name = params["EventStreamName"]
        streams = _streams(self, domain)
        if name in streams:
            raise bad_request("An event stream with this name already exists in the domain")
        match = _KINESIS_STREAM_ARN.fullmatch(params["Uri"])
        if match is None:
            raise bad_request("Uri must be the ARN of a Kinesis data stream "
                              "(arn:aws:kinesis:<region>:<account>:stream/<name>)")
        if match.group(1) != self.region or match.group(2) != self.account_id:
            raise bad_request("Uri must name a Kinesis data stream in the domain's region and account")
        record: dict[str, Any] = {
            "DomainName": params["DomainName"], "EventStreamName": name,
            "EventStreamArn": self._arn("domains", params["DomainName"], "event-streams", name),
            "CreatedAt": self.now(), "State": "RUNNING", "StoppedSince": None,
            "Uri": params["Uri"], "Status": "HEALTHY", "UnhealthySince": None, "Message": None,
            "Tags": self._tags(params), "records": deque(maxlen=MAX_RECORDS), "delivered": 0,
        }
        streams[name] = record
        return {"EventStreamArn": record["EventStreamArn"], "Tags": record["Tags"]}

    def op_GetEventStream(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        record = self._event_stream(domain, params["EventStreamName"])
        details = {"Uri": record["Uri"], "Status": record["Status"], "UnhealthySince": record["UnhealthySince"],
                   "Message": record["Message"]}
        return {**self._project(record, "GetEventStreamResponse"), "DestinationDetails": details}

    def op_ListEventStreams(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        items = []
        for _, record in sorted(_streams(self, domain).items()):
            summary = {"Uri": record["Uri"], "Status": record["Status"], "UnhealthySince": record["UnhealthySince"]}
            items.append({**self._project(record, "EventStreamSummary"), "DestinationSummary": summary})
        page, token = self._page(items, params, 100, f"ListEventStreams/{params['DomainName']}")
        return {"Items": page, "NextToken": token}

    def op_DeleteEventStream(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        self._event_stream(domain, params["EventStreamName"])
        del _streams(self, domain)[params["EventStreamName"]]
        return {}

    # -- for tests -----------------------------------------------------------------------------
    def set_event_stream_health(self, domain_name: str, stream_name: str, healthy: bool,
                                message: str | None = None) -> None:
        """Make a stream's Kinesis destination fail (``healthy=False``: ``UNHEALTHY`` and the
        stream ``STOPPED``, both since now, with ``message``) or heal (``HEALTHY``, ``RUNNING``).
        Raises the emulator's 404 error for an unknown domain or stream."""
        with self._lock:
            record = self._event_stream(self._domain(domain_name), stream_name)
            if healthy:
                record.update(Status="HEALTHY", UnhealthySince=None, Message=None, State="RUNNING",
                              StoppedSince=None)
            elif record["Status"] == "HEALTHY":
                now = self.now()
                record.update(Status="UNHEALTHY", UnhealthySince=now, State="STOPPED", StoppedSince=now,
                              Message=(message or "The destination stream cannot be written to")[:1000])

    def event_stream_records(self, domain_name: str, stream_name: str) -> list[dict[str, Any]]:
        """The records the stream delivered while it ran, oldest first (copies)."""
        with self._lock:
            record = self._event_stream(self._domain(domain_name), stream_name)
            return [dict(item) for item in record["records"]]

    def on_profile_event_event_streams(self, event: ProfileEvent) -> None:
        streams = event.domain.areas.get(_AREA)
        if not streams:
            return
        for record in streams.values():
            if record["State"] != "RUNNING":
                continue
            # A deterministic id (the backend's id sequence is left alone for profile ids).
            record["delivered"] += 1
            seed = f"{record['EventStreamArn']}@{record['CreatedAt']}#{record['delivered']}"
            event_id = hashlib.sha256(seed.encode()).hexdigest()[:32]
            delivered: dict[str, Any] = {
                "SchemaVersion": 0, "EventId": event_id, "EventTimestamp": self.now(),
                "EventType": event.action, "DomainName": record["DomainName"],
                "AssociatedProfileId": event.profile_id,
            }
            if event.object_type is not None:
                delivered.update(ObjectTypeName=event.object_type, ProfileObjectUniqueKey=event.unique_key,
                                 Object=event.document)
            if event.content is not None:
                delivered["Profile"] = event.content
            record["records"].append(delivered)
