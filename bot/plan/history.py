"""A plan with its whole history: what export writes and import reads back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.plan.rag import Rag
from bot.plan.specs import PlanSpec


@dataclass(frozen=True)
class UpdateRecord:
    """One progress update as it stands in the history."""

    action: str
    at: datetime
    text: str
    author: str | None
    source: str
    retracted_at: datetime | None = None


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
