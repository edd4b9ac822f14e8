"""Processing what the inbox holds: each stored item is handed to its feature's service, what
that planned is sent through the outbox, and the item is marked done. A crash anywhere leaves
the item pending; `redrive` processes it again, and the services' idempotency keeps it once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.approvals import service as approvals
from bot.clock import local_date
from bot.deps import Deps
from bot.plan.rag import Rag
from bot.replies import service as replies
from bot.replies.service import Incoming
from bot.slack.sender import LOOP_KINDS, deliver
from store import inbox

log = logging.getLogger(__name__)


def accept(deps: Deps, *, key: str, kind: str, payload: dict) -> None:
    """Store an incoming item, then process it after the ack (a duplicate is dropped here)."""
    item_id = inbox.receive(
        engine=deps.engine, key=key, kind=kind, payload=payload, at=deps.clock.now()
    )
    if item_id is None:
        log.info("already received %s: a retry or a redelivery, ignored", key)
        return
    deps.background.submit(process, deps, item_id)


def process(deps: Deps, item_id: int) -> None:
    item = inbox.take(engine=deps.engine, item_id=item_id, now=deps.clock.now())
    if item is None:
        return
    try:
        PROCESSORS[item.kind](deps, item.payload)
    except Exception as exc:
        # Logged with its traceback; the item stays pending for the next re-drive, up to a limit.
        log.exception("processing %s failed", item.key)
        inbox.failed(
            engine=deps.engine,
            item_id=item_id,
            error=repr(exc),
            final=item.attempts >= inbox.MAX_ATTEMPTS,
        )
        return
    inbox.done(engine=deps.engine, item_id=item_id, at=deps.clock.now())
    if deps.home is not None:
        # Whoever acted sees their Home as it now is (their actions, the approval queue).
        user = item.payload.get("user") or item.payload.get("incoming", {}).get("user")
        if user:
            deps.home.publish(user)


def redrive(deps: Deps, *, older_than: timedelta = timedelta(minutes=1)) -> int:
    """Process what a crash left pending; how many items."""
    with Session(deps.engine) as session:
        now = deps.clock.now()
        ids = inbox.pending(session=session, now=now, older_than=now - older_than)
    for item_id in ids:
        process(deps, item_id)
    return len(ids)


def _today(deps: Deps):
    return local_date(deps.clock, deps.settings.planbot_timezone)


def _send(deps: Deps) -> None:
    deliver(deps, kinds=LOOP_KINDS, pacer=deps.pacer)


def _incoming(payload: dict) -> Incoming:
    return Incoming(**payload)


def _message(deps: Deps, payload: dict) -> None:
    outcome = replies.receive(
        engine=deps.engine,
        settings=deps.settings,
        now=deps.clock.now(),
        today=_today(deps),
        incoming=_incoming(payload),
    )
    _rewrite(deps, approvals.rewrites_for(engine=deps.engine, proposal_ids=outcome.superseded))
    _send(deps)


def _edit(deps: Deps, payload: dict) -> None:
    edit_ts = payload.pop("edit_ts")
    outcome = replies.edited(
        engine=deps.engine,
        settings=deps.settings,
        now=deps.clock.now(),
        today=_today(deps),
        incoming=_incoming(payload),
        edit_ts=edit_ts,
    )
    _rewrite(deps, approvals.rewrites_for(engine=deps.engine, proposal_ids=outcome.superseded))
    _send(deps)


def _delete(deps: Deps, payload: dict) -> None:
    outcome = replies.deleted(engine=deps.engine, now=deps.clock.now(), **payload)
    _rewrite(deps, approvals.rewrites_for(engine=deps.engine, proposal_ids=outcome.superseded))
    _send(deps)


def _tell(deps: Deps, payload: dict, text: str) -> None:
    """A short answer to the person who pressed, in the thread of the message they pressed.

    Best effort: the change is recorded already, so a Slack failure here is logged, not raised
    (raising would re-run the whole item and say "Already …" where "Confirmed" was meant)."""
    if not text:
        return
    try:
        deps.client.chat_postMessage(
            channel=payload["channel"], thread_ts=payload.get("thread_ts"), text=text
        )
    except (SlackApiError, OSError) as exc:
        log.warning("could not answer %s: %s", payload.get("user"), _why(exc))


def _rewrite(deps: Deps, rewrites) -> None:
    """Rewrite messages already posted (the chair's request, once decided); best effort too."""
    for channel, ts, text, blocks in rewrites:
        try:
            deps.client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        except (SlackApiError, OSError) as exc:
            log.warning("could not update %s %s: %s", channel, ts, _why(exc))


def _why(exc: Exception) -> str:
    return exc.response.get("error") if isinstance(exc, SlackApiError) else repr(exc)


def _confirm(deps: Deps, payload: dict) -> None:
    step = approvals.confirm(
        engine=deps.engine,
        settings=deps.settings,
        now=deps.clock.now(),
        proposal_id=int(payload["proposal_id"]),
        user=payload["user"],
    )
    _send(deps)
    _tell(deps, payload, step.said)


def _change(deps: Deps, payload: dict) -> None:
    update_id, _, rag = payload["value"].partition(":")
    step = approvals.change_rag(
        engine=deps.engine,
        settings=deps.settings,
        now=deps.clock.now(),
        update_id=int(update_id),
        rag=Rag(rag),
        user=payload["user"],
    )
    _send(deps)
    _rewrite(deps, step.rewrites)
    _tell(deps, payload, step.said)


def _not_this(deps: Deps, payload: dict) -> None:
    step = approvals.not_this(
        engine=deps.engine,
        settings=deps.settings,
        now=deps.clock.now(),
        update_id=int(payload["update_id"]),
        user=payload["user"],
        channel=payload["channel"],
        thread_ts=payload.get("thread_ts"),
    )
    if not step.keys:
        _tell(deps, payload, step.said)
    _send(deps)


def _decide(deps: Deps, payload: dict) -> None:
    step = approvals.decide(
        engine=deps.engine,
        settings=deps.settings,
        now=deps.clock.now(),
        proposal_id=int(payload["proposal_id"]),
        user=payload["user"],
        accept=payload["accept"],
        reason=payload.get("reason"),
    )
    _send(deps)
    _rewrite(deps, step.rewrites)
    if not step.rewrites:
        _tell(deps, payload, step.said)


def _answer_button(deps: Deps, payload: dict) -> None:
    """On track / Delayed / Completed pressed on a reminder: an update the lead has confirmed."""
    outcome = replies.answer_button(
        engine=deps.engine,
        settings=deps.settings,
        now=deps.clock.now(),
        today=_today(deps),
        incoming=_incoming(payload["incoming"]),
        ref=payload["ref"],
        rag=Rag(payload["rag"]) if payload.get("rag") else None,
        revised=payload.get("revised"),
    )
    _rewrite(deps, approvals.rewrites_for(engine=deps.engine, proposal_ids=outcome.superseded))
    for proposal_id in outcome.proposals:
        step = approvals.confirm(
            engine=deps.engine,
            settings=deps.settings,
            now=deps.clock.now(),
            proposal_id=proposal_id,
            user=payload["incoming"]["user"],
        )
        _tell(
            deps,
            {
                "channel": payload["incoming"]["channel"],
                "thread_ts": payload["incoming"]["thread_ts"],
            },
            step.said,
        )
    _send(deps)


PROCESSORS: dict[str, Callable[[Deps, dict], None]] = {
    "message": _message,
    "edit": _edit,
    "delete": _delete,
    "confirm": _confirm,
    "change_rag": _change,
    "not_this": _not_this,
    "decide": _decide,
    "answer": _answer_button,
}
