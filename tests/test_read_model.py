"""The read model keeps the newest record of a grant when two of its records are written at the
same time (a workflow's Update handler and its main run record concurrently, and a retried
attempt can arrive late), and the database keeps the counts by stage that the overview shows.
On SQLite and on PostgreSQL (the suite's second pass)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import psycopg
import pytest
from alembic import command
from sqlalchemy import delete, event, func, insert, update
from sqlalchemy.exc import DBAPIError
from sqlmodel import select
from temporalio.testing import ActivityEnvironment

from activities.grants import GrantActivities
from domain.lifecycle import Action, Stage
from domain.types import SYSTEM, ArchiveRequest, StageChange
from regie.adoption import exported_grants
from regie.db import make_engine, migrate, migration_config, session_factory
from regie import overview
from regie.overview import stage_counts
from regie.records import Application, DecisionRecord, GrantEvent, KnowledgeEntry
from tests import factories


def _change(reference: str, seq: int, stage: Stage) -> StageChange:
    return StageChange(reference=reference, workflow_id=f"grant-{reference}", seq=seq,
                       stage=stage, at=datetime(2027, 12, 1, tzinfo=timezone.utc),
                       deadline=None, actor=SYSTEM)


async def _grant(sessions, scheme, reference: str, stage: Stage, seq: int = 0) -> Application:
    """An application under way: its reference given, its read model at `stage` after `seq`."""
    async with sessions() as db:
        app = await factories.application(db, await factories.organisation(db), scheme)
        app.reference, app.stage, app.event_seq = reference, stage.value, seq
        db.add(app)
        await db.commit()
    return app


async def test_an_older_record_waiting_on_a_newer_one_does_not_overwrite_it(sessions, scheme):
    app = await _grant(sessions, scheme, "SV2026-0001", Stage.SETTLEMENT, seq=8)
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
    app = await _grant(sessions, scheme, "SV2026-0002", Stage.REPORTING)
    records = GrantActivities(sessions, scheme)
    stages = [Stage.REPORTING] * 19 + [Stage.ARCHIVED]
    await asyncio.gather(*(ActivityEnvironment().run(
        records.record_event, _change(app.reference, seq, stage))
        for seq, stage in reversed(list(enumerate(stages, start=1)))))
    async with sessions() as db:
        row = (await db.exec(select(Application).where(Application.id == app.id))).one()
    assert (row.stage, row.event_seq) == (Stage.ARCHIVED.value, 20)


async def test_a_retried_record_adds_its_action_to_the_timeline_once(sessions, scheme):
    """An attempt that wrote its record but died before Temporal heard of it runs again: the
    timeline still shows the action once, and the row the newest stage."""
    app = await _grant(sessions, scheme, "SV2026-0003", Stage.ASSESSMENT, seq=4)
    records = GrantActivities(sessions, scheme)
    deadline = datetime(2027, 3, 1, 11, tzinfo=timezone.utc)
    change = _change(app.reference, 5, Stage.DECISION).model_copy(update={
        "action": Action.SUBMIT_SCORE, "note": "Beoordeeld.", "deadline": deadline})
    for _ in range(2):
        await ActivityEnvironment().run(records.record_event, change)
    async with sessions() as db:
        row = (await db.exec(select(Application).where(Application.id == app.id))).one()
        events = (await db.exec(select(GrantEvent).where(
            GrantEvent.application_id == app.id))).all()
    assert (row.stage, row.event_seq, row.deadline) == (Stage.DECISION.value, 5, deadline)
    assert [(e.seq, e.action, e.note) for e in events] == [(5, "submit_score", "Beoordeeld.")]


async def test_an_objection_upheld_is_the_applications_decision(sessions, scheme):
    """The rejection an objection overturns is no longer the application's decision: the
    award is, with the amount upheld, the reason and the day, as the annual report and the
    export of awarded grants read it."""
    app = await _grant(sessions, scheme, "SV2026-0006", Stage.DECISION, seq=6)
    records = GrantActivities(sessions, scheme)
    rejected_at = datetime(2026, 11, 20, 10, tzinfo=timezone.utc)
    await ActivityEnvironment().run(records.record_event, _change(
        app.reference, 7, Stage.REJECTED).model_copy(update={
            "action": Action.REJECT, "note": "Rang 31: past niet binnen het budget.",
            "at": rejected_at}))
    upheld_at = datetime(2027, 1, 25, 14, tzinfo=timezone.utc)
    await ActivityEnvironment().run(records.record_event, _change(
        app.reference, 9, Stage.REPORTING).model_copy(update={
            "action": Action.UPHOLD_OBJECTION, "awarded_cents": 60_000_00, "at": upheld_at,
            "note": "Bezwaar gegrond: de cofinanciering is gemist."}))
    async with sessions() as db:
        decision = (await db.exec(select(DecisionRecord).where(
            DecisionRecord.application_id == app.id))).one()
        exported = await exported_grants(db)
    assert (decision.awarded, decision.amount_cents, decision.reason, decision.decided_at) == (
        True, 60_000_00, "Bezwaar gegrond: de cofinanciering is gemist.", upheld_at)
    assert [g.reference for g in exported] == [app.reference]


@pytest.mark.parametrize("order", ["archival first", "settlement first", "at once"])
async def test_the_knowledge_centre_shows_what_was_settled_whichever_is_written_first(
        sessions, scheme, order):
    """A settlement's record and the archival it starts run at the same time: whichever the
    worker writes first, the project's entry ends with the amount settled, not the award."""
    app = await _grant(sessions, scheme, "SV2026-0005", Stage.REPORTING, seq=10)
    records = GrantActivities(sessions, scheme)
    await ActivityEnvironment().run(records.record_event, _change(
        app.reference, 11, Stage.REPORTING).model_copy(update={
            "action": Action.AWARD, "awarded_cents": 86_000_00}))
    settled = _change(app.reference, 12, Stage.ARCHIVED).model_copy(update={
        "action": Action.SETTLE, "awarded_cents": 12_000_00, "note": "Eén training."})
    archived = ArchiveRequest(reference=app.reference, results="Eén training gegeven.")

    async def record():
        await ActivityEnvironment().run(records.record_event, settled)

    async def archive():
        await ActivityEnvironment().run(records.archive_grant, archived)

    if order == "at once":
        await asyncio.gather(record(), archive())
    else:
        for step in (archive, record) if order == "archival first" else (record, archive):
            await step()
    async with sessions() as db:
        entry = (await db.exec(select(KnowledgeEntry).where(
            KnowledgeEntry.reference == app.reference))).one()
        row = (await db.exec(select(Application).where(Application.id == app.id))).one()
    assert (entry.amount_cents, entry.results) == (12_000_00, "Eén training gegeven.")
    assert (row.awarded_cents, row.stage) == (12_000_00, Stage.ARCHIVED.value)


async def test_a_connection_that_died_with_postgresql_costs_the_worker_one_attempt(
        postgres_url, scheme):
    """The worker's engine does not test a connection before each use (a round trip for every
    activity). When PostgreSQL drops its connections (a restart, a failover), the next activity
    fails on one, and the attempt Temporal retries it with finds the pool emptied of them."""
    engine = make_engine(postgres_url, pre_ping=False)
    sessions = session_factory(engine)
    try:
        app = await _grant(sessions, scheme, "SV2026-0004", Stage.SUBMITTED)
        records = GrantActivities(sessions, scheme)
        await ActivityEnvironment().run(records.record_event,
                                        _change(app.reference, 1, Stage.ELIGIBLE))
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            dropped = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND backend_type = 'client backend'").fetchone()
        assert dropped == (1,)  # the pooled connection of the first record

        with pytest.raises(DBAPIError) as failed:
            await ActivityEnvironment().run(records.record_event,
                                            _change(app.reference, 2, Stage.ASSESSMENT))
        assert failed.value.connection_invalidated
        await ActivityEnvironment().run(records.record_event,  # Temporal's retry
                                        _change(app.reference, 2, Stage.ASSESSMENT))
        async with sessions() as db:
            row = (await db.exec(select(Application).where(Application.id == app.id))).one()
        assert (row.stage, row.event_seq) == (Stage.ASSESSMENT.value, 2)
    finally:
        await engine.dispose()


def _bare(reference: str | None, stage: str, organisation_id: int) -> dict:
    return dict(reference=reference, round_id="2025", scheme_id="s", scheme_hash="h",
                organisation_id=organisation_id, title="t", stage=stage, partner_ids=[],
                sections={}, pillars=[], target_groups=[], marginalised_groups=[])


async def _grouped(db) -> dict[str, int]:
    rows = (await db.exec(select(Application.stage, func.count()).group_by(
        Application.stage))).all()
    return {stage: n for stage, n in rows if stage != "draft"}


async def test_stage_counts_follow_every_write_to_the_applications(sessions, scheme):
    """The counts the overview and the metrics show are kept by the database itself: after
    inserts, stage changes (many at once, crossing each other), deletes and a bulk insert
    they equal a count of the applications."""
    async with sessions() as db:
        org = await factories.organisation(db)
        apps = [await factories.application(db, org, scheme) for _ in range(12)]
        assert await stage_counts(db) == {}  # drafts are not counted
        for n, app in enumerate(apps):
            app.reference, app.stage = f"SV2026-{n:04d}", Stage.SUBMITTED.value
            db.add(app)
        await db.commit()
        assert await stage_counts(db) == {"submitted": 12}

    async def move(app_id: int, stages: list[Stage]) -> None:
        for stage in stages:
            async with sessions() as db:
                await db.exec(update(Application).where(Application.id == app_id)
                              .values(stage=stage.value))
                await db.commit()
    there = [Stage.ELIGIBLE, Stage.ASSESSMENT, Stage.DECISION]
    back = [Stage.DECISION, Stage.ELIGIBLE, Stage.ASSESSMENT]
    await asyncio.gather(*(move(app.id, there if n % 2 else back) for n, app in enumerate(apps)))

    async with sessions() as db:
        await db.exec(update(Application).where(Application.id == apps[0].id)
                      .values(stage=Stage.ASSESSMENT.value))  # the same stage: no change
        await db.exec(insert(Application).values(
            [_bare(f"SV2025-{n:04d}", Stage.ARCHIVED, org.id) for n in range(6)]))
        await db.exec(delete(Application).where(Application.reference == "SV2025-0005"))
        await db.commit()
        counts = await stage_counts(db)
        assert counts == await _grouped(db)
        assert counts == {"decision": 6, "assessment": 6, "archived": 5}


async def test_the_migration_counts_the_applications_already_there(any_db):
    url, engine = any_db
    sessions = session_factory(engine)
    async with sessions() as db:
        org = await factories.organisation(db)
        await db.exec(insert(Application).values(
            [_bare(f"SV2025-{n:04d}", ("reporting", "archived", "draft")[n % 3], org.id)
             for n in range(30)]))
        await db.commit()
    await asyncio.to_thread(command.downgrade, migration_config(url), "0010")
    await asyncio.to_thread(command.upgrade, migration_config(url), "head")
    async with sessions() as db:
        assert await stage_counts(db) == {"reporting": 10, "archived": 10}


async def test_the_overview_search_finds_any_part_in_any_case_as_its_records_change(any_db):
    """Both databases find the same grants: those whose reference, title or organisation's
    name holds the term, in any case, with or without its accents, with %, _ and " as
    letters, short terms too (below the three characters a trigram index finds). A retitled
    grant and a renamed organisation are found by their new names only, a draft once it is
    submitted: SQLite's trigram tables follow their rows (migration 0023's triggers)."""
    _url, engine = any_db
    sessions = session_factory(engine)
    now = datetime.now(timezone.utc)
    async with sessions() as db:
        rare = await factories.organisation(db, "Hogeschool Zeldzaam")
        other = await factories.organisation(db, "Universiteit Anders")
        await db.exec(insert(Application).values([
            dict(_bare("SV2026-0001", "assessment", rare.id), title='Omstanders 100% "veilig"',
                 submitted_at=now, round_id="2026"),
            dict(_bare("SV2026-0002", "assessment", other.id), title="Veilig_promoveren",
                 submitted_at=now, round_id="2026"),
            dict(_bare("SV2027-0003", "assessment", other.id), title="Cultuur",
                 submitted_at=now, round_id="2027"),
            dict(_bare(None, "draft", rare.id), title="Omstanders, een concept",
                 submitted_at=None, round_id="2026")]))
        await db.commit()

        async def found(term: str, round_id: str | None = None) -> list[str]:
            return [app.reference for app, _name in await overview.search(
                db, term, round_id, 101)]

        assert await found("omstanders") == await found("OMSTAND") == ["SV2026-0001"]
        assert await found("100%") == await found("0%") == ["SV2026-0001"]
        assert await found('"veilig"') == await found("zeldzaam") == ["SV2026-0001"]
        assert await found("g_p") == ["SV2026-0002"] and await found("g%p") == []
        assert await found("veilig") == ["SV2026-0001", "SV2026-0002"]
        assert await found("anders") == ["SV2026-0001", "SV2026-0002", "SV2027-0003"]
        assert await found("sv2027") == await found("cultuur", "2027") == ["SV2027-0003"]
        assert await found("cultuur", "2026") == [] and await found("concept") == []

        await db.exec(update(Application).where(Application.reference == "SV2026-0002")
                      .values(title="Meldpunt"))
        rare.name = "Academie Noord"
        db.add(rare)
        await db.exec(update(Application).where(Application.reference.is_(None))
                      .values(reference="SV2026-0004", submitted_at=now))
        await db.commit()
        assert await found("promoveren") == [] and await found("meldpunt") == ["SV2026-0002"]
        assert await found("zeldzaam") == [] and await found("academie noord") == [
            "SV2026-0001", "SV2026-0004"]
        assert await found("concept") == ["SV2026-0004"]

        # accents: typed or not, on either side, in a title or a name, short terms too
        await db.exec(update(Application).where(Application.reference == "SV2026-0002")
                      .values(title="Financiële steun voor één crèche"))
        other.name = "Universiteit van Curaçao"
        db.add(other)
        await db.commit()
        for term in ("financiele", "FINANCIËLE", "Financiële", "creche", "CRÈCHE", "één crèche"):
            assert await found(term) == ["SV2026-0002"], term
        assert await found("ËL") == await found("el") == ["SV2026-0002"]
        assert await found("curacao") == await found("Curaçao") == await found(
            "ÇAO") == ["SV2026-0002", "SV2027-0003"]
        await db.exec(update(Application).where(Application.reference == "SV2027-0003")
                      .values(title="Coöperatie Øresund"))
        await db.commit()
        assert await found("cooperatie oresund") == await found("COÖPERATIE") == [
            "SV2027-0003"]
        assert await found("cultuur") == []


async def test_the_search_migrations_index_the_grants_already_there(any_db):
    """A database brought to migrations 0018, 0019 and 0023 with grants in it finds them,
    accents or not."""
    url, engine = any_db
    sessions = session_factory(engine)
    async with sessions() as db:  # written as the models are now, then taken down to 0017
        org = await factories.organisation(db, "Hogeschool Zeldzaam")
        await db.exec(insert(Application).values([
            dict(_bare(f"SV2025-{n:04d}", "reporting", org.id), title=f"Omstanders {n}",
                 submitted_at=datetime.now(timezone.utc)) for n in range(1, 4)]))
        other = await factories.organisation(db, "Universiteit van Curaçao")
        await db.exec(insert(Application).values(
            dict(_bare("SV2026-0001", "reporting", other.id), title="Één crèche",
                 submitted_at=datetime.now(timezone.utc))))
        await db.commit()
    await asyncio.to_thread(command.downgrade, migration_config(url), "0017")
    await asyncio.to_thread(command.upgrade, migration_config(url), "head")
    async with sessions() as db:
        for term in ("zeldzaam", "omstanders", "sv2025-00"):
            assert [app.reference for app, _name in await overview.search(
                db, term, None, 101)] == ["SV2025-0001", "SV2025-0002", "SV2025-0003"]
        assert [app.reference for app, _ in await overview.search(db, "ders 2", None, 101)] == [
            "SV2025-0002"]
        for term in ("curacao", "een creche", "CRÈCHE"):
            assert [app.reference for app, _name in await overview.search(
                db, term, None, 101)] == ["SV2026-0001"]


async def test_a_term_many_grants_hold_gives_the_first_of_them(any_db):
    """More than overview.FEW grants hold the term: SQLite reads the applications in
    reference order for them; both databases give the first ones."""
    _url, engine = any_db
    sessions = session_factory(engine)
    now = datetime.now(timezone.utc)
    async with sessions() as db:
        org = await factories.organisation(db)
        await db.exec(insert(Application).values([
            dict(_bare(f"SV2026-{n:04d}", "reporting", org.id), title=f"Project {n}",
                 submitted_at=now) for n in range(overview.FEW + 10, 0, -1)]))
        await db.commit()
        found = await overview.search(db, "project", None, 101)
        assert [app.reference for app, _name in found] == [
            f"SV2026-{n:04d}" for n in range(1, 102)]


async def test_the_overview_search_reads_sqlites_trigram_tables(tmp_path):
    """In SQLite, a search of a term few grants hold reads migration 0023's trigram tables
    and the applications they name, not every application."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'regie.db'}"
    await asyncio.to_thread(migrate, url)
    engine = make_engine(url)
    sent: list[tuple[str, tuple]] = []

    def keep(_conn, _cursor, statement, parameters, _context, _many):
        sent.append((statement, parameters))

    try:
        async with session_factory(engine)() as db:
            org = await factories.organisation(db)
            now = datetime.now(timezone.utc)
            await db.exec(insert(Application).values([
                dict(_bare(f"SV2026-{n:04d}", "reporting", org.id), submitted_at=now,
                     title=("Omstanders", "Zeldzaam")[n == 7]) for n in range(40)]))
            await db.commit()
            event.listen(engine.sync_engine, "before_cursor_execute", keep)
            found = await overview.search(db, "ZELDZ", None, 101)
            event.remove(engine.sync_engine, "before_cursor_execute", keep)
            assert [app.reference for app, _name in found] == ["SV2026-0007"]
            connection = await db.connection()
            plans = ["\n".join(row[3] for row in await connection.exec_driver_sql(
                f"EXPLAIN QUERY PLAN {statement}", parameters)) for statement, parameters in sent]
        assert "overview_search_organisations VIRTUAL TABLE" in plans[0]
        assert "overview_search_applications VIRTUAL TABLE" in plans[1]
        assert "applications USING INTEGER PRIMARY KEY" in plans[2]
        assert not any("SCAN applications" in plan for plan in plans)
    finally:
        await engine.dispose()


async def test_the_overview_search_reads_postgresqls_trigram_indexes(postgres_url):
    """A search of the overview reads the trigram indexes of migrations 0018 and 0023 for
    every part of what it matches (reference, title and organisation's name unaccented), not
    every application: the query as Regie sends it is explained with the scans of a small
    table (the whole table, or an index in order) ruled out: what is left is reading the
    indexes for the term."""
    engine = make_engine(postgres_url)
    sessions = session_factory(engine)
    sent: list[tuple[str, dict]] = []

    def keep(_conn, _cursor, statement, parameters, _context, _many):
        sent.append((statement, parameters))

    try:
        async with sessions() as db:
            org = await factories.organisation(db)
            other = await factories.organisation(db)
            other.name = "Hogeschool Zeldzaam"
            db.add(other)
            now = datetime.now(timezone.utc)
            await db.exec(insert(Application).values([
                dict(_bare(f"SV2026-{n:04d}", "reporting", (org, other)[n % 2].id),
                     title=("Omstanders", "Veilig promoveren")[n % 3 == 0], submitted_at=now)
                for n in range(40)]))
            await db.commit()
            event.listen(engine.sync_engine, "before_cursor_execute", keep)
            found = await overview.search(db, "zeldzaam", None, 101)
            assert [app.reference for app, _name in found] == [
                f"SV2026-{n:04d}" for n in range(1, 40, 2)]
            assert len(await overview.search(db, "PROMOV", None, 101)) == 14
            event.remove(engine.sync_engine, "before_cursor_execute", keep)
            connection = await db.connection()
            for scan in ("seqscan", "indexscan"):  # what a small table is read with
                await connection.exec_driver_sql(f"SET enable_{scan} = off")
            plans = ["\n".join(line for (line,) in await connection.exec_driver_sql(
                f"EXPLAIN {statement}", parameters)) for statement, parameters in sent]
        assert "ix_overview_search_organisation" in plans[0]
        assert all(f"ix_overview_search_{column}" in plans[1] for column in ("reference", "title"))
    finally:
        await engine.dispose()
