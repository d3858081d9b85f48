"""Intake under the time-skipping server: rounds open and close to the second, drafts are
reminded, the round hands its grants on, and the correction term (herstel verzuim) runs."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlmodel import select

from domain.lifecycle import Role, Stage
from domain.types import CorrectionSubmission, OverruleFinding
from regie import grants
from regie.applications import draft_of, submit_draft
from regie.db import session_factory
from regie.programme import ensure_programme
from regie.grants import ActionRefused
from regie.records import Application, Organisation, OutboxMail
from regie.settings import Settings
from regie.worker import build_worker
from tests import dates, factories
from tests.conftest import eventually
from tests.scenario import skip_to, stage_is


@pytest.fixture
def settings(tmp_path, db_url):
    return Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="",
                             task_queue=f"intake-{uuid.uuid4().hex[:8]}")


async def _outbox(sessions) -> list[OutboxMail]:
    async with sessions() as db:
        return list((await db.exec(select(OutboxMail).order_by(OutboxMail.id))).all())


async def test_last_second_accepted_next_second_refused_and_draft_kept(
        time_env, settings, engine, scheme):
    client, sessions = time_env.client, session_factory(engine)
    async with sessions() as db:
        org = await factories.organisation(db, "Erasmus Universiteit", "wo")
        member = await factories.person(db, Role.GRANTEE, "indiener@eur.example", org)
        await factories.person(db, Role.PROGRAMME_TEAM, "team@example.nl")
        early = await factories.application(db, org, scheme, factories.draft("2027", "Vroeg"))
        last = await factories.application(db, org, scheme, factories.draft("2027", "Op tijd"))
        late = await factories.application(db, org, scheme, factories.draft("2027", "Te laat"))
        await ensure_programme(db, client, scheme, settings.task_queue)
    applicant = factories.actor_of(member)
    opens, closes = dates.opens(scheme, "2027"), dates.closes(scheme, "2027")

    async with build_worker(client, settings, sessions, scheme):
        await skip_to(time_env, opens - timedelta(minutes=1))
        async with sessions() as db:
            with pytest.raises(ActionRefused, match="nog niet open.*not open yet"):
                await submit_draft(db, client, scheme, early, applicant)

        await skip_to(time_env, closes - timedelta(seconds=1))
        async with sessions() as db:
            reference = await submit_draft(db, client, scheme, last, applicant)
        assert reference == "SV2027-0001"

        await skip_to(time_env, closes)
        async with sessions() as db:
            before = await draft_of(db, late)
            closed = f"gesloten sinds {scheme.round('2027').closes:%d-%m-%Y %H:%M}"
            with pytest.raises(ActionRefused, match=f"{closed}; uw concept is bewaard"):
                await submit_draft(db, client, scheme, late, applicant)
            kept = await db.get(Application, late.id)
            assert kept.reference is None and kept.title == "Te laat"
            assert (await draft_of(db, kept)) == before

        # the round closed and handed its grant on: eligible, then assessment
        await stage_is(client, reference, Stage.ASSESSMENT)
        async with sessions() as db:
            accepted = await db.get(Application, last.id)
        assert closes - timedelta(seconds=1) <= accepted.submitted_at < closes

    mails = await _outbox(sessions)
    reminders = [m for m in mails if "/draft-reminder/" in m.key]
    assert {m.key.rsplit("/", 1)[1] for m in reminders} == {str(early.id), str(last.id),
                                                            str(late.id)}
    assert all(m.recipients == ["indiener@eur.example"] for m in reminders)
    assert any(m.subject.startswith("Aanvraag ontvangen: SV2027-0001") for m in mails)


async def _evidence_case(db, client, scheme, settings):
    """A student organisation that forgot its evidence of three years' funding."""
    org = await factories.organisation(db, "Studentenvereniging Veilig", "student_org")
    member = await factories.person(db, Role.GRANTEE, "bestuur@vereniging.example", org)
    team = await factories.person(db, Role.PROGRAMME_TEAM, "team@example.nl")
    app = await factories.application(db, org, scheme)
    await grants.start(db, client, scheme, app, "SV2026-0042", factories.IN_2026_ROUND,
                       settings.task_queue, round_closed=True)
    return org, member, team


async def test_correction_term_runs_out_and_the_application_ends_not_processed(
        time_env, settings, engine, scheme):
    client, sessions = time_env.client, session_factory(engine)
    async with sessions() as db:
        await _evidence_case(db, client, scheme, settings)
    async with build_worker(client, settings, sessions, scheme):
        await stage_is(client, "SV2026-0042", Stage.CORRECTION)
        status = await grants.status(client, "SV2026-0042")
        assert [f.code for f in status.findings] == ["funding_evidence"]
        term = status.deadline - await time_env.get_current_time()
        assert timedelta(days=13, hours=23) < term <= timedelta(days=14)
        await skip_to(time_env, status.deadline + timedelta(minutes=1))
        await stage_is(client, "SV2026-0042", Stage.NOT_PROCESSED)

        async def letter_sent():
            return any("buiten behandeling" in m.subject for m in await _outbox(sessions))
        await eventually(letter_sent)
    mails = await _outbox(sessions)
    subjects = [m.subject for m in mails]
    request = next(m for m in mails if m.subject.startswith("Herstel verzuim"))
    assert "- Voeg het bewijs toe dat uw organisatie ten minste drie jaar is gefinancierd." \
        in request.body and "- Add the evidence" in request.body
    assert any(s.startswith("Herinnering: herstel verzuim SV2026-0042") for s in subjects)
    assert any(s.startswith("Aanvraag SV2026-0042 buiten behandeling") for s in subjects)


async def test_corrected_in_time_it_proceeds_to_assessment(time_env, settings, engine, scheme):
    client, sessions = time_env.client, session_factory(engine)
    async with sessions() as db:
        org, member, _team = await _evidence_case(db, client, scheme, settings)
    async with build_worker(client, settings, sessions, scheme):
        await stage_is(client, "SV2026-0042", Stage.CORRECTION)
        await skip_to(time_env, await time_env.get_current_time() + timedelta(days=10))
        async with sessions() as db:  # the evidence arrives
            stored = await db.get(Organisation, org.id)
            stored.has_funding_evidence = True
            db.add(stored)
            await db.commit()
        await grants.act(client, "SV2026-0042", "submit_correction", CorrectionSubmission(
            actor=factories.actor_of(member), note="Bewijs van financiering toegevoegd."))
        await stage_is(client, "SV2026-0042", Stage.ASSESSMENT)
        assert (await grants.status(client, "SV2026-0042")).findings == []


async def test_the_team_overrules_a_finding_with_a_reason(time_env, settings, engine, scheme):
    client, sessions = time_env.client, session_factory(engine)
    async with sessions() as db:
        _org, member, team = await _evidence_case(db, client, scheme, settings)
    async with build_worker(client, settings, sessions, scheme):
        await stage_is(client, "SV2026-0042", Stage.CORRECTION)
        with pytest.raises(ActionRefused, match="Alleen Programmateam"):
            await grants.act(client, "SV2026-0042", "overrule_finding", OverruleFinding(
                actor=factories.actor_of(member), code="funding_evidence", reason="Graag"))
        await grants.act(client, "SV2026-0042", "overrule_finding", OverruleFinding(
            actor=factories.actor_of(team), code="funding_evidence",
            reason="Financiering door de gemeente sinds 2019 is bekend bij het programma."))
        await stage_is(client, "SV2026-0042", Stage.ASSESSMENT)
    async with sessions() as db:
        from regie.records import GrantEvent

        events = (await db.exec(select(GrantEvent).order_by(GrantEvent.seq))).all()
    overrule = next(e for e in events if e.action == "overrule_finding")
    assert overrule.actor_role == "programme_team" and "gemeente sinds 2019" in overrule.note


async def test_a_fatal_finding_ends_ineligible_with_a_letter_naming_the_reason(
        time_env, settings, engine, scheme):
    client, sessions = time_env.client, session_factory(engine)
    async with sessions() as db:
        org = await factories.organisation(db, "Adviesbureau Veilig B.V.", "company")
        await factories.person(db, Role.GRANTEE, "info@adviesbureau.example", org)
        app = await factories.application(db, org, scheme)
        await grants.start(db, client, scheme, app, "SV2026-0077", factories.IN_2026_ROUND,
                           settings.task_queue, round_closed=True)
    async with build_worker(client, settings, sessions, scheme):
        await stage_is(client, "SV2026-0077", Stage.INELIGIBLE)

        async def letter_sent():
            return [m for m in await _outbox(sessions) if "niet ontvankelijk" in m.subject]
        letter = (await eventually(letter_sent))[0]
    assert letter.recipients == ["info@adviesbureau.example"]
    assert "- Organisaties van het type 'company' kunnen niet aanvragen." in letter.body
    assert "- Organisations of type 'company' may not apply." in letter.body
