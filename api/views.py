"""Rendering pages, and the read-side queries that pages and the JSON API share."""

from __future__ import annotations

import functools
import hashlib
from datetime import date, datetime, timezone
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import HTTPException, Path, Request
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from pydantic import BaseModel, BeforeValidator
from sqlmodel import select
from starlette.datastructures import FormData, QueryParams
from sqlmodel.ext.asyncio.session import AsyncSession

from api.auth import STAFF, Viewer
from api.i18n import DEADLINE_NAMES, UI, t
from domain import terms
from domain.eligibility import name_findings
from domain.lifecycle import ACTION_LABELS, ROLE_NAMES, STAGES, Action, Role, Stage
from domain.money import euros, euros_field
from domain.scheme import Round, Scheme
from domain.text import composed, day, number
from domain.types import GrantStatus
from regie import ROOT, grants, rounds
from regie.logging import get_logger
from regie.records import Application, AssessorAssignment, GrantEvent
from regie.temporal import PAGE_QUERY_TIMEOUT

# Path numbers as the database can hold them: anything else is a 422, never a server error.
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]
ReportIndex = Annotated[int, Path(ge=0, le=999)]
Year = Annotated[int, Path(ge=2000, le=2100)]
# What a person types, composed as it comes in (domain.text.composed): a query's text, a form
# field FastAPI reads, a JSON body (`Annotated[DraftIn, Composed]`); other forms: `posted`.
Composed = BeforeValidator(composed)

templates = Jinja2Templates(directory=ROOT / "templates")
STATIC = ROOT / "templates" / "static"


# A static file asked for by its current hash never changes; asked for otherwise (an old hash,
# none), it is checked with the server each time.
KEEP = "public, max-age=31536000, immutable"


@functools.cache
def static_version(name: str) -> str:
    """A file under templates/static, by a hash of its content: pages link it with the hash,
    so a browser may keep it for a year and a release that changes it gives it a new address."""
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]


templates.env.globals["static_url"] = lambda name: f"/static/{name}?v={static_version(name)}"


class StaticByVersion(StaticFiles):
    """templates/static, each file kept a year when asked for by its current hash."""

    async def get_response(self, path: str, scope) -> Response:
        response = await super().get_response(path, scope)  # `path` as served: normalised
        if response.status_code == 200:
            current = QueryParams(scope["query_string"]).get("v") == static_version(path)
            response.headers["Cache-Control"] = KEEP if current else "no-cache"
        return response


def stage_name(stage: str, role: Role, lang: str) -> str:
    """Staff see what the team must do; applicants and the public see the public name."""
    info = STAGES.get(Stage(stage)) if stage in Stage._value2member_map_ else None
    if info is None:
        return stage
    staff = role in (Role.PROGRAMME_TEAM, Role.AUDITOR, Role.ASSESSOR)
    return (info.staff_name if staff else info.public_name)(lang)


def deadline_name(stage: str, lang: str) -> str:
    """What a grant's deadline is in `stage` (api.i18n.DEADLINE_NAMES), or "Termijn"."""
    return DEADLINE_NAMES.get(stage, UI["deadline"])(lang)


# timeline events whose note holds the workflow's finding codes
FINDING_ACTIONS = frozenset({Action.FIND_FIXABLE.value, Action.FIND_INELIGIBLE.value})


def event_note(event: TimelineEntry, lang: str) -> str:
    """A timeline event's note as the page shows it: findings by name, not by code."""
    return name_findings(event.note, lang) if event.action in FINDING_ACTIONS else event.note


def not_a_working_day(typed: Any) -> bool:
    """Whether a date typed in a form (ISO) is a Saturday, a Sunday or a public holiday: a form
    that set it for someone else to meet then offers to keep it anyway (api/actions `_day`)."""
    try:
        return not terms.is_working_day(date.fromisoformat(str(typed)))
    except ValueError:
        return False


templates.env.tests["not_a_working_day"] = not_a_working_day
templates.env.filters["euros"] = euros
templates.env.filters["euros_field"] = euros_field
templates.env.filters["day"] = day
templates.env.filters["number"] = pass_context(lambda context, value: number(value,
                                                                             context["lang"]))


def scheme_names(scheme: Scheme, lang: str) -> dict[str, str]:
    """The scheme's name in `lang` for each key an application has or picks: its organisation
    type, pillars, target groups and marginalised groups."""
    return {c.key: c.name(lang) for c in (*scheme.organisation_types, *scheme.pillars,
                                          *scheme.target_groups, *scheme.marginalised_groups)}


def this_page(request: Request) -> str:
    """The page asked, with its query: where the language switch and signing in lead back."""
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def with_next(page: str, target: str) -> str:
    """`page`, to go on to `target` after it: the target encoded, so that its own query
    (/team?stage=assessment&round=2027) comes through whole."""
    return f"{page}?next={quote(target, safe='/')}"


async def posted(request: Request) -> FormData:
    """The form posted, each text in it composed (domain.text.composed) and each file as sent:
    how every page reads what a person typed."""
    form = await request.form()
    return FormData([(key, composed(value)) for key, value in form.multi_items()])


def saved_now(request: Request) -> str:
    """The moment an autosave reports it saved: now, in the scheme's time zone, as the pages
    write times (not the server's own zone)."""
    return datetime.now(timezone.utc).astimezone(request.app.state.scheme.tz).strftime("%H:%M")


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200,
           viewer: Viewer | None = None):
    lang = request.state.lang
    role = viewer.role if viewer else Role.PUBLIC
    return templates.TemplateResponse(request, name, {
        "lang": lang, "t": lambda key, **values: t(key, lang, **values),
        "csrf": request.state.csrf, "projects_end": request.app.state.scheme.scheme.projects_end,
        "today": datetime.now(request.app.state.scheme.tz).date(),  # as a due date counts
        "viewer": viewer, "role": role, "role_name": ROLE_NAMES[role](lang),
        "stage_name": lambda stage: stage_name(stage, role, lang),
        "deadline_name": lambda stage: deadline_name(stage, lang),
        "action_label": lambda action: ACTION_LABELS[Action(action)](lang) if action else "",
        "event_note": lambda event: event_note(event, lang),
        "show_outbox": request.app.state.settings.show_outbox,
        "this_page": this_page(request), "with_next": with_next,
        "sso_name": request.app.state.settings.oidc_name
        if request.app.state.settings.oidc_issuer else "", **context,
    }, status_code=status_code)


async def grant_for(db: AsyncSession, reference: str, viewer: Viewer) -> Application:
    """The application `viewer` may see, or 404/403: grantees see their organisation's grants,
    assessors those assigned to them, the team and auditors all."""
    app = (await db.exec(select(Application).where(
        Application.reference == reference, Application.submitted_at.is_not(None)))).first()
    if app is None:
        raise HTTPException(404, "Onbekende aanvraag / unknown application")
    if viewer.role in (Role.PROGRAMME_TEAM, Role.AUDITOR):
        return app
    if viewer.role == Role.GRANTEE and viewer.organisation_id == app.organisation_id:
        return app
    if viewer.role == Role.ASSESSOR and (await db.exec(select(AssessorAssignment.id).where(
            AssessorAssignment.application_id == app.id,
            AssessorAssignment.assessor_id == viewer.person.id))).first():
        return app
    raise HTTPException(403, "Deze aanvraag is niet voor u / this grant is not yours to see")


def round_or_404(request: Request, round_id: str) -> Round:
    """The scheme's round `round_id`, or 404."""
    try:
        return request.app.state.scheme.round(round_id)
    except KeyError:
        raise HTTPException(404, "Onbekende ronde / unknown round") from None


async def round_taking_drafts(request: Request, db: AsyncSession, round_id: str) -> Round:
    """The scheme's round `round_id`, if an applicant may start a draft in it now; else 422."""
    scheme: Scheme = request.app.state.scheme
    try:
        rnd = scheme.round(round_id)
    except KeyError:
        raise HTTPException(422, f"Onbekende ronde / unknown round '{round_id}'") from None
    status = await rounds.status(request.app.state.temporal, db, round_id)
    if status is None:  # Temporal away: the round cannot say whether it takes drafts
        raise HTTPException(503, "Regie kan de ronde nu niet bereiken; probeer het over een "
                                 "minuut opnieuw / Regie cannot reach the round just now; try "
                                 "again in a minute")
    if not scheme.takes_drafts(rnd, status.phase, datetime.now(timezone.utc)):
        raise HTTPException(422, f"In de {rnd.name_nl} kunt u nu geen aanvraag beginnen / "
                                 f"the {rnd.name_en} takes no new applications now")
    return rnd


async def own_application(db: AsyncSession, application_id: int, viewer: Viewer) -> Application:
    """An application of the viewer's own organisation, or 404."""
    app = await db.get(Application, application_id)
    if app is None or app.organisation_id != viewer.organisation_id:
        raise HTTPException(404, "Onbekende aanvraag / unknown application")
    return app


class TimelineEntry(BaseModel):
    """A timeline event as one reader may see it (the page's and the JSON API's)."""

    at: datetime
    stage: str
    action: str | None
    actor_name: str
    actor_role: str
    note: str


# an applicant is not told who assesses their application: not the names the team assigned,
# nor an assessor's reason for stepping back, nor the team's for taking that back
ASSESSOR_NOTES = frozenset({Action.ASSIGN_ASSESSORS.value, Action.DECLARE_CONFLICT.value,
                            Action.WITHDRAW_CONFLICT.value})


def identity_hidden(viewer: Viewer, scheme: Scheme, app: Application) -> bool:
    """Whether `viewer` assesses `app` in a round that hides who applies (the scheme's
    anonymous_assessment)."""
    return viewer.role == Role.ASSESSOR and scheme.terms(
        scheme.round(app.round_id)).anonymous_assessment


async def timeline(db: AsyncSession, app: Application, viewer: Viewer, lang: str,
                   scheme: Scheme) -> list[TimelineEntry]:
    """The grant's timeline as `viewer` may read it, each person who is not theirs to know
    named by role: for an applicant, an assessor ('Beoordelaar', and the notes naming
    assessors are left out); for an assessor in a round that hides who applies, an
    applicant."""
    events = (await db.exec(select(GrantEvent).where(
        GrantEvent.application_id == app.id).order_by(GrantEvent.seq))).all()
    applicant = viewer.role not in (*STAFF, Role.ASSESSOR)
    unnamed = {Role.ASSESSOR.value} if applicant else {Role.GRANTEE.value} if identity_hidden(
        viewer, scheme, app) else set()
    return [TimelineEntry(
        at=e.at, stage=e.stage, action=e.action, actor_role=e.actor_role,
        actor_name=(ROLE_NAMES[Role(e.actor_role)](lang) if e.actor_role in unnamed
                    else e.actor_name),
        note="" if applicant and e.action in ASSESSOR_NOTES else e.note) for e in events]


def status_for(status: GrantStatus | None, viewer: Viewer) -> GrantStatus | None:
    """The workflow's status as `viewer` may read it. The team and auditors read all of it.
    An assessor reads only their own assessment, each scoring on their own, and not who
    stepped back. An applicant reads neither the assessments, nor who assesses or stepped
    back, nor the verdict (their letter gives it)."""
    if status is None or viewer.role in STAFF:
        return status
    if viewer.role == Role.ASSESSOR:
        return status.model_copy(update={"assessments": [
            a for a in status.assessments if a.assessor.user_id == viewer.person.id],
            "conflicts_declared": []})
    return status.model_copy(update={"assessments": [], "assessors": [], "verdict": None,
                                     "consensus_reason": None, "conflicts_declared": []})


async def live_status(request: Request, reference: str, viewer: Viewer) -> GrantStatus | None:
    """The workflow's own view of the grant, as `viewer` may read it (status_for); None when
    Temporal cannot answer right now."""
    try:
        status = await grants.status(request.app.state.temporal, reference, PAGE_QUERY_TIMEOUT)
    except Exception:  # the page still renders from the read model
        return None
    return status_for(status, viewer)


def stored_file(request: Request, folder: str, name: str, *, filename: str,
                media_type: str | None = None) -> FileResponse:
    """A file Regie keeps in its data folder, sent as a download; 404 with the reason when the
    record outlived its file (a data folder restored without it, a replica without the shared
    volume); the operators find it in the log as `file.missing`."""
    path = request.app.state.settings.data_dir / folder / name
    if not path.is_file():
        get_logger(path=str(path)).error("file.missing", url=request.url.path)
        raise HTTPException(404, "Het bestand is niet gevonden; meld dit aan het programmateam "
                                 "/ the file was not found; please tell the programme team")
    return FileResponse(path, media_type=media_type, filename=filename)
