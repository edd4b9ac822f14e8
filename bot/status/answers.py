"""A status answer as Block Kit, plain text or JSON, from the same view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.plan.views import ActionDetail, PlanOutline, PlanSummary, PriorityView
from bot.slack.blocks import MAX_BLOCKS, context
from bot.status import views


@dataclass(frozen=True)
class StatusAnswer:
    """A view to show, or `error` saying what is wrong and what is valid."""

    view: PlanSummary | PlanOutline | PriorityView | list[PriorityView] | ActionDetail | None = None
    error: str | None = None
    title: str | None = None


def answer_blocks(answer: StatusAnswer, today: date, tz: str) -> list[dict[str, Any]]:
    """Block Kit for a successful answer."""
    view = answer.view
    if isinstance(view, PlanSummary | PlanOutline):
        return views.plan_blocks(view, today)
    if isinstance(view, PriorityView):
        return views.priority_blocks(view, today, tz)
    if isinstance(view, ActionDetail):
        return views.action_blocks(view, today, tz)
    # Several priorities answer one recommendation: each priority's blocks in turn, as many as
    # fit; the first always shows (cut to fit if it must), the rest are named.
    blocks: list[dict[str, Any]] = []
    room = MAX_BLOCKS - 1
    for n, priority in enumerate(view):
        part = views.priority_blocks(
            priority, today, tz, title=f"{answer.title}: priority {priority.number}"
        )
        if n == 0:
            part = part[:room]
        elif len(blocks) + len(part) > room:
            rest = ", ".join(str(p.number) for p in view[n:])
            blocks.append(context(f"Also answering it: priority {rest} (`/plan status N`)."))
            break
        blocks.extend(part)
    return blocks


def answer_text(answer: StatusAnswer, today: date, tz: str) -> str:
    view = answer.view
    if isinstance(view, PlanSummary | PlanOutline):
        return views.plan_text(view, today)
    if isinstance(view, PriorityView):
        return views.priority_text(view, today, tz)
    if isinstance(view, ActionDetail):
        return views.action_text(view, today, tz)
    return "\n\n".join(views.priority_text(priority, today, tz) for priority in view)


def answer_json(answer: StatusAnswer) -> Any:
    view = answer.view
    if isinstance(view, PlanSummary):
        # The JSON lists every action (README); ask answer_status for it with detailed=True.
        raise TypeError("the whole plan's JSON needs its outline, not its summary")
    if isinstance(view, PlanOutline):
        return views.plan_json(view)
    if isinstance(view, PriorityView):
        return views.priority_json(view)
    if isinstance(view, ActionDetail):
        return views.action_detail_json(view)
    return [views.priority_json(priority) for priority in view]
