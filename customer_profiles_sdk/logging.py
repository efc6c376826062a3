"""Keep personal data and credentials out of botocore's, boto3's and urllib3's logs.

With DEBUG logging on (``boto3.set_stream_logger('')``, ``logging.basicConfig(level=logging.DEBUG)``),
botocore logs every request body, the signed request headers (``Authorization``,
``X-Amz-Security-Token``), the canonical request and string to sign, and every response body.
For Customer Profiles those bodies are names, email addresses, phone numbers and addresses.

:func:`redact_botocore_logs` rewrites every record emitted under the ``botocore``, ``boto3``,
``urllib3``, ``s3transfer``, ``aiobotocore`` and ``aioboto3`` loggers (and their children,
including loggers created later) as the record is created, before any filter or handler sees it::

    from customer_profiles_sdk.logging import redact_botocore_logs

    redact_botocore_logs()            # for the rest of the process
    with redact_botocore_logs():      # or for a block only
        ...

:class:`RedactingFilter` applies the same rewriting on one handler of your choice.
:func:`is_redacting` tells whether records are redacted right now: code that sets the record
factory itself (restoring one it saved earlier, say) can take redaction out of the chain.

What is replaced: request and response bodies (only their size in bytes is kept), the values of
the ``Authorization``, ``X-Amz-Security-Token`` and a few other secret-bearing headers, the
``Credential=`` and ``Signature=`` parts of a signature, everything botocore's signer logs (the
canonical request, the string to sign, the signature), query strings in URLs (the path is kept),
the service's text in ``ClientError`` messages, and parser errors that quote a response. What is
kept: event names, operation names, methods, URL paths, status codes, retry decisions, header
names and the other header values (request ids included). See docs/security.md.

The module is hand-written, imports only the standard library, and never raises from a log call:
if a record cannot be rewritten, its message is replaced by a fixed placeholder. Its cost grows in
proportion to what is logged, whatever the text (garbage included: a bad proxy's status line kept
in an exception chain); an exception group shows each of its members once.
"""

from __future__ import annotations

import ast
import functools
import logging as _logging
import numbers
import re
import sys
import threading
import traceback
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, cast

if TYPE_CHECKING:
    from email.message import Message

__all__ = [
    "LOGGER_NAMES",
    "SENSITIVE_HEADERS",
    "RedactingFilter",
    "Redaction",
    "is_redacting",
    "redact_botocore_logs",
    "redact_record",
]

#: The top-level loggers whose records are rewritten (each with all its children).
LOGGER_NAMES: Final[tuple[str, ...]] = ("botocore", "boto3", "urllib3", "s3transfer", "aiobotocore", "aioboto3")

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
#: The argument-free messages of those loggers, kept as they are when a record arrives already
#: formatted (``args`` empty). Any other such text keeps what precedes its first ":" only.
_AUTH_PLAIN: Final = frozenset({
    "Calculating signature using v2 auth.",
    "Calculating signature using v4 auth.",
    "Calculating signature using hmacv1 auth.",
})
#: Exception classes (matched by name anywhere in the MRO) whose text may quote a whole response.
_OPAQUE_EXCEPTIONS: Final = frozenset({"ResponseParserError", "HeaderParsingError"})
_MAX_DEPTH: Final = 8
_MAX_CHAIN: Final = 32
#: How many different exceptions one record shows in full: its chain, the members of its
#: groups and of the groups in them. Past that, a group's remaining members show as "...".
_MAX_EXCEPTIONS: Final = 100
#: What rendering the arguments of one record may produce (characters, roughly): containers that
#: share or repeat themselves cannot make a message larger than this.
_MAX_RENDERED: Final = 100_000


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
#: Where a literal may start, for :func:`_closed_literals`: zero-width (so that a start inside
#: another start's opening is tried too), with the opening in group ``open``: the literal's quote,
#: or ``b`` and its quote, then what must follow. Its content starts after the opening.
#: A bytes literal: ``b'`` or ``b"`` not glued to a word or a quote.
_BYTES_START_RE = re.compile(r"""(?<![\w'"])(?=(?P<open>b['"]))""")
#: A str literal holding JSON (a body decoded to text): ``'{"...``, ``'[{...``, ``"[[...``.
_JSON_STR_START_RE = re.compile(r"""(?<![\w'"])(?=(?P<open>'\s*[\[{]\s*["{\[]|"\s*[\[{]\s*['{\[]))""")
#: The content of a one-line quoted literal, read from just after its opening quote: any
#: character but the quote, a backslash or a newline, and backslash escapes (never of a newline).
#: Possessive and unrolled: one pass, no backtracking.
_LINE_CONTENT_RE: Final = {
    "'": re.compile(r"[^'\\\n]*+(?:\\.[^'\\\n]*+)*+"),
    '"': re.compile(r'[^"\\\n]*+(?:\\.[^"\\\n]*+)*+'),
}


class _Contents:
    """Where the contents of quoted literals stop in one text, each character read about once.

    :meth:`stop` says where the content that starts at ``at`` (just after an opening quote) ends:
    at the closing quote, or where the literal cannot go on (a newline, the end of the text). A
    literal that never closes may hold thousands of other opening quotes, each of them escaped
    (an unescaped one would have closed it); reading each from its own start would read the rest
    of the line once per quote. It need not be read again: a reading that starts inside the part
    read last, just after a character that is not a backslash, meets the same escapes in step
    with it, so it stops at the same place. Asked from left to right, every character is read at
    most once.
    """

    __slots__ = ("content", "end", "start", "text")

    def __init__(self, text: str, content: re.Pattern[str]) -> None:
        self.text = text
        self.content = content
        self.start = self.end = -1

    def stop(self, at: int) -> int:
        if at == self.start or (self.start < at <= self.end and self.text[at - 1] != "\\"):
            return self.end
        match = self.content.match(self.text, at)
        end = match.end() if match else at
        self.start, self.end = at, end
        return end


def _closed_literals(text: str, starts: re.Pattern[str]) -> str:
    """Replace each complete one-line quoted literal opening at ``starts`` by its size.

    What ``re.sub`` gives with the opening followed by ``(?:[^'\\\n]|\\.)*+'`` (or the same with
    ``"``), but each stretch of content is read once (:class:`_Contents`): linear in ``text``.
    """
    contents: dict[str, _Contents] = {}
    parts: list[str] = []
    done = 0
    size = len(text)
    for match in starts.finditer(text):
        start = match.start()
        if start < done:
            continue
        quote = text[start] if text[start] in "'\"" else text[start + 1]
        reader = contents.get(quote)
        if reader is None:
            reader = contents[quote] = _Contents(text, _LINE_CONTENT_RE[quote])
        stop = reader.stop(match.end("open"))
        if stop < size and text[stop] == quote:
            parts.append(text[done:start])
            parts.append(_literal_size(text[start : stop + 1]))
            done = stop + 1
    if not parts:
        return text
    parts.append(text[done:])
    return "".join(parts)


# Cost. Each regex here is applied once to a text, from left to right (sub, finditer), and costs
# time in proportion to the text, whatever it holds: no run a quantifier matches can be matched
# again by another from the same start (possessive quantifiers, disjoint classes), and the long
# readings, the contents of quoted strings, are not repeated from start after start. The quote
# that opens a header value (after ":", "=", a space or "b") or a JSON string (after "{", "[" or
# a space) never follows a backslash, so it would close any string of the same quote being read
# when it is met: readings of strings that never close do not overlap. The literals whose opening
# quote may be escaped inside another literal (str and bytes literals) go through _Contents.
# benchmarks/redaction_scaling.py measures each family of hostile text.
_HEADER_RE = re.compile(
    r"(?P<name>(?<![\w-])(?:" + _HEADER_NAMES + r")(?![\w-])['\"]?)(?P<sep>\s*[:=]\s*)"
    r"(?P<value><redacted>|b?'(?:[^'\\\n]|\\.)*+'|b?\"(?:[^\"\\\n]|\\.)*+\"|[^\r\n]*)",
    re.IGNORECASE,
)
_SIGV4_RE = re.compile(r"(?P<key>(?:Credential|Signature))=(?!<redacted>)[^\s,&'\"<>]+", re.IGNORECASE)
#: The service's message in a ClientError text runs to the end of the text: it may hold newlines,
#: and nothing marks where it ends.
_SERVICE_MESSAGE_RE = re.compile(
    r"(?P<head>when calling the [\w.-]+ operation(?: \(reached max retries: \d+\))?): "
    r"(?!<service message redacted>)[\s\S]*"
)
#: The request's body and query parameters as botocore's "Making request" message renders them,
#: once the message is text (a record that arrives formatted): ``'query_string': {'next-token':
#: '...'}``, ``'body': {'Action': ..., 'Name': '...'}`` (the query protocol's body is a dict).
_KEYED_RE = re.compile(r"""(?P<q>['"])(?P<key>body|query_string)(?P=q)\s*:\s*""", re.IGNORECASE)
_KEYED_KEPT: Final = ("<", "{}", "[]", "()", "''", '""', "b''", 'b""', "None")
_PLAIN_VALUE_RE = re.compile(r"(?:-?\d+(?:\.\d+)?|True|False)(?![\w'\"])")
#: The pieces of a Python literal: string literals, runs without brackets or quotes, brackets,
#: and a quote that opens no complete string literal.
_LITERAL_PIECE_RE = re.compile(
    r"""b?'(?:[^'\\]|\\.)*+'|b?"(?:[^"\\]|\\.)*+"|[^{}\[\]()'"]++|[{}\[\]()'"]"""
)
#: A JSON object, array of objects or array of strings inside text: a body that was decoded and
#: formatted in.
_JSON_TEXT_RE = re.compile(r'(?:\[\s*)?\{\s*"(?:[^"\\\n]|\\.)*+"\s*:|\[\s*"(?:[^"\\\n]|\\.)*+"\s*[,\]]')
#: A query string: what follows a "?" up to a delimiter. Redacted when it follows a path (a "/" in
#: the same token) or looks like one (has "=").
_QUERY_RE = re.compile(r"\?[^\s#'\"<>]+")
_TOKEN_END = re.compile(r"[\s'\"<>(\[{]")


def _redact_queries(text: str) -> str:
    """Replace the query strings of ``text``, reading it once from left to right.

    A query is redacted when its token (the text since the last delimiter) holds a "/" or the query
    holds "=". The last delimiter and the last "/" are tracked as the text is read, so each
    character is looked at a bounded number of times, whatever the number of "?" in the text.
    """
    parts: list[str] = []
    done = scanned = cut = 0
    slash = -1
    for match in _QUERY_RE.finditer(text):
        start = match.start()
        for end in _TOKEN_END.finditer(text, scanned, start):
            cut = end.end()
        found = text.rfind("/", scanned, start)
        if found >= 0:
            slash = found
        scanned = start
        if slash >= cut or "=" in match.group(0):
            parts.append(text[done:start])
            parts.append("?" + _QUERY_MARK)
            done = match.end()
    if not parts:
        return text
    parts.append(text[done:])
    return "".join(parts)


def _query_marker(literal: str) -> str:
    try:
        value = ast.literal_eval(literal)
    except Exception:
        return "<query redacted>"
    if not value:
        return repr(value)
    size = len(value) if isinstance(value, Mapping | list | tuple | str) else 1
    return f"<query redacted: {size} parameters>"


def _literal_end(text: str, start: int) -> int | None:
    """Where the bracketed or quoted literal starting at ``start`` ends; None if it does not."""
    depth = 0
    for piece in _LITERAL_PIECE_RE.finditer(text, start):
        token = piece.group(0)
        if token in ("{", "[", "("):
            depth += 1
        elif token in ("}", "]", ")"):
            depth -= 1
        elif token in ("'", '"'):
            return None  # an unterminated string
        elif depth == 0 and token[-1] not in ("'", '"'):
            return None  # no literal starts here
        if depth <= 0:
            return piece.end() if depth == 0 else None
    return None


def _redact_keyed_values(text: str) -> str:
    """``'query_string': {...}`` and ``'body': {...}`` in text become the markers that rendering the
    request's parameters gives (``<query redacted: 2 parameters>``, ``<body redacted: 3 parameters>``)."""
    parts: list[str] = []
    done = 0
    for key in _KEYED_RE.finditer(text):
        start = key.end()
        if start < done or text.startswith(_KEYED_KEPT, start):
            continue
        if _PLAIN_VALUE_RE.match(text, start):  # a number, True: no data
            continue
        end = _literal_end(text, start)
        parts.append(text[done:start])
        if end is None:  # not a literal this can delimit: nothing after it is kept
            parts.append("<query redacted>" if key.group("key").lower() == "query_string" else "<body redacted>")
            done = len(text)
            break
        literal = text[start:end]
        parts.append(_query_marker(literal) if key.group("key").lower() == "query_string" else _literal_size(literal))
        done = end
    if not parts:
        return text
    parts.append(text[done:])
    return "".join(parts)


def _redact_json_text(text: str) -> str:
    """JSON objects and arrays inside text become ``<body redacted: 120 bytes>``."""
    parts: list[str] = []
    done = 0
    for match in _JSON_TEXT_RE.finditer(text):
        start = match.start()
        if start < done:
            continue
        end = _literal_end(text, start)
        parts.append(text[done:start])
        if end is None:  # cut short: nothing after it is kept
            parts.append(f"<body redacted: {len(text[start:].encode('utf-8', 'replace'))} bytes>")
            done = len(text)
            break
        parts.append(f"<body redacted: {len(text[start:end].encode('utf-8', 'replace'))} bytes>")
        done = end
    if not parts:
        return text
    parts.append(text[done:])
    return "".join(parts)


def _scrub(text: str) -> str:
    """The safety net applied to every piece of text: bodies, secrets and queries it recognizes."""
    if "b'" in text or 'b"' in text:
        text = _closed_literals(text, _BYTES_START_RE)
    if "'{" in text or "'[" in text or '"{' in text or '"[' in text:
        text = _closed_literals(text, _JSON_STR_START_RE)
    if ("{" in text or "[" in text) and '"' in text:
        text = _redact_json_text(text)
    if ":" in text or "=" in text:
        text = _HEADER_RE.sub(lambda m: f"{m.group('name')}{m.group('sep')}{REDACTED}", text)
    if "=" in text:
        text = _SIGV4_RE.sub(lambda m: f"{m.group('key')}={REDACTED}", text)
    if "when calling the " in text:
        text = _SERVICE_MESSAGE_RE.sub(lambda m: f"{m.group('head')}: <service message redacted>", text)
    if ":" in text:
        text = _redact_keyed_values(text)
    if "?" in text:
        text = _redact_queries(text)
    return text


_NAME_RE = re.compile(r"[\w.:#/-]{1,128}")


def _client_error_message(exc: BaseException) -> str | None:
    """botocore's ``ClientError`` text rebuilt from the error code and operation name only.

    None when ``exc`` is no ClientError, or not one this can read.
    """
    if not any(cls.__name__ == "ClientError" and cls.__module__.startswith("botocore")
               for cls in type(exc).__mro__):
        return None
    response = exc.__dict__.get("response")
    operation = exc.__dict__.get("operation_name")
    if not isinstance(response, Mapping) or not isinstance(operation, str):
        return None
    error = response.get("Error")
    code = error.get("Code", "Unknown") if isinstance(error, Mapping) else "Unknown"
    code = code if isinstance(code, str) and _NAME_RE.fullmatch(code) else "<code redacted>"
    operation = operation if _NAME_RE.fullmatch(operation) else "<operation redacted>"
    retry = ""
    metadata = response.get("ResponseMetadata")
    if isinstance(metadata, Mapping) and metadata.get("MaxAttemptsReached") is True:
        attempts = metadata.get("RetryAttempts")
        if isinstance(attempts, int):
            retry = f" (reached max retries: {attempts})"
    return f"An error occurred ({code}) when calling the {operation} operation{retry}: <service message redacted>"


def _exception_message(exc: BaseException) -> str:
    rebuilt = _client_error_message(exc)
    if rebuilt is not None:
        return rebuilt
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


def _request_classes() -> tuple[type, ...]:
    """botocore's request classes, if botocore is loaded (if it is not, no such object exists)."""
    module = sys.modules.get("botocore.awsrequest")
    found = (getattr(module, "AWSRequest", None), getattr(module, "AWSPreparedRequest", None))
    return tuple(cls for cls in found if isinstance(cls, type))


def _is_request(value: object) -> bool:
    """A botocore request. Checked on the type: no attribute of ``value`` is read (no property runs)."""
    classes = _request_classes()
    return bool(classes) and isinstance(value, classes)


class _Budget:
    """What is left to render for one record, and the containers being rendered (cycles)."""

    __slots__ = ("left", "open")

    def __init__(self, size: int = _MAX_RENDERED) -> None:
        self.left = size
        self.open: set[int] = set()


def _header_items(headers: object) -> Iterable[tuple[object, object]] | None:
    """The (name, value) pairs of a mapping, or of the ``email.message.Message`` that botocore's
    ``HTTPHeaders`` (an ``AWSRequest``'s headers) is; None for anything else."""
    if isinstance(headers, Mapping):
        return headers.items()
    message = getattr(sys.modules.get("email.message"), "Message", None)
    if isinstance(message, type) and isinstance(headers, message):
        return cast("Message", headers).items()
    return None


def _render_headers(headers: object, depth: int, budget: _Budget) -> str:
    items = _header_items(headers)
    if items is None:
        return _render(headers, True, depth + 1, budget)
    parts = []
    for name, value in items:
        if budget.left <= 0:
            parts.append("...")
            break
        shown_name = _render(name, True, depth + 1, budget)
        if isinstance(name, bytes | bytearray):
            name = bytes(name).decode("latin-1")
        if isinstance(name, str) and name.lower() in SENSITIVE_HEADERS:
            parts.append(f"{shown_name}: {REDACTED}")
            continue
        if isinstance(value, bytes | bytearray):
            value = bytes(value).decode("latin-1")
        parts.append(f"{shown_name}: {_render(value, True, depth + 1, budget)}")
    return "{" + ", ".join(parts) + "}"


def _render_request(request: object, depth: int, budget: _Budget) -> str:
    # Instance attributes only: AWSRequest.body is a property that prepares the request.
    fields = getattr(request, "__dict__", {})
    parts = []
    if "stream_output" in fields:
        parts.append(f"stream_output={_render(fields['stream_output'], False, depth + 1, budget)}")
    parts.append(f"method={_render(fields.get('method'), False, depth + 1, budget)}")
    parts.append(f"url={_render(fields.get('url'), False, depth + 1, budget)}")
    parts.append(f"headers={_render_headers(fields.get('headers'), depth, budget)}")
    for name in ("body", "data"):
        if name in fields:
            parts.append(f"{name}={_body_marker(fields[name])}")
    return f"<{type(request).__name__} {', '.join(parts)}>"


def _render_mapping(mapping: Mapping[Any, Any], depth: int, budget: _Budget) -> str:
    parts = []
    for key, value in mapping.items():
        if budget.left <= 0:
            parts.append("...")
            break
        shown_key = _render(key, True, depth + 1, budget)
        lowered = key.lower() if isinstance(key, str) else None
        if lowered in SENSITIVE_HEADERS:
            shown = REDACTED
        elif lowered == "body":
            shown = _body_marker(value)
        elif lowered == "headers":
            shown = _render_headers(value, depth, budget)
        elif lowered == "query_string":
            size = len(value) if isinstance(value, Mapping | list | tuple | str) else 1
            shown = repr(value) if not value else f"<query redacted: {size} parameters>"
        else:
            shown = _render(value, True, depth + 1, budget)
        parts.append(f"{shown_key}: {shown}")
    return "{" + ", ".join(parts) + "}"


def _render_items(items: Iterable[object], depth: int, budget: _Budget) -> str:
    parts = []
    for item in items:
        if budget.left <= 0:
            parts.append("...")
            break
        parts.append(_render(item, True, depth + 1, budget))
    return ", ".join(parts)


_RECURSIVE: Final = {list: "[...]", tuple: "(...)", dict: "{...}"}
_PLAIN: Final = frozenset({int, float, bool, type(None)})


def _render(value: object, as_repr: bool, depth: int = 0, budget: _Budget | None = None) -> str:
    """The text of ``value`` as ``%r`` (``as_repr``) or ``%s`` would show it, with data removed.

    ``budget`` bounds the work for one record: a container that holds itself shows as ``[...]``
    (as ``repr`` shows it), and rendering stops with ``...`` once the budget is spent.
    """
    if budget is None:
        budget = _Budget()
    budget.left -= 1  # every value counts, an empty one too; the loops over items stop at zero
    if type(value) is str:
        text = _body_marker(value) if _looks_like_json(value) else _scrub(repr(value) if as_repr else value)
    elif type(value) in _PLAIN or isinstance(value, numbers.Number):
        text = repr(value) if as_repr else str(value)
    elif isinstance(value, Mapping | list | tuple | set | frozenset):
        return _render_container(value, depth, budget)  # its items are counted, not its text
    else:
        text = _render_other(value, as_repr, depth, budget)
    budget.left -= len(text)
    return text


def _render_container(value: Collection[Any], depth: int, budget: _Budget) -> str:
    if depth > _MAX_DEPTH:
        return f"<{type(value).__name__}>"
    if id(value) in budget.open:
        return next((shown for kind, shown in _RECURSIVE.items() if isinstance(value, kind)), "{...}")
    budget.open.add(id(value))
    try:
        if isinstance(value, Mapping):
            return _render_mapping(value, depth, budget)
        items = _render_items(value, depth, budget)
        if isinstance(value, list):
            return f"[{items}]"
        if isinstance(value, tuple):
            return f"({items},)" if len(value) == 1 else f"({items})"
        return "{" + items + "}" if value else f"{type(value).__name__}()"
    finally:
        budget.open.discard(id(value))


def _render_other(value: object, as_repr: bool, depth: int, budget: _Budget) -> str:
    if isinstance(value, str):  # a str subclass
        return _body_marker(value) if _looks_like_json(value) else _scrub(repr(value) if as_repr else str(value))
    if isinstance(value, bytes | bytearray | memoryview):
        return _body_marker(value)
    if isinstance(value, BaseException):
        message = _exception_message(value)
        return f"{type(value).__name__}({message!r})" if as_repr else message
    if depth > _MAX_DEPTH:
        return f"<{type(value).__name__}>"
    if _is_request(value):
        return _render_request(value, depth, budget)
    return _scrub(repr(value) if as_repr else str(value))


#: What may follow "%" (and a mapping key) up to the conversion character: flags, width,
#: precision, length modifier. Possessive: matched once, from one place.
_SPEC_TAIL_RE = re.compile(r"[-+ #0]*+(?P<width>\*|[0-9]++)?+(?:\.(?P<precision>\*|[0-9]*+))?+[hlL]?+")
_KEY_PART_RE = re.compile(r"[^()]*+")
_CONVERSION_CHARS: Final = frozenset("diouxXeEfFgGcrsa%")
#: Templates longer than this are parsed each time instead of being kept in the cache.
_CACHED_TEMPLATE: Final = 2_000


def _specs(template: str) -> Iterator[tuple[int, int, str | None, str, bool]]:
    """The conversions of a %-template as ``str % args`` reads them, from left to right.

    For each: where it starts and ends, its mapping key (None without one), its conversion
    character (``%`` for a literal ``%``), and whether a ``*`` takes its width or precision from
    the arguments. A mapping key runs to the matching ")" (nested parentheses count, as in
    ``str %``). Stops at the first "%" that ``str %`` refuses: such a template cannot be formatted
    anyway. One pass: no part of the template is read twice.
    """
    size = len(template)
    at = template.find("%")
    while at >= 0:
        pos, key = at + 1, None
        if pos < size and template[pos] == "(":
            depth, pos = 1, pos + 1
            while depth:
                pos = cast("re.Match[str]", _KEY_PART_RE.match(template, pos)).end()
                if pos >= size:
                    return  # no matching ")"
                depth += 1 if template[pos] == "(" else -1
                pos += 1
            key = template[at + 2 : pos - 1]
        tail = cast("re.Match[str]", _SPEC_TAIL_RE.match(template, pos))
        pos = tail.end()
        if pos >= size or template[pos] not in _CONVERSION_CHARS:
            return
        starred = tail.group("width") == "*" or tail.group("precision") == "*"
        yield at, pos + 1, key, template[pos], starred
        at = template.find("%", pos + 1)


def _conversions(template: str) -> tuple[tuple[str | None, str], ...] | None:
    """(mapping key, conversion) for each argument of a %-template; None if it takes ``*`` widths."""
    if len(template) > _CACHED_TEMPLATE:
        return _read_conversions(template)
    return _cached_conversions(template)


def _read_conversions(template: str) -> tuple[tuple[str | None, str], ...] | None:
    found = []
    for _, _, key, conv, starred in _specs(template):
        if conv == "%":
            continue
        if starred:
            return None
        found.append((key, conv))
    return tuple(found)


_cached_conversions = functools.lru_cache(maxsize=1024)(_read_conversions)


def _safe_arg(value: object, conv: str, budget: _Budget | None = None) -> object:
    if value is None or isinstance(value, bool | numbers.Number):
        return value  # numbers carry no personal data, and %d / %f need the number itself
    if isinstance(value, str) and conv == "s" and not _looks_like_json(value):
        return _scrub(value)
    return _Shown(_render(value, conv in "ra", 0, budget))


def _rule(template: str, name: str) -> Callable[[tuple[object, ...]], tuple[object, ...]] | None:
    """Arguments for log calls known to carry data in the library versions this was written for."""
    if name.startswith(_AUTH_LOGGERS) and template not in _AUTH_HARMLESS:
        return _all_redacted
    return _RULES.get(template)


def _all_redacted(args: tuple[object, ...]) -> tuple[object, ...]:
    return tuple(_Shown(REDACTED) for _ in args)


class _Replace:
    """A rule: the argument at ``index`` is shown as ``show(argument)``.

    When the record is already formatted, only the argument's text is left: ``text_show`` is used
    instead if given, otherwise ``show`` gets the value the text spells if it is a Python literal
    (a bytes or dict repr), or the text itself.
    """

    __slots__ = ("index", "show", "text_show")

    def __init__(
        self, index: int, show: Callable[[object], str], text_show: Callable[[object], str] | None = None
    ) -> None:
        self.index = index
        self.show = show
        self.text_show = text_show

    def __call__(self, args: tuple[object, ...], text: bool = False) -> tuple[object, ...]:
        if len(args) <= self.index:
            return args
        value = args[self.index]
        if not text:
            shown = self.show(value)
        elif self.text_show is not None:
            shown = self.text_show(value)
        else:
            shown = self.show(_parsed(value))
        return (*args[: self.index], _Shown(shown), *args[self.index + 1 :])


def _parsed(text: object) -> object:
    try:
        return ast.literal_eval(str(text))
    except Exception:
        return text


class _ConfigValue(_Replace):
    """botocore.session's configuration values: redacted when the variable's name sounds secret."""

    def __init__(self) -> None:
        super().__init__(1, lambda value: REDACTED)

    def __call__(self, args: tuple[object, ...], text: bool = False) -> tuple[object, ...]:
        name = str(args[0]).lower() if args else ""
        if any(word in name for word in ("key", "token", "secret", "password", "credential")):
            return super().__call__(args, text)
        return args


def _described(what: str) -> Callable[[object], str]:
    def show(value: object) -> str:
        size = f": {len(value)} items" if isinstance(value, Mapping | list | tuple) else ""
        return f"<{what} redacted{size}>"

    return show


def _type_only(value: object) -> str:
    return f"<{type(value).__name__}, redacted>"


def _redacted(value: object) -> str:
    return REDACTED


_RULES: dict[str, _Replace] = {
    # botocore.parsers: the raw answer.
    "Response body:\n%r": _Replace(0, _body_marker),
    # botocore.handlers (S3 200-with-error): the parsed error, the raw body.
    "Error found for response with 200 status code, errors: %s, changing status code to 500.":
        _Replace(0, _described("parsed response")),
    "Error found for response with 200 status code: %s.": _Replace(0, _body_marker),
    # botocore.compress / botocore.awsrequest: the body itself or a stream holding it.
    "Unable to get length of the request body: %s. Skipping compression.": _Replace(0, _body_marker),
    "Rewinding stream: %s": _Replace(0, _type_only, _redacted),
    # botocore.monitoring: any value it truncates (client-side monitoring events).
    "Truncating following value to maximum length of %s: %s": _Replace(0, _described("value")),
    # botocore.discovery: the operation's parameters.
    "Discovering endpoints with kwargs: %s": _Replace(0, _described("parameters")),
    "Endpoint Discovery has failed for: %s": _Replace(0, _described("parameters")),
    # botocore.utils (instance metadata): the error document of a credentials request.
    "Error response received when retrieving credentials: %s.": _Replace(0, _described("response")),
    # botocore.session: configuration values, secrets included when named so.
    "Setting config variable for %s to %r": _ConfigValue(),
    # boto3 resources and DynamoDB batch writer: parameters, responses and items.
    "Calling %s:%s with %r": _Replace(2, _described("parameters")),
    "Calling paginated %s:%s with %r": _Replace(2, _described("parameters")),
    "Response: %r": _Replace(0, _described("response")),
    "With overwrite_by_pkeys enabled, skipping request:%s": _Replace(0, _described("item")),
    # urllib3.connection: the unparsed header bytes inside the error.
    "Failed to parse headers (url=%s): %s": _Replace(1, _type_only, _redacted),
}


@functools.lru_cache(maxsize=1)
def _text_rules() -> tuple[tuple[tuple[str, ...], _Replace], ...]:
    """Each rule's template cut into its literal pieces (one more than it has arguments)."""
    found = []
    for template, rule in _RULES.items():
        pieces, last = [], 0
        for start, end, _, conv, _ in _specs(template):
            if conv != "%":
                pieces.append(template[last:start].replace("%%", "%"))
                last = end
        pieces.append(template[last:].replace("%%", "%"))
        found.append((tuple(pieces), rule))
    return tuple(found)


def _argument_spans(text: str, pieces: tuple[str, ...], index: int) -> list[tuple[int, int]] | None:
    """Where each argument of a template (cut into ``pieces``) lies in ``text`` formatted from it.

    The arguments before ``index`` are read from the left and those after it from the right, each
    as short as it can be: argument ``index`` (the one a rule redacts) gets all the text between.
    Linear: one ``find`` or ``rfind`` per argument. None if ``text`` does not fit the template.
    """
    count = len(pieces) - 1
    head, tail = len(pieces[0]), len(text) - len(pieces[-1])
    if not 0 <= index < count or tail < head or not text.startswith(pieces[0]) or not text.endswith(pieces[-1]):
        return None
    spans: list[tuple[int, int]] = [(0, 0)] * count
    for i in range(index):
        end = text.find(pieces[i + 1], head, tail)
        if end < 0:
            return None
        spans[i] = (head, end)
        head = end + len(pieces[i + 1])
    for i in range(count - 1, index, -1):
        start = text.rfind(pieces[i], head, tail)
        if start < 0:
            return None
        spans[i] = (start + len(pieces[i]), tail)
        tail = start
    if tail < head:
        return None
    spans[index] = (head, tail)
    return spans


_MARKER_RE = re.compile(r"<[^<>\n]*+>")


def _is_marker(text: str) -> bool:
    """Whether ``text`` is one redaction marker, such as ``<body redacted: 12 bytes>``.

    Not ``<[^<>\\n]*redacted[^<>\\n]*>`` in one regex: that one backtracks over every "redacted"
    in a long text that does not end with ">" (quadratic).
    """
    return _MARKER_RE.fullmatch(text) is not None and "redacted" in text


def _apply_text_rules(text: str) -> str:
    """A rule applied to the text of a message formatted without redaction (a rebuilt record)."""
    for pieces, rule in _text_rules():
        spans = _argument_spans(text, pieces, rule.index)
        if spans is None:
            continue
        args = tuple(text[start:end] for start, end in spans)
        shown = rule(args, text=True)[rule.index]
        if shown is args[rule.index] or _is_marker(args[rule.index]):
            return text  # the rule keeps it (a config value not named secret), or it is redacted already
        start, end = spans[rule.index]
        return f"{text[:start]}{shown}{text[end:]}"
    return text


def _auth_text(text: str) -> str:
    """A signer's message that is already text: deny by default, as for its arguments.

    The argument-free messages are kept. Otherwise what precedes the first ":" is kept (the label:
    ``CanonicalRequest:``, ``Signature:``) and the rest becomes ``<redacted>``.
    """
    if text in _AUTH_PLAIN:
        return text
    head, colon, rest = text.partition(":")
    if not colon or "\n" in head or len(head) > 120:
        return f"<message redacted: {len(text)} characters>"
    space = rest[: len(rest) - len(rest.lstrip())]
    return f"{head}:{space}{REDACTED}"


def _message(record: _logging.LogRecord) -> str:
    msg: object = record.msg
    args = record.args
    name = record.name if isinstance(record.name, str) else ""
    budget = _Budget()
    template = msg if isinstance(msg, str) else _render(msg, False, 0, budget)
    if not args:
        # Already formatted (a record rebuilt by makeLogRecord, or prepared by a QueueHandler), or
        # a message without arguments: only the rules that work on text can apply.
        if name.startswith(_AUTH_LOGGERS):
            return _auth_text(_scrub(template) if isinstance(msg, str) else template)
        if not isinstance(msg, str):
            return template
        return _scrub(_apply_text_rules(template) if _in_scope(name, _ROOTS) else template)
    specs = _conversions(template)
    safe: tuple[object, ...] | dict[str, object]
    if isinstance(args, Mapping) and specs is not None and any(key is None for key, _ in specs):
        # logging turns ``log("%s", {...})`` into args={...}: the mapping is the single argument.
        args = (args,)
    if isinstance(args, Mapping):
        by_key = {key: conv for key, conv in specs or () if key is not None}
        safe = {key: _safe_arg(value, by_key.get(str(key), "s"), budget) for key, value in args.items()}
    else:
        values = tuple(args)
        rule = _rule(template, name)
        if rule is not None:
            values = rule(values)
        convs = [conv for _, conv in specs] if specs is not None and len(specs) == len(values) else ["s"] * len(values)
        safe = tuple(_safe_arg(value, conv, budget) for value, conv in zip(values, convs, strict=True))
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


class _ExceptionBudget:
    """The exceptions of one record already shown, and how many more may be."""

    __slots__ = ("left", "shown")

    def __init__(self) -> None:
        self.left = _MAX_EXCEPTIONS
        self.shown: set[int] = set()


def _exception_line(exc: BaseException, budget: _ExceptionBudget) -> str:
    cls = type(exc)
    qualname = getattr(cls, "__qualname__", cls.__name__)
    module = getattr(cls, "__module__", None)
    name = qualname if module in (None, "__main__", "builtins") else f"{module}.{qualname}"
    if id(exc) in budget.shown:
        # The same exception again (a group that holds it twice, or holds one of the chain):
        # once is enough. Groups sharing their members would otherwise repeat them exponentially.
        return f"{name}: <shown above>"
    budget.shown.add(id(exc))
    budget.left -= 1
    message = _exception_message(exc)
    parts = [f"{name}: {message}" if message else name]
    notes = getattr(exc, "__notes__", None)
    if isinstance(notes, list | tuple):
        parts.extend(f"\n{_scrub(str(note))}" for note in notes)
    subs = getattr(exc, "exceptions", None)
    if isinstance(exc, BaseExceptionGroup) and isinstance(subs, tuple):
        for sub in subs[:_MAX_CHAIN]:
            if budget.left <= 0 and id(sub) not in budget.shown:
                parts.append("\n  +-- ...")
                break
            parts.append(f"\n  +-- {_exception_line(sub, budget)}")
    return "".join(parts)


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
    budget = _ExceptionBudget()
    for index in range(len(chain) - 1, -1, -1):
        item, _ = chain[index]
        if index < len(chain) - 1:
            parts.append(chain[index][1])
        trace = tb if item is exc else item.__traceback__
        if trace is not None:
            parts.append("Traceback (most recent call last):\n")
            parts.extend(traceback.format_tb(trace))
        parts.append(_exception_line(item, budget) + "\n")
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
        if "message" in record.__dict__:  # set by a formatter or a QueueHandler: the old text
            record.message = message
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


class _Probe:
    """The message of a probe record: lets each of our factories say that the chain reaches it."""

    __slots__ = ()

    def __str__(self) -> str:
        return "probe"


_PROBE: Final = _Probe()
_SEEN: Final = "_customer_profiles_sdk_factories"


class _RedactingFactory:
    """Wraps the current log record factory; rewrites in-scope records while ``active``.

    Once switched off, it passes records through. When it is then found at the top of the chain
    again (a library restored the factory it had saved, which was this one), it takes itself out.
    """

    __slots__ = ("active", "previous")

    def __init__(self, previous: Callable[..., _logging.LogRecord]) -> None:
        self.previous = previous
        self.active = True

    def __call__(self, *args: Any, **kwargs: Any) -> _logging.LogRecord:
        record = self.previous(*args, **kwargs)
        if len(args) > 4 and args[4] is _PROBE:
            record.__dict__.setdefault(_SEEN, []).append(self)
        if self.active:
            if _in_scope(record.name, _ROOTS):
                redact_record(record)
        elif _logging.getLogRecordFactory() is self:
            self._unwrap()
        return record

    def _unwrap(self) -> None:
        global _factory
        if not _lock.acquire(blocking=False):  # being installed or removed right now: next time
            return
        try:
            if not self.active and _logging.getLogRecordFactory() is self:
                _logging.setLogRecordFactory(self.previous)
                if _factory is self:
                    _factory = None
        finally:
            _lock.release()


_lock = threading.Lock()
_factory: _RedactingFactory | None = None
_holders = 0


def _probe() -> _logging.LogRecord | None:
    """A record of the ``botocore`` logger, made by the current factory chain."""
    try:
        return _logging.getLogRecordFactory()("botocore", _logging.DEBUG, __file__, 0, _PROBE, (), None)
    except Exception:
        return None


def _redacting_now() -> bool:
    """Whether records of the ``botocore`` logger are rewritten by the current factory chain."""
    probe = _probe()
    return probe is not None and bool(probe.__dict__.get(_MARK))


def is_redacting() -> bool:
    """Whether records of the ``botocore`` logger are redacted right now, as they are created.

    False when redaction was never turned on or was removed, and also when code that sets the log
    record factory itself has taken it out of the chain (for example by restoring a factory saved
    before redaction was turned on). Call :func:`redact_botocore_logs` again to put it back.
    """
    return _redacting_now()


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
        """True while this handle is held *and* records really are redacted (:func:`is_redacting`).

        It turns False, without :meth:`remove`, when other code takes redaction out of the record
        factory chain; calling :func:`redact_botocore_logs` again makes it True again.
        """
        return not self._removed and _redacting_now()

    @property
    def removed(self) -> bool:
        """True once this handle has been given up."""
        return self._removed

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
                return
            probe = _probe()
            if probe is None or _factory not in probe.__dict__.get(_SEEN, ()):
                _factory = None  # already out of the chain: nothing is left to switch off
            # Otherwise another factory wraps ours: ours stays in the chain, passing records
            # through, and takes itself out if it is ever found at the top again.

    def __enter__(self) -> Redaction:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.remove()

    def __repr__(self) -> str:
        state = "removed" if self._removed else "active" if _redacting_now() else "held, not redacting"
        return f"<Redaction {state}>"


def redact_botocore_logs() -> Redaction:
    """Redact every record of the botocore, boto3, urllib3 and s3transfer loggers from now on.

    Works for every client in the process (plain boto3 clients included) and every handler,
    whenever it was added. Calling it again installs nothing more and returns another handle;
    redaction stays on until every handle is removed. If other code has taken redaction out of
    the record factory chain since (see :func:`is_redacting`), calling it again puts it back.
    See the module documentation.
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
