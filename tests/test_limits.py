"""The largest request Regie takes (api.limits): one larger is refused with the reason, in a
page for a person and in JSON for the API, whether it says its size or not, and what was saved
before stays as it was; in Chromium, a file too large for it shows that page."""

from __future__ import annotations

import contextlib

from api.app import create_app
from api.auth import CSRF_COOKIE, CSRF_HEADER
from domain.types import Role
from regie.records import Organisation
from tests import factories
from tests.conftest import serving, sign_in, web_client_as
from tests.factories import PASSWORD

MB = 1024 * 1024
REFUSED = ("Wat u verstuurde is groter dan 1 MB en is niet verwerkt; wat eerder is opgeslagen, "
           "blijft bewaard.")


async def test_a_request_over_the_limit_is_refused_and_what_was_saved_stays(
        time_env, settings, sessions, scheme, browser, tmp_path):
    settings = settings.model_copy(update={"max_request_mb": 1})
    portal = create_app(settings, scheme, time_env.client)
    async with sessions() as db:
        org = await factories.organisation(db, "Hogeschool Utrecht", "hbo")
        member = await factories.person(db, Role.GRANTEE, "hu@example.nl", org)
        web = await web_client_as(portal, member, db)
    async with contextlib.aclosing(web):
        csrf = web.cookies[CSRF_COOKIE]
        added = await web.post("/organisation/evidence", data={"csrf_token": csrf}, files={
            "evidence": ("jaarrekeningen.pdf", b"%PDF-1.4 " + b"x" * (MB - 1024),
                         "application/pdf")})  # under the limit, form and all
        assert added.status_code == 303
        async with sessions() as db:
            kept = (await db.get(Organisation, org.id)).funding_evidence
        assert kept

        # a form that says it is larger: refused before it is read, in the person's words
        large = await web.post("/organisation/evidence", data={"csrf_token": csrf}, files={
            "evidence": ("scan.pdf", b"%PDF-1.4 " + b"x" * MB, "application/pdf")})
        assert large.status_code == 413
        assert REFUSED in large.text and "Add large files one at a time." in large.text
        assert 'href="/organisation"' in large.text  # under the grantee's own menu

        # one that does not say (sent in chunks): refused once it grows past the limit
        async def chunks():
            yield (b'--grens\r\nContent-Disposition: form-data; name="evidence"; '
                   b'filename="scan.pdf"\r\nContent-Type: application/pdf\r\n\r\n')
            for _ in range(3):
                yield b"x" * (MB // 2)

        chunked = await web.post("/organisation/evidence", content=chunks(), headers={
            "content-type": "multipart/form-data; boundary=grens", CSRF_HEADER: csrf})
        assert chunked.status_code == 413 and REFUSED in chunked.text

        # the JSON API answers in JSON
        api = await web.post("/api/applications", content=b"{" + b" " * (2 * MB) + b"}",
                             headers={"content-type": "application/json", CSRF_HEADER: csrf})
        assert api.status_code == 413 and api.json()["detail"].startswith(REFUSED)

        async with sessions() as db:  # the evidence saved before is the organisation's still
            assert (await db.get(Organisation, org.id)).funding_evidence == kept

    # what a person sees in Chromium, who chose a file too large and pressed the button
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4 " + b"x" * 2 * MB)
    async with serving(portal) as url:
        page = await browser.new_page()
        await sign_in(page, url, "hu@example.nl", PASSWORD)
        await page.goto(f"{url}/organisation")
        await page.set_input_files("#evidence", str(scan))
        await page.click("form[action='/organisation/evidence'] button[type=submit]")
        await page.wait_for_load_state()
        assert REFUSED in await page.inner_text("main")
    async with sessions() as db:
        assert (await db.get(Organisation, org.id)).funding_evidence == kept
