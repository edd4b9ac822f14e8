"""The working-day calendar (bot/plan/calendar.py): England and Wales's bank holidays, counting."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from bot.plan.calendar import UnknownRegion, WorkingCalendar

ROOT = Path(__file__).parents[2]
CAL = WorkingCalendar(["mon", "tue", "wed", "thu", "fri"], "GB-ENG")


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2018, 12, 24), True),  # Monday before Christmas
        (date(2018, 12, 25), False),  # Christmas Day
        (date(2018, 12, 26), False),  # Boxing Day
        (date(2018, 12, 27), True),
        (date(2018, 12, 29), False),  # Saturday
        (date(2018, 12, 31), True),
        (date(2019, 1, 1), False),  # New Year's Day
        (date(2019, 4, 18), True),  # Maundy Thursday
        (date(2019, 4, 19), False),  # Good Friday
        (date(2019, 4, 22), False),  # Easter Monday
        (date(2019, 4, 23), True),
        (date(2019, 5, 6), False),  # early May bank holiday
        (date(2019, 5, 27), False),  # Spring bank holiday
        (date(2019, 8, 26), False),  # August bank holiday
        (date(2020, 5, 8), False),  # early May moved to VE Day's anniversary
        (date(2020, 5, 4), True),
        (date(2020, 12, 28), False),  # Boxing Day (a Saturday) substitute
        (date(2021, 12, 27), False),  # Christmas Day (a Saturday) substitute
        (date(2021, 12, 28), False),  # Boxing Day (a Sunday) substitute
        (date(2022, 1, 3), False),  # New Year's Day (a Saturday) substitute
    ],
)
def test_working_days_in_england(day, working):
    assert CAL.is_working_day(day) is working


@pytest.mark.parametrize(
    ("day", "next_", "previous"),
    [
        (date(2018, 12, 24), date(2018, 12, 24), date(2018, 12, 24)),
        (date(2018, 12, 22), date(2018, 12, 24), date(2018, 12, 21)),
        (date(2018, 12, 25), date(2018, 12, 27), date(2018, 12, 24)),
        (date(2019, 1, 1), date(2019, 1, 2), date(2018, 12, 31)),
        (date(2019, 4, 19), date(2019, 4, 23), date(2019, 4, 18)),
        (date(2019, 4, 21), date(2019, 4, 23), date(2019, 4, 18)),
    ],
)
def test_next_and_previous_working_day(day, next_, previous):
    assert CAL.next_working_day(day) == next_
    assert CAL.previous_working_day(day) == previous


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        (date(2018, 12, 21), 1, date(2018, 12, 24)),
        (date(2018, 12, 24), 1, date(2018, 12, 27)),
        (date(2018, 12, 24), 3, date(2018, 12, 31)),
        (date(2018, 12, 31), 1, date(2019, 1, 2)),
        (date(2019, 4, 18), 1, date(2019, 4, 23)),
        (date(2019, 4, 23), -1, date(2019, 4, 18)),
        (date(2018, 12, 27), -2, date(2018, 12, 21)),
        (date(2018, 12, 22), 0, date(2018, 12, 22)),  # 0 leaves even a Saturday alone
    ],
)
def test_add_working_days(day, n, expected):
    assert CAL.add_working_days(day, n) == expected


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        (date(2018, 11, 1), 1, date(2018, 11, 30)),
        (date(2018, 11, 1), 5, date(2018, 11, 26)),
        (date(2018, 12, 31), 1, date(2018, 12, 31)),
        (date(2018, 12, 3), 5, date(2018, 12, 21)),  # 31, 28, 27, 24, 21 (25 and 26 are off)
        (date(2019, 3, 15), 1, date(2019, 3, 29)),  # the 31st is a Sunday
        (date(2019, 3, 15), 5, date(2019, 3, 25)),
        (date(2019, 4, 1), 5, date(2019, 4, 24)),
        (date(2019, 5, 1), 5, date(2019, 5, 24)),  # 27 May is the Spring bank holiday
        (date(2019, 8, 1), 5, date(2019, 8, 23)),  # 26 Aug is the August bank holiday
        (date(2019, 2, 10), 30, date(2019, 2, 1)),  # never before the month's first working day
    ],
)
def test_working_days_before_month_end(day, n, expected):
    assert CAL.working_days_before_month_end(day, n) == expected


def test_month_end_counting_starts_at_one():
    with pytest.raises(ValueError, match="starts at 1"):
        CAL.working_days_before_month_end(date(2019, 1, 1), 0)


def test_working_days_by_number_or_name_and_a_six_day_week():
    assert WorkingCalendar(range(5)).working_weekdays == CAL.working_weekdays
    six = WorkingCalendar(["Monday", "tue", "wed", "thu", "fri", "SAT"], "GB-ENG")
    assert six.is_working_day(date(2018, 12, 29))
    assert six.next_working_day(date(2018, 12, 30)) == date(2018, 12, 31)
    with pytest.raises(ValueError, match="not a weekday"):
        WorkingCalendar(["mon", "funday"])
    with pytest.raises(ValueError, match="at least one working day"):
        WorkingCalendar([])


def test_no_region_means_no_holidays():
    plain = WorkingCalendar(range(5), None)
    assert plain.is_working_day(date(2018, 12, 25))
    assert plain.holidays_in(2018) == frozenset()


def test_holiday_names_and_lower_case_regions():
    assert CAL.holiday_name(date(2021, 12, 28)) == "Boxing Day (observed)"
    assert CAL.holiday_name(date(2021, 12, 29)) is None
    assert not WorkingCalendar(range(5), "gb-eng").is_working_day(date(2019, 4, 19))
    scotland = WorkingCalendar(range(5), "GB-SCT")
    assert not scotland.is_working_day(date(2019, 1, 2))  # 2 January is a holiday in Scotland
    assert scotland.is_working_day(date(2019, 4, 22))  # Easter Monday is not


@pytest.mark.parametrize(
    ("region", "says"),
    [
        ("XX", ["no country 'XX'", "GB", "IE", "US"]),
        ("GB-XYZ", ["no subdivision 'XYZ'", "GB-ENG, GB-NIR, GB-SCT, GB-WLS"]),
    ],
)
def test_an_unknown_region_names_the_valid_ones(region, says):
    calendar = WorkingCalendar(range(5), region)  # the holidays package is not loaded yet
    with pytest.raises(UnknownRegion) as caught:
        calendar.check()
    for part in says:
        assert part in str(caught.value)
    with pytest.raises(UnknownRegion):
        calendar.is_working_day(date(2019, 1, 1))


@pytest.mark.parametrize("region", ["England", "GB ENG", "", "G-ENG"])
def test_a_malformed_region_fails_at_once(region):
    with pytest.raises(UnknownRegion, match="such as GB-ENG"):
        WorkingCalendar(range(5), region)


def test_importing_the_calendar_does_not_import_holidays():
    code = (
        "import sys\n"
        "from bot.plan.calendar import WorkingCalendar\n"
        "calendar = WorkingCalendar(range(5), 'GB-ENG')\n"
        "assert 'holidays' not in sys.modules, 'imported too early'\n"
        "import datetime\n"
        "assert not calendar.is_working_day(datetime.date(2018, 12, 25))\n"
        "assert 'holidays' in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
