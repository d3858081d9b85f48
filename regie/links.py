"""Signed, expiring links: a prompt's link opens one grant's report form for one person."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Sequence
from datetime import datetime, timezone


class BadLink(ValueError):
    """A link that was altered or is for something else."""


class ExpiredLink(BadLink):
    """A genuine link whose time has passed."""


def _sign(secret: str, payload: bytes) -> str:
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()[:40]


def report_token(secret: str, person_id: int, reference: str, report_index: int,
                 expires: datetime) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(
        {"p": person_id, "r": reference, "i": report_index, "e": int(expires.timestamp())},
        separators=(",", ":")).encode()).decode().rstrip("=")
    return f"{payload}.{_sign(secret, payload.encode())}"


def read_report_token(keys: Sequence[str], token: str, now: datetime | None = None
                      ) -> tuple[int, str, int]:
    """(person id, reference, report index) of a token signed with one of `keys` (the
    settings' `verifying_keys`), or BadLink."""
    payload, _, signature = token.partition(".")
    if not signature or not any(hmac.compare_digest(signature, _sign(key, payload.encode()))
                                for key in keys):
        raise BadLink("Deze link is niet geldig / this link is not valid")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    if (now or datetime.now(timezone.utc)).timestamp() > data["e"]:
        raise ExpiredLink("Deze link is verlopen; log in om te rapporteren / this link has "
                          "expired; sign in to report")
    return data["p"], data["r"], data["i"]
