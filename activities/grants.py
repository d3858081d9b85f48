"""Activities that read and write a grant's records and the read model."""

from __future__ import annotations

from sqlalchemy import Integer, bindparam, case, delete, func, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio import activity

from domain.eligibility import check_eligibility
from domain.scheme import Scheme
from domain.lifecycle import Action
from domain.types import ArchiveRequest, Finding, StageChange
from regie.applications import facts_for
from regie.logging import get_logger
from regie.records import (
    Application,
    AssessmentRecord,
    AssessorAssignment,
    DecisionRecord,
    DeclaredConflict,
    GrantEvent,
    KnowledgeEntry,
    Organisation,
    ProjectActivity,
    ReportDraft,
    ReportRecord,
    UTCDateTime,
    utcnow,
)


class GrantActivities:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], scheme: Scheme) -> None:
        self.sessions = sessions
        self.scheme = scheme

    @activity.defn(name="record_event")
    async def record_event(self, change: StageChange) -> None:
        """Write a stage change or human action to the read model; safe to retry."""
        async with self.sessions() as db:
            await record(db, change)
        get_logger(grant=change.reference, workflow_id=change.workflow_id,
                   actor=change.actor.name).info(
            "grant.recorded", stage=change.stage.value,
            action=change.action.value if change.action else None)

    @activity.defn(name="check_application")
    async def check_application(self, reference: str) -> list[Finding]:
        """The eligibility findings for an application as its records stand now."""
        async with self.sessions() as db:
            app = (await db.exec(select(Application).where(
                Application.reference == reference))).one()
            facts = await facts_for(db, app, app.submitted_at)
        findings = check_eligibility(facts, self.scheme, self.scheme.round(app.round_id))
        get_logger(grant=reference, workflow_id=activity.info().workflow_id).info(
            "grant.eligibility_checked", findings=[f.code for f in findings])
        return findings

    @activity.defn(name="archive_grant")
    async def archive_grant(self, req: ArchiveRequest) -> None:
        """Complete the project's knowledge-centre entry with its results: no personal data."""
        async with self.sessions() as db:
            await archive(db, req)
        get_logger(grant=req.reference, workflow_id=activity.info().workflow_id).info(
            "grant.archived")


async def record(db: AsyncSession, change: StageChange) -> None:
    """Write a stage change or human action to the read model and commit; a change applied
    before changes nothing, so a retry (or the reconciliation, regie.reconcile) is safe."""
    app_id = await _apply_stage(db, change)
    action = change.action.value if change.action else None
    if action is not None:
        await _add_event(db, app_id, change, action)
    if change.action in (Action.AWARD, Action.UPHOLD_OBJECTION, Action.ADOPT):
        await _publish(db, await db.get(Application, app_id))
    if change.action in (Action.SETTLE, Action.AMEND_AWARD) and change.awarded_cents is not None:
        # the knowledge centre shows what the project costs
        await db.exec(update(KnowledgeEntry).where(
            KnowledgeEntry.reference == change.reference).values(
                amount_cents=change.awarded_cents))
    if change.action in (Action.AWARD, Action.REJECT, Action.ADOPT, Action.UPHOLD_OBJECTION):
        # the application's decision: an objection upheld awards it, in place of its rejection
        await _upsert(db, DecisionRecord, dict(application_id=app_id), dict(
            awarded=change.action != Action.REJECT,
            amount_cents=change.awarded_cents or 0, reason=change.note,
            decided_by=change.actor.name, decided_at=change.decided_at or change.at))
    if change.assessors is not None:
        current = (await db.exec(select(AssessorAssignment).where(
            AssessorAssignment.application_id == app_id))).all()
        for row in current:
            await db.delete(row)
        await db.flush()
        for ref in change.assessors:
            db.add(AssessorAssignment(application_id=app_id, assessor_id=ref.user_id))
    if change.action == Action.DECLARE_CONFLICT:
        # the assessor steps back, as the workflow takes them off: the application leaves
        # their list, they no longer read it, and the team is not offered them for it again
        await db.exec(delete(AssessorAssignment).where(
            AssessorAssignment.application_id == app_id,
            AssessorAssignment.assessor_id == change.actor.user_id))
        await _upsert(db, DeclaredConflict,
                      dict(application_id=app_id, assessor_id=change.actor.user_id), {})
    if change.conflict_withdrawn is not None:
        await db.exec(delete(DeclaredConflict).where(
            DeclaredConflict.application_id == app_id,
            DeclaredConflict.assessor_id == change.conflict_withdrawn))
    if change.assessment is not None:
        a = change.assessment
        await _upsert(db, AssessmentRecord,
                      dict(application_id=app_id, assessor_id=a.assessor.user_id),
                      dict(scores=a.submission.model_dump(mode="json", exclude={"actor"}),
                           submitted_at=a.submitted_at))
    if change.report is not None:
        r = change.report
        await _upsert(db, ReportRecord, dict(application_id=app_id, position=r.index),
                      dict(kind=r.kind.value, due=r.due, summary=r.summary,
                           submitted_at=r.submitted_at, accepted=r.accepted,
                           review_comment=r.review_comment,
                           content=r.model_dump(mode="json", include={
                               "activities", "lessons", "attachments"})))
    if change.action == Action.SUBMIT_REPORT and change.report is not None:
        # the draft the report was written in has served: its files are the report's now (a
        # draft saved after the submission, once the team sent it back, is a new one)
        await db.exec(delete(ReportDraft).where(
            ReportDraft.reference == change.reference,
            ReportDraft.report_index == change.report.index, ReportDraft.saved_at <= change.at))
    await db.commit()


async def archive(db: AsyncSession, req: ArchiveRequest) -> None:
    """Add the results, lessons and public documents to the project's knowledge-centre entry,
    and commit; the same request twice gives the same entry."""
    # the settlement's record and the archival run at the same time: the grant's row, held
    # first, makes them apply one after the other, so the archival reads the amount settled
    # when its record came first, and that record sets it in the entry when it comes after
    await db.exec(_HOLD, params=dict(ref=req.reference))
    app = (await db.exec(select(Application).where(
        Application.reference == req.reference))).one()
    await _publish(db, app, req.results, req.lessons, public_documents(req))
    await db.commit()


def public_documents(req: ArchiveRequest) -> list[dict]:
    """The archived documents as the knowledge-centre entry lists them: id and name."""
    return [{"id": d.id, "name": d.name} for d in req.documents]


_APPS = Application.__table__
_NEWER = _APPS.c.event_seq < bindparam("seq")
# Built once: records are the worker's most frequent activity, and composing the statement
# cost as much as running it.
_APPLY_STAGE = update(_APPS).where(_APPS.c.reference == bindparam("ref")).values(
    stage=case((_NEWER, bindparam("stage")), else_=_APPS.c.stage),
    deadline=case((_NEWER, bindparam("deadline", type_=UTCDateTime())),
                  else_=_APPS.c.deadline),
    updated_at=case((_NEWER, bindparam("now", type_=UTCDateTime())),
                    else_=_APPS.c.updated_at),
    event_seq=case((_NEWER, bindparam("seq")), else_=_APPS.c.event_seq),
    awarded_cents=func.coalesce(bindparam("awarded", type_=Integer()), _APPS.c.awarded_cents),
).returning(_APPS.c.id)
# Holds the grant's row until the transaction ends, as _APPLY_STAGE does, and changes nothing
_HOLD = update(_APPS).where(_APPS.c.reference == bindparam("ref")).values(
    event_seq=_APPS.c.event_seq)
_EVENTS = GrantEvent.__table__
_ADD_EVENT = {dialect: insert(_EVENTS).on_conflict_do_nothing(index_elements=["application_id",
                                                                              "seq"])
              for dialect, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))}


async def _apply_stage(db: AsyncSession, change: StageChange) -> int:
    """Move the grant's row to `change` unless a newer record is there already; its id.

    One UPDATE both reads and writes the row, so it holds the row until the transaction ends:
    records of one grant then apply one after the other. A workflow's Update handlers and its
    main run record at the same time, and a retried attempt can come late; the comparison of
    `seq`, made inside the UPDATE on the row as it stands when the lock is granted, keeps an
    older record from writing its stage over a newer one. (A write is the one lock both
    databases take: PostgreSQL locks the row; SQLite takes its write lock.)"""
    return (await db.exec(_APPLY_STAGE, params=dict(
        ref=change.reference, seq=change.seq, stage=change.stage.value,
        deadline=change.deadline, now=utcnow(), awarded=change.awarded_cents,
    ))).scalar_one()


async def _add_event(db: AsyncSession, app_id: int, change: StageChange, action: str) -> None:
    """The action on the grant's timeline, once: an earlier attempt may have recorded it."""
    await db.exec(_ADD_EVENT[db.bind.dialect.name], params=dict(
        application_id=app_id, seq=change.seq, at=change.decided_at or change.at,
        stage=change.stage.value, action=action, actor_name=change.actor.name,
        actor_role=change.actor.role.value, note=change.note, amount_cents=change.awarded_cents,
    ))


async def _publish(db: AsyncSession, app: Application, results: str = "", lessons: str = "",
                   documents: list[dict] | None = None) -> None:
    """The project's public entry in the knowledge centre: from the award on, so every funded
    project is there while it runs; archival adds its results, lessons and public documents."""
    orgs = [await db.get(Organisation, oid) for oid in [app.organisation_id, *app.partner_ids]]
    activities = (await db.exec(select(ProjectActivity).where(
        ProjectActivity.application_id == app.id).order_by(ProjectActivity.position))).all()
    await _upsert(db, KnowledgeEntry, dict(reference=app.reference), dict(
        title=app.title, summary=app.summary, organisations=[o.name for o in orgs],
        organisation_types=sorted({o.organisation_type for o in orgs}),
        pillars=app.pillars, target_groups=app.target_groups,
        amount_cents=app.awarded_cents or 0, results=results, lessons=lessons,
        activities=[{"title": a.title, "goal": a.goal,
                     "start": a.start.isoformat() if a.start else None,
                     "end": a.end.isoformat() if a.end else None} for a in activities],
        documents=documents or [],
        year=int(app.round_id) if app.round_id.isdigit() else app.submitted_at.year,
        archived_at=utcnow()))


async def _upsert(db: AsyncSession, model, key: dict, values: dict) -> None:
    row = (await db.exec(select(model).filter_by(**key))).first()
    if row is None:
        db.add(model(**key, **values))
    else:
        for name, value in values.items():
            setattr(row, name, value)
