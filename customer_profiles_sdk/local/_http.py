"""The emulator's HTTP face: the service's REST-JSON protocol, read from botocore's service model.

A request (method, path, query string, body) is routed to its operation by the operation's
``requestUri`` template, and its members are read from the URI labels, the query string and the
JSON body, as botocore's ``rest-json`` serializer placed them. An answer is written the way the
service writes it: non-location members as a JSON body (timestamps as epoch seconds), errors as
``{"Message": ...}`` with the code in ``x-amzn-ErrorType`` and the modeled HTTP status.

The same functions serve the in-process interception and the 127.0.0.1 server, so both speak
exactly the same protocol.
"""

from __future__ import annotations

import codecs
import json
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, cast
from urllib.parse import parse_qs, unquote

from botocore.model import OperationModel, ServiceModel, Shape, StructureShape

from ._errors import EmulatorError, bad_request

SERVICE_NAME = "customer-profiles"
# A request body nested deeper than this is refused: no input of the service comes close (its
# deepest shapes are about ten levels), and a deeper one would exhaust the recursion limit.
_MAX_BODY_DEPTH = 64


# The largest request body the emulator reads (the service's own requests are far smaller).
MAX_BODY_BYTES = 16 * 1024 * 1024
_LENGTH = re.compile(r"[0-9]{1,20}")
# The methods whose requests carry a body: over HTTP, one without a Content-Length is refused
# rather than run as if it had none (its body would then be read as the next request).
_METHODS_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


def framing_error(method: str, lengths: Iterable[str], encodings: Iterable[str], *,
                  length_required: bool) -> EmulatorError | None:
    """Why a request's body cannot be delimited, from its ``Content-Length`` and
    ``Transfer-Encoding`` header values, or None. The request must then not be run.

    ``length_required``: a POST, PUT or PATCH without a Content-Length is refused too (over HTTP;
    in process, botocore's request object holds its whole body anyway).
    """
    if any(True for _ in encodings):
        return EmulatorError("LengthRequiredException",
                             "the emulator reads request bodies by Content-Length, not chunked", 411)
    values = {value.strip() for value in lengths}
    if len(values) > 1 or any(not _LENGTH.fullmatch(value) for value in values):
        return bad_request("the Content-Length header is not a valid length")
    if values and int(next(iter(values))) > MAX_BODY_BYTES:
        return EmulatorError("RequestEntityTooLargeException",
                             f"the request body is larger than {MAX_BODY_BYTES} bytes", 413)
    if not values and length_required and method.upper() in _METHODS_WITH_BODY:
        return EmulatorError("LengthRequiredException", f"a {method.upper()} request needs a Content-Length", 411)
    return None


def body_length_error(declared: int, received: int) -> EmulatorError | None:
    """The error for a body that is not as long as its Content-Length said (a client that closed
    early, a proxy that cut it), or None. Such a body is never run, even when it parses."""
    if received < declared:
        return bad_request("the request body is shorter than its Content-Length: it ended early")
    if received > declared:
        return bad_request("the request body is longer than its Content-Length")
    return None


class JsonTextError(ValueError):
    """Why a text is not a JSON document the emulator reads, in words that never quote it."""


class _TooDeep(JsonTextError):
    pass


def _no_constant(name: str) -> Any:
    raise JsonTextError("NaN and Infinity are not JSON")


def load_json(text: str | bytes) -> Any:
    """``json.loads`` that refuses what JSON does not have (``NaN``, ``Infinity``, ``-Infinity``)
    and turns a document nested too deep for the parser into a ValueError too."""
    try:
        return json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise _TooDeep("nested too deeply") from None


# A byte order mark, or a NUL among the first two bytes (a JSON text starts with an ASCII
# character, which in UTF-8 is one byte that is not NUL; in UTF-16 and UTF-32 one of its first two
# bytes is NUL): a body in one of the encodings json.loads would guess. The service reads UTF-8
# only, and RFC 8259 puts no byte order mark on the wire.
_UTF16_32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# A \u escape of a surrogate (D800 to DFFF). Only such an escape can put a surrogate into text
# decoded strictly from UTF-8; lone ones are looked for only when the text has one.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")
LONE_SURROGATE = "a lone surrogate (a \\uD800 to \\uDFFF escape without its pair): it is not Unicode text"


def decode_utf8(data: bytes, what: str) -> str:
    """``data`` as UTF-8 text, or a 400 naming ``what`` and why (never quoting the bytes)."""
    if data.startswith(codecs.BOM_UTF8):
        raise bad_request(f"{what} starts with a UTF-8 byte order mark: JSON is read as UTF-8 without one")
    if data.startswith(_UTF16_32_BOMS) or 0 in data[:2]:
        raise bad_request(f"{what} is in UTF-16 or UTF-32: JSON is read as UTF-8 only")
    try:
        return data.decode("utf-8")  # strict: encoded surrogates (ED A0 80) are refused too
    except UnicodeDecodeError as error:
        raise bad_request(f"{what} is not valid UTF-8 (at byte {error.start})") from None


def read_json(text: str | bytes, what: str) -> Any:
    """The JSON document ``text`` holds (``what``: ``the request body``, ``Object``, ...), or a
    400 naming ``what`` and the broken rule: not UTF-8, not JSON (with the position), nested more
    than 64 lists and objects deep. The message never quotes the text."""
    if isinstance(text, bytes):
        text = decode_utf8(text, what)
    try:
        document = load_json(text)
    except _TooDeep:
        document = None
        deep = True
    except json.JSONDecodeError as error:
        raise bad_request(f"{what} is not valid JSON (syntax error at line {error.lineno}, "
                          f"column {error.colno})") from None
    except ValueError:
        raise bad_request(f"{what} is not valid JSON") from None
    else:
        deep = _depth(document) > _MAX_BODY_DEPTH
    if deep:
        raise bad_request(f"{what} nests lists and objects more than {_MAX_BODY_DEPTH} levels deep "
                          "(the emulator's limit for JSON documents)")
    return document


def has_lone_surrogate(text: str, document: Any) -> bool:
    """Whether the parsed ``document`` (of the JSON ``text``) has a lone surrogate in a string or
    a key (its nesting is already bounded; walked without recursion)."""
    if not _SURROGATE_ESCAPE.search(text):
        return False
    stack = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _depth(value: Any) -> int:
    """How deeply lists and objects nest in a parsed JSON value (iteratively: never recurses),
    counted up to one level past the limit."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            depth += 1
            deepest = max(deepest, depth)
            if depth <= _MAX_BODY_DEPTH:
                stack.extend((child, depth) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


@lru_cache(maxsize=1)
def service_model() -> ServiceModel:
    """The service model shipped in the package (the SDK's), loaded once per process: the same
    on every supported botocore."""
    from .._compat import shipped_service_model

    return cast(ServiceModel, shipped_service_model())


@dataclass(frozen=True)
class _Route:
    operation: str
    method: str
    pattern: re.Pattern[str]
    labels: tuple[str, ...]


@lru_cache(maxsize=1)
def _routes() -> tuple[_Route, ...]:
    model = service_model()
    routes = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        uri = http["requestUri"]
        labels: list[str] = []
        parts = []
        for segment in uri.strip("/").split("/"):
            match = re.fullmatch(r"\{(\w+)\}", segment)
            if match:
                labels.append(match.group(1))
                parts.append("([^/]+)")
            else:
                parts.append(re.escape(segment))
        pattern = re.compile("/" + "/".join(parts) + "/?")
        routes.append(_Route(name, http["method"], pattern, tuple(labels)))
    # No two templates of one method match one path (tests/test_emulator_http.py checks it over
    # the whole model), so the order of the routes does not matter. Templates of different methods
    # may match one path (POST .../identity-resolution-jobs/auto-merging-preview is
    # GetAutoMergingPreview, GET of the same path GetIdentityResolutionJob): the method decides.
    return tuple(routes)


def route(method: str, path: str) -> tuple[str, dict[str, str]]:
    """The operation a request addresses, and its URI labels (percent-decoded)."""
    known_path = False
    for candidate in _routes():
        match = candidate.pattern.fullmatch(path)
        if match is None:
            continue
        known_path = True
        if candidate.method == method:
            return candidate.operation, {
                label: _unquote(value, f"the URI label {label}")
                for label, value in zip(candidate.labels, match.groups(), strict=True)
            }
    if known_path:
        raise EmulatorError("MethodNotAllowedException", "method not allowed for this resource", 405)
    raise EmulatorError("UnknownOperationException", "no operation of the service has this path", 404)


def _scalar_from_string(shape: Shape, text: str, wire_name: str) -> Any:
    """A query parameter's value; errors name the parameter (its wire name), never the value."""
    if shape.type_name in ("integer", "long"):
        try:
            return int(text)
        except ValueError:
            raise bad_request(f"the query parameter {wire_name} is not an integer") from None
    if shape.type_name == "boolean":
        if text not in ("true", "false"):
            raise bad_request(f"the query parameter {wire_name} is not a boolean")
        return text == "true"
    return text


def _member_path(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _from_json(shape: Shape, value: Any, path: str = "", root: str = "") -> Any:
    """A JSON value as botocore's caller wrote it: timestamps back to aware datetimes.

    ``path`` is where ``value`` sits in the request (``Items[0].CreatedAt``, map values as
    ``Attributes[<key>]``: a key may be personal data) and ``root`` the input shape's name; both
    only name the member in an error.
    """
    if value is None:
        return None
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        members = shape.members  # type: ignore[attr-defined]
        out = {}
        for key, item in value.items():
            if item is None:  # a JSON null member is an absent one
                continue
            member = members.get(key)
            out[key] = _from_json(member, item, _member_path(path, key), root) if member is not None else item
        return out
    if kind == "list" and isinstance(value, list):
        return [_from_json(shape.member, item, f"{path}[{index}]", root)  # type: ignore[attr-defined]
                for index, item in enumerate(value)]
    if kind == "map" and isinstance(value, dict):
        return {key: _from_json(shape.value, item, f"{path}[<key>]", root)  # type: ignore[attr-defined]
                for key, item in value.items()}
    if kind == "timestamp" and isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, ValueError, OSError):
            # Seconds beyond what a datetime holds (years 1 to 9999): 1e20, 10**30, 1e400 read
            # as infinity. Worded as the SDK's validation words the same failure.
            raise bad_request(f"1 invalid parameter for {root or shape.name}:\n"
                              f"  {path or shape.name}: timestamp out of range [rule=type]") from None
    if kind == "timestamp" and isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value  # the validation names the member
    return value


def _surrogate_path(shape: Shape, document: Any) -> str:
    """Where a lone surrogate of a request body is, named by members (map keys as
    ``[<key>]``, members the model does not have as ``<unknown member>``: both may be personal
    data), for a body that has one. Walked without recursion; its nesting is already bounded."""
    stack: list[tuple[Shape | None, Any, str]] = [(shape, document, "")]
    while stack:
        node, value, path = stack.pop()
        kind = node.type_name if node is not None else None
        if isinstance(value, str):
            if _SURROGATE.search(value):
                return path or "the request body"
        elif isinstance(value, dict):
            for key, item in value.items():
                if kind == "structure":
                    member = node.members.get(key)  # type: ignore[union-attr]
                    name = key if member is not None else "<unknown member>"
                    if member is None and _SURROGATE.search(key):
                        return _member_path(path, name)
                    stack.append((member, item, _member_path(path, name)))
                else:
                    if _SURROGATE.search(key):
                        return f"a map key of {path}" if path else "a key of the request body"
                    child = node.value if kind == "map" else None  # type: ignore[union-attr]
                    stack.append((child, item, f"{path}[<key>]"))
        elif isinstance(value, list):
            child = node.member if kind == "list" else None  # type: ignore[union-attr]
            stack.extend((child, item, f"{path}[{index}]") for index, item in enumerate(value))
    return "the request body"


def _unquote(text: str, what: str) -> str:
    """A percent-decoded URI label or query value: its bytes must be UTF-8 (``unquote`` would put
    U+FFFD in place of bytes that are not, and run the request with a changed value)."""
    try:
        return unquote(text, errors="strict")
    except UnicodeDecodeError:
        raise bad_request(f"{what} is not percent-encoded UTF-8") from None


def parse_request(operation: OperationModel, labels: Mapping[str, str], query: str, body: bytes) -> dict[str, Any]:
    """The request's parameters, wire-named, as the caller gave them to botocore."""
    shape = operation.input_shape
    params: dict[str, Any] = {}
    if shape is None:
        return params
    assert isinstance(shape, StructureShape)
    if body.strip():
        text = decode_utf8(body, "the request body")
        document = read_json(text, "the request body")
        if not isinstance(document, dict):
            raise bad_request("the request body is not a JSON object")
        if has_lone_surrogate(text, document):
            raise bad_request(f"{_surrogate_path(shape, document)} has {LONE_SURROGATE}")
        params.update(_from_json(shape, document, root=shape.name))
    by_location: dict[str, tuple[str, Shape]] = {}
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        if location == "uri" and wire in labels:
            params[name] = labels[wire]
        elif location == "querystring":
            by_location[wire] = (name, member)
    if query:
        try:
            pairs = parse_qs(query, keep_blank_values=True, errors="strict")
        except UnicodeDecodeError:
            raise bad_request("the query string is not percent-encoded UTF-8") from None
        for key, values in pairs.items():
            if key not in by_location:
                continue
            name, member = by_location[key]
            if member.type_name == "list":
                params[name] = [_scalar_from_string(member.member, item, key)  # type: ignore[attr-defined]
                                for item in values]
            else:
                params[name] = _scalar_from_string(member, values[-1], key)
    return params


def _to_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, dict):
        return {key: _to_json(item) for key, item in value.items() if item is not None}
    if isinstance(value, list | tuple):
        return [_to_json(item) for item in value]
    return value


def render_response(operation: OperationModel, output: Mapping[str, Any]) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of a successful answer."""
    status = 200
    shape = operation.output_shape
    body: dict[str, Any] = {}
    for name, value in output.items():
        if value is None:
            continue
        member = shape.members.get(name) if isinstance(shape, StructureShape) else None
        if member is not None and member.serialization.get("location") == "statusCode":
            status = int(value)
            continue
        body[name] = value
    data = json.dumps(_to_json(body), separators=(",", ":")).encode()
    return status, _headers(data), data


def render_error(error: EmulatorError) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of an error answer, as the service's REST-JSON errors look."""
    data = json.dumps({"Message": error.message}).encode()
    headers = _headers(data)
    headers["x-amzn-ErrorType"] = error.code
    return error.status, headers, data


def _headers(data: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "Content-Length": str(len(data)),
        "x-amzn-RequestId": str(uuid.uuid4()),
    }
