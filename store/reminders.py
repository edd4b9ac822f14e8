"""What the reminder loop reads and records: actions as they stand, roles, snoozes, reminders
sent and escalations. Plain records out (bot/reminders/records.py); the core decides."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func
from sqlmodel import Session, select

from bot.plan.rag import Rag
from bot.plan.refs import ActionRef
from bot.reminders.records import ActionState, Role, SentReminder
from store.models import (
    Action,
    ActionLead,
    Escalation,
    LeadRole,
    Outbox,
    Priority,
    ProgressUpdate,
    ReminderItem,
    RoleMember,
    Snooze,
)
from store.plan_statements import ACTION_LINE


def _newest_updates(session: Session) -> dict[int, datetime]:
    """Each action's newest standing (not retracted) update's instant."""
    return dict(
        session.exec(
            select(ProgressUpdate.action_id, func.max(ProgressUpdate.at))
            .where(ProgressUpdate.retracted_at.is_(None))
            .group_by(ProgressUpdate.action_id)
        ).all()
    )


def action_states(*, session: Session, tz: str) -> list[ActionState]:
    """Every action as the reminder loop sees it: dates in the plan's time zone `tz`."""
    zone = ZoneInfo(tz)
    numbers = dict(session.exec(select(Priority.id, Priority.number)).all())
    newest = _newest_updates(session)
    leads: dict[int, list[str]] = defaultdict(list)
    query = (
        select(ActionLead.action_id, LeadRole.name)
        .join(LeadRole, LeadRole.id == ActionLead.role_id)
        .order_by(ActionLead.action_id, ActionLead.position)
    )
    for action_id, name in session.exec(query):
        leads[action_id].append(name)
    snoozed: dict[int, tuple[date, datetime]] = {}
    for action_id, until, at in session.exec(select(Snooze.action_id, Snooze.until, Snooze.at)):
        if action_id not in snoozed or at > snoozed[action_id][1]:
            snoozed[action_id] = (until, at)
    columns = (
        Action.id,
        Action.priority_id,
        Action.number,
        Action.text,
        Action.timescale,
        Action.original_timescale,
        Action.rag,
        Action.closed_at,
    )
    states = []
    for row in session.exec(select(*columns).order_by(Action.priority_id, Action.number)):
        updated = newest.get(row.id)
        snooze = snoozed.get(row.id)
        # An update answers whatever a snooze put off: a snooze older than the update is over.
        until = (
            snooze[0] if snooze and (updated is None or _utc(snooze[1]) > _utc(updated)) else None
        )
        states.append(
            ActionState(
                ref=ActionRef(numbers[row.priority_id], row.number),
                text=row.text,
                leads=tuple(leads.get(row.id, ())),
                timescale=row.timescale,
                original_timescale=row.original_timescale,
                rag=Rag(row.rag),
                closed=row.closed_at is not None,
                last_update=_utc(updated).astimezone(zone).date() if updated else None,
                snoozed_until=until,
            )
        )
    return states


def _utc(value: datetime) -> datetime:
    # func.max() bypasses the column type, so SQLite hands back a naive UTC value (or a string).
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo("UTC"))


def roles(*, session: Session) -> list[Role]:
    """Every lead role with the Slack users who lead it and those who deputise."""
    members: dict[int, list[str]] = defaultdict(list)
    deputies: dict[int, list[str]] = defaultdict(list)
    for role_id, user, is_deputy in session.exec(
        select(RoleMember.role_id, RoleMember.slack_user_id, RoleMember.is_deputy).order_by(
            RoleMember.id
        )
    ):
        (deputies if is_deputy else members)[role_id].append(user)
    return [
        Role(name, tuple(members.get(role_id, ())), tuple(deputies.get(role_id, ())))
        for role_id, name in session.exec(select(LeadRole.id, LeadRole.name).order_by(LeadRole.id))
    ]


def action_ids(*, session: Session) -> dict[str, int]:
    """Action number ("7.3") -> its row id."""
    return dict(session.exec(select(Action.ref, Action.id)).all())


def record_items(
    *, session: Session, outbox_id: int, user: str, day: date, items: list[tuple[int, str, int]]
) -> None:
    """The actions one reminder DM lists: (action id, reason, days) each."""
    for action_id, reason, days in items:
        session.add(
            ReminderItem(
                outbox_id=outbox_id,
                action_id=action_id,
                slack_user_id=user,
                day=day,
                reason=reason,
                days=days,
            )
        )
    session.flush()


def sent_reminders(*, session: Session, since: date) -> list[SentReminder]:
    """Reminders that reached their person on or after `since`, action by action."""
    numbers = dict(session.exec(select(Priority.id, Priority.number)).all())
    query = (
        select(Action.priority_id, Action.number, ReminderItem.slack_user_id, ReminderItem.day)
        .join(Action, Action.id == ReminderItem.action_id)
        .join(Outbox, Outbox.id == ReminderItem.outbox_id)
        .where(Outbox.status == "sent", ReminderItem.day >= since)
    )
    return [
        SentReminder(ActionRef(numbers[priority_id], number), user, day)
        for priority_id, number, user, day in session.exec(query)
    ]


def reminder_actions(*, session: Session, channel: str, ts: str) -> list[str] | None:
    """The action numbers a reminder DM (posted as channel, ts) listed, or None if it is none."""
    outbox_id = session.exec(
        select(Outbox.id).where(
            Outbox.channel == channel, Outbox.ts == ts, Outbox.kind == "reminder"
        )
    ).first()
    if outbox_id is None:
        return None
    query = (
        select(Action.ref)
        .join(ReminderItem, ReminderItem.action_id == Action.id)
        .where(ReminderItem.outbox_id == outbox_id)
        .order_by(ReminderItem.id)
    )
    return list(session.exec(query))


def add_snooze(*, session: Session, action_id: int, until: date, at: datetime, by: str) -> None:
    session.add(Snooze(action_id=action_id, until=until, at=at, by=by))
    session.flush()


@dataclass(frozen=True)
class OpenEscalation:
    action: str
    since: date
    day: date
    reminders: int
    leads: list[str]


def record_escalation(
    *,
    session: Session,
    action_id: int,
    since: date,
    day: date,
    reminders: int,
    leads: list[str],
    at: datetime,
) -> bool:
    """Record an escalation once per action and episode; whether it is new."""
    exists = session.exec(
        select(Escalation.id).where(Escalation.action_id == action_id, Escalation.since == since)
    ).first()
    if exists is not None:
        return False
    session.add(
        Escalation(
            action_id=action_id, since=since, day=day, reminders=reminders, leads=leads, at=at
        )
    )
    session.flush()
    return True


def resolve_answered_escalations(*, session: Session) -> int:
    """Close escalations whose action was updated after them; how many."""
    newest = _newest_updates(session)
    closed = 0
    for escalation in session.exec(select(Escalation).where(Escalation.resolved_at.is_(None))):
        updated = newest.get(escalation.action_id)
        if updated is not None and _utc(updated) > escalation.at:
            escalation.resolved_at = _utc(updated)
            session.add(escalation)
            closed += 1
    session.flush()
    return closed


def open_escalations(*, session: Session) -> list[OpenEscalation]:
    query = (
        select(Action.ref, Escalation.since, Escalation.day, Escalation.reminders, Escalation.leads)
        .join(Action, Action.id == Escalation.action_id)
        .where(Escalation.resolved_at.is_(None))
        .order_by(Escalation.id)
    )
    return [OpenEscalation(*row) for row in session.exec(query)]


def action_people(*, session: Session, ref: str) -> tuple[list[str], list[str]]:
    """The Slack users who lead an action, and those who deputise for its roles."""
    query = (
        select(RoleMember.slack_user_id, RoleMember.is_deputy)
        .join(ActionLead, ActionLead.role_id == RoleMember.role_id)
        .join(Action, Action.id == ActionLead.action_id)
        .where(Action.ref == ref)
    )
    leads, deputies = [], []
    for user, is_deputy in session.exec(query):
        (deputies if is_deputy else leads).append(user)
    return leads, deputies


@dataclass(frozen=True, slots=True)
class ListedAction:
    """An open action as a list of actions shows it (`/plan overdue`, `due`, `mine`): its
    newest update and snoozes are not read, since no list shows them."""

    ref: ActionRef
    text: str
    leads: tuple[str, ...]
    timescale: date | None
    original_timescale: date | None
    rag: Rag


@dataclass(frozen=True)
class ActionList:
    actions: list[ListedAction]
    total: int  # how many there are: more than len(actions) when only the first were read


_LISTED = (
    select(*ACTION_LINE)
    .join(Priority, Priority.id == Action.priority_id)
    .order_by(Action.timescale, Priority.number, Action.number)
)
_LISTED_LEADS = (
    select(ActionLead.action_id, LeadRole.name)
    .join(LeadRole, LeadRole.id == ActionLead.role_id)
    .join(Action, Action.id == ActionLead.action_id)
    .order_by(ActionLead.action_id, ActionLead.position)
)


def open_actions(
    *,
    session: Session,
    due_from: date | None = None,
    due_to: date | None = None,
    user: str | None = None,
    first: int | None = None,
) -> ActionList:
    """The open actions (neither closed nor completed) by timescale, priority and number.

    With `due_from`/`due_to`, those whose timescale falls between them (inclusive); with `user`,
    those the person leads or deputises for; with `first` (and a window, which leaves out the
    actions without a timescale), only the first so many, and how many there are in all.
    Overdue and due on a plan of 50,000 actions read the first hundred in the index
    ix_action_due and count the rest in it, never the whole action table.
    """
    which = [Action.closed_at.is_(None), Action.rag != Rag.COMPLETED.value]
    if due_from is not None or due_to is not None:
        which.append(Action.timescale.is_not(None))
    if due_from is not None:
        which.append(Action.timescale >= due_from)
    if due_to is not None:
        which.append(Action.timescale <= due_to)
    if user is not None:
        led = (
            select(ActionLead.action_id)
            .join(RoleMember, RoleMember.role_id == ActionLead.role_id)
            .where(RoleMember.slack_user_id == user)
        )
        which.append(Action.id.in_(led))
    query = _LISTED.where(*which)
    if first is not None:
        query = query.limit(first)
    rows = session.exec(query).all()
    leads: dict[int, list[str]] = defaultdict(list)
    if rows:
        # The first few by their ids; a whole list (no `first`) by the same conditions.
        chosen = Action.id.in_([row[0] for row in rows]) if first is not None else and_(*which)
        for action_id, name in session.exec(_LISTED_LEADS.where(chosen)):
            leads[action_id].append(name)
    total = len(rows)
    if first is not None and total == first:
        total = session.exec(select(func.count()).select_from(Action).where(*which)).one()
    return ActionList(
        actions=[
            ListedAction(
                ref=ActionRef(priority, number),
                text=text,
                leads=tuple(leads.get(action_id, ())),
                timescale=timescale,
                original_timescale=original,
                rag=Rag(rag),
            )
            for action_id, priority, number, text, timescale, original, rag in rows
        ],
        total=total,
    )
