"""The mail activities: a grant's e-mail to its applicant, assessors or the programme team, and
an assessor's digest of their new assignments."""

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
from regie.mail import applicant_contacts, deliver, send_once
from regie.records import (
    Application,
    AssessmentRecord,
    AssessorAssignment,
    AssignmentNotice,
    OutboxMail,
    Person,
)
from regie.settings import Settings
from workflows.digest import DigestWorkflow, digest_workflow_id

# The grant workflow's mail that asks its assessors to assess: each assessor's is noted for their
# next digest (DigestWorkflow) instead of sent at once, so that the twenty assignments of one
# sitting reach an assessor as one e-mail.
ASSIGNED = "assessment_assigned"


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
            if req.recipients == Recipients.APPLICANT:
                people = await applicant_contacts(db, app.organisation_id)
            else:
                query = select(Person).where(Person.active)
                people = list((await db.exec(query.where(
                    Person.role == Role.PROGRAMME_TEAM.value if req.recipients == Recipients.TEAM
                    else Person.id.in_(req.assessor_ids)))).all())
            context = {"reference": app.reference, "title": app.title,
                       "projects_end": self.projects_end,
                       "link": f"{self.settings.base_url}/grants/{app.reference}",
                       "organisation_link": f"{self.settings.base_url}/organisation",
                       **req.context}
            if req.template == ASSIGNED:
                await self._note_assignment(db, req, people)
            elif req.report_index is None:
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

    async def _note_assignment(self, db: AsyncSession, req: MailRequest,
                               people: list[Person]) -> None:
        """Note the assignment for each assessor's digest, once, and nudge their digest run."""
        assessor_ids = [person.id for person in people]  # a rollback below expires `people`
        for assessor_id in assessor_ids:
            db.add(AssignmentNotice(key=f"{req.key}/{assessor_id}", assessor_id=assessor_id,
                                    reference=req.reference))
            try:
                await db.commit()
            except IntegrityError:  # noted by an earlier attempt; its nudge may not have gone
                await db.rollback()
        for assessor_id in assessor_ids:
            await activity.client().start_workflow(
                DigestWorkflow.run, DigestParams(
                    assessor_id=assessor_id,
                    quiet=timedelta(minutes=self.scheme.notifications.assignment_digest_minutes),
                    ends_at=self.scheme.end_of_day_utc(self.scheme.scheme.books_close)),
                id=digest_workflow_id(assessor_id), task_queue=self.settings.task_queue,
                start_signal="assigned")

    @activity.defn(name="send_assignment_digest")
    async def send_assignment_digest(self, req: DigestRequest) -> int:
        """Tell an assessor, in one e-mail under `req.key`, the assignments noted for them and
        not yet told that are still theirs to assess; how many it names. The notices and the
        mail are recorded in one transaction, so a retried attempt sends that same mail."""
        async with self.sessions() as db:
            mail = (await db.exec(select(OutboxMail).where(OutboxMail.key == req.key))).first()
            if mail is not None:
                await deliver(db, self.settings, mail)
                return len(mail.reference.split(", "))
            notices = (await db.exec(select(AssignmentNotice).where(
                AssignmentNotice.assessor_id == req.assessor_id,
                AssignmentNotice.digest_key.is_(None)))).all()
            for notice in notices:
                notice.digest_key = req.key
                db.add(notice)
            person = await db.get(Person, req.assessor_id)
            items = await self._still_to_assess(db, req.assessor_id,
                                                {n.reference for n in notices})
            if not items or person is None or not person.active:
                await db.commit()
                return 0
            await send_once(db, self.settings, req.key,
                            ", ".join(item["reference"] for item in items), [person.email],
                            "assessment_digest",
                            {"items": items, "overview_link": f"{self.settings.base_url}/assessor"})
        get_logger(workflow_id=activity.info().workflow_id, mail=req.key).info(
            "mail.sent", template="assessment_digest", grants=len(items))
        return len(items)

    async def _still_to_assess(self, db: AsyncSession, assessor_id: int,
                               references: set[str]) -> list[dict[str, str]]:
        """Of `references`, those the assessor is assigned to and has not scored, in assessment
        still, in reference order: each with its last day and its page."""
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
