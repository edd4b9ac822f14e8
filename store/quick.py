"""Reading a SQLite plan without SQLAlchemy, for `planbot status`.

`planbot status 7` is budgeted at 8× `python -c pass` (PRODUCT.md §7), and importing SQLAlchemy
and SQLModel alone costs 17×. store/plan.py's reads are named statements (store.driver.DriverQuery),
and store/sqlite_statements.py holds each compiled for SQLite: a QuickReader runs those on the
sqlite3 module, through the same store.plan functions that read through a session, so the
answers are the same (tests/cli/test_status_quick.py compares them). It reads only a plain
SQLite file at the schema revision they were compiled for; anything else (PostgreSQL, an older
or newer schema, a missing file) is read the ordinary way, which migrates or says what is wrong.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any, TypeVar

from store.driver import DriverQuery, sqlite_value
from store.sqlite_statements import HEAD, STATEMENTS

T = TypeVar("T")
# How long to wait for a database locked against readers (a rollback-journal database being
# written, an exclusive lock) before leaving the answer to the ordinary path, which waits its own
# 15 s and says what is wrong: WAL readers are never kept waiting by a writer.
BUSY_SECONDS = 1.0

# sqlite:///relative.db, sqlite:////absolute.db, sqlite+pysqlite:///…: a file, no query, nothing
# percent-encoded; any other URL is left to SQLAlchemy's parsing (store.engine.sqlite_path).
_PLAIN_SQLITE_FILE = re.compile(r"sqlite(?:\+pysqlite)?:///([^?%\x00]+)")


def sqlite_file(url: str) -> Path | None:
    """The file of a plain SQLite URL, as SQLite opens it; None for any other URL."""
    match = _PLAIN_SQLITE_FILE.fullmatch(url)
    if match is None or match.group(1) == ":memory:":
        return None
    # Made absolute by words, as SQLite does ("link/../plan.db" is ./plan.db even where link is a
    # symbolic link elsewhere), not by following links as Path.resolve() would.
    return Path(os.path.abspath(match.group(1)))


class QuickReader:
    """Runs store.plan's named reads on one sqlite3 connection, in one read transaction."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def read_together(self, *reads: tuple[DriverQuery, dict[str, Any]]) -> list[list[tuple]]:
        results = []
        for query, params in reads:
            sql, parameters = STATEMENTS[query.name]
            values = tuple(
                sqlite_value(params[name]) if name in params else default
                for name, default in parameters
            )
            results.append(self._connection.execute(sql, values).fetchall())
        return results


@contextmanager
def quick_reader(path: Path) -> Iterator[QuickReader | None]:
    """A reader of the plan in this SQLite file, or None when it cannot be read this way: no such
    file, not a planbot database at schema revision HEAD. sqlite3.Error may still come from the
    reads themselves (a locked or damaged file)."""
    try:
        # mode=rw: never create a missing file (only `planbot init` and `import` do).
        connection = sqlite3.connect(
            f"{path.as_uri()}?mode=rw", uri=True, timeout=BUSY_SECONDS, isolation_level=None
        )
    except sqlite3.Error:
        connection = None
    if connection is None:
        yield None
        return
    with closing(connection):
        try:
            # One snapshot for the whole answer, as the ordinary path's deferred BEGIN.
            connection.execute("BEGIN")
            revision = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        except sqlite3.Error:
            revision = None
        yield QuickReader(connection) if revision == [(HEAD,)] else None


def read_quickly(path: Path, read: Callable[[QuickReader], T]) -> T | None:
    """What `read` makes of the plan in this SQLite file, or None when it cannot be read this
    way (quick_reader), or the file failed (locked past the busy timeout, damaged): the ordinary
    path then reads it, and says what is wrong. The reads change nothing, so trying again is safe."""
    try:
        with quick_reader(path) as reader:
            return None if reader is None else read(reader)
    except sqlite3.Error:
        return None
