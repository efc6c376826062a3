"""How the cost of log redaction grows with the size of hostile text (docs/performance.md).

    python benchmarks/redaction_scaling.py                # 16 KB .. 1 MB, median of 3 rounds
    python benchmarks/redaction_scaling.py --quick        # 2 KB .. 16 KB, one round (smoke run)
    python benchmarks/redaction_scaling.py --code /tmp/old --cap 10   # an older checkout

Each family is text built to defeat one part of the redaction (a regex that could retry from
every quote, a scanner that could restart at every bracket, ...), carried into a log record the
way such text arrives: as an argument, as a record formatted elsewhere, as a template, as the
text of an exception in a chain (a garbage HTTP status line), as a traceback already rendered.
Sizes double; the table shows the median time of ``redact_record`` at each size and the ratio
between the largest size and the size 8 times smaller. Linear work gives about 8; the claim
checked is "input x8 costs well under x16". A full run exits with status 1 if a family breaks it;
``--quick`` never does (its sizes are too small to mean anything).

``--code DIR`` measures ``DIR/customer_profiles_sdk/logging.py`` instead (the module imports only
the standard library, so it is loaded from its file); ``--cap S`` stops a family at the first
size that takes more than S seconds, so that quadratic code does not run for hours.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import logging
import random
import signal
import statistics
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.client import BadStatusLine
from pathlib import Path
from types import ModuleType, TracebackType
from typing import Any

_ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


class _Capped(BaseException):
    """Raised by the timer when a point takes longer than the cap (not an Exception: the
    redaction code catches those)."""


@dataclass(frozen=True)
class Family:
    name: str
    mode: str  # argument | formatted | template | exception | exc_text
    unit: str = ""
    prefix: str = ""
    make: Callable[[int], str] | None = None

    def text(self, size: int) -> str:
        if self.make is not None:
            return self.make(size)
        body = size - len(self.prefix)
        return self.prefix + (self.unit * (body // len(self.unit) + 1))[:body]


def _random_bytes(size: int) -> str:
    return random.Random(13).randbytes(size).decode("latin-1")


_TOKENS = ("'", '"', "\\", "\n", "\r", " ", "{", "}", "[", "]", "(", ")", ":", "=", ",", "b", "1", "?", "/", "<", ">",
           "%", "'body': ", "'query_string': ", "Authorization", "Credential=", "<redacted>", "\\'", '\\"', "b'",
           "'{\"", "{\"", "[\"", "when calling the X operation: ")


def _random_tokens(size: int) -> str:
    rng = random.Random(17)
    parts: list[str] = []
    length = 0
    while length < size:
        parts.append(rng.choice(_TOKENS))
        length += len(parts[-1])
    return "".join(parts)[:size]


FAMILIES = (
    # The reported one: every quote opens a str literal that looks like JSON and never closes.
    Family("'{\"\\ repeated", "argument", "'{\"\\"),
    Family("'{\"\\ in a BadStatusLine (exc_info)", "exception", "'{\"\\"),
    Family("'{\"\\ in a traceback already rendered", "exc_text", "'{\"\\"),
    Family("\"{'\\ repeated", "argument", "\"{'\\"),
    Family("\\'[\"authorization repeated", "argument", "\\'[\"authorization"),
    # (after one character: an argument that starts like JSON is replaced whole, unread)
    Family('{"a": repeated', "argument", '{"a":', prefix="x"),
    Family("[\"a\\\", repeated", "argument", '["a\\",', prefix="x"),
    Family("{\"a\":[ repeated (never closed)", "argument", '{"a":[', prefix="x"),
    Family("' (unbalanced quotes)", "argument", "'"),
    Family("'a\" (mixed quotes)", "argument", "'a\""),
    Family("backslashes", "argument", "\\"),
    Family("\\' repeated", "argument", "\\'"),
    Family("b'\\' repeated", "argument", "b'\\'"),
    Family("[ (nested brackets)", "argument", "["),
    Family("{'body': [ (nested)", "argument", "{'body': ["),
    Family("'body': repeated", "argument", "'body': "),
    Family("'query_string': { repeated", "argument", "'query_string': {"),
    Family("key= repeated", "argument", "key="),
    Family('"Key": " repeated', "argument", '"Key": "'),
    Family("Authorization: '\\r repeated", "argument", "Authorization: '\r"),
    Family("Credential= repeated", "argument", "Credential="),
    Family("digits", "argument", "1"),
    Family("whitespace", "argument", " \t"),
    Family("/p?a= repeated", "argument", "/p?a="),
    Family("when calling the X operation: ", "argument", "when calling the X operation: "),
    Family("random bytes as text", "argument", make=_random_bytes),
    Family("random redaction tokens", "argument", make=_random_tokens),
    Family("Response: <redacted... (formatted)", "formatted", "redacted", prefix="Response: <"),
    Family("'{\"\\ (formatted record)", "formatted", "'{\"\\"),
    Family("%( repeated (template)", "template", "%("),
    Family("%(key ... )s (template)", "template", make=lambda size: "%(" + "k" * (size - 4) + ")s"),
)


def _load(code: str | None) -> ModuleType:
    if code is None:
        import customer_profiles_sdk.logging as module

        return module
    path = Path(code) / "customer_profiles_sdk" / "logging.py"
    spec = importlib.util.spec_from_file_location("_redaction_under_test", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _exc_info(text: str) -> _ExcInfo:
    """A garbage status line kept in an exception chain, as urllib3 raises it."""
    try:
        from urllib3.exceptions import ProtocolError
    except ImportError:  # pragma: no cover - urllib3 comes with botocore
        ProtocolError = ConnectionError  # type: ignore[misc,assignment]
    try:
        try:
            raise BadStatusLine(text)
        except BadStatusLine as bad:
            raise ProtocolError("Connection aborted.", bad) from bad
    except ProtocolError as error:
        return type(error), error, error.__traceback__


def _record(family: Family, text: str, exc_info: _ExcInfo | None) -> logging.LogRecord:
    if family.mode == "argument":
        return logging.LogRecord("urllib3.connectionpool", logging.DEBUG, __file__, 1, "got %s", (text,), None)
    if family.mode == "formatted":
        return logging.makeLogRecord({"name": "botocore.parsers", "msg": text, "args": None})
    if family.mode == "template":
        return logging.LogRecord("botocore.endpoint", logging.DEBUG, __file__, 1, text, ({"k": b"x"},), None)
    if family.mode == "exception":
        return logging.LogRecord("botocore.endpoint", logging.DEBUG, __file__, 1, "Exception received", (), exc_info)
    return logging.makeLogRecord({"name": "urllib3.connectionpool", "msg": "failed", "args": None, "exc_text": text})


def _timed(redact: Callable[[logging.LogRecord], Any], record: logging.LogRecord, cap: float | None) -> float:
    timer = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if cap is not None and timer:
        def expire(signum: int, frame: object) -> None:
            raise _Capped

        previous = signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, cap)
    gc.collect()
    started = time.perf_counter()
    try:
        redact(record)
    finally:
        if cap is not None and timer:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    return time.perf_counter() - started


def _clear_caches(module: ModuleType) -> None:
    """Forget the templates already parsed (older versions cached every template, however long)."""
    for name in ("_conversions", "_cached_conversions"):
        clear = getattr(getattr(module, name, None), "cache_clear", None)
        if clear is not None:
            clear()


def _group(depth: int) -> Exception:
    """Groups nested ``depth`` deep, each holding the same member 32 times."""
    member: Exception = ValueError("member")
    for _ in range(depth):
        member = ExceptionGroup("group", [member] * 32)
    return member


def _label(size: int) -> str:
    return f"{size // 1024}K" if size < 1 << 20 else f"{size >> 20}M"


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smoke run: small sizes, one round, no verdict")
    parser.add_argument("--rounds", type=int, default=None, help="rounds per point (median); default 3, quick 1")
    parser.add_argument("--code", default=None, help="a checkout whose customer_profiles_sdk/logging.py to measure")
    parser.add_argument("--cap", type=float, default=None, help="seconds after which a family stops growing")
    parser.add_argument("--only", default=None, help="only the families whose name holds this text")
    args = parser.parse_args(argv)
    module = _load(args.code)
    redact = module.redact_record
    rounds = args.rounds or (1 if args.quick else 3)
    sizes = [1 << shift for shift in (range(11, 15) if args.quick else range(14, 21))]
    wide = 8 if not args.quick else 7
    print(f"redact_record, median of {rounds} round(s), milliseconds; x8 = t({_label(sizes[-1])}) / "
          f"t({_label(sizes[-4])})" + (f"; capped at {args.cap:g} s per point" if args.cap else ""))
    print(f"{'family':42}" + "".join(f"{_label(size):>{wide}}" for size in sizes) + f"{'x8':>7}  verdict")
    ratios: dict[str, float] = {}
    failed = False  # a full run's verdict
    for family in FAMILIES:
        if args.only and args.only not in family.name:
            continue
        times: list[float | None] = []
        for size in sizes:
            if times and times[-1] is None:
                times.append(None)
                continue
            text = family.text(size)
            exc_info = _exc_info(text) if family.mode == "exception" else None
            samples = []
            try:
                for _ in range(rounds):
                    _clear_caches(module)
                    samples.append(_timed(redact, _record(family, text, exc_info), args.cap))
            except _Capped:
                times.append(None)
                continue
            times.append(statistics.median(samples))
        cells = "".join(f"{'>cap' if t is None else f'{t * 1000:.1f}':>{wide}}" for t in times)
        first, last = times[-4], times[-1]
        ratio = float("inf") if first is None or last is None else last / max(first, 1e-9)
        verdict = "ok" if ratio < 16 else "capped" if ratio == float("inf") else "SUPER-LINEAR"
        verdict = "(quick)" if args.quick else verdict
        failed = failed or ratio >= 16
        ratios[family.name] = ratio
        print(f"{family.name[:41]:42}{cells}{ratio:7.1f}  {verdict}")

    depths = range(1, 4) if args.quick else range(1, 7)
    print("\nexception groups nested d deep, each holding one member 32 times (32**d members if repeated)")
    print("  " + "".join(f"{'d=' + str(d):>9}" for d in depths))
    shown: list[str] = []
    for depth in depths:
        group = _group(depth)
        record = logging.LogRecord("botocore.endpoint", logging.DEBUG, __file__, 1, "failed", (),
                                   (type(group), group, None))
        try:
            shown.append(f"{_timed(redact, record, args.cap) * 1000:9.1f}")
        except _Capped:
            shown.append(f"{'>cap':>9}")
            break
    print("  " + "".join(shown) + "  ms")
    if args.quick:
        print("(quick run: figures not meaningful)")
    elif failed:
        print("SUPER-LINEAR: some family costs x16 or more for x8 input")
    return ratios


if __name__ == "__main__":
    ratios = main()
    sys.exit(0 if "--quick" in sys.argv or all(ratio < 16 for ratio in ratios.values()) else 1)
