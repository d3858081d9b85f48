"""A rotated REGIE_SECRET_KEY: with the old key among REGIE_SECRET_KEY_FALLBACKS, what it signed
(a password reset mailed an hour ago, a report's prompt link, the CSRF cookie of a form open in
a browser) still works until it expires, and only the new key signs; without it (a key that
leaked) none of that opens any more."""

from __future__ import annotations

import contextlib
import re
from datetime import datetime, timedelta, timezone

import pytest

from api.app import create_app
from api.auth import CSRF_COOKIE
from regie.links import BadLink, read_report_token, report_token
from regie.settings import Settings
from tests import scenario
from tests.conftest import web_client

LINK = re.compile(r"http://regie(/login/reset/\S+)")


def test_the_current_key_and_then_the_fallbacks_verify():
    settings = Settings(secret_key="nieuw", secret_key_fallbacks=" oud , ouder,,")
    assert settings.verifying_keys == ("nieuw", "oud", "ouder")
    assert Settings(secret_key="nieuw").verifying_keys == ("nieuw",)
    token = report_token("ouder", 7, "SV2026-0001", 1, datetime.now(timezone.utc) + timedelta(
        days=60))
    assert read_report_token(settings.verifying_keys, token) == (7, "SV2026-0001", 1)
    with pytest.raises(BadLink):
        read_report_token(("nieuw", "oud"), token)


async def test_what_the_old_key_signed_opens_while_it_is_a_fallback(
        tmp_path, db_url, sessions, scheme, time_env, smtp):
    def app(**keys):
        return create_app(Settings.from_env(
            data_dir=tmp_path, database_url=db_url, smtp_host="127.0.0.1", smtp_port=smtp.port,
            base_url="http://regie", **keys), scheme, time_env.client)

    async with sessions() as db:
        grantee = (await scenario.cast(db)).grantee
    before = await web_client(app(secret_key="oud"))
    async with contextlib.aclosing(before):
        csrf = before.cookies[CSRF_COOKIE]  # the cookie of a page opened before the rotation
        await before.post("/login/forgot", data={"email": grantee.email, "csrf_token": csrf})
    link = LINK.search(smtp.messages[-1].get_content()).group(1)

    rotated, leaked = (await web_client(app(secret_key="nieuw", secret_key_fallbacks="oud")),
                       await web_client(app(secret_key="nieuw")))
    async with contextlib.aclosing(rotated), contextlib.aclosing(leaked):
        for client in (rotated, leaked):  # each browser holds the cookie of before
            client.cookies.clear()
            client.cookies.set(CSRF_COOKIE, csrf)
        opened = await rotated.get(link)
        assert opened.status_code == 200 and CSRF_COOKIE not in opened.cookies  # kept
        asked = await rotated.post("/login/forgot", data={"email": grantee.email,
                                                          "csrf_token": csrf})
        assert asked.status_code == 200  # the form open in the browser still sends
        refused = await leaked.get(link)
        assert refused.status_code == 400 and "verlopen of al gebruikt" in refused.text
        assert refused.cookies[CSRF_COOKIE] != csrf  # a fresh one, signed with the new key
        leaked.cookies.clear()  # a form opened before, sent with the cookie it came with
        leaked.cookies.set(CSRF_COOKIE, csrf)
        stale = await leaked.post("/login/forgot", data={"email": grantee.email,
                                                         "csrf_token": csrf})
        assert stale.status_code == 403 and "CSRF" in stale.text
