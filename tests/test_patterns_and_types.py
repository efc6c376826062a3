"""Regex semantics (search, not match; look-ahead; ECMA ``$``) and scalar typing rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from customer_profiles_sdk import ParamValidationError
from customer_profiles_sdk.models import (
    CreateDomainRequest,
    GetDomainRequest,
    ListTagsForResourceRequest,
    TagResourceRequest,
    UntagResourceRequest,
)

FULL_ARN = "arn:aws:profile:us-east-1:123456789012:domains/shop"


def test_pattern_is_a_search_not_a_full_match() -> None:
    # ListTagsForResource's ARN pattern is "^arn:[a-z0-9]{1,10}:profile": a prefix, not the whole ARN.
    assert ListTagsForResourceRequest(resource_arn=FULL_ARN).resource_arn == FULL_ARN
    with pytest.raises(ParamValidationError) as info:
        ListTagsForResourceRequest(resource_arn="arn:aws:kms:us-east-1:1:key/x")
    assert [(p.path, p.rule) for p in info.value.problems] == [("resourceArn", "pattern")]


def test_tag_key_look_ahead_is_enforced() -> None:
    TagResourceRequest(resource_arn=FULL_ARN, tags={"team": "crm", "cost:centre/1": "x"})
    for bad in ("aws:foo", "aws:", "emoji😀"):
        with pytest.raises(ParamValidationError) as info:
            TagResourceRequest(resource_arn=FULL_ARN, tags={bad: "x"})
        assert [(p.path, p.rule) for p in info.value.problems] == [("tags[<key>] (map key)", "pattern")]
    with pytest.raises(ParamValidationError) as info:
        UntagResourceRequest(resource_arn=FULL_ARN, tag_keys=["aws:created-by"])
    assert [(p.path, p.rule) for p in info.value.problems] == [("tagKeys[0]", "pattern")]


def test_character_class_range_in_tag_key_is_a_range() -> None:
    # "+-=" inside the class is the range 0x2B-0x3D, which includes digits and ";" "<".
    TagResourceRequest(resource_arn=FULL_ARN, tags={"a;b<1": "x"})


def test_dollar_matches_only_at_the_very_end() -> None:
    with pytest.raises(ParamValidationError) as info:
        GetDomainRequest(domain_name="shop\n")
    assert [(p.path, p.rule) for p in info.value.problems] == [("DomainName", "pattern")]
    GetDomainRequest(domain_name="shop")


def test_integers_are_strict() -> None:
    CreateDomainRequest(domain_name="d", default_expiration_days=1098)
    for bad in (True, 30.0, "30"):
        with pytest.raises(ParamValidationError):
            CreateDomainRequest(domain_name="d", default_expiration_days=bad)  # type: ignore[arg-type]


def test_parsed_naive_datetime_is_utc_and_aware_datetime_is_converted_to_utc() -> None:
    from customer_profiles_sdk.models import ListProfileHistoryRecordsRequest as _  # noqa: F401
    from customer_profiles_sdk.models import ScheduledExecutions

    naive = ScheduledExecutions.from_boto({"NextExecutedAt": datetime(2025, 1, 1, 12, 0)})
    assert naive.next_executed_at == datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
    plus_two = timezone(timedelta(hours=2))
    aware = ScheduledExecutions.from_boto({"NextExecutedAt": datetime(2025, 1, 1, 14, 0, tzinfo=plus_two)})
    assert aware.next_executed_at == datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
    assert aware.next_executed_at is not None and aware.next_executed_at.tzinfo is UTC  # the same instant


def test_timestamp_input_accepts_datetime() -> None:
    from customer_profiles_sdk.models import (
        ListEventTriggersRequest,  # noqa: F401
        Period,  # noqa: F401
        SearchRecommendationsRequest,  # noqa: F401
    )

    from . import synth

    timestamp_inputs = [
        (name, member) for name in sorted(synth.input_structures())
        for member, spec in synth.SHAPES[name].get("members", {}).items()
        if synth.SHAPES[spec["shape"]]["type"] == "timestamp"
    ]
    assert timestamp_inputs, "the model has timestamp inputs"
    import customer_profiles_sdk.models as models

    for name, member in timestamp_inputs:
        cls = getattr(models, name)
        data = synth.valid(name)
        data[member] = datetime(2024, 1, 1, 9, 30)
        wire = cls.model_validate(data).to_boto()
        assert wire[member] == datetime(2024, 1, 1, 9, 30, tzinfo=UTC)
