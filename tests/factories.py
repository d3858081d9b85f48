"""Records for tests: organisations, people and complete applications, written to a real database."""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlmodel.ext.asyncio.session import AsyncSession

from api.auth import hash_password
from domain.lifecycle import Role
from regie.records import Application, Organisation, Person, ProjectActivity

PASSWORD = "correct horse battery staple"
IN_2026_ROUND = datetime(2026, 4, 1, 10, 0, tzinfo=timezone.utc)


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
    db.add(p)
    await db.commit()
    return p


async def application(db: AsyncSession, org: Organisation, *, round_id: str = "2026",
                      title: str = "Veilig op de werkvloer", ambitie_words: int = 300,
                      activity_end: date = date(2027, 6, 30), requested_cents: int = 80_000_00,
                      partners: list[int] | None = None) -> Application:
    app = Application(
        reference=f"draft-{datetime.now().timestamp()}-{title}", round_id=round_id,
        scheme_id="", scheme_hash="", organisation_id=org.id, partner_ids=partners or [],
        title=title, summary="Een cultuurveranderingsproject op de werkvloer.",
        sections={"ambitie": words(ambitie_words), "impact": words(200),
                  "verankering": words(200)},
        pillars=["omgangscultuur"], target_groups=["promovendi"],
        requested_cents=requested_cents,
    )
    db.add(app)
    await db.commit()
    for i, (cents, end) in enumerate([(requested_cents // 2, date(2027, 3, 31)),
                                      (requested_cents - requested_cents // 2, activity_end)]):
        db.add(ProjectActivity(application_id=app.id, position=i, title=f"Activiteit {i + 1}",
                               description=words(100), start=date(2026, 9, 1), end=end,
                               budget_cents=cents))
    await db.commit()
    return app


def actor_of(p: Person):
    from domain.types import Actor

    return Actor(user_id=p.id, name=p.name, role=Role(p.role), organisation_id=p.organisation_id)
