"""The ladder: whether today is a reminder day for an action, and why.

Rungs are calendar dates: each of `days_before` before the timescale, then every
`overdue_every_days` after it. A rung on a non-working day is taken on the previous working day
when it is on or before the timescale, and on the next working day when it is after it. So every
rung maps to exactly one working day, and "is today a reminder day" asked once per working day
chases each rung exactly once; a day the bot never ran is not caught up later (the outbox catches
up a late start within the day).

On top of the ladder: the monthly update round (the month's n-th last working day, for actions
not updated that month), and one reminder on the first working day after a snooze ends ("remind
me later") unless a rung follows within the quiet days. Reminders are held back while an action
is snoozed or was updated within `quiet_days`; Completed and closed actions, and those with no
timescale, are never on the ladder.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from bot.plan.calendar import WorkingCalendar
from bot.plan.timing import uk_date
from bot.reminders.records import ActionState
from bot.reminders.rules import ReminderRules

_ONE_DAY = timedelta(days=1)


class Reason(StrEnum):
    """Why an action is chased today; the order of the members is the order a DM lists them."""

    OVERDUE = "overdue"
    DUE = "due"
    UPCOMING = "upcoming"
    MONTHLY = "monthly"

    @property
    def label(self) -> str:
        return _REASON_LABELS[self]


_REASON_LABELS = {
    Reason.OVERDUE: "Overdue",
    Reason.DUE: "Due",
    Reason.UPCOMING: "Coming up",
    Reason.MONTHLY: "Monthly update round",
}
REASON_ORDER = tuple(Reason)


@dataclass(frozen=True, slots=True)
class Due:
    """An action is chased today: why, and its timescale minus today (negative when overdue).

    DUE is the timescale's own rung, taken early when the timescale is not a working day, so
    `days` can be positive ("due Sunday", reminded on Friday).
    """

    reason: Reason
    days: int


def _by_days(days: int) -> Reason:
    if days < 0:
        return Reason.OVERDUE
    return Reason.DUE if days == 0 else Reason.UPCOMING


class LadderDay:
    """One day's answers for every action: the calendar work is done once, not per action."""

    def __init__(self, today: date, calendar: WorkingCalendar, rules: ReminderRules) -> None:
        self.today = today
        self.calendar = calendar
        self.rules = rules
        self.is_working_day = calendar.is_working_day(today)
        self._others: dict[date, LadderDay] = {}
        self.month_start = today.replace(day=1)
        self.round_day: date | None = None
        if not self.is_working_day:
            return
        following = calendar.next_working_day(today + _ONE_DAY)
        self.previous = calendar.previous_working_day(today - _ONE_DAY)
        # Rungs on today..following-1 that are on or before the timescale are taken today...
        self._ahead = (following - today).days
        # ...and overdue rungs on previous+1..today are taken today.
        self._behind = (today - self.previous).days
        if rules.monthly_round_days:
            self.round_day = calendar.working_days_before_month_end(today, rules.monthly_round_days)

    def rung(self, action: ActionState) -> Due | None:
        """The ladder or round rung that falls today, ignoring snoozes and recent updates."""
        if not self.is_working_day or not action.is_open or action.timescale is None:
            return None
        days = (action.timescale - self.today).days
        if days >= 0:
            # A rung d days before the timescale is on today + (days - d).
            hits = [d for d in self.rules.days_before if days - self._ahead < d <= days]
            if hits:
                return Due(Reason.DUE if 0 in hits else Reason.UPCOMING, days)
        else:
            every, late = self.rules.overdue_every_days, -days
            latest_rung = late - late % every  # the last multiple of `every` on or before today
            if latest_rung >= every and latest_rung > late - self._behind:
                return Due(Reason.OVERDUE, days)
        if self.today == self.round_day and not self._updated_this_month(action):
            return Due(Reason.MONTHLY, days)
        return None

    def due(self, action: ActionState) -> Due | None:
        """Whether today is a reminder day for the action (a rung, or a snooze's end), and why.

        It does not say whether the reminder is held back: ask `held_back` for that.
        """
        found = self.rung(action)
        if found is None and action.snoozed_until is not None and self.is_working_day:
            found = self._after_snooze(action)
        return found

    def held_back(self, action: ActionState) -> str | None:
        """Why an action due today is not chased ("snoozed until 7 Jan 2019"), or None."""
        if action.snoozed_until is not None and action.snoozed_until >= self.today:
            return f"snoozed until {uk_date(action.snoozed_until)}"
        last = action.last_update
        if last is not None and (self.today - last).days < self.rules.quiet_days:
            return f"updated on {uk_date(last)}"
        return None

    def remind(self, action: ActionState) -> Due | None:
        """The reminder the action gets today, or None (not due, or held back)."""
        found = self.due(action)
        return found if found is not None and self.held_back(action) is None else None

    def _updated_this_month(self, action: ActionState) -> bool:
        return action.last_update is not None and action.last_update >= self.month_start

    def _after_snooze(self, action: ActionState) -> Due | None:
        # "Remind me later": the first working day after a snooze's last day chases the action
        # again while it is still on the ladder (or the month's round)...
        ended, timescale = action.snoozed_until, action.timescale
        if ended is None or timescale is None or not action.is_open:
            return None
        if not self.previous <= ended < self.today:
            return None
        days = (timescale - self.today).days
        if days <= self.rules.first_rung:
            found = Due(_by_days(days), days)
        elif self.round_day is not None and self.round_day <= self.today:
            if self._updated_this_month(action):
                return None
            found = Due(Reason.MONTHLY, days)
        else:
            return None
        # ...unless a rung comes within the quiet days anyway: one reminder, not two in a row.
        for ahead in range(1, self.rules.quiet_days):
            if self._on(self.today + timedelta(days=ahead)).rung(action) is not None:
                return None
        return found

    def _on(self, day: date) -> LadderDay:
        other = self._others.get(day)
        if other is None:
            other = self._others[day] = LadderDay(day, self.calendar, self.rules)
        return other


def snooze_until(pressed_on: date, calendar: WorkingCalendar, rules: ReminderRules) -> date:
    """The last day of a snooze pressed on `pressed_on` ("Snooze 3 working days"): the action
    is quiet through it and chased again on the next working day unless a rung is near."""
    return calendar.add_working_days(pressed_on, rules.snooze_working_days)


def reminder_due(
    action: ActionState, today: date, calendar: WorkingCalendar, rules: ReminderRules
) -> Due | None:
    """Whether one action is chased today, and why (None when not, or held back).

    For many actions build one LadderDay and call its `remind`, which does the calendar work once.
    """
    return LadderDay(today, calendar, rules).remind(action)
