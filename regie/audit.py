"""The hash-chained audit log: append an entry, and verify that none was altered or removed."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from regie.records import AuditEntry, Person, utcnow

GENESIS = "0" * 64

# Who the log (and an invitation mail) names for an operator's command, where no person acts.
OPERATOR = "De beheerder van Regie / Regie's administrator"
OPERATOR_ROLE = "operator"


def entry_hash(prev_hash: str, at: datetime, actor: str, role: str, action: str, subject: str,
               detail: dict, actor_id: int | None = None) -> str:
    """The entry's hash; the time in UTC, whatever zone the database hands it back in. The
    actor's number counts where there is one (an entry without, as all before 0031, hashes
    as it always did)."""
    moment = at.astimezone(timezone.utc).isoformat()
    fields = [prev_hash, moment, actor, role, action, subject, detail]
    if actor_id is not None:
        fields.append(actor_id)
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def append(db: AsyncSession, actor: str, role: str, action: str, subject: str,
                 detail: dict | None = None, once: str | None = None,
                 actor_id: int | None = None) -> AuditEntry | None:
    """Add an entry after the newest one; a concurrent append makes one of them try again.
    `actor_id`: the person acting, where one is (signed in, or known by their address).
    With `once`, a field of `detail`: nothing is added (None) when an entry of this action
    and subject holds that field's value already. The check follows the read of the newest
    entry, so an entry added in between takes its place in the chain and this one tries
    again: of two processes adding the same entry at once, one adds it."""
    detail = detail or {}
    for _ in range(20):
        last = (await db.exec(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))).first()
        if once is not None and detail[once] in (e.detail.get(once) for e in (await db.exec(
                select(AuditEntry).where(AuditEntry.action == action,
                                         AuditEntry.subject == subject))).all()):
            return None
        prev = last.hash if last else GENESIS
        at = utcnow()
        entry = AuditEntry(at=at, actor=actor, actor_id=actor_id, role=role, action=action,
                           subject=subject, detail=detail, prev_hash=prev,
                           hash=entry_hash(prev, at, actor, role, action, subject, detail,
                                           actor_id))
        db.add(entry)
        try:
            await db.commit()
            return entry
        except IntegrityError:  # another entry took that place in the chain first
            await db.rollback()
    raise RuntimeError("audit log busy")


async def append_as(db: AsyncSession, person: Person, action: str, subject: str,
                    detail: dict | None = None, once: str | None = None) -> AuditEntry | None:
    """`append` for what a person did (or tried): named, with their role and their number, so
    their own data finds it (regie.personal_data)."""
    return await append(db, person.name, person.role, action, subject, detail, once=once,
                        actor_id=person.id)


async def record_command(db: AsyncSession, viewer, action: str, subject: str, command) -> None:
    """A human action as the workflow accepted it: who, what, on which grant, with its input."""
    await append_as(db, viewer.person, action, subject,
                    command.model_dump(mode="json", exclude={"actor"}))


@dataclass(frozen=True)
class Problem:
    entry_id: int
    what: str  # "altered" or "missing before"


async def verify(db: AsyncSession) -> list[Problem]:
    """Every entry whose content no longer matches its hash, and every gap in the chain."""
    problems: list[Problem] = []
    prev = GENESIS
    for e in (await db.exec(select(AuditEntry).order_by(AuditEntry.id))).all():
        if e.prev_hash != prev:
            problems.append(Problem(e.id, "missing before"))
        if entry_hash(e.prev_hash, e.at, e.actor, e.role, e.action, e.subject, e.detail,
                      e.actor_id) != e.hash:
            problems.append(Problem(e.id, "altered"))
        prev = e.hash
    return problems
