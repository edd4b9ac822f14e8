"""The reminder loop against the store: each person's DM planned in the outbox, once a day.

The job (handlers/jobs.py) asks Slack for people's time zones, then calls `plan_reminders` at
every tick; whoever's local reminder time has come on a working day gets that day's DM planned
under the key (person, local date), which the outbox keeps unique across ticks, restarts and
processes. The admins' list of what reached nobody and the approvers' escalations are planned
once a plan day, at the reminder time in the plan's zone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session

from bot.plan.calendar import WorkingCalendar
from bot.plan.permissions import may_update_action
from bot.reminders.audience import Problem, Unreachable
from bot.reminders.day import DayPlan, PersonReminder, reminders_for_day
from bot.reminders.escalation import escalations_for_day
from bot.reminders.message import (
    Message,
    escalation_message,
    reminder_message,
    unreachable_message,
)
from bot.reminders.records import Leave
from bot.reminders.rules import ReminderRules
from bot.reminders.timing import due_people_at
from bot.settings import Settings
from store import outbox, people
from store import reminders as store
from store.engine import transaction

# Escalations count reminders back this far; older silences were escalated long ago.
LOOK_BACK = timedelta(days=120)


@lru_cache(maxsize=8)
def _calendar(working_days: tuple[str, ...], region: str) -> WorkingCalendar:
    # One per process: the holidays package builds a country's calendar once, on first use.
    return WorkingCalendar(working_days, region)


def calendar_of(settings: Settings) -> WorkingCalendar:
    return _calendar(tuple(settings.planbot_working_days), settings.planbot_holiday_region)


def rules_of(settings: Settings) -> ReminderRules:
    return ReminderRules(
        days_before=tuple(settings.planbot_reminder_days_before),
        overdue_every_days=settings.planbot_overdue_every_days,
        monthly_round_days=settings.planbot_monthly_round_days,
        quiet_days=settings.planbot_quiet_days,
    )


def approvers_of(settings: Settings) -> list[str]:
    return list(settings.planbot_approvers or settings.planbot_admins)


def reminder_key(user: str, day: date) -> str:
    return f"reminder:{user}:{day.isoformat()}"


@dataclass(frozen=True)
class Loaded:
    """What a day's reminders are computed from, read once per tick."""

    actions: list
    roles: list
    leave: list[Leave]
    unreachable_people: dict[str, str]


def _load(session: Session, settings: Settings, first_day: date) -> Loaded:
    leave = people.on_leave(session=session, day=first_day)
    known = people.facts(session=session)
    return Loaded(
        actions=store.action_states(session=session, tz=settings.planbot_timezone),
        roles=store.roles(session=session),
        leave=[Leave(user, record.until) for user, record in leave.items()],
        unreachable_people={u: f.unreachable for u, f in known.items() if f.unreachable},
    )


def day_plan(*, engine: Engine, settings: Settings, day: date) -> DayPlan:
    """Who would be reminded about what on `day` (a plan date): `planbot remind --dry-run`."""
    with Session(engine) as session:
        loaded = _load(session, settings, day)
    return _compute(loaded, settings, day)


def _compute(loaded: Loaded, settings: Settings, day: date) -> DayPlan:
    plan = reminders_for_day(
        loaded.actions, loaded.roles, loaded.leave, day, calendar_of(settings), rules_of(settings)
    )
    if not loaded.unreachable_people:
        return plan
    # People Slack said cannot be written to (deactivated, unknown) are not DMed again; their
    # actions go on the admins' list until someone maps the role to another person.
    kept, lost = [], list(plan.unreachable)
    for person in plan.people:
        error = loaded.unreachable_people.get(person.user)
        if error is None:
            kept.append(person)
            continue
        problem = Problem.from_slack_error(error) or Problem.USER_NOT_FOUND
        lost += [
            Unreachable(item.action, problem, item.roles[0], person.user) for item in person.items
        ]
    return DayPlan(
        plan.day, plan.is_working_day, tuple(kept), plan.roles, tuple(lost), plan.not_reminded
    )


def mapped_users(*, engine: Engine) -> list[str]:
    """Everyone who may be reminded: each role's leads and deputies."""
    with Session(engine) as session:
        roles = store.roles(session=session)
    return list(dict.fromkeys(u for role in roles for u in (*role.members, *role.deputies)))


@dataclass
class Planned:
    """What one tick planned in the outbox."""

    reminders: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)
    escalated: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"{len(self.reminders)} reminder DMs planned"]
        if self.alerts:
            parts.append(f"{len(self.alerts)} alerts to admins and approvers")
        if self.escalated:
            parts.append(f"escalated {', '.join(self.escalated)}")
        return ", ".join(parts)


def plan_reminders(
    *,
    engine: Engine,
    settings: Settings,
    now: datetime,
    people_tz: Mapping[str, str | None],
    everyone_due: date | None = None,
) -> Planned:
    """Plan the reminder DMs whose time has come at `now`, and the day's alerts; idempotent.

    people_tz: each mapped user's Slack time zone (None: the plan's). everyone_due: plan every
    DM of that plan date now, whatever the local times (`planbot remind`).
    """
    tz = settings.planbot_timezone
    at = settings.planbot_reminder_time
    if everyone_due is not None:
        due = dict.fromkeys(people_tz, everyone_due)
        plan_day_due = everyone_due
    else:
        due = due_people_at(now, people_tz, at, tz)
        local = now.astimezone(ZoneInfo(tz))
        plan_day_due = local.date() if local.time() >= at else None
    days = sorted(set(due.values()) | ({plan_day_due} if plan_day_due else set()))
    result = Planned()
    if not days:
        return result
    with Session(engine) as session:
        loaded = _load(session, settings, days[0])
        sent = store.sent_reminders(session=session, since=days[0] - LOOK_BACK)
        ids = store.action_ids(session=session)
    for day in days:
        plan = _compute(loaded, settings, day)
        if not plan.is_working_day:
            continue
        wanted = [p for p in plan.people if due.get(p.user) == day]
        result.reminders += _plan_people(engine, wanted, ids, settings, now)
        if day == plan_day_due:
            result.alerts += _plan_unreachable(engine, plan, settings, now)
            escalated, alerts = _plan_escalations(engine, loaded, sent, ids, day, settings, now)
            result.escalated += escalated
            result.alerts += alerts
    return result


def _payload(message: Message) -> dict:
    return {"text": message.text, "blocks": message.blocks, "metadata": message.metadata}


def _plan_people(
    engine: Engine,
    wanted: list[PersonReminder],
    ids: dict[str, int],
    settings: Settings,
    now: datetime,
) -> list[str]:
    keys = {reminder_key(p.user, p.day): p for p in wanted}
    with Session(engine) as session:
        present = outbox.keys_present(session=session, keys=list(keys))
    snooze_days = rules_of(settings).snooze_working_days
    planned = []
    for key, person in keys.items():
        if key in present:
            continue
        # The message is built only for people not yet planned: a tick that finds everyone
        # planned costs a read, not a thousand messages.
        message = reminder_message(person, snooze_days=snooze_days)
        with transaction(engine) as session:
            row_id = outbox.insert_if_absent(
                session=session,
                key=key,
                kind="reminder",
                recipient=person.user,
                payload=_payload(message),
                at=now,
            )
            if row_id is None:
                continue  # another process planned it a moment ago
            store.record_items(
                session=session,
                outbox_id=row_id,
                user=person.user,
                day=person.day,
                items=[(ids[str(i.action.ref)], str(i.reason), i.days) for i in person.items],
            )
        planned.append(key)
    return planned


def _plan_unreachable(
    engine: Engine, plan: DayPlan, settings: Settings, now: datetime
) -> list[str]:
    if not plan.unreachable or not settings.planbot_admins:
        return []
    message = unreachable_message(plan.day, plan.unreachable)
    return _plan_to(engine, "unreachable", settings.planbot_admins, plan.day, message, now)


def _plan_escalations(
    engine: Engine,
    loaded: Loaded,
    sent: list,
    ids: dict[str, int],
    day: date,
    settings: Settings,
    now: datetime,
) -> tuple[list[str], list[str]]:
    found = escalations_for_day(
        loaded.actions, sent, loaded.leave, day, calendar_of(settings), rules_of(settings)
    )
    new = []
    with transaction(engine) as session:
        store.resolve_answered_escalations(session=session)
        for escalation in found:
            action = escalation.action
            since = max(filter(None, (action.last_update, action.timescale)))
            if store.record_escalation(
                session=session,
                action_id=ids[str(action.ref)],
                since=since,
                day=day,
                reminders=len(escalation.dates),
                leads=list(escalation.users),
                at=now,
            ):
                new.append(escalation)
    if not new:
        return [], []
    alerts = _plan_to(
        engine, "escalation", approvers_of(settings), day, escalation_message(day, new), now
    )
    return [str(e.action.ref) for e in new], alerts


def _plan_to(
    engine: Engine, kind: str, users: list[str], day: date, message: Message, now: datetime
) -> list[str]:
    planned = []
    with transaction(engine) as session:
        for user in users:
            key = f"{kind}:{user}:{day.isoformat()}"
            if outbox.insert_if_absent(
                session=session,
                key=key,
                kind=kind,
                recipient=user,
                payload=_payload(message),
                at=now,
            ):
                planned.append(key)
    return planned


def snooze(
    *, engine: Engine, settings: Settings, ref: str, user: str, today: date, now: datetime
) -> date | None:
    """Snooze an action's reminders for a few working days; the last day snoozed, or None if
    there is no such action."""
    with transaction(engine) as session:
        action_id = store.action_ids(session=session).get(ref)
        if action_id is None:
            return None
        until = calendar_of(settings).add_working_days(
            today, rules_of(settings).snooze_working_days
        )
        store.add_snooze(session=session, action_id=action_id, until=until, at=now, by=user)
    return until


def may_snooze(*, engine: Engine, settings: Settings, ref: str, user: str) -> bool:
    """Only an action's leads, their deputies and the admins may snooze it."""
    with Session(engine) as session:
        leads, deputies = store.action_people(session=session, ref=ref)
    return may_update_action(user, leads=leads, deputies=deputies, admins=settings.planbot_admins)


def action_exists(*, engine: Engine, ref: str) -> bool:
    with Session(engine) as session:
        return ref in store.action_ids(session=session)
