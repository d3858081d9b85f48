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
