"""Records for tests: organisations, people and complete applications, written to a real database."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from api.auth import hash_password
from domain.adoption import HEADERS
from domain.schedules import report_schedule
from domain.lifecycle import Role
from domain.scheme import Scheme
from domain.types import Actor
from regie.applications import ActivityIn, DraftIn, LineIn, save_draft
from regie.records import Application, Organisation, Person
from tests import dates

PASSWORD = "correct horse battery staple"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # team and auditors of the tests, enrolled
IN_2026_ROUND = dates.utc(2026, 4, 1, 10)


def words(n: int, word: str = "veiligheid") -> str:
    return " ".join([word] * n)


async def organisation(db: AsyncSession, name: str = "Universiteit Utrecht",
                       kind: str = "wo") -> Organisation:
    org = Organisation(name=name, organisation_type=kind, kvk_number="30277200")
    db.add(org)
    await db.commit()
    return org


async def person(db: AsyncSession, role: Role, email: str, org: Organisation | None = None,
                 name: str | None = None) -> Person:
    p = Person(email=email, name=name or email.split("@")[0].title(), role=role.value,
               organisation_id=org.id if org else None, password_hash=hash_password(PASSWORD))
    if role in (Role.PROGRAMME_TEAM, Role.AUDITOR):
        p.totp_secret, p.totp_enabled = TOTP_SECRET, True
    db.add(p)
    await db.commit()
    return p


def actor_of(p: Person) -> Actor:
    return Actor(user_id=p.id, name=p.name, role=Role(p.role), organisation_id=p.organisation_id)


def draft(round_id: str = "2026", title: str = "Veilig op de werkvloer", ambitie_words: int = 300,
          activity_end: date = dates.day(2027, 6, 30),
          partners: list[int] | None = None) -> DraftIn:
    """A complete draft with two activities: € 40.000 and € 46.000 at the 2026 role rates."""
    return DraftIn(
        round_id=round_id, title=title, summary="Een cultuurveranderingsproject op de werkvloer.",
        sections={"ambitie": words(ambitie_words), "impact": words(200),
                  "verankering": words(200)},
        pillars=["omgangscultuur"], target_groups=["promovendi"],
        marginalised_groups=["jonge_onderzoekers"], partner_ids=partners or [],
        activities=[
            ActivityIn(title="Training omstanders", goal=words(20), monitoring=words(20),
                       description=words(60), who_does_what=words(10),
                       start=dates.day(2026, 9, 1), end=dates.day(2027, 3, 31),
                       lines=[LineIn(kind="hours", rate_key="medewerker", hours=200),
                              LineIn(kind="cost", description="Trainingsbureau",
                                     amount_cents=25_000_00)]),
            ActivityIn(title="Cultuurscan", goal=words(20), monitoring=words(20),
                       description=words(60), start=dates.day(2026, 10, 1), end=activity_end,
                       lines=[LineIn(kind="hours", rate_key="projectleider", hours=400)]),
        ],
    )


async def application(db: AsyncSession, org: Organisation, scheme: Scheme,
                      content: DraftIn | None = None) -> Application:
    content = content or draft()
    app = Application(round_id=content.round_id, scheme_id="", scheme_hash="",
                      organisation_id=org.id, title=content.title)
    db.add(app)
    await db.commit()
    await save_draft(db, app, content, scheme, by=None)
    return app


# -- a programme already under way (the import template) ------------------------------------

CASES = ("running", "overdue", "final_due", "settlement", "settled")


def programme_rows(scheme: Scheme, today: date, count: int = 40, euros: int = 80_000,
                   step: int = 1_000) -> list[dict]:
    """`count` grants of the import template across the 2025 and 2026 rounds, in the five
    stages an adopted grant can be in; amounts start at `euros` and grow by `step`."""
    rows = []
    for i in range(count):
        case = CASES[i % len(CASES)]
        awarded = today - timedelta(days={"running": 100, "overdue": 250, "final_due": 400,
                                          "settlement": 500, "settled": 500}[case])
        end = {"running": today + timedelta(days=300), "overdue": today + timedelta(days=300),
               "final_due": today - timedelta(days=10)}.get(case, today - timedelta(days=100))
        end = min(end, dates.day(2027, 12, 1))
        schedule = report_schedule(awarded, end, scheme.reporting(scheme.round("2025")),
                                   scheme.scheme.reporting_closes)
        received = {"running": 0, "overdue": 0, "final_due": len(schedule) - 1}.get(
            case, len(schedule))
        row = {h: "" for h in HEADERS}
        row.update(
            referentie=f"SV-OUD-{i + 1:03d}", ronde="2026" if case == "running" else "2025",
            organisatie=f"Instelling {i % 7}", organisatietype="wo" if i % 7 < 4 else "hbo",
            contactpersoon=f"Contact {i}", contact_email=f"contact{i}@instelling{i % 7}.example",
            titel=f"Project {i + 1}: {case}", samenvatting="Een project dat al liep.",
            pijlers="omgangscultuur", doelgroepen="promovendi;studenten",
            toegekend_bedrag=f"{euros + i * step}", toegekend_op=awarded.isoformat(),
            activiteit_1_titel="Eerste activiteit", activiteit_1_start=awarded.isoformat(),
            activiteit_1_eind=end.isoformat(), activiteit_1_bedrag=f"{euros + i * step}",
            rapportages_ontvangen=";".join(
                (r.due - timedelta(days=3)).isoformat() for r in schedule[:received]),
        )
        if case == "settled":
            row.update(vastgesteld_bedrag=f"{euros - 10_000 + i * step}" if euros > 10_000
                       else f"{euros + i * step}",
                       vastgesteld_op=(today - timedelta(days=20)).isoformat())
        rows.append(row)
    return rows


def edited(scheme: Scheme, round_id: str, **changes) -> Scheme:
    """`scheme` with one round changed, as the programme team would edit the file."""
    return scheme.model_copy(update={"rounds": tuple(
        r.model_copy(update=changes) if r.id == round_id else r for r in scheme.rounds)})
