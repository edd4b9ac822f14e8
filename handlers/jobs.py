"""Scheduler jobs: handlers whose trigger is the clock. Each asks the store what is due and not
yet done, so a late, repeated or concurrent tick is harmless."""

from __future__ import annotations

from datetime import datetime

from bot.deps import Deps
from bot.reminders.service import mapped_users, plan_reminders
from bot.slack.digest_post import digest_job as digest
from bot.slack.digest_post import snapshot_job as snapshot
from bot.slack.people import time_zones
from bot.slack.sender import LOOP_KINDS, deliver
from handlers import inbox


def remind(deps: Deps, now: datetime) -> str:
    """Plan the reminder DMs whose local time has come, the day's alerts, and send them."""
    zones = time_zones(deps, mapped_users(engine=deps.engine))
    planned = plan_reminders(engine=deps.engine, settings=deps.settings, now=now, people_tz=zones)
    delivered = deliver(deps, kinds=LOOP_KINDS, pacer=deps.pacer)
    return f"{planned.summary()}; {delivered.summary()}"


def redrive_inbox(deps: Deps, now: datetime) -> str:
    """Process what a crash left in the inbox (stored, never processed)."""
    return f"{inbox.redrive(deps)} left-over items processed"


__all__ = ["digest", "redrive_inbox", "remind", "snapshot"]
