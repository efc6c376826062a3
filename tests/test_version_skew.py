"""botocore versions: the SDK's clients use the model shipped in the package, on every botocore.

* The shipped model (``customer_profiles_sdk/data``) knows every operation, structure, member and
  paginator the generated code names, and the SDK's clients load it, whatever botocore's own model.
* The user's session is not changed: clients made from it without the SDK, of this service or any
  other, keep botocore's own model, loader and exception classes.
* A client passed as ``client=`` keeps its own model: an operation or a member it lacks raises
  :class:`OperationNotSupportedError` before anything is sent; the other operations work.
* The lower bound in pyproject.toml is :data:`MINIMUM_BOTOCORE` (1.34.0), not the generated-from
  version. CI runs the suite at 1.34.0, at aiobotocore's pin and at the newest botocore (.ci/run).
"""

from __future__ import annotations

import copy
import importlib.util
import json
import pickle
from pathlib import Path
from typing import Any, cast

import boto3
import botocore
import botocore.session
import pytest

import customer_profiles_sdk
import customer_profiles_sdk.models as models
from customer_profiles_sdk import CustomerProfilesClient, IncompatibleBotocoreError, OperationNotSupportedError
from customer_profiles_sdk._compat import (
    DATA_PATH,
    MINIMUM_BOTOCORE,
    parse_version,
    private_loader,
    private_session,
    shipped_service_model,
    unknown_member,
)
from customer_profiles_sdk._generated.operations import OPERATIONS
from customer_profiles_sdk.local import Emulator

from .localserver import dummy_session

ROOT = Path(__file__).resolve().parents[1]


def installed_model() -> tuple[dict[str, Any], dict[str, Any]]:
    """The model of the installed botocore (what clients made without the SDK use)."""
    session = botocore.session.get_session()
    loader = session.get_component("data_loader")
    service = loader.load_service_model("customer-profiles", "service-2")
    paginators = loader.load_service_model("customer-profiles", "paginators-1")
    return service, paginators


def shipped_model() -> tuple[dict[str, Any], dict[str, Any]]:
    """The model shipped in the package, read by the SDK's private loader."""
    loader = private_loader()
    return (loader.load_service_model("customer-profiles", "service-2"),
            loader.load_service_model("customer-profiles", "paginators-1"))


def structure_classes() -> dict[str, Any]:
    out = {}
    for name in models.__all__:
        cls = getattr(models, name)
        info = getattr(cls, "__cp__", None)
        if info is not None:
            out[info.name] = cls
    return out


def skew_problems(service: dict[str, Any], paginators: dict[str, Any]) -> list[str]:
    """What the generated code uses and ``service`` (a botocore service-2 model) lacks."""
    problems: list[str] = []
    shapes = service["shapes"]
    operations = service["operations"]
    for name, info in OPERATIONS.items():
        op = operations.get(name)
        if op is None:
            problems.append(f"operation {name} is missing")
            continue
        http = op.get("http", {})
        if (http.get("method"), http.get("requestUri")) != (info.http_method, info.request_uri):
            problems.append(f"operation {name}: HTTP method or URI differs")
        if op.get("input", {}).get("shape") != info.input_shape:
            problems.append(f"operation {name}: input shape differs")
        if op.get("output", {}).get("shape") != info.output_shape:
            problems.append(f"operation {name}: output shape differs")
        if info.botocore_paginator and name not in paginators.get("pagination", {}):
            problems.append(f"paginator {name} is missing")
    for shape_name, cls in structure_classes().items():
        shape = shapes.get(shape_name)
        if shape is None or shape.get("type") != "structure":
            problems.append(f"structure {shape_name} is missing")
            continue
        installed_members = shape.get("members", {})
        committed = COMMITTED["shapes"][shape_name]["members"]
        for wire in cls.__cp__.wire.values():
            member = installed_members.get(wire)
            if member is None:
                problems.append(f"member {shape_name}.{wire} is missing")
                continue
            ours = committed[wire]
            for key in ("location", "locationName"):
                if member.get(key) != ours.get(key):
                    problems.append(f"member {shape_name}.{wire}: {key} differs")
            target, our_target = shapes.get(member["shape"], {}), COMMITTED["shapes"][ours["shape"]]
            if target.get("type") != our_target["type"]:
                problems.append(f"member {shape_name}.{wire}: type differs")
    return problems


with (ROOT / "codegen" / "model" / "service-2.json").open() as _file:
    COMMITTED: dict[str, Any] = json.load(_file)


def test_the_shipped_model_knows_every_operation_and_member_the_generated_code_uses() -> None:
    service, paginators = shipped_model()
    assert skew_problems(service, paginators) == []
    classes = structure_classes()
    members = sum(len(cls.__cp__.wire) for cls in classes.values())
    assert len(OPERATIONS) == 115 and len(classes) >= 370
    print(f"\nchecked {len(OPERATIONS)} operations, {len(classes)} structures, {members} members against "
          f"the shipped model (botocore {botocore.__version__} installed)")


def test_the_shipped_files_are_the_committed_model() -> None:
    folder = DATA_PATH / "customer-profiles" / "2020-08-15"
    assert sorted(p.name for p in folder.iterdir()) == [
        "endpoint-rule-set-1.json", "paginators-1.json", "paginators-1.sdk-extras.json", "service-2.json"]
    for name in ("service-2.json", "paginators-1.json", "endpoint-rule-set-1.json"):
        assert json.loads((folder / name).read_text()) == json.loads((ROOT / "codegen" / "model" / name).read_text())


def test_the_skew_check_finds_what_an_older_model_lacks() -> None:
    service, paginators = shipped_model()
    old = copy.deepcopy(service)
    del old["operations"]["CreateDomainLayout"]
    del old["shapes"]["CreateProfileRequest"]["members"]["EmailAddress"]
    old["shapes"]["GetDomainRequest"]["members"]["DomainName"]["location"] = "querystring"
    old_pages = copy.deepcopy(paginators)
    del old_pages["pagination"]["ListDomainLayouts"]
    problems = skew_problems(old, old_pages)
    assert "operation CreateDomainLayout is missing" in problems
    assert "member CreateProfileRequest.EmailAddress is missing" in problems
    assert "member GetDomainRequest.DomainName: location differs" in problems
    assert "paginator ListDomainLayouts is missing" in problems


# -- the SDK's clients: the shipped model, a clone of the user's session ---------------------------


def test_the_sdks_client_has_every_operation_and_the_users_session_is_untouched() -> None:
    session = dummy_session()
    core = session._session
    loader = core.get_component("data_loader")
    factory = core._get_internal_component("exceptions_factory")
    own = len(installed_model()[0]["operations"])
    sdk = CustomerProfilesClient(session=session)
    model = sdk.boto3_client.meta.service_model
    assert sorted(model.operation_names) == sorted(OPERATIONS)
    assert sdk.boto3_client.meta.region_name == "us-east-1"
    assert cast(Any, sdk.boto3_client)._request_signer._credentials.access_key == "testing"
    assert sdk.boto3_client.can_paginate("list_domain_layouts")
    # The user's session: same loader and exceptions factory, botocore's own model.
    assert core.get_component("data_loader") is loader and core._get_internal_component("exceptions_factory") is factory
    assert str(DATA_PATH) not in loader.search_paths
    plain = session.client("customer-profiles")
    assert len(plain.meta.service_model.operation_names) == own
    assert plain.exceptions.BadRequestException is not sdk.boto3_client.exceptions.BadRequestException
    # Other services are made as before (botocore's loader).
    sts = session.client("sts")
    assert sts.meta.service_model.service_name == "sts"
    assert plain._loader is loader and sts._loader is loader
    assert cast(Any, sdk.boto3_client)._loader is not loader
    print(f"\nbotocore {botocore.__version__}: its own model has {own} operations; the SDK's client has "
          f"{len(model.operation_names)}")


def test_a_botocore_session_is_cloned_too_and_keeps_its_handlers_and_custom_data_path(tmp_path: Path) -> None:
    core = botocore.session.Session()
    core.set_credentials("testing", "testing")
    core.set_config_variable("data_path", str(tmp_path))
    seen: list[str] = []
    core.register("before-call.customer-profiles", lambda **kwargs: seen.append(kwargs["model"].name))
    clone = private_session(core)
    assert clone is not core and clone.get_component("data_loader") is not core.get_component("data_loader")
    assert clone.get_component("data_loader").search_paths[:2] == [str(DATA_PATH), str(tmp_path)]
    assert core.get_component("data_loader").search_paths[0] == str(tmp_path)
    sdk = CustomerProfilesClient(session=core, region_name="us-east-1")
    with Emulator() as emulator:
        emulator.attach(sdk)
        sdk.create_domain(domain_name="shop", default_expiration_days=1)
    assert seen == ["CreateDomain"]  # a handler registered on the user's session before the client
    with pytest.raises(TypeError, match="boto3 or botocore Session"):
        private_session(object())


# -- client=: the client's own model ----------------------------------------------------------------


def old_client(tmp_path: Path, drop_operations: tuple[str, ...], drop_member: tuple[str, str] | None = None) -> Any:
    """A boto3 client whose model (a custom data path) lacks operations and possibly a member."""
    service, _ = shipped_model()
    old = copy.deepcopy(service)
    for name in drop_operations:
        del old["operations"][name]
    if drop_member is not None:
        del old["shapes"][drop_member[0]]["members"][drop_member[1]]
    folder = tmp_path / "customer-profiles" / old["metadata"]["apiVersion"]
    folder.mkdir(parents=True)
    (folder / "service-2.json").write_text(json.dumps(old))
    core = botocore.session.Session()
    core.set_credentials("testing", "testing")
    core.set_config_variable("data_path", str(tmp_path))
    return core.create_client("customer-profiles", region_name="us-east-1")


def test_client_with_a_model_lacking_operations_raises_per_operation_before_sending(tmp_path: Path) -> None:
    raw = old_client(tmp_path, ("CreateDomainLayout", "ListDomainLayouts"))
    sent: list[str] = []
    raw.meta.events.register_first("before-send", lambda request, **kwargs: sent.append(request.url))
    client = CustomerProfilesClient(client=raw)  # accepted: the other operations work
    with Emulator() as emulator:
        emulator.attach(client)
        with pytest.raises(OperationNotSupportedError) as caught:
            client.create_domain_layout(domain_name="shop", layout_definition_name="x", description="d",
                                        display_name="n", layout_type="PROFILE_EXPLORER", layout="{}")
        assert sent == []
        with pytest.raises(OperationNotSupportedError):
            client.paginate_list_domain_layouts(domain_name="shop")
        assert sent == []
        client.create_domain(domain_name="shop", default_expiration_days=1)
        assert client.get_domain(domain_name="shop").domain_name == "shop" and len(sent) == 2
    error = caught.value
    assert isinstance(error, IncompatibleBotocoreError)
    assert isinstance(error, customer_profiles_sdk.CustomerProfilesError)
    assert (error.operation, error.member, error.installed) == ("CreateDomainLayout", "", botocore.__version__)
    text = str(error)
    assert "CreateDomainLayout" in text and "client=" in text and "nothing was sent" in text
    assert "upgrade botocore" in text and "PROFILE_EXPLORER" not in text
    again = pickle.loads(pickle.dumps(error))
    assert (str(again), again.operation, again.member) == (text, "CreateDomainLayout", "")


def test_client_with_a_model_lacking_a_member_raises_only_when_it_is_set(tmp_path: Path) -> None:
    raw = old_client(tmp_path, (), ("CreateProfileRequest", "EmailAddress"))
    sent: list[str] = []
    raw.meta.events.register_first("before-send", lambda request, **kwargs: sent.append(request.url))
    client = CustomerProfilesClient(client=raw)
    with Emulator() as emulator:
        emulator.attach(client)
        client.create_domain(domain_name="shop", default_expiration_days=1)
        client.create_profile(domain_name="shop", first_name="Ada")  # the member is not set: sent
        assert len(sent) == 2
        with pytest.raises(OperationNotSupportedError) as caught:
            client.create_profile(domain_name="shop", first_name="Ada", email_address="ada@example.com")
        assert len(sent) == 2
    assert (caught.value.operation, caught.value.member) == ("CreateProfile", "EmailAddress")
    assert "ada@example.com" not in str(caught.value)


def test_the_member_walk_names_nested_paths_only() -> None:
    model = shipped_service_model()
    shape = model.operation_model("PutProfileObjectType").input_shape
    assert unknown_member(shape, {"DomainName": "d", "Fields": {"a": {"Source": "s", "Nope": 1}}}) == "Fields{}.Nope"
    assert unknown_member(shape, {"DomainName": "d", "Keys": {"k": [{"Nope": 1}]}}) == "Keys{}[].Nope"
    assert unknown_member(shape, {"DomainName": "d"}) is None


def test_version_numbers_compare_as_numbers() -> None:
    assert parse_version("1.44.10") > parse_version("1.44.5")
    assert parse_version("1.44.5rc1") == (1, 44, 5)
    with pytest.raises(ValueError):
        parse_version("unknown")


# -- pins ---------------------------------------------------------------------------------------------


def minimum_pins() -> Any:
    """The .ci/minimum_pins.py script as a module (it is not in a package)."""
    spec = importlib.util.spec_from_file_location("minimum_pins", ROOT / ".ci" / "minimum_pins.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_pin_check_compares_release_numbers() -> None:
    module = minimum_pins()
    assert module.release("2.11.0") == module.release("2.11") == (2, 11)
    assert module.release("4.12.2") != module.release("4.12")
    assert module.check(["boto3==" + boto3.__version__]) == []
    assert module.check(["boto3==0.0.1"]) == [f"boto3: installed {boto3.__version__}, pinned 0.0.1"]


def test_minimum_pins_are_the_oldest_supported_botocore() -> None:
    pins = minimum_pins().minimums()  # the same reading CI installs from
    assert set(pins) == {"boto3", "botocore", "pydantic", "typing-extensions"}
    assert pins["botocore"] == pins["boto3"] == MINIMUM_BOTOCORE == "1.34.0"
    assert parse_version(botocore.__version__) >= parse_version(MINIMUM_BOTOCORE)
    assert f"botocore {MINIMUM_BOTOCORE}" in (ROOT / "README.md").read_text()
    # CI installs exactly these minimums and runs the suite (.ci/run): they are what it proves.
    ci = (ROOT / ".ci" / "run").read_text()
    assert "python .ci/minimum_pins.py" in ci and ".ci/minimum_pins.py --check" in ci
