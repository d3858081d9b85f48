"""Page latency as the number of grants grows: the programme overview, a grant page, a search
of the knowledge centre, the dashboard counts and a round's assignment of assessors, at 1,000,
10,000 and 100,000 grants, on SQLite and on PostgreSQL, each against a trivial endpoint of the
same app (/healthz).

Grants are written straight into the read model (no workflows: the grant page's live status
query then finds none, quickly), a quarter of them funded and in the knowledge centre, each
with a progress report accepted and every tenth with a second one awaiting the team's review
(the overview's worklist), and a seventh in assessment, each with two of a pool of 30
assessors. Grants in a stage that waits (reporting, assessment, decision, settlement) have a
deadline, one in ten of them passed."""

from __future__ import annotations

import asyncio
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
from sqlalchemy import JSON, insert, literal, text
from sqlmodel import func, select

from api.app import create_app
from api.auth import SESSION_COOKIE, open_session
from bench.common import Clock, database, drop, summary, table
from domain.lifecycle import Role, Stage
from regie.db import make_engine, migrate, session_factory
from regie.heap import freeze_startup
from regie.records import (
    Application, AssessorAssignment, KnowledgeEntry, Organisation, Person, ReportRecord,
    UTCDateTime,
)
from regie.schemes import load_scheme
from regie.settings import Settings

STAGES = [Stage.REPORTING, Stage.ARCHIVED, Stage.REJECTED_FINAL, Stage.ASSESSMENT,
          Stage.DECISION, Stage.SETTLEMENT, Stage.INELIGIBLE]
WAITING = {Stage.REPORTING, Stage.ASSESSMENT, Stage.DECISION, Stage.SETTLEMENT}
ASSESSORS = 30
# each application in assessment gets two assessors of the pool, by its id
_ASSIGN = text(f"INSERT INTO {AssessorAssignment.__tablename__} (application_id, assessor_id) "
               "SELECT id, :first + (id + :k) % :pool FROM applications "
               "WHERE stage = 'assessment' AND id > :after")
WORDS = ("veiligheid omstanders training promovendi cultuur melding vertrouwenspersoon leiderschap "
         "studenten grensoverschrijdend gedrag onderzoek beleid campagne").split()


def _reports(after: int, position: int, every: int, accepted: bool, at: datetime):
    """A report of each funded grant whose id `every` divides, sent at `at`."""
    funded = select(
        Application.id, literal(position), literal("progress"), literal(at.date()),
        literal("Voortgang"), literal(at, UTCDateTime()), literal(accepted),
        literal({}, JSON)).where(Application.stage.in_(
            [Stage.REPORTING.value, Stage.ARCHIVED.value]), Application.id > after,
            Application.id % every == 0)
    return insert(ReportRecord).from_select(
        ["application_id", "position", "kind", "due", "summary", "submitted_at", "accepted",
         "content"], funded)


def _reference(n: int) -> str:
    return f"SV{2025 + n % 3}-{n:06d}"


async def _seed(sessions, count: int, already: int) -> None:
    """Grow the read model from `already` to `count` grants, in batches."""
    rnd = random.Random(already)
    now = datetime.now(timezone.utc)
    async with sessions() as db:
        if already == 0:
            db.add_all(Organisation(name=f"Instelling {i}", organisation_type=("wo", "hbo")[i % 2])
                       for i in range(200))
            db.add_all(Person(email=f"beoordelaar{i}@bench.example", name=f"Beoordelaar {i}",
                              role=Role.ASSESSOR.value, organisation_id=1 + i * 7 % 200,
                              password_hash="!") for i in range(ASSESSORS))
            await db.commit()
        first = (await db.exec(select(func.min(Person.id)).where(
            Person.role == Role.ASSESSOR.value))).one()
        after = (await db.exec(select(func.coalesce(func.max(Application.id), 0)))).one()
        for start in range(already, count, 5000):
            apps, entries = [], []
            for n in range(start, min(count, start + 5000)):
                stage = STAGES[n % len(STAGES)]
                title = " ".join(rnd.choice(WORDS) for _ in range(5)).capitalize()
                apps.append(dict(
                    reference=_reference(n), round_id=str(2025 + n % 3),
                    scheme_id="sociale-veiligheid", scheme_hash="bench",
                    organisation_id=1 + n % 200, partner_ids=[], title=title,
                    summary=" ".join(rnd.choice(WORDS) for _ in range(40)), sections={},
                    pillars=["omgangscultuur"], target_groups=["promovendi"],
                    marginalised_groups=[], requested_cents=80_000_00,
                    submitted_at=now - timedelta(days=n % 700), stage=stage.value,
                    awarded_cents=80_000_00 if stage in (Stage.REPORTING, Stage.ARCHIVED)
                    else None, event_seq=1, updated_at=now,
                    deadline=now + timedelta(hours=n % 4000 - 400) if stage in WAITING
                    else None))
                if stage in (Stage.REPORTING, Stage.ARCHIVED):
                    entries.append(dict(
                        reference=apps[-1]["reference"], title=title,
                        summary=apps[-1]["summary"], organisations=[f"Instelling {n % 200}"],
                        pillars=["omgangscultuur"], target_groups=["promovendi"],
                        amount_cents=80_000_00, results="", lessons="",
                        organisation_types=["wo"], activities=[], documents=[],
                        year=2025 + n % 3, archived_at=now))
            await db.execute(insert(Application), apps)
            if entries:
                await db.execute(insert(KnowledgeEntry), entries)
            for k in (0, 1):
                await db.execute(_ASSIGN, dict(first=first, k=k, pool=ASSESSORS, after=after))
            await db.execute(_reports(after, 0, 1, True, now - timedelta(days=60)))
            await db.execute(_reports(after, 1, 10, False, now - timedelta(days=1)))
            after = (await db.exec(select(func.max(Application.id)))).one()
            await db.commit()
    async with sessions() as db:  # statistics and visibility as a running database has them
        engine = db.bind
    async with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.exec_driver_sql("VACUUM ANALYZE")
        else:
            await connection.exec_driver_sql("ANALYZE")
            await connection.commit()


async def _latency(web: httpx.AsyncClient, path: str, rounds: int) -> list[float]:
    for _ in range(5):  # warm up
        (await web.get(path)).raise_for_status()
    samples = []
    for _ in range(rounds):
        with Clock() as c:
            response = await web.get(path)
        response.raise_for_status()
        samples.append(c.seconds)
    return samples


async def run(client, folder: Path, sizes=(1_000, 10_000, 100_000), rounds: int = 100,
              databases=("sqlite", "postgresql")) -> list[list]:
    scheme = load_scheme(Path(__file__).parent.parent / "schemes" / "sociale-veiligheid.toml")
    rows = []
    for kind in databases:
        url = database(kind, folder)
        try:
            await asyncio.to_thread(migrate, url)
            engine = make_engine(url)
            sessions = session_factory(engine)
            settings = Settings.from_env(data_dir=folder, database_url=url, smtp_host="")
            app = create_app(settings, scheme, client)
            freeze_startup()  # as `regie api` does once its app is built
            async with sessions() as db:
                team = Person(email="team@bench.example", name="Team", role=Role.PROGRAMME_TEAM
                              .value, password_hash="!")
                db.add(team)
                await db.commit()
                token = await open_session(db, team)
            seeded = 0
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                         base_url="http://regie",
                                         cookies={SESSION_COOKIE: token}) as web:
                for size in sizes:
                    with Clock() as c:
                        await _seed(sessions, size, seeded)
                    seeded = size
                    pages = {
                        "trivial (/healthz)": "/healthz",
                        "programme overview (/team)": "/team",
                        "one stage, page 2 (/team?stage=...)": "/team?stage=reporting&page=2",
                        # 100 of the reports waiting (2,857 at 100,000 grants; fewer at 1,000)
                        "reports to review (/team?reports=1)": "/team?reports=1",
                        # every deadline, the soonest first (57 % of the grants have one)
                        "deadlines, page 2 (/team?deadlines=1)": "/team?deadlines=1&page=2",
                        # a term no grant holds, and one in a third of the titles: each
                        # database reads its trigram indexes for the first, and for the
                        # second the applications in reference order until a page is full
                        "overview search, no match (/team?q=...)": "/team?q=zeldzaam",
                        "overview search, many (/team?q=...)": "/team?q=omstanders",
                        "grant page": f"/grants/{_reference(size // 2)}",
                        "knowledge search": "/knowledge?q=omstanders",
                        "dashboard counts (/metrics)": "/metrics",
                        "grants by stage (/api/grants)": "/api/grants?stage=reporting&limit=100",
                        # its first page: 48 applications at 1,000 grants, 100 beyond
                        "assessor assignment (/rounds/2026/assign)": "/rounds/2026/assign",
                    }
                    trivial = None
                    for label, path in pages.items():
                        stats = summary(await _latency(web, path, rounds))
                        trivial = trivial or stats
                        rows.append([kind, size, label, stats["p50_ms"], stats["p99_ms"],
                                     f"{stats['p50_ms'] / trivial['p50_ms']:.1f}x"])
                    print(f"  {kind}: {size} grants seeded in {c.seconds:.0f} s", flush=True)
            await engine.dispose()
        finally:
            await asyncio.to_thread(drop, url)
    table("Page latency (in-process, sequential requests)",
          ["database", "grants", "page", "p50 ms", "p99 ms", "p50 / trivial"], rows)
    return rows
