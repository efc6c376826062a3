"""Identity resolution: rule-based and ML matching, merges, auto-merging previews and identity resolution jobs.

Operations: GetAutoMergingPreview, GetIdentityResolutionJob, GetMatches, GetSimilarProfiles,
ListIdentityResolutionJobs, ListRuleBasedMatches, MergeProfiles.

How the emulator models them (docs/guides/testing.md has the table of approximations):

* **MergeProfiles** moves the keys and objects of the merged profiles to the main profile and
  deletes the merged profiles (every operation then answers 404 for their ids). Fields are joined:
  a field only one profile has is kept; when several have it, the main profile's value wins,
  unless ``FieldSourceProfileIds`` names the profile to take it from (then that profile's value
  is taken even when it has none, which clears the field). Attributes are joined key by key.
* **ML matching** (the domain's ``Matching``) is approximated deterministically: two profiles
  match when they share a normalized email address (any of the three), a phone number (digits
  only, any of the four), or the same full name and address. A match group is a connected set of
  such profiles; its ``ConfidenceScore`` is the lowest, over the links that joined it, of the
  share of the attributes both linked profiles have (name, email, phone, address, birth date)
  that agree. ``MatchId`` is a hash of the group's profile ids.
* **Identity resolution jobs** run on ``Matching.JobSchedule`` (day of the week and time, UTC;
  every Saturday at 00:00 UTC when no schedule is given), for the schedule times after the
  matching settings were last set (the domain's ``LastUpdatedAt`` when the emulator first sees
  them). A job is made when an identity-resolution operation is called after its time: it finds
  the match groups of the data at that call. Its status walks on the emulator clock from its
  start: ``PENDING``, then ``PREPROCESSING`` after 5 minutes, ``FIND_MATCHING`` after 15,
  ``MERGING`` after 30 (only when ``AutoMerging`` is enabled) and ``COMPLETED`` after 30 (45 with
  auto-merging). Auto-merging applies ``Consolidation``, ``MinAllowedConfidenceScoreForMerging`` and
  ``ConflictResolution`` at completion. Jobs expire 30 days after their start. ``PARTIAL_SUCCESS``
  and ``FAILED`` are never reached.
* **GetMatches**, **GetSimilarProfiles** (``ML_BASED_MATCHING``) and **GetAutoMergingPreview**
  read the groups of the latest completed job, without the profiles deleted since (a group left
  with fewer than two is dropped); none before the first job completes.
* **Rule-based matching** (``RuleBasedMatching``) is evaluated on the current data at each call:
  level by level (rule N is level N, up to ``MaxAllowedRuleLevelForMatching``), profiles that
  agree on every attribute of the rule are grouped; a profile grouped at one level is not grouped
  again at a later one. ``EmailAddress``, ``PhoneNumber`` and ``Address`` (and ``Address.<member>``)
  use the ``AttributeTypesSelector`` types, compared type to type (``ONE_TO_ONE``) or across types
  (``MANY_TO_MANY``); other names are profile fields (``FirstName``, ``Address.City``,
  ``Attributes.<key>``). Rule-based matches are listed, never merged automatically.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .._errors import bad_request, not_found
from .._store import BackendBase, Domain, Params, Profile, ProfileEvent

# -- jobs ---------------------------------------------------------------------------------------
_DAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
#: The schedule the service uses when the domain's Matching gives none.
DEFAULT_SCHEDULE = {"DayOfTheWeek": "SATURDAY", "Time": "0:00"}
#: A job's statuses and the seconds after its start at which each begins.
JOB_PHASES = (("PENDING", 0), ("PREPROCESSING", 300), ("FIND_MATCHING", 900), ("MERGING", 1800))
#: Seconds from a job's start to its completion, without and with auto-merging.
JOB_DONE_AFTER = 1800
JOB_DONE_AFTER_MERGING = 2700
#: How long a job is kept after its start.
JOB_RETENTION = timedelta(days=30)
_WEEK = timedelta(days=7)
#: Who performed the merges of an identity resolution job, in the profile history.
JOB_PRINCIPAL = "profile.amazonaws.com"

# -- attributes ---------------------------------------------------------------------------------
_ADDRESSES = ("Address", "ShippingAddress", "MailingAddress", "BillingAddress")
_ADDRESS_MEMBERS = ("Address1", "Address2", "Address3", "Address4", "City", "County", "State", "Province",
                    "Country", "PostalCode")
_EMAILS = ("EmailAddress", "PersonalEmailAddress", "BusinessEmailAddress")
_PHONES = ("PhoneNumber", "MobilePhoneNumber", "HomePhoneNumber", "BusinessPhoneNumber")
_TEXT_FIELDS = ("AccountNumber", "AdditionalInformation", "PartyType", "BusinessName", "FirstName", "MiddleName",
                "LastName", "BirthDate", "Gender", *_PHONES, *_EMAILS, "PartyTypeString", "GenderString",
                "ProfileType")
# The short names the API reference uses for the AttributeTypesSelector's types.
_TYPE_ALIASES = {"Email": "EmailAddress", "BusinessEmail": "BusinessEmailAddress",
                 "PersonalEmail": "PersonalEmailAddress", "Phone": "PhoneNumber", "HomePhone": "HomePhoneNumber",
                 "MobilePhone": "MobilePhoneNumber", "BusinessPhone": "BusinessPhoneNumber",
                 "MaillingAddress": "MailingAddress"}
# The selector member that widens each generic rule attribute.
_SELECTOR_MEMBER = {"EmailAddress": "EmailAddress", "PhoneNumber": "PhoneNumber", "Address": "Address"}
# FieldSourceProfileIds members that are not profile data fields.
_MESSAGE_MERGED = "merged"


@dataclass
class _Group:
    match_id: str
    profile_ids: list[str]
    score: float | None = None
    rule_level: int | None = None


@dataclass
class _Job:
    job_id: str
    start: datetime
    auto_merging: dict[str, Any] | None
    exporting: dict[str, Any] | None
    groups: list[_Group] = field(repr=False)
    reviewed: int = 0
    #: Merges the job did; None until its merging ran (or when it does not merge).
    merges: int | None = None

    @property
    def merging(self) -> bool:
        return bool(self.auto_merging and self.auto_merging.get("Enabled"))

    def done_at(self) -> datetime:
        return self.start + timedelta(seconds=JOB_DONE_AFTER_MERGING if self.merging else JOB_DONE_AFTER)


@dataclass
class _IdentityState:
    jobs: dict[str, _Job] = field(default_factory=dict)
    #: The Matching settings last seen (JSON) and when they took effect.
    settings: str | None = None
    since: datetime | None = None
    #: The order of the latest change of each profile (for RECENCY conflict resolution).
    changed: dict[str, int] = field(default_factory=dict)
    ticks: int = 0


def _hash_id(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:32]


def _norm(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(value.casefold().split())
    return text or None


def _norm_phone(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    digits = "".join(ch for ch in value if ch.isdigit())
    return digits or None


def _norm_address(value: Any, member: str | None = None) -> str | None:
    if not isinstance(value, dict):
        return None
    if member is not None:
        return _norm(value.get(member))
    parts = [_norm(value.get(name)) or "" for name in _ADDRESS_MEMBERS]
    return "|".join(parts) if any(parts) else None


def _field_value(profile: Profile, name: str) -> str | None:
    """The normalized value of one attribute name of a profile (a standard field, an address or
    one of its members, ``Attributes.<key>``), or None when it has none."""
    data = profile.data
    head, _, member = name.partition(".")
    if head == "Attributes" and member:
        attributes = data.get("Attributes")
        return _norm(attributes.get(member)) if isinstance(attributes, dict) else None
    if head in _ADDRESSES:
        if member and member not in _ADDRESS_MEMBERS:
            return None
        return _norm_address(data.get(head), member or None)
    if member:
        return None
    if name in _PHONES:
        return _norm_phone(data.get(name))
    return _norm(data.get(name))


def _known_attribute(name: str) -> bool:
    head, _, member = name.partition(".")
    if head == "Attributes":
        return bool(member)
    if head in _ADDRESSES:
        return not member or member in _ADDRESS_MEMBERS
    return not member and name in _TEXT_FIELDS


class _UnionFind:
    """Groups of profile ids, joined by links; the earliest profile is each group's root."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.links: list[tuple[str, str]] = []

    def find(self, item: str) -> str:
        root = self.parent.setdefault(item, item)
        while root != self.parent[root]:
            root = self.parent[root]
        while item != root:  # path compression
            self.parent[item], item = root, self.parent[item]
        return root

    def join(self, a: str, b: str, rank: Mapping[str, int]) -> None:
        self.links.append((a, b))
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if rank[rb] < rank[ra]:
                ra, rb = rb, ra
            self.parent[rb] = ra

    def groups(self, order: Sequence[str]) -> list[list[str]]:
        found: dict[str, list[str]] = {}
        for item in order:
            if item in self.parent:
                found.setdefault(self.find(item), []).append(item)
        return [members for members in found.values() if len(members) > 1]


def _link_by_tokens(profiles: Sequence[Profile], tokens_of: Any) -> _UnionFind:
    """Join the profiles that share a token: each profile is linked to the first one that had
    the token (one link per token, so the work stays linear in the tokens)."""
    rank = {p.profile_id: p.rank for p in profiles}
    first: dict[Any, str] = {}
    union = _UnionFind()
    for profile in profiles:
        for token in tokens_of(profile):
            holder = first.setdefault(token, profile.profile_id)
            if holder != profile.profile_id:
                union.join(profile.profile_id, holder, rank)
    return union


@dataclass
class _Features:
    name: str | None
    emails: set[str]
    phones: set[str]
    addresses: set[str]
    birth: str | None

    def tokens(self) -> set[tuple[str, str]]:
        out = {("e", e) for e in self.emails} | {("p", p) for p in self.phones}
        if self.name:
            out |= {("n", f"{self.name}|{a}") for a in self.addresses}
        return out


def _features(profile: Profile) -> _Features:
    data = profile.data
    names = [_norm(data.get(m)) for m in ("FirstName", "MiddleName", "LastName")]
    name = " ".join(n for n in names if n) or None
    emails = {e for e in (_norm(data.get(m)) for m in _EMAILS) if e}
    phones = {p for p in (_norm_phone(data.get(m)) for m in _PHONES) if p}
    addresses = {a for a in (_norm_address(data.get(m)) for m in _ADDRESSES) if a}
    return _Features(name, emails, phones, addresses, _norm(data.get("BirthDate")))


def _pair_score(a: _Features, b: _Features) -> float:
    pairs: list[tuple[Any, Any]] = [({a.name} - {None}, {b.name} - {None}), (a.emails, b.emails),
                                    (a.phones, b.phones), (a.addresses, b.addresses),
                                    ({a.birth} - {None}, {b.birth} - {None})]
    comparable = [(x, y) for x, y in pairs if x and y]
    agree = sum(1 for x, y in comparable if x & y)
    return round(agree / len(comparable), 4) if comparable else 0.0


def _ml_groups(domain: Domain) -> list[_Group]:
    """The ML matching approximation: groups of profiles linked by a shared email, phone, or
    full name and address (see the module's docstring)."""
    profiles = sorted(domain.profiles.values(), key=lambda p: p.rank)
    features = {p.profile_id: _features(p) for p in profiles}
    union = _link_by_tokens(profiles, lambda p: sorted(features[p.profile_id].tokens()))
    scores: dict[str, float] = {}
    for a, b in union.links:
        root = union.find(a)
        scores[root] = min(scores.get(root, 1.0), _pair_score(features[a], features[b]))
    return [_Group(_hash_id("ML", members), members, score=scores[union.find(members[0])])
            for members in union.groups([p.profile_id for p in profiles])]


def _selected_types(selector: Mapping[str, Any] | None, generic: str) -> list[str]:
    if selector is None or not selector.get(_SELECTOR_MEMBER[generic]):
        return [generic]
    return [str(_TYPE_ALIASES.get(name, name)) for name in selector[_SELECTOR_MEMBER[generic]]]


def _rule_tokens(profile: Profile, rule: Sequence[str], selector: Mapping[str, Any] | None) -> list[tuple[Any, ...]]:
    """The tokens under which a profile meets a rule: two profiles that share one agree on every
    attribute of the rule. An empty list when the profile lacks one of the attributes."""
    one_to_one = selector is None or selector.get("AttributeMatchingModel") != "MANY_TO_MANY"
    per_attribute: list[set[Any]] = []
    addresses: dict[str, list[str | None]] = {}  # address field (or "Address" widened) -> members
    for name in dict.fromkeys(rule):
        head, _, member = name.partition(".")
        if head in _ADDRESSES:
            addresses.setdefault(head, []).append(member or None)
            continue
        types = _selected_types(selector, name) if name in ("EmailAddress", "PhoneNumber") else [name]
        values: set[Any] = set()
        for kind in types:
            value = _field_value(profile, kind)
            if value is not None:
                values.add((kind, value) if one_to_one else ("*", value))
        per_attribute.append(values)
    for head, members in addresses.items():
        types = _selected_types(selector, "Address") if head == "Address" else [head]
        found: set[Any] = set()
        for kind in types:
            parts = [_field_value(profile, f"{kind}.{m}" if m else kind) for m in members]
            if all(part is not None for part in parts):
                found.add((kind if one_to_one else "*", *parts))
        per_attribute.append(found)
    if not per_attribute or not all(per_attribute):
        return []
    # At most 4 address types x 4 phone types x 3 email types: the product stays small.
    return [tuple(sorted(choice)) for choice in itertools.product(*(sorted(v) for v in per_attribute))]


def _rule_groups(domain: Domain) -> list[_Group]:
    settings = domain.record.get("RuleBasedMatching") or {}
    if not settings.get("Enabled"):
        raise bad_request("Rule-based matching is not enabled for this domain")
    rules = [item.get("Rule") or [] for item in settings.get("MatchingRules") or []]
    limit = settings.get("MaxAllowedRuleLevelForMatching") or len(rules)
    selector = settings.get("AttributeTypesSelector")
    profiles = sorted(domain.profiles.values(), key=lambda p: p.rank)
    grouped: set[str] = set()
    groups: list[_Group] = []
    for level, rule in enumerate(rules[:limit], start=1):
        free = [p for p in profiles if p.profile_id not in grouped]
        union = _link_by_tokens(free, lambda p, rule=rule: _rule_tokens(p, rule, selector))
        for members in union.groups([p.profile_id for p in free]):
            grouped.update(members)
            groups.append(_Group(_hash_id("RULE", level, members), members, rule_level=level))
    return groups


def _schedule_times(schedule: Mapping[str, Any], after: datetime, until: datetime) -> list[datetime]:
    """The weekly times of ``schedule`` in (``after``, ``until``]; at most five (the retention)."""
    hour, _, minute = str(schedule.get("Time") or "0:00").partition(":")
    weekday = _DAYS.index(schedule.get("DayOfTheWeek") or "SATURDAY")
    start = after.replace(hour=int(hour), minute=int(minute), second=0, microsecond=0)
    start += timedelta(days=(weekday - start.weekday()) % 7)
    if start <= after:
        start += _WEEK
    times: list[datetime] = []
    while start <= until and len(times) <= 6:
        times.append(start)
        start += _WEEK
    return times


class IdentityArea(BackendBase):
    """Identity resolution: rule-based and ML matching, merges, auto-merging previews and identity resolution jobs."""

    def _identity(self, domain: Domain) -> _IdentityState:
        state: _IdentityState = self.area_state(domain, "identity", _IdentityState)
        return state

    def on_profile_event_identity(self, event: ProfileEvent) -> None:
        state = self._identity(event.domain)
        if event.action.startswith("DELETED_BY"):
            state.changed.pop(event.profile_id, None)
        else:
            state.ticks += 1
            state.changed[event.profile_id] = state.ticks

    # -- jobs ----------------------------------------------------------------------------------
    def _run_jobs(self, domain: Domain) -> _IdentityState:
        """Bring the domain's identity resolution jobs up to the clock's time (see the module's
        docstring): make the jobs whose schedule time passed, merge for those that completed,
        drop the expired ones."""
        state = self._identity(domain)
        now = self.now()
        matching = domain.record.get("Matching") or {}
        if matching.get("Enabled"):
            settings = json.dumps(matching, sort_keys=True, default=str)
            if settings != state.settings:
                state.settings = settings
                since = domain.record.get("LastUpdatedAt")
                state.since = since if isinstance(since, datetime) else now
            after = max(state.since or now, now - JOB_RETENTION)
            for start in _schedule_times(matching.get("JobSchedule") or DEFAULT_SCHEDULE, after, now):
                job_id = _hash_id(domain.record.get("DomainName"), start.isoformat())
                if job_id not in state.jobs:
                    state.jobs[job_id] = self._new_job(domain, job_id, start, matching)
        else:
            state.settings = state.since = None
        for job in sorted(state.jobs.values(), key=lambda j: j.start):
            if job.merging and job.merges is None and now >= job.done_at():
                job.merges = self._auto_merge(domain, job.groups, job.auto_merging or {}, JOB_PRINCIPAL)
        for job_id in [j.job_id for j in state.jobs.values() if j.start + JOB_RETENTION <= now]:
            del state.jobs[job_id]
        return state

    def _new_job(self, domain: Domain, job_id: str, start: datetime, matching: Mapping[str, Any]) -> _Job:
        exporting = None
        s3 = (matching.get("ExportingConfig") or {}).get("S3Exporting")
        if s3:
            prefix = s3.get("S3KeyName")
            key = f"{prefix.rstrip('/')}/{job_id}" if prefix else job_id
            exporting = {"S3Exporting": {"S3BucketName": s3["S3BucketName"], "S3KeyName": key}}
        auto = matching.get("AutoMerging")
        return _Job(job_id=job_id, start=start, auto_merging=dict(auto) if auto else None, exporting=exporting,
                    groups=_ml_groups(domain), reviewed=len(domain.profiles))

    def _job_view(self, domain: Domain, job: _Job, *, full: bool) -> dict[str, Any]:
        now = self.now()
        status, changed = "PENDING", job.start
        done = job.done_at()
        if now >= done:
            status, changed = "COMPLETED", done
        else:
            for name, offset in JOB_PHASES:
                if name == "MERGING" and not job.merging:
                    continue
                if now >= job.start + timedelta(seconds=offset):
                    status, changed = name, job.start + timedelta(seconds=offset)
        view: dict[str, Any] = {"DomainName": domain.record.get("DomainName"), "JobId": job.job_id,
                                "Status": status, "JobStartTime": job.start}
        if status == "COMPLETED":
            view["JobEndTime"] = done
            view["JobStats"] = {"NumberOfProfilesReviewed": job.reviewed, "NumberOfMatchesFound": len(job.groups),
                                "NumberOfMergesDone": job.merges or 0}
            if job.exporting:
                view["ExportingLocation"] = job.exporting
        if full:
            view.update(LastUpdatedAt=changed, JobExpirationTime=job.start + JOB_RETENTION)
            if job.auto_merging:
                view["AutoMerging"] = job.auto_merging
        return view

    def _latest_groups(self, domain: Domain, state: _IdentityState) -> tuple[list[_Group], datetime | None]:
        """The groups of the latest completed job, without the profiles gone since."""
        now = self.now()
        done = [job for job in state.jobs.values() if job.done_at() <= now]
        if not done:
            return [], None
        latest = max(done, key=lambda j: j.start)
        groups = []
        for group in latest.groups:
            alive = [pid for pid in group.profile_ids if pid in domain.profiles]
            if len(alive) > 1:
                groups.append(_Group(group.match_id, alive, group.score, group.rule_level))
        return groups, latest.done_at()

    def _matching_domain(self, params: Params) -> tuple[Domain, _IdentityState]:
        domain = self._domain(params["DomainName"])
        state = self._run_jobs(domain)
        if not (domain.record.get("Matching") or {}).get("Enabled"):
            raise bad_request("Identity resolution (Matching) is not enabled for this domain")
        return domain, state

    def op_ListIdentityResolutionJobs(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        state = self._run_jobs(domain)
        jobs = sorted(state.jobs.values(), key=lambda j: j.start, reverse=True)
        items = [self._job_view(domain, job, full=False) for job in jobs]
        page, token = self._page(items, params, 100, ["ListIdentityResolutionJobs", params["DomainName"]])
        return {"IdentityResolutionJobsList": page, "NextToken": token}

    def op_GetIdentityResolutionJob(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        job = self._run_jobs(domain).jobs.get(params["JobId"])
        if job is None:
            raise not_found("Identity resolution job not found")
        return self._job_view(domain, job, full=True)

    # -- matches -------------------------------------------------------------------------------
    def op_GetMatches(self, params: Params) -> dict[str, Any]:
        domain, state = self._matching_domain(params)
        groups, generated = self._latest_groups(domain, state)
        items = [{"MatchId": g.match_id, "ProfileIds": g.profile_ids, "ConfidenceScore": g.score} for g in groups]
        page, token = self._page(items, params, 100, ["GetMatches", params["DomainName"], generated])
        return {"MatchGenerationDate": generated, "PotentialMatches": len(items), "Matches": page, "NextToken": token}

    def op_ListRuleBasedMatches(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        ids = [group.match_id for group in _rule_groups(domain)]
        page, token = self._page(ids, params, 100, ["ListRuleBasedMatches", params["DomainName"]])
        return {"MatchIds": page, "NextToken": token}

    def op_GetSimilarProfiles(self, params: Params) -> dict[str, Any]:
        match_type = params["MatchType"]
        if match_type == "RULE_BASED_MATCHING":
            domain = self._domain(params["DomainName"])
            groups = _rule_groups(domain)
        else:
            domain, state = self._matching_domain(params)
            groups = self._latest_groups(domain, state)[0]
        found = domain.found_by(params["SearchKey"], [params["SearchValue"]])
        if not found:
            raise not_found("No profile is found by this search key and value")
        answer: dict[str, Any] = {"MatchType": match_type}
        group = next((g for g in groups if found.intersection(g.profile_ids)), None)
        ids: list[str] = []
        if group is not None:
            ids = group.profile_ids
            answer.update(MatchId=group.match_id, RuleLevel=group.rule_level, ConfidenceScore=group.score)
        scope = ["GetSimilarProfiles", params["DomainName"], match_type, params["SearchKey"], params["SearchValue"]]
        page, token = self._page(ids, params, 20, scope)
        answer.update(ProfileIds=page, NextToken=token)
        return {key: value for key, value in answer.items() if value is not None}

    # -- merging -------------------------------------------------------------------------------
    def op_GetAutoMergingPreview(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        settings: dict[str, Any] = {key: params[key] for key in ("Consolidation", "ConflictResolution",
                                                    "MinAllowedConfidenceScoreForMerging") if key in params}
        _check_auto_merging(settings)
        state = self._run_jobs(domain)
        groups = self._latest_groups(domain, state)[0]
        plan = self._merge_plan(domain, groups, settings)
        return {"DomainName": params["DomainName"], "NumberOfMatchesInSample": len(groups),
                "NumberOfProfilesInSample": sum(len(g.profile_ids) for g in groups),
                "NumberOfProfilesWillBeMerged": sum(1 + len(others) for _, others in plan)}

    def _merge_plan(self, domain: Domain, groups: Iterable[_Group], settings: Mapping[str, Any]
                    ) -> list[tuple[Profile, list[Profile]]]:
        """The merges auto-merging would do: within each group scoring at least the minimum, the
        profiles that agree on all the attributes of one of the Consolidation's lists are merged
        into the one the ConflictResolution picks."""
        minimum = settings.get("MinAllowedConfidenceScoreForMerging")
        lists = [list(dict.fromkeys(names)) for names in
                 (settings.get("Consolidation") or {}).get("MatchingAttributesList") or []]
        plan = []
        for group in groups:
            if minimum is not None and (group.score or 0.0) < minimum:
                continue
            profiles = [domain.profiles[pid] for pid in group.profile_ids if pid in domain.profiles]

            def tokens(profile: Profile) -> list[tuple[Any, ...]]:
                out = []
                for index, names in enumerate(lists):
                    values = [_field_value(profile, name) for name in names]
                    if all(v is not None for v in values):
                        out.append((index, *values))
                return out

            union = _link_by_tokens(profiles, tokens)
            for members in union.groups([p.profile_id for p in profiles]):
                chosen = [domain.profiles[pid] for pid in members]
                main = self._main_profile(domain, chosen, settings.get("ConflictResolution") or {})
                plan.append((main, [p for p in chosen if p is not main]))
        return plan

    def _main_profile(self, domain: Domain, profiles: list[Profile], resolution: Mapping[str, Any]) -> Profile:
        """RECENCY: the profile changed last; SOURCE: the one with the latest object of the
        SourceName object type (then the one changed last)."""
        changed = self._identity(domain).changed
        recency = {p.profile_id: (changed.get(p.profile_id, 0), p.rank) for p in profiles}
        if resolution.get("ConflictResolvingModel") == "SOURCE":
            source = resolution.get("SourceName")
            latest: dict[str, int] = {}
            for stored in domain.objects.values():
                if stored.object_type_name == source and stored.profile_id in recency:
                    latest[stored.profile_id] = max(latest.get(stored.profile_id, 0), stored.sequence)
            return max(profiles, key=lambda p: (latest.get(p.profile_id, 0), recency[p.profile_id]))
        return max(profiles, key=lambda p: recency[p.profile_id])

    def _auto_merge(self, domain: Domain, groups: list[_Group], settings: Mapping[str, Any], by: str) -> int:
        merges = 0
        for main, others in self._merge_plan(domain, groups, settings):
            others = [p for p in others if p.profile_id in domain.profiles]
            if main.profile_id in domain.profiles and others:
                self._merge_profiles(domain, main, others, {}, by)
                merges += 1
        return merges

    def _merge_profiles(self, domain: Domain, main: Profile, others: list[Profile],
                        sources: Mapping[str, Any], by: str | None) -> None:
        """Merge ``others`` into ``main`` (see the module's docstring) and delete them."""
        ids = {p.profile_id for p in others}
        by_id = {main.profile_id: main, **{p.profile_id: p for p in others}}
        for other in others:
            for key, values in other.keys.items():
                kept = main.keys.setdefault(key, [])
                kept.extend(v for v in values if v not in kept)
            for name, value in other.data.items():
                if name == "Attributes" and isinstance(value, dict):
                    attributes = main.data.setdefault("Attributes", {})
                    for attr, item in value.items():
                        if attr not in attributes:
                            attributes[attr] = item
                            _take_provenance(main, other, ("Attributes", attr))
                elif name not in main.data:
                    main.data[name] = value
                    _take_provenance(main, other, (name,))
        for name, source_id in sources.items():
            if name == "Attributes":
                for attr, attr_source in source_id.items():
                    _take_field(main, by_id[attr_source], ("Attributes", attr))
            elif source_id is not None:
                _take_field(main, by_id[source_id], (name,))
        for stored in domain.objects.values():
            if stored.profile_id in ids:
                stored.profile_id = main.profile_id
        for other in others:
            del domain.profiles[other.profile_id]
            domain.forget(other)
        domain.touch(main)
        for other in others:
            self._profile_event(domain, other, "DELETED_BY_MERGE", performed_by=by)
        self._profile_event(domain, main, "MERGED", performed_by=by)

    def op_MergeProfiles(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        main_id = params["MainProfileId"]
        merged_ids = list(dict.fromkeys(params["ProfileIdsToBeMerged"]))
        if main_id in merged_ids:
            raise bad_request("ProfileIdsToBeMerged must not contain the MainProfileId")
        sources = {key: value for key, value in (params.get("FieldSourceProfileIds") or {}).items()
                   if value is not None}
        allowed = {main_id, *merged_ids}
        for name, value in sources.items():
            values = value.values() if name == "Attributes" else [value]
            if any(v not in allowed for v in values):
                raise bad_request(f"FieldSourceProfileIds.{name} must be the MainProfileId or one of the "
                                  "ProfileIdsToBeMerged")
        main = self._profile(domain, main_id)
        others = []
        for index, profile_id in enumerate(merged_ids):
            other = domain.profiles.get(profile_id)
            if other is None:
                raise not_found(f"Profile not found: ProfileIdsToBeMerged[{index}]")
            others.append(other)
        self._merge_profiles(domain, main, others, sources, None)
        return {"Message": _MESSAGE_MERGED}


def _take_provenance(main: Profile, other: Profile, path: tuple[str, ...]) -> None:
    """``main`` took the value at ``path`` (or the address under it) from ``other``."""
    for written in [p for p in main.provenance if p[:len(path)] == path]:
        del main.provenance[written]
    for written, writer in other.provenance.items():
        if written[:len(path)] == path:
            main.provenance[written] = writer


def _take_field(main: Profile, source: Profile, path: tuple[str, ...]) -> None:
    """Set the field at ``path`` of ``main`` to ``source``'s, cleared when ``source`` has none."""
    if source is main:
        return
    if len(path) == 2:
        value = (source.data.get(path[0]) or {}).get(path[1])
        attributes = main.data.setdefault(path[0], {})
        if value is None:
            attributes.pop(path[1], None)
            if not attributes:
                del main.data[path[0]]
        else:
            attributes[path[1]] = value
    else:
        value = source.data.get(path[0])
        if value is None:
            main.data.pop(path[0], None)
        else:
            main.data[path[0]] = value
    _take_provenance(main, source, path)


def _check_auto_merging(settings: Mapping[str, Any]) -> None:
    """A 400 naming the member and the rule when the settings name an attribute the emulator
    cannot compare, or pick SOURCE without a SourceName; never the values."""
    lists = (settings.get("Consolidation") or {}).get("MatchingAttributesList") or []
    for i, names in enumerate(lists):
        for j, name in enumerate(names):
            if not _known_attribute(name):
                raise bad_request(f"Consolidation.MatchingAttributesList[{i}][{j}] is not a profile attribute: use a "
                                  "standard field, an address (or Address.City, ...) or Attributes.<key>")
    resolution = settings.get("ConflictResolution") or {}
    if resolution.get("ConflictResolvingModel") == "SOURCE" and not resolution.get("SourceName"):
        raise bad_request("ConflictResolution.SourceName is required when ConflictResolvingModel is SOURCE")
