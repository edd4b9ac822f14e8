"""Revised timescales: dates that move an action, and dates that do not."""

from __future__ import annotations

from datetime import date

import pytest

from bot.replies.timescales import revised_timescale

TODAY = date(2018, 12, 10)
CURRENT = date(2018, 12, 31)


@pytest.mark.parametrize(
    ("text", "revised"),
    [
        ("now expected 30/01/19", date(2019, 1, 30)),
        ("new date: 31/03/19", date(2019, 3, 31)),
        ("New target 15 Jan", date(2019, 1, 15)),
        ("revised timescale 31.01.19", date(2019, 1, 31)),
        ("new date agreed with the chair 28/02/19", date(2019, 2, 28)),
        ("will be finished by 28 February 2019", date(2019, 2, 28)),
        ("slip to April 2019", date(2019, 4, 30)),
        ("slipped to April", date(2019, 4, 30)),
        ("slipped from December to March 2019", date(2019, 3, 31)),
        ("pushed back to Feb", date(2019, 2, 28)),
        ("postponed until 01/03/19", date(2019, 3, 1)),
        ("won't be done till June 2019", date(2019, 6, 30)),
        ("mid-January realistic", date(2019, 1, 15)),
        ("end of May 2019 realistically", date(2019, 5, 31)),
        ("ETA 30/09/2019", date(2019, 9, 30)),
        ("extension to 31/03/2019", date(2019, 3, 31)),
        ("now end of Feb", date(2019, 2, 28)),
    ],
)
def test_revised(text, revised):
    assert revised_timescale(text, today=TODAY, current=CURRENT) == revised


@pytest.mark.parametrize(
    "text",
    [
        "approved by SLT on 12/12/18",
        "met on 01/10/18 and again on 03/12/18",
        "on track for 31/12/18",
        "still on track for the end of December",
        "training will commence in February 2019",
        "sub-group slipped to mid-December",
        "to be signed off by mid-December",
        "will be finished by 20/12/18",
        "training took place 05/11/18",
        "visit booked for 12 Feb",
        "",
    ],
)
def test_not_revised(text):
    assert revised_timescale(text, today=TODAY, current=CURRENT) is None


def test_a_new_date_may_bring_the_action_forward():
    assert revised_timescale("new date 14/12/18", today=TODAY, current=CURRENT) == date(
        2018, 12, 14
    )


def test_without_a_current_timescale_a_later_promise_counts():
    assert revised_timescale("should be done by 31/01/19", today=TODAY, current=None) == date(
        2019, 1, 31
    )
