"""Profiles, their keys and SearchProfiles.

Operations: CreateProfile, UpdateProfile, DeleteProfile, SearchProfiles, BatchGetProfile,
AddProfileKey, DeleteProfileKey.
"""

from __future__ import annotations

from typing import Any

from .._errors import not_found
from .._store import (
    _MESSAGE_DELETED,
    BackendBase,
    Params,
    _merge,
)


class ProfilesArea(BackendBase):
    """Profiles, their keys and SearchProfiles."""

    def op_CreateProfile(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        data = {key: value for key, value in params.items() if key != "DomainName"}
        return {"ProfileId": self._new_profile(domain, data).profile_id}

    def op_UpdateProfile(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        profile = self._profile(domain, params["ProfileId"])
        for key, value in params.items():
            if key in ("DomainName", "ProfileId"):
                continue
            _merge(profile.data, key, value)
            # A direct write: the paths it wrote no longer come from an object type.
            if isinstance(value, dict) and key != "EngagementPreferences":
                written = [path for path in profile.provenance if path[0] == key and path[1:2] and path[1] in value]
            else:
                written = [path for path in profile.provenance if path[0] == key]
            for path in written:
                del profile.provenance[path]
        domain.touch(profile)
        self._profile_event(domain, profile, "UPDATED")
        return {"ProfileId": profile.profile_id}

    def op_DeleteProfile(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        profile = self._profile(domain, params["ProfileId"])
        del domain.profiles[profile.profile_id]
        domain.forget(profile)
        for key in [k for k, o in domain.objects.items() if o.profile_id == profile.profile_id]:
            del domain.objects[key]
        self._profile_event(domain, profile, "DELETED_BY_CUSTOMER")
        return {"Message": _MESSAGE_DELETED}

    def op_SearchProfiles(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        criteria = [(params["KeyName"], params["Values"])]
        extra = params.get("AdditionalSearchKeys") or []
        criteria += [(item["KeyName"], item["Values"]) for item in extra]
        # The service's default is OR: a profile found by any of the keys (AND only when asked).
        conjunction = params.get("LogicalOperator") == "AND"
        # Candidates from the index, then the same test on each as a scan of every profile.
        sets = [domain.found_by(key, values) for key, values in criteria]
        candidates = set.intersection(*sets) if conjunction else set.union(*sets)
        found = []
        for profile in sorted((domain.profiles[i] for i in candidates), key=lambda p: p.rank):
            hits = [(key, [v for v in values if v in profile.values(key)]) for key, values in criteria]
            matched = [(key, values) for key, values in hits if values]
            if (len(matched) == len(hits)) if conjunction else matched:
                item = profile.wire()
                if extra:
                    item["FoundByItems"] = [{"KeyName": key, "Values": values} for key, values in matched]
                found.append(item)
        scope = ["SearchProfiles", params["DomainName"], criteria, conjunction]
        page, token = self._page(found, params, 20, scope)
        return {"Items": page, "NextToken": token}

    def op_BatchGetProfile(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        profiles, errors = [], []
        for profile_id in params["ProfileIds"]:
            profile = domain.profiles.get(profile_id)
            if profile is None:
                errors.append({"Code": "ResourceNotFoundException", "Message": "Profile not found",
                               "ProfileId": profile_id})
            else:
                profiles.append(profile.wire())
        return {"Profiles": profiles, "Errors": errors}

    def op_AddProfileKey(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        profile = self._profile(domain, params["ProfileId"])
        values = profile.keys.setdefault(params["KeyName"], [])
        values.extend(v for v in dict.fromkeys(params["Values"]) if v not in values)
        domain.touch(profile)
        self._profile_event(domain, profile, "ADDED_PROFILE_KEY")
        return {"KeyName": params["KeyName"], "Values": list(params["Values"])}

    def op_DeleteProfileKey(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        profile = self._profile(domain, params["ProfileId"])
        values = profile.keys.get(params["KeyName"])
        if not values or not any(v in values for v in params["Values"]):
            raise not_found("Key not found for this profile")
        profile.keys[params["KeyName"]] = [v for v in values if v not in params["Values"]]
        if not profile.keys[params["KeyName"]]:
            del profile.keys[params["KeyName"]]
        domain.touch(profile)
        self._profile_event(domain, profile, "DELETED_PROFILE_KEY")
        return {"Message": _MESSAGE_DELETED}
