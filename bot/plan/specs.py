"""A plan as written: the bundled YAML or an imported spreadsheet, before it is stored."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.plan.rag import Rag
from bot.plan.refs import ActionRef

# The most characters an XLSX cell holds (Excel's limit; openpyxl silently cuts a longer text to
# it). Every text of the plan must fit a cell so that an export never loses any of it: imports
# refuse longer texts, and so should anything else that stores one (replies).
CELL_TEXT_LIMIT = 32_767

# How alike two texts of one action number must be, word for word, to be the same action.
SAME_ACTION_SIMILARITY = 0.6

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
    # When the action was added to the plan (for a New Action, when `add` added it: the digest
    # counts it in that month) and by whom (a Slack user id or "cli"; None: the plan's own).
    # None for `created_at`: not recorded (a plan file, a CSV, an owner's tracker): a load uses
    # its own time, and a replace keeps the database's record of the same action (see
    # `has_record`).
    created_at: datetime | None = None
    created_by: str | None = None
    # A closed (superseded or withdrawn) action: when, by whom and why; None: open.
    closed_at: datetime | None = None
    closed_by: str | None = None
    closed_reason: str | None = None

    @property
    def has_record(self) -> bool:
        """Whether the action carries its record (when it was added, whether it is closed):
        planbot's own workbook writes one for every action. Without one, a replace keeps the
        database's record of the same action, and a load takes the action as open."""
        return self.created_at is not None or self.closed_at is not None

    @property
    def cell_text(self) -> str:
        """The Actions cell of the plan's own layout: its number, then its text ("1.1 Commission
        ..."); this, not the text alone, must fit CELL_TEXT_LIMIT."""
        return f"{self.id} {self.text}"

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


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def same_action_text(old: str, new: str) -> bool:
    """Whether an action (or a priority's recommendation) rewritten from `old` to `new` is still
    the same one, so that its history may follow it.

    The rule: compared word by word, ignoring case, punctuation and spacing, at least
    SAME_ACTION_SIMILARITY of the words match in order (difflib's ratio: twice the matching words
    over both texts' words). A typo fixed, a full stop added or a clause appended keeps the
    action ("Agree and implement new ICRT model" -> "... model by March, with partners" is 0.75);
    a different action under the same number does not ("Commission an independent review of
    ICRT" -> "Do the first thing" is 0). Used with the same number: a renumbered action is a
    new one, and its history stays in the backup of the plan it replaced.
    """
    before, after = _words(old), _words(new)
    if before == after:
        return True
    ratio = difflib.SequenceMatcher(None, before, after, autojunk=False).ratio()
    return ratio >= SAME_ACTION_SIMILARITY


def texts_too_long(spec: PlanSpec) -> list[str]:
    """Where a plan's text is longer than a cell holds (CELL_TEXT_LIMIT), one line each: what an
    export could not write whole. For a plan file; the spreadsheet reader checks cell by cell."""
    found = []

    def check(where: str, text: str | None, room: int = CELL_TEXT_LIMIT) -> None:
        if text is not None and len(text) > room:
            found.append(f"{where} is {len(text):,} characters long; at most {room:,} fit a cell")

    check("the plan's name", spec.name)
    check("the plan's organisation", spec.organisation)
    for priority in spec.priorities:
        check(f"priority {priority.number}'s recommendation", priority.recommendation)
        check(f"priority {priority.number}'s note", priority.note)
        check(
            f"priority {priority.number}'s expected outcomes", "\n".join(priority.expected_outcomes)
        )
        for measure in [*priority.kpis, *priority.quality_measures]:
            check(f"priority {priority.number}'s measure {measure.name[:40]!r}", measure.name)
            check(
                f"priority {priority.number}'s measure {measure.name[:40]!r}'s value",
                measure.current,
            )
        for action in priority.actions:
            room = CELL_TEXT_LIMIT - len(action.cell_text) + len(action.text)
            check(f"action {action.id}'s text (with its number in front)", action.text, room)
            check(f"action {action.id}'s progress", action.progress)
            check(f"action {action.id}'s note", action.note)
            check(f"action {action.id}'s reason for closing", action.closed_reason)
            check(f"action {action.id}'s timescale as written", action.timescale_as_written)
            check(f"action {action.id}'s leads", "; ".join(action.leads))
    return found
