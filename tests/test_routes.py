"""Every route, called as every role, answers as its declaration says: on SQLite and PostgreSQL."""

from __future__ import annotations

import codecs
import contextlib
import csv
import gc
import hashlib
import io
import json
import re
import uuid
import warnings
from datetime import datetime, timedelta, timezone

import structlog.testing
from markupsafe import escape

from api import csp
from api.app import DOCS_CSP, HSTS, ROUTERS, SECURITY_HEADERS, create_app
from api.auth import CSRF_COOKIE, declared_roles, permitted
from api.views import KEEP
from domain.lifecycle import Role
from regie.db import session_factory
from regie.programme import ensure_programme
from regie.settings import Settings
from regie.worker import build_worker
from sqlmodel import select

from regie import ROOT, audit
from regie.records import Application, AuditEntry, Organisation, OutboxMail, ReportRecord
from tests import factories, scenario
from tests.conftest import web_client_as

ROLES = [Role.PUBLIC, Role.PROGRAMME_TEAM, Role.ASSESSOR, Role.GRANTEE, Role.AUDITOR]


def all_routes():
    for router in ROUTERS:
        for route in router.routes:
            for method in sorted(route.methods - {"HEAD"}):
                yield method, route


def test_every_route_declares_who_may_use_it():
    undeclared = [r.path for _, r in all_routes() if declared_roles(r) is None]
    assert undeclared == []


def _fill(path: str, reference: str, draft_id: int, organisation_id: int) -> str:
    return (path.replace("{reference}", reference).replace("{action}", "move_deadline")
            .replace("{organisation_id}", str(organisation_id))
            .replace("{code}", "en").replace("{application_id}", str(draft_id))
            .replace("{token}", "no-such-invitation").replace("{round_id}", "2027")
            .replace("{letter_id}", "1").replace("{index}", "0")
            .replace("{attachment_id}", "1").replace("{year:int}", "2026")
            .replace("{kind}", "xlsx"))


async def test_every_route_as_every_role(any_db, time_env, tmp_path, scheme):
    url, engine = any_db
    settings = Settings.from_env(data_dir=tmp_path, database_url=url, smtp_host="",
                                 task_queue=f"routes-{uuid.uuid4().hex[:8]}")
    sessions = session_factory(engine)
    app = create_app(settings, scheme, time_env.client)
    async with sessions() as db:
        people = await scenario.cast(db)
        await ensure_programme(db, time_env.client, scheme, settings.task_queue)
    async with build_worker(time_env.client, settings, sessions, scheme):
        async with sessions() as db:
            reference = await scenario.grant_in_assessment(db, time_env.client, scheme,
                                                           settings.task_queue, people)
            grantee_org = await db.get(Organisation, people.grantee.organisation_id)
            draft_id = (await factories.application(db, grantee_org, scheme)).id
        answers = []
        for role in ROLES:
            async with sessions() as db:
                client = await web_client_as(app, people.by_role()[role], db)
            async with contextlib.aclosing(client):
                token = client.cookies[CSRF_COOKIE]
                # sign-out last: it ends the session the other calls use
                for method, route in sorted(all_routes(), key=lambda mr: mr[1].path == "/logout"):
                    path = _fill(route.path, reference, draft_id, people.grantee.organisation_id)
                    if method == "GET":
                        response = await client.get(path)
                    elif path.startswith("/api/"):
                        response = await client.request(method, path, json={},
                                                        headers={"x-csrf-token": token})
                    else:
                        response = await client.post(path, data={"csrf_token": token})
                    answers.append((role, method, path, response.status_code,
                                    response.headers.get("location", "")))
                    allowed = permitted(declared_roles(route), role, method)
                    where = f"{method} {path} as {role}: {response.status_code}"
                    assert response.status_code < 500, where
                    assert all(response.headers.get(name) == value
                               for name, value in SECURITY_HEADERS.items()), where
                    if allowed:
                        assert response.status_code not in (401, 403), where
                    elif role == Role.PUBLIC and (path.startswith("/api/")
                                                  or path.endswith("/autosave")):
                        assert response.status_code == 401, where  # said, not redirected
                    elif role == Role.PUBLIC:
                        assert response.status_code == 303, where
                        assert response.headers["location"].startswith("/login"), where
                    else:
                        assert response.status_code == 403, where
    # auditors read everything and change nothing: every write is refused, and logged
    writes = [(m, p, status) for r, m, p, status, _ in answers  # a CSP report is no write
              if r == Role.AUDITOR and m != "GET" and p not in ("/logout", csp.PATH)]
    assert writes and all(status == 403 for _, _, status in writes), writes
    async with sessions() as db:
        refused = (await db.exec(select(AuditEntry).where(
            AuditEntry.role == "auditor", AuditEntry.action == "refused"))).all()
        assert {p for _, p, _ in writes} <= {e.subject for e in refused}  # reads too
        assert await audit.verify(db) == []
    # the role-specific reads really were served, not only "not refused"
    served = {(r, p): s for r, m, p, s, _ in answers if m == "GET"}
    assert served[(Role.ASSESSOR, f"/grants/{reference}")] == 200
    assert served[(Role.GRANTEE, f"/grants/{reference}")] == 200
    assert served[(Role.AUDITOR, f"/audit/grants/{reference}")] == 200
    assert served[(Role.PROGRAMME_TEAM, "/team")] == 200
    assert served[(Role.GRANTEE, f"/applications/{draft_id}")] == 200
    assert served[(Role.GRANTEE, f"/api/applications/{draft_id}")] == 200


async def test_grant_pages_are_only_for_those_involved(time_env, tmp_path, db_url, engine,
                                                       scheme):
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="",
                                 task_queue=f"routes-{uuid.uuid4().hex[:8]}")
    sessions = session_factory(engine)
    app = create_app(settings, scheme, time_env.client)
    async with sessions() as db:
        people = await scenario.cast(db)
    async with build_worker(time_env.client, settings, sessions, scheme):
        async with sessions() as db:
            reference = await scenario.grant_in_assessment(db, time_env.client, scheme,
                                                           settings.task_queue, people)
            outsider = await web_client_as(app, people.outsider, db)
        async with contextlib.aclosing(outsider):
            assert (await outsider.get(f"/grants/{reference}")).status_code == 403
            assert (await outsider.get(f"/api/grants/{reference}")).status_code == 403


async def test_a_write_without_csrf_token_is_refused(time_env, tmp_path, db_url, engine, scheme):
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="")
    app = create_app(settings, scheme, time_env.client)
    async with session_factory(engine)() as db:
        people = await scenario.cast(db)
        client = await web_client_as(app, people.team, db)
    async with contextlib.aclosing(client):
        response = await client.post("/api/grants/SV2026-0001/actions/award", json={})
        assert response.status_code == 403 and "CSRF" in response.json()["detail"]
        forged = await client.post("/logout", data={"csrf_token": "forged.value"})
        assert forged.status_code == 403


def test_pages_carry_no_inline_style_or_script():
    """The policy lets a page take styles and scripts from /static only: an inline one would be
    blocked in the browser (the browser tests fail on any block; this names the template)."""
    inline = re.compile(r'\sstyle=|<style|<script(?![^>]*\ssrc=)|\son[a-z]+=|javascript:')
    found = [f"{path.name}:{n}" for path in sorted((ROOT / "templates").glob("*.html"))
             for n, line in enumerate(path.read_text().splitlines(), 1) if inline.search(line)]
    assert found == []


async def test_static_files_the_api_documentation_and_https_under_their_policies(
        tmp_path, db_url, scheme, time_env):
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="")
    client = await web_client_as(create_app(settings, scheme, time_env.client), None, None)
    async with contextlib.aclosing(client):
        page = await client.get("/login")
        linked = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)
        static = ROOT / "templates" / "static"
        digests = {name: hashlib.sha256((static / name).read_bytes()).hexdigest()[:12]
                   for name in ("favicon.svg", "regie.css", "tables.js")}
        assert linked == [f"/static/{name}?v={digest}" for name, digest in digests.items()]
        assert '<link rel="icon" type="image/svg+xml" href="/static/favicon.svg' in page.text
        for path, kind in zip(linked, ("image/svg+xml", "text/css", "text/javascript")):
            response = await client.get(path)
            assert response.status_code == 200 and response.headers["content-type"].startswith(
                kind), path
            assert all(response.headers[name] == value
                       for name, value in SECURITY_HEADERS.items()), path
            assert response.headers["cache-control"] == KEEP  # kept a year: a change renames it
            for other in (path.split("?")[0], path.split("?")[0] + "?v=0ld0ld0ld0ld"):
                assert (await client.get(other)).headers["cache-control"] == "no-cache", other
        docs = await client.get("/docs")  # Swagger UI from its CDN, with a script in the page
        assert docs.status_code == 200
        assert docs.headers["content-security-policy"] == DOCS_CSP
        assert docs.headers["x-frame-options"] == "DENY"
        assert "strict-transport-security" not in page.headers  # plain HTTP, as in `make run`
    settings.secure_cookies = True  # behind HTTPS
    client = await web_client_as(create_app(settings, scheme, time_env.client), None, None)
    async with contextlib.aclosing(client):
        page = await client.get("/login")
        assert page.headers["strict-transport-security"] == HSTS


async def test_browsers_report_what_the_policy_blocked_without_token_or_secret(
        tmp_path, db_url, scheme, time_env):
    """A browser's report of what the Content-Security-Policy blocked is counted by directive
    and logged with the page's route and the blocked address's origin: not the report link's
    token, nor the path of a blocked address. (tests/test_browser.py: chromium sends one.)"""
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="")
    client = await web_client_as(create_app(settings, scheme, time_env.client), None, None)
    reports = [
        {"document-uri": "http://regie/report/geheim-token-123?x=1",
         "violated-directive": "script-src-elem", "blocked-uri": "inline"},
        {"document-uri": "http://regie/grants/SV2026-0001", "effective-directive": "img-src",
         "blocked-uri": "https://elders.example/pixel.gif?wie=jan@example.org",
         "source-file": "http://regie/static/tables.js"},
        {"document-uri": "https://elders.example/", "effective-directive": "made-up x",
         "blocked-uri": "/report/geheim-token-123"}]
    async with contextlib.aclosing(client):
        page = await client.get("/login")
        assert page.headers["content-security-policy"].endswith(f"; report-uri {csp.PATH}")
        with structlog.testing.capture_logs() as logs:
            for report in reports:
                response = await client.post(csp.PATH, content=json.dumps(
                    {"csp-report": report}), headers={"content-type": "application/csp-report"})
                assert response.status_code == 204
        assert [(e["directive"], e["page"], e["blocked"], e["source"]) for e in logs] == [
            ("script-src-elem", "/report/{token}", "inline", None),
            ("img-src", "/grants/{reference}", "https://elders.example", "http://regie"),
            ("other", None, None, None)]
        assert "geheim" not in repr(logs) and "jan@" not in repr(logs)
        figures = (await client.get("/metrics")).text
        for directive in ("script-src-elem", "img-src", "other"):
            assert f'regie_csp_violations_total{{directive="{directive}"}} 1.0' in figures
        for unreadable in (b"{niet", b"[]", b'{"csp-report": 5}'):
            assert (await client.post(csp.PATH, content=unreadable)).status_code == 400
        too_big = await client.post(csp.PATH, content=b" " * (csp.MAX_BYTES + 1))
        assert too_big.status_code == 413


async def test_failed_sign_in_keeps_the_typed_address_and_says_why(tmp_path, db_url, engine,
                                                                   scheme, time_env):
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="")
    app = create_app(settings, scheme, time_env.client)
    async with session_factory(engine)() as db:
        await scenario.cast(db)
        client = await web_client_as(app, None, db)
    async with contextlib.aclosing(client):
        token = client.cookies[CSRF_COOKIE]
        response = await client.post("/login", data={
            "email": "team@example.nl", "password": "fout", "csrf_token": token})
        assert response.status_code == 400
        assert "E-mailadres of wachtwoord onjuist" in response.text
        assert re.search(r'value="team@example.nl"', response.text)
        ok = await client.post("/login", data={
            "email": "team@example.nl", "password": "correct horse battery staple",
            "csrf_token": token})
        assert ok.status_code == 303  # the team's second step comes next
        assert ok.headers["location"] == "/login/code?next=/team"


async def test_registration_keeps_the_funding_evidence_where_the_type_needs_it(
        tmp_path, db_url, engine, scheme, time_env):
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="")
    app = create_app(settings, scheme, time_env.client)
    async with session_factory(engine)() as db:
        client = await web_client_as(app, None, db)
    fields = {"organisation": "Studentenvakbond Oost", "organisation_type": "student_org",
              "kvk_number": "12345678", "name": "Mila de Boer", "email": "mila@svo.example",
              "password": "lang genoeg wachtwoord"}
    async with contextlib.aclosing(client):
        token = client.cookies[CSRF_COOKIE]
        missing = await client.post("/register", data={**fields, "csrf_token": token})
        assert missing.status_code == 422 and "drie jaar financiering" in missing.text
        assert 'value="Studentenvakbond Oost"' in missing.text  # nothing typed is lost
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ResourceWarning)
            ok = await client.post("/register", data={**fields, "csrf_token": token},
                                   files={"evidence": ("subsidiebesluit.pdf", b"%PDF-1.4 ok",
                                                       "application/pdf")})
            gc.collect()
        assert ok.status_code == 303
        # the upload's temporary file was closed when the route answered, not left to the GC
        assert [str(w.message) for w in caught if "SpooledTemporaryFile" in str(w.message)] == []
    async with session_factory(engine)() as db:
        from sqlmodel import select
        org = (await db.exec(select(Organisation))).one()
        assert org.has_funding_evidence and org.funding_evidence.endswith(".pdf")
        assert (tmp_path / "evidence" / org.funding_evidence).read_bytes() == b"%PDF-1.4 ok"


async def test_each_round_publishes_its_call_from_the_scheme_file(
        tmp_path, db_url, engine, scheme, time_env):
    """The call of the 2027 round, for anyone, in either language: its window, money, parts
    and the aspects assessors judge them on, the ranking, terms and what an award asks; all
    from the scheme file."""
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="")
    async with session_factory(engine)() as db:
        client = await web_client_as(create_app(settings, scheme, time_env.client), None, db)
    rnd = scheme.round("2027")
    rubric = scheme.rubrics[rnd.rubric]
    async with contextlib.aclosing(client):
        page = (await client.get("/call/2027")).text
        assert "<h1>Aanvraagronde 2027: oproep tot aanvragen</h1>" in page
        assert f"Opent {rnd.opens:%d-%m-%Y %H:%M} · Sluit {rnd.closes:%d-%m-%Y %H:%M}" in page
        assert f"Vanaf {rnd.drafts_from:%d-%m-%Y %H:%M} kunt u hier" in page
        assert "Per aanvraag tussen € 5.000,00 en € 500.000,00." in page
        assert "Ambitie: ten hoogste 800 woorden" in page
        assert "<td>Projectleider</td><td>€ 115,00</td>" in page
        for section in rubric.sections:
            assert section.aspects.nl and all(a in page for a in section.aspects.nl)
        assert all(a in page for a in (*rubric.activity_aspects.nl, *rubric.budget_aspects.nl))
        assert "gemiddeld ten minste 3 scoort" in page
        assert "beslist achtereenvolgens: Verankering, Impact, Ambitie, het kleinere " \
               "gevraagde bedrag, de eerdere indiening." in page
        assert ("<li>tot € 25.000,00: een beknopt activiteitenverslag</li>\n"
                "<li>€ 25.000,00 tot € 125.000,00: een activiteitenverslag</li>\n"
                "<li>vanaf € 125.000,00: een activiteitenverslag en een financieel verslag, "
                "met accountantsverklaring</li>") in page
        assert ("<li>Een termijn loopt tot en met de laatste dag. Valt die op een zaterdag, "
                "zondag of algemeen erkende feestdag, dan loopt de termijn door tot en met de "
                "eerstvolgende werkdag.</li>") in page
        client.cookies.set("regie_lang", "en")
        english = (await client.get("/call/2027")).text
        assert "<h1>2027 round: call for applications</h1>" in english
        assert all(str(escape(a)) in english for s in rubric.sections for a in s.aspects.en)
        assert "a tie is settled by, in turn: Embedding, Impact, Ambition" in english
        assert "<td>Project lead</td><td>€ 115,00</td>" in english
        assert "<li>from € 125.000,00: an activity report and a financial report, with an " \
               "auditor&#39;s statement</li>" in english
        assert "<li>A term runs to the end of its last day. If that day is a Saturday" in english
        assert (await client.get("/call/1999")).status_code == 404


async def test_the_home_page_tells_the_public_the_rounds_and_who_may_apply(
        tmp_path, db_url, engine, scheme, time_env):
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="")
    async with session_factory(engine)() as db:
        client = await web_client_as(create_app(settings, scheme, time_env.client), None, db)
    async with contextlib.aclosing(client):
        page = (await client.get("/")).text
    rnd = scheme.round("2027")
    assert (f'<tr data-round="2027"><td><a href="/call/2027">{rnd.name_nl}</a></td>'
            f'<td>{rnd.opens:%d-%m-%Y %H:%M}</td><td>{rnd.closes:%d-%m-%Y %H:%M}</td>'
            f'<td>€ 4.000.000,00</td></tr>') in page
    assert "<li>Universiteit (wo)</li>" in page
    assert ("<li>Studentenorganisatie <span class=\"muted\">(met bewijs van ten minste drie "
            "jaar financiering)</span></li>") in page
    assert 'href="/register"' in page
    # the menu is a landmark a screen reader lists and jumps to
    assert re.search(r'<nav aria-label="Hoofdmenu">\s*<a class="brand" href="/">', page)


async def test_an_address_without_a_page_is_answered_in_the_visitors_language(
        tmp_path, db_url, engine, scheme, time_env):
    """A mistyped address or a form's address opened in the browser: a page in Dutch (or
    English), not Starlette's JSON; the JSON API keeps answering in JSON."""
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="")
    async with session_factory(engine)() as db:
        client = await web_client_as(create_app(settings, scheme, time_env.client), None, db)
    async with contextlib.aclosing(client):
        missing = await client.get("/kenniscentrum")
        form = await client.get("/logout")
        unknown_round = await client.get("/call/1999")
        client.cookies.set("regie_lang", "en")
        english = await client.get("/kenniscentrum")
        api = await client.get("/api/no-such-thing")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert "<h1>Niet gevonden</h1>" in missing.text
    assert "Deze pagina bestaat niet. Kijk het adres na" in missing.text
    assert "Not Found" not in missing.text
    assert form.status_code == 405 and form.headers["allow"] == "POST"
    assert "Dit adres verstuurt een formulier en is geen pagina om te openen." in form.text
    assert english.status_code == 404 and "<h1>Not found</h1>" in english.text
    assert "This page does not exist. Check the address" in english.text
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}
    assert unknown_round.status_code == 404  # a route's own words stay its own
    assert "Onbekende ronde / unknown round" in unknown_round.text


async def test_the_outbox_says_what_became_of_each_mail_and_is_gone_where_hidden(
        tmp_path, db_url, engine, scheme, time_env):
    """The team reads each mail's fate in their language (it showed "kept" to Dutch readers);
    with the outbox hidden, as in production, its address is a page that does not exist."""
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="")
    sessions = session_factory(engine)
    async with sessions() as db:
        team = await factories.person(db, Role.PROGRAMME_TEAM, "team@example.nl")
        for key, status in (("a", "sent"), ("b", "pending"), ("c", "kept")):
            db.add(OutboxMail(key=key, reference="SV2026-0001", recipients=["c@uu.example"],
                              subject=f"Mail {key}", body="b", status=status))
        await db.commit()
        shown = await web_client_as(create_app(settings, scheme, time_env.client), team, db)
        hidden = await web_client_as(create_app(settings.model_copy(
            update={"show_outbox": False}), scheme, time_env.client), team, db)
    async with contextlib.aclosing(shown), contextlib.aclosing(hidden):
        dutch = (await shown.get("/outbox")).text
        shown.cookies.set("regie_lang", "en")
        english = (await shown.get("/outbox")).text
        gone, home = await hidden.get("/outbox"), (await hidden.get("/team")).text
        lost = await hidden.get("/kenniscentrum")  # no route: the session names who asks
    for status, nl, en in (("sent", "Verzonden", "Sent"),
                           ("pending", "Wacht op de mailserver", "Waiting for the mail server"),
                           ("kept", "Bewaard, niet verstuurd: geen mailserver ingesteld",
                            "Kept, not sent: no mail server configured")):
        assert f'data-mail-status="{status}">{nl}</span>' in dutch
        assert f'data-mail-status="{status}">{en}</span>' in english
    assert gone.status_code == 404 and "<h1>Niet gevonden</h1>" in gone.text
    assert 'href="/outbox"' in dutch and 'href="/outbox"' not in home
    assert lost.status_code == 404 and "<h1>Niet gevonden</h1>" in lost.text
    assert 'href="/team"' in lost.text and 'href="/login"' not in lost.text


async def test_the_overview_shows_every_application_stage_by_stage_and_page_by_page(
        tmp_path, db_url, engine, scheme, time_env):
    """The team's overview lists the first of each stage with a link to all of them; one stage
    goes page by page (it used to show the first 200 of the programme and no more), and a
    round can be chosen. A page number that is not one is named, in the reader's language."""
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="")
    sessions = session_factory(engine)
    now = datetime.now(timezone.utc)
    async with sessions() as db:
        org = await factories.organisation(db)
        team = await factories.person(db, Role.PROGRAMME_TEAM, "team@overzicht.nl")
        stages = ["assessment"] * 130 + ["reporting"] * 3  # 2025, 2026, 2027 in turn
        passed, ahead = now - timedelta(days=1), now + timedelta(days=3)
        db.add_all(Application(
            reference=f"SV{2025 + n % 3}-{n:04d}", round_id=str(2025 + n % 3), scheme_id="",
            scheme_hash="", organisation_id=org.id, title=f"Project {n:04d}", submitted_at=now,
            stage=stage, deadline={0: passed, 1: ahead}.get(n)) for n, stage in enumerate(stages))
        await db.commit()
        # reports sent: two await the team's review (of 2025 and 2027), one is accepted
        ids = dict((await db.exec(select(Application.reference, Application.id))).all())
        db.add_all(ReportRecord(application_id=ids[reference], position=0, kind="progress",
                                due=now.date(), summary="s", submitted_at=now - timedelta(
                                    hours=hours), accepted=accepted)
                   for reference, hours, accepted in (("SV2027-0131", 2, False),
                                                      ("SV2025-0129", 5, False),
                                                      ("SV2026-0130", 9, True)))
        await db.commit()
        client = await web_client_as(create_app(settings, scheme, time_env.client), team, db)
    rows = re.compile(r'<tr><td class="nowrap"><a href="/grants/(SV\d{4}-\d{4})">')
    async with contextlib.aclosing(client):
        whole = (await client.get("/team")).text
        assessment = whole.split('data-stage-section="assessment"')[1].split("</section>")[0]
        assert len(rows.findall(assessment)) == 20
        assert '<a href="/team?stage=assessment" data-show-all="assessment">Alle 130 tonen</a>' \
            in assessment
        reporting = whole.split('data-stage-section="reporting"')[1].split("</section>")[0]
        assert len(rows.findall(reporting)) == 3 and "data-show-all" not in reporting
        # the next deadlines say which has passed; the worklist, the longest waiting first
        upcoming = re.findall(r'<tr><td>([^<]*(?:<span[^>]*>[^<]*</span>)?)</td><td>([^<]+)</td>'
                              r'<td><a href="/grants/(SV\d{4}-\d{4})">', whole)
        assert [(ref, "verstreken" in cell, what) for cell, what, ref in upcoming] == [
            ("SV2025-0000", True, "Beoordeling uiterlijk"),
            ("SV2026-0001", False, "Beoordeling uiterlijk")]
        assert 'data-deadlines-passed="1"' in whole and "data-show-all=\"deadlines" not in whole
        assert "Verstreken: 1, de langst verstreken bovenaan." in whole
        worklist = whole.split("data-reports-to-review=")[1].split("</section>")[0]
        assert worklist.startswith('"2"')
        assert re.findall(r'href="/grants/([^"]+)"', worklist) == ["SV2025-0129", "SV2027-0131"]

        first = (await client.get("/team?stage=assessment")).text
        assert "<p class=\"muted\" data-shown>1–100 van 130" in first
        assert '<a href="/team?stage=assessment&page=2" rel="next">' in first
        second = (await client.get("/team?stage=assessment&page=2")).text
        listed = rows.findall(first) + rows.findall(second)
        assert len(listed) == len(set(listed)) == 130 and listed == sorted(listed)
        assert "101–130 van 130" in second and 'rel="prev"' in second and 'rel="next"' not in second

        of_2027 = (await client.get("/team?round=2027")).text
        assert "<h1>Overzicht aanvragen: Aanvraagronde 2027</h1>" in of_2027
        assert '<a class="card" href="/team?stage=assessment&amp;round=2027"' in of_2027
        assert "<h2>Wacht op beoordeling (43)</h2>" in of_2027  # 2, 5, ... 128
        assert 'data-reports-to-review="1"' in of_2027  # the round's own
        assert rows.findall(of_2027) == [f"SV2027-{2 + 3 * k:04d}" for k in range(20)] + [
            "SV2027-0131"]

        # a search: a whole reference opens its grant; else what matches, by reference
        opened = await client.get("/team?q=sv2026-0001")
        assert opened.status_code == 303 and opened.headers["location"] == "/grants/SV2026-0001"
        one = (await client.get("/team?q=Project+0004")).text
        found = one.split("data-found=")[1].split("</section>")[0]
        assert rows.findall(found) == ["SV2026-0004"]
        everyone = (await client.get("/team?q=universiteit")).text  # the organisation's name
        found = everyone.split("data-found=")[1].split("</section>")[0]
        assert len(rows.findall(found)) == 100 and "Meer dan 100" in found
        in_2027 = (await client.get("/team?q=project&round=2027")).text
        assert in_2027.count('data-found="44"') == 1  # 43 in assessment, one reporting
        nothing = (await client.get("/team?q=50%25")).text  # % is a letter: not SV2027-0050
        assert 'data-found="0"' in nothing and "Gevonden voor ‘50%’" in nothing

        bad = await client.get("/team?page=twee")
        assert bad.status_code == 400 and "Dit adres of formulier klopt niet: page." in bad.text
        assert team.name in bad.text and 'href="/login"' not in bad.text  # the team's menu
        assert (await client.get("/team?stage=bestaat-niet")).status_code == 400
        assert (await client.get("/api/grants?limit=nul")).status_code == 422  # the API's JSON

        # the worklist page by page, once more wait than the overview shows: 120 more, older
        async with sessions() as db:
            db.add_all(ReportRecord(application_id=ids[f"SV{2025 + n % 3}-{n:04d}"], position=1,
                                    kind="progress", due=now.date(), summary="s",
                                    submitted_at=now - timedelta(days=1, minutes=n))
                       for n in range(120))
            await db.commit()
        def waiting(page: str) -> list[str]:
            section = page.split("data-reports-to-review=")[1].split("</section>")[0]
            return re.findall(r'href="/grants/([^"]+)"', section)

        whole = (await client.get("/team")).text
        worklist = whole.split("data-reports-to-review=")[1].split("</section>")[0]
        assert len(waiting(whole)) == 20 and "De 20 die het langst wachten" in worklist
        assert '<a href="/team?reports=1" data-show-all="reports">Alle 122 tonen</a>' in worklist
        first = (await client.get("/team?reports=1")).text
        assert "data-stage-section" not in first  # the worklist alone, with the stage cards
        assert "1–100 van 122" in first and '<a href="/team?reports=1&page=2" rel="next">' in first
        second = (await client.get("/team?reports=1&page=2")).text
        assert "101–122 van 122" in second and 'rel="next"' not in second
        assert waiting(first) + waiting(second) == [  # the longest waiting first
            f"SV{2025 + n % 3}-{n:04d}" for n in reversed(range(120))] + [
            "SV2025-0129", "SV2027-0131"]
        of_2027 = (await client.get("/team?reports=1&round=2027")).text
        assert "1–41 van 41" in of_2027 and '<input type="hidden" name="reports" value="1">' \
            in of_2027  # the round's own; choosing another round keeps to the worklist
        beyond = (await client.get("/team?reports=1&page=3")).text
        assert "Geen rapportages te beoordelen." in beyond and 'rel="prev"' in beyond

        # every deadline page by page, the longest passed first: 120 more, a third passed
        async with sessions() as db:
            for app in (await db.exec(select(Application).where(
                    Application.reference.in_([f"SV{2025 + n % 3}-{n:04d}"
                                               for n in range(10, 130)])))).all():
                n = int(app.reference[-4:])
                app.deadline = now + timedelta(hours=n - 50, minutes=30)  # 10 to 49 passed
                db.add(app)
            await db.commit()

        def due(page: str) -> list[str]:
            section = page.split("data-deadlines-passed=")[1].split("</section>")[0]
            return re.findall(r'href="/grants/([^"]+)"', section)

        whole = (await client.get("/team")).text
        assert 'data-deadlines-passed="41"' in whole
        assert due(whole) == [f"SV{2025 + n % 3}-{n:04d}" for n in range(10, 20)]
        assert '<a href="/team?deadlines=1" data-show-all="deadlines">Alle termijnen tonen</a>' \
            in whole
        first = (await client.get("/team?deadlines=1")).text
        assert "data-stage-section" not in first and "data-reports-to-review" not in first
        assert "<h2>Eerstvolgende termijnen (122)</h2>" in first
        assert "1–100 van 122" in first and '<a href="/team?deadlines=1&page=2" rel="next">' \
            in first
        second = (await client.get("/team?deadlines=1&page=2")).text
        assert "101–122 van 122" in second and 'rel="next"' not in second
        listed = due(first) + due(second)
        assert len(set(listed)) == 122 and listed[15:18] == [  # passed a day ago: 16th
            "SV2026-0025", "SV2025-0000", "SV2027-0026"]
        assert first.count("data-passed>") == 41 and "data-passed>" not in second
        of_2026 = (await client.get("/team?deadlines=1&round=2026")).text
        assert "1–41 van 41" in of_2026 and '<input type="hidden" name="deadlines" value="1">' \
            in of_2026  # the round's own, 2026-0001 (ahead) and 40 of the 120
        assert '<a href="/team/deadlines.csv?round=2026" download data-deadlines-csv>' in of_2026
        assert "Geen lopende termijnen." in (await client.get("/team?deadlines=1&page=3")).text

        # the same list as a table for a spreadsheet: every deadline at once, in the same order;
        # a title that a spreadsheet would run as a formula is kept as text
        async with sessions() as db:
            formula = await db.get(Application, ids["SV2026-0010"])
            formula.title = "=HYPERLINK(\"https://example.org\")"
            db.add(formula)
            await db.commit()
        download = await client.get("/team/deadlines.csv")
        assert download.headers["content-disposition"] == \
            'attachment; filename="regie-termijnen-alle-rondes.csv"'
        assert download.content.startswith(codecs.BOM_UTF8)
        rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"), newline="")))
        assert rows[0] == ["deadline", "passed", "deadline_for", "reference", "title",
                           "organisation", "round", "stage"]
        assert [row[3] for row in rows[1:]] == listed
        assert [row[1] for row in rows[1:]] == ["yes"] * 41 + ["no"] * 81
        assert rows[1] == [
            (now + timedelta(hours=-40, minutes=30)).astimezone(scheme.tz).strftime(
                "%Y-%m-%d %H:%M"), "yes", "Beoordeling uiterlijk", "SV2026-0010",
            "'=HYPERLINK(\"https://example.org\")", org.name, "2026", "assessment"]
        of_2026 = (await client.get("/team/deadlines.csv?round=2026")).text
        assert of_2026.count("\r\n") == 42 and ",2025," not in of_2026


async def test_the_annual_report_opens_on_this_year_and_links_each_year_of_the_programme(
        tmp_path, db_url, engine, scheme, time_env):
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="")
    async with session_factory(engine)() as db:
        team = await factories.person(db, Role.PROGRAMME_TEAM, "team@example.nl")
        client = await web_client_as(create_app(settings, scheme, time_env.client), team, db)
    years = scheme.years()
    assert (years[0], years[-1]) == (min(r.opens.year for r in scheme.rounds),
                                      scheme.scheme.books_close.year)
    this_year = datetime.now(scheme.tz).year
    assert years[0] <= this_year <= years[-1]  # the tests' calendar is the programme's
    async with contextlib.aclosing(client):
        opened = await client.get("/reports/annual")  # the menu's link
        assert (opened.status_code, opened.headers["location"]) == (
            303, f"/reports/annual/{this_year}")
        page = (await client.get(f"/reports/annual/{years[0]}")).text
        table = (await client.get(f"/reports/annual/{years[0]}.csv")).content
    assert f'<a href="/reports/annual/{years[0]}" aria-current="page">' in page
    assert table.startswith(codecs.BOM_UTF8)  # a spreadsheet reads its text as UTF-8
    assert table.decode("utf-8-sig").split("\r\n")[:3] == [
        "section,key,count,amount_eur", "totals,applications,0,", "totals,awards,0,"]
    assert all(f'<a href="/reports/annual/{year}">{year}</a>' in page for year in years[1:])
    assert '<a href="/reports/annual">Voortgangsrapportage</a>' in page
