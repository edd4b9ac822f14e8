"""What an admin's change did, as plain records, and the one line that confirms it.

The same words answer `/plan` and the CLI; they are plain text (escape them for mrkdwn).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.changes.args import MEASURE_WORDS, VALUE_WORDS, MeasureKind
from bot.plan.timing import uk_date


class ChangeRefused(Exception):
    """A change that cannot be made; nothing was changed. The message says what is valid."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ActionFacts:
    """What a change needs to know of an action as it stands."""

    id: int
    ref: str
    timescale: date | None
    original_timescale: date | None
    closed_at: datetime | None
    closed_by: str | None


@dataclass(frozen=True)
class Added:
    ref: str
    text: str
    leads: tuple[str, ...]
    due: date


@dataclass(frozen=True)
class Retimed:
    ref: str
    from_date: date | None
    to_date: date
    original: date | None
    reason: str | None


@dataclass(frozen=True)
class Closed:
    ref: str
    at: datetime
    by: str | None
    reason: str


@dataclass(frozen=True)
class Recorded:
    priority: int
    kind: MeasureKind
    number: int  # in the priority's list of measures of this kind, from 1
    name: str
    value: str
    previous: str | None


def confirmation(change: Added | Retimed | Closed | Recorded) -> str:
    """One line saying what was changed."""
    if isinstance(change, Added):
        return (
            f"Added New Action {change.ref}, led by {'; '.join(change.leads)}, "
            f"due {uk_date(change.due)}: {change.text}"
        )
    if isinstance(change, Retimed):
        moved = f"from {uk_date(change.from_date)} " if change.from_date else ""
        original = (
            f" (originally {uk_date(change.original)})"
            if change.original and change.original != change.from_date
            else ""
        )
        why = f": {change.reason}" if change.reason else ""
        return f"Action {change.ref} re-timed {moved}to {uk_date(change.to_date)}{original}{why}"
    if isinstance(change, Closed):
        return (
            f"Action {change.ref} is closed: {change.reason}. It is reminded no more and stays "
            "in the plan's history."
        )
    previous = f" (was {change.previous})" if change.previous else ""
    return (
        f"Priority {change.priority}'s {MEASURE_WORDS[change.kind]} {change.number} "
        f"({change.name}): {VALUE_WORDS[change.kind]} {change.value}{previous}"
    )
