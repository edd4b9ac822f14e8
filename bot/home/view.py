"""The App Home view: a lead's open actions by timescale with the reminder's buttons; for the
approvers the proposals waiting for them, and for the admins escalations, overdue actions and
leads that cannot be reached. At most 100 blocks (Slack's limit for a Home tab,
https://docs.slack.dev/reference/block-kit/blocks)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.approvals.messages import Proposed, approval_request
from bot.plan.timing import uk_date
from bot.plan.words import counted
from bot.reminders.message import action_blocks, days_phrase
from bot.reminders.records import ActionState
from bot.slack.blocks import context, escape, header, section, shorten

MAX_HOME_BLOCKS = 100


@dataclass(frozen=True)
class HomeData:
    """What one person's Home shows."""

    today: date
    mine: Sequence[ActionState]
    is_admin: bool = False
    is_approver: bool = False
    queue: Sequence[Proposed] = ()
    escalated: Sequence[str] = ()  # "5.3: escalated on 2018-11-20, 2 reminders unanswered"
    overdue: Sequence[ActionState] = ()
    unreachable: Sequence[str] = field(default_factory=tuple)  # plain lines for the admins


def home_view(data: HomeData) -> dict[str, Any]:
    """The Home tab's view, within Slack's 100 blocks whatever the plan's size."""
    blocks: list[dict[str, Any]] = [header("Your plan actions")]
    # The admins' and approvers' sections are short lists; keep room for them first.
    tail = _tail(data)
    room = MAX_HOME_BLOCKS - len(blocks) - len(tail) - 1
    mine = sorted(data.mine, key=lambda a: (a.timescale or date.max, a.ref))
    if not mine:
        blocks.append(section("You lead no open actions. `/plan status` shows the whole plan."))
    shown = 0
    for action in mine:
        days = (action.timescale - data.today).days if action.timescale else None
        new, _ = action_blocks(action, days, "Snooze 3 working days")
        if len(new) > room:
            break
        blocks += new
        room -= len(new)
        shown += 1
    if shown < len(mine):
        blocks.append(context(f"…and {counted(len(mine) - shown, 'more action')}: `/plan mine`."))
    return {"type": "home", "blocks": (blocks + tail)[:MAX_HOME_BLOCKS]}


def _tail(data: HomeData) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    if data.is_approver:
        blocks += [{"type": "divider"}, header("Waiting for your decision")]
        if not data.queue:
            blocks.append(section("Nothing waits for you."))
        for proposed in data.queue[:8]:
            request = approval_request(proposed).blocks
            blocks += request[1:]  # without its header: the section and its buttons
        if len(data.queue) > 8:
            blocks.append(context(f"…and {counted(len(data.queue) - 8, 'more proposal')}."))
    if data.is_admin:
        blocks += [{"type": "divider"}, header("For the plan's admins")]
        blocks.append(_list("Escalated", data.escalated))
        blocks.append(
            _list(
                "Overdue",
                [
                    f"{a.ref} {escape(shorten(a.text, 80))} — {days_phrase((a.timescale - data.today).days)}"
                    for a in sorted(data.overdue, key=lambda a: (a.timescale, a.ref))
                    if a.timescale
                ],
            )
        )
        blocks.append(_list("Leads that cannot be reached", data.unreachable))
        blocks.append(context(f"As of {uk_date(data.today)}."))
    return blocks


def _list(title: str, lines: Sequence[str]) -> dict[str, Any]:
    if not lines:
        return section(f"*{title}*: none.")
    shown = list(lines[:25])
    more = f"\n…and {len(lines) - len(shown)} more." if len(lines) > len(shown) else ""
    return section(f"*{title}* ({len(lines)})\n" + "\n".join(f"• {line}" for line in shown) + more)
