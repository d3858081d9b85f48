"""The grant page shows the application as it was submitted: what assessors score and the team
decides on, with the partners hidden from assessors where the round assesses anonymously; to the
team and auditors, each assessment with its motivations; and each report as it was submitted,
with its attachments, which the team reviews."""

from __future__ import annotations

import contextlib
import re
import uuid
from datetime import date, datetime, time, timedelta

import pytest
from sqlmodel import select

from api.actions import BadCommand, form_payload
from api.app import create_app
from api.auth import CSRF_COOKIE
from domain import terms
from domain.lifecycle import Action, Role, Stage
from domain.scheme import parse_scheme
from domain.types import CriterionScore, DecisionInput
from regie import grants
from regie.db import session_factory
from regie.programme import ensure_programme
from regie.records import Attachment, DeclaredConflict, Letter, MailNotice, Organisation
from regie.settings import Settings
from regie.worker import build_worker
from tests import dates, factories, scenario
from tests.conftest import eventually, maybe_record, web_client_as


async def test_assessors_read_the_application_as_submitted(time_env, tmp_path, db_url, engine,
                                                          scheme, scheme_file):
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="",
                                 task_queue=f"page-{uuid.uuid4().hex[:8]}")
    sessions = session_factory(engine)
    anonymous = parse_scheme(scheme_file.read_text(encoding="utf-8").replace(
        "anonymous_assessment = false", "anonymous_assessment = true"), str(scheme_file))
    async with sessions() as db:
        people = await scenario.cast(db)
        partner = await factories.organisation(db, "Hogeschool Partnerstad", "hbo")
        partner.funding_evidence, partner.has_funding_evidence = "2-0a1b2c3d.pdf", True
        db.add(partner)
        await db.commit()
        content = factories.draft(partners=[partner.id])
        content.sections["ambitie"] = "Omstanders leren ingrijpen.\n\n" + factories.words(297)
    pages, api = {}, {}
    async with build_worker(time_env.client, settings, sessions, scheme):
        async with sessions() as db:
            reference = await scenario.grant_in_assessment(
                db, time_env.client, scheme, settings.task_queue, people, content)
        for name, which, person in (("assessor", scheme, people.assessor),
                                    ("anonymous", anonymous, people.assessor),
                                    ("team", anonymous, people.team)):
            async with sessions() as db:
                web = await web_client_as(create_app(settings, which, time_env.client), person,
                                          db)
            async with contextlib.aclosing(web):
                response = await web.get(f"/grants/{reference}")
                assert response.status_code == 200
                pages[name] = response.text
                api[name] = (await web.get(f"/api/grants/{reference}")).json()
    page = pages["assessor"]
    assert "<details class=\"application\" data-application open>" in page
    assert "Omstanders leren ingrijpen.\n\nveiligheid veiligheid" in page
    assert "(300 / 800 woorden)" in page and "(200 / 800 woorden)" in page
    assert "Omgangscultuur op de werkvloer" in page  # the scheme's name, not its key
    assert f'<p class="muted">{reference} · Aanvraagronde 2026</p>' in page  # the round's name
    assert "Activiteit 1: Training omstanders" in page and "Activiteit 2: Cultuurscan" in page
    start = dates.day(2026, 9, 1).strftime("%d-%m-%Y")
    assert f"{start} – {dates.day(2027, 3, 31).strftime('%d-%m-%Y')}" in page
    assert "Trainingsbureau" in page and "€ 25.000,00" in page
    assert "<td>Medewerker (€ 75,00)</td>" in page  # the role by its name, with its rate
    assert "Hogeschool Partnerstad" in page
    assert "Aangevraagd: € 86.000,00" in page
    assert "<th>Beoordeling uiterlijk</th>" in page  # whose deadline it is, not "Termijn"
    assert "Hogeschool Partnerstad" not in pages["anonymous"]
    assert "Universiteit Leiden" not in pages["anonymous"]
    assert pages["anonymous"].count("verborgen voor beoordelaars") == 2  # lead and partners
    # nor in the API's answer (the timeline's names: tests/test_visibility.py)
    assert api["assessor"]["organisation_id"] == people.grantee.organisation_id
    assert api["anonymous"]["organisation_id"] is None
    assert api["team"]["organisation_id"] == people.grantee.organisation_id
    assert "Omstanders leren ingrijpen." in pages["anonymous"]
    assert "Hogeschool Partnerstad" in pages["team"]  # anonymity is for assessors only
    evidence = f'href="/organisations/{partner.id}/evidence"'  # the team checks the partner's
    assert evidence in pages["team"] and evidence not in page
    assert "<details class=\"application\" data-application >" in pages["team"]  # folded


def test_each_stage_names_its_deadline_in_both_languages():
    from api.i18n import DEADLINE_NAMES

    assert set(DEADLINE_NAMES) <= {stage.value for stage in Stage}
    assert all(name.nl and name.en and name.nl != name.en for name in DEADLINE_NAMES.values())


@pytest.mark.parametrize("form, refused", [
    ({"accepted": "no", "new_due": "2027-03-06"}, True),  # a Saturday
    ({"accepted": "no", "new_due": "2027-03-28"}, True),  # Easter Sunday
    ({"accepted": "no", "new_due": "2027-04-27"}, True),  # King's Day, a Tuesday
    ({"accepted": "no", "new_due": "2027-03-06", "any_day": "yes"}, False),  # meant
    ({"accepted": "no", "new_due": "2027-03-08"}, False),  # a Monday
    ({"accepted": "yes", "new_due": "2027-03-06"}, False),  # accepted: no new date to set
])
def test_a_report_sent_back_is_due_on_a_working_day_unless_the_team_means_another(
        form, refused, scheme):
    """A report's new due date is one the team sets for the grantee to meet (as a moved
    deadline, test above): a Saturday, Sunday or holiday only when ticked as meant."""
    if refused:
        with pytest.raises(BadCommand, match=f"{date.fromisoformat(form['new_due']):%d-%m-%Y} "
                                             "is geen werkdag"):
            form_payload(Action.REVIEW_REPORT, {**form, "report_index": "0"}, scheme, "2027")
    else:
        data = form_payload(Action.REVIEW_REPORT, {**form, "report_index": "0"}, scheme, "2027")
        assert "any_day" not in data and data["new_due"] == form["new_due"]


def test_a_round_whose_terms_keep_days_off_lets_the_team_set_one(scheme):
    """A programme outside the Algemene termijnenwet (`extend_to_working_day = false`)."""
    terms_off = scheme.defaults.terms.model_copy(update={"extend_to_working_day": False})
    off = scheme.model_copy(update={"defaults": scheme.defaults.model_copy(
        update={"terms": terms_off}), "rounds": tuple(
            r.model_copy(update={"terms": None}) for r in scheme.rounds)})
    data = form_payload(Action.REVIEW_REPORT, {"accepted": "no", "new_due": "2027-03-06",
                                               "report_index": "0"}, off, "2027")
    assert data["new_due"] == "2027-03-06"


async def _site(time_env, tmp_path, db_url, engine, scheme):
    """The programme on the time-skipping server, the cast, and the web app: its settings,
    sessions, people and app."""
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="",
                                 task_queue=f"page-{uuid.uuid4().hex[:8]}")
    sessions = session_factory(engine)
    async with sessions() as db:
        people = await scenario.cast(db)
        await ensure_programme(db, time_env.client, scheme, settings.task_queue)
    return settings, sessions, people, create_app(settings, scheme, time_env.client)


@contextlib.asynccontextmanager
async def _in_assessment(time_env, tmp_path, db_url, engine, scheme):
    """The site with its worker running, and a grant in assessment with both assessors
    assigned: the sessions, people, web app and the grant's reference."""
    settings, sessions, people, portal = await _site(time_env, tmp_path, db_url, engine, scheme)
    async with build_worker(time_env.client, settings, sessions, scheme):
        async with sessions() as db:
            reference = await scenario.grant_in_assessment(db, time_env.client, scheme,
                                                           settings.task_queue, people)
        yield sessions, people, portal, reference


@contextlib.asynccontextmanager
async def _awarded(time_env, tmp_path, db_url, engine, scheme):
    """The site with its worker running, and a grant awarded € 86.000: the sessions, people, a
    way to sign a person in to the web app, and the grant's reference."""
    settings, sessions, people, portal = await _site(time_env, tmp_path, db_url, engine, scheme)

    async def as_(person):
        async with sessions() as db:
            return await web_client_as(portal, person, db)

    async with build_worker(time_env.client, settings, sessions, scheme):
        reference = await scenario.grant_awaiting_decision(sessions, time_env.client, scheme,
                                                           settings.task_queue, people)
        await grants.act(time_env.client, reference, "decide", DecisionInput(
            actor=factories.actor_of(people.team), award=True, amount_cents=86_000_00,
            reason="Gehonoreerd."))
        yield sessions, people, as_, reference


async def test_the_team_reads_each_assessment_and_the_letters_by_name(
        time_env, tmp_path, db_url, engine, scheme):
    client = time_env.client
    async with _in_assessment(time_env, tmp_path, db_url, engine, scheme) as (
            sessions, people, portal, reference):
        submission = scenario.score(factories.actor_of(people.assessor))
        await grants.act(client, reference, "submit_score", submission.model_copy(update={
            "impact": CriterionScore(score=4, motivation="Sterk verankerd in het beleid.")}))
        # the team sees who is assigned and who has scored; reassigning starts from them
        async with sessions() as db:
            web = await web_client_as(portal, people.team, db)
        async with contextlib.aclosing(web):
            page = (await web.get(f"/grants/{reference}")).text
            first, second = people.assessor, people.second_assessor
            assert (f'<tr data-assessor="{first.id}"><td>{first.name}</td>'
                    "<td>ingediend op ") in page
            assert (f'<tr data-assessor="{second.id}"><td>{second.name}</td>'
                    "<td>Nog niet beoordeeld</td></tr>") in page
            assert (f'value="{first.id}" checked> {first.name} '
                    '<span class="muted">(heeft beoordeeld)</span>') in page
            assert f'value="{second.id}" checked> {second.name}</label>' in page
            refused = await web.post(f"/grants/{reference}/actions/assign_assessors", data={
                "csrf_token": web.cookies[CSRF_COOKIE], "assessor_ids": [str(first.id)]})
            assert refused.status_code == 409
            assert "Wijs precies 2 beoordelaars toe / assign exactly 2 assessors" in refused.text
            assert f'value="{first.id}" checked>' in refused.text  # as ticked, not as before
            assert f'value="{second.id}"> {second.name}</label>' in refused.text
        # the second assessor scores on the page: nothing is chosen for them
        async with sessions() as db:
            web = await web_client_as(portal, people.second_assessor, db)
        async with contextlib.aclosing(web):
            # each scores on their own: not even the API shows them the first assessor's scores
            assert (await web.get(f"/api/grants/{reference}")).json()["status"][
                "assessments"] == []
            page = (await web.get(f"/grants/{reference}")).text
            assert '<select id="impact" name="impact" required aria-describedby="impact_aspects">' \
                '<option value="">Kies…</option>' in page
            assert '<select name="activity_1_4b" required><option value="">Kies…</option>' in page
            scored = {"csrf_token": web.cookies[CSRF_COOKIE], "impact": "3",
                      "impact_motivation": "De impact blijft vaag.", **{
                          field: value for c in ("ambitie", "verankering") for field, value in (
                              (c, "4"), (f"{c}_motivation", "Helder en haalbaar."))}, **{
                          f"activity_{i}_{field}": value for i in (0, 1) for field, value in (
                              ("4a", "yes"), ("4b", ("no", "yes")[i]), ("motivation", "Ok."))}}
            unchosen = await web.post(f"/grants/{reference}/actions/submit_score",
                                      data={**scored, "impact": "", "activity_0_4b": ""})
            assert unchosen.status_code == 422  # a score left open is not the lowest score
            assert "Kies een score bij / choose a score for: impact" in unchosen.text
            assert ("Kies voldoende of onvoldoende bij activiteit / choose sufficient or "
                    "insufficient for activity 1 (4b)") in unchosen.text
            assert "De impact blijft vaag.</textarea>" in unchosen.text  # what was typed stays
            assert '<option value="yes" selected>Voldoende</option>' in unchosen.text
            assert len((await grants.status(client, reference)).assessments) == 1
            sent = await web.post(f"/grants/{reference}/actions/submit_score", data=scored)
            assert sent.status_code == 303
            mine = (await web.get(f"/api/grants/{reference}")).json()["status"]["assessments"]
            assert [a["assessor"]["name"] for a in mine] == ["Tweede"]  # their own, only
        second = (await grants.status(client, reference)).assessments[1].submission
        assert [(j.description_sufficient, j.budget_sufficient) for j in second.activities] == [
            (True, False), (True, True)]
        await scenario.stage_is(client, reference, Stage.DECISION)
        # the team moves the deadline and awards on the page, as Dutch writes dates and sums
        async with sessions() as db:
            web = await web_client_as(portal, people.team, db)
        async with contextlib.aclosing(web):
            form = {"csrf_token": web.cookies[CSRF_COOKIE], "reason": "Gehonoreerd."}
            # a new deadline is a day: it ends at its end in Amsterdam, summer time or not
            summer = terms.working_day_from(dates.day(2027, 6, 30))
            unread = await web.post(f"/grants/{reference}/actions/move_deadline", data={
                **form, "deadline": f"{summer:%d-%m-%Y}"})
            assert unread.status_code == 422
            assert f"Datum onleesbaar / date cannot be read: &#39;{summer:%d-%m-%Y}&#39;" \
                in unread.text
            assert 'name="any_day"' not in unread.text
            # a day that is no working day is set only when the team ticks that they mean it
            saturday = summer + timedelta(days=5 - summer.weekday())
            weekend = await web.post(f"/grants/{reference}/actions/move_deadline", data={
                **form, "deadline": saturday.isoformat()})
            assert weekend.status_code == 422
            next_day = terms.working_day_from(saturday)
            assert (f"{saturday:%d-%m-%Y} is geen werkdag (een zaterdag, zondag of feestdag); "
                    f"de eerstvolgende werkdag is {next_day:%d-%m-%Y}") in weekend.text
            assert f'name="deadline" required value="{saturday.isoformat()}"' in weekend.text
            assert (f'<input type="checkbox" name="any_day" value="yes"> Ja, ik bedoel '
                    f"{saturday:%d-%m-%Y}, al is het geen werkdag") in weekend.text
            meant = await web.post(f"/grants/{reference}/actions/move_deadline", data={
                **form, "deadline": saturday.isoformat(), "any_day": "yes"})
            assert meant.status_code == 303
            assert (await grants.status(client, reference)).deadline == scheme.local_to_utc(
                datetime.combine(saturday, time(23, 59, 59)))
            moved = await web.post(f"/grants/{reference}/actions/move_deadline", data={
                **form, "deadline": summer.isoformat()})
            assert moved.status_code == 303
            assert (await grants.status(client, reference)).deadline == scheme.local_to_utc(
                datetime.combine(summer, time(23, 59, 59)))
            page = (await web.get(f"/grants/{reference}")).text
            assert 'id="amount" name="amount" value="86000,00"' in page  # the request
            for typed in ("86.000.00", "86,000.00", "-86000"):
                unread = await web.post(f"/grants/{reference}/actions/award",
                                        data={**form, "amount": typed})
                assert unread.status_code == 422
                assert f"Bedrag onleesbaar / amount cannot be read: &#39;{typed}&#39;" \
                    in unread.text
                assert f'value="{typed}"' in unread.text  # what was typed stays
            # a reason of spaces alone is none: named in the reader's words, the sum kept
            blank = await web.post(f"/grants/{reference}/actions/award",
                                   data={**form, "amount": "86.000", "reason": "   "})
            assert blank.status_code == 422
            assert "Vul &#34;Toelichting&#34; in / fill in &#34;Reason&#34;" in blank.text
            assert 'value="86.000"' in blank.text
            awarded = await web.post(f"/grants/{reference}/actions/award",
                                     data={**form, "amount": "86.000"})
            assert awarded.status_code == 303
        assert (await grants.status(client, reference)).awarded_cents == 86_000_00

        async def letter_issued():
            async with sessions() as db:
                return (await db.exec(select(Letter))).first()
        letter = await eventually(letter_issued)
        pages, api = {}, {}
        for person in (people.team, people.auditor, people.assessor, people.grantee):
            async with sessions() as db:
                web = await web_client_as(portal, person, db)
            async with contextlib.aclosing(web):
                pages[person.role] = (await web.get(f"/grants/{reference}")).text
                api[person.role] = (await web.get(f"/api/grants/{reference}")).json()
    team = pages["programme_team"]
    # the verdict by the rubric's names, its averages written as Dutch writes numbers
    assert ("<tr><th>Ambitie</th><th>Impact</th><th>Verankering</th><th>Totaal</th>"
            "<th>Financierbaar</th></tr>\n<tr><td>4</td><td>3,5</td><td>4</td><td>11,5</td>"
            ) in team
    assert "De beoordelingen" in team
    for assessor in (people.assessor, people.second_assessor):
        assert f'<table data-assessment="{assessor.id}">' in team
        assert f"<strong>{assessor.name}</strong>" in team
    assert "Sterk verankerd in het beleid." in team and "De impact blijft vaag." in team
    assert "4a Voldoende<br>4b Voldoende" in team and "4a Voldoende<br>4b Onvoldoende" in team
    assert f'/letters/{letter.id}">Toekenningsbesluit (' in team
    assert "De beoordelingen" in pages["auditor"]
    assert "De beoordelingen" not in pages["assessor"]  # each scores on their own
    assert "De impact blijft vaag." not in pages["assessor"]
    assert "/letters/" not in pages["assessor"]  # the applicant's letters: not theirs to read
    # the applicant is not told who assessed, nor what each scored, on the page or by the API
    grantee, by_api = pages["grantee"], api["grantee"]
    assert "Tweede" not in grantee and "De impact blijft vaag." not in grantee
    assert grantee.count("<td>Beoordelaar</td>") == 2  # who scored, by role
    assert ["Tweede" in (e["actor_name"] + e["note"]) for e in by_api["timeline"]] == [
        False] * len(by_api["timeline"])
    assert (by_api["status"]["assessments"], by_api["status"]["assessors"],
            by_api["status"]["verdict"]) == ([], [], None)
    assert [a["assessor"]["name"] for a in api["auditor"]["status"]["assessments"]] == [
        "Beoordelaar", "Tweede"]  # the team and auditors read every assessment
    async with sessions() as db:
        web = await web_client_as(portal, people.assessor, db)
    async with contextlib.aclosing(web):
        assert (await web.get(f"/grants/{reference}/letters/{letter.id}")).status_code == 403


async def test_an_assessor_who_declares_a_conflict_steps_back_and_the_team_reassigns(
        time_env, tmp_path, db_url, engine, scheme):
    """The assessor declares a conflict of interest on the page: the application leaves their
    list and they no longer read it; the team sees one assessor left and assigns another. The
    one who stepped back is offered for it no more, on the grant page or the round's, and
    the workflow refuses them with the reason."""
    client = time_env.client
    async with _in_assessment(time_env, tmp_path, db_url, engine, scheme) as (
            sessions, people, portal, reference):
        stepping_back, staying = people.second_assessor, people.assessor
        async with sessions() as db:
            third = await factories.person(db, Role.ASSESSOR, "derde@example.nl")
            insider = await factories.person(db, Role.ASSESSOR, "insider@leiden.example",
                                             await db.get(Organisation,
                                                          people.grantee.organisation_id))
            web = await web_client_as(portal, stepping_back, db)
        async with contextlib.aclosing(web):
            assert f'<a href="/grants/{reference}">' in (await web.get("/assessor")).text
            declared = await web.post(f"/grants/{reference}/actions/declare_conflict", data={
                "csrf_token": web.cookies[CSRF_COOKIE], "reason": "Ik werk bij de aanvrager."})
            # they land on their own list, told what became of it, not on a page they may
            # no longer read
            assert declared.status_code == 303
            assert declared.headers["location"] == f"/assessor?stepped_back={reference}"
            listed = (await web.get(declared.headers["location"])).text
            assert (f"Uw melding van belangenverstrengeling bij {reference} is vastgelegd. De "
                    "aanvraag staat niet meer op uw lijst") in listed
            assert f'<a href="/grants/{reference}">' not in listed
            assert "data-stepped-back" not in (await web.get(  # only of their own declaration
                "/assessor?stepped_back=SV2026-9999")).text
            refused = await web.get(f"/grants/{reference}")
            assert refused.status_code in (403, 404)
            assert stepping_back.name in refused.text  # the error page with their own menu
            assert 'href="/login"' not in refused.text
        assert [a.user_id for a in (await grants.status(client, reference)).assessors] == [
            staying.id]
        async with sessions() as db:
            web = await web_client_as(portal, people.team, db)
        async with contextlib.aclosing(web):
            page = (await web.get(f"/grants/{reference}")).text
            assert f'<tr data-assessor="{staying.id}">' in page
            assert f'<tr data-assessor="{stepping_back.id}">' not in page
            assert f'value="{third.id}"> {third.name}</label>' in page
            assert f'value="{insider.id}"' not in page  # of the applicant: not offered
            # declared a conflict: neither (only in the form that takes a declaration back)
            assert f'value="{stepping_back.id}"> {stepping_back.name}</label>' not in page
            row = (await web.get(f"/rounds/{reference[2:6]}/assign")).text.split(
                f'data-reference="{reference}">')[1].split("</tr>")[0]
            assert f'<option value="{third.id}">' in row
            assert f'value="{stepping_back.id}"' not in row
            again = await web.post(f"/grants/{reference}/actions/assign_assessors", data={
                "csrf_token": web.cookies[CSRF_COOKIE],
                "assessor_ids": [str(staying.id), str(stepping_back.id)]})
            assert again.status_code == 409
            assert (f"{stepping_back.name} heeft bij deze aanvraag belangenverstrengeling "
                    f"gemeld / {stepping_back.name} declared a conflict of interest on this "
                    "application") in again.text
            assigned = await web.post(f"/grants/{reference}/actions/assign_assessors", data={
                "csrf_token": web.cookies[CSRF_COOKIE],
                "assessor_ids": [str(staying.id), str(third.id)]})
            assert assigned.status_code == 303
        status = await grants.status(client, reference)
        assert [a.user_id for a in status.assessors] == [staying.id, third.id]
        assert status.conflicts_declared == [stepping_back.id]
        await maybe_record(client.get_workflow_handle(f"grant-{reference}"),
                           "grant_conflict_declared_v1.json")
        async with sessions() as db:
            web = await web_client_as(portal, third, db)
        async with contextlib.aclosing(web):
            assert f'<a href="/grants/{reference}">' in (await web.get("/assessor")).text


async def test_the_team_takes_back_a_conflict_declared_in_error_and_may_assign_again(
        time_env, tmp_path, db_url, engine, scheme):
    """An assessor declared a conflict by mistake: the team withdraws the declaration on the
    grant page, with a reason, and may assign them again. A withdrawal for someone who
    declared none is refused with the reason; an assessor cannot withdraw one; the assessor is
    told (`tell-conflict-withdrawn`); the applicant reads neither who nor why."""
    client = time_env.client
    async with _in_assessment(time_env, tmp_path, db_url, engine, scheme) as (
            sessions, people, portal, reference):
        mistaken, staying = people.second_assessor, people.assessor
        withdraw = f"/grants/{reference}/actions/withdraw_conflict"
        async with sessions() as db:
            web = await web_client_as(portal, mistaken, db)
        async with contextlib.aclosing(web):
            declared = await web.post(f"/grants/{reference}/actions/declare_conflict", data={
                "csrf_token": web.cookies[CSRF_COOKIE], "reason": "Verkeerde knop."})
            assert declared.status_code == 303
            own = await web.post(withdraw, data={
                "csrf_token": web.cookies[CSRF_COOKIE], "assessor_id": str(mistaken.id),
                "reason": "Ik vergiste me."})
            assert own.status_code in (403, 404)  # no longer theirs to read, let alone undo
        async with sessions() as db:
            web = await web_client_as(portal, people.team, db)
        async with contextlib.aclosing(web):
            page = (await web.get(f"/grants/{reference}")).text
            form = page.split(f'action="{withdraw}"')[1].split("</form>")[0]
            assert f'<option value="{mistaken.id}">{mistaken.name}</option>' in form
            assert f'value="{staying.id}"' not in form  # only those who declared one
            assert f'value="{mistaken.id}"> {mistaken.name}</label>' not in page
            refused = await web.post(withdraw, data={
                "csrf_token": web.cookies[CSRF_COOKIE], "assessor_id": str(staying.id),
                "reason": "Vergissing."})
            assert refused.status_code == 409
            assert (f"{staying.name} heeft bij deze aanvraag geen belangenverstrengeling "
                    f"gemeld / {staying.name} declared no conflict of interest on this "
                    "application") in refused.text
            # by the JSON API the assessor is named by number and looked up, never as sent
            spoofed = await web.post(f"/api{withdraw}", json={
                "assessor": {"user_id": mistaken.id, "name": "Iemand anders"},
                "reason": "Vergissing."}, headers={"x-csrf-token": web.cookies[CSRF_COOKIE]})
            assert spoofed.status_code == 422
            assert spoofed.json()["detail"] == ["Onbekende beoordelaar / unknown assessor"]
            blank = await web.post(f"/api{withdraw}", json={
                "assessor_id": mistaken.id, "reason": " "},
                headers={"x-csrf-token": web.cookies[CSRF_COOKIE]})  # by the body's own key
            assert blank.json()["detail"] == ['Vul "reason" in / fill in "reason"']
            withdrawn = await web.post(withdraw, data={
                "csrf_token": web.cookies[CSRF_COOKIE], "assessor_id": str(mistaken.id),
                "reason": "Per vergissing gemeld, zegt de beoordelaar."})
            assert withdrawn.status_code == 303
            page = (await web.get(f"/grants/{reference}")).text
            assert f'action="{withdraw}"' not in page  # nothing left to take back
            assert f'value="{mistaken.id}"> {mistaken.name}</label>' in page  # offered again
            row = (await web.get(f"/rounds/{reference[2:6]}/assign")).text.split(
                f'data-reference="{reference}">')[1].split("</tr>")[0]
            assert f'<option value="{mistaken.id}">' in row
            assigned = await web.post(f"/grants/{reference}/actions/assign_assessors", data={
                "csrf_token": web.cookies[CSRF_COOKIE],
                "assessor_ids": [str(staying.id), str(mistaken.id)]})
            assert assigned.status_code == 303
            team_timeline = (await web.get(f"/api/grants/{reference}")).json()["timeline"]
        status = await grants.status(client, reference)
        assert status.conflicts_declared == []
        assert [a.user_id for a in status.assessors] == [staying.id, mistaken.id]
        async with sessions() as db:
            assert (await db.exec(select(DeclaredConflict))).all() == []
            # the assessor is told, in their digest, that the declaration was taken back
            told = (await db.exec(select(MailNotice).where(
                MailNotice.assessor_id == mistaken.id, MailNotice.kind == "mail"))).all()
            assert [(n.reference, n.subject) for n in told] == [(
                reference, f"Melding van belangenverstrengeling ingetrokken: {reference} / "
                "Conflict of interest withdrawn")]
            assert '("Per vergissing gemeld, zegt de beoordelaar.")' in told[0].body
            web = await web_client_as(portal, people.grantee, db)
        async with contextlib.aclosing(web):
            grantee_timeline = (await web.get(f"/api/grants/{reference}")).json()["timeline"]
        taken_back = [e for e in team_timeline if e["action"] == "withdraw_conflict"]
        assert [(e["actor_name"], e["note"]) for e in taken_back] == [
            (people.team.name, f"{mistaken.name}: Per vergissing gemeld, zegt de beoordelaar.")]
        assert [e["note"] for e in grantee_timeline if e["action"] == "withdraw_conflict"] == [""]
        await maybe_record(client.get_workflow_handle(f"grant-{reference}"),
                           "grant_conflict_withdrawn_v1.json")  # before tell-conflict-withdrawn
        await maybe_record(client.get_workflow_handle(f"grant-{reference}"),
                           "grant_conflict_withdrawn_v2.json")


async def test_the_team_records_a_consensus_on_the_page_choosing_every_score(
        time_env, tmp_path, db_url, engine, scheme):
    """Two assessors two points apart on impact: the team agrees the scores on the page, by the
    rubric's names; a score it leaves unchosen is asked for, not read as the lowest."""
    client = time_env.client
    async with _in_assessment(time_env, tmp_path, db_url, engine, scheme) as (
            sessions, people, portal, reference):
        for assessor, impact in ((people.assessor, 4), (people.second_assessor, 2)):
            await grants.act(client, reference, "submit_score", scenario.score(
                factories.actor_of(assessor)).model_copy(update={"impact": CriterionScore(
                    score=impact, motivation="Zo gezien.")}))
        await scenario.stage_is(client, reference, Stage.CONSENSUS)
        async with sessions() as db:
            web = await web_client_as(portal, people.team, db)
        async with contextlib.aclosing(web):
            page = (await web.get(f"/grants/{reference}")).text
            assert ('<label for="consensus_verankering">Verankering (1–5)</label>\n      '
                    '<select id="consensus_verankering" name="verankering" required>'
                    '<option value="">Kies…</option>') in page
            agreed = {"csrf_token": web.cookies[CSRF_COOKIE], "ambitie": "4", "impact": "3",
                      "verankering": "4", "reason": "Beoordelaar 2 miste de impactparagraaf."}
            unchosen = await web.post(f"/grants/{reference}/actions/record_consensus",
                                      data={**agreed, "impact": ""})
            assert unchosen.status_code == 422
            assert "Kies een score bij / choose a score for: impact" in unchosen.text
            assert "Beoordelaar 2 miste de impactparagraaf.</textarea>" in unchosen.text
            assert "<option selected>4</option>" in unchosen.text  # ambitie, as chosen
            assert (await grants.status(client, reference)).stage == Stage.CONSENSUS
            recorded = await web.post(f"/grants/{reference}/actions/record_consensus",
                                      data=agreed)
            assert recorded.status_code == 303
        await scenario.stage_is(client, reference, Stage.DECISION)
        assert (await grants.status(client, reference)).verdict.averages["impact"] == 3


async def test_the_team_reads_a_report_with_its_attachments_and_returns_it(
        time_env, tmp_path, db_url, engine, scheme):
    client = time_env.client
    async with _awarded(time_env, tmp_path, db_url, engine, scheme) as (
            sessions, people, as_, reference):
        async with contextlib.aclosing(await as_(people.grantee)) as web:
            sent = await web.post(f"/grants/{reference}/reports/0", data={
                "csrf_token": web.cookies[CSRF_COOKIE],
                "summary": "Twee trainingen gegeven.\nDe derde volgt.",
                "act-0-done": "Twee van de drie trainingen.", "act-0-deviations": "Eén schuift.",
                "act-1-done": "Cultuurscan voorbereid.", "lessons": "Begin vroeg."},
                files={"attachments": ("presentielijst.pdf", b"%PDF-1.4 lijst", "application/pdf")})
            assert sent.status_code == 200 and "Rapportage ontvangen" in sent.text
        async with sessions() as db:
            attachment = (await db.exec(select(Attachment))).one()
        link = f"/grants/{reference}/attachments/{attachment.id}"

        async with contextlib.aclosing(await as_(people.team)) as web:
            overview = (await web.get("/team")).text  # the team's worklist holds it
            assert '<section data-reports-to-review="1">' in overview
            assert re.search(rf'<a href="/grants/{reference}">{reference}</a></td><td>[^<]+</td>'
                             r'<td>[^<]+</td><td>Voortgangsrapportage 1</td>', overview)
            page = (await web.get(f"/grants/{reference}")).text
            assert '<details class="report" data-report="0" open>' in page  # to review
            assert "Twee trainingen gegeven.\nDe derde volgt." in page
            assert "Twee van de drie trainingen." in page and "Eén schuift." in page
            assert "Begin vroeg." in page
            assert f'<a href="{link}" data-attachment="document">presentielijst.pdf</a>' in page
            download = await web.get(link)
            assert download.content == b"%PDF-1.4 lijst"
            assert "attachment" in download.headers["content-disposition"]
            assert '<input type="radio" name="accepted" value="yes" required> Goedkeuren' in page
            review = {"csrf_token": web.cookies[CSRF_COOKIE], "report_index": "0",
                      "new_due": (await time_env.get_current_time() + timedelta(days=30)).date()
                      .isoformat(), "comment": "Voeg de evaluatie van de trainingen toe."}
            unchosen = await web.post(f"/grants/{reference}/actions/review_report", data=review)
            assert unchosen.status_code == 422  # neither accepted nor returned: asked, not read
            assert "Kies goedkeuren of een nieuwe uiterste datum" in unchosen.text
            assert "Voeg de evaluatie van de trainingen toe.</textarea>" in unchosen.text
            returned = await web.post(f"/grants/{reference}/actions/review_report",
                                      data={**review, "accepted": "no"})
            assert returned.status_code == 303
            overview = (await web.get("/team")).text
            assert "data-reports-to-review" not in overview  # sent back: no longer waiting
            row = overview.split(f'<a href="/grants/{reference}">{reference}</a>')[0]
            assert "data-passed" not in row.rsplit("<tr>", 1)[1]  # the new due date is ahead
        async with contextlib.aclosing(await as_(people.auditor)) as web:
            page = (await web.get(f"/grants/{reference}")).text
            assert '<details class="report" data-report="0">' in page  # folded: not theirs
            assert "Voeg de evaluatie van de trainingen toe." in page
        async with contextlib.aclosing(await as_(people.grantee)) as web:
            page = (await web.get(f"/grants/{reference}")).text
            assert "Opmerking van het programmateam:</strong> Voeg de evaluatie" in page
            assert (await web.get(link)).status_code == 200  # their own organisation's
        for person in (people.outsider, people.assessor):
            async with contextlib.aclosing(await as_(person)) as web:
                assert (await web.get(link)).status_code == 403, person.role

        # the grantee asks for a change, by its kind's name; the team chooses how to decide it
        async with contextlib.aclosing(await as_(people.grantee)) as web:
            page = (await web.get(f"/grants/{reference}")).text
            assert '<option value="budget">Verschuiving in de begroting</option>' in page
            asked = await web.post(f"/grants/{reference}/actions/request_change", data={
                "csrf_token": web.cookies[CSRF_COOKIE], "kind": "budget",
                "description": "Minder reiskosten, meer training."})
            assert asked.status_code == 303
        async with contextlib.aclosing(await as_(people.team)) as web:
            page = (await web.get(f"/grants/{reference}")).text
            assert ("<p data-pending-change>Verschuiving in de begroting: Minder reiskosten, "
                    "meer training.</p>") in page
            decision = {"csrf_token": web.cookies[CSRF_COOKIE], "reason": "Past in de opzet."}
            unchosen = await web.post(f"/grants/{reference}/actions/decide_change", data=decision)
            assert unchosen.status_code == 422
            assert "Kies goedkeuren of afwijzen / choose approve or refuse" in unchosen.text
            assert (await grants.status(client, reference)).pending_change is not None
            decided = await web.post(f"/grants/{reference}/actions/decide_change",
                                     data={**decision, "approve": "yes"})
            assert decided.status_code == 303
        assert (await grants.status(client, reference)).pending_change is None

        (tmp_path / "attachments" / attachment.stored_name).unlink()  # the file is lost
        async with contextlib.aclosing(await as_(people.team)) as web:
            lost = await web.get(link)
        assert lost.status_code == 404
        assert "Het bestand is niet gevonden; meld dit aan het programmateam" in lost.text


async def test_an_assessor_finds_what_awaits_their_score_apart_from_what_went_before(
        time_env, tmp_path, db_url, engine, scheme):
    """The demo's first assessor: the application in assessment they have not scored, with its
    deadline; below it those assigned to them before, with the day they scored each."""
    from regie.demo import load_demo
    from regie.records import Person

    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="",
                                 task_queue=f"page-{uuid.uuid4().hex[:8]}")
    sessions = session_factory(engine)
    async with sessions() as db:
        await ensure_programme(db, time_env.client, scheme, settings.task_queue)
    async with build_worker(time_env.client, settings, sessions, scheme):
        references = await load_demo(sessions, time_env.client, scheme, settings.task_queue)
        async with sessions() as db:
            assessor = (await db.exec(select(Person).where(
                Person.email == "beoordelaar1@regie.demo"))).one()
            web = await web_client_as(create_app(settings, scheme, time_env.client), assessor,
                                      db)
        async with contextlib.aclosing(web):
            page = (await web.get("/assessor")).text
    to_score, before = page.split("data-to-score")[1].split("data-assigned-before")
    campaign = references[3]  # in assessment, not scored by anyone yet
    assert f'<a href="/grants/{campaign}">{campaign}</a>' in to_score
    assert to_score.count('<a href="/grants/') == 1
    decided = references[2]  # scored by both, awaiting its decision
    assert f'<a href="/grants/{decided}">' in before
    row = before.split(f'<a href="/grants/{decided}">')[1].split("</tr>")[0]
    assert "Wacht op besluit" in row and "ingediend op " in row
    assert campaign not in before


async def test_the_team_amends_an_award_on_the_page_and_the_grantee_reads_the_decision(
        time_env, tmp_path, db_url, engine, scheme):
    """The team lowers an award on its page: the form says what is awarded now and what
    follows; an amount beyond the request is refused with the reason and what was typed kept;
    the amendment is on the timeline with both amounts, and its letter beside the award's. The
    grantee reads it and is offered no such form; the JSON API amends as the page does."""
    client = time_env.client
    async with _awarded(time_env, tmp_path, db_url, engine, scheme) as (
            sessions, people, as_, reference):
        async with contextlib.aclosing(await as_(people.team)) as web:
            page = (await web.get(f"/grants/{reference}")).text
            assert "Nu toegekend: € 86.000,00." in page
            assert 'id="new_amount" name="amount" aria-describedby="amend_help" ' \
                   'value="86000,00"' in page
            form = {"csrf_token": web.cookies[CSRF_COOKIE],
                    "reason": "Bezwaar gegrond: de cultuurscan valt buiten de regeling."}
            beyond = await web.post(f"/grants/{reference}/actions/amend_award",
                                    data={**form, "amount": "90.000"})
            assert beyond.status_code == 409
            assert "niet hoger zijn dan de aangevraagde € 86.000,00" in beyond.text
            assert 'value="90.000"' in beyond.text
            assert "de cultuurscan valt buiten de regeling.</textarea>" in beyond.text
            amended = await web.post(f"/grants/{reference}/actions/amend_award",
                                     data={**form, "amount": "60.000"})
            assert amended.status_code == 303

            async def both_letters():
                page = (await web.get(f"/grants/{reference}")).text
                return page if "Wijzigingsbesluit (" in page else None
            page = await eventually(both_letters)
            assert "Toekenningsbesluit (" in page
            assert ("€ 86.000,00 → € 60.000,00: Bezwaar gegrond: de cultuurscan valt buiten de "
                    "regeling.") in page
            assert "Nu toegekend: € 60.000,00." in page
        async with contextlib.aclosing(await as_(people.grantee)) as web:
            page = (await web.get(f"/grants/{reference}")).text
            assert "Wijzigingsbesluit (" in page and 'data-action="amend_award"' not in page
            refused = await web.post(f"/api/grants/{reference}/actions/amend_award", json={
                "amount_cents": 86_000_00, "reason": "Graag terug"},
                headers={"x-csrf-token": web.cookies[CSRF_COOKIE]})
            assert refused.status_code == 409
            assert "Alleen Programmateam" in refused.json()["detail"]
        async with contextlib.aclosing(await as_(people.team)) as web:
            raised = await web.post(f"/api/grants/{reference}/actions/amend_award", json={
                "amount_cents": 65_000_00, "reason": "Een deel van de scan telt toch."},
                headers={"x-csrf-token": web.cookies[CSRF_COOKIE]})
            assert raised.status_code == 200, raised.text
        assert (await grants.status(client, reference)).awarded_cents == 65_000_00
