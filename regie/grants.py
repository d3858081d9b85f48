"""Commands on grants, shared by the API, the demo data and the tests: submit, act, read."""

from __future__ import annotations

from datetime import datetime, timezone

from pydantic import BaseModel
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from domain.scheme import Scheme
from domain.types import GrantParams, GrantStatus
from regie.records import Application, Organisation, ProjectActivity
from regie.temporal import grant_workflow_id
from workflows import search
from workflows.grant import GrantWorkflow


class ActionRefused(Exception):
    """A human action the workflow refused; the message says why (Dutch / English)."""


async def next_reference(db: AsyncSession, round_id: str) -> str:
    count = (await db.exec(select(func.count()).select_from(Application).where(
        Application.round_id == round_id, Application.submitted_at.is_not(None)))).one()
    return f"SV{round_id}-{count + 1:04d}"


async def grant_params(db: AsyncSession, app: Application, scheme: Scheme) -> GrantParams:
    rnd = scheme.round(app.round_id)
    org = await db.get(Organisation, app.organisation_id)
    ends = (await db.exec(select(ProjectActivity.end).where(
        ProjectActivity.application_id == app.id))).all()
    return GrantParams(
        reference=app.reference, application_id=app.id, round_id=rnd.id,
        scheme_id=scheme.scheme.id, scheme_hash=scheme.content_hash,
        organisation_id=org.id, organisation_type=org.organisation_type,
        partner_organisation_ids=tuple(app.partner_ids), requested_cents=app.requested_cents,
        last_activity_end=max(ends, default=scheme.scheme.projects_end),
        projects_end_at=scheme.end_of_day_utc(scheme.scheme.projects_end),
        reporting_closes_at=scheme.end_of_day_utc(scheme.scheme.reporting_closes),
        terms=scheme.terms(rnd), reporting=scheme.reporting(rnd),
    )


async def submit(db: AsyncSession, client: Client, scheme: Scheme, app: Application,
                 task_queue: str, submitted_at: datetime | None = None) -> str:
    """Give a draft its reference and start its GrantWorkflow; returns the reference."""
    app.reference = await next_reference(db, app.round_id)
    app.submitted_at = submitted_at or datetime.now(timezone.utc)
    app.scheme_id, app.scheme_hash = scheme.scheme.id, scheme.content_hash
    app.stage = "submitted"
    db.add(app)
    await db.commit()
    params = await grant_params(db, app, scheme)
    await client.start_workflow(
        GrantWorkflow.run, params, id=grant_workflow_id(app.reference), task_queue=task_queue,
        search_attributes=TypedSearchAttributes([
            SearchAttributePair(search.STAGE, "submitted"),
            SearchAttributePair(search.ROUND, app.round_id),
            SearchAttributePair(search.ORGANISATION_TYPE, params.organisation_type),
        ]),
    )
    return app.reference


async def act(client: Client, reference: str, update: str, command: BaseModel) -> None:
    """Run a human action (a workflow Update); ActionRefused carries the validator's reason."""
    handle = client.get_workflow_handle(grant_workflow_id(reference))
    try:
        await handle.execute_update(update, command)
    except WorkflowUpdateFailedError as exc:
        cause = exc.cause
        raise ActionRefused(cause.message if isinstance(cause, ApplicationError) else str(cause))
    except RPCError as exc:
        raise ActionRefused(f"Deze aanvraag wacht niet meer op handelingen / "
                            f"this grant no longer takes actions ({exc.message})") from exc


async def status(client: Client, reference: str) -> GrantStatus:
    return await client.get_workflow_handle(grant_workflow_id(reference)).query(
        GrantWorkflow.status)
