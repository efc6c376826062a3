"""Segment definitions, estimates, snapshots, membership, subscriptions and their stream associations.

Operations: AssociateStreamForSegments, CreateSegmentDefinition, CreateSegmentEstimate,
CreateSegmentSnapshot, DeleteSegmentDefinition, DeleteSegmentSubscription,
DisassociateStreamForSegments, GetSegmentDefinition, GetSegmentEstimate, GetSegmentMembership,
GetSegmentSnapshot, GetSegmentSubscription, GetStreamForSegments, ListSegmentDefinitions,
ListSegmentSubscriptionEvents, PutSegmentSubscription.
"""

from __future__ import annotations

from .._store import BackendBase


class SegmentsArea(BackendBase):
    """Segment definitions, estimates, snapshots, membership, subscriptions and their stream associations."""
