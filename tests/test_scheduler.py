"""The scheduler only ticks: its jobs, their triggers and ids, read without sleeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.background import Background
from bot.clock import FixedClock
from bot.deps import make_deps
from bot.settings import Settings
from scheduler import JOBS, build_scheduler

NOW = datetime(2018, 11, 20, 8, 58, tzinfo=UTC)


def test_every_job_is_registered_once_with_its_id(sqlite_seeded):
    settings = Settings(_env_file=None, database_url=str(sqlite_seeded.url))
    deps = make_deps(
        settings, engine=sqlite_seeded, clock=FixedClock(NOW), background=Background.inline()
    )
    scheduler = build_scheduler(settings, deps)
    scheduler.start(paused=True)
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) == {job.id for job in JOBS} == {"reminders", "digest", "snapshot", "inbox"}
        # Re-registering replaces rather than duplicates (a restart within one process).
        for job in JOBS:
            scheduler.add_job(lambda: None, "interval", minutes=5, id=job.id, replace_existing=True)
        assert len(scheduler.get_jobs()) == len(JOBS)
    finally:
        scheduler.shutdown(wait=False)


def test_the_reminder_tick_fires_every_five_minutes_and_the_inbox_at_start(sqlite_seeded):
    settings = Settings(_env_file=None, database_url=str(sqlite_seeded.url))
    deps = make_deps(
        settings, engine=sqlite_seeded, clock=FixedClock(NOW), background=Background.inline()
    )
    scheduler = build_scheduler(settings, deps)
    scheduler.start(paused=True)
    try:
        inbox = scheduler.get_job("inbox")
        assert inbox.next_run_time == NOW  # what a crash left is re-driven at start
        reminders = scheduler.get_job("reminders").trigger
        first = reminders.get_next_fire_time(None, NOW)
        second = reminders.get_next_fire_time(first, first)
        assert second - first == timedelta(minutes=5)
    finally:
        scheduler.shutdown(wait=False)
