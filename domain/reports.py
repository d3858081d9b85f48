"""Reports after the award: what they contain, rescheduling after a change, and settlement."""

from __future__ import annotations

from datetime import date

from domain.payments import advance
from domain.scheme import ReportingRules
from domain.schedules import report_schedule
from domain.types import ReportKind, ReportState, Settlement


def reschedule(reports: list[ReportState], awarded_on: date, last_activity_end: date,
               rules: ReportingRules, reporting_closes: date) -> list[ReportState]:
    """The schedule after an approved change of the project's end: reports already submitted
    stay as they were; the ones still to come follow from the new end."""
    kept = [r for r in reports if r.submitted_at is not None and r.kind == ReportKind.PROGRESS]
    latest = max((r.due for r in kept), default=awarded_on)
    fresh = [r for r in report_schedule(awarded_on, last_activity_end, rules, reporting_closes)
             if r.kind == ReportKind.FINAL or r.due > latest]
    old_final = next((r for r in reports if r.kind == ReportKind.FINAL), None)
    result = []
    for index, r in enumerate([*kept, *fresh]):
        if r.kind == ReportKind.FINAL and old_final is not None and old_final.submitted_at:
            r = old_final  # a final report already in stays in
        result.append(r.model_copy(update={"index": index}))
    return result


def settle(awarded_cents: int, final_cents: int, rules: ReportingRules) -> Settlement:
    if not 0 <= final_cents <= awarded_cents:
        raise ValueError("Het vastgestelde bedrag ligt tussen 0 en het toegekende bedrag / "
                         "the settled amount lies between 0 and the amount awarded")
    paid = advance(awarded_cents, rules.advance_percent)
    return Settlement(awarded_cents=awarded_cents, final_cents=final_cents,
                      advance_paid_cents=paid, balance_cents=final_cents - paid)
