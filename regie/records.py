"""SQL records and the read model: organisations, people, applications and what became of them.

Temporal is the source of truth for where a grant stands; these tables hold the records and the
read model that pages and search use, written by activities as the workflow moves.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, Text, UniqueConstraint
from sqlalchemy import text as sql_text
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in and out, also on SQLite (which hands back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given; Regie stores aware UTC times")
        return value.astimezone(timezone.utc) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value


def _ts(**kw: Any) -> Any:
    return Field(sa_column=Column(UTCDateTime(), **kw))


def _json(default: Any) -> Any:
    return Field(default_factory=default, sa_column=Column(JSON, nullable=False))


class Organisation(SQLModel, table=True):
    __tablename__ = "organisations"
    id: int | None = Field(default=None, primary_key=True)
    name: str
    organisation_type: str = Field(index=True)
    kvk_number: str = Field(default="", max_length=8)
    has_funding_evidence: bool = False
    funding_evidence: str = ""  # the uploaded document's file name in the data folder
    # the programme team's judgement of that document: when, by whom (named, as in the audit
    # log), and why it was insufficient ("" when sufficient); none yet for a new document
    evidence_reviewed_at: datetime | None = _ts(nullable=True)
    evidence_reviewed_by: str = ""
    evidence_refusal: str = ""
    created_at: datetime = _ts(nullable=False, default=utcnow)


class Person(SQLModel, table=True):
    __tablename__ = "people"
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, index=True)
    name: str
    role: str = Field(index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisations.id", index=True)
    password_hash: str
    active: bool = True
    created_at: datetime = _ts(nullable=False, default=utcnow)
    totp_secret: str = ""  # base32; set at enrolment (programme team and auditors)
    totp_enabled: bool = False  # a code was confirmed: the second factor is in use
    totp_last_step: int = 0  # the last code's time step: a code is used once
    expertise: list[str] = _json(list)  # an assessor's pillars and target groups (keys)
    away_until: date | None = None  # an assessor's last day away: not proposed until after it


class Invitation(SQLModel, table=True):
    """An invitation to an account: a member of an organisation, an assessor of the pool, or
    (from `regie invite`) a member of the programme team or an auditor. The token travels only
    in the e-mail."""

    __tablename__ = "invitations"
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisations.id", index=True)
    role: str = "grantee"  # grantee (a member of the organisation), assessor, team, auditor
    name: str = ""
    email: str
    token_hash: str = Field(unique=True, index=True)
    invited_by: int | None = Field(default=None, foreign_key="people.id")  # None: an operator
    created_at: datetime = _ts(nullable=False, default=utcnow)
    expires_at: datetime = _ts(nullable=False)
    accepted_at: datetime | None = _ts(nullable=True)


class WebSession(SQLModel, table=True):
    __tablename__ = "web_sessions"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, index=True)
    person_id: int = Field(foreign_key="people.id", index=True)
    created_at: datetime = _ts(nullable=False, default=utcnow)
    expires_at: datetime = _ts(nullable=False)


class SignInAttempt(SQLModel, table=True):
    """A failed step of signing in (a password, a code) or a password reset asked for: too many
    for one key within a while close that step for it. In the database, so every web app
    replica counts the same attempts."""

    __tablename__ = "sign_in_attempts"
    __table_args__ = (Index("ix_sign_in_attempts_key_at", "key", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    key: str  # "password:<email>", "code:<person id>", "reset:<person id>"
    at: datetime = _ts(nullable=False, default=utcnow)


class Application(SQLModel, table=True):
    """An application and its read model: stage and deadline as the workflow last reported."""

    __tablename__ = "applications"
    # the overview's pages of one stage, in reference order, without sorting the stage; and
    # those of one round (migration 0020)
    __table_args__ = (Index("ix_applications_stage_reference", "stage", "reference"),
                      Index("ix_applications_round_stage_reference", "round_id", "stage",
                            "reference"))
    id: int | None = Field(default=None, primary_key=True)
    reference: str | None = Field(default=None, unique=True, index=True)  # given at submission
    round_id: str = Field(index=True)
    scheme_id: str
    scheme_hash: str
    organisation_id: int = Field(foreign_key="organisations.id", index=True)
    partner_ids: list[int] = _json(list)
    title: str
    summary: str = ""
    sections: dict[str, str] = _json(dict)
    pillars: list[str] = _json(list)
    target_groups: list[str] = _json(list)
    marginalised_groups: list[str] = _json(list)
    requested_cents: int = 0
    created_by: int | None = Field(default=None, foreign_key="people.id")
    submitted_at: datetime | None = _ts(nullable=True)
    stage: str = Field(default="draft", index=True)
    deadline: datetime | None = _ts(nullable=True, index=True)
    awarded_cents: int | None = None
    event_seq: int = 0  # the newest workflow record applied to this row
    updated_at: datetime = _ts(nullable=False, default=utcnow)
    revision: int = 0  # the draft's saves so far (regie.revisions)
    updated_by: int | None = None  # the person who saved the draft last (no foreign key: 0028)
    anonymised_at: datetime | None = _ts(nullable=True)  # personal data removed after its term


class StageCount(SQLModel, table=True):
    """How many applications are in each stage: kept by the database's own triggers on
    `applications` (migration 0011), whoever writes there, so the overview and the metrics
    read a dozen rows however many grants there are."""

    __tablename__ = "stage_counts"
    stage: str = Field(primary_key=True)
    applications: int = 0


class ProjectActivity(SQLModel, table=True):
    __tablename__ = "project_activities"
    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="applications.id", index=True)
    position: int
    title: str
    goal: str = ""
    monitoring: str = ""
    description: str = ""
    who_does_what: str = ""
    start: date | None = None
    end: date | None = None
    lines: list[dict[str, Any]] = _json(list)  # domain.eligibility.BudgetLine, as JSON
    budget_cents: int


class GrantEvent(SQLModel, table=True):
    """The timeline of a grant as the pages show it (the full record is Temporal's history)."""

    __tablename__ = "grant_events"
    __table_args__ = (UniqueConstraint("application_id", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="applications.id", index=True)
    seq: int
    at: datetime = _ts(nullable=False)
    stage: str
    action: str | None = None
    actor_name: str
    actor_role: str
    note: str = ""
    # the grant's amount from this action on: an award's, an amendment's, a settlement's
    # (migration 0033; none on an action of an earlier release)
    amount_cents: int | None = None


class AssessorAssignment(SQLModel, table=True):
    __tablename__ = "assessor_assignments"
    __table_args__ = (UniqueConstraint("application_id", "assessor_id"),)
    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="applications.id", index=True)
    assessor_id: int = Field(foreign_key="people.id", index=True)


class DeclaredConflict(SQLModel, table=True):
    """An assessor who declared a conflict of interest on an application and stepped back:
    the assignment forms no longer offer them for it (its workflow refuses them too)."""

    __tablename__ = "declared_conflicts"
    __table_args__ = (UniqueConstraint("application_id", "assessor_id"),)
    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="applications.id", index=True)
    assessor_id: int = Field(foreign_key="people.id")


class MailNotice(SQLModel, table=True):
    """A grant's mail to its assessors or the programme team, held for the recipients' next
    digest (DigestWorkflow): one e-mail for what comes at once, not one for each. `kind` is
    `assigned` (an assessor's new assignment, told as the digest finds it then) or `mail` (the
    mail as written, `subject` and `body`); `key` is the grant's mail key, with the assessor's
    id, so a retried activity holds it once; `digest_key` the outbox key of the digest that
    took it (also when it was no longer to be told by then)."""

    __tablename__ = "mail_notices"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)
    assessor_id: int | None = Field(default=None, foreign_key="people.id", index=True)  # None: team
    reference: str = Field(index=True)
    kind: str = "mail"
    subject: str = ""
    body: str = ""
    created_at: datetime = _ts(nullable=False, default=utcnow)
    digest_key: str | None = Field(default=None, index=True)


class AssessmentRecord(SQLModel, table=True):
    __tablename__ = "assessments"
    __table_args__ = (UniqueConstraint("application_id", "assessor_id"),)
    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="applications.id", index=True)
    assessor_id: int = Field(foreign_key="people.id", index=True)
    scores: dict[str, Any] = _json(dict)
    submitted_at: datetime = _ts(nullable=False)


class DecisionRecord(SQLModel, table=True):
    __tablename__ = "decisions"
    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="applications.id", index=True, unique=True)
    awarded: bool
    amount_cents: int
    reason: str
    decided_by: str
    decided_at: datetime = _ts(nullable=False)


# as each database writes the worklist's condition, so that its planner takes the index
_AWAITING_REVIEW = {"postgresql_where": sql_text("submitted_at IS NOT NULL AND NOT accepted"),
                    "sqlite_where": sql_text("submitted_at IS NOT NULL AND accepted = 0")}


class ReportRecord(SQLModel, table=True):
    __tablename__ = "reports"
    # the team's worklist of reports awaiting review reads these alone (migration 0026)
    __table_args__ = (UniqueConstraint("application_id", "position"),
                      Index("ix_reports_awaiting_review", "submitted_at", "id",
                            **_AWAITING_REVIEW))
    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="applications.id", index=True)
    position: int
    kind: str
    due: date
    summary: str | None = None
    submitted_at: datetime | None = _ts(nullable=True)
    accepted: bool = False
    review_comment: str | None = None
    content: dict[str, Any] = _json(dict)  # per activity, lessons, attachments (as submitted)


class ReportDraft(SQLModel, table=True):
    """A report being written: what its grantee typed and the files they sent with it, saved as
    they type and whenever they send the form, until the report is submitted (`record_event`
    removes it then) or its grant has ended (the retention run removes it, with its files)."""

    __tablename__ = "report_drafts"
    __table_args__ = (UniqueConstraint("reference", "report_index"),)
    id: int | None = Field(default=None, primary_key=True)
    reference: str
    report_index: int
    fields: dict[str, str] = _json(dict)  # the form's text fields by name
    attachments: list[dict[str, Any]] = _json(list)  # regie.report_drafts.DraftFile, as JSON
    saved_by: int = Field(foreign_key="people.id")
    saved_at: datetime = _ts(nullable=False, default=utcnow)
    revision: int = 0  # its saves so far (regie.revisions)


class Attachment(SQLModel, table=True):
    """A file sent with a report; stored in the data folder under `stored_name`."""

    __tablename__ = "attachments"
    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(index=True)
    uploaded_by: int = Field(foreign_key="people.id")
    original_name: str
    stored_name: str = Field(unique=True)
    content_type: str
    size: int
    sha256: str
    created_at: datetime = _ts(nullable=False, default=utcnow)


class KnowledgeEntry(SQLModel, table=True):
    """A funded project in the public knowledge centre, from its award on; no personal data."""

    __tablename__ = "knowledge_entries"
    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(unique=True, index=True)
    title: str
    summary: str
    organisations: list[str] = _json(list)
    pillars: list[str] = _json(list)
    target_groups: list[str] = _json(list)
    amount_cents: int
    results: str = ""
    lessons: str = ""
    organisation_types: list[str] = _json(list)
    activities: list[dict[str, Any]] = _json(list)  # title, goal, period: no personal data
    documents: list[dict[str, Any]] = _json(list)  # public attachments: id and name
    year: int = Field(default=0, index=True)  # the round's year
    archived_at: datetime = _ts(nullable=False)  # last published: at the award, then archival


class Letter(SQLModel, table=True):
    """A decision letter as sent, kept as PDF with the grant; its hash shows it is unaltered."""

    __tablename__ = "letters"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, index=True)
    reference: str = Field(index=True)
    kind: str
    file_name: str
    sha256: str
    created_at: datetime = _ts(nullable=False, default=utcnow)


class KeptHistory(SQLModel, table=True):
    """A closed run's whole Temporal history (a grant's, a round's, the ledger's), kept before
    the namespace's retention period removes it from Temporal, so auditors can read and verify
    it for as long as Regie keeps its records. Its hash is in the audit log, whose chain shows
    the copy unaltered. A workflow that continues as new (the ledger) has a copy of each run."""

    __tablename__ = "kept_histories"
    __table_args__ = (UniqueConstraint("workflow_id", "run_id",
                                       name="uq_kept_histories_workflow_id_run_id"),)
    id: int | None = Field(default=None, primary_key=True)
    workflow_id: str = Field(index=True)
    run_id: str
    # the run continued as new: the workflow went on in a later run, so it has not closed
    continued: bool = False
    events: str = Field(sa_column=Column(Text, nullable=False))  # WorkflowHistory.to_json()
    # No longer read or written: the result a page shows is read from `events`, which the hash
    # covers. Kept while the previous release may run beside this one (docs/upgrading.md).
    result: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    closed_at: datetime = _ts(nullable=False)
    kept_at: datetime = _ts(nullable=False, default=utcnow)


class OutboxMail(SQLModel, table=True):
    """Every e-mail once: `key` is unique, so a retried activity never sends twice."""

    __tablename__ = "outbox"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, index=True)
    reference: str = Field(index=True)
    recipients: list[str] = _json(list)
    subject: str
    body: str
    attachment: str = ""  # a file in the data folder sent along (a letter's PDF)
    status: str = "pending"  # pending, sent, kept (no SMTP server configured)
    created_at: datetime = _ts(nullable=False, default=utcnow)
    sent_at: datetime | None = _ts(nullable=True)


class AuditEntry(SQLModel, table=True):
    """The audit log of human actions and refused attempts: append-only, each entry chained to
    the one before by hash. People are named, and numbered (`actor_id`, no foreign key), so
    removing a person never removes their entries."""

    __tablename__ = "audit_log"
    # the entries of one kind (the metrics count the histories lost) without reading the log
    __table_args__ = (Index("ix_audit_log_action", "action"),)
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _ts(nullable=False)
    actor: str
    actor_id: int | None = Field(default=None, index=True)  # the person; None: written before
    # 0031, or no person (the operator, Regie itself, an attempt to sign in)
    role: str
    action: str
    subject: str = Field(index=True)  # a grant's reference, a round, a path
    detail: dict[str, Any] = _json(dict)
    prev_hash: str = Field(unique=True)  # a hash is the predecessor of one entry only
    hash: str = Field(unique=True)



class ImportedRow(SQLModel, table=True):
    """A grant that came in by import, with its row's fingerprint: importing the same row again
    changes nothing, and a changed row is refused rather than silently applied."""

    __tablename__ = "imported_rows"
    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(unique=True, index=True)
    fingerprint: str
    file_name: str
    imported_by: str  # a name, not a reference: removing a person keeps the record
    imported_at: datetime = _ts(nullable=False, default=utcnow)
