"""The programme's counts, as the team's overview and the metrics show them."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from regie.records import Application


async def stage_counts(db: AsyncSession) -> dict[str, int]:
    """Submitted applications by stage. Counted on the stage index alone (drafts are the
    'draft' stage), so the cost is an index scan, not a table scan."""
    rows = (await db.exec(select(Application.stage, func.count()).group_by(
        Application.stage))).all()
    return {stage: count for stage, count in rows if stage != "draft"}
