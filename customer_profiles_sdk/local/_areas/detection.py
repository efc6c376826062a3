"""DetectProfileObjectType: Fields and Keys inferred from sample objects.

Operations: DetectProfileObjectType.

The sample objects (1 to 5 JSON objects) are merged into one detected type. Every leaf that a
``_source.`` path can reach (nested objects are followed; lists are not fields) becomes a field,
in the order first seen, named after its path (``address.city`` -> ``address_city``). Its
content type comes from its values: ``NUMBER`` (JSON numbers), ``EMAIL_ADDRESS``,
``PHONE_NUMBER``, ``NAME`` (a name-like field of text), else ``STRING``. A field whose name or
content says which standard profile field it is gets that ``_profile.`` target (each target at
most once). Keys: ``_email`` and ``_phone`` (PROFILE) on the fields targeting the email address
and phone number, ``_account`` (PROFILE) on the account number, and one UNIQUE key on an id
field whose values are present in every sample and all different. The answer depends on the
samples only. Errors name the sample by its index, never its content.
"""

from __future__ import annotations

import re
from typing import Any

from .._errors import bad_request
from .._store import MAX_OBJECT_BYTES, BackendBase, Params, _read_json_member, _utf8

_MAX_FIELD_NAME = 64
_MAX_SOURCE = 1000
#: The most fields a detected type gets (the leaves of the samples beyond are left out).
MAX_FIELDS = 500
# Normalized field names (lowercase, letters and digits only) -> the _profile target they suggest.
_TARGETS: dict[str, str] = {}
for _target, _names in {
    "EmailAddress": ("email", "emailaddress", "mail", "emailid"),
    "PersonalEmailAddress": ("personalemail", "personalemailaddress", "homeemail"),
    "BusinessEmailAddress": ("businessemail", "businessemailaddress", "workemail", "workemailaddress"),
    "PhoneNumber": ("phone", "phonenumber", "telephone", "telephonenumber", "tel", "phoneno"),
    "MobilePhoneNumber": ("mobile", "mobilephone", "mobilephonenumber", "mobilenumber", "cell", "cellphone"),
    "HomePhoneNumber": ("homephone", "homephonenumber"),
    "BusinessPhoneNumber": ("businessphone", "businessphonenumber", "workphone", "workphonenumber"),
    "FirstName": ("firstname", "givenname", "fname", "forename"),
    "MiddleName": ("middlename",),
    "LastName": ("lastname", "surname", "familyname", "lname"),
    "BirthDate": ("birthdate", "dateofbirth", "dob", "birthday"),
    "AccountNumber": ("accountnumber", "accountno", "accountid"),
    "BusinessName": ("businessname", "company", "companyname", "organization", "organisation"),
    "Address.Address1": ("address1", "addressline1", "street", "streetaddress"),
    "Address.Address2": ("address2", "addressline2"),
    "Address.City": ("city", "town"),
    "Address.Province": ("province",),
    "Address.County": ("county",),
    "Address.Country": ("country", "countrycode"),
    "Address.PostalCode": ("postalcode", "zip", "zipcode", "postcode"),
}.items():
    for _name in _names:
        _TARGETS[_name] = _target
_NAME_FIELDS = {"name", "fullname", "customername", "firstname", "middlename", "lastname", "givenname",
                "surname", "familyname", "fname", "lname", "forename"}
_PHONE_TARGETS = ("PhoneNumber", "MobilePhoneNumber", "HomePhoneNumber", "BusinessPhoneNumber")
_EMAIL_TARGETS = ("EmailAddress", "PersonalEmailAddress", "BusinessEmailAddress")
_LAST_UPDATED = {"lastupdated", "lastupdatedat", "updatedat", "lastmodified", "lastmodifiedat", "modifiedat",
                 "lastupdatedtimestamp", "updatedtimestamp", "lastmodifieddate", "updateddate"}
# Timestamp shapes -> the format SourceLastUpdatedTimestampFormat names (values are at most 40
# characters when these are tried: the patterns have no nested repetition).
_TIMESTAMP_FORMATS = (
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z"), "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"),
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z"), "yyyy-MM-dd'T'HH:mm:ss'Z'"),
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}"), "yyyy-MM-dd'T'HH:mm:ssXXX"),
    (re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"), "yyyy-MM-dd HH:mm:ss"),
)
_FIELD_NAME_CHARS = re.compile(r"[^A-Za-z0-9_-]")


def _normalized(name: str) -> str:
    return "".join(c for c in name.lower() if c.isascii() and c.isalnum())


def _is_email(value: str) -> bool:
    """An address of the form local@domain.tld, without spaces (checked by splitting: linear)."""
    if len(value) > 254 or any(c.isspace() for c in value) or value.count("@") != 1:
        return False
    local, _, host = value.partition("@")
    labels = host.split(".")
    return bool(local) and len(labels) >= 2 and all(labels)


def _is_phone(value: str) -> bool:
    """7 to 15 digits with an optional leading ``+`` and the usual separators."""
    if len(value) > 32:
        return False
    body = value[1:] if value.startswith("+") else value
    digits = sum(c.isdigit() for c in body)
    return 7 <= digits <= 15 and all(c.isdigit() or c in " -.()" for c in body)


def _leaves(document: dict[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """Every (path, value) a ``_source.`` path reaches: nested objects are followed (depth is
    bounded by the JSON reader); keys with a dot or empty cannot be addressed and are skipped."""
    out: list[tuple[tuple[str, ...], Any]] = []
    for key, value in document.items():
        if not key or "." in key:
            continue
        path = (*prefix, key)
        if isinstance(value, dict):
            out.extend(_leaves(value, path))
        elif not isinstance(value, list):
            out.append((path, value))
    return out


def _content_type(name: str, values: list[Any]) -> str:
    present = [v for v in values if v is not None and v != ""]
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return "NUMBER"
    if not present or not all(isinstance(v, str) for v in present):
        return "STRING"
    if all(_is_email(v) for v in present):
        return "EMAIL_ADDRESS"
    if all(_is_phone(v) for v in present):
        return "PHONE_NUMBER"
    if _normalized(name) in _NAME_FIELDS:
        return "NAME"
    return "STRING"


class DetectionArea(BackendBase):
    """DetectProfileObjectType: Fields and Keys inferred from sample objects."""

    def op_DetectProfileObjectType(self, params: Params) -> dict[str, Any]:
        self._domain(params["DomainName"])
        samples: list[dict[str, Any]] = []
        for index, text in enumerate(params["Objects"]):
            if len(_utf8(text)) > MAX_OBJECT_BYTES:
                raise bad_request(f"Objects[{index}] is larger than 250 KB ({MAX_OBJECT_BYTES:,} bytes of UTF-8)")
            document = _read_json_member(text, f"Objects[{index}]")
            if not isinstance(document, dict):
                raise bad_request(f"Objects[{index}] must be a JSON object")
            samples.append(document)
        detected = _detect(samples)
        return {"DetectedProfileObjectTypes": [detected] if detected["Fields"] else []}


def _detect(samples: list[dict[str, Any]]) -> dict[str, Any]:
    # path -> the value in each sample (None where a sample lacks it), in first-seen order.
    values: dict[tuple[str, ...], list[Any]] = {}
    for position, sample in enumerate(samples):
        for path, value in _leaves(sample):
            column = values.get(path)
            if column is None:
                if len(values) >= MAX_FIELDS:
                    continue
                column = values[path] = [None] * len(samples)
            column[position] = value
    fields: dict[str, dict[str, Any]] = {}
    names: dict[tuple[str, ...], str] = {}
    for path in values:
        source = "_source." + ".".join(path)
        if len(source) > _MAX_SOURCE:
            continue
        base = _FIELD_NAME_CHARS.sub("_", "_".join(path))[:_MAX_FIELD_NAME] or "field"
        name, suffix = base, 1
        while name in fields:  # at most len(values) tries in all
            suffix += 1
            name = f"{base[:_MAX_FIELD_NAME - len(str(suffix)) - 1]}_{suffix}"
        names[path] = name
        fields[name] = {"Source": source, "ContentType": _content_type(path[-1], values[path])}
    # Targets: by name first, then by content for the email and phone fields left.
    used: set[str] = set()
    for path, name in names.items():
        target = _TARGETS.get(_normalized(path[-1]))
        if target is not None and target not in used and isinstance(_first(values[path]), str | int | float):
            fields[name]["Target"] = f"_profile.{target}"
            used.add(target)
    for name in names.values():
        spec = fields[name]
        if "Target" in spec:
            continue
        choices = {"EMAIL_ADDRESS": _EMAIL_TARGETS, "PHONE_NUMBER": _PHONE_TARGETS}.get(spec["ContentType"], ())
        free = next((t for t in choices if t not in used), None)
        if free is not None:
            spec["Target"] = f"_profile.{free}"
            used.add(free)
    keys: dict[str, list[dict[str, Any]]] = {}
    for key_name, target in (("_email", "EmailAddress"), ("_phone", "PhoneNumber"), ("_account", "AccountNumber")):
        holder = next((n for n, spec in fields.items() if spec.get("Target") == f"_profile.{target}"), None)
        if holder is not None:
            keys[key_name] = [{"StandardIdentifiers": ["PROFILE"], "FieldNames": [holder]}]
    unique = _unique_field(names, values)
    if unique is not None and unique not in keys:
        keys[unique] = [{"StandardIdentifiers": ["UNIQUE"], "FieldNames": [unique]}]
    detected: dict[str, Any] = {"Fields": fields, "Keys": keys or None}
    timestamp_format = _timestamp_format(names, values)
    if timestamp_format is not None:
        detected["SourceLastUpdatedTimestampFormat"] = timestamp_format
    return detected


def _first(column: list[Any]) -> Any:
    return next((v for v in column if v is not None), None)


def _unique_field(names: dict[tuple[str, ...], str], values: dict[tuple[str, ...], list[Any]]) -> str | None:
    """The id field a UNIQUE key goes on: a top-level field named ``id`` or ending in ``id``
    (not an account id), present with a text or whole-number value in every sample, all different;
    ``id`` itself first, then in field order."""
    candidates = []
    for path, name in names.items():
        normalized = _normalized(path[-1])
        if len(path) != 1 or not normalized.endswith("id") or _TARGETS.get(normalized) == "AccountNumber":
            continue
        column = values[path]
        texts = [v for v in column if (isinstance(v, str) and v) or (isinstance(v, int) and not isinstance(v, bool))]
        if len(texts) == len(column) and len({str(v) for v in texts}) == len(texts):
            candidates.append((normalized != "id", name))
    return min(candidates, key=lambda c: c[0])[1] if candidates else None


def _timestamp_format(names: dict[tuple[str, ...], str], values: dict[tuple[str, ...], list[Any]]) -> str | None:
    for path in names:
        if _normalized(path[-1]) not in _LAST_UPDATED:
            continue
        present = [v for v in values[path] if v is not None]
        if not present or not all(isinstance(v, str) and len(v) <= 40 for v in present):
            continue
        for pattern, name in _TIMESTAMP_FORMATS:
            if all(pattern.fullmatch(v) for v in present):
                return name
    return None
