"""The whole programme under time skipping: the 2025 and 2026 grants imported at their stages,
the 2027 round opened, filled, assessed by two assessors per application, allocated within its
ceiling and decided, and then every funded project reporting month by month until reporting
closes in 2028, settled and archived. Wall time, and Temporal events per grant."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from pathlib import Path

from temporalio.client import WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from bench.common import BIN, Clock, table
from domain.lifecycle import STAGES, Role, Stage
from domain.types import (
    ActivityReport, AllocationApproval, AllocationConfirmation, AssessorRef, AssignAssessors,
    ReportReview,
    ReportSubmission, SettlementInput,
)
from regie import adoption, grants, histories, programme, rounds
from regie.applications import submit_draft
from regie.db import make_engine, migrate, session_factory
from regie.grants import ActionRefused
from regie.mail import applicant_contacts
from regie.records import Application
from regie.schemes import load_scheme
from regie.settings import Settings
from regie.spreadsheet import read_table
from regie.temporal import DATA_CONVERTER, register_search_attributes
from regie.worker import build_worker
from tests import dates, factories, scenario
from workflows.round import RoundWorkflow

# a skip waits for everything that falls due on the way; a month of 1,000 grants' reports
# takes minutes on a 2-core machine, and no skip takes hours
SKIP_DEADLINE = timedelta(hours=6)


async def _act(client, reference: str, update: str, command) -> bool:
    try:
        await grants.act(client, reference, update, command)
        return True
    except ActionRefused:
        return False


async def _report_month(client, references: list[str], team, grantees: dict, now) -> None:
    """What the grantees and the team do in a month: every prompted report in and accepted,
    every grant awaiting settlement settled."""
    async def one(reference: str) -> None:
        status = await grants.status(client, reference)
        if status.stage == Stage.SETTLEMENT and status.settlement is None:
            await _act(client, reference, "settle", SettlementInput(
                actor=team, final_cents=status.awarded_cents, reason="Conform."))
        if status.stage != Stage.REPORTING:
            return
        for report in status.reports:
            if report.accepted or not (report.prompted or report.due <= now.date()):
                continue
            if report.submitted_at is None:
                await _act(client, reference, "submit_report", ReportSubmission(
                    actor=grantees[reference], report_index=report.index, summary="Gedaan.",
                    activities=(ActivityReport(title="Activiteit", done="Gedaan."),)))
            await _act(client, reference, "review_report", ReportReview(
                actor=team, report_index=report.index, accepted=True))
    for start in range(0, len(references), 50):
        await asyncio.gather(*(one(r) for r in references[start:start + 50]))


async def run(folder: Path, applications: int = 1_000) -> dict:
    scheme_file = dates.write_scheme(folder)  # the tests' calendar (tests/dates.py)
    scheme = load_scheme(scheme_file)
    url = f"sqlite+aiosqlite:///{folder / 'programme.db'}"
    await asyncio.to_thread(migrate, url)
    engine = make_engine(url)
    sessions = session_factory(engine)
    settings = Settings.from_env(data_dir=folder / "programme", database_url=url,
                                 smtp_host="", task_queue="programme", scheme_file=scheme_file)
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(BIN / "temporal-test-server"),
        data_converter=DATA_CONVERTER)
    client = env.client
    phases: dict[str, float] = {}
    try:
        await register_search_attributes(client)
        imported_count = applications * 2 // 3
        new_count = applications - imported_count
        async with sessions() as db:
            people = await scenario.cast(db)
            await programme.ensure_programme(db, client, scheme, settings.task_queue)
            orgs, members = [], []
            for n in range(20):
                org = await factories.organisation(db, f"Instelling 2027-{n}", "wo")
                orgs.append(org)
                members.append(await factories.person(
                    db, Role.GRANTEE, f"lid{n}@instelling{n}.example", org))
            drafts = [await factories.application(db, orgs[n % 20], scheme, factories.draft(
                "2027", f"Project 2027-{n + 1:04d}")) for n in range(new_count)]
            second = factories.actor_of(await factories.person(  # approves the allocation
                db, Role.PROGRAMME_TEAM, "collega@example.nl"))
        team = factories.actor_of(people.team)
        panel = (people.assessor, people.second_assessor)
        today = (await env.get_current_time()).date()

        async with build_worker(client, settings, sessions, scheme):
            with Clock() as total:
                with Clock() as c:  # the 2025 and 2026 grants come along
                    rows = factories.programme_rows(scheme, today, imported_count,
                                                    euros=10_000, step=0)
                    for n, row in enumerate(rows):  # organisations of a few contacts each
                        row["organisatie"], row["organisatietype"] = f"Instelling {n // 3}", "wo"
                    async with sessions() as db:
                        result = await adoption.import_table(
                            db, client, scheme, settings.task_queue,
                            read_table(adoption.template_bytes("p.csv", rows), "p.csv"),
                            "p.csv", team, today, dry_run=False)
                    assert not result.problems, result.problems[:3]
                phases["import 2025-2026"] = c.seconds

                with Clock() as c:  # the 2027 round: submitted, closed, assessed, allocated
                    await scenario.skip_to(env, dates.opens(scheme, "2027") + timedelta(hours=2),
                                           SKIP_DEADLINE)
                    fresh = []
                    for n, draft in enumerate(drafts):
                        async with sessions() as db:
                            fresh.append(await submit_draft(
                                db, client, scheme, draft, factories.actor_of(members[n % 20])))
                    await scenario.skip_to(env, dates.closes(scheme, "2027") + timedelta(hours=1),
                                           SKIP_DEADLINE)
                    assign = AssignAssessors(actor=team, assessors=tuple(
                        AssessorRef(user_id=p.id, name=p.name, organisation_id=p.organisation_id)
                        for p in panel))
                    for n, reference in enumerate(fresh):
                        await scenario.stage_is(client, reference, Stage.ASSESSMENT)
                        await grants.act(client, reference, "assign_assessors", assign)
                        quality = 2 + n % 4  # a quarter under the threshold
                        for assessor in panel:
                            await grants.act(client, reference, "submit_score", scenario.score(
                                factories.actor_of(assessor), quality))
                    handle = client.get_workflow_handle_for(
                        RoundWorkflow.run, rounds.round_workflow_id("2027"))
                    while (await handle.query(RoundWorkflow.status)).phase != "proposed":
                        await asyncio.sleep(0.2)
                    try:
                        await handle.execute_update(RoundWorkflow.confirm_allocation,
                                                    AllocationConfirmation(actor=team))
                        await handle.execute_update(RoundWorkflow.approve_allocation,
                                                    AllocationApproval(actor=second))
                    except WorkflowUpdateFailedError as exc:
                        raise RuntimeError(f"confirmation or approval refused: {exc.cause}"
                                           ) from None
                    while (await handle.query(RoundWorkflow.status)).phase != "decided":
                        await asyncio.sleep(0.2)
                phases["2027 round"] = c.seconds

                with Clock() as c:  # reporting, month by month, to the end
                    async with sessions() as db:
                        apps = (await db.exec(Application.__table__.select().where(
                            Application.reference.is_not(None)))).all()
                    references = [a.reference for a in apps]
                    contact = {}
                    async with sessions() as db:  # each grant's own organisation reports
                        for a in apps:
                            person = (await applicant_contacts(db, a.organisation_id))[0]
                            contact[a.reference] = factories.actor_of(person)
                    now = await env.get_current_time()
                    week = 0
                    while now < dates.utc(2028, 4, 1):
                        if week % 4 == 0:
                            await _report_month(client, references, team, contact, now)
                        now += timedelta(days=7)  # a week at a time
                        await scenario.skip_to(env, now, SKIP_DEADLINE)
                        week += 1
                phases["reporting to 2028"] = c.seconds

            stages = Counter()
            events = 0
            for reference in references:
                status = await grants.status(client, reference)
                stages[status.stage] += 1
                history = await client.get_workflow_handle(f"grant-{reference}").fetch_history()
                events += len(history.events)
            round_id = rounds.round_workflow_id("2027")
            async with sessions() as db:
                runs = await histories.runs(client, db, round_id)
            round_runs = [len((await client.get_workflow_handle(
                round_id, run_id=run.run_id).fetch_history()).events) for run in reversed(runs)]
    finally:
        await env.shutdown()
        await engine.dispose()

    table(f"Whole programme under time skipping ({len(references)} grants: "
          f"{imported_count} imported, {new_count} in the 2027 round)",
          ["phase", "wall s"], [[name, seconds] for name, seconds in phases.items()]
          + [["total", total.seconds]])
    print(f"\nTemporal events per grant: {events / len(references):.0f}; "
          f"grants per wall-clock second: {len(references) / total.seconds:.1f}")
    print("the 2027 round's runs, oldest first (events): "
          + ", ".join(str(n) for n in round_runs))
    print("where the grants ended: " + ", ".join(
        f"{STAGES[s].staff_name.en.lower()}: {n}" for s, n in stages.most_common()),
        flush=True)
    return {"seconds": total.seconds, "events_per_grant": events / len(references)}
