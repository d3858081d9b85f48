"""Lifecycle throughput on the dev server: N grants through their whole life (eligibility,
two assessors, award through the ledger with its letter, every report in and accepted,
settlement with its letter, archival), driven through the Updates a person would send, against
a baseline workflow with the same number of activities, updates and timers and no logic at
all. Same machine, same server, same run; the ratio is Regie / baseline. Each worker runs in a
process of its own, as deployed (`regie worker`); this process only drives them."""

from __future__ import annotations

import asyncio
import statistics
import sys
from collections import Counter
from pathlib import Path

from sqlmodel import select
from temporalio.api.enums.v1 import EventType

from bench.baseline import BaselineWorkflow
from bench.common import (
    Clock, CpuMeter, database, drop, regie_worker, server_pid, start_in_2026_round, table,
    worker_process,
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
from tests import dates, factories, scenario

BASELINE_QUEUE = "baseline"
AWARD_CENTS = 30_000_00  # three batches of 50 awards fit the 2026 round's budget


def shape_of(history) -> dict:
    """A workflow's numbers of activities (and of each kind, `per_activity`), Updates, timers,
    search attribute upserts (each a write to the server's visibility store) and events, and
    the size of its history in KB."""
    counts = {"activities": 0, "updates": 0, "timers": 0, "upserts": 0,
              "events": len(history.events),
              "kb": sum(event.ByteSize() for event in history.events) / 1024,
              "per_activity": Counter()}
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            counts["activities"] += 1
            counts["per_activity"][
                event.activity_task_scheduled_event_attributes.activity_type.name] += 1
        elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
            counts["updates"] += 1
        elif event.event_type == EventType.EVENT_TYPE_TIMER_STARTED:
            counts["timers"] += 1
        elif event.event_type == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
            counts["upserts"] += 1
    return counts


class Overview:
    """The team's overview as the driver watches it: one query for the stages of all grants
    in a batch every 50 ms, as one page shows them all, while any grant waits to be shown."""

    def __init__(self, sessions) -> None:
        self.sessions = sessions
        self.waiting: dict[str, tuple[str, asyncio.Future]] = {}
        self.watcher: asyncio.Task | None = None

    async def shown(self, reference: str, stage: Stage) -> None:
        """Once the overview shows `reference` in `stage`."""
        future = asyncio.get_running_loop().create_future()
        self.waiting[reference] = (stage.value, future)
        if self.watcher is None or self.watcher.done():
            self.watcher = asyncio.create_task(self._watch())
        try:
            await asyncio.wait_for(future, timeout=60)
        except TimeoutError:
            self.waiting.pop(reference, None)  # no longer asked for
            raise RuntimeError(f"{reference}: never shown in {stage.value}") from None

    async def _watch(self) -> None:
        while self.waiting:
            async with self.sessions() as db:
                rows = (await db.exec(select(Application.reference, Application.stage).where(
                    Application.reference.in_(list(self.waiting))))).all()
            for reference, stage in rows:
                wanted, future = self.waiting[reference]
                if stage == wanted:
                    del self.waiting[reference]
                    future.set_result(None)
            await asyncio.sleep(0.05)


async def _life(overview: Overview, client, reference: str, people, team, grantee) -> None:
    """One grant from its start to the archive, as the team, assessors and grantee act: each
    Update is sent once the overview shows the grant ready for it (the read model, as a person
    finds the button there), or at once after the one before."""
    assessors = tuple(AssessorRef(user_id=p.id, name=p.name, organisation_id=p.organisation_id)
                      for p in (people.assessor, people.second_assessor))
    await overview.shown(reference, Stage.ASSESSMENT)
    await grants.act(client, reference, "assign_assessors",
                     AssignAssessors(actor=team, assessors=assessors))
    for assessor in (people.assessor, people.second_assessor):
        await grants.act(client, reference, "submit_score",
                         scenario.score(factories.actor_of(assessor)))
    await grants.act(client, reference, "decide", DecisionInput(
        actor=team, award=True, amount_cents=AWARD_CENTS, reason="Rang 1."))
    status = await grants.status(client, reference)  # the report schedule, once
    for report in status.reports:
        await grants.act(client, reference, "submit_report", ReportSubmission(
            actor=grantee, report_index=report.index, summary="Gedaan.", activities=(
                ActivityReport(title="Training omstanders", done="Gegeven."),
                ActivityReport(title="Cultuurscan", done="Gedaan."))))
        await grants.act(client, reference, "review_report", ReportReview(
            actor=team, report_index=report.index, accepted=True))
    await overview.shown(reference, Stage.SETTLEMENT)
    await grants.act(client, reference, "settle", SettlementInput(
        actor=team, final_cents=AWARD_CENTS, reason="Conform."))
    final = await client.get_workflow_handle(f"grant-{reference}",
                                             result_type=GrantStatus).result()
    assert final.stage == Stage.ARCHIVED, final.stage


async def run(client, folder: Path, count: int = 50, db_kind: str = "postgresql",
              pairs: int = 3) -> dict:
    """`pairs` batches of `count` grants each, Regie's and the baseline's in turn, so that a
    slow spell of a shared machine falls on both sides: the ratio of each pair, and their
    median."""
    n = count
    scheme_file = dates.write_scheme(folder)  # the tests' calendar (tests/dates.py)
    scheme = load_scheme(scheme_file)
    url = database(db_kind, folder)
    await asyncio.to_thread(migrate, url)
    engine = make_engine(url)
    sessions = session_factory(engine)
    settings = Settings.from_env(data_dir=folder, database_url=url, smtp_host="",
                                 task_queue="throughput", scheme_file=scheme_file)
    async with sessions() as db:
        people = await scenario.cast(db)
        await programme.ensure_programme(db, client, scheme, settings.task_queue)
        org = await db.get(Organisation, people.grantee.organisation_id)
        apps = [await factories.application(db, org, scheme) for _ in range(n * pairs)]
    team, grantee = factories.actor_of(people.team), factories.actor_of(people.grantee)
    references = [f"SV2026-{i + 1:04d}" for i in range(n * pairs)]
    server = server_pid(client)
    command, env = regie_worker(client, settings)
    rows, ratios, cpu_ratios, shape = [], [], [], {}
    async with worker_process(client, settings.task_queue, command, env) as regie, \
            worker_process(client, BASELINE_QUEUE, [
                sys.executable, "-m", "bench.baseline_worker",
                client.service_client.config.target_host, BASELINE_QUEUE], {}) as base:
        for pair in range(pairs):
            batch = slice(pair * n, (pair + 1) * n)
            with Clock() as regie_clock, CpuMeter(regie.pid, server) as regie_cpu:
                await start_in_2026_round(sessions, client, scheme, settings.task_queue,
                                          apps[batch], references[batch])
                overview = Overview(sessions)
                await asyncio.gather(*(_life(overview, client, ref, people, team, grantee)
                                       for ref in references[batch]))
            if not shape:  # the baseline takes the shape of Regie's first grant
                shape = shape_of(await client.get_workflow_handle(
                    f"grant-{references[0]}").fetch_history())
            with Clock() as base_clock, CpuMeter(base.pid, server) as base_cpu:
                await asyncio.gather(*(_baseline(client, shape, f"baseline-{pair}-{i}")
                                       for i in range(n)))
            base_shape = shape_of(await client.get_workflow_handle(
                f"baseline-{pair}-0").fetch_history())
            ratios.append(base_clock.seconds / regie_clock.seconds)
            cpu_ratios.append(base_cpu.total() / regie_cpu.total())
            for name, clock, cpu, one in (("Regie", regie_clock, regie_cpu, shape),
                                          ("baseline", base_clock, base_cpu, base_shape)):
                rows.append([f"{name} {pair + 1}", n, clock.seconds, f"{n / clock.seconds:.2f}",
                             *(cpu.ms_per(who, n) for who in CpuMeter.PARTS),
                             f"{cpu.total() / n * 1000:.0f}",
                             *(one[k] for k in ("activities", "updates", "timers", "upserts",
                                                "events")), f"{one['kb']:.1f}"])
    await engine.dispose()
    await asyncio.to_thread(drop, url)

    table(f"Lifecycle throughput (dev server; Regie's records on {db_kind})",
          ["batch", "grants", "wall s", "grants/s", "CPU ms/grant: worker", "dev server",
           "postgresql", "driver", "all", "activities", "updates", "timers", "upserts",
           "events", "history KB"], rows)
    print("\na grant's activities: " + ", ".join(
        f"{name} {n}" for name, n in shape["per_activity"].most_common()), flush=True)
    median = statistics.median(ratios)
    print(f"\nratio Regie/baseline per pair: {', '.join(f'{r:.2f}' for r in ratios)}; "
          f"median {median:.2f} (goal: at least 0.8)", flush=True)
    print(f"the same for the CPU a grant costs all processes: "
          f"{', '.join(f'{r:.2f}' for r in cpu_ratios)}; median "
          f"{statistics.median(cpu_ratios):.2f}", flush=True)
    return {"ratios": ratios, "median": median, "shape": shape}


async def _baseline(client, shape: dict[str, int], workflow_id: str) -> None:
    """One baseline workflow with `shape`'s activities, Updates and timers, driven as Regie's
    grant is: each Update at once after the one before."""
    per_update = shape["activities"] // max(shape["updates"], 1)
    in_run = shape["activities"] - per_update * shape["updates"]
    handle = await client.start_workflow(
        BaselineWorkflow.run, [in_run, shape["updates"], shape["timers"], per_update],
        id=workflow_id, task_queue=BASELINE_QUEUE)
    for _ in range(shape["updates"]):
        await handle.execute_update(BaselineWorkflow.step, per_update)
    await handle.result()
