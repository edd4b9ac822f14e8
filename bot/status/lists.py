"""Lists of actions (`/plan mine`, `due`, `overdue`) and of people (`who`, `leads`), as Block Kit
and plain text, within Slack's limits: what does not fit is counted, never cut off silently."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Protocol

from bot.plan.rag import Rag
from bot.plan.refs import ActionRef
from bot.plan.timing import timescale_text
from bot.plan.words import counted
from bot.reminders.message import days_phrase
from bot.slack.blocks import (
    MAX_BLOCKS,
    RAG_EMOJI,
    SECTION_LIMIT,
    Answer,
    context,
    escape,
    header,
    section,
    shorten,
)

# Slack refuses a message of much more block text than this (msg_blocks_too_long).
TEXT_BUDGET = 11_000


class Listed(Protocol):
    """What a list shows of an action (store.reminders.ListedAction)."""

    @property
    def ref(self) -> ActionRef: ...
    @property
    def text(self) -> str: ...
    @property
    def leads(self) -> tuple[str, ...]: ...
    @property
    def timescale(self) -> date | None: ...
    @property
    def original_timescale(self) -> date | None: ...
    @property
    def rag(self) -> Rag: ...


def _line(action: Listed, today: date) -> str:
    when = timescale_text(action)
    lateness = f" · {days_phrase((action.timescale - today).days)}" if action.timescale else ""
    leads = escape("; ".join(action.leads)) or "_no lead_"
    return (
        f"{RAG_EMOJI[action.rag]} *{action.ref}* {escape(shorten(action.text, 140))}\n"
        f"{leads} · {when}{lateness}"
    )


def _pack(blocks: list[dict[str, Any]], entries: Sequence[str], joiner: str) -> int:
    """Add `entries` to `blocks` in sections under Slack's limits; how many fitted."""
    chunk: list[str] = []
    size, shown = 0, 0
    for entry in entries:
        if size + len(entry) > TEXT_BUDGET or len(blocks) >= MAX_BLOCKS - 3:
            break
        if chunk and len(joiner.join([*chunk, entry])) > SECTION_LIMIT - 50:
            blocks.append(section(joiner.join(chunk)))
            chunk = []
        chunk.append(entry)
        size += len(entry)
        shown += 1
    if chunk:
        blocks.append(section(joiner.join(chunk)))
    return shown


def action_list(
    title: str,
    actions: Sequence[Listed],
    today: date,
    *,
    empty: str,
    hint: str,
    total: int | None = None,
) -> Answer:
    """A titled list of actions, packed into sections; a line says how many did not fit
    (`total`: how many there are, when only the first were read)."""
    total = len(actions) if total is None else total
    blocks: list[dict[str, Any]] = [header(title)]
    if not actions:
        blocks.append(section(empty))
        return Answer(blocks, lambda: f"{title}\n{empty}")
    shown = _pack(blocks, [_line(action, today) for action in actions], "\n\n")
    if shown < total:
        blocks.append(context(f"Showing {shown} of {counted(total, 'action')}. {hint}"))
    else:
        blocks.append(context(f"{counted(total, 'action')}. {hint}"))
    return Answer(blocks, lambda: _as_text(title, actions, today))


def _as_text(title: str, actions: Sequence[Listed], today: date) -> str:
    lines = [title]
    for action in actions:
        lateness = (
            days_phrase((action.timescale - today).days) if action.timescale else "no timescale"
        )
        lines.append(
            f"{str(action.ref):>6}  {action.rag.label:<13} {lateness:<18} {shorten(action.text, 80)}"
        )
    return "\n".join(lines)


def people_answer(title: str, lines: Sequence[str], note: str | None = None) -> Answer:
    """Who leads what, one line a role or a person, packed within Slack's limits."""
    blocks: list[dict[str, Any]] = [header(title)]
    shown = _pack(blocks, lines, "\n")
    if shown < len(lines):
        blocks.append(context(f"Showing {shown} of {len(lines)}; `planbot leads` prints them all."))
    if note:
        blocks.append(context(note))
    return Answer(blocks, lambda: "\n".join([title, *lines]))
