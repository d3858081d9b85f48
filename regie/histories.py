"""A grant's Temporal history, wherever it is now.

Temporal removes a closed workflow's history once the namespace's retention period has passed
(24 hours on a dev server, often a few days on a new cluster; Regie sets ENGINE_RETENTION). A
grant is audited for years after that, so the retention activity keeps each closed grant's
whole history in Regie's database (`kept_histories`), with its hash in the audit log. Reading
takes Temporal's history while Temporal has it, and the kept copy after, checked against that
hash. The kept copy of a grant not funded goes when its personal data goes (docs/privacy.md).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHistory
from temporalio.service import RPCError, RPCStatusCode

from domain.lifecycle import STAGES, Role
from regie import audit
from regie.logging import get_logger
from regie.records import Application, AuditEntry, KeptHistory
from regie.temporal import grant_workflow_id

# How long the namespace must keep a closed workflow's history: several of the retention
# workflow's weekly looks, with room for a worker stopped over a holiday; shorter than the
# privacy terms (docs/privacy.md). `regie register-search-attributes` and `regie run` set it.
ENGINE_RETENTION = timedelta(days=30)
KEPT = "history_kept"  # the audit log's action for a kept copy, with its hash
ENDED = [stage.value for stage, info in STAGES.items() if info.terminal]


class HistoryUnavailable(LookupError):
    """Neither Temporal nor Regie's database has the grant's history, or the kept copy does not
    match the hash the audit log holds for it."""


def _sha256(events: str) -> str:
    return hashlib.sha256(events.encode()).hexdigest()


async def load(client: Client, db: AsyncSession, reference: str) -> WorkflowHistory:
    """The grant's whole history: from Temporal while it has it, else the kept copy."""
    try:
        return await client.get_workflow_handle(grant_workflow_id(reference)).fetch_history()
    except RPCError as exc:
        if exc.status != RPCStatusCode.NOT_FOUND:
            raise
    kept = (await db.exec(select(KeptHistory).where(KeptHistory.reference == reference))).first()
    if kept is None:
        raise HistoryUnavailable(f"{reference}: no history in Temporal nor kept in Regie")
    logged = (await db.exec(select(AuditEntry).where(
        AuditEntry.action == KEPT, AuditEntry.subject == reference))).all()
    if _sha256(kept.events) not in {entry.detail.get("sha256") for entry in logged}:
        raise HistoryUnavailable(f"{reference}: the kept history does not match its hash in "
                                 "the audit log")
    return WorkflowHistory.from_json(kept.workflow_id, kept.events)


async def keep_closed(db: AsyncSession, client: Client) -> list[str]:
    """Copy the history of every grant whose workflow has closed and is not kept yet; safe to
    repeat. The references kept."""
    log = get_logger(actor="Regie")
    waiting = (await db.exec(select(Application.reference).where(
        Application.reference.is_not(None), Application.stage.in_(ENDED),
        Application.anonymised_at.is_(None),
        Application.reference.not_in(select(KeptHistory.reference))).order_by(
        Application.reference))).all()
    kept = []
    for reference in waiting:
        handle = client.get_workflow_handle(grant_workflow_id(reference))
        try:
            described = await handle.describe()
            if described.status == WorkflowExecutionStatus.RUNNING:
                continue  # its last steps after the final stage
            history = await handle.fetch_history()
        except RPCError as exc:
            if exc.status != RPCStatusCode.NOT_FOUND:
                raise
            log.error("history.lost", grant=reference, workflow_id=handle.id)
            continue
        events = history.to_json()
        # the hash into the audit log first: a copy is never kept without it (a repeat after a
        # crash between the two logs the same hash again, as the closed history is the same)
        await audit.append(db, "Regie", Role.SYSTEM.value, KEPT, reference, {
            "workflow_id": handle.id, "run_id": described.run_id, "events": len(history.events),
            "sha256": _sha256(events)})
        db.add(KeptHistory(reference=reference, workflow_id=handle.id,
                           run_id=described.run_id, events=events, sha256=_sha256(events),
                           closed_at=described.close_time))
        await db.commit()
        kept.append(reference)
    return kept
