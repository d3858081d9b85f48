"""The JSON API, documented at /docs: the same grants, actions and history as the pages."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlmodel import select

from api.actions import HUMAN_ROLES, BadCommand, build_command
from api.auth import SIGNED_IN, STAFF, Db, Viewer, allow
from api.history import fetch
from api.views import grant_for, live_status, timeline
from domain.lifecycle import Action, Role
from domain.types import GrantStatus
from regie import grants
from regie.records import Application, ProjectActivity

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
    organisation_id: int
    stage: str
    deadline: datetime | None
    requested_cents: int
    awarded_cents: int | None


class GrantEventOut(BaseModel):
    at: datetime
    stage: str
    action: str | None
    actor_name: str
    actor_role: str
    note: str


class GrantDetail(GrantSummary):
    timeline: list[GrantEventOut]
    status: GrantStatus | None


class ActivityIn(BaseModel):
    title: str = Field(min_length=1)
    description: str
    start: date
    end: date
    budget_cents: int = Field(ge=0)


class ApplicationIn(BaseModel):
    round_id: str
    title: str = Field(min_length=1, max_length=200)
    summary: str = ""
    sections: dict[str, str]
    pillars: list[str]
    target_groups: list[str] = []
    requested_cents: int = Field(gt=0)
    partner_ids: list[int] = []
    activities: list[ActivityIn]


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


@router.get("/api/me", tags=["people"])
async def me(viewer: SignedIn) -> Me:
    p = viewer.person
    return Me(name=p.name, email=p.email, role=viewer.role, organisation_id=p.organisation_id)


@router.get("/api/grants", tags=["grants"])
async def list_grants(viewer: Staff, db: Db, stage: str | None = None,
                      limit: int = 100, offset: int = 0) -> list[GrantSummary]:
    query = select(Application).where(Application.submitted_at.is_not(None))
    if stage:
        query = query.where(Application.stage == stage)
    rows = await db.exec(query.order_by(Application.reference).offset(offset)
                         .limit(min(max(limit, 1), 500)))
    return [_summary(a) for a in rows.all()]


@router.get("/api/grants/{reference}", tags=["grants"])
async def get_grant(request: Request, reference: str, viewer: SignedIn, db: Db) -> GrantDetail:
    app = await grant_for(db, reference, viewer)
    events = [GrantEventOut.model_validate(e, from_attributes=True)
              for e in await timeline(db, app)]
    return GrantDetail(**_summary(app).model_dump(), timeline=events,
                       status=await live_status(request, reference))


@router.post("/api/grants/{reference}/actions/{action}", tags=["grants"])
async def act_on_grant(request: Request, reference: str, action: Action, viewer: Actor, db: Db,
                       payload: Annotated[dict[str, Any], Body()] = None) -> dict[str, str]:
    """Perform a human action of the lifecycle (see docs/lifecycle.md) on a grant. The body is
    the action's command without `actor`, which is the signed-in person."""
    await grant_for(db, reference, viewer)
    try:
        update, command = await build_command(db, action, viewer, payload or {})
        await grants.act(request.app.state.temporal, reference, update, command)
    except BadCommand as exc:
        raise HTTPException(422, exc.errors)
    except grants.ActionRefused as exc:
        raise HTTPException(409, str(exc))
    return {"status": "done", "action": action.value}


@router.get("/api/grants/{reference}/history", tags=["audit"])
async def grant_history(request: Request, reference: str, viewer: Staff, db: Db):
    """The raw workflow history, as `temporal workflow show --output json` gives it."""
    await grant_for(db, reference, viewer)
    history = await fetch(request.app.state.temporal, reference)
    return JSONResponse(json.loads(history.to_json()), headers={
        "Content-Disposition": f'attachment; filename="grant-{reference}-history.json"'})


@router.post("/api/applications", tags=["applications"], status_code=201)
async def submit_application(request: Request, body: ApplicationIn, viewer: Grantee,
                             db: Db) -> GrantSummary:
    """File an application for a round; eligibility is checked by the grant's workflow."""
    scheme = request.app.state.scheme
    try:
        scheme.round(body.round_id)
    except KeyError:
        raise HTTPException(422, f"Onbekende ronde / unknown round '{body.round_id}'")
    app = Application(
        reference=f"draft-{viewer.person.id}-{datetime.now().timestamp()}",
        round_id=body.round_id, scheme_id=scheme.scheme.id, scheme_hash=scheme.content_hash,
        organisation_id=viewer.organisation_id, partner_ids=body.partner_ids, title=body.title,
        summary=body.summary, sections=body.sections, pillars=body.pillars,
        target_groups=body.target_groups, requested_cents=body.requested_cents,
    )
    db.add(app)
    await db.flush()
    for i, act in enumerate(body.activities):
        db.add(ProjectActivity(application_id=app.id, position=i, **act.model_dump()))
    await db.commit()
    settings = request.app.state.settings
    await grants.submit(db, request.app.state.temporal, scheme, app, settings.task_queue)
    return _summary(app)
