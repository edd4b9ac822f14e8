"""The plain records the reminder core reads: actions as they stand, roles, leave, reminders sent.

The service fills them from the store; every date is a date in the plan's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.plan.rag import Rag
from bot.plan.refs import ActionRef
from bot.plan.timing import local_day
from bot.plan.views import ActionView


@dataclass(frozen=True, slots=True)
class ActionState:
    """One action as the reminder loop sees it today.

    leads: the action's lead roles, as written in the plan.
    last_update: the plan-local date of its newest progress update (None: never updated).
    snoozed_until: last day (inclusive) of a snooze; the service clears it when the action is
        updated, since an update answers whatever the snooze put off.
    closed: taken out of the plan's loop (withdrawn or merged); Completed is read from `rag`.
    """

    ref: ActionRef
    text: str
    leads: tuple[str, ...]
    timescale: date | None
    original_timescale: date | None = None
    rag: Rag = Rag.UNRATED
    closed: bool = False
    last_update: date | None = None
    snoozed_until: date | None = None

    @property
    def is_open(self) -> bool:
        return not self.closed and self.rag is not Rag.COMPLETED

    @classmethod
    def from_view(
        cls,
        view: ActionView,
        *,
        tz: str,
        snoozed_until: date | None = None,
        closed: bool = False,
    ) -> ActionState:
        """The state of a status read model, its last update's instant taken to the plan's day."""
        last = local_day(view.last_update.at, tz) if view.last_update else None
        return cls(
            ref=view.ref,
            text=view.text,
            leads=tuple(view.leads),
            timescale=view.timescale,
            original_timescale=view.original_timescale,
            rag=view.rag,
            closed=closed,
            last_update=last,
            snoozed_until=snoozed_until,
        )


@dataclass(frozen=True, slots=True)
class Role:
    """A lead role and who answers for it: members (each is reminded) and deputies (cover leave)."""

    name: str
    members: tuple[str, ...] = ()
    deputies: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Leave:
    """A person away until a date, inclusive (`planbot leads leave USER_ID --until DATE`)."""

    user: str
    until: date

    def covers(self, day: date) -> bool:
        return day <= self.until


@dataclass(frozen=True, slots=True)
class SentReminder:
    """A reminder DM that reached `user` on `on` (plan-local date) and listed `action`."""

    action: ActionRef
    user: str
    on: date
