"""The digest as Slack messages: the exceptions and the current tracker in the top message, the
rest in its thread; every message within Slack's limits whatever the plan's size.

Slack's limits (https://docs.slack.dev/reference/block-kit/blocks): 50 blocks a message, 3,000
characters a section, one table block a message. Slack also refuses a message whose blocks hold
much more than 12,000 characters in all (`msg_blocks_too_long`, seen at about 13,200), so each
message is kept under MESSAGE_CHARS. A message with a table carries a second rendering, the table
as preformatted text, for when Slack refuses the table block.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.digest.digest import Digest
from bot.digest.parts import (
    Part,
    action_line,
    attention_counts,
    attention_parts,
    participation_part,
    priority_title,
    week_counts,
    week_parts,
    week_title,
)
from bot.digest.tables import Table, current_tables, month_tables
from bot.plan.timing import uk_date
from bot.plan.words import counted
from bot.slack.blocks import (
    MAX_BLOCKS,
    SECTION_LIMIT,
    context,
    escape,
    header,
    section,
    shorten,
)

MESSAGE_CHARS = 12_000
NOTIFICATION_CHARS = 3_000  # a message's `text`: what notifications and screen readers get
LINE_CHARS = 600  # one line of a list, at most
# How long the thread may grow: a plan of 10,000 actions would otherwise post hundreds of
# messages; past these, the thread points at `/plan status N`.
LIST_LINES = 100
DETAIL_MESSAGES = 20
PRIORITY_LINES = 300
METADATA_TYPE = "planbot_digest"


@dataclass(frozen=True)
class DigestMessage:
    """One message: its text, its blocks, and the same blocks with the table as preformatted
    text (None when it has no table)."""

    text: str
    blocks: list[dict[str, Any]]
    fallback_blocks: list[dict[str, Any]] | None = None

    def payload(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks, "fallback_blocks": self.fallback_blocks}


@dataclass(frozen=True)
class PreparedDigest:
    """What posting the digest sends: the top message, its thread, and the chart for the thread."""

    week: str  # "2018-W47": one digest per channel per ISO week
    top: DigestMessage
    thread: tuple[DigestMessage, ...]
    chart: bytes | None = None
    chart_name: str = "digest.png"
    chart_title: str = "RAG ratings"
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def messages(self) -> list[DigestMessage]:
        return [self.top, *self.thread]


def block_chars(blocks: list[dict[str, Any]]) -> int:
    """The characters of text the blocks hold, as Slack counts them towards a message's total."""
    total = 0
    for block in blocks:
        kind = block.get("type")
        if kind in ("section", "header"):
            total += len(block.get("text", {}).get("text", ""))
            total += sum(len(f.get("text", "")) for f in block.get("fields", ()))
        elif kind == "context":
            total += sum(len(e.get("text", "")) for e in block.get("elements", ()))
        elif kind == "table":
            total += sum(len(cell.get("text", "")) for row in block["rows"] for cell in row)
    return total


def fits(blocks: list[dict[str, Any]]) -> bool:
    return len(blocks) <= MAX_BLOCKS and block_chars(blocks) <= MESSAGE_CHARS


def _message(blocks: list[dict[str, Any]], text: str, table: Table | None = None) -> DigestMessage:
    fallback = None
    if table is not None:
        fallback = []
        for block in blocks:
            fallback += table.preformatted() if block.get("type") == "table" else [block]
    return DigestMessage(shorten_text(text), blocks, fallback)


def shorten_text(text: str) -> str:
    return text if len(text) <= NOTIFICATION_CHARS else text[: NOTIFICATION_CHARS - 1] + "…"


# --- Packing lists into sections and messages ---------------------------------------------------


def _sections(title: str, lines: list[str]) -> list[dict[str, Any]]:
    """A titled list as sections of whole lines, each within a section's 3,000 characters."""
    blocks, chunk = [], [f"*{escape(title)}*"]
    for line in lines:
        line = line if len(line) <= LINE_CHARS else line[: LINE_CHARS - 1] + "…"
        if len("\n".join([*chunk, line])) > SECTION_LIMIT:
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    blocks.append(section("\n".join(chunk)))
    return blocks


def _part_blocks(part: Part) -> list[dict[str, Any]]:
    lines = [line.mrkdwn for line in part.lines]
    if part.hidden:
        more = f"…and {part.hidden} more" + (f": {part.more}" if part.more else "")
        lines.append(f"_{more}_")
    return _sections(part.title, lines)


class _Packer:
    """Fills messages with blocks in order, starting a new one when the next would not fit."""

    def __init__(self, first_text: str) -> None:
        self.messages: list[DigestMessage] = []
        self.blocks: list[dict[str, Any]] = []
        self.text = first_text

    def add(self, blocks: list[dict[str, Any]], text: str) -> None:
        for block in blocks:
            if self.blocks and not fits([*self.blocks, block]):
                self.flush()
            if not self.blocks:
                self.text = text
            self.blocks.append(block)

    def count(self) -> int:
        """Messages so far, the one being filled included."""
        return len(self.messages) + bool(self.blocks)

    def save(self) -> tuple[int, list[dict[str, Any]], str]:
        return len(self.messages), list(self.blocks), self.text

    def restore(self, saved: tuple[int, list[dict[str, Any]], str]) -> None:
        count, blocks, text = saved
        del self.messages[count:]
        self.blocks, self.text = blocks, text

    def flush(self) -> None:
        if self.blocks:
            self.messages.append(_message(self.blocks, self.text))
        self.blocks = []


# --- The messages --------------------------------------------------------------------------------


def top_message(digest: Digest, lines_each: int = 5) -> DigestMessage:
    """Exception first: what needs attention, this week in figures, then the current tracker."""
    tables = current_tables(digest)
    for limit in (lines_each, 3, 1, 0):
        message = _top(digest, tables[0], limit)
        if fits(message.blocks) and fits(message.fallback_blocks or []):
            return message
    return message


def _top(digest: Digest, table: Table, limit: int) -> DigestMessage:
    totals = digest.totals
    attention = attention_counts(digest)
    headline = f"*{escape(digest.plan_name)}*\n{escape(totals.summary())}.\n" + (
        "*Needs attention:* " + " · ".join(attention) + "."
        if attention
        else ":white_check_mark: Nothing needs the committee's attention this week."
    )
    blocks: list[dict[str, Any]] = [
        header(f"Committee digest · {uk_date(digest.today)}"),
        section(headline),
    ]
    if limit:
        for part in attention_parts(digest, limit):
            blocks += _part_blocks(
                Part(part.key, part.title, part.lines, part.hidden, "in the thread")
            )
    blocks.append(section(f"*{week_title(digest)}:* " + " · ".join(week_counts(digest)) + "."))
    waiting = sum(digest.pending_by_priority.values())
    blocks.append(
        section(
            "*Current RAG ratings by recommendation* — agreed RAGs only"
            + (f"; {counted(waiting, 'proposal')} waiting, counted apart." if waiting else ".")
        )
    )
    blocks.append(table.block())
    blocks.append(
        context(
            "In the thread: ratings by month, this week's changes, participation, every action "
            "by priority, and a chart."
        )
    )
    text = (
        f"Committee digest {uk_date(digest.today)}: {totals.summary()}"
        + (f"; {', '.join(attention)}" if attention else "")
        + "."
    )
    return _message(blocks, text, table)


def thread_messages(digest: Digest) -> list[DigestMessage]:
    """The thread under the top message, in reading order."""
    messages: list[DigestMessage] = []
    for n, table in enumerate(current_tables(digest)[1:], start=2):
        title = f"Current RAG ratings by recommendation (part {n})"
        messages.append(_message([section(f"*{title}*"), table.block()], title, table))
    for n, table in enumerate(month_tables(digest), start=1):
        title = "RAG ratings by month" + (f" (part {n})" if n > 1 else "")
        note = (
            "Past months as frozen at each month's end; the current month is live (so far)."
            if n == 1
            else ""
        )
        blocks = [section(f"*{title}*"), table.block()]
        if note:
            blocks.append(context(note))
        messages.append(_message(blocks, title, table))

    packer = _Packer("Needs attention")
    attention = attention_parts(digest, LIST_LINES)
    if attention:
        packer.add([header("Needs attention")], "Needs attention")
        for part in attention:
            packer.add(_part_blocks(part), f"Needs attention: {part.title}")
    packer.flush()
    title = week_title(digest)
    packer.add([header(title)], title)
    changes = week_parts(digest, LIST_LINES)
    for part in changes:
        packer.add(_part_blocks(part), f"{title}: {part.title}")
    if not changes:
        packer.add([section("No changes were recorded this week.")], title)
    participation = participation_part(digest, LIST_LINES)
    packer.add(_part_blocks(participation), participation.title)
    packer.flush()
    messages += packer.messages

    messages += _detail_messages(digest)
    return messages


def _detail_messages(digest: Digest) -> list[DigestMessage]:
    """Per priority, its actions with RAG and last update; at most DETAIL_MESSAGES messages."""
    packer = _Packer("Actions by priority")
    priorities = digest.outline.priorities
    shown = 0
    for priority in priorities:
        lines = [action_line(a, digest.tz).mrkdwn for a in priority.actions[:PRIORITY_LINES]]
        hidden = len(priority.actions) - len(lines)
        if hidden:
            lines.append(f"_…and {hidden} more: `/plan status {priority.number}` lists them all_")
        title = f"{priority_title(priority)} — {shorten(priority.title, 200)}"
        blocks = [section(f"*{escape(title)}*")]
        blocks += _sections(digest.by_priority[priority.number].summary(), lines or ["No actions."])
        saved = packer.save()
        packer.add(blocks, f"Actions of {priority_title(priority)}")
        if packer.count() > DETAIL_MESSAGES - 1:
            packer.restore(saved)
            break
        shown += 1
    if shown < len(priorities):
        rest = priorities[shown:]
        packer.add(
            [
                context(
                    f"{counted(len(rest), 'more priority')} not shown here "
                    f"(priorities {rest[0].number}–{rest[-1].number}): "
                    f"`/plan status {rest[0].number}` shows one."
                )
            ],
            "More priorities",
        )
    packer.flush()
    return packer.messages


def prepare(digest: Digest, chart: bytes | None = None) -> PreparedDigest:
    """Everything posting the digest sends, built without Slack."""
    year, week = digest.iso_week
    key = f"{year}-W{week:02d}"
    return PreparedDigest(
        week=key,
        top=top_message(digest),
        thread=tuple(thread_messages(digest)),
        chart=chart,
        chart_name=f"rag-ratings-{key}.png",
        chart_title=f"RAG ratings by month and by recommendation, {uk_date(digest.today)}",
        metadata={"event_type": METADATA_TYPE, "event_payload": {"week": key}},
    )
