"""A grant's Temporal event history, read as a timeline a non-developer can follow."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client, WorkflowHistory

from regie.temporal import grant_workflow_id

_SKIPPED = {
    EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED,
}


@dataclass(frozen=True)
class HistoryLine:
    event_id: int
    at: datetime
    kind: str
    who: str
    details: str


def _payload(payloads) -> dict:
    try:
        return json.loads(payloads.payloads[0].data)
    except (IndexError, ValueError, AttributeError):
        return {}


def describe(event: HistoryEvent) -> HistoryLine | None:
    """One line for one event, or None for the engine's bookkeeping."""
    kind = EventType.Name(event.event_type).removeprefix("EVENT_TYPE_")
    if event.event_type in _SKIPPED:
        return None
    at = event.event_time.ToDatetime(tzinfo=timezone.utc)
    who, details = "Regie", ""
    if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        params = _payload(event.workflow_execution_started_event_attributes.input)
        details = (f"submitted under round {params.get('round_id')}, scheme "
                   f"{params.get('scheme_id')} ({str(params.get('scheme_hash'))[:12]})")
    elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
        request = event.workflow_execution_update_accepted_event_attributes.accepted_request
        args = _payload(request.input.args)
        actor = args.get("actor", {})
        who = f"{actor.get('name', '?')} ({actor.get('role', '?')})"
        shown = {k: v for k, v in args.items() if k != "actor"}
        details = f"{request.input.name}: {json.dumps(shown, ensure_ascii=False)[:400]}"
    elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        attrs = event.activity_task_scheduled_event_attributes
        arg = _payload(attrs.input)
        if attrs.activity_type.name == "send_mail":
            details = f"e-mail '{arg.get('template')}' to {arg.get('recipients')}"
        elif attrs.activity_type.name == "record_event":
            details = (f"record: stage {arg.get('stage')}, action {arg.get('action')}, "
                       f"deadline {arg.get('deadline')}")
        else:
            details = attrs.activity_type.name
    elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
        result = _payload(event.activity_task_completed_event_attributes.result)
        details = f"done: {json.dumps(result, ensure_ascii=False)[:300]}" if result else "done"
    elif event.event_type == EventType.EVENT_TYPE_TIMER_STARTED:
        timeout = event.timer_started_event_attributes.start_to_fire_timeout.ToTimedelta()
        details = f"timer set, fires at {(at + timeout).isoformat(timespec='minutes')}"
    elif event.event_type == EventType.EVENT_TYPE_TIMER_FIRED:
        details = "timer fired"
    elif event.event_type == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
        fields = event.upsert_workflow_search_attributes_event_attributes.search_attributes
        stage = fields.indexed_fields.get("RegieStage")
        details = f"stage: {json.loads(stage.data)}" if stage else "search attributes"
    elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
        details = f"completed: stage {_payload(event.workflow_execution_completed_event_attributes.result).get('stage')}"
    return HistoryLine(event.event_id, at, kind, who, details)


async def fetch(client: Client, reference: str) -> WorkflowHistory:
    return await client.get_workflow_handle(grant_workflow_id(reference)).fetch_history()


async def readable_history(client: Client, reference: str) -> list[HistoryLine]:
    history = await fetch(client, reference)
    return [line for e in history.events if (line := describe(e)) is not None]
