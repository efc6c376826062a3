"""Typed errors, retries and timeouts, and how the client is built, against a 127.0.0.1 server."""

from __future__ import annotations

import pickle
import socket
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError, ReadTimeoutError
from botocore.stub import Stubber

from customer_profiles_sdk import (
    AccessDeniedError,
    BadRequestError,
    CustomerProfilesClient,
    CustomerProfilesError,
    InternalServerError,
    ResourceNotFoundError,
    ServiceError,
    ThrottlingError,
    TransportError,
    UnmodeledServiceError,
)
from customer_profiles_sdk._core import DEFAULT_RETRY_MODE
from customer_profiles_sdk._generated.operations import SERVICE_ERRORS
from customer_profiles_sdk.errors import SERVICE_ERRORS as ERROR_CLASSES

from .localserver import LocalServer, Reply, dummy_session, error_reply


def settings(config: Config) -> Any:
    """A client's Config, untyped (botocore-stubs does not declare its attributes)."""
    return config


CASES = [
    ("BadRequestException", 400, BadRequestError),
    ("AccessDeniedException", 403, AccessDeniedError),
    ("ResourceNotFoundException", 404, ResourceNotFoundError),
    ("ThrottlingException", 429, ThrottlingError),
    ("InternalServerException", 500, InternalServerError),
]


def test_every_modeled_error_has_a_class_with_its_status() -> None:
    assert {code: cls.default_http_status for code, cls in ERROR_CLASSES.items()} == SERVICE_ERRORS
    assert len(SERVICE_ERRORS) == 5
    for cls in ERROR_CLASSES.values():
        assert issubclass(cls, ServiceError) and issubclass(cls, ClientError) and issubclass(cls, CustomerProfilesError)


@pytest.mark.parametrize(("code", "status", "cls"), CASES, ids=[c[0] for c in CASES])
def test_service_error_maps_to_its_class_with_all_facts(
    code: str, status: int, cls: type[ServiceError], fresh_server: LocalServer
) -> None:
    fresh_server.respond = lambda request: error_reply(code, status, "no such thing")
    client = fresh_server.client()
    with pytest.raises(cls) as caught:
        client.get_domain(domain_name="shop")
    error = caught.value
    retried = status >= 429
    attempts = 3 if retried else 1  # standard mode: 3 attempts for throttling and 5xx
    assert len(fresh_server.requests) == attempts
    assert type(error).__name__ == cls.__name__
    assert error.code == code
    assert error.message == "no such thing"
    assert error.http_status == status
    assert error.request_id == f"req-{attempts}"
    assert error.retry_attempts == attempts - 1
    assert error.operation_name == "GetDomain"
    assert isinstance(error.__cause__, ClientError) and not isinstance(error.__cause__, ServiceError)
    assert error.__cause__.response is error.response
    # Existing handlers keep working: ClientError, and botocore's own modeled class.
    assert isinstance(error, ClientError)
    assert isinstance(error, getattr(client.boto3_client.exceptions, code))
    assert code in str(error) and "GetDomain" in str(error)
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is cls and again.code == code and again.http_status == status


def test_unmodeled_error_code_uses_the_fallback(fresh_server: LocalServer) -> None:
    fresh_server.respond = lambda request: error_reply("TeapotException", 418, "short and stout")
    with pytest.raises(UnmodeledServiceError) as caught:
        fresh_server.client().list_domains()
    assert caught.value.code == "TeapotException" and caught.value.http_status == 418
    assert isinstance(caught.value, ClientError) and type(caught.value.__cause__) is ClientError
    assert len(fresh_server.requests) == 1


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_errors_are_retried_then_raised_as_the_fallback(status: int, fresh_server: LocalServer) -> None:
    fresh_server.respond = lambda request: Reply(status, b"<html><body>Bad gateway</body></html>",
                                                 {"Content-Type": "text/html"})
    with pytest.raises(UnmodeledServiceError) as caught:
        fresh_server.client().list_domains()
    assert len(fresh_server.requests) == 3
    assert caught.value.http_status == status and caught.value.retry_attempts == 2


def test_throttling_recovers_within_the_retry_budget(fresh_server: LocalServer) -> None:
    replies = iter([error_reply("ThrottlingException", 429), error_reply("ThrottlingException", 429),
                    Reply(200, {"Items": []})])
    fresh_server.respond = lambda request: next(replies)
    result = fresh_server.client().list_domains()
    assert result.items == [] and len(fresh_server.requests) == 3
    assert result.response_metadata is not None and result.response_metadata.retry_attempts == 2


@pytest.mark.parametrize(
    ("config", "attempts"),
    [
        (Config(retries={"mode": "standard", "total_max_attempts": 5}), 5),
        (Config(retries={"mode": "standard", "max_attempts": 1}), 2),  # max_attempts counts retries
        (Config(retries={"mode": "legacy"}), 5),
        (Config(retries={"total_max_attempts": 1}), 1),  # mode stays the SDK default
    ],
)
def test_retry_attempts_follow_the_configured_mode(config: Config, attempts: int, fresh_server: LocalServer) -> None:
    fresh_server.respond = lambda request: error_reply("ThrottlingException", 429)
    with pytest.raises(ThrottlingError) as caught:
        fresh_server.client(config).list_domains()
    assert len(fresh_server.requests) == attempts
    assert caught.value.retry_attempts == attempts - 1


def test_default_retry_mode_is_standard_and_respects_other_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    session = dummy_session()
    assert DEFAULT_RETRY_MODE == "standard"
    assert settings(CustomerProfilesClient(session=session).boto3_client.meta.config).retries == {"mode": "standard"}
    given = CustomerProfilesClient(session=session, config=Config(retries={"max_attempts": 7}, read_timeout=3))
    # botocore normalizes max_attempts (retries) into total_max_attempts (attempts).
    assert settings(given.boto3_client.meta.config).retries == {"total_max_attempts": 8, "mode": "standard"}
    assert settings(given.boto3_client.meta.config).read_timeout == 3
    legacy = CustomerProfilesClient(session=session, config=Config(retries={"mode": "legacy"}))
    assert settings(legacy.boto3_client.meta.config).retries == {"mode": "legacy"}
    monkeypatch.setenv("AWS_RETRY_MODE", "adaptive")
    from_env = CustomerProfilesClient(session=dummy_session())
    assert settings(from_env.boto3_client.meta.config).retries == {"mode": "adaptive"}


def test_a_given_client_is_used_as_it_is() -> None:
    raw = dummy_session().client(
        "customer-profiles", config=Config(retries={"mode": "legacy", "max_attempts": 2})
    )
    retries = dict(settings(raw.meta.config).retries)
    client = CustomerProfilesClient(client=raw)
    assert client.boto3_client is raw
    assert settings(raw.meta.config).retries == retries
    with Stubber(raw) as stub:
        stub.add_response("list_domains", {"Items": []}, {})
        assert client.list_domains().items == []


def test_constructor_rejects_mixed_or_wrong_arguments() -> None:
    session = dummy_session()
    raw = session.client("customer-profiles")
    with pytest.raises(TypeError, match="either client= or region_name"):
        CustomerProfilesClient(client=raw, region_name="eu-west-2")
    with pytest.raises(TypeError, match="boto3 client for 'customer-profiles'"):
        CustomerProfilesClient(client=session.client("s3"))


def test_botocore_session_works_too() -> None:
    import botocore.session

    core = botocore.session.get_session()
    core.set_credentials("a", "b")
    client = CustomerProfilesClient(session=core, region_name="eu-west-2")
    assert client.boto3_client.meta.region_name == "eu-west-2"
    assert "eu-west-2" in repr(client)


def test_connection_refused_is_a_transport_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again below: nothing listens there
    session = dummy_session()
    client = CustomerProfilesClient(
        session=session, endpoint_url=f"http://127.0.0.1:{port}",
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=1),
    )
    with pytest.raises(TransportError) as caught:
        client.list_domains()
    assert isinstance(caught.value, EndpointConnectionError) and isinstance(caught.value, BotoCoreError)
    assert isinstance(caught.value.__cause__, EndpointConnectionError)
    assert not isinstance(caught.value.__cause__, TransportError)


def test_read_timeout_is_a_transport_error(fresh_server: LocalServer) -> None:
    fresh_server.respond = lambda request: Reply(200, {"Items": []}, delay=1.0)
    client = fresh_server.client(Config(retries={"total_max_attempts": 2}, read_timeout=0.2))
    with pytest.raises(TransportError) as caught:
        client.list_domains()
    assert isinstance(caught.value, ReadTimeoutError)
    assert len(fresh_server.requests) == 2  # timeouts are retried like other transient failures


def test_connection_reset_is_a_transport_error(fresh_server: LocalServer) -> None:
    fresh_server.respond = lambda request: Reply(drop=True)
    client = fresh_server.client(Config(retries={"total_max_attempts": 1}))
    with pytest.raises(TransportError):
        client.list_domains()


def test_error_text_never_contains_request_values(fresh_server: LocalServer) -> None:
    secret = "Jane.Doe.Canary@example.com"
    fresh_server.respond = lambda request: error_reply("BadRequestException", 400, "rejected")
    with pytest.raises(BadRequestError) as caught:
        fresh_server.client().search_profiles(domain_name="shop", key_name="_email", values=[secret])
    text = str(caught.value) + repr(caught.value) + repr(caught.value.args)
    assert secret not in text


def test_session_default_client_config_retries_are_kept() -> None:
    import botocore.session

    core = botocore.session.get_session()
    core.set_credentials("a", "b")
    core.set_default_client_config(Config(retries={"mode": "adaptive", "max_attempts": 9}))
    assert settings(CustomerProfilesClient(session=core, region_name="us-east-1").boto3_client.meta.config).retries == {
        "mode": "adaptive", "total_max_attempts": 10}
    core.set_default_client_config(Config(retries={"max_attempts": 6}, read_timeout=7))
    client = CustomerProfilesClient(session=core, region_name="us-east-1")
    assert settings(client.boto3_client.meta.config).retries == {"mode": "standard", "total_max_attempts": 7}
    assert settings(client.boto3_client.meta.config).read_timeout == 7


def test_transport_errors_pickle(fresh_server: LocalServer) -> None:
    fresh_server.respond = lambda request: Reply(200, {"Items": []}, delay=1.0)
    client = fresh_server.client(Config(retries={"total_max_attempts": 1}, read_timeout=0.2))
    with pytest.raises(TransportError) as caught:
        client.list_domains()
    again = pickle.loads(pickle.dumps(caught.value))
    assert isinstance(again, TransportError) and isinstance(again, ReadTimeoutError)
    assert str(again) == str(caught.value)


def test_mixed_error_classes_live_with_botocores_classes_not_in_a_global_table() -> None:
    import gc
    import weakref

    from customer_profiles_sdk import errors

    assert not hasattr(errors, "_MIXED")

    def one_session_error() -> weakref.ref[type]:
        session = dummy_session()
        raw = session.client("customer-profiles")
        with Stubber(raw) as stub:
            stub.add_client_error("list_domains", "ResourceNotFoundException", "m", 404)
            try:
                CustomerProfilesClient(client=raw).list_domains()
            except ResourceNotFoundError as error:
                botocore_class = type(error.__cause__)
        return weakref.ref(botocore_class)

    refs = [one_session_error() for _ in range(3)]
    gc.collect()
    assert [ref() for ref in refs] == [None, None, None]


def test_errors_from_event_handlers_pass_through_unchanged(fresh_server: LocalServer) -> None:
    client = fresh_server.client()

    def handler(**kwargs: Any) -> None:
        raise KeyError("x-trace-id")

    raw = client.boto3_client
    raw.meta.events.register("before-send.customer-profiles.ListDomains", handler)
    try:
        with pytest.raises(KeyError):
            client.list_domains()
    finally:
        raw.meta.events.unregister("before-send.customer-profiles.ListDomains", handler)
    assert fresh_server.requests == []


def test_botocores_reply_dict_is_not_modified() -> None:
    session = dummy_session()
    client = CustomerProfilesClient(session=session)
    reply = {"Items": [], "ResponseMetadata": {"RequestId": "r1", "HTTPStatusCode": 200}}
    with Stubber(client.boto3_client) as stub:
        stub.add_response("list_domains", reply, {})
        result = client.list_domains()
    assert "ResponseMetadata" in reply
    assert result.response_metadata is not None and result.response_metadata.request_id == "r1"


def test_a_non_json_2xx_body_is_an_error(fresh_server: LocalServer) -> None:
    from customer_profiles_sdk import ResponseParseError

    fresh_server.respond = lambda request: Reply(200, b'{"Items": [{"DomainName": "d"', {})
    with pytest.raises(ResponseParseError):
        fresh_server.client().list_domains()
