"""Domains: create, read, update, delete and list, with their statistics.

Operations: CreateDomain, GetDomain, UpdateDomain, DeleteDomain, ListDomains.
"""

from __future__ import annotations

from typing import Any

from .._errors import bad_request
from .._store import (
    _MESSAGE_DELETED,
    BackendBase,
    Domain,
    Params,
    _compact,
    _metering_profile_count,
    _utf8,
)


class DomainsArea(BackendBase):
    """Domains: create, read, update, delete and list, with their statistics."""

    def op_CreateDomain(self, params: Params) -> dict[str, Any]:
        name = params["DomainName"]
        if name in self._domains:
            raise bad_request("A domain with this name already exists")
        now = self.now()
        record = {key: value for key, value in params.items() if key != "Tags"}
        record.update(CreatedAt=now, LastUpdatedAt=now, Tags=self._tags(params))
        self._domains[name] = Domain(record=record)
        return self._project(record, "CreateDomainResponse")

    def _stats(self, domain: Domain) -> dict[str, int]:
        """TotalSize: the UTF-8 bytes of every object's document as it was put, plus those of every
        profile's compact JSON as the service returns it (ProfileId included). MeteringProfileCount:
        see :func:`_metering_profile_count`."""
        size = sum(len(_utf8(o.document)) for o in domain.objects.values())
        size += sum(len(_utf8(_compact(p.wire()))) for p in domain.profiles.values())
        return {"ProfileCount": len(domain.profiles), "MeteringProfileCount": _metering_profile_count(domain),
                "ObjectCount": len(domain.objects), "TotalSize": size}

    def op_GetDomain(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        return {**self._project(domain.record, "GetDomainResponse"), "Stats": self._stats(domain)}

    def op_UpdateDomain(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        for key, value in params.items():
            if key == "DomainName":
                continue
            if key in ("DefaultEncryptionKey", "DeadLetterQueueUrl") and value == "":
                domain.record.pop(key, None)  # an empty string clears these two
            elif key == "Tags":
                domain.record["Tags"] = {**(domain.record.get("Tags") or {}), **value}
            else:
                domain.record[key] = value
        domain.record["LastUpdatedAt"] = self.now()
        return self._project(domain.record, "UpdateDomainResponse")

    def op_DeleteDomain(self, params: Params) -> dict[str, Any]:
        self._domain(params["DomainName"])
        del self._domains[params["DomainName"]]
        return {"Message": _MESSAGE_DELETED}

    def op_ListDomains(self, params: Params) -> dict[str, Any]:
        items = [self._project(d.record, "ListDomainItem") for _, d in sorted(self._domains.items())]
        page, token = self._page(items, params, 100, "ListDomains")
        return {"Items": page, "NextToken": token}
