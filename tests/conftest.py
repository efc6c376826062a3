"""Shared fixtures. Tests never reach AWS: credentials are dummies, configuration files and the
instance metadata service are switched off, and clients aim at a 127.0.0.1 server or a Stubber."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .localserver import LocalServer

# Applied at import, before any botocore session reads them.
for _name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_RETRY_MODE", "AWS_MAX_ATTEMPTS", "AWS_ENDPOINT_URL",
              "AWS_ENDPOINT_URL_CUSTOMER_PROFILES", "AWS_CA_BUNDLE", "HTTPS_PROXY", "HTTP_PROXY", "https_proxy",
              "http_proxy"):
    os.environ.pop(_name, None)
_EMPTY = str(Path(__file__).resolve().parent / "_no_aws_config")
os.environ["AWS_CONFIG_FILE"] = _EMPTY
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = _EMPTY
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ["NO_PROXY"] = "127.0.0.1,localhost"


@pytest.fixture(autouse=True)
def _no_retry_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries happen as configured, without botocore's backoff sleeps (counts are unchanged)."""
    from botocore import retryhandler
    from botocore.retries import standard

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0)
    monkeypatch.setattr(retryhandler, "delay_exponential", lambda base, growth_factor, attempts: 0)


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer() as running:
        yield running


@pytest.fixture
def fresh_server(server: LocalServer) -> LocalServer:
    """The module's server with an empty request log and a default 200 ``{}`` answer."""
    from .localserver import Reply

    server.reset()
    server.respond = lambda request: Reply()
    return server


# hypothesis profiles for the property tests (tests/test_properties.py).
# ``quick`` is the default, for the README's test command: 10 examples per test, derandomized
# (fewer do not reach every constraint kind that the constraint-fault property test checks).
# ``ci`` is what .ci/run uses: 100 examples per test, derandomized so every CI run checks the same
# examples. ``long`` draws 1,000 fresh random examples per test. Choose one with
# CUSTOMER_PROFILES_SDK_HYPOTHESIS=ci python -m pytest -m "" ...
from hypothesis import HealthCheck, settings  # noqa: E402

_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
            HealthCheck.large_base_example]
settings.register_profile("quick", max_examples=10, derandomize=True, database=None, deadline=None,
                          suppress_health_check=_SLOW_OK, print_blob=True)
settings.register_profile("ci", max_examples=100, derandomize=True, database=None, deadline=None,
                          suppress_health_check=_SLOW_OK, print_blob=True)
settings.register_profile("long", max_examples=1000, database=None, deadline=None,
                          suppress_health_check=_SLOW_OK, print_blob=True)
settings.load_profile(os.environ.get("CUSTOMER_PROFILES_SDK_HYPOTHESIS", "quick"))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the property tests' tallies (the figures quoted in docs/reliability.md)."""
    import sys

    module = sys.modules.get("tests.test_properties")
    tally = getattr(module, "TALLY", None)
    if tally:
        terminalreporter.write_line("property-test tally: " + ", ".join(f"{k}: {tally[k]}" for k in sorted(tally)))
