"""The payments the decisions make due (domain.payments): the advance at each award, the balance
at each settlement; and the annual report's section and CSV of them, on both databases."""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
from datetime import datetime, timezone

import pytest

from api.app import create_app
from domain.lifecycle import Role
from domain.payments import Amendment, Payment, PaymentFacts, PaymentKind, advance, payments, totals
from regie.db import session_factory
from regie.records import DecisionRecord, GrantEvent
from regie.settings import Settings
from tests import factories
from tests.conftest import web_client_as

AMSTERDAM = "Europe/Amsterdam"
AWARDED = datetime(2026, 6, 10, 9, tzinfo=timezone.utc)
SETTLED = datetime(2027, 11, 3, 15, tzinfo=timezone.utc)


AMENDED = (datetime(2027, 2, 1, 10, tzinfo=timezone.utc),
           datetime(2027, 5, 3, 10, tzinfo=timezone.utc))


def facts(awarded: int, percent: int, settled: int | None = None, reference="SV2026-0001",
          awarded_at=AWARDED, amended: tuple[int, ...] = ()) -> PaymentFacts:
    return PaymentFacts(reference=reference, organisation="Hogeschool Utrecht",
                        awarded_cents=awarded, awarded_at=awarded_at, advance_percent=percent,
                        amendments=tuple(Amendment(at=at, amount_cents=cents)
                                         for at, cents in zip(AMENDED, amended)),
                        settled_cents=settled, settled_at=SETTLED if settled is not None else None)


def lines(*grants: PaymentFacts) -> list[tuple[str, str, int]]:
    return [(p.on.isoformat(), p.kind.value, p.cents) for p in payments(list(grants), AMSTERDAM)]


@pytest.mark.parametrize("grant, expected", [
    # the whole award in advance; a settlement below it reclaims the difference, at it nothing
    (facts(80_000_00, 100), [("2026-06-10", "advance", 80_000_00)]),
    (facts(80_000_00, 100, 72_500_00), [("2026-06-10", "advance", 80_000_00),
                                        ("2027-11-03", "reclaim", 7_500_00)]),
    (facts(80_000_00, 100, 80_000_00), [("2026-06-10", "advance", 80_000_00)]),
    # part in advance: the settlement pays the rest, or reclaims what the advance exceeded
    (facts(100_000_00, 80, 90_000_00), [("2026-06-10", "advance", 80_000_00),
                                        ("2027-11-03", "payment", 10_000_00)]),
    (facts(100_000_00, 80, 60_000_00), [("2026-06-10", "advance", 80_000_00),
                                        ("2027-11-03", "reclaim", 20_000_00)]),
    (facts(100_000_00, 80, 80_000_00), [("2026-06-10", "advance", 80_000_00)]),
    # no advance: everything is paid at the settlement; nothing settled, nothing paid
    (facts(50_000_00, 0), []),
    (facts(50_000_00, 0, 45_000_00), [("2027-11-03", "payment", 45_000_00)]),
    (facts(50_000_00, 0, 0), []),
    # an advance in whole cents, rounded down as the settlement counts it
    (facts(3_333_333, 50), [("2026-06-10", "advance", 1_666_666)]),
])
def test_the_advance_and_the_balance_of_a_grant(grant, expected):
    assert lines(grant) == expected


@pytest.mark.parametrize("grant, expected", [
    # an award lowered: the advance on what it no longer funds is reclaimed at once; the
    # settlement then counts from the lowered advance
    (facts(100_000_00, 80, amended=(60_000_00,)),
     [("2026-06-10", "advance", 80_000_00), ("2027-02-01", "advance_reclaimed", 32_000_00)]),
    (facts(100_000_00, 80, 55_000_00, amended=(60_000_00,)),
     [("2026-06-10", "advance", 80_000_00), ("2027-02-01", "advance_reclaimed", 32_000_00),
      ("2027-11-03", "payment", 7_000_00)]),
    # raised, then lowered below the award: each amendment moves the advance from where the
    # last one left it
    (facts(50_000_00, 100, 70_000_00, amended=(80_000_00, 70_000_00)),
     [("2026-06-10", "advance", 50_000_00), ("2027-02-01", "advance_raised", 30_000_00),
      ("2027-05-03", "advance_reclaimed", 10_000_00)]),
    # no advance: an amendment pays nothing now; the settlement pays it all
    (facts(50_000_00, 0, 40_000_00, amended=(45_000_00,)),
     [("2027-11-03", "payment", 40_000_00)]),
    # an amendment whose advance rounds to the same cents moves nothing
    (facts(3_333_333, 50, amended=(3_333_332,)), [("2026-06-10", "advance", 1_666_666)]),
])
def test_an_amended_award_moves_the_advance_on_its_day(grant, expected):
    assert lines(grant) == expected


def test_a_payment_falls_on_the_programmes_day():
    """An award at half past midnight in the Netherlands on New Year's Day is the new year's."""
    new_year = facts(80_000_00, 100, awarded_at=datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc))
    assert lines(new_year) == [("2027-01-01", "advance", 80_000_00)]


def test_payments_come_by_day_then_reference_the_advance_before_a_settlement_that_day():
    same_day = facts(10_000_00, 50, 6_000_00, reference="SV2025-0009").model_copy(
        update={"awarded_at": SETTLED})
    listed = payments([facts(80_000_00, 100, 72_500_00, reference="SV2026-0002"), same_day,
                       facts(20_000_00, 100, reference="SV2026-0001")], AMSTERDAM)
    assert [(p.reference, p.kind.value) for p in listed] == [
        ("SV2026-0001", "advance"), ("SV2026-0002", "advance"), ("SV2025-0009", "advance"),
        ("SV2025-0009", "payment"), ("SV2026-0002", "reclaim")]
    assert totals(listed) == {PaymentKind.ADVANCE: (3, 105_000_00),
                              PaymentKind.ADVANCE_RAISED: (0, 0),
                              PaymentKind.ADVANCE_RECLAIMED: (0, 0),
                              PaymentKind.PAYMENT: (1, 1_000_00),
                              PaymentKind.RECLAIM: (1, 7_500_00)}


def test_what_a_grant_is_paid_in_all_comes_to_its_settled_amount():
    """For every advance percentage, award, amendments and settled amount: the advance, plus
    what the amendments and the settlement pay, less what they reclaim, is the amount settled;
    before the settlement, the advance on the amount as last amended; and no line is of
    nothing."""
    sign = {PaymentKind.ADVANCE: 1, PaymentKind.ADVANCE_RAISED: 1,
            PaymentKind.ADVANCE_RECLAIMED: -1, PaymentKind.PAYMENT: 1, PaymentKind.RECLAIM: -1}
    for percent, awarded in itertools.product((0, 1, 33, 50, 80, 99, 100),
                                              (1, 999, 5_000_00, 3_333_333, 500_000_00)):
        for amended in ((), (awarded // 2 + 1,), (awarded + 7, max(1, awarded // 3))):
            last = amended[-1] if amended else awarded
            for settled in (None, 0, 1, last // 3, advance(last, percent), last):
                listed = payments([facts(awarded, percent, settled, amended=amended)],
                                  AMSTERDAM)
                net = sum(sign[p.kind] * p.cents for p in listed)
                assert net == (advance(last, percent) if settled is None else settled)
                assert all(p.cents > 0 for p in listed)
                assert len(listed) <= 2 + len(amended)


async def test_the_annual_report_lists_the_payments_of_its_year(tmp_path, db_url, engine,
                                                                 scheme, time_env):
    """An award of 2026 (its advance) lowered in 2026 (the advance's reclaim), an objection
    upheld in 2026, an award of 2025 settled below its advance in 2026 (the reclaim in 2026,
    the advance in 2025), a rejection (none): the section's sums, and the CSV's lines in the
    reader's language."""
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, smtp_host="")
    sessions = session_factory(engine)
    async with sessions() as db:
        team = await factories.person(db, Role.PROGRAMME_TEAM, "team@example.nl")
        org = await factories.organisation(db, "Hogeschool Utrecht")
        grants = {}
        for reference, round_id, awarded, decided, amount, settled in (
                ("SV2026-0001", "2026", True, datetime(2026, 6, 10, 9), 80_000_00, None),
                ("SV2026-0002", "2026", True, datetime(2026, 11, 30, 14), 45_000_00, None),
                ("SV2025-0003", "2025", True, datetime(2025, 9, 1, 9), 120_000_00,
                 (datetime(2026, 3, 2, 10), 110_000_00)),
                ("SV2026-0004", "2026", False, datetime(2026, 6, 10, 9), 0, None)):
            app = await factories.application(db, org, scheme, factories.draft(round_id))
            app.reference, app.stage = reference, "reporting"
            app.awarded_cents = (settled[1] if settled else amount) if awarded else None
            db.add(app)
            db.add(DecisionRecord(application_id=app.id, awarded=awarded, amount_cents=amount,
                                  reason="Gegrond." if reference == "SV2026-0002" else "Rang 1.",
                                  decided_by="Team",
                                  decided_at=decided.replace(tzinfo=timezone.utc)))
            if settled:
                db.add(GrantEvent(application_id=app.id, seq=20, stage="archived",
                                  action="settle", actor_name="Team",
                                  actor_role="programme_team", note="Vastgesteld.",
                                  at=settled[0].replace(tzinfo=timezone.utc)))
            grants[reference] = app
        lowered = grants["SV2026-0001"]
        lowered.awarded_cents = 70_000_00
        db.add(lowered)
        db.add(GrantEvent(application_id=lowered.id, seq=12, stage="reporting",
                          action="amend_award", actor_name="Team", actor_role="programme_team",
                          note="€ 80.000,00 → € 70.000,00: Een activiteit vervalt.",
                          amount_cents=70_000_00,
                          at=datetime(2026, 9, 15, 10, tzinfo=timezone.utc)))
        await db.commit()
        client = await web_client_as(create_app(settings, scheme, time_env.client), team, db)
    async with contextlib.aclosing(client):
        page = (await client.get("/reports/annual/2026")).text
        dutch = (await client.get("/reports/annual/2026/payments.csv")).content
        await client.get("/lang/en")
        english = (await client.get("/reports/annual/2026/payments.csv")).text
        of_2025 = (await client.get("/reports/annual/2025/payments.csv")).text
        as_data = (await client.get("/reports/annual/2026/payments.json")).json()
    section = page[page.index("<table data-payments>"):]
    section = section[:section.index("</table>")]
    assert "<td>Voorschot bij toekenning</td><td>2</td><td>€ 125.000,00</td>" in section
    assert "<td>Aanvulling voorschot bij wijziging</td><td>0</td><td>€ 0,00</td>" in section
    assert ("<td>Terugvordering voorschot bij wijziging</td><td>1</td><td>€ 10.000,00</td>"
            in section)
    assert "<td>Nabetaling bij vaststelling</td><td>0</td><td>€ 0,00</td>" in section
    assert "<td>Terugvordering bij vaststelling</td><td>1</td><td>€ 10.000,00</td>" in section
    assert '<a href="/reports/annual/2026/payments.csv">Elke betaling als CSV</a>' in page
    assert '<a href="/reports/annual/2026/payments.json">JSON</a>' in page
    assert dutch.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(dutch.decode("utf-8-sig"), newline="")))
    assert rows == [
        ["day", "reference", "organisation", "payment", "amount_eur"],
        ["2026-03-02", "SV2025-0003", "Hogeschool Utrecht", "Terugvordering bij vaststelling",
         "10000.0"],
        ["2026-06-10", "SV2026-0001", "Hogeschool Utrecht", "Voorschot bij toekenning",
         "80000.0"],
        ["2026-09-15", "SV2026-0001", "Hogeschool Utrecht",
         "Terugvordering voorschot bij wijziging", "10000.0"],
        ["2026-11-30", "SV2026-0002", "Hogeschool Utrecht", "Voorschot bij toekenning",
         "45000.0"]]
    assert "SV2026-0001,Hogeschool Utrecht,Advance on the award,80000.0" in english
    assert of_2025.splitlines()[1:] == [
        "2025-09-01,SV2025-0003,Hogeschool Utrecht,Advance on the award,120000.0"]
    assert as_data[0] == {"on": "2026-03-02", "reference": "SV2025-0003",
                          "organisation": "Hogeschool Utrecht", "kind": "reclaim",
                          "cents": 10_000_00}
    assert [(p["reference"], p["kind"]) for p in as_data[1:]] == [
        ("SV2026-0001", "advance"), ("SV2026-0001", "advance_reclaimed"),
        ("SV2026-0002", "advance")]


def test_a_payment_is_never_of_nothing():
    with pytest.raises(ValueError):
        Payment.model_validate({"on": "2026-01-01", "reference": "x", "organisation": "y",
                                "kind": "advance", "cents": 0})
