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


def test_only_so_many_questions_are_kept(seeded):
    cache = PlanCache(seeded, kept=2)
    reads = {ref: Reads(seeded, ref) for ref in ("7.1", "7.2", "7.3")}
    for ref in ("7.1", "7.2", "7.3", "7.1"):
        cache.get(ref, reads[ref])
    assert [reads[ref].count for ref in ("7.1", "7.2", "7.3")] == [2, 1, 1]
    cache.close()


def test_a_disposed_engine_forgets_what_was_kept(seeded, cache):
    read = Reads(seeded)
    cache.get("7.3", read)
    seeded.dispose()
    cache.get("7.3", read)
    assert read.count == 2


@pytest.fixture
def postgres_seeded(seeded):
    if seeded.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's listening connection")
    return seeded


def test_a_lost_listening_connection_reads_through_until_it_listens_again(postgres_seeded):
    now = [0.0]
    cache = PlanCache(postgres_seeded, clock=lambda: now[0])
    read = Reads(postgres_seeded)
    cache.get("7.3", read)
    with postgres_seeded.connect() as connection:
        ended = connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE query = 'LISTEN planbot_plan' AND pid <> pg_backend_pid()"
                " AND datname = current_database()"
            )
        ).all()
    assert ended == [(True,)]
    assert _until(lambda: (cache.get("7.3", read), read.count)[1] >= 2)
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


def test_only_this_plans_schema_counts(postgres_seeded, cache):
    """One database may hold several planbots' tables, a schema each, notifying one channel."""
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
