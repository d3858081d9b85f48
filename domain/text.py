"""Text in both interface languages: Dutch first, English second."""

from __future__ import annotations

from dataclasses import dataclass

LANGUAGES = ("nl", "en")


@dataclass(frozen=True)
class Text:
    nl: str
    en: str

    def __call__(self, lang: str) -> str:
        return self.en if lang == "en" else self.nl
