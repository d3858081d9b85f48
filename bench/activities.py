"""What each of the grant's activities costs per call, run in this process as the worker runs
it (`ActivityEnvironment`), on SQLite and on PostgreSQL, against a no-op activity in the same
harness: the CPU of this process (its database threads included) and of the PostgreSQL server.

These are the activities a grant calls most (`bench throughput` prints how many a grant's life
takes); the throughput bench's baseline has no-op activities in their place, so their cost is
the part of Regie's gap to the baseline that is its own work. Mail is recorded in the outbox
and kept, as with no relay configured: sending is the relay's time, not the worker's CPU."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from contextlib import contextmanager, redirect_stdout
from datetime import datetime, timezone
from pathlib import Path

import structlog
from temporalio.testing import ActivityEnvironment

from activities.grants import GrantActivities
from activities.letters import LetterActivities
from activities.mail import MailActivities
from bench.baseline import noop
from bench.common import database, drop, postgres_cpu_seconds, table
from domain.lifecycle import Action, Stage
from domain.types import ArchiveRequest, LetterRequest, MailRequest, Recipients, StageChange
from regie.db import make_engine, migrate, session_factory
from regie.logging import configure
from regie.records import Organisation
from regie.schemes import load_scheme
from regie.settings import Settings
from tests import dates, factories, scenario

REFERENCE = "SV2026-0001"
AWARD = {"reason": "Rang 1.", "amount": "8000000", "threshold": "6", "total": "24",
         "score_ambitie": "8", "score_impact": "8", "score_verankering": "8",
         "objection_weeks": "6"}


def _calls(grants: GrantActivities, mail: MailActivities, letters: LetterActivities,
           actor) -> dict[str, tuple]:
    """Each activity with the argument of its n-th call: a new record, mail or letter each
    time, as a grant's life has them."""
    now = datetime.now(timezone.utc)
    return {
        "no-op (the harness)": (noop, lambda n: ()),
        "record_event": (grants.record_event, lambda n: (StageChange(
            reference=REFERENCE, workflow_id=f"grant-{REFERENCE}", seq=n, stage=Stage.REPORTING,
            at=now, deadline=now, actor=actor, action=Action.REVIEW_REPORT, note="Akkoord."),)),
        "send_mail": (mail.send_mail, lambda n: (MailRequest(
            key=f"grant-{REFERENCE}/bench-{n}", reference=REFERENCE,
            recipients=Recipients.APPLICANT, template="submission_received"),)),
        "issue_letter": (letters.issue_letter, lambda n: (LetterRequest(
            key=f"grant-{REFERENCE}/letter-{n}", reference=REFERENCE, kind="award",
            context=AWARD),)),
        # the rare letter whose text holds a letter Latin-1 lacks: in the wide cut of the font
        "issue_letter, a name beyond Latin-1": (letters.issue_letter, lambda n: (LetterRequest(
            key=f"grant-{REFERENCE}/letter-latin-{n}", reference=REFERENCE, kind="award",
            context={**AWARD, "reason": "Rang 1. Projectleider: dr. Ayşe Doğan."}),)),
        "check_application": (grants.check_application, lambda n: (REFERENCE,)),
        "archive_grant": (grants.archive_grant, lambda n: (ArchiveRequest(
            reference=REFERENCE, results="Gedaan."),)),
    }


@contextmanager
def _worker_logging():
    """Each activity's log line as `regie worker` writes it (JSON), into nothing; the bench's
    own logging as it was afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure("json")
    try:
        with open(os.devnull, "w") as sink, redirect_stdout(sink):
            yield
    finally:
        structlog.reset_defaults()
        root.handlers[:], root.level = handlers, level


async def _measure(kind: str, folder: Path, calls: int) -> list[list]:
    scheme_file = dates.write_scheme(folder)  # the tests' calendar (tests/dates.py)
    scheme = load_scheme(scheme_file)
    url = database(kind, folder)
    try:
        await asyncio.to_thread(migrate, url)
        engine = make_engine(url, pre_ping=False)  # as `regie worker` makes it
        sessions = session_factory(engine)
        settings = Settings.from_env(data_dir=folder / kind, database_url=url, smtp_host="",
                                     scheme_file=scheme_file)
        async with sessions() as db:
            people = await scenario.cast(db)
            app = await factories.application(
                db, await db.get(Organisation, people.grantee.organisation_id), scheme)
            app.reference, app.submitted_at, app.stage = REFERENCE, factories.IN_2026_ROUND, \
                "reporting"
            db.add(app)
            await db.commit()
        env = ActivityEnvironment()
        server_cpu = postgres_cpu_seconds if kind == "postgresql" else lambda: 0.0
        rows, harness = [], None
        for label, (fn, argument) in _calls(
                GrantActivities(sessions, scheme), MailActivities(sessions, settings, scheme),
                LetterActivities(sessions, settings, scheme),
                factories.actor_of(people.team)).items():
            for n in range(1, 21):  # warm up: statements prepared, templates compiled
                await env.run(fn, *argument(n))
            own, server, wall = time.process_time(), server_cpu(), time.perf_counter()
            for n in range(21, 21 + calls):
                await env.run(fn, *argument(n))
            own = (time.process_time() - own) / calls * 1000
            server = (server_cpu() - server) / calls * 1000
            wall = (time.perf_counter() - wall) / calls * 1000
            harness = harness if harness is not None else own + server
            rows.append([kind, label, own, server if kind == "postgresql" else "–",
                         own + server, wall, f"{(own + server) / harness:.0f}x"])
        await engine.dispose()
        return rows
    finally:
        await asyncio.to_thread(drop, url)


async def run(folder: Path, calls: int = 200,
              databases=("sqlite", "postgresql")) -> list[list]:
    rows = []
    with _worker_logging():
        for kind in databases:
            rows += await _measure(kind, folder, calls)
    table(f"Activities, per call ({calls} calls each, in-process)",
          ["database", "activity", "CPU ms: this process", "PostgreSQL", "both", "wall ms",
           "both / no-op"], rows)
    return rows
