"""PDF documents as archives keep them: PDF/A-2u, every font embedded. Text is in DejaVu Sans
cut down to Latin-1 and punctuation, unless a document holds a letter Latin-1 lacks; then in
DejaVu Sans cut down to the Latin, Greek and Cyrillic scripts (templates/fonts)."""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Callable, Iterable, Iterator

from fontTools.ttLib import TTFont
from fpdf import FPDF, ViewerPreferences

from domain.text import composed
from regie import ROOT

FONTS = ROOT / "templates" / "fonts"
LATIN1, WIDE = "dejavu-latin1", "dejavu"
# ISO 19005-2, what the Nationaal Archief and the Forum Standaardisatie ask of documents a
# government body keeps (fpdf2 refuses what the part forbids, writes the XMP metadata and the
# sRGB output intent), at level U: each character written maps to Unicode (fpdf2 writes a
# ToUnicode map for each font; `shown` writes only characters with a glyph), so that its text
# can be searched, copied and read aloud as it was meant
COMPLIANCE = "PDF/A-2U"

# What a title or name typed in a word processor holds beyond Latin-1, as Latin-1 can show it:
# typographic punctuation plain, and letters that do not decompose (below) by hand. Both cuts
# hold this punctuation; a font lacking a character falls back on `latin1` (`shown`).
_PUNCTUATION = {
    "€": "EUR", "‘": "'", "’": "'", "‚": ",", "‛": "'", "“": '"', "”": '"', "„": '"',
    "‟": '"', "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-",
    "…": "...", "•": "-", "→": "->", "←": "<-", "\u2009": " ", "\u202f": " ", "\u200b": "",
}
_PLAIN = str.maketrans({**_PUNCTUATION, "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i",
                        "œ": "oe", "Œ": "OE", "ŋ": "n"})
_PLAIN_PUNCTUATION = str.maketrans(_PUNCTUATION)


def document(title: str, lang: str, orientation: str = "P") -> FPDF:
    """A new A4 PDF/A document, titled and saying its language, so that a screen reader
    announces both and a PDF reader shows the title rather than the file name."""
    pdf = FPDF(orientation=orientation, format="A4", enforce_compliance=COMPLIANCE)
    pdf.set_title(title)
    pdf.set_lang(lang)
    pdf.set_creator("Regie")
    pdf.viewer_preferences = ViewerPreferences(display_doc_title=True)
    return pdf


def font_for(pdf: FPDF, texts: Iterable[str]) -> str:
    """The font family to write `texts` in, embedded in `pdf` (regular and bold): the cut of
    Latin-1, unless Latin-1 lacks one of their letters that the wide cut holds (Ş, ł, ő, Ω,
    Ж), when Latin-1 would change a name. Punctuation and the euro sign, which both cuts hold,
    do not count, nor what the wide cut lacks too (an emoji, a Chinese character). PDF/A
    embeds every font, and fpdf2 cuts each down to the glyphs a document uses: the smaller
    the font, the less that costs (a letter of two pages, measured on one machine: 19 ms of
    CPU in the Latin-1 cut against 39 in the wide one), and nearly every document needs no
    other."""
    family, file = ((WIDE, "DejaVuSans") if any(map(_letter_beyond_latin1, texts))
                    else (LATIN1, "DejaVuSans-Latin1"))
    pdf.add_font(family, "", FONTS / f"{file}.ttf")
    pdf.add_font(family, "B", FONTS / f"{file}-Bold.ttf")
    for font in pdf.fonts.values():
        # the glyphs are copied into the document's cut as they are: fontTools need not
        # decode and encode each one again to recompute the bounding boxes the cut's font
        # holds already (a third of a letter's cost: 32 ms against 21, on one machine)
        font.ttfont.recalcBBoxes = False
    return family


def _in_latin1(text: str) -> bool:
    """As nearly every text is: then no character need be looked at on its own."""
    return text.isascii() or max(text) < "\u0100"


@functools.cache
def _wide_holds() -> frozenset[int]:
    """The characters the wide cut has a glyph for (both styles hold the same)."""
    with TTFont(FONTS / "DejaVuSans.ttf", lazy=True) as font:
        return frozenset(font.getBestCmap())


def _letter_beyond_latin1(text: str) -> bool:
    plain = composed(text.translate(_PLAIN_PUNCTUATION))
    if _in_latin1(plain):
        return False
    # a letter the wide cut holds, but not a compatibility form (the ligature ﬁ, a fullwidth
    # A) that Latin-1 writes in plain letters without loss
    return any(char >= "\u0100" and unicodedata.category(char).startswith("L")
               and not unicodedata.decomposition(char).startswith("<")
               and ord(char) in _wide_holds() for char in plain)


def shown(pdf: FPDF, text: str) -> str:
    """`text` as `pdf`'s current font (of `font_for`) can write it: as typed (composed), each
    line break as "\n", and a character the font lacks (an emoji, the ligature ﬁ) as `latin1`
    writes it; what both cuts lack of Latin-1, a control character, as a space for a tab and
    as nothing for the rest, as it is not seen. Every character that comes back has a glyph
    that maps back to it: PDF/A-2u asks it of each character written, and fpdf2 would
    leave out a character without a glyph (two words pasted with a tab between them ran into
    one)."""
    text, glyphs = _LINE_BREAK.sub("\n", composed(text)), pdf.current_font.cmap
    if all(ord(char) in glyphs for char in set(text) - {"\n"}):
        return text
    return "".join(char if char == "\n" or ord(char) in glyphs else "".join(
        part if ord(part) in glyphs else " " if part.isspace() else "" for part in latin1(char))
        for char in text)


# what Unicode counts as a line's end (str.splitlines); "\r\n" as one, as a textarea sends it
_LINE_BREAK = re.compile("\r\n|[\r\v\f\x1c-\x1e\x85\u2028\u2029]")


def latin1(text: str) -> str:
    """`text` in Latin-1: punctuation made plain, a letter with a mark Latin-1
    lacks without the mark (Ş as S, ő as o), and only what has no such form as "?"."""
    plain = composed(text.translate(_PLAIN))
    if _in_latin1(plain):
        return plain
    return "".join(char if ord(char) < 256 else _nearest(char) for char in plain)


def _nearest(char: str) -> str:
    if unicodedata.combining(char):
        return ""  # a mark no letter of Latin-1 holds: the letter before it without it
    if unicodedata.category(char) == "Cf":
        return ""  # not seen: a stray byte order mark, a direction mark
    kept = "".join(part for part in unicodedata.normalize("NFKD", char)
                   if ord(part) < 256 and not unicodedata.combining(part))
    return kept or "?"


def wrap(text: str, width: float, measure: Callable[[str], float]) -> Iterator[str]:
    """`text`'s lines broken at spaces so that each `measure`s at most `width`; a word wider
    than a line on its own is broken where it reaches the edge. Line breaks in `text` are
    kept, blank lines included. The euro sign stays with the amount after it ("€ 100.000,00"
    is not broken after "€"). `measure` adds up (a string measures the sum of its parts, as
    fpdf2 writes text without shaping or kerning), so each word is measured once."""
    space = measure(" ")
    for paragraph in text.split("\n"):
        line, used = "", 0.0
        for word in _with_amounts(paragraph.split(" ")):
            size = measure(word)
            joined = used + space + size if line else size
            if joined <= width:
                line, used = (f"{line} {word}" if line else word), joined
                continue
            if line:
                yield line
            line, used = word, size
            while len(line) > 1 and used > width:
                cut = next(i for i in range(len(line), 0, -1)
                           if i == 1 or measure(line[:i]) <= width)
                yield line[:cut]
                line = line[cut:]
                used = measure(line)
        yield line


def _with_amounts(words: list[str]) -> Iterator[str]:
    """`words`, each euro sign joined to the word after it, as one word."""
    index = 0
    while index < len(words):
        if words[index] == "€" and index + 1 < len(words):
            yield f"{words[index]} {words[index + 1]}"
            index += 2
        else:
            yield words[index]
            index += 1


# each character's width by font, style, size, unit, spacing and stretching
_WIDTHS: dict[tuple, dict[str, float]] = {}


def string_width(pdf: FPDF) -> Callable[[str], float]:
    """The width of a string in `pdf`'s current font: the sum of its characters' widths, each
    asked of fpdf2 once per font and size (its `get_string_width` costs as much for a word as
    for a character). Spacing and stretching add up too, per character."""
    widths = _WIDTHS.setdefault((pdf.font_family, pdf.font_style, pdf.font_size_pt, pdf.k,
                                 pdf.char_spacing, pdf.font_stretching), {})

    def measure(text: str) -> float:
        for char in set(text) - widths.keys():
            widths[char] = pdf.get_string_width(char)
        return sum(map(widths.__getitem__, text))
    return measure


def write_lines(pdf: FPDF, text: str, height: float) -> None:
    """`text` in the current font (as `shown`) from the left margin, `height` per line,
    breaking to a new page at the bottom margin. What fpdf2's multi_cell does for plain text,
    at a tenth of its cost (a letter of two pages in the core font Helvetica, before letters
    were PDF/A, measured on one machine: 3 ms; 31 ms with multi_cell, and 9 ms while each line
    was measured whole by get_string_width): letters are rendered on the worker, two for each
    grant."""
    baseline = height / 2 + 0.3 * pdf.font_size  # where multi_cell puts it in a line
    for line in wrap(shown(pdf, text), pdf.epw, string_width(pdf)):
        if pdf.y + height > pdf.page_break_trigger:
            pdf.add_page()
        if line:
            pdf.text(pdf.l_margin, pdf.y + baseline, line)
        pdf.set_y(pdf.y + height)
