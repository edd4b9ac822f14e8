"""The end-to-end world: the real app, bound to the local Slack double, on a fresh seeded database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from bot.clock import FixedClock
from bot.local.workspace import LocalSlack
from bot.settings import Settings

TODAY = FixedClock.at_date(date(2018, 11, 20))


@pytest.fixture
def world(seeded) -> Iterator[LocalSlack]:
    """The seeded plan (on SQLite and PostgreSQL) behind the real app and the Slack double."""
    settings = Settings(
        _env_file=None, database_url=seeded.url.render_as_string(hide_password=False)
    )
    world = LocalSlack(settings, engine=seeded, clock=FixedClock(TODAY.now()))
    yield world
    world.close()
