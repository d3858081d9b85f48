"""An applicant withdraws an application before the decision, under time skipping: from the grant
page during assessment (the assessor still to score is told, the one who scored is not), and in
a live round while it awaits the round's closing and while it awaits the decision, so that the
round proposes its allocation without either. After the decision there is no withdrawing."""

from __future__ import annotations

import contextlib
import uuid
from datetime import timedelta

import pytest
from sqlmodel import select

from api.app import create_app
from api.auth import CSRF_COOKIE
from domain.lifecycle import Role, Stage
from domain.types import GrantStatus, SetCommitment, Withdrawal
from regie import grants, programme, rounds
from regie.applications import submit_draft
from regie.db import session_factory
from regie.grants import ActionRefused
from regie.programme import ensure_programme
from regie.records import Application, AuditEntry, GrantEvent, Organisation, OutboxMail
from regie.settings import Settings
from regie.temporal import grant_workflow_id
from regie.worker import build_worker
from tests import dates, factories, scenario
from tests.conftest import eventually, maybe_record, web_client_as
from tests.factories import actor_of
from tests.scenario import score, skip_to, stage_is
from workflows.round import RoundWorkflow


@pytest.fixture
def settings(tmp_path, db_url):
    return Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="",
                             task_queue=f"withdraw-{uuid.uuid4().hex[:8]}")


async def _ended(client, reference: str) -> GrantStatus:
    handle = client.get_workflow_handle(grant_workflow_id(reference), result_type=GrantStatus)
    return await handle.result()


async def _phase_is(handle, phase: str) -> bool:
    return (await handle.query(RoundWorkflow.status)).phase == phase


async def test_withdrawn_from_the_grant_page_during_assessment(time_env, settings, engine,
                                                               scheme):
    client, sessions = time_env.client, session_factory(engine)
    async with sessions() as db:
        people = await scenario.cast(db)
        await ensure_programme(db, client, scheme, settings.task_queue)
    async with build_worker(client, settings, sessions, scheme):
        async with sessions() as db:
            reference = await scenario.grant_in_assessment(db, client, scheme,
                                                           settings.task_queue, people)
        await grants.act(client, reference, "submit_score", score(actor_of(people.assessor)))

        # only the applying organisation withdraws; the refusals leave no trace
        refusals = ((people.team, "Alleen Aanvrager mag 'Aanvraag intrekken' doen"),
                    (people.outsider, "Alleen de aanvragende organisatie"))
        for person, reason in refusals:
            with pytest.raises(ActionRefused, match=reason):
                await grants.act(client, reference, "withdraw",
                                 Withdrawal(actor=actor_of(person), reason="Waarom niet."))

        async with sessions() as db:
            web = await web_client_as(create_app(settings, scheme, client), people.grantee, db)
        async with contextlib.aclosing(web):
            token = web.cookies[CSRF_COOKIE]
            page = (await web.get(f"/grants/{reference}")).text
            assert 'data-action="withdraw"' in page and "Waarom trekt u de aanvraag in?" in page
            unconfirmed = await web.post(f"/grants/{reference}/actions/withdraw", data={
                "csrf_token": token, "reason": "De projectleider is vertrokken."})
            assert unconfirmed.status_code == 422
            assert "Bevestig dat u begrijpt wat intrekken betekent" in unconfirmed.text
            assert "De projectleider is vertrokken." in unconfirmed.text  # what was typed stays
            assert (await grants.status(client, reference)).stage == Stage.ASSESSMENT
            done = await web.post(f"/grants/{reference}/actions/withdraw", data={
                "csrf_token": token, "reason": "De projectleider is vertrokken.",
                "understood": "yes"})
            assert done.status_code == 303
            ended = await _ended(client, reference)
            assert ended.stage == Stage.WITHDRAWN and ended.deadline is None
            shown = (await web.get(f"/grants/{reference}")).text
            assert "Ingetrokken" in shown and 'data-action="withdraw"' not in shown
            assert "De projectleider is vertrokken." in shown  # in the timeline
        await maybe_record(client.get_workflow_handle(grant_workflow_id(reference)),
                           "grant_withdrawn_in_assessment_v1.json")
        # the grant ended once its mails were sent or held: the applicant's confirmation, and,
        # in their digests, one notice to the team and to the assessor still to score (not to
        # the one who scored); a digest of one mail is that mail
        await skip_to(time_env, await time_env.get_current_time() + timedelta(
            minutes=scheme.notifications.team_digest_minutes + 5))

        async def three_sent():
            async with sessions() as db:
                sent = (await db.exec(select(OutboxMail).where(
                    OutboxMail.reference == reference,
                    OutboxMail.subject.contains("ingetrokken")))).all()
            return sent if len(sent) == 3 else None
        sent = await eventually(three_sent)
    async with sessions() as db:
        app = (await db.exec(select(Application).where(
            Application.reference == reference))).one()
        last = (await db.exec(select(GrantEvent).where(GrantEvent.application_id == app.id)
                              .order_by(GrantEvent.seq.desc()))).first()
        audited = (await db.exec(select(AuditEntry).where(
            AuditEntry.action == "withdraw"))).all()
    assert {m.subject for m in sent} == {
        f"Aanvraag ingetrokken: {reference} / Application withdrawn"}
    assert sorted(m.recipients for m in sent) == sorted(
        [[people.grantee.email], [people.team.email], [people.second_assessor.email]])
    assert "De projectleider is vertrokken." in next(
        m.body for m in sent if m.recipients == [people.grantee.email])
    assert app.stage == Stage.WITHDRAWN.value and app.deadline is None
    assert (last.action, last.actor_role, last.note) == (
        "withdraw", Role.GRANTEE.value, "De projectleider is vertrokken.")
    assert [a.subject for a in audited] == [reference]


async def test_withdrawn_in_a_live_round_leave_its_allocation(time_env, settings, engine,
                                                              scheme):
    """One withdrawn while the round is open, one awaiting the decision while others are still
    assessed: the round proposes neither. One withdrawn after the proposal: the round page marks
    its line, its check of the ledger's room leaves it out, and the delivery passes it by. Once
    decided, a grant cannot be withdrawn."""
    client, sessions = time_env.client, session_factory(engine)
    async with sessions() as db:
        people = await scenario.cast(db)
        org = await db.get(Organisation, people.grantee.organisation_id)
        drafts = [await factories.application(db, org, scheme, factories.draft("2027", title))
                  for title in ("Eerste", "Tweede", "Derde", "Vierde")]
        second = await factories.person(db, Role.PROGRAMME_TEAM, "collega@example.nl")
        await ensure_programme(db, client, scheme, settings.task_queue)
    grantee, team = actor_of(people.grantee), actor_of(people.team)
    assessors = (people.assessor, people.second_assessor)
    async with build_worker(client, settings, sessions, scheme):
        await skip_to(time_env, dates.opens(scheme, "2027") + timedelta(hours=1))
        references = []
        for draft in drafts:
            async with sessions() as db:
                references.append(await submit_draft(db, client, scheme, draft, grantee))
        early, at_decision, kept, late = references
        await stage_is(client, early, Stage.ELIGIBLE)
        await grants.act(client, early, "withdraw", Withdrawal(
            actor=grantee, reason="Samengevoegd met de tweede aanvraag."))
        assert (await _ended(client, early)).stage == Stage.WITHDRAWN

        await skip_to(time_env, dates.closes(scheme, "2027") + timedelta(seconds=5))
        for reference in (at_decision, kept, late):
            await stage_is(client, reference, Stage.ASSESSMENT)
            await grants.act(client, reference, "assign_assessors", scenario.assign(
                team, assessors))
        for assessor in assessors:
            await grants.act(client, at_decision, "submit_score", score(actor_of(assessor)))
        await stage_is(client, at_decision, Stage.DECISION)
        await grants.act(client, at_decision, "withdraw", Withdrawal(
            actor=grantee, reason="Financiering elders gevonden."))
        assert (await _ended(client, at_decision)).stage == Stage.WITHDRAWN

        for assessor in assessors:
            for reference in (kept, late):
                await grants.act(client, reference, "submit_score", score(actor_of(assessor)))
        handle = client.get_workflow_handle_for(RoundWorkflow.run,
                                                rounds.round_workflow_id("2027"))

        async def proposed():
            status = await handle.query(RoundWorkflow.status)
            return status if status.phase == "proposed" else None
        status = await eventually(proposed)
        assert sorted(a.reference for a in status.proposal.allocations) == [kept, late]
        assert status.scored == sorted(references)  # each withdrawn grant told the round

        await grants.act(client, late, "withdraw", Withdrawal(
            actor=grantee, reason="Het consortium valt uiteen."))
        await _ended(client, late)
        # the round has room for the one line still to be decided, not for the withdrawn one:
        # the page's check of the room counts only the grants its decisions will reach
        room = (await programme.ledger(client, scheme.scheme.id)).room("2027")
        await programme.set_commitment(client, scheme.scheme.id, SetCommitment(
            actor=team, reference="ELDERS", round_id="2027", amount_cents=room - 80_000_00,
            reason="bezwaar toegewezen"))
        async with sessions() as db:
            web = await web_client_as(create_app(settings, scheme, client), people.team, db)
        async with contextlib.aclosing(web):
            page = (await web.get("/rounds/2027")).text
            rows = {ref: page.split(f'data-reference="{ref}"')[1].split("</tr>")[0]
                    for ref in (kept, late)}
            assert "data-withdrawn>Ingetrokken door de aanvrager" in rows[late]
            assert "data-withdrawn" not in rows[kept]
            confirmed = await web.post("/rounds/2027/confirm", data={
                "csrf_token": web.cookies[CSRF_COOKIE], f"amount-{kept}": "80.000,00",
                f"reason-{kept}": "Begroting bijgesteld."})
            assert confirmed.status_code == 303, confirmed.text
        async with sessions() as db:  # a second member approves: its room check passes too
            web = await web_client_as(create_app(settings, scheme, client), second, db)
        async with contextlib.aclosing(web):
            approved = await web.post("/rounds/2027/approve",
                                      data={"csrf_token": web.cookies[CSRF_COOKIE]})
            assert approved.status_code == 303, approved.text
        await stage_is(client, kept, Stage.REPORTING)
        await eventually(lambda: _phase_is(handle, "decided"))
        assert (await grants.status(client, late)).stage == Stage.WITHDRAWN
        with pytest.raises(ActionRefused, match="kan niet in fase"):
            await grants.act(client, kept, "withdraw", Withdrawal(
                actor=grantee, reason="Te laat."))
        for reference, name in ((early, "grant_withdrawn_awaiting_round_v1.json"),
                                (at_decision, "grant_withdrawn_at_decision_v1.json")):
            await maybe_record(client.get_workflow_handle(grant_workflow_id(reference)), name)
