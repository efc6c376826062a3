"""Documented rules that the botocore service model does not encode.

These are checked on the client side in addition to the schema constraints (required, length,
range, enum, pattern, union). Every rule lives in this module, has a stable name, and can be
switched off:

* for the whole process, before the first validation or at any time:
  ``customer_profiles_sdk.rules.disable("single_unique_key")``
* for a block of code (thread- and task-safe, uses a context variable)::

      with customer_profiles_sdk.rules.disabled("expression_attributes"):
          ...

* from the environment, read once at import:
  ``CUSTOMER_PROFILES_SDK_DISABLE_RULES=single_unique_key,expression_attributes``

Rules only ever run on strict (input) validation, never on parsed responses.

Rules
-----
``single_unique_key``
    Across all of an object type's ``Keys``, at most one key may carry the ``UNIQUE`` standard
    identifier. Applies to ``PutProfileObjectTypeRequest``.
``expression_attributes``
    In a calculated attribute's ``AttributeDetails``, every ``{ObjectTypeName.AttributeName}``
    reference in ``Expression`` must name an attribute listed in ``Attributes`` (either as
    ``AttributeName`` or as ``ObjectTypeName.AttributeName``); all references must use one object
    type; and the expression may reference at most two distinct attributes. Applies to
    ``AttributeDetails`` wherever it is used as input.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

__all__ = [
    "RULES",
    "Rule",
    "RuleViolation",
    "disable",
    "disabled",
    "enable",
    "is_enabled",
]


class RuleViolation(Exception):
    """Raised by a rule check; carries a relative wire path and a message without input values."""

    def __init__(self, path: str, message: str, rule: str = "") -> None:
        super().__init__(message)
        self.path = path
        self.message = message
        self.rule = rule


@dataclass(frozen=True)
class Rule:
    """A documented rule: its name, the shapes it applies to, and its check."""

    name: str
    shapes: frozenset[str]
    check: Callable[[Any], None]
    summary: str


def _iter_keys(keys: Any) -> Iterator[tuple[str, int, Any]]:
    # Values of an unexpected type (kept from a response) are not this rule's business.
    if not isinstance(keys, Mapping):
        return
    for name, key_list in keys.items():
        if isinstance(key_list, list):
            for index, key in enumerate(key_list):
                yield name, index, key


def _check_single_unique_key(model: Any) -> None:
    unique = 0
    for _name, _index, key in _iter_keys(getattr(model, "keys", None)):
        identifiers = getattr(key, "standard_identifiers", None)
        if isinstance(identifiers, list) and "UNIQUE" in identifiers:
            unique += 1
    if unique > 1:
        raise RuleViolation(
            "Keys",
            f"at most one key may have the UNIQUE standard identifier, found {unique}",
        )


_REFERENCE = re.compile(r"\{([^{}]*)\}")


def _check_expression_attributes(model: Any) -> None:
    expression = getattr(model, "expression", None)
    attributes = getattr(model, "attributes", None)
    if not isinstance(expression, str) or not isinstance(attributes, list):
        return
    listed = {getattr(item, "name", None) for item in attributes}
    references: list[str] = _REFERENCE.findall(expression)
    object_types: set[str] = set()
    names: set[str] = set()
    for index, reference in enumerate(references):
        object_type, dot, attribute = reference.partition(".")
        if not dot or not object_type or not attribute:
            raise RuleViolation(
                "Expression",
                f"reference #{index + 1} must have the form {{ObjectTypeName.AttributeName}}",
            )
        if attribute not in listed and reference not in listed:
            raise RuleViolation(
                "Expression",
                f"reference #{index + 1} names an attribute that is not listed in Attributes",
            )
        object_types.add(object_type)
        names.add(reference)
    if len(object_types) > 1:
        raise RuleViolation(
            "Expression",
            f"all references must use one object type, found {len(object_types)}",
        )
    if len(names) > 2:
        raise RuleViolation(
            "Expression",
            f"an expression may reference at most 2 attributes, found {len(names)}",
        )


RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in (
        Rule(
            "single_unique_key",
            frozenset({"PutProfileObjectTypeRequest"}),
            _check_single_unique_key,
            "at most one UNIQUE key across an object type's Keys",
        ),
        Rule(
            "expression_attributes",
            frozenset({"AttributeDetails"}),
            _check_expression_attributes,
            "Expression references only listed attributes, of one object type, at most two",
        ),
    )
}

_BY_SHAPE: dict[str, tuple[Rule, ...]] = {}
for _rule in RULES.values():
    for _shape in _rule.shapes:
        _BY_SHAPE[_shape] = (*_BY_SHAPE.get(_shape, ()), _rule)


def _from_env() -> frozenset[str]:
    raw = os.environ.get("CUSTOMER_PROFILES_SDK_DISABLE_RULES", "")
    names = frozenset(part.strip() for part in raw.split(",") if part.strip())
    unknown = names - RULES.keys()
    if unknown:
        raise ValueError(
            "CUSTOMER_PROFILES_SDK_DISABLE_RULES names unknown rules: " + ", ".join(sorted(unknown))
        )
    return names


_globally_disabled: frozenset[str] = _from_env()
_context_disabled: ContextVar[frozenset[str]] = ContextVar(
    "customer_profiles_sdk_disabled_rules", default=frozenset()
)


def _known(names: tuple[str, ...]) -> frozenset[str]:
    unknown = set(names) - RULES.keys()
    if unknown:
        raise ValueError("unknown rule name(s): " + ", ".join(sorted(unknown)))
    return frozenset(names)


def disable(*names: str) -> None:
    """Switch the named rules off for the whole process."""
    global _globally_disabled
    _globally_disabled = _globally_disabled | _known(names)


def enable(*names: str) -> None:
    """Switch the named rules back on for the whole process."""
    global _globally_disabled
    _globally_disabled = _globally_disabled - _known(names)


@contextmanager
def disabled(*names: str) -> Iterator[None]:
    """Switch the named rules off inside a ``with`` block (per thread / asyncio task)."""
    token = _context_disabled.set(_context_disabled.get() | _known(names))
    try:
        yield
    finally:
        _context_disabled.reset(token)


def is_enabled(name: str) -> bool:
    """Return whether the named rule is currently checked."""
    _known((name,))
    return name not in _globally_disabled and name not in _context_disabled.get()


def check(shape: str, model: Any) -> None:
    """Run every enabled rule for ``shape`` on ``model``; raise RuleViolation on the first break."""
    rules = _BY_SHAPE.get(shape)
    if not rules:
        return
    off = _globally_disabled | _context_disabled.get()
    for rule in rules:
        if rule.name not in off:
            try:
                rule.check(model)
            except RuleViolation as violation:
                violation.rule = rule.name
                raise
