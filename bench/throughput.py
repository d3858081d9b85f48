"""Lifecycle throughput on the dev server: N grants through their whole life (eligibility,
two assessors, award through the ledger with its letter, every report in and accepted,
settlement with its letter, archival), driven through the Updates a person would send, against
a baseline workflow with the same number of activities, updates and timers and no logic at
all. Same machine, same server, same run; the ratio is Regie / baseline. Each worker runs in a
process of its own, as deployed (`regie worker`); this process only drives them."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from sqlmodel import select
from temporalio.api.enums.v1 import EventType

from bench.baseline import BaselineWorkflow
from bench.common import (
    Clock, cpu_seconds, database, drop, regie_worker, start_in_2026_round, table, worker_process,
)
from domain.lifecycle import Stage
from domain.types import (
    ActivityReport, AssessorRef, AssignAssessors, DecisionInput, GrantStatus, ReportReview,
    ReportSubmission, SettlementInput,
)
from regie import grants, programme
from regie.db import make_engine, migrate, session_factory
from regie.records import Application, Organisation
from regie.schemes import load_scheme
from regie.settings import Settings
from tests import factories, scenario

BASELINE_QUEUE = "baseline"


def shape_of(history) -> dict[str, int]:
    counts = {"activities": 0, "updates": 0, "timers": 0, "events": len(history.events)}
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            counts["activities"] += 1
        elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
            counts["updates"] += 1
        elif event.event_type == EventType.EVENT_TYPE_TIMER_STARTED:
            counts["timers"] += 1
    return counts


async def _when_shown(sessions, client, reference: str, stage: Stage, update: str,
                      command) -> None:
    """An Update sent once the team's overview shows the grant ready for it (the read model, as
    a person finds the button there): the workflow is not asked until then."""
    for _ in range(1200):
        async with sessions() as db:
            shown = (await db.exec(select(Application.stage).where(
                Application.reference == reference))).one()
        if shown == stage.value:
            return await grants.act(client, reference, update, command)
        await asyncio.sleep(0.05)
    raise RuntimeError(f"{reference}: never shown in {stage.value} for {update}")


async def _life(sessions, client, reference: str, people, team, grantee) -> None:
    """One grant from its start to the archive, as the team, assessors and grantee act."""
    assessors = tuple(AssessorRef(user_id=p.id, name=p.name, organisation_id=p.organisation_id)
                      for p in (people.assessor, people.second_assessor))
    await _when_shown(sessions, client, reference, Stage.ASSESSMENT, "assign_assessors",
                      AssignAssessors(actor=team, assessors=assessors))
    for assessor in (people.assessor, people.second_assessor):
        await grants.act(client, reference, "submit_score",
                         scenario.score(factories.actor_of(assessor)))
    await grants.act(client, reference, "decide", DecisionInput(
        actor=team, award=True, amount_cents=86_000_00, reason="Rang 1."))
    status = await grants.status(client, reference)  # the report schedule, once
    for report in status.reports:
        await grants.act(client, reference, "submit_report", ReportSubmission(
            actor=grantee, report_index=report.index, summary="Gedaan.", activities=(
                ActivityReport(title="Training omstanders", done="Gegeven."),
                ActivityReport(title="Cultuurscan", done="Gedaan."))))
        await grants.act(client, reference, "review_report", ReportReview(
            actor=team, report_index=report.index, accepted=True))
    await _when_shown(sessions, client, reference, Stage.SETTLEMENT, "settle", SettlementInput(
        actor=team, final_cents=86_000_00, reason="Conform."))
    final = await client.get_workflow_handle(f"grant-{reference}",
                                             result_type=GrantStatus).result()
    assert final.stage == Stage.ARCHIVED, final.stage


async def run(client, folder: Path, count: int = 50, db_kind: str = "postgresql") -> dict:
    n = count
    scheme = load_scheme(Path(__file__).parent.parent / "schemes" / "sociale-veiligheid.toml")
    url = database(db_kind, folder)
    await asyncio.to_thread(migrate, url)
    engine = make_engine(url)
    sessions = session_factory(engine)
    settings = Settings.from_env(data_dir=folder, database_url=url, smtp_host="",
                                 task_queue="throughput")
    async with sessions() as db:
        people = await scenario.cast(db)
        await programme.ensure_programme(db, client, scheme, settings.task_queue)
        org = await db.get(Organisation, people.grantee.organisation_id)
        apps = [await factories.application(db, org, scheme) for _ in range(n)]
    team, grantee = factories.actor_of(people.team), factories.actor_of(people.grantee)
    references = [f"SV2026-{i + 1:04d}" for i in range(n)]

    command, env = regie_worker(client, settings)
    async with worker_process(client, settings.task_queue, command, env) as worker:
        cpu_before = cpu_seconds(worker.pid)
        with Clock() as regie_clock:
            await start_in_2026_round(sessions, client, scheme, settings.task_queue, apps,
                                      references)
            await asyncio.gather(*(_life(sessions, client, ref, people, team, grantee)
                                   for ref in references))
        regie_cpu = cpu_seconds(worker.pid) - cpu_before
        history = await client.get_workflow_handle(f"grant-{references[0]}").fetch_history()
    shape = shape_of(history)
    per_update = shape["activities"] // max(shape["updates"], 1)
    in_run = shape["activities"] - per_update * shape["updates"]
    extra_timers = max(shape["timers"] - shape["updates"], 0)
    params = [in_run, shape["updates"], extra_timers, per_update]

    async with worker_process(client, BASELINE_QUEUE, [
            sys.executable, "-m", "bench.baseline_worker",
            client.service_client.config.target_host, BASELINE_QUEUE], {}) as worker:
        cpu_before = cpu_seconds(worker.pid)
        with Clock() as base_clock:
            async def baseline(i: int) -> None:
                handle = await client.start_workflow(
                    BaselineWorkflow.run, params, id=f"baseline-{i}", task_queue=BASELINE_QUEUE)
                for _ in range(shape["updates"]):
                    await handle.execute_update(BaselineWorkflow.step, per_update)
                await handle.result()
            await asyncio.gather(*(baseline(i) for i in range(n)))
        base_cpu = cpu_seconds(worker.pid) - cpu_before
        base_history = await client.get_workflow_handle("baseline-0").fetch_history()
    await engine.dispose()
    await asyncio.to_thread(drop, url)

    regie_rate, base_rate = n / regie_clock.seconds, n / base_clock.seconds
    table(f"Lifecycle throughput (dev server; Regie's records on {db_kind})",
          ["", "grants", "wall s", "grants/s", "worker CPU ms/grant", "activities", "updates",
           "timers", "events"],
          [["Regie", n, regie_clock.seconds, f"{regie_rate:.2f}", f"{regie_cpu / n * 1000:.0f}",
            shape["activities"], shape["updates"], shape["timers"], shape["events"]],
           ["baseline", n, base_clock.seconds, f"{base_rate:.2f}", f"{base_cpu / n * 1000:.0f}",
            shape["activities"], shape["updates"], shape["timers"], len(base_history.events)]])
    print(f"\nratio Regie/baseline: {regie_rate / base_rate:.2f} (goal: at least 0.8)",
          flush=True)
    return {"regie": regie_rate, "baseline": base_rate, "shape": shape,
            "cpu_ms": (regie_cpu / n * 1000, base_cpu / n * 1000)}
