"""The annual progress report of the programme, as a page and as a file (CSV, JSON), with the
payments the year's decisions made due (domain.payments)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlmodel import func, select

from api.auth import STAFF, Db, Viewer, allow
from api.csv_files import csv_download
from api.i18n import t
from api.views import Year, render, scheme_names
from domain.annual import AnnualReport, GrantFacts, ReportFacts, annual_report
from domain.lifecycle import Action
from domain.payments import Amendment, Payment, PaymentFacts, payments, totals
from regie.records import Application, DecisionRecord, GrantEvent, Organisation, ReportRecord

router = APIRouter()

Staff = Annotated[Viewer, Depends(allow(*STAFF))]


async def _report(request: Request, db, year: int) -> AnnualReport:
    rows = (await db.exec(
        select(Application, Organisation.organisation_type, DecisionRecord)
        .join(Organisation, Organisation.id == Application.organisation_id)
        .outerjoin(DecisionRecord, DecisionRecord.application_id == Application.id)
        .where(Application.submitted_at.is_not(None)))).all()
    grants = [GrantFacts(
        reference=app.reference, submitted_at=app.submitted_at,
        decided_at=decision.decided_at if decision else None,
        awarded_cents=decision.amount_cents if decision and decision.awarded else None,
        organisation_type=org_type, pillars=tuple(app.pillars),
        target_groups=tuple(app.target_groups)) for app, org_type, decision in rows]
    reports = [ReportFacts(due=r.due, submitted_at=r.submitted_at)
               for r in (await db.exec(select(ReportRecord))).all()]
    return annual_report(year, grants, reports, datetime.now(timezone.utc),
                         request.app.state.scheme.scheme.timezone)


async def _payments(request: Request, db, year: int) -> list[Payment]:
    """The payments the decisions of `year` made due: the advance of each award, the change
    of the advance at each amendment of an award, and the balance of each settlement (the
    amount settled is the grant's amount from then on)."""
    scheme = request.app.state.scheme
    amended: dict[int, list[Amendment]] = {}
    for app_id, at, cents in (await db.exec(
            select(GrantEvent.application_id, GrantEvent.at, GrantEvent.amount_cents)
            .where(GrantEvent.action == Action.AMEND_AWARD.value)
            .order_by(GrantEvent.application_id, GrantEvent.seq))).all():
        amended.setdefault(app_id, []).append(Amendment(at=at, amount_cents=cents))
    settled = (select(GrantEvent.application_id, func.max(GrantEvent.at).label("at"))
               .where(GrantEvent.action == Action.SETTLE.value)
               .group_by(GrantEvent.application_id).subquery())
    rows = (await db.exec(
        select(Application, Organisation.name, DecisionRecord, settled.c.at)
        .join(Organisation, Organisation.id == Application.organisation_id)
        .join(DecisionRecord, DecisionRecord.application_id == Application.id)
        .outerjoin(settled, settled.c.application_id == Application.id)
        .where(DecisionRecord.awarded))).all()
    return [line for line in payments([PaymentFacts(
        reference=app.reference, organisation=organisation,
        awarded_cents=decision.amount_cents, awarded_at=decision.decided_at,
        advance_percent=scheme.reporting(scheme.round(app.round_id)).advance_percent,
        amendments=tuple(amended.get(app.id, ())),
        settled_cents=app.awarded_cents if settled_at else None, settled_at=settled_at)
        for app, organisation, decision, settled_at in rows], scheme.scheme.timezone)
        if line.on.year == year]


@router.get("/reports/annual", include_in_schema=False)
async def this_years_report(request: Request, viewer: Staff):
    """The report of the year it is in the programme's time zone, or of the programme's
    nearest year before or after it."""
    scheme = request.app.state.scheme
    years = scheme.years()
    now = datetime.now(timezone.utc).astimezone(scheme.tz).year
    return RedirectResponse(f"/reports/annual/{min(max(now, years[0]), years[-1])}",
                            status_code=303)


@router.get("/reports/annual/{year:int}", include_in_schema=False)
async def annual_page(request: Request, year: Year, viewer: Staff, db: Db):
    """The report with the scheme's names for its keys (the files keep the keys), and a link to
    each of the programme's years."""
    r, scheme, lang = await _report(request, db, year), request.app.state.scheme, request.state.lang
    names = {**scheme_names(scheme, lang), "-": t("none", lang)}

    def named(rows: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
        return [(names.get(key, key), count, cents) for key, count, cents in rows]

    return render(request, "annual.html", {"r": r, "years": scheme.years(), "tables": [
        ("dim_organisation_type", named(r.by_organisation_type), False),
        ("dim_target_group", named(r.by_target_group), True),
        ("dim_pillar", named(r.by_pillar), True)],
        "payments": totals(await _payments(request, db, year))}, viewer=viewer)


@router.get("/reports/annual/{year:int}.json", tags=["reports"])
async def annual_json(request: Request, year: Year, viewer: Staff, db: Db) -> AnnualReport:
    """The programme's annual progress report (voortgangsrapportage) as data."""
    return await _report(request, db, year)


@router.get("/reports/annual/{year:int}.csv", tags=["reports"])
async def annual_csv(request: Request, year: Year, viewer: Staff, db: Db):
    r = await _report(request, db, year)
    totals = (("applications", r.applications), ("awards", r.awards),
              ("reports_due", r.reports_due), ("reports_on_time", r.reports_on_time),
              ("reports_late", r.reports_late), ("reports_outstanding", r.reports_outstanding))
    rows = [["totals", name, value, ""] for name, value in totals]
    rows.append(["totals", "awarded", "", r.awarded_cents / 100])
    rows += [[section, key, count, cents / 100]
             for section, keyed in (("organisation_type", r.by_organisation_type),
                                    ("target_group", r.by_target_group), ("pillar", r.by_pillar))
             for key, count, cents in keyed]
    return csv_download(f"regie-voortgangsrapportage-{year}.csv",
                        ["section", "key", "count", "amount_eur"], rows)


@router.get("/reports/annual/{year:int}/payments.json", tags=["reports"])
async def payments_json(request: Request, year: Year, viewer: Staff, db: Db) -> list[Payment]:
    """Each payment the year's decisions made due, by day: the advance of each award
    (`advance`), the advance's change at each amendment of an award, paid (`advance_raised`)
    or reclaimed (`advance_reclaimed`), and the balance of each settlement, paid (`payment`)
    or reclaimed (`reclaim`); amounts in cents, always positive."""
    return await _payments(request, db, year)


@router.get("/reports/annual/{year:int}/payments.csv", tags=["reports"])
async def payments_csv(request: Request, year: Year, viewer: Staff, db: Db):
    """Each payment the year's decisions made due, by day, for the finance department: the
    day, the grant, its organisation, what it is in the reader's language, and the amount."""
    lang = request.state.lang
    return csv_download(
        f"regie-betalingen-{year}.csv", PAYMENT_COLUMNS,
        ([p.on.isoformat(), p.reference, p.organisation, t(f"payment_{p.kind.value}", lang),
          p.cents / 100] for p in await _payments(request, db, year)))


PAYMENT_COLUMNS = ("day", "reference", "organisation", "payment", "amount_eur")
