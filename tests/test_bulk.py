"""customer_profiles_sdk.bulk.ingest against the in-process emulator."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from customer_profiles_sdk import CustomerProfilesClient
from customer_profiles_sdk.bulk import (
    LOCAL_NOT_JSON,
    LOCAL_NOT_OBJECT,
    LOCAL_TOO_MANY_BYTES,
    LOCAL_TOO_MANY_CHARACTERS,
    MAX_OBJECT_CHARS,
    IngestAborted,
    IngestSummary,
    RateLimiter,
    _checked,
    ingest,
    no_retry_config,
)
from customer_profiles_sdk.errors import ResourceNotFoundError
from customer_profiles_sdk.local import Emulator
from customer_profiles_sdk.models import ObjectTypeField, ObjectTypeKey

CANARY = "canary-51b0e"


class FakeClock:
    """Seconds that move only when someone sleeps (shared by the limiter and the emulator)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.lock = threading.Lock()

    def __call__(self) -> float:
        with self.lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.now += max(0.0, seconds)


def prepared(emulator: Emulator) -> CustomerProfilesClient:
    client = emulator.client(no_retry_config())
    client.create_domain(domain_name="shop", default_expiration_days=365)
    client.put_profile_object_type(
        domain_name="shop", object_type_name="Orders", description="orders", allow_profile_creation=True,
        fields={"OrderId": ObjectTypeField(source="_source.id", target="_order.OrderId"),
                "Email": ObjectTypeField(source="_source.email", target="_profile.EmailAddress")},
        keys={"_orderId": [ObjectTypeKey(standard_identifiers=["UNIQUE"], field_names=["OrderId"])],
              "_email": [ObjectTypeKey(standard_identifiers=["PROFILE"], field_names=["Email"])]})
    return client


def object_count(client: CustomerProfilesClient) -> int:
    stats = client.get_domain(domain_name="shop").stats
    assert stats is not None
    return int(stats.object_count or 0)


def deep(levels: int) -> dict[str, Any]:
    value: Any = 1
    for _ in range(levels):
        value = {"d": value}
    return {"id": "deep", "note": CANARY, "nest": value}


def bad_record(position: int) -> tuple[Any, str]:
    """A bad record for ``position`` and the code it must be dead-lettered with (batch mode)."""
    kind = position // 20 % 6
    if kind == 0:
        return '{"id": "x", "note": "' + CANARY + '"', LOCAL_NOT_JSON
    if kind == 1:
        return json.dumps([CANARY, position]), LOCAL_NOT_OBJECT
    if kind == 2:
        return {"id": f"o{position}", "note": CANARY, "pad": "x" * MAX_OBJECT_CHARS}, LOCAL_TOO_MANY_CHARACTERS
    if kind == 3:
        return {"id": f"o{position}", "note": CANARY, "pad": "é" * 200_000}, LOCAL_TOO_MANY_BYTES
    if kind == 4:
        return '{"id": "n", "v": NaN}', LOCAL_NOT_JSON
    return deep(70), "400"  # valid locally; the service refuses it (nested too deep)


def mixed(count: int, *, stop_at: int | None = None) -> Iterator[Any]:
    """Records 0..count-1: every 20th (from 7) is bad; half the good ones are JSON text."""
    for position in range(count):
        if position == stop_at:
            raise RuntimeError("the source failed")
        if position % 20 == 7:
            yield bad_record(position)[0]
        elif position % 2:
            yield json.dumps({"id": f"o{position}", "email": f"c{position}@example.com", "note": CANARY})
        else:
            yield {"id": f"o{position}", "email": f"c{position}@example.com", "note": CANARY}


def expected_bad(count: int) -> dict[int, str]:
    return {p: bad_record(p)[1] for p in range(count) if p % 20 == 7}


def dead_letters(path: Path) -> list[dict[str, Any]]:
    data = path.read_bytes()
    assert not data or data.endswith(b"\n")
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


@pytest.mark.parametrize("batch", [True, False])
def test_every_valid_record_lands_once_and_bad_ones_are_dead_lettered(tmp_path: Path, batch: bool) -> None:
    emulator = Emulator(seed=3)
    client = prepared(emulator)
    count = 240
    bad = expected_bad(count)
    seen: list[IngestSummary] = []
    summary = ingest(client, domain_name="shop", object_type_name="Orders", records=mixed(count), batch=batch,
                     dead_letter=tmp_path / "dead.jsonl", checkpoint=tmp_path / "ck.json", progress=seen.append,
                     rate=1e6)
    assert object_count(client) == count - len(bad)
    lines = dead_letters(tmp_path / "dead.jsonl")
    assert [line["position"] for line in lines] == sorted(bad)  # once each, in source order
    refused = "400" if batch else "BadRequestException"
    assert {line["position"]: line["code"] for line in lines} == {p: refused if c == "400" else c
                                                                  for p, c in bad.items()}
    for line in lines:
        assert set(line) == {"position", "code", "message", "record"} and CANARY not in line["message"]
    assert summary.accepted == count - len(bad) and summary.dead_lettered == len(bad)
    local = sum(1 for c in bad.values() if c != "400")
    assert summary.sent == count - local and summary.retried == 0
    assert seen and seen[-1] == summary
    operation = "BatchPutProfileObject" if batch else "PutProfileObject"
    if not batch:
        assert emulator.backend.calls[operation] == count - local
        assert emulator.backend.calls.get("BatchPutProfileObject") is None
    else:  # full batches of 10, split only at local dead letters
        assert emulator.backend.calls.get("PutProfileObject") is None
        assert emulator.backend.calls[operation] <= (count - local) // 10 + local + 1


def test_records_are_read_lazily(tmp_path: Path) -> None:
    emulator = Emulator()
    client = prepared(emulator)
    produced = 0
    most_ahead = 0

    def source() -> Iterator[dict[str, Any]]:
        nonlocal produced, most_ahead
        for position in range(2000):
            settled = emulator.backend.calls.get("BatchPutProfileObject", 0) * 10
            most_ahead = max(most_ahead, position - settled)
            produced += 1
            yield {"id": f"o{position}", "note": CANARY}

    ingest(client, domain_name="shop", object_type_name="Orders", records=source(), concurrency=2, rate=1e6)
    assert produced == 2000 and object_count(client) == 2000
    assert most_ahead <= 10 * (2 * 2 + 2) + 10  # a bounded window of batches, never the whole input


def test_a_service_rate_limit_below_the_clients_is_met_by_slowing_down() -> None:
    clock = FakeClock()
    emulator = Emulator(rate_limits={"BatchPutProfileObject": 20}, rate_clock=clock)
    client = prepared(emulator)
    limiter = RateLimiter(100, clock=clock, sleep=clock.sleep)
    summary = ingest(client, domain_name="shop", object_type_name="Orders", limiter=limiter, sleep=clock.sleep,
                     records=({"id": f"o{n}"} for n in range(400)), concurrency=1, max_retries=50)
    assert object_count(client) == 400 and summary.accepted == 400 and summary.dead_lettered == 0
    assert emulator.throttled["BatchPutProfileObject"] > 0
    assert summary.retried == 10 * emulator.throttled["BatchPutProfileObject"]
    assert emulator.backend.calls["BatchPutProfileObject"] == 40  # every batch landed exactly once


def test_the_limiter_never_exceeds_its_rate_and_adapts() -> None:
    clock = FakeClock()
    limiter = RateLimiter(50, clock=clock, sleep=clock.sleep)
    for _ in range(101):
        limiter.acquire()
    assert clock() == pytest.approx(2.0)  # 101 calls at 50/s: the last one 2 s after the first
    limiter.throttled()
    assert limiter.current == 25
    limiter.throttled()
    assert limiter.current == 12.5
    for _ in range(1000):
        limiter.succeeded()
    assert limiter.current == 50  # back up, never above
    for _ in range(100):
        limiter.throttled()
    assert limiter.current == limiter.min_rate > 0
    with pytest.raises(ValueError, match="rate"):
        RateLimiter(0)
    with pytest.raises(ValueError, match="rate"):
        RateLimiter(float("nan"))


def test_shared_by_threads_the_limiter_keeps_its_pace() -> None:
    waits: list[float] = []
    lock = threading.Lock()

    def sleep(seconds: float) -> None:
        with lock:
            waits.append(seconds)

    limiter = RateLimiter(10, clock=lambda: 0.0, sleep=sleep)  # time stands still: every wait is its slot
    def work() -> None:
        for _ in range(25):
            limiter.acquire()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    # 100 calls from 4 threads got 100 distinct slots 0.1 s apart (the first one at once).
    assert sorted(round(w, 6) for w in waits) == [round(0.1 * n, 6) for n in range(1, 100)]


def test_injected_5xx_are_retried_until_accepted() -> None:
    emulator = Emulator()
    client = prepared(emulator)
    emulator.fail("BatchPutProfileObject", code="InternalServerException", status=500, times=3)
    emulator.fail("BatchPutProfileObject", code="ThrottlingException", status=429, times=2)
    summary = ingest(client, domain_name="shop", object_type_name="Orders", base_delay=0.0, rate=1e6,
                     records=({"id": f"o{n}"} for n in range(100)), concurrency=2)
    assert object_count(client) == 100 and summary.accepted == 100 and summary.dead_lettered == 0
    assert summary.retried == 50 and summary.sent == 100


def test_retries_that_run_out_are_dead_lettered_with_the_last_code(tmp_path: Path) -> None:
    emulator = Emulator()
    client = prepared(emulator)
    emulator.fail("BatchPutProfileObject", code="InternalServerException", status=500, times=3)
    summary = ingest(client, domain_name="shop", object_type_name="Orders", base_delay=0.0, max_retries=2,
                     records=({"id": f"o{n}", "note": CANARY} for n in range(30)), concurrency=1, rate=1e6,
                     dead_letter=tmp_path / "dead.jsonl")
    lines = dead_letters(tmp_path / "dead.jsonl")
    assert [line["position"] for line in lines] == list(range(10))
    assert {line["code"] for line in lines} == {"InternalServerException"}
    assert [line["record"]["id"] for line in lines] == [f"o{n}" for n in range(10)]
    assert object_count(client) == 20 and summary.dead_lettered == 10 and summary.retried == 20


def test_a_whole_call_4xx_dead_letters_its_items_and_404_stops_the_run(tmp_path: Path) -> None:
    emulator = Emulator()
    client = prepared(emulator)
    emulator.fail("BatchPutProfileObject", code="BadRequestException", status=400, times=1)
    ingest(client, domain_name="shop", object_type_name="Orders", records=({"id": f"o{n}"} for n in range(25)),
           concurrency=1, dead_letter=tmp_path / "dead.jsonl", rate=1e6)
    lines = dead_letters(tmp_path / "dead.jsonl")
    assert [(line["position"], line["code"]) for line in lines] == [(n, "BadRequestException") for n in range(10)]
    assert object_count(client) == 15
    with pytest.raises(IngestAborted, match="ResourceNotFoundException") as raised:
        ingest(client, domain_name="nope", object_type_name="Orders", records=[{"id": "o1"}], rate=1e6,
               checkpoint=tmp_path / "ck2.json")
    assert CANARY not in str(raised.value)
    assert json.loads((tmp_path / "ck2.json").read_text())["position"] == 0  # resumable, nothing counted


def test_resume_after_a_stop_lands_everything_exactly_once(tmp_path: Path) -> None:
    emulator = Emulator(seed=5)
    client = prepared(emulator)
    count = 300
    dead, check = tmp_path / "dead.jsonl", tmp_path / "ck.json"
    with pytest.raises(RuntimeError, match="source failed"):
        ingest(client, domain_name="shop", object_type_name="Orders", records=mixed(count, stop_at=163),
               dead_letter=dead, checkpoint=check, checkpoint_interval=0.0, rate=1e6)
    state = json.loads(check.read_text())
    assert 0 < state["position"] <= 163
    assert state["dead_letter_bytes"] == dead.stat().st_size
    # A crash after dead letters were written but before the checkpoint counted them, mid-line.
    with open(dead, "ab") as stream:
        stream.write(b'{"position": 999, "code": "torn')
    with pytest.raises(FileExistsError, match="resume"):
        ingest(client, domain_name="shop", object_type_name="Orders", records=mixed(count), dead_letter=dead,
               checkpoint=check)
    summary = ingest(client, domain_name="shop", object_type_name="Orders", records=mixed(count), rate=1e6,
                     dead_letter=dead, checkpoint=check, resume=True)
    bad = expected_bad(count)
    assert object_count(client) == count - len(bad)
    assert [line["position"] for line in dead_letters(dead)] == sorted(bad)
    assert summary.accepted == count - len(bad) and summary.dead_lettered == len(bad)
    # Resuming a finished run sends nothing more.
    calls = dict(emulator.backend.calls)
    again = ingest(client, domain_name="shop", object_type_name="Orders", records=mixed(count), rate=1e6,
                   dead_letter=dead, checkpoint=check, resume=True)
    assert emulator.backend.calls == calls and again.accepted == summary.accepted
    assert [line["position"] for line in dead_letters(dead)] == sorted(bad)


def test_resume_without_a_checkpoint_starts_from_the_beginning(tmp_path: Path) -> None:
    emulator = Emulator()
    client = prepared(emulator)
    summary = ingest(client, domain_name="shop", object_type_name="Orders", records=[{"id": "o1"}, {"id": "o2"}],
                     checkpoint=tmp_path / "ck.json", resume=True, rate=1e6)
    assert summary.accepted == 2 and object_count(client) == 2
    with pytest.raises(ValueError, match="another run"):
        ingest(client, domain_name="shop", object_type_name="Other", records=[], checkpoint=tmp_path / "ck.json",
               resume=True)


def test_a_client_that_retries_by_itself_is_refused() -> None:
    emulator = Emulator()
    prepared(emulator)
    with pytest.raises(ValueError, match="no_retry_config"):
        ingest(emulator.client(), domain_name="shop", object_type_name="Orders", records=[{"id": "o1"}])
    assert emulator.backend.calls.get("BatchPutProfileObject") is None


@pytest.mark.parametrize(("record", "code"), [
    ({"a": "x" * (MAX_OBJECT_CHARS - 8)}, ""),                      # exactly 256,000 characters
    ({"a": "x" * (MAX_OBJECT_CHARS - 7)}, LOCAL_TOO_MANY_CHARACTERS),
    ({"a": "é" * (MAX_OBJECT_CHARS // 2 - 4)}, ""),                 # bytes: 8 + 2 * n = 256,000
    ({"a": "é" * (MAX_OBJECT_CHARS // 2 - 3)}, LOCAL_TOO_MANY_BYTES),
    ('{"a" : 1 ,  "b": [1, 2]}', ""),                              # measured compact, as sent
    ("[]", LOCAL_NOT_OBJECT),
    ("1", LOCAL_NOT_OBJECT),
    (None, LOCAL_NOT_OBJECT),
    ([1], LOCAL_NOT_OBJECT),
    ("", LOCAL_NOT_JSON),
    ('{"a": Infinity}', LOCAL_NOT_JSON),
    ({"a": float("nan")}, LOCAL_NOT_JSON),
    ({"a": object()}, LOCAL_NOT_JSON),
    ({"a": "\ud800"}, LOCAL_NOT_JSON),
])
def test_local_checks(record: Any, code: str) -> None:
    text, got, message = _checked(record)
    assert got == code
    assert (text is None) == bool(code)
    if text is not None:
        assert text == json.dumps(json.loads(text), separators=(",", ":"), ensure_ascii=False)
    assert "x" * 10 not in message and "é" not in message


class _StopsAtSecondBatch:
    """A client whose batch for positions 10..19 fails with 404 only after the batch for 20..29
    has been stored: a later unit finishes before an earlier one fails."""

    def __init__(self, client: CustomerProfilesClient) -> None:
        self.client = client
        self.boto3_client = client.boto3_client
        self.later_done = threading.Event()

    def batch_put_profile_object(self, **kwargs: Any) -> Any:
        first = int(kwargs["items"][0]["Id"])
        if first == 10:
            self.later_done.wait(60)
            raise ResourceNotFoundError({"Error": {"Code": "ResourceNotFoundException", "Message": "gone"},
                                         "ResponseMetadata": {"HTTPStatusCode": 404}}, "BatchPutProfileObject")
        result = self.client.batch_put_profile_object(**kwargs)
        if first == 20:
            self.later_done.set()
        return result


def test_a_fatal_error_keeps_only_what_came_before_it(tmp_path: Path) -> None:
    emulator = Emulator()
    client = prepared(emulator)
    flaky = _StopsAtSecondBatch(client)
    check = tmp_path / "ck.json"
    with pytest.raises(IngestAborted):
        ingest(flaky, domain_name="shop", object_type_name="Orders", records=({"id": f"o{n}"} for n in range(30)),
               concurrency=3, checkpoint=check, rate=1e6)
    assert flaky.later_done.is_set() and object_count(client) == 20
    assert json.loads(check.read_text())["position"] == 10  # not 30: 10..19 were never stored
    summary = ingest(client, domain_name="shop", object_type_name="Orders", checkpoint=check, resume=True,
                     records=({"id": f"o{n}"} for n in range(30)), rate=1e6)
    assert object_count(client) == 30 and summary.accepted == 30  # 20..29 sent again, replaced by key


CHILD = r"""
import json, sys
from customer_profiles_sdk import CustomerProfilesClient
from customer_profiles_sdk.bulk import ingest, no_retry_config
from tests.test_bulk import mixed
url, dead, check, resume = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1"
client = CustomerProfilesClient(endpoint_url=url, region_name="us-east-1", config=no_retry_config())
ingest(client, domain_name="shop", object_type_name="Orders", records=mixed(1500), rate=400, concurrency=2,
       dead_letter=dead, checkpoint=check, resume=resume, checkpoint_interval=0.0)
"""


def test_killed_with_sigkill_and_resumed_everything_lands_once(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    emulator = Emulator(seed=9)
    client = prepared(emulator)
    dead, check = tmp_path / "dead.jsonl", tmp_path / "ck.json"
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_SESSION_TOKEN": "",
           "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    stopped_at: list[int] = []
    with emulator.serve() as server:
        for kill_at in (100, 600, None):
            child = subprocess.Popen([sys.executable, "-c", CHILD, server.url, str(dead), str(check),
                                      "1" if check.exists() else "0"], env=env, cwd=tmp_path)
            try:
                deadline = time.monotonic() + 60
                while kill_at is not None and child.poll() is None and time.monotonic() < deadline:
                    try:
                        if json.loads(check.read_text())["position"] >= kill_at:
                            break
                    except (OSError, ValueError, KeyError):
                        pass
                    time.sleep(0.01)
                if kill_at is not None:
                    os.kill(child.pid, signal.SIGKILL)
                    assert child.wait(60) == -signal.SIGKILL
                    stopped_at.append(json.loads(check.read_text())["position"])
                else:
                    assert child.wait(60) == 0
            finally:
                if child.poll() is None:
                    child.kill()
                    child.wait()
    assert len(stopped_at) == 2 and 100 <= stopped_at[0] <= stopped_at[1] < 1500  # killed mid-run, twice
    bad = expected_bad(1500)
    assert object_count(client) == 1500 - len(bad)
    assert [line["position"] for line in dead_letters(dead)] == sorted(bad)


# -- the source fingerprint in the checkpoint ---------------------------------------------------------


def _stopped_run(tmp_path: Path, client: CustomerProfilesClient, source: Iterator[Any]) -> tuple[Path, Path]:
    dead, check = tmp_path / "dead.jsonl", tmp_path / "ck.json"
    with pytest.raises(RuntimeError, match="source failed"):
        ingest(client, domain_name="shop", object_type_name="Orders", records=source, dead_letter=dead,
               checkpoint=check, checkpoint_interval=0.0, rate=1e6, concurrency=1)
    assert json.loads(check.read_text())["position"] > 0
    return dead, check


def _changed(count: int, at: int) -> Iterator[Any]:
    for position, record in enumerate(mixed(count)):
        if position == at:  # the same shape, another value: only a fingerprint of the content sees it
            yield {"id": f"o{position}", "email": "other@example.com", "note": CANARY} if isinstance(record, dict) \
                else json.dumps({"id": f"o{position}", "email": "other@example.com", "note": CANARY})
        else:
            yield record


@pytest.mark.parametrize("other", ["changed record", "shorter", "another file", "reordered"])
def test_resume_refuses_another_source_before_sending_anything(tmp_path: Path, other: str) -> None:
    emulator = Emulator()
    client = prepared(emulator)
    dead, check = _stopped_run(tmp_path, client, mixed(300, stop_at=163))
    before = json.loads(check.read_text())
    sources: dict[str, Iterator[Any]] = {
        "changed record": _changed(300, 4),
        "shorter": mixed(5),
        "another file": ({"id": f"p{n}", "note": CANARY} for n in range(300)),
        "reordered": iter(list(mixed(300))[1::-1] + list(mixed(300))[2:]),
    }
    calls = dict(emulator.backend.calls)
    with pytest.raises(ValueError, match=r"not the source of that run|source fingerprint differs") as raised:
        ingest(client, domain_name="shop", object_type_name="Orders", records=sources[other], dead_letter=dead,
               checkpoint=check, resume=True, rate=1e6)
    assert CANARY not in str(raised.value) and "example.com" not in str(raised.value)
    assert emulator.backend.calls == calls  # nothing sent
    assert json.loads(check.read_text()) == before  # the checkpoint is kept as it was
    # The right source still resumes.
    summary = ingest(client, domain_name="shop", object_type_name="Orders", records=mixed(300), dead_letter=dead,
                     checkpoint=check, resume=True, rate=1e6)
    assert summary.accepted + summary.dead_lettered == 300


def test_resume_refuses_another_domain_or_object_type(tmp_path: Path) -> None:
    emulator = Emulator()
    client = prepared(emulator)
    dead, check = _stopped_run(tmp_path, client, mixed(100, stop_at=50))
    for domain, object_type, words in (("other", "Orders", "domain_name differs"),
                                       ("shop", "Other", "object_type_name differs")):
        with pytest.raises(ValueError, match=words):
            ingest(client, domain_name=domain, object_type_name=object_type, records=mixed(100), dead_letter=dead,
                   checkpoint=check, resume=True, rate=1e6)


def test_the_fingerprint_is_the_same_for_dicts_and_for_records_refused_locally(tmp_path: Path) -> None:
    emulator = Emulator()
    client = prepared(emulator)

    def source(stop: bool) -> Iterator[Any]:
        yield {"id": "o1", "v": float("nan")}  # refused locally: cannot be written as JSON
        yield {"id": "o2", "when": object()}  # refused locally: not a JSON value
        yield [1, 2]
        yield b'{"id": "o3"}'
        yield from ({"id": f"o{n}", "note": "é" * 3} for n in range(4, 40))
        if stop:
            raise RuntimeError("the source failed")

    dead, check = _stopped_run(tmp_path, client, source(True))
    summary = ingest(client, domain_name="shop", object_type_name="Orders", records=source(False), dead_letter=dead,
                     checkpoint=check, resume=True, rate=1e6)
    assert summary.accepted == 37 and summary.dead_lettered == 3


# -- an endpoint that cannot be reached ---------------------------------------------------------------


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens once it is closed


def test_an_unreachable_endpoint_stops_the_run_and_dead_letters_nothing(tmp_path: Path) -> None:
    from tests.localserver import dummy_session

    client = CustomerProfilesClient(session=dummy_session(), endpoint_url=f"http://127.0.0.1:{_closed_port()}",
                                    config=no_retry_config())
    dead, check = tmp_path / "dead.jsonl", tmp_path / "ck.json"
    with pytest.raises(IngestAborted, match="could not be reached") as raised:
        ingest(client, domain_name="shop", object_type_name="Orders", records=mixed(200), dead_letter=dead,
               checkpoint=check, rate=1e6, max_retries=2, base_delay=0.0, concurrency=3)
    assert CANARY not in str(raised.value) and "example.com" not in str(raised.value)
    state = json.loads(check.read_text())
    assert dead_letters(dead) == [entry for entry in dead_letters(dead) if entry["code"].startswith("Local")]
    assert state["sent"] == 0 and state["accepted"] == 0 and state["position"] <= 7
    assert state["dead_lettered"] == len(dead_letters(dead))
    # Once the service is there, the run resumes and lands everything.
    emulator = Emulator()
    good = prepared(emulator)
    summary = ingest(good, domain_name="shop", object_type_name="Orders", records=mixed(200), dead_letter=dead,
                     checkpoint=check, resume=True, rate=1e6)
    bad = expected_bad(200)
    assert object_count(good) == 200 - len(bad) and summary.dead_lettered == len(bad)
    assert [entry["position"] for entry in dead_letters(dead)] == sorted(bad)


class _FlakyTransport:
    """Connection failures for the first ``failures`` calls, then the real client."""

    def __init__(self, client: CustomerProfilesClient, failures: int) -> None:
        self.client, self.failures = client, failures
        self.boto3_client = client.boto3_client
        self.lock = threading.Lock()

    def batch_put_profile_object(self, **kwargs: Any) -> Any:
        from botocore.exceptions import EndpointConnectionError

        from customer_profiles_sdk.errors import transport_error

        with self.lock:
            self.failures -= 1
            fail = self.failures >= 0
        if fail:
            cause = EndpointConnectionError(endpoint_url="http://127.0.0.1:9/")
            raise transport_error(cause) from cause
        return self.client.batch_put_profile_object(**kwargs)


def test_a_passing_connection_failure_is_retried_not_fatal(tmp_path: Path) -> None:
    emulator = Emulator()
    client = prepared(emulator)
    summary = ingest(_FlakyTransport(client, 3), domain_name="shop", object_type_name="Orders",
                     records=({"id": f"o{n}"} for n in range(30)), rate=1e6, base_delay=0.0, concurrency=1,
                     dead_letter=tmp_path / "dead.jsonl")
    assert summary.accepted == 30 and summary.dead_lettered == 0 and summary.retried == 30
    assert object_count(client) == 30


# -- records too big to read whole ------------------------------------------------------------------


def test_an_oversized_record_is_dead_lettered_locally_with_a_null_record(tmp_path: Path) -> None:
    from customer_profiles_sdk.bulk import OversizedRecord

    emulator = Emulator()
    client = prepared(emulator)
    records: list[Any] = [{"id": "o1"}, OversizedRecord(5_000_000), {"id": "o2"}]
    summary = ingest(client, domain_name="shop", object_type_name="Orders", records=records, rate=1e6,
                     dead_letter=tmp_path / "dead.jsonl")
    [entry] = dead_letters(tmp_path / "dead.jsonl")
    assert (entry["position"], entry["code"], entry["record"]) == (1, LOCAL_TOO_MANY_BYTES, None)
    assert "5000000 bytes" in entry["message"]
    assert summary.accepted == 2 and summary.sent == 2 and object_count(client) == 2
