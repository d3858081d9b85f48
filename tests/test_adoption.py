"""Adopting Regie mid-programme: 40 grants of the 2025 and 2026 rounds imported from a
spreadsheet, each started at its real stage under time skipping; a second import changes
nothing; a file with three bad rows is refused naming exactly those rows; and what Regie
exports imports into an empty Regie as the same grants."""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook
from sqlalchemy import func
from sqlmodel import select
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from domain.adoption import HEADERS, Problem, check_rows, read_date, read_euros
from domain.lifecycle import Role, Stage
from domain.schedules import NoticeKind, adopt_reports, pending_notices, report_schedule
from regie import ROOT, adoption, grants, programme
from regie.adoption import ImportResult
from regie.cli import import_summary
from regie.db import make_engine, migrate, session_factory
from regie.records import Application, GrantEvent, ImportedRow, OutboxMail, Person
from regie.settings import Settings
from regie.spreadsheet import read_table
from regie.worker import build_worker
from tests import dates, factories, scenario
from tests.conftest import BIN, eventually, maybe_record, web_client_as
from tests.factories import actor_of
from regie.temporal import DATA_CONVERTER, register_search_attributes

TEMPLATE = ROOT / "docs" / "import-template.csv"
DATE_COLUMNS = {"toegekend_op", "vastgesteld_op", "rapportages_ontvangen",
                *(f"activiteit_{n}_{end}" for n in range(1, 6) for end in ("start", "eind"))}


def _template_rows() -> list[dict]:
    """The documented template's rows with their dates moved to the tests' calendar, for tests
    that import them against today's clock (tests/dates.py)."""
    rows = [dict(cells) for _, cells in read_table(TEMPLATE.read_bytes(), TEMPLATE.name).rows]
    for row in rows:
        for column in DATE_COLUMNS & row.keys():
            row[column] = ";".join((read_date(d) + dates.SHIFT).isoformat()
                                   for d in str(row[column] or "").split(";") if d)
    return rows


# -- the rules, directly ---------------------------------------------------------------------------


def test_the_documented_template_imports_cleanly(published_scheme):
    table = read_table(TEMPLATE.read_bytes(), TEMPLATE.name)
    assert table.headers == list(HEADERS)
    grants_, problems = check_rows(table.rows, published_scheme, date(2026, 11, 28))
    assert problems == []
    assert [g.reference for g in grants_] == [
        "SV-2026-014", "SV-2025-003", "SV-2025-007", "SV-2025-011", "SV-2025-012"]
    assert grants_[0].awarded_cents == 90_000_00 and grants_[0].requested_cents == 95_000_00
    assert grants_[-1].settled_cents == 92_500_00


@pytest.mark.parametrize("text, cents", [
    ("86000", 86_000_00), ("86.000", 86_000_00), ("86.000,50", 86_000_50), ("€ 1.250", 1_250_00),
    ("86000.5", 86_000_50), (86000, 86_000_00), (86000.25, 86_000_25), ("", None)])
def test_amounts_read_as_the_team_writes_them(text, cents):
    assert read_euros(text) == cents


@pytest.mark.parametrize("text", ["86,5,0", "twaalf", "-5", "1,001"])
def test_amounts_that_cannot_be_meant(text):
    with pytest.raises(ValueError):
        read_euros(text)


@pytest.mark.parametrize("text, day", [
    ("2025-09-01", date(2025, 9, 1)), ("1-9-2025", date(2025, 9, 1)),
    ("01/09/2025", date(2025, 9, 1)), (datetime(2025, 9, 1, 0, 0), date(2025, 9, 1))])
def test_dates_read_as_the_team_writes_them(text, day):
    assert read_date(text) == day


def _row(**cells) -> dict:
    base = dict(referentie="SV-2025-100", ronde="2025", organisatie="Universiteit Leiden",
                organisatietype="wo", contactpersoon="Pieter Jansen",
                contact_email="p.jansen@leiden.example", titel="Promovendi aan het woord",
                toegekend_bedrag="100000", toegekend_op="2025-09-15",
                activiteit_1_titel="Netwerk", activiteit_1_start="2025-10-01",
                activiteit_1_eind="2027-06-30")
    return {**base, **cells}


@pytest.mark.parametrize("cells, column, words", [
    (dict(organisatietype="hogeschool"), "organisatietype", "Onbekend organisatietype"),
    (dict(activiteit_1_eind="2028-01-15"), "activiteit_1_eind", "eindigt na 31-12-2027"),
    (dict(toegekend_bedrag="6.000.000,01"), "toegekend_bedrag", "plafond van ronde 2025"),
    (dict(toegekend_op="31-02-2026"), "toegekend_op", "is geen datum"),
    (dict(ronde="2024"), "ronde", "Onbekende ronde"),
    (dict(toegekend_op="2025-06-01"), "toegekend_op", "voor het sluiten van ronde"),
    (dict(contact_email="jansen"), "contact_email", "geen e-mailadres"),
    (dict(vastgesteld_bedrag="90000"), "vastgesteld_op", "allebei"),
    (dict(vastgesteld_bedrag="90000", vastgesteld_op="2026-10-01"), "vastgesteld_bedrag",
     "zonder ontvangen eindrapportage"),
    (dict(titel=""), "titel", "Verplicht veld is leeg"),
])
def test_each_bad_row_is_named_with_its_column_and_reason(published_scheme, cells, column, words):
    grants_, problems = check_rows([(7, _row(**cells))], published_scheme, date(2026, 11, 28))
    assert grants_ == []
    assert [(p.row, p.column) for p in problems] == [(7, column)]
    assert words in problems[0].nl and problems[0].en


def test_duplicates_and_a_round_over_its_ceiling_are_named_on_the_row_that_breaks(
        published_scheme):
    rows = [(2, _row(referentie="A", toegekend_bedrag="3000000")),
            (3, _row(referentie="A", toegekend_bedrag="1000")),
            (4, _row(referentie="B", toegekend_bedrag="2500000")),
            (5, _row(referentie="C", toegekend_bedrag="600000"))]
    _, problems = check_rows(rows, published_scheme, date(2026, 11, 28), committed={"2025": 0})
    assert [(p.row, p.column) for p in problems] == [(3, "referentie"), (5, "toegekend_bedrag")]
    assert "ook in rij 2" in problems[0].nl


def test_an_organisation_has_one_type_throughout_the_file(published_scheme):
    rows = [(2, _row(referentie="A")), (3, _row(referentie="B", organisatietype="hbo"))]
    _, problems = check_rows(rows, published_scheme, date(2026, 11, 28))
    assert [(p.row, p.column) for p in problems] == [(3, "organisatietype")]
    assert "rij 2" in problems[0].nl


def test_an_overdue_report_is_reminded_at_once_and_escalated_only_after_grace(published_scheme):
    rules = published_scheme.reporting(published_scheme.round("2025"))
    now = datetime(2026, 11, 28, 10, tzinfo=timezone.utc)
    schedule = report_schedule(date(2025, 9, 15), date(2027, 6, 30), rules, date(2028, 2, 25))
    reports = adopt_reports(schedule, (date(2026, 3, 10),), now, now.date())
    assert reports[0].accepted and reports[0].submitted_at.date() == date(2026, 3, 10)
    first, *_ = pending_notices(reports, rules)
    assert (first.kind, first.report_index, first.at) == (NoticeKind.REMINDER, 1,
                                                          datetime(2026, 9, 15, 8, tzinfo=timezone.utc))
    escalation = next(n for n in pending_notices(reports, rules)
                      if n.kind == NoticeKind.ESCALATION and n.report_index == 1)
    assert escalation.at.date() == now.date() + timedelta(days=rules.grace_days)

    # imported at half past midnight in the Netherlands: the grace runs from the Dutch day
    late = datetime(2026, 11, 28, 23, 30, tzinfo=timezone.utc)
    reports = adopt_reports(schedule, (date(2026, 3, 10),), late, date(2026, 11, 29))
    escalation = next(n for n in pending_notices(reports, rules)
                      if n.kind == NoticeKind.ESCALATION and n.report_index == 1)
    assert escalation.at.date() == date(2026, 11, 29) + timedelta(days=rules.grace_days)


# -- the import, end to end ------------------------------------------------------------------------

async def _counts(sessions) -> dict[str, int]:
    async with sessions() as db:
        return {model.__name__: (await db.exec(select(func.count()).select_from(model))).one()
                for model in (Application, Person, GrantEvent, OutboxMail, ImportedRow)}


async def _stages(client, references) -> dict[str, Stage]:
    return {ref: (await grants.status(client, ref)).stage for ref in references}


async def _at_stages(client, expected: dict[str, Stage]) -> None:
    """Every grant reaches the stage it should wait in."""
    async def check():
        return await _stages(client, expected) == expected
    await eventually(check, timeout=60)


async def test_forty_grants_start_at_their_real_stage(time_env, tmp_path, db_url, engine,
                                                      scheme):
    client, sessions = time_env.client, session_factory(engine)
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, task_queue="adopt",
                                 smtp_host="")
    async with sessions() as db:
        people = await scenario.cast(db)
    team = actor_of(people.team)
    now = await time_env.get_current_time()
    today = adoption.local_today(scheme, now)
    rows = factories.programme_rows(scheme, today)
    xlsx = adoption.template_bytes("programma.xlsx", rows)
    table = read_table(xlsx, "programma.xlsx")

    async with build_worker(client, settings, sessions, scheme):
        async with sessions() as db:
            dry = await adoption.import_table(db, client, scheme, settings.task_queue, table,
                                              "programma.xlsx", team, today, dry_run=True)
        assert dry.problems == [] and len(dry.new) == 40
        assert (await _counts(sessions))["Application"] == 0  # a dry run writes nothing

        async with sessions() as db:
            done = await adoption.import_table(db, client, scheme, settings.task_queue, table,
                                               "programma.xlsx", team, today, dry_run=False)
        assert done.problems == [] and len(done.new) == 40
        references = [r["referentie"] for r in rows]
        expected_stage = {"running": Stage.REPORTING, "overdue": Stage.REPORTING,
                          "final_due": Stage.REPORTING, "settlement": Stage.SETTLEMENT,
                          "settled": Stage.ARCHIVED}
        stages = {ref: expected_stage[factories.CASES[i % len(factories.CASES)]]
                  for i, ref in enumerate(references)}
        await _at_stages(client, stages)

        rules = scheme.reporting(scheme.round("2025"))
        async def sent_keys():
            async with sessions() as db:
                return set((await db.exec(select(OutboxMail.key))).all())

        for i, ref in enumerate(references):
            case = factories.CASES[i % len(factories.CASES)]
            status = await grants.status(client, ref)
            notices = pending_notices(status.reports, rules)
            if case == "running":  # the first progress report's prompt, in the future
                assert notices[0].kind == NoticeKind.PROMPT and notices[0].report_index == 0
                assert notices[0].at > now
            elif case == "overdue":  # reminded at once, one mail; the team hears after grace
                contacts = sum(1 for j in range(40) if j % 7 == i % 7)  # of its organisation
                reminder = f"grant-{ref}/report_reminder-0-{status.reports[0].due}/"

                async def reminded():
                    sent = await sent_keys()
                    return sent if sum(k.startswith(reminder) for k in sent) == contacts else None
                sent = await eventually(reminded)  # each contact once, and no prompt
                assert not any(k.startswith(f"grant-{ref}/report_prompt") for k in sent)

                async def marked_reminded():  # the workflow records it once the mail is out
                    current = await grants.status(client, ref)
                    return current if current.reports[0].reminded else None
                notices = pending_notices((await eventually(marked_reminded)).reports, rules)
                assert (notices[0].kind, notices[0].report_index) == (NoticeKind.ESCALATION, 0)
                assert notices[0].at.date() == today + timedelta(days=rules.grace_days)
            elif case == "final_due":  # every progress report in; the final one is next
                final = status.reports[-1]
                assert all(r.accepted for r in status.reports[:-1])
                assert (notices[0].kind, notices[0].report_index) == (NoticeKind.PROMPT,
                                                                     final.index)
            else:
                assert notices == [] and all(r.accepted for r in status.reports)
            if case == "settled":
                assert status.settlement.final_cents == (70_000 + i * 1000) * 100
        await maybe_record(client.get_workflow_handle("grant-SV-OUD-002"),
                           "grant_adopted_overdue_v1.json")
        # the organisation's people see the report that is overdue marked so, a report
        # still ahead not
        async with sessions() as db:
            contact = (await db.exec(select(Person).join(
                Application, Application.organisation_id == Person.organisation_id).where(
                Application.reference == "SV-OUD-002"))).first()
            web = await web_client_as(create_app(settings, scheme, client), contact, db)
        async with contextlib.aclosing(web):
            listed = {found[1]: row for row in (await web.get("/my")).text.split("<tr>")
                      if (found := re.search(r'href="/grants/(SV-OUD-\d+)"', row))}
            assert "data-overdue>termijn verstreken</span>" in listed["SV-OUD-002"]
            ahead = [ref for ref in listed
                     if factories.CASES[(int(ref[-3:]) - 1) % len(factories.CASES)] == "running"]
            assert ahead and not any("data-overdue" in listed[ref] for ref in ahead)
            page = (await web.get("/grants/SV-OUD-002")).text
            assert re.search(r'data-report-form="0">[^<]+\(uiterlijk [\d-]+\)</a> <span '
                             r'class="passed" data-overdue>', page)
            form = (await web.get("/grants/SV-OUD-002/reports/0")).text
            assert "data-overdue>termijn verstreken</span></p>" in form
            assert '<td>Open <span class="passed" data-overdue>termijn verstreken</span></td>' \
                in page  # in the grant's table of reports too, which the team reads
            # a report sent, its due date long past, is not overdue (SV-OUD-023: every
            # progress report in, of this organisation too)
            sent = (await web.get("/grants/SV-OUD-023/reports/0")).text
            assert "Ingediend " in sent and "data-overdue" not in sent
        await maybe_record(client.get_workflow_handle("grant-SV-OUD-005"),
                           "grant_adopted_settled_v1.json")
        ledger = await programme.ledger(client, scheme.scheme.id)
        assert ledger.committed_cents == sum(
            (70_000 + i * 1000) * 100 if factories.CASES[i % 5] == "settled"
            else (80_000 + i * 1000) * 100
            for i in range(40))
        by_round = {r.round_id: r.committed_cents for r in ledger.rounds}
        assert by_round["2026"] > 0 and by_round["2025"] > 0

        # the same file again: nothing changes, in Regie's records or in the ledger
        before = await _counts(sessions)
        async with sessions() as db:
            again = await adoption.import_table(db, client, scheme, settings.task_queue, table,
                                                "programma.xlsx", team, today, dry_run=False)
        assert again.problems == [] and again.new == [] and len(again.unchanged) == 40
        assert await _counts(sessions) == before
        assert (await programme.ledger(client, scheme.scheme.id)) == ledger

        # a file with three bad rows is refused, naming exactly those rows; nothing is written
        bad = [dict(r, referentie=f"SV-NIEUW-{n}") for n, r in enumerate(rows)]
        bad[3]["organisatietype"] = "hogeschool"
        bad[10]["activiteit_1_eind"] = dates.iso("2028-03-31")
        bad[28]["toegekend_op"] = "31-02-2026"
        bad_table = read_table(adoption.template_bytes("fout.csv", bad[:30]), "fout.csv")
        async with sessions() as db:
            refused = await adoption.import_table(db, client, scheme, settings.task_queue,
                                                  bad_table, "fout.csv", team, today,
                                                  dry_run=False)
        assert sorted({p.row for p in refused.problems}) == [5, 12, 30]
        assert await _counts(sessions) == before

        async with sessions() as db:
            exported = await adoption.export_file(db, "uit.xlsx")
            original = {g.reference: g for g in await adoption.exported_grants(db)}
    assert load_workbook(io.BytesIO(exported)).sheetnames == ["Subsidies", "Toelichting"]
    imported_first = {g.reference: g.fingerprint()
                      for g in check_rows(table.rows, scheme, today)[0]}
    assert {ref: g.fingerprint() for ref, g in original.items()} == imported_first

    # export, then import into an empty Regie: the same grants, at the same stages
    await _into_an_empty_regie(tmp_path, scheme, exported, original, stages, today)


async def _into_an_empty_regie(tmp_path, scheme, exported: bytes, original, stages, today):
    url = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    await asyncio.to_thread(migrate, url)
    engine = make_engine(url)
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(BIN / "temporal-test-server"),
        data_converter=DATA_CONVERTER)
    try:
        await register_search_attributes(env.client)
        sessions = session_factory(engine)
        settings = Settings.from_env(data_dir=tmp_path / "empty", database_url=url,
                                     task_queue="empty", smtp_host="")
        async with sessions() as db:
            team = actor_of(await factories.person(db, Role.PROGRAMME_TEAM, "team@example.nl"))
        async with build_worker(env.client, settings, sessions, scheme):
            async with sessions() as db:
                result = await adoption.import_table(
                    db, env.client, scheme, settings.task_queue,
                    read_table(exported, "uit.xlsx"), "uit.xlsx", team, today, dry_run=False)
            assert result.problems == [] and len(result.new) == 40
            await _at_stages(env.client, stages)
            expected = {ref: g.fingerprint() for ref, g in original.items()}

            async def exported():  # the read model follows the workflows a moment later
                async with sessions() as db:
                    return {g.reference: g.fingerprint()
                            for g in await adoption.exported_grants(db)}

            async def caught_up():
                return await exported() == expected
            with contextlib.suppress(AssertionError):  # the assertion below shows the difference
                await eventually(caught_up)
            again = await exported()
        assert again == expected
    finally:
        await env.shutdown()
        await engine.dispose()


# -- the team's page and the command ---------------------------------------------------------------


@pytest.mark.browser
async def test_the_team_checks_then_imports_in_the_browser(browser, time_env, tmp_path, db_url,
                                                           engine, scheme):
    from api.app import create_app
    from tests.conftest import serving, sign_in
    from tests.factories import PASSWORD, TOTP_SECRET

    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="",
                                 task_queue="adopt-ui")
    sessions = session_factory(engine)
    async with sessions() as db:
        people = await scenario.cast(db)
    template = tmp_path / "programma.csv"
    template.write_bytes(adoption.template_bytes(template.name, _template_rows()))
    bad = _template_rows()
    bad[1]["activiteit_1_eind"] = dates.iso("2028-01-31")
    (tmp_path / "fout.csv").write_bytes(adoption.template_bytes("fout.csv", bad))
    async with build_worker(time_env.client, settings, sessions, scheme):
        async with serving(create_app(settings, scheme, time_env.client)) as url:
            page = await browser.new_page()
            await sign_in(page, url, people.team.email, PASSWORD, TOTP_SECRET)
            await page.click("header >> text=Importeren en exporteren")
            await page.set_input_files("input[name=file]", str(tmp_path / "fout.csv"))
            await page.click("button[value=import]")
            assert await page.locator("[data-import=refused]").count() == 1
            end = f"{dates.day(2027, 12, 31):%d-%m-%Y}"
            assert await page.locator("table[data-problems] tr[data-row]").all_text_contents() \
                == [f"3activiteit_1_eindDe activiteit eindigt na {end}"]
            async with sessions() as db:  # refused as a whole: nothing saved
                assert (await db.exec(select(func.count()).select_from(Application))).one() == 0

            await page.set_input_files("input[name=file]", str(template))
            await page.click("button[value=check]")
            assert "5 nieuw" in await page.locator("[data-import=checked]").text_content()
            await page.set_input_files("input[name=file]", str(template))
            await page.click("button[value=import]")
            assert "5 nieuw" in await page.locator("[data-import=done]").text_content()
            await _at_stages(time_env.client, {"SV-2026-014": Stage.REPORTING,
                                               "SV-2025-012": Stage.ARCHIVED,
                                               "SV-2025-011": Stage.SETTLEMENT})
            await page.goto(f"{url}/grants/SV-2025-012")
            assert "Afgerond en gearchiveerd" in await page.content()
            async with page.expect_download() as download:
                await page.goto(f"{url}/import")
                await page.click("text=Alle subsidies exporteren (.xlsx)")
            exported = await (await download.value).path()
            refs = [cells["referentie"] for _, cells in read_table(
                open(exported, "rb").read(), "uit.xlsx").rows]
            assert refs == sorted(["SV-2026-014", "SV-2025-003", "SV-2025-007", "SV-2025-011",
                                   "SV-2025-012"])


def test_the_command_checks_a_file_and_names_every_bad_row(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    rows = _template_rows()
    rows[0]["organisatietype"] = "universiteit"
    rows[3]["toegekend_op"] = "32-13-2025"
    (tmp_path / "fout.csv").write_bytes(adoption.template_bytes("fout.csv", rows))
    env = {**os.environ, "REGIE_DATA_DIR": str(tmp_path)}
    regie = str(Path(sys.executable).parent / "regie")
    subprocess.run([regie, "migrate"], env=env, check=True)
    done = subprocess.run([regie, "import", "--dry-run", str(tmp_path / "fout.csv")], env=env,
                          capture_output=True, text=True)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0].startswith("rij 2, kolom organisatietype: Onbekend organisatietype")
    assert lines[1].startswith("rij 5, kolom toegekend_op: '32-13-2025' is geen datum")
    assert lines[2] == ("Het bestand kan zo niet worden geïmporteerd: los deze 2 problemen op"
                        " / The file cannot be imported as it is: resolve these 2 problems")
    exported = subprocess.run([regie, "export", str(tmp_path / "leeg.csv")], env=env,
                              capture_output=True, text=True)
    assert exported.returncode == 0
    assert read_table((tmp_path / "leeg.csv").read_bytes(), "leeg.csv").headers == list(HEADERS)


def test_the_command_says_a_refused_file_was_not_imported_at_all():
    """No row of a file with a problem is imported; the last line said "1 probleem/problems;
    70 geïmporteerd / imported" of such a file, though none was."""
    one = Problem(row=3, column="toegekend_bedrag", nl="boven het plafond", en="above the ceiling")
    refused = ImportResult(problems=[one], new=["SV-2025-001", "SV-2025-002"], dry_run=False)
    assert import_summary(refused) == (
        "Het bestand is niet geïmporteerd, geen enkele rij: los dit probleem op en importeer "
        "het opnieuw / The file was not imported, not one row: resolve this problem and import "
        "it again")
    refused.problems.append(one)
    assert "los deze 2 problemen op" in import_summary(refused)
    assert import_summary(ImportResult(new=["SV-2025-001"], unchanged=["SV-2025-002"],
                                       dry_run=False)) == (
        "0 probleem/problems; 1 geïmporteerd / imported; 1 ongewijzigd / unchanged")
    assert import_summary(ImportResult(new=["SV-2025-001"])) == (
        "0 probleem/problems; 1 te importeren / to import; 0 ongewijzigd / unchanged")


def test_the_import_guide_explains_every_column():
    guide = (ROOT / "docs" / "import.md").read_text()
    for key in HEADERS:
        shown = re.sub(r"^activiteit_\d_", "activiteit_N_", key)  # one row for all five
        assert f"`{shown}`" in guide, key
