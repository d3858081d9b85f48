"""The programme team's notes on a grant: added on the grant page, kept in the audit log as they
were written, read by the team and auditors, and by no applicant or assessor."""

from __future__ import annotations

import contextlib
import uuid

from sqlmodel import select

from api.app import create_app
from api.auth import CSRF_COOKIE
from regie import audit, notes
from regie.db import session_factory
from regie.records import AuditEntry
from regie.settings import Settings
from regie.worker import build_worker
from tests import scenario
from tests.conftest import web_client_as

FIXED = "Gebeld met de projectleider: de cofinanciering komt in april."
CALL = ("Gebeld met de projectleider (Eva Jansen): de cofinanciering van de gemeente komt in "
        "maart.\r\nZe stuurt de toezegging na.")


async def test_the_team_keeps_notes_on_a_grant_that_applicants_and_assessors_do_not_read(
        time_env, tmp_path, db_url, engine, scheme):
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="",
                                 task_queue=f"notes-{uuid.uuid4().hex[:8]}")
    sessions = session_factory(engine)
    app = create_app(settings, scheme, time_env.client)
    async with sessions() as db:
        people = await scenario.cast(db)
    async with build_worker(time_env.client, settings, sessions, scheme):
        async with sessions() as db:
            reference = await scenario.grant_in_assessment(db, time_env.client, scheme,
                                                           settings.task_queue, people)
            team, auditor, grantee, assessor = [
                await web_client_as(app, person, db) for person in (
                    people.team, people.auditor, people.grantee, people.assessor)]
        grant = f"/grants/{reference}"
        async with contextlib.aclosing(team), contextlib.aclosing(auditor), \
                contextlib.aclosing(grantee), contextlib.aclosing(assessor):
            page = (await team.get(grant)).text
            assert '<h2 id="notes">Aantekeningen</h2>' in page and "Nog geen aantekeningen." in page
            assert 'name="note" maxlength="4000" required>' in page

            def note(client, text):
                return client.post(f"{grant}/notes", data={
                    "csrf_token": client.cookies[CSRF_COOKIE], "note": text})

            added = await note(team, CALL)
            assert added.status_code == 303
            assert added.headers["location"] == f"{grant}?done=note#notes"
            # a line break counts once, as the browser counted it towards the form's limit
            edge = await note(team, "a\r\n" * 1999 + "ab")
            assert edge.status_code == 303

            # refused: empty, or too long, with the reason and what was typed kept
            empty = await note(team, "  \n ")
            assert empty.status_code == 422 and "Schrijf eerst de aantekening" in empty.text
            long = "Verslag van het gesprek. " * 170
            too_long = await note(team, long)
            assert too_long.status_code == 422
            assert "ten hoogste 4000 tekens; deze heeft er 4249" in too_long.text
            assert f">{long.strip()}</textarea>" in too_long.text

            # only the team writes: auditors read, and the others do neither
            for client in (auditor, grantee, assessor):
                assert (await note(client, "Ik mag dit niet.")).status_code == 403
            for client in (team, auditor):
                page = (await client.get(grant)).text
                assert ("Gebeld met de projectleider (Eva Jansen): de cofinanciering van de "
                        "gemeente komt in maart.\nZe stuurt de toezegging na.</p>") in page
                assert f" · {people.team.name}</p>" in page
                assert ("data-add-note" in page) == (client is team)
            for client in (grantee, assessor):
                page = (await client.get(grant)).text
                assert page.count("Eva Jansen") == 0 and "Aantekeningen" not in page

            # a mistake is put right by a correction: the note stays as written, marked so
            async with sessions() as db:
                first = (await notes.of(db, reference))[0].id

            def correct(client, note_id, text):
                return client.post(f"{grant}/notes", data={
                    "csrf_token": client.cookies[CSRF_COOKIE], "note": text,
                    "corrects": str(note_id)})

            page = (await team.get(grant)).text
            assert f'data-correct-note="{first}">' in page
            assert 'name="note" maxlength="4000" required>Gebeld met de projectleider' in page
            # refused: the same text, a note not of this grant, an auditor; a refused one comes
            # back in its own form, open, as typed
            same = await correct(team, first, CALL)
            assert same.status_code == 422
            assert "De correctie is gelijk aan de aantekening" in same.text
            assert same.text.count('<details class="correct-note" open>') == 1
            assert 'required></textarea>' in same.text.split("data-add-note")[1]
            unknown = await correct(team, 999_999, FIXED)
            assert unknown.status_code == 422 and "Onbekende aantekening" in unknown.text
            assert f"required>{FIXED}</textarea>" in unknown.text.split("data-add-note")[1]
            assert (await correct(auditor, first, FIXED)).status_code == 403
            assert (await correct(team, first, "Gebeld met de projectleider.\r\nApril!")
                    ).status_code == 303
            for client in (team, auditor):
                page = (await client.get(grant)).text
                original = page.split(f'data-note="{first}">')[1].split('<div class="note')[0]
                assert "gecorrigeerd op " in original
                assert f"door {people.team.name}, zie hieronder" in original
                assert "komt in maart.\nZe stuurt de toezegging na.</p>" in original  # as written
                assert "data-correct-note" not in original  # corrected: correct its correction
                assert "correctie van de aantekening van " in page
                assert "Gebeld met de projectleider.\nApril!</p>" in page
            # a colleague's correction from a page opened before: theirs comes back with the
            # correction, to correct that if need be
            late = await correct(team, first, FIXED)
            assert late.status_code == 422 and "Deze aantekening is al gecorrigeerd" in late.text
            opened = late.text.split('<details class="correct-note" open>')[1]
            assert f"required>{FIXED}</textarea>" in opened
            assert f'data-correct-note="{first}"' not in late.text  # the correction's form
            # the grant's JSON gives the team and auditors the notes, each correction linked
            # both ways; the applicant and the assessor get none
            for client in (team, auditor):
                listed = (await client.get(f"/api/grants/{reference}")).json()["notes"]
                assert [(n["id"], n["text"][:22], n["corrects"], n["corrected_by"])
                        for n in listed] == [
                    (first, "Gebeld met de projectl", None, listed[2]["id"]),
                    (listed[1]["id"], "a\n" * 11, None, None),
                    (listed[2]["id"], "Gebeld met de projectl", first, None)]
                assert listed[0]["actor"] == people.team.name
            for client in (grantee, assessor):
                assert (await client.get(f"/api/grants/{reference}")).json()["notes"] is None
            # the team member's own data holds what they wrote, corrections with their note
            written = [(a.get("note", "")[:22], a.get("corrects")) for a in (
                await team.get("/me/data.json")).json()["actions"] if a["action"] == "grant_note"]
            assert written == [("Gebeld met de projectl", None), ("a\n" * 11, None),
                               ("Gebeld met de projectl", first)]

    async with sessions() as db:
        kept = await notes.of(db, reference)
        assert [(n.actor, n.role, n.detail["text"][:22]) for n in kept] == [
            (people.team.name, "programme_team", "Gebeld met de projectl"),
            (people.team.name, "programme_team", "a\na\na\na\na\na\na\na\na\na\na\n"),
            (people.team.name, "programme_team", "Gebeld met de projectl")]
        assert kept[2].detail == {"text": "Gebeld met de projectleider.\nApril!",
                                  "corrects": kept[0].id}
        # two corrections of one note sent at once, both past the page's check: the log
        # takes one (the check is part of the append)
        assert not await notes.add(db, people.team, reference, "Ook gecorrigeerd.",
                                   corrects=kept[0].id)
        assert await notes.add(db, people.team, reference, "Correctie van de correctie.",
                               corrects=kept[2].id)
        assert len(await notes.of(db, reference)) == 4
        assert len(kept[1].detail["text"]) == 4000
        # in the audit log's chain: a note altered afterwards shows
        assert await audit.verify(db) == []
        entry = (await db.exec(select(AuditEntry).where(AuditEntry.id == kept[0].id))).one()
        entry.detail = {"text": "Niets besproken."}
        db.add(entry)
        await db.commit()
        assert [p.what for p in await audit.verify(db)] == ["altered"]
