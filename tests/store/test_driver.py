"""Reads on the driver (store/driver.py) give what the ORM gave, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import bindparam
from sqlmodel import Session, select

from store import plan
from store.driver import DriverQuery, day, instant
from store.engine import reading, transaction
from store.models import Action, MeasureValue, ProgressUpdate, RagProposal

LATER = datetime(2018, 11, 20, 10, 30, 15, 123456, tzinfo=UTC)


def test_a_session_reads_what_it_has_not_yet_flushed(seeded):
    with Session(seeded) as session:
        action = session.exec(select(Action).where(Action.ref == "7.3")).one()
        session.add(
            ProgressUpdate(action_id=action.id, text="Audit booked", at=LATER, source="reply")
        )
        view = plan.priority_view(session=session, number=7)
        session.rollback()
    [seven_three] = [a for a in view.actions if str(a.ref) == "7.3"]
    assert seven_three.last_update.text == "Audit booked"
    assert seven_three.last_update.at == LATER  # aware UTC, to the microsecond


def test_instants_and_dates_come_back_as_the_orm_gave_them(seeded):
    with Session(seeded) as session:
        action = session.exec(select(Action).where(Action.ref == "2.1")).one()
        session.add(MeasureValue(measure_id=1, value="64%", recorded_at=LATER, source="command"))
        session.add(
            RagProposal(
                action_id=action.id,
                proposed_rag="green",
                revised_timescale=date(2019, 3, 31),
                proposed_by="U0LEAD",
                proposed_at=LATER,
                status="awaiting_approval",
            )
        )
        session.commit()
        orm = session.exec(select(Action).where(Action.ref == "2.1")).one()
        detail = plan.action_detail(session=session, ref="2.1")
        measures = plan.priority_view(session=session, number=1).measures
    assert detail.action.timescale == orm.timescale and isinstance(orm.timescale, date)
    assert detail.pending == (
        "RAG Green, timescale 2019-03-31 proposed by U0LEAD: awaiting the approvers' decision",
    )
    assert [(m.value, m.at) for m in measures if m.value] == [("64%", LATER)]
    assert all(e.at.tzinfo is UTC for e in detail.history)


def test_a_statement_takes_named_parameters_and_its_own_literals(seeded):
    # The statement's own literal (the LIMIT) travels with the named parameter.
    refs = DriverQuery(
        select(Action.ref)
        .where(Action.priority_id == bindparam("priority_id"))
        .order_by(Action.number)
        .limit(2)
    )
    with Session(seeded) as session:
        assert refs.rows(session, priority_id=7) == [("7.1",), ("7.2",)]
        assert refs.first(session, priority_id=99) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("2019-03-31", date(2019, 3, 31)),
        (date(2019, 3, 31), date(2019, 3, 31)),
    ],
)
def test_day_reads_both_drivers_dates(value, expected):
    assert day(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("2018-11-20 10:30:15.123456", LATER),
        ("2018-11-20 10:30:15", LATER.replace(microsecond=0)),
        (LATER.astimezone(timezone(timedelta(hours=1))), LATER),
        (LATER.replace(tzinfo=None), LATER),
    ],
)
def test_instant_is_always_aware_utc(value, expected):
    got = instant(value)
    assert got == expected
    assert got is None or got.tzinfo is UTC


def test_a_reading_session_on_postgresql_holds_no_transaction(seeded):
    """PostgreSQL: each statement of a reading session sees what is committed when it runs (no
    BEGIN, no snapshot held, nothing to roll back). SQLite: one snapshot for the whole session."""
    with reading(seeded) as session:
        before = plan.priority_view(session=session, number=7).actions[0].text
        with transaction(seeded) as writer:
            writer.exec(select(Action).where(Action.ref == "7.1")).one().text = "Rewritten"
        after = plan.priority_view(session=session, number=7).actions[0].text
    assert before != "Rewritten"
    assert after == ("Rewritten" if seeded.dialect.name == "postgresql" else before)
