"""Activities of the programme: start an accepted grant, remind drafts, release a round at
closing, and commit a grant's money in the ledger."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from domain.lifecycle import Role
from domain.scheme import Scheme
from domain.types import SetCommitment, StartGrant
from regie import grants, programme
from regie.logging import get_logger
from regie.mail import send_once
from regie.records import Application, Person
from regie.rounds import local_text
from regie.settings import Settings
from regie.temporal import grant_workflow_id


class RoundActivities:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], client: Client,
                 scheme: Scheme, settings: Settings) -> None:
        self.sessions = sessions
        self.client = client
        self.scheme = scheme
        self.settings = settings

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
        rnd = self.scheme.round(round_id)
        sent = 0
        async with self.sessions() as db:
            drafts = (await db.exec(select(Application).where(
                Application.round_id == round_id, Application.reference.is_(None)))).all()
            for draft in drafts:
                members = (await db.exec(select(Person.email).where(
                    Person.organisation_id == draft.organisation_id,
                    Person.role == Role.GRANTEE.value, Person.active))).all()
                await send_once(db, self.settings, f"round-{round_id}/draft-reminder/{draft.id}",
                                f"draft-{draft.id}", list(members), "draft_reminder",
                                {"title": draft.title, "closes": local_text(self.scheme, rnd),
                                 "link": f"{self.settings.base_url}/applications/{draft.id}"})
                sent += 1
        get_logger(round=round_id).info("round.drafts_reminded", drafts=sent)
        return sent

    @activity.defn(name="commit_budget")
    async def commit_budget(self, cmd: SetCommitment) -> None:
        """Set the grant's commitment in the ledger; a refusal is final, not retried."""
        try:
            await programme.set_commitment(self.client, self.scheme.scheme.id, cmd)
        except grants.ActionRefused as exc:
            raise ApplicationError(str(exc), type="BudgetRefused", non_retryable=True) from None
        get_logger(grant=cmd.reference, workflow_id=activity.info().workflow_id,
                   actor=cmd.actor.name).info("ledger.committed", amount=cmd.amount_cents)

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
