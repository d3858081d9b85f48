"""The Temporal worker: GrantWorkflow and its activities on Regie's task queue."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client
from temporalio.worker import Worker

from activities.grants import GrantActivities
from activities.letters import LetterActivities
from activities.mail import MailActivities
from activities.retention import RetentionActivities
from activities.rounds import RoundActivities
from domain.scheme import Scheme
from regie.logging import get_logger
from regie.serving import stop_on_signals
from regie.settings import Settings
from workflows.digest import DigestWorkflow
from workflows.grant import GrantWorkflow
from workflows.ledger import LedgerWorkflow
from workflows.retention import RetentionWorkflow
from workflows.round import RoundWorkflow

WORKFLOWS = [GrantWorkflow, RoundWorkflow, LedgerWorkflow, RetentionWorkflow, DigestWorkflow]
# How long a stopping worker lets the task it started beside it (the scheme's alignment) finish
# what it has in hand before cutting it short: an alignment answers in a moment, and one cut
# short inside a database call leaves its connection to be thrown away, with an error in the
# log. With worker.shutdown()'s 10 s it stays within the 30 s a deployment gives a stop.
START_TASK_GRACE_S = 5


def activities(client: Client, settings: Settings,
               sessions: async_sessionmaker[AsyncSession], scheme: Scheme) -> list:
    """Every activity of Regie's workflows, bound to its database, settings and scheme."""
    grants = GrantActivities(sessions, scheme)
    mail = MailActivities(sessions, settings, scheme)
    rounds = RoundActivities(sessions, client, scheme, settings)
    letters = LetterActivities(sessions, settings, scheme)
    retention = RetentionActivities(sessions, scheme, client,
                                    settings.data_dir / "attachments")
    return [grants.record_event, grants.check_application, grants.archive_grant,
            mail.send_mail, mail.send_digest, rounds.start_grant, rounds.remind_drafts,
            rounds.tell_round_open, rounds.tell_window_moved, rounds.release_round,
            rounds.commit_budget, rounds.tell_round, rounds.propose_allocation,
            rounds.deliver_decisions, letters.issue_letter, retention.apply_retention]


def build_worker(client: Client, settings: Settings, sessions: async_sessionmaker[AsyncSession],
                 scheme: Scheme, bound: list | None = None) -> Worker:
    """The worker of Regie's task queue; `bound`: its activities, when not `activities(...)`."""
    return Worker(
        client, task_queue=settings.task_queue, workflows=WORKFLOWS,
        activities=bound or activities(client, settings, sessions, scheme),
        graceful_shutdown_timeout=timedelta(seconds=10),
        max_concurrent_workflow_tasks=settings.worker_workflow_tasks,
        max_cached_workflows=settings.worker_cached_workflows,
    )


async def run_until_stopped(worker: Worker,
                            started: Callable[[], Awaitable[object]] | None = None) -> None:
    """Run `worker` until SIGINT or SIGTERM, then shut it down through worker.shutdown();
    `started`: what to do beside it once it polls (a failure is logged; the worker runs on)."""
    stop = stop_on_signals()
    log = get_logger(task_queue=worker.task_queue)

    async def beside() -> None:
        try:
            await started()
        except Exception:  # Temporal or the database away: the worker still serves
            if not stop.is_set():  # not merely cut short by the shutdown
                log.exception("worker.start_task_failed")

    async with worker:
        log.info("worker.started")
        task = asyncio.create_task(beside()) if started is not None else None
        await stop.wait()
        if task is not None:  # the worker polls meanwhile: the alignment's Updates need it
            await asyncio.wait({task}, timeout=START_TASK_GRACE_S)
            task.cancel()
    get_logger(task_queue=worker.task_queue).info("worker.stopped")
