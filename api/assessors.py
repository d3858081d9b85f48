"""The programme team's pool of assessors, each with their organisation (for conflicts), their
expertise (the pillars and target groups they know, which the assignment's proposal offers
first to an application about them, domain.assignment.propose) and the last day they are away
(the proposal passes them over until it has passed)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlmodel import select

from api.auth import Db, Viewer, allow
from api.views import RowId, posted, render, scheme_names
from domain.assignment import away
from domain.lifecycle import Role
from regie import audit, invitations
from regie.invitations import EMAIL
from regie.records import Invitation, Organisation, Person

router = APIRouter(include_in_schema=False)

Team = Annotated[Viewer, Depends(allow(Role.PROGRAMME_TEAM))]


def expertise_keys(request: Request) -> list[str]:
    """The keys an assessor's expertise may hold: the scheme's pillars, then its target
    groups."""
    scheme = request.app.state.scheme
    return [c.key for c in (*scheme.pillars, *scheme.target_groups)]


async def _page(request: Request, viewer: Viewer, db, *, error: str = "", invited: str = "",
                saved: str = "", status_code: int = 200, typed: dict[int, dict] | None = None):
    people = (await db.exec(select(Person, Organisation.name).outerjoin(
        Organisation, Organisation.id == Person.organisation_id).where(
        Person.role == Role.ASSESSOR.value).order_by(Person.name))).all()
    pending = (await db.exec(select(Invitation).where(
        Invitation.role == Role.ASSESSOR.value, Invitation.accepted_at.is_(None)))).all()
    organisations = (await db.exec(select(Organisation).order_by(Organisation.name))).all()
    return render(request, "assessors.html", {
        "people": people, "pending": pending, "organisations": organisations, "error": error,
        "invited": invited, "saved": saved, "typed": typed or {},
        "pillars": request.app.state.scheme.pillars,
        "target_groups": request.app.state.scheme.target_groups,
        "topic_names": scheme_names(request.app.state.scheme, request.state.lang),
        "away": away},
        status_code=status_code, viewer=viewer)


@router.get("/assessors")
async def assessors_page(request: Request, viewer: Team, db: Db, invited: str = "",
                         saved: str = ""):
    return await _page(request, viewer, db, invited=invited, saved=saved)


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


@router.post("/assessors/{person_id}/profile")
async def set_profile(request: Request, person_id: RowId, viewer: Team, db: Db):
    """What the team records of an assessor for the assignment's proposal (in the audit
    log): the pillars and target groups they know, and the last day they are away (empty:
    not away). A key the scheme does not have, or a day that is none, is refused with what
    was typed, and nothing is changed."""
    person = await db.get(Person, person_id)
    if person is None or person.role != Role.ASSESSOR.value:
        return await _page(request, viewer, db, status_code=404,
                           error="Onbekende beoordelaar / unknown assessor")
    form = await posted(request)
    chosen = [str(v) for v in form.getlist("expertise")]
    typed_away = str(form.get("away_until", "")).strip()
    typed = {person.id: {"expertise": chosen, "away_until": typed_away}}
    known = expertise_keys(request)
    if unknown := [key for key in chosen if key not in known]:
        return await _page(request, viewer, db, status_code=422, typed=typed,
                           error=f"Onbekend onderwerp / unknown topic: {', '.join(unknown)}")
    try:
        away = date.fromisoformat(typed_away) if typed_away else None
    except ValueError:
        return await _page(request, viewer, db, status_code=422, typed=typed,
                           error=f"Geen datum / not a date: {typed_away}")
    person.expertise = [key for key in known if key in chosen]  # the scheme's order, once
    person.away_until = away
    db.add(person)
    await db.commit()  # before the log's append, which may roll back to retry its own
    await audit.append_as(db, viewer.person, "assessor_profile", f"/assessors/{person.id}", {
        "assessor": person.name, "expertise": person.expertise,
        "away_until": away.isoformat() if away else None})
    return RedirectResponse(f"/assessors?saved={person.id}#assessor-{person.id}",
                            status_code=303)
