"""Escalation: an overdue action whose lead has let two reminders go unanswered.

A reminder counts as unanswered when it was sent on or after the action's timescale (a reminder
about a due or overdue action, not the 14- and 7-day heads-ups), after the action's last update,
to someone not on leave today, and at least `escalation_grace_working_days` working days ago
(the lead had a working day to answer it). Reminders on the same day to several people of a role
count once. Snoozed, Completed and closed actions are never escalated; an update ends an
escalation, so the service flags what this returns and clears flags it no longer returns.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from bot.plan.calendar import WorkingCalendar
from bot.plan.refs import ActionRef
from bot.reminders.records import ActionState, Leave, SentReminder
from bot.reminders.rules import ReminderRules


@dataclass(frozen=True, slots=True)
class Escalation:
    """An action to put before the approvers, with the unanswered reminders, oldest first."""

    action: ActionState
    reminders: tuple[SentReminder, ...]
    days_overdue: int

    @property
    def users(self) -> tuple[str, ...]:
        """Who was reminded and did not answer, in the order they were first reminded."""
        return tuple(dict.fromkeys(reminder.user for reminder in self.reminders))

    @property
    def dates(self) -> tuple[date, ...]:
        return tuple(sorted({reminder.on for reminder in self.reminders}))


def escalation_for(
    action: ActionState,
    sent: Iterable[SentReminder],
    away: set[str] | frozenset[str],
    today: date,
    calendar: WorkingCalendar,
    rules: ReminderRules,
) -> Escalation | None:
    """Whether one action is escalated today; `sent` are its reminders, `away` who is on leave."""
    timescale = action.timescale
    if not action.is_open or timescale is None or timescale >= today:
        return None
    if action.snoozed_until is not None and action.snoozed_until >= today:
        return None
    grace = rules.escalation_grace_working_days
    unanswered = tuple(
        sorted(
            (
                reminder
                for reminder in sent
                if reminder.on >= timescale
                and (action.last_update is None or reminder.on > action.last_update)
                and reminder.user not in away
                and calendar.add_working_days(reminder.on, grace) <= today
            ),
            key=lambda reminder: (reminder.on, reminder.user),
        )
    )
    if len({reminder.on for reminder in unanswered}) < rules.escalate_after:
        return None
    return Escalation(action, unanswered, (today - timescale).days)


def escalations_for_day(
    actions: Iterable[ActionState],
    sent: Iterable[SentReminder],
    leave: Iterable[Leave],
    today: date,
    calendar: WorkingCalendar,
    rules: ReminderRules,
) -> list[Escalation]:
    """The actions escalated as of `today`, by number; none on a non-working day (no DMs then)."""
    if not calendar.is_working_day(today):
        return []
    away = frozenset(record.user for record in leave if record.covers(today))
    by_action: dict[ActionRef, list[SentReminder]] = {}
    for reminder in sent:
        by_action.setdefault(reminder.action, []).append(reminder)
    found = (
        escalation_for(action, by_action.get(action.ref, ()), away, today, calendar, rules)
        for action in actions
    )
    return sorted((e for e in found if e is not None), key=lambda e: e.action.ref)
