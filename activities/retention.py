"""Removing personal data after its term (terms in the scheme file, rules in domain.retention).

What stays: each application's anonymised record (reference, round, organisation, amounts,
stage, pillars and target groups), its decision and assessments, and the audit log, whose hash
chain is never touched. What goes: application texts and the people named in them, the
recipients and bodies of its e-mails, drafts never submitted (of applications, and of the
reports of grants that have ended, with the files sent with them alone), and the accounts of
applicants with nothing left in Regie.

Keeping comes first: every closed run of a grant, round or the ledger (the ledger's earlier
runs as it continues as new) gets its Temporal history copied into Regie's database
(regie.histories) before the namespace's retention period removes it from Temporal; the copy
of a grant not funded goes with its personal data. A round's or ledger's run is read once more
as it is kept, for a scheme-file change whose worker stopped before its audit entry
(regie.alignment)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import delete, select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio import activity
from temporalio.client import Client

from domain.lifecycle import ENDED, Role
from domain.retention import NOT_FUNDED, term_passed
from domain.scheme import Scheme
from domain.types import RetentionReport
from regie import alignment, audit, histories, report_drafts
from regie.logging import get_logger
from regie.programme import ledger_workflow_id
from regie.rounds import round_workflow_id
from regie.temporal import grant_workflow_id
from regie.records import (
    Application, GrantEvent, Invitation, KeptHistory, MailNotice, OutboxMail, Person,
    ProjectActivity, ReportDraft, WebSession,
)

REMOVED = "[verwijderd / removed]"


class RetentionActivities:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], scheme: Scheme,
                 client: Client, attachments: Path) -> None:
        self.sessions = sessions
        self.scheme = scheme
        self.client = client
        self.attachments = attachments  # the folder of the files sent with reports

    @activity.defn(name="apply_retention")
    async def apply_retention(self, now: datetime) -> RetentionReport:
        """Safe to repeat: what was removed is not removed twice."""
        terms = self.scheme.retention
        async with self.sessions() as db:
            ended = (await db.exec(select(Application.reference).where(
                Application.stage.in_([s.value for s in ENDED]),
                Application.anonymised_at.is_(None)))).all()
            kept = await histories.keep_closed(db, self.client, [
                *(grant_workflow_id(reference) for reference in ended),
                *(round_workflow_id(r.id) for r in self.scheme.rounds),
                ledger_workflow_id(self.scheme.scheme.id)],
                before_keeping=alignment.record_unrecorded)
            anonymised = []
            for app in (await db.exec(select(Application).where(
                    Application.stage.in_([s.value for s in NOT_FUNDED]),
                    Application.anonymised_at.is_(None)))).all():
                ended = (await db.exec(select(func.max(GrantEvent.at)).where(
                    GrantEvent.application_id == app.id))).one() or app.updated_at
                if term_passed(ended, terms.not_funded_months, now):
                    await _anonymise(db, app, now)
                    anonymised.append(app.reference)
            drafts = 0
            for app in (await db.exec(select(Application).where(
                    Application.reference.is_(None)))).all():
                closes = self.scheme.local_to_utc(self.scheme.round(app.round_id).closes)
                # from its last change, if later: a draft written after its round closed (by
                # an import or the demo, about to be started) is not removed under its writer
                if term_passed(max(closes, app.updated_at), terms.drafts_months, now):
                    await db.exec(delete(ProjectActivity).where(
                        ProjectActivity.application_id == app.id))
                    await db.delete(app)
                    drafts += 1
            await db.flush()
            report_drafts_removed = await report_drafts.remove_drafts(
                db, self.attachments, (await db.exec(select(ReportDraft.reference).join(
                    Application, Application.reference == ReportDraft.reference).where(
                    Application.stage.in_([s.value for s in ENDED])))).all())
            people = await _anonymise_people_without_grants(db)
            report = RetentionReport(anonymised_applications=tuple(anonymised),
                                     removed_drafts=drafts, anonymised_people=people,
                                     kept_histories=tuple(kept),
                                     removed_report_drafts=report_drafts_removed)
            await db.commit()
            if anonymised or drafts or people or report_drafts_removed:
                await audit.append(db, "Regie", Role.SYSTEM.value, "retention",
                                   "personal data", report.model_dump(mode="json"))
        get_logger(workflow_id=activity.info().workflow_id).info(
            "retention.applied", applications=len(anonymised), drafts=drafts,
            report_drafts=report_drafts_removed, people=people,
            histories=len(kept))
        return report


async def _anonymise(db: AsyncSession, app: Application, now: datetime) -> None:
    app.summary, app.sections, app.marginalised_groups = "", {}, []
    app.anonymised_at = now
    db.add(app)
    for act in (await db.exec(select(ProjectActivity).where(
            ProjectActivity.application_id == app.id))).all():
        act.goal = act.monitoring = act.description = act.who_does_what = ""
        act.lines = [{**line, "description": ""} for line in act.lines]
        db.add(act)
    for mail in (await db.exec(select(OutboxMail).where(
            OutboxMail.reference == app.reference))).all():
        mail.recipients, mail.body = [], REMOVED
        db.add(mail)
    await db.exec(update(MailNotice).where(MailNotice.reference == app.reference).values(
        body=REMOVED))
    await db.exec(delete(KeptHistory).where(
        KeptHistory.workflow_id == grant_workflow_id(app.reference)))


async def _anonymise_people_without_grants(db: AsyncSession) -> int:
    """Applicants whose organisation has nothing left in Regie but anonymised records."""
    live = select(Application.organisation_id).where(Application.anonymised_at.is_(None))
    people = (await db.exec(select(Person).where(
        Person.role == Role.GRANTEE.value, Person.active,
        Person.organisation_id.is_not(None), Person.organisation_id.not_in(live),
        Person.organisation_id.in_(select(Application.organisation_id))))).all()
    for person in people:
        await db.exec(delete(WebSession).where(WebSession.person_id == person.id))
        await db.exec(delete(Invitation).where(Invitation.email == person.email))
        person.name, person.email = REMOVED, f"verwijderd-{person.id}@regie.invalid"
        person.password_hash, person.active = "!", False
        person.totp_secret, person.totp_enabled = "", False
        db.add(person)
    return len(people)
