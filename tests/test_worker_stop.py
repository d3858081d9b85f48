"""A worker stopped by SIGTERM lets the task it started beside it (the scheme's alignment)
finish what it has in hand, then shuts down through worker.shutdown()."""

from __future__ import annotations

import asyncio
import os
import signal

from sqlmodel import select

from regie.records import Person
from regie.serving import STOP_SIGNALS
from regie.worker import build_worker, run_until_stopped


async def test_a_stop_lets_the_start_task_finish_its_database_work(time_env, settings, sessions,
                                                                   scheme):
    finished = []

    async def started() -> None:  # the stop arrives while it is at work, a session open
        async with sessions() as db:
            os.kill(os.getpid(), signal.SIGTERM)
            await asyncio.sleep(0.5)  # as an alignment's query to a round takes a moment
            finished.append((await db.exec(select(Person))).all())

    try:
        await run_until_stopped(build_worker(time_env.client, settings, sessions, scheme),
                                started)
    finally:  # the handlers run_until_stopped installed: pytest's own again
        for sig in STOP_SIGNALS:
            asyncio.get_running_loop().remove_signal_handler(sig)
    assert finished == [[]]
