"""The small set of dependencies handed to every handler and job, built in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Engine

from bot.background import Background
from bot.clock import Clock, SystemClock
from bot.settings import Settings
from bot.slack.pacing import Pacer
from store.plan_cache import PlanCache

# Answers and other work after an ack run on this many threads (each may hold a database
# connection); acks never wait for them.
WORKERS = 8


@dataclass(frozen=True)
class Deps:
    settings: Settings
    engine: Engine
    clock: Clock
    client: WebClient
    background: Background
    # Paces the bot's own posts under Slack's rate limits; None where nothing limits them (the
    # local Slack double, unless a test turns its limits on).
    pacer: Pacer | None = None
    # Publishes a person's App Home after a change that concerns them (handlers/home.py); set
    # when the listeners are registered.
    home: Any = None
    # Status answers kept while the plan is unchanged (store/plan_cache.py); None reads each time.
    plan_cache: PlanCache | None = None


def make_deps(
    settings: Settings,
    *,
    engine: Engine | None = None,
    clock: Clock | None = None,
    client: WebClient | None = None,
    background: Background | None = None,
    paced: bool = True,
) -> Deps:
    """Deps from the settings, with any part given by the caller (the shell, the tests)."""
    from bot.slack.client import make_client
    from store.engine import make_engine

    engine = engine or make_engine(settings.database_url)
    return Deps(
        settings=settings,
        engine=engine,
        clock=clock or SystemClock(),
        client=client or make_client(settings),
        background=background or Background.threads(WORKERS),
        # Bursts of ten, then the settings' pace: short fan-outs go at once.
        pacer=Pacer(settings.planbot_posts_per_minute / 60, burst=10) if paced else None,
        plan_cache=PlanCache(engine),
    )
