"""Reports being written (`ReportDraft`): what a grantee typed on a report's form and the files
they sent with it, kept until the report is submitted, so that neither a closed browser, an
expired link or session, nor a form sent back for a mistake loses any of it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.datastructures import FormData

from domain.types import AttachmentRef, ReportState
from regie.records import (
    Application, Attachment, Person, ReportDraft, ReportRecord, utcnow,
)
from regie.revisions import Collision

# the report form's text fields ("public" is its checkbox, "yes" when ticked)
_TEXT = re.compile(r"summary|lessons|public|act-(\d+)-(done|monitoring|deviations)")

_UPSERT = {dialect: insert(ReportDraft.__table__) for dialect, insert in (
    ("postgresql", pg_insert), ("sqlite", sqlite_insert))}


class DraftFile(BaseModel):
    """A file on a report's form. `new`: sent with the draft and stored for it alone, so it is
    removed when the grantee takes it off the form; otherwise one of the report as sent before
    the team asked for changes, which stays with that report."""

    id: int
    name: str
    kind: str  # document, auditor_statement, financial_report
    new: bool = True


def typed_in(form: FormData, activities: int) -> dict[str, str]:
    """The report form's text fields as sent, for the grant's `activities`, and nothing else
    a request may carry."""
    return {key: value for key, value in form.items() if isinstance(value, str)
            and (match := _TEXT.fullmatch(key)) and int(match[1] or 0) < activities}


def as_sent(report: ReportState) -> tuple[dict[str, str], list[DraftFile]]:
    """What the form starts from when the team has sent a report back for changes: the report
    as it was sent, with its files (none of them `new`)."""
    fields = {"summary": report.summary or "", "lessons": report.lessons}
    for i, activity in enumerate(report.activities):
        fields |= {f"act-{i}-done": activity.done, f"act-{i}-monitoring": activity.monitoring,
                   f"act-{i}-deviations": activity.deviations}
    if any(a.public for a in report.attachments):
        fields["public"] = "yes"
    return fields, sent_files(report.attachments)


def sent_files(attachments: Iterable[AttachmentRef]) -> list[DraftFile]:
    """The files a report was sent with, on its form again once the team sent it back: they
    stay with that report (none is `new`)."""
    return [DraftFile(id=a.id, name=a.name, kind=a.kind, new=False) for a in attachments]


def files_of(draft: ReportDraft) -> list[DraftFile]:
    return [DraftFile.model_validate(f) for f in draft.attachments]


async def draft_for(db: AsyncSession, reference: str, index: int) -> ReportDraft | None:
    """The draft as it is stored now: `save` writes it in a statement of its own, which the
    session's earlier copy of the row (its sessions keep them past a commit) does not see."""
    return (await db.exec(select(ReportDraft).where(
        ReportDraft.reference == reference, ReportDraft.report_index == index
    ).execution_options(populate_existing=True))).first()


async def save(db: AsyncSession, reference: str, index: int, person_id: int,
               fields: dict[str, str], files: list[DraftFile], *, keep_files: bool = False,
               revision: int | None = None) -> int:
    """Keep what was typed, and the files on the form, as the report's draft, over any draft
    before; with `keep_files` (the autosave, which sends no files) a draft there already keeps
    its files. `revision`: the count of saves the form was opened with; a draft saved since
    then is not replaced (Collision, regie.revisions), checked in the one statement that
    writes it. Without it, two saves at once leave the later one. The draft's count of saves,
    now."""
    now = utcnow()
    table = ReportDraft.__table__
    statement = _UPSERT[db.bind.dialect.name].values(
        reference=reference, report_index=index, fields=fields,
        attachments=[f.model_dump() for f in files], saved_by=person_id, saved_at=now,
        revision=1)
    changes = {"fields": fields, "saved_by": person_id, "saved_at": now,
               "revision": table.c.revision + 1}
    if not keep_files:
        changes["attachments"] = statement.excluded.attachments
    saved = (await db.exec(statement.on_conflict_do_update(
        index_elements=["reference", "report_index"], set_=changes,
        where=None if revision is None else table.c.revision == revision,
    ).returning(table.c.revision))).scalar_one_or_none()
    if saved is None:  # saved since the form was opened: nothing written
        draft = await draft_for(db, reference, index)
        saver = await db.get(Person, draft.saved_by)
        raise Collision(draft.saved_at, None if draft.saved_by == person_id else saver.name)
    await db.commit()
    return saved


async def remove_files(db: AsyncSession, folder: Path, reference: str,
                       files: list[DraftFile]) -> None:
    """Remove files stored for a draft alone (`new`), record and file; never one that a report
    of the grant was sent with."""
    if not any(f.new for f in files):
        return
    sent = {a["id"] for record in (await db.exec(select(ReportRecord).join(
        Application, Application.id == ReportRecord.application_id).where(
        Application.reference == reference))).all()
        for a in record.content.get("attachments", [])}
    ids = [f.id for f in files if f.new and f.id not in sent]
    for row in (await db.exec(select(Attachment).where(
            Attachment.id.in_(ids), Attachment.reference == reference))).all():
        (folder / row.stored_name).unlink(missing_ok=True)
        await db.delete(row)
    await db.flush()


async def remove_drafts(db: AsyncSession, folder: Path, references: list[str]) -> int:
    """Remove the drafts of these grants, with the files stored for them alone: how the
    retention run clears the reports a grant that has ended will never have."""
    drafts = (await db.exec(select(ReportDraft).where(
        ReportDraft.reference.in_(references)))).all()
    for draft in drafts:
        await remove_files(db, folder, draft.reference, files_of(draft))
        await db.delete(draft)
    await db.flush()
    return len(drafts)
