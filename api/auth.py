"""Accounts, sessions, CSRF protection and the one declaration of who may use a route.

Every route depends on `allow(...)`, which names the roles that may call it; the route test
walks the app and calls every route as every role against that declaration.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.lifecycle import Role
from domain.text import composed
from domain.types import Actor
from regie import audit
from regie.logging import get_logger
from regie.records import Person, WebSession

SESSION_COOKIE = "regie_session"
CSRF_COOKIE = "regie_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SESSION_HOURS = 12
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

# -- passwords ------------------------------------------------------------------------------------

_SCRYPT = dict(n=2**14, r=8, p=1)


MIN_PASSWORD = 12


def hash_password(password: str) -> str:
    """Of the password composed (domain.text.composed), as verify_password reads it: typed
    once as é and once as e + an accent, it is the same password."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(composed(password).encode(), salt=salt, dklen=32, **_SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(composed(password).encode(), salt=base64.b64decode(salt), dklen=32,
                               **_SCRYPT)
    return hmac.compare_digest(candidate, base64.b64decode(digest))


# -- sessions -------------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def open_session(db: AsyncSession, person: Person) -> str:
    token = secrets.token_urlsafe(32)
    now = datetime.now(timezone.utc)
    db.add(WebSession(token_hash=_token_hash(token), person_id=person.id, created_at=now,
                      expires_at=now + timedelta(hours=SESSION_HOURS)))
    await db.commit()
    return token


async def close_session(db: AsyncSession, token: str | None) -> None:
    if token:
        row = (await db.exec(select(WebSession).where(
            WebSession.token_hash == _token_hash(token)))).first()
        if row is not None:
            await db.delete(row)
            await db.commit()


async def get_db(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessions() as session:
        yield session


Db = Annotated[AsyncSession, Depends(get_db)]


@dataclass(frozen=True)
class Viewer:
    """Who is asking: a signed-in person, or the public."""

    person: Person | None

    @property
    def role(self) -> Role:
        return Role(self.person.role) if self.person else Role.PUBLIC

    @property
    def organisation_id(self) -> int | None:
        return self.person.organisation_id if self.person else None

    def actor(self) -> Actor:
        if self.person is None:
            raise HTTPException(401)
        return Actor(user_id=self.person.id, name=self.person.name, role=self.role,
                     organisation_id=self.person.organisation_id)


async def viewer_of(request: Request, db: AsyncSession) -> Viewer:
    """Who the request's session cookie names, if its session is live; else the public."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return Viewer(None)
    row = (await db.exec(select(WebSession).where(
        WebSession.token_hash == _token_hash(token)))).first()
    if row is None or row.expires_at < datetime.now(timezone.utc):
        return Viewer(None)
    person = await db.get(Person, row.person_id)
    return Viewer(person if person and person.active else None)


# -- signed values (short-lived cookies between two steps of signing in) ------------------------


def sign_value(secret: str, purpose: str, value, seconds: int) -> str:
    """`value` (JSON) with an expiry, signed for `purpose` only."""
    payload = base64.urlsafe_b64encode(json.dumps(
        {"v": value, "exp": int(time.time()) + seconds}).encode()).decode()
    return f"{payload}.{_sign(secret, f'{purpose}:{payload}')}"


def read_signed(keys: Sequence[str], purpose: str, token: str | None):
    """The value of a token `sign_value` made for `purpose` with one of `keys` (the settings'
    `verifying_keys`), or None if forged or expired."""
    payload, _, signature = (token or "").partition(".")
    if not payload or not _signed_by(keys, f"{purpose}:{payload}", signature):
        return None
    data = json.loads(base64.urlsafe_b64decode(payload))
    return data["v"] if data["exp"] > time.time() else None


# -- CSRF (signed double-submit cookie) -----------------------------------------------------------


def new_csrf_token(secret: str) -> str:
    nonce = secrets.token_urlsafe(18)
    return f"{nonce}.{_sign(secret, nonce)}"


def _sign(secret: str, nonce: str) -> str:
    return hmac.new(secret.encode(), nonce.encode(), hashlib.sha256).hexdigest()[:32]


def _signed_by(keys: Sequence[str], message: str, signature: str) -> bool:
    return any(hmac.compare_digest(signature, _sign(key, message)) for key in keys)


def csrf_cookie_valid(keys: Sequence[str], token: str | None) -> bool:
    if not token or "." not in token:
        return False
    nonce, signature = token.split(".", 1)
    return _signed_by(keys, nonce, signature)


async def _check_csrf(request: Request) -> None:
    cookie = request.cookies.get(CSRF_COOKIE)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        sent = (await request.form()).get(CSRF_FIELD)
    if not (csrf_cookie_valid(request.app.state.settings.verifying_keys, cookie)
            and isinstance(sent, str) and hmac.compare_digest(sent, cookie)):
        raise HTTPException(403, "CSRF-controle mislukt; laad de pagina opnieuw / "
                                 "CSRF check failed; reload the page")


# -- access ---------------------------------------------------------------------------------------


class LoginRequired(Exception):
    """Raised for an anonymous visitor on a page that needs an account; answered by a redirect."""


def permitted(roles: frozenset[Role] | tuple[Role, ...], role: Role, method: str) -> bool:
    """Whether `role` may call a route declared for `roles` with `method`. Auditors read
    everything and change nothing: a write is refused them even on a public form."""
    if role == Role.AUDITOR and method not in SAFE_METHODS and Role.AUDITOR not in roles:
        return False
    return Role.PUBLIC in roles or role in roles


def allow(*roles: Role):
    """The dependency every route declares: which roles may call it (Role.PUBLIC: anyone).
    Unsafe methods are also checked for CSRF; a posted form's uploaded files are closed once
    the route has answered (FastAPI leaves a form read through request.form() open)."""

    async def dependency(request: Request, db: Db) -> AsyncIterator[Viewer]:
        try:
            yield await _admitted(request, db, roles)
        finally:
            await request.close()

    dependency.roles = frozenset(roles)
    return dependency


def from_browsers():
    """The dependency a route declares that takes what browsers send of their own accord (the
    policy's violation reports): from anyone, without account or CSRF token, as it changes
    nothing stored and is no person's action."""

    async def dependency() -> None:
        return None

    dependency.roles = frozenset(Role)
    return dependency


async def _admitted(request: Request, db: AsyncSession,
                    roles: frozenset[Role] | tuple[Role, ...]) -> Viewer:
    """The viewer, if `roles` admit them (and an unsafe request carries its CSRF token)."""
    if request.method not in SAFE_METHODS:
        await _check_csrf(request)
    viewer = await viewer_of(request, db)
    request.state.viewer = viewer  # an error page of this request shows their own menu
    if permitted(roles, viewer.role, request.method):
        return viewer
    if viewer.person is None:
        if request.url.path.startswith("/api/"):
            raise HTTPException(401, "Log eerst in / sign in first")
        if request.url.path.endswith("/autosave"):  # said beside the form, which stays open
            raise HTTPException(401, "u bent niet meer ingelogd; log in een ander tabblad "
                                     "opnieuw in en typ dan verder / you are signed out; sign "
                                     "in again in another tab, then go on typing")
        raise LoginRequired()
    get_logger(actor=viewer.person.name, role=viewer.role.value).warning(
        "access.refused", method=request.method, path=request.url.path)
    await audit.append_as(db, viewer.person, "refused", request.url.path,
                          {"method": request.method})
    raise HTTPException(403, "Dit mag uw rol niet / your role may not do this")


def declared_roles(route) -> frozenset[Role] | None:
    """The roles a route declared through allow(), or None if it declared none."""
    for dep in route.dependant.dependencies:
        roles = getattr(dep.call, "roles", None)
        if roles is not None:
            return roles
    return None


STAFF = (Role.PROGRAMME_TEAM, Role.AUDITOR)
SIGNED_IN = (Role.PROGRAMME_TEAM, Role.ASSESSOR, Role.GRANTEE, Role.AUDITOR)
