"""Settings, read once from the environment (REGIE_*) into one object."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from pydantic import BaseModel

from regie import ROOT


class Settings(BaseModel):
    data_dir: Path = ROOT / "data"
    database_url: str = ""  # default: SQLite in data_dir
    db_pool_size: int = 40  # at least the request concurrency: sessions are held per request
    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    task_queue: str = "regie-grants"
    scheme_file: Path = ROOT / "schemes" / "sociale-veiligheid.toml"
    base_url: str = "http://127.0.0.1:8000"
    secret_key: str = ""  # default: generated once into data_dir/secret.key
    # earlier keys, comma-separated, after a rotation: what they signed (a report's link, a
    # password reset) still opens until it expires; only the first key signs
    secret_key_fallbacks: str = ""
    max_request_mb: int = 100  # the largest request the web app takes (api.limits)
    smtp_host: str = ""  # empty: mails stay in the outbox (readable in the app), none is sent
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    mail_from: str = "regie@regiegroep-sociale-veiligheid.nl"
    show_outbox: bool = True  # development: the team can read every mail in the app
    log_format: str = "console"  # or "json" in production
    secure_cookies: bool = False  # True behind HTTPS
    second_factor: bool = True  # the programme team and auditors sign in with a TOTP code
    oidc_issuer: str = ""  # single sign-on (OpenID Connect), e.g. SURFconext; empty: off
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_scopes: str = "openid email profile"
    oidc_name: str = "SURFconext"  # as the sign-in button names it
    sdk_metrics_address: str = ""  # host:port where a worker serves the SDK's Prometheus metrics
    # workflow tasks a worker runs at once: with the SDK's 100, a task waited up to 8.7 s of
    # its 10 s timeout for the others' turn on the CPU when many grants woke together
    worker_workflow_tasks: int = 20
    # workflows a worker keeps in memory between their tasks (the SDK's default); one it has
    # not kept is replayed from its history at its next task (deploy/README.md, Worker memory)
    worker_cached_workflows: int = 1000

    @property
    def verifying_keys(self) -> tuple[str, ...]:
        """The keys a signature is checked against: the current one, then the fallbacks."""
        return (self.secret_key, *(key.strip() for key in self.secret_key_fallbacks.split(",")
                                   if key.strip()))

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        values = {}
        for name in cls.model_fields:
            env = os.environ.get(f"REGIE_{name.upper()}")
            if env is not None:
                values[name] = env
        settings = cls(**(values | overrides))
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        if not settings.database_url:
            settings.database_url = f"sqlite+aiosqlite:///{settings.data_dir / 'regie.db'}"
        if not settings.secret_key:
            key_file = settings.data_dir / "secret.key"
            if not key_file.exists():
                key_file.write_text(secrets.token_urlsafe(32))
                key_file.chmod(0o600)
            settings.secret_key = key_file.read_text().strip()
        return settings
