"""Integrations of a domain and of the account.

Operations: PutIntegration, GetIntegration, ListIntegrations, ListAccountIntegrations,
DeleteIntegration.
"""

from __future__ import annotations

from typing import Any

from .._errors import bad_request, not_found
from .._store import (
    _MESSAGE_DELETED,
    BackendBase,
    Domain,
    Params,
)


class IntegrationsArea(BackendBase):
    """Integrations of a domain and of the account."""

    def op_PutIntegration(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        uri = params.get("Uri")
        if not uri:
            raise bad_request("Uri is required")
        names = [params["ObjectTypeName"]] if params.get("ObjectTypeName") else []
        names += list((params.get("ObjectTypeNames") or {}).values())
        if not names:
            raise bad_request("ObjectTypeName or ObjectTypeNames is required")
        for name in names:
            self._object_type(domain, name)
        now = self.now()
        previous = domain.integrations.get(uri)
        record = {key: value for key, value in params.items() if key not in ("FlowDefinition", "Tags")}
        record.update(CreatedAt=previous["CreatedAt"] if previous else now, LastUpdatedAt=now,
                      Tags=self._tags(params) or (previous or {}).get("Tags"), IsUnstructured=False)
        domain.integrations[uri] = record
        return self._project(record, "PutIntegrationResponse")

    def _integration(self, domain: Domain, uri: str) -> dict[str, Any]:
        record = domain.integrations.get(uri)
        if record is None:
            raise not_found("Integration not found")
        return record

    def op_GetIntegration(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        return self._project(self._integration(domain, params["Uri"]), "GetIntegrationResponse")

    def op_ListIntegrations(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        items = [self._project(r, "ListIntegrationItem") for _, r in sorted(domain.integrations.items())]
        page, token = self._page(items, params, 100, f"ListIntegrations/{params['DomainName']}")
        return {"Items": page, "NextToken": token}

    def op_ListAccountIntegrations(self, params: Params) -> dict[str, Any]:
        items = [self._project(d.integrations[params["Uri"]], "ListIntegrationItem")
                 for _, d in sorted(self._domains.items()) if params["Uri"] in d.integrations]
        page, token = self._page(items, params, 100, f"ListAccountIntegrations/{params['Uri']}")
        return {"Items": page, "NextToken": token}

    def op_DeleteIntegration(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        self._integration(domain, params["Uri"])
        del domain.integrations[params["Uri"]]
        return {"Message": _MESSAGE_DELETED}
