"""The plain records the digest is built from; the service fills them from the store.

Instants are aware UTC datetimes as the store keeps them; the digest's own modules turn them into
dates of the plan's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.plan.rag import Rag
from bot.plan.refs import ActionRef
from bot.plan.tallies import Tally


@dataclass(frozen=True, slots=True)
class ActionOrigin:
    """When an action entered the plan and how it is rated now: what month history starts from."""

    ref: ActionRef
    rag: Rag
    is_new: bool
    created_at: datetime

    @property
    def priority(self) -> int:
        return self.ref.priority


@dataclass(frozen=True, slots=True)
class ActionHistory:
    """One action's RAG history, what its month-end RAGs are worked out from: its priority, its
    RAG now, whether it is new, when it was created, and its RAG changes oldest first, each
    (from, to, at)."""

    priority: int
    rag: Rag
    is_new: bool
    created_at: datetime
    changes: tuple[tuple[Rag, Rag, datetime], ...] = ()


@dataclass(frozen=True, slots=True)
class RagEvent:
    """A change of an action's agreed RAG."""

    ref: ActionRef
    from_rag: Rag
    to_rag: Rag
    at: datetime
    by: str | None = None


@dataclass(frozen=True, slots=True)
class TimescaleEvent:
    """A revised timescale; `original` is the action's first agreed date, kept beside it."""

    ref: ActionRef
    from_date: date | None
    to_date: date | None
    at: datetime
    original: date | None = None


@dataclass(frozen=True, slots=True)
class ProposalRecord:
    """A RAG proposal (and/or revised timescale) the committee may want to know about."""

    ref: ActionRef
    status: str  # awaiting_approval, evidence_pending, returned, …
    proposed_rag: Rag | None
    revised_timescale: date | None
    proposed_by: str | None
    proposed_at: datetime
    decided_at: datetime | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class EscalationRecord:
    ref: ActionRef
    day: date
    reminders: int
    leads: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class UnreachableLead:
    """A mapped lead whom Slack refuses to reach (deactivated, say), with the roles they lead."""

    user: str
    error: str
    roles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReminderSent:
    """One action in a reminder DM that reached its person."""

    user: str
    ref: ActionRef
    day: date  # the person's local date of the reminder
    sent_at: datetime | None


@dataclass(frozen=True, slots=True)
class UpdateBy:
    """A progress update a person wrote about an action."""

    user: str
    ref: ActionRef
    at: datetime


@dataclass(frozen=True, slots=True)
class FrozenMonth:
    """One month's frozen tallies for one priority."""

    month: str  # "YYYY-MM"
    priority: int
    tally: Tally
