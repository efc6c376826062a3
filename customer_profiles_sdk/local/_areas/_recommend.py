"""How the emulator's recommenders find items and rank them: the logic behind the recommenders
area, over the objects stored in a domain. Everything here is deterministic: the same objects
and the same request give the same items, scores and training metrics.

The data a recommender reads:

* **Interactions** are the profile objects attached to a profile (of any object type except the
  catalog's) that hold an item id: the value of an object's field named ``ItemId`` or
  ``ProductId`` (any case, with or without ``_``; the fields the object type maps are read first,
  then the top level of the object's JSON document). ``EventType`` and ``EventValue`` (same
  rule) give the event's type and value, for ``EventsConfig`` and for filters; the object's
  ingestion time is the event's time.
* **Catalog items** are the objects of the object type ``_catalogItem`` (the dataset type a
  recommender schema names); their id is their ``Id`` (or ``ItemId``). Their other members
  (``Name``, ``Category``, ``Price``, ..., and the ``Attributes`` map) describe the item in the
  answers and are what ``Items.<FIELD>`` filter conditions read.

Filters use the expression language of Amazon Personalize, in part: one or more expressions
joined with ``|``, each ``INCLUDE ItemID WHERE ...`` or ``EXCLUDE ItemID WHERE ...`` over
conditions ``Items.<FIELD>``, ``Interactions.EVENT_TYPE`` or ``Users.<FIELD>`` (the profile's
field or attribute) with ``IN``, ``NOT IN``, ``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, joined
with ``AND`` (binding first) and ``OR``; values are quoted strings, numbers or ``$NAME``
placeholders filled from the request's ``Values``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .._errors import bad_request
from .._store import Domain

#: The object type whose objects are the item catalog.
CATALOG_TYPE = "_catalogItem"
#: The dataset types a recommender schema (and IncludedColumns/ExcludedColumns) may name.
DATASET_TYPES = ("_webAnalytics", "_catalogItem")
_ITEM_FIELDS = ("itemid", "productid")
_CATALOG_ID_FIELDS = ("id", "itemid")
# The CatalogItem members an answer fills from a catalog object, with their longest value.
_CATALOG_MEMBERS = {"Name": 255, "Code": 255, "Type": 255, "Category": 255, "Description": 255, "Price": 255,
                    "AdditionalInformation": 1000, "ImageLink": 1000, "Link": 1000}
_TRENDING_WINDOW = timedelta(days=7)
_FRESH_WINDOW = timedelta(days=30)


def norm(name: str) -> str:
    return name.replace("_", "").lower()


def _lookup(fields: Mapping[str, Any], source: Mapping[str, Any], names: Iterable[str]) -> Any:
    """The first scalar value under any of ``names`` (compared by :func:`norm`) in the mapped
    fields, then in the document's top level."""
    wanted = set(names)
    for mapping in (fields, source):
        for key, value in mapping.items():
            if isinstance(key, str) and norm(key) in wanted and _scalar(value):
                return value
    return None


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool) and value != ""


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


@dataclass(frozen=True)
class Interaction:
    profile_id: str
    item_id: str = field(repr=False)
    event_type: str | None = field(repr=False)
    value: float | None = field(repr=False)
    at: datetime
    sequence: int


def interactions(domain: Domain, until: datetime | None = None) -> list[Interaction]:
    """The domain's interactions, oldest first (those ingested at or before ``until`` only)."""
    out = []
    for stored in domain.objects.values():
        if stored.object_type_name == CATALOG_TYPE or stored.profile_id not in domain.profiles:
            continue
        if until is not None and stored.ingested_at > until:
            continue
        item = _lookup(stored.fields, stored.source, _ITEM_FIELDS)
        if item is None:
            continue
        event = _lookup(stored.fields, stored.source, ("eventtype",))
        value = _number(_lookup(stored.fields, stored.source, ("eventvalue",)))
        out.append(Interaction(str(stored.profile_id), _text(item)[:255], None if event is None else _text(event),
                               value, stored.ingested_at, stored.sequence))
    out.sort(key=lambda i: i.sequence)
    return out


def catalog(domain: Domain) -> dict[str, dict[str, Any]]:
    """The catalog items by id: the later ingested object wins for an id given twice."""
    items: dict[str, tuple[int, dict[str, Any]]] = {}
    for stored in domain.objects.values():
        if stored.object_type_name != CATALOG_TYPE:
            continue
        item_id = _lookup(stored.fields, stored.source, _CATALOG_ID_FIELDS)
        if item_id is None:
            continue
        record = {**stored.source, **stored.fields}
        key = _text(item_id)[:255]
        if key not in items or items[key][0] < stored.sequence:
            items[key] = (stored.sequence, record)
    return {key: record for key, (_, record) in items.items()}


def weigh(events: list[Interaction], config: Mapping[str, Any] | None) -> list[tuple[Interaction, float]]:
    """The interactions a recommender's EventsConfig counts, with their weights: with no
    EventsConfig every one counts 1; with one, only the listed event types count, with their
    EventWeight (1 when not given), and not below their EventValueThreshold."""
    params = ((config or {}).get("EventsConfig") or {}).get("EventParametersList")
    if not params:
        return [(event, 1.0) for event in events]
    by_type = {p["EventType"]: p for p in params}
    out = []
    for event in events:
        spec = by_type.get(event.event_type or "")
        if spec is None:
            continue
        threshold = spec.get("EventValueThreshold")
        if threshold is not None and (event.value is None or event.value < threshold):
            continue
        weight = spec.get("EventWeight")
        out.append((event, 1.0 if weight is None else float(weight)))
    return out


# --------------------------------------------------------------------------------------- filters

_TOKEN = re.compile(r"""\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<num>-?\d+(?:\.\d+)?)|(?P<op><=|>=|!=|[=<>(),|])"""
                    r"""|(?P<param>\$[A-Za-z0-9_]+)|(?P<word>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)?))""")


@dataclass(frozen=True)
class Cond:
    ref: str          # "items", "interactions" or "users"
    name: str         # the field, normalised
    op: str           # IN, NOT IN, =, !=, <, <=, >, >=
    values: tuple[tuple[str, str], ...]  # ("lit", text) or ("param", name)


@dataclass(frozen=True)
class Part:
    include: bool
    any_of: tuple[tuple[Cond, ...], ...]  # OR of ANDs


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ValueError("unexpected character")
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        position = match.end()
    return out


def parse_filter(expression: str) -> tuple[Part, ...]:
    """The filter expression's parts; ValueError (naming no value) when it is not valid."""
    tokens = _tokens(expression)
    position = 0

    def peek() -> tuple[str, str] | None:
        return tokens[position] if position < len(tokens) else None

    def take() -> tuple[str, str]:
        nonlocal position
        if position >= len(tokens):
            raise ValueError("the expression ends too early")
        position += 1
        return tokens[position - 1]

    def word(expected: str) -> None:
        kind, text = take()
        if kind != "word" or text.upper() != expected:
            raise ValueError(f"{expected} expected")

    def value() -> tuple[str, str]:
        kind, text = take()
        if kind == "str":
            return ("lit", re.sub(r"\\(.)", r"\1", text[1:-1]))
        if kind == "num":
            return ("lit", text)
        if kind == "param":
            return ("param", text[1:])
        raise ValueError("a value expected")

    def condition() -> Cond:
        kind, text = take()
        dataset, _, name = text.partition(".")
        ref = {"ITEMS": "items", "INTERACTIONS": "interactions", "USERS": "users"}.get(dataset.upper())
        if kind != "word" or ref is None or not name:
            raise ValueError("a condition starts with Items.<field>, Interactions.EVENT_TYPE or Users.<field>")
        if ref == "interactions" and norm(name) != "eventtype":
            raise ValueError("Interactions conditions read EVENT_TYPE only")
        kind, text = take()
        if kind == "word" and text.upper() == "NOT":
            word("IN")
            op = "NOT IN"
        elif kind == "word" and text.upper() == "IN":
            op = "IN"
        elif kind == "op" and text in ("=", "!=", "<", "<=", ">", ">="):
            op = text
        else:
            raise ValueError("an operator expected")
        values: list[tuple[str, str]] = []
        if op in ("IN", "NOT IN"):
            if peek() == ("op", "("):
                take()
                values.append(value())
                while peek() == ("op", ","):
                    take()
                    values.append(value())
                if take() != ("op", ")"):
                    raise ValueError(") expected")
            else:
                values.append(value())
        else:
            values.append(value())
        return Cond(ref, norm(name), op, tuple(values))

    parts: list[Part] = []
    while True:
        kind, text = take()
        if kind != "word" or text.upper() not in ("INCLUDE", "EXCLUDE"):
            raise ValueError("an expression starts with INCLUDE or EXCLUDE")
        include = text.upper() == "INCLUDE"
        kind, text = take()
        if kind != "word" or norm(text) != "itemid":
            raise ValueError("ItemID expected")
        word("WHERE")
        groups: list[tuple[Cond, ...]] = []
        group = [condition()]
        while (following := peek()) is not None and following[0] == "word" and following[1].upper() in ("AND", "OR"):
            take()
            if following[1].upper() == "OR":
                groups.append(tuple(group))
                group = []
            group.append(condition())
        groups.append(tuple(group))
        parts.append(Part(include, tuple(groups)))
        if peek() is None:
            return tuple(parts)
        if take() != ("op", "|"):
            raise ValueError("| or the end expected")


def filter_values(parts: tuple[Part, ...], given: Mapping[str, str]) -> dict[str, list[str]]:
    """The placeholders' values from a request's Values (each a comma-separated list of values,
    quoted or not); a 400 when a placeholder has none (naming no value)."""
    out: dict[str, list[str]] = {}
    for part in parts:
        for group in part.any_of:
            for cond in group:
                for kind, name in cond.values:
                    if kind != "param" or name in out:
                        continue
                    if name not in given:
                        raise bad_request("The filter has a placeholder that the request's Values do not give")
                    found = re.findall(r'\s*(?:"((?:[^"\\]|\\.)*)"|([^,]*))\s*(?:,|$)', given[name])
                    out[name] = [re.sub(r"\\(.)", r"\1", q) if q else u.strip() for q, u in found
                                 if q or u.strip()]
    return out


def _field(record: Mapping[str, Any] | None, name: str) -> Any:
    if record is None:
        return None
    for key, value in record.items():
        if isinstance(key, str) and norm(key) == name and _scalar(value):
            return value
    attributes = record.get("Attributes")
    if isinstance(attributes, Mapping):
        return _field({k: v for k, v in attributes.items() if k != "Attributes"}, name)
    return None


def _compare(actual: Any, op: str, wanted: list[str]) -> bool:
    if actual is None:
        return op in ("NOT IN", "!=")
    text = _text(actual)
    if op in ("IN", "="):
        return any(_equal(text, w) for w in wanted)
    if op in ("NOT IN", "!="):
        return not any(_equal(text, w) for w in wanted)
    left, right = _number(text), _number(wanted[0]) if wanted else None
    if left is None or right is None:
        return False
    return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]


def _equal(a: str, b: str) -> bool:
    if a == b:
        return True
    x, y = _number(a), _number(b)
    return x is not None and x == y


@dataclass
class FilterContext:
    catalog: Mapping[str, Mapping[str, Any]]
    profile: Mapping[str, Any] | None
    #: item id -> the event types of the profile's interactions with it
    events: Mapping[str, set[str]]
    values: Mapping[str, list[str]]


def passes(parts: tuple[Part, ...], item: str, context: FilterContext) -> bool:
    """Whether ``item`` passes every part of a filter."""
    for part in parts:
        matched = any(all(_holds(cond, item, context) for cond in group) for group in part.any_of)
        if matched != part.include:
            return False
    return True


def _holds(cond: Cond, item: str, context: FilterContext) -> bool:
    wanted: list[str] = []
    for kind, text in cond.values:
        wanted.extend(context.values.get(text, []) if kind == "param" else [text])
    if cond.ref == "interactions":
        types = context.events.get(item, set())
        if cond.op in ("NOT IN", "!="):
            return not any(any(_equal(t, w) for w in wanted) for t in types)
        return any(_compare(t, cond.op, wanted) for t in types)
    record = context.catalog.get(item) if cond.ref == "items" else context.profile
    if cond.ref == "items" and cond.name in ("id", "itemid"):
        return _compare(item, cond.op, wanted)
    return _compare(_field(record, cond.name), cond.op, wanted)


# --------------------------------------------------------------------------------------- recipes


@dataclass
class Data:
    """The weighed interactions of a domain, indexed for the recipes."""

    weighed: list[tuple[Interaction, float]]
    #: profile id -> item -> summed weight (every interaction, weighed or not, gives an entry)
    by_profile: dict[str, dict[str, float]] = field(default_factory=dict)
    popularity: dict[str, float] = field(default_factory=dict)

    @classmethod
    def of(cls, events: list[Interaction], config: Mapping[str, Any] | None) -> Data:
        data = cls(weigh(events, config))
        for event in events:
            data.by_profile.setdefault(event.profile_id, {}).setdefault(event.item_id, 0.0)
        for event, weight in data.weighed:
            data.by_profile[event.profile_id][event.item_id] += weight
            data.popularity[event.item_id] = data.popularity.get(event.item_id, 0.0) + weight
        return data


def _ranked(scores: Mapping[str, float], tie: Mapping[str, float] | None = None) -> list[tuple[str, float]]:
    """Items by score (then by ``tie``, then by id), scores scaled so the first is 1."""
    kept = [(item, score) for item, score in scores.items() if score > 0]
    kept.sort(key=lambda pair: (-pair[1], -(tie or {}).get(pair[0], 0.0), pair[0]))
    top = kept[0][1] if kept else 1.0
    return [(item, round(score / top, 6)) for item, score in kept]


def popular(data: Data) -> list[tuple[str, float]]:
    return _ranked(data.popularity)


def trending(data: Data, now: datetime) -> list[tuple[str, float]]:
    """Items whose weighed interactions in the last 7 days outnumber those of the 7 days before."""
    recent: dict[str, float] = {}
    before: dict[str, float] = {}
    for event, weight in data.weighed:
        if now - _TRENDING_WINDOW < event.at <= now:
            recent[event.item_id] = recent.get(event.item_id, 0.0) + weight
        elif now - 2 * _TRENDING_WINDOW < event.at <= now - _TRENDING_WINDOW:
            before[event.item_id] = before.get(event.item_id, 0.0) + weight
    growth = {item: count - before.get(item, 0.0) for item, count in recent.items()}
    return _ranked(growth, recent)


def for_profile(data: Data, profile_id: str) -> list[tuple[str, float]]:
    """Items the profile has not interacted with, by the weight of the interactions of the
    profiles that share an item with it (then by overall popularity)."""
    own = data.by_profile.get(profile_id, {})
    neighbours: dict[str, float] = {}
    for other, items in data.by_profile.items():
        if other == profile_id or not own.keys() & items.keys():
            continue
        for item, weight in items.items():
            if item not in own:
                neighbours[item] = neighbours.get(item, 0.0) + weight
    ranked = _ranked(neighbours, data.popularity)
    seen = {item for item, _ in ranked}
    rest = {item: weight for item, weight in data.popularity.items() if item not in own and item not in seen}
    # The items no neighbour had come after, scored below every neighbour's item.
    floor = min((score for _, score in ranked), default=1.0)
    return ranked + [(item, round(score * floor / 2, 6)) for item, score in _ranked(rest)]


def related(data: Data, seeds: set[str], catalog: Mapping[str, Mapping[str, Any]], *,
            similar: bool) -> list[tuple[str, float]]:
    """Items that profiles interacted with together with ``seeds`` (frequently paired: the
    summed weight of such co-occurrences). ``similar`` also adds half the top score to the
    catalog items of a seed's Category or Type."""
    scores: dict[str, float] = {}
    for items in data.by_profile.values():
        if not seeds & items.keys():
            continue
        for item, weight in items.items():
            if item not in seeds:
                scores[item] = scores.get(item, 0.0) + weight
    if similar:
        bonus = max(scores.values(), default=1.0) / 2 or 0.5
        kinds = {(norm(k), _text(v)) for s in seeds for k, v in (catalog.get(s) or {}).items()
                 if isinstance(k, str) and norm(k) in ("category", "type") and _scalar(v)}
        for item, record in catalog.items():
            if item in seeds:
                continue
            if any((norm(k), _text(v)) in kinds for k, v in record.items() if isinstance(k, str) and _scalar(v)):
                scores[item] = scores.get(item, 0.0) + bonus
    return _ranked(scores, data.popularity)


def ranking(data: Data, profile_id: str, candidates: list[str]) -> list[tuple[str, float]]:
    """The candidates, best first, for the profile: its affinity (its own interactions' weight,
    then the for-you score), then popularity; every candidate is kept."""
    own = data.by_profile.get(profile_id, {})
    mine = dict(for_profile(data, profile_id))
    top_pop = max(data.popularity.values(), default=0.0) or 1.0
    scored = {}
    for item in dict.fromkeys(candidates):
        scored[item] = (own.get(item, 0.0), mine.get(item, 0.0), data.popularity.get(item, 0.0) / top_pop)
    order = sorted(scored, key=lambda i: (-scored[i][0], -scored[i][1], -scored[i][2], i))
    count = len(order)
    return [(item, round((count - index) / count, 6)) for index, item in enumerate(order)]


def catalog_item(item: str, record: Mapping[str, Any] | None, columns: list[str] | None) -> dict[str, Any]:
    """The CatalogItem of an answer: the id, and the catalog's members (only the ``columns``
    named, when the request names some)."""
    out: dict[str, Any] = {"Id": item}
    if record is None:
        return out
    wanted = {norm(c.rpartition(".")[2]) for c in columns} if columns else None
    for member, longest in _CATALOG_MEMBERS.items():
        if wanted is not None and norm(member) not in wanted:
            continue
        value = _field({k: v for k, v in record.items() if k != "Attributes"}, norm(member))
        if value is not None and 0 < len(_text(value)) <= longest:
            out[member] = _text(value)
    attributes = record.get("Attributes")
    if isinstance(attributes, Mapping):
        kept = {k: _text(v) for k, v in attributes.items()
                if isinstance(k, str) and 0 < len(k) <= 255 and _scalar(v) and len(_text(v)) <= 255
                and (wanted is None or norm(k) in wanted)}
        if kept:
            out["Attributes"] = kept
    return out


# ------------------------------------------------------------------------------ training metrics

METRIC_NAMES = ("hit", "coverage", "recall", "popularity", "freshness", "similarity", "mean_reciprocal_rank_at_25",
                "normalized_discounted_cumulative_gain_at_5", "normalized_discounted_cumulative_gain_at_10",
                "normalized_discounted_cumulative_gain_at_25", "precision_at_5", "precision_at_10",
                "precision_at_25")


def training_metrics(events: list[Interaction], config: Mapping[str, Any] | None, catalog_ids: Iterable[str],
                     at: datetime) -> dict[str, float]:
    """Metrics of a training that ended at ``at``, from a leave-last-out test of a popularity
    ranking: each profile with two or more interactions has its latest item held out and ranked
    among the items it has not interacted with. All are numbers from 0 to 1 (0 without data)."""
    data = Data.of(events, config)
    latest: dict[str, str] = {}
    for event, _ in data.weighed:
        latest[event.profile_id] = event.item_id
    order = [item for item, _ in popular(data)]
    ranks: list[int | None] = []
    for profile_id, held in latest.items():
        items = data.by_profile.get(profile_id, {})
        if len(items) < 2:
            continue
        candidates = [item for item in order if item == held or item not in items]
        ranks.append(candidates.index(held) + 1 if held in candidates else None)
    tested = len(ranks) or 1

    def hits(k: int) -> float:
        return sum(1 for r in ranks if r is not None and r <= k) / tested

    def ndcg(k: int) -> float:
        return sum(1 / math.log2(r + 1) for r in ranks if r is not None and r <= k) / tested

    universe = set(catalog_ids) | set(data.popularity)
    top = max(data.popularity.values(), default=0.0)
    total = sum(data.popularity.values())
    fresh = sum(1 for event, _ in data.weighed if at - event.at <= _FRESH_WINDOW)
    metrics = {
        "hit": hits(25), "recall": hits(25),
        "coverage": len([i for i in data.popularity if data.popularity[i] > 0]) / len(universe) if universe else 0.0,
        "popularity": top / total if total else 0.0,
        "freshness": fresh / len(data.weighed) if data.weighed else 0.0,
        "similarity": _similarity(data),
        "mean_reciprocal_rank_at_25": sum(1 / r for r in ranks if r is not None and r <= 25) / tested,
        "normalized_discounted_cumulative_gain_at_5": ndcg(5),
        "normalized_discounted_cumulative_gain_at_10": ndcg(10),
        "normalized_discounted_cumulative_gain_at_25": ndcg(25),
        "precision_at_5": hits(5) / 5, "precision_at_10": hits(10) / 10, "precision_at_25": hits(25) / 25,
    }
    return {name: round(metrics[name], 6) for name in METRIC_NAMES}


def _similarity(data: Data) -> float:
    """The mean Jaccard overlap of the item sets of pairs of profiles (the first 200 profiles)."""
    sets = [set(items) for _, items in sorted(data.by_profile.items())[:200]]
    pairs = [(a, b) for i, a in enumerate(sets) for b in sets[i + 1:]]
    if not pairs:
        return 0.0
    return sum(len(a & b) / len(a | b) for a, b in pairs if a | b) / len(pairs)
