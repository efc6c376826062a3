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

``customer_profiles_async_client`` is an
:class:`~customer_profiles_sdk.aio.AsyncCustomerProfilesClient` attached to the same emulator,
opened for the test and closed after it. It is an async fixture: it needs aiobotocore (the
``async`` extra) and a plugin that runs async tests and fixtures on asyncio, such as anyio's
(``@pytest.mark.anyio``, with the ``asyncio`` backend) or pytest-asyncio in auto mode:

    @pytest.mark.anyio
    async def test_signup(customer_profiles_async_client):
        await customer_profiles_async_client.create_domain(domain_name="shop", default_expiration_days=365)

Importing this module imports neither aiobotocore nor an async plugin.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .aio import AsyncCustomerProfilesClient
    from .client import CustomerProfilesClient
    from .local import Emulator

__all__ = [
    "DUMMY_ENVIRONMENT",
    "customer_profiles_async_client",
    "customer_profiles_client",
    "customer_profiles_emulator",
]


#: Dummy credentials for the test: clients still sign their requests, and real ones are never needed.
DUMMY_ENVIRONMENT = {"AWS_ACCESS_KEY_ID": "emulator", "AWS_SECRET_ACCESS_KEY": "emulator"}


@pytest.fixture
def customer_profiles_emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """A fresh emulator, answering every customer-profiles client in the process for one test.

    For the test, dummy credentials replace any in the environment (``AWS_SESSION_TOKEN`` and
    ``AWS_PROFILE`` are unset), and ``AWS_DEFAULT_REGION`` is set to the emulator's region unless
    a region is already set, so clients that your code creates itself work with no set-up.
    """
    from .local import Emulator

    emulator = Emulator()
    for name, value in DUMMY_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    if not (os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION")):
        monkeypatch.setenv("AWS_DEFAULT_REGION", emulator.region)
    with emulator:
        yield emulator


@pytest.fixture
def customer_profiles_client(customer_profiles_emulator: Emulator) -> CustomerProfilesClient:
    """A typed client attached to this test's emulator."""
    return customer_profiles_emulator.client()


@pytest.fixture
async def customer_profiles_async_client(
    customer_profiles_emulator: Emulator,
) -> AsyncIterator[AsyncCustomerProfilesClient]:
    """An async typed client attached to this test's emulator, open for the test (needs
    aiobotocore, and an async test run on asyncio: see the module's docstring)."""
    async with customer_profiles_emulator.async_client() as client:
        yield client
