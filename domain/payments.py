"""What the decisions on grants mean for payment: pure, from the decisions and settlements.

An award makes the advance (voorschot) due: the round's `advance_percent` of the amount
awarded, on the day of the award (an objection upheld awards too). An amendment of the award
(wijzigingsbesluit) makes the advance on the new amount due: the difference is paid, or
reclaimed, on its day. A settlement (vaststelling) makes the balance due: what the grantee is
still paid when the amount settled exceeds the advance, or what they repay when it falls short;
nothing when the two are equal. Regie does not pay: the funder's finance department does, from
these lines."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from domain.schedules import local_day


class PaymentKind(StrEnum):
    ADVANCE = "advance"  # voorschot, at the award
    ADVANCE_RAISED = "advance_raised"  # more advance, at an amendment of the award
    ADVANCE_RECLAIMED = "advance_reclaimed"  # advance to repay, at an amendment of the award
    PAYMENT = "payment"  # still to be paid at the settlement
    RECLAIM = "reclaim"  # to be repaid at the settlement


class Amendment(BaseModel):
    """An award's amount changed while the project ran, from `at` on."""

    model_config = ConfigDict(frozen=True)
    at: datetime
    amount_cents: int


class PaymentFacts(BaseModel):
    """One awarded grant as its payments follow from it."""

    model_config = ConfigDict(frozen=True)
    reference: str
    organisation: str
    awarded_cents: int
    awarded_at: datetime
    advance_percent: int  # of the round's reporting rules
    amendments: tuple[Amendment, ...] = ()  # in the order they were made
    settled_cents: int | None = None  # None: not settled
    settled_at: datetime | None = None


class Payment(BaseModel):
    model_config = ConfigDict(frozen=True)
    on: date  # the day of the decision it follows from, in the programme's time zone
    reference: str
    organisation: str
    kind: PaymentKind
    cents: int = Field(gt=0)  # whichever way it goes


def advance(awarded_cents: int, advance_percent: int) -> int:
    """The advance on an award, in whole cents (rounded down, as the settlement counts it)."""
    return awarded_cents * advance_percent // 100


def payments(grants: list[PaymentFacts], timezone_name: str) -> list[Payment]:
    """Every payment the grants' decisions make due, by day, then reference."""
    lines = []
    for g in grants:
        paid = advance(g.awarded_cents, g.advance_percent)
        if paid:
            lines.append(Payment(on=local_day(g.awarded_at, timezone_name),
                                 reference=g.reference, organisation=g.organisation,
                                 kind=PaymentKind.ADVANCE, cents=paid))
        for amended in g.amendments:
            due = advance(amended.amount_cents, g.advance_percent)
            if due != paid:
                lines.append(Payment(
                    on=local_day(amended.at, timezone_name), reference=g.reference,
                    organisation=g.organisation, cents=abs(due - paid),
                    kind=PaymentKind.ADVANCE_RAISED if due > paid
                    else PaymentKind.ADVANCE_RECLAIMED))
            paid = due
        if g.settled_cents is not None and g.settled_at is not None \
                and g.settled_cents != paid:
            lines.append(Payment(
                on=local_day(g.settled_at, timezone_name), reference=g.reference,
                organisation=g.organisation, cents=abs(g.settled_cents - paid),
                kind=PaymentKind.PAYMENT if g.settled_cents > paid else PaymentKind.RECLAIM))
    # a grant's lines of one day in the order they arose: the advance, its amendments, the
    # settlement (a stable sort keeps the order of a grant's amendments of one day)
    return sorted(lines, key=lambda p: (p.on, p.reference, _ORDER[p.kind]))


_ORDER = {PaymentKind.ADVANCE: 0, PaymentKind.ADVANCE_RAISED: 1, PaymentKind.ADVANCE_RECLAIMED: 1,
          PaymentKind.PAYMENT: 2, PaymentKind.RECLAIM: 2}


def totals(lines: list[Payment]) -> dict[PaymentKind, tuple[int, int]]:
    """Per kind, in the order of PaymentKind: how many lines, and their sum."""
    return {kind: (sum(1 for p in lines if p.kind == kind),
                   sum(p.cents for p in lines if p.kind == kind)) for kind in PaymentKind}
