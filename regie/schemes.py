"""Reading scheme files from disk (the parsing rules live in domain.scheme)."""

from __future__ import annotations

from pathlib import Path

from domain.scheme import Scheme, parse_scheme


def load_scheme(path: Path) -> Scheme:
    return parse_scheme(Path(path).read_text(encoding="utf-8"), str(path))
