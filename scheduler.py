"""build_scheduler(settings, deps): the clock's side of planbot. It only ticks; the database decides.

Jobs are module-level functions with explicit ids, added with replace_existing=True, so a restart
never duplicates them. Each job asks the store what is due and not yet done, which makes a late,
repeated or concurrent tick harmless. Nothing starts on import.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger

from bot.deps import Deps
from bot.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """A scheduled job: its id, what it does with the deps at an instant, and its trigger."""

    id: str
    run: Callable[[Deps, datetime], str]
    trigger: Callable[[Settings], BaseTrigger]


# Later features add their jobs here (reminders, digest, month end).
JOBS: tuple[Job, ...] = ()


def build_scheduler(settings: Settings, deps: Deps) -> BackgroundScheduler:
    """A scheduler in the plan's time zone with every job registered (not started)."""
    scheduler = BackgroundScheduler(
        timezone=ZoneInfo(settings.planbot_timezone),
        # APScheduler's default grace is 1 s: a busy or restarted process would skip runs. Jobs
        # are idempotent, so a late run within the hour is always right; several coalesce.
        job_defaults={"misfire_grace_time": 3600, "coalesce": True, "max_instances": 1},
    )
    for job in JOBS:
        scheduler.add_job(
            _run_job,
            trigger=job.trigger(settings),
            args=[job.id, deps],
            id=job.id,
            replace_existing=True,
        )
    return scheduler


def _run_job(job_id: str, deps: Deps) -> None:
    job = next(job for job in JOBS if job.id == job_id)
    result = job.run(deps, deps.clock.now())
    log.info("job %s: %s", job_id, result)


def tick(deps: Deps) -> list[str]:
    """Run every job once at the deps' clock (the shell's :tick); returns what each did."""
    now = deps.clock.now()
    return [f"{job.id}: {job.run(deps, now)}" for job in JOBS]
