"""The store on SQLite and PostgreSQL: loading, reading views, leads."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from bot.plan.rag import Rag
from store import leads, plan
from store.engine import transaction
from store.models import Action, ProgressUpdate
from tests.conftest import LOADED_AT


def test_seed_loads_whole(seeded):
    with Session(seeded) as session:
        outline = plan.plan_outline(session=session)
        assert len(outline.priorities) == 15
        assert sum(len(p.actions) for p in outline.priorities) == 93
        assert outline.priorities[6].ofsted_recommendation == 9
        assert outline.priorities[6].section == "Children looked after and achieving permanence"


def test_seed_progress_is_dated_when_written_not_when_loaded(seeded):
    with Session(seeded) as session:
        updates = list(session.exec(select(ProgressUpdate)))
    assert updates and {u.at for u in updates} == {datetime(2018, 10, 31, 12, tzinfo=UTC)}
    assert {u.source for u in updates} == {"seed"}


def test_action_detail_history(seeded):
    with Session(seeded) as session:
        detail = plan.action_detail(session=session, ref="1.3")
    assert detail.action.leads == ("Director of Children's Social Care",)
    assert detail.action.rag is Rag.UNRATED
    assert detail.history[0].kind == "update" and detail.history[0].via == "seed"
    assert detail.action.last_update.at.tzinfo is not None


def test_unknown_action_and_priority(seeded):
    with Session(seeded) as session:
        assert plan.action_detail(session=session, ref="7.99") is None
        assert plan.priority_view(session=session, number=99) is None
        assert plan.action_refs(session=session, priority=7) == [f"7.{n}" for n in range(1, 7)]
        assert [
            p.number for p in plan.priorities_for_recommendation(session=session, recommendation=9)
        ] == [7]


def test_retracted_update_is_not_the_latest(seeded):
    with transaction(seeded) as session:
        action = session.exec(select(Action).where(Action.ref == "1.1")).one()
        later = datetime(2018, 11, 20, 10, tzinfo=UTC)
        session.add(
            ProgressUpdate(
                action_id=action.id, text="Withdrawn", at=later, source="reply", retracted_at=later
            )
        )
    with Session(seeded) as session:
        detail = plan.action_detail(session=session, ref="1.1")
    assert detail.action.last_update.text.startswith("Independent review")
    assert detail.history[-1].text == "(retracted) Withdrawn"


def test_map_role_forgives_case_and_dashes_and_is_idempotent(seeded):
    at = datetime(2018, 11, 2, tzinfo=UTC)
    for _ in range(2):
        with transaction(seeded) as session:
            role = leads.map_role(
                session=session,
                role_name="service manager icrt",
                user_id="U0LEAD1",
                deputy="U0DEP1",
                at=at,
                by="test",
            )
            assert role.name == "Service Manager - ICRT"
    with Session(seeded) as session:
        view = next(r for r in leads.roles(session=session) if r.name == "Service Manager - ICRT")
    assert view.users == ["U0LEAD1"] and view.deputies == ["U0DEP1"]
    assert "1.4" in view.actions


def test_unknown_role_suggests_close_names_and_changes_nothing(seeded):
    with pytest.raises(leads.UnknownRole) as raised, transaction(seeded) as session:
        leads.map_role(
            session=session,
            role_name="Servce Manager ICRT",
            user_id="U0X",
            deputy=None,
            at=LOADED_AT,
            by=None,
        )
    assert "Service Manager - ICRT" in raised.value.suggestions
    with Session(seeded) as session:
        assert all(not r.users for r in leads.roles(session=session))


def test_timestamps_are_aware_utc(seeded):
    with Session(seeded) as session:
        update = session.exec(select(ProgressUpdate)).first()
    assert update.at.utcoffset().total_seconds() == 0


def test_sqlite_pragmas_hold_on_every_pooled_connection(sqlite_url):
    from sqlalchemy import text

    from store.engine import make_engine, migrate

    engine = make_engine(sqlite_url)
    migrate(engine)
    connections = [engine.connect() for _ in range(3)]
    try:
        for connection in connections:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000
    finally:
        for connection in connections:
            connection.close()
    with pytest.raises(Exception, match="FOREIGN KEY"), engine.begin() as connection:
        connection.execute(
            text("INSERT INTO actionlead (action_id, role_id, position) VALUES (999, 999, 0)")
        )
    engine.dispose()


def test_foreign_keys_are_enforced_on_both_databases(engine):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), transaction(engine) as session:
        session.add(ProgressUpdate(action_id=424242, text="orphan", at=LOADED_AT, source="reply"))


def test_a_reader_does_not_block_a_writer(sqlite_seeded):
    from store.engine import transaction

    with Session(sqlite_seeded) as reader:
        assert plan.plan_outline(session=reader).priorities  # a read transaction is open
        with transaction(sqlite_seeded) as writer:  # and a write still goes through at once
            leads.map_role(
                session=writer,
                role_name="Chair of SSCB",
                user_id="U0W1",
                deputy=None,
                at=LOADED_AT,
                by=None,
            )


@pytest.mark.parametrize("today", ["2018-11-20", "2019-04-01", "2030-01-01"])
def test_plan_summary_counts_what_the_outline_shows(seeded, today):
    """The whole-plan counts made in the database (GROUP BY) equal those made from the outline
    in memory: RAG, new actions, and overdue (open, past the timescale, not completed or closed)."""
    from datetime import date

    from sqlalchemy import update

    from bot.status.views import summarise

    with transaction(seeded) as session:
        session.exec(update(Action).where(Action.ref == "1.1").values(rag=Rag.RED.value))
        session.exec(update(Action).where(Action.ref == "1.2").values(rag=Rag.COMPLETED.value))
        session.exec(update(Action).where(Action.ref == "1.3").values(is_new=True))
        session.exec(update(Action).where(Action.ref == "2.1").values(closed_at=LOADED_AT))
    day = date.fromisoformat(today)
    with Session(seeded) as session:
        counted = plan.plan_summary(session=session, today=day)
        expected = summarise(plan.plan_outline(session=session), day)
    assert counted == expected
    assert counted.tally.total == 93 and counted.tally.red == 1 and counted.tally.new_actions == 1
