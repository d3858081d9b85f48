"""The read model keeps the newest record of a grant when two of its records are written at the
same time: a workflow's Update handler and its main run record concurrently, and a retried
attempt can arrive late. On SQLite and on PostgreSQL (the suite's second pass)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

from sqlalchemy import update
from sqlmodel import select
from temporalio.testing import ActivityEnvironment

from activities.grants import GrantActivities
from domain.lifecycle import Stage
from domain.types import SYSTEM, StageChange
from regie.records import Application
from tests import factories


def _change(reference: str, seq: int, stage: Stage) -> StageChange:
    return StageChange(reference=reference, workflow_id=f"grant-{reference}", seq=seq,
                       stage=stage, at=datetime(2027, 12, 1, tzinfo=timezone.utc),
                       deadline=None, actor=SYSTEM)


async def test_an_older_record_waiting_on_a_newer_one_does_not_overwrite_it(sessions, scheme):
    async with sessions() as db:
        org = await factories.organisation(db)
        app = await factories.application(db, org, scheme)
        app.reference, app.stage, app.event_seq = "SV2026-0001", Stage.SETTLEMENT.value, 8
        db.add(app)
        await db.commit()
    records = GrantActivities(sessions, scheme)

    # the newer record (seq 10: archived) is being written and holds the grant's row ...
    async with sessions() as newer:
        await newer.exec(update(Application).where(Application.id == app.id)
                         .values(stage=Stage.ARCHIVED.value, event_seq=10))
        # ... while the older one (seq 9, still in settlement) starts; it must wait for it
        older = asyncio.create_task(ActivityEnvironment().run(
            records.record_event, _change(app.reference, 9, Stage.SETTLEMENT)))
        await asyncio.sleep(0.5)
        assert not older.done(), "the older record did not wait for the newer one"
        await newer.commit()
    await asyncio.wait_for(older, 30)

    async with sessions() as db:
        row = (await db.exec(select(Application).where(Application.id == app.id))).one()
    assert (row.stage, row.event_seq) == (Stage.ARCHIVED.value, 10)


async def test_records_of_one_grant_written_together_end_at_the_newest(sessions, scheme):
    async with sessions() as db:
        org = await factories.organisation(db)
        app = await factories.application(db, org, scheme)
        app.reference, app.stage = "SV2026-0002", Stage.REPORTING.value
        db.add(app)
        await db.commit()
    records = GrantActivities(sessions, scheme)
    stages = [Stage.REPORTING] * 19 + [Stage.ARCHIVED]
    await asyncio.gather(*(ActivityEnvironment().run(
        records.record_event, _change(app.reference, seq, stage))
        for seq, stage in reversed(list(enumerate(stages, start=1)))))
    async with sessions() as db:
        row = (await db.exec(select(Application).where(Application.id == app.id))).one()
    assert (row.stage, row.event_seq) == (Stage.ARCHIVED.value, 20)
