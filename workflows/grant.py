"""GrantWorkflow: one grant from submission to the knowledge centre (workflow id `grant-<reference>`).

Stages and who may act come from domain.lifecycle; human actions are Updates whose validators
ask that table, so a refused action leaves no trace in history. Every wait has a deadline held
in workflow state, which the programme team can move, and is capped at the programme's end.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, time, timedelta, timezone
from typing import Awaitable, Callable

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain import schedules, terms
    from domain.assignment import in_conflict
    from domain.payments import advance
    from domain.reports import reschedule, settle
    from domain.lifecycle import Action, Stage, transition
    from domain.money import euros
    from domain.scoring import Verdict, agreed_verdict, combine_scores
    from domain.types import (
        SYSTEM,
        Actor,
        AdoptedGrant,
        Assessment,
        ArchiveRequest,
        AssignAssessors,
        AwardAmendment,
        ChangeDecision,
        ChangeRequest,
        ConflictDeclaration,
        ConflictWithdrawal,
        ConsensusInput,
        CorrectionSubmission,
        DeadlineMove,
        DecisionInput,
        Finding,
        GrantParams,
        GrantStatus,
        LetterRequest,
        MailRequest,
        ObjectionInput,
        ObjectionOutcome,
        OverruleFinding,
        Recipients,
        ReportKind,
        ReportReview,
        ReportState,
        ReportSubmission,
        ScoreSubmission,
        ScoredGrant,
        SetCommitment,
        Settlement,
        SettlementInput,
        Severity,
        StageChange,
        Withdrawal,
    )
    from workflows import search

# Patch register (docs/upgrading.md): each id and why.
INTAKE = "intake-round-handoff"  # receipt mail; eligible grants wait for their round to close
LEDGER = "budget-ledger"  # an award commits its amount in the ledger before the grant moves on
ASSESSMENT = "assessment-consensus"  # verdict under the rubric, consensus, conflicts, round told
DECISIONS = "decision-letters-objections"  # PDF letters; a rejection opens an objection window
AFTER_AWARD = "settlement-changes"  # change requests; an accepted final report goes to settlement
ADOPTION = "adopted-grants"  # a grant awarded before Regie took over starts at its real stage
HANDLERS_FINISH = "handlers-finish"  # the grant ends only once every Update has answered
WAKEUPS = "no-lost-wakeups"  # a change made while the run awaited an activity wakes its wait
WHOLE_DAYS = "terms-whole-days"  # a term ends at the end of its last (working) day; reminders at 9
REPORT_DAYS = "report-due-working-days"  # a new schedule's reports fall due on working days
CONFLICT_TOLD = "tell-conflict-withdrawn"  # the assessor hears that their declaration was undone
OBJECTION_TERM = "objection-decision-term"  # an objection is decided within weeks of its term
# The `withdraw` and `amend_award` Updates need no patch: the run takes no new path before one
# is accepted, and recorded histories hold none (docs/upgrading.md, "A new human action").
# A grant that starts with this marker takes every patch above without a marker of its own: one
# marker and one visibility write instead of one of each per patch. Grants started before it
# have no such marker and ask each patch, as they did. FOLDED never changes: a grant in flight
# holds the fold's answer for all of it (docs/upgrading.md, "The fold").
FOLD_2026_12 = "folded-patches-2026-12"
FOLDED = frozenset({INTAKE, LEDGER, ASSESSMENT, DECISIONS, AFTER_AWARD, ADOPTION,
                    HANDLERS_FINISH, WAKEUPS})

ACTIVITY_OPTIONS = dict(
    start_to_close_timeout=timedelta(seconds=60),
    retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=5)),
)


def _due_at(day) -> datetime:
    return datetime.combine(day, time(8, 0), tzinfo=timezone.utc)


@workflow.defn
class GrantWorkflow:
    @workflow.init
    def __init__(self, params: GrantParams) -> None:
        self.p = params
        self.stage = Stage.SUBMITTED
        self.deadline: datetime | None = None
        self._deadline_version = 0
        self.findings: list[Finding] = []
        self.assessors = []
        self.conflicts_declared: list[int] = []  # assessors who stepped back: not again
        self.assessments: list[Assessment] = []
        self.decision: DecisionInput | None = None
        self.reports: list[ReportState] = []
        self._reports_version = 0
        self.outcome_note: str | None = None
        self._seq = 0  # orders this grant's read-model records
        self._deciding = False  # a decision's ledger commitment is under way
        self.verdict: Verdict | None = None
        self.consensus_reason: str | None = None
        self.objection: str | None = None
        self._dismissed_because: str | None = None  # the team's reasons for dismissing it
        self.last_activity_end = params.last_activity_end
        self.awarded_on = None
        self.pending_change: ChangeRequest | None = None
        self.settlement: Settlement | None = None
        self.round_closed = params.round_closed
        self.overruled: dict[str, str] = {}  # finding code -> the team's recorded reason
        # Asked here, before the run or any handler can ask another patch: a grant already in
        # flight must not take the fold half-way through its life.
        self._folded = workflow.patched(FOLD_2026_12)

    def _patched(self, patch_id: str) -> bool:
        """`workflow.patched`, but that a grant started with the fold takes a folded patch
        without its marker."""
        return (self._folded and patch_id in FOLDED) or workflow.patched(patch_id)

    # -- the run ---------------------------------------------------------------------------------

    @workflow.run
    async def run(self, params: GrantParams) -> GrantStatus:
        status = await self._live(params)
        # a withdrawn grant ends after the withdrawal's own mails, on every version of the code
        if self._patched(HANDLERS_FINISH) or self._withdrawn():
            await workflow.wait_condition(workflow.all_handlers_finished)
            return self.status()
        return status

    async def _live(self, params: GrantParams) -> GrantStatus:
        if params.adopted is not None and self._patched(ADOPTION):
            if await self._adopt(params.adopted):
                await self._reporting()
            return self.status()
        if self._patched(INTAKE):
            await self._mail("submission_received", Recipients.APPLICANT)
        await self._apply(Action.START_CHECK, SYSTEM)
        scored = (await self._eligibility() and await self._assessment()
                  and (self.stage != Stage.CONSENSUS or await self._consensus()))
        await self._tell_round(scored)
        if not scored:
            return self.status()
        if not await self._decision():
            return self.status()
        await self._reporting()
        return self.status()

    async def _adopt(self, adopted: AdoptedGrant) -> bool:
        """A grant awarded before Regie took over starts where it stands: awarded, with the
        reports received so far in, and settled or not. False when it was settled already."""
        settled = adopted.settled_cents is not None
        await workflow.execute_activity(
            "commit_budget", SetCommitment(
                actor=adopted.actor, reference=self.p.reference, round_id=self.p.round_id,
                amount_cents=adopted.settled_cents if settled else adopted.awarded_cents,
                reason="import"),
            **ACTIVITY_OPTIONS)
        awarded = f"{adopted.awarded_on:%d-%m-%Y}"
        self.decision = DecisionInput(
            actor=adopted.actor, award=True, amount_cents=adopted.awarded_cents,
            reason=f"Toegekend op {awarded}, voor Regie / awarded before Regie")
        self.awarded_on = adopted.awarded_on
        self.reports = schedules.adopt_reports(
            self._on_working_days(schedules.report_schedule(
                self.awarded_on, self.last_activity_end, self.p.reporting,
                self.p.reporting_closes_at.date())),
            adopted.received, workflow.now(), adopted.imported_on or workflow.now().date())
        await self._apply(Action.ADOPT, SYSTEM, awarded_cents=adopted.awarded_cents,
                          note=f"{awarded}; geïmporteerd door / imported by {adopted.actor.name}",
                          decided_at=_due_at(adopted.awarded_on))
        for report in self.reports[:len(adopted.received)]:
            await self._record(SYSTEM, None, report=report)
        if not settled:
            return True
        assert adopted.settled_on is not None and adopted.settled_cents is not None
        self.settlement = settle(adopted.awarded_cents, adopted.settled_cents, self.p.reporting)
        await self._apply(Action.FINAL_ACCEPTED, SYSTEM)
        await self._apply(Action.SETTLE, adopted.actor, awarded_cents=adopted.settled_cents,
                          note=f"Vastgesteld op {adopted.settled_on:%d-%m-%Y}, voor Regie / "
                               "settled before Regie", decided_at=_due_at(adopted.settled_on))
        await self._archive()
        return False

    async def _eligibility(self) -> bool:
        while True:
            findings = await workflow.execute_activity(
                "check_application", self.p.reference, result_type=list[Finding],
                **ACTIVITY_OPTIONS,
            )
            self.findings = [f for f in findings if f.code not in self.overruled]
            if any(f.severity == Severity.FATAL for f in self.findings):
                await self._apply(Action.FIND_INELIGIBLE, SYSTEM, note=self._finding_codes())
                await self._mail("ineligible", Recipients.APPLICANT, context=self._reasons())
                return False
            if not self.findings:
                return await self._on_to_assessment()
            await self._apply(Action.FIND_FIXABLE, SYSTEM, note=self._finding_codes(),
                              deadline=self._from_now(self.p.terms.correction_days))
            last_day = (terms.last_day_of(self.deadline, self.p.timezone)
                        if self._patched(WHOLE_DAYS) else self.deadline.date())
            await self._mail(f"correction_request-{self._deadline_version}",
                             Recipients.APPLICANT, template="correction_request",
                             context={**self._reasons(), "deadline": last_day.isoformat()})
            corrected = await self._await_action(
                lambda: self.stage != Stage.CORRECTION or self._all_overruled(),
                remind=lambda: self._mail(f"correction_reminder-{self._deadline_version}",
                                          Recipients.APPLICANT, template="correction_reminder"),
                lead=timedelta(days=self.p.terms.correction_reminder_days),
            )
            if self._withdrawn():
                return False
            if corrected and self.stage == Stage.CORRECTION:  # the team overruled every finding
                await self._apply(Action.RECHECK, SYSTEM)
            if not corrected:
                action = (Action.PROGRAMME_ENDED if workflow.now() >= self.p.projects_end_at
                          else Action.CORRECTION_TERM_EXPIRED)
                await self._apply(action, SYSTEM)
                await self._mail("not_processed", Recipients.APPLICANT)
                return False

    async def _on_to_assessment(self) -> bool:
        """Eligible: assessment starts once the round has closed (the round signals it)."""
        if self._patched(INTAKE) and not self.round_closed:
            await self._apply(Action.AWAIT_ROUND_CLOSE, SYSTEM)
            try:
                await workflow.wait_condition(lambda: self.round_closed or self._withdrawn(),
                                              timeout=self._cap() - workflow.now())
            except asyncio.TimeoutError:
                await self._apply(Action.PROGRAMME_ENDED, SYSTEM)
                await self._mail("not_processed", Recipients.APPLICANT)
                return False
            if self._withdrawn():
                return False
            await self._apply(Action.ROUND_CLOSED, SYSTEM,
                              deadline=self._from_now(self.p.terms.assessment_days))
            return True
        await self._apply(Action.FIND_ELIGIBLE, SYSTEM,
                          deadline=self._from_now(self.p.terms.assessment_days))
        return True

    async def _assessment(self) -> bool:
        done = await self._stage_wait(
            lambda: self.stage != Stage.ASSESSMENT,
            remind=lambda: self._mail(f"assessment_reminder-{self._deadline_version}",
                                      Recipients.ASSESSORS, template="assessment_reminder",
                                      assessor_ids=self._assessors_pending()),
            lead=timedelta(days=self.p.terms.assessment_reminder_days),
            escalate=lambda: self._mail(f"assessment_overdue-{self._deadline_version}",
                                        Recipients.TEAM, template="assessment_overdue"),
        )
        if not done:
            await self._apply(Action.PROGRAMME_ENDED, SYSTEM)
            await self._mail("not_processed", Recipients.APPLICANT)
        return done and not self._withdrawn()

    async def _decision(self) -> bool:
        done = await self._stage_wait(
            lambda: self.stage != Stage.DECISION,
            remind=None,
            lead=timedelta(0),
            escalate=lambda: self._mail(f"decision_overdue-{self._deadline_version}",
                                        Recipients.TEAM, template="decision_overdue"),
        )
        if not done:
            await self._apply(Action.PROGRAMME_ENDED, SYSTEM)
            await self._mail("not_processed", Recipients.APPLICANT)
            return False
        if self._withdrawn():  # the round had its verdict: it must leave the allocation
            await self._tell_round(False)
            return False
        assert self.decision is not None
        if not self._patched(DECISIONS):
            await self._mail("award_letter" if self.decision.award else "rejection_letter",
                             Recipients.APPLICANT)
            return self.decision.award
        until = None  # the objection term, which the rejection letter names
        if not self.decision.award and self._patched(WHOLE_DAYS):
            until = self._from_now(7 * self.p.terms.objection_weeks)
        await self._letter("award" if self.decision.award else "rejection", objection_until=until)
        return self.decision.award or await self._objection_window(until)

    async def _settlement(self) -> None:
        """Vaststelling: the team settles the final amount within the settlement term."""
        await self._apply(Action.FINAL_ACCEPTED, SYSTEM, deadline=min(
            self._term_end(7 * self.p.reporting.settlement_weeks),
            self.p.reporting_closes_at + timedelta(weeks=self.p.reporting.settlement_weeks)))
        while self.stage == Stage.SETTLEMENT:
            if await self._await_action(lambda: self.stage != Stage.SETTLEMENT, None,
                                        timedelta(0), cap=self.deadline):
                break
            seen = self._deadline_version
            await self._mail(f"settlement_overdue-{self._deadline_version}", Recipients.TEAM,
                             template="decision_overdue")
            version = seen if self._patched(WAKEUPS) else self._deadline_version
            try:  # the team settles or moves the term; the team is reminded twice a year
                await workflow.wait_condition(
                    lambda: self.stage != Stage.SETTLEMENT or self._deadline_version != version,
                    timeout=timedelta(weeks=26))
            except asyncio.TimeoutError:
                pass
        await self._letter("settlement")

    async def _consensus(self) -> bool:
        done = await self._stage_wait(
            lambda: self.stage != Stage.CONSENSUS, remind=None, lead=timedelta(0),
            escalate=lambda: self._mail(f"consensus_overdue-{self._deadline_version}",
                                        Recipients.TEAM, template="decision_overdue"))
        if not done:
            await self._apply(Action.PROGRAMME_ENDED, SYSTEM)
            await self._mail("not_processed", Recipients.APPLICANT)
        return done and not self._withdrawn()

    async def _objection_window(self, until: datetime | None) -> bool:
        """A rejection may be objected to within the term (to `until` where the letter named its
        end); True if an objection was upheld."""
        self.deadline = until or self._from_now(7 * self.p.terms.objection_weeks)
        self._deadline_version += 1
        await self._record(SYSTEM, None)
        if not await self._await_action(lambda: self.stage != Stage.REJECTED, None,
                                        timedelta(0)):
            await self._apply(Action.OBJECTION_WINDOW_CLOSED, SYSTEM)
            return False
        decided = await self._stage_wait(
            lambda: self.stage != Stage.OBJECTION, remind=None, lead=timedelta(0),
            escalate=lambda: self._mail(f"objection_overdue-{self._deadline_version}",
                                        Recipients.TEAM, template="decision_overdue"))
        if not decided:
            await self._apply(Action.PROGRAMME_ENDED, SYSTEM)
            return False
        upheld = self.stage == Stage.REPORTING
        await self._letter("objection_upheld" if upheld else "objection_dismissed")
        return upheld

    async def _reporting(self) -> None:
        end_flagged = False
        while True:
            seen = self._reports_version  # a report changed during this pass ends its wait
            await self._sync_report_deadline()
            final = self.reports[-1]
            if final.accepted:
                if self._patched(AFTER_AWARD):
                    await self._settlement()
                else:
                    await self._apply(Action.ARCHIVE, SYSTEM)
                await self._archive()
                await self._mail("archived", Recipients.APPLICANT)
                return
            now = workflow.now()
            if now >= self.p.reporting_closes_at:
                self.outcome_note = ("final_report_unreviewed" if final.submitted_at
                                     else "final_report_missing")
                await self._mail("reporting_closed", Recipients.TEAM,
                                 context={"outcome": self.outcome_note})
                await self._apply(Action.PROGRAMME_ENDED, SYSTEM, note=self.outcome_note)
                await self._archive()
                return
            for notice in schedules.due_notices(self.reports, self.p.reporting, now):
                report = self.reports[notice.report_index]
                schedules.mark_sent(report, notice.kind)
                to_team = notice.kind == schedules.NoticeKind.ESCALATION
                await self._mail(
                    f"report_{notice.kind}-{report.index}-{report.due}",
                    Recipients.TEAM if to_team else Recipients.APPLICANT,
                    template=f"report_{notice.kind}",
                    context={"report": str(report.index + 1), "kind": report.kind.value,
                             "due": report.due.isoformat()},
                    report_index=None if to_team else report.index,
                )
            if not end_flagged and now >= self.p.projects_end_at and final.submitted_at is None:
                # 31 December 2027 has passed: every project has ended; ask for the final report
                end_flagged = True
                schedules.mark_sent(final, schedules.NoticeKind.PROMPT)
                await self._mail("projects_end_prompt", Recipients.APPLICANT,
                                 report_index=final.index)
                await self._mail("projects_end_flag", Recipients.TEAM)
            wake = [self.p.reporting_closes_at]
            pending = schedules.pending_notices(self.reports, self.p.reporting)
            if pending:
                wake.append(pending[0].at)
            if not end_flagged and final.submitted_at is None:
                wake.append(self.p.projects_end_at)
            version = seen if self._patched(WAKEUPS) else self._reports_version
            try:
                await workflow.wait_condition(lambda: self._reports_version != version,
                                              timeout=max(min(wake) - now, timedelta(seconds=1)))
            except asyncio.TimeoutError:
                pass

    # -- waiting ---------------------------------------------------------------------------------

    def _cap(self) -> datetime:
        return self.p.projects_end_at

    async def _await_action(
        self, done: Callable[[], bool], remind: Callable[[], Awaitable[None]] | None,
        lead: timedelta, cap: datetime | None = None,
    ) -> bool:
        """Wait for done() until the deadline (capped); remind `lead` before it. False on expiry."""
        reminded = remind is None
        cap = cap or self._cap()
        while not done():
            now = workflow.now()
            deadline = min(self.deadline or cap, cap)
            if now >= deadline:
                return False
            remind_at = deadline - lead
            if self._patched(WHOLE_DAYS):
                remind_at = terms.morning(remind_at, self.p.timezone)
            wake = remind_at if not reminded and remind_at > now else deadline
            version = self._deadline_version
            try:
                await workflow.wait_condition(
                    lambda: done() or self._deadline_version != version, timeout=wake - now
                )
            except asyncio.TimeoutError:
                if not reminded and wake == remind_at and remind is not None:
                    reminded = True
                    await remind()
        return True

    async def _stage_wait(
        self, done: Callable[[], bool], remind: Callable[[], Awaitable[None]] | None,
        lead: timedelta, escalate: Callable[[], Awaitable[None]],
    ) -> bool:
        """Wait for done(); when the deadline passes, escalate to the team once per deadline and
        keep waiting (the team may act or move the deadline) until the programme's end."""
        escalated_version = -1
        while True:
            if await self._await_action(done, remind, lead):
                return True
            if workflow.now() >= self._cap():
                return False
            seen = self._deadline_version
            if escalated_version != seen:
                escalated_version = seen
                await escalate()
            version = seen if self._patched(WAKEUPS) else self._deadline_version
            try:
                await workflow.wait_condition(
                    lambda: done() or self._deadline_version != version,
                    timeout=self._cap() - workflow.now(),
                )
            except asyncio.TimeoutError:
                pass

    # -- human actions ---------------------------------------------------------------------------

    @workflow.update
    async def assign_assessors(self, cmd: AssignAssessors) -> None:
        # the assessors' term runs from their assignment
        self.assessors = list(cmd.assessors)
        self.deadline = self._from_now(self.p.terms.assessment_days)
        self._deadline_version += 1
        await self._record(cmd.actor, Action.ASSIGN_ASSESSORS,
                           note=", ".join(a.name for a in cmd.assessors),
                           assessors=cmd.assessors)
        await self._mail(f"assessment_assigned-{self._deadline_version}",
                         Recipients.ASSESSORS, template="assessment_assigned",
                         assessor_ids=tuple(a.user_id for a in cmd.assessors))

    @assign_assessors.validator
    def _validate_assign(self, cmd: AssignAssessors) -> None:
        transition(self.stage, Action.ASSIGN_ASSESSORS, cmd.actor.role)
        if len(cmd.assessors) != self.p.terms.assessors_per_application:
            raise ValueError(
                f"Wijs precies {self.p.terms.assessors_per_application} beoordelaars toe / "
                f"assign exactly {self.p.terms.assessors_per_application} assessors"
            )
        if len({a.user_id for a in cmd.assessors}) != len(cmd.assessors):
            raise ValueError("Een beoordelaar staat er dubbel in / an assessor is listed twice")
        for a in cmd.assessors:
            if in_conflict(a.organisation_id, self.p.organisation_id,
                           self.p.partner_organisation_ids):
                raise ValueError(
                    f"{a.name} hoort bij een betrokken organisatie (belangenverstrengeling) / "
                    f"{a.name} belongs to an organisation involved (conflict of interest)"
                )
            if a.user_id in self.conflicts_declared:
                raise ValueError(
                    f"{a.name} heeft bij deze aanvraag belangenverstrengeling gemeld / "
                    f"{a.name} declared a conflict of interest on this application"
                )
        scored = {s.assessor.user_id for s in self.assessments}
        if scored - {a.user_id for a in cmd.assessors}:
            raise ValueError("Wie al beoordeeld heeft blijft toegewezen / "
                             "an assessor who has scored stays assigned")

    @workflow.update
    async def submit_score(self, cmd: ScoreSubmission) -> None:
        assessor = next(a for a in self.assessors if a.user_id == cmd.actor.user_id)
        self.assessments.append(Assessment(assessor=assessor, submission=cmd,
                                           submitted_at=workflow.now()))
        await self._record(cmd.actor, Action.SUBMIT_SCORE, assessment=self.assessments[-1])
        required = self.p.terms.assessors_per_application
        if self._assessors_pending() or len(self.assessments) < required:
            return
        if self._patched(ASSESSMENT) and self.p.rubric is not None:
            self.verdict = combine_scores([a.submission for a in self.assessments], self.p.rubric)
            if self.verdict.divergent:
                await self._apply(Action.NEEDS_CONSENSUS, SYSTEM,
                                  note=", ".join(self.verdict.divergent),
                                  deadline=self._from_now(self.p.terms.decision_days))
                return
        await self._apply(Action.COMPLETE_ASSESSMENT, SYSTEM,
                          deadline=self._from_now(self.p.terms.decision_days))

    @submit_score.validator
    def _validate_score(self, cmd: ScoreSubmission) -> None:
        transition(self.stage, Action.SUBMIT_SCORE, cmd.actor.role)
        if cmd.actor.user_id not in {a.user_id for a in self.assessors}:
            raise ValueError("Deze aanvraag is niet aan u toegewezen / "
                             "this application is not assigned to you")
        if cmd.actor.user_id not in self._assessors_pending():
            raise ValueError("U heeft deze aanvraag al beoordeeld / "
                             "you have already assessed this application")
        if self.p.activity_count and len(cmd.activities) != self.p.activity_count:
            raise ValueError(f"Beoordeel elk van de {self.p.activity_count} activiteiten / "
                             f"judge each of the {self.p.activity_count} activities")

    @workflow.update
    async def decide(self, cmd: DecisionInput) -> None:
        if cmd.award:
            await self._award(cmd, Action.AWARD)
        else:
            self.decision = cmd
            await self._apply(Action.REJECT, cmd.actor, note=cmd.reason)

    async def _award(self, cmd: DecisionInput, action: Action) -> None:
        """Commit the amount in the ledger (which may refuse), then the grant runs."""
        self._deciding = True
        if self._patched(LEDGER):
            try:
                await self._commit(cmd.actor, cmd.amount_cents, cmd.reason)
            except ApplicationError:
                self._deciding = False
                raise
        self.decision = cmd
        self.awarded_on = schedules.local_day(workflow.now(), self.p.timezone)
        self.reports = self._on_working_days(schedules.report_schedule(
            self.awarded_on, self.p.last_activity_end, self.p.reporting,
            self.p.reporting_closes_at.date(),
        ))
        await self._apply(action, cmd.actor, note=cmd.reason, awarded_cents=cmd.amount_cents)
        self._deciding = False

    @decide.validator
    def _validate_decide(self, cmd: DecisionInput) -> None:
        transition(self.stage, Action.AWARD if cmd.award else Action.REJECT, cmd.actor.role)
        if self._deciding:
            raise ValueError("Er wordt al over deze aanvraag besloten / a decision is under way")
        if cmd.award and not 0 < cmd.amount_cents <= self.p.requested_cents:
            raise ValueError("Het toegekende bedrag moet tussen 0 en het aangevraagde bedrag "
                             "liggen / the amount awarded must lie between 0 and the amount asked")

    @workflow.update
    async def submit_correction(self, cmd: CorrectionSubmission) -> None:
        await self._apply(Action.SUBMIT_CORRECTION, cmd.actor, note=cmd.note)

    @submit_correction.validator
    def _validate_correction(self, cmd: CorrectionSubmission) -> None:
        transition(self.stage, Action.SUBMIT_CORRECTION, cmd.actor.role)
        self._require_own_organisation(cmd.actor)

    @workflow.update
    async def request_change(self, cmd: ChangeRequest) -> None:
        self.pending_change = cmd
        await self._record(cmd.actor, Action.REQUEST_CHANGE,
                           note=f"{cmd.kind}: {cmd.description}")
        await self._mail(f"change_requested-{self._seq}", Recipients.TEAM,
                         template="change_requested", context={"kind": cmd.kind})

    @request_change.validator
    def _validate_change(self, cmd: ChangeRequest) -> None:
        transition(self.stage, Action.REQUEST_CHANGE, cmd.actor.role)
        self._require_own_organisation(cmd.actor)
        if self.pending_change is not None:
            raise ValueError("Er ligt al een wijzigingsverzoek / a change request is pending")
        end = cmd.new_last_activity_end
        last = self.p.projects_end or self.p.projects_end_at.date()
        if end is not None and end > last:
            raise ValueError(f"Geen activiteit mag na {last:%d-%m-%Y} eindigen / no activity may "
                             f"end after {last:%d-%m-%Y}")

    @workflow.update
    async def decide_change(self, cmd: ChangeDecision) -> None:
        change = self.pending_change
        self.pending_change = None
        if cmd.approve and change is not None and change.new_last_activity_end is not None:
            self.last_activity_end = change.new_last_activity_end
            self.reports = self._on_working_days(reschedule(
                self.reports, self.awarded_on, self.last_activity_end, self.p.reporting,
                self.p.reporting_closes_at.date()))
            self._reports_version += 1
        await self._record(cmd.actor, Action.DECIDE_CHANGE,
                           note=("approved: " if cmd.approve else "refused: ") + cmd.reason)
        await self._mail(f"change_decided-{self._seq}", Recipients.APPLICANT,
                         template="change_decided",
                         context={"outcome": "goedgekeurd / approved" if cmd.approve
                                  else "afgewezen / refused", "reason": cmd.reason})

    @decide_change.validator
    def _validate_change_decision(self, cmd: ChangeDecision) -> None:
        transition(self.stage, Action.DECIDE_CHANGE, cmd.actor.role)
        if self.pending_change is None:
            raise ValueError("Er ligt geen wijzigingsverzoek / no change request is pending")

    @workflow.update
    async def amend_award(self, cmd: AwardAmendment) -> None:
        """A wijzigingsbesluit: the ledger takes the new amount (or refuses it), then the grant
        runs on with it: its advance, its settlement's ceiling and its reports' band; the
        grantee gets the decision, with the advance paid or to repay."""
        assert self.decision is not None
        self._deciding = True
        previous = self.decision.amount_cents
        try:
            await self._commit(cmd.actor, cmd.amount_cents, f"wijziging: {cmd.reason}")
        except ApplicationError:
            self._deciding = False
            raise
        self.decision = self.decision.model_copy(update={"amount_cents": cmd.amount_cents})
        await self._record(cmd.actor, Action.AMEND_AWARD, awarded_cents=cmd.amount_cents,
                           note=f"{euros(previous)} → {euros(cmd.amount_cents)}: {cmd.reason}")
        percent = self.p.reporting.advance_percent
        await self._letter(f"amendment-{self._seq}", template="amendment", context={
            "reason": cmd.reason, "previous": str(previous),
            "advance_change": str(advance(cmd.amount_cents, percent) - advance(previous, percent)),
        })
        self._deciding = False

    @amend_award.validator
    def _validate_amend(self, cmd: AwardAmendment) -> None:
        transition(self.stage, Action.AMEND_AWARD, cmd.actor.role)
        if self._deciding or self.decision is None:
            raise ValueError("Er wordt al over deze subsidie besloten / a decision on this grant "
                             "is under way")
        if cmd.amount_cents > self.p.requested_cents:
            raise ValueError(f"Het bedrag mag niet hoger zijn dan de aangevraagde "
                             f"{euros(self.p.requested_cents)} / the amount may not exceed the "
                             f"{euros(self.p.requested_cents)} asked")
        if cmd.amount_cents == self.decision.amount_cents:
            raise ValueError(f"De subsidie is al {euros(cmd.amount_cents)} / the grant is "
                             f"{euros(cmd.amount_cents)} already")

    @workflow.update
    async def settle(self, cmd: SettlementInput) -> None:
        assert self.decision is not None
        self._deciding = True
        self.settlement = settle(self.decision.amount_cents, cmd.final_cents, self.p.reporting)
        try:
            await workflow.execute_activity(
                "commit_budget", SetCommitment(
                    actor=cmd.actor, reference=self.p.reference, round_id=self.p.round_id,
                    amount_cents=cmd.final_cents, reason=f"vaststelling: {cmd.reason}"),
                **ACTIVITY_OPTIONS)
        except ActivityError as exc:
            self._deciding, self.settlement = False, None
            raise ApplicationError(str(exc.cause)) from None
        await self._apply(Action.SETTLE, cmd.actor, note=cmd.reason,
                          awarded_cents=cmd.final_cents)
        self._deciding = False

    @settle.validator
    def _validate_settle(self, cmd: SettlementInput) -> None:
        transition(self.stage, Action.SETTLE, cmd.actor.role)
        if self._deciding or self.decision is None or self.settlement is not None:
            raise ValueError("Er wordt al vastgesteld / a settlement is under way")
        settle(self.decision.amount_cents, cmd.final_cents, self.p.reporting)

    @workflow.update
    async def declare_conflict(self, cmd: ConflictDeclaration) -> None:
        self.assessors = [a for a in self.assessors if a.user_id != cmd.actor.user_id]
        self.conflicts_declared.append(cmd.actor.user_id)
        await self._record(cmd.actor, Action.DECLARE_CONFLICT, note=cmd.reason)
        await self._mail(f"conflict_declared-{cmd.actor.user_id}", Recipients.TEAM,
                         template="conflict_declared",
                         context={"assessor": cmd.actor.name, "reason": cmd.reason})

    @declare_conflict.validator
    def _validate_conflict(self, cmd: ConflictDeclaration) -> None:
        transition(self.stage, Action.DECLARE_CONFLICT, cmd.actor.role)
        if cmd.actor.user_id not in self._assessors_pending():
            raise ValueError("U bent niet (meer) toegewezen aan deze aanvraag / "
                             "you are not (or no longer) assigned to this application")

    @workflow.update
    async def withdraw_conflict(self, cmd: ConflictWithdrawal) -> None:
        """A declaration made in error, taken back by the team: the assessor may be assigned
        again (by the team; nobody is assigned by this), and is told so, with the reason."""
        self.conflicts_declared = [i for i in self.conflicts_declared
                                   if i != cmd.assessor.user_id]
        await self._record(cmd.actor, Action.WITHDRAW_CONFLICT,
                           note=f"{cmd.assessor.name}: {cmd.reason}",
                           conflict_withdrawn=cmd.assessor.user_id)
        if self._patched(CONFLICT_TOLD):
            await self._mail(f"conflict_withdrawn-{cmd.assessor.user_id}-{self._seq}",
                             Recipients.ASSESSORS, template="conflict_withdrawn",
                             context={"reason": cmd.reason},
                             assessor_ids=(cmd.assessor.user_id,))

    @withdraw_conflict.validator
    def _validate_withdraw_conflict(self, cmd: ConflictWithdrawal) -> None:
        transition(self.stage, Action.WITHDRAW_CONFLICT, cmd.actor.role)
        if cmd.assessor.user_id not in self.conflicts_declared:
            raise ValueError(
                f"{cmd.assessor.name} heeft bij deze aanvraag geen belangenverstrengeling "
                f"gemeld / {cmd.assessor.name} declared no conflict of interest on this "
                "application")

    @workflow.update
    async def record_consensus(self, cmd: ConsensusInput) -> None:
        assert self.verdict is not None and self.p.rubric is not None
        self.verdict = agreed_verdict(self.verdict, {
            "ambitie": cmd.ambitie, "impact": cmd.impact, "verankering": cmd.verankering},
            self.p.rubric)
        self.consensus_reason = cmd.reason
        await self._apply(Action.RECORD_CONSENSUS, cmd.actor, note=cmd.reason,
                          deadline=self._from_now(self.p.terms.decision_days))

    @record_consensus.validator
    def _validate_consensus(self, cmd: ConsensusInput) -> None:
        transition(self.stage, Action.RECORD_CONSENSUS, cmd.actor.role)

    @workflow.update
    async def lodge_objection(self, cmd: ObjectionInput) -> None:
        self.objection = cmd.reasons
        await self._apply(Action.OBJECT, cmd.actor, note=cmd.reasons,
                          deadline=self._objection_decided_by())
        # the day to decide by, which the team's mail names: only the activity's input (no patch)
        await self._mail("objection_received", Recipients.TEAM, context={
            "decide_by": terms.last_day_of(self.deadline, self.p.timezone).isoformat()})

    @lodge_objection.validator
    def _validate_objection(self, cmd: ObjectionInput) -> None:
        transition(self.stage, Action.OBJECT, cmd.actor.role)
        self._require_own_organisation(cmd.actor)

    @workflow.update
    async def decide_objection(self, cmd: ObjectionOutcome) -> None:
        if cmd.uphold:
            await self._award(DecisionInput(actor=cmd.actor, award=True,
                                            amount_cents=cmd.amount_cents, reason=cmd.reason),
                              Action.UPHOLD_OBJECTION)
        else:
            self._dismissed_because = cmd.reason
            await self._apply(Action.DISMISS_OBJECTION, cmd.actor, note=cmd.reason)

    @decide_objection.validator
    def _validate_objection_outcome(self, cmd: ObjectionOutcome) -> None:
        action = Action.UPHOLD_OBJECTION if cmd.uphold else Action.DISMISS_OBJECTION
        transition(self.stage, action, cmd.actor.role)
        if self._deciding:
            raise ValueError("Er wordt al over dit bezwaar besloten / a decision is under way")
        if cmd.uphold and not 0 < cmd.amount_cents <= self.p.requested_cents:
            raise ValueError("Het toegekende bedrag moet tussen 0 en het aangevraagde bedrag "
                             "liggen / the amount awarded must lie between 0 and the amount asked")

    @workflow.update
    async def overrule_finding(self, cmd: OverruleFinding) -> None:
        self.overruled[cmd.code] = cmd.reason
        await self._record(cmd.actor, Action.OVERRULE_FINDING, note=f"{cmd.code}: {cmd.reason}")

    @overrule_finding.validator
    def _validate_overrule(self, cmd: OverruleFinding) -> None:
        transition(self.stage, Action.OVERRULE_FINDING, cmd.actor.role)
        if cmd.code not in {f.code for f in self.findings} or cmd.code in self.overruled:
            raise ValueError("Deze bevinding staat niet open / this finding is not outstanding")

    @workflow.update
    async def withdraw(self, cmd: Withdrawal) -> None:
        try:  # again: an action taken beside this one may have moved the grant on
            self._validate_withdraw(cmd)
        except ValueError as exc:
            raise ApplicationError(str(exc)) from None
        pending = self._assessors_pending() if self.stage == Stage.ASSESSMENT else ()
        await self._apply(Action.WITHDRAW, cmd.actor, note=cmd.reason)
        context = {"reason": cmd.reason}
        await self._mail("withdrawn", Recipients.APPLICANT, context=context)
        await self._mail("application_withdrawn", Recipients.TEAM, context=context)
        if pending:  # their assessment is no longer asked for
            await self._mail("application_withdrawn-assessors", Recipients.ASSESSORS,
                             template="application_withdrawn", context=context,
                             assessor_ids=pending)

    @withdraw.validator
    def _validate_withdraw(self, cmd: Withdrawal) -> None:
        transition(self.stage, Action.WITHDRAW, cmd.actor.role)
        self._require_own_organisation(cmd.actor)
        if self._deciding:
            raise ValueError("Er wordt al over deze aanvraag besloten / a decision is under way")

    @workflow.signal(name="round_closed")
    def round_closed_signal(self) -> None:
        """Sent by the grant's RoundWorkflow when the round closes."""
        self.round_closed = True

    @workflow.update
    async def submit_report(self, cmd: ReportSubmission) -> None:
        report = self.reports[cmd.report_index]
        report.submitted_at = workflow.now()
        report.summary = cmd.summary
        report.activities, report.lessons = list(cmd.activities), cmd.lessons
        report.attachments = list(cmd.attachments)
        self._reports_version += 1
        await self._record(cmd.actor, Action.SUBMIT_REPORT, report=report)
        await self._mail(f"report_submitted-{report.index}-{self._reports_version}",
                         Recipients.TEAM, template="report_submitted",
                         context={"report": str(report.index + 1), "kind": report.kind.value})

    @submit_report.validator
    def _validate_report(self, cmd: ReportSubmission) -> None:
        transition(self.stage, Action.SUBMIT_REPORT, cmd.actor.role)
        self._require_own_organisation(cmd.actor)
        if not 0 <= cmd.report_index < len(self.reports):
            raise ValueError("Onbekende rapportage / unknown report")
        report = self.reports[cmd.report_index]
        if report.submitted_at is not None:
            raise ValueError("Deze rapportage is al ingediend / this report was already submitted")
        if report.kind == ReportKind.FINAL and self.decision is not None:
            band = self.p.reporting.band(self.decision.amount_cents)
            if band.auditor_statement and not any(
                    a.kind == "auditor_statement" for a in cmd.attachments):
                raise ValueError("Bij dit subsidiebedrag hoort een controleverklaring bij de "
                                 "eindrapportage / at this amount the final report needs an "
                                 "auditor's statement")

    @workflow.update
    async def review_report(self, cmd: ReportReview) -> None:
        report = self.reports[cmd.report_index]
        report.review_comment = cmd.comment or None
        if cmd.accepted:
            report.accepted = True
        else:
            assert cmd.new_due is not None
            report.submitted_at = None
            report.due = cmd.new_due
            report.reminded = report.escalated = False
        self._reports_version += 1
        await self._record(cmd.actor, Action.REVIEW_REPORT, report=report, note=cmd.comment)
        if not cmd.accepted:
            await self._mail(f"report_changes-{report.index}-{self._reports_version}",
                             Recipients.APPLICANT, template="report_changes_requested",
                             context={"report": str(report.index + 1),
                                      "due": report.due.isoformat(), "comment": cmd.comment})

    @review_report.validator
    def _validate_review(self, cmd: ReportReview) -> None:
        transition(self.stage, Action.REVIEW_REPORT, cmd.actor.role)
        if not 0 <= cmd.report_index < len(self.reports):
            raise ValueError("Onbekende rapportage / unknown report")
        report = self.reports[cmd.report_index]
        if report.submitted_at is None or report.accepted:
            raise ValueError("Deze rapportage wacht niet op beoordeling / "
                             "this report is not awaiting review")
        if not cmd.accepted:
            if cmd.new_due is None or _due_at(cmd.new_due) <= workflow.now():
                raise ValueError("Geef een nieuwe uiterste datum in de toekomst / "
                                 "give a new due date in the future")
            if _due_at(cmd.new_due) > self.p.reporting_closes_at:
                raise ValueError("De nieuwe datum ligt na het sluiten van de rapportagetermijn / "
                                 "the new due date is after reporting closes")

    @workflow.update
    async def move_deadline(self, cmd: DeadlineMove) -> None:
        if self.stage == Stage.REPORTING:
            report = next(r for r in self.reports if r.submitted_at is None)
            report.due = cmd.deadline.date()
            report.reminded = report.escalated = False
            self._reports_version += 1
        self.deadline = cmd.deadline
        self._deadline_version += 1
        await self._record(cmd.actor, Action.MOVE_DEADLINE, note=cmd.reason)

    @move_deadline.validator
    def _validate_move(self, cmd: DeadlineMove) -> None:
        transition(self.stage, Action.MOVE_DEADLINE, cmd.actor.role)
        if cmd.deadline.tzinfo is None:
            raise ValueError("Termijn zonder tijdzone / deadline without a time zone")
        if cmd.deadline <= workflow.now():
            raise ValueError("De nieuwe termijn ligt in het verleden / the new deadline has passed")
        cap = {Stage.REPORTING: self.p.reporting_closes_at,
               Stage.SETTLEMENT: self.p.reporting_closes_at
               + timedelta(weeks=self.p.reporting.settlement_weeks)}.get(self.stage, self._cap())
        if cmd.deadline > cap:
            raise ValueError(f"Een termijn kan niet na {cap:%d-%m-%Y} liggen / "
                             f"a deadline cannot be after {cap:%Y-%m-%d}")
        if self.stage == Stage.REPORTING and all(r.submitted_at for r in self.reports):
            raise ValueError("Er is geen openstaande rapportage / no report is outstanding")

    @workflow.query
    def status(self) -> GrantStatus:
        return GrantStatus(
            reference=self.p.reference, stage=self.stage, deadline=self.deadline,
            findings=self.findings, assessors=self.assessors,
            conflicts_declared=self.conflicts_declared, assessments=self.assessments,
            awarded_cents=self.decision.amount_cents if self.decision and self.decision.award
            else None,
            decision_reason=self.decision.reason if self.decision else None,
            reports=self.reports, outcome_note=self.outcome_note, verdict=self.verdict,
            consensus_reason=self.consensus_reason, objection=self.objection,
            last_activity_end=self.last_activity_end, pending_change=self.pending_change,
            settlement=self.settlement,
        )

    # -- helpers ---------------------------------------------------------------------------------

    def _require_own_organisation(self, actor: Actor) -> None:
        if actor.organisation_id != self.p.organisation_id:
            raise ValueError("Alleen de aanvragende organisatie mag dit doen / "
                             "only the applying organisation may do this")

    def _withdrawn(self) -> bool:
        return self.stage == Stage.WITHDRAWN

    def _all_overruled(self) -> bool:
        return all(f.code in self.overruled for f in self.findings)

    def _assessors_pending(self) -> tuple[int, ...]:
        scored = {s.assessor.user_id for s in self.assessments}
        return tuple(a.user_id for a in self.assessors if a.user_id not in scored)

    def _term_end(self, days: int) -> datetime:
        """When a term of `days` days that starts now ends: at the end of its last day, a working
        day (domain/terms.py); in a grant started before, to the minute."""
        if self._patched(WHOLE_DAYS):
            return terms.term_end(workflow.now(), days, self.p.timezone,
                                  self.p.terms.extend_to_working_day)
        return workflow.now() + timedelta(days=days)

    def _on_working_days(self, reports: list[ReportState]) -> list[ReportState]:
        """A new report schedule, each report still awaited due on a working day where the
        scheme extends its terms so (domain/terms.py); in a grant that had a schedule before,
        as it was."""
        if self.p.terms.extend_to_working_day and self._patched(REPORT_DAYS):
            return terms.due_on_working_days(reports, self.p.reporting_closes_at.date())
        return reports

    def _objection_decided_by(self) -> datetime:
        """When the team decides on an objection lodged now: within the scheme's weeks from the
        end of the objection term (Awb 7:10: six, or twelve with an advisory committee), where
        the objection term's end is the rejection's deadline; in a grant that took an objection
        before, the decision term from the objection's lodging, as then."""
        if not self._patched(OBJECTION_TERM) or self.deadline is None:
            return self._from_now(self.p.terms.decision_days)
        return min(terms.term_end(self.deadline - timedelta(microseconds=1),
                                  7 * self.p.terms.objection_decision_weeks, self.p.timezone,
                                  self.p.terms.extend_to_working_day), self._cap())

    def _from_now(self, days: int) -> datetime:
        return min(self._term_end(days), self._cap())

    def _reasons(self) -> dict[str, str]:
        """Every finding, as the letter lists it."""
        return {"reasons_nl": "\n".join(f"- {f.nl}" for f in self.findings),
                "reasons_en": "\n".join(f"- {f.en}" for f in self.findings)}

    def _finding_codes(self) -> str:
        return ", ".join(f.code for f in self.findings)

    async def _sync_report_deadline(self) -> None:
        open_reports = [r for r in self.reports if r.submitted_at is None]
        deadline = None
        if open_reports and self._patched(WHOLE_DAYS):
            deadline = terms.day_end(open_reports[0].due, self.p.timezone)
        elif open_reports:
            deadline = _due_at(open_reports[0].due)
        if deadline != self.deadline:
            self.deadline = deadline
            await self._record(SYSTEM, None)

    async def _letter(self, kind: str, objection_until: datetime | None = None,
                      template: str | None = None, context: dict[str, str] | None = None
                      ) -> None:
        """A decision letter: rendered, kept as PDF with the grant, and sent. `kind` names it
        once in the grant's life; `template` (the kind, unless given) is what it says, with
        `context` over what the grant holds."""
        rubric = self.p.rubric
        verdict = self.verdict
        facts = {
            "reason": self.decision.reason if self.decision else "",
            "amount": str(self.decision.amount_cents if self.decision else 0),
            "threshold": str(rubric.minimum_average if rubric else ""),
            "total": str(verdict.total if verdict else ""),
            **{f"score_{c}": str(v) for c, v in (verdict.averages.items() if verdict else [])},
            "objection_weeks": str(self.p.terms.objection_weeks),
            **({"objection_until":
                terms.last_day_of(objection_until, self.p.timezone).isoformat()}
               if objection_until else {}),
            # only an activity's input, which a replay does not compare, so no patch: the
            # dismissal's reasons, which its letter states (Awb 7:12), and an award's advance
            **({"dismissed_because": self._dismissed_because}
               if self._dismissed_because else {}),
            **({"advance": str(advance(self.decision.amount_cents,
                                       self.p.reporting.advance_percent))}
               if self.decision and self.decision.award else {}),
            **({"final": str(self.settlement.final_cents),
                "balance": str(self.settlement.balance_cents),
                "settlement_outcome": self.settlement.outcome} if self.settlement else {}),
        }
        await workflow.execute_activity(
            "issue_letter", LetterRequest(
                key=f"{workflow.info().workflow_id}/letter-{kind}", reference=self.p.reference,
                kind=template or kind, context={**facts, **(context or {})}),
            **ACTIVITY_OPTIONS)

    async def _commit(self, actor: Actor, cents: int, reason: str) -> None:
        """Set the grant's commitment in the ledger; its refusal as the Update's failure, with
        the ledger's reason."""
        try:
            await workflow.execute_activity(
                "commit_budget", SetCommitment(
                    actor=actor, reference=self.p.reference, round_id=self.p.round_id,
                    amount_cents=cents, reason=reason),
                **ACTIVITY_OPTIONS)
        except ActivityError as exc:
            cause = exc.cause
            raise ApplicationError(cause.message if isinstance(cause, ApplicationError)
                                   else str(cause)) from None

    async def _tell_round(self, scored: bool) -> None:
        """A grant of a live round tells it its verdict (or that it dropped out before one),
        so the round can propose its allocation once all are in."""
        if not self._patched(ASSESSMENT) or self.p.round_closed:
            return
        await workflow.execute_activity(
            "tell_round", ScoredGrant(round_id=self.p.round_id, reference=self.p.reference,
                                      verdict=self.verdict if scored else None),
            **ACTIVITY_OPTIONS)

    async def _archive(self) -> None:
        accepted = [r for r in self.reports if r.accepted]
        await workflow.execute_activity(
            "archive_grant", ArchiveRequest(
                reference=self.p.reference,
                results="\n\n".join(r.summary for r in accepted if r.summary),
                lessons="\n\n".join(r.lessons for r in accepted if r.lessons),
                documents=tuple(a for r in accepted for a in r.attachments if a.public)),
            **ACTIVITY_OPTIONS)

    async def _apply(self, action: Action, actor: Actor, note: str = "",
                     deadline: datetime | None = None, awarded_cents: int | None = None,
                     **detail) -> None:
        """Take the lifecycle's transition for `action` and record it in the read model."""
        self.stage = transition(self.stage, action, actor.role).target
        self.deadline = deadline
        self._deadline_version += 1
        workflow.upsert_search_attributes([search.STAGE.value_set(self.stage.value)])
        await self._record(actor, action, note=note, awarded_cents=awarded_cents, **detail)

    async def _record(self, actor: Actor, action: Action | None, note: str = "",
                      **detail) -> None:
        self._seq += 1
        await workflow.execute_activity(
            "record_event",
            StageChange(
                reference=self.p.reference, workflow_id=workflow.info().workflow_id,
                seq=self._seq,
                stage=self.stage, at=workflow.now(), deadline=self.deadline, actor=actor,
                action=action, note=note, **detail,
            ),
            **ACTIVITY_OPTIONS,
        )

    async def _mail(self, key: str, recipients: Recipients, template: str | None = None,
                    context: dict[str, str] | None = None,
                    assessor_ids: tuple[int, ...] = (), report_index: int | None = None) -> None:
        await workflow.execute_activity(
            "send_mail",
            MailRequest(
                key=f"{workflow.info().workflow_id}/{key}", reference=self.p.reference,
                recipients=recipients, template=template or key, context=context or {},
                assessor_ids=assessor_ids, report_index=report_index,
            ),
            **ACTIVITY_OPTIONS,
        )
