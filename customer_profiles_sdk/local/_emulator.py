"""The emulator object: how requests reach the backend, in process or over 127.0.0.1."""

from __future__ import annotations

import contextlib
import functools
import http.server
import importlib
import importlib.util
import inspect
import io
import logging
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from botocore.awsrequest import AWSResponse
from botocore.endpoint import Endpoint

from . import _client_defaults
from ._areas.event_triggers import FiredTrigger
from ._areas.upload_jobs import MAX_UPLOAD_BYTES, UPLOAD_PREFIX, s3_error, upload_base
from ._backend import Backend, BatchItem
from ._errors import EmulatorError
from ._http import (
    body_length_error,
    framing_error,
    parse_request,
    render_error,
    render_response,
    route,
    service_model,
)
from ._ratelimit import RateLimits

if TYPE_CHECKING:
    from botocore.config import Config

    from ..aio import AsyncCustomerProfilesClient
    from ..client import CustomerProfilesClient

logger = logging.getLogger(__name__)

_ENDPOINT_PREFIX = "profile"  # the service's endpointPrefix: identifies its botocore endpoints
_EVENT = "before-send.customer-profiles"


class _Body:
    """The ``raw`` of an :class:`AWSResponse`: what botocore and the SDK read a body from."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        yield self._body

    def read(self, *args: Any, **kwargs: Any) -> bytes:
        return self._body


class _AsyncBody:
    """The ``raw`` of aiobotocore's ``AioAWSResponse``: the same body, read with ``await``."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    async def read(self, *args: Any, **kwargs: Any) -> bytes:
        return self._body


@functools.cache
def _aio_response_class() -> Any:
    """aiobotocore's ``AioAWSResponse`` (imported on first use: aiobotocore is optional)."""
    return importlib.import_module("aiobotocore.awsrequest").AioAWSResponse


def _body_bytes(body: Any) -> bytes:
    """The bytes of a botocore request body: bytes, text, a file-like object or an iterable of
    chunks (None: no body)."""
    if hasattr(body, "read"):
        body = body.read()
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8", "surrogatepass")  # a lone surrogate: refused as not UTF-8
    if isinstance(body, bytes | bytearray | memoryview):
        return bytes(body)
    return b"".join(_body_bytes(chunk) for chunk in body)


def _header_values(headers: Any, name: str) -> list[str]:
    """Every value of the header ``name`` (case-insensitive) in a request's headers."""
    if headers is None:
        return []
    if hasattr(headers, "get_all"):
        values = headers.get_all(name) or []
    else:
        values = [value for key, value in headers.items() if key.lower() == name.lower()]
    return [value.decode("latin-1") if isinstance(value, bytes) else str(value) for value in values]


@dataclass
class _Fault:
    operation: str | None
    error: EmulatorError
    remaining: int


@dataclass
class _ItemFault:
    match: Callable[[BatchItem], bool] | None
    error: EmulatorError
    remaining: int | None  # None: every matching item until clear_faults()


class Emulator:
    """An in-memory Customer Profiles service for tests and local development.

    Requests are answered at botocore's HTTP layer (aiobotocore's, for the async client), so
    serialization, signing, parsing, typed errors and retries all run as against AWS. Three ways
    to send requests to it:

    * ``with Emulator() as emu:`` answers every customer-profiles client in the process, created
      before or after, the SDK's or a plain boto3 or aiobotocore one, until the block ends. Nested
      blocks: the innermost emulator answers.
    * :meth:`attach` answers one client only, with no process-wide change; :meth:`client`,
      :meth:`async_client` and :meth:`boto3_client` make attached clients with dummy credentials.
    * :meth:`serve` answers HTTP on 127.0.0.1, for other programs (aws-cli ``--endpoint-url``).

    State belongs to the instance (``emu.backend``) and is safe to share between threads.
    """

    def __init__(self, *, account_id: str = "123456789012", region: str = "us-east-1",
                 clock: Callable[[], datetime] | None = None, seed: int | None = None,
                 rate_limits: Mapping[str, float] | None = None,
                 rate_clock: Callable[[], float] | None = None) -> None:
        """``clock`` gives the emulator's "now" (timestamps, calculated-attribute windows);
        ``seed`` makes generated profile ids and object keys the same in every run.

        ``rate_limits`` maps operation names to calls per second: above its rate, an operation is
        answered ``ThrottlingException`` (HTTP 429), as the service answers past a quota (see
        :meth:`set_rate_limit`). ``rate_clock`` gives the seconds the limits are measured with
        (``time.monotonic`` unless a test gives its own clock).
        """
        self.region = region
        self.backend = Backend(account_id=account_id, region=region, clock=clock, seed=seed)
        self._faults: list[_Fault] = []
        self._item_faults: list[_ItemFault] = []
        self._faults_lock = threading.Lock()
        self._rates = RateLimits(rate_limits, rate_clock)
        self.backend.item_fault = self._item_injected

    # -- injected errors -----------------------------------------------------------------------
    def fail(self, operation: str | None = None, *, code: str = "ThrottlingException", status: int = 429,
             message: str = "Rate exceeded", times: int = 1) -> None:
        """Answer the next ``times`` requests of ``operation`` (any operation if None) with this
        error instead of running them, to test retries and error handling.

        The request is not validated and changes nothing. Faults are used in the order they were
        added. Whether the client retries is botocore's decision, by its retry mode (each rule
        below is checked by tests/test_emulator.py):

        * Every mode retries the statuses 500, 502, 503 and 504 whatever the code, and a 400 with
          a throttling code (``ThrottlingException``, ``Throttling``, ...). None retries 501 or
          505, nor a 400, 403 or 404 with a code such as ``BadRequestException``.
        * ``standard`` (botocore's default: the mode of :meth:`client` and :meth:`boto3_client`
          unless their ``config`` chooses another) and ``adaptive`` also retry the throttling
          codes (``ThrottlingException``, ``TooManyRequestsException``, ``RequestLimitExceeded``,
          ...) and the transient ones (``RequestTimeout``, ``RequestTimeoutException``,
          ``PriorRequestNotComplete``) whatever the status, and a 429 unless its code is another
          error the operation models (a 429 with code ``BadRequestException`` is not retried).
        * ``legacy`` (when a ``Config`` chooses it) also retries 429 and 509 whatever the code,
          but the throttling codes only with status 400 (a 403 ``ThrottlingException`` is not
          retried) and the transient codes never.

        The default, ``ThrottlingException`` with 429, is retried in every mode: ``times=1`` gives
        a call that succeeds with ``retry_attempts == 1``.
        """
        if not 400 <= status <= 599:
            raise ValueError("status must be an HTTP error status (400-599)")
        if times < 1:
            raise ValueError("times must be at least 1")
        if operation is not None:
            service_model().operation_model(operation)  # raises for a name the service does not have
        with self._faults_lock:
            self._faults.append(_Fault(operation, EmulatorError(code, message, status), times))

    def fail_items(self, match: Callable[[BatchItem], bool] | None = None, *, status: int = 500,
                   message: str = "Internal failure", times: int | None = 1) -> None:
        """Fail chosen items of BatchPutProfileObject calls: the call answers HTTP 200, and each
        matching item is in ``Failed`` with ``Code`` ``status`` and ``Message`` ``message``,
        instead of being put (it changes nothing); the other items are put as usual.

        ``match`` is given a :class:`BatchItem` (``id``, ``index`` in the call, ``object`` text,
        ``data()`` parsed) and says whether to fail it; None matches every item. ``times`` is how
        many items this fault fails in all before it is used up (None: every matching item until
        :meth:`clear_faults`). Item faults apply after the rate limits, the whole-call faults of
        :meth:`fail` and the checks of the call as a whole; the first matching fault, in the order
        they were added, fails an item. ``status`` 429 and 5xx are the outcomes a loader should
        retry (``bulk.ingest`` does); other 4xx are final.
        """
        if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
            raise ValueError("status must be an HTTP error status (400-599)")
        if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
            raise ValueError("times must be at least 1, or None for every matching item")
        if match is not None and not callable(match):
            raise ValueError("match must be a function of a BatchItem, or None for every item")
        with self._faults_lock:
            self._item_faults.append(_ItemFault(match, EmulatorError("ItemFault", message, status), times))

    def clear_faults(self) -> None:
        """Drop every injected error (whole-call and item faults) that has not been used yet."""
        with self._faults_lock:
            self._faults.clear()
            self._item_faults.clear()

    def _item_injected(self, item: BatchItem) -> EmulatorError | None:
        if not self._item_faults:
            return None
        with self._faults_lock:
            for fault in self._item_faults:
                if fault.match is None or fault.match(item):
                    if fault.remaining is not None:
                        fault.remaining -= 1
                        if fault.remaining == 0:
                            self._item_faults.remove(fault)
                    return fault.error
        return None

    def _injected(self, operation: str) -> EmulatorError | None:
        with self._faults_lock:
            for fault in self._faults:
                if fault.operation in (None, operation):
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    return fault.error
        return None

    # -- time --------------------------------------------------------------------------------------
    def advance(self, seconds: float) -> None:
        """Move the emulator's clock ``seconds`` forward, so that long-running work (upload and
        identity resolution jobs, segment estimates and snapshots, recommenders, workflows) moves
        through its statuses without the test sleeping. Only the default clock moves this way: an
        emulator made with ``clock=`` runs on that clock, which the caller moves (this raises
        ``TypeError`` then)."""
        self.backend.advance(seconds)

    # -- service-side rate limits ----------------------------------------------------------------
    def set_rate_limit(self, operation: str, calls_per_second: float | None) -> None:
        """Limit ``operation`` (an API name such as ``BatchPutProfileObject``) to this many calls
        per second from now on, or lift its limit with None.

        Each limited operation has a token bucket that fills at the rate and holds a tenth of a
        second's worth of calls (at least one); it starts full. A call past the limit is answered
        ``ThrottlingException`` with HTTP 429 before anything else happens: it is not validated,
        uses no injected fault, changes nothing and is not counted in ``backend.calls``, only in
        :attr:`throttled`. Every call the emulator routes to the operation takes a token, whether
        it then succeeds or fails. The limits are per emulator, shared by all its clients.
        """
        self._rates.set(operation, calls_per_second)

    @property
    def rate_limits(self) -> dict[str, float]:
        """The limits in force: operation name to calls per second."""
        return self._rates.limits

    @property
    def throttled(self) -> dict[str, int]:
        """How many calls of each operation the rate limits refused (a copy)."""
        return self._rates.counts()

    # -- the HTTP entry point ------------------------------------------------------------------
    def handle(self, method: str, url: str, body: bytes | str | None = b"") -> tuple[int, dict[str, str], bytes]:
        """Answer one HTTP request: ``(status, headers, body)``. ``url`` may be a path."""
        if isinstance(body, str):
            body = body.encode("utf-8", "surrogatepass")  # a lone surrogate: refused as not UTF-8
        parts = urlsplit(url)
        try:
            operation, labels = route(method.upper(), parts.path or "/")
            refused = self._rates.admit(operation) if self._rates else None
            if refused is not None:
                return render_error(refused)
            injected = self._injected(operation) if self._faults else None
            if injected is not None:
                return render_error(injected)
            model = service_model().operation_model(operation)
            params = parse_request(model, labels, parts.query, body or b"")
            return render_response(model, self.backend.call(operation, params))
        except EmulatorError as error:
            return render_error(error)

    # -- uploads and event triggers (_areas/upload_jobs.py, _areas/event_triggers.py) ------------
    def handle_upload(self, method: str, url: str, headers: Mapping[str, str],
                      body: bytes) -> tuple[int, dict[str, str], bytes]:
        """Answer one request to an upload URL of GetUploadJobPath (a PUT of the CSV file with the
        SSE-C headers of the job's ClientToken), as S3 answers it: ``(status, headers, body)``,
        errors as S3's XML ``<Error>``. ``url`` may be the path alone. In process, the SDK's
        ``customer_profiles_sdk._upload.put_upload`` calls this; the 127.0.0.1 server does too."""
        path = urlsplit(url).path
        if not path.startswith(UPLOAD_PREFIX):
            return s3_error("NoSuchKey", "The specified key does not exist.", 404)
        return self.backend.receive_upload(method, path, headers, bytes(body))

    def fired_triggers(self, domain_name: str) -> list[FiredTrigger]:
        """What the domain's event triggers fired, oldest first: one :class:`FiredTrigger` per
        firing, with the trigger's name, the profile's id, the object type and the emulator's
        time (never the object's content). A trigger fires when an object of its ObjectTypeName
        is ingested and meets its conditions, within its limits (see _areas/event_triggers.py).
        Raises ``KeyError`` when the emulator has no domain of that name."""
        return self.backend.fired_triggers(domain_name)

    def _answer(self, request: Any) -> tuple[int, dict[str, str], bytes]:
        """Answer a botocore (or aiobotocore) prepared request: ``(status, headers, body)``."""
        body = _body_bytes(request.body)
        lengths = _header_values(request.headers, "Content-Length")
        # The same framing rules as over HTTP: a body that is not as long as its Content-Length
        # says (cut short on its way, or by a handler) is refused, never run.
        refusal = framing_error(request.method, lengths, _header_values(request.headers, "Transfer-Encoding"),
                                length_required=False)
        if refusal is None and lengths:
            refusal = body_length_error(int(lengths[0].strip()), len(body))
        if refusal is not None:
            return render_error(refusal)
        return self.handle(request.method, request.url, body)

    def _respond(self, request: Any) -> AWSResponse:
        """The answer as botocore's endpoint takes it from a ``before-send`` handler or ``_send``."""
        status, headers, data = self._answer(request)
        # AWSResponse wraps the headers in botocore's case-insensitive dict; a plain one is fine.
        return AWSResponse(request.url, status, cast(Any, headers), _Body(data))

    def _respond_async(self, request: Any) -> AWSResponse:
        """The same answer as aiobotocore's endpoint takes it: an ``AioAWSResponse``, whose body
        is read with ``await``. Only this wrapping differs from :meth:`_respond`."""
        status, headers, data = self._answer(request)
        return cast(AWSResponse, _aio_response_class()(request.url, status, headers, _AsyncBody(data)))

    def reset(self) -> None:
        """Forget every domain and everything in it; fill the rate limits' buckets and zero
        :attr:`throttled` (the limits and injected faults stay)."""
        self.backend.reset()
        self._rates.reset()

    # -- process-wide installation -------------------------------------------------------------
    def install(self) -> None:
        """Answer every customer-profiles client in the process until :meth:`uninstall`."""
        _install(self)

    def uninstall(self) -> None:
        _uninstall(self)

    def __enter__(self) -> Emulator:
        self.install()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.uninstall()

    # -- single clients ------------------------------------------------------------------------
    def attach(self, client: Any) -> None:
        """Answer this client's requests: a boto3 or aiobotocore client, a
        :class:`CustomerProfilesClient` or an :class:`AsyncCustomerProfilesClient`.

        An async client may be attached before its aiobotocore client exists (before ``async
        with`` or its first call): the emulator answers it from its first request on. If several
        emulators are attached to one client, the one attached last answers.
        """
        _Attached.of(client).add(self)

    def detach(self, client: Any) -> None:
        _Attached.of(client).remove(self)

    def boto3_client(self, config: Config | None = None) -> Any:
        """A plain boto3 ``customer-profiles`` client with dummy credentials, attached.

        The client depends on nothing of the user's AWS set-up: it is made from a session that
        reads no environment variable (``AWS_PROFILE``, ``AWS_RETRY_MODE``, ...) and no config or
        credentials file, in the emulator's region. Only ``config`` configures it; botocore's
        defaults apply otherwise, except the retry mode: ``standard`` unless ``config`` names one
        (botocore before 1.44 defaults to ``legacy``; the SDK's default, on every botocore).
        """
        client = _new_client(self.region, config)
        self.attach(client)
        return client

    def async_client(self, config: Config | None = None, **kwargs: Any) -> AsyncCustomerProfilesClient:
        """An :class:`~customer_profiles_sdk.aio.AsyncCustomerProfilesClient` with dummy
        credentials, attached; it needs aiobotocore (the ``async`` extra). ``kwargs`` go to the
        client (``fast_parse=False``, ...).

        Like :meth:`client`, it reads none of the user's AWS configuration: it is made from an
        aiobotocore session that reads no environment variable and no file, in the emulator's
        region, with the ``standard`` retry mode unless ``config`` names one. Use it as the client
        is used, ``async with emu.async_client() as client:`` (or close it with ``await
        client.close()``); its aiobotocore client is created on the block's entry or first call.
        """
        from ..aio import AsyncCustomerProfilesClient

        session_class = importlib.import_module("aiobotocore.session").AioSession
        session = _isolated_botocore_session(session_class)
        session.set_credentials("emulator", "emulator")
        client = AsyncCustomerProfilesClient(session=session, region_name=self.region,
                                             config=_standard_retries(config), **kwargs)
        self.attach(client)
        return client

    def client(self, config: Config | None = None, **kwargs: Any) -> CustomerProfilesClient:
        """A :class:`CustomerProfilesClient` with dummy credentials, attached. ``kwargs`` go to
        the client (``fast_parse=False``, ...). Like :meth:`boto3_client`, it reads none of the
        user's AWS configuration: only ``config`` configures it.
        """
        from ..client import CustomerProfilesClient

        return CustomerProfilesClient(client=self.boto3_client(config), **kwargs)

    # -- HTTP server ---------------------------------------------------------------------------
    def serve(self, port: int = 0, host: str = "127.0.0.1") -> EmulatorServer:
        """Serve this emulator over HTTP in a background thread; stop it with ``close()`` or a
        ``with`` block. ``port=0`` picks a free port (``server.port``)."""
        return EmulatorServer(self, host, port)


class _Attached:
    """The emulators attached to one client, and its ``before-send`` handler.

    One handler per client, which asks only the emulator attached last: botocore calls every
    ``before-send`` handler, so a handler per emulator would run each request on all of them.
    The tuple is replaced whole, never changed in place, so requests read it without a lock.

    The handler is the same for botocore and aiobotocore clients (aiobotocore awaits a handler's
    answer only if it is awaitable); only the response it builds differs. An
    :class:`AsyncCustomerProfilesClient` that has no aiobotocore client yet keeps its ``_Attached``
    itself, and the handler is registered on the aiobotocore client as soon as it is created.
    """

    _ATTRIBUTE = "_customer_profiles_emulators"

    def __init__(self) -> None:
        self.emulators: tuple[Emulator, ...] = ()
        self.asynchronous = False

    @classmethod
    def of(cls, client: Any) -> _Attached:
        with _attach_lock:
            if hasattr(client, "aiobotocore_client"):  # an AsyncCustomerProfilesClient
                if client.aiobotocore_client is None:
                    return cls._until_open(client)
                client = client.aiobotocore_client
            boto = getattr(client, "boto3_client", client)
            attached: _Attached | None = getattr(boto, cls._ATTRIBUTE, None)
            if attached is None:
                attached = cls()
                attached._register(boto)
            return attached

    @classmethod
    def _until_open(cls, sdk_client: Any) -> _Attached:
        """The ``_Attached`` of an async client whose aiobotocore client does not exist yet, made
        to be registered on that client when it is created (call under the lock)."""
        attached: _Attached | None = getattr(sdk_client, cls._ATTRIBUTE, None)
        if attached is None:
            attached = cls()
            setattr(sdk_client, cls._ATTRIBUTE, attached)
            opening = sdk_client._opening
            if opening is None:
                sdk_client._creator = _AttachOnOpen(sdk_client._creator, attached)
            else:  # being created by another task now: registered when it is done, before any request
                opening.add_done_callback(functools.partial(_registered_when_done, attached))
        return attached

    def _register(self, boto: Any) -> None:
        """Answer ``boto``'s requests (call under the lock); if another ``_Attached`` does
        already, its emulators stay the last attached."""
        present: _Attached | None = getattr(boto, self._ATTRIBUTE, None)
        if present is not None:
            if present is not self:
                present.emulators = (*(e for e in self.emulators if e not in present.emulators), *present.emulators)
            return
        self.asynchronous = inspect.iscoroutinefunction(getattr(boto, "_make_api_call", None))
        setattr(boto, self._ATTRIBUTE, self)
        boto.meta.events.register(_EVENT, self, unique_id=self._ATTRIBUTE)

    def add(self, emulator: Emulator) -> None:
        with _attach_lock:
            self.emulators = (*(e for e in self.emulators if e is not emulator), emulator)

    def remove(self, emulator: Emulator) -> None:
        with _attach_lock:
            self.emulators = tuple(e for e in self.emulators if e is not emulator)

    def __call__(self, request: Any, **kwargs: Any) -> AWSResponse | None:
        emulators = self.emulators
        if not emulators:
            return None  # sent as usual
        return emulators[-1]._respond_async(request) if self.asynchronous else emulators[-1]._respond(request)


class _AttachOnOpen:
    """Stands in for the client creator of an :class:`AsyncCustomerProfilesClient` that is not
    open yet (an aiobotocore ``ClientCreatorContext``): it registers the emulators' handler on the
    aiobotocore client as soon as the creator has made it, before the SDK sends anything."""

    def __init__(self, creator: Any, attached: _Attached) -> None:
        self._creator = creator
        self._attached = attached

    async def __aenter__(self) -> Any:
        client = await self._creator.__aenter__()
        with _attach_lock:
            self._attached._register(client)
        return client

    async def __aexit__(self, *exc: Any) -> Any:
        return await self._creator.__aexit__(*exc)


def _registered_when_done(attached: _Attached, opening: Any) -> None:
    if not opening.cancelled() and opening.exception() is None:
        with _attach_lock:
            attached._register(opening.result())


_attach_lock = threading.Lock()


# One boto3 session per region for the clients the emulator makes: a new session loads the
# service model again (~0.2 s), a cached one makes a client in milliseconds. Sessions are not
# thread-safe, so clients are made under a lock; each client has its own copy of the events.
_sessions: dict[str, Any] = {}
_sessions_lock = threading.Lock()


def _isolated_botocore_session(session_class: Any = None) -> Any:
    """A botocore session (or one of ``session_class``, aiobotocore's ``AioSession``) that reads no
    environment variable and no config or credentials file: every session variable keeps only its
    built-in default (the files' paths none at all)."""
    import botocore.session

    from .._compat import private_loader

    variables = {
        name: (None, None, None if name in ("config_file", "credentials_file") else default, convert)
        for name, (_config_name, _env, default, convert) in botocore.session.Session.SESSION_VARIABLES.items()
    }
    session = (session_class or botocore.session.Session)(session_vars=variables)
    # The emulator's own session: it loads the package's model, like the SDK's clients.
    session.register_component("data_loader", private_loader(session.get_component("data_loader")))
    return session


def _new_client(region: str, config: Config | None) -> Any:
    import boto3.session

    with _sessions_lock:
        session = _sessions.get(region)
        if session is None:
            session = boto3.session.Session(aws_access_key_id="emulator", aws_secret_access_key="emulator",
                                            region_name=region, botocore_session=_isolated_botocore_session())
            _sessions[region] = session
        return session.client("customer-profiles", config=_standard_retries(config))


def _standard_retries(config: Config | None) -> Config:
    """``config`` with the ``standard`` retry mode unless it names a mode (the emulator's sessions
    read no ``AWS_RETRY_MODE``: only ``config`` can choose)."""
    from botocore.config import Config as _Config

    given = dict(getattr(config, "retries", None) or {})
    if "mode" in given:
        return cast("Config", config)
    extra = _Config(retries=cast(Any, {**given, "mode": "standard"}))
    return config.merge(extra) if config is not None else extra


# Process-wide installation: botocore's Endpoint._send is wrapped while any emulator is installed.
# (_send is private to botocore, so its type stubs do not have it.)
_Endpoint: Any = Endpoint
# The stack of installed emulators, innermost last. It is replaced whole under the lock, never
# changed in place, so _patched_send reads a consistent snapshot without taking the lock.
_installed: tuple[Emulator, ...] = ()
_install_lock = threading.Lock()
# botocore's own _send, saved at the first install and kept: a thread that entered _patched_send
# just before the last uninstall still has somewhere to send its request.
_original_send: Callable[[Endpoint, Any], Any] | None = None
# The same for aiobotocore's AioEndpoint (and its subclasses), whose _send is a coroutine function,
# when aiobotocore is installed: the class, and its own _send.
_AioEndpoint: Any = None
_original_aio_send: Callable[[Any, Any], Any] | None = None


def _patched_send(endpoint: Endpoint, request: Any) -> Any:
    stack = _installed
    if stack and getattr(endpoint, "_endpoint_prefix", None) == _ENDPOINT_PREFIX:
        return stack[-1]._respond(request)
    assert _original_send is not None
    return _original_send(endpoint, request)


async def _patched_aio_send(endpoint: Any, request: Any) -> Any:
    stack = _installed
    if stack and getattr(endpoint, "_endpoint_prefix", None) == _ENDPOINT_PREFIX:
        return stack[-1]._respond_async(request)
    assert _original_aio_send is not None
    return await _original_aio_send(endpoint, request)


def _aio_endpoint_class() -> Any:
    """aiobotocore's ``AioEndpoint``, or None when aiobotocore is not installed (then nothing is
    imported) or cannot be imported (an aiobotocore that does not fit the installed botocore)."""
    if importlib.util.find_spec("aiobotocore") is None:
        return None
    try:
        endpoint = importlib.import_module("aiobotocore.endpoint").AioEndpoint
    except ImportError:
        return None
    return endpoint if "_send" in vars(endpoint) else None


def _install(emulator: Emulator) -> None:
    global _installed, _original_send, _AioEndpoint, _original_aio_send
    with _install_lock:
        if not _installed:
            _original_send = _Endpoint._send
            _Endpoint._send = _patched_send
            _AioEndpoint = _aio_endpoint_class()
            if _AioEndpoint is not None:
                _original_aio_send = vars(_AioEndpoint)["_send"]
                _AioEndpoint._send = _patched_aio_send
            _client_defaults.install(lambda: _installed[-1].region if _installed else None)
        _installed = (*_installed, emulator)


def _uninstall(emulator: Emulator) -> None:
    global _installed
    with _install_lock:
        if emulator not in _installed:
            return
        index = len(_installed) - 1 - _installed[::-1].index(emulator)
        _installed = _installed[:index] + _installed[index + 1:]
        if not _installed:
            _Endpoint._send = _original_send
            if _AioEndpoint is not None:
                _AioEndpoint._send = _original_aio_send
            _client_defaults.uninstall()


def installed() -> Emulator | None:
    """The emulator that answers process-wide now, if any."""
    stack = _installed
    return stack[-1] if stack else None


# Every wait on a client is bounded, so that no connection holds its thread for ever, however
# slowly its bytes come (a "slowloris" client sends one byte at a time, each just in time).
# How long a connection may wait for the first byte of its next request: then it is closed without
# an answer (nothing was asked).
_IDLE_SECONDS = 60.0
# How long the request line and headers may take to arrive, from their first byte: a 408 after it.
_HEAD_SECONDS = 10.0
# How long the server waits for the next bytes of a request body before giving up on the request
# (a client that stalls halfway through its body gets a 408, and the request is not run) ...
_BODY_TIMEOUT_SECONDS = 10.0
# ... and how long the whole body may take, however steadily it trickles in (16 MiB over loopback
# takes well under a second).
_BODY_SECONDS = 60.0
# How long writing one answer may take (a client that does not read its answers).
_WRITE_SECONDS = 30.0
# At most this many connections are served at once (one thread each); one more is answered with a
# 503 and closed at once, from the thread that accepts connections.
_MAX_CONNECTIONS = 256
# After refusing a request it did not read to its end, the server reads and drops what the client
# still sends, for at most this long and this many bytes, before it closes the connection: closing
# with unread data makes the kernel reset the connection, and the client could lose the answer.
_DRAIN_SECONDS = 1.0
_DRAIN_BYTES = 1 << 20

# The error code and fixed message of each status that http.server answers by itself (a request
# line or headers it cannot parse, a method with no handler). The message never quotes the request.
_PROTOCOL_ERRORS: dict[int, tuple[str, str]] = {
    400: ("BadRequestException", "the request line is not valid HTTP"),
    408: ("RequestTimeoutException", "the request did not arrive in time"),
    414: ("RequestUriTooLongException", "the request line is longer than 65536 bytes"),
    431: ("RequestHeaderFieldsTooLargeException",
          "the request has more than 100 headers, or a header line longer than 65536 bytes"),
    501: ("UnsupportedMethodException", "the HTTP method is not one the service uses"),
    505: ("HttpVersionNotSupportedException", "the emulator speaks HTTP/1.0 and HTTP/1.1 only"),
}


def _printable(text: str) -> str:
    """``text`` for a log line: printable ASCII kept, anything else (control bytes, newlines, NUL,
    ``\\xff``, the backslash itself) escaped, so that it can neither forge nor break a line."""
    return "".join(char if " " <= char <= "~" and char != "\\" else _escaped(char) for char in text)


def _escaped(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


class _TimedReader(io.RawIOBase):
    """A connection's incoming bytes, each read bounded by the handler's current time limits.

    Before a request: wait at most ``idle`` for its first byte, then give its whole head ``limit``
    from that byte. For a body: a ``deadline`` for the whole of it, and at most ``idle`` between
    two reads. Past a limit, a read raises TimeoutError.
    """

    def __init__(self, connection: socket.socket) -> None:
        self._connection = connection
        self.idle: float = _IDLE_SECONDS
        self.limit: float | None = None
        self.deadline: float | None = None
        self.first_byte: float | None = None

    def expect_head(self) -> None:
        self.idle, self.limit, self.deadline, self.first_byte = _IDLE_SECONDS, _HEAD_SECONDS, None, None

    def expect_body(self) -> None:
        self.idle, self.limit, self.deadline = _BODY_TIMEOUT_SECONDS, None, time.monotonic() + _BODY_SECONDS

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        timeout = self.idle
        if self.deadline is not None:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("the time limit for this part of the request has passed")
            timeout = min(timeout, remaining)
        self._connection.settimeout(timeout)
        count = self._connection.recv_into(buffer)
        if count and self.first_byte is None:
            self.first_byte = time.monotonic()
            if self.limit is not None:  # the head's clock starts with its first byte
                self.deadline = self.first_byte + self.limit
        return count


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    # Every answer is written in one piece (status line, headers and body), and sent at once: with
    # Nagle's algorithm on, a second small write would wait for the client's delayed ACK (~40 ms).
    disable_nagle_algorithm = True
    # Set when a request is refused before its end was read: see finish().
    _drain = False
    # Set once an answer to the current request is being written.
    _answered = False
    _started: float | None = None

    def setup(self) -> None:
        super().setup()
        # The request's bytes are read through a reader that bounds every wait (see _TimedReader),
        # in place of the socket file http.server made (closed, so it holds no reference).
        self.rfile.close()
        self._reader = _TimedReader(self.connection)
        self.rfile = io.BufferedReader(self._reader, 65536)

    def handle_one_request(self) -> None:
        """http.server's loop body, with every read bounded in time: a connection idle for
        ``_IDLE_SECONDS`` is closed, a request head that takes longer than ``_HEAD_SECONDS`` (one
        byte at a time, say) gets a 408."""
        self._reader.expect_head()
        self._answered = False
        self._started = None
        self.raw_requestline = b""
        try:
            self.raw_requestline = self.rfile.readline(65537)
            self._started = self._reader.first_byte or time.monotonic()
            if len(self.raw_requestline) > 65536:
                self.requestline = self.request_version = self.command = ""
                self.send_error(414)
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():  # it answered already
                return
            handler = getattr(self, "do_" + self.command, None)
            if handler is None:
                self.send_error(501)
                return
            handler()
        except TimeoutError:
            self.close_connection = True
            if self._answered:  # writing the answer timed out: nothing more can be sent
                logger.debug("an answer could not be written in time; the connection is closed")
            elif self._reader.first_byte is None and not self.raw_requestline:
                logger.debug("a connection idle for %.0f s is closed", _IDLE_SECONDS)
            else:
                self._refuse(EmulatorError(
                    "RequestTimeoutException",
                    f"the request line and headers did not arrive within {_HEAD_SECONDS:g} seconds", 408),
                    log_line=False)
                logger.debug("refused a request whose head did not arrive in time: 408")

    def _answer(self) -> None:
        if urlsplit(self.path).path.startswith(UPLOAD_PREFIX):
            self._answer_upload()
            return
        framing = framing_error(self.command, self.headers.get_all("Content-Length") or [],
                                self.headers.get_all("Transfer-Encoding") or [], length_required=True)
        if framing is not None:
            # The body's end is unknown: answer, and close the connection rather than read
            # the rest of the body as the next request.
            self._refuse(framing)
            return
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = self._read_body(length)
        except TimeoutError:
            self._refuse(EmulatorError("RequestTimeoutException", "the request body did not arrive in time", 408))
            return
        # A body cut short (the client closed early) is never run, even if what came parses.
        cut = body_length_error(length, len(body))
        if cut is not None:
            self._refuse(cut)
            return
        # GetUploadJobPath answers upload URLs on this server (see _areas/upload_jobs.py).
        host, port = self.server.server_address[:2]
        if not isinstance(host, str) or host in ("0.0.0.0", ""):
            host = "127.0.0.1"
        base = upload_base.set(f"http://{host}:{port}")
        try:
            status, headers, data = self.server.emulator.handle(self.command, self.path, body)
        except Exception as error:  # a bug in the emulator: a 500, and where it failed in the log
            self._log_failure(error)
            status, headers, data = render_error(
                EmulatorError("InternalServerException", "the emulator failed; see its log", 500))
        finally:
            upload_base.reset(base)
        self._send(status, headers, data)

    def _answer_upload(self) -> None:
        """A request to an upload URL (a PUT of a CSV file, as to S3): answered as S3 answers,
        errors as XML. The path holds the URL's secret: it is never logged."""
        if self.headers.get_all("Transfer-Encoding"):
            self._refuse_upload(s3_error("NotImplemented", "The emulator reads uploads by Content-Length, "
                                         "not chunked.", 501))
            return
        lengths = {value.strip() for value in self.headers.get_all("Content-Length") or []}
        if len(lengths) > 1 or any(not value.isdigit() or len(value) > 20 for value in lengths):
            self._refuse_upload(s3_error("InvalidArgument", "The Content-Length header is not valid.", 400))
            return
        if not lengths and self.command in ("PUT", "POST", "PATCH"):
            self._refuse_upload(s3_error("MissingContentLength", "An upload needs a Content-Length.", 411))
            return
        length = int(next(iter(lengths))) if lengths else 0
        if length > MAX_UPLOAD_BYTES:
            self._refuse_upload(s3_error("EntityTooLarge", "The upload is larger than the emulator takes.", 400))
            return
        try:
            body = self._read_body(length)
        except TimeoutError:
            self._refuse_upload(s3_error("RequestTimeout", "The upload did not arrive in time.", 400))
            return
        if len(body) != length:
            self._refuse_upload(s3_error("IncompleteBody", "The upload is shorter than its Content-Length.", 400))
            return
        headers = {name: value for name, value in self.headers.items()}
        try:
            status, answer_headers, data = self.server.emulator.handle_upload(self.command, self.path, headers, body)
        except Exception as error:  # a bug in the emulator: a 500, and where it failed in the log
            self._log_failure(error)
            status, answer_headers, data = s3_error("InternalError", "The emulator failed; see its log.", 500)
        self._send(status, answer_headers, data)

    def _refuse_upload(self, answer: tuple[int, dict[str, str], bytes]) -> None:
        self._send(*answer, close=True)
        self._drain = True

    def _read_body(self, length: int) -> bytes:
        """The next ``length`` bytes, or fewer if the client closed its side first."""
        if not length:
            return b""
        self._reader.expect_body()
        return self.rfile.read(length)

    def _refuse(self, error: EmulatorError, *, log_line: bool = True) -> None:
        """Answer ``error`` and close the connection: what follows cannot be read as a request."""
        self._send(*render_error(error), close=True, log_line=log_line)
        self._drain = True

    def _send(self, status: int, headers: dict[str, str], data: bytes, close: bool = False,
              log_line: bool = True) -> None:
        """Write the whole answer with a single write."""
        if log_line:
            self.log_request(status)
        self._answered = True
        self.connection.settimeout(_WRITE_SECONDS)
        phrase = self.responses[status][0] if status in self.responses else ""
        lines = [f"{self.protocol_version} {status} {phrase}",
                 f"Server: {self.version_string()}", f"Date: {self.date_time_string()}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if close:
            lines.append("Connection: close")
            self.close_connection = True
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + data)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (a request line or headers it cannot parse, an overlong
        line, a method with no handler, an HTTP version it does not speak) as the emulator's other
        errors look: a JSON body and ``x-amzn-ErrorType``, not an HTML page. ``message`` and
        ``explain`` may quote the request line, so neither is used or logged."""
        kind, text = _PROTOCOL_ERRORS.get(
            code, ("BadRequestException" if code < 500 else "InternalServerException", "the request was refused"))
        logger.debug("refused a request that is not valid HTTP: %d", code)
        # The request line is not valid: it is not logged as one (it may be anything at all).
        self._refuse(EmulatorError(kind, text, code), log_line=False)

    def finish(self) -> None:
        super().finish()
        if self._drain:
            self._drain_input()

    def _drain_input(self) -> None:
        """Tell the client the answer is complete, then read and drop what it still sends until
        it closes, bounded in time and bytes."""
        with contextlib.suppress(OSError):  # TimeoutError included
            self.connection.shutdown(socket.SHUT_WR)
            deadline = time.monotonic() + _DRAIN_SECONDS
            received = 0
            while received < _DRAIN_BYTES:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self.connection.settimeout(remaining)
                chunk = self.connection.recv(65536)
                if not chunk:
                    break
                received += len(chunk)

    def _log_failure(self, error: Exception) -> None:
        """Log the operation, the exception's type and the frames where it was raised: never its
        message (it may quote request values), so not ``logger.exception``."""
        try:
            operation = route(self.command, urlsplit(self.path).path)[0]
        except EmulatorError:
            operation = "an unknown operation"
        kind = type(error)
        name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
        frames = "".join(traceback.format_list(traceback.extract_tb(error.__traceback__)))
        logger.error("the emulator failed on %s: %s raised at\n%s", operation, name, frames.rstrip())

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _answer

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """One line per answered request: the method, the operation's name (never the path, whose
        labels and query values may be personal data), the status and how long it took."""
        try:
            operation = route(self.command, urlsplit(self.path).path)[0]
        except (EmulatorError, ValueError):
            operation = "(no operation)"
        started = self._started
        elapsed = (time.monotonic() - started) * 1000 if started is not None else 0.0
        logger.debug("%s %s %s %.1f ms", _printable(self.command), operation, _printable(str(code)), elapsed)

    def log_error(self, format: str, *args: Any) -> None:
        # http.server's messages quote the request line or the exception: only the template is kept.
        self.log_message(format)

    def log_message(self, format: str, *args: Any) -> None:
        # Whatever else http.server logs: its fixed text only, never the values filled into it.
        logger.debug("http.server: %s", _printable(format))


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog of 5 resets connections when many clients connect at once.
    request_queue_size = 128

    def __init__(self, emulator: Emulator, address: tuple[str, int]) -> None:
        self.emulator = emulator
        # Open connections, so that close() also ends the kept-alive ones: without that, a client
        # would go on being answered on a connection it opened before the server was closed.
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            room = len(self._connections) < _MAX_CONNECTIONS
            if room:
                self._connections.add(request)
        if room:
            super().process_request(request, client_address)
            return
        # No thread for it: a short answer (it fits in the socket's buffer, so this never waits
        # long), and the connection is closed.
        logger.debug("refused a connection: %d are open already", _MAX_CONNECTIONS)
        _, headers, data = render_error(EmulatorError(
            "ServiceUnavailableException", f"the emulator serves at most {_MAX_CONNECTIONS} connections at once", 503))
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        with contextlib.suppress(OSError):
            request.settimeout(1.0)
            request.sendall(f"HTTP/1.1 503 Service Unavailable\r\n{head}Connection: close\r\n\r\n".encode("latin-1")
                            + data)
        self.shutdown_request(request)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A connection that failed outside the emulator's own code (the client reset it, or went
        away before its answer was written): logged with the exception's type only, instead of
        socketserver's traceback on stderr."""
        kind = sys.exc_info()[0]
        logger.debug("a connection ended with %s", kind.__name__ if kind is not None else "an error")

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class EmulatorServer:
    """A running HTTP server for an :class:`Emulator`."""

    def __init__(self, emulator: Emulator, host: str, port: int) -> None:
        self.emulator = emulator
        self._server = _Server(emulator, (host, port))
        self.host = host
        self.port = int(self._server.server_address[1])
        # A short poll interval: close() returns within 50 ms instead of serve_forever's 0.5 s.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="cp-emulator", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> EmulatorServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextlib.contextmanager
def emulated(**kwargs: Any) -> Iterator[Emulator]:
    """``with emulated() as emu:``: a fresh emulator installed process-wide for the block."""
    with Emulator(**kwargs) as emulator:
        yield emulator


def serve_forever(port: int, host: str = "127.0.0.1", **kwargs: Any) -> None:
    """Serve a fresh emulator in the foreground until interrupted (the ``serve`` command)."""
    emulator = Emulator(**kwargs)
    server = _Server(emulator, (host, port))
    print(f"customer-profiles emulator listening on http://{host}:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
