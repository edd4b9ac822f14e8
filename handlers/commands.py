"""`/plan`: acknowledge at once, then answer ephemerally through the command's response_url."""

from __future__ import annotations

import logging

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError

from bot.clock import local_date
from bot.deps import Deps
from bot.slack.blocks import Answer
from bot.slack.respond import answer_privately
from bot.status import grammar
from bot.status.service import answer_command
from handlers import inbox

log = logging.getLogger(__name__)

SLASH_COMMANDS = ("/plan",)
UNAVAILABLE = "Sorry, I couldn't read the plan just now. Please try again in a minute."


def register(app: App, deps: Deps) -> None:
    def plan_command(ack: Ack, command: dict, respond: Respond, client: WebClient) -> None:
        ack()
        deps.background.submit(answer_plan_command, deps, command, respond, client)

    for name in SLASH_COMMANDS:
        app.command(name)(plan_command)


def answer_plan_command(deps: Deps, command: dict, respond: Respond, client: WebClient) -> None:
    """Answer `/plan …` to the person who asked, after the ack."""
    text = command.get("text", "")
    user = command.get("user_id")
    if not user:
        return  # not a person's command: nothing to answer, nobody to answer
    parsed = grammar.parse(text)
    if isinstance(parsed, grammar.Update):
        _update(deps, command, parsed)
        answer = Answer.message(
            f"Thanks — I've sent you what I understood of your update on {parsed.ref} in our "
            "DM, to confirm."
        )
        answer_privately(respond, client, user, answer)
        return
    tz = deps.settings.planbot_timezone
    try:
        answer = answer_command(
            engine=deps.engine, text=text, today=local_date(deps.clock, tz), tz=tz
        )
    except SQLAlchemyError:
        log.exception("/plan %r failed on the database", text)
        answer = Answer.message(UNAVAILABLE)
    answer_privately(respond, client, user, answer)


def _update(deps: Deps, command: dict, parsed: grammar.Update) -> None:
    """`/plan update 7.3 …`: a reply about 7.3, answered in the person's DM with the bot."""
    user = command["user_id"]
    identity = command.get("trigger_id") or f"{command.get('channel_id')}:{parsed.text[:40]}"
    incoming = {
        "user": user,
        "channel": user,  # a DM with the bot: chat.postMessage to a user's id opens it
        "ts": f"command:{identity}",
        "thread_ts": None,
        # Named first, so the reply is read as about that action.
        "text": f"{parsed.ref} {parsed.text}",
        "files": 0,
        "source": "command",
    }
    inbox.accept(deps, key=f"command:{identity}", kind="message", payload=incoming)
