"""Service-side rate limits of the emulator: a token bucket per operation.

Each limited operation has a bucket that fills at its rate (calls per second) and holds at most
:func:`burst` tokens: a tenth of a second's worth of calls, and at least one. A call takes a token;
a call that finds none is answered ``ThrottlingException`` (HTTP 429) and takes nothing, so a
client that keeps calling too fast keeps being throttled while its own rate stays above the limit.
Buckets start full. Over any span of ``t`` seconds, at most ``burst + rate * t`` calls pass.

The settings are checked when they are given: an operation the service does not have, or a rate
that is not a positive finite number, is a ValueError that names the operation and the rule.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ._errors import EmulatorError

#: The seconds of calls a full bucket holds (at least one call).
BURST_SECONDS = 0.1
# Rounding slack: 0.05 s at 100 calls/s is five tokens even when the clock's floats say 4.9999999.
_SLACK = 1e-6


def burst(rate: float) -> float:
    """How many calls a full bucket lets through at once at ``rate`` calls per second."""
    return max(1.0, rate * BURST_SECONDS)


def checked_operation(name: Any) -> str:
    """``name`` if it is an operation of the service; a ValueError naming it otherwise."""
    from ._http import service_model

    if not isinstance(name, str) or not name:
        raise ValueError("a rate limit needs an operation name (PutProfileObject, ...)")
    if name not in service_model().operation_names:
        raise ValueError(f"rate limit for {name!r}: the service has no operation of that name "
                         "(names are the API's, such as BatchPutProfileObject)")
    return name


def checked_rate(operation: str, rate: Any) -> float:
    """``rate`` as a float if it is a positive, finite number of calls per second."""
    if isinstance(rate, bool) or not isinstance(rate, int | float):
        raise ValueError(f"rate limit for {operation}: the rate must be a number of calls per second")
    value = float(rate)
    if math.isnan(value) or value <= 0:
        raise ValueError(f"rate limit for {operation}: the rate must be a positive number of calls per second")
    if math.isinf(value):
        raise ValueError(f"rate limit for {operation}: the rate must be finite (leave the operation out for no limit)")
    return value


def checked_limits(limits: Mapping[str, Any] | None) -> dict[str, float]:
    """Every ``operation: calls per second`` pair, checked."""
    out: dict[str, float] = {}
    for name, rate in (limits or {}).items():
        operation = checked_operation(name)
        out[operation] = checked_rate(operation, rate)
    return out


def parse_option(text: str) -> tuple[str, float]:
    """``OP=TPS`` (the serve command's ``--rate-limit``) as a checked pair; ValueError otherwise."""
    name, sep, rate = text.partition("=")
    name, rate = name.strip(), rate.strip()
    if not sep or not name or not rate:
        raise ValueError("expected OP=TPS, such as PutProfileObject=100")
    operation = checked_operation(name)
    try:
        value = float(rate)
    except ValueError:
        raise ValueError(f"rate limit for {operation}: the rate must be a number of calls per second") from None
    return operation, checked_rate(operation, value)


def throttling_error(operation: str, rate: float) -> EmulatorError:
    return EmulatorError("ThrottlingException",
                         f"Rate exceeded: the emulator limits {operation} to {rate:g} calls per second", 429)


@dataclass
class _Bucket:
    rate: float
    tokens: float
    updated: float


class RateLimits:
    """The per-operation buckets of one emulator; safe to share between threads.

    ``clock`` gives seconds (``time.monotonic`` unless a test gives its own), and only its
    differences count.
    """

    def __init__(self, limits: Mapping[str, Any] | None = None, clock: Callable[[], float] | None = None) -> None:
        self._clock = clock or time.monotonic
        self._lock = threading.Lock()
        self._buckets: dict[str, _Bucket] = {}
        self._throttled: dict[str, int] = {}
        for operation, rate in checked_limits(limits).items():
            self._set(operation, rate)

    def __bool__(self) -> bool:
        return bool(self._buckets)

    @property
    def limits(self) -> dict[str, float]:
        with self._lock:
            return {name: bucket.rate for name, bucket in self._buckets.items()}

    def counts(self) -> dict[str, int]:
        """How many calls of each operation were refused so far."""
        with self._lock:
            return dict(self._throttled)

    def set(self, operation: str, rate: float | None) -> None:
        """Limit ``operation`` to ``rate`` calls per second (a full bucket), or lift its limit (None)."""
        name = checked_operation(operation)
        if rate is None:
            with self._lock:
                self._buckets.pop(name, None)
            return
        self._set(name, checked_rate(name, rate))

    def _set(self, operation: str, rate: float) -> None:
        with self._lock:
            self._buckets[operation] = _Bucket(rate, burst(rate), self._clock())

    def admit(self, operation: str) -> EmulatorError | None:
        """Take a token for one call of ``operation``: None if it may run, the error to answer if not."""
        with self._lock:
            bucket = self._buckets.get(operation)
            if bucket is None:
                return None
            now = self._clock()
            elapsed = max(0.0, now - bucket.updated)  # a clock that goes back adds nothing
            bucket.tokens = min(burst(bucket.rate), bucket.tokens + elapsed * bucket.rate)
            bucket.updated = now
            if bucket.tokens >= 1.0 - _SLACK:
                bucket.tokens -= 1.0
                return None
            self._throttled[operation] = self._throttled.get(operation, 0) + 1
            return throttling_error(operation, bucket.rate)

    def reset(self) -> None:
        """Fill every bucket and forget the throttle counts."""
        with self._lock:
            now = self._clock()
            for bucket in self._buckets.values():
                bucket.tokens, bucket.updated = burst(bucket.rate), now
            self._throttled.clear()
