"""Eligibility (ontvankelijkheid): one pure function that returns every finding of an application.

A fatal finding makes the application ineligible; fixable ones start a correction request
(herstel verzuim). Every finding carries a stable code and a message in Dutch and English.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from domain.scheme import Round, Scheme
from domain.types import Finding, Severity


class ActivityFacts(BaseModel):
    model_config = ConfigDict(frozen=True)
    title: str
    description: str
    start: date
    end: date
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
    activities: tuple[ActivityFacts, ...]
    requested_cents: int
    submitted_at: datetime  # aware UTC


def word_count(text: str) -> int:
    return len(text.split())


def _euros(cents: int) -> str:
    return f"€ {cents / 100:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")


def check_eligibility(app: ApplicationFacts, scheme: Scheme, rnd: Round) -> list[Finding]:
    """Every finding for `app` under `rnd` of `scheme`; an empty list means eligible."""
    findings: list[Finding] = []

    def add(code: str, severity: Severity, nl: str, en: str) -> None:
        findings.append(Finding(code=code, severity=severity, nl=nl, en=en))

    org_type = scheme.organisation_type(app.organisation_type)
    if org_type is None:
        add("organisation_type", Severity.FATAL,
            f"Organisaties van het type '{app.organisation_type}' kunnen niet aanvragen.",
            f"Organisations of type '{app.organisation_type}' may not apply.")
    elif org_type.needs_funding_evidence and not app.has_funding_evidence:
        add("funding_evidence", Severity.FIXABLE,
            "Voeg het bewijs toe dat uw organisatie ten minste drie jaar is gefinancierd.",
            "Add the evidence that your organisation has been funded for at least three years.")
    for partner in app.partners:
        ptype = scheme.organisation_type(partner.organisation_type)
        if ptype is None:
            add("partner_type", Severity.FIXABLE,
                f"Partner '{partner.name}' is geen toegestaan type organisatie; een ingehuurde "
                "partij hoort in de begroting, niet als partner.",
                f"Partner '{partner.name}' is not an eligible type of organisation; a hired "
                "contractor belongs in the budget, not among the partners.")
        elif ptype.needs_funding_evidence and not partner.has_funding_evidence:
            add("partner_funding_evidence", Severity.FIXABLE,
                f"Voeg het financieringsbewijs van partner '{partner.name}' toe.",
                f"Add the funding evidence of partner '{partner.name}'.")

    opens, closes = scheme.local_to_utc(rnd.opens), scheme.local_to_utc(rnd.closes)
    if not opens <= app.submitted_at < closes:
        add("round_closed", Severity.FATAL,
            f"Ingediend buiten de aanvraagperiode van {rnd.name_nl}.",
            f"Submitted outside the application period of {rnd.name_en}.")

    rubric = scheme.rubrics[rnd.rubric]
    for section in rubric.sections:
        words = word_count(app.sections.get(section.key, ""))
        if words == 0:
            add(f"section_missing:{section.key}", Severity.FIXABLE,
                f"Onderdeel {section.name_nl} ontbreekt.", f"Section {section.name_en} is missing.")
        elif words > section.words:
            add(f"section_too_long:{section.key}", Severity.FIXABLE,
                f"Onderdeel {section.name_nl} telt {words} woorden; maximaal {section.words}.",
                f"Section {section.name_en} has {words} words; at most {section.words}.")
    if not app.pillars:
        add("no_pillar", Severity.FIXABLE,
            "Kies ten minste één pijler.", "Choose at least one pillar.")

    if not app.activities:
        add("no_activity", Severity.FIXABLE,
            "Beschrijf ten minste één activiteit.", "Describe at least one activity.")
    for i, act in enumerate(app.activities, start=1):
        words = word_count(act.description)
        if words > rubric.activity_words:
            add(f"activity_too_long:{i}", Severity.FIXABLE,
                f"Activiteit {i} telt {words} woorden; maximaal {rubric.activity_words}.",
                f"Activity {i} has {words} words; at most {rubric.activity_words}.")
        if act.end < act.start:
            add(f"activity_dates:{i}", Severity.FIXABLE,
                f"Activiteit {i} eindigt voor zij begint.", f"Activity {i} ends before it starts.")
        if act.end > scheme.scheme.projects_end:
            add(f"activity_after_end:{i}", Severity.FIXABLE,
                f"Activiteit {i} eindigt na {scheme.scheme.projects_end:%d-%m-%Y}.",
                f"Activity {i} ends after {scheme.scheme.projects_end:%Y-%m-%d}.")

    budget_total = sum(a.budget_cents for a in app.activities)
    if app.activities and budget_total != app.requested_cents:
        add("budget_total", Severity.FIXABLE,
            f"De begroting telt op tot {_euros(budget_total)}, aangevraagd is "
            f"{_euros(app.requested_cents)}.",
            f"The budget adds up to {_euros(budget_total)}; the request is "
            f"{_euros(app.requested_cents)}.")
    limits = scheme.defaults.amounts
    if not limits.minimum_cents <= app.requested_cents <= limits.maximum_cents:
        add("amount_limits", Severity.FIXABLE,
            f"Het aangevraagde bedrag moet tussen {_euros(limits.minimum_cents)} en "
            f"{_euros(limits.maximum_cents)} liggen.",
            f"The amount requested must lie between {_euros(limits.minimum_cents)} and "
            f"{_euros(limits.maximum_cents)}.")
    return findings
