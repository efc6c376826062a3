"""How the async client types: awaited calls, ``async for`` items and pages, and its mistakes.

Checked by mypy --strict and pyright (tests/typing/pyrightconfig.json) in .ci/run, like the other
files here; nothing is run. ``assert_type`` fails the check when the revealed type differs, and each
marked line must still be an error for both checkers.
"""

from __future__ import annotations

from typing import assert_type

from customer_profiles_sdk import AsyncCustomerProfilesClient, AsyncPaginator, Paginator
from customer_profiles_sdk.models import (
    CreateProfileResponse,
    GetDomainResponse,
    ListProfileObjectsItem,
    ListProfileObjectsResponse,
    Profile,
    SearchProfilesResponse,
)


async def awaited_calls(client: AsyncCustomerProfilesClient) -> None:
    domain = await client.get_domain(domain_name="shop")
    assert_type(domain, GetDomainResponse)
    created = await client.create_profile(domain_name="shop", first_name="Ann")
    assert_type(created, CreateProfileResponse)
    assert_type(created.profile_id, str)
    found = await client.search_profiles(domain_name="shop", key_name="_email", values=["a@example.com"])
    assert_type(found, SearchProfilesResponse)


async def async_iteration(client: AsyncCustomerProfilesClient) -> None:
    paginator = client.paginate_list_profile_objects(
        domain_name="shop", object_type_name="Orders", profile_id="p1", page_size=10
    )
    assert_type(paginator, AsyncPaginator[ListProfileObjectsItem, ListProfileObjectsResponse])
    async for item in paginator:
        assert_type(item, ListProfileObjectsItem)
    async for page in paginator.pages():
        assert_type(page, ListProfileObjectsResponse)
    async for profile in client.paginate_search_profiles(domain_name="shop", key_name="_email", values=["a"]):
        assert_type(profile, Profile)
    assert_type(paginator.resume_token, str | None)


async def context_manager() -> None:
    async with AsyncCustomerProfilesClient(region_name="eu-west-2") as client:
        assert_type(client, AsyncCustomerProfilesClient)
    await client.close()


async def mistakes(client: AsyncCustomerProfilesClient) -> None:
    # Forgetting await: the coroutine has no members of the response.
    missing = client.get_domain(domain_name="shop")
    print(missing.domain_name)  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue]
    # A sync for over an async paginator.
    for _item in client.paginate_list_profile_objects(  # type: ignore[attr-defined]  # pyright: ignore[reportGeneralTypeIssues]
        domain_name="shop", object_type_name="Orders", profile_id="p1"
    ):
        pass
    # Awaiting a paginator (it is iterated, not awaited).
    await client.paginate_list_profile_objects(domain_name="shop", object_type_name="Orders", profile_id="p1")  # type: ignore[misc]  # pyright: ignore[reportGeneralTypeIssues]
    # The same keyword-only arguments as the sync client: a positional argument is refused.
    await client.get_domain("shop")  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    # An async paginator is not a sync one.
    sync: Paginator[ListProfileObjectsItem, ListProfileObjectsResponse] = client.paginate_list_profile_objects(  # type: ignore[assignment]  # pyright: ignore[reportAssignmentType]
        domain_name="shop", object_type_name="Orders", profile_id="p1"
    )
    del sync
