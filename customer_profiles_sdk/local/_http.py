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


def _no_constant(name: str) -> Any:
    raise ValueError("NaN and Infinity are not JSON")


def load_json(text: str | bytes) -> Any:
    """``json.loads`` that refuses what JSON does not have (``NaN``, ``Infinity``, ``-Infinity``)
    and turns a document nested too deep for the parser into a ValueError too."""
    try:
        return json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def _depth(value: Any) -> int:
    """How deeply lists and objects nest in a parsed JSON value (iteratively: never recurses)."""
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
                label: unquote(value) for label, value in zip(candidate.labels, match.groups(), strict=True)
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


def parse_request(operation: OperationModel, labels: Mapping[str, str], query: str, body: bytes) -> dict[str, Any]:
    """The request's parameters, wire-named, as the caller gave them to botocore."""
    shape = operation.input_shape
    params: dict[str, Any] = {}
    if shape is None:
        return params
    assert isinstance(shape, StructureShape)
    if body.strip():
        try:
            document = load_json(body)
        except ValueError:  # UnicodeDecodeError too
            raise bad_request("the request body is not valid JSON") from None
        if not isinstance(document, dict):
            raise bad_request("the request body is not a JSON object")
        if _depth(document) > _MAX_BODY_DEPTH:
            raise bad_request(f"the request body nests lists and objects more than {_MAX_BODY_DEPTH} deep")
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
        for key, values in parse_qs(query, keep_blank_values=True).items():
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
