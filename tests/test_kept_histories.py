"""On the real dev server: a closed grant's and round's history is kept in Regie's database, so
auditors read and verify the grant, read the round's own history, and the round's page shows
how it closed, after Temporal has removed them, and the round is not started again; the ledger's
runs are listed with their histories; a kept copy altered afterwards is refused (the
round's page then says so rather than show the altered result, and `regie audit verify` names
every altered copy); a history Temporal removed before it was kept is recorded as lost, once,
and counted in the metrics; `regie run` and the release job make the namespace keep histories
long enough for the copy."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import (
    DeleteWorkflowExecutionRequest, DescribeNamespaceRequest,
)
from temporalio.service import RPCError

from api.app import create_app
from api.auth import SESSION_COOKIE, open_session
from domain.lifecycle import Stage
from regie import adoption, audit, histories, rounds
from regie.db import session_factory
from regie.records import AuditEntry
from regie.settings import Settings
from regie.spreadsheet import read_table
from regie.programme import ensure_programme, ledger_workflow_id
from regie.rounds import round_workflow_id
from regie.temporal import ensure_history_retention, grant_workflow_id
from regie.worker import build_worker
from tests import factories, scenario
from tests.conftest import eventually, web_client
from tests.factories import actor_of
from tests.scenario import stage_is
from workflows.round import RoundWorkflow

SETTLED = "SV-OUD-005"  # the template's fifth grant: every report in, settled, archived
GRANT, ROUND = grant_workflow_id(SETTLED), round_workflow_id("2025")  # 2025 closed long ago


async def _removed_from_temporal(client, workflow_id: str) -> None:
    await client.workflow_service.delete_workflow_execution(DeleteWorkflowExecutionRequest(
        namespace=client.namespace, workflow_execution=WorkflowExecution(workflow_id=workflow_id)))

    async def gone():
        try:
            await client.get_workflow_handle(workflow_id).describe()
        except RPCError:
            return True
        await asyncio.sleep(1)
        return False
    await eventually(gone, timeout=90)  # about 20 s on the dev server


@pytest.mark.waiting
async def test_auditors_read_closed_grants_and_rounds_after_temporal_removed_them(
        dev_env, tmp_path, db_url, engine, scheme):
    client, sessions = dev_env.client, session_factory(engine)
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="",
                                 task_queue="kept")
    async with sessions() as db:
        people = await scenario.cast(db)
        await ensure_programme(db, client, scheme, settings.task_queue)
    today = adoption.local_today(scheme, await dev_env.get_current_time())
    table = read_table(adoption.template_bytes(
        "programma.xlsx", factories.programme_rows(scheme, today, count=5)), "programma.xlsx")
    async with build_worker(client, settings, sessions, scheme):
        async with sessions() as db:
            done = await adoption.import_table(db, client, scheme, settings.task_queue, table,
                                               "programma.xlsx", actor_of(people.team), today,
                                               dry_run=False)
        assert done.problems == []
        await stage_is(client, SETTLED, Stage.ARCHIVED)
        await asyncio.wait_for(client.get_workflow_handle(GRANT).result(), 60)
        closed_round = await asyncio.wait_for(
            client.get_workflow_handle_for(RoundWorkflow.run, ROUND).result(), 60)
        in_temporal = await client.get_workflow_handle(GRANT).fetch_history()

        lost = grant_workflow_id("SV-OUD-404")  # removed from Temporal before it was kept
        candidates = [GRANT, grant_workflow_id("SV-OUD-001"), ROUND, round_workflow_id("2027"),
                      ledger_workflow_id(scheme.scheme.id), lost]
        async with sessions() as db:
            assert await histories.keep_closed(db, client, candidates) == [GRANT, ROUND]
            assert await histories.keep_closed(db, client, candidates) == []  # kept once
            assert [e.subject for e in (await db.exec(select(AuditEntry).where(
                AuditEntry.action == histories.LOST))).all()] == [lost]  # and lost once
        await asyncio.gather(_removed_from_temporal(client, GRANT),
                             _removed_from_temporal(client, ROUND))
        async with sessions() as db:
            assert await rounds.status(client, db, "2025") == closed_round  # as it closed
            await ensure_programme(db, client, scheme, settings.task_queue)
        with pytest.raises(RPCError):  # not started again
            await client.get_workflow_handle(ROUND).describe()

        app = create_app(settings, scheme, client)
        async with sessions() as db:
            token = await open_session(db, people.auditor)
        web = await web_client(app)
        web.cookies.set(SESSION_COOKIE, token)
        async with contextlib.aclosing(web):
            page = await web.get(f"/audit/grants/{SETTLED}")
            assert page.status_code == 200 and "WORKFLOW_EXECUTION_COMPLETED" in page.text
            verified = await web.get(f"/audit/grants/{SETTLED}/verify")
            assert 'data-verified="yes"' in verified.text
            raw = (await web.get(f"/api/grants/{SETTLED}/history")).json()
            assert len(raw["events"]) == len(in_temporal.events)
            assert raw == json.loads(in_temporal.to_json())  # the whole history, as it was
            round_page = await web.get("/rounds/2025")
            assert round_page.status_code == 200 and 'data-phase="closed"' in round_page.text
            assert "data-unshown" not in round_page.text
            assert "\nregie_histories_lost 1.0\n" in (await web.get("/metrics")).text

            # the round's own history, from its kept copy, which the page says it matches
            async with sessions() as db:
                round_copy = await histories.kept(db, ROUND)
                by_run = await histories.load(client, db, ROUND, round_copy.run_id)
            digest = hashlib.sha256(round_copy.events.encode()).hexdigest()
            assert by_run.kept_sha256 == digest
            runs_page = (await web.get("/audit/rounds/2025/history")).text
            run = round_copy.run_id
            assert f'data-run="{run}" data-state="closed" data-kept="yes"' in runs_page
            history_page = await web.get(f"/audit/rounds/2025/history/{run}")
            assert history_page.status_code == 200
            assert 'data-source="kept"' in history_page.text and digest in history_page.text
            assert "RoundWorkflow gestart voor ronde 2025" in history_page.text
            round_csv = (await web.get(f"/audit/rounds/2025/history/{run}/timeline.csv")).text
            assert "WORKFLOW_EXECUTION_COMPLETED" in round_csv
            assert (await web.get("/audit/rounds/2099/history")).status_code == 404
            assert (await web.get("/audit/rounds/2025/history/not-a-run")).status_code == 404
            # the ledger runs on in one run, which Temporal gives with each commitment's author
            ledger_run = (await client.get_workflow_handle(
                ledger_workflow_id(scheme.scheme.id)).describe()).run_id
            runs_page = (await web.get("/audit/ledger")).text
            assert f'data-run="{ledger_run}" data-state="running" data-kept="no"' in runs_page
            run_page = await web.get(f"/audit/ledger/{ledger_run}")
            assert run_page.status_code == 200 and 'data-source="temporal"' in run_page.text
            assert "set_commitment" in run_page.text and SETTLED in run_page.text
            pdf = await web.get(f"/audit/ledger/{ledger_run}/timeline.pdf")
            assert pdf.content.startswith(b"%PDF")
            assert (await web.get("/audit/ledger/not-a-run")).status_code == 404

            command = [str(Path(sys.executable).parent / "regie"), "audit", "verify",
                       "--grant", SETTLED]
            env = {**os.environ, "REGIE_DATABASE_URL": db_url, "REGIE_DATA_DIR": str(tmp_path),
                   "REGIE_TEMPORAL_ADDRESS": client.service_client.config.target_host}
            checked = await asyncio.to_thread(subprocess.run, command, env=env,
                                              capture_output=True, text=True)
            assert checked.returncode == 0 and f"{SETTLED}: ok" in checked.stdout, checked

            # someone alters the kept copy: it no longer matches the hash in the audit log
            async with sessions() as db:
                kept = await histories.kept(db, GRANT)
                altered = json.loads(kept.events)
                del altered["events"][5]  # an event taken out
                kept.events = json.dumps(altered)
                db.add(kept)
                await db.commit()
            refused = await web.get(f"/audit/grants/{SETTLED}")
            assert refused.status_code == 404
            assert "audit log" in refused.text and "niet (meer)" in refused.text
            checked = await asyncio.to_thread(subprocess.run, command, env=env,
                                              capture_output=True, text=True)
            assert checked.returncode == 1 and "does not match its hash" in checked.stdout

            # ... and the round's: its page says so instead of showing how it closed
            async with sessions() as db:
                kept = await histories.kept(db, ROUND)
                altered = json.loads(kept.events)
                altered["events"][-1]["workflowExecutionCompletedEventAttributes"]["result"][
                    "payloads"][0]["data"] = base64.b64encode(closed_round.model_copy(
                        update={"phase": "open"}).model_dump_json().encode()).decode()
                kept.events = json.dumps(altered)
                db.add(kept)
                await db.commit()
                assert await rounds.status(client, db, "2025") is None
                assert await histories.unshown(db, ROUND) == "result_altered"
                assert await histories.unshown(db, round_workflow_id("2027")) == \
                    "result_unavailable"  # not kept: only Temporal could have failed to answer
            round_page = await web.get("/rounds/2025")
            assert round_page.status_code == 200 and 'data-phase=""' in round_page.text
            assert 'data-unshown="result_altered"' in round_page.text
            assert "klopt niet met haar hash in het auditlog" in round_page.text
            checked = await asyncio.to_thread(subprocess.run, command[:3], env=env,
                                              capture_output=True, text=True)  # all of them
            assert checked.returncode == 1, checked
            for altered in (GRANT, ROUND):
                assert f"{altered}: the kept history does not match" in checked.stdout

    async with sessions() as db:
        logged = (await db.exec(select(AuditEntry).where(
            AuditEntry.action == histories.KEPT).order_by(AuditEntry.id))).all()
        assert [entry.subject for entry in logged] == [GRANT, ROUND]
        assert logged[0].detail["events"] == len(in_temporal.events)
        assert await audit.verify(db) == []


async def test_the_release_job_has_the_namespace_keep_histories_for_thirty_days(dev_env):
    """A dev server keeps closed histories 24 hours, shorter than the weekly copy needs."""
    client = dev_env.client

    async def retention():
        described = await client.workflow_service.describe_namespace(
            DescribeNamespaceRequest(namespace=client.namespace))
        return described.config.workflow_execution_retention_ttl.ToTimedelta()
    assert await retention() < histories.ENGINE_RETENTION
    env = {**os.environ, "REGIE_TEMPORAL_ADDRESS": client.service_client.config.target_host}
    done = await asyncio.to_thread(subprocess.run, [
        str(Path(sys.executable).parent / "regie"), "register-search-attributes"],
        env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert await retention() == histories.ENGINE_RETENTION
    await ensure_history_retention(client, client.namespace, histories.ENGINE_RETENTION)
    assert await retention() == histories.ENGINE_RETENTION  # asked again: left as it is
