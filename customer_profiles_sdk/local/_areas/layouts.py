"""Domain layouts.

Operations: CreateDomainLayout, GetDomainLayout, UpdateDomainLayout, DeleteDomainLayout,
ListDomainLayouts.
"""

from __future__ import annotations

from typing import Any

from .._errors import bad_request, not_found
from .._store import (
    _MESSAGE_DELETED,
    BackendBase,
    Domain,
    Params,
    _check_layout,
)


class LayoutsArea(BackendBase):
    """Domain layouts."""

    def _layout(self, domain: Domain, name: str) -> dict[str, Any]:
        record = domain.layouts.get(name)
        if record is None:
            raise not_found("Layout not found")
        return record

    def _set_default_layout(self, domain: Domain, name: str) -> None:
        for other, record in domain.layouts.items():
            if other != name:
                record["IsDefault"] = False

    def op_CreateDomainLayout(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        name = params["LayoutDefinitionName"]
        if name in domain.layouts:
            raise bad_request("A layout with this name already exists")
        _check_layout(params["Layout"])
        now = self.now()
        record = {key: value for key, value in params.items() if key != "DomainName"}
        record.update(Version="1", CreatedAt=now, LastUpdatedAt=now, IsDefault=bool(params.get("IsDefault")),
                      Tags=self._tags(params))
        domain.layouts[name] = record
        if record["IsDefault"]:
            self._set_default_layout(domain, name)
        return self._project(record, "CreateDomainLayoutResponse")

    def op_GetDomainLayout(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        return self._project(self._layout(domain, params["LayoutDefinitionName"]), "GetDomainLayoutResponse")

    def op_UpdateDomainLayout(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        name = params["LayoutDefinitionName"]
        record = self._layout(domain, name)
        if "Layout" in params:
            _check_layout(params["Layout"])
        record.update({k: v for k, v in params.items() if k not in ("DomainName", "LayoutDefinitionName")})
        record["Version"] = str(int(record["Version"]) + 1)
        record["LastUpdatedAt"] = self.now()
        if record.get("IsDefault"):
            self._set_default_layout(domain, name)
        return self._project(record, "UpdateDomainLayoutResponse")

    def op_DeleteDomainLayout(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        self._layout(domain, params["LayoutDefinitionName"])
        del domain.layouts[params["LayoutDefinitionName"]]
        return {"Message": _MESSAGE_DELETED}

    def op_ListDomainLayouts(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        items = [self._project(r, "LayoutItem") for _, r in sorted(domain.layouts.items())]
        page, token = self._page(items, params, 100, f"ListDomainLayouts/{params['DomainName']}")
        return {"Items": page, "NextToken": token}
