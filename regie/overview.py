"""The programme's counts and the team's overview of its applications, as the overview and the
metrics show them."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from sqlalchemy import ColumnElement, TextClause, literal
from sqlalchemy import text as sql_text
from sqlmodel import func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from regie.records import Application, Organisation, ReportRecord, StageCount

PREVIEW = 20  # the first applications of each stage on the whole overview
PAGE = 100  # applications on each page of one stage
SOONEST = 10  # the soonest deadlines on the whole overview
TRIGRAM = 3  # the shortest term a trigram index finds
FEW = 1000  # matches of a term SQLite fetches by id (see _trigram_matches)

# The overview finds a grant whether its accents are typed or not: "financiele" finds
# "financiële", "Curaçao" finds "Curacao". PostgreSQL folds both sides with unaccent
# (regie_unaccent, migration 0021). SQLite's trigram tables (3.40) cannot, so Regie registers
# `fold` as regie_fold on each SQLite connection it opens (regie.db.sqlite_functions), and
# migration 0023's triggers index titles and names folded. Latin letters with marks become
# the letters without (their decompositions, which Unicode keeps stable), and the few with no
# decomposition are written as unaccent writes them. A change here needs a migration that
# refills the overview_search_* tables: their rows hold text folded the old way.
FOLDS = str.maketrans({
    **{char: base for char in map(chr, range(0xC0, 0x180))
       if (base := "".join(c for c in unicodedata.normalize("NFKD", char)
                           if not unicodedata.combining(c))) != char and base.isascii()},
    "Æ": "AE", "æ": "ae", "Ø": "O", "ø": "o", "Œ": "OE", "œ": "oe", "ß": "ss", "Đ": "D",
    "đ": "d", "Ł": "L", "ł": "l", "ı": "i",
})


def fold(text: str) -> str:
    """`text` with the accents of Latin letters taken off, as SQLite's search tables hold it."""
    return text.translate(FOLDS)


async def stage_counts(db: AsyncSession, round_id: str | None = None) -> dict[str, int]:
    """Submitted applications by stage (drafts are the 'draft' stage). The whole programme's
    are read from the counts the database keeps as applications change (migration 0011): a
    dozen rows, however many grants; one round's are counted from its applications."""
    if round_id is None:
        rows = (await db.exec(select(StageCount).where(StageCount.applications > 0))).all()
        return {row.stage: row.applications for row in rows if row.stage != "draft"}
    return dict((await db.exec(
        select(Application.stage, func.count()).where(
            Application.round_id == round_id, Application.submitted_at.is_not(None))
        .group_by(Application.stage))).all())


async def search(db: AsyncSession, text: str, round_id: str | None,
                 limit: int) -> list[tuple[Application, str]]:
    """Submitted applications whose reference, title or organisation's name holds `text` (in
    any case, with or without accents; % and _ are letters here), of one round or all, in
    reference order. PostgreSQL reads the trigram indexes of migrations 0018 and 0023 (the
    organisations are found first, so that each condition on applications can read its own
    index); SQLite the trigram full-text tables of migration 0023. A term shorter than three
    characters, the shortest a trigram index finds, reads the applications in SQLite."""
    sqlite = db.bind.dialect.name == "sqlite"
    if sqlite and len(text) >= TRIGRAM:
        matches = await _trigram_matches(db, text)
        if matches is None:
            return []
    else:
        organisations = (await db.exec(select(Organisation.id).where(
            _contains(Organisation.name, text, sqlite)))).all()
        matches = or_(_holds(text, sqlite), Application.organisation_id.in_(organisations))
    query = (select(Application, Organisation.name)
             .join(Organisation, Organisation.id == Application.organisation_id)
             .where(Application.submitted_at.is_not(None), matches))
    if round_id is not None:
        query = query.where(Application.round_id == round_id)
    return list((await db.exec(query.order_by(Application.reference).limit(limit))).all())


def _holds(text: str, sqlite: bool) -> ColumnElement[bool]:
    """An application whose reference or title holds `text`, read from the row itself."""
    return or_(Application.reference.icontains(text, autoescape=True),
               _contains(Application.title, text, sqlite))


def _contains(column, text: str, sqlite: bool) -> ColumnElement[bool]:
    """`column` holds `text`, in any case, both without accents: regie_fold in SQLite (whose
    LIKE folds the case of ASCII letters, all that folding leaves of Latin ones),
    regie_unaccent in PostgreSQL, whose trigram indexes of migration 0023 are on it."""
    pattern = "%" + text.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"
    if sqlite:
        return func.regie_fold(column).like(fold(pattern), escape="/")
    return func.regie_unaccent(column).ilike(func.regie_unaccent(literal(pattern)), escape="/")


async def _trigram_matches(db: AsyncSession, text: str) -> ColumnElement[bool] | None:
    """SQLite's condition for the applications that hold `text`, found in the trigram tables
    of migration 0023: by their ids when few do (a search of a few grants costs a few);
    read from the rows when more than FEW do, as many then lie on the first stretch of the
    applications in reference order; None when none do."""
    organisations = (await db.exec(
        _trigram_match("overview_search_organisations", text))).scalars().all()
    by_organisation = [Application.organisation_id.in_(organisations)] if organisations else []
    ids = (await db.exec(
        _trigram_match("overview_search_applications", text, FEW + 1))).scalars().all()
    if len(ids) > FEW:
        return or_(_holds(text, sqlite=True), *by_organisation)
    conditions = [Application.id.in_(ids)] if ids else []
    return or_(*conditions, *by_organisation) if conditions or by_organisation else None


def _trigram_match(index: str, text: str, limit: int = -1) -> TextClause:
    """The ids of at most `limit` rows (-1: all) whose indexed columns in the FTS5 trigram
    table `index` hold `text`: one quoted phrase, in which every character is a letter (a "
    doubled), folded as the table's text is, and any case matches."""
    phrase = '"' + fold(text).replace('"', '""') + '"'
    return sql_text(f"SELECT rowid FROM {index} WHERE {index} MATCH :phrase LIMIT :limit"
                    ).bindparams(phrase=phrase, limit=limit)


async def in_stage(db: AsyncSession, stage: str, round_id: str | None, limit: int,
                   offset: int = 0) -> list[tuple[Application, str]]:
    """Submitted applications in `stage` (of one round, or all), in reference order, each with
    its organisation's name: the index on stage and reference gives them without sorting."""
    query = (select(Application, Organisation.name)
             .join(Organisation, Organisation.id == Application.organisation_id)
             .where(Application.stage == stage, Application.submitted_at.is_not(None)))
    if round_id is not None:
        query = query.where(Application.round_id == round_id)
    return list((await db.exec(
        query.order_by(Application.reference).offset(offset).limit(limit))).all())


async def reports_to_review(db: AsyncSession, round_id: str | None, limit: int,
                            offset: int = 0
                            ) -> tuple[int, list[tuple[ReportRecord, Application, str]]]:
    """Reports sent and awaiting the team's review (of one round, or all): how many, and
    `limit` of them from `offset`, the longest waiting first, each with its grant and its
    organisation's name. Both read the partial index of those alone
    (ix_reports_awaiting_review, migration 0026), written for this condition; the
    programme's count reads nothing else."""
    awaiting = (ReportRecord.submitted_at.is_not(None), ~ReportRecord.accepted)
    count = select(func.count(ReportRecord.id)).where(*awaiting)
    rows = (select(ReportRecord, Application, Organisation.name)
            .join(Application, Application.id == ReportRecord.application_id)
            .join(Organisation, Organisation.id == Application.organisation_id)
            .where(*awaiting))
    if round_id is not None:
        count = count.join(Application, Application.id == ReportRecord.application_id).where(
            Application.round_id == round_id)
        rows = rows.where(Application.round_id == round_id)
    return (await db.exec(count)).one(), list((await db.exec(
        rows.order_by(ReportRecord.submitted_at, ReportRecord.id).offset(offset).limit(limit)
    )).all())


def _held(round_id: str | None) -> list[ColumnElement[bool]]:
    held = [Application.deadline.is_not(None)]
    if round_id is not None:
        held.append(Application.round_id == round_id)
    return held


async def deadlines(db: AsyncSession, round_id: str | None, now: datetime, limit: int | None,
                    offset: int = 0) -> tuple[int, list[tuple[Application, str]]]:
    """The grants whose workflow waits for a deadline (of one round, or all): how many of
    those deadlines have passed (a workflow keeps a passed one while it escalates), and `limit`
    of them (or all) from `offset`, the soonest first, so the longest passed lead; each with its
    organisation's name. Both read the index on the deadline; the count reads the passed
    ones alone (count(*): count(id) made PostgreSQL read the table)."""
    rows = (select(Application, Organisation.name)
            .join(Organisation, Organisation.id == Application.organisation_id)
            .where(*_held(round_id)))
    return (await db.exec(select(func.count()).select_from(Application).where(
        *_held(round_id), Application.deadline < now))).one(), \
        list((await db.exec(rows.order_by(Application.deadline, Application.id)
                            .offset(offset).limit(limit))).all())


async def deadline_count(db: AsyncSession, round_id: str | None) -> int:
    """How many grants wait for a deadline: for the list page by page alone, as it reads
    every entry of the index (5 ms for the bench's 57,000 on PostgreSQL)."""
    return (await db.exec(select(func.count()).select_from(Application).where(
        *_held(round_id)))).one()
