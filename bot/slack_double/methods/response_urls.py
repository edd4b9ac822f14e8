"""The response_url a command or action hands the bot: five uses within 30 minutes.

It answers in plain text ("ok", or a 404 word such as "used_url"), not Slack's JSON.
"""

from __future__ import annotations

import copy

from bot.slack_double.answers import content_problem
from bot.slack_double.methods.chat import bot_message_fields, emit_message
from bot.slack_double.params import flag, loads_or_empty
from bot.slack_double.workspace import RESPONSE_URL_LIFETIME, RESPONSE_URL_USES, Workspace


def respond(ws: Workspace, token: str, raw: bytes) -> tuple[int, str]:
    """Apply one POST to a response_url; its HTTP status and plain-text answer."""
    hook = ws.response_urls.get(token)
    if hook is None:
        return 404, "no_service"
    if ws.now() - hook.created > RESPONSE_URL_LIFETIME:
        return 404, "expired_url"
    if hook.uses >= RESPONSE_URL_USES:
        return 404, "used_url"
    body = loads_or_empty(raw)
    if raw and not body:
        return 400, "invalid_payload"
    conversation = ws.conversations[hook.channel_id]
    original = conversation.messages.get(hook.message_ts or "")
    if original is not None and original.get("bot_id") != ws.bot_id:
        original = None  # only the bot's own message can be replaced or deleted
    if flag(body.get("delete_original")):
        hook.uses += 1
        if original is not None:
            ws.remove_message(conversation, original["ts"])
            ws.emit("delete", channel=conversation.id, ts=original["ts"])
        else:
            ws.emit("response", channel=conversation.id, user=hook.user_id, delete_original=True)
        return 200, "ok"
    problem = content_problem(body)
    if problem:
        return 400, problem["error"]
    hook.uses += 1
    text, blocks = body.get("text") or "", body.get("blocks") or []
    if flag(body.get("replace_original")) and original is not None:
        original["text"] = text
        original["blocks"] = copy.deepcopy(blocks)
        original["edited"] = {"user": ws.bot_user_id, "ts": ws.next_ts(conversation.id)}
        emit_message(ws, "update", conversation, original)
    elif body.get("response_type") == "in_channel":
        message = ws.add_message(conversation, bot_message_fields(ws, body), body.get("thread_ts"))
        emit_message(ws, "message", conversation, message)
    else:
        ws.emit(
            "response",
            channel=conversation.id,
            user=hook.user_id,
            thread_ts=body.get("thread_ts"),
            text=text,
            blocks=blocks,
            replace_original=flag(body.get("replace_original")),
        )
    return 200, "ok"
