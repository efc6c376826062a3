"""Hand-written model core shared by every generated shape class.

One class per botocore shape serves both directions (see docs/design.md):

* **Strict** is the class's own pydantic schema. Constructing an input shape, calling its
  ``model_validate``, or assigning to one of its attributes enforces every constraint of the
  service model and raises :class:`~customer_profiles_sdk.errors.ParamValidationError` (no input
  values in the text).
* **Lenient** is a second validator derived, once per class and lazily, from the strict core
  schema: constraints are stripped, enum values become plain strings, required members become
  optional, unknown members are kept, and a value of an unexpected type is kept unchanged inside a
  :class:`RawValue`. Output-only shapes (every ``*Response``) use it for ``__init__`` and
  ``model_validate``; any class can use it through :meth:`Shape.from_boto`.

The generator never writes this module.
"""

from __future__ import annotations

import contextvars
import difflib
import enum
import json
import math
import numbers
import operator
import threading
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Context, Decimal
from fractions import Fraction
from typing import Annotated, Any, ClassVar, LiteralString, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    GetCoreSchemaHandler,
    model_validator,
)
from pydantic_core import PydanticCustomError, SchemaValidator, ValidationError, core_schema

from . import rules
from .errors import MissingMemberError, ParamValidationError, Problem, ResponseParseError

if typing.TYPE_CHECKING:
    from ._core import ResponseMetadata

__all__ = [
    "REDACTED",
    "EnumOf",
    "InputShape",
    "OutputShape",
    "RawValue",
    "RealNumber",
    "ResponseShape",
    "Shape",
    "ShapeInfo",
    "Timestamp",
    "WholeNumber",
]


class _Redacted:
    """Placeholder shown instead of a sensitive value."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<redacted>"

    __str__ = __repr__

    def __reduce__(self) -> str:
        return "REDACTED"  # unpickles as the module's one instance


REDACTED = _Redacted()

# -- bounded display ----------------------------------------------------------------------------

#: repr() and str() of a model show at most this many unknown members, list items and map
#: entries (each level), then "... and N more".
REPR_ITEMS = 20
#: Texts (member values, map keys, unknown member names, type names) longer than this are cut.
REPR_TEXT = 200


def _clipped_text(text: str) -> str:
    """``repr(text)``, cut after :data:`REPR_TEXT` characters with a marker saying how many more."""
    if len(text) <= REPR_TEXT:
        return repr(text)
    return f"{text[:REPR_TEXT]!r}...<{len(text) - REPR_TEXT} more characters>"


def _clipped_name(text: str) -> str:
    """A name shown as it is (unknown member names, type names), cut like :func:`_clipped_text`."""
    if len(text) <= REPR_TEXT:
        return text
    return f"{text[:REPR_TEXT]}...<{len(text) - REPR_TEXT} more characters>"


def _shown_name(key: object) -> str:
    """An unknown member's name as repr() shows it: as it is when it is a plain name, else as an
    escaped literal (a newline or an escape sequence from the service must not reach a log line
    raw, and a lone surrogate would make the text unprintable); cut like :func:`_clipped_name`."""
    text = str(key)
    return _clipped_name(text if text.isidentifier() and text.isascii() else ascii(text[: REPR_TEXT + 1]))


#: Integers of more bits (about 150 digits) show as their size.
_REPR_INT_BITS = 512
#: Member values whose repr is short whatever they hold.
_SHOWN_AS_IS: frozenset[type] = frozenset({bool, float, datetime})


class _Shown:
    """A value as repr() of a model shows it: texts, lists and maps cut (see :data:`REPR_ITEMS`).

    The value itself is untouched; only this display object is bounded. Building the text costs
    time in proportion to what is shown, not to the size of the value.
    """

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return _bounded_repr(self.value)


class _More:
    """The last argument of a cut display: ``... and 199980 more unknown members``."""

    __slots__ = ("text",)

    def __init__(self, count: int, what: str) -> None:
        self.text = f"... and {count} more {what}"

    def __repr__(self) -> str:
        return self.text


def _bounded_repr(value: Any) -> str:
    if isinstance(value, str) and not isinstance(value, enum.Enum):
        return _clipped_text(value)
    if type(value) is int:
        if value.bit_length() > _REPR_INT_BITS:  # str() refuses past 4300 digits
            return f"<integer of {value.bit_length()} bits>"
        return repr(value)
    if isinstance(value, list):
        shown = [_bounded_repr(item) for item in value[:REPR_ITEMS]]
        if len(value) > REPR_ITEMS:
            shown.append(f"... and {len(value) - REPR_ITEMS} more items")
        return "[" + ", ".join(shown) + "]"
    if isinstance(value, dict):
        entries = []
        for index, (key, item) in enumerate(value.items()):
            if index == REPR_ITEMS:
                entries.append(f"... and {len(value) - REPR_ITEMS} more entries")
                break
            entries.append(f"{_bounded_repr(key)}: {_bounded_repr(item)}")
        return "{" + ", ".join(entries) + "}"
    return repr(value)


class _Missing:
    """Shown by ``repr`` for a member the model requires but the object does not hold."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<missing>"

    __str__ = __repr__


MISSING = _Missing()


class RawValue:
    """A response value that did not have the type the model expects, kept unchanged.

    Lenient parsing never raises and never coerces: a string where a number was expected, a
    list where a structure was expected, and so on, is wrapped here. ``value`` is what the service
    sent, and :meth:`Shape.to_boto` sends it back unchanged. Its repr never shows the value, since
    the SDK cannot tell whether it is personal data.
    """

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"RawValue(<{_clipped_name(type(self.value).__name__)}, redacted>)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RawValue) and type(other.value) is type(self.value) and other.value == self.value

    def __hash__(self) -> int:
        try:
            return hash((RawValue, type(self.value), self.value))
        except TypeError:  # unhashable contents (list, dict): equal values still hash alike
            return hash((RawValue, type(self.value)))


@dataclass(frozen=True)
class ShapeInfo:
    """Facts about one botocore structure shape, written by the generator on each class."""

    name: str
    #: Python attribute name -> wire (botocore member) name, in model order.
    wire: Mapping[str, str]
    #: Attributes whose value is, or contains through lists and maps, a sensitive shape.
    sensitive: frozenset[str] = frozenset()
    #: True for union shapes: exactly one member must be set.
    union: bool = False
    #: Wire name -> Python attribute name (derived).
    by_wire: Mapping[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_wire", {w: p for p, w in self.wire.items()})


class EnumOf:
    """``Annotated`` marker: validate a value as one of an enum shape's values.

    Strict validation accepts the enum member or its string value and stores the plain string;
    lenient validation accepts any string.
    """

    __slots__ = ("enum",)

    def __init__(self, enum_cls: type[enum.Enum]) -> None:
        self.enum = enum_cls

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_before_validator_function(
            _enum_value,
            core_schema.literal_schema([member.value for member in self.enum]),
        )

    def __repr__(self) -> str:
        return f"EnumOf({self.enum.__name__})"


def _enum_value(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


# ---------------------------------------------------------------------------------------------
# Numbers and timestamps: one policy for every numeric member (the table is in docs/models.md).
# ---------------------------------------------------------------------------------------------


def _numeric_string(text: str) -> float | None:
    """The number a string spells as Python's ``float()`` reads it (as botocore's
    ``parse_timestamp`` tries first), or None: ``" 1e11"``, ``"1_000"``, ``"inf"``.
    """
    try:
        return float(text)
    except ValueError:
        return None


# What :func:`_number` found: an integer, a binary floating-point number, or an exact number
# (``Decimal``, ``Fraction``) that may or may not be whole.
_INT, _FLOAT, _EXACT = 1, 2, 3
#: The widest integer the wire carries (``long``).
_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1
#: Epoch seconds of this size or more are far past year 9999 (about 2.5e11), whatever their type.
_EPOCH_LIMIT = 10**15
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Decimal arithmetic on timestamps: a local context (the caller's may round to fewer digits)
# with room for any in-range number of microseconds.
_DECIMAL = Context(prec=40)
_MICROSECOND = Decimal("1e-6")


def _number(value: Any) -> tuple[int, Any] | None:
    """Classify ``value`` as a number, or return None if the SDK does not read it as one.

    * ``(_INT, int)``: ``int`` and its subclasses (except ``bool``), every ``numbers.Integral``
      (numpy integers) and any object that is an integer by Python's ``__index__`` protocol.
    * ``(_FLOAT, float)``: ``float`` and its subclasses, and every other ``numbers.Real`` that is
      not rational (numpy floats). A finite one beyond the range of ``float`` (numpy's
      ``longdouble``) comes back as the exact ``int`` it equals, so nothing reads it as infinity.
    * ``(_EXACT, value)``: ``Decimal`` unchanged, and every other ``numbers.Rational`` as a
      ``Fraction``.

    ``bool`` and numpy's ``bool_`` are not numbers here, nor is an object that only has
    ``__float__``.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return _INT, operator.index(value)
    if isinstance(value, float):
        # The value the object holds, as json and botocore send it: a subclass's own __float__
        # could answer something else.
        return _FLOAT, float.__float__(value)
    if isinstance(value, Decimal):
        return _EXACT, value
    try:
        if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
            if isinstance(value, Fraction):
                return _EXACT, value
            if isinstance(value, numbers.Rational):
                return _EXACT, Fraction(operator.index(value.numerator), operator.index(value.denominator))
            number = float(value)
            if math.isinf(number) and value != number:  # finite, but beyond a float
                return _FLOAT, int(typing.cast(Any, value))
            return _FLOAT, number
        return _INT, operator.index(value)
    except (TypeError, ValueError, ArithmeticError):
        return None


def _exact_whole(number: Decimal | Fraction) -> int | None:
    """The integer an exact number (``Decimal``, ``Fraction``) equals, or None if it has none.

    A ``Decimal`` of 1e19 or more in size (beyond every integer wire type) comes back as a number
    just beyond the 64-bit range, so range checks refuse it without ever building the (possibly
    enormous) integer that ``Decimal("1e999999999")`` stands for.
    """
    if isinstance(number, Decimal):
        if not number.is_finite():
            return None
        if number.adjusted() >= 19:
            return _LONG_MAX + 1 if number > 0 else _LONG_MIN - 1
        if number != number.to_integral_value():
            return None
        return int(number)
    return number.numerator if number.denominator == 1 else None


def _as_float(kind: int, number: Any) -> float | None:
    """The ``float`` nearest a classified number, or None if it is finite but beyond a float.

    NaN and infinities come back as ``float`` NaN and infinities.
    """
    if kind == _FLOAT and type(number) is float:
        return number
    if isinstance(number, Decimal):
        if number.is_nan():
            return math.nan  # float() refuses a signalling NaN
        result = float(number)
        return None if math.isinf(result) and number.is_finite() else result
    try:
        return float(number)
    except OverflowError:
        return None


# Input error messages of numeric members. Each names the rule the value breaks, never the value,
# and suggests a conversion only where one exists (``int(nan)`` raises, so NaN gets none).
_NOT_FINITE_INTEGER = "Input should be a finite integer: NaN and infinity are not integers"
_NOT_FINITE_NUMBER = "Input should be a finite number: NaN and infinity cannot be sent (JSON has no way to write them)"
_NOT_FINITE_EPOCH = "Input should be a finite number of epoch seconds: NaN and infinity are not points in time"
_TIMESTAMP_RANGE = "Input should be a timestamp within the years 1 to 9999"


def _not_a(what: LiteralString, value: Any) -> PydanticCustomError:
    """The ``*_type`` error for a value that is not a ``what`` (a bool and a string are named)."""
    kinds: dict[str, LiteralString] = {"integer": "int_type", "number": "float_type", "datetime": "datetime_type"}
    kind = kinds[what]
    numpy_bool = type(value).__module__ == "numpy" and type(value).__name__ in ("bool", "bool_")
    if isinstance(value, bool) or numpy_bool:
        return PydanticCustomError(kind, f"Input should be a valid {what}, not a boolean")
    if isinstance(value, str):
        return PydanticCustomError(kind, f"Input should be a valid {what}, not a string")
    return PydanticCustomError(kind, f"Input should be a valid {what}")


def _input_int(value: Any) -> Any:
    """Strict reading of an ``integer`` or ``long`` member (before the range checks).

    Integers of any type become a plain ``int``; so does an exact number (``Decimal``,
    ``Fraction``) with a whole value, such as DynamoDB's ``Decimal("5")``. A binary float is refused
    even when whole (``30.0``): it may already have lost digits (``2.0**53 + 1`` is ``2.0**53``).
    Strings are refused, numeric or not (``"30"``), as are NaN and infinities of every type.
    """
    if type(value) is int:
        return value
    found = _number(value)
    if found is None:
        raise _not_a("integer", value)
    kind, number = found
    if kind == _INT:
        return number
    if kind == _FLOAT:
        if isinstance(number, float) and not math.isfinite(number):
            raise PydanticCustomError("finite_number", _NOT_FINITE_INTEGER)
        raise PydanticCustomError(
            "cp_int_from_float", "Input should be a valid integer, not a float (convert it with int() or round())"
        )
    whole = _exact_whole(number)
    if whole is not None:
        return whole
    if isinstance(number, Decimal) and not number.is_finite():
        raise PydanticCustomError("finite_number", _NOT_FINITE_INTEGER)
    raise PydanticCustomError("int_from_float", "Input should be a valid integer, got a number with a fractional part")


def _input_float(value: Any) -> Any:
    """Strict reading of a ``double`` or ``float`` member (before the range and finiteness checks).

    Any real number becomes the nearest plain ``float``; one beyond the range of a float is
    refused (rule ``max`` or ``min``). NaN and infinities are refused: JSON has no way to send
    them (the ``float`` schema's ``allow_inf_nan=False`` would refuse them as well).
    """
    if type(value) is float:
        if value - value == 0:  # False for NaN and infinities
            return value
        raise PydanticCustomError("finite_number", _NOT_FINITE_NUMBER)
    found = _number(value)
    if found is None:
        raise _not_a("number", value)
    result = _as_float(*found)
    if result is not None and not math.isfinite(result):
        raise PydanticCustomError("finite_number", _NOT_FINITE_NUMBER)
    if result is None:
        if found[1] > 0:
            raise PydanticCustomError("cp_too_large", "Input should be within the range of a 64-bit float")
        raise PydanticCustomError("cp_too_small", "Input should be within the range of a 64-bit float")
    return result


def _output_int(value: Any) -> Any:
    """Lenient reading of an integer that is not a plain ``int``: never raises.

    Integers of any type become ``int``; a whole exact number within the 64-bit range too;
    anything else (floats, fractions, strings, ``bool``) is kept in a :class:`RawValue`.
    """
    found = _number(value)
    if found is not None:
        kind, number = found
        if kind == _INT:
            return number
        if kind == _EXACT:
            whole = _exact_whole(number)
            if whole is not None and _LONG_MIN <= whole <= _LONG_MAX:
                return whole
    return RawValue(value)


def _output_float(value: Any) -> Any:
    """Lenient reading of a number that is not a plain ``float`` or ``int``: never raises.

    A real number becomes the nearest ``float`` (NaN and infinities included, as a response
    may carry them); one beyond a float's range, a ``bool`` or a non-number is kept in a
    :class:`RawValue`, so it is neither lost nor read as infinity.
    """
    found = _number(value)
    if found is not None:
        result = _as_float(*found)
        if result is not None:
            return result
    return RawValue(value)


def _plain_function(function: Callable[[Any], Any]) -> dict[str, Any]:
    return {"type": "function-plain", "function": {"type": "no-info", "function": function}}


def _lenient_number(node: Mapping[str, Any], fallback: bool) -> dict[str, Any]:
    """The lenient schema of an integer or float member (``node`` runs :func:`_input_int` or
    :func:`_input_float` before a strict ``int`` or ``float`` schema).

    Plain ``int`` and ``float`` values take pydantic-core's own path, as before; only other
    values reach :func:`_output_int` or :func:`_output_float`, and with ``fallback`` off (the
    typed validator) they are refused instead.
    """
    inner = {key: value for key, value in node["schema"].items()
             if key not in ("ge", "le", "gt", "lt", "multiple_of", "allow_inf_nan")}
    if node["function"]["function"] is _input_int:
        if not fallback:
            return inner
        return {"type": "union", "mode": "left_to_right", "choices": [inner, _plain_function(_output_int)]}
    # JSON holds only plain numbers: its path is unchanged. From Python, a float subclass (numpy's
    # float64) becomes a plain float, a plain int a float, and anything else goes to _output_float.
    python: list[dict[str, Any]] = [
        {"type": "chain", "steps": [{"type": "is-instance", "cls": float}, inner]},
        {"type": "chain", "steps": [{"type": "int", "strict": True}, inner]},
    ]
    json_schema = inner
    if fallback:
        python.append(_plain_function(_output_float))
        # pydantic-core before 2.35 refuses a JSON integer beyond 64 bits for a float: it is read
        # as a float here too, as newer versions and the Python path read it.
        json_schema = {"type": "union", "mode": "left_to_right", "choices": [inner, _plain_function(_output_float)]}
    return {
        "type": "json-or-python",
        "json_schema": json_schema,
        "python_schema": {"type": "union", "mode": "left_to_right", "choices": python},
    }


#: ``Annotated`` marker of every ``integer`` and ``long`` member, written after its
#: ``Field(strict=True, ge=..., le=...)`` (the generator puts the wire type's range there).
WholeNumber = BeforeValidator(_input_int)
#: ``Annotated`` marker of every ``double`` and ``float`` member, written after its
#: ``Field(strict=True, allow_inf_nan=False, ...)``.
RealNumber = BeforeValidator(_input_float)


def _from_epoch(number: Any) -> datetime:
    """The UTC datetime ``number`` epoch seconds stand for (a classified number's value).

    ``int`` and ``float`` are read as botocore reads them (``datetime.fromtimestamp``); exact
    numbers exactly, rounded half to even to the microsecond.
    """
    if isinstance(number, Decimal):
        finite = number.is_finite()
    else:
        finite = number - number == 0  # False for NaN and infinities
    if not finite:
        raise PydanticCustomError("finite_number", _NOT_FINITE_EPOCH)
    result: datetime | None = None
    try:
        if isinstance(number, int | float):
            result = datetime.fromtimestamp(number, UTC)
        elif isinstance(number, Decimal):
            if number.adjusted() < 15:
                quantized = number.quantize(_MICROSECOND, rounding=ROUND_HALF_EVEN, context=_DECIMAL)
                result = _EPOCH + timedelta(microseconds=int(quantized.scaleb(6, context=_DECIMAL)))
        elif abs(number) < _EPOCH_LIMIT:  # a Fraction
            result = _EPOCH + timedelta(microseconds=round(number * 1_000_000))
    except (OSError, ValueError, TypeError, ArithmeticError):  # OverflowError is an ArithmeticError
        result = None
    if result is None:
        raise PydanticCustomError("cp_timestamp_range", _TIMESTAMP_RANGE)
    return result


def _epoch_seconds(value: Any) -> Any:
    """Strict reading of a timestamp: numbers of every type are epoch seconds, as botocore reads them.

    ``int``, ``float``, ``Decimal``, ``Fraction``, numpy numbers and numeric strings are all
    seconds (pydantic alone reads numbers above 2e10 as milliseconds, and reads ``Decimal``
    differently from ``int``). ``datetime`` values and other strings go on to pydantic's
    ``datetime`` schema; ``bool`` and anything else is refused.
    """
    kind = type(value)
    if kind is datetime:
        return value
    if kind is int or kind is float:
        return _from_epoch(value)
    if isinstance(value, str):
        seconds = _numeric_string(value)
        return value if seconds is None else _from_epoch(seconds)
    if isinstance(value, datetime):  # a subclass (pandas' Timestamp, ...)
        return value
    if isinstance(value, date):  # a date alone is no point in time; boto3 refuses it too
        raise PydanticCustomError("datetime_type", "Input should be a valid datetime, not a date without a time")
    found = _number(value)
    if found is None:
        raise _not_a("datetime", value)
    return _from_epoch(found[1])


def _wire_timestamp(value: Any) -> Any:
    """The lenient reading of a timestamp: as botocore's ``parse_timestamp`` reads it.

    Epoch seconds (numbers of every type, and numeric strings), and strings in ISO 8601, RFC 822
    or any other form ``dateutil`` reads, with ``GMT`` meaning UTC. A value that cannot be read
    either raises (the lenient validator's fallback then keeps it in a :class:`RawValue`) or, for
    a string ``dateutil`` does not read, goes on to pydantic's own ``datetime`` parsing.
    """
    if isinstance(value, str):
        seconds = _numeric_string(value)
        if seconds is not None:
            return _from_epoch(seconds)
        from dateutil import parser, tz  # botocore's own dependency

        try:
            return parser.parse(value, tzinfos={"GMT": tz.tzutc()})
        except Exception:  # dateutil raises more than ValueError (decimal.InvalidOperation, ...)
            return value
    return _epoch_seconds(value)


def _as_utc(value: datetime) -> datetime:
    """Naive means UTC; an aware value is converted to UTC (the same instant).

    botocore returns epoch timestamps in the machine's local zone; the SDK's are UTC wherever
    they come from, so a response reads the same on every machine.
    """
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        if value.tzinfo is not UTC:
            try:
                return value.astimezone(UTC)
            except (OverflowError, ValueError):  # at the edges of datetime's range: not sendable
                raise PydanticCustomError("cp_timestamp_range", _TIMESTAMP_RANGE) from None
    return value


#: Timestamps: input accepts ``datetime``, ISO 8601 strings and epoch seconds of any numeric type
#: (naive means UTC); output is always timezone-aware.
Timestamp = Annotated[datetime, BeforeValidator(_epoch_seconds), AfterValidator(_as_utc)]

# pydantic error type -> our rule name.
_RULE_NAMES = {
    "missing": "required",
    "string_too_short": "min_length",
    "too_short": "min_length",
    "string_too_long": "max_length",
    "too_long": "max_length",
    "greater_than_equal": "min",
    "greater_than": "min",
    "less_than_equal": "max",
    "less_than": "max",
    "literal_error": "enum",
    "enum": "enum",
    "string_pattern_mismatch": "pattern",
    "extra_forbidden": "unknown_member",
    "cp_union": "union",
    # Numbers (see _number): beyond a float's range, not finite, not whole.
    "cp_too_large": "max",
    "cp_too_small": "min",
    "finite_number": "type",
    "int_from_float": "type",
    "cp_int_from_float": "type",
    "cp_timestamp_range": "type",
}


def _own_bookkeeping(model: BaseModel) -> None:
    """Give ``model`` its own set of members set, and its own dict of unknown members, before a
    change: pydantic-core shares both with the original when it validates a model instance again
    (a response's ``Address`` passed into a request), so an assignment to one would show in the
    other's ``model_fields_set`` and extras."""
    object.__setattr__(model, "__pydantic_fields_set__", set(model.__pydantic_fields_set__))
    extra = model.__pydantic_extra__
    if extra is not None:
        object.__setattr__(model, "__pydantic_extra__", dict(extra))


class Shape(BaseModel):
    """Base of every generated shape class. Not instantiated directly."""

    # Written out literally (not through a variable) so the pydantic mypy plugin can read it:
    # with validate_by_name it types __init__ with the Python names.
    model_config = ConfigDict(
        extra="forbid",
        hide_input_in_errors=True,
        validate_by_name=True,
        validate_by_alias=True,
        defer_build=True,
        revalidate_instances="always",
        regex_engine="python-re",
        protected_namespaces=(),
        cache_strings="keys",
    )

    __cp__: ClassVar[ShapeInfo]

    def __setattr__(self, name: str, value: Any) -> None:
        _own_bookkeeping(self)
        super().__setattr__(name, value)

    def __delattr__(self, name: str) -> None:
        _own_bookkeeping(self)
        super().__delattr__(name)

    @property
    def model_fields_set(self) -> set[str]:
        """The names of the members that were set, as in pydantic, as this model's own set.

        Models of a large response share equal sets (:func:`_sharing_validator`), and pydantic-core
        shares one between a model and the copy it makes when validating it again, so the model
        first gets its own copy: a change made through the set returned shows in this model only.
        """
        own = set(self.__pydantic_fields_set__)
        object.__setattr__(self, "__pydantic_fields_set__", own)
        return own

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[BaseModel], handler: GetCoreSchemaHandler, /
    ) -> core_schema.CoreSchema:
        """The class's schema; used inside a model or type of your own, one that hides input.

        As a field of your own pydantic model (``profile: CreateProfileRequest``), in a
        ``TypeAdapter(list[Address])``, a dataclass or a ``TypedDict``, validation starts in your
        schema, so pydantic would quote the SDK model's input (names, e-mail addresses) in
        ``str(error)``, ``errors()`` and ``json()``. There, the class's errors are raised again
        with ``input`` replaced by ``"<redacted>"``, and map keys and unknown member names in
        ``loc`` replaced by placeholders; error types, messages and constraint context are
        kept. The schema being built (yours) also gets a wrapper at its root that does the same
        for every error it raises: the other branches of a union, a discriminated union's tag,
        a list's length and your model's ``missing`` errors all quote input that holds the SDK
        model's data. The class's own schema, and its use inside other SDK shapes, are
        unchanged: the SDK's own entry points raise ParamValidationError, which never holds input.
        """
        if not _foreign_use(cls, handler):
            return handler(source)
        _guard_root_of(handler)
        return _foreign_schema(cls)

    @classmethod
    def model_rebuild(cls, *args: Any, **kwargs: Any) -> bool | None:
        """pydantic's rebuild; a forced one replaces the class's validator, so the hiding wrapper
        (see :meth:`__pydantic_on_complete__`) is put back around the new one."""
        result = super().model_rebuild(*args, **kwargs)
        if cls.__pydantic_complete__:
            cls.__pydantic_on_complete__()
        return result

    @classmethod
    def __pydantic_on_complete__(cls) -> None:
        """Once pydantic has built the class: its ``__pydantic_validator__`` becomes one whose
        errors hold no input.

        ``TypeAdapter(Address)`` uses that attribute as it is, without asking the class for a
        schema, so only the validator itself can hide what it raises. The SDK's own entry points
        use the class's real validator (see :func:`_own_validator`): their errors become
        ParamValidationError, and need the real locations for "did you mean".
        """
        validator = cls.__dict__.get("__pydantic_validator__")
        if validator is not None and not isinstance(validator, _HidingValidator):
            type.__setattr__(cls, "__cp_validator__", validator)
            type.__setattr__(cls, "__pydantic_validator__", _HidingValidator(cls, validator))

    def __eq__(self, other: object) -> bool:
        """Same class, same member values, same unknown members.

        Unlike pydantic's own ``__eq__``, which members were set explicitly and the response
        metadata do not count, and "no unknown members" is the same whether the validator
        recorded it as ``None`` (built here) or ``{}`` (parsed): pydantic 2.11 tells them apart.
        """
        if not isinstance(other, BaseModel):
            return NotImplemented
        return (
            type(self) is type(other)
            and self.__dict__ == other.__dict__
            and (self.__pydantic_extra__ or None) == (other.__pydantic_extra__ or None)
            and _raw_members(self) == _raw_members(other)
        )

    __hash__ = None  # type: ignore[assignment]

    # -- required members (docs/design.md, "Required response members") ------------------------
    # A present member is a plain instance attribute (no descriptor, no __getattribute__). One
    # the model requires but a parsed response lacked, sent as null or with an unexpected type
    # is not in __dict__, so Python's lookup falls through to __getattr__, which raises
    # MissingMemberError. It is hidden from type checkers, which must not think every attribute
    # exists.
    if not typing.TYPE_CHECKING:

        def __getattr__(self, name: str) -> Any:
            info = getattr(type(self), "__cp__", None)
            if info is not None and name in info.wire:
                raw = _raw_members(self).get(name)
                if raw is not None:
                    raise MissingMemberError(
                        info.name, info.wire[name], name, MissingMemberError.UNEXPECTED_TYPE, type(raw.value).__name__
                    )
                raise MissingMemberError(info.name, info.wire[name], name)
            return super().__getattr__(name)

    def _cp_settle(self, _context: Any = None) -> None:
        """Lenient parsing's last step (pydantic-core's ``post_init``), for classes with required
        members: a required member that is ``None`` (absent, or JSON null) leaves ``__dict__``;
        one held in a RawValue moves to the private storage, where ``to_boto()``, ``==``, copies
        and pickle still find it."""
        values = vars(self)  # self.__dict__, which type checkers take for the class's mapping proxy
        raw: dict[str, RawValue] | None = None
        for name in _required_members(type(self)):
            value = values.get(name)
            if value is None:  # absent and null read alike
                values.pop(name, None)
                self.__pydantic_fields_set__.discard(name)
            elif type(value) is RawValue:
                del values[name]
                if raw is None:
                    raw = {}
                raw[name] = value
        if raw:
            private = self.__pydantic_private__
            object.__setattr__(self, "__pydantic_private__", {**(private or {}), _RAW_KEY: raw})

    def _cp_share(self, table: Any = None) -> None:
        """The sharing validator's ``post_init`` (:func:`_sharing_validator`): a model whose set of
        members set equals one already seen in the same parse takes that one, and its own is freed.

        ``table`` is the parse's own dict (the validation context), from ``(class, frozenset of
        names)`` and from each class (its last set) to the shared set. It holds member names only,
        never values, and lives as long as the parse. Shared sets are safe because a model gets
        its own copy before any assignment or deletion (:func:`_own_bookkeeping`).
        """
        if type(table) is not dict:
            return
        fields = self.__pydantic_fields_set__
        cls = type(self)
        last = table.get(cls)
        if last is not None and last == fields:  # the common case: siblings sent the same members
            object.__setattr__(self, "__pydantic_fields_set__", last)
            return
        key = (cls, frozenset(fields))
        shared = table.get(key)
        if shared is None:
            table[key] = shared = fields
        else:
            object.__setattr__(self, "__pydantic_fields_set__", shared)
        table[cls] = shared

    # -- strict-only checks (stripped from the lenient validator) ---------------------------
    @model_validator(mode="after")
    def _cp_checks(self) -> Self:
        info = type(self).__cp__
        if info.union:
            values = self.__dict__
            count = sum(1 for name in info.wire if values.get(name) is not None)
            if count != 1:
                raise PydanticCustomError(
                    "cp_union",
                    "exactly one member of this union must be set, found {count}",
                    {"count": count},
                )
        try:
            rules.check(info.name, self)
        except rules.RuleViolation as violation:
            raise PydanticCustomError(
                "cp_rule",
                "{message}",
                {"rule": violation.rule, "path": violation.path, "message": violation.message},
            ) from None
        return self

    # -- wire conversion -----------------------------------------------------------------------
    def to_boto(self) -> dict[str, Any]:
        """Return the wire-named dict boto3 expects.

        Members that are unset (``None``) are omitted; every other value is kept, including ``""``,
        unknown members read from a response, and :class:`RawValue` contents.
        """
        out: dict[str, Any] = {}
        values = self.__dict__
        private = self.__pydantic_private__
        raw = _raw_members(self) if private and _RAW_KEY in private else None
        for name, wire in type(self).__cp__.wire.items():
            value = values.get(name)
            if value is not None:
                out[wire] = value if type(value) in _PLAIN else _dump(value)
            elif raw and name in raw:  # a required member that arrived with an unexpected type
                out[wire] = raw[name].value
        extra = self.__pydantic_extra__
        if extra:
            for key, value in extra.items():
                if value is not None and key not in out:
                    out[key] = _dump(value)
        return out

    def to_dict(self) -> dict[str, Any]:
        """Alias of :meth:`to_boto`."""
        return self.to_boto()

    def to_json(self, **kwargs: Any) -> str:
        """Serialize :meth:`to_boto` to JSON; timestamps become ISO 8601 strings."""
        return json.dumps(self.to_boto(), default=_json_default, **kwargs)

    @classmethod
    def from_boto(cls, data: Any) -> Self:
        """Parse a wire-named dict leniently, as a response is parsed.

        Never raises for unknown members, unknown enum values, constraint breaches, omitted
        members or values of an unexpected type; everything received is kept and survives
        :meth:`to_boto`. Raises :class:`ResponseParseError` only if ``data`` is not a mapping.
        """
        data, unreadable = _readable_part(data)
        return _keeping(_lenient(cls, lambda: _lenient_validator(cls).validate_python(data)), unreadable)

    @classmethod
    def from_boto_json(cls, data: str | bytes | bytearray) -> Self:
        """Like :meth:`from_boto`, from a JSON document (wire names)."""
        return _lenient(cls, lambda: _lenient_validator(cls).validate_json(data))

    @classmethod
    def from_wire(cls, data: Any) -> Self:
        """Like :meth:`from_boto`, but only wire names are members.

        A key spelled like a Python attribute name (``domain_name``) is an unknown member here,
        kept as it came, as it is when the client parses a response body.
        """
        data, unreadable = _readable_part(data)
        validate = _lenient_validator(cls).validate_python
        return _keeping(_lenient(cls, lambda: validate(data, by_alias=True, by_name=False)), unreadable)

    # -- display -------------------------------------------------------------------------------
    def __repr_args__(self) -> typing.Iterator[tuple[str | None, Any]]:
        """What repr(), str(), rich and devtools show: sensitive members as ``<redacted>``, and a
        bounded view of the rest (long texts cut, at most :data:`REPR_ITEMS` list items, map
        entries and unknown members, then "... and N more")."""
        info = type(self).__cp__
        values = self.__dict__
        raw = _raw_members(self)
        required = _required_members(type(self))
        for name in info.wire:
            value = values.get(name)
            if value is None and name not in values:
                # A required member that is absent, or kept aside with an unexpected type.
                value = raw.get(name, MISSING if name in required else None)
            if value is None:
                continue
            if value is MISSING:
                yield name, value
                continue
            if name in info.sensitive:
                yield name, REDACTED
            elif type(value) in _SHOWN_AS_IS or (type(value) is str and len(value) <= REPR_TEXT) or (
                type(value) is int and value.bit_length() <= _REPR_INT_BITS
            ):
                yield name, value
            elif isinstance(value, str | int | list | dict):
                yield name, _Shown(value)
            else:
                yield name, value
        extra = self.__pydantic_extra__
        if extra:
            # Unknown members may carry personal data that the model cannot classify.
            shown = more = 0
            for key, value in extra.items():
                if value is None:
                    continue
                if shown < REPR_ITEMS:
                    shown += 1
                    yield _shown_name(key), REDACTED
                else:
                    more += 1
            if more:
                yield None, _More(more, "unknown members")

    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        """pydantic's dump, with serializer warnings off (they print values).

        Prefer :meth:`to_boto`: it is the wire form and includes unknown members.
        """
        kwargs.setdefault("warnings", False)
        kwargs.setdefault("fallback", _unwrap_raw)
        return super().model_dump(**kwargs)

    def model_dump_json(self, **kwargs: Any) -> str:
        """pydantic's JSON dump, with serializer warnings off (they print values)."""
        kwargs.setdefault("warnings", False)
        kwargs.setdefault("fallback", _unwrap_raw)
        return super().model_dump_json(**kwargs)


#: Key, in pydantic's per-instance private storage, of the required members that arrived with an
#: unexpected type: {Python name: RawValue}.
_RAW_KEY = "_cp_raw_required"
#: Python names of the members each class requires (in the model), filled on first use.
_REQUIRED: dict[type[Shape], tuple[str, ...]] = {}


def _required_members(cls: type[Shape]) -> tuple[str, ...]:
    """The Python names of the members the service model marks as required in ``cls``.

    The generator declares exactly these without a default (input and output shapes alike).
    """
    names = _REQUIRED.get(cls)
    if names is None:
        names = tuple(name for name, info in cls.model_fields.items() if info.is_required())
        _REQUIRED[cls] = names
    return names


def _raw_members(shape: BaseModel) -> dict[str, RawValue]:
    """The required members of ``shape`` kept aside with an unexpected type (and not assigned since)."""
    try:
        private = object.__getattribute__(shape, "__pydantic_private__")
    except AttributeError:  # an object not initialised by pydantic
        return {}
    raw = private.get(_RAW_KEY) if private else None
    if not raw:
        return {}
    values = shape.__dict__
    return {name: value for name, value in raw.items() if name not in values}


# Values that to_boto passes on as they are (enum members are str subclasses, so not listed).
_PLAIN = frozenset({str, int, float, bool, datetime})


def _dump(value: Any) -> Any:
    if isinstance(value, Shape):
        return value.to_boto()
    if isinstance(value, list):
        return [_dump(item) for item in value]
    if isinstance(value, dict):
        return {_dump(key): _dump(item) for key, item in value.items()}
    if isinstance(value, RawValue):
        return value.value
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _unwrap_raw(value: Any) -> Any:
    if isinstance(value, RawValue):
        return value.value
    raise TypeError(f"{type(value).__name__} is not serializable")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


_S = typing.TypeVar("_S", bound=Shape)


def _translated(
    cls: type[Shape], call: Callable[[], Any], error: type[ParamValidationError | ResponseParseError]
) -> Any:
    """Run a validation; turn pydantic's error into ``error`` (an SDK error without input).

    The new error is raised outside the ``except`` block, so the pydantic error (whose
    ``errors()`` carry input values) is not chained to it as ``__context__``.
    """
    try:
        return call()
    except ValidationError as exc:
        problems = _problems(cls, exc)
    raise error(cls.__cp__.name, problems)


def _strict(cls: type[_S], call: Callable[[], Any]) -> _S:
    """Strict validation: failures raise ParamValidationError."""
    return typing.cast(_S, _translated(cls, call, ParamValidationError))


def validate_request(cls: type[_S], data: Any) -> _S:
    """``cls.model_validate(data)`` for an input shape, without pydantic's Python-level wrapper.

    The client calls this once per request; failures raise ParamValidationError as usual.
    """
    return _strict(cls, lambda: _own_validator(cls).validate_python(data))


def _own_validator(cls: type[Shape]) -> Any:
    """The class's real validator (not the :class:`_HidingValidator` pydantic's users get)."""
    validator = cls.__dict__.get("__cp_validator__")
    if validator is None:
        if not cls.__pydantic_complete__:
            cls.model_rebuild(raise_errors=True)
        validator = cls.__dict__.get("__cp_validator__", cls.__pydantic_validator__)
    return validator


#: True while an SDK entry point validates through pydantic's own methods (``model_validate``):
#: the class's errors then reach the SDK's translation with their real locations.
_OWN_ERRORS: contextvars.ContextVar[bool] = contextvars.ContextVar("cp_own_errors", default=False)


def _with_own_errors(call: Callable[[], Any]) -> Callable[[], Any]:
    """``call``, run with :data:`_OWN_ERRORS` set."""

    def run() -> Any:
        token = _OWN_ERRORS.set(True)
        try:
            return call()
        finally:
            _OWN_ERRORS.reset(token)

    return run


class _HidingValidator:
    """An SDK class's ``__pydantic_validator__``: its real validator, whose errors are raised
    again without input (as :func:`_without_input` does), except for the SDK's own calls.

    Everything else (``validate_assignment``, ``title``, ...) is the real validator's.
    """

    __slots__ = ("_cls", "_cp_validator")

    def __init__(self, cls: type[Shape], validator: Any) -> None:
        self._cls = cls
        self._cp_validator = validator

    @property
    def __pydantic_schema_validator__(self) -> Any:
        # pydantic-core reuses a complete class's validator when another schema holds the class
        # (the SDK's own nesting): it gets the real one.
        return getattr(self._cp_validator, "__pydantic_schema_validator__", self._cp_validator)

    def _run(self, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        try:
            return getattr(self._cp_validator, method)(*args, **kwargs)
        except ValidationError as exc:
            if _OWN_ERRORS.get():
                raise
            error = _without_input(self._cls, exc)
        raise error

    def validate_python(self, *args: Any, **kwargs: Any) -> Any:
        return self._run("validate_python", args, kwargs)

    def validate_json(self, *args: Any, **kwargs: Any) -> Any:
        return self._run("validate_json", args, kwargs)

    def validate_strings(self, *args: Any, **kwargs: Any) -> Any:
        return self._run("validate_strings", args, kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cp_validator, name)

    def __repr__(self) -> str:
        return f"<validator of {self._cls.__name__}, errors without input>"


def _readable_part(data: Any) -> tuple[Any, dict[str, Any] | None]:
    """``data`` without its member names that are not Unicode text (a lone surrogate, which JSON
    allows as ``"\\ud800"``), and those members apart. pydantic-core cannot look such a name up
    and would refuse the whole document; it is never a model's name, so it is an unknown member.
    Nested ones need nothing: the structure that holds one is kept whole as a ``RawValue``."""
    if not isinstance(data, dict):
        return data, None
    unreadable: dict[str, Any] | None = None
    for key in data:
        if isinstance(key, str) and not key.isascii():
            try:
                key.encode("utf-8")
            except UnicodeEncodeError:
                if unreadable is None:
                    unreadable = {}
                unreadable[key] = data[key]
    if unreadable is None:
        return data, None
    return {key: value for key, value in data.items() if key not in unreadable}, unreadable


def _keeping(result: _S, unreadable: dict[str, Any] | None) -> _S:
    """``result`` with the members :func:`_readable_part` set apart put back as unknown members."""
    if unreadable:
        extra = result.__pydantic_extra__
        if extra is None:
            extra = {}
            object.__setattr__(result, "__pydantic_extra__", extra)
        extra.update(unreadable)
    return result


def _lenient(cls: type[_S], call: Callable[[], Any]) -> _S:
    """Lenient validation: the only possible failure is an unusable document."""
    return typing.cast(_S, _translated(cls, call, ResponseParseError))


def _positional(model: Shape, args: tuple[Any, ...]) -> TypeError:
    """Python's own message would name the base class's ``__init__``; this names the model."""
    count = len(args)
    return TypeError(
        f"{type(model).__name__}() takes keyword arguments only ({count} positional argument"
        f"{'s' if count != 1 else ''} given)"
    )


class InputShape(Shape):
    """A shape reachable from some operation's input: strict on construction and assignment."""

    model_config = ConfigDict(validate_assignment=True)

    def __init__(self, /, *args: Any, **data: Any) -> None:
        """Build the model from keyword arguments (Python or wire names), checking every rule.

        Nested members take models or plain dicts. A broken rule raises
        :class:`~customer_profiles_sdk.errors.ParamValidationError`, which names each field path and
        rule but never a value. It is not pydantic's error class (whose ``errors()`` would carry
        the input), and is never chained to one.
        """
        if args:
            raise _positional(self, args)
        _strict(type(self), lambda: _own_validator(type(self)).validate_python(data, self_instance=self))

    # Tell pydantic this __init__ only validates, so nested models are validated inside the
    # parent's schema instead of through __init__ (and errors keep their nested locations).
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    def __setattr__(self, name: str, value: Any) -> None:
        # pydantic writes the new value before the model-level checks (union, documented rules)
        # run, and moves unknown members into __dict__: keep a snapshot to restore on failure,
        # and put unknown members back afterwards.
        state = (dict(self.__dict__), set(self.__pydantic_fields_set__), self.__pydantic_extra__)
        try:
            super().__setattr__(name, value)
        except ValidationError as exc:
            problems = _problems(type(self), exc)
        else:
            extra = state[2]
            if extra:
                for key in extra:
                    vars(self).pop(key, None)  # self.__dict__ (typed as the instance's dict)
                object.__setattr__(self, "__pydantic_extra__", extra)
            return
        object.__setattr__(self, "__dict__", state[0])
        object.__setattr__(self, "__pydantic_fields_set__", state[1])
        object.__setattr__(self, "__pydantic_extra__", state[2])
        raise ParamValidationError(type(self).__cp__.name, problems)

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        """Validate a dict (Python or wire names) or a model as strictly as the constructor; a broken rule raises
        :class:`~customer_profiles_sdk.errors.ParamValidationError` (never pydantic's error class,
        whose ``errors()`` would carry the input).
        """
        return _strict(cls, _with_own_errors(lambda: super(InputShape, cls).model_validate(obj, *args, **kwargs)))

    @classmethod
    def model_validate_json(cls, json_data: Any, *args: Any, **kwargs: Any) -> Self:
        """Validate a JSON document as strictly as the constructor; a broken rule raises
        :class:`~customer_profiles_sdk.errors.ParamValidationError` (never pydantic's error class,
        whose ``errors()`` would carry the input).
        """
        validate = super().model_validate_json
        return _strict(cls, _with_own_errors(lambda: validate(json_data, *args, **kwargs)))

    @classmethod
    def model_validate_strings(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        """Validate a dict of strings as strictly as the constructor; a broken rule raises
        :class:`~customer_profiles_sdk.errors.ParamValidationError` (never pydantic's error class,
        whose ``errors()`` would carry the input).
        """
        validate = super().model_validate_strings
        return _strict(cls, _with_own_errors(lambda: validate(obj, *args, **kwargs)))


class OutputShape(Shape):
    """A shape only ever received from the service: lenient on construction and validation."""

    def __init__(self, /, *args: Any, **data: Any) -> None:
        """Build the model leniently: unknown members and values of an unexpected type are kept.

        Only an unusable document raises, as
        :class:`~customer_profiles_sdk.errors.ResponseParseError`; pydantic's error class is never
        raised, and no error text holds a value.
        """
        if args:
            raise _positional(self, args)
        _lenient(type(self), lambda: _lenient_validator(type(self)).validate_python(data, self_instance=self))

    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        """Parse a dict leniently, as the constructor does; only an unusable document raises, as
        :class:`~customer_profiles_sdk.errors.ResponseParseError` (never pydantic's error class).
        """
        context = kwargs.get("context")
        obj, unreadable = _readable_part(obj)
        validate = _lenient_validator(cls).validate_python
        return _keeping(_lenient(cls, lambda: validate(obj, context=context)), unreadable)

    @classmethod
    def model_validate_json(cls, json_data: Any, *args: Any, **kwargs: Any) -> Self:
        """Parse a JSON document leniently, as the constructor does; only an unusable document raises, as
        :class:`~customer_profiles_sdk.errors.ResponseParseError` (never pydantic's error class).
        """
        context = kwargs.get("context")
        return _lenient(cls, lambda: _lenient_validator(cls).validate_json(json_data, context=context))

    @classmethod
    def model_validate_strings(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        """Parse a dict of strings leniently, as the constructor does; only an unusable document raises, as
        :class:`~customer_profiles_sdk.errors.ResponseParseError` (never pydantic's error class).
        """
        context = kwargs.get("context")
        return _lenient(cls, lambda: _lenient_validator(cls).validate_strings(obj, context=context))


_METADATA = "_cp_response_metadata"


class ResponseShape(OutputShape):
    """The output of an operation, as returned by the client.

    Besides the members, it carries :attr:`response_metadata` (request id, HTTP status, retry
    attempts, headers) when it came from a client call. The metadata takes no part in equality,
    ``to_boto()`` or dumps.
    """

    # The metadata lives in pydantic's per-instance private storage (copied by model_copy, kept by
    # pickle) without declaring a PrivateAttr: a declared one makes pydantic run a Python
    # post-init hook for every instance, which costs more than the rest of a small call's parse.

    @property
    def response_metadata(self) -> ResponseMetadata | None:
        """botocore's metadata of the call, or ``None`` if this object did not come from a call."""
        private = self.__pydantic_private__
        return typing.cast("ResponseMetadata | None", private.get(_METADATA) if private else None)

    def _set_response_metadata(self, value: ResponseMetadata | None) -> None:
        private = self.__pydantic_private__
        # Merged: the private storage may also hold required members kept aside (Shape._cp_settle).
        object.__setattr__(self, "__pydantic_private__", {**(private or {}), _METADATA: value})



# ---------------------------------------------------------------------------------------------
# The lenient validator, derived from the strict core schema.
# ---------------------------------------------------------------------------------------------

# cache_strings="keys": pydantic-core's default keeps up to 16,384 short strings read from JSON
# in a process-wide cache, so names and e-mail addresses from responses would outlive the
# responses. Only member names and map keys are cached (about 10% slower on large responses).
_LENIENT_CONFIG: core_schema.CoreConfig = {"hide_input_in_errors": True, "cache_strings": "keys"}
_LENIENT: dict[type[Shape], SchemaValidator] = {}
_TYPED: dict[type[Shape], SchemaValidator] = {}
_LENIENT_LOCK = threading.Lock()
# Constraint keys removed for lenient parsing. "strict" stays: lenient parsing must not coerce
# ("30" stays "30", inside a RawValue, instead of becoming 30).
_CONSTRAINT_KEYS = ("min_length", "max_length", "pattern", "ge", "le", "gt", "lt")
# Node types that are kept as they came, in a RawValue, when they do not validate.
_FALLBACK_TYPES = frozenset(
    {"str", "int", "float", "bool", "list", "dict", "model", "datetime", "function-after", "function-before",
     "definition-ref"}
)
# Keys whose values are not sub-schemas to transform.
_OPAQUE_KEYS = frozenset({"cls", "function", "metadata", "serialization", "expected", "members"})
_RAW: dict[str, Any] = {"type": "function-plain", "function": {"type": "no-info", "function": RawValue}}


def _with_fallback(schema: dict[str, Any], fallback: bool = True) -> dict[str, Any]:
    """``schema``, or a RawValue for what it refuses (unless ``fallback`` is off: the typed validator)."""
    return {"type": "union", "mode": "left_to_right", "choices": [schema, _RAW]} if fallback else schema


def _lenient_validator(cls: type[Shape]) -> SchemaValidator:
    return _cached_validator(cls, _LENIENT, fallback=True)


def _typed_validator(cls: type[Shape]) -> SchemaValidator:
    """The lenient validator without the RawValue fallbacks: it refuses any value of the wrong type.

    When it accepts a document, its result is exactly the lenient validator's (each fallback is
    the second choice of a left-to-right union whose first choice is what this one runs), and it
    is about 10% faster on large responses. When it refuses, the lenient validator runs.
    """
    return _cached_validator(cls, _TYPED, fallback=False)


def _cached_validator(cls: type[Shape], cache: dict[type[Shape], SchemaValidator], fallback: bool,
                      post_init: str | None = None) -> SchemaValidator:
    validator = cache.get(cls)
    if validator is not None:
        return validator
    with _LENIENT_LOCK:
        validator = cache.get(cls)
        if validator is None:
            schema = lenient_core_schema(cls, fallback=fallback)
            if not fallback:
                _check_extras_depth(schema, post_init)
            validator = SchemaValidator(typing.cast(core_schema.CoreSchema, schema), _LENIENT_CONFIG)
            cache[cls] = validator
    return validator


_SHARING: dict[type[Shape], SchemaValidator] = {}


def _sharing_validator(cls: type[Shape]) -> SchemaValidator:
    """The typed validator, with :meth:`Shape._cp_share` as every model's ``post_init``.

    pydantic-core gives each model its own set of the members it was sent: in a response of
    1,000 profiles those sets take more memory than all of botocore's dicts for the same answer,
    and they are a third of the objects the garbage collector then walks. Models of one class sent
    the same members share one set instead. The hook is a Python call per model, which costs more
    than it saves on smaller answers, so the client uses this validator only for bodies of at
    least ``_transport.SHARE_MIN_BYTES`` (docs/performance.md, "Memory").
    """
    return _cached_validator(cls, _SHARING, fallback=False, post_init="_cp_share")


#: The typed validator refuses an unknown member whose value nests lists and objects deeper than
#: this. Known members nest at most 10 levels in this service (tests/test_typed_failures.py checks
#: that they stay well under this), so a document the typed validator accepts nests at most
#: 10 + 32 levels: within the client's limit on response bodies (``_transport.MAX_BODY_DEPTH``,
#: 64) without scanning the body. A refused document goes to the scan, then the lenient validator.
UNKNOWN_MEMBER_DEPTH = 32


def _shallow(value: Any) -> Any:
    """The value of an unknown member, unchanged, if it nests at most UNKNOWN_MEMBER_DEPTH levels."""
    if isinstance(value, list | dict):
        stack: list[tuple[Any, int]] = [(value, 1)]
        while stack:  # iterative: the value may nest as deep as pydantic-core's reader allows
            item, depth = stack.pop()
            if depth > UNKNOWN_MEMBER_DEPTH:
                raise PydanticCustomError("cp_too_deep", "nested too deeply")
            for child in item.values() if isinstance(item, dict) else item:
                if isinstance(child, list | dict):
                    stack.append((child, depth + 1))
    return value


_SHALLOW_EXTRAS: dict[str, Any] = {"type": "function-plain", "function": {"type": "no-info", "function": _shallow}}


#: Only classes with more members than this get the sharing hook (:func:`_sharing_validator`). A
#: set of at most 4 names fits CPython's inline table (216 bytes); a fifth name makes it 728 bytes
#: or more. Sharing a small set saves 216 bytes for a Python call, which at 1,000 profiles cost
#: 10% of the parse for a sixth of the memory saved (docs/performance.md, "Memory").
SHARE_MIN_MEMBERS = 5


def _worth_sharing(cls: type[BaseModel]) -> bool:
    return len(cls.model_fields) >= SHARE_MIN_MEMBERS


def _check_extras_depth(schema: dict[str, Any], post_init: str | None = None) -> None:
    """Make every model of a (freshly built) lenient schema check its unknown members with
    :func:`_shallow`. It costs nothing on documents without unknown members. With ``post_init``,
    every model (in the definitions too) of a class with at least :data:`SHARE_MIN_MEMBERS`
    members also gets that method as its ``post_init``."""
    stack: list[Any] = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            if post_init is not None and node.get("type") == "model" and _worth_sharing(node["cls"]):
                node["post_init"] = post_init
            if node.get("type") == "model-fields":
                node["extras_schema"] = _SHALLOW_EXTRAS
                stack.extend(node["fields"].values())  # field names are user-facing, never nodes
                continue
            stack.extend(value for key, value in node.items() if key not in _OPAQUE_KEYS)


def lenient_validate_json(cls: type[_S], data: bytes, vet: Callable[[], None] | None = None,
                          share: bool = False) -> _S | None:
    """Lenient validation of a wire-named JSON document, or None if pydantic refuses it.

    Refusal means the document is not an object, or that pydantic-core's reader does not accept
    the text; the caller decides what to do. Nothing about the input is returned.

    The typed validator runs first; what it accepts nests at most ``10 + UNKNOWN_MEMBER_DEPTH``
    levels. Only when it refuses, ``vet`` (if given) is called, outside any ``except`` block, so
    an exception it raises chains nothing; then the lenient validator runs.
    """
    try:
        if share:  # equal sets of members set are shared (see _sharing_validator)
            return typing.cast(_S, _sharing_validator(cls).validate_json(data, by_alias=True, by_name=False,
                                                                         context={}))
        return typing.cast(_S, _typed_validator(cls).validate_json(data, by_alias=True, by_name=False))
    except ValidationError:
        pass
    if vet is not None:
        vet()
    try:
        return typing.cast(_S, _lenient_validator(cls).validate_json(data, by_alias=True, by_name=False))
    except ValidationError:
        return None


def lenient_core_schema(cls: type[Shape], *, fallback: bool = True) -> dict[str, Any]:
    """Return the lenient core schema of ``cls`` (for tests and diagnostics).

    ``fallback=False`` leaves out the RawValue fallbacks (see :func:`_typed_validator`).
    """
    if not cls.__pydantic_complete__:
        cls.model_rebuild(raise_errors=True)
    return _lenient_schema(cls.__pydantic_core_schema__, root=True, fallback=fallback)  # type: ignore[no-any-return]


def _is_strict_check(node: Mapping[str, Any]) -> bool:
    function = node.get("function", {}).get("function")
    return getattr(function, "__name__", None) == "_cp_checks"


def _lenient_schema(node: Any, root: bool = False, fallback: bool = True) -> Any:
    if isinstance(node, list):
        return [_lenient_schema(item, fallback=fallback) for item in node]
    if not isinstance(node, dict):
        return node
    kind = node.get("type")
    if kind == "function-after" and _is_strict_check(node):
        inner = _lenient_schema(node["schema"], root=root, fallback=fallback)
        return {**inner, "ref": node["ref"]} if "ref" in node else inner
    if kind == "definitions":
        # Shared sub-schemas: each definition keeps its "ref" at the top (never wrapped); the
        # places that refer to them ("definition-ref") get the fallback instead.
        return {
            **node,
            "schema": _lenient_schema(node["schema"], root=root, fallback=fallback),
            "definitions": [_lenient_schema(item, root=True, fallback=fallback) for item in node["definitions"]],
        }
    if kind == "function-before" and node.get("function", {}).get("function") is _epoch_seconds:
        # A timestamp: read as botocore reads it; anything unreadable is kept by the fallback.
        new = {**node, "function": {"type": "no-info", "function": _wire_timestamp},
               "schema": _lenient_schema(node["schema"], fallback=fallback)}
        return new if root else _with_fallback(new, fallback)
    if kind == "function-before" and node.get("function", {}).get("function") in (_input_int, _input_float):
        # An integer or float member: see _lenient_number.
        return _lenient_number(node, fallback)
    if kind == "function-before" and node.get("function", {}).get("function") is _enum_value:
        # An enum: any string is kept as it came.
        return _with_fallback({"type": "str", "strict": True}, fallback)
    if kind == "model-fields":
        # Field names are user-facing (a member may be called "type" or "metadata"), so the
        # fields mapping is walked explicitly, never as a schema node.
        new = {key: value for key, value in node.items() if key != "fields"}
        new["extra_behavior"] = "allow"
        fields = {}
        for name, model_field in node["fields"].items():
            model_field = dict(model_field)
            inner = _lenient_schema(model_field["schema"], fallback=fallback)
            if model_field["schema"].get("type") != "default" and fallback:
                # A required member: absent or null parses (to None, which the model's post_init,
                # Shape._cp_settle, then removes). The typed validator refuses both instead, so a
                # response lacking one takes the lenient validator's path.
                inner = {"type": "default", "default": None, "schema": {"type": "nullable", "schema": inner}}
            model_field["schema"] = inner
            fields[name] = model_field
        new["fields"] = fields
        return new
    new = {
        key: (value if key in _OPAQUE_KEYS else _lenient_schema(value, fallback=fallback))
        for key, value in node.items()
    }
    if kind in ("str", "int", "float", "bool", "list", "dict", "set", "datetime"):
        for key in _CONSTRAINT_KEYS:
            new.pop(key, None)
    elif kind == "model":
        new["config"] = {
            **new.get("config", {}),
            "extra_fields_behavior": "allow",
            "revalidate_instances": "never",
        }
        if fallback and _required_members(new["cls"]):
            new["post_init"] = "_cp_settle"
    if kind in _FALLBACK_TYPES and not root:
        return _with_fallback(new, fallback)
    return new


# ---------------------------------------------------------------------------------------------
# Error translation: pydantic locations -> wire paths, no input values.
# ---------------------------------------------------------------------------------------------

UNKNOWN_MEMBER = "<unknown member>"
MAP_KEY = "<key>"


def _unwrap(tp: Any) -> Any:
    while True:
        origin = typing.get_origin(tp)
        if origin is Annotated:
            tp = typing.get_args(tp)[0]
            continue
        if origin is typing.Union or origin is types.UnionType:
            args = [arg for arg in typing.get_args(tp) if arg is not type(None)]
            if len(args) == 1:
                tp = args[0]
                continue
            return None  # an enum union or similar leaf
        return tp


@dataclass
class _Location:
    path: str = ""
    #: For an unknown member: the known member it most likely misspells, if any.
    suggestion: str | None = None
    #: For a member given twice (Python name and wire name): the Python name.
    duplicate_of: str | None = None
    #: True when a "did you mean" search ran (found or not): :func:`_problems` budgets them.
    searched: bool = False


#: "Did you mean" searches per validation error: each costs a difflib comparison with every member
#: name, so 50,000 unknown members would otherwise take seconds.
_MAX_SUGGESTIONS = 20
#: Unknown names longer than this get no suggestion: difflib is quadratic in the name's length,
#: and a member name is at most a few dozen characters, so a long key misspells none of them.
_MAX_SUGGESTION_INPUT = 100


def _locate(cls: type[Shape], loc: tuple[int | str, ...], suggest: bool = True) -> _Location:
    """Translate a pydantic error location into a wire path.

    Map keys and unknown member names come from the input, so they are never written out.
    ``suggest=False`` skips the "did you mean" search for an unknown member.
    """
    where = _Location()
    tp: Any = cls
    after_map_key = False
    for index, item in enumerate(loc):
        if after_map_key and item == "[key]":
            # pydantic's marker that the preceding map key itself is invalid.
            where.path += " (map key)"
            tp = None
            after_map_key = False
            continue
        after_map_key = False
        current = _unwrap(tp)
        origin = typing.get_origin(current)
        if isinstance(current, type) and issubclass(current, Shape):
            if not isinstance(item, str):
                continue
            info = current.__cp__
            by_alias = info.by_wire.get(item)
            name = by_alias if by_alias is not None else (item if item in info.wire else None)
            last = index == len(loc) - 1
            if name is None:
                where.path += ("." if where.path else "") + UNKNOWN_MEMBER
                if last and suggest and len(item) <= _MAX_SUGGESTION_INPUT:
                    where.searched = True
                    close = difflib.get_close_matches(item, list(info.wire.values()), n=1, cutoff=0.75)
                    where.suggestion = close[0] if close else None
                tp = None
                continue
            if last and by_alias is None and item in info.wire and item != info.wire[name]:
                where.duplicate_of = item
            where.path += ("." if where.path else "") + info.wire[name]
            tp = current.model_fields[name].annotation
        elif origin is list:
            if isinstance(item, int):
                where.path += f"[{item}]"
                tp = typing.get_args(current)[0]
        elif origin is dict:
            where.path += f"[{MAP_KEY}]"
            tp = typing.get_args(current)[1]
            after_map_key = True
    return where


# pydantic error kinds whose message is a fixed template over constraints, never the input.
_SAFE_KINDS = frozenset(
    set(_RULE_NAMES)
    | {"json_invalid", "json_type", "datetime_object_invalid", "datetime_from_date_parsing",
       "int_from_float", "model_attributes_type", "union_tag_invalid", "cp_timestamp_range"}
)


def _safe_message(kind: str) -> bool:
    return kind in _SAFE_KINDS or kind.endswith(("_type", "_parsing"))


class _Problems(list[Problem]):
    """The problems translated from one pydantic error, and ``total``: how many it had in all.

    :class:`~customer_profiles_sdk.errors.ParamValidationError` reads ``total`` for its count.
    """

    total: int = 0


def _problems(cls: type[Shape], exc: ValidationError) -> list[Problem]:
    """Translate pydantic's errors: the first ``MAX_KEPT_PROBLEMS`` of them, and the full count.

    The cost is linear in the number of errors; at most ``_MAX_SUGGESTIONS`` "did you mean"
    searches run, each on a name of at most ``_MAX_SUGGESTION_INPUT`` characters.
    """
    from .errors import MAX_KEPT_PROBLEMS

    problems = _Problems()
    problems.total = exc.error_count()
    searches = 0
    for error in exc.errors(include_url=False, include_input=False, include_context=True):
        if len(problems) >= MAX_KEPT_PROBLEMS:
            break
        where = _locate(cls, error["loc"], suggest=searches < _MAX_SUGGESTIONS)
        searches += where.searched
        path = where.path
        kind = error["type"]
        context = error.get("ctx") or {}
        if kind == "cp_rule":
            rule = str(context["rule"])
            relative = str(context["path"])
            if relative:
                path = f"{path}.{relative}" if path else relative
            message = str(context["message"])
        elif kind == "extra_forbidden" and where.duplicate_of:
            rule = "unknown_member"
            message = f"given twice, as {where.duplicate_of!r} and by its wire name; give it once"
        elif kind == "extra_forbidden":
            rule = "unknown_member"
            message = "not a member of this shape"
            if where.suggestion:
                message += f" (did you mean {where.suggestion!r}?)"
        elif kind == "no_such_attribute":
            rule = "unknown_member"
            message = "not a member of this shape"
        elif _safe_message(kind):
            rule = _RULE_NAMES.get(kind, "type")
            message = error["msg"]
        else:
            # Messages of other error kinds may quote the input (e.g. an exception's text).
            rule = _RULE_NAMES.get(kind, "type")
            message = f"invalid value (pydantic error type {kind!r})"
        problems.append(Problem(path=path, rule=rule, message=message))
    return problems


# ---------------------------------------------------------------------------------------------
# SDK shapes inside the caller's own pydantic schemas: errors without input values.
# ---------------------------------------------------------------------------------------------

#: What ``input`` holds in errors raised for an SDK shape validated inside a foreign schema.
HIDDEN_INPUT = "<redacted>"
#: Error context keys whose values are constraints or SDK-written text, never input.
_SAFE_CONTEXT_KEYS = frozenset(
    {"min_length", "max_length", "ge", "gt", "le", "lt", "multiple_of", "expected", "pattern",
     "class_name", "field_type", "actual_length", "count", "rule", "path", "message", "error"}
)
_KNOWN_ERROR_TYPES = frozenset(typing.get_args(core_schema.ErrorType))


def _foreign_use(cls: type[Shape], handler: GetCoreSchemaHandler) -> bool:
    """True when ``cls``'s schema is being built into a schema that is not an SDK shape's own.

    pydantic builds a class's own schema with the class's own config and no enclosing model; a
    shape used as a field of another shape has that shape on the model stack. Anything else (a
    model, dataclass or TypedDict of the caller's, a TypeAdapter) is foreign. pydantic exposes
    neither fact publicly: if its internals change, every use counts as foreign, which hides
    more than needed but never less.
    """
    generator: Any = getattr(handler, "_generate_schema", None)
    try:
        outer = generator.model_type_stack.get()
        config = generator._config_wrapper.config_dict
    except AttributeError:
        return True
    if outer is None:
        return bool(config != cls.model_config)
    return not (isinstance(outer, type) and issubclass(outer, Shape))


#: Appended to every schema reference copied into a foreign schema (after the id, which pydantic
#: drops when it names JSON schema definitions, so the names stay ``Address`` and so on).
_FOREIGN_REF_SUFFIX = "-cp-hidden"
# Schema keys whose values are not sub-schemas to copy.
_SHARED_KEYS = frozenset({"cls", "function", "metadata"})


def _renamed_refs(node: Any) -> Any:
    """A copy of a core schema with every ``ref`` and ``schema_ref`` given the foreign suffix."""
    if isinstance(node, list):
        return [_renamed_refs(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("ref", "schema_ref") and isinstance(value, str):
            out[key] = value + _FOREIGN_REF_SUFFIX
        elif key in _SHARED_KEYS:
            out[key] = value
        else:
            out[key] = _renamed_refs(value)
    return out


def _foreign_schema(cls: type[Shape]) -> core_schema.CoreSchema:
    """``cls``'s own schema, wrapped so that its errors hold no input, for a foreign schema.

    The wrapper must sit at every place the class is used. pydantic reuses a definition once it
    knows its reference (without asking the class again), and the definitions of an SDK shape
    come along with any shape that contains it, so the copy's references are renamed: the
    foreign schema never learns the class's own reference, and asks again at each use.
    """
    if not cls.__pydantic_complete__:
        cls.model_rebuild(raise_errors=True)
    own = _renamed_refs(cls.__pydantic_core_schema__)
    if own["type"] == "definitions":
        root, definitions = own["schema"], list(own["definitions"])
    else:
        root, definitions = own, []
    guarded = core_schema.no_info_wrap_validator_function(
        _input_hider(cls), root, serialization=_quiet_serializer(cls, root)
    )
    ref = root.get("ref")
    if ref is None:
        return guarded if not definitions else core_schema.definitions_schema(guarded, definitions)
    # The wrapper takes the class's (renamed) reference: pydantic then treats it as it treats the
    # class's own schema (one JSON schema definition per class, named as usual).
    guarded["ref"] = ref
    guarded["schema"] = typing.cast(core_schema.CoreSchema, {key: value for key, value in root.items() if key != "ref"})
    return core_schema.definitions_schema(core_schema.definition_reference_schema(ref), [*definitions, guarded])


def _quiet_serializer(cls: type[Shape], root: core_schema.CoreSchema) -> core_schema.SerSchema:
    """How the class serializes inside a foreign schema: an instance exactly as on its own; any
    other value (a dict put in by ``model_construct`` or ``model_copy(update=...)``) as it is.

    pydantic would serialize such a value with a warning that quotes it (``input_value=...``),
    and the SDK model's data is personal.
    """

    def serialize(value: Any, handler: core_schema.SerializerFunctionWrapHandler) -> Any:
        return handler(value) if isinstance(value, cls) else value

    unreferenced = typing.cast(core_schema.CoreSchema, {key: value for key, value in root.items() if key != "ref"})
    return core_schema.wrap_serializer_function_ser_schema(serialize, schema=unreferenced)


def _input_hider(cls: type[Shape]) -> Callable[[Any, core_schema.ValidatorFunctionWrapHandler], Any]:
    def hide_sdk_input(value: Any, handler: core_schema.ValidatorFunctionWrapHandler) -> Any:
        try:
            return handler(value)
        except ValidationError as exc:
            error = _without_input(cls, exc)
        # Raised outside the except block: the original error (with input) is not chained.
        raise error

    hide_sdk_input.__qualname__ = f"hide_sdk_input[{cls.__name__}]"
    hide_sdk_input.__name__ = cls.__name__  # pydantic's label for it as a union branch
    hide_sdk_input._cp_hides_input = True  # type: ignore[attr-defined]
    return hide_sdk_input


def _safe_context(context: Mapping[str, Any] | None) -> bool:
    if not context:
        return True
    return all(
        key in _SAFE_CONTEXT_KEYS and isinstance(value, str | int | float | bool) for key, value in context.items()
    )


def _hidden_loc(cls: type[Shape], loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """``loc`` with map keys and unknown member names (both input) replaced by placeholders."""
    out: list[int | str] = []
    tp: Any = cls
    after_map_key = False
    for item in loc:
        if after_map_key and item == "[key]":
            out.append(item)
            tp = None
            after_map_key = False
            continue
        after_map_key = False
        current = _unwrap(tp)
        origin = typing.get_origin(current)
        if isinstance(current, type) and issubclass(current, Shape) and isinstance(item, str):
            info = current.__cp__
            name = info.by_wire.get(item)
            if name is None and item in info.wire:
                name = item
            if name is None:
                out.append(UNKNOWN_MEMBER)
                tp = None
                continue
            out.append(item)
            tp = current.model_fields[name].annotation
        elif origin is list and isinstance(item, int):
            out.append(item)
            tp = typing.get_args(current)[0]
        elif origin is dict:
            out.append(MAP_KEY)
            tp = typing.get_args(current)[1]
            after_map_key = True
        else:
            out.append(item if isinstance(item, int) else HIDDEN_INPUT)
            tp = None
    return tuple(out)


def _without_input(cls: type[Shape], exc: ValidationError) -> ValidationError:
    """``exc`` again, with every ``input`` hidden and input-derived ``loc`` items replaced.

    Error types, messages and constraint context are kept where they are fixed text; a message
    that may quote the input becomes a fixed one naming the pydantic error type.
    """
    return _rebuilt(cls.__name__, exc, lambda loc: _hidden_loc(cls, loc))


def _rebuilt(
    title: str, exc: ValidationError, relocate: Callable[[tuple[int | str, ...]], tuple[int | str, ...]]
) -> ValidationError:
    """``exc``'s errors under ``title``, each with ``loc`` passed through ``relocate``, no input,
    and a fixed message where pydantic's could quote the input."""
    known: list[Any] = []
    custom: list[Any] = []
    for error in exc.errors(include_url=False, include_input=False, include_context=True):
        kind = error["type"]
        context = error.get("ctx")
        loc = relocate(error["loc"])
        if (kind.startswith("cp_") or _safe_message(kind)) and _safe_context(context):
            message = error["msg"]
        else:
            message, context = f"invalid value (pydantic error type {kind!r})", None
        # pydantic-core's stubs ask for LiteralStrings (error type, message template); these texts
        # are pydantic's own (or the fixed one above), never the input. mypy reads LiteralString as
        # str, so a cast would be redundant for it: hence the pyright-only ignores.
        error_type = PydanticCustomError(kind, message, None)  # pyright: ignore[reportArgumentType]
        custom.append({"type": error_type, "loc": loc, "input": HIDDEN_INPUT})
        if kind in _KNOWN_ERROR_TYPES and message == error["msg"]:
            detail: dict[str, Any] = {"type": kind, "loc": loc, "input": HIDDEN_INPUT}
            if context:
                detail["ctx"] = context
        else:
            error_type = PydanticCustomError(kind, message, context)  # pyright: ignore[reportArgumentType]
            detail = {"type": error_type, "loc": loc, "input": HIDDEN_INPUT}
        known.append(detail)
    try:
        rebuilt = ValidationError.from_exception_data(title, known, hide_input=True)
    except (TypeError, KeyError, ValueError):
        # A known error type whose context pydantic would render differently: keep the texts.
        return ValidationError.from_exception_data(title, custom, hide_input=True)
    wanted = [detail["type"].message() for detail in custom]
    shown = [error["msg"] for error in rebuilt.errors(include_url=False, include_input=False)]
    if shown == wanted:
        return rebuilt
    # A message of the SDK's own under a pydantic error type ("finite_number" for NaN given to an
    # integer): pydantic would write its own template for the type instead.
    mixed = [k if msg == want else c for k, c, msg, want in zip(known, custom, shown, wanted, strict=True)]
    return ValidationError.from_exception_data(title, mixed, hide_input=True)


# -- the root of a foreign schema --------------------------------------------------------------
#
# The wrapper around the SDK shape only sees the shape's own errors. The schema around it (yours)
# raises errors whose input *contains* the shape's data: the other branches of a union
# (``Address | int`` given a dict: the ``int`` branch quotes the dict), a discriminated union's
# tag error, a list's length error, your model's ``missing`` error (its whole input). So every
# schema that an SDK shape is built into gets one more wrapper, at its root, that re-raises all
# of its errors without input, and with map keys and unknown member names of your own types
# replaced in ``loc`` as well.

#: Node types whose sub-schema errors carry no ``loc`` item of their own.
_PASS_THROUGH = frozenset(
    {"function-before", "function-after", "function-wrap", "nullable", "default", "model", "dataclass",
     "custom-error", "definitions", "json-or-python", "lax-or-strict", "chain"}
)


def _is_sdk_guard(node: Mapping[str, Any], marker: str = "_cp_hides_input") -> bool:
    """True for the wrapper around an SDK shape (or, with ``marker="_cp_root_guard"``, the one
    at the root of a foreign schema)."""
    function = node.get("function")
    return isinstance(function, Mapping) and getattr(function.get("function"), marker, False) is True


def _references(schema: Any) -> dict[str, Any]:
    """Every node of ``schema`` that carries a ``ref``, by reference (one iterative pass)."""
    found: dict[str, Any] = {}
    stack: list[Any] = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            ref = node.get("ref")
            if isinstance(ref, str):
                found.setdefault(ref, node)
            stack.extend(value for key, value in node.items() if key not in _OPAQUE_KEYS)
    return found


def _children(node: Mapping[str, Any]) -> list[Any]:
    """The sub-schemas of a pass-through node."""
    kind = node.get("type")
    if kind == "json-or-python":
        return [node.get("json_schema"), node.get("python_schema")]
    if kind == "lax-or-strict":
        return [node.get("lax_schema"), node.get("strict_schema")]
    if kind == "chain":
        return list(node.get("steps", ()))
    return [node.get("schema")]


def _field_names(fields: Any) -> set[Any]:
    """Names and validation aliases (first items of alias paths) of model, dataclass, TypedDict
    fields or function arguments."""
    items = fields.items() if isinstance(fields, Mapping) else ((f.get("name"), f) for f in fields)
    names: set[Any] = set()
    for name, spec in items:
        names.add(name)
        alias = spec.get("validation_alias", spec.get("alias"))
        for path in alias if isinstance(alias, list) else [alias]:
            names.add(path[0] if isinstance(path, list) and path else path)
    return names


def _field_schema(fields: Any, item: Any) -> Any:
    items = fields.items() if isinstance(fields, Mapping) else ((f.get("name"), f) for f in fields)
    for name, spec in items:
        alias = spec.get("validation_alias", spec.get("alias"))
        aliases = alias if isinstance(alias, list) else [alias]
        heads: set[Any] = set()
        for path in aliases:
            head: Any = path[0] if isinstance(path, list) and path else path
            heads.add(head)
        if item == name or item in heads:
            return spec.get("schema")
    return None


#: Cap on (schema node, loc position) pairs one error's location may visit: unions and chains
#: branch, and a location is only as long as the input nests.
_MAX_LOC_STEPS = 2_000


def _root_loc(
    schema: Any, references: Mapping[str, Any], loc: tuple[int | str, ...]
) -> tuple[int | str, ...]:
    """``loc`` with the items that come from the input (map keys, unknown member and keyword
    names) replaced, found by following the location through the schema along every branch.

    An item counts as input if any branch reads it so, or if no branch explains it (then a string
    is hidden: nothing is shown that the schema does not vouch for). Integers are indices.
    """
    hidden: dict[int, str] = {}
    explained: set[int] = set()
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[Any, int]] = [(schema, 0)]
    while stack and len(seen) < _MAX_LOC_STEPS:
        node, index = stack.pop()
        if index >= len(loc) or not isinstance(node, Mapping):
            continue
        key = (id(node), index)
        if key in seen:
            continue
        seen.add(key)
        kind = node.get("type")
        item = loc[index]
        if kind == "definition-ref":
            stack.append((references.get(node.get("schema_ref", "")), index))
        elif _is_sdk_guard(node):
            explained.update(range(index, len(loc)))  # the SDK wrapper already hid what it had to
        elif kind in _PASS_THROUGH:
            stack.extend((child, index) for child in _children(node))
        elif kind in ("model-fields", "typed-dict", "dataclass-args"):
            fields = node.get("fields", {})
            explained.add(index)
            if item in _field_names(fields):
                stack.append((_field_schema(fields, item), index + 1))
            else:
                hidden[index] = UNKNOWN_MEMBER
                stack.append((node.get("extras_schema"), index + 1))
        elif kind in ("arguments", "arguments-v3", "call"):
            arguments = node.get("arguments_schema", [])
            if kind == "call":
                stack.append((arguments, index))
                continue
            explained.add(index)
            if isinstance(item, int) and item < len(arguments):
                stack.append((arguments[item].get("schema"), index + 1))
            elif item in _field_names(arguments):
                stack.append((_field_schema(arguments, item), index + 1))
            else:
                if not isinstance(item, int):
                    hidden[index] = UNKNOWN_MEMBER
                stack.append((node.get("var_kwargs_schema", node.get("var_args_schema")), index + 1))
        elif kind == "dict":
            explained.add(index)
            hidden[index] = MAP_KEY
            if index + 1 < len(loc) and loc[index + 1] == "[key]":
                explained.add(index + 1)
                stack.append((node.get("keys_schema"), index + 2))
            stack.append((node.get("values_schema"), index + 1))
        elif kind in ("list", "set", "frozenset", "generator") and isinstance(item, int):
            explained.add(index)
            stack.append((node.get("items_schema"), index + 1))
        elif kind == "tuple" and isinstance(item, int):
            explained.add(index)
            items = node.get("items_schema", [])
            if items:
                stack.append((items[min(item, len(items) - 1)], index + 1))
        elif kind == "union":
            explained.add(index)  # a branch's label, written by pydantic
            for choice in node.get("choices", []):
                stack.append((choice[0] if isinstance(choice, tuple) else choice, index + 1))
        elif kind == "tagged-union":
            choices = node.get("choices", {})
            if item in choices:
                explained.add(index)
                stack.append((choices[item], index + 1))
    return tuple(
        hidden.get(index, item if isinstance(item, int) or index in explained else HIDDEN_INPUT)
        for index, item in enumerate(loc)
    )


def _root_hider(schema: Any, whole: Any) -> Callable[[Any, core_schema.ValidatorFunctionWrapHandler], Any]:
    """The function at the root of a foreign schema (``schema``, inside ``whole``)."""
    references: dict[str, Any] = {}
    ready: list[bool] = []

    def hide_input(value: Any, handler: core_schema.ValidatorFunctionWrapHandler) -> Any:
        try:
            return handler(value)
        except ValidationError as exc:
            if not ready:  # the references of the final schema, found once, on the first error
                references.update(_references(whole))
                ready.append(True)
            error = _rebuilt(exc.title, exc, lambda loc: _root_loc(schema, references, loc))
        raise error

    hide_input._cp_root_guard = True  # type: ignore[attr-defined]
    return hide_input


def _guarded_root(schema: core_schema.CoreSchema, whole: Any = None) -> core_schema.CoreSchema:
    """``schema`` (a finished foreign schema) with :func:`_root_hider` at its root.

    ``whole`` is the whole schema, definitions included, when ``schema`` is the root inside it.
    """
    if schema["type"] == "definitions":
        outer: dict[str, Any] = dict(schema)
        outer["schema"] = _guarded_root(schema["schema"], outer)
        return typing.cast(core_schema.CoreSchema, outer)
    if _is_sdk_guard(schema) or _is_sdk_guard(schema, "_cp_root_guard"):
        return schema
    inner: dict[str, Any] = {key: value for key, value in schema.items() if key != "ref"}
    guarded: dict[str, Any] = {
        "type": "function-wrap",
        "function": {"type": "no-info", "function": None},
        "schema": inner,
    }
    if "ref" in schema:
        # The reference moves to the wrapper, so references to the root (a recursive model of
        # yours) go through it as well, and JSON schema names stay the same.
        guarded["ref"] = schema["ref"]
    hider = _root_hider(guarded, guarded if whole is None else whole)
    # pydantic names a validator after its function: that name is the title of a TypeAdapter's
    # errors, and the label of the schema as a branch of a union elsewhere.
    cls = inner.get("cls")
    hider.__name__ = cls.__name__ if isinstance(cls, type) else str(inner.get("type"))
    guarded["function"]["function"] = hider
    return typing.cast(core_schema.CoreSchema, guarded)


def _guard_root_of(handler: GetCoreSchemaHandler) -> None:
    """Have the foreign schema being built by ``handler``'s generator end in :func:`_guarded_root`.

    pydantic finishes every schema (a model's, a dataclass's, a TypeAdapter's, validate_call's)
    with its generator's ``defs.finalize_schema``; the generator's own definitions object gets a
    wrapper of that method. If pydantic's internals differ, nothing is changed (the SDK shape's
    own wrapper still hides what it raises).
    """
    definitions: Any = getattr(getattr(handler, "_generate_schema", None), "defs", None)
    finalize = getattr(definitions, "finalize_schema", None)
    if finalize is None or getattr(finalize, "_cp_guards_root", False) or not hasattr(definitions, "__dict__"):
        return

    def finalize_schema(schema: core_schema.CoreSchema) -> core_schema.CoreSchema:
        return _guarded_root(finalize(schema))

    finalize_schema._cp_guards_root = True  # type: ignore[attr-defined]
    definitions.finalize_schema = finalize_schema
