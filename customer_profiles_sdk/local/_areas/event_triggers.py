"""Event triggers: conditions evaluated on ingestion, with what fired recorded.

Operations: CreateEventTrigger, DeleteEventTrigger, GetEventTrigger, ListEventTriggers,
UpdateEventTrigger.

How the emulator evaluates a trigger, each time an object of its ObjectTypeName is ingested into
a profile (PutProfileObject, BatchPutProfileObject, upload jobs):

* **Conditions.** Every condition of ``EventTriggerConditions`` must hold. A condition's
  ``LogicalOperator`` combines its dimensions: ``ALL`` (every one matches), ``ANY`` (at least
  one), ``NONE`` (none does). A dimension matches when all its ``ObjectAttributes`` do.
* **An attribute** reads one value of the object: ``FieldName`` a field of the object type (as
  the type's Fields derive it), ``Source`` a path of the document (``_source.a.b``); exactly one
  of them is given. An object without the value matches no attribute. ``INCLUSIVE`` (equal to one
  of the Values), ``EXCLUSIVE`` (equal to none), ``CONTAINS``, ``BEGINS_WITH``, ``ENDS_WITH`` (with
  one of the Values) compare text; ``EQUAL``, ``GREATER_THAN``, ``LESS_THAN``,
  ``GREATER_THAN_OR_EQUAL``, ``LESS_THAN_OR_EQUAL`` compare numbers with one value; ``BETWEEN`` and
  ``NOT_BETWEEN`` with two (both ends included in the range); ``BEFORE``, ``AFTER`` and ``ON`` compare
  ISO 8601 dates or times with one value (``ON``: the same UTC day). Values that do not fit the
  operator are refused when the trigger is created or updated.
* **Limits.** Each ``Period`` counts the trigger's firings for the profile in the last ``Value``
  ``Unit`` s of the emulator clock (a month is 30 days): past ``MaxInvocationsPerProfile`` in any
  period the trigger does not fire. ``Unlimited`` lifts a period's limit; a period gives exactly
  one of the two. ``EventExpiration`` (milliseconds) is met by every event: the emulator
  evaluates an object as it is ingested, with no latency.
* **SegmentFilter** is kept and answered, not evaluated: every profile passes it.

What fired is kept per domain (the newest :data:`MAX_FIRED` firings) and read with
``Emulator.fired_triggers(domain_name)``.
"""

from __future__ import annotations

import json
import math
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from .._errors import bad_request, not_found
from .._store import _MESSAGE_DELETED, BackendBase, Domain, Params, ProfileEvent, _derive, _source_value, _text

_AREA = "event_triggers"
#: How many firings each domain keeps for ``fired_triggers`` (the oldest are dropped first).
MAX_FIRED = 10_000
_UNIT_SECONDS = {"MINUTES": 60, "HOURS": 3600, "DAYS": 86400, "WEEKS": 7 * 86400, "MONTHS": 30 * 86400}
_TEXT_OPERATORS = frozenset({"INCLUSIVE", "EXCLUSIVE", "CONTAINS", "BEGINS_WITH", "ENDS_WITH"})
_NUMBER_OPERATORS = frozenset({"EQUAL", "GREATER_THAN", "LESS_THAN", "GREATER_THAN_OR_EQUAL", "LESS_THAN_OR_EQUAL"})
_RANGE_OPERATORS = frozenset({"BETWEEN", "NOT_BETWEEN"})
_DATE_OPERATORS = frozenset({"BEFORE", "AFTER", "ON"})
_MEMBERS = ("ObjectTypeName", "Description", "EventTriggerConditions", "SegmentFilter", "EventTriggerLimits")


@dataclass(frozen=True)
class FiredTrigger:
    """One firing of an event trigger, as ``Emulator.fired_triggers`` answers it: ids, names and
    the time only, never the object's content."""

    #: The trigger's EventTriggerName.
    trigger_name: str
    #: The id of the profile the ingested object belongs to.
    profile_id: str
    #: The object type of the ingested object (the trigger's ObjectTypeName).
    object_type_name: str
    #: The emulator's time of the ingestion.
    fired_at: datetime


@dataclass
class _State:
    triggers: dict[str, dict[str, Any]] = field(default_factory=dict)
    fired: deque[FiredTrigger] = field(default_factory=lambda: deque(maxlen=MAX_FIRED))
    #: (trigger name, profile id) -> the times it fired for the profile, oldest first.
    invocations: dict[tuple[str, str], deque[datetime]] = field(default_factory=dict)


class EventTriggersArea(BackendBase):
    """Event triggers: conditions evaluated on ingestion, with what fired recorded."""

    def _trigger_state(self, domain: Domain) -> _State:
        return cast(_State, self.area_state(domain, _AREA, _State))

    def _trigger(self, domain: Domain, name: str) -> dict[str, Any]:
        record = self._trigger_state(domain).triggers.get(name)
        if record is None:
            raise not_found("Event trigger not found")
        return record

    def _check_trigger(self, domain: Domain, record: dict[str, Any]) -> None:
        """The rules the request model cannot say, checked for a whole definition; a 400 naming
        the member and the rule (never a value)."""
        object_type = self._object_type(domain, record["ObjectTypeName"])
        type_fields = object_type.get("Fields") or {}
        for c, condition in enumerate(record["EventTriggerConditions"]):
            for d, dimension in enumerate(condition["EventTriggerDimensions"]):
                for a, attribute in enumerate(dimension["ObjectAttributes"]):
                    where = f"EventTriggerConditions[{c}].EventTriggerDimensions[{d}].ObjectAttributes[{a}]"
                    _check_attribute(attribute, where, type_fields)
        limits = record.get("EventTriggerLimits") or {}
        expiration = limits.get("EventExpiration")
        if expiration is not None and expiration < 1:
            raise bad_request("EventTriggerLimits.EventExpiration must be at least 1 (milliseconds)")
        for p, period in enumerate(limits.get("Periods") or []):
            if bool(period.get("Unlimited")) == (period.get("MaxInvocationsPerProfile") is not None):
                raise bad_request(f"EventTriggerLimits.Periods[{p}] needs exactly one of MaxInvocationsPerProfile "
                                  "and Unlimited=true")

    def op_CreateEventTrigger(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        state = self._trigger_state(domain)
        name = params["EventTriggerName"]
        if name in state.triggers:
            raise bad_request("An event trigger with this name already exists")
        record = {key: params[key] for key in _MEMBERS if params.get(key) is not None}
        self._check_trigger(domain, record)
        now = self.now()
        record.update(EventTriggerName=name, CreatedAt=now, LastUpdatedAt=now, Tags=self._tags(params))
        state.triggers[name] = record
        return self._project(record, "CreateEventTriggerResponse")

    def op_GetEventTrigger(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        return self._project(self._trigger(domain, params["EventTriggerName"]), "GetEventTriggerResponse")

    def op_UpdateEventTrigger(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        record = self._trigger(domain, params["EventTriggerName"])
        updated = {**record, **{key: params[key] for key in _MEMBERS if params.get(key) is not None}}
        self._check_trigger(domain, updated)
        updated["LastUpdatedAt"] = self.now()
        self._trigger_state(domain).triggers[params["EventTriggerName"]] = updated
        return self._project(updated, "UpdateEventTriggerResponse")

    def op_DeleteEventTrigger(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        name = params["EventTriggerName"]
        self._trigger(domain, name)
        state = self._trigger_state(domain)
        del state.triggers[name]
        for key in [key for key in state.invocations if key[0] == name]:
            del state.invocations[key]
        return {"Message": _MESSAGE_DELETED}

    def op_ListEventTriggers(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        items = [self._project(record, "EventTriggerSummaryItem")
                 for _, record in sorted(self._trigger_state(domain).triggers.items())]
        page, token = self._page(items, params, 10, ["ListEventTriggers", params["DomainName"]])
        return {"Items": page, "NextToken": token}

    # -- evaluation on ingestion ---------------------------------------------------------------
    def on_profile_event_event_triggers(self, event: ProfileEvent) -> None:
        if event.action != "INGESTED" or event.object_type is None or event.document is None:
            return
        state: _State | None = event.domain.areas.get(_AREA)
        if state is None or not state.triggers:
            return
        triggers = [(name, record) for name, record in sorted(state.triggers.items())
                    if record["ObjectTypeName"] == event.object_type]
        object_type = event.domain.object_types.get(event.object_type)
        if not triggers or object_type is None:
            return
        try:
            source = json.loads(event.document)
        except (ValueError, RecursionError):
            return
        if not isinstance(source, dict):
            return
        fields = _derive(object_type, source)[0]
        now = self.now()
        for name, record in triggers:
            if not all(_condition_holds(condition, source, fields) for condition in record["EventTriggerConditions"]):
                continue
            key = (name, event.profile_id)
            history = state.invocations.setdefault(key, deque())
            if not _within_limits(record.get("EventTriggerLimits") or {}, history, now):
                continue
            if (record.get("EventTriggerLimits") or {}).get("Periods"):
                history.append(now)
            state.fired.append(FiredTrigger(name, event.profile_id, event.object_type, now))

    def fired_triggers(self, domain_name: str) -> list[FiredTrigger]:
        """What the domain's triggers fired, oldest first (see ``Emulator.fired_triggers``)."""
        with self._lock:
            domain = self._domains.get(domain_name)
            if domain is None:
                raise KeyError("the emulator has no domain of that name")
            state: _State | None = domain.areas.get(_AREA)
            return list(state.fired) if state is not None else []


def _check_attribute(attribute: dict[str, Any], where: str, type_fields: dict[str, Any]) -> None:
    source, field_name = attribute.get("Source"), attribute.get("FieldName")
    if (source is None) == (field_name is None):
        raise bad_request(f"{where} needs exactly one of Source and FieldName")
    if source is not None and not source.startswith("_source."):
        raise bad_request(f"{where}.Source must be a path of the object that starts with _source.")
    if field_name is not None and field_name not in type_fields:
        raise bad_request(f"{where}.FieldName names no field of the object type")
    operator, values = attribute["ComparisonOperator"], attribute["Values"]
    if operator in _TEXT_OPERATORS:
        return
    wanted = 2 if operator in _RANGE_OPERATORS else 1
    if len(values) != wanted:
        raise bad_request(f"{where}.Values must hold exactly {wanted} value{'s' if wanted > 1 else ''} "
                          f"for {operator}")
    for index, value in enumerate(values):
        parsed = _date(value) if operator in _DATE_OPERATORS else _number(value)
        if parsed is None:
            kind = "an ISO 8601 date or time" if operator in _DATE_OPERATORS else "a finite number"
            raise bad_request(f"{where}.Values[{index}] must be {kind} for {operator}")


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _date(value: Any) -> datetime | None:
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            return None
        moment = datetime(day.year, day.month, day.day)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _attribute_holds(attribute: dict[str, Any], source: dict[str, Any], fields: dict[str, Any]) -> bool:
    if attribute.get("FieldName") is not None:
        value = fields.get(attribute["FieldName"])
    else:
        value = _source_value(source, attribute.get("Source") or "")
    if value is None or isinstance(value, dict | list | bool):
        return False
    operator, values = attribute["ComparisonOperator"], attribute["Values"]
    text = _text(value)
    if operator == "INCLUSIVE":
        return text in values
    if operator == "EXCLUSIVE":
        return text not in values
    if operator == "CONTAINS":
        return any(v in text for v in values)
    if operator == "BEGINS_WITH":
        return any(text.startswith(v) for v in values)
    if operator == "ENDS_WITH":
        return any(text.endswith(v) for v in values)
    if operator in _DATE_OPERATORS:
        moment, bound = _date(text), _date(values[0])
        if moment is None or bound is None:
            return False
        if operator == "ON":
            return moment.date() == bound.date()
        return moment < bound if operator == "BEFORE" else moment > bound
    number = _number(value)
    bounds = [_number(v) for v in values]
    if number is None or any(b is None for b in bounds):
        return False
    first = cast(float, bounds[0])
    if operator in _RANGE_OPERATORS:
        inside = first <= number <= cast(float, bounds[1])
        return inside if operator == "BETWEEN" else not inside
    return {"EQUAL": number == first, "GREATER_THAN": number > first, "LESS_THAN": number < first,
            "GREATER_THAN_OR_EQUAL": number >= first, "LESS_THAN_OR_EQUAL": number <= first}[operator]


def _condition_holds(condition: dict[str, Any], source: dict[str, Any], fields: dict[str, Any]) -> bool:
    matches = [all(_attribute_holds(a, source, fields) for a in dimension["ObjectAttributes"])
               for dimension in condition["EventTriggerDimensions"]]
    operator = condition["LogicalOperator"]
    if operator == "ALL":
        return all(matches)
    if operator == "ANY":
        return any(matches)
    return not any(matches)  # NONE


def _within_limits(limits: dict[str, Any], history: deque[datetime], now: datetime) -> bool:
    """Whether one more firing stays within every period's limit; drops the firings older than
    the longest period from ``history``."""
    limited = [(timedelta(seconds=_UNIT_SECONDS[p["Unit"]] * p["Value"]), p["MaxInvocationsPerProfile"])
               for p in limits.get("Periods") or [] if not p.get("Unlimited")]
    if not limited:
        history.clear()  # nothing to count: kept empty
        return True
    # Only the longest limited period's firings matter, and it holds at most its maximum (1000).
    longest = max(span for span, _ in limited)
    while history and history[0] <= now - longest:
        history.popleft()
    return all(sum(1 for moment in history if moment > now - span) < maximum for span, maximum in limited)


__all__ = ["MAX_FIRED", "EventTriggersArea", "FiredTrigger"]
