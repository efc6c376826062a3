"""A local, in-memory Customer Profiles emulator: no AWS account, no network.

    from customer_profiles_sdk.local import Emulator

    with Emulator() as emu:                  # every customer-profiles client in the process
        client = emu.client()                # or CustomerProfilesClient(), or boto3.client(...)
        client.create_domain(domain_name="shop", default_expiration_days=365)

It answers at botocore's HTTP layer (aiobotocore's for the async client: ``emu.async_client()``),
so serialization, signing, parsing, errors and retries all run.
``python -m customer_profiles_sdk.local serve --port 8787`` serves the same backend on 127.0.0.1.
All 115 operations are modelled, one feature area per module (``_areas/``); long-running work moves
on the emulator's clock (``emu.advance(seconds)``). The pytest fixtures are in
:mod:`customer_profiles_sdk.testing`. docs/guides/testing.md lists what each area models and
where the emulator is an approximation.
"""

from ._areas.event_triggers import FiredTrigger
from ._backend import Backend, BatchItem
from ._emulator import Emulator, EmulatorServer, emulated, installed
from ._errors import EmulatorError

__all__ = [
    "Backend",
    "BatchItem",
    "Emulator",
    "EmulatorError",
    "EmulatorServer",
    "FiredTrigger",
    "emulated",
    "installed",
]
