"""AsyncCustomerProfilesClient: construction, lifecycle, retry default, parse errors, log redaction."""

from __future__ import annotations

import gc
import logging
import warnings
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

pytest.importorskip("aiobotocore")

import boto3.session
import botocore.session
from aiobotocore.session import AioSession  # pyright: ignore[reportMissingImports]
from botocore.config import Config

from customer_profiles_sdk import (
    AsyncCustomerProfilesClient,
    CustomerProfilesClient,
    ResourceNotFoundError,
    ResponseParseError,
)
from customer_profiles_sdk.local import Emulator
from customer_profiles_sdk.local._emulator import EmulatorServer
from customer_profiles_sdk.logging import redact_botocore_logs

from .localserver import Reply, error_reply
from .test_aio_parity import Pair, adopted_pair, aio_session, call_both, error_facts
from .test_log_redaction import SCOPED, Capture, assert_rewritten, redaction_state

pytestmark = pytest.mark.anyio

#: Fixed AWS-side settings: nothing here reaches AWS (an emulator or a before-send handler answers).
REGION = "us-east-1"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with Emulator().serve() as running:
        yield running


@pytest.fixture
async def pair() -> AsyncIterator[Pair]:
    async with adopted_pair(Config(retries={"mode": "standard", "total_max_attempts": 1})) as made:
        yield made


def created(server: EmulatorServer | None = None, **kwargs: Any) -> AsyncCustomerProfilesClient:
    """A client the SDK creates (not opened yet), aimed at ``server``."""
    url = f"http://127.0.0.1:{server.port}" if server is not None else None
    return AsyncCustomerProfilesClient(session=kwargs.pop("session", None) or aio_session(), region_name=REGION,
                                       endpoint_url=url, **kwargs)


def retries_of(client: CustomerProfilesClient) -> Any:
    """The retry settings of the sync client's boto3 client (botocore-stubs do not declare them)."""
    config: Any = client.boto3_client.meta.config
    return config.retries


def http_sessions_open(raw: Any) -> bool:
    """Whether an aiobotocore client's HTTP sessions are open: aiobotocore 3 sets them to None on
    close, aiobotocore 2.25 (aioboto3 15) empties the dict of them."""
    return bool(raw._endpoint.http_session._sessions)


# ---------------------------------------------------------------------------------------------
# client=
# ---------------------------------------------------------------------------------------------


async def test_client_is_an_aiobotocore_client_that_close_leaves_open(server: EmulatorServer) -> None:
    async with aio_session().create_client("customer-profiles", region_name=REGION,
                                           endpoint_url=f"http://127.0.0.1:{server.port}") as raw:
        client = AsyncCustomerProfilesClient(client=raw)
        assert client.aiobotocore_client is raw
        assert repr(client) == (f"AsyncCustomerProfilesClient(region_name='{REGION}', "
                                f"endpoint_url='http://127.0.0.1:{server.port}')")
        domain = await client.create_domain(domain_name="shop", default_expiration_days=3)
        assert domain.domain_name == "shop"
        async with client as same:
            assert same is client
            await client.get_domain(domain_name="shop")
        await client.close()
        await client.close()
        assert http_sessions_open(raw)
        # The owner's client still works over HTTP.
        assert (await raw.get_domain(DomainName="shop"))["DomainName"] == "shop"
    assert not http_sessions_open(raw)


async def test_calls_after_close_raise_for_an_adopted_client_too(pair: Pair) -> None:
    pair.answer(lambda request: Reply(200, {"DomainName": "d", "CreatedAt": 1, "LastUpdatedAt": 1}))
    await pair.aio.close()
    with pytest.raises(RuntimeError, match="closed"):
        await pair.aio.get_domain(domain_name="d")


async def test_a_boto3_client_is_refused_and_the_sync_client_refuses_an_aiobotocore_one() -> None:
    session = boto3.session.Session(aws_access_key_id="a", aws_secret_access_key="b", region_name=REGION)
    with pytest.raises(TypeError, match="aiobotocore"):
        AsyncCustomerProfilesClient(client=session.client("customer-profiles"))
    async with aio_session().create_client("customer-profiles", region_name=REGION) as raw:
        with pytest.raises(TypeError, match="boto3"):
            CustomerProfilesClient(client=raw)
        with pytest.raises(TypeError, match="either client= or region_name"):
            AsyncCustomerProfilesClient(client=raw, region_name=REGION)
    async with aio_session().create_client("s3", region_name=REGION) as other:
        with pytest.raises(TypeError, match="'customer-profiles'"):
            AsyncCustomerProfilesClient(client=other)


@pytest.mark.parametrize("kind", ["botocore", "boto3"])
def test_a_sync_session_is_refused(kind: str) -> None:
    session: Any = botocore.session.Session() if kind == "botocore" else boto3.session.Session()
    with pytest.raises(TypeError, match="aiobotocore or aioboto3 session"):
        AsyncCustomerProfilesClient(session=session, region_name=REGION)


# ---------------------------------------------------------------------------------------------
# Lifecycle of a client the SDK creates
# ---------------------------------------------------------------------------------------------


async def test_async_with_opens_and_closes(server: EmulatorServer) -> None:
    client = created(server)
    assert client.aiobotocore_client is None
    assert repr(client) == "AsyncCustomerProfilesClient(not opened)"
    async with client as entered:
        assert entered is client
        raw = client.aiobotocore_client
        assert raw is not None
        assert repr(client) == (f"AsyncCustomerProfilesClient(region_name='{REGION}', "
                                f"endpoint_url='http://127.0.0.1:{server.port}')")
        await client.create_domain(domain_name="shop", default_expiration_days=3)
        assert client.aiobotocore_client is raw  # one client for the whole block
        assert http_sessions_open(raw)
    assert not http_sessions_open(raw)
    assert client.aiobotocore_client is None


async def test_close_is_awaitable_idempotent_and_later_calls_raise(server: EmulatorServer) -> None:
    async with created(server) as client:
        await client.create_domain(domain_name="shop", default_expiration_days=3)
    await client.close()
    await client.close()
    with pytest.raises(RuntimeError, match="closed"):
        await client.get_domain(domain_name="shop")
    with pytest.raises(RuntimeError, match="closed"):
        [item async for item in client.paginate_list_domains()]
    with pytest.raises(RuntimeError, match="closed"):
        async with client:
            pass


async def test_close_before_opening_then_calls_raise() -> None:
    client = created()
    await client.close()
    await client.close()
    with pytest.raises(RuntimeError, match="closed"):
        await client.get_domain(domain_name="shop")


async def test_the_first_call_opens_the_client_without_async_with(server: EmulatorServer) -> None:
    client = created(server)
    try:
        await client.create_domain(domain_name="shop", default_expiration_days=3)
        assert client.aiobotocore_client is not None
        assert [d.domain_name async for d in client.paginate_list_domains()] == ["shop"]
    finally:
        await client.close()


async def test_a_paginator_is_the_first_call(server: EmulatorServer) -> None:
    client = created(server)
    try:
        assert [d async for d in client.paginate_list_domains()] == []
    finally:
        await client.close()


def never_awaited(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if "never awaited" in str(w.message)]


async def test_a_client_never_opened_leaves_no_coroutine_behind() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client = created()
        await client.close()
        dropped = created()
        del client, dropped
        gc.collect()
    assert never_awaited(caught) == []


async def test_close_after_a_failed_opening_does_not_raise() -> None:
    client = AsyncCustomerProfilesClient(session=aio_session(), region_name="not a region!")
    with pytest.raises(Exception, match="region"):
        async with client:
            pass
    await client.close()


# ---------------------------------------------------------------------------------------------
# Retry mode
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (None, {"mode": "standard"}),
        # botocore turns max_attempts (retries) into total_max_attempts (attempts)
        (Config(retries={"max_attempts": 5}), {"total_max_attempts": 6, "mode": "standard"}),
        (Config(retries={"mode": "legacy"}), {"mode": "legacy"}),
        (Config(retries={"mode": "adaptive", "total_max_attempts": 2}), {"mode": "adaptive", "total_max_attempts": 2}),
    ],
    ids=["default", "attempts-only", "legacy", "adaptive"],
)
async def test_retry_mode_default_is_standard_as_in_the_sync_client(config: Config | None,
                                                                    expected: dict[str, Any]) -> None:
    async with created(config=config) as client:
        retries = client.aiobotocore_client.meta.config.retries
    sync = CustomerProfilesClient(session=boto3.session.Session(aws_access_key_id="a", aws_secret_access_key="b"),
                                  region_name=REGION, config=config)
    assert retries == expected
    assert retries == retries_of(sync)


async def test_a_retry_mode_from_the_environment_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_RETRY_MODE", "legacy")
    async with created() as client:
        retries = client.aiobotocore_client.meta.config.retries
    sync = CustomerProfilesClient(session=boto3.session.Session(aws_access_key_id="a", aws_secret_access_key="b"),
                                  region_name=REGION)
    assert retries == {"mode": "legacy"}  # the SDK's default does not override the environment's choice
    assert retries == retries_of(sync)


# ---------------------------------------------------------------------------------------------
# Answers the client cannot read
# ---------------------------------------------------------------------------------------------

BAD_BODIES = {
    "html": b"<html><body>Jane Doe, jane@example.com</body></html>",
    "truncated": b'{"DomainName": "Jane Doe", "DefaultExpir',
    "json-list": b'["Jane Doe"]',
    "too-deep": b'{"DomainName": ' + b"[" * 200_000 + b"]" * 200_000 + b"}",
    "too-deep-unclosed": b"[" * 1_000_000,
}


@pytest.mark.parametrize("fast_parse", [True, False], ids=["fast", "botocore"])
@pytest.mark.parametrize("name", sorted(BAD_BODIES))
async def test_an_unreadable_2xx_body_is_a_response_parse_error(name: str, fast_parse: bool, pair: Pair) -> None:
    body = BAD_BODIES[name]
    both = pair.with_fast_parse(fast_parse)
    both.answer(lambda request: Reply(200, body))
    sync, aio = await call_both(both, "get_domain", {"domain_name": "d"})
    assert isinstance(aio.error, ResponseParseError), aio
    assert error_facts(aio.error) == error_facts(sync.error)  # type: ignore[arg-type]
    assert "Jane" not in str(aio.error) and "jane@" not in str(aio.error)
    assert aio.error.shape == "GetDomainResponse"


async def test_an_error_answer_nested_too_deep_keeps_its_code(pair: Pair) -> None:
    reply = error_reply("ResourceNotFoundException", 404)
    reply.body = b'{"Message": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    pair.answer(lambda request: reply)
    sync, aio = await call_both(pair, "get_domain", {"domain_name": "d"})
    assert isinstance(aio.error, ResourceNotFoundError)
    assert error_facts(aio.error) == error_facts(sync.error)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Log redaction
# ---------------------------------------------------------------------------------------------

FIRST_NAME = "Zebulonius"
EMAIL = "zebulonius.q@example.org"
KEY_ID = "AKIDASYNCCANARY"
SECRET_KEY = "SECRETASYNCCANARY"


@pytest.fixture
def logs() -> Iterator[Capture]:
    """DEBUG records of every logger, captured at the root; levels and handlers put back after."""
    root = logging.getLogger()
    state = redaction_state()
    saved_root = (root.level, list(root.handlers))
    saved = {name: (logging.getLogger(name).level, logging.getLogger(name).propagate) for name in SCOPED}
    capture = Capture()
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    for name in ("botocore", "aiobotocore"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield capture
    finally:
        root.removeHandler(capture)
        root.setLevel(saved_root[0])
        root.handlers[:] = saved_root[1]
        for name, (level, propagate) in saved.items():
            logging.getLogger(name).setLevel(level)
            logging.getLogger(name).propagate = propagate
        assert redaction_state() == state, "redaction was left installed"


async def calls_with_personal_data(server: EmulatorServer, fast_parse: bool) -> None:
    """A creation, a search and a failing call, whose request and response bodies hold the name
    and the email; made with canary credentials."""
    session = AioSession()
    session.set_credentials(KEY_ID, SECRET_KEY)
    async with created(server, session=session, fast_parse=fast_parse) as client:
        await client.create_domain(domain_name="shop", default_expiration_days=3)
        made = await client.create_profile(domain_name="shop", first_name=FIRST_NAME, email_address=EMAIL)
        found = await client.search_profiles(domain_name="shop", key_name="_email", values=[EMAIL])
        assert found.items is not None and found.items[0].profile_id == made.profile_id
        with pytest.raises(ResourceNotFoundError):
            await client.update_profile(domain_name="shop", profile_id="f" * 32, first_name=FIRST_NAME)


def leaks(capture: Capture) -> list[str]:
    return capture.holding(FIRST_NAME, EMAIL, KEY_ID, SECRET_KEY, "Signature=")


@pytest.mark.parametrize("fast_parse", [True, False], ids=["fast", "botocore"])
async def test_redaction_keeps_bodies_and_credentials_out_of_async_call_logs(
    fast_parse: bool, server: EmulatorServer, logs: Capture
) -> None:
    with redact_botocore_logs():
        await calls_with_personal_data(server, fast_parse)
    assert logs.texts, "the calls were logged"
    assert any(record.name.startswith("aiobotocore.") for record in logs.records)
    assert leaks(logs) == []
    assert logs.errors == 0


@pytest.mark.parametrize("fast_parse", [True, False], ids=["fast", "botocore"])
async def test_without_redaction_the_same_logs_show_them(
    fast_parse: bool, server: EmulatorServer, logs: Capture
) -> None:
    await calls_with_personal_data(server, fast_parse)
    joined = logs.joined()
    assert FIRST_NAME in joined and EMAIL in joined and f"Credential={KEY_ID}" in joined


async def test_records_of_aiobotocore_loggers_are_rewritten_too(server: EmulatorServer, logs: Capture) -> None:
    """aiobotocore's own loggers (aiobotocore.regions here; .httpsession, .credentials, ...) are in
    scope: each of their records carries its redacted text only."""
    with redact_botocore_logs():
        await calls_with_personal_data(server, True)
    assert [record for record in logs.records if record.name.startswith("aiobotocore.")]
    assert_rewritten(logs.records)


# ---------------------------------------------------------------------------------------------
# The lean signer (customer_profiles_sdk._signing) on aiobotocore
# ---------------------------------------------------------------------------------------------

async def test_the_async_clients_calls_are_signed_by_the_lean_signer_as_botocore_signs(server: EmulatorServer) -> None:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest

    from customer_profiles_sdk._signing import _LeanSigV4Auth

    from .test_signing import resigned

    async with created(server) as client:
        raw = client.aiobotocore_client
        pairs: list[tuple[str, str]] = []
        kinds: list[type] = []

        def check(request: AWSRequest, **kwargs: Any) -> None:
            copy = resigned(request, raw._request_signer._credentials, REGION)
            # The same second on both sides, or the case says nothing: compared only then.
            if copy.headers["X-Amz-Date"] == request.headers["X-Amz-Date"]:
                pairs.append((request.headers["Authorization"], copy.headers["Authorization"]))

        get = raw._request_signer.get_auth_instance

        async def spy(*args: Any, **kwargs: Any) -> Any:
            auth = await get(*args, **kwargs)
            kinds.append(type(auth))
            return auth

        raw._request_signer.get_auth_instance = spy
        raw.meta.events.register_last("request-created.customer-profiles", check)
        await client.create_domain(domain_name="signed", default_expiration_days=3)
        for _ in range(5):
            await client.get_domain(domain_name="signed")
        await raw.get_domain(DomainName="signed")  # direct: botocore's own signer
    assert kinds[:-1] == [_LeanSigV4Auth] * (len(kinds) - 1) and kinds[-1] is SigV4Auth
    assert pairs and all(signed == expected for signed, expected in pairs)
