"""What a person sees, in Debian's chromium, on the demo data: the programme team finds the grants
by stage; a grantee answers a correction request, and withdraws an application."""

from __future__ import annotations

import contextlib
import time

import httpx
import pytest

from api.app import create_app
from domain.lifecycle import Stage
from regie.db import session_factory
from regie.programme import ensure_programme
from regie import totp
from regie.demo import DEMO_TOTP_SECRET, GRANTS, PASSWORD, load_demo
from regie.settings import Settings
from regie.worker import build_worker
from tests import scenario
from tests.conftest import eventually, serving, sign_in

pytestmark = pytest.mark.browser


@contextlib.asynccontextmanager
async def demo_site(time_env, tmp_path, db_url, engine, scheme):
    """The demo data, served with a worker running: the site's URL and the demo references."""
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="",
                                 task_queue="browser")
    sessions = session_factory(engine)
    async with sessions() as db:
        await ensure_programme(db, time_env.client, scheme, settings.task_queue)
    async with build_worker(time_env.client, settings, sessions, scheme):
        references = await load_demo(sessions, time_env.client, scheme, settings.task_queue)
        async with serving(create_app(settings, scheme, time_env.client)) as url:
            yield url, references


async def test_programme_team_finds_demo_grants_by_stage(browser, time_env, tmp_path, db_url,
                                                         engine, scheme):
    async with demo_site(time_env, tmp_path, db_url, engine, scheme) as (url, references):
        page = await browser.new_page()
        await page.goto(f"{url}/team")
        assert "/login" in page.url  # signing in comes first
        await page.fill("#email", "team@regie.demo")
        await page.fill("#password", PASSWORD)
        await page.click("button[type=submit]")
        await page.wait_for_url(f"{url}/login/code?next=/team")  # the second factor
        await page.fill("#code", totp.code_at(DEMO_TOTP_SECRET, time.time()))
        await page.click("button[type=submit]")
        await page.wait_for_url(f"{url}/team")
        assert await page.text_content("h1") == "Overzicht aanvragen"

        expected: dict[str, list[str]] = {}
        for reference, (title, _org, _round, stage, *_rest) in zip(references, GRANTS):
            expected.setdefault(stage.value, []).append(title)
        for stage, titles in expected.items():
            card = page.locator(f".card[data-stage='{stage}'] .count")
            assert await card.text_content() == str(len(titles)), stage
            section = page.locator(f"[data-stage-section='{stage}']")
            for title in titles:
                assert await section.get_by_text(title).count() == 1, (stage, title)
        # the demo's second awarded grant has sent its first report: the team's worklist
        worklist = page.locator("[data-reports-to-review]")
        assert await worklist.get_attribute("data-reports-to-review") == "1"
        assert "Voortgangsrapportage 1" in await worklist.text_content()

        # staff see what the team must do; the same grant's applicant sees the public name
        await page.click(f".card[data-stage='{Stage.ASSESSMENT.value}']")
        assert await page.locator("[data-stage-section='assessment'] h2").text_content() \
            == "Wacht op beoordeling (2)"
        await page.screenshot(path=str(tmp_path / "team-overview.png"), full_page=True)

        # and in English, after one click on the switch, on the same page of the overview
        await page.click("text=English")
        assert await page.text_content("h1") == "Grants overview"
        assert page.url == f"{url}/team?stage={Stage.ASSESSMENT.value}"
        assert await page.locator("[data-stage-section='assessment'] h2").text_content() \
            == "Awaiting assessment (2)"

        # each round counts its applications, those the demo took over included
        await page.goto(f"{url}/rounds")
        for round_id in ("2025", "2026", "2027"):
            in_round = sum(1 for g in GRANTS if g[2] == round_id)
            assert await page.text_content(f"[data-submitted='{round_id}']") \
                == str(in_round), round_id

        # the annual report names the scheme's choices, in the chosen language
        await page.goto(f"{url}/reports/annual/{(await time_env.get_current_time()).year}")
        kinds = await page.text_content("[data-dimension='dim_organisation_type']")
        assert "University (wo)" in kinds and "University of applied sciences (hbo)" in kinds
        pillars = await page.text_content("[data-dimension='dim_pillar']")
        assert "Interaction culture on the work floor" in pillars
        assert "omgangscultuur" not in pillars  # the key stays in the CSV and JSON files
        # and its chart shows each name whole, above its bar
        chart = await page.text_content("[data-chart='dim_pillar']")
        assert "Interaction culture on the work floor" in chart
        assert "Complaint handling and prevention" in chart


async def test_a_grantee_answers_the_correction_request(browser, time_env, tmp_path, db_url,
                                                        engine, scheme):
    evidence = tmp_path / "besluit-gemeente.pdf"
    evidence.write_bytes(b"%PDF-1.4 besluit")
    async with demo_site(time_env, tmp_path, db_url, engine, scheme) as (url, references):
        reference = next(ref for ref, grant in zip(references, GRANTS)
                         if grant[3] == Stage.CORRECTION)
        page = await browser.new_page()
        await sign_in(page, url, "fnv@regie.demo", PASSWORD)
        await page.goto(f"{url}/grants/{reference}")
        assert await page.text_content("[data-stage]") == "Aanvulling nodig"
        await page.click("text=Voeg het toe op de pagina Mijn organisatie")
        await page.wait_for_url(f"{url}/organisation")
        await page.set_input_files("#evidence", str(evidence))
        await page.click("text=Bewijs toevoegen")
        await page.wait_for_url(f"{url}/organisation?evidence=added")
        assert "is ontvangen" in await page.text_content("[role=status]")
        await page.click(f"[data-in-correction] a[href='/grants/{reference}']")
        await page.fill("form[data-action=submit_correction] textarea", "Besluit toegevoegd.")
        await page.click("form[data-action=submit_correction] button")
        await page.wait_for_url(f"{url}/grants/{reference}?done=submit_correction")
        await scenario.stage_is(time_env.client, reference, Stage.ASSESSMENT)
        await page.reload()
        assert await page.text_content("[data-stage]") == "In behandeling"
        await page.goto(f"{url}/organisation")
        assert await page.locator("[data-in-correction]").count() == 0


async def test_a_grantee_withdraws_an_application(browser, time_env, tmp_path, db_url, engine,
                                                  scheme):
    async with demo_site(time_env, tmp_path, db_url, engine, scheme) as (url, references):
        reference = next(ref for ref, grant in zip(references, GRANTS)
                         if grant[0] == "Leiderschap en aanspreekcultuur")
        page = await browser.new_page()
        await sign_in(page, url, "uu@regie.demo", PASSWORD)
        await page.goto(f"{url}/grants/{reference}")
        form = "form[data-action=withdraw]"
        await page.fill(f"{form} textarea", "We dienen in de ronde van 2027 opnieuw in.")
        await page.click(f"{form} button")  # not yet confirmed: the browser holds the form
        assert page.url == f"{url}/grants/{reference}"
        assert await page.locator(f"{form} input[name=understood]:invalid").count() == 1
        await page.check(f"{form} input[name=understood]")
        await page.click(f"{form} button")
        await page.wait_for_url(f"{url}/grants/{reference}?done=withdraw")
        await scenario.stage_is(time_env.client, reference, Stage.WITHDRAWN)
        await page.reload()
        assert await page.text_content("[data-stage]") == "Ingetrokken"
        assert await page.locator(form).count() == 0
        await page.goto(f"{url}/my")
        row = page.locator("tr", has=page.locator(f"a[href='/grants/{reference}']"))
        assert "Ingetrokken" in await row.text_content()


async def test_chromium_reports_what_the_policy_blocks(browser, time_env, tmp_path, db_url,
                                                       scheme):
    """A script that Regie never sent (an extension's, or a template's mistake) does not run,
    and chromium reports it: /metrics counts it for the team's alerts."""
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="")
    async with serving(create_app(settings, scheme, time_env.client)) as url:
        page = await browser.new_page()
        await page.goto(f"{url}/login")
        await page.evaluate("""() => { const script = document.createElement('script');
            script.textContent = 'document.title = "gekaapt"';
            document.body.append(script); }""")
        counted = 'regie_csp_violations_total{directive="script-src-elem"} 1.0'

        async def reported() -> bool:
            async with httpx.AsyncClient() as web:
                return counted in (await web.get(f"{url}/metrics")).text

        await eventually(reported)
        assert await page.title() != "gekaapt"
        assert len(browser.blocked) == 1 and "inline script" in browser.blocked[0]
        browser.blocked.clear()  # blocked on purpose
