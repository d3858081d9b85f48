"""Sign-in through the institution's single sign-on (OpenID Connect, as SURFconext offers it),
switched on by a setting: a grantee is signed in, a team member still confirms a TOTP code, an
address without an account and a tampered answer are refused, and nothing is created."""

from __future__ import annotations

import contextlib
import time
from urllib.parse import parse_qs, urlparse

import httpx
from sqlmodel import func, select

from api.app import create_app
from api.auth import CSRF_COOKIE, SESSION_COOKIE
from regie import totp
from regie.db import session_factory
from regie.records import AuditEntry, Person
from regie.settings import Settings
from tests import factories, scenario
from tests.conftest import serving, web_client
from tests.oidc_provider import Provider


async def _sign_on(web: httpx.AsyncClient, provider_http: httpx.AsyncClient) -> httpx.Response:
    """The browser's round trip: Regie → the institution → back to Regie."""
    to_provider = await web.get("/login/sso")
    assert to_provider.status_code == 303
    back = await provider_http.get(to_provider.headers["location"])
    assert back.status_code == 302
    callback = urlparse(back.headers["location"])
    return await web.get(f"{callback.path}?{callback.query}")


async def test_single_sign_on_as_a_setting(tmp_path, db_url, engine, scheme, time_env):
    provider = Provider("regie", "s3cret")
    async with serving(provider.app) as issuer:
        provider.issuer = issuer
        settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="",
                                     oidc_issuer=issuer, oidc_client_id="regie",
                                     oidc_client_secret="s3cret", base_url="http://regie")
        app = create_app(settings, scheme, time_env.client)
        async with session_factory(engine)() as db:
            people = await scenario.cast(db)
            accounts = (await db.exec(select(func.count()).select_from(Person))).one()
        web = await web_client(app)
        async with contextlib.aclosing(web), httpx.AsyncClient() as provider_http:
            assert "Inloggen via SURFconext" in (await web.get("/login")).text

            provider.email = people.grantee.email  # a grantee: signed in
            done = await _sign_on(web, provider_http)
            assert done.status_code == 303 and done.headers["location"] == "/my"
            assert SESSION_COOKIE in web.cookies
            web.cookies.delete(SESSION_COOKIE)

            provider.email = people.team.email  # the team: the code still comes first
            ticket = await _sign_on(web, provider_http)
            assert ticket.headers["location"] == "/login/code?next=/team"
            assert SESSION_COOKIE not in web.cookies
            ok = await web.post("/login/code", data={
                "code": totp.code_at(factories.TOTP_SECRET, time.time()),
                "csrf_token": web.cookies[CSRF_COOKIE]})
            assert ok.headers["location"] == "/team"
            web.cookies.delete(SESSION_COOKIE)

            provider.email = "onbekend@uu.example"  # no account: refused, none created
            unknown = await _sign_on(web, provider_http)
            assert unknown.status_code == 400 and "Geen account" in unknown.text

            # an answer whose state was not ours (a forged callback) is refused
            provider.email = people.grantee.email
            to_provider = await web.get("/login/sso")
            back = await provider_http.get(to_provider.headers["location"])
            query = parse_qs(urlparse(back.headers["location"]).query)
            forged = await web.get(f"/login/sso/callback?code={query['code'][0]}&state=other")
            assert forged.status_code == 400 and SESSION_COOKIE not in web.cookies

    async with session_factory(engine)() as db:
        assert (await db.exec(select(func.count()).select_from(Person))).one() == accounts
        actions = [e.action for e in (await db.exec(select(AuditEntry))).all()]
    assert actions.count("sso_accepted") == 1 and "sso_unknown_account" in actions
    assert "sso_failed" in actions
