"""The mail activity: render a template, record it once in the outbox, send it over SMTP."""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio import activity

from domain.lifecycle import Role
from domain.types import MailRequest, Recipients
from regie import ROOT
from regie.logging import get_logger
from regie.records import Application, OutboxMail, Person, utcnow
from regie.settings import Settings


class MailActivities:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self.sessions = sessions
        self.settings = settings
        self.templates = Environment(loader=FileSystemLoader(ROOT / "templates" / "email"),
                                     undefined=StrictUndefined, keep_trailing_newline=True)

    @activity.defn(name="send_mail")
    async def send_mail(self, req: MailRequest) -> None:
        log = get_logger(grant=req.reference, workflow_id=activity.info().workflow_id,
                         mail=req.key)
        async with self.sessions() as db:
            mail = (await db.exec(select(OutboxMail).where(OutboxMail.key == req.key))).first()
            if mail is None:
                mail = await self._compose(db, req)
                db.add(mail)
                try:
                    await db.commit()
                except IntegrityError:  # a concurrent attempt recorded it first
                    await db.rollback()
                    mail = (await db.exec(select(OutboxMail).where(
                        OutboxMail.key == req.key))).one()
            if mail.status != "pending":
                return
            if self.settings.smtp_host and mail.recipients:
                await asyncio.to_thread(self._deliver, mail)
                mail.status = "sent"
            else:
                mail.status = "kept"
            mail.sent_at = utcnow()
            db.add(mail)
            await db.commit()
        log.info("mail.sent", status=mail.status, template=req.template)

    async def _compose(self, db: AsyncSession, req: MailRequest) -> OutboxMail:
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
        recipients = sorted((await db.exec(query)).all())
        text = self.templates.get_template(f"{req.template}.txt").render(
            reference=app.reference, title=app.title, link=f"{self.settings.base_url}/grants/"
            f"{app.reference}", **req.context)
        subject, _, body = text.partition("\n")
        return OutboxMail(key=req.key, reference=req.reference, recipients=recipients,
                          subject=subject.removeprefix("Subject:").strip(), body=body.lstrip())

    def _deliver(self, mail: OutboxMail) -> None:
        msg = EmailMessage()
        msg["From"] = self.settings.mail_from
        msg["To"] = ", ".join(mail.recipients)
        msg["Subject"] = mail.subject
        msg["Message-ID"] = make_msgid(idstring=str(mail.id), domain="regie")
        msg["X-Regie-Key"] = mail.key
        msg.set_content(mail.body)
        with smtplib.SMTP(self.settings.smtp_host, self.settings.smtp_port, timeout=30) as smtp:
            if self.settings.smtp_starttls:
                smtp.starttls()
            if self.settings.smtp_user:
                smtp.login(self.settings.smtp_user, self.settings.smtp_password)
            smtp.send_message(msg)
