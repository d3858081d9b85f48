"""`regie run` (what `make run` starts): all three services come up with demo data, Ctrl-C stops
them cleanly, and the next start finds every record and grant where it was. A start that cannot
go on (a port or the data taken, Temporal ending at once) says why; a killed run takes its
Temporal along."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import sqlite3
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx

from regie import totp
from regie.demo import DEMO_TOTP_SECRET, GRANTS
from regie.schemes import load_scheme
from tests.conftest import free_ports

REGIE = str(Path(sys.executable).parent / "regie")


async def _spawn(data_dir: Path, ports: dict[str, int], **env: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        REGIE, "run", "--port", str(ports["web"]), "--temporal-port", str(ports["temporal"]),
        "--ui-port", str(ports["ui"]), stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, "REGIE_DATA_DIR": str(data_dir), **env},
    )


async def _start(data_dir: Path, ports: dict[str, int],
                 **env: str) -> tuple[asyncio.subprocess.Process, str]:
    """`regie run`, and what it printed until it is ready."""
    proc = await _spawn(data_dir, ports, **env)
    output = ""
    while "Press Ctrl-C to stop." not in output:
        try:
            line = await asyncio.wait_for(proc.stdout.readline(), 120)
        except TimeoutError:  # stop it as Ctrl-C would, and say how far it came
            rest = await _stop(proc, check=False)
            raise AssertionError(f"regie run printed nothing for 120 s:\n{output}{rest}") from None
        assert line, f"regie run ended early:\n{output}"
        output += line.decode()
    return proc, output


async def _grants_seen_by_team(base: str, code_ahead: int = 0) -> dict[str, str]:
    """Sign in as the demo team; `code_ahead` steps of 30 s, so a second sign-in within the same
    step uses a fresh code (a code is accepted once, within one step of drift)."""
    async with httpx.AsyncClient(base_url=base) as web:
        await web.get("/login")
        await web.post("/login", data={"email": "team@regie.demo", "password": "regie-demo",
                                       "csrf_token": web.cookies["regie_csrf"]})
        await web.post("/login/code", data={"code": totp.code_at(DEMO_TOTP_SECRET,
                                                                  time.time() + 30 * code_ahead),
                                            "csrf_token": web.cookies["regie_csrf"]})
        grants = (await web.get("/api/grants")).json()
        detail = (await web.get(f"/api/grants/{grants[0]['reference']}")).json()
        assert detail["status"] is not None, "the workflow answered no query"
        return {g["reference"]: g["stage"] for g in grants}


async def _stop(proc: asyncio.subprocess.Process, check: bool = True,
                sig: int = signal.SIGINT) -> str:
    """Ctrl-C (or `sig`), and what it printed until it ended (killed after 60 s, unless
    `check`)."""
    proc.send_signal(sig)
    try:
        rest = (await asyncio.wait_for(proc.stdout.read(), 60)).decode()
    except TimeoutError:
        if check:
            raise
        proc.kill()
        return "(killed: it did not stop within 60 s)"
    code = await proc.wait()
    assert code == 0 or not check, rest
    return rest


async def test_run_starts_everything_and_a_restart_finds_every_grant(tmp_path, scheme_file):
    ports = dict(zip(("web", "temporal", "ui"), free_ports(3), strict=True))
    base = f"http://127.0.0.1:{ports['web']}"
    proc, output = await _start(tmp_path, ports)
    try:
        assert "Loading demo data" in output
        assert f"Regie:        {base}/" in output
        assert f"Temporal UI:  http://127.0.0.1:{ports['ui']}/" in output
        async with httpx.AsyncClient() as web:
            assert (await web.get(f"http://127.0.0.1:{ports['ui']}/")).status_code == 200
        before = await _grants_seen_by_team(base)
        assert len(before) == len(GRANTS)
        # a second `regie run` on the same data, on other ports, stops before it starts anything
        second = await _spawn(tmp_path, dict(zip(("web", "temporal", "ui"), free_ports(3),
                                                 strict=True)))
        said = (await asyncio.wait_for(second.stdout.read(), 30)).decode()
        assert await second.wait() == 1, said
        assert f"Regie did not start: it runs already on {tmp_path} (process {proc.pid})" in said
        async with httpx.AsyncClient() as web:  # the first one runs on, Temporal and all
            assert (await web.get(f"{base}/readyz")).status_code == 200
    finally:
        stopped = await _stop(proc)
    assert "Regie stopped." in stopped and "Traceback" not in stopped
    with contextlib.closing(sqlite3.connect(tmp_path / "regie.db")) as db:
        bodies = " ".join(body for (body,) in db.execute("SELECT body FROM outbox"))
    assert set(re.findall(r"http://127\.0\.0\.1:\d+/", bodies)) == {f"{base}/"}  # this app

    # restarted on a scheme file that gives the 2027 round a day more: the round takes it
    rnd = load_scheme(scheme_file).round("2027")
    line = f"closes = {rnd.closes:%Y-%m-%dT%H:%M:%S}"
    later = f"closes = {rnd.closes + timedelta(days=1):%Y-%m-%dT%H:%M:%S}"
    edited = tmp_path / "regeling.toml"
    edited.write_text(scheme_file.read_text().replace(line, later), encoding="utf-8")
    assert load_scheme(edited).round("2027").closes == rnd.closes + timedelta(days=1)
    # fresh ports: the first ones were free a minute ago, and the other pass's servers and
    # connections draw from the same ephemeral range meanwhile
    ports = dict(zip(("web", "temporal", "ui"), free_ports(3), strict=True))
    proc, output = await _start(tmp_path, ports, REGIE_SCHEME_FILE=str(edited))
    try:
        assert "Loading demo data" not in output
        assert await _grants_seen_by_team(f"http://127.0.0.1:{ports['web']}",
                                          code_ahead=1) == before
    finally:
        await _stop(proc)
    with contextlib.closing(sqlite3.connect(tmp_path / "regie.db")) as db:
        aligned = db.execute("SELECT subject, detail FROM audit_log "
                             "WHERE action = 'scheme_aligned'").fetchall()
    assert [subject for subject, _detail in aligned] == ["round-2027"]
    assert json.loads(aligned[0][1])["closes_at"] == (
        load_scheme(edited).local_to_utc(rnd.closes + timedelta(days=1)).isoformat())


async def test_run_killed_leaves_no_temporal_behind(tmp_path):
    """`regie run` killed outright takes its dev server along, so the next start finds the
    ports and the data free; a closed terminal (SIGHUP) stops it as Ctrl-C does."""
    ports = dict(zip(("web", "temporal", "ui"), free_ports(3), strict=True))
    proc, _output = await _start(tmp_path, ports)
    proc.kill()
    await proc.wait()
    deadline = time.monotonic() + 30
    while True:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", ports["temporal"]))
                break
            except OSError:
                assert time.monotonic() < deadline, "the dev server runs on without regie run"
        await asyncio.sleep(0.2)
    proc, output = await _start(tmp_path, ports)
    assert "Loading demo data" not in output
    stopped = await _stop(proc, sig=signal.SIGHUP)
    assert "Regie stopped." in stopped and "Traceback" not in stopped


async def test_run_names_a_port_in_use(tmp_path):
    """A port in use (another `make run`, a local Temporal) is named before anything starts."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        web, ui = free_ports(2)
        proc = await _spawn(tmp_path, {"web": web, "temporal": port, "ui": ui})
        output = (await asyncio.wait_for(proc.stdout.read(), 30)).decode()
        assert await proc.wait() == 1, output
    assert f"Regie did not start: port {port} (Temporal) is in use." in output, output
    assert not (tmp_path / "temporal.log").exists()  # the dev server was not started


async def test_run_says_why_temporal_did_not_start(tmp_path):
    """A dev server that ends at once (here on a damaged database file) is quoted."""
    (tmp_path / "temporal.db").write_bytes(b"not a database" * 1000)
    proc = await _spawn(tmp_path, dict(zip(("web", "temporal", "ui"), free_ports(3), strict=True)))
    output = (await asyncio.wait_for(proc.stdout.read(), 60)).decode()
    assert await proc.wait() == 1, output
    assert "Temporal did not start:\n" in output, output
    assert "file is not a database" in output, output
    assert f"(its log: {tmp_path / 'temporal.log'})" in output
