"""Print the project's runtime dependencies pinned to their minimum versions, one per line.

``pip install -e ".[dev]" $(python .ci/minimum_pins.py)`` gives the environment that proves the
lower bounds in pyproject.toml: .ci/run runs the whole test suite in it. ``--check PIN...`` exits
non-zero unless each installed distribution has exactly its pinned version.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

if sys.argv[1:2] == ["--check"]:
    from importlib.metadata import version

    wrong = []
    for pin in sys.argv[2:]:
        name, _, wanted = pin.partition("==")
        installed = version(name)
        print(f"{name} {installed}")
        if tuple(int(p) for p in installed.split(".")) != tuple(int(p) for p in wanted.split(".")) + (0,) * (
                installed.count(".") - wanted.count(".")):
            wrong.append(f"{name}: installed {installed}, pinned {wanted}")
    if wrong or not sys.argv[2:]:
        sys.exit("minimum pins not installed: " + ("; ".join(wrong) or "no pins given"))
    sys.exit(0)

project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())["project"]
for requirement in project["dependencies"]:
    match = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+)(,<[0-9.]+)?", requirement)
    if match is None:
        sys.exit(f"cannot read a minimum version from {requirement!r}")
    print(f"{match[1]}=={match[2]}")
