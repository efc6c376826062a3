"""The emulator's in-memory backend: state and the semantics of the modelled operations.

Every operation takes and returns wire-named dicts (``DomainName``, ``Items``, ...), exactly what
the HTTP layer reads and writes. Input is checked first with the SDK's own strict request models,
so a plain boto3 client sending a 65-character domain name gets a ``BadRequestException`` that
names the field path and the rule, as the real service would refuse it.

State lives in one :class:`Backend` per emulator and every operation runs under that backend's
lock, so one backend can be shared by many threads and clients, and two emulators never see each
other's data. docs/guides/testing.md lists what is modelled and what is an approximation.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import itertools
import json
import random
import secrets
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from . import _calc
from ._errors import EmulatorError, bad_request, not_found, not_implemented
from ._http import load_json, read_json
from ._templates import TEMPLATES

Params = dict[str, Any]
Handler = Callable[[Params], dict[str, Any]]

# The search keys every profile has from its standard fields.
_STANDARD_KEYS: dict[str, tuple[str, ...]] = {
    "_account": ("AccountNumber",),
    "_email": ("EmailAddress", "PersonalEmailAddress", "BusinessEmailAddress"),
    "_phone": ("PhoneNumber", "MobilePhoneNumber", "HomePhoneNumber", "BusinessPhoneNumber"),
}
# The search keys every profile is indexed under, besides the names of its added keys.
_BUILTIN_KEYS = ("_profileId", "_fullName", *_STANDARD_KEYS)
# PutProfileObjectType members that a TemplateId supplies: the request may not give them too.
_TEMPLATE_MEMBERS = ("Fields", "Keys", "AllowProfileCreation", "SourceLastUpdatedTimestampFormat")
_MESSAGE_DELETED = "deleted"
#: The largest profile object the service takes: 250 KB, in UTF-8 bytes (the model's limit of
#: 256,000 characters is checked with the request; this one counts bytes).
MAX_OBJECT_BYTES = 250 * 1024
# The longest Message of a BatchPutProfileObject failure, as the model allows.
_MAX_MESSAGE = 1000

# Reprs of the state classes show ids and counts only: the data fields hold names, emails and
# documents, which must not end up in logs or test reports.


@dataclass
class Profile:
    profile_id: str
    data: dict[str, Any] = field(repr=False)
    keys: dict[str, list[str]] = field(default_factory=dict, repr=False)
    #: The order of creation in the domain: matching and search give the earliest profile first.
    rank: int = 0
    #: Which object type last wrote each mapped path of ``data`` (``("Address", "City")`` ->
    #: ``"Orders"``); a direct UpdateProfile write of the path removes its entry.
    provenance: dict[tuple[str, ...], str] = field(default_factory=dict, repr=False)
    #: The (key name, value) pairs under which the domain's index holds this profile now.
    indexed: set[tuple[str, str]] = field(default_factory=set, repr=False)

    def values(self, key: str) -> list[str]:
        """The profile's values of one search key: from its standard fields, and the values
        added to the key by AddProfileKey and by the objects' keys."""
        if key == "_profileId":
            out = [self.profile_id]
        elif key == "_fullName":
            names = [self.data.get(m) for m in ("FirstName", "MiddleName", "LastName")]
            full = " ".join(n for n in names if isinstance(n, str) and n)
            out = [full] if full else []
        else:
            fields = [self.data.get(m) for m in _STANDARD_KEYS.get(key, ())]
            out = [value for value in fields if isinstance(value, str) and value]
        return out + [v for v in self.keys.get(key, ()) if v not in out]

    def entries(self) -> set[tuple[str, str]]:
        """Every (key name, value) the profile can be found by."""
        return {(key, value) for key in (*_BUILTIN_KEYS, *self.keys) for value in self.values(key)}

    def wire(self) -> dict[str, Any]:
        return {"ProfileId": self.profile_id, **self.data}


@dataclass
class StoredObject:
    unique_key: str
    object_type_name: str
    profile_id: str | None
    document: str = field(repr=False)
    source: dict[str, Any] = field(repr=False)
    fields: dict[str, Any] = field(repr=False)
    key_values: dict[str, str] = field(repr=False)
    ingested_at: datetime
    #: The order of ingestion in the backend (a re-put object takes a new, later one).
    sequence: int = 0


@dataclass(repr=False)
class Domain:
    record: dict[str, Any]
    object_types: dict[str, dict[str, Any]] = field(default_factory=dict)
    profiles: dict[str, Profile] = field(default_factory=dict)
    objects: dict[tuple[str, str], StoredObject] = field(default_factory=dict)
    integrations: dict[str, dict[str, Any]] = field(default_factory=dict)
    calculated: dict[str, dict[str, Any]] = field(default_factory=dict)
    layouts: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: key name -> value -> ids of the profiles found by it; kept up to date by :meth:`touch`.
    index: dict[str, dict[str, set[str]]] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (f"Domain(name={self.record.get('DomainName')!r}, profiles={len(self.profiles)}, "
                f"objects={len(self.objects)}, object_types={len(self.object_types)})")

    def touch(self, profile: Profile) -> None:
        """Bring the index up to date with ``profile`` after any change to it."""
        entries = profile.entries()
        self._unindex(profile, profile.indexed - entries)
        for key, value in entries - profile.indexed:
            self.index.setdefault(key, {}).setdefault(value, set()).add(profile.profile_id)
        profile.indexed = entries

    def forget(self, profile: Profile) -> None:
        """Remove a deleted profile from the index."""
        self._unindex(profile, profile.indexed)
        profile.indexed = set()

    def _unindex(self, profile: Profile, entries: Iterable[tuple[str, str]]) -> None:
        for key, value in entries:
            holders = self.index[key][value]
            holders.discard(profile.profile_id)
            if not holders:
                del self.index[key][value]
                if not self.index[key]:
                    del self.index[key]

    def found_by(self, key: str, values: Iterable[str]) -> set[str]:
        """Ids of the profiles that have any of ``values`` under the search key ``key``."""
        by_value = self.index.get(key, {})
        found: set[str] = set()
        for value in values:
            found |= by_value.get(value, set())
        return found

    def first(self, key: str, value: str) -> Profile | None:
        """The earliest-created profile found by ``value`` under ``key``."""
        ids = self.index.get(key, {}).get(value)
        if not ids:
            return None
        return min((self.profiles[i] for i in ids), key=lambda p: p.rank)


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class BatchItem:
    """One item of a BatchPutProfileObject call, as an item fault's ``match`` sees it
    (:meth:`Emulator.fail_items <customer_profiles_sdk.local.Emulator.fail_items>`)."""

    #: The item's ``Id``.
    id: str
    #: Its index in the call's ``Items`` (0 to 9).
    index: int
    #: Its ``Object``, the JSON text as sent.
    object: str = field(repr=False)

    def data(self) -> Any:
        """The object parsed from JSON; None if it is not JSON."""
        try:
            return json.loads(self.object)
        except (ValueError, RecursionError):
            return None


class Backend:
    """The state of one emulated account in one region, and the operations over it."""

    def __init__(self, *, account_id: str = "123456789012", region: str = "us-east-1",
                 clock: Callable[[], datetime] | None = None, seed: int | None = None) -> None:
        self.account_id = account_id
        self.region = region
        self._clock = clock or _utcnow
        self._seed = seed
        self._ids = random.Random(seed)
        self._lock = threading.RLock()
        self._domains: dict[str, Domain] = {}
        # Page tokens carry an HMAC of their query under this key: a token reveals nothing about
        # the query's values (the emails searched, ...), and is refused by another emulator.
        self._token_key = secrets.token_bytes(32)
        # The order of ingestion of objects and of creation of profiles, across domains.
        self._sequence = itertools.count(1)
        self.calls: dict[str, int] = {}
        #: Asked for each item of a BatchPutProfileObject call before it is put: an error fails
        #: the item with that error's status and message (the emulator's item faults).
        self.item_fault: Callable[[BatchItem], EmulatorError | None] | None = None
        self._handlers: dict[str, Handler] = {
            name[len("op_"):]: getattr(self, name) for name in dir(self) if name.startswith("op_")
        }

    # -- dispatch ------------------------------------------------------------------------------
    @property
    def operations(self) -> frozenset[str]:
        """The operations the emulator models; every other one answers NotImplementedByEmulator."""
        return frozenset(self._handlers)

    def reset(self) -> None:
        with self._lock:
            self._domains.clear()
            self.calls.clear()
            self._ids = random.Random(self._seed)
            self._sequence = itertools.count(1)

    def new_id(self) -> uuid.UUID:
        """A fresh random id: profile ids and generated object keys. With ``seed``, the same
        sequence of calls gives the same ids in every run."""
        with self._lock:
            if self._seed is None:
                return uuid.uuid4()
            return uuid.UUID(int=self._ids.getrandbits(128), version=4)

    def call(self, operation: str, params: Params) -> dict[str, Any]:
        """Run one operation on wire-named ``params``; raises :class:`EmulatorError` for errors."""
        handler = self._handlers.get(operation)
        if handler is None:
            raise not_implemented(operation)
        # The backend keeps parts of the request (nested addresses, maps): a copy, so a Python
        # caller of call() who changes its dicts afterwards never changes the stored state.
        params = self._validated(operation, copy.deepcopy(params))
        with self._lock:
            self.calls[operation] = self.calls.get(operation, 0) + 1
            return copy.deepcopy(handler(params))

    @staticmethod
    def _validated(operation: str, params: Params, *, headline: bool = True) -> Params:
        """``params`` if the SDK's strict request model of ``operation`` accepts them; a 400 that
        names the field paths and rules otherwise (``headline=False``: the rules only, without
        the "N invalid parameters for <shape>" line)."""
        from .. import models
        from .._model import validate_request
        from ..errors import ParamValidationError
        from ._http import service_model

        shape = service_model().operation_model(operation).input_shape
        if shape is None:
            return params
        # A batch's objects are checked item by item (each gets its own outcome): the call as a
        # whole is checked with a valid stand-in for every object given as text.
        checked = _batch_stand_ins(params) if operation == "BatchPutProfileObject" else params
        try:
            validate_request(getattr(models, shape.name), checked)
        except ParamValidationError as error:
            # The SDK's message names field paths and rules, never values.
            text = str(error) if headline else "; ".join(str(problem) for problem in error.problems)
            raise bad_request(text) from None
        return params

    def now(self) -> datetime:
        """The clock's time, aware and in UTC (a naive time from a test clock is taken as UTC)."""
        moment = self._clock()
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)

    # -- helpers -------------------------------------------------------------------------------
    def _arn(self, *path: str) -> str:
        return f"arn:aws:profile:{self.region}:{self.account_id}:" + "/".join(path)

    def _domain(self, name: str) -> Domain:
        domain = self._domains.get(name)
        if domain is None:
            raise not_found("Domain not found")
        return domain

    def _object_type(self, domain: Domain, name: str) -> dict[str, Any]:
        record = domain.object_types.get(name)
        if record is None:
            raise not_found("Object type not found")
        return record

    def _profile(self, domain: Domain, profile_id: str) -> Profile:
        profile = domain.profiles.get(profile_id)
        if profile is None:
            raise not_found("Profile not found")
        return profile

    @staticmethod
    def _project(record: Mapping[str, Any], shape: str) -> dict[str, Any]:
        """The members of ``record`` that the output shape ``shape`` has."""
        from ._http import service_model

        members = service_model().shape_for(shape).members  # type: ignore[attr-defined]
        return {key: value for key, value in record.items() if key in members and value is not None}

    def _page(self, items: list[Any], params: Params, default: int, scope: Any) -> tuple[list[Any], str | None]:
        """One page of ``items`` and the token of the next; tokens are bound to ``scope`` (any
        JSON value: the operation and its query) by a keyed hash of it."""
        size = params.get("MaxResults") or default
        offset = 0
        token = params.get("NextToken")
        text = json.dumps(scope, sort_keys=True, default=str)  # ASCII: lone surrogates are escaped
        fingerprint = hmac.new(self._token_key, text.encode(), hashlib.sha256).hexdigest()[:32]
        if token:
            offset = _token_offset(token, fingerprint)
        page = items[offset:offset + size]
        following = None
        if offset + size < len(items):
            following = base64.urlsafe_b64encode(json.dumps({"o": offset + size, "s": fingerprint}).encode()).decode()
        return page, following

    def _tags(self, params: Params, key: str = "Tags") -> dict[str, str] | None:
        tags = params.get(key)
        return dict(tags) if tags else None

    # -- domains -------------------------------------------------------------------------------
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

    # -- object types and templates -------------------------------------------------------------
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

    # -- profiles ------------------------------------------------------------------------------
    def _new_profile(self, domain: Domain, data: dict[str, Any]) -> Profile:
        profile = Profile(profile_id=self.new_id().hex, data=data, rank=next(self._sequence))
        domain.profiles[profile.profile_id] = profile
        domain.touch(profile)
        return profile

    def op_CreateProfile(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        data = {key: value for key, value in params.items() if key != "DomainName"}
        return {"ProfileId": self._new_profile(domain, data).profile_id}

    def op_UpdateProfile(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        profile = self._profile(domain, params["ProfileId"])
        for key, value in params.items():
            if key in ("DomainName", "ProfileId"):
                continue
            _merge(profile.data, key, value)
            # A direct write: the paths it wrote no longer come from an object type.
            if isinstance(value, dict) and key != "EngagementPreferences":
                written = [path for path in profile.provenance if path[0] == key and path[1:2] and path[1] in value]
            else:
                written = [path for path in profile.provenance if path[0] == key]
            for path in written:
                del profile.provenance[path]
        domain.touch(profile)
        return {"ProfileId": profile.profile_id}

    def op_DeleteProfile(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        profile = self._profile(domain, params["ProfileId"])
        del domain.profiles[profile.profile_id]
        domain.forget(profile)
        for key in [k for k, o in domain.objects.items() if o.profile_id == profile.profile_id]:
            del domain.objects[key]
        return {"Message": _MESSAGE_DELETED}

    def op_SearchProfiles(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        criteria = [(params["KeyName"], params["Values"])]
        extra = params.get("AdditionalSearchKeys") or []
        criteria += [(item["KeyName"], item["Values"]) for item in extra]
        # The service's default is OR: a profile found by any of the keys (AND only when asked).
        conjunction = params.get("LogicalOperator") == "AND"
        # Candidates from the index, then the same test on each as a scan of every profile.
        sets = [domain.found_by(key, values) for key, values in criteria]
        candidates = set.intersection(*sets) if conjunction else set.union(*sets)
        found = []
        for profile in sorted((domain.profiles[i] for i in candidates), key=lambda p: p.rank):
            hits = [(key, [v for v in values if v in profile.values(key)]) for key, values in criteria]
            matched = [(key, values) for key, values in hits if values]
            if (len(matched) == len(hits)) if conjunction else matched:
                item = profile.wire()
                if extra:
                    item["FoundByItems"] = [{"KeyName": key, "Values": values} for key, values in matched]
                found.append(item)
        scope = ["SearchProfiles", params["DomainName"], criteria, conjunction]
        page, token = self._page(found, params, 20, scope)
        return {"Items": page, "NextToken": token}

    def op_BatchGetProfile(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        profiles, errors = [], []
        for profile_id in params["ProfileIds"]:
            profile = domain.profiles.get(profile_id)
            if profile is None:
                errors.append({"Code": "ResourceNotFoundException", "Message": "Profile not found",
                               "ProfileId": profile_id})
            else:
                profiles.append(profile.wire())
        return {"Profiles": profiles, "Errors": errors}

    def op_AddProfileKey(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        profile = self._profile(domain, params["ProfileId"])
        values = profile.keys.setdefault(params["KeyName"], [])
        values.extend(v for v in dict.fromkeys(params["Values"]) if v not in values)
        domain.touch(profile)
        return {"KeyName": params["KeyName"], "Values": list(params["Values"])}

    def op_DeleteProfileKey(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        profile = self._profile(domain, params["ProfileId"])
        values = profile.keys.get(params["KeyName"])
        if not values or not any(v in values for v in params["Values"]):
            raise not_found("Key not found for this profile")
        profile.keys[params["KeyName"]] = [v for v in values if v not in params["Values"]]
        if not profile.keys[params["KeyName"]]:
            del profile.keys[params["KeyName"]]
        domain.touch(profile)
        return {"Message": _MESSAGE_DELETED}

    # -- profile objects -----------------------------------------------------------------------
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

    # -- integrations --------------------------------------------------------------------------
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

    # -- calculated attributes -----------------------------------------------------------------
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

    # -- domain layouts ------------------------------------------------------------------------
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

    # -- tags ----------------------------------------------------------------------------------
    def _tagged(self, arn: str) -> dict[str, Any]:
        """The record a resource ARN names: domains, object types, integrations, calculated
        attribute definitions and layouts."""
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

    # -- introspection for tests ---------------------------------------------------------------
    def domain_names(self) -> list[str]:
        with self._lock:
            return sorted(self._domains)

    def resource_arn(self, domain: str, kind: str | None = None, name: str | None = None) -> str:
        """The ARN the emulator gives a resource: ``kind`` is ``object-types``, ``integrations``,
        ``calculated-attributes`` or ``layouts`` (None for the domain itself)."""
        if kind is None:
            return self._arn("domains", domain)
        return self._arn("domains", domain, kind, name or "")


# A profile is metered as one profile per started block of this many profile objects.
_OBJECTS_PER_METERED_PROFILE = 100


def _metering_profile_count(domain: Domain) -> int:
    """The profiles as they are metered: each profile counts max(1, ceil(objects / 100)), where
    objects are the profile objects attached to it (101 objects count 2, 201 count 3)."""
    attached: dict[str, int] = {}
    for stored in domain.objects.values():
        if stored.profile_id is not None:
            attached[stored.profile_id] = attached.get(stored.profile_id, 0) + 1
    per_block = _OBJECTS_PER_METERED_PROFILE
    return sum(max(1, -(-attached.get(profile_id, 0) // per_block)) for profile_id in domain.profiles)


def _merge(data: dict[str, Any], key: str, value: Any) -> None:
    """UpdateProfile's rule: a value replaces, ``""`` clears; nested addresses and the Attributes
    map are merged member by member with the same rule."""
    if value == "":
        data.pop(key, None)
    elif isinstance(value, dict) and key != "EngagementPreferences":
        current = data.get(key)
        merged = dict(current) if isinstance(current, dict) else {}
        for inner, item in value.items():
            if item == "":
                merged.pop(inner, None)
            else:
                merged[inner] = item
        if merged:
            data[key] = merged
        else:
            data.pop(key, None)
    else:
        data[key] = value


def _source_value(source: Mapping[str, Any], path: str) -> Any:
    """The value at a Field's Source path (``_source.a.b``) in an object's JSON document."""
    parts = path.split(".")
    if not parts or parts[0] != "_source":
        return None
    value: Any = source
    for part in parts[1:]:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _profile_path(target: str) -> tuple[str, ...] | None:
    """Where a Field's ``_profile.`` Target writes in the profile, or None if it names no
    standard field: ``_profile.FirstName``, ``_profile.Address.City`` (a member of an address),
    ``_profile.Attributes.anything`` (dots included in the attribute name)."""
    from ._http import service_model

    prefix, _, rest = target.partition(".")
    name, _, inner = rest.partition(".")
    if prefix != "_profile" or name in ("ProfileId", "FoundByItems"):
        return None
    member = service_model().shape_for("Profile").members.get(name)  # type: ignore[attr-defined]
    if member is None:
        return None
    if member.type_name == "string" and not inner:
        return (name,)
    if member.type_name == "map" and inner:
        return (name, inner)
    if member.type_name == "structure" and getattr(member.members.get(inner), "type_name", None) == "string":
        return (name, inner)
    return None


def _set_path(data: dict[str, Any], path: Iterable[str], value: str) -> None:
    parts = list(path)
    for part in parts[:-1]:
        nested = data.get(part)
        if not isinstance(nested, dict):
            nested = {}
            data[part] = nested
        data = nested
    data[parts[-1]] = value


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool) and value != ""


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check_layout(layout: str) -> None:
    _read_json_member(layout, "Layout")


def _read_json_member(text: str, member: str) -> Any:
    """The JSON document a string member holds (``Object``, ``Layout``), or a 400 that names the
    member and the broken rule (not JSON, nested too deep), never the text. A lone surrogate
    escape inside the document is kept: the member's text itself is valid (ASCII) text."""
    return read_json(text, member)


def _derive(object_type: Mapping[str, Any], source: Mapping[str, Any]
            ) -> tuple[dict[str, Any], dict[str, str], dict[str, set[str]]]:
    """An object's fields (from its document and the type's Fields), its key values and the
    identifiers of each key that has a value. A key with several definitions takes its value from
    the first definition whose fields all have a value."""
    fields = {name: _source_value(source, spec.get("Source", "")) for name, spec in
              (object_type.get("Fields") or {}).items()}
    fields = {name: value for name, value in fields.items() if value is not None}
    key_values: dict[str, str] = {}
    identifiers: dict[str, set[str]] = {}
    for key_name, key_defs in (object_type.get("Keys") or {}).items():
        for key_def in key_defs:
            parts = [fields.get(name) for name in key_def.get("FieldNames") or []]
            if parts and all(_is_scalar(p) for p in parts):
                key_values[key_name] = "_".join(_text(p) for p in parts)
                identifiers[key_name] = set(key_def.get("StandardIdentifiers") or ["PROFILE"])
                break
    return fields, key_values, identifiers


def _unique_key(type_name: str, identifiers: Mapping[str, set[str]], key_values: Mapping[str, str]) -> str | None:
    """The object's key from its UNIQUE key's value, or None when it has none. The hash input is
    ASCII JSON, so any value (a lone surrogate too) hashes."""
    unique = next((k for k, ids in identifiers.items() if "UNIQUE" in ids), None)
    if unique is None:
        return None
    digest = hashlib.sha256(json.dumps([type_name, unique, key_values[unique]]).encode()).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode()


def _matching_keys(identifiers: Mapping[str, set[str]]) -> list[str]:
    """The keys that find an object's profile, in the order they are tried: PROFILE keys, then
    SECONDARY ones (with or without PROFILE)."""
    first = [key for key, ids in identifiers.items() if "PROFILE" in ids and "SECONDARY" not in ids]
    return first + [key for key, ids in identifiers.items() if "SECONDARY" in ids]


def _kept_on_profile(identifiers: set[str], created: bool) -> bool:
    """Whether a key's value is put on the matched profile (so the profile is found by it): not
    when its identifiers are only UNIQUE, nor when it is LOOKUP_ONLY, nor when it is NEW_ONLY and
    the profile existed before the put."""
    if identifiers <= {"UNIQUE"} or "LOOKUP_ONLY" in identifiers:
        return False
    return created or "NEW_ONLY" not in identifiers


def _delete_path(data: dict[str, Any], path: tuple[str, ...]) -> None:
    """Remove the value at ``path``, and the nested dict that holds it if it is left empty."""
    if len(path) == 1:
        data.pop(path[0], None)
        return
    nested = data.get(path[0])
    if isinstance(nested, dict):
        nested.pop(path[1], None)
        if not nested:
            del data[path[0]]


def _token_offset(token: str, fingerprint: str) -> int:
    """The offset a NextToken holds, if it is one of ours for this query; a 400 otherwise."""
    try:
        decoded = load_json(base64.urlsafe_b64decode(token.encode("utf-8", "surrogatepass")))
    except ValueError:  # not base64, not UTF-8, not JSON (binascii.Error is a ValueError)
        decoded = None
    if isinstance(decoded, dict):
        offset, bound = decoded.get("o"), decoded.get("s")
        if (type(offset) is int and offset >= 0 and isinstance(bound, str)
                and hmac.compare_digest(bound.encode("utf-8", "surrogatepass"), fingerprint.encode())):
            return offset
    raise bad_request("The NextToken is not valid for this request")


def _batch_stand_ins(params: Params) -> Params:
    """A BatchPutProfileObject request with ``"{}"`` in place of every ``Object`` given as text,
    to check the call as a whole (the list's length, the ids, a missing or non-text object); the
    objects themselves are checked item by item."""
    items = params.get("Items")
    if not isinstance(items, list):
        return params
    stand_ins = [{**item, "Object": "{}"} if isinstance(item, dict) and isinstance(item.get("Object"), str) else item
                 for item in items]
    return {**params, "Items": stand_ins}


def _utf8(text: str) -> bytes:
    """``text`` in UTF-8; a lone surrogate (which JSON can carry) counts as its three bytes."""
    return text.encode("utf-8", "surrogatepass")


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


__all__ = ["Backend", "BatchItem", "EmulatorError"]
