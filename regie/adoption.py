"""Adopting the grants awarded before Regie took over: import from the programme team's
spreadsheet (dry run first, idempotent), and export in the same template.

Each imported grant starts as a GrantWorkflow at its real stage (domain.types.AdoptedGrant);
the workflow commits its amount in the ledger and schedules its reports from its dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client

from domain.adoption import (
    COLUMNS, HEADERS, ImportedActivity, ImportedGrant, Problem, check_headers, check_rows,
)
from domain.lifecycle import Action, Role
from domain.schedules import local_day
from domain.scheme import Scheme
from domain.types import Actor, AdoptedGrant
from regie import audit, grants, programme
from regie.logging import get_logger
from regie.mail import applicant_contacts
from regie.records import (
    Application, DecisionRecord, GrantEvent, ImportedRow, Organisation, Person, ProjectActivity,
    ReportRecord,
)
from regie.spreadsheet import Table, write_csv, write_xlsx

NO_PASSWORD = "!"  # an imported contact signs in after an invitation; until then, report links


@dataclass
class ImportResult:
    problems: list[Problem] = field(default_factory=list)
    new: list[str] = field(default_factory=list)  # references imported (or to import, dry run)
    unchanged: list[str] = field(default_factory=list)  # imported before from the same row
    dry_run: bool = True

    @property
    def refused(self) -> bool:
        return bool(self.problems)


async def check(db: AsyncSession, scheme: Scheme, table: Table, today: date,
                ) -> tuple[list[ImportedGrant], ImportResult]:
    """Every row checked, against the scheme and against what Regie already holds."""
    result = ImportResult(problems=check_headers(table.headers))
    if result.problems:
        return [], result
    references = [str(cells.get("referentie") or "").strip() for _, cells in table.rows]
    committed = dict((await db.exec(
        select(Application.round_id, func.sum(Application.awarded_cents))
        .where(Application.awarded_cents.is_not(None),
               col(Application.reference).not_in(references))
        .group_by(Application.round_id))).all())
    checked, result.problems = check_rows(table.rows, scheme, today, committed)
    for grant in checked:
        problem = await _against_records(db, grant)
        if problem == "unchanged":
            result.unchanged.append(grant.reference)
        elif problem:
            result.problems.append(problem)
        else:
            result.new.append(grant.reference)
    result.problems.sort(key=lambda p: (p.row, HEADERS.index(p.column)
                                        if p.column in HEADERS else -1))
    return checked, result


async def _against_records(db: AsyncSession, grant: ImportedGrant) -> Problem | str | None:
    imported = (await db.exec(select(ImportedRow).where(
        ImportedRow.reference == grant.reference))).first()
    if imported is not None:
        if imported.fingerprint == grant.fingerprint():
            return "unchanged"
        return Problem(grant.row, "referentie",
                       "Al geïmporteerd met andere gegevens: wijzig de subsidie in Regie zelf",
                       "Imported before with other data: change the grant in Regie itself")
    if (await db.exec(select(Application.id).where(
            Application.reference == grant.reference))).first() is not None:
        return Problem(grant.row, "referentie", "Deze referentie bestaat al in Regie",
                       "This reference already exists in Regie")
    org = await _organisation(db, grant.organisation)
    if org is not None and org.organisation_type != grant.organisation_type:
        return Problem(grant.row, "organisatietype",
                       f"{org.name} staat in Regie als '{org.organisation_type}'",
                       f"{org.name} is in Regie as '{org.organisation_type}'")
    person = (await db.exec(select(Person).where(Person.email == grant.contact_email))).first()
    if person is not None and (person.role != Role.GRANTEE.value
                               or org is None or person.organisation_id != org.id):
        return Problem(grant.row, "contact_email",
                       "Dit e-mailadres hoort in Regie bij een ander account",
                       "This e-mail address belongs to another account in Regie")
    return None


async def _organisation(db: AsyncSession, name: str) -> Organisation | None:
    return (await db.exec(select(Organisation).where(
        func.lower(Organisation.name) == name.lower()).order_by(Organisation.id))).first()


async def import_table(db: AsyncSession, client: Client, scheme: Scheme, task_queue: str,
                       table: Table, file_name: str, actor: Actor, today: date,
                       dry_run: bool) -> ImportResult:
    """Check the file; unless it is a dry run and only if no row has a problem, record every
    new grant and start its workflow. Rows imported before are started again, which changes
    nothing once they run (and finishes an import that was interrupted)."""
    checked, result = await check(db, scheme, table, today)
    result.dry_run = dry_run
    if dry_run or result.refused:
        return result
    await programme.ensure_programme(db, client, scheme, task_queue)
    log = get_logger(actor=actor.name)
    new = {g.reference: await _record(db, scheme, g, file_name, actor)
           for g in checked if g.reference in result.new}
    for grant in checked:  # once every record is in, so mail reaches every contact named
        app = new.get(grant.reference) or (await db.exec(select(Application).where(
            Application.reference == grant.reference))).one()
        await grants.start(db, client, scheme, app, grant.reference, app.submitted_at,
                           task_queue, round_closed=True, adopted=AdoptedGrant(
                               actor=actor, awarded_cents=grant.awarded_cents,
                               awarded_on=grant.awarded_on, received=grant.received,
                               settled_cents=grant.settled_cents, settled_on=grant.settled_on,
                               imported_on=today))
    await audit.append(db, actor.name, actor.role.value, "import", file_name,
                       {"new": result.new, "unchanged": result.unchanged},
                       actor_id=actor.user_id)
    log.info("import.done", file=file_name, new=len(result.new), unchanged=len(result.unchanged))
    return result


async def _record(db: AsyncSession, scheme: Scheme, grant: ImportedGrant, file_name: str,
                  actor: Actor) -> Application:
    """The grant's records, in one transaction with its fingerprint."""
    org = await _organisation(db, grant.organisation)
    if org is None:
        org = Organisation(name=grant.organisation, organisation_type=grant.organisation_type,
                           kvk_number=grant.kvk)
        db.add(org)
        await db.flush()
    person = (await db.exec(select(Person).where(Person.email == grant.contact_email))).first()
    if person is None:
        person = Person(email=grant.contact_email, name=grant.contact_name,
                        role=Role.GRANTEE.value, organisation_id=org.id,
                        password_hash=NO_PASSWORD)
        db.add(person)
        await db.flush()
    rnd = scheme.round(grant.round_id)
    app = Application(
        reference=grant.reference, round_id=rnd.id, scheme_id=scheme.scheme.id,
        scheme_hash=scheme.content_hash, organisation_id=org.id, title=grant.title,
        summary=grant.summary, sections=dict(grant.sections), pillars=list(grant.pillars),
        target_groups=list(grant.target_groups), requested_cents=grant.requested_cents,
        created_by=person.id, submitted_at=scheme.local_to_utc(rnd.closes), stage="submitted")
    db.add(app)
    await db.flush()
    for position, act in enumerate(grant.activities):
        db.add(ProjectActivity(application_id=app.id, position=position, title=act.title,
                               start=act.start, end=act.end, budget_cents=act.budget_cents))
    db.add(ImportedRow(reference=grant.reference, fingerprint=grant.fingerprint(),
                       file_name=file_name, imported_by=actor.name))
    await db.commit()
    return app


# -- export ----------------------------------------------------------------------------------------


async def exported_grants(db: AsyncSession) -> list[ImportedGrant]:
    """Every awarded grant as the import template holds it, by reference."""
    rows = (await db.exec(
        select(Application, DecisionRecord, Organisation)
        .join(DecisionRecord, DecisionRecord.application_id == Application.id)
        .join(Organisation, Organisation.id == Application.organisation_id)
        .where(DecisionRecord.awarded)
        .order_by(Application.reference))).all()
    grants_out = []
    for number, (app, decision, org) in enumerate(rows, start=2):
        activities = (await db.exec(select(ProjectActivity).where(
            ProjectActivity.application_id == app.id)
            .order_by(ProjectActivity.position))).all()
        reports = (await db.exec(select(ReportRecord).where(
            ReportRecord.application_id == app.id, ReportRecord.accepted)
            .order_by(ReportRecord.position))).all()
        settled = (await db.exec(select(GrantEvent).where(
            GrantEvent.application_id == app.id,
            GrantEvent.action == Action.SETTLE.value))).first()
        contact = await _contact(db, app)
        grants_out.append(ImportedGrant(
            row=number, reference=app.reference, round_id=app.round_id,
            organisation=org.name, organisation_type=org.organisation_type, kvk=org.kvk_number,
            contact_name=contact.name if contact else "",
            contact_email=contact.email if contact else "",
            title=app.title, summary=app.summary,
            sections={k: v for k, v in app.sections.items() if v},
            pillars=tuple(app.pillars), target_groups=tuple(app.target_groups),
            requested_cents=app.requested_cents, awarded_cents=decision.amount_cents,
            awarded_on=decision.decided_at.date(),
            activities=tuple(ImportedActivity(title=a.title, start=a.start, end=a.end,
                                              budget_cents=a.budget_cents)
                             for a in activities if a.start and a.end),
            received=tuple(r.submitted_at.date() for r in reports if r.submitted_at),
            settled_cents=app.awarded_cents if settled else None,
            settled_on=settled.at.date() if settled else None,
        ))
    return grants_out


async def _contact(db: AsyncSession, app: Application) -> Person | None:
    creator = await db.get(Person, app.created_by) if app.created_by else None
    if creator is not None and creator.active:
        return creator
    contacts = await applicant_contacts(db, app.organisation_id)
    return contacts[0] if contacts else None


def _explanation() -> list:
    return [(c.key, c.meaning, c.required) for c in COLUMNS]


async def export_file(db: AsyncSession, file_name: str) -> bytes:
    """Regie's grants in the import template, as .xlsx or .csv by the file's name."""
    rows = [g.to_row() for g in await exported_grants(db)]
    return template_bytes(file_name, rows)


def template_bytes(file_name: str, rows: list[dict]) -> bytes:
    if file_name.lower().endswith(".xlsx"):
        return write_xlsx(list(HEADERS), rows, _explanation())
    return write_csv(list(HEADERS), rows)


def local_today(scheme: Scheme, now: datetime | None = None) -> date:
    return local_day(now or datetime.now(timezone.utc), scheme.scheme.timezone)

