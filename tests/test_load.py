"""Load: one client shared by 32 threads, and 10,000 items read through random pagination passes.

Both run against the 127.0.0.1 LocalServer. The first prints its throughput (run with ``-s``).
"""

from __future__ import annotations

import hashlib
import json
import random
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.config import Config

from customer_profiles_sdk import CustomerProfilesClient, PaginationError
from customer_profiles_sdk.pagination import RESUME_PREFIX

from .localserver import LocalServer, Received, Reply, dummy_session

#: Load tests take about a minute on two cores: .ci/run runs them, the README's command does not.
pytestmark = pytest.mark.slow

THREADS = 32
CALLS = 10_000
#: The whole load run must end within this many seconds (a hang guard, not a performance target).
DEADLINE = 120.0


# ---------------------------------------------------------------------------------------------
# 32 threads, one client
# ---------------------------------------------------------------------------------------------


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def expiration_days(name: str) -> int:
    return 1 + zlib.crc32(name.encode()) % 1098


def nonce_of(request: Received) -> tuple[str, str, str]:
    """(operation, domain from the path, the request's unique value), read from the request alone."""
    parts = request.path.strip("/").split("/")
    domain = parts[1]
    rest = parts[2:]
    body = request.json() or {}
    if request.method == "GET" and not rest:
        return "GetDomain", domain, domain
    if request.method == "POST" and rest == ["profiles", "search"]:
        return "SearchProfiles", domain, str(body["Values"][0])
    if request.method == "POST" and rest == ["profiles"]:
        return "CreateProfile", domain, str(body["AccountNumber"])
    if request.method == "PUT" and rest == ["profiles", "objects"]:
        return "PutProfileObject", domain, str(json.loads(body["Object"])["nonce"])
    raise AssertionError(f"unexpected request {request.method} {request.path}")


def echo(request: Received) -> Reply:
    """An answer built only from the request: its domain, its unique value, and a request id from it."""
    try:
        operation, domain, nonce = nonce_of(request)
    except Exception:
        return Reply(400, {"Message": "unexpected request"}, {"x-amzn-ErrorType": "BadRequestException"})
    answer: dict[str, Any]
    if operation == "GetDomain":
        answer = {"DomainName": domain, "DefaultExpirationDays": expiration_days(domain), "CreatedAt": 1,
                  "LastUpdatedAt": 2, "Tags": {"echo": domain}}
    elif operation == "SearchProfiles":
        answer = {"Items": [{"ProfileId": digest(nonce), "EmailAddress": nonce, "AccountNumber": domain}]}
    elif operation == "CreateProfile":
        answer = {"ProfileId": digest(domain + "/" + nonce)}
    else:
        answer = {"ProfileObjectUniqueKey": f"{domain}/{nonce}"}
    return Reply(200, answer, {"x-amzn-RequestId": f"rid-{nonce}"})


@dataclass(frozen=True)
class Job:
    """One call: what to send, and whether an answer is the answer to it."""

    operation: str
    nonce: str
    send: Callable[[CustomerProfilesClient], Any]
    matches: Callable[[Any], bool]


def job(number: int, thread: int) -> Job:
    nonce = f"n{number:05d}-t{thread:02d}"
    domain = f"shop-{thread:02d}"
    kind = number % 4
    if kind == 0:
        name = f"d-{nonce}"
        return Job("GetDomain", name, lambda c: c.get_domain(domain_name=name),
                   lambda r: r.domain_name == name and r.default_expiration_days == expiration_days(name)
                   and r.tags == {"echo": name})
    if kind == 1:
        email = f"{nonce}@example.com"
        return Job("SearchProfiles", email,
                   lambda c: c.search_profiles(domain_name=domain, key_name="_email", values=[email]),
                   lambda r: r.items is not None and len(r.items) == 1 and r.items[0].email_address == email
                   and r.items[0].profile_id == digest(email) and r.items[0].account_number == domain)
    if kind == 2:
        return Job("CreateProfile", nonce,
                   lambda c: c.create_profile(domain_name=domain, account_number=nonce, first_name="Load"),
                   lambda r: r.profile_id == digest(domain + "/" + nonce))
    body = json.dumps({"nonce": nonce, "order": number})
    return Job("PutProfileObject", nonce,
               lambda c: c.put_profile_object(domain_name=domain, object_type_name="orders", object=body),
               lambda r: r.profile_object_unique_key == f"{domain}/{nonce}")


def answer_problem(work: Job, response: Any) -> str | None:
    """None when ``response`` is the answer to ``work``; otherwise what is wrong with it."""
    metadata = response.response_metadata
    if metadata is None or metadata.request_id != f"rid-{work.nonce}":
        return f"{work.operation} {work.nonce}: request id {getattr(metadata, 'request_id', None)}"
    if metadata.http_status != 200 or metadata.retry_attempts != 0:
        return f"{work.operation} {work.nonce}: status {metadata.http_status}, {metadata.retry_attempts} retries"
    if type(response).__name__ != f"{work.operation}Response" or not work.matches(response):
        return f"{work.operation} {work.nonce}: answer of another request: {response!r}"
    return None


def test_one_client_shared_by_32_threads(record_property: Callable[[str, object], None]) -> None:
    with LocalServer() as server:
        server.respond = echo
        client = CustomerProfilesClient(
            session=dummy_session(), endpoint_url=server.url,
            config=Config(max_pool_connections=THREADS, read_timeout=30, connect_timeout=5,
                          retries={"mode": "standard"}),
        )
        mismatches: list[str] = []
        errors: list[str] = []
        done = [0] * THREADS
        lock = threading.Lock()
        start = threading.Barrier(THREADS + 1)

        def worker(thread: int) -> None:
            jobs = [job(number, thread) for number in range(thread, CALLS, THREADS)]
            start.wait()
            for work in jobs:
                try:
                    problem = answer_problem(work, work.send(client))
                except Exception as exc:
                    with lock:
                        errors.append(f"{work.operation} {work.nonce}: {type(exc).__name__}: {exc}")
                    continue
                if problem is not None:
                    with lock:
                        mismatches.append(problem)
                done[thread] += 1

        threads = [threading.Thread(target=worker, args=(t,), daemon=True) for t in range(THREADS)]
        for thread in threads:
            thread.start()
        start.wait()
        began = time.perf_counter()
        for thread in threads:
            thread.join(max(0.0, DEADLINE - (time.perf_counter() - began)))
        elapsed = time.perf_counter() - began
        assert not any(thread.is_alive() for thread in threads), f"threads still running after {DEADLINE} s"
        received = list(server.requests)

    rate = CALLS / elapsed
    record_property("load_seconds", round(elapsed, 2))
    record_property("load_calls_per_second", round(rate))
    print(f"\nload: {CALLS} calls, {THREADS} threads, one client: {elapsed:.1f} s, {rate:.0f} calls/s, "
          f"{len(mismatches)} mismatched, {len(errors)} errors")
    assert errors == [], errors[:5]
    assert mismatches == [], mismatches[:5]
    assert sum(done) == CALLS
    # The server saw every request exactly once: nothing lost, nothing sent twice.
    seen = Counter(nonce_of(request)[2] for request in received)
    assert len(received) == CALLS and len(seen) == CALLS and max(seen.values()) == 1
    assert Counter(nonce_of(request)[0] for request in received) == {
        "GetDomain": 2500, "SearchProfiles": 2500, "CreateProfile": 2500, "PutProfileObject": 2500}


# ---------------------------------------------------------------------------------------------
# 10,000 items through random pagination passes
# ---------------------------------------------------------------------------------------------

TOTAL = 10_000
EXPECTED = [f"d{n:05d}" for n in range(TOTAL)]


class RandomPages:
    """ListDomains over :data:`TOTAL` domains, with pages of random length.

    Each token the server hands out fixes where its page starts and a random cap on its length
    (0 to 100; 0 gives an empty page that still carries a token). A request gets
    ``min(MaxResults or 100, cap, what is left)`` items. Tokens are opaque and never repeat. The
    page at a token thus never shrinks when it is asked for again with a larger MaxResults, as with a
    service whose token records a position.
    """

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.tokens: dict[str, tuple[int, int]] = {}
        self.first = self._cap()
        self.lock = threading.Lock()
        self.requests = 0

    def _cap(self) -> int:
        return 0 if self.rng.random() < 0.05 else self.rng.randint(1, 100)

    def __call__(self, request: Received) -> Reply:
        size_text = request.query.get("max-results", [None])[0]
        token = request.query.get("next-token", [None])[0]
        size = int(size_text) if size_text is not None else 100
        with self.lock:
            self.requests += 1
            if token is None:
                start, cap = 0, self.first
            elif token in self.tokens:
                start, cap = self.tokens[token]
            else:
                return Reply(400, {"Message": "bad token"}, {"x-amzn-ErrorType": "BadRequestException"})
            end = start + min(size, cap, TOTAL - start)
            body: dict[str, Any] = {
                "Items": [{"DomainName": EXPECTED[n], "CreatedAt": 1, "LastUpdatedAt": 1} for n in range(start, end)]
            }
            if end < TOTAL:
                next_token = f"{self.rng.getrandbits(64):016x}.{len(self.tokens)}"
                self.tokens[next_token] = (end, self._cap())
                body["NextToken"] = next_token
        return Reply(200, body)


@dataclass
class Passes:
    passes: int = 0
    service_resumes: int = 0
    mid_page_resumes: int = 0
    broke_out: int = 0
    by_pages: int = 0
    stopped_at_max_items: int = 0


def read_everything(
    client: CustomerProfilesClient, rng: random.Random, got: list[str | None] | None = None
) -> tuple[list[str | None], Passes]:
    """Read the whole list in random passes, each resuming where the previous one stopped. Items are
    appended to ``got`` as they are handed out."""
    got = [] if got is None else got
    stats = Passes()
    token: str | None = None
    while True:
        stats.passes += 1
        assert stats.passes < 5_000, "no progress"
        page_size = rng.choice([None, rng.randint(1, 100), rng.randint(1, 10)])
        # Bounded passes at first, so that a run takes many passes and resumes.
        unbounded = stats.passes > 20 and rng.random() < 0.1
        max_items = None if unbounded else rng.choice([rng.randint(1, 50), rng.randint(1, 1_000)])
        paginator = client.paginate_list_domains(page_size=page_size, max_items=max_items, starting_token=token)
        how = rng.random()
        before = len(got)
        if how < 0.35:  # leave the loop after a random number of items, mid-page or not
            stop = rng.randint(1, 400)
            for count, item in enumerate(paginator, 1):
                got.append(item.domain_name)
                if count == stop:
                    stats.broke_out += 1
                    break
        elif how < 0.55:  # whole pages, leaving after a few
            stop = rng.randint(1, 8)
            stats.by_pages += 1
            for count, page in enumerate(paginator.pages(), 1):
                got.extend(item.domain_name for item in page.items or [])
                if count == stop:
                    break
        else:
            got.extend(item.domain_name for item in paginator)
        if max_items is not None and len(got) - before == max_items:
            stats.stopped_at_max_items += 1
        token = paginator.resume_token
        if token is None:
            return got, stats
        if token.startswith(RESUME_PREFIX):
            stats.mid_page_resumes += 1
        else:
            stats.service_resumes += 1


@pytest.mark.parametrize("seed", [11, 22, 33, 44, 55])
def test_random_passes_read_every_item_exactly_once(seed: int, server: LocalServer) -> None:
    backend = RandomPages(seed)
    server.reset()
    server.respond = backend
    client = CustomerProfilesClient(session=dummy_session(), endpoint_url=server.url,
                                    config=Config(read_timeout=10, retries={"mode": "standard"}))
    got, stats = read_everything(client, random.Random(seed))
    print(f"\nseed {seed}: {stats}, {backend.requests} requests")
    duplicated = [name for name, count in Counter(got).items() if count > 1]
    missing = sorted(set(EXPECTED) - set(got))
    assert duplicated == [] and missing == [], (duplicated[:5], missing[:5])
    assert got == EXPECTED
    # The run went through every kind of pass and resume (seeded, so this holds for these seeds).
    assert stats.mid_page_resumes > 0 and stats.service_resumes > 0
    assert stats.broke_out > 0 and stats.by_pages > 0 and stats.stopped_at_max_items > 0
    assert backend.requests == len(server.requests)


class ShiftingPages(RandomPages):
    """Like :class:`RandomPages`, but the length of the page at a token is drawn again at every
    request, so asking for a page again can give fewer items than before."""

    def __call__(self, request: Received) -> Reply:
        token = request.query.get("next-token", [None])[0]
        with self.lock:
            if token is None:
                self.first = self._cap()
            elif token in self.tokens:
                self.tokens[token] = (self.tokens[token][0], self._cap())
        return super().__call__(request)


@pytest.mark.parametrize("seed", range(4))
def test_pages_that_shrink_on_a_second_request_never_give_wrong_items(seed: int, server: LocalServer) -> None:
    """Resuming mid-page asks for the page at a token again and skips what was handed out. When that
    page comes back shorter than the skip, the paginator raises PaginationError (it cannot tell this
    from a token used with other arguments). Either way, no item is handed out twice or skipped."""
    server.reset()
    server.respond = ShiftingPages(seed)
    client = CustomerProfilesClient(session=dummy_session(), endpoint_url=server.url,
                                    config=Config(read_timeout=10, retries={"mode": "standard"}))
    got: list[str | None] = []
    try:
        read_everything(client, random.Random(seed), got)
    except PaginationError as error:
        assert "resume token" in str(error)
        assert got == EXPECTED[: len(got)] and len(got) < TOTAL
    else:
        assert got == EXPECTED
