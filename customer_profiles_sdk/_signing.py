"""A leaner SigV4 signer for the SDK's own calls: the same signature, with less work.

botocore signs each request with a fresh ``SigV4Auth``, which does three things more than once:

* it builds the headers to sign (an ``email``-based header map) twice, once for the canonical
  request and once for the ``Authorization`` header;
* it hashes the body through ``request.body``, which prepares a whole throw-away copy of the
  request (headers included) just to read the bytes it already holds;
* it derives the signing key (four HMACs over the secret, the date, the region and the service)
  for every request, though the key changes only when one of those does.

During the SDK's own calls, :func:`install` gives botocore's signer an auth object of
:class:`_LeanSigV4Auth` instead, but only when botocore chose exactly ``SigV4Auth`` (any other
signer, a subclass, and a ``Config(signature_version=...)`` other than ``"v4"``, such as
``UNSIGNED``, keep botocore's choice).
It inherits everything and overrides only those three steps: the header map is built once per
signing, a ``bytes`` body is hashed as it is, and the signing key is kept per client for the
last (secret, date, region, service) it was derived for. The Authorization header, the canonical
request and every other header are byte for byte botocore's (``tests/test_signing.py`` signs
every operation both ways), and calls made directly on the boto3 client are signed by botocore
alone. About 25 µs of every call on the benchmark machine (docs/performance.md).

The generator never writes this module. See docs/design.md, section 18.
"""

from __future__ import annotations

import inspect
from hashlib import sha256
from typing import Any

from botocore.auth import EMPTY_SHA256_HASH, SigV4Auth

from . import _transport  # (a cycle: _transport imports this module; used at call time only)

__all__ = ["install"]


class _KeyCache:
    """The last signing key a client derived, and what it was derived from (one per client)."""

    __slots__ = ("_last",)

    def __init__(self) -> None:
        # One tuple, read and replaced as a whole: threads sharing the client never see the key
        # of one scope paired with another scope.
        self._last: tuple[tuple[Any, str, str, str], bytes] | None = None

    def signing_key(self, auth: Any, secret: Any, date: str) -> bytes:
        """The key ``auth`` (a SigV4Auth) signs with, derived with botocore's own HMAC step."""
        scope = (secret, date, auth._region_name, auth._service_name)
        last = self._last
        if last is not None and last[0] == scope:
            return last[1]
        key = f"AWS4{secret}".encode()
        for part in (*scope[1:], "aws4_request"):
            key = auth._sign(key, part)
        self._last = (scope, key)
        return key


class _LeanSigV4Auth(SigV4Auth):
    """``SigV4Auth`` with the repeated work done once (see the module's docstring).

    Instances are botocore's own ``SigV4Auth`` objects whose class is switched after creation
    (same attributes), with ``_cp_keys`` and ``_cp_headers`` added.
    """

    _cp_keys: _KeyCache
    _cp_headers: tuple[Any, Any] | None = None

    def headers_to_sign(self, request: Any) -> Any:
        kept = self._cp_headers
        if kept is not None and kept[0] is request:
            return kept[1]
        return super().headers_to_sign(request)

    def canonical_request(self, request: Any) -> str:
        # The header map built here is the one the Authorization header lists (nothing changes the
        # headers in between); it is dropped when the signing ends (add_auth).
        self._cp_headers = (request, super().headers_to_sign(request))
        return super().canonical_request(request)

    def add_auth(self, request: Any) -> None:
        try:
            super().add_auth(request)
        finally:
            self._cp_headers = None

    def payload(self, request: Any) -> str:
        data = getattr(request, "data", None)
        me: Any = self  # botocore's private helpers, which the type stubs do not list
        # A bytes body is what request.body would give (b"" giving None, that is, the empty hash),
        # without preparing a copy of the whole request to get it.
        if type(data) is bytes and not me._is_streaming_checksum_payload(request) \
                and me._should_sha256_sign_payload(request):
            return sha256(data).hexdigest() if data else EMPTY_SHA256_HASH
        return super().payload(request)

    def signature(self, string_to_sign: str, request: Any) -> str:
        me: Any = self
        key = self._cp_keys.signing_key(me, me.credentials.secret_key, request.context["timestamp"][0:8])
        return me._sign(key, string_to_sign, hex=True)  # type: ignore[no-any-return]


def _lean(auth: Any, keys: _KeyCache) -> Any:
    """``auth``, switched to :class:`_LeanSigV4Auth` when botocore chose exactly SigV4Auth for
    the SDK's own call."""
    if type(auth) is SigV4Auth and _transport._in_sdk_call():
        lean: Any = auth
        lean.__class__ = _LeanSigV4Auth
        lean._cp_keys = keys
    return auth


class _AuthFactory:
    """Stands in for the client's ``RequestSigner.get_auth_instance`` (an instance attribute)."""

    __slots__ = ("_get", "_keys")

    def __init__(self, get: Any) -> None:
        self._get = get
        self._keys = _KeyCache()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return _lean(self._get(*args, **kwargs), self._keys)


class _AsyncAuthFactory(_AuthFactory):
    """:class:`_AuthFactory` for aiobotocore, whose ``get_auth_instance`` is a coroutine."""

    __slots__ = ()

    async def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return _lean(await self._get(*args, **kwargs), self._keys)


def install(client: Any) -> None:
    """Give the client's request signer the lean auth objects for the SDK's calls (once)."""
    signer: Any = getattr(client, "_request_signer", None)
    get = getattr(signer, "get_auth_instance", None)
    if get is None or isinstance(get, _AuthFactory) or not callable(get):
        return
    factory = _AsyncAuthFactory(get) if inspect.iscoroutinefunction(get) else _AuthFactory(get)
    signer.get_auth_instance = factory
