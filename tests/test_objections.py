"""An objection dismissed, under time skipping: the rejection stands, and the decision on the
objection is sent as a letter that gives the team's reasons (Awb 7:12) and the way to appeal
(Awb 3:45), in Dutch and English, as mail and as the PDF kept with the grant. (An objection
upheld: test_assessment_round.)"""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta

from pypdf import PdfReader
from sqlmodel import select

from domain import terms
from domain.lifecycle import Stage
from domain.schedules import local_day
from domain.types import DecisionInput, GrantStatus, ObjectionInput, ObjectionOutcome
from regie import grants, programme
from regie.db import session_factory
from regie.records import DecisionRecord, Letter, MailNotice
from regie.settings import Settings
from regie.worker import build_worker
from tests import scenario
from tests.conftest import eventually, maybe_record
from tests.factories import actor_of
from tests.scenario import stage_is

DISMISSED_BECAUSE = "De cofinanciering verandert de rangorde niet: rang 31 blijft buiten het budget."


async def test_an_objection_dismissed_is_told_with_its_reasons_and_the_way_to_appeal(
        time_env, tmp_path, db_url, engine, scheme, smtp):
    client, sessions = time_env.client, session_factory(engine)
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, task_queue="objections",
                                 smtp_host="127.0.0.1", smtp_port=smtp.port)
    async with sessions() as db:
        people = await scenario.cast(db)
        await programme.ensure_programme(db, client, scheme, settings.task_queue)
    team, grantee = actor_of(people.team), actor_of(people.grantee)
    async with build_worker(client, settings, sessions, scheme):
        reference = await scenario.grant_awaiting_decision(sessions, client, scheme,
                                                           settings.task_queue, people)
        await grants.act(client, reference, "decide", DecisionInput(
            actor=team, award=False, amount_cents=0, reason="Rang 31: buiten het budget."))
        await stage_is(client, reference, Stage.REJECTED)
        async def window_open():  # the objection window, set once the letter has gone
            return (await grants.status(client, reference)).deadline
        window_ends = await eventually(window_open)
        await grants.act(client, reference, "lodge_objection", ObjectionInput(
            actor=grantee, reasons="Onze cofinanciering is gemist."))
        await stage_is(client, reference, Stage.OBJECTION)
        # the team decides within six weeks of the objection window's last day (Awb 7:10),
        # however early the objection came: not eight weeks from its lodging
        last = terms.last_day_of(window_ends, scheme.scheme.timezone)
        decide_by = terms.working_day_from(last + timedelta(weeks=6))
        assert (await grants.status(client, reference)).deadline == terms.day_end(
            decide_by, scheme.scheme.timezone)
        await grants.act(client, reference, "decide_objection", ObjectionOutcome(
            actor=team, uphold=False, reason=DISMISSED_BECAUSE))
        handle = client.get_workflow_handle(f"grant-{reference}", result_type=GrantStatus)
        assert (await asyncio.wait_for(handle.result(), 60)).stage == Stage.REJECTED_FINAL

        async def letter_sent():
            return [m for m in smtp.messages if str(m["Subject"]).startswith(
                f"Beslissing op bezwaar {reference}: ongegrond")]
        [mail] = await eventually(letter_sent)
        await maybe_record(handle, "grant_objection_dismissed_v1.json")  # before the patch
        await maybe_record(handle, "grant_objection_dismissed_v2.json")
        today = local_day(await time_env.get_current_time(), scheme.scheme.timezone)
    body = " ".join(mail.get_body(("plain",)).get_content().split())
    assert f"Datum: {today:%d-%m-%Y} Betreft: " in body  # the day the letter was asked for
    assert f"de afwijzing blijft in stand. Toelichting: {DISMISSED_BECAUSE} Zie " in body
    assert f"the rejection stands. Explanation: {DISMISSED_BECAUSE} See " in body
    assert ("binnen zes weken beroep instellen bij de bestuursrechter: de rechtbank van het "
            "arrondissement waar u bent gevestigd.") in body
    assert "you may appeal within six weeks to the administrative court" in body
    async with sessions() as db:
        kept = (await db.exec(select(Letter).where(
            Letter.reference == reference, Letter.kind == "objection_dismissed"))).one()
        decision = (await db.exec(select(DecisionRecord))).one()
    pdf = (settings.data_dir / "letters" / kept.file_name).read_bytes()
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
                    .split())
    assert f"Toelichting: {DISMISSED_BECAUSE}" in text and "beroep instellen" in text
    assert not decision.awarded  # the rejection stays the application's decision
    # the team's mail, held for its digest, names the day to decide by
    async with sessions() as db:
        received = (await db.exec(select(MailNotice).where(
            MailNotice.key == f"grant-{reference}/objection_received/team"))).one()
    assert "Beslis op het bezwaar via http" in received.body
    assert f", uiterlijk op {decide_by:%d-%m-%Y}." in received.body
    assert f", by {decide_by:%d-%m-%Y} at the latest." in received.body
