"""hypothesis strategies derived from the committed botocore service model.

Like :mod:`tests.synth`, this reads the model directly (never the generator's view of it), so the
property tests check the generated classes against the model.

* :func:`valid` draws wire values that satisfy every constraint of the model (required, length,
  range, enum, pattern with search semantics, union) and the SDK's documented extra rules.
* :func:`mutation_sites` lists every single-constraint fault that can be applied to a drawn value,
  with the wire path and rule the SDK must report.
* :func:`hostile` draws response values that carry unknown members, unknown enum values and broken
  constraints, for forward-compatibility tests.

Sizes are bounded so an example stays small: lists and maps hold at most
:data:`MAX_ITEMS` entries beyond their minimum, and strings at most :data:`MAX_TEXT` characters
beyond their minimum. Boundary values (exactly ``min`` and exactly ``max``) are drawn on purpose,
built by repetition so that long ones cost nothing to generate; string maxima above
:data:`MAX_BOUNDARY` characters are not drawn at their maximum.
"""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from . import synth

SHAPES = synth.SHAPES
MAX_ITEMS = 3
MAX_TEXT = 24
MAX_BOUNDARY = 70_000
#: Faults are planted in at most this many items of each list or map (the first ones).
WALK_ITEMS = 3
#: Printable ASCII: patterned strings are drawn from it, so Python's ``re`` (which the oracle
#: ``synth.ecma_search`` uses) and ECMA semantics agree on ``\w``, ``\d``, ``\s`` and ``.``.
ASCII = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
#: Unpatterned strings: any Unicode scalar value (personal data is international), no surrogates.
UNICODE = st.characters(exclude_categories=["Cs"])
INT_RANGE = {"integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}
ZONES = [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]


def _anchored(pattern: str) -> tuple[bool, bool]:
    return pattern.startswith("^"), pattern.endswith("$") and not pattern.endswith("\\$")


def _bounded(strategy: st.SearchStrategy[str], lo: int, hi: int | None) -> st.SearchStrategy[str]:
    return strategy.filter(lambda value: lo <= len(value) and (hi is None or len(value) <= hi))


@functools.cache
def string(name: str) -> st.SearchStrategy[str]:
    shape = SHAPES[name]
    if "enum" in shape:
        return st.sampled_from(list(shape["enum"]))
    lo, hi = int(shape.get("min", 0)), shape.get("max")
    pattern = shape.get("pattern")
    if pattern is None:
        ceiling = lo + MAX_TEXT if hi is None else min(hi, lo + MAX_TEXT)
        drawn = st.text(UNICODE, min_size=lo, max_size=ceiling)
        options = [drawn]
        if hi is not None and hi <= MAX_BOUNDARY:
            options.append(st.builds(lambda c: c * hi, UNICODE))
        if lo > 0:
            options.append(st.builds(lambda c: c * lo, UNICODE))
        return st.one_of(options)
    core = st.from_regex(re.compile(pattern, re.ASCII), fullmatch=True, alphabet=ASCII)
    start, end = _anchored(pattern)
    # Search semantics: an unanchored pattern only has to match somewhere in the value.
    before = st.just("") if start else st.text(ASCII, max_size=4)
    after = st.just("") if end else st.text(ASCII, max_size=4)
    drawn = st.builds(lambda a, b, c: a + b + c, before, core, after)
    example, pad, _, _ = synth.PATTERNS[pattern]
    options = [drawn]
    for length in {lo, hi}:
        if length is not None and length <= MAX_BOUNDARY:
            fitted = synth.fit(example, pad, length, length)
            if fitted is not None:
                options.append(st.just(fitted))
    return _bounded(st.one_of(options), lo, hi).filter(lambda value: synth.ecma_search(pattern, value))


def _number(name: str) -> st.SearchStrategy[Any]:
    shape = SHAPES[name]
    kind = shape["type"]
    if kind in INT_RANGE:
        low, high = INT_RANGE[kind]
        return st.integers(int(shape.get("min", low)), int(shape.get("max", high)))
    return st.floats(shape.get("min"), shape.get("max"), allow_nan=False, allow_infinity=False)


def _sized(lo: int, hi: int | None) -> tuple[int, int]:
    return lo, lo + MAX_ITEMS if hi is None else min(hi, lo + MAX_ITEMS)


@functools.cache
def valid(name: str) -> st.SearchStrategy[Any]:
    """Valid wire values of shape ``name``."""
    shape = SHAPES[name]
    kind = shape["type"]
    if kind == "string":
        return string(name)
    if kind in ("integer", "long", "double", "float"):
        return _number(name)
    if kind == "boolean":
        return st.booleans()
    if kind == "timestamp":
        return st.datetimes(datetime(1971, 1, 1), datetime(2099, 12, 31), timezones=st.sampled_from(ZONES))
    lo, hi = int(shape.get("min", 0)), shape.get("max")
    if kind == "list":
        low, high = _sized(lo, hi)
        item = valid(shape["member"]["shape"])
        options = [st.lists(item, min_size=low, max_size=high)]
        if hi is not None and high < hi <= 1000:
            options.append(st.builds(lambda value: [value] * hi, item))
        return st.one_of(options)
    if kind == "map":
        low, high = _sized(lo, hi)
        key, value = valid(shape["key"]["shape"]), valid(shape["value"]["shape"])
        return st.dictionaries(key, value, min_size=low, max_size=high)
    assert kind == "structure", kind
    members = shape.get("members", {})
    if shape.get("union"):
        return st.one_of([st.fixed_dictionaries({m: valid(spec["shape"])}) for m, spec in members.items()])
    required = set(shape.get("required", []))
    drawn = st.fixed_dictionaries(
        {m: valid(spec["shape"]) for m, spec in members.items() if m in required},
        optional={m: valid(spec["shape"]) for m, spec in members.items() if m not in required},
    )
    fix = _RULE_FIXES.get(name)
    return drawn.map(fix) if fix else drawn


# -- the SDK's documented extra rules (customer_profiles_sdk.rules), honoured by valid values ----


def _single_unique_key(value: dict[str, Any]) -> dict[str, Any]:
    """At most one UNIQUE standard identifier across Keys: later ones become PROFILE."""
    seen = False
    for keys in (value.get("Keys") or {}).values():
        for key in keys:
            identifiers = key.get("StandardIdentifiers")
            if not identifiers:
                continue
            for index, identifier in enumerate(identifiers):
                if identifier == "UNIQUE":
                    if seen:
                        identifiers[index] = "PROFILE"
                    seen = True
    return value


def _expression_attributes(value: dict[str, Any]) -> dict[str, Any]:
    """An Expression with no ``{...}`` reference, so the reference rule holds trivially."""
    value["Expression"] = value["Expression"].replace("{", "(").replace("}", ")")
    return value


_RULE_FIXES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "PutProfileObjectTypeRequest": _single_unique_key,
    "AttributeDetails": _expression_attributes,
}


# -- single-constraint faults ---------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """One single-constraint fault: where, which rule the SDK must report, and how to apply it."""

    kind: str  # required, min, max, range, enum, pattern, union
    path: str  # the wire path the SDK reports
    rule: str  # the Problem.rule the SDK reports
    apply: Callable[[Any], Any]  # the whole wire value -> the mutated copy


def _path(parent: str, member: str) -> str:
    return f"{parent}.{member}" if parent else member


def _replace(value: Any, steps: tuple[Any, ...], new: Any, delete: bool = False) -> Any:
    """A copy of ``value`` with the item at ``steps`` replaced by ``new`` (or deleted)."""
    if not steps:
        return new
    head, rest = steps[0], steps[1:]
    if isinstance(value, dict):
        copy = dict(value)
        if rest or not delete:
            copy[head] = _replace(value[head], rest, new, delete)
        else:
            del copy[head]
        return copy
    copy_list = list(value)
    copy_list[head] = _replace(value[head], rest, new, delete)
    return copy_list


def _string_faults(name: str, draw_int: Callable[[int], int]) -> Iterator[tuple[str, str, Any]]:
    """(kind, rule, violating value) for one string shape."""
    shape = SHAPES[name]
    if "enum" in shape:
        yield "enum", "enum", ["NOT_A_KNOWN_VALUE", "", str(shape["enum"][0]).lower() + "_x"][draw_int(3)]
        return
    lo, hi = int(shape.get("min", 0)), shape.get("max")
    pattern = shape.get("pattern")
    example, pad = (synth.PATTERNS[pattern][0], synth.PATTERNS[pattern][1] or "a") if pattern else ("v", "v")
    if lo > 0:
        yield "min", "min_length", (example * lo)[: draw_int(lo)]
    if hi is not None and hi <= MAX_BOUNDARY:
        long_value = synth.fit(example, pad, hi + 1 + draw_int(3), hi + 1 + draw_int(3))
        if long_value is not None and len(long_value) > hi:
            yield "max", "max_length", long_value
    if pattern:
        _, _, bad, bad_pad = synth.PATTERNS[pattern]
        if bad is not None:
            value = synth.fit(bad, bad_pad, max(lo, 1), hi)
            if value is not None and not synth.ecma_search(pattern, value):
                yield "pattern", "pattern", value


def _number_faults(name: str, draw_int: Callable[[int], int]) -> Iterator[tuple[str, str, Any]]:
    shape = SHAPES[name]
    as_type = int if shape["type"] in INT_RANGE else float
    step = 1 + draw_int(1000)
    if "min" in shape:
        yield "range", "min", as_type(shape["min"] - step)
    if "max" in shape:
        yield "range", "max", as_type(shape["max"] + step)


def mutation_sites(name: str, value: Any, draw_int: Callable[[int], int]) -> list[Site]:
    """Every single-constraint fault applicable to the valid wire ``value`` of shape ``name``.

    ``draw_int(n)`` picks a number in ``range(n)`` (hypothesis draws it), so the violating
    values vary between examples.
    """
    sites: list[Site] = []

    def walk(shape_name: str, current: Any, steps: tuple[Any, ...], path: str) -> None:
        shape = SHAPES[shape_name]
        kind = shape["type"]

        def site(kind_: str, rule: str, new: Any, where: str = path, delete_at: tuple[Any, ...] | None = None) -> None:
            if delete_at is not None:
                sites.append(Site(kind_, where, rule, lambda whole: _replace(whole, delete_at, None, delete=True)))
            else:
                sites.append(Site(kind_, where, rule, lambda whole: _replace(whole, steps, new)))

        if kind == "string":
            for fault, rule, new in _string_faults(shape_name, draw_int):
                site(fault, rule, new)
        elif kind in ("integer", "long", "double", "float"):
            for fault, rule, new in _number_faults(shape_name, draw_int):
                site(fault, rule, new)
        elif kind == "list":
            lo, hi = int(shape.get("min", 0)), shape.get("max")
            if lo > 0:
                site("min", "min_length", current[: draw_int(lo)])
            if hi is not None and hi <= 5000 and current:
                site("max", "max_length", (current * (hi + 1))[: hi + 1])
            for index, item in enumerate(current[:WALK_ITEMS]):
                walk(shape["member"]["shape"], item, (*steps, index), f"{path}[{index}]")
        elif kind == "map":
            lo, hi = int(shape.get("min", 0)), shape.get("max")
            if lo > 0:
                site("min", "min_length", dict(list(current.items())[: draw_int(lo)]))
            key_shape = shape["key"]["shape"]
            if hi is not None and hi <= 5000 and current:
                keys = _distinct_keys(key_shape, hi + 1)
                if keys is not None:
                    item = next(iter(current.values()))
                    site("max", "max_length", dict.fromkeys(keys, item))
            for fault, rule, bad_key in _string_faults(key_shape, draw_int):
                if current and bad_key not in current:
                    first = next(iter(current))
                    mutated = {bad_key if k == first else k: v for k, v in current.items()}
                    site(fault, rule, mutated, where=f"{path}[<key>] (map key)")
            for key, item in list(current.items())[:WALK_ITEMS]:
                walk(shape["value"]["shape"], item, (*steps, key), f"{path}[<key>]")
        elif kind == "structure":
            members = shape.get("members", {})
            if shape.get("union"):
                present = next(iter(current))
                other = next(m for m in members if m != present)
                extra = synth.valid(members[other]["shape"])
                site("union", "union", {**current, other: extra})
                site("union", "union", {})
            for member in shape.get("required", []):
                site("required", "required", None, where=_path(path, member), delete_at=(*steps, member))
            for member, item in current.items():
                walk(members[member]["shape"], item, (*steps, member), _path(path, member))

    walk(name, value, (), "")
    return sites


def sample_sites(sites: list[Site], chooser: random.Random, limit: int) -> list[Site]:
    """At most ``limit`` sites: one of every kind present first, then others at random."""
    by_kind: dict[str, list[Site]] = {}
    for site in sites:
        by_kind.setdefault(site.kind, []).append(site)
    chosen = [chooser.choice(group) for _, group in sorted(by_kind.items())]
    rest = [site for site in sites if site not in chosen]
    chooser.shuffle(rest)
    return chosen + rest[: max(limit - len(chosen), 0)]


def _distinct_keys(key_shape: str, count: int) -> list[str] | None:
    """``count`` distinct valid keys of a string shape, or None when the shape has fewer."""
    shape = SHAPES[key_shape]
    if "enum" in shape:
        values = [str(v) for v in shape["enum"]]
        return values[:count] if len(values) >= count else None
    keys = list(dict.fromkeys(synth.valid_string(key_shape, variant) for variant in range(count * 2)))
    return keys[:count] if len(keys) >= count else None


def constraint_kinds(name: str) -> set[str]:
    """The fault kinds :func:`mutation_sites` can produce somewhere under shape ``name``."""
    kinds: set[str] = set()
    for shape_name in synth.reach_all([name]):
        shape = SHAPES[shape_name]
        kind = shape["type"]
        if kind == "structure":
            if shape.get("required"):
                kinds.add("required")
            if shape.get("union"):
                kinds.add("union")
        elif kind == "string":
            if "enum" in shape:
                kinds.add("enum")
                continue
            if shape.get("min", 0) > 0:
                kinds.add("min")
            if shape.get("max") is not None and shape["max"] <= MAX_BOUNDARY:
                kinds.add("max")
            if shape.get("pattern") and synth.PATTERNS[shape["pattern"]][2] is not None:
                kinds.add("pattern")
        elif kind in ("integer", "long", "double", "float"):
            if "min" in shape or "max" in shape:
                kinds.add("range")
        elif kind in ("list", "map"):
            if shape.get("min", 0) > 0:
                kinds.add("min")
            if shape.get("max") is not None and shape["max"] <= 5000:
                key_shape = shape["key"]["shape"] if kind == "map" else None
                if key_shape is None or _distinct_keys(key_shape, shape["max"] + 1) is not None:
                    kinds.add("max")
    return kinds


# -- hostile responses ------------------------------------------------------------------------------

#: JSON values an unknown member may carry.
JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-(2**53), 2**53),
                      st.floats(allow_nan=False, allow_infinity=False), st.text(UNICODE, max_size=12))
JSON = st.recursive(JSON_LEAF, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                    max_leaves=8)
UNKNOWN_NAME = st.from_regex(r"[A-Z][A-Za-z0-9]{0,15}", fullmatch=True)


@functools.cache
def hostile(name: str) -> st.SearchStrategy[Any]:
    """Response wire values that a newer or misbehaving service might send.

    Unknown members in structures, unknown enum values, too-long and pattern-breaking strings,
    out-of-range numbers, too many or too few list items, unions with 0 or 2 members. Every value
    stays of its JSON type, so a lossless parse must give it back unchanged.
    """
    shape = SHAPES[name]
    kind = shape["type"]
    if kind == "string":
        broken: list[st.SearchStrategy[str]] = [st.text(UNICODE, max_size=MAX_TEXT)]
        if "enum" in shape:
            broken.append(st.from_regex(r"[A-Z_]{1,20}", fullmatch=True))
            broken.append(st.sampled_from(list(shape["enum"])))
        if shape.get("max") is not None and shape["max"] <= 2000:
            broken.append(st.builds(lambda c: c * (shape["max"] + 1), UNICODE))
        return st.one_of(broken)
    if kind in ("integer", "long"):
        return st.integers(-(2**63), 2**63 - 1)
    if kind in ("double", "float"):
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "timestamp":
        # Epoch seconds as the service sends them, whole or with milliseconds.
        return st.one_of(st.integers(0, 4_102_444_800),
                         st.integers(0, 4_102_444_800_000).map(lambda ms: ms / 1000))
    if kind == "list":
        return st.lists(hostile(shape["member"]["shape"]), max_size=MAX_ITEMS)
    if kind == "map":
        key_shape = SHAPES[shape["key"]["shape"]]
        keys = hostile(shape["key"]["shape"]) if key_shape["type"] == "string" else st.text(max_size=8)
        return st.dictionaries(keys, hostile(shape["value"]["shape"]), max_size=MAX_ITEMS)
    assert kind == "structure", kind
    members = shape.get("members", {})
    wire = {m: spec for m, spec in members.items() if spec.get("location") is None}
    known = st.fixed_dictionaries({}, optional={m: hostile(spec["shape"]) for m, spec in wire.items()})
    unknown = st.dictionaries(UNKNOWN_NAME.filter(lambda n: n not in members), JSON, max_size=2)
    return st.builds(lambda a, b: {**b, **a}, known, unknown)
