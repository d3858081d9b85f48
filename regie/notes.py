"""The programme team's notes on a grant (dossieraantekeningen): a call with the applicant, an
agreement, a consideration before a decision. A note is an entry of the hash-chained audit log,
so it can be added but not changed or removed, and the team and auditors read it on the grant
page. A mistake in one is put right by a correction: a note of its own that names the note it
corrects, which then shows as corrected, its text kept as written. It is not the grant's
workflow state: it moves no stage and sets no term."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from regie import audit
from regie.records import AuditEntry, Person

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


async def add(db: AsyncSession, person: Person, reference: str, text: str,
              corrects: int | None = None) -> bool:
    """Add `person`'s note, or their correction of note `corrects`; False when that note was
    corrected meanwhile: the log takes one correction of a note, however many are sent at once
    (the check is part of the append, audit.append's `once`)."""
    detail = {"text": text} if corrects is None else {"text": text, "corrects": corrects}
    return await audit.append_as(db, person, ACTION, reference, detail,
                                 once=None if corrects is None else "corrects") is not None


def corrected(kept: list[AuditEntry]) -> dict[int, AuditEntry]:
    """The notes of `kept` that a later one corrects, by id, each with its correction."""
    return {n.detail["corrects"]: n for n in kept if "corrects" in n.detail}


def latest(kept: list[AuditEntry], note_id: int | None) -> int | None:
    """The newest version of note `note_id` of `kept`: itself, or the last correction in its
    line; None for a note not among them."""
    if not any(n.id == note_id for n in kept):
        return None
    later = corrected(kept)
    while note_id in later:
        note_id = later[note_id].id
    return note_id


def correction_problem(kept: list[AuditEntry], corrects: int, text: str) -> str:
    """Why `text` cannot correct note `corrects` of the grant whose notes are `kept` (Dutch,
    then English), or "" when it can: a note is corrected once, and a later correction
    corrects the correction."""
    note = next((n for n in kept if n.id == corrects), None)
    if note is None:
        return "Onbekende aantekening / unknown note"
    if (later := corrected(kept).get(corrects)) is not None:
        return (f"Deze aantekening is al gecorrigeerd door {later.actor}; hieronder staat uw "
                "tekst bij die correctie, om zo nodig die te corrigeren / this note was already "
                f"corrected by {later.actor}; your text is below with that correction, to "
                "correct it if need be")
    if text == note.detail["text"]:
        return ("De correctie is gelijk aan de aantekening; wijzig eerst de tekst / the "
                "correction is the same as the note; change the text first")
    return ""


async def of(db: AsyncSession, reference: str) -> list[AuditEntry]:
    """The grant's notes, oldest first."""
    return list((await db.exec(select(AuditEntry).where(
        AuditEntry.action == ACTION, AuditEntry.subject == reference)
        .order_by(AuditEntry.id))).all())
