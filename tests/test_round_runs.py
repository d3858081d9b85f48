"""A round in short runs (round-short-runs): it continues as new while open and while awaiting
its verdicts, and no submission, reference, reminder or verdict is lost or doubled on the way."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from datetime import timedelta

import pytest
from temporalio.client import WorkflowExecutionStatus, WorkflowUpdateFailedError

from api.app import create_app
from api.auth import SESSION_COOKIE, open_session
from domain.lifecycle import Role, Stage
from domain.ranking import Outcome
from domain.types import AllocationApproval, AllocationConfirmation, SubmitToRound
from regie import grants, histories, programme, rounds
from regie.applications import submit_draft
from regie.db import session_factory
from regie.settings import Settings
from regie.worker import build_worker
from tests import dates, factories
from tests.conftest import eventually, maybe_record, web_client
from tests.scenario import assign, score, skip_to, stage_is
from workflows.round import RoundWorkflow, submission_id

RUN_EVENTS = 40  # a run of the round continues as new at about this many events
APPLICATIONS = 10


async def _runs(client, workflow_id: str, first_run_id: str) -> list[tuple[str, dict, int]]:
    """Each run of the workflow, oldest first: its run id, its input, its number of events."""
    runs, run_id = [], first_run_id
    while run_id:
        events = (await client.get_workflow_handle(workflow_id, run_id=run_id)
                  .fetch_history()).events
        given = json.loads(events[0].workflow_execution_started_event_attributes
                           .input.payloads[0].data)
        runs.append((run_id, given, len(events)))
        run_id = events[-1].workflow_execution_continued_as_new_event_attributes \
            .new_execution_run_id
    return runs


async def test_a_round_in_short_runs_keeps_every_submission_and_verdict(
        time_env, tmp_path, db_url, engine, scheme):
    client, sessions = time_env.client, session_factory(engine)
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="",
                                 task_queue=f"round-runs-{uuid.uuid4().hex[:8]}")
    async with sessions() as db:
        orgs = [await factories.organisation(db, f"Instelling {n}", ("wo", "hbo")[n % 2])
                for n in range(APPLICATIONS)]
        members = [await factories.person(db, Role.GRANTEE, f"lid{n}@instelling{n}.example",
                                          org) for n, org in enumerate(orgs)]
        team = factories.actor_of(await factories.person(db, Role.PROGRAMME_TEAM,
                                                         "team@example.nl"))
        second = factories.actor_of(await factories.person(db, Role.PROGRAMME_TEAM,
                                                           "tweede@example.nl"))
        auditor = await factories.person(db, Role.AUDITOR, "audit@example.nl")
        panel = [await factories.person(db, Role.ASSESSOR, f"panel{n}@example.nl")
                 for n in range(2)]
        drafts = [await factories.application(db, org, scheme, factories.draft(
            "2027", f"Project {n + 1:02d}")) for n, org in enumerate(orgs)]
        params = await rounds.round_params(db, scheme, scheme.round("2027"))
        start = await client.start_workflow(
            RoundWorkflow.run, params.model_copy(update={"run_events": RUN_EVENTS}),
            id=rounds.round_workflow_id("2027"), task_queue=settings.task_queue,
            task_timeout=rounds.ROUND_TASK_TIMEOUT)
        await programme.ensure_programme(db, client, scheme, settings.task_queue)
    handle = client.get_workflow_handle_for(RoundWorkflow.run, start.id)

    async with build_worker(client, settings, sessions, scheme):
        await skip_to(time_env, dates.opens(scheme, "2027") + timedelta(days=1))

        async def submit(n: int) -> str:  # every applicant at once, each in a session
            async with sessions() as db:
                return await submit_draft(db, client, scheme, drafts[n],
                                          factories.actor_of(members[n]))
        references = await asyncio.gather(*(submit(n) for n in range(APPLICATIONS)))
        assert sorted(references) == [f"SV2027-{n:04d}" for n in range(1, APPLICATIONS + 1)]
        first = client.get_workflow_handle(start.id, run_id=start.first_execution_run_id)
        assert (await first.describe()).status == WorkflowExecutionStatus.CONTINUED_AS_NEW
        # a later run still knows what an earlier one took: the same Update sent again (its
        # answer lost, say) gets the reference the application has, and any other is refused
        again = SubmitToRound(actor=factories.actor_of(members[0]), application_id=drafts[0].id)
        assert await handle.execute_update(
            RoundWorkflow.submit, again, id=submission_id(drafts[0].id)) == references[0]
        with pytest.raises(WorkflowUpdateFailedError) as twice:
            await handle.execute_update(RoundWorkflow.submit, again, id="submit-other")
        assert "al ingediend" in twice.value.cause.message

        await skip_to(time_env, dates.closes(scheme, "2027") + timedelta(seconds=5))
        for reference in references:
            await stage_is(client, reference, Stage.ASSESSMENT)
        for n, reference in enumerate(references):
            await grants.act(client, reference, "assign_assessors", assign(team, panel))
            for person in panel:  # 2 to 5: a quarter under the threshold
                await grants.act(client, reference, "submit_score",
                                 score(factories.actor_of(person), 2 + n % 4))

        async def phase(wanted: str):
            async def reached():
                return (await handle.query(RoundWorkflow.status)).phase == wanted
            await eventually(reached)
        await phase("proposed")
        status = await handle.query(RoundWorkflow.status)
        assert sorted(status.references) == sorted(references)
        assert status.scored == sorted(references)
        funded = [a.reference for a in status.proposal.allocations
                  if a.outcome == Outcome.FUNDED]
        assert len(status.proposal.allocations) == APPLICATIONS and len(funded) == 7
        await handle.execute_update(RoundWorkflow.confirm_allocation,
                                    AllocationConfirmation(actor=team))
        await handle.execute_update(RoundWorkflow.approve_allocation,
                                    AllocationApproval(actor=second))
        await phase("decided")
        for reference in references:
            await stage_is(client, reference,
                           Stage.REPORTING if reference in funded else Stage.REJECTED)

    runs = await _runs(client, start.id, start.first_execution_run_id)
    phases = [given.get("carried") and given["carried"]["phase"] for _, given, _ in runs]
    assert phases[0] is None and "open" in phases and "assessing" in phases
    # each run went on until it was long enough (the first took the whole burst of submissions
    # in, as it let every one accepted answer before it continued)
    assert all(events >= RUN_EVENTS for _, _, events in runs[:-1])
    last = client.get_workflow_handle(start.id, run_id=runs[-1][0])
    config = (await last.describe()).raw_description.execution_config
    assert config.default_workflow_task_timeout.ToTimedelta() == rounds.ROUND_TASK_TIMEOUT
    carried = runs[-1][1]["carried"]["submitted"]  # by application, in the order taken
    assert carried == {str(d.id): r for d, r in zip(drafts, references)}
    assert list(carried.values()) == sorted(references)

    # every run is kept once closed, and an auditor reads each of them, the newest first
    async with sessions() as db:
        assert await histories.keep_closed(db, client, [start.id]) == [start.id]
        token = await open_session(db, auditor)
    web = await web_client(create_app(settings, scheme, client))
    web.cookies.set(SESSION_COOKIE, token)
    async with contextlib.aclosing(web):
        page = (await web.get("/audit/rounds/2027/history")).text
        states = ["closed"] + ["continued"] * (len(runs) - 1)
        rows = [f'data-run="{run_id}" data-state="{state}" data-kept="yes"'
                for (run_id, _, _), state in zip(reversed(runs), states)]
        assert all(row in page for row in rows)
        assert [page.index(row) for row in rows] == sorted(page.index(row) for row in rows)
        for run_id, _, _ in runs:
            shown = await web.get(f"/audit/rounds/2027/history/{run_id}")
            assert shown.status_code == 200 and f"({run_id})" in shown.text
        first_csv = (await web.get(
            f"/audit/rounds/2027/history/{runs[0][0]}/timeline.csv")).text
        assert "aanvraag ingediend (submit): " in first_csv and "verder als nieuwe run" in first_csv
    await maybe_record(first, "round_short_runs_v1.json")
    for phase_carried in ("open", "assessing"):
        run_id = next(run_id for run_id, given, _ in runs
                      if (given.get("carried") or {}).get("phase") == phase_carried)
        await maybe_record(client.get_workflow_handle(start.id, run_id=run_id),
                           f"round_short_runs_{phase_carried}_v1.json")
