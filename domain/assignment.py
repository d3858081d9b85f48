"""Assigning assessors: who may not assess an application, and a proposal of whom to assign."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable, Mapping, Sequence


def in_conflict(assessor_organisation_id: int | None, lead_organisation_id: int | None,
                partner_organisation_ids: Iterable[int]) -> bool:
    """Whether an assessor belongs to the application's lead organisation or one of its
    partners, and so may not assess it (belangenverstrengeling)."""
    return assessor_organisation_id in {lead_organisation_id, *partner_organisation_ids}


def away(away_until: date | None, today: date) -> bool:
    """Whether an assessor whose last day away is `away_until` (None: not away) is away
    `today`: the proposal passes them over; the team may still choose them."""
    return away_until is not None and away_until >= today


@dataclass(frozen=True)
class Open:
    """An application to propose assessors for: whom it has now (kept), who may assess it (in
    the order ties are settled in: the pool's, by name), and what it is about (its pillars and
    target groups, the scheme file's keys)."""

    reference: str
    assigned: Sequence[int]
    eligible: Sequence[int]
    topics: frozenset[str] = frozenset()


def propose(applications: Iterable[Open], per_application: int, to_score: Mapping[int, int],
            expertise: Mapping[int, frozenset[str]] | None = None) -> dict[str, list[int]]:
    """For each application with fewer than `per_application` assessors: those it has, and
    after them, of its eligible assessors, first those whose expertise (`expertise`: the
    pillars and target groups each knows, as the team recorded them) shares a topic with it,
    and among those whoever has the least to score (`to_score`: what each has still to score,
    as the workload table counts it), counting what this proposal gives them, in order; a tie
    goes to the first eligible. An application with too few eligible gets what there is.
    Those it has stay, also when they are no longer eligible: the team chose them. A proposal
    only: nothing is assigned until the team saves it."""
    load = dict(to_score)
    known = expertise or {}
    proposal: dict[str, list[int]] = {}
    for app in applications:
        chosen = list(app.assigned)
        if len(chosen) >= per_application:
            continue
        order = {person: n for n, person in enumerate(app.eligible)}
        for person in sorted((p for p in order if p not in chosen), key=lambda p: (
                not known.get(p, frozenset()) & app.topics, load.get(p, 0), order[p]))[
                    :per_application - len(chosen)]:
            chosen.append(person)
            load[person] = load.get(person, 0) + 1
        proposal[app.reference] = chosen
    return proposal
