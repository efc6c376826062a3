"""Members the service model marks as required in responses (docs/design.md, "Required response members").

They are typed without ``None`` (``profile_id: str``). Parsing stays lenient: a response that lacks
one, sends it as null or with an unexpected type still parses and keeps everything; reading the
member raises :class:`MissingMemberError` (an ``AttributeError``), never ``None`` or the raw value.
"""

from __future__ import annotations

import copy
import inspect
import json
import pickle
import re
import shutil
import subprocess
import textwrap
import typing
from pathlib import Path
from typing import Any

import pytest

import customer_profiles_sdk
import customer_profiles_sdk.models as models
from customer_profiles_sdk import CustomerProfilesClient, CustomerProfilesError, MissingMemberError
from customer_profiles_sdk._generated.operations import OPERATIONS
from customer_profiles_sdk._model import InputShape, RawValue, Shape, lenient_validate_json
from customer_profiles_sdk.errors import ParamValidationError

from . import synth
from .canned import Canned, boto3_client, method_kwargs, wire_json

ROOT = Path(__file__).resolve().parent.parent
CANARY = "CANARY-5e1d"

OUTPUTS = synth.output_structures()
TOP_LEVEL = {op["output"]["shape"] for op in synth.OPERATIONS.values() if "output" in op}
WITH_REQUIRED = sorted(n for n in synth.structures() if n in OUTPUTS and synth.SHAPES[n].get("required"))


def required_of(name: str) -> list[tuple[str, str]]:
    """(Python name, wire name) of each member ``name`` requires, in model order."""
    by_wire = getattr(models, name).__cp__.by_wire
    return [(by_wire[wire], wire) for wire in synth.SHAPES[name]["required"]]


def wrong_value(name: str, wire: str) -> Any:
    """A value of a JSON type the member cannot hold, carrying the canary."""
    target = synth.SHAPES[synth.SHAPES[name]["members"][wire]["shape"]]
    if target["type"] in ("structure", "map"):
        return CANARY
    return {CANARY: [CANARY]}


def variants(name: str) -> typing.Iterator[tuple[str, str, str, dict[str, Any], dict[str, Any]]]:
    """For each required member and each way of breaking it: (python, wire, kind, document, expected to_boto)."""
    complete = synth.valid(name, full=True)
    for py, wire in required_of(name):
        absent = {k: v for k, v in complete.items() if k != wire}
        yield py, wire, "absent", absent, absent
        yield py, wire, "null", {**complete, wire: None}, absent
        wrong = {**complete, wire: wrong_value(name, wire)}
        yield py, wire, "wrong", wrong, wrong


def check_missing(obj: Shape, name: str, py: str, wire: str, kind: str) -> None:
    with pytest.raises(MissingMemberError) as caught:
        getattr(obj, py)
    error = caught.value
    assert isinstance(error, AttributeError) and isinstance(error, CustomerProfilesError)
    assert (error.shape, error.member, error.name) == (name, wire, py)
    assert error.reason == (MissingMemberError.UNEXPECTED_TYPE if kind == "wrong" else MissingMemberError.ABSENT)
    text = str(error)
    assert f"{name}.{wire}" in text and repr(py) in text and CANARY not in text
    if kind == "wrong":
        assert re.search(r"arrived with an unexpected type \((dict|str|list)\)", text), text
    assert not hasattr(obj, py)
    marker = object()
    assert getattr(obj, py, marker) is marker
    assert py not in obj.__dict__  # never None (or a RawValue) under a type that promises a value


# -- the model's counts ------------------------------------------------------------------------------


def test_the_model_counts_match_the_generated_classes() -> None:
    required = [(n, w) for n in WITH_REQUIRED for w in synth.SHAPES[n]["required"]]
    assert len(required) == 222
    assert sum(1 for n, _ in required if n in TOP_LEVEL) == 88
    both = {n for n in synth.structures() if n in OUTPUTS and n in synth.input_structures()}
    assert len(both) == 53
    for name in WITH_REQUIRED:
        cls = getattr(models, name)
        for py, _ in required_of(name):
            field = cls.model_fields[py]
            assert field.is_required(), (name, py)
            hints = typing.get_type_hints(cls, include_extras=True)
            assert type(None) not in typing.get_args(hints[py]), (name, py)  # "X", never "X | None"
    # Members the model does not require stay optional.
    assert models.GetDomainResponse.model_fields["default_expiration_days"].is_required() is False


# -- every output structure with required members, from Python and from JSON --------------------------


@pytest.mark.parametrize("name", WITH_REQUIRED)
def test_every_required_member_reads_or_raises_the_typed_error(name: str) -> None:
    cls = getattr(models, name)
    complete = cls.from_boto(synth.valid(name, full=True))
    for py, wire, kind, document, expected in variants(name):
        parsed = [
            cls.from_boto(document),
            cls.model_validate(document) if not issubclass(cls, InputShape) else cls.from_wire(document),
            cls.from_boto_json(wire_json(document)),
            lenient_validate_json(cls, wire_json(document)),  # the client's fast path
        ]
        for obj in parsed:
            assert obj is not None
            check_missing(obj, name, py, wire, kind)
            # Everything else is still there.
            for other, _ in required_of(name):
                if other != py:
                    assert getattr(obj, other) == getattr(complete, other)
            assert obj == parsed[0] and obj != complete
        obj = parsed[0]
        assert obj.to_boto() == expected  # nothing lost
        assert json.loads(obj.to_json()) == json.loads(json.dumps(expected, default=lambda d: d.isoformat()))
        shown = repr(obj)
        assert CANARY not in shown and CANARY not in str(obj)
        if kind == "wrong":
            assert f"{py}=RawValue(" in shown or f"{py}=<redacted>" in shown
        else:
            assert f"{py}=<missing>" in shown
        for twin in (pickle.loads(pickle.dumps(obj)), copy.deepcopy(obj), copy.copy(obj), obj.model_copy(),
                     obj.model_copy(deep=True)):
            assert twin == obj and twin.to_boto() == obj.to_boto()
            check_missing(twin, name, py, wire, kind)
        # pydantic's dumps work; they hold what the object holds (to_boto is the lossless form).
        dumped = obj.model_dump(by_alias=True)
        assert wire not in dumped
        json.loads(obj.model_dump_json())


@pytest.mark.parametrize("name", WITH_REQUIRED)
def test_a_complete_reply_reads_as_plain_attributes(name: str) -> None:
    cls = getattr(models, name)
    document = synth.valid(name, full=True)
    for obj in (cls.from_boto(document), lenient_validate_json(cls, wire_json(document))):
        assert obj is not None
        for py, _ in required_of(name):
            value = getattr(obj, py)
            assert value is not None and not isinstance(value, RawValue)
            assert obj.__dict__[py] is value
            # No descriptor and no __getattribute__ stands between the reader and __dict__.
            assert inspect.getattr_static(cls, py, None) is None
        assert all("__getattribute__" not in vars(k) for k in cls.__mro__ if k is not object)


def test_nested_items_missing_required_members() -> None:
    body = {"Items": [{"DomainName": "a", "CreatedAt": 1, "LastUpdatedAt": 2},
                      {"CreatedAt": [CANARY], "LastUpdatedAt": None, "Tags": {"k": "v"}}], "NextToken": "t"}
    for parsed in (models.ListDomainsResponse.from_boto(body),
                   lenient_validate_json(models.ListDomainsResponse, json.dumps(body).encode())):
        assert parsed is not None and parsed.items is not None
        first, second = parsed.items
        assert first.domain_name == "a"
        check_missing(second, "ListDomainItem", "domain_name", "DomainName", "absent")
        check_missing(second, "ListDomainItem", "created_at", "CreatedAt", "wrong")
        check_missing(second, "ListDomainItem", "last_updated_at", "LastUpdatedAt", "null")
        assert second.tags == {"k": "v"}
        assert parsed.to_boto()["Items"][1] == {"CreatedAt": [CANARY], "Tags": {"k": "v"}}
        assert "domain_name=<missing>" in repr(parsed) and CANARY not in repr(parsed)


# -- through the client: the fast path and fast_parse=False ------------------------------------------


def op_calls() -> list[str]:
    return sorted(op for op, info in OPERATIONS.items() if info.output_shape in WITH_REQUIRED)


@pytest.fixture(scope="module")
def canned() -> Canned:
    return Canned()


@pytest.fixture(scope="module")
def clients(canned: Canned) -> dict[bool, CustomerProfilesClient]:
    return {fast: CustomerProfilesClient(client=boto3_client(canned), fast_parse=fast) for fast in (True, False)}


@pytest.mark.parametrize("op", op_calls())
def test_client_responses_lacking_or_mistyping_required_members(
    op: str, canned: Canned, clients: dict[bool, CustomerProfilesClient]
) -> None:
    info = OPERATIONS[op]
    name = info.output_shape
    kwargs = method_kwargs(info.input_shape, synth.valid(info.input_shape))
    if op in ("BatchGetProfile", "BatchGetCalculatedAttributeForProfile", "BatchPutProfileObject"):
        kwargs["allow_partial"] = True
    for py, wire, kind, document, _ in variants(name):
        canned.set(wire_json(document))
        results = [getattr(clients[fast], info.python_name)(**kwargs) for fast in (True, False)]
        for result in results:
            check_missing(result, name, py, wire, kind)
            assert result.response_metadata is not None  # kept alongside what was set aside
            assert CANARY not in repr(result)
        fast, slow = results
        assert fast == slow and fast.to_boto() == slow.to_boto()
        assert (wire in fast.to_boto()) is (kind == "wrong")
        if kind == "wrong":
            assert fast.to_boto()[wire] == json.loads(wire_json(document))[wire]  # kept as sent


def test_create_profile_returns_a_str_id(canned: Canned, clients: dict[bool, CustomerProfilesClient]) -> None:
    canned.set(b'{"ProfileId": "0123456789abcdef0123456789abcdef"}')
    for client in clients.values():
        profile_id: str = client.create_profile(domain_name="shop").profile_id
        assert profile_id == "0123456789abcdef0123456789abcdef"
    canned.set(b"{}")
    for client in clients.values():
        response = client.create_profile(domain_name="shop")
        with pytest.raises(MissingMemberError, match=r"CreateProfileResponse\.ProfileId \(attribute 'profile_id'\)"):
            response.profile_id  # noqa: B018
        assert getattr(response, "profile_id", None) is None
        assert response.to_boto() == {}


# -- shapes used in both directions, assignment, construction ----------------------------------------


def test_a_shape_used_in_both_directions_reads_alike_and_stays_strict_on_input() -> None:
    parsed = models.AttributeDetails.from_boto({"Attributes": [{"Name": "a"}]})
    check_missing(parsed, "AttributeDetails", "expression", "Expression", "absent")
    with pytest.raises(ParamValidationError) as caught:
        models.AttributeDetails(attributes=[models.AttributeItem(name="a")])  # type: ignore[call-arg]
    assert [(p.path, p.rule) for p in caught.value.problems] == [("Expression", "required")]
    # Sent back in a request, the parsed object is refused for what it lacks, never read as None.
    with pytest.raises(ParamValidationError) as caught:
        models.CreateCalculatedAttributeDefinitionRequest(
            domain_name="d", calculated_attribute_name="c", attribute_details=parsed, statistic="SUM")
    assert ("AttributeDetails.Expression", "required") in [(p.path, p.rule) for p in caught.value.problems]


def test_assigning_a_missing_member_makes_it_readable() -> None:
    response = models.CreateProfileResponse.from_boto({"ProfileId": 7})
    assert response.to_boto() == {"ProfileId": 7}
    response.profile_id = "0123456789abcdef0123456789abcdef"
    assert response.profile_id == "0123456789abcdef0123456789abcdef"
    assert response.to_boto() == {"ProfileId": "0123456789abcdef0123456789abcdef"}
    assert response == models.CreateProfileResponse.from_boto({"ProfileId": "0123456789abcdef0123456789abcdef"})


def test_construction_without_required_members() -> None:
    built = models.GetDomainResponse()  # type: ignore[call-arg]  # lenient at run time
    check_missing(built, "GetDomainResponse", "domain_name", "DomainName", "absent")
    constructed = models.GetDomainResponse.model_construct()  # type: ignore[call-arg]
    check_missing(constructed, "GetDomainResponse", "domain_name", "DomainName", "absent")
    assert built == models.GetDomainResponse.from_boto({})


def test_other_attribute_errors_are_unchanged() -> None:
    response = models.CreateProfileResponse.from_boto({})
    with pytest.raises(AttributeError) as caught:
        response.no_such_member  # type: ignore[attr-defined]  # noqa: B018
    assert not isinstance(caught.value, MissingMemberError)


def test_the_error_is_exported_and_pickles() -> None:
    assert customer_profiles_sdk.MissingMemberError is MissingMemberError
    assert "MissingMemberError" in customer_profiles_sdk.__all__
    error = MissingMemberError("S", "Member", "member", MissingMemberError.UNEXPECTED_TYPE, "int")
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is MissingMemberError and str(again) == str(error)
    assert (again.shape, again.member, again.name, again.reason) == ("S", "Member", "member", "unexpected_type")


# -- static types ---------------------------------------------------------------------------------------

TYPED = """
from customer_profiles_sdk import CustomerProfilesClient
from customer_profiles_sdk.models import AttributeDetails

client = CustomerProfilesClient(region_name="us-east-1")
profile_id: str = client.create_profile(domain_name="d").profile_id
domain = client.get_domain(domain_name="d")
reveal_type(domain.domain_name)
reveal_type(domain.created_at)
reveal_type(domain.default_expiration_days)
details = AttributeDetails.from_boto({})
reveal_type(details.expression)
domain.domain_nam
"""


def test_mypy_types_required_members_as_their_value_type(tmp_path: Path) -> None:
    from mypy import api

    target = tmp_path / "typed.py"
    target.write_text(textwrap.dedent(TYPED), encoding="utf-8")
    out, err, _ = api.run(["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(ROOT / ".mypy_cache"),
                           str(target)])
    # mypy 1 writes "builtins.str", mypy 2 "str".
    lines = [line.split("typed.py:", 1)[1].replace("builtins.", "") for line in out.splitlines() if "typed.py:" in line]
    assert '8: note: Revealed type is "str"' in lines, out + err
    assert '9: note: Revealed type is "datetime.datetime"' in lines, out + err
    assert '10: note: Revealed type is "int | None"' in lines, out + err
    assert '12: note: Revealed type is "str"' in lines, out + err
    # The typo is still an error (the run-time __getattr__ is hidden from type checkers), and the
    # assignment on line 6 is not.
    errors = [line for line in lines if "error:" in line]
    assert len(errors) == 1 and errors[0].startswith("13:"), out


@pytest.mark.slow  # a pyright process, about 4 s: .ci/run runs it
@pytest.mark.skipif(shutil.which("pyright") is None, reason="pyright is not installed")
def test_pyright_types_required_members_as_their_value_type(tmp_path: Path) -> None:
    target = tmp_path / "typed.py"
    target.write_text(textwrap.dedent(TYPED), encoding="utf-8")
    result = subprocess.run(["pyright", "--outputjson", str(target)], capture_output=True, text=True, cwd=ROOT,
                            timeout=600)
    report = json.loads(result.stdout)
    found = {(d["range"]["start"]["line"] + 1, d["severity"], d["message"]) for d in report["generalDiagnostics"]}
    assert (8, "information", 'Type of "domain.domain_name" is "str"') in found, found
    assert (12, "information", 'Type of "details.expression" is "str"') in found, found
    assert [line for line, severity, _ in found if severity == "error"] == [13], found
