"""One grant through all six stages under the time-skipping server: years pass in seconds."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

from sqlmodel import select

from domain.lifecycle import Role, Stage
from domain.types import (
    AssessorRef,
    AssignAssessors,
    DecisionInput,
    ReportKind,
    ReportReview,
    ReportSubmission,
    SettlementInput,
)
from regie import grants
from regie.programme import ensure_programme
from regie.records import Application, GrantEvent, KnowledgeEntry
from regie.settings import Settings
from regie.temporal import grant_workflow_id
from regie.worker import build_worker
from tests import dates, factories
from tests.conftest import eventually, maybe_record
from tests.scenario import patch_markers, score, skip_to, stage_is
from workflows.grant import FOLD_2026_12, REPORT_DAYS, WHOLE_DAYS, GrantWorkflow

async def test_grant_through_every_stage(time_env, tmp_path, db_url, sessions, scheme, smtp):
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, task_queue="lifecycle",
                                 smtp_host="127.0.0.1", smtp_port=smtp.port)
    client = time_env.client
    async with sessions() as db:
        org = await factories.organisation(db)
        other = await factories.organisation(db, "Hogeschool Utrecht", "hbo")
        grantee = await factories.person(db, Role.GRANTEE, "projectleider@uu.nl", org)
        await factories.person(db, Role.PROGRAMME_TEAM, "team@regiegroep.nl")
        assessors = [await factories.person(db, Role.ASSESSOR, f"beoordelaar{i}@hu.nl", other)
                     for i in (1, 2)]
        app = await factories.application(db, org, scheme,
                                          factories.draft(activity_end=dates.day(2027, 12, 31)))
        await ensure_programme(db, client, scheme, settings.task_queue)
        reference = "SV2026-0001"
        await grants.start(db, client, scheme, app, reference, factories.IN_2026_ROUND,
                           settings.task_queue, round_closed=True)
    team = factories.actor_of(await _person(sessions, "team@regiegroep.nl"))
    applicant = factories.actor_of(grantee)

    async with build_worker(client, settings, sessions, scheme):
        # submission -> eligibility check -> assessment
        await stage_is(client, reference, Stage.ASSESSMENT)
        await grants.act(client, reference, "assign_assessors", AssignAssessors(
            actor=team, assessors=tuple(AssessorRef(user_id=a.id, name=a.name,
                                                    organisation_id=a.organisation_id)
                                        for a in assessors)))
        for a in assessors:
            await grants.act(client, reference, "submit_score", score(factories.actor_of(a)))
        # scoring -> decision -> reporting
        await stage_is(client, reference, Stage.DECISION)
        await grants.act(client, reference, "decide", DecisionInput(
            actor=team, award=True, amount_cents=app.requested_cents, reason="Rang 3 van 30."))
        await stage_is(client, reference, Stage.REPORTING)
        reports = (await grants.status(client, reference)).reports
        assert [r.kind for r in reports] == [ReportKind.PROGRESS, ReportKind.PROGRESS,
                                             ReportKind.FINAL]
        assert reports[-1].due == dates.day(2028, 2, 25)  # capped at the scheme's reporting_closes

        # months after the award, the first progress report is prompted
        await skip_to(time_env, datetime.combine(reports[0].due, datetime.min.time(),
                                                 tzinfo=timezone.utc))
        await eventually(_has_mail(smtp, "Rapportage 1 gevraagd"))
        await grants.act(client, reference, "submit_report", ReportSubmission(
            actor=applicant, report_index=0, summary="Twee trainingen gegeven."))
        await grants.act(client, reference, "review_report", ReportReview(
            actor=team, report_index=0, accepted=True))

        # the second report is missed: reminder on the due date, escalation after the grace
        await skip_to(time_env, dates.utc(2027, 12, 20))
        await eventually(_has_mail(smtp, "Rapportage te laat"))
        assert any("rapportage 2 vandaag" in s for s in smtp.subjects()), smtp.subjects()
        await grants.act(client, reference, "submit_report", ReportSubmission(
            actor=applicant, report_index=1, summary="Derde training, later dan gepland."))
        await grants.act(client, reference, "review_report", ReportReview(
            actor=team, report_index=1, accepted=True))

        # the projects' end has passed: the final report is asked for and the team is flagged
        await skip_to(time_env, dates.utc(2028, 1, 2))
        end = f"{scheme.scheme.projects_end:%d-%m-%Y}"
        await eventually(_has_mail(smtp, f"Project loopt nog na {end}"))
        assert any("Einde project" in s for s in smtp.subjects())
        await grants.act(client, reference, "submit_report", ReportSubmission(
            actor=applicant, report_index=2,
            summary="Meldpunt ingericht; de cultuurscan laat verbetering zien."))
        await grants.act(client, reference, "review_report", ReportReview(
            actor=team, report_index=2, accepted=True))

        # settlement (vaststelling) within its term, then archival into the knowledge centre
        await stage_is(client, reference, Stage.SETTLEMENT)
        await grants.act(client, reference, "settle", SettlementInput(
            actor=team, final_cents=app.requested_cents, reason="Alles uitgevoerd zoals gepland."))
        handle = client.get_workflow_handle_for(GrantWorkflow.run, grant_workflow_id(reference))
        result = await asyncio.wait_for(handle.result(), 60)
        assert result.stage == Stage.ARCHIVED
        await maybe_record(handle, "grant_lifecycle_v2.json")
        await maybe_record(handle, "grant_lifecycle_v3.json")
        # a grant started now takes every patch of the fold through its one marker, and asks
        # each patch since as before
        assert patch_markers(await handle.fetch_history()) == [FOLD_2026_12, WHOLE_DAYS,
                                                               REPORT_DAYS]

    async with sessions() as db:
        entry = (await db.exec(select(KnowledgeEntry))).one()
        assert entry.reference == reference and "cultuurscan" in entry.results
        stored = (await db.exec(select(Application))).one()
        assert stored.stage == "archived" and stored.awarded_cents == app.requested_cents
        stages = [e.stage for e in (await db.exec(select(GrantEvent).order_by(GrantEvent.seq)))]
        assert stages[0] == "eligibility_check" and stages[-1] == "archived"
    # every mail went out exactly once
    assert len(smtp.subjects()) == len(set(m["X-Regie-Key"] for m in smtp.messages))


def _has_mail(smtp, subject_part: str):
    async def check():
        return any(subject_part in s for s in smtp.subjects())
    return check


async def _person(sessions, email):
    from regie.records import Person
    async with sessions() as db:
        return (await db.exec(select(Person).where(Person.email == email))).one()
