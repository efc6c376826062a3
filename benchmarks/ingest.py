"""Bulk ingestion: achieved rate against an emulator rate limit, and peak memory against input size.

    python benchmarks/ingest.py                 # the full run: 20 s rate runs, 10,000 and 1,000,000 records
    python benchmarks/ingest.py --quick         # a smoke run (seconds)
    python benchmarks/ingest.py [--seconds 20] [--limit 100] [--memory 10000,1000000]

* **Rate.** The emulator runs in process (clients attached to it: the whole botocore path, no
  loopback HTTP server) with ``--limit`` calls per second on
  both ``BatchPutProfileObject`` and ``PutProfileObject`` (answering ``ThrottlingException`` above
  it, as the service does past a quota). ``bulk.ingest`` loads ``--records`` generated orders with
  its rate set to the limit; the table gives the achieved calls per second as a fraction of the
  limit (target: at least 0.9), and objects per second. Each run lasts about ``--seconds`` at the
  limit (``--records`` defaults to ``limit x 10 x seconds``). Against it, the loop most public
  code runs: one ``put_profile_object`` per record from a client with botocore's standard retries,
  exceptions swallowed, for about as long; its records lost to throttling are counted.
* **Memory.** Each count of ``--memory`` (10,000 and 1,000,000 by default) runs in two fresh
  processes: one gives ``tracemalloc``'s peak while ``ingest`` consumes the generated records, the
  other the process's peak RSS (``ru_maxrss``, without tracemalloc's own overhead). The records go
  to a stub client that accepts every batch and stores nothing, with no rate limit, so the figures
  are ingest's own, not an emulator's store. Flat memory means the peak does not grow with the
  record count.

``--quick`` is a smoke run with tiny sizes (seconds, not minutes).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from customer_profiles_sdk import CustomerProfilesClient
from customer_profiles_sdk.bulk import ingest, no_retry_config
from customer_profiles_sdk.local import Emulator
from customer_profiles_sdk.models import ObjectTypeField, ObjectTypeKey


def records(count: int, prefix: str = "o") -> Iterator[dict[str, Any]]:
    for number in range(count):
        yield {"id": f"{prefix}-{number:08d}", "email": f"customer{number % 997}@example.com",
               "total": number % 500, "items": ["sku-1", "sku-2"], "note": "x" * 100}


def _prepare(client: CustomerProfilesClient, domain: str) -> None:
    client.create_domain(domain_name=domain, default_expiration_days=7)
    client.put_profile_object_type(
        domain_name=domain, object_type_name="Orders", description="orders", allow_profile_creation=True,
        fields={"OrderId": ObjectTypeField(source="_source.id", target="_order.OrderId"),
                "Email": ObjectTypeField(source="_source.email", target="_profile.EmailAddress")},
        keys={"_orderId": [ObjectTypeKey(standard_identifiers=["UNIQUE"], field_names=["OrderId"])],
              "_email": [ObjectTypeKey(standard_identifiers=["PROFILE"], field_names=["Email"])]})


def _object_count(client: CustomerProfilesClient, domain: str) -> int:
    stats = client.get_domain(domain_name=domain).stats
    return int(stats.object_count or 0) if stats is not None else 0


@dataclass
class RateResult:
    name: str
    records: int
    stored: int
    elapsed_s: float
    calls_per_s: float
    fraction: float
    lost: int


def measure_rate(count: int, limit: float, naive_count: int) -> list[RateResult]:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "benchmark")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "benchmark")
    emulator = Emulator(rate_limits={"BatchPutProfileObject": limit, "PutProfileObject": limit})
    results: list[RateResult] = []
    with tempfile.TemporaryDirectory() as folder:
        admin = emulator.client()
        _prepare(admin, "bulk")
        _prepare(admin, "naive")

        # In process (attached clients): the whole botocore path runs, without the loopback HTTP
        # server's own latency, so the emulator's limit is what bounds both loaders.
        client = emulator.client(no_retry_config())
        summary = ingest(client, domain_name="bulk", object_type_name="Orders", records=records(count),
                         rate=limit, dead_letter=Path(folder) / "dead.jsonl")
        calls = -(-count // 10)  # batches of 10
        achieved = calls / summary.elapsed_s
        results.append(RateResult("bulk.ingest (batches of 10)", count, _object_count(admin, "bulk"),
                                  summary.elapsed_s, achieved, achieved / limit, count - summary.accepted))

        naive = emulator.client()  # botocore's standard retries, as most public code has
        lost = 0
        started = time.perf_counter()
        for record in records(naive_count, "n"):
            try:
                naive.put_profile_object(domain_name="naive", object_type_name="Orders", object=_text(record))
            except Exception:  # what the loop in most public code does
                lost += 1
        elapsed = time.perf_counter() - started
        achieved = (naive_count - lost) / elapsed
        results.append(RateResult("naive loop (one put a record)", naive_count, _object_count(admin, "naive"),
                                  elapsed, achieved, achieved / limit, lost))
    return results


def _text(record: dict[str, Any]) -> str:
    import json

    return json.dumps(record, separators=(",", ":"))


class _Sink:
    """A client that accepts every batch and keeps nothing (for ingest's own memory)."""

    def __init__(self) -> None:
        self.boto3_client = SimpleNamespace(meta=SimpleNamespace(config=SimpleNamespace(
            retries={"total_max_attempts": 1})))

    def batch_put_profile_object(self, *, items: list[dict[str, str]], **_: Any) -> Any:
        return SimpleNamespace(successful=[SimpleNamespace(id=item["Id"]) for item in items], failed=[])


def measure_memory(count: int) -> tuple[int, float]:
    gc.collect()
    tracemalloc.start()
    try:
        started = time.perf_counter()
        summary = ingest(_Sink(), domain_name="bulk", object_type_name="Orders", records=records(count),
                         rate=1e9, concurrency=4)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert summary.accepted == count
    return peak, elapsed


def _memory_child(count: int, traced: bool) -> None:
    """Run in a fresh process: print {"peak": tracemalloc peak or null, "rss": peak RSS in bytes}."""
    import resource

    if traced:
        peak, elapsed = measure_memory(count)
    else:
        started = time.perf_counter()
        summary = ingest(_Sink(), domain_name="bulk", object_type_name="Orders", records=records(count),
                         rate=1e9, concurrency=4)
        elapsed = time.perf_counter() - started
        assert summary.accepted == count
        peak = -1
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    print(json.dumps({"peak": peak if traced else None, "rss": rss, "elapsed": elapsed}))


def memory_row(count: int) -> tuple[int, int, float]:
    """(tracemalloc peak, peak RSS, seconds) for ``count`` records, each from a fresh process."""
    figures = []
    for traced in (True, False):
        done = subprocess.run([sys.executable, __file__, "--memory-child", str(count), "--traced", str(int(traced))],
                              capture_output=True, text=True, check=True)
        figures.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return int(figures[0]["peak"]), int(figures[1]["rss"]), float(figures[1]["elapsed"])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--memory-child", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--traced", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each rate run at the limit (default 20)")
    parser.add_argument("--records", type=int, default=None,
                        help="records for the rate run (default: limit x 10 x seconds)")
    parser.add_argument("--naive-records", type=int, default=None,
                        help="records for the naive loop (default: limit x seconds)")
    parser.add_argument("--limit", type=float, default=100.0, help="emulator limit, calls/s (default 100)")
    parser.add_argument("--memory", default="10000,1000000", help="record counts for the memory run")
    parser.add_argument("--quick", action="store_true", help="smoke run: tiny sizes")
    args = parser.parse_args(argv)
    if args.memory_child is not None:
        _memory_child(args.memory_child, bool(args.traced))
        return
    if args.quick:
        args.records, args.limit, args.memory, args.seconds = 200, 20.0, "500,2000", 1.0
    if args.records is None:
        args.records = int(args.limit * 10 * args.seconds)
    naive_count = args.naive_records or max(1, int(args.limit * args.seconds))

    print(f"## Rate, emulator limit {args.limit:g} calls/s per operation\n")
    print("| loader | records | stored | seconds | calls/s | fraction of limit | lost |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for result in measure_rate(args.records, args.limit, naive_count):
        print(f"| {result.name} | {result.records:,} | {result.stored:,} | {result.elapsed_s:.1f} | "
              f"{result.calls_per_s:.1f} | {result.fraction:.2f} | {result.lost:,} |")
    print("\nObjects per second: calls/s x 10 for batches, calls/s for the naive loop.\n")

    print("## Peak memory while ingesting generated records (stub client, nothing stored)\n")
    print("| records | tracemalloc peak | peak RSS | seconds (untraced) |")
    print("|---:|---:|---:|---:|")
    for count in (int(text) for text in args.memory.split(",")):
        peak, rss, elapsed = memory_row(count)
        print(f"| {count:,} | {peak / 1024:,.0f} KiB | {rss / 2**20:,.1f} MiB | {elapsed:.1f} |")


if __name__ == "__main__":
    main()
