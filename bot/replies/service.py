"""Replies against the store: a lead's words recorded as progress updates, with the proposals
they carry, and the bot's answer planned in the outbox in the same transaction.

Every function is idempotent for one incoming item: the update of a Slack message is unique on
(channel, ts, action), and the answer's outbox key is derived from the message, so a re-driven
or redelivered item changes nothing twice and sends nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import Engine
from sqlmodel import Session

from bot.plan.permissions import may_update_action
from bot.plan.rag import Rag
from bot.plan.refs import ActionRef, thread_of
from bot.plan.words import without_control
from bot.replies.evidence import find_evidence
from bot.replies.messages import (
    QUESTION_EVENT,
    EchoItem,
    Message,
    echo_message,
    not_lead_message,
    plain_message,
    question_message,
)
from bot.replies.understand import ContextAction, UnderstoodUpdate, understand
from bot.settings import Settings
from store import outbox
from store import replies as store
from store.engine import transaction
from store.reminders import reminder_actions

# A progress update must fit a spreadsheet cell (Excel holds 32,767 characters), or the plan's
# export could not carry it.
MAX_UPDATE_CHARS = 32_767
# A reminder lists at most about twenty actions; one reply speaking of more is a mistake.
MAX_ACTIONS_PER_REPLY = 20


@dataclass(frozen=True)
class Incoming:
    """A lead's words, wherever they came from."""

    user: str
    channel: str  # where the bot answers (the DM)
    ts: str  # the message's ts, or another identity unique to it (a trigger id)
    thread_ts: str | None  # the thread the message is in, if any
    text: str
    files: int = 0
    source: str = "reply"  # reply, command, button, modal

    @property
    def root(self) -> str:
        """The thread the bot answers in."""
        return self.thread_ts or self.ts


@dataclass
class Outcome:
    """What processing an item planned to send (outbox keys) and a line for the logs."""

    keys: list[str] = field(default_factory=list)
    summary: str = ""
    # Proposals a newer answer replaced while the approvers had them: their requests say so.
    superseded: list[int] = field(default_factory=list)


def _say(
    session: Session,
    key: str,
    recipient: str,
    message: Message,
    thread_ts: str | None,
    now: datetime,
    metadata: dict | None = None,
) -> list[str]:
    """Plan the bot's answer in the outbox, in the same transaction as what it answers."""
    key = outbox.plan(
        session=session,
        key=key,
        kind="answer",
        recipient=recipient,
        text=message.text,
        blocks=message.blocks,
        thread_ts=thread_of(thread_ts),
        metadata=metadata,
        at=now,
    )
    return [key] if key else []


def _refused(
    session: Session, settings: Settings, incoming: Incoming, ref: str, now: datetime
) -> list[str] | None:
    """None when the person may update the action; else the planned answer saying who leads it
    (and nothing is recorded)."""
    roles, users, deputies = store.leads_of(session=session, ref=ref)
    if may_update_action(
        incoming.user, leads=users, deputies=deputies, admins=settings.planbot_admins
    ):
        return None
    key = f"notlead:{incoming.channel}:{incoming.ts}:{ref}"
    return _say(
        session, key, incoming.channel, not_lead_message(ref, roles, users), incoming.root, now
    )


def _context_actions(facts: dict[str, store.ActionFacts], refs: list[str]) -> list[ContextAction]:
    return [_context(facts[ref]) for ref in refs if ref in facts]


def _context(fact: store.ActionFacts) -> ContextAction:
    return ContextAction(ActionRef.parse(fact.ref), fact.text, fact.timescale, fact.rag)


def receive(
    *, engine: Engine, settings: Settings, now: datetime, today: date, incoming: Incoming
) -> Outcome:
    """Record a reply as progress updates and plan the echo, or ask which action is meant."""
    incoming = replace(incoming, text=without_control(incoming.text))
    where = incoming.channel
    if len(incoming.text) > MAX_UPDATE_CHARS:
        return _refuse(
            engine,
            incoming,
            now,
            "toolong",
            f"That update is {len(incoming.text):,} characters long; the plan keeps at most "
            f"{MAX_UPDATE_CHARS:,} in one update. Please send it in shorter parts. Nothing was "
            "recorded.",
            "refused: too long",
        )
    with Session(engine) as session:
        facts = store.actions(session=session)
        mine = store.actions_of(session=session, user=incoming.user)
        question = outbox.question_in(session=session, channel=where, thread_ts=incoming.thread_ts)
        if incoming.thread_ts:
            context_refs = reminder_actions(
                session=session, channel=where, ts=incoming.thread_ts
            ) or [
                u.action_ref
                for u in store.updates_of_message(
                    session=session, channel=where, ts=incoming.thread_ts
                )
            ]
        else:
            context_refs = []
    plan = {ActionRef.parse(ref): _context(fact) for ref, fact in facts.items()}
    text, files = incoming.text, incoming.files
    context = _context_actions(facts, context_refs or mine)
    understood = understand(text, context=context, plan=plan, today=today, files=files)
    if question and (understood.clarify or not understood.updates or _only_refs(understood)):
        # The answer to the bot's question: the original words, about the action now named.
        named = [str(u.ref) for u in understood.updates] or [
            ref for ref in question.get("candidates", []) if ref in incoming.text.split()
        ]
        if named:
            text, files = question.get("text", text), question.get("files", 0)
            understood = understand(
                text,
                context=_context_actions(facts, named[:1]),
                plan=plan,
                today=today,
                files=files,
            )
    if understood.clarify or not understood.updates:
        return _ask(engine, incoming, understood, facts, mine, now, text, files)
    if len(understood.updates) > MAX_ACTIONS_PER_REPLY:
        # "All on track" from someone who leads hundreds of actions is not something to confirm
        # action by action: say so, and record nothing.
        return _refuse(
            engine,
            incoming,
            now,
            "toomany",
            f"That reply speaks of {len(understood.updates)} actions; I take at most "
            f"{MAX_ACTIONS_PER_REPLY} in one reply. Answer a reminder in its thread, or name "
            'the actions ("5.3 and 5.4 on track"). Nothing was recorded.',
            "refused: too many actions",
        )
    return _record(engine, settings, incoming, understood, facts, now)


def _refuse(
    engine: Engine, incoming: Incoming, now: datetime, kind: str, said: str, summary: str
) -> Outcome:
    """Say why a reply was not recorded, once for the message however often Slack sends it."""
    where = incoming.channel
    with transaction(engine) as session:
        keys = _say(
            session, f"{kind}:{where}:{incoming.ts}", where, plain_message(said), incoming.root, now
        )
    return Outcome(keys, summary)


def _only_refs(understood) -> bool:
    """A reply that only names an action ("5.4") carries no update of its own."""
    return all(len(u.text.strip().rstrip(".").split()) <= 2 for u in understood.updates)


def _ask(
    engine: Engine,
    incoming: Incoming,
    understood,
    facts,
    mine: list[str],
    now: datetime,
    text: str,
    files: int,
) -> Outcome:
    candidates = [str(ref) for ref in understood.candidates] or mine
    pairs = [(ref, facts[ref].text) for ref in candidates if ref in facts]
    unknown = [w for w in understood.warnings if getattr(w, "kind", "") == "unknown_action"]
    why = str(unknown[0]) if unknown else "I could not tell which action this is about."
    message = question_message(pairs, why)
    metadata = {
        "event_type": QUESTION_EVENT,
        "event_payload": {"text": text[:3000], "files": files, "candidates": candidates[:10]},
    }
    with transaction(engine) as session:
        keys = _say(
            session,
            f"question:{incoming.channel}:{incoming.root}",
            incoming.channel,
            message,
            incoming.root,
            now,
            metadata=metadata,
        )
    return Outcome(keys, "asked which action")


def _record(
    engine: Engine,
    settings: Settings,
    incoming: Incoming,
    understood,
    facts: dict[str, store.ActionFacts],
    now: datetime,
) -> Outcome:
    result = Outcome()
    items: list[EchoItem] = []
    with transaction(engine) as session:
        for update in understood.updates:
            ref = str(update.ref)
            fact = facts[ref]
            refused = _refused(session, settings, incoming, ref, now)
            if refused is not None:
                result.keys += refused
                continue
            update_id = store.record_update(
                session=session,
                action_id=fact.id,
                text=update.text.strip() or incoming.text.strip(),
                author=incoming.user,
                at=now,
                source=incoming.source,
                channel=incoming.channel,
                ts=incoming.ts,
            )
            if update_id is None:
                continue  # this message was processed before: a redelivery or a re-drive
            items.append(
                _propose(session, incoming, update, fact, update_id, now, result.superseded)
            )
        if items:
            keys = _say(
                session,
                f"echo:{incoming.channel}:{incoming.ts}",
                incoming.channel,
                echo_message(items, [str(w) for w in understood.warnings]),
                incoming.root,
                now,
            )
            result.keys += keys
    result.summary = f"recorded {', '.join(i.ref for i in items) or 'nothing new'}"
    return result


def _propose(
    session: Session,
    incoming: Incoming,
    update: UnderstoodUpdate,
    fact: store.ActionFacts,
    update_id: int,
    now: datetime,
    superseded: list[int],
) -> EchoItem:
    """Propose what the update says (if anything), replacing the action's undecided proposals."""
    proposal_id = None
    rag = update.rag if update.rag is not fact.rag else None
    revised = update.revised_timescale
    notes = list(update.notes)
    if rag is None and revised is None and update.evidence:
        # Evidence for a Completed that waits for it: attach it and say so.
        pending = store.evidence_pending(session=session, action_id=fact.id)
        if pending is not None:
            store.add_evidence(session=session, proposal_id=pending, evidence=update.evidence)
            notes.append("Evidence noted for the pending Completed: confirm to send it on.")
            proposal_id = pending
            rag = Rag.COMPLETED
    if proposal_id is None and (rag is not None or revised is not None):
        proposal_id = store.add_proposal(
            session=session,
            action_id=fact.id,
            update_id=update_id,
            rag=rag,
            revised=revised,
            evidence=update.evidence,
            by=incoming.user,
            at=now,
            status="unconfirmed",
            echo_channel=incoming.channel,
            echo_ts=incoming.root,
        )
        superseded.extend(
            store.supersede(session=session, action_id=fact.id, keep=proposal_id, at=now)
        )
    return EchoItem(
        ref=fact.ref,
        update_id=update_id,
        gist=update.text.strip() or incoming.text.strip(),
        current_rag=fact.rag,
        proposed_rag=rag,
        timescale=fact.timescale,
        revised_timescale=revised,
        notes=tuple(notes),
        proposal_id=proposal_id,
    )


def edited(
    *,
    engine: Engine,
    settings: Settings,
    now: datetime,
    today: date,
    incoming: Incoming,
    edit_ts: str,
) -> Outcome:
    """A lead edited their message: amend its updates and recompute undecided proposals."""
    incoming = replace(incoming, text=without_control(incoming.text))
    with Session(engine) as session:
        updates = [
            u
            for u in store.updates_of_message(
                session=session, channel=incoming.channel, ts=incoming.ts
            )
            if not u.retracted
        ]
        facts = store.actions(session=session)
    if not updates:
        # Nothing was recorded from the first version (it asked a question): read it afresh.
        return receive(
            engine=engine,
            settings=settings,
            now=now,
            today=today,
            incoming=Incoming(**{**incoming.__dict__, "ts": incoming.ts}),
        )
    plan = {ActionRef.parse(ref): _context(fact) for ref, fact in facts.items()}
    context = _context_actions(facts, [u.action_ref for u in updates])
    understood = understand(
        incoming.text, context=context, plan=plan, today=today, files=incoming.files
    )
    by_ref = {str(u.ref): u for u in understood.updates}
    items = []
    result = Outcome()
    with transaction(engine) as session:
        for update in updates:
            said = by_ref.get(update.action_ref)
            text = (said.text.strip() if said else "") or incoming.text.strip()
            store.amend_update(session=session, update_id=update.update_id, text=text, at=now)
            # What the first version proposed goes, even if the chair has it: the edit is the
            # lead's word now.
            result.superseded += store.withdraw_of_update(
                session=session, update_id=update.update_id, at=now, reason="edited"
            )
            fact = facts[update.action_ref]
            if said is not None:
                items.append(
                    _propose(
                        session, incoming, said, fact, update.update_id, now, result.superseded
                    )
                )
        keys: list[str] = []
        if items:
            keys = _say(
                session,
                f"echo:{incoming.channel}:{incoming.ts}:edit:{edit_ts}",
                incoming.channel,
                echo_message(items, [str(w) for w in understood.warnings]),
                incoming.root,
                now,
            )
    result.keys, result.summary = keys, f"amended {len(updates)} update(s)"
    return result


def deleted(
    *, engine: Engine, now: datetime, channel: str, ts: str, thread_ts: str | None
) -> Outcome:
    """A lead deleted their message: retract its updates and withdraw undecided proposals."""
    with transaction(engine) as session:
        updates = [
            u
            for u in store.updates_of_message(session=session, channel=channel, ts=ts)
            if not u.retracted
        ]
        superseded: list[int] = []
        for update in updates:
            store.retract_update(session=session, update_id=update.update_id, at=now)
            superseded += store.withdraw_of_update(
                session=session, update_id=update.update_id, at=now, reason="message deleted"
            )
        keys: list[str] = []
        if updates:
            refs = ", ".join(u.action_ref for u in updates)
            message = plain_message(
                f"You deleted your message, so I have withdrawn its update on {refs}."
            )
            keys = _say(
                session, f"retracted:{channel}:{ts}", channel, message, thread_ts or ts, now
            )
    return Outcome(keys, f"retracted {len(updates)} update(s)", superseded)


@dataclass
class Answered:
    """An answer given with a button or the modal: its proposals, for the lead's confirmation."""

    keys: list[str] = field(default_factory=list)
    proposals: list[int] = field(default_factory=list)
    superseded: list[int] = field(default_factory=list)


def answer_button(
    *,
    engine: Engine,
    settings: Settings,
    now: datetime,
    today: date,
    incoming: Incoming,
    ref: str,
    rag: Rag | None,
    revised: date | str | None = None,
) -> Answered:
    """On track / Delayed / Completed on a reminder, or the Add update modal: the lead said it
    in so many words, so the update is recorded and its proposal is theirs to confirm now."""
    incoming = replace(incoming, text=without_control(incoming.text))
    if isinstance(revised, str):
        revised = date.fromisoformat(revised)
    result = Answered()
    with transaction(engine) as session:
        facts = store.actions(session=session)
        fact = facts.get(ref)
        if fact is None:
            # A button of an old reminder, for an action a re-import took out of the plan.
            message = plain_message(f"There is no action {ref} in the plan any more.")
            result.keys += _say(
                session,
                f"gone:{incoming.channel}:{incoming.ts}",
                incoming.channel,
                message,
                incoming.root,
                now,
            )
            return result
        refused = _refused(session, settings, incoming, ref, now)
        if refused is not None:
            result.keys += refused
            return result
        update_id = store.record_update(
            session=session,
            action_id=fact.id,
            text=incoming.text,
            author=incoming.user,
            at=now,
            source=incoming.source,
            channel=incoming.channel,
            ts=incoming.ts,
        )
        if update_id is None:
            return result  # the same press, delivered again
        if (rag is not None and rag is not fact.rag) or revised is not None:
            result.proposals.append(
                store.add_proposal(
                    session=session,
                    action_id=fact.id,
                    update_id=update_id,
                    rag=rag if rag is not fact.rag else None,
                    revised=revised,
                    evidence=find_evidence(incoming.text, files=incoming.files),
                    by=incoming.user,
                    at=now,
                    status="unconfirmed",
                    echo_channel=incoming.channel,
                    echo_ts=incoming.root,
                )
            )
            result.superseded += store.supersede(
                session=session, action_id=fact.id, keep=result.proposals[-1], at=now
            )
        else:
            message = plain_message(
                f"Recorded your update on {ref}; its RAG stays {fact.rag.label}."
            )
            keys = _say(
                session,
                f"recorded:{incoming.channel}:{incoming.ts}",
                incoming.channel,
                message,
                incoming.root,
                now,
            )
            result.keys += keys
    return result


def read(*, engine: Engine, text: str, context_refs: list[str], today: date):
    """What the bot would understand of `text` against the loaded plan (`planbot parse`)."""
    with Session(engine) as session:
        facts = store.actions(session=session)
    unknown = [ref for ref in context_refs if ref not in facts]
    if unknown:
        raise ValueError(
            f"There is no action {', '.join(unknown)} in the plan "
            f"(it has {len(facts)} actions, {min(facts, key=ActionRef.parse, default='–')}–"
            f"{max(facts, key=ActionRef.parse, default='–')})."
        )
    plan = {ActionRef.parse(ref): _context(fact) for ref, fact in facts.items()}
    return understand(text, context=_context_actions(facts, context_refs), plan=plan, today=today)


def may_update(*, engine: Engine, settings: Settings, ref: str, user: str) -> str | None:
    """None when `user` may update action `ref`; else what they are told (no such action, or
    who leads it)."""
    with Session(engine) as session:
        facts = store.actions(session=session)
        if ref not in facts:
            refs = sorted(facts, key=ActionRef.parse)
            span = f"{refs[0]}–{refs[-1]}" if refs else "none"
            return f"There is no action {ref} in the plan (its actions run {span})."
        roles, users, deputies = store.leads_of(session=session, ref=ref)
    if may_update_action(user, leads=users, deputies=deputies, admins=settings.planbot_admins):
        return None
    return not_lead_message(ref, roles, users).text
