"""Read models that status answers, reminders and the digest are built from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.plan.rag import Rag
from bot.plan.refs import ActionRef


@dataclass(frozen=True)
class UpdateView:
    at: datetime
    text: str
    author: str | None
    source: str


@dataclass(frozen=True)
class ActionView:
    ref: ActionRef
    text: str
    leads: tuple[str, ...]
    timescale: date | None
    original_timescale: date | None
    rag: Rag
    last_update: UpdateView | None
    is_new: bool = False
    note: str | None = None


@dataclass(frozen=True)
class PriorityView:
    number: int
    ofsted_recommendation: int | None
    section: str
    title: str
    actions: tuple[ActionView, ...]


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    kind: str  # "update", "rag", "timescale"
    text: str
    by: str | None
    via: str


@dataclass(frozen=True)
class ActionDetail:
    priority: PriorityView  # the priority, with only this action in `actions`
    action: ActionView
    history: tuple[HistoryEntry, ...]
    # Why the approvers were alerted about it and when, while its lead has not answered.
    escalation: str | None = None


@dataclass(frozen=True)
class PlanOutline:
    """What a whole-plan status needs: every priority with its actions."""

    name: str
    priorities: tuple[PriorityView, ...]

    @property
    def numbers(self) -> list[int]:
        return [priority.number for priority in self.priorities]
