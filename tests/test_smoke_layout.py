"""deploy/smoke.sh's run, in its process layout without the containers: the release job, two
workers and two web apps sharing one data directory, against the dev server. smoke_drive.py,
the person at the two web apps, must pass (first account, import, settlement letter, metrics);
then every process stops on SIGTERM with exit code 0 (uvicorn alone re-raises the signal, and
a web app exited with 143), each log line one JSON object. So the release pipeline's smoke test
keeps working as Regie changes; what only Docker adds (the image, its volume, `docker stop`) is
left to the pipeline."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import sys
from pathlib import Path

from tests.conftest import free_ports

ROOT = Path(__file__).parent.parent
BIN = Path(sys.executable).parent


async def _run(env: dict, *command: str) -> str:
    done = await asyncio.create_subprocess_exec(
        *command, env=env, cwd=ROOT, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT)
    output = (await asyncio.wait_for(done.communicate(), 120))[0].decode()
    assert done.returncode == 0, f"{command}:\n{output[-3000:]}"
    return output


async def test_the_smoke_test_passes_in_its_process_layout(dev_env, db_url, tmp_path):
    # free ports, not smoke.sh's: the suite's two passes run this test at the same time
    api_1, api_2, metrics_1, metrics_2 = free_ports(4)
    layout = {"worker-1": ["worker"], "worker-2": ["worker"],
                      "api-1": ["api", "--port", str(api_1)],
                      "api-2": ["api", "--port", str(api_2)]}
    metrics = {"worker-1": f"127.0.0.1:{metrics_1}", "worker-2": f"127.0.0.1:{metrics_2}"}
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
           "REGIE_DATABASE_URL": db_url, "REGIE_DATA_DIR": str(tmp_path),
           "REGIE_TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host,
           "REGIE_SECRET_KEY": secrets.token_hex(32), "REGIE_BASE_URL": f"http://127.0.0.1:{api_1}",
           "REGIE_LOG_FORMAT": "json", "REGIE_SHOW_OUTBOX": "false",
           "SMOKE_API_PORTS": f"{api_1},{api_2}", "SMOKE_METRICS_PORTS": f"{metrics_1},{metrics_2}"}
    await _run(env, str(BIN / "regie"), "migrate")
    await _run(env, str(BIN / "regie"), "register-search-attributes")
    link = (await _run(env, str(BIN / "regie"), "invite", "team@smoke.example", "--name",
                       "Smoke Team")).strip().splitlines()[-1]
    logs, processes = {}, {}
    try:
        for name, args in layout.items():
            logs[name] = tmp_path / f"{name}.log"
            processes[name] = await asyncio.create_subprocess_exec(
                str(BIN / "regie"), *args, cwd=ROOT, stdout=logs[name].open("wb"),
                stderr=asyncio.subprocess.STDOUT,
                env={**env, "REGIE_SDK_METRICS_ADDRESS": metrics.get(name, "")})
        print(await _run(env, sys.executable, "deploy/smoke_drive.py", link.rsplit("/", 1)[-1]))
        for name, process in processes.items():
            process.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(process.wait(), 30)
            assert code == 0, f"{name} exited with {code}:\n{logs[name].read_text()[-3000:]}"
    finally:
        for process in processes.values():
            if process.returncode is None:
                process.kill()
    for name, log in logs.items():
        lines = [line for line in log.read_text().splitlines() if line.strip()]
        events = [json.loads(line)["event"] for line in lines]  # each line one JSON object
        assert events[-1] == "worker.stopped" or events[-1].startswith(
            "Finished server process"), (name, events[-3:])
