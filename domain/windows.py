"""When a round's window may move (RoundWorkflow.move_window, from the scheme file).

The round's own clock decides, as it decides a submission: a timer fires, and the round's run
wakes, a moment after the time it was set for (the server counts a timer from when it took the
command), and while a worker is away, longer. A move that arrives in that moment must not find
a round that has opened still movable, nor a round that has closed still open.
"""

from __future__ import annotations

from datetime import datetime

from domain.lifecycle import NotAllowed


def check_window_move(*, phase: str, opens_at: datetime, closes_at: datetime,
                      opening_movable: bool, now: datetime, new_opens_at: datetime,
                      new_closes_at: datetime, programme_end: datetime) -> None:
    """NotAllowed, with the reason, unless the round with `phase` and window
    (`opens_at`, `closes_at`) may take the window (`new_opens_at`, `new_closes_at`) at `now`.
    Its opening moves only before it, and in a round started since openings could move
    (`opening_movable`); its closing only before it; the new window lies within the
    programme."""
    if (new_opens_at, new_closes_at) == (opens_at, closes_at):
        raise NotAllowed("Het venster is ongewijzigd / the window is unchanged")
    if phase not in ("scheduled", "open") or now >= closes_at:
        raise NotAllowed("De ronde is gesloten / the round has closed")
    if new_opens_at != opens_at:
        if phase != "scheduled" or now >= opens_at:
            raise NotAllowed("De ronde is al open; de opening ligt vast / the round is open; "
                             "its opening cannot move")
        if not opening_movable:
            raise NotAllowed("Deze ronde is gestart voordat de opening kon verschuiven / "
                             "this round started before its opening could move")
        if new_opens_at <= now:
            raise NotAllowed("De opening moet in de toekomst liggen / the opening must lie in "
                             "the future")
    if new_closes_at <= now:
        raise NotAllowed("De sluiting moet in de toekomst liggen / the closing must lie in the "
                         "future")
    if new_closes_at <= new_opens_at or new_closes_at > programme_end:
        raise NotAllowed("Sluiting buiten de looptijd / closing outside the programme")
