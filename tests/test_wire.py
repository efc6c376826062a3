"""Wire conversion: names in both spellings, what to_boto sends, pins and operation facts."""

from __future__ import annotations

import io
import json
import pickle
import tomllib
import zipfile
from pathlib import Path

import pytest

from codegen import source
from customer_profiles_sdk import ParamValidationError
from customer_profiles_sdk._generated.operations import OPERATIONS
from customer_profiles_sdk.models import (
    CreateDomainRequest,
    GetProfileObjectTypeResponse,
    UpdateAddress,
    UpdateProfileRequest,
)

from . import synth

ROOT = Path(__file__).resolve().parent.parent


def test_model_validate_accepts_python_names_and_wire_names_alike() -> None:
    by_wire = CreateDomainRequest.model_validate({"DomainName": "shop", "DefaultExpirationDays": 30})
    by_name = CreateDomainRequest.model_validate({"domain_name": "shop", "default_expiration_days": 30})
    assert by_wire.to_boto() == by_name.to_boto() == {"DomainName": "shop", "DefaultExpirationDays": 30}


def test_update_profile_empty_string_clears_none_is_never_sent() -> None:
    request = UpdateProfileRequest(
        domain_name="shop", profile_id="a" * 32, first_name="", middle_name=None,
        address=UpdateAddress(city="", country=None),
    )
    assert request.to_boto() == {
        "DomainName": "shop", "ProfileId": "a" * 32, "FirstName": "", "Address": {"City": ""},
    }
    assert UpdateProfileRequest(domain_name="shop", profile_id="a" * 32).to_boto() == {
        "DomainName": "shop", "ProfileId": "a" * 32}


def test_to_boto_returns_fresh_plain_containers() -> None:
    parsed = GetProfileObjectTypeResponse.model_validate({"Keys": {"k": [{"FieldNames": ["a"]}]}, "New": {"x": [1]}})
    first = parsed.to_boto()
    first["Keys"]["k"][0]["FieldNames"].append("mutated")
    first["New"]["x"].append(2)
    assert parsed.to_boto() == {"Keys": {"k": [{"FieldNames": ["a"]}]}, "New": {"x": [1]}}
    assert json.loads(parsed.to_json()) == {"Keys": {"k": [{"FieldNames": ["a"]}]}, "New": {"x": [1]}}


def test_models_pickle_with_unknown_members() -> None:
    parsed = GetProfileObjectTypeResponse.model_validate({"ObjectTypeName": "o", "New": 1, "CreatedAt": 5})
    again = pickle.loads(pickle.dumps(parsed))
    assert again.to_boto() == parsed.to_boto()


def test_error_pickles_without_losing_problems() -> None:
    with pytest.raises(ParamValidationError) as info:
        CreateDomainRequest(domain_name="", default_expiration_days=30)
    again = pickle.loads(pickle.dumps(info.value))
    assert again.problems == info.value.problems and str(again) == str(info.value)


def test_runtime_pins_are_the_oldest_supported_botocore_not_the_model_version() -> None:
    """The package ships its model, so the pins stay at 1.34.0 whatever model it was generated from."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    deps = pyproject["project"]["dependencies"]
    assert "botocore>=1.34.0" in deps and "boto3>=1.34.0" in deps
    assert synth.VERSION != "1.34.0"


def test_update_reads_the_model_out_of_a_botocore_wheel() -> None:
    service = {"metadata": {"apiVersion": "2020-08-15"}, "operations": {}, "shapes": {},
               "documentation": "prose"}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        prefix = "botocore/data/customer-profiles/2020-08-15/"
        import gzip

        archive.writestr(prefix + "service-2.json.gz", gzip.compress(json.dumps(service).encode()))
        archive.writestr(prefix + "paginators-1.json", json.dumps({"pagination": {}}))
    got_service, got_paginators, version = source.from_wheel(buffer.getvalue(), "9.9.9")
    assert got_service == service and got_paginators == {"pagination": {}} and version == "9.9.9"
    assert "documentation" not in source.strip_docs(got_service)


def test_operation_table_covers_every_operation() -> None:
    assert set(OPERATIONS) == set(synth.OPERATIONS)
    for name, op in synth.OPERATIONS.items():
        info = OPERATIONS[name]
        assert (info.http_method, info.request_uri) == (op["http"]["method"], op["http"]["requestUri"])
        assert info.input_shape == op["input"]["shape"] and info.output_shape == op["output"]["shape"]
    token_ops = [o for o in OPERATIONS.values() if o.takes_next_token]
    with_paginator = [o for o in token_ops if o.botocore_paginator]
    if synth.VERSION == "1.44.5":
        assert (len(OPERATIONS), len(token_ops), len(with_paginator)) == (115, 29, 14)
