"""Detect an object type from sample JSON, then create it from what was detected.

    python examples/detect_object_type.py          # offline, against the SDK's in-memory emulator
    python examples/detect_object_type.py --aws    # real AWS: default credentials and region

``detect_profile_object_type`` asks the service to suggest Fields and Keys for a few sample
documents; the script then creates an object type from the suggestion. Offline, the emulator's
detection (its own deterministic heuristics: docs/guides/testing.md) answers; AWS may suggest
other names and keys for the same samples. With ``--aws`` the script creates a new domain
(``cpsdk-example-<random>``, or ``--domain``; an existing domain is refused), and deletes it at
the end, even after an error.
"""

from __future__ import annotations

import json

from _common import main

from customer_profiles_sdk import CustomerProfilesClient

# Sample documents, as a web shop might export them. Personal data on purpose: it goes to the
# service and is never printed.
SAMPLES = [
    {"OrderId": "o-1001", "Email": "jane@example.com", "FirstName": "Jane", "Total": 19.99,
     "PlacedAt": "2026-03-01T10:15:00Z"},
    {"OrderId": "o-1002", "Email": "sam@example.org", "FirstName": "Sam", "Total": 5.01,
     "PlacedAt": "2026-03-02T08:40:00Z"},
]


def run(client: CustomerProfilesClient, domain: str, aws: bool) -> None:
    reply = client.detect_profile_object_type(domain_name=domain, objects=[json.dumps(s) for s in SAMPLES])
    detected = reply.detected_profile_object_types or []
    print(f"detect:       {len(detected)} suggestion(s)")
    for suggestion in detected:
        for name, field in sorted((suggestion.fields or {}).items()):
            print(f"  field {name}: source={field.source} target={field.target} content_type={field.content_type}")
        for name, keys in sorted((suggestion.keys or {}).items()):
            for key in keys:
                print(f"  key {name}: {key.standard_identifiers} on {key.field_names}")
        if suggestion.source_last_updated_timestamp_format:
            print(f"  timestamp format: {suggestion.source_last_updated_timestamp_format}")

    # The detected Fields and Keys are the same model classes the request takes: they go straight
    # into put_profile_object_type, and are validated again on the way.
    if detected:
        created = client.put_profile_object_type(
            domain_name=domain, object_type_name="DetectedOrders", description="Created from detected fields",
            fields=detected[0].fields, keys=detected[0].keys, allow_profile_creation=True)
        print(f"created:      object type {created.object_type_name} with {len(created.fields or {})} fields")


if __name__ == "__main__":
    main(__doc__, run, "cpsdk-example-detect")
