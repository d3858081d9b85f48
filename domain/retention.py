"""When personal data goes: pure rules over dates, per kind of data (terms in the scheme file)."""

from __future__ import annotations

from datetime import datetime

from domain.lifecycle import Stage
from domain.schedules import add_months

# Applications that were not funded and whose story has ended: their applicants' personal data
# is removed after the term; the anonymised record stays for the programme's figures.
NOT_FUNDED = frozenset({Stage.INELIGIBLE, Stage.NOT_PROCESSED, Stage.REJECTED_FINAL,
                        Stage.WITHDRAWN})


def term_passed(since: datetime, months: int, now: datetime) -> bool:
    """True once `months` have passed since `since` (calendar months, by the day)."""
    return add_months(since.date(), months) <= now.date()
