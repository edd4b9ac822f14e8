"""A plan as written: the bundled YAML or an imported spreadsheet, before it is stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from bot.plan.rag import Rag
from bot.plan.refs import ActionRef

SECTIONS = {
    "help_and_protection": "Children who need help and protection",
    "looked_after": "Children looked after and achieving permanence",
    "leadership": "Leadership, management and governance",
}


@dataclass
class MeasureSpec:
    """A KPI (with its current value) or a quality measure (with its current QA rating)."""

    name: str
    current: str | None = None


@dataclass
class ActionSpec:
    id: str
    text: str
    leads: list[str] = field(default_factory=list)
    timescale: date | None = None
    timescale_as_written: str | None = None
    original_timescale: date | None = None
    progress: str | None = None
    rag: Rag = Rag.UNRATED
    paragraph_refs: list[int] = field(default_factory=list)
    note: str | None = None
    is_new: bool = False

    @property
    def ref(self) -> ActionRef:
        ref = ActionRef.parse(self.id)
        if ref is None:
            raise ValueError(f"{self.id!r} is not an action number like 7.3")
        return ref


@dataclass
class PrioritySpec:
    number: int
    section: str
    recommendation: str
    ofsted_recommendation: int | None = None
    paragraph_refs: list[int] = field(default_factory=list)
    expected_outcomes: list[str] = field(default_factory=list)
    kpis: list[MeasureSpec] = field(default_factory=list)
    quality_measures: list[MeasureSpec] = field(default_factory=list)
    note: str | None = None
    actions: list[ActionSpec] = field(default_factory=list)


@dataclass
class PlanSpec:
    name: str
    priorities: list[PrioritySpec]
    organisation: str | None = None
    # When the plan's own progress texts were written; they are recorded as of this instant.
    progress_as_of: datetime | None = None
    sections: dict[str, str] = field(default_factory=lambda: dict(SECTIONS))

    @property
    def actions(self) -> list[ActionSpec]:
        return [action for priority in self.priorities for action in priority.actions]
