"""A grant's Temporal event history, read as a timeline a non-developer can follow."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from fastapi import HTTPException
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client, WorkflowHistory

from api.csv_files import csv_bytes
from api.i18n import ACTIVITY_NAMES, FIELD_NAMES, MAIL_NAMES, UI, UPDATE_NAMES, t
from api.views import stage_name
from domain.lifecycle import ACTION_LABELS, ROLE_NAMES, Role, Stage
from domain.money import euros
from domain.text import LANGUAGES
from domain.types import Recipients
from regie import histories
from regie.pdf import document, font_for, shown

_SKIPPED = {
    EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED,
}
CENTS_BY_KEY = {"ceilings"}  # fields that hold amounts in cents under names of their own
COUNTED_FROM_ZERO = {"report_index"}  # shown from 1, as the grant's page numbers its reports
# fields that hold a code with a name in UI, under the first of these prefixes that has one
# (a kind: a letter's, a change's, a report's, a budget line's, a document's)
CODE_NAMES = {"kind": ("letter_", "change_kind_", "report_kind_", "kind_", ""),
              "outcome": ("outcome_",), "phase": ("phase_",)}
_MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")  # a recorded ISO 8601 moment
_DAY = re.compile(r"\d{4}-\d\d-\d\d")  # a recorded ISO 8601 day
# what the timeline shows of an activity's input where not all of it (a letter's text is on
# the grant's page)
SHOWN_OF_ACTIVITY = {"issue_letter": ("reference", "kind")}
LONGEST = 600  # characters of what an event carried; the whole of it is in the JSON download


@dataclass(frozen=True)
class HistoryLine:
    event_id: int
    at: datetime
    kind: str
    who: str
    details: str


def _payload(payloads) -> Any:
    """The first payload's JSON value; {} when there is none (an answer of None)."""
    try:
        return json.loads(payloads.payloads[0].data)
    except (IndexError, ValueError, AttributeError):
        return {}


def _who(actor: dict, lang: str) -> str:
    """The person who sent an Update, with their role's name."""
    role = actor.get("role", "?")
    named = ROLE_NAMES[Role(role)](lang) if role in Role._value2member_map_ else role
    return f"{actor.get('name', '?')} ({named})"


def _named(name: str, names: dict, lang: str) -> str:
    """`name` as `names` has it in `lang`, with the name as recorded beside it."""
    return f"{names[name](lang)} ({name})" if name in names else name


def _value(value: Any, lang: str, key: str = "") -> str:
    """A recorded value as a person reads it: amounts (fields in cents) in euros, yes or no,
    nested fields in brackets, a list's items one after another."""
    if isinstance(value, bool):
        return t("yes" if value else "no", lang)
    if value is None:
        return "–"
    if isinstance(value, int) and key.endswith("_cents"):
        return euros(value)
    if isinstance(value, int) and key in COUNTED_FROM_ZERO:
        return str(value + 1)
    if isinstance(value, float):
        return f"{value:g}".replace(".", "," if lang == "nl" else ".")
    if isinstance(value, dict):
        if key in CENTS_BY_KEY:
            return ", ".join(f"{name}: {euros(cents)}" for name, cents in value.items())
        return f"({_fields(value, lang, ', ')})"
    if isinstance(value, list):
        return "; ".join(_value(item, lang, key) for item in value)
    if isinstance(value, str) and key in CODE_NAMES:
        return _coded(value, CODE_NAMES[key], lang)
    return _when(value) if isinstance(value, str) else str(value)


def _coded(code: str, prefixes: tuple[str, ...], lang: str) -> str:
    """A code by its name, with the code as recorded beside it; as recorded without a name."""
    named = next((prefix + code for prefix in prefixes if prefix + code in UI), None)
    return f"{t(named, lang)} ({code})" if named else code


def _when(moment: str | datetime) -> str:
    """A moment as the timeline's column writes it, to the minute: UTC said where it is UTC
    (a round's local closing is not); a day as the pages write one; any other text as it
    is."""
    if isinstance(moment, str):
        if _DAY.fullmatch(moment):
            try:
                return f"{date.fromisoformat(moment):%d-%m-%Y}"
            except ValueError:
                return moment
        if not _MOMENT.match(moment):
            return moment
        try:
            moment = datetime.fromisoformat(moment)
        except ValueError:
            return moment
    return f"{moment:%d-%m-%Y %H:%M}" + (" UTC" if moment.tzinfo is not None else "")


def _fields(values: Any, lang: str, between: str = " · ") -> str:
    """Each field by its name in `lang` with its value, leaving out those left empty, the
    sender (shown as who) and a text's other language; a value that is no set of fields is
    shown as it is."""
    if not isinstance(values, dict):
        return _value(values, lang)
    left_out = {"actor", *(set(LANGUAGES) - {lang} if set(LANGUAGES) <= set(values) else ())}
    return between.join(
        f"{FIELD_NAMES[key](lang) if key in FIELD_NAMES else key}: {_value(value, lang, key)}"
        for key, value in values.items()
        if key not in left_out and value not in (None, "", [], {}))


def _clip(text: str) -> str:
    return text if len(text) <= LONGEST else text[:LONGEST - 1] + "…"


def _stage(value: str | None, lang: str) -> str:
    """A stage by the name staff read, with the stage as recorded beside it."""
    return (f"{stage_name(value, Role.AUDITOR, lang)} ({value})"
            if value in Stage._value2member_map_ else str(value))


def describe(event: HistoryEvent, lang: str) -> HistoryLine | None:
    """One line for one event in `lang`, or None for the engine's bookkeeping. The event's
    kind keeps Temporal's name, as its own tools show it; an Update, signal, activity or stage
    is named in `lang` with Temporal's name beside it, and what it carried is read field by
    field (the JSON download has it as recorded)."""
    kind = EventType.Name(event.event_type).removeprefix("EVENT_TYPE_")
    if event.event_type in _SKIPPED:
        return None
    at = event.event_time.ToDatetime(tzinfo=timezone.utc)
    who, details = "Regie", ""
    if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        attrs = event.workflow_execution_started_event_attributes
        params = _payload(attrs.input)
        if attrs.workflow_type.name == "GrantWorkflow":
            details = t("hist_submitted", lang, round=params.get("round_id"),
                        scheme=params.get("scheme_id"),
                        version=str(params.get("scheme_hash"))[:12])
        elif "round_id" in params:
            details = t("hist_started_round", lang, workflow=attrs.workflow_type.name,
                        round=params["round_id"])
        else:
            details = t("hist_started", lang, workflow=attrs.workflow_type.name)
        if attrs.continued_execution_run_id:
            details += t("hist_continuing", lang, run=attrs.continued_execution_run_id)
    elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
        request = event.workflow_execution_update_accepted_event_attributes.accepted_request
        args = _payload(request.input.args)
        who = _who(args.get("actor", {}), lang)
        details = _clip(f"{_named(request.input.name, UPDATE_NAMES, lang)}: "
                        f"{_fields(args, lang)}")
    elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
        outcome = event.workflow_execution_update_completed_event_attributes.outcome
        if outcome.HasField("failure"):
            details = _clip(t("hist_update_failed", lang, reason=outcome.failure.message))
        else:
            answer = _payload(outcome.success)
            details = _clip(t("hist_answered", lang) + (
                f": {_fields(answer, lang)}" if answer else ""))
    elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        attrs = event.activity_task_scheduled_event_attributes
        arg = _payload(attrs.input)
        if attrs.activity_type.name == "send_mail":
            recipients = arg.get("recipients")
            details = t("hist_mail", lang, mail=_named(
                str(arg.get("template")), MAIL_NAMES, lang), recipients=(
                t(f"hist_mail_{recipients}", lang) if recipients in {r.value for r in Recipients}
                else recipients))
        elif attrs.activity_type.name == "record_event":
            action = arg.get("action")
            details = t("hist_record", lang, stage=_stage(arg.get("stage"), lang)) + (
                f", {_named(action, ACTION_LABELS, lang)}" if action else "") + (
                t("hist_record_deadline", lang, deadline=_when(arg["deadline"]))
                if arg.get("deadline") else "")
        else:
            name = attrs.activity_type.name
            if name in SHOWN_OF_ACTIVITY and isinstance(arg, dict):
                arg = {key: arg.get(key) for key in SHOWN_OF_ACTIVITY[name]}
            details = _clip(_named(name, ACTIVITY_NAMES, lang) + (
                f": {_fields(arg, lang)}" if arg else ""))
    elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
        result = _payload(event.activity_task_completed_event_attributes.result)
        details = _clip(t("hist_done", lang) + (f": {_fields(result, lang)}" if result else ""))
    elif event.event_type == EventType.EVENT_TYPE_TIMER_STARTED:
        timeout = event.timer_started_event_attributes.start_to_fire_timeout.ToTimedelta()
        details = t("hist_timer_set", lang, at=_when(at + timeout))
    elif event.event_type == EventType.EVENT_TYPE_TIMER_FIRED:
        details = t("hist_timer_fired", lang)
    elif event.event_type == EventType.EVENT_TYPE_TIMER_CANCELED:
        details = t("hist_timer_canceled", lang)
    elif event.event_type == EventType.EVENT_TYPE_MARKER_RECORDED:
        marker = event.marker_recorded_event_attributes
        if marker.marker_name == "core_patch":
            patch = _payload(marker.details["patch-data"])
            details = t("hist_patch", lang, patch=patch.get("id"))
    elif event.event_type == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
        fields = event.upsert_workflow_search_attributes_event_attributes.search_attributes
        stage = fields.indexed_fields.get("RegieStage")
        details = (t("hist_stage", lang, stage=_stage(json.loads(stage.data), lang)) if stage
                   else t("hist_search_attributes", lang))
    elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
        attrs = event.workflow_execution_signaled_event_attributes
        given = _payload(attrs.input)
        details = _clip(_named(attrs.signal_name, UPDATE_NAMES, lang) + (
            f": {_fields(given, lang)}" if given else ""))
    elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
        attrs = event.workflow_execution_continued_as_new_event_attributes
        details = t("hist_continued", lang, run=attrs.new_execution_run_id)
    elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
        result = _payload(event.workflow_execution_completed_event_attributes.result)
        details = t("hist_completed", lang) + (
            f": {_stage(result['stage'], lang)}" if "stage" in result else
            f": {_value(result['phase'], lang, 'phase')}" if "phase" in result else "")
    return HistoryLine(event.event_id, at, kind, who, details)


async def fetch(client: Client, db: AsyncSession, workflow_id: str,
                run_id: str = "") -> histories.Loaded:
    """From Temporal, or the copy Regie kept once the run closed (regie.histories)."""
    try:
        return await histories.load(client, db, workflow_id, run_id)
    except histories.HistoryUnavailable as exc:
        raise HTTPException(404, "Deze geschiedenis is er niet (meer) / this history is not "
                                 f"available: {exc}") from exc


def source(loaded: histories.Loaded, lang: str = "") -> str:
    """Where the history was read, in the visitor's language; in both without one (PDF)."""
    key, values = (("source_temporal", {}) if loaded.kept_sha256 is None else
                   ("source_kept", {"sha256": loaded.kept_sha256}))
    return " / ".join(t(key, each, **values) for each in ([lang] if lang else LANGUAGES))


def timeline(history: WorkflowHistory, lang: str) -> list[HistoryLine]:
    return [line for e in history.events if (line := describe(e, lang)) is not None]


TIMELINE_COLUMNS = ("event", "at_utc", "kind", "who", "details")


def timeline_csv(lines: list[HistoryLine]) -> bytes:
    return csv_bytes(TIMELINE_COLUMNS, ([line.event_id, line.at.isoformat(), line.kind, line.who,
                                         line.details] for line in lines))


def timeline_pdf(title: str, lines: list[HistoryLine], findings: list[str]) -> bytes:
    """The timeline on A4 landscape, headed by where it was read and what its verification
    found, for the auditor's file."""
    pdf = document(title, "nl", orientation="L")
    pdf.set_margins(12, 12, 12)
    pdf.add_page()
    font = font_for(pdf, [title, *findings, *(t for line in lines for t in (line.who,
                                                                              line.details))])
    pdf.set_font(font, style="B", size=13)
    line = dict(new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 7, shown(pdf, title), **line)
    pdf.set_font(font, size=9)
    printed = f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M}"
    pdf.multi_cell(0, 5, shown(pdf, "Tijdlijn uit de Temporal-geschiedenis / timeline from "
                                    f"the Temporal history; printed {printed} UTC"), **line)
    pdf.ln(2)
    for finding in findings:
        pdf.multi_cell(0, 5, shown(pdf, f"- {finding}"), **line)
    pdf.ln(3)
    with pdf.table(col_widths=(10, 36, 50, 40, 137), text_align="LEFT",
                   first_row_as_headings=True) as table:
        table.row(TIMELINE_COLUMNS)
        for line in lines:
            table.row((str(line.event_id), line.at.strftime("%Y-%m-%d %H:%M:%S"), line.kind,
                       shown(pdf, line.who), shown(pdf, line.details)))
    return bytes(pdf.output())
