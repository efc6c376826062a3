"""Domain object types.

Operations: DeleteDomainObjectType, GetDomainObjectType, ListDomainObjectTypes, PutDomainObjectType.
"""

from __future__ import annotations

from .._store import BackendBase


class DomainObjectTypesArea(BackendBase):
    """Domain object types."""
