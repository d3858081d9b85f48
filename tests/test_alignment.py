"""The scheme file changed after its rounds and ledger started: each worker brings them in line
when it starts (regie.alignment), under the time-skipping server; what cannot be is refused
and leaves the workflow as it was."""

from __future__ import annotations

import asyncio
import contextlib
import re
import uuid
from datetime import datetime, timedelta

import pytest
from sqlmodel import select
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import ActivityEnvironment

from activities.retention import RetentionActivities
from api.app import create_app
from domain.lifecycle import Role, Stage
from domain.scheme import Round
from domain.types import SYSTEM, SetCommitment, WindowMove
from regie import grants, programme, rounds
from regie.alignment import ALIGNED, Alignment, align_programme
from regie.applications import submit_draft
from regie.db import session_factory
from regie.grants import ActionRefused
from regie.programme import ensure_programme, ledger_workflow_id
from regie.records import Application, AuditEntry, OutboxMail
from regie.rounds import round_workflow_id
from regie.settings import Settings
from regie.worker import build_worker
from tests import dates, factories
from tests.conftest import maybe_record, web_client_as
from tests.scenario import skip_to, stage_is
from workflows.ledger import LedgerWorkflow
from workflows.round import RoundWorkflow

MILLION = 1_000_000_00


@pytest.fixture
def settings(tmp_path, db_url):
    return Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="",
                             task_queue=f"align-{uuid.uuid4().hex[:8]}")


async def _mails(sessions, key_part: str) -> list[OutboxMail]:
    async with sessions() as db:
        return list((await db.exec(select(OutboxMail).where(
            OutboxMail.key.contains(key_part)).order_by(OutboxMail.id))).all())


async def _updates(client, workflow_id: str) -> int:
    """The Updates a workflow's history holds: a refused one leaves none."""
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    return sum(e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
               for e in history.events)


async def _apart(settings, scheme, client, sessions, team) -> dict[str, str]:
    """What the rounds page marks as not (yet) as the scheme file has it, by what it is."""
    async with sessions() as db:
        web = await web_client_as(create_app(settings, scheme, client), team, db)
    async with contextlib.aclosing(web):
        page = (await web.get("/rounds")).text
    return dict(re.findall(r'<span class="passed" data-apart="([^"]+)">([^<]+)</span>', page))


async def test_a_round_takes_the_window_the_file_moves_until_it_closes(
        time_env, settings, engine, scheme):
    client, sessions = time_env.client, session_factory(engine)
    async with sessions() as db:
        org = await factories.organisation(db, "Erasmus Universiteit", "wo")
        member = await factories.person(db, Role.GRANTEE, "indiener@eur.example", org)
        team = await factories.person(db, Role.PROGRAMME_TEAM, "team@example.nl")
        early = await factories.application(db, org, scheme, factories.draft("2027", "Vroeg"))
        late = await factories.application(db, org, scheme, factories.draft("2027", "Later"))
        await ensure_programme(db, client, scheme, settings.task_queue)
    applicant, rnd = factories.actor_of(member), scheme.round("2027")
    # the team postpones the round by a week before it opens ...
    postponed = factories.edited(scheme, "2027", opens=rnd.opens + timedelta(days=7),
                       closes=rnd.closes + timedelta(days=7))
    # ... and, once it is open, gives applicants one day more
    extended = factories.edited(postponed, "2027", closes=rnd.closes + timedelta(days=8))

    # the worker reads the file as it ends up: the eligibility check takes the round's closing
    # from it (a worker restarted on the new file; here one worker throughout, as the
    # time-skipping server does not move a query from a stopped worker to the next)
    async with build_worker(client, settings, sessions, extended):
        assert await align_programme(sessions, client, postponed) == [
            Alignment(round_workflow_id("2027"), True, "")]
        async with sessions() as db:
            status = await rounds.status(client, db, "2027")
            assert (status.phase, status.opens_at, status.closes_at) == (
                "scheduled", dates.opens(postponed, "2027"), dates.closes(postponed, "2027"))
            assert status.closes_local == f"{rnd.closes + timedelta(days=7):%d-%m-%Y %H:%M}"
            entry = (await db.exec(select(AuditEntry).where(AuditEntry.action == ALIGNED))).one()
            assert (entry.actor, entry.subject) == ("Regie", round_workflow_id("2027"))
            assert entry.detail["update"].startswith("align-")  # the Update it records
            web = await web_client_as(create_app(settings, postponed, client), team, db)
        async with contextlib.aclosing(web):  # the team sees the round's window
            window = (f"{rnd.opens + timedelta(days=7):%d-%m-%Y %H:%M}",
                      f"{rnd.closes + timedelta(days=7):%d-%m-%Y %H:%M}")
            page = (await web.get("/rounds/2027")).text
            assert f"Opent {window[0]} · Sluit {window[1]}</p>" in page
            # its money and what may come in: two drafts, none submitted yet
            assert ("<td>€ 4.000.000,00</td><td data-committed>€ 0,00</td><td data-remaining>"
                    "€ 4.000.000,00</td><td data-submitted>0</td><td data-drafts>2</td>") in page
            assert '<a href="/call/2027">Oproep</a>' in page
            assert (f'<td data-opens>{window[0]}</td><td data-closes>{window[1]}</td>'
                    in (await web.get("/rounds")).text)
        # the applicant with drafts in the round is told, once for each draft
        assert [(m.key.rsplit("/", 1)[1], m.recipients, m.subject) for m in await _mails(
            sessions, "/window-")] == [
            (str(draft.id), ["indiener@eur.example"],
             f"Aanvraagronde gewijzigd: sluit {window[1]} / Round changed: closes {window[1]}")
            for draft in (early, late)]
        # a file that agrees changes nothing, not even the history
        assert await _updates(client, round_workflow_id("2027")) == 1
        assert await align_programme(sessions, client, postponed) == []
        assert await _updates(client, round_workflow_id("2027")) == 1

        await skip_to(time_env, dates.opens(scheme, "2027") + timedelta(minutes=1))
        async with sessions() as db:
            with pytest.raises(ActionRefused, match="nog niet open"):
                await submit_draft(db, client, postponed, early, applicant)
        await skip_to(time_env, dates.opens(postponed, "2027"))
        async with sessions() as db:
            assert await submit_draft(db, client, postponed, early, applicant) == "SV2027-0001"

        # an opening that has passed stays where it was
        earlier = factories.edited(extended, "2027", opens=rnd.opens + timedelta(days=6))
        refused = await align_programme(sessions, client, earlier)
        assert [(a.changed, a.detail) for a in refused] == [
            (False, "De ronde is al open; de opening ligt vast / the round is open; its "
                    "opening cannot move")]
        # and the rounds page says that the round is not as the file has it
        assert await _apart(settings, earlier, client, sessions, team) == {
            "2027": f"het regelingbestand zegt {rnd.opens + timedelta(days=6):%d-%m-%Y %H:%M} – "
                    f"{rnd.closes + timedelta(days=8):%d-%m-%Y %H:%M}: (nog) niet overgenomen; "
                    "een worker neemt het over bij zijn start, of logt waarom het niet kan"}
        assert await align_programme(sessions, client, extended) == [
            Alignment(round_workflow_id("2027"), True, "")]
        told = (await _mails(sessions, "/window-"))[2:]  # the draft not yet submitted
        assert [m.key.rsplit("/", 1)[1] for m in told] == [str(late.id)]
        assert (f"Aanvraagronde 2027 is gewijzigd: de ronde is open van {window[0]} tot "
                f"{rnd.closes + timedelta(days=8):%d-%m-%Y %H:%M}.") in " ".join(
                    told[0].body.split())
        await skip_to(time_env, dates.closes(postponed, "2027") + timedelta(hours=1))
        async with sessions() as db:
            reference = await submit_draft(db, client, extended, late, applicant)
        # a closing already past is refused
        past = factories.edited(extended, "2027", closes=rnd.closes + timedelta(days=7, minutes=30))
        assert [a.changed for a in await align_programme(sessions, client, past)] == [False]
        await skip_to(time_env, dates.closes(extended, "2027"))
        # submitted in the extra day, and eligible: the check reads the file's new closing
        await stage_is(client, reference, Stage.ASSESSMENT)
        assert not (await grants.status(client, reference)).findings
        async with sessions() as db:
            with pytest.raises(ActionRefused, match="gesloten sinds "
                               f"{rnd.closes + timedelta(days=8):%d-%m-%Y %H:%M}"):
                await submit_draft(db, client, extended, await factories.application(
                    db, org, extended, factories.draft("2027", "Te laat")),
                    applicant)
        # a round that has closed keeps its window
        closed = factories.edited(extended, "2027", closes=rnd.closes + timedelta(days=9))
        assert await align_programme(sessions, client, closed) == []
        await maybe_record(client.get_workflow_handle(round_workflow_id("2027")),
                           "round_window_told_v1.json")


async def test_the_ledger_takes_the_budgets_and_closing_the_file_sets_but_no_ceiling_too_low(
        time_env, settings, engine, scheme):
    client, sessions = time_env.client, session_factory(engine)
    async with sessions() as db:
        await ensure_programme(db, client, scheme, settings.task_queue)
    ledger_id = ledger_workflow_id(scheme.scheme.id)
    # the team confirms the budgets: 2026 gets €5M, and €1M goes to an autumn round of 2027;
    # the books close three months later
    autumn = Round(id="2027-najaar", name_nl="Najaarsronde 2027", name_en="Autumn 2027 round",
                   opens=datetime(2027, 9, 1, 9) + dates.SHIFT,
                   closes=datetime(2027, 10, 1, 13) + dates.SHIFT, budget=1_000_000,
                   rate_table="roles-2026", rubric="bijlage2-2026")
    confirmed = factories.edited(scheme, "2026", budget_cents=5 * MILLION)
    books_close = scheme.scheme.books_close + timedelta(days=92)
    confirmed = confirmed.model_copy(update={
        "rounds": (*confirmed.rounds, autumn),
        "scheme": confirmed.scheme.model_copy(update={"books_close": books_close})})

    async with build_worker(client, settings, sessions, confirmed):
        await programme.set_commitment(client, scheme.scheme.id, SetCommitment(
            actor=SYSTEM, reference="SV2026-0001", round_id="2026",
            amount_cents=5_500_000_00, reason="eerdere toekenningen"))
        async with sessions() as db:
            await ensure_programme(db, client, confirmed, settings.task_queue)  # the new round
        assert await _updates(client, ledger_id) == 1  # the commitment
        assert await align_programme(sessions, client, confirmed) == [Alignment(ledger_id, False, (
            "In ronde 2026 is al € 5.500.000,00 toegekend / € 5.500.000,00 is already "
            "committed in round 2026"))]
        assert await _updates(client, ledger_id) == 1  # the refusal left no trace
        assert [r.round_id for r in (await programme.ledger(client, scheme.scheme.id)).rounds
                ] == ["2025", "2026", "2027"]
        # the team sees where the ledger is not as the file has it
        async with sessions() as db:
            team = await factories.person(db, Role.PROGRAMME_TEAM, "team@example.nl")
        assert await _apart(settings, confirmed, client, sessions, team) == {
            "2026": "het regelingbestand zegt € 5.000.000,00: (nog) niet overgenomen; een "
                    "worker neemt het over bij zijn start, of logt waarom het niet kan"}

        await programme.set_commitment(client, scheme.scheme.id, SetCommitment(
            actor=SYSTEM, reference="SV2026-0001", round_id="2026",
            amount_cents=4_500_000_00, reason="lager vastgesteld"))
        # two workers starting at once: one sets the budgets, the other finds them set
        assert sorted(await asyncio.gather(align_programme(sessions, client, confirmed),
                                           align_programme(sessions, client, confirmed)),
                      key=len) == [[], [Alignment(ledger_id, True, "")]]
        assert await align_programme(sessions, client, confirmed) == []
        assert await _apart(settings, confirmed, client, sessions, team) == {}
        ledger = await programme.ledger(client, scheme.scheme.id)
        assert {r.round_id: r.ceiling_cents for r in ledger.rounds} == {
            "2025": 6 * MILLION, "2026": 5 * MILLION, "2027": 4 * MILLION,
            "2027-najaar": MILLION}
        assert ledger.closes_at == confirmed.end_of_day_utc(books_close)
        async with sessions() as db:
            assert (await rounds.status(client, db, "2027-najaar")).phase == "scheduled"
        # the new round's money can be committed, and no more
        with pytest.raises(ActionRefused, match=r"nog € 1\.000\.000,00 over in ronde 2027-najaar"):
            await programme.set_commitment(client, scheme.scheme.id, SetCommitment(
                actor=SYSTEM, reference="SV2027N-0001", round_id="2027-najaar",
                amount_cents=MILLION + 1, reason="te veel"))
        await programme.set_commitment(client, scheme.scheme.id, SetCommitment(
            actor=SYSTEM, reference="SV2027N-0001", round_id="2027-najaar",
            amount_cents=MILLION, reason="past"))
        # only Regie sets budgets, from the file
        with pytest.raises(ActionRefused, match="Alleen Regie"):
            await grants.run_update(
                client.get_workflow_handle(ledger_id), "set_budgets", {
                    "actor": {"user_id": 1, "name": "Team", "role": Role.PROGRAMME_TEAM.value},
                    "programme_cents": 1, "ceilings": {}, "reason": "x"})
        # the books stay open past the day they were to close, and close on the new one
        await skip_to(time_env, scheme.end_of_day_utc(scheme.scheme.books_close)
                      + timedelta(days=1))
        assert (await client.get_workflow_handle(ledger_id).describe()).status == \
            WorkflowExecutionStatus.RUNNING
        await skip_to(time_env, confirmed.end_of_day_utc(books_close) + timedelta(minutes=1))
        closed = await client.get_workflow_handle_for(LedgerWorkflow.run, ledger_id).result()
        assert (closed.closes_at, closed.committed_cents) == (
            confirmed.end_of_day_utc(books_close), 5_500_000_00)
        await maybe_record(client.get_workflow_handle(ledger_id), "ledger_moved_close_v1.json")
    async with sessions() as db:
        assert (await db.exec(select(AuditEntry.subject).where(
            AuditEntry.action == ALIGNED))).all() == [ledger_id]
        assert not (await db.exec(select(Application))).all()


async def test_an_alignment_whose_worker_stopped_before_its_audit_entry_gets_one_later(
        time_env, settings, engine, scheme):
    """A worker that stops between the Update and its audit entry: the next worker to start
    finds the Update in the round's history and writes the entry, once, whoever starts."""
    client, sessions = time_env.client, session_factory(engine)
    async with sessions() as db:
        await ensure_programme(db, client, scheme, settings.task_queue)
    rnd = scheme.round("2027")
    postponed = factories.edited(scheme, "2027", closes=rnd.closes + timedelta(days=7))
    opens_at, closes_at, closes_local = rounds.window(postponed, postponed.round("2027"))
    round_id = round_workflow_id("2027")
    async with build_worker(client, settings, sessions, postponed):
        await grants.run_update(  # what the stopped worker had sent, and no more
            client.get_workflow_handle(round_id), "move_window", WindowMove(
                actor=SYSTEM, opens_at=opens_at, closes_at=closes_at,
                closes_local=closes_local, reason="regelingbestand"), "align-gestopt")
        for _ in range(2):  # two workers start, one after the other
            assert await asyncio.gather(*(align_programme(sessions, client, postponed)
                                          for _ in range(2))) == [[], []]
    async with sessions() as db:
        entries = (await db.exec(select(AuditEntry).where(AuditEntry.action == ALIGNED))).all()
    assert [(e.subject, e.detail["update"], e.detail["recovered"]) for e in entries] == [
        (round_id, "align-gestopt", True)]
    assert (entries[0].detail["opens_at"], entries[0].detail["closes_at"]) == (
        opens_at.isoformat().replace("+00:00", "Z"), closes_at.isoformat().replace("+00:00", "Z"))


async def test_an_alignment_whose_round_went_on_in_a_new_run_before_its_entry_gets_one(
        time_env, settings, engine, scheme):
    """The round continued as new after the Update of a worker that stopped (applications kept
    coming in, and another worker ran on): keeping that run reads it first, and a worker that
    starts reads the runs not kept yet; one entry for each Update, whichever comes first."""
    client, sessions = time_env.client, session_factory(engine)
    round_id, applications = round_workflow_id("2027"), 20
    async with sessions() as db:
        orgs = [await factories.organisation(db, f"Instelling {n}", "hbo")
                for n in range(applications)]
        members = [await factories.person(db, Role.GRANTEE, f"lid{n}@instelling{n}.example",
                                          org) for n, org in enumerate(orgs)]
        drafts = [await factories.application(db, org, scheme, factories.draft(
            "2027", f"Project {n + 1:02d}")) for n, org in enumerate(orgs)]
        params = await rounds.round_params(db, scheme, scheme.round("2027"))
        await client.start_workflow(  # in runs of about 40 events (tests/test_round_runs.py)
            RoundWorkflow.run, params.model_copy(update={"run_events": 40}), id=round_id,
            task_queue=settings.task_queue, task_timeout=rounds.ROUND_TASK_TIMEOUT)
        await ensure_programme(db, client, scheme, settings.task_queue)
    rnd = scheme.round("2027")
    files = [factories.edited(scheme, "2027", closes=rnd.closes + timedelta(days=days))
             for days in (7, 14)]

    async def submit(n: int) -> None:
        async with sessions() as db:
            await submit_draft(db, client, scheme, drafts[n], factories.actor_of(members[n]))

    async def in_latest_run(update_id: str) -> bool:
        history = await client.get_workflow_handle(round_id).fetch_history()
        return any(e.workflow_execution_update_accepted_event_attributes.accepted_request.meta
                   .update_id == update_id for e in history.events)

    async def recorded() -> list[tuple[str, bool]]:
        async with sessions() as db:
            return [(e.detail["update"], e.detail["recovered"]) for e in (await db.exec(
                select(AuditEntry).where(AuditEntry.action == ALIGNED))).all()]

    async with build_worker(client, settings, sessions, scheme):
        await skip_to(time_env, dates.opens(scheme, "2027") + timedelta(days=1))
        for n, file in enumerate(files):
            opens_at, closes_at, closes_local = rounds.window(file, file.round("2027"))
            await grants.run_update(  # what the stopped worker had sent, and no more
                client.get_workflow_handle(round_id), "move_window", WindowMove(
                    actor=SYSTEM, opens_at=opens_at, closes_at=closes_at,
                    closes_local=closes_local, reason="regelingbestand"), f"align-gestopt-{n}")
            half = applications // len(files)
            await asyncio.gather(*(submit(i) for i in range(n * half, (n + 1) * half)))
            assert not await in_latest_run(f"align-gestopt-{n}")
            if n == 0:  # the weekly retention keeps the run that went on, before any start
                retention = RetentionActivities(sessions, scheme, client,
                                                settings.data_dir / "attachments")
                report = await ActivityEnvironment().run(
                    retention.apply_retention, await time_env.get_current_time())
                assert round_id in report.kept_histories
                assert await recorded() == [("align-gestopt-0", True)]
        # a worker starts on the file as it is now: the second Update is in a run not kept
        assert await align_programme(sessions, client, files[-1]) == []
        assert await align_programme(sessions, client, files[-1]) == []
    assert await recorded() == [("align-gestopt-0", True), ("align-gestopt-1", True)]
