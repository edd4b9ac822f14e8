"""A plan with its whole history: what export writes and import reads back."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.plan.rag import Rag
from bot.plan.specs import PlanSpec
from bot.plan.tallies import Tally


@dataclass(frozen=True)
class UpdateRecord:
    """One progress update as it stands in the history."""

    action: str
    at: datetime
    text: str
    author: str | None
    source: str
    retracted_at: datetime | None = None
    # The Slack message it came from (its conversation and ts; for a button press or a modal,
    # the identity the bot recorded in place of a ts), so that Slack delivering it again is still
    # recognised after an export and import; None for one typed in a spreadsheet or a seed.
    # `edited_at`: when its author last edited the message (the text is the edited one).
    slack_channel: str | None = None
    slack_ts: str | None = None
    edited_at: datetime | None = None


@dataclass(frozen=True)
class RagChangeRecord:
    """One change of an action's agreed RAG: the audit trail."""

    action: str
    at: datetime
    from_rag: Rag
    to_rag: Rag
    by: str | None
    via: str
    reason: str | None = None
    proposal: int | None = None  # the ProposalRecord.number it applied, if it came from one


@dataclass(frozen=True)
class TimescaleChangeRecord:
    """One revision of an action's timescale (the original stays on the action)."""

    action: str
    at: datetime
    from_date: date | None
    to_date: date | None
    by: str | None
    via: str
    reason: str | None = None


# A proposal's way through the lead's confirmation and the approvers' decision.
PROPOSAL_STATUSES = (
    "unconfirmed",
    "evidence_pending",
    "awaiting_approval",
    "accepted",
    "returned",
    "withdrawn",
)


@dataclass(frozen=True)
class UpdateRef:
    """Which of an action's progress updates a proposal came from, by what survives an export
    and import (database ids do not): the update's Slack message when it has one (a message is
    one update per action: the store's unique channel, ts and action), otherwise its date-time
    and author. The first of the action's updates that `matches` is the one."""

    at: datetime
    author: str | None
    slack_channel: str | None = None
    slack_ts: str | None = None

    @classmethod
    def of(cls, update: UpdateRecord) -> UpdateRef:
        return cls(update.at, update.author, update.slack_channel, update.slack_ts)

    def matches(self, update: UpdateRecord) -> bool:
        """Whether `update` (one of the proposal's action's) is the one referred to."""
        if self.slack_channel is not None and self.slack_ts is not None:
            return (update.slack_channel, update.slack_ts) == (self.slack_channel, self.slack_ts)
        return (update.at, update.author) == (self.at, self.author)


def find_update(
    ref: UpdateRef, action: str, updates: list[UpdateRecord]
) -> tuple[int, UpdateRecord] | None:
    """The position in `updates`, and the update, that `ref` refers to among `action`'s."""
    for index, update in enumerate(updates):
        if update.action == action and ref.matches(update):
            return index, update
    return None


@dataclass(frozen=True)
class ProposalRecord:
    """A proposed RAG and/or revised timescale on its way to a decision (or decided).

    `number` is the proposal's own, stable one (the store keeps it as the proposal's id, so that
    Slack buttons naming a proposal still find it after a replace); a RagChangeRecord that
    applied the proposal names it. `update` is the progress update it came from, if any.
    `approval_messages` is the approvers' DMs about it, as JSON text (None: none)."""

    number: int
    action: str
    proposed_at: datetime
    proposed_by: str | None
    rag: Rag | None  # None: only the timescale moves
    revised_timescale: date | None
    evidence: str | None
    status: str
    update: UpdateRef | None = None
    confirmed_at: datetime | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str | None = None
    echo_channel: str | None = None
    echo_ts: str | None = None
    approval_messages: str | None = None


def approval_messages_text(messages: list) -> str | None:
    """The approvers' messages about a proposal as ProposalRecord keeps them: canonical JSON
    text (so that equal lists compare equal), or None for none."""
    if not messages:
        return None
    return json.dumps(messages, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class LeadRecord:
    """A Slack user who leads a role, or covers it as deputy."""

    role: str
    user_id: str
    deputy: bool = False


@dataclass(frozen=True)
class MeasureValueRecord:
    """A KPI value or quality-assurance rating as recorded at a time."""

    priority: int
    kind: str  # "kpi" or "quality"
    measure: str
    value: str
    at: datetime
    by: str | None
    source: str


@dataclass(frozen=True)
class FrozenMonthRecord:
    """One priority's tallies as frozen at a month's end: the committee's record of that month,
    never changed once frozen (an import adds a month the database has not frozen, never
    rewrites one it has)."""

    month: str  # "YYYY-MM"
    priority: int
    tally: Tally
    frozen_at: datetime


@dataclass
class PlanArchive:
    """A plan and its history. A list left None was not in the file: the plan's own values stand
    (progress texts become its updates, a RAG or revised timescale its only change)."""

    spec: PlanSpec
    updates: list[UpdateRecord] | None = None
    rag_changes: list[RagChangeRecord] | None = None
    timescale_changes: list[TimescaleChangeRecord] | None = None
    leads: list[LeadRecord] | None = None
    measure_values: list[MeasureValueRecord] | None = None
    proposals: list[ProposalRecord] | None = None
    # The frozen month tallies, by month then priority (None: the file has no table of them).
    frozen_months: list[FrozenMonthRecord] | None = None
    # What the file the plan was read from did not carry (the names in LACKABLE), so that a
    # replace keeps the database's instead of wiping it; empty for a whole plan (planbot's own
    # workbook, a plan file, the database). Not part of the plan: left out of comparisons.
    lacks: frozenset[str] = field(default=frozenset(), compare=False)
    # Lead-role spellings merged on reading (the spelling kept -> the others), for the report.
    merged_roles: dict[str, list[str]] = field(default_factory=dict, compare=False)


# What a file may not carry, each with the words a report uses for it. A plan file and planbot's
# own workbook carry all of them; a CSV or an owner's own tracker only what it has columns for.
LACKABLE = {
    "about": "plan name, organisation and progress as of",
    "sections": "sections",
    "measures": "KPIs and quality measures with their values",
    "ofsted_recommendation": "Ofsted recommendation numbers",
    "priority_paragraph_refs": "priorities' paragraph refs",
    "expected_outcomes": "expected outcomes",
    "priority_note": "priorities' notes",
    "leads": "actions' leads",
    "timescale": "timescales",
    "original_timescale": "original timescales",
    "timescale_as_written": "timescales as written",
    "progress": "progress texts",
    "rag": "RAG ratings",
    "paragraph_refs": "actions' paragraph refs",
    "note": "actions' notes",
    "is_new": "new-action flags",
    # No "Actions added and closed" sheet: when each action was added (and by whom) and whether
    # it is closed are the database's (ActionSpec.has_record says the same per action).
    "action_records": "when actions were added and which are closed",
    # A Progress history sheet without the Slack columns, a RAG history without the Proposal
    # column (exports from before them): the entries the database holds are the database's.
    "update_messages": "progress updates' Slack messages and edit times",
    "proposal_links": "the proposals RAG changes applied",
}
