"""The last minutes before a round closes: many applicants submit at the same moment. Each
submission goes the way the web app sends it (`submit_draft`, in a database session of its
own, as a request has) to the round's one workflow on the dev server, whose `submit` Update
numbers it and starts its grant; the worker runs in a process of its own (`regie worker`),
Regie's records are on PostgreSQL. For each burst size: the time until each applicant has
their reference (p50, p99, the last), against one submission alone."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bench.common import Clock, database, drop, percentile, regie_worker, table, worker_process
from domain.lifecycle import Role
from domain.types import RoundParams
from regie import histories
from regie.applications import submit_draft
from regie.db import make_engine, migrate, session_factory
from regie.programme import ensure_programme
from regie.rounds import round_workflow_id
from regie.schemes import load_scheme
from regie.settings import Settings
from tests import dates, factories

ROUND = "2027"


def open_now(folder: Path) -> Path:
    """The tests' scheme file with the 2027 round open from an hour ago for a day (its drafts
    from the day before)."""
    path = dates.write_scheme(folder)
    scheme = load_scheme(path)
    rnd = scheme.round(ROUND)
    now = datetime.now(timezone.utc).astimezone(scheme.tz).replace(
        tzinfo=None, second=0, microsecond=0)
    text = path.read_text(encoding="utf-8")
    for key, old, new in (("opens", rnd.opens, now - timedelta(hours=1)),
                          ("closes", rnd.closes, now + timedelta(days=1)),
                          ("drafts_from", rnd.drafts_from, now - timedelta(days=1))):
        if old is not None:  # drafts_from: when the scheme file gives one
            text = text.replace(f"{key} = {old:%Y-%m-%dT%H:%M:%S}",
                                f"{key} = {new:%Y-%m-%dT%H:%M:%S}")
    moved = folder / "rush.toml"
    moved.write_text(text, encoding="utf-8")
    assert load_scheme(moved).round(ROUND).opens == now - timedelta(hours=1)
    return moved


async def run(client, folder: Path, sizes: tuple[int, ...] = (1, 10, 50, 200)) -> None:
    scheme_file = open_now(folder)
    scheme = load_scheme(scheme_file)
    url = database("postgresql", folder)
    await asyncio.to_thread(migrate, url)
    engine = make_engine(url)  # the web app's pool
    sessions = session_factory(engine)
    settings = Settings.from_env(data_dir=folder, database_url=url, smtp_host="",
                                 task_queue="rush", scheme_file=scheme_file)
    async with sessions() as db:
        drafts = []
        for n in range(sum(sizes)):  # an organisation and a member for each applicant
            org = await factories.organisation(db, f"Instelling {n}", "wo")
            member = await factories.person(db, Role.GRANTEE, f"indiener{n}@bench.example", org)
            app = await factories.application(db, org, scheme,
                                              factories.draft(ROUND, f"Aanvraag {n}"))
            drafts.append((app, factories.actor_of(member)))
        await ensure_programme(db, client, scheme, settings.task_queue)

    async def submit(app, actor) -> float:
        started = time.perf_counter()
        async with sessions() as db:
            await submit_draft(db, client, scheme, app, actor)
        return time.perf_counter() - started

    command, env = regie_worker(client, settings)
    rows, alone = [], None
    async with worker_process(client, settings.task_queue, command, env):
        await submit(*drafts.pop())  # the round's workflow in the worker's memory
        for size in sizes:
            burst, drafts = drafts[:size], drafts[size:]
            with Clock() as clock:
                waits = await asyncio.gather(*(submit(app, actor) for app, actor in burst))
            p50 = percentile(waits, 50)
            alone = alone or p50
            rows.append([size, p50 * 1000, percentile(waits, 99) * 1000, max(waits) * 1000,
                         clock.seconds, f"{size / clock.seconds:.1f}", f"{p50 / alone:.1f}x"])
    async with sessions() as db:
        runs = await histories.runs(client, db, round_workflow_id(ROUND))
    await engine.dispose()
    await asyncio.to_thread(drop, url)
    table("Submissions at the same moment to one round (dev server; records on postgresql)",
          ["at once", "p50 ms", "p99 ms", "last ms", "burst s", "submissions/s",
           "p50 / alone"], rows)
    print(f"The round took them in {len(runs)} run{'' if len(runs) == 1 else 's'} "
          f"(a new run every {RoundParams.model_fields['run_events'].default:,} "
          "events: round-short-runs).")
