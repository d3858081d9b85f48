"""Text as people type it: a letter and its accent typed or pasted as two characters (e + a
combining acute, as some keyboards, PDFs and word processors give it) is kept as the one
character é, so that a search typed either way finds it and the same password is the same."""

from __future__ import annotations

import contextlib
import unicodedata
from datetime import datetime, timezone

from sqlmodel import select

from api.app import create_app
from api.auth import CSRF_COOKIE, hash_password, verify_password
from domain.text import composed
from regie import ROOT
from regie.db import session_factory
from regie.records import Application, KnowledgeEntry, Organisation, ProjectActivity
from regie.settings import Settings
from regie.spreadsheet import read_table
from tests import factories, scenario
from tests.conftest import web_client_as

ACUTE = "\u0301"
TYPED = f"Universite{ACUTE} en cafe{ACUTE}"  # as pasted: e + a combining acute, twice
KEPT = "Université en café"


def test_composed_composes_every_text_it_holds():
    assert composed(TYPED) == KEPT and len(composed(TYPED)) == len(TYPED) - 2
    assert composed({"title": TYPED, "activities": [{"goal": TYPED}], "hours": 2.5,
                     "ids": (1, TYPED), "end": None}) == {
        "title": KEPT, "activities": [{"goal": KEPT}], "hours": 2.5, "ids": (1, KEPT),
        "end": None}
    assert composed(b"e\xcc\x81") == b"e\xcc\x81"  # bytes are a file's, not text
    assert composed(KEPT) is KEPT  # what is composed already comes back as it is
    assert composed("Ωμέγα Щука Ångström") == unicodedata.normalize("NFC", "Ωμέγα Щука Ångström")


def test_the_same_password_typed_either_way_signs_in():
    stored = hash_password(f"zes woorden die e{ACUTE}e{ACUTE}n zin maken")
    assert verify_password("zes woorden die één zin maken", stored)
    assert not verify_password("zes woorden die een zin maken", stored)


def test_an_imported_spreadsheet_is_read_composed():
    table = read_table(f"organisatie;titel\nUniversite{ACUTE};Cafe{ACUTE}\n".encode(),
                       "grants.csv")
    assert table.rows == [(2, {"organisatie": "Université", "titel": "Café"})]


def test_every_page_reads_its_form_composed():
    """A route reads a posted form through api.views.posted, which composes it; only the
    CSRF check reads the form itself (its token is ASCII)."""
    readers = {path.name for path in (ROOT / "api").glob("*.py")
               if "request.form()" in path.read_text()}
    assert readers == {"views.py", "auth.py"}


async def test_what_is_typed_is_kept_composed_and_found_however_it_is_searched(
        tmp_path, db_url, engine, scheme, time_env):
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="")
    app = create_app(settings, scheme, time_env.client)
    sessions = session_factory(engine)
    async with sessions() as db:
        people = await scenario.cast(db)
        org = await db.get(Organisation, people.grantee.organisation_id)
        draft = await factories.application(db, org, scheme)
        db.add(KnowledgeEntry(
            reference="SV2025-0007", title="Gesprekken in het café",
            summary="Een project over sociale veiligheid.", organisations=["Universiteit Leiden"],
            organisation_types=["wo"], pillars=["omgangscultuur"], target_groups=["studenten"],
            amount_cents=50_000_00, results="Twaalf cafégesprekken met promovendi.",
            lessons="Begin klein.", year=2025,
            archived_at=datetime(2026, 3, 1, tzinfo=timezone.utc)))
        await db.commit()
        grantee = await web_client_as(app, people.grantee, db)
        team = await web_client_as(app, people.team, db)
        visitor = await web_client_as(app, None, db)
    async with contextlib.aclosing(grantee), contextlib.aclosing(team), \
            contextlib.aclosing(visitor):
        token = grantee.cookies[CSRF_COOKIE]
        saved = await grantee.post(f"/applications/{draft.id}", data={
            "csrf_token": token, "title": TYPED, "summary": TYPED, "intent": "save"})
        assert saved.status_code == 303
        async with sessions() as db:
            kept = await db.get(Application, draft.id)
            assert (kept.title, kept.summary) == (KEPT, KEPT)

        content = factories.draft(title=f"Veilig in het cafe{ACUTE}").model_dump(mode="json")
        content["activities"][0]["goal"] = f"Zo'n twintig cafe{ACUTE}s"
        by_api = await grantee.put(f"/api/applications/{draft.id}", json=content,
                                   headers={"x-csrf-token": token})
        assert by_api.status_code == 200, by_api.text
        async with sessions() as db:
            kept = await db.get(Application, draft.id)
            assert kept.title == "Veilig in het café"
            first = (await db.exec(select(ProjectActivity).where(
                ProjectActivity.application_id == draft.id, ProjectActivity.position == 0))).one()
            assert first.goal == "Zo'n twintig cafés"
            kept.reference, kept.stage = "SV2026-0001", "assessment"
            kept.submitted_at = datetime(2026, 3, 1, tzinfo=timezone.utc)
            db.add(kept)
            await db.commit()

        for query in (f"cafe{ACUTE}", "café", "CAFÉ"):
            found = (await team.get("/team", params={"q": query})).text
            assert '<section data-found="1">' in found, query
            assert f'value="{composed(query)}"' in found  # the search box as typed, composed
            projects = (await visitor.get("/knowledge", params={"q": query})).text
            assert "/knowledge/projects/SV2025-0007" in projects, query
            assert f'value="{composed(query)}"' in projects

