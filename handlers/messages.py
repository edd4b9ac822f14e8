"""Direct messages to the bot: a lead's reply, its edit, its deletion.

Strict filters: only people's messages in the bot's DMs; the bot's own messages, other bots'
and other subtypes are ignored on purpose, and edits and deletions are handled by name. Each is
stored in the inbox before it is processed (Slack's retries and Socket Mode's redeliveries carry
the same event id, and a stored key makes them no-ops; Bolt sends x-slack-retry-num 0 on first
Socket Mode deliveries, so the header's presence means nothing).
"""

from __future__ import annotations

from slack_bolt import Ack, App

from bot.deps import Deps
from handlers import inbox

# Message subtypes that carry a person's words (https://docs.slack.dev/reference/events/message).
WORDS = (None, "file_share", "thread_broadcast")


def register(app: App, deps: Deps) -> None:
    def direct_message(ack: Ack, body: dict, event: dict, context: dict) -> None:
        ack()
        if event.get("channel_type") != "im":
            return
        subtype = event.get("subtype")
        key = f"event:{body['event_id']}" if body.get("event_id") else None
        if subtype in WORDS:
            if _from_a_bot(event, context):
                return
            channel, ts = event["channel"], event["ts"]
            inbox.accept(
                deps,
                key=key or f"message:{channel}:{ts}",
                kind="message",
                payload=_incoming(event, event),
            )
        elif subtype == "message_changed":
            message = event.get("message") or {}
            if _from_a_bot(message, context) or message.get("text") == (
                event.get("previous_message") or {}
            ).get("text"):
                return  # a bot's message, or an unfurl that changed no words
            payload = _incoming(event, message)
            payload["edit_ts"] = event.get("event_ts") or event.get("ts")
            inbox.accept(
                deps,
                key=key or f"edit:{event['channel']}:{message.get('ts')}:{payload['edit_ts']}",
                kind="edit",
                payload=payload,
            )
        elif subtype == "message_deleted":
            previous = event.get("previous_message") or {}
            if _from_a_bot(previous, context):
                return
            inbox.accept(
                deps,
                key=key or f"delete:{event['channel']}:{event.get('deleted_ts')}",
                kind="delete",
                payload={
                    "channel": event["channel"],
                    "ts": event.get("deleted_ts") or previous.get("ts"),
                    "thread_ts": previous.get("thread_ts"),
                },
            )

    app.event("message")(direct_message)


def _from_a_bot(message: dict, context: dict) -> bool:
    return bool(message.get("bot_id")) or message.get("user") in (None, context.get("bot_user_id"))


def _incoming(event: dict, message: dict) -> dict:
    thread_ts = message.get("thread_ts")
    return {
        "user": message["user"],
        "channel": event["channel"],
        "ts": message["ts"],
        "thread_ts": thread_ts if thread_ts != message["ts"] else None,
        "text": message.get("text") or "",
        "files": len(message.get("files") or ()),
        "source": "reply",
    }
