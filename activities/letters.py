"""Decision letters: rendered from templates in Dutch and English, kept as PDF with the grant,
and sent by e-mail with the PDF attached, once."""

from __future__ import annotations

import hashlib

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio import activity

from domain.money import euros
from domain.schedules import local_day
from domain.scheme import Scheme
from domain.text import day, number
from domain.types import LetterRequest
from regie import ROOT
from regie.logging import get_logger
from regie.mail import applicant_contacts, send_once
from regie.pdf import document, font_for, write_lines
from regie.records import Application, Letter, Organisation
from regie.settings import Settings

LETTERS = Environment(loader=FileSystemLoader(ROOT / "templates" / "letters"),
                      undefined=StrictUndefined, keep_trailing_newline=True)
LETTERS.filters["number"] = pass_context(lambda context, value: number(value, context["lang"]))
LETTERS.filters["day"] = day


def render_letter(kind: str, lang: str, context: dict[str, str]) -> tuple[str, str]:
    """The letter's subject and body in `lang`. A template writes each paragraph on one line
    (the addressee's lines and the closing keep theirs): the PDF breaks lines where the page
    is full, and a mail reader where its window is."""
    subject, _, body = LETTERS.get_template(f"{kind}.{lang}.txt").render(
        **context, lang=lang).partition("\n")
    return subject.removeprefix("Subject:").strip(), body.strip()


SENDER = "Regiegroep Sociale Veiligheid in Hoger Onderwijs en Wetenschap"


def letter_pdf(pages: list[tuple[str, str]]) -> bytes:
    """One page per language (a long body runs on to the next), Dutch first, titled with the
    first subject: a decision as the funder's archive keeps it (PDF/A, regie/pdf.py)."""
    pdf = document(pages[0][0], "nl")
    pdf.set_margins(25, 25, 25)
    pdf.set_author(SENDER)
    font = font_for(pdf, [SENDER, *(part for page in pages for part in page)])
    for subject, body in pages:
        pdf.add_page()
        pdf.set_font(font, size=9)
        write_lines(pdf, SENDER, 5)
        pdf.ln(8)
        pdf.set_font(font, style="B", size=12)
        write_lines(pdf, subject, 6)
        pdf.ln(4)
        pdf.set_font(font, size=11)
        write_lines(pdf, body, 5.5)
    return bytes(pdf.output())


class LetterActivities:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Settings,
                 scheme: Scheme) -> None:
        self.sessions = sessions
        self.settings = settings
        self.projects_end = f"{scheme.scheme.projects_end:%d-%m-%Y}"
        self.objections_to = scheme.scheme.objections_to
        self.timezone = scheme.scheme.timezone

    @activity.defn(name="issue_letter")
    async def issue_letter(self, req: LetterRequest) -> None:
        async with self.sessions() as db:
            app = (await db.exec(select(Application).where(
                Application.reference == req.reference))).one()
            org = await db.get(Organisation, app.organisation_id)
            money = {f"{k}_eur": euros(int(req.context[k]))
                     for k in ("amount", "final", "balance", "advance", "previous",
                               "advance_change") if req.context.get(k)}
            context = {**req.context, **money, "reference": app.reference, "title": app.title,
                       "organisation": org.name, "projects_end": self.projects_end,
                       "objections_to": self.objections_to,
                       # the letter's date: the day the workflow asked for it, in the
                       # programme's time zone, the same on every attempt
                       "dated": local_day(activity.info().scheduled_time,
                                          self.timezone).isoformat(),
                       "link": f"{self.settings.base_url}/grants/{app.reference}"}
            nl, en = render_letter(req.kind, "nl", context), render_letter(req.kind, "en", context)
            letter = (await db.exec(select(Letter).where(Letter.key == req.key))).first()
            if letter is None:
                content = letter_pdf([nl, en])
                folder = self.settings.data_dir / "letters"
                folder.mkdir(parents=True, exist_ok=True)
                # named as the workflow names the letter: a grant may have more of one kind
                file_name = f"{app.reference}-{req.key.rpartition('/letter-')[2]}.pdf"
                (folder / file_name).write_bytes(content)
                letter = Letter(key=req.key, reference=app.reference, kind=req.kind,
                                file_name=file_name, sha256=hashlib.sha256(content).hexdigest())
                db.add(letter)
                await db.commit()
            recipients = [p.email for p in await applicant_contacts(db, app.organisation_id)]
            await send_once(db, self.settings, req.key, app.reference, recipients,
                            "letter", {"subject": f"{nl[0]} / {en[0]}", "body_nl": nl[1],
                                       "body_en": en[1]},
                            attachment=f"letters/{letter.file_name}")
        get_logger(grant=req.reference, workflow_id=activity.info().workflow_id).info(
            "letter.issued", kind=req.kind)
