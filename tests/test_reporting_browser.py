"""In chromium: a grantee opens the link from a prompt e-mail and files a progress report with
an attachment (what they type is saved as they type); the programme team reads it on the grant page, opens the attachment and accepts
it; later a visitor finds the project in the knowledge centre by a word from its results."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone

import pytest

from api.app import create_app
from domain.lifecycle import Stage
from domain.schedules import add_months, local_day
from domain.terms import working_day_from
from domain.types import DecisionInput, ReportReview, ReportSubmission, SettlementInput
from regie import grants, programme
from regie.db import session_factory
from regie.settings import Settings
from regie.worker import build_worker
from tests import factories, scenario
from tests.conftest import eventually, serving, sign_in
from tests.factories import actor_of
from tests.scenario import skip_to, stage_is

pytestmark = pytest.mark.browser


async def test_report_by_link_then_found_in_the_knowledge_centre(browser, time_env, tmp_path,
                                                                 db_url, engine, scheme, smtp):
    client, sessions = time_env.client, session_factory(engine)
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, task_queue="report-ui",
                                 smtp_host="127.0.0.1", smtp_port=smtp.port, max_request_mb=1)
    async with sessions() as db:
        people = await scenario.cast(db)
        await programme.ensure_programme(db, client, scheme, settings.task_queue)
    team, grantee = actor_of(people.team), actor_of(people.grantee)
    evidence = tmp_path / "aanwezigheidslijst.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% aanwezigheid training\n")
    async with build_worker(client, settings, sessions, scheme):
        reference = await scenario.grant_awaiting_decision(sessions, client, scheme,
                                                           settings.task_queue, people)
        await grants.act(client, reference, "decide", DecisionInput(
            actor=team, award=True, amount_cents=86_000_00, reason="Gehonoreerd."))
        # the first report is due six months from the award; its prompt goes out before
        first = working_day_from(add_months(local_day(await time_env.get_current_time(),
                                                      scheme.scheme.timezone), 6))
        before = scheme.reporting(scheme.round("2026")).prompt_before_days
        await skip_to(time_env, datetime.combine(first - timedelta(days=before), time(9),
                                                 tzinfo=timezone.utc))

        async def prompt():
            return [m for m in smtp.messages if str(m["Subject"]).startswith("Rapportage 1")]
        mail = (await eventually(prompt))[0]
        link = re.search(r"http://\S+/report/[\w-]+\.[0-9a-f]+",
                         mail.get_body(("plain",)).get_content()).group(0)

        async with serving(create_app(settings, scheme, client)) as url:
            path = link.split("/report/", 1)[1]
            page = await browser.new_page()  # not signed in: the link is the key
            await page.goto(f"{url}/report/{path}")
            assert "Voortgangsrapportage 1" in await page.text_content("h1")
            await page.fill("#summary", "Twee trainingen omstandersinterventie voor 60 studenten.")
            await page.fill("#act-0-done", "Twee van de drie trainingen gegeven.")
            # saved as it is typed: the page opened again holds it
            await page.locator("#autosave-status",
                               has_text=re.compile(r"^Opgeslagen \d\d:\d\d$")).wait_for()
            await page.reload()
            assert await page.input_value("#act-0-done") == "Twee van de drie trainingen gegeven."
            assert "Concept opgeslagen op" in await page.text_content("#autosave-status")
            await page.click("button[name=intent][value=save]")  # saved with fields still open
            await page.wait_for_url(re.compile(r".*\?saved=1$"))
            assert await page.text_content("#autosave-status") == "Concept opgeslagen"
            await page.fill("#act-0-deviations", "De derde training schuift naar september.")
            await page.fill("#act-1-done", "Cultuurscan voorbereid.")
            # files larger together than Regie takes in one request: not sent, and said why
            video = tmp_path / "training.pdf"
            video.write_bytes(b"%PDF-1.4\n" + b"0" * 1024 * 1024)
            await page.set_input_files("#attachments", [str(evidence), str(video)])
            filled = page.url
            await page.click("button[type=submit]")
            refused = page.locator("#files-too-large[role=alert]")
            await refused.wait_for()
            assert (await refused.text_content()).startswith(
                "De gekozen bestanden zijn samen groter dan 1 MB")
            assert page.url == filled  # still the form, as it was filled in
            assert await page.input_value("#act-1-done") == "Cultuurscan voorbereid."
            await page.set_input_files("#attachments", str(evidence))
            await page.click("button[name=intent][value=save]")  # on the form, to open again
            await page.wait_for_url(re.compile(r".*\?saved=1$"))
            async with page.expect_download() as download:
                await page.click("a[data-file-link]")
            assert (await download.value).suggested_filename == "aanwezigheidslijst.pdf"
            await page.check("input[name=public]")
            await page.click("button[type=submit]")
            assert await page.text_content("h1") == "Rapportage ontvangen"

            report = (await grants.status(client, reference)).reports[0]
            assert report.submitted_at is not None and report.attachments[0].name == \
                "aanwezigheidslijst.pdf"
            assert report.activities[0].deviations == "De derde training schuift naar september."
            # a link is for its grant and report only: altered, it opens nothing
            other = "1" if path.endswith("0") else "0"  # a different last character
            tampered = await page.goto(f"{url}/report/{path[:-1]}{other}")
            assert tampered.status == 404

            # the team reads the report as it was sent, opens its attachment, and accepts it
            staff = await (await browser.new_context()).new_page()
            await sign_in(staff, url, people.team.email, factories.PASSWORD,
                          factories.TOTP_SECRET)
            await staff.goto(f"{url}/grants/{reference}")
            shown = staff.locator("details[data-report='0']")
            assert await shown.get_attribute("open") is not None  # awaiting the team's review
            assert "De derde training schuift naar september." in await shown.text_content()
            href = await shown.locator("a", has_text="aanwezigheidslijst.pdf").get_attribute(
                "href")
            assert (await (await staff.request.get(f"{url}{href}")).body()).startswith(b"%PDF")
            review = "form[data-action=review_report]"
            await staff.click(f"{review} button")  # nothing chosen: the browser asks first
            assert await staff.locator(f"{review} input[name=accepted]:invalid").count() == 2
            await staff.check(f"{review} input[name=accepted][value=yes]")
            await staff.click(f"{review} button")
            await staff.wait_for_url(f"{url}/grants/{reference}?done=review_report")
            assert (await grants.status(client, reference)).reports[0].accepted

            # the rest of the grant's life, quickly, to the knowledge centre
            final = (await grants.status(client, reference)).reports[-1].index
            await grants.act(client, reference, "submit_report", ReportSubmission(
                actor=grantee, report_index=final, summary="Omstanders grepen vaker in.",
                lessons="Start bij de studieverenigingen."))
            await grants.act(client, reference, "review_report", ReportReview(
                actor=team, report_index=final, accepted=True))
            await stage_is(client, reference, Stage.SETTLEMENT)
            await grants.act(client, reference, "settle", SettlementInput(
                actor=team, final_cents=86_000_00, reason="Volledig uitgevoerd."))
            await stage_is(client, reference, Stage.ARCHIVED)

            async def archived():
                await page.goto(f"{url}/knowledge?q=omstandersinterventie")
                return await page.locator(f"[data-knowledge='{reference}']").count() == 1
            await eventually(archived)
            await page.click(f"[data-knowledge='{reference}'] a")
            assert "Start bij de studieverenigingen." in await page.text_content("main")
            download = page.locator("a", has_text="aanwezigheidslijst.pdf")
            href = await download.get_attribute("href")
            document = await page.request.get(f"{url}{href}")
            assert document.status == 200 and (await document.body()).startswith(b"%PDF")
