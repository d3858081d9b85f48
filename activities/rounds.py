"""Activities of the programme: start an accepted grant, remind drafts, release a round at
closing, and commit a grant's money in the ledger."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from domain.lifecycle import Stage
from domain.ranking import Candidate, Outcome, allocate
from domain.scheme import Scheme
from domain.types import (
    DecisionInput, Delivery, Proposal, ScoredGrant, SetCommitment, StartGrant, WindowMoved,
)
from regie import grants, programme
from regie.logging import get_logger
from regie.mail import applicant_contacts, send_once
from regie.records import Application, Organisation
from regie.rounds import local_text, round_workflow_id
from regie.settings import Settings
from regie.temporal import grant_workflow_id


LEDGER_UPDATES_AT_ONCE = 2  # per worker process


HELD_BACK = ("gerangschikt onder een toekenning die is geweigerd / ranked below an award "
             "refused")


class RoundActivities:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], client: Client,
                 scheme: Scheme, settings: Settings) -> None:
        self.sessions = sessions
        self.client = client
        self.scheme = scheme
        self.settings = settings
        # The ledger is one workflow: Updates sent to it all at once make the server drop the
        # workflow tasks that carry them and abort them by the dozen; this worker's awards and
        # settlements therefore go to it a few at a time, each answered within milliseconds.
        self._ledger_turns = asyncio.Semaphore(LEDGER_UPDATES_AT_ONCE)

    @activity.defn(name="start_grant")
    async def start_grant(self, cmd: StartGrant) -> None:
        async with self.sessions() as db:
            app = await db.get(Application, cmd.application_id)
            await grants.start(db, self.client, self.scheme, app, cmd.reference,
                               cmd.submitted_at, self.settings.task_queue)
        get_logger(grant=cmd.reference, workflow_id=activity.info().workflow_id).info(
            "round.accepted", application_id=cmd.application_id)

    @activity.defn(name="remind_drafts")
    async def remind_drafts(self, round_id: str) -> int:
        """Mail the members of every organisation with an unsubmitted draft in the round."""
        sent = await self._mail_drafts(round_id, "draft-reminder", "draft_reminder", {
            "closes": local_text(self.scheme.round(round_id))})
        get_logger(round=round_id).info("round.drafts_reminded", drafts=sent)
        return sent

    @activity.defn(name="tell_round_open")
    async def tell_round_open(self, round_id: str) -> int:
        """Mail the members of every organisation with a draft prepared in the round that it is
        open now, and until when."""
        rnd = self.scheme.round(round_id)
        sent = await self._mail_drafts(round_id, "opened", "round_open", {
            "round_nl": rnd.name_nl, "round_en": rnd.name_en, "closes": local_text(rnd)})
        get_logger(round=round_id).info("round.drafts_told_open", drafts=sent)
        return sent

    @activity.defn(name="tell_window_moved")
    async def tell_window_moved(self, moved: WindowMoved) -> int:
        """Mail the members of every organisation with an unsubmitted draft in the round its
        new window: once for each window."""
        rnd, tz = self.scheme.round(moved.round_id), self.scheme.tz
        window = f"{moved.opens_at:%Y%m%dT%H%M}-{moved.closes_at:%Y%m%dT%H%M}"
        sent = await self._mail_drafts(moved.round_id, f"window-{window}", "window_moved", {
            "round_nl": rnd.name_nl, "round_en": rnd.name_en, "closes": moved.closes_local,
            "opens": moved.opens_at.astimezone(tz).strftime("%d-%m-%Y %H:%M")})
        get_logger(round=moved.round_id).info("round.drafts_told_window", drafts=sent)
        return sent

    async def _mail_drafts(self, round_id: str, kind: str, template: str,
                           context: dict[str, str]) -> int:
        """Mail `template` about each unsubmitted draft in the round to its organisation's
        members, once for each draft and `kind`; returns how many drafts."""
        async with self.sessions() as db:
            drafts = (await db.exec(select(Application).where(
                Application.round_id == round_id, Application.reference.is_(None)))).all()
            for draft in drafts:
                members = await applicant_contacts(db, draft.organisation_id)
                await send_once(db, self.settings, f"round-{round_id}/{kind}/{draft.id}",
                                f"draft-{draft.id}", [p.email for p in members], template,
                                {**context, "title": draft.title,
                                 "link": f"{self.settings.base_url}/applications/{draft.id}"})
        return len(drafts)

    @activity.defn(name="commit_budget")
    async def commit_budget(self, cmd: SetCommitment) -> None:
        """Set the grant's commitment in the ledger; a refusal is final, not retried."""
        try:
            async with self._ledger_turns:
                await programme.set_commitment(self.client, self.scheme.scheme.id, cmd)
        except grants.ActionRefused as exc:
            raise ApplicationError(str(exc), type="BudgetRefused", non_retryable=True) from None
        get_logger(grant=cmd.reference, workflow_id=activity.info().workflow_id,
                   actor=cmd.actor.name).info("ledger.committed", amount=cmd.amount_cents)

    @activity.defn(name="tell_round")
    async def tell_round(self, scored: ScoredGrant) -> None:
        try:
            await self.client.get_workflow_handle(round_workflow_id(scored.round_id)).signal(
                "grant_scored", scored)
        except RPCError as exc:
            if exc.status != RPCStatusCode.NOT_FOUND:  # NOT_FOUND: the round has finished
                raise

    @activity.defn(name="propose_allocation")
    async def propose_allocation(self, scored: list[ScoredGrant]) -> Proposal:
        """Rank the round's scored grants and fund them in order within what the ledger lets
        the round still commit (LedgerStatus.room)."""
        round_id = scored[0].round_id if scored else ""
        verdicts = {s.reference: s.verdict for s in scored}
        async with self.sessions() as db:
            rows = (await db.exec(
                select(Application, Organisation)
                .join(Organisation, Organisation.id == Application.organisation_id)
                .where(Application.reference.in_(list(verdicts))))).all()
        candidates = [Candidate(
            reference=app.reference, requested_cents=app.requested_cents,
            verdict=verdicts[app.reference], organisation=org.name,
            organisation_type=org.organisation_type, pillars=tuple(app.pillars),
            target_groups=tuple(app.target_groups), submitted_at=app.submitted_at)
            for app, org in rows]
        ledger = await programme.ledger(self.client, self.scheme.scheme.id)
        budget = ledger.room(round_id)
        rubric = self.scheme.rubrics[self.scheme.round(round_id).rubric] if round_id else None
        allocations = allocate(candidates, budget, rubric) if rubric else []
        get_logger(round=round_id, workflow_id=activity.info().workflow_id).info(
            "round.proposed", candidates=len(candidates), budget=budget)
        return Proposal(budget_cents=budget, candidates=sorted(candidates,
                                                               key=lambda c: c.reference),
                        allocations=allocations,
                        second_approval=self.scheme.scheme.allocation_second_approval)

    @activity.defn(name="deliver_decisions")
    async def deliver_decisions(self, delivery: Delivery) -> list[str]:
        """Each grant of the confirmed allocation gets its decision, in the order of the ranking;
        returns those not taken, "<reference>: <why>", which stay with the team: any a grant
        refused (its ledger check, say), and every award ranked below a refused award, which
        would otherwise pass it by. Safe to repeat. It heartbeats after each grant, so a
        delivery cut off (its worker stopped) is taken up again within the heartbeat timeout,
        however long the round's delivery runs."""
        refused: list[str] = []
        held_back = False  # an award was refused: those ranked below it are the team's
        second = delivery.approved_by
        approved = (f" (verdeling goedgekeurd door {second.name} / allocation approved by "
                    f"{second.name})" if second else "")
        for done, a in enumerate(delivery.allocations):
            activity.heartbeat(done)
            if (await grants.status(self.client, a.reference)).stage != Stage.DECISION:
                continue  # decided already (a retried delivery)
            funded = a.outcome == Outcome.FUNDED
            if funded and held_back:
                refused.append(f"{a.reference}: {HELD_BACK}")
                continue
            try:
                await grants.act(self.client, a.reference, "decide", DecisionInput(
                    actor=delivery.actor, award=funded, amount_cents=a.amount_cents,
                    reason=f"{a.nl} / {a.en}{approved}"))
            except grants.ActionRefused as exc:
                refused.append(f"{a.reference}: {exc}")
                held_back = held_back or funded
        get_logger(workflow_id=activity.info().workflow_id, actor=delivery.actor.name).info(
            "round.decisions_delivered", decisions=len(delivery.allocations), refused=refused)
        return refused

    @activity.defn(name="release_round")
    async def release_round(self, references: list[str]) -> None:
        """The round has closed: tell each accepted grant, so eligible ones go to assessment."""
        for reference in references:
            try:
                await self.client.get_workflow_handle(grant_workflow_id(reference)).signal(
                    "round_closed")
            except RPCError as exc:
                if exc.status != RPCStatusCode.NOT_FOUND:  # NOT_FOUND: the grant already ended
                    raise
        get_logger(workflow_id=activity.info().workflow_id).info(
            "round.released", grants=len(references))
