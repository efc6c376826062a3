"""What the SDK's handling of the garbage collector buys, by body size, against raw boto3.

    python benchmarks/gc_modes.py [--rounds 15] [--sizes 15,30,50,100,1000] [--list-objects]

Each round times raw boto3 and the SDK in three settings, in a rotating order, over the same
canned SearchProfiles answer (``calls.py``'s harness: the whole botocore stack, no network):

* **promoted**: the default (``_transport._pause``): the young generations are collected before
  a large parse, the collector is off during it, and the new models go to the oldest generation;
* **paused only**: as when the application froze objects itself;
* **neither**: as for bodies under ``_transport.GC_PAUSE_MIN_BYTES``.

It prints the median SDK / raw ratio of each setting. The three settings share one process, so
one setting's garbage can land in another's round: read the table for where the settings cross,
not for the figures of ``calls.py``. docs/performance.md ("Where the time goes now") quotes it.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import calls
import payloads

from customer_profiles_sdk import CustomerProfilesClient, _transport

SETTINGS = ("promoted", "paused only", "neither")


DEFAULT_MIN_BYTES = _transport.GC_PAUSE_MIN_BYTES


def _apply(setting: str) -> None:
    _transport._app_froze = setting == "paused only"
    _transport.GC_PAUSE_MIN_BYTES = 10**12 if setting == "neither" else DEFAULT_MIN_BYTES


def measure(case: calls.Case, rounds: int) -> dict[str, float]:
    """Median SDK / raw ratio of each setting for ``case``."""
    raw_client = calls.boto3_client(case.body)
    sdk = CustomerProfilesClient(client=calls.boto3_client(case.body))
    sides: dict[str, Callable[[], Any]] = {"raw": lambda: case.raw(raw_client)}

    def side(setting: str) -> Callable[[], Any]:
        def call() -> Any:
            _apply(setting)
            return case.sdk(sdk)
        return call

    for setting in SETTINGS:
        sides[setting] = side(setting)
    for _ in range(max(1, case.iterations // 5)):
        for call in sides.values():
            call()
    times: dict[str, list[float]] = {name: [] for name in sides}
    order = list(sides)
    kept = collections.deque[Any](maxlen=0)
    try:
        for index in range(rounds):
            shift = index % len(order)
            for name in order[shift:] + order[:shift]:
                times[name].append(calls._time(sides[name], case.iterations, kept))
    finally:
        _apply("promoted")
    return {setting: statistics.median(s / r for s, r in zip(times[setting], times["raw"], strict=True))
            for setting in SETTINGS}


def cases(sizes: list[int], list_objects: bool, scale: float) -> list[calls.Case]:
    template = next(case for case in calls.cases() if case.name == "large: SearchProfiles, 100 profiles")
    chosen = [dataclasses.replace(template, name=f"SearchProfiles, {size} profiles",
                                  body=payloads.search_profiles_body(size),
                                  iterations=max(2, int(6000 // size * scale)))
              for size in sizes]
    if list_objects:
        for case in calls.cases():
            if case.name.startswith("large:") and "SearchProfiles" not in case.name:
                chosen.append(dataclasses.replace(case, iterations=max(2, int(case.iterations * scale))))
    return chosen


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--sizes", default="15,30,50,100,1000", help="SearchProfiles sizes, comma-separated")
    parser.add_argument("--list-objects", action="store_true",
                        help="also ListProfileObjects-100 and GetProfileObjectType-200")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the iterations per round")
    args = parser.parse_args(argv)
    results: dict[str, dict[str, float]] = {}
    print(f"{'case':42} {'body KiB':>8} " + " ".join(f"{setting:>12}" for setting in SETTINGS))
    for case in cases([int(size) for size in args.sizes.split(",") if size], args.list_objects, args.scale):
        ratios = measure(case, args.rounds)
        results[case.name] = ratios
        print(f"{case.name:42} {len(case.body) / 1024:8.0f} "
              + " ".join(f"{ratios[setting]:12.3f}" for setting in SETTINGS), flush=True)
    return results


if __name__ == "__main__":
    main()
