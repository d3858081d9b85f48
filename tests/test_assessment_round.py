"""A whole round under time skipping: 30 applications, two assessors each, a conflict blocked,
a divergent pair to consensus, a late assessor reminded and escalated, the allocation confirmed
with a change, letters delivered, and one objection upheld in the ledger."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from temporalio.client import WorkflowUpdateFailedError

from domain import terms
from domain.money import euros
from domain.lifecycle import Role, Stage
from domain.ranking import Change, Outcome
from domain.types import (
    ActivityJudgement, AllocationApproval, AllocationConfirmation, AllocationReturn, AssessorRef,
    AssignAssessors, ConsensusInput,
    CriterionScore, ObjectionInput, ObjectionOutcome, ScoreSubmission, SetCommitment,
)
from regie import grants, programme, rounds
from regie.applications import submit_draft
from regie.db import session_factory
from regie.grants import ActionRefused
from regie.settings import Settings
from regie.worker import build_worker
from tests import dates, factories
from tests.conftest import eventually, maybe_record
from tests.scenario import skip_to, stage_is
from workflows.round import RoundWorkflow

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def submission(actor, a: int, i: int, v: int, sufficient: bool = True) -> ScoreSubmission:
    def c(n):
        return CriterionScore(score=n, motivation=f"Score {n}: onderbouwd in de aanvraag.")
    j = ActivityJudgement(description_sufficient=sufficient, budget_sufficient=True,
                          motivation="Doel, monitoring en planning zijn helder.")
    return ScoreSubmission(actor=actor, ambitie=c(a), impact=c(i), verankering=c(v),
                           activities=(j, j))


def ref(p) -> AssessorRef:
    return AssessorRef(user_id=p.id, name=p.name, organisation_id=p.organisation_id)


async def test_a_round_of_thirty_from_scoring_to_objection(time_env, tmp_path, db_url, engine,
                                                           scheme, smtp):
    client, sessions = time_env.client, session_factory(engine)
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, task_queue="round30",
                                 smtp_host="127.0.0.1", smtp_port=smtp.port)
    async with sessions() as db:
        orgs = [await factories.organisation(db, f"Instelling {n}", ("wo", "hbo", "phd_org")[n % 3])
                for n in range(10)]
        members = [await factories.person(db, Role.GRANTEE, f"lid{n}@instelling{n}.example",
                                          org) for n, org in enumerate(orgs)]
        team_person = await factories.person(db, Role.PROGRAMME_TEAM, "team@example.nl")
        second_person = await factories.person(db, Role.PROGRAMME_TEAM, "tweede@example.nl")
        panel = [await factories.person(db, Role.ASSESSOR, f"panel{n}@example.nl")
                 for n in range(3)]
        insider = await factories.person(db, Role.ASSESSOR, "insider@instelling0.example",
                                         orgs[0])
        drafts = [await factories.application(db, orgs[n % 10], scheme, factories.draft(
            "2027", f"Project {n + 1:02d}")) for n in range(30)]
        await programme.ensure_programme(db, client, scheme, settings.task_queue)
    team, second_member = factories.actor_of(team_person), factories.actor_of(second_person)
    config = (await client.get_workflow_handle(rounds.round_workflow_id("2027")).describe()
              ).raw_description.execution_config
    # a round's whole history is replayed by a worker that has not got it: room for that
    assert config.default_workflow_task_timeout.ToTimedelta() == rounds.ROUND_TASK_TIMEOUT

    async with build_worker(client, settings, sessions, scheme):
        # money already promised in this round leaves € 1.500.000 for these thirty
        await programme.set_commitment(client, scheme.scheme.id, SetCommitment(
            actor=team, reference="EERDER", round_id="2027",
            amount_cents=scheme.round("2027").budget_cents - 1_500_000_00, reason="eerder"))
        await skip_to(time_env, dates.utc(2027, 1, 20, 9))  # the 2027 round is open
        references = []
        for n, draft in enumerate(drafts):
            async with sessions() as db:
                references.append(await submit_draft(
                    db, client, scheme, draft, factories.actor_of(members[n % 10])))
        await skip_to(time_env, dates.closes(scheme, "2027") + timedelta(seconds=5))
        for reference in references:
            await stage_is(client, reference, Stage.ASSESSMENT)

        # a conflict of interest is blocked at assignment: the insider works at the lead
        with pytest.raises(ActionRefused, match="belangenverstrengeling"):
            await grants.act(client, references[0], "assign_assessors", AssignAssessors(
                actor=team, assessors=(ref(insider), ref(panel[0]))))
        for reference in references:
            await grants.act(client, reference, "assign_assessors", AssignAssessors(
                actor=team, assessors=(ref(panel[0]), ref(panel[1]))))

        first, second = factories.actor_of(panel[0]), factories.actor_of(panel[1])
        late, divergent = references[7], references[5]
        for n, reference in enumerate(references):
            quality = 2 + n % 4  # 2..5: a quarter under the threshold, the rest ranked
            await grants.act(client, reference, "submit_score",
                             submission(first, quality, quality, min(quality + 1, 5)))
            if reference == late:
                continue
            impact = 1 if reference == divergent else quality  # 2 points apart: consensus
            await grants.act(client, reference, "submit_score",
                             submission(second, quality, impact, quality))

        await stage_is(client, divergent, Stage.CONSENSUS)
        await grants.act(client, divergent, "record_consensus", ConsensusInput(
            actor=team, ambitie=4, impact=3, verankering=4,
            reason="Beoordelaar 2 las de impactparagraaf over het hoofd."))
        await stage_is(client, divergent, Stage.DECISION)

        # the late assessor is reminded before the term and the team alerted after it
        deadline = (await grants.status(client, late)).deadline
        await skip_to(time_env, deadline + timedelta(hours=1))
        async def reminded_and_escalated():
            subjects = smtp.subjects()
            return (any(s.startswith(f"Herinnering: beoordeling {late}") for s in subjects)
                    and any(s.startswith(f"Beoordeling te laat: {late}") for s in subjects))
        await eventually(reminded_and_escalated)
        reminder = next(m for m in smtp.messages
                        if str(m["Subject"]).startswith(f"Herinnering: beoordeling {late}"))
        assert reminder["To"] == panel[1].email  # only the one who had not scored
        await grants.act(client, late, "submit_score", submission(second, 5, 5, 5))

        # every verdict is in: the round proposes, within the € 1.500.000 left
        handle = client.get_workflow_handle_for(RoundWorkflow.run,
                                                rounds.round_workflow_id("2027"))
        async def proposed():
            return (await handle.query(RoundWorkflow.status)).phase == "proposed"
        await eventually(proposed)
        proposal = (await handle.query(RoundWorkflow.status)).proposal
        assert proposal.budget_cents == 1_500_000_00
        funded = [a for a in proposal.allocations if a.outcome == Outcome.FUNDED]
        exhausted = [a for a in proposal.allocations if a.outcome == Outcome.BUDGET_EXHAUSTED]
        assert len(funded) == 17 and exhausted  # € 86.000 each: 17 fit in € 1.500.000
        assert sum(a.amount_cents for a in funded) <= 1_500_000_00
        assert funded[0].nl.startswith("gefinancierd op rang 1")

        # the team confirms, lowering one grant with a reason; too much is refused outright
        changed = funded[-1].reference
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(RoundWorkflow.confirm_allocation, AllocationConfirmation(
                actor=team, changes=(Change(reference=exhausted[0].reference,
                                            amount_cents=86_000_00, reason="spreiding"),)))
        assert "meer dan het budget" in refused.value.cause.message
        lowered = AllocationConfirmation(actor=team, changes=(Change(
            reference=changed, amount_cents=60_000_00,
            reason="Activiteit 2 overlapt met een lopend project."),))
        await handle.execute_update(RoundWorkflow.confirm_allocation, lowered)
        # four eyes: nothing goes out until another member of the team approves; the one who
        # confirmed cannot, an assessor neither; a confirmation sent back is confirmed anew
        status = await handle.query(RoundWorkflow.status)
        assert (status.phase, status.confirmed_by, status.second_approval) == (
            "proposed", "Team", True)
        for actor, refusal in ((team, "U bevestigde deze verdeling zelf"),
                               (first, "Alleen het programmateam")):
            with pytest.raises(WorkflowUpdateFailedError) as refused:
                await handle.execute_update(RoundWorkflow.approve_allocation,
                                            AllocationApproval(actor=actor))
            assert refusal in refused.value.cause.message
        await handle.execute_update(RoundWorkflow.return_allocation, AllocationReturn(
            actor=second_member, reason="Eerst de spreiding over de pijlers bekijken."))
        status = await handle.query(RoundWorkflow.status)
        assert (status.confirmed, status.returned) == (
            None, "Tweede: Eerst de spreiding over de pijlers bekijken.")
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(RoundWorkflow.approve_allocation,
                                        AllocationApproval(actor=second_member))
        assert "Er wacht geen verdeling op goedkeuring" in refused.value.cause.message
        await handle.execute_update(RoundWorkflow.confirm_allocation, lowered)
        assert (await grants.status(client, funded[0].reference)).stage == Stage.DECISION
        await handle.execute_update(RoundWorkflow.approve_allocation,
                                    AllocationApproval(actor=second_member))
        async def decided():
            return (await handle.query(RoundWorkflow.status)).phase == "decided"
        await eventually(decided)
        for a in funded:
            await stage_is(client, a.reference, Stage.REPORTING)
        rejected = exhausted[0].reference
        await stage_is(client, rejected, Stage.REJECTED)
        ledger = await programme.ledger(client, scheme.scheme.id)
        committed_here = sum(a.amount_cents for a in funded) - 86_000_00 + 60_000_00
        assert ledger.rounds[2].remaining_cents == 1_500_000_00 - committed_here

        async def letters():
            subjects = smtp.subjects()
            return (sum("subsidie toegekend" in s for s in subjects) == len(funded)
                    and any(s.startswith(f"Besluit op uw aanvraag {rejected}: afgewezen")
                            for s in subjects))
        await eventually(letters, timeout=30)
        award = next(m for m in smtp.messages if f"{funded[0].reference}: subsidie" in
                     str(m["Subject"]))
        pdf = next(part for part in award.iter_attachments())
        assert pdf.get_content_type() == "application/pdf"
        assert pdf.get_content().startswith(b"%PDF")
        body = award.get_body(("plain",)).get_content()
        assert "gefinancierd op rang 1" in body and "gemiddeld 3 of hoger" in body
        assert "(verdeling goedgekeurd door Tweede / allocation approved by Tweede)" in body
        # the round pays its awards in advance in full (advance_percent 100)
        assert (f"Wij kennen u een subsidie toe van {euros(funded[0].amount_cents)}. Daarvan "
                f"betalen wij u {euros(funded[0].amount_cents)} als voorschot.") in body

        # the rejection names the last day of its objection term: six weeks on, a working day,
        # the grant's deadline at that day's end in Amsterdam
        refusal = next(m for m in smtp.messages if f"{rejected}: afgewezen" in str(m["Subject"]))
        text = " ".join(refusal.get_body(("plain",)).get_content().split())
        named = re.search(r"binnen 6 weken, tot en met (\d\d-\d\d-\d{4}), bezwaar maken via",
                          text)
        assert named and f"within 6 weeks, until the end of {named[1]}, at" in text
        last = datetime.strptime(named[1], "%d-%m-%Y").date()
        today = (await time_env.get_current_time()).astimezone(AMSTERDAM).date()
        assert terms.is_working_day(last) and 42 <= (last - today).days <= 46

        async def objection_term():
            deadline = (await grants.status(client, rejected)).deadline
            return deadline == terms.day_end(last, "Europe/Amsterdam")
        await eventually(objection_term)

        # the rejected applicant objects in time; the team upholds it and the ledger follows
        owner = members[references.index(rejected) % 10]
        await grants.act(client, rejected, "lodge_objection", ObjectionInput(
            actor=factories.actor_of(owner), reasons="Onze cofinanciering is gemist."))
        await stage_is(client, rejected, Stage.OBJECTION)
        left = (await programme.ledger(client, scheme.scheme.id)).rounds[2].remaining_cents
        await grants.act(client, rejected, "decide_objection", ObjectionOutcome(
            actor=team, uphold=True, amount_cents=left,
            reason="Bezwaar gegrond: de cofinanciering maakt het project haalbaar."))
        await stage_is(client, rejected, Stage.REPORTING)
        after = await programme.ledger(client, scheme.scheme.id)
        assert after.rounds[2].remaining_cents == 0
        await eventually(lambda: _has(smtp, f"Beslissing op bezwaar {rejected}: gegrond"))
        await maybe_record(handle, "round_allocation_v1.json")
        await maybe_record(handle, "round_second_approval_v1.json")
        await maybe_record(client.get_workflow_handle(f"grant-{divergent}"),
                           "grant_consensus_v1.json")
        await maybe_record(client.get_workflow_handle(f"grant-{rejected}"),
                           "grant_objection_upheld_v1.json")
        await maybe_record(client.get_workflow_handle(f"grant-{rejected}"),
                           "grant_objection_upheld_v2.json")


async def _has(smtp, prefix: str) -> bool:
    return any(s.startswith(prefix) for s in smtp.subjects())
