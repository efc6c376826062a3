"""The async client sends what the sync client sends and returns what it returns, for every operation.

Each test makes the same call on a :class:`CustomerProfilesClient` and on an
:class:`AsyncCustomerProfilesClient`. A ``before-send`` handler on each underlying client (boto3
and aiobotocore) records the HTTP request (method, path, query, headers, body) and answers it
from the same script, so the whole botocore / aiobotocore stack runs (serialization, signing,
retries, parsing) and nothing leaves the process. The two request logs, and the two outcomes
(response models, or typed errors), must be equal.

Covered: a 2xx answer (valid and hostile) for all 115 operations, on clients passed as
``client=`` and on clients the SDK creates; error answers (404, 400, 429, 500, 503) with retries
off and with the default ``standard`` retries; validation errors (nothing sent); the batch
operations' ``PartialFailureError`` and ``allow_partial``; ``fast_parse=False``; and all 29
paginators (items, pages, ``max_items``, ``page_size``, resume tokens across the two clients).
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

pytest.importorskip("aiobotocore")

import boto3.session
from aiobotocore.awsrequest import AioAWSResponse  # pyright: ignore[reportMissingImports]
from aiobotocore.session import AioSession  # pyright: ignore[reportMissingImports]
from botocore.awsrequest import AWSResponse
from botocore.config import Config

from customer_profiles_sdk import AsyncCustomerProfilesClient, CustomerProfilesClient
from customer_profiles_sdk._compat import private_session
from customer_profiles_sdk._generated.operations import (
    OPERATIONS,
    PAGINATION,
    PARTIAL_FAILURES,
)
from customer_profiles_sdk.errors import (
    PaginationError,
    ParamValidationError,
    PartialFailureError,
    ServiceError,
)
from customer_profiles_sdk.pagination import RESUME_PREFIX

from . import synth
from .canned import method_kwargs, wire_json
from .localserver import Received, Reply, error_reply, json_default
from .test_client_ops import kwargs_for
from .test_client_pagination import PagingBackend, required_kwargs, seq

OPS = sorted(OPERATIONS)
PAGED = sorted(PAGINATION)
BATCH = sorted(PARTIAL_FAILURES)
ENDPOINT = "https://example.invalid"
REGION = "us-east-1"
#: Headers that differ between any two calls (signature, date, user agent, invocation id).
VARYING_HEADERS = frozenset({"authorization", "x-amz-date", "user-agent", "amz-sdk-invocation-id"})

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


# ---------------------------------------------------------------------------------------------
# Capturing and answering requests at before-send
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    """One HTTP request as it left botocore (or aiobotocore), minus the headers that always vary."""

    method: str
    path: str
    query: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


def _text(value: Any) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def _body(value: Any) -> bytes:
    if value is None:
        return b""
    if isinstance(value, str):
        return value.encode()
    if hasattr(value, "read"):
        data = value.read()
        if hasattr(value, "seek"):
            value.seek(0)
        return _body(data)
    return bytes(value)


def sent_of(request: Any) -> Sent:
    parts = urlsplit(request.url)
    headers = tuple(sorted(
        (name.lower(), _text(value)) for name, value in request.headers.items()
        if name.lower() not in VARYING_HEADERS
    ))
    return Sent(request.method, parts.path, parts.query, headers, _body(request.body))


class _AsyncRaw:
    """The ``raw`` of an :class:`AioAWSResponse`: aiobotocore awaits ``read()``."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    async def read(self, *args: Any, **kwargs: Any) -> bytes:
        return self._body


class _SyncRaw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        yield self._body

    def read(self, *args: Any, **kwargs: Any) -> bytes:
        return self._body


def encode(body: bytes | str | dict[str, Any] | list[Any]) -> bytes:
    if isinstance(body, dict | list):
        return json.dumps(body, default=json_default).encode()
    return body.encode() if isinstance(body, str) else body


@dataclass
class Script:
    """Answers the requests of one client with ``respond`` (a localserver-style function of the
    received request) and records each request as :class:`Sent`."""

    respond: Callable[[Received], Reply] = field(default=lambda request: Reply())
    sent: list[Sent] = field(default_factory=list)

    def _answer(self, request: Any) -> tuple[int, Any, bytes]:
        sent = sent_of(request)
        self.sent.append(sent)
        received = Received(sent.method, unquote(sent.path), parse_qs(sent.query, keep_blank_values=True),
                            dict(sent.headers), sent.body)
        reply = self.respond(received)
        body = encode(reply.body)
        headers = {"Content-Type": "application/json", "x-amzn-RequestId": f"req-{len(self.sent)}",
                   "Content-Length": str(len(body)), **reply.headers}
        return reply.status, headers, body

    def sync_handler(self, request: Any, **kwargs: Any) -> AWSResponse:
        status, headers, body = self._answer(request)
        return AWSResponse(request.url, status, headers, _SyncRaw(body))

    async def async_handler(self, request: Any, **kwargs: Any) -> Any:
        status, headers, body = self._answer(request)
        return AioAWSResponse(request.url, status, headers, _AsyncRaw(body))


@dataclass
class Pair:
    """A sync and an async SDK client, each with its own :class:`Script`."""

    sync: CustomerProfilesClient
    aio: AsyncCustomerProfilesClient
    sync_script: Script
    aio_script: Script

    def answer(self, respond: Callable[[Received], Reply]) -> None:
        """Answer both clients' next requests with ``respond``; forget the requests so far."""
        for script in (self.sync_script, self.aio_script):
            script.respond = respond
            script.sent = []

    def with_fast_parse(self, fast_parse: bool) -> Pair:
        """The same underlying clients (and scripts), wrapped with another ``fast_parse``."""
        return Pair(CustomerProfilesClient(client=self.sync.boto3_client, fast_parse=fast_parse),
                    AsyncCustomerProfilesClient(client=self.aio.aiobotocore_client, fast_parse=fast_parse),
                    self.sync_script, self.aio_script)

    def assert_same_requests(self, count: int | None = None) -> None:
        assert self.sync_script.sent == self.aio_script.sent
        if count is not None:
            assert len(self.sync_script.sent) == count


def sync_boto3_client(config: Config) -> Any:
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                    region_name=REGION)
    return private_session(session).create_client("customer-profiles", endpoint_url=ENDPOINT, config=config)


def aio_session() -> Any:
    session = AioSession()
    session.set_credentials("testing", "testing")
    return session


@contextlib.asynccontextmanager
async def adopted_pair(config: Config) -> AsyncIterator[Pair]:
    """Clients passed as ``client=``: a boto3 client, and an aiobotocore client opened and closed
    here, both with the SDK's shipped model and ``config``."""
    sync_script, aio_script = Script(), Script()
    raw = sync_boto3_client(config)
    raw.meta.events.register("before-send", sync_script.sync_handler)
    async with private_session(aio_session()).create_client(
        "customer-profiles", region_name=REGION, endpoint_url=ENDPOINT, config=config
    ) as aio_raw:
        aio_raw.meta.events.register("before-send", aio_script.async_handler)
        yield Pair(CustomerProfilesClient(client=raw), AsyncCustomerProfilesClient(client=aio_raw),
                   sync_script, aio_script)


@pytest.fixture(scope="module")
async def pair() -> AsyncIterator[Pair]:
    """Clients passed as ``client=``, in the ``standard`` retry mode (3 attempts)."""
    async with adopted_pair(Config(retries={"mode": "standard"})) as made:
        yield made


@pytest.fixture(scope="module")
async def no_retry_pair() -> AsyncIterator[Pair]:
    """As :func:`pair`, with retries off (one attempt per call)."""
    async with adopted_pair(Config(retries={"mode": "standard", "total_max_attempts": 1})) as made:
        yield made


@pytest.fixture(scope="module")
async def created_pair() -> AsyncIterator[Pair]:
    """Clients the SDK creates itself, from a session, a region and an endpoint (no Config)."""
    sync_script, aio_script = Script(), Script()
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing")
    sync = CustomerProfilesClient(session=session, region_name=REGION, endpoint_url=ENDPOINT)
    events: Any = sync.boto3_client.meta.events
    events.register("before-send", sync_script.sync_handler)
    async with AsyncCustomerProfilesClient(session=aio_session(), region_name=REGION,
                                           endpoint_url=ENDPOINT) as aio:
        aio.aiobotocore_client.meta.events.register("before-send", aio_script.async_handler)
        yield Pair(sync, aio, sync_script, aio_script)


# ---------------------------------------------------------------------------------------------
# Outcomes
# ---------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    result: Any = None
    error: BaseException | None = None


def run_sync(call: Callable[[], Any]) -> Outcome:
    try:
        return Outcome(result=call())
    except Exception as exc:
        return Outcome(error=exc)


async def run_async(call: Callable[[], Awaitable[Any]]) -> Outcome:
    try:
        return Outcome(result=await call())
    except Exception as exc:
        return Outcome(error=exc)


def error_facts(exc: BaseException) -> dict[str, Any]:
    """What a caller can see of an error: its classes, text, and the SDK's attributes."""
    facts: dict[str, Any] = {
        "classes": [cls.__name__ for cls in type(exc).__mro__],
        "text": str(exc),
        "cause": None if exc.__cause__ is None else (type(exc.__cause__).__name__, str(exc.__cause__)),
        "context": exc.__context__ is None,
    }
    for name in ("code", "message", "http_status", "retry_attempts", "request_id", "operation_name",
                 "problems", "problem_count", "shape", "failures", "failed_ids"):
        if hasattr(exc, name):
            facts[name] = getattr(exc, name)
    if isinstance(exc, ServiceError):
        facts["response"] = exc.response
    if isinstance(exc, PartialFailureError):
        facts["response"] = exc.response
        facts["response.to_boto"] = exc.response.to_boto()
        facts["response.metadata"] = exc.response.response_metadata
    return facts


def assert_same_outcome(sync: Outcome, aio: Outcome) -> None:
    if sync.error is not None or aio.error is not None:
        assert sync.error is not None and aio.error is not None, (sync, aio)
        assert error_facts(aio.error) == error_facts(sync.error)
        return
    assert type(aio.result) is type(sync.result)
    assert aio.result == sync.result
    assert aio.result.to_boto() == sync.result.to_boto()
    assert aio.result.response_metadata == sync.result.response_metadata


async def call_both(pair: Pair, method: str, kwargs: dict[str, Any]) -> tuple[Outcome, Outcome]:
    """The same call on both clients (each with its own copy of ``kwargs``); the scripts' request
    logs then hold this call's requests only."""
    pair.sync_script.sent, pair.aio_script.sent = [], []
    sync = run_sync(lambda: getattr(pair.sync, method)(**copy.deepcopy(kwargs)))
    aio = await run_async(lambda: getattr(pair.aio, method)(**copy.deepcopy(kwargs)))
    return sync, aio


def partial_kwargs(op: str) -> dict[str, Any]:
    return {"allow_partial": True} if op in PARTIAL_FAILURES else {}


def request_kwargs(op: str, full: bool) -> dict[str, Any]:
    info = OPERATIONS[op]
    return {**kwargs_for(info.input_shape, synth.valid(info.input_shape, full)), **partial_kwargs(op)}


# ---------------------------------------------------------------------------------------------
# Methods
# ---------------------------------------------------------------------------------------------


def test_all_115_operations_and_29_paginators_are_there() -> None:
    assert len(OPS) == 115 and len(PAGED) == 29


@pytest.mark.parametrize("op", OPS)
def test_the_async_method_has_the_sync_signature(op: str) -> None:
    name = OPERATIONS[op].python_name
    names = [name] + ([f"paginate_{name}"] if op in PAGINATION else [])
    for method in names:
        sync = getattr(CustomerProfilesClient, method)
        aio = getattr(AsyncCustomerProfilesClient, method)
        assert inspect.iscoroutinefunction(aio) == (method == name)
        assert inspect.signature(aio).parameters == inspect.signature(sync).parameters
    sync_return = inspect.signature(getattr(CustomerProfilesClient, name)).return_annotation
    assert inspect.signature(getattr(AsyncCustomerProfilesClient, name)).return_annotation == sync_return


# ---------------------------------------------------------------------------------------------
# 2xx answers
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("op", OPS)
async def test_same_request_and_model_for_a_2xx_answer(op: str, pair: Pair) -> None:
    info = OPERATIONS[op]
    for full in (False, True):
        for hostile in (False, True):
            reply = synth.hostile(info.output_shape) if hostile else synth.valid(info.output_shape, full)
            body = wire_json(reply)
            pair.answer(lambda request, body=body: Reply(200, body))  # type: ignore[misc]
            sync, aio = await call_both(pair, info.python_name, request_kwargs(op, full))
            pair.assert_same_requests(1)
            assert pair.sync_script.sent[0].method == info.http_method
            assert_same_outcome(sync, aio)
            if not hostile:
                assert sync.error is None, sync.error  # a valid answer parses


@pytest.mark.parametrize("op", OPS)
async def test_same_request_and_model_on_clients_the_sdk_creates(op: str, created_pair: Pair) -> None:
    info = OPERATIONS[op]
    body = wire_json(synth.valid(info.output_shape, True))
    created_pair.answer(lambda request: Reply(200, body))
    sync, aio = await call_both(created_pair, info.python_name, request_kwargs(op, True))
    created_pair.assert_same_requests(1)
    assert sync.error is None, sync.error
    assert_same_outcome(sync, aio)


async def test_the_sdk_creates_both_clients_with_the_same_settings(created_pair: Pair) -> None:
    sync_meta: Any = created_pair.sync.boto3_client.meta
    aio_meta = created_pair.aio.aiobotocore_client.meta
    assert (aio_meta.region_name, aio_meta.endpoint_url) == (sync_meta.region_name, sync_meta.endpoint_url)
    assert aio_meta.config.retries == sync_meta.config.retries
    assert aio_meta.config.retries["mode"] == "standard"
    assert sorted(aio_meta.service_model.operation_names) == sorted(sync_meta.service_model.operation_names)


FAST_PARSE_OFF = ["BatchGetProfile", "CreateProfile", "GetDomain", "GetProfileObjectType", "ListProfileObjects",
                  "SearchProfiles"]


@pytest.mark.parametrize("op", FAST_PARSE_OFF)
async def test_same_model_with_fast_parse_off(op: str, pair: Pair) -> None:
    info = OPERATIONS[op]
    slow = pair.with_fast_parse(False)
    for reply in (synth.valid(info.output_shape, True), synth.hostile(info.output_shape)):
        body = wire_json(reply)
        slow.answer(lambda request, body=body: Reply(200, body))  # type: ignore[misc]
        sync, aio = await call_both(slow, info.python_name, request_kwargs(op, True))
        slow.assert_same_requests(1)
        assert_same_outcome(sync, aio)


async def test_fast_parse_off_really_differs_from_the_fast_path(pair: Pair) -> None:
    """An unknown member is kept by the fast path and dropped by botocore's: the fast_parse=False
    pair above is not the fast path again."""
    body = json.dumps({"DomainName": "d", "CreatedAt": 1, "LastUpdatedAt": 1, "FutureMember": 1})
    pair.answer(lambda request: Reply(200, body))
    fast = await pair.aio.get_domain(domain_name="d")
    slow = await pair.with_fast_parse(False).aio.get_domain(domain_name="d")
    assert "FutureMember" in fast.to_boto() and "FutureMember" not in slow.to_boto()


# ---------------------------------------------------------------------------------------------
# Error answers
# ---------------------------------------------------------------------------------------------

ERROR_ANSWERS = {
    "404": error_reply("ResourceNotFoundException", 404, "no such domain: shop"),
    "400": error_reply("BadRequestException", 400, "the request was bad in this particular way"),
    "403": error_reply("AccessDeniedException", 403, "denied"),
    "429": error_reply("ThrottlingException", 429, "slow down"),
    "500": error_reply("InternalServerException", 500, "oops"),
    "502-html": Reply(502, "<html>bad gateway</html>", {"Content-Type": "text/html"}),
    "503-empty": Reply(503, b""),
    "400-not-json": Reply(400, "a text body with a secret: Jane", {"Content-Type": "text/plain"}),
}


@pytest.mark.parametrize("op", OPS)
async def test_same_typed_error_for_error_answers_with_retries_off(op: str, no_retry_pair: Pair) -> None:
    info = OPERATIONS[op]
    kwargs = request_kwargs(op, False)
    for name, reply in ERROR_ANSWERS.items():
        no_retry_pair.answer(lambda request, reply=reply: reply)  # type: ignore[misc]
        sync, aio = await call_both(no_retry_pair, info.python_name, kwargs)
        no_retry_pair.assert_same_requests(1)
        assert isinstance(sync.error, ServiceError), (name, sync)
        assert_same_outcome(sync, aio)
        assert isinstance(aio.error, ServiceError)
        assert aio.error.http_status == reply.status and aio.error.retry_attempts == 0
        if name in ("404", "400"):
            assert isinstance(reply.body, dict)
            assert (aio.error.code, aio.error.message) == (
                reply.headers["x-amzn-ErrorType"].split(":")[0], reply.body["Message"])
            # also an instance of each client's own modeled exception class
            assert isinstance(aio.error, getattr(no_retry_pair.aio.aiobotocore_client.exceptions, aio.error.code))
            assert isinstance(sync.error, getattr(no_retry_pair.sync.boto3_client.exceptions, aio.error.code))
        assert "Jane" not in str(aio.error)


#: Operations of each HTTP method, for the retry test (which needs fresh clients: the standard
#: mode's retry quota is per client, and a module's worth of retried calls would drain it).
RETRIED = ["BatchGetProfile", "CreateDomain", "DeleteDomain", "DeleteSegmentDefinition", "GetDomain",
           "ListDomains", "PutProfileObject", "SearchProfiles", "UpdateDomain", "UpdateProfile"]


@pytest.mark.parametrize("op", RETRIED)
async def test_same_retries_with_the_standard_mode(op: str) -> None:
    info = OPERATIONS[op]
    kwargs = request_kwargs(op, False)
    ok = wire_json(synth.valid(info.output_shape))

    def flaky(request: Received) -> Reply:
        # Two 500s, then the answer: the call succeeds on its third attempt.
        if request.headers.get("amz-sdk-request", "").startswith("attempt=3"):
            return Reply(200, ok)
        return error_reply("InternalServerException", 500)

    async with adopted_pair(Config(retries={"mode": "standard"})) as pair:
        await retries_on(pair, info.python_name, kwargs, flaky)


async def retries_on(pair: Pair, method: str, kwargs: dict[str, Any], flaky: Callable[[Received], Reply]) -> None:
    pair.answer(flaky)
    sync, aio = await call_both(pair, method, kwargs)
    pair.assert_same_requests(3)
    assert sync.error is None, sync.error
    assert_same_outcome(sync, aio)
    assert aio.result.response_metadata.retry_attempts == 2

    pair.answer(lambda request: error_reply("ThrottlingException", 429, "slow down"))
    sync, aio = await call_both(pair, method, kwargs)
    pair.assert_same_requests(3)
    assert_same_outcome(sync, aio)
    assert isinstance(aio.error, ServiceError) and aio.error.retry_attempts == 2

    pair.answer(lambda request: error_reply("BadRequestException", 400, "not retried"))
    sync, aio = await call_both(pair, method, kwargs)
    pair.assert_same_requests(1)
    assert_same_outcome(sync, aio)


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("op", OPS)
async def test_same_validation_error_and_nothing_sent(op: str, pair: Pair) -> None:
    info = OPERATIONS[op]
    pair.answer(lambda request: Reply())
    checked = 0
    for violation in synth.violations(info.input_shape):
        kwargs = method_kwargs(info.input_shape, violation.data)
        sync, aio = await call_both(pair, info.python_name, kwargs)
        assert isinstance(aio.error, ParamValidationError), violation
        assert (violation.path, violation.rule) in [(p.path, p.rule) for p in aio.error.problems]
        assert_same_outcome(sync, aio)
        checked += 1
    assert checked > 0
    assert pair.sync_script.sent == [] and pair.aio_script.sent == []


# ---------------------------------------------------------------------------------------------
# Partial failures of the batch operations
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("op", BATCH)
async def test_same_partial_failure_error_and_allow_partial(op: str, pair: Pair) -> None:
    info = OPERATIONS[op]
    errors_name, id_wire = PARTIAL_FAILURES[op]
    reply = synth.valid(info.output_shape, True)
    errors_wire = next(wire for wire in reply if wire.lower() == errors_name)
    # Two failed entries with distinct ids, codes and messages, after the successful ones.
    entry = reply[errors_wire][0]
    reply[errors_wire] = [{**entry, id_wire: f"{n:032x}", "Code": f"Code{n}", "Message": f"failed {n}"}
                          for n in (1, 2)]
    body = wire_json(reply)
    pair.answer(lambda request: Reply(200, body))
    kwargs = kwargs_for(info.input_shape, synth.valid(info.input_shape, True))

    sync, aio = await call_both(pair, info.python_name, kwargs)
    pair.assert_same_requests(1)
    assert isinstance(aio.error, PartialFailureError)
    assert aio.error.failed_ids == (f"{1:032x}", f"{2:032x}")
    assert_same_outcome(sync, aio)
    raised = aio.error.response

    sync, aio = await call_both(pair, info.python_name, {**kwargs, "allow_partial": True})
    pair.assert_same_requests(1)
    assert sync.error is None and aio.error is None
    assert_same_outcome(sync, aio)
    assert aio.result == raised  # nothing lost: the error's response is the whole response

    pair.answer(lambda request: Reply(200, wire_json({k: v for k, v in reply.items() if k != errors_wire})))
    sync, aio = await call_both(pair, info.python_name, kwargs)
    assert sync.error is None, sync.error
    assert_same_outcome(sync, aio)


# ---------------------------------------------------------------------------------------------
# Paginators
# ---------------------------------------------------------------------------------------------


def size_for(op: str) -> int:
    return max(3, PAGINATION[op].limit_bounds[0])


def sync_paginator(pair: Pair, op: str, **options: Any) -> Any:
    return getattr(pair.sync, f"paginate_{OPERATIONS[op].python_name}")(**required_kwargs(op), **options)


def async_paginator(pair: Pair, op: str, **options: Any) -> Any:
    return getattr(pair.aio, f"paginate_{OPERATIONS[op].python_name}")(**required_kwargs(op), **options)


async def async_items(paginator: Any) -> list[Any]:
    return [item async for item in paginator]


async def async_pages(paginator: Any) -> list[Any]:
    return [page async for page in paginator.pages()]


def assert_same_models(sync: list[Any], aio: list[Any]) -> None:
    assert aio == sync
    assert [m.to_boto() if hasattr(m, "to_boto") else m for m in aio] == [
        m.to_boto() if hasattr(m, "to_boto") else m for m in sync]


@pytest.mark.parametrize("op", PAGED)
async def test_same_items_pages_and_requests_for_a_full_pass(op: str, pair: Pair) -> None:
    size = size_for(op)
    total = 2 * size + 1
    pair.answer(PagingBackend(op, total))
    sync_p, aio_p = sync_paginator(pair, op, page_size=size), async_paginator(pair, op, page_size=size)
    assert pair.sync_script.sent == pair.aio_script.sent == []  # lazy: nothing sent before iterating
    sync_items, aio_items = list(sync_p), await async_items(aio_p)
    pair.assert_same_requests(3)
    assert [seq(item) for item in aio_items] == list(range(total))
    assert_same_models(sync_items, aio_items)
    assert aio_p.resume_token is sync_p.resume_token is None
    assert aio_p.pages_fetched == sync_p.pages_fetched == 3

    pair.answer(PagingBackend(op, total))
    sync_pages, aio_pages = list(sync_p.pages()), await async_pages(aio_p)
    pair.assert_same_requests(3)
    assert_same_models(sync_pages, aio_pages)
    assert [page.response_metadata for page in aio_pages] == [page.response_metadata for page in sync_pages]


@pytest.mark.parametrize("op", PAGED)
async def test_same_max_items_page_size_and_resume_token(op: str, pair: Pair) -> None:
    size = size_for(op)
    total = 3 * size + 2
    for max_items in (1, size, size + 2):
        pair.answer(PagingBackend(op, total))
        sync_p = sync_paginator(pair, op, page_size=size, max_items=max_items)
        aio_p = async_paginator(pair, op, page_size=size, max_items=max_items)
        sync_items, aio_items = list(sync_p), await async_items(aio_p)
        pair.assert_same_requests()
        assert [seq(item) for item in aio_items] == list(range(max_items))
        assert_same_models(sync_items, aio_items)
        assert aio_p.resume_token == sync_p.resume_token is not None

        pair.answer(PagingBackend(op, total))
        sync_pages, aio_pages = list(sync_p.pages()), await async_pages(aio_p)
        pair.assert_same_requests()
        assert_same_models(sync_pages, aio_pages)
        assert aio_p.resume_token == sync_p.resume_token is not None


@pytest.mark.parametrize("op", PAGED)
async def test_a_resume_token_from_either_paginator_resumes_the_other(op: str, pair: Pair) -> None:
    size = size_for(op)
    total = 2 * size + 3
    pair.answer(PagingBackend(op, total))
    for stop in (1, size, size + 1):  # mid-page, on a page boundary, just after one
        # sync stops, async carries on
        sync_p = sync_paginator(pair, op, page_size=size)
        taken = []
        for item in sync_p:
            taken.append(seq(item))
            if len(taken) == stop:
                break
        token = sync_p.resume_token
        assert token is not None
        assert token.startswith(RESUME_PREFIX) == (stop % size != 0)
        rest = [seq(item) for item in await async_items(async_paginator(pair, op, page_size=size,
                                                                         starting_token=token))]
        assert taken + rest == list(range(total))

        # async stops, sync carries on
        aio_p = async_paginator(pair, op, page_size=size)
        taken = []
        async for item in aio_p:
            taken.append(seq(item))
            if len(taken) == stop:
                break
        assert aio_p.resume_token == token  # the same token for the same place
        rest = [seq(item) for item in sync_paginator(pair, op, page_size=size, starting_token=aio_p.resume_token)]
        assert taken + rest == list(range(total))

        # resuming from the same token on both sends the same requests
        pair.answer(PagingBackend(op, total))
        sync_rest = list(sync_paginator(pair, op, page_size=size, starting_token=token))
        aio_rest = await async_items(async_paginator(pair, op, page_size=size, starting_token=token))
        pair.assert_same_requests()
        assert_same_models(sync_rest, aio_rest)


@pytest.mark.parametrize("op", PAGED)
async def test_same_errors_for_bad_paginator_arguments_and_nothing_sent(op: str, pair: Pair) -> None:
    pair.answer(lambda request: Reply())
    high = PAGINATION[op].limit_bounds[1]
    for options in ({"page_size": 0}, {"page_size": high + 1}, {"page_size": 2.5}, {"max_items": 0},
                    {"max_items": "3"}, {"starting_token": RESUME_PREFIX + "!!"}, {"starting_token": 5},
                    {"page_size": 0, "max_items": 0, "starting_token": 5}):
        sync = run_sync(lambda options=options: sync_paginator(pair, op, **options))  # type: ignore[misc]
        aio = run_sync(lambda options=options: async_paginator(pair, op, **options))  # type: ignore[misc]
        assert isinstance(aio.error, ParamValidationError), options
        assert error_facts(aio.error) == error_facts(sync.error)  # type: ignore[arg-type]
    assert pair.sync_script.sent == pair.aio_script.sent == []


async def test_same_pagination_error_for_a_repeated_token(pair: Pair) -> None:
    pair.answer(lambda request: Reply(200, {"Items": [{"DomainName": "d", "CreatedAt": 1, "LastUpdatedAt": 1}],
                                            "NextToken": "again"}))
    sync = run_sync(lambda: list(pair.sync.paginate_list_domains()))
    aio = await run_async(lambda: async_items(pair.aio.paginate_list_domains()))
    pair.assert_same_requests(2)
    assert isinstance(aio.error, PaginationError)
    assert error_facts(aio.error) == error_facts(sync.error)  # type: ignore[arg-type]


async def test_same_pagination_error_for_too_many_empty_pages(pair: Pair) -> None:
    counter = iter(range(10**6))
    pair.answer(lambda request: Reply(200, {"Items": [], "NextToken": f"t{next(counter)}"}))
    sync_p, aio_p = pair.sync.paginate_list_domains(), pair.aio.paginate_list_domains()
    sync_p.max_empty_pages = aio_p.max_empty_pages = 5
    sync = run_sync(lambda: list(sync_p))
    aio = await run_async(lambda: async_items(aio_p))
    assert len(pair.sync_script.sent) == len(pair.aio_script.sent) == 5
    assert isinstance(aio.error, PaginationError)
    assert error_facts(aio.error) == error_facts(sync.error)  # type: ignore[arg-type]
    assert aio_p.resume_token is not None and sync_p.resume_token is not None


async def test_a_service_error_mid_pass_is_the_same(pair: Pair) -> None:
    backend = PagingBackend("ListDomains", 10)

    def respond(request: Received) -> Reply:
        if request.query.get("next-token"):
            return error_reply("BadRequestException", 400, "token expired")
        return backend(request)

    pair.answer(respond)
    sync_p, aio_p = pair.sync.paginate_list_domains(page_size=4), pair.aio.paginate_list_domains(page_size=4)
    sync_seen: list[Any] = []
    aio_seen: list[Any] = []

    def drain_sync() -> None:
        for item in sync_p:
            sync_seen.append(item)

    async def drain_async() -> None:
        async for item in aio_p:
            aio_seen.append(item)

    sync = run_sync(drain_sync)
    aio = await run_async(drain_async)
    pair.assert_same_requests(2)
    assert aio_seen == sync_seen and len(aio_seen) == 4
    assert aio.error is not None and sync.error is not None
    assert error_facts(aio.error) == error_facts(sync.error)
    assert aio_p.resume_token == sync_p.resume_token == "tok-4"
