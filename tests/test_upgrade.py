"""A grant started by the release before the patch fold (`folded-patches-2026-12`) and carried
on by today's workers keeps asking each patch, with its own marker, for the rest of its life: it
never takes the fold half-way. The release before is played by a worker that leaves the fold's
patch inactive, as a worker that did not know it would have."""

from __future__ import annotations

from temporalio.worker import PatchActivationInput, Worker

from regie import grants
from regie.programme import ensure_programme
from regie.worker import WORKFLOWS, activities, build_worker
from tests import scenario
from tests.factories import actor_of
from workflows.grant import ADOPTION, FOLD_2026_12, FOLDED, REPORT_DAYS, WHOLE_DAYS


def _before_the_fold(patch: PatchActivationInput) -> bool:
    return patch.patch_id != FOLD_2026_12


async def test_a_grant_started_before_the_fold_keeps_asking_each_patch(
        dev_env, settings, sessions, scheme):
    client = dev_env.client
    async with sessions() as db:
        people = await scenario.cast(db)
        await ensure_programme(db, client, scheme, settings.task_queue)

    older = Worker(client, task_queue=settings.task_queue, workflows=WORKFLOWS,
                   activities=activities(client, settings, sessions, scheme),
                   patch_activation_callback=_before_the_fold)
    async with older:
        async with sessions() as db:
            reference = await scenario.grant_in_assessment(db, client, scheme,
                                                           settings.task_queue, people)

    # today's worker picks the grant up cold, replaying what the release before recorded
    async with build_worker(client, settings, sessions, scheme):
        for assessor in (people.assessor, people.second_assessor):
            await grants.act(client, reference, "submit_score", scenario.score(actor_of(assessor)))
        await scenario.award_and_archive(client, reference, people)

    history = await client.get_workflow_handle(f"grant-{reference}").fetch_history()
    markers = scenario.patch_markers(history)
    assert FOLD_2026_12 not in markers
    assert sorted(markers) == sorted(FOLDED - {ADOPTION} | {WHOLE_DAYS, REPORT_DAYS}), markers
