"""DigestWorkflow: a grant's mail to an assessor (workflow id `assessor-digest-<person id>`) or
to the programme team (`team-digest`) told in one e-mail. Each mail is held in the database and
nudges this workflow (signal with start); once `quiet` has passed without another (or `longest`
since the first, for a steady stream), the `send_digest` activity tells the recipients
everything held and not yet told. A nudge that comes
while it sends brings another digest; then the run ends, and the next mail starts a new one."""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from domain.types import DigestParams, DigestRequest


def digest_workflow_id(assessor_id: int | None) -> str:
    """An assessor's digest, or the team's (None)."""
    return "team-digest" if assessor_id is None else f"assessor-digest-{assessor_id}"


@workflow.defn
class DigestWorkflow:
    def __init__(self) -> None:
        self._nudges = 0
        self._last: datetime | None = None  # when the last mail was held

    @workflow.signal
    def held(self) -> None:
        """A mail was held for this digest."""
        self._nudges += 1
        self._last = workflow.now()

    @workflow.run
    async def run(self, params: DigestParams) -> int:
        """Send digests until no mail came while the last was sent; how many were sent."""
        sent = 0
        while True:
            await self._settle(params)
            told = self._nudges
            await workflow.execute_activity(
                "send_digest",
                DigestRequest(assessor_id=params.assessor_id,
                              key=f"{workflow.info().workflow_id}/digest-"
                                  f"{workflow.info().run_id}-{sent}"),
                start_to_close_timeout=timedelta(seconds=60),
                retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=5)))
            sent += 1
            if self._nudges == told:
                return sent

    async def _settle(self, params: DigestParams) -> None:
        """Wait until `quiet` has passed since the last mail held; no longer than `longest`
        from now, so that a steady stream is told too, and never past the end. A mail held
        meanwhile moves the moment on without a timer of its own."""
        latest = min(workflow.now() + params.longest, params.ends_at)
        while True:
            last = self._last or workflow.now()
            due = min(last + params.quiet, latest)
            if workflow.now() >= due:
                return
            await workflow.sleep(due - workflow.now())
