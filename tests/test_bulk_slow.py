"""Bulk ingestion at scale (slow lane: ``-m slow``): 20,000 records with a 5% mix of bad ones,
loaded by ``customer-profiles-sdk ingest`` in a child process against an emulator served on
127.0.0.1 by this process, so the emulator's state survives the child being killed with SIGKILL.

In every case: the emulator holds exactly the valid records (each unique key once), the dead
letters are exactly the bad records (each once, no torn line), and nothing is duplicated.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from customer_profiles_sdk.local import BatchItem, Emulator, EmulatorServer

pytestmark = pytest.mark.slow

CANARY = "canary-3f9a0"
ROOT = Path(__file__).resolve().parents[1]
FIELDS = {"OrderId": {"Source": "_source.id", "Target": "_order.OrderId"},
          "Email": {"Source": "_source.email", "Target": "_profile.EmailAddress"}}
KEYS = {"_orderId": [{"StandardIdentifiers": ["UNIQUE"], "FieldNames": ["OrderId"]}],
        "_email": [{"StandardIdentifiers": ["PROFILE"], "FieldNames": ["Email"]}]}


def _deep(levels: int) -> dict[str, Any]:
    value: Any = 1
    for _ in range(levels):
        value = {"d": value}
    return {"id": "deep", "note": CANARY, "nest": value}


def bad_line(position: int, kind: int) -> tuple[str, str]:
    """A bad record's JSON Lines text and the dead-letter code it must get."""
    if kind == 0:
        return '{"id": "x' + str(position) + '", "note": "' + CANARY + '"', "LocalNotJson"
    if kind == 1:
        return json.dumps([CANARY, position]), "LocalNotJsonObject"
    if kind == 2:  # more than 256,000 characters
        return json.dumps({"id": f"o{position}", "note": CANARY, "pad": "x" * 256_000}), "LocalTooManyCharacters"
    if kind == 3:  # 256,000 characters or fewer, more than 250 KB of UTF-8
        return json.dumps({"id": f"o{position}", "note": CANARY, "pad": "é" * 130_000},
                          ensure_ascii=False), "LocalTooManyBytes"
    if kind == 4:  # the service refuses it: nested too deep
        return json.dumps(_deep(70)), "400"
    # the service refuses it by an item fault (see refusing())
    return json.dumps({"id": f"refused-{position}", "email": "r@example.com", "note": CANARY}), "409"


def write_source(path: Path, count: int, seed: int) -> tuple[set[str], dict[int, str]]:
    """``count`` records, 5% bad (of every kind, at seeded positions); the valid ids and the bad
    positions with their codes."""
    rng = random.Random(seed)
    bad_positions = sorted(rng.sample(range(count), count // 20))
    kinds: dict[int, int] = {}
    for index, position in enumerate(bad_positions):
        # few of the big ones (kinds 2, 3): they make the file large
        kinds[position] = (2 + index % 2) if index % 25 == 0 else (0, 1, 4, 5)[index % 4]
    valid: set[str] = set()
    bad: dict[int, str] = {}
    with open(path, "w", encoding="utf-8") as stream:
        for position in range(count):
            if position in kinds:
                text, code = bad_line(position, kinds[position])
                bad[position] = code
            else:
                valid.add(f"o{position}")
                text = json.dumps({"id": f"o{position}", "email": f"c{position % 313}@example.com", "note": CANARY})
            stream.write(text + "\n")
    return valid, bad


def refusing(item: BatchItem) -> bool:
    data = item.data()
    return isinstance(data, dict) and str(data.get("id", "")).startswith("refused-")


class OnceEach:
    """Fails each chosen record's first ``times`` sends (a per-item 5xx or throttle)."""

    def __init__(self, every: int, times: int) -> None:
        self.every, self.times = every, times
        self.seen: dict[str, int] = {}

    def __call__(self, item: BatchItem) -> bool:
        data = item.data()
        ident = str(data.get("id", "")) if isinstance(data, dict) else ""
        if not ident.startswith("o") or int(ident[1:]) % self.every:
            return False
        self.seen[ident] = self.seen.get(ident, 0) + 1
        return self.seen[ident] <= self.times


def served_emulator(**kwargs: Any) -> tuple[Emulator, Any]:
    emulator = Emulator(**kwargs)
    admin = emulator.boto3_client()
    admin.create_domain(DomainName="shop", DefaultExpirationDays=365)
    admin.put_profile_object_type(DomainName="shop", ObjectTypeName="Orders", Description="orders",
                                  AllowProfileCreation=True, Fields=FIELDS, Keys=KEYS)
    emulator.fail_items(refusing, status=409, message="refused by the test", times=None)
    return emulator, admin


def child(server: EmulatorServer, source: Path, *extra: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_SESSION_TOKEN": "",
           "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "PYTHONPATH": str(ROOT)}
    env.pop("AWS_PROFILE", None)
    return subprocess.Popen([sys.executable, "-m", "customer_profiles_sdk", "ingest", str(source), "--domain", "shop",
                             "--object-type", "Orders", "--endpoint-url", server.url, "--region", "us-east-1",
                             "--resume", "--max-retries", "40", *extra],
                            env=env, cwd=source.parent, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def check_outcome(emulator: Emulator, admin: Any, source: Path, valid: set[str], bad: dict[int, str]) -> None:
    stats = admin.get_domain(DomainName="shop")["Stats"]
    assert stats["ObjectCount"] == len(valid)
    stored = [json.loads(obj.document)["id"] for obj in emulator.backend._domains["shop"].objects.values()]
    assert len(stored) == len(set(stored)) and set(stored) == valid  # each valid record once, nothing else
    data = Path(f"{source}.dead-letter.jsonl").read_bytes()
    assert data.endswith(b"\n")  # no torn last line
    entries = [json.loads(line) for line in data.decode("utf-8").splitlines()]  # every line whole JSON
    positions = [entry["position"] for entry in entries]
    assert positions == sorted(bad) and len(positions) == len(set(positions))  # each bad record once
    assert {entry["position"]: entry["code"] for entry in entries} == bad
    summary = json.loads(Path(f"{source}.summary.json").read_text())
    assert summary["accepted"] + summary["dead_lettered"] == len(valid) + len(bad)
    assert summary["dead_lettered"] == len(bad)


def finish(process: subprocess.Popen[bytes], timeout: float) -> None:
    try:
        _, err = process.communicate(timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 2, err.decode(errors="replace")[-2000:]  # finished, with dead letters
    assert CANARY.encode() not in err


def test_20000_records_with_5xx_killed_at_10_points_and_resumed(tmp_path: Path) -> None:
    source = tmp_path / "orders.jsonl"
    valid, bad = write_source(source, 20_000, seed=16)
    assert len(bad) == 1000 and len(set(bad.values())) == 6
    emulator, admin = served_emulator()
    emulator.fail_items(OnceEach(every=37, times=2), status=503, message="try again", times=None)
    emulator.fail_items(OnceEach(every=53, times=1), status=429, message="slow down", times=None)
    emulator.fail_items(OnceEach(every=41, times=1), status=500, message="internal", times=None)
    stop = threading.Event()

    def whole_call_faults() -> None:  # a whole-call 5xx about every 25 calls that ran, all through the run
        statuses = [500, 502, 503, 504]
        last = 0
        while not stop.wait(0.01):
            ran = emulator.backend.calls.get("BatchPutProfileObject", 0)
            if ran >= last + 25:
                last = ran
                emulator.fail("BatchPutProfileObject", code="InternalServerException", status=random.choice(statuses))
                injected.append(ran)

    injected: list[int] = []
    rng = random.Random(20_000)
    kill_points = sorted(rng.sample(range(200, 18_500), 10))
    injector = threading.Thread(target=whole_call_faults, daemon=True)
    killed_at: list[int] = []
    checkpoint = Path(f"{source}.checkpoint.json")
    extra = ("--rate", "1000", "--concurrency", "4", "--summary-json", f"{source}.summary.json")
    with emulator.serve() as server:
        injector.start()
        try:
            for point in kill_points:
                process = child(server, source, *extra)
                try:
                    deadline = time.monotonic() + 90
                    while process.poll() is None and time.monotonic() < deadline:
                        try:
                            if json.loads(checkpoint.read_text())["position"] >= point:
                                break
                        except (OSError, ValueError, KeyError):
                            pass
                        time.sleep(0.005)
                    time.sleep(rng.uniform(0, 0.3))  # anywhere between two checkpoints
                    assert process.poll() is None, "the run ended before its kill point"
                    os.kill(process.pid, signal.SIGKILL)
                    assert process.wait(30) == -signal.SIGKILL
                    killed_at.append(json.loads(checkpoint.read_text())["position"])
                finally:
                    if process.poll() is None:
                        process.kill()
                        process.wait()
            finish(child(server, source, *extra), timeout=300)
        finally:
            stop.set()
            injector.join()
            emulator.clear_faults()
    assert len(killed_at) >= 10 and killed_at == sorted(killed_at) and killed_at[-1] < 20_000
    check_outcome(emulator, admin, source, valid, bad)
    assert len(injected) > 40  # whole-call 5xx all through the run


def test_a_service_rate_limit_below_the_clients_rate(tmp_path: Path) -> None:
    source = tmp_path / "orders.jsonl"
    valid, bad = write_source(source, 2_000, seed=7)
    emulator, admin = served_emulator(rate_limits={"BatchPutProfileObject": 40})
    emulator.fail_items(OnceEach(every=29, times=1), status=503, message="try again", times=None)
    with emulator.serve() as server:
        started = time.monotonic()
        finish(child(server, source, "--rate", "100", "--concurrency", "4", "--summary-json",
                     f"{source}.summary.json"), timeout=120)
        elapsed = time.monotonic() - started
    assert emulator.throttled.get("BatchPutProfileObject", 0) > 0  # the client's rate was above the limit
    check_outcome(emulator, admin, source, valid, bad)
    calls = emulator.backend.calls["BatchPutProfileObject"]
    assert calls >= len(valid) // 10 and elapsed > 0
