"""A grant misses no change made while its run awaits an activity. Found by the fault test: the
team accepted a grant's final report while the run was sending a reminder, and the grant then
waited in reporting until the programme's end. Under time skipping, with the reminder's mail
held until every report is in and accepted (patch `no-lost-wakeups`)."""

from __future__ import annotations

import asyncio

from temporalio import activity

from domain.lifecycle import Stage
from domain.types import ActivityReport, MailRequest, ReportReview, ReportSubmission
from regie import adoption, grants
from regie.spreadsheet import read_table
from regie.worker import activities, build_worker
from tests import factories, scenario
from tests.conftest import eventually, maybe_record
from tests.factories import actor_of


async def test_a_final_report_accepted_while_a_reminder_is_sent_moves_on_to_settlement(
        time_env, settings, sessions, scheme):
    client = time_env.client
    async with sessions() as db:
        people = await scenario.cast(db)
    team, grantee = actor_of(people.team), actor_of(people.grantee)
    today = adoption.local_today(scheme, await time_env.get_current_time())
    row = factories.programme_rows(scheme, today, count=2)[1]  # its first report overdue
    assert factories.CASES[1] == "overdue"
    row.update(organisatie="Universiteit Leiden", organisatietype="wo",
               contact_email=people.grantee.email, contactpersoon=people.grantee.name)
    table = read_table(adoption.template_bytes("een.csv", [row]), "een.csv")

    held, release = asyncio.Event(), asyncio.Event()
    bound = activities(client, settings, sessions, scheme)
    mail = next(a for a in bound if a.__name__ == "send_mail")

    @activity.defn(name="send_mail")
    async def reminder_held(req: MailRequest) -> None:
        if "/report_reminder-" in req.key:  # the run awaits this mail ...
            held.set()
            await release.wait()
        await mail(req)

    bound = [a for a in bound if a is not mail] + [reminder_held]
    async with build_worker(client, settings, sessions, scheme, bound):
        async with sessions() as db:
            result = await adoption.import_table(db, client, scheme, settings.task_queue,
                                                 table, "een.csv", team, today, dry_run=False)
        assert result.problems == []
        reference = result.new[0]
        await asyncio.wait_for(held.wait(), 30)

        # ... while the grantee reports and the team accepts every report, the final one too
        for report in (await grants.status(client, reference)).reports:
            if report.submitted_at is None:
                await grants.act(client, reference, "submit_report", ReportSubmission(
                    actor=grantee, report_index=report.index, summary="Gedaan.",
                    activities=(ActivityReport(title="Training", done="Gegeven."),)))
            if not report.accepted:
                await grants.act(client, reference, "review_report", ReportReview(
                    actor=team, report_index=report.index, accepted=True))
        assert (await grants.status(client, reference)).stage == Stage.REPORTING
        release.set()

        async def settling():
            status = await grants.status(client, reference)
            return status if status.stage == Stage.SETTLEMENT else None
        status = await eventually(settling, timeout=15)
        assert status.deadline is not None  # the settlement term runs
        await maybe_record(client.get_workflow_handle(f"grant-{reference}"),
                           "grant_final_review_during_reminder_v1.json")
