"""Error handling: bad input caught locally, typed service errors, batch failures, retries, rules.

    python examples/error_handling.py          # offline, against the SDK's in-memory emulator
    python examples/error_handling.py --aws    # real AWS: default credentials and region

Every exception the SDK raises derives from ``CustomerProfilesError``. Error texts name field
paths, rules and error codes, never the values you sent: the sample data below is personal data,
and none of it is printed. With ``--aws`` the script creates a new domain
(``cpsdk-example-<random>``, or ``--domain``; an existing domain is refused), and deletes it at
the end, even after an error.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from _common import main
from botocore.awsrequest import AWSResponse
from botocore.compat import HTTPHeaders
from botocore.exceptions import ClientError

from customer_profiles_sdk import (
    BadRequestError,
    CustomerProfilesClient,
    ParamValidationError,
    PartialFailureError,
    ResourceNotFoundError,
    ServiceError,
    rules,
)
from customer_profiles_sdk.models import ObjectTypeField, ObjectTypeKey

MISSING_PROFILE_ID = "0" * 32  # a well-formed id that no profile has


def count_requests(client: CustomerProfilesClient) -> list[str]:
    """Record the name of every operation botocore is asked to send (a botocore event hook)."""
    sent: list[str] = []

    def record(model: Any, **kwargs: Any) -> None:
        sent.append(model.name)

    client.boto3_client.meta.events.register("before-call.customer-profiles", record)
    return sent


def validation(client: CustomerProfilesClient, domain: str) -> None:
    print("-- 1. invalid input is refused on your machine")
    sent = count_requests(client)
    try:
        client.create_profile(domain_name=domain, first_name="Jane", email_address="jane@example.com",
                              party_type="ROBOT", birth_date="x" * 300)  # type: ignore[arg-type]  # mypy sees it too
    except ParamValidationError as error:
        # Every broken rule at once, each with its wire path and rule name; no value is quoted.
        for problem in error.problems:
            print(f"   {problem.path}: rule {problem.rule}")
    try:
        client.create_domain(domain_name="x" * 65, default_expiration_days=0, tags={"aws:team": "web"})
    except ParamValidationError as error:
        print(f"   {error}".replace("\n", "\n   "))
    print(f"   requests sent to the service: {len(sent)}")


def service_errors(client: CustomerProfilesClient, domain: str) -> None:
    print("-- 2. the service's errors are typed, and still botocore ClientErrors")
    try:
        client.get_domain(domain_name=f"{domain}-missing")
    except ResourceNotFoundError as error:
        print(f"   {type(error).__name__}: code={error.code} http_status={error.http_status} "
              f"retry_attempts={error.retry_attempts} (4xx errors are not retried)")
        raw: Any = client.boto3_client  # the boto3 client underneath (boto3 ships no types)
        print(f"   except ClientError matches: {isinstance(error, ClientError)}; "
              f"except boto3_client.exceptions.ResourceNotFoundException matches: "
              f"{isinstance(error, raw.exceptions.ResourceNotFoundException)}")
    try:
        client.put_profile_object(domain_name=domain, object_type_name="Orders", object="{this is not JSON")
    except BadRequestError as error:
        print(f"   {type(error).__name__}: code={error.code} http_status={error.http_status} message={error.message!r}")


def partial_failure(client: CustomerProfilesClient, domain: str) -> None:
    print("-- 3. a batch call with failed entries raises PartialFailureError")
    jane = client.create_profile(domain_name=domain, first_name="Jane", email_address="jane@example.com")
    ids = [jane.profile_id or "", MISSING_PROFILE_ID]
    try:
        client.batch_get_profile(domain_name=domain, profile_ids=ids)
    except PartialFailureError as error:
        print(f"   {error}")  # counts and codes only
        print(f"   failed: {[(f.id, f.code) for f in error.failures]}")
        print(f"   the successes are in error.response: {len(error.response.profiles or [])} profile")
    # Or take the response as it is and read its errors yourself.
    reply = client.batch_get_profile(domain_name=domain, profile_ids=ids, allow_partial=True)
    print(f"   allow_partial=True: {len(reply.profiles or [])} profile, {len(reply.errors or [])} error entry")


def retries(client: CustomerProfilesClient, domain: str) -> None:
    print("-- 4. retries: botocore retries throttling, 5xx and dropped connections")

    # Simulate one failed attempt: the first request of the next call gets an HTTP 503 from this
    # hook instead of being sent. botocore waits a moment (jittered backoff) and tries again.
    failures_left = [1]

    class _EmptyBody:
        def stream(self, **kwargs: Any) -> Iterator[bytes]:
            yield b""

    def unavailable_once(request: Any, **kwargs: Any) -> Any:
        if failures_left[0]:
            failures_left[0] -= 1
            return AWSResponse(request.url, 503, HTTPHeaders(), _EmptyBody())
        return None  # send the request as usual

    client.boto3_client.meta.events.register_first("before-send.customer-profiles", unavailable_once)
    try:
        reply = client.get_domain(domain_name=domain)
    finally:
        client.boto3_client.meta.events.unregister("before-send.customer-profiles", unavailable_once)
    metadata = reply.response_metadata
    print(f"   get_domain succeeded: http_status={metadata.http_status if metadata else None} "
          f"retry_attempts={metadata.retry_attempts if metadata else None}")
    print("   (service errors carry it too: error.retry_attempts; tune with botocore's Config(retries=...))")


def documented_rules(client: CustomerProfilesClient, domain: str) -> None:
    print("-- 5. documented rules beyond the schema can be switched off")

    def put_two_unique_keys() -> None:
        client.put_profile_object_type(
            domain_name=domain, object_type_name="Orders", description="Orders from the web shop",
            fields={"OrderId": ObjectTypeField(source="_source.OrderId"),
                    "Reference": ObjectTypeField(source="_source.Reference")},
            keys={"OrderId": [ObjectTypeKey(standard_identifiers=["UNIQUE"], field_names=["OrderId"])],
                  "Reference": [ObjectTypeKey(standard_identifiers=["UNIQUE"], field_names=["Reference"])]},
        )

    # The rule single_unique_key allows one UNIQUE key per object type.
    try:
        put_two_unique_keys()
    except ParamValidationError as error:
        print(f"   rule on:  {error.problems[0]}")
    # Switch it off, say if the service has relaxed it before the SDK catches up: here for one
    # block (rules.disable(...) does it for the process, and so does the environment variable
    # CUSTOMER_PROFILES_SDK_DISABLE_RULES). The request is then sent, and the service decides.
    with rules.disabled("single_unique_key"):
        try:
            put_two_unique_keys()
            outcome = "accepted"
        except ServiceError as error:
            outcome = f"{type(error).__name__} ({error.code}): {error.message}"
    print(f"   rule off: sent; the service answered {outcome}")


def run(client: CustomerProfilesClient, domain: str, aws: bool) -> None:
    client.put_profile_object_type(
        domain_name=domain, object_type_name="Orders", description="Orders from the web shop",
        fields={"OrderId": ObjectTypeField(source="_source.OrderId")},
        keys={"OrderId": [ObjectTypeKey(standard_identifiers=["UNIQUE"], field_names=["OrderId"])]},
    )
    validation(client, domain)
    service_errors(client, domain)
    partial_failure(client, domain)
    retries(client, domain)
    documented_rules(client, domain)


if __name__ == "__main__":
    main(__doc__, run, "cpsdk-example-errors")
