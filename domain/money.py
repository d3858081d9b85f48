"""Money: integer cents everywhere, written the Dutch way for people."""


def euros(cents: int | None) -> str:
    """€ 1.234,56 — or a dash where there is no amount."""
    if cents is None:
        return "–"
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}€ {whole:,}".replace(",", ".") + f",{rest:02d}"
