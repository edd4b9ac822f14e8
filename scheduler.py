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
from apscheduler.triggers.interval import IntervalTrigger

from bot.deps import Deps
from bot.settings import Settings
from handlers import jobs

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """A scheduled job: its id, what it does with the deps at an instant, and its trigger."""

    id: str
    run: Callable[[Deps, datetime], str]
    trigger: Callable[[Settings], BaseTrigger]
    # Run once as soon as the scheduler starts too (what a crash left undone is done at start).
    at_start: bool = False


# Every few minutes: each person's reminder is due at their own 09:00, and a tick that finds
# everything planned and sent costs a read.
TICK_MINUTES = 5

JOBS: tuple[Job, ...] = (
    Job(
        id="reminders",
        run=jobs.remind,
        trigger=lambda settings: IntervalTrigger(
            minutes=TICK_MINUTES, timezone=ZoneInfo(settings.planbot_timezone)
        ),
    ),
    # The digest once its weekly day and time have passed (a late start posts it later that
    # week); month ends frozen as soon as they pass, and at start (a missed month end too).
    Job(
        id="digest",
        run=jobs.digest,
        trigger=lambda settings: IntervalTrigger(
            minutes=TICK_MINUTES, timezone=ZoneInfo(settings.planbot_timezone)
        ),
    ),
    Job(
        id="snapshot",
        run=jobs.snapshot,
        trigger=lambda settings: IntervalTrigger(
            minutes=TICK_MINUTES, timezone=ZoneInfo(settings.planbot_timezone)
        ),
        at_start=True,
    ),
    Job(
        id="inbox",
        run=jobs.redrive_inbox,
        trigger=lambda settings: IntervalTrigger(
            minutes=TICK_MINUTES, timezone=ZoneInfo(settings.planbot_timezone)
        ),
        at_start=True,
    ),
)


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
            **({"next_run_time": deps.clock.now()} if job.at_start else {}),
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
