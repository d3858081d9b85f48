"""Every kind of page, as each role sees it on the demo data, passes axe-core's checks for WCAG
2.1 levels A and AA: the level Dutch public bodies must meet (Besluit digitale toegankelijkheid
overheid, through EN 301 549), and what applicants and assessors who use a screen reader, the
keyboard or a magnifier need. On a desktop and on a phone, where no page may scroll sideways (a
wide table scrolls in its own box); the keyboard skips the menu. A machine finds only part of
what WCAG asks; what it finds, it finds on every run."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from axe_playwright_python.async_playwright import Axe
from sqlmodel import select

from domain.lifecycle import Stage
from regie.db import session_factory
from regie.demo import DEMO_TOTP_SECRET, GRANTS, PASSWORD
from regie.links import report_token
from regie.records import Organisation, Person, ReportDraft
from tests import factories
from tests.conftest import sign_in
from tests.test_browser import demo_site

pytestmark = pytest.mark.browser

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
              "resultTypes": ["violations"]}

BEYOND_THE_EDGE = """() => [...document.querySelectorAll('main *')]
    .filter((e) => e.getBoundingClientRect().right > innerWidth + 1)
    .slice(0, 4).map((e) => e.outerHTML.slice(0, 120))"""

FIELDS_IN_ERROR = """() => [...document.querySelectorAll('[aria-invalid=true]')].map((field) => [
    field.id, (document.getElementById(field.getAttribute('aria-describedby'))
               || {textContent: ''}).textContent.trim().length > 0])"""


async def test_every_kind_of_page_meets_wcag_21_aa(browser, time_env, tmp_path, db_url, engine,
                                                   scheme):
    async with demo_site(time_env, tmp_path, db_url, engine, scheme) as (url, references):
        at = {grant[3]: ref for ref, grant in reversed(list(zip(references, GRANTS)))}
        uu = [ref for ref, grant in zip(references, GRANTS) if grant[1] == 0]
        async with session_factory(engine)() as db:
            grantee = (await db.exec(select(Person).where(
                Person.email == "uu@regie.demo"))).one()
            draft = await factories.application(
                db, await db.get(Organisation, grantee.organisation_id), scheme)
            # the report form as it opens again, with what was typed and a file on it
            db.add(ReportDraft(reference=at[Stage.REPORTING], report_index=0, saved_by=grantee.id,
                               fields={"summary": "Twee trainingen gegeven."}, attachments=[
                                   {"id": 1, "name": "presentielijst.pdf", "kind": "document"}]))
            await db.commit()
        grant_pages = [f"/grants/{ref}" for ref in at.values()]
        report_link = report_token((tmp_path / "secret.key").read_text().strip(), grantee.id,
                                   at[Stage.REPORTING], 0, datetime.now(timezone.utc)
                                   + timedelta(days=1))  # as in the report prompt's e-mail
        visits = {
            None: ["/", "/call/2027", "/knowledge", f"/knowledge/projects/{at[Stage.REPORTING]}",
                   "/login",
                   "/login/forgot", "/register", f"/report/{report_link}"],
            ("team@regie.demo", DEMO_TOTP_SECRET): [
                "/team", "/team?stage=reporting&round=2025", "/rounds", "/rounds/2026",
                "/rounds/2027", "/rounds/2026/assign", "/rounds/2026/assign?propose=1",
                "/reports/annual/2026",
                "/assessors", "/import", *grant_pages],
            ("auditor@regie.demo", DEMO_TOTP_SECRET): [
                f"/audit/grants/{at[Stage.REPORTING]}", "/audit/rounds/2026",
                "/audit/rounds/2026/history", "/audit/ledger"],
            ("uu@regie.demo", ""): ["/my", "/applications", f"/applications/{draft.id}",
                                    "/organisation", *[f"/grants/{ref}" for ref in uu],
                                    f"/grants/{at[Stage.REPORTING]}/reports/0"],
            ("beoordelaar1@regie.demo", ""): ["/assessor", f"/grants/{at[Stage.ASSESSMENT]}"],
        }
        page = await browser.new_page()  # past the menu with the keyboard: WCAG 2.4.1
        await page.goto(f"{url}/knowledge")
        await page.keyboard.press("Tab")
        assert await page.evaluate("document.activeElement.textContent") == "Naar de inhoud"
        await page.keyboard.press("Enter")
        assert await page.evaluate("document.activeElement.id") == "content"
        axe = Axe()
        found = []

        async def check(page, where: str, width: int) -> None:
            results = (await axe.run(page, options=WCAG_21_AA)).response
            assert results["passes"], where  # axe ran its rules on the page
            for v in results["violations"]:
                found.append(f"{where}: {v['id']} [{v['impact']}] {v['help']}: "
                             f"{[n['target'] for n in v['nodes']][:4]}")
            if await page.evaluate("document.documentElement.scrollWidth") > width:
                found.append(f"{where}: the page scrolls sideways, past its right edge: "
                             f"{await page.evaluate(BEYOND_THE_EDGE)}")

        for who, paths in visits.items():
            page = await browser.new_page()
            if who is not None:
                await sign_in(page, url, who[0], PASSWORD, who[1])
            for path in paths:
                for width in (1280, 320):  # a desktop, and a phone at WCAG's reflow width
                    await page.set_viewport_size({"width": width, "height": 800})
                    response = await page.goto(f"{url}{path}")
                    assert response.ok, path
                    await check(page, f"{path} at {width} px ({who[0] if who else 'public'})",
                                width)

        page = await browser.new_page()  # the English pages: the same templates, other words
        await page.goto(f"{url}/lang/en?next=/knowledge")
        for path in ("/", "/knowledge", "/register"):
            for width in (1280, 320):
                await page.set_viewport_size({"width": width, "height": 800})
                await page.goto(f"{url}{path}")
                assert await page.get_attribute("html", "lang") == "en"
                await check(page, f"{path} in English at {width} px", width)

        # forms sent back with their errors: each field in error names its message
        page = await browser.new_page(viewport={"width": 1280, "height": 800})
        await page.goto(f"{url}/register")
        await page.click("form[action='/register'] button")
        await page.wait_for_load_state()
        await check(page, "/register, sent empty", 1280)
        assert await page.evaluate(FIELDS_IN_ERROR) == [
            [field, True] for field in ("organisation", "organisation_type", "kvk_number",
                                        "name", "email", "password")]
        await sign_in(page, url, "uu@regie.demo", PASSWORD)
        await page.goto(f"{url}/applications/{draft.id}")
        await page.fill("#section_ambitie", factories.words(801, "ambitie"))
        await page.click("#submit-application")
        await page.wait_for_load_state()
        await check(page, "an application sent back", 1280)
        assert await page.evaluate(FIELDS_IN_ERROR) == [["section_ambitie", True]]
        assert found == [], "\n".join(found)
