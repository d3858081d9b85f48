"""RoundWorkflow: one application round (workflow id `round-<id>`), open to the minute.

Submissions are an Update whose validator asks the round's own clock, so an application one
second late is refused with the reason and leaves no trace. The round numbers what it accepts,
reminds applicants with unsubmitted drafts before closing, and at closing hands every accepted
application on to assessment. When every grant has its verdict, the round proposes an
allocation within what the ledger has left for it; the team confirms it (or changes lines, each
with a reason) and the round sends each grant its decision.

Applicants may prepare drafts before the opening (the scheme file's `drafts_from`); at the
opening the round tells them they can submit.

The window is workflow state: when the scheme file moves it, Regie moves the round's with the
`move_window` Update (regie.alignment), its opening until the round opens, its closing until
it closes, as the round's clock tells (domain.windows).

While open and while awaiting its verdicts, a round continues as new every
`RoundParams.run_events` events (round-short-runs), carrying what it has accepted and heard.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import NoReturn

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from domain.lifecycle import NotAllowed, Role, only_from_scheme_file
    from domain.ranking import Allocation, apply_changes, check_requests
    from domain.types import (
        Actor, AllocationApproval, AllocationConfirmation, AllocationReturn, Delivery, Proposal,
        RoundCarried, RoundParams, RoundStatus,
        ScoredGrant, StartGrant, SubmitToRound, WindowMove, WindowMoved,
    )
    from domain.windows import check_window_move

# docs/upgrading.md: the round waits for its opening on a condition, so that `move_window` can
# move it; a round started before sleeps to the opening it was started with.
MOVABLE_OPENING = "movable-opening"
# docs/upgrading.md: a moved window is mailed to the applicants with a draft in the round.
TELL_MOVES = "tell-window-moves"
# docs/upgrading.md: at the opening, the applicants with a draft in the round are told they
# can submit it now (drafts may be prepared before, from the round's drafts_from).
TELL_OPENING = "tell-opening"
# docs/upgrading.md: a round continues as new at `RoundParams.run_events` events (or at the
# server's suggestion) while open or awaiting its verdicts, so a worker that has not got it
# replays one short run, and a round of thousands stays within Temporal's history limits; a
# round started before runs as one run.
SHORT_RUNS = "round-short-runs"

ACTIVITY_OPTIONS = dict(
    start_to_close_timeout=timedelta(minutes=5),
    retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=5)),
)
# The delivery decides every grant of the round, one after the other: as long as the round is
# large, its progress watched by its heartbeat (options are not part of what a replay compares:
# docs/upgrading.md)
DELIVERY_OPTIONS = dict(ACTIVITY_OPTIONS, start_to_close_timeout=timedelta(hours=4),
                        heartbeat_timeout=timedelta(minutes=2))


def submission_id(application_id: int) -> str:
    """The id of the Update that submits an application: sent again, it is the same Update,
    which Temporal answers once in a run, and the round again in a later run."""
    return f"submit-{application_id}"


def closed_message(closes_local: str) -> str:
    return (f"De ronde is gesloten sinds {closes_local}; uw concept is bewaard / "
            f"the round closed at {closes_local}; your draft is kept")


@workflow.defn
class RoundWorkflow:
    @workflow.init
    def __init__(self, params: RoundParams) -> None:
        self.p = params
        self.opens_at = params.opens_at
        self.closes_at = params.closes_at
        self.closes_local = params.closes_local
        self.opening_movable = False  # until the run knows it waits on MOVABLE_OPENING
        self.short_runs = False  # until the run knows it takes SHORT_RUNS
        carried = params.carried
        self.phase: str = carried.phase if carried else "scheduled"
        # application id -> reference, in the order the round took them
        self.submitted: dict[int, str] = dict(carried.submitted) if carried else {}
        self.reminded = carried.reminded if carried else False
        self._window_version = 0
        self.verdicts: dict[str, ScoredGrant] = {
            s.reference: s for s in carried.verdicts} if carried else {}
        self.proposal: Proposal | None = None
        self.confirmed: list[Allocation] | None = None
        self.confirmed_by: Actor | None = None
        self.approved_by: Actor | None = None
        self.returned: str | None = None
        self.undelivered: list[str] = []

    @property
    def references(self) -> list[str]:
        return list(self.submitted.values())

    @workflow.run
    async def run(self, params: RoundParams) -> RoundStatus:
        self.short_runs = workflow.patched(SHORT_RUNS)
        if self.phase == "scheduled":  # a run carried on from another is open or assessing
            await self._until_opening()
            self.phase = "open"
            if workflow.now() < self.closes_at and workflow.patched(TELL_OPENING):
                await workflow.execute_activity("tell_round_open", self.p.round_id,
                                                **ACTIVITY_OPTIONS)
        if self.phase == "open":
            await self._while_open()
            self.phase = "closed"
            # let submissions already accepted finish starting their grants
            await workflow.wait_condition(workflow.all_handlers_finished)
            await workflow.execute_activity("release_round", self.references,
                                            **ACTIVITY_OPTIONS)
            if not self.references:
                return self.status()
            self.phase = "assessing"

        if not await self._until(lambda: set(self.references) <= set(self.verdicts),
                                 new_runs=True):
            return self.status()
        self.proposal = await workflow.execute_activity(
            "propose_allocation", [s for s in self.verdicts.values() if s.verdict is not None],
            result_type=Proposal, **ACTIVITY_OPTIONS)
        self.phase = "proposed"  # only once there is a proposal to confirm
        if not await self._until(self._approved):
            return self.status()
        # what the delivery could not decide, and why: for the team, on the round's page
        self.undelivered = await workflow.execute_activity("deliver_decisions", Delivery(
            actor=self.confirmed_by, allocations=tuple(self.confirmed),
            approved_by=self.approved_by), **DELIVERY_OPTIONS)
        self.phase = "decided"
        return self.status()

    async def _while_open(self) -> None:
        """Take submissions until the closing, reminding the drafts before it."""
        while True:
            now = workflow.now()
            if now >= self.closes_at:
                return
            remind_at = self.closes_at - timedelta(days=self.p.draft_reminder_days)
            wake = remind_at if not self.reminded and remind_at > now else self.closes_at
            version = self._window_version
            try:
                await workflow.wait_condition(
                    lambda: self._window_version != version or self._run_long_enough(),
                    timeout=wake - now)
            except asyncio.TimeoutError:
                if wake == remind_at and not self.reminded:
                    self.reminded = True
                    await workflow.execute_activity("remind_drafts", self.p.round_id,
                                                    **ACTIVITY_OPTIONS)
                continue
            if self._run_long_enough():
                await self._continue_as_new()

    async def _until(self, condition, new_runs: bool = False) -> bool:
        """Wait for `condition`, no longer than the programme's end; with `new_runs`, a run
        grown long meanwhile continues as new."""
        try:
            await workflow.wait_condition(
                lambda: condition() or (new_runs and self._run_long_enough()),
                timeout=max(self.p.projects_end_at - workflow.now(), timedelta(seconds=1)))
        except asyncio.TimeoutError:
            return False
        if not condition():
            await self._continue_as_new()
        return True

    def _run_long_enough(self) -> bool:
        if not self.short_runs:
            return False
        info = workflow.info()
        return (info.is_continue_as_new_suggested()
                or info.get_current_history_length() >= self.p.run_events)

    async def _continue_as_new(self) -> NoReturn:
        """Hand what the round holds to a new run, once every Update taken has answered."""
        await workflow.wait_condition(workflow.all_handlers_finished)
        workflow.continue_as_new(self.p.model_copy(update={
            "opens_at": self.opens_at, "closes_at": self.closes_at,
            "closes_local": self.closes_local, "carried": RoundCarried(
                phase=self.phase, submitted=self.submitted, reminded=self.reminded,
                verdicts=tuple(self.verdicts.values()))}))

    @workflow.signal
    def grant_scored(self, scored: ScoredGrant) -> None:
        """A grant of this round tells its verdict (None: it left before assessment ended)."""
        self.verdicts[scored.reference] = scored

    @workflow.update
    def confirm_allocation(self, cmd: AllocationConfirmation) -> list[Allocation]:
        assert self.proposal is not None
        self.confirmed = apply_changes(self.proposal.allocations, list(cmd.changes),
                                       self.proposal.budget_cents)
        self.confirmed_by = cmd.actor
        return self.confirmed

    @confirm_allocation.validator
    def _validate_confirm(self, cmd: AllocationConfirmation) -> None:
        if cmd.actor.role != Role.PROGRAMME_TEAM:
            raise NotAllowed("Alleen het programmateam / only the programme team")
        if self.phase != "proposed" or self.proposal is None or self.confirmed is not None:
            raise NotAllowed("Er ligt geen voorstel ter bevestiging / "
                             "no proposal awaits confirmation")
        try:  # the requests are checked here only: the handler takes what was accepted
            check_requests(self.proposal.candidates, list(cmd.changes))
            apply_changes(self.proposal.allocations, list(cmd.changes),
                          self.proposal.budget_cents)
        except ValueError as exc:
            raise NotAllowed(str(exc)) from None

    def _approved(self) -> bool:
        """Confirmed, and approved by a second member where the proposal asks for it (one of an
        earlier release does not: no patch, as its rounds replay with the same answer)."""
        return self.confirmed is not None and (
            self.approved_by is not None or not self.proposal.second_approval)

    @workflow.update
    def approve_allocation(self, cmd: AllocationApproval) -> None:
        self.approved_by = cmd.actor

    @approve_allocation.validator
    def _validate_approve(self, cmd: AllocationApproval) -> None:
        self._awaiting_approval(cmd.actor)
        if cmd.actor.user_id == self.confirmed_by.user_id:
            raise NotAllowed("U bevestigde deze verdeling zelf: een ander lid van het "
                             "programmateam keurt haar goed / you confirmed this allocation "
                             "yourself: another member of the programme team approves it")

    @workflow.update
    def return_allocation(self, cmd: AllocationReturn) -> None:
        """Send the confirmation back: the proposal awaits a confirmation anew."""
        self.returned = f"{cmd.actor.name}: {cmd.reason}"
        self.confirmed = self.confirmed_by = None

    @return_allocation.validator
    def _validate_return(self, cmd: AllocationReturn) -> None:
        self._awaiting_approval(cmd.actor)

    def _awaiting_approval(self, actor: Actor) -> None:
        if actor.role != Role.PROGRAMME_TEAM:
            raise NotAllowed("Alleen het programmateam / only the programme team")
        if (self.phase != "proposed" or self.confirmed is None or self.approved_by is not None
                or not self.proposal.second_approval):
            raise NotAllowed("Er wacht geen verdeling op goedkeuring / no allocation awaits "
                             "approval")

    async def _until_opening(self) -> None:
        """Wait for the opening, as `move_window` may move it (before MOVABLE_OPENING: sleep
        to the opening the round started with)."""
        if not workflow.patched(MOVABLE_OPENING):
            delay = self.p.opens_at - workflow.now()
            if delay > timedelta(0):
                await workflow.sleep(delay)
            return
        self.opening_movable = True
        while (delay := self.opens_at - workflow.now()) > timedelta(0):
            version = self._window_version
            try:
                await workflow.wait_condition(lambda: self._window_version != version,
                                              timeout=delay)
            except asyncio.TimeoutError:
                pass

    @workflow.update
    async def submit(self, cmd: SubmitToRound) -> str:
        """Accept an application; returns its reference (the one it has, when the same Update
        comes again after the run that took it continued as new)."""
        if (known := self.submitted.get(cmd.application_id)) is not None:
            return known
        reference = (f"{self.p.reference_prefix}{self.p.round_id}-"
                     f"{self.p.first_number + len(self.submitted):04d}")
        self.submitted[cmd.application_id] = reference
        await workflow.execute_activity("start_grant", StartGrant(
            application_id=cmd.application_id, reference=reference,
            submitted_at=workflow.now()), **ACTIVITY_OPTIONS)
        return reference

    @submit.validator
    def _validate_submit(self, cmd: SubmitToRound) -> None:
        if cmd.actor.role != Role.GRANTEE:
            raise NotAllowed("Alleen een aanvrager dient in / only an applicant submits")
        now = workflow.now()
        if now < self.opens_at:
            raise NotAllowed("De ronde is nog niet open; uw concept is bewaard / "
                             "the round is not open yet; your draft is kept")
        if self.phase == "closed" or now >= self.closes_at:
            raise NotAllowed(closed_message(self.closes_local))
        update = workflow.current_update_info()
        if cmd.application_id in self.submitted and (
                update is None or update.id != submission_id(cmd.application_id)):
            raise NotAllowed("Deze aanvraag is al ingediend / this application was already "
                             "submitted")

    @workflow.update
    async def move_window(self, cmd: WindowMove) -> RoundStatus:
        """Take the window the scheme file now gives the round, and tell the applicants with a
        draft in it."""
        self.opens_at = cmd.opens_at
        self.closes_at, self.closes_local = cmd.closes_at, cmd.closes_local
        self._window_version += 1
        if workflow.patched(TELL_MOVES):
            await workflow.execute_activity("tell_window_moved", WindowMoved(
                round_id=self.p.round_id, opens_at=cmd.opens_at, closes_at=cmd.closes_at,
                closes_local=cmd.closes_local), **ACTIVITY_OPTIONS)
        return self.status()

    @move_window.validator
    def _validate_move(self, cmd: WindowMove) -> None:
        only_from_scheme_file(cmd.actor.role)
        check_window_move(phase=self.phase, opens_at=self.opens_at, closes_at=self.closes_at,
                          opening_movable=self.opening_movable, now=workflow.now(),
                          new_opens_at=cmd.opens_at, new_closes_at=cmd.closes_at,
                          programme_end=self.p.projects_end_at)

    @workflow.query
    def status(self) -> RoundStatus:
        return RoundStatus(round_id=self.p.round_id, phase=self.phase, opens_at=self.opens_at,
                           closes_at=self.closes_at, closes_local=self.closes_local,
                           references=self.references, scored=sorted(self.verdicts),
                           proposal=self.proposal, confirmed=self.confirmed,
                           confirmed_by=self.confirmed_by.name if self.confirmed_by else None,
                           confirmed_by_id=self.confirmed_by.user_id if self.confirmed_by
                           else None,
                           second_approval=bool(self.proposal and self.proposal.second_approval),
                           approved_by=self.approved_by.name if self.approved_by else None,
                           returned=self.returned, undelivered=self.undelivered)
