"""Profile history: every create, update, merge, ingest and delete of a profile, recorded.

Operations: GetProfileHistoryRecord, ListProfileHistoryRecords.

The area follows the :class:`~customer_profiles_sdk.local._store.ProfileEvent` stream: each event
becomes one record of the profile it concerns, with

* ``ObjectTypeName``: the object type of an ``INGESTED`` record, ``_profile`` for a change to the
  profile itself (create, update, keys, merge, delete);
* ``ProfileObjectUniqueKey``: the ingested object's key (``INGESTED`` only);
* ``PerformedBy``: who made the change as the event says; the emulator knows no caller identity,
  so an API call is recorded as the account's root ARN (``arn:aws:iam::<account>:root``);
* ``CreatedAt`` and ``LastUpdatedAt``: the emulator clock's time of the change (records are never
  changed afterwards, so the two are equal);
* ``Content`` (GetProfileHistoryRecord only): the object's JSON text for ``INGESTED``, the
  profile's JSON (with its ``ProfileId``) after the change otherwise; for ``DELETED_BY_CUSTOMER``
  and ``DELETED_BY_MERGE``, the profile as it was just before it went.

Records stay readable after their profile is deleted or merged away, until the domain is deleted
(the service keeps history for a retention period; the emulator keeps it with the domain). A
profile id that never had a record answers 404. Listings give the newest record first.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from .._errors import not_found
from .._store import BackendBase, Params, ProfileEvent

#: The ObjectTypeName of a record about the profile itself (not one of its objects).
PROFILE_OBJECT_TYPE = "_profile"
# The members of a listed record (ProfileHistoryRecord); Content only in GetProfileHistoryRecord.
_LISTED = ("Id", "ObjectTypeName", "CreatedAt", "LastUpdatedAt", "ActionType", "ProfileObjectUniqueKey",
           "PerformedBy")
# The longest Content the model allows (stringifiedJson): a longer document is left out.
_MAX_CONTENT = 256_000


@dataclass
class _HistoryState:
    """One domain's history: records by profile id, oldest first."""

    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict, repr=False)
    #: The last content of each profile, for the record of its deletion.
    last_content: dict[str, str] = field(default_factory=dict, repr=False)
    #: Records made in the domain so far: the ids derive from it.
    count: int = 0

    def __repr__(self) -> str:  # ids and counts only: records hold personal data
        return f"_HistoryState(profiles={len(self.records)}, records={self.count})"


class HistoryArea(BackendBase):
    """Profile history: every create, update, merge, ingest and delete of a profile, recorded."""

    def _history(self, event_domain: Any) -> _HistoryState:
        state: _HistoryState = self.area_state(event_domain, "history", _HistoryState)
        return state

    def on_profile_event_history(self, event: ProfileEvent) -> None:
        state = self._history(event.domain)
        state.count += 1
        # A derived id: recording history takes nothing from the seeded id sequence, so a seeded
        # emulator gives the same profile ids with or without this area.
        digest = hashlib.sha256(f"{event.profile_id}/{state.count}".encode()).hexdigest()[:32]
        if event.action == "INGESTED":
            content = event.document
        elif event.content is not None:
            content = json.dumps(event.content, ensure_ascii=False, default=str, separators=(",", ":"))
            state.last_content[event.profile_id] = content
        else:
            content = state.last_content.pop(event.profile_id, None)
        if content is not None and (not content or len(content) > _MAX_CONTENT):
            content = None
        now = self.now()
        record = {
            "Id": digest,
            "ObjectTypeName": event.object_type or PROFILE_OBJECT_TYPE,
            "CreatedAt": now,
            "LastUpdatedAt": now,
            "ActionType": event.action,
            "ProfileObjectUniqueKey": event.unique_key,
            "PerformedBy": event.performed_by or f"arn:aws:iam::{self.account_id}:root",
            "Content": content,
        }
        state.records.setdefault(event.profile_id, []).append(record)

    def _records(self, params: Params) -> list[dict[str, Any]]:
        domain = self._domain(params["DomainName"])
        records = self._history(domain).records.get(params["ProfileId"])
        if records is None:
            raise not_found("Profile not found")
        return records

    def op_GetProfileHistoryRecord(self, params: Params) -> dict[str, Any]:
        for record in self._records(params):
            if record["Id"] == params["Id"]:
                return {key: value for key, value in record.items() if value is not None}
        raise not_found("Profile history record not found")

    def op_ListProfileHistoryRecords(self, params: Params) -> dict[str, Any]:
        records = self._records(params)
        wanted = {key: params[key] for key in ("ActionType", "ObjectTypeName", "PerformedBy") if params.get(key)}
        items = [
            {key: record[key] for key in _LISTED if record.get(key) is not None}
            for record in reversed(records)
            if all(record.get(key) == value for key, value in wanted.items())
        ]
        scope = ["ListProfileHistoryRecords", params["DomainName"], params["ProfileId"], wanted]
        page, token = self._page(items, params, 20, scope)
        return {"ProfileHistoryRecords": page, "NextToken": token}
