"""Segment definitions, estimates, snapshots, membership, subscriptions and their stream associations.

Operations: AssociateStreamForSegments, CreateSegmentDefinition, CreateSegmentEstimate,
CreateSegmentSnapshot, DeleteSegmentDefinition, DeleteSegmentSubscription,
DisassociateStreamForSegments, GetSegmentDefinition, GetSegmentEstimate, GetSegmentMembership,
GetSegmentSnapshot, GetSegmentSubscription, GetStreamForSegments, ListSegmentDefinitions,
ListSegmentSubscriptionEvents, PutSegmentSubscription.

Membership is evaluated against the domain's current profiles (_segment_eval says how a definition
is read). The long-running parts move on the emulator's clock:

* an estimate counts the profiles when it is created and is ``RUNNING`` (HTTP 202) for
  :data:`ESTIMATE_SECONDS`, then ``SUCCEEDED`` (HTTP 200) with the count;
* a snapshot takes the segment's profiles (in SegmentSort's order) when it is created and is
  ``IN_PROGRESS`` for :data:`SNAPSHOT_SECONDS`, then ``COMPLETED``;
* a subscription is ``STARTING`` for :data:`SUBSCRIPTION_START_SECONDS`, then ``RUNNING``. Without a
  ScheduleConfiguration, every profile change that moves a profile into or out of the segment
  records a ``LIVE`` event (JOINED / LEFT) once it runs; with one, the changes are recorded as
  ``SCHEDULE`` events at each scheduled execution (every ``Interval`` hours from StartedAt).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from .. import _calc
from .._errors import EmulatorError, bad_request, not_found
from .._store import BackendBase, Domain, Params, Profile, ProfileEvent
from . import _segment_eval as seval

#: Seconds an estimate stays RUNNING (answered with HTTP 202) before it SUCCEEDED.
ESTIMATE_SECONDS = 5
#: Seconds a snapshot stays IN_PROGRESS before it is COMPLETED.
SNAPSHOT_SECONDS = 30
#: Seconds a subscription stays STARTING before it is RUNNING.
SUBSCRIPTION_START_SECONDS = 10
_AREA = "segments"
_DELETED = "deleted"


@dataclass
class _Subscription:
    record: dict[str, Any]
    #: Ids of the profiles in the segment as last seen (the baseline of the events).
    members: set[str]
    #: The last scheduled execution that was carried out (scheduled subscriptions).
    last_run: datetime | None = None


@dataclass(repr=False)
class _State:
    definitions: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Parsed SQL conditions of ENHANCED definitions, by name.
    conditions: dict[str, seval.Node] = field(default_factory=dict)
    estimates: dict[str, dict[str, Any]] = field(default_factory=dict)
    snapshots: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    subscriptions: dict[str, _Subscription] = field(default_factory=dict)
    events: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    stream: dict[str, Any] | None = None

    def __repr__(self) -> str:
        return f"_State(definitions={len(self.definitions)}, subscriptions={len(self.subscriptions)})"


class SegmentsArea(BackendBase):
    """Segment definitions, estimates, snapshots, membership, subscriptions and their stream associations."""

    # -- state and evaluation ------------------------------------------------------------------
    def tagged_records_segments(self, domain: Domain) -> dict[str, dict[str, dict[str, Any]]]:
        """The records that TagResource can tag, by the ARN's resource kind."""
        return {"segment-definitions": cast(_State, self.area_state(domain, _AREA, _State)).definitions}

    def _segments(self, domain: Domain) -> _State:
        return cast(_State, self.area_state(domain, _AREA, _State))

    def _segment(self, state: _State, name: str) -> dict[str, Any]:
        record = state.definitions.get(name)
        if record is None:
            raise not_found("Segment definition not found")
        return record

    def _check_query(self, domain: Domain, state: _State, groups: Mapping[str, Any] | None,
                     sql: str | None, path: str) -> seval.Node | None:
        """Refuse a query the service would refuse (or the emulator cannot read); the parsed SQL."""
        if (groups is None) == (sql is None):
            raise bad_request(f"{path}: give exactly one of the segment groups and SegmentSqlQuery")
        if sql is not None:
            return seval.parse_sql(sql)
        assert groups is not None
        seval.check_groups(groups, path, calculated=lambda name: name in domain.calculated,
                           segment=lambda name: name in state.definitions, range_check=_check_range)
        return None

    def _calculated_value(self, domain: Domain, profile_id: str, name: str,
                          override: Mapping[str, Any] | None) -> str | None:
        record = domain.calculated.get(name)
        if record is None:
            return None
        value = cast(Any, self)._evaluate(domain, record, profile_id, override)["Value"]
        return value if isinstance(value, str) else None

    def _in_query(self, domain: Domain, state: _State, groups: Mapping[str, Any] | None, condition: seval.Node | None,
                  profile: Profile, trail: tuple[str, ...] = (), known: dict[str, bool] | None = None) -> bool:
        """Whether ``profile`` is in the segment a query defines. ``trail`` is the chain of
        segments being evaluated: a cycle or a chain deeper than MAX_DEPTH counts as outside.
        ``known`` holds the source segments already decided for this profile in this
        evaluation, so each segment is evaluated at most once per profile however many
        definitions name it (segments built on segments share sources: without it, the work
        grows exponentially with the depth of the chain)."""
        data = profile.wire()
        if condition is not None:
            return seval.sql_holds(condition, data) is True
        decided: dict[str, bool] = {} if known is None else known

        def member_of(name: str) -> bool:
            if name in decided:
                return decided[name]
            record = state.definitions.get(name)
            if record is None or name in trail or len(trail) >= seval.MAX_DEPTH:
                return False
            decided[name] = inside = self._in_query(domain, state, record.get("SegmentGroups"),
                                                    state.conditions.get(name), profile, (*trail, name), decided)
            return inside

        def calc(name: str, override: Mapping[str, Any] | None) -> str | None:
            return self._calculated_value(domain, profile.profile_id, name, override)

        return seval.in_groups(groups or {}, data, calc, member_of)

    def _in_segment(self, domain: Domain, state: _State, name: str, profile: Profile) -> bool:
        record = state.definitions[name]
        return self._in_query(domain, state, record.get("SegmentGroups"), state.conditions.get(name), profile, (name,))

    def _members(self, domain: Domain, state: _State, name: str) -> list[Profile]:
        """The segment's profiles now, in creation order."""
        return [p for p in sorted(domain.profiles.values(), key=lambda p: p.rank)
                if self._in_segment(domain, state, name, p)]

    def _sorted(self, domain: Domain, record: Mapping[str, Any], members: list[Profile]) -> list[dict[str, Any]]:
        profiles: list[Mapping[str, Any]] = [p.wire() for p in members]
        sort = record.get("SegmentSort")
        if sort:
            def calc_of(data: Mapping[str, Any], name: str) -> str | None:
                return self._calculated_value(domain, str(data["ProfileId"]), name, None)

            profiles = seval.sort_profiles(profiles, sort["Attributes"], calc_of)
        return [dict(p) for p in profiles]

    # -- definitions ---------------------------------------------------------------------------
    def op_CreateSegmentDefinition(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        state = self._segments(domain)
        name = params["SegmentDefinitionName"]
        if name in state.definitions:
            raise bad_request("A segment definition with this name already exists")
        condition = self._check_query(domain, state, params.get("SegmentGroups"), params.get("SegmentSqlQuery"),
                                      "SegmentGroups")
        for index, attribute in enumerate((params.get("SegmentSort") or {}).get("Attributes") or []):
            if attribute.get("Type") == "CALCULATED" and attribute["Name"] not in domain.calculated:
                raise bad_request(f"Invalid segment definition at SegmentSort.Attributes[{index}].Name: names a "
                                  "calculated attribute definition that does not exist")
        record = {key: value for key, value in params.items() if key != "DomainName"}
        record.update(CreatedAt=self.now(), Tags=self._tags(params),
                      SegmentType="CLASSIC" if condition is None else "ENHANCED",
                      SegmentDefinitionArn=self._arn("domains", domain.record["DomainName"], "segment-definitions",
                                                     name))
        state.definitions[name] = record
        if condition is not None:
            state.conditions[name] = condition
        return self._project(record, "CreateSegmentDefinitionResponse")

    def op_GetSegmentDefinition(self, params: Params) -> dict[str, Any]:
        state = self._segments(self._domain(params["DomainName"]))
        return self._project(self._segment(state, params["SegmentDefinitionName"]), "GetSegmentDefinitionResponse")

    def op_ListSegmentDefinitions(self, params: Params) -> dict[str, Any]:
        state = self._segments(self._domain(params["DomainName"]))
        items = [self._project(record, "SegmentDefinitionItem") for _, record in sorted(state.definitions.items())]
        page, token = self._page(items, params, 100, ["ListSegmentDefinitions", params["DomainName"]])
        return {"Items": page, "NextToken": token}

    def op_DeleteSegmentDefinition(self, params: Params) -> dict[str, Any]:
        state = self._segments(self._domain(params["DomainName"]))
        name = params["SegmentDefinitionName"]
        self._segment(state, name)
        del state.definitions[name]
        state.conditions.pop(name, None)
        state.snapshots.pop(name, None)
        state.subscriptions.pop(name, None)
        state.events.pop(name, None)
        return {"Message": _DELETED}

    # -- estimates -----------------------------------------------------------------------------
    def op_CreateSegmentEstimate(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        state = self._segments(domain)
        groups, sql = params.get("SegmentQuery"), params.get("SegmentSqlQuery")
        condition = self._check_query(domain, state, groups, sql, "SegmentQuery")
        count = sum(1 for p in domain.profiles.values() if self._in_query(domain, state, groups, condition, p))
        estimate_id = self.new_id().hex
        state.estimates[estimate_id] = {"EstimateId": estimate_id, "CreatedAt": self.now(), "Count": count}
        return {"DomainName": params["DomainName"], "EstimateId": estimate_id, "StatusCode": 202}

    def op_GetSegmentEstimate(self, params: Params) -> dict[str, Any]:
        state = self._segments(self._domain(params["DomainName"]))
        estimate = state.estimates.get(params["EstimateId"])
        if estimate is None:
            raise not_found("Segment estimate not found")
        out = {"DomainName": params["DomainName"], "EstimateId": estimate["EstimateId"]}
        if self.now() < estimate["CreatedAt"] + timedelta(seconds=ESTIMATE_SECONDS):
            return {**out, "Status": "RUNNING", "StatusCode": 202}
        return {**out, "Status": "SUCCEEDED", "Estimate": str(estimate["Count"]), "StatusCode": 200}

    # -- snapshots and membership --------------------------------------------------------------
    def op_CreateSegmentSnapshot(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        state = self._segments(domain)
        name = params["SegmentDefinitionName"]
        record = self._segment(state, name)
        snapshot_id = self.new_id().hex
        snapshot = {key: params.get(key) for key in ("DataFormat", "EncryptionKey", "RoleArn", "DestinationUri")}
        snapshot.update(SnapshotId=snapshot_id, CreatedAt=self.now(),
                        Profiles=self._sorted(domain, record, self._members(domain, state, name)))
        state.snapshots.setdefault(name, {})[snapshot_id] = snapshot
        return {"SnapshotId": snapshot_id}

    def _snapshot(self, params: Params) -> dict[str, Any]:
        state = self._segments(self._domain(params["DomainName"]))
        self._segment(state, params["SegmentDefinitionName"])
        snapshot = state.snapshots.get(params["SegmentDefinitionName"], {}).get(params["SnapshotId"])
        if snapshot is None:
            raise not_found("Segment snapshot not found")
        return snapshot

    def op_GetSegmentSnapshot(self, params: Params) -> dict[str, Any]:
        snapshot = self._snapshot(params)
        done = self.now() >= snapshot["CreatedAt"] + timedelta(seconds=SNAPSHOT_SECONDS)
        return self._project({**snapshot, "Status": "COMPLETED" if done else "IN_PROGRESS"},
                             "GetSegmentSnapshotResponse")

    def segment_snapshot_profiles(self, domain_name: str, segment: str, snapshot_id: str) -> list[dict[str, Any]]:
        """For tests: the profiles (wire dicts) a snapshot holds, in SegmentSort's order; 404s as
        GetSegmentSnapshot. The service writes them to the snapshot's destination."""
        with self._lock:
            params = {"DomainName": domain_name, "SegmentDefinitionName": segment, "SnapshotId": snapshot_id}
            return [dict(p) for p in self._snapshot(params)["Profiles"]]

    def op_GetSegmentMembership(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        state = self._segments(domain)
        name = params["SegmentDefinitionName"]
        self._segment(state, name)
        profiles, failures = [], []
        for profile_id in dict.fromkeys(params["ProfileIds"]):
            profile = domain.profiles.get(profile_id)
            if profile is None:
                failures.append({"ProfileId": profile_id, "Message": "Profile not found", "Status": 404})
            elif self._in_segment(domain, state, name, profile):
                profiles.append({"ProfileId": profile_id, "QueryResult": "PRESENT", "Profile": profile.wire()})
            else:
                profiles.append({"ProfileId": profile_id, "QueryResult": "ABSENT"})
        return {"SegmentDefinitionName": name, "Profiles": profiles, "Failures": failures,
                "LastComputedAt": self.now()}

    # -- subscriptions -------------------------------------------------------------------------
    def _subscription_status(self, subscription: _Subscription) -> str:
        started = subscription.record["StartedAt"]
        running = self.now() >= started + timedelta(seconds=SUBSCRIPTION_START_SECONDS)
        return "RUNNING" if running else "STARTING"

    def _due_run(self, subscription: _Subscription) -> datetime | None:
        """The latest scheduled execution not later than now (None: none, or not scheduled)."""
        schedule = subscription.record.get("ScheduleConfiguration")
        if not schedule:
            return None
        interval = timedelta(hours=schedule["Interval"])
        started: datetime = subscription.record["StartedAt"]
        runs = (self.now() - started) // interval
        return started + runs * interval if runs >= 1 else None

    def _catch_up(self, domain: Domain, state: _State, name: str) -> None:
        """Carry out the scheduled execution that is due: the changes since the last one become
        SCHEDULE events (all runs that are due at once are one run: nothing changed between them)."""
        subscription = state.subscriptions.get(name)
        if subscription is None:
            return
        due = self._due_run(subscription)
        if due is None or (subscription.last_run is not None and due <= subscription.last_run):
            return
        subscription.last_run = due
        now_members = {p.profile_id for p in self._members(domain, state, name)}
        events = state.events.setdefault(name, [])
        for profile_id in sorted(now_members - subscription.members, key=lambda i: domain.profiles[i].rank):
            events.append({"ProfileId": profile_id, "UpdatedAt": due, "EventType": "SCHEDULE", "Event": "JOINED"})
        for profile_id in sorted(subscription.members - now_members):
            events.append({"ProfileId": profile_id, "UpdatedAt": due, "EventType": "SCHEDULE", "Event": "LEFT"})
        subscription.members = now_members

    def on_profile_event_segments(self, event: ProfileEvent) -> None:
        """Follow profile changes for the segments that have a subscription."""
        state = event.domain.areas.get(_AREA)
        if not isinstance(state, _State) or not state.subscriptions:
            return
        profile = event.domain.profiles.get(event.profile_id)
        for name, subscription in state.subscriptions.items():
            if subscription.record.get("ScheduleConfiguration"):
                continue  # scheduled: the next execution picks the change up
            inside = profile is not None and self._in_segment(event.domain, state, name, profile)
            was = event.profile_id in subscription.members
            if inside == was:
                continue
            if inside:
                subscription.members.add(event.profile_id)
            else:
                subscription.members.discard(event.profile_id)
            if self._subscription_status(subscription) == "RUNNING":
                state.events.setdefault(name, []).append({
                    "ProfileId": event.profile_id, "UpdatedAt": self.now(), "EventType": "LIVE",
                    "Event": "JOINED" if inside else "LEFT"})

    def _subscription_answer(self, subscription: _Subscription) -> dict[str, Any]:
        record = {**subscription.record, "Status": self._subscription_status(subscription)}
        schedule = record.get("ScheduleConfiguration")
        if schedule:
            interval = timedelta(hours=schedule["Interval"])
            last = self._due_run(subscription)
            following = (last or record["StartedAt"]) + interval
            record["ScheduledExecutions"] = {"NextExecutedAt": following, "LastExecutedAt": last}
        return record

    def op_PutSegmentSubscription(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        state = self._segments(domain)
        name = params["SegmentDefinitionName"]
        self._segment(state, name)
        self._catch_up(domain, state, name)
        now = self.now()
        schedule = params.get("ScheduleConfiguration")
        if schedule:
            schedule = {"Unit": "HOURLY", **schedule}
        current = state.subscriptions.get(name)
        if current is None:
            members = {p.profile_id for p in self._members(domain, state, name)}
            record = {"StartedAt": now, "LastUpdatedAt": now, "ScheduleConfiguration": schedule}
            current = state.subscriptions[name] = _Subscription(record, members)
        else:
            if schedule != current.record.get("ScheduleConfiguration"):
                # A new schedule counts from now; the members are the baseline of its first run.
                current.record["StartedAt"] = now
                current.last_run = None
            current.record.update(LastUpdatedAt=now, ScheduleConfiguration=schedule)
        return self._project(self._subscription_answer(current), "PutSegmentSubscriptionResponse")

    def _existing_subscription(self, params: Params) -> tuple[Domain, _State, _Subscription]:
        domain = self._domain(params["DomainName"])
        state = self._segments(domain)
        name = params["SegmentDefinitionName"]
        self._segment(state, name)
        subscription = state.subscriptions.get(name)
        if subscription is None:
            raise not_found("Segment subscription not found")
        self._catch_up(domain, state, name)
        return domain, state, subscription

    def op_GetSegmentSubscription(self, params: Params) -> dict[str, Any]:
        _, _, subscription = self._existing_subscription(params)
        return self._project(self._subscription_answer(subscription), "GetSegmentSubscriptionResponse")

    def op_DeleteSegmentSubscription(self, params: Params) -> dict[str, Any]:
        _, state, _ = self._existing_subscription(params)
        del state.subscriptions[params["SegmentDefinitionName"]]
        return {"Message": _DELETED}

    def op_ListSegmentSubscriptionEvents(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        state = self._segments(domain)
        name = params["SegmentDefinitionName"]
        self._segment(state, name)
        self._catch_up(domain, state, name)
        events = list(state.events.get(name, []))
        page, token = self._page(events, params, 100, ["ListSegmentSubscriptionEvents", params["DomainName"], name])
        return {"Events": page, "NextToken": token}

    # -- the stream of segment events ----------------------------------------------------------
    def op_AssociateStreamForSegments(self, params: Params) -> dict[str, Any]:
        state = self._segments(self._domain(params["DomainName"]))
        if state.stream is not None and state.stream["State"] != "STOPPED":
            raise bad_request("A stream is already associated with the segments of this domain")
        state.stream = {"DestinationArn": params["DestinationArn"], "DestinationRoleArn": params["DestinationRoleArn"],
                        "AssociatedAt": self.now(), "State": "RUNNING"}
        return {}

    def op_GetStreamForSegments(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        state = self._segments(domain)
        if state.stream is None:
            raise not_found("No stream is associated with the segments of this domain")
        segments = []
        if state.stream["State"] == "RUNNING":
            segments = [{"SegmentName": name, "Status": self._subscription_status(subscription)}
                        for name, subscription in sorted(state.subscriptions.items())]
        return {**state.stream, "DomainName": params["DomainName"], "AssociatedSegments": segments}

    def op_DisassociateStreamForSegments(self, params: Params) -> dict[str, Any]:
        state = self._segments(self._domain(params["DomainName"]))
        if state.stream is None or state.stream["State"] == "STOPPED":
            raise not_found("No stream is associated with the segments of this domain")
        state.stream.update(State="STOPPED", DisassociatedAt=self.now())
        return {"Message": _DELETED}


def _check_range(override: Mapping[str, Any]) -> None:
    """A calculated attribute dimension's Range override, checked as the calculated area checks one."""
    try:
        _calc._override_window(override)
    except EmulatorError as error:
        raise bad_request(f"Invalid segment definition: ConditionOverrides.Range: {error.message}") from None
