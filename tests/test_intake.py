"""Intake under the time-skipping server: rounds open and close to the second, drafts are
reminded, the round hands its grants on, and the correction term (herstel verzuim) runs."""

from __future__ import annotations

import contextlib
import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from api.auth import CSRF_COOKIE
from domain import terms
from domain.lifecycle import Role, Stage
from domain.types import OverruleFinding
from regie import audit, grants
from regie.applications import draft_of, submit_draft
from regie.db import session_factory
from regie.programme import ensure_programme
from regie.grants import ActionRefused
from regie.records import Application, AuditEntry, Organisation, OutboxMail
from regie.rounds import round_workflow_id
from regie.settings import Settings
from regie.temporal import DATA_CONVERTER, grant_workflow_id
from regie.worker import build_worker
from tests import dates, factories
from tests.conftest import BIN, eventually, maybe_record, web_client_as
from tests.scenario import skip_to, stage_is

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def settings(tmp_path, db_url):
    return Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="",
                             task_queue=f"intake-{uuid.uuid4().hex[:8]}")


async def _outbox(sessions) -> list[OutboxMail]:
    async with sessions() as db:
        return list((await db.exec(select(OutboxMail).order_by(OutboxMail.id))).all())


async def _applicant(db):
    """A university and a member of it who applies."""
    org = await factories.organisation(db, "Erasmus Universiteit", "wo")
    return org, await factories.person(db, Role.GRANTEE, "indiener@eur.example", org)


async def test_last_second_accepted_next_second_refused_and_draft_kept(
        time_env, settings, engine, scheme):
    client, sessions = time_env.client, session_factory(engine)
    async with sessions() as db:
        org, member = await _applicant(db)
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
        await maybe_record(client.get_workflow_handle(round_workflow_id("2027")),
                           "round_opened_told_v1.json")

    mails = await _outbox(sessions)
    drafts = {str(early.id), str(last.id), str(late.id)}
    # at the opening, each draft prepared before it is told it can be submitted now; a few
    # days before the closing, each draft still unsubmitted is reminded
    opened = [m for m in mails if "/opened/" in m.key]
    assert {m.key.rsplit("/", 1)[1] for m in opened} == drafts
    assert opened[0].subject.startswith(f"Aanvraagronde open tot "
                                        f"{scheme.round('2027').closes:%d-%m-%Y %H:%M}")
    reminders = [m for m in mails if "/draft-reminder/" in m.key]
    assert {m.key.rsplit("/", 1)[1] for m in reminders} == drafts
    assert all(m.recipients == ["indiener@eur.example"] for m in opened + reminders)
    assert any(m.subject.startswith("Aanvraag ontvangen: SV2027-0001") for m in mails)


async def test_the_portal_says_when_the_next_round_opens_then_offers_it(
        time_env, settings, engine, scheme):
    """Before its drafts_from the 2027 round is announced, and a draft in it refused; from
    then on an applicant prepares a draft, which waits for the opening to be submitted."""
    client, sessions = time_env.client, session_factory(engine)
    async with sessions() as db:
        _org, member = await _applicant(db)
        team = await factories.person(db, Role.PROGRAMME_TEAM, "team@example.nl")
        await ensure_programme(db, client, scheme, settings.task_queue)
    rnd = scheme.round("2027")
    now = datetime.now(scheme.tz).replace(tzinfo=None, microsecond=0)
    # the portal reads the real clock, the round's workflow the test server's: the scheme's
    # drafts_from is set around the real clock, and the round stays "scheduled" meanwhile
    preparing = factories.edited(scheme, "2027", drafts_from=now - timedelta(hours=1))
    async with build_worker(client, settings, sessions, scheme):
        async with sessions() as db:
            web = await web_client_as(create_app(settings, scheme, client), member, db)
            early = await web_client_as(create_app(settings, preparing, client), member, db)
        async with contextlib.aclosing(web), contextlib.aclosing(early):
            token = web.cookies[CSRF_COOKIE]
            before = (await web.get("/applications")).text
            assert "Er is nu geen aanvraagronde open." in before
            assert f"{rnd.name_nl} opent op {rnd.opens:%d-%m-%Y %H:%M} en sluit op " \
                   f"{rnd.closes:%d-%m-%Y %H:%M}." in before
            assert f"Vanaf {rnd.drafts_from:%d-%m-%Y %H:%M} kunt u hier uw aanvraag " \
                   f"voorbereiden." in before and "data-draft-round" not in before
            assert f"{rnd.name_nl}: uw aanvraag voorbereiden in Regie kan vanaf " \
                   f"{rnd.drafts_from:%d-%m-%Y %H:%M}." in (await web.get("/")).text
            refused = await web.post("/applications", data={"csrf_token": token,
                                                            "round_id": "2027"})
            assert refused.status_code == 422
            assert "kunt u nu geen aanvraag beginnen" in refused.text
            assert (await web.post("/applications", data={
                "csrf_token": token, "round_id": "2026"})).status_code == 422  # closed
            by_api = await web.post("/api/applications", json={"round_id": "2027"},
                                    headers={"x-csrf-token": token})
            assert by_api.status_code == 422 and "takes no new applications now" in by_api.text
            async with sessions() as db:
                assert (await db.exec(select(Application))).all() == []

            token = early.cookies[CSRF_COOKIE]
            offered = (await early.get("/applications")).text
            assert 'data-draft-round="2027"' in offered and "Aanvraag voorbereiden" in offered
            started = await early.post("/applications", data={"csrf_token": token,
                                                               "round_id": "2027"})
            assert started.status_code == 303
            form_page = started.headers["location"]
            waiting = (await early.get(form_page)).text
            assert f"Deze ronde opent op {rnd.opens:%d-%m-%Y %H:%M}." in waiting
            assert 'id="submit-application"' not in waiting
            saved = await early.post(form_page, data={"csrf_token": token, "title": "Vroeg",
                                                      "intent": "save"})
            assert saved.status_code == 303  # the round refuses a submission (test above)
            by_api = await early.post("/api/applications", json={"round_id": "2027"},
                                      headers={"x-csrf-token": token})
            assert by_api.status_code == 201
            async with sessions() as db:
                draft, _ = (await db.exec(select(Application).order_by(Application.id))).all()
                assert draft.round_id == "2027" and draft.title == "Vroeg"
                assert draft.reference is None
                staff = await web_client_as(create_app(settings, scheme, client), team, db)
            async with contextlib.aclosing(staff):  # the team sees what may come in
                overview = (await staff.get("/rounds")).text
                assert '<td data-drafts="2027">2</td>' in overview
                # the budget by the rounds' names, as the rounds' table names them
                assert "<tr><th>Aanvraagronde 2027</th><td>€ 4.000.000,00</td>" in overview

            await skip_to(time_env, dates.opens(scheme, "2027"))

            async def submittable():  # once the round's workflow has taken its opening
                page = (await early.get(form_page)).text
                return page if 'id="submit-application"' in page else None
            assert "data-not-yet-open" not in await eventually(submittable)

            async def offered():  # once the round's workflow has taken its opening
                page = (await web.get("/applications")).text
                return page if 'data-open-round="2027"' in page else None
            during = await eventually(offered)
            assert "data-coming-round" not in during
            assert f"Sluit {rnd.closes:%d-%m-%Y %H:%M}" in during


async def test_a_new_draft_waits_when_the_round_cannot_be_asked(settings, engine, scheme):
    """With Temporal away, no draft starts (whether the round takes one is the round's to
    say), and the applicant is told to try again, not that the round takes none."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(BIN / "temporal-test-server"),
        data_converter=DATA_CONVERTER)
    async with session_factory(engine)() as db:
        _org, member = await _applicant(db)
        web = await web_client_as(create_app(settings, scheme, env.client), member, db)
    await env.shutdown()
    async with contextlib.aclosing(web):
        away = await web.post("/applications", data={"csrf_token": web.cookies[CSRF_COOKIE],
                                                     "round_id": "2027"})
    assert away.status_code == 503 and "probeer het over een minuut opnieuw" in away.text
    async with session_factory(engine)() as db:
        assert (await db.exec(select(Application))).all() == []


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
    """The term runs to the end of its fourteenth day in Amsterdam (a working day), with the
    reminder at nine in the morning three days before; the evening of the last day is still
    in time."""
    client, sessions = time_env.client, session_factory(engine)
    async with sessions() as db:
        await _evidence_case(db, client, scheme, settings)
    async with build_worker(client, settings, sessions, scheme):
        await stage_is(client, "SV2026-0042", Stage.CORRECTION)
        status = await grants.status(client, "SV2026-0042")
        assert [f.code for f in status.findings] == ["funding_evidence"]
        now = await time_env.get_current_time()  # the finding came a moment before
        assert status.deadline in {terms.term_end(moment, 14, "Europe/Amsterdam", True)
                                   for moment in (now - timedelta(minutes=1), now)}
        await skip_to(time_env, status.deadline - timedelta(hours=2))  # 21:59 on the last day
        assert (await grants.status(client, "SV2026-0042")).stage == Stage.CORRECTION
        await skip_to(time_env, status.deadline + timedelta(minutes=1))
        await stage_is(client, "SV2026-0042", Stage.NOT_PROCESSED)
        handle = client.get_workflow_handle(grant_workflow_id("SV2026-0042"))
        timers = [e.event_time.ToDatetime(timezone.utc)
                  + e.timer_started_event_attributes.start_to_fire_timeout.ToTimedelta()
                  async for e in handle.fetch_history_events()
                  if e.HasField("timer_started_event_attributes")]
        reminder = terms.morning(status.deadline - timedelta(days=3), "Europe/Amsterdam")
        assert abs(timers[0] - reminder) < timedelta(seconds=1)  # the run's first wait
        await maybe_record(handle, "grant_correction_term_whole_days_v1.json")

        async def letter_sent():
            return any("buiten behandeling" in m.subject for m in await _outbox(sessions))
        await eventually(letter_sent)
    mails = await _outbox(sessions)
    subjects = [m.subject for m in mails]
    request = next(m for m in mails if m.subject.startswith("Herstel verzuim"))
    assert "- Voeg het bewijs toe dat uw organisatie ten minste drie jaar is gefinancierd." \
        in request.body and "- Add the evidence" in request.body
    # the last day as the pages write it, in Amsterdam
    assert f"uiterlijk op {status.deadline.astimezone(AMSTERDAM):%d-%m-%Y} aan:" in request.body
    assert f"voegt u toe op\n{settings.base_url}/organisation. Dien daarna" in request.body
    assert any(s.startswith("Herinnering: herstel verzuim SV2026-0042") for s in subjects)
    assert any(s.startswith("Aanvraag SV2026-0042 buiten behandeling") for s in subjects)


async def test_corrected_in_time_through_the_portal_it_proceeds_to_assessment(
        time_env, settings, engine, scheme):
    """The correction term as the grantee meets it: the grant page points to Mijn organisatie;
    a wrong file is refused with the reason; the evidence is kept and logged; the page lists
    the grant awaiting correction; the correction submitted on the grant page sends it on. The
    team opens the evidence from the grant page; another organisation may not."""
    client, sessions = time_env.client, session_factory(engine)
    portal = create_app(settings, scheme, client)
    async with sessions() as db:
        org, member, team = await _evidence_case(db, client, scheme, settings)
        stranger = await factories.person(db, Role.GRANTEE, "iemand@elders.example",
                                          await factories.organisation(db, "Elders", "hbo"))
    async with build_worker(client, settings, sessions, scheme):
        await stage_is(client, "SV2026-0042", Stage.CORRECTION)
        await skip_to(time_env, await time_env.get_current_time() + timedelta(days=10))
        async with sessions() as db:
            web = await web_client_as(portal, member, db)
        async with contextlib.aclosing(web):
            token = web.cookies[CSRF_COOKIE]
            page = (await web.get("/grants/SV2026-0042")).text
            assert "Aan te vullen:</strong> Voeg het bewijs toe" in page
            assert '<a href="/organisation">Voeg het toe op de pagina Mijn organisatie' in page
            # the timeline names the finding the workflow recorded by its code
            assert "<td>Bewijs van financiering</td></tr>" in page
            assert "funding_evidence</td>" not in page
            refused = await web.post("/organisation/evidence", data={"csrf_token": token},
                                     files={"evidence": ("besluit.exe", b"MZ", "x-msdownload")})
            assert refused.status_code == 422
            assert "Alleen PDF, afbeelding of document / only PDF" in refused.text
            assert 'data-evidence="missing"' in refused.text
            assert 'href="/grants/SV2026-0042"' in refused.text  # awaiting its correction
            added = await web.post("/organisation/evidence", data={"csrf_token": token}, files={
                "evidence": ("Besluit gemeente.PDF", b"%PDF-1.4 gemeente", "application/pdf")})
            assert added.status_code == 303
            shown = (await web.get(added.headers["location"])).text
            assert "is ontvangen" in shown and 'data-evidence="present"' in shown
            assert (await web.get(f"/organisations/{org.id}/evidence")).content \
                == b"%PDF-1.4 gemeente"
            corrected = await web.post("/grants/SV2026-0042/actions/submit_correction", data={
                "csrf_token": token, "note": "Bewijs van financiering toegevoegd."})
            assert corrected.status_code == 303
        await stage_is(client, "SV2026-0042", Stage.ASSESSMENT)
        assert (await grants.status(client, "SV2026-0042")).findings == []
    async with sessions() as db:
        kept = await db.get(Organisation, org.id)
        assert kept.has_funding_evidence and kept.funding_evidence.endswith(".pdf")
        logged = (await db.exec(select(AuditEntry).where(
            AuditEntry.action == "funding_evidence_added"))).one()
        assert (logged.actor, logged.subject) == (member.name, f"organisation-{org.id}")
        assert await audit.verify(db) == []
        web = await web_client_as(portal, team, db)
        other = await web_client_as(portal, stranger, db)
    # no worker runs now: the grant page gives up asking the workflow and renders from the read
    # model (regie.temporal.PAGE_QUERY_TIMEOUT)
    async with contextlib.aclosing(web), contextlib.aclosing(other):
        link = f'href="/organisations/{org.id}/evidence"'
        assert link in (await web.get("/grants/SV2026-0042")).text
        assert (await web.get(f"/organisations/{org.id}/evidence")).content == b"%PDF-1.4 gemeente"
        assert (await other.get(f"/organisations/{org.id}/evidence")).status_code == 403


async def test_the_team_finds_the_evidence_insufficient_and_the_correction_goes_on(
        time_env, settings, engine, scheme):
    """The team judges the evidence a grantee added: insufficient, with the reason, which the
    organisation reads in a mail and on its page, and the next check finds it missing again;
    new evidence, found sufficient, lets the correction through."""
    client, sessions = time_env.client, session_factory(engine)
    portal = create_app(settings, scheme, client)
    async with sessions() as db:
        org, member, team = await _evidence_case(db, client, scheme, settings)
        grantee, staff = await web_client_as(portal, member, db), await web_client_as(
            portal, team, db)
    grant, review = "/grants/SV2026-0042", f"/grants/SV2026-0042/organisations/{org.id}/evidence"

    async def add_evidence(content: bytes) -> None:
        added = await grantee.post("/organisation/evidence", data={
            "csrf_token": grantee.cookies[CSRF_COOKIE]},
            files={"evidence": ("verklaring.pdf", content, "application/pdf")})
        assert added.status_code == 303

    async def judge(**fields):
        return await staff.post(review, data={"csrf_token": staff.cookies[CSRF_COOKIE],
                                              **fields})

    async with build_worker(client, settings, sessions, scheme), \
            contextlib.aclosing(grantee), contextlib.aclosing(staff):
        await stage_is(client, "SV2026-0042", Stage.CORRECTION)
        await add_evidence(b"%PDF-1.4 een leeg blad")
        page = (await staff.get(grant)).text
        assert f'data-evidence-review="{org.id}"' in page and "nog niet beoordeeld" in page
        assert '<input type="radio" name="verdict" value="sufficient" required>' in page
        unchosen = await judge(reason="Het blad is leeg.")  # no verdict: asked, not guessed
        assert unchosen.status_code == 422
        assert "Kies voldoende of onvoldoende / choose sufficient or insufficient" in unchosen.text
        assert "Het blad is leeg.</textarea>" in unchosen.text
        unreasoned = await judge(verdict="insufficient")
        assert unreasoned.status_code == 422
        assert "Geef de reden waarom het bewijs onvoldoende is" in unreasoned.text
        assert 'value="insufficient" checked>' in unreasoned.text
        assert (await judge(verdict="insufficient",
                            reason="Het blad is leeg.")).status_code == 303
        assert "onvoldoende bevonden door Team" in (await staff.get(grant)).text
        own = (await grantee.get("/organisation")).text
        assert 'data-evidence="missing"' in own and "onvoldoende" in own
        assert "Het blad is leeg." in own
        assert (await grantee.post(review, data={
            "csrf_token": grantee.cookies[CSRF_COOKIE], "verdict": "sufficient"})
                ).status_code == 403  # only the team judges

        # the grantee submits the correction anyway: the check finds the evidence missing and
        # asks again, with a new term of fourteen days from today (its last day the same)
        term = (await grants.status(client, "SV2026-0042")).deadline
        corrected = await grantee.post(f"{grant}/actions/submit_correction", data={
            "csrf_token": grantee.cookies[CSRF_COOKIE], "note": "Toegevoegd."})
        assert corrected.status_code == 303

        async def asked_again():
            requests = [m for m in await _outbox(sessions)
                        if m.subject.startswith("Herstel verzuim")]
            return len(requests) == 2
        await eventually(asked_again)
        status = await grants.status(client, "SV2026-0042")
        assert status.stage == Stage.CORRECTION and status.deadline >= term

        await add_evidence(b"%PDF-1.4 jaarrekeningen 2022-2024")
        assert "Het programmateam beoordeelt het nog." in (await grantee.get("/organisation")).text
        assert (await judge(verdict="sufficient")).status_code == 303
        assert "voldoende bevonden door Team" in (await staff.get(grant)).text
        assert "Het programmateam vond het voldoende" in (await grantee.get("/organisation")).text
        await grantee.post(f"{grant}/actions/submit_correction", data={
            "csrf_token": grantee.cookies[CSRF_COOKIE], "note": "Jaarrekeningen toegevoegd."})
        await stage_is(client, "SV2026-0042", Stage.ASSESSMENT)
    mails = [m for m in await _outbox(sessions) if "onvoldoende" in m.subject]
    assert [m.recipients for m in mails] == [[member.email]]
    assert '"Het blad is leeg."' in mails[0].body and f"{settings.base_url}/organisation" in \
        mails[0].body
    async with sessions() as db:
        judged = (await db.exec(select(AuditEntry).where(
            AuditEntry.action == "funding_evidence_reviewed").order_by(AuditEntry.id))).all()
    assert [(e.actor, e.detail["sufficient"]) for e in judged] == [
        (team.name, False), (team.name, True)]


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
