"""The digest as plain text: what `planbot digest --dry-run` prints, tables monospaced."""

from __future__ import annotations

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
from bot.digest.tables import current_tables, month_tables
from bot.plan.timing import uk_date


def digest_text(digest: Digest) -> str:
    """Everything the digest says, in the order the committee reads it."""
    attention = attention_counts(digest)
    out = [
        f"Committee digest · {uk_date(digest.today)}",
        digest.plan_name,
        f"{digest.totals.summary()}.",
        ("Needs attention: " + ", ".join(attention) + ".")
        if attention
        else "Nothing needs the committee's attention this week.",
    ]
    for part in attention_parts(digest):
        out += _part(part)
    out += ["", f"{week_title(digest)}: " + ", ".join(week_counts(digest)) + "."]
    for part in week_parts(digest):
        out += _part(part)
    out += _part(participation_part(digest))
    out += ["", "Current RAG ratings by recommendation (agreed RAGs only)"]
    for table in current_tables(digest):
        out += table.lines()
    months = month_tables(digest)
    if months:
        out += ["", "RAG ratings by month (past months frozen at month end; the last is live)"]
        for table in months:
            out += table.lines()
    for priority in digest.outline.priorities:
        out += ["", f"{priority_title(priority)}: {digest.by_priority[priority.number].summary()}"]
        out += [f"  {action_line(action, digest.tz).plain}" for action in priority.actions]
    return "\n".join(out)


def _part(part: Part) -> list[str]:
    return ["", part.title, *(f"  {line.plain}" for line in part.lines)]
