"""Privacy under time skipping: the personal data of an applicant who was not funded goes after
its term (24 months from the final outcome), drafts never submitted go 12 months after their
round closed; the anonymised record and the audit chain stay. A closed grant's history is kept
in Regie's database until then. A person downloads their data."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta, timezone

from sqlmodel import select

from activities.retention import REMOVED
from api.app import create_app
from api.auth import SESSION_COOKIE, open_session
from domain.lifecycle import Stage
from domain.retention import term_passed
from domain.types import DecisionInput
from regie import audit, grants, programme
from regie.db import session_factory
from regie.records import (
    Application, AuditEntry, DecisionRecord, KeptHistory, MailNotice, OutboxMail, Organisation,
    Person,
)
from regie.settings import Settings
from regie.worker import build_worker
from tests import factories, scenario
from tests.conftest import eventually, maybe_record, web_client
from tests.factories import actor_of
from tests.scenario import skip_to, stage_is


def test_terms_run_by_calendar_month():
    since = datetime(2027, 1, 31, 12, tzinfo=timezone.utc)
    assert not term_passed(since, 24, datetime(2029, 1, 30, tzinfo=timezone.utc))
    assert term_passed(since, 24, datetime(2029, 1, 31, tzinfo=timezone.utc))
    assert term_passed(datetime(2026, 8, 31, tzinfo=timezone.utc), 6,
                       datetime(2027, 2, 28, tzinfo=timezone.utc))  # no 31 February


async def test_personal_data_of_a_rejected_applicant_goes_after_its_term(
        time_env, tmp_path, db_url, engine, scheme):
    client, sessions = time_env.client, session_factory(engine)
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="",
                                 task_queue="retention")
    async with sessions() as db:
        people = await scenario.cast(db)
        await programme.ensure_programme(db, client, scheme, settings.task_queue)
        other = await db.get(Organisation, people.outsider.organisation_id)
        draft = await factories.application(db, other, scheme,
                                            factories.draft(round_id="2027"))
    async with build_worker(client, settings, sessions, scheme):
        reference = await scenario.grant_awaiting_decision(sessions, client, scheme,
                                                           settings.task_queue, people)
        await grants.act(client, reference, "decide", DecisionInput(
            actor=actor_of(people.team), award=False, amount_cents=0, reason="Onder de drempel."))
        decided = await time_env.get_current_time()

        # the applicant takes their data before anything goes
        app = create_app(settings, scheme, client)
        async with sessions() as db:
            token = await open_session(db, people.grantee)
        web = await web_client(app)
        web.cookies.set(SESSION_COOKIE, token)
        async with contextlib.aclosing(web):
            mine = (await web.get("/me/data.json")).json()
        assert mine["account"]["email"] == people.grantee.email
        assert [a["reference"] for a in mine["applications"]] == [reference]
        assert "password" not in str(mine) and factories.TOTP_SECRET not in str(mine)

        await programme.ensure_retention(client, scheme, settings.task_queue)
        await skip_to(time_env, decided + timedelta(weeks=7))
        await stage_is(client, reference, Stage.REJECTED_FINAL)
        await skip_to(time_env, decided + timedelta(days=30 * 23))
        async with sessions() as db:
            kept = (await db.exec(select(Application).where(
                Application.reference == reference))).one()
            assert kept.anonymised_at is None and kept.sections
            # its closed workflow's history is copied before Temporal's retention removes it
            copy = (await db.exec(select(KeptHistory).where(
                KeptHistory.workflow_id == f"grant-{reference}"))).one()
            assert '"EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED"' in copy.events
            assert await db.get(Application, draft.id) is None  # 12 months after 12-02-2027

        await skip_to(time_env, decided + timedelta(days=30 * 26))

        async def anonymised():
            async with sessions() as db:
                row = (await db.exec(select(Application).where(
                    Application.reference == reference))).one()
                return row if row.anonymised_at else None
        record = await eventually(anonymised)
        await maybe_record(client.get_workflow_handle(f"retention-{scheme.scheme.id}"),
                           "retention_v1.json")
        assert record.sections == {} and record.summary == ""
        assert (record.stage, record.round_id, record.requested_cents) == (
            "rejected_final", "2026", 86_000_00)
        async with sessions() as db:
            assert (await db.exec(select(DecisionRecord).where(
                DecisionRecord.application_id == record.id))).one().reason == "Onder de drempel."
            mails = (await db.exec(select(OutboxMail).where(
                OutboxMail.reference == reference))).all()
            assert mails and all(m.recipients == [] for m in mails)
            held = (await db.exec(select(MailNotice).where(
                MailNotice.reference == reference))).all()  # for the team's digest, say
            assert held and all(n.body == REMOVED for n in held)
            assert sorted((await db.exec(select(KeptHistory.workflow_id))).all()) == [
                "round-2025", "round-2026", "round-2027"]  # the grant's copy names people
            gone = await db.get(Person, people.grantee.id)
            assert not gone.active and people.grantee.email != gone.email
            assert (await db.get(Person, people.outsider.id)).active  # no application left
            assert (await db.get(Person, people.team.id)).active
            assert await audit.verify(db) == []  # the chain is intact
            entry = (await db.exec(select(AuditEntry).where(
                AuditEntry.action == "retention"))).all()
            assert reference in str([e.detail for e in entry])
