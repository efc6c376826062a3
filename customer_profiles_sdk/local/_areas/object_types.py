"""Profile object types and their templates.

Operations: PutProfileObjectType, GetProfileObjectType, ListProfileObjectTypes,
DeleteProfileObjectType, ListProfileObjectTypeTemplates, GetProfileObjectTypeTemplate.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from .._errors import bad_request, not_found
from .._store import (
    _MESSAGE_DELETED,
    _TEMPLATE_MEMBERS,
    BackendBase,
    Domain,
    Params,
    StoredObject,
    _delete_path,
    _derive,
    _profile_path,
    _unique_key,
)
from .._templates import TEMPLATES


class ObjectTypesArea(BackendBase):
    """Profile object types and their templates."""

    def op_PutProfileObjectType(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        name = params["ObjectTypeName"]
        record = {key: value for key, value in params.items() if key != "DomainName"}
        template_id = params.get("TemplateId")
        if template_id is not None:
            # The service documents that it may refuse these with a TemplateId: the emulator does,
            # rather than guess how it would merge them with the template's.
            given = [key for key in _TEMPLATE_MEMBERS if params.get(key) is not None]
            if given:
                raise bad_request(f"TemplateId cannot be combined with {', '.join(given)}: the template defines them")
            template = TEMPLATES.get(template_id)
            if template is None:
                raise not_found("Template not found")
            for key in _TEMPLATE_MEMBERS:
                if key in template:
                    record[key] = copy.deepcopy(template[key])
        fields = record.get("Fields") or {}
        keys = record.get("Keys") or {}
        if not fields and template_id is None:
            raise bad_request("An object type needs Fields or a TemplateId")
        unique_keys = 0
        for key_defs in keys.values():
            for key_def in key_defs:
                unique_keys += "UNIQUE" in (key_def.get("StandardIdentifiers") or [])
                for field_name in key_def.get("FieldNames") or []:
                    if field_name not in fields:
                        raise bad_request("A key names a field that is not in Fields")
        # The service's rule, checked here too: a client may have switched the SDK's check off.
        if unique_keys > 1:
            raise bad_request("An object type can have at most one UNIQUE key")
        for spec in fields.values():
            source = spec.get("Source")
            if source is not None and not source.startswith("_source"):
                raise bad_request("A field's Source must start with _source")
            target = spec.get("Target") or ""
            if target.startswith("_profile.") and _profile_path(target) is None:
                raise bad_request("A field's Target names no standard profile field")
        now = self.now()
        previous = domain.object_types.get(name)
        record["CreatedAt"] = previous["CreatedAt"] if previous else now
        record["LastUpdatedAt"] = now
        if "Tags" not in params and previous is not None:
            record["Tags"] = previous.get("Tags")  # as PutIntegration: tags not given are kept
        record.setdefault("AllowProfileCreation", False)
        if record.get("MaxProfileObjectCount") is not None:
            record["MaxAvailableProfileObjectCount"] = record["MaxProfileObjectCount"]
        domain.object_types[name] = record
        if previous is not None:
            self._reindex_objects(domain, name, record)
        return self._project(record, "PutProfileObjectTypeResponse")

    def _reindex_objects(self, domain: Domain, type_name: str, object_type: Mapping[str, Any]) -> None:
        """Derive again, from their stored documents, the fields, key values and unique keys of
        the type's objects after the type was put again. Two objects that now share a unique key:
        the one ingested later stays. Objects keep their profiles and their place in listings."""
        objects: dict[tuple[str, str], StoredObject] = {}
        for key, stored in domain.objects.items():
            if stored.object_type_name != type_name:
                objects[key] = stored
                continue
            fields, key_values, identifiers = _derive(object_type, stored.source)
            stored.fields, stored.key_values = fields, key_values
            stored.unique_key = _unique_key(type_name, identifiers, key_values) or stored.unique_key
            new_key = (type_name, stored.unique_key)
            current = objects.get(new_key)
            if current is None or current.sequence < stored.sequence:
                objects[new_key] = stored
        domain.objects = objects

    def op_GetProfileObjectType(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        return self._project(self._object_type(domain, params["ObjectTypeName"]), "GetProfileObjectTypeResponse")

    def op_ListProfileObjectTypes(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        items = [self._project(record, "ListProfileObjectTypeItem")
                 for _, record in sorted(domain.object_types.items())]
        page, token = self._page(items, params, 100, f"ListProfileObjectTypes/{params['DomainName']}")
        return {"Items": page, "NextToken": token}

    def op_DeleteProfileObjectType(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        name = params["ObjectTypeName"]
        self._object_type(domain, name)
        del domain.object_types[name]
        for key in [k for k in domain.objects if k[0] == name]:
            del domain.objects[key]
        # Integrations lose the type; one left with no object type at all is deleted.
        for uri, record in list(domain.integrations.items()):
            if record.get("ObjectTypeName") == name:
                del record["ObjectTypeName"]
            names = record.get("ObjectTypeNames")
            if names:
                record["ObjectTypeNames"] = {k: v for k, v in names.items() if v != name} or None
            if not record.get("ObjectTypeName") and not record.get("ObjectTypeNames"):
                del domain.integrations[uri]
        # Profile fields that this type's Fields wrote last, and nothing wrote since, go too.
        for profile in domain.profiles.values():
            written = [path for path, writer in profile.provenance.items() if writer == name]
            for path in written:
                del profile.provenance[path]
                _delete_path(profile.data, path)
            if written:
                domain.touch(profile)
        return {"Message": _MESSAGE_DELETED}

    def op_ListProfileObjectTypeTemplates(self, params: Params) -> dict[str, Any]:
        items = [self._project(t, "ListProfileObjectTypeTemplateItem") for _, t in sorted(TEMPLATES.items())]
        page, token = self._page(items, params, 100, "ListProfileObjectTypeTemplates")
        return {"Items": page, "NextToken": token}

    def op_GetProfileObjectTypeTemplate(self, params: Params) -> dict[str, Any]:
        template = TEMPLATES.get(params["TemplateId"])
        if template is None:
            raise not_found("Template not found")
        return self._project(template, "GetProfileObjectTypeTemplateResponse")
