"""`regie api`, a web app replica as deploy/ runs it: ready once Temporal answers, and stopped
by SIGTERM (a rollout, `docker stop`) it shuts down cleanly with exit code 0, every log line
one JSON object. uvicorn alone re-raises the signal and exits with 143, which deploy/smoke.sh
and an orchestrator take for a failure."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import httpx

from tests.conftest import eventually, free_port


async def test_a_web_app_stopped_by_sigterm_exits_with_code_zero(dev_env, db_url, tmp_path):
    port = free_port()
    env = {**os.environ, "REGIE_DATABASE_URL": db_url, "REGIE_DATA_DIR": str(tmp_path),
           "REGIE_TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host,
           "REGIE_LOG_FORMAT": "json"}
    web = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "regie"), "api", "--port", str(port), env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            async def ready():
                try:
                    return (await client.get("/readyz")).status_code == 200
                except httpx.TransportError:
                    await asyncio.sleep(0.2)
                    return False
            await eventually(ready, timeout=60)
        web.send_signal(signal.SIGTERM)
        output = (await asyncio.wait_for(web.stdout.read(), 30)).decode()
        assert await web.wait() == 0, output[-3000:]
    finally:
        if web.returncode is None:
            web.kill()
    events = [json.loads(line)["event"] for line in output.splitlines() if line.strip()]
    assert events[-1].startswith("Finished server process"), events[-3:]
