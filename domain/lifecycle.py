"""The grant lifecycle, declared once: stages, actions, who may act and where each action leads.

The workflow's validators, the pages' buttons and the Mermaid diagram in docs/ are all derived
from the tables in this module; nothing else may decide what is allowed in a stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.text import Text


class Role(StrEnum):
    PROGRAMME_TEAM = "programme_team"
    ASSESSOR = "assessor"
    GRANTEE = "grantee"
    AUDITOR = "auditor"
    PUBLIC = "public"
    SYSTEM = "system"  # the workflow itself: timers and checks


ROLE_NAMES: dict[Role, Text] = {
    Role.PROGRAMME_TEAM: Text("Programmateam", "Programme team"),
    Role.ASSESSOR: Text("Beoordelaar", "Assessor"),
    Role.GRANTEE: Text("Aanvrager", "Grantee"),
    Role.AUDITOR: Text("Auditor", "Auditor"),
    Role.PUBLIC: Text("Bezoeker", "Visitor"),
    Role.SYSTEM: Text("Systeem", "System"),
}


class Stage(StrEnum):
    SUBMITTED = "submitted"
    ELIGIBILITY_CHECK = "eligibility_check"
    ELIGIBLE = "eligible"
    CORRECTION = "correction"
    ASSESSMENT = "assessment"
    CONSENSUS = "consensus"
    DECISION = "decision"
    OBJECTION = "objection"
    REPORTING = "reporting"
    SETTLEMENT = "settlement"
    ARCHIVED = "archived"
    INELIGIBLE = "ineligible"
    NOT_PROCESSED = "not_processed"
    REJECTED = "rejected"
    REJECTED_FINAL = "rejected_final"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class StageInfo:
    staff_name: Text
    public_name: Text
    waits_on: Role | None  # who must act before the stage can end; None: the system moves on
    terminal: bool = False


STAGES: dict[Stage, StageInfo] = {
    Stage.SUBMITTED: StageInfo(
        Text("Ingediend", "Submitted"), Text("Ontvangen", "Received"), None
    ),
    Stage.ELIGIBILITY_CHECK: StageInfo(
        Text("Ontvankelijkheidstoets", "Eligibility check"), Text("In behandeling", "In progress"), None
    ),
    Stage.ELIGIBLE: StageInfo(
        Text("Ontvankelijk: wacht op sluiting ronde", "Eligible: awaiting round close"),
        Text("In behandeling", "In progress"), None,
    ),
    Stage.CORRECTION: StageInfo(
        Text("Herstel verzuim: wacht op aanvrager", "Correction request: awaiting applicant"),
        Text("Aanvulling nodig", "Correction needed"),
        Role.GRANTEE,
    ),
    Stage.ASSESSMENT: StageInfo(
        Text("Wacht op beoordeling", "Awaiting assessment"), Text("In behandeling", "In progress"),
        Role.ASSESSOR,
    ),
    Stage.CONSENSUS: StageInfo(
        Text("Scores lopen uiteen: consensus nodig", "Scores diverge: consensus needed"),
        Text("In behandeling", "In progress"), Role.PROGRAMME_TEAM,
    ),
    Stage.OBJECTION: StageInfo(
        Text("Bezwaar ingediend: wacht op beslissing", "Objection lodged: awaiting decision"),
        Text("Bezwaar in behandeling", "Objection under review"), Role.PROGRAMME_TEAM,
    ),
    Stage.DECISION: StageInfo(
        Text("Wacht op besluit", "Awaiting decision"), Text("In behandeling", "In progress"),
        Role.PROGRAMME_TEAM,
    ),
    Stage.REPORTING: StageInfo(
        Text("Toegekend: project loopt", "Awarded: project running"),
        Text("Toegekend", "Awarded"),
        Role.GRANTEE,
    ),
    Stage.SETTLEMENT: StageInfo(
        Text("Eindrapportage goedgekeurd: wacht op vaststelling",
             "Final report accepted: awaiting settlement"),
        Text("Vaststelling in behandeling", "Settlement in progress"), Role.PROGRAMME_TEAM,
    ),
    Stage.ARCHIVED: StageInfo(
        Text("Afgerond en gearchiveerd", "Completed and archived"),
        Text("Afgerond", "Completed"), None, terminal=True,
    ),
    Stage.INELIGIBLE: StageInfo(
        Text("Niet ontvankelijk", "Ineligible"), Text("Niet ontvankelijk", "Ineligible"), None,
        terminal=True,
    ),
    Stage.NOT_PROCESSED: StageInfo(
        Text("Buiten behandeling", "Not processed"), Text("Buiten behandeling", "Not processed"),
        None, terminal=True,
    ),
    Stage.REJECTED: StageInfo(
        Text("Afgewezen: bezwaartermijn loopt", "Rejected: objection window open"),
        Text("Afgewezen", "Rejected"), Role.GRANTEE,
    ),
    Stage.REJECTED_FINAL: StageInfo(
        Text("Afgewezen (definitief)", "Rejected (final)"), Text("Afgewezen", "Rejected"), None,
        terminal=True,
    ),
    Stage.WITHDRAWN: StageInfo(
        Text("Ingetrokken door de aanvrager", "Withdrawn by the applicant"),
        Text("Ingetrokken", "Withdrawn"), None, terminal=True,
    ),
}


class Action(StrEnum):
    START_CHECK = "start_check"
    FIND_ELIGIBLE = "find_eligible"
    AWAIT_ROUND_CLOSE = "await_round_close"
    ROUND_CLOSED = "round_closed"
    OVERRULE_FINDING = "overrule_finding"
    RECHECK = "recheck"
    FIND_FIXABLE = "find_fixable"
    FIND_INELIGIBLE = "find_ineligible"
    SUBMIT_CORRECTION = "submit_correction"
    CORRECTION_TERM_EXPIRED = "correction_term_expired"
    ASSIGN_ASSESSORS = "assign_assessors"
    SUBMIT_SCORE = "submit_score"
    COMPLETE_ASSESSMENT = "complete_assessment"
    NEEDS_CONSENSUS = "needs_consensus"
    RECORD_CONSENSUS = "record_consensus"
    DECLARE_CONFLICT = "declare_conflict"
    WITHDRAW_CONFLICT = "withdraw_conflict"
    OBJECT = "object"
    OBJECTION_WINDOW_CLOSED = "objection_window_closed"
    UPHOLD_OBJECTION = "uphold_objection"
    DISMISS_OBJECTION = "dismiss_objection"
    AWARD = "award"
    REJECT = "reject"
    SUBMIT_REPORT = "submit_report"
    REVIEW_REPORT = "review_report"
    ARCHIVE = "archive"
    REQUEST_CHANGE = "request_change"
    DECIDE_CHANGE = "decide_change"
    AMEND_AWARD = "amend_award"
    FINAL_ACCEPTED = "final_accepted"
    SETTLE = "settle"
    MOVE_DEADLINE = "move_deadline"
    PROGRAMME_ENDED = "programme_ended"
    ADOPT = "adopt"
    WITHDRAW = "withdraw"


@dataclass(frozen=True)
class Transition:
    action: Action
    source: Stage
    target: Stage
    role: Role
    label: Text


# Until the decision an applicant may withdraw: not while the system itself is checking, and not
# once decided (an awarded grant ends through settlement; a rejection through its objection term).
WITHDRAWABLE = (Stage.CORRECTION, Stage.ELIGIBLE, Stage.ASSESSMENT, Stage.CONSENSUS,
                Stage.DECISION)

_WAITING = (Stage.CORRECTION, Stage.ASSESSMENT, Stage.CONSENSUS, Stage.DECISION, Stage.OBJECTION,
            Stage.REPORTING, Stage.SETTLEMENT)

TRANSITIONS: tuple[Transition, ...] = (
    Transition(Action.ADOPT, Stage.SUBMITTED, Stage.REPORTING, Role.SYSTEM,
               Text("Toegekend voor Regie: geïmporteerd", "Awarded before Regie: imported")),
    Transition(Action.START_CHECK, Stage.SUBMITTED, Stage.ELIGIBILITY_CHECK, Role.SYSTEM,
               Text("Toets starten", "Start check")),
    Transition(Action.FIND_ELIGIBLE, Stage.ELIGIBILITY_CHECK, Stage.ASSESSMENT, Role.SYSTEM,
               Text("Ontvankelijk", "Eligible")),
    Transition(Action.AWAIT_ROUND_CLOSE, Stage.ELIGIBILITY_CHECK, Stage.ELIGIBLE, Role.SYSTEM,
               Text("Ontvankelijk, ronde nog open", "Eligible, round still open")),
    Transition(Action.ROUND_CLOSED, Stage.ELIGIBLE, Stage.ASSESSMENT, Role.SYSTEM,
               Text("Ronde gesloten: naar beoordeling", "Round closed: on to assessment")),
    Transition(Action.FIND_FIXABLE, Stage.ELIGIBILITY_CHECK, Stage.CORRECTION, Role.SYSTEM,
               Text("Herstel verzuim vragen", "Request correction")),
    Transition(Action.FIND_INELIGIBLE, Stage.ELIGIBILITY_CHECK, Stage.INELIGIBLE, Role.SYSTEM,
               Text("Niet ontvankelijk", "Ineligible")),
    Transition(Action.SUBMIT_CORRECTION, Stage.CORRECTION, Stage.ELIGIBILITY_CHECK, Role.GRANTEE,
               Text("Aanvulling indienen", "Submit correction")),
    Transition(Action.OVERRULE_FINDING, Stage.CORRECTION, Stage.CORRECTION, Role.PROGRAMME_TEAM,
               Text("Bevinding terzijde leggen", "Overrule a finding")),
    Transition(Action.RECHECK, Stage.CORRECTION, Stage.ELIGIBILITY_CHECK, Role.SYSTEM,
               Text("Opnieuw toetsen", "Check again")),
    Transition(Action.CORRECTION_TERM_EXPIRED, Stage.CORRECTION, Stage.NOT_PROCESSED, Role.SYSTEM,
               Text("Hersteltermijn verstreken", "Correction term expired")),
    Transition(Action.ASSIGN_ASSESSORS, Stage.ASSESSMENT, Stage.ASSESSMENT, Role.PROGRAMME_TEAM,
               Text("Beoordelaars toewijzen", "Assign assessors")),
    Transition(Action.SUBMIT_SCORE, Stage.ASSESSMENT, Stage.ASSESSMENT, Role.ASSESSOR,
               Text("Beoordeling indienen", "Submit assessment")),
    Transition(Action.COMPLETE_ASSESSMENT, Stage.ASSESSMENT, Stage.DECISION, Role.SYSTEM,
               Text("Alle beoordelingen binnen", "All assessments in")),
    Transition(Action.DECLARE_CONFLICT, Stage.ASSESSMENT, Stage.ASSESSMENT, Role.ASSESSOR,
               Text("Belangenverstrengeling melden", "Declare a conflict of interest")),
    Transition(Action.WITHDRAW_CONFLICT, Stage.ASSESSMENT, Stage.ASSESSMENT, Role.PROGRAMME_TEAM,
               Text("Melding van belangenverstrengeling intrekken",
                    "Withdraw a declared conflict of interest")),
    Transition(Action.NEEDS_CONSENSUS, Stage.ASSESSMENT, Stage.CONSENSUS, Role.SYSTEM,
               Text("Scores lopen uiteen", "Scores diverge")),
    Transition(Action.RECORD_CONSENSUS, Stage.CONSENSUS, Stage.DECISION, Role.PROGRAMME_TEAM,
               Text("Consensusscores vastleggen", "Record the agreed scores")),
    Transition(Action.AWARD, Stage.DECISION, Stage.REPORTING, Role.PROGRAMME_TEAM,
               Text("Toekennen", "Award")),
    Transition(Action.REJECT, Stage.DECISION, Stage.REJECTED, Role.PROGRAMME_TEAM,
               Text("Afwijzen", "Reject")),
    Transition(Action.OBJECT, Stage.REJECTED, Stage.OBJECTION, Role.GRANTEE,
               Text("Bezwaar maken", "Lodge an objection")),
    Transition(Action.OBJECTION_WINDOW_CLOSED, Stage.REJECTED, Stage.REJECTED_FINAL, Role.SYSTEM,
               Text("Bezwaartermijn verstreken", "Objection window closed")),
    Transition(Action.UPHOLD_OBJECTION, Stage.OBJECTION, Stage.REPORTING, Role.PROGRAMME_TEAM,
               Text("Bezwaar gegrond: toekennen", "Uphold the objection: award")),
    Transition(Action.DISMISS_OBJECTION, Stage.OBJECTION, Stage.REJECTED_FINAL,
               Role.PROGRAMME_TEAM, Text("Bezwaar ongegrond", "Dismiss the objection")),
    Transition(Action.SUBMIT_REPORT, Stage.REPORTING, Stage.REPORTING, Role.GRANTEE,
               Text("Rapportage indienen", "Submit report")),
    Transition(Action.REVIEW_REPORT, Stage.REPORTING, Stage.REPORTING, Role.PROGRAMME_TEAM,
               Text("Rapportage beoordelen", "Review report")),
    Transition(Action.ARCHIVE, Stage.REPORTING, Stage.ARCHIVED, Role.SYSTEM,
               Text("Archiveren in kenniscentrum", "Archive into knowledge centre")),
    Transition(Action.REQUEST_CHANGE, Stage.REPORTING, Stage.REPORTING, Role.GRANTEE,
               Text("Wijziging aanvragen", "Request a change")),
    Transition(Action.DECIDE_CHANGE, Stage.REPORTING, Stage.REPORTING, Role.PROGRAMME_TEAM,
               Text("Over wijziging beslissen", "Decide on the change")),
    Transition(Action.AMEND_AWARD, Stage.REPORTING, Stage.REPORTING, Role.PROGRAMME_TEAM,
               Text("Toekenning wijzigen", "Amend the award")),
    Transition(Action.FINAL_ACCEPTED, Stage.REPORTING, Stage.SETTLEMENT, Role.SYSTEM,
               Text("Eindrapportage goedgekeurd", "Final report accepted")),
    Transition(Action.SETTLE, Stage.SETTLEMENT, Stage.ARCHIVED, Role.PROGRAMME_TEAM,
               Text("Subsidie vaststellen", "Settle the grant")),
    *(
        Transition(Action.MOVE_DEADLINE, stage, stage, Role.PROGRAMME_TEAM,
                   Text("Termijn verplaatsen", "Move deadline"))
        for stage in _WAITING
    ),
    *(
        Transition(Action.PROGRAMME_ENDED, stage, Stage.NOT_PROCESSED, Role.SYSTEM,
                   Text("Einde programma bereikt", "Programme end reached"))
        for stage in (Stage.ELIGIBLE, Stage.CORRECTION, Stage.ASSESSMENT, Stage.CONSENSUS,
                      Stage.DECISION)
    ),
    *(
        Transition(Action.WITHDRAW, stage, Stage.WITHDRAWN, Role.GRANTEE,
                   Text("Aanvraag intrekken", "Withdraw the application"))
        for stage in WITHDRAWABLE
    ),
    Transition(Action.PROGRAMME_ENDED, Stage.OBJECTION, Stage.REJECTED_FINAL, Role.SYSTEM,
               Text("Einde programma bereikt", "Programme end reached")),
    Transition(Action.PROGRAMME_ENDED, Stage.REPORTING, Stage.ARCHIVED, Role.SYSTEM,
               Text("Rapportagetermijn gesloten", "Reporting closed")),
)

ACTION_LABELS: dict[Action, Text] = {}
for _t in TRANSITIONS:
    ACTION_LABELS.setdefault(_t.action, _t.label)

_BY_KEY: dict[tuple[Stage, Action], Transition] = {(t.source, t.action): t for t in TRANSITIONS}


class NotAllowed(ValueError):
    """An action that the lifecycle does not allow; the message is Dutch, then English."""


def only_from_scheme_file(role: Role) -> None:
    """For the Updates only Regie sends, from the scheme file (regie.alignment): NotAllowed for
    anyone else."""
    if role != Role.SYSTEM:
        raise NotAllowed("Alleen Regie, uit het regelingbestand / only Regie, from the scheme "
                         "file")


def transition(stage: Stage, action: Action, role: Role) -> Transition:
    """The transition `action` takes from `stage` when `role` acts, or NotAllowed with the reason."""
    found = _BY_KEY.get((stage, action))
    if found is None:
        raise NotAllowed(
            f"'{action}' kan niet in fase '{STAGES[stage].staff_name.nl}' / "
            f"'{action}' is not possible in stage '{STAGES[stage].staff_name.en}'"
        )
    if found.role != role:
        raise NotAllowed(
            f"Alleen {ROLE_NAMES[found.role].nl} mag '{found.label.nl}' doen / "
            f"only the {ROLE_NAMES[found.role].en} may '{found.label.en}'"
        )
    return found


def actions_for(stage: Stage, role: Role) -> list[Transition]:
    """The human actions open to `role` in `stage`, in declaration order (the pages' buttons)."""
    return [t for t in TRANSITIONS if t.source == stage and t.role == role]

ENDED = frozenset(stage for stage, info in STAGES.items() if info.terminal)  # the workflow ends


def mermaid_diagram() -> str:
    """The state diagram of the lifecycle in Mermaid syntax, for docs/lifecycle.md."""
    lines = ["stateDiagram-v2", f"    [*] --> {Stage.SUBMITTED.value}"]
    for stage, info in STAGES.items():
        lines.append(f"    {stage.value} : {info.staff_name.nl} / {info.staff_name.en}")
    for t in TRANSITIONS:
        if t.source != t.target:
            lines.append(
                f"    {t.source.value} --> {t.target.value} : {t.label.en} ({t.role.value})"
            )
    for stage, info in STAGES.items():
        if info.terminal:
            lines.append(f"    {stage.value} --> [*]")
    return "\n".join(lines) + "\n"
