"""The tables the team downloads: text a spreadsheet would run as a formula stays text."""

from __future__ import annotations

import pytest

from api.csv_files import cell, csv_bytes


@pytest.mark.parametrize(("value", "shown"), [
    ("=SUM(A1:A9)", "'=SUM(A1:A9)"), ("+31 6 1234", "'+31 6 1234"), ("-vooraf", "'-vooraf"),
    ("@gebruiker", "'@gebruiker"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("Veilig = gezond", "Veilig = gezond"), ("", ""), (-5, -5), (1234.5, 1234.5), (None, None),
])
def test_a_cell_that_would_run_as_a_formula_is_kept_as_text(value, shown):
    assert cell(value) == shown


def test_a_table_is_utf8_with_a_byte_order_mark_and_crlf_lines():
    assert csv_bytes(("naam", "bedrag"), [("Université, Maastricht", -5), ("=1", 2.5)]) == (
        '\ufeffnaam,bedrag\r\n"Université, Maastricht",-5\r\n\'=1,2.5\r\n'.encode())
