"""A leaner SigV4 signer for the SDK's own calls: the same signature, with less work.

botocore signs each request with a fresh ``SigV4Auth``, which does three things more than once:

* it builds the headers to sign twice, once for the canonical request and once for the
  ``Authorization`` header, each time as an ``email``-based header map, which parses and
  checks every header it is given and every one it gives back;
* it hashes the body through ``request.body``, which prepares a whole throw-away copy of the
  request (headers included) just to read the bytes it already holds;
* it derives the signing key (four HMACs over the secret, the date, the region and the service)
  for every request, though the key changes only when one of those does.

During the SDK's own calls, :func:`install` gives botocore's signer an auth object of
:class:`_LeanSigV4Auth` instead, but only when botocore chose exactly ``SigV4Auth`` (any other
signer, a subclass, and a ``Config(signature_version=...)`` other than ``"v4"``, such as
``UNSIGNED``, keep botocore's choice).
It inherits everything and overrides only those three steps: the header map is built once per
signing, as a plain dict of lists (:class:`_HeaderMap`, with the ``host`` value kept per endpoint),
a ``bytes`` body is hashed as it is, and the signing key is kept per client for the last (secret,
date, region, service) it was derived for. The Authorization header, the canonical request and
every other header are byte for byte botocore's (``tests/test_signing.py`` signs every operation
both ways, and compares the header maps on repeated, blank, unicode and never-signed headers,
ports and IPv6 hosts), and calls made directly on the boto3 client are signed by botocore alone.
About 43 of the 81 µs botocore spends signing one request on the benchmark machine (docs/performance.md).

The generator never writes this module. See docs/design.md, section 18.
"""

from __future__ import annotations

import inspect
from hashlib import sha256
from typing import Any

import botocore.auth as _auth
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


class _HeaderMap(dict[str, list[Any]]):
    """The headers to sign, as botocore's ``canonical_headers`` and ``signed_headers`` read them
    from its ``HTTPHeaders`` map: iteration gives the (lower-case) names, ``get_all(name)`` the
    values of one name in the order they were sent. A dict of lists, without ``email.message``'s
    per-header parsing and policy calls."""

    __slots__ = ()

    def get_all(self, name: str, failobj: Any = None) -> Any:
        return self.get(name.lower(), failobj)


def _header_map(request: Any) -> _HeaderMap:
    """What botocore's ``SigV4Auth.headers_to_sign`` selects (the same code on every supported
    botocore, 1.34.0 to 1.44; its list of headers never signed differs, and is read from
    botocore): every header but those, under its lower-case name, and ``host`` from the URL when
    no header gave it. The values are ``request.headers.items()``'s, as ``HTTPHeaders`` would
    give them back (reading a header a second time does not change it)."""
    skipped = _auth.SIGNED_HEADERS_BLACKLIST
    headers = _HeaderMap()
    for name, value in request.headers.items():
        lname = name.lower()
        if lname not in skipped:
            values = headers.get(lname)
            if values is None:
                headers[lname] = [value]
            else:
                values.append(value)
    if "host" not in headers:
        headers["host"] = [_host(request.url)]
    return headers


_botocore_auth: Any = _auth  # private helpers the type stubs do not list

#: Host header values by the URL's scheme and authority (the URL up to the first ``/`` after
#: ``//``): scheme, host name and port only. A URL whose authority holds user information
#: (``user:password@``), or that reaches a query or fragment before its path, is never kept, so
#: the cache holds no credential and no query text. Bounded: cleared when full.
_HOSTS: dict[str, str] = {}
_HOSTS_MAX = 64
_UNSAFE = ("\t", "\r", "\n")
_NOT_KEPT = ("@", "?", "#")


def _host(url: str) -> str:
    """botocore's ``_host_from_url(url)``, kept per scheme and authority.

    It reads only the scheme, the host and the port, which all lie before the first ``/`` after
    ``//``, and whether the whole URL holds a tab or a line break (then it is called every time,
    as it is for an authority with user information, a query or a fragment).
    """
    start = url.find("//")
    end = url.find("/", start + 2) if start >= 0 else -1
    key = url[:end]
    if end < 0 or any(char in url for char in _UNSAFE) or any(char in key for char in _NOT_KEPT):
        return _botocore_auth._host_from_url(url)  # type: ignore[no-any-return]
    host = _HOSTS.get(key)
    if host is None:
        host = _botocore_auth._host_from_url(url)
        if len(_HOSTS) >= _HOSTS_MAX:
            _HOSTS.clear()
        _HOSTS[key] = host
    return host


class _LeanSigV4Auth(SigV4Auth):
    """``SigV4Auth`` with the repeated work done once (see the module's docstring).

    Instances are botocore's own ``SigV4Auth`` objects whose class is switched after creation
    (same attributes), with ``_cp_keys`` and ``_cp_headers`` added.
    """

    _cp_keys: _KeyCache
    _cp_headers: tuple[Any, Any] | None = None
    _cp_signing: bool = False

    def headers_to_sign(self, request: Any) -> Any:
        kept = self._cp_headers
        if kept is not None and kept[0] is request:
            return kept[1]
        return _header_map(request)

    def canonical_headers(self, headers_to_sign: Any) -> str:
        if type(headers_to_sign) is not _HeaderMap:
            return super().canonical_headers(headers_to_sign)
        # botocore's, on a dict of lists: sorted names, each value trimmed and runs of white space
        # made one space (SigV4's Trimall), the values of one name joined by commas.
        return "\n".join(f"{name}:{','.join(' '.join(value.split()) for value in headers_to_sign[name])}"
                         for name in sorted(headers_to_sign))

    def canonical_request(self, request: Any) -> str:
        # Inside add_auth, the header map built here is the one the Authorization header lists
        # (nothing changes the headers in between); it is dropped when the signing ends. Called
        # on its own, nothing is kept: the caller may change the headers before asking again.
        if self._cp_signing:
            self._cp_headers = (request, _header_map(request))
        return super().canonical_request(request)

    def add_auth(self, request: Any) -> None:
        self._cp_signing = True
        try:
            super().add_auth(request)
        finally:
            self._cp_signing = False
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
