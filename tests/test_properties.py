"""Differential property tests against botocore, and forward compatibility of responses.

Strategies come from the committed service model (tests/strategies.py). For every operation:

* valid requests are accepted by the SDK's client, then by botocore's own validator and
  serializer, and botocore receives exactly the params that were drawn;
* every single-constraint fault (required, min, max, range, enum, pattern, union) of a valid
  request is rejected by the client with the right path and rule, and no HTTP request is sent;
* hostile responses (unknown members, unknown enum values, broken constraints) parse through the
  client's real parsing path and give back every value they carried.

The hypothesis profile comes from ``CUSTOMER_PROFILES_SDK_HYPOTHESIS`` (see tests/conftest.py):
``ci`` (the default: 100 examples per operation and test, derandomized so CI is repeatable) or
``long`` (1,000 random examples, for a soak run).
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.validate import ParamValidator
from hypothesis import example, given, settings
from hypothesis import strategies as st

from customer_profiles_sdk import CustomerProfilesClient, ParamValidationError, ResponseParseError
from customer_profiles_sdk._core import SECRET_BODIES
from customer_profiles_sdk._generated.operations import OPERATIONS, PARTIAL_FAILURES

from . import strategies, synth
from .canned import Canned, boto3_client, method_kwargs, wire_json

OPS = sorted(OPERATIONS)
EXAMPLES = settings().max_examples
#: Faults tried per drawn request: one of each kind present, then others at random.
SITES_PER_EXAMPLE = 12
#: Figures printed in pytest's terminal summary (tests/conftest.py) and quoted in docs/reliability.md.
TALLY: dict[str, int] = {}


def tally(key: str, count: int = 1) -> None:
    TALLY[key] = TALLY.get(key, 0) + count


class Recorder:
    """Keeps the params botocore receives for each call (at ``before-parameter-build``)."""

    def __init__(self) -> None:
        self.params: list[dict[str, Any]] = []

    def __call__(self, params: dict[str, Any], **kwargs: Any) -> None:
        self.params.append(params)


def make_client(canned: Canned, fast_parse: bool = True) -> tuple[CustomerProfilesClient, Recorder]:
    raw = boto3_client(canned)
    recorder = Recorder()
    raw.meta.events.register_last("before-parameter-build.customer-profiles", recorder)
    return CustomerProfilesClient(client=raw, fast_parse=fast_parse), recorder


def assert_identical(expected: Any, actual: Any, path: str = "") -> None:
    """Equal values of the same types all the way down (``5 == 5.0`` is not enough)."""
    if isinstance(expected, datetime):
        assert isinstance(actual, datetime) and actual == expected, path
        return
    assert type(actual) is type(expected), (path, type(expected).__name__, type(actual).__name__)
    if isinstance(expected, dict):
        assert actual.keys() == expected.keys(), path
        for key in expected:
            assert_identical(expected[key], actual[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert len(actual) == len(expected), path
        for index, (a, b) in enumerate(zip(expected, actual, strict=True)):
            assert_identical(a, b, f"{path}[{index}]")
    elif isinstance(expected, float) and math.isnan(expected):
        assert math.isnan(actual), path
    else:
        assert actual == expected, path


# -- 1. valid requests: accepted here, accepted by botocore, received unchanged ------------------


# The quick set draws valid requests for every other operation (the single-constraint faults below
# draw valid requests for all of them too); .ci/run runs every operation at the ci profile.
@pytest.mark.parametrize(
    "op", [pytest.param(op, marks=() if index % 2 == 0 else (pytest.mark.slow,)) for index, op in enumerate(OPS)]
)
def test_valid_requests_are_accepted_by_the_client_and_by_botocore(op: str) -> None:
    info = OPERATIONS[op]
    canned = Canned()
    client, recorder = make_client(canned)
    input_shape = client.boto3_client.meta.service_model.operation_model(op).input_shape
    assert input_shape is not None
    validator = ParamValidator()
    extra = {"allow_partial": True} if op in PARTIAL_FAILURES else {}
    accepted = 0

    @given(wire=strategies.valid(info.input_shape))
    def run(wire: dict[str, Any]) -> None:
        nonlocal accepted
        before = canned.requests
        recorder.params.clear()
        getattr(client, info.python_name)(**method_kwargs(info.input_shape, wire), **extra)
        assert canned.requests == before + 1  # one HTTP request, serialized and signed by botocore
        (received,) = recorder.params
        assert_identical(wire, received)
        report = validator.validate(received, input_shape)
        assert not report.has_errors(), report.generate_report()
        accepted += 1

    run()
    assert accepted >= EXAMPLES
    tally("valid requests", accepted)


# -- 2. single-constraint faults: rejected with path and rule, nothing sent -----------------------


# The quick set breaks the constraints of the other half of the operations (so each operation has
# one property test there); tests/test_constraints.py breaks every constraint of every input shape
# deterministically, and .ci/run runs every operation here at the ci profile.
@pytest.mark.parametrize(
    "op", [pytest.param(op, marks=() if index % 2 == 1 else (pytest.mark.slow,)) for index, op in enumerate(OPS)]
)
def test_every_single_constraint_fault_is_rejected_before_any_request(op: str) -> None:
    info = OPERATIONS[op]
    canned = Canned()
    client, recorder = make_client(canned)
    input_shape = client.boto3_client.meta.service_model.operation_model(op).input_shape
    assert input_shape is not None
    validator = ParamValidator()
    method = getattr(client, info.python_name)
    kinds_seen: set[str] = set()
    counts: dict[str, int] = {}

    # The full request (every optional member) is always tried as well as the drawn ones.
    @example(wire=synth.valid(info.input_shape, full=True), seed=0)
    @given(wire=strategies.valid(info.input_shape), seed=st.integers(0, 2**32))
    def run(wire: dict[str, Any], seed: int) -> None:
        chooser = random.Random(seed)
        sites = strategies.mutation_sites(info.input_shape, wire, lambda n: chooser.randrange(max(n, 1)))
        for site in strategies.sample_sites(sites, chooser, SITES_PER_EXAMPLE):
            mutated = site.apply(wire)
            with pytest.raises(ParamValidationError) as caught:
                method(**method_kwargs(info.input_shape, mutated))
            problems = [(p.path, p.rule) for p in caught.value.problems]
            assert (site.path, site.rule) in problems, (site.kind, site.path, site.rule, problems)
            # Nothing else in the otherwise valid request is blamed.
            for path, _ in problems:
                assert path.startswith(site.path) or site.path.startswith(path), (path, site.path)
            kinds_seen.add(site.kind)
            counts[f"mutations: {site.kind}"] = counts.get(f"mutations: {site.kind}", 0) + 1
            if validator.validate(mutated, input_shape).has_errors():
                counts[f"botocore also rejects: {site.kind}"] = counts.get(f"botocore also rejects: {site.kind}", 0) + 1
        assert canned.requests == 0 and recorder.params == []

    run()
    assert canned.requests == 0
    assert kinds_seen == strategies.constraint_kinds(info.input_shape), kinds_seen
    for key, count in counts.items():
        tally(key, count)
    for kind in kinds_seen:
        tally(f"operations with kind: {kind}")


# -- 3. forward compatibility: hostile responses through the client's real parse path -------------


def to_json_like(value: Any, utc_only: bool = True) -> Any:
    """A parsed value as the JSON the service sent: timestamps back to epoch seconds."""
    if isinstance(value, datetime):
        assert value.tzinfo is UTC or not utc_only, "parsed timestamps are UTC"
        return value.timestamp()
    if isinstance(value, dict):
        return {key: to_json_like(item, utc_only) for key, item in value.items()}
    if isinstance(value, list):
        return [to_json_like(item, utc_only) for item in value]
    return value


def numbers_as_sent(body: Any, shape_name: str | None) -> Any:
    """The body with timestamps as floats (how they come back from a datetime), and without the
    members of structures whose value is JSON null: like botocore, ``to_boto()`` treats a null
    member as absent (the model still holds it in ``model_extra``)."""
    shape = synth.SHAPES[shape_name] if shape_name else None
    kind = shape["type"] if shape else None
    if kind == "timestamp" and isinstance(body, int | float) and not isinstance(body, bool):
        return float(body)
    if isinstance(body, dict):
        members = shape.get("members", {}) if shape and kind == "structure" else {}
        if shape and kind == "map":
            return {k: numbers_as_sent(v, shape["value"]["shape"]) for k, v in body.items()}
        if shape is None:  # inside an unknown member: raw JSON, nulls included
            return {k: numbers_as_sent(v, None) for k, v in body.items()}
        return {k: numbers_as_sent(v, members[k]["shape"] if k in members else None)
                for k, v in body.items() if v is not None}
    if isinstance(body, list):
        member = shape["member"]["shape"] if shape and kind == "list" else None
        return [numbers_as_sent(item, member) for item in body]
    return body


#: Hostile responses per operation, a tenth of the profile's examples: with ``ci``, 10 through the
#: fast path (1,150 in all) and 5 through botocore's parser (which also needs a plain boto3 client's
#: parse of each body); 10 times that with ``long``; 1 and 1 with the README's ``quick``.
RESPONSE_EXAMPLES = max(1, EXAMPLES // 10)


@pytest.mark.slow  # .ci/run runs it with the ci profile; the README's quick command does not
@pytest.mark.parametrize("fast_parse", [True, False], ids=["fast", "botocore"])
@pytest.mark.parametrize("op", OPS)
def test_hostile_responses_parse_losslessly_through_the_client(op: str, fast_parse: bool) -> None:
    info = OPERATIONS[op]
    canned = Canned()
    client, _ = make_client(canned, fast_parse)
    raw_request = synth.valid(info.input_shape)
    request = method_kwargs(info.input_shape, raw_request)
    raw_canned = Canned()
    raw = boto3_client(raw_canned)
    extra = {"allow_partial": True} if op in PARTIAL_FAILURES else {}
    status_members = {m for m, spec in synth.SHAPES[info.output_shape].get("members", {}).items()
                      if spec.get("location") == "statusCode"}
    parsed_count = refused = 0
    examples = RESPONSE_EXAMPLES if fast_parse else max(1, RESPONSE_EXAMPLES // 2)

    @settings(max_examples=examples)
    @given(body=strategies.hostile(info.output_shape))
    def run(body: dict[str, Any]) -> None:
        nonlocal parsed_count, refused
        canned.set(wire_json(body))
        if not fast_parse and op not in SECRET_BODIES and union_botocore_refuses(body, info.output_shape):
            # botocore refuses a union with other than one member (docs/design.md section 11);
            # the fast path keeps it (checked above with fast_parse=True).
            with pytest.raises(ResponseParseError):
                getattr(client, info.python_name)(**request, **extra)
            tally("hostile responses botocore refuses (union)")
            refused += 1
            return
        result = getattr(client, info.python_name)(**request, **extra)
        assert type(result).__name__ == info.output_shape
        back = to_json_like(result.to_boto())
        for member in status_members:
            assert back.pop(member) == 200
        if fast_parse or op in SECRET_BODIES:  # a body with a secret is always the SDK's to parse
            assert_identical(numbers_as_sent(body, info.output_shape), back)
        else:
            # botocore's parser drops unknown members and coerces some values (see docs/design.md
            # section 11): the SDK must give exactly botocore's own parse of the same body.
            expected = raw_client_parse(raw, raw_canned, info.python_name, raw_request, body)
            for member in status_members:
                assert expected.pop(member) == 200
            assert_identical(expected, back)
            assert_subset(back, numbers_as_sent(body, info.output_shape))
        parsed_count += 1

    run()
    assert parsed_count > 0 and parsed_count + refused >= examples
    tally(f"hostile responses ({'fast' if fast_parse else 'botocore'} path)", parsed_count)


def raw_client_parse(raw: Any, canned: Canned, method: str, request: dict[str, Any], body: dict[str, Any]) -> Any:
    """botocore's own parse of ``body`` by a plain boto3 client, as JSON-like values."""
    canned.set(wire_json(body))
    parsed = getattr(raw, method)(**request)
    parsed.pop("ResponseMetadata")
    return to_json_like(parsed, utc_only=False)  # botocore gives local-zone timestamps


def union_botocore_refuses(body: Any, shape_name: str) -> bool:
    """Whether ``body`` holds a union value with other than exactly one key (botocore counts
    every key, unknown ones included, and raises)."""
    shape = synth.SHAPES[shape_name]
    kind = shape["type"]
    if kind == "structure" and isinstance(body, dict):
        if shape.get("union") and len(body) != 1:
            return True
        members = shape.get("members", {})
        return any(union_botocore_refuses(v, members[k]["shape"]) for k, v in body.items() if k in members)
    if kind == "list" and isinstance(body, list):
        return any(union_botocore_refuses(v, shape["member"]["shape"]) for v in body)
    if kind == "map" and isinstance(body, dict):
        return any(union_botocore_refuses(v, shape["value"]["shape"]) for v in body.values())
    return False


def assert_subset(back: Any, sent: Any, path: str = "") -> None:
    if isinstance(back, dict) and "SDK_UNKNOWN_MEMBER" in back and "SDK_UNKNOWN_MEMBER" not in sent:
        # botocore's stand-in for a union set to a member it does not know.
        assert back == {"SDK_UNKNOWN_MEMBER": {"name": next(iter(sent))}}, path
        return
    if isinstance(sent, dict) and isinstance(back, dict):
        assert set(back) <= set(sent), path
        for key in back:
            assert_subset(back[key], sent[key], f"{path}.{key}")
    elif isinstance(sent, list) and isinstance(back, list):
        assert len(back) == len(sent), path
        for index, (a, b) in enumerate(zip(back, sent, strict=True)):
            assert_subset(a, b, f"{path}[{index}]")
    else:
        assert back == sent, path
