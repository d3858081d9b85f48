"""Invitations to an account. The token travels only in the e-mail (and, for an operator's
invitation from the command line, on the operator's screen); the database keeps its hash."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta, timezone

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.lifecycle import Role
from regie import audit
from regie.mail import send_once
from regie.records import Invitation, Person
from regie.settings import Settings

VALID_DAYS = 7  # the e-mail says so

# An account's e-mail address, as every form and `regie invite` accept it.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# What a person joins, in the invitation mail, by role; a grantee joins their organisation.
GROUPS = {Role.PROGRAMME_TEAM: "het programmateam / the programme team",
          Role.AUDITOR: "de auditors / the auditors",
          Role.ASSESSOR: "het beoordelaarspanel / the assessors' panel"}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def invite(db: AsyncSession, settings: Settings, *, email: str, role: Role,
                 group: str, about: str, inviter: Person | None, name: str = "",
                 organisation_id: int | None = None) -> str:
    """Save an invitation and send its mail (once); returns the link. `group`: what the
    invitee joins, as the mail names it (GROUPS, or the organisation); `about`: the outbox's
    subject key."""
    token = secrets.token_urlsafe(24)
    invitation = Invitation(organisation_id=organisation_id, role=role.value, name=name,
                            email=email, token_hash=token_hash(token),
                            invited_by=inviter.id if inviter else None,
                            expires_at=datetime.now(timezone.utc) + timedelta(days=VALID_DAYS))
    db.add(invitation)
    await db.commit()
    await audit.append(db, inviter.name if inviter else audit.OPERATOR,
                       inviter.role if inviter else audit.OPERATOR_ROLE, "invited", role.value,
                       {"email": email}, actor_id=inviter.id if inviter else None)
    link = f"{settings.base_url}/invitations/{token}"
    await send_once(db, settings, f"invitation/{invitation.id}", about, [email], "invitation",
                    {"organisation": group, "role": role.value, "link": link,
                     "inviter": inviter.name if inviter else audit.OPERATOR})
    return link


async def open_invitation(db: AsyncSession, token: str) -> Invitation | None:
    """The invitation of a link, while it can be accepted."""
    invitation = (await db.exec(select(Invitation).where(
        Invitation.token_hash == token_hash(token)))).first()
    if (invitation is None or invitation.accepted_at is not None
            or invitation.expires_at < datetime.now(timezone.utc)):
        return None
    return invitation
