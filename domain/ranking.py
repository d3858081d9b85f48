"""Ranking and allocation of a round: who is funded, in which order, and why.

Pure and deterministic: the same candidates and budget always give the same allocation, and
every application carries its explanation ("funded at rank 7, € 412.000 left after it").
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from domain.money import euros, split_evenly
from domain.scheme import Rubric
from domain.scoring import Verdict


class Candidate(BaseModel):
    """A scored application of a round, as the allocation sees it."""

    model_config = ConfigDict(frozen=True)
    reference: str
    requested_cents: int
    verdict: Verdict
    organisation: str
    organisation_type: str
    pillars: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()
    submitted_at: datetime


class Outcome(StrEnum):
    FUNDED = "funded"
    BUDGET_EXHAUSTED = "budget_exhausted"  # fundable, ranked, but the money did not reach it
    NOT_FUNDABLE = "not_fundable"  # under the rubric's threshold


class Allocation(BaseModel):
    model_config = ConfigDict(frozen=True)
    reference: str
    rank: int | None  # among fundable applications
    outcome: Outcome
    amount_cents: int
    left_after_cents: int  # the round's budget left after this application's turn
    nl: str
    en: str
    changed_by_team: str | None = None  # the team's recorded reason, if it changed this line


def _sort_key(c: Candidate, rubric: Rubric) -> tuple:
    key: list = [-c.verdict.total]
    for rule in rubric.tie_breaks:
        if rule == "requested":
            key.append(c.requested_cents)
        elif rule == "submitted":
            key.append(c.submitted_at)
        else:
            key.append(-c.verdict.averages.get(rule, 0.0))
    return (*key, c.reference)


def rank_applications(candidates: list[Candidate], rubric: Rubric) -> list[Candidate]:
    """Fundable applications, best first, by weighted total and the rubric's tie-breaks."""
    fundable = [c for c in candidates if c.verdict.fundable]
    return sorted(fundable, key=lambda c: _sort_key(c, rubric))


def allocate(candidates: list[Candidate], budget_cents: int, rubric: Rubric) -> list[Allocation]:
    """Fund the ranked applications in order while the budget lasts (the rubric's `cut` says
    whether a request that does not fit is skipped or ends the funding)."""
    left = budget_cents
    out: list[Allocation] = []
    stopped = False
    for rank, c in enumerate(rank_applications(candidates, rubric), start=1):
        if not stopped and c.requested_cents <= left:
            left -= c.requested_cents
            out.append(Allocation(
                reference=c.reference, rank=rank, outcome=Outcome.FUNDED,
                amount_cents=c.requested_cents, left_after_cents=left,
                nl=f"gefinancierd op rang {rank}, {euros(left)} over na deze aanvraag",
                en=f"funded at rank {rank}, {euros(left)} left after it"))
        else:
            stopped = stopped or rubric.cut == "stop"
            out.append(Allocation(
                reference=c.reference, rank=rank, outcome=Outcome.BUDGET_EXHAUSTED,
                amount_cents=0, left_after_cents=left,
                nl=f"niet gefinancierd: rang {rank}, {euros(left)} over, "
                   f"{euros(c.requested_cents)} gevraagd",
                en=f"not funded: rank {rank}, {euros(left)} left, "
                   f"{euros(c.requested_cents)} asked"))
    for c in sorted((c for c in candidates if not c.verdict.fundable),
                    key=lambda c: _sort_key(c, rubric)):
        out.append(Allocation(
            reference=c.reference, rank=None, outcome=Outcome.NOT_FUNDABLE, amount_cents=0,
            left_after_cents=left,
            nl=f"niet financierbaar: totaal {c.verdict.total}, niet elk criterium gemiddeld "
               f"{rubric.minimum_average} of hoger, of een activiteit onvoldoende",
            en=f"not fundable: total {c.verdict.total}, not every criterion averaging "
               f"{rubric.minimum_average} or more, or an activity insufficient"))
    return out


class Change(BaseModel):
    """The team's change to a proposed line, always with its reason."""

    model_config = ConfigDict(frozen=True)
    reference: str
    amount_cents: int  # 0: not funded
    reason: str


class OverBudget(ValueError):
    pass


def check_requests(candidates: list[Candidate], changes: list[Change]) -> None:
    """Refuse changes that fund an application more than it asked, or less than nothing: the
    grant itself would refuse such an award, after the round had confirmed it."""
    asked = {c.reference: c.requested_cents for c in candidates}
    wrong = [(c, asked[c.reference]) for c in changes
             if c.reference in asked and not 0 <= c.amount_cents <= asked[c.reference]]
    if wrong:
        raise ValueError("; ".join(
            f"{c.reference}: {euros(c.amount_cents)} ligt niet tussen € 0 en de aangevraagde "
            f"{euros(limit)} / {euros(c.amount_cents)} is not between € 0 and the "
            f"{euros(limit)} asked" for c, limit in wrong))


def apply_changes(proposal: list[Allocation], changes: list[Change],
                  budget_cents: int) -> list[Allocation]:
    """The proposal with the team's changes; refused if it would commit more than the budget."""
    by_ref = {c.reference: c for c in changes}
    unknown = set(by_ref) - {a.reference for a in proposal}
    if unknown:
        raise ValueError(f"unknown applications: {sorted(unknown)}")
    if any(not c.reason.strip() for c in changes):
        raise ValueError("Elke wijziging heeft een reden nodig / every change needs a reason")
    result = []
    for a in proposal:
        change = by_ref.get(a.reference)
        if change is None:
            result.append(a)
            continue
        funded = change.amount_cents > 0
        result.append(a.model_copy(update={
            "outcome": Outcome.FUNDED if funded else (
                Outcome.NOT_FUNDABLE if a.outcome == Outcome.NOT_FUNDABLE
                else Outcome.BUDGET_EXHAUSTED),
            "amount_cents": change.amount_cents, "changed_by_team": change.reason,
            "nl": f"{a.nl}; gewijzigd door het programmateam: {change.reason}",
            "en": f"{a.en}; changed by the programme team: {change.reason}"}))
    total = sum(a.amount_cents for a in result)
    if total > budget_cents:
        raise OverBudget(f"De toewijzing ({euros(total)}) is meer dan het budget "
                         f"({euros(budget_cents)}) / the allocation ({euros(total)}) exceeds "
                         f"the budget ({euros(budget_cents)})")
    return result


def distribution(candidates: list[Candidate], allocations: list[Allocation],
                 names: dict[str, str]) -> dict[str, list[tuple[str, int, int, int]]]:
    """Per dimension, per value (by its name in `names` where it has one): applications, funded
    applications, money funded. Money for an application with several pillars or target groups
    is split evenly over them."""
    funded = {a.reference: a.amount_cents for a in allocations if a.outcome == Outcome.FUNDED}
    tables: dict[str, dict[str, list[int]]] = {
        "organisation_type": {}, "organisation": {}, "pillar": {}, "target_group": {}}

    def count(dimension: str, key: str, share: int, is_funded: bool) -> None:
        row = tables[dimension].setdefault(key, [0, 0, 0])
        row[0] += 1
        row[1] += int(is_funded)
        row[2] += share

    for c in candidates:
        amount = funded.get(c.reference, 0)
        is_funded = c.reference in funded
        count("organisation_type", names.get(c.organisation_type, c.organisation_type), amount,
              is_funded)
        count("organisation", c.organisation, amount, is_funded)
        for dimension, keys in (("pillar", c.pillars), ("target_group", c.target_groups)):
            for key, share in zip(keys, split_evenly(amount, len(keys))):
                count(dimension, names.get(key, key), share, is_funded)
    return {dim: sorted(((k, *v) for k, v in rows.items()), key=lambda r: (-r[3], r[0]))
            for dim, rows in tables.items()}
