"""Dates as a UK plan writes them (day first), and the history's ISO date-times."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.spreadsheet.cells import cell_text

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_NUMERIC_DATE = re.compile(r"^(\d{1,2})\s*([/.\-])\s*(\d{1,2})\s*\2\s*(\d{2}|\d{4})$")
_WORDY_DATE = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?\s+(\d{2}|\d{4})$", re.I)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+)?$")


def parse_uk_date(text: str) -> date | None:
    """A date as written in the UK (dd/mm/yy, d.m.yyyy, "31 March 2019", "31 Mar 19", ISO), or None.

    Day first, always: "03/31/2019" is not a date. Two-digit years are 20yy.
    """
    text = " ".join(text.split())
    if match := _ISO_DATE.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _NUMERIC_DATE.match(text):
        day, month, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
    elif (match := _WORDY_DATE.match(text)) and match.group(2).lower() in _MONTHS:
        day, month, year = int(match.group(1)), _MONTHS[match.group(2).lower()], int(match.group(3))
    else:
        return None
    if year < 100:
        year += 2000
    try:
        return date(year, month, day)
    except ValueError:
        return None


def cell_date(value: object) -> tuple[date | None, str | None, bool]:
    """(date, the cell's text when it was text, ok) for a date cell."""
    if isinstance(value, datetime):
        return value.date(), None, True
    if isinstance(value, date):
        return value, None, True
    text = cell_text(value)
    if text is None:
        return None, None, True
    if not isinstance(value, str):
        return None, text, False  # a bare number is not a date, whatever Excel might mean by it
    parsed = parse_uk_date(text)
    return parsed, text, parsed is not None


def instant(value: object, zone: str = "UTC") -> datetime | None:
    """An aware UTC datetime from an ISO text or a datetime cell; a naive one is in `zone`.

    The export writes UTC with its offset, so a naive one is text typed by hand or an Excel
    date-time cell (which never has an offset): someone typing "2019-07-01 09:00" means 09:00
    where the plan is, so it is read in the plan's time zone (the history sheets' headings say
    so), and in British Summer Time it is 08:00 UTC."""
    if isinstance(value, datetime):
        at = value
    else:
        try:
            at = datetime.fromisoformat(cell_text(value) or "")
        except ValueError:
            return None
    return (
        at.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
        if at.tzinfo is None
        else at.astimezone(UTC)
    )
