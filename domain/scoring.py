"""Scoring under the Bijlage 2 rubric: combine assessors' scores into one verdict per application."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from domain.scheme import CRITERIA, Rubric


class Verdict(BaseModel):
    model_config = ConfigDict(frozen=True)
    averages: dict[str, float]
    total: float
    activities_sufficient: bool
    fundable: bool
    divergent: tuple[str, ...]  # criteria on which assessors differ by the rubric's divergence


def combine_scores(submissions: list, rubric: Rubric) -> Verdict:
    """The combined verdict of all assessors' submissions (domain.types.ScoreSubmission)."""
    if not submissions:
        raise ValueError("no scores to combine")
    averages: dict[str, float] = {}
    divergent: list[str] = []
    for criterion in CRITERIA:
        scores = [getattr(s, criterion).score for s in submissions]
        averages[criterion] = round(sum(scores) / len(scores), rubric.decimals)
        if max(scores) - min(scores) >= rubric.divergence:
            divergent.append(criterion)
    sufficient = all(
        j.description_sufficient and j.budget_sufficient for s in submissions for j in s.activities
    )
    fundable = sufficient and all(avg >= rubric.minimum_average for avg in averages.values())
    return Verdict(
        averages=averages,
        total=round(sum(avg * rubric.weights.get(c, 1.0) for c, avg in averages.items()),
                    rubric.decimals),
        activities_sufficient=sufficient,
        fundable=fundable,
        divergent=tuple(divergent),
    )


def agreed_verdict(verdict: Verdict, agreed: dict[str, int], rubric: Rubric) -> Verdict:
    """The verdict after consensus: the agreed score replaces each criterion's average."""
    averages = {c: float(agreed[c]) for c in CRITERIA}
    return Verdict(
        averages=averages,
        total=round(sum(v * rubric.weights.get(c, 1.0) for c, v in averages.items()),
                    rubric.decimals),
        activities_sufficient=verdict.activities_sufficient,
        fundable=verdict.activities_sufficient and all(
            v >= rubric.minimum_average for v in averages.values()),
        divergent=(),
    )
