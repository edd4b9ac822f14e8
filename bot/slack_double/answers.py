"""How the double answers: HTTP replies, Slack's error bodies and its checks of what a call sends."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from bot.slack_double.content_limits import (
    message_block_errors,
    message_text_errors,
    view_block_errors,
    view_errors,
)


@dataclass
class Reply:
    """An HTTP answer; drop=True means close the connection without sending it."""

    status: int
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False


def json_reply(
    status: int, answer: dict, headers: dict | None = None, *, drop: bool = False
) -> Reply:
    body = json.dumps(answer).encode()
    return Reply(status, body, "application/json; charset=utf-8", headers or {}, drop)


def text_reply(status: int, text: str, headers: dict | None = None, *, drop: bool = False) -> Reply:
    return Reply(status, text.encode(), "text/plain; charset=utf-8", headers or {}, drop)


def error(code: str) -> dict:
    """Slack's answer to a call it refuses: {"ok": false, "error": code}."""
    return {"ok": False, "error": code}


def invalid_arguments(errors: list[str]) -> dict:
    return _with_errors("invalid_arguments", errors)


def invalid_blocks(errors: list[str]) -> dict:
    return _with_errors("invalid_blocks", errors)


def _with_errors(code: str, errors: list[str]) -> dict:
    return {
        "ok": False,
        "error": code,
        "errors": errors,
        "response_metadata": {"messages": [f"[ERROR] {e}" for e in errors]},
    }


def content_problem(body: dict) -> dict | None:
    """Slack's answer to a message's text and blocks breaking a limit, or None."""
    blocks = body.get("blocks")
    if isinstance(blocks, str):
        return error("invalid_blocks_format")
    text = body.get("text")
    text = str(text) if text is not None and not isinstance(text, str) else text
    errors = message_text_errors(text, blocks, body.get("attachments"))
    if errors:
        return error(errors[0])
    errors = message_block_errors(blocks)
    return invalid_blocks(errors) if errors else None


def metadata_problem(body: dict) -> dict | None:
    """invalid_metadata_format unless metadata is absent or {"event_type": str, "event_payload": {}}."""
    metadata = body.get("metadata")
    if metadata is None or metadata == "":
        return None
    valid = (
        isinstance(metadata, dict)
        and isinstance(metadata.get("event_type"), str)
        and isinstance(metadata.get("event_payload"), dict)
    )
    return None if valid else error("invalid_metadata_format")


def view_problem(view: Any) -> dict | None:
    errors = view_errors(view)
    if errors:
        return invalid_arguments(errors)
    errors = view_block_errors(view)
    return invalid_blocks(errors) if errors else None


def api_message(message: dict, include_metadata: bool) -> dict:
    """A stored message as the Web API shows it; metadata only when asked for.

    conversations.history and conversations.replies leave metadata out unless called with
    include_all_metadata=true (https://docs.slack.dev/messaging/message-metadata).
    """
    shown = copy.deepcopy(message)
    if not include_metadata:
        shown.pop("metadata", None)
    return shown
