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
from bot.status.service import answer_command

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
    tz = deps.settings.planbot_timezone
    try:
        answer = answer_command(
            engine=deps.engine, text=text, today=local_date(deps.clock, tz), tz=tz
        )
    except SQLAlchemyError:
        log.exception("/plan %r failed on the database", text)
        answer = Answer.message(UNAVAILABLE)
    answer_privately(respond, client, command["user_id"], answer)
