"""Rendering Slack messages readably in a terminal, from their Block Kit.

Sections and context keep their mrkdwn, fields become "label: value" lines, buttons are numbered
so that the shell's `:click N` can press them, and tables are aligned in columns.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

WIDTH = 100
_EMOJI = {
    ":red_circle:": "(R)",
    ":large_orange_circle:": "(A)",
    ":large_green_circle:": "(G)",
    ":white_check_mark:": "(C)",
    ":white_circle:": "( )",
    ":warning:": "(!)",
    ":rotating_light:": "(!)",
    ":date:": "",
    ":hourglass_flowing_sand:": "",
    ":spiral_calendar_pad:": "",
}


def plain(text: str) -> str:
    """mrkdwn to plain text: links and mentions shown by their label, entities decoded."""
    text = re.sub(r"<(?:https?://[^|>]+)\|([^>]+)>", r"\1", text)
    text = re.sub(r"<@([UW][A-Z0-9]+)>", r"@\1", text)
    # Bold and code marks read as noise in a terminal; the words stay.
    text = re.sub(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])", r"\1", text).replace("`", "")
    for code, mark in _EMOJI.items():
        text = text.replace(code, mark)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _wrap(text: str, indent: str = "") -> list[str]:
    lines = []
    for paragraph in plain(text).split("\n"):
        lines.extend(
            textwrap.wrap(paragraph, WIDTH, initial_indent=indent, subsequent_indent=indent)
            or [indent]
        )
    return lines


def _text_of(element: Any) -> str:
    if isinstance(element, dict):
        if "text" in element and isinstance(element["text"], str):
            return element["text"]
        if isinstance(element.get("text"), dict):
            return element["text"].get("text", "")
        if "elements" in element:
            return "".join(_text_of(e) for e in element["elements"])
    return ""


def table_lines(rows: list[list[dict]]) -> list[str]:
    cells = [[plain(_text_of(cell)) for cell in row] for row in rows]
    widths = [
        max(len(row[i]) if i < len(row) else 0 for row in cells)
        for i in range(max(map(len, cells), default=0))
    ]
    out = []
    for n, row in enumerate(cells):
        out.append(
            "  ".join(
                cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
                for i, cell in enumerate(row)
            ).rstrip()
        )
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return out


def render_blocks(blocks: list[dict], buttons: list[dict] | None = None) -> list[str]:
    """Terminal lines for a list of blocks; buttons found are appended to `buttons` and numbered."""
    buttons = buttons if buttons is not None else []
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            title = plain(_text_of(block))
            lines += [title.upper(), "=" * min(len(title), WIDTH)]
        elif kind == "section":
            if block.get("text"):
                lines += _wrap(_text_of(block))
            for field in block.get("fields", []):
                label, _, value = plain(_text_of(field)).partition("\n")
                lines.append(f"  {label.strip('*')}: {value}" if value else f"  {label}")
            if block.get("accessory", {}).get("type") == "button":
                buttons.append(block["accessory"])
                lines.append(f"  [{len(buttons)}] {_text_of(block['accessory'])}")
        elif kind == "context":
            for element in block.get("elements", []):
                lines += _wrap(_text_of(element), "  · ")
        elif kind == "divider":
            lines.append("-" * 40)
        elif kind == "actions":
            labels = []
            for element in block.get("elements", []):
                if element.get("type") == "button":
                    buttons.append(element)
                    labels.append(f"[{len(buttons)}] {_text_of(element)}")
                elif element.get("type") == "static_select":
                    # A menu: `:click OPTION` in the shell chooses one of its options.
                    buttons.append(element)
                    options = "/".join(o["text"]["text"] for o in element.get("options", []))
                    labels.append(f"[{len(buttons)}] {element['placeholder']['text']}: {options}")
            lines.append("  " + "   ".join(labels))
        elif kind == "table":
            lines += table_lines(block.get("rows", []))
        elif kind == "rich_text":
            for element in block.get("elements", []):
                lines += _wrap(_text_of(element))
        elif kind == "input":
            # A modal's field: the shell's :submit fills its text fields.
            optional = " (optional)" if block.get("optional") else ""
            lines.append(f"  ▸ {_text_of(block.get('label', {}))}{optional}")
        elif kind == "image":
            lines.append(f"[image: {block.get('alt_text', '')}]")
        else:
            lines.append(f"[{kind} block]")
    return lines


def render_item(item: dict, names: dict[str, str], buttons: list[dict] | None = None) -> str:
    """One entry of the double's feed as the person who sees it would read it."""
    who = names.get(item.get("user") or "", item.get("user") or "")
    where = names.get(item.get("channel") or "", item.get("channel") or "")
    heading = {
        "message": f"planbot → {where}"
        + (" (in thread)" if item.get("thread_ts") not in (None, item.get("ts")) else ""),
        "update": f"planbot edited a message in {where}",
        "ephemeral": f"planbot → {who} (only visible to you)",
        "response": f"planbot → {who} (only visible to you)",
        "view": f"planbot → {who} (view)",
        "file": f"planbot uploaded a file to {where}",
        "delete": f"planbot deleted a message in {where}",
    }.get(item.get("kind", ""), item.get("kind", ""))
    blocks = item.get("blocks") or (item.get("view") or {}).get("blocks") or []
    body = render_blocks(blocks, buttons) if blocks else _wrap(item.get("text") or "")
    # Mentions read as people's names, as Slack shows them.
    body = [
        re.sub(r"@([UW][A-Z0-9]{6,})", lambda m: "@" + names.get(m[1], m[1]), line) for line in body
    ]
    return "\n".join([f"┌ {heading}", *("│ " + line for line in body), "└"])
