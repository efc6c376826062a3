"""The waiters of AsyncCustomerProfilesClient against the emulator: every waiter to success, to a
failure state, to its timeout and through throttling; every deletion waiter; the options; ``sleep``
as a coroutine function, a plain function, or left out (``asyncio.sleep``); cancellation.

The resources are made with a sync client on the same emulator (tests/test_waiters.py's cases);
the waiting itself is the async client's.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

pytest.importorskip("aiobotocore")

from botocore.exceptions import WaiterError

from customer_profiles_sdk._generated.waiters import WAITERS as SPECS
from customer_profiles_sdk.aio import AsyncCustomerProfilesClient
from customer_profiles_sdk.errors import (
    AccessDeniedError,
    CustomerProfilesError,
    ParamValidationError,
    ResourceNotFoundError,
    WaiterFailedError,
    WaiterTimeoutError,
)
from customer_profiles_sdk.waiters import WaitProgress

from .test_waiters import (
    BAD_OPTIONS,
    CANARY,
    DELETABLE,
    DELETING,
    FAILURES,
    NO_RETRIES,
    ROW,
    STATUS_WAITERS,
    STUCK,
    WALKS,
    Recorder,
    Shop,
    check_progress,
    in_order,
    method,
    new_shop,
    new_upload_job,
    remove,
    response_class,
    script,
    stays,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class AsyncShop:
    shop: Shop
    client: AsyncCustomerProfilesClient

    @property
    def emu(self) -> Any:
        return self.shop.emu


@pytest.fixture
async def ashop() -> AsyncIterator[AsyncShop]:
    shop = new_shop()
    async with shop.emu.async_client(NO_RETRIES) as client:
        yield AsyncShop(shop, client)


class AsyncRecorder(Recorder):
    """The recorder, with a coroutine function as sleep (it yields to the loop each time)."""

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)
        await asyncio.sleep(0)


@pytest.mark.parametrize("kind", ["coroutine", "plain"])
@pytest.mark.parametrize("name", STATUS_WAITERS)
async def test_success_walks_every_status(ashop: AsyncShop, name: str, kind: str) -> None:
    params = ashop.shop.prepare(name)
    walk = WALKS[name]
    recorder = AsyncRecorder(ashop.emu)
    sleep = recorder.asleep if kind == "coroutine" else recorder.sleep
    got = await method(ashop.client, name)(**params, delay=walk.delay, max_delay=walk.delay, timeout=walk.timeout,
                                           progress=recorder, sleep=sleep, **walk.kwargs)
    assert type(got).__name__ == response_class(name)
    assert getattr(got, SPECS[name].status or "") == walk.statuses[-1]
    assert recorder.statuses() == list(walk.statuses)
    check_progress(recorder, name)


@pytest.mark.parametrize("name", STATUS_WAITERS)
async def test_failure_state_raises(ashop: AsyncShop, name: str) -> None:
    params = ashop.shop.prepare(name)
    failing = FAILURES[name]
    extra = failing.make(ashop.emu, ashop.shop.raw, params)
    recorder = AsyncRecorder(ashop.emu)
    with pytest.raises(WaiterFailedError) as caught:
        await method(ashop.client, name)(**params, delay=2, max_delay=4, progress=recorder, sleep=recorder.asleep,
                                         **extra)
    error = caught.value
    assert isinstance(error, WaiterError) and isinstance(error, CustomerProfilesError)
    assert error.status == failing.status and type(error.last_response).__name__ == response_class(name)
    assert CANARY not in str(error)


@pytest.mark.parametrize("name", STATUS_WAITERS)
async def test_timeout_never_sleeps_past_it(ashop: AsyncShop, name: str) -> None:
    params = ashop.shop.prepare(name)
    extra = STUCK.get(name, stays)(ashop.emu, ashop.shop.raw, params)
    recorder = AsyncRecorder()
    with pytest.raises(WaiterTimeoutError) as caught:
        await method(ashop.client, name)(**params, delay=1, max_delay=8, timeout=30, progress=recorder,
                                         sleep=recorder.asleep, **extra)
    error = caught.value
    assert type(error.last_response).__name__ == response_class(name)
    assert error.status == getattr(error.last_response, SPECS[name].status or "") is not None
    assert sum(recorder.slept) <= 30 and error.elapsed <= 30 and len(recorder.slept) >= 4


@pytest.mark.parametrize("name", STATUS_WAITERS)
async def test_throttling_while_polling_is_retried(ashop: AsyncShop, name: str) -> None:
    params = ashop.shop.prepare(name)
    walk = WALKS[name]
    ashop.emu.fail(ROW[name].operation, code="ThrottlingException", status=429, times=3)
    recorder = AsyncRecorder(ashop.emu)
    got = await method(ashop.client, name)(**params, delay=walk.delay, max_delay=walk.delay, timeout=walk.timeout,
                                           progress=recorder, sleep=recorder.asleep, **walk.kwargs)
    assert type(got).__name__ == response_class(name)
    assert [p.status for p in recorder.seen[:3]] == [None] * 3
    assert in_order(recorder.statuses()[1:], walk.statuses)


@pytest.mark.parametrize(("code", "status"), [("InternalServerException", 500), ("ServiceUnavailable", 503),
                                              ("Throttling", 400)])
async def test_5xx_while_polling_is_retried(ashop: AsyncShop, code: str, status: int) -> None:
    params = ashop.shop.prepare("upload_job")
    ashop.emu.fail("GetUploadJob", code=code, status=status, times=2)
    got = await ashop.client.wait_for_upload_job(**params, delay=1, sleep=ashop.emu.advance)
    assert got.status == "SUCCEEDED"


async def test_a_client_error_while_polling_is_raised_at_once(ashop: AsyncShop) -> None:
    params = ashop.shop.prepare("recommender")
    ashop.emu.fail("GetRecommender", code="AccessDeniedException", status=403, message=CANARY)
    recorder = AsyncRecorder(ashop.emu)
    with pytest.raises(AccessDeniedError):
        await ashop.client.wait_for_recommender(**params, sleep=recorder.asleep)
    assert recorder.slept == []
    with pytest.raises(ResourceNotFoundError):
        await ashop.client.wait_for_recommender(domain_name="shop", recommender_name="none", sleep=recorder.asleep)


@pytest.mark.parametrize("name", DELETABLE)
async def test_deletion_waiter_returns_none(ashop: AsyncShop, name: str) -> None:
    params = ashop.shop.prepare(name)
    remove(ashop.shop.raw, name, params)
    recorder = AsyncRecorder(ashop.emu)
    assert await method(ashop.client, name, deleted=True)(**params, delay=2, progress=recorder,
                                                          sleep=recorder.asleep) is None
    assert recorder.statuses() == [*DELETING.get(name, ()), None]
    check_progress(recorder, name, deleted=True)


@pytest.mark.parametrize("name", DELETABLE)
async def test_deletion_waiter_times_out_while_the_resource_stays(ashop: AsyncShop, name: str) -> None:
    params = ashop.shop.prepare(name)
    recorder = AsyncRecorder(ashop.emu)
    with pytest.raises(WaiterTimeoutError) as caught:
        await method(ashop.client, name, deleted=True)(**params, delay=5, max_delay=20, timeout=120,
                                                       sleep=recorder.sleep)
    assert type(caught.value.last_response).__name__ == response_class(name)
    assert sum(recorder.slept) <= 120 and caught.value.waiter == f"{name}_deleted"


@pytest.mark.parametrize(("options", "path", "rule"), BAD_OPTIONS)
async def test_bad_options_are_refused_before_anything_is_sent(ashop: AsyncShop, options: dict[str, Any], path: str,
                                                               rule: str) -> None:
    before = ashop.shop.sent()
    with pytest.raises(ParamValidationError) as caught:
        await ashop.client.wait_for_recommender(domain_name="shop", recommender_name="top", **options)
    assert [(p.path, p.rule) for p in caught.value.problems] == [(path, rule)]
    assert CANARY not in str(caught.value)
    assert ashop.shop.sent() == before


async def test_the_default_sleep_is_asyncio_sleep(ashop: AsyncShop, monkeypatch: pytest.MonkeyPatch) -> None:
    params = ashop.shop.prepare("recommender")
    real_sleep = asyncio.sleep
    slept: list[float] = []

    async def fake_sleep(seconds: float, *args: Any) -> Any:
        slept.append(seconds)
        ashop.emu.advance(seconds)
        return await real_sleep(0)

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    got = await ashop.client.wait_for_recommender(**params, delay=4, max_delay=4)
    monkeypatch.undo()
    assert got.status == "ACTIVE" and slept and all(2 <= pause <= 4 for pause in slept)


async def test_real_asyncio_sleep_and_the_wall_clock_timeout(ashop: AsyncShop,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    params: dict[str, Any] = {"domain_name": "shop", "job_id": new_upload_job(ashop.shop.raw)}  # CREATED for ever
    real_sleep, slept = asyncio.sleep, []

    async def sleep(seconds: float, *args: Any) -> Any:
        slept.append(seconds)
        return await real_sleep(seconds, *args)

    monkeypatch.setattr(asyncio, "sleep", sleep)
    with pytest.raises(WaiterTimeoutError) as caught:
        await ashop.client.wait_for_upload_job(**params, delay=0.01, max_delay=0.02, timeout=0.2)
    monkeypatch.undo()
    assert caught.value.status == "CREATED" and slept and sum(slept) <= 0.2


async def test_cancelling_the_task_stops_the_wait(ashop: AsyncShop) -> None:
    params = ashop.shop.prepare("recommender")
    started = asyncio.Event()
    polls: list[WaitProgress] = []

    async def forever(seconds: float) -> None:
        started.set()
        await asyncio.Event().wait()

    task = asyncio.ensure_future(ashop.client.wait_for_recommender(**params, progress=polls.append, sleep=forever))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(polls) == 1


async def test_scripted_failure_with_state_overrides(ashop: AsyncShop) -> None:
    params = ashop.shop.prepare("segment_estimate")
    script(ashop.emu, "GetSegmentEstimate", ["RUNNING", "RUNNING", "FAILED"])
    with pytest.raises(WaiterTimeoutError):
        await ashop.client.wait_for_segment_estimate(**params, failure_states=[], timeout=20, delay=4,
                                                     sleep=ashop.emu.advance)
    with pytest.raises(WaiterFailedError) as caught:
        await ashop.client.wait_for_segment_estimate(**params, sleep=ashop.emu.advance)
    assert caught.value.status == "FAILED" and not math.isnan(caught.value.elapsed)
