"""The lean SigV4 signer of the SDK's calls signs exactly as botocore's SigV4Auth does.

Each SDK call's request is caught right after it is signed, copied, and signed again by
botocore's own ``SigV4Auth`` at the same (frozen) time: the two Authorization headers must be
equal. The lean signer must also have been used, so that these tests fail without it.
"""

from __future__ import annotations

import datetime
import threading
from typing import Any, cast

import boto3.session
import botocore.auth
import pytest
from botocore import UNSIGNED
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

import customer_profiles_sdk.models as models
from customer_profiles_sdk import CustomerProfilesClient
from customer_profiles_sdk._compat import private_session
from customer_profiles_sdk._signing import _KeyCache, _LeanSigV4Auth

from . import synth
from .canned import Canned

OPS = sorted(synth.OPERATIONS)
NOW = [datetime.datetime(2026, 12, 3, 23, 59, 58)]


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore's signer reads the clock once per signing; both signers read this one."""
    if hasattr(botocore.auth, "get_current_datetime"):
        monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda *a, **k: NOW[0])
    else:  # older botocore: datetime.datetime.utcnow()
        class Clock(datetime.datetime):
            @classmethod
            def utcnow(cls) -> Any:
                return NOW[0]

        class Module:
            datetime = Clock

        monkeypatch.setattr(botocore.auth, "datetime", Module)


def resigned(request: AWSRequest, credentials: Any, region: str) -> AWSRequest:
    """A copy of a signed request, signed again by botocore's own SigV4Auth (at the frozen clock)."""
    copy = AWSRequest(method=request.method, url=request.url, data=request.data,
                      params=dict(request.params), headers=dict(request.headers.items()))
    copy.context = dict(request.context)
    for name in ("Authorization", "X-Amz-Date", "X-Amz-Security-Token"):
        if name in copy.headers:
            del copy.headers[name]
    SigV4Auth(credentials, "profile", region).add_auth(copy)
    return copy


class Recorder:
    """Catches each request after botocore's signer ran, and re-signs a copy with SigV4Auth."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.pairs: list[tuple[str | None, str | None]] = []
        self.lean: list[bool] = []
        client.meta.events.register_last("request-created.customer-profiles", self.check)
        get = client._request_signer.get_auth_instance

        def spy(*args: Any, **kwargs: Any) -> Any:
            auth = get(*args, **kwargs)
            self.lean.append(type(auth) is _LeanSigV4Auth)
            return auth

        client._request_signer.get_auth_instance = spy

    def check(self, request: AWSRequest, operation_name: str, **kwargs: Any) -> None:
        signed = request.headers.get("Authorization")
        if signed is None:
            self.pairs.append((None, None))
            return
        credentials = self.client._request_signer._credentials.get_frozen_credentials()
        self.pairs.append((signed, resigned(request, credentials, signed.split("/")[2]).headers["Authorization"]))


def client(canned: Canned, *, region: str = "us-east-1", token: str | None = None, endpoint_url: str | None = None,
           config: Config | None = None, secret: str = "secret-1") -> tuple[CustomerProfilesClient, Recorder]:
    session = boto3.session.Session(aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key=secret,
                                    aws_session_token=token, region_name=region)
    raw = private_session(session).create_client("customer-profiles", endpoint_url=endpoint_url,
                                                 config=config or Config(retries={"mode": "standard"}))
    raw.meta.events.register("before-send", canned)
    sdk = CustomerProfilesClient(client=raw)
    return sdk, Recorder(raw)


def send(sdk: CustomerProfilesClient, op: str, variant: int = 0) -> None:
    shape = synth.OPERATIONS[op]["input"]["shape"]
    request = getattr(models, shape).model_validate(synth.valid(shape, full=bool(variant), variant=variant))
    sdk.send(request, allow_partial=True)


@pytest.fixture(scope="module")
def shared() -> tuple[CustomerProfilesClient, Recorder]:
    return client(Canned())


@pytest.mark.parametrize("op", OPS)
def test_every_operation_is_signed_as_botocore_signs_it(shared: tuple[CustomerProfilesClient, Recorder],
                                                        op: str) -> None:
    sdk, recorder = shared
    recorder.pairs.clear()
    recorder.lean.clear()
    send(sdk, op)
    send(sdk, op, variant=1)  # every member set: query strings, path parameters, long bodies
    assert recorder.lean == [True, True]
    for signed, expected in recorder.pairs:
        assert signed is not None and signed == expected


@pytest.mark.parametrize(("region", "endpoint_url", "config"), [
    ("eu-west-2", None, None),
    ("us-gov-west-1", None, Config(use_fips_endpoint=True)),
    ("ap-southeast-2", None, Config(use_dualstack_endpoint=True)),
    ("us-east-1", "http://127.0.0.1:4566", None),  # plain HTTP: the body is always hashed
    ("us-east-1", "https://profile.example.internal/base/", None),
    ("ca-central-1", None, Config(s3={"payload_signing_enabled": False}, retries={"mode": "legacy"})),
])
def test_the_client_configuration_signs_as_botocore_signs(region: str, endpoint_url: str | None,
                                                           config: Config | None) -> None:
    canned = Canned()
    sdk, recorder = client(canned, region=region, endpoint_url=endpoint_url, config=config)
    for op in ("CreateProfile", "ListProfileObjects", "GetDomain", "SearchProfiles", "DeleteDomain"):
        send(sdk, op, variant=1)
    assert all(recorder.lean) and len(recorder.lean) == 5
    for signed, expected in recorder.pairs:
        assert signed is not None and signed == expected and f"/{region}/profile/" in signed


def test_a_session_token_is_signed_and_sent() -> None:
    canned = Canned()
    sdk, recorder = client(canned, token="token-1")
    send(sdk, "CreateProfile")
    (signed, expected), = recorder.pairs
    assert signed is not None and signed == expected and "x-amz-security-token" in signed


def test_the_signing_key_follows_the_date_and_the_credentials() -> None:
    canned = Canned()
    sdk, recorder = client(canned)
    send(sdk, "GetDomain")
    NOW[0] += datetime.timedelta(seconds=5)  # the next day: a new key
    try:
        send(sdk, "GetDomain")
        raw: Any = sdk.boto3_client
        raw._request_signer._credentials = Credentials("AKIDEXAMPLE", "secret-2")  # rotated
        send(sdk, "GetDomain")
        raw._request_signer._credentials = Credentials("AKIDEXAMPLE", "secret-1")  # and back
        send(sdk, "GetDomain")
    finally:
        NOW[0] -= datetime.timedelta(seconds=5)
    dates = [signed.split("/")[1] for signed, _ in recorder.pairs if signed]
    assert dates == ["20261203", "20261204", "20261204", "20261204"]
    assert all(signed == expected for signed, expected in recorder.pairs)
    signatures = [signed for signed, _ in recorder.pairs]
    assert signatures[1] == signatures[3] and len(set(signatures)) == 3  # the same secret and day: the same


def test_unsigned_clients_and_direct_calls_keep_botocores_signer() -> None:
    canned = Canned()
    sdk, recorder = client(canned, config=Config(signature_version=UNSIGNED))
    send(sdk, "GetDomain")
    assert recorder.pairs == [(None, None)] and recorder.lean == []
    sdk, recorder = client(canned)
    cast(Any, sdk.boto3_client).get_domain(DomainName="d")  # a direct call: botocore's own SigV4Auth
    send(sdk, "GetDomain")
    assert recorder.lean == [False, True]
    assert all(signed == expected for signed, expected in recorder.pairs)


def test_threads_signing_with_different_secrets_at_once_sign_correctly() -> None:
    """The cached key is read and replaced as one pair: no thread signs with another's key, even
    while the client's credentials give each thread another secret (as during a rotation)."""
    from botocore.credentials import ReadOnlyCredentials

    local = threading.local()

    class PerThread(Credentials):
        def get_frozen_credentials(self) -> ReadOnlyCredentials:
            return ReadOnlyCredentials("AKIDEXAMPLE", getattr(local, "secret", "secret-main"), None)

    canned = Canned()
    sdk, recorder = client(canned)
    raw: Any = sdk.boto3_client
    raw._request_signer._credentials = PerThread("AKIDEXAMPLE", "unused")
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def work(index: int) -> None:
        local.secret = f"secret-{index % 2}"
        try:
            start.wait(30)
            for _ in range(50):
                send(sdk, "GetDomain")
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors and len(recorder.pairs) == 200 and all(recorder.lean)
    assert all(signed == expected for signed, expected in recorder.pairs)
    assert len({signed for signed, _ in recorder.pairs}) == 2  # two secrets, one frozen time


# -- the header map, against botocore's HTTPHeaders-based one, on requests no SDK call sends -----

HEADER_SETS: list[list[tuple[str, str]]] = [
    [("X-Custom", "a"), ("x-custom", "b"), ("X-CUSTOM", "c")],  # one name, three spellings, in order
    [("X-Spaced", "  a \t  b  "), ("X-Empty", ""), ("X-Tabs", "\tx\t")],
    [("User-Agent", "ua"), ("X-Amzn-Trace-Id", "t"), ("Expect", "100-continue"), ("traceparent", "00-1"),
     ("Connection", "keep-alive"), ("X-Kept", "k")],  # the never-signed ones (which differ by version)
    [("Host", "Example.COM:8443"), ("X-Kept", "k")],  # a Host header wins over the URL
    [("host", "a"), ("HOST", "b")],
    [("X-Unicode", "café ünïcode"), ("X-Name-With-Space ", "v")],  # signed_headers strips names
    [("Content-Type", "application/json"), ("X-Amz-Content-SHA256", "UNSIGNED-PAYLOAD")],
]
URLS = [
    "https://profile.us-east-1.amazonaws.com/domains/d/profiles/search?max-results=5&next-token=a%2Fb",
    "https://localhost:8443/x", "https://localhost:443/x", "http://LOCALHOST:80/y", "http://127.0.0.1:4566/",
    "http://[::1]:8080/ipv6", "https://user:pw@host.example/userinfo",
]


def _request(url: str, headers: list[tuple[str, str]]) -> AWSRequest:
    request = AWSRequest(method="POST", url=url, data=b'{"a": 1}')
    for name, value in headers:
        request.headers[name] = value  # HTTPHeaders keeps every value of a repeated name
    request.context["timestamp"] = "20261203T235958Z"
    return request


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("headers", HEADER_SETS)
def test_the_header_map_signs_what_botocores_signs(url: str, headers: list[tuple[str, str]]) -> None:
    credentials = Credentials("AKIDEXAMPLE", "secret", "token")
    plain = SigV4Auth(credentials, "profile", "us-east-1")
    lean: Any = SigV4Auth(credentials, "profile", "us-east-1")
    lean.__class__ = _LeanSigV4Auth
    lean._cp_keys = _KeyCache()
    first, second = _request(url, headers), _request(url, headers)
    assert lean.canonical_request(first) == plain.canonical_request(second)
    assert lean.signed_headers(lean.headers_to_sign(first)) == plain.signed_headers(plain.headers_to_sign(second))
    lean.add_auth(first)
    plain.add_auth(second)
    assert first.headers.get_all("Authorization") == second.headers.get_all("Authorization")
    assert list(first.headers.items()) == list(second.headers.items())


def _lean_auth() -> Any:
    lean: Any = SigV4Auth(Credentials("AKIDEXAMPLE", "secret"), "profile", "us-east-1")
    lean.__class__ = _LeanSigV4Auth
    lean._cp_keys = _KeyCache()
    return lean


@pytest.mark.parametrize("url", [
    "https://alice:S3cr3t-pass@host.example/x",  # user information in the authority
    "https://alice@host.example:8443/x",
    "https://host.example?X-Amz-Security-Token=T0KEN/x",  # a query before the first slash
    "https://host.example#frag-S3cr3t/x",  # a fragment before the first slash
])
def test_the_host_cache_keeps_no_credential_and_no_query_text(url: str) -> None:
    from customer_profiles_sdk import _signing

    _signing._HOSTS.clear()
    request = _request(url, [])
    _lean_auth().add_auth(request)
    expected = _request(url, [])
    SigV4Auth(Credentials("AKIDEXAMPLE", "secret"), "profile", "us-east-1").add_auth(expected)
    assert request.headers["Authorization"] == expected.headers["Authorization"]
    assert _signing._host(url) == botocore.auth._host_from_url(url)  # type: ignore[attr-defined]
    assert _signing._HOSTS == {}  # nothing of this URL is kept
    assert not any(secret in repr(vars(_signing)) for secret in ("S3cr3t", "alice", "T0KEN"))


def test_the_host_cache_keeps_plain_endpoints_only_by_scheme_host_and_port() -> None:
    from customer_profiles_sdk import _signing

    _signing._HOSTS.clear()
    for url in ("https://host.example/a?b=c", "https://host.example/other", "http://[::1]:8080/ipv6"):
        assert _signing._host(url) == botocore.auth._host_from_url(url)  # type: ignore[attr-defined]
    assert _signing._HOSTS == {"https://host.example": "host.example", "http://[::1]:8080": "[::1]:8080"}


def test_canonical_request_called_alone_keeps_nothing() -> None:
    """Only add_auth keeps the header map between canonical_request and the signed-headers list:
    a caller that asks for the canonical request, changes the headers and asks again gets
    botocore's answer, and the request is not held by the auth object."""
    import gc
    import weakref

    lean, plain = _lean_auth(), SigV4Auth(Credentials("AKIDEXAMPLE", "secret"), "profile", "us-east-1")
    first, second = _request(URLS[1], []), _request(URLS[1], [])
    assert lean.canonical_request(first) == plain.canonical_request(second)
    first.headers["X-New"] = second.headers["X-New"] = "n"
    assert lean.signed_headers(lean.headers_to_sign(first)) == plain.signed_headers(plain.headers_to_sign(second))
    assert lean.signed_headers(lean.headers_to_sign(first)) == "host;x-new"
    assert lean.canonical_request(first) == plain.canonical_request(second)
    alive = weakref.ref(first)
    del first
    gc.collect()
    assert alive() is None
    # and add_auth still signs as botocore does after such calls, and leaves nothing behind
    again, expected = _request(URLS[1], [("X-New", "n")]), _request(URLS[1], [("X-New", "n")])
    lean.add_auth(again)
    plain.add_auth(expected)
    assert again.headers["Authorization"] == expected.headers["Authorization"]
    assert lean._cp_headers is None and lean._cp_signing is False
