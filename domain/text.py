"""Text in both interface languages: Dutch first, English second."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

LANGUAGES = ("nl", "en")


@dataclass(frozen=True)
class Text:
    nl: str
    en: str

    def __call__(self, lang: str) -> str:
        return self.en if lang == "en" else self.nl


def number(value: float | str, lang: str) -> str:
    """A decimal number as the interface and the letters write one: 3,5 in Dutch, 3.5 in
    English, no trailing zeros (4, not 4.0); a workflow's letter context holds numbers as text,
    and an empty one stays empty."""
    if value == "":
        return ""
    text = f"{float(value):f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if lang == "nl" else text


def day(iso: str | None) -> str:
    """A day as records and workflows hold it (ISO) written as the interface and the letters
    write one, in either language: 18-12-2026 ('?' when there is none)."""
    return date.fromisoformat(iso).strftime("%d-%m-%Y") if iso else "?"
