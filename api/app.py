"""The FastAPI application: pages and JSON API over the records, actions through Temporal."""

from __future__ import annotations

import time
import uuid
from contextlib import asynccontextmanager
from http import HTTPStatus

import structlog
from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException
from temporalio.client import Client

from api import (
    annual, assessors, assignment, audit, csp, imports, json_api, knowledge, oidc, pages, portal,
    reports, rounds, signin,
)
from api.auth import (
    CSRF_COOKIE, SESSION_COOKIE, LoginRequired, csrf_cookie_valid, new_csrf_token, viewer_of,
)
from api.i18n import language, t
from api.limits import BodyLimit
from api.views import STATIC, StaticByVersion, render, templates, this_page, with_next
from domain.scheme import Scheme
from regie.applications import DraftTooLarge
from regie.db import make_engine, session_factory
from regie.metrics import AppMetrics
from regie.settings import Settings


# On every answer: no content-type guessing (uploads are served back), no framing by another
# site, and no address sent on to another site (report links carry their token in the path).
# Pages load their styles and scripts from /static only, and forms post to Regie only: text an
# applicant typed can never run as script, even if a template forgot to escape it. What the
# policy blocks, browsers report to api.csp.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'self'; object-src 'none'; base-uri 'none'; "
                               f"form-action 'self'; frame-ancestors 'none'; report-uri {csp.PATH}",
    "Referrer-Policy": "same-origin",
}

# What a person reads for an error that comes with Starlette's phrase only (api.i18n)
_PLAIN_STATUS = {404: "no_such_page", 405: "not_a_page"}

# FastAPI's API documentation pages load Swagger UI and ReDoc from their CDN, with a script of
# their own in the page; they hold no data and keep only the rule against framing.
DOCS_CSP = "frame-ancestors 'none'"
HSTS = "max-age=31536000"  # a year; subdomains are not Regie's to promise

ROUTERS = (knowledge.router, signin.router, oidc.router, pages.router, portal.router,
           reports.router, rounds.router, assessors.router, assignment.router, json_api.router,
           annual.router, imports.router, audit.router, csp.router)


def _answers_json(request: Request) -> bool:
    """The JSON API, and what a form's script sends as a person types (its autosave), which
    shows the reason beside the form."""
    return request.url.path.startswith("/api/") or request.url.path.endswith("/autosave")


async def _error_page(request: Request, status: int, detail: str):
    """The error page, under the menu of whoever asked: the viewer their access was decided
    for (`request.state.viewer`), or, where no route decided it (an address no route has),
    whoever their session names; a visitor's menu if the database cannot say."""
    viewer = getattr(request.state, "viewer", None)
    if viewer is None and request.cookies.get(SESSION_COOKIE):
        try:
            async with request.app.state.sessions() as db:
                viewer = await viewer_of(request, db)
        except (SQLAlchemyError, OSError):
            viewer = None
    return render(request, "error.html", {"status": status, "detail": detail},
                  status_code=status, viewer=viewer)


def create_app(settings: Settings, scheme: Scheme, temporal: Client) -> FastAPI:
    engine = make_engine(settings.database_url, settings.db_pool_size)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        await engine.dispose()

    app = FastAPI(
        title="Regie",
        description="Grant lifecycle of the Sociale Veiligheid subsidy scheme. Sign in through "
                    "`POST /login`; send the `regie_csrf` cookie's value as `X-CSRF-Token` on "
                    "every write.",
        version="0.1.0", lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.scheme = scheme
    app.state.temporal = temporal
    app.state.sessions = session_factory(engine)
    app.state.metrics = AppMetrics()
    templates.env.filters["local"] = lambda moment, fmt="%d-%m-%Y %H:%M": (
        moment.astimezone(scheme.tz).strftime(fmt))  # pages show the scheme's own time zone

    docs = {app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url}
    app.mount("/static", StaticByVersion(directory=STATIC), name="static")
    app.add_middleware(BodyLimit, max_mb=settings.max_request_mb)

    @app.middleware("http")
    async def request_context(request: Request, call_next):
        """Language, a CSRF cookie for every visitor, a request id bound to the logs, and the
        security headers."""
        request.state.lang = language(request)
        cookie = request.cookies.get(CSRF_COOKIE)
        fresh = None if csrf_cookie_valid(settings.verifying_keys, cookie) else new_csrf_token(
            settings.secret_key)
        request.state.csrf = fresh or cookie
        structlog.contextvars.bind_contextvars(request_id=uuid.uuid4().hex[:12])
        started = time.perf_counter()
        try:
            response = await call_next(request)
        finally:
            structlog.contextvars.clear_contextvars()
        route = request.scope.get("route")  # the template (/grants/{reference}), not the path
        app.state.metrics.observe(request.method, route.path if route else "unmatched",
                                  response.status_code, time.perf_counter() - started)
        if fresh:
            response.set_cookie(CSRF_COOKIE, fresh, httponly=False, samesite="lax",
                                secure=settings.secure_cookies)
        response.headers.update(SECURITY_HEADERS)
        if settings.secure_cookies:  # behind HTTPS: browsers are to come back over it only
            response.headers["Strict-Transport-Security"] = HSTS
        if request.url.path in docs:
            response.headers["Content-Security-Policy"] = DOCS_CSP
        return response

    @app.exception_handler(DraftTooLarge)
    async def draft_too_large(request: Request, exc: DraftTooLarge):
        """The draft as it was last saved stays; the applicant is told why this was not."""
        if _answers_json(request):
            return JSONResponse({"detail": str(exc)}, status_code=422)
        return await _error_page(request, 422, str(exc))

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _exc: LoginRequired):
        return RedirectResponse(with_next("/login", this_page(request)), status_code=303)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError):
        """A page's address or form that does not fit its route (a page number that is not
        one): the JSON API answers as FastAPI does; a person reads which part is wrong."""
        if request.url.path.startswith("/api/"):
            return await request_validation_exception_handler(request, exc)
        fields = ", ".join(dict.fromkeys(str(e["loc"][-1]) for e in exc.errors()))
        return await _error_page(request, 400,
                                 t("bad_request", request.state.lang, fields=fields))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        """Starlette's, for an address no route has (or a form's address opened as a page),
        as well as the routes' own: the JSON API and an autosave answer in JSON; a person
        reads a page in their language, not Starlette's "Not Found"."""
        if _answers_json(request) or request.url.path in ("/healthz", "/readyz"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code,
                                headers=exc.headers)
        detail = exc.detail
        if detail == HTTPStatus(exc.status_code).phrase:  # no route's own words
            detail = t(_PLAIN_STATUS.get(exc.status_code, "error"), request.state.lang)
        response = await _error_page(request, exc.status_code, detail)
        response.headers.update(exc.headers or {})  # a 405's Allow
        return response

    for router in ROUTERS:
        app.include_router(router)
    app.state.routes = [route for router in ROUTERS for route in router.routes]
    return app
