"""The admins' changes against the seed plan, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from bot.changes import service
from bot.changes.records import ChangeRefused, Recorded, confirmation
from bot.plan.rag import Rag
from store import plan
from store.engine import transaction
from store.models import (
    Action,
    ActionLead,
    Escalation,
    LeadRole,
    Measure,
    MeasureValue,
    TimescaleChange,
    metadata,
)
from store.reminders import action_states

AT = datetime(2018, 12, 3, 10, 0, tzinfo=UTC)
LATER = datetime(2018, 12, 10, 10, 0, tzinfo=UTC)
ADMIN = "U0ADMIN001"


def row_counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {
            table.name: session.exec(select(func.count()).select_from(table)).one()
            for table in metadata.sorted_tables
        }


def action(engine: Engine, ref: str) -> Action:
    with Session(engine) as session:
        return session.exec(select(Action).where(Action.ref == ref)).one()


def test_add_action_is_the_priority_s_next_new_action(seeded):
    added = service.add_action(
        engine=seeded,
        priority=3,
        text="  Launch the domestic abuse pathway ",
        lead_roles=["director of early help", "Chair of SSCB"],
        due=date(2019, 3, 31),
        by=ADMIN,
        at=AT,
    )
    assert added.ref == "3.9"
    assert added.leads == ("Director of Early Help", "Chair of SSCB")
    assert confirmation(added) == (
        "Added New Action 3.9, led by Director of Early Help; Chair of SSCB, due 31 Mar 2019: "
        "Launch the domestic abuse pathway"
    )
    new = action(seeded, "3.9")
    assert (new.number, new.text, new.is_new, new.rag) == (
        9,
        "Launch the domestic abuse pathway",
        True,
        "unrated",
    )
    assert (new.timescale, new.original_timescale) == (date(2019, 3, 31), date(2019, 3, 31))
    assert (new.created_at, new.created_by, new.closed_at) == (AT, ADMIN, None)
    with Session(seeded) as session:
        view = plan.priority_view(session=session, number=3).actions[-1]
        leads = session.exec(
            select(LeadRole.name)
            .join(ActionLead, ActionLead.role_id == LeadRole.id)
            .where(ActionLead.action_id == new.id)
            .order_by(ActionLead.position)
        ).all()
    assert str(view.ref) == "3.9" and view.is_new and view.rag is Rag.UNRATED
    assert leads == ["Director of Early Help", "Chair of SSCB"]
    again = service.add_action(
        engine=seeded,
        priority=3,
        text="And another",
        lead_roles=["Chair of SSCB"],
        due=date(2019, 6, 30),
        by="cli",
        at=AT,
    )
    assert again.ref == "3.10"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"priority": 99}, "There is no priority 99 — the plan has priorities 1–15."),
        (
            {"lead_roles": ["Director of Earli Help"]},
            "There is no lead role 'Director of Earli Help'. Did you mean 'Director of Early Help'",
        ),
        (  # the first role is known: nothing of the action is left behind either
            {"lead_roles": ["Chair of SSCB", "Nobody in particular"]},
            "There is no lead role 'Nobody in particular'.",
        ),
        ({"lead_roles": []}, "Say which lead role"),
        ({"text": "   "}, "text is empty"),
        ({"text": "x" * 32_767}, "at most 32,767 fit a spreadsheet cell"),
    ],
)
def test_add_action_refused_changes_nothing(seeded, change, message):
    before = row_counts(seeded)
    arguments = {
        "priority": 3,
        "text": "Launch",
        "lead_roles": ["Director of Early Help"],
        "due": date(2019, 3, 31),
        "by": ADMIN,
        "at": AT,
    } | change
    with pytest.raises(ChangeRefused) as refused:
        service.add_action(engine=seeded, **arguments)
    assert message in refused.value.message
    assert row_counts(seeded) == before


def test_retime_keeps_the_original_and_records_why(seeded):
    first = service.retime(
        engine=seeded, ref="3.4", to=date(2019, 6, 30), reason="partner delay", by=ADMIN, at=AT
    )
    assert (first.from_date, first.to_date, first.original) == (
        date(2019, 3, 31),
        date(2019, 6, 30),
        date(2019, 3, 31),
    )
    assert (
        confirmation(first) == "Action 3.4 re-timed from 31 Mar 2019 to 30 Jun 2019: partner delay"
    )
    second = service.retime(
        engine=seeded, ref="3.4", to=date(2019, 9, 30), reason=None, by="cli", at=LATER, via="cli"
    )
    assert confirmation(second) == (
        "Action 3.4 re-timed from 30 Jun 2019 to 30 Sep 2019 (originally 31 Mar 2019)"
    )
    retimed = action(seeded, "3.4")
    assert (retimed.timescale, retimed.original_timescale) == (
        date(2019, 9, 30),
        date(2019, 3, 31),
    )
    with Session(seeded) as session:
        changes = session.exec(
            select(TimescaleChange)
            .where(TimescaleChange.action_id == retimed.id)
            .order_by(TimescaleChange.at)
        ).all()
        detail = plan.action_detail(session=session, ref="3.4")
    assert [(c.from_date, c.to_date, c.at, c.by, c.via, c.reason) for c in changes] == [
        (date(2019, 3, 31), date(2019, 6, 30), AT, ADMIN, "command", "partner delay"),
        (date(2019, 6, 30), date(2019, 9, 30), LATER, "cli", "cli", None),
    ]
    assert detail.action.original_timescale == date(2019, 3, 31)
    assert [entry.text for entry in detail.history if entry.kind == "timescale"] == [
        "Timescale 2019-03-31 → 2019-06-30 (partner delay)",
        "Timescale 2019-06-30 → 2019-09-30",
    ]


def test_retime_of_an_action_without_a_timescale_gives_it_one(seeded):
    # 5.2's timescale is missing in the seed: kept missing, never invented, until an admin sets it.
    assert action(seeded, "5.2").timescale is None
    done = service.retime(
        engine=seeded, ref="5.2", to=date(2019, 1, 31), reason=None, by=ADMIN, at=AT
    )
    assert confirmation(done) == "Action 5.2 re-timed to 31 Jan 2019"
    assert action(seeded, "5.2").timescale == date(2019, 1, 31)


@pytest.mark.parametrize(
    ("ref", "to", "message"),
    [
        ("3.99", date(2019, 6, 30), "There is no action 3.99 — priority 3 has actions 3.1–3.8."),
        ("99.1", date(2019, 6, 30), "the plan has no priority 99 (it has priorities 1–15)"),
        ("3.4", date(2019, 3, 31), "Action 3.4 is already due on 31 Mar 2019; nothing changed."),
        ("banana", date(2019, 6, 30), "'banana' is not an action number like 3.4."),
    ],
)
def test_retime_refused_changes_nothing(seeded, ref, to, message):
    before = row_counts(seeded)
    with pytest.raises(ChangeRefused) as refused:
        service.retime(engine=seeded, ref=ref, to=to, reason="why", by=ADMIN, at=AT)
    assert message in refused.value.message
    assert row_counts(seeded) == before


def test_close_takes_an_action_out_of_the_loop_and_keeps_it(seeded):
    with transaction(seeded) as session:
        action_id = session.exec(select(Action.id).where(Action.ref == "3.1")).one()
        session.add(
            Escalation(
                action_id=action_id,
                since=date(2018, 7, 31),
                day=date(2018, 11, 30),
                reminders=2,
                at=AT,
            )
        )
    closed = service.close(engine=seeded, ref="3.1", reason="superseded by 3.9", by=ADMIN, at=LATER)
    assert confirmation(closed).startswith("Action 3.1 is closed: superseded by 3.9.")
    row = action(seeded, "3.1")
    assert (row.closed_at, row.closed_by, row.closed_reason) == (LATER, ADMIN, "superseded by 3.9")
    with Session(seeded) as session:
        states = {str(s.ref): s for s in action_states(session=session, tz="Europe/London")}
        detail = plan.action_detail(session=session, ref="3.1")
        escalation = session.exec(select(Escalation)).one()
    assert states["3.1"].closed and not states["3.1"].is_open
    assert not states["3.2"].closed
    assert detail.action.closed and detail.closure.reason == "superseded by 3.9"
    assert detail.closure.by == ADMIN and detail.closure.at == LATER
    assert escalation.resolved_at == LATER  # nobody is chased about it any more
    # Closing again, or moving its timescale, is refused and changes nothing.
    before = row_counts(seeded)
    with pytest.raises(ChangeRefused, match="already closed by U0ADMIN001; nothing changed"):
        service.close(engine=seeded, ref="3.1", reason="again", by=ADMIN, at=LATER)
    with pytest.raises(ChangeRefused, match="3.1 is closed, so its timescale stays"):
        service.retime(
            engine=seeded, ref="3.1", to=date(2019, 6, 30), reason=None, by=ADMIN, at=LATER
        )
    assert row_counts(seeded) == before
    assert action(seeded, "3.1").closed_reason == "superseded by 3.9"


@pytest.mark.parametrize(
    ("ref", "reason", "message"),
    [
        ("3.4", "  ", "Say why"),
        ("3.4", None, "Say why"),
        ("7.9", "gone", "There is no action 7.9 — priority 7 has actions 7.1–7.6."),
    ],
)
def test_close_refused_changes_nothing(seeded, ref, reason, message):
    before = row_counts(seeded)
    with pytest.raises(ChangeRefused) as refused:
        service.close(engine=seeded, ref=ref, reason=reason, by=ADMIN, at=AT)
    assert message in refused.value.message
    assert row_counts(seeded) == before
    assert action(seeded, "3.4").closed_at is None


def test_record_measure_by_name_or_number_keeps_each_value_dated(seeded):
    first = service.record_measure(
        engine=seeded,
        priority=1,
        kind="kpi",
        name_or_number="number of unallocated cases",
        value="12",
        by=ADMIN,
        at=AT,
    )
    assert first == Recorded(1, "kpi", 7, "Number of unallocated cases", "12", None)
    second = service.record_measure(
        engine=seeded,
        priority=1,
        kind="kpi",
        name_or_number="7",
        value=" 9 ",
        by="cli",
        at=LATER,
        via="cli",
    )
    assert confirmation(second) == (
        "Priority 1's KPI 7 (Number of unallocated cases): value 9 (was 12)"
    )
    rating = service.record_measure(
        engine=seeded,
        priority=1,
        kind="quality",
        name_or_number="safety plans",
        value="Requires improvement",
        by=ADMIN,
        at=AT,
    )
    assert rating.name == "Safety plans are robust and timely" and rating.number == 3
    with Session(seeded) as session:
        rows = session.exec(
            select(
                Measure.name,
                MeasureValue.value,
                MeasureValue.recorded_at,
                MeasureValue.recorded_by,
                MeasureValue.source,
            )
            .join(Measure, Measure.id == MeasureValue.measure_id)
            .order_by(MeasureValue.id)
        ).all()
    assert [tuple(row) for row in rows] == [
        ("Number of unallocated cases", "12", AT, ADMIN, "command"),
        ("Number of unallocated cases", "9", LATER, "cli", "cli"),
        ("Safety plans are robust and timely", "Requires improvement", AT, ADMIN, "command"),
    ]


@pytest.mark.parametrize(
    ("priority", "kind", "name", "value", "message"),
    [
        (99, "kpi", "1", "12", "There is no priority 99 — the plan has priorities 1–15."),
        (1, "kpi", "8", "12", "Priority 1 has no KPI 8; its KPIs are 1 "),
        (1, "kpi", "turnover", "12", "Priority 1 has no KPI 'turnover'."),
        (1, "quality", "% of all", "Good", "Priority 1 has no quality measure '% of all'."),
        (1, "kpi", "% of all", "12", "is part of several of priority 1's KPIs"),
        (1, "kpi", "1", "  ", "Give the value to record."),
        (1, "quality", "1", "x" * 201, "at most 200 fit"),
        (1, "outcome", "1", "12", "'outcome' is not a kind of measure"),
    ],
)  # fmt: skip
def test_record_measure_refused_changes_nothing(seeded, priority, kind, name, value, message):
    before = row_counts(seeded)
    with pytest.raises(ChangeRefused) as refused:
        service.record_measure(
            engine=seeded,
            priority=priority,
            kind=kind,
            name_or_number=name,
            value=value,
            by=ADMIN,
            at=AT,
        )
    assert message in refused.value.message
    assert row_counts(seeded) == before


def test_changes_on_an_empty_database_say_there_is_no_plan(engine):
    with pytest.raises(ChangeRefused, match="no priorities yet"):
        service.add_action(
            engine=engine,
            priority=1,
            text="x",
            lead_roles=["A"],
            due=date(2019, 1, 1),
            by=None,
            at=AT,
        )
    with pytest.raises(ChangeRefused, match="no priorities yet"):
        service.close(engine=engine, ref="1.1", reason="x", by=None, at=AT)
