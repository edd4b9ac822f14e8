"""Shared fixtures: a fresh database per test, on SQLite and (when configured) PostgreSQL.

PostgreSQL runs when PLANBOT_TEST_POSTGRES_URL is set (e.g.
postgresql+psycopg://planbot:planbot@127.0.0.1/planbot_test); each test gets a schema of its own.
In CI (CI=true) a missing PostgreSQL is an error, never a silent skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, create_engine, text

from bot.domain import PlanArchive
from bot.plan_file import load_bundled_plan
from store import archive
from store.engine import make_engine, migrate, transaction

POSTGRES_URL = os.environ.get("PLANBOT_TEST_POSTGRES_URL")
LOADED_AT = datetime(2018, 11, 1, 9, 0, tzinfo=UTC)


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("CI") and not POSTGRES_URL:
        raise pytest.UsageError(
            "CI is set but PLANBOT_TEST_POSTGRES_URL is not: the PostgreSQL tests would be skipped."
        )


DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """A URL to an empty database of its own: a temp SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'planbot.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("PLANBOT_TEST_POSTGRES_URL is not set")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'planbot.db'}"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A migrated, empty database."""
    engine = make_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def seed_spec():
    return load_bundled_plan()


def load_seed(engine: Engine, spec) -> Engine:
    """Load the bundled seed plan as `planbot init` does."""
    with transaction(engine) as session:
        archive.load_plan(
            session=session,
            archive=PlanArchive(spec),
            loaded_at=LOADED_AT,
            source="bundled seed",
            via="seed",
        )
    return engine


@pytest.fixture
def seeded(engine: Engine, seed_spec) -> Engine:
    """A migrated database holding the bundled seed plan."""
    return load_seed(engine, seed_spec)


@pytest.fixture
def sqlite_seeded(sqlite_url: str, seed_spec) -> Iterator[Engine]:
    """The seed plan in a SQLite file (for tests that need one database only)."""
    engine = make_engine(sqlite_url)
    migrate(engine)
    yield load_seed(engine, seed_spec)
    engine.dispose()
