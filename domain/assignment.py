"""Assigning assessors: who may not assess an application."""

from __future__ import annotations

from typing import Iterable


def in_conflict(assessor_organisation_id: int | None, lead_organisation_id: int | None,
                partner_organisation_ids: Iterable[int]) -> bool:
    """Whether an assessor belongs to the application's lead organisation or one of its
    partners, and so may not assess it (belangenverstrengeling)."""
    return assessor_organisation_id in {lead_organisation_id, *partner_organisation_ids}
