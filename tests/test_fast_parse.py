"""The fast path: the SDK parses 2xx bodies itself, and must agree with botocore's parser.

Every body goes through the whole botocore stack twice, once on a plain boto3 client (botocore
parses) and once on the SDK client (the SDK parses the raw body), with the same canned answer.
"""

from __future__ import annotations

import functools
import gc
import json
import math
import subprocess
import sys
import threading
import weakref
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar, cast

import pytest
from botocore import xform_name
from botocore.exceptions import ParamValidationError as BotocoreParamValidationError
from botocore.validate import ParamValidator

import customer_profiles_sdk._transport as transport
import customer_profiles_sdk.models as models
from customer_profiles_sdk import CustomerProfilesClient, ResponseParseError
from customer_profiles_sdk._compat import shipped_service_model
from customer_profiles_sdk._model import RawValue, ResponseShape
from customer_profiles_sdk._transport import _BEFORE_PARSE, _OWN_CONTEXT, _CallContext, _ParserFactory
from customer_profiles_sdk.errors import BadRequestError, InternalServerError, ResourceNotFoundError

from . import synth
from .canned import Canned, boto3_client, sdk_client, wire_json

OPS = sorted(synth.OPERATIONS)
STATUS_OPS = {  # operations whose output has a member bound to the HTTP status code
    op: member
    for op in OPS
    for member, spec in synth.SHAPES[synth.OPERATIONS[op]["output"]["shape"]].get("members", {}).items()
    if spec.get("location") == "statusCode"
}


class Pair:
    """A plain boto3 client and an SDK client answered by the same canned responses."""

    def __init__(self) -> None:
        self.canned = Canned()
        self.raw = boto3_client(self.canned)
        self.sdk = sdk_client(self.canned)
        self.sdk_slow = sdk_client(self.canned, fast_parse=False)

    def request(self, op: str) -> dict[str, Any]:
        return synth.valid(synth.OPERATIONS[op]["input"]["shape"])  # type: ignore[no-any-return]

    def botocore(self, op: str, body: bytes, status: int = 200) -> dict[str, Any]:
        self.canned.set(body, status)
        result = getattr(self.raw, xform_name(op))(**self.request(op))
        result.pop("ResponseMetadata")
        return result  # type: ignore[no-any-return]

    def via_sdk(self, op: str, body: bytes, status: int = 200, fast: bool = True) -> Any:
        self.canned.set(body, status)
        request = getattr(models, synth.OPERATIONS[op]["input"]["shape"]).model_validate(self.request(op))
        return (self.sdk if fast else self.sdk_slow).send(request, allow_partial=True)


@pytest.fixture(scope="module")
def pair() -> Pair:
    return Pair()


def raw_of(sdk: CustomerProfilesClient) -> Any:
    return sdk.boto3_client


def response_class(op: str) -> type[ResponseShape]:
    return getattr(models, synth.OPERATIONS[op]["output"]["shape"])  # type: ignore[no-any-return]


def same(a: Any, b: Any, path: str = "") -> None:
    """Equal values of the same types (timestamps: both datetimes, the same instant, the SDK's in UTC)."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), path
        for key in a:
            same(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), path
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{path}[{index}]")
    elif isinstance(a, datetime):
        assert isinstance(b, datetime) and a == b and a.tzinfo is UTC and b.tzinfo is not None, path
    else:
        assert type(a) is type(b) and a == b, (path, a, b)


def strip_unknown(value: Any, shape_name: str) -> Any:
    """``value`` without the members the model does not know (what botocore drops)."""
    shape = synth.SHAPES[shape_name]
    if shape["type"] == "structure" and isinstance(value, dict):
        members = shape.get("members", {})
        return {k: strip_unknown(v, members[k]["shape"]) for k, v in value.items() if k in members}
    if shape["type"] == "list" and isinstance(value, list):
        return [strip_unknown(v, shape["member"]["shape"]) for v in value]
    if shape["type"] == "map" and isinstance(value, dict):
        return {k: strip_unknown(v, shape["value"]["shape"]) for k, v in value.items()}
    return value


def conforming_bodies(op: str) -> list[Any]:
    """Responses as the service sends them: required members only, then every member (3 variants)."""
    name = synth.OPERATIONS[op]["output"]["shape"]
    return [synth.valid(name)] + [synth.valid(name, full=True, variant=v) for v in range(3)]


@pytest.mark.parametrize("op", OPS)
def test_conforming_responses_parse_exactly_as_botocore_parses_them(pair: Pair, op: str) -> None:
    cls = response_class(op)
    for document in conforming_bodies(op):
        body = wire_json(document)
        expected = pair.botocore(op, body)
        fast = pair.via_sdk(op, body)
        slow = pair.via_sdk(op, body, fast=False)
        assert type(fast) is cls
        same(fast.to_boto(), expected)  # the same values, of the same types, as botocore's dict
        assert fast == cls.from_boto(expected) == slow  # and the same model as parsing botocore's dict
        assert fast.response_metadata is not None and fast.response_metadata.http_status == 200


@pytest.mark.parametrize("op", OPS)
def test_hostile_responses_agree_with_botocore_and_keep_unknown_members(pair: Pair, op: str) -> None:
    """Unknown members, unknown enum values and constraint breaches: botocore passes the known
    members on unchanged, and the SDK also keeps the unknown ones."""
    name = synth.OPERATIONS[op]["output"]["shape"]
    document = synth.hostile(name)
    if "Dimension" in json.dumps(sorted(synth.reach([name]))):
        document = _one_member_dimensions(document, name)
    body = wire_json(document)
    expected = pair.botocore(op, body)
    fast = pair.via_sdk(op, body)
    same(strip_unknown(fast.to_boto(), name), expected)
    # Nothing is lost: the whole document comes back, unknown members (and the nulls in them) included.
    same(fast.to_boto(), _timestamps_like(json.loads(body), fast.to_boto()))
    assert fast.model_extra and "UnknownMember0" in fast.model_extra


def _timestamps_like(value: Any, like: Any) -> Any:
    """``value`` with epoch numbers turned into datetimes where ``like`` has a datetime."""
    if isinstance(value, dict) and isinstance(like, dict):
        return {k: _timestamps_like(v, like.get(k)) for k, v in value.items()}
    if isinstance(value, list) and isinstance(like, list):
        return [_timestamps_like(v, w) for v, w in zip(value, like, strict=True)]
    if isinstance(like, datetime) and isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    return value


def _one_member_dimensions(document: Any, shape_name: str) -> Any:
    """botocore refuses a union response with other than one member set: keep one in each
    ``Dimension`` (that divergence is tested on its own, below)."""
    shape = synth.SHAPES[shape_name]
    if shape["type"] == "structure" and isinstance(document, dict):
        out = {}
        for key, value in document.items():
            member = shape.get("members", {}).get(key)
            out[key] = _one_member_dimensions(value, member["shape"]) if member else value
        if shape.get("union"):
            first = next(k for k in out if k in shape["members"])
            out = {first: out[first]}
        return out
    if shape["type"] == "list" and isinstance(document, list):
        return [_one_member_dimensions(v, shape["member"]["shape"]) for v in document]
    if shape["type"] == "map" and isinstance(document, dict):
        return {k: _one_member_dimensions(v, shape["value"]["shape"]) for k, v in document.items()}
    return document


def test_every_operation_is_covered_by_the_differential_tests() -> None:
    assert len(OPS) == 115
    assert sum(len(conforming_bodies(op)) for op in OPS) == 460


@pytest.mark.parametrize("wire", [
    1700000000, 1700000000.125, "1700000000.5", "2023-11-14T22:13:20Z", "2023-11-14T22:13:20.250+02:00",
    "2023-11-14T22:13:20", "Tue, 14 Nov 2023 22:13:20 GMT", 4102444800,
])
def test_timestamps_equal_botocores_in_every_form_it_reads(pair: Pair, wire: Any) -> None:
    body = json.dumps({"ObjectTypeName": "o", "CreatedAt": wire}).encode()
    expected = pair.botocore("GetProfileObjectType", body)["CreatedAt"]
    fast = pair.via_sdk("GetProfileObjectType", body).created_at
    assert isinstance(fast, datetime) and fast.tzinfo is not None
    assert fast == expected.replace(tzinfo=expected.tzinfo or UTC)


@pytest.mark.parametrize("op", sorted(STATUS_OPS))
@pytest.mark.parametrize("status", [200, 201, 202, 206])
def test_members_bound_to_the_status_code_are_filled(pair: Pair, op: str, status: int) -> None:
    member = STATUS_OPS[op]
    document = synth.valid(synth.OPERATIONS[op]["output"]["shape"], full=True)
    # Absent from the body (as the service sends it), null, or present: botocore takes the
    # HTTP status in the first two cases and the body's value in the third.
    for value, wanted in [(..., status), (None, status), (7, 7)]:
        body = {k: v for k, v in document.items() if k != member}
        if value is not ...:
            body[member] = value
        expected = pair.botocore(op, wire_json(body), status)
        assert expected[member] == wanted
        fast = pair.via_sdk(op, wire_json(body), status)
        same(fast.to_boto(), expected)
        assert getattr(fast, xform_name(member)) == wanted


def test_three_operations_have_a_status_code_member() -> None:
    assert sorted(STATUS_OPS) == ["CreateSegmentEstimate", "GetSegmentEstimate", "ListProfileAttributeValues"]


def test_empty_body_is_an_empty_response(pair: Pair) -> None:
    assert pair.botocore("DeleteDomain", b"") == {}
    result = pair.via_sdk("DeleteDomain", b"")
    assert result.to_boto() == {} and result.response_metadata is not None


@pytest.mark.parametrize("body", [
    b'{"Items": [{"DomainName": "Jane Doe"',  # truncated
    b"<html><body>502 Bad Gateway Jane Doe</body></html>",  # an HTML error page with status 200
    b'["Jane Doe"]', b'"Jane Doe"', b"null", b"Jane Doe", b"\xff\xfeJane", b'{"DomainName": "Jane Doe"} trailing',
])
def test_a_2xx_body_that_is_not_a_json_object_is_a_typed_error_without_content(pair: Pair, body: bytes) -> None:
    pair.canned.requests = 0
    with pytest.raises(ResponseParseError) as caught:
        pair.via_sdk("ListDomains", body)
    assert pair.canned.requests == 1  # not retried
    text = str(caught.value) + repr(caught.value)
    assert "Jane" not in text and caught.value.__cause__ is None and caught.value.__context__ is None


def test_json_pydantic_core_refuses_but_python_reads_is_parsed_as_botocore_parses_it(pair: Pair) -> None:
    body = b'{"DomainName": "a\\ud800b", "DefaultExpirationDays": 5}'  # a lone surrogate
    expected = pair.botocore("GetDomain", body)
    fast = pair.via_sdk("GetDomain", body)
    same(fast.to_boto(), expected)


def test_non_finite_and_huge_numbers_read_as_python_reads_them(pair: Pair) -> None:
    body = b'{"Stats": {"ProfileCount": 123456789012345678901234567890}}'
    expected = pair.botocore("GetDomain", body)["Stats"]
    fast = pair.via_sdk("GetDomain", body).to_boto()["Stats"]
    same(fast, expected)
    for literal in (b"NaN", b"Infinity", b"-Infinity", b"1e400"):
        body = b'{"ProfileIds": [], "ConfidenceScore": ' + literal + b"}"
        wanted = pair.botocore("GetSimilarProfiles", body)["ConfidenceScore"]
        got = pair.via_sdk("GetSimilarProfiles", body).confidence_score
        assert type(got) is float and (got == wanted or (math.isnan(got) and math.isnan(wanted)))


def test_epoch_timestamps_are_utc_whatever_the_machines_zone(pair: Pair) -> None:
    import os
    import time

    old = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    try:
        body = b'{"ObjectTypeName": "o", "CreatedAt": 1700000000}'
        expected = pair.botocore("GetProfileObjectType", body)["CreatedAt"]
        assert expected.utcoffset() is not None and expected.utcoffset().total_seconds() == -5 * 3600
        for fast in (True, False):
            created = pair.via_sdk("GetProfileObjectType", body, fast=fast).created_at
            assert created == expected and created.tzinfo is UTC and created.hour == 22
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()


def test_a_timestamp_dateutil_chokes_on_is_kept_not_raised(pair: Pair) -> None:
    weird = "24:0099999999999999999999999999999999999999996011,UTC"
    result = pair.via_sdk("GetProfileObjectType", json.dumps({"CreatedAt": weird}).encode())
    assert result.created_at == RawValue(weird)


@pytest.mark.parametrize("body", [b" ", b"\n", b"\r\n  \t"])
def test_a_body_of_only_whitespace_is_an_empty_response(pair: Pair, body: bytes) -> None:
    assert pair.botocore("DeleteDomain", body) == {}
    assert pair.via_sdk("DeleteDomain", body).to_boto() == {}


def test_a_byte_order_mark_before_the_object_is_skipped(pair: Pair) -> None:
    body = b'\xef\xbb\xbf{"DomainName": "d", "Unknown": 1}'
    assert pair.botocore("GetDomain", body) == {}  # botocore loses the whole answer
    assert pair.via_sdk("GetDomain", body).to_boto() == {"DomainName": "d", "Unknown": 1}


def test_body_keys_spelled_like_python_attributes_are_unknown_members(pair: Pair) -> None:
    body = b'{"DomainName": "d", "default_expiration_days": 5}'
    assert pair.botocore("GetDomain", body) == {"DomainName": "d"}
    result = pair.via_sdk("GetDomain", body)
    assert result.default_expiration_days is None
    assert result.model_extra == {"default_expiration_days": 5}
    assert result.to_boto() == {"DomainName": "d", "default_expiration_days": 5}


@pytest.mark.parametrize("status", [300, 302, 304])
def test_answers_of_300_and_above_are_left_to_botocore(pair: Pair, status: int) -> None:
    from botocore.exceptions import ClientError

    body = b'{"DomainName": "d", "Unknown": 1}'
    with pytest.raises(ClientError) as raw_error:
        pair.botocore("GetDomain", body, status)
    with pytest.raises(ClientError) as sdk_error:
        pair.via_sdk("GetDomain", body, status)
    def members(error: Any) -> dict[str, Any]:
        return {k: v for k, v in error.response.items() if k != "ResponseMetadata"}

    assert members(sdk_error.value) == members(raw_error.value)  # botocore's parse, on both sides
    assert transport.BODY_KEY not in sdk_error.value.response


# -- documented divergences (docs/design.md, section 11, "Where we differ from botocore") ------------

def test_a_value_of_the_wrong_json_type_is_kept_where_botocore_coerces_it(pair: Pair) -> None:
    body = b'{"DomainName": "d", "DefaultExpirationDays": "30"}'
    assert pair.botocore("GetDomain", body)["DefaultExpirationDays"] == 30  # botocore: int("30")
    fast = pair.via_sdk("GetDomain", body)
    assert fast.default_expiration_days == RawValue("30")
    assert fast.to_boto()["DefaultExpirationDays"] == "30"  # sent back as received


def test_a_union_response_with_two_members_is_kept_where_botocore_refuses_it(pair: Pair) -> None:
    from botocore.parsers import ResponseParserError

    group = {"Dimensions": [{"ProfileAttributes": {"FirstName": {"DimensionType": "INCLUSIVE", "Values": ["a"]}},
                             "CalculatedAttributes": {}}]}
    body = json.dumps({"SegmentDefinitionName": "s", "SegmentGroups": {"Groups": [group]}}).encode()
    with pytest.raises(ResponseParserError):
        pair.botocore("GetSegmentDefinition", body)
    fast = pair.via_sdk("GetSegmentDefinition", body)
    assert fast.to_boto()["SegmentGroups"]["Groups"] == [group]


# -- what the fast path leaves alone --------------------------------------------------------------

def test_error_answers_are_still_parsed_by_botocore_into_typed_errors(pair: Pair) -> None:
    for status, code, cls in [(400, "BadRequestException", BadRequestError),
                              (404, "ResourceNotFoundException", ResourceNotFoundError)]:
        pair.canned.set(json.dumps({"Message": "no such thing"}).encode(), status,
                        {"x-amzn-ErrorType": f"{code}:http://internal/"})
        pair.canned.requests = 0
        with pytest.raises(cls) as caught:
            pair.sdk.get_domain(domain_name="d")
        assert caught.value.code == code and caught.value.message == "no such thing"
        assert caught.value.http_status == status and pair.canned.requests == 1


def test_retries_are_untouched_and_the_retried_answer_is_fast_parsed() -> None:
    canned = Canned()
    sdk = sdk_client(canned)
    canned.answers = [(500, b'{"Message": "boom"}'), (503, b'{"Message": "slow down"}'),
                      (200, b'{"DomainName": "d", "Unknown": 1}')]
    canned.headers = {}
    result = sdk.get_domain(domain_name="d")
    assert canned.requests == 3 and result.response_metadata is not None
    assert result.response_metadata.retry_attempts == 2
    assert result.to_boto() == {"DomainName": "d", "Unknown": 1}
    canned.answers, canned.requests = [(500, b'{"Message": "boom"}')], 0
    canned.headers = {"x-amzn-ErrorType": "InternalServerException:http://internal/"}
    with pytest.raises(InternalServerError) as caught:
        sdk.get_domain(domain_name="d")
    assert canned.requests == 3 and caught.value.retry_attempts == 2


def test_direct_boto3_calls_on_the_same_client_are_unchanged() -> None:
    canned = Canned()
    sdk = sdk_client(canned)
    plain = boto3_client(canned)
    canned.set(b'{"DomainName": "d", "DefaultExpirationDays": 3, "Unknown": 1}')
    direct = raw_of(sdk).get_domain(DomainName="d")
    reference = plain.get_domain(DomainName="d")
    assert direct.pop("ResponseMetadata")["HTTPStatusCode"] == reference.pop("ResponseMetadata")["HTTPStatusCode"]
    assert direct == reference == {"DomainName": "d", "DefaultExpirationDays": 3}  # parsed by botocore


def test_after_call_handlers_of_direct_calls_see_botocores_full_parse() -> None:
    canned = Canned()
    sdk = sdk_client(canned)
    seen: list[dict[str, Any]] = []
    sdk.boto3_client.meta.events.register("after-call.customer-profiles.GetDomain",
                                          lambda parsed, **kw: seen.append(dict(parsed)))
    canned.set(b'{"DomainName": "d"}')
    raw_of(sdk).get_domain(DomainName="d")
    sdk.get_domain(domain_name="d")
    assert seen[0]["DomainName"] == "d"
    assert "DomainName" not in seen[1] and transport.BODY_KEY in seen[1]  # documented: the SDK parses it


def test_hooks_are_installed_once_per_boto3_client() -> None:
    canned = Canned()
    client = boto3_client(canned)
    first = CustomerProfilesClient(client=client)
    serializer = cast(Any, client)._serializer
    second = CustomerProfilesClient(client=client)
    assert cast(Any, client)._serializer is serializer  # not wrapped twice
    canned.set(b'{"DomainName": "d", "Unknown": 1}')
    for sdk in (first, second):
        assert sdk.get_domain(domain_name="d").to_boto() == {"DomainName": "d", "Unknown": 1}
    handlers = client.meta.events._emitter._handlers  # one prefix-trie node per event name
    if _BEFORE_PARSE:
        assert len(list(handlers.prefix_search("before-parse.customer-profiles.GetDomain"))) == 1
    else:  # botocore without the event: the endpoint's parser factory is wrapped, once
        factory = cast(Any, client)._endpoint._response_parser_factory
        assert isinstance(factory, _ParserFactory) and not isinstance(factory._factory, _ParserFactory)
        assert isinstance(cast(Any, client)._make_api_call, _CallContext) == _OWN_CONTEXT


def test_fast_parse_false_leaves_parsing_to_botocore(pair: Pair) -> None:
    body = b'{"DomainName": "d", "Unknown": 1}'
    assert pair.via_sdk("GetDomain", body, fast=False).to_boto() == {"DomainName": "d"}  # botocore drops it
    assert pair.via_sdk("GetDomain", body).to_boto() == {"DomainName": "d", "Unknown": 1}


def test_calls_made_by_event_handlers_during_an_sdk_call_are_left_to_botocore() -> None:
    canned = Canned()
    sdk = sdk_client(canned)
    client = raw_of(sdk)
    inner: list[Any] = []

    def after_call(**kwargs: Any) -> None:
        if not inner:
            inner.append(client.list_domains())  # another operation, on the same client

    def before_call(**kwargs: Any) -> None:
        if len(inner) == 1:
            inner.append(None)
            with pytest.raises(BotocoreParamValidationError):  # botocore still validates it
                client.get_profile_object_type(DomainName="d")  # ObjectTypeName is missing

    client.meta.events.register("after-call.customer-profiles.GetDomain", after_call)
    client.meta.events.register("before-call.customer-profiles.GetDomain", before_call)
    canned.set(b'{"DomainName": "d", "Items": [{"DomainName": "x"}], "Unknown": 1}')
    first = sdk.get_domain(domain_name="d")
    # The SDK's own call took the fast path: the members GetDomain does not know are kept.
    assert first.to_boto() == {"DomainName": "d", "Items": [{"DomainName": "x"}], "Unknown": 1}
    assert inner[0]["Items"] == [{"DomainName": "x"}] and transport.BODY_KEY not in inner[0]
    second = sdk.get_domain(domain_name="d")  # the nested validation error was botocore's own
    assert second.to_boto() == first.to_boto() and len(inner) == 2  # still the fast path


def test_the_same_operation_called_from_a_handler_is_left_to_botocore() -> None:
    canned = Canned()
    sdk = sdk_client(canned)
    client = raw_of(sdk)
    inner: list[Any] = []

    def before_call(**kwargs: Any) -> None:
        if not inner:
            inner.append(None)  # before the call: it triggers this handler again
            inner[0] = client.get_domain(DomainName="inner")

    client.meta.events.register("before-call.customer-profiles.GetDomain", before_call)
    canned.set(b'{"DomainName": "d", "Unknown": 1}')
    outer = sdk.get_domain(domain_name="d")
    assert inner[0]["DomainName"] == "d" and "Unknown" not in inner[0] and transport.BODY_KEY not in inner[0]
    assert outer.to_boto() == {"DomainName": "d", "Unknown": 1}


# -- botocore's second validation pass ---------------------------------------------------------------

class _Spy:
    def __init__(self, validator: ParamValidator) -> None:
        self.inner = validator
        self.calls = 0

    def validate(self, params: Any, shape: Any) -> Any:
        self.calls += 1
        return self.inner.validate(params, shape)


def _spied() -> tuple[CustomerProfilesClient, _Spy, Canned]:
    canned = Canned()
    sdk = sdk_client(canned)
    decorator = raw_of(sdk)._serializer._checked
    spy = _Spy(decorator._param_validator)
    decorator._param_validator = spy
    return sdk, spy, canned


def test_botocore_does_not_validate_again_what_the_sdk_validated() -> None:
    sdk, spy, _ = _spied()
    sdk.create_profile(domain_name="shop", first_name="A", attributes={"k": "v"},
                       address=models.Address(city="Town"))
    assert spy.calls == 0


def test_botocore_still_validates_direct_calls() -> None:
    sdk, spy, _ = _spied()
    raw_of(sdk).get_domain(DomainName="shop")
    assert spy.calls == 1
    with pytest.raises(BotocoreParamValidationError):
        raw_of(sdk).get_domain()


def test_botocore_validates_parameters_a_handler_changed_after_the_sdk_validated_them() -> None:
    sdk, spy, canned = _spied()

    def add_member(params: dict[str, Any], **kwargs: Any) -> None:
        params["NotAMember"] = 1

    def break_nested(params: dict[str, Any], **kwargs: Any) -> None:
        params["Address"]["City"] = 5  # in place, inside a nested structure

    raw_of(sdk).meta.events.register("before-parameter-build.customer-profiles.GetDomain", add_member)
    with pytest.raises(BotocoreParamValidationError):
        sdk.get_domain(domain_name="shop")
    sdk.boto3_client.meta.events.register("before-parameter-build.customer-profiles.CreateProfile", break_nested)
    with pytest.raises(BotocoreParamValidationError):
        sdk.create_profile(domain_name="shop", address=models.Address(city="Town"))
    assert spy.calls == 2 and canned.requests == 0


def test_botocore_validates_parameters_whose_types_a_handler_changed() -> None:
    sdk, spy, canned = _spied()

    def to_float(params: dict[str, Any], **kwargs: Any) -> None:
        params["DefaultExpirationDays"] = float(params["DefaultExpirationDays"])  # 5 == 5.0

    raw_of(sdk).meta.events.register("before-parameter-build.customer-profiles.CreateDomain", to_float)
    with pytest.raises(BotocoreParamValidationError):
        sdk.create_domain(domain_name="shop", default_expiration_days=5)
    assert spy.calls == 1 and canned.requests == 0


def test_paginator_requests_are_validated_by_botocore() -> None:
    """A paginator's requests carry the service's token as received and a page size the paginator
    computed, which the SDK does not re-validate, so botocore's validator runs on each."""
    sdk, spy, canned = _spied()
    canned.answers = [(200, b'{"Items": [{"DomainName": "a"}], "NextToken": "t2"}'),
                      (200, b'{"Items": [{"DomainName": "b"}]}')]
    names = [item.domain_name for item in sdk.paginate_list_domains()]
    assert names == ["a", "b"] and spy.calls == 2


@functools.cache
def _service_model() -> Any:
    return shipped_service_model()  # the model the SDK's clients use, on any botocore


@pytest.mark.parametrize("op", OPS)
def test_botocores_validator_accepts_every_request_the_sdk_accepts(op: str) -> None:
    """The second pass is redundant: what our models accept, botocore's validator accepts."""
    validator = ParamValidator()
    shape_name = synth.OPERATIONS[op]["input"]["shape"]
    cls = getattr(models, shape_name)
    input_shape = _service_model().operation_model(op).input_shape
    for full in (False, True):
        for variant in range(3):
            payload = cls.model_validate(synth.valid(shape_name, full=full, variant=variant)).to_boto()
            report = validator.validate(payload, input_shape)
            assert not report.has_errors(), report.generate_report()


# -- the garbage collector pause -----------------------------------------------------------------------

class _GcRecorder:
    """Stands in for the gc module inside _transport and records what it is asked to do."""

    def __init__(self) -> None:
        self.enabled = True
        self.frozen = 0
        self.calls: list[str] = []
        self.count: tuple[int, int, int] = (0, 0, 3)  # the oldest generation's countdown: 3 so far
        self.threshold: tuple[int, int, int] = (700, 10, 10)
        self.debug = 0
        self.young: list[object] = []  # what gc.get_objects(0) answers after the first collect(1)
        self.on_collect: Callable[[], None] | None = None  # the application's code in a collection
        self.callbacks: list[Callable[[str, dict[str, Any]], None]] = []

    def get_count(self) -> tuple[int, int, int]:
        return self.count

    def get_threshold(self) -> tuple[int, int, int]:
        return self.threshold

    def get_debug(self) -> int:
        return self.debug

    def get_objects(self, generation: int | None = None) -> list[object]:
        self.calls.append(f"get_objects({generation})")
        return self.young

    def isenabled(self) -> bool:
        return self.enabled

    def disable(self) -> None:
        self.calls.append("disable")
        self.enabled = False

    def enable(self) -> None:
        self.calls.append("enable")
        self.enabled = True

    def collect(self, generation: int = 2) -> int:
        self.calls.append(f"collect({generation})")
        if self.on_collect is not None:
            on_collect, self.on_collect = self.on_collect, None
            on_collect()
        return 0

    def freeze(self) -> None:
        self.calls.append("freeze")

    def unfreeze(self) -> None:
        self.calls.append("unfreeze")

    def get_freeze_count(self) -> int:
        self.calls.append("get_freeze_count")
        return self.frozen


#: What a large parse asks of the collector when the application froze nothing: examine the young
#: generations (and check that the collection made nothing new), pause, then move what the parse
#: made to the oldest generation, count the oldest generation's countdown back (3 empty young
#: collections: gc.freeze() zeroed it), and resume.
PROMOTED = ["get_freeze_count", "collect(1)", "get_freeze_count", "get_objects(0)", "disable",
            "get_freeze_count", "freeze", "unfreeze", "collect(1)", "collect(1)", "collect(1)", "enable"]


@pytest.fixture(autouse=True)
def _app_froze_reset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transport, "_app_froze", False)


LARGE = wire_json({"Items": [{"DomainName": f"domain-{i:04d}-" + "x" * 80, "CreatedAt": 1, "LastUpdatedAt": 2}
                              for i in range(400)]})


def test_a_large_parse_pauses_the_collector_and_restores_it(pair: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    assert len(LARGE) >= transport.GC_PAUSE_MIN_BYTES
    recorder = _GcRecorder()
    monkeypatch.setattr(transport, "gc", recorder)
    monkeypatch.setattr(transport, "_one_thread", lambda: True)
    assert len(pair.via_sdk("ListDomains", LARGE).items or []) == 400
    assert recorder.calls == PROMOTED and recorder.enabled
    recorder.calls.clear()
    pair.via_sdk("ListDomains", b'{"Items": []}')  # small: no pause
    assert recorder.calls == []


def test_the_collector_comes_back_when_the_parse_raises(pair: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = _GcRecorder()
    monkeypatch.setattr(transport, "gc", recorder)
    monkeypatch.setattr(transport, "_one_thread", lambda: True)

    def boom(*args: Any, **kwargs: Any) -> Any:
        assert not recorder.enabled  # raised inside the pause
        raise RuntimeError("boom")

    monkeypatch.setattr(transport, "_lenient_validate", boom)
    with pytest.raises(RuntimeError):
        transport.parse_body(models.ListDomainsResponse, LARGE, {})
    # Not promoted: what a failed parse made is left to the young collections.
    assert recorder.calls == ["get_freeze_count", "collect(1)", "get_freeze_count", "get_objects(0)", "disable",
                              "enable"] and recorder.enabled


def test_an_application_that_froze_objects_keeps_them_frozen(pair: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = _GcRecorder()
    recorder.frozen = 5
    monkeypatch.setattr(transport, "gc", recorder)
    monkeypatch.setattr(transport, "_one_thread", lambda: True)
    pair.via_sdk("ListDomains", LARGE)
    assert recorder.calls == ["get_freeze_count", "disable", "enable"]  # no unfreeze: only the pause
    recorder.calls.clear()
    recorder.frozen = 0
    pair.via_sdk("ListDomains", LARGE)
    assert recorder.calls == ["disable", "enable"]  # remembered: the frozen set is not walked again


def test_a_collector_the_user_disabled_stays_disabled(pair: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = _GcRecorder()
    recorder.enabled = False
    monkeypatch.setattr(transport, "gc", recorder)
    monkeypatch.setattr(transport, "_one_thread", lambda: True)
    pair.via_sdk("ListDomains", LARGE)
    assert recorder.calls == [] and not recorder.enabled


def test_no_pause_while_other_threads_run(pair: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = _GcRecorder()
    monkeypatch.setattr(transport, "gc", recorder)
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert threading.active_count() > 1
        assert len(pair.via_sdk("ListDomains", LARGE).items or []) == 400
    finally:
        release.set()
        other.join()
    assert recorder.calls == []


def test_a_child_forked_during_a_pause_gets_its_collector_back(monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = _GcRecorder()
    monkeypatch.setattr(transport, "gc", recorder)
    monkeypatch.setattr(transport, "_one_thread", lambda: True)

    def forked(*args: Any, **kwargs: Any) -> Any:
        assert not recorder.enabled and transport._gc_paused_by_us
        transport._after_fork_in_child()  # what os.register_at_fork runs in the child
        assert recorder.enabled and not transport._gc_paused_by_us
        raise RuntimeError("the child's parse")

    monkeypatch.setattr(transport, "_lenient_validate", forked)
    with pytest.raises(RuntimeError):
        transport.parse_body(models.ListDomainsResponse, LARGE, {})
    assert recorder.calls == ["get_freeze_count", "collect(1)", "get_freeze_count", "get_objects(0)", "disable",
                              "enable", "enable"]
    assert recorder.enabled and not transport._gc_paused_by_us


class _Node:
    """An object that can take part in a reference cycle, and be watched with a weakref."""

    other: Any = None


def test_a_large_parse_leaves_its_models_in_the_oldest_generation(pair: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transport, "_one_thread", lambda: True)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    response = pair.via_sdk("ListDomains", LARGE)
    items = response.items or []
    assert len(items) == 400
    oldest = {id(item) for item in gc.get_objects(generation=2)}
    assert all(id(item) in oldest for item in items) and id(response) in oldest
    young = {id(item) for item in gc.get_objects(generation=0)} | {id(item) for item in gc.get_objects(generation=1)}
    assert not any(id(item) in young for item in items)
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_young_cyclic_garbage_is_examined_before_a_large_parse(pair: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    # Garbage in the young generations is collected before the parse's models are moved on; it
    # would otherwise wait, unexamined, for a full collection.
    monkeypatch.setattr(transport, "_one_thread", lambda: True)
    pair.via_sdk("ListDomains", LARGE)  # warm: nothing below allocates enough to start a collection
    gc.collect()
    first, second = _Node(), _Node()
    first.other, second.other = second, first
    watch = weakref.ref(first)
    del first, second
    assert watch() is not None  # a cycle: only the collector frees it
    assert gc.get_count()[0] < 500
    pair.via_sdk("ListDomains", LARGE)
    assert watch() is None


def test_what_the_application_froze_stays_frozen(pair: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transport, "_one_thread", lambda: True)
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        for _ in range(3):
            assert len(pair.via_sdk("ListDomains", LARGE).items or []) == 400
            assert gc.get_freeze_count() > frozen // 2 and gc.isenabled()  # gc.unfreeze() would leave 0
        assert transport._app_froze
    finally:
        gc.unfreeze()


# -- the pause against hostile timing and the application's own use of the collector -------------


def test_a_collection_that_makes_young_objects_is_not_promoted(pair: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    # gc callbacks and finalizers run inside the SDK's gc.collect(1): what they make is young and
    # unexamined, so the parse's objects are not moved on with it (the pause stays).
    recorder = _GcRecorder()
    recorder.young = [object()]
    monkeypatch.setattr(transport, "gc", recorder)
    monkeypatch.setattr(transport, "_one_thread", lambda: True)
    pair.via_sdk("ListDomains", LARGE)
    assert recorder.calls == ["get_freeze_count", "collect(1)", "get_freeze_count", "get_objects(0)", "disable",
                              "enable"]


def test_the_application_switching_the_collector_off_in_a_collection_is_kept(
        pair: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = _GcRecorder()

    def disable() -> None:
        recorder.enabled = False

    recorder.on_collect = disable  # a gc callback that calls gc.disable()
    monkeypatch.setattr(transport, "gc", recorder)
    monkeypatch.setattr(transport, "_one_thread", lambda: True)
    pair.via_sdk("ListDomains", LARGE)
    assert recorder.calls == ["get_freeze_count", "collect(1)"] and not recorder.enabled


def test_the_application_freezing_in_a_collection_or_during_the_parse_stays_frozen(
        pair: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = _GcRecorder()

    def freeze() -> None:
        recorder.frozen = 7

    recorder.on_collect = freeze  # a gc callback that calls gc.freeze()
    monkeypatch.setattr(transport, "gc", recorder)
    monkeypatch.setattr(transport, "_one_thread", lambda: True)
    pair.via_sdk("ListDomains", LARGE)
    assert recorder.calls == ["get_freeze_count", "collect(1)", "get_freeze_count", "disable", "enable"]
    assert transport._app_froze
    # a signal handler that freezes while the parse runs: no unfreeze either
    monkeypatch.setattr(transport, "_app_froze", False)
    recorder.frozen, recorder.calls = 0, []
    validate = transport._lenient_validate or transport._load_lenient_validate()

    def frozen_meanwhile(*args: Any, **kwargs: Any) -> Any:
        recorder.frozen = 7
        return validate(*args, **kwargs)

    monkeypatch.setattr(transport, "_lenient_validate", frozen_meanwhile)
    pair.via_sdk("ListDomains", LARGE)
    assert "freeze" not in recorder.calls and "unfreeze" not in recorder.calls and transport._app_froze


@pytest.mark.parametrize("threshold, debug, watched", [
    ((0, 10, 10), 0, False),  # automatic collection off
    ((50_000, 10, 10), 0, False),  # starting a collection would allocate 50,000 objects
    ((700, 10, 1_000), 0, False),  # counting the countdown back would take 1,000 collections
    ((700, 10, 10), gc.DEBUG_STATS, False),  # the application debugs the collector
    ((700, 10, 10), 0, True),  # the application watches every collection (gc.callbacks)
])
def test_no_collection_when_automatic_collection_is_off_debugged_or_watched(
        pair: Pair, monkeypatch: pytest.MonkeyPatch, threshold: tuple[int, int, int], debug: int,
        watched: bool) -> None:
    recorder = _GcRecorder()
    recorder.threshold, recorder.debug = threshold, debug
    if watched:
        recorder.callbacks.append(lambda phase, info: None)
    monkeypatch.setattr(transport, "gc", recorder)
    monkeypatch.setattr(transport, "_one_thread", lambda: True)
    pair.via_sdk("ListDomains", LARGE)
    assert recorder.calls == ["get_freeze_count", "disable", "enable"]  # paused only: nothing collected


def test_the_countdown_to_a_full_collection_survives_a_large_parse(pair: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    # gc.freeze() zeroes every generation's count, the oldest's countdown to a full collection
    # too: without counting it back, a process making large calls often would never again collect
    # its old cyclic garbage.
    monkeypatch.setattr(transport, "_one_thread", lambda: True)
    pair.via_sdk("ListDomains", LARGE)  # warm
    gc.collect()
    for _ in range(5):
        gc.collect(1)
    assert gc.get_count()[2] == 5
    parsed = transport.parse_body(models.ListDomainsResponse, LARGE, {})
    assert isinstance(parsed, models.ListDomainsResponse) and len(parsed.items or []) == 400
    assert gc.get_count()[2] >= 6  # five, and the SDK's own young collection
    assert gc.isenabled() and gc.get_freeze_count() == 0


class _Finalized(_Node):
    """Cyclic garbage whose finalizer makes new cyclic garbage, once: it runs inside the
    collection that frees it."""

    made: ClassVar[list[weakref.ref[_Node]]] = []

    def __del__(self) -> None:
        if not _Finalized.made:
            first, second = _Node(), _Node()
            first.other, second.other = second, first
            _Finalized.made.append(weakref.ref(first))


def test_cyclic_garbage_made_by_a_finalizer_during_the_pause_is_left_young(
        pair: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    # Finalizers run inside the SDK's gc.collect(1): what they make is young and unexamined, so it
    # is not moved to the oldest generation with the parse's objects.
    monkeypatch.setattr(transport, "_one_thread", lambda: True)
    monkeypatch.setattr(_Finalized, "made", [])
    pair.via_sdk("ListDomains", LARGE)  # warm
    gc.collect()
    first, second = _Finalized(), _Finalized()
    first.other, second.other = second, first
    del first, second
    transport.parse_body(models.ListDomainsResponse, LARGE, {})
    assert _Finalized.made and _Finalized.made[0]() is not None  # made by the finalizer, still there
    gc.collect(1)  # a young collection finds it: it was not moved to the oldest generation
    assert _Finalized.made[0]() is None


@pytest.mark.parametrize("target", ["collect", "disable", "freeze", "unfreeze", "get_objects", "enable"])
def test_an_interrupt_anywhere_in_the_pause_leaves_the_collector_on_and_nothing_frozen(
        pair: Pair, monkeypatch: pytest.MonkeyPatch, target: str) -> None:
    """A KeyboardInterrupt is delivered as a call returns: raise one as each of the collector's
    functions returns inside a large parse (a profile function sees the return) and check that the
    collector is on and nothing is frozen afterwards, whatever the parse did."""
    monkeypatch.setattr(transport, "_one_thread", lambda: True)
    pair.via_sdk("ListDomains", LARGE)  # warm: the profile function must see the pause's calls only
    function = getattr(gc, target)
    fired: list[bool] = []

    def profile(frame: Any, event: str, arg: Any) -> None:
        if event == "c_return" and arg is function and not fired:
            fired.append(True)
            raise KeyboardInterrupt

    sys.setprofile(profile)
    try:
        transport.parse_body(models.ListDomainsResponse, LARGE, {})
    except KeyboardInterrupt:
        pass
    finally:
        sys.setprofile(None)
    assert fired  # the interrupt was delivered inside the pause
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert not transport._gc_paused_by_us  # a child forked later must not switch the collector on


def test_a_run_out_countdown_lets_the_collector_decide_on_a_full_collection(monkeypatch: pytest.MonkeyPatch) -> None:
    threshold = gc.get_threshold()
    gc.collect()
    for _ in range(threshold[2] + 2):
        gc.collect(1)  # the countdown runs out; a full collection is due, if enough has aged
    monkeypatch.setattr(transport, "_promotions", threshold[2])
    collections = sum(stats["collections"] for stats in gc.get_stats())
    transport._after_promotion()
    assert sum(stats["collections"] for stats in gc.get_stats()) == collections + 1  # one automatic collection
    assert gc.get_threshold() == threshold and transport._promotions == 0
    transport._after_promotion()  # not again before threshold + 1 more promotions
    assert sum(stats["collections"] for stats in gc.get_stats()) == collections + 1


def test_starting_a_collection_changes_nothing_process_wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """The application's code that runs in the collection (finalizers) sees its own thresholds,
    and a change it makes there stays."""
    threshold = gc.get_threshold()
    for _ in range(threshold[2] + 2):
        gc.collect(1)
    monkeypatch.setattr(transport, "_promotions", threshold[2])
    calls: list[str] = []

    def profile(frame: Any, event: str, arg: Any) -> None:
        if event == "c_call" and getattr(arg, "__module__", None) == "gc":
            calls.append(arg.__name__)

    sys.setprofile(profile)
    try:
        transport._after_promotion()
    finally:
        sys.setprofile(None)
    assert "set_threshold" not in calls and "get_count" in calls
    assert gc.get_threshold() == threshold


_THREAD_CHECK = """
import _thread, sys, threading, time
from customer_profiles_sdk import _transport
assert _transport._one_thread()
lock = _thread.allocate_lock(); lock.acquire()
def wait() -> None:
    lock.acquire()  # Python code: it can allocate, and has a frame
_thread.start_new_thread(wait, ())
time.sleep(0.2)
assert threading.active_count() == 1  # threading does not count it
assert not _transport._one_thread()
lock.release()
print("ok")
"""


def test_a_thread_threading_does_not_count_stops_the_pause() -> None:
    done = subprocess.run([sys.executable, "-c", _THREAD_CHECK], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


_STARVATION = """
import gc, json, sys
sys.path.insert(0, sys.argv[1])
from tests.canned import Canned, sdk_client
from customer_profiles_sdk import _transport
from customer_profiles_sdk import _transport as t
assert t._one_thread()
body = json.dumps({"Items": [{"ProfileId": f"{i:032x}", "FirstName": "G", "EmailAddress": f"p{i}@example.com",
                              "Address": {"City": "Town"}, "Attributes": {"notes": "x" * 1000}}
                             for i in range(50)]}).encode()
assert len(body) >= t.GC_PAUSE_MIN_BYTES
canned = Canned(); canned.set(body); sdk = sdk_client(canned)
class Entry:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it
cache = []
full = gc.get_stats()[2]["collections"]
for _ in range(1500):
    cache.extend(Entry() for _ in range(50))
    del cache[:-2000]  # the oldest leave the cache: garbage, by now in the oldest generation
    sdk.search_profiles(domain_name="d", key_name="k", values=["v"])
alive = sum(type(o) is Entry for o in gc.get_objects())
print(alive, gc.get_stats()[2]["collections"] - full)
"""


def test_old_cyclic_garbage_is_still_collected_in_a_process_making_large_calls() -> None:
    """An application that keeps making large calls still gets its full collections: entries that
    leave a cache (each a reference cycle, by then in the oldest generation) are freed, so the
    memory stays bounded. Without the countdown's restoration 75,000 entries stayed alive here."""
    root = str(__import__("pathlib").Path(__file__).resolve().parents[1])
    done = subprocess.run([sys.executable, "-c", _STARVATION, root], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    alive, full_collections = map(int, done.stdout.split())
    assert full_collections >= 1
    assert alive < 20_000  # 2,000 held, and at most the garbage since the last full collection


def test_concurrent_large_parses_never_pause_the_collector() -> None:
    canned = Canned()
    canned.set(LARGE)
    sdk = sdk_client(canned)
    errors: list[BaseException] = []
    paused: list[bool] = []
    done = threading.Event()

    def work() -> None:
        try:
            for _ in range(20):
                assert len(sdk.list_domains().items or []) == 400
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def watch() -> None:
        while not done.is_set():
            paused.append(not gc.isenabled())

    watcher = threading.Thread(target=watch)
    watcher.start()
    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    watcher.join()
    assert not errors and gc.isenabled() and paused and not any(paused)


@pytest.mark.parametrize("op", OPS)
def test_the_wire_dump_equals_to_boto_and_shares_no_container(op: str) -> None:
    from customer_profiles_sdk._core import _wire

    shape_name = synth.OPERATIONS[op]["input"]["shape"]
    cls = getattr(models, shape_name)
    for full in (False, True):
        for variant in range(3):
            request = cls.model_validate(synth.valid(shape_name, full=full, variant=variant))
            first, second = _wire(request), _wire(request)
            assert first == second == request.to_boto()
            same(first, request.to_boto())
            assert not _shared_containers(first, second)


def _shared_containers(a: Any, b: Any) -> bool:
    if isinstance(a, dict | list) and a is b:
        return True
    if isinstance(a, dict):
        return any(_shared_containers(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return any(_shared_containers(x, y) for x, y in zip(a, b, strict=True))
    return False


def test_strings_read_from_a_body_are_not_kept_in_a_process_wide_cache(pair: Pair) -> None:
    """pydantic-core caches short strings read from JSON unless told not to: values from responses
    (names, e-mail addresses) must not outlive the responses. Equal values parsed twice are two
    objects; member names and map keys may be shared."""
    body = b'{"DomainName": "jane.doe@example.com", "Tags": {"owner": "jane.doe@example.com"}}'
    first = pair.via_sdk("GetDomain", body)
    second = pair.via_sdk("GetDomain", body)
    assert first.domain_name == second.domain_name == "jane.doe@example.com"
    assert first.domain_name is not second.domain_name
    assert first.tags is not None and second.tags is not None
    assert first.tags["owner"] is not second.tags["owner"]
    request = models.CreateDomainRequest.model_validate_json(b'{"DomainName": "janedoe", "DefaultExpirationDays": 5}')
    again = models.CreateDomainRequest.model_validate_json(b'{"DomainName": "janedoe", "DefaultExpirationDays": 5}')
    assert request.domain_name is not again.domain_name


def test_no_pickling_when_botocore_does_not_validate(monkeypatch: pytest.MonkeyPatch) -> None:
    """With parameter_validation=False there is no second pass to skip, so nothing is pickled."""
    from botocore.config import Config

    import customer_profiles_sdk._core as core

    calls: list[Any] = []

    def spy(params: dict[str, Any]) -> bytes | None:
        calls.append(params)
        return transport.pickled(params)

    monkeypatch.setattr(core, "pickled", spy)
    canned = Canned()
    canned.set(b'{"DomainName": "d"}')
    plain = CustomerProfilesClient(client=boto3_client(canned, Config(parameter_validation=False)))
    assert plain.get_domain(domain_name="d").domain_name == "d" and calls == []
    checked = sdk_client(canned)
    assert checked.get_domain(domain_name="d").domain_name == "d" and len(calls) == 1


class _ParseCounter:
    """Counts the parses botocore's own parsers run (wrapped at the endpoint's factory)."""

    def __init__(self, client: Any) -> None:
        self.parses = 0
        endpoint = client._endpoint
        guarded = endpoint._response_parser_factory
        inner = guarded._factory if isinstance(guarded, _ParserFactory) else guarded
        counter = self

        class Factory:
            def __init__(self, factory: Any) -> None:
                self._factory = factory

            def create_parser(self, protocol: str) -> Any:
                parser = self._factory.create_parser(protocol)
                parse = parser.parse

                def counted(response: Any, shape: Any) -> Any:
                    counter.parses += 1
                    return parse(response, shape)

                parser.parse = counted
                return parser

        inner._factory = Factory(inner._factory)


class _MetadataPair:
    """An SDK client (its botocore parses counted) and a plain client, sharing canned answers, with
    the parsed dict each one's after-call handlers saw. Built once for the module."""

    def __init__(self) -> None:
        self.canned = Canned()
        self.sdk = sdk_client(self.canned)
        self.plain = boto3_client(self.canned)
        self.counter = _ParseCounter(self.sdk.boto3_client)
        self.seen: dict[str, Any] = {}
        for name, client in (("sdk", self.sdk.boto3_client), ("raw", self.plain)):
            client.meta.events.register("after-call.customer-profiles",
                                        functools.partial(lambda key, parsed, **kw: self.seen.__setitem__(key, parsed),
                                                          name))


@pytest.fixture(scope="module")
def metadata_pair() -> _MetadataPair:
    return _MetadataPair()


@pytest.mark.parametrize("op", OPS)
def test_a_fast_parsed_answer_skips_botocores_parser_and_gets_the_same_metadata(
        metadata_pair: _MetadataPair, op: str) -> None:
    """botocore's parser is not run for a 2xx answer the SDK parses (unless a member comes from
    the status code), and the metadata dict handlers and the SDK see equals botocore's parse."""
    pair = metadata_pair
    pair.counter.parses = 0
    pair.seen.clear()
    headers = {"X-Amzn-RequestId": "r-1", "X-Custom": "A b", "x-amz-id-2": "h"}
    pair.canned.set(b"{}", 200, headers)
    request = getattr(models, synth.OPERATIONS[op]["input"]["shape"]).model_validate(synth.valid(
        synth.OPERATIONS[op]["input"]["shape"]))
    response = pair.sdk.send(request, allow_partial=True)
    getattr(pair.plain, xform_name(op))(**synth.valid(synth.OPERATIONS[op]["input"]["shape"]))
    assert pair.counter.parses == (1 if op in STATUS_OPS else 0)
    assert pair.seen["sdk"]["ResponseMetadata"] == pair.seen["raw"]["ResponseMetadata"]
    assert response.response_metadata is not None and response.response_metadata.request_id == "r-1"
    assert response.response_metadata.headers["x-custom"] == "A b"


@pytest.mark.parametrize("status", [200, 201, 204, 299])
@pytest.mark.parametrize("headers", [
    {"x-amzn-RequestId": "a", "Content-Type": "application/json"},
    {"x-amz-request-id": "b", "x-amz-id-2": "c"},
    {"X-Amz-Request-Id": "d"},
    {},
    {"x-amzn-requestid": "e", "x-amz-request-id": "f", "MiXeD": "G h"},
])
@pytest.mark.parametrize("checksum", [None, "CRC32"])
def test_the_skipped_parse_builds_what_botocores_parser_builds(status: int, headers: dict[str, str],
                                                                checksum: str | None) -> None:
    from botocore.awsrequest import HeadersDict
    from botocore.parsers import create_parser

    shape = shipped_service_model().operation_model("GetDomain").output_shape
    context = {"checksum": {"response_algorithm": checksum}} if checksum else {}

    def response() -> dict[str, Any]:
        return {"status_code": status, "headers": HeadersDict(headers), "body": b"", "context": context}

    expected = create_parser("rest-json").parse(response(), shape)
    taken = response()
    call = transport.SdkCall("GetDomain", None, True)
    call.taken = taken
    token = transport.sdk_call.set(call)
    try:
        assert transport._metadata_only(taken, shape) == expected
        assert call.taken is None and transport._metadata_only(taken, shape) is None  # used once
    finally:
        transport.sdk_call.reset(token)


def test_an_answer_the_sdk_did_not_take_is_parsed_by_botocore() -> None:
    """Error answers, fast_parse=False and direct calls still go through botocore's parser."""
    canned = Canned()
    sdk = sdk_client(canned)
    slow = CustomerProfilesClient(client=boto3_client(canned), fast_parse=False)
    counters = [_ParseCounter(sdk.boto3_client), _ParseCounter(slow.boto3_client)]
    canned.set(b'{"DomainName": "d"}')
    assert slow.get_domain(domain_name="d").domain_name == "d"
    assert cast(Any, sdk.boto3_client).get_domain(DomainName="d")["DomainName"] == "d"
    canned.set(b'{"Message": "no"}', 404, {"x-amzn-ErrorType": "ResourceNotFoundException"})
    with pytest.raises(ResourceNotFoundError):
        sdk.get_domain(domain_name="d")
    # the direct call 1, the error answer 2 (botocore parses it again for the modeled fields)
    assert [counter.parses for counter in counters] == [3, 1]
