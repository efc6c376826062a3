"""Every failure is a typed error: over-deep and hostile response bodies, and over-deep input.

* A response body nested more than ``MAX_BODY_DEPTH`` (64) lists and objects deep is refused before
  any recursive parser reads it: ``ResponseParseError`` for a 2xx answer; for an error answer the
  ``ServiceError`` class its x-amzn-ErrorType header or status gives, retried as botocore retries it.
* Whatever botocore's parser raises during an SDK call (``RuntimeError``, ``OverflowError``, ...)
  is typed the same way, and no error, nor anything chained to it, quotes the body.
* Everything the SDK accepts, up to the limit, survives ``to_boto()``, ``to_json()``, pickle,
  ``copy.deepcopy``, ``repr`` and ``==``.
* Over-deep or cyclic input is a ``ParamValidationError`` and sends nothing.

Most answers come from a ``before-send`` handler (tests/canned.py: the whole botocore stack runs,
retries included, and it counts the requests); a few go through a 127.0.0.1 server. conftest.py
zeroes botocore's backoff sleeps. Retry counts are botocore's ``standard`` mode: 3 attempts for
500/502/503/504 and for a 429 whose code is not modeled, 1 for other 4xx (see test_faults.py).
"""

from __future__ import annotations

import copy
import functools
import json
import pickle
import random
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any, cast

import botocore.session
import pytest
from botocore.exceptions import ClientError
from botocore.retries import quota

import customer_profiles_sdk._model as model_module
import customer_profiles_sdk._transport as transport
import customer_profiles_sdk.models as models
from customer_profiles_sdk import (
    BadRequestError,
    CustomerProfilesClient,
    CustomerProfilesError,
    InternalServerError,
    MissingMemberError,
    ParamValidationError,
    ResponseParseError,
    ServiceError,
    ThrottlingError,
    UnmodeledServiceError,
)
from customer_profiles_sdk._compat import shipped_service_model
from customer_profiles_sdk._model import Shape
from customer_profiles_sdk._transport import MAX_BODY_DEPTH, nesting_exceeds

from .canned import Canned, sdk_client
from .localserver import LocalServer, Reply
from .test_faults import STATUS_429_RETRIED

CANARY = "CANARY-77e1-jane.doe@example.com"
DIGITS = "7" * 400
#: Seconds any one piece of work may take before the test fails as a hang (never reached: the
#: slowest case here takes well under a second).
HANG_LIMIT = 60.0


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def finished(work: Callable[[], Any], limit: float = HANG_LIMIT) -> Any:
    """``work()``'s result (or exception, raised again), run in a thread that must end in ``limit`` s."""
    box: list[tuple[bool, Any]] = []

    def target() -> None:
        try:
            box.append((True, work()))
        except BaseException as exc:  # handed back to the test
            box.append((False, exc))

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(limit)
    assert not worker.is_alive(), f"no result after {limit} s"
    ok, value = box[0]
    if not ok:
        raise value
    return value


def chain(error: BaseException) -> Iterator[BaseException]:
    """The error and everything chained to it, through ``__cause__`` and ``__context__`` both."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [error]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo.extend((current.__cause__, current.__context__))


def assert_quotes_nothing(error: BaseException, *secrets: str, response: bool = True) -> None:
    """No error in the chain is a RecursionError, nor shows any of ``secrets`` (body text), nor
    (with ``response``) holds them in a ClientError's response dict."""
    for exc in chain(error):
        assert not isinstance(exc, RecursionError), "a RecursionError in the chain"
        texts = [str(exc), repr(exc), repr(exc.args)]
        if isinstance(exc, ClientError) and response:
            texts.append(repr(exc.response))
        for text in texts:
            for secret in (CANARY, DIGITS, *secrets):
                assert secret not in text, f"{type(exc).__name__} quotes the body: {text[:200]}"


def nest(levels: int, leaf: str = "1") -> str:
    """JSON nested ``levels`` deep, alternating lists and objects (``levels`` may be 0: the leaf)."""
    opening = "".join("[" if i % 2 == 0 else '{"a":' for i in range(levels))
    closing = "".join("]" if i % 2 == 0 else "}" for i in reversed(range(levels)))
    return opening + leaf + closing


def reference_depth(body: bytes) -> int:
    """How deep a JSON parser gets in ``body`` before it ends or meets an error it sees lexically:
    a plain character-by-character reading, the specification nesting_exceeds is checked against."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                if byte not in b'"\\/bfnrtu':
                    return deepest
                escaped = False
            elif byte == 0x5C:
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte == 0x5C:
            return deepest
        elif byte in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        elif byte in b"]}":
            depth -= 1
            if depth < 0:
                return deepest
    return deepest


def json_value(rng: random.Random, level: int) -> Any:
    """A random JSON value whose strings are full of brackets, quotes and escapes."""
    roll = rng.random()
    if level > 9 or roll < 0.3:
        return rng.choice(['a', '"[\\"]{"', "x\\\\", 1, None, "]]}", "\\", "[[[", "\n\t/\\u", "\u00e9]", 2.5])
    if roll < 0.65:
        return [json_value(rng, level + 1) for _ in range(rng.randint(0, 3))]
    keys = ["k", "[", "}\\", '"', '\\"[', "/"]
    return {rng.choice(keys): json_value(rng, level + 1) for _ in range(rng.randint(0, 3))}


def call_get_domain(client: CustomerProfilesClient) -> Any:
    return client.get_domain(domain_name="shop")


@pytest.fixture(scope="module")
def canned() -> Canned:
    return Canned()


@pytest.fixture(scope="module")
def fast(canned: Canned) -> CustomerProfilesClient:
    return sdk_client(canned)


@pytest.fixture(scope="module")
def slow(canned: Canned) -> CustomerProfilesClient:
    return sdk_client(canned, fast_parse=False)


def answer(canned: Canned, body: bytes | str, status: int = 200, headers: dict[str, str] | None = None) -> None:
    canned.set(body.encode() if isinstance(body, str) else body, status, headers)
    canned.requests = 0


# ---------------------------------------------------------------------------------------------
# The scan
# ---------------------------------------------------------------------------------------------


def test_the_scan_is_exact_on_valid_json() -> None:
    rng = random.Random(20240611)
    for _ in range(3000):
        doc = json.dumps(json_value(rng, 0), ensure_ascii=rng.random() < 0.5).encode()
        depth = reference_depth(doc)
        for limit in range(0, 12):
            assert nesting_exceeds(doc, limit) == (depth > limit), (doc, limit)


def test_the_scan_never_reads_less_depth_than_a_parser_reaches_in_broken_text() -> None:
    rng = random.Random(7)
    for _ in range(6000):
        text = bytes(rng.choice(b'[]{}"\\anu/ :,') for _ in range(rng.randint(0, 60)))
        depth = reference_depth(text)
        for limit in (0, 1, 2, 3, 5, 8):
            if depth > limit:
                assert nesting_exceeds(text, limit), (text, limit)


@pytest.mark.parametrize("body", [
    b'{"a": "' + b"[" * 200 + b'"}',  # brackets inside a string do not count
    b'{"a": "\\"' + b"[" * 200 + b'"}',  # nor after an escaped quote
    b'{"a": "\\\\\\"' + b"[" * 200 + b'"}',  # nor after an escaped backslash and an escaped quote
    b'{"a": "\\u005b\\n' + b"[" * 200 + b'"}',
], ids=["plain", "escaped-quote", "escaped-backslash", "other-escapes"])
def test_brackets_inside_strings_do_not_count(body: bytes) -> None:
    json.loads(body)
    assert not nesting_exceeds(body)


def test_a_string_that_ends_just_before_deep_brackets_does_not_hide_them() -> None:
    body = b'{"a": "\\\\", "b": ' + nest(80).encode() + b"}"  # the string ends after an escaped backslash
    assert nesting_exceeds(body)
    assert nesting_exceeds(b'["]]]]]]]", ' + nest(70).encode() + b"]")  # closers in a string hide nothing


@pytest.mark.parametrize("depth", [1, 2, 63, 64, 65, 66, 200])
def test_the_limit_counts_the_bodys_own_object_as_level_one(depth: int) -> None:
    body = ("{" + '"a":' + nest(depth - 1) + "}" if depth > 1 else "{}").encode()
    assert reference_depth(body) == depth
    assert nesting_exceeds(body) == (depth > MAX_BODY_DEPTH)


HOSTILE_TEXTS = {
    "1MB of [": b"[" * 1_000_000,
    "1MB of {a:": b'{"a":' * 200_000,
    "balanced 500k": b"[" * 500_000 + b"]" * 500_000,
    "sawtooth": b"[[]" * 300_000,
    "escaped quotes": b'"' + b'\\"' * 500_000,
    "unterminated string": b'["' + b"a" * 1_000_000,
    "strings of brackets": b'["[","]"]' * 100_000,
    "unbalanced closers": b"]" * 500_000 + b"[" * 500_000,
}


@pytest.mark.parametrize("name", list(HOSTILE_TEXTS))
def test_the_scan_is_linear_and_iterative_on_hostile_text(name: str) -> None:
    text = HOSTILE_TEXTS[name]
    result = finished(lambda: nesting_exceeds(text))
    if reference_depth(text) > MAX_BODY_DEPTH:
        assert result
    elif name in ("escaped quotes", "unterminated string", "strings of brackets"):
        assert not result  # brackets in strings; for broken text the scan may read more, never less


def test_the_limit_leaves_room_over_the_deepest_shape_of_the_model() -> None:
    """The service's deepest shape nests 10 levels; the typed validator lets unknown members add
    at most UNKNOWN_MEMBER_DEPTH, which must still fit under the limit (see _model)."""
    service = shipped_service_model()  # the model the SDK ships, whatever botocore is installed
    shapes = service._shape_resolver._shape_map

    def depth(name: str, seen: tuple[str, ...] = ()) -> int:
        assert name not in seen, f"recursive shape {name}: the bound below would not hold"
        shape = shapes[name]
        inner = {"structure": [m["shape"] for m in shape.get("members", {}).values()],
                 "list": [shape.get("member", {}).get("shape")], "map": [shape.get("value", {}).get("shape")]}
        children = [c for c in inner.get(shape["type"], []) if c]
        return 1 + max((depth(c, (*seen, name)) for c in children), default=0) if shape["type"] in inner else 0

    outputs = [service.operation_model(op).output_shape for op in service.operation_names]
    deepest = max(depth(shape.name) for shape in outputs if shape is not None)
    assert deepest == 10
    assert deepest + model_module.UNKNOWN_MEMBER_DEPTH < MAX_BODY_DEPTH
    assert not any(shape.get("document") for shape in shapes.values())  # no free-form members


def test_the_typed_validators_have_no_free_form_values() -> None:
    """Without an 'any' node, a document the typed validator accepts has every value in a typed
    place or in an unknown member (whose depth it checks): its depth is bounded without a scan."""
    for name in models.__all__:
        cls = getattr(models, name)
        if not (isinstance(cls, type) and issubclass(cls, Shape)) or not name.endswith("Response"):
            continue
        stack: list[Any] = [model_module.lenient_core_schema(cls, fallback=False)]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                assert node.get("type") not in ("any", "json"), name
                stack.extend(v for k, v in node.items() if k not in ("cls", "function", "metadata", "serialization"))


def test_the_unknown_member_check_is_iterative() -> None:
    value: list[Any] = []
    for _ in range(100_000):
        value = [value]
    with pytest.raises(Exception) as caught:
        model_module._shallow(value)
    assert not isinstance(caught.value, RecursionError)
    shallow = nest(model_module.UNKNOWN_MEMBER_DEPTH)
    assert model_module._shallow(json.loads(shallow)) == json.loads(shallow)


# ---------------------------------------------------------------------------------------------
# Everything accepted comes back out, at every depth up to the limit
# ---------------------------------------------------------------------------------------------


def body_at(position: str, depth: int) -> str | None:
    """A GetDomain body nesting ``depth`` levels deep, the deepest part at ``position``."""
    if position == "unknown member":
        return f'{{"DomainName": "shop", "X": {nest(depth - 1)}}}' if depth >= 2 else None
    if position == "known member, wrong type":
        return '{{"DomainName": {}}}'.format(nest(depth - 1, '"' + CANARY + '"')) if depth >= 2 else None
    if position == "unknown member of a nested structure":
        return f'{{"Matching": {{"Enabled": true, "X": {nest(depth - 2)}}}}}' if depth >= 3 else None
    if position == "map-of-string value":
        return f'{{"Tags": {{"k": {nest(depth - 2)}}}}}' if depth >= 3 else None
    raise AssertionError(position)


POSITIONS = ["unknown member", "known member, wrong type", "unknown member of a nested structure",
             "map-of-string value"]


def recurse_then(frames: int, work: Callable[[], Any]) -> Any:
    """``work()`` called ``frames`` Python frames below here: a caller already deep in its stack."""
    return work() if frames <= 0 else recurse_then(frames - 1, work)


def survives(result: Any) -> None:
    wire = result.to_boto()
    assert result.to_dict() == wire
    text = result.to_json()
    assert text == json.dumps(wire, default=lambda value: value.isoformat())
    again = pickle.loads(pickle.dumps(result))
    duplicate = copy.deepcopy(result)
    assert again.to_json() == text and duplicate.to_json() == text
    assert CANARY not in repr(result)
    if "NaN" not in text:  # NaN equals nothing, itself included
        assert again == result and duplicate == result and again.to_boto() == wire
        assert result == result and not (result != duplicate)


@pytest.mark.parametrize("fast_parse", [True, False], ids=["fast", "botocore"])
@pytest.mark.parametrize("position", POSITIONS)
def test_every_depth_up_to_the_limit_survives_every_use(
    position: str, fast_parse: bool, canned: Canned, fast: CustomerProfilesClient, slow: CustomerProfilesClient
) -> None:
    client = fast if fast_parse else slow
    # Leave the work only half of the recursion limit, as a caller deep in its own stack would.
    frames = sys.getrecursionlimit() // 2
    for depth in range(1, MAX_BODY_DEPTH + 1):
        body = body_at(position, depth)
        if body is None:
            continue
        assert reference_depth(body.encode()) == depth
        answer(canned, body)
        result = call_get_domain(client)
        recurse_then(frames, functools.partial(survives, result))
        if fast_parse or position in ("known member, wrong type", "map-of-string value"):
            # The deep value is kept (botocore's own parse drops unknown members).
            assert result.to_boto() == json.loads(body)
    body = body_at(position, MAX_BODY_DEPTH + 1)
    assert body is not None
    answer(canned, body)
    with pytest.raises(ResponseParseError) as caught:
        call_get_domain(client)
    assert caught.value.problems[0].rule == "parse" and "64" in caught.value.problems[0].message
    assert caught.value.__cause__ is None and caught.value.__context__ is None
    assert_quotes_nothing(caught.value)


def test_a_shallow_body_is_not_scanned_on_the_fast_path(
    canned: Canned, fast: CustomerProfilesClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The typed validator bounds the depth of what it accepts; the scan runs only when it refuses."""
    scans: list[int] = []
    real = transport.nesting_exceeds

    def counting(body: bytes | bytearray, limit: int = MAX_BODY_DEPTH) -> bool:
        scans.append(len(body))
        return real(body, limit)

    monkeypatch.setattr(transport, "nesting_exceeds", counting)
    # Complete (GetDomain's required members are all there): a reply lacking one takes the lenient path.
    deep_known = ('{"DomainName": "shop", "CreatedAt": 1, "LastUpdatedAt": 2, '
                  '"Matching": {"Enabled": true, "X": %s}, "Y": {"z": [1]}}')
    answer(canned, deep_known % nest(model_module.UNKNOWN_MEMBER_DEPTH))
    assert call_get_domain(fast).to_boto()["Y"] == {"z": [1]}
    assert scans == []
    answer(canned, deep_known % nest(model_module.UNKNOWN_MEMBER_DEPTH + 1))  # refused by the typed validator
    call_get_domain(fast)
    answer(canned, '{"DomainName": ["not", "a", "string"]}')  # a RawValue: the lenient validator runs
    assert call_get_domain(fast).to_boto()["DomainName"] == ["not", "a", "string"]
    assert len(scans) == 2
    answer(canned, '{"DomainName": "shop"}')  # lacks required members: the lenient validator runs
    assert call_get_domain(fast).domain_name == "shop"
    assert len(scans) == 3


# ---------------------------------------------------------------------------------------------
# Hostile bodies, both parse settings, 2xx and error answers
# ---------------------------------------------------------------------------------------------

NUMBERS = {
    "1e20": "1e20", "-1e20": "-1e20", "1e400": "1e400", "-1e400": "-1e400", "Infinity": "Infinity",
    "-Infinity": "-Infinity", "NaN": "NaN", "400 digits": DIGITS, "10**30": str(10**30),
    "huge exponent": "1e999999999", "string Infinity": '"Infinity"', "string 400 digits": f'"{DIGITS}"',
    "string 1e400": '"1e400"',
}
DEEP = {
    "[ x1000": "[" * 1000 + "]" * 1000,
    "[ x100000": "[" * 100_000 + "]" * 100_000,
    '{"a": x1000': '{"a":' * 1000 + "1" + "}" * 1000,
    '{"a": x100000': '{"a":' * 100_000 + "1" + "}" * 100_000,
    "unbalanced [ x100000": "[" * 100_000,
    'unbalanced {"a": x100000': '{"a":' * 100_000,
    "1MB of [": "[" * 1_000_000,
}


def hostile_bodies() -> dict[str, str]:
    """Bodies by name. Each holds the canary outside any member botocore reads into an error."""
    bodies = {f"CreatedAt {name}": f'{{"DomainName": "shop", "Note": "{CANARY}", "CreatedAt": {value}}}'
              for name, value in NUMBERS.items()}
    bodies.update({f"DefaultExpirationDays {name}": f'{{"Note": "{CANARY}", "DefaultExpirationDays": {value}}}'
                   for name, value in NUMBERS.items() if not value.startswith('"')})
    bodies.update({f"member {name}": f'{{"Note": "{CANARY}", "X": {value}}}' for name, value in DEEP.items()})
    bodies.update({f"body {name}": value for name, value in DEEP.items()})
    bodies["error code a list"] = f'{{"__type": ["{CANARY}"], "Message": "m"}}'
    bodies["error code a number"] = f'{{"__type": 5, "Note": "{CANARY}"}}'
    bodies["error code an object"] = f'{{"code": {{"{CANARY}": 1}}}}'
    return bodies


HOSTILE = hostile_bodies()
#: 2xx bodies both paths keep (values of the wrong type are kept as they came; with fast_parse=False
#: botocore's handlers no longer fail on them, see _transport._LenientJSONHandlers).
KEPT = {name for name in HOSTILE if name.startswith(("CreatedAt", "DefaultExpirationDays", "error code"))}


@pytest.mark.parametrize("fast_parse", [True, False], ids=["fast", "botocore"])
@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_2xx_body_is_kept_or_a_typed_error_without_its_text(
    name: str, fast_parse: bool, canned: Canned, fast: CustomerProfilesClient, slow: CustomerProfilesClient
) -> None:
    answer(canned, HOSTILE[name])
    try:
        result = finished(lambda: call_get_domain(fast if fast_parse else slow))
    except CustomerProfilesError as exc:
        assert isinstance(exc, ResponseParseError), type(exc).__name__
        assert name not in KEPT, f"refused: {exc}"
        assert [p.rule for p in exc.problems] == ["parse"]
        assert exc.__cause__ is None and exc.__context__ is None
        assert_quotes_nothing(exc)
    else:
        assert name in KEPT, "accepted"
        survives(result)
    assert canned.requests == 1  # a 2xx answer is never retried
    if not fast_parse and name in KEPT:
        # The same known members, of the same types, as the fast path keeps (repr: NaN, 1 vs 1.0).
        known = type(result).__cp__.by_wire
        kept = {key: value for key, value in call_get_domain(fast).to_boto().items() if key in known}
        assert repr(result.to_boto()) == repr(kept)


#: Whether botocore's standard mode retries a 429 that carries no code (newer botocore only; see
#: test_faults.STATUS_429_RETRIED).
ATTEMPTS_429 = 3 if STATUS_429_RETRIED else 1

#: status -> (x-amzn-ErrorType code or None, SDK class, attempts in standard mode)
ERROR_ANSWERS: dict[str, tuple[int, str | None, type[ServiceError], int]] = {
    "300": (300, None, UnmodeledServiceError, 1),
    "400": (400, None, UnmodeledServiceError, 1),
    "400 BadRequestException": (400, "BadRequestException", BadRequestError, 1),
    "429": (429, None, UnmodeledServiceError, ATTEMPTS_429),
    "429 ThrottlingException": (429, "ThrottlingException", ThrottlingError, 3),
    "500": (500, None, UnmodeledServiceError, 3),
    "500 InternalServerException": (500, "InternalServerException", InternalServerError, 3),
    "503": (503, None, UnmodeledServiceError, 3),
}


@pytest.mark.parametrize("fast_parse", [True, False], ids=["fast", "botocore"])
@pytest.mark.parametrize("status_name", list(ERROR_ANSWERS))
def test_a_hostile_error_body_keeps_the_class_and_the_retries_of_its_code_and_status(
    status_name: str, fast_parse: bool, canned: Canned, fast: CustomerProfilesClient, slow: CustomerProfilesClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A 300 is parsed by botocore as a success would be (its members are in ``error.response``,
    as botocore puts them there), then raised; 301 and above are error answers."""
    # The clients serve many answers here: standard mode's retry quota (500 units, 14 a retry)
    # would run out and stop the retries this test counts. test_faults.py tests the quota.
    monkeypatch.setattr(quota.RetryQuota, "acquire", lambda self, capacity_amount: True)
    status, code, cls, attempts = ERROR_ANSWERS[status_name]
    headers = {"x-amzn-ErrorType": f"{code}:http://internal/"} if code else {}
    for name, body in HOSTILE.items():
        answer(canned, body, status, headers)
        with pytest.raises(ServiceError) as caught:
            finished(lambda: call_get_domain(fast if fast_parse else slow))
        error = caught.value
        assert type(error).__name__ == cls.__name__ and isinstance(error, cls), (name, type(error))
        assert error.code == (code or str(status) if status >= 301 else ""), name
        assert error.http_status == status and canned.requests == attempts, name
        assert error.retry_attempts == attempts - 1, name
        assert_quotes_nothing(error, response=status >= 301)


@pytest.fixture(scope="module")
def http_clients(server: LocalServer) -> dict[bool, CustomerProfilesClient]:
    """An SDK client per fast_parse setting, aimed at the module's 127.0.0.1 server."""
    return {fast_parse: server.client(fast_parse=fast_parse) for fast_parse in (True, False)}


@pytest.mark.parametrize("fast_parse", [True, False], ids=["fast", "botocore"])
@pytest.mark.parametrize(("status", "attempts"), [(200, 1), (400, 1), (429, ATTEMPTS_429), (500, 3), (503, 3)])
def test_deep_bodies_over_http_are_typed_and_retried_as_botocore_retries_their_status(
    status: int, attempts: int, fast_parse: bool, fresh_server: LocalServer,
    http_clients: dict[bool, CustomerProfilesClient], monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(quota.RetryQuota, "acquire", lambda self, capacity_amount: True)  # see above
    client = http_clients[fast_parse]
    for body in (nest(1000), f'{{"Message": "{CANARY}", "X": {nest(100_000)}}}'):
        fresh_server.reset()
        fresh_server.respond = functools.partial(lambda body, request: Reply(status, body), body)
        with pytest.raises(CustomerProfilesError) as caught:
            finished(lambda: call_get_domain(client))
        error = caught.value
        if status < 300:
            assert isinstance(error, ResponseParseError)
        else:
            assert isinstance(error, UnmodeledServiceError) and error.code == str(status)
            assert error.retry_attempts == attempts - 1
        assert len(fresh_server.requests) == attempts
        assert_quotes_nothing(error)


def test_calls_made_directly_on_the_boto3_client_meet_botocores_own_parser(
    canned: Canned, slow: CustomerProfilesClient
) -> None:
    """The guard acts only inside the SDK's call: a direct boto3 call fails as botocore fails."""
    answer(canned, '{"DomainName": "shop", "CreatedAt": 1e400}')
    response = call_get_domain(slow)
    assert response.to_boto()["CreatedAt"] == float("inf")  # kept, as on the fast path
    with pytest.raises(MissingMemberError):  # CreatedAt is required and not a datetime
        response.created_at  # noqa: B018
    with pytest.raises(RuntimeError):  # botocore's own error, untouched
        slow.boto3_client.get_domain(DomainName="shop")  # type: ignore[attr-defined]


@pytest.mark.parametrize("error", [RuntimeError, OverflowError, ValueError, KeyError, RecursionError, MemoryError,
                                   ZeroDivisionError, LookupError])
@pytest.mark.parametrize("status", [200, 400, 500])
def test_any_exception_of_botocores_parser_is_typed(
    error: type[Exception], status: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever the parser raises (here: on any body but "{}"), never what botocore's message said."""
    from botocore.parsers import RestJSONParser

    def broken(original: Callable[..., Any]) -> Callable[..., Any]:
        def parse(self: Any, response: Any, shape: Any) -> Any:
            if response["body"] != b"{}":
                raise error(f"quoting the body: {CANARY}")
            return original(self, response, shape)
        return parse

    canned = Canned()
    client = sdk_client(canned, fast_parse=False)
    answer(canned, f'{{"DomainName": "shop", "Note": "{CANARY}"}}', status)
    parser: Any = RestJSONParser
    monkeypatch.setattr(parser, "_do_parse", broken(parser._do_parse))
    monkeypatch.setattr(parser, "_do_error_parse", broken(parser._do_error_parse))
    with pytest.raises(CustomerProfilesError) as caught:
        call_get_domain(client)
    if status < 300:
        assert isinstance(caught.value, ResponseParseError) and canned.requests == 1
        assert f"({error.__name__})" in str(caught.value)
        assert caught.value.__cause__ is None and caught.value.__context__ is None
    else:
        assert isinstance(caught.value, UnmodeledServiceError) and caught.value.code == str(status)
        assert canned.requests == (3 if status >= 500 else 1)
    assert_quotes_nothing(caught.value)


def test_an_error_answer_botocore_cannot_parse_even_empty_is_still_typed(monkeypatch: pytest.MonkeyPatch) -> None:
    from botocore.parsers import RestJSONParser

    def broken(self: Any, response: Any, shape: Any) -> Any:
        raise OverflowError(CANARY)

    canned = Canned()
    client = sdk_client(canned)
    answer(canned, "{}", 503)
    monkeypatch.setattr(RestJSONParser, "_do_error_parse", broken)
    with pytest.raises(ResponseParseError) as caught:
        call_get_domain(client)
    assert caught.value.__cause__ is None and caught.value.__context__ is None
    assert_quotes_nothing(caught.value)


def test_without_the_guard_the_client_still_types_what_the_parser_raises(canned: Canned) -> None:
    """A boto3 client whose endpoint the SDK could not wrap: the client's own fallback types it."""
    client = sdk_client(canned, fast_parse=False)
    endpoint = client.boto3_client._endpoint  # type: ignore[attr-defined]
    factory = endpoint._response_parser_factory
    if transport._BEFORE_PARSE:
        endpoint._response_parser_factory = factory._factory
    else:  # keep the before-parse fallback, drop the guard behind it
        endpoint._response_parser_factory = transport._ParserFactory(factory._factory._factory)
    for value in ("1e20", "1e400", DIGITS):
        answer(canned, f'{{"DomainName": "shop", "CreatedAt": {value}}}')
        with pytest.raises(ResponseParseError) as caught:
            call_get_domain(client)
        assert caught.value.__cause__ is None and caught.value.__context__ is None
        assert_quotes_nothing(caught.value)


def test_the_sdk_wraps_each_clients_parser_factory_once_and_never_the_sessions() -> None:
    canned = Canned()
    first = sdk_client(canned)
    endpoint = first.boto3_client._endpoint  # type: ignore[attr-defined]
    wrapped = endpoint._response_parser_factory
    # botocore without the before-parse event puts the hook in front of the guarded factory.
    guarded = wrapped if transport._BEFORE_PARSE else wrapped._factory
    assert isinstance(guarded, transport._GuardedParserFactory)
    CustomerProfilesClient(client=first.boto3_client)  # installing again changes nothing
    assert endpoint._response_parser_factory is wrapped
    session_factory = botocore.session.get_session().get_component("response_parser_factory")
    assert not isinstance(session_factory, transport._GuardedParserFactory)


# ---------------------------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------------------------


def deep_list(levels: int) -> Any:
    value: Any = "x"
    for _ in range(levels):
        value = [value]
    return value


def deep_dict(levels: int) -> Any:
    value: Any = "x"
    for _ in range(levels):
        value = {"a": value}
    return value


def cyclic_list() -> Any:
    value: list[Any] = []
    value.append(value)
    return value


def cyclic_dict() -> Any:
    value: dict[str, Any] = {}
    value["a"] = value
    return value


INPUTS: dict[str, Callable[[CustomerProfilesClient, Any], Any]] = {
    "unknown member": lambda c, v: c.send(models.GetDomainRequest.model_validate({"DomainName": "d", "X": v})),
    "string member": lambda c, v: c.get_domain(domain_name=v),
    "map-of-string value": lambda c, v: c.create_profile(domain_name="d", attributes={"k": v}),
    "map-of-string member": lambda c, v: c.create_profile(domain_name="d", attributes=v),
    "list member": lambda c, v: c.search_profiles(domain_name="d", key_name="k", values=v),
    "structure member": lambda c, v: c.create_profile(domain_name="d", address=v),
    "structures in lists": lambda c, v: c.create_segment_definition(
        domain_name="d", segment_definition_name="s", display_name="x",
        segment_groups=cast(Any, {"Groups": [v]})),
    "constructor": lambda c, v: models.CreateProfileRequest(domain_name="d", attributes={"k": v}),
    "assignment": lambda c, v: setattr(models.CreateProfileRequest(domain_name="d"), "attributes", {"k": v}),
}
VALUES: dict[str, Callable[[], Any]] = {
    "list x1000": lambda: deep_list(1000), "list x100000": functools.cache(lambda: deep_list(100_000)),
    "dict x1000": lambda: deep_dict(1000), "dict x100000": functools.cache(lambda: deep_dict(100_000)),
    "cyclic list": cyclic_list, "cyclic dict": cyclic_dict,
}


@pytest.mark.parametrize("where", list(INPUTS))
def test_deep_or_cyclic_input_is_a_param_validation_error_and_sends_nothing(where: str) -> None:
    canned = Canned()
    client = sdk_client(canned)
    for name, make in VALUES.items():
        value = make()
        with pytest.raises(ParamValidationError) as caught:
            finished(functools.partial(INPUTS[where], client, value))
        assert_quotes_nothing(caught.value)
        assert canned.requests == 0, name
