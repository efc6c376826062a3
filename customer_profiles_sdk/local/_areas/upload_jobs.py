"""Upload jobs: CSV uploads to a presigned path, ingested through field mappings.

Operations: CreateUploadJob, GetUploadJob, GetUploadJobPath, ListUploadJobs, StartUploadJob,
StopUploadJob.

How the emulator models a job:

* **The path.** GetUploadJobPath answers a URL that takes one ``PUT`` of the CSV file, valid
  :data:`PATH_VALID_SECONDS` on the emulator's clock. Each call issues a new URL (the earlier ones
  stay valid until they expire) and the job's one ``ClientToken``: the base64 text of a 32-byte
  AES-256 key, which the upload must carry as S3's SSE-C headers (:func:`sse_c_problem`). Over
  HTTP (``emu.serve()``) the URL points at that server (``http://127.0.0.1:<port>/__uploads/...``);
  in process it is on the reserved host :data:`UPLOAD_HOST`, which never resolves:
  ``customer_profiles_sdk._upload.put_upload`` hands such a PUT to the client's emulator. A
  refused upload is answered as S3 answers: an XML ``<Error>`` with S3's code.
* **The object type.** StartUploadJob puts the object type ``_upload_<JobId>``
  (:func:`object_type_name`): the job's ``Fields``, one key named after the UniqueKey field with
  the identifiers ``PROFILE`` and ``UNIQUE`` (rows with one value update one profile, and the
  same value in a later job or file finds that profile again), ``AllowProfileCreation`` and
  ``ExpirationDays`` = DataExpiry (14 days when not given). ``UniqueKey`` names one of the Fields,
  or the CSV column one of them reads (``_source.<column>``).
* **The run.** Each CSV row becomes the JSON object ``{column: value}`` (empty values left out)
  put with PutProfileObject's rules. A started job is ``IN_PROGRESS`` and its rows are put in
  order, evenly over :data:`RUN_SECONDS` of the emulator clock (row ``i`` of ``n`` once
  ``RUN_SECONDS * (i + 1) / n`` seconds have passed), whenever any operation reads the domain;
  ``ResultsSummary`` counts them as they go. Then the job is ``SUCCEEDED`` (no row failed),
  ``PARTIALLY_SUCCEEDED`` (some did) or ``FAILED`` with ``VALIDATION_FAILURE`` (every row failed),
  with ``CompletedAt`` the time the last row was due. A row fails when it has another number of
  values than the header, no value for the unique key, or PutProfileObject refuses it. A
  ``CreatedRecords`` row made a new profile, an ``UpdatedRecords`` one found an existing one.
* **Failures of the whole job.** A job started with no upload, or whose file is not UTF-8 CSV
  with a header row, is ``FAILED`` with ``VALIDATION_FAILURE`` at once (StartUploadJob answers 200).
  StopUploadJob stops a ``CREATED`` or ``IN_PROGRESS`` job: ``STOPPED``, the rows not yet put are
  never put. Starting a job that is not ``CREATED``, or stopping a finished one, is a 400.
"""

from __future__ import annotations

import base64
import binascii
import contextvars
import csv
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast
from xml.sax.saxutils import escape

from .._errors import EmulatorError, bad_request, not_found
from .._store import BackendBase, Domain, Params, _derive, _profile_path

#: The host of the upload URLs the emulator answers in process (``.invalid`` never resolves).
UPLOAD_HOST = "uploads.customer-profiles-emulator.invalid"
#: The path under which every upload URL lives: ``/__uploads/<JobId>/<secret>``.
UPLOAD_PREFIX = "/__uploads/"
#: How long an upload URL is valid, in seconds of the emulator's clock.
PATH_VALID_SECONDS = 3600
#: How long a started job takes to put all its rows, in seconds of the emulator's clock.
RUN_SECONDS = 5.0
#: The largest CSV file the emulator takes (S3 takes far larger ones; the emulator keeps it in memory).
MAX_UPLOAD_BYTES = 64 * 1024 * 1024
#: The longest Object (JSON text) PutProfileObject takes: a row whose object is longer fails.
MAX_OBJECT_CHARS = 256_000
#: The ExpirationDays of the job's object type when the job gives no DataExpiry.
DEFAULT_DATA_EXPIRY_DAYS = 14
_AREA = "upload_jobs"
_SSE_ALGORITHM = "x-amz-server-side-encryption-customer-algorithm"
_SSE_KEY = "x-amz-server-side-encryption-customer-key"
_SSE_KEY_MD5 = "x-amz-server-side-encryption-customer-key-md5"

#: The base URL of the upload paths, set by the HTTP server for the request it answers (None:
#: in process, the reserved host).
upload_base: contextvars.ContextVar[str | None] = contextvars.ContextVar("upload_base", default=None)


def object_type_name(job_id: str) -> str:
    """The name of the object type a job's rows are put into."""
    return f"_upload_{job_id}"


@dataclass
class _Row:
    """One data row of the file: its values by column, or why it cannot be put."""

    values: dict[str, str] | None = field(repr=False)
    problem: str | None = None


@dataclass
class UploadJob:
    job_id: str
    display_name: str = field(repr=False)
    fields: dict[str, Any] = field(repr=False)
    unique_key: str = field(repr=False)
    #: The field of ``fields`` whose value identifies a row's profile.
    key_field: str = field(repr=False)
    data_expiry: int | None
    created_at: datetime
    #: The SSE-C key of the uploads (32 bytes); never in a repr, a log or a message.
    key: bytes = field(repr=False)
    #: The secrets of the issued upload paths and until when each is valid.
    paths: dict[str, datetime] = field(default_factory=dict, repr=False)
    upload: bytes | None = field(default=None, repr=False)
    status: str = "CREATED"
    reason: str | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    #: The number of data rows of the started job's file.
    total: int = 0
    #: The rows not yet put, read from the file one at a time as they come due (a file is
    #: never held as parsed rows: those take many times the file's size).
    pending: Iterator[_Row] | None = field(default=None, repr=False)
    done: int = 0
    created: int = 0
    updated: int = 0
    failed: int = 0

    def wire(self, *, full: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"JobId": self.job_id, "DisplayName": self.display_name, "Status": self.status,
                               "StatusReason": self.reason, "CreatedAt": self.created_at,
                               "CompletedAt": self.completed_at, "DataExpiry": self.data_expiry}
        if full:
            out.update(Fields=self.fields, UniqueKey=self.unique_key,
                       ResultsSummary={"CreatedRecords": self.created, "UpdatedRecords": self.updated,
                                       "FailedRecords": self.failed})
        return out


@dataclass
class _State:
    jobs: dict[str, UploadJob] = field(default_factory=dict)


class UploadJobsArea(BackendBase):
    """Upload jobs: CSV uploads to a presigned path, ingested through field mappings."""

    _upload_catching_up = False

    def _upload_state(self, domain: Domain) -> _State:
        return cast(_State, self.area_state(domain, _AREA, _State))

    def _domain(self, name: str) -> Domain:
        """The domain, with the rows of its running upload jobs put up to now (see the module)."""
        domain = super()._domain(name)
        state = domain.areas.get(_AREA)
        if state is not None and not self._upload_catching_up:
            for job in [job for job in state.jobs.values() if job.status == "IN_PROGRESS"]:
                self._run_job(domain, name, job)
        return domain

    def _job(self, domain: Domain, job_id: str) -> UploadJob:
        job = self._upload_state(domain).jobs.get(job_id)
        if job is None:
            raise not_found("Upload job not found")
        return job

    # -- operations ----------------------------------------------------------------------------
    def op_CreateUploadJob(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        fields: dict[str, Any] = params["Fields"]
        if not fields:
            raise bad_request("Fields must map at least one column")
        for spec in fields.values():
            source = spec.get("Source")
            if source is not None and not source.startswith("_source."):
                raise bad_request("A field's Source must start with _source.")
            target = spec.get("Target") or ""
            if target.startswith("_profile.") and _profile_path(target) is None:
                raise bad_request("A field's Target names no standard profile field")
        key_field = _key_field(fields, params["UniqueKey"])
        job_id = self.new_id().hex
        job = UploadJob(job_id=job_id, display_name=params["DisplayName"], fields=fields,
                        unique_key=params["UniqueKey"], key_field=key_field, data_expiry=params.get("DataExpiry"),
                        created_at=self.now(), key=secrets.token_bytes(32))
        self._upload_state(domain).jobs[job_id] = job
        return {"JobId": job_id}

    def op_GetUploadJob(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        return self._job(domain, params["JobId"]).wire(full=True)

    def op_ListUploadJobs(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        items = [job.wire(full=False) for job in self._upload_state(domain).jobs.values()]
        page, token = self._page(items, params, 100, ["ListUploadJobs", params["DomainName"]])
        return {"Items": page, "NextToken": token}

    def op_GetUploadJobPath(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        job = self._job(domain, params["JobId"])
        if job.status != "CREATED":
            raise bad_request("An upload path is issued only for a job in status CREATED")
        secret = secrets.token_urlsafe(24)
        valid_until = self.now() + timedelta(seconds=PATH_VALID_SECONDS)
        job.paths[secret] = valid_until
        base = upload_base.get() or f"https://{UPLOAD_HOST}"
        return {"Url": f"{base}{UPLOAD_PREFIX}{job.job_id}/{secret}",
                "ClientToken": base64.b64encode(job.key).decode(), "ValidUntil": valid_until}

    def op_StartUploadJob(self, params: Params) -> dict[str, Any]:
        name = params["DomainName"]
        domain = self._domain(name)
        job = self._job(domain, params["JobId"])
        if job.status != "CREATED":
            raise bad_request("Only a job in status CREATED can be started")
        now = self.now()
        job.started_at = now
        read = _read_csv(job.upload) if job.upload is not None else None
        if read is None:
            job.status, job.reason, job.completed_at = "FAILED", "VALIDATION_FAILURE", now
            return {}
        put_type = {"DomainName": name, "ObjectTypeName": object_type_name(job.job_id),
                    "Description": "The rows of an upload job", "AllowProfileCreation": True,
                    "ExpirationDays": job.data_expiry or DEFAULT_DATA_EXPIRY_DAYS, "Fields": job.fields,
                    "Keys": {job.key_field: [{"StandardIdentifiers": ["PROFILE", "UNIQUE"],
                                              "FieldNames": [job.key_field]}]}}
        try:
            cast(Any, self).op_PutProfileObjectType(self._validated("PutProfileObjectType", put_type))
        except EmulatorError:
            job.status, job.reason, job.completed_at = "FAILED", "VALIDATION_FAILURE", now
            return {}
        job.total, job.pending, job.status = read[1], _data_rows(read[0]), "IN_PROGRESS"
        self._run_job(domain, name, job)
        return {}

    def op_StopUploadJob(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])  # puts the rows due before the stop
        job = self._job(domain, params["JobId"])
        if job.status not in ("CREATED", "IN_PROGRESS"):
            raise bad_request("Only a job in status CREATED or IN_PROGRESS can be stopped")
        job.status, job.completed_at, job.pending = "STOPPED", self.now(), None
        return {}

    # -- the run -------------------------------------------------------------------------------
    def _run_job(self, domain: Domain, domain_name: str, job: UploadJob) -> None:
        """Put the job's rows that are due by now; finish the job after its last one. Never
        re-entered: putting a row reads the domain (which catches running jobs up), and a
        nested run would put later rows before the row being put, out of order, and count a
        profile it then creates as created twice."""
        if self._upload_catching_up:
            return
        self._upload_catching_up = True
        try:
            self._run_due_rows(domain, domain_name, job)
        finally:
            self._upload_catching_up = False

    def _run_due_rows(self, domain: Domain, domain_name: str, job: UploadJob) -> None:
        assert job.started_at is not None
        total = job.total
        elapsed = (self.now() - job.started_at).total_seconds()
        due = total if elapsed >= RUN_SECONDS else max(0, int(total * elapsed / RUN_SECONDS))
        type_name = object_type_name(job.job_id)
        while job.done < due:
            row = next(job.pending, None) if job.pending is not None else None
            job.done += 1
            if row is None:  # the file no longer reads as it did when the job started
                job.failed += 1
                continue
            self._put_row(domain, domain_name, type_name, job, row)
        if job.done >= total:
            job.status = ("SUCCEEDED" if not job.failed else
                          "PARTIALLY_SUCCEEDED" if job.created + job.updated else "FAILED")
            job.reason = "VALIDATION_FAILURE" if job.status == "FAILED" else None
            job.completed_at = job.started_at + timedelta(seconds=RUN_SECONDS) if total else job.started_at
            job.pending = None

    def _put_row(self, domain: Domain, domain_name: str, type_name: str, job: UploadJob, row: _Row) -> None:
        object_type = domain.object_types.get(type_name)
        if row.values is None or row.problem is not None or object_type is None:
            job.failed += 1
            return
        key_values = _derive(object_type, row.values)[1]
        value = key_values.get(job.key_field)
        if value is None:
            job.failed += 1
            return
        found = domain.first(job.key_field, value) is not None
        single = {"DomainName": domain_name, "ObjectTypeName": type_name,
                  "Object": json.dumps(row.values, ensure_ascii=False, separators=(",", ":"))}
        try:
            cast(Any, self).op_PutProfileObject(self._validated("PutProfileObject", single, headline=False))
        except EmulatorError:
            job.failed += 1
            return
        if found:
            job.updated += 1
        else:
            job.created += 1

    # -- the upload ----------------------------------------------------------------------------
    def receive_upload(self, method: str, path: str, headers: Mapping[str, str],
                       body: bytes) -> tuple[int, dict[str, str], bytes]:
        """Answer one request to an upload URL (``path`` from ``/__uploads/`` on), as S3 answers
        a presigned PUT with SSE-C: ``(status, headers, body)``."""
        parts = path[len(UPLOAD_PREFIX):].split("/") if path.startswith(UPLOAD_PREFIX) else []
        if len(parts) != 2:
            return s3_error("NoSuchKey", "The specified key does not exist.", 404)
        if method.upper() != "PUT":
            return s3_error("MethodNotAllowed", "An upload URL takes a PUT only.", 405)
        lowered = {name.lower(): value for name, value in headers.items()}
        with self._lock:
            job = next((state.jobs[parts[0]] for domain in self._domains.values()
                        if (state := domain.areas.get(_AREA)) is not None and parts[0] in state.jobs), None)
            valid_until = None
            if job is not None:
                valid_until = next((until for secret, until in job.paths.items()
                                    if hmac.compare_digest(secret.encode(), parts[1].encode("utf-8", "replace"))),
                                   None)
            if job is None or valid_until is None:
                return s3_error("AccessDenied", "Access Denied", 403)
            if self.now() > valid_until:
                return s3_error("AccessDenied", "Request has expired", 403)
            problem = sse_c_problem(lowered, job.key)
            if problem is not None:
                return s3_error(*problem)
            if len(body) > MAX_UPLOAD_BYTES:
                return s3_error("EntityTooLarge", "The upload is larger than the emulator takes.", 400)
            if job.status != "CREATED":
                return s3_error("AccessDenied", "The upload job has started: its file can no longer change.", 403)
            job.upload = bytes(body)
        key_md5 = base64.b64encode(hashlib.md5(job.key).digest()).decode()
        return 200, {"ETag": f'"{hashlib.md5(body).hexdigest()}"', "Content-Length": "0",
                     "x-amz-server-side-encryption-customer-algorithm": "AES256",
                     "x-amz-server-side-encryption-customer-key-MD5": key_md5}, b""


def _key_field(fields: Mapping[str, Any], unique_key: str) -> str:
    """The field whose value identifies a row: the one named UniqueKey, or the one that reads the
    column named UniqueKey."""
    if unique_key in fields:
        return unique_key
    for name, spec in fields.items():
        if spec.get("Source") == f"_source.{unique_key}":
            return name
    raise bad_request("UniqueKey must name one of the Fields, or the column one of them reads")


def _blank(record: list[str]) -> bool:
    return not record or (len(record) == 1 and not record[0].strip())


def _columns(header: list[str] | None) -> list[str] | None:
    """The header's column names, or None when it names none or one twice."""
    if not header:
        return None
    columns = [name.strip() for name in header]
    named = [name for name in columns if name]
    if not named or len(set(named)) != len(named):
        return None
    return columns


_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+")


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their ends, split as ``newline=""`` splits them (at ``\r\n``,
    ``\r`` and ``\n``): what csv.reader reads, without a second copy of the whole text."""
    return (found.group() for found in _LINE.finditer(text))


def _read_csv(data: bytes) -> tuple[str, int] | None:
    """The file's text and its number of data rows, or None when it is not UTF-8 CSV with a
    header row. The file is read once, record by record; no row is kept (see :func:`_data_rows`)."""
    try:
        text = data.decode("utf-8-sig")
        records = csv.reader(_lines(text), strict=True)
        if _columns(next(records, None)) is None:
            return None
        count = sum(1 for record in records if not _blank(record))
    except (UnicodeDecodeError, csv.Error):
        return None
    return text, count


def _data_rows(text: str) -> Iterator[_Row]:
    """The data rows of a file that :func:`_read_csv` accepted, in order, one at a time."""
    records = csv.reader(_lines(text), strict=True)
    try:
        columns = _columns(next(records, None)) or []
        for record in records:
            if _blank(record):
                continue
            if len(record) != len(columns):
                yield _Row(None, "the row has another number of values than the header")
                continue
            pairs = [(name, value) for name, value in zip(columns, record, strict=True) if name and value]
            # The row's JSON object is at least this long (quotes, colon and comma per member;
            # escapes only add): past PutProfileObject's limit, the row fails without being built.
            if 2 + sum(len(name) + len(value) + 6 for name, value in pairs) > MAX_OBJECT_CHARS:
                yield _Row(None, "the row's object is longer than PutProfileObject takes")
                continue
            yield _Row(dict(pairs))
    except csv.Error:
        return  # the rows left are counted as failed by the run


def sse_c_problem(headers: Mapping[str, str], key: bytes) -> tuple[str, str, int] | None:
    """Why an upload's SSE-C headers (lower-case names) do not encrypt it with ``key``, as S3's
    ``(code, message, status)``, or None when they do. Messages never quote the headers."""
    algorithm, given, given_md5 = (headers.get(name) for name in (_SSE_ALGORITHM, _SSE_KEY, _SSE_KEY_MD5))
    if algorithm is None and given is None and given_md5 is None:
        return ("InvalidRequest", "The upload must be encrypted with the job's customer key: send the "
                "x-amz-server-side-encryption-customer-algorithm, -key and -key-MD5 headers.", 400)
    if algorithm is None:
        return ("InvalidArgument", "A customer key needs the x-amz-server-side-encryption-customer-algorithm "
                "header (AES256).", 400)
    if algorithm.strip() != "AES256":
        return ("InvalidEncryptionAlgorithmError", "The customer-key encryption algorithm must be AES256.", 400)
    if given is None:
        return ("InvalidArgument", "The x-amz-server-side-encryption-customer-key header is missing.", 400)
    try:
        sent = base64.b64decode(given.strip().encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        sent = b""
    if len(sent) != 32:
        return ("InvalidArgument", "The customer key is not the base64 text of a 256-bit key.", 400)
    if given_md5 is None:
        return ("InvalidArgument", "The x-amz-server-side-encryption-customer-key-MD5 header is missing.", 400)
    try:
        sent_md5 = base64.b64decode(given_md5.strip().encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        sent_md5 = b""
    if not hmac.compare_digest(sent_md5, hashlib.md5(sent).digest()):
        return ("InvalidArgument", "The customer key's MD5 does not match the key sent.", 400)
    if not hmac.compare_digest(sent, key):
        return ("InvalidArgument", "The customer key is not the ClientToken of this upload job.", 400)
    return None


def s3_error(code: str, message: str, status: int) -> tuple[int, dict[str, str], bytes]:
    """An error answer as S3 writes it: an XML ``<Error>`` document."""
    request_id = secrets.token_hex(8).upper()
    data = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
            f"<RequestId>{request_id}</RequestId></Error>").encode()
    return status, {"Content-Type": "application/xml", "Content-Length": str(len(data)),
                    "x-amz-request-id": request_id}, data


__all__ = ["MAX_UPLOAD_BYTES", "PATH_VALID_SECONDS", "RUN_SECONDS", "UPLOAD_HOST", "UPLOAD_PREFIX",
           "UploadJob", "UploadJobsArea", "object_type_name", "s3_error", "sse_c_problem", "upload_base"]
