"""PDF documents as the funder's archive keeps them (PDF/A-2u: every font embedded, the XMP
metadata, the sRGB output intent, every character written mapped to Unicode) and with every
letter of a name: DejaVu Sans cut down to Latin-1 where Latin-1 holds them, the wide cut where
it does not (regie/pdf.py), read back as a PDF reader reads them. No PDF/A validator (veraPDF)
is to be had here: these tests read back what the standard asks of these documents, and fpdf2
refuses what the part forbids."""

from __future__ import annotations

import io
import re
from datetime import datetime, timezone

import pytest
from fontTools.ttLib import TTFont
from fpdf import FPDF
from pypdf import PdfReader
from pypdf.generic import ContentStream

from activities.letters import letter_pdf, render_letter
from api.history import HistoryLine, timeline_pdf
from regie.pdf import LATIN1, WIDE, font_for, shown, string_width
from tests.test_letters import CONTEXT


def read(pdf: bytes) -> PdfReader:
    """The document as pypdf reads it strictly: a fault in its structure (the cross-reference
    table, a stream's length) is an error, not a warning it reads past."""
    return PdfReader(io.BytesIO(pdf), strict=True)


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in read(pdf).pages)


# Unicode values ISO 19005-2 does not allow a character written to map to (6.2.11.7.2), or
# not without an ActualText these documents do not write (6.2.11.7.3: private use)
FORBIDDEN = {"\u0000", "\ufeff", "\ufffe", *map(chr, range(0xE000, 0xF900))}


def written(pdf: bytes) -> str:
    """Every character the document's pages write, through each font's ToUnicode map, each
    asserted to be what levels U and B ask (6.2.11.7, 6.2.11.8): a code the map holds, whose
    Unicode is none that the standard forbids, and whose glyph is not .notdef (glyph 0)."""
    reader = read(pdf)
    text = []
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"Tf":
                font = fonts[operands[0]].get_object()
                to_unicode = font["/ToUnicode"].get_object().get_data().decode("latin-1")
                assert "bfrange" not in to_unicode  # fpdf2 maps each code on its own
                unicode = {int(code, 16): bytes.fromhex(value).decode("utf-16-be")
                           for code, value in re.findall(
                               r"<([0-9A-F]{4})> <([0-9A-F]+)>", to_unicode.partition(
                                   "beginbfchar")[2])}
                gids = font["/DescendantFonts"][0].get_object()["/CIDToGIDMap"].get_data()
            elif operator in (b"Tj", b"TJ", b"'", b'"'):
                assert operator == b"Tj", operator  # what fpdf2 writes without shaping
                raw = operands[0].original_bytes
                for code in (int.from_bytes(raw[i:i + 2], "big")
                             for i in range(0, len(raw), 2)):
                    assert code in unicode, (code, raw)
                    assert unicode[code] and not FORBIDDEN & set(unicode[code]), code
                    assert gids[2 * code:2 * code + 2] != b"\0\0", code  # not .notdef
                    text.append(unicode[code])
    return "".join(text)


def embedded_fonts(pdf: bytes) -> set[str]:
    """The names of the fonts the document's pages use, each asserted to be embedded in the
    file, as PDF/A asks of every font: a TrueType program under its descriptor that reads as
    one, each glyph's bounding box as its outline has it (regie/pdf.py copies them)."""
    names = set()
    for page in read(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            assert font["/Subtype"] == "/Type0", font
            descendant = font["/DescendantFonts"][0].get_object()
            program = descendant["/FontDescriptor"].get_object()["/FontFile2"].get_data()
            glyphs = TTFont(io.BytesIO(program))["glyf"]
            assert len(glyphs) > 20, font  # the letters used, not an empty cut
            for name in glyphs.keys():
                glyph = glyphs[name]
                if glyph.numberOfContours > 0:
                    kept = (glyph.xMin, glyph.yMin, glyph.xMax, glyph.yMax)
                    glyph.recalcBounds(glyphs)
                    assert kept == (glyph.xMin, glyph.yMin, glyph.xMax, glyph.yMax), name
            names.add(str(font["/BaseFont"]).partition("+")[2])
    return names


def letter(**context) -> bytes:
    return letter_pdf([render_letter("award", lang, {**CONTEXT, **context})
                       for lang in ("nl", "en")])


@pytest.mark.parametrize("texts, family", [
    (["Veilig op de campus", "é ü ß ø Ø ó ñ"], LATIN1),
    (["€ 80.000,00 – “Veilig” ‘t Hof’s…"], LATIN1),  # the Latin-1 cut holds the punctuation
    ([], LATIN1),
    (["", "Şahin"], WIDE),
    (["Veilig", "Łódź"], WIDE),
    (["Őry"], WIDE),
    (["Nguyễn"], WIDE),
    (["Əliyev"], WIDE),
    (["Ελένη Παπαδοπούλου"], WIDE),
    (["Ольга Шевченко"], WIDE),
    (["Université"], LATIN1),  # é typed as e and its mark: Latin-1 holds é
    (["Nguye\u0302\u0303n"], WIDE),  # ễ as e and two marks
    (["ﬁets, ＡＢ"], LATIN1),  # compatibility forms: plain letters lose nothing
    (["Samen 💪 veilig, 中文, ⅓"], LATIN1),  # the wide cut lacks them too: "?" either way
])
def test_the_latin1_cut_serves_unless_latin1_lacks_a_letter(texts, family):
    assert font_for(FPDF(), texts) == family


def test_a_letter_in_latin1_reads_back_as_typed_punctuation_and_euro_sign_included():
    pdf = letter(title="Veilig op de campus, “samen”", organisation="Université d’Été")
    assert embedded_fonts(pdf) == {"DejaVuSansBook", "DejaVuSansBold"}
    text = text_of(pdf)
    assert "Veilig op de campus, “samen”" in text and "Université d’Été" in text
    assert "€ 125.000,00" in text


def test_a_letter_with_a_name_beyond_latin1_reads_back_with_every_letter():
    title = "Doğan, Łódź en Nguyễn: “samen” veilig"
    pdf = letter(title=title, organisation="Şehir Üniversitesi", reason="Rang 1 – € 5.000.")
    assert embedded_fonts(pdf) == {"DejaVuSansBook", "DejaVuSansBold"}
    text = text_of(pdf)
    for typed in (title, "Şehir Üniversitesi", "Rang 1 – € 5.000.", "€ 125.000,00",
                  "Besluit op uw aanvraag SV2027-0042",
                  "Regiegroep Sociale Veiligheid in Hoger Onderwijs en Wetenschap"):
        assert typed in text, typed


def test_what_a_font_lacks_is_written_as_near_as_latin1_allows():
    pdf = FPDF()
    pdf.set_font(font_for(pdf, ["Ş"]), size=11)
    assert shown(pdf, "Şahin 💪 Ωmega 中 ﬁ\nŁ – €") == "Şahin ? Ωmega ? ﬁ\nŁ – €"
    pdf.set_font(font_for(pdf, []), size=11)
    assert shown(pdf, "Şahin 💪 Ωmega ﬁ\nŁ – €") == "Sahin ? ?mega fi\nL – €"


@pytest.mark.parametrize("texts", [["Ş"], []])
def test_what_no_glyph_shows_is_written_as_it_is_meant(texts):
    """Text pasted from a spreadsheet or a word processor: a tab between words is a space (the
    font has no glyph for it, and fpdf2 would leave it out, the words run together), each kind
    of line end a line break, and what is not seen (a control character, a byte order mark)
    nothing. A private use character is a "?", as PDF/A-2u allows it no glyph
    without more."""
    pdf = FPDF()
    pdf.set_font(font_for(pdf, texts), size=11)
    assert shown(pdf, "Motivering:\tsterk\r\nplan\rmet\x85draagvlak\u2028en\u2029steun\x0c"
                      "\ufeffsamen\x07.\ue000") == (
        "Motivering: sterk\nplan\nmet\ndraagvlak\nen\nsteun\nsamen.?")
    kept = "a\u00a0b\u00adc\u200bd\u200ee"  # no-break space, soft hyphen, zero-width space,
    assert shown(pdf, kept) == kept  # a direction mark: the cuts have glyphs of their own


def test_a_reason_pasted_with_tabs_and_line_ends_reads_back_as_meant():
    pdf = letter(reason="Rang 2 van 31.\r\nMotivering:\tsterk plan\x85met draagvlak\ufeff.\x07")
    text = text_of(pdf)
    assert "Rang 2 van 31.\nMotivering: sterk plan\nmet draagvlak.\n" in text
    assert "Motivering: sterk plan" in written(pdf)


@pytest.mark.parametrize("texts", [["Ş"], []])
def test_a_letter_typed_as_a_letter_and_its_marks_is_written_as_one(texts):
    """Text pasted from some systems holds é as e and a combining mark; the Latin-1 cut has no
    such mark, and in the wide one it would stand apart from its letter."""
    pdf = FPDF()
    family = font_for(pdf, texts)
    pdf.set_font(family, size=11)
    assert shown(pdf, "Universite\u0301 Nguye\u0302\u0303n") == (
        "Université Nguyễn" if family == WIDE else "Université Nguyen")
    assert shown(pdf, "q\u0303") == ("q\u0303" if family == WIDE else "q")


def test_a_letter_in_greek_and_cyrillic_reads_back_with_every_letter():
    pdf = letter(title="Ασφάλεια στην πανεπιστημιούπολη",
                 organisation="Київський університет, Ελένη Παπαδοπούλου")
    text = text_of(pdf)
    for typed in ("Ασφάλεια στην πανεπιστημιούπολη",
                  "Київський університет, Ελένη Παπαδοπούλου", "€ 125.000,00"):
        assert typed in text, typed


@pytest.mark.parametrize("texts", [["Ş"], []])
def test_a_string_measures_as_fpdf2_measures_it_in_either_cut(texts):
    """wrap adds up each word's width: that holds only while fpdf2 neither kerns nor shapes."""
    pdf = FPDF(format="A4")
    pdf.add_page()
    family = font_for(pdf, texts)
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
    text = text_of(pdf)
    assert "Ayşe Doğan (team)" in text and "€ 80.000,00" in text
    assert "Grant SV2027-0042" in text and "record_event" in text
    plain = timeline_pdf("Grant SV2027-0042", lines[1:], [])
    assert "record_event" in text_of(plain)


def _xmp(reader: PdfReader) -> str:
    return reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()


DECISION = "Besluit op uw aanvraag SV2027-0042: subsidie toegekend"


@pytest.mark.parametrize("name, make, title", [
    ("a letter in Latin-1", lambda: letter(), DECISION),
    ("a letter with a Greek name", lambda: letter(organisation="Ελένη Παπαδοπούλου"), DECISION),
    ("a timeline", lambda: timeline_pdf("Grant SV2027-0042: Ayşe Doğan", [HistoryLine(
        6, datetime(2027, 3, 1, 9, 30, tzinfo=timezone.utc), "ACTIVITY_TASK_SCHEDULED",
        "systeem", "record_event")], ["Geschiedenis gelezen / history read"]),
     "Grant SV2027-0042: Ayşe Doğan"),
])
def test_a_document_is_pdf_a_2u(name, make, title):
    """What ISO 19005-2 asks of these documents, read back: PDF 1.7; XMP metadata that names
    the part and level, the title (a screen reader announces it; there is no Info dictionary
    to disagree with it) and for a letter its sender; the sRGB output intent with its ICC
    profile; every font embedded; each character written a glyph, mapped to Unicode; no
    encryption; the document's language."""
    pdf = make()
    assert pdf.startswith(b"%PDF-1.7"), name
    reader = read(pdf)
    root = reader.trailer["/Root"]
    xmp = _xmp(reader)
    assert re.search(r"<pdfaid:part>2</pdfaid:part>\s*<pdfaid:conformance>U<", xmp), xmp
    assert re.search(r'<dc:title><rdf:Alt>\s*<rdf:li xml:lang="x-default">'
                     f"{re.escape(title)}</rdf:li>", xmp), xmp
    assert "/Info" not in reader.trailer and "/Encrypt" not in reader.trailer
    assert len(reader.trailer["/ID"]) == 2
    [intent] = root["/OutputIntents"]
    intent = intent.get_object()
    assert intent["/S"] == "/GTS_PDFA1" and intent["/OutputConditionIdentifier"] == "sRGB"
    profile = intent["/DestOutputProfile"].get_object()
    assert profile["/N"] == 3 and profile.get_data()[36:40] == b"acsp"  # an ICC profile
    assert embedded_fonts(pdf) == {"DejaVuSansBook", "DejaVuSansBold"}
    assert title in written(pdf)
    assert root["/Lang"] == "nl"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    if name.startswith("a letter"):
        assert ("<rdf:li>Regiegroep Sociale Veiligheid in Hoger Onderwijs en Wetenschap"
                "</rdf:li>") in xmp
