"""The emulator's in-memory backend: one class made of the feature areas' mixins.

Every operation takes and returns wire-named dicts (``DomainName``, ``Items``, ...), exactly what
the HTTP layer reads and writes. Input is checked first with the SDK's own strict request models,
so a plain boto3 client sending a 65-character domain name gets a ``BadRequestException`` that
names the field path and the rule, as the real service would refuse it.

State lives in one :class:`Backend` per emulator and every operation runs under that backend's
lock, so one backend can be shared by many threads and clients, and two emulators never see each
other's data. The shared state, dispatch and helpers are in ``_store``; the operation
``<Operation>`` is the method ``op_<Operation>`` of the area module that lists it
(``_areas/<area>.py``; :func:`area_of` names it). docs/guides/testing.md lists what is modelled
and what is an approximation.
"""

from __future__ import annotations

from ._areas import (
    AttributesArea,
    CalculatedArea,
    DetectionArea,
    DomainObjectTypesArea,
    DomainsArea,
    EventStreamsArea,
    EventTriggersArea,
    HistoryArea,
    IdentityArea,
    IntegrationsArea,
    LayoutsArea,
    ObjectsArea,
    ObjectTypesArea,
    ProfilesArea,
    RecommendersArea,
    SegmentsArea,
    TagsArea,
    UploadJobsArea,
    WorkflowsArea,
)
from ._store import BackendBase, BatchItem, EmulatorError, Params

__all__ = ["Backend", "BatchItem", "EmulatorError", "Params", "area_of"]


class Backend(
    SegmentsArea,
    IdentityArea,
    HistoryArea,
    UploadJobsArea,
    EventTriggersArea,
    EventStreamsArea,
    WorkflowsArea,
    DomainObjectTypesArea,
    AttributesArea,
    DetectionArea,
    RecommendersArea,
    DomainsArea,
    ObjectTypesArea,
    ProfilesArea,
    ObjectsArea,
    IntegrationsArea,
    CalculatedArea,
    LayoutsArea,
    TagsArea,
    BackendBase,
):
    """The state of one emulated account in one region, and the operations over it."""


def area_of(operation: str) -> str | None:
    """The module that holds ``operation``'s handler (``op_<operation>``), or None."""
    handler = getattr(Backend, f"op_{operation}", None)
    return getattr(handler, "__module__", None)
