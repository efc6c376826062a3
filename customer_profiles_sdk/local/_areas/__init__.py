"""The emulator's operations, one module per feature area, each with its handlers (``op_<Operation>``)
and the helpers only they use. :class:`~customer_profiles_sdk.local._backend.Backend` combines them.
"""

from __future__ import annotations

from .attributes import AttributesArea
from .calculated import CalculatedArea
from .detection import DetectionArea
from .domain_object_types import DomainObjectTypesArea
from .domains import DomainsArea
from .event_streams import EventStreamsArea
from .event_triggers import EventTriggersArea
from .history import HistoryArea
from .identity import IdentityArea
from .integrations import IntegrationsArea
from .layouts import LayoutsArea
from .object_types import ObjectTypesArea
from .objects import ObjectsArea
from .profiles import ProfilesArea
from .recommenders import RecommendersArea
from .segments import SegmentsArea
from .tags import TagsArea
from .upload_jobs import UploadJobsArea
from .workflows import WorkflowsArea

__all__ = [
    "AttributesArea",
    "CalculatedArea",
    "DetectionArea",
    "DomainObjectTypesArea",
    "DomainsArea",
    "EventStreamsArea",
    "EventTriggersArea",
    "HistoryArea",
    "IdentityArea",
    "IntegrationsArea",
    "LayoutsArea",
    "ObjectTypesArea",
    "ObjectsArea",
    "ProfilesArea",
    "RecommendersArea",
    "SegmentsArea",
    "TagsArea",
    "UploadJobsArea",
    "WorkflowsArea",
]
