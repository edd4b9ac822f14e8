"""Reading a Web API request's parameters: the body, flags, numbers and paging cursors."""

from __future__ import annotations

import contextlib
import json
from base64 import b64decode, b64encode
from typing import Any
from urllib.parse import parse_qsl

from bot.slack_double.workspace import ts_key

# Form fields WebClient sends as JSON strings; the recording and the methods see them decoded.
JSON_FIELDS = ("blocks", "attachments", "metadata", "view", "unfurls", "files", "user_auth_blocks")


def parse_body(raw: bytes, content_type: str, query: str = "") -> dict:
    """The request's parameters: query string plus form fields (JSON fields decoded) or JSON."""
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    if not raw:
        return params
    text = raw.decode("utf-8", errors="replace")
    if content_type.startswith("application/json") or text.lstrip().startswith("{"):
        parsed = json.loads(text)  # ValueError becomes invalid_json for the caller
        if isinstance(parsed, dict):
            params.update(parsed)
        return params
    if content_type.startswith("multipart/"):
        return params  # only legacy methods send multipart; the raw bytes are recorded
    form: dict[str, Any] = dict(parse_qsl(text, keep_blank_values=True))
    for key in JSON_FIELDS:
        if isinstance(form.get(key), str):
            # Undecodable JSON stays a string: the method answers invalid_*_format, as Slack does.
            with contextlib.suppress(ValueError):
                form[key] = json.loads(form[key])
    params.update(form)
    return params


def flag(value: Any) -> bool:
    """A boolean parameter as Slack reads it: true, 1 or yes, in a form field or JSON."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def as_int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def loads_or_empty(raw: bytes) -> dict:
    """A JSON object body, or {} for anything else."""
    try:
        parsed = json.loads(raw.decode("utf-8")) if raw else {}
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def paginate(items: list, body: dict, kind: str, *, default_limit: int) -> tuple[list | None, str]:
    """One page of items and the cursor for the next ("" at the end); None for a bad cursor."""
    try:
        given = _cursor_value(body, kind)
        start = int(given) if given is not None else 0
    except ValueError:
        return None, ""
    if start < 0:
        return None, ""
    end = start + _limit(body, default_limit, len(items))
    return items[start:end], _cursor(kind, end) if end < len(items) else ""


def paginate_messages(
    messages: list[dict], body: dict, kind: str, *, default_limit: int, newest_first: bool
) -> tuple[list[dict] | None, str]:
    """One page of messages, with a cursor naming the ts the next page starts at.

    Slack's cursors are opaque; the double's name a message's ts rather than an offset, so messages
    posted while a sender pages through history (newest first) do not shift the pages under it: a
    sender reconciling "was my message posted?" sees every older message exactly once.
    """
    try:
        given = _cursor_value(body, kind)
        resume = ts_key(given) if given is not None else None
    except (ValueError, ArithmeticError):  # decimal.InvalidOperation is an ArithmeticError
        return None, ""
    start = 0
    if resume is not None:
        # The list is in order, so the messages already shown are those on the near side of the ts.
        keys = [ts_key(message["ts"]) for message in messages]
        start = sum(1 for key in keys if (key > resume if newest_first else key < resume))
    end = start + _limit(body, default_limit, len(messages))
    next_cursor = _cursor(kind, messages[end]["ts"]) if end < len(messages) else ""
    return messages[start:end], next_cursor


def _cursor_value(body: dict, kind: str) -> str | None:
    """What the request's cursor carries, None without one; ValueError if this double did not give it."""
    cursor = body.get("cursor")
    if not cursor:
        return None
    # binascii.Error and UnicodeDecodeError are both ValueErrors.
    prefix, _, value = b64decode(str(cursor)).decode().partition(":")
    if prefix != kind:
        raise ValueError(f"not a {kind} cursor")
    return value


def _cursor(kind: str, value: object) -> str:
    return b64encode(f"{kind}:{value}".encode()).decode()


def _limit(body: dict, default_limit: int, count: int) -> int:
    # limit=0 or absent means the method's default; a default of 0 means everything.
    return as_int(body.get("limit"), default_limit) or default_limit or count or 1
