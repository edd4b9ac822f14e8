"""The committee digest as plain data, and how it is worked out from plain records.

"This week" is the seven whole days before the digest's day (Monday to Sunday for a Monday
digest), so that weekly digests neither miss nor repeat a change. Everything else is as of the
digest's day: overdue and due soon count from it, participation covers its month so far.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.digest.months import month_key, month_label
from bot.digest.records import (
    ActionOrigin,
    EscalationRecord,
    ProposalRecord,
    RagEvent,
    ReminderSent,
    TimescaleEvent,
    UnreachableLead,
    UpdateBy,
)
from bot.plan.rag import Rag
from bot.plan.refs import ActionRef
from bot.plan.tallies import Tally, tally
from bot.plan.timing import local_day
from bot.plan.views import ActionView, PlanOutline

WEEK_DAYS = 7
DUE_SOON_DAYS = 14


@dataclass(frozen=True)
class MonthColumn:
    """One column of the by-month table: a frozen month, or the current month (live)."""

    month: str
    tallies: dict[int, Tally]
    live: bool = False

    @property
    def label(self) -> str:
        return month_label(self.month)

    @property
    def total(self) -> Tally:
        return sum(self.tallies.values(), Tally())


@dataclass(frozen=True)
class Change:
    """Something that happened this week: kind is rag, completed, new, timescale or returned."""

    kind: str
    ref: ActionRef
    at: datetime
    before: str | None = None  # a RAG value or an ISO date
    after: str | None = None
    by: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Flagged:
    """An action that needs attention; `days` over (overdue) or to go (due soon)."""

    ref: ActionRef
    text: str
    rag: Rag
    leads: tuple[str, ...]
    timescale: date | None
    original_timescale: date | None
    days: int | None = None


@dataclass(frozen=True)
class Pending:
    ref: ActionRef
    status: str  # awaiting_approval or evidence_pending
    rag: Rag | None
    revised_timescale: date | None
    since: date
    by: str | None


@dataclass(frozen=True)
class Participation:
    """Who was reminded this month, who answered, and how fast (in days, median)."""

    month: str
    reminded: tuple[str, ...] = ()
    answered: tuple[str, ...] = ()
    median_days: float | None = None

    @property
    def not_answered(self) -> tuple[str, ...]:
        answered = set(self.answered)
        return tuple(user for user in self.reminded if user not in answered)


@dataclass(frozen=True)
class Digest:
    plan_name: str
    today: date
    tz: str
    week_start: date  # the first of "this week"'s seven days
    outline: PlanOutline
    by_priority: dict[int, Tally]
    pending_by_priority: dict[int, int]
    months: tuple[MonthColumn, ...]
    first_month: str
    changes: tuple[Change, ...] = ()
    overdue: tuple[Flagged, ...] = ()
    due_soon: tuple[Flagged, ...] = ()
    pending: tuple[Pending, ...] = ()
    escalated: tuple[EscalationRecord, ...] = ()
    unreachable: tuple[UnreachableLead, ...] = ()
    no_timescale: tuple[Flagged, ...] = ()
    participation: Participation = field(default_factory=lambda: Participation(""))

    @property
    def totals(self) -> Tally:
        return sum(self.by_priority.values(), Tally())

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=WEEK_DAYS - 1)

    @property
    def iso_week(self) -> tuple[int, int]:
        year, week, _ = self.today.isocalendar()
        return year, week

    def changes_of(self, kind: str) -> list[Change]:
        return [change for change in self.changes if change.kind == kind]

    @property
    def awaiting_approval(self) -> list[Pending]:
        return [p for p in self.pending if p.status == "awaiting_approval"]

    @property
    def evidence_pending(self) -> list[Pending]:
        return [p for p in self.pending if p.status == "evidence_pending"]


def week_window(today: date, tz: str) -> tuple[datetime, datetime]:
    """The instants "this week" runs between: the seven whole plan-time days before today."""
    zone = ZoneInfo(tz)
    start = datetime.combine(today - timedelta(days=WEEK_DAYS), time.min, tzinfo=zone)
    end = datetime.combine(today, time.min, tzinfo=zone)
    return start, end


def assemble(
    *,
    plan_name: str,
    today: date,
    tz: str,
    outline: PlanOutline,
    new_actions: list[ActionOrigin],
    months: list[MonthColumn],
    first_month: str,
    week_rag: list[RagEvent],
    week_timescales: list[TimescaleEvent],
    week_returned: list[ProposalRecord],
    pending: list[ProposalRecord],
    escalated: list[EscalationRecord],
    unreachable: list[UnreachableLead],
    reminders: list[ReminderSent],
    answers: list[UpdateBy],
) -> Digest:
    """The digest from what the store recorded (every list is what the service read for it)."""
    start, end = week_window(today, tz)
    actions = [a for p in outline.priorities for a in p.actions]
    pending_counts: dict[int, int] = defaultdict(int)
    for proposal in pending:
        pending_counts[proposal.ref.priority] += 1
    return Digest(
        plan_name=plan_name,
        today=today,
        tz=tz,
        week_start=start.date(),
        outline=outline,
        by_priority={p.number: tally(p.actions) for p in outline.priorities},
        pending_by_priority=dict(pending_counts),
        months=tuple(months),
        first_month=first_month,
        changes=tuple(_changes(new_actions, week_rag, week_timescales, week_returned, start, end)),
        overdue=tuple(_overdue(actions, today)),
        due_soon=tuple(_due_soon(actions, today)),
        pending=tuple(
            Pending(
                p.ref,
                p.status,
                p.proposed_rag,
                p.revised_timescale,
                local_day(p.proposed_at, tz),
                p.proposed_by,
            )
            for p in pending
        ),
        escalated=tuple(escalated),
        unreachable=tuple(unreachable),
        no_timescale=tuple(
            _flag(a) for a in actions if a.timescale is None and a.rag is not Rag.COMPLETED
        ),
        participation=participation(reminders, answers, today, tz),
    )


def _flag(action: ActionView, days: int | None = None) -> Flagged:
    return Flagged(
        action.ref,
        action.text,
        action.rag,
        action.leads,
        action.timescale,
        action.original_timescale,
        days,
    )


def _overdue(actions: list[ActionView], today: date) -> list[Flagged]:
    """Open actions past their timescale, the longest overdue first."""
    found = [
        _flag(a, (today - a.timescale).days)
        for a in actions
        if a.timescale is not None and a.rag is not Rag.COMPLETED and a.timescale < today
    ]
    return sorted(found, key=lambda f: (-f.days, f.ref))


def _due_soon(actions: list[ActionView], today: date) -> list[Flagged]:
    """Open actions due today or in the next DUE_SOON_DAYS days, soonest first."""
    last = today + timedelta(days=DUE_SOON_DAYS)
    found = [
        _flag(a, (a.timescale - today).days)
        for a in actions
        if a.timescale is not None and a.rag is not Rag.COMPLETED and today <= a.timescale <= last
    ]
    return sorted(found, key=lambda f: (f.days, f.ref))


def _changes(
    origins: list[ActionOrigin],
    rag: list[RagEvent],
    timescales: list[TimescaleEvent],
    returned: list[ProposalRecord],
    start: datetime,
    end: datetime,
) -> list[Change]:
    changes = [
        Change(
            "completed" if e.to_rag is Rag.COMPLETED else "rag",
            e.ref,
            e.at,
            e.from_rag.value,
            e.to_rag.value,
            e.by,
        )
        for e in rag
    ]
    changes += [
        Change("new", o.ref, o.created_at)
        for o in origins
        if o.is_new and start <= o.created_at < end
    ]
    changes += [
        Change(
            "timescale",
            e.ref,
            e.at,
            (e.original or e.from_date).isoformat() if (e.original or e.from_date) else None,
            e.to_date.isoformat() if e.to_date else None,
        )
        for e in timescales
    ]
    changes += [
        Change(
            "returned",
            p.ref,
            p.decided_at or p.proposed_at,
            None,
            p.proposed_rag.value if p.proposed_rag else None,
            p.proposed_by,
            p.reason,
        )
        for p in returned
    ]
    order = {"rag": 0, "completed": 1, "new": 2, "timescale": 3, "returned": 4}
    return sorted(changes, key=lambda c: (order[c.kind], c.ref, c.at))


def participation(
    reminders: list[ReminderSent], answers: list[UpdateBy], today: date, tz: str
) -> Participation:
    """This month's reminded people, who answered, and the median days from reminder to answer.

    A person answered when they wrote an update on one of the actions they were reminded of,
    after that reminder reached them; their days to answer are from the reminder's day to the
    first such update (the quickest, over their actions).
    """
    zone = ZoneInfo(tz)
    month = month_key(today)
    first: dict[tuple[str, ActionRef], ReminderSent] = {}
    people: list[str] = []
    for reminder in sorted(reminders, key=lambda r: r.day):
        if month_key(reminder.day) != month or reminder.day > today:
            continue
        first.setdefault((reminder.user, reminder.ref), reminder)
        if reminder.user not in people:
            people.append(reminder.user)
    fastest: dict[str, int] = {}
    for update in answers:
        reminder = first.get((update.user, update.ref))
        if reminder is None:
            continue
        reached = reminder.sent_at or datetime.combine(reminder.day, time.min, tzinfo=zone)
        if update.at < reached:
            continue
        days = (update.at.astimezone(zone).date() - reminder.day).days
        fastest[update.user] = min(days, fastest.get(update.user, days))
    answered = tuple(user for user in people if user in fastest)
    median = statistics.median(fastest[u] for u in answered) if answered else None
    return Participation(month, tuple(people), answered, median)
