"""store.plan_cache: an answer is kept only while the database is unchanged, whoever changes it."""

from __future__ import annotations

import importlib.util
import re
import time
from datetime import date

import psycopg
import pytest
from sqlalchemy import create_engine, text, update

from store import sqlite_statements
from store.engine import MIGRATIONS, sqlite_path, transaction
from store.models import Action
from store.plan_cache import PlanCache


class Reads:
    """A read that counts how often it ran, returning the action's text as the database has it."""

    def __init__(self, engine, ref: str = "7.3") -> None:
        self.engine, self.ref, self.count = engine, ref, 0

    def __call__(self) -> str:
        self.count += 1
        with self.engine.connect() as connection:
            return connection.execute(
                text("SELECT text FROM action WHERE ref = :ref"), {"ref": self.ref}
            ).scalar_one()


def _elsewhere(engine, sql: str) -> None:
    """Commit a change as another process would: on a connection of its own, not the engine's."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        import sqlite3

        with sqlite3.connect(sqlite_path(str(url))) as connection:
            connection.execute(sql)
        connection.close()
        return
    plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(sql)


def _until(condition, seconds: float = 5.0) -> bool:
    # PostgreSQL sends the notification as the change commits, but another process's may arrive
    # a moment after: wait for it, up to a bound.
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


@pytest.fixture
def cache(seeded):
    cache = PlanCache(seeded)
    yield cache
    cache.close()


def test_a_repeated_question_reads_once(seeded, cache):
    read = Reads(seeded)
    first = cache.get(("status", "7.3"), read)
    assert [cache.get(("status", "7.3"), read) for _ in range(3)] == [first] * 3
    assert read.count == 1
    assert cache.get(("status", "7.4"), Reads(seeded, "7.4")) != first


def test_a_change_this_process_commits_is_read_at_once(seeded, cache):
    read = Reads(seeded)
    cache.get("7.3", read)
    with transaction(seeded) as session:
        session.execute(update(Action).where(Action.ref == "7.3").values(text="Rewritten"))
    assert cache.get("7.3", read) == "Rewritten" and read.count == 2


def test_a_change_another_process_commits_is_read(seeded, cache):
    read = Reads(seeded)
    cache.get("7.3", read)
    _elsewhere(seeded, "UPDATE action SET text = 'Changed elsewhere' WHERE ref = '7.3'")
    assert _until(lambda: cache.get("7.3", read) == "Changed elsewhere")
    # …and kept again from then on.
    count = read.count
    assert cache.get("7.3", read) == "Changed elsewhere" and read.count == count


def test_what_is_kept_is_bounded_by_its_weight(seeded):
    cache = PlanCache(seeded, capacity=2)
    reads = {ref: Reads(seeded, ref) for ref in ("7.1", "7.2", "7.3", "7.4")}
    for ref in ("7.1", "7.2", "7.3", "7.1"):
        cache.get(ref, reads[ref], size=lambda _: 1)
    assert [reads[ref].count for ref in ("7.1", "7.2", "7.3")] == [2, 1, 1]
    for _ in range(2):  # heavier than the whole cache: read each time, never kept
        cache.get("7.4", reads["7.4"], size=lambda _: 3)
    assert reads["7.4"].count == 2
    cache.close()


def test_a_disposed_engine_forgets_what_was_kept(seeded, cache):
    read = Reads(seeded)
    cache.get("7.3", read)
    seeded.dispose()
    cache.get("7.3", read)
    assert read.count == 2


@pytest.fixture
def postgres_seeded(postgres_templates):
    """The seeded plan in a PostgreSQL database of this test's own: the listening connection."""
    from store.engine import make_engine

    name, url = postgres_templates.fresh("seeded")
    engine = make_engine(url)
    yield engine
    engine.dispose()
    postgres_templates.drop(name)


def test_a_lost_listening_connection_reads_through_until_it_listens_again(postgres_seeded):
    now = [0.0]
    cache = PlanCache(postgres_seeded, clock=lambda: now[0])
    read = Reads(postgres_seeded)
    cache.get("7.3", read)
    assert _listener(postgres_seeded, "pg_terminate_backend(pid)") == [(True,)]
    _elsewhere(postgres_seeded, "UPDATE action SET text = 'Said while ending' WHERE ref = '7.3'")
    # The server says it is closing the session before the connection fails: the first
    # question after reads the database.
    assert cache.get("7.3", read) == "Said while ending"
    # Changed meanwhile, with nobody listening: read, not kept, until listening again.
    _elsewhere(postgres_seeded, "UPDATE action SET text = 'Unheard' WHERE ref = '7.3'")
    count = read.count
    assert [cache.get("7.3", read) for _ in range(2)] == ["Unheard"] * 2
    assert read.count == count + 2
    now[0] += 10  # past RETRY_SECONDS: it listens again, and keeps answers
    cache.get("7.3", read)
    count = read.count
    assert cache.get("7.3", read) == "Unheard" and read.count == count
    cache.close()


def _listener(engine, what: str) -> list:
    """`what` of the plan cache's listening connection(s), from pg_stat_activity."""
    with engine.connect() as connection:
        return connection.execute(
            text(
                f"SELECT {what} FROM pg_stat_activity WHERE application_name = "
                "'planbot plan cache' AND datname = current_database()"
            )
        ).all()


def test_a_quiet_listening_connection_is_asked_before_it_is_trusted(postgres_seeded, monkeypatch):
    """A connection can die without a word (a dropped network path), or hear nothing (through a
    transaction-pooling proxy): one not heard from for LIVE_SECONDS is sent a notification from
    a pooled connection, which must arrive before a kept answer is given."""
    from store import plan_cache

    monkeypatch.setattr(plan_cache, "PROBE_WAIT_SECONDS", 0.2)
    now = [0.0]
    cache = PlanCache(postgres_seeded, clock=lambda: now[0])
    probes = []
    probe = cache._watch._probe
    monkeypatch.setattr(cache._watch, "_probe", lambda: (probes.append(now[0]), probe())[1])
    read = Reads(postgres_seeded)
    cache.get("7.3", read)
    now[0] = 0.5
    cache.get("7.3", read)
    now[0] = 2.0
    cache.get("7.3", read)
    assert probes == [0.0, 2.0] and read.count == 1
    # A connection that no longer hears: the probe does not arrive, and nothing kept is trusted.
    cache._watch._connection.execute("UNLISTEN *")
    now[0] = 4.0
    cache.get("7.3", read)
    assert read.count == 2
    # Not heard on a connection that was open: a proxy more likely than an outage, so it is
    # not tried again (a probe's wait each time) for UNHEARD_RETRY_SECONDS.
    now[0] = 20.0
    cache.get("7.3", read)
    assert read.count == 3 and probes == [0.0, 2.0, 4.0]
    now[0] = 4.0 + plan_cache.UNHEARD_RETRY_SECONDS + 1
    cache.get("7.3", read)
    cache.get("7.3", read)
    assert read.count == 4 and len(probes) == 4
    cache.close()


def test_a_question_that_finds_the_watch_busy_reads_and_keeps_what_is_kept(postgres_seeded):
    """Questions at once: one checks for changes, the others read meanwhile; nothing kept is
    thrown away for it."""
    cache = PlanCache(postgres_seeded)
    read = Reads(postgres_seeded)
    cache.get("7.3", read)
    with cache._watch._lock:  # another question is checking
        cache.get("7.3", read)
    assert read.count == 2
    cache.get("7.3", read)
    assert read.count == 2
    cache.close()


def test_a_column_changed_under_prepared_statements_costs_one_answer(postgres_seeded):
    """psycopg prepares a statement used five times on a connection; another process changing a
    column's type breaks it there for good ("cached plan must not change result type"): that
    answer fails as SQLAlchemy's errors do (the handlers say try again) and the connection goes."""
    from sqlalchemy.exc import DBAPIError

    from store import plan
    from store.engine import reading

    for _ in range(10):
        with reading(postgres_seeded) as session:
            plan.action_detail(session=session, ref="7.3")
    _elsewhere(postgres_seeded, "ALTER TABLE action ALTER COLUMN note TYPE text")
    with reading(postgres_seeded) as session, pytest.raises(DBAPIError):
        plan.action_detail(session=session, ref="7.3")
    with reading(postgres_seeded) as session:
        assert plan.action_detail(session=session, ref="7.3").action.ref.number == 3


def test_the_plans_schema_is_its_tables_whatever_the_search_path_says(postgres_seeded):
    """With a schema named after the role, current_schema() is that one, empty, while the
    plan's tables (and their notifications) are in public."""
    with postgres_seeded.begin() as connection:
        connection.execute(text("CREATE SCHEMA planbot"))
    try:
        cache = PlanCache(postgres_seeded)
        read = Reads(postgres_seeded)
        cache.get("7.3", read)
        _elsewhere(postgres_seeded, "UPDATE action SET text = 'Heard' WHERE ref = '7.3'")
        assert _until(lambda: cache.get("7.3", read) == "Heard")
        cache.close()
    finally:
        with postgres_seeded.begin() as connection:
            connection.execute(text("DROP SCHEMA planbot"))


def test_a_lost_connection_mid_answer_is_an_error_callers_catch(postgres_seeded):
    """The answers' reads run on the driver; its errors come as SQLAlchemy's (the handlers then
    answer "try again"), and the dead connection leaves the pool."""
    from sqlalchemy.exc import DBAPIError
    from sqlmodel import Session

    from store import plan

    with Session(postgres_seeded) as session:
        pid = session.connection().connection.dbapi_connection.info.backend_pid
        _elsewhere(postgres_seeded, f"SELECT pg_terminate_backend({pid})")
        with pytest.raises(DBAPIError):
            plan.priority_view(session=session, number=7)
    with Session(postgres_seeded) as session:
        assert plan.priority_view(session=session, number=7).number == 7


def _migration_0008():
    path = next(MIGRATIONS.joinpath("versions").glob("0008_*.py"))
    spec = importlib.util.spec_from_file_location("migration_0008", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_table_an_answer_reads_notifies_its_changes(postgres_seeded):
    read = {
        table
        for sql, _ in sqlite_statements.STATEMENTS.values()
        for table in re.findall(r"\b(?:FROM|JOIN) (\w+)", sql)
    }
    notifying = set(_migration_0008().TABLES)
    assert read <= notifying
    with postgres_seeded.connect() as connection:
        triggered = set(
            connection.execute(
                text(
                    "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                    "WHERE t.tgname = 'planbot_plan_changed'"
                )
            ).scalars()
        )
    assert triggered == notifying


def test_sqlite_needs_no_triggers(sqlite_url):
    from store.engine import migrate

    engine = create_engine(sqlite_url)
    migrate(engine)
    with engine.connect() as connection:
        assert (
            connection.execute(
                text("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")
            ).scalar()
            == 0
        )
    engine.dispose()


def test_today_is_part_of_a_question(seeded, cache):
    read = Reads(seeded)
    cache.get(("summary", date(2018, 11, 20)), read)
    cache.get(("summary", date(2018, 11, 21)), read)
    assert read.count == 2


def test_only_this_plans_schema_counts(postgres_seeded):
    """One database may hold several planbots' tables, a schema each, notifying one channel."""
    cache = PlanCache(postgres_seeded)
    cache.get("7.3", Reads(postgres_seeded))
    with postgres_seeded.connect() as connection:
        schema = connection.execute(text("SELECT current_schema()")).scalar_one()
    before = cache._watch.seen()
    # One transaction: both notifications arrive together.
    _elsewhere(
        postgres_seeded,
        f"NOTIFY planbot_plan, 'another_planbot'; NOTIFY planbot_plan, '{schema}'",
    )
    assert _until(lambda: cache._watch.seen() != before)
    assert cache._watch.seen() == before + 1
    cache.close()


def test_an_in_memory_database_keeps_nothing():
    from store.engine import make_engine, migrate

    engine = make_engine("sqlite://")
    migrate(engine)
    cache = PlanCache(engine)
    calls = []
    for _ in range(2):
        cache.get("plan", lambda: calls.append(1))
    assert len(calls) == 2
    cache.close()
    engine.dispose()
