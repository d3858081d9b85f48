"""Where browsers report what the Content-Security-Policy blocked on a Regie page (the policy's
`report-uri`, which every current browser sends to at once; the Reporting API's `report-to`
is left out, as Debian's chromium sent nothing to it in the tests). Each report is a warning
in the log and a count by directive in /metrics, so that a page the policy breaks for someone
is seen. Nothing stored changes, so the route takes reports from anyone, without an account
or CSRF token, as browsers send them (`api.auth.from_browsers`). No personal data and no
secrets: a page is named by its route (/report/{token}, not the token), a blocked address and
a script by their origin only."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import structlog
from fastapi import APIRouter, Depends, Request, Response
from starlette.routing import Match

from api.auth import from_browsers

router = APIRouter()
log = structlog.get_logger()

PATH = "/csp-report"
MAX_BYTES = 16 * 1024  # a report is a few hundred bytes
# the directives a report may name as a metric label; any other is counted as "other"
DIRECTIVES = frozenset((
    "default-src", "script-src", "script-src-elem", "script-src-attr", "style-src",
    "style-src-elem", "style-src-attr", "img-src", "font-src", "connect-src", "media-src",
    "object-src", "frame-src", "child-src", "worker-src", "manifest-src", "form-action",
    "frame-ancestors", "base-uri"))


@router.post(PATH, include_in_schema=False, dependencies=[Depends(from_browsers())])
async def csp_report(request: Request) -> Response:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BYTES:
            return Response(status_code=413)
    try:
        report = json.loads(body)["csp-report"]
        directive = str(report.get("effective-directive") or report.get("violated-directive")
                        or "").split(" ")[0]
    except (ValueError, KeyError, TypeError, AttributeError):
        return Response(status_code=400)
    label = directive if directive in DIRECTIVES else "other"
    request.app.state.metrics.csp_violations.labels(label).inc()
    log.warning("csp.violation", directive=label,
                page=_route(request, report.get("document-uri")),
                blocked=_origin(report.get("blocked-uri")),
                source=_origin(report.get("source-file")))
    return Response(status_code=204)


def _route(request: Request, url) -> str | None:
    """The route of a Regie page's address (its template), or None for another address (a
    page on another host, which the report came from too)."""
    parts = urlsplit(str(url or ""))
    if parts.netloc != request.url.netloc:
        return None
    scope = {"type": "http", "method": "GET", "path": parts.path}
    for route in request.app.state.routes:  # the routers' own, each with its whole path
        if route.matches(scope)[0] == Match.FULL:
            return route.path
    return None


def _origin(url) -> str | None:
    """An address's origin (scheme and host), or the word a browser sends instead of one
    (inline, eval, data); None for anything else, which could hold a path."""
    parts = urlsplit(str(url or ""))
    if parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    word = str(url or "").split(":")[0]
    return word if word.isalpha() and len(word) <= 20 else None
