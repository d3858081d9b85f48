"""Server-rendered pages: sign-in, the team's overview, grant pages, the grantee's and assessor's
pages, the auditor's history view, the knowledge centre and (in development) the outbox."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse
from sqlmodel import func, select

from api.actions import (
    BadCommand, build_command, form_payload, HUMAN_ROLES, refuse_while_round_decides,
)
from api.auth import SIGNED_IN, STAFF, Db, Viewer, allow
from api.csv_files import csv_download
from api.signin import HOME, safe_next
from api.i18n import LANG_COOKIE
from api.views import (
    Composed, RowId, deadline_name, grant_for, identity_hidden, live_status, posted, render,
    round_or_404, scheme_names, stored_file, timeline,
)
from domain.assignment import in_conflict
from domain.lifecycle import STAGES, Action, Role, Stage, actions_for
from domain.text import LANGUAGES
from regie import audit, grants, notes, rounds
from regie.logging import get_logger
from regie.mail import applicant_contacts, send_once
from regie.overview import (
    PAGE, PREVIEW, SOONEST, deadline_count, deadlines, in_stage, reports_to_review, search,
    stage_counts,
)
from regie.personal_data import personal_data
from regie.records import (
    Application, AssessmentRecord, AssessorAssignment, DeclaredConflict, KnowledgeEntry, Letter,
    Organisation, OutboxMail, Person, ProjectActivity, ReportDraft, utcnow,
)

router = APIRouter(include_in_schema=False)

Anyone = Annotated[Viewer, Depends(allow(Role.PUBLIC))]
SignedIn = Annotated[Viewer, Depends(allow(*SIGNED_IN))]
Staff = Annotated[Viewer, Depends(allow(*STAFF))]
Team = Annotated[Viewer, Depends(allow(Role.PROGRAMME_TEAM))]
Grantee = Annotated[Viewer, Depends(allow(Role.GRANTEE))]
Assessor = Annotated[Viewer, Depends(allow(Role.ASSESSOR))]
# a decision letter is the applicant's: assessors, who only score, do not read it
LetterReader = Annotated[Viewer, Depends(allow(Role.PROGRAMME_TEAM, Role.AUDITOR, Role.GRANTEE))]
Actor = Annotated[Viewer, Depends(allow(*HUMAN_ROLES))]

@router.get("/")
async def home(request: Request, viewer: Anyone, db: Db):
    """The scheme's rounds as published in its file, and who may apply: the public's page
    asks no workflow anything."""
    entries = (await db.exec(select(func.count()).select_from(KnowledgeEntry))).one()
    scheme = request.app.state.scheme
    now = datetime.now(timezone.utc)
    return render(request, "home.html", {
        "knowledge_count": entries, "home": HOME.get(viewer.role), "rounds": scheme.rounds,
        "preparing": [r for r in scheme.rounds  # drafts may start before the opening
                      if r.drafts_from is not None and now < scheme.local_to_utc(r.opens)],
        "organisation_types": scheme.organisation_types}, viewer=viewer)


@router.get("/call/{round_id}")
async def call(request: Request, round_id: str, viewer: Anyone):
    """A round's call for applications as the scheme file publishes it: when, how much, who may
    apply, what the application holds, how it is judged and ranked, and what an award asks."""
    scheme, rnd = request.app.state.scheme, round_or_404(request, round_id)
    return render(request, "call.html", {
        "round": rnd, "scheme": scheme, "terms": scheme.terms(rnd),
        "reporting": scheme.reporting(rnd), "amounts": scheme.amounts(rnd),
        "rubric": scheme.rubrics[rnd.rubric], "rate_table": scheme.rate_tables[rnd.rate_table],
    }, viewer=viewer)


@router.get("/me/data.json")
async def my_data(viewer: SignedIn, db: Db):
    """Everything Regie holds about the signed-in person, to download."""
    return JSONResponse(await personal_data(db, viewer.person), headers={
        "Content-Disposition": 'attachment; filename="mijn-gegevens-regie.json"'})


@router.get("/lang/{code}")
async def switch_language(code: str, viewer: Anyone, next: str | None = None):
    response = RedirectResponse(safe_next(next, "/"), status_code=303)
    if code in LANGUAGES:
        response.set_cookie(LANG_COOKIE, code, samesite="lax", max_age=365 * 86400)
    return response


@router.get("/team")
async def team_overview(request: Request, viewer: Staff, db: Db, stage: Stage | None = None,
                        round: str | None = None, page: Annotated[int, Query(ge=1)] = 1,
                        q: Annotated[str, Composed] = "", reports: bool = False,
                        deadlines_: Annotated[bool, Query(alias="deadlines")] = False):
    """Every submitted application by stage, of the programme or one round: the first of
    each stage, or one stage page by page; or those a search finds (a whole reference opens
    its grant); the deadlines the workflows wait for, the soonest first, the first of them or
    (`deadlines`) page by page; and the reports that wait for the team's review, the longest
    waiting first, the first of them or (`reports`) page by page."""
    scheme = request.app.state.scheme
    round_id = round if round in {r.id for r in scheme.rounds} else None
    q = q.strip()
    found = await search(db, q, round_id, PAGE + 1) if q else None
    if any(app.reference == q.upper() for app, _ in found or ()):
        return RedirectResponse(f"/grants/{q.upper()}", status_code=303)
    counts, now, offset = await stage_counts(db, round_id), utcnow(), (page - 1) * PAGE
    one_list = reports or deadlines_ or stage is not None
    if reports or deadlines_:
        sections = {}
    elif stage is None:
        sections = {s.value: await in_stage(db, s.value, round_id, PREVIEW)
                    for s in STAGES if counts.get(s.value)}
    else:
        sections = {stage.value: await in_stage(db, stage.value, round_id, PAGE, offset)}
    if deadlines_:  # the list page by page, and how many in all
        upcoming = (await deadline_count(db, round_id),
                    *await deadlines(db, round_id, now, PAGE, offset))
    else:  # the first, and one more to tell whether there are more
        upcoming = (None, *await deadlines(db, round_id, now, SOONEST + 1)) \
            if not one_list else None
    if reports:
        to_review = await reports_to_review(db, round_id, PAGE, offset)
    else:
        to_review = await reports_to_review(db, round_id, PREVIEW) if not one_list else (0, [])
    return render(request, "team_overview.html", {
        "counts": counts, "sections": sections, "stages": [s.value for s in STAGES],
        "to_review": to_review, "now": now, "upcoming": upcoming,
        "stage": stage.value if stage else None, "round_id": round_id, "rounds": scheme.rounds,
        "page": page, "per_page": PAGE, "q": q, "found": found, "reports": reports,
        "deadlines": deadlines_, "soonest": SOONEST,
    }, viewer=viewer)


@router.get("/team/deadlines.csv")
async def deadlines_csv(request: Request, viewer: Staff, db: Db, round: str | None = None):
    """Every deadline of the list page by page (of the programme or one round), the soonest
    first, for the team's spreadsheet: the moment in the scheme's time zone, whether it has
    passed, what it is for in the reader's language, and the grant."""
    scheme = request.app.state.scheme
    round_id = round if round in {r.id for r in scheme.rounds} else None
    now, lang = utcnow(), request.state.lang
    _, rows = await deadlines(db, round_id, now, None)
    return csv_download(
        f"regie-termijnen-{round_id or 'alle-rondes'}.csv", DEADLINE_COLUMNS,
        ([app.deadline.astimezone(scheme.tz).strftime("%Y-%m-%d %H:%M"),
          "yes" if app.deadline < now else "no", deadline_name(app.stage, lang), app.reference,
          app.title, org, app.round_id, app.stage] for app, org in rows))


DEADLINE_COLUMNS = ("deadline", "passed", "deadline_for", "reference", "title", "organisation",
                    "round", "stage")


@router.get("/grants/{reference}")
async def grant_page(request: Request, reference: str, viewer: SignedIn, db: Db,
                     error: str | None = None, done: str | None = None):
    return await _grant_page(request, reference, viewer, db, error=error, done=done)


async def _grant_page(request: Request, reference: str, viewer: Viewer, db, *,
                      error: str | None = None, done: str | None = None, status_code: int = 200,
                      typed: dict | None = None, typed_action: str | None = None):
    """The grant page; after a refused form, with its error and what was typed (`typed`) in
    the form of `typed_action`, or in an evidence form."""
    app = await grant_for(db, reference, viewer)
    org = await db.get(Organisation, app.organisation_id)
    status = await live_status(request, reference, viewer)
    actions = actions_for(Stage(app.stage), viewer.role) if app.stage in Stage._value2member_map_ \
        else []
    if viewer.role == Role.ASSESSOR and not _pending_assessor(status, viewer):
        actions = []  # scored already, or not (any more) assigned
    actions = [a for a in actions if _applicable(a.action, status)]
    round_decides = any(a.action in (Action.AWARD, Action.REJECT) for a in actions) and \
        await rounds.decides(request.app.state.temporal, db, app)
    if round_decides:  # the round decides it with the others (its page)
        actions = [a for a in actions if a.action not in (Action.AWARD, Action.REJECT)]
    # the pool's active members, without those of the applicant or a partner and those who
    # declared a conflict on it (the validator refuses them too)
    assessors = [p for p in (await db.exec(select(Person).where(
        Person.role == Role.ASSESSOR.value, Person.active, ~select(DeclaredConflict.id).where(
            DeclaredConflict.application_id == app.id,
            DeclaredConflict.assessor_id == Person.id).exists()))).all()
        if not in_conflict(p.organisation_id, app.organisation_id, app.partner_ids)] \
        if any(a.action == Action.ASSIGN_ASSESSORS for a in actions) else []
    declared = (await db.exec(select(Person).where(Person.id.in_(
        status.conflicts_declared)).order_by(Person.name))).all() \
        if any(a.action == Action.WITHDRAW_CONFLICT for a in actions) else []
    activities = (await db.exec(select(ProjectActivity).where(
        ProjectActivity.application_id == app.id).order_by(ProjectActivity.position))).all()
    scheme = request.app.state.scheme
    rnd = scheme.round(app.round_id)
    hide = identity_hidden(viewer, scheme, app)
    partners = (await db.exec(select(Organisation).where(
        Organisation.id.in_(app.partner_ids)).order_by(Organisation.name))).all()
    letters = [] if viewer.role == Role.ASSESSOR else (await db.exec(
        select(Letter).where(Letter.reference == app.reference).order_by(Letter.id))).all()
    # the applicant and partners whose type must show three years' funding: the team judges it
    evidence = [o for o in (org, *partners) if viewer.role in STAFF
                and getattr(scheme.organisation_type(o.organisation_type),
                            "needs_funding_evidence", False)]
    scored = {a.assessor.user_id: a.submitted_at for a in status.assessments} if status else {}
    # while they score, the team and auditors see who is assigned and who has scored; the
    # assignment form starts from those assigned, or from what was ticked when it was refused
    assigned = [(a, scored.get(a.user_id)) for a in status.assessors] \
        if status and viewer.role in STAFF and app.stage == Stage.ASSESSMENT else []
    ticked = {int(i) for i in (typed or {}).get("assessor_ids", []) if str(i).isdigit()} \
        if typed_action == Action.ASSIGN_ASSESSORS.value else \
        {a.user_id for a in status.assessors} if status else set()
    kept_notes = await notes.of(db, reference) if viewer.role in STAFF else None
    return render(request, "grant.html", {
        "app": app, "org": org, "status": status,
        "events": await timeline(db, app, viewer, request.state.lang, scheme),
        "actions": actions, "round_decides": round_decides, "assessors": assessors,
        "declared": declared,
        "activities": activities,
        "assigned": assigned, "ticked": ticked, "scored": scored,
        "error": error, "done": done, "typed": typed or {}, "typed_action": typed_action,
        "hide_identity": hide, "letters": letters, "grant_round": rnd,
        "rubric": scheme.rubrics[rnd.rubric],
        "rate_table": scheme.rate_tables[rnd.rate_table], "partners": partners,
        "names": scheme_names(scheme, request.state.lang), "evidence": evidence,
        "notes": kept_notes, "corrected": notes.corrected(kept_notes or []),
        "note_longest": notes.LONGEST,
        "digest_minutes": scheme.notifications.assessor_digest_minutes,
        # when a report's draft was saved: the grantee's link to it says so, and the team and
        # auditors see that one is kept (not what it holds) in the table of reports
        "report_drafts": {d.report_index: d.saved_at for d in (await db.exec(select(
            ReportDraft).where(ReportDraft.reference == app.reference))).all()}
        if viewer.role in (Role.GRANTEE, *STAFF) else {},
    }, status_code=status_code, viewer=viewer)


@router.post("/grants/{reference}/organisations/{organisation_id}/evidence")
async def review_evidence(request: Request, reference: str, organisation_id: RowId,
                          viewer: Team, db: Db):
    """The team's judgement of the applicant's or a partner's evidence of funding: sufficient,
    or insufficient with the reason. Insufficient evidence counts as missing at the next
    eligibility check, and the organisation is told why by e-mail and on its own page."""
    app = await grant_for(db, reference, viewer)
    if organisation_id not in (app.organisation_id, *app.partner_ids):
        raise HTTPException(404, "Geen organisatie van deze aanvraag / "
                                 "not an organisation of this application")
    org = await db.get(Organisation, organisation_id)
    form = await posted(request)
    verdict = form.get("verdict")
    sufficient = verdict == "sufficient"
    reason = str(form.get("reason", "")).strip()
    problem = ("Er is geen bewijs om te beoordelen / there is no evidence to review"
               if not org.funding_evidence else
               "Kies voldoende of onvoldoende / choose sufficient or insufficient"
               if verdict not in ("sufficient", "insufficient") else
               "Geef de reden waarom het bewijs onvoldoende is / give the reason why the "
               "evidence is insufficient" if not sufficient and not reason else "")
    if problem:
        return await _grant_page(request, reference, viewer, db, error=problem, status_code=422,
                                 typed={f"evidence_{org.id}": reason,
                                        f"evidence_{org.id}_verdict": verdict})
    org.has_funding_evidence = sufficient
    org.evidence_reviewed_at, org.evidence_reviewed_by = utcnow(), viewer.person.name
    org.evidence_refusal = "" if sufficient else reason
    db.add(org)
    await db.commit()
    await audit.append_as(db, viewer.person, "funding_evidence_reviewed",
                          f"organisation-{org.id}", {"file": org.funding_evidence,
                                                     "grant": reference,
                                                     "sufficient": sufficient, "reason": reason})
    if not sufficient:
        settings = request.app.state.settings
        try:
            await send_once(
                db, settings, f"evidence_refused/{org.id}/{org.funding_evidence}", reference,
                [p.email for p in await applicant_contacts(db, org.id)], "evidence_refused",
                {"organisation": org.name, "reference": reference, "reason": reason,
                 "link": f"{settings.base_url}/organisation"})
        except OSError as error:  # the relay is down: the mail waits in the outbox
            get_logger(grant=reference, actor=viewer.person.name).warning(
                "evidence.mail_failed", error=str(error))
    return RedirectResponse(f"/grants/{reference}?done=evidence", status_code=303)


@router.post("/grants/{reference}/notes")
async def add_note(request: Request, reference: str, viewer: Team, db: Db):
    """A note of the team on the grant, kept in the audit log; a refused one comes back in its
    form with the reason."""
    await grant_for(db, reference, viewer)
    form = await posted(request)
    # a browser sends a line break as CRLF, but counts it as one character towards maxlength
    text = str(form.get("note", "")).replace("\r\n", "\n").strip()
    corrects = int(form["corrects"]) if str(form.get("corrects", "")).isdigit() else None
    kept = await notes.of(db, reference) if corrects is not None else []
    problem = notes.problem(text)
    if corrects is not None and not problem:
        problem = notes.correction_problem(kept, corrects, text)
    if not problem and not await notes.add(db, viewer.person, reference, text, corrects):
        kept = await notes.of(db, reference)  # corrected meanwhile, by a correction at once
        problem = notes.correction_problem(kept, corrects, text)
    if problem:  # back in the form it came from, or that of the correction made meanwhile
        return await _grant_page(request, reference, viewer, db, error=problem, status_code=422,
                                 typed={"note": text, "corrects": notes.latest(kept, corrects)})
    return RedirectResponse(f"/grants/{reference}?done=note#notes", status_code=303)


@router.get("/grants/{reference}/letters/{letter_id}")
async def letter_pdf(request: Request, reference: str, letter_id: RowId, viewer: LetterReader,
                     db: Db):
    app = await grant_for(db, reference, viewer)
    letter = await db.get(Letter, letter_id)
    if letter is None or letter.reference != app.reference:
        raise HTTPException(404, "Onbekende brief / unknown letter")
    return stored_file(request, "letters", letter.file_name, filename=letter.file_name,
                       media_type="application/pdf")


def _applicable(action: Action, status) -> bool:
    """Whether there is something for this action now (the workflow checks again)."""
    if status is None:
        return action not in (Action.REVIEW_REPORT, Action.DECIDE_CHANGE, Action.SUBMIT_REPORT,
                              Action.WITHDRAW_CONFLICT)
    if action == Action.REVIEW_REPORT:
        return any(r.submitted_at and not r.accepted for r in status.reports)
    if action == Action.SUBMIT_REPORT:
        return any(not r.submitted_at for r in status.reports)
    if action == Action.DECIDE_CHANGE:
        return status.pending_change is not None
    if action == Action.REQUEST_CHANGE:
        return status.pending_change is None
    if action == Action.WITHDRAW_CONFLICT:
        return bool(status.conflicts_declared)
    return True


def _pending_assessor(status, viewer: Viewer) -> bool:
    if status is None:
        return False
    scored = {a.assessor.user_id for a in status.assessments}
    return any(a.user_id == viewer.person.id and a.user_id not in scored
               for a in status.assessors)


@router.post("/grants/{reference}/actions/{action}")
async def grant_action(request: Request, reference: str, action: Action, viewer: Actor, db: Db):
    app = await grant_for(db, reference, viewer)
    form = await posted(request)
    try:
        await refuse_while_round_decides(request.app.state.temporal, db, app, action)
        update, command = await build_command(db, action, viewer, form_payload(
            action, form, request.app.state.scheme, app.round_id))
        await grants.act(request.app.state.temporal, reference, update, command)
        await audit.record_command(db, viewer, action.value, reference, command)
    except (BadCommand, grants.ActionRefused, ValueError) as exc:
        return await _grant_page(request, reference, viewer, db, error=str(exc),
                                 status_code=409 if isinstance(exc, grants.ActionRefused) else 422,
                                 typed={k: v for k, v in form.items() if k != "csrf_token"}
                                 | {"assessor_ids": form.getlist("assessor_ids")},
                                 typed_action=action.value)
    if action == Action.DECLARE_CONFLICT:  # the application is no longer theirs to read
        return RedirectResponse(f"/assessor?stepped_back={reference}", status_code=303)
    return RedirectResponse(f"/grants/{reference}?done={action.value}", status_code=303)


@router.get("/my")
async def my_grants(request: Request, viewer: Grantee, db: Db):
    apps = (await db.exec(select(Application).where(
        Application.organisation_id == viewer.organisation_id,
        Application.submitted_at.is_not(None)).order_by(Application.reference))).all()
    asked = {}
    for app in apps:
        if app.stage in (Stage.CORRECTION.value, Stage.REPORTING.value):
            asked[app.reference] = await live_status(request, app.reference, viewer)
    return render(request, "my_grants.html", {"apps": apps, "asked": asked}, viewer=viewer)


@router.get("/assessor")
async def my_assessments(request: Request, viewer: Assessor, db: Db,
                         stepped_back: Annotated[str, Query(max_length=40)] = ""):
    """The applications the assessor is to score, the soonest deadline first, and those they
    were assigned before (scored, or gone on without their score), with when they scored;
    after a declaration of a conflict, which application they stepped back from."""
    rows = (await db.exec(select(Application, AssessmentRecord.submitted_at).join(
        AssessorAssignment, AssessorAssignment.application_id == Application.id).outerjoin(
        AssessmentRecord, (AssessmentRecord.application_id == Application.id)
        & (AssessmentRecord.assessor_id == viewer.person.id)).where(
        AssessorAssignment.assessor_id == viewer.person.id).order_by(Application.reference))).all()
    to_score = sorted((app for app, scored in rows
                       if scored is None and app.stage == Stage.ASSESSMENT),
                      key=lambda app: (app.deadline is None, app.deadline, app.reference))
    before = [(app, scored) for app, scored in rows
              if scored is not None or app.stage != Stage.ASSESSMENT]
    if stepped_back and (await db.exec(select(DeclaredConflict.id).join(
            Application, Application.id == DeclaredConflict.application_id).where(
            Application.reference == stepped_back,
            DeclaredConflict.assessor_id == viewer.person.id))).first() is None:
        stepped_back = ""  # said only of a declaration they made
    return render(request, "assessor.html", {"to_score": to_score, "before": before,
                                             "stepped_back": stepped_back}, viewer=viewer)


@router.get("/outbox")
async def outbox(request: Request, viewer: Team, db: Db):
    if not request.app.state.settings.show_outbox:
        raise HTTPException(404)  # as an address without a page, in the reader's language
    mails = (await db.exec(select(OutboxMail).order_by(OutboxMail.id.desc()).limit(200))).all()
    return render(request, "outbox.html", {"mails": mails}, viewer=viewer)
