"""The mail activities: a grant's e-mail to its applicant, and, through the recipients' digest,
to its assessors and the programme team."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import exists, select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio import activity

from domain import terms
from domain.lifecycle import Role, Stage
from domain.scheme import Scheme
from domain.types import DigestParams, DigestRequest, MailRequest, Recipients
from regie.links import report_token
from regie.logging import get_logger
from regie.mail import applicant_contacts, deliver, record, recorded, render, send_once
from regie.records import Application, AssessmentRecord, AssessorAssignment, MailNotice, Person
from regie.settings import Settings
from workflows.digest import DigestWorkflow, digest_workflow_id

# The mail that asks a grant's assessors to assess: held as the assignment itself, which their
# digest names with its last day if it is still theirs to score then.
ASSIGNED = "assessment_assigned"
# A digest waits for a quiet time, but no longer than this many of them from its first mail.
LONGEST_QUIETS = 4


class MailActivities:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Settings,
                 scheme: Scheme) -> None:
        self.sessions = sessions
        self.settings = settings
        self.scheme = scheme
        self.link_valid_days = scheme.defaults.reporting.link_valid_days
        self.projects_end = f"{scheme.scheme.projects_end:%d-%m-%Y}"

    @activity.defn(name="send_mail")
    async def send_mail(self, req: MailRequest) -> None:
        async with self.sessions() as db:
            app = (await db.exec(select(Application.reference, Application.title,
                                        Application.organisation_id).where(
                Application.reference == req.reference))).one()
            context = {"reference": app.reference, "title": app.title,
                       "projects_end": self.projects_end,
                       "link": f"{self.settings.base_url}/grants/{app.reference}",
                       "organisation_link": f"{self.settings.base_url}/organisation",
                       **req.context}
            if req.recipients != Recipients.APPLICANT:
                await self._hold(db, req, context)
                return
            people = await applicant_contacts(db, app.organisation_id)
            if req.report_index is None:
                await send_once(db, self.settings, req.key, req.reference,
                                [p.email for p in people], req.template, context)
            else:  # one mail per contact, each with a personal link to the report form
                expires = datetime.now(timezone.utc) + timedelta(
                    days=self.link_valid_days)
                for person in people:
                    token = report_token(self.settings.secret_key, person.id, app.reference,
                                         req.report_index, expires)
                    await send_once(db, self.settings, f"{req.key}/{person.id}", req.reference,
                                    [person.email], req.template,
                                    {**context, "link": f"{self.settings.base_url}/report/{token}"})
        get_logger(grant=req.reference, workflow_id=activity.info().workflow_id,
                   mail=req.key).info("mail.sent", template=req.template)

    async def _hold(self, db: AsyncSession, req: MailRequest, context: dict[str, str]) -> None:
        """Hold a mail to the team, or to each of the assessors, for their digest, once (a
        retried attempt finds it held), and nudge each digest's run."""
        if req.recipients == Recipients.TEAM:
            targets: list[int | None] = [None]
        else:
            targets = list((await db.exec(select(Person.id).where(
                Person.active, Person.id.in_(req.assessor_ids)))).all())
        subject, body = ("", "") if req.template == ASSIGNED else render(req.template, **context)
        for assessor_id in targets:
            to = "team" if assessor_id is None else assessor_id
            db.add(MailNotice(key=f"{req.key}/{to}", assessor_id=assessor_id,
                              reference=req.reference,
                              kind="assigned" if req.template == ASSIGNED else "mail",
                              subject=subject, body=body))
            try:
                await db.commit()
            except IntegrityError:  # held by an earlier attempt; its nudge may not have gone
                await db.rollback()
        notifications = self.scheme.notifications
        for assessor_id in targets:
            minutes = (notifications.team_digest_minutes if assessor_id is None
                       else notifications.assessor_digest_minutes)
            await activity.client().start_workflow(
                DigestWorkflow.run, DigestParams(
                    assessor_id=assessor_id, quiet=timedelta(minutes=minutes),
                    longest=timedelta(minutes=minutes * LONGEST_QUIETS),
                    ends_at=self.scheme.end_of_day_utc(self.scheme.scheme.books_close)),
                id=digest_workflow_id(assessor_id), task_queue=self.settings.task_queue,
                start_signal="held")
        get_logger(grant=req.reference, workflow_id=activity.info().workflow_id,
                   mail=req.key).info("mail.held", template=req.template)

    @activity.defn(name="send_digest")
    async def send_digest(self, req: DigestRequest) -> None:
        """Tell an assessor (or the team) in one e-mail under `req.key` what was held for them
        and not yet told: the assignments still theirs to score, with their last days, and the
        mails held, by subject with their grant's page; one mail held and nothing else goes as
        it was written. The notices and the mail are recorded in one transaction, so a retried
        attempt sends that same mail, and what was held since waits for the next."""
        async with self.sessions() as db:
            mail = await recorded(db, req.key)
            if mail is not None:
                await deliver(db, self.settings, mail)
                return
            notices = (await db.exec(select(MailNotice).where(
                MailNotice.assessor_id == req.assessor_id if req.assessor_id is not None
                else MailNotice.assessor_id.is_(None),
                MailNotice.digest_key.is_(None)).order_by(MailNotice.id))).all()
            for notice in notices:
                notice.digest_key = req.key
                db.add(notice)
            assigned = await self._still_to_assess(db, req.assessor_id, {
                n.reference for n in notices if n.kind == "assigned"})
            held = sorted((n for n in notices if n.kind == "mail"),
                          key=lambda n: (n.subject, n.id))
            recipients = await self._recipients(db, req.assessor_id)
            if not (assigned or held) or not recipients:
                await db.commit()
                return
            if len(held) == 1 and not assigned:
                subject, body = held[0].subject, held[0].body
            else:
                subject, body = render("digest", assigned=assigned, held=[
                    {"subject": n.subject, "link": f"{self.settings.base_url}/grants/{n.reference}"}
                    for n in held], overview_link=self.settings.base_url + (
                        "/team" if req.assessor_id is None else "/assessor"))
            # filed under its grant when it is about one (retention treats it as the grant's
            # mail), else under the digest (it names references and subjects only)
            grants = {item["reference"] for item in assigned} | {n.reference for n in held}
            about = grants.pop() if len(grants) == 1 else digest_workflow_id(req.assessor_id)
            await deliver(db, self.settings, await record(db, self.settings, req.key, about,
                                                          recipients, subject, body))
        get_logger(workflow_id=activity.info().workflow_id, mail=req.key).info(
            "mail.sent", template="digest", assigned=len(assigned), held=len(held))

    async def _recipients(self, db: AsyncSession, assessor_id: int | None) -> list[str]:
        """The assessor's address, or the active team's; none for an assessor no longer active."""
        query = select(Person.email).where(Person.active)
        return list((await db.exec(query.where(
            Person.role == Role.PROGRAMME_TEAM.value if assessor_id is None
            else Person.id == assessor_id).order_by(Person.id))).all())

    async def _still_to_assess(self, db: AsyncSession, assessor_id: int | None,
                               references: set[str]) -> list[dict[str, str]]:
        """Of `references`, those the assessor is assigned to and has not scored, in assessment
        still, in reference order: each with its last day and its page."""
        if assessor_id is None or not references:
            return []
        scored = exists().where(AssessmentRecord.application_id == Application.id,
                                AssessmentRecord.assessor_id == assessor_id)
        rows = (await db.exec(
            select(Application.reference, Application.deadline)
            .join(AssessorAssignment, AssessorAssignment.application_id == Application.id)
            .where(AssessorAssignment.assessor_id == assessor_id,
                   Application.reference.in_(references),
                   Application.stage == Stage.ASSESSMENT.value, ~scored)
            .order_by(Application.reference))).all()
        zone = self.scheme.scheme.timezone
        return [{"reference": reference,
                 "last_day": terms.last_day_of(deadline, zone).isoformat() if deadline else "",
                 "link": f"{self.settings.base_url}/grants/{reference}"}
                for reference, deadline in rows]
