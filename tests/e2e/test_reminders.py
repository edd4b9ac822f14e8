"""Reminders end to end: the scheduler's job DMs each lead through the Slack double, once."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from bot.background import Background
from bot.deps import Deps, make_deps
from bot.local.workspace import LocalSlack
from bot.reminders.message import SNOOZE_ACTION_ID
from bot.slack.client import make_client
from bot.slack_double.content_limits import message_block_errors
from handlers import jobs
from store import leads, outbox
from store.engine import transaction

LONDON = ZoneInfo("Europe/London")


def at(day: date, hour: int = 9, minute: int = 0, tz: ZoneInfo = LONDON) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=tz).astimezone(UTC)


def tick(world: LocalSlack, instant: datetime, deps: Deps | None = None) -> str:
    world.clock.set(instant)
    return jobs.remind(deps or world.deps, instant)


def reminders_to(world: LocalSlack, user: str) -> list[dict]:
    """The reminder DMs a person has (top-level messages in their DM with the bot)."""
    return [
        m
        for m in world.double.messages(world.double.dm_channel(user))
        if (m.get("metadata") or {}).get("event_type") == "planbot_reminder"
    ]


def person_for(world: LocalSlack, role: str):
    return next(p for p in world.people.values() if role in p.roles)


@pytest.fixture
def leads_world(world):
    world.add_lead_users()
    return world


def test_a_lead_gets_one_dm_listing_their_actions(leads_world):
    world = leads_world
    icrt = person_for(world, "Service Manager - ICRT")
    summary = tick(world, at(date(2018, 11, 16), 9, 5))
    assert "sent" in summary
    [dm] = reminders_to(world, icrt.user_id)
    assert message_block_errors(dm["blocks"]) == []
    assert dm["metadata"]["event_payload"]["actions"] == ["5.4"]
    shown = str(dm["blocks"])
    assert "5.4" in shown and "30 Nov 2018" in shown
    buttons = [e for b in dm["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["text"]["text"] for b in buttons] == [
        "On track",
        "Delayed",
        "Completed",
        "Add update…",
        "Snooze 3 working days",
    ]
    assert buttons[-1]["action_id"] == SNOOZE_ACTION_ID
    # The same tick again, later the same day, and after a restart: nothing new.
    tick(world, at(date(2018, 11, 16), 9, 10))
    tick(world, at(date(2018, 11, 16), 16, 0))
    assert len(reminders_to(world, icrt.user_id)) == 1


def test_before_nine_nothing_is_sent_and_a_late_start_catches_up(leads_world):
    world = leads_world
    icrt = person_for(world, "Service Manager - ICRT")
    tick(world, at(date(2018, 11, 16), 8, 55))
    assert reminders_to(world, icrt.user_id) == []
    tick(world, at(date(2018, 11, 16), 15, 40))  # the bot was down all morning
    assert len(reminders_to(world, icrt.user_id)) == 1


def test_the_admins_hear_of_what_reaches_nobody(world):
    # Nobody is mapped: every due action reaches nobody, and actions without a timescale too.
    tick(world, at(date(2018, 11, 16), 9, 5))
    dms = world.double.messages(world.double.dm_channel(world.admin.user_id))
    [alert] = [
        m for m in dms if "reached nobody" in m["text"] or "could not be chased" in m["text"]
    ]
    text = str(alert["blocks"])
    assert "5.2" in text and "10.2" in text  # no timescale
    assert "planbot leads map" in text
    assert message_block_errors(alert["blocks"]) == []
    tick(world, at(date(2018, 11, 16), 11, 0))
    assert len(world.double.messages(world.double.dm_channel(world.admin.user_id))) == len(dms)


def test_snooze_button_silences_the_action(leads_world):
    world = leads_world
    icrt = person_for(world, "Service Manager - ICRT")
    tick(world, at(date(2018, 11, 23), 9, 5))  # 7 days before 5.4's timescale
    [dm] = reminders_to(world, icrt.user_id)
    button = next(
        e
        for b in dm["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["value"] == "5.4" and e["action_id"] == SNOOZE_ACTION_ID
    )
    item = {"channel": world.double.dm_channel(icrt.user_id), "ts": dm["ts"]}
    assert world.click(icrt.user_id, button, item) == 200
    [answer] = world.double.thread(item["channel"], dm["ts"])[1:]
    assert "Snoozed action 5.4" in answer["text"]
    # Snoozed through Wed 28 Nov (3 working days): Monday's round leaves 5.4 out, and on its
    # timescale, Fri 30 Nov, it is chased again.
    tick(world, at(date(2018, 11, 26), 9, 5))
    monday = reminders_to(world, icrt.user_id)[-1]
    assert "5.4" not in monday["metadata"]["event_payload"]["actions"]
    tick(world, at(date(2018, 11, 30), 9, 5))
    friday = reminders_to(world, icrt.user_id)[-1]
    assert friday["metadata"]["event_payload"]["actions"][:1] == ["5.4"]


def test_someone_else_cannot_snooze_an_action(leads_world):
    world = leads_world
    icrt = person_for(world, "Service Manager - ICRT")
    other = person_for(world, "Principal Social Worker")
    tick(world, at(date(2018, 11, 23), 9, 5))
    [dm] = reminders_to(world, icrt.user_id)
    button = next(
        e
        for b in dm["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == SNOOZE_ACTION_ID
    )
    item = {"channel": world.double.dm_channel(icrt.user_id), "ts": dm["ts"]}
    world.click(other.user_id, button, item)
    [answer] = world.double.thread(item["channel"], dm["ts"])[1:]
    assert "Only the leads" in answer["text"]


def test_leave_sends_the_reminder_to_the_deputy(leads_world):
    world = leads_world
    icrt = person_for(world, "Service Manager - ICRT")
    deputy = world.double.add_user("deputy.person", real_name="Dee Puty", tz="Europe/London")
    from store import people

    with transaction(world.engine) as session:
        leads.map_role(
            session=session,
            role_name="Service Manager - ICRT",
            user_id=icrt.user_id,
            deputy=deputy,
            at=world.now(),
            by="test",
        )
        people.record_leave(
            session=session,
            user_id=icrt.user_id,
            until=date(2018, 11, 30),
            at=world.now(),
            by="test",
        )
    tick(world, at(date(2018, 11, 16), 9, 5))
    assert reminders_to(world, icrt.user_id) == []
    [dm] = reminders_to(world, deputy)
    assert "5.4" in str(dm["blocks"])


def test_a_deactivated_lead_is_not_dmed_and_the_admins_are_told(world):
    gone = world.double.add_user("gone.person", real_name="Gone Person", deleted=True)
    with transaction(world.engine) as session:
        leads.map_role(
            session=session,
            role_name="Service Manager - ICRT",
            user_id=gone,
            deputy=None,
            at=world.now(),
            by="test",
        )
    tick(world, at(date(2018, 11, 16), 9, 5))
    assert reminders_to(world, gone) == []
    alerts = world.double.messages(world.double.dm_channel(world.admin.user_id))
    [alert] = [m for m in alerts if "5.4" in str(m["blocks"])]
    assert gone in str(alert["blocks"])


@pytest.mark.parametrize("crash_at", ["after_planning", "after_claim", "after_post"])
def test_a_crash_at_any_step_then_a_rerun_sends_each_dm_once(leads_world, monkeypatch, crash_at):
    world = leads_world
    day = date(2018, 11, 26)  # the November round: every lead has something to update
    instant = at(day, 9, 5)
    from bot.slack import sender

    calls = {"n": 0}

    class Crash(Exception):
        pass

    if crash_at == "after_planning":
        monkeypatch.setattr(sender, "deliver", lambda *a, **k: (_ for _ in ()).throw(Crash()))
        monkeypatch.setattr(jobs, "deliver", sender.deliver)
    elif crash_at == "after_claim":
        original = sender._post

        def post(*args, **kwargs):
            calls["n"] += 1
            if calls["n"] == 5:
                raise Crash()
            return original(*args, **kwargs)

        monkeypatch.setattr(sender, "_post", post)
    else:
        original = outbox.mark_sent

        def mark_sent(**kwargs):
            calls["n"] += 1
            if calls["n"] == 5:
                raise Crash()
            return original(**kwargs)

        monkeypatch.setattr(outbox, "mark_sent", mark_sent)
    with pytest.raises(Crash):
        tick(world, instant)
    monkeypatch.undo()
    # The process is restarted after its lease ran out.
    tick(world, instant + timedelta(minutes=5))
    with Session(world.engine) as session:
        rows = [r for r in outbox.rows(session=session, kinds=("reminder",))]
    assert len(rows) >= 10
    assert {r.status for r in rows} == {"sent"}
    for row in rows:
        assert len(reminders_to(world, row.recipient)) == 1, row.key


def test_two_processes_ticking_at_once_send_one_set_of_dms(leads_world):
    world = leads_world
    instant = at(date(2018, 11, 26), 9, 5)
    world.clock.set(instant)

    def process() -> Deps:
        return make_deps(
            world.settings,
            engine=world.engine,
            clock=world.clock,
            client=make_client(world.settings),
            background=Background.inline(),
            paced=False,
        )

    barrier = threading.Barrier(2)
    errors = []

    def run(deps: Deps) -> None:
        barrier.wait()
        try:
            jobs.remind(deps, instant)
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(process(),)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with Session(world.engine) as session:
        rows = outbox.rows(session=session, kinds=("reminder",))
    assert rows and {r.status for r in rows} == {"sent"}
    for row in rows:
        assert len(reminders_to(world, row.recipient)) == 1


def test_rate_limits_and_errors_mid_fan_out_lose_and_repeat_nothing(leads_world):
    world = leads_world
    world.deps.client.retry_handlers = []  # the sender's own handling, without real sleeps
    world.double.fail_next("chat.postMessage", retry_after=2, times=3)
    world.double.fail_next("users.info", status=503, times=2)
    instant = at(date(2018, 11, 26), 9, 5)
    tick(world, instant)
    world.double.fail_next("chat.postMessage", status=500, times=2)
    for minutes in (5, 10, 15, 30, 60):
        tick(world, instant + timedelta(minutes=minutes))
    with Session(world.engine) as session:
        rows = outbox.rows(session=session, kinds=("reminder",))
    assert rows and {r.status for r in rows} == {"sent"}
    for row in rows:
        assert len(reminders_to(world, row.recipient)) == 1


@pytest.mark.parametrize(
    ("days", "tz"),
    [
        ([date(2018, 10, 26), date(2018, 10, 29), date(2018, 10, 30)], "America/New_York"),
        ([date(2019, 3, 29), date(2019, 4, 1), date(2019, 4, 2)], "Europe/London"),
    ],
)
def test_one_dm_per_local_day_across_the_clock_changes(world, days, tz):
    # A rung every day, so each working day brings each lead a DM.
    world.deps = make_deps(
        world.settings.model_copy(
            update={
                "planbot_reminder_days_before": list(range(400)),
                "planbot_overdue_every_days": 1,
            }
        ),
        engine=world.engine,
        clock=world.clock,
        client=make_client(world.settings),
        background=Background.inline(),
    )
    london = world.double.add_user("london.lead", real_name="L Lead", tz="Europe/London")
    abroad = world.double.add_user("far.lead", real_name="F Lead", tz=tz)
    with transaction(world.engine) as session:
        for user in (london, abroad):
            leads.map_role(
                session=session,
                role_name="Principal Social Worker",
                user_id=user,
                deputy=None,
                at=world.now(),
                by="test",
            )
    # Every hour of each day (UTC), so each person's 09:00 is a tick, whatever their offset.
    for day in days:
        midnight = datetime.combine(day, time(0), tzinfo=UTC)
        for hour in range(24):
            tick(world, midnight + timedelta(hours=hour))
    for user, zone in ((london, "Europe/London"), (abroad, tz)):
        sent = reminders_to(world, user)
        local_days = [m["metadata"]["event_payload"]["date"] for m in sent]
        assert len(local_days) == len(set(local_days)), (user, local_days)
        assert {date.fromisoformat(d) for d in local_days} >= set(days)
        # Each went out at 09:00 on the person's own clock, not the plan's (a tick before the
        # first day catches up the day before, later: a late start's right).
        for message in sent:
            if date.fromisoformat(message["metadata"]["event_payload"]["date"]) not in days:
                continue
            local = datetime.fromtimestamp(float(message["ts"]), UTC).astimezone(ZoneInfo(zone))
            assert local.hour == 9, (zone, local)


def test_two_unanswered_reminders_on_an_overdue_action_are_escalated(leads_world):
    world = leads_world
    icrt = person_for(world, "Service Manager - ICRT")
    for day in (date(2018, 11, 30), date(2018, 12, 7)):  # 5.4's timescale, then a week overdue
        tick(world, at(day, 9, 5))
    assert any(
        "5.4" in m["metadata"]["event_payload"]["actions"]
        for m in reminders_to(world, icrt.user_id)
    )
    tick(world, at(date(2018, 12, 10), 9, 5))
    admin_dm = world.double.messages(world.double.dm_channel(world.admin.user_id))
    [escalation] = [m for m in admin_dm if m["text"].startswith("Escalated")]
    assert "5.4" in escalation["text"]
    assert icrt.user_id in str(escalation["blocks"])
    assert message_block_errors(escalation["blocks"]) == []
    # Once per episode: the next days add nothing for 5.4.
    tick(world, at(date(2018, 12, 11), 9, 5))
    admin_dm = world.double.messages(world.double.dm_channel(world.admin.user_id))
    assert len([m for m in admin_dm if m["text"].startswith("Escalated")]) == 1
    # /plan shows it.
    world.command(icrt.user_id, "status 5.4")
    [answer] = [i for i in world.new_items() if i["kind"] == "response"]
    assert "scalated" in str(answer["blocks"])


def test_a_replace_keeps_the_reminders_of_actions_that_are_the_same(leads_world):
    from store import archive
    from store.models import ReminderItem

    world = leads_world
    tick(world, at(date(2018, 11, 26), 9, 5))
    with Session(world.engine) as session:
        before = len(session.exec(select(ReminderItem)).all())
    assert before
    with transaction(world.engine) as session:
        current = archive.export_archive(session=session)
        archive.replace_plan(
            session=session, archive=current, loaded_at=world.now(), source="a re-import"
        )
    with Session(world.engine) as session:
        after = len(session.exec(select(ReminderItem)).all())
    assert after == before
    # The next tick still knows what was sent: nothing goes twice.
    dms = {p.user_id: len(reminders_to(world, p.user_id)) for p in world.people.values()}
    tick(world, at(date(2018, 11, 26), 9, 10))
    assert {p.user_id: len(reminders_to(world, p.user_id)) for p in world.people.values()} == dms
