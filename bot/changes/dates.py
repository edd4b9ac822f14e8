"""One date as an admin types it in a command, read strictly in UK order.

A command names exactly one date, so a fuzzy search through free text (bot/replies/dates.py)
would only hide mistakes: "31/3" without a year, or "31/02/19", must be refused with a reason,
never read as the nearest plausible day.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

EXAMPLES = "31/03/19, 31/03/2019 or 31 March 2019"

_MONTHS = {
    name: number
    for number in range(1, 13)
    for name in (
        calendar.month_name[number].lower(),
        calendar.month_abbr[number].lower(),
    )
} | {"sept": 9}

# 31/03/19, 31/03/2019, 31.03.2019, 31-03-2019 (the separator used twice)
_NUMERIC = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})")
# 2019-03-31
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
# 31 March 2019, 31st Mar 2019, 31 Mar '19, 31-Mar-19, 31 of March, 2019
_NAMED = re.compile(
    r"(\d{1,2})(?:st|nd|rd|th)?[\s-]+(?:of\s+)?([a-z]+)\.?,?[\s-]+'?(\d{2}|\d{4})", re.IGNORECASE
)
# What someone who left out the year wrote: 31/03, 31 March ("3.4" is an action, not a date)
_NO_YEAR = re.compile(r"\d{1,2}(?:/\d{1,2}|(?:st|nd|rd|th)?\s+[a-z]+\.?)", re.IGNORECASE)


def read_date(text: str) -> date | str:
    """The date `text` names, or a message saying why it is not one and how to write it."""
    written = " ".join(text.split())
    if not written:
        return f"Give a date, e.g. {EXAMPLES}."
    if match := _ISO.fullmatch(written):
        year, month, day = (int(part) for part in match.groups())
    elif match := _NUMERIC.fullmatch(written):
        day, month, year = int(match[1]), int(match[3]), _year(match[4])
    elif match := _NAMED.fullmatch(written):
        month_number = _MONTHS.get(match[2].lower())
        if month_number is None:
            return (
                f"{written!r} is not a date: {match[2]!r} is not a month. Write it as {EXAMPLES}."
            )
        day, month, year = int(match[1]), month_number, _year(match[3])
    elif _NO_YEAR.fullmatch(written):
        return f"{written!r} has no year; write the whole date, e.g. {EXAMPLES}."
    else:
        return f"{written!r} is not a date; write it as {EXAMPLES}."
    if not 2000 <= year <= 2099:
        return f"{written!r} is not a date of this century; write it as {EXAMPLES}."
    if not 1 <= month <= 12:
        return f"{written!r} is not a date: there is no month {month}. Write it as {EXAMPLES}."
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return (
            f"{written!r} is not a date: {calendar.month_name[month]} {year} has {days} days. "
            f"Write it as {EXAMPLES}."
        )
    return date(year, month, day)


def _year(written: str) -> int:
    # Two-digit years are this century, as in replies: a plan's dates are, and the reading must
    # not change with the day it is made.
    return int(written) + 2000 if len(written) == 2 else int(written)
