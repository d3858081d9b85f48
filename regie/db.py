"""Database engines and migrations: SQLite by default, PostgreSQL by URL.

REGIE_DATABASE_URL names a database, not a driver: `postgresql://user@host/db` (or with
`+psycopg`, as earlier versions wrote it), with libpq's parameters as psql reads them
(`?sslmode=verify-full&sslrootcert=...`, `application_name`, `options`, `connect_timeout`).
The engines the web app, the worker and the commands work through reach PostgreSQL through
asyncpg (`_asyncpg_connect`); the synchronous connections (Alembic, the mail threads, the
start-up check) through psycopg (`sync_url`). On the throughput bench (three runs of each, one
machine, 2026-12-06) the worker spent a fifth less CPU on a grant through asyncpg than through
psycopg's asyncio connection (256 against 321 ms), and PostgreSQL a fifth less (33 against 42
ms)."""

from __future__ import annotations

from functools import partial
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import asyncpg
from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from regie import ROOT
from regie.overview import fold

# regie.mail's delivering threads write through an engine of their own (they run without the
# event loop): its pool and how far it may overflow
MAIL_POOL_SIZE, MAIL_MAX_OVERFLOW = 2, 10


def connections_at_most(pool_size: int) -> int:
    """The most connections one Regie process (a web app, a worker, a command) opens to
    PostgreSQL with REGIE_DB_POOL_SIZE `pool_size`: its engine's pool and overflow, and the
    mail threads' engine. A deployment's PostgreSQL admits them all (deploy/README.md)."""
    return pool_size + _overflow(pool_size) + MAIL_POOL_SIZE + MAIL_MAX_OVERFLOW


def _overflow(pool_size: int) -> int:
    return pool_size // 2


def make_engine(url: str, pool_size: int = 40, pre_ping: bool = True) -> AsyncEngine:
    """An engine for `url`. `pre_ping`: test each PostgreSQL connection as it leaves the pool,
    so a connection that died with a restart of the server fails nothing. The worker goes
    without: the test is a round trip for every activity, and an activity that meets a dead
    connection fails, is retried by Temporal, and by then SQLAlchemy has emptied the pool of
    the connections that died with it."""
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(conn, _record) -> None:  # WAL for concurrent readers; enforce foreign keys
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            # WAL with NORMAL sync survives any crash of Regie; only a power cut can lose the
            # last commits (production runs on PostgreSQL)
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()
            sqlite_functions(conn)

        return engine
    return create_async_engine(
        _with_driver(url, "asyncpg").partition("?")[0], async_creator=_asyncpg_connect(url),
        pool_size=pool_size, max_overflow=_overflow(pool_size), pool_pre_ping=pre_ping)


def sqlite_functions(conn) -> None:
    """The SQL functions Regie's SQLite schema calls, on a new connection (`conn`, of sqlite3
    or aiosqlite's adapter): regie_fold, which migration 0023's search triggers call. Every
    connection that writes a title or an organisation's name needs it; the migrations' gets it
    from migrations/env.py. (Another client, the sqlite3 shell say, that changes one is refused
    with "no such function: regie_fold", and changes nothing.)"""
    conn.create_function("regie_fold", 1, lambda text: None if text is None else fold(text),
                         deterministic=True)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """What Alembic compares with the models: not the search indexes, which each database
    builds its own way (the knowledge centre's FTS5 tables in SQLite, a stored tsvector column
    with its index in PostgreSQL; the overview's trigram indexes in PostgreSQL, its trigram
    FTS5 tables in SQLite)."""
    return not (name or "").startswith(("knowledge_fts", "ix_knowledge_search", "search_vector",
                                        "ix_overview_search", "overview_search"))


_POSTGRESQL = ("postgresql://", "postgresql+psycopg://", "postgresql+asyncpg://")


def _with_driver(url: str, driver: str | None) -> str:
    for scheme in _POSTGRESQL:
        if url.startswith(scheme):
            return f"postgresql{'+' + driver if driver else ''}://{url.removeprefix(scheme)}"
    return url


def _asyncpg_connect(url: str):
    """How the asyncio engine opens a connection to the PostgreSQL database at `url`: asyncpg
    reads the URL as libpq does (SQLAlchemy would hand its parameters to asyncpg.connect as
    arguments, and `sslmode` is none), except `connect_timeout`, which it would send to the
    server as a setting: that is its own `timeout` (libpq's 0, no limit, is its default)."""
    parts = urlsplit(_with_driver(url, None))
    query = parse_qsl(parts.query, keep_blank_values=True)
    timeout = next((float(v) for k, v in query if k == "connect_timeout" and float(v) > 0), 60.0)
    kept = urlencode([(k, v) for k, v in query if k != "connect_timeout"], quote_via=quote)
    return partial(asyncpg.connect, parts._replace(query=kept).geturl(), timeout=timeout)


def sync_url(url: str) -> str:
    """The same database for a synchronous connection: PostgreSQL through psycopg, SQLite
    through the standard library."""
    return _with_driver(url, "psycopg").replace("sqlite+aiosqlite", "sqlite")


def migration_config(url: str) -> Config:
    """Alembic's configuration for the database at `url`."""
    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", sync_url(url).replace("%", "%%"))
    return config


def migrate(url: str) -> None:
    """Bring the database to the newest migration."""
    command.upgrade(migration_config(url), "head")
