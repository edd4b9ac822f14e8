"""`/plan`: acknowledge at once, then answer ephemerally through the command's response_url."""

from __future__ import annotations

import logging

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot import commands, status_view
from bot.clock import local_date
from bot.commands import Help, Invalid
from bot.deps import Deps
from bot.queries import answer_blocks, answer_status

log = logging.getLogger(__name__)

SLASH_COMMANDS = ("/plan",)


def register(app: App, deps: Deps) -> None:
    def plan_command(ack: Ack, command: dict, respond: Respond, client: WebClient) -> None:
        ack()
        parsed = commands.parse(command.get("text", ""))
        if isinstance(parsed, Help):
            blocks = status_view.help_blocks()
        elif isinstance(parsed, Invalid):
            blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": parsed.message}}]
        else:
            today = local_date(deps.clock, deps.settings.planbot_timezone)
            with Session(deps.engine) as session:
                answer = answer_status(session=session, command=parsed)
            if answer.error:
                blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": answer.error}}]
            else:
                blocks = answer_blocks(answer, today)
        _reply(respond, client, command["user_id"], blocks)

    for name in SLASH_COMMANDS:
        app.command(name)(plan_command)


def _reply(respond: Respond, client: WebClient, user_id: str, blocks: list[dict]) -> None:
    """Answer through response_url; fall back to plain text, then to a DM, if Slack refuses."""
    text = status_view.fallback_text(blocks)
    response = respond(text=text, blocks=blocks, response_type="ephemeral")
    if response.status_code == 200:
        return
    log.warning("response_url refused the answer (%s %s)", response.status_code, response.body)
    if response.status_code == 400:
        # A block Slack rejects (a table in an old client, a limit) still leaves the text answer.
        response = respond(text=_blocks_as_text(blocks), response_type="ephemeral")
        if response.status_code == 200:
            return
    # The response_url is used up or expired (5 uses, 30 minutes): a DM still reaches the user.
    try:
        client.chat_postMessage(channel=user_id, text=text, blocks=blocks)
    except SlackApiError as exc:
        log.error("could not answer %s by DM either: %s", user_id, exc.response.get("error"))


def _blocks_as_text(blocks: list[dict]) -> str:
    lines = []
    for block in blocks:
        if "text" in block and isinstance(block["text"], dict):
            lines.append(block["text"]["text"])
        for element in block.get("elements", []):
            if isinstance(element, dict) and "text" in element:
                lines.append(element["text"])
        if block["type"] == "table":
            lines.append("```" + "\n".join(" | ".join(c["text"] for c in row) for row in block["rows"]) + "```")
    return "\n".join(lines)[:39000]
