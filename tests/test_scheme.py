"""The scheme file: the shipped one loads with its exact rounds; a mistake names file and key;
the values it marks as assumptions are listed for the programme to confirm."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from pydantic import ValidationError

from domain.scheme import SchemeError, parse_scheme
from regie import ROOT
from regie.schemes import Assumption, assumptions

SHIPPED = (ROOT / "schemes" / "sociale-veiligheid.toml").read_text()


@pytest.fixture
def scheme(published_scheme):
    """These rules take no clock: they are checked against the scheme file as shipped."""
    return published_scheme


def test_shipped_scheme_has_three_rounds_to_the_minute(scheme):
    assert [r.id for r in scheme.rounds] == ["2025", "2026", "2027"]
    r2027 = scheme.round("2027")
    assert scheme.local_to_utc(r2027.opens) == datetime(2027, 1, 12, 8, 0, tzinfo=timezone.utc)
    assert scheme.local_to_utc(r2027.closes) == datetime(2027, 2, 12, 12, 0, tzinfo=timezone.utc)
    assert scheme.scheme.budget_cents == 16_000_000_00
    assert sum(r.budget_cents for r in scheme.rounds) <= scheme.scheme.budget_cents
    assert set(scheme.rate_tables["roles-2026"].rates) == {
        "projectleider", "senior-medewerker", "medewerker", "ondersteuner"}
    assert len(scheme.content_hash) == 64


def test_applicants_may_start_a_draft_while_a_round_is_open_and_from_drafts_from_before(scheme):
    """The 2027 round takes drafts from 15 December 2026, 09:00 in the Netherlands (08:00 UTC)
    until it closes; a round without drafts_from only while it is open. Every phase the round's
    workflow reports, at the moments around each edge."""
    r2027, r2026 = scheme.round("2027"), scheme.round("2026")
    assert scheme.drafts_from_utc(r2027) == datetime(2026, 12, 15, 8, 0, tzinfo=timezone.utc)
    assert scheme.drafts_from_utc(r2026) == scheme.local_to_utc(r2026.opens)
    edge = scheme.drafts_from_utc(r2027)
    before, at = edge - timedelta(seconds=1), edge
    expected = {  # phase: (a second before drafts_from, at it)
        "scheduled": (False, True), "open": (True, True), "closed": (False, False),
        "assessing": (False, False), "proposed": (False, False), "decided": (False, False)}
    for phase, answers in expected.items():
        assert (scheme.takes_drafts(r2027, phase, before),
                scheme.takes_drafts(r2027, phase, at)) == answers, phase
    opens = scheme.local_to_utc(r2026.opens)
    assert not scheme.takes_drafts(r2026, "scheduled", opens - timedelta(days=30))
    # from the opening itself, though the round's workflow may not have woken to it yet
    assert scheme.takes_drafts(r2026, "scheduled", opens)
    assert scheme.takes_drafts(r2026, "open", opens)


def test_size_bands_as_the_call_lists_them(scheme):
    from domain.scheme import ReportingRules, SizeBand

    short, plain, full = scheme.defaults.reporting.size_bands
    assert scheme.defaults.reporting.band_ranges() == [
        (0, 25_000_00, short), (25_000_00, 125_000_00, plain), (125_000_00, None, full)]
    assert full.content == "activity_and_financial_report" and full.auditor_statement
    one = SizeBand(content="activity_report")
    assert ReportingRules(size_bands=(one,)).band_ranges() == [(0, None, one)]


@pytest.mark.parametrize("bands", [
    ({"below": 10_000, "content": "activity_report"},),  # the last band has an end
    ({"content": "activity_report"}, {"content": "activity_report"}),  # a middle band has none
    ({"below": 50_000, "content": "activity_report"},
     {"below": 10_000, "content": "activity_report"}, {"content": "activity_report"}),
    ({"below": 10_000, "content": "activity_report"},
     {"below": 10_000, "content": "activity_report"}, {"content": "activity_report"}),
    ({"content": "financial_report"},),  # not a report the call can name
])
def test_size_bands_that_cannot_be_are_refused(bands):
    from domain.scheme import ReportingRules

    with pytest.raises(ValidationError):
        ReportingRules.model_validate({"size_bands": bands})


def test_the_call_names_every_report_a_band_can_ask():
    from typing import get_args

    from api.i18n import UI
    from domain.scheme import ReportContent

    for content in get_args(ReportContent):
        name = UI[f"report_content_{content}"]
        assert name.nl and name.en and name.nl != name.en


def test_a_rate_table_names_its_roles_in_both_languages(scheme):
    from domain.scheme import RateTable

    table = scheme.rate_tables["roles-2026"]
    assert table.role("projectleider", "nl") == "Projectleider"
    assert table.role("projectleider", "en") == "Project lead"
    assert RateTable(rates={"x": 1}).role("x", "en") == "x"  # no name: its key
    with pytest.raises(ValidationError, match="names: no rate for y"):
        RateTable(rates={"x": 1}, names={"y": {"nl": "Y", "en": "Y"}})


def test_assumptions_are_marked_in_the_file():
    assert SHIPPED.count("ASSUMPTION") >= 10


@pytest.mark.parametrize("mistake, message", [
    (("budget = 4_000_000", 'budget = "veel"'),
     "sv.toml: rounds[2].budget: 'veel' is not an amount in euros"),
    (('rubric = "bijlage2-2025"', 'rubric = "bijlage3"'),
     "sv.toml: rounds[0].rubric: no rubric 'bijlage3'"),
    (("closes = 2026-04-16T13:00:00", "closes = 2026-03-01T13:00:00"),
     "sv.toml: rounds[1].closes: must be after opens"),
    (("correction_days = 14", "correction_days = 0"),
     "sv.toml: defaults.terms.correction_days: Input should be greater than or equal to 1"),
    (("draft_reminder_days = 3", "draft_reminder_dagen = 3"),
     "sv.toml: defaults.terms.draft_reminder_dagen: Extra inputs are not permitted"),
    (("drafts_from = 2026-12-15T09:00:00", "drafts_from = 2027-01-12T09:01:00"),
     "sv.toml: rounds[2].drafts_from: must not be after opens"),
    (('key = "verankering"', 'key = "borging"'),
     "sv.toml: rubrics.bijlage2-2025: sections: the criteria assessors score are "
     "ambitie, impact, verankering"),
    (("scale_max = 5", "scale_max = 10"),
     "sv.toml: rubrics.bijlage2-2025: scale_min, scale_max: a scale within 1 to 5"),
    (("budget = 16_000_000", "budget = 10_000_000"),
     "sv.toml: rounds: the round budgets add up to more than scheme.budget"),
])
def test_a_mistake_is_refused_with_file_key_and_problem(mistake, message):
    old, new = mistake
    assert old in SHIPPED
    with pytest.raises(SchemeError) as caught:
        parse_scheme(SHIPPED.replace(old, new, 1), "sv.toml")
    assert message in str(caught.value)


def test_broken_toml_names_the_file():
    with pytest.raises(SchemeError, match="^sv.toml: not valid TOML"):
        parse_scheme(SHIPPED + "\n[[rounds]\n", "sv.toml")


def test_every_marked_value_of_the_shipped_scheme_is_listed():
    found = assumptions(SHIPPED)
    marked = [number for number, line in enumerate(SHIPPED.splitlines(), start=1)
              if "# ASSUMPTION" in line and not line.lstrip().startswith("#")]
    assert [a.line for a in found] == marked and len(found) > 20
    by_key = {a.key: a for a in found}
    assert len(by_key) == len(found)
    assert by_key["defaults.terms.assessment_days"] == Assumption(
        marked[6], "defaults.terms.assessment_days", "28", "assessors' term after assignment")
    assert by_key["rounds[0].opens"].why == 'the plan names only "summer 2025"'
    assert by_key["defaults.terms.assessment_reminder_days"].why == ""


def test_assumptions_are_named_as_the_scheme_errors_name_keys():
    text = ('reference_prefix = "SV"  # ASSUMPTION: before any table\n'
            "[scheme]\n"
            'name = "a # b"  # ASSUMPTION: a hash inside a string\n'
            "# ASSUMPTION: a comment of its own names no value\n"
            "[[rounds]]\n"
            'id = "2025"\n'
            "[[rounds]]\n"
            "budget = 5  # ASSUMPTION\n"
            "[rubrics.bijlage2-2026]\n"
            'cut = "skip" #ASSUMPTION:no space\n'
            "weights = { a = 1.0 }\n")
    assert assumptions(text) == [
        Assumption(1, "reference_prefix", '"SV"', "before any table"),
        Assumption(3, "scheme.name", '"a # b"', "a hash inside a string"),
        Assumption(8, "rounds[1].budget", "5", ""),
        Assumption(10, "rubrics.bijlage2-2026.cut", '"skip"', "no space"),
    ]


def test_check_scheme_command(tmp_path: Path):
    bad = tmp_path / "bad.toml"
    bad.write_text(SHIPPED.replace('rate_table = "roles-2026"', 'rate_table = "none"', 1))
    regie = str(Path(sys.executable).parent / "regie")
    result = subprocess.run([regie, "check-scheme", str(bad)], capture_output=True, text=True)
    assert result.returncode == 1
    assert f"{bad}: rounds[1].rate_table: no rate table 'none'" in result.stderr
    ok = subprocess.run([regie, "check-scheme", str(ROOT / "schemes" / "sociale-veiligheid.toml")],
                        capture_output=True, text=True)
    assert ok.returncode == 0 and "3 rounds" in ok.stdout
    assert f"\n{len(assumptions(SHIPPED))} values are marked ASSUMPTION" in ok.stdout
    budget = next(a for a in assumptions(SHIPPED) if a.key == "rounds[2].budget")
    assert (f"  line {budget.line:>4}  rounds[2].budget = 4_000_000  (what remains of €16M)\n"
            in ok.stdout)
    missing = subprocess.run([regie, "check-scheme", str(tmp_path / "geen.toml")],
                             capture_output=True, text=True)
    assert missing.returncode == 1
    assert missing.stderr == f"[Errno 2] No such file or directory: '{tmp_path / 'geen.toml'}'\n"


async def test_workflow_parameters_come_back_unchanged_from_the_data_converter(scheme):
    """Everything a workflow receives from the scheme survives Temporal's data converter as it
    is: no amount converted twice, no field lost."""
    from datetime import date

    from domain.types import GrantParams
    from regie.temporal import DATA_CONVERTER

    rnd = scheme.round("2026")
    params = GrantParams(
        reference="SV2026-0001", application_id=1, round_id="2026", scheme_id="sv",
        scheme_hash="x", organisation_id=1, organisation_type="wo", requested_cents=12_345_67,
        last_activity_end=date(2027, 6, 30),
        projects_end_at=scheme.end_of_day_utc(scheme.scheme.projects_end),
        reporting_closes_at=scheme.end_of_day_utc(scheme.scheme.reporting_closes),
        terms=scheme.terms(rnd), reporting=scheme.reporting(rnd), rubric=scheme.rubrics[rnd.rubric])
    payloads = await DATA_CONVERTER.encode([params])
    [back] = await DATA_CONVERTER.decode(payloads, [GrantParams])
    assert back.model_dump() == params.model_dump()
    # the rubric's published aspects (the call's text) stay out of a grant's parameters
    assert params.rubric.sections[0].aspects.nl and not back.rubric.sections[0].aspects.nl
    assert "aanleiding" not in payloads[0].data.decode() and not back.rubric.budget_aspects.en
    assert back.reporting.band(124_999_99).auditor_statement is False
    assert back.reporting.band(125_000_00).auditor_statement is True
