"""Adversarial inputs for the emulator's newer areas (segments, upload jobs): long SQL chains,
segments built on segments that share their sources, and CSV files whose parsed rows would take
many times the file's size. Each test fails on the code before its fix."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from customer_profiles_sdk.local import Emulator
from customer_profiles_sdk.local._areas.upload_jobs import RUN_SECONDS

CANARY = "CANARY-7f3e"
HANG_GUARD_SECONDS = 60
#: The longest Object PutProfileObject takes (the service model's limit).
MAX_OBJECT_CHARS = 256_000


def call(emu: Emulator, method: str, path: str, body: Any = None) -> tuple[int, dict[str, Any]]:
    status, _, data = emu.handle(method, path, json.dumps(body) if body is not None else b"")
    return status, json.loads(data) if data else {}


def finishes(work: Callable[[], Any]) -> Any:
    """``work()``'s result; fails when it does not end within the hang guard (or raised)."""
    out: list[Any] = []
    thread = threading.Thread(target=lambda: out.append(work()), daemon=True)
    thread.start()
    thread.join(HANG_GUARD_SECONDS)
    assert not thread.is_alive(), "the request did not finish within the hang guard"
    assert out, "the request raised"
    return out[0]


def domain_with_profiles(count: int) -> Emulator:
    emu = Emulator()
    assert call(emu, "POST", "/domains/d", {"DefaultExpirationDays": 30})[0] == 200
    for index in range(count):
        status, _ = call(emu, "POST", "/domains/d/profiles", {"FirstName": f"n{index}"})
        assert status == 200
    return emu


def estimate(emu: Emulator, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    status, answer = call(emu, "POST", "/domains/d/segment-estimates", body)
    if status != 202:
        return status, answer
    emu.advance(10)
    return call(emu, "GET", f"/domains/d/segment-estimates/{answer['EstimateId']}")


# -- segment SQL: long chains of AND / OR ------------------------------------------------------
def test_a_long_or_chain_within_the_length_limit_is_evaluated_not_a_server_error() -> None:
    emu = domain_with_profiles(3)
    terms = [f"FirstName = 'C{i}'" for i in range(2000)] + ["FirstName = 'n1'"]
    sql = "SELECT * FROM profiles WHERE " + " OR ".join(terms)
    assert len(sql) <= 50_000
    status, answer = estimate(emu, {"SegmentSqlQuery": sql})
    assert (status, answer.get("Estimate")) == (200, "1")


def test_a_long_and_chain_and_its_three_valued_logic() -> None:
    emu = domain_with_profiles(3)
    sql = "SELECT * FROM profiles WHERE " + " AND ".join(["FirstName LIKE 'n%'"] * 1800)
    assert len(sql) <= 50_000
    status, answer = estimate(emu, {"SegmentSqlQuery": sql})
    assert (status, answer["Estimate"]) == (200, "3")
    # A missing column is unknown: unknown AND true is unknown (outside), unknown OR true is true.
    unknown_and = "SELECT * FROM p WHERE " + " AND ".join(["LastName = 'x' OR FirstName = 'n0'"] * 10)
    assert estimate(emu, {"SegmentSqlQuery": unknown_and})[1]["Estimate"] == "1"
    unknown_only = "SELECT * FROM p WHERE " + " AND ".join(["FirstName LIKE 'n%'"] * 10 + ["LastName = 'x'"])
    assert estimate(emu, {"SegmentSqlQuery": unknown_only})[1]["Estimate"] == "0"
    negated = "SELECT * FROM p WHERE NOT (" + " OR ".join(["LastName = 'x'"] * 10 + ["FirstName = 'n2'"]) + ")"
    assert estimate(emu, {"SegmentSqlQuery": negated})[1]["Estimate"] == "0"  # NOT unknown is unknown
    known = "SELECT * FROM p WHERE NOT (" + " OR ".join(["FirstName = 'n0'"] * 10 + ["FirstName = 'n1'"]) + ")"
    assert estimate(emu, {"SegmentSqlQuery": known})[1]["Estimate"] == "1"


def test_a_segment_definition_with_a_long_chain_answers_membership() -> None:
    emu = domain_with_profiles(2)
    sql = "SELECT * FROM p WHERE " + " OR ".join(["FirstName = 'n0'"] * 2000)
    status, _ = call(emu, "POST", "/domains/d/segment-definitions/long",
                     {"DisplayName": "long", "SegmentSqlQuery": sql})
    assert status == 200
    ids = [p for p in emu.backend._domains["d"].profiles]
    status, answer = call(emu, "POST", "/domains/d/segments/long/membership", {"ProfileIds": ids})
    assert status == 200
    assert [item["QueryResult"] for item in answer["Profiles"]] == ["PRESENT", "ABSENT"]


# -- segments built on segments ---------------------------------------------------------------
def test_segments_sharing_their_sources_are_evaluated_once_per_profile() -> None:
    """Each level names the level below three times: 3**40 evaluations without memoizing."""
    emu = domain_with_profiles(4)
    dimension = {"ProfileAttributes": {"FirstName": {"DimensionType": "INCLUSIVE", "Values": ["n0", "n2"]}}}
    status, _ = call(emu, "POST", "/domains/d/segment-definitions/s0",
                     {"DisplayName": "s0", "SegmentGroups": {"Groups": [{"Dimensions": [dimension]}]}})
    assert status == 200
    levels = 40
    for level in range(1, levels):
        sources = [{"SegmentDefinitionName": f"s{level - 1}"}] * 3
        status, _ = call(emu, "POST", f"/domains/d/segment-definitions/s{level}",
                         {"DisplayName": "x", "SegmentGroups": {"Groups": [{"SourceSegments": sources}]}})
        assert status == 200
    top = f"s{levels - 1}"
    ids = list(emu.backend._domains["d"].profiles)
    status, answer = finishes(lambda: call(emu, "POST", f"/domains/d/segments/{top}/membership",
                                           {"ProfileIds": ids}))
    assert status == 200
    assert [item["QueryResult"] for item in answer["Profiles"]] == ["PRESENT", "ABSENT", "PRESENT", "ABSENT"]
    query = {"Groups": [{"SourceSegments": [{"SegmentDefinitionName": top}] * 3}]}
    status, answer = finishes(lambda: estimate(emu, {"SegmentQuery": query}))
    assert (status, answer["Estimate"]) == (200, "2")
    status, snap = finishes(lambda: call(emu, "POST", f"/domains/d/segments/{top}/snapshots", {"DataFormat": "CSV"}))
    assert status == 200
    kept = emu.backend.segment_snapshot_profiles("d", top, snap["SnapshotId"])
    assert [p["FirstName"] for p in kept] == ["n0", "n2"]


def test_a_none_source_over_a_shared_chain_still_negates() -> None:
    emu = domain_with_profiles(3)
    dimension = {"ProfileAttributes": {"FirstName": {"DimensionType": "INCLUSIVE", "Values": ["n1"]}}}
    call(emu, "POST", "/domains/d/segment-definitions/base",
         {"DisplayName": "b", "SegmentGroups": {"Groups": [{"Dimensions": [dimension]}]}})
    call(emu, "POST", "/domains/d/segment-definitions/mid",
         {"DisplayName": "m", "SegmentGroups": {"Groups": [{"SourceSegments": [{"SegmentDefinitionName": "base"}]}]}})
    groups = {"Groups": [{"SourceSegments": [{"SegmentDefinitionName": "base"}, {"SegmentDefinitionName": "mid"}],
                          "SourceType": "NONE"}]}
    assert estimate(emu, {"SegmentQuery": groups})[1]["Estimate"] == "2"


# -- upload jobs: big files --------------------------------------------------------------------
def _started_job(emu: Emulator, data: bytes) -> str:
    status, created = call(emu, "POST", "/domains/d/upload-jobs", {
        "DisplayName": "wide", "UniqueKey": "id",
        "Fields": {"id": {"Source": "_source.c0", "Target": "_profile.AccountNumber"}}})
    assert status == 200
    job = str(created["JobId"])
    status, path = call(emu, "GET", f"/domains/d/upload-jobs/{job}/path")
    key = base64.b64decode(path["ClientToken"])
    headers = {"x-amz-server-side-encryption-customer-algorithm": "AES256",
               "x-amz-server-side-encryption-customer-key": path["ClientToken"],
               "x-amz-server-side-encryption-customer-key-MD5": base64.b64encode(hashlib.md5(key).digest()).decode()}
    assert emu.handle_upload("PUT", path["Url"], headers, data)[0] == 200
    return job


@pytest.mark.slow  # about 8 s: a wide file made and read through
def test_a_started_upload_job_keeps_no_parsed_copy_of_a_wide_file() -> None:
    """20,000 one-character columns: parsed into row dicts, the file took ~19 times its size."""
    emu = domain_with_profiles(0)
    columns = 20_000
    header = ",".join(f"c{i}" for i in range(columns))
    row = ",".join("1" for _ in range(columns))
    data = (header + "\n" + "\n".join([row] * 100)).encode()
    job = _started_job(emu, data)
    tracemalloc.start()
    try:
        assert call(emu, "PUT", f"/domains/d/upload-jobs/{job}")[0] == 200
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert held < 5 * len(data), f"the started job holds {held / len(data):.1f} times the file's size"
    emu.advance(RUN_SECONDS + 1)
    status, answer = call(emu, "GET", f"/domains/d/upload-jobs/{job}")
    assert status == 200 and answer["Status"] == "SUCCEEDED"
    assert answer["ResultsSummary"] == {"CreatedRecords": 1, "UpdatedRecords": 99, "FailedRecords": 0}


def test_rows_longer_than_an_object_fail_and_the_others_are_put() -> None:
    emu = domain_with_profiles(0)
    wide = MAX_OBJECT_CHARS // 10 + 10
    header = "c0," + ",".join(f"x{i}" for i in range(wide))
    long_row = "k1," + ",".join("v" for _ in range(wide))
    short_row = "k2," + ",".join("" for _ in range(wide))
    job = _started_job(emu, f"{header}\r\n{long_row}\r\n{short_row}\r\n".encode())
    assert call(emu, "PUT", f"/domains/d/upload-jobs/{job}")[0] == 200
    emu.advance(RUN_SECONDS + 1)
    answer = call(emu, "GET", f"/domains/d/upload-jobs/{job}")[1]
    assert answer["Status"] == "PARTIALLY_SUCCEEDED"
    assert answer["ResultsSummary"] == {"CreatedRecords": 1, "UpdatedRecords": 0, "FailedRecords": 1}


def test_csv_line_ends_and_quoted_line_breaks_read_as_before() -> None:
    emu = domain_with_profiles(0)
    data = (f'c0,note\r"a1","two\r\nlines"\rb1,"cr\rinside"\n\nc1,{CANARY}').encode()
    job = _started_job(emu, data)
    assert call(emu, "PUT", f"/domains/d/upload-jobs/{job}")[0] == 200
    emu.advance(RUN_SECONDS + 1)
    answer = call(emu, "GET", f"/domains/d/upload-jobs/{job}")[1]
    assert answer["ResultsSummary"] == {"CreatedRecords": 3, "UpdatedRecords": 0, "FailedRecords": 0}
    notes = sorted(stored.source["note"] for stored in emu.backend._domains["d"].objects.values())
    assert notes == sorted(["two\r\nlines", "cr\rinside", CANARY])


def test_rows_are_put_in_order_and_counted_once_when_the_clock_moves_during_the_run() -> None:
    """A clock that moves on every reading: rows come due while a row is being put. A nested run
    used to put the next rows first and count the profile they made as created twice."""
    moments = [datetime(2026, 1, 1, tzinfo=UTC)]

    def clock() -> datetime:
        moments[0] += timedelta(milliseconds=200)
        return moments[0]

    emu = Emulator(clock=clock)
    assert call(emu, "POST", "/domains/d", {"DefaultExpirationDays": 30})[0] == 200
    status, created = call(emu, "POST", "/domains/d/upload-jobs", {
        "DisplayName": "order", "UniqueKey": "id",
        "Fields": {"id": {"Source": "_source.id", "Target": "_profile.AccountNumber"},
                   "name": {"Source": "_source.name", "Target": "_profile.FirstName"}}})
    assert status == 200
    job = created["JobId"]
    path = call(emu, "GET", f"/domains/d/upload-jobs/{job}/path")[1]
    key = base64.b64decode(path["ClientToken"])
    headers = {"x-amz-server-side-encryption-customer-algorithm": "AES256",
               "x-amz-server-side-encryption-customer-key": path["ClientToken"],
               "x-amz-server-side-encryption-customer-key-MD5": base64.b64encode(hashlib.md5(key).digest()).decode()}
    rows = "\n".join(f"k1,{CANARY}{i}" for i in range(30))
    assert emu.handle_upload("PUT", path["Url"], headers, f"id,name\n{rows}\n".encode())[0] == 200
    assert call(emu, "PUT", f"/domains/d/upload-jobs/{job}")[0] == 200
    moments[0] += timedelta(seconds=RUN_SECONDS + 1)
    answer = call(emu, "GET", f"/domains/d/upload-jobs/{job}")[1]
    assert answer["ResultsSummary"] == {"CreatedRecords": 1, "UpdatedRecords": 29, "FailedRecords": 0}
    profiles = list(emu.backend._domains["d"].profiles.values())
    assert len(profiles) == 1
    assert profiles[0].data["FirstName"] == f"{CANARY}29"  # the last row was put last
