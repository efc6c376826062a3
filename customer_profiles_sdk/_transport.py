"""Transport hooks: what the SDK adds to the boto3 client it calls through.

Two hooks are installed on the client, and both act only inside the SDK's own botocore call (a
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
* **No second validation.** botocore's ``ParamValidator`` checks only a subset of what the
  request models check (required members, types, minimums, unions). For the exact parameters the
  SDK validated, the serializer is called without it; any other parameters, including ones an
  event handler changed after the SDK validated them, are validated by botocore as usual.

The generator never writes this module. See docs/design.md (section 11) and docs/performance.md.
"""

from __future__ import annotations

import gc
import json
import os
import pickle
import threading
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from botocore.exceptions import IncompleteReadError
from botocore.validate import ParamValidationDecorator

if TYPE_CHECKING:
    from botocore.client import BaseClient

    from ._model import ResponseShape

__all__ = ["BODY_KEY", "SdkCall", "install", "parse_body", "pickled", "sdk_call"]

#: Key under which the raw body of a 2xx answer travels from the ``before-parse`` hook, through
#: botocore's parsed dict, to :func:`parse_body`.
BODY_KEY = "__customer_profiles_sdk_raw_body__"
_HANDLER_ID = "customer_profiles_sdk.fast-parse"


class SdkCall:
    """The state of one SDK call, visible to the hooks through :data:`sdk_call`."""

    __slots__ = ("fast_parse", "operation", "owner", "params")

    def __init__(self, operation: str, params: bytes | None, fast_parse: bool) -> None:
        self.operation = operation
        #: The pickled parameters the SDK validated, or None (nothing to skip). Compared with the
        #: pickled parameters botocore is about to serialize: equal bytes mean equal values of the
        #: same types, in the same order, which ``==`` alone would not (``5 == 5.0 == True``).
        self.params = params
        self.fast_parse = fast_parse
        #: botocore's per-call context object of the SDK's own call (see _enter).
        self.owner: object | None = None


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
        # classes and retries are unchanged. botocore's own generic path (a 5xx that is empty or
        # starts with <html>) quotes no body and is left alone.
        stripped = body.strip()
        if not (status >= 500 and (not stripped or stripped.startswith(b"<html>"))):
            if not isinstance(_loads(body, skip_bom=False), dict):
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
    # turn into an empty response: parse_body raises ResponseParseError for it instead.
    if call.fast_parse or (body.strip() and _loads(body, skip_bom=False) is _NOT_JSON):
        customized_response_dict[BODY_KEY] = bytes(body)
        response_dict["body"] = b""


def install(client: BaseClient) -> bool:
    """Add the hooks to ``client`` (once; installing again changes nothing).

    Returns whether botocore's validation can be skipped on this client: False when its
    serializer does not validate (``parameter_validation=False``) or is not botocore's own.
    """
    events = client.meta.events
    events.register_first("provide-client-params.customer-profiles", _enter, unique_id=f"{_HANDLER_ID}.enter")
    if _OWN_CONTEXT and not isinstance(getattr(client, "_make_api_call", None), _CallContext):  # botocore < 1.38.32
        raw: Any = client
        raw._make_api_call = _CallContext(raw._make_api_call)
    if _BEFORE_PARSE:
        events.register_last("before-parse.customer-profiles", _before_parse, unique_id=_HANDLER_ID)
    else:
        endpoint = getattr(client, "_endpoint", None)
        factory = getattr(endpoint, "_response_parser_factory", None)
        if factory is not None and not isinstance(factory, _ParserFactory):
            endpoint._response_parser_factory = _ParserFactory(factory)  # type: ignore[union-attr]
    serializer = getattr(client, "_serializer", None)
    # Only botocore's own validating serializer is wrapped. With parameter_validation=False there
    # is nothing to skip; anything else is someone else's and is left alone.
    if type(serializer) is ParamValidationDecorator and hasattr(serializer, "_serializer"):
        client._serializer = _ValidatedSerializer(serializer)  # type: ignore[attr-defined]
    return isinstance(getattr(client, "_serializer", None), _ValidatedSerializer)


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
    * Unknown members are kept (botocore drops them).
    """
    lenient_validate = _lenient_validate or _load_lenient_validate()
    if not others and body:
        if len(body) >= GC_PAUSE_MIN_BYTES and threading.active_count() == 1:
            with _gc_paused():
                result = lenient_validate(cls, body)
        else:
            result = lenient_validate(cls, body)
        if result is not None:
            return result  # type: ignore[no-any-return]
    # Slow lane: the status members need merging, the body is empty, or pydantic-core's JSON
    # reader refused something Python's (botocore's) accepts. Decode as botocore does.
    data: Any = {}
    if body.strip():  # an empty body, or only whitespace, is an empty object, as in botocore
        data = _loads(body)
        if data is _NOT_JSON:
            # Raised here, outside the except block: a JSONDecodeError holds the whole body.
            raise _not_json(cls)
    if isinstance(data, dict) and others:
        data = dict(data)
        for key, value in others.items():
            if data.get(key) is None:
                data[key] = value
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


#: Bodies at least this long are parsed with the cyclic garbage collector paused (see _gc_paused).
GC_PAUSE_MIN_BYTES = 4096
_gc_paused_by_us = False


class _gc_paused:
    """Pause the cyclic garbage collector while pydantic-core builds one large response.

    Building a large response creates thousands of model objects at once, which sets off several
    young-generation collections per response; they find nothing to free (the new objects form no
    reference cycles), yet they cost about as much as the parse itself (docs/performance.md).
    Reference counting still frees everything as usual.

    Only used when the process has a single thread (:func:`parse_body` checks): with other threads
    running, they would allocate with the collector off for as long as parses overlap. A child
    forked during a pause gets its collector back (``os.register_at_fork``).
    """

    def __enter__(self) -> None:
        global _gc_paused_by_us
        if gc.isenabled():
            gc.disable()
            _gc_paused_by_us = True

    def __exit__(self, *exc: object) -> None:
        global _gc_paused_by_us
        if _gc_paused_by_us:
            _gc_paused_by_us = False
            gc.enable()


def _after_fork_in_child() -> None:
    global _gc_paused_by_us
    if _gc_paused_by_us:
        _gc_paused_by_us = False
        gc.enable()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _not_json(cls: type[ResponseShape]) -> Exception:
    from .errors import Problem, ResponseParseError

    return ResponseParseError(cls.__cp__.name, [Problem("", "parse", "the response body is not valid JSON")])
