"""The emulator against hostile and broken input, in process and over HTTP.

* A body that is not as long as its Content-Length says (cut short, or longer), a truncated
  chunked body, a body without a Content-Length: refused, never run, state unchanged.
* Out-of-range numbers and odd types in every numeric and timestamp member of every modelled
  operation: a 4xx naming the member, never a 5xx or a Python exception.
* A request line or headers http.server cannot parse: a JSON error like the emulator's others.
* Each answer leaves in one write, on a socket with TCP_NODELAY.
* Search combines keys with OR by default; MeteringProfileCount counts blocks of 100 objects;
  only the object type templates AWS documents.
* The server's log keeps the method, the operation, the status and the duration: never a path
  label, a query value or a header, and nothing that is not printable ASCII.
* Object and Layout documents: messages that name the member and the rule (too deep is not
  "invalid JSON"), never the text.
* Bodies are UTF-8 JSON: a byte order mark, UTF-16, UTF-32, bytes that are not UTF-8 and lone
  surrogate escapes are a 400 that changes nothing.
* Every wait on a client is bounded: a head or body that trickles in, an idle connection, more
  connections than the server serves at once.
"""

from __future__ import annotations

import codecs
import http.client
import itertools
import json
import logging
import re
import select
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore import serialize, xform_name
from botocore.config import Config
from botocore.exceptions import ClientError

from customer_profiles_sdk.local import Emulator, EmulatorServer, _emulator
from customer_profiles_sdk.local._http import service_model
from customer_profiles_sdk.local._templates import TEMPLATES

from . import synth
from .localserver import dummy_session

SESSION = dummy_session()
LOGGER = "customer_profiles_sdk.local._emulator"
DOMAIN = "d"
QUEUE = "arn:aws:sqs:us-east-1:123456789012:q"


@pytest.fixture
def served() -> Iterator[EmulatorServer]:
    with Emulator().serve() as server:
        yield server


def http_client(url: str, **config: Any) -> Any:
    from customer_profiles_sdk._compat import private_session  # the shipped model, on any botocore

    return private_session(SESSION).create_client("customer-profiles", endpoint_url=url,
                                                  config=Config(retries={"total_max_attempts": 1}, **config))


def wait(condition: Callable[[], bool], seconds: float = 30.0) -> None:
    """Wait for the server's side of an exchange to end (a guard, not a timing assertion)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the server did not finish in time"
        time.sleep(0.01)


def no_open_connections(server: EmulatorServer) -> Callable[[], bool]:
    return lambda: not server._server._connections


def exchange(server: EmulatorServer, data: bytes, *, half_close: bool = False) -> bytes:
    """Send ``data`` on a new connection and read until the server closes it."""
    with socket.create_connection((server.host, server.port), timeout=20) as connection:
        connection.sendall(data)
        if half_close:
            connection.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    return received


def answer(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-case names) and body of the first answer in ``raw``."""
    head, _, rest = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    assert status_line.startswith("HTTP/1.1 "), status_line
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers["content-length"])
    return int(status_line.split(" ")[1]), headers, rest[:length]


def assert_json_error(raw: bytes, status: int, code: str) -> str:
    """The answer is the emulator's JSON error: status, x-amzn-ErrorType, {"Message": ...}."""
    got, headers, body = answer(raw)
    assert (got, headers["x-amzn-errortype"], headers["content-type"]) == (status, code, "application/json")
    assert headers["connection"] == "close"
    document = json.loads(body)
    assert set(document) == {"Message"} and document["Message"]
    assert b"<html" not in raw.lower() and b"doctype" not in raw.lower()
    return str(document["Message"])


def post(path: str, body: bytes, *, length: int | None = None, extra: bytes = b"") -> bytes:
    declared = b"" if length is None else b"Content-Length: %d\r\n" % length
    return b"POST %s HTTP/1.1\r\nHost: x\r\n%s%s\r\n%s" % (path.encode(), declared, extra, body)


DOMAIN_BODY = b'{"DefaultExpirationDays": 3}'


# ------------------------------------------------------------- 1. bodies that do not match their framing


@pytest.mark.parametrize("missing", [1, 10, 1000])
def test_a_body_shorter_than_its_content_length_is_refused_over_http(served: EmulatorServer, missing: int) -> None:
    # What arrived is valid JSON that would create the domain: it must not be run.
    raw = exchange(served, post("/domains/shop", DOMAIN_BODY, length=len(DOMAIN_BODY) + missing), half_close=True)
    message = assert_json_error(raw, 400, "BadRequestException")
    assert "Content-Length" in message and raw.count(b"HTTP/1.1 ") == 1
    assert served.emulator.backend.domain_names() == [] and served.emulator.backend.calls == {}
    assert http_client(served.url).list_domains()["Items"] == []  # the server goes on serving


@pytest.mark.parametrize("body", [b"", b"{}", b'{"FirstName": "Ann"}'])
def test_a_client_that_closes_before_its_body_ends_changes_nothing(served: EmulatorServer, body: bytes) -> None:
    http_client(served.url).create_domain(DomainName="shop", DefaultExpirationDays=1)
    before = served.emulator.backend.calls.copy()
    with socket.create_connection((served.host, served.port), timeout=20) as connection:
        connection.sendall(post("/domains/shop/profiles", body, length=len(body) + 5))
    wait(no_open_connections(served))
    assert served.emulator.backend.calls == before
    assert http_client(served.url).get_domain(DomainName="shop")["Stats"]["ProfileCount"] == 0


def test_a_cut_json_body_is_refused_and_changes_nothing(served: EmulatorServer) -> None:
    for cut in (DOMAIN_BODY[:-1], DOMAIN_BODY[:10], b'{"DefaultExpirationDays": 3, "Tags": {"a": '):
        raw = exchange(served, post("/domains/shop", cut, length=len(cut))
                       + b"GET /domains HTTP/1.1\r\nConnection: close\r\n\r\n")
        assert answer(raw)[0] == 400 and raw.count(b"HTTP/1.1 200 OK") == 1  # the next request is read
    assert served.emulator.backend.domain_names() == []


def test_a_body_without_content_length_is_refused_not_run_empty(served: EmulatorServer) -> None:
    # Run without its body, CreateProfile would make an empty profile, and the body would be
    # read as the next request.
    http_client(served.url).create_domain(DomainName="shop", DefaultExpirationDays=1)
    raw = exchange(served, post("/domains/shop/profiles", b'{"FirstName": "Ann"}'))
    message = assert_json_error(raw, 411, "LengthRequiredException")
    assert "Content-Length" in message and raw.count(b"HTTP/1.1 ") == 1
    assert http_client(served.url).get_domain(DomainName="shop")["Stats"]["ProfileCount"] == 0


@pytest.mark.parametrize("chunks", [
    b"1c\r\n" + DOMAIN_BODY + b"\r\n",  # no last chunk
    b"1c\r\n" + DOMAIN_BODY[:9],  # cut inside a chunk
    b"ff\r\n" + DOMAIN_BODY + b"\r\n0\r\n\r\n",  # a chunk size larger than the chunk
    b"1c\r\n" + DOMAIN_BODY + b"\r\n0\r\n\r\n",  # even complete: not read
])
def test_chunked_bodies_are_never_run(served: EmulatorServer, chunks: bytes) -> None:
    request = post("/domains/shop", chunks, extra=b"Transfer-Encoding: chunked\r\n")
    raw = exchange(served, request, half_close=True)
    assert_json_error(raw, 411, "LengthRequiredException")
    assert served.emulator.backend.domain_names() == [] and served.emulator.backend.calls == {}


def test_a_stalled_body_times_out_and_is_not_run(served: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_emulator, "_BODY_TIMEOUT_SECONDS", 0.2)
    with socket.create_connection((served.host, served.port), timeout=20) as connection:
        connection.sendall(post("/domains/shop", DOMAIN_BODY, length=len(DOMAIN_BODY) + 1))
        received = b""
        while chunk := connection.recv(65536):  # the connection stays open on this side
            received += chunk
    assert_json_error(received, 408, "RequestTimeoutException")
    assert served.emulator.backend.domain_names() == []


def _cut_to(body: bytes | None) -> Callable[..., None]:
    def cut(request: Any, **kwargs: Any) -> None:
        request.body = body  # after botocore set Content-Length from the real body

    return cut


@pytest.mark.parametrize("body", [None, b"", b"{}", b'{"FirstName": "Ann", "LastName": "Lee"}  '])
def test_a_body_that_differs_from_its_content_length_is_refused_in_process(body: bytes | None) -> None:
    emu = Emulator()
    client = emu.boto3_client(Config(retries={"total_max_attempts": 1}))
    client.create_domain(DomainName="shop", DefaultExpirationDays=1)
    # Runs before the emulator's own handler: the request reaches it with the changed body.
    client.meta.events.register_first("before-send.customer-profiles.CreateProfile", _cut_to(body))
    with pytest.raises(ClientError) as caught:
        client.create_profile(DomainName="shop", FirstName="Ann")
    error = caught.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == ("BadRequestException", 400)
    assert "Content-Length" in error["Error"]["Message"]
    assert emu.backend.calls == {"CreateDomain": 1}
    assert client.get_domain(DomainName="shop")["Stats"]["ProfileCount"] == 0


def test_the_process_wide_emulator_refuses_a_cut_body_too() -> None:
    with Emulator() as emu:
        client = SESSION.client("customer-profiles", config=Config(retries={"total_max_attempts": 1}))
        client.meta.events.register("before-send.customer-profiles.CreateDomain", _cut_to(DOMAIN_BODY[:-1]))
        with pytest.raises(ClientError) as caught:
            client.create_domain(DomainName="shop", DefaultExpirationDays=3)
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert emu.backend.domain_names() == [] and emu.backend.calls == {}


def test_in_process_bodies_of_every_kind_are_read_whole() -> None:
    class Stream:
        def __init__(self, data: bytes) -> None:
            self.data = data

        def read(self) -> bytes:
            return self.data

    emu = Emulator()
    for body in (DOMAIN_BODY, bytearray(DOMAIN_BODY), DOMAIN_BODY.decode(), Stream(DOMAIN_BODY),
                 [DOMAIN_BODY[:5], DOMAIN_BODY[5:]]):
        # A stand-in for botocore's prepared request (typed Any, as _respond takes it).
        request: Any = type("Request", (), {"method": "POST", "url": "https://x/domains/shop", "body": body,
                                            "headers": {"content-length": str(len(DOMAIN_BODY))}})()
        assert emu._respond(request).status_code == 200, type(body)
        emu.reset()
    request.headers = {"Content-Length": "99"}
    assert emu._respond(request).status_code == 400
    request.headers = {"Transfer-Encoding": "chunked"}
    assert emu._respond(request).status_code == 411
    assert emu.backend.calls == {}


# --------------------------------------------------------- 2. hostile numbers and timestamps, everywhere


def _state() -> tuple[Emulator, str]:
    """An emulator with one of everything, so that every modelled operation can succeed."""
    emu = Emulator(seed=1)
    call = emu.backend.call
    call("CreateDomain", {"DomainName": DOMAIN, "DefaultExpirationDays": 1})
    call("PutProfileObjectType", {
        "DomainName": DOMAIN, "ObjectTypeName": "t", "Description": "x", "AllowProfileCreation": True,
        "Fields": {"e": {"Source": "_source.e", "Target": "_profile.EmailAddress"},
                   "n": {"Source": "_source.n", "Target": "t.n"}},
        "Keys": {"_email": [{"FieldNames": ["e"], "StandardIdentifiers": ["PROFILE"]}]}})
    profile_id = call("CreateProfile", {"DomainName": DOMAIN, "EmailAddress": "a@example.com"})["ProfileId"]
    call("PutProfileObject", {"DomainName": DOMAIN, "ObjectTypeName": "t",
                              "Object": json.dumps({"e": "a@example.com", "n": 3})})
    call("CreateCalculatedAttributeDefinition", {
        "DomainName": DOMAIN, "CalculatedAttributeName": "c", "Statistic": "SUM",
        "AttributeDetails": {"Attributes": [{"Name": "t.n"}], "Expression": "{t.n}"},
        "Conditions": {"Range": {"Value": 30, "Unit": "DAYS"}}})
    call("CreateDomainLayout", {"DomainName": DOMAIN, "LayoutDefinitionName": "l", "Description": "x",
                                "DisplayName": "x", "LayoutType": "PROFILE_EXPLORER", "Layout": "{}"})
    call("PutIntegration", {"DomainName": DOMAIN, "Uri": QUEUE, "ObjectTypeName": "t"})
    return emu, profile_id


def _minimal(operation: str, profile_id: str) -> dict[str, Any]:
    """A valid request of each modelled operation, against the state of _state()."""
    d = {"DomainName": DOMAIN}
    arn = f"arn:aws:profile:us-east-1:123456789012:domains/{DOMAIN}"
    requests: dict[str, dict[str, Any]] = {
        "AddProfileKey": {**d, "ProfileId": profile_id, "KeyName": "k", "Values": ["v"]},
        "BatchGetCalculatedAttributeForProfile": {**d, "CalculatedAttributeName": "c", "ProfileIds": [profile_id]},
        "BatchGetProfile": {**d, "ProfileIds": [profile_id]},
        "CreateCalculatedAttributeDefinition": {
            **d, "CalculatedAttributeName": "c2", "Statistic": "SUM",
            "AttributeDetails": {"Attributes": [{"Name": "t.n"}], "Expression": "{t.n}"}},
        "CreateDomain": {"DomainName": "d2", "DefaultExpirationDays": 1},
        "CreateDomainLayout": {**d, "LayoutDefinitionName": "l2", "Description": "x", "DisplayName": "x",
                               "LayoutType": "PROFILE_EXPLORER", "Layout": "{}"},
        "CreateProfile": d,
        "DeleteCalculatedAttributeDefinition": {**d, "CalculatedAttributeName": "c"},
        "DeleteDomain": d,
        "DeleteDomainLayout": {**d, "LayoutDefinitionName": "l"},
        "DeleteIntegration": {**d, "Uri": QUEUE},
        "DeleteProfile": {**d, "ProfileId": profile_id},
        "DeleteProfileKey": {**d, "ProfileId": profile_id, "KeyName": "_email", "Values": ["a@example.com"]},
        "DeleteProfileObject": {**d, "ProfileId": profile_id, "ProfileObjectUniqueKey": "x", "ObjectTypeName": "t"},
        "DeleteProfileObjectType": {**d, "ObjectTypeName": "t"},
        "GetCalculatedAttributeDefinition": {**d, "CalculatedAttributeName": "c"},
        "GetCalculatedAttributeForProfile": {**d, "CalculatedAttributeName": "c", "ProfileId": profile_id},
        "GetDomain": d,
        "BatchPutProfileObject": {**d, "ObjectTypeName": "t", "Items": [{"Id": "i", "Object": "{}"}]},
        "GetDomainLayout": {**d, "LayoutDefinitionName": "l"},
        "GetIntegration": {**d, "Uri": QUEUE},
        "GetProfileObjectType": {**d, "ObjectTypeName": "t"},
        "GetProfileObjectTypeTemplate": {"TemplateId": "Salesforce-Account"},
        "ListAccountIntegrations": {"Uri": QUEUE},
        "ListCalculatedAttributeDefinitions": d,
        "ListCalculatedAttributesForProfile": {**d, "ProfileId": profile_id},
        "ListDomainLayouts": d,
        "ListDomains": {},
        "ListIntegrations": d,
        "ListProfileObjectTypeTemplates": {},
        "ListProfileObjectTypes": d,
        "ListProfileObjects": {**d, "ObjectTypeName": "t", "ProfileId": profile_id},
        "ListTagsForResource": {"resourceArn": arn},
        "PutIntegration": {**d, "Uri": QUEUE + "2", "ObjectTypeName": "t"},
        "PutProfileObject": {**d, "ObjectTypeName": "t", "Object": "{}"},
        "PutProfileObjectType": {**d, "ObjectTypeName": "t3", "Description": "x",
                                 "Fields": {"e": {"Source": "_source.e", "Target": "_profile.EmailAddress"}}},
        "SearchProfiles": {**d, "KeyName": "_email", "Values": ["a@example.com"]},
        "TagResource": {"resourceArn": arn, "tags": {"a": "b"}},
        "UntagResource": {"resourceArn": arn, "tagKeys": ["a"]},
        "UpdateCalculatedAttributeDefinition": {**d, "CalculatedAttributeName": "c"},
        "UpdateDomain": d,
        "UpdateDomainLayout": {**d, "LayoutDefinitionName": "l"},
        "UpdateProfile": {**d, "ProfileId": profile_id},
    }
    if operation in requests:
        return requests[operation]
    # The areas modelled later: a valid request from the synthesizer, in the same domain (it names
    # resources that may not exist: those answer 404 or 400, which is all these tests need).
    shape = service_model().operation_model(operation).input_shape
    request: dict[str, Any] = synth.valid(shape.name) if shape is not None else {}
    if "DomainName" in request:
        request["DomainName"] = DOMAIN
    return request


def _numeric_paths(shape: Any, path: tuple[str | int, ...] = (), seen: frozenset[str] = frozenset()
                   ) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(path, type) of every integer, long, double, float and timestamp in a body shape; a list's
    element is 0, a map's value ``"k"``. Recursive shapes are followed once."""
    kind = shape.type_name
    if kind in ("timestamp", "integer", "long", "double", "float"):
        yield path, kind
        return
    if shape.name in seen:
        return
    seen = seen | {shape.name}
    if kind == "structure":
        for name, member in shape.members.items():
            if not member.serialization.get("location"):
                yield from _numeric_paths(member, (*path, name), seen)
    elif kind == "list":
        yield from _numeric_paths(shape.member, (*path, 0), seen)
    elif kind == "map":
        yield from _numeric_paths(shape.value, (*path, "k"), seen)


def _place(document: Any, path: tuple[str | int, ...], value: Any) -> None:
    """Put ``value`` at ``path``, making the containers on the way."""
    for step, following in itertools.pairwise(path):
        fresh: Any = [] if isinstance(following, int) else {}
        if isinstance(document, list):
            if not document or not isinstance(document[0], dict | list):
                document[:] = [fresh]
            document = document[0]
        else:
            if not isinstance(document.get(step), dict | list):
                document[step] = fresh
            document = document[step]
    if isinstance(document, list):
        document[:] = [value]
    else:
        document[path[-1]] = value


class Raw:
    """A JSON text written as is (json.dumps cannot write 1e400)."""

    def __init__(self, text: str) -> None:
        self.text = text


def _dump(value: Any) -> str:
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{_dump(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_dump(v) for v in value) + "]"
    return json.dumps(value)


def _request(operation: str, params: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    """Method, URL (path and query) and JSON body botocore sends for ``params``."""
    model = service_model().operation_model(operation)
    request = serialize.create_serializer("rest-json").serialize_to_request(params, model)
    query = "&".join(f"{key}={value}" for key, values in request["query_string"].items()
                     for value in (values if isinstance(values, list) else [values]))
    url = request["url_path"] + ("?" + query if query else "")
    return request["method"], url, json.loads(request["body"] or b"{}")


# Beyond a datetime's range, beyond a float's, huge and negative integers, and odd types.
HOSTILE = ["1e20", "-1e20", "1e400", "-1e400", "1e308", str(10**30), str(-10**30), str(2**63), str(2**64),
           str(2**31), str(-2**31 - 1), "1.5", "-0.0", "5e-324", "0", "-1", '"canary-7f3"', '"1e20"',
           '"99999-01-01T00:00:00Z"', '"inf"', "true", "[]", "{}", "[1e400]", '{"a": 1e400}']
MODELLED = sorted(Emulator().backend.operations)
NUMERIC = {operation: list(_numeric_paths(service_model().operation_model(operation).input_shape))
           for operation in MODELLED}


def _dotted(path: tuple[str | int, ...]) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else ("[<key>]" if step == "k" and out else
                                                           (f".{step}" if out else str(step)))
    return out


@pytest.mark.parametrize("operation", [op for op in MODELLED if NUMERIC[op]])
def test_hostile_numbers_and_timestamps_in_every_modelled_operation(operation: str) -> None:
    emu, profile_id = _state()
    method, url, body = _request(operation, _minimal(operation, profile_id))
    for path, kind in NUMERIC[operation]:
        for value in HOSTILE:
            document = json.loads(json.dumps(body))
            _place(document, path, Raw(value))
            status, _, data = emu.handle(method, url, _dump(document).encode())  # never raises
            where = (operation, path, value)
            assert status < 500, where
            if status >= 400:
                message = json.loads(data)["Message"]
                assert "canary-7f3" not in message and str(10**30) not in message and "1e+20" not in message, where
            if kind == "timestamp" and value in ("1e20", "-1e20", "1e400", "-1e400", "1e308", str(10**30)):
                assert status == 400, where
                assert f"{_dotted(path)}: timestamp out of range" in json.loads(data)["Message"], where


@pytest.mark.parametrize("operation", sorted(service_model().operation_names))
def test_out_of_range_timestamps_in_any_operation_are_a_400_naming_the_member(operation: str) -> None:
    """Unmodelled operations read their body too (before answering 501): the same 400."""
    model = service_model().operation_model(operation)
    paths = [path for path, kind in _numeric_paths(model.input_shape) if kind == "timestamp"] \
        if model.input_shape is not None else []
    emu = Emulator()
    for path in paths:
        for value in ("1e20", "-1e20", "1e400", str(10**30)):
            document: dict[str, Any] = {}
            _place(document, path, Raw(value))
            status, headers, data = emu.handle(model.http["method"], _generic_url(model.http["requestUri"]),
                                               _dump(document).encode())
            assert (status, headers["x-amzn-ErrorType"]) == (400, "BadRequestException"), (path, value)
            assert f"{_dotted(path)}: timestamp out of range" in json.loads(data)["Message"]


def _generic_url(template: str) -> str:
    path = template.split("?")[0]
    for part in path.split("/"):
        if part.startswith("{"):
            path = path.replace(part, "x")
    return path


def _query_members(operation: str) -> list[tuple[str, str, str]]:
    """(member, wire name, type) of the integer and boolean query-string members."""
    shape = service_model().operation_model(operation).input_shape
    return [(name, member.serialization.get("name", name), member.type_name)
            for name, member in (shape.members.items() if shape is not None else [])
            if member.serialization.get("location") == "querystring"
            and member.type_name in ("integer", "long", "boolean")]


def _query_minimum(operation: str, member: str) -> int:
    """The model's minimum of a query-string member (0 when it has none)."""
    shape = service_model().operation_model(operation).input_shape
    assert shape is not None
    return int(shape.members[member].metadata.get("min", 0))


@pytest.mark.parametrize("operation", [op for op in MODELLED if _query_members(op)])
def test_hostile_query_string_numbers_are_a_400_naming_the_parameter(operation: str) -> None:
    emu, profile_id = _state()
    method, url, body = _request(operation, _minimal(operation, profile_id))
    separator = "&" if "?" in url else "?"
    for member, wire, kind in _query_members(operation):
        values = ["1e20", str(10**30), "-1", "9" * 5000, "abc", "", "1.5", "%00", "canary-7f3"]
        if _query_minimum(operation, member) > 0:
            values.append("0")
        for value in values if kind != "boolean" else ["maybe", "1", "", "TRUE", "canary-7f3"]:
            status, _, data = emu.handle(method, f"{url}{separator}{wire}={value}", json.dumps(body).encode())
            message = json.loads(data)["Message"]
            assert status == 400 and (wire in message or member in message), (operation, wire, value)
            assert "canary" not in message and "99999" not in message


def test_the_issue_timestamps_over_http_are_a_400_without_a_traceback(
        served: EmulatorServer, caplog: pytest.LogCaptureFixture) -> None:
    http_client(served.url).create_domain(DomainName="shop", DefaultExpirationDays=1)
    start = '"ScheduleExpression": "rate(1hours)", "ScheduleStartTime": '
    connection = http.client.HTTPConnection(served.host, served.port, timeout=20)
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        for value in ("1e20", str(10**30), "-1e20", "1e400"):
            flow = ('{"FlowName": "f", "KmsArn": "arn:aws:kms:us-east-1:123456789012:key/k", "Tasks": [], '
                    '"SourceFlowConfig": {"ConnectorType": "Salesforce", "SourceConnectorProperties": {}}, '
                    '"TriggerConfig": {"TriggerType": "Scheduled", "TriggerProperties": {"Scheduled": {'
                    + start + value + "}}}}")
            body = '{"Uri": "u", "ObjectTypeName": "t", "FlowDefinition": ' + flow + "}"
            connection.request("PUT", "/domains/shop/integrations", body=body.encode(),
                               headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            data = json.loads(response.read())
            assert (response.status, response.headers["x-amzn-ErrorType"]) == (400, "BadRequestException")
            assert ("FlowDefinition.TriggerConfig.TriggerProperties.Scheduled.ScheduleStartTime: "
                    "timestamp out of range") in data["Message"]
            assert value not in data["Message"]
    connection.close()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert "Traceback" not in caplog.text and "OverflowError" not in caplog.text


def test_hostile_numbers_through_a_boto3_client_without_validation(served: EmulatorServer) -> None:
    """Integer and double members of every modelled operation, sent by botocore itself (its
    checks off), over HTTP: never a 5xx."""
    client = http_client(served.url, parameter_validation=False)
    emu, profile_id = _state()
    served.emulator.backend = emu.backend
    for operation in MODELLED:
        params = _minimal(operation, profile_id)
        for path, kind in NUMERIC[operation]:
            if kind == "timestamp":
                continue  # botocore converts timestamps before sending: see the raw tests above
            values: tuple[Any, ...] = (10**30, -10**30, 2**63, 1e20, -1e308)
            if kind in ("integer", "long"):  # botocore formats doubles itself: only numbers there
                values += ("canary-7f3", [1], {"a": 1}, True)
            for value in values:
                sent = json.loads(json.dumps(params))
                _place(sent, path, value)
                try:
                    getattr(client, xform_name(operation))(**sent)
                except ClientError as error:
                    status = error.response["ResponseMetadata"]["HTTPStatusCode"]
                    assert status < 500, (operation, path, value)
                    assert "canary-7f3" not in error.response["Error"]["Message"]


# ------------------------------------------------------------ 3. requests http.server cannot parse


@pytest.mark.parametrize(("request_bytes", "status", "code"), [
    (b"\x00\xff GARBAGE\r\n\r\n", 400, "BadRequestException"),
    (b"GARBAGE canary-7f3 MORE WORDS\r\n\r\n", 400, "BadRequestException"),
    (b"POST /domains/canary-7f3\r\n\r\n", 400, "BadRequestException"),  # HTTP/0.9, not a GET
    (b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n", 414, "RequestUriTooLongException"),
    (b"GET /domains HTTX/1.1\r\n\r\n", 400, "BadRequestException"),
    (b"GET /domains HTTP/1.1.1\r\n\r\n", 400, "BadRequestException"),
    (b"GET /domains HTTP/2.0\r\n\r\n", 505, "HttpVersionNotSupportedException"),
    (b"GET /domains HTTP/9.9\r\n\r\n", 505, "HttpVersionNotSupportedException"),
    (b"BREW /domains HTTP/1.1\r\nHost: x\r\n\r\n", 501, "UnsupportedMethodException"),
    (b"OPTIONS /domains HTTP/1.1\r\nHost: x\r\n\r\n", 501, "UnsupportedMethodException"),
    (b"GET /domains HTTP/1.1\r\n" + b"".join(b"X-%d: canary-7f3\r\n" % i for i in range(101)) + b"\r\n",
     431, "RequestHeaderFieldsTooLargeException"),
    (b"GET /domains HTTP/1.1\r\nX-Long: canary-7f3" + b"y" * 70000 + b"\r\n\r\n",
     431, "RequestHeaderFieldsTooLargeException"),
])
def test_unparseable_requests_get_the_emulators_json_error(
        served: EmulatorServer, caplog: pytest.LogCaptureFixture, request_bytes: bytes, status: int,
        code: str) -> None:
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        raw = exchange(served, request_bytes)
    message = assert_json_error(raw, status, code)
    assert "canary" not in message and "GARBAGE" not in message and raw.count(b"Content-Length") == 1
    assert "canary" not in caplog.text and "GARBAGE" not in caplog.text  # nor in the log
    assert http_client(served.url).list_domains()["Items"] == []


def test_a_garbage_line_after_a_good_request_closes_the_connection_with_json(served: EmulatorServer) -> None:
    raw = exchange(served, b"GET /domains HTTP/1.1\r\nHost: x\r\n\r\n\x00\xff GARBAGE\r\n\r\n")
    first = answer(raw)
    assert first[0] == 200
    assert_json_error(raw[raw.index(b"HTTP/1.1 ", 1):], 400, "BadRequestException")


def test_a_connection_failure_is_logged_without_a_traceback(
        served: EmulatorServer, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> None:
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        try:
            raise ConnectionResetError("canary-7f3")
        except ConnectionResetError:
            served._server.handle_error(None, ("127.0.0.1", 1))
    assert "ConnectionResetError" in caplog.text and "canary" not in caplog.text
    assert capsys.readouterr().err == ""


# ----------------------------------------------------------------- 5. one write, without Nagle


def test_each_answer_is_one_write_on_a_socket_without_nagle(
        served: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    writes: list[bytes] = []
    no_delay: list[int] = []
    setup = _emulator._Handler.setup

    class Recorder:
        def __init__(self, real: Any) -> None:
            self.real = real

        def write(self, data: bytes) -> int:
            writes.append(bytes(data))
            return int(self.real.write(data))

        def flush(self) -> None:
            self.real.flush()

        def close(self) -> None:
            self.real.close()

        @property
        def closed(self) -> bool:
            return bool(self.real.closed)

    def recording_setup(handler: Any) -> None:
        setup(handler)
        no_delay.append(handler.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        handler.wfile = Recorder(handler.wfile)

    monkeypatch.setattr(_emulator._Handler, "setup", recording_setup)
    client = http_client(served.url)
    client.create_domain(DomainName="shop", DefaultExpirationDays=1)
    client.get_domain(DomainName="shop")
    with pytest.raises(ClientError):
        client.get_domain(DomainName="nope")
    exchange(served, b"\x00\xff GARBAGE\r\n\r\n")
    exchange(served, post("/domains/x", b"{}", length=10), half_close=True)
    assert no_delay and all(no_delay)
    assert len(writes) == 5
    for write in writes:  # each write is a whole answer: status line, headers and the full body
        _, headers, body = answer(write)
        assert write.endswith(b"\r\n\r\n" + body) and len(body) == int(headers["content-length"]) > 0


# --------------------------------------------------------------------- 4. search: OR by default


def test_search_without_a_logical_operator_combines_keys_with_or() -> None:
    emu = Emulator()
    client = emu.boto3_client()
    client.create_domain(DomainName="shop", DefaultExpirationDays=1)
    ids = [client.create_profile(DomainName="shop", **fields)["ProfileId"] for fields in (
        {"EmailAddress": "a@example.com", "AccountNumber": "1"}, {"EmailAddress": "a@example.com"},
        {"AccountNumber": "1"}, {"AccountNumber": "2"})]

    def found(**extra: Any) -> list[str]:
        items = client.search_profiles(DomainName="shop", KeyName="_email", Values=["a@example.com"],
                                       AdditionalSearchKeys=[{"KeyName": "_account", "Values": ["1"]}], **extra)
        return [item["ProfileId"] for item in items["Items"]]

    assert found() == found(LogicalOperator="OR") == ids[:3]
    assert found(LogicalOperator="AND") == ids[:1]


# ------------------------------------------------------------ 6. MeteringProfileCount


def _metering_domain(object_counts: list[int]) -> tuple[Any, list[str]]:
    emu = Emulator()
    client = emu.boto3_client()
    client.create_domain(DomainName="shop", DefaultExpirationDays=1)
    client.put_profile_object_type(
        DomainName="shop", ObjectTypeName="Orders", Description="d",
        Fields={"email": {"Source": "_source.email", "Target": "_profile.EmailAddress"},
                "order": {"Source": "_source.order", "Target": "Orders.order"}},
        Keys={"_email": [{"FieldNames": ["email"], "StandardIdentifiers": ["PROFILE"]}],
              "_order": [{"FieldNames": ["order"], "StandardIdentifiers": ["UNIQUE"]}]})
    ids = []
    for number, count in enumerate(object_counts):
        email = f"p{number}@example.com"
        ids.append(client.create_profile(DomainName="shop", EmailAddress=email)["ProfileId"])
        for order in range(count):
            emu.backend.call("PutProfileObject", {"DomainName": "shop", "ObjectTypeName": "Orders",
                                                  "Object": json.dumps({"email": email, "order": f"{number}-{order}"})})
    return client, ids


@pytest.mark.parametrize(("objects", "metered"), [(0, 1), (1, 1), (100, 1), (101, 2), (200, 2), (201, 3)])
def test_metering_profile_count_of_one_profile(objects: int, metered: int) -> None:
    client, _ = _metering_domain([objects])
    stats = client.get_domain(DomainName="shop")["Stats"]
    assert (stats["ProfileCount"], stats["MeteringProfileCount"], stats["ObjectCount"]) == (1, metered, objects)


def test_metering_profile_count_adds_up_over_profiles_and_follows_deletions() -> None:
    client, ids = _metering_domain([0, 1, 100, 101, 200, 201])
    stats = client.get_domain(DomainName="shop")["Stats"]
    assert (stats["ProfileCount"], stats["MeteringProfileCount"]) == (6, 1 + 1 + 1 + 2 + 2 + 3)
    client.delete_profile(DomainName="shop", ProfileId=ids[-1])  # its 201 objects go with it
    assert client.get_domain(DomainName="shop")["Stats"]["MeteringProfileCount"] == 7
    key = client.list_profile_objects(DomainName="shop", ObjectTypeName="Orders", ProfileId=ids[3],
                                      MaxResults=1)["Items"][0]["ProfileObjectUniqueKey"]
    client.delete_profile_object(DomainName="shop", ObjectTypeName="Orders", ProfileId=ids[3],
                                 ProfileObjectUniqueKey=key)  # 101 -> 100 objects: 2 -> 1
    assert client.get_domain(DomainName="shop")["Stats"]["MeteringProfileCount"] == 6
    # An object that matches no profile counts for none.
    client.put_profile_object(DomainName="shop", ObjectTypeName="Orders",
                              Object=json.dumps({"email": "nobody@example.com", "order": "x"}))
    assert client.get_domain(DomainName="shop")["Stats"]["MeteringProfileCount"] == 6


# ---------------------------------------------------------------------------------- 7. templates

# The template ids AWS documents: the API reference names the Salesforce ones, the Administrator
# Guide's "Mapping ... objects to the standard profile" pages the others.
DOCUMENTED = ["Marketo-leads", "Salesforce-Account", "Salesforce-Contact", "Segment-Identify", "Shopify-Customer",
              "Zendesk-users"]
# Each template's documented search keys ("standard index names").
DOCUMENTED_KEYS = {
    "Marketo-leads": {"_marketoLeadId", "_salesforceAccountId", "_salesforceContactId"},
    "Salesforce-Account": {"_salesforceAccountId"},
    "Salesforce-Contact": {"_salesforceContactId", "_salesforceAccountId"},
    "Segment-Identify": {"_segmentUserId"},
    "Shopify-Customer": {"_shopifyCustomerId"},
    "Zendesk-users": {"_zendeskUserId", "_zendeskExternalId"},
}


def test_only_documented_templates() -> None:
    client = Emulator().boto3_client()
    listed = client.list_profile_object_type_templates()["Items"]
    assert [item["TemplateId"] for item in listed] == DOCUMENTED
    for made_up in ("Zendesk-User", "ServiceNow-sys_user", "Servicenow-sys_user", "Shopify-Order"):
        with pytest.raises(ClientError) as caught:
            client.get_profile_object_type_template(TemplateId=made_up)
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    for template_id, keys in DOCUMENTED_KEYS.items():
        assert set(TEMPLATES[template_id]["Keys"]) == keys


def test_the_zendesk_users_template_maps_as_documented() -> None:
    fields = TEMPLATES["Zendesk-users"]["Fields"]
    assert {spec["Source"]: spec["Target"] for spec in fields.values()} == {
        "_source.id": "_profile.Attributes.ZendeskUserId",
        "_source.external_id": "_profile.Attributes.ZendeskExternalId",
        "_source.email": "_profile.EmailAddress", "_source.phone": "_profile.PhoneNumber"}


def _source_document(source_paths: list[str], value_of: Callable[[str], str]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for source in source_paths:
        parts = source.split(".")[1:]
        node = document
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value_of(source)
    return document


@pytest.mark.parametrize("template_id", DOCUMENTED)
def test_every_template_ingests_an_object_found_by_each_documented_key(template_id: str) -> None:
    client = Emulator().boto3_client()
    client.create_domain(DomainName="shop", DefaultExpirationDays=1)
    put = client.put_profile_object_type(DomainName="shop", ObjectTypeName=template_id, Description="d",
                                         TemplateId=template_id)
    assert put["TemplateId"] == template_id and put["Keys"] == TEMPLATES[template_id]["Keys"]
    fields = TEMPLATES[template_id]["Fields"]
    document = _source_document([spec["Source"] for spec in fields.values()],
                                lambda source: "v-" + source.rsplit(".", 1)[-1])
    client.put_profile_object(DomainName="shop", ObjectTypeName=template_id, Object=json.dumps(document))
    for key, definitions in TEMPLATES[template_id]["Keys"].items():
        [field_name] = definitions[0]["FieldNames"]
        value = "v-" + fields[field_name]["Source"].rsplit(".", 1)[-1]
        found = client.search_profiles(DomainName="shop", KeyName=key, Values=[value])["Items"]
        assert len(found) == 1, key



# ---------------------------------------------- 7. the server's log: no values, no forged lines

# What a log line of the emulator may look like: ASCII without control characters, on one line.
PRINTABLE_LINE = re.compile(r"[ -~]*")
REQUEST_LINE = re.compile(r"(GET|POST|PUT|DELETE|PATCH) (\w+|\(no operation\)) \d{3} \d+\.\d ms")


def _assert_clean_log(caplog: pytest.LogCaptureFixture) -> None:
    for record in caplog.records:
        line = record.getMessage()
        assert PRINTABLE_LINE.fullmatch(line), line
        for secret in ("canary", "forged", "7f3", "secret"):
            assert secret not in line, line


@pytest.mark.parametrize("request_bytes", [
    # Values in the path (a domain and an object type name) and in the query (a token, a count).
    b"GET /domains/canary-dom/object-types?next-token=canary-token&max-results=7f3 HTTP/1.1\r\n",
    # Control bytes, NUL, 0xff, an escape sequence and an encoded newline in a path label.
    b"GET /domains/canary\x1b[2J\x00\xff%0Aforged/object-types?next-token=a%0D%0Aforged HTTP/1.1\r\n",
    b"DELETE /domains/canary-dom/profiles/keys/canary\x07\x08\x7f HTTP/1.1\r\n",
    b"GET /no/such/canary\x00path?secret=1 HTTP/1.1\r\n",  # no operation has this path
    b"PUT /domains/canary-dom/object-types/forged HTTP/1.1\r\n",  # a wrong method for the path
])
def test_the_request_log_has_the_method_operation_status_and_duration_only(
        served: EmulatorServer, caplog: pytest.LogCaptureFixture, request_bytes: bytes) -> None:
    with caplog.at_level(logging.DEBUG, logger="customer_profiles_sdk.local"):
        raw = exchange(served, request_bytes + b"Host: x\r\nX-Secret: canary\r\nConnection: close\r\n\r\n")
    assert answer(raw)[0] >= 400
    lines = [record.getMessage() for record in caplog.records]
    assert any(REQUEST_LINE.fullmatch(line) for line in lines), lines
    _assert_clean_log(caplog)


def test_the_request_log_names_the_operation(served: EmulatorServer, caplog: pytest.LogCaptureFixture) -> None:
    client = http_client(served.url)
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        client.create_domain(DomainName="canary-dom", DefaultExpirationDays=1)
        client.list_domains(MaxResults=7)
        with pytest.raises(ClientError):
            client.get_domain(DomainName="canary-missing")
    lines = [record.getMessage() for record in caplog.records if REQUEST_LINE.fullmatch(record.getMessage())]
    assert [line.rsplit(" ", 2)[0] for line in lines] == [
        "POST CreateDomain 200", "GET ListDomains 200", "GET GetDomain 404"]
    _assert_clean_log(caplog)


def test_refused_requests_are_logged_without_their_request_line(
        served: EmulatorServer, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="customer_profiles_sdk.local"):
        # Refused before they run: a framing error, a body too large, chunked, a bad request line.
        exchange(served, post("/domains/canary-dom?secret=1", b"{}", length=5), half_close=True)
        exchange(served, post("/domains/canary-dom", b"", length=1 << 30))
        exchange(served, post("/domains/canary-dom", b"0\r\n\r\n", extra=b"Transfer-Encoding: chunked\r\n"))
        exchange(served, b"GET /domains/canary\x1b[2J HTTP/1.1 forged\r\n\r\n")
        exchange(served, b"BREW /domains/canary\x00 HTTP/1.1\r\n\r\n")
    assert caplog.records
    _assert_clean_log(caplog)


def test_http_servers_own_log_calls_keep_no_values(caplog: pytest.LogCaptureFixture) -> None:
    # What BaseHTTPRequestHandler logs by itself (log_request from send_response, log_error on a
    # bad request or a timeout) goes through these methods: none may keep the values it is given.
    handler = _emulator._Handler.__new__(_emulator._Handler)
    handler.client_address = ("127.0.0.1", 1)
    handler.command, handler.path = "GET", "/domains/canary-dom/object-types?next-token=canary"
    handler.requestline = handler.command + " " + handler.path + " HTTP/1.1"
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        handler.log_request(200)
        handler.log_request("200", "123")
        handler.log_error("code %d, message %s", 400, "Bad request version ('canary\nforged')")
        handler.log_error("Request timed out: %r", TimeoutError("canary"))
        handler.log_message('"%s" %s %s', "GET /canary\r\nINFO forged HTTP/1.1", "200", "-")
    assert len(caplog.records) == 5
    _assert_clean_log(caplog)


# ------------------------------------------- 8. JSON documents in string members (Object, Layout)

OBJECT_TYPE = {
    "DomainName": DOMAIN, "ObjectTypeName": "Orders", "Description": "d", "AllowProfileCreation": True,
    "Fields": {"email": {"Source": "_source.email", "Target": "_profile.EmailAddress"}},
    "Keys": {"_email": [{"FieldNames": ["email"], "StandardIdentifiers": ["PROFILE", "UNIQUE"]}]},
}


def _object_domain() -> tuple[Emulator, Any]:
    emu = Emulator()
    client = emu.boto3_client(Config(retries={"total_max_attempts": 1}))
    client.create_domain(DomainName=DOMAIN, DefaultExpirationDays=1)
    client.put_profile_object_type(**OBJECT_TYPE)
    return emu, client


def _put_object(emu: Emulator, document: str) -> tuple[int, str]:
    status, _, data = emu.handle("PUT", f"/domains/{DOMAIN}/profiles/objects",
                                 json.dumps({"ObjectTypeName": "Orders", "Object": document}))
    return status, str(json.loads(data).get("Message", ""))


def _nested(levels: int, leaf: str = '"canary-7f3"') -> str:
    """JSON nested ``levels`` deep, alternating objects and lists, inside an object."""
    opening = "".join('{"a":' if i % 2 == 0 else "[" for i in range(levels - 1))
    closing = "".join("}" if i % 2 == 0 else "]" for i in reversed(range(levels - 1)))
    return '{"email": "x@example.com", "deep": ' + opening + leaf + closing + "}"


DEEP_MESSAGE = "Object nests lists and objects more than 64 levels deep (the emulator's limit for JSON documents)"


@pytest.mark.parametrize("levels", [65, 66, 200, 999, 1000, 5000, 50_000])
def test_an_object_nested_too_deep_names_the_member_and_the_depth_rule(levels: int) -> None:
    emu, client = _object_domain()
    assert _put_object(emu, _nested(levels)) == (400, DEEP_MESSAGE)
    assert _put_object(emu, "[" * levels + "]" * levels) == (400, DEEP_MESSAGE)
    assert client.get_domain(DomainName=DOMAIN)["Stats"]["ObjectCount"] == 0


def test_an_object_exactly_at_the_depth_limit_is_accepted() -> None:
    emu, client = _object_domain()
    assert _put_object(emu, _nested(64))[0] == 200
    assert client.get_domain(DomainName=DOMAIN)["Stats"]["ObjectCount"] == 1


@pytest.mark.parametrize(("document", "expected"), [
    ('{"email": "canary-7f3"', "Object is not valid JSON (syntax error at line 1, column 23)"),
    ('{"email": canary-7f3}', "Object is not valid JSON (syntax error at line 1, column 11)"),
    ('{"email":\n "a",\n canary}', "Object is not valid JSON (syntax error at line 3, column 2)"),
    ('"canary-7f3"', "Object must be a JSON object"),
    ('["canary-7f3"]', "Object must be a JSON object"),
    ('{"email": "canary\ud800-7f3"}',  # the Object's text itself (the body's escape) holds one
     "Object has a lone surrogate (a \\uD800 to \\uDFFF escape without its pair): it is not Unicode text"),
])
def test_object_messages_name_the_member_and_the_rule_never_the_value(document: str, expected: str) -> None:
    emu, client = _object_domain()
    assert _put_object(emu, document) == (400, expected)
    assert client.get_domain(DomainName=DOMAIN)["Stats"]["ObjectCount"] == 0


def test_an_object_too_long_names_the_member_and_the_length_rule() -> None:
    emu, _ = _object_domain()
    status, message = _put_object(emu, '{"email": "' + "canary" * 50_000 + '"}')
    assert status == 400 and "Object" in message and "256000" in message and "max_length" in message
    assert "canary" not in message


def test_a_lone_surrogate_escape_inside_the_object_document_is_kept() -> None:
    # The Object's text is ASCII (the escape is six characters of it): valid text, stored as sent.
    # (tests/test_emulator_ops.py checks how such a value is keyed, mapped and counted.)
    emu, client = _object_domain()
    assert _put_object(emu, '{"email": "a\\ud800@example.com", "\\udfff": 1}')[0] == 200
    # (No request can search for it: a request cannot carry a lone surrogate.)
    profiles = client.batch_get_profile(DomainName=DOMAIN, ProfileIds=list(emu.backend._domains[DOMAIN].profiles))
    assert [item["EmailAddress"] for item in profiles["Profiles"]] == ["a\ud800@example.com"]
    assert client.get_domain(DomainName=DOMAIN)["Stats"]["ObjectCount"] == 1


def test_an_escaped_backslash_before_u_is_not_a_surrogate() -> None:
    emu, client = _object_domain()
    assert _put_object(emu, '{"email": "a\\\\ud800@example.com"}')[0] == 200  # the text \ud800, escaped
    found = client.search_profiles(DomainName=DOMAIN, KeyName="_email", Values=["a\\ud800@example.com"])
    assert len(found["Items"]) == 1


@pytest.mark.parametrize("levels", [65, 5000])
def test_a_layout_nested_too_deep_names_the_member_and_the_depth_rule(levels: int) -> None:
    emu, client = _object_domain()
    layout = "[" * levels + "]" * levels
    status, _, data = emu.handle("POST", f"/domains/{DOMAIN}/layouts/main", json.dumps({
        "Description": "d", "DisplayName": "d", "LayoutType": "PROFILE_EXPLORER", "Layout": layout}))
    assert (status, json.loads(data)["Message"]) == (
        400, "Layout nests lists and objects more than 64 levels deep (the emulator's limit for JSON documents)")
    assert client.list_domain_layouts(DomainName=DOMAIN)["Items"] == []


# --------------------------------------------- 9. request bodies: UTF-8 JSON only, Unicode text only

CREATE = json.dumps({"DefaultExpirationDays": 3, "Tags": {"owner": "canary-7f3"}})


@pytest.mark.parametrize(("body", "rule"), [
    (codecs.BOM_UTF8 + CREATE.encode(), "starts with a UTF-8 byte order mark"),
    (CREATE.encode("utf-16"), "is in UTF-16 or UTF-32"),
    (CREATE.encode("utf-16-le"), "is in UTF-16 or UTF-32"),
    (CREATE.encode("utf-16-be"), "is in UTF-16 or UTF-32"),
    (CREATE.encode("utf-32"), "is in UTF-16 or UTF-32"),
    (CREATE.encode("utf-32-le"), "is in UTF-16 or UTF-32"),
    (CREATE.encode("utf-32-be"), "is in UTF-16 or UTF-32"),
    (codecs.BOM_UTF16_LE + CREATE.encode(), "is in UTF-16 or UTF-32"),
    (b"\xff\xfe" + CREATE.encode("utf-32-le"), "is in UTF-16 or UTF-32"),
    (b' {"DefaultExpirationDays": 3, "Tags": {"owner": "\xffcanary"}}', "is not valid UTF-8 (at byte 49)"),
    (b'{"DefaultExpirationDays": 3, "Tags": {"\xc0\xafcanary": "x"}}', "is not valid UTF-8 (at byte 39)"),
    (b'{"DefaultExpirationDays": 3, "Tags": {"owner": "\xed\xa0\x80"}}', "is not valid UTF-8 (at byte 48)"),
    (b'{"DefaultExpirationDays": 3, "Tags": {"owner": "\xe2\x82"}}', "is not valid UTF-8 (at byte 48)"),
    (b'{"DefaultExpirationDays": 3, "Tags": {"owner": "\xf4\x90\x80\x80"}}', "is not valid UTF-8 (at byte 48)"),
])
def test_bodies_not_in_utf8_are_refused_and_change_nothing(body: bytes, rule: str) -> None:
    emu = Emulator()
    status, headers, data = emu.handle("POST", "/domains/shop", body)
    assert (status, headers["x-amzn-ErrorType"]) == (400, "BadRequestException")
    message = json.loads(data)["Message"]
    assert message.startswith(f"the request body {rule}") and "canary" not in message
    assert emu.backend.domain_names() == [] and emu.backend.calls == {}


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-32-be"])
def test_bodies_not_in_utf8_are_refused_over_http(served: EmulatorServer, encoding: str) -> None:
    body = CREATE.encode(encoding)
    connection = http.client.HTTPConnection(served.host, served.port, timeout=30)
    try:
        connection.request("POST", "/domains/shop", body, {"Content-Type": "application/json"})
        reply = connection.getresponse()
        data = reply.read()
    finally:
        connection.close()
    assert (reply.status, reply.getheader("x-amzn-ErrorType")) == (400, "BadRequestException")
    assert set(json.loads(data)) == {"Message"} and b"canary" not in data
    assert served.emulator.backend.domain_names() == []


@pytest.mark.parametrize(("body", "where"), [
    (b'{"DefaultExpirationDays": 3, "DeadLetterQueueUrl": "canary\\ud800"}', "DeadLetterQueueUrl"),
    (b'{"DefaultExpirationDays": 3, "DeadLetterQueueUrl": "\\uDFFFcanary"}', "DeadLetterQueueUrl"),
    (b'{"DefaultExpirationDays": 3, "DeadLetterQueueUrl": "\\udc00\\ud800"}', "DeadLetterQueueUrl"),  # reversed
    (b'{"DefaultExpirationDays": 3, "Tags": {"canary\\ud83d": "x"}}', "a map key of Tags"),
    (b'{"DefaultExpirationDays": 3, "Tags": {"owner": "canary\\ud83d"}}', "Tags[<key>]"),
    (b'{"DefaultExpirationDays": 3, "Matching": {"ExportingConfig": {"S3Exporting": '
     b'{"S3BucketName": "b", "S3KeyName": "canary\\ud800"}}}}', "Matching.ExportingConfig.S3Exporting.S3KeyName"),
    (b'{"DefaultExpirationDays": 3, "canary\\ud800": 1}', "<unknown member>"),
    (b'{"DefaultExpirationDays": 3, "Extra": {"x": ["canary\\ud800"]}}', "<unknown member>[<key>][0]"),
])
def test_lone_surrogate_escapes_are_refused_naming_the_member(body: bytes, where: str) -> None:
    emu = Emulator()
    status, _, data = emu.handle("POST", "/domains/shop", body)
    assert (status, json.loads(data)) == (400, {"Message": f"{where} has a lone surrogate (a \\uD800 to \\uDFFF "
                                                           "escape without its pair): it is not Unicode text"})
    assert emu.backend.domain_names() == [] and emu.backend.calls == {}


def test_surrogate_pairs_and_escaped_backslashes_are_text() -> None:
    emu = Emulator()
    emu.backend.call("CreateDomain", {"DomainName": "shop", "DefaultExpirationDays": 1})
    body = b'{"FirstName": "\\\\ud800", "Attributes": {"\\ud83d\\ude00": "\\uD83D\\uDE00", "k": "a\\\\udfff"}}'
    status, _, data = emu.handle("POST", "/domains/shop/profiles", body)
    assert status == 200
    found = emu.backend.call("SearchProfiles", {"DomainName": "shop", "KeyName": "_profileId",
                                                "Values": [json.loads(data)["ProfileId"]]})["Items"][0]
    assert found["FirstName"] == "\\ud800"  # an escaped backslash, then the text "ud800"
    assert found["Attributes"] == {"\U0001f600": "\U0001f600", "k": "a\\udfff"}


@pytest.mark.parametrize(("url", "where"), [
    ("/domains/%FFcanary", "the URI label DomainName"),
    ("/domains/%ED%A0%80", "the URI label DomainName"),
    ("/domains/d/object-types?next-token=%C0%AFcanary", "the query string"),
    ("/domains?max-results=1%FF", "the query string"),
])
def test_percent_encoded_bytes_that_are_not_utf8_are_refused(url: str, where: str) -> None:
    status, _, data = Emulator().handle("GET", url)
    assert (status, json.loads(data)) == (400, {"Message": f"{where} is not percent-encoded UTF-8"})


# ----------------------------------------------------- 10. every wait on a client is bounded


HANG_GUARD = 60.0  # seconds: far beyond the limits the tests set (well under a second)


def _read_all(connection: socket.socket) -> bytes:
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    return received


def _drip(server: EmulatorServer, head: bytes, drip: bytes) -> bytes:
    """Send ``head``, then ``drip`` one byte at a time, each well within any per-read timeout,
    until the server answers; then read to the end. Fails if nothing comes within the guard."""
    with socket.create_connection((server.host, server.port), timeout=HANG_GUARD) as connection:
        connection.sendall(head)
        deadline = time.monotonic() + HANG_GUARD
        for byte in itertools.cycle(drip):
            readable, _, _ = select.select([connection], [], [], 0.02)
            if readable:
                return _read_all(connection)
            assert time.monotonic() < deadline, "the server let the request trickle in without limit"
            connection.sendall(bytes([byte]))
    raise AssertionError("unreachable")


def test_a_request_head_that_trickles_in_gets_a_408(served: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_emulator, "_HEAD_SECONDS", 0.5, raising=False)
    raw = _drip(served, b"GET /domains HTTP/1.1\r\n", b"X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n")
    message = assert_json_error(raw, 408, "RequestTimeoutException")
    assert "headers" in message
    assert http_client(served.url).list_domains()["Items"] == []  # the server goes on serving


def test_a_request_line_that_trickles_in_gets_a_408(served: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_emulator, "_HEAD_SECONDS", 0.5, raising=False)
    raw = _drip(served, b"G", b"ET /domains/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
    assert_json_error(raw, 408, "RequestTimeoutException")


def test_a_request_head_that_stops_halfway_gets_a_408(served: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_emulator, "_HEAD_SECONDS", 0.3, raising=False)
    with socket.create_connection((served.host, served.port), timeout=HANG_GUARD) as connection:
        connection.sendall(b"POST /domains/shop HTTP/1.1\r\nHost: x\r\n")
        raw = _read_all(connection)
    assert_json_error(raw, 408, "RequestTimeoutException")
    assert served.emulator.backend.calls == {}


def test_a_body_that_trickles_in_gets_a_408_and_is_not_run(
        served: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_emulator, "_BODY_SECONDS", 0.5, raising=False)
    body = b'{"DefaultExpirationDays": 3, "Tags": {"a": "' + b"b" * 100_000 + b'"}}'
    raw = _drip(served, post("/domains/shop", body[:10], length=len(body)), body[10:])
    assert_json_error(raw, 408, "RequestTimeoutException")
    assert served.emulator.backend.domain_names() == [] and served.emulator.backend.calls == {}


def test_an_idle_connection_is_closed_without_an_answer(
        served: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_emulator, "_IDLE_SECONDS", 0.3, raising=False)
    with socket.create_connection((served.host, served.port), timeout=HANG_GUARD) as connection:
        assert _read_all(connection) == b""  # never sent anything: closed, nothing answered
    with socket.create_connection((served.host, served.port), timeout=HANG_GUARD) as connection:
        connection.sendall(b"GET /domains HTTP/1.1\r\nHost: x\r\n\r\n")  # kept alive, then idle
        raw = _read_all(connection)
    assert answer(raw)[0] == 200 and raw.count(b"HTTP/1.1 ") == 1
    wait(no_open_connections(served))


def test_connections_beyond_the_limit_get_a_503_and_are_closed(
        served: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_emulator, "_MAX_CONNECTIONS", 2, raising=False)
    held = [socket.create_connection((served.host, served.port), timeout=HANG_GUARD) for _ in range(2)]
    try:
        wait(lambda: len(served._server._connections) == 2)
        with socket.create_connection((served.host, served.port), timeout=HANG_GUARD) as extra:
            raw = _read_all(extra)
        got, headers, body = answer(raw)
        assert (got, headers["x-amzn-errortype"], headers["connection"]) == (
            503, "ServiceUnavailableException", "close")
        assert "connections" in json.loads(body)["Message"]
    finally:
        for connection in held:
            connection.close()
    wait(no_open_connections(served))
    assert http_client(served.url).list_domains()["Items"] == []  # served again once they closed
