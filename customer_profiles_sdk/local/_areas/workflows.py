"""Integration workflows and their steps, with their statuses.

Operations: CreateIntegrationWorkflow, DeleteWorkflow, GetWorkflow, GetWorkflowSteps, ListWorkflows.

A workflow's state lives in ``Domain.areas["workflows"]`` (workflow id -> record). Its statuses
are computed from the emulator's clock against its creation time, so a test walks them with
``emu.advance(seconds)``:

* ``NOT_STARTED`` for :data:`START_DELAY_SECONDS` after creation;
* then one step per ``Batches`` entry of the AppFlow integration (one step over all history
  before the creation when no batches are given), each ``IN_PROGRESS`` for :data:`STEP_SECONDS`
  in turn; the workflow is ``IN_PROGRESS`` meanwhile;
* ``COMPLETE`` when the last step is done.

If the workflow's object type is deleted before it completes, the first read after that sees it
``FAILED`` at that moment: the running step ``FAILED``, the steps not started ``CANCELLED``.
The emulator runs no AppFlow flow: ``RecordsProcessed`` stays 0.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from .._errors import bad_request, not_found
from .._store import BackendBase, Domain, Params

_AREA = "workflows"
#: Seconds a new workflow stays NOT_STARTED.
START_DELAY_SECONDS = 5
#: Seconds each step stays IN_PROGRESS.
STEP_SECONDS = 60
# SourceConnectorType -> its member of SourceConnectorProperties.
_PROPERTIES_MEMBER = {"Salesforce": "Salesforce", "Marketo": "Marketo", "Zendesk": "Zendesk",
                      "Servicenow": "ServiceNow", "S3": "S3"}
# The AppFlow sources an integration workflow takes, per the API reference.
_SUPPORTED_SOURCES = ("Salesforce", "Servicenow", "Marketo")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FLOW_NAME_MAX = 256
_DESCRIPTIONS = {
    "NOT_STARTED": "The workflow has not started yet",
    "IN_PROGRESS": "The workflow is pulling records",
    "COMPLETE": "The workflow completed",
    "FAILED": "The workflow failed",
}
_STEP_MESSAGES = {
    "NOT_STARTED": "Waiting for the earlier steps",
    "IN_PROGRESS": "Pulling the batch's records",
    "COMPLETE": "The batch's records were pulled",
    "FAILED": "The step failed: the workflow's object type was deleted",
    "CANCELLED": "The step was cancelled: the workflow failed",
}
_ERROR_TYPE_DELETED = "The workflow's object type was deleted before the workflow completed"


def _workflows(backend: BackendBase, domain: Domain) -> dict[str, dict[str, Any]]:
    workflows: dict[str, dict[str, Any]] = backend.area_state(domain, _AREA, dict)
    return workflows


def _instant(value: Any, what: str) -> datetime:
    """A timestamp member as the wire or a Python caller gives it: epoch seconds, a datetime
    (naive taken as UTC) or ISO 8601 text; a 400 naming ``what`` when it is none of these."""
    try:
        if isinstance(value, datetime):
            moment = value
        elif isinstance(value, int | float) and not isinstance(value, bool):
            moment = _EPOCH + timedelta(seconds=value)
        else:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except (OverflowError, ValueError):
        raise bad_request(f"{what} is not a valid timestamp") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _flow_name(base: str, suffix: str) -> str:
    return base[:_FLOW_NAME_MAX - len(suffix)] + suffix


class WorkflowsArea(BackendBase):
    """Integration workflows and their steps, with their statuses."""

    def op_CreateIntegrationWorkflow(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        appflow = params["IntegrationConfig"].get("AppflowIntegration")
        if appflow is None:
            raise bad_request("IntegrationConfig.AppflowIntegration is required for the "
                              "APPFLOW_INTEGRATION workflow type")
        flow = appflow["FlowDefinition"]
        source = flow["SourceFlowConfig"]
        connector = source["ConnectorType"]
        if connector not in _SUPPORTED_SOURCES:
            raise bad_request("IntegrationConfig.AppflowIntegration.FlowDefinition.SourceFlowConfig.ConnectorType "
                              f"must be one of {', '.join(_SUPPORTED_SOURCES)} for an integration workflow")
        if _PROPERTIES_MEMBER[connector] not in (source.get("SourceConnectorProperties") or {}):
            raise bad_request("IntegrationConfig.AppflowIntegration.FlowDefinition.SourceFlowConfig."
                              f"SourceConnectorProperties.{_PROPERTIES_MEMBER[connector]} is required "
                              "for the ConnectorType given")
        self._object_type(domain, params["ObjectTypeName"])
        now = self.now()
        batches = appflow.get("Batches") or []
        windows: list[tuple[datetime, datetime]] = []
        for index, batch in enumerate(batches):
            where = f"IntegrationConfig.AppflowIntegration.Batches[{index}]"
            start = _instant(batch["StartTime"], f"{where}.StartTime")
            end = _instant(batch["EndTime"], f"{where}.EndTime")
            if start >= end:
                raise bad_request(f"{where}: StartTime must be before EndTime")
            windows.append((start, end))
        if windows:
            steps = [(_flow_name(flow["FlowName"], f"-{i + 1}"), _iso(s), _iso(e)) for i, (s, e) in enumerate(windows)]
        else:
            steps = [(flow["FlowName"], _iso(_EPOCH), _iso(now))]
        workflow_id = self.new_id().hex
        attributes = {"SourceConnectorType": connector, "ConnectorProfileName": source.get("ConnectorProfileName"),
                      "RoleArn": params["RoleArn"]}
        _workflows(self, domain)[workflow_id] = {
            "WorkflowId": workflow_id, "WorkflowType": params["WorkflowType"],
            "ObjectTypeName": params["ObjectTypeName"], "CreatedAt": now, "steps": steps,
            "Attributes": {"AppflowIntegration": {k: v for k, v in attributes.items() if v is not None}},
            "Tags": self._tags(params), "failed_at": None,
        }
        return {"WorkflowId": workflow_id, "Message": "The integration workflow was created"}

    # -- statuses ------------------------------------------------------------------------------
    def _workflow(self, domain: Domain, workflow_id: str) -> dict[str, Any]:
        record = _workflows(self, domain).get(workflow_id)
        if record is None:
            raise not_found("Workflow not found")
        self._settle(domain, record)
        return record

    def _settle(self, domain: Domain, record: dict[str, Any]) -> None:
        """Fail a workflow that is not complete and whose object type is gone, now."""
        now = self.now()
        gone = record["ObjectTypeName"] not in domain.object_types
        if gone and record["failed_at"] is None and now < self._end(record):
            record["failed_at"] = now

    @staticmethod
    def _start(record: dict[str, Any]) -> datetime:
        start: datetime = record["CreatedAt"] + timedelta(seconds=START_DELAY_SECONDS)
        return start

    def _end(self, record: dict[str, Any]) -> datetime:
        return self._start(record) + timedelta(seconds=STEP_SECONDS * len(record["steps"]))

    def _step_states(self, record: dict[str, Any]) -> list[tuple[str, datetime]]:
        """Each step's status and the time it took it."""
        now = self.now()
        failed_at: datetime | None = record["failed_at"]
        states: list[tuple[str, datetime]] = []
        for index in range(len(record["steps"])):
            begin = self._start(record) + timedelta(seconds=STEP_SECONDS * index)
            finish = begin + timedelta(seconds=STEP_SECONDS)
            if failed_at is not None and failed_at < finish:
                states.append(("FAILED" if failed_at >= begin else "CANCELLED", failed_at))
            elif now >= finish:
                states.append(("COMPLETE", finish))
            elif now >= begin:
                states.append(("IN_PROGRESS", begin))
            else:
                states.append(("NOT_STARTED", record["CreatedAt"]))
        if failed_at is not None and not any(status == "FAILED" for status, _ in states):
            # Failed before the first step started: that step is the failed one.
            states[0] = ("FAILED", failed_at)
        return states

    def _status(self, record: dict[str, Any]) -> tuple[str, datetime, int]:
        """The workflow's status, the time it took it, and how many steps are complete."""
        states = self._step_states(record)
        done = sum(status == "COMPLETE" for status, _ in states)
        if record["failed_at"] is not None:
            return "FAILED", record["failed_at"], done
        if done == len(states):
            return "COMPLETE", states[-1][1], done
        running = [moment for status, moment in states if status == "IN_PROGRESS"]
        if running:
            return "IN_PROGRESS", running[0], done
        return "NOT_STARTED", record["CreatedAt"], done

    # -- reads ---------------------------------------------------------------------------------
    def op_GetWorkflow(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        record = self._workflow(domain, params["WorkflowId"])
        status, since, done = self._status(record)
        started = self._start(record)
        return {
            "WorkflowId": record["WorkflowId"], "WorkflowType": record["WorkflowType"], "Status": status,
            "ErrorDescription": _ERROR_TYPE_DELETED if status == "FAILED" else None,
            "StartDate": started if started <= (record["failed_at"] or self.now()) else None,
            "LastUpdatedAt": since, "Attributes": record["Attributes"],
            "Metrics": {"AppflowIntegration": {"RecordsProcessed": 0, "StepsCompleted": done,
                                               "TotalSteps": len(record["steps"])}},
        }

    def op_GetWorkflowSteps(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        record = self._workflow(domain, params["WorkflowId"])
        items = []
        for (flow_name, batch_start, batch_end), (status, since) in zip(record["steps"], self._step_states(record),
                                                                         strict=True):
            items.append({"AppflowIntegration": {
                "FlowName": flow_name, "Status": status, "ExecutionMessage": _STEP_MESSAGES[status],
                "RecordsProcessed": 0, "BatchRecordsStartTime": batch_start, "BatchRecordsEndTime": batch_end,
                "CreatedAt": record["CreatedAt"], "LastUpdatedAt": since,
            }})
        scope = ["GetWorkflowSteps", params["DomainName"], record["WorkflowId"]]
        page, token = self._page(items, params, 100, scope)
        return {"WorkflowId": record["WorkflowId"], "WorkflowType": record["WorkflowType"], "Items": page,
                "NextToken": token}

    def op_ListWorkflows(self, params: Params) -> dict[str, Any]:
        """Workflows in creation order; ``QueryStartDate`` and ``QueryEndDate`` bound the creation
        time (both inclusive), ``Status`` and ``WorkflowType`` filter."""
        domain = self._domain(params["DomainName"])
        after = before = None
        if params.get("QueryStartDate") is not None:
            after = _instant(params["QueryStartDate"], "QueryStartDate")
        if params.get("QueryEndDate") is not None:
            before = _instant(params["QueryEndDate"], "QueryEndDate")
        items = []
        for record in _workflows(self, domain).values():
            self._settle(domain, record)
            status, since, _ = self._status(record)
            if params.get("Status") is not None and status != params["Status"]:
                continue
            if params.get("WorkflowType") is not None and record["WorkflowType"] != params["WorkflowType"]:
                continue
            created = record["CreatedAt"]
            if (after is not None and created < after) or (before is not None and created > before):
                continue
            items.append({"WorkflowType": record["WorkflowType"], "WorkflowId": record["WorkflowId"],
                          "Status": status, "StatusDescription": _DESCRIPTIONS[status],
                          "CreatedAt": record["CreatedAt"], "LastUpdatedAt": since})
        scope = ["ListWorkflows", params["DomainName"], params.get("Status"), params.get("WorkflowType"),
                 after.isoformat() if after else None, before.isoformat() if before else None]
        page, token = self._page(items, params, 100, scope)
        return {"Items": page, "NextToken": token}

    def op_DeleteWorkflow(self, params: Params) -> dict[str, Any]:
        domain = self._domain(params["DomainName"])
        workflows = _workflows(self, domain)
        if params["WorkflowId"] not in workflows:
            raise not_found("Workflow not found")
        del workflows[params["WorkflowId"]]
        return {}
