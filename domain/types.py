"""Plain pydantic types shared by workflows, activities and the API: no I/O, no tables."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.lifecycle import Action, Role, Stage
from domain.ranking import Allocation, Candidate, Change
from domain.scoring import Verdict
from domain.scheme import ReportingRules, Rubric, Terms


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class Actor(_Model):
    """Who performs an action; set by the API from the signed-in account, never by the caller."""

    user_id: int | None
    name: str
    role: Role
    organisation_id: int | None = None


SYSTEM = Actor(user_id=None, name="Regie", role=Role.SYSTEM)


class AdoptedGrant(_Model):
    """A grant awarded before Regie took over, as the import found it."""

    actor: Actor  # who imported it
    awarded_cents: int = Field(gt=0)
    awarded_on: date
    received: tuple[date, ...] = ()  # reports received and accepted, in schedule order
    settled_cents: int | None = None
    settled_on: date | None = None
    # the day of the import in the programme's time zone, from which an overdue report's grace
    # runs; None in the histories of grants imported before it was recorded (then: UTC's day)
    imported_on: date | None = None


class GrantParams(_Model):
    """What a grant's workflow needs, fixed at submission under the round it was filed in."""

    reference: str
    application_id: int
    round_id: str
    scheme_id: str
    scheme_hash: str
    organisation_id: int
    organisation_type: str
    partner_organisation_ids: tuple[int, ...] = ()
    requested_cents: int
    last_activity_end: date
    projects_end_at: datetime  # 31-12-2027 has passed (UTC): every project must have ended
    # the last day an activity may run, as the scheme file writes it; None in grants started
    # before it was recorded (then: projects_end_at's UTC day, the same day for a time zone
    # east of UTC, as the Netherlands is)
    projects_end: date | None = None
    # the programme's time zone, in which an award falls on its day; None in grants started
    # before it was recorded (then: UTC's day)
    timezone: str | None = None
    reporting_closes_at: datetime  # the last moment any report can be due (UTC)
    terms: Terms
    reporting: ReportingRules
    round_closed: bool = False  # True for grants of a round that closed before Regie took over
    rubric: Rubric | None = None  # the round's rubric (absent in grants started before it was)
    activity_count: int = 0
    adopted: AdoptedGrant | None = None  # awarded before Regie took over: starts at its stage


class RoundParams(_Model):
    """What a round's workflow needs: its window (UTC) and how it numbers applications."""

    round_id: str
    opens_at: datetime
    closes_at: datetime
    closes_local: str  # the closing time as applicants read it, e.g. "12-02-2027 13:00"
    draft_reminder_days: int
    reference_prefix: str
    first_number: int = 1
    projects_end_at: datetime
    run_events: int = 2_000  # a run continues as new at this many events (round-short-runs)
    carried: RoundCarried | None = None  # what the run before handed on


class RoundCarried(_Model):
    """What a round's run hands the next when it continues as new (round-short-runs): the
    window travels in RoundParams itself."""

    phase: Literal["open", "assessing"]
    submitted: dict[int, str]  # application id -> reference, in the order the round took them
    reminded: bool = False  # the drafts' reminder before the closing has gone out
    verdicts: tuple[ScoredGrant, ...] = ()


class RetentionParams(_Model):
    """The retention workflow: how often it looks, and when it has nothing left to do."""

    scheme_id: str
    every_days: int
    ends_at: datetime


class RetentionReport(_Model):
    anonymised_applications: tuple[str, ...] = ()
    removed_drafts: int = 0
    anonymised_people: int = 0
    kept_histories: tuple[str, ...] = ()  # workflow ids of closed grants, rounds, ledger copied
    removed_report_drafts: int = 0  # reports never sent of grants that have ended


class SubmitToRound(_Model):
    actor: Actor
    application_id: int


class WindowMove(_Model):
    """A round's window as the scheme file now gives it (regie.alignment)."""

    actor: Actor
    opens_at: datetime
    closes_at: datetime
    closes_local: str
    reason: str = Field(min_length=1)


class Proposal(BaseModel):
    """A round's proposed allocation, with what it was computed from (for the audit)."""

    budget_cents: int  # what the ledger had left for the round when it was proposed
    candidates: list[Candidate]
    allocations: list[Allocation]
    # the confirmation waits for a second member's approval (the scheme file's, at the
    # proposal; a proposal of an earlier release has none, and its round none)
    second_approval: bool = False


class AllocationConfirmation(_Model):
    actor: Actor
    changes: tuple[Change, ...] = ()


class AllocationApproval(_Model):
    """A second member of the programme team approves the allocation another confirmed."""

    actor: Actor


class AllocationReturn(_Model):
    """The confirmed allocation goes back to be confirmed anew, with the reason."""

    actor: Actor
    reason: str = Field(min_length=1)


class Delivery(_Model):
    actor: Actor
    allocations: tuple[Allocation, ...]
    approved_by: Actor | None = None  # the second member, where the round asked for one


class RoundStatus(BaseModel):
    round_id: str
    phase: str  # scheduled, open, closed, assessing, proposed, decided
    opens_at: datetime
    closes_at: datetime
    closes_local: str = ""
    references: list[str] = []
    scored: list[str] = []
    proposal: Proposal | None = None
    confirmed: list[Allocation] | None = None
    confirmed_by: str | None = None
    confirmed_by_id: int | None = None
    second_approval: bool = False  # the confirmation waits for another member's approval
    approved_by: str | None = None
    returned: str | None = None  # the last confirmation sent back: by whom, and why
    undelivered: list[str] = []  # "<reference>: <why>", each decision the delivery did not take


class LedgerParams(_Model):
    """The programme's money: its budget, each round's ceiling, and what is committed."""

    scheme_id: str
    programme_cents: int
    ceilings: dict[str, int]
    commitments: dict[str, tuple[str, int]] = {}  # reference -> (round, amount), carried over
    closes_at: datetime  # after settlement of the last grant the ledger closes
    run_events: int = 1_000  # a run continues as new at this many events (ledger-short-runs)


class WindowMoved(_Model):
    """A round's new window, for the applicants with a draft in it (tell_window_moved)."""

    round_id: str
    opens_at: datetime
    closes_at: datetime
    closes_local: str


class SetBudgets(_Model):
    """The programme's budget, each round's ceiling and the day the books close as the scheme
    file now gives them (regie.alignment); a round the file added gets its ceiling here."""

    actor: Actor
    programme_cents: int
    ceilings: dict[str, int]
    closes_at: datetime | None = None  # the books close (scheme.books_close); None: as it is
    reason: str = Field(min_length=1)


class SetCommitment(_Model):
    """Set a grant's committed amount (0 releases it); the ledger refuses more than remains."""

    actor: Actor
    reference: str
    round_id: str
    amount_cents: int = Field(ge=0)
    reason: str


class RoundLedger(BaseModel):
    round_id: str
    ceiling_cents: int
    committed_cents: int
    remaining_cents: int


class LedgerStatus(BaseModel):
    closes_at: datetime | None = None  # None in results of runs before ledger-movable-close
    close_movable: bool = False  # whether set_budgets can move closes_at in this run
    programme_cents: int
    committed_cents: int
    remaining_cents: int
    rounds: list[RoundLedger]

    def room(self, round_id: str) -> int:
        """What a round can still commit: what its ceiling leaves, and no more than the
        programme leaves (the ceilings may add up to more than the budget)."""
        left = next((r.remaining_cents for r in self.rounds if r.round_id == round_id), 0)
        return max(0, min(left, self.remaining_cents))


class StartGrant(_Model):
    """The round accepted an application: give it its reference and start its workflow."""

    application_id: int
    reference: str
    submitted_at: datetime


class OverruleFinding(_Model):
    actor: Actor
    code: str
    reason: str = Field(min_length=1)


class Severity(StrEnum):
    FIXABLE = "fixable"
    FATAL = "fatal"


class Finding(_Model):
    code: str
    severity: Severity
    nl: str
    en: str
    field: str = ""  # the form field it points at, e.g. "sections.ambitie", "activities[1].end"


# -- human actions (workflow Updates) ------------------------------------------------------------


class AssessorRef(_Model):
    user_id: int
    name: str
    organisation_id: int | None = None


class AssignAssessors(_Model):
    actor: Actor
    assessors: tuple[AssessorRef, ...]


class CriterionScore(_Model):
    score: int = Field(ge=1, le=5)
    motivation: str = Field(min_length=1)


class ActivityJudgement(_Model):
    description_sufficient: bool  # 4a voldoende
    budget_sufficient: bool  # 4b voldoende
    motivation: str = Field(min_length=1)


class ScoreSubmission(_Model):
    actor: Actor
    ambitie: CriterionScore
    impact: CriterionScore
    verankering: CriterionScore
    activities: tuple[ActivityJudgement, ...]


class DecisionInput(_Model):
    actor: Actor
    award: bool
    amount_cents: int = Field(ge=0)
    reason: str = Field(min_length=1)


class ConflictDeclaration(_Model):
    actor: Actor
    reason: str = Field(min_length=1)


class ConflictWithdrawal(_Model):
    """The team takes back an assessor's declaration of a conflict (one made in error), so
    that they may be assigned again; why is recorded."""

    actor: Actor
    assessor: AssessorRef
    reason: str = Field(min_length=1)


class ConsensusInput(_Model):
    """The agreed scores of a divergent application, and why."""

    actor: Actor
    ambitie: int = Field(ge=1, le=5)
    impact: int = Field(ge=1, le=5)
    verankering: int = Field(ge=1, le=5)
    reason: str = Field(min_length=1)


class ObjectionInput(_Model):
    actor: Actor
    reasons: str = Field(min_length=1)


class ObjectionOutcome(_Model):
    actor: Actor
    uphold: bool
    amount_cents: int = Field(0, ge=0)
    reason: str = Field(min_length=1)


class CorrectionSubmission(_Model):
    actor: Actor
    note: str = ""


class Withdrawal(_Model):
    """The applicant withdraws the application before the decision, saying why."""

    actor: Actor
    reason: str = Field(min_length=1)


class ActivityReport(_Model):
    """Per activity, as the Kaderregeling's activity report asks: what was done against the
    plan, what monitoring showed, and any deviation with its reason."""

    title: str
    done: str = Field(min_length=1)
    monitoring: str = ""
    deviations: str = ""


class AttachmentRef(_Model):
    id: int
    name: str
    kind: Literal["document", "financial_report", "auditor_statement"] = "document"
    public: bool = False  # a public document goes to the knowledge centre


class ReportSubmission(_Model):
    actor: Actor
    report_index: int
    summary: str = Field(min_length=1)
    activities: tuple[ActivityReport, ...] = ()
    lessons: str = ""
    attachments: tuple[AttachmentRef, ...] = ()


class ReportReview(_Model):
    actor: Actor
    report_index: int
    accepted: bool
    comment: str = ""
    new_due: date | None = None


class ChangeRequest(_Model):
    """A grantee's request: other planning, a budget shift between activities, an extension."""

    actor: Actor
    kind: Literal["planning", "budget", "extension"]
    description: str = Field(min_length=1)
    new_last_activity_end: date | None = None


class ChangeDecision(_Model):
    actor: Actor
    approve: bool
    reason: str = Field(min_length=1)


class AwardAmendment(_Model):
    """The team's decision to change an award's amount while the project runs (a
    wijzigingsbesluit): after an objection to the amount, a change of the project, or an amount
    set wrong. The ledger, the advance and the settlement follow the new amount."""

    actor: Actor
    amount_cents: int = Field(gt=0)
    reason: str = Field(min_length=1)


class SettlementInput(_Model):
    actor: Actor
    final_cents: int = Field(ge=0)
    reason: str = Field(min_length=1)


class DeadlineMove(_Model):
    actor: Actor
    deadline: datetime
    reason: str = Field(min_length=1)


# -- state reported by the workflow --------------------------------------------------------------


class ReportKind(StrEnum):
    PROGRESS = "progress"
    FINAL = "final"


class ReportState(BaseModel):
    index: int
    kind: ReportKind
    due: date
    prompted: bool = False
    reminded: bool = False
    escalated: bool = False
    grace_from: date | None = None  # found overdue on import: the grace runs from this day
    submitted_at: datetime | None = None
    summary: str | None = None
    accepted: bool = False
    review_comment: str | None = None
    activities: list[ActivityReport] = []
    lessons: str = ""
    attachments: list[AttachmentRef] = []


class Assessment(_Model):
    assessor: AssessorRef
    submission: ScoreSubmission
    submitted_at: datetime


class Settlement(BaseModel):
    """The settled grant (vaststelling): the final amount and what is still paid or repaid."""

    model_config = ConfigDict(frozen=True)
    awarded_cents: int
    final_cents: int
    advance_paid_cents: int
    balance_cents: int  # > 0: still to pay the grantee; < 0: to be repaid

    @property
    def outcome(self) -> str:
        if self.final_cents == self.awarded_cents:
            return "in_full"
        return "repay" if self.balance_cents < 0 else "lower"


class GrantStatus(BaseModel):
    """The answer of the workflow's `status` query."""

    reference: str
    stage: Stage
    deadline: datetime | None
    findings: list[Finding] = []
    assessors: list[AssessorRef] = []
    conflicts_declared: list[int] = []  # the people who declared one: not to be assigned again
    assessments: list[Assessment] = []
    awarded_cents: int | None = None
    decision_reason: str | None = None
    reports: list[ReportState] = []
    outcome_note: str | None = None
    verdict: Verdict | None = None
    consensus_reason: str | None = None
    objection: str | None = None
    last_activity_end: date | None = None
    pending_change: ChangeRequest | None = None
    settlement: Settlement | None = None


# -- activity inputs -----------------------------------------------------------------------------


class StageChange(_Model):
    """A change to a grant's read model; `seq` orders them, so a late retry never rolls back."""

    reference: str
    workflow_id: str
    seq: int
    stage: Stage
    at: datetime
    deadline: datetime | None
    actor: Actor
    action: Action | None = None
    note: str = ""
    awarded_cents: int | None = None
    assessors: tuple[AssessorRef, ...] | None = None
    assessment: Assessment | None = None
    report: ReportState | None = None
    decided_at: datetime | None = None  # an award made before Regie took over: when it was
    # the assessor whose declared conflict was taken back; left out of the payload when None,
    # so that every other change is written as before
    conflict_withdrawn: int | None = Field(default=None, exclude_if=lambda v: v is None)


class ArchiveRequest(_Model):
    reference: str
    results: str  # the accepted reports' summaries, as the workflow holds them
    lessons: str = ""
    documents: tuple[AttachmentRef, ...] = ()  # public attachments of accepted reports


class LetterRequest(_Model):
    """A decision letter to render, keep as PDF with the grant, and send once."""

    key: str
    reference: str
    kind: str  # award, rejection, objection_upheld, objection_dismissed
    context: dict[str, str] = {}


class ScoredGrant(_Model):
    """What a grant tells its round: its verdict, or None when it left before one."""

    round_id: str
    reference: str
    verdict: Verdict | None


class Recipients(StrEnum):
    APPLICANT = "applicant"  # the members of the lead organisation
    TEAM = "team"
    ASSESSORS = "assessors"


class DigestParams(_Model):
    """A digest run: a grant's mail to one assessor (`assessor_id`) or to the programme team
    (None), told in one e-mail once `quiet` has passed without another (DigestWorkflow)."""

    assessor_id: int | None
    quiet: timedelta
    longest: timedelta  # the most a digest waits from its first mail, however many follow
    ends_at: datetime  # no wait runs past it: the programme's books close


class DigestRequest(_Model):
    """Tell an assessor (or the team: None) what was held for them and not yet told, under
    outbox `key`."""

    assessor_id: int | None
    key: str


class MailRequest(_Model):
    """One e-mail; `key` makes it idempotent: a retried activity never sends it twice."""

    key: str
    reference: str
    recipients: Recipients
    template: str
    context: dict[str, str] = {}
    assessor_ids: tuple[int, ...] = ()
    report_index: int | None = None  # a report prompt: each contact gets a personal link
