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

    __table_args__ = (UniqueConstraint("priority_id", "number"),)

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
    note: str | None = None


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
        # One Slack message is one update, however often Slack delivers it (NULLs never clash).
        UniqueConstraint("slack_channel", "slack_ts"),
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
    """A proposed RAG, from a reply or a button, on its way through confirmation and approval."""

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action.id", index=True)
    update_id: int | None = Field(default=None, foreign_key="progressupdate.id")
    proposed_rag: str
    evidence: str | None = None
    proposed_by: str | None = None
    proposed_at: datetime = _utc()
    status: str = Field(
        default="unconfirmed",
        description="unconfirmed, awaiting_approval, accepted, returned, withdrawn",
    )
    decided_by: str | None = None
    decided_at: datetime | None = _utc(default=None)
    reason: str | None = None


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
