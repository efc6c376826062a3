"""Event streams to Kinesis destinations, with their statuses.

Operations: CreateEventStream, DeleteEventStream, GetEventStream, ListEventStreams.
"""

from __future__ import annotations

from .._store import BackendBase


class EventStreamsArea(BackendBase):
    """Event streams to Kinesis destinations, with their statuses."""
