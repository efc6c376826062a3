"""Domain object types.

Operations: DeleteDomainObjectType, GetDomainObjectType, ListDomainObjectTypes, PutDomainObjectType.

The types live in ``Domain.areas["domain_object_types"]`` (type name -> record), so they go with
their domain. As the service documents, a new domain object type needs the domain's data store
(``DataStore.Enabled`` given to CreateDomain or UpdateDomain); an existing one can be put again
(updated) either way. A put keeps ``CreatedAt`` and the tags it does not give.
"""

from __future__ import annotations

from typing import Any

from .._errors import bad_request, not_found
from .._store import BackendBase, Domain, Params

_AREA = "domain_object_types"
#: Whether creating a domain object type needs the domain's data store, as the service says.
REQUIRE_DATA_STORE = True


def domain_object_types(backend: BackendBase, domain: Domain) -> dict[str, dict[str, Any]]:
    """The domain object types of ``domain`` (name -> record), for this area and the attributes area."""
    types: dict[str, dict[str, Any]] = backend.area_state(domain, _AREA, dict)
    return types


def _data_store_enabled(domain: Domain) -> bool:
    data_store = domain.record.get("DataStore")
    return isinstance(data_store, dict) and data_store.get("Enabled") is True


class DomainObjectTypesArea(BackendBase):
    """Domain object types."""

    def _domain_object_type(self, domain: Domain, name: str) -> dict[str, Any]:
        record = domain_object_types(self, domain).get(name)
        if record is None:
            raise not_found("Domain object type not found")
        return record

    def op_PutDomainObjectType(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        name = params["ObjectTypeName"]
        types = domain_object_types(self, domain)
        previous = types.get(name)
        if previous is None and REQUIRE_DATA_STORE and not _data_store_enabled(domain):
            raise bad_request("A domain object type needs the domain's data store: "
                              "set DataStore.Enabled with CreateDomain or UpdateDomain first")
        fields = params["Fields"]
        if not fields:
            raise bad_request("Fields must have at least one field")
        for field_name in sorted(fields):
            if not fields[field_name]["Source"].startswith("_source."):
                # Field names are not personal data (they are keys the model constrains).
                raise bad_request(f"Fields.{field_name}.Source must start with _source.")
        now = self.now()
        record = {key: value for key, value in params.items() if key != "DomainName"}
        record["CreatedAt"] = previous["CreatedAt"] if previous else now
        record["LastUpdatedAt"] = now
        if "Tags" not in params and previous is not None:
            record["Tags"] = previous.get("Tags")
        types[name] = record
        return self._project(record, "PutDomainObjectTypeResponse")

    def op_GetDomainObjectType(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        record = self._domain_object_type(domain, params["ObjectTypeName"])
        return self._project(record, "GetDomainObjectTypeResponse")

    def op_ListDomainObjectTypes(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        items = [self._project(record, "DomainObjectTypesListItem")
                 for _, record in sorted(domain_object_types(self, domain).items())]
        page, token = self._page(items, params, 100, f"ListDomainObjectTypes/{params['DomainName']}")
        return {"Items": page, "NextToken": token}

    def op_DeleteDomainObjectType(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        self._domain_object_type(domain, params["ObjectTypeName"])
        del domain_object_types(self, domain)[params["ObjectTypeName"]]
        return {}
