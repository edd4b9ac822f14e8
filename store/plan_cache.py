"""Status answers kept between questions while the plan is unchanged.

A `/plan status` answer is a handful of reads; on PostgreSQL its cost is mostly the visit to the
server, which takes longer the longer the server has idled (bench/bench_round_trip.py), and
posting the answer costs about as much (PRODUCT.md §7 wants the answer within 2× of posting it).
So the views a question reads are kept, and read again once the database has changed since:
every change, by this process or any other, is seen before the next answer is given.

- SQLite: `PRAGMA data_version` on a connection of the cache's own changes whenever another
  connection (of any process) has committed (https://sqlite.org/pragma.html#pragma_data_version):
  checked at every question, in the process, a few microseconds.
- PostgreSQL: every table the answers read has a trigger that notifies `planbot_plan` with its
  schema's name (migration 0008, even for changes made in psql), and the cache LISTENs on a
  connection of its own, counting its plan's schema's. The server sends the notification as the
  change commits; at every question the cache takes what has arrived without waiting (no round
  trip). A connection can die without a word (a dropped network path, a failover), and LISTEN
  hears nothing through a proxy that pools transactions, so when the connection has not been
  heard from for LIVE_SECONDS, a notification is sent to it from a pooled connection and must
  arrive: the same trade as the pool's ping (store.engine.PING_AFTER_IDLE_SECONDS). While it is lost, answers read the
  database, and nothing kept before is trusted again.

Changes this process commits also count once they are over, before a notification may arrive.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
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
# What the cache may hold, in the sizes its callers give (status answers: actions shown, so a
# 100-action priority weighs 100, about 100 KB of views): bounded memory, whatever is asked.
CAPACITY = 5_000
# How long the listening connection is trusted without hearing from it (see above).
LIVE_SECONDS = 1.0
# After the listening connection failed, how long before trying to open it again: until then
# every answer reads the database, as without a cache.
RETRY_SECONDS = 5.0
# After a probe did not arrive on a connection that was open (LISTEN through a proxy that pools
# transactions, as likely as a dead path), how long before listening is tried again.
UNHEARD_RETRY_SECONDS = 300.0
# How long a probe's notification may take to come back before the connection is taken as lost
# (it takes about a millisecond).
PROBE_WAIT_SECONDS = 1.0
# A lost network path shows when what was sent is not acknowledged for this long (the
# listening connection's TCP_USER_TIMEOUT and keepalives), not after the system's two hours;
# and opening it gives up after this long.
TCP_USER_TIMEOUT_MS = 5_000
CONNECT_TIMEOUT_SECONDS = 5


class PlanCache:
    """Values read from the plan, each kept until the database changes."""

    def __init__(self, engine: Engine, *, capacity: int = CAPACITY, clock=time.monotonic) -> None:
        self._engine = engine
        self._capacity = capacity
        # Reentrant: the pool's checkin event (below) can run inside a locked section, on the
        # same thread, when the garbage collector finalises a connection there.
        self._lock = threading.RLock()
        self._entries: OrderedDict[Hashable, tuple[object, Any, int]] = OrderedDict()
        self._held = 0
        self._version: object = None
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

    def get(self, key: Hashable, read: Callable[[], T], *, size: Callable[[T], int] = len) -> T:
        """What `read` returns, kept under `key` until the database changes; `size` weighs it
        against the cache's capacity (a value heavier than that is not kept)."""
        # Outside the lock: the watch may visit the database (and waits for nobody else's).
        seen = self._watch.seen()
        if seen is BUSY:
            return read()
        with self._lock:
            version = None if seen is None else (self._commits, seen)
            if version != self._version:
                # Whatever is kept was read before the change (or while not watching).
                self._entries.clear()
                self._held = 0
                self._version = version
            if version is None:
                kept = None
            else:
                kept = self._entries.get(key)
                if kept is not None:
                    self._entries.move_to_end(key)
                    return kept[1]
        # The version was taken before reading: a change committed meanwhile makes the next
        # question read again.
        value = read()
        if version is None:
            return value
        weight = max(1, size(value))
        with self._lock:
            if version == self._version and weight <= self._capacity and key not in self._entries:
                self._entries[key] = (version, value, weight)
                self._held += weight
                while self._held > self._capacity:
                    _, (_, _, dropped) = self._entries.popitem(last=False)
                    self._held -= dropped
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
            self._held = 0
        self._watch.close()


_COMMITTED = "planbot_committed"


class _Busy:
    """The watch is in another question's hands: read the database, keep what is kept."""


BUSY = _Busy()


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
        self._lock = threading.Lock()
        self._connection = None
        # Every connection's data version starts from the same number: counting the connections
        # opened keeps a version seen before a reopening from coming back after it.
        self._opened = 0

    def seen(self) -> tuple[int, int] | None:
        with self._lock:
            try:
                if self._connection is None:
                    # Off the pool, for good: data_version tells of other connections' commits.
                    fairy = self._engine.raw_connection()
                    fairy.detach()  # which also cancels the pool's finalizer of it
                    self._connection = fairy.dbapi_connection
                    self._opened += 1
                [(version,)] = self._connection.execute("PRAGMA data_version").fetchall()
            except _failures(self._engine):
                log.warning("cannot read SQLite's data version; answers read the database")
                self._close()
                return None
            return self._opened, version

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            _quietly_close(connection, self._engine)


class _ListenWatch:
    """How many change notifications PostgreSQL has sent on CHANNEL for the plan's schema,
    listened for on a connection of the cache's own; None while not listening."""

    def __init__(self, engine: Engine, clock: Callable[[], float]) -> None:
        self._engine = engine
        self._clock = clock
        # One question at a time uses the connection; a question that finds it busy reads the
        # database meanwhile (BUSY), keeping what the cache holds.
        self._lock = threading.Lock()
        self._connection = None
        self._schema: str | None = None
        self._notified = 0
        self._heard_at = float("-inf")
        self._lost = False
        self._unheard = False
        self._retry_at = float("-inf")
        # Its own probes (below), told from other planbots' by a name of its own.
        self._echo = f"probe {uuid.uuid4().hex}"

    def seen(self) -> int | None | _Busy:
        if not self._lock.acquire(blocking=False):
            return BUSY
        try:
            if self._connection is None and not self._listen():
                return None
            try:
                self._take(timeout=0)
                if not self._lost and self._clock() - self._heard_at > LIVE_SECONDS:
                    self._probe()
            except _failures(self._engine):
                self._lost = True
            if self._lost:
                log.warning("stopped listening for plan changes; answers read the database")
                self._drop()
                return None
            return self._notified
        finally:
            self._lock.release()

    def _take(self, *, timeout: float, until_echo: bool = False) -> bool:
        """Count what has arrived (waiting up to `timeout` for more); whether the echo came."""
        echoed = False
        # The listening connection only ever reads, so it cannot hang on a server that has
        # stopped answering: waits are bounded by `timeout`.
        for notify in self._connection.notifies(timeout=timeout):
            self._heard_at = self._clock()
            if notify.payload == self._schema:
                self._notified += 1
            elif notify.payload == self._echo:
                echoed = True
                if until_echo:
                    break
        return echoed

    def _probe(self) -> None:
        # A notification to itself from another session (a pooled connection, as any change
        # comes): it must arrive, after anything sent before it. It does not on a dead path, nor
        # through a proxy that pools transactions (PgBouncer's transaction mode), where the
        # session that ran LISTEN has no server connection of its own to hear on.
        fairy = self._engine.raw_connection()
        try:
            cursor = fairy.dbapi_connection.cursor()
            cursor.execute(f"NOTIFY {CHANNEL}, '{self._echo}'")
            # On the driver, not through SQLAlchemy: not a change of the plan (_committing).
            fairy.dbapi_connection.commit()
        finally:
            fairy.close()
        if not self._take(timeout=PROBE_WAIT_SECONDS, until_echo=True):
            log.warning(
                "a notification sent to the plan cache did not arrive within %s s (is there a "
                "transaction-pooling proxy between planbot and PostgreSQL?); trying again in %s s",
                PROBE_WAIT_SECONDS,
                UNHEARD_RETRY_SECONDS,
            )
            self._lost = True
            self._unheard = True

    def _listen(self) -> bool:
        if self._clock() < self._retry_at:
            return False
        self._retry_at = self._clock() + RETRY_SECONDS  # until this attempt has worked
        dialect = self._engine.dialect
        try:
            cargs, cparams = dialect.create_connect_args(self._engine.url)
            connection = dialect.connect(
                *cargs,
                **{
                    "connect_timeout": CONNECT_TIMEOUT_SECONDS,
                    **cparams,
                    "autocommit": True,
                    # So that a DBA (and a test) can tell it in pg_stat_activity.
                    "application_name": "planbot plan cache",
                    "keepalives": 1,
                    "keepalives_idle": 10,
                    "keepalives_interval": 2,
                    "keepalives_count": 3,
                    "tcp_user_timeout": TCP_USER_TIMEOUT_MS,
                },
            )
        except _failures(self._engine):
            log.warning("cannot listen for plan changes; answers read the database")
            return False
        try:
            connection.add_notice_handler(self._noticed)
            # The schema the plan's tables are in (the triggers send theirs), whatever the
            # search path makes of current_schema().
            [(self._schema,)] = connection.execute(
                "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.oid = 'action'::regclass"
            ).fetchall()
            connection.execute(f"LISTEN {CHANNEL}")
        except _failures(self._engine):
            log.warning("cannot listen for plan changes; answers read the database")
            _quietly_close(connection, self._engine)
            return False
        self._connection = connection
        self._lost = False
        # Probed at the first question, like one not heard from for a while.
        self._heard_at = float("-inf")
        self._retry_at = float("-inf")
        # Anything may have changed while nobody listened.
        self._notified += 1
        return True

    def _noticed(self, diagnostic) -> None:
        # Only the server's own words come on this connection: FATAL is it closing the session
        # (an administrator ending it, a shutdown, idle_session_timeout).
        if diagnostic.severity_nonlocalized in ("FATAL", "PANIC"):
            self._lost = True

    def _drop(self) -> None:
        self._close_connection()
        # A connection that opened but did not hear would not hear the next time either (a
        # proxy, not an outage): trying again soon would cost a question the probe's wait.
        wait = UNHEARD_RETRY_SECONDS if self._unheard else RETRY_SECONDS
        self._unheard = False
        self._retry_at = self._clock() + wait

    def close(self) -> None:
        with self._lock:
            self._close_connection()

    def _close_connection(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            _quietly_close(connection, self._engine)


def _failures(engine: Engine) -> tuple[type[Exception], ...]:
    """What a database's connection raises when it fails: SQLAlchemy's errors or the driver's."""
    return (SQLAlchemyError, engine.dialect.loaded_dbapi.Error)


def _quietly_close(connection, engine: Engine) -> None:
    try:
        connection.close()
    except _failures(engine):
        log.debug("closing a connection of the plan cache failed", exc_info=True)
