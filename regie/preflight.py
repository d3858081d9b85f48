"""What a command needs before it starts, checked first: a wrong setting is one line that names
it, not a traceback after half a start."""

from __future__ import annotations

from domain.scheme import SchemeError
from regie.db import sync_url
from regie.schemes import load_scheme
from regie.settings import Settings

DID_NOT_START = "Regie did not start:"


def check_scheme(settings: Settings) -> None:
    """The scheme file (REGIE_SCHEME_FILE) can be read and holds a valid scheme."""
    try:
        load_scheme(settings.scheme_file)
    except SchemeError as exc:  # names the file, the key and the problem
        raise SystemExit(f"{DID_NOT_START} {exc}") from None
    except OSError as exc:
        raise SystemExit(f"{DID_NOT_START} the scheme file {settings.scheme_file} cannot be read "
                         f"({exc.strerror}); REGIE_SCHEME_FILE names it.") from None


def check_database(settings: Settings) -> None:
    """REGIE_DATABASE_URL is a database Regie can use, and it answers."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import ArgumentError, DBAPIError

    shown = _without_password(settings.database_url)
    try:
        engine = create_engine(sync_url(settings.database_url))
    except (ArgumentError, ImportError) as exc:  # not a URL; a driver Regie does not bring
        raise SystemExit(f"{DID_NOT_START} REGIE_DATABASE_URL ({shown}) is not a database Regie "
                         f"can use ({exc}). Regie uses sqlite+aiosqlite:///<file> or "
                         "postgresql://<user>@<host>/<database>.") from None
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise SystemExit(f"{DID_NOT_START} its database ({shown}) does not answer: {reason}") \
            from None
    finally:
        engine.dispose()


def _without_password(url: str) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url.split("@")[-1] if "@" in url else url
