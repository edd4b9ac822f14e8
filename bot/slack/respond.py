"""Answering one person privately: the response_url first, then plain text, then a DM."""

from __future__ import annotations

import logging

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack import blocks
from bot.slack.blocks import Answer

log = logging.getLogger(__name__)


def answer_privately(respond: Respond, client: WebClient, user_id: str, answer: Answer) -> None:
    """Answer through response_url; fall back to plain text, then to a DM, if Slack refuses."""
    shown: list[dict] | None = answer.blocks
    notification = blocks.fallback_text(answer.blocks)
    response = respond(text=notification, blocks=shown, response_type="ephemeral")
    if response.status_code == 200:
        return
    log.warning("response_url refused the answer (%s %s)", response.status_code, response.body)
    if response.status_code == 400:
        # Slack refused a block (a limit, a block type an old client lacks): the text still answers.
        shown, notification = None, as_code(answer.as_text())
        response = respond(text=notification, response_type="ephemeral")
        if response.status_code == 200:
            return
    # The response_url is used up or expired (5 uses, 30 minutes): a DM still reaches the user,
    # with the blocks if Slack takes them, else as text.
    for text, dm_blocks in ((notification, shown), (as_code(answer.as_text()), None)):
        try:
            client.chat_postMessage(channel=user_id, text=text, blocks=dm_blocks)
            return
        except SlackApiError as exc:
            log.error("could not answer %s by DM: %s", user_id, exc.response.get("error"))
            if dm_blocks is None:
                return


MAX_TEXT = 39_000  # Slack truncates a message's text past 40,000 characters


def as_code(text: str) -> str:
    """The text views in a preformatted block (keeps their columns), escaped and within Slack's size."""
    text = blocks.escape(text)
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT] + "\n… (cut: ask for one priority or action)"
    return f"```{text}```"
