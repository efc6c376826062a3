"""``python -m customer_profiles_sdk``: the SDK's command line (see :mod:`customer_profiles_sdk.cli`)."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
