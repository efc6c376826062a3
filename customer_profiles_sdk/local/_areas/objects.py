"""Profile objects: put (one or a batch), list and delete, with key matching.

Operations: PutProfileObject, BatchPutProfileObject, ListProfileObjects, DeleteProfileObject.
"""

from __future__ import annotations

import base64
from typing import Any

from .._errors import EmulatorError, bad_request, not_found
from .._store import (
    _MAX_MESSAGE,
    _MESSAGE_DELETED,
    MAX_OBJECT_BYTES,
    BackendBase,
    BatchItem,
    Params,
    Profile,
    StoredObject,
    _derive,
    _is_scalar,
    _kept_on_profile,
    _matching_keys,
    _profile_path,
    _read_json_member,
    _set_path,
    _text,
    _unique_key,
    _utf8,
)


class ObjectsArea(BackendBase):
    """Profile objects: put (one or a batch), list and delete, with key matching."""

    def op_PutProfileObject(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        type_name = params["ObjectTypeName"]
        object_type = self._object_type(domain, type_name)
        if len(_utf8(params["Object"])) > MAX_OBJECT_BYTES:
            raise bad_request(f"Object is larger than 250 KB ({MAX_OBJECT_BYTES:,} bytes of UTF-8), "
                              "the largest object the service takes")
        source = _read_json_member(params["Object"], "Object")
        if not isinstance(source, dict):
            raise bad_request("Object must be a JSON object")
        fields, key_values, identifiers = _derive(object_type, source)
        unique_key = _unique_key(type_name, identifiers, key_values)
        if unique_key is None:
            unique_key = base64.urlsafe_b64encode(self.new_id().bytes).decode().rstrip("=")
        existing = domain.objects.get((type_name, unique_key))

        profile: Profile | None = None
        # PROFILE keys find the profile; SECONDARY ones only after all the others found nothing.
        for key_name in _matching_keys(identifiers):
            profile = domain.first(key_name, key_values[key_name])
            if profile is not None:
                break
        if profile is None and existing is not None and existing.profile_id in domain.profiles:
            profile = domain.profiles[existing.profile_id]
        created = False
        if profile is None and object_type.get("AllowProfileCreation"):
            profile = self._new_profile(domain, {})
            created = True
        if profile is not None:
            for name, spec in (object_type.get("Fields") or {}).items():
                path = _profile_path(spec.get("Target") or "")
                if path is not None and name in fields and _is_scalar(fields[name]):
                    _set_path(profile.data, path, _text(fields[name]))
                    profile.provenance[path] = type_name
            for key_name, ids in identifiers.items():
                if not _kept_on_profile(ids, created):
                    continue
                values = profile.keys.setdefault(key_name, [])
                if key_values[key_name] not in values:
                    values.append(key_values[key_name])
            domain.touch(profile)
        domain.objects[(type_name, unique_key)] = StoredObject(
            unique_key=unique_key, object_type_name=type_name,
            profile_id=profile.profile_id if profile else None, document=params["Object"], source=source,
            fields=fields, key_values=key_values, ingested_at=self.now(), sequence=next(self._sequence))
        if profile is not None:
            self._profile_event(domain, profile, "INGESTED", object_type=type_name, unique_key=unique_key,
                                document=params["Object"])
        return {"ProfileObjectUniqueKey": unique_key}

    def op_BatchPutProfileObject(self, params: Params) -> dict[str, Any]:
        """Each item is put as PutProfileObject would put it, in order, and gets its own outcome:
        ``Successful`` (its ``ProfileObjectUniqueKey``) or ``Failed`` (the HTTP status and the
        message PutProfileObject would answer, which never quote the object). The domain, the
        object type, the number of items and the ids are checked for the whole call first: a
        call refused for them changes nothing."""
        domain = self._domain(params["DomainName"])
        type_name = params["ObjectTypeName"]
        self._object_type(domain, type_name)
        seen: dict[str, int] = {}
        for position, item in enumerate(params["Items"]):
            earlier = seen.setdefault(item["Id"], position)
            if earlier != position:
                raise bad_request(f"Items[{position}].Id is the Id of Items[{earlier}]: each item needs its own Id")
        successful: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        for index, item in enumerate(params["Items"]):
            fault = self.item_fault(BatchItem(item["Id"], index, item["Object"])) if self.item_fault else None
            if fault is not None:
                failed.append({"Id": item["Id"], "Code": fault.status, "Message": fault.message[:_MAX_MESSAGE]})
                continue
            single = {"DomainName": params["DomainName"], "ObjectTypeName": type_name, "Object": item["Object"]}
            try:
                put = self.op_PutProfileObject(self._validated("PutProfileObject", single, headline=False))
            except EmulatorError as error:
                failed.append({"Id": item["Id"], "Code": error.status, "Message": error.message[:_MAX_MESSAGE]})
            else:
                successful.append({"Id": item["Id"], "ProfileObjectUniqueKey": put["ProfileObjectUniqueKey"]})
        return {"Successful": successful, "Failed": failed}

    def op_ListProfileObjects(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        type_name = params["ObjectTypeName"]
        object_type = self._object_type(domain, type_name)
        profile = self._profile(domain, params["ProfileId"])
        object_filter = params.get("ObjectFilter")
        if object_filter and object_filter["KeyName"] not in (object_type.get("Keys") or {}):
            raise bad_request("ObjectFilter.KeyName is not a key of this object type")
        items = []
        for stored in domain.objects.values():
            if stored.object_type_name != type_name or stored.profile_id != profile.profile_id:
                continue
            if object_filter and stored.key_values.get(object_filter["KeyName"]) not in object_filter["Values"]:
                continue
            items.append({"ObjectTypeName": type_name, "ProfileObjectUniqueKey": stored.unique_key,
                          "Object": stored.document})
        scope = ["ListProfileObjects", params["DomainName"], type_name, profile.profile_id, object_filter]
        page, token = self._page(items, params, 20, scope)
        return {"Items": page, "NextToken": token}

    def op_DeleteProfileObject(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        self._object_type(domain, params["ObjectTypeName"])
        profile = self._profile(domain, params["ProfileId"])
        key = (params["ObjectTypeName"], params["ProfileObjectUniqueKey"])
        stored = domain.objects.get(key)
        if stored is None or stored.profile_id != profile.profile_id:
            raise not_found("Profile object not found")
        del domain.objects[key]
        return {"Message": _MESSAGE_DELETED}
