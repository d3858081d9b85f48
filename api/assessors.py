"""The programme team's pool of assessors, each with their organisation (for conflicts)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlmodel import select

from api.auth import Db, Viewer, allow
from api.views import posted, render
from domain.lifecycle import Role
from regie import invitations
from regie.invitations import EMAIL
from regie.records import Invitation, Organisation, Person

router = APIRouter(include_in_schema=False)

Team = Annotated[Viewer, Depends(allow(Role.PROGRAMME_TEAM))]


async def _page(request: Request, viewer: Viewer, db, *, error: str = "", invited: str = "",
                status_code: int = 200):
    people = (await db.exec(select(Person, Organisation.name).outerjoin(
        Organisation, Organisation.id == Person.organisation_id).where(
        Person.role == Role.ASSESSOR.value).order_by(Person.name))).all()
    pending = (await db.exec(select(Invitation).where(
        Invitation.role == Role.ASSESSOR.value, Invitation.accepted_at.is_(None)))).all()
    organisations = (await db.exec(select(Organisation).order_by(Organisation.name))).all()
    return render(request, "assessors.html", {
        "people": people, "pending": pending, "organisations": organisations, "error": error,
        "invited": invited}, status_code=status_code, viewer=viewer)


@router.get("/assessors")
async def assessors_page(request: Request, viewer: Team, db: Db, invited: str = ""):
    return await _page(request, viewer, db, invited=invited)


@router.post("/assessors")
async def invite_assessor(request: Request, viewer: Team, db: Db):
    form = await posted(request)
    name, email = str(form.get("name", "")).strip(), str(form.get("email", "")).strip().lower()
    org_id = int(form["organisation_id"]) if str(form.get("organisation_id", "")).isdigit() \
        else None
    if not name or not EMAIL.match(email):
        return await _page(request, viewer, db, status_code=422,
                           error="Geef naam en geldig e-mailadres / give a name and a valid "
                                 "e-mail address")
    await invitations.invite(db, request.app.state.settings, email=email, role=Role.ASSESSOR,
                             group=invitations.GROUPS[Role.ASSESSOR],
                             about="assessor-pool", inviter=viewer.person, name=name,
                             organisation_id=org_id)
    return RedirectResponse(f"/assessors?invited={email}", status_code=303)
