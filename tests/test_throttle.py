"""Signing in is throttled in the database, so every web app replica counts the same attempts:
ten wrong passwords for an address close it for a quarter of an hour (the right password too),
five wrong codes close a person's second step, and a person gets at most three reset mails an
hour. A success starts the count again; attempts older than the window do not count."""

from __future__ import annotations

import contextlib
import time
from datetime import timedelta

from sqlmodel import select

from api.app import create_app
from api.auth import CSRF_COOKIE, SESSION_COOKIE
from regie import throttle, totp
from regie.records import AuditEntry, OutboxMail, SignInAttempt, utcnow
from regie.settings import Settings
from tests import factories, scenario
from tests.conftest import web_client


async def test_wrong_passwords_and_codes_close_their_step_on_every_replica(
        tmp_path, db_url, sessions, scheme, time_env):
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="")
    replica_1 = await web_client(create_app(settings, scheme, time_env.client))
    replica_2 = await web_client(create_app(settings, scheme, time_env.client))
    async with sessions() as db:
        people = await scenario.cast(db)
    grantee, team = people.grantee, people.team
    async with contextlib.aclosing(replica_1), contextlib.aclosing(replica_2):
        csrf = replica_1.cookies[CSRF_COOKIE]
        replica_2.cookies.set(CSRF_COOKIE, csrf)

        def attempt(client, email, password):
            return client.post("/login", data={"email": email, "password": password,
                                               "csrf_token": csrf})

        for i in range(throttle.PASSWORD.attempts - 1):  # spread over both replicas
            wrong = await attempt((replica_1, replica_2)[i % 2], grantee.email, f"fout {i}")
            assert wrong.status_code == 400
        right = await attempt(replica_1, grantee.email.upper(), factories.PASSWORD)
        assert right.status_code == 303  # a success starts the count again
        await replica_1.post("/logout", data={"csrf_token": csrf})
        for i in range(throttle.PASSWORD.attempts):
            await attempt((replica_1, replica_2)[i % 2], grantee.email, f"fout {i}")
        closed = await attempt(replica_2, grantee.email, factories.PASSWORD)
        assert closed.status_code == 429 and "Te veel mislukte pogingen" in closed.text
        assert SESSION_COOKIE not in replica_2.cookies
        other = await attempt(replica_2, people.assessor.email, factories.PASSWORD)
        assert other.status_code == 303  # another address is not closed

        step1 = await attempt(replica_1, team.email, factories.PASSWORD)
        assert step1.headers["location"] == "/login/code?next=/team"
        for i in range(throttle.CODE.attempts):
            wrong = await replica_1.post("/login/code", data={"code": "000000",
                                                              "csrf_token": csrf})
            assert wrong.status_code == 400
        code = totp.code_at(factories.TOTP_SECRET, time.time())
        closed = await replica_1.post("/login/code", data={"code": code, "csrf_token": csrf})
        assert closed.status_code == 429 and "Te veel mislukte pogingen" in closed.text
        assert (await replica_1.get("/team")).status_code in (303, 307)

    async with sessions() as db:
        actions = [(e.actor, e.action) for e in (await db.exec(select(AuditEntry))).all()]
        # the window passes: attempts older than it do not count
        for row in (await db.exec(select(SignInAttempt))).all():
            row.at = utcnow() - throttle.PASSWORD.window - timedelta(seconds=1)
            db.add(row)
        await db.commit()
        assert not await throttle.closed(db, throttle.PASSWORD, grantee.email)
        assert not await throttle.closed(db, throttle.CODE, team.id)
    assert (grantee.email, "sign_in_throttled") in actions
    assert (team.name, "second_factor_throttled") in actions


async def test_a_person_gets_three_reset_mails_an_hour(tmp_path, db_url, sessions, scheme,
                                                       time_env):
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="")
    client = await web_client(create_app(settings, scheme, time_env.client))
    async with sessions() as db:
        people = await scenario.cast(db)
    async with contextlib.aclosing(client):
        pages = []
        for _ in range(throttle.RESET.attempts + 2):
            page = await client.post("/login/forgot", data={
                "email": people.grantee.email, "csrf_token": client.cookies[CSRF_COOKIE]})
            pages.append(page.text)
    assert len(set(pages)) == 1  # the same answer, mailed or not
    async with sessions() as db:
        mails = (await db.exec(select(OutboxMail).where(
            OutboxMail.key.startswith("password-reset/")))).all()
    assert len(mails) == throttle.RESET.attempts
