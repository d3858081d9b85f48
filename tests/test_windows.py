"""When a round's window may move: every phase, every moment around the window and every kind
of move, against what the rule promises, and each reason by example."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone

import pytest

from domain.lifecycle import NotAllowed
from domain.windows import check_window_move

OPENS = datetime(2027, 1, 12, 8, 0, tzinfo=timezone.utc)
CLOSES = datetime(2027, 2, 12, 12, 0, tzinfo=timezone.utc)
END = datetime(2027, 12, 31, 23, 0, tzinfo=timezone.utc)
SECOND, DAY = timedelta(seconds=1), timedelta(days=1)

PHASES = ("scheduled", "open", "closed", "assessing", "proposed", "decided")
# the round's clock: before, at and after each end of the window
MOMENTS = (OPENS - DAY, OPENS - SECOND, OPENS, OPENS + SECOND, CLOSES - SECOND, CLOSES,
           CLOSES + SECOND)
OPENINGS = (OPENS, OPENS - 2 * DAY, OPENS + 7 * DAY, OPENS + 40 * DAY)
CLOSINGS = (CLOSES, CLOSES - 30 * DAY, CLOSES + DAY, CLOSES + 7 * DAY, END, END + SECOND)


def refusal(**kwargs) -> str | None:
    try:
        check_window_move(opens_at=OPENS, closes_at=CLOSES, programme_end=END, **kwargs)
    except NotAllowed as refused:
        return str(refused)
    return None


CASES = list(itertools.product(PHASES, MOMENTS, (True, False), OPENINGS, CLOSINGS))


def test_a_window_moves_only_ahead_of_the_round_by_its_own_clock():
    for phase, now, movable, new_opens, new_closes in CASES:
        case = (phase, now, movable, new_opens, new_closes)
        refused = refusal(phase=phase, now=now, opening_movable=movable,
                          new_opens_at=new_opens, new_closes_at=new_closes)
        if refused is not None:
            assert " / " in refused, case  # Dutch, then English
            continue
        # what is taken: a change, to a round not closed by its clock, ...
        assert (new_opens, new_closes) != (OPENS, CLOSES), case
        assert phase in ("scheduled", "open") and now < CLOSES, case
        # ... whose opening moves only while ahead, in a round that can move it, to the future
        if new_opens != OPENS:
            assert phase == "scheduled" and now < OPENS and movable and new_opens > now, case
        # ... and a closing in the future, after the opening, within the programme
        assert now < new_closes <= END and new_opens < new_closes, case


def test_every_refusal_is_reached():
    reasons = {refusal(phase=phase, now=now, opening_movable=movable, new_opens_at=new_opens,
                       new_closes_at=new_closes)
               for phase, now, movable, new_opens, new_closes in CASES}
    assert {r.split(" / ")[1] if r else None for r in reasons} == {
        None, "the window is unchanged", "the round has closed",
        "the round is open; its opening cannot move",
        "this round started before its opening could move", "the opening must lie in the future",
        "the closing must lie in the future", "closing outside the programme"}


@pytest.mark.parametrize("phase", ["scheduled", "open"])
def test_a_round_past_its_opening_keeps_it_though_its_run_has_not_yet_woken(phase):
    # the timer of the opening fires a moment after it; a move in that moment finds the
    # round "scheduled" still, and open by its clock
    assert refusal(phase=phase, now=OPENS + SECOND, opening_movable=True,
                   new_opens_at=OPENS - DAY, new_closes_at=CLOSES) == (
        "De ronde is al open; de opening ligt vast / the round is open; its opening cannot "
        "move")


@pytest.mark.parametrize("phase", ["open", "closed"])
def test_a_round_past_its_closing_stays_closed_though_its_run_has_not_yet_woken(phase):
    assert refusal(phase=phase, now=CLOSES + SECOND, opening_movable=True, new_opens_at=OPENS,
                   new_closes_at=CLOSES + 7 * DAY) == (
        "De ronde is gesloten / the round has closed")


def test_a_round_ahead_of_its_opening_takes_a_new_window():
    assert refusal(phase="scheduled", now=OPENS - DAY, opening_movable=True,
                   new_opens_at=OPENS + 7 * DAY, new_closes_at=CLOSES + 7 * DAY) is None
    # and an open round a later closing, its opening as it was
    assert refusal(phase="open", now=OPENS + DAY, opening_movable=True, new_opens_at=OPENS,
                   new_closes_at=CLOSES + DAY) is None
