"""In chromium: an organisation registers, drafts an application with two activities, meets a
word-limit error, fixes it, submits, and the confirmation arrives at a real SMTP server."""

from __future__ import annotations

import pytest
from sqlmodel import select

from api.app import create_app
from domain.lifecycle import Role
from regie.db import session_factory
from regie.programme import ensure_programme
from regie.records import Application
from regie.settings import Settings
from regie.worker import build_worker
from tests import dates, factories
from tests.conftest import eventually, serving
from tests.scenario import skip_to

pytestmark = pytest.mark.browser


async def _fill_activity(page, i: int, title: str, end: str, line: dict) -> None:
    await page.fill(f"#act-{i}-title", title)
    await page.fill(f"#act-{i}-goal", "Omstanders leren ingrijpen bij grensoverschrijdend gedrag.")
    await page.fill(f"#act-{i}-monitoring", "Na elke sessie een korte meting; per kwartaal een rapport.")
    await page.fill(f"#act-{i}-description", factories.words(80, "training"))
    await page.fill(f"#act-{i}-start", dates.iso("2027-03-01"))
    await page.fill(f"#act-{i}-end", end)
    row = f"act-{i}-line-0"
    await page.select_option(f"[name='{row}-kind']", line["kind"])
    if line["kind"] == "hours":
        await page.select_option(f"[name='{row}-rate_key']", line["rate"])
        await page.fill(f"[name='{row}-hours']", line["hours"])
    else:
        await page.fill(f"[name='{row}-description']", line["description"])


async def test_register_draft_fix_and_submit(browser, time_env, tmp_path, db_url, engine,
                                             scheme, smtp):
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, task_queue="portal",
                                 smtp_host="127.0.0.1", smtp_port=smtp.port)
    sessions = session_factory(engine)
    async with sessions() as db:
        await factories.person(db, Role.PROGRAMME_TEAM, "team@example.nl")
        await ensure_programme(db, time_env.client, scheme, settings.task_queue)
    async with build_worker(time_env.client, settings, sessions, scheme):
        await skip_to(time_env, dates.utc(2027, 1, 20, 9))  # 2027 round open
        async with serving(create_app(settings, scheme, time_env.client)) as url:
            page = await browser.new_page()
            await page.goto(f"{url}/register")
            await page.fill("#organisation", "Hogeschool van Amsterdam")
            await page.select_option("#organisation_type", "hbo")
            await page.fill("#kvk_number", "34260000")
            await page.fill("#name", "Noor Haddad")
            await page.fill("#email", "noor@hva.example")
            await page.fill("#password", "een lang en geheim wachtwoord")
            await page.click("button[type=submit]")
            await page.wait_for_url(f"{url}/applications")
            # named apart from "Mijn aanvragen", the grants under way
            assert await page.locator("h1").text_content() == "Aanvraag indienen"
            assert await page.locator("header a[href='/applications']").text_content() == \
                "Aanvraag indienen"

            await page.click("text=Nieuwe aanvraag")
            await page.wait_for_url(f"{url}/applications/*")
            await page.fill("#title", "Omstanders in actie")
            await page.fill("#summary", "Trainingen voor omstanders op de campus.")
            await page.fill("#section_ambitie", factories.words(801, "ambitie"))
            count = page.locator("[data-count-for='section_ambitie']")
            assert await count.text_content() == "801 / 800 woorden"  # live, before saving
            assert "over" in (await count.get_attribute("class"))
            await page.fill("#section_impact", factories.words(300, "impact"))
            await page.fill("#section_verankering", factories.words(250, "borging"))
            await page.check("input[name=pillars][value=omgangscultuur]")
            await page.check("input[name=target_groups][value=studenten]")
            await _fill_activity(page, 0, "Training", dates.iso("2027-06-30"),
                                 {"kind": "hours", "rate": "medewerker", "hours": "120"})
            await page.click("button[value=add_activity]")
            await page.wait_for_selector("#act-1-title")
            await _fill_activity(page, 1, "Campagne", dates.iso("2027-12-31"),
                                 {"kind": "cost", "description": "Drukwerk en locatie"})
            await page.fill("[name='act-1-line-0-amount']", "12.500,00")

            await page.click("#submit-application")
            error = page.locator("[data-error-for='section_ambitie']")
            assert await error.text_content() == \
                "Onderdeel Ambitie telt 801 woorden; maximaal 800."
            assert await page.input_value("#title") == "Omstanders in actie"  # nothing lost
            assert await page.input_value("#act-1-end") == dates.iso("2027-12-31")
            assert await page.text_content("[data-requested]") == "€ 21.500,00"  # 120 × €75 + €12.500

            # an amount that cannot be read for sure is saved over nothing: the autosave says
            # so as it is typed, and the form comes back with it as typed and the reason
            unread = "Bedrag onleesbaar / amount cannot be read: '12.500.0'"
            await page.fill("[name='act-1-line-0-amount']", "12.500.0")
            await page.locator("#autosave-status", has_text="onleesbaar").wait_for()
            assert await page.text_content("#autosave-status") == f"Niet opgeslagen: {unread}"
            await page.click("#submit-application")
            await page.wait_for_selector("[data-error-for='act-1-line-0']")
            assert await page.text_content("[data-error-for='act-1-line-0']") == unread
            assert await page.input_value("[name='act-1-line-0-amount']") == "12.500.0"
            assert await page.text_content("[data-requested]") == "€ 21.500,00"  # as saved
            await page.fill("[name='act-1-line-0-amount']", "12.500,00")

            await page.fill("#section_ambitie", factories.words(800, "ambitie"))
            await page.click("#submit-application")
            await page.wait_for_url(f"{url}/applications/*/receipt")
            reference = await page.text_content("[data-reference]")
            assert reference == "SV2027-0001"
            await page.screenshot(path=str(tmp_path / "receipt.png"))

        async def confirmed():
            return any(s.startswith(f"Aanvraag ontvangen: {reference}") for s in smtp.subjects())
        await eventually(confirmed)
        mail = next(m for m in smtp.messages if str(m["Subject"]).startswith("Aanvraag ontvangen"))
        assert mail["To"] == "noor@hva.example"
    async with sessions() as db:
        app = (await db.exec(select(Application))).one()
        assert app.reference == reference and app.requested_cents == 21_500_00
