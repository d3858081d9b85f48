"""The applicants' portal: register an organisation, invite members, draft and submit."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from starlette.datastructures import UploadFile
from fastapi.responses import JSONResponse, RedirectResponse
from sqlmodel import select

from api.auth import (
    MIN_PASSWORD, SESSION_COOKIE, STAFF, Db, Viewer, allow, hash_password, open_session,
)
from api.forms import draft_from_form, form_field
from api.signin import first_factor_passed
from api.views import (
    RowId, own_application, posted, render, round_taking_drafts, saved_now, stored_file,
)
from domain.lifecycle import Role, Stage
from domain.money import euros
from domain.types import Finding
from regie import audit, invitations, rounds
from regie.invitations import EMAIL
from regie.applications import (
    ActivityIn, DraftIncomplete, LineIn, draft_of, facts_for, save_draft, submit_draft,
)
from regie.grants import ActionRefused
from regie.records import Application, Invitation, Organisation, Person
from regie.revisions import Collision, form_revision
from regie.settings import Settings

router = APIRouter(include_in_schema=False)

Anyone = Annotated[Viewer, Depends(allow(Role.PUBLIC))]
Grantee = Annotated[Viewer, Depends(allow(Role.GRANTEE))]
EvidenceReader = Annotated[Viewer, Depends(allow(Role.GRANTEE, *STAFF))]

EVIDENCE_TYPES = {".pdf", ".png", ".jpg", ".jpeg", ".docx", ".odt"}
EVIDENCE_MAX = 10 * 1024 * 1024
KVK = re.compile(r"^\d{8}$")


def _account_errors(name: str, email: str, password: str) -> dict[str, str]:
    errors = {}
    if not name.strip():
        errors["name"] = "Vul uw naam in / enter your name"
    if not EMAIL.match(email.strip()):
        errors["email"] = "Geen geldig e-mailadres / not a valid e-mail address"
    if len(password) < MIN_PASSWORD:
        errors["password"] = (f"Minstens {MIN_PASSWORD} tekens / at least {MIN_PASSWORD} "
                              "characters")
    return errors


async def _sign_in(request: Request, db, person: Person, target: str) -> RedirectResponse:
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, await open_session(db, person), httponly=True,
                        samesite="lax", secure=request.app.state.settings.secure_cookies)
    return response


# -- registration and members --------------------------------------------------------------------


@router.get("/register")
async def register_form(request: Request, viewer: Anyone):
    return render(request, "register.html", {"typed": {}, "errors": {},
                                             "types": request.app.state.scheme.organisation_types},
                  viewer=viewer)


@router.post("/register")
async def register(request: Request, viewer: Anyone, db: Db):
    form = await posted(request)
    typed = {k: str(v) for k, v in form.items() if k not in ("csrf_token", "password", "evidence")}
    scheme = request.app.state.scheme
    errors = _account_errors(typed.get("name", ""), typed.get("email", ""),
                             str(form.get("password", "")))
    if not typed.get("organisation", "").strip():
        errors["organisation"] = "Vul de statutaire naam in / enter the legal name"
    org_type = scheme.organisation_type(typed.get("organisation_type", ""))
    if org_type is None:
        errors["organisation_type"] = "Kies een type organisatie / choose a type of organisation"
    if not KVK.match(typed.get("kvk_number", "")):
        errors["kvk_number"] = "Een KvK-nummer heeft 8 cijfers / a KvK number has 8 digits"
    evidence, content = _uploaded(form), b""
    if evidence is not None:
        content, problem = await _read_evidence(evidence)
        if problem:
            errors["evidence"] = problem
    elif org_type is not None and org_type.needs_funding_evidence:
        errors["evidence"] = ("Dit type organisatie voegt het bewijs van drie jaar financiering "
                              "toe / this type of organisation adds its evidence of three years "
                              "of funding")
    email = typed.get("email", "").strip().lower()
    if not errors and (await db.exec(select(Person).where(Person.email == email))).first():
        errors["email"] = "Dit adres heeft al een account / this address already has an account"
    if errors:
        return render(request, "register.html", {"typed": typed, "errors": errors,
                                                 "types": scheme.organisation_types},
                      status_code=422, viewer=viewer)
    org = Organisation(name=typed["organisation"].strip(), organisation_type=org_type.key,
                       kvk_number=typed["kvk_number"])
    db.add(org)
    await db.flush()
    if evidence is not None:
        _keep_evidence(request.app.state.settings, org, evidence.filename, content)
    person = Person(email=email, name=typed["name"].strip(), role=Role.GRANTEE.value,
                    organisation_id=org.id, password_hash=hash_password(str(form["password"])))
    db.add(person)
    await db.commit()
    return await _sign_in(request, db, person, "/applications")


@router.get("/organisation")
async def organisation_page(request: Request, viewer: Grantee, db: Db, invited: str = "",
                            evidence: str = ""):
    return await _organisation_page(request, viewer, db, invited=invited,
                                    evidence_added=evidence == "added")


async def _organisation_page(request: Request, viewer: Viewer, db, *, invited: str = "",
                             evidence_added: bool = False, errors: dict[str, str] | None = None):
    """The organisation's members and invitations, its evidence of funding, and its grants
    whose correction term is running (where a grantee, having added a document, says so)."""
    org = await db.get(Organisation, viewer.organisation_id)
    members = (await db.exec(select(Person).where(Person.organisation_id == org.id))).all()
    pending = (await db.exec(select(Invitation).where(
        Invitation.organisation_id == org.id, Invitation.accepted_at.is_(None)))).all()
    in_correction = (await db.exec(select(Application).where(
        Application.organisation_id == org.id, Application.stage == Stage.CORRECTION.value)
        .order_by(Application.reference))).all()
    return render(request, "organisation.html", {
        "org": org, "org_type": request.app.state.scheme.organisation_type(org.organisation_type),
        "members": members, "pending": pending, "invited": invited,
        "evidence_added": evidence_added, "in_correction": in_correction,
        "errors": errors or {}}, status_code=422 if errors else 200, viewer=viewer)


@router.post("/organisation/evidence")
async def add_evidence(request: Request, viewer: Grantee, db: Db):
    """Add or replace the organisation's evidence of three years' funding: how a grantee
    answers a correction request for it. An earlier file stays in the data folder."""
    evidence = _uploaded(await posted(request))
    if evidence is None:
        return await _organisation_page(request, viewer, db, errors={
            "evidence": "Kies een bestand / choose a file"})
    content, problem = await _read_evidence(evidence)
    if problem:
        return await _organisation_page(request, viewer, db, errors={"evidence": problem})
    org = await db.get(Organisation, viewer.organisation_id)
    _keep_evidence(request.app.state.settings, org, evidence.filename, content)
    db.add(org)
    await db.commit()
    await audit.append_as(db, viewer.person, "funding_evidence_added", f"organisation-{org.id}",
                          {"file": org.funding_evidence})
    return RedirectResponse("/organisation?evidence=added", status_code=303)


@router.get("/organisations/{organisation_id}/evidence")
async def evidence_file(request: Request, organisation_id: RowId, viewer: EvidenceReader,
                        db: Db):
    """An organisation's evidence of funding: for the team and auditors, who check it, and
    for the organisation's own members."""
    if viewer.role == Role.GRANTEE and viewer.organisation_id != organisation_id:
        raise HTTPException(403, "Dit bewijs is niet van uw organisatie / "
                                 "this evidence is not your organisation's")
    org = await db.get(Organisation, organisation_id)
    if org is None or not org.funding_evidence:
        raise HTTPException(404, "Geen bewijs van financiering / no evidence of funding")
    return stored_file(request, "evidence", org.funding_evidence,
                       filename=org.funding_evidence)


def _uploaded(form) -> UploadFile | None:
    """The form's evidence file, if one was chosen."""
    upload = form.get("evidence")
    return upload if isinstance(upload, UploadFile) and upload.filename else None


async def _read_evidence(upload: UploadFile) -> tuple[bytes, str | None]:
    """The evidence's content, or why it cannot be kept."""
    if Path(upload.filename).suffix.lower() not in EVIDENCE_TYPES:
        return b"", "Alleen PDF, afbeelding of document / only PDF, image or document"
    content = await upload.read(EVIDENCE_MAX + 1)
    if len(content) > EVIDENCE_MAX:
        return b"", "Het bestand is groter dan 10 MB / the file exceeds 10 MB"
    return content, None


def _keep_evidence(settings: Settings, org: Organisation, filename: str, content: bytes) -> None:
    """Write the evidence to the data folder under a name of its own; the organisation then
    has it."""
    folder = settings.data_dir / "evidence"
    folder.mkdir(parents=True, exist_ok=True)
    org.funding_evidence = f"{org.id}-{secrets.token_hex(4)}{Path(filename).suffix.lower()}"
    (folder / org.funding_evidence).write_bytes(content)
    org.has_funding_evidence = True
    # a new document awaits the team's judgement
    org.evidence_reviewed_at, org.evidence_reviewed_by, org.evidence_refusal = None, "", ""


@router.post("/organisation/invitations")
async def invite(request: Request, viewer: Grantee, db: Db):
    email = str((await posted(request)).get("email", "")).strip().lower()
    if not EMAIL.match(email):
        return await _organisation_page(request, viewer, db, errors={
            "email": "Geen geldig e-mailadres / not a valid e-mail address"})
    org = await db.get(Organisation, viewer.organisation_id)
    await invitations.invite(db, request.app.state.settings, email=email, role=Role.GRANTEE,
                             group=org.name, about=f"organisation-{org.id}",
                             inviter=viewer.person, organisation_id=org.id)
    return RedirectResponse(f"/organisation?invited={email}", status_code=303)


async def _invitation(db, token: str) -> Invitation:
    invitation = await invitations.open_invitation(db, token)
    if invitation is None:
        raise HTTPException(404, "Deze uitnodiging is niet (meer) geldig / "
                                 "this invitation is not valid (any more)")
    return invitation


@router.get("/invitations/{token}")
async def invitation_form(request: Request, token: str, viewer: Anyone, db: Db):
    invitation = await _invitation(db, token)
    org = await db.get(Organisation, invitation.organisation_id) if invitation.organisation_id \
        else None
    return render(request, "invitation.html", {"invitation": invitation, "org": org,
                                               "errors": {}, "typed": {"name": invitation.name}},
                  viewer=viewer)


@router.post("/invitations/{token}")
async def accept_invitation(request: Request, token: str, viewer: Anyone, db: Db):
    invitation = await _invitation(db, token)
    form = await posted(request)
    name, password = str(form.get("name", "")), str(form.get("password", ""))
    errors = _account_errors(name, invitation.email, password)
    if (await db.exec(select(Person).where(Person.email == invitation.email))).first():
        errors["email"] = "Dit adres heeft al een account / this address already has an account"
    if errors:
        org = await db.get(Organisation, invitation.organisation_id) \
            if invitation.organisation_id else None
        return render(request, "invitation.html", {"invitation": invitation, "org": org,
                                                   "errors": errors, "typed": {"name": name}},
                      status_code=422, viewer=viewer)
    person = Person(email=invitation.email, name=name.strip(), role=invitation.role,
                    organisation_id=invitation.organisation_id,
                    password_hash=hash_password(password))
    invitation.accepted_at = datetime.now(timezone.utc)
    db.add(person)
    db.add(invitation)
    await db.commit()
    # The programme team and auditors go on to enrol their second factor: the password they
    # just chose opens no session for them. The audit log names the page, not the token.
    return await first_factor_passed(request, db, person, "/applications" if invitation.role ==
                                     Role.GRANTEE.value else None, via="invitation",
                                     where="/invitations")


# -- drafts and submission -----------------------------------------------------------------------


@router.get("/applications")
async def applications(request: Request, viewer: Grantee, db: Db):
    apps = (await db.exec(select(Application).where(
        Application.organisation_id == viewer.organisation_id).order_by(Application.id))).all()
    client, scheme = request.app.state.temporal, request.app.state.scheme
    statuses = [(r, await rounds.status(client, db, r.id)) for r in scheme.rounds]
    now = datetime.now(timezone.utc)
    return render(request, "applications.html", {
        "apps": apps, "open_rounds": [(r, s) for r, s in statuses if s and s.phase == "open"],
        "coming_rounds": [(r, s, scheme.takes_drafts(r, s.phase, now))
                          for r, s in statuses if s and s.phase == "scheduled"],
    }, viewer=viewer)


@router.post("/applications")
async def new_application(request: Request, viewer: Grantee, db: Db):
    """A new draft in a round that takes drafts: one open, or one still to open whose
    drafts_from has come (the scheme file's)."""
    round_id = str((await posted(request)).get("round_id", ""))
    await round_taking_drafts(request, db, round_id)
    scheme = request.app.state.scheme
    app = Application(round_id=round_id, scheme_id=scheme.scheme.id,
                      scheme_hash=scheme.content_hash, organisation_id=viewer.organisation_id,
                      title="", created_by=viewer.person.id)
    db.add(app)
    await db.commit()
    await save_draft(db, app, (await draft_of(db, app)).model_copy(
        update={"activities": [ActivityIn(lines=[LineIn(kind="hours")])]}), scheme,
        viewer.person.id)
    return RedirectResponse(f"/applications/{app.id}", status_code=303)


async def _form_page(request: Request, viewer: Viewer, db, app: Application, *, draft=None,
                     findings: list[Finding] = (), unreadable: dict[str, str] | None = None,
                     typed=None, refusal: str | None = None, status_code: int = 200):
    scheme = request.app.state.scheme
    rnd = scheme.round(app.round_id)
    errors: dict[str, list[str]] = {}
    for f in findings:
        errors.setdefault(form_field(f.field), []).append(f.nl if request.state.lang == "nl"
                                                          else f.en)
    for field, message in (unreadable or {}).items():
        errors.setdefault(field, []).append(message)
    organisations = (await db.exec(select(Organisation).where(
        Organisation.id != app.organisation_id).order_by(Organisation.name))).all()
    return render(request, "application_form.html", {
        "app": app, "draft": draft or await draft_of(db, app), "round": rnd,
        "round_status": await rounds.status(request.app.state.temporal, db, rnd.id),
        "rubric": scheme.rubrics[rnd.rubric], "rate_table": scheme.rate_tables[rnd.rate_table],
        "scheme": scheme, "organisations": organisations, "errors": errors,
        "findings": findings, "refusal": refusal, "typed": typed or {},
    }, status_code=status_code, viewer=viewer)


@router.get("/applications/{application_id}")
async def application_form(request: Request, application_id: RowId, viewer: Grantee, db: Db):
    app = await own_application(db, application_id, viewer)
    if app.reference is not None:
        return RedirectResponse(f"/grants/{app.reference}", status_code=303)
    return await _form_page(request, viewer, db, app)


@router.post("/applications/{application_id}")
async def save_application(request: Request, application_id: RowId, viewer: Grantee, db: Db):
    """Save the form as typed; then add or remove a part, or submit (the `intent` button)."""
    app = await own_application(db, application_id, viewer)
    if app.reference is not None:
        return RedirectResponse(f"/grants/{app.reference}", status_code=303)
    scheme = request.app.state.scheme
    form = await posted(request)
    sections = [s.key for s in scheme.rubrics[scheme.round(app.round_id).rubric].sections]
    draft, unreadable = draft_from_form(form, app.round_id, sections)
    if unreadable:  # nothing saved over what was: the form again, as typed, with the reasons
        return await _form_page(request, viewer, db, app, draft=draft, unreadable=unreadable,
                                typed=form, status_code=422)
    intent = str(form.get("intent", "save"))
    if intent == "add_activity":
        draft.activities.append(ActivityIn(lines=[LineIn(kind="hours")]))
    elif intent.startswith("add_line:"):
        draft.activities[int(intent.split(":")[1])].lines.append(LineIn(kind="hours"))
    elif intent.startswith("remove_activity:") and len(draft.activities) > 1:
        del draft.activities[int(intent.split(":")[1])]
    try:
        await save_draft(db, app, draft, scheme, viewer.person.id, form_revision(form))
    except Collision as exc:  # the form again as typed, with the count of that save
        return await _form_page(request, viewer, db, app, draft=draft, typed=form,
                                refusal=exc.message(scheme.tz, request.state.lang, on_form=True),
                                status_code=409)
    if intent != "submit":
        return RedirectResponse(f"/applications/{app.id}?saved=1", status_code=303)
    try:
        await submit_draft(db, request.app.state.temporal, scheme, app, viewer.actor())
    except DraftIncomplete as exc:
        return await _form_page(request, viewer, db, app, findings=exc.findings,
                                status_code=422)
    except ActionRefused as exc:
        return await _form_page(request, viewer, db, app, refusal=str(exc), status_code=409)
    return RedirectResponse(f"/applications/{app.id}/receipt", status_code=303)


@router.post("/applications/{application_id}/autosave")
async def autosave(request: Request, application_id: RowId, viewer: Grantee, db: Db):
    """What the form's script sends as the applicant types: saved, with the totals back."""
    app = await own_application(db, application_id, viewer)
    if app.reference is not None:
        return JSONResponse({"detail": "submitted"}, status_code=409)
    scheme = request.app.state.scheme
    sections = [s.key for s in scheme.rubrics[scheme.round(app.round_id).rubric].sections]
    form = await posted(request)
    draft, unreadable = draft_from_form(form, app.round_id, sections)
    if unreadable:  # not saved until it can be read: the form says why as the applicant types
        return JSONResponse({"detail": "; ".join(unreadable.values())}, status_code=422)
    try:
        await save_draft(db, app, draft, scheme, viewer.person.id, form_revision(form))
    except Collision as exc:
        return JSONResponse({"detail": exc.message(scheme.tz, request.state.lang,
                                                    on_form=False)}, status_code=409)
    facts = await facts_for(db, app, datetime.now(timezone.utc))
    return {"saved_at": saved_now(request), "revision": app.revision,
            "requested": euros(app.requested_cents),
            "activities": [euros(a.budget_cents) for a in facts.activities]}


@router.get("/applications/{application_id}/receipt")
async def receipt(request: Request, application_id: RowId, viewer: Grantee, db: Db):
    app = await own_application(db, application_id, viewer)
    if app.reference is None:
        raise HTTPException(404, "Nog niet ingediend / not submitted yet")
    return render(request, "receipt.html", {"app": app}, viewer=viewer)
