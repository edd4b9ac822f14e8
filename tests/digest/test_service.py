"""The digest read from the store (SQLite and PostgreSQL): tallies against hand counts, this
week's changes, what needs attention, participation, and the month-end snapshots."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, select

from bot.digest.service import build_digest, digest_json, freeze_month, freeze_months
from bot.plan.rag import Rag
from bot.plan.tallies import Tally
from bot.settings import Settings
from store.models import MonthSnapshot
from tests.digest.plans import add_new_action, at, change_rag, load_small, the_week

SETTINGS = Settings(_env_file=None)
TODAY = date(2018, 11, 20)  # a Tuesday; "this week" is 13–19 Nov


@pytest.fixture
def small(engine):
    load_small(engine)
    the_week(engine)
    return engine


def test_current_tallies_by_priority_are_hand_counted(small):
    digest = build_digest(engine=small, settings=SETTINGS, today=TODAY)
    assert digest.by_priority == {
        1: Tally(amber=2, green=1, completed=1, total=4),
        2: Tally(red=1, completed=1, unrated=1, new_actions=1, total=3),
        3: Tally(amber=1, total=1),
    }
    assert digest.totals == Tally(
        red=1, amber=3, green=1, completed=2, unrated=1, new_actions=1, total=8
    )
    # Agreed RAGs only: 1.2's proposed Green and 1.3's Completed (evidence pending) wait apart.
    assert digest.pending_by_priority == {1: 2}


def test_the_seed_plan_is_93_actions_not_yet_rated(seeded):
    digest = build_digest(engine=seeded, settings=SETTINGS, today=TODAY)
    assert digest.totals == Tally(unrated=93, total=93)
    assert digest.by_priority[1] == Tally(unrated=16, total=16)
    assert sorted(digest.by_priority) == list(range(1, 16))
    assert [c.month for c in digest.months] == ["2018-11"]
    assert digest.months[0].live


def test_this_weeks_changes(small):
    digest = build_digest(engine=small, settings=SETTINGS, today=TODAY)
    data = digest_json(digest)
    kinds = [(c["kind"], c["action"], c["from"], c["to"]) for c in data["changes"]]
    assert kinds == [
        ("rag", "1.1", "red", "amber"),
        ("completed", "2.2", "green", "completed"),
        ("timescale", "1.2", "2018-11-30", "2019-01-31"),
        ("returned", "2.1", None, "green"),
    ]
    # 2.3 was added on 8 Nov, before this week: not a new action of the week.
    assert [c for c in data["changes"] if c["kind"] == "new"] == []
    later = build_digest(engine=small, settings=SETTINGS, today=date(2018, 11, 14))
    assert [c.ref.__str__() for c in later.changes_of("new")] == ["2.3"]


def test_needs_attention(small):
    data = digest_json(build_digest(engine=small, settings=SETTINGS, today=TODAY))
    # 1.1 due 1 Nov (19 days over); 2.2 was due 10 Nov but is completed; 1.4 too.
    assert data["overdue"] == [{"action": "1.1", "days": 19}]
    assert data["due_soon"] == [{"action": "2.1", "days": 5}]
    assert [(p["action"], p["status"], p["rag"]) for p in data["pending"]] == [
        ("1.2", "awaiting_approval", "green"),
        ("1.3", "evidence_pending", "completed"),
    ]
    assert data["escalated"] == [{"action": "1.1", "day": "2018-11-15", "reminders": 2}]
    assert data["unreachable"] == [
        {"user": "U0GONE0001", "error": "user_disabled", "roles": ["Lead C"]}
    ]
    digest = build_digest(engine=small, settings=SETTINGS, today=TODAY)
    assert [str(f.ref) for f in digest.no_timescale] == ["3.1"]


def test_participation_this_month(small):
    data = digest_json(build_digest(engine=small, settings=SETTINGS, today=TODAY))
    assert data["participation"] == {
        "month": "2018-11",
        "reminded": 3,
        "answered": 2,
        "not_answered": 1,
        "median_days_to_answer": 1,  # 2 days and 0 days
        "not_answered_people": ["U0LEADC001"],
    }


def test_json_has_the_issues_shape(small):
    data = digest_json(build_digest(engine=small, settings=SETTINGS, today=TODAY))
    assert set(data) == {
        "by_priority",
        "totals",
        "by_month",
        "overdue",
        "due_soon",
        "pending",
        "escalated",
        "unreachable",
        "changes",
        "participation",
    }
    keys = {"red", "amber", "green", "completed", "unrated", "new", "total"}
    assert set(data["by_priority"]) == {"1", "2", "3"}
    assert all(set(t) == keys for t in data["by_priority"].values())
    assert set(data["totals"]) == keys
    assert data["by_month"] == {
        "2018-11": {
            "red": 1,
            "amber": 3,
            "green": 1,
            "completed": 2,
            "unrated": 1,
            "new": 1,
            "total": 8,
        }
    }


# --- Month end -----------------------------------------------------------------------------------


def frozen(engine) -> dict[tuple[str, int], Tally]:
    with Session(engine) as session:
        return {
            (r.month, r.priority_number): Tally(
                r.red, r.amber, r.green, r.completed, r.unrated, r.new_actions, r.total
            )
            for r in session.exec(select(MonthSnapshot))
        }


def test_month_end_freezes_the_month_once(small):
    assert freeze_months(engine=small, settings=SETTINGS, today=TODAY) == []  # November is live
    assert freeze_months(engine=small, settings=SETTINGS, today=date(2018, 12, 1)) == ["2018-11"]
    before = frozen(small)
    assert before[("2018-11", 1)] == Tally(amber=2, green=1, completed=1, total=4)
    assert before[("2018-11", 2)] == Tally(red=1, completed=1, unrated=1, new_actions=1, total=3)
    # Later changes never touch a frozen month; freezing again changes nothing.
    change_rag(small, "1.3", Rag.RED, at("2018-12-05T10:00:00+00:00"))
    assert freeze_months(engine=small, settings=SETTINGS, today=date(2018, 12, 20)) == []
    assert (
        freeze_month(engine=small, settings=SETTINGS, month="2018-11", today=date(2018, 12, 20))
        is False
    )
    assert frozen(small) == before
    digest = build_digest(engine=small, settings=SETTINGS, today=date(2018, 12, 20))
    nov, dec = digest.months
    assert (nov.month, nov.live, dec.month, dec.live) == ("2018-11", False, "2018-12", True)
    assert nov.tallies[1] == Tally(amber=2, green=1, completed=1, total=4)
    assert dec.tallies[1] == Tally(red=1, amber=2, completed=1, total=4)


def test_months_missed_while_the_bot_was_down_are_frozen_from_history(small):
    # The bot was down from mid-November to February; meanwhile these were recorded.
    change_rag(small, "1.3", Rag.RED, at("2018-12-05T10:00:00+00:00"))
    add_new_action(small, "3.2", Rag.GREEN, at("2019-01-10T10:00:00+00:00"))
    change_rag(small, "1.3", Rag.AMBER, at("2019-01-20T10:00:00+00:00"))
    months = freeze_months(engine=small, settings=SETTINGS, today=date(2019, 2, 4))
    assert months == ["2018-11", "2018-12", "2019-01"]
    snaps = frozen(small)
    assert snaps[("2018-11", 1)] == Tally(amber=2, green=1, completed=1, total=4)
    assert snaps[("2018-12", 1)] == Tally(red=1, amber=2, completed=1, total=4)
    assert snaps[("2019-01", 1)] == Tally(amber=3, completed=1, total=4)
    assert snaps[("2018-12", 3)] == Tally(amber=1, total=1)
    assert snaps[("2019-01", 3)] == Tally(amber=1, green=1, new_actions=1, total=2)
    # A digest that ran before the freeze showed the same figures, worked out from history.
    assert freeze_months(engine=small, settings=SETTINGS, today=date(2019, 2, 4)) == []


def test_a_preview_works_out_unfrozen_months_like_freezing_would(small):
    change_rag(small, "1.3", Rag.RED, at("2018-12-05T10:00:00+00:00"))
    before = digest_json(build_digest(engine=small, settings=SETTINGS, today=date(2019, 1, 9)))
    freeze_months(engine=small, settings=SETTINGS, today=date(2019, 1, 9))
    after = digest_json(build_digest(engine=small, settings=SETTINGS, today=date(2019, 1, 9)))
    assert before["by_month"] == after["by_month"]
    assert list(after["by_month"]) == ["2018-11", "2018-12", "2019-01"]


def test_a_change_at_2330_on_31_october_is_octobers_in_gmt(engine):
    # Tracked from October: progress written 30 Sep (23:30 UTC is 00:30 BST on 1 Oct).
    from dataclasses import replace

    from bot.plan.history import PlanArchive
    from store import archive
    from store.engine import transaction
    from tests.digest.plans import LOADED, small_spec

    spec = replace(small_spec(), progress_as_of=datetime(2018, 9, 29, 12, 0, tzinfo=UTC))
    with transaction(engine) as session:
        archive.load_plan(session=session, archive=PlanArchive(spec), loaded_at=LOADED, source="t")
    change_rag(engine, "1.3", Rag.RED, datetime(2018, 9, 30, 23, 30, tzinfo=UTC))  # October (BST)
    change_rag(engine, "1.2", Rag.RED, datetime(2018, 10, 31, 23, 30, tzinfo=UTC))  # October (GMT)
    change_rag(engine, "1.1", Rag.GREEN, datetime(2018, 11, 1, 0, 0, tzinfo=UTC))  # November
    assert freeze_months(engine=engine, settings=SETTINGS, today=date(2018, 12, 1)) == [
        "2018-09",
        "2018-10",
        "2018-11",
    ]
    snaps = frozen(engine)
    assert snaps[("2018-09", 1)] == Tally(red=1, amber=1, green=1, completed=1, total=4)
    assert snaps[("2018-10", 1)] == Tally(red=3, completed=1, total=4)
    assert snaps[("2018-11", 1)] == Tally(red=2, green=1, completed=1, total=4)


def test_freezing_a_month_by_hand(small):
    with pytest.raises(ValueError, match="not over yet"):
        freeze_month(engine=small, settings=SETTINGS, month="2018-11", today=TODAY)
    with pytest.raises(ValueError, match="starts in 2018-11"):
        freeze_month(engine=small, settings=SETTINGS, month="2018-10", today=date(2019, 1, 2))
    assert freeze_month(engine=small, settings=SETTINGS, month="2018-12", today=date(2019, 1, 2))
    assert {month for month, _ in frozen(small)} == {"2018-12"}


def test_action_histories_stream_what_the_origins_and_events_say(small, monkeypatch):
    from collections import Counter

    from bot.digest.records import ActionHistory
    from store import digest as digest_store

    monkeypatch.setattr(digest_store, "HISTORY_BATCH", 2)  # several fetches of the stream
    change_rag(small, "1.3", Rag.RED, at("2018-12-05T10:00:00+00:00"))
    change_rag(small, "1.3", Rag.AMBER, at("2018-12-05T10:00:00+00:00"))  # same instant
    with Session(small) as session:
        histories = list(digest_store.action_histories(session=session))
        origins = digest_store.action_origins(session=session)
        events = digest_store.rag_events(session=session)
    expected = [
        ActionHistory(
            o.priority,
            o.rag,
            o.is_new,
            o.created_at,
            tuple((e.from_rag, e.to_rag, e.at) for e in events if e.ref == o.ref),
        )
        for o in origins
    ]
    assert Counter(histories) == Counter(expected)
    assert len(histories) == 8
    december = at("2018-12-05T10:00:00+00:00")
    (one_three,) = [h for h in histories if h.changes and h.changes[-1][2] == december]
    # Changes at the same instant come in the order they were recorded.
    assert one_three.changes[-2:] == (
        (Rag.GREEN, Rag.RED, december),
        (Rag.RED, Rag.AMBER, december),
    )


def test_a_freeze_writes_only_the_priorities_not_frozen_yet(engine):
    from store import snapshots
    from store.engine import transaction

    now = at("2018-12-01T00:00:00+00:00")
    first = {1: Tally(red=1, total=1), 2: Tally(green=2, total=2)}
    with transaction(engine) as session:
        assert snapshots.freeze(session=session, month="2018-11", tallies=first, at=now) == 2
    again = {1: Tally(amber=5, total=5), 2: Tally(), 3: Tally(unrated=1, total=1)}
    with transaction(engine) as session:
        assert snapshots.freeze(session=session, month="2018-11", tallies=again, at=now) == 1
        assert snapshots.frozen_at(session=session, month="2018-11") == now
    assert frozen(engine) == {
        ("2018-11", 1): Tally(red=1, total=1),
        ("2018-11", 2): Tally(green=2, total=2),
        ("2018-11", 3): Tally(unrated=1, total=1),
    }
