"""What a customer-profiles client made inside ``with Emulator():`` gets when the user's machine
has no AWS set-up: static dummy keys, and a region when none is configured.

Code under test usually builds its own client (``boto3.client("customer-profiles")``). On a machine
with no AWS configuration botocore refuses to make it (``NoRegionError``) or to sign its first
request (``NoCredentialsError``), although the emulator would answer it in the process. While an
emulator is installed process-wide, botocore's ``Session.create_client`` is wrapped, like
``Endpoint._send`` (see ``_emulator``), and so is aiobotocore's ``AioSession.create_client`` when
aiobotocore is installed (it takes the same arguments and returns an async context manager, made
with the same changes); for ``customer-profiles`` only:

* **Keys.** Unless the call itself passes an access key or a secret key, or the client is unsigned
  (``signature_version=UNSIGNED``), the client is created with the static keys
  ``emulator``/``emulator`` through ``create_client``'s own arguments. botocore then never runs its
  credential chain for that client: no ``AWS_ACCESS_KEY_ID``, no ``credential_process``, SSO cache,
  container or instance-metadata lookup. Real keys are neither used nor sent; a session token given
  without keys is dropped, as botocore drops it.
* **Region.** When neither the call, its ``Config``, the session's default ``Config`` nor the
  session's configuration (``AWS_REGION``, ``AWS_DEFAULT_REGION``, the profile's ``region``) names a
  region, the installed emulator's region is used. A configured region is kept.

Nothing else changes: no environment variable, file, session or session setting is written, and
clients of other services, clients created before the block and clients created after it are made
by botocore as usual.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import inspect
from collections.abc import Callable
from typing import Any

#: The static keys of customer-profiles clients created inside an installed emulator.
ACCESS_KEY = "emulator"
SECRET_KEY = "emulator"

_SERVICE_NAME = "customer-profiles"

# The function that was Session.create_client before the wrapper went in (None: not wrapped), and
# the same for aiobotocore's AioSession.create_client.
_original: Callable[..., Any] | None = None
_original_aio: Callable[..., Any] | None = None


def _configured_region(session: Any, region_name: Any, config: Any) -> bool:
    """Whether botocore would find a region for this client by itself (its own order: the call,
    the merged ``Config``, then the session's configuration)."""
    if region_name is not None:
        return True
    default = session.get_default_client_config()
    if default is not None and config is not None:
        config = default.merge(config)
    elif default is not None:
        config = default
    if config is not None and getattr(config, "region_name", None) is not None:
        return True
    return session.get_config_variable("region") is not None


def _unsigned(session: Any, config: Any) -> bool:
    from botocore import UNSIGNED

    default = session.get_default_client_config()
    chosen = config if config is not None and config.signature_version is not None else default
    return chosen is not None and chosen.signature_version is UNSIGNED


def _aio_session_class() -> Any:
    """aiobotocore's ``AioSession``, or None when aiobotocore is not installed (nothing is then
    imported) or cannot be imported."""
    if importlib.util.find_spec("aiobotocore") is None:
        return None
    try:
        return importlib.import_module("aiobotocore.session").AioSession
    except ImportError:
        return None


def install(region: Callable[[], str | None]) -> None:
    """Wrap ``Session.create_client`` (and ``AioSession.create_client``); ``region()`` gives the
    installed emulator's region, or None when no emulator is installed (the wrappers then change
    nothing). Call under the install lock."""
    global _original, _original_aio
    from botocore.session import Session

    if _original is None:
        _original = _wrap(Session, Session.create_client, region)
    aio_session = _aio_session_class()
    # AioSession.create_client takes *args and **kwargs: its arguments are _create_client's.
    if _original_aio is None and aio_session is not None and "create_client" in vars(aio_session):
        _original_aio = _wrap(aio_session, aio_session._create_client, region)


def _wrap(session_class: Any, signature_of: Callable[..., Any], region: Callable[[], str | None]) -> Any:
    """Put the wrapper in place of ``session_class.create_client``, whose arguments are those of
    ``signature_of``; returns the function it replaced."""
    original: Callable[..., Any] = vars(session_class)["create_client"]
    signature = inspect.signature(signature_of)

    @functools.wraps(original)
    def create_client(self: Any, *args: Any, **kwargs: Any) -> Any:
        emulator_region = region()
        if emulator_region is None:
            return original(self, *args, **kwargs)
        try:
            bound = signature.bind(self, *args, **kwargs)
        except TypeError:
            return original(self, *args, **kwargs)  # botocore reports the wrong call itself
        arguments = bound.arguments
        if arguments.get("service_name") != _SERVICE_NAME:
            return original(self, *args, **kwargs)
        config = arguments.get("config")
        if not _configured_region(self, arguments.get("region_name"), config):
            arguments["region_name"] = emulator_region
        no_keys = arguments.get("aws_access_key_id") is None and arguments.get("aws_secret_access_key") is None
        if no_keys and not _unsigned(self, config):
            arguments["aws_access_key_id"] = ACCESS_KEY
            arguments["aws_secret_access_key"] = SECRET_KEY
            arguments.pop("aws_session_token", None)
        return original(*bound.args, **bound.kwargs)

    create_client.__customer_profiles_emulator__ = True  # type: ignore[attr-defined]
    setattr(session_class, "create_client", create_client)  # noqa: B010 (botocore-stubs types the method)
    return original


def uninstall() -> None:
    """Put botocore's ``Session.create_client`` (and aiobotocore's) back, unless something wrapped
    it since (then the wrapper stays in place and changes nothing, since no emulator is installed)."""
    global _original, _original_aio
    from botocore.session import Session

    if _original is not None and _unwrap(Session, _original):
        _original = None
    if _original_aio is not None and _unwrap(_aio_session_class(), _original_aio):
        _original_aio = None


def _unwrap(session_class: Any, original: Callable[..., Any]) -> bool:
    if getattr(vars(session_class).get("create_client"), "__customer_profiles_emulator__", False):
        setattr(session_class, "create_client", original)  # noqa: B010
        return True
    return False
