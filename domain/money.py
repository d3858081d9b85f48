"""Money: integer cents everywhere, written the Dutch way for people and read as people type it."""

from domain.text import read_number


def split_evenly(cents: int, parts: int) -> list[int]:
    """`cents` over `parts` shares that add up exactly; the first shares take the leftover."""
    return [cents // parts + (1 if i < cents % parts else 0) for i in range(parts)]


def parse_euros(text: str) -> int | None:
    """An amount in euros as a person types it, in cents: '1.234,56', '1234,56', '1234.56',
    '€ 12.000' (twelve thousand: a dot before three digits and no comma groups thousands, as
    Dutch writes them), '€ 12.000,-'; empty is 0; None if it cannot be read for sure
    ('1,234.56', '12.5.0', a negative amount, more than two decimals)."""
    cleaned = text.replace("€", "").strip().removesuffix(",-")
    if not cleaned.strip():
        return 0
    amount = read_number(cleaned)
    return None if amount is None else int(amount * 100)


def euros_field(cents: int | None) -> str:
    """An amount as a form's field holds it for editing: 1234,56 (no sign, no grouping)."""
    return "" if cents is None else f"{cents // 100},{cents % 100:02d}"


def euros(cents: int | None) -> str:
    """€ 1.234,56 — or a dash where there is no amount."""
    if cents is None:
        return "–"
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}€ {whole:,}".replace(",", ".") + f",{rest:02d}"
