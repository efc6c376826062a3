"""Deterministic, made-up response bodies and request arguments for the benchmarks.

No value here is real personal data: names, numbers and addresses are generated from an index.
"""

from __future__ import annotations

import json
from typing import Any


def _address(i: int, kind: str) -> dict[str, str]:
    return {
        "Address1": f"{i} {kind} Street",
        "Address2": f"Flat {i % 40}",
        "City": f"Town{i % 17}",
        "County": f"County{i % 5}",
        "State": "ST",
        "Country": "GB",
        "PostalCode": f"AB{i % 90:02d} {i % 9}CD",
    }


def profile(i: int) -> dict[str, Any]:
    """One profile with every commonly filled member set."""
    pid = f"{i:032x}"
    return {
        "ProfileId": pid,
        "AccountNumber": f"ACC-{i:08d}",
        "AdditionalInformation": f"Customer since {2000 + i % 25}; prefers email.",
        "PartyType": "INDIVIDUAL",
        "FirstName": f"Given{i}",
        "MiddleName": "M",
        "LastName": f"Family{i}",
        "BirthDate": f"19{50 + i % 50}-0{1 + i % 9}-1{i % 10}",
        "Gender": "UNSPECIFIED",
        "PhoneNumber": f"+44 20 7946 {i % 10000:04d}",
        "MobilePhoneNumber": f"+44 7700 9{i % 100000:05d}",
        "EmailAddress": f"person{i}@example.com",
        "PersonalEmailAddress": f"person{i}@example.org",
        "Address": _address(i, "Home"),
        "ShippingAddress": _address(i, "Ship"),
        "MailingAddress": _address(i, "Mail"),
        "BillingAddress": _address(i, "Bill"),
        "Attributes": {f"attr{k}": f"value-{i}-{k}" for k in range(8)},
        "FoundByItems": [{"KeyName": "_email", "Values": [f"person{i}@example.com"]}],
        "ProfileType": "PROFILE",
        "EngagementPreferences": {
            "Phone": [{"KeyName": "_phone", "KeyValue": f"+44 7700 9{i % 100000:05d}", "ProfileId": pid,
                       "ContactType": "MobilePhoneNumber"}],
            "Email": [{"KeyName": "_email", "KeyValue": f"person{i}@example.com", "ProfileId": pid,
                       "ContactType": "EmailAddress"}],
        },
    }


def search_profiles_body(count: int = 100) -> bytes:
    return json.dumps({"Items": [profile(i) for i in range(count)], "NextToken": "t" * 64}).encode()


def list_profile_objects_body(count: int = 100) -> bytes:
    items = []
    for i in range(count):
        order = {"OrderId": f"O-{i:06d}", "CustomerEmail": f"person{i}@example.com", "Total": 12.5 + i,
                 "Currency": "GBP", "Lines": [{"Sku": f"SKU{k}", "Qty": k + 1} for k in range(3)]}
        items.append({"ObjectTypeName": "Orders", "ProfileObjectUniqueKey": f"O-{i:06d}",
                      "Object": json.dumps(order)})
    return json.dumps({"Items": items, "NextToken": "t" * 64}).encode()


def get_profile_object_type_body(fields: int = 200) -> bytes:
    return json.dumps({
        "ObjectTypeName": "Orders",
        "Description": "Orders from the web shop",
        "ExpirationDays": 365,
        "AllowProfileCreation": True,
        "Fields": {f"field{k}": {"Source": f"_source.Field{k}", "Target": f"_profile.Attributes.field{k}",
                                 "ContentType": "STRING"} for k in range(fields)},
        "Keys": {"_order": [{"StandardIdentifiers": ["ORDER", "UNIQUE"], "FieldNames": ["field0"]}],
                 "_email": [{"StandardIdentifiers": ["PROFILE"], "FieldNames": ["field1"]}]},
        "CreatedAt": 1700000000.125,
        "LastUpdatedAt": 1700000100.5,
        "Tags": {"team": "data"},
    }).encode()


SMALL_GET_PROFILE_OBJECT_TYPE = json.dumps({
    "ObjectTypeName": "Orders",
    "Description": "Orders",
    "Keys": {"_order": [{"StandardIdentifiers": ["ORDER", "UNIQUE"], "FieldNames": ["OrderId"]}]},
    "CreatedAt": 1700000000,
}).encode()
SMALL_CREATE_PROFILE = json.dumps({"ProfileId": "0" * 32}).encode()
SMALL_PUT_PROFILE_OBJECT = json.dumps({"ProfileObjectUniqueKey": "O-000001"}).encode()

CREATE_PROFILE_ARGS: dict[str, Any] = {
    "DomainName": "shop",
    "FirstName": "Given",
    "LastName": "Family",
    "EmailAddress": "person@example.com",
    "PhoneNumber": "+44 20 7946 0000",
    "Address": {"Address1": "1 Home Street", "City": "Town", "Country": "GB", "PostalCode": "AB1 2CD"},
    "Attributes": {"tier": "gold", "source": "web"},
}
PUT_PROFILE_OBJECT_ARGS: dict[str, Any] = {
    "DomainName": "shop",
    "ObjectTypeName": "Orders",
    "Object": json.dumps({"OrderId": "O-000001", "CustomerEmail": "person@example.com", "Total": 12.5}),
}
