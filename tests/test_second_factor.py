"""The programme team and auditors sign in with a second factor (TOTP, RFC 6238): enrolment at
the first sign-in, a code used once, a wrong code refused and logged, a ticket that cannot be
forged; grantees and assessors sign in with their password alone; an operator lets one who lost
their app enrol a new one."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlmodel import select

from api.app import create_app
from api.auth import CSRF_COOKIE, SESSION_COOKIE
from api.signin import TICKET_COOKIE
from domain.lifecycle import Role
from regie import totp
from regie.db import session_factory
from regie.records import AuditEntry, Person
from regie.settings import Settings
from tests import factories, scenario
from tests.conftest import web_client

REGIE = str(Path(sys.executable).parent / "regie")
RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # "12345678901234567890", RFC 6238 appendix B


@pytest.mark.parametrize("unix_time, code", [
    (59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"),
    (1234567890, "89005924"), (2000000000, "69279037"), (20000000000, "65353130")])
def test_codes_match_the_rfc_test_vectors(unix_time, code):
    assert totp.code_for_step(RFC_SECRET, totp.step_at(unix_time), digits=8) == code


def test_a_code_is_accepted_once_within_one_step_of_drift():
    now = 1_800_000_000
    code = totp.code_at(RFC_SECRET, now)
    step = totp.matching_step(RFC_SECRET, code, now + 30)  # a slow phone: one step behind
    assert step == totp.step_at(now)
    assert totp.matching_step(RFC_SECRET, code, now, after_step=step) is None  # used already
    assert totp.matching_step(RFC_SECRET, code, now + 90) is None  # too old
    assert totp.matching_step(RFC_SECRET, "12345", now) is None


async def test_the_team_enrols_then_signs_in_with_a_code(tmp_path, db_url, engine, scheme,
                                                        time_env):
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="")
    app = create_app(settings, scheme, time_env.client)
    sessions = session_factory(engine)
    async with sessions() as db:
        people = await scenario.cast(db)
        newcomer = await factories.person(db, Role.AUDITOR, "nieuw@auditdienst.example")
        newcomer.totp_secret, newcomer.totp_enabled = "", False  # never signed in yet
        db.add(newcomer)
        await db.commit()
    client = await web_client(app)
    async with contextlib.aclosing(client):
        csrf = client.cookies[CSRF_COOKIE]
        step1 = await client.post("/login", data={
            "email": newcomer.email, "password": factories.PASSWORD, "csrf_token": csrf})
        assert step1.status_code == 303 and step1.headers["location"] == "/login/code?next=/team"
        assert SESSION_COOKIE not in client.cookies  # the password alone opens no session
        assert (await client.get("/team")).status_code in (303, 307)
        enrol = await client.get("/login/code?next=/team")
        secret = enrol.text.split("data-totp-secret>")[1].split("<")[0]
        assert f"otpauth://totp/Regie:{newcomer.email.replace('@', '%40')}" in enrol.text

        wrong = await client.post("/login/code", data={"code": "000000", "next": "/team",
                                                       "csrf_token": csrf})
        assert wrong.status_code == 400 and "klopt niet" in wrong.text
        code = totp.code_at(secret, time.time())
        ok = await client.post("/login/code", data={"code": code, "next": "/team",
                                                    "csrf_token": csrf})
        assert ok.status_code == 303 and ok.headers["location"] == "/team"
        assert (await client.get("/team")).status_code == 200

        # signed out, the same code cannot be used again; a forged ticket is no ticket
        await client.post("/logout", data={"csrf_token": csrf})
        await client.post("/login", data={"email": newcomer.email,
                                          "password": factories.PASSWORD, "csrf_token": csrf})
        again = await client.post("/login/code", data={"code": code, "csrf_token": csrf})
        assert again.status_code == 400
        payload, mac = client.cookies[TICKET_COOKIE].split(".")
        data = json.loads(base64.urlsafe_b64decode(payload))
        data["v"] = people.team.id  # someone else's ticket, under the newcomer's signature
        forged_payload = base64.urlsafe_b64encode(json.dumps(data).encode()).decode()
        client.cookies.set(TICKET_COOKIE, f"{forged_payload}.{mac}")
        forged = await client.post("/login/code", data={
            "code": totp.code_at(factories.TOTP_SECRET, time.time()), "csrf_token": csrf})
        assert forged.status_code == 400 and "verlopen" in forged.text
        assert SESSION_COOKIE not in client.cookies

        # a grantee signs in with the password alone
        grantee = await client.post("/login", data={
            "email": people.grantee.email, "password": factories.PASSWORD, "csrf_token": csrf})
        assert grantee.headers["location"] == "/my" and SESSION_COOKIE in client.cookies

    async with sessions() as db:
        person = await db.get(Person, newcomer.id)
        assert person.totp_enabled and person.totp_secret == secret
        logged = [(e.actor, e.action) for e in (await db.exec(
            select(AuditEntry).order_by(AuditEntry.id))).all()]
    name = newcomer.name
    assert logged[:4] == [(name, "password_accepted"), (name, "second_factor_failed"),
                          (name, "signed_in"), (name, "password_accepted")]
    assert (name, "second_factor_failed") in logged[4:]


async def test_signing_in_comes_back_to_the_page_asked_with_its_query(tmp_path, db_url,
                                                                    engine, scheme, time_env):
    """A page with a query (a stage of the overview in one round), asked signed out, is where
    the password and the code lead."""
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="")
    app = create_app(settings, scheme, time_env.client)
    async with session_factory(engine)() as db:
        people = await scenario.cast(db)
    client = await web_client(app)
    async with contextlib.aclosing(client):
        csrf = client.cookies[CSRF_COOKIE]
        asked = "/team?stage=assessment&round=2026"
        signed_out = await client.get(asked)
        assert signed_out.headers["location"] == \
            "/login?next=/team%3Fstage%3Dassessment%26round%3D2026"
        form = await client.get(signed_out.headers["location"])
        assert f'<input type="hidden" name="next" value="{asked.replace("&", "&amp;")}">' \
            in form.text
        password = await client.post("/login", data={
            "email": people.team.email, "password": factories.PASSWORD, "next": asked,
            "csrf_token": csrf})
        assert password.headers["location"] == \
            "/login/code?next=/team%3Fstage%3Dassessment%26round%3D2026"
        code = await client.post("/login/code", data={
            "code": totp.code_at(factories.TOTP_SECRET, time.time()), "next": asked,
            "csrf_token": csrf})
        assert code.status_code == 303 and code.headers["location"] == asked


async def test_an_operator_lets_one_who_lost_their_app_enrol_a_new_one(tmp_path, db_url, engine,
                                                                     scheme, time_env):
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="")
    app = create_app(settings, scheme, time_env.client)
    async with session_factory(engine)() as db:
        people = await scenario.cast(db)
    team = people.team
    client = await web_client(app)
    async with contextlib.aclosing(client):
        csrf = client.cookies[CSRF_COOKIE]
        await client.post("/login", data={"email": team.email, "password": factories.PASSWORD,
                                          "csrf_token": csrf})
        await client.post("/login/code", data={
            "code": totp.code_at(factories.TOTP_SECRET, time.time()), "csrf_token": csrf})
        assert (await client.get("/team")).status_code == 200

        env = {**os.environ, "REGIE_DATA_DIR": str(tmp_path), "REGIE_DATABASE_URL": db_url}
        done = subprocess.run([REGIE, "reset-second-factor", team.email.upper()], env=env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert (await client.get("/team")).status_code in (303, 307)  # its session has ended
        await client.post("/login", data={"email": team.email, "password": factories.PASSWORD,
                                          "csrf_token": csrf})
        enrol = await client.get("/login/code?next=/team")
        secret = enrol.text.split("data-totp-secret>")[1].split("<")[0]
        assert secret != factories.TOTP_SECRET  # a new app, not the lost one
        ok = await client.post("/login/code", data={
            "code": totp.code_at(secret, time.time()), "next": "/team", "csrf_token": csrf})
        assert ok.headers["location"] == "/team"

    again = subprocess.run([REGIE, "reset-second-factor", people.grantee.email], env=env,
                           capture_output=True, text=True, timeout=60)
    assert again.returncode == 1 and "no account with a second factor" in again.stderr
    async with session_factory(engine)() as db:
        entry = (await db.exec(select(AuditEntry).where(
            AuditEntry.action == "second_factor_reset"))).one()
    assert (entry.role, entry.subject, entry.detail) == ("operator", "programme_team",
                                                         {"email": team.email})
