"""The mail activity: a grant's e-mail to its applicant, assessors or the programme team."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio import activity

from domain.lifecycle import Role
from domain.types import MailRequest, Recipients
from regie.logging import get_logger
from regie.mail import send_once
from regie.records import Application, Person
from regie.settings import Settings


class MailActivities:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self.sessions = sessions
        self.settings = settings

    @activity.defn(name="send_mail")
    async def send_mail(self, req: MailRequest) -> None:
        async with self.sessions() as db:
            app = (await db.exec(select(Application).where(
                Application.reference == req.reference))).one()
            query = select(Person.email).where(Person.active)
            if req.recipients == Recipients.APPLICANT:
                query = query.where(Person.organisation_id == app.organisation_id,
                                    Person.role == Role.GRANTEE.value)
            elif req.recipients == Recipients.TEAM:
                query = query.where(Person.role == Role.PROGRAMME_TEAM.value)
            else:
                query = query.where(Person.id.in_(req.assessor_ids))
            recipients = list((await db.exec(query)).all())
            mail = await send_once(
                db, self.settings, req.key, req.reference, recipients, req.template,
                {"reference": app.reference, "title": app.title,
                 "link": f"{self.settings.base_url}/grants/{app.reference}", **req.context})
        get_logger(grant=req.reference, workflow_id=activity.info().workflow_id,
                   mail=req.key).info("mail.sent", status=mail.status, template=req.template)
