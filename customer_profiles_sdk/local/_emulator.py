"""The emulator object: how requests reach the backend, in process or over 127.0.0.1."""

from __future__ import annotations

import contextlib
import http.server
import logging
import re
import socket
import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from botocore.awsrequest import AWSResponse
from botocore.endpoint import Endpoint

from ._backend import Backend
from ._errors import EmulatorError
from ._http import parse_request, render_error, render_response, route, service_model

if TYPE_CHECKING:
    from botocore.config import Config

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


@dataclass
class _Fault:
    operation: str | None
    error: EmulatorError
    remaining: int


class Emulator:
    """An in-memory Customer Profiles service for tests and local development.

    Requests are answered at botocore's HTTP layer, so serialization, signing, parsing, typed
    errors and retries all run as against AWS. Three ways to send requests to it:

    * ``with Emulator() as emu:`` answers every customer-profiles client in the process, created
      before or after, the SDK's or a plain boto3 one, until the block ends. Nested blocks: the
      innermost emulator answers.
    * :meth:`attach` answers one client only, with no process-wide change; :meth:`client` and
      :meth:`boto3_client` make attached clients with dummy credentials.
    * :meth:`serve` answers HTTP on 127.0.0.1, for other programs (aws-cli ``--endpoint-url``).

    State belongs to the instance (``emu.backend``) and is safe to share between threads.
    """

    def __init__(self, *, account_id: str = "123456789012", region: str = "us-east-1",
                 clock: Callable[[], datetime] | None = None, seed: int | None = None) -> None:
        """``clock`` gives the emulator's "now" (timestamps, calculated-attribute windows);
        ``seed`` makes generated profile ids and object keys the same in every run."""
        self.region = region
        self.backend = Backend(account_id=account_id, region=region, clock=clock, seed=seed)
        self._faults: list[_Fault] = []
        self._faults_lock = threading.Lock()

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

    def clear_faults(self) -> None:
        """Drop every injected error that has not been used yet."""
        with self._faults_lock:
            self._faults.clear()

    def _injected(self, operation: str) -> EmulatorError | None:
        with self._faults_lock:
            for fault in self._faults:
                if fault.operation in (None, operation):
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    return fault.error
        return None

    # -- the HTTP entry point ------------------------------------------------------------------
    def handle(self, method: str, url: str, body: bytes | str | None = b"") -> tuple[int, dict[str, str], bytes]:
        """Answer one HTTP request: ``(status, headers, body)``. ``url`` may be a path."""
        if isinstance(body, str):
            body = body.encode("utf-8", "surrogatepass")  # a lone surrogate: refused as bad JSON
        parts = urlsplit(url)
        try:
            operation, labels = route(method.upper(), parts.path or "/")
            injected = self._injected(operation) if self._faults else None
            if injected is not None:
                return render_error(injected)
            model = service_model().operation_model(operation)
            params = parse_request(model, labels, parts.query, body or b"")
            return render_response(model, self.backend.call(operation, params))
        except EmulatorError as error:
            return render_error(error)

    def _respond(self, request: Any) -> AWSResponse:
        body = request.body
        if hasattr(body, "read"):
            body = body.read()
        status, headers, data = self.handle(request.method, request.url, body)
        # AWSResponse wraps the headers in botocore's case-insensitive dict; a plain one is fine.
        return AWSResponse(request.url, status, cast(Any, headers), _Body(data))

    def reset(self) -> None:
        """Forget every domain and everything in it."""
        self.backend.reset()

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
        """Answer this client's requests (a boto3 client or a :class:`CustomerProfilesClient`).

        If several emulators are attached to one client, the one attached last answers.
        """
        _Attached.of(client).add(self)

    def detach(self, client: Any) -> None:
        _Attached.of(client).remove(self)

    def boto3_client(self, config: Config | None = None) -> Any:
        """A plain boto3 ``customer-profiles`` client with dummy credentials, attached.

        The client depends on nothing of the user's AWS set-up: it is made from a session that
        reads no environment variable (``AWS_PROFILE``, ``AWS_RETRY_MODE``, ...) and no config or
        credentials file, in the emulator's region. Only ``config`` configures it; botocore's
        defaults apply otherwise (the ``standard`` retry mode).
        """
        client = _new_client(self.region, config)
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
    """

    _ATTRIBUTE = "_customer_profiles_emulators"

    def __init__(self) -> None:
        self.emulators: tuple[Emulator, ...] = ()

    @classmethod
    def of(cls, client: Any) -> _Attached:
        boto = getattr(client, "boto3_client", client)
        with _attach_lock:
            attached: _Attached | None = getattr(boto, cls._ATTRIBUTE, None)
            if attached is None:
                attached = cls()
                setattr(boto, cls._ATTRIBUTE, attached)
                boto.meta.events.register(_EVENT, attached, unique_id=cls._ATTRIBUTE)
            return attached

    def add(self, emulator: Emulator) -> None:
        with _attach_lock:
            self.emulators = (*(e for e in self.emulators if e is not emulator), emulator)

    def remove(self, emulator: Emulator) -> None:
        with _attach_lock:
            self.emulators = tuple(e for e in self.emulators if e is not emulator)

    def __call__(self, request: Any, **kwargs: Any) -> AWSResponse | None:
        emulators = self.emulators
        return emulators[-1]._respond(request) if emulators else None  # None: sent as usual


_attach_lock = threading.Lock()


# One boto3 session per region for the clients the emulator makes: a new session loads the
# service model again (~0.2 s), a cached one makes a client in milliseconds. Sessions are not
# thread-safe, so clients are made under a lock; each client has its own copy of the events.
_sessions: dict[str, Any] = {}
_sessions_lock = threading.Lock()


def _isolated_botocore_session() -> Any:
    """A botocore session that reads no environment variable and no config or credentials file:
    every session variable keeps only its built-in default (the files' paths none at all)."""
    import botocore.session

    variables = {
        name: (None, None, None if name in ("config_file", "credentials_file") else default, convert)
        for name, (_config_name, _env, default, convert) in botocore.session.Session.SESSION_VARIABLES.items()
    }
    return botocore.session.Session(session_vars=variables)


def _new_client(region: str, config: Config | None) -> Any:
    import boto3

    with _sessions_lock:
        session = _sessions.get(region)
        if session is None:
            session = boto3.session.Session(aws_access_key_id="emulator", aws_secret_access_key="emulator",
                                            region_name=region, botocore_session=_isolated_botocore_session())
            _sessions[region] = session
        return session.client("customer-profiles", config=config)


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


def _patched_send(endpoint: Endpoint, request: Any) -> Any:
    stack = _installed
    if stack and getattr(endpoint, "_endpoint_prefix", None) == _ENDPOINT_PREFIX:
        return stack[-1]._respond(request)
    assert _original_send is not None
    return _original_send(endpoint, request)


def _install(emulator: Emulator) -> None:
    global _installed, _original_send
    with _install_lock:
        if not _installed:
            _original_send = _Endpoint._send
            _Endpoint._send = _patched_send
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


def installed() -> Emulator | None:
    """The emulator that answers process-wide now, if any."""
    stack = _installed
    return stack[-1] if stack else None


# The largest request body the server reads (the service's own requests are far smaller).
_MAX_BODY_BYTES = 16 * 1024 * 1024
_LENGTH = re.compile(r"[0-9]{1,20}")


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def _answer(self) -> None:
        framing = self._framing_error()
        if framing is not None:
            # The body's end is unknown: answer, and close the connection rather than read
            # the rest of the body as the next request.
            self._send(*render_error(framing), close=True)
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            status, headers, data = self.server.emulator.handle(self.command, self.path, body)
        except Exception as error:  # a bug in the emulator: a 500, and where it failed in the log
            self._log_failure(error)
            status, headers, data = render_error(
                EmulatorError("InternalServerException", "the emulator failed; see its log", 500))
        self._send(status, headers, data)

    def _framing_error(self) -> EmulatorError | None:
        if self.headers.get_all("Transfer-Encoding"):
            return EmulatorError("LengthRequiredException",
                                 "the emulator reads request bodies by Content-Length, not chunked", 411)
        lengths = {value.strip() for value in self.headers.get_all("Content-Length") or []}
        if len(lengths) > 1 or any(not _LENGTH.fullmatch(value) for value in lengths):
            return EmulatorError("BadRequestException", "the Content-Length header is not a valid length", 400)
        if lengths and int(lengths.pop()) > _MAX_BODY_BYTES:
            return EmulatorError("RequestEntityTooLargeException",
                                 f"the request body is larger than {_MAX_BODY_BYTES} bytes", 413)
        return None

    def _send(self, status: int, headers: dict[str, str], data: bytes, close: bool = False) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if close:
            self.send_header("Connection", "close")  # also sets self.close_connection
        self.end_headers()
        self.wfile.write(data)

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

    def log_message(self, format: str, *args: Any) -> None:
        # The request line holds ids and query strings only; bodies are never logged.
        logger.debug("%s - %s", self.address_string(), format % args)


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
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

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
