"""Spreadsheets in and out: CSV (as Dutch Excel writes it, with ; or ,) and Excel .xlsx."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any, Iterable

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from domain.text import Text, composed


class UnreadableFile(ValueError):
    """A file that is no spreadsheet Regie can read; the message says why in both languages."""


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[tuple[int, dict[str, Any]]]  # (the spreadsheet's row number, cells by header)


def _normal(header: Any) -> str:
    return composed(str(header or "")).strip().lower()


def _table(lines: Iterable[tuple[int, list[Any]]]) -> Table:
    lines = iter(lines)
    try:
        _, first = next(lines)
    except StopIteration:
        raise UnreadableFile("Het bestand is leeg / the file is empty") from None
    headers = [_normal(h) for h in first]
    rows = []
    for number, values in lines:
        if all(v is None or str(v).strip() == "" for v in values):
            continue  # an empty line keeps its number but is no grant
        rows.append((number, {h: composed(v) for h, v in zip(headers, values) if h}))
    return Table(headers=[h for h in headers if h], rows=rows)


def read_table(data: bytes, file_name: str) -> Table:
    """The first sheet of an .xlsx file, or a CSV file; rows keep the numbers the team sees,
    and each text is composed (domain.text.composed)."""
    if file_name.lower().endswith(".xlsx"):
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a file that is no workbook
            raise UnreadableFile("Dit is geen leesbaar Excel-bestand (.xlsx) / "
                                 "this is not a readable Excel file (.xlsx)") from None
        sheet = book.worksheets[0]
        return _table((n, list(values)) for n, values in
                      enumerate(sheet.iter_rows(values_only=True), start=1))
    if not file_name.lower().endswith(".csv"):
        raise UnreadableFile("Lever een .csv- of .xlsx-bestand aan / "
                             "provide a .csv or .xlsx file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")  # Excel's "CSV" on Dutch Windows
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    return _table((reader.line_num, line) for line in reader)


def write_csv(headers: list[str], rows: list[dict[str, Any]]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens accents right."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=headers, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def write_xlsx(headers: list[str], rows: list[dict[str, Any]],
               explanation: list[tuple[str, Text, bool]]) -> bytes:
    """The rows on the first sheet; a second sheet explains every column."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Subsidies"
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([row.get(h, "") for h in headers])
    sheet.freeze_panes = "B2"
    notes = book.create_sheet("Toelichting")
    notes.append(["kolom / column", "betekenis", "meaning", "verplicht / required"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for key, meaning, required in explanation:
        notes.append([key, meaning.nl, meaning.en, "ja / yes" if required else ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
