"""The report form: opened from a prompt's personal link or by a signed-in grantee; per
activity what was done, monitoring and deviations, lessons learned and attachments."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from starlette.datastructures import UploadFile
from sqlmodel import select

from api.auth import STAFF, Db, Viewer, allow
from api.views import ReportIndex, RowId, grant_for, live_status, posted, render, stored_file
from domain.lifecycle import Role
from domain.types import ActivityReport, AttachmentRef, ReportSubmission
from regie import audit, grants
from regie.applications import activities_of
from regie.links import BadLink, ExpiredLink, read_report_token
from regie.records import Application, Attachment, Person

router = APIRouter(include_in_schema=False)

Anyone = Annotated[Viewer, Depends(allow(Role.PUBLIC))]
Grantee = Annotated[Viewer, Depends(allow(Role.GRANTEE))]
ReportReader = Annotated[Viewer, Depends(allow(Role.GRANTEE, *STAFF))]


async def _by_link(request: Request, db, token: str) -> tuple[Person, Application, int]:
    try:
        person_id, reference, index = read_report_token(
            request.app.state.settings.secret_key, token)
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


async def _form(request: Request, viewer: Viewer, db, app: Application, index: int, action: str,
                *, errors: list[str] = (), typed: dict | None = None, status_code: int = 200):
    status = await live_status(request, app.reference, viewer)
    if status is None or not 0 <= index < len(status.reports):
        raise HTTPException(404, "Onbekende rapportage / unknown report")
    report = status.reports[index]
    rules = request.app.state.scheme.reporting(request.app.state.scheme.round(app.round_id))
    band = rules.band(status.awarded_cents or 0)
    return render(request, "report_form.html", {
        "app": app, "report": report, "activities": await activities_of(db, app),
        "action": action, "errors": errors, "typed": typed or {}, "band": band,
        "types": ", ".join(rules.attachment_types), "max_mb": rules.attachment_max_mb,
    }, status_code=status_code, viewer=viewer)


async def _submit(request: Request, viewer: Viewer, db, person: Person, app: Application,
                  index: int, action: str):
    form = await posted(request)
    scheme = request.app.state.scheme
    rules = scheme.reporting(scheme.round(app.round_id))
    typed = {k: str(v) for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    errors, uploads = [], []
    for field, kind in (("attachments", "document"), ("auditor_statement", "auditor_statement"),
                        ("financial_report", "financial_report")):
        for upload in form.getlist(field):
            if not isinstance(upload, UploadFile) or not upload.filename:
                continue
            content = await upload.read()
            suffix = Path(upload.filename).suffix.lower()
            if suffix not in rules.attachment_types:
                errors.append(f"{upload.filename}: dit type bestand kan niet / this type of file "
                              f"is not accepted ({', '.join(rules.attachment_types)})")
            elif len(content) > rules.attachment_max_mb * 1024 * 1024:
                errors.append(f"{upload.filename}: groter dan {rules.attachment_max_mb} MB / "
                              f"larger than {rules.attachment_max_mb} MB")
            else:
                uploads.append((upload, content, suffix, kind))
    if not typed.get("summary", "").strip():
        errors.append("Vat de voortgang samen / summarise the progress")
    activities = []
    for i, act in enumerate(await activities_of(db, app)):
        done = typed.get(f"act-{i}-done", "").strip()
        if not done:
            errors.append(f"Activiteit {i + 1}: wat is er gedaan? / activity {i + 1}: what was "
                          "done?")
        activities.append(ActivityReport(
            title=act.title, done=done or "-", monitoring=typed.get(f"act-{i}-monitoring", ""),
            deviations=typed.get(f"act-{i}-deviations", "")))
    if errors:
        return await _form(request, viewer, db, app, index, action, errors=errors, typed=typed,
                           status_code=422)
    folder = request.app.state.settings.data_dir / "attachments"
    folder.mkdir(parents=True, exist_ok=True)
    refs = []
    for upload, content, suffix, kind in uploads:
        stored = f"{uuid.uuid4().hex}{suffix}"
        (folder / stored).write_bytes(content)
        row = Attachment(reference=app.reference, uploaded_by=person.id,
                         original_name=Path(upload.filename).name, stored_name=stored,
                         content_type=upload.content_type or "application/octet-stream",
                         size=len(content), sha256=hashlib.sha256(content).hexdigest())
        db.add(row)
        await db.flush()
        refs.append(AttachmentRef(id=row.id, name=row.original_name, kind=kind,
                                  public=kind == "document" and typed.get("public") == "yes"))
    await db.commit()
    actor = Viewer(person).actor()
    try:
        await grants.act(request.app.state.temporal, app.reference, "submit_report",
                         ReportSubmission(actor=actor, report_index=index,
                                          summary=typed["summary"], activities=tuple(activities),
                                          lessons=typed.get("lessons", ""),
                                          attachments=tuple(refs)))
    except grants.ActionRefused as exc:
        return await _form(request, viewer, db, app, index, action, errors=[str(exc)],
                           typed=typed, status_code=409)
    await audit.append(db, person.name, person.role, "submit_report", app.reference,
                       {"report": index, "attachments": [r.name for r in refs]})
    return render(request, "report_received.html", {"app": app, "index": index}, viewer=viewer)


@router.get("/report/{token}")
async def report_by_link(request: Request, token: str, viewer: Anyone, db: Db):
    _person, app, index = await _by_link(request, db, token)
    return await _form(request, viewer, db, app, index, f"/report/{token}")


@router.post("/report/{token}")
async def submit_by_link(request: Request, token: str, viewer: Anyone, db: Db):
    person, app, index = await _by_link(request, db, token)
    return await _submit(request, viewer, db, person, app, index, f"/report/{token}")


@router.get("/grants/{reference}/reports/{index}")
async def report_form(request: Request, reference: str, index: ReportIndex, viewer: Grantee, db: Db):
    app = await grant_for(db, reference, viewer)
    return await _form(request, viewer, db, app, index, f"/grants/{reference}/reports/{index}")


@router.post("/grants/{reference}/reports/{index}")
async def submit_report(request: Request, reference: str, index: ReportIndex, viewer: Grantee, db: Db):
    app = await grant_for(db, reference, viewer)
    return await _submit(request, viewer, db, viewer.person, app, index,
                         f"/grants/{reference}/reports/{index}")


@router.get("/grants/{reference}/attachments/{attachment_id}")
async def attachment_file(request: Request, reference: str, attachment_id: RowId,
                          viewer: ReportReader, db: Db):
    """A file sent with a report: for the team, who review it, auditors, and the grant's own
    organisation (public documents are also in the knowledge centre)."""
    app = await grant_for(db, reference, viewer)
    attachment = await db.get(Attachment, attachment_id)
    if attachment is None or attachment.reference != app.reference:
        raise HTTPException(404, "Onbekende bijlage / unknown attachment")
    return stored_file(request, "attachments", attachment.stored_name,
                       filename=attachment.original_name, media_type=attachment.content_type)
