"""The worker's memory with many grants open: a `regie worker` process of its own on the dev
server, while N imported grants run (awarded, reporting, waiting on their report timers).
Resident memory is read from /proc before the grants, once they all wait, and after each has
been asked its status (which brings its workflow into the worker's cache)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from bench.common import Clock, table
from regie import adoption, grants, programme
from regie.db import make_engine, migrate, session_factory
from regie.records import Application
from regie.schemes import load_scheme
from regie.settings import Settings
from regie.spreadsheet import read_table
from tests import factories, scenario


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def run(client, folder: Path, grants_count: int = 10_000) -> dict:
    scheme = load_scheme(Path(__file__).parent.parent / "schemes" / "sociale-veiligheid.toml")
    url = f"sqlite+aiosqlite:///{folder / 'memory.db'}"
    await asyncio.to_thread(migrate, url)
    engine = make_engine(url)
    sessions = session_factory(engine)
    settings = Settings.from_env(data_dir=folder / "memory", database_url=url, smtp_host="",
                                 task_queue="memory")
    async with sessions() as db:
        people = await scenario.cast(db)
        await programme.ensure_programme(db, client, scheme, settings.task_queue)
    team = factories.actor_of(people.team)
    env = {**os.environ, "REGIE_DATA_DIR": str(settings.data_dir), "REGIE_DATABASE_URL": url,
           "REGIE_TEMPORAL_ADDRESS": client.service_client.config.target_host,
           "REGIE_TASK_QUEUE": settings.task_queue, "REGIE_SMTP_HOST": "",
           "REGIE_SECRET_KEY": settings.secret_key, "REGIE_LOG_FORMAT": "json"}
    worker = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "regie"), "worker", env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    try:
        await asyncio.sleep(5)
        idle = _rss_mb(worker.pid)
        today = adoption.local_today(scheme)
        # € 500 each keeps ten thousand grants within the rounds' ceilings
        rows = factories.programme_rows(scheme, today, grants_count, euros=500, step=0)
        for n, row in enumerate(rows):  # organisations of a few contacts each
            row["referentie"] = row["referentie"].replace("SV-OUD", "SV-MEM")
            row["organisatie"], row["organisatietype"] = f"Instelling {n // 3}", "wo"
        with Clock() as started:
            async with sessions() as db:
                result = await adoption.import_table(
                    db, client, scheme, settings.task_queue,
                    read_table(adoption.template_bytes("m.csv", rows), "m.csv"), "m.csv", team,
                    today, dry_run=False)
            assert not result.problems, result.problems[:3]
            while True:  # every grant has reached its stage in the read model
                async with sessions() as db:
                    waiting = (await db.exec(Application.__table__.select().where(
                        Application.stage == "submitted"))).all()
                if not waiting:
                    break
                await asyncio.sleep(2)
        open_rss = _rss_mb(worker.pid)
        with Clock() as asked:
            for start in range(0, len(result.new), 100):
                await asyncio.gather(*(grants.status(client, ref)
                                       for ref in result.new[start:start + 100]))
        queried_rss = _rss_mb(worker.pid)
    finally:
        worker.terminate()
        await worker.wait()
        await engine.dispose()
    table(f"Worker memory with {grants_count} open grants (resident, MB)",
          ["moment", "RSS MB", "per open grant KB"],
          [["worker idle", idle, "–"],
           [f"{grants_count} grants started and waiting ({started.seconds:.0f} s)", open_rss,
            f"{(open_rss - idle) * 1024 / grants_count:.1f}"],
           [f"after a status query to each ({asked.seconds:.0f} s)", queried_rss,
            f"{(queried_rss - idle) * 1024 / grants_count:.1f}"]])
    return {"idle": idle, "open": open_rss, "queried": queried_rss}
