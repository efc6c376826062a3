"""CustomerProfilesClient.upload_csv: the whole upload-job sequence against the emulator, in
process and over HTTP; the SSE-C headers; streaming with flat memory; refusals as UploadError;
validation before anything is sent; the ClientToken in no log, repr or error text. Also the
fixes in customer_profiles_sdk._upload.put_upload (short reads, unknown lengths, files that change)."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import logging
import os
import pickle
import re
import subprocess
import sys
import threading
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, cast

import pytest

from customer_profiles_sdk import (
    BadRequestError,
    CustomerProfilesClient,
    CustomerProfilesError,
    ParamValidationError,
    UploadError,
    WaiterFailedError,
    WaiterTimeoutError,
    _upload,
)
from customer_profiles_sdk._upload import put_upload, sse_c_headers
from customer_profiles_sdk.local import Emulator
from customer_profiles_sdk.local._areas.upload_jobs import PATH_VALID_SECONDS, object_type_name
from customer_profiles_sdk.uploads import Send, UploadCsv

from .localserver import shipped_session

FIELDS: dict[str, Any] = {
    "CustomerId": {"Source": "_source.CustomerId", "Target": "_profile.AccountNumber"},
    "FirstName": {"Source": "_source.FirstName", "Target": "_profile.FirstName"},
    "Email": {"Source": "_source.Email", "Target": "_profile.EmailAddress"},
}
HEADER = ["CustomerId", "FirstName", "Email"]
CANARY = "canary-7d1e2"  # a personal value in a row: never in a log or an error
SSE = ("x-amz-server-side-encryption-customer-algorithm", "x-amz-server-side-encryption-customer-key",
       "x-amz-server-side-encryption-customer-key-md5")


# -- helpers ------------------------------------------------------------------------------------
def write_csv(path: Path, rows: int, *, bad: int = 0, repeat: int = 0) -> Path:
    """``rows`` good rows (distinct CustomerIds), then ``repeat`` rows that update earlier ones,
    then ``bad`` rows with too few values (each fails on its own)."""
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        for number in range(rows):
            writer.writerow([f"c{number}", CANARY if number == 0 else f"Name{number}", f"u{number}@example.com"])
        for number in range(repeat):
            writer.writerow([f"c{number}", f"Renamed{number}", ""])
        for number in range(bad):
            writer.writerow([f"bad{number}"])
    return path


def http_client(url: str, **kwargs: Any) -> CustomerProfilesClient:
    session = shipped_session(aws_access_key_id="a", aws_secret_access_key="b", region_name="us-east-1")
    return CustomerProfilesClient(session=session, endpoint_url=url, **kwargs)


def last_response(error: Exception) -> Any:
    """A waiter error's last response model (botocore types it as a dict)."""
    return getattr(error, "last_response", None)


def summary(result: Any) -> tuple[int, int, int]:
    counts = result.results_summary
    return counts.created_records, counts.updated_records, counts.failed_records


def job_key(emu: Emulator, job_id: str) -> str:
    """The job's SSE-C key as its ClientToken gives it (read from the emulator's state)."""
    for domain in emu.backend._domains.values():
        state = domain.areas.get("upload_jobs")
        if state is not None and job_id in state.jobs:
            return base64.b64encode(state.jobs[job_id].key).decode()
    raise AssertionError("no such job")


def change_paths(emu: Emulator, monkeypatch: pytest.MonkeyPatch, change: Callable[[dict[str, Any]], dict[str, Any]]
                 ) -> None:
    """Make the emulator's GetUploadJobPath answer ``change(answer)`` instead of its answer."""
    original = emu.backend._handlers["GetUploadJobPath"]
    monkeypatch.setitem(emu.backend._handlers, "GetUploadJobPath", lambda params: change(original(params)))


def record_uploads(emu: Emulator, monkeypatch: pytest.MonkeyPatch,
                   before: Callable[[], None] | None = None) -> list[dict[str, Any]]:
    """Capture every upload the emulator answers (in process or over HTTP): its headers, its
    size and its answer's status. ``before`` runs first (to move the clock, say)."""
    seen: list[dict[str, Any]] = []
    original = emu.handle_upload

    def handle(method: str, url: str, headers: Any, body: bytes) -> tuple[int, dict[str, str], bytes]:
        if before is not None:
            before()
        answer = original(method, url, headers, body)
        seen.append({"headers": {name.lower(): value for name, value in headers.items()}, "size": len(body),
                     "md5": hashlib.md5(body).hexdigest(), "status": answer[0], "job": url.split("/")[-2]})
        return answer

    monkeypatch.setattr(emu, "handle_upload", handle)
    return seen


@pytest.fixture
def emu() -> Emulator:
    emulator = Emulator()
    emulator.backend.call("CreateDomain", {"DomainName": "shop", "DefaultExpirationDays": 365})
    return emulator


@pytest.fixture(params=["in_process", "http"])
def client(request: pytest.FixtureRequest, emu: Emulator) -> Iterator[CustomerProfilesClient]:
    """The SDK client, answered by ``emu`` in process, or over HTTP by ``emu.serve()``."""
    if request.param == "in_process":
        yield emu.client()
        return
    with emu.serve() as running:
        yield http_client(running.url)


def upload(client: CustomerProfilesClient, emu: Emulator, path: Any, **options: Any) -> Any:
    options = {"sleep": emu.advance, "delay": 1.0, **options}
    return client.upload_csv(domain_name="shop", path=path, fields=FIELDS, unique_key="CustomerId",
                             display_name="people.csv", **options)


# -- end to end ---------------------------------------------------------------------------------
@pytest.mark.parametrize("where", ["in_process", pytest.param("http", marks=pytest.mark.slow)])
def test_10000_rows_end_to_end(where: str, emu: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    file = write_csv(tmp_path / "people.csv", 10_000)
    uploads = record_uploads(emu, monkeypatch)
    if where == "in_process":
        result = upload(emu.client(), emu, file)
    else:
        with emu.serve() as running:
            result = upload(http_client(running.url), emu, str(file))
    assert result.status == "SUCCEEDED"
    assert summary(result) == (10_000, 0, 0)
    assert result.completed_at is not None and result.job_id is not None
    # The file arrived whole, and every row is a profile with its object.
    digest = hashlib.md5(file.read_bytes()).hexdigest()
    assert [(u["size"], u["md5"]) for u in uploads] == [(file.stat().st_size, digest)]
    reader = emu.client()
    stats = reader.get_domain(domain_name="shop").stats
    assert stats is not None and (stats.profile_count, stats.object_count) == (10_000, 10_000)
    for number in (0, 4_321, 9_999):
        found = reader.search_profiles(domain_name="shop", key_name="CustomerId", values=[f"c{number}"]).items or []
        assert [profile.account_number for profile in found] == [f"c{number}"]
    assert reader.get_upload_job(domain_name="shop", job_id=result.job_id).status == "SUCCEEDED"


def test_small_file_both_ways_with_updates(client: CustomerProfilesClient, emu: Emulator, tmp_path: Path) -> None:
    file = write_csv(tmp_path / "people.csv", 50, repeat=7)
    result = upload(client, emu, file, data_expiry=30)
    assert result.status == "SUCCEEDED" and summary(result) == (50, 7, 0)
    object_type = client.get_profile_object_type(domain_name="shop", object_type_name=object_type_name(result.job_id))
    assert object_type.expiration_days == 30
    found = client.search_profiles(domain_name="shop", key_name="CustomerId", values=["c3"]).items or []
    assert [p.first_name for p in found] == ["Renamed3"]


def test_bad_rows_give_partially_succeeded(client: CustomerProfilesClient, emu: Emulator, tmp_path: Path) -> None:
    file = write_csv(tmp_path / "mixed.csv", 300, bad=17)
    result = upload(client, emu, file)
    assert result.status == "PARTIALLY_SUCCEEDED"
    assert summary(result) == (300, 0, 17)
    stats = client.get_domain(domain_name="shop").stats
    assert stats is not None and stats.profile_count == 300


def test_a_job_that_fails_raises_waiter_failed_with_the_job_named(
        client: CustomerProfilesClient, emu: Emulator, tmp_path: Path) -> None:
    file = write_csv(tmp_path / "all-bad.csv", 0, bad=5)
    with pytest.raises(WaiterFailedError) as caught:
        upload(client, emu, file)
    assert caught.value.status == "FAILED"
    job_id = last_response(caught.value).job_id
    assert summary(last_response(caught.value)) == (0, 0, 5)
    assert any(job_id in note and "get_upload_job" in note for note in caught.value.__notes__)


def test_a_wait_past_the_timeout_leaves_the_job_running(emu: Emulator, tmp_path: Path) -> None:
    client = emu.client()
    file = write_csv(tmp_path / "people.csv", 100)
    with pytest.raises(WaiterTimeoutError) as caught:
        client.upload_csv(domain_name="shop", path=file, fields=FIELDS, unique_key="CustomerId",
                          display_name="people.csv", delay=0.5, max_delay=0.5, timeout=1.0, sleep=lambda s: None)
    job_id = last_response(caught.value).job_id
    assert any(job_id in note for note in caught.value.__notes__)
    assert client.get_upload_job(domain_name="shop", job_id=job_id).status == "IN_PROGRESS"
    client.stop_upload_job(domain_name="shop", job_id=job_id)  # what the note suggests works
    assert client.get_upload_job(domain_name="shop", job_id=job_id).status == "STOPPED"


def test_wait_options_reach_the_waiter(emu: Emulator, tmp_path: Path) -> None:
    file = write_csv(tmp_path / "people.csv", 20)
    seen: list[Any] = []
    pauses: list[float] = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        emu.advance(seconds)

    result = emu.client().upload_csv(domain_name="shop", path=file, fields=FIELDS, unique_key="CustomerId",
                                     display_name="people.csv", delay=0.25, max_delay=0.5, timeout=600,
                                     progress=seen.append, sleep=sleep)
    assert result.status == "SUCCEEDED"
    assert pauses and all(0.125 <= pause <= 0.5 for pause in pauses)
    assert [p.waiter for p in seen] == ["upload_job"] * len(seen)
    assert seen[-1].status == "SUCCEEDED" and seen[-1].next_delay is None


def test_the_sse_c_headers_are_sent_with_the_jobs_key(client: CustomerProfilesClient, emu: Emulator,
                                                       tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    uploads = record_uploads(emu, monkeypatch)
    result = upload(client, emu, write_csv(tmp_path / "people.csv", 10))
    [sent] = uploads
    headers = sent["headers"]
    key = job_key(emu, result.job_id)
    assert headers[SSE[0]] == "AES256"
    assert headers[SSE[1]] == key
    assert headers[SSE[2]] == base64.b64encode(hashlib.md5(base64.b64decode(key)).digest()).decode()
    assert sent["status"] == 200 and sent["job"] == result.job_id


# -- refusals -----------------------------------------------------------------------------------
def assert_secret_free(text: str, emu: Emulator) -> None:
    """No key of any job, no upload URL secret, no row value in ``text``."""
    for domain in emu.backend._domains.values():
        state = domain.areas.get("upload_jobs")
        for job in (state.jobs.values() if state is not None else ()):
            assert base64.b64encode(job.key).decode() not in text
            for secret in job.paths:
                assert secret not in text
    assert "__uploads" not in text and CANARY not in text


def error_texts(error: BaseException) -> str:
    return "\n".join([str(error), repr(error), *getattr(error, "__notes__", []), str(error.args)])


def test_an_expired_url_raises_upload_error_and_leaves_the_job(
        client: CustomerProfilesClient, emu: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The upload starts after the URL expired (a slow network, say): S3 answers 403 AccessDenied.
    record_uploads(emu, monkeypatch, before=lambda: emu.advance(PATH_VALID_SECONDS + 1))
    with pytest.raises(UploadError) as caught:
        upload(client, emu, write_csv(tmp_path / "people.csv", 10))
    error = caught.value
    assert isinstance(error, CustomerProfilesError)
    assert (error.status, error.code) == (403, "AccessDenied")
    assert error.job_id is not None and error.job_id in str(error)
    assert "get_upload_job" in str(error) and "stop_upload_job" in str(error)
    assert_secret_free(error_texts(error), emu)
    # The job is left as it is: CREATED, never started; the caller can stop it.
    assert client.get_upload_job(domain_name="shop", job_id=error.job_id).status == "CREATED"
    assert emu.backend.calls.get("StartUploadJob", 0) == 0
    client.stop_upload_job(domain_name="shop", job_id=error.job_id)


def test_a_wrong_key_raises_upload_error_without_either_key(
        client: CustomerProfilesClient, emu: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = base64.b64encode(b"w" * 32).decode()
    change_paths(emu, monkeypatch, lambda answer: {**answer, "ClientToken": wrong})
    with pytest.raises(UploadError) as caught:
        upload(client, emu, write_csv(tmp_path / "people.csv", 10))
    assert (caught.value.status, caught.value.code) == (400, "InvalidArgument")
    text = error_texts(caught.value)
    assert wrong not in text
    assert_secret_free(text, emu)
    assert pickle.loads(pickle.dumps(caught.value)).__dict__ == caught.value.__dict__


@pytest.mark.parametrize("token", ["not base64 ~~", None])
def test_an_unusable_client_token_raises_upload_error(token: str | None, emu: Emulator, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    change_paths(emu, monkeypatch, lambda answer: {**answer, "ClientToken": token})
    uploads = record_uploads(emu, monkeypatch)
    with pytest.raises(UploadError) as caught:
        upload(emu.client(), emu, write_csv(tmp_path / "people.csv", 3))
    assert caught.value.status is None and caught.value.job_id is not None
    assert "ClientToken" in str(caught.value) and (token is None or token not in str(caught.value))
    assert uploads == []  # nothing was sent


def test_no_answer_over_http_raises_upload_error_without_the_url(emu: Emulator, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    change_paths(emu, monkeypatch, lambda answer: {
        **answer, "Url": re.sub(r"^https?://[^/]+", f"http://127.0.0.1:{closed}", answer["Url"])})
    with pytest.raises(UploadError) as caught:
        upload(emu.client(), emu, write_csv(tmp_path / "people.csv", 3))
    assert caught.value.status is None and caught.value.code is None
    assert "ConnectionRefusedError" in str(caught.value)
    assert_secret_free(error_texts(caught.value), emu)


@pytest.mark.parametrize("body, code", [
    (b"", None),
    (b"<html>Bad gateway</html>", None),
    (b"<Error><Code>SlowDown</Code><Message>" + CANARY.encode() + b"</Message></Error>", "SlowDown"),
    (b"<Error><Code>" + b"X" * 500 + b"</Code></Error>", None),  # not a code: never quoted
    (b"<Error><Code>Bad\ncode</Code></Error>", None),
])
def test_a_refusal_keeps_only_status_and_s3_code(body: bytes, code: str | None, emu: Emulator, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(emu, "handle_upload", lambda *args: (503, {"Content-Type": "application/xml"}, body))
    with pytest.raises(UploadError) as caught:
        upload(emu.client(), emu, write_csv(tmp_path / "people.csv", 3))
    assert (caught.value.status, caught.value.code) == (503, code)
    assert CANARY not in error_texts(caught.value) and "X" * 65 not in str(caught.value)


def test_an_error_after_the_job_exists_names_it(emu: Emulator, tmp_path: Path) -> None:
    client = emu.client()
    emu.fail("StartUploadJob", code="BadRequestException", status=400)
    with pytest.raises(BadRequestError) as caught:
        upload(client, emu, write_csv(tmp_path / "people.csv", 3))
    [job] = client.list_upload_jobs(domain_name="shop").items or []
    assert any(str(job.job_id) in note for note in caught.value.__notes__)
    assert job.status == "CREATED"  # uploaded, never started: start_upload_job may be called again
    client.start_upload_job(domain_name="shop", job_id=str(job.job_id))
    emu.advance(60)
    done = client.get_upload_job(domain_name="shop", job_id=str(job.job_id))
    assert done.status == "SUCCEEDED" and summary(done) == (3, 0, 0)


# -- validation before anything is sent ---------------------------------------------------------
def sent_nothing(emu: Emulator) -> bool:
    return not any(name != "CreateDomain" for name in emu.backend.calls)


@pytest.mark.parametrize("kind", ["missing", "directory", "fifo", "int", "none", "nul", "parent-is-file"])
def test_a_bad_path_is_refused_before_anything_is_sent(kind: str, emu: Emulator, tmp_path: Path) -> None:
    secret_dir = tmp_path / CANARY
    secret_dir.mkdir()
    path: Any = {"missing": secret_dir / "nope.csv", "directory": secret_dir, "int": 0, "none": None,
                 "nul": f"{secret_dir}/a\0b.csv", "parent-is-file": secret_dir / "f.csv" / "x.csv",
                 "fifo": secret_dir / "pipe.csv"}[kind]
    if kind == "fifo":
        if not hasattr(os, "mkfifo"):
            pytest.skip("no FIFOs here")
        os.mkfifo(path)  # opening it to read would block for ever: it is never opened
    if kind == "parent-is-file":
        (secret_dir / "f.csv").write_text("x")
    client = emu.client()
    result: list[BaseException] = []
    worker = threading.Thread(target=lambda: result.append(_raises(lambda: upload(client, emu, path))), daemon=True)
    worker.start()
    worker.join(60)  # a hang guard: nothing here may block
    assert not worker.is_alive(), "upload_csv hung on the path"
    [error] = result
    assert isinstance(error, ParamValidationError) and error.shape == "upload_csv"
    assert [problem.path for problem in error.problems] == ["path"]
    assert CANARY not in str(error) and str(tmp_path) not in str(error)
    assert sent_nothing(emu)


def _raises(function: Callable[[], object]) -> BaseException:
    try:
        function()
    except BaseException as error:
        return error
    raise AssertionError("did not raise")


def test_every_bad_option_is_named_at_once_and_nothing_is_sent(emu: Emulator, tmp_path: Path) -> None:
    client = emu.client()
    with pytest.raises(ParamValidationError) as caught:
        client.upload_csv(domain_name="shop", path=tmp_path / "nope.csv", fields=FIELDS, unique_key="CustomerId",
                          display_name="x", delay=-1, timeout=float("nan"), progress=42,  # type: ignore[arg-type]
                          sleep="soon")  # type: ignore[arg-type]
    assert {problem.path for problem in caught.value.problems} == {"path", "delay", "timeout", "progress", "sleep"}
    assert sent_nothing(emu)


def test_a_coroutine_sleep_on_the_sync_client_is_refused_first(emu: Emulator, tmp_path: Path) -> None:
    async def sleep(seconds: float) -> None:
        emu.advance(seconds)

    with pytest.raises(ParamValidationError) as caught:
        upload(emu.client(), emu, write_csv(tmp_path / "people.csv", 2), sleep=sleep)
    assert [problem.path for problem in caught.value.problems] == ["sleep"]
    assert sent_nothing(emu)


def test_bad_fields_are_refused_by_create_upload_job_before_it_sends(emu: Emulator, tmp_path: Path) -> None:
    client = emu.client()
    with pytest.raises(ParamValidationError) as caught:
        client.upload_csv(domain_name="shop", path=write_csv(tmp_path / "p.csv", 2),
                          fields={"bad key!": {"Source": CANARY, "Target": "_profile.FirstName"}},
                          unique_key="", display_name="people.csv", data_expiry=5000)
    assert caught.value.shape == "CreateUploadJobRequest"
    assert CANARY not in str(caught.value)
    assert sent_nothing(emu)


def test_a_file_that_cannot_be_read_is_refused(emu: Emulator, tmp_path: Path) -> None:
    if os.name != "posix" or os.geteuid() == 0:
        pytest.skip("needs POSIX permissions, as a user they bind")
    file = write_csv(tmp_path / "people.csv", 2)
    file.chmod(0)
    with pytest.raises(ParamValidationError) as caught:
        upload(emu.client(), emu, file)
    assert "PermissionError" in str(caught.value) and sent_nothing(emu)


# -- the key stays secret -----------------------------------------------------------------------
def test_the_key_and_url_are_in_no_log_record_or_repr(emu: Emulator, tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    caplog.set_level(logging.DEBUG)
    file = write_csv(tmp_path / "people.csv", 20)
    texts: list[str] = []
    captured_steps: list[str] = []
    original_send = Send.__call__

    def spy(self: Send, client: Any) -> Any:
        captured_steps.append(repr(self))
        return original_send(self, client)

    monkeypatch.setattr(Send, "__call__", spy)
    # In process and over HTTP, with either parser (with fast_parse=False botocore parses, and
    # logs, every body but GetUploadJobPath's), a success and a refusal each.
    with emu.serve() as running:
        clients = [emu.client(), emu.client(fast_parse=False), http_client(running.url),
                   http_client(running.url, fast_parse=False)]
        results = [upload(client, emu, file) for client in clients]
        record_uploads(emu, monkeypatch, before=lambda: emu.advance(PATH_VALID_SECONDS + 1))
        for client in clients:
            with pytest.raises(UploadError) as caught:
                upload(client, emu, file)
            texts.append(error_texts(caught.value))
        # get_upload_job_path called directly keeps the key out of botocore's log as well.
        job = clients[1].create_upload_job(domain_name="shop", display_name="p", fields=FIELDS, unique_key="CustomerId")
        assert clients[1].get_upload_job_path(domain_name="shop", job_id=job.job_id).client_token
    texts += [repr(result) for result in results] + captured_steps
    texts.append(repr(UploadCsv(domain_name="shop", path=file, fields=FIELDS, unique_key="CustomerId",
                                display_name="people.csv")))
    records = [record for record in caplog.records
               if record.name.split(".")[0] in ("botocore", "urllib3", "customer_profiles_sdk", "boto3")]
    assert any(record.name == "customer_profiles_sdk.uploads" for record in records)
    assert any(record.name.startswith("botocore") for record in records)
    texts += [record.getMessage() for record in records]
    assert any("Response body" in record.getMessage() for record in records)  # botocore logged bodies
    assert captured_steps == ["Send(url=<redacted>, headers=<redacted>)"] * 8
    assert_secret_free("\n".join(texts), emu)


# -- streaming: put_upload ----------------------------------------------------------------------
class Trickle(io.RawIOBase):
    """A non-seekable binary stream that gives at most ``step`` bytes per read (as a pipe does)."""

    def __init__(self, data: bytes | None = None, *, size: int = 0, step: int = 1000) -> None:
        self._data = data
        self._size = len(data) if data is not None else size
        self._position = 0
        self._step = step

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = min(len(buffer), self._step, self._size - self._position)
        if self._data is not None:
            buffer[:count] = self._data[self._position:self._position + count]
        else:
            buffer[:count] = b"x" * count
        self._position += count
        return count


def new_path(client: Any) -> tuple[str, str, dict[str, str]]:
    job = client.create_upload_job(DomainName="shop", DisplayName="p", Fields=FIELDS, UniqueKey="CustomerId")["JobId"]
    path = client.get_upload_job_path(DomainName="shop", JobId=job)
    return job, path["Url"], sse_c_headers(path["ClientToken"])


def test_a_stream_with_short_reads_arrives_whole_in_process(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"CustomerId,FirstName,Email\n" + b"".join(b"c%d,N%d,\n" % (i, i) for i in range(2000))
    uploads = record_uploads(emu, monkeypatch)
    client = emu.boto3_client()
    _, url, headers = new_path(client)
    assert put_upload(client, url, cast(IO[bytes], Trickle(data, step=777)), headers)[0] == 200
    assert uploads[0]["size"] == len(data)  # the old put_upload read once: 777 bytes


def test_a_stream_of_unknown_length_is_sent_whole_over_http(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"CustomerId,FirstName,Email\n" + b"".join(b"c%d,N%d,\n" % (i, i) for i in range(50_000))
    uploads = record_uploads(emu, monkeypatch)
    with emu.serve() as running:
        http = shipped_session(aws_access_key_id="a", aws_secret_access_key="b",
                                     region_name="us-east-1").client("customer-profiles", endpoint_url=running.url)
        _, url, headers = new_path(http)
        status, answer, _ = put_upload(http, url, cast(IO[bytes], Trickle(data, step=4096)), headers)
    assert status == 200 and answer["ETag"] == f'"{hashlib.md5(data).hexdigest()}"'
    assert uploads[0]["size"] == len(data)


def test_a_text_stream_is_refused(emu: Emulator) -> None:
    client = emu.boto3_client()
    _, url, headers = new_path(client)
    with pytest.raises(TypeError):
        put_upload(client, url, io.StringIO("CustomerId\nc1\n"), headers)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        put_upload(client, url, "CustomerId\nc1\n", headers)  # type: ignore[arg-type]


class Shrinking(io.BytesIO):
    """A seekable file whose end comes early once it is read (a file truncated while it is sent)."""

    def read(self, size: int | None = -1) -> bytes:
        return b"" if self.tell() >= 1000 else super().read(min(size or 1000, 1000 - self.tell()))


def test_a_file_that_shrinks_while_sent_raises_upload_error(emu: Emulator) -> None:
    with emu.serve() as running:
        http = shipped_session(aws_access_key_id="a", aws_secret_access_key="b",
                                     region_name="us-east-1").client("customer-profiles", endpoint_url=running.url)
        _, url, headers = new_path(http)
        with pytest.raises(UploadError) as caught:
            put_upload(http, url, Shrinking(b"x" * 5000), headers)
        assert "changed while it was uploaded" in str(caught.value)
        # A stream that grows is cut at the length it had: the request stays well framed.
        grown = io.BytesIO(b"CustomerId,FirstName,Email\nc1,A,\n")
        assert put_upload(http, url, grown, headers)[0] == 200


def test_a_stream_larger_than_a_put_takes_is_refused(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_upload, "MAX_PUT_BYTES", 100_000)
    with emu.serve() as running:
        http = shipped_session(aws_access_key_id="a", aws_secret_access_key="b",
                                     region_name="us-east-1").client("customer-profiles", endpoint_url=running.url)
        _, url, headers = new_path(http)
        with pytest.raises(UploadError, match="larger than"):
            # Reading stops past the limit: the gigabyte is never read, nor spooled.
            put_upload(http, url, cast(IO[bytes], Trickle(size=10**9, step=65536)), headers)


# -- flat memory, with the emulator in another process ---------------------------------------------
SERVER = """
import sys
from customer_profiles_sdk.local import Emulator

emulator = Emulator()
emulator.backend.call("CreateDomain", {"DomainName": "shop", "DefaultExpirationDays": 365})
with emulator.serve() as running:
    print(running.url, flush=True)
    sys.stdin.read()  # until the test closes the pipe
"""


@pytest.fixture
def remote() -> Iterator[str]:
    """The URL of an emulator served by a child process: its memory is not this process's."""
    child = subprocess.Popen([sys.executable, "-c", SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        url = child.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        yield url
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(60)


MB = 1024 * 1024


def big_csv(path: Path, size: int) -> Path:
    """A CSV of about ``size`` bytes in rows of about 100 kB (few rows: the emulator ingests fast)."""
    pad = "p" * 100_000
    with path.open("w", newline="") as file:
        file.write("CustomerId,FirstName,Email,Notes\n")
        number = 0
        while file.tell() < size:
            file.write(f"c{number},N{number},,{pad}\n")
            number += 1
    return path


@pytest.mark.slow  # the child's emulator runs on its wall clock: the job takes 5 real seconds
def test_upload_csv_memory_stays_flat_for_a_20_mb_file(remote: str, tmp_path: Path) -> None:
    client = http_client(remote)
    file = big_csv(tmp_path / "big.csv", 20 * MB)
    options: dict[str, Any] = {"domain_name": "shop", "fields": FIELDS, "unique_key": "CustomerId",
                               "display_name": "big.csv", "delay": 0.2, "max_delay": 0.5, "timeout": 120}
    # Warm up (models, botocore and urllib3 loaded) with every step but a run: a job whose file is
    # not CSV fails at once.
    warm = client.create_upload_job(domain_name="shop", display_name="warm", fields=FIELDS, unique_key="CustomerId")
    path = client.get_upload_job_path(domain_name="shop", job_id=warm.job_id)
    assert put_upload(client, path.url, b"\xff", sse_c_headers(str(path.client_token)))[0] == 200
    client.start_upload_job(domain_name="shop", job_id=warm.job_id)
    with pytest.raises(WaiterFailedError):
        client.wait_for_upload_job(domain_name="shop", job_id=warm.job_id)
    tracemalloc.start()
    try:
        result = client.upload_csv(path=file, **options)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.status == "SUCCEEDED" and summary(result)[0] >= 200
    assert peak < 4 * MB, f"peak {peak / MB:.1f} MiB for a {file.stat().st_size / MB:.0f} MiB file"


def test_put_upload_memory_stays_flat_for_a_file_and_a_stream(remote: str, tmp_path: Path) -> None:
    client: Any = shipped_session(aws_access_key_id="a", aws_secret_access_key="b",
                                        region_name="us-east-1").client("customer-profiles", endpoint_url=remote)
    file = big_csv(tmp_path / "big.csv", 20 * MB)
    size = file.stat().st_size
    digest = hashlib.md5(file.read_bytes()).hexdigest()
    peaks = []
    for kind in ("file", "stream"):
        _, url, headers = new_path(client)
        with file.open("rb") as opened:
            body: Any = opened if kind == "file" else io.BufferedReader(Trickle(file.read_bytes(), step=65536))
            tracemalloc.start()
            try:
                status, answer, _ = put_upload(client, url, body, headers)
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
        assert status == 200 and answer["ETag"] == f'"{digest}"'
        peaks.append(peak)
    # The stream's own copy of the data (made above, before tracing) is not counted.
    assert max(peaks) < 4 * MB, f"peaks {[round(p / MB, 1) for p in peaks]} MiB for {size / MB:.0f} MiB"


def test_upload_error_is_the_one_class_and_its_cause_names_are_bounded() -> None:
    from customer_profiles_sdk import errors

    assert _upload.UploadError is errors.UploadError is UploadError and "UploadError" in errors.__all__
    first, second = OSError("http://h/__uploads/x/secret"), ConnectionRefusedError("secret")
    first.__context__, second.__context__ = second, first  # a chain that loops
    assert _upload._kinds(first) == "OSError: ConnectionRefusedError"  # names only, and it ends
