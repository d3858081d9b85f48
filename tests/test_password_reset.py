"""A forgotten password is replaced through a link mailed to the account's address: the page
answers the same for any address, the link works once and for an hour, the new password ends
every session of the old one, and the programme team still confirms with its code."""

from __future__ import annotations

import contextlib
import re

from sqlmodel import select

from api.app import create_app
from api.auth import CSRF_COOKIE, SESSION_COOKIE
from regie.records import AuditEntry, OutboxMail
from regie.settings import Settings
from tests import factories, scenario
from tests.conftest import free_port, web_client

NEW_PASSWORD = "een heel nieuw wachtwoord"
LINK = re.compile(r"http://regie(/login/reset/\S+)")


async def test_a_grantee_chooses_a_new_password_through_the_mailed_link(
        tmp_path, db_url, sessions, scheme, time_env, smtp):
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="127.0.0.1",
                                 smtp_port=smtp.port, base_url="http://regie")
    app = create_app(settings, scheme, time_env.client)
    async with sessions() as db:
        people = await scenario.cast(db)
    grantee, team = people.grantee, people.team
    signed_in, asking = await web_client(app), await web_client(app)
    async with contextlib.aclosing(signed_in), contextlib.aclosing(asking):
        await signed_in.post("/login", data={"email": grantee.email, "password": factories.PASSWORD,
                                             "csrf_token": signed_in.cookies[CSRF_COOKIE]})
        assert (await signed_in.get("/my")).status_code == 200
        csrf = asking.cookies[CSRF_COOKIE]
        assert 'href="/login/forgot"' in (await asking.get("/login")).text

        unknown = await asking.post("/login/forgot", data={"email": "niemand@nergens.example",
                                                           "csrf_token": csrf})
        known = await asking.post("/login/forgot", data={"email": grantee.email.upper(),
                                                         "csrf_token": csrf})
        assert unknown.status_code == known.status_code == 200
        assert "Als dit adres een account heeft" in unknown.text
        assert known.text == unknown.text  # the page tells no one which addresses have one
        [mail] = smtp.messages
        assert mail["To"] == grantee.email and "een uur geldig" in mail.get_content()
        link = LINK.search(mail.get_content()).group(1)

        assert (await asking.get(link)).status_code == 200
        short = await asking.post(link, data={"password": "kort", "csrf_token": csrf})
        assert short.status_code == 422 and "Minstens 12 tekens" in short.text
        tampered = await asking.get(link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB"))
        assert tampered.status_code == 400
        done = await asking.post(link, data={"password": NEW_PASSWORD, "csrf_token": csrf})
        assert done.status_code == 303 and done.headers["location"] == "/login?reset=done"
        assert "Uw wachtwoord is gewijzigd" in (await asking.get("/login?reset=done")).text

        again = await asking.get(link)
        assert again.status_code == 400 and "verlopen of al gebruikt" in again.text
        assert (await signed_in.get("/my")).status_code in (303, 307)  # its session has ended
        old = await asking.post("/login", data={"email": grantee.email,
                                                "password": factories.PASSWORD,
                                                "csrf_token": csrf})
        assert old.status_code == 400
        new = await asking.post("/login", data={"email": grantee.email, "password": NEW_PASSWORD,
                                                "csrf_token": csrf})
        assert new.headers["location"] == "/my" and SESSION_COOKIE in asking.cookies
        await asking.post("/logout", data={"csrf_token": csrf})

        # the programme team's new password is a first step only: the code still follows
        await asking.post("/login/forgot", data={"email": team.email, "csrf_token": csrf})
        link = LINK.search(smtp.messages[-1].get_content()).group(1)
        await asking.post(link, data={"password": NEW_PASSWORD, "csrf_token": csrf})
        step1 = await asking.post("/login", data={"email": team.email, "password": NEW_PASSWORD,
                                                  "csrf_token": csrf})
        assert step1.headers["location"] == "/login/code?next=/team"
        assert SESSION_COOKIE not in asking.cookies

    async with sessions() as db:
        logged = [(e.actor, e.action) for e in (await db.exec(
            select(AuditEntry).order_by(AuditEntry.id))).all()]
    assert [entry for entry in logged if entry[1].startswith("password_reset")] == [
        (grantee.name, "password_reset_asked"), (grantee.name, "password_reset"),
        (team.name, "password_reset_asked"), (team.name, "password_reset")]
    assert not any("niemand" in actor for actor, _ in logged)


async def test_the_page_answers_alike_while_the_mail_relay_is_down(tmp_path, db_url, sessions,
                                                                    scheme, time_env):
    """The link is looked up and mailed after the page is sent, so an account's address gets
    neither a later answer nor an error page when its mail cannot go."""
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="127.0.0.1",
                                 smtp_port=free_port(), base_url="http://regie")  # no one there
    app = create_app(settings, scheme, time_env.client)
    async with sessions() as db:
        grantee = (await scenario.cast(db)).grantee
    client = await web_client(app)
    async with contextlib.aclosing(client):
        csrf = client.cookies[CSRF_COOKIE]
        unknown = await client.post("/login/forgot", data={"email": "niemand@nergens.example",
                                                           "csrf_token": csrf})
        known = await client.post("/login/forgot", data={"email": grantee.email,
                                                         "csrf_token": csrf})
    assert unknown.status_code == known.status_code == 200 and known.text == unknown.text
    async with sessions() as db:
        [mail] = (await db.exec(select(OutboxMail))).all()
        asked = (await db.exec(select(AuditEntry).where(
            AuditEntry.action == "password_reset_asked"))).all()
    assert mail.recipients == [grantee.email] and mail.status == "pending"  # kept, not sent
    assert [entry.actor for entry in asked] == [grantee.name]
