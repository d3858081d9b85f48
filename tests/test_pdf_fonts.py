"""PDF documents keep every letter of a name: the core font Helvetica where Latin-1 holds them,
DejaVu Sans embedded where it does not (regie/pdf.py), read back as a PDF reader reads them."""

from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest
from fpdf import FPDF
from pypdf import PdfReader

from activities.letters import letter_pdf, render_letter
from api.history import HistoryLine, timeline_pdf
from regie.pdf import CORE, EMBEDDED, font_for, shown, string_width
from tests.test_letters import CONTEXT


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def embeds_a_font(pdf: bytes) -> bool:
    return b"/FontFile2" in pdf


def letter(**context) -> bytes:
    return letter_pdf([render_letter("award", lang, {**CONTEXT, **context})
                       for lang in ("nl", "en")])


@pytest.mark.parametrize("texts, family", [
    (["Veilig op de campus", "é ü ß ø Ø ó ñ"], CORE),
    (["€ 80.000,00 – “Veilig” ‘t Hof’s…"], CORE),  # punctuation made plain keeps every letter
    ([], CORE),
    (["", "Şahin"], EMBEDDED),
    (["Veilig", "Łódź"], EMBEDDED),
    (["Őry"], EMBEDDED),
    (["Nguyễn"], EMBEDDED),
    (["Əliyev"], EMBEDDED),
    (["Ελένη Παπαδοπούλου"], EMBEDDED),
    (["Ольга Шевченко"], EMBEDDED),
    (["Université"], CORE),  # é typed as e and its mark: Latin-1 holds é
    (["Nguye\u0302\u0303n"], EMBEDDED),  # ễ as e and two marks
    (["ﬁets, ＡＢ"], CORE),  # compatibility forms: plain letters lose nothing
    (["Samen 💪 veilig, 中文, ⅓"], CORE),  # the embedded font lacks them too: "?" either way
])
def test_the_core_font_serves_unless_latin1_lacks_a_letter(texts, family):
    assert font_for(FPDF(), texts) == family


def test_a_letter_in_latin1_embeds_no_font_and_reads_back_as_the_core_font_writes_it():
    pdf = letter(title="Veilig op de campus, “samen”", organisation="Université d’Été")
    assert not embeds_a_font(pdf)
    text = text_of(pdf)
    assert 'Veilig op de campus, "samen"' in text and "Université d'Été" in text
    assert "EUR 125.000,00" in text


def test_a_letter_with_a_name_beyond_latin1_reads_back_with_every_letter():
    title = "Doğan, Łódź en Nguyễn: “samen” veilig"
    pdf = letter(title=title, organisation="Şehir Üniversitesi", reason="Rang 1 – € 5.000.")
    assert embeds_a_font(pdf)
    text = text_of(pdf)
    for typed in (title, "Şehir Üniversitesi", "Rang 1 – € 5.000.", "€ 125.000,00",
                  "Besluit op uw aanvraag SV2027-0042",
                  "Regiegroep Sociale Veiligheid in Hoger Onderwijs en Wetenschap"):
        assert typed in text, typed


def test_what_the_embedded_font_lacks_is_written_as_near_as_latin1_allows():
    pdf = FPDF()
    pdf.set_font(font_for(pdf, ["Ş"]), size=11)
    assert shown(pdf, "Şahin 💪 Ωmega 中\nŁ") == "Şahin ? Ωmega ?\nŁ"
    pdf.set_font(CORE, size=11)
    assert shown(pdf, "Şahin 💪 Ωmega\nŁ") == "Sahin ? ?mega\nL"


@pytest.mark.parametrize("family", [CORE, EMBEDDED])
def test_a_letter_typed_as_a_letter_and_its_marks_is_written_as_one(family):
    """Text pasted from some systems holds é as e and a combining mark; the core font has no
    such mark, and in the embedded one it would stand apart from its letter."""
    pdf = FPDF()
    pdf.set_font(font_for(pdf, ["Ş"]) if family == EMBEDDED else family, size=11)
    assert shown(pdf, "Universite\u0301 Nguye\u0302\u0303n") == (
        "Université Nguyễn" if family == EMBEDDED else "Université Nguyen")
    assert shown(pdf, "q\u0303") == ("q\u0303" if family == EMBEDDED else "q")


def test_a_letter_in_greek_and_cyrillic_reads_back_with_every_letter():
    pdf = letter(title="Ασφάλεια στην πανεπιστημιούπολη",
                 organisation="Київський університет, Ελένη Παπαδοπούλου")
    assert embeds_a_font(pdf)
    text = text_of(pdf)
    for typed in ("Ασφάλεια στην πανεπιστημιούπολη",
                  "Київський університет, Ελένη Παπαδοπούλου", "€ 125.000,00"):
        assert typed in text, typed


def test_a_string_measures_as_fpdf2_measures_it_in_the_embedded_font():
    """wrap adds up each word's width: that holds only while fpdf2 neither kerns nor shapes."""
    pdf = FPDF(format="A4")
    pdf.add_page()
    family = font_for(pdf, ["Ş"])
    for style, size in (("", 9), ("B", 12), ("", 11)):
        pdf.set_font(family, style=style, size=size)
        measure = string_width(pdf)
        for line in ("Doğan, Łódź en Nguyễn: “samen” veilig – € 5.000", "AVAWAY Ta To fi fl",
                     "Ελένη Παπαδοπούλου, Ольга Шевченко"):
            assert measure(line) == pytest.approx(pdf.get_string_width(line), abs=1e-9)


def test_an_audit_timeline_keeps_each_name_as_typed():
    at = datetime(2027, 3, 1, 9, 30, tzinfo=timezone.utc)
    lines = [HistoryLine(5, at, "WORKFLOW_EXECUTION_UPDATE_ACCEPTED", "Ayşe Doğan (team)",
                         "decide: toegekend, € 80.000,00"),
             HistoryLine(6, at, "ACTIVITY_TASK_SCHEDULED", "systeem", "record_event")]
    pdf = timeline_pdf("Grant SV2027-0042", lines, ["Geschiedenis gelezen / history read"])
    assert embeds_a_font(pdf)
    text = text_of(pdf)
    assert "Ayşe Doğan (team)" in text and "€ 80.000,00" in text
    assert "Grant SV2027-0042" in text and "record_event" in text
    plain = timeline_pdf("Grant SV2027-0042", lines[1:], [])
    assert not embeds_a_font(plain) and "record_event" in text_of(plain)
