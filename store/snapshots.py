"""Month-end snapshots: each month's tallies per priority, frozen once and never changed.

Freezing is idempotent: a row per (month, priority) is inserted only when absent (the table's
unique constraint decides, so two processes freezing the same month at once write it once).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from bot.digest.records import FrozenMonth
from bot.plan.tallies import Tally
from store.models import MonthSnapshot


def frozen_months(*, session: Session) -> set[str]:
    """The months that have a snapshot ("YYYY-MM")."""
    return set(session.exec(select(MonthSnapshot.month).distinct()))


def snapshots(*, session: Session, months: list[str] | None = None) -> list[FrozenMonth]:
    """The frozen tallies (of these months, or all), by month then priority."""
    # Plain rows, not ORM objects: a few years of a hundred priorities are thousands of rows.
    query = select(
        MonthSnapshot.month,
        MonthSnapshot.priority_number,
        MonthSnapshot.red,
        MonthSnapshot.amber,
        MonthSnapshot.green,
        MonthSnapshot.completed,
        MonthSnapshot.unrated,
        MonthSnapshot.new_actions,
        MonthSnapshot.total,
    ).order_by(MonthSnapshot.month, MonthSnapshot.priority_number)
    if months is not None:
        query = query.where(MonthSnapshot.month.in_(months))
    return [FrozenMonth(row[0], row[1], Tally(*row[2:])) for row in session.exec(query)]


def frozen_at(*, session: Session, month: str) -> datetime | None:
    """When a month was frozen, or None when it was not."""
    return session.exec(
        select(MonthSnapshot.frozen_at).where(MonthSnapshot.month == month).limit(1)
    ).first()


# One statement for every month, compiled once: given the rows as parameters, SQLAlchemy sends
# them in a few multi-row INSERTs ("insertmanyvalues"). Rows put into the statement itself with
# .values() made a statement of some 5,000 parameters for every month, compiled afresh each
# time: a quarter of a second a month at 500 priorities, under the write lock.
_FREEZE = {
    dialect: insert(MonthSnapshot.__table__)
    .on_conflict_do_nothing(index_elements=["month", "priority_number"])
    .returning(MonthSnapshot.__table__.c.id)
    for dialect, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}


def freeze(*, session: Session, month: str, tallies: dict[int, Tally], at: datetime) -> int:
    """Write a month's tallies, per priority, unless already frozen; how many rows were new."""
    if not tallies:
        return 0
    dialect = "postgresql" if session.get_bind().dialect.name == "postgresql" else "sqlite"
    rows = [
        {
            "month": month,
            "priority_number": priority,
            "red": t.red,
            "amber": t.amber,
            "green": t.green,
            "completed": t.completed,
            "unrated": t.unrated,
            "new_actions": t.new_actions,
            "total": t.total,
            "frozen_at": at,
        }
        for priority, t in sorted(tallies.items())
    ]
    return len(session.connection().execute(_FREEZE[dialect], rows).all())
