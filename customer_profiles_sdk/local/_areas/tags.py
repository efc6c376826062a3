"""Tags on domains and their resources.

Operations: TagResource, UntagResource, ListTagsForResource.
"""

from __future__ import annotations

from typing import Any

from .._errors import bad_request, not_found
from .._store import (
    BackendBase,
    Params,
)


class TagsArea(BackendBase):
    """Tags on domains and their resources."""

    def _tagged(self, arn: str) -> dict[str, Any]:
        """The record a resource ARN names: domains, object types, integrations, calculated
        attribute definitions, layouts, and what the other areas list (segment definitions, event
        streams, recommenders and their filters and schemas)."""
        prefix = self._arn("domains") + "/"
        if not arn.startswith(prefix):
            raise not_found("Resource not found")
        parts = arn[len(prefix):].split("/", 2)
        domain = self._domains.get(parts[0])
        if domain is None:
            raise not_found("Resource not found")
        if len(parts) == 1:
            return domain.record
        collections: dict[str, dict[str, dict[str, Any]]] = {
            "object-types": domain.object_types, "integrations": domain.integrations,
            "calculated-attributes": domain.calculated, "layouts": domain.layouts,
        }
        # The other areas' taggable resources: each area that issues ARNs has a
        # ``tagged_records_<area>(domain)`` giving {ARN resource kind: {name: record}}.
        for name in dir(type(self)):
            if name.startswith("tagged_records_"):
                collections.update(getattr(self, name)(domain))
        collection = collections.get(parts[1])
        record = collection.get(parts[2]) if collection is not None and len(parts) == 3 else None
        if record is None:
            raise not_found("Resource not found")
        return record

    def op_TagResource(self, params: Params) -> dict[str, Any]:
        record = self._tagged(params["resourceArn"])
        tags = {**(record.get("Tags") or {}), **params["tags"]}
        if len(tags) > 50:
            raise bad_request("A resource can have at most 50 tags")
        record["Tags"] = tags
        return {}

    def op_UntagResource(self, params: Params) -> dict[str, Any]:
        record = self._tagged(params["resourceArn"])
        tags = {k: v for k, v in (record.get("Tags") or {}).items() if k not in params["tagKeys"]}
        record["Tags"] = tags or None
        return {}

    def op_ListTagsForResource(self, params: Params) -> dict[str, Any]:
        return {"tags": dict(self._tagged(params["resourceArn"]).get("Tags") or {})}
