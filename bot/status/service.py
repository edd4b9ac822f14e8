"""Answering a status question from the store: shared by `/plan status` and `planbot status`."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session

from bot.slack.blocks import Answer
from bot.status import grammar, views
from bot.status.answers import StatusAnswer, answer_blocks, answer_text
from bot.status.grammar import (
    ActionStatus,
    Help,
    Invalid,
    PlanCommand,
    PlanStatus,
    PriorityStatus,
    RecommendationStatus,
)
from store import plan


def answer_status(*, session: Session, command: PlanCommand) -> StatusAnswer:
    if isinstance(command, PlanStatus):
        outline = plan.plan_outline(session=session)
        if not outline.priorities:
            return StatusAnswer(error=grammar.no_such_priority(0, []))
        return StatusAnswer(view=outline)
    if isinstance(command, PriorityStatus):
        view = plan.priority_view(session=session, number=command.number)
        if view is None:
            numbers = plan.priority_numbers(session=session)
            return StatusAnswer(error=grammar.no_such_priority(command.number, numbers))
        return StatusAnswer(view=view)
    if isinstance(command, ActionStatus):
        detail = plan.action_detail(session=session, ref=str(command.ref))
        if detail is None:
            refs = plan.action_refs(session=session, priority=command.ref.priority)
            numbers = plan.priority_numbers(session=session)
            return StatusAnswer(error=grammar.no_such_action(command.ref, refs, numbers))
        return StatusAnswer(view=detail)
    if isinstance(command, RecommendationStatus):
        views = plan.priorities_for_recommendation(
            session=session, recommendation=command.recommendation
        )
        if not views:
            recs = plan.ofsted_recommendations(session=session)
            return StatusAnswer(error=grammar.no_such_recommendation(command.recommendation, recs))
        return StatusAnswer(view=views, title=f"Ofsted recommendation {command.recommendation}")
    raise TypeError(f"not a status command: {command!r}")


def answer_command(*, engine: Engine, text: str, today: date, tz: str) -> Answer:
    """What `/plan <text>` answers: help, a status view, or what is wrong and what is valid."""
    parsed = grammar.parse(text)
    if isinstance(parsed, Help):
        return Answer(views.help_blocks(), views.help_text)
    if isinstance(parsed, Invalid):
        return Answer.message(parsed.message)
    with Session(engine) as session:
        answer = answer_status(session=session, command=parsed)
    if answer.error:
        return Answer.message(answer.error)
    return Answer(answer_blocks(answer, today, tz), lambda: answer_text(answer, today, tz))
