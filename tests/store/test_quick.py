"""store.quick: a SQLite plan read without SQLAlchemy reads the same as through a session."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import asdict
from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, select

from store import bake, plan, sqlite_statements
from store.engine import sqlite_path, transaction
from store.models import (
    Action,
    ActionLead,
    Escalation,
    Measure,
    MeasureValue,
    ProgressUpdate,
    RagChange,
    RagProposal,
    RoleMember,
    TimescaleChange,
)
from store.quick import quick_reader, sqlite_file

AT = datetime(2018, 12, 3, 10, 30, tzinfo=UTC)


def test_the_compiled_statements_are_current():
    """store/sqlite_statements.py is what `python -m store.bake` writes from today's statements
    and schema: a changed statement or a new migration without a new bake fails here."""
    head, statements = bake.compiled()
    assert (head, statements) == (sqlite_statements.HEAD, sqlite_statements.STATEMENTS), (
        "store/sqlite_statements.py is out of date: run `python -m store.bake`"
    )
    assert set(statements) == {query.name for query in plan.NAMED_READS}


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///planbot.db",
        "sqlite:///data/plan.db",
        "sqlite:////srv/planbot/plan.db",
        "sqlite+pysqlite:///planbot.db",
        "sqlite:///with space.db",
    ],
)
def test_a_plain_sqlite_url_names_the_file_sqlalchemy_would(url):
    assert sqlite_file(url) == sqlite_path(url)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://planbot:planbot@127.0.0.1/planbot",
        "sqlite://",
        "sqlite:///:memory:",
        "sqlite:///plan.db?mode=ro",
        "sqlite:///caf%C3%A9.db",
        "sqlite+aiosqlite:///planbot.db",
        "sqlite:///",
    ],
)
def test_any_other_url_is_left_to_the_ordinary_path(url):
    assert sqlite_file(url) is None


def test_no_reader_for_a_missing_file_and_none_is_made(tmp_path):
    missing = tmp_path / "nothing.db"
    with quick_reader(missing) as reader:
        assert reader is None
    assert not missing.exists()


def test_no_reader_for_a_file_that_is_not_a_planbot_database(tmp_path):
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database at all" * 100)
    for path in (other, garbage):
        with quick_reader(path) as reader:
            assert reader is None


def test_no_reader_for_a_schema_at_another_revision(sqlite_seeded, tmp_path):
    path = sqlite_path(str(sqlite_seeded.url))
    copy = tmp_path / "older.db"
    shutil.copy(path, copy)
    with sqlite3.connect(copy) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0006'")
    connection.close()
    with quick_reader(copy) as reader:
        assert reader is None
    with quick_reader(path) as reader:
        assert reader is not None


def _add_history(engine) -> None:
    """Every kind of row an answer reads: updates (one retracted, one from Slack), RAG and
    timescale changes, an undecided proposal, an open escalation, people, a measure's values,
    a closed action."""
    with transaction(engine) as session:
        action = session.exec(select(Action).where(Action.ref == "7.3")).one()
        session.add_all(
            [
                ProgressUpdate(
                    action_id=action.id,
                    text="Tracker live",
                    author="U0LEAD001",
                    at=AT,
                    source="reply",
                    slack_channel="D0LEAD001",
                    slack_ts="1543833000.000100",
                ),
                ProgressUpdate(
                    action_id=action.id, text="Withdrawn", at=AT, source="reply", retracted_at=AT
                ),
                RagChange(
                    action_id=action.id, from_rag="unrated", to_rag="amber", at=AT, via="approval"
                ),
                TimescaleChange(
                    action_id=action.id,
                    from_date=date(2019, 3, 31),
                    to_date=date(2019, 6, 30),
                    at=AT,
                    via="command",
                    reason="court delays",
                ),
                RagProposal(
                    action_id=action.id,
                    proposed_rag="green",
                    revised_timescale=date(2019, 5, 31),
                    proposed_by="U0LEAD001",
                    proposed_at=AT,
                    status="awaiting_approval",
                ),
                Escalation(
                    action_id=action.id,
                    since=date(2018, 11, 1),
                    day=date(2018, 12, 3),
                    reminders=3,
                    at=AT,
                ),
            ]
        )
        lead = session.exec(select(ActionLead).where(ActionLead.action_id == action.id)).first()
        session.add(RoleMember(role_id=lead.role_id, slack_user_id="U0LEAD001", mapped_at=AT))
        session.add(
            RoleMember(
                role_id=lead.role_id, slack_user_id="U0DEPUTY1", is_deputy=True, mapped_at=AT
            )
        )
        for measure in session.exec(select(Measure)).all()[:3]:
            session.add(
                MeasureValue(measure_id=measure.id, value="62%", recorded_at=AT, source="command")
            )
        closed = session.exec(select(Action).where(Action.ref == "7.5")).one()
        closed.closed_at, closed.closed_by, closed.closed_reason = AT, "U0ADMIN01", "superseded"


def test_every_read_is_the_same_through_a_session_and_the_quick_reader(sqlite_seeded):
    _add_history(sqlite_seeded)
    path = sqlite_path(str(sqlite_seeded.url))
    with Session(sqlite_seeded) as session, quick_reader(path) as reader:
        assert reader is not None
        priorities = plan.priority_numbers(session=session)
        assert plan.priority_numbers(session=reader) == priorities
        assert plan.plan_name(session=reader) == plan.plan_name(session=session)
        assert plan.plan_exists(session=reader)
        assert plan.ofsted_recommendations(session=reader) == plan.ofsted_recommendations(
            session=session
        )
        for today in (date(2018, 11, 20), date(2019, 6, 1)):
            assert plan.plan_summary(session=reader, today=today) == plan.plan_summary(
                session=session, today=today
            )
        assert plan.plan_outline(session=reader) == plan.plan_outline(session=session)
        for number in [*priorities, 99]:
            assert plan.priority_view(session=reader, number=number) == plan.priority_view(
                session=session, number=number
            )
            refs = plan.action_refs(session=session, priority=number)
            assert plan.action_refs(session=reader, priority=number) == refs
            for ref in [*refs, f"{number}.99"]:
                assert plan.action_detail(session=reader, ref=ref) == plan.action_detail(
                    session=session, ref=ref
                )
        for recommendation in range(0, 16):
            assert plan.priorities_for_recommendation(
                session=reader, recommendation=recommendation
            ) == plan.priorities_for_recommendation(session=session, recommendation=recommendation)
        # The history above is there to be compared, not an empty answer twice.
        detail = asdict(plan.action_detail(session=reader, ref="7.3"))
        assert detail["pending"] and detail["escalation"] and detail["deputies"] == ("U0DEPUTY1",)
        assert any(entry["link"] for entry in detail["history"])
        assert plan.action_detail(session=reader, ref="7.5").closure is not None
