"""The emulator's identity resolution: merges, ML-style matches, jobs on the clock, rule-based matching."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from customer_profiles_sdk.errors import BadRequestError, ResourceNotFoundError
from customer_profiles_sdk.local import Emulator

from .localserver import shipped_client

ADDRESS_TYPES = ["Address", "ShippingAddress", "MailingAddress", "BillingAddress"]
DAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
ORDERS = {
    "Fields": {"email": {"Source": "_source.email", "Target": "_profile.EmailAddress"},
               "order": {"Source": "_source.order"}},
    "Keys": {"_email": [{"FieldNames": ["email"], "StandardIdentifiers": ["PROFILE"]}],
             "orderId": [{"FieldNames": ["order"], "StandardIdentifiers": ["UNIQUE"]}]},
}


def http_client(port: int) -> Any:
    return shipped_client(f"http://127.0.0.1:{port}")


@pytest.fixture
def emu() -> Emulator:
    return Emulator()


@pytest.fixture
def wire(emu: Emulator) -> Iterator[Any]:
    """A plain boto3 client talking to the emulator over HTTP."""
    with emu.serve() as server:
        yield http_client(server.port)


def code(error: ClientError) -> str:
    return str(error.response["Error"]["Code"])


def objects(client: Any, profile_id: str) -> list[str]:
    items = client.list_profile_objects(DomainName="d", ObjectTypeName="Orders", ProfileId=profile_id)["Items"]
    return sorted(json.loads(item["Object"])["order"] for item in items)


# --------------------------------------------------------------------------------------- merges


def merge_setup(client: Any) -> tuple[str, str, str]:
    client.create_domain(DomainName="d", DefaultExpirationDays=1)
    client.put_profile_object_type(DomainName="d", ObjectTypeName="Orders", Description="o", **ORDERS)
    main = client.create_profile(DomainName="d", FirstName="Ann", LastName="Lee", EmailAddress="ann@x.com",
                                 Attributes={"tier": "gold", "color": "red"})["ProfileId"]
    other = client.create_profile(DomainName="d", FirstName="Annie", LastName="Leigh", EmailAddress="al@y.com",
                                  PhoneNumber="+15550100", Attributes={"tier": "silver", "pet": "cat"})["ProfileId"]
    third = client.create_profile(DomainName="d", BirthDate="1990-01-01", LastName="Li")["ProfileId"]
    client.put_profile_object(DomainName="d", ObjectTypeName="Orders", Object='{"email": "ann@x.com", "order": "o1"}')
    client.put_profile_object(DomainName="d", ObjectTypeName="Orders", Object='{"email": "al@y.com", "order": "o2"}')
    client.put_profile_object(DomainName="d", ObjectTypeName="Orders", Object='{"email": "al@y.com", "order": "o3"}')
    client.add_profile_key(DomainName="d", ProfileId=third, KeyName="loyalty", Values=["L-7"])
    return main, other, third


def check_merged(client: Any, main: str, other: str, third: str) -> None:
    # Objects and keys moved to the main profile.
    assert objects(client, main) == ["o1", "o2", "o3"]
    by_key = client.search_profiles(DomainName="d", KeyName="loyalty", Values=["L-7"])["Items"]
    assert [item["ProfileId"] for item in by_key] == [main]
    by_email = client.search_profiles(DomainName="d", KeyName="_email", Values=["al@y.com"])["Items"]
    assert [item["ProfileId"] for item in by_email] == [main]
    # Fields: the main profile's win, FieldSourceProfileIds overrides, the rest are joined.
    profile = client.search_profiles(DomainName="d", KeyName="_profileId", Values=[main])["Items"][0]
    assert profile["FirstName"] == "Annie"  # from FieldSourceProfileIds
    assert profile["LastName"] == "Lee"  # the main profile's value wins the conflict
    assert profile["BirthDate"] == "1990-01-01" and profile["PhoneNumber"] == "+15550100"  # joined
    assert profile["Attributes"] == {"tier": "silver", "color": "red", "pet": "cat"}
    # The merged profiles are gone: every operation answers 404 for their ids.
    for gone in (other, third):
        assert client.search_profiles(DomainName="d", KeyName="_profileId", Values=[gone])["Items"] == []
        with pytest.raises(ClientError) as raised:
            client.delete_profile(DomainName="d", ProfileId=gone)
        assert code(raised.value) == "ResourceNotFoundException"
        with pytest.raises(ClientError) as raised:
            client.list_profile_objects(DomainName="d", ObjectTypeName="Orders", ProfileId=gone)
        assert code(raised.value) == "ResourceNotFoundException"
        with pytest.raises(ClientError) as raised:
            client.update_profile(DomainName="d", ProfileId=gone, FirstName="x")
        assert code(raised.value) == "ResourceNotFoundException"
    assert client.get_domain(DomainName="d")["Stats"]["ProfileCount"] == 1


def test_merge_moves_objects_and_keys_and_the_old_ids_answer_404_over_http(emu: Emulator, wire: Any) -> None:
    main, other, third = merge_setup(wire)
    answer = wire.merge_profiles(DomainName="d", MainProfileId=main, ProfileIdsToBeMerged=[other, third],
                                 FieldSourceProfileIds={"FirstName": other, "Attributes": {"tier": other}})
    assert answer["Message"]
    check_merged(wire, main, other, third)


def test_merge_through_the_sdk_client(emu: Emulator) -> None:
    raw = emu.boto3_client()
    main, other, third = merge_setup(raw)
    client = emu.client()
    answer = client.merge_profiles(domain_name="d", main_profile_id=main, profile_ids_to_be_merged=[other, third],
                                   field_source_profile_ids={"FirstName": other, "Attributes": {"tier": other}})
    assert answer.message
    check_merged(raw, main, other, third)
    with pytest.raises(ResourceNotFoundError):
        client.merge_profiles(domain_name="d", main_profile_id=main, profile_ids_to_be_merged=[other])


def test_field_source_taken_even_when_that_profile_has_no_value(emu: Emulator) -> None:
    client = emu.boto3_client()
    client.create_domain(DomainName="d", DefaultExpirationDays=1)
    main = client.create_profile(DomainName="d", FirstName="Ann", Gender="FEMALE")["ProfileId"]
    other = client.create_profile(DomainName="d", LastName="Lee")["ProfileId"]
    client.merge_profiles(DomainName="d", MainProfileId=main, ProfileIdsToBeMerged=[other],
                          FieldSourceProfileIds={"FirstName": other, "LastName": main})
    profile = client.search_profiles(DomainName="d", KeyName="_profileId", Values=[main])["Items"][0]
    assert "FirstName" not in profile  # the named profile had none: the field is cleared
    assert profile["LastName"] == "Lee"  # the main profile had none: joined from the other
    assert profile["Gender"] == "FEMALE"


def test_merge_refusals_change_nothing_and_quote_no_ids(emu: Emulator) -> None:
    client = emu.boto3_client()
    client.create_domain(DomainName="d", DefaultExpirationDays=1)
    main = client.create_profile(DomainName="d", FirstName="Ann")["ProfileId"]
    other = client.create_profile(DomainName="d", FirstName="Bob")["ProfileId"]
    stranger = "f" * 32
    cases = [
        ({"MainProfileId": main, "ProfileIdsToBeMerged": [other, main]}, "BadRequestException"),
        ({"MainProfileId": main, "ProfileIdsToBeMerged": [other],
          "FieldSourceProfileIds": {"FirstName": stranger}}, "BadRequestException"),
        ({"MainProfileId": main, "ProfileIdsToBeMerged": [other],
          "FieldSourceProfileIds": {"Attributes": {"a": stranger}}}, "BadRequestException"),
        ({"MainProfileId": main, "ProfileIdsToBeMerged": [other, stranger]}, "ResourceNotFoundException"),
        ({"MainProfileId": stranger, "ProfileIdsToBeMerged": [other]}, "ResourceNotFoundException"),
    ]
    for request, expected in cases:
        with pytest.raises(ClientError) as raised:
            client.merge_profiles(DomainName="d", **request)
        assert code(raised.value) == expected
        message = raised.value.response["Error"]["Message"]
        assert main not in message and other not in message and stranger not in message
    assert client.get_domain(DomainName="d")["Stats"]["ProfileCount"] == 2
    with pytest.raises(ClientError) as raised:
        client.merge_profiles(DomainName="nope", MainProfileId=main, ProfileIdsToBeMerged=[other])
    assert code(raised.value) == "ResourceNotFoundException"


def test_merge_of_twenty_profiles_and_repeated_ids(emu: Emulator) -> None:
    client = emu.boto3_client()
    client.create_domain(DomainName="d", DefaultExpirationDays=1)
    ids = [client.create_profile(DomainName="d", AccountNumber=str(i))["ProfileId"] for i in range(21)]
    client.merge_profiles(DomainName="d", MainProfileId=ids[0], ProfileIdsToBeMerged=ids[1:])
    profile = client.search_profiles(DomainName="d", KeyName="_profileId", Values=[ids[0]])["Items"][0]
    assert profile["AccountNumber"] == "0"
    assert client.get_domain(DomainName="d")["Stats"]["ProfileCount"] == 1
    a = client.create_profile(DomainName="d", FirstName="A")["ProfileId"]
    b = client.create_profile(DomainName="d", LastName="B")["ProfileId"]
    client.merge_profiles(DomainName="d", MainProfileId=a, ProfileIdsToBeMerged=[b, b])
    assert client.get_domain(DomainName="d")["Stats"]["ProfileCount"] == 2


# ----------------------------------------------------------------------------------- ML matching


def schedule_soon(emu: Emulator, minutes: int = 10) -> tuple[dict[str, str], datetime]:
    """A JobSchedule whose next time is ``minutes`` from the emulator's now, and that time."""
    start = (emu.backend.now() + timedelta(minutes=minutes)).replace(second=0, microsecond=0)
    return {"DayOfTheWeek": DAYS[start.weekday()], "Time": f"{start.hour}:{start.minute:02d}"}, start


def advance_to(emu: Emulator, moment: datetime) -> None:
    emu.advance(max(0.0, (moment - emu.backend.now()).total_seconds()))


def matching_people(client: Any) -> dict[str, str]:
    people: dict[str, dict[str, Any]] = {
        "a": {"FirstName": "Ann", "LastName": "Lee", "EmailAddress": "ann@x.com"},
        "b": {"FirstName": "Ann", "LastName": "Lee", "PersonalEmailAddress": " ANN@X.COM", "PhoneNumber": "555-0100"},
        "c": {"FirstName": "Carl", "HomePhoneNumber": "(555) 0100"},
        "d": {"FirstName": "Dora", "EmailAddress": "dora@x.com"},
        "e": {"FirstName": "Eve", "LastName": "Sun", "Address": {"City": "Oslo", "PostalCode": "1"}},
        "f": {"FirstName": "eve", "LastName": "SUN", "BillingAddress": {"City": "oslo", "PostalCode": "1"}},
    }
    return {name: client.create_profile(DomainName="d", **data)["ProfileId"] for name, data in people.items()}


def test_job_walks_every_status_on_the_clock_and_get_matches_reads_it(emu: Emulator, wire: Any) -> None:
    schedule, start = schedule_soon(emu)
    wire.create_domain(DomainName="d", DefaultExpirationDays=1, Matching={
        "Enabled": True, "JobSchedule": schedule,
        "ExportingConfig": {"S3Exporting": {"S3BucketName": "bucket", "S3KeyName": "out"}}})
    ids = matching_people(wire)
    assert wire.list_identity_resolution_jobs(DomainName="d")["IdentityResolutionJobsList"] == []
    empty = wire.get_matches(DomainName="d")
    assert empty["Matches"] == [] and empty["PotentialMatches"] == 0
    advance_to(emu, start + timedelta(seconds=5))
    jobs = wire.list_identity_resolution_jobs(DomainName="d")["IdentityResolutionJobsList"]
    assert [job["Status"] for job in jobs] == ["PENDING"]
    job_id = jobs[0]["JobId"]
    assert jobs[0]["JobStartTime"] == start
    seen = []
    for offset in (300, 900, 1800):
        advance_to(emu, start + timedelta(seconds=offset + 5))
        seen.append(wire.get_identity_resolution_job(DomainName="d", JobId=job_id)["Status"])
        if offset < 1800:
            assert wire.get_matches(DomainName="d")["Matches"] == []  # nothing before completion
    assert seen == ["PREPROCESSING", "FIND_MATCHING", "COMPLETED"]
    job = wire.get_identity_resolution_job(DomainName="d", JobId=job_id)
    assert job["JobEndTime"] == start + timedelta(minutes=30)
    assert job["JobStats"] == {"NumberOfProfilesReviewed": 6, "NumberOfMatchesFound": 2, "NumberOfMergesDone": 0}
    assert job["ExportingLocation"]["S3Exporting"] == {"S3BucketName": "bucket", "S3KeyName": f"out/{job_id}"}
    assert job["JobExpirationTime"] == start + timedelta(days=30)
    matches = wire.get_matches(DomainName="d")
    assert matches["PotentialMatches"] == 2 and matches["MatchGenerationDate"] == job["JobEndTime"]
    groups = {frozenset(m["ProfileIds"]): m["ConfidenceScore"] for m in matches["Matches"]}
    # a-b share an email (case and spaces ignored), b-c a phone (digits only), e-f name and address.
    assert set(groups) == {frozenset({ids["a"], ids["b"], ids["c"]}), frozenset({ids["e"], ids["f"]})}
    assert groups[frozenset({ids["e"], ids["f"]})] == 1.0
    assert groups[frozenset({ids["a"], ids["b"], ids["c"]})] == 0.5  # b-c: phone agrees, name does not
    assert len({m["MatchId"] for m in matches["Matches"]}) == 2
    page = wire.get_matches(DomainName="d", MaxResults=1)
    rest = wire.get_matches(DomainName="d", MaxResults=1, NextToken=page["NextToken"])
    assert [m["MatchId"] for m in page["Matches"] + rest["Matches"]] == [m["MatchId"] for m in matches["Matches"]]
    similar = wire.get_similar_profiles(DomainName="d", MatchType="ML_BASED_MATCHING", SearchKey="_email",
                                        SearchValue="dora@x.com")
    assert similar["ProfileIds"] == [] and "MatchId" not in similar
    similar = wire.get_similar_profiles(DomainName="d", MatchType="ML_BASED_MATCHING", SearchKey="_profileId",
                                        SearchValue=ids["c"])
    assert set(similar["ProfileIds"]) == {ids["a"], ids["b"], ids["c"]} and similar["ConfidenceScore"] == 0.5
    # A deleted profile leaves the groups; a group left with one profile is dropped.
    wire.delete_profile(DomainName="d", ProfileId=ids["f"])
    assert wire.get_matches(DomainName="d")["PotentialMatches"] == 1
    # Jobs expire 30 days after their start.
    advance_to(emu, start + timedelta(days=30))
    with pytest.raises(ClientError) as raised:
        wire.get_identity_resolution_job(DomainName="d", JobId=job_id)
    assert code(raised.value) == "ResourceNotFoundException"
    assert len(wire.list_identity_resolution_jobs(DomainName="d")["IdentityResolutionJobsList"]) == 4


def test_default_schedule_is_saturday_midnight_utc_on_a_clock_of_ones_own() -> None:
    now = [datetime(2024, 1, 5, 12, 0, tzinfo=UTC)]  # a Friday
    emu = Emulator(clock=lambda: now[0])
    client = emu.client()
    client.create_domain(domain_name="d", default_expiration_days=1, matching={"Enabled": True})
    assert client.list_identity_resolution_jobs(domain_name="d").identity_resolution_jobs_list == []
    now[0] = datetime(2024, 1, 6, 0, 0, 1, tzinfo=UTC)
    jobs = client.list_identity_resolution_jobs(domain_name="d").identity_resolution_jobs_list or []
    assert [(j.status, j.job_start_time) for j in jobs] == [("PENDING", datetime(2024, 1, 6, tzinfo=UTC))]
    now[0] = datetime(2024, 1, 21, tzinfo=UTC)  # two more Saturdays passed
    jobs = client.list_identity_resolution_jobs(domain_name="d").identity_resolution_jobs_list or []
    assert [j.job_start_time.day for j in jobs if j.job_start_time] == [20, 13, 6]
    assert [j.status for j in jobs] == ["COMPLETED"] * 3
    page = client.list_identity_resolution_jobs(domain_name="d", max_results=2)
    assert len(page.identity_resolution_jobs_list or []) == 2 and page.next_token
    # Disabled matching makes no more jobs, and GetMatches says matching is off.
    client.update_domain(domain_name="d", matching={"Enabled": False})
    now[0] = datetime(2024, 2, 1, tzinfo=UTC)
    assert len(client.list_identity_resolution_jobs(domain_name="d").identity_resolution_jobs_list or []) == 3
    with pytest.raises(BadRequestError):
        client.get_matches(domain_name="d")


def test_auto_merging_job_merges_at_completion_and_the_preview_changes_nothing(emu: Emulator) -> None:
    client = emu.boto3_client()
    schedule, start = schedule_soon(emu)
    client.create_domain(DomainName="d", DefaultExpirationDays=1, Matching={"Enabled": True, "JobSchedule": schedule})
    ids = matching_people(client)
    advance_to(emu, start + timedelta(minutes=31))
    job_id = client.list_identity_resolution_jobs(DomainName="d")["IdentityResolutionJobsList"][0]["JobId"]
    preview = client.get_auto_merging_preview(
        DomainName="d", Consolidation={"MatchingAttributesList": [["FirstName", "LastName"]]},
        ConflictResolution={"ConflictResolvingModel": "RECENCY"})
    assert preview["NumberOfMatchesInSample"] == 2 and preview["NumberOfProfilesInSample"] == 5
    assert preview["NumberOfProfilesWillBeMerged"] == 4  # a+b (same name), e+f (case ignored)
    strict = client.get_auto_merging_preview(
        DomainName="d", Consolidation={"MatchingAttributesList": [["FirstName", "LastName"]]},
        ConflictResolution={"ConflictResolvingModel": "RECENCY"}, MinAllowedConfidenceScoreForMerging=0.9)
    assert strict["NumberOfProfilesWillBeMerged"] == 2  # the a-b-c group scores 0.5
    assert client.get_domain(DomainName="d")["Stats"]["ProfileCount"] == 6
    assert client.get_identity_resolution_job(DomainName="d", JobId=job_id)["JobStats"]["NumberOfMergesDone"] == 0

    # Now with auto-merging on: the next week's job merges a and b into the one changed last.
    client.update_profile(DomainName="d", ProfileId=ids["a"], AccountNumber="A-1")
    client.update_domain(DomainName="d", Matching={
        "Enabled": True, "JobSchedule": schedule,
        "AutoMerging": {"Enabled": True, "Consolidation": {"MatchingAttributesList": [["EmailAddress"], ["LastName"]]},
                        "ConflictResolution": {"ConflictResolvingModel": "RECENCY"}}})
    advance_to(emu, start + timedelta(days=7, minutes=31))
    job = client.list_identity_resolution_jobs(DomainName="d")["IdentityResolutionJobsList"][0]
    assert job["Status"] == "MERGING" and "JobStats" not in job
    assert client.get_domain(DomainName="d")["Stats"]["ProfileCount"] == 6
    advance_to(emu, start + timedelta(days=7, minutes=45))
    job = client.get_identity_resolution_job(DomainName="d", JobId=job["JobId"])
    assert job["Status"] == "COMPLETED" and job["AutoMerging"]["Enabled"] is True
    assert job["JobStats"]["NumberOfMergesDone"] == 2  # a+b on LastName, e+f too ("Sun" and "SUN")
    remaining = client.get_domain(DomainName="d")["Stats"]["ProfileCount"]
    assert remaining == 6 - job["JobStats"]["NumberOfMergesDone"]
    survivor = client.search_profiles(DomainName="d", KeyName="_profileId", Values=[ids["a"]])["Items"]
    assert survivor and survivor[0]["AccountNumber"] == "A-1"
    assert client.search_profiles(DomainName="d", KeyName="_profileId", Values=[ids["b"]])["Items"] == []
    history = client.list_profile_history_records(DomainName="d", ProfileId=ids["b"])["ProfileHistoryRecords"]
    assert history[0]["ActionType"] == "DELETED_BY_MERGE" and history[0]["PerformedBy"] == "profile.amazonaws.com"


def test_preview_refuses_unknown_attributes_and_source_without_name(emu: Emulator) -> None:
    client = emu.client()
    client.create_domain(domain_name="d", default_expiration_days=1, matching={"Enabled": True})
    cases: list[tuple[Any, Any, str]] = [
        ({"MatchingAttributesList": [["FirstName", "NoSuchField"]]}, {"ConflictResolvingModel": "RECENCY"},
         "Consolidation.MatchingAttributesList[0][1]"),
        ({"MatchingAttributesList": [["FirstName"]]}, {"ConflictResolvingModel": "SOURCE"},
         "ConflictResolution.SourceName"),
    ]
    for consolidation, resolution, path in cases:
        with pytest.raises(BadRequestError) as raised:
            client.get_auto_merging_preview(domain_name="d", consolidation=consolidation,
                                            conflict_resolution=resolution)
        assert path in str(raised.value) and "NoSuchField" not in str(raised.value)
    preview = client.get_auto_merging_preview(
        domain_name="d", consolidation={"MatchingAttributesList": [["Address.City", "Attributes.x"]]},
        conflict_resolution={"ConflictResolvingModel": "SOURCE", "SourceName": "Orders"})
    assert preview.number_of_matches_in_sample == 0 and preview.domain_name == "d"


def test_source_conflict_resolution_picks_the_profile_with_the_latest_source_object(emu: Emulator) -> None:
    client = emu.boto3_client()
    schedule, start = schedule_soon(emu)
    client.create_domain(DomainName="d", DefaultExpirationDays=1, Matching={
        "Enabled": True, "JobSchedule": schedule,
        "AutoMerging": {"Enabled": True, "Consolidation": {"MatchingAttributesList": [["LastName"]]},
                        "ConflictResolution": {"ConflictResolvingModel": "SOURCE", "SourceName": "Orders"}}})
    client.put_profile_object_type(DomainName="d", ObjectTypeName="Orders", Description="o", **ORDERS)
    first = client.create_profile(DomainName="d", LastName="Lee", EmailAddress="one@x.com")["ProfileId"]
    client.put_profile_object(DomainName="d", ObjectTypeName="Orders", Object='{"email": "one@x.com", "order": "1"}')
    second = client.create_profile(DomainName="d", LastName="Lee", EmailAddress="one@x.com")["ProfileId"]
    advance_to(emu, start + timedelta(minutes=46))
    job = client.list_identity_resolution_jobs(DomainName="d")["IdentityResolutionJobsList"][0]
    assert job["JobStats"]["NumberOfMergesDone"] == 1
    assert objects(client, first) == ["1"]  # first has the Orders object: it is the main profile
    with pytest.raises(ClientError):
        client.list_profile_objects(DomainName="d", ObjectTypeName="Orders", ProfileId=second)


def test_identity_errors(emu: Emulator) -> None:
    client = emu.boto3_client()
    client.create_domain(DomainName="d", DefaultExpirationDays=1)
    calls: list[Callable[[], Any]] = [lambda: client.get_matches(DomainName="d"),
                 lambda: client.list_rule_based_matches(DomainName="d"),
                 lambda: client.get_similar_profiles(DomainName="d", MatchType="ML_BASED_MATCHING",
                                                     SearchKey="_profileId", SearchValue="a" * 32),
                 lambda: client.get_similar_profiles(DomainName="d", MatchType="RULE_BASED_MATCHING",
                                                     SearchKey="_profileId", SearchValue="a" * 32)]
    for call in calls:
        with pytest.raises(ClientError) as raised:
            call()
        assert code(raised.value) == "BadRequestException"
    with pytest.raises(ClientError) as raised:
        client.get_identity_resolution_job(DomainName="d", JobId="0" * 32)
    assert code(raised.value) == "ResourceNotFoundException"
    for operation in ("get_matches", "list_identity_resolution_jobs", "list_rule_based_matches"):
        with pytest.raises(ClientError) as raised:
            getattr(client, operation)(DomainName="nope")
        assert code(raised.value) == "ResourceNotFoundException"
    client.update_domain(DomainName="d",
                         RuleBasedMatching={"Enabled": True, "MatchingRules": [{"Rule": ["FirstName"]}]})
    with pytest.raises(ClientError) as raised:
        client.get_similar_profiles(DomainName="d", MatchType="RULE_BASED_MATCHING", SearchKey="_email",
                                    SearchValue="secret@x.com")
    assert code(raised.value) == "ResourceNotFoundException"
    assert "secret" not in raised.value.response["Error"]["Message"]


# ---------------------------------------------------------------------------- rule-based matching


def rule_domain(client: Any, model: str) -> dict[str, str]:
    client.create_domain(DomainName="d", DefaultExpirationDays=1, RuleBasedMatching={
        "Enabled": True,
        "MatchingRules": [{"Rule": ["EmailAddress"]}, {"Rule": ["FirstName", "LastName", "Address.City"]},
                          {"Rule": ["BirthDate"]}],
        "MaxAllowedRuleLevelForMatching": 2,
        "AttributeTypesSelector": {"AttributeMatchingModel": model, "EmailAddress": ["EmailAddress", "BusinessEmail"],
                                   "Address": ["Address", "ShippingAddress"]}})
    people: dict[str, dict[str, Any]] = {
        "a": {"EmailAddress": "Pat@x.com", "BirthDate": "2000"},
        "b": {"BusinessEmailAddress": "pat@x.com", "BirthDate": "2000"},
        "c": {"FirstName": "Kim", "LastName": "Ray", "Address": {"City": "Rome"}, "BirthDate": "2000"},
        "d": {"FirstName": "kim", "LastName": "Ray", "ShippingAddress": {"City": "ROME"}},
        "e": {"FirstName": "Kim", "LastName": "Ray", "BillingAddress": {"City": "Rome"}},  # not a selected type
    }
    return {name: client.create_profile(DomainName="d", **data)["ProfileId"] for name, data in people.items()}


def test_rule_based_matches_many_to_many_over_http(wire: Any) -> None:
    ids = rule_domain(wire, "MANY_TO_MANY")
    match_ids = wire.list_rule_based_matches(DomainName="d")["MatchIds"]
    assert len(match_ids) == 2
    first = wire.list_rule_based_matches(DomainName="d", MaxResults=1)
    second = wire.list_rule_based_matches(DomainName="d", MaxResults=1, NextToken=first["NextToken"])
    assert first["MatchIds"] + second["MatchIds"] == match_ids and "NextToken" not in second
    similar = wire.get_similar_profiles(DomainName="d", MatchType="RULE_BASED_MATCHING", SearchKey="_email",
                                        SearchValue="pat@x.com")
    assert set(similar["ProfileIds"]) == {ids["a"], ids["b"]} and similar["RuleLevel"] == 1
    assert similar["MatchId"] == match_ids[0] and similar["MatchType"] == "RULE_BASED_MATCHING"
    similar = wire.get_similar_profiles(DomainName="d", MatchType="RULE_BASED_MATCHING", SearchKey="_profileId",
                                        SearchValue=ids["d"])
    # c and d agree at level 2 across address types (Address and ShippingAddress).
    assert set(similar["ProfileIds"]) == {ids["c"], ids["d"]} and similar["RuleLevel"] == 2
    page = wire.get_similar_profiles(DomainName="d", MatchType="RULE_BASED_MATCHING", SearchKey="_profileId",
                                     SearchValue=ids["d"], MaxResults=1)
    assert len(page["ProfileIds"]) == 1 and page["NextToken"]


def test_rule_based_matches_one_to_one_compare_type_to_type(emu: Emulator) -> None:
    client = emu.client()
    ids = rule_domain(emu.boto3_client(), "ONE_TO_ONE")
    assert client.list_rule_based_matches(domain_name="d").match_ids == []
    # Level 3 (BirthDate) would group a, b and c, but MaxAllowedRuleLevelForMatching is 2.
    emu.boto3_client().update_profile(DomainName="d", ProfileId=ids["d"], Address={"City": "rome"})
    assert len(client.list_rule_based_matches(domain_name="d").match_ids or []) == 1
    similar = client.get_similar_profiles(domain_name="d", match_type="RULE_BASED_MATCHING",
                                          search_key="_profileId", search_value=ids["c"])
    assert set(similar.profile_ids or []) == {ids["c"], ids["d"]}


def test_matching_many_alike_profiles_is_linear() -> None:
    """3,000 profiles that all share an email, a phone, a name and a city: grouping links each to
    the first holder of a value, never every pair (the old answer was 501 for all of these)."""
    emu = Emulator()
    client = emu.boto3_client()
    schedule, start = schedule_soon(emu)
    client.create_domain(DomainName="d", DefaultExpirationDays=1, Matching={"Enabled": True, "JobSchedule": schedule},
                         RuleBasedMatching={"Enabled": True, "MatchingRules": [{"Rule": ["FirstName", "Address"]}],
                                            "AttributeTypesSelector": {"AttributeMatchingModel": "MANY_TO_MANY",
                                                                       "Address": ADDRESS_TYPES}})
    address = {"City": "Rome"}
    backend_domain = emu.backend._domains["d"]
    for i in range(3000):
        emu.backend.call("CreateProfile", {"DomainName": "d", "FirstName": "Kim", "EmailAddress": "k@x.com",
                                           "PhoneNumber": "1", "Address": address, "ShippingAddress": address,
                                           "MailingAddress": address, "BillingAddress": address,
                                           "AccountNumber": str(i)})
    assert len(backend_domain.profiles) == 3000
    outcome: list[Any] = []

    def work() -> None:
        outcome.append(client.list_rule_based_matches(DomainName="d")["MatchIds"])
        advance_to(emu, start + timedelta(minutes=31))
        outcome.append(client.get_matches(DomainName="d")["Matches"])

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "matching 3,000 alike profiles did not finish in 60 s"
    assert len(outcome[0]) == 1 and len(outcome[1]) == 1 and len(outcome[1][0]["ProfileIds"]) == 3000
