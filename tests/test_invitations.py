"""Accounts come by invitation: an operator's `regie invite` gives a new installation its first
programme-team account (and auditors), the team invites assessors, a grantee invites colleagues.
The programme team and auditors enrol their second factor before any session opens."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from sqlmodel import select

from api.app import create_app
from api.auth import CSRF_COOKIE, SESSION_COOKIE
from domain.lifecycle import Role
from regie import totp
from regie.records import AuditEntry, Invitation, OutboxMail, Person
from regie.settings import Settings
from tests import factories, scenario
from tests.conftest import web_client

REGIE = str(Path(sys.executable).parent / "regie")
LINK = re.compile(r"http://regie/invitations/(\S+)")


def _invite(tmp_path, db_url, smtp, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "REGIE_DATA_DIR": str(tmp_path), "REGIE_DATABASE_URL": db_url,
           "REGIE_BASE_URL": "http://regie", "REGIE_SMTP_HOST": "127.0.0.1",
           "REGIE_SMTP_PORT": str(smtp.port)}
    return subprocess.run([REGIE, "invite", *args], env=env, capture_output=True, text=True,
                          timeout=60)


async def test_an_operator_invites_the_first_team_member_of_an_empty_installation(
        tmp_path, db_url, sessions, scheme, time_env, smtp):
    done = _invite(tmp_path, db_url, smtp, "Eerste@Regiegroep.example", "--name", "Eva Eerste")
    assert done.returncode == 0, done.stderr
    token = LINK.search(done.stdout).group(1)
    assert "eerste@regiegroep.example" in done.stdout and "7 dagen geldig" in done.stdout
    [mail] = smtp.messages
    body = mail.get_content()
    assert mail["To"] == "eerste@regiegroep.example"
    assert f"http://regie/invitations/{token}" in body
    assert "De beheerder van Regie" in body and "het programmateam" in body
    assert "authenticator-app" in body and "subsidieaanvragen" not in body

    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="")
    client = await web_client(create_app(settings, scheme, time_env.client))
    async with contextlib.aclosing(client):
        csrf = client.cookies[CSRF_COOKIE]
        form = await client.get(f"/invitations/{token}")
        assert form.status_code == 200 and "Eva Eerste" in form.text
        short = await client.post(f"/invitations/{token}", data={
            "name": "Eva Eerste", "password": "kort", "csrf_token": csrf})
        assert short.status_code == 422 and "Minstens" in short.text
        accepted = await client.post(f"/invitations/{token}", data={
            "name": "Eva Eerste", "password": factories.PASSWORD, "csrf_token": csrf})
        assert accepted.status_code == 303
        assert accepted.headers["location"] == "/login/code?next=/team"
        assert SESSION_COOKIE not in client.cookies  # the team's account needs its code first
        enrol = await client.get("/login/code?next=/team")
        secret = enrol.text.split("data-totp-secret>")[1].split("<")[0]
        signed_in = await client.post("/login/code", data={
            "code": totp.code_at(secret, time.time()), "next": "/team", "csrf_token": csrf})
        assert signed_in.headers["location"] == "/team"
        assert (await client.get("/team")).status_code == 200
        assert (await client.get(f"/invitations/{token}")).status_code == 404  # used once

    again = _invite(tmp_path, db_url, smtp, "eerste@regiegroep.example")
    assert again.returncode == 1 and "heeft al een account" in again.stderr
    wrong = _invite(tmp_path, db_url, smtp, "geen-adres", "--role", "auditor")
    assert wrong.returncode == 1 and "Geen geldig e-mailadres" in wrong.stderr
    async with sessions() as db:
        person = (await db.exec(select(Person).where(
            Person.email == "eerste@regiegroep.example"))).one()
        assert person.role == Role.PROGRAMME_TEAM.value and person.totp_enabled
        invitation = (await db.exec(select(Invitation))).one()
        assert invitation.invited_by is None and invitation.accepted_at is not None
        logged = [(e.actor, e.role, e.action, e.subject) for e in (await db.exec(
            select(AuditEntry).order_by(AuditEntry.id))).all()]
    assert logged[0] == ("De beheerder van Regie / Regie's administrator", "operator",
                         "invited", "programme_team")
    assert ("Eva Eerste", "programme_team", "invitation_accepted", "/invitations") in logged
    assert not any(token in str(entry) for entry in logged)


async def test_the_team_invites_an_assessor_and_a_grantee_a_colleague(
        tmp_path, db_url, sessions, scheme, time_env):
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="",
                                 base_url="http://regie")
    async with sessions() as db:
        people = await scenario.cast(db)
    client = await web_client(create_app(settings, scheme, time_env.client))
    async with contextlib.aclosing(client):
        csrf = client.cookies[CSRF_COOKIE]
        await client.post("/login", data={"email": people.grantee.email,
                                          "password": factories.PASSWORD, "csrf_token": csrf})
        sent = await client.post("/organisation/invitations", data={
            "email": "Collega@Hogeschool.example", "csrf_token": csrf})
        assert sent.status_code == 303
        bad = await client.post("/organisation/invitations", data={
            "email": "collega", "csrf_token": csrf})
        assert bad.status_code == 422 and "Geen geldig e-mailadres" in bad.text
        await client.post("/logout", data={"csrf_token": csrf})

        await client.post("/login", data={"email": people.team.email,
                                          "password": factories.PASSWORD, "csrf_token": csrf})
        await client.post("/login/code", data={
            "code": totp.code_at(factories.TOTP_SECRET, time.time()), "csrf_token": csrf})
        sent = await client.post("/assessors", data={
            "name": "Bram Beoordelaar", "email": "bram@panel.example", "csrf_token": csrf})
        assert sent.status_code == 303
        await client.post("/logout", data={"csrf_token": csrf})

        async with sessions() as db:
            mails = {m.recipients[0]: m for m in (await db.exec(select(OutboxMail).where(
                OutboxMail.key.startswith("invitation/")))).all()}
        colleague, assessor = mails["collega@hogeschool.example"], mails["bram@panel.example"]
        assert "subsidieaanvragen te doen" in colleague.body
        assert "u beoordeelt aanvragen" in assessor.body and "subsidieaanvragen" not in \
            assessor.body
        for mail, home in ((colleague, "/applications"), (assessor, "/assessor")):
            token = LINK.search(mail.body).group(1)
            accepted = await client.post(f"/invitations/{token}", data={
                "name": "Nieuw Account", "password": factories.PASSWORD, "csrf_token": csrf})
            assert accepted.headers["location"] == home and SESSION_COOKIE in client.cookies
            await client.post("/logout", data={"csrf_token": csrf})
    async with sessions() as db:
        roles = {p.email: (p.role, p.organisation_id) for p in (await db.exec(select(Person).where(
            Person.name == "Nieuw Account"))).all()}
    assert roles == {"collega@hogeschool.example": ("grantee", people.grantee.organisation_id),
                     "bram@panel.example": ("assessor", None)}

