"""Waiters: poll a long-running resource until it reaches a final state, for both clients.

``client.wait_for_<resource>(...)`` (and ``await`` on the async client) calls the resource's
``Get`` operation until its status is one of the waiter's success states, and returns that last
response model. A failure state raises :class:`~customer_profiles_sdk.errors.WaiterFailedError`,
the ``timeout`` raises :class:`~customer_profiles_sdk.errors.WaiterTimeoutError`; both are
botocore ``WaiterError`` s and hold the last response. ``wait_for_<resource>_deleted(...)``
waits until the ``Get`` operation answers 404 and returns None.

Between polls the waiter sleeps ``delay`` seconds, doubling up to ``max_delay``, each pause with
"equal jitter" (between half and all of it). Throttling, 5xx answers and transport errors while
polling are retried the same way, within the ``timeout``. ``progress`` is called after every
poll with a :class:`WaitProgress`. ``sleep`` replaces the pause (a test can pass the emulator's
``advance``): then the timeout counts the seconds slept, not the wall clock.

The table of waiters is generated (``codegen/waiters.py``); :class:`Waiting` holds the polling
logic without I/O, and the clients only call and sleep (docs/design.md, section 17).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from .errors import (
    InternalServerError,
    ParamValidationError,
    Problem,
    ResourceNotFoundError,
    ThrottlingError,
    TransportError,
    UnmodeledServiceError,
    WaiterFailedError,
    WaiterTimeoutError,
)

__all__ = ["DEFAULT_DELAY", "DEFAULT_MAX_DELAY", "DEFAULT_TIMEOUT", "WaitProgress", "Waiting"]

#: The first pause between polls, in seconds (then doubled up to ``max_delay``).
DEFAULT_DELAY = 5.0
#: The longest pause between polls, in seconds.
DEFAULT_MAX_DELAY = 60.0
#: How long a waiter waits by default before it raises WaiterTimeoutError, in seconds.
DEFAULT_TIMEOUT = 1800.0


class WaitProgress(NamedTuple):
    """What a waiter's ``progress`` callback is given after each poll."""

    #: The waiter's name (``upload_job``, ...).
    waiter: str
    #: Polls made so far (1 after the first).
    attempt: int
    #: Seconds waited so far.
    elapsed: float
    #: The status read by this poll (None: the poll failed and is retried, or the resource has none).
    status: str | None
    #: The pause before the next poll, in seconds (None: the wait is over).
    next_delay: float | None
    #: The response model of this poll (None if it failed).
    response: Any


class WaiterSpec(NamedTuple):
    """One generated waiter (``_generated/waiters.py``)."""

    name: str
    operation: str
    #: The Python name of the status member of the response, or None.
    status: str | None
    success: tuple[str, ...]
    failure: tuple[str, ...]
    #: Every value the status member's enum has, for checking ``success_states``/``failure_states``.
    states: tuple[str, ...]


def _retryable(exc: BaseException) -> bool:
    """Errors worth polling again: throttling, a 5xx answer, no usable HTTP response."""
    if isinstance(exc, ThrottlingError | InternalServerError | TransportError):
        return True
    if isinstance(exc, UnmodeledServiceError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return isinstance(status, int) and (status >= 500 or status == 429)
    return False


def _number(name: str, value: Any, minimum: float) -> Problem | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= minimum or value != value:
        return Problem(name, "type", f"must be a number >= {minimum:g}")
    if value == float("inf") and name != "timeout":
        return Problem(name, "max", "must be finite")
    return None


class Waiting:
    """The state of one wait, without I/O: the client polls, then tells it what came back.

    :meth:`answered` takes a response model, :meth:`failed` an exception; each returns the
    pause before the next poll, or None when the wait is over (:attr:`result` holds what to
    return), or raises the waiter's error. :meth:`failed` re-raises what is not worth retrying.
    """

    def __init__(
        self,
        spec: WaiterSpec,
        *,
        deleted: bool = False,
        success_states: Iterable[str] | None = None,
        failure_states: Iterable[str] | None = None,
        delay: float = DEFAULT_DELAY,
        max_delay: float = DEFAULT_MAX_DELAY,
        timeout: float = DEFAULT_TIMEOUT,
        progress: Callable[[WaitProgress], Any] | None = None,
        custom_sleep: bool = False,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        problems = [p for p in (_number("delay", delay, 0), _number("max_delay", max_delay, 0),
                                _number("timeout", timeout, 0)) if p is not None]
        success = self._states(spec, "success_states", success_states, spec.success, problems)
        failure = self._states(spec, "failure_states", failure_states, spec.failure, problems)
        if not problems and set(success) & set(failure):
            problems.append(Problem("failure_states", "conflict", "shares a state with success_states"))
        if not problems and not deleted and spec.status is not None and not success:
            problems.append(Problem("success_states", "min_length", "must name at least one state"))
        if progress is not None and not callable(progress):
            problems.append(Problem("progress", "type", "must be callable"))
        if problems:
            raise ParamValidationError(f"wait_for_{spec.name}", problems)
        self.spec = spec
        self.deleted = deleted
        self.success = frozenset(success)
        self.failure = frozenset(failure)
        self.delay = float(delay)
        self.max_delay = max(float(max_delay), self.delay)
        self.timeout = float(timeout)
        self.progress = progress
        self._custom_sleep = custom_sleep
        self._clock = clock
        self._jitter = jitter
        self._start = clock()
        self._slept = 0.0
        self.attempt = 0
        self.result: Any = None
        self._last: Any = None
        self._last_status: str | None = None

    @staticmethod
    def _states(spec: WaiterSpec, name: str, given: Iterable[str] | None, default: tuple[str, ...],
                problems: list[Problem]) -> tuple[str, ...]:
        if given is None:
            return default
        if isinstance(given, str | bytes) or not isinstance(given, Iterable):
            problems.append(Problem(name, "type", "must be a list of states"))
            return ()
        states = tuple(given)
        for index, state in enumerate(states):
            if not isinstance(state, str) or state not in spec.states:
                problems.append(Problem(f"{name}[{index}]", "enum",
                                        "must be one of " + ", ".join(spec.states) if spec.states else "no states"))
        return states

    @property
    def name(self) -> str:
        return f"{self.spec.name}_deleted" if self.deleted else self.spec.name

    @property
    def elapsed(self) -> float:
        waited = self._clock() - self._start
        return max(waited, self._slept) if self._custom_sleep else waited

    def _pause(self) -> float:
        base = min(self.max_delay, self.delay * (2.0 ** min(self.attempt - 1, 60)))
        return base / 2 + base / 2 * self._jitter()

    def _next(self, status: str | None, response: Any) -> float:
        """The pause before the next poll; raises WaiterTimeoutError if it would pass the timeout."""
        pause = self._pause()
        elapsed = self.elapsed
        if elapsed + pause > self.timeout:
            self._report(status, None, response)
            raise WaiterTimeoutError(
                self.name, f"still {status or 'not in a final state'} after {elapsed:.1f} s, and the next poll "
                f"would come after the timeout of {self.timeout:g} s", self._last, self._last_status, elapsed)
        self._report(status, pause, response)
        self._slept += pause
        return pause

    def _report(self, status: str | None, pause: float | None, response: Any) -> None:
        if self.progress is not None:
            self.progress(WaitProgress(self.name, self.attempt, self.elapsed, status, pause, response))

    def answered(self, response: Any) -> float | None:
        """A poll answered: the pause before the next one, or None (done: see :attr:`result`)."""
        self.attempt += 1
        status = None
        if self.spec.status is not None:
            value = response.__dict__.get(self.spec.status)
            status = value if isinstance(value, str) else getattr(value, "value", None)
        self._last, self._last_status = response, status
        if self.deleted:
            return self._next(status, response)
        if status in self.success or (self.spec.status is None and not self.success):
            self.result = response
            self._report(status, None, response)
            return None
        if status in self.failure:
            self._report(status, None, response)
            raise WaiterFailedError(self.name, f"reached the failure state {status}", response, status, self.elapsed)
        return self._next(status, response)

    def failed(self, exc: BaseException) -> float | None:
        """A poll raised ``exc``: the pause before the next one, None (done), or raises."""
        self.attempt += 1
        if self.deleted and isinstance(exc, ResourceNotFoundError):
            self.result = None
            self._report(None, None, None)
            return None
        if not _retryable(exc):
            raise exc
        return self._next(None, None)
