"""The programme's counts and the team's overview of its applications, as the overview and the
metrics show them."""

from __future__ import annotations

from sqlalchemy import ColumnElement, TextClause
from sqlalchemy import text as sql_text
from sqlmodel import func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from regie.records import Application, Organisation, StageCount

PREVIEW = 20  # the first applications of each stage on the whole overview
PAGE = 100  # applications on each page of one stage
TRIGRAM = 3  # the shortest term a trigram index finds
FEW = 1000  # matches of a term SQLite fetches by id (see _trigram_matches)


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
    any case; % and _ are letters here), of one round or all, in reference order. PostgreSQL
    reads the trigram indexes of migration 0018 (the organisations are found first, so that
    each condition on applications can read its own index); SQLite the trigram full-text
    tables of migration 0019. A term shorter than three characters, the shortest a trigram
    index finds, reads the applications in SQLite."""
    if db.bind.dialect.name == "sqlite" and len(text) >= TRIGRAM:
        matches = await _trigram_matches(db, text)
        if matches is None:
            return []
    else:
        organisations = (await db.exec(select(Organisation.id).where(
            Organisation.name.icontains(text, autoescape=True)))).all()
        matches = or_(_holds(text), Application.organisation_id.in_(organisations))
    query = (select(Application, Organisation.name)
             .join(Organisation, Organisation.id == Application.organisation_id)
             .where(Application.submitted_at.is_not(None), matches))
    if round_id is not None:
        query = query.where(Application.round_id == round_id)
    return list((await db.exec(query.order_by(Application.reference).limit(limit))).all())


def _holds(text: str) -> ColumnElement[bool]:
    """An application whose reference or title holds `text`, read from the row itself."""
    return or_(Application.reference.icontains(text, autoescape=True),
               Application.title.icontains(text, autoescape=True))


async def _trigram_matches(db: AsyncSession, text: str) -> ColumnElement[bool] | None:
    """SQLite's condition for the applications that hold `text`, found in the trigram tables
    of migration 0019: by their ids when few do (a search of a few grants costs a few);
    read from the rows when more than FEW do, as many then lie on the first stretch of the
    applications in reference order; None when none do."""
    organisations = (await db.exec(
        _trigram_match("overview_search_organisations", text))).scalars().all()
    by_organisation = [Application.organisation_id.in_(organisations)] if organisations else []
    ids = (await db.exec(
        _trigram_match("overview_search_applications", text, FEW + 1))).scalars().all()
    if len(ids) > FEW:
        return or_(_holds(text), *by_organisation)
    conditions = [Application.id.in_(ids)] if ids else []
    return or_(*conditions, *by_organisation) if conditions or by_organisation else None


def _trigram_match(index: str, text: str, limit: int = -1) -> TextClause:
    """The ids of at most `limit` rows (-1: all) whose indexed columns in the FTS5 trigram
    table `index` hold `text`: one quoted phrase, in which every character is a letter (a "
    doubled) and any case matches."""
    phrase = '"' + text.replace('"', '""') + '"'
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
