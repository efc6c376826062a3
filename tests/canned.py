"""Canned HTTP answers at botocore's ``before-send`` event: the whole botocore stack runs
(serialization, signing, retries, parsing), nothing leaves the process."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

import boto3.session
from botocore.awsrequest import AWSResponse
from botocore.config import Config

from customer_profiles_sdk import CustomerProfilesClient
from customer_profiles_sdk.local._emulator import _Body  # a response body botocore can read


def method_kwargs(request_shape: str, wire: dict[str, Any]) -> dict[str, Any]:
    """A client method's keyword arguments for a wire dict: top-level members by Python name,
    nested values left as wire dicts (the client accepts both).

    A missing required top-level member is passed as ``None`` (a keyword-only parameter without a
    default cannot be left out), which the client must treat as missing.
    """
    import customer_profiles_sdk.models as models

    from . import synth

    cp = getattr(models, request_shape).__cp__
    kwargs = {cp.by_wire[member]: value for member, value in wire.items()}
    for member in synth.SHAPES[request_shape].get("required", []):
        kwargs.setdefault(cp.by_wire[member], None)
    return kwargs


def wire_json(value: Any) -> bytes:
    """JSON as Customer Profiles sends it: timestamps as epoch seconds."""

    def default(item: Any) -> Any:
        if isinstance(item, datetime):
            return item.timestamp()
        raise TypeError(type(item).__name__)

    return json.dumps(value, default=default).encode()


@dataclass
class Canned:
    """Answers each request with the next (status, body) of ``answers`` (the last one repeats)."""

    answers: list[tuple[int, bytes]] = field(default_factory=lambda: [(200, b"{}")])
    headers: dict[str, str] = field(default_factory=dict)
    requests: int = 0

    def set(self, body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> None:
        self.answers = [(status, body)]
        self.headers = dict(headers or {})

    def __call__(self, request: Any, **kwargs: Any) -> AWSResponse:
        status, body = self.answers[min(self.requests, len(self.answers) - 1)]
        self.requests += 1
        headers = {"Content-Type": "application/json", "x-amzn-RequestId": f"req-{self.requests}",
                   "Content-Length": str(len(body)), **self.headers}
        return AWSResponse(request.url, status, cast(Any, headers), _Body(body))


def boto3_client(canned: Canned, config: Config | None = None) -> Any:
    """A plain boto3 client (no SDK hooks) with dummy credentials whose requests ``canned`` answers.
    It loads the model shipped in the package, so it knows every operation on any botocore."""
    from customer_profiles_sdk._compat import private_session

    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                    region_name="us-east-1")
    client = private_session(session).create_client("customer-profiles",
                                                    config=config or Config(retries={"mode": "standard"}))
    client.meta.events.register("before-send", canned)
    return client


def sdk_client(canned: Canned, fast_parse: bool = True) -> CustomerProfilesClient:
    return CustomerProfilesClient(client=boto3_client(canned), fast_parse=fast_parse)
