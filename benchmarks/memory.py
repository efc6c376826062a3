"""Memory: paginating 10,000 items, and holding one parsed SearchProfiles response.

    python benchmarks/memory.py [--pages 100] [--per-page 100] [--profiles 100,1000] [--breakdown]

Python allocations are traced with ``tracemalloc`` (peak and retained bytes), for the SDK and for
raw boto3 in the same process, with canned pages answered at ``before-send`` (no network).

* Pagination: the peak while iterating over every item, for 10 pages and for 100 pages. A
  paginator that holds one page at a time has a peak that does not grow with the number of pages
  (beyond the few hundred bytes a request leaves behind until the collector runs, on both sides).
  tracemalloc does not see pydantic-core's own (Rust) allocations while it parses, about 1.5 times
  the page body, so each case also runs in a fresh process and reports how much its peak resident
  size grew while paginating, after a two-page warm-up: 0 means that no page after the first two
  needed memory the process did not already have.
* One response: the bytes still allocated while the parsed SearchProfiles answer is held, with
  100 and with 1,000 profiles: the SDK's model against botocore's dict.
* ``--breakdown``: where those bytes go, for the 1,000-profile answer (see :func:`breakdown`).
"""

from __future__ import annotations

import argparse
import collections
import functools
import gc
import json
import subprocess
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

from botocore.awsrequest import AWSResponse

sys.path.insert(0, str(Path(__file__).resolve().parent))

import payloads
from calls import _Body, _session, boto3_client
from pydantic import BaseModel

from customer_profiles_sdk import CustomerProfilesClient


def paging_client(pages: int, per_page: int) -> Any:
    """A boto3 client answering ListProfileObjects with ``pages`` pages of ``per_page`` items.

    Each page body is built when it is asked for, so nothing but the current page is in memory.
    """
    client = _session().client("customer-profiles")
    template = json.loads(payloads.list_profile_objects_body(per_page))["Items"]

    def body(page: int) -> bytes:
        items = [dict(item, ProfileObjectUniqueKey=f"O-{page * per_page + index:08d}")
                 for index, item in enumerate(template)]
        token = {"NextToken": f"page{page + 1}"} if page + 1 < pages else {}
        return json.dumps({"Items": items, **token}).encode()

    def before_send(request: Any, **kwargs: Any) -> AWSResponse:
        query = parse_qs(urlsplit(request.url).query)
        page = int(query.get("next-token", ["page0"])[0][4:])
        headers = {"Content-Type": "application/json", "x-amzn-RequestId": "r"}
        return AWSResponse(request.url, 200, cast(Any, headers), _Body(body(page)))

    client.meta.events.register("before-send", before_send)
    return client


def rss_growth_kib(side: str, pages: int, per_page: int) -> int:
    """Growth of the peak resident size while paginating, measured in a fresh process."""
    here = str(Path(__file__).resolve().parent)
    run = "memory.paginate_sdk" if side == "sdk" else "memory.paginate_raw"
    code = (
        f"import gc, resource, sys; sys.path.insert(0, {here!r}); import memory\n"
        f"client = memory.paging_client({pages}, {per_page})\n"
        f"{run}(memory.paging_client(2, {per_page})); gc.collect()\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        f"{run}(client)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return int(out.strip())


def traced_peak(run: Callable[[], int]) -> tuple[int, int]:
    """(items seen, peak traced bytes above the starting point) of ``run``."""
    gc.collect()
    tracemalloc.start()
    start = tracemalloc.get_traced_memory()[0]
    count = run()
    peak = tracemalloc.get_traced_memory()[1] - start
    tracemalloc.stop()
    return count, peak


def paginate_sdk(client: Any) -> int:
    sdk = CustomerProfilesClient(client=client)
    count = 0  # keys arrive in order, so checking each against its index finds duplicates and gaps
    for item in sdk.paginate_list_profile_objects(domain_name="shop", object_type_name="Orders",
                                                   profile_id="0" * 32, page_size=100):
        assert item.profile_object_unique_key == f"O-{count:08d}"
        count += 1
    return count


def paginate_raw(client: Any) -> int:
    """The NextToken loop a boto3 user writes (botocore has no paginator for this operation)."""
    count = 0
    kwargs: dict[str, Any] = {"DomainName": "shop", "ObjectTypeName": "Orders", "ProfileId": "0" * 32,
                              "MaxResults": 100}
    while True:
        page = client.list_profile_objects(**kwargs)
        for item in page["Items"]:
            assert item["ProfileObjectUniqueKey"] == f"O-{count:08d}"
            count += 1
        if not page.get("NextToken"):
            return count
        kwargs["NextToken"] = page["NextToken"]


def retained(build: Callable[[], Any]) -> int:
    """Bytes still allocated while the result of ``build`` is held."""
    build()  # warm caches (schemas, botocore's loaders) outside the measurement
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    result = build()
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del result
    return after - before


#: The object graph walk of :func:`breakdown` stops after this many objects.
BREAKDOWN_LIMIT = 2_000_000
_MODEL_PARTS = (("__dict__", "instance __dict__s"), ("__pydantic_fields_set__", "__pydantic_fields_set__ sets"),
                ("__pydantic_extra__", "__pydantic_extra__ dicts"), ("__pydantic_private__", "__pydantic_private__"))
_MODEL_DICTS = frozenset({"instance __dict__s", "__pydantic_extra__ dicts", "__pydantic_private__"})


def breakdown(root: Any, limit: int = BREAKDOWN_LIMIT) -> dict[str, tuple[int, int]]:
    """An estimate of the memory held by ``root``, by kind of object: {kind: (objects, bytes)}.

    The sum of ``sys.getsizeof`` over every object reachable from ``root`` through pydantic models
    (their ``__dict__``, fields set, extras and private storage), dicts (keys and values), lists,
    tuples and sets, and the ``__dict__`` of other objects. Each object counts once, however many
    references lead to it (an ``id()``-visited set). It is an estimate: interned strings and small
    integers that existed before are counted as if they belonged to ``root``, allocator overhead
    and memory a C extension keeps outside Python objects are not, and neither are objects only
    reachable through types it does not know. The walk is iterative and stops (``RuntimeError``)
    after ``limit`` objects.
    """
    totals: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    seen: set[int] = set()
    stack: list[tuple[Any, str | None]] = [(root, None)]
    while stack:
        obj, role = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if len(seen) > limit:
            raise RuntimeError(f"breakdown stopped after {limit} objects")
        kind = type(obj)
        if isinstance(obj, BaseModel):
            label = "model instances"
            for attribute, part in _MODEL_PARTS:
                stack.append((object.__getattribute__(obj, attribute), part))
        elif kind is dict:
            label = role if role in _MODEL_DICTS else "dicts"
            for key, value in obj.items():
                stack.append((key, "name"))
                stack.append((value, None))
        elif kind in (list, tuple, set, frozenset):
            label = role if role == "__pydantic_fields_set__ sets" else f"{kind.__name__}s"
            stack.extend((item, "name" if role == "__pydantic_fields_set__ sets" else None) for item in obj)
        elif kind is str:
            label = "str keys and member names" if role == "name" else "str values"
        else:
            label = f"other ({kind.__name__})"
            if not isinstance(obj, type) and isinstance(getattr(obj, "__dict__", None), dict):
                stack.append((obj.__dict__, None))
        totals[label][0] += 1
        totals[label][1] += sys.getsizeof(obj)
    return {label: (count, size) for label, (count, size) in totals.items()}


def search_calls(count: int) -> tuple[Callable[[], Any], Callable[[], Any]]:
    """(SDK call, raw boto3 call) of SearchProfiles, each answered with ``count`` canned profiles."""
    body = payloads.search_profiles_body(count)
    sdk = CustomerProfilesClient(client=boto3_client(body))
    raw = boto3_client(body)
    return (lambda: sdk.search_profiles(domain_name="shop", key_name="_email", values=["a"]),
            lambda: raw.search_profiles(DomainName="shop", KeyName="_email", Values=["a"]))


def print_breakdown(name: str, parts: dict[str, tuple[int, int]], retained_bytes: int) -> None:
    total = sum(size for _, size in parts.values())
    print(f"{name:44} {'objects':>9} {'KiB':>9}")
    for label, (count, size) in sorted(parts.items(), key=lambda item: -item[1][1]):
        print(f"{'  ' + label:44} {count:9d} {size / 1024:9.0f}")
    print(f"{'  total (getsizeof estimate)':44} {'':9} {total / 1024:9.0f}")
    print(f"{'  retained (tracemalloc)':44} {'':9} {retained_bytes / 1024:9.0f}")


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--per-page", type=int, default=100)
    parser.add_argument("--profiles", type=lambda text: [int(part) for part in text.split(",")], default=[100, 1000],
                        help="comma-separated profile counts of the held SearchProfiles response")
    parser.add_argument("--breakdown", action="store_true",
                        help="also print where the bytes of a 1,000-profile response go, by kind")
    args = parser.parse_args(argv)
    results: dict[str, float] = {}
    small_pages = max(1, args.pages // 10)
    print(f"{'pagination (ListProfileObjects)':44} {'items':>7} {'peak KiB':>9} {'RSS KiB':>8}")
    for side, name, paginate in (("sdk", "SDK paginator", paginate_sdk),
                                 ("raw", "boto3 NextToken loop", paginate_raw)):
        paginate(paging_client(2, args.per_page))  # warm
        for pages in (small_pages, args.pages):
            client = paging_client(pages, args.per_page)  # built before tracing
            count, peak = traced_peak(functools.partial(paginate, client))
            rss = rss_growth_kib(side, pages, args.per_page)
            label = f"{name}, {pages} pages"
            results[label] = peak
            results[f"{label}, RSS growth KiB"] = rss
            print(f"{label:44} {count:7d} {peak / 1024:9.0f} {rss:8d}")
            assert count == pages * args.per_page, (count, pages)
    print(f"{'one SearchProfiles response, held':44} {'':7} {'SDK KiB':>9} {'boto3':>8} {'ratio':>6}")
    for count in args.profiles:
        sdk_call, raw_call = search_calls(count)
        sdk_bytes = retained(sdk_call)
        raw_bytes = retained(raw_call)
        results[f"{count}-profile response, SDK"] = sdk_bytes
        results[f"{count}-profile response, boto3"] = raw_bytes
        results[f"{count}-profile response, ratio"] = sdk_bytes / raw_bytes
        print(f"{f'  {count} profiles':44} {'':7} {sdk_bytes / 1024:9.0f} {raw_bytes / 1024:8.0f} "
              f"{sdk_bytes / raw_bytes:6.2f}")
    if args.breakdown:
        sdk_call, raw_call = search_calls(1000)
        for name, call in (("SDK model, 1,000 profiles", sdk_call), ("boto3 dict, 1,000 profiles", raw_call)):
            print()
            print_breakdown(name, breakdown(call()), retained(call))
    return results


if __name__ == "__main__":
    main()
