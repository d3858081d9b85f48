"""RetentionWorkflow (workflow id `retention-<scheme>`): looks every few days for personal data
whose term has passed and has the `apply_retention` activity remove it. It runs until the
books have closed and the longest term after them has passed."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from domain.types import RetentionParams, RetentionReport

RUNS_PER_HISTORY = 50  # then continue as new, so the history stays short for years


@workflow.defn
class RetentionWorkflow:
    @workflow.run
    async def run(self, params: RetentionParams) -> None:
        for _ in range(RUNS_PER_HISTORY):
            now = workflow.now()
            if now >= params.ends_at:
                return
            await workflow.execute_activity(
                "apply_retention", now, result_type=RetentionReport,
                start_to_close_timeout=timedelta(minutes=10),
                retry_policy=RetryPolicy(maximum_interval=timedelta(hours=1)))
            await workflow.sleep(min(timedelta(days=params.every_days), params.ends_at - now))
        workflow.continue_as_new(params)
