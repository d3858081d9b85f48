"""The mail activity: a grant's e-mail to its applicant, assessors or the programme team."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio import activity

from domain.lifecycle import Role
from domain.scheme import Scheme
from domain.types import MailRequest, Recipients
from regie.links import report_token
from regie.logging import get_logger
from regie.mail import applicant_contacts, send_once
from regie.records import Application, Person
from regie.settings import Settings


class MailActivities:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Settings,
                 scheme: Scheme) -> None:
        self.sessions = sessions
        self.settings = settings
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
