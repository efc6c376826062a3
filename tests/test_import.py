"""Importing the SDK is cheap: no shape module is loaded and no schema is built up front."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
import customer_profiles_sdk
import customer_profiles_sdk.models as models
before = sorted(m for m in sys.modules if m.startswith("customer_profiles_sdk._generated.shapes."))
from customer_profiles_sdk.models import GetProfileObjectTypeResponse
after = sorted(m for m in sys.modules if m.startswith("customer_profiles_sdk._generated.shapes."))
built_before = GetProfileObjectTypeResponse.__pydantic_complete__
GetProfileObjectTypeResponse.model_validate({})
print(json.dumps({"before": before, "after": after, "built_before": built_before,
                  "complete_after": GetProfileObjectTypeResponse.__pydantic_complete__}))
"""


def test_models_load_lazily_and_build_on_first_use() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    facts = json.loads(out.stdout)
    assert facts["before"] == []
    prefix = "customer_profiles_sdk._generated.shapes."
    loaded = {name.removeprefix(prefix) for name in facts["after"]}
    # Only the response and the shapes it refers to, not the other ~440 modules.
    assert "get_profile_object_type_response" in loaded
    assert "object_type_key" in loaded and "standard_identifier" in loaded
    assert len(loaded) < 10
    assert facts["built_before"] is False


def test_import_does_not_pull_boto3_the_client_or_pydantic_yet() -> None:
    # botocore.exceptions is needed (service errors subclass ClientError); boto3, botocore's
    # client machinery and pydantic are not, until a client or a model is used.
    code = (
        "import sys, customer_profiles_sdk; "
        "print(*(m in sys.modules for m in ('boto3', 'botocore.client', 'pydantic', 'customer_profiles_sdk._core')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "False", "False"]


def test_creating_a_client_does_not_import_pydantic_or_models() -> None:
    code = (
        "import sys\n"
        "from customer_profiles_sdk import CustomerProfilesClient\n"
        "import boto3\n"
        "s = boto3.session.Session(aws_access_key_id='a', aws_secret_access_key='b', region_name='us-east-1')\n"
        "CustomerProfilesClient(session=s)\n"
        "shapes = [m for m in sys.modules if m.startswith('customer_profiles_sdk._generated.shapes.')]\n"
        "print('pydantic' in sys.modules, len(shapes))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "0"]
