"""Migrations: they build exactly the tables the models declare, and go down and up again,
on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import regie.records  # noqa: F401  (registers the tables)
from regie.db import include_object, migration_config, sync_url


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
