"""customer_profiles_sdk: a typed, validating SDK for Amazon Connect Customer Profiles.

:class:`CustomerProfilesClient` is the client (:class:`AsyncCustomerProfilesClient` the asyncio one,
with the ``async`` extra); models live in :mod:`customer_profiles_sdk.models`
and load lazily; documented extra rules live in :mod:`customer_profiles_sdk.rules`; exceptions in
:mod:`customer_profiles_sdk.errors`; paginators in :mod:`customer_profiles_sdk.pagination`.
"""

from typing import TYPE_CHECKING, Any

from .errors import (
    AccessDeniedError,
    BadRequestError,
    CustomerProfilesError,
    Failure,
    IncompatibleBotocoreError,
    InternalServerError,
    MissingMemberError,
    OperationNotSupportedError,
    PaginationError,
    ParamValidationError,
    PartialFailureError,
    Problem,
    ResourceNotFoundError,
    ResponseParseError,
    ServiceError,
    ThrottlingError,
    TransportError,
    UnmodeledServiceError,
    UploadError,
    WaiterFailedError,
    WaiterTimeoutError,
)

if TYPE_CHECKING:
    from .aio import AsyncCustomerProfilesClient
    from .client import CustomerProfilesClient, ResponseMetadata
    from .pagination import AsyncPaginator, Paginator

__version__ = "0.1.0"

__all__ = [
    "AccessDeniedError",
    "AsyncCustomerProfilesClient",
    "AsyncPaginator",
    "BadRequestError",
    "CustomerProfilesClient",
    "CustomerProfilesError",
    "Failure",
    "IncompatibleBotocoreError",
    "InternalServerError",
    "MissingMemberError",
    "OperationNotSupportedError",
    "PaginationError",
    "Paginator",
    "ParamValidationError",
    "PartialFailureError",
    "Problem",
    "ResourceNotFoundError",
    "ResponseMetadata",
    "ResponseParseError",
    "ServiceError",
    "ThrottlingError",
    "TransportError",
    "UnmodeledServiceError",
    "UploadError",
    "WaiterFailedError",
    "WaiterTimeoutError",
    "__version__",
]

_LAZY = {
    "CustomerProfilesClient": ".client",
    "ResponseMetadata": ".client",
    "Paginator": ".pagination",
    "AsyncCustomerProfilesClient": ".aio",
    "AsyncPaginator": ".pagination",
}


def __getattr__(name: str) -> Any:
    # The client module imports boto3's client machinery; load it only when it is asked for.
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value
