"""Transport hooks: what the SDK adds to the boto3 client it calls through.

The hooks installed on the client act only inside the SDK's own botocore call (a
context variable set by :meth:`ClientCore._send`, plus botocore's per-call context object, say
so). Calls made directly on ``client.boto3_client``, and calls that event handlers make during an
SDK call, behave exactly as they would without the SDK.

* **Fast response parsing.** A ``before-parse`` handler takes the raw body of a 2xx answer and
  leaves botocore an empty body to parse, so botocore still fills the response metadata and the
  members bound to the HTTP status code, but skips its Python walk over the JSON. The SDK then
  parses the raw body once, with pydantic-core, straight into the response model
  (:func:`parse_body`). Error answers (status 300 and above) are left to botocore's parser, so
  error codes, modeled error fields and retries work exactly as before; only an error body that
  is not a JSON object is hidden from it, as botocore would quote it whole in the message. A 2xx
  body shorter than its Content-Length raises ``IncompleteReadError`` (a ``TransportError``).
* **Bounded nesting.** A body nested more than :data:`MAX_BODY_DEPTH` lists and objects deep
  is refused before any Python-recursive parser (botocore's, Python's json) reads it: a linear,
  non-recursive scan (:func:`nesting_exceeds`) vets error bodies, 2xx bodies for botocore
  (``fast_parse=False``), and fast-path bodies that pydantic-core's typed validator refuses (what
  it accepts is provably shallow: see :func:`parse_body`). A 2xx answer raises
  ``ResponseParseError``; an error answer reaches botocore as ``{}``, so its class comes from
  x-amzn-ErrorType or the status, and it is retried as usual.
* **No coercion with ``fast_parse=False``.** For a 2xx answer of the SDK's own call, botocore's
  JSON parser runs with :class:`_LenientJSONHandlers`: a value of another JSON type than its
  member's (``1.5`` or ``"5"`` for an integer, ``"yes"`` for a boolean, a string for a list, a
  timestamp botocore cannot read) is passed on as sent, and the model keeps it in a ``RawValue``,
  exactly as the fast path does, instead of being converted or failing the whole response.
* **Typed parser failures.** botocore's parser is wrapped (the endpoint's parser factory, per
  client): whatever it raises during the SDK's call
  (``RuntimeError`` or ``OverflowError`` on a huge timestamp, ``ValueError``, ...) never escapes
  as it is, since its text may quote the body. On a 2xx answer it becomes ``ResponseParseError``
  (only the exception's class name is kept); an error answer is parsed again as ``{}``, as above.
* **No second validation.** botocore's ``ParamValidator`` checks only a subset of what the
  request models check (required members, types, minimums, unions). For the exact parameters the
  SDK validated, the serializer is called without it; any other parameters, including ones an
  event handler changed after the SDK validated them, are validated by botocore as usual.

The generator never writes this module. See docs/design.md (section 11) and docs/performance.md.
"""

from __future__ import annotations

import copy
import gc
import inspect
import json
import logging
import os
import pickle
import sys
import threading
from collections.abc import Callable, Generator
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import IncompleteReadError
from botocore.parsers import BaseJSONParser, ResponseParserError
from botocore.validate import ParamValidationDecorator

from . import _signing

if TYPE_CHECKING:
    from botocore.client import BaseClient

    from ._model import ResponseShape

__all__ = [
    "BODY_KEY",
    "MAX_BODY_DEPTH",
    "ParserFailure",
    "SdkCall",
    "install",
    "nesting_exceeds",
    "parse_body",
    "pickled",
    "sdk_call",
]

#: Key under which the raw body of a 2xx answer travels from the ``before-parse`` hook, through
#: botocore's parsed dict, to :func:`parse_body`.
BODY_KEY = "__customer_profiles_sdk_raw_body__"
_HANDLER_ID = "customer_profiles_sdk.fast-parse"

#: The deepest nesting of JSON lists and objects accepted in a response body; the body's own
#: object is level 1. The deepest shape of the service model nests 10 levels (a segment
#: definition's groups), error bodies 1, so 64 leaves more than six times the room for members
#: the model does not know yet. It also keeps every accepted response far from Python's recursion
#: limit: ``to_boto()``, ``to_json()``, pickle and ``copy.deepcopy`` recurse once or a few times
#: per level (they still work at 200 levels; at about 500 they raise ``RecursionError``), and
#: Python's ``json`` module refuses about 1,000 levels. The emulator refuses request bodies
#: deeper than the same 64 levels.
MAX_BODY_DEPTH = 64

# The structural bytes of JSON are kept by the scan (see nesting_exceeds); all others are deleted.
_NOT_STRUCTURE = bytes(sorted(set(range(256)) - set(b'"[]{}')))
_SQUARE = bytes.maketrans(b"{}", b"[]")
# In a body with backslashes, the bytes an escape may put after one are kept too (as "u"), so each
# remaining backslash stays next to the byte it escapes.
_NOT_STRUCTURE_OR_ESCAPE = bytes(sorted(set(range(256)) - set(b'"[]{}\\/bfnrtu')))
_SQUARE_ESCAPES = bytes.maketrans(b"{}/bfnrt", b"[]uuuuuu")
_QUOTES = b'"' * 16


def nesting_exceeds(body: bytes | bytearray, limit: int = MAX_BODY_DEPTH) -> bool:
    """Whether lists and objects nest more than ``limit`` deep in the JSON text ``body``.

    Made to vet a body before any recursive parser reads it: the time is linear in the body's
    length (a few passes of C-level ``bytes`` operations, at most ``limit`` of them over the
    brackets alone) and nothing recurses. Brackets inside strings do not count; escaped quotes
    and backslashes are honoured. Exact for valid JSON. For anything else the answer is never
    lower than the depth a JSON parser reaches before it finds the error, so a body passed as
    within the limit never takes a parser deeper than ``limit``.
    """
    if len(body) <= limit:  # each level needs an opening bracket
        return False
    if b"\\" in body:
        # Drop each escaped backslash, then each escaped quote: what is left of the quotes
        # delimits strings. Other escapes (\n, \u0041, ...) only need their backslash removed.
        skeleton = body.translate(_SQUARE_ESCAPES, _NOT_STRUCTURE_OR_ESCAPE)
        skeleton = skeleton.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, b"\\u")
    else:
        skeleton = body.translate(_SQUARE, _NOT_STRUCTURE)
    # Now only quotes and brackets ("{" and "}" read as "[" and "]"). A string without brackets is
    # a pair of adjacent quotes; removing even runs of quotes leaves a quote only if some string
    # holds a bracket (or never ends). Then every string's contents are cut out, exactly.
    brackets = skeleton.replace(_QUOTES, b"").replace(b'""', b"")
    if b'"' in brackets:
        brackets = b"".join(skeleton.split(b'"')[::2])
    if len(brackets) <= limit:
        return False
    if b"[" * (limit + 1) in brackets:
        return True
    # Each pass removes the innermost pairs, so a balanced text is gone after as many passes as it
    # nests levels. What is left after that can only be "]]...[[" (unbalanced text): its openers
    # may add to the depth.
    levels = 0
    while b"[]" in brackets:
        if levels == limit:
            return True
        brackets = brackets.replace(b"[]", b"")
        levels += 1
    return levels + brackets.count(b"[") > limit


class ParserFailure(ResponseParserError):
    """Raised instead of whatever botocore's parser raised on a 2xx answer of an SDK call.

    The original exception is dropped (its text may quote the body, and so would a traceback
    that chains it); only its class name is kept, in ``kind``. The client turns this into
    :class:`~customer_profiles_sdk.errors.ResponseParseError`.
    """

    def __init__(self, kind: str) -> None:
        super().__init__(f"botocore could not parse the response ({kind})")
        self.kind = kind

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.kind,))


class SdkCall:
    """The state of one SDK call, visible to the hooks through :data:`sdk_call`."""

    __slots__ = ("fast_parse", "operation", "owner", "params", "taken")

    def __init__(self, operation: str, params: bytes | None, fast_parse: bool) -> None:
        self.operation = operation
        #: The pickled parameters the SDK validated, or None (nothing to skip). Compared with the
        #: pickled parameters botocore is about to serialize: equal bytes mean equal values of the
        #: same types, in the same order, which ``==`` alone would not (``5 == 5.0 == True``).
        self.params = params
        self.fast_parse = fast_parse
        #: botocore's per-call context object of the SDK's own call (see _enter).
        self.owner: object | None = None
        #: The response dict whose body :func:`_before_parse` took, until the parser sees it.
        self.taken: dict[str, Any] | None = None


#: Set while the SDK calls botocore; None otherwise (and in every other thread).
sdk_call: ContextVar[SdkCall | None] = ContextVar("customer_profiles_sdk_call", default=None)

# botocore runs every API call inside a fresh per-call context object (botocore.context, private
# to botocore, from 1.38.32), reset when the call ends, however it ends. The hooks compare it with
# the SDK's own call's, so a call that an event handler makes on the same client during the SDK's
# call (nested, with its own context object) is left entirely to botocore. An older botocore has
# no such object: install() then wraps the client's _make_api_call to give each call one of the
# SDK's own (_own_context), which serves the same purpose.
_own_context: ContextVar[object | None] = ContextVar("customer_profiles_sdk_botocore_call", default=None)
_botocore_context: Callable[[], object] | None
try:
    from botocore.context import get_context as _botocore_context

    _OWN_CONTEXT = False
except ImportError:  # botocore < 1.38.32
    _botocore_context = _own_context.get
    _OWN_CONTEXT = True


def _emits_before_parse() -> bool:
    """Whether botocore's endpoint emits ``before-parse`` (newer botocore; not 1.34)."""
    from botocore.endpoint import Endpoint

    consts = getattr(getattr(Endpoint, "_do_get_response", None), "__code__", None)
    return any(isinstance(c, str) and c.startswith("before-parse") for c in getattr(consts, "co_consts", ()))


_BEFORE_PARSE = _emits_before_parse()


def pickled(params: dict[str, Any]) -> bytes | None:
    """The parameters as compared by the serializer hook, or None if they cannot be pickled."""
    try:
        return pickle.dumps(params, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # nothing a validated request holds, but then botocore simply validates
        return None


def _enter(**kwargs: Any) -> None:
    """``provide-client-params``, the first event of every call: the first one after the SDK set
    :data:`sdk_call` belongs to the SDK's own call (this handler runs before any other)."""
    call = sdk_call.get()
    if call is not None and call.owner is None and _botocore_context is not None:
        call.owner = _botocore_context()  # None outside botocore's call: the hooks then stay off


def _in_sdk_call() -> bool:
    """Whether the running botocore call is the SDK's own (not one made by an event handler)."""
    call = sdk_call.get()
    return (
        call is not None
        and call.owner is not None
        and _botocore_context is not None
        and _botocore_context() is call.owner
    )


def _active(operation_name: str) -> SdkCall | None:
    call = sdk_call.get()
    if (
        call is None
        or call.owner is None
        or call.operation != operation_name
        or _botocore_context is None
        or _botocore_context() is not call.owner
    ):
        return None
    return call


class _ValidatedSerializer:
    """Wraps botocore's validating serializer; skips the validation for SDK-validated params."""

    __slots__ = ("_checked",)

    def __init__(self, checked: ParamValidationDecorator) -> None:
        self._checked = checked

    def serialize_to_request(self, parameters: Any, operation_model: Any) -> Any:
        call = _active(operation_model.name)
        if call is not None and call.params is not None:
            expected, call.params = call.params, None  # used once
            if pickled(parameters) == expected:
                return self._checked._serializer.serialize_to_request(  # type: ignore[attr-defined]
                    parameters, operation_model
                )
        return self._checked.serialize_to_request(parameters, operation_model)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._checked, name)


def _unusable_error(parsed: Any) -> bool:
    """botocore's parse of an error answer with a code that is not a string (``{"__type": [1]}``):
    botocore's client and retry handlers would fail on it with a bare TypeError."""
    error = parsed.get("Error") if isinstance(parsed, dict) else None
    return isinstance(error, dict) and not isinstance(error.get("Code"), str)


class _LenientJSONHandlers:
    """botocore's JSON scalar and container handlers, minus the conversions that change a value.

    Mixed in before botocore's own JSON parser class (see :func:`_lenient`) for the 2xx answers of
    the SDK's own ``fast_parse=False`` calls. A value of the JSON type the model gives its member
    goes through botocore's handler as before (so a conforming body parses exactly as a plain
    boto3 client parses it). Any other value is returned as it came, and the response model keeps
    it in a ``RawValue``, as the fast path does: botocore would turn ``1.5``, ``true`` or ``"5"``
    for an integer into ``1``, ``1`` or ``5``, ``"yes"`` or ``1`` for a boolean into ``False``, a
    string for a list into its characters, and would fail on a list where a structure is expected
    or on a timestamp out of ``datetime``'s range. Only a union with other than one member is
    still refused (botocore's rule on this path). Members bound to headers or the status code are
    left to botocore: they are text or a number by nature, not JSON.
    """

    __slots__ = ()

    # botocore before 1.35 has no handler for some types (boolean, float, double): it passes such
    # values through its _default_handle, which _botocore falls back to.

    def _handle_integer(self, shape: Any, value: Any) -> Any:
        if _bound_elsewhere(shape) or (isinstance(value, int) and not isinstance(value, bool)):
            return _botocore(self, "_handle_integer")(shape, value)
        return value

    _handle_long = _handle_integer

    def _handle_float(self, shape: Any, value: Any) -> Any:
        if _bound_elsewhere(shape):
            return _botocore(self, "_handle_float")(shape, value)
        if isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool)):
            try:
                return _botocore(self, "_handle_float")(shape, value)
            except (OverflowError, ValueError):  # an integer beyond a float's range
                pass
        return value

    _handle_double = _handle_float

    def _handle_boolean(self, shape: Any, value: Any) -> Any:
        if _bound_elsewhere(shape) or isinstance(value, bool):
            return _botocore(self, "_handle_boolean")(shape, value)
        return value

    def _handle_timestamp(self, shape: Any, value: Any) -> Any:
        if _bound_elsewhere(shape):
            return _botocore(self, "_handle_timestamp")(shape, value)
        if isinstance(value, str | float) or (isinstance(value, int) and not isinstance(value, bool)):
            try:
                parsed = _botocore(self, "_handle_timestamp")(shape, value)
                # The model gives every timestamp in UTC; one that cannot be (an offset at the
                # edge of datetime's range) is kept as sent, as on the fast path.
                if isinstance(parsed, datetime):
                    parsed.astimezone(UTC)
                return parsed
            except Exception:  # RuntimeError, ValueError, OverflowError, ...: the model decides
                pass
        return value

    def _handle_blob(self, shape: Any, value: Any) -> Any:
        if _bound_elsewhere(shape):
            return _botocore(self, "_handle_blob")(shape, value)
        if isinstance(value, str):
            try:
                return _botocore(self, "_handle_blob")(shape, value)
            except Exception:  # not base64
                pass
        return value

    def _handle_structure(self, shape: Any, value: Any) -> Any:
        if value is None or isinstance(value, dict) or _bound_elsewhere(shape):
            return _botocore(self, "_handle_structure")(shape, value)
        return value

    def _handle_list(self, shape: Any, node: Any) -> Any:
        if isinstance(node, list) or _bound_elsewhere(shape):
            return _botocore(self, "_handle_list")(shape, node)
        return node

    def _handle_map(self, shape: Any, value: Any) -> Any:
        if isinstance(value, dict) or _bound_elsewhere(shape):
            return _botocore(self, "_handle_map")(shape, value)
        return value


def _botocore(parser: Any, name: str) -> Callable[[Any, Any], Any]:
    """botocore's own handler ``name`` of the parser's class (the one the lenient mixin overrides),
    or its default handler where the installed botocore has none for that type."""
    handler = getattr(super(_LenientJSONHandlers, parser), name, None)
    return handler if handler is not None else parser._default_handle  # type: ignore[no-any-return]


def _bound_elsewhere(shape: Any) -> bool:
    """Whether a member is read from the HTTP headers or status code, not from the JSON body."""
    serialization = getattr(shape, "serialization", None)
    return isinstance(serialization, dict) and serialization.get("location") is not None


_LENIENT_CLASSES: dict[type, type] = {}


def _lenient(parser: Any) -> Any:
    """A copy of botocore's JSON ``parser`` (same settings: timestamp and blob parsers) with the
    :class:`_LenientJSONHandlers`; a parser of another protocol is returned unchanged."""
    base = type(parser)
    if not issubclass(base, BaseJSONParser) or not hasattr(parser, "__dict__"):
        return parser
    cls = _LENIENT_CLASSES.get(base)
    if cls is None:
        cls = type(f"Lenient{base.__name__}", (_LenientJSONHandlers, base), {})
        _LENIENT_CLASSES[base] = cls
    copy: Any = object.__new__(cls)
    copy.__dict__.update(parser.__dict__)
    return copy


class _GuardedParser:
    """Wraps the parser botocore creates for each answer (see _GuardedParserFactory).

    During the SDK's own call, nothing botocore's parser raises escapes as it is. An error answer
    (status 300 and above) is parsed again as an empty object, as botocore parses an empty error
    body: the code comes from x-amzn-ErrorType or the status, so the error class and the retries
    are what botocore gives any answer with that header and status. On a 2xx answer,
    :class:`ParserFailure` is raised, outside the ``except`` block, so it chains nothing. Other
    calls (directly on the boto3 client, or by event handlers) see botocore's parser unchanged.
    The steps are :func:`_guarded_steps`, shared with :class:`_AsyncGuardedParser`.
    """

    __slots__ = ("_parser",)

    def __init__(self, parser: Any) -> None:
        self._parser = parser

    def parse(self, response: dict[str, Any], shape: Any) -> Any:
        if not _in_sdk_call():
            return self._parser.parse(response, shape)
        skipped = _metadata_only(response, shape)
        if skipped is not None:
            return skipped
        steps = _guarded_steps(self._parser, response)
        parser = next(steps)
        while True:
            try:
                outcome: tuple[bool, Any] = (True, parser.parse(response, shape))
            except Exception as exc:  # the whole class: RuntimeError, OverflowError, ValueError, ...
                outcome = (False, type(exc).__name__)  # only the class name: the text may quote the body
            try:
                parser = steps.send(outcome)
            except StopIteration as done:
                return done.value

    def __getattr__(self, name: str) -> Any:
        return getattr(self._parser, name)


class _AsyncGuardedParser(_GuardedParser):
    """:class:`_GuardedParser` for aiobotocore, whose parsers' ``parse`` is a coroutine."""

    __slots__ = ()

    async def parse(self, response: dict[str, Any], shape: Any) -> Any:
        if not _in_sdk_call():
            return await self._parser.parse(response, shape)
        skipped = _metadata_only(response, shape)
        if skipped is not None:
            return skipped
        steps = _guarded_steps(self._parser, response)
        parser = next(steps)
        while True:
            try:
                outcome: tuple[bool, Any] = (True, await parser.parse(response, shape))
            except Exception as exc:  # as in _GuardedParser.parse
                outcome = (False, type(exc).__name__)
            try:
                parser = steps.send(outcome)
            except StopIteration as done:
                return done.value


def _body_only(shape: Any) -> bool:
    """Whether every member of the output shape comes from the body (no header, status code or
    payload member), so that botocore's parse of an emptied body gives the response metadata alone.

    Kept on the shape object itself: a module-level table keyed by shapes would keep every
    client's service model alive (each client has its own shape objects).
    """
    if shape is None:
        return True
    known = vars(shape).get("_cp_body_only")
    if known is None:
        serialization = getattr(shape, "serialization", {})
        members = getattr(shape, "members", {})
        known = (
            "payload" not in serialization
            and not serialization.get("eventstream")
            and not any(member.serialization.get("location") for member in members.values())
        )
        vars(shape)["_cp_body_only"] = known
    return bool(known)


_PARSER_LOG = logging.getLogger("botocore.parsers")


def _metadata_only(response: dict[str, Any], shape: Any) -> dict[str, Any] | None:
    """What botocore's parser returns for a 2xx answer whose body :func:`_before_parse` took, or None.

    With the body emptied, botocore's rest-json parse of a shape whose members all come from the
    body gives the response metadata alone, built from the status and headers. This builds the
    same dict (a differential test compares the two for every operation, on every supported
    botocore) without creating and running botocore's parser: about 8 µs of every SDK call. The
    two DEBUG lines botocore's parser would log are logged here, under botocore's logger name and
    with its text, so only a log format that shows the source module or function tells them apart.
    """
    call = sdk_call.get()
    if call is None or call.taken is not response:
        return None
    call.taken = None
    status = response.get("status_code")
    if not isinstance(status, int) or not 200 <= status < 300 or not _body_only(shape):
        return None
    if _PARSER_LOG.isEnabledFor(logging.DEBUG):  # the lines botocore's parser logs (and the SDK redacts)
        _PARSER_LOG.debug("Response headers: %r", response["headers"])
        _PARSER_LOG.debug("Response body:\n%r", response["body"])
    return response_metadata(response)


def response_metadata(response: dict[str, Any]) -> dict[str, Any]:
    """The parsed dict botocore's rest-json parser gives for a 2xx answer with an empty body:
    the response metadata, from the status, the headers and the checksum context. Also the
    benchmarks' baseline parser (benchmarks/calls.py)."""
    headers = response["headers"]
    metadata: dict[str, Any] = {}
    if "x-amzn-requestid" in headers:
        metadata["RequestId"] = headers["x-amzn-requestid"]
    elif "x-amz-request-id" in headers:
        metadata["RequestId"] = headers["x-amz-request-id"]
        metadata["HostId"] = headers.get("x-amz-id-2", "")
    metadata["HTTPStatusCode"] = response["status_code"]
    metadata["HTTPHeaders"] = {key.lower(): headers[key] for key in headers}  # as botocore.utils.lowercase_dict
    algorithm = (response.get("context") or {}).get("checksum", {}).get("response_algorithm")
    if algorithm:
        metadata["ChecksumAlgorithm"] = algorithm
    return {"ResponseMetadata": metadata}


def _guarded_steps(botocore_parser: Any, response: dict[str, Any]) -> Generator[Any, tuple[bool, Any], Any]:
    """The logic of the guarded parsers, without calling any parser: it yields the parser to run
    on ``response`` and is sent ``(True, parsed)`` or ``(False, exception class name)``; it
    returns the parsed answer or raises :class:`ParserFailure` (from no ``except`` block)."""
    status = response.get("status_code")
    error = isinstance(status, int) and status >= 300
    call = sdk_call.get()
    # A 2xx body that botocore parses (fast_parse=False): values of another JSON type than the
    # model's are kept as sent, as the fast path keeps them (see _LenientJSONHandlers).
    parser = botocore_parser if error or call is None or call.fast_parse else _lenient(botocore_parser)
    ok, value = yield parser
    if ok:
        if not (error and _unusable_error(value)):
            return value
        kind = "unusable error code"
    else:
        kind = value
    if error:
        # In place: botocore parses the same answer again for the modeled error fields.
        response["body"] = b"{}"
        ok, value = yield botocore_parser
        if ok:  # botocore parses {} without fail, but whatever it raises is reported below
            return value
        kind = value
    raise ParserFailure(kind)


#: The guard of each parser class: :class:`_AsyncGuardedParser` for coroutine ``parse`` methods.
_GUARDS: dict[type, type[_GuardedParser]] = {}


class _GuardedParserFactory:
    """Stands in for the endpoint's parser factory (shared by a session's clients, so the
    factory itself is never changed): every parser it creates is a :class:`_GuardedParser`."""

    __slots__ = ("_factory",)

    def __init__(self, factory: Any) -> None:
        self._factory = factory

    def create_parser(self, protocol_name: str) -> _GuardedParser:
        parser = self._factory.create_parser(protocol_name)
        kind = type(parser)
        guard = _GUARDS.get(kind)
        if guard is None:  # once per parser class, not once per answer
            asynchronous = inspect.iscoroutinefunction(getattr(kind, "parse", None))  # aiobotocore's parsers
            guard = _GUARDS[kind] = _AsyncGuardedParser if asynchronous else _GuardedParser
        return guard(parser)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._factory, name)


def _before_parse(
    response_dict: dict[str, Any], customized_response_dict: dict[str, Any], operation_model: Any, **kwargs: Any
) -> None:
    call = _active(operation_model.name)
    if call is None:
        return
    status = response_dict.get("status_code")
    body = response_dict.get("body")
    if not isinstance(status, int) or not isinstance(body, bytes | bytearray):
        return
    if status >= 300:
        # botocore puts an error body it cannot read as a JSON object, whole, into the error
        # message (an HTML page, a truncated document), and so into the exception's text. It is
        # given "{}" instead: the code still comes from x-amzn-ErrorType or the status, so error
        # classes and retries are unchanged. So is a body nested too deep, which would take
        # botocore's (recursive) JSON reader to RecursionError. botocore's own generic path (a
        # 5xx that is empty or starts with <html>) quotes no body and is left alone.
        stripped = body.strip()
        if not (status >= 500 and (not stripped or stripped.startswith(b"<html>"))):
            if nesting_exceeds(body) or not isinstance(_loads(body, skip_bom=False), dict):
                response_dict["body"] = b"{}"
        return
    if not 200 <= status < 300:
        return
    # botocore reads bodies without checking Content-Length: a connection closed early would
    # leave a short, possibly empty (so "valid"), body.
    declared = response_dict.get("headers", {}).get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > len(body):
        raise IncompleteReadError(actual_bytes=len(body), expected_bytes=int(declared))
    # With fast_parse=False botocore parses, except a body it cannot read as JSON, which it would
    # turn into an empty response, a body that is JSON but not an object (its lenient handlers
    # would hand a list of pairs on to dict.update), and a body nested too deep for it: parse_body
    # raises ResponseParseError for all three instead (or, past a byte order mark, reads the
    # object). The depth is checked first: json.loads recurses.
    if call.fast_parse or (
        body.strip() and (nesting_exceeds(body) or not isinstance(_loads(body, skip_bom=False), dict))
    ):
        customized_response_dict[BODY_KEY] = bytes(body)
        response_dict["body"] = b""
        call.taken = response_dict


def install(client: BaseClient) -> bool:
    """Add the hooks to ``client`` (once; installing again changes nothing).

    Returns whether botocore's validation can be skipped on this client: False when its
    serializer does not validate (``parameter_validation=False``) or is not botocore's own.
    """
    if (_OWN_CONTEXT or not _BEFORE_PARSE) and inspect.iscoroutinefunction(getattr(client, "_make_api_call", None)):
        # aiobotocore needs a botocore with both (every aiobotocore 2.x and 3.x pins one).
        raise TypeError("an aiobotocore client needs botocore 1.38.32 or newer")
    events = client.meta.events
    events.register_first("provide-client-params.customer-profiles", _enter, unique_id=f"{_HANDLER_ID}.enter")
    if _OWN_CONTEXT and not isinstance(getattr(client, "_make_api_call", None), _CallContext):  # botocore < 1.38.32
        raw: Any = client
        raw._make_api_call = _CallContext(raw._make_api_call)
    if _BEFORE_PARSE:
        events.register_last("before-parse.customer-profiles", _before_parse, unique_id=_HANDLER_ID)
    endpoint = getattr(client, "_endpoint", None)
    factory = getattr(endpoint, "_response_parser_factory", None)
    if (
        factory is not None
        and hasattr(factory, "create_parser")
        and not isinstance(factory, _GuardedParserFactory | _ParserFactory)
    ):
        guarded: Any = _GuardedParserFactory(factory)
        # botocore without the before-parse event: the hook runs in front of the guarded parser.
        endpoint._response_parser_factory = guarded if _BEFORE_PARSE else _ParserFactory(guarded)  # type: ignore[union-attr]
    _cache_endpoints(client)
    _signing.install(client)
    serializer = getattr(client, "_serializer", None)
    # Only botocore's own validating serializer is wrapped. With parameter_validation=False there
    # is nothing to skip; anything else is someone else's and is left alone.
    if type(serializer) is ParamValidationDecorator and hasattr(serializer, "_serializer"):
        client._serializer = _ValidatedSerializer(serializer)  # type: ignore[attr-defined]
    return isinstance(getattr(client, "_serializer", None), _ValidatedSerializer)


#: The endpoint rule set parameters that depend on the client alone (its region, its endpoint_url
#: and its FIPS and dual-stack settings), never on the call: a rule set with no other parameter
#: gives every call of one operation the same endpoint (customer-profiles' has these four).
_CLIENT_CONSTANT_PARAMETERS = frozenset({"Region", "UseDualStack", "UseFIPS", "Endpoint"})


def _cache_endpoints(client: Any) -> None:
    """Give the client's endpoint rule set resolver a per-operation cache for the SDK's calls.

    botocore resolves the endpoint again for every call (about 4% of a small call): it emits
    ``before-endpoint-resolution``, gathers the rule set's parameters and asks the (cached)
    provider. When every parameter of the rule set depends on the client alone, the SDK's own
    calls reuse the first answer per operation, as long as nothing is registered for that event
    (a handler there could change the parameters per call: then botocore resolves every time).
    Calls made directly on the boto3 client are resolved by botocore as usual.
    """
    resolver = getattr(client, "_ruleset_resolver", None)
    if resolver is None or isinstance(resolver, _EndpointCache):
        return
    definitions = getattr(resolver, "_param_definitions", None)
    emitter = getattr(client.meta.events, "_emitter", None)
    if (
        not isinstance(definitions, dict)
        or not set(definitions) <= _CLIENT_CONSTANT_PARAMETERS
        or not isinstance(getattr(emitter, "_lookup_cache", None), dict)
        or not callable(getattr(resolver, "construct_endpoint", None))
    ):
        return
    service_id = client.meta.service_model.service_id.hyphenize()
    cache_class = _AsyncEndpointCache if inspect.iscoroutinefunction(resolver.construct_endpoint) else _EndpointCache
    client._ruleset_resolver = cache_class(resolver, emitter, f"before-endpoint-resolution.{service_id}")


def _fresh_endpoint(endpoint: Any) -> Any:
    """A copy of a resolved endpoint with containers of its own: botocore and handlers may change
    what they are given. (Built directly: NamedTuple._replace and deepcopy of an empty dict cost
    2 µs of every call.)"""
    properties = copy.deepcopy(endpoint.properties) if endpoint.properties else {}
    return type(endpoint)(url=endpoint.url, properties=properties, headers=dict(endpoint.headers))


class _EndpointCache:
    """Stands in for botocore's ``EndpointRulesetResolver`` (see :func:`_cache_endpoints`)."""

    __slots__ = ("_cache", "_emitter", "_event", "_resolver")

    def __init__(self, resolver: Any, emitter: Any, event: str) -> None:
        self._resolver = resolver
        self._emitter = emitter
        self._event = event
        self._cache: dict[str, Any] = {}

    def _cached(self, operation_model: Any) -> Any:
        """The cached endpoint for this call, or None: resolve it (and :meth:`_keep` it)."""
        if not _in_sdk_call():
            return None
        handlers = self._emitter._lookup_cache.get(self._event)  # botocore's own lookup cache
        if handlers is None or len(handlers):  # not looked up since the last registration, or handled
            return None
        hit = self._cache.get(operation_model.name)
        return None if hit is None else _fresh_endpoint(hit)

    def _keep(self, operation_model: Any, endpoint: Any) -> Any:
        if _in_sdk_call() and hasattr(endpoint, "_replace"):  # botocore's RuleSetEndpoint, a NamedTuple
            self._cache[operation_model.name] = _fresh_endpoint(endpoint)
        return endpoint

    def construct_endpoint(self, operation_model: Any, call_args: Any, request_context: Any) -> Any:
        hit = self._cached(operation_model)
        if hit is not None:
            return hit
        return self._keep(operation_model, self._resolver.construct_endpoint(
            operation_model=operation_model, call_args=call_args, request_context=request_context))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._resolver, name)


class _AsyncEndpointCache(_EndpointCache):
    """:class:`_EndpointCache` for aiobotocore, whose resolver's ``construct_endpoint`` is a coroutine."""

    __slots__ = ()

    async def construct_endpoint(self, operation_model: Any, call_args: Any, request_context: Any) -> Any:
        hit = self._cached(operation_model)
        if hit is not None:
            return hit
        return self._keep(operation_model, await self._resolver.construct_endpoint(
            operation_model=operation_model, call_args=call_args, request_context=request_context))


class _CallContext:
    """botocore < 1.38.32: runs each API call of the client with a fresh object in
    :data:`_own_context` (what botocore.context does on newer versions), reset when it ends."""

    __slots__ = ("_call",)

    def __init__(self, call: Callable[[str, Any], Any]) -> None:
        self._call = call

    def __call__(self, operation_name: str, api_params: Any) -> Any:
        token = _own_context.set(object())
        try:
            return self._call(operation_name, api_params)
        finally:
            _own_context.reset(token)


class _Operation:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


class _ParserFactory:
    """botocore without the ``before-parse`` event: the client's endpoint gets parsers that run
    :func:`_before_parse` on the response before botocore's parser reads it, as the event would."""

    __slots__ = ("_factory",)

    def __init__(self, factory: Any) -> None:
        self._factory = factory

    def create_parser(self, protocol_name: str) -> Any:
        return _HookedParser(self._factory.create_parser(protocol_name))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._factory, name)


class _HookedParser:
    __slots__ = ("_first", "_parser")

    def __init__(self, parser: Any) -> None:
        self._parser = parser
        self._first = True

    def parse(self, response: dict[str, Any], shape: Any) -> Any:
        call = sdk_call.get()
        if not self._first or call is None:  # the second pass reads modeled error fields
            return self._parser.parse(response, shape)
        self._first = False
        customized: dict[str, Any] = {}
        _before_parse(response, customized, _Operation(call.operation))
        parsed = self._parser.parse(response, shape)
        parsed.update(customized)
        return parsed

    def __getattr__(self, name: str) -> Any:
        return getattr(self._parser, name)


_lenient_validate: Callable[..., Any] | None = None


def _load_lenient_validate() -> Callable[..., Any]:
    """Imported on first use, not at module level: creating a client must not load pydantic."""
    global _lenient_validate
    from ._model import lenient_validate_json

    _lenient_validate = lenient_validate_json
    return lenient_validate_json


def parse_body(cls: type[ResponseShape], body: bytes, others: dict[str, Any]) -> ResponseShape:
    """Parse the raw JSON body of a 2xx answer into ``cls``, as botocore would, but keep more.

    ``others`` holds what botocore parsed from outside the body (members bound to the status
    code). As in botocore, a member present (and not null) in the body wins over them.

    * An empty body is an empty object, as in botocore.
    * Anything else must be a JSON object: otherwise :class:`ResponseParseError` is raised
      (botocore would silently return ``{}`` for a body that is not JSON).
    * A body whose lists and objects nest more than :data:`MAX_BODY_DEPTH` deep raises
      :class:`ResponseParseError`.
    * Unknown members are kept (botocore drops them).

    The nesting costs nothing to check on most bodies: pydantic-core's reader is not Python-
    recursive (it refuses about 200 levels by itself), and its typed validator refuses unknown
    members nested deeper than ``_model.UNKNOWN_MEMBER_DEPTH``, so what it accepts is within the
    limit (see ``lenient_validate_json``). Any other body is scanned (:func:`nesting_exceeds`)
    before the lenient validator or Python's json module reads it.
    """
    global _gc_paused_by_us
    lenient_validate = _lenient_validate or _load_lenient_validate()
    scanned = False

    def vet() -> None:
        nonlocal scanned
        scanned = True
        if nesting_exceeds(body):
            raise _too_deep(cls)

    if not others and body:
        share = len(body) >= SHARE_MIN_BYTES
        if len(body) >= GC_PAUSE_MIN_BYTES and _one_thread():
            # The pause (see _pause), written out here rather than as a context manager: a
            # KeyboardInterrupt can land wherever a call returns or a Python function starts, and
            # only this shape makes sure the collector is back on, and nothing left frozen, however
            # the parse ends.
            pause = _pause()
            parsed = False
            try:
                result = lenient_validate(cls, body, vet, share)
                parsed = True
            finally:
                if pause:
                    try:
                        if pause == _PROMOTE and parsed:
                            _promote()
                    finally:
                        _gc_paused_by_us = False  # first: an interrupt can land as enable() returns
                        gc.enable()
            if pause == _PROMOTE:
                _after_promotion()
        else:
            result = lenient_validate(cls, body, vet, share)
        if result is not None:
            return result  # type: ignore[no-any-return]
    # Slow lane: the status members need merging, the body is empty, or pydantic-core's JSON
    # reader refused something Python's (botocore's) accepts. Decode as botocore does.
    data: Any = {}
    if body.strip():  # an empty body, or only whitespace, is an empty object, as in botocore
        if not scanned:
            vet()
        data = _loads(body)
        if data is _NOT_JSON:
            # Raised here, outside the except block: a JSONDecodeError holds the whole body.
            raise _not_json(cls)
    if isinstance(data, dict) and others:
        data = dict(data)
        for key, value in others.items():
            if data.get(key) is None:
                data[key] = value
    # from_wire keeps member names that are not Unicode text (a lone surrogate, which JSON allows as
    # "\ud800") as unknown members; pydantic-core alone would refuse the whole response.
    return cls.from_wire(data)


_NOT_JSON = object()


def _loads(body: bytes | bytearray, skip_bom: bool = True) -> Any:
    """The body read as botocore reads it (UTF-8, then Python's json), or _NOT_JSON.

    With ``skip_bom`` (the SDK's own reading), a UTF-8 byte order mark is skipped: botocore's
    reader refuses it and returns ``{}``, losing the whole answer without a word; the SDK reads the
    object behind it. Without, the body is read exactly as botocore's parsers read it.
    """
    try:
        return json.loads(body.decode("utf-8-sig" if skip_bom else "utf-8"))
    except ValueError:  # UnicodeDecodeError is a ValueError
        return _NOT_JSON


#: Bodies at least this long are parsed with the cyclic garbage collector paused (see _pause).
#: Below, the parse makes a few hundred tracked objects, which the collector handles as cheaply as
#: the pause's own work: measured (docs/performance.md, "Garbage collection"), pausing cost
#: ListProfileObjects-100 (30 KiB) about 8% and SearchProfiles-15 (26 KiB) about 10%, and paid
#: from SearchProfiles-30 (52 KiB) up.
GC_PAUSE_MIN_BYTES = 48 * 1024
#: Bodies at least this long are parsed with models of one class that were sent the same members
#: sharing one set of member names (``_model._sharing_validator``): less memory and fewer objects
#: for the collector, at the price of a Python call per model, which pays off only on large
#: answers (measured in docs/performance.md, "Memory").
SHARE_MIN_BYTES = 512 * 1024
_gc_paused_by_us = False


#: What :func:`_pause` did: nothing, paused the collector, or paused it and will promote.
_PAUSED = 1
_PROMOTE = 2


def _one_thread() -> bool:
    """Whether this is the process's only thread: ``threading`` knows of no other, and neither
    does the interpreter (threads started with ``_thread.start_new_thread``, which ``threading``
    does not count, have frames there)."""
    return threading.active_count() == 1 and len(sys._current_frames()) == 1


def _pause() -> int:
    """Pause the cyclic garbage collector while pydantic-core builds one large response.

    Building a large response creates thousands of model objects at once, which sets off several
    young-generation collections per response; they find nothing to free (the new objects form no
    reference cycles), yet they cost about as much as the parse itself (docs/performance.md).
    Reference counting still frees everything as usual.

    Pausing alone only defers that work: the first allocation afterwards starts a young collection
    that walks every new model once. So, when :func:`_may_promote` allows it, the pause first runs
    ``gc.collect(1)``, which examines the application's young objects as the collector would have
    (the young generations are then empty), and after a parse that raised nothing
    :func:`_promote` moves what the young generation holds, which is only what the parse made, into
    the oldest generation without walking it.

    Returns 0 (no pause: the collector was off), :data:`_PAUSED` or :data:`_PROMOTE`.
    :func:`parse_body` switches the collector back on. Only used when the process has a single
    thread (:func:`_one_thread`): other threads would allocate with the collector off for as long
    as parses overlap, and their young objects would move on unexamined. A child forked during a
    pause gets its collector back (``os.register_at_fork``).
    """
    global _gc_paused_by_us
    if not gc.isenabled():
        return 0
    pause = _PAUSED
    if _may_promote():
        gc.collect(1)
        # The collection may have run the application's code (gc callbacks, finalizers): it may
        # have switched the collector off or frozen objects itself, and what it made is young and
        # unexamined, so it must not be moved on with the parse's objects.
        if not gc.isenabled():
            return 0
        if not _app_has_frozen() and not gc.get_objects(0):
            pause = _PROMOTE
    _gc_paused_by_us = True
    try:
        gc.disable()
    except BaseException:  # a KeyboardInterrupt as disable() returned: no pause after all
        _gc_paused_by_us = False
        gc.enable()
        raise
    return pause


def _promote() -> None:
    """Move the young generation (what the parse made) to the oldest one, without a walk.

    ``gc.freeze()`` moves every generation to the permanent one and ``gc.unfreeze()`` moves it all
    back into the oldest, both list splices. ``freeze()`` also zeroes every generation's count,
    the oldest's too, which is the countdown to the next full collection: it is counted back with
    as many (empty, so nearly free) young collections, or full collections would never come and
    the application's old cyclic garbage would never be freed.
    """
    if _app_has_frozen():  # frozen during the parse (a signal handler): keep it so
        return
    countdown = gc.get_count()[2]
    try:
        gc.freeze()
    finally:
        gc.unfreeze()
        for _ in range(min(countdown, gc.get_threshold()[2] + 1)):
            gc.collect(1)


#: Promotions since :func:`_after_promotion` last let the collector decide on a full collection.
_promotions = 0


def _after_promotion() -> None:
    """Let the collector decide on a full collection now and then, as it would have.

    CPython considers a full collection only in an automatic collection, which starts when the
    young generation's count passes its threshold. The pause's ``gc.collect(1)`` and
    ``gc.freeze()`` zero that count, so an application making large calls more often than it
    allocates the threshold's worth of objects would never see one, and its old cyclic garbage
    would never be freed. So, once the oldest generation's countdown has run out, and at most once
    every (its threshold + 1) promotions, this allocates short-lived objects until an automatic
    collection starts (about 75 µs with the default threshold of 700), in which CPython decides
    as usual, full collection or not. Nothing process-wide is changed: the application's code that
    runs in that collection (finalizers) sees its own thresholds.
    """
    global _promotions
    _promotions += 1
    threshold = gc.get_threshold()
    if _promotions > threshold[2] and gc.get_count()[2] > threshold[2] and gc.isenabled():
        _promotions = 0
        # Objects freed meanwhile lower the count, so allocate in steps until it drops: a
        # collection ran (bounded: _may_promote keeps the young threshold at most _MAX_YOUNG).
        young: list[_Young] = []
        last = -1
        for _ in range(2 * threshold[0] // _STEP + 4):
            young.extend([_Young() for _ in range(_STEP)])
            count = gc.get_count()[0]
            if count < last:
                break
            last = count


_STEP = 50
#: The pause promotes only while the young threshold is at most this (starting a collection
#: allocates about that many objects) and the oldest one at most _MAX_OLDEST (the countdown is
#: counted back with that many empty collections).
_MAX_YOUNG = 10_000
_MAX_OLDEST = 100


class _Young:
    """A tracked object with no free list: each one made adds to the young generation's count."""


#: Whether the application was seen to have frozen objects itself (gc.freeze): then the pause
#: never promotes, as gc.unfreeze() would thaw them.
_app_froze = False


def _app_has_frozen() -> bool:
    """Whether the application froze objects (gc.freeze), remembered once seen (checking is a walk
    over the frozen objects)."""
    global _app_froze
    if not _app_froze and gc.get_freeze_count():
        _app_froze = True
    return _app_froze


def _may_promote() -> bool:
    """Whether the pause may move the parse's objects on: the application froze nothing
    (:func:`_app_has_frozen`), its thresholds are
    neither 0 (automatic collection off) nor above :data:`_MAX_YOUNG` and :data:`_MAX_OLDEST`
    (what the promotion's own work is proportional to), it has not asked for debugging output (a
    collection would print, or keep its garbage), and it watches no collection (``gc.callbacks``:
    it would see the promotion's extra young collections, and pay for each)."""
    if _app_has_frozen():
        return False
    threshold = gc.get_threshold()
    return (0 < threshold[0] <= _MAX_YOUNG and threshold[2] <= _MAX_OLDEST and not gc.get_debug()
            and not gc.callbacks)


def _after_fork_in_child() -> None:
    global _gc_paused_by_us
    if _gc_paused_by_us:
        _gc_paused_by_us = False
        gc.enable()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _too_deep(cls: type[ResponseShape]) -> Exception:
    from .errors import Problem, ResponseParseError

    message = f"the response body nests lists and objects more than {MAX_BODY_DEPTH} levels deep"
    return ResponseParseError(cls.__cp__.name, [Problem("", "parse", message)])


def _not_json(cls: type[ResponseShape]) -> Exception:
    from .errors import Problem, ResponseParseError

    return ResponseParseError(cls.__cp__.name, [Problem("", "parse", "the response body is not valid JSON")])
