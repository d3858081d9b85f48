"""Money: integer cents everywhere, written the Dutch way for people."""


def split_evenly(cents: int, parts: int) -> list[int]:
    """`cents` over `parts` shares that add up exactly; the first shares take the leftover."""
    return [cents // parts + (1 if i < cents % parts else 0) for i in range(parts)]


def euros(cents: int | None) -> str:
    """€ 1.234,56 — or a dash where there is no amount."""
    if cents is None:
        return "–"
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}€ {whole:,}".replace(",", ".") + f",{rest:02d}"
