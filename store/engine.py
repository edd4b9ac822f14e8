"""One engine per process, with the pragmas SQLite needs, and migrations applied at start."""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlmodel import Session

from store.quick import sqlite_file

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
# Execution option marking a connection that will write (see _on_begin).
WRITES = "planbot_writes"
# pg_advisory_xact_lock key for migrations ("plan" in ASCII).
MIGRATION_LOCK = 0x706C616E


# Connections the pool keeps open for reuse: as many as the threads that use the database at
# once in `planbot run` (the answers' 8 workers, bot/deps.py WORKERS, and the scheduler's jobs).
# SQLAlchemy's default keeps 5 and closes every connection beyond them when it is returned: with
# the workers busy that was a new connection for one answer in three (155 for 500 whole-plan
# answers), each warming its own caches afresh and leaving its freed memory scattered among the
# threads' malloc arenas (resident memory grew 46 MB, measured by bench/bench_memory.py). The
# pool opens them only when needed, and up to 10 more beyond them, as before.
POOL_SIZE = 12
# SQLite's page cache per connection, in KiB (SQLite's default is 2,000). Every pooled connection
# keeps a cache of its own, while the reads are as fast from the operating system's file cache:
# the whole-plan count over 50,000 actions, 1.6 MB of index, took the same with 256 KiB.
SQLITE_CACHE_KIB = 512


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for SQLite (WAL, foreign keys, busy timeout, a bounded page cache) or PostgreSQL."""
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"timeout": 15}, **_pool_options(url))
        _configure_sqlite(engine)
        return engine
    engine = create_engine(url, echo=echo, pool_size=POOL_SIZE)
    _ping_after_idle(engine)
    return engine


# A pooled PostgreSQL connection idle for longer than this is pinged before it is handed out.
# SQLAlchemy's pool_pre_ping pings on every checkout: a round trip before every answer, as long
# as the answer's own reads (bench/bench_status.py). A connection used this recently was alive a
# moment ago; the same trade as HikariCP's aliveBypassWindowMs (500 ms). A server restarted
# within the window fails one statement, and SQLAlchemy then drops every pooled connection.
PING_AFTER_IDLE_SECONDS = 1.0


def _ping_after_idle(engine: Engine, clock: Callable[[], float] = time.monotonic) -> None:
    # A connection just opened, or just given back, was alive then.
    @event.listens_for(engine, "connect")
    @event.listens_for(engine, "checkin")
    def _on_alive(_dbapi_connection, record) -> None:
        record.info["alive_at"] = clock()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, record, _proxy) -> None:
        if clock() - record.info.get("alive_at", float("-inf")) <= PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            # SQLAlchemy's documented way out of a checkout: the pool discards this
            # connection and hands out another (https://docs.sqlalchemy.org/en/20/core/pooling.html).
            raise DisconnectionError(f"a pooled connection was dead: {exc}") from exc


def _pool_options(url: str) -> dict:
    """A SQLite file gets SQLAlchemy's QueuePool, sized as PostgreSQL's; an in-memory database
    keeps SQLAlchemy's default for it (a connection, so a database, per thread)."""
    if make_url(url).database in (None, "", ":memory:"):
        return {}
    return {"pool_size": POOL_SIZE}


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Take transaction control from the sqlite3 driver (its legacy mode emits no BEGIN
        # before SELECTs), so that the BEGIN below covers every statement of a session.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        # Writers take the write lock up front (BEGIN IMMEDIATE): a deferred transaction that
        # reads and then writes can fail with "database is locked" at once, whatever the busy
        # timeout. Readers stay deferred, so under WAL they never wait for a writer.
        mode = "IMMEDIATE" if connection.get_execution_options().get(WRITES) else "DEFERRED"
        connection.exec_driver_sql(f"BEGIN {mode}")


def sqlite_path(url: str) -> Path | None:
    """The absolute path of a SQLite database file, or None for PostgreSQL and in-memory SQLite."""
    plain = sqlite_file(url)
    if plain is not None:
        return plain
    # A URL with a query or percent-escapes: SQLAlchemy's parsing, then the same rule.
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(os.path.abspath(parsed.database))


class DatabaseTooNew(Exception):
    """The database's schema is from a newer planbot: upgrading or using it could lose data."""

    def __init__(self, revision: str, head: str) -> None:
        super().__init__(revision, head)
        self.revision = revision
        self.head = head


class CopyFailed(Exception):
    """A SQLite database could not be copied; the message says why, in words."""


def snapshot_sqlite(source: Path, target: Path) -> None:
    """Copy a SQLite database consistently (WAL included) with SQLite's online backup API.

    A WAL database on read-only media (a read-only mount, a folder planbot may not write) cannot
    be opened the ordinary way: SQLite needs to create its -shm file. Nothing can be writing to
    it there, so it is read as immutable (https://www.sqlite.org/uri.html#uriimmutable), unless
    a -wal file holds transactions that reading it so would miss.
    """
    try:
        try:
            _backup(source, target, "mode=ro")
        except sqlite3.OperationalError:
            wal = source.with_name(f"{source.name}-wal")
            writable = os.access(source.parent, os.W_OK)
            if writable or (wal.exists() and wal.stat().st_size > 0):
                raise
            target.unlink(missing_ok=True)
            _backup(source, target, "immutable=1")
    except sqlite3.DatabaseError as exc:
        # OperationalError (cannot open, locked, a full disk) is a DatabaseError too; the plain
        # one is "file is not a database".
        reason = str(exc)
        if type(exc) is sqlite3.DatabaseError or "not a database" in reason:
            reason = "it is not a SQLite database"
        raise CopyFailed(reason) from None


def _backup(source: Path, target: Path, mode: str) -> None:
    uri = f"file:{quote(str(source))}?{mode}"
    with (
        closing(sqlite3.connect(uri, uri=True)) as origin,
        closing(sqlite3.connect(target)) as copy,
    ):
        origin.backup(copy)


def alembic_config(engine: Engine) -> Config:
    # Alembic is imported where it is used: most commands find the schema at HEAD and never
    # need it, and importing it costs every command's start-up.
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # configparser treats "%" as interpolation; URL options such as search_path%%3D need escaping.
    config.set_main_option(
        "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
    )
    config.attributes["engine"] = engine
    return config


# The newest migration in store/migrations/versions (tests/store/test_migrations.py checks that
# it is Alembic's head, so a new migration cannot forget it).
HEAD = "0008"


def _revision(connection) -> str | None:
    """The schema's revision as Alembic records it, or None (an empty database)."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def migrate(engine: Engine) -> Path | None:
    """Create or upgrade the schema to the newest migration; an existing database keeps its data.

    Returns the backup taken of a SQLite file before an upgrade (batch migrations copy whole
    tables), or None when there was nothing to upgrade.
    """
    # Every command and every start comes here, and nearly always the schema is at head: one
    # plain read (no write lock, never waiting for a writer) against the newest revision this
    # planbot ships, without loading Alembic and parsing every migration file.
    with engine.connect() as probe:
        if _revision(probe) == HEAD:
            return None
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = alembic_config(engine)
    script = ScriptDirectory.from_config(config)
    head = script.get_current_head()
    with engine.connect() as probe:
        current = MigrationContext.configure(probe).get_current_revision()
    if current == head:
        return None
    _refuse_unknown(script, current, head)
    with engine.connect() as connection:
        connection.execution_options(**{WRITES: True})
        sqlite = connection.dialect.name == "sqlite"
        raw = connection.connection.dbapi_connection
        if sqlite:
            # SQLite's batch migrations rebuild a table by dropping the old one, which a row
            # referring to it would forbid; the check below puts the guarantee back. The pragma
            # only takes effect outside a transaction, hence on the raw connection, first.
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                return _upgrade(connection, config, head, engine)
        finally:
            if sqlite:
                raw.execute("PRAGMA foreign_keys=ON")


def _upgrade(connection, config: Config, head: str, engine: Engine) -> Path | None:
    from alembic import command
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    if connection.dialect.name == "postgresql":
        # Two processes starting together (a deploy of two replicas) upgrade one at a time.
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
    current = MigrationContext.configure(connection).get_current_revision()
    if current == head:
        return None  # another process upgraded it while this one waited
    _refuse_unknown(ScriptDirectory.from_config(config), current, head)
    backup = None
    path = sqlite_path(engine.url.render_as_string(hide_password=False))
    if current is not None and path is not None:
        backup = path.with_name(f"{path.name}.before-{head}.bak")
        snapshot_sqlite(path, backup)
        log.warning("upgrading %s from %s to %s; a copy is in %s", path, current, head, backup)
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
    if connection.dialect.name == "sqlite":
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"the upgrade would break {len(broken)} references: {broken[:5]}")
    return backup


def _refuse_unknown(script: ScriptDirectory, current: str | None, head: str) -> None:
    """A revision this planbot has no migration for was written by a newer one: stop, before
    Alembic fails with a traceback, and before anything is written."""
    from alembic.util.exc import CommandError

    if current is None:
        return
    try:
        script.get_revision(current)
    except CommandError:
        raise DatabaseTooNew(current, head) from None


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A short writing session that commits when the block ends and rolls back on an error.

    Plain `Session(engine)` is for reading.
    """
    with Session(engine.execution_options(**{WRITES: True})) as session, session.begin():
        yield session


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A session for an answer that only reads, as cheap as each database allows.

    On PostgreSQL it runs in autocommit: no BEGIN and ROLLBACK round trips nor the driver's
    transaction bookkeeping, which took 1.0 of a priority's 1.7 ms of reads (bench/bench_status.py).
    Each statement then reads what is committed when it runs, so a change committed between two
    of an answer's statements (a millisecond apart) shows only in the later part: fine for a
    status answer, wrong for anything that must add up, like an export. SQLite's read
    transaction costs no round trip, and keeps one snapshot for the whole answer.
    """
    if engine.dialect.name != "sqlite":
        engine = engine.execution_options(isolation_level="AUTOCOMMIT")
    with Session(engine) as session:
        yield session
