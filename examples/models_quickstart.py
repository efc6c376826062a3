"""Quickstart for the models: build validated requests, see errors, parse a response.

    python examples/models_quickstart.py

Models only, no client: nothing here talks to AWS or to the emulator, so ``--aws`` (accepted like
in the other examples) changes nothing. For the client, see ``examples/quickstart.py``.
"""

from __future__ import annotations

import argparse

from customer_profiles_sdk import ParamValidationError
from customer_profiles_sdk.models import (
    CreateProfileRequest,
    GetProfileObjectTypeResponse,
    ObjectTypeKey,
    PutProfileObjectTypeRequest,
    StandardIdentifier,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--aws", action="store_true", help="no effect: this example makes no calls")
    parser.parse_args()

    # 1. A valid request: Python names in, the wire dict boto3 expects out.
    orders = PutProfileObjectTypeRequest(
        domain_name="shop",
        object_type_name="Orders",
        description="Orders from the web shop",
        keys={
            "_order": [ObjectTypeKey(standard_identifiers=[StandardIdentifier.ORDER, "UNIQUE"],
                                     field_names=["OrderId"])],
            "_profile": [ObjectTypeKey(standard_identifiers=["PROFILE"], field_names=["Email"])],
        },
    )
    print("put_profile_object_type params:", orders.to_boto())

    # 2. Personal data is sent as is, but never shown in repr or errors.
    jane = CreateProfileRequest(domain_name="shop", first_name="Jane", email_address="jane@example.com")
    print("repr:", repr(jane))

    # 3. Bad input is rejected before anything is sent, naming each field path and rule.
    try:
        CreateProfileRequest.model_validate(
            {"DomainName": "x" * 65, "EmailAddress": "jane@example.com", "PartyType": "ROBOT"}
        )
    except ParamValidationError as error:
        print(error)

    # 4. Responses are lenient and lossless: a newer enum value and an unknown member are kept.
    reply = GetProfileObjectTypeResponse.model_validate({
        "ObjectTypeName": "Orders",
        "Description": "Orders from the web shop",
        "Keys": {"_order": [{"StandardIdentifiers": ["ORDER", "SPACESHIP"], "FieldNames": ["OrderId"]}]},
        "CreatedAt": 1_700_000_000,
        "SomethingNew": {"added": "later"},
    })
    print("created at:", reply.created_at.isoformat() if reply.created_at else None)
    print("unknown member kept:", reply.model_extra)

    # 5. Keys read from a response go straight back into the next request, and are re-checked
    #    strictly on the way: the unknown "SPACESHIP" identifier is caught before sending.
    try:
        PutProfileObjectTypeRequest(
            domain_name="shop", object_type_name="OrdersCopy", description="copy", keys=reply.keys
        )
    except ParamValidationError as error:
        print("re-sent keys are re-validated:", error.problems[0])


if __name__ == "__main__":
    main()
