"""When a term ends (domain/terms.py): at the end of its last day, past weekends and the
holidays of the Algemene termijnenwet."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from domain.terms import (
    day_end,
    due_on_working_days,
    easter_sunday,
    is_working_day,
    last_day,
    last_day_of,
    morning,
    public_holidays,
    term_end,
    working_day_from,
)
from domain.types import ReportKind, ReportState

AMSTERDAM = "Europe/Amsterdam"


@pytest.mark.parametrize("year, easter", [
    (1818, date(1818, 3, 22)), (1943, date(1943, 4, 25)), (2000, date(2000, 4, 23)),
    (2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)), (2026, date(2026, 4, 5)),
    (2027, date(2027, 3, 28)), (2028, date(2028, 4, 16)), (2038, date(2038, 4, 25)),
    (2285, date(2285, 3, 22))])
def test_easter_falls_on_its_day(year, easter):
    assert easter_sunday(year) == easter and easter.weekday() == 6


def _days(*days: str) -> frozenset[date]:
    return frozenset(date.fromisoformat(d) for d in days)


@pytest.mark.parametrize("year, holidays", [
    # King's Day on the 26th: the 27th of April 2025 is a Sunday
    (2025, _days("2025-01-01", "2025-04-21", "2025-04-26", "2025-05-05", "2025-05-29",
                 "2025-06-09", "2025-12-25", "2025-12-26")),
    (2026, _days("2026-01-01", "2026-04-06", "2026-04-27", "2026-05-05", "2026-05-14",
                 "2026-05-25", "2026-12-25", "2026-12-26")),
    # Liberation Day and Ascension Day on two days running
    (2027, _days("2027-01-01", "2027-03-29", "2027-04-27", "2027-05-05", "2027-05-06",
                 "2027-05-17", "2027-12-25", "2027-12-26")),
    (2028, _days("2028-01-01", "2028-04-17", "2028-04-27", "2028-05-05", "2028-05-25",
                 "2028-06-05", "2028-12-25", "2028-12-26"))])
def test_the_holidays_of_the_algemene_termijnenwet(year, holidays):
    assert public_holidays(year) == holidays
    assert all(not is_working_day(day) for day in holidays)


@pytest.mark.parametrize("start, days, end", [
    # fourteen days from a Monday: the Monday two weeks on
    (date(2026, 12, 7), 14, date(2026, 12, 21)),
    # onto Christmas, a Friday, then the weekend: the Monday after
    (date(2026, 12, 11), 14, date(2026, 12, 28)),
    # six weeks onto New Year's Day 2027, a Friday: Monday 4 January
    (date(2026, 11, 20), 42, date(2027, 1, 4)),
    # onto Easter Monday, King's Day, Whit Monday
    (date(2027, 3, 15), 14, date(2027, 3, 30)),
    (date(2027, 4, 13), 14, date(2027, 4, 28)),
    (date(2027, 5, 3), 14, date(2027, 5, 18)),
    # onto Liberation Day, with Ascension Day after it: the Friday
    (date(2027, 4, 21), 14, date(2027, 5, 7)),
    # a Saturday, a Sunday
    (date(2027, 1, 2), 7, date(2027, 1, 11)),
    (date(2027, 1, 3), 7, date(2027, 1, 11)),
    # three days from Christmas Eve hold only one working day (art. 1 alone: Monday the 28th);
    # art. 2 asks for two: Tuesday the 29th
    (date(2026, 12, 24), 3, date(2026, 12, 29)),
    # a term of two days has no such floor: the next working day is enough
    (date(2026, 12, 24), 2, date(2026, 12, 28)),
    # the programme's end: 31 December 2027 is a Friday
    (date(2027, 12, 3), 28, date(2027, 12, 31))])
def test_a_term_ends_on_a_working_day(start, days, end):
    assert last_day(start, days, True) == end
    assert last_day(start, days, False) == start + timedelta(days=days)


def _working_days(start: date, end: date) -> int:
    return sum(is_working_day(start + timedelta(days=n)) for n in range(1, (end - start).days + 1))


def _may_end(start: date, days: int, end: date) -> bool:
    return (end >= start + timedelta(days=days) and is_working_day(end)
            and (days < 3 or _working_days(start, end) >= 2))


@pytest.mark.parametrize("days", [1, 2, 3, 4, 5, 7, 14, 28, 42, 56, 154])
def test_every_term_of_the_programme_ends_on_the_first_day_the_law_allows(days):
    """Each start day of 2025 to 2028: the last day may end the term, and the day before it may
    not (the extension goes no further than the law asks)."""
    start = date(2025, 1, 1)
    while start.year < 2029:
        end = last_day(start, days, True)
        assert _may_end(start, days, end), (start, days, end)
        assert not _may_end(start, days, end - timedelta(days=1)), (start, days, end)
        start += timedelta(days=1)


@pytest.mark.parametrize("day, zone, moment", [
    (date(2026, 12, 21), AMSTERDAM, datetime(2026, 12, 21, 22, 59, 59, tzinfo=timezone.utc)),
    (date(2027, 6, 30), AMSTERDAM, datetime(2027, 6, 30, 21, 59, 59, tzinfo=timezone.utc)),
    # the day the clocks go forward ends in summer time
    (date(2027, 3, 28), AMSTERDAM, datetime(2027, 3, 28, 21, 59, 59, tzinfo=timezone.utc)),
    # grants started before their parameters carried the time zone count in UTC
    (date(2026, 12, 21), None, datetime(2026, 12, 21, 23, 59, 59, tzinfo=timezone.utc))])
def test_a_day_ends_at_its_end_in_the_programmes_time_zone(day, zone, moment):
    assert day_end(day, zone) == moment


def test_a_term_counts_from_the_day_of_the_act_where_the_programme_is():
    # half past midnight on 8 December in Amsterdam, still the 7th in UTC
    act = datetime(2026, 12, 7, 23, 30, tzinfo=timezone.utc)
    assert term_end(act, 14, AMSTERDAM, True) == datetime(2026, 12, 22, 22, 59, 59,
                                                          tzinfo=timezone.utc)
    assert term_end(act, 14, None, True) == datetime(2026, 12, 21, 23, 59, 59,
                                                     tzinfo=timezone.utc)
    assert term_end(act, 0, AMSTERDAM, True) == act  # no term: it ends at once
    # an act at any hour of a day gives the same end: the whole last day
    for hour in range(24):
        at = datetime(2026, 12, 7, hour, tzinfo=timezone.utc) - timedelta(hours=1)
        assert term_end(at, 14, AMSTERDAM, True) == day_end(date(2026, 12, 21), AMSTERDAM)


@pytest.mark.parametrize("moment, nine", [
    # three days before a term that ends on 21 December: nine that morning in Amsterdam
    (day_end(date(2026, 12, 18), AMSTERDAM), datetime(2026, 12, 18, 8, tzinfo=timezone.utc)),
    (day_end(date(2027, 6, 27), AMSTERDAM), datetime(2027, 6, 27, 7, tzinfo=timezone.utc)),
    # a moment before nine stays as it is: a reminder never goes later than it was due
    (datetime(2027, 12, 31, 23, tzinfo=timezone.utc), datetime(2027, 12, 31, 23,
                                                               tzinfo=timezone.utc)),
    (datetime(2027, 1, 4, 7, 59, tzinfo=timezone.utc), datetime(2027, 1, 4, 7, 59,
                                                               tzinfo=timezone.utc))])
def test_a_reminder_goes_out_in_the_morning(moment, nine):
    assert morning(moment, AMSTERDAM) == nine


@pytest.mark.parametrize("deadline, day", [
    (day_end(date(2027, 1, 18), AMSTERDAM), date(2027, 1, 18)),
    (day_end(date(2027, 7, 5), AMSTERDAM), date(2027, 7, 5)),
    # a term capped at the programme's end, the first moment of 2028, last runs on 31 December
    (datetime(2027, 12, 31, 23, tzinfo=timezone.utc), date(2027, 12, 31))])
def test_a_letter_names_the_last_day_a_term_runs_on(deadline, day):
    assert last_day_of(deadline, AMSTERDAM) == day


@pytest.mark.parametrize("day, working", [
    (date(2027, 3, 1), date(2027, 3, 1)),  # a Monday stays
    (date(2027, 3, 6), date(2027, 3, 8)),  # a Saturday: the Monday
    (date(2027, 3, 7), date(2027, 3, 8)),  # a Sunday: the Monday
    (date(2027, 3, 27), date(2027, 3, 30)),  # Saturday, Easter Sunday, Easter Monday: Tuesday
    (date(2027, 5, 5), date(2027, 5, 7)),  # Liberation Day, Ascension Day: the Friday
    (date(2027, 12, 25), date(2027, 12, 27))])  # Christmas on a Saturday, Boxing Day: Monday
def test_a_day_runs_on_to_the_first_working_day(day, working):
    assert working_day_from(day) == working


def test_every_day_runs_on_to_the_first_working_day_and_no_further():
    day = date(2025, 1, 1)
    while day.year < 2029:
        working = working_day_from(day)
        assert is_working_day(working) and working >= day
        assert all(not is_working_day(day + timedelta(days=n)) for n in range((working - day).days))
        day += timedelta(days=1)


def _report(index: int, due: date, submitted: bool = False) -> ReportState:
    return ReportState(index=index, kind=ReportKind.PROGRESS, due=due, submitted_at=datetime(
        2027, 3, 1, tzinfo=timezone.utc) if submitted else None)


def test_a_report_awaited_falls_due_on_a_working_day_unless_reporting_has_closed_by_then():
    closes = date(2028, 2, 26)  # a Saturday
    reports = [_report(0, date(2027, 3, 6), submitted=True),  # in: keeps its Saturday
               _report(1, date(2027, 9, 4)),  # a Saturday: the Monday
               _report(2, date(2027, 9, 8)),  # a Wednesday stays
               _report(3, date(2028, 2, 25)),  # a Friday stays
               _report(4, closes)]  # on the day reporting closes: it stays
    assert [r.due for r in due_on_working_days(reports, closes)] == [
        date(2027, 3, 6), date(2027, 9, 6), date(2027, 9, 8), date(2028, 2, 25), closes]
    # a Saturday the day before reporting closes on a Sunday: it stays
    assert due_on_working_days([_report(0, date(2028, 2, 26))], date(2028, 2, 27))[0].due == \
        date(2028, 2, 26)
