"""One policy for every numeric member: integer (32-bit), long (64-bit), double and timestamp.

docs/models.md ("Numbers") has the table these tests walk cell by cell: each Python input type,
strict on input (accepted and stored as a plain ``int``/``float``/``datetime``, or refused with a
rule and the member's path, never the value) and lenient on output (read, or kept unchanged in a
RawValue, never raising). The end-to-end tests check what the request body actually carries.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import IntEnum
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import customer_profiles_sdk.models as models
from customer_profiles_sdk import CustomerProfilesClient
from customer_profiles_sdk._model import RawValue, Shape
from customer_profiles_sdk.errors import ParamValidationError

from .canned import Canned, boto3_client

np: Any  # numpy's scalars are checked when numpy is installed (a dev dependency)
try:
    import numpy

    np = numpy
except ImportError:  # pragma: no cover
    np = None

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# -- the members under test ---------------------------------------------------------------------

# kind -> (input class, Python name, wire name, other required members)
INPUTS: dict[str, tuple[type[Shape], str, str, dict[str, Any]]] = {
    "integer": (models.RangeOverride, "start", "Start", {"unit": "DAYS"}),
    "long": (models.EventTriggerLimits, "event_expiration", "EventExpiration", {}),
    "double": (models.EventParameters, "event_value_threshold", "EventValueThreshold", {"event_type": "click"}),
    "timestamp": (models.Batch, "start_time", "StartTime", {"end_time": 0}),
}
# kind -> (output class, wire name)
OUTPUTS: dict[str, tuple[type[Shape], str]] = {
    "integer": (models.GetDomainResponse, "DefaultExpirationDays"),
    "long": (models.DomainStats, "ProfileCount"),
    "double": (models.GetSimilarProfilesResponse, "ConfidenceScore"),
    # An optional member: a required one (GetDomainResponse.CreatedAt) that arrives with another type
    # is kept aside, not in __dict__ (tests/test_required_members.py covers those).
    "timestamp": (models.GetCalculatedAttributeDefinitionResponse, "CreatedAt"),
}
KINDS = ("integer", "long", "double", "timestamp")


class Refused:
    """Expected outcome: ParamValidationError with this rule at the member's path."""

    def __init__(self, rule: str) -> None:
        self.rule = rule

    def __repr__(self) -> str:
        return f"Refused({self.rule!r})"


class Raw:
    """Expected output outcome: the value kept unchanged (the same object) in a RawValue."""

    def __repr__(self) -> str:
        return "Raw()"


TYPE, MAX, MIN, RAW = Refused("type"), Refused("max"), Refused("min"), Raw()


def at(seconds: float | int) -> datetime:
    """The datetime epoch ``seconds`` stand for, as botocore reads an int or float."""
    return datetime.fromtimestamp(seconds, UTC)


class Index:
    """An integer only by the ``__index__`` protocol."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __index__(self) -> int:
        return self.value

    def __repr__(self) -> str:
        return f"Index({self.value})"


class FloatOnly:
    """Has ``__float__`` and nothing else: not a number under the policy."""

    def __float__(self) -> float:
        return 5.5

    def __repr__(self) -> str:
        return "FloatOnly()"


class Level(IntEnum):
    FIVE = 5


def _numpy_cases() -> Iterator[tuple[str, Any, Any, Any, Any, Any]]:
    if np is None:
        return
    yield "numpy.int64 5", np.int64(5), 5, 5, 5.0, at(5)
    yield "numpy.int32 -7", np.int32(-7), -7, -7, -7.0, at(-7)
    yield "numpy.int8 5", np.int8(5), 5, 5, 5.0, at(5)
    yield "numpy.uint8 200", np.uint8(200), 200, 200, 200.0, at(200)
    yield "numpy.int64 2**31", np.int64(2**31), MAX, 2**31, float(2**31), at(2**31)
    yield "numpy.int64 max", np.int64(INT64[1]), MAX, INT64[1], float(INT64[1]), TYPE
    yield "numpy.int64 min", np.int64(INT64[0]), MIN, INT64[0], float(INT64[0]), TYPE
    yield "numpy.uint64 max", np.uint64(2**64 - 1), MAX, MAX, float(2**64 - 1), TYPE
    yield "numpy.float64 5.0", np.float64(5.0), TYPE, TYPE, 5.0, at(5)
    yield "numpy.float64 5.5", np.float64(5.5), TYPE, TYPE, 5.5, at(5.5)
    yield "numpy.float32 5.5", np.float32(5.5), TYPE, TYPE, 5.5, at(5.5)
    yield "numpy.float32 0.1", np.float32(0.1), TYPE, TYPE, float(np.float32(0.1)), at(float(np.float32(0.1)))
    yield "numpy.float16 0.5", np.float16(0.5), TYPE, TYPE, 0.5, at(0.5)
    yield "numpy.float64 1e11", np.float64(1e11), TYPE, TYPE, 1e11, at(1e11)
    yield "numpy.float64 nan", np.float64("nan"), TYPE, TYPE, TYPE, TYPE
    yield "numpy.float32 inf", np.float32("inf"), TYPE, TYPE, TYPE, TYPE
    yield "numpy.bool_ True", np.bool_(True), TYPE, TYPE, TYPE, TYPE
    yield "numpy.bool_ False", np.bool_(False), TYPE, TYPE, TYPE, TYPE
    yield "numpy 0-d int array", np.array(7), 7, 7, 7.0, at(7)
    yield "numpy 0-d float array", np.array(5.5), TYPE, TYPE, TYPE, TYPE
    if np.finfo(np.longdouble).max > 1e308:  # 80-bit long double (x86-64)
        big = np.longdouble("1e400")
        yield "numpy.longdouble 1e400", big, TYPE, TYPE, MAX, TYPE


# label, value, then the outcome for integer, long, double, timestamp members.
INPUT_CASES: list[tuple[str, Any, Any, Any, Any, Any]] = [
    ("bool True", True, TYPE, TYPE, TYPE, TYPE),
    ("bool False", False, TYPE, TYPE, TYPE, TYPE),
    ("int 5", 5, 5, 5, 5.0, at(5)),
    ("int 0", 0, 0, 0, 0.0, at(0)),
    ("int 2**31-1", INT32[1], INT32[1], INT32[1], float(INT32[1]), at(INT32[1])),
    ("int 2**31", 2**31, MAX, 2**31, float(2**31), at(2**31)),
    ("int -2**31", INT32[0], INT32[0], INT32[0], float(INT32[0]), at(INT32[0])),
    ("int -2**31-1", INT32[0] - 1, MIN, INT32[0] - 1, float(INT32[0] - 1), at(INT32[0] - 1)),
    ("int 2**63-1", INT64[1], MAX, INT64[1], float(INT64[1]), TYPE),
    ("int 2**63", 2**63, MAX, MAX, float(2**63), TYPE),
    ("int -2**63", INT64[0], MIN, INT64[0], float(INT64[0]), TYPE),
    ("int -2**63-1", INT64[0] - 1, MIN, MIN, float(INT64[0] - 1), TYPE),
    ("int 10**400", 10**400, MAX, MAX, MAX, TYPE),
    ("int -10**400", -(10**400), MIN, MIN, MIN, TYPE),
    ("IntEnum 5", Level.FIVE, 5, 5, 5.0, at(5)),
    ("__index__ object", Index(7), 7, 7, 7.0, at(7)),
    ("float 5.0", 5.0, TYPE, TYPE, 5.0, at(5)),
    ("float 5.5", 5.5, TYPE, TYPE, 5.5, at(5.5)),
    ("float -0.25", -0.25, TYPE, TYPE, -0.25, at(-0.25)),
    ("float 1e308", 1e308, TYPE, TYPE, 1e308, TYPE),
    ("float nan", math.nan, TYPE, TYPE, TYPE, TYPE),
    ("float inf", math.inf, TYPE, TYPE, TYPE, TYPE),
    ("float -inf", -math.inf, TYPE, TYPE, TYPE, TYPE),
    ("Decimal 5", Decimal("5"), 5, 5, 5.0, at(5)),
    ("Decimal 5.000", Decimal("5.000"), 5, 5, 5.0, at(5)),
    ("Decimal 1E+3", Decimal("1E+3"), 1000, 1000, 1000.0, at(1000)),
    ("Decimal -0", Decimal("-0"), 0, 0, 0.0, at(0)),
    ("Decimal 5.5", Decimal("5.5"), TYPE, TYPE, 5.5, at(5.5)),
    ("Decimal 0.1", Decimal("0.1"), TYPE, TYPE, 0.1, EPOCH + timedelta(microseconds=100000)),
    ("Decimal 1e11 (the DynamoDB case)", Decimal("100000000000"), MAX, 10**11, 1e11,
     datetime(5138, 11, 16, 9, 46, 40, tzinfo=UTC)),
    ("Decimal 2**31", Decimal(2**31), MAX, 2**31, float(2**31), at(2**31)),
    ("Decimal 2**63", Decimal(2**63), MAX, MAX, float(2**63), TYPE),
    ("Decimal -2**63-1", Decimal(INT64[0] - 1), MIN, MIN, float(INT64[0] - 1), TYPE),
    ("Decimal 1e400", Decimal("1e400"), MAX, MAX, MAX, TYPE),
    ("Decimal -1e400", Decimal("-1e400"), MIN, MIN, MIN, TYPE),
    ("Decimal 1e999999999", Decimal("1e999999999"), MAX, MAX, MAX, TYPE),
    ("Decimal 1e-999999999", Decimal("1e-999999999"), TYPE, TYPE, 0.0, at(0)),
    ("Decimal NaN", Decimal("NaN"), TYPE, TYPE, TYPE, TYPE),
    ("Decimal sNaN", Decimal("sNaN"), TYPE, TYPE, TYPE, TYPE),
    ("Decimal Infinity", Decimal("Infinity"), TYPE, TYPE, TYPE, TYPE),
    ("Decimal -Infinity", Decimal("-Infinity"), TYPE, TYPE, TYPE, TYPE),
    ("Fraction 5", Fraction(5), 5, 5, 5.0, at(5)),
    ("Fraction 10/2", Fraction(10, 2), 5, 5, 5.0, at(5)),
    ("Fraction 11/2", Fraction(11, 2), TYPE, TYPE, 5.5, at(5.5)),
    ("Fraction 1/3", Fraction(1, 3), TYPE, TYPE, 1 / 3, EPOCH + timedelta(microseconds=333333)),
    ("Fraction 2**31", Fraction(2**31), MAX, 2**31, float(2**31), at(2**31)),
    ("Fraction 10**400", Fraction(10**400), MAX, MAX, MAX, TYPE),
    ("Fraction -10**400/3", Fraction(-(10**400), 3), TYPE, TYPE, MIN, TYPE),
    ("str 5", "5", TYPE, TYPE, TYPE, at(5)),
    ("str 1e11", "100000000000", TYPE, TYPE, TYPE, datetime(5138, 11, 16, 9, 46, 40, tzinfo=UTC)),
    ("str ' 1_000 '", " 1_000 ", TYPE, TYPE, TYPE, at(1000)),
    ("str nan", "nan", TYPE, TYPE, TYPE, TYPE),
    ("str inf", "inf", TYPE, TYPE, TYPE, TYPE),
    ("str 1e400", "1e400", TYPE, TYPE, TYPE, TYPE),
    ("str ISO 8601", "2024-05-06T07:08:09Z", TYPE, TYPE, TYPE, datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)),
    ("str not a number", "five", TYPE, TYPE, TYPE, TYPE),
    ("bytes", b"100000000000", TYPE, TYPE, TYPE, TYPE),
    ("complex", 5 + 0j, TYPE, TYPE, TYPE, TYPE),
    ("__float__ only", FloatOnly(), TYPE, TYPE, TYPE, TYPE),
    ("datetime", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC), TYPE, TYPE, TYPE,
     datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
    ("list", [5], TYPE, TYPE, TYPE, TYPE),
    *_numpy_cases(),
]


def _input_params() -> Iterator[Any]:
    for label, value, *outcomes in INPUT_CASES:
        for kind, expected in zip(KINDS, outcomes, strict=True):
            yield pytest.param(kind, value, expected, id=f"{kind}-{label}")


def _build(kind: str, value: Any) -> Shape:
    cls, name, _, others = INPUTS[kind]
    return cls(**{name: value}, **others)


@pytest.mark.parametrize(("kind", "value", "expected"), list(_input_params()))
def test_input_cell(kind: str, value: Any, expected: Any) -> None:
    cls, name, wire, others = INPUTS[kind]
    if isinstance(expected, Refused):
        with pytest.raises(ParamValidationError) as info:
            _build(kind, value)
        assert [(p.path, p.rule) for p in info.value.problems] == [(wire, expected.rule)]
        # The same through model_validate with the wire name, and through assignment.
        with pytest.raises(ParamValidationError) as again:
            cls.model_validate({wire: value, **{cls.__cp__.wire[k]: v for k, v in others.items()}})
        assert [(p.path, p.rule) for p in again.value.problems] == [(wire, expected.rule)]
        return
    built = _build(kind, value)
    stored: Any = getattr(built, name)
    # Always a plain int, float or datetime: botocore and json.dumps get nothing else.
    plain = {"integer": int, "long": int, "double": float, "timestamp": datetime}[kind]
    assert type(stored) is plain
    assert stored == expected
    assert built.to_boto()[wire] == expected and type(built.to_boto()[wire]) is plain
    if kind == "timestamp":
        assert isinstance(stored, datetime) and stored.tzinfo is UTC


@pytest.mark.parametrize(("kind", "value", "expected"), list(_input_params()))
def test_input_cell_by_assignment(kind: str, value: Any, expected: Any) -> None:
    _, name, wire, _ = INPUTS[kind]
    seed: Any = {"integer": 1, "long": 1, "double": 1.0, "timestamp": 1}[kind]
    built = _build(kind, seed)
    before = getattr(built, name)
    if isinstance(expected, Refused):
        with pytest.raises(ParamValidationError) as info:
            setattr(built, name, value)
        assert [(p.path, p.rule) for p in info.value.problems] == [(wire, expected.rule)]
        assert getattr(built, name) == before  # a refused assignment changes nothing
    else:
        setattr(built, name, value)
        assert getattr(built, name) == expected


# Values with distinctive text, refused: the error names path and rule, never the value.
@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("integer", Decimal("123456789.5")),
        ("integer", Decimal("98765432109876")),
        ("long", Fraction(123456789, 2)),
        ("long", 98765432109876543210),
        ("double", Decimal("98765e400")),
        ("timestamp", Decimal("98765e400")),
        ("timestamp", "98765e400"),
        ("integer", 987654.25),
    ],
)
def test_refusals_never_show_the_value(kind: str, value: Any) -> None:
    with pytest.raises(ParamValidationError) as info:
        _build(kind, value)
    text = str(info.value) + repr(info.value) + repr(info.value.problems)
    for fragment in ("98765", "123456", "987654"):
        assert fragment not in text
    assert info.value.__context__ is None and info.value.__cause__ is None


def test_model_bounds_and_wire_bounds_both_apply() -> None:
    # DefaultExpirationDays: 1..1098 in the model; a whole Decimal or numpy int is held to it.
    value: Any = Decimal("1098")
    request = models.CreateDomainRequest(domain_name="d", default_expiration_days=value)
    assert request.default_expiration_days == 1098 and type(request.default_expiration_days) is int
    cases: list[tuple[Any, str]] = [(Decimal("1099"), "max"), (Fraction(0), "min"), (Decimal("1E+20"), "max")]
    for value, rule in cases:
        with pytest.raises(ParamValidationError) as info:
            models.CreateDomainRequest(domain_name="d", default_expiration_days=value)
        assert [(p.path, p.rule) for p in info.value.problems] == [("DefaultExpirationDays", rule)]
    # ScheduleOffset is a long of 0..36000; EventWeight a double of 0..1.
    cases = [(Decimal("36001"), "max"), (-1, "min"), (2**63, "max")]
    for value, rule in cases:
        with pytest.raises(ParamValidationError) as info:
            models.ScheduledTriggerProperties(schedule_expression="rate(1 day)", schedule_offset=value)
        assert [(p.path, p.rule) for p in info.value.problems] == [("ScheduleOffset", rule)]
    quarter: Any = Fraction(1, 4)
    weight = models.EventParameters(event_type="click", event_weight=quarter)
    assert weight.event_weight == 0.25 and type(weight.event_weight) is float
    cases = [(Decimal("1.5"), "max"), (-0.5, "min"), (Decimal("NaN"), "type")]
    for value, rule in cases:
        with pytest.raises(ParamValidationError) as info:
            models.EventParameters(event_type="click", event_weight=value)
        assert [(p.path, p.rule) for p in info.value.problems] == [("EventWeight", rule)]


def test_json_input_follows_the_same_rules() -> None:
    assert models.RangeOverride.model_validate_json('{"Start": 2147483647, "Unit": "DAYS"}').start == INT32[1]
    for body, rule in (('{"Start": 2147483648, "Unit": "DAYS"}', "max"), ('{"Start": 5.0, "Unit": "DAYS"}', "type")):
        with pytest.raises(ParamValidationError) as info:
            models.RangeOverride.model_validate_json(body)
        assert [(p.path, p.rule) for p in info.value.problems] == [("Start", rule)]
    for literal in ("NaN", "Infinity", "-Infinity"):
        with pytest.raises(ParamValidationError) as info:
            models.EventParameters.model_validate_json(f'{{"EventType": "x", "EventValueThreshold": {literal}}}')
        assert [(p.path, p.rule) for p in info.value.problems] == [("EventValueThreshold", "type")]


# -- output: lenient, lossless ------------------------------------------------------------------

def _numpy_output_cases() -> Iterator[tuple[str, Any, Any, Any, Any, Any]]:
    if np is None:
        return
    yield "numpy.int64 5", np.int64(5), 5, 5, 5.0, at(5)
    yield "numpy.uint64 max", np.uint64(2**64 - 1), 2**64 - 1, 2**64 - 1, float(2**64 - 1), RAW
    yield "numpy.float64 5.5", np.float64(5.5), RAW, RAW, 5.5, at(5.5)
    yield "numpy.float32 0.5", np.float32(0.5), RAW, RAW, 0.5, at(0.5)
    yield "numpy.float64 nan", np.float64("nan"), RAW, RAW, math.nan, RAW
    yield "numpy.bool_ True", np.bool_(True), RAW, RAW, RAW, RAW
    if np.finfo(np.longdouble).max > 1e308:
        yield "numpy.longdouble 1e400", np.longdouble("1e400"), RAW, RAW, RAW, RAW


OUTPUT_CASES: list[tuple[str, Any, Any, Any, Any, Any]] = [
    ("bool True", True, RAW, RAW, RAW, RAW),
    ("int 5", 5, 5, 5, 5.0, at(5)),
    ("int 2**31 (no range on output)", 2**31, 2**31, 2**31, float(2**31), at(2**31)),
    ("int 2**63", 2**63, 2**63, 2**63, float(2**63), RAW),
    ("int 10**400", 10**400, 10**400, 10**400, RAW, RAW),
    ("IntEnum 5", Level.FIVE, 5, 5, 5.0, at(5)),
    ("__index__ object", Index(7), 7, 7, 7.0, at(7)),
    ("float 5.0", 5.0, RAW, RAW, 5.0, at(5)),
    ("float 5.5", 5.5, RAW, RAW, 5.5, at(5.5)),
    ("float nan", math.nan, RAW, RAW, math.nan, RAW),
    ("float inf", math.inf, RAW, RAW, math.inf, RAW),
    ("Decimal 5", Decimal("5"), 5, 5, 5.0, at(5)),
    ("Decimal 5.5", Decimal("5.5"), RAW, RAW, 5.5, at(5.5)),
    ("Decimal 1e11", Decimal("100000000000"), 10**11, 10**11, 1e11, datetime(5138, 11, 16, 9, 46, 40, tzinfo=UTC)),
    ("Decimal 2**63-1", Decimal(INT64[1]), INT64[1], INT64[1], float(INT64[1]), RAW),
    ("Decimal 2**63", Decimal(2**63), RAW, RAW, float(2**63), RAW),
    ("Decimal 1e400", Decimal("1e400"), RAW, RAW, RAW, RAW),
    ("Decimal 1e999999999", Decimal("1e999999999"), RAW, RAW, RAW, RAW),
    ("Decimal NaN", Decimal("NaN"), RAW, RAW, math.nan, RAW),
    ("Decimal sNaN", Decimal("sNaN"), RAW, RAW, math.nan, RAW),
    ("Decimal -Infinity", Decimal("-Infinity"), RAW, RAW, -math.inf, RAW),
    ("Fraction 10/2", Fraction(10, 2), 5, 5, 5.0, at(5)),
    ("Fraction 11/2", Fraction(11, 2), RAW, RAW, 5.5, at(5.5)),
    ("Fraction 10**400", Fraction(10**400), RAW, RAW, RAW, RAW),
    ("str 5", "5", RAW, RAW, RAW, at(5)),
    ("str nan", "nan", RAW, RAW, RAW, RAW),
    ("str ISO 8601", "2024-05-06T07:08:09Z", RAW, RAW, RAW, datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)),
    ("__float__ only", FloatOnly(), RAW, RAW, RAW, RAW),
    ("complex", 5 + 0j, RAW, RAW, RAW, RAW),
    ("datetime", datetime(2024, 1, 2, tzinfo=UTC), RAW, RAW, RAW, datetime(2024, 1, 2, tzinfo=UTC)),
    *_numpy_output_cases(),
]


def _output_params() -> Iterator[Any]:
    for label, value, *outcomes in OUTPUT_CASES:
        for kind, expected in zip(KINDS, outcomes, strict=True):
            yield pytest.param(kind, value, expected, id=f"{kind}-{label}")


def _same(actual: Any, expected: Any) -> bool:
    if isinstance(expected, float) and math.isnan(expected):
        return type(actual) is float and math.isnan(actual)
    return type(actual) is type(expected) and actual == expected


@pytest.mark.parametrize("parse", ["from_boto", "model_validate"])
@pytest.mark.parametrize(("kind", "value", "expected"), list(_output_params()))
def test_output_cell(kind: str, value: Any, expected: Any, parse: str) -> None:
    cls, wire = OUTPUTS[kind]
    parsed = getattr(cls, parse)({wire: value})
    stored = parsed.__dict__[cls.__cp__.by_wire[wire]]
    if isinstance(expected, Raw):
        assert isinstance(stored, RawValue) and stored.value is value  # kept, not converted
        assert parsed.to_boto()[wire] is value  # and sent back as it came
    else:
        assert _same(stored, expected), (stored, expected)
        if kind == "timestamp":
            assert stored.tzinfo is UTC


@pytest.mark.parametrize("kind", ["integer", "long", "double"])
@given(st.one_of(st.integers(), st.floats(allow_nan=False), st.booleans(), st.text(max_size=5)))
def test_output_from_json_and_from_python_agree(kind: str, value: Any) -> None:
    """A JSON body (the client's fast path) and botocore's parsed dict read alike."""
    cls, wire = OUTPUTS[kind]
    from_json = cls.model_validate_json(json.dumps({wire: value}))
    from_python = cls.from_boto({wire: json.loads(json.dumps(value))})
    name = cls.__cp__.by_wire[wire]
    a, b = from_json.__dict__[name], from_python.__dict__[name]
    assert type(a) is type(b) and a == b


# -- properties ---------------------------------------------------------------------------------

def _outcome(call: Callable[[], Shape], name: str) -> Any:
    try:
        value = getattr(call(), name)
    except ParamValidationError as exc:
        return ("refused", tuple((p.path, p.rule) for p in exc.problems))
    return (type(value), value)


@given(st.integers(min_value=-(2**80), max_value=2**80))
def test_every_integer_type_reads_an_integer_the_same_way(n: int) -> None:
    for kind, (low, high) in (("integer", INT32), ("long", INT64)):
        name = INPUTS[kind][1]
        expected = _outcome(lambda: _build(kind, n), name)  # noqa: B023
        if low <= n <= high:
            assert expected == (int, n)
        else:
            assert expected[0] == "refused" and expected[1][0][1] == ("max" if n > high else "min")
        spellings: list[Any] = [Decimal(n), Decimal(n).normalize(), Fraction(n), Index(n), Fraction(n * 3, 3)]
        if np is not None and INT64[0] <= n <= INT64[1]:
            spellings.append(np.int64(n))
        if np is not None and 0 <= n < 2**64:
            spellings.append(np.uint64(n))
        for spelling in spellings:
            assert _outcome(lambda: _build(kind, spelling), name) == expected, spelling  # noqa: B023


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_every_numeric_type_reads_a_timestamp_as_epoch_seconds(n: int) -> None:
    name = INPUTS["timestamp"][1]
    expected = _outcome(lambda: _build("timestamp", n), name)
    if -62135596800 <= n <= 253402300799:  # years 1 to 9999
        assert expected == (datetime, EPOCH + timedelta(seconds=n))
    else:
        assert expected == ("refused", (("StartTime", "type"),))
    spellings: list[Any] = [Decimal(n), Decimal(n).normalize(), Fraction(n), Index(n), str(n)]
    if np is not None:
        spellings.append(np.int64(n))
    for spelling in spellings:
        assert _outcome(lambda: _build("timestamp", spelling), name) == expected, spelling  # noqa: B023


@given(st.floats(min_value=-62135596800, max_value=253402300799))
def test_exact_timestamps_are_rounded_to_the_nearest_microsecond(x: float) -> None:
    from_float = _build("timestamp", x).start_time  # type: ignore[attr-defined]
    from_decimal = _build("timestamp", Decimal(x)).start_time  # type: ignore[attr-defined]
    # A float is read as botocore reads it (datetime.fromtimestamp); the Decimal of the same
    # binary value exactly, so at most a microsecond apart.
    assert abs(from_float - from_decimal) <= timedelta(microseconds=1)
    for exact in (Decimal(repr(x)), Fraction(repr(x))):
        wanted = EPOCH + timedelta(microseconds=round(Fraction(exact) * 10**6))
        assert _build("timestamp", exact).start_time == wanted  # type: ignore[attr-defined]


@given(st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.decimals(allow_nan=False, allow_infinity=False),
                 st.fractions()))
def test_a_finite_real_is_sent_as_the_nearest_float_or_refused(x: Any) -> None:
    try:
        nearest: float | None = float(x)
    except OverflowError:
        nearest = None
    if nearest is not None and math.isinf(nearest):
        nearest = None
    outcome = _outcome(lambda: _build("double", x), "event_value_threshold")
    if nearest is None:
        assert outcome == ("refused", (("EventValueThreshold", "max" if x > 0 else "min"),))
    else:
        assert outcome == (float, nearest)


def test_huge_exact_numbers_are_refused_quickly() -> None:
    """Decimal("1e999999999") stands for a billion-digit integer: it is never built."""
    values = [Decimal("9e999999999"), Decimal("-9e999999999"), Decimal("1e-999999999"),
              Decimal("1" * 5000 + "e999999")]
    done = threading.Event()

    def run() -> None:
        for value in values:
            for kind in KINDS:
                try:
                    _build(kind, value)
                except ParamValidationError:
                    pass
                cls, wire = OUTPUTS[kind]
                cls.from_boto({wire: value})
        done.set()

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    assert done.wait(60), "a huge Decimal hung validation"


# -- on the wire --------------------------------------------------------------------------------

def _recording_client() -> tuple[CustomerProfilesClient, Canned, list[Any]]:
    canned = Canned()
    client = boto3_client(canned)
    sent: list[Any] = []
    client.meta.events.register_first("before-send", lambda request, **_: sent.append(request))
    return CustomerProfilesClient(client=client), canned, sent


def _body(request: Any) -> dict[str, Any]:
    body = request.body
    return json.loads(body.decode() if isinstance(body, bytes) else body)  # type: ignore[no-any-return]


def _integers() -> list[Any]:
    out: list[Any] = [30, Decimal("30"), Decimal("3.0E+1"), Fraction(60, 2), Index(30)]
    if np is not None:
        out += [np.int64(30), np.int32(30), np.uint8(30), np.array(30)]
    return out


@pytest.mark.parametrize("value", _integers(), ids=repr)
def test_integer_members_are_sent_as_json_integers(value: Any) -> None:
    sdk, _, sent = _recording_client()
    sdk.create_domain(domain_name="shop", default_expiration_days=value)
    body = sent[-1].body
    assert _body(sent[-1])["DefaultExpirationDays"] == 30
    assert b'"DefaultExpirationDays": 30' in body and b"30.0" not in body
    # A querystring integer too.
    sdk.list_workflows(domain_name="shop", max_results=value)
    assert sent[-1].url.endswith("max-results=30")


def _longs() -> list[Any]:
    out: list[Any] = [2**40, Decimal(2**40), Fraction(2**41, 2)]
    if np is not None:
        out.append(np.int64(2**40))
    return out


@pytest.mark.parametrize("value", _longs(), ids=repr)
def test_long_members_are_sent_as_json_integers(value: Any) -> None:
    sdk, _, sent = _recording_client()
    kwargs: dict[str, Any] = {
        "event_trigger_conditions": [{"EventTriggerDimensions": [{"ObjectAttributes": [
            {"ComparisonOperator": "INCLUSIVE", "Values": ["v"]}]}], "LogicalOperator": "ANY"}],
        "event_trigger_limits": {"EventExpiration": value},
    }
    sdk.create_event_trigger(domain_name="shop", event_trigger_name="t", object_type_name="o", **kwargs)
    assert _body(sent[-1])["EventTriggerLimits"] == {"EventExpiration": 2**40}
    assert b'"EventExpiration": 1099511627776' in sent[-1].body


# The other required members of GetAutoMergingPreview, as wire dicts (the client accepts both).
MERGING: dict[str, Any] = {
    "consolidation": {"MatchingAttributesList": [["Email"]]},
    "conflict_resolution": {"ConflictResolvingModel": "RECENCY"},
}


def _doubles() -> list[Any]:
    out: list[Any] = [0.5, Decimal("0.5"), Fraction(1, 2)]
    if np is not None:
        out += [np.float64(0.5), np.float32(0.5), np.float16(0.5)]
    return out


@pytest.mark.parametrize("value", _doubles(), ids=repr)
def test_double_members_are_sent_as_json_numbers(value: Any) -> None:
    sdk, _, sent = _recording_client()
    sdk.get_auto_merging_preview(domain_name="shop", min_allowed_confidence_score_for_merging=value, **MERGING)
    assert _body(sent[-1])["MinAllowedConfidenceScoreForMerging"] == 0.5
    assert b'"MinAllowedConfidenceScoreForMerging": 0.5' in sent[-1].body


def _epochs() -> list[Any]:
    out: list[Any] = [10**11, Decimal("100000000000"), Decimal("1E+11"), Fraction(10**11), "100000000000",
                      float(10**11), Index(10**11), datetime(5138, 11, 16, 9, 46, 40, tzinfo=UTC)]
    if np is not None:
        out += [np.int64(10**11), np.float64(1e11), np.uint64(10**11)]
    return out


@pytest.mark.parametrize("value", _epochs(), ids=repr)
def test_timestamps_are_sent_as_epoch_seconds_like_boto3(value: Any) -> None:
    sdk, _, sent = _recording_client()
    sdk.list_workflows(domain_name="shop", query_start_date=value, query_end_date=value)
    body = _body(sent[-1])
    assert body["QueryStartDate"] == 10**11 == body["QueryEndDate"]  # year 5138, never 1973
    # boto3 itself reads Decimal("100000000000") as seconds too, and sends the same body.
    canned = Canned()
    raw = boto3_client(canned)
    raw_sent: list[Any] = []
    raw.meta.events.register_first("before-send", lambda request, **_: raw_sent.append(request))
    raw.list_workflows(DomainName="shop", QueryStartDate=Decimal("100000000000"),
                       QueryEndDate=Decimal("100000000000"))
    assert _body(raw_sent[-1]) == body


@pytest.mark.parametrize(
    ("call", "value"),
    [
        ("integer", Decimal("30.5")),
        ("integer", 30.0),
        ("integer", 2**31),
        ("double", Decimal("NaN")),
        ("double", math.inf),
        ("timestamp", Decimal("NaN")),
        ("timestamp", True),
    ],
)
def test_refused_numbers_never_reach_the_network(call: str, value: Any) -> None:
    sdk, canned, sent = _recording_client()
    with pytest.raises(ParamValidationError):
        if call == "integer":
            sdk.create_domain(domain_name="shop", default_expiration_days=value)
        elif call == "double":
            sdk.get_auto_merging_preview(domain_name="shop", min_allowed_confidence_score_for_merging=value, **MERGING)
        else:
            sdk.list_workflows(domain_name="shop", query_start_date=value)
    assert canned.requests == 0 and sent == []


def test_responses_read_back_into_numpy_and_decimal_round_trip() -> None:
    """A response stored in DynamoDB comes back with Decimal numbers: parsing it gives the same model."""
    original = models.GetDomainResponse.from_boto(
        {"DomainName": "d", "DefaultExpirationDays": 30, "CreatedAt": 1_700_000_000,
         "Stats": {"ProfileCount": 12, "TotalSize": 2**40}}
    )
    stored = json.loads(original.to_json(), parse_float=Decimal, parse_int=Decimal)
    stored["CreatedAt"] = Decimal(1_700_000_000)
    again = models.GetDomainResponse.from_boto(stored)
    assert again == original


# -- the generator ------------------------------------------------------------------------------

def test_generator_holds_every_integer_member_to_its_wire_type() -> None:
    from codegen.generator import Emitter, Model

    service = {
        "metadata": {"apiVersion": "x"},
        "operations": {},
        "shapes": {
            "Int": {"type": "integer"},
            "WideInt": {"type": "integer", "min": -(10**12), "max": 10**12},
            "NarrowInt": {"type": "integer", "min": 1, "max": 100},
            "Long": {"type": "long"},
            "Double": {"type": "double"},
            "Unit": {"type": "double", "min": 0.0, "max": 1.0},
            "Float": {"type": "float"},
        },
    }
    emitter = Emitter(Model(service, {}, "0"), "X")
    assert emitter.annotation("Int") == (
        "Annotated[int, Field(strict=True, ge=-2147483648, le=2147483647), WholeNumber]")
    assert emitter.annotation("WideInt") == emitter.annotation("Int")  # the wire type wins
    assert emitter.annotation("NarrowInt") == "Annotated[int, Field(strict=True, ge=1, le=100), WholeNumber]"
    assert emitter.annotation("Long") == (
        "Annotated[int, Field(strict=True, ge=-9223372036854775808, le=9223372036854775807), WholeNumber]")
    assert emitter.annotation("Double") == "Annotated[float, Field(strict=True, allow_inf_nan=False), RealNumber]"
    assert emitter.annotation("Unit") == (
        "Annotated[float, Field(strict=True, allow_inf_nan=False, ge=0.0, le=1.0), RealNumber]")
    assert emitter.annotation("Float") == (
        "Annotated[float, Field(strict=True, allow_inf_nan=False, ge=-3.4028234663852886e+38, "
        "le=3.4028234663852886e+38), RealNumber]")
    assert {"WholeNumber", "RealNumber"} <= emitter.uses
