"""Every operation through CustomerProfilesClient: exact wire params, parsing, and 0 requests on bad input.

Two offline paths:

* botocore's Stubber checks the params that reach the boto3 client, for minimal and full input;
* a server on 127.0.0.1 runs botocore's real serializer and parser, and each SDK call is compared
  with the same call made through a plain boto3 client.
"""

from __future__ import annotations

import copy
import functools
import inspect
from typing import Any

import pytest
from botocore.stub import Stubber

from customer_profiles_sdk import CustomerProfilesClient, ParamValidationError
from customer_profiles_sdk import models as models_module
from customer_profiles_sdk._core import ResponseMetadata
from customer_profiles_sdk._generated.operations import OPERATIONS, PARTIAL_FAILURES
from customer_profiles_sdk._model import ResponseShape

from . import synth
from .canned import method_kwargs
from .localserver import LocalServer, Reply, dummy_session

OPS = sorted(OPERATIONS)


@functools.cache
def offline_client() -> CustomerProfilesClient:
    """One client for the module (Stubber attaches to it per test)."""
    return CustomerProfilesClient(session=dummy_session())


@pytest.fixture(scope="module")
def clients(server: LocalServer) -> tuple[CustomerProfilesClient, Any]:
    """An SDK client and a plain boto3 client, both aimed at the module's server."""
    return server.client(), server.raw_client()


def model(name: str) -> Any:
    return getattr(models_module, name)


def kwargs_for(request_shape: str, wire: dict[str, Any]) -> dict[str, Any]:
    """The method's keyword arguments for a wire dict: Python names, nested values as models."""
    request = model(request_shape).model_validate(wire)
    return {name: getattr(request, name) for name in type(request).model_fields if getattr(request, name) is not None}


def extra_kwargs(op: str) -> dict[str, Any]:
    return {"allow_partial": True} if op in PARTIAL_FAILURES else {}


def test_one_method_per_operation_named_as_in_boto3() -> None:
    client = offline_client()
    raw_names = {name for name in dir(client.boto3_client) if not name.startswith("_")}
    assert len(OPS) == 115
    for op in OPS:
        python = OPERATIONS[op].python_name
        assert python in raw_names, op
        method = getattr(CustomerProfilesClient, python)
        assert method.__annotations__["return"] == OPERATIONS[op].output_shape
        assert "AWS API reference: https://docs.aws.amazon.com/customerprofiles/latest/APIReference/" in method.__doc__


@pytest.mark.parametrize("op", OPS)
def test_method_signature_is_keyword_only_with_required_parameters_first(op: str) -> None:
    info = OPERATIONS[op]
    request = model(info.input_shape)
    params = inspect.signature(getattr(CustomerProfilesClient, info.python_name)).parameters
    names = [p for p in params if p != "self"]
    assert all(params[p].kind is inspect.Parameter.KEYWORD_ONLY for p in names)
    expected = set(request.model_fields) | ({"allow_partial"} if op in PARTIAL_FAILURES else set())
    assert set(names) == expected
    required = {n for n, f in request.model_fields.items() if f.is_required()}
    assert {p for p in names if params[p].default is inspect.Parameter.empty} == required


@pytest.mark.parametrize("full", [False, True], ids=["minimal", "full"])
@pytest.mark.parametrize("op", OPS)
def test_params_reach_boto3_exactly_and_the_reply_parses(op: str, full: bool) -> None:
    info = OPERATIONS[op]
    wire = synth.valid(info.input_shape, full)
    reply = synth.valid(info.output_shape, full)
    client = offline_client()
    with Stubber(client.boto3_client) as stub:
        stub.add_response(info.python_name, copy.deepcopy(reply), expected_params=copy.deepcopy(wire))
        result = getattr(client, info.python_name)(**kwargs_for(info.input_shape, wire), **extra_kwargs(op))
        stub.assert_no_pending_responses()
    assert type(result).__name__ == info.output_shape
    assert isinstance(result, ResponseShape)
    assert result.to_boto() == reply


@pytest.mark.parametrize("op", OPS)
def test_send_takes_a_ready_request(op: str) -> None:
    info = OPERATIONS[op]
    wire = synth.valid(info.input_shape, True)
    reply = synth.valid(info.output_shape)
    client = offline_client()
    request = model(info.input_shape).model_validate(wire)
    with Stubber(client.boto3_client) as stub:
        stub.add_response(info.python_name, copy.deepcopy(reply), expected_params=copy.deepcopy(wire))
        result = client.send(request)
    assert type(result).__name__ == info.output_shape
    assert result.to_boto() == reply


def test_send_revalidates_requests_edited_after_construction() -> None:
    request = model("PutProfileObjectTypeRequest").model_validate(synth.valid("PutProfileObjectTypeRequest", True))
    request.keys = {"k": [model("ObjectTypeKey")(standard_identifiers=["PROFILE"], field_names=["a"])]}
    assert request.keys is not None
    request.keys["k"][0].field_names.append("x" * 5000)  # in-place edit: no assignment check runs
    client = offline_client()
    with Stubber(client.boto3_client) as stub, pytest.raises(ParamValidationError) as caught:
        client.send(request)
    stub.assert_no_pending_responses()
    assert [(p.path, p.rule) for p in caught.value.problems] == [("Keys[<key>][0].FieldNames[1]", "max_length")]


def test_send_rejects_what_is_not_an_operation_request() -> None:
    client = offline_client()
    with pytest.raises(TypeError, match="not the request of an operation"):
        client.send(model("ObjectTypeKey")(standard_identifiers=["PROFILE"], field_names=["a"]))
    with pytest.raises(TypeError, match="Request model"):
        client.send({"DomainName": "shop"})  # type: ignore[call-overload]


@pytest.mark.parametrize("op", OPS)
def test_over_http_the_sdk_sends_and_reads_exactly_what_raw_boto3_does(
    op: str, server: LocalServer, clients: tuple[CustomerProfilesClient, Any]
) -> None:
    info = OPERATIONS[op]
    wire = synth.valid(info.input_shape, True)
    body = synth.valid(info.output_shape, True)
    server.respond = lambda request: Reply(200, body)
    server.reset()
    sdk, raw = clients

    typed = getattr(sdk, info.python_name)(**kwargs_for(info.input_shape, wire), **extra_kwargs(op))
    expected = getattr(raw, info.python_name)(**copy.deepcopy(wire))
    assert len(server.requests) == 2
    ours, theirs = server.requests
    assert (ours.method, ours.path, ours.query) == (theirs.method, theirs.path, theirs.query)
    assert ours.json() == theirs.json()
    assert ours.method == info.http_method

    metadata = expected.pop("ResponseMetadata")
    assert typed.to_boto() == expected
    assert isinstance(typed.response_metadata, ResponseMetadata)
    assert typed.response_metadata.request_id == "req-1"  # the server numbers requests
    assert typed.response_metadata.http_status == metadata["HTTPStatusCode"] == 200
    assert typed.response_metadata.retry_attempts == 0


@pytest.mark.parametrize("op", OPS)
def test_invalid_input_sends_no_request(
    op: str, fresh_server: LocalServer, clients: tuple[CustomerProfilesClient, Any]
) -> None:
    info = OPERATIONS[op]
    client = clients[0]
    checked = 0
    for violation in synth.violations(info.input_shape):
        kwargs = method_kwargs(info.input_shape, violation.data)  # a missing required member: None
        with pytest.raises(ParamValidationError) as caught:
            getattr(client, info.python_name)(**kwargs)
        assert (violation.path, violation.rule) in [(p.path, p.rule) for p in caught.value.problems]
        assert isinstance(caught.value, ValueError)
        checked += 1
    assert checked > 0
    assert fresh_server.requests == []


def falsy(name: str) -> Any:
    """A valid wire value built from falsy leaves where the rules allow: False, 0, "", [] and {}."""
    shape = synth.SHAPES[name]
    kind = shape["type"]
    if kind == "boolean":
        return False
    if kind in ("integer", "long") and shape.get("min", 0) <= 0 <= shape.get("max", 1):
        return 0
    if kind in ("double", "float") and shape.get("min", 0) <= 0 <= shape.get("max", 1):
        return 0.0
    if kind == "string" and "enum" not in shape and "pattern" not in shape and shape.get("min", 0) == 0:
        return ""
    if kind == "list" and shape.get("min", 0) == 0:
        return []
    if kind == "map" and shape.get("min", 0) == 0:
        return {}
    if kind == "structure" and not shape.get("union"):
        return {m: falsy(spec["shape"]) for m, spec in shape.get("members", {}).items()}
    return synth.valid(name, True)


def has_falsy_leaf(value: Any) -> bool:
    if isinstance(value, dict):
        return not value or any(has_falsy_leaf(v) for v in value.values())
    if isinstance(value, list):
        return not value or any(has_falsy_leaf(v) for v in value)
    return value in (False, 0, "") and value is not None


FALSY_OPS = [op for op in OPS if has_falsy_leaf(falsy(OPERATIONS[op].input_shape))]


@pytest.mark.parametrize("op", FALSY_OPS)
def test_falsy_values_are_sent_not_dropped(op: str) -> None:
    """False, 0, "" and empty containers are values: only None means "not set"."""
    info = OPERATIONS[op]
    wire = falsy(info.input_shape)
    try:
        kwargs = kwargs_for(info.input_shape, wire)
    except ParamValidationError:
        pytest.skip("a documented rule rejects the all-falsy request")
    client = offline_client()
    with Stubber(client.boto3_client) as stub:
        stub.add_response(info.python_name, synth.valid(info.output_shape), expected_params=copy.deepcopy(wire))
        getattr(client, info.python_name)(**kwargs)
        stub.assert_no_pending_responses()


def test_falsy_cases_cover_booleans() -> None:
    booleans = [op for op in FALSY_OPS if "False" in repr(falsy(OPERATIONS[op].input_shape))]
    assert len(FALSY_OPS) >= 30 and len(booleans) >= 10, (len(FALSY_OPS), len(booleans))


def test_a_value_botocore_would_coerce_is_kept_on_the_botocore_path_too(fresh_server: LocalServer) -> None:
    """With fast_parse=False botocore parses the body, but a value of the wrong JSON type is kept
    as sent (botocore's parser would fail on it or convert it), redacted in repr."""
    from customer_profiles_sdk._model import RawValue

    fresh_server.respond = lambda request: Reply(200, {"DomainName": "d", "DefaultExpirationDays": "Jane Doe"})
    result = fresh_server.client(fast_parse=False).get_domain(domain_name="d")
    assert result.default_expiration_days == RawValue("Jane Doe")
    assert "Jane" not in repr(result) and "Jane" not in str(result)
    assert result.to_boto()["DefaultExpirationDays"] == "Jane Doe"


def test_a_value_of_the_wrong_type_is_kept_by_the_fast_path(fresh_server: LocalServer) -> None:
    """The SDK's own body parser keeps what botocore's cannot read, redacted in repr."""
    from customer_profiles_sdk._model import RawValue

    fresh_server.respond = lambda request: Reply(200, {"DomainName": "d", "DefaultExpirationDays": "Jane Doe"})
    result = fresh_server.client().get_domain(domain_name="d")
    assert result.default_expiration_days == RawValue("Jane Doe")
    assert "Jane" not in repr(result) and "Jane" not in str(result)
    assert result.to_boto() == {"DomainName": "d", "DefaultExpirationDays": "Jane Doe"}


def test_one_client_shared_by_threads_gives_each_caller_its_own_answer(fresh_server: LocalServer) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def respond(request: Any) -> Reply:
        name = request.path.rsplit("/", 1)[-1]
        return Reply(200, {"DomainName": name, "CreatedAt": 1, "LastUpdatedAt": 1})

    fresh_server.respond = respond
    client = fresh_server.client()
    names = [f"d{i}" for i in range(400)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(lambda n: client.get_domain(domain_name=n).domain_name, names))
    assert results == names
    assert len(fresh_server.requests) == 400
