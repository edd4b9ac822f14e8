"""Escalation: two unanswered reminders about an overdue action, leave not counted as silence."""

from __future__ import annotations

from datetime import date

import pytest

from bot.plan.calendar import WorkingCalendar
from bot.plan.rag import Rag
from bot.plan.refs import ActionRef
from bot.reminders.escalation import escalation_for, escalations_for_day
from bot.reminders.records import ActionState, Leave, SentReminder
from bot.reminders.rules import ReminderRules

CAL = WorkingCalendar(range(5), "GB-ENG")
RULES = ReminderRules()
REF = ActionRef(7, 3)
d = date.fromisoformat


def action(**fields) -> ActionState:
    base = {"timescale": d("2018-12-14")}  # Friday; reminders on 30 Nov, 7, 14, 21, 28 Dec
    return ActionState(REF, "Audit case files", ("Service Manager",), **(base | fields))


def sent(*days: str, user: str = "U0LEAD01") -> list[SentReminder]:
    return [SentReminder(REF, user, d(day)) for day in days]


LADDER = sent("2018-11-30", "2018-12-07", "2018-12-14", "2018-12-21", "2018-12-28")

CASES = {
    # The due-day and first overdue reminders unanswered, the second given a working day.
    "two unanswered, escalated the next working day": ({}, LADDER, "2018-12-24", True),
    "the second reminder not yet a working day old": ({}, LADDER, "2018-12-21", False),
    "heads-ups before the timescale do not count": ({}, LADDER[:3], "2018-12-17", False),
    "an update answers the reminders before it": (
        {"last_update": d("2018-12-17")},
        LADDER,
        "2018-12-24",
        False,
    ),
    "two more after the update": ({"last_update": d("2018-12-17")}, LADDER, "2018-12-31", True),
    "an update on a reminder's day answers it": (
        {"last_update": d("2018-12-21")},
        LADDER,
        "2018-12-31",
        False,
    ),
    "completed": ({"rag": Rag.COMPLETED}, LADDER, "2018-12-31", False),
    "closed": ({"closed": True}, LADDER, "2018-12-31", False),
    "snoozed": ({"snoozed_until": d("2019-01-02")}, LADDER, "2018-12-31", False),
    "re-timed: no longer overdue": ({"timescale": d("2019-02-01")}, LADDER, "2018-12-31", False),
    "no timescale": ({"timescale": None}, LADDER, "2018-12-31", False),
}


@pytest.mark.parametrize(
    ("fields", "reminders", "today", "escalated"), CASES.values(), ids=CASES.keys()
)
def test_escalation(fields, reminders, today, escalated):
    found = escalation_for(action(**fields), reminders, frozenset(), d(today), CAL, RULES)
    assert (found is not None) is escalated


def test_the_escalation_names_the_reminders_and_the_people():
    reminders = [
        *sent("2018-12-14", user="U0LEAD01"),
        *sent("2018-12-14", "2018-12-21", user="U0LEAD02"),
    ]
    found = escalation_for(action(), reminders, frozenset(), d("2018-12-24"), CAL, RULES)
    assert found.dates == (d("2018-12-14"), d("2018-12-21"))
    assert found.users == ("U0LEAD01", "U0LEAD02")
    assert found.days_overdue == 10
    # Two people reminded on one day is one reminder, not two.
    one_day = sent("2018-12-14", user="U0LEAD01") + sent("2018-12-14", user="U0LEAD02")
    assert escalation_for(action(), one_day, frozenset(), d("2018-12-24"), CAL, RULES) is None


def test_people_on_leave_are_not_counted_as_silent():
    leave = [Leave("U0LEAD01", d("2019-01-04"))]
    assert escalations_for_day([action()], LADDER, leave, d("2018-12-24"), CAL, RULES) == []
    # Their deputy, reminded while they are away, is.
    deputy = LADDER + sent("2018-12-21", "2018-12-28", user="U0DEPUTY")
    (found,) = escalations_for_day([action()], deputy, leave, d("2018-12-31"), CAL, RULES)
    assert found.users == ("U0DEPUTY",)
    # Back from leave, their own silence counts again.
    (back,) = escalations_for_day([action()], LADDER, leave, d("2019-01-07"), CAL, RULES)
    assert back.users == ("U0LEAD01",)


def test_no_escalations_on_a_bank_holiday_and_only_for_the_actions_own_reminders():
    assert escalations_for_day([action()], LADDER, [], d("2018-12-26"), CAL, RULES) == []
    other = [SentReminder(ActionRef(1, 1), "U0LEAD01", r.on) for r in LADDER]
    assert escalations_for_day([action()], other, [], d("2018-12-27"), CAL, RULES) == []


def test_the_threshold_and_grace_are_rules():
    strict = ReminderRules(escalate_after=3, escalation_grace_working_days=0)
    assert escalation_for(action(), LADDER, frozenset(), d("2018-12-24"), CAL, strict) is None
    assert escalation_for(action(), LADDER, frozenset(), d("2018-12-28"), CAL, strict) is not None
