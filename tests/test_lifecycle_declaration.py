"""The lifecycle table: consistent in itself, and the documented diagram is derived from it."""

from pathlib import Path

from domain.lifecycle import (
    STAGES, TRANSITIONS, WITHDRAWABLE, Action, NotAllowed, Role, Stage, actions_for,
    mermaid_diagram, transition,
)
import pytest

DOC = Path(__file__).parent.parent / "docs" / "lifecycle.md"


def test_every_stage_is_described_and_reachable():
    assert set(STAGES) == set(Stage)
    reachable = {Stage.SUBMITTED} | {t.target for t in TRANSITIONS}
    assert reachable == set(Stage)


def test_terminal_stages_have_no_way_out_and_others_do():
    for stage, info in STAGES.items():
        leaving = [t for t in TRANSITIONS if t.source == stage]
        assert bool(leaving) != info.terminal, stage


def test_public_and_staff_names_differ_where_applicants_should_not_see_internals():
    assert STAGES[Stage.ASSESSMENT].public_name.nl == "In behandeling"
    assert STAGES[Stage.ASSESSMENT].staff_name.nl == "Wacht op beoordeling"


def test_transition_refuses_wrong_role_and_wrong_stage_in_both_languages():
    assert transition(Stage.DECISION, Action.AWARD, Role.PROGRAMME_TEAM).target == Stage.REPORTING
    with pytest.raises(NotAllowed, match="Alleen Programmateam.*only the Programme team"):
        transition(Stage.DECISION, Action.AWARD, Role.GRANTEE)
    with pytest.raises(NotAllowed, match="kan niet in fase.*not possible in stage"):
        transition(Stage.ASSESSMENT, Action.AWARD, Role.PROGRAMME_TEAM)


def test_page_actions_come_from_the_table():
    assert [t.action for t in actions_for(Stage.DECISION, Role.PROGRAMME_TEAM)] == [
        Action.AWARD, Action.REJECT, Action.MOVE_DEADLINE]
    assert [t.action for t in actions_for(Stage.DECISION, Role.GRANTEE)] == [Action.WITHDRAW]
    assert actions_for(Stage.ELIGIBILITY_CHECK, Role.GRANTEE) == []


@pytest.mark.parametrize("stage", list(Stage))
def test_an_applicant_withdraws_only_until_the_decision(stage):
    if stage in WITHDRAWABLE:
        assert transition(stage, Action.WITHDRAW, Role.GRANTEE).target == Stage.WITHDRAWN
        with pytest.raises(NotAllowed, match="Alleen Aanvrager"):
            transition(stage, Action.WITHDRAW, Role.PROGRAMME_TEAM)
    else:
        with pytest.raises(NotAllowed, match="kan niet in fase"):
            transition(stage, Action.WITHDRAW, Role.GRANTEE)


def test_documented_diagram_is_generated_from_the_declaration():
    assert mermaid_diagram() in DOC.read_text(), "run: regie lifecycle-diagram > docs/lifecycle.md"
