"""Rounds as Temporal sees them: one RoundWorkflow per round of the scheme."""

from __future__ import annotations

import asyncio
import random
import weakref
from datetime import datetime, timedelta

from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from domain.lifecycle import Stage
from domain.scheme import Round, Scheme
from domain.types import Actor, RoundParams, RoundStatus, SubmitToRound
from regie import histories
from regie.grants import ActionRefused, run_update
from regie.logging import get_logger
from regie.records import Application
from regie.temporal import PAGE_QUERY_TIMEOUT
from workflows.round import RoundWorkflow, closed_message, submission_id


# A worker that has not got a round in memory replays its run before the next task (about 15
# events an application): 5,063 events for 334 applications in one run took 6.1 s under the
# whole-programme bench's load, against Temporal's default task timeout of 10 s, past which the
# task would start again from nothing while the load lasts. A round now continues as new every
# `RoundParams.run_events` events (round-short-runs), but one started before runs as one run:
# a round's tasks get 60 s; a task lost with a worker is then taken up again after a minute.
ROUND_TASK_TIMEOUT = timedelta(seconds=60)


# Submissions one process sends to the rounds at a time: two web app replicas stay within the
# server's 10 Updates in flight on one workflow. bench/rush.py, 200 applicants at once: the last
# had a reference after 30 s sent all at once, after 12 s four at a time.
SUBMISSIONS_AT_ONCE = 4
# How long a submission keeps trying a round that is busy.
SUBMIT_PATIENCE = timedelta(seconds=30)
BUSY = ("De ronde kan uw aanvraag nu niet aannemen; uw concept is bewaard. Probeer het over een "
        "minuut opnieuw / the round cannot take your application just now; your draft is kept. "
        "Try again in a minute")


_TURNS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary())


def _turns() -> asyncio.Semaphore:
    """This process's turns at sending a submission (one set for each event loop)."""
    loop = asyncio.get_running_loop()
    if loop not in _TURNS:
        _TURNS[loop] = asyncio.Semaphore(SUBMISSIONS_AT_ONCE)
    return _TURNS[loop]


def round_workflow_id(round_id: str) -> str:
    return f"round-{round_id}"


def local_text(rnd: Round) -> str:
    return rnd.closes.strftime("%d-%m-%Y %H:%M")


def window(scheme: Scheme, rnd: Round) -> tuple[datetime, datetime, str]:
    """A round's opening and closing (UTC), and its closing as applicants read it."""
    return scheme.local_to_utc(rnd.opens), scheme.local_to_utc(rnd.closes), local_text(rnd)


async def round_params(db: AsyncSession, scheme: Scheme, rnd: Round) -> RoundParams:
    taken = (await db.exec(select(func.count()).select_from(Application).where(
        Application.round_id == rnd.id, Application.reference.is_not(None)))).one()
    opens_at, closes_at, closes_local = window(scheme, rnd)
    return RoundParams(
        round_id=rnd.id, opens_at=opens_at, closes_at=closes_at, closes_local=closes_local,
        draft_reminder_days=scheme.terms(rnd).draft_reminder_days,
        reference_prefix=scheme.scheme.reference_prefix, first_number=taken + 1,
        projects_end_at=scheme.end_of_day_utc(scheme.scheme.projects_end),
    )


async def ensure_rounds(db: AsyncSession, client: Client, scheme: Scheme, task_queue: str) -> None:
    """Start the RoundWorkflow of every round of the scheme that has none yet; safe to repeat.
    A round whose closed workflow Regie has kept has run, though Temporal may have removed it."""
    for rnd in scheme.rounds:
        if await histories.kept(db, round_workflow_id(rnd.id)) is not None:
            continue
        try:
            await client.start_workflow(
                RoundWorkflow.run, await round_params(db, scheme, rnd),
                id=round_workflow_id(rnd.id), task_queue=task_queue,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                task_timeout=ROUND_TASK_TIMEOUT)
        except WorkflowAlreadyStartedError:
            pass


async def submit(client: Client, round_id: str, actor: Actor, application_id: int) -> str:
    """Hand an application to its round; returns the reference or raises ActionRefused.

    Submissions to a round all go to its one workflow, and the server takes only so many
    Updates to one workflow at a time (`history.maxInFlightUpdates`, 10 by default); sent all
    at once, they are aborted and sent again by the dozen. So this process sends at most
    SUBMISSIONS_AT_ONCE at a time, and the others wait their turn. One that still finds the
    workflow full after the client's own retries is sent again, as the same Update (a second
    delivery returns the first one's reference), for up to SUBMIT_PATIENCE; then the applicant
    is told to try again, the draft kept."""
    handle = client.get_workflow_handle_for(RoundWorkflow.run, round_workflow_id(round_id))
    deadline = asyncio.get_running_loop().time() + SUBMIT_PATIENCE.total_seconds()
    while True:
        try:
            async with _turns():
                return await run_update(handle, RoundWorkflow.submit, SubmitToRound(
                    actor=actor, application_id=application_id),
                    update_id=submission_id(application_id))
        except RPCError as exc:
            if exc.status == RPCStatusCode.NOT_FOUND:  # the round's workflow has completed
                closed = await handle.result()
                raise ActionRefused(closed_message(closed.closes_local)) from None
            get_logger(round=round_id, application_id=application_id, actor=actor.name).warning(
                "round.busy", reason=exc.message)
            if asyncio.get_running_loop().time() > deadline:
                raise ActionRefused(BUSY) from exc
            await asyncio.sleep(random.uniform(0.5, 2))


async def status(client: Client, db: AsyncSession, round_id: str) -> RoundStatus | None:
    """The round's status: as it closed, or asked of its workflow (histories.closed_or_live);
    None when the round has no workflow."""
    return await histories.closed_or_live(
        db, round_workflow_id(round_id), RoundStatus, lambda: client.get_workflow_handle_for(
            RoundWorkflow.run, round_workflow_id(round_id)).query(
            RoundWorkflow.status, rpc_timeout=PAGE_QUERY_TIMEOUT))


async def decides(client: Client, db: AsyncSession, app: Application) -> bool:
    """Whether the grant's round is still to decide it: the grant awaits its decision, and its
    round, which has its verdict, has not yet delivered the allocation. The team decides such
    a grant through the round's allocation, not on the grant's own page."""
    if app.stage != Stage.DECISION.value:
        return False
    live = await status(client, db, app.round_id)
    return live is not None and live.phase != "decided" and app.reference in live.references
