"""A small cast, grants in flight at the stage a test needs, and the steps tests share."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from temporalio.api.enums.v1 import EventType
from temporalio.api.testservice.v1 import SleepRequest
from temporalio.client import Client
from temporalio.service import RPCError

from domain.lifecycle import Role, Stage
from domain.types import (
    ActivityJudgement, ActivityReport, Actor, AssessorRef, AssignAssessors, CriterionScore,
    DecisionInput, GrantStatus, ReportReview, ReportState, ReportSubmission, ScoreSubmission,
    SettlementInput,
)
from regie import grants
from regie.records import Person
from tests import factories
from tests.conftest import eventually


@dataclass
class Cast:
    team: Person
    auditor: Person
    grantee: Person
    outsider: Person  # a grantee of another organisation
    assessor: Person
    second_assessor: Person

    def by_role(self) -> dict[Role, Person | None]:
        return {Role.PUBLIC: None, Role.PROGRAMME_TEAM: self.team, Role.AUDITOR: self.auditor,
                Role.GRANTEE: self.grantee, Role.ASSESSOR: self.assessor}


async def cast(db) -> Cast:
    org = await factories.organisation(db, "Universiteit Leiden", "wo")
    other = await factories.organisation(db, "Hogeschool Windesheim", "hbo")
    third = await factories.organisation(db, "Tilburg University", "wo")
    return Cast(
        team=await factories.person(db, Role.PROGRAMME_TEAM, "team@example.nl"),
        auditor=await factories.person(db, Role.AUDITOR, "audit@example.nl"),
        grantee=await factories.person(db, Role.GRANTEE, "aanvrager@leiden.example", org),
        outsider=await factories.person(db, Role.GRANTEE, "iemand@windesheim.example", other),
        assessor=await factories.person(db, Role.ASSESSOR, "beoordelaar@tilburg.example", third),
        second_assessor=await factories.person(db, Role.ASSESSOR, "tweede@example.nl"),
    )


async def grant_in_assessment(db, client: Client, scheme, task_queue: str, people: Cast,
                              content=None) -> str:
    """Submit an application of the grantee's organisation (`content`: its draft, when not
    factories.draft()) and assign both assessors."""
    org_id = people.grantee.organisation_id
    from regie.records import Organisation

    app = await factories.application(db, await db.get(Organisation, org_id), scheme, content)
    reference = "SV2026-0001"
    await grants.start(db, client, scheme, app, reference, factories.IN_2026_ROUND, task_queue,
                       round_closed=True)

    async def in_assessment():
        return (await grants.status(client, reference)).stage == Stage.ASSESSMENT
    await eventually(in_assessment)
    await grants.act(client, reference, "assign_assessors", assign(
        factories.actor_of(people.team), (people.assessor, people.second_assessor)))
    return reference


def assign(team: Actor, assessors) -> AssignAssessors:
    """The team's assignment of `assessors` (people)."""
    return AssignAssessors(actor=team, assessors=tuple(
        AssessorRef(user_id=p.id, name=p.name, organisation_id=p.organisation_id)
        for p in assessors))


def score(actor, value: int = 4) -> ScoreSubmission:
    c = CriterionScore(score=value, motivation="Helder en haalbaar.")
    j = ActivityJudgement(description_sufficient=True, budget_sufficient=True, motivation="Ok.")
    return ScoreSubmission(actor=actor, ambitie=c, impact=c, verankering=c, activities=(j, j))


def patch_markers(history) -> list[str]:
    """The ids of the patch markers in a workflow's history, in the order they were recorded."""
    return [json.loads(event.marker_recorded_event_attributes.details["patch-data"]
                       .payloads[0].data)["id"]
            for event in history.events
            if event.event_type == EventType.EVENT_TYPE_MARKER_RECORDED]


async def stage_is(client, reference, stage):
    async def check():
        return (await grants.status(client, reference)).stage == stage
    await eventually(check)


async def skip_to(env, moment: datetime, deadline: timedelta = timedelta(minutes=2)) -> None:
    """Skip the time-skipping server's clock to `moment` in one sleep call, which returns once
    the clock has reached it, however long the worker takes for what falls due on the way.

    A call the client gives up on still runs on the server, and a second call made then pairs
    with it: from there each call skips only to where the one before it aimed, after waiting out
    its own timeout (the programme bench lost 30 s a call that way, two calls a simulated week).
    So a call that breaks is not made again: this waits for the clock to reach `moment`, and
    fails once `deadline` has passed since the call."""
    now = await env.get_current_time()
    if now >= moment:
        return
    request = SleepRequest()
    request.duration.FromTimedelta(moment - now)
    gives_up = time.monotonic() + deadline.total_seconds()
    try:
        await env.client.test_service.unlock_time_skipping_with_sleep(request, timeout=deadline)
    except RPCError as exc:
        while await env.get_current_time() < moment:
            if time.monotonic() > gives_up:
                raise TimeoutError(f"the clock did not reach {moment:%Y-%m-%d %H:%M} within "
                                   f"{deadline}: {exc.message}") from exc
            await asyncio.sleep(1)


async def award_and_archive(client: Client, reference: str, people: Cast,
                            amount_cents: int = 50_000_00) -> list[ReportState]:
    """From the decision on, as the team and the grantee act: the award, every report submitted
    and accepted, settlement in full and archival. Returns the report schedule of the award."""
    team, grantee = factories.actor_of(people.team), factories.actor_of(people.grantee)
    await stage_is(client, reference, Stage.DECISION)
    await grants.act(client, reference, "decide", DecisionInput(
        actor=team, award=True, amount_cents=amount_cents, reason="Gehonoreerd."))
    reports = (await grants.status(client, reference)).reports
    for report in reports:
        await grants.act(client, reference, "submit_report", ReportSubmission(
            actor=grantee, report_index=report.index, summary="Gedaan wat beloofd is.",
            activities=(ActivityReport(title="Training omstanders", done="Gegeven."),)))
        await grants.act(client, reference, "review_report", ReportReview(
            actor=team, report_index=report.index, accepted=True))
    await stage_is(client, reference, Stage.SETTLEMENT)
    await grants.act(client, reference, "settle", SettlementInput(
        actor=team, final_cents=amount_cents, reason="Volledig uitgevoerd."))
    handle = client.get_workflow_handle(f"grant-{reference}", result_type=GrantStatus)
    assert (await asyncio.wait_for(handle.result(), 60)).stage == Stage.ARCHIVED
    return reports


async def grant_awaiting_decision(sessions, client: Client, scheme, task_queue: str,
                                  people: Cast) -> str:
    """A grant both assessors have scored (4 on every criterion), awaiting the decision."""
    async with sessions() as db:
        reference = await grant_in_assessment(db, client, scheme, task_queue, people)
    for assessor in (people.assessor, people.second_assessor):
        await grants.act(client, reference, "submit_score",
                         score(factories.actor_of(assessor)))
    await stage_is(client, reference, Stage.DECISION)
    return reference
