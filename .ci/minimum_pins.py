"""Print the project's runtime dependencies pinned to their minimum versions, one per line.

``pip install -e ".[dev]" $(python .ci/minimum_pins.py)`` gives the environment that proves the
lower bounds in pyproject.toml: .ci/run runs the whole test suite in it.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())["project"]
for requirement in project["dependencies"]:
    match = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+)(,<[0-9.]+)?", requirement)
    if match is None:
        sys.exit(f"cannot read a minimum version from {requirement!r}")
    print(f"{match[1]}=={match[2]}")
