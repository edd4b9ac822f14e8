"""conversations.open, .info, .history and .replies."""

from __future__ import annotations

from typing import Any

from bot.slack_double.answers import api_message, error
from bot.slack_double.params import flag, paginate_messages
from bot.slack_double.workspace import Conversation, Workspace, ts_key


def conversations_open(ws: Workspace, body: dict) -> dict:
    if body.get("channel"):
        conversation = ws.conversations.get(str(body["channel"]))
        if conversation is None:
            return error("channel_not_found")
        return {"ok": True, "no_op": True, "already_open": True, "channel": {"id": conversation.id}}
    user_ids = [u.strip() for u in str(body.get("users") or "").split(",") if u.strip()]
    if not user_ids:
        return error("users_list_not_supplied")
    if len(user_ids) > 8:
        return error("too_many_users")
    if len(user_ids) > 1:
        # Group DMs are outside what planbot does; say so rather than pretend.
        return {"ok": False, "error": "not_implemented", "detail": "the double opens 1:1 IMs only"}
    user = ws.users.get(user_ids[0])
    if user is None:
        return error("user_not_found")
    if user.deleted:
        return error("user_disabled")
    if user.is_bot:
        # Undocumented but what Slack answers a bot token asking for an IM with any bot user,
        # itself included (HubSpot/slack-client PR #90, confirmed with Slack's support).
        return error("cannot_dm_bot")
    already_open = user.id in ws.dms
    conversation = ws.dm_for(user.id)
    channel = (
        conversation_object(ws, conversation)
        if flag(body.get("return_im"))
        else {"id": conversation.id}
    )
    return {"ok": True, "no_op": already_open, "already_open": already_open, "channel": channel}


def conversations_info(ws: Workspace, body: dict) -> dict:
    conversation = _visible(ws, body.get("channel"))
    if conversation is None:
        return error("channel_not_found")
    return {"ok": True, "channel": conversation_object(ws, conversation)}


def conversations_history(ws: Workspace, body: dict) -> dict:
    """Top-level messages newest first, within oldest/latest, paged by limit and cursor."""
    conversation, problem = _readable(ws, body.get("channel"))
    if problem:
        return problem
    messages = _within(ws.top_level(conversation), body)
    if messages is None:
        return error("invalid_ts_oldest")
    messages.reverse()  # newest first, as Slack returns history
    answer = _page(messages, body, "messages", default_limit=100, newest_first=True)
    if answer["ok"]:
        answer.update(pin_count=0, channel_actions_ts=None, channel_actions_count=0)
    return answer


def conversations_replies(ws: Workspace, body: dict) -> dict:
    """A thread oldest first: its parent, then the replies within oldest/latest, paged."""
    conversation, problem = _readable(ws, body.get("channel"))
    if problem:
        return problem
    ts = str(body.get("ts") or "")
    message = conversation.messages.get(ts)
    if message is None:
        return error("thread_not_found")
    if message.get("thread_ts", ts) != ts:
        thread = [message]  # the ts of a reply fetches just that reply
    else:
        thread = ws.thread(conversation, ts)
        replies = _within(thread[1:], body)
        if replies is None:
            return error("invalid_ts_oldest")
        thread = thread[:1] + replies
    return _page(thread, body, "replies", default_limit=1000, newest_first=False)


def _page(
    messages: list[dict], body: dict, kind: str, *, default_limit: int, newest_first: bool
) -> dict:
    """The answer for one page of messages, with metadata if include_all_metadata asks for it."""
    page, next_cursor = paginate_messages(
        messages, body, kind, default_limit=default_limit, newest_first=newest_first
    )
    if page is None:
        return error("invalid_cursor")
    include_metadata = flag(body.get("include_all_metadata"))
    return {
        "ok": True,
        "messages": [api_message(m, include_metadata) for m in page],
        "has_more": bool(next_cursor),
        "response_metadata": {"next_cursor": next_cursor},
    }


def conversation_object(ws: Workspace, conversation: Conversation) -> dict:
    """A conversation as conversations.info (and conversations.open with return_im) shows it."""
    base = {
        "id": conversation.id,
        "created": conversation.created,
        "is_archived": False,
        "is_org_shared": False,
        "context_team_id": ws.team_id,
    }
    if conversation.is_im:
        user = ws.users.get(conversation.im_user or "")
        return base | {
            "is_im": True,
            "user": conversation.im_user,
            "is_user_deleted": bool(user and user.deleted),
            "priority": 0,
        }
    return base | {
        "name": conversation.name,
        "name_normalized": conversation.name,
        "is_channel": not conversation.is_private,
        "is_group": False,
        "is_im": False,
        "is_mpim": False,
        "is_private": conversation.is_private,
        "is_member": conversation.bot_is_member,
        "is_general": False,
    }


def _visible(ws: Workspace, channel: Any) -> Conversation | None:
    conversation = ws.conversations.get(str(channel or ""))
    # The bot cannot see a private channel it is not in: Slack says it does not exist.
    if conversation is None or (conversation.is_private and not conversation.bot_is_member):
        return None
    return conversation


def _readable(ws: Workspace, channel: Any) -> tuple[Conversation | None, dict | None]:
    conversation = _visible(ws, channel)
    if conversation is None:
        return None, error("channel_not_found")
    if not conversation.is_im and not conversation.bot_is_member:
        return None, error("not_in_channel")
    return conversation, None


def _within(messages: list[dict], body: dict) -> list[dict] | None:
    """Messages between `oldest` and `latest`, ends excluded unless `inclusive`; None if bad."""
    bounds = []
    for name in ("oldest", "latest"):
        value = body.get(name)
        try:
            bounds.append(ts_key(str(value)) if value not in (None, "") else None)
        except ArithmeticError:  # decimal.InvalidOperation: not a ts
            return None
    oldest, latest = bounds
    inclusive = flag(body.get("inclusive"))
    kept = []
    for message in messages:
        key = ts_key(message["ts"])
        if oldest is not None and (key < oldest or (key == oldest and not inclusive)):
            continue
        if latest is not None and (key > latest or (key == latest and not inclusive)):
            continue
        kept.append(message)
    return kept


METHODS = {
    "conversations.open": conversations_open,
    "conversations.info": conversations_info,
    "conversations.history": conversations_history,
    "conversations.replies": conversations_replies,
}
