"""Digest fixtures: the end-to-end world on the seed plan, and on a synthetic 500-action plan."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from datetime import time
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.local.workspace import LocalSlack
from bot.settings import Settings
from tests.e2e.conftest import TODAY, world  # noqa: F401  (the seeded world)

BENCH = Path(__file__).parents[2] / "bench"


def make_plan_module():
    """bench/make_plan.py, the synthetic plans' builder (a script, not a package)."""
    if "make_plan" not in sys.modules:
        spec = importlib.util.spec_from_file_location("make_plan", BENCH / "make_plan.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["make_plan"] = module
        spec.loader.exec_module(module)
    return sys.modules["make_plan"]


@pytest.fixture
def big_world(engine) -> Iterator[LocalSlack]:
    """A plan of 500 actions over 100 priorities (more than a table block's 100 rows), with
    five years of history, behind the real app and the double."""
    make_plan = make_plan_module()
    make_plan.build_plan(
        engine,
        size=make_plan.PlanSize(priorities=100, actions_per_priority=5, updates=2500, roles=40),
    )
    settings = Settings(
        _env_file=None, database_url=engine.url.render_as_string(hide_password=False)
    )
    clock = FixedClock.at_date(make_plan.TODAY, at=time(10, 0))
    local = LocalSlack(settings, engine=engine, clock=clock)
    yield local
    local.close()
