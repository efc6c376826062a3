"""Members that botocore does not mark sensitive but that carry personal data or secrets.

The SDK's own list (``codegen/redact.json``) is an input of the generator. For every entry, a
canary value placed in the member never shows in the repr or str of the model, of the request or
response that holds it, nor in a validation error, including errors that pydantic raises when an
SDK model is a field of the caller's own pydantic model (the FastAPI pattern).
"""

from __future__ import annotations

import copy
import itertools
import json
import pickle
from collections import deque
from pathlib import Path
from typing import Annotated, Any, Optional

import pytest
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, validate_call
from pydantic.dataclasses import dataclass as pydantic_dataclass
from typing_extensions import TypedDict

import customer_profiles_sdk.models as models
from codegen import __main__ as cli
from codegen import generator
from customer_profiles_sdk import ParamValidationError
from customer_profiles_sdk._model import InputShape, Shape

from . import synth

CANARY = "jane.canary@example.com"
LIST = generator.load_redactions()
ENTRIES = sorted(LIST["redact"])
_counter = itertools.count()


# -- building data with canaries ----------------------------------------------------------------


def canary_value(name: str, long: bool = False) -> Any:
    """A value of shape ``name`` with the canary in every string inside it (enum map keys stay valid)."""
    shape = synth.SHAPES[name]
    kind = shape["type"]
    if kind == "string" and "enum" not in shape:
        text = f"{CANARY}-{next(_counter)}"
        return text * 60 if long else text
    if kind == "list":
        return [canary_value(shape["member"]["shape"], long)]
    if kind == "map":
        key_shape = shape["key"]["shape"]
        key = synth.valid(key_shape) if "enum" in synth.SHAPES[key_shape] else canary_value(key_shape)
        return {key: canary_value(shape["value"]["shape"], long)}
    return synth.valid(name)


def with_canary(entry: str, long: bool = False) -> tuple[str, dict[str, Any]]:
    """(shape, valid wire data for it) with the canary in the listed member."""
    shape, member = entry.split(".")
    data = synth.valid(shape)
    data[member] = canary_value(synth.SHAPES[shape]["members"][member]["shape"], long)
    return shape, data


def _parents() -> dict[str, list[tuple[str, str, str]]]:
    """shape -> [(containing structure, member, how: "" | "list" | "map")]."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    for name in synth.structures():
        for member, spec in synth.SHAPES[name].get("members", {}).items():
            target = synth.SHAPES[spec["shape"]]
            if target["type"] == "structure":
                out.setdefault(spec["shape"], []).append((name, member, ""))
            elif target["type"] == "list" and synth.SHAPES[target["member"]["shape"]]["type"] == "structure":
                out.setdefault(target["member"]["shape"], []).append((name, member, "list"))
            elif target["type"] == "map" and synth.SHAPES[target["value"]["shape"]]["type"] == "structure":
                out.setdefault(target["value"]["shape"], []).append((name, member, "map"))
    return out


PARENTS = _parents()
OPERATION_SHAPES = {op[k]["shape"] for op in synth.OPERATIONS.values() for k in ("input", "output") if k in op}


def contained(shape: str, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Wrap ``data`` into the nearest operation request or response that holds ``shape``."""
    seen = {shape}
    queue: deque[tuple[str, dict[str, Any]]] = deque([(shape, data)])
    while queue:
        name, value = queue.popleft()
        if name in OPERATION_SHAPES:
            return name, value
        for parent, member, how in sorted(PARENTS.get(name, [])):
            if parent in seen:
                continue
            seen.add(parent)
            outer = synth.valid(parent)
            spec = synth.SHAPES[synth.SHAPES[parent]["members"][member]["shape"]]
            if how == "list":
                outer[member] = [value]
            elif how == "map":
                outer[member] = {synth.valid(spec["key"]["shape"]): value}
            else:
                outer[member] = value
            if synth.SHAPES[parent].get("union"):
                outer = {member: outer[member]}
            queue.append((parent, outer))
    return shape, data


def build(cls: type[Shape], data: dict[str, Any]) -> Shape:
    if issubclass(cls, InputShape):
        return cls.model_validate(data)
    return cls.from_boto(data)


def texts_of(obj: Any) -> list[str]:
    return [repr(obj), str(obj), f"{obj!r}", f"{obj}"]


def error_texts(error: BaseException) -> list[str]:
    texts = [str(error), repr(error)]
    if isinstance(error, ValidationError):
        texts += [repr(error.errors()), error.json(), repr(error.errors(include_context=True))]
    if isinstance(error, ParamValidationError):
        texts += [repr(p) for p in error.problems]
        texts.append(repr(pickle.loads(pickle.dumps(error))))
    return texts


# -- the list itself --------------------------------------------------------------------------


def test_the_list_covers_the_reported_members() -> None:
    for entry in ("SearchProfilesRequest.Values", "AdditionalSearchKey.Values", "AddProfileKeyRequest.Values",
                  "AddProfileKeyResponse.Values", "DeleteProfileKeyRequest.Values", "ObjectFilter.Values",
                  "FoundByKeyValue.Values", "GetSimilarProfilesRequest.SearchValue", "ContactPreference.KeyValue",
                  "AttributeValueItem.Value", "GetUploadJobPathResponse.ClientToken", "GetUploadJobPathResponse.Url"):
        assert entry in LIST["redact"], entry
    assert LIST["redact"]["GetUploadJobPathResponse.ClientToken"]["kind"] == "secret"


def test_every_text_member_is_redacted_or_reviewed() -> None:
    """A model update that adds a text member fails here until it is classified."""
    assert cli.unreviewed() == []


def test_generated_classes_carry_every_entry() -> None:
    for entry in ENTRIES:
        shape, member = entry.split(".")
        cls = getattr(models, shape)
        python = cls.__cp__.by_wire[member]
        assert python in cls.__cp__.sensitive, entry


# -- every entry: repr, str, containers, errors -------------------------------------------------


@pytest.mark.parametrize("entry", ENTRIES)
def test_entry_never_shows(entry: str) -> None:
    shape, data = with_canary(entry)
    cls = getattr(models, shape)
    obj = build(cls, data)
    assert CANARY in repr(obj.to_boto())  # really there (and sent unmasked) ...
    for text in texts_of(obj):
        assert CANARY not in text  # ... never shown
    outer_name, outer_data = contained(shape, data)
    outer = build(getattr(models, outer_name), outer_data)
    assert CANARY in json.dumps(outer.to_boto(), default=str)
    for text in texts_of(outer):
        assert CANARY not in text, outer_name
    for text in texts_of(outer.model_copy()) + texts_of(pickle.loads(pickle.dumps(outer))):
        assert CANARY not in text


@pytest.mark.parametrize("entry", ENTRIES)
def test_entry_never_in_validation_errors(entry: str) -> None:
    shape, data = with_canary(entry, long=True)  # too long for its shape
    cls = getattr(models, shape)
    bad = {**data, "NotAMember": CANARY, CANARY: "x"}
    raised: list[BaseException] = []
    if issubclass(cls, InputShape):
        with pytest.raises(ParamValidationError) as sdk_info:
            cls.model_validate(bad)
        raised.append(sdk_info.value)
    # As a field of the caller's own pydantic types (strict validation, whatever the SDK class).
    adapters: list[tuple[TypeAdapter[Any], Any]] = [
        (TypeAdapter(list[cls]), [bad]),  # type: ignore[valid-type]
        (TypeAdapter(dict[str, cls]), {"k": bad}),  # type: ignore[valid-type]
        (TypeAdapter(Optional[cls]), bad),  # type: ignore[arg-type]  # noqa: UP045
    ]
    for adapter, value in adapters:
        with pytest.raises(ValidationError) as info:
            adapter.validate_python(value)
        raised.append(info.value)
    for error in raised:
        for text in error_texts(error):
            assert CANARY not in text, (entry, text[:300])


def test_client_token_and_upload_url_are_redacted() -> None:
    url = "https://bucket.s3.amazonaws.com/k?X-Amz-Signature=SIGNATURE123&X-Amz-Security-Token=SESSION456"
    response = models.GetUploadJobPathResponse.from_boto({"Url": url, "ClientToken": "c2VjcmV0LWtleQ=="})
    shown = repr(response) + str(response)
    for secret in ("SIGNATURE123", "SESSION456", "c2VjcmV0LWtleQ=="):
        assert secret not in shown
    assert "client_token=<redacted>" in shown and "url=<redacted>" in shown
    assert response.client_token == "c2VjcmV0LWtleQ=="  # the value itself is untouched
    assert response.to_boto()["Url"] == url


def test_search_profiles_flagship_call() -> None:
    request = models.SearchProfilesRequest(domain_name="d", key_name="_email", values=[CANARY])
    assert repr(request) == "SearchProfilesRequest(domain_name='d', key_name='_email', values=<redacted>)"
    assert request.to_boto()["Values"] == [CANARY]


def test_docstrings_say_which_members_are_redacted() -> None:
    doc = models.GetUploadJobPathResponse.__doc__ or ""
    assert "``client_token`` (wire ``ClientToken``)" in doc
    assert "secret (SDK redaction list): redacted from repr and errors" in doc
    assert "personal data (SDK redaction list)" in (models.SearchProfilesRequest.__doc__ or "")


# -- the generator refuses what the model does not have -----------------------------------------


def _model(document: dict[str, Any]) -> generator.Model:
    return generator.Model(synth.SERVICE, synth.PAGINATORS, synth.VERSION, document)


@pytest.mark.parametrize(
    ("entry", "match"),
    [
        ("SearchProfilesRequest.NoSuchMember", "has no member 'NoSuchMember'"),
        ("NoSuchShape.Values", "no shape 'NoSuchShape'"),
        ("BadRequestException.Message", "not a generated structure"),
        ("requestValueList.member", "not a generated structure"),
        ("SearchProfilesRequest", "is not 'Shape.Member'"),
        ("SearchProfilesRequest.Values.Extra", "is not 'Shape.Member'"),
    ],
)
def test_generator_refuses_unknown_entries(entry: str, match: str) -> None:
    document = {"redact": {entry: {"kind": "personal", "reason": "test"}}}
    with pytest.raises(ValueError, match=match):
        _model(document)
    with pytest.raises(ValueError, match=match):
        generator.generate(synth.SERVICE, synth.PAGINATORS, synth.VERSION, document)


def test_generator_refuses_a_member_removed_by_a_model_update() -> None:
    service = copy.deepcopy(synth.SERVICE)
    del service["shapes"]["GetUploadJobPathResponse"]["members"]["ClientToken"]
    with pytest.raises(ValueError, match=r"GetUploadJobPathResponse\.ClientToken"):
        generator.generate(service, synth.PAGINATORS, synth.VERSION)


@pytest.mark.parametrize(
    "document",
    [
        {"redact": {"SearchProfilesRequest.Values": {"kind": "public", "reason": "x"}}},
        {"redact": {"SearchProfilesRequest.Values": {"kind": "personal", "reason": " "}}},
        {"redact": {"SearchProfilesRequest.Values": {"kind": "personal"}}},
        {"redact": {}, "extra": {}},
        {"not_redacted": {"NoSuchMemberAnywhere": "x"}},
        {"not_redacted": {"SearchProfilesRequest.Nope": "x"}},
        {"not_redacted": {"DomainName": ""}},
        {"redact": {"SearchProfilesRequest.Values": {"kind": "personal", "reason": "x"}},
         "not_redacted": {"SearchProfilesRequest.Values": "x"}},
    ],
)
def test_generator_refuses_malformed_lists(document: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="redaction list"):
        _model(document)


def test_unreviewed_lists_a_new_text_member() -> None:
    service = copy.deepcopy(synth.SERVICE)
    service["shapes"]["SearchProfilesRequest"]["members"]["HomeTown"] = {"shape": "string1To255"}
    model = generator.Model(service, synth.PAGINATORS, synth.VERSION, LIST)
    assert model.unreviewed() == ["SearchProfilesRequest.HomeTown"]


# -- SDK models inside the caller's own pydantic models -----------------------------------------


class Signup(BaseModel):
    """The FastAPI pattern: an SDK request as a field of the application's own model."""

    profile: models.CreateProfileRequest
    billing: Optional[models.Address] = None  # noqa: UP045
    addresses: list[models.Address] = []
    by_label: dict[str, models.Address] = {}


def _assert_clean(error: ValidationError) -> None:
    for text in error_texts(error):
        assert CANARY not in text, text[:400]
    for item in error.errors():
        assert item["input"] == "<redacted>"


BAD_PROFILES: list[Any] = [
    {"DomainName": "d", "EmailAddress": CANARY, "BirthDate": CANARY * 20},  # too long
    {"DomainName": "d", "EmailAddress": CANARY, "Unknown": CANARY},  # unknown member, value
    {"DomainName": "d", "EmailAddress": CANARY, CANARY: 1},  # unknown member named by the input
    {"DomainName": "d!", "EmailAddress": CANARY},  # pattern
    {"EmailAddress": CANARY},  # missing: pydantic's input for this is the whole dict
    {"DomainName": "d", "Attributes": {CANARY * 20: "v"}},  # map key too long
    {"DomainName": "d", "Address": {"City": 5, "Address1": CANARY}},  # nested type error
    {"DomainName": "d", "PartyType": CANARY},  # enum
    {"DomainName": "d", "EmailAddress": CANARY, "PhoneNumber": 12},
    CANARY,  # not a mapping at all
    [CANARY],
]


@pytest.mark.parametrize("profile", BAD_PROFILES)
def test_fastapi_style_field_hides_input(profile: Any) -> None:
    with pytest.raises(ValidationError) as info:
        Signup(profile=profile)
    _assert_clean(info.value)
    with pytest.raises(ValidationError) as info:
        Signup.model_validate({"profile": profile})
    _assert_clean(info.value)
    with pytest.raises(ValidationError) as info:
        Signup.model_validate_json(json.dumps({"profile": profile}))
    _assert_clean(info.value)


def test_nested_containers_hide_input() -> None:
    bad = {"City": CANARY * 20, "Nope": CANARY}
    for data in ({"profile": {"DomainName": "d"}, "billing": bad},
                 {"profile": {"DomainName": "d"}, "addresses": [{"City": "x"}, bad]},
                 {"profile": {"DomainName": "d"}, "by_label": {"home": bad}}):
        with pytest.raises(ValidationError) as info:
            Signup.model_validate(data)
        _assert_clean(info.value)
    for adapter, value in ((TypeAdapter(list[models.Address]), [bad]),
                           (TypeAdapter(list[list[models.Address]]), [[bad]]),
                           (TypeAdapter(dict[str, models.Address]), {"k": bad}),
                           (TypeAdapter(Optional[models.Address]), bad),  # noqa: UP045
                           (TypeAdapter(tuple[models.Address, ...]), (bad,))):
        with pytest.raises(ValidationError) as info:
            adapter.validate_python(value)
        _assert_clean(info.value)
        with pytest.raises(ValidationError) as info:
            adapter.validate_json(json.dumps(value))
        _assert_clean(info.value)


def test_annotated_body_and_validate_call_hide_input() -> None:
    """FastAPI validates a body parameter through TypeAdapter(Annotated[Model, Body(...)])."""
    body = TypeAdapter(Annotated[models.CreateProfileRequest, Field(description="request body")])
    with pytest.raises(ValidationError) as info:
        body.validate_python({"DomainName": "d", "EmailAddress": CANARY, "FirstName": CANARY * 20, CANARY: 1})
    _assert_clean(info.value)

    @validate_call
    def handler(address: models.Address) -> str:
        return address.city or ""

    with pytest.raises(ValidationError) as info:
        handler({"City": CANARY * 20})  # type: ignore[arg-type]
    _assert_clean(info.value)
    assert handler({"City": "Paris"}) == "Paris"  # type: ignore[arg-type]


def test_dataclass_and_typeddict_fields_hide_input() -> None:
    @pydantic_dataclass
    class Holder:
        address: models.Address

    class Typed(TypedDict):
        address: models.Address

    with pytest.raises(ValidationError) as info:
        Holder(address={"City": CANARY * 20})  # type: ignore[arg-type]
    _assert_clean(info.value)
    with pytest.raises(ValidationError) as info:
        TypeAdapter(Typed).validate_python({"address": {"Nope": CANARY}})
    _assert_clean(info.value)


def test_errors_keep_locations_types_and_rules() -> None:
    with pytest.raises(ValidationError) as info:
        Signup.model_validate({"profile": {"DomainName": "d!", "Attributes": {CANARY: CANARY * 20},
                                           "Address": {"Nope": 1}, CANARY: 1}})
    found = {(item["loc"], item["type"]) for item in info.value.errors()}
    assert found == {
        (("profile", "DomainName"), "string_pattern_mismatch"),
        (("profile", "Attributes", "<key>"), "string_too_long"),
        (("profile", "Address", "<unknown member>"), "extra_forbidden"),
        (("profile", "<unknown member>"), "extra_forbidden"),
    }
    by_loc = {item["loc"]: item for item in info.value.errors()}
    assert by_loc[("profile", "Attributes", "<key>")]["ctx"] == {"max_length": 255}
    # The SDK's own checks (here: exactly one member of a union) keep their type and message.
    both = {"ProfileAttributes": {"FirstName": {"DimensionType": "INCLUSIVE", "Values": [CANARY]}},
            "CalculatedAttributes": {"total": {"DimensionType": "EQUAL", "Values": [CANARY]}}}
    with pytest.raises(ValidationError) as info:
        TypeAdapter(list[models.Dimension]).validate_python([both])
    _assert_clean(info.value)
    assert [(item["type"], item["msg"]) for item in info.value.errors()] == [
        ("cp_union", "exactly one member of this union must be set, found 2")]


def test_valid_data_still_builds_sdk_models() -> None:
    signup = Signup.model_validate({"profile": {"DomainName": "d", "EmailAddress": CANARY},
                                    "addresses": [{"City": "Paris"}], "by_label": {"home": {"City": "Rome"}}})
    assert isinstance(signup.profile, models.CreateProfileRequest)
    assert signup.profile.email_address == CANARY
    assert isinstance(signup.addresses[0], models.Address) and signup.by_label["home"].city == "Rome"
    assert CANARY not in repr(signup)
    assert Signup.model_validate_json(signup.model_dump_json(by_alias=True)) == signup
    again = Signup(profile=signup.profile)  # an instance is revalidated, not copied blindly
    assert again.profile == signup.profile
    schema = Signup.model_json_schema()
    assert {"CreateProfileRequest", "Address"} <= set(schema["$defs"])
    assert schema["properties"]["profile"] == {"$ref": "#/$defs/CreateProfileRequest"}


def test_sdk_entry_points_are_unchanged() -> None:
    """The SDK's own validation still raises ParamValidationError, with "did you mean"."""
    with pytest.raises(ParamValidationError) as info:
        models.CreateProfileRequest.model_validate({"DomainName": "d", "EmailAdress": CANARY})
    assert "did you mean 'EmailAddress'?" in str(info.value)
    with pytest.raises(ParamValidationError):
        models.Address(city=CANARY * 20)
    for name in ("CreateProfileRequest", "Address", "SearchProfilesRequest", "Profile"):
        cls = getattr(models, name)
        cls.model_rebuild()
        assert "hide_sdk_input" not in repr(cls.__pydantic_core_schema__)


def test_documented_recipe_for_the_callers_own_errors() -> None:
    """A model that holds an SDK shape hides input in all of its errors, its own fields' too (a
    missing member's error quotes the whole input). A model that holds one only through another
    model of the caller's, built before it, does not: the recipe in docs/security.md covers it."""

    class Loose(BaseModel):
        profile: models.CreateProfileRequest
        name: str

    with pytest.raises(ValidationError) as info:
        Loose.model_validate({"profile": {"DomainName": "d", "EmailAddress": CANARY}})
    _assert_clean(info.value)  # the outer model's own "missing" error

    class Outer(BaseModel):  # holds an SDK shape only through Loose, already built
        signup: Loose
        age: int

    with pytest.raises(ValidationError) as info:
        Outer.model_validate({"signup": {"profile": {"DomainName": "d", "EmailAddress": CANARY}, "name": "n"}})
    assert CANARY in repr(info.value.errors())  # Outer's own "missing" error quotes its input

    class Strict(BaseModel):
        model_config = ConfigDict(hide_input_in_errors=True)
        signup: Loose
        age: int

    with pytest.raises(ValidationError) as info:
        Strict.model_validate({"signup": {"profile": {"DomainName": "d", "EmailAddress": CANARY, "Bad": 1}}})
    error = info.value
    for text in (str(error), repr(error), repr(error.errors(include_input=False)),
                 error.json(include_input=False)):
        assert CANARY not in text


def test_security_page_lists_every_entry_with_its_kind_and_reason() -> None:
    page = (Path(__file__).resolve().parent.parent / "docs" / "security.md").read_text(encoding="utf-8")
    rows = [line for line in page.splitlines() if line.startswith("| `")]
    for entry, spec in LIST["redact"].items():
        row = next((line for line in rows if f"`{entry}`" in line.split(" | ")[0]), None)
        assert row is not None, f"docs/security.md does not list {entry}"
        assert f"| {spec['kind']} | {spec['reason']} |" in row, entry


def test_error_kinds_that_quote_input_get_a_fixed_message() -> None:
    from customer_profiles_sdk._model import _without_input

    raw = ValidationError.from_exception_data("Address", [
        {"type": "value_error", "loc": ("City",), "input": CANARY, "ctx": {"error": ValueError(CANARY)}},
        {"type": "union_tag_invalid", "loc": ("City",), "input": CANARY,
         "ctx": {"discriminator": "'kind'", "tag": CANARY, "expected_tags": "'a'"}},
        {"type": "string_too_long", "loc": (CANARY,), "input": CANARY, "ctx": {"max_length": 3}},
    ])
    assert CANARY in repr(raw.errors())
    hidden = _without_input(models.Address, raw)
    _assert_clean(hidden)
    assert [(e["type"], e["loc"], e["msg"]) for e in hidden.errors()] == [
        ("value_error", ("City",), "invalid value (pydantic error type 'value_error')"),
        ("union_tag_invalid", ("City",), "invalid value (pydantic error type 'union_tag_invalid')"),
        ("string_too_long", ("<unknown member>",), "String should have at most 3 characters"),
    ]


def test_batch_failure_messages_stay_out_of_repr() -> None:
    """A per-entry batch message can quote the entry: it is readable but never in a repr."""
    from customer_profiles_sdk.errors import Failure, PartialFailureError

    failure = Failure("entry-1", "400", "value jane.canary@example.com is not valid")
    assert failure.message.endswith("is not valid")
    error = PartialFailureError("BatchPutProfileObject", None, [failure])
    for text in (repr(failure), repr(error.failures), str(error), repr(error)):
        assert "jane.canary" not in text
