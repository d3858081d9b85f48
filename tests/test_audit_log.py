"""The audit log's hash chain: an altered entry and a deleted one are both found, on SQLite and
PostgreSQL, by the function and by `regie audit verify`; each entry names its person by number,
so a person's own data holds theirs alone."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from domain.lifecycle import Role
from regie import audit
from regie.db import session_factory
from regie.personal_data import personal_data
from tests import factories


async def test_altered_and_deleted_entries_are_found(any_db, tmp_path):
    url, engine = any_db
    sessions = session_factory(engine)
    async with sessions() as db:
        for n in range(6):
            await audit.append(db, "Fatima El Amrani", "programme_team", "decide",
                               f"SV2026-000{n}", {"award": n % 2 == 0, "amount_cents": n * 100})
        assert await audit.verify(db) == []
        await db.exec(text("UPDATE audit_log SET detail = :d WHERE id = 2"),
                      params={"d": '{"award": true, "amount_cents": 999999}'})
        await db.exec(text("DELETE FROM audit_log WHERE id = 5"))
        await db.commit()
        problems = await audit.verify(db)
    assert [(p.entry_id, p.what) for p in problems] == [(2, "altered"), (6, "missing before")]

    regie = str(Path(sys.executable).parent / "regie")
    result = await asyncio.to_thread(subprocess.run, [regie, "audit", "verify"],
                                     capture_output=True, text=True,
                                     env={"PATH": "/usr/bin:/bin", "REGIE_DATABASE_URL": url,
                                          "REGIE_DATA_DIR": str(tmp_path)})
    assert result.returncode == 1
    assert "audit entry 2: altered" in result.stdout
    assert "audit entry 6: missing before" in result.stdout


async def test_concurrent_appends_keep_one_chain(any_db):
    _url, engine = any_db
    sessions = session_factory(engine)

    async def one(n: int) -> None:
        async with sessions() as db:
            await audit.append(db, f"persoon {n}", "grantee", "submit_report", f"SV-{n}")
    await asyncio.gather(*(one(n) for n in range(12)))
    async with sessions() as db:
        assert await audit.verify(db) == []


async def test_a_persons_own_data_holds_their_entries_not_those_of_a_namesake(any_db):
    """Two grantees called Jan de Vries: each one's download (AVG/GDPR article 15) holds the
    entries written as them, by their number, and not the other's; an entry written before
    the log numbered people is still found by the name. The number is part of the hash."""
    _url, engine = any_db
    sessions = session_factory(engine)
    async with sessions() as db:
        org = await factories.organisation(db)
        jan, namesake = [await factories.person(db, Role.GRANTEE, email, org,
                                                name="Jan de Vries")
                         for email in ("jan@uu.example", "j.devries@uu.example")]
        await audit.append(db, "Jan de Vries", "grantee", "submit_report", "SV2026-0001")
        for person, subject in ((jan, "SV2026-0002"), (namesake, "SV2026-0003")):
            await audit.append(db, person.name, person.role, "submit_report", subject,
                               actor_id=person.id)
        assert await audit.verify(db) == []
        for person, own in ((jan, "SV2026-0002"), (namesake, "SV2026-0003")):
            actions = (await personal_data(db, person))["actions"]
            assert [a["subject"] for a in actions] == ["SV2026-0001", own]
        await db.exec(text("UPDATE audit_log SET actor_id = :jan WHERE subject = 'SV2026-0003'"),
                      params={"jan": jan.id})
        await db.commit()
        assert [(p.entry_id, p.what) for p in await audit.verify(db)] == [(3, "altered")]
