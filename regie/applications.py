"""Applications: drafts as applicants type them, and their records as the rules read them."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client

from domain.eligibility import (
    ActivityFacts, ApplicationFacts, BudgetLine, PartnerFacts, blocks_submission,
    check_eligibility, price,
)
from domain.scheme import RateTable, Scheme
from domain.types import Actor, Finding
from regie import rounds
from regie.records import Application, Organisation, Person, ProjectActivity, utcnow
from regie.revisions import Collision


async def activities_of(db: AsyncSession, app: Application) -> list[ProjectActivity]:
    return list((await db.exec(select(ProjectActivity).where(
        ProjectActivity.application_id == app.id).order_by(ProjectActivity.position))).all())


async def facts_for(db: AsyncSession, app: Application, submitted_at: datetime) -> ApplicationFacts:
    org = await db.get(Organisation, app.organisation_id)
    partners = [await db.get(Organisation, pid) for pid in app.partner_ids]
    return ApplicationFacts(
        organisation_type=org.organisation_type,
        has_funding_evidence=org.has_funding_evidence,
        partners=tuple(PartnerFacts(name=p.name, organisation_type=p.organisation_type,
                                    has_funding_evidence=p.has_funding_evidence)
                       for p in partners if p is not None),
        sections=app.sections, pillars=tuple(app.pillars),
        target_groups=tuple(app.target_groups),
        marginalised_groups=tuple(app.marginalised_groups),
        activities=tuple(
            ActivityFacts(title=a.title, goal=a.goal, monitoring=a.monitoring,
                          description=a.description, who_does_what=a.who_does_what,
                          start=a.start, end=a.end, budget_cents=a.budget_cents,
                          lines=tuple(BudgetLine.model_validate(line) for line in a.lines))
            for a in await activities_of(db, app)),
        requested_cents=app.requested_cents, submitted_at=submitted_at,
    )


class LineIn(BaseModel):
    kind: Literal["hours", "cost"]
    description: str = ""
    rate_key: str | None = None
    hours: float = Field(0, ge=0, le=100_000)
    amount_cents: int = Field(0, ge=0, le=10**11)  # costs; hours are priced from the rate table


class ActivityIn(BaseModel):
    title: str = ""
    goal: str = ""
    monitoring: str = ""
    description: str = ""
    who_does_what: str = ""
    start: date | None = None
    end: date | None = None
    lines: list[LineIn] = []


class DraftIn(BaseModel):
    """Everything an applicant types; saved as it is typed, validated when submitted."""

    round_id: str
    title: str = Field("", max_length=200)
    summary: str = Field("", max_length=2000)
    sections: dict[str, str] = {}
    pillars: list[str] = []
    target_groups: list[str] = []
    marginalised_groups: list[str] = []
    partner_ids: list[int] = []
    activities: list[ActivityIn] = []


def priced(line: LineIn, table: RateTable) -> dict:
    """The line as stored: hours lines get their amount from the round's rate table."""
    amount = price(BudgetLine(kind=line.kind, rate_key=line.rate_key, hours=line.hours,
                              amount_cents=line.amount_cents), table)
    return {**line.model_dump(), "amount_cents": amount or 0}


MAX_DRAFT_CENTS = 2**31 - 1  # € 21 million: far above any grant, and what the columns hold


class DraftTooLarge(ValueError):
    """A draft whose budget no grant could have; nothing of it is saved."""


async def save_draft(db: AsyncSession, app: Application, draft: DraftIn, scheme: Scheme,
                     by: int | None, revision: int | None = None) -> None:
    """Store the draft as typed (only while it is a draft), saved `by` a person (their id);
    totals are computed, not typed. `revision`: the count of saves the form was opened with;
    a draft saved since then is not replaced (Collision, regie.revisions, which names a
    colleague who saved it)."""
    if app.reference is not None:
        raise ValueError("Een ingediende aanvraag verandert niet meer / "
                         "a submitted application no longer changes")
    table = scheme.rate_tables[scheme.round(draft.round_id).rate_table]
    if sum(priced(line, table)["amount_cents"] for act in draft.activities
           for line in act.lines) > MAX_DRAFT_CENTS:
        raise DraftTooLarge("De begroting is hoger dan € 21 miljoen; controleer de bedragen / "
                            "the budget is above € 21 million; check the amounts")
    claim = update(Application.__table__).where(Application.id == app.id).values(
        revision=Application.revision + 1).returning(Application.revision)
    if revision is not None:
        claim = claim.where(Application.revision == revision)
    claimed = (await db.exec(claim)).scalar_one_or_none()
    if claimed is None:  # saved since the form was opened (nothing written)
        await db.refresh(app)
        saver = await db.get(Person, app.updated_by) if app.updated_by not in (None, by) \
            else None
        raise Collision(app.updated_at, saver.name if saver is not None else None)
    app.revision, app.updated_by = claimed, by
    app.round_id, app.title, app.summary = draft.round_id, draft.title, draft.summary
    app.sections, app.pillars = draft.sections, draft.pillars
    app.target_groups, app.marginalised_groups = draft.target_groups, draft.marginalised_groups
    app.partner_ids = [p for p in draft.partner_ids if p != app.organisation_id]
    app.updated_at = utcnow()
    for old in await activities_of(db, app):
        await db.delete(old)
    await db.flush()
    total = 0
    for i, act in enumerate(draft.activities):
        lines = [priced(line, table) for line in act.lines]
        cents = sum(line["amount_cents"] for line in lines)
        total += cents
        db.add(ProjectActivity(
            application_id=app.id, position=i, title=act.title, goal=act.goal,
            monitoring=act.monitoring, description=act.description,
            who_does_what=act.who_does_what, start=act.start, end=act.end, lines=lines,
            budget_cents=cents))
    app.requested_cents = total
    db.add(app)
    await db.commit()


async def draft_of(db: AsyncSession, app: Application) -> DraftIn:
    """A stored application as the form shows it."""
    return DraftIn(
        round_id=app.round_id, title=app.title, summary=app.summary, sections=app.sections,
        pillars=app.pillars, target_groups=app.target_groups,
        marginalised_groups=app.marginalised_groups, partner_ids=app.partner_ids,
        activities=[ActivityIn(
            title=a.title, goal=a.goal, monitoring=a.monitoring, description=a.description,
            who_does_what=a.who_does_what, start=a.start, end=a.end,
            lines=[LineIn.model_validate(line) for line in a.lines])
            for a in await activities_of(db, app)],
    )


class DraftIncomplete(ValueError):
    """A draft the portal will not send yet; `findings` say what to fix, field by field."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("; ".join(f.nl for f in findings))
        self.findings = findings


async def submit_draft(db: AsyncSession, client: Client, scheme: Scheme, app: Application,
                       actor: Actor) -> str:
    """Check what the form can settle, then hand the draft to its round; returns the reference.
    The round's workflow decides whether it is still open. Nothing of the draft is lost."""
    facts = await facts_for(db, app, datetime.now(timezone.utc))
    blocking = [f for f in check_eligibility(facts, scheme, scheme.round(app.round_id))
                if blocks_submission(f) and f.code != "round_closed"]
    if blocking:
        raise DraftIncomplete(blocking)
    # end the read: its connection goes back to the pool while the round is asked, which in
    # the last minutes before closing may take a while (regie.rounds.submit)
    await db.commit()
    return await rounds.submit(client, app.round_id, actor, app.id)
