"""Demo data for a first start: organisations, accounts for every role and grants in every stage.

Everything goes through the same commands as the pages (regie.grants), so the demo grants are
real workflows. Every demo account's password is `regie-demo`.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client

from api.auth import hash_password
from domain.lifecycle import Role, Stage
from domain.schedules import add_months
from domain.scheme import Scheme
from domain.types import (
    ActivityJudgement, ActivityReport, Actor, AssessorRef, AssignAssessors, AwardAmendment,
    CriterionScore,
    DecisionInput, ReportSubmission, ScoreSubmission, Withdrawal,
)
from regie import grants
from regie.applications import ActivityIn, DraftIn, LineIn, save_draft
from regie.logging import get_logger
from regie.records import Application, Organisation, Person

PASSWORD = "regie-demo"
# The demo team and auditor accounts' second factor (published: add it to an authenticator app,
# or `oathtool --totp -b <key>`); real accounts enrol their own at first sign-in.
DEMO_TOTP_SECRET = "REGIEDEMOREGIEDEMOREGIEDEMO23456"

ORGANISATIONS = [
    ("Universiteit Utrecht", "wo", True), ("Hogeschool Rotterdam", "hbo", True),
    ("PNN (Promovendi Netwerk Nederland)", "phd_org", True),
    ("Landelijke Studentenvakbond", "student_org", True),
    ("FNV Onderwijs & Onderzoek", "employee_org", False),  # its evidence of funding is missing
    ("Radboud Universiteit", "wo", True), ("Hogeschool Utrecht", "hbo", True),
    ("Adviesbureau Veilig B.V.", "company", False),
]

PEOPLE = [  # email, name, role, organisation index
    ("team@regie.demo", "Fatima El Amrani", Role.PROGRAMME_TEAM, None),
    ("collega@regie.demo", "Ruud Hendriks", Role.PROGRAMME_TEAM, None),  # the four eyes' second
    ("auditor@regie.demo", "Joost de Wit", Role.AUDITOR, None),
    ("beoordelaar1@regie.demo", "Prof. Anneke Visser", Role.ASSESSOR, 5),
    ("beoordelaar2@regie.demo", "Dr. Samir Benali", Role.ASSESSOR, 6),
    ("beoordelaar3@regie.demo", "Dr. Lotte Jansen", Role.ASSESSOR, None),
    ("uu@regie.demo", "Eva Bakker", Role.GRANTEE, 0),
    ("hr@regie.demo", "Mohamed Yilmaz", Role.GRANTEE, 1),
    ("pnn@regie.demo", "Sanne de Vries", Role.GRANTEE, 2),
    ("lsvb@regie.demo", "Daan Smit", Role.GRANTEE, 3),
    ("fnv@regie.demo", "Ingrid Mulder", Role.GRANTEE, 4),
    ("adviesbureau@regie.demo", "Peter Groot", Role.GRANTEE, 7),
]

EXPERTISE = {  # what each assessor knows, for the assignment's proposal
    "beoordelaar1@regie.demo": ["omgangscultuur", "studenten"],
    "beoordelaar2@regie.demo": ["organisatiestructuur", "promovendi"],
    "beoordelaar3@regie.demo": ["klachtafhandeling", "docenten", "ondersteuning"],
}

# title, organisation index, round, where the demo leaves it, ambitie words, assessors assigned
GRANTS = [
    ("Omstandersinterventie in de collegezaal", 0, "2025", Stage.REPORTING, 400, True),
    ("Vertrouwenspersonen dichter bij de werkvloer", 1, "2025", Stage.REPORTING, 500, True),
    ("Promovendi en machtsafhankelijkheid", 2, "2026", Stage.DECISION, 600, True),
    ("Campagne veilige studentenverenigingen", 3, "2026", Stage.ASSESSMENT, 450, True),
    ("Sociale veiligheid voor ondersteunend personeel", 4, "2026", Stage.CORRECTION, 300, False),
    ("Leiderschap en aanspreekcultuur", 0, "2026", Stage.ASSESSMENT, 400, False),
    ("Festival Veilig Samen", 1, "2026", Stage.REJECTED, 350, True),
    ("Cultuurscan als dienst", 7, "2026", Stage.INELIGIBLE, 300, False),
    ("Weerbaarheid in het promotietraject", 2, "2026", Stage.WITHDRAWN, 350, False),
]


def _submitted(scheme: Scheme, round_id: str) -> datetime:
    """When a demo application came in: a week before its round closed."""
    return scheme.local_to_utc(scheme.round(round_id).closes) - timedelta(days=7)


def _text(words: int, topic: str) -> str:
    base = (f"Dit project over {topic.lower()} versterkt de sociale veiligheid op de werkvloer "
            "en in de collegezaal door concrete interventies, monitoring en borging ").split()
    return " ".join(base[i % len(base)] for i in range(words))


def _draft(scheme: Scheme, round_id: str, title: str, words: int) -> DraftIn:
    """A complete application whose activities run in the last 16 months of the projects'
    term, whatever the scheme's dates."""
    role = next(iter(scheme.rate_tables[scheme.round(round_id).rate_table].rates))
    end = scheme.scheme.projects_end
    return DraftIn(
        round_id=round_id, title=title,
        summary=f"{title}: een project voor een veilige en inclusieve cultuur.",
        sections={"ambitie": _text(words, title), "impact": _text(300, title),
                  "verankering": _text(250, title)},
        pillars=["omgangscultuur", "klachtafhandeling"],
        target_groups=["studenten", "promovendi"], marginalised_groups=["jonge_onderzoekers"],
        activities=[
            ActivityIn(title=name, goal=_text(25, title), monitoring=_text(25, title),
                       description=_text(100, title), who_does_what=_text(15, title),
                       start=add_months(end, -16), end=until,
                       lines=[LineIn(kind="hours", rate_key=role, hours=hours),
                              LineIn(kind="cost", description="Materiaal en locatie",
                                     amount_cents=cost)])
            for name, until, hours, cost in (("Training", add_months(end, -6), 500, 20_000_00),
                                             ("Evaluatie", add_months(end, -1), 300, 10_000_00))
        ],
    )


async def needs_demo(sessions: async_sessionmaker[AsyncSession]) -> bool:
    async with sessions() as db:
        return (await db.exec(select(func.count()).select_from(Person))).one() == 0


async def load_demo(sessions: async_sessionmaker[AsyncSession], client: Client, scheme: Scheme,
                    task_queue: str) -> list[str]:
    """Create the demo records and drive each demo grant to its stage; returns the references."""
    log = get_logger(actor="demo")
    async with sessions() as db:
        orgs = []
        for name, kind, evidence in ORGANISATIONS:
            org = Organisation(name=name, organisation_type=kind, has_funding_evidence=evidence)
            db.add(org)
            orgs.append(org)
        await db.flush()
        people = {}
        for email, name, role, org_index in PEOPLE:
            people[email] = Person(email=email, name=name, role=role.value,
                                   organisation_id=orgs[org_index].id if org_index is not None
                                   else None, password_hash=hash_password(PASSWORD))
            if role in (Role.PROGRAMME_TEAM, Role.AUDITOR):
                people[email].totp_secret, people[email].totp_enabled = DEMO_TOTP_SECRET, True
            people[email].expertise = EXPERTISE.get(email, [])
            db.add(people[email])
        await db.commit()
        references = []
        numbers: dict[str, int] = {}
        requested: dict[str, int] = {}
        for title, org_index, round_id, _stage, words, _assigned in GRANTS:
            app = Application(round_id=round_id, scheme_id="", scheme_hash="",
                              organisation_id=orgs[org_index].id, title=title)
            db.add(app)
            await db.commit()
            await save_draft(db, app, _draft(scheme, round_id, title, words), scheme, by=None)
            numbers[round_id] = numbers.get(round_id, 0) + 1
            reference = f"{scheme.scheme.reference_prefix}{round_id}-{numbers[round_id]:04d}"
            await grants.start(db, client, scheme, app, reference, _submitted(scheme, round_id),
                               task_queue, round_closed=True)
            references.append(reference)
            requested[reference] = app.requested_cents

    def actor(email: str) -> Actor:
        p = people[email]
        return Actor(user_id=p.id, name=p.name, role=Role(p.role),
                     organisation_id=p.organisation_id)

    team = actor("team@regie.demo")
    awarded: list[str] = []
    panel = [people["beoordelaar1@regie.demo"], people["beoordelaar3@regie.demo"]]
    judgement = ActivityJudgement(description_sufficient=True, budget_sufficient=True,
                                  motivation="Concreet en realistisch begroot.")
    for reference, (_title, org_index, _round, target, _words, assigned) in zip(references,
                                                                                GRANTS):
        first = target if target in (Stage.CORRECTION, Stage.INELIGIBLE) else Stage.ASSESSMENT
        await _until_stage(client, reference, first)
        if target == Stage.WITHDRAWN:
            applicant = next(email for email, _, role, org in PEOPLE
                             if role == Role.GRANTEE and org == org_index)
            await grants.act(client, reference, "withdraw", Withdrawal(
                actor=actor(applicant), reason="Samengevoegd met onze andere aanvraag."))
            continue
        if not assigned:
            continue
        await grants.act(client, reference, "assign_assessors", AssignAssessors(
            actor=team, assessors=tuple(AssessorRef(user_id=p.id, name=p.name,
                                                    organisation_id=p.organisation_id)
                                        for p in panel)))
        if target == Stage.ASSESSMENT:
            continue
        for p, value in zip(panel, (4, 3) if target != Stage.REJECTED else (2, 2)):
            c = CriterionScore(score=value, motivation="Past goed bij de doelen van de regeling.")
            await grants.act(client, reference, "submit_score", ScoreSubmission(
                actor=actor(p.email), ambitie=c, impact=c, verankering=c,
                activities=(judgement, judgement)))
        if target == Stage.DECISION:
            continue
        await _until_stage(client, reference, Stage.DECISION)
        award = target == Stage.REPORTING
        await grants.act(client, reference, "decide", DecisionInput(
            actor=team, award=award, amount_cents=requested[reference] if award else 0,
            reason="Gemiddeld 3,5 of hoger; past binnen het budget." if award
            else "Gemiddelde score onder de drempel van 3."))
        if award and awarded:  # the second: the team's worklist has a report to review
            applicant = next(email for email, _, role, org in PEOPLE
                             if role == Role.GRANTEE and org == org_index)
            await grants.act(client, reference, "submit_report", ReportSubmission(
                actor=actor(applicant), report_index=0,
                summary="Twee van de drie trainingen gegeven; de evaluatie loopt.",
                activities=(ActivityReport(title="Training", done="Twee trainingen gegeven."),
                            ActivityReport(title="Evaluatie", done="Vragenlijst uitgezet.")),
                lessons="Plan de trainingen buiten de tentamenweken."))
        if award and not awarded:  # the first: its amount lowered since (a wijzigingsbesluit)
            await grants.act(client, reference, "amend_award", AwardAmendment(
                actor=team, amount_cents=requested[reference] - 4_000_00,
                reason="Bezwaar tegen de begroting gegrond verklaard: € 4.000 reiskosten vallen "
                       "buiten de regeling."))
        if award:
            awarded.append(reference)
    log.info("demo.loaded", grants=len(references))
    return references


async def _until_stage(client: Client, reference: str, stage: Stage) -> None:
    for _ in range(600):
        if (await grants.status(client, reference)).stage == stage:
            return
        await asyncio.sleep(0.05)
    raise RuntimeError(f"demo grant {reference} did not reach {stage}")
