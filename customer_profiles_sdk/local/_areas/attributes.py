"""Statistics and values of object type attributes and of profile attributes.

Operations: GetObjectTypeAttributeStatistics, ListObjectTypeAttributeValues,
ListObjectTypeAttributes, ListProfileAttributeValues.

An object type's attributes are the names of its ``Fields``; their values are the fields of the
objects stored under the type (a profile object type), as PutProfileObject derived them. A domain
object type (PutDomainObjectType) has attributes but no objects in the emulator. The figures are
computed when asked (the service computes statistics once a day): ``CalculatedAt`` is the time of
the request.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any

from .._errors import bad_request, not_found
from .._store import BackendBase, Domain, Params, StoredObject, _text, _utf8
from .domain_object_types import REQUIRE_DATA_STORE, _data_store_enabled, domain_object_types

#: The longest attribute value ListObjectTypeAttributeValues returns (the model's limit); longer
#: values are left out.
MAX_OBJECT_VALUE = 1000
#: The most UTF-8 bytes of distinct values ListObjectTypeAttributeValues returns (the service's
#: "about 350 KB"): the most recent values first, until the next one would pass this.
MAX_VALUES_BYTES = 350 * 1000
#: The longest profile attribute value ListProfileAttributeValues returns (the model's limit).
MAX_PROFILE_VALUE = 255
_PERCENTILES = (("P5", 5), ("P25", 25), ("P50", 50), ("P75", 75), ("P95", 95))


def _as_text(value: Any) -> str | None:
    """An attribute value as the listings show it: strings as they are, numbers without a
    needless ``.0``, booleans as JSON, lists and objects as compact JSON; None for null."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return _text(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True)


def _as_number(value: Any) -> float | None:
    """A numeric attribute value: a JSON number or a decimal number written as text (finite)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str) and 0 < len(value) <= 64:
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _percentile(ordered: list[float], percent: int) -> float:
    """The percentile by linear interpolation between the closest ranks (``ordered`` sorted)."""
    position = (len(ordered) - 1) * percent / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _statistics(numbers: list[float]) -> dict[str, Any]:
    ordered = sorted(numbers)
    average = math.fsum(ordered) / len(ordered)
    variance = math.fsum((n - average) ** 2 for n in ordered) / len(ordered)
    return {
        "Maximum": ordered[-1], "Minimum": ordered[0], "Average": average,
        "StandardDeviation": math.sqrt(variance),
        "Percentiles": {name: _percentile(ordered, percent) for name, percent in _PERCENTILES},
    }


def _profile_attribute_path(name: str) -> tuple[str, ...] | None:
    """Where a profile attribute name reads in a profile's data: a standard text field
    (``FirstName``), a member of an address (``Address.City``), or a custom attribute
    (``Attributes.<key>``); None for any other name."""
    from .._http import service_model

    head, dot, rest = name.partition(".")
    if head in ("ProfileId", "FoundByItems"):
        return None
    member = service_model().shape_for("Profile").members.get(head)  # type: ignore[attr-defined]
    if member is None:
        return None
    if member.type_name == "string" and not dot:
        return (head,)
    if member.type_name == "map" and rest:
        return (head, rest)
    if member.type_name == "structure" and rest in member.members and member.members[rest].type_name == "string":
        return (head, rest)
    return None


class AttributesArea(BackendBase):
    """Statistics and values of object type attributes and of profile attributes."""

    def _attribute_scope(self, domain: Domain, type_name: str) -> tuple[dict[str, Any], list[StoredObject]]:
        """The type's record and its stored objects (oldest first): a profile object type, else
        a domain object type (no objects); a 404 when the domain has neither."""
        record = domain.object_types.get(type_name)
        if record is not None:
            objects = sorted((o for o in domain.objects.values() if o.object_type_name == type_name),
                             key=lambda o: o.sequence)
            return record, objects
        record = domain_object_types(self, domain).get(type_name)
        if record is None:
            raise not_found("Object type not found")
        return record, []

    @staticmethod
    def _check_attribute(record: dict[str, Any], attribute: str) -> None:
        if attribute not in (record.get("Fields") or {}):
            raise not_found("The object type has no attribute of this name")

    def op_GetObjectTypeAttributeStatistics(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        if REQUIRE_DATA_STORE and not _data_store_enabled(domain):
            raise bad_request("Attribute statistics need the domain's data store: set DataStore.Enabled "
                              "with CreateDomain or UpdateDomain first")
        record, objects = self._attribute_scope(domain, params["ObjectTypeName"])
        attribute = params["AttributeName"]
        self._check_attribute(record, attribute)
        numbers = [n for n in (_as_number(o.fields.get(attribute)) for o in objects) if n is not None]
        # The service answers nulls for an attribute without numeric values.
        statistics = _statistics(numbers) if numbers else {}
        return {"Statistics": statistics, "CalculatedAt": self.now()}

    def op_ListObjectTypeAttributeValues(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        record, objects = self._attribute_scope(domain, params["ObjectTypeName"])
        attribute = params["AttributeName"]
        self._check_attribute(record, attribute)
        latest: dict[str, datetime] = {}
        order: dict[str, int] = {}
        for stored in objects:
            text = _as_text(stored.fields.get(attribute))
            if text is None or not text or len(text) > MAX_OBJECT_VALUE:
                continue
            latest[text] = max(latest.get(text, stored.ingested_at), stored.ingested_at)
            order[text] = stored.sequence
        items: list[dict[str, Any]] = []
        total = 0
        for text in sorted(order, key=lambda t: order[t], reverse=True):  # the most recent first
            total += len(_utf8(text))
            if total > MAX_VALUES_BYTES:
                break
            items.append({"Value": text, "LastUpdatedAt": latest[text]})
        scope = ["ListObjectTypeAttributeValues", params["DomainName"], params["ObjectTypeName"], attribute]
        page, token = self._page(items, params, 100, scope)
        return {"Items": page, "NextToken": token}

    def op_ListObjectTypeAttributes(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        record, objects = self._attribute_scope(domain, params["ObjectTypeName"])
        updated: dict[str, datetime] = {}
        for stored in objects:
            for name, value in stored.fields.items():
                if value is not None:
                    updated[name] = max(updated.get(name, stored.ingested_at), stored.ingested_at)
        defined = record.get("LastUpdatedAt") or record.get("CreatedAt")
        items = []
        for name in sorted(record.get("Fields") or {}):
            moments = [m for m in (updated.get(name), defined) if m is not None]
            items.append({"AttributeName": name, "LastUpdatedAt": max(moments) if moments else None})
        page, token = self._page(items, params, 100, ["ListObjectTypeAttributes", params["DomainName"],
                                                      params["ObjectTypeName"]])
        return {"Items": page, "NextToken": token}

    def op_ListProfileAttributeValues(self, params: Params) -> dict[str, Any]:
        """The distinct values the domain's profiles have for one attribute, the most frequent
        first (then in text order)."""
        domain = self._domain(params["DomainName"])
        path = _profile_attribute_path(params["AttributeName"])
        if path is None:
            raise bad_request("AttributeName must name a standard profile field (FirstName), a member of an "
                              "address (Address.City) or a custom attribute (Attributes.<key>)")
        counts: dict[str, int] = {}
        for profile in domain.profiles.values():
            value = _read_path(profile.data, path)
            text = _as_text(value) if isinstance(value, str | int | float) else None
            if text and len(text) <= MAX_PROFILE_VALUE:
                counts[text] = counts.get(text, 0) + 1
        ordered = sorted(counts, key=lambda t: (-counts[t], t))
        return {"DomainName": params["DomainName"], "AttributeName": params["AttributeName"],
                "Items": [{"Value": text} for text in ordered], "StatusCode": 200}


def _read_path(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = data
    for part in path:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value
