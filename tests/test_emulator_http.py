"""The emulator's HTTP face: routing, request reading, answers, and the 501 of unmodelled operations."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from botocore import serialize
from botocore.exceptions import ClientError
from botocore.utils import percent_encode_sequence

from customer_profiles_sdk.local import Emulator
from customer_profiles_sdk.local._errors import EmulatorError
from customer_profiles_sdk.local._http import parse_request, render_response, route, service_model

from . import synth

OPERATIONS = sorted(service_model().operation_names)
MODELLED = sorted(Emulator().backend.operations)
UNMODELLED = sorted(set(OPERATIONS) - set(MODELLED))
# A label value that botocore must percent-encode: '/', ':', space, '%', '+', non-ASCII.
NASTY = "a/b:c d%2F+é~"


def serialized(operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """The HTTP request botocore's rest-json serializer builds for ``params``."""
    model = service_model().operation_model(operation)
    request: dict[str, Any] = serialize.create_serializer("rest-json").serialize_to_request(params, model)
    return request


def uri_members(operation: str) -> dict[str, str]:
    """Input member name -> URI label name."""
    shape = service_model().operation_model(operation).input_shape
    if shape is None:
        return {}
    return {name: member.serialization.get("name", name) for name, member in shape.members.items()
            if member.serialization.get("location") == "uri"}


def full_params(operation: str) -> dict[str, Any]:
    shape = service_model().operation_model(operation).input_shape
    return synth.valid(shape.name, full=True) if shape is not None else {}


# ------------------------------------------------------------------------------------- routing


def test_the_operation_lists_are_what_the_emulator_claims() -> None:
    assert len(OPERATIONS) == len(synth.OPERATIONS) == 115
    assert len(MODELLED) == 115
    assert set(MODELLED) <= set(OPERATIONS)
    assert {"SearchProfiles", "PutProfileObject", "TagResource", "ListAccountIntegrations"} <= set(MODELLED)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_every_operation_routes_back_to_itself(operation: str) -> None:
    params = full_params(operation)
    for member in uri_members(operation):
        params[member] = NASTY
    request = serialized(operation, params)
    path = urlsplit(request["url_path"]).path
    assert "%" in path or not uri_members(operation)  # the labels really were encoded
    found, labels = route(request["method"], path)
    assert found == operation
    assert labels == {label: NASTY for label in uri_members(operation).values()}
    # ... and no operation answers 501: each is modelled (its answer here is whatever these
    # parameters get: a 2xx, or a 4xx for resources that do not exist).
    status, _headers, _body = Emulator().handle(request["method"], request["url_path"], request["body"] or b"")
    assert status != 501 and status < 500, (operation, status)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_every_operation_reads_back_what_botocore_sent(operation: str) -> None:
    """Body, labels and query string give back the caller's parameters, timestamps included."""
    params = full_params(operation)
    request = serialized(operation, params)
    _, labels = route(request["method"], urlsplit(request["url_path"]).path)
    query = percent_encode_sequence(request["query_string"])  # as botocore puts it on the URL
    model = service_model().operation_model(operation)
    assert parse_request(model, labels, query, request["body"] or b"") == params


def test_a_label_value_that_equals_a_literal_segment_routes_by_method() -> None:
    assert route("POST", "/domains/d/identity-resolution-jobs/auto-merging-preview")[0] == "GetAutoMergingPreview"
    assert route("GET", "/domains/d/identity-resolution-jobs/auto-merging-preview") == (
        "GetIdentityResolutionJob", {"DomainName": "d", "JobId": "auto-merging-preview"})
    assert route("POST", "/domains/d/workflows/integrations")[0] == "CreateIntegrationWorkflow"
    assert route("GET", "/domains/d/workflows/integrations") == (
        "GetWorkflow", {"DomainName": "d", "WorkflowId": "integrations"})
    assert route("PUT", "/domains/d/profiles/objects")[0] == "PutProfileObject"
    assert route("POST", "/domains/d/profiles/objects")[0] == "ListProfileObjects"


def test_no_two_templates_of_one_method_can_match_one_path() -> None:
    model = service_model()
    templates = [(name, model.operation_model(name).http["method"],
                  model.operation_model(name).http["requestUri"].strip("/").split("/")) for name in OPERATIONS]
    overlapping = [
        (a, b) for i, (a, method_a, parts_a) in enumerate(templates) for b, method_b, parts_b in templates[i + 1:]
        if method_a == method_b and len(parts_a) == len(parts_b)
        and all(x == y or x.startswith("{") or y.startswith("{") for x, y in zip(parts_a, parts_b, strict=True))
    ]
    assert overlapping == []


@pytest.mark.parametrize(("method", "path", "code", "status"), [
    ("PATCH", "/domains/d", "MethodNotAllowedException", 405),
    ("DELETE", "/domains/d/profiles/objects", "MethodNotAllowedException", 405),
    ("GET", "/nowhere", "UnknownOperationException", 404),
    ("GET", "/domains/d/profiles/objects/x/y/z", "UnknownOperationException", 404),
    ("GET", "/domains//object-types", "UnknownOperationException", 404),
])
def test_unknown_paths_and_methods(method: str, path: str, code: str, status: int) -> None:
    with pytest.raises(EmulatorError) as caught:
        route(method, path)
    assert (caught.value.code, caught.value.status) == (code, status)
    answer = Emulator().handle(method, path)
    assert answer[0] == status
    assert answer[1]["x-amzn-ErrorType"] == code


def test_a_trailing_slash_routes_too() -> None:
    assert route("GET", "/domains/") == ("ListDomains", {})
    assert route("GET", "/domains/shop/") == ("GetDomain", {"DomainName": "shop"})


# ------------------------------------------------------------------------------- query strings


def test_query_string_members_are_typed() -> None:
    model = service_model().operation_model("ListIntegrations")
    params = parse_request(model, {"DomainName": "d"}, "max-results=7&include-hidden=true&next-token=a%2Bb", b"")
    assert params == {"DomainName": "d", "MaxResults": 7, "IncludeHidden": True, "NextToken": "a+b"}
    params = parse_request(model, {"DomainName": "d"}, "include-hidden=false&unknown=1", b"")
    assert params == {"DomainName": "d", "IncludeHidden": False}


def test_repeated_query_keys_make_a_list() -> None:
    model = service_model().operation_model("UntagResource")
    params = parse_request(model, {"resourceArn": "arn"}, "tagKeys=a&tagKeys=b%20c&tagKeys=", b"")
    assert params == {"resourceArn": "arn", "tagKeys": ["a", "b c", ""]}


@pytest.mark.parametrize(("query", "name"), [
    ("max-results=ten", "max-results"), ("max-results=", "max-results"), ("include-hidden=yes", "include-hidden"),
    ("include-hidden=1", "include-hidden"),
])
def test_malformed_query_values_are_bad_requests_that_name_the_parameter(query: str, name: str) -> None:
    model = service_model().operation_model("ListIntegrations")
    with pytest.raises(EmulatorError) as caught:
        parse_request(model, {"DomainName": "d"}, query, b"")
    assert (caught.value.code, caught.value.status) == ("BadRequestException", 400)
    assert f"query parameter {name} " in caught.value.message
    assert "ten" not in caught.value.message and "yes" not in caught.value.message


@pytest.mark.parametrize("body", [b"{", b"[1]", b"\"text\"", b"\xff"])
def test_a_body_that_is_not_a_json_object_is_a_bad_request(body: bytes) -> None:
    status, headers, data = Emulator().handle("POST", "/domains/shop", body)
    assert status == 400
    assert headers["x-amzn-ErrorType"] == "BadRequestException"
    assert set(json.loads(data)) == {"Message"}


@pytest.mark.parametrize("body", [
    b'{"DefaultExpirationDays": 1, "Matching": {"Enabled": NaN}}', b'{"DefaultExpirationDays": Infinity}',
    b'{"DefaultExpirationDays": 1, "x": -Infinity}',
])
def test_nan_and_infinity_in_a_body_are_not_json(body: bytes) -> None:
    status, headers, data = Emulator().handle("POST", "/domains/shop", body)
    assert (status, headers["x-amzn-ErrorType"]) == (400, "BadRequestException")
    assert json.loads(data) == {"Message": "the request body is not valid JSON"}


@pytest.mark.parametrize("depth", [65, 900, 5000])
def test_a_body_nested_too_deep_is_a_bad_request(depth: int) -> None:
    body = b'{"DefaultExpirationDays": 1, "Tags": {"a": "b"}, "x": ' + b"[" * depth + b"]" * depth + b"}"
    emulator = Emulator()
    status, headers, data = emulator.handle("POST", "/domains/shop", body)
    assert (status, headers["x-amzn-ErrorType"]) == (400, "BadRequestException")
    assert set(json.loads(data)) == {"Message"}
    assert emulator.backend.domain_names() == []


def test_a_str_body_with_a_lone_surrogate_is_a_bad_request() -> None:
    status, headers, _ = Emulator().handle("POST", "/domains/shop", '{"DefaultExpirationDays": 1, "x": "\ud800"}')
    assert (status, headers["x-amzn-ErrorType"]) == (400, "BadRequestException")


def test_json_null_members_are_absent() -> None:
    model = service_model().operation_model("CreateDomain")
    body = json.dumps({"DefaultExpirationDays": 5, "DeadLetterQueueUrl": None, "Tags": None}).encode()
    assert parse_request(model, {"DomainName": "d"}, "", body) == {"DomainName": "d", "DefaultExpirationDays": 5}
    emu = Emulator()
    status, _, _ = emu.handle("POST", "/domains/d", body)
    assert status == 200
    status, _, data = emu.handle("GET", "/domains/d")
    assert status == 200 and "Tags" not in json.loads(data) and "DeadLetterQueueUrl" not in json.loads(data)


def test_timestamps_in_bodies_are_read_from_epoch_seconds_and_iso_text() -> None:
    model = service_model().operation_model("ListWorkflows")
    when = datetime(2024, 5, 17, 12, 30, 0, 250000, tzinfo=UTC)
    body = json.dumps({"QueryStartDate": when.timestamp(), "QueryEndDate": "2024-05-17T12:30:00.25Z"}).encode()
    params = parse_request(model, {"DomainName": "d"}, "", body)
    assert params["QueryStartDate"] == when
    assert params["QueryEndDate"] == when


# ------------------------------------------------------------------------------------- answers


def test_answers_are_rest_json() -> None:
    emu = Emulator(clock=lambda: datetime(2024, 5, 17, 12, 30, 0, 123456, tzinfo=UTC))
    status, headers, data = emu.handle("POST", "/domains/shop", b'{"DefaultExpirationDays": 9}')
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert int(headers["Content-Length"]) == len(data)
    assert headers["x-amzn-RequestId"]
    body = json.loads(data)
    assert body["DomainName"] == "shop" and body["DefaultExpirationDays"] == 9
    assert datetime.fromtimestamp(body["CreatedAt"], UTC) == datetime(2024, 5, 17, 12, 30, 0, 123456, tzinfo=UTC)
    status, headers, data = emu.handle("GET", "/domains/nope")
    assert (status, headers["x-amzn-ErrorType"]) == (404, "ResourceNotFoundException")
    assert json.loads(data) == {"Message": "Domain not found"}


def test_status_code_members_become_the_http_status() -> None:
    model = service_model().operation_model("GetSegmentEstimate")
    status, _, data = render_response(model, {"StatusCode": 202, "EstimateId": "e"})
    assert status == 202
    assert json.loads(data) == {"EstimateId": "e"}


def test_a_str_body_and_a_full_url_are_accepted() -> None:
    emu = Emulator()
    assert emu.handle("post", "https://profile.us-east-1.amazonaws.com/domains/shop",
                      '{"DefaultExpirationDays": 1}')[0] == 200
    assert emu.handle("GET", "http://127.0.0.1:1/domains?max-results=1")[0] == 200


# ------------------------------------------------------------------ every unmodelled operation


def _method_names(client: Any) -> dict[str, str]:
    return {operation: method for method, operation in client.meta.method_to_api_mapping.items()}


@pytest.fixture(scope="module")
def plain_client() -> Any:
    return Emulator().boto3_client()


def test_every_operation_is_modelled_and_found_by_its_name_in_one_step() -> None:
    from customer_profiles_sdk.local._backend import area_of

    assert UNMODELLED == [] and len(MODELLED) == len(OPERATIONS) == 115
    for operation in OPERATIONS:
        module = area_of(operation)
        assert module is not None and module.startswith("customer_profiles_sdk.local._areas."), operation


def test_an_unknown_operation_answers_501_not_a_fake_success() -> None:
    from customer_profiles_sdk.local import EmulatorError

    backend = Emulator().backend
    with pytest.raises(EmulatorError) as caught:
        backend.call("NoSuchOperation", {})
    assert (caught.value.code, caught.value.status) == ("NotImplementedByEmulator", 501)
    assert "NoSuchOperation" in caught.value.message and "not implemented by" in caught.value.message


@pytest.mark.parametrize("operation", MODELLED)
def test_every_modelled_operation_answers_something_else(plain_client: Any, operation: str) -> None:
    shape = service_model().operation_model(operation).input_shape
    params = synth.valid(shape.name) if shape is not None else {}
    method = getattr(plain_client, _method_names(plain_client)[operation])
    try:
        method(**params)
    except ClientError as error:
        # Minimal params name resources that do not exist: a 404 or a 400, never a 501.
        assert error.response["ResponseMetadata"]["HTTPStatusCode"] in (400, 404)
        assert error.response["Error"]["Code"] in ("ResourceNotFoundException", "BadRequestException")
