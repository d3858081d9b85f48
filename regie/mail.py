"""E-mail through the outbox: each message recorded once under its key, then sent over SMTP."""

from __future__ import annotations

import asyncio
import hashlib
import smtplib
from email.message import EmailMessage

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy import Engine, create_engine, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from regie import ROOT
from domain.lifecycle import Role
from domain.text import day
from regie.db import MAIL_MAX_OVERFLOW, MAIL_POOL_SIZE, sync_url
from regie.records import OutboxMail, Person, utcnow
from regie.settings import Settings

TEMPLATES = Environment(loader=FileSystemLoader(ROOT / "templates" / "email"),
                        undefined=StrictUndefined, keep_trailing_newline=True)
TEMPLATES.filters["day"] = day


def render(template: str, **context) -> tuple[str, str]:
    """Subject and body of an e-mail template (first line `Subject: …`)."""
    subject, _, body = TEMPLATES.get_template(f"{template}.txt").render(**context).partition("\n")
    return subject.removeprefix("Subject:").strip(), body.lstrip()


async def applicant_contacts(db: AsyncSession, organisation_id: int) -> list[Person]:
    """The active members of an applying organisation: who gets its grant's mail."""
    return list((await db.exec(select(Person).where(
        Person.organisation_id == organisation_id, Person.role == Role.GRANTEE.value,
        Person.active).order_by(Person.id))).all())


async def send_once(db: AsyncSession, settings: Settings, key: str, about: str,
                    recipients: list[str], template: str, context: dict[str, str],
                    attachment: str = "") -> OutboxMail:
    """Record the mail under `key` unless it is there already, then send it if not yet sent.
    `about` is what the outbox files it under: a grant's reference, a draft, an organisation."""
    mail = await recorded(db, key)
    if mail is None:
        mail = await record(db, settings, key, about, recipients, *render(template, **context),
                            attachment)
    return await deliver(db, settings, mail)


async def recorded(db: AsyncSession, key: str) -> OutboxMail | None:
    """The mail recorded under `key`, if any."""
    return (await db.exec(select(OutboxMail).where(OutboxMail.key == key))).first()


async def record(db: AsyncSession, settings: Settings, key: str, about: str,
                 recipients: list[str], subject: str, body: str,
                 attachment: str = "") -> OutboxMail:
    """Record a mail written already under `key`, with whatever the session holds besides, in
    one commit; deliver() sends it."""
    kept = not (settings.smtp_host and recipients)  # nothing to hand over: kept at once
    mail = OutboxMail(key=key, reference=about, recipients=sorted(recipients), subject=subject,
                      body=body, attachment=attachment, status="kept" if kept else "pending",
                      sent_at=utcnow() if kept else None)
    db.add(mail)
    try:
        await db.commit()
    except IntegrityError:  # a concurrent attempt recorded it first
        await db.rollback()
        mail = (await db.exec(select(OutboxMail).where(OutboxMail.key == key))).one()
    return mail


async def deliver(db: AsyncSession, settings: Settings, mail: OutboxMail) -> OutboxMail:
    """Send a recorded mail if it is still pending (see send_once)."""
    if mail.status != "pending":
        return mail
    if settings.smtp_host and mail.recipients:
        await asyncio.to_thread(_deliver, settings, mail)
        await db.refresh(mail)
        return mail
    mail.status, mail.sent_at = "kept", utcnow()  # recorded for a relay no longer configured
    db.add(mail)
    await db.commit()
    return mail


def _deliver(settings: Settings, mail: OutboxMail) -> None:
    """Hand the mail to the relay and record that it did, exactly once across attempts.

    The mail's outbox row is held (PostgreSQL's row lock, SQLite's write lock) from just before
    the hand-over until its acceptance is recorded. An attempt running at the same time waits,
    then finds it sent; and once the relay has said yes, the record of it waits for no one. Only
    a death between the relay's yes and that one commit can send it twice, and then with the
    same Message-ID, so mail clients that de-duplicate show it once."""
    msg = _message(settings, mail)
    smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30)
    try:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        with _engine(settings.database_url).begin() as connection:
            pending = (OutboxMail.key == mail.key, OutboxMail.status == "pending")
            held = connection.execute(update(OutboxMail).where(*pending).values(status="pending"))
            if held.rowcount == 0:
                return  # another attempt delivered it meanwhile
            smtp.send_message(msg)  # accepted by the relay: handed over
            connection.execute(update(OutboxMail).where(*pending).values(
                status="sent", sent_at=utcnow()))
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            pass  # the relay has the message; a lost goodbye changes nothing


def _message(settings: Settings, mail: OutboxMail) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = ", ".join(mail.recipients)
    msg["Subject"] = mail.subject
    # the same for every attempt at this mail
    msg["Message-ID"] = f"<{hashlib.sha256(mail.key.encode()).hexdigest()[:32]}@regie>"
    msg["X-Regie-Key"] = mail.key
    msg.set_content(mail.body)
    if mail.attachment:
        path = settings.data_dir / mail.attachment
        msg.add_attachment(path.read_bytes(), maintype="application", subtype="pdf",
                           filename=path.name)
    return msg


_SYNC_ENGINES: dict[str, Engine] = {}


def _engine(database_url: str) -> Engine:
    """The delivering threads' own engine: they write without the event loop."""
    engine = _SYNC_ENGINES.get(database_url)
    if engine is None:
        engine = _SYNC_ENGINES.setdefault(database_url, create_engine(
            sync_url(database_url), pool_size=MAIL_POOL_SIZE, max_overflow=MAIL_MAX_OVERFLOW,
            connect_args={"timeout": 30} if database_url.startswith("sqlite") else {}))
    return engine
