"""The inbox: what Slack sent that changes state, stored before it is processed.

Slack retries a request it thinks failed and Socket Mode redelivers after a reconnect; the key
(Slack's event id, or the message's channel and ts, or the interaction's trigger) makes each
delivery after the first a no-op. A crash between storing and processing leaves the row pending,
and the bot re-drives pending rows when it starts and on its ticks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from store.engine import transaction
from store.models import Inbox

MAX_ATTEMPTS = 5


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


def take(*, engine: Engine, item_id: int) -> Received | None:
    """The item to process (counting the attempt), or None when it is done or given up."""
    with transaction(engine) as session:
        taken = session.exec(  # type: ignore[call-overload]
            update(Inbox)
            .where(Inbox.id == item_id, Inbox.status == "pending")
            .values(attempts=Inbox.attempts + 1)
        ).rowcount
        if taken != 1:
            return None
        row = session.get(Inbox, item_id)
        return Received(row.id, row.key, row.kind, row.payload, row.attempts)


def done(*, engine: Engine, item_id: int, at: datetime) -> None:
    with transaction(engine) as session:
        session.exec(  # type: ignore[call-overload]
            update(Inbox).where(Inbox.id == item_id).values(status="done", done_at=at, error=None)
        )


def failed(*, engine: Engine, item_id: int, error: str, final: bool) -> None:
    """Record a failure; the item stays pending for the next re-drive unless `final`."""
    with transaction(engine) as session:
        session.exec(  # type: ignore[call-overload]
            update(Inbox)
            .where(Inbox.id == item_id)
            .values(status="failed" if final else "pending", error=error[:500])
        )


def pending(*, session: Session, older_than: datetime | None = None) -> list[int]:
    """Items stored but not processed: a crash's leftovers (or ones still being processed)."""
    query = select(Inbox.id).where(Inbox.status == "pending").order_by(Inbox.id)
    if older_than is not None:
        query = query.where(Inbox.received_at < older_than)
    return list(session.exec(query))


def status_of(*, session: Session, key: str) -> str | None:
    return session.exec(select(Inbox.status).where(Inbox.key == key)).first()
