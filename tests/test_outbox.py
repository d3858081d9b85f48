"""The outbox hands each mail to the relay once, also when attempts at it run at the same time
(an activity retried while a slow first attempt still runs). A real SMTP server in-process; on
SQLite and on PostgreSQL (the suite's second pass)."""

from __future__ import annotations

import asyncio

from sqlmodel import select

from regie.mail import send_once
from regie.records import OutboxMail


async def test_attempts_at_one_mail_at_the_same_time_deliver_it_once(settings, sessions, smtp):
    relay = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": smtp.port})

    async def attempt() -> OutboxMail:
        async with sessions() as db:
            return await send_once(db, relay, "grant-SV2026-0001/archived", "SV2026-0001",
                                   ["contact@uu.example"], "archived",
                                   {"reference": "SV2026-0001", "title": "Veilig"})

    mails = await asyncio.gather(*(attempt() for _ in range(6)))
    assert {m.status for m in mails} == {"sent"}
    assert [str(m["X-Regie-Key"]) for m in smtp.messages] == ["grant-SV2026-0001/archived"]
    async with sessions() as db:
        assert len((await db.exec(select(OutboxMail))).all()) == 1


async def test_without_a_relay_a_mail_is_kept_and_one_left_for_a_relay_is_kept_later(
        settings, sessions):
    """No SMTP server configured (`smtp_host` empty): the mail is recorded as kept, to be read
    in the outbox; one recorded while a relay was configured, and not delivered, is kept when
    an attempt finds no relay any more."""
    assert not settings.smtp_host
    async with sessions() as db:
        db.add(OutboxMail(key="grant-SV2026-0002/awarded", reference="SV2026-0002",
                          recipients=["contact@uu.example"], subject="s", body="b"))
        await db.commit()
        for key in ("grant-SV2026-0001/archived", "grant-SV2026-0002/awarded"):
            await send_once(db, settings, key, key[6:17], ["contact@uu.example"], "archived",
                            {"reference": key[6:17], "title": "Veilig"})
    async with sessions() as db:
        mails = (await db.exec(select(OutboxMail).order_by(OutboxMail.key))).all()
    assert [(m.key, m.status, m.sent_at is not None) for m in mails] == [
        ("grant-SV2026-0001/archived", "kept", True), ("grant-SV2026-0002/awarded", "kept", True)]
    assert mails[0].subject == "Project afgerond: SV2026-0001 / Project completed"
