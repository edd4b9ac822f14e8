"""The lists of open actions (`/plan overdue`, `due`, `mine`) read from the store: the first page
and a count, the same as every action's state filtered and sorted in memory, on SQLite and
PostgreSQL; and the whole-plan counts with a priority that has no actions."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event, update
from sqlmodel import Session, select

from bot.plan.rag import Rag
from bot.status.views import summarise
from store import plan, reminders, replies
from store.engine import transaction
from store.models import Action, ActionLead, Priority, RoleMember
from tests.conftest import LOADED_AT

WINDOWS = [
    (None, date(2018, 12, 31)),  # overdue on 1 January 2019
    (date(2019, 1, 1), date(2019, 3, 31)),  # due in the next 89 days
    (date(2019, 3, 31), date(2019, 3, 31)),  # one day
    (date(2030, 1, 1), date(2030, 12, 31)),  # none
]


def _changed(engine) -> None:
    """Some actions closed or completed, and a person who leads two roles and deputises for one."""
    with transaction(engine) as session:
        session.exec(update(Action).where(Action.ref == "1.1").values(rag=Rag.COMPLETED.value))
        session.exec(update(Action).where(Action.ref == "2.1").values(closed_at=LOADED_AT))
        session.exec(update(Action).where(Action.ref == "5.3").values(timescale=None))
        roles = session.exec(
            select(ActionLead.role_id).join(Action).where(Action.ref.in_(["5.3", "7.1"]))
        ).all()
        for role_id, deputy in {(roles[0], False), (roles[-1], True), (1, False)}:
            session.add(
                RoleMember(
                    role_id=role_id, slack_user_id="U0READER", is_deputy=deputy, mapped_at=LOADED_AT
                )
            )


def _expected(session, due_from, due_to, user=None):
    """Every open action's state, filtered and sorted in memory."""
    mine = set(replies.actions_of(session=session, user=user)) if user else None
    return sorted(
        (
            s
            for s in reminders.action_states(session=session, tz="Europe/London")
            if s.is_open
            and (mine is None or str(s.ref) in mine)
            and (
                (due_from is None and due_to is None)
                or (
                    s.timescale is not None
                    and (due_from is None or s.timescale >= due_from)
                    and (due_to is None or s.timescale <= due_to)
                )
            )
        ),
        key=lambda s: (s.timescale or date.max, s.ref),
    )


def _shown(state):
    return (
        state.ref,
        state.text,
        state.leads,
        state.timescale,
        state.original_timescale,
        state.rag,
    )


@pytest.mark.parametrize("due_from, due_to", WINDOWS)
@pytest.mark.parametrize("first", [1, 5, 100])
def test_the_first_page_and_the_count_are_those_of_every_action(seeded, due_from, due_to, first):
    _changed(seeded)
    with Session(seeded) as session:
        listed = reminders.open_actions(
            session=session, due_from=due_from, due_to=due_to, first=first
        )
        expected = _expected(session, due_from, due_to)
    assert listed.total == len(expected)
    # Both timescales are shown (_shown), so whether one was revised is compared too.
    assert [_shown(a) for a in listed.actions] == [_shown(s) for s in expected[:first]]


@pytest.mark.parametrize("due_from, due_to", [(None, None), *WINDOWS])
def test_a_persons_list_is_every_open_action_they_lead_or_deputise_for(seeded, due_from, due_to):
    _changed(seeded)
    with Session(seeded) as session:
        listed = reminders.open_actions(
            session=session, due_from=due_from, due_to=due_to, user="U0READER"
        )
        expected = _expected(session, due_from, due_to, user="U0READER")
        nobody = reminders.open_actions(session=session, user="U0NOBODY")
    key = lambda a: (a.timescale or date.max, a.ref)  # noqa: E731
    assert [_shown(a) for a in sorted(listed.actions, key=key)] == [_shown(s) for s in expected]
    assert listed.total == len(expected)
    assert (nobody.actions, nobody.total) == ([], 0)
    if due_from is None and due_to is None:
        assert any(a.timescale is None for a in listed.actions)  # 5.3, whose timescale was cleared


def test_overdue_and_due_read_the_window_from_the_index(sqlite_seeded):
    """On SQLite (whose plans are stable on a small table): the page is read in timescale
    order from ix_action_due, stopping at the first so many, and the count from that index
    alone, never scanning the action table."""
    statements: list[tuple[str, tuple]] = []

    def seen(_connection, _cursor, statement, parameters, _context, _many) -> None:
        statements.append((statement, parameters))

    event.listen(sqlite_seeded, "before_cursor_execute", seen)
    try:
        with Session(sqlite_seeded) as session:
            listed = reminders.open_actions(session=session, due_to=date(2019, 6, 30), first=3)
    finally:
        event.remove(sqlite_seeded, "before_cursor_execute", seen)
    assert len(listed.actions) == 3 and listed.total > 3
    plans = {}
    with sqlite_seeded.connect() as connection:
        for statement, parameters in statements:
            if "FROM action" in statement:
                rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
                plans[statement] = [row[-1] for row in rows]
    [page] = [p for s, p in plans.items() if "LIMIT" in s]
    [count] = [p for s, p in plans.items() if "count(*)" in s]
    assert any("SEARCH action USING INDEX ix_action_due" in step for step in page), page
    assert not any("TEMP B-TREE FOR ORDER BY" in step for step in page), page
    assert len(count) == 1, count
    assert count[0].startswith("SEARCH action USING COVERING INDEX ix_action_due"), count


def test_a_list_counts_what_it_did_not_read(seeded, monkeypatch):
    """`/plan overdue` reads LIST_READ actions and says how many there are."""
    from bot.settings import Settings
    from bot.status import service

    monkeypatch.setattr(service, "LIST_READ", 4)
    settings = Settings(
        _env_file=None, database_url=seeded.url.render_as_string(hide_password=False)
    )
    today = date(2019, 6, 30)
    with Session(seeded) as session:
        expected = _expected(session, None, date(2019, 6, 29))
    answer = service.answer_command(
        engine=seeded, settings=settings, user="U0READER", text="overdue", today=today, now=None
    )
    context = answer.blocks[-1]["elements"][0]["text"]
    assert context.startswith(f"Showing 4 of {len(expected)} actions.")
    assert "*" + str(expected[3].ref) + "*" in str(answer.blocks)
    assert "*" + str(expected[4].ref) + "*" not in str(answer.blocks)
    # The plain text, should Slack refuse the blocks (it once failed formatting an ActionRef).
    assert f"{str(expected[0].ref):>6}  " in answer.as_text()


def test_the_whole_plan_counts_a_priority_without_actions(seeded):
    with transaction(seeded) as session:
        section_id = session.exec(select(Priority.section_id)).first()
        session.add(Priority(number=99, section_id=section_id, recommendation="Nothing yet"))
    day = date(2019, 4, 1)
    with Session(seeded) as session:
        counted = plan.plan_summary(session=session, today=day)
        expected = summarise(plan.plan_outline(session=session), day)
    assert counted == expected
    assert counted.priorities[-1].number == 99 and counted.priorities[-1].tally.total == 0
