"""Identity resolution: rule-based and ML matching, merges, auto-merging previews and identity resolution jobs.

Operations: GetAutoMergingPreview, GetIdentityResolutionJob, GetMatches, GetSimilarProfiles,
ListIdentityResolutionJobs, ListRuleBasedMatches, MergeProfiles.
"""

from __future__ import annotations

from .._store import BackendBase


class IdentityArea(BackendBase):
    """Identity resolution: rule-based and ML matching, merges, auto-merging previews and identity resolution jobs."""
