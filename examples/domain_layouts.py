"""Domain layouts: create, read, update (the version moves on), list and delete.

    python examples/domain_layouts.py          # offline, against the SDK's in-memory emulator
    python examples/domain_layouts.py --aws    # real AWS: default credentials and region

A domain layout is a JSON document, stored as a string, that says how agents see profiles in the
profile explorer. With ``--aws`` the script creates a new domain (``cpsdk-example-<random>``, or
``--domain``; an existing domain is refused), and deletes it at the end, even after an error.
"""

from __future__ import annotations

import json

from _common import main

from customer_profiles_sdk import CustomerProfilesClient, ResourceNotFoundError
from customer_profiles_sdk.models import LayoutType

# The layout document (an illustration: the service stores it as a JSON string).
SUMMARY = {"sections": [{"title": "Contact", "fields": ["FirstName", "LastName", "EmailAddress"]},
                        {"title": "Orders", "fields": ["total_spend"]}]}
COMPACT = {"sections": [{"title": "Contact", "fields": ["FirstName", "EmailAddress"]}]}


def list_layouts(client: CustomerProfilesClient, domain: str) -> str:
    items = client.paginate_list_domain_layouts(domain_name=domain)
    return ", ".join(f"{item.layout_definition_name}{' (default)' if item.is_default else ''}" for item in items) \
        or "(none)"


def run(client: CustomerProfilesClient, domain: str, aws: bool) -> None:
    # 1. Create: the layout itself is a JSON string; layout_type takes the enum member or its text.
    created = client.create_domain_layout(
        domain_name=domain,
        layout_definition_name="order-summary",
        display_name="Order summary",
        description="Contact details and spend",
        layout_type=LayoutType.PROFILE_EXPLORER,
        layout=json.dumps(SUMMARY),
        is_default=True,
    )
    print(f"created:      {created.layout_definition_name} version={created.version} default={created.is_default}")

    # 2. Read it back. The layout and the description show as <redacted> in the response's repr
    #    (the service model marks them sensitive); the attributes hold the values.
    layout = client.get_domain_layout(domain_name=domain, layout_definition_name="order-summary")
    sections = [section["title"] for section in json.loads(layout.layout or "{}")["sections"]]
    print(f"read:         {layout.display_name!r} version={layout.version} sections={sections}")

    # 3. Update: only the members passed change, and the version moves on.
    updated = client.update_domain_layout(
        domain_name=domain, layout_definition_name="order-summary", display_name="Orders and contact")
    print(f"updated:      {updated.display_name!r} version {layout.version} -> {updated.version}")

    # 4. A second layout, then make it the default: the other one stops being the default.
    client.create_domain_layout(
        domain_name=domain, layout_definition_name="compact", display_name="Compact",
        description="Contact details only", layout_type="PROFILE_EXPLORER", layout=json.dumps(COMPACT))
    print(f"list:         {list_layouts(client, domain)}")
    client.update_domain_layout(domain_name=domain, layout_definition_name="compact", is_default=True)
    print(f"new default:  {list_layouts(client, domain)}")

    # 5. Delete both; reading a deleted layout raises ResourceNotFoundError.
    for name in ("order-summary", "compact"):
        client.delete_domain_layout(domain_name=domain, layout_definition_name=name)
    print(f"deleted:      list is now {list_layouts(client, domain)}")
    try:
        client.get_domain_layout(domain_name=domain, layout_definition_name="compact")
    except ResourceNotFoundError as error:
        print(f"read again:   {type(error).__name__} ({error.http_status})")


if __name__ == "__main__":
    main(__doc__, run, "cpsdk-example-layouts")
