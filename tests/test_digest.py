"""A grant's mail to an assessor or to the programme team waits for the recipients' digest: an
assessor's new assignments reach them as one e-mail once the team has stopped assigning for the
scheme's quiet time (an assignment taken back before then is not in it, one made after it brings
a digest of its own); the reminders and the team's notices of a common deadline come as one
mail each; a digest of one mail is that mail."""

from __future__ import annotations

import re
from datetime import timedelta, timezone

from sqlmodel import select
from temporalio.api.enums.v1 import EventType
from temporalio.testing import ActivityEnvironment

from activities.mail import LONGEST_QUIETS, MailActivities
from domain import terms
from domain.lifecycle import Role, Stage
from domain.types import DigestParams, DigestRequest
from regie import grants
from regie.db import session_factory
from regie.records import AssessorAssignment, MailNotice, Organisation, OutboxMail
from regie.settings import Settings
from regie.worker import build_worker
from tests import factories, scenario
from tests.conftest import eventually, maybe_record
from workflows.digest import DigestWorkflow, digest_workflow_id


def _digests(smtp) -> dict[str, list]:
    """The digests each recipient received, in order."""
    received: dict[str, list] = {}
    for message in smtp.messages:
        if "/digest-" in str(message["X-Regie-Key"]):
            received.setdefault(str(message["To"]), []).append(message)
    return received


def _listed(message) -> list[str]:
    """The subjects of the mails a digest lists."""
    return _listed_in(_text(message))


def _listed_in(body: str) -> list[str]:
    return re.findall(r"^- (.+ / .+): http\S+$", body, re.MULTILINE)


def _text(message) -> str:
    return message.get_content().replace("\r\n", "\n")


def _told(message) -> list[tuple[str, str]]:
    """The references and last days a digest names, in its order (the Dutch part)."""
    dutch = _text(message).split("-- English --")[0]
    return re.findall(r"- (SV\d{4}-\d{4}), uiterlijk op (\d\d-\d\d-\d{4}): ", dutch)


async def _three_in_assessment(client, sessions, scheme, settings, people) -> list[str]:
    """Three applications of the grantee's organisation, submitted and awaiting assessment."""
    references = [f"SV2026-000{n}" for n in (1, 2, 3)]
    async with sessions() as db:
        leiden = await db.get(Organisation, people.grantee.organisation_id)
        for reference in references:
            app = await factories.application(db, leiden, scheme)
            await grants.start(db, client, scheme, app, reference, factories.IN_2026_ROUND,
                               settings.task_queue, round_closed=True)
    for reference in references:
        await scenario.stage_is(client, reference, Stage.ASSESSMENT)
    return references


async def test_an_assessor_is_told_the_assignments_of_a_sitting_in_one_mail(
        time_env, tmp_path, db_url, engine, scheme, smtp):
    client, sessions = time_env.client, session_factory(engine)
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, task_queue="digest",
                                 smtp_host="127.0.0.1", smtp_port=smtp.port)
    quiet = timedelta(minutes=scheme.notifications.assessor_digest_minutes)
    assert quiet == timedelta(minutes=30)  # the scheme file's
    async with sessions() as db:
        people = await scenario.cast(db)
        third = await factories.person(db, Role.ASSESSOR, "derde@example.nl", name="Dr. Derde")
    first, second = people.assessor, people.second_assessor
    team = factories.actor_of(people.team)
    async with build_worker(client, settings, sessions, scheme):
        references = await _three_in_assessment(client, sessions, scheme, settings, people)
        start = await time_env.get_current_time()
        # one sitting: three grants to the first two assessors; then the second grant goes to
        # the second and the third instead, before anyone was told
        for reference in references:
            await grants.act(client, reference, "assign_assessors",
                             scenario.assign(team, (first, second)))
        await grants.act(client, references[1], "assign_assessors",
                         scenario.assign(team, (second, third)))
        async with sessions() as db:
            assert len((await db.exec(select(MailNotice))).all()) == 8

        # nothing goes out while the quiet time runs
        await scenario.skip_to(time_env, start + quiet - timedelta(minutes=2))
        async with sessions() as db:
            assert (await db.exec(select(OutboxMail).where(
                OutboxMail.key.contains("/digest-")))).all() == []
        await scenario.skip_to(time_env, start + quiet + timedelta(minutes=5))

        async def three_told():
            received = _digests(smtp)
            return received if len(received) == 3 else None
        received = await eventually(three_told)
        deadline = (await grants.status(client, references[0])).deadline
        day = f"{terms.last_day_of(deadline, scheme.scheme.timezone):%d-%m-%Y}"
        assert {to: [_told(m) for m in mails] for to, mails in received.items()} == {
            first.email: [[(references[0], day), (references[2], day)]],
            second.email: [[(reference, day) for reference in references]],
            third.email: [[(references[1], day)]],
        }
        assert str(received[first.email][0]["Subject"]) == \
            "2 nieuwe beoordelingen / 2 new assessments"
        assert str(received[third.email][0]["Subject"]) == \
            f"Nieuwe beoordeling: {references[1]} / New assessment"
        body = _text(received[second.email][0])
        assert f"{settings.base_url}/grants/{references[2]}" in body
        assert f"Uw overzicht: {settings.base_url}/assessor" in body
        assert f"- {references[0]}, by the end of {day}: " in body
        for person in (first, second, third):
            handle = client.get_workflow_handle(digest_workflow_id(person.id))
            assert await handle.result() == 1  # one digest, and the run is over
        await maybe_record(client.get_workflow_handle(digest_workflow_id(second.id)),
                           "digest_v1.json")

        # an assignment after the digest starts a new run for that assessor, told on its own;
        # the one who has scored is not asked again
        await grants.act(client, references[0], "submit_score",
                         scenario.score(factories.actor_of(first)))
        await grants.act(client, references[0], "assign_assessors",
                         scenario.assign(team, (first, third)))
        await scenario.skip_to(time_env, await time_env.get_current_time() + quiet
                               + timedelta(minutes=5))

        async def told_again():
            mails = _digests(smtp).get(third.email, [])
            return mails if len(mails) == 2 else None
        again = await eventually(told_again)
        assert _told(again[1])[0][0] == references[0]
        assert len(_digests(smtp)[first.email]) == 1
        assert await client.get_workflow_handle(digest_workflow_id(first.id)).result() == 1


async def test_reminders_and_the_teams_notices_of_a_common_deadline_come_as_one_mail(
        time_env, tmp_path, db_url, engine, scheme, smtp):
    client, sessions = time_env.client, session_factory(engine)
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, task_queue="digests",
                                 smtp_host="127.0.0.1", smtp_port=smtp.port)
    async with sessions() as db:
        people = await scenario.cast(db)
    team = factories.actor_of(people.team)
    async with build_worker(client, settings, sessions, scheme):
        references = await _three_in_assessment(client, sessions, scheme, settings, people)
        for reference in references:
            await grants.act(client, reference, "assign_assessors",
                             scenario.assign(team, (people.assessor, people.second_assessor)))
        deadline = (await grants.status(client, references[0])).deadline
        # no one scores: each grant reminds its assessors, then tells the team it is late
        await scenario.skip_to(time_env, deadline + timedelta(hours=2))

        async def all_told():
            received = _digests(smtp)
            done = (len(received.get(people.assessor.email, [])) == 2
                    and len(received.get(people.team.email, [])) == 1)
            return received if done else None
        received = await eventually(all_told)
        assigned, reminded = received[people.assessor.email]
        assert str(assigned["Subject"]) == "3 nieuwe beoordelingen / 3 new assessments"
        assert str(reminded["Subject"]) == "Regie: 3 berichten / 3 messages"
        assert _listed(reminded) == [f"Herinnering: beoordeling {r} / Reminder: assessment due"
                                     for r in references]
        told, = received[people.team.email]
        assert str(told["Subject"]) == "Regie: 3 berichten / 3 messages"
        assert _listed(told) == [f"Beoordeling te laat: {r} / Assessment overdue"
                                 for r in references]
        assert f"- Beoordeling te laat: {references[1]} / Assessment overdue: " \
            f"{settings.base_url}/grants/{references[1]}" in _text(told)
        assert f"Uw overzicht: {settings.base_url}/team" in _text(told)
        assert await client.get_workflow_handle(digest_workflow_id(None)).result() == 1


async def test_a_steady_stream_is_told_when_the_longest_wait_is_over(time_env, tmp_path, db_url,
                                                                      engine, scheme):
    """A mail held every 25 minutes never leaves the quiet half hour: the digest goes once the
    longest wait (four quiet times) has passed since the first, and the mails held after it
    start the next run."""
    client, sessions = time_env.client, session_factory(engine)
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="",
                                 task_queue="stream")
    quiet = timedelta(minutes=scheme.notifications.assessor_digest_minutes)
    start = await time_env.get_current_time()
    params = DigestParams(assessor_id=None, quiet=quiet, longest=quiet * LONGEST_QUIETS,
                          ends_at=start + timedelta(days=30))

    async def hold(n: int):
        async with sessions() as db:
            db.add(MailNotice(key=f"stream/{n}/team", reference=f"SV2026-{n:04d}",
                              subject=f"Rapportage ontvangen: SV2026-{n:04d} / Report received"))
            await db.commit()
        return await client.start_workflow(
            DigestWorkflow.run, params, id=digest_workflow_id(None),
            task_queue=settings.task_queue, start_signal="held")
    async with sessions() as db:
        await factories.person(db, Role.PROGRAMME_TEAM, "team@example.nl")
    async with build_worker(client, settings, sessions, scheme):
        first = await hold(0)
        for n in range(1, 9):
            await scenario.skip_to(time_env, start + n * timedelta(minutes=25))
            await hold(n)
        assert await first.result() == 1
        first_run = client.get_workflow_handle(digest_workflow_id(None),
                                               run_id=first.result_run_id)
        await maybe_record(first_run, "digest_steady_stream_v1.json")
        history = await first_run.fetch_history()
        sent_at, = [e.event_time.ToDatetime(timezone.utc) for e in history.events
                    if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED]
        assert timedelta(0) <= sent_at - (start + quiet * LONGEST_QUIETS) < timedelta(minutes=1)
        await scenario.skip_to(time_env, start + timedelta(hours=4))
        assert await client.get_workflow_handle(digest_workflow_id(None)).result() == 1
    async with sessions() as db:
        told = (await db.exec(select(OutboxMail).order_by(OutboxMail.id))).all()
    # five held in the first two hours; the next four in the next run, told half an hour after
    # the last
    assert [len(_listed_in(mail.body)) for mail in told] == [5, 4]
    assert {mail.reference for mail in told} == {"team-digest"}


async def test_a_digest_sent_again_under_its_key_is_the_same_mail(tmp_path, db_url, engine,
                                                                  scheme, smtp):
    """A retried digest activity delivers the mail it recorded, however much has been held
    since; that waits for the next digest. A digest of one mail held is that mail."""
    sessions = session_factory(engine)
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url,
                                 smtp_host="127.0.0.1", smtp_port=smtp.port)
    async with sessions() as db:
        people = await scenario.cast(db)
        leiden = await db.get(Organisation, people.grantee.organisation_id)
        assessor = people.assessor
        for n in (1, 2):
            app = await factories.application(db, leiden, scheme)
            app.reference, app.stage = f"SV2026-000{n}", Stage.ASSESSMENT.value
            app.submitted_at, app.deadline = factories.IN_2026_ROUND, factories.IN_2026_ROUND
            db.add(app)
            await db.commit()
            await db.refresh(app)
            db.add(AssessorAssignment(application_id=app.id, assessor_id=assessor.id))
        db.add(MailNotice(key="grant-SV2026-0001/assessment_assigned-1/x",
                          assessor_id=assessor.id, reference="SV2026-0001", kind="assigned"))
        db.add(MailNotice(key="grant-SV2026-0001/objection_received/team",
                          reference="SV2026-0001", subject="Bezwaar ingediend: SV2026-0001",
                          body="Zie de aanvraag.\n"))
        await db.commit()
    digest = MailActivities(sessions, settings, scheme).send_digest
    env = ActivityEnvironment()
    request = DigestRequest(assessor_id=assessor.id, key="assessor-digest-x/digest-run-0")
    await env.run(digest, request)
    async with sessions() as db:
        db.add(MailNotice(key="grant-SV2026-0002/assessment_assigned-1/x",
                          assessor_id=assessor.id, reference="SV2026-0002", kind="assigned"))
        await db.commit()
    await env.run(digest, request)  # the same mail, not sent again
    assert [_told(m)[0][0] for m in smtp.messages] == ["SV2026-0001"]
    await env.run(digest, DigestRequest(assessor_id=assessor.id,
                                        key="assessor-digest-x/digest-run-1"))
    assert [_told(m)[0][0] for m in smtp.messages] == ["SV2026-0001", "SV2026-0002"]
    async with sessions() as db:
        notices = (await db.exec(select(MailNotice).where(
            MailNotice.assessor_id == assessor.id).order_by(MailNotice.id))).all()
    assert [n.digest_key for n in notices] == ["assessor-digest-x/digest-run-0",
                                               "assessor-digest-x/digest-run-1"]
    # the team's one mail goes as it was written, to every active member of the team, filed
    # under its grant
    await env.run(digest, DigestRequest(assessor_id=None, key="team-digest/digest-run-0"))
    team_mail = smtp.messages[-1]
    assert (str(team_mail["Subject"]), str(team_mail["To"]), _text(team_mail)) == (
        "Bezwaar ingediend: SV2026-0001", people.team.email, "Zie de aanvraag.\n")
    # seven hundred at once (the projects' end): one mail, filed under the digest
    async with sessions() as db:
        for n in range(1, 701):
            db.add(MailNotice(key=f"grant-SV2025-{n:04d}/projects_end_flag/team",
                              reference=f"SV2025-{n:04d}", body="Het project loopt nog.\n",
                              subject=f"Project loopt nog na 31-12-2027: SV2025-{n:04d} / "
                                      "Project still running"))
        await db.commit()
    await env.run(digest, DigestRequest(assessor_id=None, key="team-digest/digest-run-1"))
    async with sessions() as db:
        kept = (await db.exec(select(OutboxMail).where(
            OutboxMail.key == "team-digest/digest-run-1"))).one()
    assert (kept.reference, kept.subject) == ("team-digest", "Regie: 700 berichten / 700 messages")
    assert len(_listed_in(kept.body)) == 700
