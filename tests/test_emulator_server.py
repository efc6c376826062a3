"""The emulator over HTTP on 127.0.0.1 (``serve()`` and the ``serve`` CLI), and its pytest plugin."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError

from customer_profiles_sdk import CustomerProfilesClient
from customer_profiles_sdk.local import Emulator, EmulatorServer
from customer_profiles_sdk.models import Address

from .localserver import dummy_session

SESSION = dummy_session()  # one session: each new one loads the service model again


def http_client(url: str, config: Config | None = None) -> Any:
    return SESSION.client("customer-profiles", endpoint_url=url, config=config)


@pytest.fixture
def served() -> Iterator[EmulatorServer]:
    with Emulator().serve() as server:
        yield server


def test_serve_answers_boto3_and_the_sdk(served: EmulatorServer) -> None:
    assert served.url == f"http://127.0.0.1:{served.port}" and served.port > 0
    client = http_client(served.url)
    sdk = CustomerProfilesClient(session=SESSION, endpoint_url=served.url)
    client.create_domain(DomainName="shop", DefaultExpirationDays=1)
    profile_id = sdk.create_profile(domain_name="shop", email_address="ann@example.com",
                                    address=Address(city="Paris")).profile_id
    [profile] = client.search_profiles(DomainName="shop", KeyName="_email", Values=["ann@example.com"])["Items"]
    assert profile == {"ProfileId": profile_id, "EmailAddress": "ann@example.com", "Address": {"City": "Paris"}}
    assert served.emulator.backend.domain_names() == ["shop"]
    # A label with '/' and ':' percent-encoded on the way (the ARN in /tags/{resourceArn}).
    arn = served.emulator.backend.resource_arn("shop")
    client.tag_resource(resourceArn=arn, tags={"a": "1", "b": "2"})
    client.untag_resource(resourceArn=arn, tagKeys=["a"])
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == {"b": "2"}
    # Query-string members: max-results and next-token.
    for name in ("d1", "d2"):
        client.create_domain(DomainName=name, DefaultExpirationDays=1)
    page = client.list_domains(MaxResults=2)
    rest = client.list_domains(MaxResults=2, NextToken=page["NextToken"])
    assert [d["DomainName"] for d in page["Items"] + rest["Items"]] == ["d1", "d2", "shop"]


def test_errors_over_http(served: EmulatorServer) -> None:
    client = http_client(served.url, Config(retries={"mode": "standard"}))
    served.emulator.fail("GetMatches", code="NotImplementedByEmulator", status=501)  # every operation is modelled
    calls: list[tuple[Callable[[], Any], str, int]] = [
        (lambda: client.get_domain(DomainName="nope"), "ResourceNotFoundException", 404),
        (lambda: client.create_domain(DomainName="x" * 65, DefaultExpirationDays=1), "BadRequestException", 400),
        (lambda: client.get_matches(DomainName="nope"), "NotImplementedByEmulator", 501),
    ]
    for call, code, status in calls:
        with pytest.raises(ClientError) as caught:
            call()
        response = caught.value.response
        assert (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]) == (code, status)
        assert response["ResponseMetadata"]["RetryAttempts"] == 0


CANARY = "canary-5e1f0"


def test_a_bug_in_the_emulator_is_a_500_logged_without_its_message(
        served: EmulatorServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    def broken(params: dict[str, Any]) -> dict[str, Any]:
        message = f"a value from the request: {CANARY}"  # not in the source line the frame shows
        raise KeyError(message)

    monkeypatch.setitem(served.emulator.backend._handlers, "ListDomains", broken)
    client = http_client(served.url, Config(retries={"mode": "standard", "total_max_attempts": 2}))
    with caplog.at_level("ERROR", logger="customer_profiles_sdk.local._emulator"), pytest.raises(ClientError) as caught:
        client.list_domains()
    response = caught.value.response
    assert (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]) == (
        "InternalServerException", 500)
    assert response["ResponseMetadata"]["RetryAttempts"] == 1  # a 500 is retried, as from AWS
    assert CANARY not in json.dumps(response, default=str)
    # The log says which operation failed, the exception's type and where: never its message.
    [first, _] = [r for r in caplog.records if r.name == "customer_profiles_sdk.local._emulator"]
    assert CANARY not in caplog.text and first.exc_info is None
    text = first.getMessage()
    assert "ListDomains" in text and "KeyError" in text and "in broken" in text and "raise KeyError(message)" in text


def raw_exchange(server: EmulatorServer, request: bytes) -> tuple[bytes, bytes]:
    """Send ``request`` on a new connection: (the answer's status line, all the server sent
    before it closed the connection)."""
    with socket.create_connection((server.host, server.port), timeout=5) as connection:
        connection.sendall(request)
        received = b""
        while chunk := connection.recv(65536):  # b"": the server closed the connection
            received += chunk
    return received.split(b"\r\n", 1)[0], received


@pytest.mark.parametrize(("headers", "status"), [
    (b"Content-Length: abc\r\n", b"400"),
    (b"Content-Length: -1\r\n", b"400"),
    (b"Content-Length: 1e3\r\n", b"400"),
    (b"Content-Length: 2\r\nContent-Length: 3\r\n", b"400"),
    (b"Content-Length: 99999999999\r\n", b"413"),
    (b"Transfer-Encoding: chunked\r\n", b"411"),
    (b"Transfer-Encoding: chunked\r\nContent-Length: 2\r\n", b"411"),
])
def test_malformed_framing_is_answered_and_the_connection_closed(served: EmulatorServer, headers: bytes,
                                                                 status: bytes) -> None:
    # The body would be another request if the server read on: the connection is closed instead.
    body = b'2\r\n{}\r\n0\r\n\r\nGET /domains HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n'
    request = b"POST /domains/shop HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n" + body
    line, received = raw_exchange(served, request)
    assert line.split(b" ")[1] == status
    assert received.count(b"HTTP/1.1 ") == 1 and b"Connection: close" in received
    assert served.emulator.backend.domain_names() == [] and served.emulator.backend.calls == {}
    assert http_client(served.url).list_domains()["Items"] == []  # the server goes on serving


def test_a_well_framed_raw_request_and_a_kept_alive_connection(served: EmulatorServer) -> None:
    body = b'{"DefaultExpirationDays": 3}'
    first = b"POST /domains/shop HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    second = b"GET /domains HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    line, received = raw_exchange(served, first + second)
    assert line == b"HTTP/1.1 200 OK" and received.count(b"HTTP/1.1 200 OK") == 2
    assert served.emulator.backend.domain_names() == ["shop"]


def test_raw_http_requests(served: EmulatorServer) -> None:
    request = urllib.request.Request(f"{served.url}/domains/shop", data=b'{"DefaultExpirationDays": 3}',
                                     method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as answer:
        assert answer.status == 200
        assert json.loads(answer.read())["DefaultExpirationDays"] == 3
    request = urllib.request.Request(f"{served.url}/domains/shop", method="PATCH")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request)
    assert caught.value.code == 405
    assert caught.value.headers["x-amzn-ErrorType"] == "MethodNotAllowedException"


def test_many_clients_at_once_over_http(served: EmulatorServer) -> None:
    client = http_client(served.url, Config(max_pool_connections=12))  # boto3 clients are thread-safe
    client.create_domain(DomainName="shop", DefaultExpirationDays=1)
    barrier = threading.Barrier(12)
    ids: list[str] = []
    lock = threading.Lock()

    def work() -> None:
        barrier.wait()
        for _ in range(10):
            profile_id = client.create_profile(DomainName="shop", AccountNumber="same")["ProfileId"]
            with lock:
                ids.append(profile_id)

    threads = [threading.Thread(target=work) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(set(ids)) == len(ids) == 120
    assert client.get_domain(DomainName="shop")["Stats"]["ProfileCount"] == 120
    found = client.search_profiles(DomainName="shop", KeyName="_account", Values=["same"], MaxResults=100)
    assert len(found["Items"]) == 100 and found["NextToken"]


def test_closing_stops_the_server_and_its_open_connections() -> None:
    server = Emulator().serve()
    client = http_client(server.url, Config(retries={"total_max_attempts": 1}, connect_timeout=2, read_timeout=2))
    assert client.list_domains()["Items"] == []  # the client keeps this connection open
    server.close()
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{server.url}/domains", timeout=2)
    with pytest.raises((EndpointConnectionError, ConnectionClosedError)):  # refused, not answered
        client.list_domains()


# ------------------------------------------------------------------------------------- the CLI


def _environment() -> dict[str, str]:
    """The environment of a child process: no AWS configuration at all, the repo importable."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env["AWS_CONFIG_FILE"] = env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    return env


def test_the_serve_command() -> None:
    command = [sys.executable, "-m", "customer_profiles_sdk.local", "serve", "--port", "0",
               "--region", "eu-west-1", "--account-id", "111122223333"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_environment())
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"listening on (http://127\.0\.0\.1:(\d+))$", line.strip())
        assert match, line
        assert int(match.group(2)) > 0
        client = http_client(match.group(1))
        client.create_domain(DomainName="shop", DefaultExpirationDays=7)
        assert client.get_domain(DomainName="shop")["DefaultExpirationDays"] == 7
        arn = "arn:aws:profile:eu-west-1:111122223333:domains/shop"
        client.tag_resource(resourceArn=arn, tags={"k": "v"})
        assert client.list_tags_for_resource(resourceArn=arn)["tags"] == {"k": "v"}
    finally:
        process.terminate()
        process.wait(10)
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()
        process.stderr.close()


def test_the_cli_reports_a_port_in_use(capsys: pytest.CaptureFixture[str]) -> None:
    from customer_profiles_sdk.local.__main__ import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 1
    assert capsys.readouterr().err.startswith(f"cannot listen on 127.0.0.1:{port}: ")


def test_the_cli_refuses_unknown_commands() -> None:
    from customer_profiles_sdk.local.__main__ import main

    with pytest.raises(SystemExit) as caught:
        main(["nothing"])
    assert caught.value.code == 2
    with pytest.raises(SystemExit) as caught:
        main([])
    assert caught.value.code == 2


# ----------------------------------------------------------------------------- the pytest plugin

PLUGIN_TEST = '''
import boto3

from customer_profiles_sdk import CustomerProfilesClient


def test_with_the_typed_client(customer_profiles_client, customer_profiles_emulator):
    customer_profiles_client.create_domain(domain_name="shop", default_expiration_days=1)
    # clients the code under test makes itself: the fixture gave them dummy credentials and a
    # region (this process has no AWS configuration at all)
    plain = boto3.client("customer-profiles")
    assert [d["DomainName"] for d in plain.list_domains()["Items"]] == ["shop"]
    assert CustomerProfilesClient().get_domain(domain_name="shop").domain_name == "shop"
    assert customer_profiles_emulator.backend.domain_names() == ["shop"]


def test_state_does_not_leak(customer_profiles_client):
    assert customer_profiles_client.list_domains().items == []


def test_the_environment_is_restored():
    import os

    assert not [name for name in os.environ if name.startswith("AWS_") and name not in (
        "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_EC2_METADATA_DISABLED")]
'''


@pytest.mark.slow  # a pytest child process, about 3 s: .ci/run runs it
def test_the_fixtures_reach_a_project_outside_this_repo(tmp_path: Path) -> None:
    """Installed SDK -> the pytest11 entry point -> the fixtures, with no conftest anywhere."""
    from importlib.metadata import entry_points

    assert [e.value for e in entry_points(group="pytest11") if e.name == "customer_profiles_sdk"] == [
        "customer_profiles_sdk.testing"]
    (tmp_path / "test_uses_fixtures.py").write_text(PLUGIN_TEST)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")  # this directory is the rootdir
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_uses_fixtures.py"],
        cwd=tmp_path, env=_environment(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout
