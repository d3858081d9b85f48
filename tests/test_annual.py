"""The annual progress report: pure sums, tested directly."""

from datetime import date, datetime, timezone

from domain.annual import GrantFacts, ReportFacts, annual_report


AMSTERDAM = "Europe/Amsterdam"


def at(y, m, d, hour=10, minute=0):
    return datetime(y, m, d, hour, minute, tzinfo=timezone.utc)


def test_one_year_of_applications_awards_money_and_reports():
    grants = [
        GrantFacts(reference="A", submitted_at=at(2026, 4, 1), decided_at=at(2026, 6, 1),
                   awarded_cents=100_001, organisation_type="wo", pillars=("a", "b"),
                   target_groups=("studenten",)),
        GrantFacts(reference="B", submitted_at=at(2026, 4, 2), decided_at=at(2026, 6, 1),
                   awarded_cents=None, organisation_type="hbo", pillars=("a",),
                   target_groups=("docenten",)),
        GrantFacts(reference="C", submitted_at=at(2025, 6, 20), decided_at=at(2025, 9, 1),
                   awarded_cents=50_000, organisation_type="wo", pillars=("b",),
                   target_groups=("studenten",)),
    ]
    reports = [ReportFacts(due=date(2026, 3, 1), submitted_at=at(2026, 2, 27)),
               ReportFacts(due=date(2026, 3, 1), submitted_at=at(2026, 3, 5)),
               ReportFacts(due=date(2026, 9, 1), submitted_at=None),
               ReportFacts(due=date(2026, 12, 20), submitted_at=None)]  # not yet due
    r = annual_report(2026, grants, reports, at(2026, 11, 28), AMSTERDAM)
    assert (r.applications, r.awards, r.awarded_cents) == (2, 1, 100_001)
    assert r.by_organisation_type == [("wo", 1, 100_001)]
    assert r.by_pillar == [("a", 1, 50_001), ("b", 1, 50_000)]  # split evenly to the cent
    assert (r.reports_due, r.reports_on_time, r.reports_late, r.reports_outstanding) == (
        3, 1, 1, 1)


def test_days_and_years_are_the_programmes_own():
    """Half past midnight in the Netherlands is still the day before in UTC."""
    grants = [GrantFacts(reference="A", submitted_at=at(2026, 4, 1), awarded_cents=10_000,
                         decided_at=at(2026, 12, 31, 23, 30), organisation_type="wo",
                         pillars=("a",), target_groups=("studenten",))]
    reports = [ReportFacts(due=date(2026, 3, 1), submitted_at=at(2026, 3, 1, 22, 59)),
               ReportFacts(due=date(2026, 3, 1), submitted_at=at(2026, 3, 1, 23, 0))]
    r2026 = annual_report(2026, grants, reports, at(2027, 6, 1), AMSTERDAM)
    assert (r2026.awards, r2026.reports_on_time, r2026.reports_late) == (0, 1, 1)
    assert annual_report(2027, grants, reports, at(2027, 6, 1), AMSTERDAM).awards == 1
