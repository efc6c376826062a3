"""Assignment, timestamps and error-text edge cases found in review."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from customer_profiles_sdk import MissingMemberError, ParamValidationError
from customer_profiles_sdk._model import RawValue
from customer_profiles_sdk.models import (
    Address,
    CalculatedAttributeDimension,
    CreateDomainRequest,
    Dimension,
    GetDomainResponse,
    ObjectTypeKey,
    PutProfileObjectTypeRequest,
    TagResourceRequest,
)

SECRET = "SECRETVAL"


def test_failed_assignment_leaves_the_object_unchanged() -> None:
    unique = [ObjectTypeKey(standard_identifiers=["UNIQUE"], field_names=["a"])]
    request = PutProfileObjectTypeRequest(domain_name="d", object_type_name="o", description="x",
                                          keys={"a": unique})
    before = request.to_boto()
    with pytest.raises(ParamValidationError) as info:
        request.keys = {"a": unique, "b": unique}
    assert [(p.path, p.rule) for p in info.value.problems] == [("Keys", "single_unique_key")]
    assert request.to_boto() == before
    with pytest.raises(ParamValidationError):
        request.domain_name = "x" * 65
    assert request.to_boto() == before

    dimension = Dimension(calculated_attributes={"a": CalculatedAttributeDimension(
        dimension_type="EQUAL", values=["1"])})
    with pytest.raises(ParamValidationError) as info:
        dimension.calculated_attributes = None
    assert [p.rule for p in info.value.problems] == ["union"]
    assert "CalculatedAttributes" in dimension.to_boto()


def test_assignment_keeps_unknown_members_of_a_parsed_object() -> None:
    address = Address.from_boto({"City": "x", "NewMember": "v"})
    address.city = "y"
    assert address.to_boto() == {"City": "y", "NewMember": "v"}
    assert address.model_extra == {"NewMember": "v"}


def test_rules_tolerate_raw_values_left_by_lenient_parsing() -> None:
    parsed = PutProfileObjectTypeRequest.from_boto({"Keys": {"k": "not a list"}, "Description": "d"})
    parsed.description = "x"  # the rules must not crash on the RawValue
    assert isinstance(parsed.keys, dict) and isinstance(parsed.keys["k"], RawValue)
    with pytest.raises(ParamValidationError):  # ... and strict validation still refuses to send it
        PutProfileObjectTypeRequest.model_validate(parsed)


def test_setting_an_unknown_attribute_names_no_input() -> None:
    request = CreateDomainRequest(domain_name="d", default_expiration_days=1)
    with pytest.raises(ParamValidationError) as info:
        setattr(request, SECRET, 1)
    assert SECRET not in str(info.value)
    assert [(p.path, p.rule) for p in info.value.problems] == [("<unknown member>", "unknown_member")]


def test_messages_that_could_quote_input_are_replaced() -> None:
    class Source:
        @property
        def domain_name(self) -> str:
            raise ValueError(SECRET)

    with pytest.raises(ParamValidationError) as info:
        CreateDomainRequest.model_validate(Source(), from_attributes=True)
    assert SECRET not in str(info.value)


def test_output_model_validate_strings_is_lenient() -> None:
    parsed = GetDomainResponse.model_validate_strings({"DomainName": "x!!", "Foo": SECRET})
    assert parsed.to_boto() == {"DomainName": "x!!", "Foo": SECRET}


@pytest.mark.parametrize("value", [1e12, 300_000_000_000, "20000000001", -1e20])
def test_out_of_range_or_large_epochs_are_seconds_or_errors_never_milliseconds(value: Any) -> None:
    from customer_profiles_sdk.models import ScheduledTriggerProperties

    try:
        props = ScheduledTriggerProperties.model_validate({"ScheduleExpression": "rate(1day)",
                                                            "ScheduleStartTime": value})
    except ParamValidationError as error:
        assert [(p.path, p.rule) for p in error.problems] == [("ScheduleStartTime", "type")]
        assert str(value) not in str(error)
        return
    assert props.schedule_start_time is not None
    assert props.schedule_start_time.timestamp() == pytest.approx(float(value))


def test_numeric_string_timestamps_are_seconds() -> None:
    from customer_profiles_sdk.models import ScheduledTriggerProperties

    props = ScheduledTriggerProperties.model_validate({"ScheduleExpression": "rate(1day)",
                                                        "ScheduleStartTime": "20000000001"})
    assert props.schedule_start_time == datetime.fromtimestamp(20000000001, UTC)


def test_out_of_range_timestamp_in_a_response_is_kept_raw() -> None:
    parsed = GetDomainResponse.model_validate({"CreatedAt": 1e20})
    # CreatedAt is required: reading it raises (it arrived with a value no datetime holds); it is kept.
    with pytest.raises(MissingMemberError) as caught:
        parsed.created_at  # noqa: B018
    assert caught.value.reason == MissingMemberError.UNEXPECTED_TYPE and parsed.to_boto() == {"CreatedAt": 1e20}


def test_a_map_key_that_looks_like_pydantics_marker_is_still_a_key() -> None:
    with pytest.raises(ParamValidationError) as info:
        TagResourceRequest(resource_arn="arn:aws:profile:us-east-1:1:domains/d", tags={"[key]": "x" * 257})
    # "[key]" is also an invalid tag key; the value's error keeps its own path.
    assert sorted((p.path, p.rule) for p in info.value.problems) == [
        ("tags[<key>]", "max_length"), ("tags[<key>] (map key)", "pattern")]


def test_raw_values_hash_by_value() -> None:
    assert len({RawValue(i) for i in range(100)}) == 100
    assert RawValue("1") != RawValue(1) and hash(RawValue([1])) == hash(RawValue([1]))


def test_a_model_validated_again_inside_another_shares_no_bookkeeping_with_the_original() -> None:
    """pydantic-core hands the original's set of members set to the copy it makes when it
    validates a model instance again: an assignment to either must not show in the other."""
    from customer_profiles_sdk.models import CreateProfileRequest, SearchProfilesResponse, UpdateAddress

    response = SearchProfilesResponse.model_validate({"Items": [{"ProfileId": "p", "Address": {"City": "T"}}]})
    (item,) = response.items or []
    original = item.address
    assert original is not None
    request = CreateProfileRequest(domain_name="shop", address=original)
    copy = request.address
    assert copy is not None and copy is not original
    copy.province = "Q"
    assert original.model_fields_set == {"city"} and original.model_dump(exclude_unset=True) == {"city": "T"}
    assert response.to_boto() == {"Items": [{"ProfileId": "p", "Address": {"City": "T"}}]}
    original.county = "C"
    assert copy.model_fields_set == {"city", "province"}
    assert request.to_boto()["Address"] == {"City": "T", "Province": "Q"}
    del copy.province
    assert original.model_fields_set == {"city", "county"}
    update = UpdateAddress(city="X")
    twice = [CreateProfileRequest(domain_name="shop", address=original) for _ in range(2)]
    assert twice[0].address is not None and twice[1].address is not None
    twice[0].address.state = "S"
    assert "state" not in twice[1].address.model_fields_set and update.model_fields_set == {"city"}
