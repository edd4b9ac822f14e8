"""Slack's per-method rate limits, for a double that should throttle like Slack (opt-in).

Slack limits each Web API method per app per workspace, in tiers of calls per minute (Tier 1:
1+, Tier 2: 20+, Tier 3: 50+, Tier 4: 100+, each tolerating some bursts). chat.postMessage has
its own: "generally one message per second per channel, while also maintaining a workspace-wide
limit", short bursts allowed. A refused call gets HTTP 429, {"ok": false, "error": "ratelimited"}
and a Retry-After header in whole seconds. https://docs.slack.dev/apis/web-api/rate-limits

Each limit is a token bucket: `burst` calls at once, refilled at `per_second`. Slack publishes
neither its burst sizes nor the workspace-wide figure for chat.postMessage; the defaults below are
assumptions, and every number can be set.

Time: the limiter reads a monotonic clock in seconds (`time.monotonic` unless one is injected),
never the double's Clock. The Clock is the plan's calendar: a FixedClock that stands still in
tests, or days jumped at once by the shell's :tick. Rate limits are about the seconds that really
pass between a sender's calls; slack_sdk's RateLimitErrorRetryHandler sleeps Retry-After in real
time, and a standing calendar would never refill a bucket. Tests inject a fake monotonic clock
and move it on instead of sleeping.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType


@dataclass(frozen=True)
class Rate:
    """A token bucket: up to `burst` calls at once, refilled at `per_second` calls a second."""

    per_second: float
    burst: int

    def __post_init__(self) -> None:
        if self.per_second <= 0 or self.burst < 1:
            raise ValueError("a rate needs per_second > 0 and burst >= 1")

    @classmethod
    def per_minute(cls, calls: float, *, burst: int | None = None) -> Rate:
        """`calls` a minute; by default a whole minute's calls may come at once."""
        return cls(calls / 60, burst if burst is not None else max(1, math.floor(calls)))

    def scaled(self, factor: float) -> Rate:
        """The same limit with time running `factor` times faster; bursts stay the same size."""
        return Rate(self.per_second * factor, self.burst)


# https://docs.slack.dev/apis/web-api/rate-limits ("Tier 1" to "Tier 4").
TIERS = {
    1: Rate.per_minute(1),
    2: Rate.per_minute(20),
    3: Rate.per_minute(50),
    4: Rate.per_minute(100),
}

# Each method's tier, from its page at https://docs.slack.dev/reference/methods/<method>.
# auth.test and chat.getPermalink are in Slack's "special" tier with no published figure, and
# response_url and upload URLs are not Web API methods: the double does not limit them.
METHOD_TIERS = {
    "apps.connections.open": 1,
    "users.list": 2,
    "conversations.open": 3,
    "conversations.info": 3,
    "conversations.history": 3,
    "conversations.replies": 3,
    "chat.update": 3,
    "chat.delete": 3,
    "users.info": 4,
    "chat.postEphemeral": 4,
    "views.publish": 4,
    "views.open": 4,
    "views.update": 4,
    "files.getUploadURLExternal": 4,
    "files.completeUploadExternal": 4,
}

POST_MESSAGE = "chat.postMessage"
_ROUNDING = 1e-9


def _tier_rates() -> Mapping[str, Rate]:
    return MappingProxyType({method: TIERS[tier] for method, tier in METHOD_TIERS.items()})


@dataclass(frozen=True)
class RateLimits:
    """The limits a throttling double applies.

    `RateLimits()` is Slack's published limits (with the assumptions named above);
    `RateLimits().scaled(100)` lets a test or benchmark send 100 times as fast.
    """

    # One message a second per channel, with short bursts (Slack: "short bursts >1 allowed").
    post_message_per_channel: Rate = Rate(per_second=1.0, burst=3)
    # Slack keeps a workspace-wide limit on chat.postMessage without saying how high: 300 a
    # minute (5 a second) is an assumption, strict enough that a fan-out to many DMs must pace.
    post_message_per_workspace: Rate = Rate.per_minute(300, burst=10)
    # Every other limited method, by its tier.
    methods: Mapping[str, Rate] = field(default_factory=_tier_rates)

    def __post_init__(self) -> None:
        object.__setattr__(self, "methods", MappingProxyType(dict(self.methods)))

    def scaled(self, factor: float) -> RateLimits:
        """Every limit with time running `factor` times faster (bursts keep their size)."""
        if factor <= 0:
            raise ValueError("factor must be positive")
        return RateLimits(
            post_message_per_channel=self.post_message_per_channel.scaled(factor),
            post_message_per_workspace=self.post_message_per_workspace.scaled(factor),
            methods={method: rate.scaled(factor) for method, rate in self.methods.items()},
        )

    def with_method(self, method: str, rate: Rate | None) -> RateLimits:
        """These limits with one method's changed (None: not limited)."""
        methods = {m: r for m, r in self.methods.items() if m != method}
        if rate is not None:
            methods[method] = rate
        return replace(self, methods=methods)


@dataclass(frozen=True)
class Refusal:
    """Why a call was throttled and how long Slack tells the sender to wait."""

    retry_after: int  # whole seconds, at least 1, as Slack's Retry-After header gives them
    limit: str  # the limit that refused it, e.g. "chat.postMessage in D0ABCDEFGH"


@dataclass
class _Bucket:
    rate: Rate
    tokens: float
    updated: float

    def refill(self, now: float) -> None:
        elapsed = max(0.0, now - self.updated)
        self.tokens = min(self.rate.burst, self.tokens + elapsed * self.rate.per_second)
        self.updated = now

    def wait(self) -> float:
        """Seconds until one call may go (0 when one may go now)."""
        # Refills add float fractions: a bucket that should hold exactly one token may hold
        # 0.9999999999, which must not cost the sender a whole second of Retry-After.
        if self.tokens >= 1 - _ROUNDING:
            return 0.0
        return (1 - self.tokens) / self.rate.per_second


class RateLimiter:
    """Admits or refuses each call by the RateLimits, on a monotonic clock (see the module doc)."""

    def __init__(self, limits: RateLimits, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._monotonic = monotonic
        self._buckets: dict[str, _Bucket] = {}

    def admit(self, method: str, channel: str | None = None) -> Refusal | None:
        """Take one call of `method` (to `channel`, for chat.postMessage), or say why not.

        A refused call takes nothing, so a sender that waits Retry-After gets through.
        """
        now = self._monotonic()
        buckets = [
            self._bucket(name, rate, now) for name, rate in self._limits_for(method, channel)
        ]
        if not buckets:
            return None
        wait, name = max((bucket.wait(), name) for name, bucket in buckets)
        if wait > 0:
            return Refusal(retry_after=max(1, math.ceil(wait)), limit=name)
        for _, bucket in buckets:
            bucket.tokens -= 1
        return None

    def _limits_for(self, method: str, channel: str | None) -> list[tuple[str, Rate]]:
        if method == POST_MESSAGE:
            return [
                (f"{POST_MESSAGE} in {channel or '?'}", self.limits.post_message_per_channel),
                (f"{POST_MESSAGE} across the workspace", self.limits.post_message_per_workspace),
            ]
        rate = self.limits.methods.get(method)
        return [] if rate is None else [(method, rate)]

    def _bucket(self, name: str, rate: Rate, now: float) -> tuple[str, _Bucket]:
        bucket = self._buckets.get(name)
        if bucket is None:
            bucket = self._buckets[name] = _Bucket(rate, tokens=rate.burst, updated=now)
        bucket.refill(now)
        return name, bucket
