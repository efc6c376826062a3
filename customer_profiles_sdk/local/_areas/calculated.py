"""Calculated attribute definitions and their values per profile (evaluation: _calc).

Operations: CreateCalculatedAttributeDefinition, GetCalculatedAttributeDefinition,
UpdateCalculatedAttributeDefinition, DeleteCalculatedAttributeDefinition,
ListCalculatedAttributeDefinitions, GetCalculatedAttributeForProfile,
ListCalculatedAttributesForProfile, BatchGetCalculatedAttributeForProfile.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import _calc
from .._errors import bad_request, not_found
from .._store import (
    BackendBase,
    Domain,
    Params,
)


class CalculatedArea(BackendBase):
    """Calculated attribute definitions and their values per profile (evaluation: _calc)."""

    def _definition(self, domain: Domain, name: str) -> dict[str, Any]:
        record = domain.calculated.get(name)
        if record is None:
            raise not_found("Calculated attribute definition not found")
        return record

    def op_CreateCalculatedAttributeDefinition(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        name = params["CalculatedAttributeName"]
        if name in domain.calculated:
            raise bad_request("A calculated attribute definition with this name already exists")
        record = {key: value for key, value in params.items() if key != "DomainName"}
        _calc.check_definition(record)
        # Attributes are ObjectTypeName.FieldName, or a bare FieldName of the expression's type.
        type_names = _calc.object_types_of(record)
        if len(type_names) != 1:
            raise bad_request("A calculated attribute reads exactly one object type")
        type_name = type_names.pop()
        object_type = domain.object_types.get(type_name)
        if object_type is None:
            raise bad_request("An attribute names an object type that does not exist")
        for item in record["AttributeDetails"]["Attributes"]:
            field_name = item["Name"].rpartition(".")[2]
            if field_name not in (object_type.get("Fields") or {}):
                raise bad_request(_calc.unknown_field_message(item["Name"], type_name, object_type.get("Fields") or {}))
        now = self.now()
        record.update(CreatedAt=now, LastUpdatedAt=now, Status="COMPLETED",
                      Readiness={"ProgressPercentage": 100, "Message": "ready"},
                      UseHistoricalData=bool(params.get("UseHistoricalData")), Tags=self._tags(params))
        domain.calculated[name] = record
        return self._project(record, "CreateCalculatedAttributeDefinitionResponse")

    def op_GetCalculatedAttributeDefinition(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        record = self._definition(domain, params["CalculatedAttributeName"])
        return self._project(record, "GetCalculatedAttributeDefinitionResponse")

    def op_UpdateCalculatedAttributeDefinition(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        record = self._definition(domain, params["CalculatedAttributeName"])
        updated = {**record, **{k: v for k, v in params.items() if k not in ("DomainName", "CalculatedAttributeName")}}
        _calc.check_definition(updated)
        updated["LastUpdatedAt"] = self.now()
        domain.calculated[params["CalculatedAttributeName"]] = updated
        return self._project(updated, "UpdateCalculatedAttributeDefinitionResponse")

    def op_DeleteCalculatedAttributeDefinition(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        self._definition(domain, params["CalculatedAttributeName"])
        del domain.calculated[params["CalculatedAttributeName"]]
        return {}

    def op_ListCalculatedAttributeDefinitions(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        items = [self._project(r, "ListCalculatedAttributeDefinitionItem")
                 for _, r in sorted(domain.calculated.items())]
        page, token = self._page(items, params, 100, f"ListCalculatedAttributeDefinitions/{params['DomainName']}")
        return {"Items": page, "NextToken": token}

    def _evaluate(self, domain: Domain, record: Mapping[str, Any], profile_id: str,
                  range_override: Mapping[str, Any] | None = None) -> dict[str, Any]:
        owned = sorted((o for o in domain.objects.values() if o.profile_id == profile_id), key=lambda o: o.sequence)
        objects = [
            _calc.IngestedObject(object_type_name=o.object_type_name, source=o.source, fields=o.fields,
                                 ingested_at=o.ingested_at)
            for o in owned
        ]
        result = _calc.evaluate(record, objects, now=self.now(), created_at=record["CreatedAt"],
                                range_override=range_override)
        return {"CalculatedAttributeName": record["CalculatedAttributeName"], "DisplayName": record.get("DisplayName"),
                "IsDataPartial": result.is_data_partial, "Value": result.value,
                "LastObjectTimestamp": result.last_object_timestamp}

    def op_GetCalculatedAttributeForProfile(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        profile = self._profile(domain, params["ProfileId"])
        record = self._definition(domain, params["CalculatedAttributeName"])
        return self._evaluate(domain, record, profile.profile_id)

    def op_ListCalculatedAttributesForProfile(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        profile = self._profile(domain, params["ProfileId"])
        items = [self._evaluate(domain, record, profile.profile_id) for _, record in sorted(domain.calculated.items())]
        items = [item for item in items if item["Value"] is not None]
        scope = f"ListCalculatedAttributesForProfile/{params['DomainName']}/{profile.profile_id}"
        page, token = self._page(items, params, 100, scope)
        return {"Items": page, "NextToken": token}

    def op_BatchGetCalculatedAttributeForProfile(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        record = self._definition(domain, params["CalculatedAttributeName"])
        overrides = params.get("ConditionOverrides") or None
        values, errors = [], []
        for profile_id in params["ProfileIds"]:
            if profile_id not in domain.profiles:
                errors.append({"Code": "ResourceNotFoundException", "Message": "Profile not found",
                               "ProfileId": profile_id})
                continue
            item = self._evaluate(domain, record, profile_id, (overrides or {}).get("Range"))
            values.append({**item, "ProfileId": profile_id})
        return {"CalculatedAttributeValues": values, "Errors": errors, "ConditionOverrides": overrides}
