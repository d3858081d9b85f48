"""What a refused command says: each field the model refused, named as the grant page's
form labels it (else as the auditor's timeline names it), in Dutch and English, with what to
do; from the real models' own errors."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from api.actions import _refusal
from domain.lifecycle import Role
from domain.types import Actor, ConsensusInput, DeadlineMove, DecisionInput, ScoreSubmission

TEAM = Actor(user_id=1, name="Team", role=Role.PROGRAMME_TEAM)


def _refusals(model: type[BaseModel], by_key: bool = False, **fields) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        model.model_validate({"actor": TEAM, **fields})
    return [_refusal(e, by_key) for e in refused.value.errors()]


@pytest.mark.parametrize(("model", "fields", "said"), [
    (DecisionInput, {"award": False, "amount_cents": 0},
     ['Vul "Toelichting" in / fill in "Reason"']),
    (DecisionInput, {"award": False, "amount_cents": 0, "reason": ""},
     ['Vul "Toelichting" in / fill in "Reason"']),
    (DecisionInput, {"award": True, "amount_cents": -1, "reason": "r"},
     ['"Bedrag (euro)": ten minste 0 / "Amount (euro)": at least 0']),
    (DecisionInput, {"award": "misschien", "amount_cents": 0, "reason": "r"},
     ['"toekennen": onleesbaar of geen geldige keuze / "award": unreadable or not a '
      'valid choice']),
    (DeadlineMove, {"deadline": "volgende week", "reason": "r"},
     ['"Termijn": onleesbaar of geen geldige keuze / "Deadline": unreadable or not a '
      'valid choice']),
    (ConsensusInput, {"ambitie": 6, "impact": 0, "verankering": 3, "reason": "r"},
     ['"ambitie": ten hoogste 5 / "ambitie": at most 5',
      '"impact": ten minste 1 / "impact": at least 1']),
])
def test_a_refused_field_is_named_in_both_languages_with_what_to_do(model, fields, said):
    assert _refusals(model, **fields) == said


@pytest.mark.parametrize(("model", "fields", "said"), [
    (DecisionInput, {"award": False, "amount_cents": 0},
     ['Vul "reason" in / fill in "reason"']),
    (DecisionInput, {"award": True, "amount_cents": -1, "reason": "r"},
     ['"amount_cents": ten minste 0 / "amount_cents": at least 0']),
    (ScoreSubmission, {"ambitie": {"score": 3, "motivation": "m"},
                       "impact": {"score": 9, "motivation": "m"},
                       "verankering": {"score": 3, "motivation": "m"}, "activities": []},
     ['"impact.score": ten hoogste 5 / "impact.score": at most 5']),
])
def test_the_json_api_names_a_refused_field_by_its_key(model, fields, said):
    """Its callers write the body by the keys of the schema at /docs, not the form's labels."""
    assert _refusals(model, by_key=True, **fields) == said
