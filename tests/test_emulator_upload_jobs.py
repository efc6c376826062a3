"""The emulator's upload jobs: the presigned path with SSE-C, the CSV run on the emulator clock,
and customer_profiles_sdk._upload.put_upload, in process and over 127.0.0.1."""

from __future__ import annotations

import base64
import hashlib
import logging
from typing import Any

import pytest
from botocore.exceptions import ClientError

from customer_profiles_sdk._upload import UploadError, put_upload, sse_c_headers
from customer_profiles_sdk.errors import CustomerProfilesError
from customer_profiles_sdk.local import Emulator
from customer_profiles_sdk.local._areas.upload_jobs import PATH_VALID_SECONDS, RUN_SECONDS, object_type_name

from .localserver import shipped_client

FIELDS: dict[str, Any] = {
    "CustomerId": {"Source": "_source.CustomerId", "Target": "_profile.AccountNumber"},
    "FirstName": {"Source": "_source.FirstName", "Target": "_profile.FirstName"},
    "Email": {"Source": "_source.Email", "Target": "_profile.EmailAddress"},
}
CANARY = "canary-5e0f1"
CSV = (b"CustomerId,FirstName,Email\n"
       b"c1,Ann,ann@example.com\n"
       b"c2,Bob,bob@example.com\n"
       b"c1,Anne,\n"
       b"c3," + CANARY.encode() + b",c3@example.com\n")


def plain(emu: Emulator) -> Any:
    client = emu.boto3_client()
    client.create_domain(DomainName="shop", DefaultExpirationDays=365)
    return client


def new_job(client: Any, **extra: Any) -> str:
    return str(client.create_upload_job(DomainName="shop", DisplayName="people.csv", Fields=FIELDS,
                                        UniqueKey="CustomerId", **extra)["JobId"])


def upload(client: Any, job_id: str, body: bytes = CSV, headers: dict[str, str] | None = None
           ) -> tuple[int, dict[str, str], bytes]:
    path = client.get_upload_job_path(DomainName="shop", JobId=job_id)
    sent = sse_c_headers(path["ClientToken"]) if headers is None else headers
    return put_upload(client, path["Url"], body, sent)


def code_of(answer: tuple[int, dict[str, str], bytes]) -> tuple[int, str]:
    status, headers, body = answer
    assert headers["Content-Type"] == "application/xml"
    text = body.decode()
    return status, text.split("<Code>")[1].split("</Code>")[0]


def test_scenario_sdk_client_upload_start_and_see_the_objects() -> None:
    emu = Emulator()
    client = emu.client()
    client.create_domain(domain_name="shop", default_expiration_days=365)
    job = client.create_upload_job(domain_name="shop", display_name="people.csv", unique_key="CustomerId",
                                   fields=FIELDS, data_expiry=30).job_id
    assert client.get_upload_job(domain_name="shop", job_id=job).status == "CREATED"
    path = client.get_upload_job_path(domain_name="shop", job_id=job)
    assert path.url.startswith("https://uploads.customer-profiles-emulator.invalid/__uploads/")
    assert path.client_token is not None and len(base64.b64decode(path.client_token)) == 32
    assert path.client_token not in repr(path) and path.url not in repr(path)
    status, headers, _ = put_upload(client, path.url, CSV, sse_c_headers(path.client_token))
    assert status == 200 and headers["ETag"] == f'"{hashlib.md5(CSV).hexdigest()}"'
    client.start_upload_job(domain_name="shop", job_id=job)
    running = client.get_upload_job(domain_name="shop", job_id=job)
    assert running.status == "IN_PROGRESS" and running.completed_at is None
    emu.advance(RUN_SECONDS / 2)  # half the rows are put
    half = client.get_upload_job(domain_name="shop", job_id=job).results_summary
    assert half is not None and (half.created_records, half.updated_records) == (2, 0)
    emu.advance(RUN_SECONDS)
    done = client.get_upload_job(domain_name="shop", job_id=job)
    assert done.status == "SUCCEEDED" and done.completed_at is not None
    assert done.results_summary is not None
    assert (done.results_summary.created_records, done.results_summary.updated_records,
            done.results_summary.failed_records) == (3, 1, 0)
    found = client.search_profiles(domain_name="shop", key_name="CustomerId", values=["c1"]).items or []
    assert len(found) == 1
    assert (found[0].first_name, found[0].account_number, found[0].email_address) == ("Anne", "c1", "ann@example.com")
    objects = client.list_profile_objects(domain_name="shop", object_type_name=object_type_name(job),
                                          profile_id=str(found[0].profile_id)).items or []
    assert len(objects) == 1  # the second row of c1 replaced the first: UniqueKey is the object's key
    object_type = client.get_profile_object_type(domain_name="shop", object_type_name=object_type_name(job))
    assert object_type.expiration_days == 30 and object_type.allow_profile_creation


def test_scenario_boto3_over_http_with_the_server() -> None:
    emu = Emulator()
    with emu.serve() as server:
        client: Any = shipped_client(f"http://127.0.0.1:{server.port}")
        client.create_domain(DomainName="shop", DefaultExpirationDays=365)
        job = new_job(client)
        path = client.get_upload_job_path(DomainName="shop", JobId=job)
        assert path["Url"].startswith(f"http://127.0.0.1:{server.port}/__uploads/{job}/")
        refused = put_upload(client, path["Url"], CSV, {})
        assert code_of(refused) == (400, "InvalidRequest")
        status, headers, _ = put_upload(client, path["Url"], CSV, sse_c_headers(path["ClientToken"]))
        assert status == 200
        assert headers["x-amz-server-side-encryption-customer-algorithm"] == "AES256"
        client.start_upload_job(DomainName="shop", JobId=job)
        emu.advance(RUN_SECONDS)
        result = client.get_upload_job(DomainName="shop", JobId=job)
        assert result["Status"] == "SUCCEEDED"
        assert result["ResultsSummary"] == {"CreatedRecords": 3, "UpdatedRecords": 1, "FailedRecords": 0}
        assert client.search_profiles(DomainName="shop", KeyName="CustomerId", Values=["c2"])["Items"][0][
            "FirstName"] == "Bob"
        listed = client.list_upload_jobs(DomainName="shop")["Items"]
        assert [item["JobId"] for item in listed] == [job]


def test_upload_from_a_file_object_over_http(tmp_path: Any) -> None:
    emu = Emulator()
    file = tmp_path / "people.csv"
    file.write_bytes(CSV)
    with emu.serve() as server:
        client: Any = shipped_client(f"http://127.0.0.1:{server.port}")
        client.create_domain(DomainName="shop", DefaultExpirationDays=365)
        job = new_job(client)
        path = client.get_upload_job_path(DomainName="shop", JobId=job)
        with file.open("rb") as stream:
            assert put_upload(client, path["Url"], stream, sse_c_headers(path["ClientToken"]))[0] == 200
        client.start_upload_job(DomainName="shop", JobId=job)
        emu.advance(RUN_SECONDS)
        assert client.get_upload_job(DomainName="shop", JobId=job)["ResultsSummary"]["CreatedRecords"] == 3


@pytest.mark.parametrize("case", ["none", "no-algorithm", "bad-algorithm", "no-key", "short-key", "not-base64",
                                  "no-md5", "wrong-md5", "other-key"])
def test_uploads_without_the_right_sse_c_headers_are_refused_as_s3_refuses(case: str) -> None:
    emu = Emulator()
    client = plain(emu)
    job = new_job(client)
    path = client.get_upload_job_path(DomainName="shop", JobId=job)
    good = sse_c_headers(path["ClientToken"])
    other = sse_c_headers(base64.b64encode(b"k" * 32).decode())
    headers = dict(good)
    algorithm, key, md5 = list(good)
    if case == "none":
        headers = {}
    elif case == "no-algorithm":
        del headers[algorithm]
    elif case == "bad-algorithm":
        headers[algorithm] = "aws:kms"
    elif case == "no-key":
        del headers[key]
    elif case == "short-key":
        headers[key] = base64.b64encode(b"short").decode()
    elif case == "not-base64":
        headers[key] = "%%%%"
    elif case == "no-md5":
        del headers[md5]
    elif case == "wrong-md5":
        headers[md5] = other[md5]
    else:
        headers = other
    answer = put_upload(client, path["Url"], CSV, headers)
    status, code = code_of(answer)
    assert status == 400
    assert code == ("InvalidRequest" if case == "none" else
                    "InvalidEncryptionAlgorithmError" if case == "bad-algorithm" else "InvalidArgument")
    assert path["ClientToken"] not in answer[2].decode()
    # Nothing was stored: a start finds no upload and the job fails.
    client.start_upload_job(DomainName="shop", JobId=job)
    failed = client.get_upload_job(DomainName="shop", JobId=job)
    assert (failed["Status"], failed["StatusReason"]) == ("FAILED", "VALIDATION_FAILURE")


def test_an_expired_or_forged_path_is_refused() -> None:
    emu = Emulator()
    client = plain(emu)
    job = new_job(client)
    path = client.get_upload_job_path(DomainName="shop", JobId=job)
    forged = path["Url"].rsplit("/", 1)[0] + "/forged"
    assert code_of(put_upload(client, forged, CSV, sse_c_headers(path["ClientToken"]))) == (403, "AccessDenied")
    emu.advance(PATH_VALID_SECONDS + 1)
    status, _, body = put_upload(client, path["Url"], CSV, sse_c_headers(path["ClientToken"]))
    assert status == 403 and b"<Code>AccessDenied</Code>" in body and b"Request has expired" in body
    # A new path is valid again.
    assert upload(client, job)[0] == 200


def test_a_job_started_without_an_upload_fails_and_state_errors() -> None:
    emu = Emulator()
    client = plain(emu)
    job = new_job(client)
    client.start_upload_job(DomainName="shop", JobId=job)
    result = client.get_upload_job(DomainName="shop", JobId=job)
    assert (result["Status"], result["StatusReason"]) == ("FAILED", "VALIDATION_FAILURE")
    assert result["CompletedAt"] is not None
    for call in (client.start_upload_job, client.stop_upload_job, client.get_upload_job_path):
        with pytest.raises(ClientError) as error:
            call(DomainName="shop", JobId=job)
        assert error.value.response["Error"]["Code"] == "BadRequestException"


def test_not_found_and_bad_requests() -> None:
    emu = Emulator()
    client = plain(emu)
    missing = "0" * 32
    for call in (client.get_upload_job, client.get_upload_job_path, client.start_upload_job,
                 client.stop_upload_job):
        with pytest.raises(ClientError) as error:
            call(DomainName="shop", JobId=missing)
        assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as error:
        client.get_upload_job(DomainName="nowhere", JobId=missing)
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as error:
        client.create_upload_job(DomainName="shop", DisplayName="x", Fields=FIELDS, UniqueKey="Nope")
    assert error.value.response["Error"]["Code"] == "BadRequestException"
    assert "UniqueKey" in error.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as error:
        client.create_upload_job(DomainName="shop", DisplayName="x", UniqueKey="Id",
                                 Fields={"Id": {"Source": "Id", "Target": "_profile.AccountNumber"}})
    assert error.value.response["Error"]["Code"] == "BadRequestException"
    with pytest.raises(ClientError) as error:
        client.create_upload_job(DomainName="shop", DisplayName="x", UniqueKey="Id", DataExpiry=2000,
                                 Fields={"Id": {"Source": "_source.Id", "Target": "_profile.AccountNumber"}})
    assert error.value.response["Error"]["Code"] == "BadRequestException"
    assert "DataExpiry" in error.value.response["Error"]["Message"]


def test_unique_key_may_name_the_column() -> None:
    emu = Emulator()
    client = plain(emu)
    job = client.create_upload_job(DomainName="shop", DisplayName="x", UniqueKey="cid",
                                   Fields={"Id": {"Source": "_source.cid",
                                                  "Target": "_profile.AccountNumber"}})["JobId"]
    assert upload(client, job, b"cid\nA\nB\nA\n")[0] == 200
    client.start_upload_job(DomainName="shop", JobId=job)
    emu.advance(RUN_SECONDS)
    assert client.get_upload_job(DomainName="shop", JobId=job)["ResultsSummary"] == {
        "CreatedRecords": 2, "UpdatedRecords": 1, "FailedRecords": 0}


def test_failed_rows_partial_and_failed_jobs() -> None:
    emu = Emulator()
    client = plain(emu)
    job = new_job(client)
    # A row without its key, a row with too few values, one good row.
    upload(client, job, b"CustomerId,FirstName,Email\n,NoKey,x@example.com\nc9,short\nc1,Ann,a@example.com\n")
    client.start_upload_job(DomainName="shop", JobId=job)
    emu.advance(RUN_SECONDS)
    result = client.get_upload_job(DomainName="shop", JobId=job)
    assert result["Status"] == "PARTIALLY_SUCCEEDED"
    assert result["ResultsSummary"] == {"CreatedRecords": 1, "UpdatedRecords": 0, "FailedRecords": 2}
    every = new_job(client)
    upload(client, every, b"CustomerId,FirstName\n,a\n,b\n")
    client.start_upload_job(DomainName="shop", JobId=every)
    emu.advance(RUN_SECONDS)
    result = client.get_upload_job(DomainName="shop", JobId=every)
    assert (result["Status"], result["StatusReason"]) == ("FAILED", "VALIDATION_FAILURE")
    for bad in (b"\xff\xfe not utf-8", b"", b'CustomerId,"unclosed\n'):
        broken = new_job(client)
        upload(client, broken, bad)
        client.start_upload_job(DomainName="shop", JobId=broken)
        assert client.get_upload_job(DomainName="shop", JobId=broken)["Status"] == "FAILED"


def test_a_later_job_updates_the_profiles_of_an_earlier_one() -> None:
    emu = Emulator()
    client = plain(emu)
    for name in ("Ann", "Annie"):
        job = new_job(client)
        upload(client, job, f"CustomerId,FirstName\nc1,{name}\n".encode())
        client.start_upload_job(DomainName="shop", JobId=job)
        emu.advance(RUN_SECONDS)
    summary = client.get_upload_job(DomainName="shop", JobId=job)["ResultsSummary"]
    assert summary == {"CreatedRecords": 0, "UpdatedRecords": 1, "FailedRecords": 0}
    found = client.search_profiles(DomainName="shop", KeyName="CustomerId", Values=["c1"])["Items"]
    assert [p["FirstName"] for p in found] == ["Annie"]


def test_stop_in_progress_keeps_only_the_rows_put_before() -> None:
    emu = Emulator()
    client = plain(emu)
    job = new_job(client)
    rows = b"".join(f"c{i},N{i},\n".encode() for i in range(10))
    upload(client, job, b"CustomerId,FirstName,Email\n" + rows)
    path = client.get_upload_job_path(DomainName="shop", JobId=job)
    client.start_upload_job(DomainName="shop", JobId=job)
    emu.advance(RUN_SECONDS * 0.3)
    client.stop_upload_job(DomainName="shop", JobId=job)
    stopped = client.get_upload_job(DomainName="shop", JobId=job)
    assert stopped["Status"] == "STOPPED" and stopped["CompletedAt"] is not None
    assert stopped["ResultsSummary"]["CreatedRecords"] == 3
    emu.advance(RUN_SECONDS * 2)
    assert client.get_upload_job(DomainName="shop", JobId=job)["Status"] == "STOPPED"
    assert client.search_profiles(DomainName="shop", KeyName="CustomerId", Values=["c9"])["Items"] == []
    # An upload after the start is refused, on a path issued before it.
    late = put_upload(client, path["Url"], CSV, sse_c_headers(path["ClientToken"]))
    assert code_of(late) == (403, "AccessDenied")


def test_objects_appear_for_any_operation_on_the_domain_without_polling_the_job() -> None:
    emu = Emulator()
    client = plain(emu)
    job = new_job(client)
    upload(client, job)
    client.start_upload_job(DomainName="shop", JobId=job)
    emu.advance(RUN_SECONDS)
    assert len(client.search_profiles(DomainName="shop", KeyName="CustomerId", Values=["c1", "c2", "c3"])["Items"]) == 3


def test_list_upload_jobs_pages() -> None:
    emu = Emulator()
    client = plain(emu)
    jobs = [new_job(client) for _ in range(5)]
    first = client.list_upload_jobs(DomainName="shop", MaxResults=2)
    seen = [item["JobId"] for item in first["Items"]]
    token = first.get("NextToken")
    while token:
        page = client.list_upload_jobs(DomainName="shop", MaxResults=2, NextToken=token)
        seen += [item["JobId"] for item in page["Items"]]
        token = page.get("NextToken")
    assert seen == jobs


def test_put_upload_needs_an_emulator_for_the_reserved_host() -> None:
    emu = Emulator()
    client = plain(emu)
    job = new_job(client)
    url = client.get_upload_job_path(DomainName="shop", JobId=job)["Url"]
    bare: Any = shipped_client()
    with pytest.raises(UploadError) as error:
        put_upload(bare, url, CSV, {})
    assert url not in str(error.value)
    with emu:  # installed process-wide: answers the bare client too
        assert code_of(put_upload(bare, url, CSV, {})) == (400, "InvalidRequest")


def test_the_key_and_rows_never_reach_the_log(caplog: pytest.LogCaptureFixture) -> None:
    emu = Emulator()
    caplog.set_level(logging.DEBUG)
    with emu.serve() as server:
        client: Any = shipped_client(f"http://127.0.0.1:{server.port}")
        client.create_domain(DomainName="shop", DefaultExpirationDays=365)
        job = new_job(client)
        path = client.get_upload_job_path(DomainName="shop", JobId=job)
        secret = path["Url"].rsplit("/", 1)[1]
        put_upload(client, path["Url"], CSV, {**sse_c_headers(path["ClientToken"]),
                                              "x-amz-server-side-encryption-customer-key-MD5": "AAAA"})
        put_upload(client, path["Url"], CSV, sse_c_headers(path["ClientToken"]))
        client.start_upload_job(DomainName="shop", JobId=job)
        emu.advance(RUN_SECONDS)
        client.get_upload_job(DomainName="shop", JobId=job)
    # botocore's own debug log shows a plain client's responses: only the emulator's and the
    # upload's (urllib3) loggers are ours.
    ours = [record.getMessage() for record in caplog.records
            if record.name.startswith(("customer_profiles_sdk", "urllib3"))]
    assert ours  # the server logged its requests
    text = "\n".join(ours)
    assert path["ClientToken"] not in text and secret not in text and CANARY not in text


def test_the_sdk_validates_before_anything_is_sent() -> None:
    emu = Emulator()
    client = emu.client()
    client.create_domain(domain_name="shop", default_expiration_days=365)
    with pytest.raises(CustomerProfilesError):
        client.create_upload_job(domain_name="shop", display_name="", unique_key="Id", fields=FIELDS)
    assert "CreateUploadJob" not in emu.backend.calls
