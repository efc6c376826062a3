"""Per-call time of the async client against raw aiobotocore, through the whole stack, offline.

    pip install -e ".[async]"
    python benchmarks/aio_calls.py [--rounds 15] [--scale 1.0] [--only NAME]

Needs aiobotocore (the async extra). Both sides are real aiobotocore clients with dummy
credentials, created from one session. A ``before-send`` handler answers every request with a
canned HTTP 200 body, so serialization, signing, the retry handler and response parsing all run,
and nothing leaves the process. Each round times raw aiobotocore and the SDK back to back
(alternating which goes first) over the same number of awaited calls, one at a time, on one event
loop; the table gives median microseconds per call and the median of the per-round ratios SDK /
raw, and the ratio of the total times.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, cast

sys.path.insert(0, str(Path(__file__).resolve().parent))

import calls

from customer_profiles_sdk import AsyncCustomerProfilesClient

#: The targets of the async client's issue: the same as the sync client's (performance round two).
TARGETS = {
    "small: GetProfileObjectType": 1.00,
    "small: CreateProfile": 1.00,
    "small: PutProfileObject": 1.00,
    "small: SearchProfiles, 1 profile": 1.00,
    "large: SearchProfiles, 100 profiles": 0.35,
    "large: ListProfileObjects, 100 objects": 0.58,
}


class _Body:
    """The raw stream aiobotocore reads a canned body from (``await raw.read()``)."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    async def read(self, *args: Any, **kwargs: Any) -> bytes:
        return self._body


def canned(body: bytes) -> Callable[..., Any]:
    response_class = importlib.import_module("aiobotocore.awsrequest").AioAWSResponse
    headers = {"Content-Type": "application/json", "x-amzn-RequestId": "bench-request",
               "Content-Length": str(len(body))}

    def before_send(request: Any, **kwargs: Any) -> Any:
        return response_class(request.url, 200, cast(Any, headers), _Body(body))

    return before_send


def cases() -> list[calls.Case]:
    """The cases of benchmarks/calls.py that have an async target. Their lambdas call the client
    they are given: on an aiobotocore client and on the async SDK client they return awaitables."""
    return [case for case in calls.cases() if case.name in TARGETS]


async def _time(call: Callable[[], Awaitable[Any]], iterations: int) -> float:
    start = time.perf_counter()
    for _ in range(iterations):
        await call()
    return (time.perf_counter() - start) / iterations


async def measure(session: Any, case: calls.Case, rounds: int,
                  scale: float) -> tuple[float, float, float, float, float, float]:
    """(median raw s/call, median SDK s/call, median ratio SDK / raw, ratio of total times,
    lowest and highest ratio of a round)."""
    iterations = max(1, int(case.iterations * scale))
    async with session.create_client("customer-profiles", region_name="us-east-1") as raw_client, \
            session.create_client("customer-profiles", region_name="us-east-1") as sdk_raw:
        raw_client.meta.events.register("before-send", canned(case.body))
        sdk_raw.meta.events.register("before-send", canned(case.body))
        sdk_client = AsyncCustomerProfilesClient(client=sdk_raw)

        async def raw() -> Any:
            return await case.raw(raw_client)

        async def sdk() -> Any:
            return await case.sdk(cast(Any, sdk_client))

        for _ in range(max(1, iterations // 5)):  # warm both paths (schemas, caches)
            await raw()
            await sdk()
        raws, sdks, ratios = [], [], []
        for index in range(rounds):
            if index % 2:
                s = await _time(sdk, iterations)
                r = await _time(raw, iterations)
            else:
                r = await _time(raw, iterations)
                s = await _time(sdk, iterations)
            raws.append(r)
            sdks.append(s)
            ratios.append(s / r)
    return (statistics.median(raws), statistics.median(sdks), statistics.median(ratios), sum(sdks) / sum(raws),
            min(ratios), max(ratios))


async def _run(args: argparse.Namespace) -> list[tuple[str, float, float, float, float]]:
    session = importlib.import_module("aiobotocore.session").AioSession()
    session.set_credentials("bench", "bench")
    results = []
    print(f"{'case':42} {'raw us':>9} {'SDK us':>9} {'SDK/raw':>8} {'spread':>13} {'totals':>7}  target")
    for case in cases():
        if args.only and args.only not in case.name:
            continue
        raw, sdk, ratio, totals, low, high = await measure(session, case, args.rounds, args.scale)
        results.append((case.name, raw, sdk, ratio, totals))
        target = TARGETS[case.name]
        spread = f"{low:.3f}-{high:.3f}"
        print(f"{case.name:42} {raw * 1e6:9.1f} {sdk * 1e6:9.1f} {ratio:8.3f} {spread:>13} {totals:7.3f}  "
              f"<= {target:.2f}", flush=True)
    return results


def main(argv: list[str] | None = None) -> list[tuple[str, float, float, float, float]]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the iterations per round")
    parser.add_argument("--only", default="", help="run the cases whose name contains this text")
    args = parser.parse_args(argv)
    return asyncio.run(_run(args))


if __name__ == "__main__":
    main()
