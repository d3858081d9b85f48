"""The suite's time limit on async tests (tests/bounded.py), in a pytest run of its own."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_test_waiting_for_ever_fails_with_where_it_waited_and_the_next_runs(
        pytester, monkeypatch):
    pytester.makeini("[pytest]\nasyncio_mode = auto\n"
                     "asyncio_default_fixture_loop_scope = function\ntest_time_limit = 1\n")
    pytester.makepyfile(test_forever="""
        import asyncio

        async def nothing_comes():
            await asyncio.Event().wait()

        async def test_forever():
            try:
                await nothing_comes()
            finally:
                print("cleaned up")

        async def test_next():
            await asyncio.sleep(0)
    """)
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    result = pytester.runpytest_subprocess("-p", "tests.bounded", "-s")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*cleaned up*",
        "*the test ran over its 1 s and was cancelled; where its tasks stood then:*",
        "*test_forever.py:8 test_forever",
        "*test_forever.py:4 nothing_comes",
    ])
