"""A person's own data, as Regie holds it, for them to download (AVG/GDPR article 15)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, cast
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.lifecycle import Role
from regie import notes
from regie.records import (
    Application, AssessmentRecord, AuditEntry, Organisation, OutboxMail, Person, ReportDraft,
)


async def personal_data(db: AsyncSession, person: Person) -> dict[str, Any]:
    """The account, the organisation, the applications they (and their organisation) wrote, the
    reports they have in draft, what they scored, the e-mail sent to them and the audit log's
    entries about what they did (by their number; an entry written before the log numbered
    people, by their name), with the text of each note they wrote on a grant. Never a
    password or second-factor key."""
    org = await db.get(Organisation, person.organisation_id) if person.organisation_id else None
    written_by = Application.created_by == person.id
    if person.role == Role.GRANTEE.value:  # a grantee writes for the organisation, with others
        written_by = written_by | (Application.organisation_id == person.organisation_id)
    applications = (await db.exec(select(Application).where(written_by)
                                  .order_by(Application.id))).all()
    scored = (await db.exec(select(AssessmentRecord, Application.reference).join(
        Application, Application.id == AssessmentRecord.application_id).where(
        AssessmentRecord.assessor_id == person.id))).all()
    mails = [m for m in (await db.exec(select(OutboxMail).where(
        cast(OutboxMail.recipients, String).contains(person.email)).order_by(OutboxMail.id))).all()
        if person.email in m.recipients]
    report_drafts = (await db.exec(select(ReportDraft).where(ReportDraft.saved_by == person.id)
                                   .order_by(ReportDraft.id))).all()
    actions = (await db.exec(select(AuditEntry).where(
        (AuditEntry.actor_id == person.id)
        | (AuditEntry.actor_id.is_(None) & (AuditEntry.actor == person.name)))
        .order_by(AuditEntry.id))).all()
    return {
        "account": {"name": person.name, "email": person.email, "role": person.role,
                    "created_at": person.created_at.isoformat(),
                    "second_factor": person.totp_enabled, "expertise": person.expertise,
                    "away_until": person.away_until.isoformat() if person.away_until else None},
        "organisation": {"name": org.name, "type": org.organisation_type,
                         "kvk_number": org.kvk_number} if org else None,
        "applications": [{"reference": a.reference, "round": a.round_id, "title": a.title,
                          "summary": a.summary, "sections": a.sections, "stage": a.stage,
                          "submitted_at": a.submitted_at.isoformat() if a.submitted_at else None}
                         for a in applications],
        "report_drafts": [{"reference": d.reference, "report": d.report_index + 1,
                           "saved_at": d.saved_at.isoformat(), "fields": d.fields,
                           "files": [f["name"] for f in d.attachments]} for d in report_drafts],
        "assessments": [{"reference": reference, "scores": record.scores,
                         "submitted_at": record.submitted_at.isoformat()}
                        for record, reference in scored],
        "mail_received": [{"subject": m.subject, "body": m.body, "sent_at": (
            m.sent_at or m.created_at).isoformat()} for m in mails],
        "actions": [{"at": e.at.isoformat(), "action": e.action, "subject": e.subject,
                     **_written(e)} for e in actions],
    }


def _written(entry: AuditEntry) -> dict[str, Any]:
    """What the person wrote in `entry`: a note's text, and the note it corrects."""
    if entry.action != notes.ACTION:
        return {}
    return {"note": entry.detail["text"], **({"corrects": entry.detail["corrects"]}
                                             if "corrects" in entry.detail else {})}
