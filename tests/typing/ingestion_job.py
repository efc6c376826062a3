"""A user's small ingestion job, written from the README and docs only.

tests/test_typing_user.py type-checks this folder with ``mypy --strict`` and pyright (basic) and
expects no error at all: every type below is checked with ``assert_type``. It also runs
:func:`run` against the local emulator, so what type-checks here also works.
"""

from __future__ import annotations

import json
from typing import Any, assert_type

from customer_profiles_sdk import (
    CustomerProfilesClient,
    Failure,
    Paginator,
    ParamValidationError,
    PartialFailureError,
    Problem,
)
from customer_profiles_sdk.models import (
    AddressDict,
    BatchGetProfileResponse,
    ListProfileObjectsItem,
    ListProfileObjectsResponse,
    ObjectTypeField,
    ObjectTypeFieldDict,
    ObjectTypeKey,
    ObjectTypeKeyDict,
    Profile,
    PutProfileObjectTypeRequest,
    StandardIdentifier,
    UpdateAddress,
)

ORDERS = "Orders"


def define_orders(client: CustomerProfilesClient, domain: str) -> None:
    """Object type with dict literals, as a boto3 user writes them (wire names)."""
    client.put_profile_object_type(
        domain_name=domain,
        object_type_name=ORDERS,
        description="Orders from the web shop",
        fields={
            "OrderId": {"Source": "_source.OrderId", "Target": "_order.OrderId", "ContentType": "STRING"},
            "Email": {"Source": "_source.Email", "Target": "_profile.EmailAddress", "ContentType": "EMAIL_ADDRESS"},
        },
        keys={
            "_order": [{"StandardIdentifiers": ["ORDER", "UNIQUE"], "FieldNames": ["OrderId"]}],
            "_email": [{"StandardIdentifiers": [StandardIdentifier.PROFILE], "FieldNames": ["Email"]}],
        },
    )


def orders_request(domain: str) -> PutProfileObjectTypeRequest:
    """Models and dicts mixed, in variables annotated with the TypedDicts."""
    order_key: ObjectTypeKeyDict = {"StandardIdentifiers": ["ORDER", "UNIQUE"], "FieldNames": ["OrderId"]}
    email_field: ObjectTypeFieldDict = {"Source": "_source.Email", "Target": "_profile.EmailAddress"}
    request = PutProfileObjectTypeRequest(
        domain_name=domain,
        object_type_name=ORDERS,
        description="Orders from the web shop",
        fields={"OrderId": ObjectTypeField(source="_source.OrderId", target="_order.OrderId"), "Email": email_field},
        keys={
            "_order": [order_key],
            "_email": [ObjectTypeKey(standard_identifiers=["PROFILE"], field_names=["Email"])],
        },
    )
    # Reading a field gives the model type, never the TypedDict: the dicts were validated into models.
    assert_type(request.keys, dict[str, list[ObjectTypeKey]] | None)
    assert_type(request.fields, dict[str, ObjectTypeField] | None)
    return request


def ingest(client: CustomerProfilesClient, domain: str, orders: list[dict[str, Any]]) -> str:
    """Create a profile and attach each order to it; returns the profile id."""
    home: AddressDict = {"City": "Leeds", "Country": "GB"}
    created = client.create_profile(
        domain_name=domain, first_name="Jane", email_address="jane@example.com", address=home,
        party_type="INDIVIDUAL",
    )
    profile_id = created.profile_id
    assert_type(profile_id, str)
    client.update_profile(domain_name=domain, profile_id=profile_id, billing_address={"City": "York"})
    client.update_profile(domain_name=domain, profile_id=profile_id, shipping_address=UpdateAddress(city="Hull"))
    for order in orders:
        put = client.put_profile_object(
            domain_name=domain, object_type_name=ORDERS, object=json.dumps({**order, "Email": "jane@example.com"})
        )
        assert_type(put.profile_object_unique_key, str | None)
    return profile_id


def list_orders(client: CustomerProfilesClient, domain: str, profile_id: str) -> list[str]:
    """Items and pages of a paginator, with its options."""
    paginator = client.paginate_list_profile_objects(
        domain_name=domain, object_type_name=ORDERS, profile_id=profile_id, page_size=2, max_items=10
    )
    assert_type(paginator, Paginator[ListProfileObjectsItem, ListProfileObjectsResponse])
    keys: list[str] = []
    for item in paginator:
        assert_type(item, ListProfileObjectsItem)
        if item.profile_object_unique_key is not None:
            keys.append(item.profile_object_unique_key)
    for page in paginator.pages():
        assert_type(page, ListProfileObjectsResponse)
    assert_type(paginator.resume_token, str | None)
    return keys


def fetch_profiles(client: CustomerProfilesClient, domain: str, ids: list[str]) -> tuple[list[Profile], list[str]]:
    """A batch call whose failures are caught, with the typed response kept: (profiles, failed ids)."""
    failed: list[str] = []
    try:
        result = client.batch_get_profile(domain_name=domain, profile_ids=ids)
    except PartialFailureError as exc:
        # One except clause catches them all; the annotation gives .response its type.
        failure: PartialFailureError[BatchGetProfileResponse] = exc
        assert_type(failure.response, BatchGetProfileResponse)
        assert_type(failure.failures, tuple[Failure, ...])
        assert_type(failure.failed_ids, tuple[str, ...])
        failed = list(failure.failed_ids)
        result = failure.response
    assert_type(result, BatchGetProfileResponse)
    return list(result.profiles or []), failed


def bad_input_is_reported(client: CustomerProfilesClient, domain: str) -> tuple[Problem, ...]:
    """Run-time validation still catches what static typing cannot (a pattern, a length)."""
    try:
        client.create_profile(domain_name=domain, first_name="x" * 300)
    except ParamValidationError as exc:
        assert_type(exc.problems, tuple[Problem, ...])
        return exc.problems
    raise AssertionError("no ParamValidationError")


def run(client: CustomerProfilesClient, domain: str = "shop") -> dict[str, Any]:
    """The whole job, as tests/test_typing_user.py runs it against the emulator."""
    client.create_domain(domain_name=domain, default_expiration_days=365)
    define_orders(client, domain)
    client.send(orders_request(domain))
    profile_id = ingest(client, domain, [{"OrderId": f"o-{n}"} for n in range(3)])
    keys = list_orders(client, domain, profile_id)
    profiles, failed = fetch_profiles(client, domain, [profile_id, "0" * 32])
    problems = bad_input_is_reported(client, domain)
    return {"profile_id": profile_id, "keys": keys, "profiles": profiles, "failed": failed, "problems": problems}
