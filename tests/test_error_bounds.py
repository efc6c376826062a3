"""Validation error reports stay bounded, and cost time linear in the input, on hostile input.

50,000 unknown members, a list of 100,000 bad items or 100,000 bad map keys must not build a
megabyte message, and the "did you mean" search must not run once per unknown member, nor on a
name a megabyte long (difflib is quadratic in the length). The emulator's 400 answers, which carry
the SDK's validation text, are bounded the same way.
"""

from __future__ import annotations

import difflib
import json
import pickle
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from customer_profiles_sdk import ParamValidationError, Problem, ResponseParseError, models
from customer_profiles_sdk.errors import MAX_KEPT_PROBLEMS, MAX_LISTED_PROBLEMS
from customer_profiles_sdk.local import Emulator

SECRET = "secret-7f3a"


@pytest.fixture
def difflib_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the "did you mean" searches (the length of each searched name is recorded)."""
    calls: list[int] = []
    real: Callable[..., list[str]] = difflib.get_close_matches

    def counting(word: str, *args: Any, **kwargs: Any) -> list[str]:
        calls.append(len(word))
        return real(word, *args, **kwargs)

    monkeypatch.setattr(difflib, "get_close_matches", counting)
    return calls


def validation_error(cls: Any, data: Any) -> ParamValidationError:
    with pytest.raises(ParamValidationError) as caught:
        cls.model_validate(data)
    return caught.value


def assert_bounded(error: ParamValidationError, count: int) -> None:
    text = str(error)
    lines = text.splitlines()
    assert lines[0] == f"{count} invalid parameter{'s' if count != 1 else ''} for {error.shape}:"
    assert error.problem_count == count
    assert len(error.problems) == min(count, MAX_KEPT_PROBLEMS)
    if count > MAX_LISTED_PROBLEMS:
        assert len(lines) == MAX_LISTED_PROBLEMS + 2
        assert lines[-1] == f"  ... and {count - MAX_LISTED_PROBLEMS} more"
    else:
        assert len(lines) == count + 1
    assert len(text) < 600 * (MAX_LISTED_PROBLEMS + 2)  # the longest enum message is about 400
    assert SECRET not in text and all(SECRET not in str(problem) for problem in error.problems)


# -- unknown members ------------------------------------------------------------------------------


def test_fifty_thousand_unknown_members(difflib_calls: list[int]) -> None:
    data = {"DomainName": "d", **{f"{SECRET}-{index}": 1 for index in range(50_000)}}
    error = validation_error(models.CreateProfileRequest, data)
    assert_bounded(error, 50_000)
    assert all(p.rule == "unknown_member" and p.path == "<unknown member>" for p in error.problems)
    assert len(difflib_calls) <= 20


def test_misspellings_still_get_a_suggestion(difflib_calls: list[int]) -> None:
    error = validation_error(models.CreateProfileRequest, {"DomainName": "d", "FirstNme": "x", "LastNaem": "y"})
    assert_bounded(error, 2)
    messages = sorted(p.message for p in error.problems)
    assert messages == ["not a member of this shape (did you mean 'FirstName'?)",
                        "not a member of this shape (did you mean 'LastName'?)"]


def test_only_the_first_unknown_members_get_a_search(difflib_calls: list[int]) -> None:
    data = {"DomainName": "d", **{f"FirstNme{index}": 1 for index in range(100)}}
    error = validation_error(models.CreateProfileRequest, data)
    assert len(difflib_calls) == 20
    suggested = [p for p in error.problems if "did you mean" in p.message]
    assert 0 < len(suggested) <= 20 and error.problem_count == 100


@pytest.mark.parametrize("length", [101, 1_000_000, 10_000_000])
def test_a_huge_unknown_name_is_not_searched(length: int, difflib_calls: list[int]) -> None:
    name = ("FirstName" + SECRET * length)[:length]
    error = validation_error(models.CreateProfileRequest, {"DomainName": "d", name: SECRET})
    assert_bounded(error, 1)
    assert difflib_calls == [] and error.problems[0].message == "not a member of this shape"


def test_a_name_of_a_hundred_characters_is_still_searched(difflib_calls: list[int]) -> None:
    validation_error(models.CreateProfileRequest, {"DomainName": "d", "FirstNam" + "e" * 92: 1})
    assert difflib_calls == [100]


def test_a_huge_value_under_an_unknown_name_is_not_quoted() -> None:
    error = validation_error(models.CreateProfileRequest, {"DomainName": "d", "Unknown": SECRET * 1_000_000})
    assert_bounded(error, 1)


# -- many invalid items ---------------------------------------------------------------------------


def test_a_hundred_thousand_invalid_list_items() -> None:
    data = {"DomainName": "d", "KeyName": "k", "Values": [index for index in range(100_000)]}
    error = validation_error(models.SearchProfilesRequest, data)
    assert_bounded(error, 100_000)
    assert [p.path for p in error.problems[:3]] == ["Values[0]", "Values[1]", "Values[2]"]
    assert error.problems[-1].path == f"Values[{MAX_KEPT_PROBLEMS - 1}]"


def test_a_hundred_thousand_invalid_structures_in_a_list() -> None:
    keys = [{"FieldNames": [SECRET], "StandardIdentifiers": ["NOT_AN_IDENTIFIER"]} for _ in range(100_000)]
    error = validation_error(models.PutProfileObjectTypeRequest,
                             {"DomainName": "d", "ObjectTypeName": "t", "Description": "x", "Keys": {"k": keys}})
    assert_bounded(error, 100_000)
    assert error.problems[0].path == "Keys[<key>][0].StandardIdentifiers[0]" and error.problems[0].rule == "enum"


def test_a_hundred_thousand_invalid_map_keys_and_values() -> None:
    attributes = {f"{SECRET}-{index}-" + "x" * 300: "" for index in range(100_000)}
    error = validation_error(models.CreateProfileRequest, {"DomainName": "d", "Attributes": attributes})
    assert_bounded(error, 200_000)
    assert {p.path for p in error.problems} == {"Attributes[<key>]", "Attributes[<key>] (map key)"}


def test_deep_nesting_under_a_structure_member() -> None:
    deep: dict[str, Any] = {}
    node = deep
    for _ in range(5_000):
        node[SECRET] = {}
        node = node[SECRET]
    error = validation_error(models.CreateProfileRequest, {"DomainName": "d", "Address": deep})
    assert_bounded(error, 1)


def test_assignment_reports_are_bounded_too() -> None:
    request = models.CreateProfileRequest(domain_name="d")
    with pytest.raises(ParamValidationError) as caught:
        request.attributes = {f"{SECRET}{index}": "" for index in range(5_000)}
    assert_bounded(caught.value, 5_000)
    assert request.attributes is None


# -- the error classes ----------------------------------------------------------------------------


def test_an_error_built_from_many_problems_keeps_a_bounded_share() -> None:
    problems = [Problem(f"Items[{index}]", "type", "expected a string") for index in range(5_000)]
    error = ParamValidationError("Shape", problems)
    assert_bounded(error, 5_000)
    assert error.problems == tuple(problems[:MAX_KEPT_PROBLEMS])
    explicit = ParamValidationError("Shape", problems[:3], 70_000)
    assert explicit.problem_count == 70_000 and str(explicit).endswith("  ... and 69997 more")
    parse = ResponseParseError("Shape", iter(problems))  # type: ignore[arg-type]  # any iterable, as before
    assert len(str(parse).splitlines()) == MAX_LISTED_PROBLEMS + 2 and parse.problem_count == 5_000


def test_a_short_report_is_unchanged() -> None:
    error = ParamValidationError("Shape", [Problem("A", "required", "is required")])
    assert str(error) == "1 invalid parameter for Shape:\n  A: is required [rule=required]"
    assert error.problem_count == 1


def test_a_bounded_error_pickles_with_its_count() -> None:
    error = validation_error(models.SearchProfilesRequest,
                             {"DomainName": "d", "KeyName": "k", "Values": [0] * 3_000})
    again = pickle.loads(pickle.dumps(error))
    assert again.problem_count == 3_000 and again.problems == error.problems and str(again) == str(error)


# -- the emulator's 400 answers -------------------------------------------------------------------

UNKNOWN = {f"{SECRET}-{index}": 1 for index in range(50_000)}


def test_the_emulator_answers_fifty_thousand_unknown_members_briefly() -> None:
    client = Emulator().boto3_client(Config(parameter_validation=False, retries={"max_attempts": 1}))
    client.create_domain(DomainName="d", DefaultExpirationDays=1)

    def inject(params: dict[str, Any], **kwargs: Any) -> None:
        params["body"] = json.dumps({**json.loads(params["body"]), **UNKNOWN}).encode()

    client.meta.events.register("before-call.customer-profiles.CreateProfile", inject)
    with pytest.raises(ClientError) as caught:
        client.create_profile(DomainName="d", FirstName="a")
    error = caught.value.response["Error"]
    assert error["Code"] == "BadRequestException"
    message = error["Message"]
    assert message.startswith("50000 invalid parameters for CreateProfileRequest:")
    assert message.endswith(f"... and {50_000 - MAX_LISTED_PROBLEMS} more")
    assert len(message) < 5_000 and SECRET not in message


def test_the_served_emulator_answers_with_a_bounded_body() -> None:
    with Emulator().serve() as server:
        create = urllib.request.Request(f"{server.url}/domains/d", method="POST",
                                        data=json.dumps({"DefaultExpirationDays": 1}).encode(),
                                        headers={"Content-Type": "application/json"})
        urllib.request.urlopen(create, timeout=60).read()
        body = json.dumps({"FirstName": "a", **UNKNOWN}).encode()
        request = urllib.request.Request(f"{server.url}/domains/d/profiles", method="POST", data=body,
                                         headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request, timeout=60)
        answer = caught.value.read()
    assert caught.value.code == 400 and len(answer) < 5_000 and SECRET.encode() not in answer
    assert b"50000 invalid parameters" in answer
