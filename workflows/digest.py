"""DigestWorkflow (workflow id `assessor-digest-<person id>`): an assessor's new assignments told
in one e-mail. Each assignment is noted in the database and nudges this workflow (signal with
start); once `quiet` has passed without another, the `send_assignment_digest` activity tells the
assessor every assignment noted and not yet told. A nudge that comes while it sends brings
another digest; then the run ends, and the next assignment starts a new one."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from domain.types import DigestParams, DigestRequest


def digest_workflow_id(assessor_id: int) -> str:
    return f"assessor-digest-{assessor_id}"


@workflow.defn
class DigestWorkflow:
    def __init__(self) -> None:
        self._nudges = 0

    @workflow.signal
    def assigned(self) -> None:
        """An assignment was noted for this assessor."""
        self._nudges += 1

    @workflow.run
    async def run(self, params: DigestParams) -> int:
        """Send digests until no assignment came while the last was sent; how many were sent."""
        sent = 0
        while True:
            await self._quiet(params)
            told = self._nudges
            await workflow.execute_activity(
                "send_assignment_digest",
                DigestRequest(assessor_id=params.assessor_id,
                              key=f"{workflow.info().workflow_id}/digest-"
                                  f"{workflow.info().run_id}-{sent}"),
                start_to_close_timeout=timedelta(seconds=60),
                retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=5)))
            sent += 1
            if self._nudges == told:
                return sent

    async def _quiet(self, params: DigestParams) -> None:
        """Wait until `quiet` has passed since the last nudge (never past the end)."""
        seen = None
        while seen != self._nudges:
            seen = self._nudges
            wait = min(params.quiet, params.ends_at - workflow.now())
            if wait <= timedelta(0):
                return
            try:
                await workflow.wait_condition(lambda: self._nudges != seen, timeout=wait)
            except asyncio.TimeoutError:
                return
