"""Migrations: head matches the models, and an upgrade keeps the data a database already holds.

To test a new migration's data handling, add a row to UPGRADES: the revision to start from, the
rows to write at that revision (raw SQL, since the models follow head), and a check after the
upgrade to head.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import IntegrityError

from store.engine import alembic_config, make_engine, migrate
from store.models import metadata


def _run(engine: Engine, verb: str, revision: str) -> None:
    with engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        getattr(command, verb)(config, revision)


def test_head_matches_the_models(engine):
    with engine.connect() as connection:
        diff = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), metadata
        )
    assert diff == []


def test_single_head():
    script = ScriptDirectory.from_config(alembic_config(make_engine("sqlite://")))
    assert len(script.get_heads()) == 1


def test_the_shortcut_knows_the_newest_migration():
    """migrate() skips Alembic when the schema is at HEAD: HEAD must be Alembic's head."""
    from store.engine import HEAD

    script = ScriptDirectory.from_config(alembic_config(make_engine("sqlite://")))
    assert script.get_current_head() == HEAD


def _every_row(engine: Engine) -> dict[str, list[tuple]]:
    with engine.connect() as connection:
        return {
            table.name: sorted(map(tuple, connection.execute(table.select())), key=repr)
            for table in metadata.sorted_tables
        }


def test_migrate_twice_is_harmless(seeded):
    before = _every_row(seeded)
    assert before["action"] and before["progressupdate"]
    assert migrate(seeded) is None
    assert _every_row(seeded) == before


def test_downgrade_to_base_and_up_again(database_url):
    engine = make_engine(database_url)
    migrate(engine)
    _run(engine, "downgrade", "base")
    assert "action" not in inspect(engine).get_table_names()
    migrate(engine)
    assert "action" in inspect(engine).get_table_names()
    engine.dispose()


def _seed_0001(connection: Connection) -> None:
    connection.execute(
        text("INSERT INTO section (id, key, title, position) VALUES (1, 'plan', 'Plan', 0)")
    )
    connection.execute(
        text(
            "INSERT INTO priority (id, number, section_id, recommendation, paragraph_refs, expected_outcomes) "
            "VALUES (1, 1, 1, 'Do better', '[]', '[]')"
        )
    )
    connection.execute(
        text(
            "INSERT INTO action (id, ref, priority_id, number, text, paragraph_refs, rag, is_new, created_at) "
            "VALUES (1, '1.1', 1, 1, 'An action', '[21]', 'amber', false, '2018-10-31 12:00:00')"
        )
    )
    connection.execute(
        text(
            "INSERT INTO plan (id, name, loaded_at, source) VALUES (1, 'Plan', '2018-10-31 12:00:00', 'seed')"
        )
    )
    connection.execute(
        text(
            "INSERT INTO progressupdate (id, action_id, text, at, source) "
            "VALUES (1, 1, 'On track', '2018-10-31 12:00:00', 'seed')"
        )
    )
    # A row referring to a table that 0002's batch migration rebuilds (progressupdate).
    connection.execute(
        text(
            "INSERT INTO ragproposal (action_id, update_id, proposed_rag, proposed_at, status) "
            "VALUES (1, 1, 'green', '2018-11-01 09:00:00', 'unconfirmed')"
        )
    )


def _check_0001(connection: Connection) -> None:
    row = connection.execute(text("SELECT ref, rag, text FROM action")).one()
    assert tuple(row) == ("1.1", "amber", "An action")
    assert connection.execute(text("SELECT text FROM progressupdate")).scalar() == "On track"


def _check_0002(connection: Connection) -> None:
    _check_0001(connection)
    assert connection.execute(text("SELECT update_id FROM ragproposal")).scalar() == 1
    assert connection.execute(text("SELECT progress_as_of FROM plan")).scalar() is None
    # 0002 makes one Slack message one update.
    with pytest.raises(IntegrityError), connection.begin_nested():
        for _ in range(2):
            connection.execute(
                text(
                    "INSERT INTO progressupdate (action_id, text, at, source, slack_channel, slack_ts) "
                    "VALUES (1, 'dup', '2018-11-01 09:00:00', 'reply', 'D0LEAD', '1541062800.000100')"
                )
            )


UPGRADES: list[tuple[str, Callable[[Connection], None], Callable[[Connection], None]]] = [
    ("0001", _seed_0001, _check_0002),
]


@pytest.mark.parametrize(("start", "write", "check"), UPGRADES, ids=[u[0] for u in UPGRADES])
def test_upgrade_keeps_data(database_url, start, write, check):
    engine = make_engine(database_url)
    _run(engine, "upgrade", start)
    with engine.begin() as connection:
        write(connection)
    migrate(engine)
    with engine.connect() as connection:
        check(connection)
    engine.dispose()


def test_sqlite_is_backed_up_before_an_upgrade(sqlite_url, tmp_path):
    engine = make_engine(sqlite_url)
    _run(engine, "upgrade", "0001")
    with engine.begin() as connection:
        _seed_0001(connection)
    backup = migrate(engine)
    assert backup is not None and backup.name.startswith("planbot.db.before-")
    copy = make_engine(f"sqlite:///{backup}")
    with copy.connect() as connection:
        assert (
            connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"
        )
        _check_0001(connection)
    assert migrate(engine) is None  # at head: nothing to do, no second backup
    copy.dispose()
    engine.dispose()


def test_a_current_schema_is_checked_without_the_write_lock(sqlite_url):
    import sqlite3

    engine = make_engine(sqlite_url)
    migrate(engine)
    writer = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), timeout=0.1)
    writer.execute("BEGIN IMMEDIATE")  # another process is writing
    try:
        started = make_engine(sqlite_url)
        assert migrate(started) is None  # does not wait for the writer
        started.dispose()
    finally:
        writer.rollback()
        writer.close()
    engine.dispose()


def test_foreign_keys_are_back_on_after_a_migration(sqlite_url):
    engine = make_engine(sqlite_url)
    migrate(engine)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()
