"""The outbox: every message the bot must send exactly once, planned and claimed in the database.

Planning is idempotent (a row per key, inserted only if absent) and sending is claimed row by
row with a lease, so two processes, a retry or a restart never send a message twice, and a
crash between planning and sending leaves a pending row that the next tick sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from store.engine import transaction
from store.models import Outbox

# How long a claimed row is a sender's alone; past it another sender may take it over (after
# looking in the conversation for what the first one may have posted).
LEASE = timedelta(minutes=2)


@dataclass(frozen=True)
class Claimed:
    """A row a sender now owns; `retried` when an earlier attempt may already have posted it."""

    id: int
    key: str
    kind: str
    recipient: str
    payload: dict
    attempts: int
    channel: str | None
    created_at: datetime

    @property
    def retried(self) -> bool:
        return self.attempts > 1


def insert_if_absent(
    *, session: Session, key: str, kind: str, recipient: str, payload: dict, at: datetime
) -> int | None:
    """Plan a message under `key`; its id, or None when a message with that key exists already."""
    values = {
        "key": key,
        "kind": kind,
        "recipient": recipient,
        "payload": payload,
        "status": "pending",
        "attempts": 0,
        "created_at": at,
    }
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(Outbox)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(Outbox.id)
    )
    return session.exec(statement).scalar_one_or_none()  # type: ignore[call-overload]


def keys_present(*, session: Session, keys: list[str]) -> set[str]:
    """Which of these keys are planned already (sent or not)."""
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        found.update(session.exec(select(Outbox.key).where(Outbox.key.in_(chunk))))
    return found


def due_ids(
    *, session: Session, now: datetime, kinds: tuple[str, ...] | None = None, limit: int = 1000
) -> list[int]:
    """Rows that may be claimed now: pending and not held back, or claimed by a sender that
    ran out of time."""
    query = (
        select(Outbox.id)
        .where(
            or_(
                (Outbox.status == "pending")
                & or_(Outbox.not_before.is_(None), Outbox.not_before <= now),
                (Outbox.status == "sending") & (Outbox.claimed_until < now),
            )
        )
        .order_by(Outbox.id)
        .limit(limit)
    )
    if kinds:
        query = query.where(Outbox.kind.in_(kinds))
    return list(session.exec(query))


def claim(*, engine: Engine, row_id: int, sender: str, now: datetime) -> Claimed | None:
    """Take one row for sending, or None when another sender has it (or it was sent)."""
    with transaction(engine) as session:
        taken = session.exec(  # type: ignore[call-overload]
            update(Outbox)
            .where(
                Outbox.id == row_id,
                or_(
                    (Outbox.status == "pending")
                    & or_(Outbox.not_before.is_(None), Outbox.not_before <= now),
                    (Outbox.status == "sending") & (Outbox.claimed_until < now),
                ),
            )
            .values(
                status="sending",
                claimed_by=sender,
                claimed_until=now + LEASE,
                attempts=Outbox.attempts + 1,
            )
        ).rowcount
        if taken != 1:
            return None
        row = session.get(Outbox, row_id)
        return Claimed(
            id=row.id,
            key=row.key,
            kind=row.kind,
            recipient=row.recipient,
            payload=row.payload,
            attempts=row.attempts,
            channel=row.channel,
            created_at=row.created_at,
        )


def _finish(engine: Engine, row_id: int, sender: str, **values) -> bool:
    # Only the sender holding the claim may finish the row: a sender that lost its lease (it was
    # too slow) must not overwrite what the one that took over recorded.
    with transaction(engine) as session:
        done = session.exec(  # type: ignore[call-overload]
            update(Outbox)
            .where(Outbox.id == row_id, Outbox.status == "sending", Outbox.claimed_by == sender)
            .values(**values)
        ).rowcount
    return done == 1


def mark_sent(
    *, engine: Engine, row_id: int, sender: str, channel: str, ts: str, at: datetime
) -> bool:
    return _finish(
        engine,
        row_id,
        sender,
        status="sent",
        channel=channel,
        ts=ts,
        sent_at=at,
        claimed_until=None,
        error=None,
    )


def release(
    *,
    engine: Engine,
    row_id: int,
    sender: str,
    error: str,
    not_before: datetime,
    channel: str | None = None,
    refund: bool = False,
) -> bool:
    """Give a row back to be tried again after `not_before` (Slack was busy or failed).

    `refund`: Slack refused before posting (a 429), so the attempt is not counted: the next one
    need not look for a message, and rate limiting alone never makes the sender give up."""
    values = {"status": "pending", "error": error, "not_before": not_before, "claimed_until": None}
    if refund:
        values["attempts"] = Outbox.attempts - 1
    if channel:
        values["channel"] = channel
    return _finish(engine, row_id, sender, **values)


def mark_failed(*, engine: Engine, row_id: int, sender: str, error: str) -> bool:
    """A row that cannot be sent (the person cannot be reached); kept for the admins' list."""
    return _finish(engine, row_id, sender, status="failed", error=error, claimed_until=None)


@dataclass(frozen=True)
class OutboxRow:
    key: str
    kind: str
    recipient: str
    status: str
    attempts: int
    channel: str | None
    ts: str | None
    error: str | None
    payload: dict


def rows(
    *, session: Session, kinds: tuple[str, ...] | None = None, prefix: str | None = None
) -> list[OutboxRow]:
    """Planned messages, oldest first (for the CLI, the shell and the tests)."""
    query = select(Outbox).order_by(Outbox.id)
    if kinds:
        query = query.where(Outbox.kind.in_(kinds))
    if prefix:
        query = query.where(Outbox.key.startswith(prefix))
    return [_row(r) for r in session.exec(query)]


def row_by_key(*, session: Session, key: str) -> OutboxRow | None:
    """The planned message under `key`, if any."""
    row = session.exec(select(Outbox).where(Outbox.key == key)).first()
    return _row(row) if row is not None else None


def _row(row: Outbox) -> OutboxRow:
    return OutboxRow(
        row.key,
        row.kind,
        row.recipient,
        row.status,
        row.attempts,
        row.channel,
        row.ts,
        row.error,
        row.payload,
    )


def question_in(*, session: Session, channel: str, thread_ts: str | None) -> dict | None:
    """What the bot asked in this thread, if it asked which action a reply is about."""
    if not thread_ts:
        return None
    row = session.exec(
        select(Outbox.payload).where(Outbox.key == f"question:{channel}:{thread_ts}")
    ).first()
    if row is None:
        return None
    return (row.get("metadata") or {}).get("event_payload") or {}


def posted(*, session: Session, prefix: str) -> list[tuple[str, str]]:
    """(channel, ts) of the sent messages whose key starts with `prefix`."""
    query = select(Outbox.channel, Outbox.ts).where(
        Outbox.key.startswith(prefix), Outbox.status == "sent"
    )
    return [(channel, ts) for channel, ts in session.exec(query) if channel and ts]


def forget(*, session: Session, key: str) -> None:
    """Drop a planned message that was sent (a question now replaced), so its key is free."""
    row = session.exec(select(Outbox).where(Outbox.key == key, Outbox.status == "sent")).first()
    if row is not None:
        row.key = f"{key}:replaced:{row.id}"
        session.add(row)
        session.flush()


def plan(
    *,
    session: Session,
    key: str,
    kind: str,
    recipient: str,
    text: str,
    blocks: list | None,
    at: datetime,
    thread_ts: str | None = None,
    metadata: dict | None = None,
) -> str | None:
    """Plan one message (the sender's payload: text, blocks, thread, metadata) under `key`; the
    key when it is new, None when the same message was planned before."""
    payload = {"text": text, "blocks": blocks, "thread_ts": thread_ts}
    if metadata:
        payload["metadata"] = metadata
    row = insert_if_absent(
        session=session, key=key, kind=kind, recipient=recipient, payload=payload, at=at
    )
    return key if row is not None else None
