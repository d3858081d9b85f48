"""Interface language: Dutch first, English second; the visitor's choice is kept in a cookie."""

from __future__ import annotations

from fastapi import Request

from domain.text import LANGUAGES, Text

LANG_COOKIE = "regie_lang"


def language(request: Request) -> str:
    """Dutch unless the visitor chose English (the switch in every page's header)."""
    chosen = request.cookies.get(LANG_COOKIE)
    return chosen if chosen in LANGUAGES else "nl"


UI: dict[str, Text] = {
    "app": Text("Regie: subsidieregeling Sociale Veiligheid", "Regie: Social Safety grant scheme"),
    "login": Text("Inloggen", "Sign in"),
    "logout": Text("Uitloggen", "Sign out"),
    "email": Text("E-mailadres", "E-mail address"),
    "password": Text("Wachtwoord", "Password"),
    "login_failed": Text("E-mailadres of wachtwoord onjuist.", "Wrong e-mail address or password."),
    "overview": Text("Overzicht aanvragen", "Grants overview"),
    "my_grants": Text("Mijn aanvragen", "My grants"),
    "my_assessments": Text("Mijn beoordelingen", "My assessments"),
    "knowledge": Text("Kenniscentrum", "Knowledge centre"),
    "outbox": Text("Verzonden e-mail", "Sent e-mail"),
    "reference": Text("Kenmerk", "Reference"),
    "title": Text("Titel", "Title"),
    "organisation": Text("Organisatie", "Organisation"),
    "round": Text("Ronde", "Round"),
    "stage": Text("Fase", "Stage"),
    "deadline": Text("Termijn", "Deadline"),
    "requested": Text("Aangevraagd", "Requested"),
    "awarded": Text("Toegekend", "Awarded"),
    "timeline": Text("Tijdlijn", "Timeline"),
    "actions": Text("Wat u nu kunt doen", "What you can do now"),
    "asked_now": Text("Wat nu van u gevraagd wordt", "What is asked of you now"),
    "nothing_asked": Text("Op dit moment niets.", "Nothing at the moment."),
    "reports": Text("Rapportages", "Reports"),
    "due": Text("Uiterlijk", "Due"),
    "status": Text("Status", "Status"),
    "findings": Text("Bevindingen ontvankelijkheidstoets", "Eligibility findings"),
    "history": Text("Workflowgeschiedenis", "Workflow history"),
    "download_json": Text("Download ruwe geschiedenis (JSON)", "Download raw history (JSON)"),
    "upcoming": Text("Eerstvolgende termijnen", "Upcoming deadlines"),
    "no_grants": Text("Geen aanvragen.", "No grants."),
    "submit": Text("Versturen", "Submit"),
    "reason": Text("Toelichting", "Reason"),
    "amount": Text("Bedrag (euro)", "Amount (euro)"),
    "summary": Text("Samenvatting", "Summary"),
    "accepted": Text("Goedgekeurd", "Accepted"),
    "submitted": Text("Ingediend", "Submitted"),
    "open": Text("Open", "Open"),
    "new_due": Text("Nieuwe uiterste datum", "New due date"),
    "accept": Text("Goedkeuren", "Accept"),
    "assessors": Text("Beoordelaars", "Assessors"),
    "score": Text("Score", "Score"),
    "motivation": Text("Motivering", "Motivation"),
    "sufficient": Text("Voldoende", "Sufficient"),
    "done": Text("Verwerkt.", "Done."),
    "refused": Text("Niet uitgevoerd", "Not done"),
    "welcome": Text(
        "Regie begeleidt elke aanvraag van indiening tot opname in het Kenniscentrum.",
        "Regie carries every application from submission to the knowledge centre."),
    "event": Text("Gebeurtenis", "Event"),
    "when": Text("Wanneer", "When"),
    "who": Text("Wie", "Who"),
    "details": Text("Details", "Details"),
    "forbidden": Text("Geen toegang", "No access"),
    "not_found": Text("Niet gevonden", "Not found"),
    "error": Text("Er ging iets mis", "Something went wrong"),
    "report_kind_progress": Text("Voortgangsrapportage", "Progress report"),
    "report_kind_final": Text("Eindrapportage", "Final report"),
    "demo_accounts": Text("Demo-accounts (wachtwoord: regie-demo)",
                          "Demo accounts (password: regie-demo)"),
}


def t(key: str, lang: str) -> str:
    return UI[key](lang)
