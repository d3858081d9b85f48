"""Amounts as people type them and as Regie writes them: a team member's '12.000' is twelve
thousand euros, never twelve; what cannot be read for sure is refused, not guessed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.money import euros, euros_field, parse_euros
from domain.text import read_number


@pytest.mark.parametrize("typed, cents", [
    ("86.000,00", 86_000_00), ("86000,00", 86_000_00), ("86000.00", 86_000_00),
    ("86.000", 86_000_00), ("€ 86.000", 86_000_00), ("1.234.567", 1_234_567_00),
    ("1.234,5", 1_234_50), ("12.5", 12_50), ("12.50", 12_50), ("12", 12_00),
    (" 7,05 ", 7_05), ("0", 0), ("", 0), ("€", 0), ("€ 12.000,-", 12_000_00),
    ("12 000,-", 12_000_00), ("86\u00a0000,00", 86_000_00),  # a space that does not break
])
def test_amounts_as_people_type_them(typed, cents):
    assert parse_euros(typed) == cents


@pytest.mark.parametrize("typed", [
    "86,000.00",  # English grouping: a comma and then a dot
    "86.000.00", "1234.567", "12,345", "1,2,3", "-86000", "+5", "1e5", "NaN", "Infinity",
    "twaalf", "12.", ".5", "12,-,-",
])
def test_amounts_that_cannot_be_read_for_sure_are_refused(typed):
    assert parse_euros(typed) is None


@given(st.integers(min_value=0, max_value=10**12))
def test_what_regie_writes_reads_back(cents):
    assert parse_euros(euros(cents)) == cents
    assert parse_euros(euros_field(cents)) == cents


def test_a_field_holds_an_amount_to_edit():
    assert euros_field(86_000_00) == "86000,00"
    assert euros_field(5) == "0,05"
    assert euros_field(None) == ""


@pytest.mark.parametrize("typed, read", [
    ("2,5", Decimal("2.5")), ("2.5", Decimal("2.5")), ("120", Decimal(120)),
    ("1.000", Decimal(1000)), ("1.000,5", Decimal("1000.5")), ("0,25", Decimal("0.25")),
    ("inf", None), ("nan", None), ("1e3", None), ("-4", None), ("2,555", None), ("", None),
])
def test_hours_and_other_numbers_as_people_type_them(typed, read):
    assert read_number(typed) == read
