"""Each person's 09:00 in their own zone, across the BST/GMT switches: one DM per local day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.reminders.timing import due_people_at, local_send_instant

NINE = time(9, 0)
PEOPLE = {"U0LONDON": "Europe/London", "U0NEWYRK": "America/New_York", "U0NOZONE": None}


@pytest.mark.parametrize(
    ("day", "tz", "utc_hour"),
    [
        (date(2018, 10, 26), "Europe/London", 8),  # BST
        (date(2018, 10, 29), "Europe/London", 9),  # GMT from Sunday 28 Oct
        (date(2018, 10, 29), "America/New_York", 13),  # EDT until 4 Nov
        (date(2018, 11, 5), "America/New_York", 14),  # EST
        (date(2019, 3, 8), "America/New_York", 14),  # EST until 10 Mar
        (date(2019, 3, 11), "America/New_York", 13),  # EDT
        (date(2019, 3, 29), "Europe/London", 9),  # GMT until Sunday 31 Mar
        (date(2019, 4, 1), "Europe/London", 8),  # BST
    ],
)
def test_local_send_instant(day, tz, utc_hour):
    assert local_send_instant(day, NINE, tz) == datetime.combine(day, time(utc_hour), tzinfo=UTC)


def test_a_time_skipped_by_the_clock_change_is_read_before_it():
    # 01:30 on 31 Mar 2019 does not exist in London; it is read as 01:30 GMT (02:30 BST).
    instant = local_send_instant(date(2019, 3, 31), time(1, 30), "Europe/London")
    assert instant == datetime(2019, 3, 31, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (datetime(2018, 10, 24, tzinfo=UTC), datetime(2018, 11, 8, tzinfo=UTC)),
        (datetime(2019, 3, 6, tzinfo=UTC), datetime(2019, 4, 4, tzinfo=UTC)),
    ],
    ids=["autumn 2018", "spring 2019"],
)
def test_ticks_every_five_minutes_send_each_person_one_dm_per_local_day_at_nine(start, end):
    sent: dict[tuple[str, date], datetime] = {}  # the outbox, keyed by person and local date
    tick = start
    while tick < end:
        for user, day in due_people_at(tick, PEOPLE, NINE, "Europe/London").items():
            sent.setdefault((user, day), tick)
        tick += timedelta(minutes=5)
    for user, tz in PEOPLE.items():
        zone = ZoneInfo(tz or "Europe/London")
        started = start.astimezone(zone).date()  # the run began that evening: a late catch-up
        days = sorted(day for who, day in sent if who == user and day != started)
        expected, day = [], started + timedelta(days=1)
        while local_send_instant(day, NINE, str(zone)) < end:
            expected.append(day)
            day += timedelta(days=1)
        # Every local day exactly once (the outbox's key), none missing, each at 09:00 local
        # time whichever side of the switch; the ticks fall on whole hours in both zones.
        assert days == expected
        for day in days:
            assert sent[user, day] == local_send_instant(day, NINE, str(zone)), (user, day)
            assert sent[user, day].astimezone(zone).time() == NINE


def test_a_late_start_catches_up_the_same_day_and_not_the_day_before():
    tick = datetime(2018, 10, 29, 16, 0, tzinfo=UTC)  # 16:00 in London, 12:00 in New York
    assert due_people_at(tick, PEOPLE, NINE) == {
        "U0LONDON": date(2018, 10, 29),
        "U0NEWYRK": date(2018, 10, 29),
        "U0NOZONE": date(2018, 10, 29),
    }
    # 06:00 in New York: Monday's DM is not due yet, and Sunday's day is over (not caught up).
    early = datetime(2018, 10, 29, 10, 0, tzinfo=UTC)
    assert due_people_at(early, PEOPLE, NINE) == {
        "U0LONDON": date(2018, 10, 29),
        "U0NOZONE": date(2018, 10, 29),
    }


def test_an_unknown_zone_falls_back_to_the_plans_and_naive_instants_are_refused():
    tick = datetime(2018, 10, 29, 9, 0, tzinfo=UTC)
    assert due_people_at(tick, {"U0MARS01": "Mars/Olympus_Mons"}, NINE) == {
        "U0MARS01": date(2018, 10, 29)
    }
    with pytest.raises(ValueError, match="aware"):
        due_people_at(datetime(2018, 10, 29, 9, 0), PEOPLE, NINE)
