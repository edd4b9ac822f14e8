"""What the bot knows of people: Slack's answers about them (cached), and who is on leave."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from store.models import Leave, SlackPerson


@dataclass(frozen=True)
class PersonFacts:
    slack_user_id: str
    tz: str | None
    dm_channel: str | None
    unreachable: str | None
    checked_at: datetime


def facts(*, session: Session, user_ids: list[str] | None = None) -> dict[str, PersonFacts]:
    """Cached facts about these people (or everyone known)."""
    query = select(SlackPerson)
    if user_ids is not None:
        query = query.where(SlackPerson.slack_user_id.in_(user_ids))
    return {
        p.slack_user_id: PersonFacts(
            p.slack_user_id, p.tz, p.dm_channel, p.unreachable, p.checked_at
        )
        for p in session.exec(query)
    }


def remember(*, session: Session, user_id: str, at: datetime, **values: str | None) -> None:
    """Record what Slack said about a person (tz, dm_channel, unreachable); unset keys stay."""
    # Two processes may learn of the same person at once: insert if absent, then update, so
    # neither fails on the other's row.
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.exec(  # type: ignore[call-overload]
        insert(SlackPerson)
        .values(slack_user_id=user_id, checked_at=at)
        .on_conflict_do_nothing(index_elements=["slack_user_id"])
    )
    session.exec(  # type: ignore[call-overload]
        update(SlackPerson)
        .where(SlackPerson.slack_user_id == user_id)
        .values(checked_at=at, **values)
    )


@dataclass(frozen=True)
class LeaveRecord:
    slack_user_id: str
    until: date
    recorded_by: str | None


def record_leave(
    *, session: Session, user_id: str, until: date, at: datetime, by: str | None
) -> None:
    """Record that a person is away until a date (inclusive); a newer record replaces an older."""
    cancel_leave(session=session, user_id=user_id, at=at)
    session.add(Leave(slack_user_id=user_id, until=until, recorded_at=at, recorded_by=by))
    session.flush()


def cancel_leave(*, session: Session, user_id: str, at: datetime) -> bool:
    """Cancel a person's leave; whether they had any recorded."""
    open_leave = list(
        session.exec(
            select(Leave).where(Leave.slack_user_id == user_id, Leave.cancelled_at.is_(None))
        )
    )
    for leave in open_leave:
        leave.cancelled_at = at
        session.add(leave)
    session.flush()
    return bool(open_leave)


def on_leave(*, session: Session, day: date) -> dict[str, LeaveRecord]:
    """Everyone away on `day`, with the date they are back after."""
    query = select(Leave).where(Leave.cancelled_at.is_(None), Leave.until >= day)
    return {
        leave.slack_user_id: LeaveRecord(leave.slack_user_id, leave.until, leave.recorded_by)
        for leave in session.exec(query.order_by(Leave.id))
    }
