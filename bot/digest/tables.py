"""The tracker's two tables in the plan's own layout, as Slack table blocks or monospaced text.

The seed's tracker has a row per rating and a column per recommendation (or month). A Slack table
row holds at most 20 cells, so a plan with more columns than fit is turned on its side (a row per
recommendation or month); a table of more than 100 rows is cut into several, each for a message
of its own, since a message holds one table
(https://docs.slack.dev/reference/block-kit/blocks/table-block).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.digest.digest import Digest, MonthColumn
from bot.plan.tallies import TRACKER_ROWS, Tally
from bot.slack.blocks import SECTION_LIMIT, TABLE_MAX_CELLS, TABLE_MAX_ROWS, table

PENDING_ROW = "Pending approval"
LIVE_MARK = " (live)"


@dataclass(frozen=True)
class Table:
    """A heading row, then rows of text cells; the first column names the row."""

    rows: tuple[tuple[str, ...], ...]

    def block(self) -> dict[str, Any]:
        width = len(self.rows[0])
        return table([list(row) for row in self.rows], ["left"] + ["right"] * (width - 1))

    def lines(self) -> list[str]:
        """The table as monospaced lines, columns padded to their widest cell."""
        widths = [max(len(row[i]) for row in self.rows) for i in range(len(self.rows[0]))]
        return [
            "  ".join(
                cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
                for i, cell in enumerate(row)
            ).rstrip()
            for row in self.rows
        ]

    def preformatted(self) -> list[dict[str, Any]]:
        """The fallback when Slack refuses the table block: code-fenced sections, each whole rows
        and within a section's 3,000 characters."""
        blocks, chunk = [], []
        for line in self.lines():
            if chunk and len("\n".join([*chunk, line])) + 8 > SECTION_LIMIT:
                blocks.append(_fenced(chunk))
                chunk = []
            chunk.append(line[: SECTION_LIMIT - 8])
        if chunk:
            blocks.append(_fenced(chunk))
        return blocks


def _fenced(lines: list[str]) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": "```" + "\n".join(lines) + "```"}}


def _values(t: Tally) -> list[int]:
    # In TRACKER_ROWS' order: Red, Amber, Green, Completed, Not yet rated, New Actions, Total.
    return [t.red, t.amber, t.green, t.completed, t.unrated, t.new_actions, t.total]


def _split(header: tuple[str, ...], body: list[tuple[str, ...]]) -> list[Table]:
    """Tables of at most TABLE_MAX_ROWS rows each, every one with the heading row."""
    room = TABLE_MAX_ROWS - 1
    return [
        Table((header, *body[start : start + room])) for start in range(0, max(len(body), 1), room)
    ]


def current_tables(digest: Digest) -> list[Table]:
    """Current RAG ratings by recommendation, with proposals waiting counted apart."""
    numbers = sorted(digest.by_priority)
    tallies = [digest.by_priority[n] for n in numbers]
    pending = [digest.pending_by_priority.get(n, 0) for n in numbers]
    totals = digest.totals
    if len(numbers) + 2 <= TABLE_MAX_CELLS:
        header = ("CURRENT RAG RATINGS", *(str(n) for n in numbers), "Total")
        body = [
            (label, *(str(_values(t)[i]) for t in tallies), str(_values(totals)[i]))
            for i, label in enumerate(TRACKER_ROWS)
        ]
        body.append((PENDING_ROW, *(str(n) for n in pending), str(sum(pending))))
        return [Table((header, *body))]
    header = ("Recommendation", *TRACKER_ROWS, PENDING_ROW)
    body = [
        (str(n), *(str(v) for v in _values(t)), str(p))
        for n, t, p in zip(numbers, tallies, pending, strict=True)
    ]
    body.append(("Total", *(str(v) for v in _values(totals)), str(sum(pending))))
    return _split(header, body)


def month_tables(digest: Digest) -> list[Table]:
    """RAG ratings by month, from the tracker's first month to the current one (live)."""
    columns: list[MonthColumn] = list(digest.months)
    if not columns:
        return []
    labels = [c.label + (LIVE_MARK if c.live else "") for c in columns]
    totals = [c.total for c in columns]
    if len(columns) + 1 <= TABLE_MAX_CELLS:
        header = ("RAG RATINGS", *labels)
        body = [
            (label, *(str(_values(t)[i]) for t in totals)) for i, label in enumerate(TRACKER_ROWS)
        ]
        return [Table((header, *body))]
    header = ("Month", *TRACKER_ROWS)
    body = [(label, *(str(v) for v in _values(t))) for label, t in zip(labels, totals, strict=True)]
    return _split(header, body)
