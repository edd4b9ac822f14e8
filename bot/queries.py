"""Answering a status question from the store: shared by `/plan status` and `planbot status`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from bot import commands, status_view
from bot.commands import ActionStatus, PlanCommand, PlanStatus, PriorityStatus, RecommendationStatus
from bot.domain import ActionDetail, PlanOutline, PriorityView
from store import plan_store


@dataclass(frozen=True)
class StatusAnswer:
    """A view to show, or `error` saying what is wrong and what is valid."""

    view: PlanOutline | PriorityView | list[PriorityView] | ActionDetail | None = None
    error: str | None = None
    title: str | None = None


def answer_status(*, session: Session, command: PlanCommand) -> StatusAnswer:
    if isinstance(command, PlanStatus):
        outline = plan_store.plan_outline(session=session)
        if not outline.priorities:
            return StatusAnswer(error=commands.no_such_priority(0, []))
        return StatusAnswer(view=outline)
    if isinstance(command, PriorityStatus):
        view = plan_store.priority_view(session=session, number=command.number)
        if view is None:
            numbers = plan_store.priority_numbers(session=session)
            return StatusAnswer(error=commands.no_such_priority(command.number, numbers))
        return StatusAnswer(view=view)
    if isinstance(command, ActionStatus):
        detail = plan_store.action_detail(session=session, ref=str(command.ref))
        if detail is None:
            refs = plan_store.action_refs(session=session, priority=command.ref.priority)
            numbers = plan_store.priority_numbers(session=session)
            return StatusAnswer(error=commands.no_such_action(command.ref, refs, numbers))
        return StatusAnswer(view=detail)
    if isinstance(command, RecommendationStatus):
        views = plan_store.priorities_for_recommendation(
            session=session, recommendation=command.recommendation
        )
        if not views:
            recs = plan_store.ofsted_recommendations(session=session)
            return StatusAnswer(error=commands.no_such_recommendation(command.recommendation, recs))
        return StatusAnswer(view=views, title=f"Ofsted recommendation {command.recommendation}")
    raise TypeError(f"not a status command: {command!r}")


def answer_blocks(answer: StatusAnswer, today: date, tz: str) -> list[dict[str, Any]]:
    """Block Kit for a successful answer."""
    view = answer.view
    if isinstance(view, PlanOutline):
        return status_view.plan_blocks(view, today)
    if isinstance(view, PriorityView):
        return status_view.priority_blocks(view, today, tz)
    if isinstance(view, ActionDetail):
        return status_view.action_blocks(view, today, tz)
    # Several priorities answer one recommendation: each priority's blocks in turn, as many as
    # fit; the first always shows (cut to fit if it must), the rest are named.
    blocks: list[dict[str, Any]] = []
    room = status_view.MAX_BLOCKS - 1
    for n, priority in enumerate(view):
        part = status_view.priority_blocks(
            priority, today, tz, title=f"{answer.title}: priority {priority.number}"
        )
        if n == 0:
            part = part[:room]
        elif len(blocks) + len(part) > room:
            rest = ", ".join(str(p.number) for p in view[n:])
            blocks.append(
                status_view.context(f"Also answering it: priority {rest} (`/plan status N`).")
            )
            break
        blocks.extend(part)
    return blocks


def answer_text(answer: StatusAnswer, today: date, tz: str) -> str:
    view = answer.view
    if isinstance(view, PlanOutline):
        return status_view.plan_text(view, today)
    if isinstance(view, PriorityView):
        return status_view.priority_text(view, today, tz)
    if isinstance(view, ActionDetail):
        return status_view.action_text(view, today, tz)
    return "\n\n".join(status_view.priority_text(priority, today, tz) for priority in view)


def answer_json(answer: StatusAnswer) -> Any:
    view = answer.view
    if isinstance(view, PlanOutline):
        return status_view.plan_json(view)
    if isinstance(view, PriorityView):
        return status_view.priority_json(view)
    if isinstance(view, ActionDetail):
        return status_view.action_detail_json(view)
    return [status_view.priority_json(priority) for priority in view]
