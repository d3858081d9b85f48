"""The worker's memory with many grants open: a `regie worker` process of its own on the dev
server, while N submitted grants wait in assessment on their assessors' deadline timers.
Resident memory is read from /proc before the grants, once they all wait, and as each is asked
its status, which brings its workflow into the worker's cache. That is done twice: by a worker
that keeps the SDK's default of 1,000 workflows (REGIE_WORKER_CACHED_WORKFLOWS), then by a
fresh one that keeps a quarter of that. The difference is what a cached workflow costs; the
memory after half and after all of the queries shows whether it grows with the grants."""

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

CACHES = (1000, 250)  # Regie's default (the SDK's), then a quarter of it


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def run(client, folder: Path, grants_count: int = 10_000) -> dict:
    """`grants_count`: at least the largest of CACHES, so that each worker's cache fills."""
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
    references = [f"SV2026-{n + 1:05d}" for n in range(grants_count)]
    rows, queried = [], {}
    try:
        for cache in CACHES:
            cached_env = env | {"REGIE_WORKER_CACHED_WORKFLOWS": str(cache)}
            async with worker_process(client, settings.task_queue, command,
                                      cached_env) as worker:
                await asyncio.sleep(5)
                rows.append([cache, "worker idle", _rss_mb(worker.pid)])
                if cache == CACHES[0]:
                    with Clock() as started:
                        await _start_waiting(sessions, client, scheme, settings, people,
                                             references)
                    rows.append([cache, f"{grants_count} grants started and waiting "
                                        f"({started.seconds:.0f} s)", _rss_mb(worker.pid)])
                with Clock() as asked:
                    for start in range(0, grants_count, 100):
                        await asyncio.gather(*(grants.status(client, ref)
                                               for ref in references[start:start + 100]))
                        if start + 100 == grants_count // 2:
                            rows.append([cache, "after a status query to half of them",
                                         _rss_mb(worker.pid)])
                queried[cache] = _rss_mb(worker.pid)
                rows.append([cache, f"after a status query to each ({asked.seconds:.0f} s)",
                             queried[cache]])
    finally:
        await engine.dispose()
    table(f"Worker memory with {grants_count} open grants (resident)",
          ["workflows cached at most", "moment", "RSS MB"], rows)
    large, small = CACHES
    per_cached = (queried[large] - queried[small]) * 1024 / (large - small)
    print(f"\na cached workflow: {per_cached:.0f} KB (the difference between the two workers "
          f"after the queries, over the {large - small} workflows one holds more)", flush=True)
    return {"queried": queried, "per_cached_kb": per_cached}


async def _start_waiting(sessions, client, scheme, settings, people, references) -> None:
    """Start a grant for each reference and wait until the read model shows every one waiting
    in assessment."""
    async with sessions() as db:
        org = await db.get(Organisation, people.grantee.organisation_id)
        apps = [await factories.application(db, org, scheme) for _ in references]
    await start_in_2026_round(sessions, client, scheme, settings.task_queue, apps, references)
    while True:
        async with sessions() as db:
            if (await stage_counts(db)).get("assessment", 0) == len(references):
                return
        await asyncio.sleep(2)
