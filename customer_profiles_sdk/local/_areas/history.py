"""Profile history: every create, update, merge, ingest and delete of a profile, recorded.

Operations: GetProfileHistoryRecord, ListProfileHistoryRecords.
"""

from __future__ import annotations

from .._store import BackendBase


class HistoryArea(BackendBase):
    """Profile history: every create, update, merge, ingest and delete of a profile, recorded."""
