"""The grant page shows the application as it was submitted: what assessors score and the team
decides on, with the partners hidden from assessors where the round assesses anonymously."""

from __future__ import annotations

import contextlib
import uuid

from api.app import create_app
from domain.scheme import parse_scheme
from regie.db import session_factory
from regie.settings import Settings
from regie.worker import build_worker
from tests import dates, factories, scenario
from tests.conftest import web_client_as


async def test_assessors_read_the_application_as_submitted(time_env, tmp_path, db_url, engine,
                                                          scheme, scheme_file):
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="",
                                 task_queue=f"page-{uuid.uuid4().hex[:8]}")
    sessions = session_factory(engine)
    anonymous = parse_scheme(scheme_file.read_text(encoding="utf-8").replace(
        "anonymous_assessment = false", "anonymous_assessment = true"), str(scheme_file))
    async with sessions() as db:
        people = await scenario.cast(db)
        partner = await factories.organisation(db, "Hogeschool Partnerstad", "hbo")
        content = factories.draft(partners=[partner.id])
        content.sections["ambitie"] = "Omstanders leren ingrijpen.\n\n" + factories.words(297)
    pages = {}
    async with build_worker(time_env.client, settings, sessions, scheme):
        async with sessions() as db:
            reference = await scenario.grant_in_assessment(
                db, time_env.client, scheme, settings.task_queue, people, content)
        for name, which, person in (("assessor", scheme, people.assessor),
                                    ("anonymous", anonymous, people.assessor),
                                    ("team", anonymous, people.team)):
            async with sessions() as db:
                web = await web_client_as(create_app(settings, which, time_env.client), person,
                                          db)
            async with contextlib.aclosing(web):
                response = await web.get(f"/grants/{reference}")
                assert response.status_code == 200
                pages[name] = response.text
    page = pages["assessor"]
    assert "<details class=\"application\" data-application open>" in page
    assert "Omstanders leren ingrijpen.\n\nveiligheid veiligheid" in page
    assert "(300 / 800 woorden)" in page and "(200 / 800 woorden)" in page
    assert "Omgangscultuur op de werkvloer" in page  # the scheme's name, not its key
    assert "Activiteit 1: Training omstanders" in page and "Activiteit 2: Cultuurscan" in page
    start = dates.day(2026, 9, 1).strftime("%d-%m-%Y")
    assert f"{start} – {dates.day(2027, 3, 31).strftime('%d-%m-%Y')}" in page
    assert "Trainingsbureau" in page and "€ 25.000,00" in page and "medewerker" in page
    assert "Hogeschool Partnerstad" in page
    assert "Aangevraagd: € 86.000,00" in page
    assert "Hogeschool Partnerstad" not in pages["anonymous"]
    assert "Universiteit Leiden" not in pages["anonymous"]
    assert pages["anonymous"].count("verborgen voor beoordelaars") == 2  # lead and partners
    assert "Omstanders leren ingrijpen." in pages["anonymous"]
    assert "Hogeschool Partnerstad" in pages["team"]  # anonymity is for assessors only
    assert "<details class=\"application\" data-application >" in pages["team"]  # folded
