"""A worker killed while a report prompt is being sent: after a restart the prompt arrives
exactly once, counted at a real SMTP server that accepts a message only on a live connection.
On the real dev server: the killed attempt times out after its start-to-close limit (60 s) and
is retried on the new worker."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from domain.scheme import parse_scheme
from domain.types import DecisionInput
from regie import grants, programme
from regie.db import session_factory
from regie.settings import Settings
from regie.worker import build_worker
from tests import scenario
from tests.conftest import eventually, free_port
from tests.factories import actor_of

pytestmark = pytest.mark.waiting
PROMPT = "Rapportage 1 gevraagd"


class HoldingSink:
    """Holds the first prompt in DATA until released; accepts only on a live connection."""

    def __init__(self) -> None:
        self.accepted: list = []
        self.holding = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook)
        message = message_from_bytes(envelope.content, policy=policy.default)
        if str(message["Subject"]).startswith(PROMPT) and not self.release.is_set():
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        if server.transport is None or server.transport.is_closing():
            return "421 connection lost before acceptance"
        self.accepted.append(message)
        return "250 OK"

    def prompts(self) -> list:
        return [m for m in self.accepted if str(m["Subject"]).startswith(PROMPT)]


async def _worker_process(settings: Settings, target: str) -> asyncio.subprocess.Process:
    env = {**os.environ, "REGIE_DATA_DIR": str(settings.data_dir),
           "REGIE_DATABASE_URL": settings.database_url, "REGIE_TEMPORAL_ADDRESS": target,
           "REGIE_TASK_QUEUE": settings.task_queue, "REGIE_SMTP_HOST": "127.0.0.1",
           "REGIE_SMTP_PORT": str(settings.smtp_port), "REGIE_SECRET_KEY": settings.secret_key,
           "REGIE_SCHEME_FILE": str(settings.scheme_file)}
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "regie"), "worker", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    printed = b""
    while b"worker.started" not in printed:
        line = await asyncio.wait_for(process.stdout.readline(), 60)
        assert line, f"the worker ended before it started:\n{printed.decode()[-3000:]}"
        printed += line
    # keep the pipe drained, and what the worker printed for a failure's message
    process.output = asyncio.get_running_loop().create_task(process.stdout.read())
    return process


async def test_prompt_sent_exactly_once_through_a_killed_worker(dev_env, tmp_path, db_url,
                                                                engine, scheme_file):
    # a scheme whose first progress report is prompted at the award itself
    text = scheme_file.read_text()
    text = text.replace("progress_every_months = 6", "progress_every_months = 1")
    text = text.replace("prompt_before_days = 14", "prompt_before_days = 45")
    scheme_file = tmp_path / "soon.toml"
    scheme_file.write_text(text)
    scheme = parse_scheme(text, str(scheme_file))

    sink, port = HoldingSink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    client, sessions = dev_env.client, session_factory(engine)
    settings = Settings.from_env(data_dir=tmp_path, database_url=db_url, task_queue="killed",
                                 smtp_host="127.0.0.1", smtp_port=port, scheme_file=scheme_file)
    target = client.service_client.config.target_host
    try:
        async with sessions() as db:
            people = await scenario.cast(db)
            await programme.ensure_programme(db, client, scheme, settings.task_queue)
        async with build_worker(client, settings, sessions, scheme):
            reference = await scenario.grant_awaiting_decision(sessions, client, scheme,
                                                               settings.task_queue, people)

        first = await _worker_process(settings, target)
        try:
            await grants.act(client, reference, "decide", DecisionInput(
                actor=actor_of(people.team), award=True, amount_cents=86_000_00, reason="Ja."))
            assert await asyncio.to_thread(sink.holding.wait, 60), "the prompt never came"
            first.send_signal(signal.SIGKILL)  # killed in the middle of the SMTP exchange
            await first.wait()
            await asyncio.sleep(0.5)
        finally:
            sink.release.set()
            if first.returncode is None:
                first.kill()
        assert sink.prompts() == []

        second = await _worker_process(settings, target)
        try:
            async def delivered():
                return sink.prompts()
            prompts = await eventually(delivered, timeout=150)
            await asyncio.sleep(2)  # and nothing more arrives
            assert len(sink.prompts()) == 1
            assert prompts[0]["To"] == people.grantee.email
        finally:
            second.send_signal(signal.SIGTERM)  # a clean stop through worker.shutdown()
            code = await asyncio.wait_for(second.wait(), 30)
            assert code == 0, (await second.output).decode()[-3000:]
    finally:
        controller.stop()
