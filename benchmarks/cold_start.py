"""Cold start: fresh interpreters importing the SDK (and using one model) versus importing boto3.

    python benchmarks/cold_start.py [--runs 15]

Each scenario runs in a new process; each run goes through every scenario once, so the pairs
compared ran next to each other. The medians and the median of the pairwise ratios are printed.
Wall-clock time of the whole process, interpreter start included.

Bytecode caching is on in the child processes (``PYTHONDONTWRITEBYTECODE`` is removed from their
environment), as in an installed package: pip compiles every module at install time. Without it,
an editable install compiles the SDK's generated client (215 KB of source) in every process,
about 13 ms that a real installation never pays.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

SCENARIOS = {
    "python (empty)": "pass",
    "import boto3": "import boto3",
    "import customer_profiles_sdk": "import customer_profiles_sdk",
    "import customer_profiles_sdk.models": "import customer_profiles_sdk.models",
    "boto3 + one request model validated": (
        "import boto3\n"
        "from customer_profiles_sdk.models import PutProfileObjectTypeRequest as R\n"
        "R(domain_name='d', object_type_name='o', description='x')"
    ),
    "boto3 + client": (
        "import boto3\n"
        "boto3.client('customer-profiles', region_name='us-east-1', aws_access_key_id='k',"
        " aws_secret_access_key='s')"
    ),
    "boto3 + client + one request and one response model": (
        "import boto3\n"
        "from customer_profiles_sdk.models import PutProfileObjectTypeRequest as R, "
        "PutProfileObjectTypeResponse as P\n"
        "boto3.client('customer-profiles', region_name='us-east-1', aws_access_key_id='k',"
        " aws_secret_access_key='s')\n"
        "R(domain_name='d', object_type_name='o', description='x')\n"
        "P.model_validate({'ObjectTypeName': 'o'})"
    ),
    "boto3 client from the SDK's private session (shipped model)": (
        "import boto3\n"
        "from customer_profiles_sdk._compat import private_session\n"
        "private_session(boto3.session.Session(region_name='us-east-1', aws_access_key_id='k',"
        " aws_secret_access_key='s')).create_client('customer-profiles')"
    ),
    "SDK client (CustomerProfilesClient)": (
        "import boto3\n"
        "from customer_profiles_sdk import CustomerProfilesClient\n"
        "CustomerProfilesClient(session=boto3.session.Session(region_name='us-east-1', aws_access_key_id='k',"
        " aws_secret_access_key='s'))"
    ),
}
PAIRS = [
    ("SDK client (CustomerProfilesClient)", "boto3 + client"),
    ("boto3 client from the SDK's private session (shipped model)", "boto3 + client"),
    ("boto3 + one request model validated", "import boto3"),
    ("boto3 + client + one request and one response model", "boto3 + client"),
]


_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def once(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=_ENV)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    for code in SCENARIOS.values():  # warm the OS file cache and .pyc files
        once(code)
    times: dict[str, list[float]] = {name: [] for name in SCENARIOS}
    for _ in range(args.runs):
        for name, code in SCENARIOS.items():
            times[name].append(once(code))
    print(f"{'scenario':62} {'median ms':>10} {'min ms':>8} {'max ms':>8}")
    for name, values in times.items():
        print(f"{name:62} {statistics.median(values) * 1000:10.1f} {min(values) * 1000:8.1f} "
              f"{max(values) * 1000:8.1f}")
    results = {name: statistics.median(values) for name, values in times.items()}
    for a, b in PAIRS:
        ratios = [x / y for x, y in zip(times[a], times[b], strict=True)]
        results[f"{a} / {b}"] = statistics.median(ratios)
        print(f"ratio [{a}] / [{b}]: median {statistics.median(ratios):.3f}")
    return results


if __name__ == "__main__":
    main()
