"""The baseline of the throughput bench: a workflow with Regie's numbers of activities,
updates and timers, and no application logic. Its own module, with nothing else imported, so
Temporal's sandbox loads it as it loads Regie's workflows."""

from __future__ import annotations

from datetime import timedelta

from temporalio import activity, workflow


@activity.defn(name="noop")
async def noop() -> None:
    return None


@workflow.defn  # sandboxed, as Regie's workflows are
class BaselineWorkflow:
    """Activities, updates and timers in Regie's numbers, and nothing else."""

    def __init__(self) -> None:
        self.updates = 0

    @workflow.run
    async def run(self, shape: list[int]) -> None:
        """`shape`: activities in the run itself, Updates, timers, activities per Update. A
        timer for each of the first waits on an Update, as Regie's deadlines are, and short
        sleeps for any timers beyond those."""
        activities_in_run, updates, timers, _per_update = shape
        for _ in range(activities_in_run):
            await workflow.execute_activity(noop, start_to_close_timeout=timedelta(seconds=60))
        for _ in range(max(timers - updates, 0)):
            await workflow.sleep(timedelta(milliseconds=1))
        for seen in range(updates):
            await workflow.wait_condition(
                lambda: self.updates > seen,
                timeout=timedelta(days=30) if seen < timers else None)

    @workflow.update
    async def step(self, per_update: int) -> None:
        for _ in range(per_update):
            await workflow.execute_activity(noop, start_to_close_timeout=timedelta(seconds=60))
        self.updates += 1
