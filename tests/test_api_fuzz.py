"""The JSON API under schemathesis: every operation of /openapi.json, fuzzed as a grantee (who
may write), as the programme team and anonymously; no input may cause a server error."""

from __future__ import annotations

import asyncio
import sys
import uuid
from pathlib import Path

from api.app import create_app
from api.auth import CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE, new_csrf_token, open_session
from regie import programme
from regie.db import session_factory
from regie.records import Organisation
from regie.settings import Settings
from regie.worker import build_worker
from tests import factories, scenario
from tests.conftest import serving

ST = str(Path(sys.executable).parent / "st")


async def _fuzz(url: str, cookies: dict[str, str], csrf: str, tmp_path: Path, who: str) -> str:
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    args = [ST, "run", f"{url}/openapi.json", "--checks", "not_a_server_error",
            "--max-examples", "25", "--generation-deterministic", "--workers", "1",
            "--phases", "examples,coverage,fuzzing", "--suppress-health-check", "all",
            "--report", "junit", "--report-junit-path", str(tmp_path / f"fuzz-{who}.xml"),
            "-H", f"{CSRF_HEADER}: {csrf}"]
    if cookie:
        args += ["-H", f"Cookie: {cookie}"]
    proc = await asyncio.create_subprocess_exec(
        *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SCHEMATHESIS_TELEMETRY": "false"})
    out, _ = await proc.communicate()
    text = out.decode()
    assert proc.returncode == 0, text[-6000:]
    return text


async def test_no_input_makes_the_json_api_fail(time_env, tmp_path, db_url, engine, scheme):
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="",
                                 task_queue=f"fuzz-{uuid.uuid4().hex[:6]}")
    sessions = session_factory(engine)
    async with sessions() as db:
        people = await scenario.cast(db)
        await programme.ensure_programme(db, time_env.client, scheme, settings.task_queue)
    async with build_worker(time_env.client, settings, sessions, scheme):
        async with sessions() as db:  # something real to find: a grant and a draft
            await scenario.grant_in_assessment(db, time_env.client, scheme,
                                               settings.task_queue, people)
            org = await db.get(Organisation, people.grantee.organisation_id)
            await factories.application(db, org, scheme)
        app = create_app(settings, scheme, time_env.client)
        async with serving(app) as url:
            csrf = new_csrf_token(settings.secret_key)
            for who, person in (("grantee", people.grantee), ("team", people.team),
                                ("anonymous", None)):
                cookies = {CSRF_COOKIE: csrf}
                if person is not None:
                    async with sessions() as db:
                        cookies[SESSION_COOKIE] = await open_session(db, person)
                report = await _fuzz(url, cookies, csrf, tmp_path, who)
                assert "not_a_server_error" in report or "passed" in report.lower()
