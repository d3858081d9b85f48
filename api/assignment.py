"""The programme team assigns assessors to a round's applications on one page: each application
in assessment with its assessors (a hundred a page), beside the pool and how much each assessor
has to score."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from sqlmodel import func, select

from api.actions import BadCommand, build_command
from api.auth import Db, Viewer, allow
from api.views import posted, render, round_or_404, scheme_names
from domain.assignment import Open, away, in_conflict, propose
from domain.lifecycle import Action, Role, Stage
from regie import audit, grants
from regie.overview import PAGE
from regie.records import (
    Application, AssessmentRecord, AssessorAssignment, DeclaredConflict, Organisation, Person,
)

router = APIRouter(include_in_schema=False)

Team = Annotated[Viewer, Depends(allow(Role.PROGRAMME_TEAM))]

AT_ONCE = 8  # assignments sent to the grants' workflows at the same time


@dataclass(frozen=True)
class Row:
    """An application in assessment as the page shows it."""

    app: Application
    organisations: list[str]  # the lead first, then its partners
    assigned: list[int]  # its assessors (people's ids) as assigned now
    scored: set[int]  # those of them who have scored: they stay
    eligible: list[Person]  # the pool's active members, without those of the lead or a
    # partner and those who declared a conflict on it
    knows: set[int]  # those of them whose expertise shares a pillar or target group with it


def topics(app: Application) -> frozenset[str]:
    """What an application is about, as an assessor's expertise names it."""
    return frozenset((*app.pillars, *app.target_groups))


def _in_assessment(round_id: str, unassigned: bool = False) -> list:
    """Read from the index on round, stage and reference (migration 0020); an application in
    assessment has been submitted. `unassigned`: only those without any assessor."""
    conditions = [Application.round_id == round_id, Application.stage == Stage.ASSESSMENT.value]
    if unassigned:
        conditions.append(~select(AssessorAssignment.id).where(
            AssessorAssignment.application_id == Application.id).exists())
    return conditions


async def in_assessment(db, round_id: str, unassigned: bool = False) -> int:
    """How many of the round's applications are in assessment (without any assessor)."""
    return (await db.exec(select(func.count()).where(
        *_in_assessment(round_id, unassigned)))).one()


async def _rows(db, round_id: str, pool: list[Person], page: int,
                unassigned: bool) -> list[Row]:
    """Page `page` of the round's applications in assessment (without any assessor), in
    reference order, each with those of the assessors in `pool` who may assess it: five
    queries, however many."""
    apps = (await db.exec(select(Application).where(
        *_in_assessment(round_id, unassigned)).order_by(Application.reference).offset(
        (page - 1) * PAGE).limit(PAGE))).all()
    ids = [app.id for app in apps]
    assigned: dict[int, list[int]] = {}
    for application_id, assessor_id in (await db.exec(select(
            AssessorAssignment.application_id, AssessorAssignment.assessor_id).where(
            AssessorAssignment.application_id.in_(ids)).order_by(AssessorAssignment.id))).all():
        assigned.setdefault(application_id, []).append(assessor_id)
    scored: dict[int, set[int]] = {}
    for application_id, assessor_id in (await db.exec(select(
            AssessmentRecord.application_id, AssessmentRecord.assessor_id).where(
            AssessmentRecord.application_id.in_(ids)))).all():
        scored.setdefault(application_id, set()).add(assessor_id)
    declared: dict[int, set[int]] = {}
    for application_id, assessor_id in (await db.exec(select(
            DeclaredConflict.application_id, DeclaredConflict.assessor_id).where(
            DeclaredConflict.application_id.in_(ids)))).all():
        declared.setdefault(application_id, set()).add(assessor_id)
    names = dict((await db.exec(select(Organisation.id, Organisation.name).where(
        Organisation.id.in_({o for app in apps for o in (app.organisation_id,
                                                          *app.partner_ids)})))).all())
    rows = []
    for app in apps:
        eligible = [p for p in pool if p.active and not in_conflict(
            p.organisation_id, app.organisation_id, app.partner_ids)
            and p.id not in declared.get(app.id, ())]
        about = topics(app)
        rows.append(Row(app=app,
                        organisations=[names[o] for o in (app.organisation_id, *app.partner_ids)
                                       if o in names],
                        assigned=assigned.get(app.id, []), scored=scored.get(app.id, set()),
                        eligible=eligible,
                        knows={p.id for p in eligible if about & set(p.expertise)}))
    return rows


async def _pool(db) -> list[Person]:
    """Every assessor, by name: those no longer active too, who may still be assigned."""
    return list((await db.exec(select(Person).where(
        Person.role == Role.ASSESSOR.value).order_by(Person.name))).all())


async def _workload(db) -> dict[int, tuple[int, int]]:
    """Per assessor, across the programme: the applications they have still to score, and
    those they have scored. It reads every open assignment: a round's few hundred at a time
    in the programme (the bench's 28,000 at 100,000 grants cost 33 ms in SQLite)."""
    open_ = dict((await db.exec(select(AssessorAssignment.assessor_id, func.count()).join(
        Application, Application.id == AssessorAssignment.application_id).outerjoin(
        AssessmentRecord, (AssessmentRecord.application_id == AssessorAssignment.application_id)
        & (AssessmentRecord.assessor_id == AssessorAssignment.assessor_id)).where(
        Application.stage == Stage.ASSESSMENT.value, AssessmentRecord.id.is_(None)).group_by(
        AssessorAssignment.assessor_id))).all())
    done = dict((await db.exec(select(AssessmentRecord.assessor_id, func.count()).group_by(
        AssessmentRecord.assessor_id))).all())
    return {p: (open_.get(p, 0), done.get(p, 0)) for p in {*open_, *done}}


async def _page(request: Request, viewer: Viewer, db, round_id: str, page: int,
                unassigned: bool, *, done: int = 0, refused: dict[str, str] | None = None,
                typed: dict[str, list[int]] | None = None, status_code: int = 200,
                proposed: bool = False):
    """The page; `proposed`: with a proposal filled in for the applications on it that lack
    assessors (domain.assignment.propose), for the team to check and save."""
    scheme = request.app.state.scheme
    rnd = round_or_404(request, round_id)
    pool = await _pool(db)
    rows = await _rows(db, round_id, pool, page, unassigned)
    workload = await _workload(db)
    per_application = scheme.terms(rnd).assessors_per_application
    has = {row.app.reference: len(row.assigned) for row in rows}
    today = datetime.now(scheme.tz).date()
    proposal = {ref: chosen for ref, chosen in propose(
        [Open(row.app.reference, row.assigned,
              [p.id for p in row.eligible if not away(p.away_until, today)], topics(row.app))
         for row in rows],
        per_application, {person: open_ for person, (open_, _done) in workload.items()},
        {p.id: frozenset(p.expertise) for p in pool},
    ).items() if len(chosen) > has[ref]} if proposed else {}  # those it adds someone to
    return render(request, "assignment.html", {
        "round": rnd, "rows": rows, "pool": pool, "names": {p.id: p.name for p in pool},
        "page": page, "per_page": PAGE, "unassigned": unassigned,
        # in assessment, and of those without any assessor
        "counts": {flag: await in_assessment(db, round_id, flag) for flag in (False, True)},
        "shown": {row.app.reference for row in rows},
        "workload": workload, "per_application": per_application, "done": done,
        "refused": refused or {}, "typed": typed or proposal, "proposed": proposed,
        "proposal": proposal, "open_places": any(len(row.assigned) < per_application
                                                 for row in rows),
        "digest_minutes": scheme.notifications.assessor_digest_minutes,
        "topic_names": scheme_names(scheme, request.state.lang), "away": away},
        status_code=status_code, viewer=viewer)


@router.get("/rounds/{round_id}/assign")
async def assignment_page(request: Request, round_id: str, viewer: Team, db: Db,
                          page: Annotated[int, Query(ge=1)] = 1, unassigned: bool = False,
                          done: int = 0,
                          proposed: Annotated[bool, Query(alias="propose")] = False):
    return await _page(request, viewer, db, round_id, page, unassigned, done=done,
                       proposed=proposed)


@router.post("/rounds/{round_id}/assign")
async def assign(request: Request, round_id: str, viewer: Team, db: Db):
    """Each application whose chosen assessors differ from those assigned gets them, through
    its workflow's Update, whose validator decides; one refused leaves the others done, and
    the page says why by the application, with what was chosen for it."""
    round_or_404(request, round_id)
    form = await posted(request)
    page = max(1, int(typed_page)) if (typed_page := str(form.get("page", ""))).isdigit() else 1
    unassigned = form.get("unassigned") == "1"
    refused: dict[str, str] = {}
    commands: dict[str, BaseModel] = {}
    typed: dict[str, list[int]] = {}
    for row in await _rows(db, round_id, await _pool(db), page, unassigned):
        reference = row.app.reference
        chosen = [int(v) for v in form.getlist(f"assessors-{reference}") if str(v).isdigit()]
        if set(chosen) == set(row.assigned) and len(chosen) == len(set(chosen)):
            continue  # as it was: nothing to do
        typed[reference] = chosen
        try:
            commands[reference] = (await build_command(db, Action.ASSIGN_ASSESSORS, viewer, {
                "assessor_ids": chosen}))[1]
        except BadCommand as exc:
            refused[reference] = str(exc)
    limit = asyncio.Semaphore(AT_ONCE)

    async def send(reference: str, command: BaseModel) -> str | None:
        async with limit:
            try:
                await grants.act(request.app.state.temporal, reference, "assign_assessors",
                                 command)
            except (grants.ActionRefused, ValueError) as exc:
                return str(exc)
        return None

    outcomes = await asyncio.gather(*(send(r, c) for r, c in commands.items()))
    for (reference, command), problem in zip(commands.items(), outcomes):
        if problem is None:
            await audit.record_command(db, viewer, Action.ASSIGN_ASSESSORS.value, reference,
                                       command)
        else:
            refused[reference] = problem
    done = len(commands) - sum(problem is not None for problem in outcomes)
    if refused:
        return await _page(request, viewer, db, round_id, page, unassigned, done=done,
                           refused=refused, typed={r: typed[r] for r in refused},
                           status_code=409)
    # the same page of the same list; in the list of those without assessors, those just
    # assigned have left it, so it starts again
    where = "unassigned=1" if unassigned else f"page={page}"
    return RedirectResponse(f"/rounds/{round_id}/assign?{where}&done={done}",
                            status_code=303)
