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
import io
import os
from collections.abc import Mapping
from typing import IO, Any
from urllib.parse import urlsplit

#: The host of the upload URLs an emulator answers in process (mirrors the emulator's constant).
EMULATOR_UPLOAD_HOST = "uploads.customer-profiles-emulator.invalid"
#: The seconds urllib3 waits to connect, and between two reads of the answer, by default.
DEFAULT_TIMEOUT = 60.0
# The most of an answer's body that is read (S3's answers to a PUT are a few hundred bytes).
_MAX_ANSWER_BYTES = 1 << 20

Body = bytes | bytearray | memoryview | IO[bytes]


class UploadError(Exception):
    """The upload could not be sent (no answer at all); an answer with an error status is
    returned by :func:`put_upload`, not raised. The message never quotes the URL or the key."""


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


def _length(body: Body) -> int | None:
    """The number of bytes left in ``body``, when it can be known without reading it."""
    if isinstance(body, bytes | bytearray | memoryview):
        return memoryview(body).nbytes
    try:
        if body.seekable():
            position = body.tell()
            end = body.seek(0, os.SEEK_END)
            body.seek(position)
            return end - position
    except (AttributeError, OSError, ValueError):
        pass
    return None


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
    aiobotocore client), or else the one installed process-wide: nothing goes to the network. Any
    other URL is sent with urllib3 (one connection, no retry, no redirect), the file streamed, with
    ``timeout`` seconds to connect and between reads. :class:`UploadError` when no answer can be had.
    """
    sent = {name: value for name, value in (headers or {}).items()}
    parts = urlsplit(url)
    if parts.hostname == EMULATOR_UPLOAD_HOST:
        emulator = _emulator_of(client)
        if emulator is None:
            raise UploadError("the URL is an emulator's upload URL, but no emulator answers this client")
        from .local._areas.upload_jobs import MAX_UPLOAD_BYTES

        # Read one byte past the emulator's limit at most: a larger file is refused, not held.
        data = bytes(body) if isinstance(body, bytes | bytearray | memoryview) else body.read(MAX_UPLOAD_BYTES + 1)
        status, answer, content = emulator.handle_upload("PUT", url, sent, data)
        return status, dict(answer), content
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UploadError("the upload URL is not an http or https URL")
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.exceptions import HTTPError

    length = _length(body)
    payload: bytes | IO[bytes]
    if isinstance(body, bytes | bytearray | memoryview):
        payload = bytes(body)
    elif length is None:  # a stream of unknown length: read, so that it goes with a Content-Length
        payload = io.BytesIO(body.read())
        length = len(payload.getvalue())
    else:
        payload = body
    if not any(name.lower() == "content-length" for name in sent):
        sent["Content-Length"] = str(length)
    # A bare connection, not a pool: urllib3's pool logs each request's path and query (the URL's
    # signature) at DEBUG level. HTTPS verifies the certificate and the host name.
    kind = HTTPSConnection if parts.scheme == "https" else HTTPConnection
    connection = kind(parts.hostname, parts.port, timeout=timeout)
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
    except (HTTPError, OSError) as error:
        raise UploadError(f"the upload could not be sent ({type(error).__name__})") from None
    finally:
        connection.close()
    return status, answer, content

__all__ = ["DEFAULT_TIMEOUT", "EMULATOR_UPLOAD_HOST", "UploadError", "put_upload", "sse_c_headers"]
