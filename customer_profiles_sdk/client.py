"""The typed Customer Profiles client.

:class:`CustomerProfilesClient` has one method per operation, named as in boto3, taking
keyword-only snake_case arguments and returning the operation's response model; a
``paginate_<operation>`` method for each of the 29 operations that take ``NextToken``; and
:meth:`~CustomerProfilesClient.send` for a ready request model. See docs/client.md.

This module is hand-written: add helpers here, never in ``_generated/``.
"""

from __future__ import annotations

import os
import types
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, cast

from ._core import DEFAULT_RETRY_MODE, ResponseMetadata
from ._generated.client import CustomerProfilesClient as _GeneratedMethods
from .waiters import DEFAULT_DELAY, DEFAULT_MAX_DELAY, DEFAULT_TIMEOUT

if TYPE_CHECKING:
    from .models import GetUploadJobResponse, ObjectTypeField, ObjectTypeFieldDict
    from .waiters import WaitProgress

__all__ = ["DEFAULT_RETRY_MODE", "CustomerProfilesClient", "ResponseMetadata"]


class CustomerProfilesClient(_GeneratedMethods):
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

    def upload_csv(
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
        """Load the CSV file at ``path`` into the domain through an upload job, and wait for it.

        Runs ``create_upload_job`` (``domain_name``, ``display_name``, ``fields``, ``unique_key``,
        ``data_expiry``, named and checked as there), ``get_upload_job_path``, a PUT of the file
        (streamed, never read whole, with S3's SSE-C headers of the job's ``ClientToken``),
        ``start_upload_job``, then ``wait_for_upload_job`` with ``delay``, ``max_delay``,
        ``timeout``, ``progress`` and ``sleep``. Returns the final :class:`GetUploadJobResponse`:
        ``status`` is ``SUCCEEDED`` or ``PARTIALLY_SUCCEEDED`` and ``results_summary`` counts the
        created, updated and failed rows.

        ``path`` must name a regular file of at most 5 GiB, checked (with the waiting options)
        before anything is sent: ParamValidationError otherwise. A refused or failed upload raises
        :class:`~customer_profiles_sdk.errors.UploadError` (``status``, S3's ``code``, ``job_id``);
        a job that ends ``FAILED`` or ``STOPPED``, WaiterFailedError; the ``timeout``,
        WaiterTimeoutError. Once the job exists it is left as it is whatever fails: the error
        names it, for ``get_upload_job`` and ``stop_upload_job``. The ``ClientToken`` and the
        upload URL appear in no log, repr or error. See customer_profiles_sdk.uploads.
        """
        from .uploads import UploadCsv, drive

        plan = UploadCsv(domain_name=domain_name, path=path, fields=fields, unique_key=unique_key,
                         display_name=display_name, data_expiry=data_expiry, delay=delay, max_delay=max_delay,
                         timeout=timeout, progress=progress, sleep=sleep)
        return cast("GetUploadJobResponse", drive(self, plan))


def _public_class(cls: type) -> type:
    """``cls`` rebuilt as one class that holds every attribute of its internal bases itself.

    The methods come from the generated class and the hand-written core, but users only ever see
    :class:`CustomerProfilesClient`: Python's own messages (``CustomerProfilesClient.get_domain()
    missing 1 required keyword-only argument``), ``help()`` and ``inspect`` name the public class
    and list no internal base. Type checkers see the class statement above (the same methods).
    """
    namespace: dict[str, Any] = {}
    for base in reversed(cls.__mro__[:-1]):  # the core, the generated methods, then cls itself
        for name, value in base.__dict__.items():
            if name not in ("__dict__", "__weakref__"):
                namespace[name] = _renamed(value, f"{cls.__qualname__}.{name}", cls.__module__)
    return type(cls.__name__, (object,), namespace)


def _renamed(value: Any, qualname: str, module: str) -> Any:
    if isinstance(value, types.FunctionType):
        function = types.FunctionType(
            value.__code__.replace(co_qualname=qualname), value.__globals__, value.__name__,
            value.__defaults__, value.__closure__,
        )
        function.__kwdefaults__ = value.__kwdefaults__
        function.__annotations__ = value.__annotations__
        function.__doc__ = value.__doc__
        function.__dict__.update(value.__dict__)
        function.__qualname__ = qualname
        function.__module__ = module
        return function
    if isinstance(value, property):
        return property(
            _renamed(value.fget, qualname, module), _renamed(value.fset, qualname, module),
            _renamed(value.fdel, qualname, module), value.__doc__,
        )
    if isinstance(value, (staticmethod, classmethod)):
        return type(value)(_renamed(value.__func__, qualname, module))
    return value


if not TYPE_CHECKING:
    CustomerProfilesClient = _public_class(CustomerProfilesClient)
