"""Lenient, lossless output: hostile responses parse, nothing raises, nothing is lost."""

from __future__ import annotations

import copy
import json
import warnings
from datetime import UTC, datetime
from typing import Any

import pytest

import customer_profiles_sdk.models as models
from customer_profiles_sdk import ResponseParseError
from customer_profiles_sdk._model import OutputShape, RawValue

from . import synth

OUTPUT_STRUCTURES = sorted(synth.output_structures())
RESPONSES = sorted(op["output"]["shape"] for op in synth.OPERATIONS.values())


def count_values(value: Any) -> int:
    if isinstance(value, dict):
        return sum(1 + count_values(v) for v in value.values())
    if isinstance(value, list):
        return sum(1 + count_values(v) for v in value)
    return 0


@pytest.mark.parametrize("name", RESPONSES)
def test_response_model_validate_is_lenient_and_lossless(name: str) -> None:
    cls = getattr(models, name)
    assert issubclass(cls, OutputShape)
    wire = synth.hostile(name)
    before = copy.deepcopy(wire)
    parsed = cls.model_validate(wire)  # must not raise
    assert parsed.to_boto() == before
    assert wire == before  # the input is not mutated
    assert parsed.model_extra == {"UnknownMember0": before["UnknownMember0"]}
    # Read as an attribute, as users do: an unknown member the class does not declare.
    assert parsed.UnknownMember0 == before["UnknownMember0"]  # pyright: ignore[reportAttributeAccessIssue]


@pytest.mark.parametrize("name", OUTPUT_STRUCTURES)
def test_every_output_structure_parses_hostile_values(name: str) -> None:
    cls = getattr(models, name)
    wire = synth.hostile(name)
    assert cls.from_boto(wire).to_boto() == wire


@pytest.mark.parametrize("name", RESPONSES)
def test_omitted_members_do_not_raise(name: str) -> None:
    cls = getattr(models, name)
    parsed = cls.model_validate({})
    assert parsed.to_boto() == {}
    assert cls().to_boto() == {}


def test_unknown_enum_value_is_kept_as_plain_string() -> None:
    parsed = models.GetProfileObjectTypeResponse.model_validate(
        {"Keys": {"k": [{"StandardIdentifiers": ["ORDER", "SPACESHIP"]}]}}
    )
    assert parsed.keys is not None
    identifiers = parsed.keys["k"][0].standard_identifiers
    assert identifiers == ["ORDER", "SPACESHIP"]
    assert identifiers is not None and identifiers[0] == models.StandardIdentifier.ORDER


def test_value_of_unexpected_type_is_kept_not_raised() -> None:
    parsed = models.GetDomainResponse.model_validate(
        {"DomainName": 17, "DefaultExpirationDays": "thirty", "CreatedAt": "not a date"}
    )
    assert parsed.to_boto() == {"DomainName": 17, "DefaultExpirationDays": "thirty", "CreatedAt": "not a date"}


def test_timestamps_are_timezone_aware() -> None:
    parsed = models.GetDomainResponse.model_validate(
        {"CreatedAt": 1700000000, "LastUpdatedAt": "2024-05-17T12:30:00"}
    )
    assert parsed.created_at is not None and parsed.created_at.utcoffset() is not None
    assert parsed.created_at.timestamp() == 1700000000
    assert parsed.last_updated_at is not None and parsed.last_updated_at.utcoffset() is not None
    assert parsed.last_updated_at.isoformat() == "2024-05-17T12:30:00+00:00"


def test_output_of_one_call_is_input_of_the_next() -> None:
    got = models.GetProfileObjectTypeResponse.model_validate(
        {"ObjectTypeName": "Orders", "Description": "orders",
         "Keys": {"order": [{"StandardIdentifiers": ["ORDER", "UNIQUE"], "FieldNames": ["OrderId"]}]},
         "Fields": {"OrderId": {"Source": "_source.OrderId", "Target": "_order.OrderId"}}}
    )
    put = models.PutProfileObjectTypeRequest(
        domain_name="shop", object_type_name="Orders", description="orders",
        keys=got.keys, fields=got.fields,
    )
    assert put.to_boto()["Keys"] == {"order": [{"StandardIdentifiers": ["ORDER", "UNIQUE"],
                                                "FieldNames": ["OrderId"]}]}


def test_volume_of_hostile_responses() -> None:
    """At least 1,000 hostile responses across every response shape (issue acceptance figure)."""
    parsed = values = 0
    for round_ in range(9):
        for name in RESPONSES:
            wire = synth.hostile(name)
            wire[f"Extra{round_}"] = [round_]
            obj = getattr(models, name).model_validate(wire)
            assert obj.to_boto() == wire
            parsed += 1
            values += count_values(wire)
    assert parsed >= 1000
    print(f"\n{parsed} hostile responses, {values} values, 0 raised, 0 lost")


def test_lenient_parsing_does_not_coerce() -> None:
    wire = {"DomainName": "d", "DefaultExpirationDays": "30",
            "Stats": {"ProfileCount": 30.5, "MeteringProfileCount": True}}
    parsed = models.GetDomainResponse.model_validate(wire)
    assert parsed.to_boto() == wire
    assert isinstance(parsed.default_expiration_days, RawValue)
    assert parsed.default_expiration_days.value == "30"
    assert parsed.stats is not None and isinstance(parsed.stats.metering_profile_count, RawValue)


def test_raw_values_are_redacted_in_repr() -> None:
    parsed = models.SearchProfilesResponse.model_validate({"Items": {"EmailAddress": "jane.doe@example.com"}})
    assert "jane" not in repr(parsed)
    assert parsed.to_boto() == {"Items": {"EmailAddress": "jane.doe@example.com"}}


def test_epoch_seconds_are_seconds_even_when_large() -> None:
    parsed = models.GetDomainResponse.model_validate({"CreatedAt": 32503680000})
    assert parsed.created_at == datetime(3000, 1, 1, tzinfo=UTC)


def test_unusable_documents_raise_a_typed_error_without_content() -> None:
    for call in (
        lambda: models.GetProfileObjectTypeResponse.model_validate("jane.doe@example.com"),
        lambda: models.GetProfileObjectTypeResponse.model_validate_json('{"Description": "jane.doe@example.com"'),
        lambda: models.Address.from_boto_json('{"City": "jane.doe@example.com"'),
        lambda: models.Address.from_boto(["jane.doe@example.com"]),
    ):
        with pytest.raises(ResponseParseError) as info:
            call()
        assert isinstance(info.value, ValueError)
        assert "jane" not in str(info.value) and "jane" not in repr(info.value)
        assert info.value.__context__ is None


def test_model_dump_emits_no_warning_that_could_print_values() -> None:
    parsed = models.SearchProfilesResponse.model_validate({"Items": [{"EmailAddress": ["jane.doe@example.com"]}]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parsed.model_dump()
        parsed.model_dump_json()


def test_model_dump_json_unwraps_raw_values() -> None:
    parsed = models.GetDomainResponse.model_validate({"DomainName": "d", "DefaultExpirationDays": "30"})
    assert json.loads(parsed.model_dump_json(by_alias=True, exclude_none=True)) == {
        "DomainName": "d", "DefaultExpirationDays": "30"}


def test_equality_ignores_how_no_unknown_members_was_recorded() -> None:
    """A parsed model (unknown members recorded as ``{}``) equals one built in code (``None``), on
    every supported pydantic; unknown members, when present, do count."""
    from customer_profiles_sdk._model import lenient_validate_json

    built = models.ValueRange(start=90, end=0)
    parsed = lenient_validate_json(models.ValueRange, b'{"Start": 90, "End": 0}')
    assert parsed == built and built == parsed
    assert lenient_validate_json(models.ValueRange, b'{"Start": 90, "End": 0, "New": 1}') != built
    assert models.ValueRange(start=90, end=1) != built
