"""A day's reminders: roles to people, leave and deputies, unreachable roles, one DM per person."""

from __future__ import annotations

from datetime import date

import pytest

from bot.plan.calendar import WorkingCalendar
from bot.plan.plan_file import load_bundled_plan
from bot.plan.rag import Rag
from bot.plan.refs import ActionRef
from bot.reminders.audience import Audience, Problem, Unreachable
from bot.reminders.day import DayPlan, reminders_for_day
from bot.reminders.ladder import Reason
from bot.reminders.records import ActionState, Leave, Role
from bot.reminders.rules import ReminderRules

CAL = WorkingCalendar(range(5), "GB-ENG")
RULES = ReminderRules()
TODAY = date(2018, 12, 14)  # a Friday; an action due today is on its day-0 rung
ICRT = "Service Manager - ICRT"
IRO = "IRO Manager"
ROLES = [
    Role(ICRT, members=("U0ICRT01",), deputies=("U0DEPUTY",)),
    Role(IRO, members=("U0IRO001", "U0IRO002")),
    Role("Team Manager", members=("U0TEAM01",)),
    Role("Head of Service"),  # known to the plan, nobody mapped yet
]


def action(number: int, leads: tuple[str, ...], timescale: date | None = TODAY, **fields):
    return ActionState(ActionRef(7, number), f"Action {number}", leads, timescale, **fields)


def plan(actions, leave=(), today=TODAY, roles=ROLES) -> DayPlan:
    return reminders_for_day(actions, roles, leave, today, CAL, RULES)


def people(day_plan: DayPlan) -> dict[str, list[str]]:
    return {p.user: [str(item.action.ref) for item in p.items] for p in day_plan.people}


def test_a_role_with_two_users_reminds_each():
    got = plan([action(1, (IRO,))])
    assert people(got) == {"U0IRO001": ["7.1"], "U0IRO002": ["7.1"]}
    assert got.as_json() == [
        {
            "lead": IRO,
            "users": ["U0IRO001", "U0IRO002"],
            "actions": [{"id": "7.1", "reason": "due", "days": 0}],
        }
    ]


def test_several_roles_on_one_action_remind_each_roles_people_once():
    both = Role("Quality Lead", members=("U0IRO001",))
    got = plan([action(1, (ICRT, IRO, "Quality Lead"))], roles=[*ROLES, both])
    assert people(got) == {"U0ICRT01": ["7.1"], "U0IRO001": ["7.1"], "U0IRO002": ["7.1"]}
    (item,) = got.for_user("U0IRO001").items
    assert item.roles == (IRO, "Quality Lead")


def test_a_deputy_covers_leave():
    leave = [Leave("U0ICRT01", date(2019, 1, 4))]
    got = plan([action(1, (ICRT,))], leave)
    assert people(got) == {"U0DEPUTY": ["7.1"]}
    (item,) = got.for_user("U0DEPUTY").items
    assert item.covering == (leave[0],)
    assert got.unreachable == ()


def test_leave_is_over_the_day_after_it_ends():
    got = plan([action(1, (ICRT,))], [Leave("U0ICRT01", date(2018, 12, 13))])
    assert people(got) == {"U0ICRT01": ["7.1"]}


def test_leave_with_no_deputy_goes_to_the_admins():
    got = plan([action(1, ("Team Manager",))], [Leave("U0TEAM01", date(2019, 1, 4))])
    assert got.people == ()
    (entry,) = got.unreachable
    assert entry.problem is Problem.NOBODY_AVAILABLE
    assert entry.why == (
        'nobody available for "Team Manager": U0TEAM01 on leave until 4 Jan 2019, no deputy'
    )
    assert (
        entry.fix == 'name a deputy: `planbot leads map "Team Manager" U0TEAM01 --deputy USER_ID`'
    )
    assert got.as_json() == [
        {
            "lead": "Team Manager",
            "users": [],
            "actions": [{"id": "7.1", "reason": "due", "days": 0}],
        }
    ]


def test_a_deputy_on_leave_too_is_nobody():
    leave = [Leave("U0ICRT01", date(2019, 1, 4)), Leave("U0DEPUTY", date(2018, 12, 20))]
    got = plan([action(1, (ICRT,))], leave)
    assert [e.problem for e in got.unreachable] == [Problem.NOBODY_AVAILABLE]


def test_one_of_two_users_away_leaves_the_other():
    got = plan([action(1, (IRO,))], [Leave("U0IRO001", date(2019, 1, 4))])
    assert people(got) == {"U0IRO002": ["7.1"]}


@pytest.mark.parametrize("role", ["Head of Service", "Director of Nowhere"])
def test_an_unmapped_role_is_listed_with_the_command_to_fix_it(role):
    got = plan([action(1, (role, ICRT))])
    assert people(got) == {"U0ICRT01": ["7.1"]}  # the mapped role still gets it
    (entry,) = got.unreachable
    assert (entry.problem, entry.role, str(entry.action.ref)) == (
        Problem.ROLE_NOT_MAPPED,
        role,
        "7.1",
    )
    assert entry.fix == f'run `planbot leads map "{role}" USER_ID`'


def test_role_names_match_forgiving_case_and_dashes():
    got = plan([action(1, ("service manager \u2013 icrt",))])
    assert people(got) == {"U0ICRT01": ["7.1"]}
    assert got.roles[0].role == ICRT


def test_actions_without_timescale_or_lead_are_for_the_admins():
    got = plan(
        [
            action(1, (ICRT,), timescale=None),
            action(2, (ICRT,), timescale=None, rag=Rag.COMPLETED),  # done: nothing to say
            action(3, ()),
        ]
    )
    assert got.people == ()
    assert [(str(e.action.ref), e.problem) for e in got.unreachable] == [
        ("7.3", Problem.NO_LEAD),
        ("7.1", Problem.NO_TIMESCALE),  # standing problems after today's failures
    ]


def test_held_back_actions_are_explained():
    got = plan(
        [
            action(1, (ICRT,), snoozed_until=date(2018, 12, 18)),
            action(2, (ICRT,), last_update=date(2018, 12, 12)),
        ]
    )
    assert got.people == ()
    assert [(str(n.action.ref), n.due.reason, n.why) for n in got.not_reminded] == [
        ("7.1", Reason.DUE, "snoozed until 18 Dec 2018"),
        ("7.2", Reason.DUE, "updated on 12 Dec 2018"),
    ]


def test_one_dm_per_person_grouped_overdue_due_upcoming_monthly():
    actions = [
        action(1, (ICRT,), timescale=date(2018, 12, 28)),  # 14 days: coming up
        action(2, (ICRT,)),  # due today
        action(3, (ICRT,), timescale=date(2018, 12, 7)),  # 7 days overdue
        action(4, (ICRT,), timescale=date(2018, 11, 30)),  # 14 days overdue
        action(5, (ICRT,), timescale=date(2018, 12, 21)),  # 7 days: coming up
        action(6, (ICRT,), timescale=date(2018, 12, 10)),  # not on a rung today
    ]
    (person,) = plan(actions).people
    assert person.refs == ["7.4", "7.3", "7.2", "7.5", "7.1"]
    assert [(reason, [str(i.action.ref) for i in group]) for reason, group in person.groups()] == [
        (Reason.OVERDUE, ["7.4", "7.3"]),
        (Reason.DUE, ["7.2"]),
        (Reason.UPCOMING, ["7.5", "7.1"]),
    ]
    # Friday 21 Dec is also the round's day: 7.6, on no rung, is chased by the round.
    round_day = plan(actions, today=date(2018, 12, 21))
    assert [(str(i.action.ref), i.reason, i.days) for i in round_day.people[0].items] == [
        ("7.4", Reason.OVERDUE, -21),
        ("7.3", Reason.OVERDUE, -14),
        ("7.2", Reason.OVERDUE, -7),
        ("7.5", Reason.DUE, 0),
        ("7.1", Reason.UPCOMING, 7),
        ("7.6", Reason.MONTHLY, -11),
    ]


def test_nothing_on_a_bank_holiday():
    got = plan([action(1, (ICRT,), timescale=date(2018, 12, 25))], today=date(2018, 12, 25))
    assert got == DayPlan(date(2018, 12, 25), is_working_day=False)


def test_the_audience_resolves_each_role_once():
    audience = Audience(ROLES, [Leave("U0ICRT01", date(2019, 1, 4))], TODAY)
    assert audience.cover(ICRT) is audience.cover("service manager - icrt")
    assert audience.cover(ICRT).people == ("U0DEPUTY",)
    assert audience.on_leave("U0ICRT01")


def test_the_seed_plans_actions_without_timescale_are_listed():
    spec = load_bundled_plan()
    actions = [
        ActionState(a.ref, a.text, tuple(a.leads), a.timescale, a.original_timescale, a.rag)
        for a in spec.actions
    ]
    got = reminders_for_day(actions, [], [], date(2018, 12, 3), CAL, RULES)
    missing = {str(e.action.ref) for e in got.unreachable if e.problem is Problem.NO_TIMESCALE}
    assert {"5.2", "10.2"} <= missing
    assert got.people == ()  # nobody is mapped yet


def test_an_action_state_from_the_status_read_model():
    from datetime import UTC, datetime

    from bot.plan.views import ActionView, UpdateView

    # 23:30 UTC on 31 Mar 2019 is already 1 April in London (BST).
    update = UpdateView(datetime(2019, 3, 31, 23, 30, tzinfo=UTC), "On track", "U0LEAD001", "reply")
    view = ActionView(
        ActionRef(7, 3), "Audit", ("Service Manager",), date(2019, 4, 30), None, Rag.GREEN, update
    )
    got = ActionState.from_view(view, tz="Europe/London", snoozed_until=date(2019, 4, 3))
    assert got == ActionState(
        ActionRef(7, 3),
        "Audit",
        ("Service Manager",),
        date(2019, 4, 30),
        None,
        Rag.GREEN,
        last_update=date(2019, 4, 1),
        snoozed_until=date(2019, 4, 3),
    )


@pytest.mark.parametrize(
    ("error", "why"),
    [
        ("user_not_found", 'U0GONE001 ("Team Manager") is not a user of this workspace'),
        ("user_disabled", 'U0GONE001 ("Team Manager") has been deactivated'),
        ("cannot_dm_bot", 'U0GONE001 ("Team Manager") is a bot, which cannot be sent a DM'),
    ],
)
def test_slack_errors_the_sender_records_for_the_admins(error, why):
    problem = Problem.from_slack_error(error)
    entry = Unreachable(action(1, ("Team Manager",)), problem, "Team Manager", "U0GONE001")
    assert entry.why == why
    assert entry.fix == 'run `planbot leads unmap "Team Manager" U0GONE001` and map someone else'
    assert Problem.from_slack_error("ratelimited") is None
