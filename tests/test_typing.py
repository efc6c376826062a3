"""mypy --strict (with the pydantic plugin, as configured in pyproject.toml) checks model use."""

from __future__ import annotations

import re
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


CLIENT = """
from customer_profiles_sdk import CustomerProfilesClient
from customer_profiles_sdk.models import GetDomainRequest

client = CustomerProfilesClient(region_name="us-east-1")
for obj in client.paginate_list_profile_objects(domain_name="d", object_type_name="o", profile_id="p"):
    reveal_type(obj)
for page in client.paginate_list_profile_objects(domain_name="d", object_type_name="o", profile_id="p").pages():
    reveal_type(page)
for match_id in client.paginate_list_rule_based_matches(domain_name="d"):
    reveal_type(match_id)
reveal_type(client.get_domain(domain_name="d"))
reveal_type(client.send(GetDomainRequest(domain_name="d")))
client.get_domain(domain_name="d", bogus=1)
client.get_domain()
client.create_domain(domain_name="d", default_expiration_days="30")
client.put_integration(domain_name="d", scope="EVERYTHING")
"""


def test_mypy_types_client_methods_paginators_and_send(tmp_path: Path) -> None:
    result = run_mypy(tmp_path, CLIENT)
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert 'sample.py:7: note: Revealed type is "customer_profiles_sdk._generated.shapes.list_profile_objects_item.ListProfileObjectsItem"' in out, out  # noqa: E501
    assert 'sample.py:9: note: Revealed type is "customer_profiles_sdk._generated.shapes.list_profile_objects_response.ListProfileObjectsResponse"' in out, out  # noqa: E501
    assert re.search(r'sample.py:11: note: Revealed type is "(builtins\.)?str"', out), out
    assert 'sample.py:12: note: Revealed type is "customer_profiles_sdk._generated.shapes.get_domain_response.GetDomainResponse"' in out, out  # noqa: E501
    assert 'sample.py:13: note: Revealed type is "customer_profiles_sdk._generated.shapes.get_domain_response.GetDomainResponse"' in out, out  # noqa: E501
    assert 'sample.py:14: error: Unexpected keyword argument "bogus"' in out, out
    assert 'sample.py:15: error: Missing named argument "domain_name"' in out, out
    assert 'sample.py:16: error: Argument "default_expiration_days"' in out, out
    assert 'sample.py:17: error: Argument "scope"' in out, out
    assert out.count("error:") == 4, out
