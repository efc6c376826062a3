"""Waiters: poll a long-running resource until it reaches a final state, for both clients.

``client.wait_for_<resource>(...)`` (and ``await`` on the async client) calls the resource's
``Get`` operation until its status is one of the waiter's success states, and returns that last
response model. A failure state raises :class:`~customer_profiles_sdk.errors.WaiterFailedError`,
the ``timeout`` raises :class:`~customer_profiles_sdk.errors.WaiterTimeoutError`; both are
botocore ``WaiterError`` s and hold the last response. ``wait_for_<resource>_deleted(...)``
waits until the ``Get`` operation answers 404 and returns None.

Between polls the waiter sleeps ``delay`` seconds, doubling up to ``max_delay``, each pause with
"equal jitter" (between half and all of it); it never sleeps past the ``timeout``. Throttling
(the throttling codes botocore knows, whatever the status), 5xx answers, request timeouts and
transport errors while polling are retried the same way, within the ``timeout``; any other error
is raised at once. ``progress`` is called after every poll with a :class:`WaitProgress`.
``sleep`` replaces the pause (a test can pass the emulator's ``advance``; on the async client it
may be a coroutine function): then the timeout counts the seconds slept, or the wall clock if
more time passed. Every option is checked before the first poll (ParamValidationError naming
each broken one, never its value).

The table of waiters is generated (``codegen/waiters.py``); :class:`Waiting` holds the polling
logic without I/O, and the clients only call and sleep (docs/design.md, section 17).
"""

from __future__ import annotations

import inspect
import itertools
import math
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
    quoted,
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


#: Error codes that mean "slow down" or "try again" whatever the HTTP status (botocore's standard
#: retry mode treats the same codes so; an unmodeled one arrives as UnmodeledServiceError).
_RETRYABLE_CODES = frozenset({
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
    "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
    "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
    "EC2ThrottledException", "RequestTimeout", "RequestTimeoutException",
})
#: The most states ``success_states``/``failure_states`` may list (each enum has at most 8 values).
MAX_STATES = 64


def _retryable(exc: BaseException) -> bool:
    """Errors worth polling again: throttling, a 5xx answer, no usable HTTP response."""
    if isinstance(exc, ThrottlingError | InternalServerError | TransportError):
        return True
    if isinstance(exc, UnmodeledServiceError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if isinstance(status, int) and (status >= 500 or status == 429):
            return True
        return exc.code in _RETRYABLE_CODES
    return False


def _number(name: str, value: Any, minimum: float, *, above: bool = False, infinite: bool = False) -> Problem | None:
    """The problem with an option that must be a real number ``>= minimum`` (``> minimum`` if
    ``above``), finite unless ``infinite``, or None. Never quotes the value."""
    rule = f"must be a number {'>' if above else '>='} {minimum:g}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return Problem(name, "type", rule)
    try:
        number = float(value)
    except OverflowError:  # an int too large for a float
        return Problem(name, "max", "must be finite" if not infinite else "is too large")
    if math.isnan(number) or number < minimum or (above and number == minimum):
        return Problem(name, "min" if not math.isnan(number) else "type", rule)
    if math.isinf(number) and not infinite:
        return Problem(name, "max", "must be finite")
    return None


def _state_text(status: str | None) -> str:
    """A status read from the service, as an error's text may show it (bounded, escaped)."""
    return "not in a final state" if status is None else quoted(status, 64)


class Waiting:
    """The state of one wait, without I/O: the client polls, then tells it what came back.

    :meth:`answered` takes a response model, :meth:`failed` an exception; each returns the
    pause before the next poll, or None when the wait is over (:attr:`result` holds what to
    return), or raises the waiter's error. :meth:`failed` re-raises what is not worth retrying.

    ``sleep`` is the caller's replacement for the pause (only checked here: the client calls it),
    ``asynchronous`` says whether the client awaits it (a coroutine function is refused on the
    sync client, where it would pause for nothing). ``custom_sleep`` counts the seconds slept in
    the timeout even without ``sleep``; ``clock`` and ``jitter`` are for tests.
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
        sleep: Any = None,
        asynchronous: bool = False,
        custom_sleep: bool = False,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        # Every option is checked before the first poll, and every problem is named at once.
        problems = [p for p in (_number("delay", delay, 0, above=True), _number("max_delay", max_delay, 0),
                                _number("timeout", timeout, 0, infinite=True)) if p is not None]
        success = self._states(spec, "success_states", success_states, spec.success, problems)
        failure = self._states(spec, "failure_states", failure_states, spec.failure, problems)
        if not problems and set(success) & set(failure):
            problems.append(Problem("failure_states", "conflict", "shares a state with success_states"))
        if not problems and not deleted and spec.status is not None and not success:
            problems.append(Problem("success_states", "min_length", "must name at least one state"))
        if progress is not None and not callable(progress):
            problems.append(Problem("progress", "type", "must be callable"))
        if sleep is not None and not callable(sleep):
            problems.append(Problem("sleep", "type", "must be callable"))
        elif sleep is not None and not asynchronous and _is_async(sleep):
            # Called without "await", it would return a coroutine and pause for nothing.
            problems.append(Problem("sleep", "type", "must be a plain function on the sync client (this one "
                                                     "is a coroutine function: use the async client)"))
        if problems:
            raise ParamValidationError(f"wait_for_{spec.name}{'_deleted' if deleted else ''}", problems)
        self.spec = spec
        self.deleted = deleted
        self.success = frozenset(success)
        self.failure = frozenset(failure)
        self.delay = float(delay)
        #: A ``max_delay`` below ``delay`` is lifted to it: the first pause is always ``delay``.
        self.max_delay = max(float(max_delay), self.delay)
        self.timeout = float(timeout)
        self.progress = progress
        self._custom_sleep = custom_sleep or sleep is not None
        self._clock = clock
        self._jitter = jitter
        self._start = clock()
        self._slept = 0.0
        self.attempt = 0
        self.result: Any = None
        self._last: Any = None
        self._last_status: str | None = None
        self._last_error: str | None = None

    @staticmethod
    def _states(spec: WaiterSpec, name: str, given: Iterable[str] | None, default: tuple[str, ...],
                problems: list[Problem]) -> tuple[str, ...]:
        if given is None:
            return default
        if isinstance(given, str | bytes | bytearray) or not isinstance(given, Iterable):
            problems.append(Problem(name, "type", "must be a list of states"))
            return ()
        # Bounded: an endless iterator is refused, not read forever.
        states = tuple(itertools.islice(given, MAX_STATES + 1))
        if len(states) > MAX_STATES:
            problems.append(Problem(name, "max_length", f"must list at most {MAX_STATES} states"))
            return ()
        plain: list[str] = []
        for index, state in enumerate(states):
            # An enum member (a str subclass) counts as its value; anything else is refused.
            value = str.__str__(state) if isinstance(state, str) else None
            if value is None or value not in spec.states:
                problems.append(Problem(f"{name}[{index}]", "enum",
                                        "must be one of " + ", ".join(spec.states) if spec.states else "no states"))
            else:
                plain.append(value)
        return tuple(plain)

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
            if response is None and self._last_error is not None:
                state = f"the last poll failed ({self._last_error})"
                if self._last_status is not None:
                    state += f"; the last status read was {_state_text(self._last_status)}"
            elif self.deleted:
                state = "still there" + (f" (status {_state_text(status)})" if status is not None else "")
            else:
                state = f"still {_state_text(status)}"
            raise WaiterTimeoutError(
                self.name, f"{state} after {elapsed:.1f} s, and the next poll would come after the timeout of "
                f"{self.timeout:g} s", self._last, self._last_status, elapsed)
        self._report(status, pause, response)
        self._slept += pause
        return pause

    def _report(self, status: str | None, pause: float | None, response: Any) -> None:
        if self.progress is not None:
            self.progress(WaitProgress(self.name, self.attempt, self.elapsed, status, pause, response))

    def answered(self, response: Any) -> float | None:
        """A poll answered: the pause before the next one, or None (done: see :attr:`result`)."""
        self.attempt += 1
        self._last_error = None
        status = None
        if self.spec.status is not None:
            value = response.__dict__.get(self.spec.status)
            value = getattr(value, "value", value)
            status = str.__str__(value) if isinstance(value, str) else None
        self._last, self._last_status = response, status
        if self.deleted:
            return self._next(status, response)
        if status in self.success or (self.spec.status is None and not self.success):
            self.result = response
            self._report(status, None, response)
            return None
        if status in self.failure:
            self._report(status, None, response)
            raise WaiterFailedError(self.name, f"reached the failure state {_state_text(status)}", response, status,
                                    self.elapsed)
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
        # Only the class and code go into a later timeout's text (a message may quote values).
        code = getattr(exc, "code", None)
        self._last_error = type(exc).__name__ + (f" {quoted(code, 64)}" if isinstance(code, str) and code else "")
        return self._next(None, None)


def _is_async(function: Any) -> bool:
    """Whether calling ``function`` gives an awaitable to wait for (a coroutine function, also
    behind ``functools.partial``, or an object whose ``__call__`` is one)."""
    if inspect.iscoroutinefunction(function):
        return True
    # A callable object whose class defines "async def __call__".
    return inspect.iscoroutinefunction(inspect.getattr_static(type(function), "__call__", None))
