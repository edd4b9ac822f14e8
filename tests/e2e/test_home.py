"""The App Home through the double: a lead's own actions with the reminder's buttons; for the
admins and approvers the approval queue, escalations, overdue actions and unreachable leads."""

from __future__ import annotations

from datetime import date

from bot.home.view import MAX_HOME_BLOCKS
from tests.e2e.test_reminders import at, person_for, reminders_to, tick


def _open_home(world, user: str) -> dict:
    assert world.requests.app_home_opened(user).dispatch(world.app).status == 200
    view = world.double.home_view(user)
    assert view is not None
    return view


def test_a_lead_sees_their_open_actions_with_buttons(world):
    world.add_lead_users()
    world.clock.set(at(date(2018, 11, 20), 10))
    icrt = person_for(world, "Service Manager - ICRT")
    view = _open_home(world, icrt.user_id)
    text = str(view["blocks"])
    for ref in ("5.1", "5.3", "5.4"):
        assert f"*{ref}*" in text
    assert "On track" in text and "Snooze" in text
    assert "Waiting for your decision" not in text  # not an approver


def test_the_admin_sees_the_queue_and_what_needs_attention(world):
    world.add_lead_users()
    icrt = person_for(world, "Service Manager - ICRT")
    tick(world, at(date(2018, 11, 23), 9, 5))
    [reminder] = reminders_to(world, icrt.user_id)
    world.say(icrt.user_id, "Slipped — now expected 31/12/18", thread_ts=reminder["ts"])
    echo = world.double.thread(world.double.dm_channel(icrt.user_id), reminder["ts"])[-1]
    confirm = next(
        e
        for b in echo["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "proposal_confirm"
    )
    world.click(icrt.user_id, confirm, {"channel": world.double.dm_channel(icrt.user_id), **echo})
    view = _open_home(world, world.admin.user_id)
    text = str(view["blocks"])
    assert "Waiting for your decision" in text and "5.4" in text
    assert "proposal_accept" in text
    assert "Overdue" in text and "5.3" in text  # 5.3 was due 30 Sep 2018
    assert len(view["blocks"]) <= MAX_HOME_BLOCKS


def test_the_home_is_published_at_most_once_every_few_seconds(world):
    from handlers.home import MIN_SECONDS_BETWEEN, HomePublisher

    now = [100.0]
    publisher = HomePublisher(world.deps, monotonic=lambda: now[0])
    user = world.admin.user_id
    assert publisher.publish(user) is True
    assert publisher.publish(user) is False  # a burst of clicks publishes once
    now[0] += MIN_SECONDS_BETWEEN
    assert publisher.publish(user) is True
    assert len(world.double.requests_for("views.publish")) == 2


def test_opening_again_and_again_publishes_once_unless_something_changed(world):
    from handlers.home import HomePublisher

    now = [100.0]
    publisher = HomePublisher(world.deps, monotonic=lambda: now[0])
    user = world.admin.user_id
    assert publisher.publish(user, opened=True) is True
    assert publisher.publish(user, opened=True) is False  # opened again at once: nothing new
    assert publisher.publish(user) is False  # a change moments later: marked stale…
    assert publisher.publish(user, opened=True) is True  # …so opening shows it fresh
