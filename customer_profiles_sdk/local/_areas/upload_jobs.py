"""Upload jobs: CSV uploads to a presigned path, ingested through field mappings.

Operations: CreateUploadJob, GetUploadJob, GetUploadJobPath, ListUploadJobs, StartUploadJob,
StopUploadJob.
"""

from __future__ import annotations

from .._store import BackendBase


class UploadJobsArea(BackendBase):
    """Upload jobs: CSV uploads to a presigned path, ingested through field mappings."""
