"""Version skew: the installed botocore must know everything the generated code uses.

* Every operation (HTTP method, URI, input and output shapes), every structure and every member
  (wire name, location, target type) and every botocore paginator that the generated code names is
  present in the installed botocore's model.
* Creating a client on a too-old botocore, or on a service model that lacks operations, raises
  :class:`IncompatibleBotocoreError` naming the minimum version.
* The minimum pins in pyproject.toml are the version the code was generated from. CI also runs
  the whole suite with every dependency at its minimum pin (.ci/run, "minimum pins").
"""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import pickle
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import botocore
import botocore.session
import pytest

import customer_profiles_sdk
import customer_profiles_sdk.models as models
from customer_profiles_sdk import CustomerProfilesClient, IncompatibleBotocoreError
from customer_profiles_sdk._compat import MINIMUM_BOTOCORE, parse_version
from customer_profiles_sdk._generated.operations import BOTOCORE_VERSION, OPERATIONS

from .localserver import dummy_session

ROOT = Path(__file__).resolve().parents[1]


def installed_model() -> tuple[dict[str, Any], dict[str, Any]]:
    session = botocore.session.get_session()
    loader = session.get_component("data_loader")
    service = loader.load_service_model("customer-profiles", "service-2")
    paginators = loader.load_service_model("customer-profiles", "paginators-1")
    return service, paginators


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


def test_installed_botocore_knows_every_operation_and_member_the_generated_code_uses() -> None:
    service, paginators = installed_model()
    assert skew_problems(service, paginators) == []
    classes = structure_classes()
    members = sum(len(cls.__cp__.wire) for cls in classes.values())
    assert len(OPERATIONS) == 115 and len(classes) >= 370
    print(f"\nchecked {len(OPERATIONS)} operations, {len(classes)} structures, {members} members against "
          f"botocore {botocore.__version__}")


def test_the_skew_check_finds_what_an_older_model_lacks() -> None:
    service, paginators = installed_model()
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


# -- too old a botocore ----------------------------------------------------------------------------


@pytest.mark.parametrize("old", ["1.43.11", "1.44.4", "0.99.0", "1.9.200"])
def test_a_too_old_botocore_is_refused_with_the_minimum_named(old: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(botocore, "__version__", old)
    makers: list[Callable[[], CustomerProfilesClient]] = [
        lambda: CustomerProfilesClient(session=dummy_session()),
        lambda: CustomerProfilesClient(client=dummy_session().client("customer-profiles")),
    ]
    for make in makers:
        with pytest.raises(IncompatibleBotocoreError) as caught:
            make()
        text = str(caught.value)
        assert f"botocore >= {MINIMUM_BOTOCORE}" in text and f"installed: {old}" in text
        assert "pip install --upgrade" in text
        assert (caught.value.minimum, caught.value.installed) == (MINIMUM_BOTOCORE, old)
        assert isinstance(caught.value, customer_profiles_sdk.CustomerProfilesError)
        again = pickle.loads(pickle.dumps(caught.value))
        assert (str(again), again.minimum, again.installed) == (text, MINIMUM_BOTOCORE, old)


def test_the_version_is_checked_before_any_client_is_created(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(botocore, "__version__", "1.43.11")
    session = dummy_session()
    created: list[str] = []
    monkeypatch.setattr(session, "client", lambda *args, **kwargs: created.append("client"))
    with pytest.raises(IncompatibleBotocoreError):
        CustomerProfilesClient(session=session)
    assert created == []


def test_an_unreadable_or_missing_version_leaves_the_decision_to_the_model_check(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A botocore built from source may carry an odd version string: it is not refused for that
    alone, but the service-model check still runs (and passes here, the model being complete)."""
    monkeypatch.setattr(botocore, "__version__", "unknown")
    CustomerProfilesClient(session=dummy_session())
    monkeypatch.delattr(botocore, "__version__")
    CustomerProfilesClient(session=dummy_session())


# Only the release numbers count: a pre-release or dev build of 1.44.5 is taken as 1.44.5.
@pytest.mark.parametrize("new", [MINIMUM_BOTOCORE, "1.44.6", "1.45.0", "2.0.0", "1.44.5.dev1", "1.44.10"])
def test_the_minimum_and_newer_versions_are_accepted(new: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(botocore, "__version__", new)
    CustomerProfilesClient(session=dummy_session())


def test_version_numbers_compare_as_numbers() -> None:
    assert parse_version("1.44.10") > parse_version("1.44.5")
    assert parse_version("1.44.5rc1") == (1, 44, 5)
    with pytest.raises(ValueError):
        parse_version("unknown")


def test_a_service_model_lacking_operations_is_refused(tmp_path: Path) -> None:
    """A custom data path with an old customer-profiles model: botocore's version is fine, the
    model is not. Built from the installed model with one operation removed."""
    service, _ = installed_model()
    old = copy.deepcopy(service)
    last = list(OPERATIONS)[-1]
    del old["operations"]["CreateDomainLayout"]
    del old["operations"][last]
    folder = tmp_path / "customer-profiles" / old["metadata"]["apiVersion"]
    folder.mkdir(parents=True)
    (folder / "service-2.json").write_text(json.dumps(old))
    core = botocore.session.Session()
    core.set_credentials("testing", "testing")
    core.set_config_variable("data_path", str(tmp_path))
    raw = core.create_client("customer-profiles", region_name="us-east-1")
    assert "CreateDomainLayout" not in raw.meta.service_model.operation_names
    with pytest.raises(IncompatibleBotocoreError) as caught:
        CustomerProfilesClient(client=raw)
    assert "lacks 2 of the 115 operations, for example CreateDomainLayout" in str(caught.value)
    assert MINIMUM_BOTOCORE in str(caught.value)
    with pytest.raises(IncompatibleBotocoreError):
        CustomerProfilesClient(session=core, region_name="us-east-1")


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


def test_minimum_pins_match_the_generated_from_version() -> None:
    pins = minimum_pins().minimums()  # the same reading CI installs from
    assert set(pins) == {"boto3", "botocore", "pydantic", "typing-extensions"}
    version = (ROOT / "codegen" / "model" / "VERSION").read_text().strip()
    assert version == BOTOCORE_VERSION == MINIMUM_BOTOCORE
    assert pins["botocore"] == pins["boto3"] == version
    assert parse_version(botocore.__version__) >= parse_version(version)
    # CI installs exactly these minimums and runs the suite (.ci/run): they are what it proves.
    ci = (ROOT / ".ci" / "run").read_text()
    assert "python .ci/minimum_pins.py" in ci and ".ci/minimum_pins.py --check" in ci


OLD_BOTOCORE = os.environ.get("CUSTOMER_PROFILES_SDK_OLD_BOTOCORE", "")


@pytest.mark.skipif(not OLD_BOTOCORE, reason="set CUSTOMER_PROFILES_SDK_OLD_BOTOCORE to a folder holding an "
                    "older boto3 and botocore (pip install --target); .ci/run does")
def test_a_really_installed_old_botocore_is_refused() -> None:
    """With a real, older botocore first on the path (no monkeypatching), in a fresh process."""
    script = (
        "import botocore, boto3\n"
        "from customer_profiles_sdk import CustomerProfilesClient, IncompatibleBotocoreError\n"
        "session = boto3.session.Session(aws_access_key_id='t', aws_secret_access_key='t', region_name='us-east-1')\n"
        "try:\n"
        "    CustomerProfilesClient(session=session)\n"
        "except IncompatibleBotocoreError as error:\n"
        "    print(botocore.__version__, '|', error)\n"
        "else:\n"
        "    print(botocore.__version__, '| accepted')\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([OLD_BOTOCORE, str(ROOT)])}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120,
                          check=True)
    installed, _, message = done.stdout.strip().partition(" | ")
    assert parse_version(installed) < parse_version(MINIMUM_BOTOCORE), installed
    assert f"needs botocore >= {MINIMUM_BOTOCORE} (installed: {installed})" in message
    print(f"\nbotocore {installed}: {message}")
