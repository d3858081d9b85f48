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
    "my_data": Text("Mijn gegevens", "My data"),
    "login_via": Text("Inloggen via", "Sign in with"),
    "sso_failed": Text("Inloggen via uw instelling is niet gelukt; probeer het opnieuw.",
                       "Signing in through your institution failed; please try again."),
    "sso_no_account": Text("Geen account in Regie voor dit e-mailadres van uw instelling.",
                           "No account in Regie for this address of your institution."),
    "second_factor": Text("Tweede stap: code uit uw authenticator-app",
                          "Second step: the code from your authenticator app"),
    "enrol_intro": Text(
        "Het programmateam en auditors loggen in met een tweede factor. Voeg deze sleutel toe "
        "aan een authenticator-app (bijvoorbeeld op uw telefoon) en vul de code in die de app "
        "toont.",
        "The programme team and auditors sign in with a second factor. Add this key to an "
        "authenticator app (on your phone, for instance) and enter the code it shows."),
    "enrol_key": Text("Sleutel", "Key"),
    "enrol_link": Text("Of open deze link op het apparaat met de app",
                       "Or open this link on the device with the app"),
    "code_intro": Text("Vul de code van zes cijfers in die uw authenticator-app nu toont.",
                       "Enter the six-digit code your authenticator app shows now."),
    "code": Text("Code", "Code"),
    "confirm": Text("Bevestigen", "Confirm"),
    "code_wrong": Text("Deze code klopt niet of is al gebruikt; probeer de volgende.",
                       "This code is wrong or was used already; try the next one."),
    "code_expired": Text("De inlogstap is verlopen; log opnieuw in.",
                         "The sign-in step has expired; sign in again."),
    "too_many": Text("Te veel mislukte pogingen; probeer het over een kwartier opnieuw.",
                     "Too many failed attempts; try again in a quarter of an hour."),
    "forgot": Text("Wachtwoord vergeten?", "Forgot your password?"),
    "forgot_intro": Text(
        "Vul uw e-mailadres in. Heeft het een account, dan krijgt u een link om een nieuw "
        "wachtwoord te kiezen; die is een uur geldig.",
        "Enter your e-mail address. If it has an account, you get a link to choose a new "
        "password, valid for an hour."),
    "forgot_send": Text("Link versturen", "Send the link"),
    "forgot_sent": Text(
        "Als dit adres een account heeft, is er nu een link naartoe gestuurd.",
        "If this address has an account, a link has been sent to it."),
    "new_password": Text("Nieuw wachtwoord", "New password"),
    "reset_save": Text("Wachtwoord opslaan", "Save the password"),
    "reset_invalid": Text(
        "Deze link is verlopen of al gebruikt; vraag een nieuwe aan.",
        "This link has expired or was used already; ask for a new one."),
    "reset_done": Text("Uw wachtwoord is gewijzigd; log in met het nieuwe.",
                       "Your password has been changed; sign in with the new one."),
    "overview": Text("Overzicht aanvragen", "Grants overview"),
    "my_grants": Text("Mijn aanvragen", "My grants"),
    "my_assessments": Text("Mijn beoordelingen", "My assessments"),
    "to_score": Text("Te beoordelen", "To score"),
    "nothing_to_score": Text("Er wacht nu geen aanvraag op uw beoordeling.",
                             "No application awaits your assessment now."),
    "assigned_before": Text("Eerder aan u toegewezen", "Assigned to you before"),
    "your_score": Text("Uw beoordeling", "Your assessment"),
    "scored_on": Text("ingediend op {date}", "submitted on {date}"),
    "not_scored": Text("niet ingediend (niet meer nodig)", "not submitted (no longer needed)"),
    "knowledge": Text("Kenniscentrum", "Knowledge centre"),
    "skip_to_content": Text("Naar de inhoud", "Skip to content"),
    "menu": Text("Hoofdmenu", "Main menu"),
    "outbox": Text("Verzonden e-mail", "Sent e-mail"),
    "mail_sent": Text("Verzonden", "Sent"),
    "mail_pending": Text("Wacht op de mailserver", "Waiting for the mail server"),
    "mail_kept": Text("Bewaard, niet verstuurd: geen mailserver ingesteld",
                      "Kept, not sent: no mail server configured"),
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
    "download_csv": Text("Download als CSV", "Download as CSV"),
    "download_timeline_csv": Text("Tijdlijn als CSV", "Timeline as CSV"),
    "download_timeline_pdf": Text("Tijdlijn als PDF", "Timeline as PDF"),
    "verify": Text("Verificatie", "Verification"),
    "verify_button": Text("Verifieer: speel de geschiedenis opnieuw af",
                          "Verify: replay the history"),
    "verified_ok": Text("Het dossier is betrouwbaar: de geschiedenis speelt schoon af en het "
                        "oordeel volgt opnieuw uit de vastgelegde scores.",
                        "The record can be trusted: the history replays cleanly and the verdict "
                        "follows again from the recorded scores."),
    "verified_not": Text("Het dossier klopt niet: zie de bevindingen.",
                         "The record does not hold: see the findings."),
    "derived": Text("Opnieuw berekend", "Derived again"),
    "recorded": Text("Vastgelegd", "Recorded"),
    "round_audit": Text("Auditrapport van de ronde", "Round audit report"),
    "round_history": Text("Geschiedenis van de ronde", "History of the round"),
    "ledger_runs": Text("Geschiedenis van het budget", "History of the budget"),
    "ledger_runs_intro": Text(
        "Het budget van de regeling is één workflow die telkens na zo'n duizend gebeurtenissen "
        "verder gaat in een nieuwe run. Elke run houdt de toezeggingen die erin zijn vastgelegd: "
        "door wie, voor welke subsidie, binnen welk plafond.",
        "The scheme's budget is one workflow that goes on in a new run after about a thousand "
        "events. Each run holds the commitments set in it: by whom, for which grant, within "
        "which ceiling."),
    "round_runs_intro": Text(
        "Een ronde is één workflow die, zolang ze open is en op de oordelen wacht, telkens na "
        "zo'n tweeduizend gebeurtenissen verder gaat in een nieuwe run. Elke run houdt de "
        "aanvragen, oordelen en besluiten die erin binnenkwamen; de nieuwste run draagt alles "
        "wat de ronde tot dan toe aannam.",
        "A round is one workflow that, while open and while awaiting its verdicts, goes on in a "
        "new run after about two thousand events. Each run holds the applications, verdicts "
        "and decisions that reached it; the newest carries everything the round took so far."),
    "run": Text("Run", "Run"),
    "run_state": Text("Stand", "State"),
    "run_running": Text("loopt", "running"),
    "run_continued": Text("verder in een nieuwe run", "went on in a new run"),
    "run_closed": Text("gesloten", "closed"),
    "closed_at": Text("Gesloten", "Closed"),
    "kept_in_regie": Text("Bewaard in Regie", "Kept in Regie"),
    "source_temporal": Text("Bron: Temporal.", "Source: Temporal."),
    "source_kept": Text(
        "Bron: de kopie die Regie bewaarde, nu Temporal de geschiedenis niet meer heeft; de "
        "hash klopt met het auditlog (sha256 {sha256}).",
        "Source: the copy Regie kept, as Temporal no longer has the history; its hash matches "
        "the audit log (sha256 {sha256})."),
    "rubric": Text("Beoordelingskader", "Rubric"),
    "threshold": Text("drempel", "threshold"),
    "divergence": Text("verschil voor consensus", "divergence for consensus"),
    "tie_breaks": Text("bij gelijke stand", "tie-breaks"),
    "scheme_version": Text("Versie van de regeling", "Scheme version"),
    "budget_at_proposal": Text("Budget bij het voorstel", "Budget at the proposal"),
    "upcoming": Text("Eerstvolgende termijnen", "Upcoming deadlines"),
    "deadline_passed": Text("verstreken", "passed"),
    "report_overdue": Text("termijn verstreken", "overdue"),
    "deadlines_passed": Text("Verstreken: {count}, de langst verstreken bovenaan.",
                             "Passed: {count}, the longest passed at the top."),
    "no_deadlines": Text("Geen lopende termijnen.", "No deadlines running."),
    "all_deadlines": Text("Alle termijnen tonen", "Show every deadline"),
    "deadline_for": Text("Wat", "What"),
    "reports_to_review": Text("Rapportages te beoordelen", "Reports to review"),
    "longest_waiting": Text("De {count} die het langst wachten, de oudste eerst:",
                            "The {count} waiting longest, oldest first:"),
    "report": Text("Rapportage", "Report"),
    "no_grants": Text("Geen aanvragen.", "No grants."),
    "no_reports_to_review": Text("Geen rapportages te beoordelen.", "No reports to review."),
    "all_rounds": Text("Alle rondes", "All rounds"),
    "overview_search": Text("Kenmerk, titel of organisatie", "Reference, title or organisation"),
    "search_found": Text("Gevonden voor ‘{q}’", "Found for ‘{q}’"),
    "found_more": Text("Meer dan {count}: maak de zoekvraag preciezer.",
                       "More than {count}: narrow the search."),
    "not_saved": Text("Niet opgeslagen", "Not saved"),
    "files_too_large": Text(
        "De gekozen bestanden zijn samen groter dan {max_mb} MB en kunnen zo niet mee. Kies er "
        "minder tegelijk en sla op als concept; voeg de rest daarna toe.",
        "The files chosen are larger than {max_mb} MB together and cannot be sent so. Choose "
        "fewer at a time and save as draft; add the rest after that."),
    "round_applications": Text("Aanvragen in deze ronde", "Applications in this round"),
    "all_stages": Text("Alle fasen", "All stages"),
    "show": Text("Tonen", "Show"),
    "show_all": Text("Alle {count} tonen", "Show all {count}"),
    "shown_of": Text("{first}–{last} van {count}", "{first}–{last} of {count}"),
    "previous_page": Text("Vorige pagina", "Previous page"),
    "next_page": Text("Volgende pagina", "Next page"),
    "submit": Text("Versturen", "Submit"),
    "reason": Text("Toelichting", "Reason"),
    "amount": Text("Bedrag (euro)", "Amount (euro)"),
    "summary": Text("Samenvatting", "Summary"),
    "accepted": Text("Goedgekeurd", "Accepted"),
    "submitted": Text("Ingediend", "Submitted"),
    "open": Text("Open", "Open"),
    "new_due": Text("Nieuwe uiterste datum", "New due date"),
    "any_day": Text("Ja, ik bedoel {day}, al is het geen werkdag",
                    "Yes, I mean {day}, though it is not a working day"),
    "accept": Text("Goedkeuren", "Accept"),
    "assessors": Text("Beoordelaars", "Assessors"),
    "score": Text("Score", "Score"),
    "motivation": Text("Motivering", "Motivation"),
    "sufficient": Text("Voldoende", "Sufficient"),
    "done": Text("Verwerkt.", "Done."),
    "stepped_back": Text(
        "Uw melding van belangenverstrengeling bij {reference} is vastgelegd. De aanvraag staat "
        "niet meer op uw lijst; het programmateam krijgt er bericht van.",
        "Your declaration of a conflict of interest on {reference} is recorded. The application "
        "is no longer on your list; the programme team will be told."),
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
    "no_such_page": Text(
        "Deze pagina bestaat niet. Kijk het adres na, of begin op de startpagina.",
        "This page does not exist. Check the address, or start from the home page."),
    "not_a_page": Text("Dit adres verstuurt een formulier en is geen pagina om te openen.",
                       "This address sends a form; it is not a page to open."),
    "bad_request": Text("Dit adres of formulier klopt niet: {fields}.",
                        "This address or form is not right: {fields}."),
    "report_kind_progress": Text("Voortgangsrapportage", "Progress report"),
    "report_kind_final": Text("Eindrapportage", "Final report"),
    "applications": Text("Aanvragen", "Applications"),
    # the grantee's page to start or go on with an application (beside "Mijn aanvragen")
    "apply": Text("Aanvraag indienen", "Apply"),
    "organisation_page": Text("Mijn organisatie", "My organisation"),
    "register": Text("Organisatie registreren", "Register an organisation"),
    "legal_name": Text("Statutaire naam", "Legal name"),
    "organisation_type": Text("Type organisatie", "Type of organisation"),
    "kvk_number": Text("KvK-nummer", "Chamber of Commerce number"),
    "evidence": Text("Bewijs van drie jaar financiering (PDF, afbeelding of document; max 10 MB)",
                     "Evidence of three years of funding (PDF, image or document; max 10 MB)"),
    "your_name": Text("Uw naam", "Your name"),
    "name": Text("Naam", "Name"),
    "funding_evidence": Text("Bewijs van financiering", "Evidence of funding"),
    "evidence_present": Text("Ontvangen.", "Received."),
    "evidence_missing": Text(
        "Nog niet ontvangen. Uw type organisatie voegt het bewijs toe dat zij ten minste drie "
        "jaar is gefinancierd; zonder dat bewijs wordt een aanvraag niet in behandeling genomen.",
        "Not received yet. Your type of organisation adds the evidence that it has been funded "
        "for at least three years; without it, an application is not processed."),
    "evidence_not_needed": Text("Voor uw type organisatie is dit bewijs niet nodig.",
                                "Your type of organisation does not need this evidence."),
    "view_evidence": Text("Bekijk het bewijs", "View the evidence"),
    "evidence_upload": Text("Bewijs toevoegen", "Add the evidence"),
    "evidence_replace": Text("Bewijs vervangen", "Replace the evidence"),
    "evidence_added": Text("Het bewijs van financiering is ontvangen.",
                           "The evidence of funding has been received."),
    "evidence_awaits_review": Text("Het programmateam beoordeelt het nog.",
                                   "The programme team has yet to review it."),
    "evidence_found_sufficient": Text("Het programmateam vond het voldoende ({day}).",
                                      "The programme team found it sufficient ({day})."),
    "evidence_found_insufficient": Text(
        "Het programmateam vond het bewijs onvoldoende ({day}): {reason}. Voeg nieuw bewijs toe; "
        "een aanvraag die erop wacht, vult u daarna aan op de pagina van de aanvraag.",
        "The programme team found the evidence insufficient ({day}): {reason}. Add new "
        "evidence; then submit the correction of an application awaiting it on its page."),
    "evidence_none": Text("Geen bewijs ontvangen", "No evidence received"),
    "evidence_unreviewed": Text("nog niet beoordeeld", "not yet reviewed"),
    "evidence_sufficient_by": Text("voldoende bevonden door {who} ({day})",
                                   "found sufficient by {who} ({day})"),
    "evidence_insufficient_by": Text("onvoldoende bevonden door {who} ({day}): {reason}",
                                     "found insufficient by {who} ({day}): {reason}"),
    "evidence_review_intro": Text(
        "Organisaties van dit type tonen aan dat zij ten minste drie jaar zijn gefinancierd. "
        "Onvoldoende bewijs telt bij de volgende toets als ontbrekend; de organisatie hoort "
        "waarom.",
        "Organisations of this type show that they have been funded for at least three years. "
        "Insufficient evidence counts as missing at the next check; the organisation is told "
        "why."),
    "evidence_why_insufficient": Text("Waarom onvoldoende?", "Why insufficient?"),
    "record_judgement": Text("Oordeel vastleggen", "Record the judgement"),
    "notes": Text("Aantekeningen", "Notes"),
    "notes_intro": Text("Aantekeningen van het programmateam, alleen voor het team en "
                        "auditors. Een aantekening blijft staan zoals ze is geschreven: ze komt "
                        "in het auditlog; een vergissing zet een correctie recht.",
                        "The programme team's notes, for the team and auditors only. A note "
                        "stays as it was written: it goes into the audit log; a correction puts "
                        "a mistake right."),
    "no_notes": Text("Nog geen aantekeningen.", "No notes yet."),
    "note": Text("Aantekening", "Note"),
    "add_note": Text("Aantekening toevoegen", "Add the note"),
    "correct_note": Text("Corrigeren", "Correct"),
    "correct_note_help": Text(
        "De correctie komt als eigen aantekening in het auditlog; deze aantekening blijft staan "
        "zoals ze is geschreven, gemarkeerd als gecorrigeerd.",
        "The correction goes into the audit log as a note of its own; this note stays as it "
        "was written, marked as corrected."),
    "note_correction": Text("Correctie", "Correction"),
    "save_correction": Text("Correctie opslaan", "Save the correction"),
    "note_corrected": Text("gecorrigeerd op {at} door {by}, zie hieronder",
                           "corrected on {at} by {by}, see below"),
    "note_correction_of": Text("correctie van de aantekening van {at}",
                               "correction of the note of {at}"),
    "lead_applicant": Text("aanvrager", "applicant"),
    "partner": Text("partner", "partner"),
    "correction_then_submit": Text(
        "Deze aanvragen wachten op een aanvulling. Heeft u het gevraagde toegevoegd, dien dan "
        "op de pagina van de aanvraag de aanvulling in, vóór de termijn verstrijkt:",
        "These applications await a correction. Once you have added what was asked, submit the "
        "correction on the application's page, before the term ends:"),
    "add_on_organisation_page": Text("Voeg het toe op de pagina Mijn organisatie",
                                     "Add it on the My organisation page"),
    "partner_adds_evidence": Text(
        "De partner voegt het toe op zijn eigen pagina Mijn organisatie.",
        "The partner adds it on its own My organisation page."),
    "application_as_submitted": Text("De aanvraag zoals ingediend", "The application as submitted"),
    "partner_organisations": Text("Partners", "Partners"),
    "who_does_what_short": Text("Wie doet wat", "Who does what"),
    "period": Text("Periode", "Period"),
    "amount_shown": Text("Bedrag", "Amount"),
    "severity_fixable": Text("Aan te vullen", "To correct"),
    "severity_fatal": Text("Niet ontvankelijk", "Ineligible"),
    "members": Text("Leden", "Members"),
    "invite": Text("Uitnodigen", "Invite"),
    "invited": Text("Uitnodiging verstuurd aan", "Invitation sent to"),
    "pending_invitations": Text("Openstaande uitnodigingen", "Pending invitations"),
    "create_account": Text("Account aanmaken", "Create account"),
    "new_application": Text("Nieuwe aanvraag", "New application"),
    "no_open_round": Text("Er is nu geen aanvraagronde open.", "No application round is open now."),
    "new_here": Text("Nieuw hier?", "New here?"),
    "opens": Text("Opent", "Opens"),
    "subsidy_ceiling": Text("Subsidieplafond", "Budget ceiling"),
    "who_may_apply": Text("Wie kan aanvragen", "Who may apply"),
    "with_funding_evidence": Text("met bewijs van ten minste drie jaar financiering",
                                  "with evidence of at least three years of funding"),
    "round_opens": Text("{name} opent op {opens} en sluit op {closes}.",
                        "{name} opens on {opens} and closes on {closes}."),
    "drafts": Text("Concepten en ingediende aanvragen", "Drafts and submitted applications"),
    "draft": Text("Concept", "Draft"),
    "draft_count": Text("Concepten", "Drafts"),
    "drafts_open_from": Text("Concepten vanaf", "Drafts from"),
    "save": Text("Opslaan", "Save"),
    "saved": Text("Opgeslagen", "Saved"),
    "submit_application": Text("Aanvraag indienen", "Submit application"),
    "prepare_application": Text("Aanvraag voorbereiden", "Prepare an application"),
    "prepare_now": Text("U kunt uw aanvraag nu al voorbereiden; indienen kan zodra de ronde "
                        "opent.", "You can prepare your application now, and submit it once "
                        "the round opens."),
    "call_title": Text("{name}: oproep tot aanvragen", "{name}: call for applications"),
    "call_link": Text("Oproep", "Call"),
    "call_when": Text("Wanneer", "When"),
    "call_projects_end": Text("Alle projecten zijn uiterlijk op {end} afgerond.",
                              "Every project ends on {end} at the latest."),
    "call_money": Text("Budget", "Budget"),
    "call_amounts": Text("Per aanvraag tussen {minimum} en {maximum}.",
                         "Between {minimum} and {maximum} an application."),
    "call_application": Text("De aanvraag", "The application"),
    "call_words": Text("ten hoogste {words} woorden", "at most {words} words"),
    "call_activities": Text("Activiteiten: per activiteit ten hoogste {words} woorden, met de "
                            "begroting van de activiteit; elke activiteit is vóór {end} "
                            "afgerond.", "Activities: at most {words} words an activity, with "
                            "its budget; every activity ends before {end}."),
    "call_rates": Text("Uurtarieven", "Hourly rates"),
    "call_overhead": Text("inclusief overhead", "overhead included"),
    "call_per_hour": Text("Per uur", "Per hour"),
    "call_assessment": Text("Beoordeling", "Assessment"),
    "call_scores": Text("{assessors} beoordelaars scoren elk onderdeel van {low} tot {high}.",
                        "{assessors} assessors score each part from {low} to {high}."),
    "call_anonymous": Text("Zij zien niet wie de aanvraag indient.",
                           "They do not see who applies."),
    "call_weight": Text("gewicht", "weight"),
    "call_activity_part": Text("Activiteiten (voldoende of onvoldoende per activiteit)",
                               "Activities (sufficient or not, per activity)"),
    "call_budget_part": Text("Begroting (voldoende of onvoldoende per activiteit)",
                             "Budget (sufficient or not, per activity)"),
    "call_ranking": Text("Rangschikking en toekenning", "Ranking and award"),
    "call_threshold": Text("Een aanvraag komt in aanmerking als elk onderdeel gemiddeld ten "
                           "minste {minimum} scoort en elke activiteit en begroting voldoende "
                           "is.", "An application qualifies when every part averages at least "
                           "{minimum} and every activity and budget is sufficient."),
    "call_divergence": Text("Liggen beoordelaars {points} punten of meer uit elkaar, dan stellen "
                            "zij samen de score vast.", "Assessors {points} points or more apart "
                            "agree a score together."),
    "call_order": Text("De aanvragen worden gerangschikt op hun gewogen totaal; bij gelijke "
                       "stand beslist achtereenvolgens:", "Applications are ranked by their "
                       "weighted total; a tie is settled by, in turn:"),
    "call_tie_requested": Text("het kleinere gevraagde bedrag", "the smaller amount requested"),
    "call_tie_submitted": Text("de eerdere indiening", "the earlier submission"),
    "call_cut_skip": Text("Past een aanvraag niet meer binnen het plafond, dan gaat het budget "
                          "naar de volgende die wel past.", "An application that no longer fits "
                          "the ceiling is passed over for the next that does."),
    "call_cut_stop": Text("Past een aanvraag niet meer binnen het plafond, dan stopt de "
                          "toekenning daar.", "Awards stop at the first application that no "
                          "longer fits the ceiling."),
    "call_terms": Text("Termijnen", "Terms"),
    "call_correction": Text("Ontbreekt er iets, dan heeft u {days} dagen om het aan te vullen "
                            "(herstel verzuim).", "If something is missing, you have {days} "
                            "days to add it."),
    "call_decision": Text("Het besluit volgt binnen {days} dagen na de beoordeling.",
                          "The decision follows within {days} days of the assessment."),
    "call_objection": Text("Tegen het besluit kunt u binnen {weeks} weken bezwaar maken.",
                           "You may object to the decision within {weeks} weeks."),
    "call_term_end": Text("Een termijn loopt tot en met de laatste dag.",
                          "A term runs to the end of its last day."),
    "call_term_working_day": Text("Valt die op een zaterdag, zondag of algemeen erkende "
                                  "feestdag, dan loopt de termijn door tot en met de "
                                  "eerstvolgende werkdag.", "If that day is a Saturday, Sunday "
                                  "or public holiday, the term runs on to the end of the next "
                                  "working day."),
    "call_after_award": Text("Na toekenning", "After the award"),
    "call_advance": Text("U ontvangt {percent}% van de subsidie als voorschot.",
                         "{percent}% of the grant is paid in advance."),
    "call_reports": Text("Elke {months} maanden een voortgangsrapportage; het eindverslag binnen "
                         "{weeks} weken na de laatste activiteit.", "A progress report every "
                         "{months} months; the final report within {weeks} weeks of the last "
                         "activity."),
    "call_final_by_amount": Text("Het eindverslag, naar de hoogte van de subsidie:",
                                 "The final report, by the amount of the grant:"),
    "call_band_any": Text("elke subsidie", "any grant"),
    "call_band_below": Text("tot {below}", "below {below}"),
    "call_band_between": Text("{lower} tot {below}", "{lower} to below {below}"),
    "call_band_from": Text("vanaf {lower}", "from {lower}"),
    "call_band_auditor": Text("met accountantsverklaring", "with an auditor's statement"),
    "report_content_short_activity_report": Text("een beknopt activiteitenverslag",
                                                 "a short activity report"),
    "report_content_activity_report": Text("een activiteitenverslag", "an activity report"),
    "report_content_activity_and_financial_report": Text(
        "een activiteitenverslag en een financieel verslag",
        "an activity report and a financial report"),
    "call_settlement": Text("De subsidie wordt binnen {weeks} weken na het goedgekeurde "
                            "eindverslag vastgesteld.", "The grant is settled within {weeks} "
                            "weeks of the accepted final report."),
    "prepare_from": Text("{name}: uw aanvraag voorbereiden in Regie kan vanaf {when}.",
                         "{name}: you can prepare your application in Regie from {when}."),
    "drafts_from": Text("Vanaf {when} kunt u hier uw aanvraag voorbereiden.",
                        "From {when} you can prepare your application here."),
    "submit_from": Text("Deze ronde opent op {opens}. Tot dan bewaart Regie uw concept; "
                        "indienen kan vanaf de opening.", "This round opens on {opens}. Until "
                        "then Regie keeps your draft; you can submit it from the opening."),
    "words": Text("woorden", "words"),
    "partners": Text("Partners (penvoerder is uw organisatie)",
                     "Partners (your organisation is the lead)"),
    "pillars": Text("Pijlers", "Pillars"),
    "target_groups": Text("Doelgroepen", "Target groups"),
    "marginalised_groups": Text("Gemarginaliseerde groepen", "Marginalised groups"),
    "activities": Text("Activiteiten", "Activities"),
    "activity": Text("Activiteit", "Activity"),
    "add_activity": Text("Activiteit toevoegen", "Add activity"),
    "remove_activity": Text("Activiteit verwijderen", "Remove activity"),
    "add_line": Text("Begrotingsregel toevoegen", "Add budget line"),
    "goal": Text("Doelstelling", "Goal"),
    "monitoring": Text("Monitoring van de voortgang", "How progress is monitored"),
    "description": Text("Omschrijving", "Description"),
    "who_does_what": Text("Wie doet wat (bij samenwerking)", "Who does what (in a partnership)"),
    "start": Text("Begin", "Start"),
    "end": Text("Einde (uiterlijk {end})", "End ({end} at the latest)"),
    "budget": Text("Begroting", "Budget"),
    "kind_hours": Text("Uren × tarief", "Hours × rate"),
    "kind_cost": Text("Overige kosten", "Other cost"),
    "rate": Text("Rol / tarief", "Role / rate"),
    "hours": Text("Uren", "Hours"),
    "total": Text("Totaal", "Total"),
    "requested_total": Text("Totaal aangevraagd", "Total requested"),
    "fix_these": Text("De aanvraag is nog niet verzonden. Herstel het volgende:",
                      "The application has not been sent. Please fix the following:"),
    "receipt": Text("Ontvangstbevestiging", "Receipt"),
    "receipt_text": Text("Uw aanvraag is ingediend. U ontvangt een bevestiging per e-mail.",
                         "Your application has been submitted. A confirmation is on its way "
                         "by e-mail."),
    "submitted_at": Text("Ingediend op", "Submitted at"),
    "closes": Text("Sluit", "Closes"),
    "hidden": Text("verborgen voor beoordelaars", "hidden from assessors"),
    "scores": Text("Scores", "Scores"),
    "fundable": Text("Financierbaar", "Fundable"),
    "yes": Text("ja", "yes"),
    "no": Text("nee", "no"),
    "divergent": Text("Beoordelaars lopen uiteen op", "Assessors diverge on"),
    "consensus": Text("Consensus", "Consensus"),
    "letters": Text("Brieven", "Letters"),
    "letter_award": Text("Toekenningsbesluit", "Award decision"),
    "letter_rejection": Text("Afwijzingsbesluit", "Rejection decision"),
    "letter_settlement": Text("Vaststellingsbesluit", "Settlement decision"),
    "letter_amendment": Text("Wijzigingsbesluit", "Amendment decision"),
    "letter_objection_upheld": Text("Beslissing op bezwaar: gegrond",
                                    "Decision on objection: upheld"),
    "letter_objection_dismissed": Text("Beslissing op bezwaar: ongegrond",
                                       "Decision on objection: dismissed"),
    "assessments_each": Text("De beoordelingen", "The assessments"),
    "assessor": Text("Beoordelaar", "Assessor"),
    "withdraw_conflict_help": Text(
        "Voor een melding die ten onrechte is gedaan: daarna kunt u deze beoordelaar weer "
        "toewijzen. De reden komt in de tijdlijn en het auditlog.",
        "For a declaration made in error: afterwards you can assign this assessor again. The "
        "reason goes into the timeline and the audit log."),
    "not_scored_yet": Text("Nog niet beoordeeld", "Not assessed yet"),
    "has_scored": Text("heeft beoordeeld", "has assessed"),
    "assign_round": Text("Beoordelaars toewijzen: {round}", "Assign assessors: {round}"),
    "assign_intro": Text(
        "Kies voor elke aanvraag in beoordeling {count} beoordelaars. Wie bij de aanvrager of "
        "een partner hoort, staat er niet bij (belangenverstrengeling); wie al beoordeeld "
        "heeft, blijft. Alleen de aanvragen waarvan u de keuze wijzigt, worden doorgegeven.",
        "Choose {count} assessors for each application in assessment. Those who belong to the "
        "applicant or a partner are not listed (conflict of interest); those who have assessed "
        "stay. Only the applications whose choice you change are passed on."),
    "assign_digest": Text(
        "Beoordelaars krijgen hun nieuwe aanvragen in één e-mail, {minutes} minuten nadat er "
        "geen meer bij is gekomen. De beoordelingstermijn loopt vanaf de toewijzing.",
        "Assessors are told their new applications in one e-mail, {minutes} minutes after the "
        "last was added. The assessment term runs from the assignment."),
    "assign_digest_now": Text(
        "Beoordelaars krijgen hun nieuwe aanvragen direct per e-mail.",
        "Assessors are told their new applications by e-mail at once."),
    "assign_none": Text("Er is in deze ronde geen aanvraag in beoordeling.",
                        "No application of this round is in assessment."),
    "assign_link": Text("Beoordelaars toewijzen ({count} in beoordeling)",
                        "Assign assessors ({count} in assessment)"),
    "only_unassigned": Text("alleen die zonder beoordelaars ({count})",
                            "only those without assessors ({count})"),
    "all_in_assessment": Text("alle aanvragen in beoordeling ({count})",
                              "every application in assessment ({count})"),
    "assessor_n": Text("Beoordelaar {n}", "Assessor {n}"),
    "assessor_n_for": Text("Beoordelaar {n} voor {reference}", "Assessor {n} for {reference}"),
    "save_assignments": Text("Toewijzingen opslaan", "Save assignments"),
    "propose_assessors": Text("Stel beoordelaars voor", "Propose assessors"),
    "proposal_filled": Text(
        "Voorstel ingevuld voor {count} van de aanvragen op deze pagina: elke open plaats gaat "
        "naar wie het minst te beoordelen heeft, zonder belangenverstrengeling. Kijk het na en "
        "sla het op: er is nog niets toegewezen.",
        "A proposal is filled in for {count} of the applications on this page: each open place "
        "goes to whoever has least to assess, without conflicts of interest. Check it and save "
        "it: nothing is assigned yet."),
    "proposal_none": Text(
        "Geen voorstel: elke aanvraag op deze pagina heeft haar beoordelaars, of er is niemand "
        "die haar mag beoordelen.",
        "No proposal: every application on this page has its assessors, or no one may assess "
        "it."),
    "proposal_discard": Text("Voorstel wissen", "Discard the proposal"),
    "assignments_done": Text("Aanvragen toegewezen: {count}.", "Applications assigned: {count}."),
    "assignments_refused": Text("Niet toegewezen: {count}.", "Not assigned: {count}."),
    "workload": Text("Werklast van de beoordelaars", "The assessors' workload"),
    "scored_count": Text("Beoordeeld", "Assessed"),
    "insufficient": Text("Onvoldoende", "Insufficient"),
    "choose": Text("Kies…", "Choose…"),
    "rounds": Text("Rondes", "Rounds"),
    "ledger": Text("Budget", "Budget"),
    "budget_programme": Text("Programma", "Programme"),
    "ceiling": Text("Plafond", "Ceiling"),
    "committed": Text("Toegekend", "Committed"),
    "remaining": Text("Beschikbaar", "Remaining"),
    "phase": Text("Fase", "Phase"),
    "allocation": Text("Voorstel verdeling", "Proposed allocation"),
    "allocation_confirmed": Text("Bevestigde verdeling", "Confirmed allocation"),
    "scheme_file_apart": Text(
        "het regelingbestand zegt {value}: (nog) niet overgenomen; een worker neemt het over "
        "bij zijn start, of logt waarom het niet kan",
        "the scheme file says {value}: not (yet) taken over; a worker takes it over when it "
        "starts, or logs why it cannot"),
    "proposed_amount": Text("Voorgesteld", "Proposed"),
    "rank": Text("Rang", "Rank"),
    "explanation": Text("Toelichting", "Explanation"),
    "change_amount": Text("Ander bedrag (euro, 0 = niet)", "Other amount (euro, 0 = none)"),
    "change_reason": Text("Reden van de wijziging", "Reason for the change"),
    "confirm_allocation": Text("Verdeling bevestigen en besluiten versturen",
                               "Confirm the allocation and send the decisions"),
    "confirm_for_approval": Text("Verdeling bevestigen; een ander lid keurt haar goed",
                                 "Confirm the allocation; another member approves it"),
    "awaiting_approval": Text(
        "Bevestigd door {by}. De besluiten gaan uit zodra een ander lid van het programmateam "
        "de verdeling goedkeurt; of zij gaat terug, met de reden, om opnieuw te bevestigen.",
        "Confirmed by {by}. The decisions go out once another member of the programme team "
        "approves the allocation; or it goes back, with the reason, to be confirmed anew."),
    "awaiting_approval_short": Text("bevestigd door {by}; wacht op goedkeuring",
                                    "confirmed by {by}; awaits approval"),
    "own_confirmation": Text(
        "U bevestigde deze verdeling zelf: een ander lid van het programmateam keurt haar goed. "
        "Terugnemen kan wel.",
        "You confirmed this allocation yourself: another member of the programme team "
        "approves it. You can take it back."),
    "approve_allocation": Text("Verdeling goedkeuren en besluiten versturen",
                               "Approve the allocation and send the decisions"),
    "return_allocation": Text("Terugsturen om opnieuw te bevestigen",
                              "Send back to be confirmed anew"),
    "return_reason": Text("Reden van het terugsturen", "Reason for sending it back"),
    "returned_by": Text("Teruggestuurd door {by}", "Sent back by {by}"),
    "distribution": Text("Spreiding", "Distribution"),
    "dim_organisation_type": Text("Type organisatie", "Organisation type"),
    "dim_organisation": Text("Instelling", "Institution"),
    "dim_pillar": Text("Pijler", "Pillar"),
    "dim_target_group": Text("Doelgroep", "Target group"),
    "spread_evenly": Text(
        "Een project telt mee bij elk van zijn keuzes; zijn bedrag is gelijk over die keuzes "
        "verdeeld, zodat de bedragen optellen tot het toegekende totaal.",
        "A project counts under each of its choices; its amount is split evenly over them, so "
        "that the amounts add up to the total awarded."),
    "applied": Text("Aanvragen", "Applications"),
    "funded": Text("Gefinancierd", "Funded"),
    "confirmed_by": Text("Bevestigd door", "Confirmed by"),
    "approved_by": Text("Goedgekeurd door", "Approved by"),
    "undelivered": Text(
        "Besluiten uit deze verdeling die niet zijn genomen: {count}. Een aanvraag weigerde haar "
        "toekenning (het budget had er geen ruimte meer voor, bijvoorbeeld), en de toekenningen "
        "lager in de rangschikking zijn daarna niet verstuurd. Deze aanvragen wachten nog op een "
        "besluit: besluit erover op de pagina van elke aanvraag. Waarom elk besluit niet is "
        "genomen, staat bij de regel.",
        "Decisions of this allocation that were not taken: {count}. An application refused its "
        "award (the budget had no room left for it, say), and the awards ranked below it were "
        "not sent after that. These applications still await a decision: decide each on its "
        "page. Why each was not taken is given on its line."),
    "undelivered_line": Text("wacht nog op een besluit", "still awaits a decision"),
    "round_decides": Text(
        "Over deze aanvraag besluit ronde {round}, met de andere aanvragen in de volgorde van "
        "hun rangschikking: het programmateam bevestigt de verdeling op de pagina van de ronde.",
        "Round {round} decides this application, with the others in the order of their ranking: "
        "the programme team confirms the allocation on the round's page."),
    "assessor_pool": Text("Beoordelaars", "Assessors"),
    "expertise": Text("Deskundigheid", "Expertise"),
    "profile_edit": Text("Deskundigheid en afwezigheid aanpassen",
                         "Change expertise and absence"),
    "profile_saved": Text("Gegevens van {name} opgeslagen.", "Details of {name} saved."),
    "expertise_help": Text(
        "Het voorstel bij het toewijzen geeft een aanvraag eerst de beoordelaars die een van haar "
        "pijlers of doelgroepen kennen, en daarna wie het minst te beoordelen heeft; wie afwezig "
        "is, stelt het niet voor (u kunt hen wel kiezen).",
        "When assigning, the proposal gives an application first the assessors who know one of "
        "its pillars or target groups, and then whoever has least to score; it does not propose "
        "those who are away (you can still choose them)."),
    "expert": Text("deskundig", "expertise"),
    "away_until": Text("Afwezig tot en met", "Away until"),
    "away_until_short": Text("afwezig t/m {day}", "away until {day}"),
    "add_assessor": Text("Beoordelaar toevoegen", "Add assessor"),
    "none": Text("geen", "none"),
    "search": Text("Zoeken", "Search"),
    "search_placeholder": Text("Zoek in projecten, resultaten en lessen",
                               "Search projects, results and lessons"),
    "all": Text("alle", "all"),
    "year": Text("Jaar", "Year"),
    "results": Text("Resultaten", "Results"),
    "lessons": Text("Geleerde lessen", "Lessons learned"),
    "documents": Text("Openbare documenten", "Public documents"),
    "open_data": Text("Open data: alle gefinancierde projecten", "Open data: all funded projects"),
    "found": Text("gevonden", "found"),
    "report_done": Text("Wat is er gedaan, vergeleken met de planning?",
                        "What was done, compared with the plan?"),
    "report_monitoring": Text("Resultaten van de monitoring", "Monitoring results"),
    "report_deviations": Text("Afwijkingen en waarom", "Deviations and why"),
    "attachments": Text("Bijlagen", "Attachments"),
    "public_documents": Text("Deze bijlagen mogen openbaar in het kenniscentrum",
                             "These attachments may be public in the knowledge centre"),
    "auditor_statement": Text("Controleverklaring van de accountant", "Auditor's statement"),
    "financial_report": Text("Financiële verantwoording", "Financial report"),
    "document": Text("Document", "Document"),
    "public_attachment": Text("openbaar in het kenniscentrum", "public in the knowledge centre"),
    "review_comment": Text("Opmerking van het programmateam", "The programme team's comment"),
    "report_received": Text("Rapportage ontvangen", "Report received"),
    "report_returned": Text("Het programmateam heeft deze rapportage teruggestuurd en vraagt om "
                            "aanpassingen:",
                            "The programme team sent this report back and asks for changes:"),
    "report_draft_kept": Text("Wat u typt, bewaart Regie als concept tot u de rapportage indient: "
                              "u kunt later verdergaan, ook via de link in de e-mail.",
                              "Regie keeps what you type as a draft until you submit the report: "
                              "you can go on later, also through the link in the e-mail."),
    "draft_saved": Text("Concept opgeslagen", "Draft saved"),
    "draft_saved_at": Text("Concept opgeslagen op {at}", "Draft saved on {at}"),
    "save_draft": Text("Opslaan als concept", "Save as draft"),
    "add_attachments": Text("Bijlagen toevoegen", "Add files"),
    "files_on_form": Text("Bijlagen bij deze rapportage", "Files with this report"),
    "files_untick": Text("Vink een bestand uit om het weg te laten als u het formulier verstuurt "
                         "of opslaat.",
                         "Untick a file to leave it out when you send or save the form."),
    "file_download": Text("downloaden", "download"),
    "file_download_named": Text("{name} downloaden", "Download {name}"),
    "open_report_form": Text("Rapportageformulier openen", "Open the report form"),
    "new_end": Text("Nieuwe einddatum laatste activiteit (uiterlijk {end})",
                    "New end of the last activity ({end} at the latest)"),
    "change_kind": Text("Soort wijziging", "Kind of change"),
    "change_kind_planning": Text("Andere planning", "Other planning"),
    "change_kind_budget": Text("Verschuiving in de begroting", "Shift in the budget"),
    "change_kind_extension": Text("Verlenging", "Extension"),
    "final_amount": Text("Vastgesteld bedrag (euro)", "Settled amount (euro)"),
    "new_amount": Text("Nieuw bedrag (euro)", "New amount (euro)"),
    "amend_award_help": Text(
        "Een wijzigingsbesluit, na bezwaar tegen het bedrag, een wijziging van het project of "
        "een verkeerd vastgelegd bedrag. Nu toegekend: {amount}. Het grootboek, het voorschot "
        "en de vaststelling volgen het nieuwe bedrag; de aanvrager krijgt het besluit, met wat "
        "er aan voorschot bij komt of terug moet.",
        "An amendment decision, after an objection to the amount, a change to the project or "
        "an amount set wrong. Awarded now: {amount}. The ledger, the advance and the "
        "settlement follow the new amount; the applicant gets the decision, with the advance "
        "paid or to repay."),
    "approve": Text("Goedkeuren", "Approve"),
    "refuse": Text("Afwijzen", "Refuse"),
    "withdraw_reason": Text("Waarom trekt u de aanvraag in?",
                            "Why do you withdraw the application?"),
    "withdraw_confirm": Text("Ik begrijp dat de aanvraag dan niet verder wordt behandeld en dat "
                             "intrekken niet ongedaan kan worden gemaakt.",
                             "I understand that the application will then not be processed "
                             "further, and that a withdrawal cannot be undone."),
    "annual": Text("Voortgangsrapportage", "Annual progress report"),
    "annual_years": Text("Jaren van het programma", "The programme's years"),
    "payments": Text("Betalingen uit de besluiten van dit jaar",
                     "Payments arising from this year's decisions"),
    "payments_note": Text(
        "Wat de toekenningen, wijzigingen en vaststellingen van dit jaar laten betalen of "
        "terugvorderen, volgens het voorschotpercentage van elke ronde. Het betalen zelf doet "
        "de financiële administratie.",
        "What this year's awards, amendments and settlements make due to pay or reclaim, at "
        "each round's advance percentage. The paying itself is for the finance department."),
    "payments_csv": Text("Elke betaling als CSV", "Each payment as CSV"),
    "payment_advance": Text("Voorschot bij toekenning", "Advance on the award"),
    "payment_advance_raised": Text("Aanvulling voorschot bij wijziging",
                                   "Advance raised on amendment"),
    "payment_advance_reclaimed": Text("Terugvordering voorschot bij wijziging",
                                      "Advance reclaimed on amendment"),
    "payment_payment": Text("Nabetaling bij vaststelling", "Paid on settlement"),
    "payment_reclaim": Text("Terugvordering bij vaststelling", "Reclaimed on settlement"),
    "import": Text("Importeren en exporteren", "Import and export"),
    "import_intro": Text(
        "Neem subsidies over die al voor Regie zijn toegekend: vul het sjabloon (één rij per "
        "subsidie), controleer het bestand en importeer het. Elke subsidie start in de fase "
        "waarin ze staat, met het rapportageschema dat uit haar data volgt.",
        "Take over grants awarded before Regie: fill in the template (one row per grant), check "
        "the file and import it. Each grant starts at the stage it is in, with the report "
        "schedule that follows from its dates."),
    "import_template": Text("Sjabloon met voorbeelden", "Template with examples"),
    "export": Text("Alle subsidies exporteren", "Export every grant"),
    "import_file": Text("Bestand (.csv of .xlsx)", "File (.csv or .xlsx)"),
    "import_check": Text("Alleen controleren", "Check only"),
    "import_run": Text("Controleren en importeren", "Check and import"),
    "import_refused": Text("Het bestand is niet geïmporteerd: los deze problemen op",
                           "The file was not imported: resolve these problems"),
    "import_checked": Text("Geen problemen gevonden; er is niets opgeslagen",
                           "No problems found; nothing was saved"),
    "import_done": Text("Geïmporteerd", "Imported"),
    "import_new": Text("nieuw", "new"),
    "import_unchanged": Text("al eerder geïmporteerd en ongewijzigd",
                             "imported before and unchanged"),
    "import_idempotent": Text(
        "Hetzelfde bestand nogmaals importeren verandert niets. Een bestand met één fout rij "
        "wordt in zijn geheel geweigerd.",
        "Importing the same file again changes nothing. A file with one bad row is refused "
        "as a whole."),
    "row": Text("Rij", "Row"),
    "column": Text("Kolom", "Column"),
    "problem": Text("Probleem", "Problem"),
    "on_time": Text("Op tijd", "On time"),
    "late": Text("Te laat", "Late"),
    "outstanding": Text("Nog niet ontvangen", "Outstanding"),
    "phase_scheduled": Text("Nog niet open", "Not open yet"),
    "phase_open": Text("Open", "Open"),
    "phase_closed": Text("Gesloten", "Closed"),
    "phase_assessing": Text("Beoordeling loopt", "Being assessed"),
    "phase_proposed": Text("Verdeling voorgesteld", "Allocation proposed"),
    "phase_decided": Text("Besloten", "Decided"),
    "result_unavailable": Text("Temporal geeft de stand nu niet; probeer het later opnieuw.",
                               "Temporal does not give the state now; please try again later."),
    "result_altered": Text(
        "De bewaarde geschiedenis klopt niet met haar hash in het auditlog, dus de uitkomst wordt "
        "niet getoond. Meld dit bij het beheer (regie audit verify).",
        "The kept history does not match its hash in the audit log, so its outcome is not "
        "shown. Report this to the administrators (regie audit verify)."),
    "count": Text("Aantal", "Number"),
    "demo_accounts": Text("Demo-accounts (wachtwoord: regie-demo)",
                          "Demo accounts (password: regie-demo)"),
    # a workflow's history as the auditor's timeline reads it (api.history)
    "hist_submitted": Text("ingediend in ronde {round}, regeling {scheme} ({version})",
                           "submitted under round {round}, scheme {scheme} ({version})"),
    "hist_started": Text("{workflow} gestart", "{workflow} started"),
    "hist_started_round": Text("{workflow} gestart voor ronde {round}",
                               "{workflow} started for round {round}"),
    "hist_continuing": Text(", vervolg van run {run}", ", continuing run {run}"),
    "hist_mail": Text("e-mail {mail} aan {recipients}", "e-mail {mail} to {recipients}"),
    "hist_mail_applicant": Text("de aanvrager", "the applicant"),
    "hist_mail_team": Text("het programmateam", "the programme team"),
    "hist_mail_assessors": Text("de beoordelaars", "the assessors"),
    "hist_record": Text("vastgelegd: fase {stage}", "recorded: stage {stage}"),
    "hist_record_deadline": Text("; termijn {deadline}", "; deadline {deadline}"),
    "hist_done": Text("klaar", "done"),
    "hist_answered": Text("beantwoord", "answered"),
    "hist_update_failed": Text("mislukt: {reason}", "failed: {reason}"),
    "hist_timer_set": Text("timer gezet, loopt af op {at}", "timer set, fires at {at}"),
    "hist_timer_fired": Text("timer afgelopen", "timer fired"),
    "hist_timer_canceled": Text("timer vervallen", "timer cancelled"),
    "hist_patch": Text("codewijziging {patch} in gebruik (docs/upgrading.md)",
                       "code change {patch} in use (docs/upgrading.md)"),
    "hist_stage": Text("fase: {stage}", "stage: {stage}"),
    "hist_search_attributes": Text("zoekattributen", "search attributes"),
    "hist_continued": Text("verder als nieuwe run {run}", "continued as new in run {run}"),
    "hist_completed": Text("afgerond", "completed"),
    # the round's audit report, column by column (its CSV keeps the keys)
    "report_reference": Text("Kenmerk", "Reference"),
    "report_organisation": Text("Organisatie", "Organisation"),
    "report_organisation_type": Text("Soort organisatie", "Type of organisation"),
    "report_scheme_version": Text("Versie regeling", "Scheme version"),
    "report_rubric": Text("Beoordelingskader", "Rubric"),
    "report_total": Text("Totaalscore", "Total score"),
    "report_fundable": Text("Financierbaar", "Fundable"),
    "report_rank": Text("Rang", "Rank"),
    "report_outcome": Text("Uitkomst voorstel", "Proposal's outcome"),
    "report_proposed": Text("Voorgesteld", "Proposed"),
    "report_left_after": Text("Daarna over", "Left after"),
    "report_changed_by_team": Text("Gewijzigd door het team", "Changed by the team"),
    "report_decision": Text("Besluit", "Decision"),
    "report_amount": Text("Bedrag", "Amount"),
    "report_reason": Text("Toelichting", "Reason"),
    "report_decided_by": Text("Besloten door", "Decided by"),
    "report_decided_at": Text("Besloten op", "Decided on"),
    "report_stage": Text("Fase", "Stage"),
    "outcome_funded": Text("Gefinancierd", "Funded"),
    "outcome_budget_exhausted": Text("Financierbaar, budget op", "Fundable, budget exhausted"),
    "outcome_not_fundable": Text("Onder de drempel", "Below the threshold"),
}


# The auditor's timeline (api.history) names each Update, signal and activity, and each field
# of what they carried, by these; a name not here is shown as recorded.
UPDATE_NAMES: dict[str, Text] = {
    "assign_assessors": Text("beoordelaars toegewezen", "assessors assigned"),
    "submit_score": Text("score ingediend", "score submitted"),
    "decide": Text("besluit", "decision"),
    "submit_correction": Text("aanvulling ingediend", "correction submitted"),
    "request_change": Text("wijziging gevraagd", "change requested"),
    "decide_change": Text("besluit over wijziging", "decision on change"),
    "settle": Text("vaststelling", "settlement"),
    "amend_award": Text("toekenning gewijzigd", "award amended"),
    "declare_conflict": Text("belangenconflict gemeld", "conflict of interest declared"),
    "withdraw_conflict": Text("melding van belangenconflict ingetrokken",
                              "declared conflict of interest withdrawn"),
    "record_consensus": Text("consensus vastgelegd", "consensus recorded"),
    "lodge_objection": Text("bezwaar ingediend", "objection lodged"),
    "decide_objection": Text("besluit op bezwaar", "decision on objection"),
    "overrule_finding": Text("bevinding terzijde gelegd", "finding overruled"),
    "withdraw": Text("ingetrokken", "withdrawn"),
    "submit_report": Text("rapportage ingediend", "report submitted"),
    "review_report": Text("rapportage beoordeeld", "report reviewed"),
    "move_deadline": Text("termijn verzet", "deadline moved"),
    "set_commitment": Text("verplichting vastgelegd", "commitment set"),
    "set_budgets": Text("budgetten uit het regelingbestand", "budgets from the scheme file"),
    "confirm_allocation": Text("verdeling bevestigd", "allocation confirmed"),
    "approve_allocation": Text("verdeling goedgekeurd", "allocation approved"),
    "return_allocation": Text("verdeling teruggestuurd", "allocation sent back"),
    "submit": Text("aanvraag ingediend", "application submitted"),
    "move_window": Text("rondevenster uit het regelingbestand",
                        "round window from the scheme file"),
    "grant_scored": Text("oordeel aan de ronde gemeld", "verdict told to the round"),
    "round_closed": Text("ronde gesloten gemeld", "round closed told"),
}
ACTIVITY_NAMES: dict[str, Text] = {
    "apply_retention": Text("bewaartermijnen toegepast", "retention terms applied"),
    "archive_grant": Text("gearchiveerd in het kenniscentrum",
                          "archived in the knowledge centre"),
    "check_application": Text("ontvankelijkheid getoetst", "eligibility checked"),
    "commit_budget": Text("budget vastgelegd", "budget committed"),
    "deliver_decisions": Text("besluiten aan de aanvragen gegeven",
                              "decisions delivered to the applications"),
    "issue_letter": Text("brief opgesteld", "letter issued"),
    "propose_allocation": Text("verdeling voorgesteld", "allocation proposed"),
    "release_round": Text("aanvragen naar beoordeling", "applications on to assessment"),
    "remind_drafts": Text("concepten herinnerd", "drafts reminded"),
    "start_grant": Text("subsidieaanvraag gestart", "grant started"),
    "tell_round": Text("oordeel naar de ronde", "verdict to the round"),
    "tell_round_open": Text("opening van de ronde gemeld", "round's opening told"),
    "tell_window_moved": Text("nieuw rondevenster gemeld", "round's new window told"),
}
# each mail by what it tells, for the auditor's timeline (a template of templates/email, or
# an assignment held for the assessor's digest)
MAIL_NAMES: dict[str, Text] = {
    "application_withdrawn": Text("aanvraag ingetrokken", "application withdrawn"),
    "archived": Text("project afgerond", "project completed"),
    "assessment_assigned": Text("beoordeling toegewezen", "assessment assigned"),
    "assessment_overdue": Text("beoordeling te laat", "assessment overdue"),
    "assessment_reminder": Text("herinnering beoordeling", "assessment reminder"),
    "award_letter": Text("toekenningsbesluit", "award letter"),
    "change_decided": Text("besluit op wijzigingsverzoek", "decision on a change request"),
    "change_requested": Text("wijzigingsverzoek ontvangen", "change request received"),
    "conflict_declared": Text("belangenverstrengeling gemeld", "conflict of interest declared"),
    "conflict_withdrawn": Text("melding van belangenverstrengeling ingetrokken",
                               "declaration of a conflict of interest withdrawn"),
    "correction_reminder": Text("herinnering herstel verzuim", "correction reminder"),
    "correction_request": Text("verzoek om herstel verzuim", "request for correction"),
    "decision_overdue": Text("besluit te laat", "decision overdue"),
    "digest": Text("verzamelbericht", "digest"),
    "draft_reminder": Text("herinnering concept", "draft reminder"),
    "evidence_refused": Text("bewijs van financiering onvoldoende",
                             "evidence of funding insufficient"),
    "ineligible": Text("niet ontvankelijk", "not eligible"),
    "invitation": Text("uitnodiging", "invitation"),
    "letter": Text("brief", "letter"),
    "not_processed": Text("buiten behandeling", "not processed"),
    "objection_received": Text("bezwaar ontvangen", "objection received"),
    "password_reset": Text("nieuw wachtwoord", "password reset"),
    "projects_end_flag": Text("project loopt na de einddatum", "project running past its end"),
    "projects_end_prompt": Text("einde project, eindrapportage gevraagd",
                                "project ended, final report asked"),
    "rejection_letter": Text("afwijzingsbesluit", "rejection letter"),
    "report_changes_requested": Text("aanpassing rapportage gevraagd",
                                     "report changes requested"),
    "report_escalation": Text("rapportage te laat", "report overdue"),
    "report_prompt": Text("rapportage gevraagd", "report asked"),
    "report_reminder": Text("herinnering rapportage", "report reminder"),
    "report_submitted": Text("rapportage ontvangen", "report received"),
    "reporting_closed": Text("rapportagetermijn gesloten", "reporting closed"),
    "round_open": Text("ronde open", "round open"),
    "submission_received": Text("ontvangstbevestiging", "acknowledgement of receipt"),
    "window_moved": Text("rondevenster gewijzigd", "round window changed"),
    "withdrawn": Text("intrekking bevestigd", "withdrawal confirmed"),
}
FIELD_NAMES: dict[str, Text] = {
    "accepted": Text("aanvaard", "accepted"),
    "activities": Text("activiteiten", "activities"),
    "activities_sufficient": Text("activiteiten toereikend", "activities sufficient"),
    "allocations": Text("verdeling", "allocation"),
    "amount_cents": Text("bedrag", "amount"),
    "application_id": Text("aanvraagnummer", "application number"),
    "approve": Text("goedgekeurd", "approved"),
    "assessors": Text("beoordelaars", "assessors"),
    "assessor": Text("beoordelaar", "assessor"),
    "attachments": Text("bijlagen", "attachments"),
    "averages": Text("gemiddelden", "averages"),
    "award": Text("toekennen", "award"),
    "budget_cents": Text("budget", "budget"),
    "budget_sufficient": Text("begroting toereikend", "budget sufficient"),
    "candidates": Text("kandidaten", "candidates"),
    "ceiling_cents": Text("plafond", "ceiling"),
    "ceilings": Text("plafonds per ronde", "ceilings by round"),
    "changed_by_team": Text("gewijzigd door het team", "changed by the team"),
    "changes": Text("wijzigingen", "changes"),
    "close_movable": Text("sluiting verschuifbaar", "closing movable"),
    "closes_at": Text("sluit", "closes"),
    "closes_local": Text("sluit (Nederlandse tijd)", "closes (Dutch time)"),
    "code": Text("code", "code"),
    "comment": Text("opmerking", "comment"),
    "committed_cents": Text("verplicht", "committed"),
    "deadline": Text("termijn", "deadline"),
    "description": Text("omschrijving", "description"),
    "description_sufficient": Text("omschrijving toereikend", "description sufficient"),
    "deviations": Text("afwijkingen", "deviations"),
    "divergent": Text("uiteenlopend", "divergent"),
    "documents": Text("documenten", "documents"),
    "done": Text("gedaan", "done"),
    "en": Text("toelichting", "explanation"),
    "final_cents": Text("vastgesteld bedrag", "final amount"),
    "fundable": Text("financierbaar", "fundable"),
    "kind": Text("soort", "kind"),
    "left_after_cents": Text("daarna over", "left after"),
    "lessons": Text("lessen", "lessons"),
    "monitoring": Text("monitoring", "monitoring"),
    "motivation": Text("motivering", "motivation"),
    "name": Text("naam", "name"),
    "new_due": Text("nieuwe termijn", "new due date"),
    "new_last_activity_end": Text("nieuwe einddatum", "new end date"),
    "nl": Text("toelichting", "explanation"),
    "note": Text("toelichting", "note"),
    "opens_at": Text("opent", "opens"),
    "organisation": Text("organisatie", "organisation"),
    "organisation_id": Text("organisatienummer", "organisation number"),
    "organisation_type": Text("soort organisatie", "type of organisation"),
    "outcome": Text("uitkomst", "outcome"),
    "phase": Text("fase", "phase"),
    "pillars": Text("pijlers", "pillars"),
    "programme_cents": Text("programmabudget", "programme budget"),
    "public": Text("openbaar", "public"),
    "rank": Text("rang", "rank"),
    "reason": Text("motivering", "reason"),
    "reasons": Text("gronden", "grounds"),
    "reference": Text("kenmerk", "reference"),
    "remaining_cents": Text("over", "remaining"),
    "report_index": Text("rapportage nr.", "report no."),
    "requested_cents": Text("gevraagd", "requested"),
    "results": Text("resultaten", "results"),
    "round_id": Text("ronde", "round"),
    "rounds": Text("rondes", "rounds"),
    "score": Text("score", "score"),
    "submitted_at": Text("ingediend", "submitted"),
    "summary": Text("samenvatting", "summary"),
    "target_groups": Text("doelgroepen", "target groups"),
    "title": Text("titel", "title"),
    "total": Text("totaal", "total"),
    "uphold": Text("gegrond", "upheld"),
    "user_id": Text("gebruikersnummer", "user number"),
    "verdict": Text("oordeel", "verdict"),
}

# What a grant's deadline is, by the stage it is in (the workflow sets one in these stages):
# its page names it so, that an applicant sees whether it is theirs
DEADLINE_NAMES: dict[str, Text] = {
    "correction": Text("Herstellen uiterlijk", "Correct by"),
    "assessment": Text("Beoordeling uiterlijk", "Assessment due by"),
    "consensus": Text("Consensus uiterlijk", "Consensus due by"),
    "decision": Text("Besluit uiterlijk", "Decision due by"),
    "rejected": Text("Bezwaar mogelijk tot", "Objection possible until"),
    "objection": Text("Besluit op bezwaar uiterlijk", "Decision on the objection due by"),
    "reporting": Text("Volgende rapportage uiterlijk", "Next report due by"),
    "settlement": Text("Vaststelling uiterlijk", "Settlement due by"),
}


def t(key: str, lang: str, **values) -> str:
    """A label in `lang`; a label with {fields} is filled in from `values`."""
    text = UI[key](lang)
    return text.format(**values) if values else text
