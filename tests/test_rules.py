"""The documented rules the schema cannot express: each one checked, each one switchable."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from typing import Any

import pytest

from customer_profiles_sdk import ParamValidationError, rules
from customer_profiles_sdk.models import (
    AttributeDetails,
    GetProfileObjectTypeResponse,
    PutProfileObjectTypeRequest,
)


def put_with_keys(*identifier_lists: list[str]) -> dict[str, Any]:
    return {
        "DomainName": "shop", "ObjectTypeName": "Orders", "Description": "d",
        "Keys": {f"k{i}": [{"StandardIdentifiers": ids, "FieldNames": ["f"]}] for i, ids in enumerate(
            identifier_lists)},
    }


def rule_problems(data: dict[str, Any], cls: Any = PutProfileObjectTypeRequest) -> list[tuple[str, str]]:
    try:
        cls.model_validate(data)
    except ParamValidationError as error:
        return [(p.path, p.rule) for p in error.problems]
    return []


def test_single_unique_key_rejects_two_unique_keys() -> None:
    assert rule_problems(put_with_keys(["UNIQUE"], ["PROFILE", "UNIQUE"])) == [("Keys", "single_unique_key")]


def test_single_unique_key_accepts_one_unique_key() -> None:
    assert rule_problems(put_with_keys(["UNIQUE"], ["PROFILE"], ["ORDER"])) == []


def test_single_unique_key_is_not_applied_to_responses() -> None:
    data = put_with_keys(["UNIQUE"], ["UNIQUE"])
    parsed = GetProfileObjectTypeResponse.model_validate({"Keys": data["Keys"]})
    assert parsed.to_boto() == {"Keys": data["Keys"]}


def details(expression: str, *names: str) -> dict[str, Any]:
    return {"Attributes": [{"Name": n} for n in names], "Expression": expression}


@pytest.mark.parametrize(
    ("expression", "names", "ok"),
    [
        ("{Orders.Total}", ("Total",), True),
        ("{Orders.Total} - {Orders.Discount}", ("Total", "Discount"), True),
        ("{Orders.Total}", ("Orders.Total",), True),
        ("{Orders.Total} * {Orders.Tax}", ("Total",), False),            # Tax is not listed
        ("{Orders.Total} + {Returns.Total}", ("Total",), False),         # two object types
        ("{Orders.A} + {Orders.B} + {Orders.C}", ("A", "B", "C"), False),  # three attributes
        ("{Total}", ("Total",), False),                                  # not ObjectType.Attribute
    ],
)
def test_expression_attributes(expression: str, names: tuple[str, ...], ok: bool) -> None:
    problems = rule_problems(details(expression, *names), AttributeDetails)
    assert problems == ([] if ok else [("Expression", "expression_attributes")])


def test_expression_rule_applies_inside_a_request() -> None:
    from customer_profiles_sdk.models import CreateCalculatedAttributeDefinitionRequest

    data = {"DomainName": "shop", "CalculatedAttributeName": "x", "Statistic": "SUM",
            "AttributeDetails": details("{Orders.Total} + {Orders.Tax}", "Total")}
    problems = rule_problems(data, CreateCalculatedAttributeDefinitionRequest)
    assert problems == [("AttributeDetails.Expression", "expression_attributes")]


def test_rules_switch_off_globally() -> None:
    data = put_with_keys(["UNIQUE"], ["UNIQUE"])
    rules.disable("single_unique_key")
    try:
        assert not rules.is_enabled("single_unique_key")
        assert rule_problems(data) == []
    finally:
        rules.enable("single_unique_key")
    assert rule_problems(data) == [("Keys", "single_unique_key")]


def test_rules_switch_off_in_a_block_only_for_this_thread() -> None:
    data = put_with_keys(["UNIQUE"], ["UNIQUE"])
    seen_elsewhere: list[list[tuple[str, str]]] = []
    with rules.disabled("single_unique_key"):
        assert rule_problems(data) == []
        thread = threading.Thread(target=lambda: seen_elsewhere.append(rule_problems(data)))
        thread.start()
        thread.join()
    assert seen_elsewhere == [[("Keys", "single_unique_key")]]
    assert rule_problems(data) == [("Keys", "single_unique_key")]


def test_rules_switch_off_from_the_environment() -> None:
    code = (
        "from customer_profiles_sdk.models import AttributeDetails as A;"
        "A(attributes=[{'Name': 'x'}], expression='{O.y} + {P.z}');"
        "from customer_profiles_sdk import rules; print(rules.is_enabled('expression_attributes'))"
    )
    env = {**os.environ, "CUSTOMER_PROFILES_SDK_DISABLE_RULES": "expression_attributes"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_unknown_rule_names_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown rule"):
        rules.disable("no_such_rule")
    with pytest.raises(ValueError, match="unknown rule"):
        with rules.disabled("no_such_rule"):
            pass


def test_rule_targets_exist_and_are_input_shapes() -> None:
    import customer_profiles_sdk.models as models
    from customer_profiles_sdk._model import InputShape

    for rule in rules.RULES.values():
        for shape in rule.shapes:
            assert issubclass(getattr(models, shape), InputShape)
