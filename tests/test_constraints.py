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


def test_inputs_botocore_lets_through_are_rejected_here() -> None:
    """The guide's list of inputs raw botocore sends to AWS: botocore's own validator accepts
    each one (checked here), and our request model rejects it offline with its path and rule."""
    from botocore.model import ServiceModel
    from botocore.validate import ParamValidator

    service = ServiceModel(synth.SERVICE, "customer-profiles")
    put_keys = {"DomainName": "d", "ObjectTypeName": "o", "Description": "x",
                "Keys": {"k": [{"StandardIdentifiers": ["BOGUS"]}]}}
    cases: list[tuple[str, dict[str, Any], str, str]] = [
        ("GetDomain", {"DomainName": "d" * 65}, "DomainName", "max_length"),
        ("CreateDomain", {"DomainName": "d", "DefaultExpirationDays": 999_999}, "DefaultExpirationDays", "max"),
        ("TagResource", {"resourceArn": synth.ARN_PROFILE, "tags": {"aws:foo": "v"}},
         "tags[<key>] (map key)", "pattern"),
        ("TagResource", {"resourceArn": synth.ARN_PROFILE, "tags": {f"k{i}": "v" for i in range(51)}},
         "tags", "max_length"),
        ("ListDomains", {"MaxResults": 1000}, "MaxResults", "max"),
        ("PutProfileObjectType", put_keys, "Keys[<key>][0].StandardIdentifiers[0]", "enum"),
        ("GetDomain", {"DomainName": "shop!"}, "DomainName", "pattern"),
    ]
    for operation, params, path, rule in cases:
        input_shape = service.operation_model(operation).input_shape
        assert input_shape is not None
        report = ParamValidator().validate(params, input_shape)
        assert not report.has_errors(), (operation, report.generate_report())
        cls = getattr(models, input_shape.name)
        with pytest.raises(ParamValidationError) as info:
            cls.model_validate(params)
        assert (path, rule) in {(p.path, p.rule) for p in info.value.problems}, operation


def test_lists_must_be_lists_and_maps_dicts() -> None:
    for bad in ({"a"}, (x for x in ["a"]), {"a": 1}.keys()):
        with pytest.raises(ParamValidationError) as info:
            models.DeleteProfileKeyRequest(domain_name="d", profile_id="a" * 32, key_name="k", values=bad)  # type: ignore[arg-type]
        assert [(p.path, p.rule) for p in info.value.problems] == [("Values", "type")]


def test_assignment_is_validated() -> None:
    request = models.GetDomainRequest(domain_name="shop")
    with pytest.raises(ParamValidationError) as info:
        request.domain_name = "x" * 65
    assert [(p.path, p.rule) for p in info.value.problems] == [("DomainName", "max_length")]
    assert request.domain_name == "shop"


def test_unknown_member_names_are_not_echoed_but_suggested() -> None:
    with pytest.raises(ParamValidationError) as info:
        models.GetDomainRequest.model_validate({"DomainName": "d", "DomianName": "typo"})
    (problem,) = info.value.problems
    assert (problem.path, problem.rule) == ("<unknown member>", "unknown_member")
    assert "did you mean 'DomainName'?" in problem.message
    assert "DomianName" not in str(info.value)
    with pytest.raises(ParamValidationError) as info:
        models.CreateProfileRequest.model_validate(
            {"DomainName": "d", "Address": {"City": "x", "jane.doe@example.com": "y"}})
    assert "jane" not in str(info.value)
    assert [(p.path, p.rule) for p in info.value.problems] == [("Address.<unknown member>", "unknown_member")]


def test_member_given_under_both_names_is_reported_as_such() -> None:
    with pytest.raises(ParamValidationError) as info:
        models.GetDomainRequest.model_validate({"DomainName": "a", "domain_name": "b"})
    (problem,) = info.value.problems
    assert problem.path == "DomainName" and problem.rule == "unknown_member"
    assert "given twice" in problem.message


def test_ecma_character_classes_are_ascii() -> None:
    """FlowName is ``[a-zA-Z0-9][\\w!@#.-]+``: ECMA's ``\\w`` is ASCII, so "aé" does not match."""
    data = synth.valid("FlowDefinition")
    models.FlowDefinition.model_validate({**data, "FlowName": "a_b-1"})
    with pytest.raises(ParamValidationError) as info:
        models.FlowDefinition.model_validate({**data, "FlowName": "a\u00e9"})
    assert [(p.path, p.rule) for p in info.value.problems] == [("FlowName", "pattern")]



def test_a_timestamp_that_cannot_be_expressed_in_utc_is_rejected_before_sending() -> None:
    """Year 9999 at UTC-08:00 is past datetime's range once converted to UTC: botocore's serializer
    would raise a bare OverflowError. The SDK rejects it as invalid input and sends nothing."""
    from datetime import datetime, timedelta, timezone

    from customer_profiles_sdk import CustomerProfilesClient

    from .canned import Canned, boto3_client

    late = datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-8)))
    canned = Canned()
    client = CustomerProfilesClient(client=boto3_client(canned))
    with pytest.raises(ParamValidationError) as caught:
        client.list_workflows(domain_name="d", query_start_date=late)
    assert [p.path for p in caught.value.problems] == ["QueryStartDate"]
    assert canned.requests == 0
    in_range = datetime(9999, 12, 31, 15, 0, tzinfo=timezone(timedelta(hours=-8)))
    client.list_workflows(domain_name="d", query_start_date=in_range)
    assert canned.requests == 1
