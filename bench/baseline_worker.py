"""`python -m bench.baseline_worker ADDRESS TASK_QUEUE`: the baseline's worker in a process of
its own, as `regie worker` runs Regie's, until SIGTERM."""

from __future__ import annotations

import asyncio
import sys

from temporalio.worker import Worker

from bench.baseline import BaselineWorkflow, noop
from regie.heap import freeze_startup
from regie.temporal import connect
from regie.worker import run_until_stopped


async def serve(address: str, task_queue: str) -> None:
    client = await connect(address)
    worker = Worker(client, task_queue=task_queue, workflows=[BaselineWorkflow],
                    activities=[noop])
    freeze_startup()  # as `regie worker` does
    await run_until_stopped(worker)


if __name__ == "__main__":
    asyncio.run(serve(*sys.argv[1:3]))
