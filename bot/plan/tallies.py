"""The progress tracker's tallies: Red / Amber / Green / Completed / New Actions / Total."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from bot.plan.rag import Rag


class Rated(Protocol):
    rag: Rag
    is_new: bool


@dataclass(frozen=True)
class Tally:
    red: int = 0
    amber: int = 0
    green: int = 0
    completed: int = 0
    unrated: int = 0
    new_actions: int = 0
    total: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(*(a + b for a, b in zip(self.as_row(), other.as_row(), strict=True)))

    def as_row(self) -> tuple[int, ...]:
        return (
            self.red,
            self.amber,
            self.green,
            self.completed,
            self.unrated,
            self.new_actions,
            self.total,
        )

    def count(self, rag: Rag) -> int:
        return getattr(self, rag.value)

    def summary(self) -> str:
        """ "3 red, 5 amber, 10 green, 2 completed, 73 not yet rated (93 actions)"."""
        parts = [f"{self.count(rag)} {rag.label.lower()}" for rag in Rag if self.count(rag)]
        return f"{', '.join(parts) or 'no actions'} ({self.total} action{'s' if self.total != 1 else ''})"


# The tracker's rows, in the plan's own order and words.
TRACKER_ROWS = ("Red", "Amber", "Green", "Completed", "Not yet rated", "New Actions", "Total")


def tally(actions: Iterable[Rated]) -> Tally:
    """Count actions by agreed RAG; New Actions counts actions added after the plan, whatever their RAG."""
    counts = dict.fromkeys(
        ("red", "amber", "green", "completed", "unrated", "new_actions", "total"), 0
    )
    for action in actions:
        counts[Rag(action.rag).value] += 1
        counts["new_actions"] += bool(action.is_new)
        counts["total"] += 1
    return Tally(**counts)
