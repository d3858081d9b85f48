"""What auditors (and the programme team) use to answer "what happened to this grant, who did
it, when, under which rules, and can we trust the record?": the timeline of its Temporal history
(as a page, CSV and PDF), its verification, and the audit report of a round."""

from __future__ import annotations

import csv
import io
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import select

from api.auth import STAFF, Db, Viewer, allow
from api.history import fetch, timeline, timeline_csv, timeline_pdf
from api.views import grant_for, render
from domain.money import euros
from api.rounds import round_state
from regie import programme
from regie.records import Application, DecisionRecord, Organisation
from regie.verification import verify_history

router = APIRouter(include_in_schema=False)

Staff = Annotated[Viewer, Depends(allow(*STAFF))]


@router.get("/audit/grants/{reference}")
async def audit_history(request: Request, reference: str, viewer: Staff, db: Db):
    app = await grant_for(db, reference, viewer)
    events = timeline(await fetch(request.app.state.temporal, db, reference))
    return render(request, "audit_history.html", {"app": app, "events": events}, viewer=viewer)


@router.get("/audit/grants/{reference}/verify")
async def verify(request: Request, reference: str, viewer: Staff, db: Db):
    """Replay the grant's history against the current code and derive its verdict again."""
    app = await grant_for(db, reference, viewer)
    history = await fetch(request.app.state.temporal, db, reference)
    verification = await verify_history(history, reference)
    return render(request, "verification.html", {"app": app, "v": verification}, viewer=viewer)


@router.get("/audit/grants/{reference}/timeline.{kind}")
async def timeline_file(request: Request, reference: str, kind: str, viewer: Staff, db: Db):
    app = await grant_for(db, reference, viewer)
    history = await fetch(request.app.state.temporal, db, reference)
    lines = timeline(history)
    if kind == "csv":
        data, media = timeline_csv(lines), "text/csv; charset=utf-8"
    elif kind == "pdf":
        verification = await verify_history(history, reference)
        data = timeline_pdf(reference, app.title, lines, verification.summary())
        media = "application/pdf"
    else:
        raise HTTPException(404, "Kies .csv of .pdf / choose .csv or .pdf")
    return Response(data, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="{reference}-tijdlijn.{kind}"'})


REPORT_COLUMNS = ("reference", "organisation", "organisation_type", "scheme_version", "rubric",
                  "total", "fundable", "rank", "outcome", "proposed", "left_after",
                  "changed_by_team", "decision", "amount", "reason", "decided_by", "decided_at",
                  "stage")


async def round_report(request: Request, db, round_id: str) -> tuple[dict, list[dict]]:
    """Every decision of a round with the rubric and scheme version and the budget it used."""
    scheme, client = request.app.state.scheme, request.app.state.temporal
    rnd, status, proposal, shown = await round_state(request, db, round_id)
    candidates = {c.reference: c for c in proposal.candidates} if proposal else {}
    lines = {a.reference: a for a in shown}
    rows = (await db.exec(
        select(Application, Organisation, DecisionRecord)
        .join(Organisation, Organisation.id == Application.organisation_id)
        .outerjoin(DecisionRecord, DecisionRecord.application_id == Application.id)
        .where(Application.round_id == round_id, Application.reference.is_not(None))
        .order_by(Application.reference))).all()
    report = []
    for app, org, decision in rows:
        c, line = candidates.get(app.reference), lines.get(app.reference)
        report.append({
            "reference": app.reference, "organisation": org.name,
            "organisation_type": org.organisation_type, "scheme_version": app.scheme_hash[:12],
            "rubric": rnd.rubric,
            "total": c.verdict.total if c else "", "fundable": c.verdict.fundable if c else "",
            "rank": line.rank if line and line.rank else "",
            "outcome": line.outcome.value if line else "",
            "proposed": euros(line.amount_cents) if line else "",
            "left_after": euros(line.left_after_cents) if line else "",
            "changed_by_team": line.changed_by_team or "" if line else "",
            "decision": ("award" if decision.awarded else "reject") if decision else "",
            "amount": euros(decision.amount_cents) if decision and decision.awarded else "",
            "reason": decision.reason if decision else "",
            "decided_by": decision.decided_by if decision else "",
            "decided_at": decision.decided_at.isoformat(timespec="minutes") if decision else "",
            "stage": app.stage,
        })
    ledger = await programme.ledger_or_none(client, db, scheme.scheme.id)
    head = {"round": rnd, "status": status,
            "budget_at_proposal": proposal.budget_cents if proposal else None,
            "ledger": next((r for r in ledger.rounds if r.round_id == round_id), None)
            if ledger else None,
            "rubric": scheme.rubrics[rnd.rubric], "scheme_hash": scheme.content_hash}
    return head, report


@router.get("/audit/rounds/{round_id}")
async def round_audit(request: Request, round_id: str, viewer: Staff, db: Db):
    head, report = await round_report(request, db, round_id)
    return render(request, "round_audit.html", {**head, "rows": report,
                                                "columns": REPORT_COLUMNS}, viewer=viewer)


@router.get("/audit/rounds/{round_id}/report.csv")
async def round_audit_csv(request: Request, round_id: str, viewer: Staff, db: Db):
    _, report = await round_report(request, db, round_id)
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=REPORT_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(report)
    return Response(out.getvalue().encode("utf-8-sig"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition":
                             f'attachment; filename="ronde-{round_id}-audit.csv"'})
