"""Report schedules and the prompts, reminders and escalations that follow from them.

Pure functions over dates: the workflow asks what is due next and sleeps until then.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta, timezone
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from domain.scheme import ReportingRules
from domain.types import ReportKind, ReportState


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def local_day(moment: datetime, timezone_name: str | None) -> date:
    """The day `moment` falls on in the programme's time zone; UTC's day without one (grants
    started before their parameters carried it)."""
    return (moment.astimezone(ZoneInfo(timezone_name)) if timezone_name else moment).date()


def report_schedule(
    awarded_on: date, last_activity_end: date, rules: ReportingRules, reporting_closes: date
) -> list[ReportState]:
    """Progress reports every N months after the award while the project runs, then the final
    report within the set weeks after the last activity ends, never after `reporting_closes`."""
    reports: list[ReportState] = []
    due = add_months(awarded_on, rules.progress_every_months)
    while due < last_activity_end:
        reports.append(ReportState(index=len(reports), kind=ReportKind.PROGRESS, due=due))
        due = add_months(due, rules.progress_every_months)
    final_due = min(last_activity_end + timedelta(weeks=rules.final_within_weeks), reporting_closes)
    final_due = max(final_due, awarded_on)
    reports.append(ReportState(index=len(reports), kind=ReportKind.FINAL, due=final_due))
    return reports


class NoticeKind(StrEnum):
    PROMPT = "prompt"  # a while before the due date, to the grantee
    REMINDER = "reminder"  # on the due date, to the grantee
    ESCALATION = "escalation"  # after the grace period, to the programme team


class Notice(BaseModel):
    model_config = ConfigDict(frozen=True)
    kind: NoticeKind
    report_index: int
    at: datetime


def _at(day: date) -> datetime:
    # Due dates are calendar days; notices go out at 08:00 UTC (morning in the Netherlands).
    return datetime.combine(day, time(8, 0), tzinfo=timezone.utc)


def pending_notices(reports: list[ReportState], rules: ReportingRules) -> list[Notice]:
    """Every notice not yet sent for reports still awaited, earliest first."""
    notices: list[Notice] = []
    for r in reports:
        if r.submitted_at is not None:
            continue
        if not r.prompted:
            notices.append(Notice(kind=NoticeKind.PROMPT, report_index=r.index,
                                  at=_at(r.due - timedelta(days=rules.prompt_before_days))))
        if not r.reminded:
            notices.append(Notice(kind=NoticeKind.REMINDER, report_index=r.index, at=_at(r.due)))
        if not r.escalated:
            grace_from = max(r.due, r.grace_from or r.due)
            notices.append(Notice(kind=NoticeKind.ESCALATION, report_index=r.index,
                                  at=_at(grace_from + timedelta(days=rules.grace_days))))
    return sorted(notices, key=lambda n: (n.at, n.report_index, list(NoticeKind).index(n.kind)))


def due_notices(reports: list[ReportState], rules: ReportingRules, now: datetime) -> list[Notice]:
    """The notices to send at `now`: per report only the latest that is due, so a report found
    long overdue gets one escalation rather than a backlog of prompts and reminders."""
    latest: dict[int, Notice] = {}
    for notice in pending_notices(reports, rules):
        if notice.at <= now:
            latest[notice.report_index] = notice
    return sorted(latest.values(), key=lambda n: n.report_index)


def adopt_reports(reports: list[ReportState], received: tuple[date, ...], now: datetime,
                  today: date) -> list[ReportState]:
    """The schedule of a grant taken over mid-way at `now`: the reports received are in and
    accepted; each report already overdue skips its prompt, so its reminder goes out at once,
    and the team hears of it only after the grace period from `today` (the programme's day,
    which an hour before midnight UTC is already tomorrow's), not from a long-past due date."""
    adopted = [r.model_copy(deep=True) for r in reports]
    for report, day in zip(adopted, received):
        report.submitted_at, report.accepted = _at(day), True
        report.prompted = report.reminded = report.escalated = True
    for report in adopted[len(received):]:
        if _at(report.due) <= now:
            mark_sent(report, NoticeKind.PROMPT)
            report.grace_from = today
    return adopted


def mark_sent(report: ReportState, kind: NoticeKind) -> None:
    """Mark `kind` and every earlier notice of `report` as done."""
    order = list(NoticeKind)
    for earlier in order[: order.index(kind) + 1]:
        setattr(report, _SENT_FLAG[earlier], True)


_SENT_FLAG = {
    NoticeKind.PROMPT: "prompted",
    NoticeKind.REMINDER: "reminded",
    NoticeKind.ESCALATION: "escalated",
}
