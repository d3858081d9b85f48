"""Regie's database restored from a backup older than Temporal's state: `regie reconcile` names
the grant whose read model lags its history and, with --apply, brings it back to what it was
before the restore through the worker's own writes, noted in the audit log; a grant submitted
after the backup is named, not invented; a row ahead of its history is named too. A real backup
and restore of the suite's database (SQLite's backup API, or pg_dump and pg_restore) against
the real dev server."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlmodel import select

from domain.lifecycle import Stage
from regie import audit, grants
from regie.db import make_engine, session_factory
from regie.programme import ensure_programme
from regie.reconcile import ACTION, catch_up, compare, completed_writes
from regie.records import (
    Application, AssessmentRecord, AssessorAssignment, AuditEntry, DecisionRecord, GrantEvent,
    KnowledgeEntry, Organisation, ReportRecord,
)
from regie.settings import Settings
from regie.temporal import grant_workflow_id
from regie.worker import build_worker
from tests import factories, scenario
from tests.conftest import _drop_postgres_database, postgres_admin
from tests.factories import actor_of
from tests.scenario import score

LATE = "SV2026-0002"  # submitted after the backup


def _backup(db_url: str, folder: Path) -> Path:
    if db_url.startswith("sqlite"):
        target = folder / "backup.db"
        with sqlite3.connect(db_url.split("///", 1)[1]) as live, \
                sqlite3.connect(target) as copy:
            live.backup(copy)
        return target
    target = folder / "backup.dump"
    subprocess.run(["pg_dump", "--format=custom", "--file", str(target), db_url],
                   check=True)
    return target


def _restore(db_url: str, backup: Path) -> None:
    if db_url.startswith("sqlite"):
        with sqlite3.connect(backup) as copy, \
                sqlite3.connect(db_url.split("///", 1)[1]) as live:
            copy.backup(live)
        return
    _drop_postgres_database(db_url)
    name = db_url.rsplit("/", 1)[1]
    with postgres_admin() as c:
        c.execute(f'CREATE DATABASE "{name}"')
    subprocess.run(["pg_restore", "--no-owner", "--dbname", db_url, str(backup)],
                   check=True)


async def _read_model(sessions, reference: str) -> dict:
    """What pages and search read of a grant, without the moments rows were written."""
    async with sessions() as db:
        app = (await db.exec(select(Application).where(
            Application.reference == reference))).one()
        of_app = lambda model: select(model).where(model.application_id == app.id)  # noqa: E731
        entry = (await db.exec(select(KnowledgeEntry).where(
            KnowledgeEntry.reference == reference))).first()
        return {
            "row": (app.stage, app.event_seq, app.deadline, app.awarded_cents),
            "events": [(e.seq, e.at, e.stage, e.action, e.actor_name)
                       for e in (await db.exec(of_app(GrantEvent).order_by(GrantEvent.seq)))],
            "assessors": sorted(a.assessor_id for a in await db.exec(of_app(AssessorAssignment))),
            "assessments": sorted((a.assessor_id, str(a.scores))
                                  for a in await db.exec(of_app(AssessmentRecord))),
            "decision": [(d.awarded, d.amount_cents, d.reason, d.decided_by)
                         for d in await db.exec(of_app(DecisionRecord))],
            "reports": [(r.position, r.kind, r.due, r.summary, r.accepted)
                        for r in await db.exec(of_app(ReportRecord).order_by(
                            ReportRecord.position))],
            "knowledge": entry and (entry.amount_cents, entry.results, entry.lessons,
                                    entry.documents),
        }


def _reconcile(env: dict, *args: str) -> subprocess.CompletedProcess:
    regie = str(Path(sys.executable).parent / "regie")
    return subprocess.run([regie, "reconcile", *args], env=env, capture_output=True, text=True)


async def test_a_restored_database_catches_up_with_temporal(dev_env, tmp_path, db_url, scheme):
    client = dev_env.client
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="",
                                 task_queue="reconcile")
    engine = make_engine(db_url)
    sessions = session_factory(engine)
    async with sessions() as db:
        people = await scenario.cast(db)
        await ensure_programme(db, client, scheme, settings.task_queue)
    async with build_worker(client, settings, sessions, scheme):
        async with sessions() as db:
            reference = await scenario.grant_in_assessment(db, client, scheme,
                                                           settings.task_queue, people)
        backup = await asyncio.to_thread(_backup, db_url, tmp_path)
        for assessor in (people.assessor, people.second_assessor):
            await grants.act(client, reference, "submit_score", score(actor_of(assessor)))
        await scenario.award_and_archive(client, reference, people)
        async with sessions() as db:
            late = await factories.application(
                db, await db.get(Organisation, people.grantee.organisation_id), scheme)
            await grants.start(db, client, scheme, late, LATE, factories.IN_2026_ROUND,
                               settings.task_queue, round_closed=True)
        await scenario.stage_is(client, LATE, Stage.ASSESSMENT)
    before = await _read_model(sessions, reference)
    assert before["row"][0] == "archived" and before["knowledge"][1]
    await engine.dispose()
    await asyncio.to_thread(_restore, db_url, backup)

    env = {**os.environ, "REGIE_DATABASE_URL": db_url, "REGIE_DATA_DIR": str(tmp_path),
           "REGIE_TEMPORAL_ADDRESS": client.service_client.config.target_host}
    checked = await asyncio.to_thread(_reconcile, env)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    lines = checked.stdout.splitlines()
    assert any(line.startswith(f"{reference}: database assessment, Temporal archived; ")
               and line.endswith("+ archivering / archival") for line in lines), lines
    assert any(line.startswith(f"{LATE}: niet in de database") for line in lines), lines
    assert "2 subsidies vergeleken, 2 liepen achter, 2 nog niet bij" in checked.stdout
    engine = make_engine(db_url)
    sessions = session_factory(engine)
    restored = await _read_model(sessions, reference)
    assert restored["row"][0] == "assessment"  # only looked

    caught_up = await asyncio.to_thread(_reconcile, env, "--apply")
    assert caught_up.returncode == 1, caught_up.stdout  # the late grant's application is gone
    assert "bijgewerkt / caught up: archived" in caught_up.stdout
    assert await _read_model(sessions, reference) == before
    history = await client.get_workflow_handle(grant_workflow_id(reference)).fetch_history()
    writes = completed_writes(history)
    async with sessions() as db:
        [entry] = (await db.exec(select(AuditEntry).where(AuditEntry.action == ACTION))).all()
        assert (entry.subject, entry.actor) == (reference, audit.OPERATOR)
        assert entry.detail["from_stage"] == "assessment" and entry.detail["archive"] is True
        assert entry.detail["records"] == [c.seq for c in writes.changes
                                           if c.seq > restored["row"][1]]
        assert await audit.verify(db) == []

    again = await asyncio.to_thread(_reconcile, env, "--grant", reference)
    assert again.returncode == 0, again.stdout
    assert "1 subsidies vergeleken, 0 liepen achter, 0 nog niet bij" in again.stdout
    unknown = await asyncio.to_thread(_reconcile, env, "--grant", "SV2026-9999")
    assert unknown.returncode == 1 and not unknown.stderr, unknown.stderr
    assert unknown.stdout.startswith("SV2026-9999: geen geschiedenis / no history")

    # the other way round, as a row stands when Temporal's database went back instead
    async with sessions() as db:
        app = (await db.exec(select(Application).where(
            Application.reference == reference))).one()
        app.event_seq += 1
        db.add(app)
        await db.commit()
        drift = await compare(client, db, reference)
    assert drift.ahead and not drift.missed and not await catch_up(sessions, drift)
    assert drift.describe().startswith(f"{reference}: de database is verder dan Temporal")
    await engine.dispose()
