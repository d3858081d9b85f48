"""How Regie's long-running commands stop: on SIGINT or SIGTERM, cleanly, with exit code 0.

Regie handles the two signals itself, not uvicorn: uvicorn re-raises a signal it caught once it
has shut down, so a web app stopped by SIGTERM (a rollout, `docker stop`) ended with exit code
143 instead of 0, which an orchestrator and deploy/smoke.sh take for a failure."""

from __future__ import annotations

import asyncio
import contextlib
import signal

import uvicorn


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def stop_on_signals() -> asyncio.Event:
    """An event that SIGINT, SIGTERM or SIGHUP (the terminal closed) sets."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, stop.set)
    return stop


class Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self):  # stop_on_signals() has them
        yield


async def serve_until(server: Server, stop: asyncio.Event) -> None:
    """Serve until `stop` is set, then answer the requests in flight and shut down. A server
    that could not start (its port taken) ends this at once, with uvicorn's SystemExit."""
    web = asyncio.create_task(server.serve())
    stopped = asyncio.create_task(stop.wait())
    await asyncio.wait({web, stopped}, return_when=asyncio.FIRST_COMPLETED)
    stopped.cancel()
    server.should_exit = True
    await web
