"""In chromium: an assessor scores an application; the programme team confirms an allocation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.testing import ActivityEnvironment

from activities.rounds import HELD_BACK, RoundActivities
from api.app import create_app
from domain.lifecycle import Role, Stage
from domain.ranking import Change
from domain.types import (
    AllocationApproval, AllocationConfirmation, AssessorRef, AssignAssessors, Delivery,
    SetCommitment,
)
from regie import grants, programme, rounds
from regie.applications import submit_draft
from regie.db import session_factory
from regie.demo import PASSWORD, load_demo
from regie.settings import Settings
from regie.worker import build_worker
from tests import dates, factories
from tests.conftest import eventually, serving, sign_in
from tests.test_assessment_round import submission
from tests.scenario import skip_to, stage_is
from workflows.round import RoundWorkflow

pytestmark = pytest.mark.browser


async def test_an_assessor_scores_an_assigned_application(browser, time_env, tmp_path, db_url,
                                                         engine, scheme):
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="",
                                 task_queue="assessor-ui")
    sessions = session_factory(engine)
    async with sessions() as db:
        await programme.ensure_programme(db, time_env.client, scheme, settings.task_queue)
    async with build_worker(time_env.client, settings, sessions, scheme):
        references = await load_demo(sessions, time_env.client, scheme, settings.task_queue)
        reference = references[3]  # "Campagne veilige studentenverenigingen", in assessment
        async with serving(create_app(settings, scheme, time_env.client)) as url:
            page = await browser.new_page()
            await sign_in(page, url, "beoordelaar1@regie.demo", PASSWORD)
            await page.wait_for_url(f"{url}/assessor")
            await page.click(f"text={reference}")
            form = page.locator("form[data-action='submit_score']")
            # each criterion with the aspects the published call judges it on
            rubric = scheme.rubrics[scheme.round("2026").rubric]
            assert await form.locator("[data-aspects='impact'] li").all_text_contents() == list(
                rubric.sections[1].aspects.nl)
            # nothing is chosen for the assessor: the browser keeps a form with a score open
            await form.locator("#ambitie_motivation").fill("Heldere aanleiding en doelen.")
            await form.locator("button[type=submit]").click()
            assert await form.locator("#ambitie:invalid").count() == 1
            assert page.url.endswith(f"/grants/{reference}")
            await form.locator("#ambitie").select_option("4")
            await form.locator("#ambitie_motivation").fill("Heldere aanleiding en doelen.")
            await form.locator("#impact").select_option("3")
            await form.locator("#impact_motivation").fill("Raakt twee pijlers.")
            await form.locator("#verankering").select_option("4")
            await form.locator("#verankering_motivation").fill("Borging in de opleiding.")
            for i in (0, 1):
                await form.locator(f"[name=activity_{i}_4a]").select_option(label="Voldoende")
                await form.locator(f"[name=activity_{i}_4b]").select_option(
                    label=("Onvoldoende", "Voldoende")[i])
                await form.locator(f"#activity_{i}_motivation").fill("Voldoende uitgewerkt.")
            await form.locator("button[type=submit]").click()
            await page.wait_for_url(f"{url}/grants/{reference}?done=submit_score")
            assert await page.locator("p.notice").text_content() == "Verwerkt."
            # scored once: the form is gone for this assessor, the other one is still to score
            assert await page.locator("form[data-action='submit_score']").count() == 0
        status = await grants.status(time_env.client, reference)
        assert status.stage == Stage.ASSESSMENT and len(status.assessments) == 1
        mine = status.assessments[0].submission
        assert (mine.ambitie.score, mine.impact.score, mine.verankering.score) == (4, 3, 4)
        assert [(j.description_sufficient, j.budget_sufficient) for j in mine.activities] == [
            (True, False), (True, True)]


async def test_the_team_confirms_an_allocation(browser, time_env, tmp_path, db_url, engine,
                                               scheme):
    client = time_env.client
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="",
                                 task_queue="allocation-ui")
    sessions = session_factory(engine)
    async with sessions() as db:
        org = await factories.organisation(db, "Maastricht University", "wo")
        member = await factories.person(db, Role.GRANTEE, "lid@um.example", org)
        team = await factories.person(db, Role.PROGRAMME_TEAM, "team@example.nl")
        colleague = await factories.person(db, Role.PROGRAMME_TEAM, "collega@example.nl")
        panel = [await factories.person(db, Role.ASSESSOR, f"p{n}@example.nl") for n in (1, 2)]
        drafts = [await factories.application(db, org, scheme, factories.draft("2027", f"P{n}"))
                  for n in range(3)]
        await programme.ensure_programme(db, client, scheme, settings.task_queue)
    async with build_worker(client, settings, sessions, scheme):
        await skip_to(time_env, dates.utc(2027, 1, 20, 9))  # the 2027 round is open
        references = []
        for draft in drafts:
            async with sessions() as db:
                references.append(await submit_draft(db, client, scheme, draft,
                                                     factories.actor_of(member)))
        await skip_to(time_env, dates.closes(scheme, "2027") + timedelta(seconds=5))
        for n, reference in enumerate(references):
            await stage_is(client, reference, Stage.ASSESSMENT)
            await grants.act(client, reference, "assign_assessors", AssignAssessors(
                actor=factories.actor_of(team), assessors=tuple(
                    AssessorRef(user_id=p.id, name=p.name) for p in panel)))
            for p in panel:
                await grants.act(client, reference, "submit_score",
                                 submission(factories.actor_of(p), 5 - n, 5 - n, 5 - n))
        async with serving(create_app(settings, scheme, client)) as url:
            page = await browser.new_page()
            await sign_in(page, url, "team@example.nl", factories.PASSWORD,
                          factories.TOTP_SECRET)
            await page.goto(f"{url}/rounds/2027")

            async def proposed():
                await page.reload()
                return await page.get_attribute("[data-phase]", "data-phase") == "proposed"
            await eventually(proposed)
            row = page.locator(f"tr[data-reference='{references[0]}']")
            assert "gefinancierd op rang 1" in await row.text_content()
            assert await page.locator("table[data-allocation] th").nth(5).text_content() == \
                "Voorgesteld"
            # the round decides its applications, in the order of their ranking: a grant's own
            # page offers no award or rejection and says where it is decided; the API refuses
            await page.goto(f"{url}/grants/{references[0]}")
            assert "Over deze aanvraag besluit ronde 2027" in \
                await page.text_content("[data-round-decides]")
            assert await page.locator("form[data-action='award'], "
                                      "form[data-action='reject']").count() == 0
            csrf = next(c["value"] for c in await page.context.cookies()
                        if c["name"] == "regie_csrf")
            refused = await page.request.post(
                f"{url}/api/grants/{references[0]}/actions/award",
                data={"amount_cents": 86_000_00, "reason": "Vooruit."},
                headers={"x-csrf-token": csrf})
            assert refused.status == 409
            assert "Over deze aanvraag besluit ronde 2027" in (await refused.json())["detail"]
            await page.goto(f"{url}/rounds/2027")
            assert await page.locator("table[data-distribution='organisation'] td").first \
                .text_content() == "Maastricht University"
            # a change without a reason is refused and nothing is confirmed; what was typed stays
            await page.fill(f"[name='amount-{references[2]}']", "50.000,00")
            await page.click("#confirm-allocation")
            assert "geef de reden van de wijziging" in await page.text_content("p.error")
            assert await page.input_value(f"[name='amount-{references[2]}']") == "50.000,00"
            # more than the application asked (€ 86.000) is refused, as the grant would
            await page.fill(f"[name='reason-{references[2]}']", "Alleen activiteit 1 past.")
            await page.fill(f"[name='amount-{references[1]}']", "86.000,01")
            await page.fill(f"[name='reason-{references[1]}']", "Indexering.")
            await page.click("#confirm-allocation")
            assert "SV2027-0002: € 86.000,01 ligt niet tussen € 0 en de aangevraagde " \
                "€ 86.000,00" in await page.text_content("p.error")
            assert await page.get_attribute("[data-phase]", "data-phase") == "proposed"
            assert [await page.input_value(f"[name='{name}']") for name in (
                f"amount-{references[1]}", f"reason-{references[1]}",
                f"amount-{references[2]}", f"reason-{references[2]}")] == [
                "86.000,01", "Indexering.", "50.000,00", "Alleen activiteit 1 past."]
            await page.fill(f"[name='amount-{references[1]}']", "")  # the team takes it back
            await page.fill(f"[name='reason-{references[1]}']", "")
            # meanwhile the round's money shrank (money committed elsewhere in it): the
            # allocation no longer fits, and the page says so before any grant is decided
            room = (await programme.ledger(client, scheme.scheme.id)).room("2027")
            await programme.set_commitment(client, scheme.scheme.id, SetCommitment(
                actor=factories.actor_of(team), reference="ELDERS", round_id="2027",
                amount_cents=room - 86_000_00 - 60_000_00, reason="bezwaar toegewezen"))
            await page.click("#confirm-allocation")
            assert "De verdeling legt € 222.000,00 vast, maar de ronde kan nu nog € 146.000,00 " \
                "vastleggen (bij het voorstel € 4.000.000,00)" in await page.text_content("p.error")
            assert await page.get_attribute("[data-phase]", "data-phase") == "proposed"
            # confirmed without the page (the round's Update), it awaits a second member's
            # approval: the one who confirmed is offered none; the second's page refuses it, as
            # it no longer fits, and they send it back with their reason
            handle = client.get_workflow_handle_for(RoundWorkflow.run,
                                                    rounds.round_workflow_id("2027"))
            confirmation = AllocationConfirmation(actor=factories.actor_of(team), changes=(
                Change(reference=references[2], amount_cents=50_000_00,
                       reason="Alleen activiteit 1 past."),))
            await handle.execute_update(RoundWorkflow.confirm_allocation, confirmation)
            await page.goto(f"{url}/rounds/2027")
            assert "Bevestigd door Team. De besluiten gaan uit zodra een ander lid" in \
                await page.text_content("[data-awaiting-approval]")
            assert await page.locator("[data-own-confirmation]").count() == 1
            assert await page.locator("#approve-allocation").count() == 0
            await page.goto(f"{url}/rounds")  # the list of rounds says so too
            assert await page.text_content("[data-awaiting-approval='2027']") == \
                "bevestigd door Team; wacht op goedkeuring"
            second = await browser.new_page()
            await sign_in(second, url, "collega@example.nl", factories.PASSWORD,
                          factories.TOTP_SECRET)
            await second.goto(f"{url}/rounds/2027")
            await second.click("#approve-allocation")
            assert "De verdeling legt € 222.000,00 vast, maar de ronde kan nu nog € 146.000,00 " \
                "vastleggen" in await second.text_content("p.error")
            assert await second.get_attribute("[data-phase]", "data-phase") == "proposed"
            await second.fill("#return_reason", "Past niet meer: eerst bijstellen.")
            await second.click("#return-allocation")
            await second.wait_for_url(f"{url}/rounds/2027")
            await page.goto(f"{url}/rounds/2027")
            assert await page.text_content("[data-returned]") == \
                "Teruggestuurd door Collega: Past niet meer: eerst bijstellen."
            assert await page.locator("#confirm-allocation").count() == 1
            # should the money shrink between the page's checks and the delivery (here: the
            # round's Updates sent without the page), the grant whose award no longer fits
            # refuses it, and the award ranked below it, which would fit, is not sent past it
            await handle.execute_update(RoundWorkflow.confirm_allocation, confirmation)
            await handle.execute_update(RoundWorkflow.approve_allocation, AllocationApproval(
                actor=factories.actor_of(colleague)))

            async def decided():
                await page.reload()
                return await page.get_attribute("[data-phase]", "data-phase") == "decided"
            await eventually(decided)
            changed = page.locator(f"tr[data-reference='{references[2]}']")
            assert "gewijzigd door het programmateam: Alleen activiteit 1 past." in \
                await changed.text_content()
            assert (await page.text_content("h2")).startswith("Bevestigde verdeling")
            assert await page.locator("table[data-allocation] th").nth(5).text_content() == \
                "Toegekend"
            # the page says which decisions were not taken, and where to take them
            assert "Besluiten uit deze verdeling die niet zijn genomen: 2." in \
                await page.text_content("[data-undelivered]")
            marked = page.locator("tr:has([data-undelivered-line])")
            assert await marked.evaluate_all("rows => rows.map(r => r.dataset.reference)") == \
                references[1:]
            # and why, on each line: the ledger's refusal, and the award held back below it
            because = page.locator("[data-undelivered-because]")
            assert "past niet" in await because.nth(0).text_content()
            assert await because.nth(1).text_content() == HELD_BACK
            # a delivery taken up again (its worker stopped) decides nothing twice and finds
            # the same: it beats its heart at each grant, so it is taken up within minutes
            async with sessions() as db:
                confirmed = (await rounds.status(client, db, "2027")).confirmed
            beats = []
            again = ActivityEnvironment()
            again.on_heartbeat = beats.append
            refused = await again.run(
                RoundActivities(sessions, client, scheme, settings).deliver_decisions,
                Delivery(actor=factories.actor_of(team), allocations=tuple(confirmed)))
            assert beats == [0, 1, 2]
            async with sessions() as db:
                assert refused == (await rounds.status(client, db, "2027")).undelivered
            assert [line.partition(":")[0] for line in refused] == references[1:]
            await stage_is(client, references[0], Stage.REPORTING)
            await stage_is(client, references[0], Stage.REPORTING)
            for reference in references[1:]:
                await stage_is(client, reference, Stage.DECISION)
            # the round has decided: the team decides these on their pages, within what is left
            await page.locator(f"tr[data-reference='{references[1]}'] a").click()
            assert await page.locator("[data-round-decides]").count() == 0
            award = page.locator("form[data-action='award']")
            await award.locator("#amount").fill("60.000,00")
            await award.locator("#award_reason").fill("Binnen wat over is.")
            await award.locator("button[type=submit]").click()
            await page.wait_for_url(f"{url}/grants/{references[1]}?done=award")
            await page.goto(f"{url}/grants/{references[2]}")
            reject = page.locator("form[data-action='reject']")
            await reject.locator("#reject_reason").fill("Het budget van de ronde is op.")
            await reject.locator("button[type=submit]").click()
            await page.wait_for_url(f"{url}/grants/{references[2]}?done=reject")
            await page.goto(f"{url}/rounds/2027")
            assert await page.locator("[data-undelivered]").count() == 0
        for reference in references[:2]:
            await stage_is(client, reference, Stage.REPORTING)
        await stage_is(client, references[2], Stage.REJECTED)
        assert (await grants.status(client, references[1])).awarded_cents == 60_000_00
