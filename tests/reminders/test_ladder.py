"""The ladder and the monthly round, day by day across weekends and England's bank holidays."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from bot.plan.calendar import WorkingCalendar
from bot.plan.rag import Rag
from bot.plan.refs import ActionRef
from bot.reminders.ladder import Due, LadderDay, Reason, reminder_due, snooze_until
from bot.reminders.records import ActionState
from bot.reminders.rules import ReminderRules

CAL = WorkingCalendar(range(5), "GB-ENG")
RULES = ReminderRules()  # 14, 7, 0 days before; weekly overdue; round 5; quiet 5
LADDER_ONLY = ReminderRules(monthly_round_days=0)
d = date.fromisoformat


def action(timescale: date | None, **fields) -> ActionState:
    return ActionState(
        ActionRef(7, 3), "Audit case files", ("Service Manager",), timescale, **fields
    )


def timeline(
    state: ActionState | Callable[[date], ActionState],
    start: date,
    end: date,
    rules: ReminderRules = LADDER_ONLY,
) -> list[tuple[str, str, int]]:
    """Every day from start to end on which the action is chased: (day, reason, days)."""
    found = []
    day = start
    while day <= end:
        current = state(day) if callable(state) else state
        due = reminder_due(current, day, CAL, rules)
        if due is not None:
            found.append((day.isoformat(), str(due.reason), due.days))
        day += timedelta(days=1)
    return found


def around(timescale: str) -> tuple[date, date]:
    return d(timescale) - timedelta(days=25), d(timescale) + timedelta(days=24)


LADDERS = {
    "a Friday, no holidays near": (
        "2018-11-16",
        [
            ("2018-11-02", "upcoming", 14),
            ("2018-11-09", "upcoming", 7),
            ("2018-11-16", "due", 0),
            ("2018-11-23", "overdue", -7),
            ("2018-11-30", "overdue", -14),
            ("2018-12-07", "overdue", -21),
        ],
    ),
    "a Sunday: rungs before it on the Friday, after it on the Monday": (
        "2018-12-16",
        [
            ("2018-11-30", "upcoming", 16),
            ("2018-12-07", "upcoming", 9),
            ("2018-12-14", "due", 2),
            ("2018-12-24", "overdue", -8),
            ("2018-12-31", "overdue", -15),
            ("2019-01-07", "overdue", -22),
        ],
    ),
    "Christmas Day: due on Christmas Eve, first overdue after New Year": (
        "2018-12-25",
        [
            ("2018-12-11", "upcoming", 14),
            ("2018-12-18", "upcoming", 7),
            ("2018-12-24", "due", 1),
            ("2019-01-02", "overdue", -8),
            ("2019-01-08", "overdue", -14),
            ("2019-01-15", "overdue", -21),
        ],
    ),
    "Boxing Day: due two days early": (
        "2018-12-26",
        [
            ("2018-12-12", "upcoming", 14),
            ("2018-12-19", "upcoming", 7),
            ("2018-12-24", "due", 2),
            ("2019-01-02", "overdue", -7),
            ("2019-01-09", "overdue", -14),
            ("2019-01-16", "overdue", -21),
        ],
    ),
    "a week after New Year: heads-ups on Christmas Eve and New Year's Eve": (
        "2019-01-08",
        [
            ("2018-12-24", "upcoming", 15),
            ("2018-12-31", "upcoming", 8),
            ("2019-01-08", "due", 0),
            ("2019-01-15", "overdue", -7),
            ("2019-01-22", "overdue", -14),
            ("2019-01-29", "overdue", -21),
        ],
    ),
    "a week after Good Friday: the 7-day heads-up on Maundy Thursday": (
        "2019-04-26",
        [
            ("2019-04-12", "upcoming", 14),
            ("2019-04-18", "upcoming", 8),
            ("2019-04-26", "due", 0),
            ("2019-05-03", "overdue", -7),
            ("2019-05-10", "overdue", -14),
            ("2019-05-17", "overdue", -21),
        ],
    ),
    "Easter Monday: due on Maundy Thursday": (
        "2019-04-22",
        [
            ("2019-04-08", "upcoming", 14),
            ("2019-04-15", "upcoming", 7),
            ("2019-04-18", "due", 4),
            ("2019-04-29", "overdue", -7),
            ("2019-05-07", "overdue", -15),  # 6 May is the early May bank holiday
            ("2019-05-13", "overdue", -21),
        ],
    ),
    "a week before Easter Monday: first overdue on the Tuesday": (
        "2019-04-15",
        [
            ("2019-04-01", "upcoming", 14),
            ("2019-04-08", "upcoming", 7),
            ("2019-04-15", "due", 0),
            ("2019-04-23", "overdue", -8),
            ("2019-04-29", "overdue", -14),
            ("2019-05-07", "overdue", -22),
        ],
    ),
    "the early May bank holiday: 14-day heads-up from Easter Monday to Maundy Thursday": (
        "2019-05-06",
        [
            ("2019-04-18", "upcoming", 18),
            ("2019-04-29", "upcoming", 7),
            ("2019-05-03", "due", 3),
            ("2019-05-13", "overdue", -7),
            ("2019-05-20", "overdue", -14),
            ("2019-05-28", "overdue", -22),  # 27 May is the Spring bank holiday
        ],
    ),
    "the end of a month and a year": (
        "2018-12-31",
        [
            ("2018-12-17", "upcoming", 14),
            ("2018-12-24", "upcoming", 7),
            ("2018-12-31", "due", 0),
            ("2019-01-07", "overdue", -7),
            ("2019-01-14", "overdue", -14),
            ("2019-01-21", "overdue", -21),
        ],
    ),
}


@pytest.mark.parametrize(("timescale", "expected"), LADDERS.values(), ids=LADDERS.keys())
def test_each_rung_is_taken_on_exactly_one_working_day(timescale, expected):
    start, end = around(timescale)
    assert timeline(action(d(timescale)), start, end) == expected
    for day, _, _ in expected:
        assert CAL.is_working_day(d(day))


def test_configured_rungs_and_a_daily_overdue_chase_over_a_weekend():
    rules = ReminderRules(days_before=[3, 1], overdue_every_days=1, monthly_round_days=0)
    # Timescale Monday 10 Dec 2018: 3 days before is Friday; 1 day before is Sunday → Friday too.
    got = timeline(action(d("2018-12-10")), d("2018-12-01"), d("2018-12-18"), rules)
    assert got == [
        ("2018-12-07", "upcoming", 3),
        ("2018-12-11", "overdue", -1),
        ("2018-12-12", "overdue", -2),
        ("2018-12-13", "overdue", -3),
        ("2018-12-14", "overdue", -4),
        ("2018-12-17", "overdue", -7),  # Saturday's and Sunday's rungs taken once, on Monday
        ("2018-12-18", "overdue", -8),
    ]


def test_a_revised_timescale_takes_over_the_ladder_mid_way():
    first = action(d("2018-12-14"))
    # Revised on 7 Dec after that morning's reminder, with an update saying why.
    revised = action(
        d("2019-01-11"), original_timescale=d("2018-12-14"), last_update=d("2018-12-07")
    )
    got = timeline(
        lambda day: first if day <= d("2018-12-07") else revised, d("2018-11-25"), d("2019-01-20")
    )
    assert got == [
        ("2018-11-30", "upcoming", 14),
        ("2018-12-07", "upcoming", 7),
        ("2018-12-28", "upcoming", 14),
        ("2019-01-04", "upcoming", 7),
        ("2019-01-11", "due", 0),
        ("2019-01-18", "overdue", -7),
    ]


def test_nothing_on_a_non_working_day():
    saturday = d("2018-11-17")
    assert LadderDay(saturday, CAL, RULES).due(action(saturday)) is None
    assert reminder_due(action(d("2018-12-25")), d("2018-12-25"), CAL, RULES) is None


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"last_update": d("2018-11-12")}, "updated on 12 Nov 2018"),  # 4 days before: quiet
        ({"snoozed_until": d("2018-11-16")}, "snoozed until 16 Nov 2018"),
        ({"snoozed_until": d("2018-11-20")}, "snoozed until 20 Nov 2018"),
    ],
)
def test_quiet_and_snoozed_actions_are_held_back(fields, why):
    today = LadderDay(d("2018-11-16"), CAL, RULES)
    held = action(d("2018-11-16"), **fields)
    assert today.due(held) == Due(Reason.DUE, 0)
    assert today.held_back(held) == why
    assert today.remind(held) is None


def test_quiet_days_end_after_five_calendar_days():
    # Updated Monday 5 Nov: Friday 9 Nov is the 4th day after (quiet), Saturday the 5th.
    assert (
        reminder_due(
            action(d("2018-11-09"), last_update=d("2018-11-05")), d("2018-11-09"), CAL, RULES
        )
        is None
    )
    got = timeline(
        action(d("2018-11-09"), last_update=d("2018-11-05")), d("2018-11-05"), d("2018-11-20")
    )
    assert got == [("2018-11-16", "overdue", -7)]


@pytest.mark.parametrize(
    "fields",
    [{"rag": Rag.COMPLETED}, {"closed": True}],
    ids=["completed", "closed"],
)
def test_completed_and_closed_actions_are_never_chased(fields):
    start, end = around("2018-11-16")
    assert timeline(action(d("2018-11-16"), **fields), start, end, RULES) == []


def test_no_timescale_no_ladder_and_no_round():
    assert timeline(action(None), d("2018-11-01"), d("2019-01-31"), RULES) == []


def test_the_monthly_round_on_the_fifth_last_working_day():
    far = action(d("2020-01-31"))
    got = [day for day, reason, _ in timeline(far, d("2018-11-01"), d("2019-05-31"), RULES)]
    assert got == [
        "2018-11-26",
        "2018-12-21",  # Christmas and Boxing Day do not count
        "2019-01-25",
        "2019-02-22",
        "2019-03-25",  # 31 March is a Sunday
        "2019-04-24",
        "2019-05-24",  # 27 May is the Spring bank holiday
    ]
    assert {reason for _, reason, _ in timeline(far, d("2018-11-01"), d("2019-01-31"), RULES)} == {
        "monthly"
    }


@pytest.mark.parametrize(
    ("last_update", "reminded"),
    [
        (None, True),
        (d("2018-11-30"), True),  # updated last month
        (d("2018-12-01"), False),  # updated this month
        (d("2018-12-20"), False),
    ],
)
def test_the_round_skips_actions_updated_this_month(last_update, reminded):
    due = reminder_due(
        action(d("2019-06-28"), last_update=last_update), d("2018-12-21"), CAL, RULES
    )
    assert (due == Due(Reason.MONTHLY, 189)) is reminded


@pytest.mark.parametrize(
    ("round_days", "round_day"),
    [(1, "2018-12-31"), (3, "2018-12-27"), (0, None)],
)
def test_the_round_is_configurable_and_can_be_off(round_days, round_day):
    rules = ReminderRules(monthly_round_days=round_days)
    got = timeline(action(d("2019-06-28")), d("2018-12-01"), d("2018-12-31"), rules)
    assert got == (
        [(round_day, "monthly", (d("2019-06-28") - d(round_day)).days)] if round_day else []
    )


def test_a_ladder_rung_on_the_round_day_counts_once_as_the_ladder():
    # Timescale Friday 28 Dec 2018: its 7-day heads-up is on Friday 21 Dec, the round's day.
    got = timeline(action(d("2018-12-28")), d("2018-12-01"), d("2018-12-31"), RULES)
    assert got == [
        ("2018-12-14", "upcoming", 14),
        ("2018-12-21", "upcoming", 7),
        ("2018-12-28", "due", 0),
    ]


def test_an_overdue_action_in_the_round():
    # Timescale Monday 12 Nov 2018: overdue rungs fall on Mondays; the round is Monday 26 Nov too.
    got = timeline(action(d("2018-11-12")), d("2018-11-20"), d("2018-12-31"), RULES)
    assert ("2018-11-26", "overdue", -14) in got
    assert ("2018-12-21", "monthly", -39) in got  # not a weekly rung: chased by the round


SNOOZES = {
    # Snoozed on the due day for 3 working days (to Wed 19 Dec): the weekly rung on Friday 21 Dec
    # comes within the quiet days of the snooze's end, so Thursday stays quiet.
    "snoozed on the due day": (
        "2018-12-14",
        "2018-12-19",
        LADDER_ONLY,
        [("2018-12-14", "due", 0), ("2018-12-21", "overdue", -7), ("2018-12-28", "overdue", -14)],
    ),
    # Snoozed over the Friday 21 Dec rung (to Mon 24 Dec): held back, and the next rung, Friday
    # 28 Dec, is near enough that the snooze's end adds nothing.
    "a rung inside the snooze": (
        "2018-12-14",
        "2018-12-24",
        LADDER_ONLY,
        [("2018-12-14", "due", 0), ("2018-12-28", "overdue", -14), ("2019-01-04", "overdue", -21)],
    ),
    # Ladder of 30 and 0 days: snoozed on the 30-day heads-up (Mon 3 Dec to Thu 6 Dec); the due
    # day is weeks away, so "remind me later" means Friday 7 Dec.
    "remind me later when no rung is near": (
        "2019-01-02",
        "2018-12-06",
        ReminderRules(days_before=(30, 0), monthly_round_days=0),
        [("2018-12-03", "upcoming", 30), ("2018-12-07", "upcoming", 26), ("2019-01-02", "due", 0)],
    ),
}


@pytest.mark.parametrize(
    ("timescale", "until", "rules", "expected"), SNOOZES.values(), ids=SNOOZES.keys()
)
def test_snooze(timescale, until, rules, expected):
    first = d(expected[0][0])

    def state(day: date) -> ActionState:
        return action(d(timescale), snoozed_until=d(until) if day > first else None)

    assert timeline(state, first, d(expected[-1][0]) + timedelta(days=1), rules) == expected


@pytest.mark.parametrize(
    ("pressed", "until"),
    [("2018-12-14", "2018-12-19"), ("2018-12-21", "2018-12-28"), ("2019-04-17", "2019-04-24")],
)
def test_snooze_lasts_three_working_days(pressed, until):
    assert snooze_until(d(pressed), CAL, RULES) == d(until)


def test_a_snoozed_round_reminder_comes_back_in_the_same_month():
    # The round on Wed 24 Apr 2019, snoozed 3 working days (to Mon 29 Apr): again on Tue 30 Apr.
    far = action(d("2020-01-31"), snoozed_until=d("2019-04-29"))
    assert timeline(far, d("2019-04-25"), d("2019-05-20"), RULES) == [
        ("2019-04-30", "monthly", 276)
    ]
    # Snoozed past the month's end, the round waits for next month's.
    later = action(d("2020-01-31"), snoozed_until=d("2019-05-01"))
    assert timeline(later, d("2019-04-25"), d("2019-05-20"), RULES) == []


@pytest.mark.parametrize("fields", [{"rag": Rag.COMPLETED}, {"closed": True}])
def test_a_snooze_ending_on_a_completed_action_says_nothing(fields):
    done = action(d("2019-01-02"), snoozed_until=d("2018-12-06"), **fields)
    rules = ReminderRules(days_before=(30, 0), monthly_round_days=0)
    assert timeline(done, d("2018-12-01"), d("2018-12-31"), rules) == []


def test_rules_take_settings_lists_and_reject_nonsense():
    rules = ReminderRules(days_before=[0, 7, 14, 7])
    assert rules.days_before == (14, 7, 0)
    assert rules.first_rung == 14
    with pytest.raises(ValueError):
        ReminderRules(overdue_every_days=0)
    with pytest.raises(ValueError):
        ReminderRules(days_before=[-1])
