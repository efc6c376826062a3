"""One AsyncCustomerProfilesClient shared by many tasks, against the emulator's HTTP server.

Hundreds of calls in flight on one client (``asyncio.gather``): each result answers its own
request (no mix-ups), nothing is lost (the emulator holds exactly the profiles created), and
paginators iterated at the same time each see their own full listing. The first calls of a client
that is not open yet share one aiobotocore client.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

pytest.importorskip("aiobotocore")

from aiobotocore.session import AioSession  # pyright: ignore[reportMissingImports]
from botocore.config import Config

from customer_profiles_sdk import AsyncCustomerProfilesClient
from customer_profiles_sdk.local import Emulator
from customer_profiles_sdk.local._emulator import EmulatorServer

pytestmark = pytest.mark.anyio

DOMAIN = "shop"
KNOWN = 50


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def served() -> Iterator[tuple[Emulator, EmulatorServer]]:
    emulator = Emulator()
    with emulator.serve() as server:
        yield emulator, server


def aio_session() -> Any:
    session = AioSession()
    session.set_credentials("a", "b")
    return session


@contextlib.asynccontextmanager
async def opened(server: EmulatorServer, config: Config | None = None) -> AsyncIterator[AsyncCustomerProfilesClient]:
    async with AsyncCustomerProfilesClient(session=aio_session(), region_name="us-east-1",
                                           endpoint_url=f"http://127.0.0.1:{server.port}", config=config) as client:
        yield client


def person(tag: str) -> dict[str, Any]:
    """Distinct data for one profile, every field derived from ``tag``."""
    return {"first_name": f"First{tag}", "last_name": f"Last{tag}", "email_address": f"{tag}@example.com",
            "phone_number": f"+1555{abs(hash(tag)) % 10**7:07d}", "attributes": {"tag": tag}}


def stored(emulator: Emulator) -> dict[str, dict[str, Any]]:
    """The emulator's profiles of DOMAIN: id -> stored data (wire names)."""
    return {pid: dict(profile.data) for pid, profile in emulator.backend._domains[DOMAIN].profiles.items()}


def matches(data: dict[str, Any], tag: str) -> bool:
    expected = person(tag)
    return (data.get("FirstName"), data.get("LastName"), data.get("EmailAddress"), data.get("Attributes")) == (
        expected["first_name"], expected["last_name"], expected["email_address"], expected["attributes"])


@pytest.mark.parametrize("pool", [None, 64], ids=["default-pool", "pool-64"])
async def test_200_concurrent_calls_on_one_client_each_get_their_own_answer(
    served: tuple[Emulator, EmulatorServer], pool: int | None
) -> None:
    emulator, server = served
    config = Config(max_pool_connections=pool) if pool else None
    async with opened(server, config) as client:
        await client.create_domain(domain_name=DOMAIN, default_expiration_days=30)
        known = {}
        for n in range(KNOWN):
            tag = f"known{n}"
            known[tag] = (await client.create_profile(domain_name=DOMAIN, **person(tag))).profile_id

        # 200 calls at once: 100 creations with distinct data, and 100 reads of known profiles
        # (by id through BatchGetProfile, by profile id and by email through SearchProfiles).
        calls: list[tuple[str, str, Any]] = []
        for n in range(100):
            tag = f"new{n}"
            calls.append(("create", tag, client.create_profile(domain_name=DOMAIN, **person(tag))))
        for n in range(100):
            tag = f"known{n % KNOWN}"
            kind = ("batch", "by-id", "by-email", "by-id")[n % 4]
            if kind == "batch":
                call: Any = client.batch_get_profile(domain_name=DOMAIN, profile_ids=[known[tag]])
            elif kind == "by-id":
                call = client.search_profiles(domain_name=DOMAIN, key_name="_profileId", values=[known[tag]])
            else:
                call = client.search_profiles(domain_name=DOMAIN, key_name="_email",
                                              values=[person(tag)["email_address"]])
            calls.append((kind, tag, call))
        order = list(range(len(calls)))
        order = order[::2] + order[1::2]  # creations and reads interleaved
        results = await asyncio.gather(*(calls[i][2] for i in order))

        created: dict[str, str] = {}
        for index, result in zip(order, results, strict=True):
            kind, tag, _ = calls[index]
            if kind == "create":
                created[tag] = result.profile_id
                continue
            found = result.profiles if kind == "batch" else result.items
            assert found is not None and len(found) == 1, (kind, tag)
            assert found[0].profile_id == known[tag], (kind, tag)
            assert found[0].first_name == f"First{tag}" and found[0].email_address == f"{tag}@example.com"
            assert found[0].attributes == {"tag": tag}

    # Nothing lost, nothing doubled: the emulator holds exactly the 150 profiles created, each
    # with the data of the call that returned its id.
    assert len(set(created.values())) == 100
    state = stored(emulator)
    assert set(state) == set(known.values()) | set(created.values())
    for tag, profile_id in {**known, **created}.items():
        assert matches(state[profile_id], tag), tag
    assert emulator.backend.calls["CreateProfile"] == KNOWN + 100
    assert emulator.backend.calls["SearchProfiles"] == 75 and emulator.backend.calls["BatchGetProfile"] == 25


async def test_paginators_iterated_at_the_same_time_each_see_their_own_listing(
    served: tuple[Emulator, EmulatorServer]
) -> None:
    emulator, server = served
    groups = 20
    async with opened(server) as client:
        await client.create_domain(domain_name=DOMAIN, default_expiration_days=30)
        members: dict[int, list[str]] = {}
        creations = []
        for group in range(groups):
            for n in range(3 + group % 5):  # 3 to 7 profiles per group, found by the group's name
                creations.append((group, client.create_profile(domain_name=DOMAIN, first_name=f"Group{group}",
                                                               attributes={"n": str(n)})))
        for (group, _), made in zip(creations, await asyncio.gather(*(c for _, c in creations)), strict=True):
            members.setdefault(group, []).append(made.profile_id)
        for extra in range(5):
            await client.create_domain(domain_name=f"other{extra}", default_expiration_days=30)

        async def items_pass(group: int) -> list[str | None]:
            paginator = client.paginate_search_profiles(domain_name=DOMAIN, key_name="_fullName",
                                                        values=[f"Group{group}"], page_size=2)
            seen = [item.profile_id async for item in paginator]
            assert paginator.resume_token is None
            return seen

        async def pages_pass(group: int) -> list[str | None]:
            paginator = client.paginate_search_profiles(domain_name=DOMAIN, key_name="_fullName",
                                                        values=[f"Group{group}"], page_size=1)
            seen: list[str | None] = []
            async for page in paginator.pages():
                assert page.items is not None and len(page.items) <= 1
                seen.extend(item.profile_id for item in page.items)
            return seen

        async def resumed_pass(group: int) -> list[str | None]:
            # Stop after 2 items (mid-page), then carry on from the resume token.
            first = client.paginate_search_profiles(domain_name=DOMAIN, key_name="_fullName",
                                                    values=[f"Group{group}"], page_size=3, max_items=2)
            seen = [item.profile_id async for item in first]
            rest = client.paginate_search_profiles(domain_name=DOMAIN, key_name="_fullName",
                                                   values=[f"Group{group}"], page_size=3,
                                                   starting_token=first.resume_token)
            return seen + [item.profile_id async for item in rest]

        async def domains_pass() -> list[str]:
            return [item.domain_name async for item in client.paginate_list_domains(page_size=1)]

        passes: list[Any] = [items_pass(g) for g in range(groups)]
        passes += [pages_pass(g) for g in range(groups)]
        passes += [resumed_pass(g) for g in range(groups)]
        passes += [domains_pass() for _ in range(10)]
        results = await asyncio.gather(*passes)

    ranked = emulator.backend._domains[DOMAIN].profiles
    for group in range(groups):
        # The group's profiles, in the order the emulator stored them (the creations ran at once).
        expected = sorted(members[group], key=lambda profile_id: ranked[profile_id].rank)
        for kind in range(3):
            assert results[kind * groups + group] == expected, (kind, group)
    domains = sorted([DOMAIN] + [f"other{n}" for n in range(5)])
    for listing in results[3 * groups:]:
        assert sorted(listing) == domains and len(listing) == 6


async def test_the_first_calls_of_an_unopened_client_share_one_aiobotocore_client(
    served: tuple[Emulator, EmulatorServer]
) -> None:
    emulator, server = served
    session = aio_session()
    created: list[str] = []
    session.register("creating-client-class.customer-profiles", lambda **kwargs: created.append("client"))
    client = AsyncCustomerProfilesClient(session=session, region_name="us-east-1",
                                         endpoint_url=f"http://127.0.0.1:{server.port}")
    assert client.aiobotocore_client is None and created == []
    try:
        # 50 very first calls at once: distinct creations, each answered with its own data.
        results = await asyncio.gather(*(client.create_domain(domain_name=f"d{n}", default_expiration_days=n + 1)
                                         for n in range(50)))
        assert created == ["client"]
        opened_client = client.aiobotocore_client
        assert opened_client is not None
        assert [(r.domain_name, r.default_expiration_days) for r in results] == [
            (f"d{n}", n + 1) for n in range(50)]
        await asyncio.gather(*(client.get_domain(domain_name=f"d{n}") for n in range(50)))
        assert client.aiobotocore_client is opened_client and created == ["client"]
    finally:
        await client.close()
    assert emulator.backend.calls["CreateDomain"] == 50
    with pytest.raises(RuntimeError, match="closed"):
        await client.get_domain(domain_name="d0")


async def test_a_failed_call_among_concurrent_ones_fails_alone(served: tuple[Emulator, EmulatorServer]) -> None:
    """Errors are per call: a 404 and a validation error in a gather do not disturb the others."""
    from customer_profiles_sdk import ParamValidationError, ResourceNotFoundError

    emulator, server = served
    async with opened(server) as client:
        await client.create_domain(domain_name=DOMAIN, default_expiration_days=30)
        calls: list[Any] = []
        for n in range(60):
            if n % 3 == 0:
                calls.append(client.get_domain(domain_name=f"missing{n}"))
            elif n % 3 == 1:
                calls.append(client.get_domain(domain_name=""))
            else:
                calls.append(client.create_profile(domain_name=DOMAIN, **person(f"p{n}")))
        results = await asyncio.gather(*calls, return_exceptions=True)
    for n, result in enumerate(results):
        if n % 3 == 0:
            assert isinstance(result, ResourceNotFoundError), n
        elif n % 3 == 1:
            assert isinstance(result, ParamValidationError), n
        else:
            assert not isinstance(result, BaseException), (n, result)
            assert matches(stored(emulator)[result.profile_id], f"p{n}")
    assert len(stored(emulator)) == 20
    assert emulator.backend.calls.get("GetDomain") == 20  # the invalid calls sent nothing
