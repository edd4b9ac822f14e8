"""The knobs of the reminder loop, as plain values (the integrator fills them from Settings)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ReminderRules:
    """When actions are chased, when they are left alone, and when a silence is escalated.

    days_before: rungs before the timescale (PLANBOT_REMINDER_DAYS_BEFORE), 0 is the day itself.
    overdue_every_days: a rung every so many days after the timescale (PLANBOT_OVERDUE_EVERY_DAYS).
    monthly_round_days: the round is on the month's n-th last working day; 0 turns it off
        (PLANBOT_MONTHLY_ROUND_DAYS).
    quiet_days: an action updated fewer than this many calendar days ago is not chased
        (PLANBOT_QUIET_DAYS; 5 means an update on Monday quiets it until Friday included).
    snooze_working_days: how long the Snooze button silences an action.
    escalate_after: unanswered reminders (sent on or after the timescale) that escalate.
    escalation_grace_working_days: how long a reminder may wait for an answer before it counts.
    """

    days_before: tuple[int, ...] = (14, 7, 0)
    overdue_every_days: int = 7
    monthly_round_days: int = 5
    quiet_days: int = 5
    snooze_working_days: int = 3
    escalate_after: int = 2
    escalation_grace_working_days: int = 1

    def __post_init__(self) -> None:
        # Settings may hand over a list; a tuple keeps the rules hashable and frozen.
        object.__setattr__(self, "days_before", tuple(sorted(set(self.days_before), reverse=True)))
        if any(d < 0 for d in self.days_before):
            raise ValueError("days_before cannot be negative")
        if self.overdue_every_days < 1:
            raise ValueError("overdue_every_days must be at least 1")
        if self.monthly_round_days < 0 or self.quiet_days < 0:
            raise ValueError("monthly_round_days and quiet_days cannot be negative")
        if self.snooze_working_days < 1 or self.escalate_after < 1:
            raise ValueError("snooze_working_days and escalate_after must be at least 1")
        if self.escalation_grace_working_days < 0:
            raise ValueError("escalation_grace_working_days cannot be negative")

    @property
    def first_rung(self) -> int:
        """How many days before its timescale an action first enters the ladder."""
        return self.days_before[0] if self.days_before else 0
