"""Block Kit primitives within Slack's limits: sections, headers, context, escaping.

Slack's limits (https://docs.slack.dev/reference/block-kit/blocks): 50 blocks a message, 3,000
characters in a section's text, 150 in a header.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.plan.rag import Rag
from bot.plan.refs import SLACK_USER_ID

MAX_BLOCKS = 50

SECTION_LIMIT = 3000

# A table block holds at most 100 rows of at most 20 cells, and a message at most one table
# (https://docs.slack.dev/reference/block-kit/blocks/table-block).
TABLE_MAX_ROWS = 100
TABLE_MAX_CELLS = 20

RAG_EMOJI = {
    Rag.RED: ":red_circle:",
    Rag.AMBER: ":large_orange_circle:",
    Rag.GREEN: ":large_green_circle:",
    Rag.COMPLETED: ":white_check_mark:",
    Rag.UNRATED: ":white_circle:",
}


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def section(text: str) -> dict[str, Any]:
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": shorten_keep_lines(text, SECTION_LIMIT)},
    }


def shorten_keep_lines(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": shorten(text, 150)}}


def context(text: str) -> dict[str, Any]:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": shorten_keep_lines(text, 3000)}],
    }


def table_cell(text: str) -> dict[str, str]:
    return {"type": "raw_text", "text": text}


def table(rows: list[list[str]], align: list[str]) -> dict[str, Any]:
    """A table block of plain-text cells; `align` per column ("left", "center", "right")."""
    return {
        "type": "table",
        "rows": [[table_cell(text) for text in row] for row in rows],
        "column_settings": [{"align": a} for a in align],
    }


def fallback_text(blocks: list[dict[str, Any]]) -> str:
    """The notification text for a message: its header, or its first section."""
    for block in blocks:
        if block["type"] in ("header", "section") and "text" in block:
            return shorten(block["text"]["text"], 300)
    return "planbot"


def by_whom(author: str | None) -> str:
    """ " by @someone" for a Slack user (a mention), " by Name" for an imported author."""
    if not author:
        return ""
    return f" by <@{author}>" if SLACK_USER_ID.match(author) else f" by {escape(author)}"


@dataclass(frozen=True)
class Answer:
    """Blocks to show, and how to say the same in plain text should Slack refuse the blocks.

    The text is built only when needed: for a large priority it costs as much as the blocks.
    """

    blocks: list[dict]
    as_text: Callable[[], str]

    @classmethod
    def message(cls, text: str) -> Answer:
        return cls([section(text)], lambda: text)
