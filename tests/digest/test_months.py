"""The tracker's months, pure: boundaries in the plan's time zone, and tallies from history."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime

import pytest

from bot.digest.months import (
    first_tracked_month,
    month_end,
    month_end_tallies,
    month_label,
    month_of,
    months_from,
    months_to_freeze,
)
from bot.digest.records import ActionHistory, ActionOrigin, RagEvent
from bot.plan.rag import Rag
from bot.plan.refs import ActionRef
from bot.plan.tallies import Tally

LONDON = "Europe/London"


def tallies_at_month_ends(
    origins: Iterable[ActionOrigin],
    events: Iterable[RagEvent],
    months: list[str],
    priorities: Iterable[int],
    tz: str,
) -> dict[str, dict[int, Tally]]:
    """month_end_tallies, all months at once, from the actions and their RAG changes given as
    separate lists (as the tests below write them)."""
    by_ref: dict = defaultdict(list)
    for event in events:
        by_ref[event.ref].append((event.from_rag, event.to_rag, event.at))
    histories = (
        ActionHistory(
            origin.priority,
            origin.rag,
            origin.is_new,
            origin.created_at,
            tuple(sorted(by_ref.get(origin.ref, ()), key=lambda change: change[2])),
        )
        for origin in origins
    )
    return dict(month_end_tallies(histories, months, priorities, tz))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("instant", "month"),
    [
        ("2018-10-31T23:30", "2018-10"),  # 23:30 GMT: BST ended on 28 Oct, still October
        ("2018-11-01T00:00", "2018-11"),
        ("2018-09-30T23:30", "2018-10"),  # 00:30 BST on 1 Oct: already October
        ("2018-09-30T22:59", "2018-09"),
        ("2019-03-31T23:30", "2019-04"),  # BST again from 31 Mar 2019
    ],
)
def test_a_month_is_a_month_of_the_plans_time_zone(instant, month):
    assert month_of(utc(instant), LONDON) == month


def test_month_ends_follow_bst_and_gmt():
    assert month_end("2018-09", LONDON) == utc("2018-09-30T23:00")  # midnight BST
    assert month_end("2018-10", LONDON) == utc("2018-11-01T00:00")  # midnight GMT


@pytest.mark.parametrize(
    ("written", "first"),
    [
        ("2018-10-31T12:00", "2018-11"),  # the seed: its tracker starts NOV 2018
        ("2018-10-31T23:30", "2018-11"),
        ("2018-11-15T12:00", "2018-11"),  # written mid-month: that month is tracked
    ],
)
def test_the_tracker_starts_the_month_after_the_progress_was_written(written, first):
    assert first_tracked_month(utc(written), utc("2019-01-01T00:00"), LONDON) == first


def test_a_plan_without_progress_date_is_tracked_from_its_loading():
    assert first_tracked_month(None, utc("2019-02-03T10:00"), LONDON) == "2019-02"


def test_months_to_freeze_are_the_past_months_not_frozen():
    assert months_from("2018-11", "2019-02") == ["2018-11", "2018-12", "2019-01", "2019-02"]
    assert months_to_freeze("2018-11", date(2019, 2, 1), {"2018-12"}) == ["2018-11", "2019-01"]
    assert months_to_freeze("2018-11", date(2018, 11, 30), set()) == []
    assert month_label("2018-11") == "NOV 2018"


def test_tallies_at_month_ends_are_hand_counted():
    a, b, c = ActionRef(1, 1), ActionRef(1, 2), ActionRef(2, 1)
    origins = [
        ActionOrigin(a, Rag.COMPLETED, False, utc("2018-10-31T12:00")),
        ActionOrigin(b, Rag.AMBER, False, utc("2018-10-31T12:00")),
        ActionOrigin(c, Rag.RED, True, utc("2018-12-10T10:00")),
    ]
    events = [
        RagEvent(a, Rag.UNRATED, Rag.GREEN, utc("2018-10-31T12:00")),
        RagEvent(a, Rag.GREEN, Rag.COMPLETED, utc("2018-12-31T23:30")),  # GMT: December
        RagEvent(b, Rag.UNRATED, Rag.RED, utc("2018-11-30T23:30")),  # GMT: November
        RagEvent(b, Rag.RED, Rag.AMBER, utc("2019-01-02T10:00")),
        RagEvent(c, Rag.UNRATED, Rag.RED, utc("2018-12-10T10:00")),
    ]
    months = ["2018-11", "2018-12", "2019-01"]
    tallies = tallies_at_month_ends(origins, events, months, [1, 2, 3], LONDON)
    assert tallies["2018-11"] == {
        1: Tally(red=1, green=1, total=2),
        2: Tally(),
        3: Tally(),
    }
    assert tallies["2018-12"][1] == Tally(red=1, completed=1, total=2)
    assert tallies["2018-12"][2] == Tally(red=1, new_actions=1, total=1)
    assert tallies["2019-01"][1] == Tally(amber=1, completed=1, total=2)
    assert tallies["2019-01"][2] == Tally(red=1, total=1)  # new in December, not January


def test_an_action_without_changes_counts_at_its_rag_now():
    a = ActionRef(1, 1)
    origins = [ActionOrigin(a, Rag.GREEN, False, utc("2018-10-31T12:00"))]
    tallies = tallies_at_month_ends(origins, [], ["2018-11"], [1], LONDON)
    assert tallies["2018-11"][1] == Tally(green=1, total=1)


def test_the_bst_change_decides_the_month_of_a_late_evening_change():
    a = ActionRef(1, 1)
    origins = [ActionOrigin(a, Rag.AMBER, False, utc("2018-08-01T12:00"))]
    events = [
        # 23:30 UTC on 30 Sep is 00:30 BST on 1 Oct: not September's.
        RagEvent(a, Rag.UNRATED, Rag.RED, utc("2018-09-30T23:30")),
        # 23:30 UTC on 31 Oct is 23:30 GMT, still 31 Oct: October's.
        RagEvent(a, Rag.RED, Rag.AMBER, utc("2018-10-31T23:30")),
    ]
    tallies = tallies_at_month_ends(origins, events, ["2018-09", "2018-10", "2018-11"], [1], LONDON)
    assert tallies["2018-09"][1] == Tally(unrated=1, total=1)
    assert tallies["2018-10"][1] == Tally(amber=1, total=1)


def test_month_end_tallies_come_a_month_at_a_time_from_histories():
    from bot.digest.months import month_end_tallies
    from bot.digest.records import ActionHistory

    histories = [
        ActionHistory(
            1,
            Rag.COMPLETED,
            False,
            utc("2018-10-31T12:00"),
            (
                (Rag.UNRATED, Rag.GREEN, utc("2018-10-31T12:00")),
                (Rag.GREEN, Rag.COMPLETED, utc("2018-12-31T23:30")),
            ),
        ),
        ActionHistory(2, Rag.RED, True, utc("2018-12-10T10:00")),
    ]
    months = month_end_tallies(iter(histories), ["2018-11", "2018-12", "2019-01"], [1, 2], LONDON)
    assert next(months) == ("2018-11", {1: Tally(green=1, total=1), 2: Tally()})
    assert next(months) == (
        "2018-12",
        {1: Tally(completed=1, total=1), 2: Tally(red=1, new_actions=1, total=1)},
    )
    assert next(months) == (
        "2019-01",
        {1: Tally(completed=1, total=1), 2: Tally(red=1, total=1)},
    )
    assert next(months, None) is None


def test_a_month_starts_at_midnight_in_a_zone_half_an_hour_off_utc():
    # Kolkata is UTC+5:30: 18:10 UTC on 30 Nov is 23:40 there (November), 18:40 UTC is 00:10
    # on 1 Dec (December), within the same UTC hour.
    kolkata = "Asia/Kolkata"
    a, b = ActionRef(1, 1), ActionRef(1, 2)
    origins = [
        ActionOrigin(a, Rag.RED, True, utc("2018-11-30T18:40")),
        ActionOrigin(b, Rag.GREEN, False, utc("2018-11-01T12:00")),
    ]
    events = [RagEvent(b, Rag.RED, Rag.GREEN, utc("2018-11-30T18:10"))]
    assert month_of(utc("2018-11-30T18:10"), kolkata) == "2018-11"
    assert month_of(utc("2018-11-30T18:40"), kolkata) == "2018-12"
    tallies = tallies_at_month_ends(origins, events, ["2018-11", "2018-12"], [1], kolkata)
    assert tallies["2018-11"][1] == Tally(green=1, total=1)
    assert tallies["2018-12"][1] == Tally(red=1, green=1, new_actions=1, total=2)
