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
from datetime import UTC, datetime, timedelta
from typing import Any

from ._errors import EmulatorError, bad_request, not_found, not_implemented
from ._http import load_json, read_json

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
    #: The state of the other feature areas (segments, workflows, ...), by area: each area module
    #: keeps its own there (see :meth:`BackendBase.area_state`), gone with the domain.
    areas: dict[str, Any] = field(default_factory=dict)

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


@dataclass(frozen=True)
class ProfileEvent:
    """One change to a profile, as the areas that follow profiles see it (emitted under the lock).

    ``action`` is a value of the model's ``ActionType`` enum: ``CREATED``, ``UPDATED``,
    ``INGESTED`` (an object was put; ``object_type`` and ``unique_key`` say which, ``document`` is
    its JSON text), ``ADDED_PROFILE_KEY``, ``DELETED_PROFILE_KEY``, ``DELETED_BY_CUSTOMER``,
    ``MERGED`` (into this profile) and ``DELETED_BY_MERGE``.
    """

    domain: Domain
    profile_id: str
    action: str
    object_type: str | None = None
    unique_key: str | None = None
    document: str | None = None
    #: The profile's data after the change (a copy), or None when it was deleted.
    content: dict[str, Any] | None = None
    performed_by: str | None = None

    def __repr__(self) -> str:  # no data: ids and names only
        return f"ProfileEvent({self.action}, profile_id={self.profile_id!r}, object_type={self.object_type!r})"


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


class BackendBase:
    """The state of one emulated account in one region, dispatch and shared helpers; the
    operations are in the area modules (``_areas``), combined into :class:`~._backend.Backend`."""

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
        # Seconds added to the clock by advance() (the default clock only).
        self._advanced = 0.0
        self._own_clock = clock is not None
        #: What happens to profiles, for the areas that follow it (history, event triggers, ...):
        #: every method named ``on_profile_event_<area>`` of the areas, called by :meth:`emit`.
        self._listeners: list[Callable[[ProfileEvent], None]] = [
            getattr(self, name) for name in sorted(dir(self)) if name.startswith("on_profile_event_")
        ]

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
        """The clock's time, aware and in UTC (a naive time from a test clock is taken as UTC),
        plus what :meth:`advance` added."""
        moment = self._clock()
        if self._advanced:
            moment = moment + timedelta(seconds=self._advanced)
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)

    def advance(self, seconds: float) -> None:
        """Move the emulator's default clock ``seconds`` forward: long-running work (jobs,
        estimates, snapshots, status changes) reads the time from it. A clock passed as
        ``clock=`` is the caller's to move: then this raises ``TypeError``."""
        if self._own_clock:
            raise TypeError("this emulator runs on the clock= you passed: move that clock instead of calling advance()")
        if not isinstance(seconds, int | float) or isinstance(seconds, bool) or not seconds >= 0:
            raise ValueError("advance() takes a number of seconds >= 0")
        with self._lock:
            self._advanced += float(seconds)

    def area_state(self, domain: Domain, area: str, factory: Callable[[], Any]) -> Any:
        """The state an area keeps for ``domain`` (made by ``factory`` on first use)."""
        state = domain.areas.get(area)
        if state is None:
            state = domain.areas[area] = factory()
        return state

    def emit(self, event: ProfileEvent) -> None:
        """Tell the areas that follow profiles what just happened (see :class:`ProfileEvent`)."""
        for listener in self._listeners:
            listener(event)

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

    def _new_profile(self, domain: Domain, data: dict[str, Any]) -> Profile:
        profile = Profile(profile_id=self.new_id().hex, data=data, rank=next(self._sequence))
        domain.profiles[profile.profile_id] = profile
        domain.touch(profile)
        self._profile_event(domain, profile, "CREATED")
        return profile

    def _profile_event(self, domain: Domain, profile: Profile, action: str, **detail: Any) -> None:
        """Emit a :class:`ProfileEvent` for ``profile`` (its data copied after the change)."""
        if self._listeners:
            content = None if action.startswith("DELETED_BY") else copy.deepcopy(profile.wire())
            self.emit(ProfileEvent(domain, profile.profile_id, action, content=content, **detail))

    def _tags(self, params: Params, key: str = "Tags") -> dict[str, str] | None:
        tags = params.get(key)
        return dict(tags) if tags else None

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


__all__ = ["BackendBase", "BatchItem", "EmulatorError", "Params", "ProfileEvent"]
