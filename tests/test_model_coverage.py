"""Every structure and enum of botocore's model has its model type; every schema builds."""

from __future__ import annotations

import enum
import keyword
import typing

import pytest
from botocore import xform_name
from botocore.model import ServiceModel, StructureShape

import customer_profiles_sdk.models as models
from customer_profiles_sdk._model import InputShape, OutputShape, Shape, lenient_core_schema

from . import synth

SERVICE_MODEL = ServiceModel(synth.SERVICE, "customer-profiles")


def botocore_structures() -> list[str]:
    names = []
    for name in SERVICE_MODEL.shape_names:
        shape = SERVICE_MODEL.shape_for(name)
        if isinstance(shape, StructureShape) and not shape.metadata.get("exception"):
            names.append(name)
    return sorted(names)


def botocore_enums() -> list[str]:
    return sorted(n for n in SERVICE_MODEL.shape_names if "enum" in SERVICE_MODEL.shape_for(n).metadata)


def test_counts_match_the_model() -> None:
    structures, enums = botocore_structures(), botocore_enums()
    assert len(SERVICE_MODEL.operation_names) == len(synth.OPERATIONS)
    if synth.VERSION == "1.44.5":
        assert (len(SERVICE_MODEL.operation_names), len(synth.SHAPES)) == (115, 663)
        assert (len(structures), len(enums)) == (375, 70)


@pytest.mark.parametrize("name", botocore_structures())
def test_structure_has_a_class(name: str) -> None:
    cls = getattr(models, name)
    assert isinstance(cls, type) and issubclass(cls, Shape)
    assert cls.__name__ == name
    assert cls.__cp__.name == name
    shape = SERVICE_MODEL.shape_for(name)
    assert isinstance(shape, StructureShape)
    expected = {}
    for member in shape.members:
        py = xform_name(member)
        if keyword.iskeyword(py) or hasattr(Shape, py):
            py += "_"
        assert not hasattr(Shape, py) and not keyword.iskeyword(py)
        expected[py] = member
    assert dict(cls.__cp__.wire) == expected
    assert list(cls.model_fields) == list(expected)
    for py, wire in expected.items():
        assert cls.model_fields[py].validation_alias == wire
        assert cls.model_fields[py].serialization_alias == wire
    is_input = name in synth.input_structures()
    assert issubclass(cls, InputShape if is_input else OutputShape)
    for member in shape.required_members:
        py = next(p for p, w in expected.items() if w == member)
        # Required in the model means required in the class, input and output alike (reading one a
        # response lacked raises MissingMemberError: tests/test_required_members.py).
        assert cls.model_fields[py].is_required()


@pytest.mark.parametrize("name", botocore_enums())
def test_enum_has_a_type(name: str) -> None:
    cls = getattr(models, name)
    assert issubclass(cls, enum.StrEnum)
    values = SERVICE_MODEL.shape_for(name).metadata["enum"]
    assert [m.value for m in cls] == values
    literal = getattr(models, f"{name}Literal")
    assert list(typing.get_args(literal)) == values


def test_models_namespace_lists_exactly_the_shapes() -> None:
    expected = set(botocore_structures()) | set(botocore_enums())
    expected |= {f"{n}Literal" for n in botocore_enums()}
    # The TypedDict of each input structure (docs/models.md, "Plain dicts as input").
    expected |= {f"{n}Dict" for n in botocore_structures() if issubclass(getattr(models, n), InputShape)}
    assert set(models.__all__) == expected
    with pytest.raises(AttributeError):
        models.NotAShape  # noqa: B018


def test_every_schema_builds_strict_and_lenient() -> None:
    built = 0
    for name in botocore_structures():
        cls = getattr(models, name)
        cls.model_rebuild(force=True)
        assert cls.__pydantic_complete__, name
        lenient_core_schema(cls)
        cls.from_boto({})  # builds and runs the lenient validator
        built += 1
    assert built == len(botocore_structures())
