"""``upload_csv``: load a CSV file into a domain through an upload job, in one call.

``client.upload_csv(...)`` (and ``await`` on the async client) runs the whole sequence of an
upload job::

    CreateUploadJob -> GetUploadJobPath -> PUT the file (SSE-C) -> StartUploadJob -> wait_for_upload_job

and returns the final ``GetUploadJobResponse``: ``status`` is ``SUCCEEDED`` or
``PARTIALLY_SUCCEEDED``, and ``results_summary`` counts the created, updated and failed rows.

This module holds that sequence once, without I/O: :class:`UploadCsv` checks the arguments and
its :meth:`~UploadCsv.steps` generator yields each step (a client method to call, or the file to
send), and is sent back what the step gave. :func:`drive` and :func:`drive_async` run the steps
on the sync and the async client; the clients' ``upload_csv`` methods only build the plan and
call one of them.

Guarantees:

* **Checked before anything is sent.** ``path`` must name a regular file that can be opened
  (:class:`~customer_profiles_sdk.errors.ParamValidationError` on ``path`` otherwise, never
  quoting it), at most 5 GiB (S3's limit for one PUT); the waiting options are checked as
  ``wait_for_upload_job`` checks them. Then ``create_upload_job`` validates its own arguments
  (``fields``, ``unique_key``, ``display_name``, ``data_expiry``) before it sends anything.
* **Streamed.** The file is opened once, in binary, and sent a chunk at a time (see
  :func:`customer_profiles_sdk._upload.put_upload`): memory stays flat whatever its size. It is
  closed as soon as it is sent, or when anything fails.
* **The key stays secret.** The job's ``ClientToken`` (the SSE-C key) and the upload URL (a
  signature) are in no log record, repr or error text of the SDK.
* **Failures.** A refused or failed upload raises :class:`~customer_profiles_sdk.errors.UploadError`
  (``status``, S3's ``code``, ``job_id``). A job that ends ``FAILED`` or ``STOPPED`` raises
  ``WaiterFailedError``, a wait past ``timeout`` ``WaiterTimeoutError`` (both hold the last
  ``GetUploadJob`` response). Whatever fails after the job was created, the job is left as it is
  (nothing is stopped or retried behind the caller's back), and the error carries a note naming
  the job, for ``get_upload_job`` and ``stop_upload_job``.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Callable, Coroutine, Generator, Mapping
from dataclasses import dataclass
from typing import IO, Any

from ._upload import (
    MAX_PUT_BYTES,
    answered_in_process,
    put_upload,
    s3_error_code,
    sse_c_headers,
)
from .errors import ParamValidationError, Problem, UploadError
from .waiters import DEFAULT_DELAY, DEFAULT_MAX_DELAY, DEFAULT_TIMEOUT, Waiting, WaitProgress

__all__ = ["Call", "Send", "UploadCsv", "drive", "drive_async"]

logger = logging.getLogger(__name__)

#: The name ``upload_csv``'s validation errors give as their shape.
SHAPE = "upload_csv"


@dataclass(frozen=True)
class Call:
    """A step: call the client's method ``method`` with ``kwargs`` (keyword arguments)."""

    method: str
    kwargs: Mapping[str, Any]


@dataclass(frozen=True, repr=False)
class Send:
    """A step: PUT the open file to the upload URL with the SSE-C headers. Neither the URL nor
    the headers show in its repr."""

    url: str
    headers: Mapping[str, str]
    file: IO[bytes]

    def __repr__(self) -> str:
        return "Send(url=<redacted>, headers=<redacted>)"

    @property
    def in_process(self) -> bool:
        """Whether an emulator in this process answers the PUT (a function call, no network)."""
        return answered_in_process(self.url)

    def __call__(self, client: Any) -> tuple[int, dict[str, str], bytes]:
        """Send the file: the answer's ``(status, headers, body)``."""
        return put_upload(client, self.url, self.file, self.headers)


Step = Call | Send


def _path_problem(path: Any) -> tuple[str | bytes | None, Problem | None]:
    """The path as ``os`` takes it, or the problem with it (never quoting it)."""
    if isinstance(path, bool | int) or not isinstance(path, str | bytes | os.PathLike):
        return None, Problem("path", "type", "must be a path (str or os.PathLike) naming a CSV file")
    try:
        name = os.fspath(path)
        info = os.stat(name)
    except (FileNotFoundError, NotADirectoryError):
        return None, Problem("path", "file", "names no existing file")
    except ValueError:  # a NUL character, say
        return None, Problem("path", "file", "is not a valid path")
    except OSError as error:
        return None, Problem("path", "file", f"cannot be read ({type(error).__name__})")
    except TypeError:  # an os.PathLike whose __fspath__ gives neither str nor bytes
        return None, Problem("path", "type", "must be a path (str or os.PathLike) naming a CSV file")
    if not stat.S_ISREG(info.st_mode):
        return None, Problem("path", "file", "must name a regular file (not a directory, a pipe or a device)")
    if info.st_size > MAX_PUT_BYTES:
        return None, Problem("path", "max", f"names a file larger than {MAX_PUT_BYTES // 1024**3} GiB, "
                                            "the most one upload takes")
    return name, None


def _open(name: str | bytes) -> IO[bytes]:
    """The file, opened to read in binary; ParamValidationError on ``path`` if it cannot be, or is
    no longer a regular file (non-blocking, so that a pipe put there since never blocks)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(name, flags)
    except OSError as error:
        raise ParamValidationError(SHAPE, [Problem("path", "file", f"cannot be opened ({type(error).__name__})")]
                                   ) from None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise ParamValidationError(SHAPE, [Problem("path", "file", "must name a regular file (not a directory, "
                                                                       "a pipe or a device)")])
        if hasattr(os, "set_blocking"):
            os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def _note(error: BaseException, job_id: str) -> None:
    """Name the job that was created, and is left as it is, on an error raised after it was."""
    if not isinstance(error, UploadError):  # its text says so already
        error.add_note(f"upload_csv: the upload job {job_id} was created and is left as it is: "
                       "get_upload_job(domain_name=..., job_id=...) reads it, stop_upload_job stops it.")


def _refused(job_id: str, status: int | None, code: str | None, why: str) -> UploadError:
    return UploadError(
        f"the CSV file of upload job {job_id} was not uploaded: {why}. The job is left in status CREATED: "
        "get_upload_job reads it, stop_upload_job stops it", status=status, code=code, job_id=job_id)


class UploadCsv:
    """One run of ``upload_csv``: its arguments, checked when it is made (nothing is sent), and
    :meth:`steps`, the sequence the clients drive."""

    def __init__(
        self,
        *,
        domain_name: str,
        path: str | os.PathLike[str],
        fields: Mapping[str, Any],
        unique_key: str,
        display_name: str,
        data_expiry: int | None = None,
        delay: float = DEFAULT_DELAY,
        max_delay: float = DEFAULT_MAX_DELAY,
        timeout: float = DEFAULT_TIMEOUT,
        progress: Callable[[WaitProgress], object] | None = None,
        sleep: Callable[[float], object] | None = None,
        asynchronous: bool = False,
    ) -> None:
        from ._generated.waiters import WAITERS

        name, problem = _path_problem(path)
        problems = [problem] if problem is not None else []
        try:  # the waiting options, sleep included, as wait_for_upload_job checks them
            Waiting(WAITERS["upload_job"], delay=delay, max_delay=max_delay, timeout=timeout, progress=progress,
                    sleep=sleep, asynchronous=asynchronous)
        except ParamValidationError as error:
            problems.extend(error.problems)
        if problems or name is None:
            raise ParamValidationError(SHAPE, problems)
        self._name = name
        self.domain_name = domain_name
        self._create = {"domain_name": domain_name, "display_name": display_name, "fields": fields,
                        "unique_key": unique_key, "data_expiry": data_expiry}
        self._wait = {"delay": delay, "max_delay": max_delay, "timeout": timeout, "progress": progress,
                      "sleep": sleep}

    def __repr__(self) -> str:
        return "UploadCsv(path=<redacted>)"

    def steps(self) -> Generator[Step, Any, Any]:
        """The steps, each sent back what it gave (a response model, or the PUT's answer); returns
        the final ``GetUploadJobResponse``. An exception a step raised is thrown in, and goes on."""
        with _open(self._name) as file:
            created = yield Call("create_upload_job", self._create)
            job_id = getattr(created, "job_id", None)
            if not isinstance(job_id, str) or not job_id:
                raise UploadError("CreateUploadJob answered without a JobId: nothing was uploaded")
            logger.debug("upload_csv: created upload job %s", job_id)
            ids = {"domain_name": self.domain_name, "job_id": job_id}
            try:
                path = yield Call("get_upload_job_path", ids)
                send = _send_step(path, file, job_id)
                status, _headers, body = yield send
                if not 200 <= status < 300:
                    code = s3_error_code(body)
                    raise _refused(job_id, status, code, f"the upload URL answered HTTP {status}"
                                   + (f" ({code})" if code else ""))
            except UploadError as error:
                if error.job_id is not None:
                    raise
                raise _refused(job_id, error.status, error.code, str(error)) from None
            except Exception as error:
                _note(error, job_id)
                raise
        logger.debug("upload_csv: sent the file of upload job %s", job_id)
        try:
            yield Call("start_upload_job", ids)
            logger.debug("upload_csv: started upload job %s", job_id)
            final = yield Call("wait_for_upload_job", {**ids, **self._wait})
        except Exception as error:
            _note(error, job_id)
            raise
        logger.debug("upload_csv: upload job %s ended %s", job_id, getattr(final, "status", None))
        return final


def _send_step(path: Any, file: IO[bytes], job_id: str) -> Send:
    """The PUT of the file, from GetUploadJobPath's answer (UploadError if it cannot be made)."""
    url = path.__dict__.get("url")  # read as stored: a missing Url is no MissingMemberError here
    token = path.__dict__.get("client_token")
    if not isinstance(url, str) or not url:
        raise _refused(job_id, None, None, "GetUploadJobPath answered no Url")
    if not isinstance(token, str) or not token:
        raise _refused(job_id, None, None, "GetUploadJobPath answered no ClientToken (the SSE-C key)")
    try:
        headers = sse_c_headers(token)
    except ValueError:
        raise _refused(job_id, None, None, "GetUploadJobPath's ClientToken is not base64 text") from None
    return Send(url, headers, file)


def drive(client: Any, plan: UploadCsv) -> Any:
    """Run ``plan``'s steps on a sync client; what the last one gave."""
    steps = plan.steps()
    try:
        answer: Any = None
        failure: Exception | None = None
        while True:
            try:
                step = steps.send(answer) if failure is None else steps.throw(failure)
            except StopIteration as done:
                return done.value
            answer, failure = None, None
            try:
                answer = step(client) if isinstance(step, Send) else getattr(client, step.method)(**step.kwargs)
            except Exception as error:
                failure = error
    finally:
        steps.close()


async def drive_async(client: Any, plan: UploadCsv) -> Any:
    """Run ``plan``'s steps on an async client; what the last one gave. The PUT runs in a thread
    (``asyncio.to_thread``) unless an emulator in this process answers it."""
    import asyncio

    steps = plan.steps()
    try:
        answer: Any = None
        failure: Exception | None = None
        while True:
            try:
                step = steps.send(answer) if failure is None else steps.throw(failure)
            except StopIteration as done:
                return done.value
            answer, failure = None, None
            try:
                if isinstance(step, Send):
                    answer = step(client) if step.in_process else await asyncio.to_thread(step, client)
                else:
                    call: Coroutine[Any, Any, Any] = getattr(client, step.method)(**step.kwargs)
                    answer = await call
            except Exception as error:
                failure = error
    finally:
        steps.close()
