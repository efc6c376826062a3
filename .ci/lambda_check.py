"""A Lambda-like environment: boto3/botocore 1.34.42 preinstalled, the SDK installed on top.

Run by .ci/run from outside the repository, so the installed package (a wheel) is what is imported:
its shipped model must be there, and every operation must work through the emulator.
"""

from __future__ import annotations

import boto3
import botocore

from customer_profiles_sdk import CustomerProfilesClient
from customer_profiles_sdk._compat import DATA_PATH
from customer_profiles_sdk.local import Emulator

assert botocore.__version__ == boto3.__version__ == "1.34.42", (boto3.__version__, botocore.__version__)
assert (DATA_PATH / "customer-profiles" / "2020-08-15" / "endpoint-rule-set-1.json").is_file()
own = boto3.session.Session(region_name="us-east-1").client("customer-profiles")
with Emulator() as emulator:
    client: CustomerProfilesClient = emulator.client()
    assert len(client.boto3_client.meta.service_model.operation_names) == 115
    client.create_domain(domain_name="shop", default_expiration_days=1)
    # SearchRecommendations and the domain layouts are newer than botocore 1.34.42's model.
    assert "SearchRecommendations" not in own.meta.service_model.operation_names
    assert client.list_domain_layouts(domain_name="shop").items in (None, [])
print(f"lambda-like: botocore {botocore.__version__} (its own model: "
      f"{len(own.meta.service_model.operation_names)} operations); the SDK's client: 115 operations")
