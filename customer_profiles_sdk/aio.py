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

import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, cast

from ._core import DEFAULT_RETRY_MODE, ResponseMetadata
from ._generated.aio_client import AsyncCustomerProfilesClient as _GeneratedMethods
from .client import _public_class
from .waiters import DEFAULT_DELAY, DEFAULT_MAX_DELAY, DEFAULT_TIMEOUT

if TYPE_CHECKING:
    from .models import GetUploadJobResponse, ObjectTypeField, ObjectTypeFieldDict
    from .waiters import WaitProgress

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

    async def upload_csv(
        self,
        *,
        domain_name: str,
        path: str | os.PathLike[str],
        fields: Mapping[str, ObjectTypeField | ObjectTypeFieldDict],
        unique_key: str,
        display_name: str,
        data_expiry: int | None = None,
        delay: float = DEFAULT_DELAY,
        max_delay: float = DEFAULT_MAX_DELAY,
        timeout: float = DEFAULT_TIMEOUT,
        progress: Callable[[WaitProgress], object] | None = None,
        sleep: Callable[[float], object] | None = None,
    ) -> GetUploadJobResponse:
        """Load the CSV file at ``path`` into the domain through an upload job, and wait for it:
        :meth:`CustomerProfilesClient.upload_csv <customer_profiles_sdk.CustomerProfilesClient.upload_csv>`,
        awaited. The PUT of the file runs in a thread (``asyncio.to_thread``), so the event loop
        goes on meanwhile, unless an emulator in this process answers it; ``sleep`` may be a
        coroutine function or a plain one. See customer_profiles_sdk.uploads.
        """
        from .uploads import UploadCsv, drive_async

        plan = UploadCsv(domain_name=domain_name, path=path, fields=fields, unique_key=unique_key,
                         display_name=display_name, data_expiry=data_expiry, delay=delay, max_delay=max_delay,
                         timeout=timeout, progress=progress, sleep=sleep, asynchronous=True)
        return cast("GetUploadJobResponse", await drive_async(self, plan))


if not TYPE_CHECKING:
    AsyncCustomerProfilesClient = _public_class(AsyncCustomerProfilesClient)
