"""Memory: paginating 10,000 items, and holding one parsed 100-profile response.

    python benchmarks/memory.py [--pages 100] [--per-page 100]

Python allocations are traced with ``tracemalloc`` (peak and retained bytes), for the SDK and for
raw boto3 in the same process, with canned pages answered at ``before-send`` (no network).

* Pagination: the peak while iterating over every item, for 10 pages and for 100 pages. A
  paginator that holds one page at a time has (about) the same peak for both.
* One response: the bytes still allocated while the parsed SearchProfiles answer with 100
  profiles is held: the SDK's model against botocore's dict.
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

import boto3
from botocore.awsrequest import AWSResponse

sys.path.insert(0, str(Path(__file__).resolve().parent))

import payloads
from calls import _Body, boto3_client

from customer_profiles_sdk import CustomerProfilesClient


def paging_client(pages: int, per_page: int) -> Any:
    """A boto3 client answering ListProfileObjects with ``pages`` pages of ``per_page`` items."""
    session = boto3.session.Session(aws_access_key_id="bench", aws_secret_access_key="bench",
                                    region_name="us-east-1")
    client = session.client("customer-profiles")
    bodies = {}
    for page in range(pages):
        items = json.loads(payloads.list_profile_objects_body(per_page))["Items"]
        for index, item in enumerate(items):
            item["ProfileObjectUniqueKey"] = f"O-{page * per_page + index:08d}"
        token = f"page{page + 1}" if page + 1 < pages else None
        bodies[f"page{page}"] = json.dumps({"Items": items, **({"NextToken": token} if token else {})}).encode()

    def before_send(request: Any, **kwargs: Any) -> AWSResponse:
        query = parse_qs(urlsplit(request.url).query)
        body = bodies[query.get("next-token", ["page0"])[0]]
        headers = {"Content-Type": "application/json", "x-amzn-RequestId": "r"}
        return AWSResponse(request.url, 200, cast(Any, headers), _Body(body))

    client.meta.events.register("before-send", before_send)
    return client


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


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--per-page", type=int, default=100)
    args = parser.parse_args(argv)
    results: dict[str, float] = {}
    small_pages = max(1, args.pages // 10)
    print(f"{'pagination (ListProfileObjects)':44} {'items':>7} {'peak KiB':>9}")
    for name, paginate in (("SDK paginator", paginate_sdk), ("boto3 NextToken loop", paginate_raw)):
        paginate(paging_client(2, args.per_page))  # warm
        for pages in (small_pages, args.pages):
            client = paging_client(pages, args.per_page)  # built (with every canned page) before tracing
            count, peak = traced_peak(functools.partial(paginate, client))
            label = f"{name}, {pages} pages"
            results[label] = peak
            print(f"{label:44} {count:7d} {peak / 1024:9.0f}")
            assert count == pages * args.per_page, (count, pages)
    body = payloads.search_profiles_body(100)
    sdk = CustomerProfilesClient(client=boto3_client(body))
    raw = boto3_client(body)
    sdk_bytes = retained(lambda: sdk.search_profiles(domain_name="shop", key_name="_email", values=["a"]))
    raw_bytes = retained(lambda: raw.search_profiles(DomainName="shop", KeyName="_email", Values=["a"]))
    results["100-profile response, SDK"] = sdk_bytes
    results["100-profile response, boto3"] = raw_bytes
    print(f"{'one SearchProfiles response, 100 profiles':44} {'':7} {'KiB':>9}")
    print(f"{'  SDK model':44} {'':7} {sdk_bytes / 1024:9.0f}")
    print(f"{'  boto3 dict':44} {'':7} {raw_bytes / 1024:9.0f}")
    print(f"{'  ratio SDK / boto3':44} {'':7} {sdk_bytes / raw_bytes:9.2f}")
    return results


if __name__ == "__main__":
    main()
