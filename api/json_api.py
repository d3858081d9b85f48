"""The JSON API, documented at /docs: the same grants, actions and history as the pages."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlmodel import select

from api.actions import HUMAN_ROLES, BadCommand, build_command, refuse_while_round_decides
from api.auth import SIGNED_IN, STAFF, Db, Viewer, allow
from api.history import fetch
from api.views import (
    Composed, RowId, TimelineEntry, grant_for, identity_hidden, live_status, own_application,
    round_taking_drafts, timeline,
)
from domain.eligibility import check_eligibility
from domain.lifecycle import Action, Role
from domain.types import Finding, GrantStatus
from regie import audit, grants, notes
from regie.applications import DraftIn, DraftIncomplete, draft_of, facts_for, save_draft, submit_draft
from regie.metrics import CONTENT_TYPE
from regie.records import Application
from regie.temporal import grant_workflow_id

router = APIRouter()

Anyone = Annotated[Viewer, Depends(allow(Role.PUBLIC))]
SignedIn = Annotated[Viewer, Depends(allow(*SIGNED_IN))]
Staff = Annotated[Viewer, Depends(allow(*STAFF))]
Grantee = Annotated[Viewer, Depends(allow(Role.GRANTEE))]
Actor = Annotated[Viewer, Depends(allow(*HUMAN_ROLES))]


class Me(BaseModel):
    name: str
    email: str
    role: Role
    organisation_id: int | None


class GrantSummary(BaseModel):
    reference: str
    title: str
    round_id: str
    organisation_id: int | None  # None for an assessor in a round that hides who applies
    stage: str
    deadline: datetime | None
    requested_cents: int
    awarded_cents: int | None = Field(description=(
        "The amount awarded (by the decision, or by an objection upheld), as last amended "
        "(wijzigingsbesluit); once the grant is settled, the amount settled (vaststelling). "
        "None while nothing is awarded."))


class NoteOut(BaseModel):
    """A team note on the grant (regie.notes), as written; a correction names the note it
    corrects, and a corrected note the correction."""

    id: int
    at: datetime
    actor: str
    text: str
    corrects: int | None = None
    corrected_by: int | None = None


class GrantDetail(GrantSummary):
    timeline: list[TimelineEntry]
    status: GrantStatus | None
    notes: list[NoteOut] | None = None  # for the team and auditors, who read them


async def _notes(db, reference: str) -> list[NoteOut]:
    kept = await notes.of(db, reference)
    later = notes.corrected(kept)
    return [NoteOut(id=n.id, at=n.at, actor=n.actor, text=n.detail["text"],
                    corrects=n.detail.get("corrects"),
                    corrected_by=later[n.id].id if n.id in later else None) for n in kept]


class DraftOut(BaseModel):
    id: int
    reference: str | None
    requested_cents: int
    draft: DraftIn
    findings: list[Finding]


def _summary(app: Application) -> GrantSummary:
    return GrantSummary.model_validate(app, from_attributes=True)


@router.get("/healthz", tags=["operations"])
async def healthz(viewer: Anyone) -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", tags=["operations"])
async def readyz(request: Request, viewer: Anyone, db: Db) -> dict[str, str]:
    await db.exec(text("SELECT 1"))
    await request.app.state.temporal.service_client.check_health()
    return {"status": "ready"}


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request, viewer: Anyone, db: Db):
    """Prometheus: the app's requests, grants by stage, mails waiting (no personal data)."""
    return Response(await request.app.state.metrics.render(db), media_type=CONTENT_TYPE)


@router.get("/api/me", tags=["people"])
async def me(viewer: SignedIn) -> Me:
    p = viewer.person
    return Me(name=p.name, email=p.email, role=viewer.role, organisation_id=p.organisation_id)


@router.get("/api/grants", tags=["grants"])
async def list_grants(viewer: Staff, db: Db, stage: str | None = None,
                      limit: Annotated[int, Query(ge=1, le=500)] = 100,
                      offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
                      ) -> list[GrantSummary]:
    query = select(Application).where(Application.submitted_at.is_not(None))
    if stage:
        query = query.where(Application.stage == stage)
    rows = await db.exec(query.order_by(Application.reference).offset(offset).limit(limit))
    return [_summary(a) for a in rows.all()]


@router.get("/api/grants/{reference}", tags=["grants"])
async def get_grant(request: Request, reference: str, viewer: SignedIn, db: Db) -> GrantDetail:
    app = await grant_for(db, reference, viewer)
    scheme = request.app.state.scheme
    events = await timeline(db, app, viewer, request.state.lang, scheme)
    summary = _summary(app).model_dump()
    if identity_hidden(viewer, scheme, app):
        summary["organisation_id"] = None
    return GrantDetail(**summary, timeline=events,
                       status=await live_status(request, reference, viewer),
                       notes=await _notes(db, reference) if viewer.role in STAFF else None)


@router.post("/api/grants/{reference}/actions/{action}", tags=["grants"])
async def act_on_grant(request: Request, reference: str, action: Action, viewer: Actor, db: Db,
                       payload: Annotated[dict[str, Any], Body(), Composed] = None
                       ) -> dict[str, str]:
    """Perform a human action of the lifecycle (see docs/lifecycle.md) on a grant. The body is
    the action's command without `actor`, which is the signed-in person. An award or rejection
    of a grant whose round is still to decide it is refused (409): the round's confirmed
    allocation decides it."""
    app = await grant_for(db, reference, viewer)
    try:
        await refuse_while_round_decides(request.app.state.temporal, db, app, action)
        update, command = await build_command(db, action, viewer, payload or {},
                                              by_key=True)
        await grants.act(request.app.state.temporal, reference, update, command)
        await audit.record_command(db, viewer, action.value, reference, command)
    except BadCommand as exc:
        raise HTTPException(422, exc.errors)
    except grants.ActionRefused as exc:
        raise HTTPException(409, str(exc))
    return {"status": "done", "action": action.value}


@router.get("/api/grants/{reference}/history", tags=["audit"])
async def grant_history(request: Request, reference: str, viewer: Staff, db: Db):
    """The raw workflow history, as `temporal workflow show --output json` gives it."""
    await grant_for(db, reference, viewer)
    loaded = await fetch(request.app.state.temporal, db, grant_workflow_id(reference))
    return JSONResponse(json.loads(loaded.history.to_json()), headers={
        "Content-Disposition": f'attachment; filename="grant-{reference}-history.json"'})


async def _draft_out(request: Request, db, app: Application) -> DraftOut:
    scheme = request.app.state.scheme
    facts = await facts_for(db, app, datetime.now(timezone.utc))
    findings = [f for f in check_eligibility(facts, scheme, scheme.round(app.round_id))
                if f.code != "round_closed"]
    return DraftOut(id=app.id, reference=app.reference, requested_cents=app.requested_cents,
                    draft=await draft_of(db, app), findings=findings)


@router.post("/api/applications", tags=["applications"], status_code=201)
async def create_draft(request: Request, body: Annotated[DraftIn, Composed], viewer: Grantee,
                       db: Db) -> DraftOut:
    """Start a draft for a round that takes drafts (open, or from its drafts_from until it
    opens); it is saved as given, and checked only when submitted."""
    await round_taking_drafts(request, db, body.round_id)
    scheme = request.app.state.scheme
    app = Application(round_id=body.round_id, scheme_id=scheme.scheme.id,
                      scheme_hash=scheme.content_hash, organisation_id=viewer.organisation_id,
                      title=body.title, created_by=viewer.person.id)
    db.add(app)
    await db.commit()
    await save_draft(db, app, body, scheme, viewer.person.id)
    return await _draft_out(request, db, app)


@router.get("/api/applications/{application_id}", tags=["applications"])
async def get_draft(request: Request, application_id: RowId, viewer: Grantee, db: Db) -> DraftOut:
    """A draft with every finding the rules have on it now."""
    return await _draft_out(request, db, await own_application(db, application_id, viewer))


@router.put("/api/applications/{application_id}", tags=["applications"])
async def update_draft(request: Request, application_id: RowId,
                       body: Annotated[DraftIn, Composed], viewer: Grantee, db: Db) -> DraftOut:
    app = await own_application(db, application_id, viewer)
    if app.reference is not None:
        raise HTTPException(409, "Een ingediende aanvraag verandert niet meer / "
                                 "a submitted application no longer changes")
    if body.round_id != app.round_id:
        raise HTTPException(422, "De ronde van een concept ligt vast / a draft keeps its round")
    await save_draft(db, app, body, request.app.state.scheme, viewer.person.id)
    return await _draft_out(request, db, app)


@router.post("/api/applications/{application_id}/submit", tags=["applications"])
async def submit_application(request: Request, application_id: RowId, viewer: Grantee,
                             db: Db) -> dict[str, str]:
    """Submit a draft to its round: 422 lists what to fix, 409 says why the round refused."""
    app = await own_application(db, application_id, viewer)
    if app.reference is not None:
        return {"reference": app.reference}
    try:
        reference = await submit_draft(db, request.app.state.temporal,
                                       request.app.state.scheme, app, viewer.actor())
    except DraftIncomplete as exc:
        raise HTTPException(422, [f.model_dump() for f in exc.findings])
    except grants.ActionRefused as exc:
        raise HTTPException(409, str(exc))
    return {"reference": reference}
