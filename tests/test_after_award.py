"""After the award, under time skipping: prompts with personal links, a reminder and an
escalation, a change that moves the final report, settlement lower than awarded (the ledger
follows, the letter asks repayment), and the project in the knowledge centre; a project that
stops a month after its award."""

from __future__ import annotations

import asyncio
import re
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlmodel import select

from domain.lifecycle import Stage
from domain.schedules import add_months, local_day
from domain.terms import day_end, working_day_from
from domain.types import (
    SYSTEM, ActivityReport, AttachmentRef, AwardAmendment, ChangeDecision, ChangeRequest,
    DeadlineMove, DecisionInput, ReportKind, ReportReview, ReportSubmission, SetCommitment,
    SettlementInput,
)
from regie import grants, programme
from regie.db import session_factory
from regie.grants import ActionRefused
from regie.knowledge import search
from regie.links import read_report_token
from regie.records import Application, GrantEvent, Letter
from regie.settings import Settings
from regie.temporal import grant_workflow_id
from regie.worker import build_worker
from tests import dates, factories, scenario
from tests.conftest import eventually, maybe_record
from tests.factories import actor_of
from tests.scenario import score, skip_to, stage_is
from workflows.grant import GrantWorkflow


@pytest.mark.parametrize("moment, day", [
    (datetime(2027, 1, 15, 22, 59, tzinfo=timezone.utc), date(2027, 1, 15)),  # 23:59 (CET)
    (datetime(2027, 1, 15, 23, 0, tzinfo=timezone.utc), date(2027, 1, 16)),  # midnight (CET)
    (datetime(2027, 6, 15, 21, 59, tzinfo=timezone.utc), date(2027, 6, 15)),  # 23:59 (CEST)
    (datetime(2027, 6, 15, 22, 0, tzinfo=timezone.utc), date(2027, 6, 16))])  # midnight (CEST)
def test_an_award_falls_on_its_day_in_the_netherlands(moment, day):
    assert local_day(moment, "Europe/Amsterdam") == day
    assert local_day(moment, None) == moment.date()  # grants started before they knew the zone


def _morning(day: date) -> datetime:
    """An hour after the notices of `day` go out (08:00 UTC)."""
    return datetime.combine(day, time(9), tzinfo=timezone.utc)


def _mail_to(smtp, prefix: str):
    async def check():
        return [m for m in smtp.messages if str(m["Subject"]).startswith(prefix)]
    return check


async def test_from_award_to_the_knowledge_centre(time_env, tmp_path, db_url, engine, scheme,
                                                  smtp):
    client, sessions = time_env.client, session_factory(engine)
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, task_queue="after",
                                 smtp_host="127.0.0.1", smtp_port=smtp.port)
    async with sessions() as db:
        people = await scenario.cast(db)
        await programme.ensure_programme(db, client, scheme, settings.task_queue)
    team, grantee = actor_of(people.team), actor_of(people.grantee)
    started = await time_env.get_current_time()
    async with build_worker(client, settings, sessions, scheme):
        reference = await scenario.grant_awaiting_decision(sessions, client, scheme,
                                                           settings.task_queue, people)
        await grants.act(client, reference, "decide", DecisionInput(
            actor=team, award=True, amount_cents=86_000_00, reason="Gehonoreerd."))
        # reports are due every six months from the award's day in the Netherlands (today), or
        # the first working day after
        awarded = local_day(await time_env.get_current_time(), scheme.scheme.timezone)
        first, second = (working_day_from(add_months(awarded, n)) for n in (6, 12))
        rules = scheme.reporting(scheme.round("2026"))
        await stage_is(client, reference, Stage.REPORTING)
        async def published():  # every funded project is in the knowledge centre from its award
            async with sessions() as db:
                return [e.reference for e in await search(db, pillar="omgangscultuur")]
        assert await eventually(published) == [reference]
        before = (await grants.status(client, reference)).reports
        assert [r.due for r in before] == [first, working_day_from(dates.day(2027, 8, 25))]

        # an extension to the projects' last day, 31-12-2027, and not a day later: the reports
        # move with it
        last_day = scheme.scheme.projects_end
        with pytest.raises(ActionRefused, match=f"na {last_day:%d-%m-%Y}"):
            await grants.act(client, reference, "request_change", ChangeRequest(
                actor=grantee, kind="extension", description="Later",
                new_last_activity_end=last_day + timedelta(days=1)))
        await grants.act(client, reference, "request_change", ChangeRequest(
            actor=grantee, kind="extension", description="De cultuurscan loopt door tot december.",
            new_last_activity_end=last_day))
        await grants.act(client, reference, "decide_change", ChangeDecision(
            actor=team, approve=True, reason="Past binnen de looptijd."))
        after = (await grants.status(client, reference)).reports
        assert [(r.kind, r.due) for r in after] == [
            (ReportKind.PROGRESS, first), (ReportKind.PROGRESS, second),
            (ReportKind.FINAL, dates.day(2028, 2, 25))]  # 8 weeks on; reporting closes then

        # the first prompt: one mail per contact, with a personal signed link
        await skip_to(time_env, _morning(first - timedelta(days=rules.prompt_before_days)))
        prompts = await eventually(_mail_to(smtp, "Rapportage 1 gevraagd"))
        assert [m["To"] for m in prompts] == [people.grantee.email]
        body = prompts[0].get_body(("plain",)).get_content()
        assert f"Rapportage 1 (voortgangsrapportage) van \"Veilig op de werkvloer\" is " \
               f"uiterlijk {first:%d-%m-%Y} verwacht" in body
        assert "Report 1 (progress report) of" in body
        link = re.search(r"/report/([\w-]+\.[0-9a-f]+)", body)
        assert read_report_token(settings.verifying_keys, link.group(1))[1:] == (reference, 0)
        await grants.act(client, reference, "submit_report", ReportSubmission(
            actor=grantee, report_index=0, summary="Twee trainingen gegeven.",
            activities=(ActivityReport(title="Training omstanders", done="Twee trainingen."),)))
        await grants.act(client, reference, "review_report", ReportReview(
            actor=team, report_index=0, accepted=True))

        # the second report is missed: a reminder on the day, the team alerted after the grace
        await skip_to(time_env, _morning(second + timedelta(days=rules.grace_days)))
        await eventually(_mail_to(smtp, "Herinnering: rapportage 2 vandaag"))
        await eventually(_mail_to(smtp, f"Rapportage te laat: {reference}"))
        await grants.act(client, reference, "submit_report", ReportSubmission(
            actor=grantee, report_index=1, summary="Derde training in november."))
        await grants.act(client, reference, "review_report", ReportReview(
            actor=team, report_index=1, accepted=True))

        # the final report after the projects' end; this size needs no auditor's statement
        await skip_to(time_env, dates.utc(2028, 2, 1))
        await grants.act(client, reference, "submit_report", ReportSubmission(
            actor=grantee, report_index=2,
            summary="Omstandersinterventie werkt: meldingen namen toe, incidenten af.",
            lessons="Train leidinggevenden eerst.",
            attachments=(AttachmentRef(id=1, name="eindverslag.pdf", public=True),)))
        await grants.act(client, reference, "review_report", ReportReview(
            actor=team, report_index=2, accepted=True))
        await stage_is(client, reference, Stage.SETTLEMENT)

        # the settlement term (22 weeks) passes: the team is alerted, and settles in 2029;
        # one activity cost less and the advance was paid in full, so money comes back
        await skip_to(time_env, dates.utc(2028, 3, 1))
        await grants.act(client, reference, "move_deadline", DeadlineMove(
            actor=team, deadline=dates.utc(2028, 7, 1),
            reason="De accountant heeft meer tijd nodig."))
        assert (await grants.status(client, reference)).deadline.date() == dates.day(2028, 7, 1)
        await skip_to(time_env, dates.utc(2029, 6, 1))
        await eventually(_mail_to(smtp, f"Besluit te laat: {reference}"))
        with pytest.raises(ActionRefused, match="tussen 0 en het toegekende bedrag"):
            await grants.act(client, reference, "settle", SettlementInput(
                actor=team, final_cents=90_000_00, reason="te veel"))
        await grants.act(client, reference, "settle", SettlementInput(
            actor=team, final_cents=70_000_00, reason="Activiteit 2 kostte minder."))
        handle = client.get_workflow_handle_for(GrantWorkflow.run, grant_workflow_id(reference))
        result = await asyncio.wait_for(handle.result(), 60)
        assert result.stage == Stage.ARCHIVED
        assert result.settlement.balance_cents == -16_000_00
        await maybe_record(handle, "grant_change_settlement_v1.json")  # before handlers-finish
        await maybe_record(handle, "grant_change_settlement_v2.json")
        ledger = await programme.ledger(client, scheme.scheme.id)
        assert ledger.committed_cents == 70_000_00
        letter = (await eventually(_mail_to(smtp, f"Vaststelling subsidie {reference}")))[0]
        assert "U betaalt € 16.000,00 terug" in letter.get_body(("plain",)).get_content()
    elapsed = await time_env.get_current_time() - started
    assert elapsed > timedelta(days=910)  # two and a half years of the grant's life, in seconds

    async with sessions() as db:
        found = await search(db, "omstandersinterventie")
        assert [e.reference for e in found] == [reference]
        assert found[0].lessons == "Train leidinggevenden eerst."
        assert found[0].documents == [{"id": 1, "name": "eindverslag.pdf"}]
        assert found[0].amount_cents == 70_000_00


async def test_a_project_that_stops_after_the_award_is_settled_for_what_it_did(
        time_env, tmp_path, db_url, engine, scheme):
    """A month after the award the project cannot go on. The grantee asks to end it early (a
    change of planning to an earlier last day, a Saturday); approved, only the final report is
    left, due eight weeks after the new last day, a Saturday too: on the Monday after (or the
    first working day after it; the grant asks `report-due-working-days`). It tells what was
    done; the team settles the costs made, and the rest of the award returns to the round's
    budget."""
    client, sessions = time_env.client, session_factory(engine)
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="",
                                 task_queue="stops-early")
    async with sessions() as db:
        people = await scenario.cast(db)
        await programme.ensure_programme(db, client, scheme, settings.task_queue)
    team, grantee = actor_of(people.team), actor_of(people.grantee)
    async with build_worker(client, settings, sessions, scheme):
        reference = await scenario.grant_awaiting_decision(sessions, client, scheme,
                                                           settings.task_queue, people)
        await grants.act(client, reference, "decide", DecisionInput(
            actor=team, award=True, amount_cents=86_000_00, reason="Gehonoreerd."))
        await stage_is(client, reference, Stage.REPORTING)
        async with sessions() as db:
            round_id = (await db.exec(select(Application.round_id).where(
                Application.reference == reference))).one()
        committed = {r.round_id: r.committed_cents
                     for r in (await programme.ledger(client, scheme.scheme.id)).rounds}
        awarded = local_day(await time_env.get_current_time(), scheme.scheme.timezone)

        stop = awarded + timedelta(days=30)
        stop += timedelta(days=(5 - stop.weekday()) % 7)  # a Saturday
        await skip_to(time_env, _morning(awarded + timedelta(days=20)))
        await grants.act(client, reference, "request_change", ChangeRequest(
            actor=grantee, kind="planning", new_last_activity_end=stop,
            description="De projectleider is vertrokken; we stoppen na de eerste training."))
        await grants.act(client, reference, "decide_change", ChangeDecision(
            actor=team, approve=True, reason="Stoppen is verstandig; verantwoord wat er is."))
        reports = (await grants.status(client, reference)).reports
        due = working_day_from(stop + timedelta(weeks=8))
        assert due.weekday() < 5 and due - (stop + timedelta(weeks=8)) >= timedelta(days=2)
        assert [(r.kind, r.due) for r in reports] == [(ReportKind.FINAL, due)]
        assert (await grants.status(client, reference)).deadline == day_end(
            due, scheme.scheme.timezone)  # to the end of that day

        await skip_to(time_env, _morning(stop + timedelta(days=7)))
        await grants.act(client, reference, "submit_report", ReportSubmission(
            actor=grantee, report_index=0, summary="Eén training gegeven; daarna gestopt.",
            lessons="Beleg het project bij meer dan één persoon."))
        await grants.act(client, reference, "review_report", ReportReview(
            actor=team, report_index=0, accepted=True))
        await stage_is(client, reference, Stage.SETTLEMENT)
        await grants.act(client, reference, "settle", SettlementInput(
            actor=team, final_cents=12_000_00, reason="Alleen de eerste training uitgevoerd."))
        handle = client.get_workflow_handle_for(GrantWorkflow.run, grant_workflow_id(reference))
        result = await asyncio.wait_for(handle.result(), 60)
        assert result.stage == Stage.ARCHIVED
        assert result.settlement.balance_cents == -74_000_00  # the advance, less the costs
        await maybe_record(handle, "grant_report_due_working_day_v1.json")
        after = {r.round_id: r.committed_cents
                 for r in (await programme.ledger(client, scheme.scheme.id)).rounds}
        assert committed[round_id] - after[round_id] == 74_000_00
    async with sessions() as db:  # in the knowledge centre: what it cost, what it taught
        found = await search(db, "meer dan één persoon")
        assert [(e.reference, e.amount_cents) for e in found] == [(reference, 12_000_00)]


async def test_a_large_grant_needs_an_auditors_statement(time_env, tmp_path, db_url, engine,
                                                        scheme):
    client, sessions = time_env.client, session_factory(engine)
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="",
                                 task_queue="auditor")
    async with sessions() as db:
        people = await scenario.cast(db)
        await programme.ensure_programme(db, client, scheme, settings.task_queue)
        org = await db.get(__import__("regie.records", fromlist=["Organisation"]).Organisation,
                           people.grantee.organisation_id)
        big = factories.draft()
        big.activities[1].lines[0].hours = 1500  # 1500 × € 115: above € 125.000 in all
        app = await factories.application(db, org, scheme, big)
        await grants.start(db, client, scheme, app, "SV2026-0900", factories.IN_2026_ROUND,
                           settings.task_queue, round_closed=True)
    team, grantee = actor_of(people.team), actor_of(people.grantee)
    async with build_worker(client, settings, sessions, scheme):
        await stage_is(client, "SV2026-0900", Stage.ASSESSMENT)
        from domain.types import AssessorRef, AssignAssessors
        await grants.act(client, "SV2026-0900", "assign_assessors", AssignAssessors(
            actor=team, assessors=tuple(AssessorRef(user_id=p.id, name=p.name)
                                        for p in (people.assessor, people.second_assessor))))
        for assessor in (people.assessor, people.second_assessor):
            await grants.act(client, "SV2026-0900", "submit_score", score(actor_of(assessor)))
        await stage_is(client, "SV2026-0900", Stage.DECISION)
        # decided at 23:30 UTC: half past midnight in the Netherlands, so the award's day, from
        # which its reports run, is tomorrow's
        now = await time_env.get_current_time()
        late = datetime.combine(now.date(), time(23, 30), tzinfo=timezone.utc)
        late += timedelta(days=1) if late <= now else timedelta()
        await skip_to(time_env, late)
        await grants.act(client, "SV2026-0900", "decide", DecisionInput(
            actor=team, award=True, amount_cents=app.requested_cents, reason="Gehonoreerd."))
        await stage_is(client, "SV2026-0900", Stage.REPORTING)
        reports = (await grants.status(client, "SV2026-0900")).reports
        assert reports[0].due == working_day_from(add_months(late.date() + timedelta(days=1), 6))
        final = (await grants.status(client, "SV2026-0900")).reports[-1].index
        with pytest.raises(ActionRefused, match="controleverklaring"):
            await grants.act(client, "SV2026-0900", "submit_report", ReportSubmission(
                actor=grantee, report_index=final, summary="Klaar."))
        await grants.act(client, "SV2026-0900", "submit_report", ReportSubmission(
            actor=grantee, report_index=final, summary="Klaar.",
            attachments=(AttachmentRef(id=7, name="verklaring.pdf", kind="auditor_statement"),)))


async def test_an_award_amended_while_the_project_runs(time_env, tmp_path, db_url, engine, scheme,
                                                        smtp):
    """An award of € 86.000 lowered to € 60.000 (a wijzigingsbesluit): the ledger frees the
    rest, the grantee gets the decision with the advance to repay, the read model and the
    knowledge centre show the new amount. The round's money is then nearly all committed: a
    raise beyond what it has left is refused by the ledger, one within it taken. A raise
    beyond the amount asked, an amendment to the same amount and one by the grantee are
    refused with the reason. The project ends early; the settlement counts from the amended
    award and may not exceed it."""
    client, sessions = time_env.client, session_factory(engine)
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, task_queue="amended",
                                 smtp_host="127.0.0.1", smtp_port=smtp.port)
    async with sessions() as db:
        people = await scenario.cast(db)
        await programme.ensure_programme(db, client, scheme, settings.task_queue)
    team, grantee = actor_of(people.team), actor_of(people.grantee)

    async def round_ledger():
        return next(r for r in (await programme.ledger(client, scheme.scheme.id)).rounds
                    if r.round_id == "2026")

    async with build_worker(client, settings, sessions, scheme):
        reference = await scenario.grant_awaiting_decision(sessions, client, scheme,
                                                           settings.task_queue, people)
        await grants.act(client, reference, "decide", DecisionInput(
            actor=team, award=True, amount_cents=86_000_00, reason="Gehonoreerd."))
        await stage_is(client, reference, Stage.REPORTING)
        committed = (await round_ledger()).committed_cents

        for actor, cents, refusal in (
                (team, 86_000_01, r"niet hoger zijn dan de aangevraagde € 86\.000,00"),
                (team, 86_000_00, r"De subsidie is al € 86\.000,00"),
                (grantee, 60_000_00, "Alleen Programmateam mag .Toekenning wijzigen")):
            with pytest.raises(ActionRefused, match=refusal):
                await grants.act(client, reference, "amend_award", AwardAmendment(
                    actor=actor, amount_cents=cents, reason="x"))
        await grants.act(client, reference, "amend_award", AwardAmendment(
            actor=team, amount_cents=60_000_00, reason="Bezwaar tegen de begroting: de "
                                                       "cultuurscan valt buiten de regeling."))
        assert (await grants.status(client, reference)).awarded_cents == 60_000_00
        assert (await round_ledger()).committed_cents == committed - 26_000_00
        letter = (await eventually(_mail_to(smtp, f"Wijziging subsidie {reference}")))[0]
        body = letter.get_body(("plain",)).get_content()
        assert "het bedrag wordt € 60.000,00 (was € 86.000,00)" in body
        assert "omlaag: u betaalt € 26.000,00 terug" in body  # the advance is the whole award
        assert "Toelichting: Bezwaar tegen de begroting" in body
        assert "its amount becomes € 60.000,00 (it was € 86.000,00)" in body
        assert [a.get_filename() for a in letter.iter_attachments()] == [
            f"{reference}-amendment-{amendment_seq}.pdf" for amendment_seq in
            [int(re.search(r"amendment-(\d+)\.pdf", str(letter)).group(1))]]

        async def in_knowledge_centre():
            async with sessions() as db:
                return [e.amount_cents for e in await search(db, pillar="omgangscultuur")]
        assert await eventually(in_knowledge_centre) == [60_000_00]

        # the round has € 10.000 left: a raise of € 20.000 is refused (the ledger counts the
        # grant's € 60.000 as its own to move), one of € 10.000 taken
        room = await round_ledger()
        await programme.set_commitment(client, scheme.scheme.id, SetCommitment(
            actor=SYSTEM, reference="SV2026-9999", round_id="2026",
            amount_cents=room.ceiling_cents - room.committed_cents - 10_000_00, reason="vol"))
        with pytest.raises(ActionRefused,
                           match=r"nog € 70\.000,00 over in ronde 2026; € 80\.000,00 past niet"):
            await grants.act(client, reference, "amend_award", AwardAmendment(
                actor=team, amount_cents=80_000_00, reason="Toch de cultuurscan."))
        assert (await grants.status(client, reference)).awarded_cents == 60_000_00
        await grants.act(client, reference, "amend_award", AwardAmendment(
            actor=team, amount_cents=70_000_00, reason="De helft van de cultuurscan."))
        assert (await round_ledger()).ceiling_cents == (await round_ledger()).committed_cents
        raised = await eventually(_mail_to(smtp, f"Wijziging subsidie {reference}"))
        assert len(raised) == 2
        assert "wij betalen u nog € 10.000,00, zodat u € 70.000,00 als voorschot ontvangt" in \
            raised[1].get_body(("plain",)).get_content()

        # the project stops; the settlement counts from € 70.000, and no more
        awarded = local_day(await time_env.get_current_time(), scheme.scheme.timezone)
        await grants.act(client, reference, "request_change", ChangeRequest(
            actor=grantee, kind="planning", new_last_activity_end=awarded + timedelta(days=30),
            description="Het project stopt na de trainingen."))
        await grants.act(client, reference, "decide_change", ChangeDecision(
            actor=team, approve=True, reason="Akkoord."))
        await skip_to(time_env, _morning(awarded + timedelta(days=40)))
        await grants.act(client, reference, "submit_report", ReportSubmission(
            actor=grantee, report_index=0, summary="Trainingen gegeven; gestopt."))
        await grants.act(client, reference, "review_report", ReportReview(
            actor=team, report_index=0, accepted=True))
        await stage_is(client, reference, Stage.SETTLEMENT)
        with pytest.raises(ActionRefused, match="'amend_award' kan niet in fase"):
            await grants.act(client, reference, "amend_award", AwardAmendment(
                actor=team, amount_cents=50_000_00, reason="te laat"))
        with pytest.raises(ActionRefused, match="tussen 0 en het toegekende bedrag"):
            await grants.act(client, reference, "settle", SettlementInput(
                actor=team, final_cents=70_000_01, reason="te veel"))
        await grants.act(client, reference, "settle", SettlementInput(
            actor=team, final_cents=70_000_00, reason="Zoals gewijzigd uitgevoerd."))
        handle = client.get_workflow_handle_for(GrantWorkflow.run, grant_workflow_id(reference))
        result = await asyncio.wait_for(handle.result(), 60)
        assert (result.settlement.awarded_cents, result.settlement.balance_cents) == (70_000_00, 0)
        await maybe_record(handle, "grant_award_amended_v1.json")
    async with sessions() as db:
        app = (await db.exec(select(Application).where(
            Application.reference == reference))).one()
        assert app.awarded_cents == 70_000_00
        amended = (await db.exec(select(GrantEvent.amount_cents, GrantEvent.note).where(
            GrantEvent.application_id == app.id, GrantEvent.action == "amend_award")
            .order_by(GrantEvent.seq))).all()
        assert amended == [
            (60_000_00, "€ 86.000,00 → € 60.000,00: Bezwaar tegen de begroting: de cultuurscan "
                        "valt buiten de regeling."),
            (70_000_00, "€ 60.000,00 → € 70.000,00: De helft van de cultuurscan.")]
        letters = (await db.exec(select(Letter.kind, Letter.file_name).where(
            Letter.reference == reference).order_by(Letter.id))).all()
        assert [kind for kind, _ in letters] == ["award", "amendment", "amendment", "settlement"]
        assert len({name for _, name in letters}) == 4  # each its own file
