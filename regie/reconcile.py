"""Regie's read model against Temporal, the source of truth for where each grant stands.

After Regie's database was restored from a backup older than Temporal's (deploy/README.md,
Backup and restore), its rows lag behind the grants' workflows. Every write a grant's workflow
made to the read model is in its history, with its input: each `record_event` with its
StageChange (numbered by `seq`), and the `archive_grant` that adds the results to the knowledge
centre. `compare` finds, for each grant Temporal holds, the writes whose effect the database
lacks; `catch_up` applies them, in order, through the same code the worker runs, and notes it
in the audit log. Grants whose application is not in the database at all (submitted after the
backup) are named, and so are grants whose row holds more than their history (Temporal's
database restored to an earlier moment than Regie's): those need people to act again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHistory

from activities.grants import archive, public_documents, record
from domain.types import ArchiveRequest, StageChange
from regie import audit, histories
from regie.records import Application, GrantEvent, KnowledgeEntry
from regie.temporal import DATA_CONVERTER, grant_workflow_id

PREFIX = grant_workflow_id("")
ACTION = "read_model_caught_up"  # the audit log's name for a catch-up
_WRITES = {"record_event": StageChange, "archive_grant": ArchiveRequest}  # activity: its input


@dataclass(frozen=True)
class Writes:
    """The writes to the read model that a grant's worker completed, in the order it made them."""

    changes: tuple[StageChange, ...] = ()
    archive: ArchiveRequest | None = None  # the last one; a grant archives once

    @property
    def stage(self) -> str | None:
        return self.changes[-1].stage.value if self.changes else None


def completed_writes(history: WorkflowHistory) -> Writes:
    """The record_event and archive_grant activities of `history` that completed, with their
    inputs; one that was only scheduled is still the worker's to do."""
    convert = DATA_CONVERTER.payload_converter
    scheduled: dict[int, object] = {}
    changes: list[StageChange] = []
    archived = None
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            attrs = event.activity_task_scheduled_event_attributes
            kind = _WRITES.get(attrs.activity_type.name)
            if kind is not None:
                scheduled[event.event_id] = convert.from_payloads(attrs.input.payloads,
                                                                  [kind])[0]
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
            done = scheduled.get(
                event.activity_task_completed_event_attributes.scheduled_event_id)
            if isinstance(done, StageChange):
                changes.append(done)
            elif isinstance(done, ArchiveRequest):
                archived = done
    return Writes(tuple(sorted(changes, key=lambda c: c.seq)), archived)


@dataclass
class Drift:
    """A grant whose row lacks writes its history holds."""

    reference: str
    recorded_stage: str | None  # None: the application is not in the database
    history_stage: str | None
    missed: list[StageChange] = field(default_factory=list)
    archive: ArchiveRequest | None = None  # missed too
    ahead: bool = False  # the row holds a record the history does not: Temporal went back

    def describe(self) -> str:
        if self.ahead:
            return (f"{self.reference}: de database is verder dan Temporal (database "
                    f"{self.recorded_stage}, Temporal {self.history_stage}); Temporal is "
                    f"teruggezet: voer de latere handelingen opnieuw uit / the database is "
                    f"ahead of Temporal, which was restored to an earlier moment: take the "
                    f"later actions again")
        if self.recorded_stage is None:
            return (f"{self.reference}: niet in de database; haal de aanvraag uit een latere "
                    f"back-up (in Temporal: {self.history_stage}) / not in the database; "
                    f"restore the application from a later backup (Temporal: "
                    f"{self.history_stage})")
        archived = " + archivering / archival" if self.archive else ""
        return (f"{self.reference}: database {self.recorded_stage}, Temporal "
                f"{self.history_stage}; {len(self.missed)} vastlegging(en) ontbreken / "
                f"{len(self.missed)} record(s) missing{archived}")


async def grant_references(client: Client) -> list[str]:
    """Every grant Temporal holds, running or closed within its retention."""
    found = [w.id.removeprefix(PREFIX) async for w in client.list_workflows(
        "WorkflowType = 'GrantWorkflow'")]
    return sorted(set(found))


async def compare(client: Client, db: AsyncSession, reference: str) -> Drift | None:
    """What `reference`'s row lacks of the writes its history holds; None when nothing."""
    loaded = await histories.load(client, db, grant_workflow_id(reference))
    writes = completed_writes(loaded.history)
    app = (await db.exec(select(Application).where(
        Application.reference == reference))).first()
    if app is None:
        return Drift(reference, None, writes.stage) if writes.changes else None
    newest = writes.changes[-1].seq if writes.changes else 0
    if app.event_seq > newest:
        return Drift(reference, app.stage, writes.stage, ahead=True)
    present = set((await db.exec(select(GrantEvent.seq).where(
        GrantEvent.application_id == app.id))).all())
    missed = [c for c in writes.changes
              if c.seq > app.event_seq or (c.action is not None and c.seq not in present)]
    archive_missed = None
    if writes.archive is not None:
        entry = (await db.exec(select(KnowledgeEntry).where(
            KnowledgeEntry.reference == reference))).first()
        a = writes.archive
        if entry is None or (entry.results, entry.lessons, entry.documents) != (
                a.results, a.lessons, public_documents(a)):
            archive_missed = a
    if not missed and archive_missed is None:
        return None
    return Drift(reference, app.stage, writes.stage, missed, archive_missed)


async def catch_up(sessions: async_sessionmaker[AsyncSession], drift: Drift) -> bool:
    """Apply what `drift` found missing, as the worker applied it then; False when the
    application itself is missing, or the database is ahead."""
    if drift.recorded_stage is None or drift.ahead:
        return False
    async with sessions() as db:
        for change in drift.missed:
            await record(db, change)
        if drift.archive is not None:
            await archive(db, drift.archive)
        await audit.append(db, audit.OPERATOR, audit.OPERATOR_ROLE, ACTION, drift.reference, {
            "from_stage": drift.recorded_stage, "to_stage": drift.history_stage,
            "records": [c.seq for c in drift.missed], "archive": drift.archive is not None})
    return True
