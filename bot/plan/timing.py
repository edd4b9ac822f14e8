"""When things fall due: days to or past an action's timescale, and dates as a UK reader writes them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.plan.rag import Rag
from bot.plan.views import ActionView


def local_day(at: datetime, tz: str) -> date:
    """The date an instant falls on in the plan's time zone (00:30 BST on 1 April is 1 April)."""
    return at.astimezone(ZoneInfo(tz)).date()


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def uk_date(day: date | None) -> str:
    """ "31 Mar 2019" (a lookup, not strftime: a status answer formats hundreds of dates)."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}" if day else "no timescale"


def due_phrase(action: ActionView, today: date) -> str:
    """ "due in 5 days", "12 days overdue", "due today"; completed and closed actions are never
    overdue."""
    if action.closed:
        return "closed"
    if action.timescale is None:
        return "timescale missing"
    if action.rag is Rag.COMPLETED:
        return "completed"
    days = (action.timescale - today).days
    if days == 0:
        return "due today"
    if days > 0:
        return f"due in {days} day{'s' if days != 1 else ''}"
    return f"{-days} day{'s' if days != -1 else ''} overdue"


def is_overdue(action: ActionView, today: date) -> bool:
    return (
        action.timescale is not None
        and action.rag is not Rag.COMPLETED
        and not action.closed
        and action.timescale < today
    )


def when_text(action: ActionView, today: date) -> str:
    """ "31 Mar 2019 (due in 4 days)", with the original date when revised."""
    if action.timescale is None:
        return "no timescale in the plan"
    return f"{timescale_text(action)} ({due_phrase(action, today)})"


class Timed(Protocol):
    """Anything with a timescale and the one first agreed (a view, a list's line, a reminder's
    state)."""

    @property
    def timescale(self) -> date | None: ...
    @property
    def original_timescale(self) -> date | None: ...


def timescale_text(action: Timed) -> str:
    """ "31 Mar 2019", "30 Jun 2019 (originally 31 Mar 2019)" or "no timescale"."""
    text = uk_date(action.timescale)
    if action.original_timescale and action.original_timescale != action.timescale:
        text += f" (originally {uk_date(action.original_timescale)})"
    return text
