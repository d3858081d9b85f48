"""The programme team's rounds: the ledger, each round's proposed allocation, its distribution
over organisations, target groups and pillars, and confirming it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlmodel import func, select

from api.assignment import in_assessment
from api.auth import STAFF, Db, Viewer, allow
from api.views import posted, render, round_or_404, scheme_names
from domain.lifecycle import Role, Stage
from domain.money import euros, parse_euros
from domain.ranking import Allocation, Change, apply_changes, distribution
from domain.types import AllocationApproval, AllocationConfirmation, AllocationReturn
from regie import alignment, audit, histories, programme, rounds
from regie.grants import ActionRefused, run_update
from regie.programme import ledger_workflow_id
from regie.records import Application
from regie.rounds import round_workflow_id
from workflows.round import RoundWorkflow

router = APIRouter(include_in_schema=False)

Staff = Annotated[Viewer, Depends(allow(*STAFF))]
Team = Annotated[Viewer, Depends(allow(Role.PROGRAMME_TEAM))]


@router.get("/rounds")
async def rounds_page(request: Request, viewer: Staff, db: Db):
    scheme, client = request.app.state.scheme, request.app.state.temporal
    statuses = {r.id: await rounds.status(client, db, r.id) for r in scheme.rounds}
    ledger = await programme.ledger_or_none(client, db, scheme.scheme.id)
    submitted, drafts = await _applications_by_round(db)
    by_id = {r.id: r for r in scheme.rounds}
    # where the running programme is not (yet) as the scheme file has it: a worker brings it
    # in line when it starts, or logs why the workflow refused (regie.alignment)
    windows_apart = {r.id for r in scheme.rounds if (s := statuses[r.id]) is not None
                     and s.phase in alignment.OPEN_PHASES
                     and (s.opens_at, s.closes_at) != rounds.window(scheme, r)[:2]}
    budgets_apart = {} if ledger is None else {key: cents for key, cents, held in (
        ("programme", scheme.scheme.budget_cents, ledger.programme_cents),
        *((r.round_id, by_id[r.round_id].budget_cents, r.ceiling_cents)
          for r in ledger.rounds if r.round_id in by_id)) if cents != held}
    return render(request, "rounds.html", {
        "rounds": scheme.rounds, "by_id": by_id, "statuses": statuses,
        "ledger": ledger, "submitted": submitted, "drafts": drafts,
        "windows_apart": windows_apart, "budgets_apart": budgets_apart,
        "ledger_unshown": "" if ledger else await histories.unshown(
            db, ledger_workflow_id(scheme.scheme.id))}, viewer=viewer)


async def _applications_by_round(db, round_id: str | None = None,
                                 ) -> tuple[dict[str, int], dict[str, int]]:
    """Each round's submitted applications (those taken over from before Regie included),
    and its drafts not (yet) submitted: what may still come in, from drafts_from to the
    closing; of one round only, if given (read through its index)."""
    of_round = [Application.round_id == round_id] if round_id is not None else []
    submitted, drafts = [dict((await db.exec(select(Application.round_id, func.count()).where(
        condition, *of_round).group_by(Application.round_id))).all()) for condition in (
            Application.submitted_at.is_not(None), Application.submitted_at.is_(None))]
    return submitted, drafts


async def round_state(request: Request, db, round_id: str):
    """A round of the scheme (or 404), its workflow's status, its proposal, and the allocation
    to show: the confirmed one once there is one, else the proposed one."""
    rnd = round_or_404(request, round_id)
    status = await rounds.status(request.app.state.temporal, db, round_id)
    proposal = status.proposal if status else None
    shown = (status.confirmed if status and status.confirmed else
             proposal.allocations if proposal else [])
    return rnd, status, proposal, shown


async def _stages(db, allocations: list[Allocation]) -> dict[str, str]:
    """The stage of each line's grant, as the read model has it."""
    return dict((await db.exec(select(Application.reference, Application.stage).where(
        Application.reference.in_([a.reference for a in allocations])))).all()
    ) if allocations else {}


async def _round_page(request: Request, viewer: Viewer, db, round_id: str, *, error: str = "",
                      status_code: int = 200, typed: dict[str, str] | None = None):
    """The round's page; after a refused confirmation, with its error and the amounts and
    reasons typed (`typed`), so that nothing typed is lost."""
    scheme = request.app.state.scheme
    rnd, status, proposal, shown = await round_state(request, db, round_id)
    tables = distribution(proposal.candidates, shown, scheme_names(
        scheme, request.state.lang)) if proposal else {}
    stages = await _stages(db, shown)
    # a line whose applicant withdrew after the proposal: the team may want to change it
    withdrawn = {r for r, stage in stages.items() if stage == Stage.WITHDRAWN.value}
    # once the round is decided, a line whose grant still awaits its decision: the grant refused
    # the one delivered (the ledger had no room left for it, say), and the team decides it there
    undelivered = sorted(r for r, stage in stages.items() if stage == Stage.DECISION.value
                         and status is not None and status.phase == "decided")
    # why, as the delivery said it (a round decided before it said so has no reasons)
    because = dict(line.partition(": ")[::2] for line in status.undelivered) if status else {}
    ledger = await programme.ledger_or_none(request.app.state.temporal, db, scheme.scheme.id)
    submitted, drafts = await _applications_by_round(db, round_id)
    return render(request, "round.html", {
        "round": rnd, "status": status, "proposal": proposal, "allocations": shown,
        "budget": next((r for r in ledger.rounds if r.round_id == round_id), None)
        if ledger else None,
        "submitted": submitted.get(round_id, 0), "drafts": drafts.get(round_id, 0),
        "in_assessment": await in_assessment(db, round_id),
        "unshown": "" if status else await histories.unshown(db, round_workflow_id(round_id)),
        "candidates": {c.reference: c for c in proposal.candidates} if proposal else {},
        "tables": tables, "withdrawn": withdrawn, "undelivered": undelivered,
        "because": because, "me": viewer.person.id if viewer.person else None,
        "error": error, "typed": typed or {}}, status_code=status_code,
        viewer=viewer)


@router.get("/rounds/{round_id}")
async def round_page(request: Request, round_id: str, viewer: Staff, db: Db):
    return await _round_page(request, viewer, db, round_id)


async def _beyond_room(request: Request, db, round_id: str,
                       changes: list[Change] | None = None) -> str:
    """Why the allocation with `changes` (None: the one confirmed, awaiting approval) does not
    fit in what the ledger lets the round commit now, which may be less than at the proposal
    (money committed since, a ceiling lowered): its grants would refuse their awards one by
    one, a line ranked lower taken where a higher one was refused. Empty when it fits, or when
    the round will refuse it with its own reason."""
    _, status, proposal, _ = await round_state(request, db, round_id)
    ledger = await programme.ledger_or_none(request.app.state.temporal, db,
                                            request.app.state.scheme.scheme.id)
    if proposal is None or ledger is None:
        return ""
    if changes is None:  # an approval: of the allocation confirmed, if one awaits it
        confirmed = status.confirmed
    else:  # a confirmation, if none was made; changes that do not apply the round refuses
        try:
            confirmed = None if status.confirmed else apply_changes(
                proposal.allocations, changes, proposal.budget_cents)
        except ValueError:
            confirmed = None
    if confirmed is None:
        return ""
    stages = await _stages(db, confirmed)  # a grant withdrawn since is passed by
    needed = sum(a.amount_cents for a in confirmed
                 if stages.get(a.reference) == Stage.DECISION.value)
    room = ledger.room(round_id)
    if needed <= room:
        return ""
    return (f"De verdeling legt {euros(needed)} vast, maar de ronde kan nu nog {euros(room)} "
            f"vastleggen (bij het voorstel {euros(proposal.budget_cents)}): er is sindsdien "
            "geld vastgelegd of het plafond verlaagd. Verlaag bedragen tot de verdeling past / "
            f"the allocation commits {euros(needed)}, but the round can commit only "
            f"{euros(room)} now ({euros(proposal.budget_cents)} at the proposal): money was "
            "committed since, or the ceiling lowered. Lower amounts until the allocation fits")


@router.post("/rounds/{round_id}/confirm")
async def confirm(request: Request, round_id: str, viewer: Team, db: Db):
    """Confirm the proposal; a line with another amount must carry the reason for it."""
    form = await posted(request)
    typed = {k: str(v) for k, v in form.items() if k.startswith(("amount-", "reason-"))}
    changes, problems = [], []
    for key in form.keys():
        if not key.startswith("amount-") or not str(form[key]).strip():
            continue
        reference = key.removeprefix("amount-")
        cents = parse_euros(str(form[key]))
        reason = str(form.get(f"reason-{reference}", "")).strip()
        if cents is None:
            problems.append(f"{reference}: bedrag onleesbaar / amount cannot be read")
        elif not reason:
            problems.append(f"{reference}: geef de reden van de wijziging / give the reason "
                            "for the change")
        else:
            changes.append(Change(reference=reference, amount_cents=cents, reason=reason))
    if problems:
        return await _round_page(request, viewer, db, round_id, error="; ".join(problems),
                                 status_code=422, typed=typed)
    if beyond := await _beyond_room(request, db, round_id, changes):
        return await _round_page(request, viewer, db, round_id, error=beyond, status_code=409,
                                 typed=typed)
    handle = request.app.state.temporal.get_workflow_handle_for(
        RoundWorkflow.run, rounds.round_workflow_id(round_id))
    try:
        await run_update(handle, RoundWorkflow.confirm_allocation, AllocationConfirmation(
            actor=viewer.actor(), changes=tuple(changes)))
    except ActionRefused as exc:  # the validator's reason: over budget, nothing to confirm
        return await _round_page(request, viewer, db, round_id, error=str(exc), status_code=409,
                                 typed=typed)
    await audit.append_as(db, viewer.person, "confirm_allocation", f"round-{round_id}",
                          {"changes": [c.model_dump() for c in changes]})
    return RedirectResponse(f"/rounds/{round_id}", status_code=303)


@router.post("/rounds/{round_id}/approve")
async def approve(request: Request, round_id: str, viewer: Team, db: Db):
    """A second member of the team approves the confirmed allocation: then the decisions go
    out. Refused where it no longer fits in what the ledger lets the round commit."""
    await posted(request)  # the form's CSRF token
    if beyond := await _beyond_room(request, db, round_id):
        return await _round_page(request, viewer, db, round_id, error=beyond, status_code=409)
    return await _second_look(request, viewer, db, round_id, RoundWorkflow.approve_allocation,
                              AllocationApproval(actor=viewer.actor()), {})


@router.post("/rounds/{round_id}/return")
async def send_back(request: Request, round_id: str, viewer: Team, db: Db):
    """The confirmed allocation goes back, with the reason: it awaits a confirmation anew."""
    reason = str((await posted(request)).get("reason", "")).strip()
    if not reason:
        return await _round_page(request, viewer, db, round_id, status_code=422,
                                 error="Geef de reden / give the reason")
    return await _second_look(request, viewer, db, round_id, RoundWorkflow.return_allocation,
                              AllocationReturn(actor=viewer.actor(), reason=reason),
                              {"reason": reason}, typed={"return_reason": reason})


async def _second_look(request: Request, viewer: Viewer, db, round_id: str, update, command,
                       detail: dict, typed: dict[str, str] | None = None):
    """Send the approval or the return to the round; its refusal on the page, with what was
    typed."""
    handle = request.app.state.temporal.get_workflow_handle_for(
        RoundWorkflow.run, rounds.round_workflow_id(round_id))
    try:
        await run_update(handle, update, command)
    except ActionRefused as exc:  # confirmed by this member, or nothing awaits approval
        return await _round_page(request, viewer, db, round_id, error=str(exc), status_code=409,
                                 typed=typed)
    await audit.append_as(db, viewer.person, update.__name__, f"round-{round_id}", detail)
    return RedirectResponse(f"/rounds/{round_id}", status_code=303)
