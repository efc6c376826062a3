"""pytest fixtures for testing code that uses Customer Profiles, against the local emulator.

The SDK registers this module as a pytest plugin (entry point ``pytest11``), so the fixtures are
available in every test once the SDK is installed:

    def test_signup(customer_profiles_client):
        customer_profiles_client.create_domain(domain_name="shop", default_expiration_days=365)
        ...

``customer_profiles_emulator`` is a fresh :class:`~customer_profiles_sdk.local.Emulator`, installed
process-wide for the test, so clients your own code creates (the SDK's or plain boto3 ones) reach
it too. ``customer_profiles_client`` is a :class:`~customer_profiles_sdk.CustomerProfilesClient`
attached to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .client import CustomerProfilesClient
    from .local import Emulator

__all__ = ["customer_profiles_client", "customer_profiles_emulator"]


@pytest.fixture
def customer_profiles_emulator() -> Iterator[Emulator]:
    """A fresh emulator, answering every customer-profiles client in the process for one test."""
    from .local import Emulator

    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def customer_profiles_client(customer_profiles_emulator: Emulator) -> CustomerProfilesClient:
    """A typed client attached to this test's emulator."""
    return customer_profiles_emulator.client()
