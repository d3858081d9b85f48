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
    "knowledge": Text("Kenniscentrum", "Knowledge centre"),
    "skip_to_content": Text("Naar de inhoud", "Skip to content"),
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
    "applications": Text("Aanvragen", "Applications"),
    "organisation_page": Text("Mijn organisatie", "My organisation"),
    "register": Text("Organisatie registreren", "Register an organisation"),
    "legal_name": Text("Statutaire naam", "Legal name"),
    "organisation_type": Text("Type organisatie", "Type of organisation"),
    "kvk_number": Text("KvK-nummer", "Chamber of Commerce number"),
    "evidence": Text("Bewijs van drie jaar financiering (PDF, afbeelding of document)",
                     "Evidence of three years of funding (PDF, image or document)"),
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
    "letter_objection_upheld": Text("Beslissing op bezwaar: gegrond",
                                    "Decision on objection: upheld"),
    "letter_objection_dismissed": Text("Beslissing op bezwaar: ongegrond",
                                       "Decision on objection: dismissed"),
    "assessments_each": Text("De beoordelingen", "The assessments"),
    "insufficient": Text("Onvoldoende", "Insufficient"),
    "rounds": Text("Rondes", "Rounds"),
    "ledger": Text("Budget", "Budget"),
    "budget_programme": Text("Programma", "Programme"),
    "ceiling": Text("Plafond", "Ceiling"),
    "committed": Text("Toegekend", "Committed"),
    "remaining": Text("Beschikbaar", "Remaining"),
    "phase": Text("Fase", "Phase"),
    "allocation": Text("Voorstel verdeling", "Proposed allocation"),
    "rank": Text("Rang", "Rank"),
    "explanation": Text("Toelichting", "Explanation"),
    "change_amount": Text("Ander bedrag (euro, 0 = niet)", "Other amount (euro, 0 = none)"),
    "change_reason": Text("Reden van de wijziging", "Reason for the change"),
    "confirm_allocation": Text("Verdeling bevestigen en besluiten versturen",
                               "Confirm the allocation and send the decisions"),
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
    "assessor_pool": Text("Beoordelaars", "Assessors"),
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
    "open_report_form": Text("Rapportageformulier openen", "Open the report form"),
    "new_end": Text("Nieuwe einddatum laatste activiteit (uiterlijk {end})",
                    "New end of the last activity ({end} at the latest)"),
    "change_kind": Text("Soort wijziging", "Kind of change"),
    "final_amount": Text("Vastgesteld bedrag (euro)", "Settled amount (euro)"),
    "approve": Text("Goedkeuren", "Approve"),
    "withdraw_reason": Text("Waarom trekt u de aanvraag in?",
                            "Why do you withdraw the application?"),
    "withdraw_confirm": Text("Ik begrijp dat de aanvraag dan niet verder wordt behandeld en dat "
                             "intrekken niet ongedaan kan worden gemaakt.",
                             "I understand that the application will then not be processed "
                             "further, and that a withdrawal cannot be undone."),
    "annual": Text("Voortgangsrapportage", "Annual progress report"),
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
}


def t(key: str, lang: str, **values) -> str:
    """A label in `lang`; a label with {fields} is filled in from `values`."""
    text = UI[key](lang)
    return text.format(**values) if values else text
