"""How the emulator is installed and shared: process-wide, nested, per client, across threads."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

import boto3
import boto3.session
import botocore.retries.standard
import pytest
from botocore.config import Config
from botocore.endpoint import Endpoint

from customer_profiles_sdk import CustomerProfilesClient
from customer_profiles_sdk.errors import BadRequestError
from customer_profiles_sdk.local import Emulator, emulated, installed

from .localserver import LocalServer, Reply, dummy_session

ENDPOINT: Any = Endpoint  # _send is private to botocore: not in its type stubs
ORIGINAL_SEND = ENDPOINT._send
STS_ANSWER = (
    '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>'
    "<Arn>arn:aws:iam::210987654321:user/u</Arn><UserId>U</UserId><Account>210987654321</Account>"
    "</GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>"
    "</GetCallerIdentityResponse>"
)


def domains(client: Any) -> list[str]:
    return [item["DomainName"] for item in client.list_domains()["Items"]]


def run_threads(count: int, work: Callable[[int], Any]) -> list[Any]:
    """``work(i)`` for i in range(count), on ``count`` threads started together."""
    barrier = threading.Barrier(count)

    def task(index: int) -> Any:
        barrier.wait()
        return work(index)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(task, range(count)))


# ----------------------------------------------------------------------------- installation


def test_installed_emulator_answers_every_client_made_before_or_after() -> None:
    before = dummy_session().client("customer-profiles")
    with Emulator() as emu:
        assert installed() is emu
        after = dummy_session().client("customer-profiles")
        sdk = CustomerProfilesClient(session=dummy_session())
        before.create_domain(DomainName="a", DefaultExpirationDays=1)
        sdk.create_domain(domain_name="b", default_expiration_days=1)
        assert domains(after) == ["a", "b"]
        assert emu.backend.domain_names() == ["a", "b"]
    assert installed() is None
    assert ENDPOINT._send is ORIGINAL_SEND


def test_after_the_block_requests_go_where_they_went_before(fresh_server: LocalServer) -> None:
    client = fresh_server.raw_client()
    with Emulator():
        client.create_domain(DomainName="a", DefaultExpirationDays=1)
        assert domains(client) == ["a"]
    assert fresh_server.requests == []
    fresh_server.respond = lambda request: Reply(200, {"Items": [{"DomainName": "from-server"}]})
    assert domains(client) == ["from-server"]
    assert [r.path for r in fresh_server.requests] == ["/domains"]


def test_other_services_are_not_intercepted(fresh_server: LocalServer) -> None:
    fresh_server.respond = lambda request: Reply(200, STS_ANSWER, {"Content-Type": "text/xml"})
    sts = dummy_session().client("sts", endpoint_url=fresh_server.url)
    with Emulator():
        assert sts.get_caller_identity()["Account"] == "210987654321"
    assert len(fresh_server.requests) == 1


def test_nested_emulators_innermost_answers() -> None:
    client = dummy_session().client("customer-profiles")
    with Emulator() as outer:
        client.create_domain(DomainName="outer", DefaultExpirationDays=1)
        with Emulator() as inner:
            assert installed() is inner
            assert domains(client) == []
            client.create_domain(DomainName="inner", DefaultExpirationDays=1)
        assert installed() is outer
        assert domains(client) == ["outer"]
    assert (outer.backend.domain_names(), inner.backend.domain_names()) == (["outer"], ["inner"])


def test_uninstalling_out_of_order() -> None:
    first, second = Emulator(), Emulator()
    first.install()
    second.install()
    first.uninstall()
    assert installed() is second
    second.uninstall()
    assert installed() is None
    assert ENDPOINT._send is ORIGINAL_SEND
    second.uninstall()  # twice is harmless
    assert ENDPOINT._send is ORIGINAL_SEND


def test_emulated_context_manager() -> None:
    with emulated(region="eu-west-2", account_id="111122223333") as emu:
        # A boto3 client: its operation methods are made at run time.
        client: Any = boto3.session.Session(aws_access_key_id="k", aws_secret_access_key="s",
                                            region_name="eu-west-2").client("customer-profiles")
        client.create_domain(DomainName="shop", DefaultExpirationDays=1)
        arn = emu.backend.resource_arn("shop", "object-types", "Orders")
        assert arn == "arn:aws:profile:eu-west-2:111122223333:domains/shop/object-types/Orders"
        assert client.list_tags_for_resource(resourceArn=emu.backend.resource_arn("shop"))["tags"] == {}
    assert installed() is None


def test_an_exception_in_the_block_still_uninstalls() -> None:
    with pytest.raises(RuntimeError), Emulator():
        raise RuntimeError("boom")
    assert installed() is None and ENDPOINT._send is ORIGINAL_SEND


# ------------------------------------------------------------------------------- per client


def test_attach_answers_only_that_client(fresh_server: LocalServer) -> None:
    emu = Emulator()
    attached = fresh_server.raw_client()
    other = fresh_server.raw_client()
    emu.attach(attached)
    attached.create_domain(DomainName="shop", DefaultExpirationDays=1)
    assert fresh_server.requests == []
    fresh_server.respond = lambda request: Reply(200, {"Items": []})
    assert domains(other) == []
    assert len(fresh_server.requests) == 1
    emu.detach(attached)
    assert domains(attached) == []  # the server's answer now
    assert len(fresh_server.requests) == 2


def test_an_attached_client_wins_over_the_installed_emulator() -> None:
    mine = Emulator()
    client = mine.client()
    with Emulator() as everyone:
        client.create_domain(domain_name="mine", default_expiration_days=1)
        dummy_session().client("customer-profiles").create_domain(DomainName="global", DefaultExpirationDays=1)
    assert (mine.backend.domain_names(), everyone.backend.domain_names()) == (["mine"], ["global"])


def test_the_emulator_attached_last_answers() -> None:
    first, second = Emulator(), Emulator()
    client = first.boto3_client()
    second.attach(client)
    client.create_domain(DomainName="b", DefaultExpirationDays=1)
    first.attach(client)  # again: now it is the last
    client.create_domain(DomainName="a", DefaultExpirationDays=1)
    first.detach(client)
    assert domains(client) == ["b"]
    assert (first.backend.domain_names(), second.backend.domain_names()) == (["a"], ["b"])


def test_attach_takes_an_sdk_client() -> None:
    emu = Emulator()
    sdk = CustomerProfilesClient(session=dummy_session())
    emu.attach(sdk)
    sdk.create_domain(domain_name="shop", default_expiration_days=1)
    assert emu.backend.domain_names() == ["shop"]


def test_two_emulators_two_states() -> None:
    first, second = Emulator(), Emulator()
    a, b = first.boto3_client(), second.boto3_client()
    a.create_domain(DomainName="shop", DefaultExpirationDays=1)
    b.create_domain(DomainName="shop", DefaultExpirationDays=2)  # no conflict: another account
    a.create_domain(DomainName="only-a", DefaultExpirationDays=1)
    assert (domains(a), domains(b)) == (["only-a", "shop"], ["shop"])
    assert b.get_domain(DomainName="shop")["DefaultExpirationDays"] == 2


def test_emulator_clients_use_the_emulators_region() -> None:
    emu = Emulator(region="ap-southeast-2")
    client = emu.boto3_client()
    assert client.meta.region_name == "ap-southeast-2"
    assert emu.client().boto3_client.meta.region_name == "ap-southeast-2"


# ---------------------------------------------------------------------------------- threads


def test_concurrent_creates_from_many_threads() -> None:
    emu = Emulator()
    shared = emu.boto3_client()
    sdk = emu.client()
    shared.create_domain(DomainName="shop", DefaultExpirationDays=1)

    def work(index: int) -> list[str | None]:
        ids: list[str | None] = []
        for n in range(25):
            if index % 2:
                ids.append(sdk.create_profile(domain_name="shop", account_number=f"{index}-{n}").profile_id)
            else:
                ids.append(shared.create_profile(DomainName="shop", AccountNumber=f"{index}-{n}")["ProfileId"])
        return ids

    results = run_threads(16, work)
    ids = [profile_id for batch in results for profile_id in batch]
    assert len(set(ids)) == len(ids) == 400 and None not in ids
    assert shared.get_domain(DomainName="shop")["Stats"]["ProfileCount"] == 400
    assert emu.backend.calls["CreateProfile"] == 400
    found = shared.search_profiles(DomainName="shop", KeyName="_account", Values=["7-24", "8-0"])["Items"]
    assert len(found) == 2


def test_concurrent_calls_through_the_process_wide_install() -> None:
    client = dummy_session().client("customer-profiles")  # one client, shared by the threads
    with Emulator() as emu:
        client.create_domain(DomainName="shop", DefaultExpirationDays=1)
        run_threads(10, lambda index: [client.create_profile(DomainName="shop", AccountNumber=str(index))
                                       for _ in range(20)])
        assert client.get_domain(DomainName="shop")["Stats"]["ProfileCount"] == 200
        found = client.search_profiles(DomainName="shop", KeyName="_account", Values=["3"], MaxResults=100)
        assert len(found["Items"]) == 20
    assert emu.backend.calls["CreateProfile"] == 200


def test_concurrent_puts_of_one_unique_key_keep_one_object() -> None:
    emu = Emulator()
    client = emu.boto3_client()
    client.create_domain(DomainName="shop", DefaultExpirationDays=1)
    client.put_profile_object_type(
        DomainName="shop", ObjectTypeName="Orders", Description="d", AllowProfileCreation=True,
        Fields={"Id": {"Source": "_source.id", "Target": "_order.Id"},
                "Email": {"Source": "_source.email", "Target": "_profile.EmailAddress"}},
        Keys={"_orderId": [{"StandardIdentifiers": ["UNIQUE"], "FieldNames": ["Id"]}],
              "_email": [{"StandardIdentifiers": ["PROFILE"], "FieldNames": ["Email"]}]})

    def work(index: int) -> set[str]:
        keys = set()
        for n in range(20):
            document = {"id": f"order-{n % 5}", "email": "ann@example.com", "n": index}
            keys.add(client.put_profile_object(DomainName="shop", ObjectTypeName="Orders",
                                               Object=json.dumps(document))["ProfileObjectUniqueKey"])
        return keys

    keys = set().union(*run_threads(12, work))
    assert len(keys) == 5
    stats = client.get_domain(DomainName="shop")["Stats"]
    assert (stats["ProfileCount"], stats["ObjectCount"]) == (1, 5)


def test_concurrent_creates_of_one_domain_name_succeed_once() -> None:
    emu = Emulator()
    sdk = emu.client()

    def work(index: int) -> str:
        try:
            sdk.create_domain(domain_name="shop", default_expiration_days=index + 1)
            return "created"
        except BadRequestError:
            return "refused"

    outcomes = run_threads(10, work)
    assert sorted(outcomes) == ["created"] + ["refused"] * 9


def test_threads_with_nested_installs_do_not_break_the_patch() -> None:
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            for _ in range(20):
                with Emulator() as emu:
                    emu.backend.call("CreateDomain", {"DomainName": "d", "DefaultExpirationDays": 1})
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    run_threads(8, work)
    assert errors == []
    assert installed() is None and ENDPOINT._send is ORIGINAL_SEND


# --------------------------------------------------------------------------- pytest fixtures


def test_the_fixtures(customer_profiles_emulator: Emulator, customer_profiles_client: CustomerProfilesClient) -> None:
    assert installed() is customer_profiles_emulator
    customer_profiles_client.create_domain(domain_name="shop", default_expiration_days=1)
    # the test's own clients reach the same emulator
    plain = dummy_session().client("customer-profiles")
    assert domains(plain) == ["shop"]
    assert customer_profiles_emulator.backend.domain_names() == ["shop"]


def test_the_fixture_is_fresh_per_test(customer_profiles_emulator: Emulator) -> None:
    assert customer_profiles_emulator.backend.domain_names() == []


def test_the_fixture_replaces_real_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    from customer_profiles_sdk import testing

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALKEY")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "real-token")
    monkeypatch.setenv("AWS_PROFILE", "production")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    inner = pytest.MonkeyPatch()
    fixture = getattr(testing.customer_profiles_emulator, "__wrapped__", testing.customer_profiles_emulator)
    generator = fixture(inner)
    try:
        emulator = next(generator)
        assert os.environ["AWS_ACCESS_KEY_ID"] == "emulator"
        assert "AWS_SESSION_TOKEN" not in os.environ and "AWS_PROFILE" not in os.environ
        assert os.environ["AWS_DEFAULT_REGION"] == "eu-west-2"  # a region already set is kept
        plain: Any = boto3.client("customer-profiles")  # operations are added at run time
        assert plain.list_domains()["Items"] == []
        assert emulator.backend.calls == {"ListDomains": 1}
    finally:
        generator.close()
        inner.undo()
    assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIAREALKEY"
    assert os.environ["AWS_SESSION_TOKEN"] == "real-token"


# --------------------------------------------------------------------------- seed and injected errors


def test_a_seed_gives_the_same_ids_in_every_run() -> None:
    def run(seed: int | None) -> list[str]:
        client = Emulator(seed=seed).client()
        client.create_domain(domain_name="d", default_expiration_days=1)
        return [client.create_profile(domain_name="d").profile_id or "" for _ in range(3)]

    first = run(7)
    assert first == run(7)
    assert len(set(first)) == 3 and all(len(i) == 32 for i in first)
    assert run(8) != first
    assert run(None) != run(None)


def test_reset_restarts_the_seeded_ids() -> None:
    emulator = Emulator(seed=1)
    client = emulator.client()
    client.create_domain(domain_name="d", default_expiration_days=1)
    before = client.create_profile(domain_name="d").profile_id
    emulator.reset()
    client.create_domain(domain_name="d", default_expiration_days=1)
    assert client.create_profile(domain_name="d").profile_id == before


def test_an_injected_throttle_is_retried_and_then_succeeds() -> None:
    emulator = Emulator()
    client = emulator.client()
    emulator.fail("ListDomains")
    reply = client.list_domains()
    assert reply.response_metadata is not None and reply.response_metadata.retry_attempts == 1
    assert emulator.backend.calls == {"ListDomains": 1}  # the failed attempt ran nothing


def test_injected_errors_are_typed_and_scoped() -> None:
    from customer_profiles_sdk import AccessDeniedError, ThrottlingError

    emulator = Emulator()
    client = emulator.client(config=Config(retries={"mode": "standard", "total_max_attempts": 2}))
    emulator.fail("CreateDomain", code="AccessDeniedException", status=403, message="denied")
    emulator.fail(times=2)  # any operation, twice: both attempts of the next call
    with pytest.raises(AccessDeniedError) as denied:
        client.create_domain(domain_name="d", default_expiration_days=1)
    assert denied.value.http_status == 403 and denied.value.retry_attempts == 0
    with pytest.raises(ThrottlingError) as throttled:
        client.list_domains()
    assert throttled.value.retry_attempts == 1
    assert client.list_domains().items == []
    assert emulator.backend.calls == {"ListDomains": 1}


def test_clear_faults_and_bad_arguments() -> None:
    emulator = Emulator()
    emulator.fail("ListDomains", times=5)
    emulator.clear_faults()
    assert emulator.client().list_domains().items == []
    with pytest.raises(ValueError):
        emulator.fail(status=200)
    with pytest.raises(ValueError):
        emulator.fail(times=0)
    with pytest.raises(Exception, match="NoSuchOperation"):
        emulator.fail("NoSuchOperation")


# (mode, status, code): retried? -- what Emulator.fail's docstring says, checked. The adaptive
# mode retries as the standard one (a few cases: its rate limiter waits ~2 s after a throttle).
MODES = ("legacy", "standard")
RETRIES: list[tuple[str, int, str, bool]] = [
    (mode, status, code, True)
    for mode in MODES
    for status, code in [(500, "InternalServerException"), (500, "Anything"), (502, "Anything"), (503, "Anything"),
                         (504, "Anything"), (400, "ThrottlingException"), (400, "Throttling"),
                         (429, "ThrottlingException")]
] + [
    # A 429 with an unmodeled code: standard retries it from botocore 1.35 on (ThrottlingStatusCodeChecker).
    (mode, 429, "Anything", mode == "legacy" or hasattr(botocore.retries.standard, "ThrottlingStatusCodeChecker"))
    for mode in MODES
] + [
    (mode, status, code, False)
    for mode in MODES
    for status, code in [(501, "Anything"), (505, "Anything"), (400, "BadRequestException"),
                         (403, "AccessDeniedException"), (404, "ResourceNotFoundException")]
] + [
    (mode, status, code, mode != "legacy")
    for mode in MODES
    for status, code in [(403, "ThrottlingException"), (404, "ThrottlingException"),
                         (400, "TooManyRequestsException"), (403, "RequestLimitExceeded"), (400, "RequestTimeout"),
                         (403, "RequestTimeoutException"), (400, "PriorRequestNotComplete")]
] + [
    (mode, status, code, mode == "legacy")
    for mode in MODES
    for status, code in [(429, "BadRequestException"), (509, "Anything")]
] + [
    ("adaptive", 500, "Anything", True), ("adaptive", 403, "RequestTimeout", True),
    ("adaptive", 501, "Anything", False), ("adaptive", 429, "BadRequestException", False),
    ("adaptive", 509, "Anything", False),
    ("adaptive", 403, "ThrottlingException", True),
]


@pytest.mark.parametrize(("mode", "status", "code", "retried"), RETRIES)
def test_which_injected_errors_botocore_retries(monkeypatch: pytest.MonkeyPatch, mode: str, status: int, code: str,
                                               retried: bool) -> None:
    import types

    import botocore.endpoint
    from botocore.exceptions import ClientError

    monkeypatch.setattr(botocore.endpoint, "time", types.SimpleNamespace(sleep=lambda seconds: None))
    emulator = Emulator()
    client = emulator.boto3_client(Config(retries={"mode": cast(Any, mode), "total_max_attempts": 2}))
    emulator.fail("ListDomains", code=code, status=status)
    if retried:
        assert client.list_domains()["ResponseMetadata"]["RetryAttempts"] == 1
    else:
        with pytest.raises(ClientError) as caught:
            client.list_domains()
        assert (caught.value.response["Error"]["Code"], caught.value.response["ResponseMetadata"]["RetryAttempts"]) == (
            code, 0)


def retries(client: Any) -> Any:
    """The retry settings a boto3 client was made with."""
    return getattr(client.meta.config, "retries")  # noqa: B009 - not in botocore-stubs' Config


def test_the_emulators_clients_retry_in_standard_mode_unless_their_config_says_otherwise() -> None:
    emulator = Emulator()
    assert retries(emulator.boto3_client())["mode"] == "standard"
    assert retries(emulator.client().boto3_client)["mode"] == "standard"
    given = emulator.client(config=Config(retries={"mode": "legacy", "total_max_attempts": 4}))
    assert retries(given.boto3_client) == {"mode": "legacy", "total_max_attempts": 4}


BOGUS_CONFIG = """[default]
region = xx-nowhere-1
retry_mode = bogus
max_attempts = many
endpoint_url = http://127.0.0.1:9
aws_access_key_id = AKIAFROMFILE
"""


@pytest.mark.parametrize("setting", ["profile", "config_file", "environment"])
def test_the_emulators_clients_read_none_of_the_users_aws_configuration(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Any, setting: str) -> None:
    from customer_profiles_sdk.local import _emulator

    monkeypatch.setattr(_emulator, "_sessions", {})  # no session made before the change
    config = tmp_path / "config"
    config.write_text(BOGUS_CONFIG)
    if setting == "profile":
        monkeypatch.setenv("AWS_PROFILE", "doesnotexist")
    elif setting == "config_file":
        monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
        monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(config))
    else:
        for name, value in [("AWS_RETRY_MODE", "bogus"), ("AWS_MAX_ATTEMPTS", "many"), ("AWS_DEFAULT_REGION", "xx-1"),
                            ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"), ("AWS_DEFAULTS_MODE", "bogus")]:
            monkeypatch.setenv(name, value)
    emulator = Emulator(region="eu-west-2")
    plain = emulator.boto3_client()
    sdk = emulator.client()
    assert plain.meta.region_name == sdk.boto3_client.meta.region_name == "eu-west-2"
    assert retries(plain)["mode"] == retries(sdk.boto3_client)["mode"] == "standard"
    plain.create_domain(DomainName="shop", DefaultExpirationDays=1)
    assert sdk.get_domain(domain_name="shop").domain_name == "shop"
    assert plain._request_signer._credentials.access_key == "emulator"
