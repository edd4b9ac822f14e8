"""Status answers kept between questions while the plan is unchanged.

A `/plan status` answer is a handful of reads; on PostgreSQL its cost is mostly the visit to the
server, which takes longer the longer the server has idled (bench/bench_round_trip.py), and
posting the answer costs about as much (PRODUCT.md §7 wants the answer within 2× of posting it).
So the views a question reads are kept, and read again only once the database has changed since:
every change, by this process or any other, is seen before the next answer is given.

- SQLite: `PRAGMA data_version` on a connection of the cache's own changes whenever another
  connection (of any process) has committed (https://sqlite.org/pragma.html#pragma_data_version):
  checked at every question, in the process, a few microseconds.
- PostgreSQL: every table the answers read has a trigger that notifies `planbot_plan` with its
  schema's name (migration 0008, even for changes made in psql), and the cache LISTENs on a
  connection of its own, counting its own schema's. The
  server sends the notification as the change commits; the cache takes what has arrived without
  waiting at every question (a non-blocking read, no round trip). If that connection fails, the
  cache forgets everything and reads through until it has listened again.

Changes this process commits also count at once (the engine's commit event), before any
notification could arrive.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError

if TYPE_CHECKING:
    from sqlalchemy import Engine

log = logging.getLogger(__name__)

T = TypeVar("T")
CHANNEL = "planbot_plan"
# Questions kept: a priority's views are tens of KB at most (a 100-action priority: about 100 KB).
KEPT = 128
# After the listening connection failed, how long before trying to open it again: until then
# every answer reads the database, as without a cache.
RETRY_SECONDS = 5.0


class PlanCache:
    """Values read from the plan, each kept until the database changes."""

    def __init__(self, engine: Engine, *, kept: int = KEPT, clock=time.monotonic) -> None:
        self._engine = engine
        self._kept = kept
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, tuple[object, Any]] = OrderedDict()
        self._commits = 0  # this process's, counted once each is over (_checked_in)
        if engine.dialect.name != "sqlite":
            self._watch: _Watch = _ListenWatch(engine, clock)
        elif engine.url.database in (None, "", ":memory:"):
            # Each connection to an in-memory database is a database of its own: nothing to
            # watch from another connection, so nothing is kept (tests only; settings refuse it).
            self._watch = _NoWatch()
        else:
            self._watch = _SqliteWatch(engine)
        self._listeners = (
            (engine, "commit", self._committing),
            (engine, "checkin", self._checked_in),
            (engine, "engine_disposed", self._disposed),
        )
        for target, name, listener in self._listeners:
            event.listen(target, name, listener)

    def get(self, key: Hashable, read: Callable[[], T]) -> T:
        """What `read` returns, kept under `key` until the database changes."""
        with self._lock:
            seen = self._watch.seen()
            if seen is None:  # not watching: nothing kept can be trusted
                self._entries.clear()
                version = None
            else:
                version = (self._commits, seen)
                kept = self._entries.get(key)
                if kept is not None and kept[0] == version:
                    self._entries.move_to_end(key)
                    return kept[1]
        # The version is taken before reading: a change committed meanwhile makes the next
        # question read again.
        value = read()
        if version is not None:
            with self._lock:
                self._entries[key] = (version, value)
                self._entries.move_to_end(key)
                while len(self._entries) > self._kept:
                    self._entries.popitem(last=False)
        return value

    def close(self) -> None:
        for target, name, listener in self._listeners:
            if event.contains(target, name, listener):
                event.remove(target, name, listener)
        self._disposed(self._engine)

    # This process's own changes count once committed, before PostgreSQL's notification of them
    # may have arrived: a connection that committed counts when it is given back to the pool.
    def _committing(self, connection) -> None:
        connection.connection.info[_COMMITTED] = True

    def _checked_in(self, _dbapi_connection, record) -> None:
        if record.info.pop(_COMMITTED, False):
            with self._lock:
                self._commits += 1

    def _disposed(self, _engine) -> None:
        with self._lock:
            self._entries.clear()
            self._watch.close()


_COMMITTED = "planbot_committed"


class _Watch(Protocol):
    def seen(self) -> object | None:
        """Changes seen so far (equal while nothing changed), or None while not watching."""

    def close(self) -> None: ...


class _NoWatch:
    def seen(self) -> None:
        return None

    def close(self) -> None:
        pass


class _SqliteWatch:
    """SQLite's data version, as a connection of the cache's own sees it."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection = None

    def seen(self) -> int | None:
        try:
            if self._connection is None:
                # Off the pool, for good: data_version tells of other connections' commits.
                self._connection = self._engine.raw_connection()
                self._connection.detach()
            return self._connection.dbapi_connection.execute("PRAGMA data_version").fetchone()[0]
        except _failures(self._engine):
            log.warning(
                "cannot read SQLite's data version; answers read the database", exc_info=True
            )
            self.close()
            return None

    def close(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            connection.close()


class _ListenWatch:
    """How many change notifications PostgreSQL has sent on CHANNEL, listened for on a
    connection of the cache's own; None while not listening."""

    def __init__(self, engine: Engine, clock: Callable[[], float]) -> None:
        self._engine = engine
        self._clock = clock
        self._connection = None
        self._schema: str | None = None
        self._notified = 0
        self._retry_at = float("-inf")

    def seen(self) -> int | None:
        if self._connection is None and not self._listen():
            return None
        try:
            # Whatever has arrived, without waiting (no round trip); of this plan's schema only.
            self._notified += sum(
                1
                for notify in self._connection.dbapi_connection.notifies(timeout=0)
                if notify.payload == self._schema
            )
        except _failures(self._engine):
            log.warning(
                "stopped listening for plan changes; answers read the database", exc_info=True
            )
            self.close()
            self._retry_at = self._clock() + RETRY_SECONDS
            return None
        return self._notified

    def _listen(self) -> bool:
        if self._clock() < self._retry_at:
            return False
        try:
            connection = self._engine.raw_connection()
            connection.detach()
            connection.dbapi_connection.autocommit = True
            # Where the plan's tables are, as the engine's connections find them.
            [(self._schema,)] = connection.dbapi_connection.execute(
                "SELECT current_schema()"
            ).fetchall()
            connection.dbapi_connection.execute(f"LISTEN {CHANNEL}")
        except _failures(self._engine):
            log.warning("cannot listen for plan changes; answers read the database", exc_info=True)
            self._retry_at = self._clock() + RETRY_SECONDS
            return False
        self._connection = connection
        # Anything may have changed while nobody listened.
        self._notified += 1
        return True

    def close(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            try:
                connection.close()
            except _failures(self._engine):
                log.debug("closing the listening connection failed", exc_info=True)


def _failures(engine: Engine) -> tuple[type[Exception], ...]:
    """What a database's connection raises when it fails: SQLAlchemy's errors or the driver's."""
    return (SQLAlchemyError, engine.dialect.loaded_dbapi.Error)
