"""The asyncio client: :class:`AsyncCustomerProfilesClient`, on aiobotocore.

Install it with the ``async`` extra (``pip install "customer_profiles_sdk[async]"``), which brings
aiobotocore. Every operation of :class:`~customer_profiles_sdk.CustomerProfilesClient` is here as
an ``async def`` method with the same keyword-only arguments, validation, return type and errors;
every ``paginate_<operation>`` returns an :class:`~customer_profiles_sdk.pagination.AsyncPaginator`.
Both clients share all their logic but the awaited call itself (docs/design.md, "The async
client"); see docs/guides/async.md.

This module is hand-written: add helpers here, never in ``_generated/``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._core import DEFAULT_RETRY_MODE, ResponseMetadata
from ._generated.aio_client import AsyncCustomerProfilesClient as _GeneratedMethods
from .client import _public_class

__all__ = ["DEFAULT_RETRY_MODE", "AsyncCustomerProfilesClient", "ResponseMetadata"]


class AsyncCustomerProfilesClient(_GeneratedMethods):
    """A typed, validating asyncio client for Amazon Connect Customer Profiles, on aiobotocore.

    Use it in an ``async with`` block, which creates the aiobotocore client and closes it::

        from customer_profiles_sdk import AsyncCustomerProfilesClient

        async with AsyncCustomerProfilesClient(region_name="eu-west-2") as client:
            domain = await client.get_domain(domain_name="shop")
            async for item in client.paginate_list_profile_objects(
                domain_name="shop", object_type_name="Orders", profile_id=profile_id
            ):
                ...

    Without the block, the aiobotocore client is created on the first call, and ``await
    client.close()`` closes it. ``client=`` takes an aiobotocore client you created (and close)
    yourself; ``session=`` an aiobotocore or aioboto3 session. Validation, parsing, errors,
    ``allow_partial``, retries (the ``standard`` mode unless something else chose one) and log
    redaction are those of the sync client. One instance may be shared by any number of tasks of
    one event loop.
    """


if not TYPE_CHECKING:
    AsyncCustomerProfilesClient = _public_class(AsyncCustomerProfilesClient)
