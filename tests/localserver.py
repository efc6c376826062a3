"""A scripted HTTP server on 127.0.0.1 for tests: the whole botocore path runs against it.

Tests start it (``with LocalServer() as server``), set ``server.respond`` to a function from the
received :class:`Received` request to a :class:`Reply`, make calls, and read ``server.requests``.
Nothing leaves the machine: clients use dummy credentials and ``endpoint_url=server.url``.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import boto3.session
from botocore.config import Config

from customer_profiles_sdk import CustomerProfilesClient


@dataclass(frozen=True)
class Received:
    method: str
    path: str  # percent-decoded
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class Reply:
    status: int = 200
    body: bytes | str | dict[str, Any] | list[Any] = b"{}"
    headers: dict[str, str] = field(default_factory=dict)
    #: Seconds to wait before answering (read-timeout tests).
    delay: float = 0.0
    #: Close the connection without answering (connection-reset tests).
    drop: bool = False
    #: The Content-Length to declare, if not the body's length. When it is larger than the body,
    #: the body is sent and the connection closed (truncated-body tests).
    content_length: int | None = None


def dummy_session() -> Any:
    """A boto3 session with dummy credentials in us-east-1: nothing is looked up, nothing reaches AWS."""
    return boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")


def shipped_session(**kwargs: Any) -> Any:
    """A boto3 session (dummy credentials in us-east-1 unless given) whose clients load the service
    model the SDK ships, as the SDK's and the emulator's own clients do: plain boto3 clients of it
    have every operation on every supported botocore (botocore 1.34's own model lacks the
    operations added since, such as upload jobs and segments)."""
    from customer_profiles_sdk._compat import private_loader

    settings = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1",
                **kwargs}
    session = boto3.session.Session(**settings)
    core = session._session
    core.register_component("data_loader", private_loader(core.get_component("data_loader")))
    return session


_shipped: Any = None
_shipped_lock = threading.Lock()


def shipped_client(endpoint_url: str | None = None, **kwargs: Any) -> Any:
    """A plain boto3 customer-profiles client of one shared :func:`shipped_session` (a new session
    loads the service model again), aimed at ``endpoint_url``; ``kwargs`` go to ``client()``."""
    global _shipped
    with _shipped_lock:  # sessions are not thread-safe: clients are made one at a time
        if _shipped is None:
            _shipped = shipped_session()
        return _shipped.client("customer-profiles", endpoint_url=endpoint_url, **kwargs)


def error_reply(code: str, status: int, message: str = "test message") -> Reply:
    """A rest-json error answer, as Customer Profiles sends it."""
    return Reply(status, {"Message": message}, {"x-amzn-ErrorType": f"{code}:http://internal/"})


def json_default(value: Any) -> Any:
    from datetime import datetime

    if isinstance(value, datetime):
        return value.timestamp()  # rest-json timestamps are epoch seconds
    raise TypeError(type(value).__name__)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog is 5: many clients connecting at once (load tests) would see
    # connection resets and 1 s SYN retransmits.
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (read-timeout tests) makes the answer fail to send: expected.
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class LocalServer:
    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.respond: Callable[[Received], Reply] = lambda request: Reply()
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # header and body go in separate writes

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                received = Received(
                    method=self.command,
                    path=unquote(parts.path),
                    query=parse_qs(parts.query, keep_blank_values=True),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
                with server._lock:
                    server.requests.append(received)
                reply = server.respond(received)
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.drop:
                    self.close_connection = True
                    try:
                        self.connection.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    return
                payload = reply.body
                if isinstance(payload, dict | list):
                    payload = json.dumps(payload, default=json_default)
                if isinstance(payload, str):
                    payload = payload.encode()
                self.send_response(reply.status)
                headers = {"Content-Type": "application/json", "x-amzn-RequestId": f"req-{len(server.requests)}"}
                headers.update(reply.headers)
                for name, value in headers.items():
                    self.send_header(name, value)
                declared = len(payload) if reply.content_length is None else reply.content_length
                self.send_header("Content-Length", str(declared))
                self.end_headers()
                self.wfile.write(payload)
                if declared > len(payload):
                    self.wfile.flush()
                    self.close_connection = True
                    try:
                        self.connection.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

        self._server = _Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> LocalServer:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()

    def session(self) -> Any:
        return dummy_session()

    def raw_client(self, config: Config | None = None) -> Any:
        """A plain boto3 client for the service (no SDK hooks), aimed at this server. It loads the
        model shipped in the package, as the SDK's clients do, so it knows every operation on any
        supported botocore."""
        from customer_profiles_sdk._compat import private_session

        return private_session(self.session()).create_client("customer-profiles", endpoint_url=self.url,
                                                              config=config)

    def client(self, config: Config | None = None, fast_parse: bool = True) -> CustomerProfilesClient:
        """An SDK client aimed at this server (the SDK picks the retry mode unless ``config`` does)."""
        return CustomerProfilesClient(session=self.session(), endpoint_url=self.url, config=config,
                                      fast_parse=fast_parse)
