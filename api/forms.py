"""The application form: from posted fields to a draft, and from findings back to those fields."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from starlette.datastructures import FormData

from domain.money import parse_euros
from domain.text import read_number
from regie.applications import ActivityIn, DraftIn, LineIn

_ACTIVITY = re.compile(r"^act-(\d+)-title$")
_LINE = re.compile(r"^act-(\d+)-line-(\d+)-kind$")


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def draft_from_form(form: FormData, round_id: str,
                    section_keys: list[str]) -> tuple[DraftIn, dict[str, str]]:
    """The draft as typed, and the fields that could not be read (field -> message): the
    caller saves nothing then, and shows the form with what was typed."""
    unreadable: dict[str, str] = {}
    activities = []
    indexes = sorted(int(m.group(1)) for k in form.keys() if (m := _ACTIVITY.match(k)))
    for i in indexes:
        def field(name: str) -> str:
            return str(form.get(f"act-{i}-{name}", ""))

        lines = []
        line_indexes = sorted(int(m.group(2)) for k in form.keys()
                              if (m := _LINE.match(k)) and int(m.group(1)) == i)
        for j in line_indexes:
            kind = field(f"line-{j}-kind")
            amount = parse_euros(field(f"line-{j}-amount")) if kind == "cost" else 0
            if amount is None:
                unreadable[f"act-{i}-line-{j}"] = ("Bedrag onleesbaar / amount cannot be read: "
                                                  f"'{field(f'line-{j}-amount')}'")
            typed_hours = field(f"line-{j}-hours").strip()
            hours = read_number(typed_hours) if typed_hours else Decimal(0)
            if hours is None:
                unreadable[f"act-{i}-line-{j}"] = ("Uren onleesbaar / hours cannot be read: "
                                                  f"'{typed_hours}'")
            lines.append(LineIn(kind="cost" if kind == "cost" else "hours",
                                description=field(f"line-{j}-description"),
                                rate_key=field(f"line-{j}-rate_key") or None,
                                hours=float(hours or 0),
                                amount_cents=amount or 0))
        for name in ("start", "end"):
            if field(name) and _date(field(name)) is None:
                unreadable[f"act-{i}-{name}"] = f"Datum onleesbaar / date cannot be read: '{field(name)}'"
        activities.append(ActivityIn(
            title=field("title"), goal=field("goal"), monitoring=field("monitoring"),
            description=field("description"), who_does_what=field("who"),
            start=_date(field("start")), end=_date(field("end")), lines=lines))
    draft = DraftIn(
        round_id=round_id, title=str(form.get("title", "")), summary=str(form.get("summary", "")),
        sections={key: str(form.get(f"section_{key}", "")) for key in section_keys},
        pillars=[str(v) for v in form.getlist("pillars")],
        target_groups=[str(v) for v in form.getlist("target_groups")],
        marginalised_groups=[str(v) for v in form.getlist("marginalised_groups")],
        partner_ids=[int(v) for v in form.getlist("partner_ids") if str(v).isdigit()],
        activities=activities,
    )
    return draft, unreadable


def form_field(finding_field: str) -> str:
    """A finding's field ('sections.ambitie', 'activities[1].lines[0]') as the form names it."""
    if finding_field.startswith("sections."):
        return "section_" + finding_field.removeprefix("sections.")
    match = re.match(r"^activities\[(\d+)\](?:\.lines\[(\d+)\]|\.(\w+))?", finding_field)
    if match:
        i, line, part = match.groups()
        if line is not None:
            return f"act-{i}-line-{line}"
        return f"act-{i}-{part}" if part and part != "lines" else f"act-{i}"
    return finding_field.split("[")[0]
