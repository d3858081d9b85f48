"""A worker that keeps no workflow in memory (REGIE_WORKER_CACHED_WORKFLOWS=0) replays a grant's
whole history at each of its tasks, as any worker does for a grant it has evicted from its cache
or never held: the grant goes through its whole life there as on a worker that keeps it."""

from __future__ import annotations

from temporalio.api.enums.v1 import EventType, TaskQueueKind

from regie.programme import ensure_programme
from regie.worker import build_worker
from tests import scenario


async def test_a_grant_lives_on_a_worker_that_keeps_no_workflow_in_memory(
        dev_env, settings, sessions, scheme):
    client = dev_env.client
    uncached = settings.model_copy(update={"worker_cached_workflows": 0})
    async with sessions() as db:
        people = await scenario.cast(db)
        await ensure_programme(db, client, scheme, settings.task_queue)
    async with build_worker(client, uncached, sessions, scheme):
        reference = await scenario.grant_awaiting_decision(sessions, client, scheme,
                                                           settings.task_queue, people)
        await scenario.award_and_archive(client, reference, people)

    history = await client.get_workflow_handle(f"grant-{reference}").fetch_history()
    kinds = [event.workflow_task_scheduled_event_attributes.task_queue.kind
             for event in history.events
             if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED]
    # a worker that keeps a workflow asks for its next task on a queue of its own (sticky)
    assert len(kinds) > 20 and set(kinds) == {TaskQueueKind.TASK_QUEUE_KIND_NORMAL}
