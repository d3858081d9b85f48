"""The timeline auditors read of a round's and a ledger's history, from recorded histories: who
submitted, what each grant reported to its round, who confirmed the allocation with which
changes, who set each commitment, and where a run went on."""

from __future__ import annotations

from pathlib import Path

from temporalio.client import WorkflowHistory

from api.history import timeline

HISTORIES = Path(__file__).parent / "histories"


def _timeline(name: str, lang: str = "en"):
    return timeline(WorkflowHistory.from_json(name, (HISTORIES / name).read_text()), lang)


def test_a_rounds_timeline_names_submissions_verdicts_and_the_confirmation():
    lines = _timeline("round_allocation_v1.json")
    assert lines[0].details == "RoundWorkflow started for round 2027"
    submitted = [line for line in lines if line.details.startswith("submit: ")]
    assert len(submitted) == 30 and all(line.who.endswith("(Grantee)") for line in submitted)
    scored = [line for line in lines if line.kind == "WORKFLOW_EXECUTION_SIGNALED"]
    assert len(scored) == 30
    assert all(line.details.startswith("grant_scored: ") and '"total": ' in line.details
               for line in scored)
    confirmed = next(line for line in lines if line.details.startswith("confirm_allocation"))
    assert confirmed.who == "Team (Programme team)"
    assert "Activiteit 2 overlapt met een lopend project." in confirmed.details
    assert lines[-1].details == "completed: phase decided"
    dutch = _timeline("round_allocation_v1.json", "nl")  # the auditor reads it in Dutch
    assert dutch[0].details == "RoundWorkflow gestart voor ronde 2027"
    assert next(line.who for line in dutch if line.details.startswith(
        "confirm_allocation")) == "Team (Programmateam)"
    assert dutch[-1].details == "afgerond: phase decided"


def test_a_ledger_runs_timeline_names_each_commitment_and_the_run_it_went_on_in():
    lines = _timeline("ledger_short_runs_v1.json")
    assert lines[0].details == "LedgerWorkflow started"
    committed = [line for line in lines if line.details.startswith("set_commitment: ")]
    assert committed and all(line.who == "Team (Programme team)" for line in committed)
    assert '"reference": "SV-0"' in committed[0].details
    assert lines[-1].kind == "WORKFLOW_EXECUTION_CONTINUED_AS_NEW"
    assert lines[-1].details.startswith("continued as new in run ")
