"""Confirmations and decisions against the store: a lead confirms or corrects what the bot
understood; the approvers accept (the action's RAG and timescale change, with history) or return
it with a reason. Each step is a conditional move of the proposal's status, so a repeated click
or a retried request does nothing twice, and its messages are planned in the outbox with it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session

from bot.approvals.messages import (
    Proposed,
    approval_request,
    decided,
    lead_notice,
    withdrawn,
)
from bot.plan.permissions import may_update_action
from bot.plan.rag import Rag
from bot.plan.refs import thread_of
from bot.replies.messages import QUESTION_EVENT, plain_message, question_message
from bot.settings import Settings
from store import outbox
from store import replies as store
from store.engine import transaction


@dataclass
class Step:
    """What a confirmation or decision did: outbox keys to send, a line for the person who
    pressed, and messages to rewrite (channel, ts, text, blocks)."""

    keys: list[str] = field(default_factory=list)
    said: str = ""
    rewrites: list[tuple[str, str, str, list]] = field(default_factory=list)


def approvers_of(settings: Settings) -> list[str]:
    return list(settings.planbot_approvers or settings.planbot_admins)


def proposed(view: store.ProposalView) -> Proposed:
    return Proposed(
        id=view.id,
        ref=view.action.ref,
        action_text=view.action.text,
        current_rag=view.action.rag,
        rag=view.rag,
        timescale=view.action.timescale,
        revised_timescale=view.revised_timescale,
        evidence=view.evidence,
        proposed_by=view.proposed_by,
        update_text=view.update_text,
    )


def _may_answer_for(
    session: Session, settings: Settings, view: store.ProposalView, user: str
) -> bool:
    _, users, deputies = store.leads_of(session=session, ref=view.action.ref)
    return user == view.proposed_by or may_update_action(
        user, leads=users, deputies=deputies, admins=settings.planbot_admins
    )


def _plan(
    session: Session,
    key: str,
    recipient: str,
    message,
    thread_ts: str | None,
    now: datetime,
    kind: str = "answer",
) -> list[str]:
    key = outbox.plan(
        session=session,
        key=key,
        kind=kind,
        recipient=recipient,
        text=message.text,
        blocks=message.blocks,
        thread_ts=thread_of(thread_ts),
        at=now,
    )
    return [key] if key else []


def confirm(
    *, engine: Engine, settings: Settings, now: datetime, proposal_id: int, user: str
) -> Step:
    """The lead confirms: to the approvers (or final when approval is off); a Completed without
    evidence waits for it."""
    step = Step()
    with transaction(engine) as session:
        view = store.proposal(session=session, proposal_id=proposal_id)
        if view is None:
            step.said = "That proposal no longer exists."
            return step
        if not _may_answer_for(session, settings, view, user):
            step.said = f"Only the leads of {view.action.ref} can confirm this."
            return step
        if view.status == "evidence_pending" and view.evidence:
            if not store.move(
                session=session,
                proposal_id=proposal_id,
                from_=("evidence_pending",),
                to="awaiting_approval",
            ):
                return _raced(step, view)
            step.keys += _ask_approvers(session, settings, view, now)
            step.said = (
                f"Thanks: {view.action.ref} completed, with evidence, has gone to the chair."
            )
            return step
        if view.status != "unconfirmed":
            step.said = f"Already {view.status.replace('_', ' ')}."
            return step
        if view.rag is Rag.COMPLETED and not view.evidence:
            if not store.move(
                session=session,
                proposal_id=proposal_id,
                from_=("unconfirmed",),
                to="evidence_pending",
                confirmed_at=now,
            ):
                return _raced(step, view)
            step.said = (
                f"Confirmed: {view.action.ref} completed — evidence pending. The plan counts an "
                "action Completed only when it is evidenced: reply in this thread with a link, "
                "a file, or where the evidence is held."
            )
            return step
        if not settings.planbot_approval_required:
            if not store.move(
                session=session,
                proposal_id=proposal_id,
                from_=("unconfirmed",),
                to="accepted",
                confirmed_at=now,
                decided_by=user,
                decided_at=now,
            ):
                return _raced(step, view)
            store.apply(
                session=session, proposal_id=proposal_id, by=user, at=now, via="confirmation"
            )
            step.said = f"Confirmed: {view.action.ref} is updated."
            return step
        if not store.move(
            session=session,
            proposal_id=proposal_id,
            from_=("unconfirmed",),
            to="awaiting_approval",
            confirmed_at=now,
        ):
            return _raced(step, view)
        step.keys += _ask_approvers(session, settings, view, now)
        step.said = f"Confirmed: {view.action.ref} has gone to the chair for acceptance."
    return step


def _raced(step: Step, view: store.ProposalView) -> Step:
    """Someone (another click, a retry) moved the proposal since it was read: say so, do nothing."""
    step.keys = []
    step.said = f"Your update on {view.action.ref} was already dealt with."
    return step


def _ask_approvers(
    session: Session, settings: Settings, view: store.ProposalView, now: datetime
) -> list[str]:
    message = approval_request(proposed(view))
    keys = []
    for approver in approvers_of(settings):
        keys += _plan(
            session, f"approval:{view.id}:{approver}", approver, message, None, now, kind="approval"
        )
    return keys


def change_rag(
    *, engine: Engine, settings: Settings, now: datetime, update_id: int, rag: Rag, user: str
) -> Step:
    """The lead corrects the RAG the bot read: the proposal waiting for their confirmation
    changes; one already with the approvers is replaced by a new one (they are told)."""
    step = Step()
    with transaction(engine) as session:
        ids = store.proposals_of_update(session=session, update_id=update_id)
        views = [store.proposal(session=session, proposal_id=i) for i in ids]
        open_ = [v for v in views if v.status == "unconfirmed"]
        if open_:
            view = open_[-1]
            if not _may_answer_for(session, settings, view, user):
                step.said = f"Only the leads of {view.action.ref} can change this."
                return step
            store.change(
                session=session, proposal_id=view.id, rag=rag, revised=view.revised_timescale
            )
            step.said = f"Changed to {rag.label}: press Confirm to send it on."
            return step
        update = store.update_facts(session=session, update_id=update_id)
        if update is None or update.author != user and user not in settings.planbot_admins:
            step.said = "Only the person who wrote the update can change its RAG."
            return step
        earlier = next((v for v in reversed(views) if v.status in store.UNDECIDED), None)
        proposal_id = store.add_proposal(
            session=session,
            action_id=update.action_id,
            update_id=update_id,
            rag=rag,
            revised=earlier.revised_timescale if earlier else None,
            evidence=earlier.evidence if earlier else None,
            by=user,
            at=now,
            status="unconfirmed",
            echo_channel=update.channel,
            echo_ts=update.ts,
        )
        step.rewrites = withdrawn_rewrites(
            session,
            store.supersede(session=session, action_id=update.action_id, keep=proposal_id, at=now),
        )
    # Choosing a rating from the menu is the lead's word in so many words: it needs no second
    # press, and the echo has no Confirm button for a proposal made after it was posted.
    confirmed = confirm(
        engine=engine, settings=settings, now=now, proposal_id=proposal_id, user=user
    )
    step.keys += confirmed.keys
    step.said = f"{rag.label}: " + confirmed.said[0].lower() + confirmed.said[1:]
    return step


def withdrawn_rewrites(session: Session, proposal_ids: list[int]) -> list[tuple]:
    """The approvers' requests for proposals a newer answer replaced, rewritten to say so."""
    rewrites = []
    for proposal_id in proposal_ids:
        view = store.proposal(session=session, proposal_id=proposal_id)
        done = withdrawn(proposed(view))
        rewrites += [
            (channel, ts, done.text, done.blocks)
            for channel, ts in outbox.posted(session=session, prefix=f"approval:{proposal_id}:")
        ]
    return rewrites


def rewrites_for(*, engine: Engine, proposal_ids: list[int]) -> list[tuple]:
    """withdrawn_rewrites, in a session of its own (after a reply was processed)."""
    if not proposal_ids:
        return []
    with Session(engine) as session:
        return withdrawn_rewrites(session, proposal_ids)


def not_this(
    *,
    engine: Engine,
    settings: Settings,
    now: datetime,
    update_id: int,
    user: str,
    channel: str,
    thread_ts: str | None,
) -> Step:
    """The bot picked the wrong action: withdraw that update and ask which action was meant."""
    step = Step()
    with transaction(engine) as session:
        update = store.update_facts(session=session, update_id=update_id)
        if update is None or (update.author != user and user not in settings.planbot_admins):
            step.said = "Only the person who wrote the update can move it."
            return step
        if update.retracted:
            step.said = "Already withdrawn."
            return step
        store.retract_update(session=session, update_id=update_id, at=now)
        for proposal_id in store.proposals_of_update(session=session, update_id=update_id):
            store.move(
                session=session,
                proposal_id=proposal_id,
                from_=store.UNDECIDED,
                to="withdrawn",
                decided_at=now,
                reason="not this action",
            )
        mine = [r for r in store.actions_of(session=session, user=user) if r != update.action_ref]
        facts = store.actions(session=session)
        pairs = [(ref, facts[ref].text) for ref in mine if ref in facts]
        message = question_message(pairs, f"I have taken that update off {update.action_ref}.")
        root = thread_ts or update.ts
        key = f"question:{channel}:{root}"
        # A question already asked in this thread is replaced by this one.
        outbox.forget(session=session, key=key)
        planned = outbox.plan(
            session=session,
            key=key,
            kind="answer",
            recipient=channel,
            text=message.text,
            blocks=message.blocks,
            thread_ts=thread_of(root),
            metadata={
                "event_type": QUESTION_EVENT,
                "event_payload": {
                    "text": update.text[:3000],
                    "files": 0,
                    "candidates": mine[:10],
                },
            },
            at=now,
        )
        step.keys += [planned] if planned else []
        step.said = f"Taken off {update.action_ref}."
    return step


def decide(
    *,
    engine: Engine,
    settings: Settings,
    now: datetime,
    proposal_id: int,
    user: str,
    accept: bool,
    reason: str | None = None,
) -> Step:
    """An approver accepts (the action changes) or returns (with a reason) a proposal."""
    step = Step()
    outcome = "accepted" if accept else "returned"
    if user not in approvers_of(settings):
        step.said = "Only the plan's approvers can accept or return proposals."
        return step
    with transaction(engine) as session:
        view = store.proposal(session=session, proposal_id=proposal_id)
        if view is None:
            step.said = "That proposal no longer exists."
            return step
        moved = store.move(
            session=session,
            proposal_id=proposal_id,
            from_=("awaiting_approval",),
            to=outcome,
            decided_by=user,
            decided_at=now,
            reason=reason,
        )
        if not moved:
            step.said = f"Already {view.status.replace('_', ' ')}" + (
                f" by <@{view.decided_by}>." if view.decided_by else "."
            )
            return step
        if accept:
            store.apply(session=session, proposal_id=proposal_id, by=user, at=now, via="approval")
        shown = proposed(view)
        if view.proposed_by:
            step.keys += _plan(
                session,
                f"decision:{proposal_id}",
                view.echo_channel or view.proposed_by,
                lead_notice(shown, outcome, user, reason),
                view.echo_ts,
                now,
            )
        done = decided(shown, outcome, user, reason)
        step.rewrites = [
            (channel, ts, done.text, done.blocks)
            for channel, ts in outbox.posted(session=session, prefix=f"approval:{proposal_id}:")
        ]
        step.said = f"{outcome.capitalize()}: {view.action.ref}."
    return step


def pending(*, engine: Engine) -> list[Proposed]:
    """Proposals waiting for a decision (the approvers' inbox), oldest first."""
    with Session(engine) as session:
        views = [
            store.proposal(session=session, proposal_id=i) for i in store.undecided(session=session)
        ]
    return [proposed(v) for v in views if v.status == "awaiting_approval"]


def note(text: str):
    return plain_message(text)
