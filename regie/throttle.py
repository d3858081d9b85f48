"""Throttling of signing in: a key (a password for an address, a code for a person, password
resets for a person) that failed too often within a window is closed until the window has
passed. Counted in the database, so every web app replica sees the same attempts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from regie.records import SignInAttempt, utcnow

KEPT = timedelta(days=1)  # attempts older than any window are removed as new ones come


@dataclass(frozen=True)
class Limit:
    kind: str
    attempts: int
    window: timedelta

    def key(self, who: str | int) -> str:
        return f"{self.kind}:{who}"


PASSWORD = Limit("password", 10, timedelta(minutes=15))  # wrong passwords for one address
CODE = Limit("code", 5, timedelta(minutes=15))  # wrong codes for one person: 5 of a million
RESET = Limit("reset", 3, timedelta(hours=1))  # reset mails to one person


async def closed(db: AsyncSession, limit: Limit, who: str | int) -> bool:
    """Whether `who` has used up `limit` within its window."""
    since = utcnow() - limit.window
    count = (await db.exec(select(func.count()).select_from(SignInAttempt).where(
        SignInAttempt.key == limit.key(who), SignInAttempt.at > since))).one()
    return count >= limit.attempts


async def count(db: AsyncSession, limit: Limit, who: str | int) -> None:
    """Count an attempt against `who`, and forget attempts older than a day."""
    db.add(SignInAttempt(key=limit.key(who)))
    await db.exec(delete(SignInAttempt).where(SignInAttempt.at < utcnow() - KEPT))
    await db.commit()


async def forget(db: AsyncSession, limit: Limit, who: str | int) -> None:
    """A success: `who` starts again from no attempts."""
    await db.exec(delete(SignInAttempt).where(SignInAttempt.key == limit.key(who)))
    await db.commit()
