"""The programme's annual progress report (voortgangsrapportage): pure sums over one year."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from domain.money import split_evenly
from domain.schedules import local_day


class GrantFacts(BaseModel):
    """One application as the annual report counts it."""

    model_config = ConfigDict(frozen=True)
    reference: str
    submitted_at: datetime
    decided_at: datetime | None
    awarded_cents: int | None  # None: not awarded
    organisation_type: str
    pillars: tuple[str, ...]
    target_groups: tuple[str, ...]


class ReportFacts(BaseModel):
    model_config = ConfigDict(frozen=True)
    due: date
    submitted_at: datetime | None


class AnnualReport(BaseModel):
    year: int
    applications: int
    awards: int
    awarded_cents: int
    by_organisation_type: list[tuple[str, int, int]]  # key, awards, money
    by_target_group: list[tuple[str, int, int]]
    by_pillar: list[tuple[str, int, int]]
    reports_due: int
    reports_on_time: int
    reports_late: int
    reports_outstanding: int


def _spread(rows: dict[str, list[int]], keys: tuple[str, ...], cents: int) -> None:
    for key, share in zip(keys, split_evenly(cents, len(keys))):
        row = rows.setdefault(key, [0, 0])
        row[0] += 1
        row[1] += share


def annual_report(year: int, grants: list[GrantFacts], reports: list[ReportFacts],
                  now: datetime, timezone_name: str) -> AnnualReport:
    """The report of `year` as it stands at `now`. Days and years are the programme's own (in
    its time zone): a report handed in at half past midnight in the Netherlands after its due
    day is late, and an award at that hour on New Year's night counts in the new year."""
    def day(moment: datetime) -> date:
        return local_day(moment, timezone_name)

    today = day(now)
    awarded = [g for g in grants if g.awarded_cents is not None and g.decided_at is not None
               and day(g.decided_at).year == year]
    tables: dict[str, dict[str, list[int]]] = {"org": {}, "target": {}, "pillar": {}}
    for g in awarded:
        _spread(tables["org"], (g.organisation_type,), g.awarded_cents)
        _spread(tables["target"], g.target_groups or ("-",), g.awarded_cents)
        _spread(tables["pillar"], g.pillars or ("-",), g.awarded_cents)
    due = [r for r in reports if r.due.year == year and r.due <= today]
    on_time = [r for r in due if r.submitted_at and day(r.submitted_at) <= r.due]
    late = [r for r in due if r.submitted_at and day(r.submitted_at) > r.due]

    def rows(key: str) -> list[tuple[str, int, int]]:
        return sorted(((k, v[0], v[1]) for k, v in tables[key].items()), key=lambda r: -r[2])

    return AnnualReport(
        year=year, applications=sum(1 for g in grants if day(g.submitted_at).year == year),
        awards=len(awarded), awarded_cents=sum(g.awarded_cents for g in awarded),
        by_organisation_type=rows("org"), by_target_group=rows("target"),
        by_pillar=rows("pillar"), reports_due=len(due), reports_on_time=len(on_time),
        reports_late=len(late), reports_outstanding=len(due) - len(on_time) - len(late))
