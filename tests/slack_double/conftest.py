"""Fixtures for the double's tests: a fixed clock, a running double, a client and a person."""

from __future__ import annotations

import pytest

from bot.clock import FixedClock
from bot.slack_double import SlackDouble
from tests.slack_double.helpers import START


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def double(clock):
    with SlackDouble(clock=clock) as running:
        yield running


@pytest.fixture
def client(double):
    # No automatic retries: each test sees exactly what the double answered.
    return double.web_client(retry_handlers=[])


@pytest.fixture
def alice(double) -> str:
    return double.add_user(
        "alice", real_name="Alice Lead", title="Action lead", tz="America/New_York"
    )
