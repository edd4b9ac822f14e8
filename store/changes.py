"""The admins' changes to the plan: New Actions, retimed and closed actions, KPI values and QA
ratings. Each writes who, when and how beside what changed; bot/changes/service.py decides
whether a change may be made and calls these in one transaction.

Rows are read `FOR UPDATE` (PostgreSQL; SQLite's writers are serialised by BEGIN IMMEDIATE),
so that two admins adding to one priority, or closing one action, at the same moment take turns
and the second sees what the first did.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, update
from sqlmodel import Session, select

from bot.changes.records import ActionFacts
from store.leads import find_role
from store.models import (
    Action,
    ActionLead,
    Escalation,
    Measure,
    MeasureValue,
    Priority,
    TimescaleChange,
)


def priority_id(*, session: Session, number: int, lock: bool = False) -> int | None:
    """The row id of priority `number`; `lock` holds it until the transaction ends."""
    query = select(Priority.id).where(Priority.number == number)
    return session.exec(query.with_for_update() if lock else query).first()


def role_names(*, session: Session, names: list[str]) -> dict[int, str]:
    """Each named role's id and its spelling in the plan, in order; UnknownRole (with the
    closest names) for the first that is not a role of the plan."""
    found = {}
    for name in names:
        role = find_role(session=session, name=name)
        found[role.id] = role.name
    return found


def add_action(
    *,
    session: Session,
    priority_id: int,
    priority_number: int,
    text: str,
    role_ids: list[int],
    due: date,
    at: datetime,
    by: str | None,
) -> str:
    """A New Action with the priority's next number; its ref ("3.9")."""
    newest = session.exec(
        select(func.max(Action.number)).where(Action.priority_id == priority_id)
    ).one()
    number = (newest or 0) + 1
    action = Action(
        ref=f"{priority_number}.{number}",
        priority_id=priority_id,
        number=number,
        text=text,
        timescale=due,
        original_timescale=due,  # the date first agreed
        is_new=True,
        created_at=at,
        created_by=by,
    )
    session.add(action)
    session.flush()
    for position, role_id in enumerate(role_ids):
        session.add(ActionLead(action_id=action.id, role_id=role_id, position=position))
    session.flush()
    return action.ref


def action_facts(*, session: Session, ref: str) -> ActionFacts | None:
    """Action `ref` as it stands, held until the transaction ends; None if there is none."""
    row = session.exec(
        select(
            Action.id,
            Action.ref,
            Action.timescale,
            Action.original_timescale,
            Action.closed_at,
            Action.closed_by,
        )
        .where(Action.ref == ref)
        .with_for_update()
    ).first()
    return ActionFacts(*row) if row else None


def retime(
    *,
    session: Session,
    action: ActionFacts,
    to: date,
    reason: str | None,
    at: datetime,
    by: str | None,
    via: str,
) -> date | None:
    """Move an action's timescale to `to`, recorded as a revision; the original timescale (the
    first agreed, which the action keeps) is returned."""
    # Only an action whose first date was never kept takes it now; a revised one keeps its own.
    original = action.original_timescale or action.timescale
    session.add(
        TimescaleChange(
            action_id=action.id,
            from_date=action.timescale,
            to_date=to,
            at=at,
            by=by,
            via=via,
            reason=reason,
        )
    )
    session.exec(  # type: ignore[call-overload]
        update(Action)
        .where(Action.id == action.id)
        .values(timescale=to, original_timescale=original)
    )
    return original


def close(
    *, session: Session, action: ActionFacts, reason: str, at: datetime, by: str | None
) -> None:
    """Take an action out of the loop; it stays in the plan with its history."""
    session.exec(  # type: ignore[call-overload]
        update(Action)
        .where(Action.id == action.id)
        .values(closed_at=at, closed_by=by, closed_reason=reason)
    )
    # A closed action is no longer anyone's to answer for: an open escalation about it ends.
    session.exec(  # type: ignore[call-overload]
        update(Escalation)
        .where(Escalation.action_id == action.id, Escalation.resolved_at.is_(None))
        .values(resolved_at=at)
    )


def measures(*, session: Session, priority_id: int, kind: str) -> list[tuple[int, str]]:
    """A priority's KPIs ("kpi") or quality measures ("quality"): (id, name), in the plan's order."""
    query = (
        select(Measure.id, Measure.name)
        .where(Measure.priority_id == priority_id, Measure.kind == kind)
        .order_by(Measure.position)
    )
    return [(measure_id, name) for measure_id, name in session.exec(query)]


def latest_value(*, session: Session, measure_id: int) -> str | None:
    """The value or rating recorded last for a measure, if any."""
    return session.exec(
        select(MeasureValue.value)
        .where(MeasureValue.measure_id == measure_id)
        .order_by(MeasureValue.recorded_at.desc(), MeasureValue.id.desc())
        .limit(1)
    ).first()


def record_value(
    *, session: Session, measure_id: int, value: str, at: datetime, by: str | None, via: str
) -> None:
    """A KPI value or QA rating as of `at`; earlier ones stay as its history."""
    session.add(
        MeasureValue(measure_id=measure_id, value=value, recorded_at=at, recorded_by=by, source=via)
    )
    session.flush()
