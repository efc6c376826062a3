"""The emulator's profile history: every create, update, key change, ingest, merge and delete recorded."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from customer_profiles_sdk.errors import ResourceNotFoundError
from customer_profiles_sdk.local import Emulator

from .test_emulator_identity import ORDERS, http_client

ROOT = "arn:aws:iam::123456789012:root"
def records(client: Any, profile_id: str, **filters: Any) -> list[dict[str, Any]]:
    answer = client.list_profile_history_records(DomainName="d", ProfileId=profile_id, **filters)
    return list(answer["ProfileHistoryRecords"])


def life_of_a_profile(client: Any) -> tuple[str, str]:
    client.create_domain(DomainName="d", DefaultExpirationDays=1)
    client.put_profile_object_type(DomainName="d", ObjectTypeName="Orders", Description="o", **ORDERS)
    pid = client.create_profile(DomainName="d", FirstName="Ann", EmailAddress="ann@x.com")["ProfileId"]
    client.update_profile(DomainName="d", ProfileId=pid, LastName="Lee")
    client.add_profile_key(DomainName="d", ProfileId=pid, KeyName="loyalty", Values=["L-1"])
    key = client.put_profile_object(DomainName="d", ObjectTypeName="Orders",
                                    Object='{"email": "ann@x.com", "order": "o1"}')["ProfileObjectUniqueKey"]
    client.delete_profile_key(DomainName="d", ProfileId=pid, KeyName="loyalty", Values=["L-1"])
    return pid, key


def test_every_change_is_recorded_newest_first_over_http() -> None:
    emu = Emulator()
    with emu.serve() as server:
        client = http_client(server.port)
        pid, key = life_of_a_profile(client)
        listed = records(client, pid)
        assert [r["ActionType"] for r in listed] == ["DELETED_PROFILE_KEY", "INGESTED", "ADDED_PROFILE_KEY",
                                                     "UPDATED", "CREATED"]
        assert [r["ObjectTypeName"] for r in listed] == ["_profile", "Orders", "_profile", "_profile", "_profile"]
        assert listed[1]["ProfileObjectUniqueKey"] == key
        assert all(r["PerformedBy"] == ROOT and r["CreatedAt"] == r["LastUpdatedAt"] for r in listed)
        assert all("Content" not in r for r in listed)
        assert len({r["Id"] for r in listed}) == 5
        # Content: the profile at that moment, or the ingested object.
        created = client.get_profile_history_record(DomainName="d", ProfileId=pid, Id=listed[-1]["Id"])
        assert json.loads(created["Content"]) == {"ProfileId": pid, "FirstName": "Ann", "EmailAddress": "ann@x.com"}
        updated = client.get_profile_history_record(DomainName="d", ProfileId=pid, Id=listed[-2]["Id"])
        assert json.loads(updated["Content"])["LastName"] == "Lee"
        ingested = client.get_profile_history_record(DomainName="d", ProfileId=pid, Id=listed[1]["Id"])
        assert json.loads(ingested["Content"]) == {"email": "ann@x.com", "order": "o1"}
        assert ingested["ObjectTypeName"] == "Orders" and ingested["ProfileObjectUniqueKey"] == key
        # Deleted: the history stays readable, the deletion's content is the profile as it was.
        client.delete_profile(DomainName="d", ProfileId=pid)
        last = records(client, pid)[0]
        assert last["ActionType"] == "DELETED_BY_CUSTOMER"
        gone = client.get_profile_history_record(DomainName="d", ProfileId=pid, Id=last["Id"])
        assert json.loads(gone["Content"])["LastName"] == "Lee"


def test_filters_and_pages_through_the_sdk_client() -> None:
    emu = Emulator()
    raw = emu.boto3_client()
    pid, _ = life_of_a_profile(raw)
    for i in range(30):
        raw.update_profile(DomainName="d", ProfileId=pid, AccountNumber=str(i))
    client = emu.client()
    first = client.list_profile_history_records(domain_name="d", profile_id=pid, action_type="UPDATED",
                                                max_results=20)
    assert len(first.profile_history_records or []) == 20 and first.next_token
    rest = client.list_profile_history_records(domain_name="d", profile_id=pid, action_type="UPDATED",
                                               next_token=first.next_token)
    assert len(rest.profile_history_records or []) == 11 and rest.next_token is None
    assert [r.action_type for r in rest.profile_history_records or []].count("UPDATED") == 11
    default = client.list_profile_history_records(domain_name="d", profile_id=pid)
    assert len(default.profile_history_records or []) == 20
    only = client.list_profile_history_records(domain_name="d", profile_id=pid, object_type_name="Orders")
    assert [r.action_type for r in only.profile_history_records or []] == ["INGESTED"]
    nobody = client.list_profile_history_records(domain_name="d", profile_id=pid, performed_by="someone-else")
    assert nobody.profile_history_records == []
    everyone = client.list_profile_history_records(domain_name="d", profile_id=pid, performed_by=ROOT,
                                                   max_results=100)
    assert len(everyone.profile_history_records or []) == 35
    # A token is bound to its filters: another filter refuses it.
    with pytest.raises(Exception) as raised:
        client.list_profile_history_records(domain_name="d", profile_id=pid, action_type="CREATED",
                                            next_token=first.next_token)
    assert "NextToken" in str(raised.value)
    record = client.get_profile_history_record(domain_name="d", profile_id=pid,
                                               id=(only.profile_history_records or [])[0].id)
    assert record.action_type == "INGESTED" and record.content


def test_merge_is_recorded_on_both_sides() -> None:
    emu = Emulator()
    client = emu.boto3_client()
    client.create_domain(DomainName="d", DefaultExpirationDays=1)
    main = client.create_profile(DomainName="d", FirstName="Ann")["ProfileId"]
    other = client.create_profile(DomainName="d", LastName="Lee")["ProfileId"]
    client.merge_profiles(DomainName="d", MainProfileId=main, ProfileIdsToBeMerged=[other])
    merged = records(client, main)[0]
    assert merged["ActionType"] == "MERGED"
    content = client.get_profile_history_record(DomainName="d", ProfileId=main, Id=merged["Id"])["Content"]
    assert json.loads(content) == {"ProfileId": main, "FirstName": "Ann", "LastName": "Lee"}
    away = records(client, other)
    assert [r["ActionType"] for r in away] == ["DELETED_BY_MERGE", "CREATED"]
    assert json.loads(client.get_profile_history_record(DomainName="d", ProfileId=other,
                                                        Id=away[0]["Id"])["Content"])["LastName"] == "Lee"
    assert records(client, other, ActionType="DELETED_BY_MERGE")[0]["Id"] == away[0]["Id"]


def test_history_errors() -> None:
    emu = Emulator()
    client = emu.boto3_client()
    client.create_domain(DomainName="d", DefaultExpirationDays=1)
    pid = client.create_profile(DomainName="d", FirstName="Ann")["ProfileId"]
    calls: list[Callable[[], Any]] = [
                 lambda: client.list_profile_history_records(DomainName="d", ProfileId="a" * 32),
                 lambda: client.get_profile_history_record(DomainName="d", ProfileId="a" * 32, Id="b" * 32),
                 lambda: client.get_profile_history_record(DomainName="d", ProfileId=pid, Id="b" * 32),
                 lambda: client.list_profile_history_records(DomainName="nope", ProfileId=pid)]
    for call in calls:
        with pytest.raises(ClientError) as raised:
            call()
        assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"
        assert pid not in raised.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as raised:
        client.list_profile_history_records(DomainName="d", ProfileId="not-an-id")
    assert raised.value.response["Error"]["Code"] == "BadRequestException"
    # The history goes with its domain.
    client.delete_domain(DomainName="d")
    client.create_domain(DomainName="d", DefaultExpirationDays=1)
    with pytest.raises(ClientError):
        client.list_profile_history_records(DomainName="d", ProfileId=pid)
    with pytest.raises(ResourceNotFoundError):
        emu.client().get_profile_history_record(domain_name="d", profile_id=pid, id="b" * 32)


def test_seeded_ids_do_not_depend_on_history() -> None:
    first, second = Emulator(seed=7).boto3_client(), Emulator(seed=7).boto3_client()
    for client in (first, second):
        client.create_domain(DomainName="d", DefaultExpirationDays=1)
    a = [first.create_profile(DomainName="d", FirstName=str(i))["ProfileId"] for i in range(3)]
    b = []
    for i in range(3):
        b.append(second.create_profile(DomainName="d", FirstName=str(i))["ProfileId"])
        second.update_profile(DomainName="d", ProfileId=b[-1], LastName="x")  # more history records
    assert a == b
    ids_a = [r["Id"] for r in records(first, a[0])]
    assert ids_a == [r["Id"] for r in records(second, b[0])][-1:]
