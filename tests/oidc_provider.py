"""An OpenID Connect provider for the sign-on tests, standing in for SURFconext: discovery,
authorization (the user has already signed in at the institution), the token endpoint with
client authentication and PKCE, and its signing keys. Every check a real provider makes on the
client's requests is made here; what it asserts about the user is set by the test."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from urllib.parse import urlencode

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.responses import RedirectResponse


class Provider:
    def __init__(self, client_id: str, client_secret: str) -> None:
        self.client_id, self.client_secret = client_id, client_secret
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(4)
        self.issuer = ""  # set once served
        self.email = ""  # who signs in at the institution next
        self.codes: dict[str, dict] = {}
        self.app = self._build()

    def _jwk(self) -> dict:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}

    def _build(self) -> FastAPI:
        app = FastAPI()

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return {"issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
                    "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/jwks",
                    "response_types_supported": ["code"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "code_challenge_methods_supported": ["S256"]}

        @app.get("/jwks")
        def jwks():
            return {"keys": [self._jwk()]}

        @app.get("/authorize")
        def authorize(request: Request):
            q = request.query_params
            if q["client_id"] != self.client_id or q["response_type"] != "code":
                raise HTTPException(400, "invalid_request")
            code = secrets.token_urlsafe(16)
            self.codes[code] = {"redirect_uri": q["redirect_uri"], "nonce": q["nonce"],
                                "challenge": q["code_challenge"], "email": self.email}
            return RedirectResponse(
                f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q['state']})}",
                status_code=302)

        @app.post("/token")
        def token(request: Request, code: str = Form(), redirect_uri: str = Form(),
                  code_verifier: str = Form(), grant_type: str = Form()):
            auth = request.headers.get("authorization", "")
            expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode())
            if auth != f"Basic {expected.decode()}":
                raise HTTPException(401, "invalid_client")
            grant = self.codes.pop(code, None)
            challenge = base64.urlsafe_b64encode(
                hashlib.sha256(code_verifier.encode()).digest()).decode().rstrip("=")
            if (grant is None or grant_type != "authorization_code"
                    or grant["redirect_uri"] != redirect_uri or grant["challenge"] != challenge):
                raise HTTPException(400, "invalid_grant")
            now = int(time.time())
            claims = {"iss": self.issuer, "aud": self.client_id, "sub": grant["email"],
                      "email": grant["email"], "email_verified": True, "iat": now,
                      "exp": now + 300, "nonce": grant["nonce"],
                      "schac_home_organization": grant["email"].split("@")[1]}
            return {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer",
                    "id_token": jwt.encode(claims, self.key, algorithm="RS256",
                                           headers={"kid": self.kid})}

        return app
