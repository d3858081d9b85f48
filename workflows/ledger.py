"""LedgerWorkflow: the programme's budget ledger (workflow id `ledger-<scheme>`).

Every award sets its grant's commitment here through an Update whose validator refuses any
amount that would take a round past its ceiling or the programme past its budget, so no
decision can commit more than remains, whoever or whatever asks. The budget, the ceilings and
the day the books close follow the scheme file: when it changes them, Regie sets them with the
`set_budgets` Update (regie.alignment), which refuses a ceiling below what is already committed.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.lifecycle import NotAllowed, Role, only_from_scheme_file
    from domain.money import euros
    from domain.types import LedgerParams, LedgerStatus, RoundLedger, SetBudgets, SetCommitment

# An Update that reaches the ledger while its run continues as new fails that workflow task, and
# the worker then replays the whole run before it answers again: at the server's suggestion of
# about 4,000 events, that took 7 to 11 s under load (over the 10 s task timeout once), while
# every award waited. Runs of `LedgerParams.run_events` keep that replay short.
SHORT_RUNS = "ledger-short-runs"
# docs/upgrading.md: the run's wait for the books to close wakes when `set_budgets` moves that
# day; a run started before waits for the day it started with, and refuses to move it.
MOVABLE_BOOKS_CLOSE = "ledger-movable-close"


@workflow.defn
class LedgerWorkflow:
    @workflow.init
    def __init__(self, params: LedgerParams) -> None:
        self.p = params
        self.commitments: dict[str, tuple[str, int]] = dict(params.commitments)
        self.close_movable = False  # until the run knows it waits on MOVABLE_BOOKS_CLOSE
        self._close_version = 0

    @workflow.run
    async def run(self, params: LedgerParams) -> LedgerStatus:
        short = workflow.patched(SHORT_RUNS)
        self.close_movable = workflow.patched(MOVABLE_BOOKS_CLOSE)
        info = workflow.info()

        def run_long_enough() -> bool:
            return info.is_continue_as_new_suggested() or (
                short and info.get_current_history_length() >= self.p.run_events)
        while True:
            version = self._close_version
            try:
                await workflow.wait_condition(
                    lambda: run_long_enough() or self._close_version != version,
                    timeout=max(self.p.closes_at - workflow.now(), timedelta(seconds=1)))
            except asyncio.TimeoutError:
                await workflow.wait_condition(workflow.all_handlers_finished)
                return self.status()
            if run_long_enough():
                break
        await workflow.wait_condition(workflow.all_handlers_finished)
        workflow.continue_as_new(self.p.model_copy(update={"commitments": self.commitments}))

    @workflow.update
    def set_commitment(self, cmd: SetCommitment) -> LedgerStatus:
        self.commitments[cmd.reference] = (cmd.round_id, cmd.amount_cents)
        return self.status()

    @set_commitment.validator
    def _validate(self, cmd: SetCommitment) -> None:
        if cmd.actor.role not in (Role.PROGRAMME_TEAM, Role.SYSTEM):
            raise NotAllowed("Alleen het programmateam / only the programme team")
        if cmd.round_id not in self.p.ceilings:
            raise NotAllowed(f"Onbekende ronde / unknown round '{cmd.round_id}'")
        previous = self.commitments.get(cmd.reference, (cmd.round_id, 0))[1]
        round_left = self.p.ceilings[cmd.round_id] - self._committed(cmd.round_id) + previous
        programme_left = self.p.programme_cents - self._committed(None) + previous
        if cmd.amount_cents > round_left:
            raise NotAllowed(
                f"Er is nog {euros(round_left)} over in ronde {cmd.round_id}; "
                f"{euros(cmd.amount_cents)} past niet / only {euros(round_left)} is left in "
                f"round {cmd.round_id}; {euros(cmd.amount_cents)} does not fit")
        if cmd.amount_cents > programme_left:
            raise NotAllowed(
                f"Er is nog {euros(programme_left)} over in het programma / only "
                f"{euros(programme_left)} is left in the programme")

    @workflow.update
    def set_budgets(self, cmd: SetBudgets) -> LedgerStatus:
        """Take the budget, ceilings and closing day the scheme file now gives; a later run
        carries them."""
        closes_at = cmd.closes_at or self.p.closes_at
        if closes_at != self.p.closes_at:
            self._close_version += 1
        self.p = self.p.model_copy(update={"programme_cents": cmd.programme_cents,
                                           "ceilings": dict(cmd.ceilings),
                                           "closes_at": closes_at})
        return self.status()

    @set_budgets.validator
    def _validate_budgets(self, cmd: SetBudgets) -> None:
        only_from_scheme_file(cmd.actor.role)
        closes_at = cmd.closes_at or self.p.closes_at
        if (cmd.programme_cents, cmd.ceilings, closes_at) == (
                self.p.programme_cents, self.p.ceilings, self.p.closes_at):
            raise NotAllowed("De budgetten zijn ongewijzigd / the budgets are unchanged")
        if closes_at != self.p.closes_at:
            if not self.close_movable:
                raise NotAllowed("Dit grootboek is gestart voordat de sluiting kon verschuiven / "
                                 "this ledger started before its closing could move")
            if closes_at <= workflow.now():
                raise NotAllowed("De sluiting moet in de toekomst liggen / the closing must lie "
                                 "in the future")
        for round_id in sorted(set(self.p.ceilings) | set(cmd.ceilings)):
            committed = self._committed(round_id)
            if cmd.ceilings.get(round_id, 0) < committed:
                raise NotAllowed(
                    f"In ronde {round_id} is al {euros(committed)} toegekend / "
                    f"{euros(committed)} is already committed in round {round_id}")
        if cmd.programme_cents < self._committed(None):
            raise NotAllowed(
                f"Er is al {euros(self._committed(None))} toegekend / "
                f"{euros(self._committed(None))} is already committed")

    def _committed(self, round_id: str | None) -> int:
        return sum(amount for rnd, amount in self.commitments.values()
                   if round_id is None or rnd == round_id)

    @workflow.query
    def status(self) -> LedgerStatus:
        committed = self._committed(None)
        return LedgerStatus(
            closes_at=self.p.closes_at, close_movable=self.close_movable,
            programme_cents=self.p.programme_cents, committed_cents=committed,
            remaining_cents=self.p.programme_cents - committed,
            rounds=[RoundLedger(round_id=r, ceiling_cents=c, committed_cents=self._committed(r),
                                remaining_cents=c - self._committed(r))
                    for r, c in self.p.ceilings.items()])
