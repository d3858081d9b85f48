"""Every eligibility rule at its boundaries (pure: no servers)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from domain.eligibility import (
    TOPICS, ActivityFacts, ApplicationFacts, BudgetLine, PartnerFacts, blocks_submission,
    check_eligibility, name_findings,
)
from domain.types import Severity
from tests.factories import words

ROUND = "2026"
OPENS = datetime(2026, 3, 16, 8, 0, tzinfo=timezone.utc)  # 09:00 in Amsterdam (CET)
CLOSES = datetime(2026, 4, 16, 11, 0, tzinfo=timezone.utc)  # 13:00 in Amsterdam (CEST)


@pytest.fixture
def scheme(published_scheme):
    """These rules take no clock: they are checked against the scheme file as shipped."""
    return published_scheme


def activity(**changes) -> ActivityFacts:
    base = dict(title="Training", goal=words(20), monitoring=words(20), description=words(100),
                who_does_what=words(10), start=date(2026, 9, 1), end=date(2027, 6, 30),
                lines=(BudgetLine(kind="hours", rate_key="medewerker", hours=200,
                                  amount_cents=15_000_00),
                       BudgetLine(kind="cost", description="Locatie", amount_cents=5_000_00)),
                budget_cents=20_000_00)
    return ActivityFacts(**(base | changes))


def application(**changes) -> ApplicationFacts:
    base = dict(organisation_type="wo", has_funding_evidence=False,
                sections={"ambitie": words(500), "impact": words(500),
                          "verankering": words(500)},
                pillars=("omgangscultuur",), target_groups=("studenten",),
                activities=(activity(), activity(title="Evaluatie")),
                requested_cents=40_000_00, submitted_at=OPENS + timedelta(days=3))
    return ApplicationFacts(**(base | changes))


def codes(scheme, app: ApplicationFacts) -> list[str]:
    return [f.code for f in check_eligibility(app, scheme, scheme.round(ROUND))]


def test_a_complete_application_has_no_findings(scheme):
    assert codes(scheme, application()) == []


@pytest.mark.parametrize("n, expected", [(800, []), (801, ["section_too_long:ambitie"])])
def test_section_word_limit(scheme, n, expected):
    sections = {"ambitie": words(n), "impact": words(1), "verankering": words(1)}
    assert codes(scheme, application(sections=sections)) == expected


def test_a_missing_section_is_named(scheme):
    findings = check_eligibility(application(sections={"ambitie": words(10), "impact": "  "}),
                                 scheme, scheme.round(ROUND))
    assert [(f.code, f.field) for f in findings] == [
        ("section_missing:impact", "sections.impact"),
        ("section_missing:verankering", "sections.verankering")]
    assert "Impact ontbreekt" in findings[0].nl and "Impact is missing" in findings[0].en


@pytest.mark.parametrize("n, expected", [(400, []), (401, ["activity_too_long:1"])])
def test_activity_word_limit_counts_all_its_text(scheme, n, expected):
    act = activity(goal=words(n - 150), monitoring=words(50), description=words(90),
                   who_does_what=words(10))
    assert codes(scheme, application(activities=(act, activity()))) == expected


@pytest.mark.parametrize("end, expected", [
    (date(2027, 12, 31), []), (date(2028, 1, 1), ["activity_after_end:2"])])
def test_every_activity_ends_by_the_end_of_2027(scheme, end, expected):
    assert codes(scheme, application(activities=(activity(), activity(end=end)))) == expected


def test_an_activity_without_dates_or_ending_before_it_starts(scheme):
    acts = (activity(start=None), activity(end=date(2026, 8, 31)))
    assert codes(scheme, application(activities=acts)) == [
        "activity_dates_missing:1", "activity_dates:2"]


def test_budget_off_by_one_cent(scheme):
    off = activity(budget_cents=20_000_01)  # the lines add up to one cent less
    assert codes(scheme, application(activities=(off, activity()), requested_cents=40_000_01)) \
        == ["activity_total:1"]
    assert codes(scheme, application(requested_cents=40_000_01)) == ["budget_total"]
    assert codes(scheme, application(requested_cents=39_999_99)) == ["budget_total"]


def test_hours_are_priced_at_the_rounds_rates(scheme):
    wrong = activity(lines=(BudgetLine(kind="hours", rate_key="medewerker", hours=200,
                                       amount_cents=15_000_01),
                            BudgetLine(kind="cost", amount_cents=4_999_99)))
    unknown = activity(lines=(BudgetLine(kind="hours", rate_key="schaal-10", hours=10,
                                         amount_cents=820_00),
                              BudgetLine(kind="cost", amount_cents=19_180_00)))
    assert codes(scheme, application(activities=(wrong, unknown))) == [
        "wrong_rate:1.1", "unknown_rate:2.1"]
    # the same HOT scale is a valid rate in 2025, the round it belongs to
    hot = check_eligibility(application(activities=(unknown, activity(
        lines=(BudgetLine(kind="cost", amount_cents=20_000_00),))),
        submitted_at=datetime(2025, 6, 10, 10, 0, tzinfo=timezone.utc)), scheme,
        scheme.round("2025"))
    assert hot == []


@pytest.mark.parametrize("requested, ok", [
    (5_000_00, True), (4_999_99, False), (500_000_00, True), (500_000_01, False)])
def test_amount_within_limits(scheme, requested, ok):
    act = activity(lines=(BudgetLine(kind="cost", amount_cents=requested),),
                   budget_cents=requested)
    result = codes(scheme, application(activities=(act,), requested_cents=requested))
    assert result == ([] if ok else ["amount_limits"])


@pytest.mark.parametrize("moment, ok", [
    (OPENS - timedelta(seconds=1), False), (OPENS, True),
    (CLOSES - timedelta(seconds=1), True), (CLOSES, False)])
def test_round_window_to_the_second(scheme, moment, ok):
    findings = check_eligibility(application(submitted_at=moment), scheme, scheme.round(ROUND))
    assert [f.code for f in findings] == ([] if ok else ["round_closed"])
    assert all(f.severity == Severity.FATAL for f in findings)


def test_organisation_types_and_evidence(scheme):
    fatal = check_eligibility(application(organisation_type="company"), scheme,
                              scheme.round(ROUND))
    assert [(f.code, f.severity) for f in fatal] == [("organisation_type", Severity.FATAL)]
    evidence = check_eligibility(application(organisation_type="student_org"), scheme,
                                 scheme.round(ROUND))
    assert [(f.code, f.severity) for f in evidence] == [("funding_evidence", Severity.FIXABLE)]
    assert not blocks_submission(evidence[0])  # a document: it becomes a correction request
    assert codes(scheme, application(organisation_type="student_org",
                                     has_funding_evidence=True)) == []


def test_partners_must_be_eligible_types_not_contractors(scheme):
    partners = (PartnerFacts(name="Adviesbureau B.V.", organisation_type="company",
                             has_funding_evidence=False),
                PartnerFacts(name="FNV", organisation_type="employee_org",
                             has_funding_evidence=False),
                PartnerFacts(name="HU", organisation_type="hbo", has_funding_evidence=False))
    findings = check_eligibility(application(partners=partners), scheme, scheme.round(ROUND))
    assert [(f.code, f.field) for f in findings] == [
        ("partner_type:0", "partners[0]"), ("partner_funding_evidence:1", "partners[1]")]
    assert "ingehuurde partij hoort in de begroting" in findings[0].nl


def test_choices_at_least_one_pillar_and_target_group_and_only_known_ones(scheme):
    assert codes(scheme, application(pillars=(), target_groups=())) == [
        "no_pillars", "no_target_groups"]
    assert codes(scheme, application(marginalised_groups=("iedereen",))) == [
        "unknown_choice:iedereen"]


def test_every_finding_has_both_languages_and_a_field(scheme):
    messy = application(organisation_type="student_org", sections={}, pillars=(),
                        activities=(activity(end=date(2028, 1, 1), budget_cents=1),),
                        requested_cents=1)
    findings = check_eligibility(messy, scheme, scheme.round(ROUND))
    assert len(findings) >= 6
    assert all(f.nl and f.en and f.nl != f.en and f.field for f in findings)


def test_every_kind_of_finding_is_named_for_the_timeline(scheme):
    """Between them these applications break every rule: each kind of code has a name, and
    every name is of a kind the rules produce."""
    bad_partner = PartnerFacts(name="Adviesbureau B.V.", organisation_type="company",
                               has_funding_evidence=False)
    fnv = PartnerFacts(name="FNV", organisation_type="employee_org", has_funding_evidence=False)
    unpriced = BudgetLine(kind="hours", rate_key="schaal-10", hours=10, amount_cents=820_00)
    mispriced = BudgetLine(kind="hours", rate_key="medewerker", hours=200, amount_cents=1)
    broken = [
        application(organisation_type="company", submitted_at=OPENS - timedelta(days=1)),
        application(organisation_type="student_org", partners=(bad_partner, fnv),
                    sections={"ambitie": words(900)}, pillars=(), target_groups=(),
                    marginalised_groups=("iedereen",), requested_cents=1),
        application(activities=()),
        application(activities=(
            activity(goal="", description=words(2000), start=None),
            activity(start=date(2027, 6, 1), end=date(2027, 1, 1), lines=(unpriced,)),
            activity(end=date(2028, 1, 1), lines=(mispriced,), budget_cents=1))),
    ]
    kinds = {f.code.partition(":")[0] for app in broken
             for f in check_eligibility(app, scheme, scheme.round(ROUND))}
    assert kinds == set(TOPICS)
    assert name_findings("funding_evidence, section_too_long:ambitie, activity_total:2",
                         "nl") == ("Bewijs van financiering, Onderdeel te lang (ambitie), "
                                   "Regels van een activiteit tellen niet op")
    assert name_findings("funding_evidence", "en") == "Evidence of funding"
    assert name_findings("retired_rule:1", "nl") == "retired_rule"  # recorded, since removed
