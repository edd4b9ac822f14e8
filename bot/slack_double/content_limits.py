"""Slack's documented message, Block Kit and view limits, as plain validators.

The double enforces them on chat.postMessage, chat.update, chat.postEphemeral, response_url and
views.*; planbot's own block builders reuse them in tests. Every validator returns a list of error
strings, empty when the payload is within the limits. Block errors are worded like the `errors`
Slack returns with `invalid_blocks`, ending in a json-pointer that names the block index.
Sources: https://docs.slack.dev/reference/block-kit/blocks, the table block's page
https://docs.slack.dev/reference/block-kit/blocks/table-block, and the validators in
slack_sdk/models/blocks/blocks.py.
"""

from __future__ import annotations

from typing import Any

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_TEXT_CHARS = 40_000
MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_MARKDOWN_TEXT = 12_000
MAX_ACTIONS_ELEMENTS = 25
MAX_CONTEXT_ELEMENTS = 10
MAX_BLOCK_ID = 255
MAX_TABLES_PER_MESSAGE = 1
MAX_TABLE_ROWS = 100
MAX_TABLE_CELLS = 20
MAX_VIEW_TITLE = 24
MAX_PRIVATE_METADATA = 3000
MAX_CALLBACK_ID = 255
MAX_EXTERNAL_ID = 255

ONLY_ONE_TABLE = "only_one_table_allowed"

KNOWN_BLOCK_TYPES = frozenset(
    {
        "section",
        "header",
        "divider",
        "context",
        "actions",
        "image",
        "input",
        "rich_text",
        "table",
        "markdown",
        "file",
        "video",
        "data_table",
        "data_visualization",
    }
)

# Tables and charts render in messages and App Home but not in modals (Slack's Block Kit guidance,
# slackapi/slack-skills-plugin: skills/block-kit/references/data-display-design.md).
MODAL_FORBIDDEN_BLOCK_TYPES = frozenset({"table", "data_table", "data_visualization"})


def message_text_errors(
    text: str | None, blocks: list | None, attachments: list | None = None
) -> list[str]:
    """Slack's error code for a message's `text`: no_text, msg_too_long, or nothing."""
    if not text and not blocks and not attachments:
        return ["no_text"]
    if text and len(text) > MAX_TEXT_CHARS:
        return ["msg_too_long"]
    return []


def message_block_errors(blocks: Any) -> list[str]:
    """Why Slack would answer invalid_blocks to these message blocks (empty if it would not)."""
    if blocks is None:
        return []
    if not isinstance(blocks, list):
        return ["must provide an array of blocks [json-pointer:/blocks]"]
    errors = []
    if len(blocks) > MAX_MESSAGE_BLOCKS:
        errors.append(f"must provide an array of at most {MAX_MESSAGE_BLOCKS} blocks")
    errors += _blocks_errors(blocks, "/blocks")
    tables = [b for b in blocks if isinstance(b, dict) and b.get("type") == "table"]
    if len(tables) > MAX_TABLES_PER_MESSAGE:
        errors.append(ONLY_ONE_TABLE)
    return errors


def view_errors(view: Any) -> list[str]:
    """Why Slack would answer invalid_arguments to this view (modal or home), ignoring its blocks."""
    if not isinstance(view, dict):
        return ["must provide an object [json-pointer:/view]"]
    errors = []
    kind = view.get("type")
    if kind not in ("modal", "home"):
        errors.append("must be one of modal, home [json-pointer:/view/type]")
    blocks = view.get("blocks")
    if not isinstance(blocks, list):
        errors.append("must provide an array of blocks [json-pointer:/view/blocks]")
    elif len(blocks) > MAX_VIEW_BLOCKS:
        errors.append(f"must provide an array of at most {MAX_VIEW_BLOCKS} blocks")
    if kind == "modal":
        if not _text_of(view.get("title")):
            errors.append("must provide a title [json-pointer:/view/title]")
        for key in ("title", "submit", "close"):
            if len(_text_of(view.get(key))) > MAX_VIEW_TITLE:
                errors.append(
                    f"must be at most {MAX_VIEW_TITLE} characters [json-pointer:/view/{key}/text]"
                )
    limits = (
        ("private_metadata", MAX_PRIVATE_METADATA),
        ("callback_id", MAX_CALLBACK_ID),
        ("external_id", MAX_EXTERNAL_ID),
    )
    for key, limit in limits:
        value = view.get(key)
        if isinstance(value, str) and len(value) > limit:
            errors.append(f"must be at most {limit} characters [json-pointer:/view/{key}]")
    return errors


def view_block_errors(view: Any) -> list[str]:
    """Why Slack would answer invalid_blocks to this view's blocks (empty if it would not)."""
    if not isinstance(view, dict) or not isinstance(view.get("blocks"), list):
        return []
    blocks = view["blocks"]
    errors = _blocks_errors(blocks, "/view/blocks")
    if view.get("type") == "modal":
        for index, block in enumerate(blocks):
            if isinstance(block, dict) and block.get("type") in MODAL_FORBIDDEN_BLOCK_TYPES:
                errors.append(
                    f"{block['type']} blocks are not allowed in modals "
                    f"[json-pointer:/view/blocks/{index}]"
                )
    return errors


def _blocks_errors(blocks: list, pointer: str) -> list[str]:
    errors: list[str] = []
    seen_ids: set[str] = set()
    for index, block in enumerate(blocks):
        at = f"{pointer}/{index}"
        errors += _block_errors(block, at)
        block_id = block.get("block_id") if isinstance(block, dict) else None
        if isinstance(block_id, str):
            # Slack rejects a repeated block_id within one message or view.
            if block_id in seen_ids:
                errors.append(f"duplicate block_id {block_id!r} [json-pointer:{at}/block_id]")
            seen_ids.add(block_id)
    return errors


def _block_errors(block: Any, at: str) -> list[str]:
    if not isinstance(block, dict):
        return [f"must be an object [json-pointer:{at}]"]
    kind = block.get("type")
    if kind not in KNOWN_BLOCK_TYPES:
        return [f"unsupported block type {kind!r} [json-pointer:{at}/type]"]
    errors = []
    block_id = block.get("block_id")
    if isinstance(block_id, str) and len(block_id) > MAX_BLOCK_ID:
        errors.append(f"must be at most {MAX_BLOCK_ID} characters [json-pointer:{at}/block_id]")
    check = _CHECKS.get(kind)
    if check is not None:
        errors += check(block, at)
    return errors


def _section(block: dict, at: str) -> list[str]:
    errors = []
    text, fields = block.get("text"), block.get("fields")
    if not _text_of(text) and not fields:
        errors.append(f"must provide either text or fields [json-pointer:{at}]")
    if len(_text_of(text)) > MAX_SECTION_TEXT:
        errors.append(
            f"must be at most {MAX_SECTION_TEXT} characters [json-pointer:{at}/text/text]"
        )
    if isinstance(fields, list):
        if len(fields) > MAX_SECTION_FIELDS:
            errors.append(
                f"must provide an array of at most {MAX_SECTION_FIELDS} items "
                f"[json-pointer:{at}/fields]"
            )
        for i, field in enumerate(fields):
            if len(_text_of(field)) > MAX_FIELD_TEXT:
                errors.append(
                    f"must be at most {MAX_FIELD_TEXT} characters "
                    f"[json-pointer:{at}/fields/{i}/text]"
                )
    return errors


def _header(block: dict, at: str) -> list[str]:
    text = _text_of(block.get("text"))
    if not text:
        return [f"must provide text [json-pointer:{at}/text]"]
    if len(text) > MAX_HEADER_TEXT:
        return [f"must be at most {MAX_HEADER_TEXT} characters [json-pointer:{at}/text/text]"]
    return []


def _markdown(block: dict, at: str) -> list[str]:
    text = block.get("text")
    if not isinstance(text, str) or not text:
        return [f"must provide text [json-pointer:{at}/text]"]
    if len(text) > MAX_MARKDOWN_TEXT:
        return [f"must be at most {MAX_MARKDOWN_TEXT} characters [json-pointer:{at}/text]"]
    return []


def _elements(limit: int):
    def check(block: dict, at: str) -> list[str]:
        elements = block.get("elements")
        if not isinstance(elements, list) or not elements:
            return [f"must provide a non-empty array of elements [json-pointer:{at}/elements]"]
        if len(elements) > limit:
            return [f"must provide an array of at most {limit} items [json-pointer:{at}/elements]"]
        return []

    return check


def _table(block: dict, at: str) -> list[str]:
    rows = block.get("rows")
    if not isinstance(rows, list) or not rows:
        return [f"must provide a non-empty array of rows [json-pointer:{at}/rows]"]
    errors = []
    if len(rows) > MAX_TABLE_ROWS:
        errors.append(
            f"must provide an array of at most {MAX_TABLE_ROWS} rows [json-pointer:{at}/rows]"
        )
    for i, row in enumerate(rows):
        if not isinstance(row, list):
            errors.append(f"must be an array of cells [json-pointer:{at}/rows/{i}]")
        elif len(row) > MAX_TABLE_CELLS:
            errors.append(
                f"must provide an array of at most {MAX_TABLE_CELLS} cells "
                f"[json-pointer:{at}/rows/{i}]"
            )
    return errors


_CHECKS = {
    "section": _section,
    "header": _header,
    "markdown": _markdown,
    "actions": _elements(MAX_ACTIONS_ELEMENTS),
    "context": _elements(MAX_CONTEXT_ELEMENTS),
    "table": _table,
}


def _text_of(obj: Any) -> str:
    """The string inside a text object ({"type": ..., "text": ...}), or "" if there is none."""
    if isinstance(obj, dict):
        text = obj.get("text")
        return text if isinstance(text, str) else ""
    return ""
