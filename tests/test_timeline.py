"""The timeline auditors read of a round's and a ledger's history, from recorded histories: who
submitted, what each grant reported to its round, who confirmed the allocation with which
changes, who set each commitment, and where a run went on."""

from __future__ import annotations

import json
from pathlib import Path

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHistory

from activities.mail import ASSIGNED
from api.history import describe, timeline
from api.i18n import MAIL_NAMES

ROOT = Path(__file__).parent.parent
HISTORIES = ROOT / "tests" / "histories"


def _timeline(name: str, lang: str = "en"):
    return timeline(WorkflowHistory.from_json(name, (HISTORIES / name).read_text()), lang)


def test_a_rounds_timeline_names_submissions_verdicts_and_the_confirmation():
    lines = _timeline("round_allocation_v1.json")
    assert lines[0].details == "RoundWorkflow started for round 2027"
    submitted = [line for line in lines
                 if line.details.startswith("application submitted (submit): ")]
    assert len(submitted) == 30 and all(line.who.endswith("(Grantee)") for line in submitted)
    scored = [line for line in lines if line.kind == "WORKFLOW_EXECUTION_SIGNALED"]
    assert len(scored) == 30
    assert all(line.details.startswith("verdict told to the round (grant_scored): ")
               and "total: " in line.details for line in scored)
    confirmed = next(line for line in lines
                     if line.details.startswith("allocation confirmed (confirm_allocation)"))
    assert confirmed.who == "Team (Programme team)"
    assert "Activiteit 2 overlapt met een lopend project." in confirmed.details
    assert lines[-1].details == "completed: Decided (decided)"
    dutch = _timeline("round_allocation_v1.json", "nl")  # the auditor reads it in Dutch
    assert dutch[0].details == "RoundWorkflow gestart voor ronde 2027"
    assert next(line.who for line in dutch if line.details.startswith(
        "verdeling bevestigd (confirm_allocation)")) == "Team (Programmateam)"
    assert dutch[-1].details == "afgerond: Besloten (decided)"


def test_each_updates_answer_is_shown_after_it_and_a_failure_with_its_reason():
    """What the workflow answered to an Update it took: the reference a submission got, nothing
    more for an answer of None, and the reason for one that failed in its handler."""
    lines = _timeline("round_short_runs_v1.json")
    answers = [line for line in lines if line.kind == "WORKFLOW_EXECUTION_UPDATE_COMPLETED"]
    assert len(answers) == 10
    assert sorted(line.details for line in answers) == [
        f"answered: SV2027-{n:04d}" for n in range(1, 11)]
    grant = _timeline("grant_lifecycle_v3.json", "nl")
    assert {line.details for line in grant
            if line.kind == "WORKFLOW_EXECUTION_UPDATE_COMPLETED"} == {"beantwoord"}
    failed = HistoryEvent(event_id=9, event_type=(
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED))
    failed.workflow_execution_update_completed_event_attributes.outcome.failure.message = (
        "Er is nog € 0,00 over in ronde 2027")
    assert describe(failed, "nl").details == "mislukt: Er is nog € 0,00 over in ronde 2027"
    assert describe(failed, "en").details == "failed: Er is nog € 0,00 over in ronde 2027"


def test_a_ledger_runs_timeline_names_each_commitment_and_the_run_it_went_on_in():
    lines = _timeline("ledger_short_runs_v1.json")
    assert lines[0].details == "LedgerWorkflow started"
    committed = [line for line in lines
                 if line.details.startswith("commitment set (set_commitment): ")]
    assert committed and all(line.who == "Team (Programme team)" for line in committed)
    assert "reference: SV-0 · " in committed[0].details
    assert lines[-1].kind == "WORKFLOW_EXECUTION_CONTINUED_AS_NEW"
    assert lines[-1].details.startswith("continued as new in run ")


def test_what_a_person_sent_reads_field_by_field_in_the_auditors_language():
    """An Update's input as the auditor reads it: each field by its name, amounts in euros, yes
    or no, fields left empty left out; Temporal's names beside Regie's, the raw JSON being in
    the download."""
    grant = _timeline("grant_lifecycle_v3.json", "nl")
    decided = next(line for line in grant if "(decide)" in line.details)
    assert decided.details == ("besluit (decide): toekennen: ja · bedrag: € 86.000,00 · "
                               "motivering: Rang 3 van 30.")
    reviewed = next(line for line in grant if "(review_report)" in line.details)
    assert reviewed.details == (  # no comment nor new due date given; counted from 1
        "rapportage beoordeeld (review_report): rapportage nr.: 1 · aanvaard: ja")
    scored = next(line for line in grant if "(submit_score)" in line.details)
    assert scored.details.startswith("score ingediend (submit_score): ambitie: (score: 4, "
                                     "motivering: Helder en haalbaar.) · impact: ")
    assert "omschrijving toereikend: ja, begroting toereikend: ja" in scored.details
    assert {"fase: Wacht op besluit (decision)", "afgerond: Afgerond en gearchiveerd (archived)",
            "vastgelegd: fase Afgerond en gearchiveerd (archived), Subsidie vaststellen (settle)",
            "timer vervallen"} <= {line.details for line in grant}
    assert any(line.details.startswith("codewijziging ") for line in grant)  # patch markers
    # a mail by what it tells, its template beside it, to whom in the auditor's words (it read
    # "aan applicant", and the template's key alone)
    assert {"e-mail ontvangstbevestiging (submission_received) aan de aanvrager",
            "e-mail beoordeling toegewezen (assessment_assigned) aan de beoordelaars",
            "e-mail rapportage ontvangen (report_submitted) aan het programmateam"} <= {
        line.details for line in grant}
    assert "e-mail acknowledgement of receipt (submission_received) to the applicant" in {
        line.details for line in _timeline("grant_lifecycle_v3.json", "en")}
    # activities by name too, a letter by its grant and kind (its text is on the grant's page)
    letters = [line.details for line in grant if "(issue_letter)" in line.details]
    assert letters[0] == ("brief opgesteld (issue_letter): kenmerk: SV2026-0001 · soort: "
                          "Toekenningsbesluit (award)")
    assert any(line.details.startswith("budget vastgelegd (commit_budget): kenmerk: ")
               for line in grant)
    # moments to the minute, as the timeline's column writes them; a round's local closing
    # without UTC
    assert "timer gezet, loopt af op 22-12-2026 16:30 UTC" in {line.details for line in grant}
    moved = next(line for line in _timeline("round_moved_window_v1.json", "nl")
                 if "(move_window)" in line.details)
    assert "opent: 25-01-2027 08:00 UTC · sluit: 25-02-2027 12:00 UTC · sluit (Nederlandse " \
        "tijd): 25-02-2027 13:00 · " in moved.details
    refused = _timeline("grant_objection_upheld_v1.json", "en")
    assert next(line.details for line in refused if "(decide)" in line.details).startswith(
        "decision (decide): award: no · amount: € 0,00 · reason: niet gefinancierd: rang 18")
    # the ledger's ceilings by round, and a long answer cut off where it is cut off
    ledger = _timeline("ledger_budgets_v1.json", "en")
    budgets = next(line for line in ledger if "(set_budgets)" in line.details)
    assert "ceilings by round: 2025: € 6.000.000,00, 2026: € 5.000.000,00" in budgets.details
    proposal = next(line for line in _timeline("round_allocation_v1.json", "nl")
                    if line.details.startswith("beantwoord: (kenmerk: "))
    assert len(proposal.details) == 600 and proposal.details.endswith("…")
    assert "toelichting: gefinancierd op rang 1" in proposal.details
    assert "funded at rank" not in proposal.details  # the other language's text left out
    # codes by their names, with the code beside them
    assert "uitkomst: Gefinancierd (funded)" in proposal.details
    change = next(line for line in _timeline("grant_change_settlement_v1.json", "en")
                  if "(request_change)" in line.details)
    assert "kind: Extension (extension)" in change.details
    assert "new end date: 15-12-2027" in change.details  # a day as the pages write one
    told = {line.details for line in _timeline("round_window_told_v1.json", "en")}
    assert any("phase: Open (open)" in details for details in told)


def test_a_code_without_a_name_is_shown_as_recorded():
    event = HistoryEvent(event_id=5, event_type=EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
    attrs = event.activity_task_scheduled_event_attributes
    attrs.activity_type.name = "issue_letter"
    attrs.input.payloads.add(data=json.dumps({"reference": "SV2027-0001",
                                              "kind": "reminder_letter"}).encode())
    assert describe(event, "nl").details == (
        "brief opgesteld (issue_letter): kenmerk: SV2027-0001 · soort: reminder_letter")


def test_a_value_that_only_looks_like_a_moment_is_shown_as_it_was_given():
    event = HistoryEvent(event_id=5, event_type=(
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED))
    request = event.workflow_execution_update_accepted_event_attributes.accepted_request
    request.input.name = "move_deadline"
    request.input.args.payloads.add(data=json.dumps({
        "deadline": "2027-01-01T25:00", "reason": "2027-01-02T17:09:54.092052Z",
        "note": "2027-02-30"}).encode())
    assert describe(event, "en").details == (
        "deadline moved (move_deadline): deadline: 2027-01-01T25:00 · reason: 02-01-2027 17:09 "
        "UTC · note: 2027-02-30")


def test_every_mail_has_a_name_in_both_languages():
    """Each template of templates/email, and the assignment held for a digest, has its words
    for the timeline: a mail added without them would show its key alone."""
    templates = {path.stem for path in (ROOT / "templates" / "email").glob("*.txt")}
    assert set(MAIL_NAMES) == templates | {ASSIGNED}
    assert all(name.nl and name.en and name.nl != name.en for name in MAIL_NAMES.values())


def test_a_rounds_timeline_names_who_confirmed_who_sent_back_and_who_approved():
    lines = _timeline("round_second_approval_v1.json")
    named = [(line.details.split(" (")[0], line.who) for line in lines
             if line.details.startswith(("allocation confirmed", "allocation sent back",
                                         "allocation approved"))]
    assert named == [("allocation confirmed", "Team (Programme team)"),
                     ("allocation sent back", "Tweede (Programme team)"),
                     ("allocation confirmed", "Team (Programme team)"),
                     ("allocation approved", "Tweede (Programme team)")]
    back = next(line for line in lines if line.details.startswith("allocation sent back"))
    assert "Eerst de spreiding over de pijlers bekijken." in back.details
