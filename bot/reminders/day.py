"""A day's reminders: who gets a DM listing which actions, and what reaches nobody."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.plan.calendar import WorkingCalendar
from bot.reminders.audience import Audience, Problem, Unreachable
from bot.reminders.ladder import REASON_ORDER, Due, LadderDay, Reason
from bot.reminders.records import ActionState, Leave, Role
from bot.reminders.rules import ReminderRules

_RANK = {reason: rank for rank, reason in enumerate(REASON_ORDER)}


@dataclass(frozen=True, slots=True)
class ReminderItem:
    """One action in one person's DM: why today, the roles they answer for, leave they cover."""

    action: ActionState
    due: Due
    roles: tuple[str, ...]
    covering: tuple[Leave, ...] = ()

    @property
    def reason(self) -> Reason:
        return self.due.reason

    @property
    def days(self) -> int:
        return self.due.days

    def sort_key(self) -> tuple[int, int, Any]:
        # Overdue first, the longest overdue (or soonest due) first within a group.
        return (_RANK[self.due.reason], self.due.days, self.action.ref)


@dataclass(frozen=True, slots=True)
class PersonReminder:
    """One person's DM for the day: their actions in the order the DM lists them."""

    user: str
    day: date
    items: tuple[ReminderItem, ...]

    def groups(self) -> list[tuple[Reason, tuple[ReminderItem, ...]]]:
        """The items grouped overdue / due / coming up / monthly round, empty groups left out."""
        return [
            (reason, group)
            for reason in REASON_ORDER
            if (group := tuple(item for item in self.items if item.due.reason is reason))
        ]

    @property
    def refs(self) -> list[str]:
        """The action numbers listed ("1.4"), as the message metadata carries them."""
        return [str(item.action.ref) for item in self.items]


@dataclass(frozen=True, slots=True)
class RoleReminder:
    """One lead role's actions chased today and who gets them (`planbot remind --json`)."""

    role: str
    users: tuple[str, ...]
    actions: tuple[tuple[ActionState, Due], ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "lead": self.role,
            "users": list(self.users),
            "actions": [
                {"id": str(action.ref), "reason": str(due.reason), "days": due.days}
                for action, due in self.actions
            ],
        }


@dataclass(frozen=True, slots=True)
class NotReminded:
    """An action due a reminder today but held back: why ("snoozed until 7 Jan 2019")."""

    action: ActionState
    due: Due
    why: str


@dataclass(frozen=True, slots=True)
class DayPlan:
    """Everything the day's reminder run sends, or would send with --dry-run.

    people: one DM each, sorted by user id; roles: the same by lead role (unmapped roles with no
    users); unreachable: for the admins' daily DM; not_reminded: due but held back.
    On a non-working day every list is empty.
    """

    day: date
    is_working_day: bool
    people: tuple[PersonReminder, ...] = ()
    roles: tuple[RoleReminder, ...] = ()
    unreachable: tuple[Unreachable, ...] = ()
    not_reminded: tuple[NotReminded, ...] = ()

    def for_user(self, user: str) -> PersonReminder | None:
        return next((person for person in self.people if person.user == user), None)

    def as_json(self) -> list[dict[str, Any]]:
        """`planbot remind --json`: [{"lead", "users", "actions": [{"id", "reason", "days"}]}]."""
        return [role.as_json() for role in self.roles]


def reminders_for_day(
    actions: Iterable[ActionState],
    roles: Iterable[Role],
    leave: Iterable[Leave],
    today: date,
    calendar: WorkingCalendar,
    rules: ReminderRules,
) -> DayPlan:
    """Who is reminded about what on `today` (a plan-local date), and what reaches nobody."""
    ladder = LadderDay(today, calendar, rules)
    if not ladder.is_working_day:
        return DayPlan(today, is_working_day=False)
    audience = Audience(roles, leave, today)
    items: dict[str, list[ReminderItem]] = {}
    by_role: dict[str, tuple[tuple[str, ...], list[tuple[ActionState, Due]]]] = {}
    unreachable: list[Unreachable] = []
    not_reminded: list[NotReminded] = []
    for action in actions:
        if not action.is_open:
            continue
        if action.timescale is None:
            unreachable.append(Unreachable(action, Problem.NO_TIMESCALE))
            continue
        due = ladder.due(action)
        if due is None:
            continue
        why = ladder.held_back(action)
        if why is not None:
            not_reminded.append(NotReminded(action, due, why))
            continue
        if not action.leads:
            unreachable.append(Unreachable(action, Problem.NO_LEAD))
            continue
        # Each person once per action, however many of its roles they answer for.
        roles_of: dict[str, list[str]] = {}
        covering_of: dict[str, list[Leave]] = {}
        for written in action.leads:
            cover = audience.cover(written)
            if cover.role in by_role:
                by_role[cover.role][1].append((action, due))
            else:
                by_role[cover.role] = (cover.people, [(action, due)])
            if cover.problem is not None:
                unreachable.append(Unreachable(action, cover.problem, cover.role, away=cover.away))
                continue
            for person in cover.people:
                held = roles_of.setdefault(person, [])
                if cover.role not in held:
                    held.append(cover.role)
                covering_of.setdefault(person, []).extend(cover.covering.get(person, ()))
        for person, person_roles in roles_of.items():
            covering = tuple(dict.fromkeys(covering_of[person]))
            item = ReminderItem(action, due, tuple(person_roles), covering)
            items.setdefault(person, []).append(item)
    people = tuple(
        PersonReminder(user, today, tuple(sorted(found, key=ReminderItem.sort_key)))
        for user, found in sorted(items.items())
    )
    role_reminders = tuple(
        RoleReminder(role, users, tuple(sorted(found, key=lambda pair: pair[0].ref)))
        for role, (users, found) in sorted(by_role.items())
    )
    # Reminders that failed today first, actions that are never reminded last.
    unreachable.sort(key=lambda entry: (entry.problem == Problem.NO_TIMESCALE, entry.action.ref))
    return DayPlan(today, True, people, role_reminders, tuple(unreachable), tuple(not_reminded))
