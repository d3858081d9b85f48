"""The programme team assigns assessors to a round's applications on one page: each row goes to
its grant's workflow, whose validator decides; a refused row says why and keeps what was
chosen, and the others are done."""

from __future__ import annotations

import contextlib
import uuid
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from api.app import create_app
from api.auth import CSRF_COOKIE
from domain.assignment import Open, away, in_conflict, propose
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


@pytest.mark.parametrize("away_until, today, is_away", [
    (None, date(2027, 2, 10), False),  # not away
    (date(2027, 2, 9), date(2027, 2, 10), False),  # back today
    (date(2027, 2, 10), date(2027, 2, 10), True),  # their last day away
    (date(2027, 3, 1), date(2027, 2, 10), True),
])
def test_an_assessor_is_away_up_to_and_including_their_last_day_away(away_until, today,
                                                                     is_away):
    assert away(away_until, today) is is_away


def test_a_proposal_gives_each_application_whoever_has_least_to_score():
    """In reference order, each open place to the eligible assessor with least to score,
    counting what the proposal gave before; a tie to the first in the pool's order. Those
    assigned stay; an application with its assessors, or without enough eligible, as shown."""
    apps = [Open("SV2027-0001", [], [1, 2, 3, 4]),  # 1 and 4 have none: both
            Open("SV2027-0002", [2], [1, 2, 3, 4]),  # keeps 2; 1, 3 and 4 have one: 1
            Open("SV2027-0003", [], [2, 3]),  # only two may: both, the one with less first
            Open("SV2027-0004", [1, 3], [1, 2, 3, 4]),  # complete: left out
            Open("SV2027-0005", [], [3]),  # only one may: one
            Open("SV2027-0006", [9], [1, 2, 4])]  # 9 no longer eligible: kept all the same
    assert propose(apps, 2, {2: 3, 3: 1}) == {
        "SV2027-0001": [1, 4], "SV2027-0002": [2, 1], "SV2027-0003": [3, 2],
        "SV2027-0005": [3], "SV2027-0006": [9, 4]}
    assert propose([], 2, {}) == {}


@given(st.lists(st.tuples(st.lists(st.integers(0, 7), max_size=3, unique=True),
                          st.lists(st.integers(0, 7), max_size=8, unique=True)), max_size=12),
       st.integers(1, 4), st.dictionaries(st.integers(0, 7), st.integers(0, 5)))
def test_a_proposal_fills_each_open_place_it_can_with_an_eligible_assessor_once(
        rows, per_application, to_score):
    apps = [Open(f"SV2027-{n:04d}", assigned, eligible)
            for n, (assigned, eligible) in enumerate(rows)]
    proposal = propose(apps, per_application, to_score)
    assert proposal == propose(apps, per_application, to_score)  # the same every time
    for app in apps:
        if len(app.assigned) >= per_application:
            assert app.reference not in proposal
            continue
        chosen = proposal[app.reference]
        added = chosen[len(app.assigned):]
        assert chosen[:len(app.assigned)] == list(app.assigned)
        assert len(set(chosen)) == len(chosen) and set(added) <= set(app.eligible)
        assert len(chosen) == min(per_application,
                                  len(set(app.assigned) | set(app.eligible)))


@given(st.integers(1, 40), st.integers(1, 3), st.integers(3, 9))
def test_a_proposal_spreads_a_round_evenly_over_a_pool_anyone_may_assess_from(
        applications, per_application, pool):
    """With no one in conflict and nothing to score yet, no assessor gets more than one
    application above another."""
    proposal = propose([Open(f"SV2027-{n:04d}", [], range(pool)) for n in range(applications)],
                       per_application, {})
    given_ = [sum(person in chosen for chosen in proposal.values()) for person in range(pool)]
    assert sum(given_) == applications * per_application
    assert max(given_) - min(given_) <= 1


def test_a_proposal_gives_an_application_those_who_know_its_topics_first():
    """An assessor whose expertise shares a pillar or target group with the application goes
    before one whose does not, even with more to score; among them, and among the rest, the
    least to score first. Without a shared topic, the workload alone, as before."""
    expertise = {1: frozenset({"omgangscultuur"}), 2: frozenset({"promovendi"}),
                 3: frozenset({"klachtafhandeling", "studenten"})}
    apps = [Open("SV2027-0001", [], [1, 2, 3, 4], frozenset({"omgangscultuur", "studenten"})),
            Open("SV2027-0002", [], [1, 2, 3, 4], frozenset({"promovendi"})),
            Open("SV2027-0003", [], [1, 2, 3, 4], frozenset({"organisatiestructuur"})),
            Open("SV2027-0004", [3], [1, 2, 4], frozenset({"klachtafhandeling"}))]
    assert propose(apps, 2, {1: 5, 3: 1}, expertise) == {
        "SV2027-0001": [3, 1],  # both know a topic: 3 has less to score
        "SV2027-0002": [2, 4],  # 2 knows it; then the least to score of the rest
        "SV2027-0003": [2, 4],  # nobody knows it: the workload (2 and 4 at one, in the
        # pool's order; 3 at two, 1 at six)
        "SV2027-0004": [3, 2]}  # 3 kept; nobody eligible knows it: 2 (at two) before 1 (six)


@given(st.lists(st.tuples(st.lists(st.integers(0, 7), max_size=8, unique=True),
                          st.frozensets(st.sampled_from("abc"))), max_size=12),
       st.integers(1, 4), st.dictionaries(st.integers(0, 7), st.integers(0, 5)),
       st.dictionaries(st.integers(0, 7), st.frozensets(st.sampled_from("abcd"))))
def test_a_proposal_never_passes_over_an_eligible_assessor_who_knows_the_topic(
        rows, per_application, to_score, expertise):
    apps = [Open(f"SV2027-{n:04d}", [], eligible, topics)
            for n, (eligible, topics) in enumerate(rows)]
    proposal = propose(apps, per_application, to_score, expertise)
    for app in apps:
        chosen = proposal[app.reference]
        assert len(chosen) == min(per_application, len(app.eligible))
        knows = [bool(expertise.get(p, frozenset()) & app.topics) for p in chosen]
        left = [p for p in app.eligible if p not in chosen]
        assert knows == sorted(knows, reverse=True)  # who knows it first
        if not all(knows):  # someone who does not: nobody who does was left out
            assert not any(expertise.get(p, frozenset()) & app.topics for p in left)


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
            # a proposal, filled in and not saved: whoever has least to assess, where they
            # may; the insider, with none, first for the third, then the first of a tie
            assert '<a class="button" href="/rounds/2026/assign?page=1&amp;propose=1" ' \
                'data-propose>Stel beoordelaars voor</a>' in page
            proposed = (await web.get("/rounds/2026/assign?propose=1")).text
            assert ('<p class="notice" role="status" data-proposed="3">Voorstel ingevuld voor 3 '
                    "van de aanvragen op deze pagina") in proposed
            assert "data-propose>" not in proposed
            for reference, pair in zip(references, ((first, second), (first, second),
                                                    (insider, first))):
                assert [f'<option value="{p.id}" selected>' in choice for p, choice in zip(
                    pair, _selects(proposed, reference))] == [True, True]
            for reference in references:
                assert (await grants.status(client, reference)).assessors == []
            csrf = web.cookies[CSRF_COOKIE]
            # the team records what an assessor knows on the pool's page; a topic the scheme
            # does not have, or a day that is none, is refused, with what was typed kept
            profile = f"/assessors/{second.id}/profile"
            refused = await web.post(profile, data={
                "csrf_token": csrf, "expertise": ["omgangscultuur", "astrologie"],
                "away_until": ""})
            assert refused.status_code == 422
            assert "Onbekend onderwerp / unknown topic: astrologie" in refused.text
            form = refused.text.split(f'data-profile-form="{second.id}">')[1].split("</form>")[0]
            assert 'value="omgangscultuur" checked>' in form
            assert refused.text.count('<details class="expertise" open>') == 1
            no_day = await web.post(profile, data={
                "csrf_token": csrf, "expertise": ["omgangscultuur"], "away_until": "morgen"})
            assert no_day.status_code == 422 and "Geen datum / not a date: morgen" in no_day.text
            assert 'name="away_until" value="morgen">' in no_day.text
            saved = await web.post(profile, data={
                "csrf_token": csrf, "expertise": ["promovendi", "omgangscultuur"],
                "away_until": ""})
            assert saved.headers["location"] == f"/assessors?saved={second.id}#assessor-{second.id}"
            pool = (await web.get(saved.headers["location"])).text
            assert f"Gegevens van {second.name} opgeslagen." in pool
            assert (f'<span data-expertise="{second.id}">Omgangscultuur op de werkvloer, '
                    "Promovendi en postdocs</span>") in pool  # in the scheme's order
            # who knows the applications' pillar goes first where others have as little to
            # score, and is marked so
            expert = (await web.get("/rounds/2026/assign?propose=1")).text
            for reference, pair in zip(references, ((second, first), (second, first),
                                                    (second, insider))):
                assert [f'<option value="{p.id}" selected>' in choice for p, choice in zip(
                    pair, _selects(expert, reference))] == [True, True]
            assert f'<option value="{second.id}" selected>{second.name} (deskundig)</option>' \
                in expert
            assert (f'<tr data-assessor="{second.id}"><td>{second.name}</td><td>0</td><td>0</td>'
                    "<td>Omgangscultuur op de werkvloer, Promovendi en postdocs</td>") in expert
            # away until ten days on: not proposed, marked so, and still offered
            back = datetime.now(scheme.tz).date() + timedelta(days=10)
            away = await web.post(f"/assessors/{insider.id}/profile", data={
                "csrf_token": csrf, "away_until": back.isoformat()})
            assert away.status_code == 303
            pool = (await web.get("/assessors")).text
            assert f'<td data-away="{insider.id}">{back:%d-%m-%Y}</td>' in pool
            passed_over = (await web.get("/rounds/2026/assign?propose=1")).text
            third_row = _selects(passed_over, references[2])
            assert [f'<option value="{p.id}" selected>' in choice for p, choice in zip(
                (second, first), third_row)] == [True, True]
            assert (f'<option value="{insider.id}">Ingrid Insider (afwezig t/m '
                    f"{back:%d-%m-%Y})</option>") in third_row[0]
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
            full = (await web.get("/rounds/2026/assign?page=2&propose=1")).text
            assert "data-propose>" not in full
            assert ('data-proposed="0">Geen voorstel: elke aanvraag op deze pagina heeft haar '
                    "beoordelaars") in full
        for person in (first, people.grantee, people.auditor):
            async with sessions() as db:
                web = await web_client_as(portal, person, db)
            async with contextlib.aclosing(web):
                assert (await web.get("/rounds/2026/assign")).status_code == 403
    async with sessions() as db:
        entries = (await db.exec(select(AuditEntry).where(
            AuditEntry.action == "assign_assessors"))).all()
        recorded = (await db.exec(select(AuditEntry).where(
            AuditEntry.action == "assessor_profile").order_by(AuditEntry.id))).all()
    assert sorted(e.subject for e in entries) == references
    assert [(e.subject, e.detail) for e in recorded] == [  # the refused ones left none
        (f"/assessors/{second.id}", {"assessor": second.name, "away_until": None,
                                     "expertise": ["omgangscultuur", "promovendi"]}),
        (f"/assessors/{insider.id}", {"assessor": "Ingrid Insider",
                                      "away_until": back.isoformat(), "expertise": []})]
