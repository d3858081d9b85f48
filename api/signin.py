"""Signing in and out. The programme team and auditors confirm with a second factor (a TOTP
code from an authenticator app): the password alone opens no session for them; it gives a
signed, five-minute ticket to the code page, where a first sign-in also enrols the app. A
forgotten password is replaced through a link mailed to the account's address."""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import delete
from sqlmodel import select

from api.auth import (
    MIN_PASSWORD, SESSION_COOKIE, SIGNED_IN, Db, Viewer, allow, close_session, hash_password,
    open_session, read_signed, sign_value, verify_password,
)
from api.views import Composed, render, with_next
from domain.lifecycle import Role
from regie import audit, throttle, totp
from regie.logging import get_logger
from regie.mail import send_once
from regie.records import Person, WebSession

router = APIRouter(include_in_schema=False)

Anyone = Annotated[Viewer, Depends(allow(Role.PUBLIC))]
SignedIn = Annotated[Viewer, Depends(allow(*SIGNED_IN))]

HOME = {Role.PROGRAMME_TEAM: "/team", Role.AUDITOR: "/team", Role.GRANTEE: "/my",
        Role.ASSESSOR: "/assessor"}
SECOND_FACTOR_ROLES = frozenset({Role.PROGRAMME_TEAM, Role.AUDITOR})
TICKET_COOKIE = "regie_2fa"
TICKET_SECONDS = 300
RESET_SECONDS = 3600  # the mail and the form say an hour


def safe_next(target: str | None, default: str) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else default


def signed_in(request: Request, token: str, target: str) -> RedirectResponse:
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax",
                        secure=request.app.state.settings.secure_cookies)
    response.delete_cookie(TICKET_COOKIE)
    return response


@router.get("/login")
async def login_form(request: Request, viewer: Anyone, next: str | None = None,
                     reset: str = ""):
    return render(request, "login.html", {"next": next or "", "error": None,
                                          "notice": "reset_done" if reset == "done" else None},
                  viewer=viewer)


@router.post("/login")
async def login(request: Request, viewer: Anyone, db: Db,
                email: Annotated[str, Form(), Composed], password: Annotated[str, Form()],
                next: Annotated[str, Form()] = ""):
    address = email.strip().lower()
    if await throttle.closed(db, throttle.PASSWORD, address):  # even for the right password
        await audit.append(db, address, "public", "sign_in_throttled", "/login")
        return render(request, "login.html", {"next": next, "error": "too_many",
                                              "email": email}, status_code=429, viewer=viewer)
    person = (await db.exec(select(Person).where(
        Person.email == address, Person.active))).first()
    if person is None or not verify_password(password, person.password_hash):
        await throttle.count(db, throttle.PASSWORD, address)
        await audit.append(db, address, "public", "sign_in_failed", "/login")
        return render(request, "login.html", {"next": next, "error": "login_failed",
                                              "email": email}, status_code=400, viewer=viewer)
    await throttle.forget(db, throttle.PASSWORD, address)
    return await first_factor_passed(request, db, person, next, via="password")


async def first_factor_passed(request: Request, db, person: Person, next: str | None,
                              via: str, where: str = ""):
    """After the password (or the institution's sign-on, or a new account's invitation: `via`):
    a session, or for the programme team and auditors a signed five-minute ticket to the code
    page. `where`: the page the audit log names (default: this request's path)."""
    target = safe_next(next, HOME[Role(person.role)])
    where = where or request.url.path
    settings = request.app.state.settings
    if settings.second_factor and Role(person.role) in SECOND_FACTOR_ROLES:
        await audit.append_as(db, person, f"{via}_accepted", where)
        response = RedirectResponse(with_next("/login/code", target), status_code=303)
        response.set_cookie(TICKET_COOKIE, sign_value(settings.secret_key, "2fa", person.id,
                                                      TICKET_SECONDS),
                            httponly=True, samesite="lax", secure=settings.secure_cookies,
                            max_age=TICKET_SECONDS)
        return response
    await audit.append_as(db, person, "signed_in", where, {"via": via})
    return signed_in(request, await open_session(db, person), target)


async def _ticket_holder(request: Request, db) -> Person | None:
    person_id = read_signed(request.app.state.settings.verifying_keys, "2fa",
                            request.cookies.get(TICKET_COOKIE))
    person = await db.get(Person, person_id) if person_id else None
    return person if person is not None and person.active else None


def _code_page(request: Request, viewer: Viewer, person: Person, next: str, error: str | None,
               status_code: int = 200):
    enrol = not person.totp_enabled
    return render(request, "login_code.html", {
        "next": next, "error": error, "enrol": enrol,
        "secret": person.totp_secret if enrol else "",
        "uri": totp.provisioning_uri(person.totp_secret, person.email) if enrol else ""},
        status_code=status_code, viewer=viewer)


@router.get("/login/code")
async def code_form(request: Request, viewer: Anyone, db: Db, next: str | None = None):
    person = await _ticket_holder(request, db)
    if person is None:
        return RedirectResponse("/login", status_code=303)
    if not person.totp_enabled and not person.totp_secret:  # first sign-in: enrol an app
        person.totp_secret = totp.new_secret()
        db.add(person)
        await db.commit()
    return _code_page(request, viewer, person, next or "", None)


@router.post("/login/code")
async def confirm_code(request: Request, viewer: Anyone, db: Db, code: Annotated[str, Form()],
                       next: Annotated[str, Form()] = ""):
    person = await _ticket_holder(request, db)
    if person is None:
        return render(request, "login.html", {"next": next, "error": "code_expired"},
                      status_code=400, viewer=viewer)
    if await throttle.closed(db, throttle.CODE, person.id):
        await audit.append_as(db, person, "second_factor_throttled", "/login/code")
        return _code_page(request, viewer, person, next, "too_many", status_code=429)
    step = totp.matching_step(person.totp_secret, code, time.time(), person.totp_last_step)
    if step is None:
        await throttle.count(db, throttle.CODE, person.id)
        await audit.append_as(db, person, "second_factor_failed", "/login/code")
        return _code_page(request, viewer, person, next, "code_wrong", status_code=400)
    await throttle.forget(db, throttle.CODE, person.id)
    enrolled = not person.totp_enabled
    person.totp_enabled, person.totp_last_step = True, step
    db.add(person)
    await db.commit()
    await audit.append_as(db, person, "signed_in", "/login/code",
                          {"second_factor": "totp", "enrolled": enrolled})
    return signed_in(request, await open_session(db, person),
                      safe_next(next, HOME[Role(person.role)]))


def _password_mark(person: Person) -> str:
    """Changes with the password: a reset link works until its password has been replaced."""
    return hashlib.sha256(person.password_hash.encode()).hexdigest()[:16]


async def _reset_holder(request: Request, db, token: str) -> Person | None:
    value = read_signed(request.app.state.settings.verifying_keys, "reset", token)
    person = await db.get(Person, value[0]) if value else None
    if person is None or not person.active or _password_mark(person) != value[1]:
        return None
    return person


@router.get("/login/forgot")
async def forgot_form(request: Request, viewer: Anyone):
    return render(request, "login_forgot.html", {"sent": False, "error": None}, viewer=viewer)


@router.post("/login/forgot")
async def forgot(request: Request, viewer: Anyone, email: Annotated[str, Form(), Composed],
                 after: BackgroundTasks):
    # The same answer, as soon, whether or not the address has an account, has had its mails
    # already, or the mail relay is down: the link is looked up and mailed after the page.
    after.add_task(_mail_reset_link, request.app, email.strip().lower())
    return render(request, "login_forgot.html", {"sent": True, "error": None}, viewer=viewer)


async def _mail_reset_link(app, address: str) -> None:
    """Mail a reset link to the active account of `address`, if it has one and may have one."""
    settings = app.state.settings
    async with app.state.sessions() as db:
        person = (await db.exec(select(Person).where(Person.email == address,
                                                     Person.active))).first()
        if person is None or await throttle.closed(db, throttle.RESET, person.id):
            return
        await throttle.count(db, throttle.RESET, person.id)
        token = sign_value(settings.secret_key, "reset",  # a nonce: a link of its own each time
                           [person.id, _password_mark(person), secrets.token_hex(4)],
                           RESET_SECONDS)
        key = f"password-reset/{hashlib.sha256(token.encode()).hexdigest()}"
        await audit.append_as(db, person, "password_reset_asked", "/login/forgot")
        link = f"{settings.base_url}/login/reset/{token}"
        try:
            await send_once(db, settings, key, f"person-{person.id}", [person.email],
                            "password_reset", {"name": person.name, "link": link})
        except OSError as error:  # the relay is down; smtplib's errors are OSErrors too
            get_logger(actor=f"person-{person.id}").warning("password_reset.mail_failed",
                                                            error=str(error))


@router.get("/login/reset/{token}")
async def reset_form(request: Request, token: str, viewer: Anyone, db: Db):
    if await _reset_holder(request, db, token) is None:
        return render(request, "login_forgot.html", {"sent": False, "error": "reset_invalid"},
                      status_code=400, viewer=viewer)
    return render(request, "login_reset.html", {"token": token, "error": None}, viewer=viewer)


@router.post("/login/reset/{token}")
async def reset(request: Request, token: str, viewer: Anyone, db: Db,
                password: Annotated[str, Form()]):
    person = await _reset_holder(request, db, token)
    if person is None:
        return render(request, "login_forgot.html", {"sent": False, "error": "reset_invalid"},
                      status_code=400, viewer=viewer)
    if len(password) < MIN_PASSWORD:
        return render(request, "login_reset.html", {"token": token, "error": (
            f"Minstens {MIN_PASSWORD} tekens / at least {MIN_PASSWORD} characters")},
            status_code=422, viewer=viewer)
    person.password_hash = hash_password(password)
    db.add(person)
    await db.exec(delete(WebSession).where(WebSession.person_id == person.id))  # signed out
    await db.commit()
    await audit.append_as(db, person, "password_reset", "/login/reset")
    return RedirectResponse("/login?reset=done", status_code=303)


@router.post("/logout")
async def logout(request: Request, viewer: SignedIn, db: Db):
    await close_session(db, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
