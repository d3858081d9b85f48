"""Adopting grants already under way: the programme team checks a spreadsheet (a dry run),
imports it, and can always take every grant out again in the same template."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from api.auth import STAFF, Db, Viewer, allow
from api.views import posted, render
from domain.lifecycle import Role
from regie import ROOT, adoption
from regie.spreadsheet import UnreadableFile, read_table

router = APIRouter(include_in_schema=False)

Staff = Annotated[Viewer, Depends(allow(*STAFF))]
Team = Annotated[Viewer, Depends(allow(Role.PROGRAMME_TEAM))]

MAX_BYTES = 10 * 1024 * 1024
TEMPLATE = ROOT / "docs" / "import-template.csv"
MEDIA = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@router.get("/import")
async def import_page(request: Request, viewer: Team):
    return render(request, "import.html", {"result": None, "error": ""}, viewer=viewer)


@router.post("/import")
async def import_file(request: Request, viewer: Team, db: Db):
    """Check the file, and import it only when asked and only if no row has a problem."""
    form = await posted(request)
    upload, dry_run = form.get("file"), form.get("mode") != "import"
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _page(request, viewer, error="Kies een bestand / choose a file")
    data = await upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        return _page(request, viewer, error="Het bestand is groter dan 10 MB / "
                                            "the file is larger than 10 MB")
    try:
        table = read_table(data, upload.filename)
    except UnreadableFile as exc:
        return _page(request, viewer, error=str(exc))
    scheme = request.app.state.scheme
    result = await adoption.import_table(
        db, request.app.state.temporal, scheme, request.app.state.settings.task_queue, table,
        upload.filename, viewer.actor(), adoption.local_today(scheme), dry_run=dry_run)
    return render(request, "import.html", {"result": result, "file_name": upload.filename,
                                           "error": ""},
                  status_code=422 if result.refused else 200, viewer=viewer)


def _page(request: Request, viewer: Viewer, error: str):
    return render(request, "import.html", {"result": None, "error": error}, status_code=422,
                  viewer=viewer)


@router.get("/import/template.{kind}")
async def template(kind: str, viewer: Staff):
    """The template with one example row per case (docs/import-template.csv)."""
    _known(kind)
    rows = read_table(TEMPLATE.read_bytes(), TEMPLATE.name).rows
    return _file(f"regie-sjabloon.{kind}",
                 adoption.template_bytes(f"x.{kind}", [cells for _, cells in rows]))


@router.get("/export.{kind}")
async def export(kind: str, viewer: Staff, db: Db):
    """Every awarded grant in the import template, so the team can always take its data out."""
    _known(kind)
    return _file(f"regie-subsidies.{kind}", await adoption.export_file(db, f"x.{kind}"))


def _known(kind: str) -> None:
    if kind not in MEDIA:
        raise HTTPException(404, "Kies .csv of .xlsx / choose .csv or .xlsx")


def _file(name: str, data: bytes) -> Response:
    return Response(data, media_type=MEDIA[name.rsplit(".", 1)[1]],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
