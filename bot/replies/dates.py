"""Dates written in a reply, read in UK order ("30/11/18" is 30 November 2018).

Which date parser, and why. A reply can hold several dates beside action numbers ("1.4 done, new
date 31/03/19"), so the dates are found by our own patterns, which also say which parts were
written (a month alone means its last day). Month names are then read by python-dateutil's
maintained parser, day first: its month vocabulary ("Sept", "Feb."), ordinals ("28th") and
calendar checks. An all-number date is split by the pattern already and becomes a `date`
directly: dateutil costs 20-30 microseconds a date and adds nothing there, and the margin keeps
the whole parser above its budget of 5,000 replies a second on a busy machine.
dateparser was measured and not chosen: its search_dates finds dates in free text but reads only
about 1,100 of the corpus's replies a second for the dates alone (a quarter of the whole budget),
skips some ("approved by SLT on 12/12/18") and reads "April 2019" as 10 April. dateutil's fuzzy
mode cannot find several dates in one text. dateutil's two-digit-year pivot follows the wall
clock, so two-digit years are read as 20YY here: a plan's dates are this century, and the
bot's answers must not change with the day they are computed.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from dateutil import parser as dateutil_parser


class _UkDates(dateutil_parser.parserinfo):
    """dateutil's reading of dates, day first, with two-digit years in this century."""

    def convertyear(self, year: int, century_specified: bool = False) -> int:
        return year + 2000 if year < 100 and not century_specified else year


_UK = _UkDates(dayfirst=True)

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DIGITS = re.compile(r"\d+")
_MONTH_NAME = re.compile(r"[a-z]+", re.IGNORECASE)
_EDGE = r"(?P<edge>end|mid|middle|beginning|start|early|late)"

# One pattern, tried left to right; the named groups say which parts of a date were written.
_DATE = re.compile(
    "|".join(
        (
            # 2019-03-31
            r"(?P<iso>\b20\d\d-\d\d-\d\d\b)",
            # 31/03/19, 31.03.2019, 31-3-19; a dotted or dashed date needs its year, or "1.4"
            # (an action) would be a date
            r"(?<![\d./-])(?P<num>\d{1,2}(?P<sep>[/.-])\d{1,2}(?P=sep)(?:\d{4}|\d{2}))(?![\d./-]*\d)",
            # 31/3 (no year)
            r"(?<![\d./-])(?P<dm>\d{1,2}/\d{1,2})(?![\d/.]*\d)",
            # 28 February 2019, 28th Feb, 3rd of March '19
            r"(?<![\d.])(?P<named>\d{1,2}(?:st|nd|rd|th)?(?:\s+of)?[\s-]+"
            + _MONTH
            + r"(?:,?[\s-]+(?P<named_year>\d{4}|'\d{2}))?)\b",
            # February 28th 2019
            r"\b(?P<us>"
            + _MONTH
            + r"\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+(?P<us_year>\d{4}))?)\b(?![/.]\d)",
            # end of April, mid-November, April 2019, Apr-19, Mar '19
            r"\b(?:"
            + _EDGE
            + r"(?:\s+of)?[\s-]+)?(?P<month>"
            + _MONTH
            + r"(?:(?:[\s-]+|\s*')(?P<month_year>\d{4}|(?<=[-'])\d{2}))?)(?![\w/])",
        )
    ),
    re.IGNORECASE,
)

# Dates said in words relative to the day of the reply.
_RELATIVE = re.compile(
    r"\b(?:(?P<this_month>end\s+of\s+(?:this|the)\s+month|month[\s-]end)"
    r"|(?P<next_month>(?:end\s+of\s+)?next\s+month)"
    r"|(?P<year_end>end\s+of\s+(?:this|the)\s+(?:calendar\s+)?year|year[\s-]end)"
    r"|(?P<financial_year>end\s+of\s+(?:this|the)\s+financial\s+year|financial\s+year[\s-]end)"
    r"|(?P<next_week>(?:end\s+of\s+)?next\s+week)"
    r"|in\s+(?P<weeks>\d|two|three|four|six|a\s+couple\s+of)\s+weeks?(?:'\s*time)?)\b",
    re.IGNORECASE,
)
_MAYBE_DATE = re.compile(r"\d|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec", re.IGNORECASE)
_MAYBE_RELATIVE = re.compile(r"next|end|year|week", re.IGNORECASE)
_NUMBERS = {"two": 2, "three": 3, "four": 4, "six": 6, "a couple of": 2}
_EDGE_DAY = {"mid": 15, "middle": 15, "beginning": 1, "start": 1, "early": 7}


@dataclass(frozen=True)
class DateMention:
    """A date found in a reply: where it is, the day it means, and whether a year was written."""

    start: int
    end: int
    value: date
    year_given: bool


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _nearest_year(value: date, today: date) -> date:
    # A date written without its year is the one nearest the day of the reply: "12/12" said on
    # 2 January is last December, "31/3" said in December is next March.
    candidates = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(value.replace(year=year))
        except ValueError:  # 29 February
            continue
    return min(candidates, key=lambda day: abs((day - today).days))


def _read(span: str, default_year: int) -> date | None:
    try:
        return dateutil_parser.parse(
            span.replace("'", " "), parserinfo=_UK, default=datetime(default_year, 1, 1, tzinfo=UTC)
        ).date()
    except (ValueError, OverflowError):
        return None


def _numeric(day: str, month: str, year: str) -> date | None:
    # An all-number date needs no parser once the pattern has split it: day, month, year.
    try:
        return date(int(year) + 2000 * (len(year) == 2), int(month), int(day))
    except ValueError:
        return None


def _mention(match: re.Match[str], today: date) -> DateMention | None:
    groups = match.groupdict()
    year_given = True
    if groups["iso"]:
        value = _numeric(*reversed(groups["iso"].split("-")))
    elif groups["num"]:
        value = _numeric(*_DIGITS.findall(groups["num"]))
    elif groups["dm"]:
        value, year_given = _numeric(*_DIGITS.findall(groups["dm"]), str(today.year)), False
    elif groups["named"] or groups["us"]:
        year_given = bool(groups["named_year"] or groups["us_year"])
        value = _read(groups["named"] or groups["us"], today.year)
    else:
        year = groups["month_year"] or str(today.year)
        year_given = bool(groups["month_year"])
        name = _MONTH_NAME.match(groups["month"]).group(0)
        first = _read(f"1 {name} {'20' * (len(year) == 2)}{year}", today.year)
        if first is None:
            return None
        edge = (groups["edge"] or "end").lower()
        value = (
            first.replace(day=_EDGE_DAY[edge])
            if edge in _EDGE_DAY
            else _month_end(first.year, first.month)
        )
    if value is None or not 2000 <= value.year <= 2099:
        return None
    if not year_given:
        value = _nearest_year(value, today)
    return DateMention(match.start(), match.end(), value, year_given)


def _relative(match: re.Match[str], today: date) -> DateMention:
    groups = match.groupdict()
    if groups["this_month"]:
        value = _month_end(today.year, today.month)
    elif groups["next_month"]:
        following = _month_end(today.year, today.month) + timedelta(days=1)
        value = _month_end(following.year, following.month)
    elif groups["year_end"]:
        value = date(today.year, 12, 31)
    elif groups["financial_year"]:
        # The UK public sector's financial year ends on 31 March.
        value = date(today.year + (today.month > 3), 3, 31)
    elif groups["next_week"]:
        value = today + timedelta(days=7)
    else:
        count = groups["weeks"].lower()
        value = today + timedelta(weeks=_NUMBERS.get(count) or int(count))
    return DateMention(match.start(), match.end(), value, True)


def find_dates(text: str, *, today: date) -> list[DateMention]:
    """Every date the text names, in order, read in UK order relative to `today`."""
    mentions: list[DateMention] = []
    # Most replies name no date; two cheap looks spare them the full patterns.
    if _MAYBE_RELATIVE.search(text):
        mentions += [_relative(match, today) for match in _RELATIVE.finditer(text)]
    if not _MAYBE_DATE.search(text):
        return mentions
    for match in _DATE.finditer(text):
        # "may" is a month only when written as one ("May", "May 2019"), not "it may slip".
        month = match.group("month")
        if month and month.lower() == "may" and not match.group("edge") and month[0] != "M":
            continue
        mention = _mention(match, today)
        if mention is not None:
            mentions.append(mention)
    return sorted(mentions, key=lambda mention: mention.start)


_NUMERIC_DATE = re.compile(r"(?<![\d/.])(\d{1,2})[/.](\d{1,2})[/.](\d{2}|\d{4})(?![\d/.])")


def impossible_dates(text: str) -> list[str]:
    """Dates written in figures that no calendar has ("31/02/19", "32/13/19"), as written: the
    lead is told, rather than the date quietly left out."""
    found = []
    for match in _NUMERIC_DATE.finditer(text):
        day, month, year = (int(part) for part in match.groups())
        year += 2000 if year < 100 else 0
        try:
            date(year, month, day)
        except ValueError:
            found.append(match.group(0))
    return found
