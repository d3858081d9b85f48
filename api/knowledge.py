"""The public knowledge centre: every funded project's results, searchable, and open data."""

from __future__ import annotations

import csv
import io
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from sqlmodel import select

from api.auth import Db, Viewer, allow
from api.views import Composed, RowId, render, scheme_names, stage_name, stored_file
from domain.lifecycle import Role
from regie.knowledge import search
from regie.records import Application, Attachment, KnowledgeEntry, Organisation

router = APIRouter()

Anyone = Annotated[Viewer, Depends(allow(Role.PUBLIC))]
FUNDED_STAGES = ("reporting", "settlement", "archived")


@router.get("/knowledge", include_in_schema=False)
async def knowledge_centre(request: Request, viewer: Anyone, db: Db,
                           q: Annotated[str, Composed] = "",
                           pillar: str = "", target_group: str = "",
                           organisation_type: str = "", year: int | None = None):
    entries = await search(db, q, pillar, target_group, organisation_type, year)
    scheme = request.app.state.scheme
    return render(request, "knowledge.html", {
        "entries": entries, "q": q, "pillar": pillar, "target_group": target_group,
        "organisation_type": organisation_type, "year": year, "scheme": scheme,
        "years": [int(r.id) for r in scheme.rounds if r.id.isdigit()]}, viewer=viewer)


@router.get("/knowledge/projects/{reference}", include_in_schema=False)
async def knowledge_entry(request: Request, reference: str, viewer: Anyone, db: Db):
    entry = (await db.exec(select(KnowledgeEntry).where(
        KnowledgeEntry.reference == reference))).first()
    if entry is None:
        raise HTTPException(404, "Niet in het kenniscentrum / not in the knowledge centre")
    return render(request, "knowledge_entry.html", {
        "e": entry, "names": scheme_names(request.app.state.scheme, request.state.lang)},
        viewer=viewer)


@router.get("/knowledge/projects/{reference}/documents/{attachment_id}", include_in_schema=False)
async def public_document(request: Request, reference: str, attachment_id: RowId,
                          viewer: Anyone, db: Db):
    entry = (await db.exec(select(KnowledgeEntry).where(
        KnowledgeEntry.reference == reference))).first()
    if entry is None or attachment_id not in {d["id"] for d in entry.documents}:
        raise HTTPException(404, "Geen openbaar document / no public document")
    attachment = await db.get(Attachment, attachment_id)
    return stored_file(request, "attachments", attachment.stored_name,
                       filename=attachment.original_name, media_type=attachment.content_type)


async def _open_data(request: Request, db) -> list[dict]:
    """Every funded project: archived ones with their results, running ones as far as known.
    No personal data: organisations, not people."""
    archived = {e.reference: e for e in (await db.exec(select(KnowledgeEntry))).all()}
    rows = (await db.exec(
        select(Application, Organisation.name, Organisation.organisation_type)
        .join(Organisation, Organisation.id == Application.organisation_id)
        .where(Application.stage.in_(FUNDED_STAGES)).order_by(Application.reference))).all()
    out = []
    for app, org, org_type in rows:
        entry = archived.get(app.reference)
        out.append({
            "reference": app.reference, "round": app.round_id, "title": app.title,
            "summary": app.summary, "lead_organisation": org, "organisation_type": org_type,
            "amount_eur": round((app.awarded_cents or 0) / 100, 2),
            "status": stage_name(app.stage, Role.PUBLIC, "en"),
            "pillars": app.pillars, "target_groups": app.target_groups,
            "results": entry.results if entry else "", "lessons": entry.lessons if entry else "",
        })
    return out


@router.get("/knowledge/export.json", tags=["open data"], name="open_data_json")
async def export_json(request: Request, viewer: Anyone, db: Db):
    """All funded projects as open data (JSON)."""
    return JSONResponse(await _open_data(request, db))


@router.get("/knowledge/export.csv", tags=["open data"], name="open_data_csv")
async def export_csv(request: Request, viewer: Anyone, db: Db):
    """All funded projects as open data (CSV, semicolon-separated lists)."""
    rows = await _open_data(request, db)
    out = io.StringIO()
    fields = ["reference", "round", "title", "summary", "lead_organisation", "organisation_type",
              "amount_eur", "status", "pillars", "target_groups", "results", "lessons"]
    writer = csv.DictWriter(out, fieldnames=fields)
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "pillars": ";".join(row["pillars"]),
                         "target_groups": ";".join(row["target_groups"])})
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="regie-funded-projects.csv"'})
