"""Saves from a form opened before someone else's save. An application's draft and a report's
draft are each written by whoever of the organisation has its form open; each counts its saves
(`revision`), and the form carries the count it was opened with. A save whose form carries an
older count would replace, unseen, what a colleague (or the same person in another window)
saved in between: it is refused with who saved and when, and the person decides. A request
without a count (the JSON API's) saves as before."""

from __future__ import annotations

from datetime import datetime, tzinfo

from starlette.datastructures import FormData

from domain.text import Text


class Collision(Exception):
    """The draft was saved `at` after the form was opened, `by` a colleague (their name), or
    by None: the same person elsewhere, or someone not known."""

    def __init__(self, at: datetime, by: str | None = None):
        super().__init__(at)
        self.at, self.by = at, by

    def message(self, tz: tzinfo, lang: str, *, on_form: bool) -> str:
        """Why nothing was saved, and what now, in `lang`: `on_form`, the form sent is shown
        again with what was typed (sending it again replaces the other save); else (an
        autosave) what is typed is no longer saved as it is typed."""
        at = self.at.astimezone(tz).strftime("%d-%m-%Y %H:%M")
        nl_by, en_by = (f"door {self.by}", f"by {self.by}") if self.by else (
            "elders (in een ander venster of door een collega)",
            "elsewhere (in another window or by a colleague)")
        if on_form:
            return Text(
                f"Dit concept is op {at} opgeslagen {nl_by}, nadat u dit formulier opende. "
                "Hieronder staat wat u typte, niet opgeslagen; opslaan of indienen vervangt nu "
                "die versie door de uwe.",
                f"This draft was saved on {at} {en_by}, after you opened this form. Below is "
                "what you typed, not saved; saving or sending now replaces that version with "
                "yours.")(lang)
        return Text(
            f"dit concept is op {at} opgeslagen {nl_by}, nadat u dit formulier opende; wat u "
            "typt, wordt niet meer vanzelf opgeslagen. Kopieer het en laad de pagina opnieuw.",
            f"this draft was saved on {at} {en_by}, after you opened this form; what you type "
            "is no longer saved as you type. Copy it and reload the page.")(lang)


def form_revision(form: FormData) -> int | None:
    """The count of saves the form was opened with; None where it carries none."""
    value = form.get("revision")
    return int(value) if isinstance(value, str) and value.isdigit() else None
