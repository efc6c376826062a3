"""The emulator's BatchPutProfileObject (per-item outcomes) and its per-operation rate limits."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from customer_profiles_sdk import CustomerProfilesClient
from customer_profiles_sdk.errors import PartialFailureError, ThrottlingError
from customer_profiles_sdk.local import Emulator
from customer_profiles_sdk.models import BatchPutProfileObjectRequestItem

from .localserver import dummy_session

SESSION = dummy_session()


def plain_client(**kwargs: Any) -> Any:
    """A plain boto3 client (no SDK hooks) that loads the model shipped in the package: botocore
    before 1.43.17 has no BatchPutProfileObject in its own model."""
    from customer_profiles_sdk._compat import private_session

    return private_session(SESSION).create_client("customer-profiles", **kwargs)
CANARY = "canary-7c41d"  # put in every object: it must never come back in a message
NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})
BATCH_PATH = "/domains/shop/profiles/objects/batch-put-profile-object"

FIELDS = {
    "OrderId": {"Source": "_source.id", "Target": "_order.OrderId"},
    "Email": {"Source": "_source.email", "Target": "_profile.EmailAddress"},
}
KEYS = {
    "_orderId": [{"StandardIdentifiers": ["UNIQUE"], "FieldNames": ["OrderId"]}],
    "_email": [{"StandardIdentifiers": ["PROFILE"], "FieldNames": ["Email"]}],
}


def prepared(emulator: Emulator, **config: Any) -> Any:
    """A plain boto3 client (it sends what it is given: no max-length checks) on a domain "shop"
    with an object type "Orders" whose UNIQUE key is the order id."""
    client = emulator.boto3_client(Config(**config) if config else None)
    client.create_domain(DomainName="shop", DefaultExpirationDays=365)
    client.put_profile_object_type(DomainName="shop", ObjectTypeName="Orders", Description="d",
                                   AllowProfileCreation=True, Fields=FIELDS, Keys=KEYS)
    return client


def order(n: int, **extra: Any) -> str:
    return json.dumps({"id": f"o{n}", "email": f"c{n}@example.com", "note": CANARY, **extra})


def object_count(client: Any) -> int:
    return int(client.get_domain(DomainName="shop")["Stats"]["ObjectCount"])


# The mix: (id, object text, expected HTTP code of the item or None for success).
BIG_CHARS = json.dumps({"id": "big", "note": CANARY, "pad": "x" * 256_000})  # > 256,000 characters
# 256,000 characters or fewer, but more than 250 KB (256,000 bytes) of UTF-8.
BIG_BYTES = json.dumps({"id": "wide", "note": CANARY, "pad": "é" * 200_000}, ensure_ascii=False)
MIX: list[tuple[str, str, int | None]] = [
    ("good-1", order(1), None),
    ("not-json", '{"id": "o9", "note": "' + CANARY + '"', 400),
    ("a-list", json.dumps([CANARY, 1]), 400),
    ("a-string", json.dumps(CANARY), 400),
    ("good-2", order(2), None),
    ("too-many-chars", BIG_CHARS, 400),
    ("too-many-bytes", BIG_BYTES, 400),
    ("nan", '{"id": "o8", "note": "' + CANARY + '", "n": NaN}', 400),
    ("no-key-fields", json.dumps({"note": CANARY}), None),  # stored, under a generated key
    ("good-3", order(3), None),
]


def test_a_mixed_batch_has_an_outcome_per_item_in_order() -> None:
    assert len(BIG_BYTES) <= 256_000 < len(BIG_BYTES.encode("utf-8"))
    emulator = Emulator(seed=1)
    client = prepared(emulator)
    response = client.batch_put_profile_object(
        DomainName="shop", ObjectTypeName="Orders", Items=[{"Id": i, "Object": o} for i, o, _ in MIX])
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    good = [i for i, _, code in MIX if code is None]
    bad = [(i, code) for i, _, code in MIX if code is not None]
    assert [s["Id"] for s in response["Successful"]] == good
    assert [(f["Id"], f["Code"]) for f in response["Failed"]] == bad
    for failure in response["Failed"]:
        assert 200 <= failure["Code"] <= 599 and 1 <= len(failure["Message"]) <= 1000
        assert CANARY not in failure["Message"] and "Object" in failure["Message"]
    messages = {f["Id"]: f["Message"] for f in response["Failed"]}
    assert "not valid JSON" in messages["not-json"]
    assert "must be a JSON object" in messages["a-list"] == messages["a-string"]
    assert "256000" in messages["too-many-chars"] and "max_length" in messages["too-many-chars"]
    assert "250 KB" in messages["too-many-bytes"]
    assert "not valid JSON" in messages["nan"]
    assert all(s["ProfileObjectUniqueKey"] for s in response["Successful"])
    assert object_count(client) == len(good)
    assert emulator.backend.calls.get("PutProfileObject") is None  # one batch call, counted once
    assert emulator.backend.calls["BatchPutProfileObject"] == 1


def test_each_item_has_exactly_put_profile_objects_outcome() -> None:
    batched, single = Emulator(seed=7), Emulator(seed=7)
    batch_client, single_client = prepared(batched), prepared(single)
    response = batch_client.batch_put_profile_object(
        DomainName="shop", ObjectTypeName="Orders", Items=[{"Id": i, "Object": o} for i, o, _ in MIX])
    outcomes = {s["Id"]: ("ok", s["ProfileObjectUniqueKey"]) for s in response["Successful"]}
    outcomes.update({f["Id"]: ("failed", f["Code"]) for f in response["Failed"]})
    for item_id, text, _ in MIX:
        try:
            key = single_client.put_profile_object(DomainName="shop", ObjectTypeName="Orders", Object=text)
            expected: tuple[str, Any] = ("ok", key["ProfileObjectUniqueKey"])
        except ClientError as error:
            expected = ("failed", error.response["ResponseMetadata"]["HTTPStatusCode"])
        assert outcomes[item_id] == expected, item_id
    # The same profiles and objects, found the same way.
    for client in (batch_client, single_client):
        assert object_count(client) == len([i for i, _, code in MIX if code is None]) == 4
        assert client.get_domain(DomainName="shop")["Stats"]["ProfileCount"] == 4
    found = [c.search_profiles(DomainName="shop", KeyName="_email", Values=["c2@example.com"])["Items"]
             for c in (batch_client, single_client)]
    assert len(found[0]) == len(found[1]) == 1 and found[0][0]["ProfileId"] == found[1][0]["ProfileId"]


def test_the_same_unique_key_twice_in_one_batch_replaces_in_order() -> None:
    emulator = Emulator()
    client = prepared(emulator)
    first, second = order(1, version=1), order(1, version=2)
    response = client.batch_put_profile_object(
        DomainName="shop", ObjectTypeName="Orders", Items=[{"Id": "a", "Object": first}, {"Id": "b", "Object": second}])
    keys = [s["ProfileObjectUniqueKey"] for s in response["Successful"]]
    assert [s["Id"] for s in response["Successful"]] == ["a", "b"] and keys[0] == keys[1]
    assert response["Failed"] == [] and object_count(client) == 1
    [profile] = client.search_profiles(DomainName="shop", KeyName="_email", Values=["c1@example.com"])["Items"]
    [stored] = client.list_profile_objects(DomainName="shop", ObjectTypeName="Orders",
                                           ProfileId=profile["ProfileId"])["Items"]
    assert json.loads(stored["Object"])["version"] == 2  # the later item wins


@pytest.mark.parametrize("count", [1, 10])
def test_one_to_ten_items_are_accepted(count: int) -> None:
    emulator = Emulator()
    client = prepared(emulator)
    items = [{"Id": f"i{n}", "Object": order(n)} for n in range(count)]
    response = client.batch_put_profile_object(DomainName="shop", ObjectTypeName="Orders", Items=items)
    assert [s["Id"] for s in response["Successful"]] == [f"i{n}" for n in range(count)]
    assert object_count(client) == count


def test_an_injected_error_fails_the_whole_batch_and_changes_nothing() -> None:
    emulator = Emulator()
    client = prepared(emulator, retries={"mode": "standard", "total_max_attempts": 1})
    emulator.fail("BatchPutProfileObject", code="InternalServerException", status=500)
    items = [{"Id": "a", "Object": order(1)}]
    with pytest.raises(ClientError) as caught:
        client.batch_put_profile_object(DomainName="shop", ObjectTypeName="Orders", Items=items)
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500 and object_count(client) == 0
    emulator.fail("BatchPutProfileObject", code="InternalServerException", status=500)
    retried = emulator.boto3_client()  # standard retries: the second attempt runs the batch
    response = retried.batch_put_profile_object(DomainName="shop", ObjectTypeName="Orders", Items=items)
    assert response["ResponseMetadata"]["RetryAttempts"] == 1 and [s["Id"] for s in response["Successful"]] == ["a"]
    assert object_count(client) == 1


def raw_batch(emulator: Emulator, body: Any, path: str = BATCH_PATH) -> tuple[int, str, dict[str, Any]]:
    """Send a batch body as any client could: (status, error code or "", JSON answer)."""
    status, headers, data = emulator.handle("PUT", path, json.dumps(body))
    return status, headers.get("x-amzn-ErrorType", ""), json.loads(data)


@pytest.mark.parametrize(("body", "status", "code", "words"), [
    ({"ObjectTypeName": "Orders", "Items": []}, 400, "BadRequestException", "Items"),
    ({"ObjectTypeName": "Orders", "Items": [{"Id": f"i{n}", "Object": order(n)} for n in range(11)]},
     400, "BadRequestException", "at most 10"),
    ({"ObjectTypeName": "Orders"}, 400, "BadRequestException", "Items"),
    ({"ObjectTypeName": "Orders", "Items": [{"Object": order(1)}]}, 400, "BadRequestException", "Id"),
    ({"ObjectTypeName": "Orders", "Items": [{"Id": "i1"}]}, 400, "BadRequestException", "Object"),
    ({"ObjectTypeName": "Orders", "Items": [{"Id": "i1", "Object": 5}]}, 400, "BadRequestException", "Object"),
    ({"ObjectTypeName": "Orders", "Items": [{"Id": CANARY + " !", "Object": order(1)}]},
     400, "BadRequestException", "Id"),
    ({"ObjectTypeName": "Orders", "Items": [{"Id": "same", "Object": order(1)}, {"Id": "same", "Object": order(2)}]},
     400, "BadRequestException", "Id"),
    ({"ObjectTypeName": "Orders", "Items": "nope"}, 400, "BadRequestException", "Items"),
    ({"ObjectTypeName": "Nope", "Items": [{"Id": "i1", "Object": order(1)}]},
     404, "ResourceNotFoundException", "Object type"),
    ({"ObjectTypeName": "bad name!", "Items": [{"Id": "i1", "Object": order(1)}]},
     400, "BadRequestException", "ObjectTypeName"),
])
def test_whole_call_errors_change_nothing(body: dict[str, Any], status: int, code: str, words: str) -> None:
    emulator = Emulator()
    client = prepared(emulator)
    got = raw_batch(emulator, body)
    assert got[:2] == (status, code), got
    assert words in got[2]["Message"] and CANARY not in got[2]["Message"]
    assert "Successful" not in got[2] and object_count(client) == 0


def test_an_unknown_domain_is_a_404() -> None:
    emulator = Emulator()
    prepared(emulator)
    got = raw_batch(emulator, {"ObjectTypeName": "Orders", "Items": [{"Id": "i1", "Object": order(1)}]},
                    path="/domains/other/profiles/objects/batch-put-profile-object")
    assert got[:2] == (404, "ResourceNotFoundException")
    assert emulator.backend.calls.get("BatchPutProfileObject") == 1


def test_an_empty_object_is_an_item_failure() -> None:
    emulator = Emulator()
    client = prepared(emulator)
    got = raw_batch(emulator, {"ObjectTypeName": "Orders", "Items": [{"Id": "e", "Object": ""},
                                                                       {"Id": "g", "Object": order(1)}]})
    assert got[0] == 200
    assert [(f["Id"], f["Code"]) for f in got[2]["Failed"]] == [("e", 400)]
    assert "min_length" in got[2]["Failed"][0]["Message"]
    assert [s["Id"] for s in got[2]["Successful"]] == ["g"] and object_count(client) == 1


def test_nothing_of_the_objects_comes_back_in_the_answer() -> None:
    emulator = Emulator()
    prepared(emulator)
    bad = [{"Id": f"b{n}", "Object": text} for n, (_, text, code) in enumerate(MIX) if code is not None]
    status, _, data = emulator.handle("PUT", BATCH_PATH, json.dumps({"ObjectTypeName": "Orders", "Items": bad}))
    assert status == 200 and CANARY.encode() not in data and b"\xc3\xa9" not in data and b"xxxx" not in data


def test_the_typed_client_reads_the_outcomes() -> None:
    emulator = Emulator()
    prepared(emulator)
    client = emulator.client()
    items = [BatchPutProfileObjectRequestItem(id="ok", object=order(1)),
             BatchPutProfileObjectRequestItem(id="bad", object=json.dumps([CANARY]))]
    result = client.batch_put_profile_object(domain_name="shop", object_type_name="Orders", items=items,
                                             allow_partial=True)
    assert [s.id for s in result.successful or []] == ["ok"]
    assert [(f.id, f.code) for f in result.failed or []] == [("bad", 400)]
    with pytest.raises(PartialFailureError) as caught:
        client.batch_put_profile_object(domain_name="shop", object_type_name="Orders", items=items)
    assert CANARY not in str(caught.value)


def test_a_batch_over_http() -> None:
    emulator = Emulator()
    prepared(emulator)
    with emulator.serve() as server:
        client = plain_client(endpoint_url=server.url)
        response = client.batch_put_profile_object(
            DomainName="shop", ObjectTypeName="Orders", Items=[{"Id": i, "Object": o} for i, o, _ in MIX])
    assert [s["Id"] for s in response["Successful"]] == [i for i, _, c in MIX if c is None]
    assert [f["Id"] for f in response["Failed"]] == [i for i, _, c in MIX if c is not None]
    assert emulator.backend.calls["BatchPutProfileObject"] == 1


# ------------------------------------------------------------------------------- rate limits


class FakeClock:
    """Seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def throttled(call: Any) -> bool:
    try:
        call()
    except ClientError as error:
        response = error.response
        assert (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]) == (
            "ThrottlingException", 429)
        return True
    return False


def test_a_rate_limit_throttles_above_the_rate_and_recovers() -> None:
    clock = FakeClock()
    emulator = Emulator(rate_limits={"GetDomain": 2}, rate_clock=clock)
    client = emulator.boto3_client(NO_RETRIES)
    client.create_domain(DomainName="shop", DefaultExpirationDays=1)
    results = [throttled(lambda: client.get_domain(DomainName="shop")) for _ in range(10)]
    assert results == [False] + [True] * 9  # 2 calls/s: a burst of one
    clock.advance(0.25)
    assert throttled(lambda: client.get_domain(DomainName="shop"))  # half a token
    clock.advance(0.25)
    assert not throttled(lambda: client.get_domain(DomainName="shop"))
    clock.advance(3600)  # a long wait fills the bucket to its burst only
    assert [throttled(lambda: client.get_domain(DomainName="shop")) for _ in range(3)] == [False, True, True]
    assert emulator.throttled == {"GetDomain": 12}
    assert emulator.backend.calls["GetDomain"] == 3


def test_the_burst_is_a_tenth_of_a_second() -> None:
    clock = FakeClock()
    emulator = Emulator(rate_limits={"ListDomains": 100}, rate_clock=clock)
    client = emulator.boto3_client(NO_RETRIES)
    assert sum(throttled(client.list_domains) for _ in range(25)) == 15  # 10 pass at once
    clock.advance(0.05)
    assert sum(not throttled(client.list_domains) for _ in range(10)) == 5
    # Over 10 seconds of steady calls, at most the rate plus the burst pass.
    passed = 0
    for _ in range(2000):
        clock.advance(0.005)
        passed += not throttled(client.list_domains)
    assert passed == 1000


def test_a_throttled_call_changes_nothing() -> None:
    clock = FakeClock()
    emulator = Emulator(rate_limits={"PutProfileObject": 1, "BatchPutProfileObject": 1}, rate_clock=clock)
    client = prepared(emulator, retries={"mode": "standard", "total_max_attempts": 1})
    client.put_profile_object(DomainName="shop", ObjectTypeName="Orders", Object=order(1))
    emulator.fail("PutProfileObject", code="InternalServerException", status=500)
    assert throttled(lambda: client.put_profile_object(DomainName="shop", ObjectTypeName="Orders", Object=order(2)))
    batch = [{"Id": "a", "Object": order(3)}]
    assert not throttled(lambda: client.batch_put_profile_object(DomainName="shop", ObjectTypeName="Orders",
                                                                 Items=batch))
    assert throttled(lambda: client.batch_put_profile_object(DomainName="shop", ObjectTypeName="Orders",
                                                             Items=[*batch, {"Id": "b", "Object": order(4)}]))
    assert object_count(client) == 2  # orders 1 and 3
    assert emulator.backend.calls["PutProfileObject"] == 1 and emulator.backend.calls["BatchPutProfileObject"] == 1
    assert emulator.throttled == {"PutProfileObject": 1, "BatchPutProfileObject": 1}
    clock.advance(1)
    # The injected fault was not used by the throttled call: the next admitted call gets it.
    with pytest.raises(ClientError) as caught:
        client.put_profile_object(DomainName="shop", ObjectTypeName="Orders", Object=order(2))
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert object_count(client) == 2


def test_limits_are_per_operation_and_can_change() -> None:
    clock = FakeClock()
    emulator = Emulator(rate_limits={"GetDomain": 1}, rate_clock=clock)
    client = emulator.boto3_client(NO_RETRIES)
    client.create_domain(DomainName="shop", DefaultExpirationDays=1)
    assert not throttled(lambda: client.get_domain(DomainName="shop"))
    assert throttled(lambda: client.get_domain(DomainName="shop"))
    assert not any(throttled(client.list_domains) for _ in range(50))  # no limit of its own
    emulator.set_rate_limit("GetDomain", None)
    assert not any(throttled(lambda: client.get_domain(DomainName="shop")) for _ in range(5))
    emulator.set_rate_limit("ListDomains", 1)
    assert [throttled(client.list_domains) for _ in range(2)] == [False, True]
    assert emulator.rate_limits == {"ListDomains": 1.0}


def test_the_sdk_retries_a_throttled_call_and_raises_its_typed_error() -> None:
    clock = FakeClock()
    emulator = Emulator(rate_limits={"GetDomain": 1}, rate_clock=clock)
    client = emulator.client()
    client.create_domain(domain_name="shop", default_expiration_days=1)
    client.get_domain(domain_name="shop")
    with pytest.raises(ThrottlingError) as caught:
        client.get_domain(domain_name="shop")
    assert caught.value.http_status == 429 and caught.value.retry_attempts == 2  # standard: 3 attempts
    assert emulator.throttled == {"GetDomain": 3}


@pytest.mark.parametrize(("limits", "words"), [
    ({"PutProfileObjects": 100}, "PutProfileObjects"),
    ({"": 1}, "operation"),
    ({"PutProfileObject": 0}, "positive"),
    ({"PutProfileObject": -5}, "positive"),
    ({"PutProfileObject": math.nan}, "positive"),
    ({"PutProfileObject": math.inf}, "finite"),
    ({"PutProfileObject": "100"}, "number"),
    ({"PutProfileObject": True}, "number"),
    ({"PutProfileObject": None}, "number"),
])
def test_rate_limit_settings_are_checked(limits: dict[str, Any], words: str) -> None:
    with pytest.raises(ValueError, match=re.escape(words)):
        Emulator(rate_limits=limits)
    emulator = Emulator()
    [(name, rate)] = limits.items()
    if rate is not None:
        with pytest.raises(ValueError, match=re.escape(words)):
            emulator.set_rate_limit(name, rate)


def test_a_rate_limit_over_http() -> None:
    clock = FakeClock()
    emulator = Emulator(rate_limits={"BatchPutProfileObject": 2}, rate_clock=clock)
    prepared(emulator)
    with emulator.serve() as server:
        client = plain_client(endpoint_url=server.url, config=NO_RETRIES)

        def put(n: int) -> Any:
            return client.batch_put_profile_object(DomainName="shop", ObjectTypeName="Orders",
                                                   Items=[{"Id": "a", "Object": order(n)}])

        assert [throttled(lambda n=n: put(n)) for n in range(6)] == [False] + [True] * 5
        clock.advance(0.5)
        assert not throttled(lambda: put(10))
        assert object_count(client) == 2


def test_threads_share_one_bucket_over_http() -> None:
    clock = FakeClock()  # never moves: exactly one burst passes, whatever the interleaving
    emulator = Emulator(rate_limits={"ListDomains": 100}, rate_clock=clock)
    outcomes: list[bool] = []
    lock = threading.Lock()
    with emulator.serve() as server:
        client = plain_client(endpoint_url=server.url,
                                config=Config(retries={"total_max_attempts": 1}, max_pool_connections=8))

        def work() -> None:
            for _ in range(10):
                result = throttled(client.list_domains)
                with lock:
                    outcomes.append(result)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert len(outcomes) == 40 and outcomes.count(False) == 10
    assert emulator.throttled == {"ListDomains": 30} and emulator.backend.calls["ListDomains"] == 10


# ----------------------------------------------------------------------------- the serve command


def _environment() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env["AWS_CONFIG_FILE"] = env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    return env


@pytest.fixture
def served_cli() -> Iterator[str]:
    command = [sys.executable, "-m", "customer_profiles_sdk.local", "serve", "--port", "0",
               "--rate-limit", "GetDomain=0.001", "--rate-limit", "ListDomains=20"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_environment())
    try:
        assert process.stdout is not None
        match = re.search(r"listening on (http://127\.0\.0\.1:\d+)$", process.stdout.readline().strip())
        assert match
        yield match.group(1)
    finally:
        process.terminate()
        process.wait(10)
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()
        process.stderr.close()


def test_the_serve_command_limits_rates(served_cli: str) -> None:
    client = plain_client(endpoint_url=served_cli, config=NO_RETRIES)
    client.create_domain(DomainName="shop", DefaultExpirationDays=1)  # no limit
    client.create_domain(DomainName="shop2", DefaultExpirationDays=1)
    assert not throttled(lambda: client.get_domain(DomainName="shop"))
    assert throttled(lambda: client.get_domain(DomainName="shop"))  # the next token is 1,000 s away
    assert not throttled(client.list_domains)
    time.sleep(0.1)  # two tokens' time at 20/s: the bucket holds one again whatever happened before
    assert not throttled(client.list_domains)


@pytest.mark.parametrize(("argument", "words"), [
    ("Nope=5", "Nope"),
    ("PutProfileObject=0", "positive"),
    ("PutProfileObject=-1", "positive"),
    ("PutProfileObject=nan", "positive"),
    ("PutProfileObject=inf", "finite"),
    ("PutProfileObject=abc", "number"),
    ("PutProfileObject", "OP=TPS"),
    ("=5", "OP=TPS"),
])
def test_the_serve_command_checks_rate_limits(argument: str, words: str, capsys: pytest.CaptureFixture[str]) -> None:
    from customer_profiles_sdk.local.__main__ import main

    with pytest.raises(SystemExit) as caught:
        main(["serve", "--port", "0", "--rate-limit", argument])
    assert caught.value.code == 2
    assert words in capsys.readouterr().err


def test_the_serve_command_refuses_a_repeated_operation(capsys: pytest.CaptureFixture[str]) -> None:
    from customer_profiles_sdk.local.__main__ import main

    with pytest.raises(SystemExit) as caught:
        main(["serve", "--port", "0", "--rate-limit", "GetDomain=1", "--rate-limit", "GetDomain=2"])
    assert caught.value.code == 2
    assert "GetDomain" in capsys.readouterr().err


def test_the_typed_client_over_a_limited_emulator_is_not_affected_by_other_operations() -> None:
    clock = FakeClock()
    emulator = Emulator(rate_limits={"SearchProfiles": 1}, rate_clock=clock)
    client: CustomerProfilesClient = emulator.client(NO_RETRIES)
    client.create_domain(domain_name="shop", default_expiration_days=1)
    for _ in range(20):
        client.get_domain(domain_name="shop")
    assert emulator.throttled == {}


# -- item faults (Emulator.fail_items) -----------------------------------------------------------


def _put(client: Any, *numbers: int) -> Any:
    return client.batch_put_profile_object(
        DomainName="shop", ObjectTypeName="Orders",
        Items=[{"Id": f"i{n}", "Object": order(n)} for n in numbers])


def test_an_item_fault_fails_only_the_matching_items_and_puts_the_others() -> None:
    emulator = Emulator()
    client = prepared(emulator, retries={"mode": "standard", "total_max_attempts": 1})
    emulator.fail_items(lambda item: item.data()["id"] in ("o2", "o4"), status=503, message="try later", times=None)
    answer = _put(client, 1, 2, 3, 4)
    assert [s["Id"] for s in answer["Successful"]] == ["i1", "i3"]
    assert [(f["Id"], f["Code"], f["Message"]) for f in answer["Failed"]] == [("i2", 503, "try later"),
                                                                            ("i4", 503, "try later")]
    assert object_count(client) == 2  # a failed item is not put
    again = _put(client, 2, 5)  # times=None: until clear_faults()
    assert [f["Id"] for f in again["Failed"]] == ["i2"] and [s["Id"] for s in again["Successful"]] == ["i5"]
    emulator.clear_faults()
    assert [s["Id"] for s in _put(client, 2, 4)["Successful"]] == ["i2", "i4"]
    assert object_count(client) == 5


def test_an_item_fault_is_used_up_after_times_items() -> None:
    emulator = Emulator()
    client = prepared(emulator)
    emulator.fail_items(status=500, times=3)  # any item, three in all
    first = _put(client, 1, 2)
    assert [f["Code"] for f in first["Failed"]] == [500, 500] and first["Successful"] == []
    second = _put(client, 3, 4, 5)
    assert [f["Id"] for f in second["Failed"]] == ["i3"]
    assert [s["Id"] for s in second["Successful"]] == ["i4", "i5"]


def test_item_faults_by_position_in_the_call_apply_in_order() -> None:
    emulator = Emulator()
    client = prepared(emulator)
    emulator.fail_items(lambda item: item.index == 0, status=429, message="slow down", times=1)
    emulator.fail_items(lambda item: item.index >= 0, status=400, message="refused", times=1)
    answer = _put(client, 1, 2, 3)
    assert [(f["Id"], f["Code"]) for f in answer["Failed"]] == [("i1", 429), ("i2", 400)]
    assert [s["Id"] for s in answer["Successful"]] == ["i3"]
    assert CANARY not in json.dumps(answer)


def test_item_faults_wait_for_the_whole_call_checks_and_whole_call_faults() -> None:
    emulator = Emulator()
    client = prepared(emulator, retries={"mode": "standard", "total_max_attempts": 1})
    emulator.fail_items(status=500, times=1)
    emulator.fail("BatchPutProfileObject", code="InternalServerException", status=500, times=1)
    with pytest.raises(ClientError):
        _put(client, 1)
    with pytest.raises(ClientError):  # an unknown domain: refused as a whole, the item fault stays
        client.batch_put_profile_object(DomainName="nope", ObjectTypeName="Orders",
                                        Items=[{"Id": "x", "Object": order(1)}])
    assert [f["Id"] for f in _put(client, 1, 2)["Failed"]] == ["i1"]


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"status": 200}, "400-599"),
    ({"status": 600}, "400-599"),
    ({"status": True}, "400-599"),
    ({"times": 0}, "times"),
    ({"match": "o1"}, "function"),
])
def test_item_fault_settings_are_checked(kwargs: dict[str, Any], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        Emulator().fail_items(**kwargs)


def test_ingest_retries_item_5xx_and_throttles_and_dead_letters_other_item_4xx(tmp_path: Any) -> None:
    from customer_profiles_sdk.bulk import ingest, no_retry_config

    emulator = Emulator()
    prepared(emulator)
    emulator.fail_items(lambda item: item.data()["id"] in ("o3", "o7"), status=503, times=4)  # twice each
    emulator.fail_items(lambda item: item.data()["id"] == "o5", status=429, times=1)
    emulator.fail_items(lambda item: item.data()["id"] in ("o6", "o8"), status=409, message="conflict", times=None)
    summary = ingest(emulator.client(no_retry_config()), domain_name="shop", object_type_name="Orders",
                     records=[order(n) for n in range(12)], dead_letter=tmp_path / "dead.jsonl",
                     rate=1000, base_delay=0.0, max_delay=0.0)
    dead = [json.loads(line) for line in (tmp_path / "dead.jsonl").read_text().splitlines()]
    assert [(entry["position"], entry["code"], entry["message"]) for entry in dead] == [(6, "409", "conflict"),
                                                                                       (8, "409", "conflict")]
    assert summary.accepted == 10 and summary.dead_lettered == 2 and summary.retried == 5
    assert object_count(prepared_client(emulator)) == 10


def prepared_client(emulator: Emulator) -> Any:
    return emulator.boto3_client()
