"""Sending an upload job's file to the URL of GetUploadJobPath, with S3's SSE-C headers.

:func:`put_upload` is the one place the SDK PUTs a file: to the emulator that answers the client
when the URL is on the emulator's reserved host (no network at all), otherwise over HTTP with
urllib3. :func:`sse_c_headers` builds the three headers from the job's ``ClientToken``.

The ClientToken is a secret key and the URL carries a signature: neither is ever logged, put in a
repr or quoted in an error message.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import inspect
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from typing import IO, Any
from urllib.parse import urlsplit

from .errors import UploadError

#: The host of the upload URLs an emulator answers in process (mirrors the emulator's constant).
EMULATOR_UPLOAD_HOST = "uploads.customer-profiles-emulator.invalid"
#: The seconds urllib3 waits to connect, and between two reads of the answer, by default.
DEFAULT_TIMEOUT = 60.0
#: The most one PUT sends: S3 takes at most 5 GiB in a single PUT.
MAX_PUT_BYTES = 5 * 1024**3
#: How much of a file is read (and sent) at a time.
CHUNK_BYTES = 64 * 1024
#: A stream that cannot tell its length is copied to a temporary file first, so that the PUT can
#: carry a Content-Length (S3 refuses a chunked PUT): up to this many bytes in memory, the rest on disk.
SPOOL_MEMORY_BYTES = 1024 * 1024
# The most of an answer's body that is read (S3's answers to a PUT are a few hundred bytes).
_MAX_ANSWER_BYTES = 1 << 20
# S3's error code in an XML <Error> answer (its message is never kept: it may quote the request).
_S3_CODE = re.compile(rb"<Code>([A-Za-z][A-Za-z0-9_.-]{0,63})</Code>")

Body = bytes | bytearray | memoryview | IO[bytes]


def sse_c_headers(client_token: str) -> dict[str, str]:
    """The SSE-C headers an upload carries for the job's ``ClientToken`` (the base64 text of a
    256-bit key): the algorithm, the key, and the base64 MD5 of the key's bytes."""
    try:
        key = base64.b64decode(client_token.strip().encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise ValueError("the ClientToken is not base64 text") from None
    return {
        "x-amz-server-side-encryption-customer-algorithm": "AES256",
        "x-amz-server-side-encryption-customer-key": client_token.strip(),
        "x-amz-server-side-encryption-customer-key-MD5": base64.b64encode(hashlib.md5(key).digest()).decode(),
    }


def _emulator_of(client: Any) -> Any:
    """The emulator that answers ``client`` (attached to it last, else installed process-wide),
    or None."""
    from .local._emulator import _Attached, installed

    boto = getattr(client, "aiobotocore_client", None) or client
    attached = getattr(boto, _Attached._ATTRIBUTE, None)
    if attached is None:
        boto = getattr(boto, "boto3_client", boto)
        attached = getattr(boto, _Attached._ATTRIBUTE, None)
    if attached is not None and attached.emulators:
        return attached.emulators[-1]
    return installed()


def answered_in_process(url: str) -> bool:
    """Whether ``url`` is an upload URL of an emulator in this process (no network: the PUT is a
    function call, so an async caller need not move it to a thread)."""
    return urlsplit(url).hostname == EMULATOR_UPLOAD_HOST


def s3_error_code(body: bytes) -> str | None:
    """The S3 error code of an XML ``<Error>`` answer, or None (the message is never read)."""
    found = _S3_CODE.search(body[:_MAX_ANSWER_BYTES])
    return found.group(1).decode("ascii") if found else None


def _read(body: IO[bytes], size: int) -> bytes:
    """At most ``size`` bytes of ``body`` (fewer only at its end); a text stream is refused."""
    data = body.read(size)
    if data is None:  # a non-blocking raw stream with nothing to give now
        raise UploadError("the body is a non-blocking stream that has no data ready; pass a blocking one")
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"the body must be bytes or a binary file object, but its read() gave {type(data).__name__}")
    return bytes(data)


def _read_at_most(body: IO[bytes], limit: int) -> bytes:
    """``body`` to its end, or its first ``limit`` bytes (a read may give fewer than asked)."""
    parts: list[bytes] = []
    got = 0
    while got < limit:
        data = _read(body, min(CHUNK_BYTES * 16, limit - got))
        if not data:
            break
        parts.append(data)
        got += len(data)
    return b"".join(parts)


def _length(body: IO[bytes]) -> int | None:
    """The number of bytes left in ``body``, when it can be known without reading it."""
    try:
        if body.seekable():
            position = body.tell()
            end = body.seek(0, os.SEEK_END)
            body.seek(position)
            return max(0, end - position)
    except (AttributeError, OSError, ValueError):
        pass
    return None


def _spooled(body: IO[bytes]) -> tuple[IO[bytes], int]:
    """A stream of unknown length copied, a chunk at a time, to a temporary file (in memory up to
    :data:`SPOOL_MEMORY_BYTES`, on disk past it): the copy, rewound, and its length."""
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES)
    try:
        length = 0
        while data := _read(body, CHUNK_BYTES):
            length += len(data)
            if length > MAX_PUT_BYTES:
                raise UploadError(f"the body is larger than {MAX_PUT_BYTES // 1024**3} GiB, the most one PUT takes")
            spool.write(data)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return spool, length


def _exactly(body: IO[bytes], length: int) -> Iterator[bytes]:
    """``length`` bytes of a file object, a chunk at a time as urllib3 sends them: never more (a
    file that grew while it was sent would break the framing of the request), and :class:`_Shrunk`
    if the file ends first (one that shrank)."""
    left = length
    while left > 0:
        data = _read(body, min(left, CHUNK_BYTES))
        if not data:
            raise _Shrunk
        left -= len(data)
        yield data


class _Shrunk(Exception):
    """The file ended before the bytes its length promised had been sent."""


def _kinds(error: BaseException) -> str:
    """The class names of ``error`` and of the errors that caused it (``NewConnectionError:
    ConnectionRefusedError``): never their messages, which may quote the URL."""
    names: list[str] = []
    seen: BaseException | None = error
    for _ in range(8):  # bounded: a chain may loop back on itself
        if seen is None:
            break
        if type(seen).__name__ not in names:
            names.append(type(seen).__name__)
        seen = seen.__cause__ or seen.__context__
    return ": ".join(names)


def _streams_answers(kind: Any) -> bool:
    """Whether urllib3's connection takes ``preload_content`` (urllib3 2)."""
    return "preload_content" in inspect.signature(kind.request).parameters


def put_upload(client: Any, url: str, body: Body, headers: Mapping[str, str] | None = None, *,
               timeout: float = DEFAULT_TIMEOUT) -> tuple[int, dict[str, str], bytes]:
    """PUT ``body`` (bytes, or a binary file object, read from its current position) to an upload
    URL of GetUploadJobPath with ``headers`` (:func:`sse_c_headers`, at least): ``(status, headers,
    body)`` of the answer, whatever its status.

    A URL on the emulator's reserved host is answered by the emulator attached to ``client`` (a
    :class:`~customer_profiles_sdk.client.CustomerProfilesClient`, its async twin, or a boto3 or
    aiobotocore client), or else the one installed process-wide: nothing goes to the network, and
    the emulator reads the file into memory, as it keeps it (64 MiB at most). Any other URL is
    sent with urllib3 (one connection, no retry, no redirect), with ``timeout`` seconds to connect
    and between reads. A file is streamed a chunk at a time, never read whole: a seekable one
    (a file on disk) as it is, with its length as Content-Length; one that cannot tell its length
    (a pipe, a socket) is first copied to a temporary file, in memory up to 1 MiB and on disk past
    it, because S3 takes no chunked PUT. At most 5 GiB (S3's limit for one PUT).

    Raises :class:`~customer_profiles_sdk.errors.UploadError` when no answer can be had, ``TypeError``
    for a body that is neither bytes nor a binary file. Messages never quote the URL or the key.
    """
    sent = {name: value for name, value in (headers or {}).items()}
    if not isinstance(body, bytes | bytearray | memoryview) and not callable(getattr(body, "read", None)):
        raise TypeError(f"the body must be bytes or a binary file object, not {type(body).__name__}")
    parts = urlsplit(url)
    if parts.hostname == EMULATOR_UPLOAD_HOST:
        emulator = _emulator_of(client)
        if emulator is None:
            raise UploadError("the URL is an emulator's upload URL, but no emulator answers this client")
        from .local._areas.upload_jobs import MAX_UPLOAD_BYTES

        # One byte past the emulator's limit at most: a larger file is refused, not held.
        data = bytes(body) if isinstance(body, bytes | bytearray | memoryview) else _read_at_most(
            body, MAX_UPLOAD_BYTES + 1)
        status, answer, content = emulator.handle_upload("PUT", url, sent, data)
        return status, dict(answer), content
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UploadError("the upload URL is not an http or https URL")
    if isinstance(body, bytes | bytearray | memoryview):
        data = bytes(body)
        return _put(parts.scheme, parts, data, len(data), sent, timeout)
    length = _length(body)
    if length is not None:
        if length > MAX_PUT_BYTES:
            raise UploadError(f"the body is larger than {MAX_PUT_BYTES // 1024**3} GiB, the most one PUT takes")
        return _put(parts.scheme, parts, _exactly(body, length), length, sent, timeout)
    spool, length = _spooled(body)
    with spool:
        return _put(parts.scheme, parts, _exactly(spool, length), length, sent, timeout)


def _put(scheme: str, parts: Any, payload: bytes | Iterator[bytes], length: int, sent: dict[str, str],
         timeout: float) -> tuple[int, dict[str, str], bytes]:
    """Send one PUT of ``length`` bytes on a new connection: the answer's status, headers, body."""
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.exceptions import HTTPError

    sent = {name: value for name, value in sent.items() if name.lower() != "content-length"}
    sent["Content-Length"] = str(length)
    # A bare connection, not a pool: urllib3's pool logs each request's path and query (the URL's
    # signature) at DEBUG level. HTTPS verifies the certificate and the host name.
    kind = HTTPSConnection if scheme == "https" else HTTPConnection
    connection = kind(parts.hostname, parts.port, timeout=timeout, blocksize=CHUNK_BYTES)
    target = parts.path or "/"
    if parts.query:
        target += f"?{parts.query}"
    try:
        if _streams_answers(kind):
            connection.request("PUT", target, body=payload, headers=sent, preload_content=False)
        else:  # urllib3 1.26: http.client's request, whose answer is read as it comes anyway
            connection.request("PUT", target, body=payload, headers=sent)
        response = connection.getresponse()
        content = response.read(_MAX_ANSWER_BYTES)
        status, answer = response.status, {name: value for name, value in response.headers.items()}
    except _Shrunk:
        raise UploadError("the file ended before its length was sent: it changed while it was uploaded") from None
    except (HTTPError, OSError) as error:
        raise UploadError(f"the upload could not be sent ({_kinds(error)})") from None
    finally:
        connection.close()
    return status, answer, content


__all__ = ["CHUNK_BYTES", "DEFAULT_TIMEOUT", "EMULATOR_UPLOAD_HOST", "MAX_PUT_BYTES", "UploadError",
           "answered_in_process", "put_upload", "s3_error_code", "sse_c_headers"]
