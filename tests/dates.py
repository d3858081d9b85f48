"""The suite's calendar: every test runs the programme as it stood on 28 November 2026.

Time skipping only moves forward from the real clock, and the scheme file holds real dates: on a
later day a test could no longer skip to the 2027 round's opening, and one that simulates the rest
of the programme would find less of it left. So the tests' dates were written for ANCHOR, and on
each later day the suite moves them, and every date in the scheme file, forward by SHIFT: the
whole days since ANCHOR. A test then sees the same programme around it on any day it runs.

Dates move by whole days. A local time in the scheme (a round opens at 09:00) stays a local time;
an instant that must meet one to the second is taken from the scheme (`Scheme.local_to_utc`), not
written in UTC, because daylight saving time may lie between the two.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from domain.scheme import Scheme, parse_scheme
from regie import ROOT

ANCHOR = date(2026, 11, 28)  # the day the tests' dates were written for
SHIPPED = ROOT / "schemes" / "sociale-veiligheid.toml"
SHIFT = timedelta(days=max(0, (datetime.now(timezone.utc).date() - ANCHOR).days))


def day(year: int, month: int, d: int) -> date:
    """A date of the tests' calendar, moved to today's."""
    return date(year, month, d) + SHIFT


def utc(year: int, month: int, d: int, hour: int = 0, minute: int = 0) -> datetime:
    """An instant in UTC of the tests' calendar, moved to today's."""
    return datetime(year, month, d, hour, minute, tzinfo=timezone.utc) + SHIFT


def iso(text: str) -> str:
    """An ISO date as a form or an import table writes it ('2027-03-01'), moved to today's."""
    return (date.fromisoformat(text) + SHIFT).isoformat()


# A TOML date or local date-time written as a value: `closes = 2027-02-12T13:00:00`.
_TOML_DATE = re.compile(r"(?<== )(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}(?::\d{2})?)?\b")


def write_scheme(folder: Path) -> Path:
    """The shipped scheme file with every date moved by SHIFT, written into `folder`; each
    date is checked to have moved."""
    text = SHIPPED.read_text(encoding="utf-8")
    moved = _TOML_DATE.sub(lambda m: (date.fromisoformat(m[1]) + SHIFT).isoformat()
                           + (m[2] or ""), text)
    before, after = parse_scheme(text, str(SHIPPED)), parse_scheme(moved, str(SHIPPED))
    pairs = [(b.opens, a.opens) for b, a in zip(before.rounds, after.rounds)]
    pairs += [(b.closes, a.closes) for b, a in zip(before.rounds, after.rounds)]
    pairs += [(getattr(before.scheme, k), getattr(after.scheme, k))
              for k in ("projects_end", "reporting_closes", "books_close")]
    assert all(a - b == SHIFT for b, a in pairs), "a date of the scheme file did not move"
    path = folder / SHIPPED.name
    path.write_text(moved, encoding="utf-8")
    return path


def opens(scheme: Scheme, round_id: str) -> datetime:
    """When a round opens, in UTC."""
    return scheme.local_to_utc(scheme.round(round_id).opens)


def closes(scheme: Scheme, round_id: str) -> datetime:
    """When a round closes, in UTC."""
    return scheme.local_to_utc(scheme.round(round_id).closes)
