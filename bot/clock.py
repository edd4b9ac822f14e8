"""The clock is a dependency: nothing else in planbot reads the wall clock.

Production uses SystemClock; the CLI's --today and the tests use FixedClock, which the shell
and demo move forward by hand.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, as an aware UTC datetime."""
        ...


class SystemClock:
    """The real wall clock (the only place planbot reads it)."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until it is moved; thread-safe."""

    def __init__(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._instant = instant.astimezone(UTC)
        self._lock = threading.Lock()

    @classmethod
    def at_date(cls, day: date, tz: str = "Europe/London", at: time = time(9, 0)) -> FixedClock:
        """A clock standing at `at` o'clock on `day` in the plan's time zone."""
        return cls(datetime.combine(day, at, tzinfo=ZoneInfo(tz)))

    def now(self) -> datetime:
        with self._lock:
            return self._instant

    def set(self, instant: datetime) -> None:
        with self._lock:
            self._instant = instant.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._instant += delta


def local_date(clock: Clock, tz: str) -> date:
    """Today's date in the given time zone."""
    return clock.now().astimezone(ZoneInfo(tz)).date()
