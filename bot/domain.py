"""The plan's domain, as plain objects: RAG ratings, action numbers, a plan as written, and the
read models that status views are built from. No Slack and no database types here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class Rag(StrEnum):
    """The plan's own RAG key, plus "not yet rated"."""

    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    COMPLETED = "completed"
    UNRATED = "unrated"

    @property
    def label(self) -> str:
        return "Not yet rated" if self is Rag.UNRATED else self.value.capitalize()

    @property
    def meaning(self) -> str:
        return RAG_MEANING[self]


RAG_MEANING = {
    Rag.RED: "The action has not yet started or there is significant delay in implementation.",
    Rag.AMBER: "The action has started but there is some delay in implementation.",
    Rag.GREEN: "The action is on track to be completed by the agreed date.",
    Rag.COMPLETED: "The action has been completed and evidenced.",
    Rag.UNRATED: "Nobody has rated this action yet.",
}

# Spellings a plan owner's spreadsheet may use for each rating (compared lower-case, trimmed).
_RAG_SPELLINGS = {
    Rag.RED: ("red", "r"),
    Rag.AMBER: ("amber", "a", "orange", "yellow"),
    Rag.GREEN: ("green", "g"),
    Rag.COMPLETED: ("completed", "complete", "c", "done", "blue", "b"),
    Rag.UNRATED: ("", "unrated", "not yet rated", "not rated", "n/a", "-"),
}
_RAG_LOOKUP = {spelling: rag for rag, spellings in _RAG_SPELLINGS.items() for spelling in spellings}


def parse_rag(text: str | None) -> Rag | None:
    """The Rag a cell means, or None when it is not a RAG rating at all."""
    return _RAG_LOOKUP.get((text or "").strip().lower())


def valid_rag_words() -> str:
    return "Red, Amber, Green, Completed, or empty for not yet rated"


SECTIONS = {
    "help_and_protection": "Children who need help and protection",
    "looked_after": "Children looked after and achieving permanence",
    "leadership": "Leadership, management and governance",
}

# Slack's user ids: U or W, then capitals and digits (eight or more in practice). Stricter than
# "starts with U" so that an imported author such as "WFD" is not taken for a person to mention.
SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{6,}$")

_ACTION_REF = re.compile(r"^\s*(\d{1,4})\.(\d{1,4})\s*$")


@dataclass(frozen=True, order=True)
class ActionRef:
    """An action's number, "7.3": priority 7, action 3. Orders numerically (7.10 after 7.9)."""

    priority: int
    number: int

    @classmethod
    def parse(cls, text: str) -> ActionRef | None:
        match = _ACTION_REF.match(text or "")
        if not match:
            return None
        return cls(int(match.group(1)), int(match.group(2)))

    def __str__(self) -> str:
        return f"{self.priority}.{self.number}"


# --- A plan as written (the bundled YAML, an imported spreadsheet) -----------------------------


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


# --- Read models for status views -----------------------------------------------------------


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


@dataclass(frozen=True)
class PlanOutline:
    """What a whole-plan status needs: every priority with its actions."""

    name: str
    priorities: tuple[PriorityView, ...]

    @property
    def numbers(self) -> list[int]:
        return [priority.number for priority in self.priorities]


# --- A plan with its whole history (what export writes and import reads back) ----------------


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
