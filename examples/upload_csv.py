"""Upload a CSV file of customers with ``client.upload_csv``: one call for the whole upload job.

Run it with::

    python examples/upload_csv.py          # against the local emulator, offline
    python examples/upload_csv.py --aws    # against AWS (default credentials and Region)

It writes a CSV file of 1,000 customers (three rows are bad, as real exports sometimes are),
then ``upload_csv`` creates an upload job with the field mappings, gets its upload URL, streams
the file to it with the job's SSE-C key, starts the job and waits for it. The job ends
``PARTIALLY_SUCCEEDED``: 997 rows made profiles, 3 failed. A path that names no file is refused
before anything is sent. The domain is deleted at the end.

Offline, the wait moves the emulator's clock (``sleep=emulator.advance``) instead of sleeping.
"""

from __future__ import annotations

import argparse
import csv
import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path

from _common import new_domain

from customer_profiles_sdk import CustomerProfilesClient, ParamValidationError
from customer_profiles_sdk.local import Emulator
from customer_profiles_sdk.models import ObjectTypeField

ROWS = 1_000
BAD = (100, 500, 900)  # rows cut short: they fail, the others go in

FIELDS = {
    "CustomerId": ObjectTypeField(source="_source.CustomerId", target="_profile.AccountNumber"),
    "FirstName": ObjectTypeField(source="_source.FirstName", target="_profile.FirstName"),
    "Email": ObjectTypeField(source="_source.Email", target="_profile.EmailAddress"),
}


def write_customers(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["CustomerId", "FirstName", "Email"])
        for number in range(ROWS):
            if number in BAD:
                writer.writerow([f"c{number:04d}"])  # one value for three columns
            else:
                writer.writerow([f"c{number:04d}", f"Customer{number}", f"customer{number}@example.com"])


def run(client: CustomerProfilesClient, domain: str, workdir: Path,
        sleep: Callable[[float], object] | None) -> None:
    path = workdir / "customers.csv"
    write_customers(path)
    print(f"file:         customers.csv, {ROWS} rows ({len(BAD)} of them bad)")

    result = client.upload_csv(
        domain_name=domain, path=path, fields=FIELDS, unique_key="CustomerId", display_name="customers.csv",
        data_expiry=7, delay=2.0, max_delay=30.0, timeout=3600, sleep=sleep,
    )
    counts = result.results_summary
    assert counts is not None
    print(f"job:          {result.status}: {counts.created_records} created, {counts.updated_records} updated, "
          f"{counts.failed_records} failed")

    found = client.search_profiles(domain_name=domain, key_name="_account", values=["c0042"]).items or []
    print(f"search:       _account c0042 matched {len(found)} profile(s)")

    try:
        client.upload_csv(domain_name=domain, path=workdir / "missing.csv", fields=FIELDS, unique_key="CustomerId",
                          display_name="missing.csv")
    except ParamValidationError as error:
        print(f"missing file: {error.problems[0]} (nothing sent)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--aws", action="store_true", help="call real AWS (default credentials and region)")
    parser.add_argument("--domain", help="name of the domain to create and delete (must not exist)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as temporary:
        workdir = Path(temporary)
        if args.aws:
            client = CustomerProfilesClient()
            with new_domain(client, args.domain or f"cpsdk-example-{secrets.token_hex(4)}") as domain:
                run(client, domain, workdir, None)
        else:
            with Emulator() as emulator:
                client = emulator.client()
                with new_domain(client, args.domain or "cpsdk-example-upload-csv") as domain:
                    run(client, domain, workdir, emulator.advance)


if __name__ == "__main__":
    main()
