"""Version skew: refuse a botocore older than the one the generated code was made from.

The generated methods and models name operations and members of botocore's service model for
customer-profiles at :data:`~customer_profiles_sdk._generated.operations.BOTOCORE_VERSION`. An
older botocore lacks some of them, and would fail late with a confusing "unknown parameter" or
"no such operation" error, after the SDK's own validation had passed. So creating a client checks
two things, cheaply (a few microseconds), and raises :class:`IncompatibleBotocoreError` naming the
minimum version:

* ``botocore.__version__`` is at least the generated-from version;
* the client's service model (which a custom data path could replace) knows every operation.

Member-level agreement between the installed model and the generated code is proven by the test
suite (tests/test_version_skew.py), not checked at run time.
"""

from __future__ import annotations

import re
from typing import Any

from ._generated.operations import BOTOCORE_VERSION, OPERATIONS
from .errors import IncompatibleBotocoreError

__all__ = ["MINIMUM_BOTOCORE", "check_botocore_version", "check_service_model", "parse_version"]

#: The oldest botocore the SDK works with: the version its models were generated from.
MINIMUM_BOTOCORE = BOTOCORE_VERSION


def parse_version(text: str) -> tuple[int, int, int]:
    """``"1.44.5"`` -> ``(1, 44, 5)``; anything after the third number is ignored, so a
    pre-release or dev build of a version counts as that version (botocore publishes neither)."""
    match = re.match(r"\s*(\d+)\.(\d+)\.(\d+)", text)
    if match is None:
        raise ValueError(f"not a botocore version: {text!r}")
    return int(match[1]), int(match[2]), int(match[3])


def _advice(installed: str) -> str:
    return (f"customer_profiles_sdk needs botocore >= {MINIMUM_BOTOCORE} (installed: {installed}). "
            f"Upgrade with: pip install --upgrade 'boto3>={MINIMUM_BOTOCORE}' 'botocore>={MINIMUM_BOTOCORE}'")


def _installed() -> str:
    import botocore

    return str(getattr(botocore, "__version__", "unknown"))


def check_botocore_version() -> None:
    """Raise :class:`IncompatibleBotocoreError` when the installed botocore is too old."""
    installed = _installed()
    try:
        too_old = parse_version(installed) < parse_version(MINIMUM_BOTOCORE)
    except ValueError:
        too_old = False  # an unusual version string: the service-model check still runs
    if too_old:
        raise IncompatibleBotocoreError(_advice(installed), MINIMUM_BOTOCORE, installed)


def check_service_model(client: Any) -> None:
    """Raise :class:`IncompatibleBotocoreError` when ``client``'s service model lacks an operation."""
    installed = _installed()
    known = set(client.meta.service_model.operation_names)
    missing = [name for name in OPERATIONS if name not in known]
    if missing:
        raise IncompatibleBotocoreError(
            f"{_advice(installed)}. The client's service model lacks {len(missing)} of the "
            f"{len(OPERATIONS)} operations, for example {missing[0]}; it may come from an old "
            f"custom data path (AWS_DATA_PATH).", MINIMUM_BOTOCORE, installed)
