"""Every recorded history replays cleanly against the current workflow code, but those the SDK
in use cannot replay (`SDK_CANNOT_REPLAY`), which must fail."""

import re
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from regie.temporal import DATA_CONVERTER
from regie.worker import WORKFLOWS
from tests.conftest import SDK_CANNOT_REPLAY

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


def _case(path: Path):
    reason = SDK_CANNOT_REPLAY.get(path.name)
    marks = [pytest.mark.xfail(strict=True, raises=RuntimeError, reason=reason)] if reason else []
    return pytest.param(path, marks=marks, id=path.name)


@pytest.mark.parametrize("path", [_case(p) for p in HISTORIES])
async def test_recorded_history_replays(path: Path):
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    replayer = Replayer(workflows=WORKFLOWS, data_converter=DATA_CONVERTER)
    result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
    assert result.replay_failure is None


def test_there_are_histories_to_replay():
    assert HISTORIES, "no recorded histories in tests/histories"


def test_every_patch_a_workflow_asks_is_in_the_register():
    """Each patch id a workflow asks `workflow.patched` about (through a constant, as they all
    do) has its row in docs/upgrading.md's patch register, and every recorded history in
    tests/histories its row in their README."""
    root = Path(__file__).parent.parent
    register = (root / "docs" / "upgrading.md").read_text()
    asked = {}
    for module in (root / "workflows").glob("*.py"):
        text = module.read_text()
        for name in set(re.findall(r"patched\(([A-Z_0-9]+)\)", text)):
            asked[name] = re.search(rf'^{name} = "([\w-]+)"', text, re.M).group(1)
    assert len(asked) >= 10
    assert [i for i in asked.values() if f"| `{i}` |" not in register] == []
    listed = (Path(__file__).parent / "histories" / "README.md").read_text()
    assert [p.name for p in HISTORIES if f"| {p.name} |" not in listed] == []
