"""Verification of a grant's record: each recorded history replays against the current code,
and its verdict follows again from the recorded scores under the recorded rubric; a history whose
scores were altered, or whose events no longer match the code, is caught."""

from __future__ import annotations

import base64
import contextlib
import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory

from regie.verification import verify_history
from tests.conftest import SDK_CANNOT_REPLAY, web_client

HISTORIES = Path(__file__).parent / "histories"
GRANTS = sorted(HISTORIES.glob("grant_*.json"))


def _history(path: Path, alter=None) -> WorkflowHistory:
    data = json.loads(path.read_text())
    if alter is not None:
        alter(data["events"])
    return WorkflowHistory.from_json(path.stem, json.dumps(data))


@pytest.mark.parametrize("path", [p for p in GRANTS if p.name not in SDK_CANNOT_REPLAY],
                         ids=lambda p: p.name)
async def test_every_recorded_grant_verifies(path: Path):
    verification = await verify_history(_history(path), path.stem)
    assert verification.replays, verification.replay_problem
    assert verification.verdict_matches is not False
    assert verification.trustworthy


@pytest.mark.parametrize("path", [p for p in GRANTS if p.name in SDK_CANNOT_REPLAY],
                         ids=lambda p: p.name)
async def test_a_grant_the_sdk_cannot_replay_is_named(path: Path):
    """What `regie audit verify` says of a grant with a history the SDK cannot replay."""
    verification = await verify_history(_history(path), path.stem)
    assert not verification.replays and not verification.trustworthy
    assert "NIET" in verification.summary()[0]


async def test_scores_and_decision_are_derived_again_under_the_recorded_rubric():
    v = await verify_history(_history(HISTORIES / "grant_objection_upheld_v1.json"), "x")
    assert v.verdict_matches is True
    assert v.derived.total == v.inputs.recorded_verdict.total == 9.5
    assert v.inputs.params.rubric.minimum_average == 3.0  # the rubric as the grant started
    assert v.inputs.decision.uphold and v.inputs.decision.amount_cents == 64_000_00
    assert any("Bezwaar gegrond" in line for line in v.summary())


def _raise_first_score(events) -> None:
    """Someone edits the first assessor's 'ambitie' score in the stored history."""
    for event in events:
        attrs = event.get("workflowExecutionUpdateAcceptedEventAttributes")
        if attrs and attrs["acceptedRequest"]["input"]["name"] == "submit_score":
            payload = attrs["acceptedRequest"]["input"]["args"]["payloads"][0]
            score = json.loads(base64.b64decode(payload["data"]))
            score["ambitie"]["score"] = 1 if score["ambitie"]["score"] > 1 else 5
            payload["data"] = base64.b64encode(json.dumps(score).encode()).decode()
            return
    raise AssertionError("no score in the history")


async def test_an_altered_score_is_caught():
    v = await verify_history(
        _history(HISTORIES / "grant_objection_upheld_v1.json", _raise_first_score), "x")
    assert v.verdict_matches is False and not v.trustworthy
    assert any("wijkt af" in line for line in v.summary())


def _rename_an_activity(events) -> None:
    for event in events:
        attrs = event.get("activityTaskScheduledEventAttributes")
        if attrs and attrs["activityType"]["name"] == "send_mail":
            attrs["activityType"]["name"] = "send_fax"
            return


async def test_a_history_that_no_longer_matches_the_code_is_caught():
    v = await verify_history(
        _history(HISTORIES / "grant_lifecycle_v2.json", _rename_an_activity), "x")
    assert not v.replays and not v.trustworthy
    assert "NIET" in v.summary()[0]


async def test_an_auditor_verifies_a_decided_grant_and_takes_its_timeline(time_env, tmp_path,
                                                                         db_url, engine, scheme):
    import csv
    import io
    import os
    import subprocess
    import sys

    from api.app import create_app
    from api.auth import SESSION_COOKIE, open_session
    from domain.lifecycle import Stage
    from domain.types import DecisionInput
    from regie import grants, programme
    from regie.db import session_factory
    from regie.settings import Settings
    from regie.worker import build_worker
    from tests import scenario
    from tests.factories import actor_of

    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="",
                                 task_queue="verify")
    sessions = session_factory(engine)
    async with sessions() as db:
        people = await scenario.cast(db)
        await programme.ensure_programme(db, time_env.client, scheme, settings.task_queue)
    async with build_worker(time_env.client, settings, sessions, scheme):
        reference = await scenario.grant_awaiting_decision(sessions, time_env.client, scheme,
                                                           settings.task_queue, people)
        await grants.act(time_env.client, reference, "decide", DecisionInput(
            actor=actor_of(people.team), award=True, amount_cents=80_000_00,
            reason="Rang 1."))
        await scenario.stage_is(time_env.client, reference, Stage.REPORTING)
        app = create_app(settings, scheme, time_env.client)
        async with sessions() as db:
            session = await open_session(db, people.auditor)
        web = await web_client(app)
        web.cookies.set(SESSION_COOKIE, session)
        async with contextlib.aclosing(web):
            page = (await web.get(f"/grants/{reference}")).text
            assert f'href="/audit/grants/{reference}/verify"' in page
            verified = await web.get(f"/audit/grants/{reference}/verify")
            assert 'data-verified="yes"' in verified.text
            assert "opnieuw berekend totaal 12 (honoreerbaar)" in verified.text
            assert "toegekend € 80.000,00, reden: Rang 1." in verified.text
            csv_text = (await web.get(f"/audit/grants/{reference}/timeline.csv")).text
            assert csv_text.lstrip("\ufeff").startswith("event,at_utc,kind,who,details")
            assert "besluit (decide): toekennen: ja" in csv_text
            assert "Team (Programmateam)" in csv_text
            pdf = await web.get(f"/audit/grants/{reference}/timeline.pdf")
            assert pdf.content.startswith(b"%PDF") and pdf.headers["content-type"] == \
                "application/pdf"
            round_id = reference.split("-")[0].removeprefix("SV")  # e.g. SV2026-0001
            report = await web.get(f"/audit/rounds/{round_id}/report.csv")
            rows = list(csv.DictReader(io.StringIO(report.text.lstrip("\ufeff"))))
            row = next(r for r in rows if r["reference"] == reference)
            assert (row["decision"], row["amount"], row["reason"], row["decided_by"]) == (
                "award", "€ 80.000,00", "Rang 1.", "Team")
            assert row["rubric"] == scheme.round(round_id).rubric
            assert row["scheme_version"] == scheme.content_hash[:12]
            # the page reads the same report with names, not keys
            shown = (await web.get(f"/audit/rounds/{round_id}")).text
            assert "<th>Besluit</th><th>Bedrag</th><th>Toelichting</th>" in shown
            assert "bij gelijke stand Verankering, Impact, Ambitie, het kleinere gevraagde " \
                "bedrag, de eerdere indiening. Past een aanvraag niet meer" in shown
            line = shown.split(f'<tr data-reference="{reference}">')[1].split("</tr>")[0]
            assert "<td>Toekennen</td><td>€ 80.000,00</td><td>Rang 1.</td>" in line
            assert line.endswith("<td>Toegekend: project loopt</td>")  # the stage, by name

    # the command replays the history from the server and derives the verdict again
    env = {**os.environ, "REGIE_DATABASE_URL": db_url, "REGIE_DATA_DIR": str(tmp_path),
           "REGIE_TEMPORAL_ADDRESS": time_env.client.service_client.config.target_host}
    regie = str(Path(sys.executable).parent / "regie")
    result = subprocess.run([regie, "audit", "verify"], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{reference}: ok" in result.stdout and "audit log intact" in result.stdout
