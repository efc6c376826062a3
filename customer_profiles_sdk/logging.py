"""Keep personal data and credentials out of botocore's, boto3's and urllib3's logs.

With DEBUG logging on (``boto3.set_stream_logger('')``, ``logging.basicConfig(level=logging.DEBUG)``),
botocore logs every request body, the signed request headers (``Authorization``,
``X-Amz-Security-Token``), the canonical request and string to sign, and every response body.
For Customer Profiles those bodies are names, email addresses, phone numbers and addresses.

:func:`redact_botocore_logs` rewrites every record emitted under the ``botocore``, ``boto3``,
``urllib3`` and ``s3transfer`` loggers (and their children, including loggers created later) as the
record is created, before any filter or handler sees it::

    from customer_profiles_sdk.logging import redact_botocore_logs

    redact_botocore_logs()            # for the rest of the process
    with redact_botocore_logs():      # or for a block only
        ...

:class:`RedactingFilter` applies the same rewriting on one handler of your choice.

What is replaced: request and response bodies (only their size in bytes is kept), the values of
the ``Authorization``, ``X-Amz-Security-Token`` and a few other secret-bearing headers, the
``Credential=`` and ``Signature=`` parts of a signature, everything botocore's signer logs (the
canonical request, the string to sign, the signature), query strings in URLs (the path is kept),
the service's text in ``ClientError`` messages, and parser errors that quote a response. What is
kept: event names, operation names, methods, URL paths, status codes, retry decisions, header
names and the other header values (request ids included). See docs/security.md.

The module is hand-written, imports only the standard library, and never raises from a log call:
if a record cannot be rewritten, its message is replaced by a fixed placeholder.
"""

from __future__ import annotations

import ast
import functools
import logging as _logging
import numbers
import re
import threading
import traceback
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import Any, Final

__all__ = [
    "LOGGER_NAMES",
    "SENSITIVE_HEADERS",
    "RedactingFilter",
    "Redaction",
    "redact_botocore_logs",
    "redact_record",
]

#: The top-level loggers whose records are rewritten (each with all its children).
LOGGER_NAMES: Final[tuple[str, ...]] = ("botocore", "boto3", "urllib3", "s3transfer")

#: Header names (lower case) whose values are never logged.
SENSITIVE_HEADERS: Final[frozenset[str]] = frozenset({
    "authorization",
    "proxy-authorization",
    "x-amz-security-token",
    "x-aws-ec2-metadata-token",
    "cookie",
    "set-cookie",
    "x-amz-server-side-encryption-customer-key",
    "x-amz-copy-source-server-side-encryption-customer-key",
})

REDACTED: Final = "<redacted>"
_QUERY_MARK: Final = "<query redacted>"
_FAILED: Final = "<log message redacted: it could not be rewritten safely>"
_MARK: Final = "_customer_profiles_sdk_redacted"

#: Loggers whose arguments are all secret-bearing (canonical request, string to sign, signature),
#: apart from the few messages listed in _AUTH_HARMLESS.
_AUTH_LOGGERS: Final = ("botocore.auth", "botocore.crt", "botocore.signers")
_AUTH_HARMLESS: Final = frozenset({
    "HTTP request method: %s",
    "Unsupported auth schemes in preference list: %r",
})
#: Exception classes (matched by name anywhere in the MRO) whose text may quote a whole response.
_OPAQUE_EXCEPTIONS: Final = frozenset({"ResponseParserError", "HeaderParsingError"})
_MAX_DEPTH: Final = 8
_MAX_CHAIN: Final = 32


# ---------------------------------------------------------------------------------------------
# Rendering values safely
# ---------------------------------------------------------------------------------------------


class _Shown:
    """A pre-rendered argument: the same text for ``%s`` and ``%r``."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text

    __str__ = __repr__


def _body_marker(body: object) -> str:
    if body is None:
        return "None"
    if isinstance(body, bytes | bytearray):
        return f"<body redacted: {len(body)} bytes>"
    if isinstance(body, memoryview):
        return f"<body redacted: {body.nbytes} bytes>"
    if isinstance(body, str):
        return f"<body redacted: {len(body.encode('utf-8', 'replace'))} bytes>"
    if isinstance(body, Mapping):
        return f"<body redacted: {len(body)} parameters>"
    return f"<body redacted: {type(body).__name__}>"


def _literal_size(literal: str) -> str:
    try:
        value = ast.literal_eval(literal)
    except Exception:
        return "<body redacted>"
    return _body_marker(value)


_HEADER_NAMES = "|".join(re.escape(name) for name in sorted(SENSITIVE_HEADERS, key=len, reverse=True))
_BYTES_RE = re.compile(r"""(?<![\w'"])b(?:'(?:[^'\\\n]|\\.)*+'|"(?:[^"\\\n]|\\.)*+")""")
#: A str literal holding JSON (a body decoded to text): '{"...' or '[{...'.
_JSON_STR_RE = re.compile(
    r"""(?<![\w'"])(?:'\s*[\[{]\s*["{\[](?:[^'\\\n]|\\.)*+'|"\s*[\[{]\s*['{\[](?:[^"\\\n]|\\.)*+")"""
)
_HEADER_RE = re.compile(
    r"(?P<name>(?<![\w-])(?:" + _HEADER_NAMES + r")(?![\w-])['\"]?)(?P<sep>\s*[:=]\s*)"
    r"(?P<value><redacted>|b?'(?:[^'\\\n]|\\.)*+'|b?\"(?:[^\"\\\n]|\\.)*+\"|[^\r\n]*)",
    re.IGNORECASE,
)
_SIGV4_RE = re.compile(r"(?P<key>(?:Credential|Signature))=(?!<redacted>)[^\s,&'\"<>]+", re.IGNORECASE)
_SERVICE_MESSAGE_RE = re.compile(
    r"(?P<head>when calling the [\w.-]+ operation(?: \(reached max retries: \d+\))?): "
    r"(?!<service message redacted>)[^\r\n]*"
)
#: A query string: what follows a "?" up to a delimiter. Redacted when it follows a path (a "/" in
#: the same token) or looks like one (has "=").
_QUERY_RE = re.compile(r"\?[^\s#'\"<>]+")
_TOKEN_END = re.compile(r"[\s'\"<>(\[{]")


def _query(match: re.Match[str]) -> str:
    text = match.string
    start = match.start()
    window = text[max(0, start - 4096) : start]
    cut = max((m.end() for m in _TOKEN_END.finditer(window)), default=0)
    if "/" in window[cut:] or "=" in match.group(0):
        return "?" + _QUERY_MARK
    return match.group(0)


def _scrub(text: str) -> str:
    """The safety net applied to every piece of text: bodies, secrets and queries it recognizes."""
    if "b'" in text or 'b"' in text:
        text = _BYTES_RE.sub(lambda m: _literal_size(m.group(0)), text)
    if "'{" in text or "'[" in text or '"{' in text or '"[' in text:
        text = _JSON_STR_RE.sub(lambda m: _literal_size(m.group(0)), text)
    text = _HEADER_RE.sub(lambda m: f"{m.group('name')}{m.group('sep')}{REDACTED}", text)
    if "=" in text:
        text = _SIGV4_RE.sub(lambda m: f"{m.group('key')}={REDACTED}", text)
    if "when calling the " in text:
        text = _SERVICE_MESSAGE_RE.sub(lambda m: f"{m.group('head')}: <service message redacted>", text)
    if "?" in text:
        text = _QUERY_RE.sub(_query, text)
    return text


def _exception_message(exc: BaseException) -> str:
    try:
        text = str(exc)
    except Exception:
        return "<exception text unavailable>"
    if any(cls.__name__ in _OPAQUE_EXCEPTIONS for cls in type(exc).__mro__):
        return f"<message redacted: {len(text)} characters>"
    return _scrub(text)


def _looks_like_json(text: str) -> bool:
    """A whole argument that is a JSON object or array of objects/strings: a body decoded to text."""
    head = text[:64].lstrip()[:2]
    return head in ('{"', '[{', '["') or (head[:1] in ("{", "[") and head[1:] in ("\n", "\r", "\t", " "))


def _is_request(value: object) -> bool:
    return all(hasattr(value, attr) for attr in ("method", "url", "headers")) and not isinstance(value, type)


def _render_headers(headers: object, depth: int) -> str:
    if not isinstance(headers, Mapping):
        return _render(headers, True, depth + 1)
    parts = []
    for name, value in headers.items():
        shown_name = _render(name, True, depth + 1)
        if isinstance(name, bytes | bytearray):
            name = bytes(name).decode("latin-1")
        if isinstance(name, str) and name.lower() in SENSITIVE_HEADERS:
            parts.append(f"{shown_name}: {REDACTED}")
            continue
        if isinstance(value, bytes | bytearray):
            value = bytes(value).decode("latin-1")
        parts.append(f"{shown_name}: {_render(value, True, depth + 1)}")
    return "{" + ", ".join(parts) + "}"


def _render_request(request: object, depth: int) -> str:
    url = getattr(request, "url", None)
    parts = []
    if hasattr(request, "stream_output"):
        parts.append(f"stream_output={getattr(request, 'stream_output', None)}")
    parts.append(f"method={_render(getattr(request, 'method', None), False, depth + 1)}")
    parts.append(f"url={_render(url, False, depth + 1)}")
    parts.append(f"headers={_render_headers(getattr(request, 'headers', None), depth)}")
    if hasattr(request, "body"):
        parts.append(f"body={_body_marker(getattr(request, 'body', None))}")
    return f"<{type(request).__name__} {', '.join(parts)}>"


def _render_mapping(mapping: Mapping[Any, Any], depth: int) -> str:
    parts = []
    for key, value in mapping.items():
        shown_key = _render(key, True, depth + 1)
        lowered = key.lower() if isinstance(key, str) else None
        if lowered in SENSITIVE_HEADERS:
            shown = REDACTED
        elif lowered == "body":
            shown = _body_marker(value)
        elif lowered == "headers":
            shown = _render_headers(value, depth)
        elif lowered == "query_string":
            size = len(value) if isinstance(value, Mapping | list | tuple | str) else 1
            shown = repr(value) if not value else f"<query redacted: {size} parameters>"
        else:
            shown = _render(value, True, depth + 1)
        parts.append(f"{shown_key}: {shown}")
    return "{" + ", ".join(parts) + "}"


def _render(value: object, as_repr: bool, depth: int = 0) -> str:
    """The text of ``value`` as ``%r`` (``as_repr``) or ``%s`` would show it, with data removed."""
    if value is None or isinstance(value, bool | numbers.Number):
        return repr(value) if as_repr else str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return _body_marker(value)
    if isinstance(value, str):
        if _looks_like_json(value):
            return _body_marker(value)
        return _scrub(repr(value) if as_repr else value)
    if isinstance(value, BaseException):
        message = _exception_message(value)
        return f"{type(value).__name__}({message!r})" if as_repr else message
    if depth > _MAX_DEPTH:
        return f"<{type(value).__name__}>"
    if isinstance(value, Mapping):
        return _render_mapping(value, depth)
    if isinstance(value, list | tuple | set | frozenset):
        items = ", ".join(_render(item, True, depth + 1) for item in value)
        if isinstance(value, list):
            return f"[{items}]"
        if isinstance(value, tuple):
            return f"({items},)" if len(value) == 1 else f"({items})"
        return "{" + items + "}" if value else f"{type(value).__name__}()"
    if _is_request(value):
        return _render_request(value, depth)
    return _scrub(repr(value) if as_repr else str(value))


_SPEC_RE = re.compile(
    r"%(?:\((?P<key>[^)]*)\))?[#0 +\-]*(?P<width>\*|\d+)?(?:\.(?P<precision>\*|\d+))?[hlL]?(?P<conv>[%a-zA-Z])"
)


@functools.lru_cache(maxsize=1024)
def _conversions(template: str) -> tuple[tuple[str | None, str], ...] | None:
    """(mapping key, conversion) for each argument of a %-template; None if it takes ``*`` widths."""
    found = []
    for match in _SPEC_RE.finditer(template):
        conv = match.group("conv")
        if conv == "%":
            continue
        if match.group("width") == "*" or match.group("precision") == "*":
            return None
        found.append((match.group("key"), conv))
    return tuple(found)


def _safe_arg(value: object, conv: str) -> object:
    if value is None or isinstance(value, bool | numbers.Number):
        return value  # numbers carry no personal data, and %d / %f need the number itself
    if isinstance(value, str) and conv == "s" and not _looks_like_json(value):
        return _scrub(value)
    return _Shown(_render(value, conv in "ra"))


def _rule(template: str, name: str) -> Callable[[tuple[object, ...]], tuple[object, ...]] | None:
    """Arguments for log calls known to carry data in the library versions this was written for."""
    if name.startswith(_AUTH_LOGGERS) and template not in _AUTH_HARMLESS:
        return _all_redacted
    return _RULES.get(template)


def _all_redacted(args: tuple[object, ...]) -> tuple[object, ...]:
    return tuple(_Shown(REDACTED) for _ in args)


def _replace(index: int, show: Callable[[object], str]) -> Callable[[tuple[object, ...]], tuple[object, ...]]:
    def apply(args: tuple[object, ...]) -> tuple[object, ...]:
        if len(args) <= index:
            return args
        return (*args[:index], _Shown(show(args[index])), *args[index + 1 :])

    return apply


def _described(what: str) -> Callable[[object], str]:
    def show(value: object) -> str:
        size = f": {len(value)} items" if isinstance(value, Mapping | list | tuple) else ""
        return f"<{what} redacted{size}>"

    return show


def _type_only(value: object) -> str:
    return f"<{type(value).__name__}, redacted>"


def _config_value(args: tuple[object, ...]) -> tuple[object, ...]:
    name = str(args[0]).lower() if args else ""
    if any(word in name for word in ("key", "token", "secret", "password", "credential")):
        return _replace(1, lambda value: REDACTED)(args)
    return args


_RULES: dict[str, Callable[[tuple[object, ...]], tuple[object, ...]]] = {
    # botocore.parsers: the raw answer.
    "Response body:\n%r": _replace(0, _body_marker),
    # botocore.handlers (S3 200-with-error): the parsed error, the raw body.
    "Error found for response with 200 status code, errors: %s, changing status code to 500.":
        _replace(0, _described("parsed response")),
    "Error found for response with 200 status code: %s.": _replace(0, _body_marker),
    # botocore.compress / botocore.awsrequest: the body itself or a stream holding it.
    "Unable to get length of the request body: %s. Skipping compression.": _replace(0, _body_marker),
    "Rewinding stream: %s": _replace(0, _type_only),
    # botocore.monitoring: any value it truncates (client-side monitoring events).
    "Truncating following value to maximum length of %s: %s": _replace(0, _described("value")),
    # botocore.discovery: the operation's parameters.
    "Discovering endpoints with kwargs: %s": _replace(0, _described("parameters")),
    "Endpoint Discovery has failed for: %s": _replace(0, _described("parameters")),
    # botocore.utils (instance metadata): the error document of a credentials request.
    "Error response received when retrieving credentials: %s.": _replace(0, _described("response")),
    # botocore.session: configuration values, secrets included when named so.
    "Setting config variable for %s to %r": _config_value,
    # boto3 resources and DynamoDB batch writer: parameters, responses and items.
    "Calling %s:%s with %r": _replace(2, _described("parameters")),
    "Calling paginated %s:%s with %r": _replace(2, _described("parameters")),
    "Response: %r": _replace(0, _described("response")),
    "With overwrite_by_pkeys enabled, skipping request:%s": _replace(0, _described("item")),
    # urllib3.connection: the unparsed header bytes inside the error.
    "Failed to parse headers (url=%s): %s": _replace(1, _type_only),
}


def _message(record: _logging.LogRecord) -> str:
    msg: object = record.msg
    args = record.args
    template = msg if isinstance(msg, str) else _render(msg, False)
    if not args:
        return _scrub(template) if isinstance(msg, str) else template
    name = record.name if isinstance(record.name, str) else ""
    specs = _conversions(template)
    safe: tuple[object, ...] | dict[str, object]
    if isinstance(args, Mapping) and specs is not None and any(key is None for key, _ in specs):
        # logging turns ``log("%s", {...})`` into args={...}: the mapping is the single argument.
        args = (args,)
    if isinstance(args, Mapping):
        by_key = {key: conv for key, conv in specs or () if key is not None}
        safe = {key: _safe_arg(value, by_key.get(str(key), "s")) for key, value in args.items()}
    else:
        values = tuple(args)
        rule = _rule(template, name)
        if rule is not None:
            values = rule(values)
        convs = [conv for _, conv in specs] if specs is not None and len(specs) == len(values) else ["s"] * len(values)
        safe = tuple(_safe_arg(value, conv) for value, conv in zip(values, convs, strict=True))
    try:
        text = template % safe
    except Exception:
        return f"{_scrub(template)} <arguments redacted: the message could not be formatted>"
    return _scrub(text)


# ---------------------------------------------------------------------------------------------
# Exceptions attached to records
# ---------------------------------------------------------------------------------------------

_CAUSE = "\nThe above exception was the direct cause of the following exception:\n\n"
_CONTEXT = "\nDuring handling of the above exception, another exception occurred:\n\n"


def _exception_line(exc: BaseException) -> str:
    cls = type(exc)
    qualname = getattr(cls, "__qualname__", cls.__name__)
    module = getattr(cls, "__module__", None)
    name = qualname if module in (None, "__main__", "builtins") else f"{module}.{qualname}"
    message = _exception_message(exc)
    line = f"{name}: {message}" if message else name
    notes = getattr(exc, "__notes__", None)
    if isinstance(notes, list | tuple):
        line += "".join(f"\n{_scrub(str(note))}" for note in notes)
    subs = getattr(exc, "exceptions", None)
    if isinstance(exc, BaseExceptionGroup) and isinstance(subs, tuple):
        line += "".join(f"\n  +-- {_exception_line(sub)}" for sub in subs[:_MAX_CHAIN])
    return line


def _format_exception(exc: BaseException, tb: TracebackType | None) -> str:
    """Like ``Formatter.formatException``: the traceback lines (code only) and scrubbed messages."""
    chain: list[tuple[BaseException, str]] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(chain) < _MAX_CHAIN:
        seen.add(id(current))
        if current.__cause__ is not None:
            chain.append((current, _CAUSE))
            current = current.__cause__
        elif current.__context__ is not None and not current.__suppress_context__:
            chain.append((current, _CONTEXT))
            current = current.__context__
        else:
            chain.append((current, ""))
            current = None
    parts: list[str] = []
    for index in range(len(chain) - 1, -1, -1):
        item, _ = chain[index]
        if index < len(chain) - 1:
            parts.append(chain[index][1])
        trace = tb if item is exc else item.__traceback__
        if trace is not None:
            parts.append("Traceback (most recent call last):\n")
            parts.extend(traceback.format_tb(trace))
        parts.append(_exception_line(item) + "\n")
    return "".join(parts).rstrip("\n")


# ---------------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------------


def redact_record(record: _logging.LogRecord) -> _logging.LogRecord:
    """Rewrite ``record`` in place (message, arguments, attached exception) and return it.

    The message is formatted once with redacted arguments and stored as ``record.msg`` (with
    ``record.args`` emptied). An attached exception is rendered into ``record.exc_text`` with
    redacted messages, and ``record.exc_info`` is cleared so that no formatter renders the original.
    A record is rewritten once, however often this is called. Never raises.
    """
    try:
        if record.__dict__.get(_MARK):
            return record
        try:
            message = _message(record)
        except Exception:
            message = _FAILED
        exc_text: str | None = None
        exc_info = record.exc_info
        if exc_info and exc_info[1] is not None:
            try:
                exc_text = _format_exception(exc_info[1], exc_info[2])
            except Exception:
                exc_text = "<exception redacted: it could not be rewritten safely>"
        elif record.exc_text:
            exc_text = _scrub(record.exc_text)
        record.msg = message
        record.args = ()
        if exc_text is not None:
            record.exc_info = None
            record.exc_text = exc_text
        record.__dict__[_MARK] = True
    except Exception:
        try:
            record.msg, record.args, record.exc_info, record.exc_text = _FAILED, (), None, None
        except Exception:
            pass
    return record


def _in_scope(name: object, roots: frozenset[str] | None) -> bool:
    if roots is None:
        return True
    if not isinstance(name, str):
        return False
    dot = name.find(".")
    return (name if dot < 0 else name[:dot]) in roots


_ROOTS: Final = frozenset(LOGGER_NAMES)


class RedactingFilter(_logging.Filter):
    """A filter that redacts records as :func:`redact_botocore_logs` does, and drops none.

    Attach it to a handler (``handler.addFilter(RedactingFilter())``) to redact what that handler
    emits; ``loggers`` names the top-level loggers whose records are rewritten (``None``: all).
    The record is rewritten in place, so handlers that run after this one see the redacted record.
    """

    def __init__(self, loggers: Iterable[str] | None = LOGGER_NAMES) -> None:
        super().__init__()
        self.loggers: frozenset[str] | None = None if loggers is None else frozenset(loggers)

    def filter(self, record: _logging.LogRecord) -> bool:
        try:
            if _in_scope(record.name, self.loggers):
                redact_record(record)
        except Exception:  # a filter must never break logging
            pass
        return True


# ---------------------------------------------------------------------------------------------
# Installation
# ---------------------------------------------------------------------------------------------


class _RedactingFactory:
    """Wraps the current log record factory; rewrites in-scope records while ``active``."""

    __slots__ = ("active", "previous")

    def __init__(self, previous: Callable[..., _logging.LogRecord]) -> None:
        self.previous = previous
        self.active = True

    def __call__(self, *args: Any, **kwargs: Any) -> _logging.LogRecord:
        record = self.previous(*args, **kwargs)
        if self.active and _in_scope(record.name, _ROOTS):
            redact_record(record)
        return record


_lock = threading.Lock()
_factory: _RedactingFactory | None = None
_holders = 0


def _redacting_now() -> bool:
    """Whether records of the ``botocore`` logger are rewritten by the current factory chain."""
    try:
        probe = _logging.getLogRecordFactory()("botocore", _logging.DEBUG, __file__, 0, "probe", (), None)
    except Exception:
        return False
    return bool(probe.__dict__.get(_MARK))


class Redaction:
    """A handle on the redaction installed by :func:`redact_botocore_logs`.

    :meth:`remove` (or leaving a ``with`` block) gives the handle up; redaction stops when every
    handle has been given up. Removing twice is harmless.
    """

    __slots__ = ("_removed",)

    def __init__(self) -> None:
        self._removed = False

    @property
    def active(self) -> bool:
        """True until this handle is removed."""
        return not self._removed

    def remove(self) -> None:
        global _factory, _holders
        with _lock:
            if self._removed:
                return
            self._removed = True
            _holders = max(0, _holders - 1)
            if _holders > 0 or _factory is None:
                return
            _factory.active = False
            if _logging.getLogRecordFactory() is _factory:
                _logging.setLogRecordFactory(_factory.previous)
                _factory = None
            # Otherwise another factory wraps ours: ours stays in the chain, passing records through.

    def __enter__(self) -> Redaction:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.remove()

    def __repr__(self) -> str:
        return f"<Redaction {'active' if self.active else 'removed'}>"


def redact_botocore_logs() -> Redaction:
    """Redact every record of the botocore, boto3, urllib3 and s3transfer loggers from now on.

    Works for every client in the process (plain boto3 clients included) and every handler,
    whenever it was added. Calling it again installs nothing more and returns another handle;
    redaction stays on until every handle is removed. See the module documentation.
    """
    global _factory, _holders
    with _lock:
        if _factory is not None:
            _factory.active = True
        if not _redacting_now():
            if _factory is not None:
                _factory.active = False  # lost from the chain, or below a factory that drops records
            _factory = _RedactingFactory(_logging.getLogRecordFactory())
            _logging.setLogRecordFactory(_factory)
        _holders += 1
        return Redaction()
