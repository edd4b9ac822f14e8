"""chat.postMessage, .update, .delete, .postEphemeral and .getPermalink."""

from __future__ import annotations

import copy
from typing import Any

from bot.slack_double.answers import api_message, content_problem, error, metadata_problem
from bot.slack_double.workspace import PERMALINK_BASE, Conversation, Workspace


def chat_post_message(ws: Workspace, body: dict) -> dict:
    conversation = ws.resolve(str(body.get("channel") or ""))
    if conversation is None:
        return error("channel_not_found")
    problem = unwritable(ws, conversation) or content_problem(body) or metadata_problem(body)
    if problem:
        return problem
    message = ws.add_message(conversation, bot_message_fields(ws, body), body.get("thread_ts"))
    emit_message(ws, "message", conversation, message)
    return _posted(conversation, message)


def chat_update(ws: Workspace, body: dict) -> dict:
    conversation, message, problem = _own_message(ws, body, "ts", "cant_update_message")
    if problem:
        return problem
    # Omitted text or blocks keep the old ones; an empty blocks array removes them.
    merged = {
        "text": body["text"] if body.get("text") is not None else message.get("text"),
        "blocks": body["blocks"] if body.get("blocks") is not None else message.get("blocks"),
        "attachments": body.get("attachments"),
    }
    problem = content_problem(merged) or metadata_problem(body)
    if problem:
        return problem
    message["text"] = merged["text"] or ""
    if merged["blocks"]:
        message["blocks"] = copy.deepcopy(merged["blocks"])
    else:
        message.pop("blocks", None)
    if body.get("metadata"):
        message["metadata"] = copy.deepcopy(body["metadata"])
    message["edited"] = {"user": ws.bot_user_id, "ts": ws.next_ts(conversation.id)}
    emit_message(ws, "update", conversation, message)
    return _posted(conversation, message, text=message["text"])


def chat_delete(ws: Workspace, body: dict) -> dict:
    conversation, message, problem = _own_message(ws, body, "ts", "cant_delete_message")
    if problem:
        return problem
    ws.remove_message(conversation, message["ts"])
    ws.emit("delete", channel=conversation.id, ts=message["ts"], thread_ts=message.get("thread_ts"))
    return {"ok": True, "channel": conversation.id, "ts": message["ts"]}


def chat_post_ephemeral(ws: Workspace, body: dict) -> dict:
    conversation = ws.resolve(str(body.get("channel") or ""))
    user = ws.users.get(str(body.get("user") or ""))
    if conversation is None:
        return error("channel_not_found")
    if user is None:
        return error("user_not_found")
    if conversation.is_im and conversation.im_user != user.id:
        return error("user_not_in_channel")
    if not conversation.is_im and not conversation.bot_is_member:
        return error("not_in_channel")
    problem = content_problem(body)
    if problem:
        return problem
    ts = ws.next_ts(conversation.id)
    ws.emit(
        "ephemeral",
        channel=conversation.id,
        user=user.id,
        ts=ts,
        thread_ts=body.get("thread_ts"),
        text=body.get("text") or "",
        blocks=body.get("blocks") or [],
    )
    return {"ok": True, "message_ts": ts}


def chat_get_permalink(ws: Workspace, body: dict) -> dict:
    conversation, message, problem = _own_message(ws, body, "message_ts", None)
    if problem:
        return problem
    ts = message["ts"]
    permalink = f"{PERMALINK_BASE}/archives/{conversation.id}/p{ts.replace('.', '')}"
    if message.get("thread_ts", ts) != ts:
        permalink += f"?thread_ts={message['thread_ts']}&cid={conversation.id}"
    return {"ok": True, "channel": conversation.id, "permalink": permalink}


def unwritable(ws: Workspace, conversation: Conversation) -> dict | None:
    """Why the bot may not post here (user_disabled, not_in_channel), or None."""
    if conversation.is_im:
        user = ws.users.get(conversation.im_user or "")
        # Assumed from conversations.open's contract: a deactivated user's IM refuses posts.
        return error("user_disabled") if user is not None and user.deleted else None
    return None if conversation.bot_is_member else error("not_in_channel")


def bot_message_fields(ws: Workspace, body: dict) -> dict:
    """The fields of a message the bot posts: its text, blocks, attachments and metadata."""
    fields: dict[str, Any] = {
        "user": ws.bot_user_id,
        "bot_id": ws.bot_id,
        "text": body.get("text") or "",
        "team": ws.team_id,
    }
    for name in ("blocks", "attachments", "metadata"):
        if body.get(name):
            fields[name] = body[name]
    return fields


def emit_message(ws: Workspace, kind: str, conversation: Conversation, message: dict) -> None:
    """Show a posted or updated message in the feed a shell renders."""
    ws.emit(
        kind,
        channel=conversation.id,
        ts=message["ts"],
        thread_ts=message.get("thread_ts") if message.get("thread_ts") != message["ts"] else None,
        text=message.get("text", ""),
        blocks=message.get("blocks", []),
        metadata=message.get("metadata"),
    )


def _posted(conversation: Conversation, message: dict, **extra: Any) -> dict:
    """The answer to a post or an update: the message with its metadata, as Slack echoes it."""
    return {
        "ok": True,
        "channel": conversation.id,
        "ts": message["ts"],
        **extra,
        "message": api_message(message, include_metadata=True),
    }


def _own_message(
    ws: Workspace, body: dict, ts_field: str, not_ours: str | None
) -> tuple[Conversation, dict, None] | tuple[None, None, dict]:
    """The stored message a call names, refused with `not_ours` unless the bot posted it."""
    conversation = ws.conversations.get(str(body.get("channel") or ""))
    if conversation is None:
        return None, None, error("channel_not_found")
    message = conversation.messages.get(str(body.get(ts_field) or ""))
    if message is None:
        return None, None, error("message_not_found")
    if not_ours is not None and message.get("bot_id") != ws.bot_id:
        return None, None, error(not_ours)
    return conversation, message, None


METHODS = {
    "chat.postMessage": chat_post_message,
    "chat.update": chat_update,
    "chat.delete": chat_delete,
    "chat.postEphemeral": chat_post_ephemeral,
    "chat.getPermalink": chat_get_permalink,
}
