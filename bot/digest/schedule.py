"""When the weekly digest is due: one a channel per ISO week, from the digest's day and time on.

The scheduler only ticks; this says whether this week's digest time has come, and the outbox
says whether it was posted. A bot that was down at the digest's time posts it when it is back,
later the same week.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from bot.settings import WEEKDAYS


def week_key(day: date) -> str:
    """ "2018-W47": the ISO week a day falls in."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def outbox_key(channel: str, day: date) -> str:
    """The digest's key in the outbox: one digest per channel per ISO week."""
    return f"digest:{channel}:{week_key(day)}"


def digest_due(local_now: datetime, weekday: str, at: time) -> bool:
    """Whether this ISO week's digest time (weekday at `at`, plan time) has passed."""
    today = local_now.date()
    monday = today - timedelta(days=today.weekday())
    day = monday + timedelta(days=WEEKDAYS.index(weekday))
    return (today, local_now.time()) >= (day, at)
