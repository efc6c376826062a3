"""AsyncCustomerProfilesClient with aioboto3: its Session as ``session=``, its clients as ``client=``.

aioboto3 15 runs on aiobotocore 2.25, which cannot be installed next to aiobotocore 3.10, so this
file is skipped in every environment but .ci/run's aioboto3 leg (aioboto3 15.x).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from customer_profiles_sdk import AsyncCustomerProfilesClient, ParamValidationError, ResourceNotFoundError
from customer_profiles_sdk.local import Emulator
from customer_profiles_sdk.local._emulator import EmulatorServer

aioboto3 = pytest.importorskip("aioboto3")


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with Emulator().serve() as running:
        yield running


def _session() -> object:
    return aioboto3.Session(aws_access_key_id="emulator", aws_secret_access_key="emulator", region_name="eu-west-2")


def test_an_aioboto3_session_makes_the_client(server: EmulatorServer) -> None:
    url = f"http://127.0.0.1:{server.port}"

    async def main() -> tuple[list[str | None], list[str], str, str]:
        async with AsyncCustomerProfilesClient(session=_session(), endpoint_url=url) as client:
            await client.create_domain(domain_name="shop", default_expiration_days=30)
            created = await asyncio.gather(
                *(client.create_profile(domain_name="shop", first_name=f"n{n}") for n in range(20))
            )
            names = [item.domain_name async for item in client.paginate_list_domains(page_size=1)]
            with pytest.raises(ResourceNotFoundError) as missing:
                await client.get_domain(domain_name="other")
            with pytest.raises(ParamValidationError):
                await client.get_domain(domain_name="")
            mode = client.aiobotocore_client.meta.config.retries["mode"]
        return [answer.profile_id for answer in created], names, missing.value.code, mode

    ids, names, code, mode = asyncio.run(main())
    assert len(set(ids)) == 20 and all(ids)
    assert names == ["shop"] and code == "ResourceNotFoundException" and mode == "standard"
    assert server.emulator.backend.calls.get("CreateProfile") == 20


def test_an_aioboto3_client_is_adopted(server: EmulatorServer) -> None:
    url = f"http://127.0.0.1:{server.port}"

    async def main() -> str:
        async with _session().client("customer-profiles", endpoint_url=url) as raw:  # type: ignore[attr-defined]
            client = AsyncCustomerProfilesClient(client=raw)
            await client.create_domain(domain_name="shop", default_expiration_days=30)
            domain = await client.get_domain(domain_name="shop")
            await client.close()  # leaves aioboto3's client open for its owner
            await raw.get_domain(DomainName="shop")
        return domain.domain_name

    assert asyncio.run(main()) == "shop"
