"""The worker's memory with many grants open: a `regie worker` process of its own on the dev
server, while N submitted grants wait in assessment on their assessors' deadline timers.
Resident memory is read from /proc before the grants, once they all wait, and after each has
been asked its status (which brings its workflow into the worker's cache, 1,000 at most)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bench.common import Clock, regie_worker, start_in_2026_round, table, worker_process
from regie import grants, programme
from regie.db import make_engine, migrate, session_factory
from regie.overview import stage_counts
from regie.records import Organisation
from regie.schemes import load_scheme
from regie.settings import Settings
from tests import dates, factories, scenario


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def run(client, folder: Path, grants_count: int = 10_000) -> dict:
    scheme_file = dates.write_scheme(folder)  # the tests' calendar (tests/dates.py)
    scheme = load_scheme(scheme_file)
    url = f"sqlite+aiosqlite:///{folder / 'memory.db'}"
    await asyncio.to_thread(migrate, url)
    engine = make_engine(url)
    sessions = session_factory(engine)
    settings = Settings.from_env(data_dir=folder / "memory", database_url=url, smtp_host="",
                                 task_queue="memory", scheme_file=scheme_file)
    async with sessions() as db:
        people = await scenario.cast(db)
        await programme.ensure_programme(db, client, scheme, settings.task_queue)
    command, env = regie_worker(client, settings)
    try:
        async with worker_process(client, settings.task_queue, command, env) as worker:
            await asyncio.sleep(5)
            idle = _rss_mb(worker.pid)
            async with sessions() as db:
                org = await db.get(Organisation, people.grantee.organisation_id)
                apps = [await factories.application(db, org, scheme)
                        for _ in range(grants_count)]
            references = [f"SV2026-{n + 1:05d}" for n in range(grants_count)]
            with Clock() as started:
                await start_in_2026_round(sessions, client, scheme, settings.task_queue, apps,
                                          references)
                while True:  # every grant waits in assessment, as the read model shows
                    async with sessions() as db:
                        waiting = (await stage_counts(db)).get("assessment", 0)
                    if waiting == grants_count:
                        break
                    await asyncio.sleep(2)
            open_rss = _rss_mb(worker.pid)
            with Clock() as asked:
                for start in range(0, len(references), 100):
                    await asyncio.gather(*(grants.status(client, ref)
                                           for ref in references[start:start + 100]))
            queried_rss = _rss_mb(worker.pid)
    finally:
        await engine.dispose()
    table(f"Worker memory with {grants_count} open grants (resident, MB)",
          ["moment", "RSS MB", "per open grant KB"],
          [["worker idle", idle, "–"],
           [f"{grants_count} grants started and waiting ({started.seconds:.0f} s)", open_rss,
            f"{(open_rss - idle) * 1024 / grants_count:.1f}"],
           [f"after a status query to each ({asked.seconds:.0f} s)", queried_rss,
            f"{(queried_rss - idle) * 1024 / grants_count:.1f}"]])
    return {"idle": idle, "open": open_rss, "queried": queried_rss}
