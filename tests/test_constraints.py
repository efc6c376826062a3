"""Strict input: every constraint of the model rejects a violating value, with its wire path."""

from __future__ import annotations

from typing import Any

import pytest

import customer_profiles_sdk.models as models
from customer_profiles_sdk import ParamValidationError

from . import synth

INPUT_STRUCTURES = sorted(synth.input_structures())
VIOLATIONS = [v for name in INPUT_STRUCTURES for v in synth.violations(name)]


def _id(v: synth.Violation) -> str:
    return f"{v.structure}.{v.member}.{v.kind}"


def test_violation_inventory() -> None:
    """Every constraint kind is exercised; the count is reported in the closing note."""
    kinds = {v.rule for v in VIOLATIONS}
    assert kinds >= {"required", "min_length", "max_length", "min", "max", "enum", "pattern", "union"}
    covered = {(v.target, v.kind.rsplit(".", 1)[-1]) for v in VIOLATIONS}
    covered |= {(v.structure, f"required:{v.member}") for v in VIOLATIONS if v.rule == "required"}
    expected, unviolatable = shape_level_constraints()
    missing = expected - covered - unviolatable
    assert not missing, sorted(missing)
    if synth.VERSION == "1.44.5":
        assert len(VIOLATIONS) >= 570
    print(
        f"\n{len(VIOLATIONS)} single-constraint violations over {len(INPUT_STRUCTURES)} input structures; "
        f"{len(expected) - len(unviolatable)} of {len(expected)} shape-level input constraints covered, "
        f"{len(unviolatable)} cannot be broken: {sorted(unviolatable)}"
    )


def shape_level_constraints() -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(shape, constraint) for every constraint on a shape reachable from an input."""
    reachable = synth.reach_all(op["input"]["shape"] for op in synth.OPERATIONS.values())
    expected: set[tuple[str, str]] = set()
    unviolatable: set[tuple[str, str]] = set()
    for name in reachable:
        shape = synth.SHAPES[name]
        for member in shape.get("required", []):
            expected.add((name, f"required:{member}"))
        if shape.get("union"):
            expected.add((name, "two"))
        if "enum" in shape:
            expected.add((name, "enum"))
            continue
        for key in ("min", "max", "pattern"):
            if key in shape:
                expected.add((name, key))
        if shape.get("min") == 0 and shape["type"] in ("string", "list", "map"):
            unviolatable.add((name, "min"))  # a length or size cannot be negative
        if "pattern" in shape and synth.PATTERNS[shape["pattern"]][2] is None:
            unviolatable.add((name, "pattern"))
        if shape["type"] in ("list", "map") and shape.get("max", 0) > 5000:
            unviolatable.add((name, "max"))
    return expected, unviolatable


@pytest.mark.parametrize("violation", VIOLATIONS, ids=_id)
def test_violation_is_rejected_with_its_path(violation: synth.Violation) -> None:
    cls = getattr(models, violation.structure)
    with pytest.raises(ParamValidationError) as info:
        cls.model_validate(violation.data)
    problems = {(p.path, p.rule) for p in info.value.problems}
    assert (violation.path, violation.rule) in problems, (problems, violation.path, violation.rule)
    # Nothing else in the (otherwise valid) input is blamed.
    for path, _ in problems:
        assert path.startswith(violation.path) or violation.path.startswith(path) or path == ""


@pytest.mark.parametrize("name", sorted(op["input"]["shape"] for op in synth.OPERATIONS.values()))
def test_minimal_and_full_request_are_accepted_and_round_trip(name: str) -> None:
    cls = getattr(models, name)
    for full in (False, True):
        wire: dict[str, Any] = synth.valid(name, full=full)
        model = cls.model_validate(wire)
        assert model.to_boto() == wire
        # Python names are accepted too, and give the same wire dict.
        again = cls(**{py: getattr(model, py) for py in cls.__cp__.wire if getattr(model, py) is not None})
        assert again.to_boto() == wire


@pytest.mark.parametrize("name", INPUT_STRUCTURES)
def test_every_input_structure_accepts_a_full_valid_value(name: str) -> None:
    cls = getattr(models, name)
    wire = synth.valid(name, full=True)
    assert cls.model_validate(wire).to_boto() == wire


def test_unknown_member_is_rejected_on_input() -> None:
    with pytest.raises(ParamValidationError) as info:
        models.GetDomainRequest.model_validate({"DomainName": "d", "DomianName": "typo"})
    assert [(p.path, p.rule) for p in info.value.problems] == [("DomianName", "unknown_member")]


def test_bool_is_not_an_integer_and_strings_are_not_coerced() -> None:
    with pytest.raises(ParamValidationError) as info:
        models.CreateDomainRequest(domain_name="d", default_expiration_days=True)
    assert [(p.path, p.rule) for p in info.value.problems] == [("DefaultExpirationDays", "type")]
    with pytest.raises(ParamValidationError):
        models.CreateDomainRequest(domain_name="d", default_expiration_days="30")  # type: ignore[arg-type]
    with pytest.raises(ParamValidationError):
        models.GetDomainRequest(domain_name=b"d")  # type: ignore[arg-type]


def test_errors_list_every_problem_and_subclass_value_error() -> None:
    with pytest.raises(ValueError) as info:
        models.CreateDomainRequest(domain_name="x" * 65, default_expiration_days=999_999)
    error = info.value
    assert isinstance(error, ParamValidationError)
    assert error.shape == "CreateDomainRequest"
    assert sorted((p.path, p.rule) for p in error.problems) == [
        ("DefaultExpirationDays", "max"),
        ("DomainName", "max_length"),
    ]
    assert "2 invalid parameters for CreateDomainRequest" in str(error)
    assert error.__cause__ is None and error.__context__ is None


def test_boto_rejects_nothing_we_flag_as_too_long_but_we_do() -> None:
    """The guide's list of inputs raw botocore passes to AWS; each is rejected here, offline."""
    cases: list[tuple[Any, dict[str, Any], str, str]] = [
        (models.GetDomainRequest, {"DomainName": "d" * 65}, "DomainName", "max_length"),
        (models.CreateDomainRequest, {"DomainName": "d", "DefaultExpirationDays": 999_999},
         "DefaultExpirationDays", "max"),
        (models.TagResourceRequest, {"resourceArn": synth.ARN_PROFILE, "tags": {"aws:foo": "v"}},
         'tags["aws:foo"] (map key)', "pattern"),
        (models.TagResourceRequest,
         {"resourceArn": synth.ARN_PROFILE, "tags": {f"k{i}": "v" for i in range(51)}},
         "tags", "max_length"),
        (models.ListDomainsRequest, {"MaxResults": 1000}, "MaxResults", "max"),
        (models.ObjectTypeKey, {"StandardIdentifiers": ["BOGUS"]}, "StandardIdentifiers[0]", "enum"),
    ]
    for cls, data, path, rule in cases:
        with pytest.raises(ParamValidationError) as info:
            cls.model_validate(data)
        assert (path, rule) in {(p.path, p.rule) for p in info.value.problems}
