"""`/plan` for everyone's questions and the admins' work, end to end through the double."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from bot.slack_double.content_limits import message_block_errors
from store.models import Leave, RoleMember
from tests.e2e.test_reminders import at, person_for


@pytest.fixture
def leads_world(world):
    world.add_lead_users()
    world.clock.set(at(date(2018, 11, 20), 10))
    return world


def ask(world, user: str, text: str) -> dict:
    world.new_items()
    assert world.command(user, text) == 200
    [answer] = [i for i in world.new_items() if i["kind"] == "response"]
    assert message_block_errors(answer.get("blocks")) == []
    return answer


def said(answer: dict) -> str:
    return str(answer.get("blocks") or answer.get("text"))


def test_mine_lists_the_callers_actions_by_timescale(leads_world):
    icrt = person_for(leads_world, "Service Manager - ICRT")
    text = said(ask(leads_world, icrt.user_id, "mine"))
    assert text.index("*5.3*") < text.index("*5.4*")  # 30 Sep before 30 Nov
    assert "*7.1*" not in text


def test_overdue_and_due_for_the_plan_and_mine(leads_world):
    world = leads_world
    icrt = person_for(world, "Service Manager - ICRT")
    overdue = said(ask(world, world.admin.user_id, "overdue"))
    assert "*5.3*" in overdue and "days overdue" in overdue
    due = said(ask(world, world.admin.user_id, "due 14"))
    assert "*5.4*" in due and "*5.3*" not in due
    mine = said(ask(world, icrt.user_id, "overdue mine"))
    assert "*5.3*" in mine and "*1.1*" not in mine


def test_who_by_role_and_by_person(leads_world):
    world = leads_world
    icrt = person_for(world, "Service Manager - ICRT")
    by_role = said(ask(world, world.admin.user_id, 'who "service manager icrt"'))
    assert icrt.user_id in by_role and "5.4" in by_role
    by_person = said(ask(world, world.admin.user_id, f"who <@{icrt.user_id}|eli>"))
    assert "Service Manager - ICRT" in by_person
    unknown = said(ask(world, world.admin.user_id, 'who "Head of Nothing"'))
    assert "There is no lead role" in unknown


def test_admin_verbs_map_leads_and_leave(leads_world):
    world = leads_world
    admin = world.admin.user_id
    newcomer = world.double.add_user("new.person", real_name="New Person")
    answer = said(
        ask(world, admin, f'lead "Service Manager - ICRT" <@{newcomer}|new> deputy <@{admin}>')
    )
    assert "now also leads" in answer
    answer = said(ask(world, admin, f"leave <@{newcomer}> until 30/11/18"))
    assert "on leave until 30 Nov 2018" in answer
    listing = said(ask(world, admin, "leads"))
    assert "on leave until 30 Nov 2018" in listing
    assert "no longer leads" in said(
        ask(world, admin, f'unlead "Service Manager - ICRT" <@{newcomer}>')
    )
    assert "is back" in said(ask(world, admin, f"leave <@{newcomer}> cancel"))


@pytest.mark.parametrize(
    "text",
    [
        'lead "Service Manager - ICRT" U0AAAAAAA1',
        'unlead "Service Manager - ICRT" U0AAAAAAA1',
        "leave U0AAAAAAA1 until 30/11/18",
        "leads",
        "export",
        "pending",
        'add 3 "A new thing" lead "Service Manager - ICRT" due 31/03/19',
        'retime 5.4 31/12/18 "late"',
        'close 5.4 "superseded"',
        'kpi 1 1 "82%"',
        'qa 1 1 "Good"',
    ],
)
def test_admin_verbs_are_refused_to_others_and_change_nothing(leads_world, text):
    world = leads_world
    lead = person_for(world, "Service Manager - ICRT")
    with Session(world.engine) as session:
        before = (
            len(session.exec(select(RoleMember)).all()),
            len(session.exec(select(Leave)).all()),
        )
    answer = said(ask(world, lead.user_id, text))
    assert "Only the plan's" in answer
    with Session(world.engine) as session:
        after = (
            len(session.exec(select(RoleMember)).all()),
            len(session.exec(select(Leave)).all()),
        )
    assert after == before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("stats", "Did you mean `/plan status`?"),
        ("status 99", "There is no priority 99"),
        ("status 7.99", "priority 7 has actions 7.1–7.6"),
        ("status abc", "is not a priority or an action"),
        ("due soon", "a number of days from 1 to 366"),
        ("leave <@U0AAAAAAA1> until someday", "is not that"),
        ('lead "Head of Nothing" <@U0AAAAAAA1>', "There is no lead role"),
        ("who", "Say whom"),
    ],
)
def test_bad_input_gets_one_clear_answer(leads_world, text, expected):
    world = leads_world
    assert expected in said(ask(world, world.admin.user_id, text))


def test_export_sends_the_workbook_by_dm(leads_world):
    world = leads_world
    answer = said(ask(world, world.admin.user_id, "export"))
    assert "sent you" in answer and ".xlsx" in answer
    files = [i for i in world.double.feed if i["kind"] == "file"]
    assert files and files[-1]["channel"] == world.double.dm_channel(world.admin.user_id)


def test_a_500_action_plan_answers_within_slacks_limits(tmp_path):
    from bench.make_plan import PlanSize, build_plan
    from bot.clock import FixedClock
    from bot.local.workspace import LocalSlack
    from bot.settings import Settings
    from store.engine import make_engine

    url = f"sqlite:///{tmp_path / 'big.db'}"
    engine = make_engine(url)
    build_plan(
        engine, size=PlanSize(priorities=5, actions_per_priority=100, updates=2000, roles=20)
    )
    world = LocalSlack(
        Settings(_env_file=None, database_url=url),
        engine=engine,
        clock=FixedClock.at_date(date(2019, 6, 1)),
    )
    try:
        for text in ("status", "status 1", "overdue", "due 366", "leads", "status 1.1"):
            answer = ask(world, world.admin.user_id, text)
            assert answer.get("blocks"), text  # answered with blocks, within every limit
    finally:
        world.close()
        engine.dispose()


def test_admins_change_the_plan_from_slack(leads_world):
    world = leads_world
    admin = world.admin.user_id
    added = said(
        ask(
            world,
            admin,
            'add 3 "Audit the new front door" lead "Service Manager - ICRT" due 31/03/19',
        )
    )
    assert "3.9" in added
    assert "Audit the new front door" in said(ask(world, admin, "status 3.9"))
    said(ask(world, admin, 'retime 5.4 31/12/18 "waiting for files"'))
    assert "originally 30 Nov 2018" in said(ask(world, admin, "status 5.4"))
    said(ask(world, admin, 'close 5.7 "merged into 5.6"'))
    assert "Closed" in said(ask(world, admin, "status 5.7"))
    assert "82%" in said(ask(world, admin, 'kpi 1 1 "82%"'))
    assert "February 2019 has 28 days" in said(ask(world, admin, "retime 5.4 31/02/19"))


def test_status_shows_kpis_people_links_and_what_waits(leads_world):
    world = leads_world
    admin = world.admin.user_id
    said(ask(world, admin, 'kpi 1 1 "82%"'))
    priority = said(ask(world, admin, "status 1"))
    assert "KPIs" in priority and "*82%*" in priority and "Quality measures" in priority
    icrt = person_for(world, "Service Manager - ICRT")
    world.say(icrt.user_id, "5.4 slipped, now expected 31/12/18")
    top = world.double.messages(world.double.dm_channel(icrt.user_id))[-1]
    echo = world.double.thread(world.double.dm_channel(icrt.user_id), top["ts"])[-1]
    confirm = next(
        e
        for b in echo["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "proposal_confirm"
    )
    world.click(icrt.user_id, confirm, {"channel": world.double.dm_channel(icrt.user_id), **echo})
    action = said(ask(world, admin, "status 5.4"))
    assert f"<@{icrt.user_id}>" in action
    assert "awaiting the approvers" in action
    assert "|in Slack>" in action  # the lead's reply links to where it was said
