"""The report form: opened from a prompt's personal link or by a signed-in grantee; per
activity what was done, monitoring and deviations, lessons learned and attachments. What is
typed is kept as the report's draft (regie.report_drafts) until the report is submitted."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.datastructures import UploadFile
from sqlmodel import select

from api.auth import STAFF, Db, Viewer, allow
from api.views import (
    ReportIndex, RowId, grant_for, live_status, posted, render, saved_now, stored_file,
)
from domain.lifecycle import Role
from domain.types import (
    ActivityReport, AttachmentRef, GrantStatus, ReportState, ReportSubmission,
)
from regie import audit, grants, report_drafts
from regie.applications import activities_of
from regie.links import BadLink, ExpiredLink, read_report_token
from regie.records import Application, Attachment, Person, ReportDraft, ReportRecord
from regie.report_drafts import DraftFile
from regie.revisions import Collision, form_revision

router = APIRouter(include_in_schema=False)

Anyone = Annotated[Viewer, Depends(allow(Role.PUBLIC))]
Grantee = Annotated[Viewer, Depends(allow(Role.GRANTEE))]
ReportReader = Annotated[Viewer, Depends(allow(Role.GRANTEE, *STAFF))]


async def _by_link(request: Request, db, token: str) -> tuple[Person, Application, int]:
    try:
        person_id, reference, index = read_report_token(
            request.app.state.settings.verifying_keys, token)
    except ExpiredLink as exc:
        raise HTTPException(410, str(exc)) from None
    except (BadLink, ValueError) as exc:
        raise HTTPException(404, str(exc)) from None
    person = await db.get(Person, person_id)
    app = (await db.exec(select(Application).where(Application.reference == reference))).first()
    if person is None or not person.active or app is None \
            or person.organisation_id != app.organisation_id:
        raise HTTPException(404, "Deze link is niet (meer) geldig / this link is not valid")
    return person, app, index


async def _report(request: Request, viewer: Viewer, app: Application, index: int
                  ) -> tuple[GrantStatus, ReportState]:
    """The grant and its report as the grant's workflow holds them now."""
    status = await live_status(request, app.reference, viewer)
    if status is None:
        raise HTTPException(503, "De rapportage kan nu niet worden geopend; probeer het over een "
                                 "minuut opnieuw / the report cannot be opened right now; please "
                                 "try again in a minute")
    if not 0 <= index < len(status.reports):
        raise HTTPException(404, "Onbekende rapportage / unknown report")
    return status, status.reports[index]


async def _on_form(db, app: Application, report: ReportState
                   ) -> tuple[dict[str, str], list[DraftFile], ReportDraft | None]:
    """What the form holds: the draft, or once the team sent the report back, the report as
    it was sent; else nothing yet."""
    draft = await report_drafts.draft_for(db, app.reference, report.index)
    if draft is not None:
        return draft.fields, report_drafts.files_of(draft), draft
    if report.summary is not None and report.submitted_at is None:
        return *report_drafts.as_sent(report), None
    return {}, [], None


async def _form(request: Request, viewer: Viewer, db, app: Application, index: int, action: str,
                *, errors: list[str] = (), typed: dict | None = None,
                files: list[DraftFile] | None = None, status_code: int = 200):
    status, report = await _report(request, viewer, app, index)
    on_form, on_form_files, draft = await _on_form(db, app, report)
    rules = request.app.state.scheme.reporting(request.app.state.scheme.round(app.round_id))
    band = rules.band(status.awarded_cents or 0)
    return render(request, "report_form.html", {
        "app": app, "report": report, "activities": await activities_of(db, app),
        "action": action, "errors": errors, "typed": on_form if typed is None else typed,
        "files": on_form_files if files is None else files, "draft": draft,
        "saved": request.query_params.get("saved") == "1", "band": band,
        "types": ", ".join(rules.attachment_types), "max_mb": rules.attachment_max_mb,
        "request_max_mb": request.app.state.settings.max_request_mb,
        "file_href": f"{action}/files" if action.startswith("/report/")
        else f"/grants/{app.reference}/attachments",
    }, status_code=status_code, viewer=viewer)


def _kept(form, offered: list[DraftFile]) -> list[DraftFile]:
    """The files the form still holds: those it offered whose box stayed ticked."""
    keep = set(form.getlist("keep"))
    return [f for f in offered if str(f.id) in keep]


async def _submit(request: Request, viewer: Viewer, db, person: Person, app: Application,
                  index: int, action: str):
    """Send the report, or with intent "save" keep it as a draft. Whatever was typed, and every
    file that passed its checks, is kept as the draft before anything is judged, so a form
    sent back for a mistake, or refused by the workflow, loses none of it."""
    form = await posted(request)
    _status, report = await _report(request, viewer, app, index)
    if report.submitted_at is not None:
        return await _form(request, viewer, db, app, index, action, status_code=409, errors=[
            "Deze rapportage is al ingediend / this report was already submitted"])
    scheme = request.app.state.scheme
    rules = scheme.reporting(scheme.round(app.round_id))
    planned = await activities_of(db, app)
    typed = report_drafts.typed_in(form, len(planned))
    _typed, offered, _draft = await _on_form(db, app, report)
    files = _kept(form, offered)
    folder = request.app.state.settings.data_dir / "attachments"
    errors = []
    for field, kind in (("attachments", "document"), ("auditor_statement", "auditor_statement"),
                        ("financial_report", "financial_report")):
        for upload in form.getlist(field):
            if not isinstance(upload, UploadFile) or not upload.filename:
                continue
            content = await upload.read(rules.attachment_max_mb * 1024 * 1024 + 1)
            suffix = Path(upload.filename).suffix.lower()
            if suffix not in rules.attachment_types:
                errors.append(f"{upload.filename}: dit type bestand kan niet / this type of file "
                              f"is not accepted ({', '.join(rules.attachment_types)})")
            elif len(content) > rules.attachment_max_mb * 1024 * 1024:
                errors.append(f"{upload.filename}: groter dan {rules.attachment_max_mb} MB / "
                              f"larger than {rules.attachment_max_mb} MB")
            else:
                files.append(await _store(db, folder, app, person, upload, content, suffix,
                                          kind))
    try:
        await report_drafts.save(db, app.reference, index, person.id, typed, files,
                                 revision=form_revision(form))
    except Collision as exc:  # nothing of this form is kept: the files it brought go again
        await report_drafts.remove_files(db, folder, app.reference,
                                         [f for f in files if f not in offered])
        await db.commit()
        return await _collided(request, viewer, db, app, index, action, exc, typed, offered)
    await report_drafts.remove_files(db, folder, app.reference,
                                     [f for f in offered if f not in files])
    await db.commit()
    if form.get("intent") == "save" and not errors:
        return RedirectResponse(f"{action}?saved=1", status_code=303)
    if form.get("intent") == "save":  # saved, but a file was refused: said, on the draft
        return await _form(request, viewer, db, app, index, action, errors=errors,
                           status_code=422)
    if not typed.get("summary", "").strip():
        errors.append("Vat de voortgang samen / summarise the progress")
    activities = []
    for i, act in enumerate(planned):
        done = typed.get(f"act-{i}-done", "").strip()
        if not done:
            errors.append(f"Activiteit {i + 1}: wat is er gedaan? / activity {i + 1}: what was "
                          "done?")
        activities.append(ActivityReport(
            title=act.title, done=done or "-", monitoring=typed.get(f"act-{i}-monitoring", ""),
            deviations=typed.get(f"act-{i}-deviations", "")))
    if errors:
        return await _form(request, viewer, db, app, index, action, errors=errors, typed=typed,
                           files=files, status_code=422)
    public = typed.get("public") == "yes"
    refs = tuple(AttachmentRef(id=f.id, name=f.name, kind=f.kind,
                               public=public and f.kind == "document") for f in files)
    try:
        await grants.act(request.app.state.temporal, app.reference, "submit_report",
                         ReportSubmission(actor=Viewer(person).actor(), report_index=index,
                                          summary=typed["summary"], activities=tuple(activities),
                                          lessons=typed.get("lessons", ""), attachments=refs))
    except grants.ActionRefused as exc:
        return await _form(request, viewer, db, app, index, action, errors=[str(exc)],
                           typed=typed, files=files, status_code=409)
    await audit.append_as(db, person, "submit_report", app.reference,
                          {"report": index, "attachments": [r.name for r in refs]})
    return render(request, "report_received.html", {"app": app, "index": index}, viewer=viewer)


async def _collided(request: Request, viewer: Viewer, db, app: Application, index: int,
                    action: str, collision: Collision, typed: dict[str, str],
                    files: list[DraftFile]):
    """The form again, as this person typed it, with the files of the draft saved since it was
    opened, and who saved it when: sending it again replaces that save."""
    errors = [collision.message(request.app.state.scheme.tz, request.state.lang,
                                on_form=True)]
    return await _form(request, viewer, db, app, index, action, errors=errors, typed=typed,
                       files=files, status_code=409)


async def _store(db, folder: Path, app: Application, person: Person, upload: UploadFile,
                 content: bytes, suffix: str, kind: str) -> DraftFile:
    """A file sent with the form, stored in the data folder for the report's draft."""
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{uuid.uuid4().hex}{suffix}"
    (folder / stored).write_bytes(content)
    row = Attachment(reference=app.reference, uploaded_by=person.id,
                     original_name=Path(upload.filename).name, stored_name=stored,
                     content_type=upload.content_type or "application/octet-stream",
                     size=len(content), sha256=hashlib.sha256(content).hexdigest())
    db.add(row)
    await db.flush()
    return DraftFile(id=row.id, name=row.original_name, kind=kind)


async def _sent(db, app: Application, index: int) -> ReportRecord | None:
    """The report as the read model holds it once it was sent (and while it is sent back)."""
    return (await db.exec(select(ReportRecord).where(
        ReportRecord.application_id == app.id, ReportRecord.position == index))).first()


def _download(request: Request, attachment: Attachment):
    return stored_file(request, "attachments", attachment.stored_name,
                       filename=attachment.original_name, media_type=attachment.content_type)


async def _autosave(request: Request, db, person: Person, app: Application,
                    index: int) -> JSONResponse:
    """What the form's script sends as the grantee types: the text, kept as the draft (the
    files stay as the form was last sent). It reads the report as the read model has it, not
    the grant's workflow: typing sends the workers no query, and what is typed is kept while
    Temporal cannot be reached."""
    sent = await _sent(db, app, index)
    if sent is not None and sent.submitted_at is not None:
        return JSONResponse({"detail": "Deze rapportage is al ingediend / this report was "
                                       "already submitted"}, status_code=409)
    # a new draft of a report sent back starts with the files it was sent with
    files = [] if sent is None else report_drafts.sent_files(
        AttachmentRef.model_validate(a) for a in sent.content.get("attachments", []))
    form = await posted(request)
    typed = report_drafts.typed_in(form, len(await activities_of(db, app)))
    try:
        revision = await report_drafts.save(db, app.reference, index, person.id, typed, files,
                                            keep_files=True, revision=form_revision(form))
    except Collision as exc:
        return JSONResponse({"detail": exc.message(
            request.app.state.scheme.tz, request.state.lang, on_form=False)}, status_code=409)
    return JSONResponse({"saved_at": saved_now(request), "revision": revision})


@router.get("/report/{token}")
async def report_by_link(request: Request, token: str, viewer: Anyone, db: Db):
    _person, app, index = await _by_link(request, db, token)
    return await _form(request, viewer, db, app, index, f"/report/{token}")


@router.post("/report/{token}")
async def submit_by_link(request: Request, token: str, viewer: Anyone, db: Db):
    person, app, index = await _by_link(request, db, token)
    return await _submit(request, viewer, db, person, app, index, f"/report/{token}")


@router.post("/report/{token}/autosave")
async def autosave_by_link(request: Request, token: str, viewer: Anyone, db: Db):
    person, app, index = await _by_link(request, db, token)
    return await _autosave(request, db, person, app, index)


@router.get("/report/{token}/files/{attachment_id}")
async def file_by_link(request: Request, token: str, attachment_id: RowId, viewer: Anyone,
                       db: Db):
    """A file on the form opened through the prompt's link: those of this report alone, on
    its draft or sent with it (a signed-in member opens the grant's files by its page)."""
    _person, app, index = await _by_link(request, db, token)
    draft, sent = await report_drafts.draft_for(db, app.reference, index), \
        await _sent(db, app, index)
    on_form = {f.id for f in report_drafts.files_of(draft)} if draft is not None else set()
    if sent is not None:
        on_form |= {a["id"] for a in sent.content.get("attachments", [])}
    attachment = await db.get(Attachment, attachment_id)
    if attachment is None or attachment.id not in on_form:
        raise HTTPException(404, "Onbekende bijlage / unknown attachment")
    return _download(request, attachment)


@router.get("/grants/{reference}/reports/{index}")
async def report_form(request: Request, reference: str, index: ReportIndex, viewer: Grantee,
                      db: Db):
    app = await grant_for(db, reference, viewer)
    return await _form(request, viewer, db, app, index, f"/grants/{reference}/reports/{index}")


@router.post("/grants/{reference}/reports/{index}")
async def submit_report(request: Request, reference: str, index: ReportIndex, viewer: Grantee,
                        db: Db):
    app = await grant_for(db, reference, viewer)
    return await _submit(request, viewer, db, viewer.person, app, index,
                         f"/grants/{reference}/reports/{index}")


@router.post("/grants/{reference}/reports/{index}/autosave")
async def autosave(request: Request, reference: str, index: ReportIndex, viewer: Grantee, db: Db):
    app = await grant_for(db, reference, viewer)
    return await _autosave(request, db, viewer.person, app, index)


@router.get("/grants/{reference}/attachments/{attachment_id}")
async def attachment_file(request: Request, reference: str, attachment_id: RowId,
                          viewer: ReportReader, db: Db):
    """A file sent with a report: for the team, who review it, auditors, and the grant's own
    organisation (public documents are also in the knowledge centre). A file the organisation
    has uploaded and not sent (on a draft, or taken off one) is theirs alone until it is."""
    app = await grant_for(db, reference, viewer)
    attachment = await db.get(Attachment, attachment_id)
    if attachment is None or attachment.reference != app.reference or (
            viewer.role != Role.GRANTEE and attachment.id not in await _sent_files(db, app)):
        raise HTTPException(404, "Onbekende bijlage / unknown attachment")
    return _download(request, attachment)


async def _sent_files(db, app: Application) -> set[int]:
    """The files of the grant's reports as they were last sent, as the read model holds
    them."""
    return {file["id"] for content in (await db.exec(select(ReportRecord.content).where(
        ReportRecord.application_id == app.id))).all() for file in content.get("attachments", [])}
