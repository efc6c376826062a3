"""Paginators stay bounded on a service that never stops sending tokens.

A service (or a proxy) that keeps answering with a fresh ``NextToken`` must not keep a pass
requesting pages for ever: empty pages in a row are capped (``max_empty_pages``), requests per
pass are capped (``max_pages``), and the memory used to spot repeated tokens is bounded. The fake
services below refuse to go on past a generous number of requests, so the old unbounded loop
fails these tests instead of hanging.
"""

from __future__ import annotations

import tracemalloc
from dataclasses import dataclass
from typing import Any

import pytest

from customer_profiles_sdk import CustomerProfilesClient, PaginationError, ParamValidationError, pagination
from customer_profiles_sdk.pagination import (
    DEFAULT_MAX_EMPTY_PAGES,
    DEFAULT_MAX_PAGES,
    RECENT_TOKENS,
    Paginator,
    _TokenGuard,
)

from .localserver import LocalServer, Received, Reply

#: A fake service raises this past this many requests: the hang guard of every test here.
RUNAWAY = 60_000


class Runaway(AssertionError):
    """The paginator kept requesting pages far past any limit it should have."""


@dataclass
class Page:
    items: list[int]
    next_token: str | None


class Endless:
    """A service that always answers ``per_page`` items and a fresh token (never the same twice)."""

    def __init__(self, per_page: int = 0, token_size: int = 0) -> None:
        self.per_page = per_page
        self.token_size = token_size
        self.requests = 0

    def fetch(self, token: str | None, size: int | None) -> Page:
        self.requests += 1
        if self.requests > RUNAWAY:
            raise Runaway(f"{self.requests} requests")
        first = (self.requests - 1) * self.per_page
        fresh = f"secret-token-{self.requests}-".ljust(self.token_size, "x")
        return Page(list(range(first, first + self.per_page)), fresh)


class Cycle:
    """Tokens t0, t1, ..., t(length-1), t0, ...: each page holds one item, its position."""

    def __init__(self, length: int) -> None:
        self.length = length
        self.requests = 0

    def fetch(self, token: str | None, size: int | None) -> Page:
        self.requests += 1
        if self.requests > RUNAWAY:
            raise Runaway(f"{self.requests} requests")
        here = int(token.removeprefix("t")) if token else -1
        return Page([here], f"t{(here + 1) % self.length}")


def paginator(fetch: Any, **kwargs: Any) -> Paginator[int, Page]:
    def set_items(page: Page, items: list[int]) -> None:
        page.items = items

    return Paginator("ListThings", fetch, lambda p: p.items, lambda p: p.next_token, set_items,
                     limit_bounds=(1, 100), **kwargs)


# -- empty pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("max_items", [5, None])
@pytest.mark.parametrize("use_pages", [False, True])
def test_endless_empty_pages_stop_at_the_default_cap(max_items: int | None, use_pages: bool) -> None:
    service = Endless(per_page=0)
    p = paginator(service.fetch, max_items=max_items)
    with pytest.raises(PaginationError) as caught:
        list(p.pages()) if use_pages else list(p)
    assert DEFAULT_MAX_EMPTY_PAGES == 100
    assert service.requests == 100
    message = str(caught.value)
    assert "100 pages in a row" in message and "max_empty_pages=100" in message
    assert "secret-token" not in message


def test_the_empty_page_cap_counts_pages_in_a_row_only() -> None:
    """Empty runs shorter than the cap, between non-empty pages, are a legitimate sparse listing."""
    answers = iter(([], [], [], [1], [], [], [], [2], [], [], [], [3]))
    tokens = iter(range(100))

    def fetch(token: str | None, size: int | None) -> Page:
        items = next(answers, None)
        if items is None:
            return Page([], None)
        return Page(items, f"tok{next(tokens)}")

    assert list(paginator(fetch, max_empty_pages=4)) == [1, 2, 3]
    answers = iter(([], [], [], [1], [], [], [], [], [2]))
    with pytest.raises(PaginationError, match="4 pages in a row"):
        list(paginator(fetch, max_empty_pages=4))


def test_after_the_empty_page_cap_resume_token_carries_on() -> None:
    """Every item before the cap was handed out, and the pass can be continued deliberately."""
    pages: dict[str | None, tuple[list[int], str | None]] = {None: ([1, 2], "a"), "a": ([3], "e0")}
    pages |= {f"e{i}": ([], f"e{i + 1}") for i in range(8)}
    pages["e8"] = ([4, 5], None)

    def fetch(token: str | None, size: int | None) -> Page:
        items, next_token = pages[token]
        return Page(list(items), next_token)

    first = paginator(fetch, max_empty_pages=5)
    got: list[int] = []
    with pytest.raises(PaginationError):
        for item in first:
            got.append(item)
    assert got == [1, 2, 3] and first.resume_token is not None
    got.extend(paginator(fetch, max_empty_pages=5, starting_token=first.resume_token))
    assert got == [1, 2, 3, 4, 5]


# -- non-empty pages ------------------------------------------------------------------------------


def test_endless_non_empty_pages_go_on_until_max_items() -> None:
    """Far past the remembered-token window: fresh tokens are never mistaken for repeats."""
    service = Endless(per_page=1)
    p = paginator(service.fetch, max_items=3 * RECENT_TOKENS)
    assert list(p) == list(range(3 * RECENT_TOKENS))
    assert service.requests == 3 * RECENT_TOKENS
    assert p.resume_token is not None


def test_endless_non_empty_pages_go_on_while_the_consumer_reads() -> None:
    service = Endless(per_page=3)
    p = paginator(service.fetch, max_pages=None)
    got = []
    for item in p:
        got.append(item)
        if len(got) == 45_000:
            break
    assert got == list(range(45_000)) and service.requests == 15_000


@pytest.mark.parametrize("use_pages", [False, True])
def test_endless_non_empty_pages_stop_at_max_pages(use_pages: bool) -> None:
    service = Endless(per_page=2)
    p = paginator(service.fetch, max_pages=50)
    got: list[int] = []
    with pytest.raises(PaginationError) as caught:
        if use_pages:
            for page in p.pages():
                got.extend(page.items)
        else:
            for item in p:
                got.append(item)
    assert service.requests == 50 and got == list(range(100))
    message = str(caught.value)
    assert "after 50 requests" in message and "max_pages=50" in message
    assert "secret-token" not in message
    # Carrying on deliberately from resume_token neither repeats nor skips an item.
    assert p.resume_token == "secret-token-50-"


def test_the_default_page_cap_is_generous() -> None:
    assert DEFAULT_MAX_PAGES is not None and DEFAULT_MAX_PAGES >= 1_000_000
    assert paginator(Endless().fetch).max_pages == DEFAULT_MAX_PAGES


def test_a_listing_that_ends_is_not_affected_by_the_caps() -> None:
    pages = {None: ([1], "a"), "a": ([], "b"), "b": ([2], None)}

    def fetch(token: str | None, size: int | None) -> Page:
        return Page(*pages[token])

    p = paginator(fetch, max_pages=3, max_empty_pages=2)
    assert list(p) == [1, 2] and p.resume_token is None
    with pytest.raises(PaginationError, match="1 page in a row"):  # at most N empty pages in a row
        list(paginator(fetch, max_empty_pages=1))
    with pytest.raises(PaginationError, match="after 2 requests"):  # at most N requests
        list(paginator(fetch, max_pages=2))


# -- configuration --------------------------------------------------------------------------------


def test_the_caps_are_attributes_checked_like_arguments() -> None:
    service = Endless(per_page=0)
    p = paginator(service.fetch, max_items=5)
    p.max_empty_pages = 7
    with pytest.raises(PaginationError, match="7 pages in a row"):
        list(p)
    assert service.requests == 7
    p.max_empty_pages = None
    p.max_pages = 300
    with pytest.raises(PaginationError, match="after 300 requests"):
        list(p)
    assert service.requests == 7 + 300
    for bad in (0, -1, True, 2.5, "10"):
        with pytest.raises(ParamValidationError, match="max_pages"):
            p.max_pages = bad  # type: ignore[assignment]
        with pytest.raises(ParamValidationError, match="max_empty_pages"):
            paginator(service.fetch, max_empty_pages=bad)
    assert p.max_pages == 300


def test_the_module_defaults_apply_to_paginators_made_afterwards(monkeypatch: pytest.MonkeyPatch) -> None:
    before = paginator(Endless().fetch)
    monkeypatch.setattr(pagination, "DEFAULT_MAX_EMPTY_PAGES", 3)
    monkeypatch.setattr(pagination, "DEFAULT_MAX_PAGES", 40)
    after = paginator(Endless().fetch)
    assert (before.max_empty_pages, before.max_pages) == (100, DEFAULT_MAX_PAGES)
    assert (after.max_empty_pages, after.max_pages) == (3, 40)
    service = Endless(per_page=0)
    with pytest.raises(PaginationError, match="3 pages in a row"):
        list(paginator(service.fetch))
    assert service.requests == 3


# -- repeated tokens in bounded memory ------------------------------------------------------------


def test_a_cycle_longer_than_the_token_window_is_still_caught() -> None:
    length = RECENT_TOKENS + RECENT_TOKENS // 5
    service = Cycle(length)
    with pytest.raises(PaginationError, match="already used"):
        list(paginator(service.fetch, max_pages=None))
    assert length < service.requests <= 4 * length


@pytest.mark.parametrize("length", [1, 2, 3, 50, RECENT_TOKENS])
def test_a_cycle_within_the_window_is_caught_before_any_item_repeats(length: int) -> None:
    service = Cycle(length)
    got: list[int] = []
    with pytest.raises(PaginationError, match="already used"):
        for item in paginator(service.fetch, max_pages=None):
            got.append(item)
    assert len(got) == len(set(got)) == length + 1


def test_the_starting_token_counts_as_seen() -> None:
    service = Cycle(5)
    with pytest.raises(PaginationError, match="already used"):
        list(paginator(service.fetch, starting_token="t0"))
    assert service.requests == 5


def test_the_token_window_is_bounded() -> None:
    guard = _TokenGuard("start")
    for index in range(3 * RECENT_TOKENS):
        assert not guard.repeated(f"token-{index}")
    assert len(guard._recent) <= RECENT_TOKENS and len(guard._order) <= RECENT_TOKENS
    assert all(len(digest) == 16 for digest in guard._recent)  # digests, never the token text
    assert guard.repeated(f"token-{3 * RECENT_TOKENS - 1}")


def test_memory_stays_bounded_over_a_long_pass_of_large_tokens() -> None:
    """25,000 pages with 2 kB tokens: remembering them all would take 50 MB."""
    service = Endless(per_page=1, token_size=2_000)
    p = paginator(service.fetch, max_items=25_000)
    tracemalloc.start()
    try:
        count = sum(1 for _ in p)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 25_000
    assert peak < 8_000_000, peak


# -- through the client, against a local server ---------------------------------------------------

DOMAIN = {"DomainName": "d", "CreatedAt": 1, "LastUpdatedAt": 1}


class EndlessServer:
    """Answers ListDomains with ``items`` domains and a fresh token; ends after RUNAWAY // 100 pages."""

    def __init__(self, items: int) -> None:
        self.items = items
        self.count = 0

    def __call__(self, request: Received) -> Reply:
        self.count += 1
        body: dict[str, Any] = {"Items": [DOMAIN] * self.items}
        if self.count < RUNAWAY // 100:
            body["NextToken"] = f"secret-token-{self.count}"
        return Reply(200, body)


@pytest.fixture(scope="module")
def client(server: LocalServer) -> CustomerProfilesClient:
    return server.client()


@pytest.mark.parametrize("max_items", [5, None])
def test_client_paginator_stops_on_endless_empty_pages(
    max_items: int | None, fresh_server: LocalServer, client: CustomerProfilesClient
) -> None:
    fresh_server.respond = EndlessServer(items=0)
    with pytest.raises(PaginationError) as caught:
        list(client.paginate_list_domains(max_items=max_items))
    assert len(fresh_server.requests) == 100
    assert "100 pages in a row" in str(caught.value) and "secret-token" not in str(caught.value)


def test_client_paginator_caps_are_configurable(fresh_server: LocalServer, client: CustomerProfilesClient) -> None:
    fresh_server.respond = EndlessServer(items=0)
    p = client.paginate_list_domains(max_items=5)
    p.max_empty_pages = 4
    with pytest.raises(PaginationError, match="4 pages in a row"):
        list(p.pages())
    assert len(fresh_server.requests) == 4

    fresh_server.reset()
    fresh_server.respond = EndlessServer(items=2)
    p = client.paginate_list_domains()
    p.max_pages = 6
    got = []
    with pytest.raises(PaginationError, match="after 6 requests"):
        for item in p:
            got.append(item)
    assert len(fresh_server.requests) == 6 and len(got) == 12


def test_client_paginator_reads_endless_non_empty_pages_up_to_max_items(
    fresh_server: LocalServer, client: CustomerProfilesClient
) -> None:
    fresh_server.respond = EndlessServer(items=3)
    p = client.paginate_list_domains(max_items=30)
    assert len(list(p)) == 30 and len(fresh_server.requests) == 10


def test_limits_accept_integers_of_any_type_and_refuse_bool() -> None:
    """numpy integers count as integers, as in the models; ``True`` is not an integer."""
    import numpy as np

    from customer_profiles_sdk.errors import ParamValidationError
    from customer_profiles_sdk.pagination import Paginator

    def make(**options: object) -> Paginator[object, object]:
        return Paginator("Op", lambda token, size: None, lambda page: [], lambda page: None,
                         lambda page, items: page, **options)  # type: ignore[arg-type]

    paginator = make(max_items=np.int64(5), max_pages=np.int32(3), max_empty_pages=np.uint8(2))
    assert (paginator.max_pages, paginator.max_empty_pages) == (3, 2)
    assert type(paginator.max_pages) is int
    for bad in ({"max_items": True}, {"max_pages": False}, {"max_items": 2.0}, {"max_empty_pages": np.float64(3)}):
        with pytest.raises(ParamValidationError):
            make(**bad)


@pytest.mark.parametrize("payload", [b"[" * 100_000, b'{"a":' * 100_000, b"[]", b'"x"', b"1e999999"])
def test_a_crafted_resume_token_is_a_validation_error(payload: bytes) -> None:
    """Any ``cpsdk1:`` token that this SDK did not write is refused as invalid input, never a crash."""
    import base64

    from customer_profiles_sdk.errors import ParamValidationError
    from customer_profiles_sdk.pagination import RESUME_PREFIX, decode_resume_token

    token = RESUME_PREFIX + base64.urlsafe_b64encode(payload).decode("ascii")
    with pytest.raises(ParamValidationError) as caught:
        decode_resume_token("ListDomains", token)
    assert "starting_token" in str(caught.value)


@pytest.mark.parametrize("kind", ["numpy int64", "numpy int32", "Decimal", "Fraction"])
def test_a_page_size_of_any_integer_type_is_sent_as_an_int(kind: str) -> None:
    """The numbers policy (docs/models.md) holds for page_size too: it reached botocore unconverted,
    which refused it at the first page with its own error, quoting the value."""
    from decimal import Decimal
    from fractions import Fraction

    import numpy as np  # a dev extra

    from customer_profiles_sdk.local import Emulator

    value: Any = {"numpy int64": np.int64(2), "numpy int32": np.int32(2), "Decimal": Decimal("2"),
                  "Fraction": Fraction(4, 2)}[kind]
    with Emulator() as emulator:
        client = emulator.client()
        for index in range(5):
            client.create_domain(domain_name=f"d{index}", default_expiration_days=5)
        paginator = client.paginate_list_domains(page_size=value)
        assert type(paginator.page_size) is int and paginator.page_size == 2
        assert len(list(paginator)) == 5 and paginator.pages_fetched == 3
    with pytest.raises(ParamValidationError):
        client.paginate_list_domains(page_size=Decimal("2.5"))  # type: ignore[arg-type]


def test_a_client_made_without_arguments_uses_boto3s_default_session() -> None:
    """As boto3.client() does: a region set up with boto3.setup_default_session is honoured."""
    import boto3

    saved = boto3.DEFAULT_SESSION
    try:
        boto3.setup_default_session(region_name="eu-west-3")
        assert CustomerProfilesClient().boto3_client.meta.region_name == "eu-west-3"
        boto3.DEFAULT_SESSION = None
        assert CustomerProfilesClient(region_name="ap-south-1").boto3_client.meta.region_name == "ap-south-1"
        assert boto3.DEFAULT_SESSION is None  # not created as a side effect
    finally:
        boto3.DEFAULT_SESSION = saved
