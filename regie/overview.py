"""The programme's counts, as the team's overview and the metrics show them."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from regie.records import StageCount


async def stage_counts(db: AsyncSession) -> dict[str, int]:
    """Submitted applications by stage (drafts are the 'draft' stage). Read from the counts the
    database keeps as applications change (migration 0011): a dozen rows, however many grants."""
    rows = (await db.exec(select(StageCount).where(StageCount.applications > 0))).all()
    return {row.stage: row.applications for row in rows if row.stage != "draft"}
