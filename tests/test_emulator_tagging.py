"""TagResource, UntagResource and ListTagsForResource reach every kind of resource with an ARN."""

from __future__ import annotations

from typing import Any

import pytest

from customer_profiles_sdk.local import Emulator

STREAM = "arn:aws:kinesis:us-east-1:123456789012:stream/profile-events"


@pytest.fixture
def raw() -> Any:
    emulator = Emulator()
    client = emulator.boto3_client()
    client.create_domain(DomainName="shop", DefaultExpirationDays=30)
    client.domain_arn = emulator.backend.resource_arn("shop")
    return client


def _arns(raw: Any) -> dict[str, str]:
    segment = raw.create_segment_definition(
        DomainName="shop", SegmentDefinitionName="gold", DisplayName="Gold",
        SegmentGroups={"Groups": [{"Dimensions": [{"ProfileAttributes": {"FirstName": {
            "DimensionType": "INCLUSIVE", "Values": ["Ann"]}}}]}], "Include": "ALL"},
    )["SegmentDefinitionArn"]
    stream = raw.create_event_stream(DomainName="shop", Uri=STREAM, EventStreamName="es")["EventStreamArn"]
    recommender = raw.create_recommender(DomainName="shop", RecommenderName="r",
                                         RecommenderRecipeName="popular-items")["RecommenderArn"]
    return {"segment": segment, "stream": stream, "recommender": recommender, "domain": raw.domain_arn}


def test_every_area_resource_is_tagged_listed_and_untagged(raw: Any) -> None:
    for kind, arn in _arns(raw).items():
        raw.tag_resource(resourceArn=arn, tags={"team": kind, "cost": "1"})
        assert raw.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": kind, "cost": "1"}, kind
        raw.untag_resource(resourceArn=arn, tagKeys=["cost"])
        assert raw.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": kind}, kind


def test_an_arn_of_a_resource_that_does_not_exist_is_a_404(raw: Any) -> None:
    arns = _arns(raw)
    for arn in arns.values():
        missing = arn + "-nope"
        with pytest.raises(raw.exceptions.ResourceNotFoundException):
            raw.list_tags_for_resource(resourceArn=missing)
