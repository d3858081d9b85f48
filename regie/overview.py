"""The programme's counts and the team's overview of its applications, as the overview and the
metrics show them."""

from __future__ import annotations

from sqlmodel import func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from regie.records import Application, Organisation, StageCount

PREVIEW = 20  # the first applications of each stage on the whole overview
PAGE = 100  # applications on each page of one stage


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
    any case; % and _ are letters here), of one round or all, in reference order. The
    organisations are found first, so that each condition on applications can read its own
    index (the trigram indexes of migration 0018 in PostgreSQL)."""
    organisations = (await db.exec(select(Organisation.id).where(
        Organisation.name.icontains(text, autoescape=True)))).all()
    query = (select(Application, Organisation.name)
             .join(Organisation, Organisation.id == Application.organisation_id)
             .where(Application.submitted_at.is_not(None), or_(
                 Application.reference.icontains(text, autoescape=True),
                 Application.title.icontains(text, autoescape=True),
                 Application.organisation_id.in_(organisations))))
    if round_id is not None:
        query = query.where(Application.round_id == round_id)
    return list((await db.exec(query.order_by(Application.reference).limit(limit))).all())


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
