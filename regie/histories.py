"""Closed workflows' histories, wherever they are now.

Temporal removes a closed run's history once the namespace's retention period has passed (24
hours on a dev server, often a few days on a new cluster; Regie sets ENGINE_RETENTION). Grants,
rounds and the ledger are audited for years after that, so the retention activity keeps the
whole history of each closed run in Regie's database (`kept_histories`), with its hash in the
audit log: a grant's or round's one run once it closes, and each of the ledger's runs once it
continues as new. Reading takes Temporal's history while Temporal has it, and the kept copy
after, checked against that hash; so is the result a page shows of a closed round or ledger.
The copy of a grant not funded goes when its personal data goes (docs/privacy.md). A history
Temporal removed before Regie kept it is recorded as lost in the audit log.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.history.v1 import HistoryEvent
from temporalio.api.workflowservice.v1 import GetWorkflowExecutionHistoryRequest
from temporalio.client import (
    Client, WorkflowExecutionDescription, WorkflowExecutionStatus, WorkflowHistory,
)
from temporalio.service import RPCError, RPCStatusCode

from domain.lifecycle import Role
from regie import audit
from regie.logging import get_logger
from regie.records import AuditEntry, KeptHistory

# How long the namespace must keep a closed workflow's history: several of the retention
# workflow's weekly looks, with room for a worker stopped over a holiday; shorter than the
# privacy terms (docs/privacy.md). `regie register-search-attributes` and `regie run` set it.
ENGINE_RETENTION = timedelta(days=30)
KEPT = "history_kept"  # the audit log's action for a kept copy, with its hash
LOST = "history_lost"  # ... for a workflow Temporal removed before Regie kept its history

M = TypeVar("M", bound=BaseModel)
# what reads a closed run's history before Regie keeps it: the session, the workflow id, the run
BeforeKeeping = Callable[[AsyncSession, str, WorkflowHistory], Awaitable[None]]


class HistoryUnavailable(LookupError):
    """Neither Temporal nor Regie's database has the history, or the kept copy does not match
    the hash the audit log holds for it."""


def _sha256(events: str) -> str:
    return hashlib.sha256(events.encode()).hexdigest()


async def kept(db: AsyncSession, workflow_id: str) -> KeptHistory | None:
    """The copy of the run that closed the workflow; None while it runs or is not kept."""
    return (await db.exec(select(KeptHistory).where(
        KeptHistory.workflow_id == workflow_id, KeptHistory.continued.is_(False)))).first()


async def _check(db: AsyncSession, copy: KeptHistory) -> str:
    """The kept copy's hash, once it matches the one the audit log holds for it."""
    logged = (await db.exec(select(AuditEntry).where(
        AuditEntry.action == KEPT, AuditEntry.subject == copy.workflow_id))).all()
    digest = _sha256(copy.events)
    if digest not in {entry.detail.get("sha256") for entry in logged}:
        get_logger(workflow_id=copy.workflow_id).error("history.altered")
        raise HistoryUnavailable(f"{copy.workflow_id}: the kept history does not match its "
                                 "hash in the audit log")
    return digest


@dataclass(frozen=True)
class Loaded:
    """A run's history, and where it was read: the kept copy's hash, which matched the one in
    the audit log; None when Temporal gave it."""
    history: WorkflowHistory
    kept_sha256: str | None = None


async def load(client: Client, db: AsyncSession, workflow_id: str, run_id: str = "") -> Loaded:
    """A run's whole history (the workflow's latest without `run_id`): from Temporal while it
    has it, else the kept copy."""
    try:
        return Loaded(await client.get_workflow_handle(
            workflow_id, run_id=run_id or None).fetch_history())
    except RPCError as exc:
        if exc.status != RPCStatusCode.NOT_FOUND:
            raise
    copy = await (_kept_run(db, workflow_id, run_id) if run_id else kept(db, workflow_id))
    if copy is None:
        raise HistoryUnavailable(f"{workflow_id}: no history in Temporal nor kept in Regie")
    digest = await _check(db, copy)
    return Loaded(WorkflowHistory.from_json(workflow_id, copy.events), digest)


async def _kept_run(db: AsyncSession, workflow_id: str, run_id: str) -> KeptHistory | None:
    return (await db.exec(select(KeptHistory).where(
        KeptHistory.workflow_id == workflow_id, KeptHistory.run_id == run_id))).first()


@dataclass(frozen=True)
class Run:
    """One run of a workflow, as an auditor finds it."""
    run_id: str
    state: str  # "running", "continued" (as new, in a later run) or "closed"
    closed_at: datetime | None  # None while it runs
    kept: bool  # Regie holds its copy


async def runs(client: Client, db: AsyncSession, workflow_id: str) -> list[Run]:
    """The workflow's runs an auditor can read, the newest first: those Temporal has and Regie
    has not kept yet, back from the latest run to a kept one, then the kept ones."""
    copies = (await db.exec(
        select(KeptHistory.run_id, KeptHistory.continued, KeptHistory.closed_at)
        .where(KeptHistory.workflow_id == workflow_id)
        .order_by(KeptHistory.closed_at.desc(), KeptHistory.id.desc()))).all()
    kept_ids = {run_id for run_id, _, _ in copies}
    unkept = []
    async for run_id, described in _runs_back(client, workflow_id):
        if described is None or run_id in kept_ids:
            break
        state = {WorkflowExecutionStatus.RUNNING: "running",
                 WorkflowExecutionStatus.CONTINUED_AS_NEW: "continued"}.get(
            described.status, "closed")
        unkept.append(Run(run_id, state, described.close_time, kept=False))
    return unkept + [Run(run_id, "continued" if continued else "closed", closed_at, kept=True)
                     for run_id, continued, closed_at in copies]


async def altered(db: AsyncSession) -> list[str]:
    """What is wrong with each kept copy that no longer matches its hash in the audit log (for
    `regie audit verify`: a round's or the ledger's copy is otherwise only read for its
    pages)."""
    found = []
    for copy_id in (await db.exec(select(KeptHistory.id).order_by(
            KeptHistory.workflow_id, KeptHistory.closed_at))).all():
        copy = await db.get(KeptHistory, copy_id)
        try:
            await _check(db, copy)
        except HistoryUnavailable as exc:
            found.append(str(exc))
        db.expunge(copy)  # one copy in memory at a time
    return found


_RESULTS: dict[str, str | None] = {}  # a checked copy's result by its hash: a copy never changes


async def _closing_result(db: AsyncSession, copy: KeptHistory) -> str | None:
    """The result (JSON) the kept workflow completed with, once its copy matches its hash in the
    audit log; None when it completed without one."""
    digest = await _check(db, copy)
    if digest not in _RESULTS:
        last = json.loads(copy.events)["events"][-1]
        payloads = (last.get("workflowExecutionCompletedEventAttributes", {})
                    .get("result", {}).get("payloads", []))
        _RESULTS[digest] = base64.b64decode(payloads[0]["data"]).decode() if payloads else None
    return _RESULTS[digest]


async def closed_or_live(db: AsyncSession, workflow_id: str, model: type[M],
                         ask: Callable[[], Awaitable[M]]) -> M | None:
    """What a page shows of a round or the ledger: the result it closed with, once Regie has
    kept its history (no replay of a closed workflow to answer, and still there once Temporal
    removed it), read from the copy once that matches its hash; else what `ask` gets of the
    running workflow. None when the copy was altered (logged) or Temporal cannot answer, so
    the page still renders."""
    copy = await kept(db, workflow_id)
    if copy is not None:
        try:
            closed = await _closing_result(db, copy)
        except HistoryUnavailable:
            return None
        if closed is not None:
            return model.model_validate_json(closed)
    try:
        return await ask()
    except RPCError:
        return None


async def unshown(db: AsyncSession, workflow_id: str) -> str:
    """Why a page has no result of this round or ledger to show (closed_or_live gave None): the
    UI's label for it. An altered kept copy is said so, not shown as Temporal being away."""
    copy = await kept(db, workflow_id)
    try:
        if copy is not None:
            await _check(db, copy)
    except HistoryUnavailable:
        return "result_altered"
    return "result_unavailable"


async def keep_closed(db: AsyncSession, client: Client, workflow_ids: list[str],
                      before_keeping: BeforeKeeping | None = None) -> list[str]:
    """Copy the history of each closed run of these workflows that is not kept yet: the run that
    closed the workflow, and every earlier run that continued as new (the ledger's), also while
    the workflow runs on; safe to repeat. `before_keeping` reads each run's history first, with
    the workflow id (regie.alignment). The workflow ids of which a run was kept."""
    closed = set((await db.exec(select(KeptHistory.workflow_id).where(
        KeptHistory.workflow_id.in_(workflow_ids), KeptHistory.continued.is_(False)))).all())
    copied = []
    for workflow_id in [w for w in workflow_ids if w not in closed]:
        runs = [described for described in await unkept_runs(db, client, workflow_id)
                if described.status != WorkflowExecutionStatus.RUNNING]
        for described in reversed(runs):  # the oldest first
            history = await client.get_workflow_handle(
                workflow_id, run_id=described.run_id).fetch_history()
            if before_keeping is not None:
                await before_keeping(db, workflow_id, history)
            events = history.to_json()
            digest = _sha256(events)
            # the hash into the audit log first: a copy is never kept without it (a repeat after
            # a crash between the two logs the same hash again, as the closed history is the
            # same)
            await audit.append(db, "Regie", Role.SYSTEM.value, KEPT, workflow_id, {
                "run_id": described.run_id, "events": len(history.events), "sha256": digest})
            db.add(KeptHistory(
                workflow_id=workflow_id, run_id=described.run_id, events=events,
                continued=described.status == WorkflowExecutionStatus.CONTINUED_AS_NEW,
                closed_at=described.close_time))
            await db.commit()
        if runs:
            copied.append(workflow_id)
    return copied


async def unkept_runs(db: AsyncSession, client: Client, workflow_id: str,
                      ) -> list[WorkflowExecutionDescription]:
    """The runs of the workflow that are not kept, the running one among them, the newest
    first: back from its latest run, each run to the one it continued, up to a kept run or the
    first. Kept oldest first, every run before a kept one is kept too. A run Temporal removed
    before it was kept is recorded as lost; the runs before it, older still, are gone too."""
    found = []
    async for run_id, described in _runs_back(client, workflow_id):
        if described is None:
            await _record_lost(db, workflow_id, run_id)
            break
        if (await db.exec(select(KeptHistory.id).where(
                KeptHistory.workflow_id == workflow_id,
                KeptHistory.run_id == run_id))).first() is not None:
            break
        found.append(described)
    return found


async def _runs_back(client: Client, workflow_id: str,
                     ) -> AsyncIterator[tuple[str, WorkflowExecutionDescription | None]]:
    """The workflow's runs with their descriptions, the newest first, back to its first run:
    each run's first event names the run it continued. A run Temporal no longer has comes with
    None (its id is "" when the workflow is gone), and ends the walk."""
    run_id = ""  # the latest run
    while True:
        try:
            described = await client.get_workflow_handle(
                workflow_id, run_id=run_id or None).describe()
        except RPCError as exc:
            if exc.status != RPCStatusCode.NOT_FOUND:
                raise
            yield run_id, None
            return
        yield described.run_id, described
        first = await _first_event(client, workflow_id, described.run_id)
        run_id = first.workflow_execution_started_event_attributes.continued_execution_run_id
        if not run_id:
            return


async def _first_event(client: Client, workflow_id: str, run_id: str) -> HistoryEvent:
    """The first event of a run, without reading the rest of its history."""
    page = await client.workflow_service.get_workflow_execution_history(
        GetWorkflowExecutionHistoryRequest(
            namespace=client.namespace, maximum_page_size=1,
            execution=WorkflowExecution(workflow_id=workflow_id, run_id=run_id)))
    return page.history.events[0]


async def _record_lost(db: AsyncSession, workflow_id: str, run_id: str = "") -> None:
    """Temporal no longer has a workflow that should have closed, or an earlier run of one (its
    retention period passed while no worker kept it, or it was deleted): the audit log says so,
    once for the workflow, and the web app's `regie_histories_lost` metric counts it
    (deploy/prometheus/alerts.yml)."""
    get_logger(workflow_id=workflow_id, run_id=run_id).error("history.not_in_temporal")
    if (await db.exec(select(AuditEntry.id).where(
            AuditEntry.action == LOST, AuditEntry.subject == workflow_id))).first() is None:
        await audit.append(db, "Regie", Role.SYSTEM.value, LOST, workflow_id,
                           {"run_id": run_id} if run_id else {})


async def lost_count(db: AsyncSession) -> int:
    return (await db.exec(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == LOST))).one()
