"""The emulator object: how requests reach the backend, in process or over 127.0.0.1."""

from __future__ import annotations

import contextlib
import http.server
import logging
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any
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
                 clock: Callable[[], datetime] | None = None) -> None:
        self.region = region
        self.backend = Backend(account_id=account_id, region=region, clock=clock)

    # -- the HTTP entry point ------------------------------------------------------------------
    def handle(self, method: str, url: str, body: bytes | str | None = b"") -> tuple[int, dict[str, str], bytes]:
        """Answer one HTTP request: ``(status, headers, body)``. ``url`` may be a path."""
        if isinstance(body, str):
            body = body.encode()
        parts = urlsplit(url)
        try:
            operation, labels = route(method.upper(), parts.path or "/")
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
        return AWSResponse(request.url, status, headers, _Body(data))

    def _before_send(self, request: Any, **kwargs: Any) -> AWSResponse:
        return self._respond(request)

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
        """Answer this client's requests (a boto3 client or a :class:`CustomerProfilesClient`)."""
        boto = getattr(client, "boto3_client", client)
        boto.meta.events.register(_EVENT, self._before_send, unique_id=f"cp-emulator-{id(self)}")

    def detach(self, client: Any) -> None:
        boto = getattr(client, "boto3_client", client)
        boto.meta.events.unregister(_EVENT, self._before_send, unique_id=f"cp-emulator-{id(self)}")

    def boto3_client(self, config: Config | None = None) -> Any:
        """A plain boto3 ``customer-profiles`` client with dummy credentials, attached."""
        import boto3

        session = boto3.session.Session(aws_access_key_id="emulator", aws_secret_access_key="emulator",
                                        region_name=self.region)
        client = session.client("customer-profiles", config=config)
        self.attach(client)
        return client

    def client(self, config: Config | None = None, **kwargs: Any) -> CustomerProfilesClient:
        """A :class:`CustomerProfilesClient` with dummy credentials, attached. ``kwargs`` go to
        the client (``fast_parse=False``, ...)."""
        from ..client import CustomerProfilesClient

        return CustomerProfilesClient(client=self.boto3_client(config), **kwargs)

    # -- HTTP server ---------------------------------------------------------------------------
    def serve(self, port: int = 0, host: str = "127.0.0.1") -> EmulatorServer:
        """Serve this emulator over HTTP in a background thread; stop it with ``close()`` or a
        ``with`` block. ``port=0`` picks a free port (``server.port``)."""
        return EmulatorServer(self, host, port)


# Process-wide installation: botocore's Endpoint._send is wrapped while any emulator is installed.
_installed: list[Emulator] = []
_install_lock = threading.Lock()
_original_send: Callable[[Endpoint, Any], Any] | None = None


def _patched_send(endpoint: Endpoint, request: Any) -> Any:
    active = _installed[-1] if _installed else None
    if active is not None and getattr(endpoint, "_endpoint_prefix", None) == _ENDPOINT_PREFIX:
        return active._respond(request)
    assert _original_send is not None
    return _original_send(endpoint, request)


def _install(emulator: Emulator) -> None:
    global _original_send
    with _install_lock:
        if _original_send is None:
            _original_send = Endpoint._send
            Endpoint._send = _patched_send  # type: ignore[method-assign]
        _installed.append(emulator)


def _uninstall(emulator: Emulator) -> None:
    global _original_send
    with _install_lock:
        for index in range(len(_installed) - 1, -1, -1):
            if _installed[index] is emulator:
                del _installed[index]
                break
        if not _installed and _original_send is not None:
            Endpoint._send = _original_send  # type: ignore[method-assign]
            _original_send = None


def installed() -> Emulator | None:
    """The emulator that answers process-wide now, if any."""
    return _installed[-1] if _installed else None


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            status, headers, data = self.server.emulator.handle(self.command, self.path, body)
        except Exception:  # a bug in the emulator: a 500, and the traceback in the log
            logger.exception("the emulator failed on %s %s", self.command, urlsplit(self.path).path)
            status, headers, data = render_error(
                EmulatorError("InternalServerException", "the emulator failed; see its log", 500))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _answer

    def log_message(self, format: str, *args: Any) -> None:
        # The request line holds ids and query strings only; bodies are never logged.
        logger.debug("%s - %s", self.address_string(), format % args)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, emulator: Emulator, address: tuple[str, int]) -> None:
        self.emulator = emulator
        super().__init__(address, _Handler)


class EmulatorServer:
    """A running HTTP server for an :class:`Emulator`."""

    def __init__(self, emulator: Emulator, host: str, port: int) -> None:
        self.emulator = emulator
        self._server = _Server(emulator, (host, port))
        self.host = host
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, name="cp-emulator", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def close(self) -> None:
        self._server.shutdown()
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
