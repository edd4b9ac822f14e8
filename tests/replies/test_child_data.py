"""Possible child-level personal data, and the plan's everyday words that are none."""

from __future__ import annotations

from datetime import date

import pytest

from bot.replies.child_data import may_hold_child_data

TODAY = date(2018, 12, 10)


@pytest.mark.parametrize(
    "text",
    [
        "Child A reviewed",
        "Child A's package reassessed",
        "Jayden's case was the last one",
        "used in the case of Tom Smith",
        "DOB 01/02/2010",
        "d.o.b. 3/4/11",
        "born 3 March 2012",
        "date of birth: 1 May 2009",
        "case no 12345",
        "case number: 987",
        "LL123456",
        "NHS number 4857773456",
        "Baby X placed",
    ],
)
def test_warned(text):
    assert may_hold_child_data(text, today=TODAY)


@pytest.mark.parametrize(
    "text",
    [
        "Case summaries on children's front page",
        "40 children with care packages",
        "Child & Family Workers allocated",
        "each child I have seen has a plan",
        "attached to the child's file within Liquid Logic",
        "IRO challenge evident in 18 of 20 cases",
        "12 private fostering cases",
        "Sunderland's plan is on track",
        "the Director's review is done",
        "Case audits for 2019 are booked",
        "LL solution being tested",
        "born in mind",
        "on track for 31/03/19",
        "1.4 on track",
    ],
)
def test_not_warned(text):
    assert not may_hold_child_data(text, today=TODAY)
