"""The typed Customer Profiles client.

:class:`CustomerProfilesClient` has one method per operation, named as in boto3, taking
keyword-only snake_case arguments and returning the operation's response model; a
``paginate_<operation>`` method for each of the 29 operations that take ``NextToken``; and
:meth:`~CustomerProfilesClient.send` for a ready request model. See docs/client.md.

This module is hand-written: add helpers here, never in ``_generated/``.
"""

from __future__ import annotations

from ._core import DEFAULT_RETRY_MODE, ResponseMetadata
from ._generated.client import GeneratedClient

__all__ = ["DEFAULT_RETRY_MODE", "CustomerProfilesClient", "ResponseMetadata"]


class CustomerProfilesClient(GeneratedClient):
    """A typed, validating client for Amazon Connect Customer Profiles.

    Build it from a boto3 client, or from a session, region and botocore ``Config``::

        from customer_profiles_sdk import CustomerProfilesClient

        client = CustomerProfilesClient(region_name="eu-west-2")
        domain = client.get_domain(domain_name="shop")
        for item in client.paginate_list_profile_objects(
            domain_name="shop", object_type_name="Orders", profile_id=profile_id
        ):
            ...

    Every method validates its input completely before botocore is called (invalid input raises
    :class:`~customer_profiles_sdk.errors.ParamValidationError` and sends nothing), and parses the
    reply leniently into the response model. Service errors raise the typed subclasses of
    :class:`~customer_profiles_sdk.errors.ServiceError`, which are botocore ``ClientError`` s.
    A reply nobody can use is typed too, and never quoted: a 2xx body that is not JSON, nests
    lists and objects more than 64 levels deep, or makes botocore's parser fail (``fast_parse=False``)
    raises :class:`~customer_profiles_sdk.errors.ResponseParseError`; an error answer with such a
    body raises the ``ServiceError`` its x-amzn-ErrorType header or status gives, retried as usual.

    When the SDK creates the boto3 client, it uses the ``standard`` retry mode unless the given
    ``Config``, ``AWS_RETRY_MODE`` or the profile's ``retry_mode`` says otherwise.
    """
