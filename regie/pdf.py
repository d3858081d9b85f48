"""PDF text: the PDF core fonts are Latin-1, so the euro sign is written EUR."""

from __future__ import annotations

from typing import Callable, Iterator

from fpdf import FPDF


def latin1(text: str) -> str:
    return text.replace("€", "EUR").encode("latin-1", "replace").decode("latin-1")


def wrap(text: str, width: float, measure: Callable[[str], float]) -> Iterator[str]:
    """`text`'s lines broken at spaces so that each `measure`s at most `width`; a word wider
    than a line on its own is broken where it reaches the edge. Line breaks in `text` are
    kept, blank lines included."""
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            joined = f"{line} {word}" if line else word
            if measure(joined) <= width:
                line = joined
                continue
            if line:
                yield line
            line = word
            while len(line) > 1 and measure(line) > width:
                cut = next(i for i in range(len(line), 0, -1)
                           if i == 1 or measure(line[:i]) <= width)
                yield line[:cut]
                line = line[cut:]
        yield line


def write_lines(pdf: FPDF, text: str, height: float) -> None:
    """`text` in the current font from the left margin, `height` per line, breaking to a new
    page at the bottom margin. What fpdf2's multi_cell does for plain text, in under a third of
    its time (a letter: 3.5 ms instead of 12): letters are rendered on the worker, two for each
    grant."""
    baseline = height / 2 + 0.3 * pdf.font_size  # where multi_cell puts it in a line
    for line in wrap(latin1(text), pdf.epw, pdf.get_string_width):
        if pdf.y + height > pdf.page_break_trigger:
            pdf.add_page()
        if line:
            pdf.text(pdf.l_margin, pdf.y + baseline, line)
        pdf.set_y(pdf.y + height)
