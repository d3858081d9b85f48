"""Commands on grants, shared by the API, the activities, the demo data and the tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.common import SearchAttributePair, TypedSearchAttributes, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from domain.scheme import Scheme
from domain.types import AdoptedGrant, GrantParams, GrantStatus
from regie.records import Application, Organisation, ProjectActivity
from regie.temporal import grant_workflow_id
from workflows import search
from workflows.grant import GrantWorkflow


class ActionRefused(Exception):
    """A human action the workflow refused; the message says why (Dutch / English)."""


async def grant_params(db: AsyncSession, app: Application, scheme: Scheme) -> GrantParams:
    rnd = scheme.round(app.round_id)
    org = await db.get(Organisation, app.organisation_id)
    all_ends = (await db.exec(select(ProjectActivity.end).where(
        ProjectActivity.application_id == app.id))).all()
    ends = [e for e in all_ends if e is not None]
    return GrantParams(
        reference=app.reference, application_id=app.id, round_id=rnd.id,
        scheme_id=scheme.scheme.id, scheme_hash=scheme.content_hash,
        organisation_id=org.id, organisation_type=org.organisation_type,
        partner_organisation_ids=tuple(app.partner_ids), requested_cents=app.requested_cents,
        last_activity_end=max(ends, default=scheme.scheme.projects_end),
        projects_end_at=scheme.end_of_day_utc(scheme.scheme.projects_end),
        projects_end=scheme.scheme.projects_end, timezone=scheme.scheme.timezone,
        reporting_closes_at=scheme.end_of_day_utc(scheme.scheme.reporting_closes),
        terms=scheme.terms(rnd), reporting=scheme.reporting(rnd),
        rubric=scheme.rubrics[rnd.rubric], activity_count=len(all_ends),
    )


async def start(db: AsyncSession, client: Client, scheme: Scheme, app: Application,
                reference: str, submitted_at: datetime, task_queue: str,
                round_closed: bool = False, adopted: AdoptedGrant | None = None) -> None:
    """Give an application its reference and start its GrantWorkflow; safe to repeat.

    Live rounds call this through their RoundWorkflow; grants of rounds that closed before
    Regie took over (demo data, imports) pass `round_closed`, and grants awarded before it
    took over (imports) pass `adopted`, so they start at their real stage."""
    if app.reference is None:
        app.reference, app.submitted_at = reference, submitted_at
        app.scheme_id, app.scheme_hash = scheme.scheme.id, scheme.content_hash
        app.stage = "submitted"
        db.add(app)
        await db.commit()
    params = (await grant_params(db, app, scheme)).model_copy(
        update={"round_closed": round_closed, "adopted": adopted})
    try:
        await client.start_workflow(
            GrantWorkflow.run, params, id=grant_workflow_id(app.reference),
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            search_attributes=TypedSearchAttributes([
                SearchAttributePair(search.STAGE, "submitted"),
                SearchAttributePair(search.ROUND, app.round_id),
                SearchAttributePair(search.ORGANISATION_TYPE, params.organisation_type),
            ]),
        )
    except WorkflowAlreadyStartedError:
        pass  # a retried start: the grant is already under way


async def run_update(handle, update, argument, update_id: str | None = None):
    """Execute a workflow Update; a refusal (validator or handler) becomes ActionRefused with
    its reason, for every workflow of Regie."""
    try:
        return await handle.execute_update(update, argument, id=update_id)
    except WorkflowUpdateFailedError as exc:
        cause = exc.cause
        raise ActionRefused(cause.message if isinstance(cause, ApplicationError)
                            else str(cause)) from None


async def act(client: Client, reference: str, update: str, command: BaseModel) -> None:
    """Run a human action (a workflow Update); ActionRefused carries the validator's reason."""
    try:
        await run_update(client.get_workflow_handle(grant_workflow_id(reference)), update,
                         command)
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:  # the grant's workflow has completed
            raise ActionRefused(f"Deze aanvraag wacht niet meer op handelingen / "
                                f"this grant no longer takes actions ({exc.message})") from exc
        raise ActionRefused("Regie kan uw handeling nu niet doorgeven; er is niets opgeslagen. "
                            "Probeer het over een minuut opnieuw / Regie cannot pass your action "
                            "on just now; nothing was saved. Try again in a minute") from exc


async def status(client: Client, reference: str,
                 rpc_timeout: timedelta | None = None) -> GrantStatus:
    return await client.get_workflow_handle(grant_workflow_id(reference)).query(
        GrantWorkflow.status, rpc_timeout=rpc_timeout)
