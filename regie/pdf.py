"""PDF text: the PDF core fonts are Latin-1, so the euro sign is written EUR."""


def latin1(text: str) -> str:
    return text.replace("€", "EUR").encode("latin-1", "replace").decode("latin-1")
