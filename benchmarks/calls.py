"""Per-call time of the SDK against raw boto3, through the whole botocore stack, offline.

    python benchmarks/calls.py [--rounds 7] [--scale 1.0] [--only NAME] [--keep N]

Both clients are real boto3 clients with dummy credentials. A ``before-send`` handler answers
every request with a canned HTTP 200 body, so serialization, signing, the retry handler and
response parsing all run, and nothing leaves the process. Each round times the raw boto3 call and
the SDK call back to back (alternating which goes first) over the same number of iterations;
the table gives median microseconds per call and the median of the per-round ratios SDK / raw.

The median drops the rounds in which a full garbage collection happened; the last column is the
ratio of the total times of all rounds, which keeps them. ``--keep N`` holds the last N results of
each side alive (an application that keeps responses around), which makes the collector work
harder on the side that leaves more tracked objects (docs/performance.md).
"""

from __future__ import annotations

import argparse
import collections
import functools
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import boto3
from botocore.awsrequest import AWSResponse

sys.path.insert(0, str(Path(__file__).resolve().parent))

import payloads

from customer_profiles_sdk import CustomerProfilesClient
from customer_profiles_sdk.models import Address


class _Body:
    """The raw stream botocore reads a canned body from."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **kwargs: Any) -> Any:
        yield self._body

    def read(self, *args: Any, **kwargs: Any) -> bytes:
        return self._body


def canned(body: bytes, status: int = 200) -> Callable[..., AWSResponse]:
    headers = {"Content-Type": "application/json", "x-amzn-RequestId": "bench-request",
               "Content-Length": str(len(body))}

    def before_send(request: Any, **kwargs: Any) -> AWSResponse:
        return AWSResponse(request.url, status, cast(Any, headers), _Body(body))

    return before_send


@functools.cache
def _session() -> Any:
    # One session for every client: each new session adds tens of thousands of objects to the heap,
    # which makes every full garbage collection slower for both sides.
    return boto3.session.Session(aws_access_key_id="bench", aws_secret_access_key="bench",
                                 region_name="us-east-1")


def boto3_client(body: bytes) -> Any:
    client = _session().client("customer-profiles")
    client.meta.events.register("before-send", canned(body))
    return client


@dataclass
class Case:
    name: str
    body: bytes
    iterations: int
    raw: Callable[[Any], Any]
    sdk: Callable[[CustomerProfilesClient], Any]


def _address() -> Address:
    return Address(address1="1 Home Street", city="Town", country="GB", postal_code="AB1 2CD")


def cases() -> list[Case]:
    create = payloads.CREATE_PROFILE_ARGS
    put = payloads.PUT_PROFILE_OBJECT_ARGS
    return [
        Case("small: GetProfileObjectType", payloads.SMALL_GET_PROFILE_OBJECT_TYPE, 1000,
             lambda c: c.get_profile_object_type(DomainName="shop", ObjectTypeName="Orders"),
             lambda s: s.get_profile_object_type(domain_name="shop", object_type_name="Orders")),
        Case("small: CreateProfile", payloads.SMALL_CREATE_PROFILE, 1000,
             lambda c: c.create_profile(**create),
             lambda s: s.create_profile(
                 domain_name="shop", first_name="Given", last_name="Family", email_address="person@example.com",
                 phone_number="+44 20 7946 0000", address=_address(),
                 attributes={"tier": "gold", "source": "web"})),
        Case("small: PutProfileObject", payloads.SMALL_PUT_PROFILE_OBJECT, 1000,
             lambda c: c.put_profile_object(**put),
             lambda s: s.put_profile_object(domain_name="shop", object_type_name="Orders", object=put["Object"])),
        Case("large: SearchProfiles, 100 profiles", payloads.search_profiles_body(100), 60,
             lambda c: c.search_profiles(DomainName="shop", KeyName="_email", Values=["a@example.com"]),
             lambda s: s.search_profiles(domain_name="shop", key_name="_email", values=["a@example.com"])),
        Case("large: ListProfileObjects, 100 objects", payloads.list_profile_objects_body(100), 200,
             lambda c: c.list_profile_objects(DomainName="shop", ObjectTypeName="Orders", ProfileId="0" * 32),
             lambda s: s.list_profile_objects(domain_name="shop", object_type_name="Orders", profile_id="0" * 32)),
        Case("large: GetProfileObjectType, 200 fields", payloads.get_profile_object_type_body(200), 100,
             lambda c: c.get_profile_object_type(DomainName="shop", ObjectTypeName="Orders"),
             lambda s: s.get_profile_object_type(domain_name="shop", object_type_name="Orders")),
    ]


def _time(call: Callable[[], Any], iterations: int, kept: collections.deque[Any]) -> float:
    start = time.perf_counter()
    for _ in range(iterations):
        kept.append(call())
    return (time.perf_counter() - start) / iterations


def measure(case: Case, rounds: int, scale: float, keep: int = 0) -> tuple[float, float, float, float]:
    """(median raw s/call, median SDK s/call, median ratio SDK / raw, ratio of total times)."""
    raw_client = boto3_client(case.body)
    sdk_client = CustomerProfilesClient(client=boto3_client(case.body))
    iterations = max(1, int(case.iterations * scale))

    def raw() -> Any:
        return case.raw(raw_client)

    def sdk() -> Any:
        return case.sdk(sdk_client)

    for _ in range(max(1, iterations // 5)):  # warm both paths (schemas, caches)
        raw()
        sdk()
    raws, sdks, ratios = [], [], []
    raw_kept: collections.deque[Any] = collections.deque(maxlen=keep)
    sdk_kept: collections.deque[Any] = collections.deque(maxlen=keep)
    for index in range(rounds):
        if index % 2:
            s = _time(sdk, iterations, sdk_kept)
            r = _time(raw, iterations, raw_kept)
        else:
            r = _time(raw, iterations, raw_kept)
            s = _time(sdk, iterations, sdk_kept)
        raws.append(r)
        sdks.append(s)
        ratios.append(s / r)
    return statistics.median(raws), statistics.median(sdks), statistics.median(ratios), sum(sdks) / sum(raws)


def main(argv: list[str] | None = None) -> list[tuple[str, float, float, float, float]]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the iterations per round")
    parser.add_argument("--only", default="", help="run the cases whose name contains this text")
    parser.add_argument("--keep", type=int, default=0, help="keep the last N results of each side alive")
    args = parser.parse_args(argv)
    results = []
    print(f"{'case':42} {'raw us':>9} {'SDK us':>9} {'SDK/raw':>8} {'totals':>7}")
    for case in cases():
        if args.only and args.only not in case.name:
            continue
        raw, sdk, ratio, totals = measure(case, args.rounds, args.scale, args.keep)
        results.append((case.name, raw, sdk, ratio, totals))
        print(f"{case.name:42} {raw * 1e6:9.1f} {sdk * 1e6:9.1f} {ratio:8.3f} {totals:7.3f}", flush=True)
    return results


if __name__ == "__main__":
    main()
