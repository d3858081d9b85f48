"""Migrations: they build exactly the tables the models declare, and go down and up again,
on SQLite and on PostgreSQL; and the drivers a database URL is reached through."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel, select

from domain.lifecycle import Role
from regie.db import (
    include_object, make_engine, migrate, migration_config, session_factory, sync_url,
)
from regie.records import DecisionRecord, DeclaredConflict, GrantEvent
from tests import factories


def _differences(url: str) -> list:
    engine = create_engine(sync_url(url))
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": include_object})
        diff = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    return diff


async def test_migrations_match_the_models_and_go_down_and_up(any_db):
    url, _engine = any_db  # already migrated to head by the fixture
    assert await asyncio.to_thread(_differences, url) == []
    await asyncio.to_thread(command.downgrade, migration_config(url), "base")
    await asyncio.to_thread(command.upgrade, migration_config(url), "head")
    assert await asyncio.to_thread(_differences, url) == []


@pytest.mark.parametrize("written", ["postgresql", "postgresql+psycopg", "postgresql+asyncpg"])
async def test_a_postgresql_url_serves_however_it_names_its_driver(postgres_url, written):
    """REGIE_DATABASE_URL names a database, with libpq's parameters as psql reads them (a
    managed PostgreSQL asks for `sslmode`); earlier versions wrote `+psycopg` in it, and a
    deployment keeps its settings. Whichever form: the web app's and the worker's engine talk
    to PostgreSQL through asyncpg, migrations and the mail threads through psycopg, and both
    take the URL's parameters."""
    url = postgres_url.replace("postgresql://", f"{written}://") + (
        "?sslmode=prefer&connect_timeout=10&application_name=regie-test"
        "&options=-c%20statement_timeout%3D7000")
    settings = "SELECT current_setting('application_name') || ' ' || " \
        "current_setting('statement_timeout') || ' ' || (SELECT count(*) FROM applications)"
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text(settings))).scalar() == "regie-test 7s 0"
        assert engine.dialect.driver == "asyncpg"
    finally:
        await engine.dispose()
    await asyncio.to_thread(migrate, url)  # at head already: Alembic connects, and stops there
    sync = create_engine(sync_url(url))
    try:
        with sync.connect() as conn:
            assert conn.execute(text(settings)).scalar() == "regie-test 7s 0"
        assert sync.dialect.driver == "psycopg"
    finally:
        sync.dispose()


async def test_the_conflicts_declared_before_come_from_the_grants_timelines(any_db, scheme):
    """Migration 0024 finds the declarations of conflict already on the grants' timelines,
    each by its assessor's name; an assessor who only scored is not taken for one."""
    url, engine = any_db
    async with session_factory(engine)() as db:  # written as the models are now, then taken
        org = await factories.organisation(db)  # down to the release before 0024
        declared = await factories.person(db, Role.ASSESSOR, "l.jansen@example.nl",
                                          name="L. Jansen")
        scored = await factories.person(db, Role.ASSESSOR, "p.bakker@example.nl",
                                        name="P. Bakker")
        team = await factories.person(db, Role.PROGRAMME_TEAM, "team@example.nl",
                                      name="L. Jansen")  # a namesake of the team's
        app = await factories.application(db, org, scheme)
        now = datetime.now(timezone.utc)
        db.add_all([GrantEvent(application_id=app.id, seq=seq, at=now, stage="assessment",
                               action=action, actor_name=who.name, actor_role=who.role)
                    for seq, action, who in ((1, "assign_assessors", team),
                                             (2, "submit_score", scored),
                                             (3, "declare_conflict", declared),
                                             (4, "declare_conflict", declared))])
        await db.commit()
    await asyncio.to_thread(command.downgrade, migration_config(url), "0023")
    await asyncio.to_thread(command.upgrade, migration_config(url), "head")
    async with session_factory(engine)() as db:
        assert [(c.application_id, c.assessor_id) for c in (
            await db.exec(select(DeclaredConflict))).all()] == [(app.id, declared.id)]


async def test_the_objections_upheld_before_become_their_applications_awards(any_db, scheme):
    """Migration 0032: an application whose objection was upheld before it has the award as its
    decision, from its timeline (the last one upheld) and the amount it holds; a rejection
    that stands, and an award, stay as they were."""
    url, engine = any_db
    at = datetime(2027, 1, 25, 14, tzinfo=timezone.utc)
    async with session_factory(engine)() as db:  # as the release before 0032 left them
        org = await factories.organisation(db)
        upheld, standing, awarded = [await factories.application(db, org, scheme)
                                     for _ in range(3)]
        upheld.awarded_cents, awarded.awarded_cents = 60_000_00, 80_000_00
        db.add_all([upheld, awarded])
        db.add_all([DecisionRecord(application_id=app.id, awarded=app is awarded,
                                   amount_cents=app.awarded_cents or 0, reason="Rang 31.",
                                   decided_by="Team", decided_at=datetime(
                                       2026, 11, 20, tzinfo=timezone.utc))
                    for app in (upheld, standing, awarded)])
        db.add_all([GrantEvent(application_id=upheld.id, seq=seq, at=when, stage=stage,
                               action=action, actor_name=who, actor_role="programme_team",
                               note=note)
                    for seq, when, stage, action, who, note in (
                        (7, at, "rejected", "reject", "Team", "Rang 31."),
                        (9, at, "reporting", "uphold_objection", "Noor Haddad", "Gegrond."),
                        (10, at, "reporting", "submit_report", "Eva Bakker", ""))])
        await db.commit()
    await asyncio.to_thread(command.downgrade, migration_config(url), "0031")
    await asyncio.to_thread(command.upgrade, migration_config(url), "head")
    async with session_factory(engine)() as db:
        decisions = {d.application_id: (d.awarded, d.amount_cents, d.reason, d.decided_by)
                     for d in (await db.exec(select(DecisionRecord))).all()}
        upheld_at = (await db.exec(select(DecisionRecord.decided_at).where(
            DecisionRecord.application_id == upheld.id))).one()
    assert decisions == {upheld.id: (True, 60_000_00, "Gegrond.", "Noor Haddad"),
                         standing.id: (False, 0, "Rang 31.", "Team"),
                         awarded.id: (True, 80_000_00, "Rang 31.", "Team")}
    assert upheld_at == at
