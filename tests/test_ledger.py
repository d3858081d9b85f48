"""The budget ledger: no decision commits more than remains, enforced inside Temporal."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlmodel import select
from temporalio.client import WorkflowExecutionStatus, WorkflowUpdateFailedError

from domain.lifecycle import Stage
from domain.types import DecisionInput, LedgerParams, LedgerStatus, RoundLedger, SetCommitment
from regie import grants, histories, programme
from regie.db import session_factory
from regie.grants import ActionRefused
from regie.programme import ledger_workflow_id
from regie.records import AuditEntry, KeptHistory
from regie.settings import Settings
from regie.worker import build_worker
from tests import dates, scenario
from tests.conftest import maybe_record
from tests.factories import actor_of
from tests.scenario import stage_is
from workflows.ledger import LedgerWorkflow


def test_a_rounds_room_is_what_its_ceiling_leaves_within_what_the_programme_leaves():
    def ledger(programme_left: int, **rounds_left: int) -> LedgerStatus:
        return LedgerStatus(programme_cents=16_000_000_00, committed_cents=0,
                            remaining_cents=programme_left, rounds=[
                                RoundLedger(round_id=r, ceiling_cents=4_000_000_00,
                                            committed_cents=0, remaining_cents=left)
                                for r, left in rounds_left.items()])
    assert ledger(5_000_000_00, r2027=4_000_000_00).room("r2027") == 4_000_000_00
    # ceilings that add up to more than the budget: the programme's rest binds
    assert ledger(1_500_000_00, r2027=4_000_000_00).room("r2027") == 1_500_000_00
    assert ledger(1_500_000_00, r2027=0).room("r2027") == 0
    assert ledger(0, r2027=4_000_000_00).room("r2027") == 0
    assert ledger(1_500_000_00, r2027=4_000_000_00).room("unknown") == 0


async def test_no_decision_commits_more_than_the_round_has_left(time_env, tmp_path, db_url,
                                                                engine, scheme):
    client, sessions = time_env.client, session_factory(engine)
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="",
                                 task_queue=f"ledger-{uuid.uuid4().hex[:8]}")
    async with sessions() as db:
        people = await scenario.cast(db)
        await programme.ensure_programme(db, client, scheme, settings.task_queue)
    team = actor_of(people.team)
    async with build_worker(client, settings, sessions, scheme):
        ceiling = scheme.round("2026").budget_cents
        with pytest.raises(ActionRefused, match="Alleen het programmateam"):
            await programme.set_commitment(client, scheme.scheme.id, SetCommitment(
                actor=actor_of(people.grantee), reference="X", round_id="2026", amount_cents=1,
                reason="test"))
        with pytest.raises(ActionRefused, match=r"Er is nog € 6\.000\.000,00 over in ronde 2026"):
            await programme.set_commitment(client, scheme.scheme.id, SetCommitment(
                actor=team, reference="EARLIER", round_id="2026", amount_cents=ceiling + 1,
                reason="te veel"))
        status = await programme.set_commitment(client, scheme.scheme.id, SetCommitment(
            actor=team, reference="EARLIER", round_id="2026",
            amount_cents=ceiling - 50_000_00, reason="eerdere toekenningen"))
        assert status.rounds[1].remaining_cents == 50_000_00

        reference = await scenario.grant_awaiting_decision(sessions, client, scheme,
                                                           settings.task_queue, people)
        with pytest.raises(ActionRefused, match=r"nog € 50\.000,00 over in ronde 2026; "
                                                r"€ 86\.000,00 past niet"):
            await grants.act(client, reference, "decide", DecisionInput(
                actor=team, award=True, amount_cents=86_000_00, reason="Goed plan."))
        assert (await grants.status(client, reference)).stage == Stage.DECISION
        await grants.act(client, reference, "decide", DecisionInput(
            actor=team, award=True, amount_cents=50_000_00, reason="Binnen het budget."))
        await stage_is(client, reference, Stage.REPORTING)
        ledger = await programme.ledger(client, scheme.scheme.id)
        assert ledger.rounds[1].remaining_cents == 0
        assert ledger.committed_cents == ceiling
        assert ledger.remaining_cents == scheme.scheme.budget_cents - ceiling
        await maybe_record(client.get_workflow_handle(ledger_workflow_id(scheme.scheme.id)),
                           "ledger_v1.json")


async def _settings_and_team(tmp_path, db_url, sessions):
    """Settings with a task queue of the test's own, and the programme team's actor."""
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="",
                                 task_queue=f"ledger-{uuid.uuid4().hex[:8]}")
    async with sessions() as db:
        return settings, actor_of((await scenario.cast(db)).team)


async def _short_runs_ledger(client, scheme, task_queue: str, name: str):
    """A ledger of the test's own for the 2026 round, which continues as new every 30 events."""
    return await client.start_workflow(LedgerWorkflow.run, LedgerParams(
        scheme_id=f"{name}-runs", programme_cents=scheme.scheme.budget_cents,
        ceilings={"2026": scheme.round("2026").budget_cents}, closes_at=dates.utc(2028, 6, 30),
        run_events=30), id=f"ledger-{name}-{uuid.uuid4().hex[:8]}", task_queue=task_queue)


async def test_the_ledger_continues_as_new_in_short_runs_and_keeps_every_commitment(
        time_env, tmp_path, db_url, engine, scheme):
    """A run ends at `LedgerParams.run_events` events (`ledger-short-runs`), so that the replay
    an Update arriving during continue-as-new causes stays short; the next run carries every
    commitment, and the validator still counts them all."""
    client, sessions = time_env.client, session_factory(engine)
    settings, team = await _settings_and_team(tmp_path, db_url, sessions)
    ceiling = scheme.round("2026").budget_cents
    async with build_worker(client, settings, sessions, scheme):
        handle = await _short_runs_ledger(client, scheme, settings.task_queue, "short")
        for n in range(12):
            status = await handle.execute_update(LedgerWorkflow.set_commitment, SetCommitment(
                actor=team, reference=f"SV-{n}", round_id="2026", amount_cents=ceiling // 12,
                reason="toekenning"))
        assert status.committed_cents == 12 * (ceiling // 12)
        first = client.get_workflow_handle(handle.id, run_id=handle.first_execution_run_id)
        assert (await first.describe()).status == WorkflowExecutionStatus.CONTINUED_AS_NEW
        assert 30 <= len((await first.fetch_history()).events) < 45  # it stopped at 30
        with pytest.raises(WorkflowUpdateFailedError) as refused:  # twelve twelfths fill it
            await handle.execute_update(LedgerWorkflow.set_commitment, SetCommitment(
                actor=team, reference="SV-TE-VEEL", round_id="2026",
                amount_cents=ceiling - 12 * (ceiling // 12) + 1, reason="te veel"))
        assert "past niet" in refused.value.cause.message
        now = await handle.query(LedgerWorkflow.status)
        assert now.committed_cents == status.committed_cents
        await maybe_record(first, "ledger_short_runs_v1.json")


async def test_every_run_of_the_ledger_is_kept_once_it_continues_as_new(
        time_env, tmp_path, db_url, engine, scheme):
    """The ledger's earlier runs close as it continues as new while the ledger runs on; each is
    kept, oldest first, before Temporal's retention period removes it, without the ledger
    counting as closed (it is not started again only once its last run is kept)."""
    client, sessions = time_env.client, session_factory(engine)
    settings, team = await _settings_and_team(tmp_path, db_url, sessions)
    async with build_worker(client, settings, sessions, scheme):
        handle = await _short_runs_ledger(client, scheme, settings.task_queue, "kept")
        for n in range(16):  # three runs or more
            await handle.execute_update(LedgerWorkflow.set_commitment, SetCommitment(
                actor=team, reference=f"SV-{n}", round_id="2026", amount_cents=1_000_00,
                reason="toekenning"))
        async with sessions() as db:
            assert await histories.keep_closed(db, client, [handle.id]) == [handle.id]
            assert await histories.keep_closed(db, client, [handle.id]) == []  # kept once
            copies = (await db.exec(select(KeptHistory).where(
                KeptHistory.workflow_id == handle.id).order_by(KeptHistory.id))).all()
            assert await histories.kept(db, handle.id) is None  # the ledger runs on
        assert len(copies) >= 2 and all(copy.continued for copy in copies)
        assert copies[0].run_id == handle.first_execution_run_id
        for earlier, later in zip(copies, copies[1:]):  # each run the one before continued
            first = json.loads(later.events)["events"][0]
            assert first["workflowExecutionStartedEventAttributes"][
                "continuedExecutionRunId"] == earlier.run_id
        last = (await handle.describe()).run_id
        assert last not in {copy.run_id for copy in copies}
        async with sessions() as db:  # as the auditor's list of runs shows them
            runs = await histories.runs(client, db, handle.id)
        assert [(r.run_id, r.state, r.kept) for r in runs] == [
            (last, "running", False), *((c.run_id, "continued", True) for c in reversed(copies))]

        await handle.result()  # the ledger closes with the programme's books (time skips)
        async with sessions() as db:
            assert await histories.keep_closed(db, client, [handle.id]) == [handle.id]
            closing = await histories.kept(db, handle.id)
            assert closing.run_id == last and not closing.continued
            assert [(r.run_id, r.state, r.kept) for r in await histories.runs(
                client, db, handle.id)][:2] == [(last, "closed", True), (runs[1].run_id,
                                                                        "continued", True)]
            assert await histories.altered(db) == []  # every copy matches its hash
            logged = (await db.exec(select(AuditEntry).where(
                AuditEntry.action == histories.KEPT, AuditEntry.subject == handle.id))).all()
            assert [entry.detail["run_id"] for entry in logged] == [
                *(copy.run_id for copy in copies), last]
