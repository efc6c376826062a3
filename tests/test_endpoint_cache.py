"""The SDK's calls reuse the endpoint botocore resolved for their operation (see _transport).

customer-profiles' endpoint rule set takes only the client's region, endpoint URL and FIPS and
dual-stack settings, so every call of one operation gets the same endpoint. The cache applies to
the SDK's own calls only, and never while something handles ``before-endpoint-resolution``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import boto3
import boto3.session
import pytest

from customer_profiles_sdk import CustomerProfilesClient
from customer_profiles_sdk._transport import _EndpointCache
from customer_profiles_sdk.local import Emulator


class _Counting:
    """Wraps the real resolver and counts its resolutions, per operation."""

    def __init__(self, resolver: Any) -> None:
        self.resolver = resolver
        self.calls: list[str] = []

    def construct_endpoint(self, operation_model: Any, call_args: Any, request_context: Any) -> Any:
        self.calls.append(operation_model.name)
        return self.resolver.construct_endpoint(
            operation_model=operation_model, call_args=call_args, request_context=request_context)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.resolver, name)


@pytest.fixture
def setup() -> Iterator[tuple[CustomerProfilesClient, _Counting]]:
    emulator = Emulator()
    client = emulator.client()
    cache = cast(Any, client.boto3_client)._ruleset_resolver
    assert isinstance(cache, _EndpointCache)
    counting = _Counting(cache._resolver)
    cache._resolver = counting
    client.create_domain(domain_name="shop", default_expiration_days=3)
    yield client, counting


def test_each_operation_is_resolved_once_for_the_sdks_calls(setup: tuple[CustomerProfilesClient, _Counting]) -> None:
    client, counting = setup
    for _ in range(5):
        client.get_domain(domain_name="shop")
        client.create_profile(domain_name="shop", first_name="Ann")
    assert counting.calls == ["CreateDomain", "GetDomain", "CreateProfile"]
    # Paginated calls too, and errors do not disturb the cache.
    list(client.paginate_list_domains(page_size=1))
    list(client.paginate_list_domains(page_size=1))
    assert counting.calls.count("ListDomains") == 1


def test_the_cached_endpoint_is_the_resolved_one(setup: tuple[CustomerProfilesClient, _Counting]) -> None:
    client, _counting = setup
    seen: list[str] = []
    client.boto3_client.meta.events.register("before-send", lambda request, **kw: seen.append(request.url))
    client.get_domain(domain_name="shop")
    client.get_domain(domain_name="shop")
    assert len(seen) == 2 and seen[0] == seen[1]
    assert seen[0].startswith(client.boto3_client.meta.endpoint_url) and seen[0].endswith("/domains/shop")


def test_direct_boto3_calls_are_resolved_by_botocore_every_time(
    setup: tuple[CustomerProfilesClient, _Counting],
) -> None:
    client, counting = setup
    client.get_domain(domain_name="shop")
    for _ in range(3):
        cast(Any, client.boto3_client).get_domain(DomainName="shop")
    assert counting.calls.count("GetDomain") == 4


def test_a_before_endpoint_resolution_handler_turns_the_cache_off(
    setup: tuple[CustomerProfilesClient, _Counting],
) -> None:
    client, counting = setup
    client.get_domain(domain_name="shop")
    builtins_seen: list[dict[str, Any]] = []
    client.boto3_client.meta.events.register(
        "before-endpoint-resolution.customer-profiles", lambda builtins, **kw: builtins_seen.append(dict(builtins)))
    for _ in range(3):
        client.get_domain(domain_name="shop")
    assert counting.calls.count("GetDomain") == 4 and len(builtins_seen) == 3


def test_containers_handed_out_are_fresh(
    setup: tuple[CustomerProfilesClient, _Counting], monkeypatch: pytest.MonkeyPatch
) -> None:
    from customer_profiles_sdk import _transport

    client, _counting = setup
    client.get_domain(domain_name="shop")
    cache = cast(Any, client.boto3_client)._ruleset_resolver
    assert isinstance(cache, _EndpointCache)
    monkeypatch.setattr(_transport, "_in_sdk_call", lambda: True)
    model = client.boto3_client.meta.service_model.operation_model("GetDomain")
    first = cache._cached(model)
    assert first is not None and first.url == cache._cache["GetDomain"].url
    first.headers["x-changed"] = "1"
    first.properties["changed"] = True
    second = cache._cached(model)
    assert second is not None and "x-changed" not in second.headers and "changed" not in second.properties


def test_a_rule_set_with_call_dependent_parameters_is_left_alone() -> None:
    from customer_profiles_sdk._transport import _cache_endpoints

    session = boto3.session.Session(aws_access_key_id="a", aws_secret_access_key="b", region_name="us-east-1")
    raw: Any = session.client("customer-profiles")
    resolver = raw._ruleset_resolver
    resolver._param_definitions = {**resolver._param_definitions, "Bucket": object()}
    _cache_endpoints(raw)
    assert raw._ruleset_resolver is resolver


def test_the_async_client_caches_too() -> None:
    pytest.importorskip("aiobotocore")
    import asyncio

    from customer_profiles_sdk._transport import _AsyncEndpointCache

    class _AsyncCounting(_Counting):
        async def construct_endpoint(self, operation_model: Any, call_args: Any, request_context: Any) -> Any:
            self.calls.append(operation_model.name)
            return await self.resolver.construct_endpoint(
                operation_model=operation_model, call_args=call_args, request_context=request_context)

    async def main() -> list[str]:
        async with Emulator().async_client() as client:
            cache = client.aiobotocore_client._ruleset_resolver
            assert isinstance(cache, _AsyncEndpointCache)
            counting = _AsyncCounting(cache._resolver)
            cache._resolver = counting
            await client.create_domain(domain_name="shop", default_expiration_days=3)
            for _ in range(3):
                await client.get_domain(domain_name="shop")
            await asyncio.gather(*(client.get_domain(domain_name="shop") for _ in range(5)))
            await client.aiobotocore_client.get_domain(DomainName="shop")
            return counting.calls

    assert asyncio.run(main()) == ["CreateDomain", "GetDomain", "GetDomain"]


CONFIGS = [
    ("us-east-1", None, {}),
    ("eu-west-2", None, {}),
    ("us-east-1", None, {"use_fips_endpoint": True}),
    ("us-east-1", None, {"use_dualstack_endpoint": True}),
    ("us-gov-west-1", None, {"use_fips_endpoint": True, "use_dualstack_endpoint": True}),
    ("ap-southeast-2", "http://127.0.0.1:8765", {}),
    ("eu-central-1", "https://profile.example.internal/prefix", {}),
]


@pytest.mark.parametrize(("region", "endpoint_url", "settings"), CONFIGS)
def test_cached_endpoints_follow_each_clients_configuration(region: str, endpoint_url: str | None,
                                                            settings: dict[str, Any]) -> None:
    """Every configuration gets, from the cache, the URL botocore resolves for it; clients of
    other configurations in the same process never see each other's endpoints."""
    from botocore.config import Config

    from customer_profiles_sdk._compat import private_session

    from .canned import Canned

    seen: dict[str, list[str]] = {}
    clients = []
    for name, (reg, url, extra) in [("this", (region, endpoint_url, settings)), ("other", CONFIGS[0])]:
        session = boto3.session.Session(aws_access_key_id="a", aws_secret_access_key="b", region_name=reg)
        raw = private_session(session).create_client("customer-profiles", endpoint_url=url, config=Config(**extra))
        raw.meta.events.register("before-send", Canned())
        raw.meta.events.register("before-send", lambda request, _n=name, **kw: seen.setdefault(_n, []).append(
            f"{request.url} {request.headers['Authorization'].decode().split('/')[2]}"), unique_id=f"url-{name}")
        clients.append((raw, CustomerProfilesClient(client=raw)))
    for _ in range(3):
        for raw, sdk in clients:
            sdk.get_domain(domain_name="shop")
            sdk.search_profiles(domain_name="shop", key_name="_email", values=["v"])
            cast(Any, raw).get_domain(DomainName="shop")  # botocore resolves this one itself
    this = seen["this"]
    assert len(this) == 9 and len(set(this)) == 2  # GetDomain (SDK and direct alike), SearchProfiles
    assert this[0] == this[2] == this[3] == this[5] and this[1] == this[4] == this[7]
    assert all(f" {region}" in entry for entry in this)
    if endpoint_url:
        assert this[0].startswith(endpoint_url.rstrip("/") + "/domains/shop")
    if settings.get("use_fips_endpoint"):
        assert "-fips." in this[0]
    if settings.get("use_dualstack_endpoint"):
        assert ".api.aws" in this[0]
    assert all(" us-east-1" in entry and "profile.us-east-1.amazonaws.com" in entry for entry in seen["other"])
