"""Working days: the plan's working weekdays minus its region's bank holidays.

`holidays` is imported on first use, not when this module is: importing it costs about 40 ms and
building a country about 50 ms more, which `planbot --help` must not pay (its start-up is budgeted).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_ONE_DAY = timedelta(days=1)
_REGION = re.compile(r"^([A-Za-z]{2,3})(?:-([A-Za-z0-9]{1,5}))?$")


class UnknownRegion(ValueError):
    """A holiday region the `holidays` package does not know; the message lists the valid ones."""


def _weekday_number(day: int | str) -> int:
    if isinstance(day, int) and not isinstance(day, bool) and 0 <= day <= 6:
        return day
    name = str(day).strip().lower()[:3]
    if name in WEEKDAY_NAMES:
        return WEEKDAY_NAMES.index(name)
    raise ValueError(
        f"{day!r} is not a weekday; use 0-6 (Monday is 0) or {', '.join(WEEKDAY_NAMES)}"
    )


def _split_region(region: str) -> tuple[str, str | None]:
    match = _REGION.match(region.strip())
    if not match:
        raise UnknownRegion(
            f"{region!r} is not a holiday region; use a country code with an optional "
            "subdivision, such as GB-ENG, GB-SCT, IE or US-NY"
        )
    country, subdiv = match.groups()
    return country.upper(), subdiv.upper() if subdiv else None


def _load_holidays(region: str) -> Any:
    """The region's holidays (a lazily expanding `holidays.HolidayBase`), or UnknownRegion."""
    import holidays  # deferred on purpose: see the module docstring

    country, subdiv = _split_region(region)
    try:
        return holidays.country_holidays(country, subdiv=subdiv)
    except NotImplementedError:
        supported = holidays.list_supported_countries(include_aliases=False)
        if country not in supported:
            raise UnknownRegion(
                f"{region!r}: there is no country {country!r} in the holidays package; "
                f"valid country codes: {', '.join(sorted(supported))}"
            ) from None
        subdivisions = ", ".join(f"{country}-{s}" for s in supported[country]) or "none"
        raise UnknownRegion(
            f"{region!r}: {country} has no subdivision {subdiv!r}; use {country} alone or one "
            f"of: {subdivisions}"
        ) from None


class WorkingCalendar:
    """Which days are working days, and counting in working days.

    `working_days` are weekday numbers (Monday 0) or names ("mon"); `region` is a country code
    with an optional subdivision ("GB-ENG": England and Wales's bank holidays, substitute days
    included), or None for no holidays. The region is checked on first use (or by `check()`).
    """

    def __init__(self, working_days: Iterable[int | str], region: str | None = "GB-ENG") -> None:
        self.working_weekdays = frozenset(_weekday_number(day) for day in working_days)
        if not self.working_weekdays:
            raise ValueError(f"at least one working day is needed, from {WEEKDAY_NAMES}")
        if region is not None:
            _split_region(region)  # the shape is checked now; the holidays package on first use
        self.region = region
        self._holidays: Any = None
        self._by_year: dict[int, frozenset[date]] = {}

    def __repr__(self) -> str:
        days = ",".join(WEEKDAY_NAMES[d] for d in sorted(self.working_weekdays))
        return f"WorkingCalendar({days}, region={self.region!r})"

    def check(self) -> WorkingCalendar:
        """Load the region's holidays now (at start-up), raising UnknownRegion if it is unknown."""
        self.holidays_in(2000)
        return self

    def holidays_in(self, year: int) -> frozenset[date]:
        """The region's bank holidays (and substitute days) in one year."""
        found = self._by_year.get(year)
        if found is None:
            if self.region is None:
                found = frozenset()
            else:
                if self._holidays is None:
                    self._holidays = _load_holidays(self.region)
                found = frozenset(_year_holidays(self._holidays, year))
            self._by_year[year] = found
        return found

    def holiday_name(self, day: date) -> str | None:
        """The bank holiday's name ("Boxing Day (observed)"), or None on an ordinary day."""
        if day not in self.holidays_in(day.year):
            return None
        return self._holidays.get(day)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.working_weekdays and day not in self.holidays_in(day.year)

    def next_working_day(self, day: date) -> date:
        """`day` if it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def previous_working_day(self, day: date) -> date:
        """`day` if it is a working day, else the last working day before it."""
        while not self.is_working_day(day):
            day -= _ONE_DAY
        return day

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day after `day` (before it when n < 0); `day` itself is not counted.

        add_working_days(Fri, 1) is the next Monday (a working one); n = 0 gives `day` unchanged.
        """
        step = _ONE_DAY if n > 0 else -_ONE_DAY
        for _ in range(abs(n)):
            day += step
            while not self.is_working_day(day):
                day += step
        return day

    def last_working_day_of_month(self, day: date) -> date:
        """The last working day of `day`'s month."""
        first_of_next = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        return self.previous_working_day(first_of_next - _ONE_DAY)

    def working_days_before_month_end(self, day: date, n: int) -> date:
        """The n-th last working day of `day`'s month: the day that leaves n working days, itself
        included, before the month ends.

        n = 1 is the month's last working day; n = 5 in a month ending on a Friday is that week's
        Monday. Never earlier than the month's first working day; n must be at least 1.
        """
        if n < 1:
            raise ValueError("n counts working days back from the month's end and starts at 1")
        last = self.last_working_day_of_month(day)
        found = self.add_working_days(last, -(n - 1))
        first = self.next_working_day(day.replace(day=1))
        return max(found, first)


def _year_holidays(holidays_base: Any, year: int) -> Iterable[date]:
    # Asking for a date of the year makes the (expanding) HolidayBase compute that whole year.
    holidays_base.get(date(year, 1, 1))
    return (d for d in holidays_base if d.year == year)
