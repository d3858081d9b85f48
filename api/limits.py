"""The largest request Regie takes. Starlette reads a form's files to the end, spooling them
to disk, whatever their size: without a limit one upload could fill the disk of the web app
and stall everyone's requests while it is read. A request that says it is larger (its
Content-Length) is refused before anything of it is read, and one that grows past the limit
(chunked) as soon as it does; the route answers with the reason, and nothing saved before
(a draft, the files already on it) is touched. A proxy in front must allow as much
(deploy/README.md)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def too_large(max_mb: int) -> HTTPException:
    return HTTPException(413, (
        f"Wat u verstuurde is groter dan {max_mb} MB en is niet verwerkt; wat eerder is "
        "opgeslagen, blijft bewaard. Voeg grote bestanden één voor één toe. / What you sent is "
        f"larger than {max_mb} MB and was not taken; what was saved before is kept. Add large "
        "files one at a time."))


class BodyLimit:
    """Refuses, through the routes' own error handling (an HTTPException raised where the
    route reads the body), a request body larger than `max_mb` megabytes."""

    def __init__(self, app: ASGIApp, max_mb: int):
        self.app = app
        self.max_mb = max_mb
        self.max_bytes = max_mb * 1024 * 1024

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        received = 0

        async def limited() -> Message:
            nonlocal received
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise too_large(self.max_mb)
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise too_large(self.max_mb)
            return message

        await self.app(scope, limited, send)
