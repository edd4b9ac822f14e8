"""When each person's DM is due: their reminder time in their own time zone, BST/GMT included.

The scheduler ticks every few minutes and asks `due_people_at`: everyone whose local clock has
reached the reminder time is due that local day's DM, which the outbox (keyed by person and
local date) sends once. A late tick catches up the same day; a clock change neither repeats nor
skips a day, because the key is the local date, not an instant.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def _zone(name: str | None, default: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or default)
    except (ZoneInfoNotFoundError, ValueError):
        # Slack's tz comes from users' profiles; a name this machine lacks falls back to the plan's.
        return ZoneInfo(default)


def local_send_instant(day: date, at: time, tz: str) -> datetime:
    """The aware UTC instant at which `at` o'clock strikes on `day` in zone `tz`.

    A time that a clock change skips (01:30 on 31 Mar 2019 in London) is read as the wall time
    before the change (01:30 GMT, that is 02:30 BST); a time it repeats is its first occurrence.
    """
    return datetime.combine(day, at, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def due_people_at(
    instant: datetime,
    people_tz: Mapping[str, str | None],
    at: time,
    default_tz: str = "Europe/London",
) -> dict[str, date]:
    """Everyone whose local time at `instant` is `at` or later: user -> their local date then.

    people_tz maps user ids to Slack's `tz` (None or unknown: the plan's zone, `default_tz`).
    Whether that date is a working day, and whether its DM went already, are for the caller.
    """
    if instant.tzinfo is None:
        raise ValueError("due_people_at needs an aware instant")
    local_now: dict[str | None, datetime] = {}
    due: dict[str, date] = {}
    for user, tz in people_tz.items():
        now = local_now.get(tz)
        if now is None:
            now = local_now[tz] = instant.astimezone(_zone(tz, default_tz))
        if now.time() >= at:
            due[user] = now.date()
    return due
