"""The scheme as data: programme, organisation types, rounds, terms, rate tables and rubrics.

A scheme file (TOML, one per scheme) is parsed and validated here; errors name the file, the key
and the problem. Money is held in integer cents everywhere; the file speaks euros.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from domain.text import Text


def euros_to_cents(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise ValueError("expected an amount in euros")
    try:
        cents = Decimal(str(value)) * 100
    except InvalidOperation:
        raise ValueError(f"'{value}' is not an amount in euros") from None
    if cents != cents.to_integral_value():
        raise ValueError("an amount has at most two decimals")
    return int(cents)


# Amounts as the scheme file writes them (euros), held in cents. Only for models read from the
# file: a model that travels through Temporal must not have one (see SizeBand).
Cents = Annotated[int, BeforeValidator(euros_to_cents), Field(ge=0)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class OrganisationType(_Model):
    key: str
    name_nl: str
    name_en: str
    needs_funding_evidence: bool = False

    @property
    def name(self) -> Text:
        return Text(self.name_nl, self.name_en)


class Choice(_Model):
    """One of a fixed list an application picks from: a pillar, a target group."""

    key: str
    name_nl: str
    name_en: str

    @property
    def name(self) -> Text:
        return Text(self.name_nl, self.name_en)


class Terms(_Model):
    """Terms in days; each becomes a deadline held in a grant's workflow state, at the end of
    its last day (domain/terms.py)."""

    correction_days: int = Field(14, ge=1)
    correction_reminder_days: int = Field(3, ge=0)
    draft_reminder_days: int = Field(3, ge=0)
    assessment_days: int = Field(28, ge=1)
    assessment_reminder_days: int = Field(5, ge=0)
    decision_days: int = Field(56, ge=1)
    escalation_grace_days: int = Field(7, ge=0)
    assessors_per_application: int = Field(2, ge=1, le=5)
    anonymous_assessment: bool = False  # hide the applicants' identities from assessors
    objection_weeks: int = Field(6, ge=0)  # the window to object to a decision
    # the team's term to decide on an objection, from the end of the objection window (Awb
    # 7:10: six weeks, twelve where an advisory committee hears objections)
    objection_decision_weeks: int = Field(6, ge=1)
    extend_to_working_day: bool = True  # the Algemene termijnenwet: past weekends and holidays


# What a final report holds, as the call names it; the band's auditor_statement adds the
# auditor's statement and the financial report to the final report's form.
ReportContent = Literal["short_activity_report", "activity_report", "activity_and_financial_report"]


class SizeBand(_Model):
    """What a report must hold for grants below an amount (the last band has no limit).
    It travels inside a grant's workflow parameters, so it keeps the file's euros as they are
    (a Cents field would be converted again on every pass through the data converter)."""

    below: int | None = Field(None, ge=0)  # euros
    content: ReportContent
    auditor_statement: bool = False

    @property
    def below_cents(self) -> int | None:
        return None if self.below is None else self.below * 100


class ReportingRules(_Model):
    progress_every_months: int = Field(6, ge=1)
    final_within_weeks: int = Field(8, ge=0)
    prompt_before_days: int = Field(14, ge=0)
    grace_days: int = Field(14, ge=0)
    settlement_weeks: int = Field(22, ge=1)
    advance_percent: int = Field(100, ge=0, le=100)
    link_valid_days: int = Field(60, ge=1)
    attachment_types: tuple[str, ...] = (".pdf", ".docx", ".png", ".jpg")
    attachment_max_mb: int = Field(20, ge=1)
    size_bands: tuple[SizeBand, ...] = (SizeBand(content="activity_report"),)

    def band(self, awarded_cents: int) -> SizeBand:
        """The band a grant of this amount falls in."""
        return next(b for b in self.size_bands
                    if b.below_cents is None or awarded_cents < b.below_cents)

    def band_ranges(self) -> list[tuple[int, int | None, SizeBand]]:
        """Each band with the award it starts at and the award it ends below (None: no end),
        in cents, as the call lists them."""
        lowers = [0, *(b.below_cents for b in self.size_bands[:-1])]
        return [(lower, band.below_cents, band) for lower, band in zip(lowers, self.size_bands)]

    @model_validator(mode="after")
    def _bands_rise(self) -> ReportingRules:
        """Every band but the last ends below an amount higher than the band before it; the
        last has no end."""
        if self.size_bands[-1].below is not None:
            raise ValueError("size_bands: the last band has no 'below'")
        ends = [b.below for b in self.size_bands[:-1]]
        if None in ends or ends != sorted(set(ends)):
            raise ValueError("size_bands: each band but the last has a 'below', higher than "
                             "the band's before it")
        return self


class AmountLimits(_Model):
    minimum_cents: Cents = Field(alias="minimum")
    maximum_cents: Cents = Field(alias="maximum")


class Defaults(_Model):
    terms: Terms = Terms()
    reporting: ReportingRules = ReportingRules()
    amounts: AmountLimits


class RoleName(_Model):
    nl: str
    en: str


class RateTable(_Model):
    """Hourly rates by role (or salary scale), with each role's name as applicants read it;
    a role without a name is shown by its key."""

    includes_overhead: bool = True
    rates: dict[str, Cents]
    names: dict[str, RoleName] = {}

    def role(self, key: str, lang: str) -> str:
        name = self.names.get(key)
        return key if name is None else Text(name.nl, name.en)(lang)

    @model_validator(mode="after")
    def _names_known(self) -> RateTable:
        unknown = sorted(set(self.names) - set(self.rates))
        if unknown:
            raise ValueError(f"names: no rate for {', '.join(unknown)}")
        return self


class Aspects(_Model):
    """What assessors judge a part of an application on, as the call publishes it (Bijlage 2's
    beoordelingsaspecten): for the call's page and the assessors' form, never for a workflow."""

    nl: tuple[str, ...] = ()
    en: tuple[str, ...] = ()

    def __call__(self, lang: str) -> tuple[str, ...]:
        return self.en if lang == "en" and self.en else self.nl


# Published text stays out of workflow payloads: a grant's parameters carry its rubric, and the
# workflows need its numbers, not its prose.
_PUBLISHED = dict(default=Aspects(), exclude=True)


class Section(_Model):
    key: str
    name_nl: str
    name_en: str
    words: int = Field(ge=1)
    aspects: Aspects = Field(**_PUBLISHED)

    @property
    def name(self) -> Text:
        return Text(self.name_nl, self.name_en)


# The criteria an assessor scores from 1 to 5 (domain.types.ScoreSubmission holds one field for
# each): every rubric's sections are these.
CRITERIA = ("ambitie", "impact", "verankering")


class Rubric(_Model):
    """The assessment framework of a round (Bijlage 2): scales, weights, thresholds, ranking."""

    scale_min: int = 1
    scale_max: int = 5
    minimum_average: float = 3.0  # fundable when every criterion averages at least this
    divergence: int = Field(2, ge=1)  # assessors this far apart on a criterion go to consensus
    weights: dict[str, float] = {"ambitie": 1.0, "impact": 1.0, "verankering": 1.0}
    decimals: int = Field(2, ge=0, le=4)  # rounding of averages and totals
    # after the weighted total: criteria to compare in turn, then the smaller request first,
    # then the earlier submission; the reference settles what is left
    tie_breaks: tuple[str, ...] = ("verankering", "impact", "ambitie", "requested", "submitted")
    cut: Literal["skip", "stop"] = "skip"  # oversubscribed: fund the next that fits, or stop
    sections: tuple[Section, ...]
    activity_words: int = Field(ge=1)
    activity_aspects: Aspects = Field(**_PUBLISHED)  # 4a: each activity, sufficient or not
    budget_aspects: Aspects = Field(**_PUBLISHED)  # 4b: each activity's budget, the same

    @model_validator(mode="after")
    def _scored_as_assessors_score(self) -> Rubric:
        if sorted(s.key for s in self.sections) != sorted(CRITERIA):
            raise ValueError(f"sections: the criteria assessors score are {', '.join(CRITERIA)}")
        if not 1 <= self.scale_min < self.scale_max <= 5:
            raise ValueError("scale_min, scale_max: a scale within 1 to 5")
        return self


class Round(_Model):
    id: str
    name_nl: str
    name_en: str
    opens: datetime
    closes: datetime
    drafts_from: datetime | None = None  # applicants may prepare a draft from then; None: opens
    budget_cents: Cents = Field(alias="budget")
    rate_table: str
    rubric: str
    terms: Terms | None = None
    reporting: ReportingRules | None = None
    amounts: AmountLimits | None = None

    @property
    def name(self) -> Text:
        return Text(self.name_nl, self.name_en)


class Retention(_Model):
    """How long personal data is kept, per kind, in months from the moment each names."""

    not_funded_months: int = Field(24, ge=1)  # applicants not funded: from the final outcome
    drafts_months: int = Field(12, ge=1)  # applications never submitted: from their round's close
    check_every_days: int = Field(7, ge=1)  # how often the retention workflow looks


class Notifications(_Model):
    """How Regie's e-mail is bundled."""

    # A grant's mail to an assessor (their new assignments, reminders) or to the programme team
    # waits for the recipients' digest: one e-mail, once none has come for this long (0: at
    # once). A term runs from its act all the same.
    assessor_digest_minutes: int = Field(30, ge=0, le=24 * 60)
    team_digest_minutes: int = Field(60, ge=0, le=24 * 60)


class SchemeInfo(_Model):
    id: str
    name_nl: str
    name_en: str
    budget_cents: Cents = Field(alias="budget")
    timezone: str
    projects_end: date
    reporting_closes: date
    books_close: date
    reference_prefix: str = Field("SV", pattern=r"^[A-Z]{1,6}$")
    # where an objection (bezwaarschrift) to an award or a settlement is sent, as its letter
    # says: a postal address, or an e-mail address if the funder takes objections by e-mail
    # (Awb 2:15); empty, the letter names the funder alone. A rejection's objection is lodged
    # in Regie, through the grant's page.
    objections_to: str = ""
    # a round's allocation, once confirmed by one member of the programme team, waits for
    # another's approval before any decision goes out (vier-ogenprincipe)
    allocation_second_approval: bool = False


class Scheme(_Model):
    scheme: SchemeInfo
    pillars: tuple[Choice, ...]
    target_groups: tuple[Choice, ...]
    marginalised_groups: tuple[Choice, ...]
    organisation_types: tuple[OrganisationType, ...]
    defaults: Defaults
    rounds: tuple[Round, ...]
    rate_tables: dict[str, RateTable]
    rubrics: dict[str, Rubric]
    retention: Retention = Retention()
    notifications: Notifications = Notifications()
    content_hash: str = ""

    @model_validator(mode="after")
    def _cross_references(self) -> Scheme:
        for i, rnd in enumerate(self.rounds):
            where = f"rounds[{i}]"
            if rnd.closes <= rnd.opens:
                raise ValueError(f"{where}.closes: must be after opens ({rnd.opens})")
            if rnd.drafts_from is not None and rnd.drafts_from > rnd.opens:
                raise ValueError(f"{where}.drafts_from: must not be after opens ({rnd.opens})")
            if rnd.rate_table not in self.rate_tables:
                raise ValueError(f"{where}.rate_table: no rate table '{rnd.rate_table}'")
            if rnd.rubric not in self.rubrics:
                raise ValueError(f"{where}.rubric: no rubric '{rnd.rubric}'")
            if rnd.closes.date() > self.scheme.projects_end:
                raise ValueError(f"{where}.closes: after the projects' end date")
        ids = [r.id for r in self.rounds]
        if len(set(ids)) != len(ids):
            raise ValueError("rounds: round ids must be unique")
        total = sum(r.budget_cents for r in self.rounds)
        if total > self.scheme.budget_cents:
            raise ValueError("rounds: the round budgets add up to more than scheme.budget")
        return self

    # -- lookups -------------------------------------------------------------------------------

    def round(self, round_id: str) -> Round:
        for rnd in self.rounds:
            if rnd.id == round_id:
                return rnd
        raise KeyError(round_id)

    def organisation_type(self, key: str) -> OrganisationType | None:
        return next((t for t in self.organisation_types if t.key == key), None)

    def amounts(self, rnd: Round) -> AmountLimits:
        return rnd.amounts or self.defaults.amounts

    def terms(self, rnd: Round) -> Terms:
        return rnd.terms or self.defaults.terms

    def reporting(self, rnd: Round) -> ReportingRules:
        return rnd.reporting or self.defaults.reporting

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.scheme.timezone)

    def local_to_utc(self, moment: datetime) -> datetime:
        """A local time of the scheme's time zone (as the file writes it), as an aware UTC time."""
        return moment.replace(tzinfo=self.tz).astimezone(ZoneInfo("UTC"))

    def drafts_from_utc(self, rnd: Round) -> datetime:
        """When applicants may start a draft in `rnd`: its drafts_from, else its opening."""
        return self.local_to_utc(rnd.drafts_from or rnd.opens)

    def takes_drafts(self, rnd: Round, phase: str, now: datetime) -> bool:
        """Whether an applicant may start a draft in `rnd` at `now` (UTC), the round in `phase`
        as its workflow tells it: while it is open, and before that from its drafts_from."""
        return phase == "open" or (phase == "scheduled" and now >= self.drafts_from_utc(rnd))

    def years(self) -> range:
        """The calendar years the programme reports on: from its first round's opening to the
        closing of its books."""
        return range(min(r.opens.year for r in self.rounds), self.scheme.books_close.year + 1)

    def end_of_day_utc(self, day: date) -> datetime:
        """The first moment after `day` in the scheme's time zone, in UTC."""
        return self.local_to_utc(datetime.combine(day + timedelta(days=1), datetime.min.time()))


class SchemeError(ValueError):
    """A scheme file that cannot be used; the message names the file, the key and the problem."""


def _key(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(file)"


def parse_scheme(text: str, source: str) -> Scheme:
    """Parse and validate a scheme file's text; `source` names the file in every error."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SchemeError(f"{source}: not valid TOML: {exc}") from None
    try:
        scheme = Scheme.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            msg = err["msg"].removeprefix("Value error, ")
            if err["loc"]:
                problems.append(f"{source}: {_key(err['loc'])}: {msg}")
            else:  # cross-reference errors already start with their key
                problems.append(f"{source}: {msg}")
        raise SchemeError("\n".join(problems)) from None
    digest = hashlib.sha256(json.dumps(raw, sort_keys=True, default=str).encode()).hexdigest()
    return scheme.model_copy(update={"content_hash": digest})
