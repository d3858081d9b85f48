"""The knowledge centre's search on SQLite (FTS5) and PostgreSQL (tsvector), with filters."""

from __future__ import annotations

import contextlib
from datetime import datetime, timezone

from api.app import create_app
from regie.db import session_factory
from regie import knowledge
from regie.knowledge import search
from regie.records import KnowledgeEntry
from regie.settings import Settings
from tests.conftest import web_client_as


def entry(ref: str, title: str, results: str, pillars: list[str], year: int,
          org_types: list[str]) -> KnowledgeEntry:
    return KnowledgeEntry(
        reference=ref, title=title, summary="Een project over sociale veiligheid.",
        organisations=["Universiteit Utrecht"], organisation_types=org_types, pillars=pillars,
        target_groups=["studenten"], amount_cents=50_000_00, results=results,
        lessons="Begin klein en betrek studenten vanaf het begin.", year=year,
        archived_at=datetime(2028, 3, 1, tzinfo=timezone.utc))


async def test_search_and_filters(any_db):
    _url, engine = any_db
    sessions = session_factory(engine)
    async with sessions() as db:
        db.add(entry("SV2025-0001", "Omstanders in actie",
                     "Driehonderd studenten leerden ingrijpen met omstandersinterventie.",
                     ["omgangscultuur"], 2025, ["wo"]))
        db.add(entry("SV2026-0003", "Meldpunt voor promovendi",
                     "Het meldpunt kreeg veertig meldingen; de klachtenregeling is herzien.",
                     ["klachtafhandeling"], 2026, ["phd_org"]))
        db.add(entry("SV2026-0004", "Leiderschap en aanspreekcultuur",
                     "Leidinggevenden oefenden met aanspreken.", ["omgangscultuur"], 2026,
                     ["hbo"]))
        await db.commit()
    async with sessions() as db:
        assert [e.reference for e in await search(db, "omstandersinterventie")] == [
            "SV2025-0001"]
        assert [e.reference for e in await search(db, "meldpunt")] == ["SV2026-0003"]
        assert [e.reference for e in await search(db, "klachtenregeling herzien")] == [
            "SV2026-0003"]
        assert len(await search(db, "studenten")) == 3  # also in every entry's lessons
        assert {e.reference for e in await search(db, pillar="omgangscultuur")} == {
            "SV2025-0001", "SV2026-0004"}
        assert [e.reference for e in await search(db, "studenten", year=2026,
                                                  organisation_type="hbo")] == ["SV2026-0004"]
        assert await search(db, "onbekendwoord") == []
        assert await search(db, '"); DROP TABLE knowledge_entries; --') == []  # plain words
        # an update of the record is found under its new words
        row = (await search(db, "meldpunt"))[0]
        row.results = "Een vertrouwenspunt opende in 2027."
        db.add(row)
        await db.commit()
        assert [e.reference for e in await search(db, "vertrouwenspunt")] == ["SV2026-0003"]
        assert await search(db, "meldingen") == []


async def test_a_search_finds_words_with_or_without_their_accents(any_db):
    """Dutch is often typed without its accents: both databases find "crèche" by "creche",
    "Curaçao" by "curacao" and "coördinatie" by "coordinatie", and the other way round."""
    _url, engine = any_db
    sessions = session_factory(engine)
    async with sessions() as db:
        db.add(entry("SV2025-0001", "Coördinatie van vertrouwenspersonen op Curaçao",
                     "Nieuwe ideeën voor de crèche.", ["klachtafhandeling"], 2025, ["wo"]))
        db.add(entry("SV2026-0002", "Een cafe voor promovendi", "Een creche op de campus.",
                     ["omgangscultuur"], 2026, ["phd_org"]))
        await db.commit()
    async with sessions() as db:
        for q in ("Curaçao", "curacao", "coördinatie", "coordinatie", "ideeën", "ideeen"):
            assert [e.reference for e in await search(db, q)] == ["SV2025-0001"], q
        for q in ("crèche", "creche", "CRÈCHE"):
            assert {e.reference for e in await search(db, q)} == {
                "SV2025-0001", "SV2026-0002"}, q
        for q in ("café", "cafe"):
            assert [e.reference for e in await search(db, q)] == ["SV2026-0002"], q


async def test_a_search_looks_at_the_newest_matches_and_pages_past_them(any_db, monkeypatch):
    """A word in every project makes a search rank the newest RANKED matches, not all of them;
    a page beyond them still finds its projects."""
    monkeypatch.setattr(knowledge, "RANKED", 3)
    _url, engine = any_db
    sessions = session_factory(engine)
    async with sessions() as db:
        for n in range(1, 7):
            db.add(entry(f"SV2025-{n:04d}", f"Project {n}", "Omstanders grepen in.",
                         ["omgangscultuur"], 2025, ["wo"]))
        await db.commit()
    async with sessions() as db:
        first = {e.reference for e in await search(db, "omstanders", limit=2)}
        assert first <= {"SV2025-0004", "SV2025-0005", "SV2025-0006"} and len(first) == 2
        every = await search(db, "omstanders", limit=2, offset=4)  # needs all six
        assert len(every) == 2


async def test_a_project_page_names_the_schemes_choices_and_writes_its_days(
        any_db, tmp_path, scheme, time_env):
    url, engine = any_db
    project = entry("SV2025-0001", "Omstanders in actie", "Driehonderd studenten leerden het.",
                    ["omgangscultuur"], 2025, ["wo"])
    project.activities = [{"title": "Training", "goal": "Ingrijpen leren.",
                           "start": "2026-08-31", "end": "2027-06-30"}]
    async with session_factory(engine)() as db:
        db.add(project)
        await db.commit()
        settings = Settings.from_env(data_dir=tmp_path, database_url=url, smtp_host="")
        web = await web_client_as(create_app(settings, scheme, time_env.client), None, db)
    async with contextlib.aclosing(web):
        page = (await web.get("/knowledge/projects/SV2025-0001")).text
    assert "Omgangscultuur op de werkvloer · Studenten" in page  # not the scheme's keys
    assert "<strong>Training</strong> (31-08-2026 – 30-06-2027): Ingrijpen leren." in page
