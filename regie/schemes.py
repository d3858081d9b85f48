"""Reading scheme files from disk (the parsing rules live in domain.scheme), and the values a
file marks as assumptions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from domain.scheme import Scheme, parse_scheme

_TABLE = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")
_KEY = re.compile(r"^\s*([\w\"'.-]+)\s*=")
_MARK = re.compile(r"#\s*ASSUMPTION\b:?\s*(.*)$")


@dataclass(frozen=True)
class Assumption:
    """A value no source fixed, marked "# ASSUMPTION" on its line of a scheme file."""

    line: int
    key: str  # as the scheme's errors name it: defaults.terms.assessment_days, rounds[2].budget
    value: str
    why: str  # the marker's words after "ASSUMPTION:", if any


def load_scheme(path: Path) -> Scheme:
    return parse_scheme(Path(path).read_text(encoding="utf-8"), str(path))


def assumptions(text: str) -> list[Assumption]:
    """Each value that `text`, a scheme file, marks "# ASSUMPTION" on its own line: what the
    programme team confirms or changes before a round that uses it opens."""
    found, table, entries = [], "", {}
    for number, line in enumerate(text.splitlines(), start=1):
        if header := _TABLE.match(line):
            name = header[2]
            if header[1] == "[[":
                entries[name] = entries.get(name, -1) + 1
                name = f"{name}[{entries[name]}]"
            table = name
        elif (key := _KEY.match(line)) and (mark := _MARK.search(line)):
            value = line[key.end():mark.start()].strip()
            found.append(Assumption(
                line=number, key=f"{table}.{key[1]}" if table else key[1],
                value="[…]" if value == "[" else value, why=mark[1].strip()))  # an array of lines
    return found
