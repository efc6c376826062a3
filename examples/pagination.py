"""Pagination: item by item, page by page, with max_items, and resuming where a pass stopped.

    python examples/pagination.py          # offline, against the SDK's in-memory emulator
    python examples/pagination.py --aws    # real AWS: default credentials and region

Every operation that takes ``NextToken`` has a ``paginate_<operation>`` method. It returns a lazy
paginator: iterating it yields the items of every page, ``.pages()`` yields the typed responses,
``page_size`` is sent as ``MaxResults``, ``max_items`` stops early, and ``resume_token`` says
where to carry on. With ``--aws`` the script creates a new domain (``cpsdk-example-<random>``, or
``--domain``; an existing domain is refused), and deletes it at the end, even after an error.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import TypeVar

from _common import main

from customer_profiles_sdk import CustomerProfilesClient
from customer_profiles_sdk.models import ListProfileObjectsItem, ObjectTypeField, ObjectTypeKey

T = TypeVar("T")

EMAIL = "jane@example.com"  # sample personal data: sent, never printed
ORDER_COUNT = 23
CUSTOMER_COUNT = 12
ACCOUNT = "ACCT-7"  # a family account: several profiles share it, so a search finds them all


def order_id(item: ListProfileObjectsItem) -> str:
    """The order id inside a stored object (a JSON document). Order ids are not personal data."""
    return str(json.loads(item.object or "{}").get("OrderId"))


def eventually(read: Callable[[], T], ready: Callable[[T], bool], *, aws: bool) -> T:
    """Offline the emulator answers at once; AWS indexes new data within seconds, so poll there."""
    deadline = time.monotonic() + (120 if aws else 0)
    while not ready(result := read()) and time.monotonic() < deadline:
        time.sleep(3)
    return result


def kind(token: str | None) -> str:
    if token is None:
        return "None (everything was read)"
    return "SDK token (mid-page)" if token.startswith("cpsdk1:") else "the service's NextToken"


def span(ids: list[str]) -> str:
    return f"{ids[0]}..{ids[-1]} ({len(ids)})" if ids else "(none)"


def run(client: CustomerProfilesClient, domain: str, aws: bool) -> None:
    # Setup: one customer with many orders, and several customers on one account.
    client.put_profile_object_type(
        domain_name=domain, object_type_name="Orders", description="Orders from the web shop",
        allow_profile_creation=True,
        fields={"Email": ObjectTypeField(source="_source.Email", target="_profile.EmailAddress"),
                "OrderId": ObjectTypeField(source="_source.OrderId")},
        keys={"_email": [ObjectTypeKey(standard_identifiers=["PROFILE"], field_names=["Email"])],
              "OrderId": [ObjectTypeKey(standard_identifiers=["UNIQUE"], field_names=["OrderId"])]},
    )
    for number in range(1, ORDER_COUNT + 1):
        order = {"OrderId": f"o-{number:03}", "Email": EMAIL}
        client.put_profile_object(domain_name=domain, object_type_name="Orders", object=json.dumps(order))
    for number in range(CUSTOMER_COUNT):
        client.create_profile(domain_name=domain, account_number=ACCOUNT, first_name=f"Customer{number}")
    print(f"setup:        {ORDER_COUNT} orders of one customer, {CUSTOMER_COUNT} profiles on one account")

    found = eventually(lambda: client.search_profiles(domain_name=domain, key_name="_email", values=[EMAIL]),
                       lambda reply: bool(reply.items), aws=aws)
    if not found.items:
        sys.exit("the customer's profile did not show up in time")
    profile_id = found.items[0].profile_id or ""
    if aws:  # wait until AWS has indexed every order and profile
        eventually(lambda: sum(1 for _ in client.paginate_list_profile_objects(
            domain_name=domain, object_type_name="Orders", profile_id=profile_id)),
            lambda count: count >= ORDER_COUNT, aws=aws)
        eventually(lambda: sum(1 for _ in client.paginate_search_profiles(
            domain_name=domain, key_name="_account", values=[ACCOUNT])),
            lambda count: count >= CUSTOMER_COUNT, aws=aws)

    # 1. Item by item: pages are fetched lazily while the loop runs, 10 items per request here.
    paginator = client.paginate_list_profile_objects(
        domain_name=domain, object_type_name="Orders", profile_id=profile_id, page_size=10)
    everything = [order_id(item) for item in paginator]
    print(f"all items:    {span(everything)} in {paginator.pages_fetched} requests, "
          f"resume_token: {kind(paginator.resume_token)}")

    # 2. Page by page: .pages() yields the typed ListProfileObjectsResponse of each request.
    for number, page in enumerate(paginator.pages(), start=1):
        print(f"page {number}:       {span([order_id(item) for item in page.items or []])}")

    # 3. max_items stops after that many items. The second request asks for the 5 still
    #    missing, not for 10, so the pass ends on a page boundary and resume_token is the
    #    service's own NextToken.
    first = client.paginate_list_profile_objects(
        domain_name=domain, object_type_name="Orders", profile_id=profile_id, page_size=10, max_items=15)
    head = [order_id(item) for item in first]
    print(f"max_items=15: {span(head)} in {first.pages_fetched} requests, resume_token: {kind(first.resume_token)}")

    # 4. Resume later (even in another process: the token is a plain string) with the same
    #    arguments: nothing is repeated and nothing is skipped.
    rest = client.paginate_list_profile_objects(
        domain_name=domain, object_type_name="Orders", profile_id=profile_id, page_size=10,
        starting_token=first.resume_token)
    tail = [order_id(item) for item in rest]
    print(f"resumed:      {span(tail)}; together they are every item once: {head + tail == everything}")

    # 5. Leaving a loop early works too, even in the middle of a page: resume_token is then an
    #    SDK token (prefix "cpsdk1:") that also records how many items of that page were used.
    search = client.paginate_search_profiles(domain_name=domain, key_name="_account", values=[ACCOUNT], page_size=5)
    seen = 0
    for _profile in search:  # Profile models; their names and account numbers show as <redacted>
        seen += 1
        if seen == 7:
            break
    print(f"search:       left the loop after {seen} profiles, resume_token: {kind(search.resume_token)}")
    more = client.paginate_search_profiles(domain_name=domain, key_name="_account", values=[ACCOUNT], page_size=5,
                                           starting_token=search.resume_token)
    remaining = len(list(more))
    print(f"resumed:      {remaining} more profiles, {seen + remaining} in all")

    # 6. max_items without page_size asks the service for just that many (MaxResults=3).
    few = client.paginate_search_profiles(domain_name=domain, key_name="_account", values=[ACCOUNT], max_items=3)
    pages = list(few.pages())
    print(f"max_items=3:  {len(pages)} request, {len(pages[0].items or [])} profiles, more to come: "
          f"{few.resume_token is not None}")


if __name__ == "__main__":
    main(__doc__, run, "cpsdk-example-pagination")
