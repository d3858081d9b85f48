"""Sign-in through the institutions' single sign-on: OpenID Connect (authorization code flow with
PKCE), as SURFconext offers it. Off unless REGIE_OIDC_ISSUER is set.

The sign-on proves an e-mail address; it creates no account. It signs in the active account
with that address; the programme team and auditors still confirm with their TOTP code.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from typing import Annotated
from urllib.parse import urlencode

import httpx
import jwt
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlmodel import select

from api.auth import Db, Viewer, allow, read_signed, sign_value
from api.signin import first_factor_passed
from api.views import render
from domain.lifecycle import Role
from regie import audit
from regie.records import Person

router = APIRouter(include_in_schema=False)

Anyone = Annotated[Viewer, Depends(allow(Role.PUBLIC))]
STATE_COOKIE = "regie_oidc"
STATE_SECONDS = 600


class SignOnFailed(Exception):
    """The provider's answer cannot be trusted or names no account; the message says why."""


async def _provider(request: Request) -> dict:
    """The provider's metadata (discovery), fetched once per process."""
    cached = getattr(request.app.state, "oidc_provider", None)
    if cached is None:
        issuer = request.app.state.settings.oidc_issuer.rstrip("/")
        async with httpx.AsyncClient(timeout=10) as http:
            response = await http.get(f"{issuer}/.well-known/openid-configuration")
            response.raise_for_status()
            cached = response.json()
        request.app.state.oidc_provider = cached
    return cached


def _redirect_uri(request: Request) -> str:
    return f"{request.app.state.settings.base_url.rstrip('/')}/login/sso/callback"


@router.get("/login/sso")
async def start(request: Request, viewer: Anyone, next: str | None = None):
    settings = request.app.state.settings
    if not settings.oidc_issuer:
        return RedirectResponse("/login", status_code=303)
    provider = await _provider(request)
    state, nonce, verifier = (secrets.token_urlsafe(24) for _ in range(3))
    challenge = base64.urlsafe_b64encode(
        hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    query = urlencode({
        "response_type": "code", "client_id": settings.oidc_client_id,
        "redirect_uri": _redirect_uri(request), "scope": settings.oidc_scopes, "state": state,
        "nonce": nonce, "code_challenge": challenge, "code_challenge_method": "S256"})
    response = RedirectResponse(f"{provider['authorization_endpoint']}?{query}", status_code=303)
    response.set_cookie(STATE_COOKIE, sign_value(settings.secret_key, "oidc", {
        "state": state, "nonce": nonce, "verifier": verifier, "next": next or ""},
        STATE_SECONDS), httponly=True, samesite="lax", secure=settings.secure_cookies,
        max_age=STATE_SECONDS)
    return response


@router.get("/login/sso/callback")
async def callback(request: Request, viewer: Anyone, db: Db, code: str = "", state: str = "",
                   error: str = ""):
    settings = request.app.state.settings
    pending = read_signed(settings.verifying_keys, "oidc", request.cookies.get(STATE_COOKIE))
    try:
        if not settings.oidc_issuer or pending is None or error:
            raise SignOnFailed(error or "expired")
        if not secrets.compare_digest(state, pending["state"]):
            raise SignOnFailed("state")
        email = await _verified_email(request, code, pending)
    except (SignOnFailed, httpx.HTTPError, jwt.PyJWTError) as exc:
        await audit.append(db, "?", "public", "sso_failed", "/login/sso", {"reason": str(exc)})
        return render(request, "login.html", {"next": "", "error": "sso_failed"},
                      status_code=400, viewer=viewer)
    person = (await db.exec(select(Person).where(
        Person.email == email, Person.active))).first()
    if person is None:
        await audit.append(db, email, "public", "sso_unknown_account", "/login/sso")
        return render(request, "login.html", {"next": "", "error": "sso_no_account",
                                              "email": email}, status_code=400, viewer=viewer)
    response = await first_factor_passed(request, db, person, pending["next"], via="sso")
    response.delete_cookie(STATE_COOKIE)
    return response


async def _verified_email(request: Request, code: str, pending: dict) -> str:
    """Exchange the code (with the PKCE verifier) and check the ID token: signature by the
    provider's keys, issuer, audience, expiry and our nonce."""
    settings = request.app.state.settings
    provider = await _provider(request)
    async with httpx.AsyncClient(timeout=10) as http:
        token = await http.post(provider["token_endpoint"], data={
            "grant_type": "authorization_code", "code": code,
            "redirect_uri": _redirect_uri(request), "code_verifier": pending["verifier"]},
            auth=(settings.oidc_client_id, settings.oidc_client_secret))
        token.raise_for_status()
        keys = (await http.get(provider["jwks_uri"])).raise_for_status().json()
    id_token = token.json().get("id_token")
    if not id_token:
        raise SignOnFailed("no id_token")
    key_id = jwt.get_unverified_header(id_token).get("kid")
    key = next((k for k in jwt.PyJWKSet.from_dict(keys).keys if k.key_id == key_id), None)
    if key is None:
        raise SignOnFailed("unknown signing key")
    claims = jwt.decode(id_token, key=key.key, algorithms=["RS256", "ES256"],
                        audience=settings.oidc_client_id, issuer=provider["issuer"],
                        options={"require": ["exp", "iat", "iss", "aud", "sub"]},
                        leeway=30)
    if not secrets.compare_digest(str(claims.get("nonce", "")), pending["nonce"]):
        raise SignOnFailed("nonce")
    if claims.get("email_verified") is False or not claims.get("email"):
        raise SignOnFailed("no verified e-mail address")
    if claims["iat"] > time.time() + 60:
        raise SignOnFailed("issued in the future")
    return str(claims["email"]).strip().lower()
