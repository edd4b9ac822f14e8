"""Pacing sends under Slack's rate limits, so that 429s are the exception, not the rhythm.

chat.postMessage allows about one message a second per channel with short bursts, within a
workspace-wide limit (https://docs.slack.dev/apis/web-api/rate-limits). A fan-out of DMs writes
to a different channel each time, so the workspace-wide limit is the one to respect; Slack does
not publish it as a number, so the rate is a setting, and a 429's Retry-After still wins.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Pacer:
    """A token bucket: `rate` sends a second on average, up to `burst` at once."""

    def __init__(
        self,
        rate: float,
        burst: int = 1,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate, self.burst = rate, max(burst, 1)
        self._monotonic, self._sleep = monotonic, sleep
        self._tokens = float(self.burst)
        self._last = monotonic()
        self._lock = threading.Lock()

    def wait(self) -> None:
        """Block until one more send fits under the rate."""
        with self._lock:
            now = self._monotonic()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now
            if self._tokens < 1:
                self._sleep((1 - self._tokens) / self.rate)
                self._last = self._monotonic()
                self._tokens = 0.0
            else:
                self._tokens -= 1
