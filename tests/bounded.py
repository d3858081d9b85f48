"""Every async test within a time limit: a test that waits on something that never comes (a
grant stuck under faults, a process that died before it said it was up) fails with where its
tasks stood, and the tests after it run, instead of the suite hanging until CI gives up.

The test's task is cancelled at the limit, so its own `finally` blocks and its fixtures clean
up. Tests that are not coroutines have nothing to wait on forever but their servers' calls,
which carry their own timeouts; the Makefile's limit on each stream covers the rest."""

from __future__ import annotations

import asyncio
import functools
import inspect

import pytest

SHOWN_TASKS = 40  # the stacks shown when a test overruns; a worker runs dozens of its own


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("test_time_limit", "seconds an async test may take before it is cancelled",
                  default="900")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    test = getattr(item, "obj", None)
    if not inspect.iscoroutinefunction(test):
        return (yield)
    limit = float(item.config.getini("test_time_limit"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(item, "obj", _within(test, limit))
        return (yield)


def _within(test, limit: float):
    @functools.wraps(test)
    async def bounded(*args, **kwargs):
        task = asyncio.current_task()
        stacks: list[str] = []

        def overrun() -> None:
            stacks.append(_task_stacks(task))
            task.cancel()

        timer = asyncio.get_running_loop().call_later(limit, overrun)
        try:
            return await test(*args, **kwargs)
        except asyncio.CancelledError:
            if not stacks:
                raise
            task.uncancel()
            raise AssertionError(f"the test ran over its {limit:g} s and was cancelled; "
                                 f"where its tasks stood then:\n{stacks[0]}") from None
        finally:
            timer.cancel()
    return bounded


def _task_stacks(test: asyncio.Task) -> str:
    """Each pending task's chain of awaits, from its coroutine down to what it waits on; the
    test's own first."""
    tasks = sorted((t for t in asyncio.all_tasks() if not t.done()), key=lambda t: t is not test)
    lines = []
    for task in tasks[:SHOWN_TASKS]:
        lines.append(f"{task.get_name()}:")
        awaited = task.get_coro()
        while awaited is not None:
            frame = getattr(awaited, "cr_frame", None) or getattr(awaited, "gi_frame", None)
            if frame is None:
                break
            lines.append(f"  {frame.f_code.co_filename}:{frame.f_lineno} {frame.f_code.co_name}")
            awaited = getattr(awaited, "cr_await", None) or getattr(awaited, "gi_yieldfrom", None)
    if len(tasks) > SHOWN_TASKS:
        lines.append(f"... and {len(tasks) - SHOWN_TASKS} tasks more")
    return "\n".join(lines)
