"""In Chromium: two members of one organisation have the same application's draft open. What
one types is saved as they type; the other's autosave, from a form opened before, does not
replace it and says so, naming who saved (the same person's save in another window is
"elsewhere"); their "Opslaan" shows their form again as typed, with the reason, and
pressing it again replaces the first one's version (regie.revisions). The report form works
alike (tests/test_report_drafts.py)."""

from __future__ import annotations

import re

import pytest

from api.app import create_app
from domain.lifecycle import Role
from regie.db import session_factory
from regie.programme import ensure_programme
from regie.records import Application
from regie.settings import Settings
from regie.worker import build_worker
from tests import dates, factories
from tests.conftest import serving, sign_in
from tests.scenario import skip_to

pytestmark = pytest.mark.browser

SAVED = re.compile(r"^Opgeslagen \d\d:\d\d$")


async def test_a_colleagues_save_is_not_replaced_unseen(browser, time_env, tmp_path, db_url,
                                                        engine, scheme):
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, task_queue="collide",
                                 smtp_host="")
    sessions = session_factory(engine)
    async with sessions() as db:
        org = await factories.organisation(db, "Hogeschool van Amsterdam", "hbo")
        for email, name in (("noor@hva.example", "Noor Haddad"), ("sam@hva.example", None)):
            await factories.person(db, Role.GRANTEE, email, org, name=name)
        app = await factories.application(db, org, scheme)
        await ensure_programme(db, time_env.client, scheme, settings.task_queue)
    async with build_worker(time_env.client, settings, sessions, scheme):
        await skip_to(time_env, dates.utc(2027, 1, 20, 9))  # the 2027 round open
        async with serving(create_app(settings, scheme, time_env.client)) as url:
            noor = await (await browser.new_context()).new_page()
            sam = await (await browser.new_context()).new_page()
            for page, email in ((noor, "noor@hva.example"), (sam, "sam@hva.example")):
                await sign_in(page, url, email, factories.PASSWORD)
            await sam.goto(f"{url}/lang/en?next=/my")  # he reads the pages in English
            for page in (noor, sam):
                await page.goto(f"{url}/applications/{app.id}")

            await noor.fill("#title", "Omstanders in actie")  # saved as she types
            await noor.locator("#autosave-status", has_text=SAVED).wait_for()
            await sam.fill("#summary", "Trainingen op de campus.")  # his form is older
            await sam.locator("#autosave-status", has_text="Not saved").wait_for()
            status = await sam.text_content("#autosave-status")
            assert "saved on " in status and " by Noor Haddad, after you opened this form" \
                in status and "reload the page" in status and "opgeslagen" not in status
            async with sessions() as db:
                saved = await db.get(Application, app.id)
                assert (saved.title, saved.summary) == ("Omstanders in actie", app.summary)

            await sam.click("button[name=intent][value=save]")
            await sam.locator("p.error[role=alert]", has_text="Below is what you typed").wait_for()
            assert " by Noor Haddad, after you opened " in await sam.text_content(
                "p.error[role=alert]")
            assert await sam.input_value("#summary") == "Trainingen op de campus."
            await sam.click("button[name=intent][value=save]")  # his version, knowingly
            await sam.wait_for_url(re.compile(r".*\?saved=1$"))
            async with sessions() as db:
                saved = await db.get(Application, app.id)
                assert (saved.title, saved.summary) == (app.title, "Trainingen op de campus.")

            await noor.fill("#title", "Omstanders in actie!")  # now hers is the older form
            await noor.locator("#autosave-status", has_text="Niet opgeslagen").wait_for()
            assert " door Sam, nadat u dit formulier opende" in await noor.text_content(
                "#autosave-status")
            await noor.reload()  # as the message says: she sees his version, and goes on
            assert await noor.input_value("#summary") == "Trainingen op de campus."
            await noor.fill("#title", "Omstanders in actie")
            await noor.locator("#autosave-status", has_text=SAVED).wait_for()
            async with sessions() as db:
                saved = await db.get(Application, app.id)
                assert (saved.title, saved.summary) == ("Omstanders in actie",
                                                        "Trainingen op de campus.")

            # her own save in another window is not a colleague's: not named
            other = await noor.context.new_page()
            await other.goto(f"{url}/applications/{app.id}")
            await other.fill("#title", "Omstanders in actie, samen")
            await other.locator("#autosave-status", has_text=SAVED).wait_for()
            await noor.fill("#summary", "Trainingen op de campus, twee keer.")
            await noor.locator("#autosave-status", has_text="Niet opgeslagen").wait_for()
            assert "elders (in een ander venster of door een collega)" in \
                await noor.text_content("#autosave-status")
