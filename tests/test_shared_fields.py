"""Large answers are parsed with equal sets of members set shared between sibling models.

The sharing must be invisible: the same models, dumps, equality and pickles as an unshared parse,
and a change to one model never shows in another.
"""

from __future__ import annotations

import copy
import json
import pickle
import threading
from typing import Any

import pytest

from customer_profiles_sdk import _transport
from customer_profiles_sdk._model import SHARE_MIN_MEMBERS, _sharing_validator, _typed_validator
from customer_profiles_sdk.models import (
    Address,
    GetProfileObjectTypeResponse,
    ListIntegrationItem,
    ListIntegrationsResponse,
    ObjectTypeField,
    SearchProfilesResponse,
)

from .canned import Canned, sdk_client


def profile(index: int, *, extra: bool = False) -> dict[str, Any]:
    item: dict[str, Any] = {
        "ProfileId": f"{index:032x}", "FirstName": f"Given{index}", "LastName": "Family",
        "EmailAddress": f"person{index}@example.com",
        "Address": {"Address1": f"{index} Street", "City": "Town", "Country": "GB"},
        "ShippingAddress": {"Address1": f"{index} Street", "City": "Town", "Country": "GB"},
        "Attributes": {"tier": "gold"},
    }
    if index % 3 == 0:
        item["Address"]["PostalCode"] = "AB1 2CD"  # another set of members for some addresses
    if index % 5 == 0:
        item["MailingAddress"] = {"City": None}  # null sent: set, and kept as None
    if extra:
        item["Address"]["FutureMember"] = {"nested": [index]}
    return item


def body(count: int, extra: bool = False) -> bytes:
    return json.dumps({"Items": [profile(i, extra=extra) for i in range(count)], "NextToken": "t"}).encode()


def shared_and_plain(data: bytes) -> tuple[SearchProfilesResponse, SearchProfilesResponse]:
    shared = _sharing_validator(SearchProfilesResponse).validate_json(data, by_alias=True, by_name=False, context={})
    plain = _typed_validator(SearchProfilesResponse).validate_json(data, by_alias=True, by_name=False)
    return shared, plain


def addresses(response: SearchProfilesResponse) -> list[Address]:
    return [item.address for item in response.items or [] if item.address is not None]


@pytest.mark.parametrize("extra", [False, True])
def test_a_shared_parse_equals_an_unshared_one_in_every_way(extra: bool) -> None:
    shared, plain = shared_and_plain(body(60, extra))
    assert shared == plain
    assert shared.to_boto() == plain.to_boto()
    assert shared.to_boto()["Items"][1] == json.loads(body(60, extra))["Items"][1]
    assert shared.model_dump(exclude_unset=True) == plain.model_dump(exclude_unset=True)
    assert shared.model_dump_json(exclude_unset=True) == plain.model_dump_json(exclude_unset=True)
    assert pickle.loads(pickle.dumps(shared)) == plain
    sets = {id(address.__pydantic_fields_set__) for address in addresses(shared)}
    assert len(sets) == 2  # with and without PostalCode: 60 addresses, 2 sets
    assert len({id(address.__pydantic_fields_set__) for address in addresses(plain)}) == 60
    mailing = [item.mailing_address for item in shared.items or [] if item.mailing_address is not None]
    assert mailing and all(m.model_fields_set == {"city"} and m.city is None for m in mailing)


def test_a_change_to_one_model_never_shows_in_another() -> None:
    shared, plain = shared_and_plain(body(30))
    first, second, third = addresses(shared)[1:4]
    assert first.__pydantic_fields_set__ is second.__pydantic_fields_set__
    first.province = "Q"
    assert "province" not in second.model_fields_set and "province" in first.model_fields_set
    del third.city
    assert "city" in second.model_fields_set
    copied = second.model_copy(update={"county": "C"})
    assert "county" not in addresses(shared)[4].model_fields_set and "county" in copied.model_fields_set
    deep = copy.deepcopy(shared)
    addresses(deep)[5].state = "S"
    assert "state" not in addresses(shared)[5].model_fields_set
    unpickled = pickle.loads(pickle.dumps(shared))
    one, two = addresses(unpickled)[7:9]
    one.state = "S"
    assert "state" not in two.model_fields_set
    assert addresses(plain)[4].to_boto() == addresses(shared)[4].to_boto()


def test_the_client_shares_only_for_large_bodies(monkeypatch: pytest.MonkeyPatch) -> None:
    canned = Canned()
    sdk = sdk_client(canned)
    small = body(20)
    assert len(small) < _transport.SHARE_MIN_BYTES
    canned.set(small)
    response = sdk.search_profiles(domain_name="d", key_name="k", values=["v"])
    assert len({id(address.__pydantic_fields_set__) for address in addresses(response)}) == 20
    monkeypatch.setattr(_transport, "SHARE_MIN_BYTES", len(small))
    response = sdk.search_profiles(domain_name="d", key_name="k", values=["v"])
    assert len({id(address.__pydantic_fields_set__) for address in addresses(response)}) == 2
    assert response == shared_and_plain(small)[1]


def test_a_large_body_the_typed_validator_refuses_is_still_parsed_leniently(monkeypatch: pytest.MonkeyPatch) -> None:
    canned = Canned()
    sdk = sdk_client(canned)
    data = json.loads(body(10))
    data["Items"][3]["FirstName"] = 5  # the wrong JSON type: kept as sent, through the lenient validator
    raw = json.dumps(data).encode()
    monkeypatch.setattr(_transport, "SHARE_MIN_BYTES", 0)
    canned.set(raw)
    response = sdk.search_profiles(domain_name="d", key_name="k", values=["v"])
    assert (response.items or [])[3].to_boto()["FirstName"] == 5
    assert response.to_boto()["Items"][1] == data["Items"][1]


def test_parses_in_threads_share_nothing_between_them() -> None:
    results: list[SearchProfilesResponse] = []
    errors: list[BaseException] = []

    def work(count: int) -> None:
        try:
            for _ in range(20):
                results.append(shared_and_plain(body(count))[0])
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(count,)) for count in (7, 8, 9, 10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors and len(results) == 80
    seen: dict[int, int] = {}
    for response in results:
        for address in addresses(response):
            seen.setdefault(id(address.__pydantic_fields_set__), id(response))
            assert seen[id(address.__pydantic_fields_set__)] == id(response)  # never another parse's set


def test_other_response_classes_share_too() -> None:
    data = json.dumps({"Items": [
        {"DomainName": "shop", "Uri": f"arn:aws:flow:us-east-1:123456789012:flow/f{k}", "ObjectTypeName": "o",
         "CreatedAt": 1, "LastUpdatedAt": 2, "Tags": {"k": "v"}} for k in range(50)
    ]}).encode()
    shared = _sharing_validator(ListIntegrationsResponse).validate_json(data, by_alias=True, by_name=False,
                                                                       context={})
    plain = _typed_validator(ListIntegrationsResponse).validate_json(data, by_alias=True, by_name=False)
    assert shared == plain and shared.to_boto() == plain.to_boto() and len(shared.items or []) == 50
    assert len({id(item.__pydantic_fields_set__) for item in shared.items or []}) == 1


def test_classes_with_few_members_keep_their_own_sets() -> None:
    # A set of at most four names is small: sharing it costs more time than it saves memory
    # (_model.SHARE_MIN_MEMBERS). ObjectTypeField has three members.
    assert len(ObjectTypeField.model_fields) < SHARE_MIN_MEMBERS <= len(ListIntegrationItem.model_fields)
    data = json.dumps({"ObjectTypeName": "o", "Description": "d", "Fields": {
        f"f{k}": {"Source": f"_source.f{k}", "Target": f"_profile.f{k}", "ContentType": "STRING"} for k in range(50)
    }}).encode()
    shared = _sharing_validator(GetProfileObjectTypeResponse).validate_json(data, by_alias=True, by_name=False,
                                                                           context={})
    plain = _typed_validator(GetProfileObjectTypeResponse).validate_json(data, by_alias=True, by_name=False)
    assert shared == plain and shared.to_boto() == json.loads(data)
    assert len({id(field.__pydantic_fields_set__) for field in (shared.fields or {}).values()}) == 50


def test_a_change_made_through_model_fields_set_shows_in_that_model_only() -> None:
    shared, plain = shared_and_plain(body(30))
    first, second, third = (addresses(shared)[index] for index in (1, 2, 4))  # no PostalCode: one set
    assert first.__pydantic_fields_set__ is second.__pydantic_fields_set__ is third.__pydantic_fields_set__
    first.model_fields_set.discard("city")  # in place, as pydantic allows
    assert "city" not in first.model_fields_set and "city" not in first.model_dump(exclude_unset=True)
    assert second.model_dump(exclude_unset=True) == addresses(plain)[2].model_dump(exclude_unset=True)
    assert "city" in second.model_dump(exclude_unset=True)
    third.model_fields_set.add("province")
    assert "province" in third.model_dump(exclude_unset=True)
    assert all("province" not in a.model_dump(exclude_unset=True) for a in addresses(shared) if a is not third)
    # the copy pydantic-core makes when it validates a model again shares its set too
    again = Address.model_validate(second)
    again.model_fields_set.add("county")
    assert "county" not in second.model_fields_set and "county" in again.model_fields_set
    assert "county" in again.model_dump(exclude_unset=True)
