"""The inbox: what Slack sent that changes state, stored before it is processed.

Slack retries a request it thinks failed and Socket Mode redelivers after a reconnect; the key
(Slack's event id, or the message's channel and ts, or the interaction's trigger) makes each
delivery after the first a no-op. A crash between storing and processing leaves the row pending,
and the bot re-drives pending rows when it starts and on its ticks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from store.engine import transaction
from store.models import Inbox

MAX_ATTEMPTS = 5
# How long one process may take over an item before another may take it over.
LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class Received:
    id: int
    key: str
    kind: str
    payload: dict
    attempts: int


def receive(*, engine: Engine, key: str, kind: str, payload: dict, at: datetime) -> int | None:
    """Store an incoming item; its id, or None when the same item was stored before."""
    values = {
        "key": key,
        "kind": kind,
        "payload": payload,
        "status": "pending",
        "attempts": 0,
        "received_at": at,
    }
    with transaction(engine) as session:
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        statement = (
            insert(Inbox)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(Inbox.id)
        )
        return session.exec(statement).scalar_one_or_none()  # type: ignore[call-overload]


def take(*, engine: Engine, item_id: int, now: datetime) -> Received | None:
    """Claim the item for processing (counting the attempt), or None when it is done, given up,
    or being processed by another process whose claim has not run out."""
    with transaction(engine) as session:
        taken = session.exec(  # type: ignore[call-overload]
            update(Inbox)
            .where(Inbox.id == item_id, _claimable(now))
            .values(status="processing", claimed_until=now + LEASE, attempts=Inbox.attempts + 1)
        ).rowcount
        if taken != 1:
            return None
        row = session.get(Inbox, item_id)
        return Received(row.id, row.key, row.kind, row.payload, row.attempts)


def _claimable(now: datetime):
    return or_(
        Inbox.status == "pending",
        (Inbox.status == "processing") & (Inbox.claimed_until < now),
    )


def done(*, engine: Engine, item_id: int, at: datetime) -> None:
    with transaction(engine) as session:
        session.exec(  # type: ignore[call-overload]
            update(Inbox)
            .where(Inbox.id == item_id)
            .values(status="done", done_at=at, error=None, claimed_until=None)
        )


def failed(*, engine: Engine, item_id: int, error: str, final: bool) -> None:
    """Record a failure; the item stays pending for the next re-drive unless `final`."""
    with transaction(engine) as session:
        session.exec(  # type: ignore[call-overload]
            update(Inbox)
            .where(Inbox.id == item_id)
            .values(status="failed" if final else "pending", error=error[:500], claimed_until=None)
        )


def pending(*, session: Session, now: datetime, older_than: datetime | None = None) -> list[int]:
    """Items stored but not processed: a crash's leftovers (a claim that ran out included)."""
    query = select(Inbox.id).where(_claimable(now)).order_by(Inbox.id)
    if older_than is not None:
        query = query.where(Inbox.received_at < older_than)
    return list(session.exec(query))
