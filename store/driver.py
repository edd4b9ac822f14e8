"""Reading on the database driver, for the reads every `/plan status` answer makes.

SQLAlchemy's work around each statement (cache keys, coercions, result rows, the ORM's
identity map) cost six times the statements themselves on SQLite: a priority's seven reads took
1.7 ms, of which 3% was SQLite (bench/bench_status.py, issue 10). So these reads keep their
statements written with the models, compiled once for each database, and run them on the
driver's cursor, inside the session's own transaction. What comes back is the driver's values:
`dates` and `instants` below read them alike on SQLite (ISO text) and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import importlib
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # SQLAlchemy is imported by whoever hands a session or a statement here
    from sqlalchemy import Executable
    from sqlalchemy.engine import Compiled, Dialect
    from sqlmodel import Session


class DriverQuery:
    """A statement compiled once for each dialect and run on the driver's cursor.

    The statement is given, or named ("store.plan_statements:PLAN_NAME") and imported when first
    compiled: a module whose reads are named needs no SQLAlchemy to be imported, and a named
    statement can also be read without SQLAlchemy at all, as compiled beforehand for SQLite
    (store/quick.py). Parameters are named bind parameters (`bindparam("number")`), handed to
    the driver as they are, but for dates, which SQLite is given as ISO text (the text its date
    columns hold): no column type's bind processing runs here.
    """

    def __init__(self, statement: Executable | str) -> None:
        self.name = statement if isinstance(statement, str) else None
        self._statement = None if isinstance(statement, str) else statement
        self._compiled: dict[str, Compiled] = {}

    @property
    def statement(self) -> Executable:
        if self._statement is None:
            module, _, attribute = self.name.partition(":")
            self._statement = getattr(importlib.import_module(module), attribute)
        return self._statement

    def _compile(self, dialect: Dialect) -> Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self.statement.compile(dialect=dialect)
            self._compiled[dialect.name] = compiled
        return compiled

    def rows(self, session: Session, **params: Any) -> list[tuple]:
        """Every row, as the driver's tuples, read in the session's transaction."""
        [rows] = read_together(session, (self, params))
        return rows

    def first(self, session: Session, **params: Any) -> tuple | None:
        rows = self.rows(session, **params)
        return rows[0] if rows else None

    def prepared(self, dialect: Dialect, params: dict[str, Any]) -> tuple[str, Any]:
        """The statement's SQL for this database and its parameters as the driver takes them."""
        compiled = self._compile(dialect)
        values = compiled.construct_params(params)
        if dialect.positional:
            values = tuple(sqlite_value(values[name]) for name in compiled.positiontup)
        return compiled.string, values

    def send(self, cursor: Any, dialect: Dialect, params: dict[str, Any]) -> None:
        cursor.execute(*self.prepared(dialect, params))


def sqlite_value(value: Any) -> Any:
    """A parameter as SQLite is given it: a date as the ISO text its date columns hold (Python's
    own date adapter for sqlite3 is deprecated since 3.12)."""
    return value.isoformat() if isinstance(value, date) else value


def read_together(
    session: Session, *reads: tuple[DriverQuery, dict[str, Any]]
) -> list[list[tuple]]:
    """The rows of several reads, in order, in the session's transaction.

    On PostgreSQL they travel in one round trip: psycopg's pipeline mode sends every statement
    without waiting for the previous one's result, and the server answers them in turn
    (https://www.psycopg.org/psycopg3/docs/advanced/pipeline.html). An answer's cost there is
    its round trips, and an idle server's process takes a while to wake for each. SQLite, in the
    process, has none to save.
    """
    quick = getattr(session, "read_together", None)
    if quick is not None:  # store.quick's reader, which needs no SQLAlchemy
        return quick(*reads)
    # The ORM reads flush pending changes first; so do these, so a session reads what it
    # wrote (a no-op when nothing is pending).
    session.flush()
    connection = session.connection()
    dialect = connection.dialect
    driver = connection.connection.dbapi_connection
    cursors = []
    try:
        cursors = [driver.cursor() for _ in reads]
        together = getattr(driver, "pipeline", None)
        with together() if together and len(reads) > 1 else contextlib.nullcontext():
            for cursor, (query, params) in zip(cursors, reads, strict=True):
                query.send(cursor, dialect, params)
        return [cursor.fetchall() for cursor in cursors]
    except dialect.loaded_dbapi.Error as exc:
        # Raised as SQLAlchemy raises the driver's errors, which is what callers catch (the
        # handlers answer "try again in a minute"); a connection lost for good is not given
        # back to the pool.
        from sqlalchemy.exc import DBAPIError

        # A statement psycopg prepared (after five uses) fails on that connection for good once
        # another process changes a column's type (SQLSTATE 0A000, "cached plan must not
        # change result type"): that connection goes too.
        lost = dialect.is_disconnect(exc, driver, None) or getattr(exc, "sqlstate", None) == "0A000"
        if lost:
            connection.invalidate(exc)
        raise DBAPIError.instance(
            None, None, exc, dialect.loaded_dbapi.Error, connection_invalidated=lost
        ) from exc
    finally:
        for cursor in cursors:
            with contextlib.suppress(dialect.loaded_dbapi.Error):
                cursor.close()


def day(value: date | str | None) -> date | None:
    """A DATE column's value: a date on PostgreSQL, ISO text on SQLite."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def instant(value: datetime | str | None) -> datetime | None:
    """A UTC instant column's value (store.types.UTCDateTime): aware on PostgreSQL, naive UTC
    text on SQLite."""
    if value is None:
        return None
    if isinstance(value, str):
        # Stored naive (store.types.UTCDateTime); parsing it with its zone is 5× faster than
        # .replace(tzinfo=UTC) after it, and a priority's answer reads a hundred.
        return datetime.fromisoformat(value + "+00:00")
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
