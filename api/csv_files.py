"""Tables the team and auditors download to open in a spreadsheet: one way to write them."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from fastapi.responses import Response

# a cell starting so is a formula to a spreadsheet: text an applicant typed must not run there
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> object:
    """`value` as a spreadsheet shows it without running it: text it would read as a formula
    starts with an apostrophe (OWASP, "CSV injection"); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 with a byte order mark (Excel then reads é and ë right), lines ended CRLF
    (RFC 4180), every text cell through `cell`."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([cell(value) for value in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def csv_download(filename: str, header: Sequence[str],
                 rows: Iterable[Sequence[object]]) -> Response:
    return Response(csv_bytes(header, rows), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
