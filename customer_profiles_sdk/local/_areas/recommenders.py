"""Recommenders, their recipes, filters and schemas, and the recommendations they give.

Operations: CreateRecommender, CreateRecommenderFilter, CreateRecommenderSchema, DeleteRecommender,
DeleteRecommenderFilter, DeleteRecommenderSchema, GetProfileRecommendations, GetRecommender,
GetRecommenderFilter, GetRecommenderSchema, ListRecommenderFilters, ListRecommenderRecipes,
ListRecommenderSchemas, ListRecommenders, SearchRecommendations, StartRecommender, StopRecommender,
UpdateRecommender.

Statuses move on the emulator's clock (``Emulator.advance``), from the times recorded:

* A recommender is ``PENDING`` for :data:`PENDING_SECONDS` (10 s), ``IN_PROGRESS`` (training) for
  :data:`TRAINING_SECONDS` (60 s) more, then ``ACTIVE``, or ``FAILED`` when the recommender
  schema it names was deleted before its training ended (``FailureReason`` says so).
* ``StopRecommender`` (from ``ACTIVE`` only): ``STOPPING`` for 10 s, then ``INACTIVE``;
  ``StartRecommender`` (from ``INACTIVE`` only): ``STARTING`` for 10 s, then ``ACTIVE``.
* ``UpdateRecommender`` with a ``RecommenderConfig`` (or a ``RecommenderVersionName`` to roll back
  to) trains a new version, shown in ``LatestRecommenderUpdate`` (``PENDING`` 10 s,
  ``IN_PROGRESS`` 60 s, then ``ACTIVE`` or ``FAILED``). An ``ACTIVE`` recommender keeps serving
  its previous version meanwhile; a ``FAILED`` one goes through ``PENDING`` and ``IN_PROGRESS``
  again. When the update ends, its config and version become the recommender's. A
  ``Description`` alone changes at once.
* A filter is ``PENDING`` 5 s, ``IN_PROGRESS`` 10 s more, then ``ACTIVE``, or ``FAILED`` when
  its expression is not one the emulator reads (see ``_recommend``). A schema is ``ACTIVE`` at
  once.
* Deleting a recommender, filter or schema shows it ``DELETING`` for 10 s; then it is gone
  (404) and its name is free again.

Only an ``ACTIVE`` recommender gives recommendations: any other status answers
BadRequestException (400). Recommendations are computed at request time from the domain's
stored objects (``_recommend`` says which objects are interactions and catalog items).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .._errors import bad_request, not_found
from .._store import BackendBase, Domain, Params, Profile
from . import _recommend as rec

#: Seconds a new recommender (or an update) is PENDING before its training starts.
PENDING_SECONDS = 10
#: Seconds a training is IN_PROGRESS.
TRAINING_SECONDS = 60
#: Seconds a recommender is STOPPING, or STARTING.
STOPPING_SECONDS = STARTING_SECONDS = 10
#: Seconds a filter is PENDING, then IN_PROGRESS.
FILTER_PENDING_SECONDS, FILTER_BUILD_SECONDS = 5, 10
#: Seconds a deleted recommender, filter or schema is DELETING before it is gone.
DELETING_SECONDS = 10
_DEFAULT_RESULTS = 10
_SCHEMA_DELETED = "The recommender schema this recommender names was deleted before its training ended"
_FILTER_INVALID = "The filter expression is not valid: "

#: The recipes, with what the emulator's version of each does.
RECIPES = {
    "recommended-for-you": "Items the profile has not interacted with yet, ranked by how much the profiles that "
                           "share items with it interacted with them, then by overall popularity.",
    "similar-items": "Items interacted with together with the given item (Context ItemId) or the profile's items, "
                     "with a boost for catalog items of the same category or type.",
    "frequently-paired-items": "Items that profiles interacted with together with the given item (Context ItemId) "
                               "or the profile's items, ranked by how often the pair occurs.",
    "popular-items": "The items with the most (weighted) interactions across all profiles.",
    "trending-now": "Items whose interactions in the last seven days grew most over the seven days before.",
    "personalized-ranking": "The request's CandidateIds put in order for the profile: its own interactions "
                            "first, then its predicted interest, then popularity.",
}


def _seconds(value: float) -> timedelta:
    return timedelta(seconds=value)


@dataclass
class _Training:
    version: str
    config: dict[str, Any] | None
    started: datetime
    rollback: bool = False
    failure: str | None = None
    metrics: dict[str, float] | None = None

    @property
    def ends(self) -> datetime:
        return self.started + _seconds(PENDING_SECONDS + TRAINING_SECONDS)

    def status(self, now: datetime) -> str:
        if now < self.started + _seconds(PENDING_SECONDS):
            return "PENDING"
        if now < self.ends:
            return "IN_PROGRESS"
        return "FAILED" if self.failure else "ACTIVE"

    def changed(self, now: datetime) -> datetime:
        """When its status last changed."""
        for moment in (self.ends, self.started + _seconds(PENDING_SECONDS)):
            if moment <= now:
                return moment
        return self.started


@dataclass
class _Recommender:
    record: dict[str, Any]  # RecommenderName, RecommenderRecipeName, RecommenderSchemaName, Description, Tags, ...
    trainings: list[_Training]
    #: (when, status, the training whose end decides ACTIVE or FAILED when status is "TRAINED")
    timeline: list[tuple[datetime, str, _Training | None]] = field(default_factory=list)
    edited: datetime | None = None
    deleted_at: datetime | None = None

    def status(self, now: datetime) -> tuple[str, datetime, str | None]:
        """The status, when it began, and the failure reason if it is FAILED."""
        current = self.timeline[0]
        for entry in self.timeline:
            if entry[0] <= now:
                current = entry
        moment, status, training = current
        if status == "TRAINED" and training is not None:
            return ("FAILED", moment, training.failure) if training.failure else ("ACTIVE", moment, None)
        return status, moment, None

    def active(self, now: datetime) -> _Training | None:
        """The latest training that ended well: the version it serves."""
        done = [t for t in self.trainings if t.ends <= now and not t.failure]
        return done[-1] if done else None


@dataclass
class _Filter:
    record: dict[str, Any]
    parts: tuple[rec.Part, ...] | None
    failure: str | None
    deleted_at: datetime | None = None

    def status(self, now: datetime) -> str:
        if self.deleted_at is not None:
            return "DELETING"
        created: datetime = self.record["CreatedAt"]
        if now < created + _seconds(FILTER_PENDING_SECONDS):
            return "PENDING"
        if now < created + _seconds(FILTER_PENDING_SECONDS + FILTER_BUILD_SECONDS):
            return "IN_PROGRESS"
        return "FAILED" if self.failure else "ACTIVE"


@dataclass
class _Schema:
    record: dict[str, Any]
    deleted_at: datetime | None = None


@dataclass
class _State:
    recommenders: dict[str, _Recommender] = field(default_factory=dict)
    filters: dict[str, _Filter] = field(default_factory=dict)
    schemas: dict[str, _Schema] = field(default_factory=dict)


class RecommendersArea(BackendBase):
    """Recommenders, their recipes, filters and schemas, and the recommendations they give."""

    # -- state ---------------------------------------------------------------------------------
    def _recommenders_state(self, domain: Domain) -> _State:
        state: _State = self.area_state(domain, "recommenders", _State)
        # What was deleted more than DELETING_SECONDS ago is gone.
        limit = self.now() - _seconds(DELETING_SECONDS)
        for collection in (state.recommenders, state.filters, state.schemas):
            for name in [n for n, r in collection.items() if r.deleted_at is not None and r.deleted_at <= limit]:
                del collection[name]
        return state

    def tagged_records_recommenders(self, domain: Domain) -> dict[str, dict[str, dict[str, Any]]]:
        """The records that TagResource can tag, by the ARN's resource kind."""
        state = self._recommenders_state(domain)
        return {"recommenders": {n: r.record for n, r in state.recommenders.items()},
                "recommender-filters": {n: f.record for n, f in state.filters.items()},
                "recommender-schemas": {n: s.record for n, s in state.schemas.items()}}

    def _recommender(self, state: _State, name: str, *, changing: bool = False) -> _Recommender:
        found = state.recommenders.get(name)
        if found is None:
            raise not_found("Recommender not found")
        if changing and found.deleted_at is not None:
            raise bad_request("The recommender is being deleted")
        return found

    def _schema_in_use(self, state: _State, name: str | None) -> None:
        if name is None:
            return
        schema = state.schemas.get(name)
        if schema is None:
            raise not_found("Recommender schema not found")
        if schema.deleted_at is not None:
            raise bad_request("The recommender schema is being deleted")

    def _new_version(self, found: _Recommender | None, name: str, at: datetime) -> str:
        taken = {t.version for t in found.trainings} if found else set()
        moment = at
        while (version := f"{name}/{moment:%Y-%m-%dT%H-%M-%SZ}") in taken:
            moment += _seconds(1)
        return version

    @staticmethod
    def _check_columns(config: dict[str, Any] | None) -> None:
        for member in ("IncludedColumns", "ExcludedColumns"):
            for key in ((config or {}).get(member) or {}):
                if key not in rec.DATASET_TYPES:
                    raise bad_request(f"RecommenderConfig.{member} takes the dataset types "
                                      f"{' and '.join(rec.DATASET_TYPES)} as keys")

    # -- recommenders --------------------------------------------------------------------------
    def op_CreateRecommender(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        state = self._recommenders_state(domain)
        name = params["RecommenderName"]
        if name in state.recommenders:
            raise bad_request("A recommender with this name already exists in the domain")
        self._schema_in_use(state, params.get("RecommenderSchemaName"))
        self._check_columns(params.get("RecommenderConfig"))
        now = self.now()
        arn = self._arn("domains", params["DomainName"], "recommenders", name)
        record = {"RecommenderName": name, "RecommenderRecipeName": params["RecommenderRecipeName"],
                  "RecommenderSchemaName": params.get("RecommenderSchemaName"),
                  "Description": params.get("Description"), "Tags": self._tags(params), "CreatedAt": now,
                  "RecommenderArn": arn}
        training = _Training(self._new_version(None, name, now), params.get("RecommenderConfig"), now)
        found = _Recommender(record, [training])
        found.timeline = [(now, "PENDING", None), (now + _seconds(PENDING_SECONDS), "IN_PROGRESS", None),
                          (training.ends, "TRAINED", training)]
        state.recommenders[name] = found
        return {"RecommenderArn": arn, "Tags": record["Tags"]}

    def _describe(self, domain: Domain, found: _Recommender, *, summary: bool, metrics: int = 0) -> dict[str, Any]:
        now = self.now()
        status, since, failure = found.status(now)
        if found.deleted_at is not None:
            status, since, failure = "DELETING", found.deleted_at, None
        active = found.active(now)
        out = {key: value for key, value in found.record.items() if key != "RecommenderArn"}
        out.update(Status=status, FailureReason=failure,
                   LastUpdatedAt=max(since, found.edited or since),
                   RecommenderConfig=(active or found.trainings[0]).config)
        if len(found.trainings) > 1:
            update = found.trainings[-1]
            out["LatestRecommenderUpdate"] = {
                "RecommenderConfig": update.config, "Status": update.status(now), "CreatedAt": update.started,
                "LastUpdatedAt": update.changed(now), "FailureReason": update.failure if update.ends <= now else None,
                "RecommenderVersionName": update.version}
        if summary:
            out["RecipeName"] = out.pop("RecommenderRecipeName")
            return self._project(out, "RecommenderSummary")
        if active is not None:
            out["ActiveRecommenderVersionName"] = active.version
        if metrics:
            done = [t for t in found.trainings if t.ends <= now and not t.failure and not t.rollback]
            items = []
            for training in reversed(done[-metrics:]):
                if training.metrics is None:
                    training.metrics = rec.training_metrics(rec.interactions(domain, training.ends), training.config,
                                                            rec.catalog(domain), training.ends)
                items.append({"Time": training.ends, "Metrics": dict(training.metrics)})
            out["TrainingMetrics"] = items
        return self._project(out, "GetRecommenderResponse")

    def op_GetRecommender(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        found = self._recommender(self._recommenders_state(domain), params["RecommenderName"])
        count = params.get("TrainingMetricsCount")
        return self._describe(domain, found, summary=False, metrics=1 if count is None else count)

    def op_ListRecommenders(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        state = self._recommenders_state(domain)
        items = [self._describe(domain, found, summary=True) for _, found in sorted(state.recommenders.items())]
        page, token = self._page(items, params, 100, ["ListRecommenders", params["DomainName"]])
        return {"Recommenders": page, "NextToken": token}

    def op_UpdateRecommender(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        state = self._recommenders_state(domain)
        name = params["RecommenderName"]
        found = self._recommender(state, name, changing=True)
        now = self.now()
        config, version = params.get("RecommenderConfig"), params.get("RecommenderVersionName")
        if config is not None and version is not None:
            raise bad_request("Give RecommenderConfig or RecommenderVersionName, not both")
        if config is not None or version is not None:
            status = found.status(now)[0]
            if status not in ("ACTIVE", "INACTIVE", "FAILED"):
                raise bad_request("The recommender can be updated only when it is ACTIVE, INACTIVE or FAILED")
            if found.trainings[-1].status(now) in ("PENDING", "IN_PROGRESS"):
                raise bad_request("An update of the recommender is in progress")
            self._check_columns(config)
            if version is not None:
                target = next((t for t in found.trainings if t.version == version and t.ends <= now
                               and not t.failure and not t.rollback), None)
                if target is None:
                    raise not_found("Recommender version not found")
                training = _Training(version, target.config, now, rollback=True)
            else:
                training = _Training(self._new_version(found, name, now), config, now)
            schema_name = found.record.get("RecommenderSchemaName")
            schema = state.schemas.get(schema_name) if schema_name is not None else None
            if schema_name is not None and (schema is None or schema.deleted_at is not None):
                training.failure = _SCHEMA_DELETED
            found.trainings.append(training)
            if status == "FAILED":
                found.timeline += [(now, "PENDING", None), (now + _seconds(PENDING_SECONDS), "IN_PROGRESS", None),
                                   (training.ends, "TRAINED", training)]
        if "Description" in params:
            found.record["Description"] = params["Description"]
            found.edited = now
        return {"RecommenderName": name}

    def op_StartRecommender(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        found = self._recommender(self._recommenders_state(domain), params["RecommenderName"], changing=True)
        now = self.now()
        if found.status(now)[0] != "INACTIVE":
            raise bad_request("Only an INACTIVE recommender can be started")
        found.timeline += [(now, "STARTING", None), (now + _seconds(STARTING_SECONDS), "ACTIVE", None)]
        return {}

    def op_StopRecommender(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        found = self._recommender(self._recommenders_state(domain), params["RecommenderName"], changing=True)
        now = self.now()
        if found.status(now)[0] != "ACTIVE":
            raise bad_request("Only an ACTIVE recommender can be stopped")
        found.timeline += [(now, "STOPPING", None), (now + _seconds(STOPPING_SECONDS), "INACTIVE", None)]
        return {}

    def op_DeleteRecommender(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        found = self._recommender(self._recommenders_state(domain), params["RecommenderName"], changing=True)
        found.deleted_at = self.now()
        return {}

    # -- recipes -------------------------------------------------------------------------------
    def op_ListRecommenderRecipes(self, params: Params) -> dict[str, Any]:
        items = [{"name": name, "description": text} for name, text in RECIPES.items()]
        page, token = self._page(items, params, 100, ["ListRecommenderRecipes"])
        return {"RecommenderRecipes": page, "NextToken": token}

    # -- filters -------------------------------------------------------------------------------
    def op_CreateRecommenderFilter(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        state = self._recommenders_state(domain)
        name = params["RecommenderFilterName"]
        if name in state.filters:
            raise bad_request("A recommender filter with this name already exists in the domain")
        self._schema_in_use(state, params.get("RecommenderSchemaName"))
        parts: tuple[rec.Part, ...] | None = None
        failure = None
        try:
            parts = rec.parse_filter(params["RecommenderFilterExpression"])
        except ValueError as error:  # the reason names the rule, never a value of the expression
            failure = _FILTER_INVALID + str(error)
        arn = self._arn("domains", params["DomainName"], "recommender-filters", name)
        record = {"RecommenderFilterName": name, "RecommenderFilterExpression": params["RecommenderFilterExpression"],
                  "RecommenderSchemaName": params.get("RecommenderSchemaName"),
                  "Description": params.get("Description"), "Tags": self._tags(params), "CreatedAt": self.now()}
        state.filters[name] = _Filter(record, parts, failure)
        return {"RecommenderFilterArn": arn, "Tags": record["Tags"]}

    def _filter_out(self, found: _Filter, shape: str) -> dict[str, Any]:
        status = found.status(self.now())
        return self._project({**found.record, "Status": status,
                              "FailureReason": found.failure if status == "FAILED" else None}, shape)

    def _filter(self, state: _State, name: str) -> _Filter:
        found = state.filters.get(name)
        if found is None:
            raise not_found("Recommender filter not found")
        return found

    def op_GetRecommenderFilter(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        found = self._filter(self._recommenders_state(domain), params["RecommenderFilterName"])
        return self._filter_out(found, "GetRecommenderFilterResponse")

    def op_ListRecommenderFilters(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        state = self._recommenders_state(domain)
        items = [self._filter_out(found, "RecommenderFilterSummary") for _, found in sorted(state.filters.items())]
        page, token = self._page(items, params, 100, ["ListRecommenderFilters", params["DomainName"]])
        return {"RecommenderFilters": page, "NextToken": token}

    def op_DeleteRecommenderFilter(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        found = self._filter(self._recommenders_state(domain), params["RecommenderFilterName"])
        if found.deleted_at is not None:
            raise bad_request("The recommender filter is being deleted")
        found.deleted_at = self.now()
        return {"Message": "The recommender filter is being deleted"}

    # -- schemas -------------------------------------------------------------------------------
    def op_CreateRecommenderSchema(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        state = self._recommenders_state(domain)
        name = params["RecommenderSchemaName"]
        if name in state.schemas:
            raise bad_request("A recommender schema with this name already exists in the domain")
        for key, columns in params["Fields"].items():
            if key not in rec.DATASET_TYPES:
                raise bad_request(f"Fields takes the dataset types {' and '.join(rec.DATASET_TYPES)} as keys")
            names = [column["TargetFieldName"] for column in columns]
            if len(set(names)) != len(names):
                raise bad_request("Fields names a TargetFieldName twice for one dataset type")
        record = {"RecommenderSchemaName": name, "Fields": params["Fields"], "CreatedAt": self.now(),
                  "Tags": self._tags(params),
                  "RecommenderSchemaArn": self._arn("domains", params["DomainName"], "recommender-schemas", name)}
        state.schemas[name] = _Schema(record)
        return self._project({**record, "Status": "ACTIVE"}, "CreateRecommenderSchemaResponse")

    def _schema(self, state: _State, name: str) -> _Schema:
        found = state.schemas.get(name)
        if found is None:
            raise not_found("Recommender schema not found")
        return found

    def _schema_out(self, found: _Schema, shape: str) -> dict[str, Any]:
        status = "ACTIVE" if found.deleted_at is None else "DELETING"
        return self._project({**found.record, "Status": status}, shape)

    def op_GetRecommenderSchema(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        found = self._schema(self._recommenders_state(domain), params["RecommenderSchemaName"])
        return self._schema_out(found, "GetRecommenderSchemaResponse")

    def op_ListRecommenderSchemas(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        state = self._recommenders_state(domain)
        items = [self._schema_out(found, "RecommenderSchemaSummary") for _, found in sorted(state.schemas.items())]
        page, token = self._page(items, params, 100, ["ListRecommenderSchemas", params["DomainName"]])
        return {"RecommenderSchemas": page, "NextToken": token}

    def op_DeleteRecommenderSchema(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        state = self._recommenders_state(domain)
        name = params["RecommenderSchemaName"]
        found = self._schema(state, name)
        if found.deleted_at is not None:
            raise bad_request("The recommender schema is being deleted")
        now = found.deleted_at = self.now()
        # The trainings still running on this schema fail when they end.
        for recommender in state.recommenders.values():
            if recommender.record.get("RecommenderSchemaName") != name:
                continue
            for training in recommender.trainings:
                if training.ends > now and training.failure is None:
                    training.failure = _SCHEMA_DELETED
        return {}

    # -- recommendations -----------------------------------------------------------------------
    def _recommend(self, domain: Domain, state: _State, profile: Profile, recommender: dict[str, Any],
                   params: Params, limit: int) -> list[dict[str, Any]]:
        found = self._recommender(state, recommender["Name"])
        now = self.now()
        status = "DELETING" if found.deleted_at is not None else found.status(now)[0]
        if status != "ACTIVE":
            raise bad_request("The recommender is not ACTIVE: only an ACTIVE recommender gives recommendations")
        active = found.active(now)
        config = active.config if active else None
        recipe = found.record["RecommenderRecipeName"]
        every = rec.interactions(domain)
        data = rec.Data.of(every, config)
        catalog = rec.catalog(domain)
        own = data.by_profile.get(profile.profile_id, {})
        candidates = params.get("CandidateIds")
        context = params.get("Context") or {}
        if recipe == "personalized-ranking":
            if not candidates:
                raise bad_request("CandidateIds is required by a recommender of the personalized-ranking recipe")
            ranked = rec.ranking(data, profile.profile_id, candidates)
        elif recipe == "recommended-for-you":
            ranked = rec.for_profile(data, profile.profile_id)
        elif recipe in ("similar-items", "frequently-paired-items"):
            seeds = {v for k, v in context.items() if rec.norm(k) == "itemid"} or set(own)
            ranked = [pair for pair in rec.related(data, seeds, catalog, similar=recipe == "similar-items")
                      if pair[0] not in own]
        elif recipe == "trending-now":
            ranked = rec.trending(data, now)
        else:
            ranked = rec.popular(data)
        if candidates and recipe != "personalized-ranking":
            allowed = set(candidates)
            ranked = [pair for pair in ranked if pair[0] in allowed]
        events: dict[str, set[str]] = {}
        for event in every:
            if event.profile_id == profile.profile_id and event.event_type is not None:
                events.setdefault(event.item_id, set()).add(event.event_type)
        profile_record = profile.wire()

        def applied(spec: dict[str, Any], where: str) -> tuple[tuple[rec.Part, ...], rec.FilterContext]:
            if not spec.get("Name"):
                raise bad_request(f"{where}.Name is required")
            chosen = self._filter(state, spec["Name"])
            if chosen.status(now) != "ACTIVE" or chosen.parts is None:
                raise bad_request(f"The filter that {where}.Name names is not ACTIVE")
            values = rec.filter_values(chosen.parts, spec.get("Values") or {})
            return chosen.parts, rec.FilterContext(catalog, profile_record, events, values)

        filters = recommender.get("Filters") or []
        if filters:
            parts, filter_context = applied(filters[0], "RecommenderFilters[0]")
            ranked = [pair for pair in ranked if rec.passes(parts, pair[0], filter_context)]
        chosen_items = ranked[:limit]
        promotions = recommender.get("PromotionalFilters") or []
        if promotions:
            spec = promotions[0]
            parts, filter_context = applied(spec, "RecommenderPromotionalFilters[0]")
            if spec.get("PercentPromotedItems") is None:
                raise bad_request("RecommenderPromotionalFilters[0].PercentPromotedItems is required")
            slots = min(limit, math.ceil(limit * spec["PercentPromotedItems"] / 100))
            promoted = [pair for pair in ranked if rec.passes(parts, pair[0], filter_context)][:slots]
            taken = {item for item, _ in promoted}
            others = [pair for pair in ranked if pair[0] not in taken][:limit - len(promoted)]
            order = {item: index for index, (item, _) in enumerate(ranked)}
            chosen_items = sorted(promoted + others, key=lambda pair: order[pair[0]])
        columns = params.get("Columns")
        return [{"CatalogItem": rec.catalog_item(item, catalog.get(item), columns), "Score": score}
                for item, score in chosen_items]

    def op_GetProfileRecommendations(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        profile = self._profile(domain, params["ProfileId"])
        state = self._recommenders_state(domain)
        recommender = {"Name": params["RecommenderName"], "Filters": params.get("RecommenderFilters"),
                       "PromotionalFilters": params.get("RecommenderPromotionalFilters")}
        request = {"CandidateIds": params.get("CandidateIds"), "Context": params.get("Context"),
                   "Columns": (params.get("MetadataConfig") or {}).get("MetadataColumns")}
        items = self._recommend(domain, state, profile, recommender, request,
                                params.get("MaxResults") or _DEFAULT_RESULTS)
        return {"Recommendations": items}

    def op_SearchRecommendations(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        state = self._recommenders_state(domain)
        self._recommender(state, params["Recommender"]["Name"])
        found = domain.found_by(params["KeyName"], params["KeyValues"])
        if not found:
            raise not_found("No profile matches the search key")
        if len(found) > 1:
            raise bad_request("The search key matches more than one profile: it must match exactly one")
        profile = domain.profiles[next(iter(found))]
        request = {"CandidateIds": params.get("CandidateIds"), "Context": params.get("Context"),
                   "Columns": (params.get("Metadata") or {}).get("Columns")}
        items = self._recommend(domain, state, profile, params["Recommender"], request,
                                params.get("MaxRecommendations") or _DEFAULT_RESULTS)
        return {"ProfileId": profile.profile_id, "Recommendations": items}
