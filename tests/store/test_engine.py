"""The engine's pool and SQLite's per-connection settings: what `planbot run` keeps resident."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

import store.engine
from store.engine import POOL_SIZE, SQLITE_CACHE_KIB, make_engine


def test_every_pooled_sqlite_connection_keeps_a_bounded_page_cache(sqlite_url):
    engine = make_engine(sqlite_url)
    connections = [engine.connect() for _ in range(3)]
    try:
        for connection in connections:
            # Negative: KiB, not pages (https://www.sqlite.org/pragma.html#pragma_cache_size).
            assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == -SQLITE_CACHE_KIB
    finally:
        for connection in connections:
            connection.close()
        engine.dispose()


def test_the_pool_keeps_a_connection_for_every_thread_of_planbot_run():
    from bot.deps import WORKERS
    from scheduler import JOBS

    # The answers' workers and the scheduler's jobs may each hold one at once.
    assert WORKERS + len(JOBS) <= POOL_SIZE


def test_connections_are_kept_for_reuse_not_reopened_when_the_workers_are_busy(sqlite_url):
    from bot.deps import WORKERS

    engine = make_engine(sqlite_url)
    opened = []
    event.listen(engine, "connect", lambda *_: opened.append(1))
    together = threading.Barrier(WORKERS)

    def answer() -> None:
        for _ in range(3):  # three bursts of answers, one after another
            with engine.connect() as connection:
                together.wait(timeout=10)  # every worker holds a connection at once
                connection.exec_driver_sql("SELECT 1").scalar()
            together.wait(timeout=10)  # every connection is back in the pool

    threads = [threading.Thread(target=answer) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(opened) == WORKERS  # three rounds, each worker's connection opened once
    assert engine.pool.checkedin() == WORKERS
    engine.dispose()


def test_an_in_memory_sqlite_database_keeps_sqlalchemys_own_pool():
    from sqlalchemy.pool import SingletonThreadPool

    assert isinstance(make_engine("sqlite://").pool, SingletonThreadPool)


def _kill_pooled_connection(engine) -> None:
    with engine.connect() as connection:
        pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    killer = create_engine(engine.url, poolclass=NullPool)
    with killer.connect() as connection:
        connection.exec_driver_sql(f"SELECT pg_terminate_backend({pid})")
    killer.dispose()


@pytest.mark.postgres
def test_an_idle_pooled_connection_that_died_is_replaced_before_use(
    postgres_database_url, monkeypatch
):
    engine = make_engine(postgres_database_url)
    _kill_pooled_connection(engine)  # as a server restart would
    monkeypatch.setattr(store.engine, "PING_AFTER_IDLE_SECONDS", 0.0)  # it has been idle since
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT 1").scalar() == 1
    engine.dispose()


@pytest.mark.postgres
def test_a_connection_used_a_moment_ago_is_handed_out_without_a_ping(
    postgres_database_url, monkeypatch
):
    engine = make_engine(postgres_database_url)
    pings = []
    real_ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda c: pings.append(1) or real_ping(c))
    for _ in range(3):
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    assert pings == []  # opened, then given back, each time within the window
    monkeypatch.setattr(store.engine, "PING_AFTER_IDLE_SECONDS", 0.0)
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")
    assert pings == [1]
    # The trade, as documented: a connection that died inside the window fails one use, and
    # SQLAlchemy then replaces the pool's connections.
    monkeypatch.setattr(store.engine, "PING_AFTER_IDLE_SECONDS", 60.0)
    _kill_pooled_connection(engine)
    with pytest.raises(OperationalError), engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT 1").scalar() == 1
    engine.dispose()
