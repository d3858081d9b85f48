"""Text in both interface languages: Dutch first, English second."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

LANGUAGES = ("nl", "en")
_THOUSANDS = re.compile(r"\d{1,3}(\.\d{3})+")  # 12.000, 1.234.567: dots that group thousands
_NUMBER = re.compile(r"\d+(\.\d{1,2})?")


@dataclass(frozen=True)
class Text:
    nl: str
    en: str

    def __call__(self, lang: str) -> str:
        return self.en if lang == "en" else self.nl


def composed(value: Any) -> Any:
    """`value` with every text in it, in lists and in the values of dicts too, composed as
    Unicode composes it (NFC): a letter typed or pasted as e + a combining accent becomes the
    one character é that a search, a comparison or a font expects. Anything else is as given.
    What people type is composed where it comes in (api.views: `posted`, `Composed`)."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)  # a composed text comes back as it is
    if isinstance(value, dict):
        return {key: composed(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(composed(item) for item in value)
    return value


def read_number(text: str) -> Decimal | None:
    """A number of at most two decimals as a person types it, in either language: 2,5 or 2.5;
    1.000 and 1.000,5 group thousands as Dutch writes them (a dot before three digits and no
    comma). None if it cannot be read for sure: 1,000.5, 1.2.3, a sign, more decimals."""
    cleaned = text.replace(" ", "").replace("\u00a0", "")
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    elif _THOUSANDS.fullmatch(cleaned):
        cleaned = cleaned.replace(".", "")
    return Decimal(cleaned) if _NUMBER.fullmatch(cleaned) else None


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
