"""Shared fixtures: a fresh database per test, on SQLite and (when configured) PostgreSQL.

Migrating and loading the seed plan costs more than most tests, so each test run (each xdist
worker) builds two templates once — migrated and empty, migrated and seeded — and every test gets
a copy of its own: a file copy on SQLite, `CREATE DATABASE … TEMPLATE` on PostgreSQL.

PostgreSQL runs when PLANBOT_TEST_POSTGRES_URL is set (e.g.
postgresql+psycopg://planbot:planbot@127.0.0.1/planbot_test; the role needs CREATEDB). In CI
(CI=true) a missing PostgreSQL is an error, never a silent skip.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.exc import DBAPIError, OperationalError

from bot.plan.history import PlanArchive
from bot.plan.plan_file import load_bundled_plan
from store import archive
from store.engine import make_engine, migrate, transaction

POSTGRES_URL = os.environ.get("PLANBOT_TEST_POSTGRES_URL")
LOADED_AT = datetime(2018, 11, 1, 9, 0, tzinfo=UTC)


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("CI") and not POSTGRES_URL:
        raise pytest.UsageError(
            "CI is set but PLANBOT_TEST_POSTGRES_URL is not: the PostgreSQL tests would be skipped."
        )
    _temporary_files_in_memory(config)


def _temporary_files_in_memory(config: pytest.Config) -> None:
    """Put tmp_path (and what the tests' processes make with tempfile) on /dev/shm when nobody
    chose a place (--basetemp, TMPDIR, PYTEST_DEBUG_TEMPROOT).

    SQLite syncs each commit to the disk, and on a disk that wait, not the tests' work, was most
    of an end-to-end test's setup (mapping the leads and a reminder tick: 0.6-1.0 s on /tmp,
    0.2-0.4 s on /dev/shm); nothing here tests durability across a power cut. On tmpfs a sync
    returns at once; the files and SQLite's code paths are the same.
    """
    chosen = ("TMPDIR", "PYTEST_DEBUG_TEMPROOT")
    if config.option.basetemp or any(os.environ.get(name) for name in chosen):
        return
    memory = Path("/dev/shm")
    # A run keeps every test's folder until it ends (about 150 MB): a small /dev/shm (a
    # container's 64 MB) would fill, so the disk it is there.
    if (
        memory.is_dir()
        and os.access(memory, os.W_OK | os.X_OK)
        and shutil.disk_usage(memory).free > 2**30
    ):
        # xdist's workers get their folder from this process; subprocesses inherit TMPDIR.
        os.environ["TMPDIR"] = str(memory)
        tempfile.tempdir = None  # gettempdir() reads TMPDIR again


DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


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


def _fill(url: str, *, seed: bool) -> None:
    engine = make_engine(url)
    migrate(engine)
    if seed:
        load_seed(engine, load_bundled_plan())
    engine.dispose()


class SqliteTemplates:
    """Template files built once per run; each test copies one."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.built: dict[str, Path] = {}

    def copy(self, kind: str, target: Path) -> str:
        if kind not in self.built:
            path = self.folder / f"{kind}.db"
            _fill(f"sqlite:///{path}", seed=kind == "seeded")
            self.built[kind] = path
        shutil.copyfile(self.built[kind], target)
        return f"sqlite:///{target}"


class PostgresTemplates:
    """Template databases built once per run; each test gets `CREATE DATABASE … TEMPLATE` of one."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.admin = create_engine(url, isolation_level="AUTOCOMMIT")
        self.prefix = f"planbot_t_{uuid.uuid4().hex[:8]}"
        self.built: dict[str, str] = {}
        self.made: list[str] = []

    def _url(self, database: str) -> str:
        return self.url.set(database=database).render_as_string(hide_password=False)

    def _create(self, name: str, template: str | None = None) -> str:
        clause = f' TEMPLATE "{template}"' if template else ""
        # CREATE DATABASE … TEMPLATE refuses while anything else is connected to the template
        # (a connection of a test that just ended may take a moment to close): try again.
        for attempt in range(50):
            try:
                with self.admin.connect() as conn:
                    conn.execute(text(f'CREATE DATABASE "{name}"{clause}'))
                break
            except OperationalError as exc:
                if "being accessed by other users" not in str(exc) or attempt == 49:
                    raise
                time.sleep(0.2)
        self.made.append(name)
        return self._url(name)

    def fresh(self, kind: str) -> tuple[str, str]:
        if kind not in self.built and kind != "empty":
            name = f"{self.prefix}_{kind}"
            _fill(self._create(name), seed=kind == "seeded")
            # Nothing connects to a template again: not a test, and not autovacuum, which
            # would otherwise come to analyse the fresh tables and make CREATE DATABASE …
            # TEMPLATE refuse while it works (seen under load).
            with self.admin.connect() as conn:
                conn.execute(
                    text(f'ALTER DATABASE "{name}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false')
                )
            self.built[kind] = name
        name = f"{self.prefix}_{uuid.uuid4().hex[:10]}"
        return name, self._create(name, self.built.get(kind))

    def drop(self, name: str) -> None:
        # FORCE ends the test's own connections, but not an autovacuum worker's (a superuser's
        # process: "must be a member of the role whose process is being terminated"), which
        # may be analysing the test's fresh tables: it is done within moments, so try again.
        for attempt in range(25):
            try:
                with self.admin.connect() as conn:
                    if name in self.built.values():
                        conn.execute(text(f'ALTER DATABASE "{name}" WITH IS_TEMPLATE false'))
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                break
            except DBAPIError as exc:
                if attempt == 24:
                    # A leftover database is harmless; a teardown must not fail the test.
                    warnings.warn(f"could not drop test database {name}: {exc}", stacklevel=1)
                    break
                time.sleep(0.2)
        self.made.remove(name)

    def close(self) -> None:
        for name in list(self.made):
            self.drop(name)
        self.admin.dispose()


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory) -> SqliteTemplates:
    return SqliteTemplates(tmp_path_factory.mktemp("templates"))


@pytest.fixture(scope="session")
def postgres_templates() -> Iterator[PostgresTemplates]:
    if not POSTGRES_URL:
        pytest.skip("PLANBOT_TEST_POSTGRES_URL is not set")
    templates = PostgresTemplates(POSTGRES_URL)
    yield templates
    templates.close()


@pytest.fixture
def postgres_database_url(postgres_templates) -> Iterator[str]:
    """A migrated PostgreSQL database of this test's own, for what only a server has (its
    connections, its processes)."""
    name, url = postgres_templates.fresh("migrated")
    yield url
    postgres_templates.drop(name)


@pytest.fixture(params=DATABASES)
def database_of(request: pytest.FixtureRequest, tmp_path) -> Iterator[Callable[[str], str]]:
    """A function giving a URL to a database of this test's own: "empty", "migrated" or "seeded"."""
    dropped: list[str] = []
    if request.param == "sqlite":
        templates = request.getfixturevalue("sqlite_templates")

        def make(kind: str) -> str:
            target = tmp_path / "planbot.db"
            if kind == "empty":
                return f"sqlite:///{target}"
            return templates.copy(kind, target)

        yield make
        return
    templates = request.getfixturevalue("postgres_templates")

    def make(kind: str) -> str:
        name, url = templates.fresh(kind)
        dropped.append(name)
        return url

    yield make
    for name in dropped:
        templates.drop(name)


@pytest.fixture
def database_url(database_of) -> str:
    """A URL to an empty database of its own (not migrated)."""
    return database_of("empty")


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'planbot.db'}"


@pytest.fixture
def engine(database_of) -> Iterator[Engine]:
    """A migrated, empty database of this test's own."""
    engine = make_engine(database_of("migrated"))
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def seed_spec():
    return load_bundled_plan()


@pytest.fixture
def seeded(database_of) -> Iterator[Engine]:
    """A migrated database of this test's own holding the bundled seed plan."""
    engine = make_engine(database_of("seeded"))
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_seeded(sqlite_templates, tmp_path) -> Iterator[Engine]:
    """The seed plan in a SQLite file (for tests that need one database only)."""
    engine = make_engine(sqlite_templates.copy("seeded", tmp_path / "planbot.db"))
    yield engine
    engine.dispose()
