"""AsyncCustomerProfilesClient.upload_csv: the same sequence as the sync client's, awaited, against
the emulator in process and over HTTP; the PUT in a thread (unless the emulator answers in
process); refusals, validation, and the key in no error or log."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("aiobotocore")

from aiobotocore.session import AioSession  # pyright: ignore[reportMissingImports]

from customer_profiles_sdk import (
    AsyncCustomerProfilesClient,
    ParamValidationError,
    UploadError,
    WaiterFailedError,
)
from customer_profiles_sdk.local import Emulator
from customer_profiles_sdk.local._areas.upload_jobs import PATH_VALID_SECONDS
from customer_profiles_sdk.uploads import Send

from .test_upload_csv import (
    FIELDS,
    SSE,
    assert_secret_free,
    error_texts,
    job_key,
    last_response,
    record_uploads,
    sent_nothing,
    summary,
    write_csv,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def emu() -> Emulator:
    emulator = Emulator()
    emulator.backend.call("CreateDomain", {"DomainName": "shop", "DefaultExpirationDays": 365})
    return emulator


def http_client(url: str, **kwargs: Any) -> AsyncCustomerProfilesClient:
    session = AioSession()
    session.set_credentials("testing", "testing")
    return AsyncCustomerProfilesClient(session=session, region_name="us-east-1", endpoint_url=url, **kwargs)


@pytest.fixture(params=["in_process", "http"])
async def client(request: pytest.FixtureRequest, emu: Emulator) -> AsyncIterator[AsyncCustomerProfilesClient]:
    if request.param == "in_process":
        async with emu.async_client() as attached:
            yield attached
        return
    with emu.serve() as running:
        async with http_client(running.url) as over_http:
            yield over_http


async def upload(client: AsyncCustomerProfilesClient, emu: Emulator, path: Any, **options: Any) -> Any:
    options = {"sleep": emu.advance, "delay": 1.0, **options}
    return await client.upload_csv(domain_name="shop", path=path, fields=FIELDS, unique_key="CustomerId",
                                   display_name="people.csv", **options)


@pytest.mark.parametrize("where", ["in_process", pytest.param("http", marks=pytest.mark.slow)])
async def test_10000_rows_end_to_end(where: str, emu: Emulator, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    file = write_csv(tmp_path / "people.csv", 10_000)
    uploads = record_uploads(emu, monkeypatch)
    if where == "in_process":
        async with emu.async_client() as attached:
            result = await upload(attached, emu, file)
    else:
        with emu.serve() as running:
            async with http_client(running.url) as over_http:
                result = await upload(over_http, emu, str(file))
    assert result.status == "SUCCEEDED" and summary(result) == (10_000, 0, 0)
    assert [u["md5"] for u in uploads] == [hashlib.md5(file.read_bytes()).hexdigest()]
    stats = emu.client().get_domain(domain_name="shop").stats
    assert stats is not None and (stats.profile_count, stats.object_count) == (10_000, 10_000)


async def test_bad_rows_give_partially_succeeded(client: AsyncCustomerProfilesClient, emu: Emulator,
                                                 tmp_path: Path) -> None:
    result = await upload(client, emu, write_csv(tmp_path / "mixed.csv", 200, bad=9, repeat=4))
    assert result.status == "PARTIALLY_SUCCEEDED" and summary(result) == (200, 4, 9)


async def test_the_sse_c_headers_are_sent(client: AsyncCustomerProfilesClient, emu: Emulator, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    uploads = record_uploads(emu, monkeypatch)
    result = await upload(client, emu, write_csv(tmp_path / "people.csv", 5))
    key = job_key(emu, str(result.job_id))
    headers = uploads[0]["headers"]
    assert (headers[SSE[0]], headers[SSE[1]]) == ("AES256", key)
    assert headers[SSE[2]] == base64.b64encode(hashlib.md5(base64.b64decode(key)).digest()).decode()


async def test_a_coroutine_sleep_works(emu: Emulator, tmp_path: Path) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        emu.advance(seconds)

    async with emu.async_client() as attached:
        result = await upload(attached, emu, write_csv(tmp_path / "people.csv", 5), sleep=sleep)
    assert result.status == "SUCCEEDED" and slept


async def test_the_put_runs_in_a_thread_over_http_only(emu: Emulator, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[str] = []
    real = asyncio.to_thread

    async def to_thread(function: Any, /, *args: Any, **kwargs: Any) -> Any:
        if isinstance(function, Send):  # aiobotocore may use threads too: only the PUT counts
            threads.append(repr(function))
        return await real(function, *args, **kwargs)

    monkeypatch.setattr(asyncio, "to_thread", to_thread)
    file = write_csv(tmp_path / "people.csv", 5)
    async with emu.async_client() as attached:
        await upload(attached, emu, file)
    assert threads == []  # in process: a function call, no thread
    with emu.serve() as running:
        async with http_client(running.url) as over_http:
            await upload(over_http, emu, file)
    assert threads == ["Send(url=<redacted>, headers=<redacted>)"]


async def test_the_event_loop_runs_while_the_file_is_sent(emu: Emulator, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # The emulator holds the PUT until a task of the client's event loop has run: were the PUT
    # made on the loop's thread, that task could not run, and the wait would end at its guard.
    ticked = threading.Event()
    held: list[bool] = []
    record_uploads(emu, monkeypatch, before=lambda: held.append(ticked.wait(30)))

    async def ticker() -> None:
        while not ticked.is_set():
            await asyncio.sleep(0.01)
            if emu.backend.calls.get("GetUploadJobPath"):
                ticked.set()

    with emu.serve() as running:
        async with http_client(running.url) as over_http:
            tick = asyncio.create_task(ticker())
            result = await upload(over_http, emu, write_csv(tmp_path / "people.csv", 5))
            tick.cancel()
    assert held == [True] and result.status == "SUCCEEDED"


async def test_an_expired_url_raises_upload_error(client: AsyncCustomerProfilesClient, emu: Emulator,
                                                  tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    record_uploads(emu, monkeypatch, before=lambda: emu.advance(PATH_VALID_SECONDS + 1))
    with pytest.raises(UploadError) as caught:
        await upload(client, emu, write_csv(tmp_path / "people.csv", 5))
    assert (caught.value.status, caught.value.code) == (403, "AccessDenied")
    assert caught.value.job_id is not None
    assert_secret_free(error_texts(caught.value), emu)
    job = await client.get_upload_job(domain_name="shop", job_id=caught.value.job_id)
    assert job.status == "CREATED"


async def test_a_failed_job_raises_waiter_failed(client: AsyncCustomerProfilesClient, emu: Emulator,
                                                 tmp_path: Path) -> None:
    with pytest.raises(WaiterFailedError) as caught:
        await upload(client, emu, write_csv(tmp_path / "bad.csv", 0, bad=3))
    assert caught.value.status == "FAILED"
    assert any(str(last_response(caught.value).job_id) in note for note in caught.value.__notes__)


async def test_bad_arguments_send_nothing(emu: Emulator, tmp_path: Path) -> None:
    async with emu.async_client() as attached:
        with pytest.raises(ParamValidationError) as caught:
            await upload(attached, emu, tmp_path, delay=0)
        assert {p.path for p in caught.value.problems} == {"path", "delay"}
        with pytest.raises(ParamValidationError) as caught:
            await upload(attached, emu, write_csv(tmp_path / "p.csv", 2), sleep=42)
        assert [p.path for p in caught.value.problems] == ["sleep"]
    assert sent_nothing(emu)


async def test_the_key_is_in_no_log_record(emu: Emulator, tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    caplog.set_level(logging.DEBUG)
    file = write_csv(tmp_path / "people.csv", 10)
    texts: list[str] = []
    # fast_parse=False: botocore parses (and logs) every body but GetUploadJobPath's.
    with emu.serve() as running:
        async with http_client(running.url, fast_parse=False) as over_http:
            texts.append(repr(await upload(over_http, emu, file)))
            record_uploads(emu, monkeypatch, before=lambda: emu.advance(PATH_VALID_SECONDS + 1))
            with pytest.raises(UploadError) as caught:
                await upload(over_http, emu, file)
            texts.append(error_texts(caught.value))
    records = [record.getMessage() for record in caplog.records
               if record.name.split(".")[0] in ("botocore", "aiobotocore", "urllib3", "customer_profiles_sdk")]
    assert any("Response body" in record for record in records)
    assert_secret_free("\n".join(texts + records), emu)
