"""A canary placed in every sensitive member never shows in repr, str or error text."""

from __future__ import annotations

import itertools
import pickle
from typing import Any

import pytest

import customer_profiles_sdk.models as models
from customer_profiles_sdk import ParamValidationError
from customer_profiles_sdk._model import InputShape

from . import synth

CANARY = "CANARY7f3a"
SENSITIVE_SHAPES = {n for n, s in synth.SHAPES.items() if s.get("sensitive")}
_counter = itertools.count()


def canary_fill(name: str, reached: set[str], long: bool) -> Any:
    """A value of shape ``name`` with the canary in every string (and map key) inside it."""
    shape = synth.SHAPES[name]
    if shape.get("sensitive"):
        reached.add(name)
    kind = shape["type"]
    if kind == "string":
        text = f"{CANARY}-{next(_counter)}"
        return text * 300 if long else text
    if kind == "list":
        return [canary_fill(shape["member"]["shape"], reached, long)]
    if kind == "map":
        key = canary_fill(shape["key"]["shape"], reached, long) if synth.SHAPES[shape["key"]["shape"]][
            "type"] == "string" else "k"
        return {key: canary_fill(shape["value"]["shape"], reached, long)}
    if kind == "structure":
        return {m: canary_fill(spec["shape"], reached, long) for m, spec in shape.get("members", {}).items()}
    return synth.valid(name)


def build(name: str, reached: set[str], long: bool) -> dict[str, Any]:
    """Valid-looking data for a structure, with canaries in every sensitive member at any depth."""
    shape = synth.SHAPES[name]
    if shape.get("sensitive"):
        return dict(canary_fill(name, reached, long))
    out: dict[str, Any] = {}
    for member, spec in shape.get("members", {}).items():
        target = spec["shape"]
        if synth.contains_sensitive(target):
            out[member] = canary_fill(target, reached, long)
        else:
            out[member] = nested(target, reached, long)
    return out


def nested(name: str, reached: set[str], long: bool) -> Any:
    shape = synth.SHAPES[name]
    if shape["type"] == "structure":
        return build(name, reached, long)
    if shape["type"] == "list" and synth.SHAPES[shape["member"]["shape"]]["type"] == "structure":
        return [build(shape["member"]["shape"], reached, long)]
    if shape["type"] == "map" and synth.SHAPES[shape["value"]["shape"]]["type"] == "structure":
        return {synth.valid(shape["key"]["shape"]): build(shape["value"]["shape"], reached, long)}
    return synth.valid(name, full=True)


STRUCTURES_WITH_SENSITIVE = []
for _name in synth.structures():
    _reached: set[str] = set()
    build(_name, _reached, False)
    if _reached:
        STRUCTURES_WITH_SENSITIVE.append(_name)


def test_every_sensitive_shape_is_reached() -> None:
    reached: set[str] = set()
    for name in synth.structures():
        build(name, reached, False)
    assert reached == SENSITIVE_SHAPES
    if synth.VERSION == "1.44.5":
        assert len(SENSITIVE_SHAPES) == 39
    print(f"\n{len(reached)} sensitive shapes reached from {len(STRUCTURES_WITH_SENSITIVE)} structures")


@pytest.mark.parametrize("name", STRUCTURES_WITH_SENSITIVE)
@pytest.mark.parametrize("long", [False, True], ids=["short", "long"])
def test_canary_never_leaks(name: str, long: bool) -> None:
    cls = getattr(models, name)
    data = build(name, set(), long)
    obj = cls.from_boto(data)
    assert CANARY in repr(obj.to_boto())  # it is really there ...
    for text in (repr(obj), str(obj), f"{obj!r}", f"{obj}"):
        assert CANARY not in text  # ... and never shown
    if issubclass(cls, InputShape):
        texts = []
        for attempt in (data, {**data, "NotAMember": CANARY}, {**data, CANARY: "x"}):
            try:
                cls.model_validate(attempt)
            except ParamValidationError as error:
                texts += [str(error), repr(error), *(str(p) for p in error.problems)]
                texts += [repr(p) for p in error.problems]
                texts.append(repr(pickle.loads(pickle.dumps(error))))
        assert texts, "the unknown member must have been rejected"
        for text in texts:
            assert CANARY not in text


def test_unknown_members_are_redacted_in_repr() -> None:
    parsed = models.GetDomainResponse.model_validate({"DomainName": "d", "NewPersonalField": CANARY})
    assert "NewPersonalField=<redacted>" in repr(parsed)
    assert CANARY not in repr(parsed)
    assert parsed.to_boto()["NewPersonalField"] == CANARY


def test_sensitive_values_are_sent_unmasked() -> None:
    request = models.CreateProfileRequest(domain_name="d", first_name="Jane", email_address="j@example.com")
    assert "Jane" not in repr(request)
    assert request.to_boto() == {"DomainName": "d", "FirstName": "Jane", "EmailAddress": "j@example.com"}
    assert request.first_name == "Jane"


def test_sensitive_map_keys_are_redacted_in_error_paths() -> None:
    with pytest.raises(ParamValidationError) as info:
        models.CreateProfileRequest(domain_name="d", attributes={f"{CANARY}" * 50: "v"})
    assert [(p.path, p.rule) for p in info.value.problems] == [("Attributes[<key>] (map key)", "max_length")]
