"""The emulator's evaluator of calculated attributes.

The backend stores a definition as its wire-named dict (the CreateCalculatedAttributeDefinition
request members), checks it once with :func:`check_definition`, asks :func:`object_types_of` which
object types it reads, and computes a profile's value with :func:`evaluate` over every object
ingested for that profile.

How a value is computed (the order matters)
-------------------------------------------
1. Keep the objects of the definition's object type.
2. Unless ``UseHistoricalData`` is true, keep only objects ingested at or after the definition's
   creation (``ingested_at >= created_at``). The service backfills history asynchronously; the
   emulator has everything at hand, so the flag only selects which objects count.
3. Give each object a timestamp: ``ingested_at``, or the ``Range.TimestampSource`` field of its
   source document read with ``Range.TimestampFormat``. Objects whose timestamp is missing or
   unparsable are skipped.
4. Keep objects inside the time window, if any (see below), then those the ``Filter`` accepts.
5. Compute each object's value from the expression; objects without a value are skipped.
6. ``Conditions.ObjectCount`` N: keep the N most recent of the remaining objects. Objects that have
   no value (step 5) never take one of the N places (a choice: the service does not say).
7. Apply the statistic, then the threshold.

Definitions and their checks
----------------------------
* Attributes are ``ObjectTypeName.FieldName``, where FieldName is a key of the object type's
  ``Fields``. A bare ``FieldName`` is accepted too, as this SDK's client-side rule
  ``expression_attributes`` accepts it: the object type then comes from the expression.
* The expression is a single reference ``{ObjectTypeName.FieldName}``, or arithmetic over
  references and decimal numbers with ``+ - * /``, unary minus and parentheses. It is parsed by a
  small recursive-descent parser (never ``eval``). Refused: a parse error, a reference not listed
  in Attributes, references to more than one object type, more than two distinct references (the
  service's documented limit of two fields), a listed attribute of another object type.
* Filter attribute names are ``ObjectTypeName.FieldName`` of the same object type, or a bare field
  name without a dot; any other dotted name is refused as naming another object type.
* ``TimestampSource`` must be ``{ObjectTypeName.dotted.path}`` of the same object type and needs a
  ``TimestampFormat`` of ``EPOCHMILLI`` or ``ISO_8601``. A Range needs ``Value`` or ``ValueRange``.
* Check messages name attribute and rule names, never values.
* The backend, not this module, checks that the object type and its fields exist.

Values
------
* Arithmetic expressions are numeric: a field that is a JSON number, or a string holding a decimal
  number, counts as a number. An object whose referenced field is missing, non-numeric, or whose
  arithmetic divides by zero, has no value. Arithmetic is exact decimal arithmetic (34 significant
  digits), so ``0.1 + 0.2`` is ``0.3``.
* A single-reference expression yields the field's raw value (any JSON value but null). SUM,
  MINIMUM, MAXIMUM and AVERAGE convert it to a number and skip objects where that fails; the other
  statistics use its text: strings as they are, numbers formatted as below, booleans as
  ``true``/``false``, objects and lists as compact JSON.
* Magnitudes: a number whose decimal exponent is beyond +-1000 (``1e1001``, ``"1e-5000"``) counts as
  non-numeric, like text: it never reaches the arithmetic, so no input can make a statistic overflow
  or run for long. An arithmetic result or statistic that still overflows gives no value.
* Number formatting (approximation): integral numbers without a decimal point (``"42"``); others
  rounded half-up to 6 decimal places with trailing zeros removed (``"2.5"``, ``"0.333333"``),
  always plain, never with an exponent. The service's values are at most 255 characters: a number
  longer than that is written in exponent form, other text is cut at 255 characters.

Statistics
----------
* COUNT: the number of objects with a value. SUM, MINIMUM, MAXIMUM, AVERAGE: numeric.
* FIRST_OCCURRENCE / LAST_OCCURRENCE: the value of the earliest / latest object by timestamp
  (equal timestamps: the order of ingestion decides).
* MAX_OCCURRENCE: the most frequent value; a tie goes to the value that occurred most recently.
* RECENT_OCCURRENCES (approximation; the service does not document its output): a compact JSON
  list of the values, newest first, at most ObjectCount of them or 10 when ObjectCount is absent;
  oldest entries are dropped until the text fits in 255 characters.
* No object counted: the value is None, for every statistic including COUNT (a choice: we have no
  evidence that the service answers ``"0"``).

Conditions
----------
* Window: ``Range.Value`` N (DAYS) keeps timestamps in ``[now - N days, now]``. ``ValueRange``
  ``{Start, End}`` replaces Value: positive days are in the past, negative in the future, and the
  window is ``[now - Start days, now - End days]``; ``Start < End`` is refused because Start must be
  the earlier point. BatchGetCalculatedAttributeForProfile's ``ConditionOverrides.Range``
  ``{Start, End (default 0)}`` replaces the window in the same way (the definition's
  TimestampSource still applies); :func:`evaluate` refuses an override with ``Start < End``.
  Without a Range every object is in the window, future timestamps included.
* EPOCHMILLI: a JSON number or a string of digits. Its magnitude below ``10**11`` means seconds
  (``10**11`` ms is March 1973, ``10**11`` s is year 5138), otherwise milliseconds.
* ISO_8601: ``YYYY-MM-DDTHH:MM:SS`` with optional ``.fraction`` (up to 9 digits, kept to the
  microsecond) and an optional offset ``Z``, ``+HH:MM`` or ``+HHMM`` (or ``-``); no offset means
  UTC (approximation). A space instead of ``T`` is accepted; a date without a time is not.
* Threshold (approximation): the value becomes ``"true"``/``"false"``, whether the statistic's
  value meets ``{Value, Operator}``; numeric comparison when both sides are numbers, otherwise
  comparison of the texts (ordinal, for GREATER_THAN / LESS_THAN). No statistic value: None.

Filter
------
A dimension's attributes must all hold (AND). A group of type ALL / ANY / NONE holds when all / at
least one / none of its dimensions hold; ``Filter.Include`` ALL / ANY / NONE combines groups the
same way. A dimension on a field that is missing or null never holds, whatever its type (like SQL's
NULL, so EXCLUSIVE and NOT_BETWEEN fail on it too).

* INCLUSIVE / EXCLUSIVE: the field's text is / is not one of Values (case-sensitive).
* CONTAINS / BEGINS_WITH / ENDS_WITH: the field's text contains / starts / ends with any of Values.
* EQUAL: numerically equal to any of Values. GREATER_THAN, LESS_THAN, GREATER_THAN_OR_EQUAL,
  LESS_THAN_OR_EQUAL: exactly one numeric value. Non-numeric field: the dimension fails.
* BEFORE / AFTER / ON / BETWEEN / NOT_BETWEEN: Values are ISO dates (``YYYY-MM-DD``) or ISO date-times
  as above; the field must be one too. A date stands for its whole UTC day: BEFORE means before the
  day starts, AFTER after it ends, ON within it (any of Values), BETWEEN [first, second] inclusive
  of both days (exactly two values, first not after second), NOT_BETWEEN the opposite. BEFORE and
  AFTER take exactly one value.

Other outputs
-------------
* ``is_data_partial`` is always ``"false"``: the emulator computes synchronously over all data.
* ``last_object_timestamp``: the timestamp (as in step 3) of the latest object that counted.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, DecimalException, localcontext
from typing import Any

from customer_profiles_sdk.local._errors import bad_request

__all__ = ["CalcResult", "IngestedObject", "check_definition", "evaluate", "object_types_of"]


@dataclass(frozen=True)
class IngestedObject:
    """One object ingested for a profile, as the backend hands it to :func:`evaluate`."""

    object_type_name: str
    source: Mapping[str, Any] = field(repr=False)  # documents: personal data, never in a repr
    fields: Mapping[str, Any] = field(repr=False)
    ingested_at: datetime


@dataclass(frozen=True)
class CalcResult:
    """A computed calculated attribute: its text value (None when nothing counted) and metadata."""

    value: str | None
    is_data_partial: str
    last_object_timestamp: datetime | None


_MAX_VALUE_CHARS = 255
_RECENT_DEFAULT = 10
_EPOCH_SECONDS_BELOW = 10**11
_DECIMAL_PLACES = Decimal("0.000001")
_PRECISION = 34
# Numbers whose decimal exponent (Decimal.adjusted()) is beyond this, either way, are non-numeric.
_MAX_EXPONENT = 1000

_STATISTICS = frozenset({
    "FIRST_OCCURRENCE", "LAST_OCCURRENCE", "COUNT", "SUM", "MINIMUM", "MAXIMUM", "AVERAGE",
    "MAX_OCCURRENCE", "RECENT_OCCURRENCES",
})
_NUMERIC_STATISTICS = frozenset({"SUM", "MINIMUM", "MAXIMUM", "AVERAGE"})
_OPERATORS = frozenset({"EQUAL_TO", "GREATER_THAN", "LESS_THAN", "NOT_EQUAL_TO"})
_COMBINERS = frozenset({"ALL", "ANY", "NONE"})
_TIMESTAMP_FORMATS = frozenset({"EPOCHMILLI", "ISO_8601"})

_STRING_DIMENSIONS = frozenset({"INCLUSIVE", "EXCLUSIVE", "CONTAINS", "BEGINS_WITH", "ENDS_WITH"})
_NUMBER_DIMENSIONS = frozenset({"EQUAL", "GREATER_THAN", "LESS_THAN", "GREATER_THAN_OR_EQUAL", "LESS_THAN_OR_EQUAL"})
_DATE_DIMENSIONS = frozenset({"BEFORE", "AFTER", "ON", "BETWEEN", "NOT_BETWEEN"})
_ONE_VALUE_DIMENSIONS = frozenset({
    "GREATER_THAN", "LESS_THAN", "GREATER_THAN_OR_EQUAL", "LESS_THAN_OR_EQUAL", "BEFORE", "AFTER",
})
_TWO_VALUE_DIMENSIONS = frozenset({"BETWEEN", "NOT_BETWEEN"})

_NUMBER_TEXT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_EPOCH_TEXT = re.compile(r"[+-]?\d+(?:\.\d+)?")
_ISO_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?"
    r"(Z|z|[+-]\d{2}:?\d{2})?"
)
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_ATTRIBUTE_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_TYPE_NAME = re.compile(r"[A-Za-z_][A-Za-z_0-9-]*")
_TIMESTAMP_SOURCE = re.compile(r"\{([A-Za-z_][A-Za-z_0-9-]*)\.([^{}]+)\}")
_REFERENCE_TEXT = re.compile(r"\{([^{}]*)\}")


# --------------------------------------------------------------------------------------------
# Numbers and text
# --------------------------------------------------------------------------------------------


def _bounded(number: Decimal) -> Decimal | None:
    """``number`` if it is finite and of a sane magnitude (see ``_MAX_EXPONENT``), else None."""
    if not number.is_finite():
        return None
    if number and abs(number.adjusted()) > _MAX_EXPONENT:
        return None
    return number


def _as_number(value: Any) -> Decimal | None:
    """A JSON value as a finite decimal of sane magnitude: numbers and numeric strings; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return _bounded(value)
    if isinstance(value, int):
        # A JSON document's integers have at most 4300 digits (Python's own limit on parsing them).
        return _bounded(Decimal(value))
    if isinstance(value, float):
        return _bounded(Decimal(repr(value))) if math.isfinite(value) else None
    if isinstance(value, str):
        text = value.strip()
        if _NUMBER_TEXT.fullmatch(text):
            try:
                number = Decimal(text)
            except DecimalException:
                return None
            return _bounded(number)
    return None


def _format_number(number: Decimal) -> str:
    """Integral: digits only. Otherwise rounded half-up to 6 places, trailing zeros removed.

    Never converts a long number to ``int`` (that is slow, and refused past 4300 digits): a number
    whose integral part alone would not fit in a value is written in exponent form at once.
    """
    if not number.is_finite():
        return str(number)
    if number and number.adjusted() >= _MAX_VALUE_CHARS:
        return format(number, ".6E")
    with localcontext() as context:
        context.prec = 1000
        if number == number.to_integral_value():
            text = str(int(number))
        else:
            rounded = number.quantize(_DECIMAL_PLACES, rounding=ROUND_HALF_UP)
            if rounded == 0:
                text = "0"
            elif rounded == rounded.to_integral_value():
                text = str(int(rounded))
            else:
                text = format(rounded, "f").rstrip("0").rstrip(".")
    if len(text) > _MAX_VALUE_CHARS:
        text = format(number, ".6E")
    return text


def _text(value: Any) -> str:
    """The text of a raw JSON value, as the non-numeric statistics and string filters see it."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    number = _as_number(value)
    if number is not None:
        return _format_number(number)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


# --------------------------------------------------------------------------------------------
# Timestamps
# --------------------------------------------------------------------------------------------


def _parse_iso_datetime(text: str) -> datetime | None:
    match = _ISO_DATETIME.fullmatch(text.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    zone: timezone = UTC
    if offset and offset not in ("Z", "z"):
        digits = offset[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:])
        if hours > 23 or minutes > 59:
            return None
        delta = timedelta(hours=hours, minutes=minutes)
        zone = timezone(-delta if offset[0] == "-" else delta)
    micro = int((fraction or "0").ljust(6, "0")[:6])
    try:
        parsed = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micro, zone)
    except ValueError:
        return None
    return parsed.astimezone(UTC)


def _parse_epoch(value: Any) -> datetime | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        if not _EPOCH_TEXT.fullmatch(value.strip()):
            return None
        number = Decimal(value.strip())
    elif isinstance(value, int | float):
        parsed = _as_number(value)
        if parsed is None:
            return None
        number = parsed
    else:
        return None
    if abs(number) < _EPOCH_SECONDS_BELOW:
        number *= 1000
    try:
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=float(number))
    except (OverflowError, ValueError):
        return None


def _lookup_path(document: Any, path: Sequence[str]) -> Any:
    node = document
    for part in path:
        if isinstance(node, Mapping):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


# --------------------------------------------------------------------------------------------
# Expressions
# --------------------------------------------------------------------------------------------


class _ParseError(Exception):
    """The expression does not parse (no detail: the message must not quote the expression)."""


class _Node:
    def value(self, fields: Mapping[str, Any]) -> Decimal | None:
        raise NotImplementedError


@dataclass(frozen=True)
class _Ref(_Node):
    object_type: str
    field: str

    def value(self, fields: Mapping[str, Any]) -> Decimal | None:
        return _as_number(fields.get(self.field))


@dataclass(frozen=True)
class _Literal(_Node):
    number: Decimal

    def value(self, fields: Mapping[str, Any]) -> Decimal | None:
        return self.number


@dataclass(frozen=True)
class _Negate(_Node):
    operand: _Node

    def value(self, fields: Mapping[str, Any]) -> Decimal | None:
        inner = self.operand.value(fields)
        return None if inner is None else -inner


@dataclass(frozen=True)
class _Binary(_Node):
    operator: str
    left: _Node
    right: _Node

    def value(self, fields: Mapping[str, Any]) -> Decimal | None:
        left = self.left.value(fields)
        right = self.right.value(fields)
        if left is None or right is None:
            return None
        with localcontext() as context:
            context.prec = _PRECISION
            try:
                if self.operator == "+":
                    return left + right
                if self.operator == "-":
                    return left - right
                if self.operator == "*":
                    return left * right
                return left / right
            except DecimalException:  # division by zero, overflow
                return None


_TOKEN = re.compile(r"\s*(?:(\{[^{}]*\})|(\d+(?:\.\d*)?|\.\d+)|([-+*/()]))")


def _tokenize(expression: str) -> list[str]:
    tokens: list[str] = []
    position = 0
    stripped_end = len(expression.rstrip())
    while position < stripped_end:
        match = _TOKEN.match(expression, position)
        if match is None:
            raise _ParseError
        tokens.append(match.group(1) or match.group(2) or match.group(3))
        position = match.end()
    return tokens


class _Parser:
    """expr := term (('+'|'-') term)*; term := unary (('*'|'/') unary)*;
    unary := ('+'|'-') unary | '(' expr ')' | number | '{' Type.Field '}'."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.index = 0

    def parse(self) -> _Node:
        node = self.expr()
        if self.index != len(self.tokens):
            raise _ParseError
        return node

    def peek(self) -> str | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise _ParseError
        self.index += 1
        return token

    def expr(self) -> _Node:
        node = self.term()
        while self.peek() in ("+", "-"):
            node = _Binary(self.take(), node, self.term())
        return node

    def term(self) -> _Node:
        node = self.unary()
        while self.peek() in ("*", "/"):
            node = _Binary(self.take(), node, self.unary())
        return node

    def unary(self) -> _Node:
        token = self.take()
        if token == "-":
            return _Negate(self.unary())
        if token == "+":
            return self.unary()
        if token == "(":
            node = self.expr()
            if self.take() != ")":
                raise _ParseError
            return node
        if token.startswith("{"):
            object_type, dot, field = token[1:-1].strip().partition(".")
            if not dot or not _TYPE_NAME.fullmatch(object_type) or not _ATTRIBUTE_NAME.fullmatch(field):
                raise _ParseError
            return _Ref(object_type, field)
        if token[0].isdigit() or token[0] == ".":
            return _Literal(Decimal(token))
        raise _ParseError


def _references(node: _Node) -> list[_Ref]:
    if isinstance(node, _Ref):
        return [node]
    if isinstance(node, _Negate):
        return _references(node.operand)
    if isinstance(node, _Binary):
        return _references(node.left) + _references(node.right)
    return []


# --------------------------------------------------------------------------------------------
# Filters
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Instant:
    """A filter date or date-time as the half-open UTC interval [start, end) it stands for."""

    start: datetime
    end: datetime


def _parse_instant(value: Any) -> _Instant | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    match = _ISO_DATE.fullmatch(text)
    if match is not None:
        try:
            day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            return None
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        return _Instant(start, start + timedelta(days=1))
    moment = _parse_iso_datetime(text)
    if moment is None:
        return None
    return _Instant(moment, moment + timedelta(microseconds=1))


@dataclass(frozen=True)
class _Dimension:
    field: str
    kind: str
    texts: tuple[str, ...]
    numbers: tuple[Decimal, ...]
    instants: tuple[_Instant, ...]

    def holds(self, fields: Mapping[str, Any]) -> bool:
        raw = fields.get(self.field)
        if raw is None:
            return False
        if self.kind in _STRING_DIMENSIONS:
            return self._holds_text(_text(raw))
        if self.kind in _NUMBER_DIMENSIONS:
            number = _as_number(raw)
            return number is not None and self._holds_number(number)
        instant = _parse_instant(raw)
        return instant is not None and self._holds_instant(instant.start)

    def _holds_text(self, text: str) -> bool:
        if self.kind == "INCLUSIVE":
            return text in self.texts
        if self.kind == "EXCLUSIVE":
            return text not in self.texts
        if self.kind == "CONTAINS":
            return any(value in text for value in self.texts)
        if self.kind == "BEGINS_WITH":
            return any(text.startswith(value) for value in self.texts)
        return any(text.endswith(value) for value in self.texts)

    def _holds_number(self, number: Decimal) -> bool:
        if self.kind == "EQUAL":
            return number in self.numbers
        bound = self.numbers[0]
        if self.kind == "GREATER_THAN":
            return number > bound
        if self.kind == "LESS_THAN":
            return number < bound
        if self.kind == "GREATER_THAN_OR_EQUAL":
            return number >= bound
        return number <= bound

    def _holds_instant(self, moment: datetime) -> bool:
        if self.kind == "BEFORE":
            return moment < self.instants[0].start
        if self.kind == "AFTER":
            return moment >= self.instants[0].end
        if self.kind == "ON":
            return any(value.start <= moment < value.end for value in self.instants)
        inside = self.instants[0].start <= moment < self.instants[1].end
        return inside if self.kind == "BETWEEN" else not inside


def _combine(kind: str, results: Sequence[bool]) -> bool:
    if kind == "ALL":
        return all(results)
    if kind == "ANY":
        return any(results)
    return not any(results)


@dataclass(frozen=True)
class _Filter:
    include: str
    groups: tuple[tuple[str, tuple[tuple[_Dimension, ...], ...]], ...]

    def accepts(self, fields: Mapping[str, Any]) -> bool:
        return _combine(self.include, [
            _combine(kind, [all(part.holds(fields) for part in dimension) for dimension in dimensions])
            for kind, dimensions in self.groups
        ])


# --------------------------------------------------------------------------------------------
# Compiling a definition
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Window:
    start_days: int
    end_days: int

    def bounds(self, now: datetime) -> tuple[datetime, datetime]:
        return now - timedelta(days=self.start_days), now - timedelta(days=self.end_days)


@dataclass(frozen=True)
class _Compiled:
    object_type: str
    expression: _Node
    statistic: str
    use_historical: bool
    window: _Window | None
    timestamp_path: tuple[str, ...] | None
    timestamp_format: str | None
    object_count: int | None
    threshold: tuple[str, str] | None
    filter: _Filter | None


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise bad_request(f"{where} must be an object")
    return value


def _optional_mapping(parent: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any] | None:
    value = parent.get(key)
    return None if value is None else _mapping(value, where)


def _integer(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad_request(f"{where} must be an integer")
    return value


def _safe_name(name: str) -> str:
    """An attribute name for a message, or a placeholder when it is not a well-formed name."""
    return name if _ATTRIBUTE_NAME.fullmatch(name) else "(malformed name)"


# At most this many field names are listed when an attribute names a field its type lacks.
_LISTED_FIELDS = 50


def unknown_field_message(attribute: str, object_type: str, fields: Iterable[str]) -> str:
    """The refusal of an attribute whose field is not a key of its object type's ``Fields``: it
    names the attribute and lists the type's field names (names only: never a Source or Target)."""
    names = sorted(_safe_name(name) for name in fields)
    shown = ", ".join(names[:_LISTED_FIELDS]) or "(none)"
    if len(names) > _LISTED_FIELDS:
        shown += f" and {len(names) - _LISTED_FIELDS} more"
    return (
        f"AttributeDetails.Attributes: {_safe_name(attribute)} names no field of the object type "
        f"{_safe_name(object_type)}. Name an attribute {_safe_name(object_type)}.<key of its Fields map> "
        f"(not the field's Target); its fields are: {shown}"
    )


def _listed_names(details: Mapping[str, Any]) -> list[str]:
    attributes = details.get("Attributes")
    if not isinstance(attributes, list) or not attributes:
        raise bad_request("AttributeDetails.Attributes must list at least one attribute")
    names: list[str] = []
    for item in attributes:
        name = item.get("Name") if isinstance(item, Mapping) else None
        if not isinstance(name, str) or not name:
            raise bad_request("every item of AttributeDetails.Attributes needs a Name")
        names.append(name)
    return names


def _parse_expression(details: Mapping[str, Any]) -> _Node:
    expression = details.get("Expression")
    if not isinstance(expression, str):
        raise bad_request("AttributeDetails.Expression must be a string")
    try:
        return _Parser(_tokenize(expression)).parse()
    except (_ParseError, DecimalException):
        raise bad_request(
            "AttributeDetails.Expression could not be parsed: use {ObjectTypeName.FieldName} references, "
            "numbers, + - * / and parentheses"
        ) from None


def _compile_attributes(details: Mapping[str, Any]) -> tuple[str, _Node]:
    names = _listed_names(details)
    expression = _parse_expression(details)
    references = _references(expression)
    if not references:
        raise bad_request("AttributeDetails.Expression must reference at least one attribute")
    object_types = {ref.object_type for ref in references}
    if len(object_types) > 1:
        raise bad_request("AttributeDetails.Expression must reference attributes of one object type only")
    (object_type,) = object_types
    distinct = {(ref.object_type, ref.field) for ref in references}
    if len(distinct) > 2:
        raise bad_request("AttributeDetails.Expression may reference at most 2 distinct attributes")
    listed = set(names)
    for ref in references:
        qualified = f"{ref.object_type}.{ref.field}"
        if qualified not in listed and ref.field not in listed:
            raise bad_request(
                f"AttributeDetails.Expression references {qualified}, which AttributeDetails.Attributes does not list"
            )
    referenced = {f"{ref.object_type}.{ref.field}" for ref in references} | {ref.field for ref in references}
    for name in names:
        if name not in referenced and "." in name and not name.startswith(f"{object_type}."):
            raise bad_request(
                f"attribute {_safe_name(name)} is not of the object type {object_type}: "
                "a calculated attribute reads one object type"
            )
    return object_type, expression


def _compile_window(range_: Mapping[str, Any]) -> _Window:
    unit = range_.get("Unit")
    if unit is not None and unit != "DAYS":
        raise bad_request("Conditions.Range.Unit must be DAYS")
    value_range = _optional_mapping(range_, "ValueRange", "Conditions.Range.ValueRange")
    if value_range is not None:
        start = _integer(value_range.get("Start"), "Conditions.Range.ValueRange.Start")
        end = _integer(value_range.get("End"), "Conditions.Range.ValueRange.End")
        if start < end:
            raise bad_request(
                "Conditions.Range.ValueRange.Start must not be less than End: Start is the earlier point "
                "(days in the past are positive, days in the future negative)"
            )
        return _Window(start, end)
    if range_.get("Value") is None:
        raise bad_request("Conditions.Range needs Value or ValueRange")
    days = _integer(range_.get("Value"), "Conditions.Range.Value")
    if days < 0:
        raise bad_request("Conditions.Range.Value must not be negative")
    return _Window(days, 0)


def _compile_timestamp(range_: Mapping[str, Any], object_type: str) -> tuple[tuple[str, ...] | None, str | None]:
    source = range_.get("TimestampSource")
    timestamp_format = range_.get("TimestampFormat")
    if timestamp_format is not None and timestamp_format not in _TIMESTAMP_FORMATS:
        raise bad_request("Conditions.Range.TimestampFormat must be EPOCHMILLI or ISO_8601")
    if source is None:
        return None, None
    match = _TIMESTAMP_SOURCE.fullmatch(source) if isinstance(source, str) else None
    if match is None:
        raise bad_request("Conditions.Range.TimestampSource must have the form {ObjectTypeName.path.to.field}")
    path = tuple(match.group(2).split("."))
    if any(not part for part in path):
        raise bad_request("Conditions.Range.TimestampSource must have the form {ObjectTypeName.path.to.field}")
    if match.group(1) != object_type:
        raise bad_request(f"Conditions.Range.TimestampSource must read the object type {object_type}")
    if timestamp_format is None:
        raise bad_request("Conditions.Range.TimestampSource needs Conditions.Range.TimestampFormat")
    return path, str(timestamp_format)


def _filter_field(name: str, object_type: str) -> str:
    prefix = f"{object_type}."
    if name.startswith(prefix) and len(name) > len(prefix):
        return name[len(prefix):]
    if "." in name:
        raise bad_request(
            f"Filter attribute {_safe_name(name)} must be {object_type}.FieldName: "
            "a calculated attribute reads one object type"
        )
    return name


def _compile_dimension(name: str, spec: Any, object_type: str) -> _Dimension:
    field = _filter_field(name, object_type)
    where = f"Filter attribute {_safe_name(name)}"
    spec = _mapping(spec, where)
    kind = spec.get("DimensionType")
    if kind not in _STRING_DIMENSIONS | _NUMBER_DIMENSIONS | _DATE_DIMENSIONS:
        raise bad_request(f"{where} has an unknown DimensionType")
    assert isinstance(kind, str)
    raw_values = spec.get("Values")
    if not isinstance(raw_values, list) or not raw_values or not all(isinstance(v, str) for v in raw_values):
        raise bad_request(f"{where} needs a non-empty list of string Values")
    values = tuple(str(v) for v in raw_values)
    if kind in _ONE_VALUE_DIMENSIONS and len(values) != 1:
        raise bad_request(f"{where}: DimensionType {kind} takes exactly one value")
    if kind in _TWO_VALUE_DIMENSIONS and len(values) != 2:
        raise bad_request(f"{where}: DimensionType {kind} takes exactly two values")
    numbers: tuple[Decimal, ...] = ()
    instants: tuple[_Instant, ...] = ()
    if kind in _NUMBER_DIMENSIONS:
        parsed_numbers = [_as_number(v) for v in values]
        if any(n is None for n in parsed_numbers):
            raise bad_request(f"{where}: DimensionType {kind} takes numeric values")
        numbers = tuple(n for n in parsed_numbers if n is not None)
    if kind in _DATE_DIMENSIONS:
        parsed_instants = [_parse_instant(v) for v in values]
        if any(i is None for i in parsed_instants):
            raise bad_request(f"{where}: DimensionType {kind} takes ISO 8601 dates or date-times")
        instants = tuple(i for i in parsed_instants if i is not None)
        if kind in _TWO_VALUE_DIMENSIONS and instants[0].start > instants[1].start:
            raise bad_request(f"{where}: the first value of {kind} must not be after the second")
    return _Dimension(field, kind, values, numbers, instants)


def _compile_filter(filter_: Mapping[str, Any], object_type: str) -> _Filter:
    include = filter_.get("Include")
    if include not in _COMBINERS:
        raise bad_request("Filter.Include must be ALL, ANY or NONE")
    raw_groups = filter_.get("Groups")
    if not isinstance(raw_groups, list) or not raw_groups:
        raise bad_request("Filter.Groups must list at least one group")
    groups: list[tuple[str, tuple[tuple[_Dimension, ...], ...]]] = []
    for raw_group in raw_groups:
        group = _mapping(raw_group, "Filter.Groups item")
        kind = group.get("Type")
        if kind not in _COMBINERS:
            raise bad_request("Filter group Type must be ALL, ANY or NONE")
        raw_dimensions = group.get("Dimensions")
        if not isinstance(raw_dimensions, list) or not raw_dimensions:
            raise bad_request("a Filter group must list at least one dimension")
        dimensions: list[tuple[_Dimension, ...]] = []
        for raw_dimension in raw_dimensions:
            attributes = _mapping(_mapping(raw_dimension, "Filter dimension").get("Attributes"),
                                  "Filter dimension Attributes")
            if not attributes:
                raise bad_request("a Filter dimension must name at least one attribute")
            dimensions.append(tuple(
                _compile_dimension(str(name), spec, object_type) for name, spec in attributes.items()
            ))
        groups.append((str(kind), tuple(dimensions)))
    return _Filter(str(include), tuple(groups))


def _compile(definition: Mapping[str, Any]) -> _Compiled:
    details = _mapping(definition.get("AttributeDetails"), "AttributeDetails")
    object_type, expression = _compile_attributes(details)
    statistic = definition.get("Statistic")
    if statistic not in _STATISTICS:
        raise bad_request("Statistic is not one of the supported statistics")
    assert isinstance(statistic, str)

    window: _Window | None = None
    timestamp_path: tuple[str, ...] | None = None
    timestamp_format: str | None = None
    object_count: int | None = None
    threshold: tuple[str, str] | None = None
    conditions = _optional_mapping(definition, "Conditions", "Conditions")
    if conditions is not None:
        range_ = _optional_mapping(conditions, "Range", "Conditions.Range")
        if range_ is not None:
            window = _compile_window(range_)
            timestamp_path, timestamp_format = _compile_timestamp(range_, object_type)
        if conditions.get("ObjectCount") is not None:
            object_count = _integer(conditions.get("ObjectCount"), "Conditions.ObjectCount")
            if object_count < 1:
                raise bad_request("Conditions.ObjectCount must be at least 1")
        raw_threshold = _optional_mapping(conditions, "Threshold", "Conditions.Threshold")
        if raw_threshold is not None:
            operator = raw_threshold.get("Operator")
            if operator not in _OPERATORS:
                raise bad_request("Conditions.Threshold.Operator is not a supported operator")
            threshold_value = raw_threshold.get("Value")
            if not isinstance(threshold_value, str):
                raise bad_request("Conditions.Threshold.Value must be a string")
            threshold = (threshold_value, str(operator))

    raw_filter = _optional_mapping(definition, "Filter", "Filter")
    compiled_filter = None if raw_filter is None else _compile_filter(raw_filter, object_type)
    use_historical = definition.get("UseHistoricalData")
    if use_historical is not None and not isinstance(use_historical, bool):
        raise bad_request("UseHistoricalData must be a boolean")
    return _Compiled(
        object_type=object_type,
        expression=expression,
        statistic=statistic,
        use_historical=bool(use_historical),
        window=window,
        timestamp_path=timestamp_path,
        timestamp_format=timestamp_format,
        object_count=object_count,
        threshold=threshold,
        filter=compiled_filter,
    )


def _override_window(override: Mapping[str, Any]) -> _Window:
    unit = override.get("Unit")
    if unit is not None and unit != "DAYS":
        raise bad_request("ConditionOverrides.Range.Unit must be DAYS")
    start = _integer(override.get("Start"), "ConditionOverrides.Range.Start")
    end = 0 if override.get("End") is None else _integer(override.get("End"), "ConditionOverrides.Range.End")
    if start < end:
        raise bad_request(
            "ConditionOverrides.Range.Start must not be less than End: Start is the earlier point "
            "(days in the past are positive, days in the future negative)"
        )
    return _Window(start, end)


# --------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------


def _timestamp(obj: IngestedObject, compiled: _Compiled) -> datetime | None:
    if compiled.timestamp_path is None:
        return obj.ingested_at
    raw = _lookup_path(obj.source, compiled.timestamp_path)
    if raw is None:
        return None
    if compiled.timestamp_format == "EPOCHMILLI":
        return _parse_epoch(raw)
    return _parse_iso_datetime(raw) if isinstance(raw, str) else None


def _object_value(compiled: _Compiled, fields: Mapping[str, Any]) -> Decimal | str | None:
    """Decimal for the numeric statistics, text for the others; None when the object has no value."""
    numeric = compiled.statistic in _NUMERIC_STATISTICS
    expression = compiled.expression
    if isinstance(expression, _Ref):
        raw = fields.get(expression.field)
        if raw is None:
            return None
        return _as_number(raw) if numeric else _text(raw)
    number = expression.value(fields)
    if number is None or numeric:
        return number
    return _format_number(number)


def _clip(text: str) -> str:
    return text[:_MAX_VALUE_CHARS]


def _recent(texts: Sequence[str], limit: int) -> str:
    newest_first = list(reversed(texts))[:limit]
    while True:
        encoded = json.dumps(newest_first, separators=(",", ":"), ensure_ascii=False)
        if len(encoded) <= _MAX_VALUE_CHARS or len(newest_first) <= 1:
            return _clip(encoded)
        newest_first.pop()


def _max_occurrence(texts: Sequence[str]) -> str:
    counts: dict[str, int] = {}
    last_seen: dict[str, int] = {}
    for position, text in enumerate(texts):
        counts[text] = counts.get(text, 0) + 1
        last_seen[text] = position
    return max(counts, key=lambda text: (counts[text], last_seen[text]))


def _statistic(compiled: _Compiled, values: Sequence[Decimal | str]) -> str | None:
    """``values`` are oldest first and never empty. None: the statistic has no value (overflow)."""
    statistic = compiled.statistic
    if statistic == "COUNT":
        return str(len(values))
    if statistic in _NUMERIC_STATISTICS:
        numbers = [value for value in values if isinstance(value, Decimal)]
        try:
            with localcontext() as context:
                context.prec = _PRECISION
                if statistic == "SUM":
                    return _format_number(sum(numbers, Decimal(0)))
                if statistic == "AVERAGE":
                    return _format_number(sum(numbers, Decimal(0)) / len(numbers))
            return _format_number(min(numbers) if statistic == "MINIMUM" else max(numbers))
        except DecimalException:  # an overflow: the bounded inputs make it unlikely, never a crash
            return None
    texts = [value if isinstance(value, str) else _format_number(value) for value in values]
    if statistic == "FIRST_OCCURRENCE":
        return _clip(texts[0])
    if statistic == "LAST_OCCURRENCE":
        return _clip(texts[-1])
    if statistic == "MAX_OCCURRENCE":
        return _clip(_max_occurrence(texts))
    return _recent(texts, compiled.object_count or _RECENT_DEFAULT)


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "EQUAL_TO": lambda left, right: bool(left == right),
    "NOT_EQUAL_TO": lambda left, right: bool(left != right),
    "GREATER_THAN": lambda left, right: bool(left > right),
    "LESS_THAN": lambda left, right: bool(left < right),
}


def _meets_threshold(value: str, threshold: tuple[str, str]) -> str:
    bound, operator = threshold
    compare = _COMPARE[operator]
    left_number, right_number = _as_number(value), _as_number(bound)
    if left_number is not None and right_number is not None:
        met = compare(left_number, right_number)
    else:
        met = compare(value, bound)
    return "true" if met else "false"


def check_definition(definition: Mapping[str, Any]) -> None:
    """Refuse, with a BadRequestException, a definition the service would not accept.

    The schema (required members, enums, lengths) is the backend's business; this checks what the
    schema cannot: the expression, the attributes' object type, the Range, the Filter.
    """
    _compile(definition)


def object_types_of(definition: Mapping[str, Any]) -> set[str]:
    """The object type names a definition reads.

    Taken from the expression's ``{ObjectTypeName.FieldName}`` references (which name the type even
    when Attributes lists bare field names), else from the dotted names in Attributes. After
    :func:`check_definition` accepted the definition this is exactly one name.
    """
    details = definition.get("AttributeDetails")
    if not isinstance(details, Mapping):
        return set()
    expression = details.get("Expression")
    types: set[str] = set()
    if isinstance(expression, str):
        for reference in _REFERENCE_TEXT.findall(expression):
            object_type, dot, _field = reference.strip().partition(".")
            if dot and object_type:
                types.add(object_type)
    if types:
        return types
    attributes = details.get("Attributes")
    for item in attributes if isinstance(attributes, list) else []:
        name = item.get("Name") if isinstance(item, Mapping) else None
        if isinstance(name, str) and "." in name:
            types.add(name.partition(".")[0])
    return types


def evaluate(
    definition: Mapping[str, Any],
    objects: Sequence[IngestedObject],
    *,
    now: datetime,
    created_at: datetime,
    range_override: Mapping[str, Any] | None = None,
) -> CalcResult:
    """Compute a calculated attribute over all objects ingested for one profile (any object type).

    ``now`` and ``created_at`` (the definition's creation time) are aware datetimes. ``range_override``
    (``ConditionOverrides.Range``) replaces the definition's time window; an invalid one raises a
    BadRequestException. The steps and choices are described in the module docstring.
    """
    compiled = _compile(definition)
    window = compiled.window if range_override is None else _override_window(range_override)
    bounds = None if window is None else window.bounds(now)

    counted: list[tuple[datetime, int, Decimal | str]] = []
    for position, obj in enumerate(objects):
        if obj.object_type_name != compiled.object_type:
            continue
        if not compiled.use_historical and obj.ingested_at < created_at:
            continue
        moment = _timestamp(obj, compiled)
        if moment is None:
            continue
        if bounds is not None and not bounds[0] <= moment <= bounds[1]:
            continue
        if compiled.filter is not None and not compiled.filter.accepts(obj.fields):
            continue
        value = _object_value(compiled, obj.fields)
        if value is None:
            continue
        counted.append((moment, position, value))

    counted.sort(key=lambda entry: (entry[0], entry[1]))
    if compiled.object_count is not None:
        counted = counted[-compiled.object_count:]
    if not counted:
        return CalcResult(value=None, is_data_partial="false", last_object_timestamp=None)

    result = _statistic(compiled, [value for _moment, _position, value in counted])
    if result is None:
        return CalcResult(value=None, is_data_partial="false", last_object_timestamp=None)
    if compiled.threshold is not None:
        result = _meets_threshold(result, compiled.threshold)
    return CalcResult(value=result, is_data_partial="false", last_object_timestamp=counted[-1][0])
