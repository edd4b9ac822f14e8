"""`/plan`: acknowledge at once, then answer ephemerally through the command's response_url."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from bot import commands, status_view
from bot.clock import local_date
from bot.commands import Help, Invalid
from bot.deps import Deps
from bot.queries import answer_blocks, answer_status, answer_text

log = logging.getLogger(__name__)

SLASH_COMMANDS = ("/plan",)
UNAVAILABLE = "Sorry, I couldn't read the plan just now. Please try again in a minute."


@dataclass(frozen=True)
class Answer:
    """Blocks to show, and how to say the same in plain text should Slack refuse the blocks.

    The text is built only when needed: for a large priority it costs as much as the blocks.
    """

    blocks: list[dict]
    as_text: Callable[[], str]

    @classmethod
    def message(cls, text: str) -> Answer:
        return cls([status_view.section(text)], lambda: text)


def register(app: App, deps: Deps) -> None:
    def plan_command(ack: Ack, command: dict, respond: Respond, client: WebClient) -> None:
        ack()
        try:
            answer = _answer(deps, command.get("text", ""))
        except SQLAlchemyError:
            log.exception("/plan %r failed on the database", command.get("text", ""))
            answer = Answer.message(UNAVAILABLE)
        _reply(respond, client, command["user_id"], answer)

    for name in SLASH_COMMANDS:
        app.command(name)(plan_command)


def _answer(deps: Deps, text: str) -> Answer:
    parsed = commands.parse(text)
    if isinstance(parsed, Help):
        return Answer(status_view.help_blocks(), status_view.help_text)
    if isinstance(parsed, Invalid):
        return Answer.message(parsed.message)
    tz = deps.settings.planbot_timezone
    today = local_date(deps.clock, tz)
    with Session(deps.engine) as session:
        answer = answer_status(session=session, command=parsed)
    if answer.error:
        return Answer.message(answer.error)
    return Answer(answer_blocks(answer, today, tz), lambda: answer_text(answer, today, tz))


def _reply(respond: Respond, client: WebClient, user_id: str, answer: Answer) -> None:
    """Answer through response_url; fall back to plain text, then to a DM, if Slack refuses."""
    blocks: list[dict] | None = answer.blocks
    notification = status_view.fallback_text(answer.blocks)
    response = respond(text=notification, blocks=blocks, response_type="ephemeral")
    if response.status_code == 200:
        return
    log.warning("response_url refused the answer (%s %s)", response.status_code, response.body)
    if response.status_code == 400:
        # Slack refused a block (a limit, a block type an old client lacks): the text still answers.
        blocks, notification = None, _as_code(answer.as_text())
        response = respond(text=notification, response_type="ephemeral")
        if response.status_code == 200:
            return
    # The response_url is used up or expired (5 uses, 30 minutes): a DM still reaches the user,
    # with the blocks if Slack takes them, else as text.
    for text, dm_blocks in ((notification, blocks), (_as_code(answer.as_text()), None)):
        try:
            client.chat_postMessage(channel=user_id, text=text, blocks=dm_blocks)
            return
        except SlackApiError as exc:
            log.error("could not answer %s by DM: %s", user_id, exc.response.get("error"))
            if dm_blocks is None:
                return


MAX_TEXT = 39_000  # Slack truncates a message's text past 40,000 characters


def _as_code(text: str) -> str:
    """The text views in a preformatted block (keeps their columns), escaped and within Slack's size."""
    text = status_view.escape(text)
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT] + "\n… (cut: ask for one priority or action)"
    return f"```{text}```"
