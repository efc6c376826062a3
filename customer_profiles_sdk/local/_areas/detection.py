"""DetectProfileObjectType: Fields and Keys inferred from sample objects.

Operations: DetectProfileObjectType.
"""

from __future__ import annotations

from .._store import BackendBase


class DetectionArea(BackendBase):
    """DetectProfileObjectType: Fields and Keys inferred from sample objects."""
