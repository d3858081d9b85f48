"""A report is written in a draft that Regie keeps until it is sent: saved as the grantee types
and whenever the form goes back to them, with every file that passed its checks; sent back by
the team, the report opens as it was sent, with the team's comment and its files; a
colleague's save is not replaced unseen; and the draft of a report a grant that has ended
never had goes at the retention run, with its files."""

from __future__ import annotations

import contextlib
import re
import uuid
from datetime import datetime, timedelta, timezone

from sqlmodel import select
from temporalio.testing import ActivityEnvironment

from activities.retention import RetentionActivities
from api.app import create_app
from api.auth import CSRF_COOKIE, CSRF_HEADER
from domain.lifecycle import Role, Stage
from domain.types import DecisionInput, ReportReview
from regie import grants, report_drafts
from regie.db import session_factory
from regie.links import report_token
from regie.programme import ensure_programme
from regie.records import Attachment, Organisation, OutboxMail
from regie.settings import Settings
from regie.worker import build_worker
from tests import factories, scenario
from tests.conftest import eventually, web_client_as

PDF = b"%PDF-1.4 presentielijst"


def _revision(page: str) -> int:
    """The count of the draft's saves the form was opened with."""
    return int(re.search(r'name="revision" value="(\d+)"', page).group(1))


def _kept_files(page: str) -> dict[str, str]:
    """The files the form holds, by name: the id each keep box sends."""
    return {name: id_ for id_, name in re.findall(
        r'<input type="checkbox" name="keep" value="(\d+)" checked> ([^<(]+?) \(', page)}


async def test_a_report_is_kept_as_its_draft_until_sent_and_returns_as_sent(
        time_env, tmp_path, db_url, engine, scheme):
    client, sessions = time_env.client, session_factory(engine)
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="",
                                 task_queue=f"drafts-{uuid.uuid4().hex[:8]}")
    async with sessions() as db:
        people = await scenario.cast(db)
        await ensure_programme(db, client, scheme, settings.task_queue)
    portal, team = create_app(settings, scheme, client), factories.actor_of(people.team)
    form = "/grants/{}/reports/{}"
    folder = tmp_path / "attachments"

    async def draft_of(reference, index):
        async with sessions() as db:
            return await report_drafts.draft_for(db, reference, index)

    async with build_worker(client, settings, sessions, scheme):
        reference = await scenario.grant_awaiting_decision(sessions, client, scheme,
                                                           settings.task_queue, people)
        await grants.act(client, reference, "decide", DecisionInput(
            actor=team, award=True, amount_cents=86_000_00, reason="Gehonoreerd."))
        first = form.format(reference, 0)
        async with sessions() as db:
            web = await web_client_as(portal, people.grantee, db)
        async with contextlib.aclosing(web):
            csrf = web.cookies[CSRF_COOKIE]
            page = (await web.get(first)).text
            assert "Concept opgeslagen" not in page
            mine = (await web.get("/my")).text  # their list of grants links the form
            assert f'<a href="{first}" data-report-form="0">Voortgangsrapportage 1</a>' in mine
            assert '<textarea id="summary" name="summary" rows="5" required></textarea>' in page

            # what the form's script sends as the grantee types: kept, and there the next time
            typed = await web.post(f"{first}/autosave", headers={CSRF_HEADER: csrf}, data={
                "summary": "Twee trainingen gegeven.", "act-0-done": "Twee van de drie.",
                "csrf_token": csrf, "tampered": "niet bewaard",
                "act-9-done": "een activiteit die het project niet heeft"})
            assert typed.status_code == 200  # saved at a time of the scheme's zone, not UTC's
            assert typed.json()["saved_at"] in {(datetime.now(scheme.tz) - timedelta(
                minutes=m)).strftime("%H:%M") for m in (0, 1)}
            page = (await web.get(first)).text
            assert "Twee trainingen gegeven.</textarea>" in page
            assert "Twee van de drie.</textarea>" in page and "Concept opgeslagen op" in page
            assert (await draft_of(reference, 0)).fields == {
                "summary": "Twee trainingen gegeven.", "act-0-done": "Twee van de drie."}

            # through the prompt's link as well; an expired one saves nothing, and says why
            expired = report_token(settings.secret_key, people.grantee.id, reference, 0,
                                   datetime.now(timezone.utc) - timedelta(minutes=1))
            late = await web.post(f"/report/{expired}/autosave", headers={CSRF_HEADER: csrf},
                                  data={"summary": "Verloren?"})
            assert late.status_code == 410 and "verlopen" in late.json()["detail"]
            link = report_token(settings.secret_key, people.grantee.id, reference, 0,
                                datetime.now(timezone.utc) + timedelta(days=1))
            by_link = await web.post(f"/report/{link}/autosave", headers={CSRF_HEADER: csrf},
                                     data={"summary": "Twee trainingen gegeven.",
                                           "act-0-done": "Twee van de drie."})
            assert by_link.status_code == 200
            assert "Twee van de drie.</textarea>" in (await web.get(f"/report/{link}")).text

            # signed out (the session ended while the form was open): nothing saved, said why
            async with sessions() as db:
                visitor = await web_client_as(portal, None, db)
            async with contextlib.aclosing(visitor):
                await visitor.get("/")
                out = await visitor.post(f"{first}/autosave", data={"summary": "Weg?"},
                                         headers={CSRF_HEADER: visitor.cookies[CSRF_COOKIE]})
            assert out.status_code == 401 and "niet meer ingelogd" in out.json()["detail"]

            # a colleague has had the form open since before the grantee's last save: their
            # autosave does not replace it and says whose it was; sent, their form comes back
            # as they typed it, and sent again it replaces that save (regie.revisions)
            async with sessions() as db:
                colleague = await factories.person(
                    db, Role.GRANTEE, "sam@uu.example", await db.get(
                        Organisation, people.grantee.organisation_id), name="Sam de Vries")
                other = await web_client_as(portal, colleague, db)
            async with contextlib.aclosing(other):
                seen = _revision((await other.get(first)).text)
                stored = len(list(folder.iterdir())) if folder.exists() else 0
                mine = await web.post(f"{first}/autosave", headers={CSRF_HEADER: csrf}, data={
                    "summary": "Twee trainingen gegeven.", "act-0-done": "Twee van de drie.",
                    "revision": seen})
                assert mine.status_code == 200 and mine.json()["revision"] == seen + 1
                theirs_csrf = other.cookies[CSRF_COOKIE]
                theirs = await other.post(f"{first}/autosave", headers={
                    CSRF_HEADER: theirs_csrf}, data={"summary": "Alles anders.",
                                                     "revision": seen})
                assert theirs.status_code == 409
                assert f"opgeslagen door {people.grantee.name}, nadat u dit formulier opende" \
                    in theirs.json()["detail"]
                assert (await draft_of(reference, 0)).fields["summary"] == \
                    "Twee trainingen gegeven."
                sent_over = await other.post(first, data={
                    "csrf_token": theirs_csrf, "intent": "save", "summary": "Alles anders.",
                    "revision": seen}, files={"attachments": ("sam.pdf", PDF, "application/pdf")})
                assert sent_over.status_code == 409 and "Alles anders.</textarea>" in sent_over.text
                async with sessions() as db:  # the file it brought is not kept either
                    assert not (await db.exec(select(Attachment).where(
                        Attachment.original_name == "sam.pdf"))).all()
                assert len(list(folder.iterdir())) == stored
                assert "Hieronder staat wat u typte, niet opgeslagen" in sent_over.text
                assert _revision(sent_over.text) == seen + 1  # sending again replaces it
                again = await other.post(first, data={
                    "csrf_token": theirs_csrf, "intent": "save", "summary": "Alles anders.",
                    "revision": seen + 1})
                assert again.status_code == 303
                assert (await draft_of(reference, 0)).fields == {"summary": "Alles anders."}
                late = await web.post(f"{first}/autosave", headers={CSRF_HEADER: csrf}, data={
                    "summary": "Twee trainingen gegeven.", "revision": seen + 1})
                assert late.status_code == 409 and "door Sam de Vries" in late.json()["detail"]

            # sent with an activity left open and a file of a kind not taken: the form comes
            # back with both reasons, and the file that passed its checks stays on it
            sent = await web.post(first, data={
                "csrf_token": csrf, "summary": "Twee trainingen gegeven.",
                "act-0-done": "Twee van de drie.", "lessons": "Begin vroeg."},
                files=[("attachments", ("presentielijst.pdf", PDF, "application/pdf")),
                       ("attachments", ("virus.exe", b"MZ", "application/octet-stream"))])
            assert sent.status_code == 422
            assert "Activiteit 2: wat is er gedaan?" in sent.text
            assert "virus.exe: dit type bestand kan niet" in sent.text
            assert list(_kept_files(sent.text)) == ["presentielijst.pdf"]
            assert "Begin vroeg.</textarea>" in sent.text
            # the form comes back with the count of the save it just made, not the one before
            assert _revision(sent.text) == (await draft_of(reference, 0)).revision

            # saved as a draft, a file of a kind not taken refused: said, the draft saved
            refused = await web.post(first, data={
                "csrf_token": csrf, "intent": "save", "summary": "Twee trainingen gegeven.",
                "keep": list(_kept_files(sent.text).values())},
                files={"attachments": ("macro.docm", b"PK", "application/octet-stream")})
            assert refused.status_code == 422 and "macro.docm: dit type" in refused.text
            assert "Concept opgeslagen op" in refused.text
            assert list(_kept_files(refused.text)) == ["presentielijst.pdf"]
            # saved as a draft with a second file: both on the form when it opens again
            saved = await web.post(first, data={
                "csrf_token": csrf, "intent": "save", "summary": "Twee trainingen gegeven.",
                "act-0-done": "Twee van de drie.", "lessons": "Begin vroeg.",
                "keep": list(_kept_files(sent.text).values())},
                files={"attachments": ("foto.png", b"\x89PNG", "image/png")})
            assert (saved.status_code, saved.headers["location"]) == (303, f"{first}?saved=1")
            page = (await web.get(f"{first}?saved=1")).text
            assert "Concept opgeslagen</span>" in page
            grant = (await web.get(f"/grants/{reference}")).text  # the link says so too
            assert re.search(r'<span class="muted" data-report-draft="0">· concept opgeslagen op '
                             r'\d\d-\d\d-\d{4} \d\d:\d\d</span>', grant)
            async with sessions() as db:  # the team sees that a draft is kept, not what
                staff = await web_client_as(portal, people.team, db)
            async with contextlib.aclosing(staff):
                seen = (await staff.get(f"/grants/{reference}")).text
                for draft_file in _kept_files(page).values():  # nor its files, by number
                    opened = await staff.get(f"/grants/{reference}/attachments/{draft_file}")
                    assert opened.status_code == 404, draft_file
            assert re.search(r'<td>Open <span class="muted" data-draft-saved="0">· concept '
                             r'opgeslagen op \d\d-\d\d-\d{4} \d\d:\d\d</span></td>', seen)
            assert "Begin vroeg." not in seen and "data-overdue" not in seen
            assert "data-draft-saved" not in grant  # the grantee's own link says it
            files = _kept_files(page)
            assert list(files) == ["presentielijst.pdf", "foto.png"]
            assert '<label for="attachments">Bijlagen toevoegen (' in page
            photo = await _attachment(sessions, int(files["foto.png"]))
            assert (folder / photo.stored_name).is_file()
            # each file on the form opens from it, signed in and through the prompt's link
            opens = f'/grants/{reference}/attachments/{files["foto.png"]}'
            assert f'<a href="{opens}" data-file-link aria-label="foto.png downloaden">' in page
            assert (await web.get(opens)).content == b"\x89PNG"
            opens = f'/report/{link}/files/{files["foto.png"]}'
            assert f'<a href="{opens}" data-file-link' in (await web.get(f"/report/{link}")).text
            assert (await web.get(opens)).content == b"\x89PNG"
            async with sessions() as db:  # the grantee's own data holds their draft
                mine = await web_client_as(portal, people.grantee, db)
            async with contextlib.aclosing(mine):
                drafts = (await mine.get("/me/data.json")).json()["report_drafts"]
            assert [(d["reference"], d["report"], d["files"]) for d in drafts] == [
                (reference, 1, ["presentielijst.pdf", "foto.png"])]

            # sent with the photo unticked: the report has the list alone, the photo is gone
            done = await web.post(first, data={
                "csrf_token": csrf, "summary": "Twee trainingen gegeven.",
                "act-0-done": "Twee van de drie.", "act-1-done": "Cultuurscan voorbereid.",
                "lessons": "Begin vroeg.", "public": "yes",
                "keep": [files["presentielijst.pdf"]]})
            assert done.status_code == 200 and "Rapportage ontvangen" in done.text
            report = (await grants.status(client, reference)).reports[0]
            assert [(a.name, a.kind, a.public) for a in report.attachments] == [
                ("presentielijst.pdf", "document", True)]
            assert await _attachment(sessions, photo.id) is None
            assert not (folder / photo.stored_name).exists()

            async def draft_gone():
                return await draft_of(reference, 0) is None
            await eventually(draft_gone)  # record_event removes it with the report's record
            late = await web.post(f"{first}/autosave", headers={CSRF_HEADER: csrf},
                                  data={"summary": "Nog iets."})
            assert late.status_code == 409 and "al ingediend" in late.json()["detail"]
            assert await draft_of(reference, 0) is None

        # the team sends it back; the form opens as the report was sent, with the comment
        await grants.act(client, reference, "review_report", ReportReview(
            actor=team, report_index=0, accepted=False, comment="Voeg de evaluatie toe.",
            new_due=(await time_env.get_current_time() + timedelta(days=30)).date()))

        async def changes_asked():  # the mail links the form, not the grant's page
            async with sessions() as db:
                return (await db.exec(select(OutboxMail).where(
                    OutboxMail.key.contains("report_changes")))).first()
        assert f"met de bijlagen: {settings.base_url}{first}." in (
            await eventually(changes_asked)).body
        async with sessions() as db:
            web = await web_client_as(portal, people.grantee, db)
        async with contextlib.aclosing(web):
            page = (await web.get(first)).text
            assert "vraagt om aanpassingen:</strong></p><p>Voeg de evaluatie toe.</p>" in page
            assert "Twee trainingen gegeven.</textarea>" in page
            assert "Cultuurscan voorbereid.</textarea>" in page
            assert 'name="public" value="yes" checked' in page
            assert list(_kept_files(page)) == ["presentielijst.pdf"]
            # typing again starts a new draft, which holds the file the report was sent with
            retyped = await web.post(f"{first}/autosave", data={"summary": "Met evaluatie."},
                                     headers={CSRF_HEADER: web.cookies[CSRF_COOKIE]})
            assert retyped.status_code == 200
            page = (await web.get(first)).text
            assert "Met evaluatie.</textarea>" in page
            kept = _kept_files(page)
            assert list(kept) == ["presentielijst.pdf"]
            # sent again with the file as it was: no need to send it twice
            again = await web.post(first, data={
                "csrf_token": web.cookies[CSRF_COOKIE],
                "summary": "Twee trainingen gegeven; de evaluatie is bijgevoegd.",
                "act-0-done": "Twee van de drie.", "act-1-done": "Cultuurscan voorbereid.",
                "keep": [kept["presentielijst.pdf"]]},
                files={"attachments": ("evaluatie.pdf", b"%PDF-1.4 evaluatie",
                                       "application/pdf")})
            assert again.status_code == 200
            report = (await grants.status(client, reference)).reports[0]
            assert [a.name for a in report.attachments] == ["presentielijst.pdf",
                                                             "evaluatie.pdf"]
            listed = await _attachment(sessions, report.attachments[0].id)
            assert (folder / listed.stored_name).is_file()

        await grants.act(client, reference, "review_report", ReportReview(
            actor=team, report_index=0, accepted=True))

        # a draft of the final report, never sent: reporting closes, the grant is archived
        # without it, and the retention run removes the draft with the file sent with it
        # alone; the report's files stay
        final = form.format(reference, (await grants.status(client, reference)).reports[-1]
                            .index)
        async with sessions() as db:
            web = await web_client_as(portal, people.grantee, db)
        async with contextlib.aclosing(web):
            kept_back = await web.post(final, data={
                "csrf_token": web.cookies[CSRF_COOKIE], "intent": "save", "summary": "Half."},
                files={"attachments": ("concept.pdf", b"%PDF-1.4 concept", "application/pdf")})
            assert kept_back.status_code == 303
            unsent = await _attachment(sessions, int(_kept_files(
                (await web.get(final)).text)["concept.pdf"]))
        async with sessions() as db:  # the link opens its own report's files alone
            visitor = await web_client_as(portal, None, db)
        async with contextlib.aclosing(visitor):
            assert (await visitor.get(f"/report/{link}/files/{listed.id}")).content == PDF
            assert (await visitor.get(f"/report/{link}/files/{unsent.id}")).status_code == 404
            assert (await visitor.get(f"/grants/{reference}/attachments/{listed.id}")
                    ).status_code == 303  # to sign in
        await scenario.skip_to(time_env, scheme.end_of_day_utc(scheme.scheme.reporting_closes)
                               + timedelta(days=1))
        await scenario.stage_is(client, reference, Stage.ARCHIVED)
        retention = RetentionActivities(sessions, scheme, client, folder)
        report = await ActivityEnvironment().run(retention.apply_retention,
                                                 await time_env.get_current_time())
    assert report.removed_report_drafts == 1
    assert await draft_of(reference, int(final.rsplit('/', 1)[1])) is None
    assert await _attachment(sessions, unsent.id) is None
    assert not (folder / unsent.stored_name).exists()
    assert (folder / listed.stored_name).is_file()


async def _attachment(sessions, attachment_id: int) -> Attachment | None:
    async with sessions() as db:
        return await db.get(Attachment, attachment_id)
