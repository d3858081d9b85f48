"""What a person sees, in Debian's chromium: the programme team finds the demo grants by stage."""

from __future__ import annotations

import time

import pytest

from api.app import create_app
from domain.lifecycle import Stage
from regie.db import session_factory
from regie.programme import ensure_programme
from regie import totp
from regie.demo import DEMO_TOTP_SECRET, GRANTS, PASSWORD, load_demo
from regie.settings import Settings
from regie.worker import build_worker
from tests.conftest import serving

pytestmark = pytest.mark.browser


async def test_programme_team_finds_demo_grants_by_stage(browser, time_env, tmp_path, db_url,
                                                         engine, scheme):
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="",
                                 task_queue="browser")
    sessions = session_factory(engine)
    async with sessions() as db:
        await ensure_programme(db, time_env.client, scheme, settings.task_queue)
    async with build_worker(time_env.client, settings, sessions, scheme):
        references = await load_demo(sessions, time_env.client, scheme, settings.task_queue)
        async with serving(create_app(settings, scheme, time_env.client)) as url:
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

            # staff see what the team must do; the same grant's applicant sees the public name
            await page.click(f".card[data-stage='{Stage.ASSESSMENT.value}']")
            assert await page.locator("[data-stage-section='assessment'] h2").text_content() \
                == "Wacht op beoordeling (2)"
            await page.screenshot(path=str(tmp_path / "team-overview.png"), full_page=True)

            # and in English, after one click on the switch
            await page.click("text=English")
            assert await page.text_content("h1") == "Grants overview"

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
