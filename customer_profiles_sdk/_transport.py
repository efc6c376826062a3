"""Transport hooks: what the SDK adds to the boto3 client it calls through.

Two hooks are installed on the client, and both act only while the SDK itself is making a call
(a context variable, set by :meth:`ClientCore._send` around the boto3 call, says so). Calls made
directly on ``client.boto3_client`` behave exactly as they would without the SDK.

* **Fast response parsing.** A ``before-parse`` handler takes the raw body of a 2xx answer and
  leaves botocore an empty body to parse, so botocore still fills the response metadata and the
  members bound to the HTTP status code, but skips its Python walk over the JSON. The SDK then
  parses the raw body once, with pydantic-core, straight into the response model
  (:func:`parse_body`). Error answers (status 300 and above) are left to botocore's parser, so
  error codes, modeled error fields and retries work exactly as before.
* **No second validation.** botocore's ``ParamValidator`` checks only a subset of what the
  request models check (required members, types, minimums, unions). For the exact parameters the
  SDK validated, the serializer is called without it; any other parameters, including ones an
  event handler changed after the SDK validated them, are validated by botocore as usual.

The generator never writes this module. See docs/design.md (section 11) and docs/performance.md.
"""

from __future__ import annotations

import gc
import json
import threading
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from botocore.validate import ParamValidationDecorator

if TYPE_CHECKING:
    from botocore.client import BaseClient

    from ._model import ResponseShape

__all__ = ["BODY_KEY", "SdkCall", "install", "parse_body", "sdk_call"]

#: Key under which the raw body of a 2xx answer travels from the ``before-parse`` hook, through
#: botocore's parsed dict, to :func:`parse_body`.
BODY_KEY = "__customer_profiles_sdk_raw_body__"
_HANDLER_ID = "customer_profiles_sdk.fast-parse"


class SdkCall:
    """The state of one SDK call, visible to the hooks through :data:`sdk_call`."""

    __slots__ = ("fast_parse", "params")

    def __init__(self, params: dict[str, Any] | None, fast_parse: bool) -> None:
        #: The validated parameters, in containers botocore never sees (a second dump of the
        #: request), or None. An event handler may change botocore's copy, even in place.
        self.params = params
        self.fast_parse = fast_parse


#: Set while the SDK calls botocore; None otherwise (and in every other thread).
sdk_call: ContextVar[SdkCall | None] = ContextVar("customer_profiles_sdk_call", default=None)


class _ValidatedSerializer:
    """Wraps botocore's validating serializer; skips the validation for SDK-validated params."""

    __slots__ = ("_checked",)

    def __init__(self, checked: ParamValidationDecorator) -> None:
        self._checked = checked

    def serialize_to_request(self, parameters: Any, operation_model: Any) -> Any:
        call = sdk_call.get()
        if call is not None and call.params is not None and parameters == call.params:
            return self._checked._serializer.serialize_to_request(  # type: ignore[attr-defined]
                parameters, operation_model
            )
        return self._checked.serialize_to_request(parameters, operation_model)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._checked, name)


def _before_parse(response_dict: dict[str, Any], customized_response_dict: dict[str, Any], **kwargs: Any) -> None:
    call = sdk_call.get()
    if call is None or not call.fast_parse:
        return
    status = response_dict.get("status_code")
    body = response_dict.get("body")
    if not isinstance(status, int) or not 200 <= status < 300 or not isinstance(body, bytes | bytearray):
        return
    customized_response_dict[BODY_KEY] = bytes(body)
    response_dict["body"] = b""


def install(client: BaseClient) -> None:
    """Add the two hooks to ``client`` (once; installing again changes nothing)."""
    client.meta.events.register_last("before-parse.customer-profiles", _before_parse, unique_id=_HANDLER_ID)
    serializer = getattr(client, "_serializer", None)
    # Only botocore's own validating serializer is wrapped. With parameter_validation=False there
    # is nothing to skip; anything else is someone else's and is left alone.
    if type(serializer) is ParamValidationDecorator and hasattr(serializer, "_serializer"):
        client._serializer = _ValidatedSerializer(serializer)  # type: ignore[attr-defined]


def parse_body(cls: type[ResponseShape], body: bytes, others: dict[str, Any]) -> ResponseShape:
    """Parse the raw JSON body of a 2xx answer into ``cls``, as botocore would, but keep more.

    ``others`` holds what botocore parsed from outside the body (members bound to the status
    code). As in botocore, a member present (and not null) in the body wins over them.

    * An empty body is an empty object, as in botocore.
    * Anything else must be a JSON object: otherwise :class:`ResponseParseError` is raised
      (botocore would silently return ``{}`` for a body that is not JSON).
    * Unknown members are kept (botocore drops them).
    """
    from ._model import lenient_validate

    if not others and body:
        if len(body) >= GC_PAUSE_MIN_BYTES:
            with _gc_paused():
                result = lenient_validate(cls, body, json_input=True)
        else:
            result = lenient_validate(cls, body, json_input=True)
        if result is not None:
            return result
    # Slow lane: the status members need merging, the body is empty, or pydantic-core's JSON
    # reader refused something Python's (botocore's) accepts. Decode as botocore does.
    data: Any = {}
    if body:
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


def _loads(body: bytes) -> Any:
    """The body read as botocore reads it (UTF-8, then Python's json), or _NOT_JSON."""
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _NOT_JSON


#: Bodies at least this long are parsed with the cyclic garbage collector paused (see _gc_paused).
GC_PAUSE_MIN_BYTES = 4096
_gc_lock = threading.Lock()
_gc_holders = 0
_gc_paused_by_us = False


class _gc_paused:
    """Pause the cyclic garbage collector while pydantic-core builds one response.

    Building a large response creates thousands of model objects at once, which sets off several
    young-generation collections per response; they find nothing to free (the new objects form no
    reference cycles, and no other Python code runs inside the parse), yet they cost as much as the
    parse itself (measured in docs/performance.md). Reference counting still frees everything as
    usual. Threads share one counter, so the collector is re-enabled when the last parse ends, and
    only if it was enabled when the first began.
    """

    def __enter__(self) -> None:
        global _gc_holders, _gc_paused_by_us
        with _gc_lock:
            if _gc_holders == 0 and gc.isenabled():
                gc.disable()
                _gc_paused_by_us = True
            _gc_holders += 1

    def __exit__(self, *exc: object) -> None:
        global _gc_holders, _gc_paused_by_us
        with _gc_lock:
            _gc_holders -= 1
            if _gc_holders == 0 and _gc_paused_by_us:
                _gc_paused_by_us = False
                gc.enable()


def _not_json(cls: type[ResponseShape]) -> Exception:
    from .errors import Problem, ResponseParseError

    return ResponseParseError(cls.__cp__.name, [Problem("", "parse", "the response body is not valid JSON")])
