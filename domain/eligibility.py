"""Eligibility (ontvankelijkheid): one pure function that returns every finding of an application.

A fatal finding makes the application ineligible; fixable ones start a correction request
(herstel verzuim). Every finding carries a stable code, the form field it points at, and a
message in Dutch and English. The portal runs the same function before it lets a form be sent.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.money import euros
from domain.scheme import RateTable, Round, Scheme
from domain.text import Text
from domain.types import Finding, Severity


class BudgetLine(BaseModel):
    """One cost of an activity: hours of a role at the round's rate, or another cost (material,
    venue, a hired contractor)."""

    model_config = ConfigDict(frozen=True)
    kind: Literal["hours", "cost"]
    description: str = ""
    rate_key: str | None = None
    hours: float = Field(0, ge=0)
    amount_cents: int = Field(ge=0)


class ActivityFacts(BaseModel):
    model_config = ConfigDict(frozen=True)
    title: str
    goal: str = ""
    monitoring: str = ""
    description: str = ""
    who_does_what: str = ""
    start: date | None
    end: date | None
    lines: tuple[BudgetLine, ...] = ()
    budget_cents: int


class PartnerFacts(BaseModel):
    model_config = ConfigDict(frozen=True)
    name: str
    organisation_type: str
    has_funding_evidence: bool


class ApplicationFacts(BaseModel):
    """What the eligibility rules look at, read from the records of one application."""

    model_config = ConfigDict(frozen=True)
    organisation_type: str
    has_funding_evidence: bool
    partners: tuple[PartnerFacts, ...] = ()
    sections: dict[str, str]
    pillars: tuple[str, ...]
    target_groups: tuple[str, ...] = ()
    marginalised_groups: tuple[str, ...] = ()
    activities: tuple[ActivityFacts, ...]
    requested_cents: int
    submitted_at: datetime  # aware UTC


# Findings about documents of the organisations, which the form itself cannot settle: these do
# not stop the portal from sending the application, they start a correction request instead.
DOCUMENT_CODES = ("funding_evidence", "partner_funding_evidence")


# What each kind of finding is about, by its code's part before any ':' (which says where): the
# grant's timeline names them so, from the codes its workflow recorded.
TOPICS: dict[str, Text] = {
    "organisation_type": Text("Type organisatie", "Type of organisation"),
    "funding_evidence": Text("Bewijs van financiering", "Evidence of funding"),
    "partner_type": Text("Type partnerorganisatie", "Partner's type of organisation"),
    "partner_funding_evidence": Text("Bewijs van financiering van een partner",
                                     "A partner's evidence of funding"),
    "round_closed": Text("Buiten de aanvraagperiode", "Outside the application period"),
    "section_missing": Text("Onderdeel ontbreekt", "Section missing"),
    "section_too_long": Text("Onderdeel te lang", "Section too long"),
    "no_pillars": Text("Geen pijler gekozen", "No pillar chosen"),
    "no_target_groups": Text("Geen doelgroep gekozen", "No target group chosen"),
    "unknown_choice": Text("Onbekende keuze", "Unknown choice"),
    "no_activity": Text("Geen activiteit", "No activity"),
    "activity_too_long": Text("Activiteit te lang", "Activity too long"),
    "activity_incomplete": Text("Doel of monitoring ontbreekt", "Goal or monitoring missing"),
    "activity_dates_missing": Text("Data van een activiteit ontbreken",
                                   "Dates of an activity missing"),
    "activity_dates": Text("Activiteit eindigt voor zij begint", "Activity ends before it starts"),
    "activity_after_end": Text("Activiteit eindigt na het programma",
                               "Activity ends after the programme"),
    "unknown_rate": Text("Onbekend tarief", "Unknown rate"),
    "wrong_rate": Text("Verkeerd berekend tarief", "Rate miscalculated"),
    "activity_total": Text("Regels van een activiteit tellen niet op",
                           "An activity's lines do not add up"),
    "budget_total": Text("Begroting telt niet op tot het aangevraagde bedrag",
                         "Budget does not add up to the amount requested"),
    "amount_limits": Text("Aangevraagd bedrag buiten de grenzen",
                          "Amount requested outside the limits"),
}


def name_findings(codes: str, lang: str) -> str:
    """Codes as a workflow recorded them ('funding_evidence, section_too_long:ambitie'), named
    in `lang` ('Bewijs van financiering, Onderdeel te lang (ambitie)'); an unknown code stays.
    A position ('activity_total:2') is left out: the findings' own texts say which."""
    named = []
    for code in filter(None, (c.strip() for c in codes.split(","))):
        kind, _, where = code.partition(":")
        topic = TOPICS[kind](lang) if kind in TOPICS else kind
        named.append(f"{topic} ({where})" if where and not where[0].isdigit() else topic)
    return ", ".join(named)


def blocks_submission(finding: Finding) -> bool:
    return finding.code.split(":")[0] not in DOCUMENT_CODES


def word_count(text: str) -> int:
    return len(text.split())


def activity_words(activity: ActivityFacts) -> int:
    return sum(word_count(t) for t in (activity.goal, activity.monitoring, activity.description,
                                       activity.who_does_what))


def price(line: BudgetLine, table: RateTable) -> int | None:
    """What an hours line costs at the table's rate (None for an unknown role); costs as given."""
    if line.kind == "cost":
        return line.amount_cents
    rate = table.rates.get(line.rate_key or "")
    return None if rate is None else round(line.hours * rate)


def check_eligibility(app: ApplicationFacts, scheme: Scheme, rnd: Round) -> list[Finding]:
    """Every finding for `app` under `rnd` of `scheme`; an empty list means eligible."""
    findings: list[Finding] = []

    def add(code: str, severity: Severity, field: str, nl: str, en: str) -> None:
        findings.append(Finding(code=code, severity=severity, field=field, nl=nl, en=en))

    fixable, fatal = Severity.FIXABLE, Severity.FATAL
    org_type = scheme.organisation_type(app.organisation_type)
    if org_type is None:
        add("organisation_type", fatal, "organisation",
            f"Organisaties van het type '{app.organisation_type}' kunnen niet aanvragen.",
            f"Organisations of type '{app.organisation_type}' may not apply.")
    elif org_type.needs_funding_evidence and not app.has_funding_evidence:
        add("funding_evidence", fixable, "organisation",
            "Voeg het bewijs toe dat uw organisatie ten minste drie jaar is gefinancierd.",
            "Add the evidence that your organisation has been funded for at least three years.")
    for i, partner in enumerate(app.partners):
        ptype = scheme.organisation_type(partner.organisation_type)
        if ptype is None:
            add(f"partner_type:{i}", fixable, f"partners[{i}]",
                f"Partner '{partner.name}' is geen toegestaan type organisatie; een ingehuurde "
                "partij hoort in de begroting, niet als partner.",
                f"Partner '{partner.name}' is not an eligible type of organisation; a hired "
                "contractor belongs in the budget, not among the partners.")
        elif ptype.needs_funding_evidence and not partner.has_funding_evidence:
            add(f"partner_funding_evidence:{i}", fixable, f"partners[{i}]",
                f"Partner '{partner.name}' heeft nog geen financieringsbewijs aangeleverd.",
                f"Partner '{partner.name}' has not yet provided its funding evidence.")

    opens, closes = scheme.local_to_utc(rnd.opens), scheme.local_to_utc(rnd.closes)
    if not opens <= app.submitted_at < closes:
        add("round_closed", fatal, "round",
            f"Ingediend buiten de aanvraagperiode van {rnd.name_nl}.",
            f"Submitted outside the application period of {rnd.name_en}.")

    rubric = scheme.rubrics[rnd.rubric]
    for section in rubric.sections:
        words = word_count(app.sections.get(section.key, ""))
        if words == 0:
            add(f"section_missing:{section.key}", fixable, f"sections.{section.key}",
                f"Onderdeel {section.name_nl} ontbreekt.", f"Section {section.name_en} is missing.")
        elif words > section.words:
            add(f"section_too_long:{section.key}", fixable, f"sections.{section.key}",
                f"Onderdeel {section.name_nl} telt {words} woorden; maximaal {section.words}.",
                f"Section {section.name_en} has {words} words; at most {section.words}.")

    for field, chosen, options, nl, en in (
        ("pillars", app.pillars, scheme.pillars, "pijler", "pillar"),
        ("target_groups", app.target_groups, scheme.target_groups, "doelgroep", "target group"),
    ):
        if not chosen:
            add(f"no_{field}", fixable, field,
                f"Kies ten minste één {nl}.", f"Choose at least one {en}.")
    known = {c.key for c in (*scheme.pillars, *scheme.target_groups, *scheme.marginalised_groups)}
    for field, chosen in (("pillars", app.pillars), ("target_groups", app.target_groups),
                          ("marginalised_groups", app.marginalised_groups)):
        for key in chosen:
            if key not in known:
                add(f"unknown_choice:{key}", fixable, field,
                    f"'{key}' staat niet in de regeling.", f"'{key}' is not in the scheme.")

    if not app.activities:
        add("no_activity", fixable, "activities",
            "Beschrijf ten minste één activiteit.", "Describe at least one activity.")
    table = scheme.rate_tables[rnd.rate_table]
    for i, act in enumerate(app.activities):
        n, where = i + 1, f"activities[{i}]"
        words = activity_words(act)
        if words > rubric.activity_words:
            add(f"activity_too_long:{n}", fixable, where,
                f"Activiteit {n} telt {words} woorden; maximaal {rubric.activity_words}.",
                f"Activity {n} has {words} words; at most {rubric.activity_words}.")
        if not act.goal.strip() or not act.monitoring.strip():
            add(f"activity_incomplete:{n}", fixable, where,
                f"Geef bij activiteit {n} het doel en hoe de voortgang wordt gemonitord.",
                f"Give the goal of activity {n} and how its progress is monitored.")
        if act.start is None or act.end is None:
            add(f"activity_dates_missing:{n}", fixable, f"{where}.start",
                f"Geef de begin- en einddatum van activiteit {n}.",
                f"Give the start and end date of activity {n}.")
        elif act.end < act.start:
            add(f"activity_dates:{n}", fixable, f"{where}.end",
                f"Activiteit {n} eindigt voor zij begint.", f"Activity {n} ends before it starts.")
        if act.end is not None and act.end > scheme.scheme.projects_end:
            add(f"activity_after_end:{n}", fixable, f"{where}.end",
                f"Activiteit {n} eindigt na {scheme.scheme.projects_end:%d-%m-%Y}; alle "
                "projecten zijn dan afgerond.",
                f"Activity {n} ends after {scheme.scheme.projects_end:%Y-%m-%d}, when every "
                "project must have ended.")
        for j, line in enumerate(act.lines):
            priced = price(line, table)
            if priced is None:
                add(f"unknown_rate:{n}.{j + 1}", fixable, f"{where}.lines[{j}]",
                    f"Activiteit {n}, regel {j + 1}: '{line.rate_key}' staat niet in de "
                    f"tarieventabel van deze ronde.",
                    f"Activity {n}, line {j + 1}: '{line.rate_key}' is not in this round's rate "
                    "table.")
            elif priced != line.amount_cents:
                add(f"wrong_rate:{n}.{j + 1}", fixable, f"{where}.lines[{j}]",
                    f"Activiteit {n}, regel {j + 1}: {line.hours} uur tegen het tarief is "
                    f"{euros(priced)}, niet {euros(line.amount_cents)}.",
                    f"Activity {n}, line {j + 1}: {line.hours} hours at the rate is "
                    f"{euros(priced)}, not {euros(line.amount_cents)}.")
        lines_total = sum(line.amount_cents for line in act.lines)
        if act.lines and lines_total != act.budget_cents:
            add(f"activity_total:{n}", fixable, f"{where}.lines",
                f"De regels van activiteit {n} tellen op tot {euros(lines_total)}, niet "
                f"{euros(act.budget_cents)}.",
                f"The lines of activity {n} add up to {euros(lines_total)}, not "
                f"{euros(act.budget_cents)}.")

    budget_total = sum(a.budget_cents for a in app.activities)
    if app.activities and budget_total != app.requested_cents:
        add("budget_total", fixable, "requested",
            f"De begroting telt op tot {euros(budget_total)}, aangevraagd is "
            f"{euros(app.requested_cents)}.",
            f"The budget adds up to {euros(budget_total)}; the request is "
            f"{euros(app.requested_cents)}.")
    limits = scheme.amounts(rnd)
    if not limits.minimum_cents <= app.requested_cents <= limits.maximum_cents:
        add("amount_limits", fixable, "requested",
            f"Het aangevraagde bedrag moet tussen {euros(limits.minimum_cents)} en "
            f"{euros(limits.maximum_cents)} liggen.",
            f"The amount requested must lie between {euros(limits.minimum_cents)} and "
            f"{euros(limits.maximum_cents)}.")
    return findings
