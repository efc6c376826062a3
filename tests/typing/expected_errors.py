"""Mistakes a user can make, each of which both type checkers must report.

Every marked line carries ``# type: ignore[<mypy code>]`` and ``# pyright: ignore[<pyright rule>]``.
mypy runs with ``--strict`` (``warn_unused_ignores``) and pyright with
``reportUnnecessaryTypeIgnoreComment`` and ``enableTypeIgnoreComments = false``
(tests/typing/pyrightconfig.json), so a marked line that stops being an error fails the check, and
so does any unmarked error. Nothing here is run: the functions are only type-checked.
"""

from __future__ import annotations

from typing import Any, assert_type

from customer_profiles_sdk import CustomerProfilesClient, PartialFailureError
from customer_profiles_sdk.models import (
    Address,
    AddressDict,
    BatchGetProfileResponse,
    CreateProfileRequest,
    GetDomainResponse,
    ObjectTypeKey,
    ObjectTypeKeyDict,
    PutProfileObjectTypeRequest,
)


def misspelled_and_wrong_values(client: CustomerProfilesClient) -> None:
    # A misspelled key inside a nested dict (StandardIdentifier for StandardIdentifiers).
    client.put_profile_object_type(
        domain_name="shop", object_type_name="Orders", description="Orders",
        keys={"_order": [{"StandardIdentifier": ["ORDER"], "FieldNames": ["OrderId"]}]},  # type: ignore[list-item]  # pyright: ignore[reportArgumentType]
    )
    # An enum value that does not exist.
    client.put_profile_object_type(
        domain_name="shop", object_type_name="Orders", description="Orders",
        keys={"_order": [{"StandardIdentifiers": ["ORDERS"], "FieldNames": ["OrderId"]}]},  # type: ignore[list-item]  # pyright: ignore[reportArgumentType]
    )
    # Python names are for keyword arguments and models; dicts take wire names, as boto3 does.
    client.create_profile(domain_name="shop", address={"city": "Leeds"})  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    # A value of the wrong type inside a dict.
    client.create_profile(domain_name="shop", address={"City": 7})  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    # A required member of a nested structure left out (AttributeDetails needs Attributes).
    client.create_calculated_attribute_definition(
        domain_name="shop", calculated_attribute_name="total", statistic="SUM",
        attribute_details={"Expression": "{Orders.Amount}"},  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    )
    # A top-level enum argument with a wrong value.
    client.create_profile(domain_name="shop", party_type="PERSON")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


def typed_dict_variables() -> None:
    key: ObjectTypeKeyDict = {"StandardIdentifiers": ["ORDER"], "FieldName": ["OrderId"]}  # type: ignore[typeddict-unknown-key]  # pyright: ignore[reportAssignmentType]
    address: AddressDict = {"City": "Leeds"}
    address["PostCode"] = "LS1"  # type: ignore[typeddict-unknown-key]  # pyright: ignore[reportGeneralTypeIssues]
    del key, address


def model_constructors() -> None:
    # Input models take dicts in their constructors too, and check them the same way.
    CreateProfileRequest(domain_name="shop", address={"City": "Leeds"})
    CreateProfileRequest(domain_name="shop", address={"Town": "Leeds"})  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    PutProfileObjectTypeRequest(
        domain_name="shop", object_type_name="Orders", description="Orders",
        keys={"_order": [{"StandardIdentifiers": ["NOPE"]}]},  # type: ignore[list-item]  # pyright: ignore[reportArgumentType]
    )
    # The required members are still required.
    CreateProfileRequest(address={"City": "Leeds"})  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]


def fields_hold_models(request: CreateProfileRequest) -> None:
    # Reading a field gives the model type, never the dict: only the model's attributes exist.
    assert_type(request.address, Address | None)
    if request.address is not None:
        print(request.address["City"])  # type: ignore[index]  # pyright: ignore[reportIndexIssue]
    # Assigning is validated at run time, but a field is typed as the model: assign a model.
    request.address = {"City": "Leeds"}  # type: ignore[assignment]  # pyright: ignore[reportAttributeAccessIssue]
    request.address = Address(city="Leeds")


def paginator_options(client: CustomerProfilesClient) -> None:
    client.paginate_list_domains(page_size="10")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    client.paginate_list_domains(max_results=10)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    client.paginate_list_domains(starting_token=3)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


def partial_failures(client: CustomerProfilesClient, response: BatchGetProfileResponse) -> None:
    error = PartialFailureError("BatchGetProfile", response, [])
    assert_type(error, PartialFailureError[BatchGetProfileResponse])
    assert_type(error.response, BatchGetProfileResponse)
    # A parametrized error is not one of another operation's response.
    wrong: PartialFailureError[GetDomainResponse] = error  # type: ignore[assignment]  # pyright: ignore[reportAssignmentType]
    try:
        client.batch_get_profile(domain_name="shop", profile_ids=["a"])
    except PartialFailureError as exc:
        # Caught bare, the response type is not known: Any, until a variable is annotated.
        assert_type(exc, PartialFailureError[Any])
        typed: PartialFailureError[BatchGetProfileResponse] = exc
        print(typed.response.no_such_member)  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue]
    del wrong


def lists_and_maps_of_structures(client: CustomerProfilesClient, keys: list[ObjectTypeKey]) -> None:
    # Lists and maps that hold structures are typed Sequence and Mapping (covariant): a list of
    # models, a list of dicts, or a model's field passes as it is.
    only_dicts: list[ObjectTypeKeyDict] = [{"FieldNames": ["OrderId"]}]
    request = PutProfileObjectTypeRequest(
        domain_name="shop", object_type_name="Orders", description="Orders", keys={"_order": only_dicts}
    )
    client.put_profile_object_type(
        domain_name="shop", object_type_name="Orders", description="Orders", keys={"_order": keys}
    )
    client.put_profile_object_type(
        domain_name="shop", object_type_name="Orders", description="Orders", keys=request.keys
    )
    # Other lists keep the exact type: a set of strings is not a list.
    client.batch_get_profile(domain_name="shop", profile_ids={"a", "b"})  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    # A wrong element inside a list of structures is still an error.
    client.put_profile_object_type(
        domain_name="shop", object_type_name="Orders", description="Orders",
        keys={"_order": [Address(city="Leeds")]},  # type: ignore[list-item]  # pyright: ignore[reportArgumentType]
    )
