"""The Paginator engine against an in-memory service: random page sizes, breaks and resumes.

Whatever the consumer does (stop at max_items, break out of the loop, change max_items between
passes, leave page_size to the service), resuming from ``resume_token`` must hand out every item
exactly once.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import pytest

from customer_profiles_sdk import PaginationError
from customer_profiles_sdk.pagination import Paginator


@dataclass
class Page:
    items: list[int]
    next_token: str | None


@dataclass
class Service:
    total: int
    default_size: int
    low: int = 1
    high: int = 100
    sizes: list[int | None] = field(default_factory=list)

    def fetch(self, token: str | None, size: int | None) -> Page:
        self.sizes.append(size)
        if size is not None:
            assert self.low <= size <= self.high, size
        start = int(token) if token else 0
        end = min(self.total, start + (size or self.default_size))
        return Page(list(range(start, end)), str(end) if end < self.total else None)


def paginator(service: Service, **kwargs: object) -> Paginator[int, Page]:
    def set_items(page: Page, items: list[int]) -> None:
        page.items = items

    return Paginator(
        "Test", service.fetch, lambda p: p.items, lambda p: p.next_token, set_items,
        limit_bounds=(service.low, service.high), **kwargs,  # type: ignore[arg-type]
    )


def drain(service: Service, rng: random.Random, use_pages: bool) -> list[int]:
    """Read everything in passes that stop at random points, resuming each time."""
    got: list[int] = []
    token: str | None = None
    for _ in range(10_000):
        page_size = rng.choice([None, rng.randint(service.low, service.high)])
        max_items = rng.choice([None, rng.randint(1, 40)])
        stop_after = rng.choice([None, rng.randint(1, 30)])
        p = paginator(service, page_size=page_size, max_items=max_items, starting_token=token)
        taken = 0
        if use_pages:
            for page in p.pages():
                got.extend(page.items)
                taken += 1
                if stop_after is not None and taken >= max(1, stop_after // 10):
                    break
        else:
            for item in p:
                got.append(item)
                taken += 1
                if stop_after is not None and taken >= stop_after:
                    break
        token = p.resume_token
        if token is None:
            return got
    raise AssertionError("did not finish")


@pytest.mark.parametrize("seed", range(300))
def test_random_passes_hand_out_every_item_exactly_once(seed: int) -> None:
    rng = random.Random(seed)
    low = rng.choice([1, 1, 10])
    service = Service(total=rng.randint(0, 250), default_size=rng.randint(low, 30), low=low,
                      high=rng.choice([100, 500]))
    assert drain(service, rng, use_pages=bool(seed % 2)) == list(range(service.total))


def test_resume_without_page_size_after_a_larger_last_request() -> None:
    """A mid-page token from a page bigger than the service default must not duplicate items."""
    service = Service(total=300, default_size=20)
    first = paginator(service, max_items=100)
    got = []
    for item in first:
        got.append(item)
        if len(got) == 50:
            break
    assert service.sizes == [None, 80]
    second = paginator(service, max_items=100, starting_token=first.resume_token)
    got.extend(second)
    assert got == list(range(150))


def test_a_resume_token_that_does_not_fit_the_page_raises() -> None:
    service = Service(total=300, default_size=20, high=20)

    def fetch(token: str | None, size: int | None) -> Page:
        return Service.fetch(service, token, 5)  # a service that ignores the requested size

    first = paginator(Service(total=300, default_size=20))
    for index, _ in enumerate(first):
        if index == 12:
            break
    broken: Paginator[int, Page] = Paginator(
        "Test", fetch, lambda p: p.items, lambda p: p.next_token, lambda p, i: None,
        starting_token=first.resume_token, limit_bounds=(1, 20),
    )
    with pytest.raises(PaginationError, match="does not match"):
        list(broken)


def test_interleaved_passes_do_not_share_state() -> None:
    service = Service(total=10, default_size=2)
    p = paginator(service, max_items=6, page_size=2)
    a, b = iter(p), iter(p)
    pairs = [(next(a), next(b)) for _ in range(6)]
    assert pairs == [(i, i) for i in range(6)]
    assert list(a) == [] and list(b) == []
