"""Fault injection against a 127.0.0.1 server: retries per retry mode, unusable answers, partial failures.

The expected retry behaviour is read off botocore 1.44.5's source, not observed:

* ``standard`` (botocore/retries/standard.py): at most ``DEFAULT_MAX_ATTEMPTS`` = 3 attempts. Retried:
  status 500/502/503/504 and the codes ``RequestTimeout``, ``RequestTimeoutException`` and
  ``PriorRequestNotComplete`` (TransientRetryableChecker); throttling codes such as ``ThrottlingException``
  or ``TooManyRequestsException`` at any status (ThrottledRetryableChecker); a 429 whose code is not one
  of the operation's modeled errors (ThrottlingStatusCodeChecker: a *modeled* code decides for itself,
  so a 429 carrying ``BadRequestException`` is not retried); connection errors and timeouts. Each retry
  also draws on a per-client retry quota (500 units; 5 per throttling retry, 14 per other retry).
  Older botocore (1.34, before ThrottlingStatusCodeChecker) does not retry a 429 without a code, and
  charges 5 units per retry (10 after a timeout): :data:`STATUS_429_RETRIED` and :data:`RETRY_COST`
  follow the installed botocore.
* ``adaptive`` (botocore/retries/adaptive.py): exactly standard's retries, plus a client-side token
  bucket that every attempt after the first throttling answer must pass.
* ``legacy`` (botocore/retryhandler.py, botocore/data/_retry.json ``__default__``): at most 5 attempts.
  Retried by status alone: 429, 500, 502, 503, 504, 509; by status *and* code: 400 with ``Throttling``,
  ``ThrottlingException``, ``ThrottledException``, ``RequestThrottledException`` or
  ``ProvisionedThroughputExceededException``; connection errors and read timeouts. No quota.
* ``max_attempts`` counts retries (N -> N + 1 attempts), ``total_max_attempts`` counts attempts, and
  wins when both are given (botocore/args.py, botocore/client.py).

conftest.py zeroes the exponential backoff sleeps; :func:`_no_token_bucket_wait` does the same for the
adaptive mode's token bucket. Counts are unchanged by either. Every call runs in a worker thread that
must finish within :data:`CALL_LIMIT` seconds (short read and connect timeouts), so a hang fails.
"""

from __future__ import annotations

import functools
import http.client
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast

import botocore
import botocore.loaders
import pytest
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    IncompleteReadError,
    ReadTimeoutError,
)
from botocore.retries import bucket, quota, standard

from customer_profiles_sdk import (
    AccessDeniedError,
    BadRequestError,
    CustomerProfilesClient,
    CustomerProfilesError,
    InternalServerError,
    PartialFailureError,
    ResourceNotFoundError,
    ResponseParseError,
    ServiceError,
    ThrottlingError,
    TransportError,
    UnmodeledServiceError,
)
from customer_profiles_sdk._compat import parse_version
from customer_profiles_sdk.models import BatchPutProfileObjectRequestItem

from .localserver import LocalServer, Received, Reply, dummy_session, error_reply

READ_TIMEOUT = 1.0
#: The read timeout of the read-timeout faults, whose answers come after TIMEOUT_DELAY seconds.
SHORT_READ_TIMEOUT = 0.2
TIMEOUT_DELAY = 0.6
CONNECT_TIMEOUT = 1.0
#: Seconds any one call (with all its retries) may take before the test fails as a hang.
CALL_LIMIT = 6.0
CANARY = "CANARY-4d1f-jane.doe@example.com"

MODES = ["standard", "adaptive", "legacy"]
#: Attempts per call when only the mode is chosen (see the module docstring).
DEFAULT_ATTEMPTS = {"standard": 3, "adaptive": 3, "legacy": 5}


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def session() -> Any:
    """One boto3 session for the module (clients are still created per test: each has its own
    retry quota and token bucket). Sessions are not thread-safe, but clients are only created here,
    in the test's own thread."""
    return dummy_session()


@pytest.fixture(autouse=True)
def bucket_acquisitions(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The adaptive mode's token bucket never waits (like conftest's zero backoff); each acquisition
    is recorded, with its time."""
    acquired: list[float] = []
    original = bucket.TokenBucket.acquire

    def acquire(self: bucket.TokenBucket, amount: int = 1, block: bool = True) -> bool:
        acquired.append(time.monotonic())
        return original(self, amount, block)

    monkeypatch.setattr(bucket.TokenBucket, "_sleep_amount", lambda self, amount: 0.0)
    monkeypatch.setattr(bucket.TokenBucket, "acquire", acquire)
    return acquired


def make_client(
    server: LocalServer,
    session: Any,
    retries: dict[str, Any] | None = None,
    *,
    fast_parse: bool = True,
    read_timeout: float = READ_TIMEOUT,
) -> CustomerProfilesClient:
    config = Config(
        retries=cast(Any, retries), read_timeout=read_timeout, connect_timeout=CONNECT_TIMEOUT
    )
    return CustomerProfilesClient(session=session, endpoint_url=server.url, config=config, fast_parse=fast_parse)


@dataclass
class Outcome:
    error: BaseException | None
    value: object
    seconds: float


def run(call: Callable[[], object], limit: float = CALL_LIMIT) -> Outcome:
    """Run ``call`` in a worker thread; fail if it has not finished after ``limit`` seconds."""
    box: list[Outcome] = []

    def target() -> None:
        start = time.perf_counter()
        try:
            value = call()
        except BaseException as exc:  # handed to the test, whatever it is
            box.append(Outcome(exc, None, time.perf_counter() - start))
        else:
            box.append(Outcome(None, value, time.perf_counter() - start))

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(limit)
    assert not worker.is_alive(), f"the call hung: no result after {limit} s"
    return box[0]


def raised(call: Callable[[], object], limit: float = CALL_LIMIT) -> CustomerProfilesError:
    """The SDK error ``call`` raises; fails on a result, a hang, or any exception not the SDK's."""
    outcome = run(call, limit)
    assert outcome.error is not None, f"expected an error, got {outcome.value!r}"
    assert isinstance(outcome.error, CustomerProfilesError), (
        f"not an SDK error: {type(outcome.error).__module__}.{type(outcome.error).__qualname__}"
    )
    return outcome.error


def chain(error: BaseException) -> Iterator[BaseException]:
    """The error and everything in its ``__cause__`` / ``__context__`` chain."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def assert_no_canary(error: BaseException) -> None:
    for exc in chain(error):
        texts = [str(exc), repr(exc), repr(exc.args)]
        if isinstance(exc, ClientError):
            texts.append(repr(exc.response))
        for text in texts:
            assert CANARY not in text, f"{type(exc).__name__} quotes the response body: {text[:300]}"


def metadata(error: ServiceError) -> dict[str, Any]:
    return cast("dict[str, Any]", error.response.get("ResponseMetadata", {}))


def get_domain(client: CustomerProfilesClient) -> object:
    return client.get_domain(domain_name="shop")


# ---------------------------------------------------------------------------------------------
# Retries per mode
# ---------------------------------------------------------------------------------------------


def test_the_budgets_are_botocores_documented_ones() -> None:
    """The counts below rest on these botocore values (and on no service-specific override)."""
    assert standard.DEFAULT_MAX_ATTEMPTS == DEFAULT_ATTEMPTS["standard"] == DEFAULT_ATTEMPTS["adaptive"]
    # Service-specific overrides arrived after botocore 1.34 (no table there: no override).
    assert "customer-profiles" not in getattr(standard, "_SERVICE_MAX_ATTEMPTS", {})
    retry = botocore.loaders.Loader().load_data("_retry")["retry"]
    assert retry["__default__"]["max_attempts"] == DEFAULT_ATTEMPTS["legacy"]
    assert "profile" not in retry and "customer-profiles" not in retry  # the endpoint prefix is "profile"
    assert quota.RetryQuota.INITIAL_CAPACITY == 500
    checker = cast(Any, standard.RetryQuotaChecker)
    if STATUS_429_RETRIED:
        assert (checker._RETRY_COST, checker._THROTTLING_RETRY_COST) == (14, 5) == (RETRY_COST, THROTTLING_COST)
    else:
        assert checker._RETRY_COST == 5 == RETRY_COST == THROTTLING_COST


#: botocore's standard mode retries a 429 without a modeled code (newer botocore only).
STATUS_429_RETRIED = hasattr(standard, "ThrottlingStatusCodeChecker")
#: Observed with botocore 1.34.0 (and the urllib3 2.0 it allows): a body shorter than its
#: Content-Length fails while botocore reads it, as a ConnectionClosedError, retried like a reset.
SHORT_BODY_IS_CLOSED_CONNECTION = parse_version(botocore.__version__) < (1, 35, 0)
#: Quota units per retry (other, throttling) in the installed botocore.
RETRY_COST, THROTTLING_COST = (14, 5) if STATUS_429_RETRIED else (5, 5)


@dataclass(frozen=True)
class Answer:
    """An error answer and what each mode makes of it (see the module docstring)."""

    status: int
    #: Sent as x-amzn-ErrorType; None sends an empty body and no code (botocore then uses the status).
    code: str | None
    standard: bool  # retried in standard (and adaptive) mode
    legacy: bool  # retried in legacy mode
    throttling: bool  # a throttling answer to adaptive's rate limiter
    cls: type[ServiceError]

    @property
    def id(self) -> str:
        return f"{self.status}-{self.code or 'nocode'}"

    def reply(self) -> Reply:
        return error_reply(self.code, self.status, "service says no") if self.code else Reply(self.status, b"")

    def expected_code(self) -> str:
        return self.code or str(self.status)


ANSWERS = [
    # standard: the code is a throttling code; legacy: status 429 ("too_many_requests").
    Answer(429, "ThrottlingException", True, True, True, ThrottlingError),
    # standard: a 429 with no modeled code (ThrottlingStatusCodeChecker); legacy: status 429.
    Answer(429, None, STATUS_429_RETRIED, True, STATUS_429_RETRIED, UnmodeledServiceError),
    # standard: a modeled, non-retryable code decides, whatever the status; legacy: status 429.
    Answer(429, "BadRequestException", False, True, False, BadRequestError),
    # standard: an unmodeled throttling code; legacy: status 429.
    Answer(429, "TooManyRequestsException", True, True, True, UnmodeledServiceError),
    # standard: transient status; legacy: "general_server_error".
    Answer(500, "InternalServerException", True, True, False, InternalServerError),
    Answer(500, None, True, True, False, UnmodeledServiceError),
    Answer(502, None, True, True, False, UnmodeledServiceError),
    # standard: transient status; legacy: "service_unavailable".
    Answer(503, None, True, True, False, UnmodeledServiceError),
    Answer(504, None, True, True, False, UnmodeledServiceError),
    # legacy only: "limit_exceeded" is status 509.
    Answer(509, None, False, True, False, UnmodeledServiceError),
    # neither: 501 is in no list.
    Answer(501, None, False, False, False, UnmodeledServiceError),
    # standard: a throttling code at any status; legacy: "throttling_exception" is 400 + this code.
    Answer(400, "ThrottlingException", True, True, True, ThrottlingError),
    # standard only: legacy knows this code at no status.
    Answer(400, "TooManyRequestsException", True, False, True, UnmodeledServiceError),
    # standard only: a transient code.
    Answer(400, "RequestTimeout", True, False, False, UnmodeledServiceError),
    # The service's client errors: never retried.
    Answer(400, "BadRequestException", False, False, False, BadRequestError),
    Answer(403, "AccessDeniedException", False, False, False, AccessDeniedError),
    Answer(404, "ResourceNotFoundException", False, False, False, ResourceNotFoundError),
    Answer(400, None, False, False, False, UnmodeledServiceError),
    Answer(404, None, False, False, False, UnmodeledServiceError),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("answer", ANSWERS, ids=[a.id for a in ANSWERS])
def test_each_mode_retries_exactly_what_it_documents(
    answer: Answer, mode: str, fresh_server: LocalServer, session: Any, bucket_acquisitions: list[float]
) -> None:
    fresh_server.respond = lambda request: answer.reply()
    client = make_client(fresh_server, session, {"mode": mode})
    error = raised(lambda: get_domain(client))
    retried = answer.legacy if mode == "legacy" else answer.standard
    attempts = DEFAULT_ATTEMPTS[mode] if retried else 1
    assert len(fresh_server.requests) == attempts
    assert isinstance(error, answer.cls) and isinstance(error, ServiceError)
    assert error.retry_attempts == attempts - 1
    assert error.http_status == answer.status
    assert error.code == answer.expected_code()
    assert error.request_id == f"req-{attempts}"  # the last attempt's
    assert metadata(error).get("MaxAttemptsReached", False) is retried
    # adaptive's token bucket is used for every attempt after the first throttling answer.
    rate_limited = mode == "adaptive" and answer.throttling
    assert len(bucket_acquisitions) == (attempts - 1 if rate_limited else 0)


RETRYABLE = [a for a in ANSWERS if a.standard and a.legacy and a.status in (429, 500, 503)]
BUDGETS = [
    ({"total_max_attempts": 1}, 1),
    ({"total_max_attempts": 2}, 2),
    ({"total_max_attempts": 7}, 7),
    ({"max_attempts": 0}, 1),
    ({"max_attempts": 1}, 2),
    ({"max_attempts": 6}, 7),
    ({"max_attempts": 1, "total_max_attempts": 4}, 4),  # total_max_attempts wins
]


def budget_cases() -> list[Any]:
    """Every retryable answer, budget and mode; the quick set keeps one mode per (answer, budget),
    in turn, and .ci/run runs them all."""
    modes = [*MODES, None]
    cases = []
    for index, (answer, (setting, attempts)) in enumerate((a, b) for a in RETRYABLE for b in BUDGETS):
        for mode in modes:
            marks = () if mode == modes[index % len(modes)] else (pytest.mark.slow,)
            name = f"{answer.id}-{setting}-{mode or 'sdk-default'}"
            cases.append(pytest.param(answer, setting, attempts, mode, id=name, marks=marks))
    return cases


@pytest.mark.parametrize(("answer", "setting", "attempts", "mode"), budget_cases())
def test_explicit_attempt_settings_are_obeyed_in_every_mode(
    answer: Answer, setting: dict[str, int], attempts: int, mode: str | None, fresh_server: LocalServer,
    session: Any,
) -> None:
    """``None``: no mode given, so the SDK adds its default (standard) and must keep the setting."""
    fresh_server.respond = lambda request: answer.reply()
    client = make_client(fresh_server, session, {**({"mode": mode} if mode else {}), **setting})
    config: Any = client.boto3_client.meta.config
    assert config.retries["mode"] == (mode or "standard")
    error = raised(lambda: get_domain(client))
    assert isinstance(error, answer.cls)
    assert len(fresh_server.requests) == attempts
    assert error.retry_attempts == attempts - 1


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("answer", [a for a in ANSWERS if a.status in (400, 403, 404) and not a.standard],
                         ids=lambda a: a.id)
def test_client_errors_are_not_retried_even_with_a_large_budget(
    answer: Answer, mode: str, fresh_server: LocalServer, session: Any
) -> None:
    fresh_server.respond = lambda request: answer.reply()
    client = make_client(fresh_server, session, {"mode": mode, "total_max_attempts": 10})
    error = raised(lambda: get_domain(client))
    assert isinstance(error, answer.cls)
    assert len(fresh_server.requests) == 1 and error.retry_attempts == 0


FAILURES = [error_reply("ThrottlingException", 429), error_reply("InternalServerException", 500), Reply(503, b"")]
DOMAIN = {"DomainName": "shop", "DefaultExpirationDays": 30, "CreatedAt": 1, "LastUpdatedAt": 2}


def scripted(failures: int) -> Callable[[Received], Reply]:
    """``failures`` retryable errors (throttling, 500, 503, in turn), then the domain."""
    lock = threading.Lock()
    count = [0]

    def respond(request: Received) -> Reply:
        with lock:
            count[0] += 1
            number = count[0]
        return FAILURES[(number - 1) % len(FAILURES)] if number <= failures else Reply(200, DOMAIN)

    return respond


def budgets() -> list[tuple[str, dict[str, Any], int]]:
    cases: list[tuple[str, dict[str, Any], int]] = [(mode, {"mode": mode}, DEFAULT_ATTEMPTS[mode]) for mode in MODES]
    cases += [(mode, {"mode": mode, "total_max_attempts": 6}, 6) for mode in MODES]
    return cases


@pytest.mark.parametrize("fast_parse", [True, False], ids=["fast", "botocore"])
@pytest.mark.parametrize(("mode", "retries", "budget"), budgets(), ids=[f"{m}-{b}" for m, _, b in budgets()])
def test_success_after_failures_within_the_budget(
    mode: str, retries: dict[str, Any], budget: int, fast_parse: bool, fresh_server: LocalServer, session: Any
) -> None:
    for failures in sorted({0, 1, budget - 1}):
        fresh_server.reset()
        fresh_server.respond = scripted(failures)
        client = make_client(fresh_server, session, retries, fast_parse=fast_parse)
        outcome = run(functools.partial(get_domain, client))
        assert outcome.error is None, f"{failures} failures: {outcome.error!r}"
        response = cast(Any, outcome.value)
        assert response.domain_name == "shop" and response.default_expiration_days == 30
        assert len(fresh_server.requests) == failures + 1
        assert response.response_metadata.retry_attempts == failures
        assert response.response_metadata.http_status == 200
        assert response.response_metadata.request_id == f"req-{failures + 1}"
    # One failure more than the budget allows: the answer that would have succeeded is never asked for.
    fresh_server.reset()
    fresh_server.respond = scripted(budget)
    client = make_client(fresh_server, session, retries, fast_parse=fast_parse)
    error = raised(lambda: get_domain(client))
    assert isinstance(error, ServiceError) and error.retry_attempts == budget - 1
    assert len(fresh_server.requests) == budget


def quota_plan(calls: int, cost: int, retries_per_call: int, capacity: int = 500) -> list[int]:
    """Retries each failing call gets from standard mode's retry quota (botocore/retries/standard.py:
    the attempt limit is checked first, then the retry's cost is taken, if available; failures give
    nothing back)."""
    plan = []
    for _ in range(calls):
        granted = 0
        while granted < retries_per_call and capacity >= cost:
            capacity -= cost
            granted += 1
        plan.append(granted)
    return plan


@pytest.mark.parametrize("mode", ["standard", "adaptive"])
@pytest.mark.parametrize(("reply", "cost", "calls"), [
    (error_reply("InternalServerException", 500), RETRY_COST, 20 if RETRY_COST == 14 else 52),
    (error_reply("ThrottlingException", 429), THROTTLING_COST, 52),
], ids=["500", "429"])
def test_standard_retry_quota_runs_out_as_documented(
    reply: Reply, cost: int, calls: int, mode: str, fresh_server: LocalServer, session: Any
) -> None:
    fresh_server.respond = lambda request: reply
    client = make_client(fresh_server, session, {"mode": mode})
    plan = quota_plan(calls, cost, retries_per_call=2)
    assert plan[-1] == 0 and 0 < plan.count(2) < calls  # the quota runs out within these calls
    got = []
    for _ in range(calls):
        error = raised(lambda: get_domain(client))
        assert isinstance(error, ServiceError)
        got.append(error.retry_attempts)
        # Cut short by the quota, not by the attempt limit: botocore says which.
        assert metadata(error).get("RetryQuotaReached", False) is (error.retry_attempts < 2)
    assert got == plan
    assert len(fresh_server.requests) == calls + sum(plan)


def test_legacy_mode_has_no_retry_quota(fresh_server: LocalServer, session: Any) -> None:
    fresh_server.respond = lambda request: error_reply("InternalServerException", 500)
    client = make_client(fresh_server, session, {"mode": "legacy"})
    for _ in range(10):  # 40 retries: more than standard's quota allows (35 at 14 each)
        error = raised(lambda: get_domain(client))
        assert isinstance(error, InternalServerError) and error.retry_attempts == 4
    assert len(fresh_server.requests) == 50


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fault", ["reset", "timeout"])
def test_connection_faults_are_retried_per_mode(mode: str, fault: str, fresh_server: LocalServer, session: Any) -> None:
    reply = Reply(drop=True) if fault == "reset" else Reply(200, DOMAIN, delay=TIMEOUT_DELAY)
    fresh_server.respond = lambda request: reply
    client = make_client(fresh_server, session, {"mode": mode}, read_timeout=SHORT_READ_TIMEOUT)
    error = raised(lambda: get_domain(client))
    assert isinstance(error, TransportError)
    assert isinstance(error, ConnectionClosedError if fault == "reset" else ReadTimeoutError)
    assert len(fresh_server.requests) == DEFAULT_ATTEMPTS[mode]


# ---------------------------------------------------------------------------------------------
# Unusable answers
# ---------------------------------------------------------------------------------------------

#: A document with the canary early on, so every cut of it below still holds the canary.
FULL = json.dumps({"Message": CANARY, "DomainName": "shop", "CreatedAt": 1, "LastUpdatedAt": 2, "Items": [],
                   "ProfileObjectUniqueKey": "k", "TotalCount": 0}).encode()
CUT = FULL[: len(FULL) * 2 // 3]
HTML = f"<html><head><title>Bad gateway</title></head><body><h1>{CANARY}</h1></body></html>".encode()
DOCTYPE_HTML = b"<!DOCTYPE html>\n" + HTML

FAULTS: dict[str, Callable[[int], Reply]] = {
    "malformed-json": lambda status: Reply(status, b'{"Message": "' + CANARY.encode() + b'", "Items": [,]}'),
    "truncated-json": lambda status: Reply(status, CUT),  # Content-Length matches the cut body
    "short-body": lambda status: Reply(status, CUT, content_length=len(FULL)),  # then the connection closes
    "no-body": lambda status: Reply(status, b"", content_length=len(FULL)),
    "html": lambda status: Reply(status, HTML, {"Content-Type": "text/html"}),
    "doctype-html": lambda status: Reply(status, DOCTYPE_HTML, {"Content-Type": "text/html"}),
    "empty": lambda status: Reply(status, b""),
    "reset": lambda status: Reply(drop=True),
    "timeout": lambda status: Reply(status, FULL, delay=TIMEOUT_DELAY),
}
STATUSES = [200, 400, 404, 500, 503]
#: Faults where no status is ever seen by the client.
NO_STATUS = {"reset", "timeout"}

OPS: dict[str, tuple[str, Callable[[CustomerProfilesClient], object]]] = {
    "get_domain": ("GET", lambda c: c.get_domain(domain_name="shop")),
    "search_profiles": ("POST", lambda c: c.search_profiles(domain_name="shop", key_name="_email",
                                                             values=["jane@example.com"])),
    "list_profile_objects": ("POST", lambda c: c.list_profile_objects(
        domain_name="shop", object_type_name="orders", profile_id="0123456789abcdef0123456789abcdef")),
    "put_profile_object": ("PUT", lambda c: c.put_profile_object(domain_name="shop", object_type_name="orders",
                                                                   object='{"order": 1}')),
    "paginate_list_domains": ("GET", lambda c: list(c.paginate_list_domains(page_size=5))),
}


def expected(fault: str, status: int) -> tuple[type[CustomerProfilesError] | None, int, type[BaseException] | None]:
    """(SDK class or None for a normal response, attempts in standard mode, botocore class mixed in)."""
    if fault == "reset":
        return TransportError, 3, ConnectionClosedError
    if fault == "timeout":
        return TransportError, 3, ReadTimeoutError
    if fault in ("short-body", "no-body") and SHORT_BODY_IS_CLOSED_CONNECTION:
        return TransportError, 3, ConnectionClosedError
    if status < 300:
        if fault == "empty":
            return None, 1, None  # an empty body is an empty object, as in botocore (documented)
        if fault in ("short-body", "no-body"):
            # Seen after botocore's retry decision, so never retried (see the report). Older
            # botocore (1.34) lets urllib3 see it while reading: a ConnectionClosedError, retried.
            return TransportError, 1, IncompleteReadError
        return ResponseParseError, 1, None
    # No x-amzn-ErrorType: botocore's code is the status; 5xx are retried.
    return UnmodeledServiceError, 3 if status >= 500 else 1, ClientError


def fault_cases() -> list[Any]:
    cases = []
    rotation = 0
    for fault in FAULTS:
        for status in [200] if fault in NO_STATUS else STATUSES:
            for fast_parse in (True, False):
                # The quick set runs each fault, status and parse path with one operation, in
                # turn (so every operation and HTTP method is covered); .ci/run runs all of them.
                quick_op = list(OPS)[rotation % len(OPS)]
                rotation += 1
                for op in OPS:
                    name = f"{fault}-{status if fault not in NO_STATUS else 'nostatus'}-" \
                           f"{'fast' if fast_parse else 'botocore'}-{op}"
                    marks = () if op == quick_op else (pytest.mark.slow,)
                    cases.append(pytest.param(fault, status, fast_parse, op, id=name, marks=marks))
    return cases


@pytest.mark.parametrize(("fault", "status", "fast_parse", "op"), fault_cases())
def test_every_fault_is_a_typed_error_without_the_body(
    fault: str, status: int, fast_parse: bool, op: str, fresh_server: LocalServer, session: Any
) -> None:
    method, call = OPS[op]
    fresh_server.respond = lambda request: FAULTS[fault](status)
    client = make_client(fresh_server, session, {"mode": "standard"}, fast_parse=fast_parse,
                         read_timeout=SHORT_READ_TIMEOUT if fault == "timeout" else READ_TIMEOUT)
    outcome = run(lambda: call(client))
    cls, attempts, botocore_cls = expected(fault, status)
    assert len(fresh_server.requests) == attempts
    assert {r.method for r in fresh_server.requests} == {method}
    if cls is None:
        assert outcome.error is None, repr(outcome.error)
        value = outcome.value
        if isinstance(value, list):
            assert value == []
        else:
            assert cast(Any, value).response_metadata.http_status == status
        return
    error = outcome.error
    assert error is not None, f"expected {cls.__name__}, got {outcome.value!r}"
    assert isinstance(error, CustomerProfilesError), f"raw {type(error).__module__}.{type(error).__qualname__}"
    assert type(error).__name__ == cls.__name__
    assert isinstance(error, cls)
    if botocore_cls is not None:
        assert isinstance(error, botocore_cls)
    if isinstance(error, ServiceError):
        assert error.http_status == status and error.code == str(status)
        assert error.retry_attempts == attempts - 1
        assert error.message in ("", http.client.responses[status])
    if isinstance(error, TransportError):
        assert isinstance(error.__cause__, BotoCoreError) and not isinstance(error.__cause__, TransportError)
    if isinstance(error, ResponseParseError):
        assert [p.rule for p in error.problems] == ["parse"]
        assert error.__cause__ is None and error.__context__ is None  # nothing that holds the body
    assert_no_canary(error)


@pytest.mark.parametrize("fast_parse", [True, False], ids=["fast", "botocore"])
@pytest.mark.parametrize("fault", ["malformed-json", "truncated-json", "html", "doctype-html", "short-body"])
@pytest.mark.parametrize("answer", [a for a in ANSWERS if a.code in ("ResourceNotFoundException",
                                                                     "InternalServerException",
                                                                     "ThrottlingException") and a.status != 400],
                         ids=lambda a: a.id)
def test_a_garbled_body_keeps_the_services_code_and_retries(
    answer: Answer, fault: str, fast_parse: bool, fresh_server: LocalServer, session: Any
) -> None:
    """The code from x-amzn-ErrorType still picks the class and the retries; the body is not quoted.

    Except for a 5xx whose body starts with ``<html>``: botocore's generic error path takes the status
    as the code, whatever the header says (botocore's behaviour, left as it is: retries are the same).
    """
    assert answer.code is not None
    reply = FAULTS[fault](answer.status)
    reply.headers["x-amzn-ErrorType"] = f"{answer.code}:http://internal.amazon.com/coral/"
    fresh_server.respond = lambda request: reply
    client = make_client(fresh_server, session, {"mode": "standard"}, fast_parse=fast_parse)
    error = raised(lambda: get_domain(client))
    if fault == "short-body" and SHORT_BODY_IS_CLOSED_CONNECTION:  # see SHORT_BODY_IS_CLOSED_CONNECTION
        assert isinstance(error, TransportError) and isinstance(error, ConnectionClosedError)
        assert len(fresh_server.requests) == 3
        assert_no_canary(error)
        return
    assert isinstance(error, ServiceError)
    if fault == "html" and answer.status >= 500:
        assert type(error).__name__ == "UnmodeledServiceError" and error.code == str(answer.status)
    else:
        assert isinstance(error, answer.cls) and error.code == answer.code
    assert len(fresh_server.requests) == (3 if answer.standard else 1)
    assert_no_canary(error)


def test_a_well_formed_service_message_is_still_reported(fresh_server: LocalServer, session: Any) -> None:
    fresh_server.respond = lambda request: error_reply("ResourceNotFoundException", 404, "Domain shop not found")
    error = raised(lambda: get_domain(make_client(fresh_server, session)))
    assert isinstance(error, ResourceNotFoundError) and error.message == "Domain shop not found"


@pytest.mark.parametrize("fast_parse", [True, False], ids=["fast", "botocore"])
def test_a_json_error_body_that_is_not_an_object_is_a_service_error(
    fast_parse: bool, fresh_server: LocalServer, session: Any
) -> None:
    """botocore's parser fails on it (no retry); the SDK hides it, so the status decides, and retries."""
    fresh_server.respond = lambda request: Reply(503, json.dumps([CANARY]))
    error = raised(lambda: get_domain(make_client(fresh_server, session, fast_parse=fast_parse)))
    assert isinstance(error, UnmodeledServiceError) and error.code == "503"
    assert len(fresh_server.requests) == 3
    assert_no_canary(error)


@pytest.mark.parametrize("fast_parse", [True, False], ids=["fast", "botocore"])
def test_a_fault_mid_pagination_can_be_resumed_without_loss(
    fast_parse: bool, fresh_server: LocalServer, session: Any
) -> None:
    items = [{"DomainName": f"d{n}", "CreatedAt": 1, "LastUpdatedAt": 1} for n in range(9)]
    broken = {"on": True}

    def respond(request: Received) -> Reply:
        token = request.query.get("next-token", [None])[0]
        start = int(token.removeprefix("t")) if token else 0
        if start == 3 and broken["on"]:
            return Reply(503, HTML, {"Content-Type": "text/html"})
        body: dict[str, Any] = {"Items": items[start:start + 3]}
        if start + 3 < len(items):
            body["NextToken"] = f"t{start + 3}"
        return Reply(200, body)

    fresh_server.respond = respond
    client = make_client(fresh_server, session, fast_parse=fast_parse)
    paginator = client.paginate_list_domains(page_size=3)
    seen: list[str | None] = []

    def consume() -> None:
        for item in paginator:
            seen.append(item.domain_name)

    error = raised(consume)
    assert isinstance(error, UnmodeledServiceError) and error.http_status == 503
    assert seen == ["d0", "d1", "d2"]
    assert len(fresh_server.requests) == 1 + 3  # the first page, then the failing one 3 times
    assert paginator.resume_token == "t3"
    broken["on"] = False
    rest = [item.domain_name for item in client.paginate_list_domains(page_size=3,
                                                                      starting_token=paginator.resume_token)]
    assert seen + rest == [f"d{n}" for n in range(9)]


# ---------------------------------------------------------------------------------------------
# Partial failures of batch calls
# ---------------------------------------------------------------------------------------------

#: Failed ids that look like others, or need escaping in JSON, or both. All distinct strings.
TRICKY_IDS = [
    "abc", "ABC", "abc ", " abc", "abc\u200b", "\uff41\uff42\uff43", "\u00e9", "e\u0301",
    'quote"inside', "back\\slash", "new\nline", "tab\there", "</script><script>alert(1)</script>",
    "%2F..%2Fetc", "line\u2028separator", "\U0001f600", "'; DROP TABLE profiles; --", "${jndi:ldap://x}",
    "nul\x00byte", '{"ProfileId": "nested"}', "lone\udcffsurrogate",
]


@dataclass(frozen=True)
class Entry:
    id: str
    failed: bool
    code: str | int
    message: str


def batch_scenario(seed: int, integer_codes: bool) -> list[Entry]:
    """100 entries, 37 failed, in random order: random ids, tricky ids, and upper-cased copies of
    successful ids (failed ids that look like duplicates of successful ones)."""
    rng = random.Random(seed)
    ok = [f"{rng.getrandbits(128):032x}" for _ in range(63)]
    failed = [*TRICKY_IDS, *(ok[n].upper() for n in range(6))]
    while len(failed) < 37:
        failed.append(f"{rng.getrandbits(128):032x}")
    assert len(set(ok) | set(failed)) == 100
    codes: list[str | int] = (
        [400, 404, 409, 500, 503] if integer_codes
        else ["ResourceNotFoundException", "BadRequestException", "InternalServerException", "ThrottlingException"]
    )
    entries = [Entry(i, False, "", "") for i in ok] + [
        Entry(i, True, rng.choice(codes), f"entry {n} failed: {CANARY}") for n, i in enumerate(failed)
    ]
    rng.shuffle(entries)
    return entries


@dataclass(frozen=True)
class Batch:
    operation: str
    call: Callable[[CustomerProfilesClient, bool], Any]
    failures_wire: str
    id_wire: str
    failures_attr: str
    successes_attr: str
    integer_codes: bool

    def body(self, entries: list[Entry]) -> dict[str, Any]:
        failures = [{"Code": e.code, "Message": e.message, self.id_wire: e.id} for e in entries if e.failed]
        successes = [e.id for e in entries if not e.failed]
        if self.operation == "BatchGetProfile":
            return {"Errors": failures, "Profiles": [{"ProfileId": i, "FirstName": f"n{n}"}
                                                    for n, i in enumerate(successes)]}
        if self.operation == "BatchGetCalculatedAttributeForProfile":
            return {"Errors": failures, "CalculatedAttributeValues": [
                {"CalculatedAttributeName": "ltv", "ProfileId": i, "Value": str(n)} for n, i in enumerate(successes)]}
        return {"Failed": failures, "Successful": [{"Id": i, "ProfileObjectUniqueKey": f"key-{n}"}
                                                   for n, i in enumerate(successes)]}


UUIDS = [f"{n:032x}" for n in range(100)]
BATCHES = [
    Batch("BatchGetProfile",
          lambda c, partial: c.batch_get_profile(domain_name="shop", profile_ids=UUIDS[:20], allow_partial=partial),
          "Errors", "ProfileId", "errors", "profiles", False),
    Batch("BatchGetCalculatedAttributeForProfile",
          lambda c, partial: c.batch_get_calculated_attribute_for_profile(
              calculated_attribute_name="ltv", domain_name="shop", profile_ids=UUIDS, allow_partial=partial),
          "Errors", "ProfileId", "errors", "calculated_attribute_values", False),
    Batch("BatchPutProfileObject",
          lambda c, partial: c.batch_put_profile_object(
              domain_name="shop", object_type_name="orders",
              items=[BatchPutProfileObjectRequestItem(id=f"o{n}", object='{"n": 1}') for n in range(10)],
              allow_partial=partial),
          "Failed", "Id", "failed", "successful", True),
]


def entry_id(entry: Any, batch: Batch) -> Any:
    return entry.profile_id if batch.id_wire == "ProfileId" else entry.id


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("fast_parse", [True, False], ids=["fast", "botocore"])
@pytest.mark.parametrize("batch", BATCHES, ids=[b.operation for b in BATCHES])
def test_partial_failure_lists_every_failed_id_once_in_order(
    batch: Batch, fast_parse: bool, seed: int, fresh_server: LocalServer, session: Any
) -> None:
    entries = batch_scenario(seed, batch.integer_codes)
    failed = [e for e in entries if e.failed]
    succeeded = [e.id for e in entries if not e.failed]
    assert (len(failed), len(succeeded)) == (37, 63)
    fresh_server.respond = lambda request: Reply(200, batch.body(entries))
    client = make_client(fresh_server, session, fast_parse=fast_parse)

    error = raised(lambda: batch.call(client, False))
    assert isinstance(error, PartialFailureError)
    assert error.operation_name == batch.operation
    assert error.failed_ids == tuple(e.id for e in failed)
    assert [(f.id, f.code, f.message) for f in error.failures] == [(e.id, str(e.code), e.message) for e in failed]
    assert max(Counter(error.failed_ids).values()) == 1
    assert not set(error.failed_ids) & set(succeeded)
    # Nothing lost: the successful entries, and the failed ones, are all in the typed response.
    assert [entry_id(e, batch) for e in getattr(error.response, batch.successes_attr)] == succeeded
    assert [entry_id(e, batch) for e in getattr(error.response, batch.failures_attr)] == [e.id for e in failed]
    # The text gives counts and codes, not ids or messages.
    text = str(error) + repr(error)
    assert "37 entries failed" in text
    assert CANARY not in text
    assert not [i for i in error.failed_ids if len(i) == 32 and i.lower() in text.lower()]

    response = cast(Any, run(lambda: batch.call(client, True)).value)
    assert response is not None, "allow_partial=True raised"
    assert type(response) is type(error.response)
    assert [entry_id(e, batch) for e in getattr(response, batch.successes_attr)] == succeeded
    assert [entry_id(e, batch) for e in getattr(response, batch.failures_attr)] == [e.id for e in failed]
    assert len(fresh_server.requests) == 2  # a 200 is never retried
