"""Buttons in the bot's messages: each acknowledged at once, stored, and done after the ack."""

from __future__ import annotations

import json
import logging

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.approvals import service as approvals
from bot.approvals.messages import ACCEPT_ACTION_ID, RETURN_ACTION_ID, return_modal
from bot.clock import local_date
from bot.deps import Deps
from bot.plan.rag import Rag
from bot.plan.timing import uk_date
from bot.reminders import service as reminders
from bot.reminders.message import (
    ADD_UPDATE_ACTION_ID,
    COMPLETED_ACTION_ID,
    DELAYED_ACTION_ID,
    ON_TRACK_ACTION_ID,
    SNOOZE_ACTION_ID,
)
from bot.replies.messages import (
    CHANGE_RAG_ACTION_ID,
    CONFIRM_ACTION_ID,
    NOT_THIS_ACTION_ID,
    add_update_modal,
)
from handlers import inbox
from store import replies as replies_store

log = logging.getLogger(__name__)

# The one-press answers on a reminder: what the update says, and the RAG it proposes.
ANSWERS = {
    ON_TRACK_ACTION_ID: ("On track", Rag.GREEN),
    DELAYED_ACTION_ID: ("Delayed", Rag.AMBER),
    COMPLETED_ACTION_ID: ("Completed", Rag.COMPLETED),
}


def where(body: dict) -> tuple[str, str | None]:
    """The conversation of the pressed message, and the thread to answer in."""
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
    message = body.get("message") or {}
    thread = message.get("thread_ts") or message.get("ts") or container.get("message_ts")
    return channel or body["user"]["id"], thread


def _key(body: dict) -> str:
    action = body["actions"][0]
    # Every press has its own trigger; a retried request carries the same one.
    return f"action:{body.get('trigger_id') or action.get('action_ts')}"


def register(app: App, deps: Deps) -> None:
    def snooze_pressed(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        deps.background.submit(snooze, deps, body, client)

    def answer_pressed(ack: Ack, body: dict) -> None:
        ack()
        action = body["actions"][0]
        text, rag = ANSWERS[action["action_id"]]
        channel, thread = where(body)
        incoming = {
            "user": body["user"]["id"],
            "channel": channel,
            "ts": f"press:{body.get('trigger_id') or action.get('action_ts')}",
            "thread_ts": thread,
            "text": text,
            "files": 0,
            "source": "button",
        }
        payload = {"incoming": incoming, "ref": action["value"], "rag": rag.value}
        inbox.accept(deps, key=_key(body), kind="answer", payload=payload)

    def add_update_pressed(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        deps.background.submit(open_add_update, deps, body, client)

    def proposal_pressed(ack: Ack, body: dict) -> None:
        ack()
        action = body["actions"][0]
        channel, thread = where(body)
        base = {"user": body["user"]["id"], "channel": channel, "thread_ts": thread}
        match action["action_id"]:
            case "proposal_confirm":
                kind, extra = "confirm", {"proposal_id": action["value"]}
            case "proposal_change_rag":
                kind, extra = "change_rag", {"value": action["selected_option"]["value"]}
            case "proposal_not_this":
                kind, extra = "not_this", {"update_id": action["value"]}
            case _:
                kind, extra = "decide", {"proposal_id": action["value"], "accept": True}
        inbox.accept(deps, key=_key(body), kind=kind, payload={**base, **extra})

    def return_pressed(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        deps.background.submit(open_return, deps, body, client)

    app.action(SNOOZE_ACTION_ID)(snooze_pressed)
    for action_id in ANSWERS:
        app.action(action_id)(answer_pressed)
    app.action(ADD_UPDATE_ACTION_ID)(add_update_pressed)
    for action_id in (
        CONFIRM_ACTION_ID,
        CHANGE_RAG_ACTION_ID,
        NOT_THIS_ACTION_ID,
        ACCEPT_ACTION_ID,
    ):
        app.action(action_id)(proposal_pressed)
    app.action(RETURN_ACTION_ID)(return_pressed)


def snooze(deps: Deps, body: dict, client: WebClient) -> None:
    """Snooze the pressed action's reminders, and say so in the reminder's thread."""
    user = body["user"]["id"]
    ref = str(body["actions"][0].get("value", ""))
    channel, thread = where(body)
    settings = deps.settings
    if not reminders.action_exists(engine=deps.engine, ref=ref):
        text = f"There is no action {ref} in the plan any more."
    elif not reminders.may_snooze(engine=deps.engine, settings=settings, ref=ref, user=user):
        text = f"Only the leads of action {ref}, their deputies or a plan admin can snooze it."
    else:
        until = reminders.snooze(
            engine=deps.engine,
            settings=settings,
            ref=ref,
            user=user,
            today=local_date(deps.clock, settings.planbot_timezone),
            now=deps.clock.now(),
        )
        text = (
            f"Snoozed action {ref}: no reminders about it until after {uk_date(until)}."
            if until
            else f"There is no action {ref} in the plan any more."
        )
    client.chat_postMessage(channel=channel, thread_ts=thread, text=text)


def open_add_update(deps: Deps, body: dict, client: WebClient) -> None:
    """The Add update… modal for the pressed action (a trigger lasts 3 seconds: opened first)."""
    ref = str(body["actions"][0].get("value", ""))
    channel, thread = where(body)
    with Session(deps.engine) as session:
        fact = replies_store.actions(session=session).get(ref)
    if fact is None:
        return
    metadata = json.dumps({"ref": ref, "channel": channel, "thread_ts": thread})
    try:
        client.views_open(
            trigger_id=body["trigger_id"], view=add_update_modal(ref, fact.text, metadata)
        )
    except SlackApiError as exc:
        log.warning("could not open the update modal: %s", exc.response.get("error"))


def open_return(deps: Deps, body: dict, client: WebClient) -> None:
    """The modal asking the approver why they return a proposal."""
    proposal_id = int(body["actions"][0]["value"])
    with Session(deps.engine) as session:
        view = replies_store.proposal(session=session, proposal_id=proposal_id)
    if view is None:
        return
    try:
        client.views_open(
            trigger_id=body["trigger_id"], view=return_modal(approvals.proposed(view))
        )
    except SlackApiError as exc:
        log.warning("could not open the return modal: %s", exc.response.get("error"))
