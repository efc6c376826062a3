"""The emulator's calculated-attribute evaluator: statistics, conditions, filters and checks."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from customer_profiles_sdk.local import _calc
from customer_profiles_sdk.local._calc import (
    CalcResult,
    IngestedObject,
    check_definition,
    evaluate,
    object_types_of,
)
from customer_profiles_sdk.local._errors import EmulatorError

NOW = datetime(2024, 6, 15, 12, 0, 0, tzinfo=UTC)
CREATED = NOW - timedelta(days=365)
CANARY = "canary-7f3a9"


def obj(days_ago: float, *, type_name: str = "Orders", source: dict[str, Any] | None = None,
        **fields: Any) -> IngestedObject:
    """An object ingested ``days_ago`` days before NOW, whose fields are ``fields``."""
    return IngestedObject(type_name, source if source is not None else dict(fields), fields,
                          NOW - timedelta(days=days_ago))


def definition(statistic: str = "SUM", expression: str = "{Orders.Total}", *names: str,
               **extra: Any) -> dict[str, Any]:
    listed = names or tuple(sorted(set(re.findall(r"\{([^{}]*)\}", expression))))
    body: dict[str, Any] = {
        "AttributeDetails": {"Attributes": [{"Name": n} for n in listed], "Expression": expression},
        "Statistic": statistic,
        "UseHistoricalData": True,
    }
    body.update(extra)
    return body


def run(defn: dict[str, Any], objects: list[IngestedObject], **kwargs: Any) -> CalcResult:
    return evaluate(defn, objects, now=NOW, created_at=kwargs.pop("created_at", CREATED), **kwargs)


def value(defn: dict[str, Any], objects: list[IngestedObject], **kwargs: Any) -> str | None:
    return run(defn, objects, **kwargs).value


TOTALS = [obj(5, Total=10), obj(4, Total="2.5"), obj(3, Total=7), obj(2, Total=10), obj(1, Total=-1)]


# ------------------------------------------------------------------------------------- statistics


@pytest.mark.parametrize(
    ("statistic", "expected"),
    [
        ("COUNT", "5"),
        ("SUM", "28.5"),
        ("MINIMUM", "-1"),
        ("MAXIMUM", "10"),
        ("AVERAGE", "5.7"),
        ("FIRST_OCCURRENCE", "10"),
        ("LAST_OCCURRENCE", "-1"),
        ("MAX_OCCURRENCE", "10"),
        ("RECENT_OCCURRENCES", '["-1","10","7","2.5","10"]'),
    ],
)
def test_every_statistic(statistic: str, expected: str) -> None:
    result = run(definition(statistic), TOTALS)
    assert result.value == expected
    assert result.is_data_partial == "false"
    assert result.last_object_timestamp == NOW - timedelta(days=1)


def test_first_and_last_follow_timestamps_not_input_order() -> None:
    objects = [obj(1, Channel="web"), obj(9, Channel="phone"), obj(4, Channel="mail")]
    assert value(definition("FIRST_OCCURRENCE", "{Orders.Channel}"), objects) == "phone"
    assert value(definition("LAST_OCCURRENCE", "{Orders.Channel}"), objects) == "web"


def test_max_occurrence_tie_goes_to_the_most_recent_value() -> None:
    objects = [obj(6, C="a"), obj(5, C="b"), obj(4, C="b"), obj(3, C="a"), obj(2, C="c")]
    assert value(definition("MAX_OCCURRENCE", "{Orders.C}"), objects) == "a"
    objects.append(obj(1, C="b"))
    assert value(definition("MAX_OCCURRENCE", "{Orders.C}"), objects) == "b"


def test_recent_occurrences_is_bounded_by_ten_or_object_count_and_255_chars() -> None:
    objects = [obj(30 - i, N=i) for i in range(15)]
    recent = value(definition("RECENT_OCCURRENCES", "{Orders.N}"), objects)
    assert recent is not None
    assert json.loads(recent) == [str(i) for i in range(14, 4, -1)]
    defn = definition("RECENT_OCCURRENCES", "{Orders.N}", Conditions={"ObjectCount": 3})
    assert value(defn, objects) == '["14","13","12"]'
    long = [obj(10 - i, Text=str(i) * 100) for i in range(5)]
    recent = value(definition("RECENT_OCCURRENCES", "{Orders.Text}"), long)
    assert recent is not None and len(recent) <= 255
    assert json.loads(recent) == ["4" * 100, "3" * 100]


def test_no_counted_object_gives_no_value_for_every_statistic() -> None:
    for statistic in sorted(_calc._STATISTICS):
        result = run(definition(statistic), [obj(1, Other=1)])
        assert result == CalcResult(None, "false", None)


def test_objects_of_other_types_are_ignored() -> None:
    objects = [obj(1, Total=5), obj(1, type_name="Returns", Total=100)]
    assert value(definition("SUM"), objects) == "5"


# ------------------------------------------------------------------------------------- expressions


def test_arithmetic_over_two_attributes() -> None:
    objects = [obj(2, Total="100", Discount=10), obj(1, Total=50, Discount="5.5")]
    defn = definition("SUM", "{Orders.Total} - {Orders.Discount}")
    assert value(defn, objects) == "134.5"


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("{Orders.A} + {Orders.B} * 2", "9"),
        ("({Orders.A} + {Orders.B}) * 2", "10"),
        ("-{Orders.A} + 10", "9"),
        ("{Orders.A} / {Orders.B}", "0.25"),
        ("{Orders.A} / 3", "0.333333"),
        ("({Orders.A} + .5) * 1.5 - -1", "3.25"),
    ],
)
def test_expression_precedence_and_literals(expression: str, expected: str) -> None:
    assert value(definition("LAST_OCCURRENCE", expression), [obj(1, A=1, B=4)]) == expected


def test_decimal_arithmetic_is_exact() -> None:
    assert value(definition("SUM", "{Orders.A} + {Orders.B}"), [obj(1, A=0.1, B=0.2)]) == "0.3"


def test_non_numeric_missing_and_zero_division_objects_are_skipped() -> None:
    objects = [
        obj(6, A=4, B=2),
        obj(5, A="abc", B=2),
        obj(4, A=True, B=2),
        obj(3, B=2),
        obj(2, A=4, B=0),
        obj(1, A=None, B=2),
        obj(0.5, A="1e1", B=" 5 "),
    ]
    defn = definition("SUM", "{Orders.A} / {Orders.B}")
    assert value(defn, objects) == "4"
    result = run(definition("COUNT", "{Orders.A} / {Orders.B}"), objects)
    assert result.value == "2"
    assert result.last_object_timestamp == NOW - timedelta(days=0.5)


def test_single_reference_skips_non_numeric_only_for_numeric_statistics() -> None:
    objects = [obj(3, Total=4), obj(2, Total="n/a"), obj(1, Total={"x": 1})]
    assert value(definition("SUM"), objects) == "4"
    assert value(definition("AVERAGE"), objects) == "4"
    assert value(definition("COUNT"), objects) == "3"
    assert value(definition("LAST_OCCURRENCE"), objects) == '{"x":1}'


def test_single_reference_keeps_raw_text() -> None:
    assert value(definition("LAST_OCCURRENCE"), [obj(1, Total="007")]) == "007"
    assert value(definition("LAST_OCCURRENCE"), [obj(1, Total=3.0)]) == "3"
    assert value(definition("LAST_OCCURRENCE"), [obj(1, Total=False)]) == "false"
    assert value(definition("LAST_OCCURRENCE"), [obj(1, Total="x" * 300)]) == "x" * 255


@pytest.mark.parametrize(
    ("number", "text"),
    [
        ("42", "42"),
        ("42.000", "42"),
        ("-7", "-7"),
        ("2.5", "2.5"),
        ("0.1234564", "0.123456"),
        ("0.1234565", "0.123457"),
        ("-0.0000004", "0"),
        ("1.9999999", "2"),
        ("1E+20", "100000000000000000000"),
        ("1E-7", "0"),
        ("123456789.125", "123456789.125"),
    ],
)
def test_number_formatting(number: str, text: str) -> None:
    assert _calc._format_number(Decimal(number)) == text


def test_huge_number_falls_back_to_exponent_form() -> None:
    text = _calc._format_number(Decimal("1E+300"))
    assert len(text) <= 255 and "E+300" in text


def test_average_formatting_through_evaluate() -> None:
    objects = [obj(3, Total=1), obj(2, Total=1), obj(1, Total=0)]
    assert value(definition("AVERAGE"), objects) == "0.666667"


# ------------------------------------------------------------------------------------- windows


def test_range_value_keeps_the_last_n_days() -> None:
    defn = definition("SUM", Conditions={"Range": {"Value": 3, "Unit": "DAYS"}})
    assert value(defn, TOTALS) == "16"  # 3 days ago (boundary included), 2 and 1 days ago


def test_value_range_window_in_the_past() -> None:
    defn = definition("SUM", Conditions={"Range": {"Unit": "DAYS", "Value": 100,
                                                   "ValueRange": {"Start": 4, "End": 2}}})
    assert value(defn, TOTALS) == "19.5"  # 4, 3 and 2 days ago


def test_value_range_reaching_into_the_future_with_timestamp_source() -> None:
    future = NOW + timedelta(days=3)
    objects = [
        obj(0, source={"at": future.isoformat()}, Total=1),
        obj(0, source={"at": (NOW + timedelta(days=10)).isoformat()}, Total=100),
        obj(0, source={"at": (NOW - timedelta(days=1)).isoformat()}, Total=10),
    ]
    range_ = {"Unit": "DAYS", "ValueRange": {"Start": 2, "End": -5}, "TimestampSource": "{Orders.at}",
              "TimestampFormat": "ISO_8601"}
    result = run(definition("SUM", Conditions={"Range": range_}), objects)
    assert result.value == "11"
    assert result.last_object_timestamp == future


def test_range_override_replaces_the_window() -> None:
    defn = definition("SUM", Conditions={"Range": {"Value": 1, "Unit": "DAYS"}})
    assert value(defn, TOTALS) == "-1"
    assert value(defn, TOTALS, range_override={"Start": 4, "Unit": "DAYS"}) == "18.5"
    assert value(defn, TOTALS, range_override={"Start": 5, "End": 3, "Unit": "DAYS"}) == "19.5"
    assert value(definition("SUM"), TOTALS, range_override={"Start": 2, "Unit": "DAYS"}) == "9"


def test_range_override_with_start_after_end_is_refused() -> None:
    with pytest.raises(EmulatorError) as caught:
        run(definition("SUM"), TOTALS, range_override={"Start": 1, "End": 3, "Unit": "DAYS"})
    assert caught.value.code == "BadRequestException"
    with pytest.raises(EmulatorError):
        run(definition("SUM"), TOTALS, range_override={"Start": -2, "Unit": "DAYS"})


def test_use_historical_data() -> None:
    created = NOW - timedelta(days=3)
    defn = definition("SUM")
    assert value(defn, TOTALS, created_at=created) == "28.5"
    defn["UseHistoricalData"] = False
    assert value(defn, TOTALS, created_at=created) == "16"  # ingested at or after creation
    del defn["UseHistoricalData"]
    assert value(defn, TOTALS, created_at=created) == "16"
    assert value(defn, TOTALS, created_at=NOW + timedelta(seconds=1)) is None


def test_object_count_keeps_the_most_recent_counted_objects() -> None:
    objects = [*TOTALS, obj(0.5, Total="none")]
    defn = definition("SUM", Conditions={"ObjectCount": 2})
    assert value(defn, objects) == "9"  # the non-numeric newest object takes no place
    defn = definition("AVERAGE", Conditions={"ObjectCount": 3, "Range": {"Value": 4, "Unit": "DAYS"}})
    assert value(defn, objects) == "5.333333"


# ------------------------------------------------------------------------------------- thresholds


@pytest.mark.parametrize(
    ("statistic", "threshold", "expected"),
    [
        ("SUM", {"Value": "28", "Operator": "GREATER_THAN"}, "true"),
        ("SUM", {"Value": "28.5", "Operator": "GREATER_THAN"}, "false"),
        ("SUM", {"Value": "28.50", "Operator": "EQUAL_TO"}, "true"),
        ("MAXIMUM", {"Value": "9", "Operator": "LESS_THAN"}, "false"),  # numeric: 10 > 9
        ("COUNT", {"Value": "5", "Operator": "NOT_EQUAL_TO"}, "false"),
        ("MINIMUM", {"Value": "0", "Operator": "LESS_THAN"}, "true"),
    ],
)
def test_numeric_threshold(statistic: str, threshold: dict[str, str], expected: str) -> None:
    assert value(definition(statistic, Conditions={"Threshold": threshold}), TOTALS) == expected


def test_text_threshold_and_threshold_without_objects() -> None:
    objects = [obj(2, C="gold"), obj(1, C="silver")]
    last = definition("LAST_OCCURRENCE", "{Orders.C}", Conditions={"Threshold": {"Value": "silver",
                                                                                "Operator": "EQUAL_TO"}})
    assert value(last, objects) == "true"
    last["Conditions"]["Threshold"] = {"Value": "gold", "Operator": "GREATER_THAN"}
    assert value(last, objects) == "true"  # ordinal text comparison
    last["Conditions"]["Threshold"] = {"Value": "gold", "Operator": "NOT_EQUAL_TO"}
    assert value(last, objects) == "true"
    assert value(last, []) is None


# ------------------------------------------------------------------------------------- filters


def dim(**attributes: tuple[str, list[str]]) -> dict[str, Any]:
    return {"Attributes": {name.replace("__", "."): {"DimensionType": kind, "Values": values}
                           for name, (kind, values) in attributes.items()}}


def filtered(include: str, *groups: tuple[str, list[dict[str, Any]]]) -> dict[str, Any]:
    return definition("COUNT", Filter={"Include": include,
                                       "Groups": [{"Type": t, "Dimensions": d} for t, d in groups]})


SHOP = [
    obj(5, Total=10, Channel="web", Code="AB-123", Day="2024-06-01"),
    obj(4, Total=20, Channel="phone", Code="CD-456", Day="2024-06-05T10:00:00Z"),
    obj(3, Total=30, Channel="web", Code="AB-789", Day="2024-06-10"),
    obj(2, Total=40, Channel="store", Code="EF-123"),
    obj(1, Total="n/a", Channel="web", Code="XY-000", Day="not a date"),
]


@pytest.mark.parametrize(
    ("name", "kind", "values", "expected"),
    [
        ("Orders__Channel", "INCLUSIVE", ["web", "store"], "4"),
        ("Channel", "INCLUSIVE", ["web"], "3"),  # a bare field name
        ("Orders__Channel", "EXCLUSIVE", ["web"], "2"),
        ("Orders__Code", "CONTAINS", ["-1", "Z"], "2"),
        ("Orders__Code", "BEGINS_WITH", ["AB", "XY"], "3"),
        ("Orders__Code", "ENDS_WITH", ["123"], "2"),
        ("Orders__Total", "EQUAL", ["20.0", "40"], "2"),
        ("Orders__Total", "GREATER_THAN", ["20"], "2"),
        ("Orders__Total", "GREATER_THAN_OR_EQUAL", ["20"], "3"),
        ("Orders__Total", "LESS_THAN", ["20"], "1"),
        ("Orders__Total", "LESS_THAN_OR_EQUAL", ["20"], "2"),
        ("Orders__Day", "BEFORE", ["2024-06-05"], "1"),
        ("Orders__Day", "AFTER", ["2024-06-05"], "1"),
        ("Orders__Day", "AFTER", ["2024-06-05T09:59:59Z"], "2"),
        ("Orders__Day", "ON", ["2024-06-05", "2024-06-01"], "2"),
        ("Orders__Day", "BETWEEN", ["2024-06-01", "2024-06-05"], "2"),
        ("Orders__Day", "NOT_BETWEEN", ["2024-06-02", "2024-06-30"], "1"),  # missing / bad dates never hold
    ],
)
def test_filter_dimension_types(name: str, kind: str, values: list[str], expected: str) -> None:
    defn = filtered("ALL", ("ALL", [dim(**{name: (kind, values)})]))
    assert value(defn, SHOP) == expected


def test_filter_dimension_attributes_all_hold() -> None:
    defn = filtered("ALL", ("ALL", [dim(Orders__Channel=("INCLUSIVE", ["web"]),
                                        Orders__Total=("GREATER_THAN", ["15"]))]))
    assert value(defn, SHOP) == "1"


def test_filter_group_types() -> None:
    web = dim(Orders__Channel=("INCLUSIVE", ["web"]))
    big = dim(Orders__Total=("GREATER_THAN", ["25"]))
    assert value(filtered("ALL", ("ALL", [web, big])), SHOP) == "1"
    assert value(filtered("ALL", ("ANY", [web, big])), SHOP) == "4"
    assert value(filtered("ALL", ("NONE", [web, big])), SHOP) == "1"


def test_filter_include_combines_groups() -> None:
    phone = ("ALL", [dim(Orders__Channel=("INCLUSIVE", ["phone"]))])
    store = ("ALL", [dim(Orders__Channel=("INCLUSIVE", ["store"]))])
    assert value(filtered("ANY", phone, store), SHOP) == "2"
    assert value(filtered("ALL", phone, store), SHOP) is None
    assert value(filtered("NONE", phone, store), SHOP) == "3"


def test_filter_runs_before_object_count() -> None:
    defn = filtered("ALL", ("ALL", [dim(Orders__Channel=("INCLUSIVE", ["web"]))]))
    defn["Statistic"] = "SUM"
    defn["Conditions"] = {"ObjectCount": 2}
    assert value(defn, SHOP) == "40"  # the newest web object has no numeric Total and takes no place


# ------------------------------------------------------------------------------------- timestamp source


def source_defn(fmt: str, days: int = 7) -> dict[str, Any]:
    return definition("LAST_OCCURRENCE", Conditions={"Range": {
        "Value": days, "Unit": "DAYS", "TimestampSource": "{Orders.meta.at}", "TimestampFormat": fmt}})


def test_timestamp_source_epoch_milli_and_seconds() -> None:
    at = NOW - timedelta(days=2)
    millis = int(at.timestamp() * 1000)
    objects = [
        obj(0, source={"meta": {"at": millis}}, Total="ms-number"),
        obj(0, source={"meta": {"at": str(millis - 1000)}}, Total="ms-string"),
        obj(0, source={"meta": {"at": int(at.timestamp()) - 10}}, Total="seconds"),
        obj(0, source={"meta": {"at": millis - 30 * 86_400_000}}, Total="too old"),
        obj(0, source={"meta": {"at": "yesterday"}}, Total="unparsable"),
        obj(0, source={"meta": {}}, Total="missing"),
    ]
    defn = source_defn("EPOCHMILLI")
    result = run(defn, objects)
    assert result.value == "ms-number"
    assert result.last_object_timestamp == at
    defn["Statistic"] = "RECENT_OCCURRENCES"
    assert value(defn, objects) == '["ms-number","ms-string","seconds"]'


def test_timestamp_source_iso_8601_offsets_and_fractions() -> None:
    objects = [
        obj(9, source={"meta": {"at": "2024-06-14T12:00:00Z"}}, Total="z"),
        obj(8, source={"meta": {"at": "2024-06-14T14:00:00.500+02:00"}}, Total="colon-offset"),
        obj(7, source={"meta": {"at": "2024-06-14T05:00:01.123456789-0700"}}, Total="compact-offset"),
        obj(6, source={"meta": {"at": "2024-06-01T00:00:00Z"}}, Total="outside"),
        obj(5, source={"meta": {"at": "2024-06-14"}}, Total="date only"),
        obj(4, source={"meta": {"at": 1718366400000}}, Total="a number"),
    ]
    defn = source_defn("ISO_8601")
    defn["Statistic"] = "RECENT_OCCURRENCES"
    result = run(defn, objects)
    assert result.value == '["compact-offset","colon-offset","z"]'
    assert result.last_object_timestamp == datetime(2024, 6, 14, 12, 0, 1, 123456, tzinfo=UTC)


def test_future_source_timestamps_fall_outside_a_value_window() -> None:
    objects = [obj(9, source={"meta": {"at": "2030-01-01T00:00:00Z"}}, Total=1)]
    defn = definition("SUM", Conditions={"Range": {"Value": 7, "Unit": "DAYS", "TimestampSource": "{Orders.meta.at}",
                                                   "TimestampFormat": "ISO_8601"}})
    assert value(defn, objects) is None  # in the future: outside [now - 7 days, now]


# ------------------------------------------------------------------------------------- checks


def test_valid_definitions_pass_and_name_their_object_type() -> None:
    good = [
        definition("SUM", "{Orders.Total}", "Total"),
        definition("SUM", "{Orders.Total} - {Orders.Tax}", "Orders.Total", "Tax"),
        definition("SUM", "{Orders._source.x}", "_source.x"),
        filtered("ANY", ("ALL", [dim(Orders__Channel=("INCLUSIVE", ["web"]))])),
        definition("SUM", Conditions={"Range": {"Unit": "DAYS", "ValueRange": {"Start": 0, "End": -3}},
                                      "ObjectCount": 1, "Threshold": {"Value": "1", "Operator": "EQUAL_TO"}}),
    ]
    for defn in good:
        check_definition(defn)
        assert object_types_of(defn) == {"Orders"}
    assert object_types_of({"AttributeDetails": {"Attributes": [{"Name": "Web.Page"}], "Expression": "("}}) == {"Web"}


def _range(**range_: Any) -> dict[str, Any]:
    return {"Conditions": {"Range": {"Unit": "DAYS", **range_}}}


def _one_filter(name: str, kind: str, values: list[str]) -> dict[str, Any]:
    return {"Filter": {"Include": "ALL", "Groups": [{"Type": "ALL", "Dimensions": [
        {"Attributes": {name: {"DimensionType": kind, "Values": values}}}]}]}}


REFUSED: list[tuple[str, dict[str, Any], str]] = [
    ("unparsable", {"AttributeDetails": {"Attributes": [{"Name": "Orders.Total"}],
                                         "Expression": f"{{Orders.Total}} + {CANARY}"}}, "could not be parsed"),
    ("unbalanced", {"AttributeDetails": {"Attributes": [{"Name": "Orders.Total"}],
                                         "Expression": "({Orders.Total} + 1"}}, "could not be parsed"),
    ("bad reference", {"AttributeDetails": {"Attributes": [{"Name": "Total"}],
                                            "Expression": "{Total}"}}, "could not be parsed"),
    ("unlisted", {"AttributeDetails": {"Attributes": [{"Name": "Orders.Total"}],
                                       "Expression": "{Orders.Total} * {Orders.Tax}"}}, "Orders.Tax"),
    ("two types", {"AttributeDetails": {"Attributes": [{"Name": "Orders.Total"}, {"Name": "Returns.Total"}],
                                        "Expression": "{Orders.Total} - {Returns.Total}"}}, "one object type"),
    ("three attributes", {"AttributeDetails": {"Attributes": [{"Name": "A"}, {"Name": "B"}, {"Name": "C"}],
                                               "Expression": "{Orders.A} + {Orders.B} + {Orders.C}"}}, "at most 2"),
    ("listed foreign", {"AttributeDetails": {"Attributes": [{"Name": "Orders.Total"}, {"Name": "Returns.Total"}],
                                             "Expression": "{Orders.Total}"}}, "Returns.Total"),
    ("no reference", {"AttributeDetails": {"Attributes": [{"Name": "Orders.Total"}], "Expression": "1 + 2"}},
     "at least one attribute"),
    ("no attributes", {"AttributeDetails": {"Attributes": [], "Expression": "{Orders.Total}"}}, "at least one"),
    ("statistic", {"Statistic": "MEDIAN"}, "Statistic"),
    ("historical", {"UseHistoricalData": CANARY}, "UseHistoricalData"),
    ("range start after end", _range(ValueRange={"Start": 1, "End": 5}), "Start must not be less than End"),
    ("range empty", _range(), "Value or ValueRange"),
    ("range unit", _range(Value=3, Unit="HOURS"), "DAYS"),
    ("source form", _range(Value=3, TimestampSource=CANARY, TimestampFormat="ISO_8601"), "TimestampSource"),
    ("source type", _range(Value=3, TimestampSource="{Returns.at}", TimestampFormat="ISO_8601"), "Orders"),
    ("source format", _range(Value=3, TimestampSource="{Orders.at}"), "TimestampFormat"),
    ("format", _range(Value=3, TimestampSource="{Orders.at}", TimestampFormat=CANARY), "EPOCHMILLI"),
    ("object count", {"Conditions": {"ObjectCount": 0}}, "ObjectCount"),
    ("operator", {"Conditions": {"Threshold": {"Value": CANARY, "Operator": "ABOUT"}}}, "Operator"),
    ("filter type", _one_filter("Returns.Channel", "INCLUSIVE", [CANARY]), "Returns.Channel"),
    ("filter number", _one_filter("Orders.Total", "GREATER_THAN", [CANARY]), "numeric"),
    ("filter count", _one_filter("Orders.Total", "LESS_THAN", ["1", "2"]), "exactly one"),
    ("filter date", _one_filter("Orders.Day", "BEFORE", [CANARY]), "ISO 8601"),
    ("filter between", _one_filter("Orders.Day", "BETWEEN", ["2024-01-01"]), "exactly two"),
    ("filter reversed", _one_filter("Orders.Day", "NOT_BETWEEN", ["2024-02-01", "2024-01-01"]), "not be after"),
    ("filter dimension", _one_filter("Orders.Day", "AROUND", [CANARY]), "DimensionType"),
    ("filter include", {"Filter": {"Include": "SOME", "Groups": []}}, "Include"),
]


@pytest.mark.parametrize(("case", "change", "needle"), REFUSED, ids=[case for case, _c, _n in REFUSED])
def test_check_definition_refusals(case: str, change: dict[str, Any], needle: str) -> None:
    defn = definition("SUM")
    defn.update(change)
    with pytest.raises(EmulatorError) as caught:
        check_definition(defn)
    error = caught.value
    assert (error.code, error.status) == ("BadRequestException", 400)
    assert needle in error.message
    assert CANARY not in error.message and CANARY not in str(error)
    with pytest.raises(EmulatorError):  # evaluate refuses what check_definition refuses
        run(defn, [])


def test_unparsable_object_values_are_skipped_not_refused() -> None:
    objects = [obj(1, Total=CANARY, source={"meta": {"at": CANARY}})]
    for statistic in ("SUM", "COUNT"):
        assert run(source_defn("ISO_8601") | {"Statistic": statistic}, objects).value is None


# ------------------------------------------------------------------------------ huge magnitudes


def test_absurd_magnitudes_are_not_numbers() -> None:
    for text in ("1e1001", "-1e1001", "1e5000", "1e100000000", "1e-1001", "1e-100000000", "9" * 1002):
        assert _calc._as_number(text) is None, text
    assert _calc._as_number(10**1001) is None
    assert _calc._as_number(Decimal("1e5000")) is None
    for text in ("1e1000", "-1e1000", "1e-1000", "0e5000", "9" * 1001):
        assert _calc._as_number(text) is not None, text


def test_formatting_a_long_number_never_converts_it_to_an_int() -> None:
    # int(Decimal("1e100000000")) would run for minutes; int of 1e5000 is past Python's limit.
    for number, text in [("1E+5000", "1.000000E+5000"), ("1E+100000000", "1.000000E+100000000"),
                         ("-2.5E+255", "-2.500000E+255"), ("1E-100000000", "0")]:
        assert _calc._format_number(Decimal(number)) == text


@pytest.mark.parametrize("statistic", ["SUM", "MINIMUM", "MAXIMUM", "AVERAGE", "FIRST_OCCURRENCE",
                                       "LAST_OCCURRENCE", "MAX_OCCURRENCE", "RECENT_OCCURRENCES", "COUNT"])
def test_huge_values_neither_crash_nor_hang_any_statistic(statistic: str) -> None:
    huge = [obj(4, Total="1e5000"), obj(3, Total="1e100000000"), obj(2, Total="-1e100000000"),
            obj(1, Total="1e-100000000")]
    numeric = statistic in ("SUM", "MINIMUM", "MAXIMUM", "AVERAGE")
    # The numeric statistics skip them as non-numeric; the others keep their text.
    assert (value(definition(statistic), huge) is None) is numeric
    assert value(definition(statistic, "{Orders.Total} * 2"), huge) is None  # arithmetic: no value
    sane = [*huge, obj(0.5, Total="1e1000"), obj(0.25, Total="1e1000")]
    expected = {"SUM": "2.000000E+1000", "MINIMUM": "1.000000E+1000", "MAXIMUM": "1.000000E+1000",
                "AVERAGE": "1.000000E+1000"}
    if numeric:
        assert value(definition(statistic), sane) == expected[statistic]
        assert value(definition(statistic, "{Orders.Total} * {Orders.Total}"), sane) is not None


def test_a_statistic_that_overflows_has_no_value() -> None:
    compiled = _calc._compile(definition("SUM"))
    assert _calc._statistic(compiled, [Decimal("9e999999"), Decimal("9e999999")]) is None
