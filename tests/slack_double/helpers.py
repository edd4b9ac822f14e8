"""What the double's tests share: a start time, id shapes, Block Kit builders, error bodies."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from slack_sdk.errors import SlackApiError

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday, GMT in London, EST in New York


ID = re.compile(r"^[UCDFV]0[A-Z0-9]{7,9}$")


def api_error(call) -> dict:
    """The Slack error body a WebClient call raised."""
    with pytest.raises(SlackApiError) as raised:
        call()
    return raised.value.response.data


def section(text: str = "x", **extra) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def table(rows: int, cells: int = 2) -> dict:
    cell = {"type": "raw_text", "text": "1"}
    return {"type": "table", "rows": [[cell] * cells for _ in range(rows)]}


def button(i: int) -> dict:
    return {"type": "button", "action_id": f"a{i}", "text": {"type": "plain_text", "text": "go"}}
