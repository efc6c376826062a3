"""mypy --strict (with the pydantic plugin, as configured in pyproject.toml) checks model use."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

GOOD = """
from customer_profiles_sdk.models import ObjectTypeKey, PutProfileObjectTypeRequest, StandardIdentifier

key = ObjectTypeKey(standard_identifiers=["ORDER", StandardIdentifier.UNIQUE], field_names=["OrderId"])
request = PutProfileObjectTypeRequest(
    domain_name="shop", object_type_name="Orders", description="orders", keys={"order": [key]}
)
wire: dict[str, object] = request.to_boto()
"""

BAD = """
from customer_profiles_sdk.models import ObjectTypeKey, PutProfileObjectTypeRequest

key = ObjectTypeKey(standard_identifiers=["ORDR"])
request = PutProfileObjectTypeRequest(domain_name="shop", object_type_name="Orders")
"""


def run_mypy(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    target = tmp_path / "sample.py"
    target.write_text(textwrap.dedent(source), encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
         "--cache-dir", str(ROOT / ".mypy_cache"), str(target)],
        capture_output=True, text=True, cwd=ROOT,
    )


def test_mypy_accepts_correct_use(tmp_path: Path) -> None:
    result = run_mypy(tmp_path, GOOD)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_rejects_wrong_enum_literal_and_missing_required_argument(tmp_path: Path) -> None:
    result = run_mypy(tmp_path, BAD)
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert 'sample.py:4: error: List item 0 has incompatible type "Literal[\'ORDR\']"' in out, out
    assert 'sample.py:5: error: Missing named argument "description"' in out, out
