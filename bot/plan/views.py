"""Read models that status answers, reminders and the digest are built from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.plan.rag import Rag
from bot.plan.refs import ActionRef
from bot.plan.tallies import Tally


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
    closed: bool = False  # taken out of the loop (superseded), kept in the plan and its history


@dataclass(frozen=True)
class Closure:
    """When, by whom and why an action was closed."""

    at: datetime
    by: str | None
    reason: str | None


@dataclass(frozen=True)
class PriorityView:
    number: int
    ofsted_recommendation: int | None
    section: str
    title: str
    actions: tuple[ActionView, ...]
    # Its KPIs and quality measures with their latest values (only `/plan status N` reads them).
    measures: tuple[MeasureView, ...] = ()


@dataclass(frozen=True)
class MeasureView:
    """A KPI (its latest value) or a quality measure (its latest rating)."""

    kind: str  # "kpi" or "quality"
    name: str
    value: str | None
    at: datetime | None


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    kind: str  # "update", "rag", "timescale"
    text: str
    by: str | None
    via: str
    # An update from a Slack message: where it was said, to link to it.
    link: str | None = None


@dataclass(frozen=True)
class ActionDetail:
    priority: PriorityView  # the priority, with only this action in `actions`
    action: ActionView
    history: tuple[HistoryEntry, ...]
    # Why the approvers were alerted about it and when, while its lead has not answered.
    escalation: str | None = None
    closure: Closure | None = None
    # Who answers for it in Slack, and what waits for a decision.
    leads: tuple[str, ...] = ()
    deputies: tuple[str, ...] = ()
    pending: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlanOutline:
    """Every priority with its actions: what the digest and `planbot status --json` need."""

    name: str
    priorities: tuple[PriorityView, ...]

    @property
    def numbers(self) -> list[int]:
        return [priority.number for priority in self.priorities]


@dataclass(frozen=True)
class PriorityCounts:
    """One priority's row in the whole-plan table: its actions counted, not read."""

    number: int
    ofsted_recommendation: int | None
    title: str
    tally: Tally
    overdue: int  # open actions past their timescale, as of the summary's day


@dataclass(frozen=True)
class PlanSummary:
    """What a whole-plan status shows: each priority's counts as of a day.

    Counted by the store (one GROUP BY), so its size is the number of priorities, whatever the
    number of actions and updates (issue 10, budget 3).
    """

    name: str
    priorities: tuple[PriorityCounts, ...]

    @property
    def tally(self) -> Tally:
        return sum((p.tally for p in self.priorities), Tally())

    @property
    def overdue(self) -> int:
        return sum(p.overdue for p in self.priorities)
