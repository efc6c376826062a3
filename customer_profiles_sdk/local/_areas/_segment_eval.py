"""How the emulator decides whether a profile belongs to a segment, and in which order a segment's
profiles come (the segments area's helper; no state here).

A definition is either ``SegmentGroups`` (groups of dimensions, CLASSIC) or ``SegmentSqlQuery``
(ENHANCED). The emulator's reading of the groups:

* ``SegmentGroups.Include`` combines the groups: ``ALL`` (a profile in every group), ``ANY`` (in
  at least one), ``NONE`` (in none of them). Default ``ALL``; no groups at all: every profile.
* A group starts from its ``SourceSegments`` combined by ``SourceType`` (ALL / ANY / NONE of the
  named segments), or from every profile when it names none; its ``Dimensions`` are combined by
  ``Type`` (ALL / ANY / NONE). The group holds the source profiles whose dimensions hold.
* One ``Dimension`` holds when every attribute it names holds (a ``ProfileAttributes`` naming
  several attributes, an address naming City and Country, ...).
* A profile without a value for an attribute fails every test on it (EXCLUSIVE too), as a SQL
  comparison with NULL does.
* Strings compare exactly (case-sensitive). Dates are read as ``YYYY-MM-DD`` (an ISO 8601 time may
  follow) or ``MM/DD/YYYY`` and compared by calendar day; BETWEEN and NOT_BETWEEN take two values,
  both ends inclusive. Numbers are decimals. LIST_CONTAINS(_ALL) reads the value as a JSON array,
  else as a comma-separated list.

The SQL of ENHANCED segments is read as a subset: ``SELECT <anything> FROM <table> [WHERE <cond>]``
where a condition combines with AND / OR / NOT and parentheses the comparisons ``=``, ``!=``,
``<>``, ``<``, ``<=``, ``>``, ``>=``, ``[NOT] LIKE``, ``[NOT] IN (...)``, ``[NOT] BETWEEN .. AND ..``
and ``IS [NOT] NULL`` between profile columns (``FirstName``, ``Address.City``,
``Attributes.tier``) and literals, with SQL's three-valued logic. Anything else answers
NotImplementedByEmulator (501): the emulator does not pretend to run SQL it cannot read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from .._errors import EmulatorError, bad_request

#: A calculated attribute's value for the profile under test: (name, Range override) -> text.
CalcLookup = Callable[[str, Mapping[str, Any] | None], str | None]
#: Whether the profile under test is in the named segment.
MemberOf = Callable[[str], bool]

_COMBINE: dict[str, Callable[[Sequence[bool]], bool]] = {
    "ALL": lambda outcomes: all(outcomes),
    "ANY": lambda outcomes: any(outcomes),
    "NONE": lambda outcomes: not any(outcomes),
}
_ADDRESSES = ("Address", "ShippingAddress", "MailingAddress", "BillingAddress")
# Dimensions on these profile members fall back to the older enum member when the text is absent.
_FALLBACK = {"GenderString": "Gender", "PartyTypeString": "PartyType"}
_STRING_TYPES = frozenset({"INCLUSIVE", "EXCLUSIVE", "CONTAINS", "BEGINS_WITH", "ENDS_WITH"})
_DATE_TYPES = frozenset({"BEFORE", "AFTER", "BETWEEN", "NOT_BETWEEN", "ON"})
_NUMBER_TYPES = frozenset({"GREATER_THAN", "LESS_THAN", "GREATER_THAN_OR_EQUAL", "LESS_THAN_OR_EQUAL", "EQUAL"})
_LIST_TYPES = frozenset({"LIST_CONTAINS", "LIST_CONTAINS_ALL"})
_DATE_TEXT = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?|(\d{2})/(\d{2})/(\d{4})", re.DOTALL)
# Exponents beyond this either way are not numbers for the emulator (no huge Decimal arithmetic).
_MAX_EXPONENT = 1000
# Nesting of SQL parentheses / NOT, and of segments built on segments, the emulator follows.
MAX_DEPTH = 50


def _unsupported(what: str) -> EmulatorError:
    return EmulatorError(
        "NotImplementedByEmulator",
        f"The emulator reads a subset of segment SQL and cannot evaluate {what}; "
        "see docs/guides/testing.md for the subset",
        501,
    )


# -- values ------------------------------------------------------------------------------------
def as_date(text: Any) -> date | None:
    """The calendar day a text names (``YYYY-MM-DD[...]`` or ``MM/DD/YYYY``), or None."""
    if not isinstance(text, str) or len(text) > 64:
        return None
    found = _DATE_TEXT.fullmatch(text.strip())
    if found is None:
        return None
    try:
        if found.group(1):
            if len(text.strip()) > 10:
                datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
            return date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
        return date(int(found.group(6)), int(found.group(4)), int(found.group(5)))
    except ValueError:
        return None


def as_number(text: Any) -> Decimal | None:
    """The finite decimal a text (or int/float) holds, or None."""
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        return None
    if isinstance(text, str) and len(text) > 100:
        return None
    try:
        number = Decimal(str(text).strip())
    except InvalidOperation:
        return None
    if not number.is_finite() or abs(number.adjusted()) > _MAX_EXPONENT:
        return None
    return number


def _as_list(text: str) -> list[str]:
    if text.lstrip().startswith("["):
        try:
            items = json.loads(text)
        except (ValueError, RecursionError):
            items = None
        if isinstance(items, list):
            return [item if isinstance(item, str) else json.dumps(item) for item in items]
    return [item.strip() for item in text.split(",")]


def lookup(profile: Mapping[str, Any], name: str) -> str | None:
    """A profile's text value by column name: ``FirstName``, ``Address.City``, ``Attributes.x``
    (the attribute's name may hold dots)."""
    value = profile.get(name)
    if isinstance(value, str):
        return value
    head, dot, rest = name.partition(".")
    if dot:
        nested = profile.get(head)
        if isinstance(nested, Mapping):
            inner = nested.get(rest)
            return inner if isinstance(inner, str) else None
    return None


def _fails(path: str, rule: str) -> EmulatorError:
    return bad_request(f"Invalid segment definition at {path}: {rule}")


# -- checking a definition ---------------------------------------------------------------------
def check_test(dimension_type: str, values: Sequence[str], path: str) -> None:
    """Refuse values a dimension type cannot use (wrong count, not dates, not numbers)."""
    if dimension_type in _DATE_TYPES:
        wanted = 2 if dimension_type in ("BETWEEN", "NOT_BETWEEN") else 1
        if len(values) != wanted:
            raise _fails(f"{path}.Values", f"{dimension_type} takes exactly {wanted} value(s)")
        if wanted == 2 and all(as_number(v) is not None for v in values):
            return  # a range of numbers (attribute dimensions)
        if any(as_date(v) is None for v in values):
            raise _fails(f"{path}.Values", f"{dimension_type} takes dates (YYYY-MM-DD or MM/DD/YYYY)")
    elif dimension_type in _NUMBER_TYPES:
        if len(values) != 1:
            raise _fails(f"{path}.Values", f"{dimension_type} takes exactly 1 value")
        if dimension_type != "EQUAL" and as_number(values[0]) is None:
            raise _fails(f"{path}.Values", f"{dimension_type} takes a number")


def check_groups(groups: Mapping[str, Any], path: str, *, calculated: Callable[[str], bool],
                 segment: Callable[[str], bool], range_check: Callable[[Mapping[str, Any]], None]) -> None:
    """Refuse a SegmentGroups structure the emulator cannot evaluate: a dimension naming nothing,
    values its type cannot use, an unknown calculated attribute or source segment."""
    for g, group in enumerate(groups.get("Groups") or []):
        where = f"{path}.Groups[{g}]"
        for s, source in enumerate(group.get("SourceSegments") or []):
            name = source.get("SegmentDefinitionName")
            if not name:
                raise _fails(f"{where}.SourceSegments[{s}].SegmentDefinitionName", "is required")
            if not segment(name):
                raise _fails(f"{where}.SourceSegments[{s}]", "names a segment definition that does not exist")
        for d, dimension in enumerate(group.get("Dimensions") or []):
            _check_dimension(dimension, f"{where}.Dimensions[{d}]", calculated, range_check)


def _check_dimension(dimension: Mapping[str, Any], path: str, calculated: Callable[[str], bool],
                     range_check: Callable[[Mapping[str, Any]], None]) -> None:
    profile = dimension.get("ProfileAttributes") or {}
    calc = dimension.get("CalculatedAttributes") or {}
    if bool(profile) == bool(calc):
        raise _fails(path, "a dimension sets exactly one of ProfileAttributes and CalculatedAttributes, naming "
                           "at least one attribute")
    for member, spec in profile.items():
        where = f"{path}.ProfileAttributes.{member}"
        if member == "Attributes":
            for index, (_name, test) in enumerate(spec.items()):
                check_test(test["DimensionType"], test["Values"], f"{where}[{index}]")
        elif member in _ADDRESSES:
            if not spec:
                raise _fails(where, "an address dimension names at least one member")
        elif member == "BirthDate":
            check_test(spec["DimensionType"], spec["Values"], where)
    for index, (name, test) in enumerate(calc.items()):
        where = f"{path}.CalculatedAttributes[{index}]"
        if not calculated(name):
            raise _fails(where, "names a calculated attribute definition that does not exist")
        check_test(test["DimensionType"], test["Values"], where)
        override = (test.get("ConditionOverrides") or {}).get("Range")
        if override:
            range_check(override)


# -- evaluating --------------------------------------------------------------------------------
def holds(dimension_type: str, values: Sequence[str], value: str | None) -> bool:
    """Whether one attribute's value passes a dimension's test."""
    if value is None:
        return False
    if dimension_type == "INCLUSIVE":
        return value in values
    if dimension_type == "EXCLUSIVE":
        return value not in values
    if dimension_type == "CONTAINS":
        return any(v in value for v in values)
    if dimension_type == "BEGINS_WITH":
        return any(value.startswith(v) for v in values)
    if dimension_type == "ENDS_WITH":
        return any(value.endswith(v) for v in values)
    if dimension_type in _LIST_TYPES:
        items = set(_as_list(value))
        found = [v in items for v in values]
        return all(found) if dimension_type == "LIST_CONTAINS_ALL" else any(found)
    if dimension_type in _NUMBER_TYPES:
        return _number_holds(dimension_type, values[0], value)
    if dimension_type in _DATE_TYPES:
        return _date_holds(dimension_type, values, value)
    return False


def _number_holds(dimension_type: str, bound_text: str, value: str) -> bool:
    number, bound = as_number(value), as_number(bound_text)
    if number is None or bound is None:
        return dimension_type == "EQUAL" and value == bound_text
    return {
        "GREATER_THAN": number > bound, "LESS_THAN": number < bound, "GREATER_THAN_OR_EQUAL": number >= bound,
        "LESS_THAN_OR_EQUAL": number <= bound, "EQUAL": number == bound,
    }[dimension_type]


def _date_holds(dimension_type: str, values: Sequence[str], value: str) -> bool:
    if len(values) == 2 and all(as_number(v) is not None for v in values):
        number, low, high = as_number(value), as_number(values[0]), as_number(values[1])
        if number is None or low is None or high is None:
            return False
        inside = low <= number <= high
        return inside if dimension_type == "BETWEEN" else not inside
    day = as_date(value)
    bounds = [as_date(v) for v in values]
    if day is None or any(b is None for b in bounds):
        return False
    first = bounds[0]
    assert first is not None
    if dimension_type == "BEFORE":
        return day < first
    if dimension_type == "AFTER":
        return day > first
    if dimension_type == "ON":
        return day == first
    last = bounds[1]
    assert last is not None
    inside = first <= day <= last
    return inside if dimension_type == "BETWEEN" else not inside


def _profile_dimension(profile: Mapping[str, Any], member: str, spec: Mapping[str, Any]) -> bool:
    if member == "Attributes":
        attributes = profile.get("Attributes") or {}
        return all(holds(test["DimensionType"], test["Values"], attributes.get(name)) for name, test in spec.items())
    if member in _ADDRESSES:
        address = profile.get(member) or {}
        return all(holds(test["DimensionType"], test["Values"], address.get(part)) for part, test in spec.items())
    if member == "ProfileType":
        value = profile.get("ProfileType") or "PROFILE"
        return holds(spec["DimensionType"], spec["Values"], value)
    value = profile.get(member)
    if value is None and member in _FALLBACK:
        value = profile.get(_FALLBACK[member])
    return holds(spec["DimensionType"], spec["Values"], value if isinstance(value, str) else None)


def _dimension(dimension: Mapping[str, Any], profile: Mapping[str, Any], calc: CalcLookup) -> bool:
    for member, spec in (dimension.get("ProfileAttributes") or {}).items():
        if not _profile_dimension(profile, member, spec):
            return False
    for name, test in (dimension.get("CalculatedAttributes") or {}).items():
        override = (test.get("ConditionOverrides") or {}).get("Range")
        if not holds(test["DimensionType"], test["Values"], calc(name, override)):
            return False
    return True


def in_groups(groups: Mapping[str, Any], profile: Mapping[str, Any], calc: CalcLookup, member_of: MemberOf) -> bool:
    """Whether a profile (its wire dict) is in the segment that ``groups`` define."""
    outcomes = []
    for group in groups.get("Groups") or []:
        sources = group.get("SourceSegments") or []
        inside = True
        if sources:
            inside = _COMBINE[group.get("SourceType") or "ALL"](
                [member_of(s["SegmentDefinitionName"]) for s in sources])
        dimensions = group.get("Dimensions") or []
        if inside and dimensions:
            inside = _COMBINE[group.get("Type") or "ALL"]([_dimension(d, profile, calc) for d in dimensions])
        outcomes.append(inside)
    if not outcomes:
        return True
    return _COMBINE[groups.get("Include") or "ALL"](outcomes)


# -- sorting -----------------------------------------------------------------------------------
def sort_profiles(profiles: list[Mapping[str, Any]], attributes: Sequence[Mapping[str, Any]],
                  calc_of: Callable[[Mapping[str, Any], str], str | None]) -> list[Mapping[str, Any]]:
    """``profiles`` (in creation order) sorted by SegmentSort's attributes, the first one first;
    a profile without a usable value for an attribute comes after those with one, either order."""
    ordered = list(profiles)
    for attribute in reversed(attributes):
        kind = attribute.get("DataType") or "STRING"
        name = attribute["Name"]
        keyed: list[tuple[Any, Mapping[str, Any]]] = []
        missing = []
        for profile in ordered:
            text = calc_of(profile, name) if attribute.get("Type") == "CALCULATED" else lookup(profile, name)
            key: Any = text
            if text is not None and kind == "NUMBER":
                key = as_number(text)
            elif text is not None and kind == "DATE":
                key = as_date(text)
            if key is None:
                missing.append(profile)
            else:
                keyed.append((key, profile))
        keyed.sort(key=lambda pair: pair[0], reverse=attribute["Order"] == "DESC")
        ordered = [profile for _, profile in keyed] + missing
    return ordered


# -- the SQL subset ----------------------------------------------------------------------------
_TOKEN = re.compile(
    r"\s+|(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"
    r"|(?P<id>[A-Za-z_][A-Za-z0-9_.]*|`[^`]*`|\"[^\"]*\")|(?P<op><=|>=|<>|!=|=|<|>|\(|\)|,|\*|;)"
)
_KEYWORDS = frozenset({"SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "LIKE", "IN", "IS", "NULL", "BETWEEN",
                       "TRUE", "FALSE"})


@dataclass(frozen=True)
class _Tok:
    kind: str  # str, num, id, kw, op
    text: str


def _tokens(sql: str) -> list[_Tok]:
    out: list[_Tok] = []
    position = 0
    while position < len(sql):
        found = _TOKEN.match(sql, position)
        if found is None:
            raise bad_request(f"SegmentSqlQuery: unexpected character at offset {position}")
        position = found.end()
        kind = found.lastgroup
        if kind is None:
            continue
        text = found.group(kind)
        if kind == "str":
            out.append(_Tok("str", text[1:-1].replace("''", "'")))
        elif kind == "id":
            if text[0] in "`\"":
                out.append(_Tok("id", text[1:-1]))
            elif text.upper() in _KEYWORDS:
                out.append(_Tok("kw", text.upper()))
            else:
                out.append(_Tok("id", text))
        else:
            out.append(_Tok(kind, text))
    return out


# Parsed conditions are nested tuples: ("and"|"or", (a, b, ...)) with every operand of one chain
# of ANDs / ORs in one node (so a long chain is a wide tree, not a deep one), ("not", a), ("cmp", op, left, right),
# ("like", negated, operand, pattern), ("in", negated, operand, [literals]),
# ("between", negated, operand, low, high), ("null", negated, operand), ("const", bool).
# Operands: ("col", name) or ("lit", text, is_number).
Node = tuple[Any, ...]


class _Parser:
    def __init__(self, tokens: list[_Tok]) -> None:
        self.tokens = tokens
        self.at = 0

    def peek(self, kind: str | None = None, text: str | None = None) -> bool:
        if self.at >= len(self.tokens):
            return False
        token = self.tokens[self.at]
        return (kind is None or token.kind == kind) and (text is None or token.text == text)

    def take(self, kind: str | None = None, text: str | None = None) -> _Tok:
        if not self.peek(kind, text):
            raise bad_request(f"SegmentSqlQuery: syntax error at token {self.at + 1}")
        self.at += 1
        return self.tokens[self.at - 1]

    def query(self) -> Node:
        self.take("kw", "SELECT")
        while not self.peek("kw", "FROM"):
            if self.at >= len(self.tokens):
                raise bad_request("SegmentSqlQuery: a query reads FROM a table")
            self.at += 1
        self.take("kw", "FROM")
        self.take("id")
        condition: Node = ("const", True)
        if self.peek("kw", "WHERE"):
            self.take()
            condition = self.disjunction(0)
        if self.peek("op", ";"):
            self.take()
        if self.at < len(self.tokens):
            raise _unsupported("clauses after WHERE (sort with SegmentSort)")
        return condition

    def disjunction(self, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise bad_request(f"SegmentSqlQuery: conditions nested deeper than {MAX_DEPTH} levels")
        operands = [self.conjunction(depth)]
        while self.peek("kw", "OR"):
            self.take()
            operands.append(self.conjunction(depth))
        return operands[0] if len(operands) == 1 else ("or", tuple(operands))

    def conjunction(self, depth: int) -> Node:
        operands = [self.negation(depth)]
        while self.peek("kw", "AND"):
            self.take()
            operands.append(self.negation(depth))
        return operands[0] if len(operands) == 1 else ("and", tuple(operands))

    def negation(self, depth: int) -> Node:
        if self.peek("kw", "NOT"):
            self.take()
            if depth + 1 > MAX_DEPTH:
                raise bad_request(f"SegmentSqlQuery: conditions nested deeper than {MAX_DEPTH} levels")
            return ("not", self.negation(depth + 1))
        if self.peek("op", "("):
            self.take()
            node = self.disjunction(depth + 1)
            self.take("op", ")")
            return node
        if self.peek("kw", "TRUE") or self.peek("kw", "FALSE"):
            return ("const", self.take().text == "TRUE")
        return self.predicate()

    def operand(self) -> Node:
        if self.peek("id"):
            return ("col", self.take().text)
        if self.peek("str"):
            return ("lit", self.take().text, False)
        if self.peek("num"):
            return ("lit", self.take().text, True)
        if self.at >= len(self.tokens) or self.tokens[self.at].kind == "kw":
            raise bad_request(f"SegmentSqlQuery: syntax error at token {self.at + 1}")
        raise _unsupported("this expression")

    def predicate(self) -> Node:
        left = self.operand()
        if self.peek("op") and self.tokens[self.at].text in ("=", "!=", "<>", "<", "<=", ">", ">="):
            op = self.take().text
            return ("cmp", "!=" if op == "<>" else op, left, self.operand())
        if self.peek("kw", "IS"):
            self.take()
            negated = self.peek("kw", "NOT")
            if negated:
                self.take()
            self.take("kw", "NULL")
            return ("null", negated, left)
        negated = self.peek("kw", "NOT")
        if negated:
            self.take()
        if self.peek("kw", "LIKE"):
            self.take()
            return ("like", negated, left, self.take("str").text)
        if self.peek("kw", "IN"):
            self.take()
            self.take("op", "(")
            items = [self.operand()]
            while self.peek("op", ","):
                self.take()
                items.append(self.operand())
            self.take("op", ")")
            if any(item[0] != "lit" for item in items):
                raise _unsupported("IN lists of columns")
            return ("in", negated, left, items)
        if self.peek("kw", "BETWEEN"):
            self.take()
            low = self.operand()
            self.take("kw", "AND")
            return ("between", negated, left, low, self.operand())
        raise _unsupported("this predicate")


def parse_sql(sql: str) -> Node:
    """The condition of a segment's SQL (see the module docstring), or a 400 for text that is no
    SQL at all and a 501 for SQL outside the emulator's subset."""
    return _Parser(_tokens(sql)).query()


def _value(operand: Node, profile: Mapping[str, Any]) -> tuple[str | None, bool]:
    if operand[0] == "col":
        return lookup(profile, operand[1]), False
    return operand[1], operand[2]


def _compare(op: str, left: tuple[str | None, bool], right: tuple[str | None, bool]) -> bool | None:
    if left[0] is None or right[0] is None:
        return None
    a: Any = left[0]
    b: Any = right[0]
    if left[1] or right[1]:
        a, b = as_number(a), as_number(b)
        if a is None or b is None:
            return None
    return bool({"=": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op])


def like(text: str, pattern: str) -> bool:
    """SQL LIKE (``%`` any run, ``_`` one character), in time linear in len(text) per piece."""
    pieces = pattern.split("%")

    def at(position: int, piece: str) -> bool:
        return len(text) - position >= len(piece) and all(
            p == "_" or text[position + i] == p for i, p in enumerate(piece))

    def find(piece: str, start: int) -> int:
        if "_" not in piece:
            return text.find(piece, start)
        for position in range(start, len(text) - len(piece) + 1):
            if at(position, piece):
                return position
        return -1

    if len(pieces) == 1:
        return len(text) == len(pattern) and at(0, pattern)
    first, last = pieces[0], pieces[-1]
    if not at(0, first):
        return False
    position = len(first)
    for piece in pieces[1:-1]:
        found = find(piece, position)
        if found < 0:
            return False
        position = found + len(piece)
    end = len(text) - len(last)
    return end >= position and at(end, last)


def sql_holds(node: Node, profile: Mapping[str, Any]) -> bool | None:
    """The condition's truth for a profile: True, False or None (unknown), SQL's three values.
    The tree's depth is bounded by the parser (chains of AND / OR are one wide node each)."""
    kind = node[0]
    if kind == "const":
        return bool(node[1])
    if kind in ("and", "or"):
        decisive = kind == "or"  # True decides an OR, False an AND
        unknown = False
        for operand in node[1]:
            part = sql_holds(operand, profile)
            if part is decisive:
                return decisive
            unknown = unknown or part is None
        return None if unknown else not decisive
    if kind == "not":
        inner = sql_holds(node[1], profile)
        return None if inner is None else not inner
    if kind == "cmp":
        return _compare(node[1], _value(node[2], profile), _value(node[3], profile))
    negated = bool(node[1])
    value = _value(node[2], profile)
    if kind == "null":
        return (value[0] is None) != negated
    if value[0] is None:
        return None
    outcome: bool | None
    if kind == "like":
        outcome = like(value[0], node[3])
    elif kind == "in":
        results = [_compare("=", value, _value(item, profile)) for item in node[3]]
        outcome = True if True in results else (None if None in results else False)
    else:
        low = _compare(">=", value, _value(node[3], profile))
        high = _compare("<=", value, _value(node[4], profile))
        outcome = None if low is None or high is None else (low and high)
    return None if outcome is None else outcome != negated
