"""Quickstart for the typed client: calls, a paginator, validation and service errors.

Runs offline by default: botocore's Stubber answers each call with a scripted reply, after
botocore has checked the parameters, so nothing leaves the machine. With ``--aws`` it talks to
real AWS in your default region, using your credentials and an existing domain named by
``--domain`` (default ``shop``); it then only reads.

    python examples/client_quickstart.py
"""

from __future__ import annotations

import argparse
import contextlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime

import boto3
from botocore.stub import Stubber

from customer_profiles_sdk import (
    CustomerProfilesClient,
    ParamValidationError,
    ResourceNotFoundError,
)
from customer_profiles_sdk.models import ObjectTypeKey, StandardIdentifier

PROFILE_ID = "0123456789abcdef0123456789abcdef"


@contextlib.contextmanager
def scripted(client: CustomerProfilesClient, domain: str) -> Iterator[None]:
    """Offline: answer the calls below from a script (botocore still checks every request)."""
    stub = Stubber(client.boto3_client)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    stub.add_response(
        "put_profile_object_type",
        {"ObjectTypeName": "Orders", "Description": "Orders from the web shop",
         "Keys": {"_order": [{"StandardIdentifiers": ["ORDER", "UNIQUE"], "FieldNames": ["OrderId"]}]}},
    )
    for page in range(3):
        reply: dict[str, object] = {"Items": [
            {"ObjectTypeName": "Orders", "ProfileObjectUniqueKey": f"order-{page * 2 + i}",
             "Object": json.dumps({"OrderId": f"o-{page * 2 + i}", "Total": 42})} for i in range(2)]}
        if page < 2:
            reply["NextToken"] = f"page-{page + 1}"
        stub.add_response("list_profile_objects", reply)
    stub.add_client_error("get_domain", "ResourceNotFoundException", "Domain not found", 404)
    stub.add_response("get_domain", {"DomainName": domain, "CreatedAt": now, "LastUpdatedAt": now,
                                     "DefaultExpirationDays": 366})
    with stub:
        yield


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--aws", action="store_true", help="call real AWS (reads only, except step 1)")
    parser.add_argument("--domain", default="shop")
    args = parser.parse_args()

    session = boto3.session.Session() if args.aws else boto3.session.Session(
        aws_access_key_id="offline", aws_secret_access_key="offline", region_name="us-east-1")
    client = CustomerProfilesClient(session=session)
    print("client:", client)

    with contextlib.nullcontext() if args.aws else scripted(client, args.domain):
        # 1. A typed call: keyword arguments, model values, a typed response.
        orders = client.put_profile_object_type(
            domain_name=args.domain,
            object_type_name="Orders",
            description="Orders from the web shop",
            keys={"_order": [ObjectTypeKey(standard_identifiers=[StandardIdentifier.ORDER, "UNIQUE"],
                                           field_names=["OrderId"])]},
        )
        print("object type:", orders.object_type_name, "keys:", list((orders.keys or {}).keys()))

        # 2. A paginator: items one by one, pages fetched lazily (2 items per page here).
        paginator = client.paginate_list_profile_objects(
            domain_name=args.domain, object_type_name="Orders", profile_id=PROFILE_ID, page_size=2, max_items=5,
        )
        keys = [item.profile_object_unique_key for item in paginator]
        print("orders:", keys, "pages:", paginator.pages_fetched, "resume token:", paginator.resume_token)

        # 3. Invalid input is rejected before anything is sent; the error names paths and rules.
        try:
            client.search_profiles(domain_name="x" * 65, key_name="_email", values=["jane@example.com"])
        except ParamValidationError as error:
            print("validation error:", [(p.path, p.rule) for p in error.problems])

        # 4. Service errors are typed (and still botocore ClientErrors).
        try:
            client.get_domain(domain_name="no-such-domain")
        except ResourceNotFoundError as error:
            print("service error:", error.code, error.http_status, "retries:", error.retry_attempts)

        domain = client.get_domain(domain_name=args.domain)
        print("domain:", domain.domain_name, "expires after", domain.default_expiration_days, "days")


if __name__ == "__main__":
    main()
