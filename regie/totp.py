"""Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps, six digits), the second
factor of the programme team and auditors; any authenticator app reads the provisioning URI."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from urllib.parse import quote

STEP_SECONDS = 30
DIGITS = 6


def new_secret() -> str:
    return base64.b32encode(secrets.token_bytes(20)).decode()


def _key(secret: str) -> bytes:
    clean = secret.replace(" ", "").upper()
    return base64.b32decode(clean + "=" * (-len(clean) % 8))


def step_at(unix_time: float) -> int:
    return int(unix_time // STEP_SECONDS)


def code_for_step(secret: str, step: int, digits: int = DIGITS) -> str:
    digest = hmac.new(_key(secret), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def code_at(secret: str, unix_time: float) -> str:
    return code_for_step(secret, step_at(unix_time))


def matching_step(secret: str, code: str, unix_time: float, after_step: int = 0) -> int | None:
    """The step `code` belongs to, allowing one step of clock drift either way; never a step at
    or before `after_step`, so a code once used cannot be used again."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    now = step_at(unix_time)
    for step in (now, now - 1, now + 1):
        if step > after_step and hmac.compare_digest(code_for_step(secret, step), code):
            return step
    return None


def provisioning_uri(secret: str, account: str, issuer: str = "Regie") -> str:
    return (f"otpauth://totp/{quote(issuer)}:{quote(account)}?secret={secret}"
            f"&issuer={quote(issuer)}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}")
