"""What auditors (and the programme team) use to answer "what happened to this grant, who did
it, when, under which rules, and can we trust the record?": the timeline of its Temporal history
(as a page, CSV, PDF and raw JSON), its verification, the audit report of a round, and the same
timelines of a round's own workflow and of each run of the budget's ledger."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import select

from api.auth import STAFF, Db, Viewer, allow
from api.csv_files import csv_download
from api.history import fetch, source, timeline, timeline_csv, timeline_pdf
from api.i18n import t
from api.rounds import round_state
from api.views import grant_for, render, round_or_404, scheme_names, stage_name
from domain.lifecycle import ACTION_LABELS, Action, Role
from domain.money import euros
from domain.text import number
from regie import histories, programme
from regie.programme import ledger_workflow_id
from regie.records import Application, DecisionRecord, Organisation
from regie.rounds import round_workflow_id
from regie.temporal import grant_workflow_id
from regie.verification import verify_history

router = APIRouter(include_in_schema=False)

Staff = Annotated[Viewer, Depends(allow(*STAFF))]


@router.get("/audit/grants/{reference}")
async def audit_history(request: Request, reference: str, viewer: Staff, db: Db):
    app = await grant_for(db, reference, viewer)
    loaded = await fetch(request.app.state.temporal, db, grant_workflow_id(reference))
    return _timeline_page(request, viewer, loaded, name=reference, heading=app.title,
                          back=(f"/grants/{reference}", reference),
                          files=f"/audit/grants/{reference}/timeline",
                          verify=f"/audit/grants/{reference}/verify")


@router.get("/audit/grants/{reference}/verify")
async def verify(request: Request, reference: str, viewer: Staff, db: Db):
    """Replay the grant's history against the current code and derive its verdict again."""
    app = await grant_for(db, reference, viewer)
    loaded = await fetch(request.app.state.temporal, db, grant_workflow_id(reference))
    verification = await verify_history(loaded.history, reference)
    return render(request, "verification.html", {"app": app, "v": verification}, viewer=viewer)


@router.get("/audit/grants/{reference}/timeline.{kind}")
async def timeline_file(request: Request, reference: str, kind: str, viewer: Staff, db: Db):
    app = await grant_for(db, reference, viewer)
    loaded = await fetch(request.app.state.temporal, db, grant_workflow_id(reference))
    findings = ((await verify_history(loaded.history, reference)).summary()
                if kind == "pdf" else [])
    return _timeline_download(request, loaded, kind, reference, f"{reference}: {app.title}",
                              findings)


def _round_workflow(request: Request, round_id: str) -> str:
    return round_workflow_id(round_or_404(request, round_id).id)


def _run(run_id: str) -> str:
    try:
        uuid.UUID(run_id)
    except ValueError:
        raise HTTPException(404, "Onbekende run / unknown run") from None
    return run_id


@router.get("/audit/rounds/{round_id}/history")
async def round_runs(request: Request, round_id: str, viewer: Staff, db: Db):
    """The round's runs: while open and while awaiting its verdicts it goes on in a new run
    every two thousand events or so, and each run holds the submissions, verdicts and
    decisions that reached it."""
    workflow_id = _round_workflow(request, round_id)
    lang = request.state.lang
    return _runs_page(request, viewer, await histories.runs(
        request.app.state.temporal, db, workflow_id),
        heading=f"{t('round_history', lang)}: "
                f"{request.app.state.scheme.round(round_id).name(lang)}",
        intro=t("round_runs_intro", lang), base=f"/audit/rounds/{round_id}/history",
        back=(f"/audit/rounds/{round_id}", t("round_audit", lang)))


@router.get("/audit/rounds/{round_id}/history/{run_id}")
async def round_run(request: Request, round_id: str, run_id: str, viewer: Staff, db: Db):
    """One run of the round: its opening, each submission, the scores its grants reported, the
    proposal, and who confirmed the allocation with which changes."""
    loaded = await fetch(request.app.state.temporal, db, _round_workflow(request, round_id),
                         _run(run_id))
    lang = request.state.lang
    return _timeline_page(request, viewer, loaded, name=f"round-{round_id}-{run_id}",
                          heading=f"{request.app.state.scheme.round(round_id).name(lang)} "
                                  f"({run_id})",
                          back=(f"/audit/rounds/{round_id}/history", t("round_history", lang)),
                          files=f"/audit/rounds/{round_id}/history/{run_id}/timeline")


@router.get("/audit/rounds/{round_id}/history/{run_id}/timeline.{kind}")
async def round_run_file(request: Request, round_id: str, run_id: str, kind: str,
                         viewer: Staff, db: Db):
    loaded = await fetch(request.app.state.temporal, db, _round_workflow(request, round_id),
                         _run(run_id))
    return _timeline_download(request, loaded, kind, f"ronde-{round_id}-{run_id}",
                              f"round {round_id}, run {run_id}", [])


@router.get("/audit/ledger")
async def ledger_runs(request: Request, viewer: Staff, db: Db):
    """The ledger's runs: it continues as new every thousand events or so, and each run holds
    the commitments set in it, by whom, within which budget."""
    workflow_id = ledger_workflow_id(request.app.state.scheme.scheme.id)
    lang = request.state.lang
    return _runs_page(request, viewer, await histories.runs(
        request.app.state.temporal, db, workflow_id), heading=t("ledger_runs", lang),
        intro=t("ledger_runs_intro", lang), base="/audit/ledger",
        back=("/rounds", t("rounds", lang)))


@router.get("/audit/ledger/{run_id}")
async def ledger_run(request: Request, run_id: str, viewer: Staff, db: Db):
    loaded = await fetch(request.app.state.temporal, db, _ledger(request), _run(run_id))
    return _timeline_page(request, viewer, loaded, name=f"ledger-{run_id}",
                          heading=f"{t('ledger', request.state.lang)} ({run_id})",
                          back=("/audit/ledger", t("ledger_runs", request.state.lang)),
                          files=f"/audit/ledger/{run_id}/timeline")


@router.get("/audit/ledger/{run_id}/timeline.{kind}")
async def ledger_run_file(request: Request, run_id: str, kind: str, viewer: Staff, db: Db):
    loaded = await fetch(request.app.state.temporal, db, _ledger(request), _run(run_id))
    return _timeline_download(request, loaded, kind, f"budget-{run_id}",
                              f"ledger run {run_id}", [])


def _ledger(request: Request) -> str:
    return ledger_workflow_id(request.app.state.scheme.scheme.id)


def _runs_page(request: Request, viewer: Viewer, runs: list[histories.Run], *, heading: str,
               intro: str, base: str, back: tuple[str, str]):
    """A workflow's runs, newest first, each linked at `base`/<run id>."""
    return render(request, "audit_runs.html", {
        "runs": runs, "heading": heading, "intro": intro, "base": base, "back": back},
        viewer=viewer)


def _timeline_page(request: Request, viewer: Viewer, loaded: histories.Loaded, *, name: str,
                   heading: str, back: tuple[str, str], files: str, verify: str = ""):
    return render(request, "audit_history.html", {
        "name": name, "heading": heading, "back": back, "files": files, "verify": verify,
        "kept_sha256": loaded.kept_sha256, "source": source(loaded, request.state.lang),
        "events": timeline(loaded.history, request.state.lang)}, viewer=viewer)


def _timeline_download(request: Request, loaded: histories.Loaded, kind: str, name: str,
                       title: str, findings: list[str]) -> Response:
    """The timeline as CSV or PDF (headed by where it was read, and the findings), in the
    reader's language, or the raw history as JSON, as `temporal workflow show --output json`
    gives it."""
    lang = request.state.lang
    if kind == "csv":
        data, media = timeline_csv(timeline(loaded.history, lang)), "text/csv; charset=utf-8"
    elif kind == "pdf":
        data = timeline_pdf(title, timeline(loaded.history, lang), [source(loaded), *findings])
        media = "application/pdf"
    elif kind == "json":
        data, media = loaded.history.to_json().encode(), "application/json"
    else:
        raise HTTPException(404, "Kies .csv, .pdf of .json / choose .csv, .pdf or .json")
    return Response(data, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="{name}-tijdlijn.{kind}"'})


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


def _shown(column: str, value, lang: str, names: dict[str, str]) -> str:
    """A cell of the round's audit report as its page shows it, in `lang`: names, not keys
    (the CSV keeps the keys, for those who process it)."""
    if value == "":
        return ""
    if column == "fundable":
        return t("yes" if value else "no", lang)
    if column == "total":
        return number(value, lang)
    if column == "outcome":
        return t(f"outcome_{value}", lang)
    if column == "decision":
        return ACTION_LABELS[Action.AWARD if value == "award" else Action.REJECT](lang)
    if column == "stage":
        return stage_name(value, Role.AUDITOR, lang)
    if column == "organisation_type":
        return names.get(value, value)
    return str(value)


@router.get("/audit/rounds/{round_id}")
async def round_audit(request: Request, round_id: str, viewer: Staff, db: Db):
    head, report = await round_report(request, db, round_id)
    lang = request.state.lang
    names = scheme_names(request.app.state.scheme, lang)
    return render(request, "round_audit.html", {
        **head, "columns": [t(f"report_{c}", lang) for c in REPORT_COLUMNS],
        "rows": [{"reference": r["reference"], "cells": [
            _shown(c, r[c], lang, names) for c in REPORT_COLUMNS]} for r in report]},
        viewer=viewer)


@router.get("/audit/rounds/{round_id}/report.csv")
async def round_audit_csv(request: Request, round_id: str, viewer: Staff, db: Db):
    _, report = await round_report(request, db, round_id)
    return csv_download(f"ronde-{round_id}-audit.csv", REPORT_COLUMNS,
                        ([row[c] for c in REPORT_COLUMNS] for row in report))
