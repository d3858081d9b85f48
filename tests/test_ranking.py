"""Ranking and allocation: properties over many generated rounds (Hypothesis), and examples."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.ranking import (
    Candidate, Change, Outcome, OverBudget, allocate, apply_changes, check_requests,
    distribution, rank_applications,
)
from domain.scoring import Verdict

START = datetime(2027, 1, 12, 8, 0, tzinfo=timezone.utc)

verdicts = st.builds(
    lambda a, i, v, ok: Verdict(averages={"ambitie": a, "impact": i, "verankering": v},
                                total=round(a + i + v, 2), activities_sufficient=ok,
                                fundable=ok and min(a, i, v) >= 3, divergent=()),
    st.sampled_from([1.0, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0]),
    st.sampled_from([1.0, 2.0, 3.0, 3.5, 4.0, 5.0]),
    st.sampled_from([2.0, 3.0, 4.0, 4.5, 5.0]), st.booleans())


@st.composite
def rounds(draw):
    n = draw(st.integers(0, 30))
    candidates = [Candidate(
        reference=f"SV2027-{i + 1:04d}", requested_cents=draw(st.integers(5_000_00, 500_000_00)),
        verdict=draw(verdicts), organisation=draw(st.sampled_from(["UU", "HR", "PNN", "FNV"])),
        organisation_type=draw(st.sampled_from(["wo", "hbo", "phd_org"])),
        pillars=tuple(draw(st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=3,
                                    unique=True))),
        target_groups=("studenten",),
        submitted_at=START + timedelta(minutes=draw(st.integers(0, 40_000))),
    ) for i in range(n)]
    return candidates, draw(st.integers(0, 4_000_000_00))


@settings(max_examples=120, deadline=None)
@given(rounds())
def test_never_over_budget(scheme, case):
    candidates, budget = case
    rubric = scheme.rubrics["bijlage2-2026"]
    allocation = allocate(candidates, budget, rubric)
    assert sum(a.amount_cents for a in allocation) <= budget
    assert {a.reference for a in allocation} == {c.reference for c in candidates}
    assert all(a.amount_cents == 0 or a.outcome == Outcome.FUNDED for a in allocation)


@settings(max_examples=80, deadline=None)
@given(rounds(), st.randoms())
def test_same_input_same_output_in_any_order(scheme, case, rnd):
    candidates, budget = case
    rubric = scheme.rubrics["bijlage2-2026"]
    shuffled = list(candidates)
    rnd.shuffle(shuffled)
    assert allocate(shuffled, budget, rubric) == allocate(candidates, budget, rubric)


@settings(max_examples=120, deadline=None)
@given(rounds())
def test_a_higher_scoring_application_is_never_passed_over_without_a_recorded_reason(scheme, case):
    candidates, budget = case
    rubric = scheme.rubrics["bijlage2-2026"]
    by_ref = {c.reference: c for c in candidates}
    allocation = {a.reference: a for a in allocate(candidates, budget, rubric)}
    ranked = rank_applications(candidates, rubric)
    for hi_index, higher in enumerate(ranked):
        for lower in ranked[hi_index + 1:]:
            assert higher.verdict.total >= lower.verdict.total
            passed_over = (allocation[lower.reference].outcome == Outcome.FUNDED
                           and allocation[higher.reference].outcome != Outcome.FUNDED)
            if passed_over:  # the recorded reason: the money left did not reach its request
                a = allocation[higher.reference]
                assert a.outcome == Outcome.BUDGET_EXHAUSTED
                assert by_ref[higher.reference].requested_cents > a.left_after_cents
                assert "niet gefinancierd" in a.nl and "not funded" in a.en
    # nothing under the threshold is ever funded by the proposal
    for ref, a in allocation.items():
        if not by_ref[ref].verdict.fundable:
            assert a.outcome == Outcome.NOT_FUNDABLE and a.rank is None


@settings(max_examples=80, deadline=None)
@given(rounds(), st.data())
def test_team_changes_never_exceed_the_budget_and_always_carry_a_reason(scheme, case, data):
    candidates, budget = case
    rubric = scheme.rubrics["bijlage2-2026"]
    proposal = allocate(candidates, budget, rubric)
    if not proposal:
        return
    picked = data.draw(st.lists(st.sampled_from(proposal), max_size=5, unique_by=lambda a: a.reference))
    changes = [Change(reference=a.reference, amount_cents=data.draw(st.integers(0, 600_000_00)),
                      reason="Spreiding over organisaties") for a in picked]
    try:
        changed = apply_changes(proposal, changes, budget)
    except OverBudget:
        assert sum({**{a.reference: a.amount_cents for a in proposal},
                    **{c.reference: c.amount_cents for c in changes}}.values()) > budget
        return
    assert sum(a.amount_cents for a in changed) <= budget
    for a in changed:
        if a.reference in {c.reference for c in changes}:
            assert a.changed_by_team == "Spreiding over organisaties"


@settings(max_examples=80, deadline=None)
@given(rounds(), st.data())
def test_a_change_is_refused_exactly_when_it_funds_beyond_the_request(case, data):
    candidates, _ = case
    if not candidates:
        return
    picked = data.draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=5,
                                unique_by=lambda c: c.reference))
    changes = [Change(reference=c.reference, reason="Begroting bijgesteld",
                      amount_cents=data.draw(st.integers(-1, 600_000_00))) for c in picked]
    beyond = [change for change, c in zip(changes, picked)
              if not 0 <= change.amount_cents <= c.requested_cents]
    try:
        check_requests(candidates, changes)
    except ValueError as exc:
        assert beyond and all(change.reference in str(exc) for change in beyond)
        return
    assert not beyond


def test_a_change_beyond_the_request_names_the_line_and_the_request():
    candidates = [_candidate("SV2027-0001", (4, 4, 4), 120_000_00),
                  _candidate("SV2027-0002", (4, 4, 4), 80_000_00)]
    check_requests(candidates, [Change(reference="SV2027-0001", amount_cents=120_000_00,
                                       reason="in full"),
                                Change(reference="SV2027-0002", amount_cents=0, reason="none")])
    with pytest.raises(ValueError) as refused:
        check_requests(candidates, [Change(reference="SV2027-0001", amount_cents=130_000_00,
                                           reason="meer")])
    assert str(refused.value) == (
        "SV2027-0001: € 130.000,00 ligt niet tussen € 0 en de aangevraagde € 120.000,00 / "
        "€ 130.000,00 is not between € 0 and the € 120.000,00 asked")


def _candidate(ref, total_scores, requested, minutes=0):
    a, i, v = total_scores
    return Candidate(reference=ref, requested_cents=requested, organisation="UU",
                     organisation_type="wo", pillars=("omgangscultuur",),
                     target_groups=("studenten", "promovendi"),
                     submitted_at=START + timedelta(minutes=minutes),
                     verdict=Verdict(averages={"ambitie": a, "impact": i, "verankering": v},
                                     total=a + i + v, activities_sufficient=True,
                                     fundable=min(a, i, v) >= 3, divergent=()))


def test_explanations_name_rank_and_money(scheme):
    rubric = scheme.rubrics["bijlage2-2026"]
    candidates = [_candidate("A", (5, 5, 5), 300_000_00), _candidate("B", (4, 4, 4), 250_000_00),
                  _candidate("C", (4, 4, 3.5), 95_000_00), _candidate("D", (2, 4, 4), 10_000_00)]
    result = {a.reference: a for a in allocate(candidates, 400_000_00, rubric)}
    assert result["A"].nl == "gefinancierd op rang 1, € 100.000,00 over na deze aanvraag"
    assert result["B"].en == "not funded: rank 2, € 100.000,00 left, € 250.000,00 asked"
    assert result["C"].en == "funded at rank 3, € 5.000,00 left after it"
    assert result["D"].outcome == Outcome.NOT_FUNDABLE
    stop = rubric.model_copy(update={"cut": "stop"})
    assert allocate(candidates, 400_000_00, stop)[2].outcome == Outcome.BUDGET_EXHAUSTED


def test_ties_break_on_verankering_then_smaller_request_then_earlier_submission(scheme):
    rubric = scheme.rubrics["bijlage2-2026"]
    tied = [_candidate("late", (4, 4, 4), 50_000_00, minutes=10),
            _candidate("early", (4, 4, 4), 50_000_00, minutes=5),
            _candidate("small", (4, 4, 4), 40_000_00, minutes=99),
            _candidate("anchored", (5, 4, 3), 90_000_00, minutes=50)]
    order = [c.reference for c in rank_applications(tied, rubric)]
    assert order == ["small", "early", "late", "anchored"]


def test_distribution_splits_money_evenly_and_counts_applications(scheme):
    rubric = scheme.rubrics["bijlage2-2026"]
    candidates = [_candidate("A", (5, 5, 5), 100_001, 1), _candidate("B", (2, 2, 2), 50_000, 2)]
    table = distribution(candidates, allocate(candidates, 1_000_000, rubric), {
        "omgangscultuur": "Omgangscultuur", "studenten": "Studenten", "promovendi": "Promovendi",
        "wo": "Universiteit (wo)"})
    assert table["organisation_type"] == [("Universiteit (wo)", 2, 1, 100_001)]
    assert table["target_group"] == [("Studenten", 2, 1, 50_001), ("Promovendi", 2, 1, 50_000)]
