"""Bulk ingestion of profile objects: :func:`ingest`.

This module is hand-written (never generated).

``ingest`` streams records (dicts or JSON text) from any iterable into one object type of a domain,
with ``BatchPutProfileObject`` (up to 10 items a call) or, with ``batch=False``, one
``PutProfileObject`` per record. It:

- **checks each record locally** before anything is sent: a record that is not a JSON object, or
  whose compact JSON text (``separators=(",", ":")``, ``ensure_ascii=False``, exactly what is sent)
  is longer than 256,000 characters or 256,000 bytes of UTF-8 (250 KB), goes straight to the dead
  letters with a ``Local...`` code and never reaches the service;
- **paces every attempt** through one :class:`RateLimiter` shared by its worker threads: never
  more calls per second than the configured rate, halved on each throttle (multiplicative
  decrease) and raised again step by step on success (additive increase) up to that rate;
- **retries** itself: throttling (``ThrottlingException``, HTTP 429, per call or per item), 5xx
  and connection failures are re-sent with exponential backoff (full jitter), up to
  ``max_retries`` re-sends per record; a record still throttled or answered 5xx after that is
  dead-lettered with its last code. A connection failure is never the record's fault: when every
  attempt of a call found no usable HTTP response (connection refused, a name that does not
  resolve, timeouts), the run stops with :class:`IngestAborted` and stays resumable; no record is
  dead-lettered for it. So that every attempt passes through the limiter, the client must have
  botocore's own retries turned off (see :func:`no_retry_config`); ``ingest`` refuses one that
  retries;
- **dead-letters** other 4xx outcomes: one JSON Lines entry per record,
  ``{"position", "code", "message", "record"}``. ``position`` is the record's 0-based index in the
  source; ``code`` is a string: the item's HTTP status as text (``"400"``) for a per-item failure
  of a batch, the service's error code (``"BadRequestException"``) for a whole-call failure, or a
  local code. The dead-letter file holds the records themselves, so it holds personal data: keep
  it as you keep the source;
- **records progress** in a checkpoint file, by source position, written atomically (temporary
  file, fsync, ``os.replace``). Dead letters are written in source order, flushed and fsynced
  before the checkpoint that counts them; the checkpoint also stores the dead-letter file's byte
  length, and a resumed run first cuts the file back to that length. So after a crash at any
  point (``kill -9`` included) and ``resume=True``, every record is accepted or dead-lettered
  exactly once, and no dead-letter line is duplicated or torn;
- **fingerprints the source**: the checkpoint stores the domain, the object type and a SHA-256
  over the records it counts (each record's bytes as read: the text of a JSON-text record, the
  compact JSON of a dict; length-prefixed). A resumed run hashes the records it skips and refuses
  to go on (``ValueError``, before anything is sent) when the source ends before the checkpoint's
  position or its first records are not the ones counted, or when the domain or object type
  differs. The messages name the checkpoint and the rule, never a record.

Records in flight at a crash (sent, but not yet counted in the checkpoint) are sent again on
resume. That is harmless when the object type has a ``UNIQUE`` key: a repeated put replaces the
object. Without a ``UNIQUE`` key the service stores a second object, so give bulk-loaded object
types a ``UNIQUE`` key.

Whole-call failures that no record can fix end the run with :class:`IngestAborted` (a missing
domain or object type: 404; refused credentials: 401, 403; an endpoint that cannot be reached on
any attempt): what was done so far is in the
checkpoint, and the run can be resumed after the cause is fixed. Nothing here logs or reports
record contents; only positions, codes and counts.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from botocore.config import Config

from .errors import ServiceError, TransportError

__all__ = [
    "MAX_OBJECT_BYTES",
    "MAX_OBJECT_CHARS",
    "IngestAborted",
    "IngestSummary",
    "OversizedRecord",
    "RateLimiter",
    "ingest",
    "no_retry_config",
]

#: Most characters an object's JSON text may have (the model's max_length of ``Object``).
MAX_OBJECT_CHARS = 256_000
#: Most bytes of UTF-8 an object may have: 250 KB, as the emulator counts it.
MAX_OBJECT_BYTES = 256_000
#: Most items in one BatchPutProfileObject call.
MAX_BATCH = 10
#: Local dead-letter codes (the record never reached the service).
LOCAL_NOT_JSON = "LocalNotJson"
LOCAL_NOT_OBJECT = "LocalNotJsonObject"
LOCAL_TOO_MANY_CHARACTERS = "LocalTooManyCharacters"
LOCAL_TOO_MANY_BYTES = "LocalTooManyBytes"
#: The code of an attempt that got no usable HTTP response (a connection failure, a timeout).
TRANSPORT_CODE = "TransportError"

_CHECKPOINT_VERSION = 2
_FATAL_STATUSES = frozenset({401, 403, 404})


def no_retry_config(config: Config | None = None) -> Config:
    """``config`` (or a new Config) with botocore's own retries turned off: one attempt a call.

    Build the client given to :func:`ingest` with it, e.g.
    ``CustomerProfilesClient(region_name="eu-west-2", config=no_retry_config())``.
    """
    extra = Config(retries={"mode": "standard", "total_max_attempts": 1})
    return config.merge(extra) if config is not None else extra


def _retries_off(client: Any) -> bool:
    boto = getattr(client, "boto3_client", client)
    retries = getattr(getattr(getattr(boto, "meta", None), "config", None), "retries", None) or {}
    if retries.get("total_max_attempts") == 1:
        return True
    return "total_max_attempts" not in retries and retries.get("max_attempts") == 0


class IngestAborted(RuntimeError):
    """A failure that no record can fix (404, 401, 403, or no usable HTTP response on any
    attempt of a call): the run stopped.

    Progress up to the failure is in the checkpoint; ``__cause__`` is the service error. The
    message names the operation and the error code, never a record.
    """


@dataclass(frozen=True)
class IngestSummary:
    """The outcome of a run (totals over every run of the same checkpoint).

    ``sent``: records that reached the service at least once; ``accepted``: stored by the service;
    ``retried``: re-sends (one per record per retry); ``dead_lettered``: records in the dead
    letters (local and service); ``elapsed_s``: seconds spent; ``rate``: accepted records per
    second over ``elapsed_s``.
    """

    sent: int
    accepted: int
    retried: int
    dead_lettered: int
    elapsed_s: float
    rate: float


class RateLimiter:
    """Paces calls: at most ``rate`` calls per second, shared by any number of threads.

    Each :meth:`acquire` reserves the next free slot, ``1 / current rate`` seconds after the
    previous one, and sleeps until it. Over any ``t`` seconds at most ``1 + rate * t`` calls pass.
    :meth:`throttled` halves the current rate (not below ``min_rate``); :meth:`succeeded` adds
    ``rate / 100`` calls/s back, never above ``rate``. ``clock`` and ``sleep`` are injectable for
    tests.
    """

    def __init__(self, rate: float, *, min_rate: float | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if not isinstance(rate, (int, float)) or isinstance(rate, bool) or not (0 < rate < float("inf")):
            raise ValueError("rate must be a positive, finite number of calls per second")
        self.rate = float(rate)
        self.min_rate = float(min_rate) if min_rate is not None else min(self.rate, max(0.1, self.rate / 100))
        self._current = self.rate
        self._clock = clock
        self._sleep = sleep
        self._next: float | None = None
        self._lock = threading.Lock()

    @property
    def current(self) -> float:
        """The rate in force now (calls per second)."""
        with self._lock:
            return self._current

    def acquire(self) -> None:
        """Wait for this call's slot."""
        with self._lock:
            now = self._clock()
            slot = now if self._next is None else max(now, self._next)
            self._next = slot + 1.0 / self._current
        if slot > now:
            self._sleep(slot - now)

    def throttled(self) -> None:
        """Multiplicative decrease, after a throttle."""
        with self._lock:
            self._current = max(self.min_rate, self._current / 2)

    def succeeded(self) -> None:
        """Additive increase, after a call that was not throttled."""
        with self._lock:
            self._current = min(self.rate, self._current + self.rate / 100)


@dataclass(frozen=True)
class OversizedRecord:
    """Stands in for a record too big to be read whole (a reader's choice, such as the command
    line's for a JSON Lines line of more than 2,048,000 bytes): ``size`` is its length in the
    source, in bytes. It is dead-lettered locally (``LocalTooManyBytes``) with ``record: null``,
    and never sent."""

    size: int


@dataclass
class _Item:
    position: int
    text: str
    record: Any


@dataclass
class _Outcome:
    """What happened to a unit (a batch, a single record, or a local dead letter)."""

    end: int  # the source position after the unit's last record
    accepted: int = 0
    sent: int = 0
    retried: int = 0
    dead: list[tuple[int, str, str, Any]] = field(default_factory=list)  # (position, code, message, record)
    digest: str = ""  # the source fingerprint after the unit's last record


def _checked(record: Any) -> tuple[str | None, str, str]:
    """(compact JSON text, "", "") for a good record; (None, code, message) for a bad one."""
    value = record
    if isinstance(record, OversizedRecord):
        return None, LOCAL_TOO_MANY_BYTES, (f"the record is {record.size} bytes in its source, far more than 250 KB; "
                                            "it was not read whole")
    if isinstance(record, (str, bytes, bytearray)):
        try:
            value = json.loads(record, parse_constant=_no_constant)
        except (ValueError, RecursionError):
            return None, LOCAL_NOT_JSON, "the record is not valid JSON"
    if not isinstance(value, Mapping):
        return None, LOCAL_NOT_OBJECT, "the record must be a JSON object"
    try:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return None, LOCAL_NOT_JSON, "the record cannot be written as JSON (a non-JSON value, NaN or Infinity)"
    if len(text) > MAX_OBJECT_CHARS:
        return None, LOCAL_TOO_MANY_CHARACTERS, f"the object's JSON text is longer than {MAX_OBJECT_CHARS} characters"
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:  # a lone surrogate from a dict's string
        return None, LOCAL_NOT_JSON, "the record holds text that is not valid Unicode"
    if size > MAX_OBJECT_BYTES:
        return None, LOCAL_TOO_MANY_BYTES, f"the object is larger than 250 KB ({MAX_OBJECT_BYTES} bytes of UTF-8)"
    return text, "", ""


def _no_constant(name: str) -> Any:
    raise ValueError("NaN and Infinity are not JSON")


class _Fingerprint:
    """A running SHA-256 over the records read so far (see the module docs)."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()

    def add(self, record: Any, text: str | None = None) -> None:
        """Count ``record``; ``text`` is its compact JSON if already made (a dict's)."""
        if isinstance(record, str):
            data = b"s" + record.encode("utf-8", "surrogatepass")
        elif isinstance(record, (bytes, bytearray)):
            data = b"b" + bytes(record)
        elif isinstance(record, OversizedRecord):
            data = b"o" + str(record.size).encode()
        else:
            data = b"j" + (text if text is not None else _fingerprint_text(record)).encode("utf-8", "surrogatepass")
        self._hash.update(len(data).to_bytes(8, "big"))
        self._hash.update(data)

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def _fingerprint_text(record: Any) -> str:
    try:  # what _checked makes of a good record
        return json.dumps(record, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        pass
    try:
        return "\x00" + json.dumps(record, separators=(",", ":"), ensure_ascii=False,
                                   default=lambda value: f"<{type(value).__name__}>")
    except (TypeError, ValueError, RecursionError):
        return "\x01" + type(record).__name__


def _status(error: ServiceError) -> int:
    return error.http_status or error.default_http_status or 0


def _retryable_status(status: int) -> bool:
    return status == 429 or status >= 500


class _Sender:
    """Sends one unit with retries, through the shared limiter (runs in the worker threads)."""

    def __init__(self, client: Any, domain_name: str, object_type_name: str, batch: bool,
                 limiter: RateLimiter, max_retries: int, base_delay: float, max_delay: float,
                 sleep: Callable[[float], None]) -> None:
        self.client = client
        self.domain_name = domain_name
        self.object_type_name = object_type_name
        self.batch = batch
        self.limiter = limiter
        self.max_retries = max_retries
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.sleep = sleep
        self.stop = threading.Event()  # set when the run stops: no further attempt is made
        self.reason: IngestAborted | None = None  # the first fatal error

    def _abort(self, message: str, cause: BaseException | None = None) -> IngestAborted:
        error = IngestAborted(message)
        error.__cause__ = cause
        if self.reason is None:
            self.reason = error
        self.stop.set()
        return error

    def _backoff(self, attempt: int) -> None:
        delay = min(self.max_delay, self.base_delay * (2 ** min(attempt, 30)))
        self.sleep(random.uniform(0, delay))  # jitter, not security

    def send(self, items: list[_Item], end: int, digest: str) -> _Outcome:
        outcome = _Outcome(end=end, sent=len(items), digest=digest)
        pending = items
        attempt = 0
        while pending:
            if attempt:
                outcome.retried += len(pending)
            retry, last = self._attempt(pending, outcome)
            if not retry:
                break
            if attempt >= self.max_retries:
                transport = [last[item.position][1] for item in retry if last[item.position][0] == TRANSPORT_CODE]
                if transport:
                    raise self._abort(f"the service could not be reached: {transport[0]} on each of "
                                      f"{attempt + 1} attempts; check the endpoint, the network and the "
                                      "Region, then resume from the checkpoint")
                outcome.dead.extend((item.position, code, message, item.record) for item, (code, message) in
                                    ((i, last[i.position]) for i in retry))
                break
            self._backoff(attempt)
            attempt += 1
            pending = retry
        return outcome

    def _attempt(self, items: list[_Item], outcome: _Outcome) -> tuple[list[_Item], dict[int, tuple[str, str]]]:
        """One call; returns the items to retry and their last (code, message)."""
        if self.stop.is_set():
            reason = self.reason
            raise IngestAborted(str(reason) if reason is not None else "the run stopped before this call") \
                from (reason.__cause__ if reason is not None else None)
        self.limiter.acquire()
        try:
            if self.batch:
                response = self.client.batch_put_profile_object(
                    domain_name=self.domain_name, object_type_name=self.object_type_name,
                    items=[{"Id": str(item.position), "Object": item.text} for item in items],
                    allow_partial=True)
            else:
                [item] = items
                self.client.put_profile_object(domain_name=self.domain_name,
                                               object_type_name=self.object_type_name, object=item.text)
                response = None
        except ServiceError as error:
            status = _status(error)
            if status in _FATAL_STATUSES:
                operation = "BatchPutProfileObject" if self.batch else "PutProfileObject"
                raise self._abort(f"{operation} failed with {error.code} (HTTP {status}); "
                                  "fix the cause and resume from the checkpoint", error) from error
            if _retryable_status(status):
                if status == 429:
                    self.limiter.throttled()
                return items, {item.position: (error.code or str(status), error.message) for item in items}
            self.limiter.succeeded()
            outcome.dead.extend((item.position, error.code or str(status), error.message, item.record)
                                for item in items)
            return [], {}
        except TransportError as error:
            message = f"no usable HTTP response ({type(error.__cause__).__name__})"
            return items, {item.position: (TRANSPORT_CODE, message) for item in items}
        if response is None:
            self.limiter.succeeded()
            outcome.accepted += 1
            return [], {}
        by_id = {str(item.position): item for item in items}
        done: set[str] = set()
        for success in response.successful or []:
            if success.id in by_id and success.id not in done:
                done.add(success.id)
                outcome.accepted += 1
        retry: list[_Item] = []
        last: dict[int, tuple[str, str]] = {}
        throttled = False
        for failure in response.failed or []:
            found = by_id.get(failure.id or "")
            if found is None or failure.id in done:
                continue
            item = found
            done.add(failure.id or "")
            code = failure.code or 0
            message = failure.message or ""
            if _retryable_status(code):
                throttled = throttled or code == 429
                retry.append(item)
                last[item.position] = (str(code), message)
            else:
                outcome.dead.append((item.position, str(code), message, item.record))
        for item in items:  # no outcome at all: send it again
            if str(item.position) not in done:
                retry.append(item)
                last[item.position] = ("NoOutcome", "the service gave no outcome for this item")
        if throttled:
            self.limiter.throttled()
        else:
            self.limiter.succeeded()
        retry.sort(key=lambda item: item.position)
        return retry, last


class _Progress:
    """Checkpoint and dead-letter file, both written only by the thread that runs ingest."""

    def __init__(self, dead_letter: Path | None, checkpoint: Path | None, resume: bool,
                 identity: dict[str, Any]) -> None:
        self.dead_letter = dead_letter
        self.checkpoint = checkpoint
        self.identity = identity
        self.position = 0
        self.counts = {"sent": 0, "accepted": 0, "retried": 0, "dead_lettered": 0}
        self.elapsed_before = 0.0
        self.digest = _Fingerprint().hexdigest()
        dead_bytes = 0
        state: dict[str, Any] | None = None
        if checkpoint is not None and checkpoint.exists():
            if not resume:
                raise FileExistsError(f"checkpoint {checkpoint} exists: pass resume=True to continue that run, "
                                      "or remove it to start again")
            state = _read_checkpoint(checkpoint, identity)
        if state is not None:
            self.position = int(state["position"])
            self.counts = {name: int(state[name]) for name in self.counts}
            self.elapsed_before = float(state["elapsed_s"])
            self.digest = str(state["source_sha256"])
            dead_bytes = int(state["dead_letter_bytes"])
        self._dl: BinaryIO | None = None
        if dead_letter is not None:
            if state is None and dead_letter.exists() and dead_letter.stat().st_size:
                raise FileExistsError(f"dead-letter file {dead_letter} is not empty: move it away, or resume the run "
                                      "that wrote it")
            self._dl = open(dead_letter, "r+b" if dead_letter.exists() else "w+b")
            self._dl.truncate(dead_bytes)  # drop lines written after the last checkpoint
            self._dl.seek(dead_bytes)
        elif state is not None and dead_bytes:
            raise ValueError("the checkpoint counts dead letters, but no dead_letter path was given")
        self.dead_bytes = dead_bytes

    def apply(self, outcome: _Outcome) -> None:
        for position, code, message, record in sorted(outcome.dead, key=lambda entry: entry[0]):
            self.counts["dead_lettered"] += 1
            if isinstance(record, OversizedRecord):
                record = None  # never read whole: the message says how big it is
            if self._dl is not None:
                line = json.dumps({"position": position, "code": code, "message": message, "record": record},
                                  ensure_ascii=False, default=str, separators=(",", ":"))
                data = line.encode("utf-8", "backslashreplace") + b"\n"
                self._dl.write(data)
                self.dead_bytes += len(data)
        self.counts["sent"] += outcome.sent
        self.counts["accepted"] += outcome.accepted
        self.counts["retried"] += outcome.retried
        self.position = outcome.end
        self.digest = outcome.digest

    def save(self, elapsed_s: float) -> None:
        if self._dl is not None:
            self._dl.flush()
            os.fsync(self._dl.fileno())
        if self.checkpoint is None:
            return
        state = {"version": _CHECKPOINT_VERSION, **self.identity, "position": self.position,
                 "source_sha256": self.digest,
                 "dead_letter_bytes": self.dead_bytes, **self.counts, "elapsed_s": elapsed_s}
        temporary = self.checkpoint.with_name(self.checkpoint.name + ".tmp")
        with open(temporary, "w", encoding="utf-8") as stream:
            json.dump(state, stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, self.checkpoint)
        _fsync_directory(self.checkpoint.parent)

    def close(self) -> None:
        if self._dl is not None:
            self._dl.close()


def _fsync_directory(directory: Path) -> None:
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:  # not possible on every platform (Windows)
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _read_checkpoint(path: Path, identity: dict[str, Any]) -> dict[str, Any]:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValueError(f"checkpoint {path} cannot be read as JSON ({type(error).__name__})") from None
    names = ("position", "dead_letter_bytes", "sent", "accepted", "retried", "dead_lettered")
    if (not isinstance(state, dict) or state.get("version") != _CHECKPOINT_VERSION
            or any(not isinstance(state.get(name), int) or isinstance(state.get(name), bool) or state[name] < 0
                   for name in names)
            or not isinstance(state.get("elapsed_s"), (int, float))
            or not _is_digest(state.get("source_sha256"))):
        raise ValueError(f"checkpoint {path} is not a checkpoint of this version")
    for key, value in identity.items():
        if state.get(key) != value:
            raise ValueError(f"checkpoint {path} belongs to another run ({key} differs); resume with the same "
                             "domain and object type, or remove the checkpoint and its dead-letter file to start again")
    return state


def _is_digest(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 64 and all(char in "0123456789abcdef" for char in value)


def _skip_done(source: Iterator[Any], state: _Progress, fingerprint: _Fingerprint) -> None:
    """Read the records the checkpoint counts, and check they are the ones it counted."""
    where = state.checkpoint
    for count in range(state.position):
        try:
            record = next(source)
        except StopIteration:
            raise ValueError(f"checkpoint {where} counts {state.position} records, but the source ends after "
                             f"{count}: it is not the source of that run") from None
        fingerprint.add(record)
    if fingerprint.hexdigest() != state.digest:
        raise ValueError(f"checkpoint {where}: the first {state.position} records of the source are not the ones "
                         "that run read (source fingerprint differs); resume only with the same source, or remove "
                         "the checkpoint and its dead-letter file to start again")


def ingest(
    client: Any,
    *,
    domain_name: str,
    object_type_name: str,
    records: Iterable[Any],
    rate: float = 100.0,
    batch: bool = True,
    dead_letter: str | os.PathLike[str] | None = None,
    checkpoint: str | os.PathLike[str] | None = None,
    resume: bool = False,
    concurrency: int = 4,
    max_retries: int = 8,
    progress: Callable[[IngestSummary], None] | None = None,
    limiter: RateLimiter | None = None,
    base_delay: float = 0.05,
    max_delay: float = 5.0,
    sleep: Callable[[float], None] = time.sleep,
    checkpoint_interval: float = 0.5,
) -> IngestSummary:
    """Put every record of ``records`` as an object of ``object_type_name``; see the module docs.

    ``client`` is a :class:`~customer_profiles_sdk.CustomerProfilesClient` whose botocore retries
    are off (:func:`no_retry_config`). ``records`` is consumed lazily, once: dicts or JSON text.
    ``rate`` is in calls per second (not records); ``limiter`` replaces the limiter it would
    build (to share one between runs, or to inject a clock). ``progress`` is called with the
    running totals after each step. ``checkpoint_interval`` is the least number of seconds between
    two checkpoint writes (one is always written at the end, also when the run stops on an error).
    """
    if not _retries_off(client):
        raise ValueError("ingest retries by itself, so the client must have botocore's retries turned off: "
                         "build it with config=no_retry_config()")
    if not isinstance(concurrency, int) or isinstance(concurrency, bool) or not 1 <= concurrency <= 64:
        raise ValueError("concurrency must be an integer from 1 to 64")
    if not isinstance(max_retries, int) or isinstance(max_retries, bool) or max_retries < 0:
        raise ValueError("max_retries must be an integer, 0 or more")
    limiter = limiter if limiter is not None else RateLimiter(rate, sleep=sleep)
    identity = {"domain_name": domain_name, "object_type_name": object_type_name}
    state = _Progress(Path(dead_letter) if dead_letter is not None else None,
                      Path(checkpoint) if checkpoint is not None else None, resume, identity)
    sender = _Sender(client, domain_name, object_type_name, batch, limiter, max_retries, base_delay,
                     max_delay, sleep)
    started = time.monotonic()
    last_save = started
    size = MAX_BATCH if batch else 1
    in_flight_limit = 2 * concurrency
    units: deque[Future[_Outcome]] = deque()

    def elapsed() -> float:
        return state.elapsed_before + (time.monotonic() - started)

    def summary() -> IngestSummary:
        spent = elapsed()
        counts = state.counts
        return IngestSummary(sent=counts["sent"], accepted=counts["accepted"], retried=counts["retried"],
                             dead_lettered=counts["dead_lettered"], elapsed_s=spent,
                             rate=counts["accepted"] / spent if spent > 0 else 0.0)

    def drain(block: bool) -> None:
        nonlocal last_save
        advanced = False
        while units and (block or units[0].done()):
            outcome = units[0].result()  # a worker's error (IngestAborted) is raised here
            units.popleft()  # only once its outcome is known: a failed unit stays first
            state.apply(outcome)
            advanced = True
            block = False
        if advanced:
            now = time.monotonic()
            if now - last_save >= checkpoint_interval:
                state.save(elapsed())
                last_save = now
            if progress is not None:
                progress(summary())

    def done(outcome: _Outcome) -> Future[_Outcome]:
        future: Future[_Outcome] = Future()
        future.set_result(outcome)
        return future

    fingerprint = _Fingerprint()
    source = iter(records)
    try:
        _skip_done(source, state, fingerprint)  # already done in an earlier run: nothing is sent
    except BaseException:
        state.close()
        raise

    def send(items: list[_Item], end: int) -> Future[_Outcome]:
        return executor.submit(sender.send, items, end, fingerprint.hexdigest())

    executor = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="cp-ingest")
    failed = False
    try:
        position = state.position
        items: list[_Item] = []
        for record in source:
            text, code, message = _checked(record)
            if text is None:
                if items:
                    units.append(send(items, position))
                    items = []
                fingerprint.add(record)
                units.append(done(_Outcome(end=position + 1, dead=[(position, code, message, record)],
                                           digest=fingerprint.hexdigest())))
            else:
                fingerprint.add(record, None if isinstance(record, (str, bytes, bytearray)) else text)
                items.append(_Item(position, text, record))
                if len(items) >= size:
                    units.append(send(items, position + 1))
                    items = []
            position += 1
            drain(block=False)
            while len(units) > in_flight_limit:
                drain(block=True)
        if items:
            units.append(send(items, position))
        while units:
            drain(block=True)
    except BaseException:
        failed = True
        sender.stop.set()  # running workers make no further attempt
        raise
    finally:
        try:
            if failed:
                # Keep what finished, in source order, up to the first unit that failed (it is
                # still first in ``units``) or was cancelled before it ran.
                for future in units:
                    future.cancel()
                try:
                    while units and not units[0].cancelled():
                        outcome = units[0].result()
                        units.popleft()
                        state.apply(outcome)
                except BaseException:  # the first error is the one raised
                    pass
            executor.shutdown(wait=True, cancel_futures=True)
            state.save(elapsed())
        finally:
            state.close()
    result = summary()
    if progress is not None:
        progress(result)
    return result
