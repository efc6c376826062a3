"""Per-call time of the SDK against raw boto3, through the whole botocore stack, offline.

    python benchmarks/calls.py [--rounds 15] [--scale 1.0] [--only NAME] [--keep N]

Every client is a real boto3 client with dummy credentials. A ``before-send`` handler answers
every request with a canned HTTP 200 body, so serialization, signing, the retry handler and
response parsing all run, and nothing leaves the process. Three sides are timed:

* **raw**: a plain boto3 client, as an application calls it;
* **baseline**: the same call on a boto3 client whose response parser returns the response
  metadata without reading the body: botocore's fixed cost for the call, which no wrapper that
  delegates to botocore can go below (:func:`baseline_client`);
* **SDK**: :class:`CustomerProfilesClient` over a boto3 client.

Each round times the three sides back to back over the same number of iterations, in a rotating
order; the table gives median microseconds per call and the median of the per-round ratios
(SDK / raw, baseline / raw and SDK / baseline), with the spread of SDK / raw (lowest and highest
round). A median is hardly moved by the rounds in which a full garbage collection happened;
the "totals" column, total SDK time over total raw time, counts them. ``--keep N`` holds the last N results
of each side alive (an application that keeps responses around), which makes the collector work
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
from customer_profiles_sdk._transport import response_metadata
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


class _MetadataOnlyParser:
    """A response parser that builds the response metadata as botocore's does, and reads no body
    (the SDK's builder of that dict, which a test checks against botocore's parser)."""

    def parse(self, response: dict[str, Any], shape: Any) -> dict[str, Any]:
        return response_metadata(response)


class _MetadataOnlyFactory:
    def create_parser(self, protocol_name: str) -> _MetadataOnlyParser:
        return _MetadataOnlyParser()


def baseline_client(body: bytes) -> Any:
    """A boto3 client that runs the whole call but skips the parse of the body: botocore's fixed
    cost (serialization, endpoint, signing, events, retries, the response dict)."""
    client = boto3_client(body)
    client._endpoint._response_parser_factory = _MetadataOnlyFactory()
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
        Case("small: SearchProfiles, 1 profile", payloads.search_profiles_body(1), 1000,
             lambda c: c.search_profiles(DomainName="shop", KeyName="_email", Values=["a@example.com"]),
             lambda s: s.search_profiles(domain_name="shop", key_name="_email", values=["a@example.com"])),
        Case("large: SearchProfiles, 100 profiles", payloads.search_profiles_body(100), 60,
             lambda c: c.search_profiles(DomainName="shop", KeyName="_email", Values=["a@example.com"]),
             lambda s: s.search_profiles(domain_name="shop", key_name="_email", values=["a@example.com"])),
        Case("large: ListProfileObjects, 100 objects", payloads.list_profile_objects_body(100), 200,
             lambda c: c.list_profile_objects(DomainName="shop", ObjectTypeName="Orders", ProfileId="0" * 32),
             lambda s: s.list_profile_objects(domain_name="shop", object_type_name="Orders", profile_id="0" * 32)),
        Case("large: GetProfileObjectType, 200 fields", payloads.get_profile_object_type_body(200), 100,
             lambda c: c.get_profile_object_type(DomainName="shop", ObjectTypeName="Orders"),
             lambda s: s.get_profile_object_type(domain_name="shop", object_type_name="Orders")),
        Case("large: SearchProfiles, 1000 profiles", payloads.search_profiles_body(1000), 6,
             lambda c: c.search_profiles(DomainName="shop", KeyName="_email", Values=["a@example.com"]),
             lambda s: s.search_profiles(domain_name="shop", key_name="_email", values=["a@example.com"])),
    ]


def _time(call: Callable[[], Any], iterations: int, kept: collections.deque[Any]) -> float:
    start = time.perf_counter()
    for _ in range(iterations):
        kept.append(call())
    return (time.perf_counter() - start) / iterations


@dataclass
class Result:
    """Medians of one case: seconds per call, per-round ratios, and the spread of SDK / raw."""

    name: str
    raw: float
    baseline: float
    sdk: float
    ratio: float
    totals: float
    baseline_ratio: float
    sdk_to_baseline: float
    low: float
    high: float


def measure(case: Case, rounds: int, scale: float, keep: int = 0) -> Result:
    raw_client = boto3_client(case.body)
    base_client = baseline_client(case.body)
    sdk_client = CustomerProfilesClient(client=boto3_client(case.body))
    iterations = max(1, int(case.iterations * scale))
    sides: dict[str, Callable[[], Any]] = {
        "raw": lambda: case.raw(raw_client),
        "baseline": lambda: case.raw(base_client),
        "sdk": lambda: case.sdk(sdk_client),
    }
    for _ in range(max(1, iterations // 5)):  # warm every path (schemas, caches)
        for call in sides.values():
            call()
    times: dict[str, list[float]] = {name: [] for name in sides}
    kept = {name: collections.deque[Any](maxlen=keep) for name in sides}
    order = list(sides)
    for index in range(rounds):
        for name in order[index % 3:] + order[:index % 3]:  # rotate which side goes first
            times[name].append(_time(sides[name], iterations, kept[name]))
    raws, bases, sdks = times["raw"], times["baseline"], times["sdk"]
    ratios = [s / r for s, r in zip(sdks, raws, strict=True)]
    return Result(
        name=case.name,
        raw=statistics.median(raws),
        baseline=statistics.median(bases),
        sdk=statistics.median(sdks),
        ratio=statistics.median(ratios),
        totals=sum(sdks) / sum(raws),
        baseline_ratio=statistics.median(b / r for b, r in zip(bases, raws, strict=True)),
        sdk_to_baseline=statistics.median(s / b for s, b in zip(sdks, bases, strict=True)),
        low=min(ratios),
        high=max(ratios),
    )


def main(argv: list[str] | None = None) -> list[Result]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the iterations per round")
    parser.add_argument("--only", default="", help="run the cases whose name contains this text")
    parser.add_argument("--keep", type=int, default=0, help="keep the last N results of each side alive")
    args = parser.parse_args(argv)
    results = []
    import botocore
    import pydantic_core

    print(f"botocore {botocore.__version__}, pydantic-core {pydantic_core.__version__}, "
          f"Python {sys.version.split()[0]}, {args.rounds} rounds")
    print(f"{'case':40} {'raw us':>9} {'base us':>9} {'SDK us':>9} {'SDK/raw':>8} {'spread':>13} "
          f"{'totals':>7} {'base/raw':>8} {'SDK/base':>8}")
    for case in cases():
        if args.only and args.only not in case.name:
            continue
        result = measure(case, args.rounds, args.scale, args.keep)
        results.append(result)
        spread = f"{result.low:.3f}-{result.high:.3f}"
        print(f"{case.name:40} {result.raw * 1e6:9.1f} {result.baseline * 1e6:9.1f} {result.sdk * 1e6:9.1f} "
              f"{result.ratio:8.3f} {spread:>13} {result.totals:7.3f} {result.baseline_ratio:8.3f} "
              f"{result.sdk_to_baseline:8.3f}", flush=True)
    return results


if __name__ == "__main__":
    main()
