"""Event triggers: conditions evaluated on ingestion, with what fired recorded.

Operations: CreateEventTrigger, DeleteEventTrigger, GetEventTrigger, ListEventTriggers,
UpdateEventTrigger.
"""

from __future__ import annotations

from .._store import BackendBase


class EventTriggersArea(BackendBase):
    """Event triggers: conditions evaluated on ingestion, with what fired recorded."""
