"""Human actions on a grant, by lifecycle Action: which workflow Update and which command.

Pages and the JSON API both come here, so a button, an API call and the workflow's validator
always mean the same thing.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client

from domain import terms
from domain.lifecycle import Action, Role
from domain.money import parse_euros
from domain.scheme import CRITERIA, Scheme
from domain.types import (
    AssessorRef,
    AssignAssessors,
    AwardAmendment,
    ChangeDecision,
    ChangeRequest,
    ConflictDeclaration,
    ConflictWithdrawal,
    ConsensusInput,
    CorrectionSubmission,
    DeadlineMove,
    DecisionInput,
    ObjectionInput,
    ObjectionOutcome,
    OverruleFinding,
    ReportReview,
    ReportSubmission,
    ScoreSubmission,
    SettlementInput,
    Withdrawal,
)
from api.auth import Viewer
from api.i18n import FIELD_NAMES, UI
from regie import rounds
from regie.grants import ActionRefused
from regie.records import Application, Person

# Action -> (workflow update, command type); AWARD and REJECT are one update with a flag.
UPDATES: dict[Action, tuple[str, type[BaseModel]]] = {
    Action.ASSIGN_ASSESSORS: ("assign_assessors", AssignAssessors),
    Action.SUBMIT_SCORE: ("submit_score", ScoreSubmission),
    Action.AWARD: ("decide", DecisionInput),
    Action.REJECT: ("decide", DecisionInput),
    Action.SUBMIT_CORRECTION: ("submit_correction", CorrectionSubmission),
    Action.SUBMIT_REPORT: ("submit_report", ReportSubmission),
    Action.REVIEW_REPORT: ("review_report", ReportReview),
    Action.MOVE_DEADLINE: ("move_deadline", DeadlineMove),
    Action.DECLARE_CONFLICT: ("declare_conflict", ConflictDeclaration),
    Action.WITHDRAW_CONFLICT: ("withdraw_conflict", ConflictWithdrawal),
    Action.RECORD_CONSENSUS: ("record_consensus", ConsensusInput),
    Action.OBJECT: ("lodge_objection", ObjectionInput),
    Action.UPHOLD_OBJECTION: ("decide_objection", ObjectionOutcome),
    Action.DISMISS_OBJECTION: ("decide_objection", ObjectionOutcome),
    Action.OVERRULE_FINDING: ("overrule_finding", OverruleFinding),
    Action.REQUEST_CHANGE: ("request_change", ChangeRequest),
    Action.DECIDE_CHANGE: ("decide_change", ChangeDecision),
    Action.AMEND_AWARD: ("amend_award", AwardAmendment),
    Action.SETTLE: ("settle", SettlementInput),
    Action.WITHDRAW: ("withdraw", Withdrawal),
}

HUMAN_ROLES = (Role.PROGRAMME_TEAM, Role.ASSESSOR, Role.GRANTEE)


class BadCommand(ValueError):
    """Input that does not make a valid command; `errors` name each field in both languages."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


async def refuse_while_round_decides(client: Client, db: AsyncSession, app: Application,
                                     action: Action) -> None:
    """A team's own award or rejection of a grant that its round is still to decide is refused:
    the round decides it with the others, in the order of their ranking."""
    if action in (Action.AWARD, Action.REJECT) and await rounds.decides(client, db, app):
        raise ActionRefused(UI["round_decides"].nl.format(round=app.round_id) + " / "
                            + UI["round_decides"].en.format(round=app.round_id))


async def build_command(db: AsyncSession, action: Action, viewer: Viewer,
                        payload: dict[str, Any], *, by_key: bool = False
                        ) -> tuple[str, BaseModel]:
    """The update name and the typed command for `action` by `viewer` with `payload`; a
    refused field named as the form labels it, or `by_key` as the JSON API's body has it."""
    if action not in UPDATES:
        raise BadCommand([f"'{action}' is geen handeling van een persoon / not a human action"])
    update, model = UPDATES[action]
    # text of spaces alone is no reason, description or answer: it is refused as empty
    data = {k: v.strip() if isinstance(v, str) else v for k, v in payload.items()}
    if action == Action.ASSIGN_ASSESSORS:
        ids = [int(i) for i in data.pop("assessor_ids", [])]
        people = (await db.exec(select(Person).where(
            Person.id.in_(ids), Person.role == Role.ASSESSOR.value))).all()
        if len(people) != len(set(ids)):
            raise BadCommand(["Onbekende beoordelaar / unknown assessor"])
        data["assessors"] = [AssessorRef(user_id=p.id, name=p.name,
                                         organisation_id=p.organisation_id) for p in people]
    if action == Action.WITHDRAW_CONFLICT:  # the assessor as the pool has them, never as sent
        given = str(data.pop("assessor_id", ""))
        person = await db.get(Person, int(given)) if given.isdigit() else None
        if person is None or person.role != Role.ASSESSOR.value:
            raise BadCommand(["Onbekende beoordelaar / unknown assessor"])
        data["assessor"] = AssessorRef(user_id=person.id, name=person.name,
                                       organisation_id=person.organisation_id)
    if action in (Action.AWARD, Action.REJECT):
        data["award"] = action == Action.AWARD
        data.setdefault("amount_cents", 0)
    if action in (Action.UPHOLD_OBJECTION, Action.DISMISS_OBJECTION):
        data["uphold"] = action == Action.UPHOLD_OBJECTION
    try:
        return update, model.model_validate({**data, "actor": viewer.actor()})
    except ValidationError as exc:
        raise BadCommand([_refusal(e, by_key) for e in exc.errors()]) from None


_BOUNDS = {"greater_than_equal": ("ge", "ten minste", "at least"),
           "greater_than": ("gt", "meer dan", "more than"),
           "less_than_equal": ("le", "ten hoogste", "at most"),
           "less_than": ("lt", "minder dan", "less than")}


# A command's field -> the label the grant page's form gives it (api.i18n.UI); any other
# field by its name in the auditor's timeline (FIELD_NAMES).
_LABELS = {"reason": "reason", "reasons": "reason", "comment": "reason", "note": "reason",
           "amount_cents": "amount", "final_cents": "final_amount", "deadline": "deadline",
           "new_due": "new_due", "description": "description", "kind": "change_kind",
           "code": "findings", "assessor": "assessor", "motivation": "motivation"}


def _refusal(error: dict[str, Any], by_key: bool = False) -> str:
    """A field the command refused, named in both languages as the form labels it (`by_key`:
    by its path in the JSON body, "impact.score"), and what to do about it; pydantic's own
    words only for what no person's form sends."""
    field = next((str(p) for p in reversed(error["loc"]) if isinstance(p, str)), "")
    name = None if by_key else UI[_LABELS[field]] if field in _LABELS else FIELD_NAMES.get(field)
    if by_key:
        field = ".".join(str(p) for p in error["loc"])
    nl, en = (f'"{name.nl}"', f'"{name.en}"') if name else (f'"{field}"', f'"{field}"')
    kind = error["type"]
    if kind in ("missing", "string_too_short"):
        return f"Vul {nl} in / fill in {en}"
    if kind in _BOUNDS:
        key, bound_nl, bound_en = _BOUNDS[kind]
        limit = error["ctx"][key]
        return f"{nl}: {bound_nl} {limit} / {en}: {bound_en} {limit}"
    if kind.endswith("_parsing") or kind.endswith("_type") or kind == "enum":
        return f"{nl}: onleesbaar of geen geldige keuze / {en}: unreadable or not a valid choice"
    return f"{nl} / {en}: {error['msg']}"


_UNSCORED = "Kies een score bij / choose a score for: "
# A judgement the team makes on a page: nothing is chosen for them, and nothing unchosen is
# read as yes or no.
_CHOICES = {
    Action.REVIEW_REPORT: ("accepted", "Kies goedkeuren of een nieuwe uiterste datum / choose "
                                       "accept or a new due date"),
    Action.DECIDE_CHANGE: ("approve", "Kies goedkeuren of afwijzen / choose approve or refuse"),
}


def form_payload(action: Action, form: dict[str, Any], scheme: Scheme,
                 round_id: str) -> dict[str, Any]:
    """A page form's fields as the payload build_command takes (amounts in euros there; a
    new deadline a day, which ends at 23:59 in the scheme's time zone), for a grant of the
    round `round_id`."""
    data: dict[str, Any] = {k: v for k, v in form.items() if k != "csrf_token" and v != ""}
    if "amount" in data:
        typed = str(data.pop("amount"))
        data["amount_cents"] = parse_euros(typed)
        if data["amount_cents"] is None:
            raise BadCommand([f"Bedrag onleesbaar / amount cannot be read: '{typed}' "
                              "(bijvoorbeeld / for example 86.000,00)"])
    if action == Action.ASSIGN_ASSESSORS:
        data["assessor_ids"] = form.getlist("assessor_ids") if hasattr(form, "getlist") else []
    if action == Action.SUBMIT_SCORE:
        _score_fields(data, list(form.keys()))
    if action == Action.RECORD_CONSENSUS:
        if unscored := [c for c in CRITERIA if c not in data]:
            raise BadCommand([_UNSCORED + ", ".join(unscored)])
    if action in _CHOICES:
        field, choose = _CHOICES[action]
        if data.get(field) not in ("yes", "no"):
            raise BadCommand([choose])
        data[field] = data[field] == "yes"
    if action == Action.SETTLE and "amount_cents" in data:
        data["final_cents"] = data.pop("amount_cents")
    if action == Action.WITHDRAW and data.pop("understood", "") != "yes":
        raise BadCommand(["Bevestig dat u begrijpt wat intrekken betekent / confirm that you "
                          "understand what a withdrawal means"])
    meant = data.pop("any_day", "") == "yes"
    if action == Action.MOVE_DEADLINE and "deadline" in data:
        day = _day(data["deadline"], meant, scheme, round_id)
        data["deadline"] = terms.day_end(day, scheme.scheme.timezone)
    if action == Action.REVIEW_REPORT and data.get("accepted") is False and "new_due" in data:
        _day(data["new_due"], meant, scheme, round_id)
    return data


def _day(typed: str, meant: bool, scheme: Scheme, round_id: str) -> date:
    """A date the team sets for someone else to meet: a working day, unless they tick that
    they mean a Saturday, a Sunday or a public holiday (the form then offers the box, api/views
    `not_a_working_day`), as Regie's own terms run on to a working day by themselves; any day
    where the round's terms keep days off."""
    try:
        day = date.fromisoformat(typed)
    except ValueError:
        raise BadCommand([f"Datum onleesbaar / date cannot be read: '{typed}' "
                          "(2027-03-31)"]) from None
    if (not terms.is_working_day(day) and not meant
            and scheme.terms(scheme.round(round_id)).extend_to_working_day):
        shown, next_day = f"{day:%d-%m-%Y}", f"{terms.working_day_from(day):%d-%m-%Y}"
        raise BadCommand([f"{shown} is geen werkdag (een zaterdag, zondag of feestdag); de "
                          f"eerstvolgende werkdag is {next_day}. Kies een werkdag, of vink aan "
                          f"dat u {shown} bedoelt / {shown} is not a working day (a Saturday, "
                          f"Sunday or public holiday); the next working day is {next_day}. "
                          f"Choose a working day, or tick that you mean {shown}"])
    return day


def _score_fields(data: dict[str, Any], fields: list[str]) -> None:
    """The score form's fields as a ScoreSubmission's, one judgement for each activity the
    form has (`fields`: its field names, also those left empty). A score or a judgement left
    unchosen is refused, not read as the lowest score or as insufficient."""
    errors = []
    if unscored := [c for c in CRITERIA if c not in data]:
        errors.append(_UNSCORED + ", ".join(unscored))
    for criterion in CRITERIA:
        data[criterion] = {"score": data.pop(criterion, None),
                           "motivation": data.pop(f"{criterion}_motivation", "")}
    activities = []
    for i in range(sum(1 for f in fields if re.fullmatch(r"activity_\d+_motivation", f))):
        judged = {aspect: data.pop(f"activity_{i}_{aspect}", "") for aspect in ("4a", "4b")}
        errors += [f"Kies voldoende of onvoldoende bij activiteit / choose sufficient or "
                   f"insufficient for activity {i + 1} ({aspect})"
                   for aspect, value in judged.items() if value not in ("yes", "no")]
        activities.append({"description_sufficient": judged["4a"] == "yes",
                           "budget_sufficient": judged["4b"] == "yes",
                           "motivation": data.pop(f"activity_{i}_motivation", "")})
    data["activities"] = activities
    if errors:
        raise BadCommand(errors)
