"""When a term ends.

A term of days or weeks counts from the day after the act that starts it and runs to the end of
its last day in the programme's time zone, not to the hour and minute of that act: an applicant
told "uiterlijk 21-12-2026" has all of that day, as the Algemene wet bestuursrecht counts an
objection term (art. 6:8). Under the Algemene termijnenwet, a term that would end on a Saturday,
Sunday or public holiday runs on to the next day that is none (art. 1), and a term of three days
or more holds at least two such working days (art. 2). The scheme file can turn that law's
extensions off (`terms.extend_to_working_day`) for a programme outside its reach.

A report's due date follows from the award (domain/schedules.py) and runs on past a weekend or
public holiday in the same way, where the scheme extends its terms.

Pure functions over dates; the grant's workflow and the team's pages both use them.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from functools import cache
from zoneinfo import ZoneInfo

from domain.schedules import local_day
from domain.types import ReportState

END_OF_DAY = time(23, 59, 59)  # the pages show 23:59
MORNING = time(9, 0)  # when a reminder before a term's end goes out


def easter_sunday(year: int) -> date:
    """Easter Sunday of the Gregorian calendar (the anonymous algorithm of Meeus, Jones and
    Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    w = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * w) // 451
    month, day = divmod(h + w - 7 * m + 114, 31)
    return date(year, month, day + 1)


@cache
def public_holidays(year: int) -> frozenset[date]:
    """The generally recognised holidays of the Algemene termijnenwet (art. 3): New Year's Day,
    Easter Monday, Ascension Day, Whit Monday, King's Day (26 April when the 27th is a Sunday),
    5 May and both Christmas days."""
    easter = easter_sunday(year)
    kings_day = date(year, 4, 27)
    if kings_day.weekday() == 6:
        kings_day = date(year, 4, 26)
    return frozenset({
        date(year, 1, 1), easter + timedelta(days=1), easter + timedelta(days=39),
        easter + timedelta(days=50), kings_day, date(year, 5, 5), date(year, 12, 25),
        date(year, 12, 26),
    })


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year)


def working_day_from(day: date) -> date:
    """`day` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def due_on_working_days(reports: list[ReportState], reporting_closes: date) -> list[ReportState]:
    """A report schedule with each report still awaited due on a working day: a due date on a
    Saturday, Sunday or public holiday runs on to the next working day, as a term under the
    Algemene termijnenwet does (art. 1), unless that is after the day reporting closes: then
    it stays. A report already in keeps its date."""
    moved = []
    for r in reports:
        working = working_day_from(r.due)
        if r.submitted_at is None and working <= reporting_closes:
            r = r.model_copy(update={"due": working})
        moved.append(r)
    return moved


def last_day(start: date, days: int, to_working_day: bool) -> date:
    """The last day of a term of `days` days started on `start` (it counts from the next day),
    extended under the Algemene termijnenwet when `to_working_day`."""
    end = start + timedelta(days=days)
    if not to_working_day:
        return end
    working = sum(is_working_day(start + timedelta(days=n)) for n in range(1, days + 1))
    while not is_working_day(end) or (days >= 3 and working < 2):
        end += timedelta(days=1)
        working += is_working_day(end)
    return end


def _zone(timezone_name: str | None) -> timezone | ZoneInfo:
    # Grants started before their parameters carried the programme's time zone count in UTC.
    return ZoneInfo(timezone_name) if timezone_name else timezone.utc


def day_end(day: date, timezone_name: str | None) -> datetime:
    """The last moment of `day` in the time zone, in UTC: when a term that ends that day ends."""
    return datetime.combine(day, END_OF_DAY, tzinfo=_zone(timezone_name)).astimezone(
        timezone.utc)


def term_end(start: datetime, days: int, timezone_name: str | None,
             to_working_day: bool) -> datetime:
    """When a term of `days` days started at `start` ends (UTC); a term of none (the scheme
    file's 0, say, for no objection window) at once."""
    if days == 0:
        return start
    return day_end(last_day(local_day(start, timezone_name), days, to_working_day),
                   timezone_name)


def last_day_of(deadline: datetime, timezone_name: str | None) -> date:
    """The day a term that ends at `deadline` last runs on, as a letter or e-mail names it: its
    own day for a term that ends at a day's end, the day before for one capped at midnight (the
    programme's end, the first moment of 1 January 2028)."""
    return local_day(deadline - timedelta(microseconds=1), timezone_name)


def morning(moment: datetime, timezone_name: str | None) -> datetime:
    """Nine in the morning of the day `moment` falls on in the time zone (UTC), or `moment` if it
    is earlier: a reminder due some days before a term's end goes out then, not at midnight."""
    nine = datetime.combine(local_day(moment, timezone_name), MORNING, tzinfo=_zone(timezone_name))
    return min(nine.astimezone(timezone.utc), moment)
