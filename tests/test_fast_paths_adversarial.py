"""Adversarial cases for the fast paths of performance round two (lean signer, skipped parse,
shared member sets), from an outside review.

The first test caught a leak (a module-level table keyed by botocore shapes kept every client's
service model alive); the others lock in behaviour that must match botocore's.
"""

from __future__ import annotations

import datetime
import gc
import logging
import weakref
from typing import Any, cast

import boto3.session
import botocore.auth
import pytest
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import RefreshableCredentials

from customer_profiles_sdk import CustomerProfilesClient
from customer_profiles_sdk._compat import private_session
from customer_profiles_sdk._signing import _LeanSigV4Auth

from .canned import Canned, boto3_client, sdk_client
from .test_signing import resigned

NOW = datetime.datetime(2026, 12, 3, 23, 59, 58)


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    if hasattr(botocore.auth, "get_current_datetime"):
        monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda *a, **k: NOW)
    else:  # older botocore: datetime.datetime.utcnow()
        class Clock(datetime.datetime):
            @classmethod
            def utcnow(cls) -> Any:
                return NOW

        class Module:
            datetime = Clock

        monkeypatch.setattr(botocore.auth, "datetime", Module)


# -- memory ------------------------------------------------------------------------------------


def test_sdk_calls_do_not_keep_a_closed_clients_service_model_alive() -> None:
    """_transport._BODY_ONLY is keyed by botocore Shape objects (identity-hashed, one set per
    client's ServiceModel) and never emptied: every client that made an SDK call stays reachable
    through its output shapes (about 1.4 MiB each with the private loader). Before the round, the
    shape was freed with the client."""
    canned = Canned()
    canned.set(b'{"DomainName": "d", "DefaultExpirationDays": 1}')
    sdk = sdk_client(canned)
    assert sdk.get_domain(domain_name="d").domain_name == "d"
    shape = sdk.boto3_client.meta.service_model.operation_model("GetDomain").output_shape
    shape_ref = weakref.ref(shape)
    model_ref = weakref.ref(sdk.boto3_client.meta.service_model)
    del shape, sdk
    gc.collect()
    assert shape_ref() is None and model_ref() is None


# -- signing -----------------------------------------------------------------------------------


def _refresh_metadata(secret: str) -> dict[str, str]:
    expiry = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)).isoformat()
    return {"access_key": "AKIDEXAMPLE", "secret_key": secret, "token": f"tok/{secret}+=", "expiry_time": expiry}


@pytest.mark.usefixtures("frozen_clock")
def test_explicit_v4_http_refreshed_credentials_and_reserved_characters_sign_as_botocore() -> None:
    secrets = iter(["s-2", "s-3", "s-4"])
    credentials = RefreshableCredentials.create_from_metadata(
        _refresh_metadata("s-1"), lambda: _refresh_metadata(next(secrets)), "test")
    session = boto3.session.Session(aws_access_key_id="x", aws_secret_access_key="y", region_name="eu-west-2")
    raw: Any = private_session(session).create_client(
        "customer-profiles", endpoint_url="http://127.0.0.1:9/a%20b/",
        config=Config(signature_version="v4", retries={"mode": "standard"}))
    raw._request_signer._credentials = credentials
    canned = Canned()
    raw.meta.events.register("before-send", canned)
    pairs: list[tuple[str | None, str | None]] = []
    lean: list[bool] = []
    used: list[str] = []

    def check(request: AWSRequest, **kwargs: Any) -> None:
        frozen = credentials.get_frozen_credentials()
        used.append(str(frozen.secret_key))
        again = resigned(request, frozen, "eu-west-2")
        pairs.append((request.headers.get("Authorization"), again.headers.get("Authorization")))

    raw.meta.events.register_last("request-created.customer-profiles", check)

    def spy(*args: Any, **kwargs: Any) -> Any:
        auth = get(*args, **kwargs)
        lean.append(type(auth) is _LeanSigV4Auth)
        return auth

    sdk = CustomerProfilesClient(client=raw)
    get = raw._request_signer.get_auth_instance  # the SDK's factory
    raw._request_signer.get_auth_instance = spy
    sdk.list_domains(next_token="a/b+c=d&e f~ü%2F*", max_results=5)
    cast(Any, credentials)._expiry_time = datetime.datetime.now(datetime.UTC)  # refresh due: a new secret
    sdk.list_profile_objects(domain_name="d-1", object_type_name="ot_1", profile_id="0" * 32,
                             next_token="é/?#[]@!$&'()*+,;=")
    sdk.create_profile(domain_name="d-1", first_name="Zoë 山田 \u2028", additional_information="\x00\x7f")
    assert lean == [True, True, True]
    assert len(pairs) == 3 and all(signed is not None and signed == expected for signed, expected in pairs)
    assert used == ["s-1", "s-2", "s-2"]  # refreshed before the second call
    assert len({signed for signed, _ in pairs}) == 3


@pytest.mark.usefixtures("frozen_clock")
def test_presigned_urls_are_botocores_inside_and_outside_an_sdk_call() -> None:
    canned = Canned()
    sdk = sdk_client(canned)
    plain = boto3_client(Canned())
    params = {"DomainName": "d/ü", "ObjectTypeName": "o"}
    expected = plain.generate_presigned_url("get_profile_object_type", Params=params, ExpiresIn=60)
    urls: list[str] = []

    busy: list[bool] = []
    hooked: Any = sdk.boto3_client

    def during(**kwargs: Any) -> None:
        if busy:  # presigning emits before-sign too
            return
        busy.append(True)
        urls.append(hooked.generate_presigned_url("get_profile_object_type", Params=params, ExpiresIn=60))

    sdk.boto3_client.meta.events.register("before-sign.customer-profiles", during)
    sdk.get_domain(domain_name="d")
    urls.append(hooked.generate_presigned_url("get_profile_object_type", Params=params, ExpiresIn=60))
    assert urls == [expected, expected]


# -- response metadata and logs ----------------------------------------------------------------


def test_metadata_after_a_retry_equals_botocores() -> None:
    seen: dict[str, Any] = {}
    body = b'{"DomainName": "d"}'
    clients: dict[str, Any] = {}
    for name in ("sdk", "raw"):
        canned = Canned()
        canned.answers = [(503, b""), (200, body)]
        canned.headers = {"X-Amzn-RequestId": "r", "Set-Cookie": "a=1, b=2", "X-Dup": "1,2"}
        client = boto3_client(canned, Config(retries={"mode": "standard", "max_attempts": 2}))
        client.meta.events.register("after-call.customer-profiles.GetDomain",
                                    lambda parsed, _n=name, **kw: seen.__setitem__(_n, parsed["ResponseMetadata"]))
        clients[name] = client
    sdk = CustomerProfilesClient(client=clients["sdk"])
    response = sdk.get_domain(domain_name="d")
    clients["raw"].get_domain(DomainName="d")
    assert seen["sdk"] == seen["raw"] and seen["sdk"]["RetryAttempts"] == 1
    assert response.response_metadata is not None and response.response_metadata.retry_attempts == 1


def test_the_parsers_debug_lines_are_those_botocore_logged_for_the_taken_body(caplog: pytest.LogCaptureFixture) -> None:
    canned = Canned()
    canned.set(b'{"DomainName": "secret-name"}', headers={"X-Amzn-RequestId": "r"})
    sdk = sdk_client(canned)
    with caplog.at_level(logging.DEBUG, logger="botocore.parsers"):
        sdk.get_domain(domain_name="d")
    lines = [(r.name, r.msg, r.args) for r in caplog.records if r.name == "botocore.parsers"]
    assert [msg for _, msg, _ in lines] == ["Response headers: %r", "Response body:\n%r"]
    assert isinstance(lines[1][2], tuple) and lines[1][2] == (b"",)
    assert "secret-name" not in caplog.text
