"""Shared by the examples (not an example itself): the ``--aws`` switch, and the domain each
example creates for itself and deletes at the end."""

from __future__ import annotations

import argparse
import contextlib
import secrets
import sys
from collections.abc import Callable, Iterator

from customer_profiles_sdk import CustomerProfilesClient, ResourceNotFoundError
from customer_profiles_sdk.local import Emulator

#: An example's body: ``run(client, domain, aws)``.
Run = Callable[[CustomerProfilesClient, str, bool], None]


@contextlib.contextmanager
def new_domain(client: CustomerProfilesClient, name: str) -> Iterator[str]:
    """Create the domain ``name`` (refusing one that exists), and delete it when the block ends."""
    try:
        client.get_domain(domain_name=name)
    except ResourceNotFoundError:
        pass
    else:
        sys.exit(f"domain {name} already exists; these examples only use (and delete) a domain they create")
    created = client.create_domain(domain_name=name, default_expiration_days=7)
    print(f"domain:       {created.domain_name} (profiles expire after {created.default_expiration_days} days)")
    try:
        yield name
    finally:
        client.delete_domain(domain_name=name)
        print(f"cleaned up:   deleted domain {name}")


def main(description: str | None, run: Run, offline_domain: str) -> None:
    """Parse ``--aws``/``--domain``, then run the example against the emulator or AWS."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--aws", action="store_true", help="call real AWS (default credentials and region)")
    parser.add_argument("--domain", help="name of the domain to create and delete (must not exist)")
    args = parser.parse_args()

    if args.aws:
        client = CustomerProfilesClient()  # the default credential chain and region, as boto3
        with new_domain(client, args.domain or f"cpsdk-example-{secrets.token_hex(4)}") as domain:
            run(client, domain, True)
    else:
        with Emulator() as emulator:
            client = emulator.client()
            with new_domain(client, args.domain or offline_domain) as domain:
                run(client, domain, False)
