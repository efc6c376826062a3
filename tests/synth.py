"""Build wire values from the botocore service model: valid, violating and hostile.

Independent of the generator: it reads the committed botocore model directly, so the tests check
the generated classes against the model rather than against the generator's own view of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from codegen import source

SERVICE, PAGINATORS, VERSION = source.load_committed()
SHAPES: dict[str, Any] = SERVICE["shapes"]
OPERATIONS: dict[str, Any] = SERVICE["operations"]

ARN_PROFILE = "arn:aws:profile:us-east-1:123456789012:domains/d"

# pattern -> (valid example, valid pad char, invalid example or None, invalid pad char)
PATTERNS: dict[str, tuple[str, str, str | None, str]] = {
    "(\\d+|\\$[a-z_]+)": ("123", "1", "abc", "x"),
    ".*": ("a", "a", None, ""),
    ".*arn:aws:iam:.*:[0-9]+:.*": ("arn:aws:iam::123456789012:role/r", "a", "nope", "x"),
    ".+": ("a", "a", "\n", "\n"),
    "[A-Za-z0-9_]+": ("a", "a", "-", "-"),
    "[\\w!@#\\-.?,\\s]*": ("a", "a", None, ""),
    "[\\w/!@#+=.-]+": ("a", "a", "$", "$"),
    "[a-f0-9]{32}": ("a" * 32, "a", "z", "z"),
    "[a-zA-Z0-9][\\w!@#.-]+": ("ab", "a", "$$", "$"),
    "[a-zA-Z0-9_-]+": ("a", "a", "$", "$"),
    "[a-zA-Z0-9_-]+/\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}Z": (
        "job/2024-01-01T00-00-00Z", "Z", "job", "x"),
    "\\S+": ("a", "a", " ", " "),
    "^(?!aws:)[a-zA-Z+-=._:/]+$": ("team", "a", "aws:x", "x"),
    "^([0-9]|0[0-9]|1[0-9]|2[0-3]):[0-5][0-9]$": ("12:30", "", "25:00", ""),
    "^[a-z0-9.-]+$": ("a", "a", "A", "A"),
    "^[a-zA-Z0-9_-]+$": ("a", "a", "a b", "b"),
    "^[a-zA-Z0-9_.-]+$": ("a", "a", "a b", "b"),
    "^[a-zA-Z][a-zA-Z0-9_]*$": ("a", "a", "1a", "a"),
    "^[a-zA-Z_][a-zA-Z_0-9-\\s]*$": ("a", "a", "1a", "a"),
    "^[a-zA-Z_][a-zA-Z_0-9-]*$": ("a", "a", "1a", "a"),
    "^arn:[a-z0-9]{1,10}:profile": (ARN_PROFILE, "a", "arn:aws:kms:x", "x"),
    "arn:([a-z\\d-]+):profile:.*:.*:.+": (ARN_PROFILE, "a", "nope", "x"),
    "arn:aws:iam:.*:[0-9]+:.*": ("arn:aws:iam::123456789012:role/r", "a", "nope", "x"),
    "arn:aws:kms:.*:[0-9]+:.*": ("arn:aws:kms:us-east-1:123456789012:key/k", "a", "nope", "x"),
}


def ecma_search(pattern: str, value: str) -> bool:
    """Search semantics with ECMA's ``$`` (end of input only)."""
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + "\\Z"
    return re.search(pattern, value) is not None


def fit(example: str, pad: str, lo: int, hi: int | None) -> str | None:
    value = example
    while len(value) < lo and pad:
        value += pad
    if hi is not None and len(value) > hi:
        value = value[:hi]
    if len(value) < lo:
        return None
    return value


def valid_string(name: str, variant: int = 0) -> str:
    shape = SHAPES[name]
    if "enum" in shape:
        return str(shape["enum"][variant % len(shape["enum"])])
    lo, hi = shape.get("min", 0), shape.get("max")
    if "pattern" in shape:
        example, pad, _, _ = PATTERNS[shape["pattern"]]
    else:
        example, pad = "value", "v"
    if variant:
        example = f"{example}{variant}" if not example[-1:].isdigit() else example + pad * variant
    value = fit(example, pad, max(lo, 1) if "pattern" in shape else lo, hi)
    assert value is not None, name
    if "pattern" in shape:
        assert ecma_search(shape["pattern"], value), (name, value)
    return value


def valid(name: str, full: bool = False, variant: int = 0) -> Any:
    """A valid wire value for shape ``name`` (required members only unless ``full``)."""
    shape = SHAPES[name]
    kind = shape["type"]
    if kind == "string":
        return valid_string(name, variant)
    if kind in ("integer", "long"):
        return int(shape.get("min", 1)) if shape.get("min", 1) <= shape.get("max", 10**9) else 0
    if kind in ("double", "float"):
        return float(shape.get("min", 1.5))
    if kind == "boolean":
        return True
    if kind == "timestamp":
        return datetime(2024, 5, 17, 12, 30, tzinfo=UTC)
    if kind == "list":
        count = max(shape.get("min", 0), 1)
        return [valid(shape["member"]["shape"], full, variant + i) for i in range(count)]
    if kind == "map":
        count = max(shape.get("min", 0), 1)
        return {
            valid(shape["key"]["shape"], full, variant + i): valid(shape["value"]["shape"], full, variant)
            for i in range(count)
        }
    assert kind == "structure", kind
    members = shape.get("members", {})
    if shape.get("union"):
        first = next(iter(members))
        return {first: valid(members[first]["shape"], full, variant)}
    chosen = members if full else {m: members[m] for m in shape.get("required", [])}
    return {m: valid(spec["shape"], full, variant) for m, spec in chosen.items()}


def contains_sensitive(name: str) -> bool:
    shape = SHAPES[name]
    if shape.get("sensitive"):
        return True
    if shape["type"] == "list":
        return contains_sensitive(shape["member"]["shape"])
    if shape["type"] == "map":
        return contains_sensitive(shape["key"]["shape"]) or contains_sensitive(shape["value"]["shape"])
    return False


def reaches_sensitive(name: str) -> bool:
    """Whether shape ``name`` is sensitive or holds a sensitive shape at any depth (structures too)."""
    return any(SHAPES[reached].get("sensitive") for reached in reach_all([name]))


@dataclass(frozen=True)
class Violation:
    """One broken constraint: the wire dict to validate, and the expected path and rule."""

    structure: str
    member: str
    kind: str
    data: dict[str, Any]
    path: str
    rule: str
    #: The shape whose constraint is broken (the structure itself for required and union).
    target: str = ""


def _scalar_violations(name: str) -> Iterator[tuple[str, Any, str]]:
    """(constraint kind, violating value, rule) for one scalar shape."""
    shape = SHAPES[name]
    kind = shape["type"]
    if kind == "string":
        if "enum" in shape:
            yield "enum", "NOT_A_KNOWN_VALUE", "enum"
            return
        lo, hi = shape.get("min", 0), shape.get("max")
        pattern = shape.get("pattern")
        example, pad = (PATTERNS[pattern][0], PATTERNS[pattern][1]) if pattern else ("v", "v")
        if lo > 0:
            yield "min", example[: lo - 1] if len(example) >= lo else pad * (lo - 1), "min_length"
        if hi is not None:
            long_value = fit(example, pad or "a", hi + 1, hi + 1)
            if long_value is not None:
                yield "max", long_value, "max_length"
        if pattern:
            _, _, bad, bad_pad = PATTERNS[pattern]
            if bad is not None:
                value = fit(bad, bad_pad, max(lo, 1), hi)
                if value is not None and not ecma_search(pattern, value):
                    yield "pattern", value, "pattern"
    elif kind in ("integer", "long", "double", "float"):
        as_type = int if kind in ("integer", "long") else float
        if "min" in shape:
            yield "min", as_type(shape["min"] - 1), "min"
        if "max" in shape:
            yield "max", as_type(shape["max"] + 1), "max"


def _value_violations(name: str, path: str) -> Iterator[tuple[str, Any, str, str, str]]:
    """(kind, violating value, path, rule) for a member value, through lists and maps."""
    shape = SHAPES[name]
    kind = shape["type"]
    if kind == "list":
        member = shape["member"]["shape"]
        if shape.get("min", 0) > 0:
            yield "list.min", [valid(member, variant=i) for i in range(shape["min"] - 1)], path, "min_length", name
        if "max" in shape and shape["max"] <= 5000:
            items = [valid(member, variant=i) for i in range(shape["max"] + 1)]
            yield "list.max", items, path, "max_length", name
        for sub, bad, sub_path, rule, target in _value_violations(member, f"{path}[0]"):
            yield f"list.member.{sub}", [bad], sub_path, rule, target
    elif kind == "map":
        key_shape, value_shape = shape["key"]["shape"], shape["value"]["shape"]
        key = valid(key_shape)
        shown = "[<key>]"  # map keys are input: never written into an error path
        if shape.get("min", 0) > 1:
            entries = {valid(key_shape, variant=i): valid(value_shape) for i in range(shape["min"] - 1)}
            yield "map.min", entries, path, "min_length", name
        elif shape.get("min", 0) == 1:
            yield "map.min", {}, path, "min_length", name
        if "max" in shape and shape["max"] <= 5000:
            entries = {valid(key_shape, variant=i): valid(value_shape) for i in range(shape["max"] + 1)}
            assert len(entries) == shape["max"] + 1, name
            yield "map.max", entries, path, "max_length", name
        for sub, bad, rule in _scalar_violations(key_shape):
            if not isinstance(bad, str):
                continue
            yield f"map.key.{sub}", {bad: valid(value_shape)}, f"{path}[<key>] (map key)", rule, key_shape
        for sub, bad, sub_path, rule, target in _value_violations(value_shape, f"{path}{shown}"):
            yield f"map.value.{sub}", {key: bad}, sub_path, rule, target
    elif kind != "structure":
        for sub, bad, rule in _scalar_violations(name):
            yield sub, bad, path, rule, name


def violations(structure: str) -> Iterator[Violation]:
    """Every single-constraint violation of one structure's own members."""
    shape = SHAPES[structure]
    members = shape.get("members", {})
    base = valid(structure)
    for member, spec in members.items():
        if member in shape.get("required", []):
            data = {k: v for k, v in base.items() if k != member}
            yield Violation(structure, member, "required", data, member, "required", structure)
        for kind, bad, path, rule, target in _value_violations(spec["shape"], member):
            data = {k: v for k, v in base.items() if k != member}
            data[member] = bad
            yield Violation(structure, member, kind, data, path, rule, target)
    if shape.get("union"):
        names = list(members)
        both = {names[0]: valid(members[names[0]]["shape"]), names[1]: valid(members[names[1]]["shape"])}
        yield Violation(structure, "*", "union.two", both, "", "union", structure)
        yield Violation(structure, "*", "union.none", {}, "", "union", structure)


def hostile(name: str, depth: int = 0) -> Any:
    """A response value that breaks every rule it can while staying JSON-like.

    Unknown enum values, out-of-range numbers, too-long and pattern-breaking strings, and an
    unknown member in every structure.
    """
    shape = SHAPES[name]
    kind = shape["type"]
    if kind == "string":
        if "enum" in shape:
            return "VALUE_FROM_THE_FUTURE"
        hi = shape.get("max")
        pattern = shape.get("pattern")
        if pattern and PATTERNS[pattern][2] is not None:
            return PATTERNS[pattern][2]
        if hi is not None and hi <= 5000:
            return "x" * (hi + 1)
        return ""
    if kind in ("integer", "long"):
        return int(shape.get("max", 10**6)) + 7
    if kind in ("double", "float"):
        return float(shape.get("max", 10**6)) + 0.25
    if kind == "boolean":
        return False
    if kind == "timestamp":
        return datetime(2031, 1, 2, 3, 4, 5, tzinfo=UTC)
    if kind == "list":
        return [hostile(shape["member"]["shape"], depth + 1) for _ in range(2)]
    if kind == "map":
        key_shape = shape["key"]["shape"]
        key = hostile(key_shape, depth + 1) if SHAPES[key_shape]["type"] == "string" else "k"
        return {key or "k": hostile(shape["value"]["shape"], depth + 1), "second key": hostile(
            shape["value"]["shape"], depth + 1)}
    out = {m: hostile(spec["shape"], depth + 1) for m, spec in shape.get("members", {}).items()}
    out[f"UnknownMember{depth}"] = {"nested": [1, "two", {"three": 3.0}], "flag": None}
    return out


def input_structures() -> set[str]:
    return reach(op["input"]["shape"] for op in OPERATIONS.values() if "input" in op)


def output_structures() -> set[str]:
    return reach(op["output"]["shape"] for op in OPERATIONS.values() if "output" in op)


def reach(roots: Any) -> set[str]:
    """Structures reachable from ``roots``."""
    return {n for n in reach_all(roots) if SHAPES[n]["type"] == "structure"}


def reach_all(roots: Any) -> set[str]:
    """Every shape (of any type) reachable from ``roots``."""
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        shape = SHAPES[name]
        stack.extend(m["shape"] for m in shape.get("members", {}).values())
        stack.extend(shape[k]["shape"] for k in ("member", "key", "value") if k in shape)
    return seen


def structures() -> list[str]:
    return sorted(n for n, s in SHAPES.items() if s["type"] == "structure" and not s.get("exception"))


def enums() -> list[str]:
    return sorted(n for n, s in SHAPES.items() if "enum" in s)
