"""Integration workflows and their steps, with their statuses.

Operations: CreateIntegrationWorkflow, DeleteWorkflow, GetWorkflow, GetWorkflowSteps, ListWorkflows.
"""

from __future__ import annotations

from .._store import BackendBase


class WorkflowsArea(BackendBase):
    """Integration workflows and their steps, with their statuses."""
