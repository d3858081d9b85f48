"""A command with a wrong setting says which, in one message, before it starts anything; the
password in a database URL is not repeated."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import free_port, free_ports

REGIE = str(Path(sys.executable).parent / "regie")


def _regie(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([REGIE, *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "REGIE_DATA_DIR": str(tmp_path), **env})


def _refused(done: subprocess.CompletedProcess, *said: str) -> None:
    assert done.returncode == 1, done
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith("Regie did not start: "), done.stderr
    for words in said:
        assert words in done.stderr, done.stderr


@pytest.mark.parametrize(("url", "said"), [
    ("postgresql://postgres:geheim@127.0.0.1:{free_port}/regie",
     ["postgres:***@127.0.0.1", "does not answer", "Connection refused"]),
    ("postgresql+psycopg://postgres@127.0.0.1:5432/regie_bestaat_niet",
     ["does not answer", 'database "regie_bestaat_niet" does not exist']),
    ("mysql://regie@db/regie", ["(mysql://regie@db/regie) is not a database Regie can use",
                                "sqlite+aiosqlite:///<file>"]),
    ("geen url", ["(geen url) is not a database Regie can use"]),
])
def test_a_database_url_that_does_not_serve(tmp_path, url, said):
    # a port is chosen when the test runs: one chosen at collection may be taken by then
    url = url.replace("{free_port}", str(free_port()))
    done = _regie(tmp_path, "migrate", REGIE_DATABASE_URL=url)
    _refused(done, *said)
    assert "geheim" not in done.stderr


def test_a_scheme_file_missing_or_wrong_stops_regie_run_before_temporal(tmp_path):
    web, temporal, ui = (str(port) for port in free_ports(3))
    ports = ("--port", web, "--temporal-port", temporal, "--ui-port", ui)
    _refused(_regie(tmp_path, "run", *ports, REGIE_SCHEME_FILE=str(tmp_path / "weg.toml")),
             f"the scheme file {tmp_path / 'weg.toml'} cannot be read (No such file or "
             "directory); REGIE_SCHEME_FILE names it.")
    wrong = tmp_path / "fout.toml"
    wrong.write_text('[scheme]\nid = "x"\n', encoding="utf-8")
    _refused(_regie(tmp_path, "run", *ports, REGIE_SCHEME_FILE=str(wrong)),
             f"{wrong}: scheme.name_nl: Field required")
    assert not (tmp_path / "temporal.log").exists()  # no dev server was started


def test_a_worker_with_an_unreachable_database_stops_at_once(tmp_path):
    """Before it waits for Temporal (which is not there either): the database is named."""
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/regie"
    _refused(_regie(tmp_path, "worker", REGIE_DATABASE_URL=url,
                    REGIE_TEMPORAL_ADDRESS=f"127.0.0.1:{free_port()}"), "does not answer")


async def test_a_temporal_that_does_not_answer_is_named(tmp_path):
    """A worker or web app waits for Temporal while it starts (two minutes), then says so."""
    from regie.cli import connect_patiently
    from regie.settings import Settings

    address = f"127.0.0.1:{free_port()}"
    with pytest.raises(SystemExit) as stopped:
        await connect_patiently(Settings.from_env(data_dir=tmp_path, temporal_address=address),
                                attempts=2)
    assert str(stopped.value.code).startswith(
        f"Regie did not start: Temporal at {address} did not answer in 4 s "
        "(REGIE_TEMPORAL_ADDRESS): "), stopped.value.code
