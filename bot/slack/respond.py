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
    """Answer through response_url; fall back to plain text, then to a DM, if Slack refuses or
    cannot be reached."""
    shown: list[dict] | None = answer.blocks
    notification = blocks.fallback_text(answer.blocks)
    status = _respond(respond, text=notification, blocks=shown)
    if status == 200:
        return
    if status == 400:
        # Slack refused a block (a limit, a block type an old client lacks): the text still answers.
        shown, notification = None, as_code(answer.as_text())
        if _respond(respond, text=notification, blocks=None) == 200:
            return
    # The response_url is used up or expired (5 uses, 30 minutes), or out of reach: a DM still
    # reaches the user, with the blocks if Slack takes them, else as text.
    for text, dm_blocks in ((notification, shown), (as_code(answer.as_text()), None)):
        try:
            client.chat_postMessage(channel=user_id, text=text, blocks=dm_blocks)
            return
        except SlackApiError as exc:
            log.error("could not answer %s by DM: %s", user_id, exc.response.get("error"))
            if dm_blocks is None:
                return


def _respond(respond: Respond, *, text: str, blocks: list[dict] | None) -> int | None:
    """Post to the response_url: its HTTP status, or None when the connection failed."""
    try:
        response = respond(text=text, blocks=blocks, response_type="ephemeral")
    except (OSError, ValueError) as exc:
        # slack_sdk's WebhookClient turns HTTP errors into a status but raises a connection's
        # failure: URLError (refused, unknown host, TLS), RemoteDisconnected (dropped unanswered)
        # and timeouts are all OSErrors; urllib raises ValueError for a response_url that is not
        # a URL at all (and Bolt for a request that carried none). Slack may have shown the
        # answer before the connection was lost; a DM that repeats it beats no answer.
        log.warning("response_url out of reach (%s); answering by DM", exc)
        return None
    if response.status_code != 200:
        log.warning("response_url refused the answer (%s %s)", response.status_code, response.body)
    return response.status_code


MAX_TEXT = 39_000  # Slack truncates a message's text past 40,000 characters


def as_code(text: str) -> str:
    """The text views in a preformatted block (keeps their columns), escaped and within Slack's size."""
    text = blocks.escape(text)
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT] + "\n… (cut: ask for one priority or action)"
    return f"```{text}```"
