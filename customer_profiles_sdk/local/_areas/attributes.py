"""Statistics and values of object type attributes and of profile attributes.

Operations: GetObjectTypeAttributeStatistics, ListObjectTypeAttributeValues,
ListObjectTypeAttributes, ListProfileAttributeValues.
"""

from __future__ import annotations

from .._store import BackendBase


class AttributesArea(BackendBase):
    """Statistics and values of object type attributes and of profile attributes."""
