"""Print the project's runtime dependencies pinned to their minimum versions, one per line.

``pip install -e ".[dev]" $(python .ci/minimum_pins.py)`` gives the environment that proves the
lower bounds in pyproject.toml: .ci/run runs the whole test suite in it. ``--check PIN...`` exits
non-zero unless each installed distribution has exactly its pinned version.
tests/test_version_skew.py reads the pins through :func:`minimums`.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def minimums() -> dict[str, str]:
    """Distribution name -> its lower bound, for every runtime dependency (``name>=X[,<Y]``)."""
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    out = {}
    for requirement in project["dependencies"]:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+)(,<[0-9.]+)?", requirement)
        if match is None:
            raise ValueError(f"cannot read a minimum version from {requirement!r}")
        out[match[1]] = match[2]
    return out


def release(version: str) -> tuple[int, ...]:
    """``"2.11.0"`` and ``"2.11"`` -> ``(2, 11)``: trailing zeros do not count."""
    parts = [int(part) for part in version.split(".")]
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def check(pins: list[str]) -> list[str]:
    """Problems with the installed versions of ``name==version`` pins (empty when all match)."""
    from importlib.metadata import version

    wrong = []
    for pin in pins:
        name, _, wanted = pin.partition("==")
        installed = version(name)
        print(f"{name} {installed}")
        if release(installed) != release(wanted):
            wrong.append(f"{name}: installed {installed}, pinned {wanted}")
    return wrong


if __name__ == "__main__":
    if sys.argv[1:2] == ["--check"]:
        problems = check(sys.argv[2:]) if sys.argv[2:] else ["no pins given"]
        if problems:
            sys.exit("minimum pins not installed: " + "; ".join(problems))
    else:
        try:
            pins = minimums()
        except ValueError as error:
            sys.exit(str(error))
        for name, lowest in pins.items():
            print(f"{name}=={lowest}")
