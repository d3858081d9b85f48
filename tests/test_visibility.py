"""What each reader of a grant may learn of its assessment and of who took part
(api.views.status_for and timeline), for every role, directly: the grant page and the JSON API
both read through these two."""

from __future__ import annotations

from datetime import datetime, timezone

from api.auth import Viewer
from api.views import status_for, timeline
from domain.lifecycle import Role, Stage
from domain.scheme import parse_scheme
from domain.scoring import Verdict
from domain.types import Assessment, AssessorRef, GrantStatus
from regie.records import GrantEvent, Organisation
from tests import factories, scenario

AT = datetime(2027, 3, 1, 9, tzinfo=timezone.utc)


def _status(people) -> GrantStatus:
    refs = [AssessorRef(user_id=p.id, name=p.name, organisation_id=p.organisation_id)
            for p in (people.assessor, people.second_assessor)]
    return GrantStatus(
        reference="SV2026-0001", stage=Stage.DECISION, deadline=None, assessors=refs,
        conflicts_declared=[people.assessor.id + people.second_assessor.id],  # a third
        assessments=[Assessment(assessor=ref, submitted_at=AT, submission=scenario.score(
            factories.actor_of(p))) for ref, p in zip(refs, (people.assessor,
                                                               people.second_assessor))],
        verdict=Verdict(averages={"ambitie": 4, "impact": 4, "verankering": 4}, total=12,
                        activities_sufficient=True, fundable=True, divergent=()),
        consensus_reason="Eens.")


async def test_each_role_reads_the_assessment_it_may(sessions):
    async with sessions() as db:
        people = await scenario.cast(db)
    status = _status(people)
    seen = {role: status_for(status, Viewer(person)) for role, person in (
        ("team", people.team), ("auditor", people.auditor), ("assessor", people.assessor),
        ("grantee", people.grantee), ("public", None))}
    assert seen["team"] == seen["auditor"] == status  # all of it
    assessor = seen["assessor"]  # their own assessment only: each scores on their own
    assert [a.assessor.user_id for a in assessor.assessments] == [people.assessor.id]
    assert (assessor.assessors, assessor.verdict) == (status.assessors, status.verdict)
    assert assessor.conflicts_declared == []  # not who stepped back
    for applicant in (seen["grantee"], seen["public"]):  # a report link is read signed out
        assert (applicant.assessments, applicant.assessors, applicant.verdict,
                applicant.consensus_reason, applicant.conflicts_declared) == (
            [], [], None, None, [])
        assert applicant.stage == status.stage
    assert status_for(None, Viewer(people.grantee)) is None  # Temporal did not answer


async def test_the_timeline_names_by_role_whom_the_reader_may_not_know(sessions, scheme,
                                                                       scheme_file):
    anonymous = parse_scheme(scheme_file.read_text(encoding="utf-8").replace(
        "anonymous_assessment = false", "anonymous_assessment = true"), str(scheme_file))
    events = [  # who, their role, what, and the note
        ("Jan de Vries", Role.GRANTEE, "submit_correction", "Begroting aangevuld."),
        ("Fatima El Amrani", Role.PROGRAMME_TEAM, "assign_assessors", "A. Visser, L. Jansen"),
        ("L. Jansen", Role.ASSESSOR, "declare_conflict", "Ik werk bij de partner."),
        ("A. Visser", Role.ASSESSOR, "submit_score", ""),
        ("Regie", Role.SYSTEM, "complete_assessment", "")]
    async with sessions() as db:
        people = await scenario.cast(db)
        app = await factories.application(
            db, await db.get(Organisation, people.grantee.organisation_id), scheme)
        db.add_all(GrantEvent(application_id=app.id, seq=seq, at=AT, stage="assessment",
                              action=action, actor_name=name, actor_role=role.value, note=note)
                   for seq, (name, role, action, note) in enumerate(events, start=1))
        await db.commit()

        async def read(person, which, lang="nl"):
            return [(e.actor_name, e.note)
                    for e in await timeline(db, app, Viewer(person), lang, which)]

        everything = [(name, note) for name, _role, _action, note in events]
        for staff in (people.team, people.auditor):
            assert await read(staff, anonymous) == everything
        assert await read(people.assessor, scheme) == everything
        # in a round that hides who applies, the assessor reads 'Aanvrager'
        assert await read(people.assessor, anonymous) == [
            ("Aanvrager", "Begroting aangevuld."), *everything[1:]]
        # the applicant is not told who assesses, nor an assessor's reason for stepping back
        assert await read(people.grantee, scheme) == [
            everything[0], ("Fatima El Amrani", ""), ("Beoordelaar", ""), ("Beoordelaar", ""),
            everything[4]]
        assert [name for name, _ in await read(people.grantee, scheme, "en")][2:4] == [
            "Assessor", "Assessor"]
