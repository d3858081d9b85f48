"""The programme team's notes on a grant (dossieraantekeningen): a call with the applicant, an
agreement, a consideration before a decision. A note is an entry of the hash-chained audit log,
so it can be added but not changed or removed, and the team and auditors read it on the grant
page. It is not the grant's workflow state: it moves no stage and sets no term."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from regie import audit
from regie.records import AuditEntry

ACTION = "grant_note"
LONGEST = 4000  # characters


def problem(text: str) -> str:
    """Why `text` cannot be a note (Dutch, then English), or "" when it can."""
    if not text.strip():
        return "Schrijf eerst de aantekening / write the note first"
    if len(text) > LONGEST:
        return (f"Een aantekening heeft ten hoogste {LONGEST} tekens; deze heeft er {len(text)} / "
                f"a note has at most {LONGEST} characters; this one has {len(text)}")
    return ""


async def add(db: AsyncSession, actor: str, role: str, reference: str, text: str) -> None:
    await audit.append(db, actor, role, ACTION, reference, {"text": text})


async def of(db: AsyncSession, reference: str) -> list[AuditEntry]:
    """The grant's notes, oldest first."""
    return list((await db.exec(select(AuditEntry).where(
        AuditEntry.action == ACTION, AuditEntry.subject == reference)
        .order_by(AuditEntry.id))).all())
