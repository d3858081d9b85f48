"""The programme's long-lived workflows: its budget ledger, one RoundWorkflow per round, and
the retention of personal data."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from domain.scheme import Scheme
from domain.schedules import add_months
from domain.types import LedgerParams, LedgerStatus, RetentionParams, SetCommitment
from regie import histories
from regie.grants import run_update
from regie.rounds import ensure_rounds
from regie.temporal import PAGE_QUERY_TIMEOUT
from workflows.ledger import LedgerWorkflow
from workflows.retention import RetentionWorkflow


def ledger_workflow_id(scheme_id: str) -> str:
    return f"ledger-{scheme_id}"


async def ensure_programme(db: AsyncSession, client: Client, scheme: Scheme,
                           task_queue: str) -> None:
    """Start the ledger and every round's workflow where they are not running; safe to repeat.
    A ledger or round whose closed workflow Regie has kept is not started again, though
    Temporal may have removed it."""
    ledger_id = ledger_workflow_id(scheme.scheme.id)
    if await histories.kept(db, ledger_id) is None:
        try:
            await client.start_workflow(
                LedgerWorkflow.run, LedgerParams(
                    scheme_id=scheme.scheme.id, programme_cents=scheme.scheme.budget_cents,
                    ceilings={r.id: r.budget_cents for r in scheme.rounds},
                    closes_at=scheme.end_of_day_utc(scheme.scheme.books_close)),
                id=ledger_id, task_queue=task_queue,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE)
        except WorkflowAlreadyStartedError:
            pass
    await ensure_rounds(db, client, scheme, task_queue)


async def ensure_retention(client: Client, scheme: Scheme, task_queue: str) -> None:
    """Start the retention workflow unless it runs; it ends once the books have closed and the
    longest term after them has passed."""
    terms = scheme.retention
    last = add_months(scheme.scheme.books_close, max(terms.not_funded_months,
                                                     terms.drafts_months))
    try:
        await client.start_workflow(
            RetentionWorkflow.run, RetentionParams(
                scheme_id=scheme.scheme.id, every_days=terms.check_every_days,
                ends_at=scheme.end_of_day_utc(last)),
            id=f"retention-{scheme.scheme.id}", task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE)
    except WorkflowAlreadyStartedError:
        pass


async def set_commitment(client: Client, scheme_id: str, cmd: SetCommitment) -> LedgerStatus:
    """One Update on the programme's one ledger. Many awards at once exceed the updates the
    server lets a workflow hold in flight, and it aborts the rest; those are sent again after
    a short pause (the same id, so an update that did land counts once)."""
    handle = client.get_workflow_handle_for(LedgerWorkflow.run, ledger_workflow_id(scheme_id))
    update_id = f"{cmd.reference}/{cmd.amount_cents}/{uuid.uuid4().hex[:8]}"
    for attempt in range(50):
        try:
            return await run_update(handle, LedgerWorkflow.set_commitment, cmd,
                                    update_id=update_id)
        except RPCError as exc:
            if exc.status != RPCStatusCode.UNAVAILABLE or attempt == 49:
                raise
            await asyncio.sleep(0.02 * (attempt + 1))
    raise AssertionError("unreachable")


async def ledger(client: Client, scheme_id: str,
                 rpc_timeout: timedelta | None = None) -> LedgerStatus:
    return await client.get_workflow_handle_for(
        LedgerWorkflow.run, ledger_workflow_id(scheme_id)).query(LedgerWorkflow.status,
                                                                 rpc_timeout=rpc_timeout)


async def ledger_or_none(client: Client, db: AsyncSession,
                         scheme_id: str) -> LedgerStatus | None:
    """The ledger for a page: as it closed, or asked of its workflow
    (histories.closed_or_live)."""
    return await histories.closed_or_live(db, ledger_workflow_id(scheme_id), LedgerStatus,
                                          lambda: ledger(client, scheme_id, PAGE_QUERY_TIMEOUT))
