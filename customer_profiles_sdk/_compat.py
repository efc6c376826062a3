"""botocore versions: the SDK brings its own customer-profiles model, and checks clients it is given.

The package ships botocore's service model for customer-profiles (``data/``: the service model,
its paginators and endpoint rule set, copied by ``python -m codegen generate``). Every client the
SDK creates loads that model through a private loader, so all operations work on every supported
botocore (:data:`MINIMUM_BOTOCORE` and newer), whatever model the installed botocore has.

The user's session is never changed. The SDK makes the client from a *clone* of it
(:func:`private_session`): a shallow copy that shares the session's settings, credentials, event
handlers and components, but has its own component table, in which the data loader is replaced
by one that searches the package's data first, then the user's loader's own search paths. What a
clone does not carry over is listed in docs/client.md ("botocore versions").

A client passed as ``client=`` keeps its own model: :func:`missing_operations` and
:func:`unknown_member` tell what it lacks, and ``ClientCore`` raises
:class:`~customer_profiles_sdk.errors.OperationNotSupportedError` before anything is sent.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ._generated.operations import OPERATIONS

__all__ = [
    "DATA_PATH",
    "MINIMUM_BOTOCORE",
    "installed_botocore",
    "missing_operations",
    "parse_version",
    "private_loader",
    "private_session",
    "shipped_service_model",
    "unknown_member",
]

#: The oldest botocore (and boto3) the SDK supports: the lower bound in pyproject.toml. Older
#: versions are not tested (docs/design.md, "Supported botocore versions").
MINIMUM_BOTOCORE = "1.34.0"

#: The folder searched first by the SDK's loader: ``<DATA_PATH>/customer-profiles/2020-08-15/``.
DATA_PATH = Path(__file__).resolve().parent / "data"

SERVICE_NAME = "customer-profiles"


def parse_version(text: str) -> tuple[int, int, int]:
    """``"1.44.5"`` -> ``(1, 44, 5)``; anything after the third number is ignored, so a
    pre-release or dev build of a version counts as that version (botocore publishes neither)."""
    match = re.match(r"\s*(\d+)\.(\d+)\.(\d+)", text)
    if match is None:
        raise ValueError(f"not a botocore version: {text!r}")
    return int(match[1]), int(match[2]), int(match[3])


def installed_botocore() -> str:
    import botocore

    return str(getattr(botocore, "__version__", "unknown"))


def private_loader(base: Any = None) -> Any:
    """A new botocore ``Loader`` that finds the package's model first.

    Its other search paths are ``base``'s (a user's loader, so custom data paths keep working for
    everything else), or botocore's defaults. Only botocore's own "sdk" extras are read, as usual.
    """
    from botocore.loaders import Loader

    paths = getattr(base, "search_paths", None)
    if paths is None:
        return Loader(extra_search_paths=[str(DATA_PATH)])
    rest = [path for path in paths if path != str(DATA_PATH)]
    return Loader(extra_search_paths=[str(DATA_PATH), *rest], include_default_search_paths=False)


def private_session(session: Any) -> Any:
    """A clone of ``session`` (boto3 or botocore) whose data loader is :func:`private_loader`.

    The clone shares the original's settings, credentials, profile, event handlers (botocore copies
    them into each client it creates) and components; only its component table is its own, so
    replacing the loader and the exceptions factory there leaves the original untouched.
    """
    from botocore.errorfactory import ClientExceptionsFactory
    from botocore.session import ComponentLocator
    from botocore.session import Session as BotocoreSession

    core = getattr(session, "_session", session)  # a boto3 Session wraps a botocore Session
    if not isinstance(core, BotocoreSession):
        raise TypeError(f"session= must be a boto3 or botocore Session, not {type(session).__name__}")
    clone = copy.copy(core)
    clone._components = table = _copy_table(core._components, ComponentLocator)  # type: ignore[attr-defined]
    internal = _copy_table(core._internal_components, ComponentLocator)  # type: ignore[attr-defined]
    clone._internal_components = internal  # type: ignore[attr-defined]
    table.register_component("data_loader", private_loader(core.get_component("data_loader")))
    # botocore caches a service's exception classes by service name, per factory: a factory of
    # its own keeps the classes built from the SDK's model out of the user's session.
    internal.register_component("exceptions_factory", ClientExceptionsFactory())
    return clone


def _copy_table(original: Any, locator: Any) -> Any:
    """A new botocore ``ComponentLocator`` holding what ``original`` holds (same objects)."""
    table = locator()
    table._components = dict(original._components)
    table._deferred = dict(original._deferred)
    return table


@functools.cache
def shipped_service_model() -> Any:
    """botocore's ``ServiceModel`` of the package's model (loaded once per process)."""
    from botocore.model import ServiceModel

    return ServiceModel(private_loader().load_service_model(SERVICE_NAME, "service-2"), service_name=SERVICE_NAME)


def missing_operations(client: Any) -> frozenset[str]:
    """The SDK's operations that ``client``'s service model lacks."""
    known = set(client.meta.service_model.operation_names)
    return frozenset(name for name in OPERATIONS if name not in known)


def unknown_member(shape: Any, value: Any, path: str = "") -> str | None:
    """The first member path in ``value`` (a request's wire dict) that ``shape`` does not model.

    ``shape`` is a botocore input shape of a client passed as ``client=``; the path names members
    only (never values), with ``[]`` for list items and ``{}`` for map values.
    """
    kind = getattr(shape, "type_name", None)
    if kind == "structure" and isinstance(value, Mapping):
        members = shape.members
        for name, item in value.items():
            child = f"{path}.{name}" if path else str(name)
            if name not in members:
                return child
            found = unknown_member(members[name], item, child)
            if found is not None:
                return found
    elif kind == "list" and isinstance(value, list):
        for item in value:
            found = unknown_member(shape.member, item, f"{path}[]")
            if found is not None:
                return found
    elif kind == "map" and isinstance(value, Mapping):
        for item in value.values():
            found = unknown_member(shape.value, item, f"{path}{{}}")
            if found is not None:
                return found
    return None


def same_input(client_model: Any, operation: str) -> bool:
    """Whether ``client_model``'s input of ``operation`` has exactly the shipped model's members
    (at every depth): then requests need no member check."""
    ours = shipped_service_model().operation_model(operation).input_shape
    theirs = client_model.operation_model(operation).input_shape
    return bool(_signature(ours, set()) == _signature(theirs, set()))


def _signature(shape: Any, seen: set[str]) -> Any:
    if shape is None:
        return None
    kind = shape.type_name
    if kind == "structure":
        if shape.name in seen:
            return ("ref", shape.name)
        seen = seen | {shape.name}
        return ("structure", tuple(sorted((name, _signature(member, seen)) for name, member in shape.members.items())))
    if kind == "list":
        return ("list", _signature(shape.member, seen))
    if kind == "map":
        return ("map", _signature(shape.value, seen))
    return kind
