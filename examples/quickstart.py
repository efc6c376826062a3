"""Quickstart: a domain, an object type, orders, a search and a calculated attribute.

    python examples/quickstart.py          # offline, against the SDK's in-memory emulator
    python examples/quickstart.py --aws    # real AWS: default credentials and region

The same code runs in both modes. Offline, ``customer_profiles_sdk.local.Emulator`` answers every
call inside this process: requests are still validated, serialized, signed and parsed, but nothing
leaves the machine. With ``--aws`` the script creates a new domain (``cpsdk-example-<random>``, or
the name given with ``--domain``; it refuses a domain that already exists), works only inside it,
and deletes it at the end, even after an error.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import TypeVar

from _common import main

from customer_profiles_sdk import CustomerProfilesClient
from customer_profiles_sdk.models import (
    AttributeDetails,
    AttributeItem,
    ObjectTypeField,
    ObjectTypeKey,
    StandardIdentifier,
)

T = TypeVar("T")

# Sample data. It is personal data on purpose: the script never prints it, and the SDK's reprs
# show such members as <redacted>.
EMAIL = "jane@example.com"
ORDERS = [
    {"OrderId": "o-1001", "Email": EMAIL, "FirstName": "Jane", "Total": 19.99},
    {"OrderId": "o-1002", "Email": EMAIL, "FirstName": "Jane", "Total": 5.01},
    {"OrderId": "o-1003", "Email": EMAIL, "FirstName": "Jane", "Total": 25},
    {"OrderId": "o-2001", "Email": "sam@example.org", "FirstName": "Sam", "Total": 12.5},
]


def run(client: CustomerProfilesClient, domain: str, aws: bool) -> None:
    # 1. Orders: where each field of an order document goes, and which fields are keys. A PROFILE
    #    key finds (or, with allow_profile_creation, creates) the order's customer profile; the
    #    UNIQUE key makes a re-sent order replace the stored one instead of adding a copy.
    orders = client.put_profile_object_type(
        domain_name=domain,
        object_type_name="Orders",
        description="Orders from the web shop",
        allow_profile_creation=True,
        fields={
            "Email": ObjectTypeField(source="_source.Email", target="_profile.EmailAddress",
                                     content_type="EMAIL_ADDRESS"),
            "FirstName": ObjectTypeField(source="_source.FirstName", target="_profile.FirstName",
                                         content_type="NAME"),
            "OrderId": ObjectTypeField(source="_source.OrderId", content_type="STRING"),
            "Total": ObjectTypeField(source="_source.Total", content_type="NUMBER"),
        },
        keys={
            "_email": [ObjectTypeKey(standard_identifiers=[StandardIdentifier.PROFILE], field_names=["Email"])],
            "OrderId": [ObjectTypeKey(standard_identifiers=["UNIQUE"], field_names=["OrderId"])],
        },
    )
    print(f"object type:  {orders.object_type_name}, keys {sorted(orders.keys or {})}, "
          f"fields {sorted(orders.fields or {})}")

    # 2. A calculated attribute: each profile's total spend. It is created before the orders
    #    arrive, so every order counts (pass use_historical_data=True to include older ones).
    spend = client.create_calculated_attribute_definition(
        domain_name=domain,
        calculated_attribute_name="total_spend",
        display_name="Total spend",
        attribute_details=AttributeDetails(attributes=[AttributeItem(name="Orders.Total")],
                                           expression="{Orders.Total}"),
        statistic="SUM",
    )
    print(f"calculated:   {spend.calculated_attribute_name} = {spend.statistic} of "
          f"{spend.attribute_details.expression if spend.attribute_details else '?'}")

    # 3. Ingest: each order is a JSON document; the service maps it onto a profile. Sending an
    #    order again replaces it (same UNIQUE key), so it is not counted twice.
    stored = []
    for order in ORDERS:
        reply = client.put_profile_object(domain_name=domain, object_type_name="Orders", object=json.dumps(order))
        stored.append(reply.profile_object_unique_key)
    again = client.put_profile_object(domain_name=domain, object_type_name="Orders", object=json.dumps(ORDERS[0]))
    print(f"ingested:     {len(stored)} orders; the first one sent again kept its unique key: "
          f"{again.profile_object_unique_key == stored[0]}")

    # 4. Search by the standard _email key. Typed Profile models come back; their repr shows
    #    which members are set but hides personal data (profile.email_address has the value).
    found = eventually(lambda: client.search_profiles(domain_name=domain, key_name="_email", values=[EMAIL]),
                       lambda reply: bool(reply.items), aws=aws)
    profiles = found.items or []
    print(f"search:       _email matched {len(profiles)} profile(s)")
    if not profiles:
        return
    profile = profiles[0]
    # (The id is left out of the repr here because offline it is random; it is not personal data.)
    print(f"profile:      {profile.model_copy(update={'profile_id': None})!r}")

    # 5. The calculated attribute for that profile: 19.99 + 5.01 + 25 (AWS computes it shortly
    #    after the orders arrive).
    total = eventually(
        lambda: client.get_calculated_attribute_for_profile(
            domain_name=domain, calculated_attribute_name="total_spend", profile_id=profile.profile_id or ""),
        lambda reply: reply.value is not None, aws=aws)
    print(f"total spend:  {total.value} ({total.display_name}, over the customer's 3 orders)")


def eventually(read: Callable[[], T], ready: Callable[[T], bool], *, aws: bool) -> T:
    """Offline the emulator answers at once; AWS indexes new data within seconds, so poll there."""
    deadline = time.monotonic() + (120 if aws else 0)
    while not ready(result := read()) and time.monotonic() < deadline:
        time.sleep(3)
    return result


if __name__ == "__main__":
    main(__doc__, run, "cpsdk-example-quickstart")
