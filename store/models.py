"""SQLModel tables for the whole plan and its history.

History is append-only: updates, RAG changes, proposals and timescale changes are rows of their
own, so nothing is overwritten. `action.rag` and `action.timescale` are the current agreed values,
kept beside the history so that status views need no aggregation.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index, MetaData, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.types import UTCDateTime

# Stable constraint names, so Alembic migrations (and SQLite batch mode) can refer to them.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


def _utc(**kwargs) -> object:
    return Field(sa_type=UTCDateTime, **kwargs)


class Plan(SQLModel, table=True):
    """The plan this database carries (one per database)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str
    organisation: str | None = None
    loaded_at: datetime = _utc()
    source: str = Field(description="bundled seed, a file name, …")
    progress_as_of: datetime | None = _utc(
        default=None, description="When the plan's own progress texts were written"
    )


class Section(SQLModel, table=True):
    """A judgement area, such as "Children who need help and protection"."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)
    title: str
    position: int


class Priority(SQLModel, table=True):
    """Priority N: one Ofsted recommendation with its outcomes, measures and actions."""

    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(unique=True)
    section_id: int = Field(foreign_key="section.id")
    ofsted_recommendation: int | None = None
    recommendation: str
    paragraph_refs: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    expected_outcomes: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    note: str | None = None


class Action(SQLModel, table=True):
    """Action N.M with its current agreed RAG and timescale."""

    __table_args__ = (
        UniqueConstraint("priority_id", "number"),
        # Everything the whole plan's counts read (store.plan.plan_summary): an index-only scan.
        Index("ix_action_counts", "priority_id", "rag", "timescale", "is_new", "closed_at"),
        # The open actions by timescale, and every column their count reads (`/plan overdue`,
        # `due`: store.reminders.open_actions).
        Index("ix_action_due", "timescale", "rag", "closed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(unique=True, description='"7.3"')
    priority_id: int = Field(foreign_key="priority.id", index=True)
    number: int = Field(description="M in N.M, for numeric ordering")
    text: str
    paragraph_refs: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    timescale: date | None = None
    original_timescale: date | None = Field(
        default=None, description="The timescale first agreed; kept when it is revised"
    )
    timescale_as_written: str | None = None
    rag: str = Field(default="unrated")
    is_new: bool = Field(default=False, description='A "New Action" added after the plan')
    created_at: datetime = _utc()
    created_by: str | None = Field(
        default=None, description="Who added it (a Slack user id, or cli); None: the plan's own"
    )
    note: str | None = None
    # A closed (superseded) action leaves the loop but stays in the plan and its history.
    closed_at: datetime | None = _utc(default=None)
    closed_by: str | None = None
    closed_reason: str | None = None


class LeadRole(SQLModel, table=True):
    """A lead role such as "Service Manager - ICRT"; people are mapped to it in RoleMember."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)


class ActionLead(SQLModel, table=True):
    action_id: int = Field(foreign_key="action.id", primary_key=True)
    role_id: int = Field(foreign_key="leadrole.id", primary_key=True, index=True)
    position: int = 0


class RoleMember(SQLModel, table=True):
    """A Slack user who leads for a role, or covers it as deputy."""

    __table_args__ = (UniqueConstraint("role_id", "slack_user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    role_id: int = Field(foreign_key="leadrole.id", index=True)
    slack_user_id: str = Field(index=True)
    is_deputy: bool = False
    mapped_at: datetime = _utc()
    mapped_by: str | None = None


class ProgressUpdate(SQLModel, table=True):
    """A progress update as its author wrote it; edits and retractions keep the row."""

    __table_args__ = (
        Index("ix_progressupdate_action_at", "action_id", "at"),
        # One Slack message is one update per action it speaks of, however often Slack delivers
        # it (NULLs never clash).
        UniqueConstraint("slack_channel", "slack_ts", "action_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action.id")
    text: str
    author: str | None = Field(default=None, description="Slack user id, or a name from an import")
    at: datetime = _utc()
    source: str = Field(description="seed, import, reply, button, command, modal")
    slack_channel: str | None = None
    slack_ts: str | None = None
    edited_at: datetime | None = _utc(default=None)
    retracted_at: datetime | None = _utc(default=None)


class RagProposal(SQLModel, table=True):
    """A proposed RAG and/or revised timescale, from a reply or a button, on its way through the
    lead's confirmation and the approvers' decision."""

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action.id", index=True)
    update_id: int | None = Field(default=None, foreign_key="progressupdate.id")
    proposed_rag: str | None = Field(default=None, description="None: only the timescale moves")
    revised_timescale: date | None = None
    evidence: str | None = None
    proposed_by: str | None = None
    proposed_at: datetime = _utc()
    status: str = Field(
        default="unconfirmed",
        description="unconfirmed, evidence_pending, awaiting_approval, accepted, returned, withdrawn",
    )
    confirmed_at: datetime | None = _utc(default=None)
    decided_by: str | None = None
    decided_at: datetime | None = _utc(default=None)
    reason: str | None = None
    # Where the bot echoed it to the lead (its thread), and the approvers' DMs about it.
    echo_channel: str | None = None
    echo_ts: str | None = None
    approval_messages: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class RagChange(SQLModel, table=True):
    """Every change of an action's agreed RAG: the audit trail."""

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action.id", index=True)
    from_rag: str
    to_rag: str
    at: datetime = _utc()
    by: str | None = None
    via: str
    reason: str | None = None
    proposal_id: int | None = Field(default=None, foreign_key="ragproposal.id")


class TimescaleChange(SQLModel, table=True):
    """A revised timescale; the original stays on the action, so slippage stays visible."""

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action.id", index=True)
    from_date: date | None = None
    to_date: date | None = None
    at: datetime = _utc()
    by: str | None = None
    via: str
    reason: str | None = None


class Measure(SQLModel, table=True):
    """A priority's KPI or quality measure."""

    __table_args__ = (UniqueConstraint("priority_id", "kind", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    priority_id: int = Field(foreign_key="priority.id", index=True)
    kind: str = Field(description="kpi or quality")
    position: int
    name: str


class MeasureValue(SQLModel, table=True):
    """A KPI value or QA rating as recorded at a time."""

    id: int | None = Field(default=None, primary_key=True)
    measure_id: int = Field(foreign_key="measure.id", index=True)
    value: str
    recorded_at: datetime = _utc()
    recorded_by: str | None = None
    source: str


class MonthSnapshot(SQLModel, table=True):
    """A month's frozen tallies for one priority (the tracker's by-month table)."""

    __table_args__ = (UniqueConstraint("month", "priority_number"),)

    id: int | None = Field(default=None, primary_key=True)
    month: str = Field(description="YYYY-MM")
    priority_number: int
    red: int = 0
    amber: int = 0
    green: int = 0
    completed: int = 0
    unrated: int = 0
    new_actions: int = 0
    total: int = 0
    frozen_at: datetime = _utc()


# --- The loop: reminders and everything the bot sends --------------------------------------


class Outbox(SQLModel, table=True):
    """A message the bot must send exactly once (a reminder, an alert to the admins, …).

    `key` names what it is for, such as "reminder:U0123:2018-11-20", so that planning the same
    message twice (a retry, a restart, a second process) finds the row that is already there.
    A sender claims a row for a while (`claimed_until`); a claim that ran out without `sent`
    means the outcome is unknown, and the next sender looks in the conversation first.
    """

    __table_args__ = (Index("ix_outbox_status_not_before", "status", "not_before"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)
    kind: str = Field(description="reminder, unreachable, escalation")
    recipient: str = Field(description="a Slack user id (a DM) or a channel id")
    payload: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", description="pending, sending, sent, failed")
    attempts: int = 0
    not_before: datetime | None = _utc(default=None)
    claimed_by: str | None = None
    claimed_until: datetime | None = _utc(default=None)
    channel: str | None = Field(default=None, description="the conversation Slack posted it in")
    ts: str | None = None
    error: str | None = None
    created_at: datetime = _utc()
    sent_at: datetime | None = _utc(default=None)


class ReminderItem(SQLModel, table=True):
    """One action in one reminder DM: who was asked about what, on which day, and why."""

    __table_args__ = (UniqueConstraint("outbox_id", "action_id"),)

    id: int | None = Field(default=None, primary_key=True)
    outbox_id: int = Field(foreign_key="outbox.id", index=True)
    action_id: int = Field(foreign_key="action.id", index=True)
    slack_user_id: str = Field(index=True)
    day: date = Field(description="the recipient's local date")
    reason: str = Field(description="overdue, due, upcoming, monthly")
    days: int = Field(description="timescale minus day; negative when overdue")


class Leave(SQLModel, table=True):
    """A person away until a date (inclusive): their reminders go to the role's deputy."""

    id: int | None = Field(default=None, primary_key=True)
    slack_user_id: str = Field(index=True)
    until: date
    recorded_at: datetime = _utc()
    recorded_by: str | None = None
    cancelled_at: datetime | None = _utc(default=None)


class Snooze(SQLModel, table=True):
    """An action's reminders paused until a date (inclusive), by a lead."""

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action.id", index=True)
    until: date
    at: datetime = _utc()
    by: str | None = None


class Escalation(SQLModel, table=True):
    """An overdue action whose lead did not answer two reminders; the approvers were told.

    One per action and episode: `since` is the last update's date (or the timescale) that the
    unanswered reminders followed, so a new update closes the episode and a later one opens anew.
    """

    __table_args__ = (UniqueConstraint("action_id", "since"),)

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action.id", index=True)
    since: date
    day: date
    reminders: int
    leads: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    at: datetime = _utc()
    resolved_at: datetime | None = _utc(default=None)


class SlackPerson(SQLModel, table=True):
    """What Slack said about a person: their time zone, their DM with the bot, whether reachable."""

    slack_user_id: str = Field(primary_key=True)
    tz: str | None = None
    dm_channel: str | None = None
    unreachable: str | None = Field(default=None, description="Slack's error, e.g. user_disabled")
    checked_at: datetime = _utc()


class Inbox(SQLModel, table=True):
    """Every incoming event, command or interaction that changes state, stored before it is
    processed and marked done after: a crash in between is re-driven at start, and a retry or
    a redelivery finds its key taken."""

    __table_args__ = (Index("ix_inbox_status", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, description="event:Ev…, message:C…:ts, action:…, view:…")
    kind: str
    payload: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", description="pending, processing, done, failed")
    attempts: int = 0
    # While one process works on an item nobody else may; past this it is taken to have died.
    claimed_until: datetime | None = _utc(default=None)
    received_at: datetime = _utc()
    done_at: datetime | None = _utc(default=None)
    error: str | None = None
