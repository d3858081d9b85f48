"""The running rounds and ledger brought in line with the scheme file.

A round's workflow and the ledger take their window and budgets from the scheme file when they
start, which is when Regie is first deployed, while the file may change after that: the
programme team confirms a value marked ASSUMPTION (a round's budget, the day the books close),
a round opens or closes later, a round is added. Each worker compares them with the file when
it starts, and sends an Update where they differ: `move_window` to a round that has not closed
(its opening only until it opens), `set_budgets` to the ledger. The workflow's validator
refuses what cannot be (a closing already past, a ceiling below what is committed): the
workflow then keeps what it has, and the refusal is logged as an error. Each change is in the
workflow's history and the audit log, once: its Update's id (`align-...`) is in the entry. A
worker stopped between the Update and the entry leaves the entry to the next worker that
starts, which finds the Update in the history: of the running run, or of a run that has
continued as new since; a run that closed is read for it once more as Regie keeps its history.
Grants keep the terms their round had when they were filed.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass
from datetime import timedelta, timezone

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHistory
from temporalio.service import RPCError, RPCStatusCode

from domain.scheme import Scheme
from domain.types import SYSTEM, LedgerStatus, RoundStatus, SetBudgets, WindowMove
from regie import audit, histories, programme, rounds
from regie.grants import ActionRefused, run_update
from regie.logging import get_logger
from workflows.ledger import LedgerWorkflow
from workflows.round import RoundWorkflow

ALIGNED = "scheme_aligned"  # the audit log's action for a change the scheme file brought
UPDATE_PREFIX = "align-"  # the ids of the Updates an alignment sends
UPDATES = ("move_window", "set_budgets")
OPEN_PHASES = ("scheduled", "open")
# How long to wait for a round or the ledger to answer, and to keep asking. A workflow whose
# worker stopped (a restart for the new file) answers only once the server gives up on that
# worker: after its sticky queue's timeout (10 s), or, for a task it had started, after the task
# timeout (a round's is 60 s, regie.rounds).
ANSWER_TIMEOUT = timedelta(seconds=30)
ASK_AGAIN = timedelta(seconds=5)
PATIENCE = timedelta(minutes=5)


@dataclass(frozen=True)
class Alignment:
    """What the scheme file changed in one workflow, or why the workflow refused it."""

    workflow_id: str
    changed: bool
    detail: str


async def align_programme(sessions: async_sessionmaker[AsyncSession], client: Client,
                          scheme: Scheme) -> list[Alignment]:
    """Bring every round that has not closed, and the ledger, in line with `scheme`, all at
    once; safe to repeat, and from several workers at once (a workflow that agrees is left
    alone). Needs a worker polling: the rounds and the ledger are asked their state. One that
    does not answer is asked again for up to PATIENCE."""
    async def each(align, workflow_id: str) -> Alignment | None:
        deadline = asyncio.get_running_loop().time() + PATIENCE.total_seconds()
        while True:
            try:
                async with sessions() as db:
                    done = await align(db)
                    await _record_unrecorded(db, client, workflow_id)
                    return done
            except RPCError as exc:
                if exc.status == RPCStatusCode.NOT_FOUND:  # closed, kept, removed since
                    return None
                log = get_logger(workflow_id=workflow_id, actor=SYSTEM.name)
                if asyncio.get_running_loop().time() > deadline:
                    log.error("scheme.unanswered", reason=exc.message)
                    return Alignment(workflow_id, False, exc.message)
                log.warning("scheme.not_yet_answered", reason=exc.message)
                await asyncio.sleep(ASK_AGAIN.total_seconds())

    done = await asyncio.gather(*(
        each(lambda db, rnd=rnd: _align_round(db, client, scheme, rnd),
             rounds.round_workflow_id(rnd.id)) for rnd in scheme.rounds),
        each(lambda db: _align_ledger(db, client, scheme),
             programme.ledger_workflow_id(scheme.scheme.id)))
    return [a for a in done if a is not None]


async def _align_round(db: AsyncSession, client: Client, scheme: Scheme, rnd) -> Alignment | None:
    handle = client.get_workflow_handle_for(RoundWorkflow.run, rounds.round_workflow_id(rnd.id))
    opens_at, closes_at, closes_local = rounds.window(scheme, rnd)

    def agrees(status: RoundStatus | None) -> bool:  # None: it has closed
        return status is None or (status.opens_at, status.closes_at) == (opens_at, closes_at)

    async def ask():
        return await _ask(handle, RoundWorkflow.status)
    detail = {"opens_at": opens_at.isoformat(), "closes_at": closes_at.isoformat()}
    status = await ask()
    if agrees(status):
        return None
    if status.phase not in OPEN_PHASES:
        get_logger(workflow_id=handle.id, actor=SYSTEM.name).warning(
            "scheme.round_closed_apart", phase=status.phase, **detail,
            round_opens_at=status.opens_at.isoformat(),
            round_closes_at=status.closes_at.isoformat())
        return None
    move = WindowMove(actor=SYSTEM, opens_at=opens_at, closes_at=closes_at,
                      closes_local=closes_local, reason=_reason(scheme))
    return await _send(db, handle, RoundWorkflow.move_window, move, ask, agrees, {
        **detail, "was": [status.opens_at.isoformat(), status.closes_at.isoformat()]})


async def _align_ledger(db: AsyncSession, client: Client, scheme: Scheme) -> Alignment | None:
    handle = client.get_workflow_handle_for(
        LedgerWorkflow.run, programme.ledger_workflow_id(scheme.scheme.id))
    closes_at = scheme.end_of_day_utc(scheme.scheme.books_close)

    async def ask():
        return await _ask(handle, LedgerWorkflow.status)
    status = await ask()
    if status is not None and not status.close_movable and status.closes_at != closes_at:
        get_logger(workflow_id=handle.id, actor=SYSTEM.name).warning(
            "scheme.ledger_close_fixed", closes_at=closes_at.isoformat(),
            ledger_closes_at=status.closes_at.isoformat())  # its next run takes it, at a start
    want = SetBudgets(actor=SYSTEM, programme_cents=scheme.scheme.budget_cents,
                      ceilings={r.id: r.budget_cents for r in scheme.rounds},
                      closes_at=closes_at if status is None or status.close_movable else None,
                      reason=_reason(scheme))

    def agrees(status: LedgerStatus | None) -> bool:  # None: the books have closed
        return status is None or (status.programme_cents, {
            r.round_id: r.ceiling_cents for r in status.rounds}) == (
                want.programme_cents, want.ceilings) and (
                    want.closes_at in (None, status.closes_at))

    if agrees(status):
        return None
    was = {r.round_id: r.ceiling_cents for r in status.rounds}
    return await _send(db, handle, LedgerWorkflow.set_budgets, want, ask, agrees, {
        "programme_cents": want.programme_cents, "ceilings": want.ceilings,
        "closes_at": (want.closes_at or closes_at).isoformat(),
        "was": [status.programme_cents, was, status.closes_at.isoformat()]})


async def _ask(handle, query):
    """The state of a running workflow; None once it has closed."""
    if (await handle.describe()).status != WorkflowExecutionStatus.RUNNING:
        return None
    return await handle.query(query, rpc_timeout=ANSWER_TIMEOUT)


async def _send(db: AsyncSession, handle, update, argument, ask, agrees,
                detail: dict) -> Alignment | None:
    """Send `update` with `argument`; a refusal is logged as an error, unless the workflow
    agrees by then (another worker, starting at the same time, aligned it first)."""
    update_id = f"{UPDATE_PREFIX}{uuid.uuid4().hex}"
    log = get_logger(workflow_id=handle.id, actor=SYSTEM.name)
    try:
        await run_update(handle, update, argument, update_id)
    except ActionRefused as exc:
        if agrees(await ask()):
            return None
        log.error("scheme.refused", reason=str(exc), **detail)
        return Alignment(handle.id, False, str(exc))
    log.info("scheme.aligned", update=update_id, **detail)
    await audit.append(db, SYSTEM.name, SYSTEM.role.value, ALIGNED, handle.id,
                       {**detail, "update": update_id}, once="update")
    return Alignment(handle.id, True, "")


async def _record_unrecorded(db: AsyncSession, client: Client, workflow_id: str) -> None:
    """Add to the audit log each alignment Update without an entry in the runs of a running
    workflow that Regie has not kept: the running one, and those that continued as new since.
    The runs of a closed workflow are read as Regie keeps them (regie.histories.keep_closed)."""
    runs = await histories.unkept_runs(db, client, workflow_id)
    if not runs or runs[0].status != WorkflowExecutionStatus.RUNNING:
        return
    for described in runs:
        await record_unrecorded(db, workflow_id, await client.get_workflow_handle(
            workflow_id, run_id=described.run_id).fetch_history())


async def record_unrecorded(db: AsyncSession, workflow_id: str,
                            history: WorkflowHistory) -> None:
    """Add to the audit log each alignment Update this run took that has no entry: its worker
    stopped after the Update, before the entry. Read from the history: the Update's input, and
    when the workflow accepted it."""
    events = history.events
    accepted = {e.workflow_execution_update_accepted_event_attributes.accepted_request.meta
                .update_id: e for e in events
                if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED}
    for e in events:
        if e.event_type != EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
            continue
        done = e.workflow_execution_update_completed_event_attributes
        update_id = done.meta.update_id
        if not update_id.startswith(UPDATE_PREFIX) or done.outcome.HasField("failure"):
            continue
        request = accepted[update_id].workflow_execution_update_accepted_event_attributes \
            .accepted_request
        if request.input.name not in UPDATES:
            continue
        given = json.loads(request.input.args.payloads[0].data)
        given.pop("actor", None)
        entry = await audit.append(
            db, SYSTEM.name, SYSTEM.role.value, ALIGNED, workflow_id,
            {**given, "update": update_id, "recovered": True,
             "accepted_at": accepted[update_id].event_time.ToDatetime(timezone.utc).isoformat()},
            once="update")
        if entry is not None:
            get_logger(workflow_id=workflow_id, actor=SYSTEM.name).warning(
                "scheme.recorded_late", update=update_id)


def _reason(scheme: Scheme) -> str:
    return f"regelingbestand / scheme file {scheme.content_hash[:12]}"
