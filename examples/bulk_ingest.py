"""Bulk ingestion: load records as profile objects, with dead letters and a resumable checkpoint.

Run it with::

    python examples/bulk_ingest.py          # against the local emulator, offline
    python examples/bulk_ingest.py --aws    # against AWS (default credentials and Region)

It creates a domain and an ``Orders`` object type with a UNIQUE key, loads 250 generated orders
(three of them bad) with :func:`customer_profiles_sdk.bulk.ingest`, stops the first run on
purpose part-way, resumes it from the checkpoint, and shows the dead letters by position and code.
The domain is deleted at the end. The same load from a file, on the command line::

    customer-profiles-sdk ingest orders.jsonl --domain D --object-type Orders
"""

from __future__ import annotations

import argparse
import json
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from _common import new_domain

from customer_profiles_sdk import CustomerProfilesClient
from customer_profiles_sdk.bulk import ingest, no_retry_config
from customer_profiles_sdk.local import Emulator
from customer_profiles_sdk.models import ObjectTypeField, ObjectTypeKey

COUNT = 250
STOP_AT = 120  # the first run is stopped when it reads this record


class Stopped(Exception):
    """Stands for a crash (or Ctrl-C) in the middle of a load."""


def orders(stop_at: int | None = None) -> Iterator[Any]:
    """COUNT orders of a few customers; three are bad, as real exports sometimes are."""
    for number in range(COUNT):
        if number == stop_at:
            raise Stopped
        if number == 40:
            yield '{"id": "o-0040", "email": "jane@example.com"'  # cut-off JSON text
        elif number == 80:
            yield {"id": "o-0080", "email": "jane@example.com", "notes": "é" * 130_000}  # > 250 KB of UTF-8
        elif number == 160:
            yield ["o-0160", "jane@example.com"]  # not a JSON object
        else:
            yield {"id": f"o-{number:04d}", "email": f"customer{number % 9}@example.com",
                   "name": "Jane", "total": number % 50}


def run(client: CustomerProfilesClient, domain: str, workdir: Path) -> None:
    client.put_profile_object_type(
        domain_name=domain, object_type_name="Orders", description="Orders", allow_profile_creation=True,
        fields={"OrderId": ObjectTypeField(source="_source.id", target="_order.OrderId"),
                "Email": ObjectTypeField(source="_source.email", target="_profile.EmailAddress")},
        keys={"_orderId": [ObjectTypeKey(standard_identifiers=["UNIQUE"], field_names=["OrderId"])],
              "_email": [ObjectTypeKey(standard_identifiers=["PROFILE"], field_names=["Email"])]})
    print("object type:  Orders, UNIQUE key _orderId (a record sent twice replaces, never duplicates)")

    dead_letter = workdir / "orders.dead-letter.jsonl"
    checkpoint = workdir / "orders.checkpoint.json"
    try:
        ingest(client, domain_name=domain, object_type_name="Orders", records=orders(stop_at=STOP_AT),
               rate=50, dead_letter=dead_letter, checkpoint=checkpoint)
    except Stopped:
        print(f"first run:    stopped on purpose when reading record {STOP_AT}; the checkpoint keeps what was done")

    summary = ingest(client, domain_name=domain, object_type_name="Orders", records=orders(),
                     rate=50, dead_letter=dead_letter, checkpoint=checkpoint, resume=True)
    print(f"resumed:      {summary.accepted} accepted, {summary.dead_lettered} dead-lettered, "
          f"{summary.accepted + summary.dead_lettered} of {COUNT} records in all")

    entries = [json.loads(line) for line in dead_letter.read_text(encoding="utf-8").splitlines()]
    print(f"dead letters: {[(entry['position'], entry['code']) for entry in entries]}")
    print("              (the file holds the records themselves: personal data, keep it safe)")
    stats = client.get_domain(domain_name=domain).stats
    print(f"stored:       {stats.object_count if stats else None} objects in the domain")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--aws", action="store_true", help="call real AWS (default credentials and region)")
    parser.add_argument("--domain", help="name of the domain to create and delete (must not exist)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.aws:
            # ingest retries by itself, so botocore's retries are turned off.
            client = CustomerProfilesClient(config=no_retry_config())
            with new_domain(client, args.domain or f"cpsdk-example-{secrets.token_hex(4)}") as domain:
                run(client, domain, Path(folder))
        else:
            with Emulator() as emulator:
                client = emulator.client(no_retry_config())
                with new_domain(client, args.domain or "cpsdk-example-bulk") as domain:
                    run(client, domain, Path(folder))


if __name__ == "__main__":
    main()
