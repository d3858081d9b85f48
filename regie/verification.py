"""Can the record of a grant be trusted? Its Temporal history replays against the current
workflow code, and its verdict follows again from the scores recorded in that history, under the
rubric recorded with the grant when it started (not the scheme file as it is today)."""

from __future__ import annotations

from dataclasses import dataclass, field

from temporalio.api.enums.v1 import EventType
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client, WorkflowHistory
from temporalio.worker import Replayer

from domain.money import euros
from domain.scoring import Verdict, agreed_verdict, combine_scores
from domain.text import number
from domain.types import (
    ConsensusInput, DecisionInput, GrantParams, LetterRequest, ObjectionOutcome, ScoredGrant,
    ScoreSubmission,
)
from regie import histories
from regie.temporal import DATA_CONVERTER, grant_workflow_id
from regie.worker import WORKFLOWS

_DECISIONS = {"decide": DecisionInput, "decide_objection": ObjectionOutcome}


@dataclass
class RecordedInputs:
    """What the history holds about a grant's decision, decoded as the worker decoded it."""

    params: GrantParams | None = None
    scores: list[ScoreSubmission] = field(default_factory=list)
    consensus: ConsensusInput | None = None
    decision: DecisionInput | ObjectionOutcome | None = None  # the last one that took effect
    recorded_verdict: Verdict | None = None  # as the grant told its round, at the time
    letter_total: str | None = None  # the total the decision letter gave


@dataclass(frozen=True)
class Verification:
    reference: str
    replays: bool
    replay_problem: str
    inputs: RecordedInputs
    derived: Verdict | None

    @property
    def verdict_matches(self) -> bool | None:
        """None when there is no verdict to compare (no scores yet, or no record of one)."""
        recorded = self.inputs.recorded_verdict
        if self.derived is None or (recorded is None and self.inputs.letter_total is None):
            return None
        if recorded is not None and (recorded.total, recorded.averages, recorded.fundable) != (
                self.derived.total, self.derived.averages, self.derived.fundable):
            return False
        return self.inputs.letter_total in (None, "", str(self.derived.total))

    @property
    def trustworthy(self) -> bool:
        return self.replays and self.verdict_matches is not False

    def summary(self) -> list[str]:
        """What an auditor reads: each finding in Dutch / English."""
        p, lines = self.inputs.params, []
        lines.append("Geschiedenis speelt schoon af tegen de huidige code / history replays "
                     "cleanly against the current code" if self.replays else
                     f"Geschiedenis speelt NIET af / history does NOT replay: "
                     f"{self.replay_problem}")
        if p is not None:
            lines.append(f"Ronde {p.round_id}, regeling {p.scheme_id} versie "
                         f"{p.scheme_hash[:12]}; drempel "
                         f"{number(p.rubric.minimum_average, 'nl') if p.rubric else '–'}"
                         f" / round {p.round_id}, scheme version {p.scheme_hash[:12]}")
        if self.derived is not None:
            total, fundable = self.derived.total, self.derived.fundable
            lines.append(f"{len(self.inputs.scores)} beoordelingen, opnieuw berekend totaal "
                         f"{number(total, 'nl')} "
                         f"({'honoreerbaar' if fundable else 'niet honoreerbaar'})"
                         f" / {len(self.inputs.scores)} assessments, total derived again "
                         f"{number(total, 'en')} ({'fundable' if fundable else 'not fundable'})")
        match = self.verdict_matches
        if match is not None:
            lines.append("Het vastgelegde oordeel volgt opnieuw uit de scores / the recorded "
                         "verdict follows again from the scores" if match else
                         "Het vastgelegde oordeel wijkt af van de scores / the recorded verdict "
                         "differs from the scores")
        if p is not None and p.adopted is not None:
            a = p.adopted
            lines.append(f"Toegekend voor Regie op {a.awarded_on:%d-%m-%Y}: "
                         f"{euros(a.awarded_cents)}, geïmporteerd door {a.actor.name} / "
                         "awarded before Regie, imported")
        d = self.inputs.decision
        if d is not None:
            awarded = d.award if isinstance(d, DecisionInput) else d.uphold
            lines.append(f"Besluit door {d.actor.name}: "
                         f"{'toegekend ' + euros(d.amount_cents) if awarded else 'afgewezen'}, "
                         f"reden: {d.reason}")
        return lines


def recorded_inputs(history: WorkflowHistory) -> RecordedInputs:
    convert = DATA_CONVERTER.payload_converter
    found = RecordedInputs()
    accepted: dict[str, tuple[str, object]] = {}
    for event in history.events:
        kind = event.event_type
        if kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
            found.params = convert.from_payloads(
                event.workflow_execution_started_event_attributes.input.payloads,
                [GrantParams])[0]
        elif kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
            attrs = event.workflow_execution_update_accepted_event_attributes
            name = attrs.accepted_request.input.name
            payloads = attrs.accepted_request.input.args.payloads
            if name == "submit_score":
                found.scores.append(convert.from_payloads(payloads, [ScoreSubmission])[0])
            elif name == "record_consensus":
                found.consensus = convert.from_payloads(payloads, [ConsensusInput])[0]
            elif name in _DECISIONS:
                accepted[attrs.accepted_request.meta.update_id] = (
                    name, convert.from_payloads(payloads, [_DECISIONS[name]])[0])
        elif kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
            attrs = event.workflow_execution_update_completed_event_attributes
            if attrs.meta.update_id in accepted and not attrs.outcome.HasField("failure"):
                found.decision = accepted[attrs.meta.update_id][1]
        elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            attrs = event.activity_task_scheduled_event_attributes
            if attrs.activity_type.name == "tell_round":
                scored = convert.from_payloads(attrs.input.payloads, [ScoredGrant])[0]
                found.recorded_verdict = scored.verdict or found.recorded_verdict
            elif attrs.activity_type.name == "issue_letter":
                letter = convert.from_payloads(attrs.input.payloads, [LetterRequest])[0]
                if letter.kind in ("award", "rejection"):
                    found.letter_total = letter.context.get("total")
    return found


def derive(inputs: RecordedInputs) -> Verdict | None:
    """The verdict again, from the recorded scores under the recorded rubric."""
    p = inputs.params
    if p is None or p.rubric is None or len(inputs.scores) < p.terms.assessors_per_application:
        return None
    verdict = combine_scores(inputs.scores, p.rubric)
    if inputs.consensus is not None:
        c = inputs.consensus
        verdict = agreed_verdict(verdict, {"ambitie": c.ambitie, "impact": c.impact,
                                           "verankering": c.verankering}, p.rubric)
    return verdict


async def verify_history(history: WorkflowHistory, reference: str) -> Verification:
    replayer = Replayer(workflows=WORKFLOWS, data_converter=DATA_CONVERTER)
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    inputs = recorded_inputs(history)
    return Verification(reference=reference, replays=result.replay_failure is None,
                        replay_problem=str(result.replay_failure or ""), inputs=inputs,
                        derived=derive(inputs))


async def verify_grant(client: Client, db: AsyncSession,
                       reference: str) -> Verification:
    """Its history from Temporal, or the copy Regie kept once the workflow closed."""
    loaded = await histories.load(client, db, grant_workflow_id(reference))
    return await verify_history(loaded.history, reference)
