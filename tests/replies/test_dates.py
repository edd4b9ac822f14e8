"""Dates in a reply, read in UK order."""

from __future__ import annotations

from datetime import date

import pytest

from bot.replies.dates import find_dates

TODAY = date(2018, 12, 10)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("30/11/18", date(2018, 11, 30)),
        ("01/02/19", date(2019, 2, 1)),
        ("31.03.19", date(2019, 3, 31)),
        ("31-3-2019", date(2019, 3, 31)),
        ("2019-03-31", date(2019, 3, 31)),
        ("31/3", date(2019, 3, 31)),
        ("12/12", date(2018, 12, 12)),
        ("28 February 2019", date(2019, 2, 28)),
        ("28th Feb 2019", date(2019, 2, 28)),
        ("3rd of March '19", date(2019, 3, 3)),
        ("15 Jan", date(2019, 1, 15)),
        ("February 28th 2019", date(2019, 2, 28)),
        ("April 2019", date(2019, 4, 30)),
        ("Apr-19", date(2019, 4, 30)),
        ("end of April", date(2019, 4, 30)),
        ("mid-November 2018", date(2018, 11, 15)),
        ("Sept 2019", date(2019, 9, 30)),
        ("May 2019", date(2019, 5, 31)),
        ("end of next month", date(2019, 1, 31)),
        ("end of the month", date(2018, 12, 31)),
        ("end of the financial year", date(2019, 3, 31)),
        ("in two weeks", date(2018, 12, 24)),
    ],
)
def test_dates(text, day):
    assert [mention.value for mention in find_dates(text, today=TODAY)] == [day]


@pytest.mark.parametrize(
    "text",
    ["1.4 done", "1.9 may slip", "it may slip", "31/02/19", "2.5 days", "12 months", "decision"],
)
def test_not_dates(text):
    assert find_dates(text, today=TODAY) == []


def test_several_dates_in_order():
    found = find_dates("slipped from 31/12/18 to 31/03/19", today=TODAY)
    assert [mention.value for mention in found] == [date(2018, 12, 31), date(2019, 3, 31)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("now expected 31/02/19", ["31/02/19"]),
        ("new date: 32/13/19", ["32/13/19"]),
        ("new date 29/02/19, or 28/02/19", ["29/02/19"]),
        ("approved on 12/12/18", []),
        ("2.5% up, 18.5 FTE", []),
    ],
)
def test_impossible_dates_are_found_to_say_so(text, expected):
    from bot.replies.dates import impossible_dates

    assert impossible_dates(text) == expected
