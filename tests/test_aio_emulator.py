"""The emulator answers the async client (aiobotocore) in process, process-wide and over HTTP, and
the async pytest fixture. Skipped where aiobotocore (the ``async`` extra) is not installed; run by
anyio's pytest plugin, on asyncio only (aiobotocore runs on asyncio)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("aiobotocore")

from aiobotocore.endpoint import AioEndpoint  # pyright: ignore[reportMissingImports]
from aiobotocore.session import AioSession  # pyright: ignore[reportMissingImports]
from botocore.config import Config
from botocore.endpoint import Endpoint
from botocore.exceptions import EndpointConnectionError, NoRegionError
from botocore.session import Session

from customer_profiles_sdk import AsyncCustomerProfilesClient, CustomerProfilesClient
from customer_profiles_sdk.errors import (
    InternalServerError,
    ParamValidationError,
    PartialFailureError,
    ResourceNotFoundError,
    ThrottlingError,
)
from customer_profiles_sdk.local import Emulator, installed
from customer_profiles_sdk.models import BatchPutProfileObjectRequestItem, ObjectTypeField, ObjectTypeKey

pytestmark = pytest.mark.anyio

# Nothing listens there: a request that the emulator does not answer fails to connect, offline.
NOWHERE = "http://127.0.0.1:9"
CANARY = "canary-5e0a1"  # in every object: must never come back in a message

FIELDS = {
    "OrderId": ObjectTypeField(source="_source.id", target="_order.OrderId"),
    "Email": ObjectTypeField(source="_source.email", target="_profile.EmailAddress"),
}
KEYS = {
    "_orderId": [ObjectTypeKey(standard_identifiers=["UNIQUE"], field_names=["OrderId"])],
    "_email": [ObjectTypeKey(standard_identifiers=["PROFILE"], field_names=["Email"])],
}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def bare_session() -> Any:
    """An aiobotocore session as the user makes one (typed Any: aiobotocore has no type hints)."""
    return AioSession()


def aio_session() -> Any:
    session = bare_session()
    session.set_credentials("testing", "testing")
    return session


def raw_client(**kwargs: Any) -> Any:
    """An aiobotocore client context (``async with``) with dummy keys, aimed at NOWHERE."""
    kwargs.setdefault("region_name", "us-east-1")
    kwargs.setdefault("endpoint_url", NOWHERE)
    kwargs.setdefault("config", Config(retries={"mode": "standard", "total_max_attempts": 1}))
    return aio_session().create_client("customer-profiles", **kwargs)


def order(n: int) -> str:
    return json.dumps({"id": f"o{n}", "email": f"c{n}@example.com", "note": CANARY})


async def prepare_orders(client: AsyncCustomerProfilesClient) -> None:
    await client.create_domain(domain_name="shop", default_expiration_days=365)
    await client.put_profile_object_type(domain_name="shop", object_type_name="Orders", description="d",
                                         allow_profile_creation=True, fields=FIELDS, keys=KEYS)


# -- in process: attach --------------------------------------------------------------------------


async def test_sync_and_async_clients_of_one_emulator_see_one_state() -> None:
    emulator = Emulator()
    sync = emulator.client()
    async with emulator.async_client() as client:
        assert isinstance(client, AsyncCustomerProfilesClient)
        await client.create_domain(domain_name="shop", default_expiration_days=30)
        assert sync.get_domain(domain_name="shop").domain_name == "shop"
        sync.create_profile(domain_name="shop", first_name="Ann")
        found = await client.search_profiles(domain_name="shop", key_name="_fullName", values=["Ann"])
        assert [p.first_name for p in found.items or []] == ["Ann"]
        plain = emulator.boto3_client()
        assert plain.get_domain(DomainName="shop")["DomainName"] == "shop"
    assert emulator.backend.calls["CreateDomain"] == 1 and emulator.backend.calls["SearchProfiles"] == 1


async def test_attach_takes_a_plain_aiobotocore_client_and_detach_gives_it_back() -> None:
    emulator = Emulator()
    async with raw_client() as raw:
        emulator.attach(raw)
        await raw.create_domain(DomainName="shop", DefaultExpirationDays=1)
        assert (await raw.get_domain(DomainName="shop"))["DomainName"] == "shop"
        # An SDK client around it (client=) is answered through the same handler.
        sdk = AsyncCustomerProfilesClient(client=raw)
        assert (await sdk.get_domain(domain_name="shop")).domain_name == "shop"
        emulator.detach(sdk)
        with pytest.raises(EndpointConnectionError):
            await raw.get_domain(DomainName="shop")  # sent as usual: nobody listens at NOWHERE
    assert emulator.backend.calls == {"CreateDomain": 1, "GetDomain": 2}


async def test_attach_before_the_async_client_is_open() -> None:
    """The aiobotocore client of an AsyncCustomerProfilesClient exists only from ``async with``
    or the first call: attach works before, and answers from the first request on."""
    emulator = Emulator()
    client = AsyncCustomerProfilesClient(session=aio_session(), region_name="us-east-1", endpoint_url=NOWHERE)
    assert client.aiobotocore_client is None
    emulator.attach(client)
    emulator.attach(client)  # twice: one handler, as for a sync client
    await client.__aenter__()
    assert client.aiobotocore_client is not None
    await client.create_domain(domain_name="shop", default_expiration_days=1)
    assert (await client.get_domain(domain_name="shop")).domain_name == "shop"
    emulator.detach(client)
    with pytest.raises(EndpointConnectionError):
        await client.get_domain(domain_name="shop")
    emulator.attach(client)  # attached again, now that it is open
    assert (await client.list_domains()).items is not None
    await client.close()
    assert emulator.backend.calls == {"CreateDomain": 1, "GetDomain": 1, "ListDomains": 1}


async def test_attach_before_the_first_call_opens_the_client() -> None:
    emulator = Emulator()
    client = AsyncCustomerProfilesClient(session=aio_session(), region_name="us-east-1", endpoint_url=NOWHERE)
    emulator.attach(client)
    try:
        await client.create_domain(domain_name="shop", default_expiration_days=1)  # opens it
        assert (await client.get_domain(domain_name="shop")).domain_name == "shop"
    finally:
        await client.close()
    assert emulator.backend.calls == {"CreateDomain": 1, "GetDomain": 1}


async def test_attach_while_another_task_opens_the_client() -> None:
    emulator = Emulator()
    client = AsyncCustomerProfilesClient(session=aio_session(), region_name="us-east-1", endpoint_url=NOWHERE)
    opening = asyncio.ensure_future(client.__aenter__())
    await asyncio.sleep(0)  # the creation has started
    assert client.aiobotocore_client is None
    emulator.attach(client)
    async with await opening:
        results = await asyncio.gather(*(client.list_domains() for _ in range(5)))
    assert len(results) == 5 and emulator.backend.calls == {"ListDomains": 5}


async def test_the_emulator_attached_last_answers_an_async_client() -> None:
    first, second = Emulator(), Emulator()
    client = AsyncCustomerProfilesClient(session=aio_session(), region_name="us-east-1", endpoint_url=NOWHERE)
    first.attach(client)
    second.attach(client)
    async with client:
        await client.create_domain(domain_name="second", default_expiration_days=1)
        second.detach(client)
        await client.create_domain(domain_name="first", default_expiration_days=1)
    assert [d.domain_name for d in first.client().list_domains().items or []] == ["first"]
    assert [d.domain_name for d in second.client().list_domains().items or []] == ["second"]


# -- async_client(): isolated from the user's AWS set-up -------------------------------------------


BOGUS_CONFIG = """[default]
region = xx-nowhere-1
retry_mode = bogus
max_attempts = many
endpoint_url = http://127.0.0.1:9
aws_access_key_id = AKIAFROMFILE
aws_secret_access_key = fromfile
"""


@pytest.mark.parametrize("setting", ["profile", "config_file", "environment"])
async def test_async_client_reads_none_of_the_users_aws_configuration(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Any, setting: str) -> None:
    config = tmp_path / "config"
    config.write_text(BOGUS_CONFIG)
    if setting == "profile":
        monkeypatch.setenv("AWS_PROFILE", "doesnotexist")
    elif setting == "config_file":
        monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
        monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(config))
    else:
        for name, value in [("AWS_RETRY_MODE", "legacy"), ("AWS_MAX_ATTEMPTS", "many"), ("AWS_DEFAULT_REGION", "xx-1"),
                            ("AWS_ENDPOINT_URL", NOWHERE), ("AWS_DEFAULTS_MODE", "bogus"),
                            ("AWS_ACCESS_KEY_ID", "AKIAFROMENV"), ("AWS_SECRET_ACCESS_KEY", "fromenv")]:
            monkeypatch.setenv(name, value)
    emulator = Emulator(region="eu-west-2")
    async with emulator.async_client() as client:
        raw = client.aiobotocore_client
        assert raw.meta.region_name == "eu-west-2"
        assert raw.meta.config.retries["mode"] == "standard"
        assert raw._request_signer._credentials.access_key == "emulator"
        await client.create_domain(domain_name="shop", default_expiration_days=1)
    assert emulator.client().get_domain(domain_name="shop").domain_name == "shop"


async def test_async_client_takes_a_config_and_client_arguments() -> None:
    emulator = Emulator()
    given = Config(retries={"mode": "legacy", "total_max_attempts": 4}, read_timeout=7)
    async with emulator.async_client(config=given, fast_parse=False) as client:
        raw = client.aiobotocore_client
        assert raw.meta.config.retries == {"mode": "legacy", "total_max_attempts": 4}
        assert raw.meta.config.read_timeout == 7
        assert client._fast_parse is False
        await client.create_domain(domain_name="shop", default_expiration_days=1)
    async with emulator.async_client(config=Config(retries={"total_max_attempts": 2})) as client:
        assert client.aiobotocore_client.meta.config.retries == {"mode": "standard", "total_max_attempts": 2}
        assert (await client.get_domain(domain_name="shop")).domain_name == "shop"


# -- process-wide: install() -----------------------------------------------------------------------


@pytest.fixture
def bare_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """No AWS keys and no region anywhere: only the installed emulator's defaults make clients work."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION",
                 "AWS_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "absent"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "absent"))


@pytest.mark.usefixtures("bare_environment")
async def test_install_answers_aiobotocore_clients_made_inside_and_is_undone() -> None:
    send, aio_send = vars(Endpoint)["_send"], vars(AioEndpoint)["_send"]
    creators = vars(Session)["create_client"], vars(AioSession)["create_client"]
    emulator = Emulator(region="eu-west-2")
    emulator.install()
    try:
        assert vars(AioEndpoint)["_send"] is not aio_send
        # No keys, no region on this machine: the client gets the emulator's, and is answered.
        async with bare_session().create_client("customer-profiles") as raw:
            assert raw.meta.region_name == "eu-west-2"
            await raw.create_domain(DomainName="shop", DefaultExpirationDays=1)
        async with AsyncCustomerProfilesClient() as client:  # the SDK's own session, too
            assert (await client.get_domain(domain_name="shop")).domain_name == "shop"
        # A configured region and keys given to the call are kept.
        async with bare_session().create_client("customer-profiles", region_name="ap-south-1",
                                              aws_access_key_id="given", aws_secret_access_key="given") as raw:
            assert raw.meta.region_name == "ap-south-1"
            assert raw._request_signer._credentials.access_key == "given"
            assert (await raw.list_domains())["ResponseMetadata"]["HTTPStatusCode"] == 200
    finally:
        emulator.uninstall()
    assert (vars(Endpoint)["_send"], vars(AioEndpoint)["_send"]) == (send, aio_send)
    assert (vars(Session)["create_client"], vars(AioSession)["create_client"]) == creators
    assert installed() is None
    with pytest.raises(NoRegionError):
        async with bare_session().create_client("customer-profiles"):
            pass
    assert emulator.backend.calls == {"CreateDomain": 1, "GetDomain": 1, "ListDomains": 1}


async def test_a_client_made_before_the_block_is_answered_only_inside_it() -> None:
    async with raw_client() as raw:
        with Emulator() as outer:
            with Emulator() as inner:  # nested: the innermost answers
                await raw.create_domain(DomainName="inner", DefaultExpirationDays=1)
            await raw.create_domain(DomainName="outer", DefaultExpirationDays=1)
        with pytest.raises(EndpointConnectionError):
            await raw.list_domains()
    assert list(inner.backend.calls) == list(outer.backend.calls) == ["CreateDomain"]
    assert [d.domain_name for d in inner.client().list_domains().items or []] == ["inner"]


async def test_other_services_are_not_answered_by_the_installed_emulator() -> None:
    session = aio_session()
    with Emulator():
        async with session.create_client("sts", region_name="us-east-1", endpoint_url=NOWHERE,
                                         config=Config(retries={"total_max_attempts": 1})) as sts:
            with pytest.raises(EndpointConnectionError):
                await sts.get_caller_identity()


def test_importing_the_emulator_and_the_plugin_imports_no_aiobotocore() -> None:
    code = ("import sys, customer_profiles_sdk.local, customer_profiles_sdk.testing\n"
            "from customer_profiles_sdk.local import Emulator\n"
            "emulator = Emulator(); emulator.client().list_domains()\n"
            "assert not [m for m in sys.modules if m.startswith('aiobotocore')], 'aiobotocore imported'\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


# -- the fixture ---------------------------------------------------------------------------------


async def test_the_async_fixture(customer_profiles_async_client: AsyncCustomerProfilesClient,
                                 customer_profiles_client: CustomerProfilesClient,
                                 customer_profiles_emulator: Emulator) -> None:
    client = customer_profiles_async_client
    assert client.aiobotocore_client is not None  # opened for the test
    await client.create_domain(domain_name="shop", default_expiration_days=1)
    assert customer_profiles_client.get_domain(domain_name="shop").domain_name == "shop"
    assert customer_profiles_emulator.backend.calls == {"CreateDomain": 1, "GetDomain": 1}


async def test_the_async_fixture_is_fresh_per_test(customer_profiles_async_client: AsyncCustomerProfilesClient) -> None:
    assert (await customer_profiles_async_client.list_domains()).items == []


# -- errors, batches and paginators --------------------------------------------------------------


async def test_errors_retries_and_rate_limits() -> None:
    now = [0.0]
    emulator = Emulator(rate_limits={"GetDomain": 1}, rate_clock=lambda: now[0])
    async with emulator.async_client() as client:
        with pytest.raises(ResourceNotFoundError) as missing:
            await client.get_domain(domain_name="nope")
        assert missing.value.http_status == 404 and missing.value.retry_attempts == 0
        with pytest.raises(ParamValidationError):
            await client.get_domain(domain_name="")  # refused before anything is sent
        await client.create_domain(domain_name="shop", default_expiration_days=1)
        # An injected 5xx: retried by the client, then the call succeeds.
        emulator.fail("ListDomains", code="InternalServerException", status=500, message="boom", times=2)
        reply = await client.list_domains()
        assert reply.response_metadata is not None and reply.response_metadata.retry_attempts == 2
        emulator.fail("ListDomains", code="InternalServerException", status=500, times=3)
        with pytest.raises(InternalServerError) as failed:
            await client.list_domains()
        assert failed.value.retry_attempts == 2  # standard: 3 attempts
    async with emulator.async_client() as client:
        # A rate limit: the bucket's one token went to the 404 above; every attempt is throttled.
        with pytest.raises(ThrottlingError) as throttled:
            await client.get_domain(domain_name="shop")
        assert throttled.value.http_status == 429 and throttled.value.retry_attempts == 2
        now[0] += 1.0
        assert (await client.get_domain(domain_name="shop")).domain_name == "shop"
    assert emulator.throttled == {"GetDomain": 3}
    assert emulator.backend.calls == {"GetDomain": 2, "CreateDomain": 1, "ListDomains": 1}


async def test_batch_put_has_an_outcome_per_item() -> None:
    emulator = Emulator()
    async with emulator.async_client() as client:
        await prepare_orders(client)
        items = [BatchPutProfileObjectRequestItem(id="ok-1", object=order(1)),
                 BatchPutProfileObjectRequestItem(id="bad", object=json.dumps([CANARY])),
                 BatchPutProfileObjectRequestItem(id="ok-2", object=order(2))]
        result = await client.batch_put_profile_object(domain_name="shop", object_type_name="Orders", items=items,
                                                       allow_partial=True)
        assert [s.id for s in result.successful or []] == ["ok-1", "ok-2"]
        assert [(f.id, f.code) for f in result.failed or []] == [("bad", 400)]
        with pytest.raises(PartialFailureError) as caught:
            await client.batch_put_profile_object(domain_name="shop", object_type_name="Orders", items=items)
        assert CANARY not in str(caught.value)
        assert [f.id for f in caught.value.response.failed or []] == ["bad"]
    assert emulator.backend.calls["BatchPutProfileObject"] == 2


async def check_paginators(client: AsyncCustomerProfilesClient) -> None:
    for n in range(7):
        await client.create_domain(domain_name=f"d{n}", default_expiration_days=1)
    names = [d.domain_name async for d in client.paginate_list_domains(page_size=2)]
    assert names == [f"d{n}" for n in range(7)]
    pages = [page async for page in client.paginate_list_domains(page_size=3).pages()]
    assert [len(page.items or []) for page in pages] == [3, 3, 1]
    limited = [d.domain_name async for d in client.paginate_list_domains(page_size=2, max_items=3)]
    assert limited == ["d0", "d1", "d2"]
    # Two paginators iterated at once on one client.
    async def walk() -> list[str]:
        return [d.domain_name async for d in client.paginate_list_domains(page_size=1)]

    assert list(await asyncio.gather(walk(), walk(), walk())) == [names, names, names]


async def test_paginators_with_async_for() -> None:
    emulator = Emulator()
    async with emulator.async_client() as client:
        await check_paginators(client)


# -- over HTTP -------------------------------------------------------------------------------------


@pytest.fixture
def served() -> Iterator[tuple[Emulator, str]]:
    emulator = Emulator()
    with emulator.serve() as server:
        yield emulator, server.url


async def test_the_async_client_over_http(served: tuple[Emulator, str]) -> None:
    emulator, url = served
    async with AsyncCustomerProfilesClient(session=aio_session(), region_name="us-east-1", endpoint_url=url) as client:
        await prepare_orders(client)
        with pytest.raises(ResourceNotFoundError):
            await client.get_domain(domain_name="nope")
        emulator.fail("GetDomain", code="ServiceUnavailableException", status=503)
        reply = await client.get_domain(domain_name="shop")
        assert reply.response_metadata is not None and reply.response_metadata.retry_attempts == 1
        result = await client.batch_put_profile_object(
            domain_name="shop", object_type_name="Orders", allow_partial=True,
            items=[BatchPutProfileObjectRequestItem(id="ok", object=order(1)),
                   BatchPutProfileObjectRequestItem(id="bad", object="{")])
        assert [f.id for f in result.failed or []] == ["bad"]
        emulator.set_rate_limit("ListDomains", 0.001)  # one call, then throttled
        await client.list_domains()
        with pytest.raises(ThrottlingError):
            await client.list_domains()
        emulator.set_rate_limit("ListDomains", None)
        await client.delete_domain(domain_name="shop")
        await check_paginators(client)
        replies = await asyncio.gather(*(client.get_domain(domain_name=f"d{n % 7}") for n in range(50)))
        assert [r.domain_name for r in replies] == [f"d{n % 7}" for n in range(50)]
