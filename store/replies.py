"""Progress updates from Slack and the proposals they carry: recorded, amended, retracted,
confirmed, accepted or returned. Every decision keeps its history row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import update
from sqlmodel import Session, select

from bot.plan.rag import Rag
from store.models import (
    Action,
    ActionLead,
    LeadRole,
    ProgressUpdate,
    RagChange,
    RagProposal,
    RoleMember,
    TimescaleChange,
)

UNDECIDED = ("unconfirmed", "evidence_pending", "awaiting_approval")


@dataclass(frozen=True)
class ActionFacts:
    """What a reply is read against: an action's number, text, timescale and agreed RAG."""

    id: int
    ref: str
    text: str
    timescale: date | None
    original_timescale: date | None
    rag: Rag


def _facts(row: Action) -> ActionFacts:
    return ActionFacts(
        row.id, row.ref, row.text, row.timescale, row.original_timescale, Rag(row.rag)
    )


def actions(*, session: Session) -> dict[str, ActionFacts]:
    """Every action by number."""
    return {a.ref: _facts(a) for a in session.exec(select(Action))}


def actions_of(*, session: Session, user: str) -> list[str]:
    """The numbers of the actions a person leads or deputises for, in the plan's order."""
    query = (
        select(Action.ref)
        .join(ActionLead, ActionLead.action_id == Action.id)
        .join(RoleMember, RoleMember.role_id == ActionLead.role_id)
        .where(RoleMember.slack_user_id == user)
        .order_by(Action.priority_id, Action.number)
    )
    return list(dict.fromkeys(session.exec(query)))


def leads_of(*, session: Session, ref: str) -> tuple[list[str], list[str], list[str]]:
    """An action's lead roles, the users who lead it and those who deputise."""
    query = (
        select(LeadRole.name, RoleMember.slack_user_id, RoleMember.is_deputy)
        .join(ActionLead, ActionLead.role_id == LeadRole.id)
        .join(Action, Action.id == ActionLead.action_id)
        .join(RoleMember, RoleMember.role_id == LeadRole.id, isouter=True)
        .where(Action.ref == ref)
        .order_by(ActionLead.position, RoleMember.id)
    )
    roles, users, deputies = [], [], []
    for role, user, is_deputy in session.exec(query):
        if role not in roles:
            roles.append(role)
        if user:
            (deputies if is_deputy else users).append(user)
    return roles, users, deputies


def record_update(
    *,
    session: Session,
    action_id: int,
    text: str,
    author: str,
    at: datetime,
    source: str,
    channel: str | None,
    ts: str | None,
) -> int | None:
    """Record a progress update; None when this message's update to the action exists already."""
    if channel and ts:
        exists = session.exec(
            select(ProgressUpdate.id).where(
                ProgressUpdate.slack_channel == channel,
                ProgressUpdate.slack_ts == ts,
                ProgressUpdate.action_id == action_id,
            )
        ).first()
        if exists is not None:
            return None
    row = ProgressUpdate(
        action_id=action_id,
        text=text,
        author=author,
        at=at,
        source=source,
        slack_channel=channel,
        slack_ts=ts,
    )
    session.add(row)
    session.flush()
    return row.id


@dataclass(frozen=True)
class MessageUpdate:
    update_id: int
    action_ref: str
    text: str
    retracted: bool


def updates_of_message(*, session: Session, channel: str, ts: str) -> list[MessageUpdate]:
    """The updates one Slack message made (one per action it spoke of)."""
    query = (
        select(ProgressUpdate.id, Action.ref, ProgressUpdate.text, ProgressUpdate.retracted_at)
        .join(Action, Action.id == ProgressUpdate.action_id)
        .where(ProgressUpdate.slack_channel == channel, ProgressUpdate.slack_ts == ts)
        .order_by(ProgressUpdate.id)
    )
    return [MessageUpdate(i, ref, text, at is not None) for i, ref, text, at in session.exec(query)]


def amend_update(*, session: Session, update_id: int, text: str, at: datetime) -> None:
    row = session.get(ProgressUpdate, update_id)
    row.text, row.edited_at = text, at
    session.add(row)
    session.flush()


def retract_update(*, session: Session, update_id: int, at: datetime) -> None:
    row = session.get(ProgressUpdate, update_id)
    if row.retracted_at is None:
        row.retracted_at = at
        session.add(row)
        session.flush()


def add_proposal(
    *,
    session: Session,
    action_id: int,
    update_id: int | None,
    rag: Rag | None,
    revised: date | None,
    evidence: str | None,
    by: str,
    at: datetime,
    status: str,
    echo_channel: str | None,
    echo_ts: str | None,
) -> int:
    row = RagProposal(
        action_id=action_id,
        update_id=update_id,
        proposed_rag=rag.value if rag else None,
        revised_timescale=revised,
        evidence=evidence,
        proposed_by=by,
        proposed_at=at,
        status=status,
        confirmed_at=at if status != "unconfirmed" else None,
        echo_channel=echo_channel,
        echo_ts=echo_ts,
    )
    session.add(row)
    session.flush()
    return row.id


@dataclass(frozen=True)
class ProposalView:
    """A proposal with what its readers need: the action as it stands and the update's words."""

    id: int
    action: ActionFacts
    rag: Rag | None
    revised_timescale: date | None
    evidence: str | None
    status: str
    proposed_by: str | None
    proposed_at: datetime
    decided_by: str | None
    reason: str | None
    update_text: str | None
    echo_channel: str | None
    echo_ts: str | None

    @property
    def decided(self) -> bool:
        return self.status not in UNDECIDED


def proposal(*, session: Session, proposal_id: int) -> ProposalView | None:
    row = session.get(RagProposal, proposal_id)
    if row is None:
        return None
    action = session.get(Action, row.action_id)
    text = session.get(ProgressUpdate, row.update_id).text if row.update_id else None
    return ProposalView(
        id=row.id,
        action=_facts(action),
        rag=Rag(row.proposed_rag) if row.proposed_rag else None,
        revised_timescale=row.revised_timescale,
        evidence=row.evidence,
        status=row.status,
        proposed_by=row.proposed_by,
        proposed_at=row.proposed_at,
        decided_by=row.decided_by,
        reason=row.reason,
        update_text=text,
        echo_channel=row.echo_channel,
        echo_ts=row.echo_ts,
    )


def proposals_of_update(*, session: Session, update_id: int) -> list[int]:
    query = select(RagProposal.id).where(RagProposal.update_id == update_id)
    return list(session.exec(query.order_by(RagProposal.id)))


def move(
    *, session: Session, proposal_id: int, from_: tuple[str, ...], to: str, **values: object
) -> bool:
    """Move a proposal from one of `from_` to `to`; False when it is no longer in `from_`
    (someone decided it meanwhile, or a retry is replaying the same click)."""
    moved = session.exec(  # type: ignore[call-overload]
        update(RagProposal)
        .where(RagProposal.id == proposal_id, RagProposal.status.in_(from_))
        .values(status=to, **values)
    ).rowcount
    return moved == 1


def change(*, session: Session, proposal_id: int, rag: Rag | None, revised: date | None) -> None:
    """The lead corrects what the bot understood, before anyone decided."""
    row = session.get(RagProposal, proposal_id)
    row.proposed_rag = rag.value if rag else None
    row.revised_timescale = revised
    session.add(row)
    session.flush()


def add_evidence(*, session: Session, proposal_id: int, evidence: str) -> None:
    row = session.get(RagProposal, proposal_id)
    row.evidence = evidence
    session.add(row)
    session.flush()


def apply(*, session: Session, proposal_id: int, by: str, at: datetime, via: str) -> None:
    """Make an accepted proposal the action's agreed RAG and timescale, with history rows."""
    row = session.get(RagProposal, proposal_id)
    action = session.get(Action, row.action_id)
    if row.proposed_rag and row.proposed_rag != action.rag:
        session.add(
            RagChange(
                action_id=action.id,
                from_rag=action.rag,
                to_rag=row.proposed_rag,
                at=at,
                by=by,
                via=via,
                proposal_id=row.id,
                reason=f"proposed by {row.proposed_by}" if row.proposed_by else None,
            )
        )
        action.rag = row.proposed_rag
    if row.revised_timescale and row.revised_timescale != action.timescale:
        session.add(
            TimescaleChange(
                action_id=action.id,
                from_date=action.timescale,
                to_date=row.revised_timescale,
                at=at,
                by=by,
                via=via,
                reason=f"proposed by {row.proposed_by}" if row.proposed_by else None,
            )
        )
        if action.original_timescale is None:
            action.original_timescale = action.timescale
        action.timescale = row.revised_timescale
    session.add(action)
    session.flush()


def evidence_pending(*, session: Session, action_id: int, by: str | None = None) -> int | None:
    """The action's proposal waiting for evidence (a lead's, if `by` is given), newest first."""
    query = select(RagProposal.id).where(
        RagProposal.action_id == action_id, RagProposal.status == "evidence_pending"
    )
    if by:
        query = query.where(RagProposal.proposed_by == by)
    return session.exec(query.order_by(RagProposal.id.desc())).first()


def undecided(*, session: Session) -> list[int]:
    """Proposals not yet decided, oldest first (the approvers' inbox)."""
    query = select(RagProposal.id).where(RagProposal.status.in_(UNDECIDED))
    return list(session.exec(query.order_by(RagProposal.id)))


@dataclass(frozen=True)
class UpdateFacts:
    action_id: int
    action_ref: str
    text: str
    author: str | None
    channel: str | None
    ts: str | None
    retracted: bool


def update_facts(*, session: Session, update_id: int) -> UpdateFacts | None:
    row = session.get(ProgressUpdate, update_id)
    if row is None:
        return None
    action = session.get(Action, row.action_id)
    return UpdateFacts(
        row.action_id,
        action.ref,
        row.text,
        row.author,
        row.slack_channel,
        row.slack_ts,
        row.retracted_at is not None,
    )


def supersede(*, session: Session, action_id: int, keep: int, at: datetime) -> list[int]:
    """Withdraw the action's other undecided proposals: the newest answer is the lead's word.
    Returns those that were with the approvers, whose requests must now say so."""
    rows = session.exec(
        select(RagProposal).where(
            RagProposal.action_id == action_id,
            RagProposal.id != keep,
            RagProposal.status.in_(UNDECIDED),
        )
    ).all()
    with_approvers = []
    for row in rows:
        if row.status == "awaiting_approval":
            with_approvers.append(row.id)
        row.status, row.decided_at, row.reason = "withdrawn", at, "superseded by a newer update"
        session.add(row)
    session.flush()
    return with_approvers


def withdraw_of_update(*, session: Session, update_id: int, at: datetime, reason: str) -> list[int]:
    """Withdraw the undecided proposals an update made (it was edited or deleted); returns
    those that were with the approvers."""
    rows = session.exec(
        select(RagProposal).where(
            RagProposal.update_id == update_id, RagProposal.status.in_(UNDECIDED)
        )
    ).all()
    with_approvers = [row.id for row in rows if row.status == "awaiting_approval"]
    for row in rows:
        row.status, row.decided_at, row.reason = "withdrawn", at, reason
        session.add(row)
    session.flush()
    return with_approvers
