"""What the committee digest reads: the plan's history since a date, proposals, escalations,
unreachable leads and who answered their reminders; and the digest's own rows in the outbox.

Plain records out (bot/digest/records.py); the digest's core decides what they mean.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from bot.digest.records import (
    ActionHistory,
    ActionOrigin,
    EscalationRecord,
    ProposalRecord,
    RagEvent,
    ReminderSent,
    TimescaleEvent,
    UnreachableLead,
    UpdateBy,
)
from bot.plan.rag import RAG_BY_VALUE, Rag
from bot.plan.refs import ActionRef
from store import outbox
from store.models import (
    Action,
    Escalation,
    LeadRole,
    Outbox,
    Plan,
    Priority,
    ProgressUpdate,
    RagChange,
    RagProposal,
    ReminderItem,
    RoleMember,
    SlackPerson,
    TimescaleChange,
)
from store.outbox import OutboxRow


@dataclass(frozen=True)
class PlanFacts:
    name: str
    loaded_at: datetime
    progress_as_of: datetime | None


def plan_facts(*, session: Session) -> PlanFacts | None:
    plan = session.exec(select(Plan)).first()
    if plan is None:
        return None
    return PlanFacts(plan.name, plan.loaded_at, plan.progress_as_of)


def _numbered(query, action_id):
    """The query joined to its action's priority, so that rows carry the action's number (a join
    costs less than mapping every action's id to its number in Python on 10,000 actions)."""
    return query.join(Action, Action.id == action_id).join(
        Priority, Priority.id == Action.priority_id
    )


def action_origins(*, session: Session, new_only: bool = False) -> list[ActionOrigin]:
    """Every action's number, RAG now, whether it is new, and when it was created (or only the
    New Actions': the digest reads all of them only to work a month out from history)."""
    numbers = dict(session.exec(select(Priority.id, Priority.number)).all())
    query = select(Action.priority_id, Action.number, Action.rag, Action.is_new, Action.created_at)
    if new_only:
        query = query.where(Action.is_new.is_(True))
    return [
        ActionOrigin(ActionRef(numbers[priority_id], number), RAG_BY_VALUE[rag], is_new, created_at)
        for priority_id, number, rag, is_new, created_at in session.exec(query)
    ]


# Rows a history read holds at once (on PostgreSQL, what each fetch of its cursor brings).
HISTORY_BATCH = 2000


def action_histories(*, session: Session) -> Iterator[ActionHistory]:
    """Every action's RAG history (its changes oldest first), an action at a time.

    Streamed: the rows come in batches in action order and each history is handed on as soon as
    its last change is read, so working out month ends on 50,000 actions never holds the whole
    history (as `action_origins` and `rag_events` together would). Only the columns the month
    ends need are read. Consume it before the session runs another statement; on PostgreSQL it
    reads through a server-side cursor, which needs the session's transaction (not autocommit).
    """
    query = (
        select(
            Priority.number,
            Action.id,
            Action.rag,
            Action.is_new,
            Action.created_at,
            RagChange.from_rag,
            RagChange.to_rag,
            RagChange.at,
        )
        .join(Priority, Priority.id == Action.priority_id)
        .outerjoin(RagChange, RagChange.action_id == Action.id)
        .order_by(Action.id, RagChange.at, RagChange.id)
        .execution_options(yield_per=HISTORY_BATCH)
    )
    action = None
    head: tuple = ()
    changes: list[tuple[Rag, Rag, datetime]] = []
    for number, action_id, rag, is_new, created_at, from_rag, to_rag, at in session.exec(query):
        if action_id != action:
            if action is not None:
                yield ActionHistory(*head, tuple(changes))
            action, head, changes = action_id, (number, RAG_BY_VALUE[rag], is_new, created_at), []
        if at is not None:
            changes.append((RAG_BY_VALUE[from_rag], RAG_BY_VALUE[to_rag], at))
    if action is not None:
        yield ActionHistory(*head, tuple(changes))


def rag_events(
    *, session: Session, since: datetime | None = None, until: datetime | None = None
) -> list[RagEvent]:
    """RAG changes (all, or within [since, until)), oldest first."""
    query = _numbered(
        select(
            Priority.number,
            Action.number,
            RagChange.from_rag,
            RagChange.to_rag,
            RagChange.at,
            RagChange.by,
        ),
        RagChange.action_id,
    ).order_by(RagChange.at, RagChange.id)
    if since is not None:
        query = query.where(RagChange.at >= since)
    if until is not None:
        query = query.where(RagChange.at < until)
    return [
        RagEvent(ActionRef(priority, number), RAG_BY_VALUE[from_rag], RAG_BY_VALUE[to_rag], at, by)
        for priority, number, from_rag, to_rag, at, by in session.exec(query)
    ]


def timescale_events(*, session: Session, since: datetime, until: datetime) -> list[TimescaleEvent]:
    """Revised timescales recorded within [since, until), with each action's original date."""
    query = (
        _numbered(
            select(
                Priority.number,
                Action.number,
                TimescaleChange.from_date,
                TimescaleChange.to_date,
                TimescaleChange.at,
                Action.original_timescale,
            ),
            TimescaleChange.action_id,
        )
        .where(TimescaleChange.at >= since, TimescaleChange.at < until)
        .order_by(TimescaleChange.at, TimescaleChange.id)
    )
    return [
        TimescaleEvent(ActionRef(priority, number), from_date, to_date, at, original)
        for priority, number, from_date, to_date, at, original in session.exec(query)
    ]


_PROPOSAL_COLUMNS = (
    Priority.number,
    Action.number,
    RagProposal.status,
    RagProposal.proposed_rag,
    RagProposal.revised_timescale,
    RagProposal.proposed_by,
    RagProposal.proposed_at,
    RagProposal.decided_at,
    RagProposal.reason,
)


def _proposals(session: Session, query) -> list[ProposalRecord]:
    return [
        ProposalRecord(
            ref=ActionRef(row[0], row[1]),
            status=row[2],
            proposed_rag=Rag(row[3]) if row[3] else None,
            revised_timescale=row[4],
            proposed_by=row[5],
            proposed_at=row[6],
            decided_at=row[7],
            reason=row[8],
        )
        for row in session.exec(query)
    ]


def pending_proposals(*, session: Session) -> list[ProposalRecord]:
    """Proposals waiting for an approver or for evidence, oldest first."""
    query = (
        _numbered(select(*_PROPOSAL_COLUMNS), RagProposal.action_id)
        .where(RagProposal.status.in_(("awaiting_approval", "evidence_pending")))
        .order_by(RagProposal.proposed_at, RagProposal.id)
    )
    return _proposals(session, query)


def returned_proposals(
    *, session: Session, since: datetime, until: datetime
) -> list[ProposalRecord]:
    """Proposals the approvers returned within [since, until)."""
    query = (
        _numbered(select(*_PROPOSAL_COLUMNS), RagProposal.action_id)
        .where(
            RagProposal.status == "returned",
            RagProposal.decided_at >= since,
            RagProposal.decided_at < until,
        )
        .order_by(RagProposal.decided_at, RagProposal.id)
    )
    return _proposals(session, query)


def open_escalations(*, session: Session) -> list[EscalationRecord]:
    query = (
        _numbered(
            select(
                Priority.number,
                Action.number,
                Escalation.day,
                Escalation.reminders,
                Escalation.leads,
            ),
            Escalation.action_id,
        )
        .where(Escalation.resolved_at.is_(None))
        .order_by(Escalation.day, Escalation.id)
    )
    return [
        EscalationRecord(ActionRef(priority, number), day, reminders, tuple(leads or ()))
        for priority, number, day, reminders, leads in session.exec(query)
    ]


def unreachable_leads(*, session: Session) -> list[UnreachableLead]:
    """People mapped to a lead role whom Slack said it cannot reach, with their roles."""
    query = (
        select(SlackPerson.slack_user_id, SlackPerson.unreachable, LeadRole.name)
        .join(RoleMember, RoleMember.slack_user_id == SlackPerson.slack_user_id)
        .join(LeadRole, LeadRole.id == RoleMember.role_id)
        .where(SlackPerson.unreachable.is_not(None))
        .order_by(SlackPerson.slack_user_id, LeadRole.name)
    )
    found: dict[str, tuple[str, list[str]]] = {}
    for user, error, role in session.exec(query):
        found.setdefault(user, (error, []))[1].append(role)
    return [UnreachableLead(user, error, tuple(roles)) for user, (error, roles) in found.items()]


def reminders_sent(*, session: Session, first_day: date, last_day: date) -> list[ReminderSent]:
    """The actions of reminder DMs that reached their person on a local day in the range."""
    query = (
        _numbered(
            select(
                ReminderItem.slack_user_id,
                Priority.number,
                Action.number,
                ReminderItem.day,
                Outbox.sent_at,
            ),
            ReminderItem.action_id,
        )
        .join(Outbox, Outbox.id == ReminderItem.outbox_id)
        .where(Outbox.status == "sent", ReminderItem.day >= first_day, ReminderItem.day <= last_day)
        .order_by(ReminderItem.day, ReminderItem.id)
    )
    return [
        ReminderSent(user, ActionRef(priority, number), day, sent_at)
        for user, priority, number, day, sent_at in session.exec(query)
    ]


def updates_by(*, session: Session, users: list[str], since: datetime) -> list[UpdateBy]:
    """Standing progress updates these people wrote since an instant, oldest first."""
    if not users:
        return []
    found: list[UpdateBy] = []
    for start in range(0, len(users), 500):
        query = (
            _numbered(
                select(ProgressUpdate.author, Priority.number, Action.number, ProgressUpdate.at),
                ProgressUpdate.action_id,
            )
            .where(
                ProgressUpdate.author.in_(users[start : start + 500]),
                ProgressUpdate.at >= since,
                ProgressUpdate.retracted_at.is_(None),
            )
            .order_by(ProgressUpdate.at)
        )
        found += [
            UpdateBy(user, ActionRef(priority, number), at)
            for user, priority, number, at in session.exec(query)
        ]
    return found


# --- The digest's rows in the outbox -------------------------------------------------------------


def outbox_row(*, session: Session, key: str) -> OutboxRow | None:
    return outbox.row_by_key(session=session, key=key)


def outbox_id(*, session: Session, key: str) -> int | None:
    return session.exec(select(Outbox.id).where(Outbox.key == key)).first()


def replan(*, session: Session, key: str, payload: dict, resend_failed: bool) -> bool:
    """Give a digest row not yet sent the newest content; whether it may now be sent.

    A failed row (Slack refused the channel) is planned afresh only when `resend_failed`, and
    then as never tried: Slack's refusal was definite, nothing was posted. A pending row keeps
    its attempts, so a row whose last attempt may have posted is still looked for first.
    """
    if resend_failed:
        session.exec(  # type: ignore[call-overload]
            update(Outbox)
            .where(Outbox.key == key, Outbox.status == "failed")
            .values(status="pending", attempts=0, error=None, not_before=None)
        )
    changed = session.exec(  # type: ignore[call-overload]
        update(Outbox)
        .where(Outbox.key == key, Outbox.status == "pending")
        .values(payload=payload, not_before=None)
    ).rowcount
    return changed == 1


def set_sent_payload(*, session: Session, key: str, payload: dict) -> None:
    """Record the content a posted message was updated to."""
    session.exec(  # type: ignore[call-overload]
        update(Outbox).where(Outbox.key == key, Outbox.status == "sent").values(payload=payload)
    )


def record_sent(
    *, session: Session, key: str, kind: str, recipient: str, channel: str, ts: str, at: datetime
) -> bool:
    """Record something already sent (the chart, uploaded); False when it was recorded before.

    The row is written as sent at once, never pending, so the outbox's sender cannot mistake it
    for a message still to post.
    """
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(Outbox)
        .values(
            key=key,
            kind=kind,
            recipient=recipient,
            payload={},
            status="sent",
            attempts=1,
            channel=channel,
            ts=ts,
            created_at=at,
            sent_at=at,
        )
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(Outbox.id)
    )
    return session.exec(statement).scalar_one_or_none() is not None  # type: ignore[call-overload]
