"""The programme team assigns assessors to a round's applications on one page: each row goes to
its grant's workflow, whose validator decides; a refused row says why and keeps what was
chosen, and the others are done."""

from __future__ import annotations

import contextlib
import uuid

import pytest
from sqlmodel import select

from api.app import create_app
from api.auth import CSRF_COOKIE
from domain.assignment import in_conflict
from domain.lifecycle import Role, Stage
from regie import grants
from regie.db import session_factory
from regie.programme import ensure_programme
from regie.records import AuditEntry, Organisation
from regie.settings import Settings
from regie.worker import build_worker
from tests import factories, scenario
from tests.conftest import web_client_as


@pytest.mark.parametrize("assessor, lead, partners, conflict", [
    (7, 7, [], True),  # of the applicant
    (7, 1, [3, 7], True),  # of a partner
    (7, 1, [3], False),
    (None, 1, [3], False),  # of no organisation
    (7, 1, [], False),
])
def test_an_assessor_of_the_applicant_or_a_partner_is_in_conflict(assessor, lead, partners,
                                                                  conflict):
    assert in_conflict(assessor, lead, partners) is conflict


def _selects(page: str, reference: str) -> list[str]:
    """The assessor choices in the row of `reference`, each as its HTML."""
    row = page.split(f'data-reference="{reference}">')[1].split("</tr>")[0]
    return row.split("<td>")[3:]


async def test_the_team_assigns_a_rounds_applications_on_one_page(time_env, tmp_path, db_url,
                                                                   engine, scheme, monkeypatch):
    client = time_env.client
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="",
                                 task_queue=f"assign-{uuid.uuid4().hex[:8]}")
    sessions = session_factory(engine)
    async with sessions() as db:
        people = await scenario.cast(db)
        await ensure_programme(db, client, scheme, settings.task_queue)
        leiden = await db.get(Organisation, people.grantee.organisation_id)
        windesheim = await db.get(Organisation, people.outsider.organisation_id)
        insider = await factories.person(db, Role.ASSESSOR, "insider@leiden.example", leiden,
                                         name="Ingrid Insider")
        retired = await factories.person(db, Role.ASSESSOR, "oud@example.nl")
        retired.active = False  # no longer in the pool: offered nowhere
        db.add(retired)
        await db.commit()
        apps = [await factories.application(db, org, scheme)
                for org in (leiden, leiden, windesheim)]
    references = [f"SV2026-000{i}" for i in (1, 2, 3)]
    first, second = people.assessor, people.second_assessor
    portal = create_app(settings, scheme, client)
    async with build_worker(client, settings, sessions, scheme):
        async with sessions() as db:
            for app, reference in zip(apps, references):
                await grants.start(db, client, scheme, app, reference,
                                   factories.IN_2026_ROUND, settings.task_queue,
                                   round_closed=True)
        for reference in references:
            await scenario.stage_is(client, reference, Stage.ASSESSMENT)
        async with sessions() as db:
            web = await web_client_as(portal, people.team, db)
        async with contextlib.aclosing(web):
            assert ('<a href="/rounds/2026/assign" data-assign>Beoordelaars toewijzen '
                    '(3 in beoordeling)</a>') in (await web.get("/rounds/2026")).text
            page = (await web.get("/rounds/2026/assign")).text
            assert "Kies voor elke aanvraag in beoordeling 2 beoordelaars." in page
            assert ('<p class="muted" data-digest>Beoordelaars krijgen hun nieuwe aanvragen in '
                    "één e-mail, 30 minuten nadat er geen meer bij is gekomen.") in page
            # the insider is offered only where their organisation is not involved
            for reference, offered in zip(references, (False, False, True)):
                choices = _selects(page, reference)
                assert len(choices) == 2
                assert all(f'<option value="{first.id}">' in c for c in choices)
                assert all((f'<option value="{insider.id}">' in c) == offered
                           for c in choices)
                assert not any(f'<option value="{retired.id}">' in c for c in choices)
            csrf = web.cookies[CSRF_COOKIE]
            # the first gets two; the second one only, which its workflow refuses; the third
            # is left as it was
            sent = await web.post("/rounds/2026/assign", data={
                "csrf_token": csrf, f"assessors-{references[0]}": [str(first.id),
                                                                   str(second.id)],
                f"assessors-{references[1]}": [str(first.id), ""],
                f"assessors-{references[2]}": ["", ""]})
            assert sent.status_code == 409
            assert '<p class="notice" role="status" data-done="1">Aanvragen toegewezen: 1.' \
                in sent.text
            assert ("<p>Niet toegewezen: 1.</p>\n"
                    f'<ul><li><a href="#row-{references[1]}">{references[1]}</a>: Wijs precies 2 '
                    "beoordelaars toe / assign exactly 2 assessors</li></ul>") in sent.text
            assert (f'<tr data-refused-row="{references[1]}"><td colspan="5" class="error">'
                    f"{references[1]}: Wijs precies 2 beoordelaars toe / assign exactly 2 "
                    "assessors</td></tr>") in sent.text
            kept = _selects(sent.text, references[1])  # as chosen, not as it was
            assert f'<option value="{first.id}" selected>' in kept[0]
            assert "selected" not in kept[1]
            done = _selects(sent.text, references[0])
            assert f'<option value="{first.id}" selected>' in done[0]
            assert f'<option value="{second.id}" selected>' in done[1]
            assert [a.user_id for a in (await grants.status(client, references[0])).assessors
                    ] == [first.id, second.id]
            assert (await grants.status(client, references[1])).assessors == []
            assert ('<a href="/rounds/2026/assign?unassigned=1" data-filter="unassigned">'
                    "alleen die zonder beoordelaars (2)</a>") in sent.text
            # only those without assessors: the first has left that list
            page = (await web.get("/rounds/2026/assign?unassigned=1")).text
            assert [r for r in references if f'data-reference="{r}"' in page] == references[1:]
            assert "1–2 van 2" in page and "alle aanvragen in beoordeling (3)</a>" in page
            assert '<input type="hidden" name="unassigned" value="1">' in page
            # the second again, with two, from the list of those without: the workload
            # counts what each assessor has still to score
            again = await web.post("/rounds/2026/assign", data={
                "csrf_token": csrf, "unassigned": "1",
                f"assessors-{references[1]}": [str(second.id), str(first.id)]})
            assert again.status_code == 303
            assert again.headers["location"] == "/rounds/2026/assign?unassigned=1&done=1"
            page = (await web.get(again.headers["location"])).text
            assert f'<tr data-assessor="{first.id}"><td>{first.name}</td><td>2</td><td>0</td>' \
                in page
            assert f'<tr data-assessor="{insider.id}"><td>Ingrid Insider</td><td>0</td>' \
                in page
        await grants.act(client, references[0], "submit_score",
                         scenario.score(factories.actor_of(first)))
        async with sessions() as db:
            web = await web_client_as(portal, people.team, db)
        async with contextlib.aclosing(web):
            page = (await web.get("/rounds/2026/assign")).text
            scored = _selects(page, references[0])[0]  # who has scored stays: not a choice
            assert scored.startswith(f'<input type="hidden" name="assessors-{references[0]}" '
                                     f'value="{first.id}">{first.name} ')
            assert "(heeft beoordeeld)" in scored
            # the same choices again change nothing
            unchanged = await web.post("/rounds/2026/assign", data={
                "csrf_token": web.cookies[CSRF_COOKIE],
                f"assessors-{references[0]}": [str(first.id), str(second.id)],
                f"assessors-{references[1]}": [str(second.id), str(first.id)]})
            assert unchanged.headers["location"] == "/rounds/2026/assign?page=1&done=0"
            # two a page: the second page holds the third application, and saves it alone
            monkeypatch.setattr("api.assignment.PAGE", 2)
            page = (await web.get("/rounds/2026/assign?page=2")).text
            assert "3–3 van 3" in page and 'href="/rounds/2026/assign?page=1" rel="prev"' in page
            assert 'data-reference="SV2026-0003"' in page
            assert 'data-reference="SV2026-0001"' not in page
            third = await web.post("/rounds/2026/assign", data={
                "csrf_token": web.cookies[CSRF_COOKIE], "page": "2",
                f"assessors-{references[2]}": [str(insider.id), str(second.id)]})
            assert third.headers["location"] == "/rounds/2026/assign?page=2&done=1"
            assert {a.user_id for a in (await grants.status(client, references[2])).assessors
                    } == {insider.id, second.id}
        for person in (first, people.grantee, people.auditor):
            async with sessions() as db:
                web = await web_client_as(portal, person, db)
            async with contextlib.aclosing(web):
                assert (await web.get("/rounds/2026/assign")).status_code == 403
    async with sessions() as db:
        entries = (await db.exec(select(AuditEntry).where(
            AuditEntry.action == "assign_assessors"))).all()
    assert sorted(e.subject for e in entries) == references
