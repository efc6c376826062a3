"""Async quickstart: the asyncio client, concurrent calls, an async paginator and typed errors.

    pip install "customer_profiles_sdk[async]"
    python examples/async_quickstart.py          # offline, against the SDK's in-memory emulator
    python examples/async_quickstart.py --aws    # real AWS: default credentials and region

Offline, ``Emulator.async_client()`` gives an ``AsyncCustomerProfilesClient`` that the emulator
answers inside this process (requests are still validated, serialized, signed and parsed). With
``--aws`` the script creates a new domain (``cpsdk-example-<random>``), works only inside it, and
deletes it at the end, even after an error.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets

from customer_profiles_sdk import AsyncCustomerProfilesClient, ParamValidationError, ResourceNotFoundError
from customer_profiles_sdk.local import Emulator
from customer_profiles_sdk.models import ObjectTypeField, ObjectTypeKey, StandardIdentifier

# Sample data. It is personal data on purpose: the script never prints it.
CUSTOMERS = [("Jane", "jane@example.com"), ("Sam", "sam@example.org"), ("Ana", "ana@example.net")]


async def run(client: AsyncCustomerProfilesClient, domain: str) -> None:
    # 1. Three profiles, created concurrently on one client: the answers never mix.
    created = await asyncio.gather(*(
        client.create_profile(domain_name=domain, first_name=name, email_address=email)
        for name, email in CUSTOMERS
    ))
    print(f"profiles:     {len(created)} created concurrently")

    # 2. An object type with a PROFILE key (the e-mail) and a UNIQUE key (the order id).
    await client.put_profile_object_type(
        domain_name=domain, object_type_name="Orders", description="Orders from the web shop",
        fields={
            "Email": ObjectTypeField(source="_source.Email", target="_profile.EmailAddress",
                                     content_type="EMAIL_ADDRESS"),
            "OrderId": ObjectTypeField(source="_source.OrderId", content_type="STRING"),
        },
        keys={
            "_email": [ObjectTypeKey(standard_identifiers=[StandardIdentifier.PROFILE], field_names=["Email"])],
            "OrderId": [ObjectTypeKey(standard_identifiers=[StandardIdentifier.UNIQUE], field_names=["OrderId"])],
        },
    )
    # 3. Orders put concurrently, then listed with an async paginator, two per page.
    await asyncio.gather(*(
        client.put_profile_object(
            domain_name=domain, object_type_name="Orders",
            object=f'{{"OrderId": "o-{n}", "Email": "{CUSTOMERS[0][1]}"}}',
        )
        for n in range(5)
    ))
    profile_id = created[0].profile_id
    orders = client.paginate_list_profile_objects(
        domain_name=domain, object_type_name="Orders", profile_id=profile_id, page_size=2
    )
    count = 0
    async for _order in orders:
        count += 1
    print(f"orders:       {count} listed for the first profile, {orders.pages_fetched} pages")

    # 4. Typed errors: bad input is refused before anything is sent; a missing profile is a 404.
    try:
        await client.get_domain(domain_name="")
    except ParamValidationError as error:
        print(f"refused:      {error.problems[0].path} ({error.problems[0].rule})")
    try:
        await client.delete_profile(domain_name=domain, profile_id="0" * 32)
    except ResourceNotFoundError as error:
        print(f"not found:    {error.code}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--aws", action="store_true", help="call real AWS (default credentials and region)")
    parser.add_argument("--domain", help="name of the domain to create and delete (must not exist)")
    args = parser.parse_args()
    domain = args.domain or (f"cpsdk-example-{secrets.token_hex(4)}" if args.aws else "cpsdk-example-async")
    client = AsyncCustomerProfilesClient() if args.aws else Emulator().async_client()
    async with client:
        try:
            await client.get_domain(domain_name=domain)
        except ResourceNotFoundError:
            pass
        else:
            raise SystemExit(f"domain {domain} already exists; this example only uses a domain it creates")
        await client.create_domain(domain_name=domain, default_expiration_days=7)
        print(f"domain:       {domain}")
        try:
            await run(client, domain)
        finally:
            await client.delete_domain(domain_name=domain)
            print(f"cleaned up:   deleted domain {domain}")


if __name__ == "__main__":
    asyncio.run(main())
