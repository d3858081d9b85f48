"""Decision letters as PDF: lines broken within the margins, every word kept, in order."""

from __future__ import annotations

import io

import pytest
from fpdf import FPDF
from pypdf import PdfReader

from activities.letters import letter_pdf, render_letter
from domain.text import number
from regie.pdf import font_for, latin1, wrap

# A decision letter's context as the grant workflow hands it over: every value text.
CONTEXT = {"reference": "SV2027-0042", "title": "Veilig op de campus",
           "organisation": "Hogeschool Utrecht", "reason": "Rang 2 van 31.",
           "amount_eur": "€ 125.000,00", "projects_end": "31-12-2027",
           "link": "https://regie.example/grants/SV2027-0042", "objection_weeks": "6",
           "objections_to": "bezwaar@regiegroep.example", "advance": "10000000",
           "dated": "2027-04-14",
           "advance_eur": "€ 100.000,00",
           "threshold": "3.0", "total": "11.5", "score_ambitie": "4.0",
           "score_impact": "3.5", "score_verankering": "4.0"}


def by_chars(text: str) -> float:
    return len(text)


@pytest.mark.parametrize("text, width, lines", [
    ("", 10, [""]),
    ("kort", 10, ["kort"]),
    ("precies tien", 12, ["precies tien"]),
    ("een twee drie vier", 9, ["een twee", "drie vier"]),
    ("een\n\ntwee", 10, ["een", "", "twee"]),
    ("a https://regie.example/grants/SV2026-0001 b", 10,
     ["a", "https://re", "gie.exampl", "e/grants/S", "V2026-0001", "b"]),
    ("x" * 25, 10, ["x" * 10, "x" * 10, "x" * 5]),
    ("aa € 12,00 b", 8, ["aa", "€ 12,00", "b"]),  # an amount keeps its sign
    ("u € 12,00 en € 3", 8, ["u", "€ 12,00", "en € 3"]),
    ("prijs €", 7, ["prijs €"]), ("prijs €", 6, ["prijs", "€"]),
])
def test_wrap_breaks_at_spaces_and_only_splits_a_word_too_long_for_a_line(text, width, lines):
    assert list(wrap(text, width, by_chars)) == lines


def test_wrap_keeps_every_word_in_order_and_each_line_within_the_width():
    text = " ".join(f"woord{i}" * (i % 4 + 1) for i in range(300))
    for width in (7, 13, 40, 90):
        lines = list(wrap(text, width, by_chars))
        assert all(len(line) <= width for line in lines)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_a_letter_writes_scores_as_its_language_writes_numbers():
    """The workflow hands the letter its scores as text ("3.5", "4.0"); the Dutch letter
    writes 3,5 and 4, the English one 3.5 and 4."""
    context = CONTEXT
    nl = " ".join(render_letter("rejection", "nl", context)[1].split())
    en = " ".join(render_letter("rejection", "en", context)[1].split())
    assert "Ambitie 4, Impact 3,5, Verankering 4 (totaal 11,5)" in nl
    assert "gemiddeld 3 of hoger" in nl
    assert "Ambition 4, Impact 3.5, Embedding 4 (total 11.5)" in en


@pytest.mark.parametrize("value, nl, en", [
    (3.5, "3,5", "3.5"), ("4.0", "4", "4"), (10, "10", "10"), (0.25, "0,25", "0.25"),
    (1234.5, "1234,5", "1234.5"), ("", "", ""),
])
def test_numbers_in_either_language(value, nl, en):
    assert (number(value, "nl"), number(value, "en")) == (nl, en)


def _shown_lines(pdf: bytes) -> list[list[tuple[str, float, str, float]]]:
    """Each page's lines as a PDF reader reads them, in order: the style (regular "" or bold
    "B") and size each is set in, its text, and its height on the page (points)."""
    pages = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        lines = []

        def line(text, _cm, tm, font, size):
            if text.strip():
                bold = str(font["/BaseFont"]).endswith("Bold")
                lines.append(("B" if bold else "", size, text, tm[5]))
        page.extract_text(visitor_text=line)
        pages.append(lines)
    return pages


def test_a_letter_shows_all_its_text_and_a_long_body_runs_on_to_a_new_page():
    context = {**CONTEXT, "reason": "Rang 2 van 31. " * 200}
    nl, en = render_letter("award", "nl", context), render_letter("award", "en", context)
    lines = _shown_lines(letter_pdf([nl, en]))
    pages = [[text for _font, _size, text, _y in page] for page in lines]
    assert len(pages) == 4  # each language's long reason runs on to a second page
    letterhead = "Regiegroep Sociale Veiligheid in Hoger Onderwijs en Wetenschap"
    assert [page[0] == letterhead for page in pages] == [True, False, True, False]
    shown = " ".join(" ".join(page[page[0] == letterhead:]) for page in pages)
    expected = " ".join(f"{subject} {body}" for subject, body in (nl, en))
    assert shown.split() == expected.split()
    assert pages[0][1] == "Besluit op uw aanvraag SV2027-0042: subsidie toegekend"
    assert pages[2][1].startswith("Decision on your application SV2027-0042")

    ruler = FPDF(format="A4")  # every line fits between the letter's margins of 25 mm
    family = font_for(ruler, [])
    for style, size, text, _y in (line for page in lines for line in page):
        ruler.set_font(family, style=style, size=size)
        assert ruler.get_string_width(text) <= ruler.w - 2 * 25, text


EVERY_KIND = {**CONTEXT, "final_eur": "€ 118.250,00", "balance": "-675000",
              "balance_eur": "-€ 6.750,00", "objection_until": "2027-01-18",
              "previous_eur": "€ 140.000,00", "advance_change": "-1500000",
              "advance_change_eur": "-€ 15.000,00"}


@pytest.mark.parametrize("kind", ["award", "rejection", "objection_upheld",
                                  "objection_dismissed", "settlement", "amendment"])
def test_a_letter_breaks_a_paragraph_only_where_the_page_is_full(kind):
    """A template writes each paragraph on one line: the letter breaks it where the next word
    no longer fits, not where the template's source line ended. Lines one line apart belong to
    one paragraph; the addressee and subject lines, and the closing, are lines of their own."""
    pages = [render_letter(kind, lang, EVERY_KIND) for lang in ("nl", "en")]
    ruler = FPDF(format="A4")
    ruler.set_font(font_for(ruler, []), size=11)
    width = ruler.w - 2 * 25
    breaks = 0
    for page in _shown_lines(letter_pdf(pages)):
        body = [(text, y) for _style, size, text, y in page if size == 11]
        for (text, y), (after, below) in zip(body, body[1:]):
            if round(y - below, 1) != round(5.5 * 72 / 25.4, 1) or after.startswith((
                    "Datum:", "Date:", "Betreft:", "Concerning:", "Regiegroep")):
                continue  # a new paragraph, or a line of its own
            breaks += 1
            first = " ".join(after.split()[:2 if after.startswith("€ ") else 1])  # an amount
            assert ruler.get_string_width(f"{text} {first}") > width, (text, after)
    assert breaks > 0  # every kind has a paragraph longer than a line


@pytest.mark.parametrize("typed, shown", [
    ("Veilig op de campus", "Veilig op de campus"),
    ("é ü ß ø Ø ó ñ", "é ü ß ø Ø ó ñ"),  # Latin-1 as it is
    ("€ 80.000,00", "EUR 80.000,00"),
    ("“Veilig” – samen…", '"Veilig" - samen...'),  # from a word processor
    ("‘t Hof’s", "'t Hof's"),
    ("Şahin, Dąbrowski, İlhan, Nguyễn, Őry", "Sahin, Dabrowski, Ilhan, Nguyen, Ory"),
    ("Łódź, Đorđević, Œuvre", "Lódz, Dordevic, OEuvre"),
    ("ﬁets", "fiets"),
    ("Samen 💪 veilig, 中文", "Samen ? veilig, ??"),  # what has no Latin-1 form
])
def test_text_a_font_lacks_is_written_as_near_as_latin1_allows(typed, shown):
    assert latin1(typed) == shown


@pytest.mark.parametrize("kind", ["award", "settlement", "amendment"])
def test_an_award_or_a_settlement_says_to_whom_an_objection_goes_and_what_it_holds(kind):
    """Regie takes objections to a rejection only (through the grant's page): the letter of an
    award, an amendment of it or a settlement names the funder and the scheme's address for
    objections, where set, and what an objection holds (Awb 6:5), not the grant's page."""
    def text(lang: str, **context) -> str:
        return " ".join(render_letter(kind, lang, {**EVERY_KIND, **context})[1].split())
    assert ("binnen 6 weken bezwaar maken bij de Regiegroep Sociale Veiligheid in Hoger Onderwijs "
            "en Wetenschap: bezwaar@regiegroep.example. Uw bezwaarschrift is ondertekend en "
            "noemt uw naam en adres, de datum, het kenmerk SV2027-0042 en de redenen van uw "
            "bezwaar.") in text("nl")
    assert ("object within 6 weeks to the Regiegroep Sociale Veiligheid in Hoger Onderwijs en "
            "Wetenschap: bezwaar@regiegroep.example. Your objection is signed and gives your "
            "name and address, the date, the reference SV2027-0042") in text("en")
    assert "Hoger Onderwijs en Wetenschap. Uw bezwaarschrift" in text("nl", objections_to="")
    assert "bezwaar maken via" not in text("nl") and " at https://" not in text("en")


@pytest.mark.parametrize("kind", ["objection_upheld", "objection_dismissed"])
def test_a_decision_on_an_objection_says_how_to_appeal(kind):
    for lang, appeal in (("nl", "binnen zes weken beroep instellen bij de bestuursrechter: de "
                                "rechtbank van het arrondissement waar u bent gevestigd."),
                         ("en", "appeal within six weeks to the administrative court: the "
                                "district court for the place where you are established.")):
        assert appeal in " ".join(render_letter(kind, lang, EVERY_KIND)[1].split())


def test_a_dismissal_gives_its_reasons_unless_its_letter_was_asked_for_before_it_could():
    reasons = {**EVERY_KIND, "dismissed_because": "De rangorde verandert niet."}
    assert "in stand. Toelichting: De rangorde verandert niet. Zie https://" in " ".join(
        render_letter("objection_dismissed", "nl", reasons)[1].split())
    assert "stands. Explanation: De rangorde verandert niet. See https://" in " ".join(
        render_letter("objection_dismissed", "en", reasons)[1].split())
    assert "in stand. Zie https://" in " ".join(
        render_letter("objection_dismissed", "nl", EVERY_KIND)[1].split())


@pytest.mark.parametrize("kind", ["award", "rejection", "objection_upheld",
                                  "objection_dismissed", "settlement"])
def test_a_letter_is_dated(kind):
    """A decision bears its date (dagtekening): the objection term runs from it."""
    for lang, line in (("nl", "Datum: 14-04-2027"), ("en", "Date: 14-04-2027")):
        assert render_letter(kind, lang, EVERY_KIND)[1].splitlines()[1] == line


@pytest.mark.parametrize("kind", ["award", "objection_upheld"])
def test_an_award_names_its_advance(kind):
    """The advance the round pays on the award (domain.payments); none named when it pays none,
    nor in a letter asked for before the workflow passed it."""
    def text(lang: str, context: dict) -> str:
        return " ".join(render_letter(kind, lang, context)[1].split())
    assert "Daarvan betalen wij u € 100.000,00 als voorschot." in text("nl", CONTEXT)
    assert "Of this, we pay you € 100.000,00 in advance." in text("en", CONTEXT)
    before = {k: v for k, v in CONTEXT.items() if not k.startswith("advance")}
    for context in ({**CONTEXT, "advance": "0"}, before):
        assert "voorschot" not in text("nl", context) and "in advance" not in text("en", context)


def test_a_rejection_names_the_last_day_to_object():
    """The workflow hands the letter the objection term's last day; a grant decided before
    `terms-whole-days` hands none, and its letter gives the weeks alone."""
    def text(lang: str, context: dict[str, str]) -> str:
        return " ".join(render_letter("rejection", lang, context)[1].split())
    named = {**CONTEXT, "objection_until": "2027-01-18"}
    assert "binnen 6 weken, tot en met 18-01-2027, bezwaar maken via" in text("nl", named)
    assert "within 6 weeks, until the end of 18-01-2027, at https://" in text("en", named)
    assert "binnen 6 weken bezwaar maken via https://" in text("nl", CONTEXT)
    assert "within 6 weeks at https://" in text("en", CONTEXT)


@pytest.mark.parametrize("change, nl, en", [
    ("-1500000", "Het voorschot gaat mee omlaag: u betaalt € 15.000,00 terug; u ontvangt "
                 "daarvoor een betaalverzoek.",
     "The advance falls with it: you repay € 15.000,00; a payment request follows."),
    ("500000", "Het voorschot gaat mee omhoog: wij betalen u nog € 5.000,00, zodat u "
               "€ 100.000,00 als voorschot ontvangt.",
     "The advance rises with it: we pay you another € 5.000,00, so that your advance comes to "
     "€ 100.000,00."),
    ("0", "Het voorschot verandert niet.", "The advance does not change."),
])
def test_an_amendment_says_the_new_amount_and_what_it_does_to_the_advance(change, nl, en):
    context = {**EVERY_KIND, "advance_change": change,
               "advance_change_eur": ("-€ 15.000,00" if change.startswith("-") else
                                      "€ 5.000,00" if change != "0" else "€ 0,00")}
    dutch, english = (" ".join(render_letter("amendment", lang, context)[1].split())
                      for lang in ("nl", "en"))
    assert render_letter("amendment", "nl", context)[0] == "Wijziging subsidie SV2027-0042"
    assert ("Wij wijzigen het besluit tot toekenning van uw subsidie: het bedrag wordt "
            "€ 125.000,00 (was € 140.000,00).") in dutch
    assert "its amount becomes € 125.000,00 (it was € 140.000,00)." in english
    assert nl in dutch and en in english
    assert "stellen wij de subsidie vast op ten hoogste € 125.000,00" in dutch
    assert "we settle the grant at € 125.000,00 at most" in english
