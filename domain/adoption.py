"""Adopting grants already under way: the import template, and every row checked against the
scheme before anything is written.

A row is one grant as the programme team's spreadsheet holds it. Rows are numbered as the
spreadsheet shows them (the header is row 1), so a problem names the row the team can find.
Pure: reading the file and writing records happen in regie.adoption.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict

from domain.money import euros, parse_euros
from domain.scheme import Scheme
from domain.schedules import report_schedule
from domain.text import Text

MAX_ACTIVITIES = 5
LIST_SEPARATOR = ";"


@dataclass(frozen=True)
class Column:
    key: str
    meaning: Text
    required: bool = False


def _activity_columns(n: int) -> tuple[Column, ...]:
    first = n == 1
    return (
        Column(f"activiteit_{n}_titel", Text(f"Titel van activiteit {n}",
                                             f"Title of activity {n}"), first),
        Column(f"activiteit_{n}_start", Text(f"Startdatum van activiteit {n}",
                                             f"Start date of activity {n}"), first),
        Column(f"activiteit_{n}_eind", Text(
            f"Einddatum van activiteit {n} (uiterlijk het einde van de projecten, projects_end "
            "in het regelingbestand)",
            f"End date of activity {n} (the projects' end at the latest, projects_end in the "
            "scheme file)"), first),
        Column(f"activiteit_{n}_bedrag", Text(f"Begroting van activiteit {n} in euro",
                                              f"Budget of activity {n} in euros")),
    )


COLUMNS: tuple[Column, ...] = (
    Column("referentie", Text("Het dossiernummer van de subsidie, uniek", "The grant's reference, "
                              "unique"), True),
    Column("ronde", Text("De aanvraagronde (id uit het regelingbestand)", "The round (its id in "
                         "the scheme file)"), True),
    Column("organisatie", Text("Naam van de aanvragende organisatie",
                               "Name of the applying organisation"), True),
    Column("organisatietype", Text("Soort organisatie (sleutel uit het regelingbestand)",
                                   "Kind of organisation (its key in the scheme file)"), True),
    Column("kvk", Text("KvK-nummer (8 cijfers)", "Chamber of Commerce number (8 digits)")),
    Column("contactpersoon", Text("Naam van de contactpersoon", "Name of the contact"), True),
    Column("contact_email", Text("E-mailadres van de contactpersoon: hier gaan de "
                                 "rapportageverzoeken heen", "The contact's e-mail address: "
                                 "report prompts go there"), True),
    Column("titel", Text("Titel van het project", "Title of the project"), True),
    Column("samenvatting", Text("Publieksamenvatting", "Public summary")),
    Column("ambitie", Text("Aanvraagtekst: ambitie", "Application text: ambition")),
    Column("impact", Text("Aanvraagtekst: impact", "Application text: impact")),
    Column("verankering", Text("Aanvraagtekst: verankering", "Application text: embedding")),
    Column("pijlers", Text("Pijlers, gescheiden door ;", "Pillars, separated by ;")),
    Column("doelgroepen", Text("Doelgroepen, gescheiden door ;", "Target groups, separated by ;")),
    Column("aangevraagd_bedrag", Text("Aangevraagd bedrag in euro (leeg: het toegekende)",
                                      "Amount requested in euros (empty: the amount awarded)")),
    Column("toegekend_bedrag", Text("Toegekend bedrag in euro", "Amount awarded in euros"), True),
    Column("toegekend_op", Text("Datum van het toekenningsbesluit", "Date of the award"), True),
    *(c for n in range(1, MAX_ACTIVITIES + 1) for c in _activity_columns(n)),
    Column("rapportages_ontvangen", Text(
        "Ontvangstdata van de ingediende en goedgekeurde rapportages, in volgorde, gescheiden "
        "door ; (de laatste van het schema is de eindrapportage)",
        "Dates the reports were received and accepted, in order, separated by ; (the last of "
        "the schedule is the final report)")),
    Column("vastgesteld_bedrag", Text("Vastgesteld bedrag in euro, als de subsidie is "
                                      "vastgesteld", "Settled amount in euros, if settled")),
    Column("vastgesteld_op", Text("Datum van de vaststelling", "Date of the settlement")),
)
HEADERS: tuple[str, ...] = tuple(c.key for c in COLUMNS)


class ImportedActivity(BaseModel):
    model_config = ConfigDict(frozen=True)
    title: str
    start: date
    end: date
    budget_cents: int = 0


class ImportedGrant(BaseModel):
    """One row, read and checked: what Regie records and how the grant's workflow starts."""

    model_config = ConfigDict(frozen=True)
    row: int
    reference: str
    round_id: str
    organisation: str
    organisation_type: str
    kvk: str = ""
    contact_name: str
    contact_email: str
    title: str
    summary: str = ""
    sections: dict[str, str] = {}
    pillars: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()
    requested_cents: int
    awarded_cents: int
    awarded_on: date
    activities: tuple[ImportedActivity, ...]
    received: tuple[date, ...] = ()
    settled_cents: int | None = None
    settled_on: date | None = None

    def fingerprint(self) -> str:
        """The row's content, whatever its place in the file: equal rows import once."""
        data = self.model_dump(mode="json", exclude={"row"})
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()

    def to_row(self) -> dict[str, str]:
        """The row as the template writes it (export)."""
        row = {key: "" for key in HEADERS}
        row.update(
            referentie=self.reference, ronde=self.round_id, organisatie=self.organisation,
            organisatietype=self.organisation_type, kvk=self.kvk,
            contactpersoon=self.contact_name, contact_email=self.contact_email,
            titel=self.title, samenvatting=self.summary,
            pijlers=LIST_SEPARATOR.join(self.pillars),
            doelgroepen=LIST_SEPARATOR.join(self.target_groups),
            aangevraagd_bedrag=_plain_euros(self.requested_cents),
            toegekend_bedrag=_plain_euros(self.awarded_cents),
            toegekend_op=self.awarded_on.isoformat(),
            rapportages_ontvangen=LIST_SEPARATOR.join(d.isoformat() for d in self.received),
            vastgesteld_bedrag=(_plain_euros(self.settled_cents)
                                if self.settled_cents is not None else ""),
            vastgesteld_op=self.settled_on.isoformat() if self.settled_on else "",
        )
        for key in ("ambitie", "impact", "verankering"):
            row[key] = self.sections.get(key, "")
        for n, act in enumerate(self.activities, start=1):
            row[f"activiteit_{n}_titel"] = act.title
            row[f"activiteit_{n}_start"] = act.start.isoformat()
            row[f"activiteit_{n}_eind"] = act.end.isoformat()
            row[f"activiteit_{n}_bedrag"] = _plain_euros(act.budget_cents)
        return row


@dataclass(frozen=True)
class Problem:
    row: int  # as the spreadsheet numbers it; 1 is the header
    column: str
    nl: str
    en: str

    def __str__(self) -> str:
        where = f"rij {self.row}" + (f", kolom {self.column}" if self.column else "")
        return f"{where}: {self.nl} / {self.en}"


# -- reading values --------------------------------------------------------------------------------


class _Unreadable(ValueError):
    def __init__(self, nl: str, en: str) -> None:
        super().__init__(en)
        self.nl, self.en = nl, en


_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y")


def read_date(value: Any) -> date | None:
    """A date as spreadsheets hold it: a cell date, ISO (2025-09-01) or Dutch (1-9-2025)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise _Unreadable(f"'{text}' is geen datum (schrijf 2025-09-01 of 1-9-2025)",
                      f"'{text}' is not a date (write 2025-09-01 or 1-9-2025)")


def read_euros(value: Any) -> int | None:
    """Euros to cents: 86000, 86000.50, 86.000,50 or € 86.000 all read as they are meant."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _Unreadable(f"'{value}' is geen bedrag", f"'{value}' is not an amount")
    if isinstance(value, (int, float, Decimal)):  # a number cell
        cents = Decimal(str(value)) * 100
        if cents != cents.to_integral_value() or cents < 0:
            raise _Unreadable(f"'{value}' is geen bedrag in hele centen",
                              f"'{value}' is not an amount in whole cents")
        return int(cents)
    if not str(value).replace("€", "").strip():
        return None
    cents = parse_euros(str(value))  # a text cell, as a person typed it
    if cents is None:
        raise _Unreadable(f"'{value}' is geen bedrag in euro (schrijf 86.000,00)",
                          f"'{value}' is not an amount in euros (write 86000.00)")
    return cents


def _plain_euros(cents: int) -> str:
    whole, rest = divmod(cents, 100)
    return f"{whole}" if rest == 0 else f"{whole}.{rest:02d}"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number typed in a text column, as Excel hands it back
    return str(value).strip()


def _keys(value: Any) -> list[str]:
    return [k.strip() for k in _text(value).split(LIST_SEPARATOR) if k.strip()]


# -- checking rows ---------------------------------------------------------------------------------


@dataclass
class _Row:
    """Reads one row's cells, collecting a problem per unreadable or missing cell."""

    number: int
    cells: dict[str, Any]
    problems: list[Problem]

    def problem(self, column: str, nl: str, en: str) -> None:
        self.problems.append(Problem(self.number, column, nl, en))

    def text(self, key: str, required: bool = False) -> str:
        value = _text(self.cells.get(key))
        if required and not value:
            self.problem(key, "Verplicht veld is leeg", "Required field is empty")
        return value

    def read(self, key: str, reader, required: bool = False):
        try:
            value = reader(self.cells.get(key))
        except _Unreadable as exc:
            self.problem(key, exc.nl, exc.en)
            return None
        if value is None and required:
            self.problem(key, "Verplicht veld is leeg", "Required field is empty")
        return value


def check_headers(headers: list[str]) -> list[Problem]:
    """The file's header row must hold every required column; unknown columns are named."""
    problems = [Problem(1, c.key, "Deze kolom ontbreekt", "This column is missing")
                for c in COLUMNS if c.required and c.key not in headers]
    problems += [Problem(1, h, "Onbekende kolom (zie het sjabloon)",
                         "Unknown column (see the template)")
                 for h in headers if h and h not in HEADERS]
    return problems


def check_rows(rows: list[tuple[int, dict[str, Any]]], scheme: Scheme, today: date,
               committed: dict[str, int] | None = None,
               ) -> tuple[list[ImportedGrant], list[Problem]]:
    """Every row (numbered as the spreadsheet numbers it) read and checked against the scheme.
    `committed`: what the programme has
    already committed per round outside this file. A grant is returned only for a row with no
    problem; the caller imports nothing unless the problem list is empty."""
    problems: list[Problem] = []
    grants: list[ImportedGrant] = []
    first_row_of: dict[str, int] = {}
    type_of: dict[str, tuple[str, int]] = {}  # organisation -> (its type, the row that said so)
    in_round: dict[str, int] = dict(committed or {})
    for number, cells in rows:
        row = _Row(number=number, cells=cells, problems=[])
        grant = _check_row(row, scheme, today)
        if grant is not None:
            if grant.reference in first_row_of:
                row.problem("referentie", f"Dubbele referentie: staat ook in rij "
                            f"{first_row_of[grant.reference]}",
                            f"Duplicate reference: also in row {first_row_of[grant.reference]}")
            else:
                first_row_of[grant.reference] = row.number
            kind, said = type_of.setdefault(grant.organisation.lower(),
                                            (grant.organisation_type, row.number))
            if kind != grant.organisation_type:
                row.problem("organisatietype",
                            f"{grant.organisation} is in rij {said} een '{kind}'",
                            f"{grant.organisation} is a '{kind}' in row {said}")
            ceiling = scheme.round(grant.round_id).budget_cents
            total = in_round.get(grant.round_id, 0) + grant.awarded_cents
            if grant.awarded_cents <= ceiling < total:
                row.problem("toegekend_bedrag",
                            f"Met deze subsidie komt ronde {grant.round_id} op {euros(total)}, "
                            f"boven het plafond van {euros(ceiling)}",
                            f"With this grant round {grant.round_id} reaches {euros(total)}, "
                            f"above its ceiling of {euros(ceiling)}")
            in_round[grant.round_id] = total
        problems += row.problems
        if grant is not None and not row.problems:
            grants.append(grant)
    return grants, problems


def _check_row(row: _Row, scheme: Scheme, today: date) -> ImportedGrant | None:
    reference = row.text("referentie", required=True)
    round_id = row.text("ronde", required=True)
    rnd = None
    if round_id:
        try:
            rnd = scheme.round(round_id)
        except KeyError:
            row.problem("ronde", f"Onbekende ronde '{round_id}'", f"Unknown round '{round_id}'")
    org_type = row.text("organisatietype", required=True)
    if org_type and scheme.organisation_type(org_type) is None:
        known = ", ".join(t.key for t in scheme.organisation_types)
        row.problem("organisatietype", f"Onbekend organisatietype '{org_type}' (bekend: {known})",
                    f"Unknown organisation type '{org_type}' (known: {known})")
    kvk = row.text("kvk")
    if kvk and not re.fullmatch(r"\d{8}", kvk):
        row.problem("kvk", "Een KvK-nummer heeft 8 cijfers",
                    "A Chamber of Commerce number has 8 digits")
    organisation = row.text("organisatie", required=True)
    contact = row.text("contactpersoon", required=True)
    title = row.text("titel", required=True)
    email = row.text("contact_email", required=True)
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        row.problem("contact_email", f"'{email}' is geen e-mailadres",
                    f"'{email}' is not an e-mail address")
    pillars, groups = _keys(row.cells.get("pijlers")), _keys(row.cells.get("doelgroepen"))
    for column, keys, choices in (("pijlers", pillars, scheme.pillars),
                                  ("doelgroepen", groups, scheme.target_groups)):
        for key in keys:
            if key not in {c.key for c in choices}:
                row.problem(column, f"Onbekende sleutel '{key}'", f"Unknown key '{key}'")

    awarded = row.read("toegekend_bedrag", read_euros, required=True)
    requested = row.read("aangevraagd_bedrag", read_euros)
    awarded_on = row.read("toegekend_op", read_date, required=True)
    if awarded is not None:
        if awarded == 0:
            row.problem("toegekend_bedrag", "Het toegekende bedrag is nul",
                        "The amount awarded is zero")
        if rnd is not None and awarded > rnd.budget_cents:
            row.problem("toegekend_bedrag",
                        f"{euros(awarded)} is meer dan het plafond van ronde {rnd.id} "
                        f"({euros(rnd.budget_cents)})",
                        f"{euros(awarded)} is more than round {rnd.id}'s ceiling "
                        f"({euros(rnd.budget_cents)})")
        if requested is not None and awarded > requested:
            row.problem("toegekend_bedrag", "Meer toegekend dan aangevraagd",
                        "More awarded than requested")
    if awarded_on is not None:
        if awarded_on > today:
            row.problem("toegekend_op", "Deze datum ligt in de toekomst",
                        "This date is in the future")
        if rnd is not None and awarded_on < rnd.closes.date():
            row.problem("toegekend_op", f"Toegekend voor het sluiten van ronde {rnd.id}",
                        f"Awarded before round {rnd.id} closed")

    activities = _activities(row, scheme)
    received = _received(row, today)
    settled = row.read("vastgesteld_bedrag", read_euros)
    settled_on = row.read("vastgesteld_op", read_date)
    if (settled is None) != (settled_on is None):
        row.problem("vastgesteld_op" if settled_on is None else "vastgesteld_bedrag",
                    "Vul vastgesteld bedrag en datum allebei in, of geen van beide",
                    "Give both the settled amount and its date, or neither")
    if settled is not None and awarded is not None and settled > awarded:
        row.problem("vastgesteld_bedrag", "Meer vastgesteld dan toegekend",
                    "More settled than awarded")
    if settled_on is not None and settled_on > today:
        row.problem("vastgesteld_op", "Deze datum ligt in de toekomst",
                    "This date is in the future")
    if row.problems or rnd is None or awarded is None or awarded_on is None:
        return None

    reporting = scheme.reporting(rnd)
    schedule = report_schedule(awarded_on, max(a.end for a in activities), reporting,
                               scheme.scheme.reporting_closes)
    if len(received) > len(schedule):
        row.problem("rapportages_ontvangen",
                    f"{len(received)} rapportages ontvangen, het schema kent er {len(schedule)}",
                    f"{len(received)} reports received, the schedule has {len(schedule)}")
    if settled is not None and len(received) != len(schedule):
        row.problem("vastgesteld_bedrag", "Vastgesteld zonder ontvangen eindrapportage",
                    "Settled without a final report received")
    if row.problems:
        return None
    return ImportedGrant(
        row=row.number, reference=reference, round_id=rnd.id, organisation=organisation,
        organisation_type=org_type, kvk=kvk, contact_name=contact, contact_email=email.lower(),
        title=title, summary=row.text("samenvatting"),
        sections={k: v for k in ("ambitie", "impact", "verankering") if (v := row.text(k))},
        pillars=tuple(pillars), target_groups=tuple(groups),
        requested_cents=requested if requested is not None else awarded,
        awarded_cents=awarded, awarded_on=awarded_on, activities=tuple(activities),
        received=tuple(received), settled_cents=settled, settled_on=settled_on,
    )


def _activities(row: _Row, scheme: Scheme) -> list[ImportedActivity]:
    found: list[ImportedActivity] = []
    last_day = scheme.scheme.projects_end
    for n in range(1, MAX_ACTIVITIES + 1):
        keys = [c.key for c in _activity_columns(n)]
        if n > 1 and not any(_text(row.cells.get(k)) for k in keys):
            continue
        title = row.text(keys[0], required=True)
        start = row.read(keys[1], read_date, required=True)
        end = row.read(keys[2], read_date, required=True)
        budget = row.read(keys[3], read_euros)
        if start and end and end < start:
            row.problem(keys[2], "De einddatum ligt voor de startdatum",
                        "The end date is before the start date")
        if end and end > last_day:
            row.problem(keys[2], f"De activiteit eindigt na {last_day:%d-%m-%Y}",
                        f"The activity ends after {last_day:%Y-%m-%d}")
        if title and start and end:
            found.append(ImportedActivity(title=title, start=start, end=end,
                                          budget_cents=budget or 0))
    return found


def _received(row: _Row, today: date) -> list[date]:
    days: list[date] = []
    for part in _keys(row.cells.get("rapportages_ontvangen")):
        try:
            day = read_date(part)
        except _Unreadable as exc:
            row.problem("rapportages_ontvangen", exc.nl, exc.en)
            continue
        if day > today:
            row.problem("rapportages_ontvangen", f"{day:%d-%m-%Y} ligt in de toekomst",
                        f"{day:%Y-%m-%d} is in the future")
        days.append(day)
    return days
