"""The reminder DM, the admins' unreachable list and the approvers' escalation DM: Slack's limits."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from bot.plan.rag import Rag
from bot.plan.refs import ActionRef
from bot.reminders.audience import Problem, Unreachable
from bot.reminders.day import PersonReminder, ReminderItem
from bot.reminders.escalation import Escalation
from bot.reminders.ladder import Due, Reason
from bot.reminders.message import (
    SNOOZE_ACTION_ID,
    escalation_message,
    reminder_message,
    reminder_metadata,
    unreachable_message,
)
from bot.reminders.records import ActionState, Leave, SentReminder
from bot.slack_double.content_limits import message_block_errors, message_text_errors

TODAY = date(2018, 12, 14)
LONG_ROLE = "Head of Service - Children's Safeguarding, Quality Assurance & Improvement " * 4
REASONS = [Reason.OVERDUE, Reason.DUE, Reason.UPCOMING, Reason.MONTHLY]


def state(n: int, text_chars: int = 400, **fields: Any) -> ActionState:
    text = ("Ensure that <all> children & young people's plans are reviewed " * 40)[:text_chars]
    base = {
        "timescale": TODAY - timedelta(days=n % 30 - 10),
        "rag": list(Rag)[n % 5],
        "last_update": date(2018, 11, 30) if n % 2 else None,
    }
    return ActionState(ActionRef(1 + n // 10, 1 + n % 10), text, (LONG_ROLE,), **(base | fields))


def person(count: int, **fields: Any) -> PersonReminder:
    items = []
    for n in range(count):
        action = state(n, **fields)
        reason = REASONS[n % 4]
        items.append(
            ReminderItem(action, Due(reason, (action.timescale - TODAY).days), (LONG_ROLE,))
        )
    items.sort(key=ReminderItem.sort_key)
    return PersonReminder("U0LEAD001", TODAY, tuple(items))


def block_texts(blocks: list[dict[str, Any]]) -> list[str]:
    texts = []
    for block in blocks:
        if "text" in block:
            texts.append(block["text"]["text"])
        for element in block.get("elements", ()):
            text = element.get("text")
            texts.append(text["text"] if isinstance(text, dict) else text)
    return texts


def assert_within_limits(message) -> None:
    blocks = message.blocks
    assert message_block_errors(blocks) == []
    assert message_text_errors(message.text, blocks) == []
    assert len(blocks) <= 50
    assert len(message.text) <= 4000
    assert sum(len(text) for text in block_texts(blocks)) <= 12_000
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        if block["type"] == "actions":
            assert len(block["elements"]) <= 5
            assert all(len(e["text"]["text"]) <= 75 for e in block["elements"])


@pytest.mark.parametrize("count", [1, 10, 200])
@pytest.mark.parametrize("text_chars", [60, 2000])
def test_the_reminder_dm_stays_within_slacks_limits(count, text_chars):
    who = person(count, text_chars=text_chars)
    message = reminder_message(who)
    assert_within_limits(message)
    buttons = [b for b in message.blocks if b["type"] == "actions"]
    summary = [b for b in message.blocks if "more action" in b.get("text", {}).get("text", "")]
    if count <= 10:
        assert len(buttons) == count and summary == []
    else:
        (line,) = summary
        left_out = count - len(buttons)
        assert 0 < left_out < count
        assert f"…and {left_out} more actions (" in line["text"]["text"]
        assert "`/plan mine`" in line["text"]["text"]
    # The buttons follow the DM's order; the metadata names every action, shown or not.
    assert [b["elements"][0]["value"] for b in buttons] == who.refs[: len(buttons)]
    assert message.metadata["event_payload"]["actions"] == who.refs


def test_one_action_in_full():
    action = ActionState(
        ActionRef(7, 3),
        "Audit case files & report <quarterly>",
        ("Service Manager - ICRT",),
        timescale=date(2018, 12, 9),
        original_timescale=date(2018, 11, 30),
        rag=Rag.AMBER,
        last_update=date(2018, 11, 30),
    )
    item = ReminderItem(
        action,
        Due(Reason.OVERDUE, -5),
        ("Service Manager - ICRT",),
        (Leave("U0AWAY001", date(2019, 1, 4)),),
    )
    message = reminder_message(PersonReminder("U0DEPUTY1", TODAY, (item,)))
    kinds = [block["type"] for block in message.blocks]
    assert kinds == ["header", "section", "section", "section", "actions", "context"]
    assert message.blocks[2]["text"]["text"] == ":rotating_light: *Overdue*"
    assert message.blocks[3]["text"]["text"] == (
        "*7.3* Audit case files &amp; report &lt;quarterly&gt;\n"
        ":large_orange_circle: Amber · Timescale 9 Dec 2018 (originally 30 Nov 2018) · "
        "*5 days overdue* · Last update 30 Nov 2018\n"
        "Lead: Service Manager - ICRT · covering for <@U0AWAY001> (on leave until 4 Jan 2019)"
    )
    *answers, snooze = message.blocks[4]["elements"]
    assert [(b["text"]["text"], b["value"]) for b in answers] == [
        ("On track", "7.3"),
        ("Delayed", "7.3"),
        ("Completed", "7.3"),
        ("Add update…", "7.3"),
    ]
    assert snooze == {
        "type": "button",
        "action_id": SNOOZE_ACTION_ID,
        "text": {"type": "plain_text", "text": "Snooze 3 working days"},
        "value": "7.3",
    }
    assert message.blocks[4]["block_id"] == "reminder_actions:7.3"
    assert "reply in this thread is enough" in message.blocks[-1]["elements"][0]["text"]
    assert message.text == "1 plan action to update (1 overdue): 7.3 (5 days overdue)"
    assert message.as_kwargs() == {
        "text": message.text,
        "blocks": message.blocks,
        "metadata": {
            "event_type": "planbot_reminder",
            "event_payload": {"date": "2018-12-14", "user": "U0DEPUTY1", "actions": ["7.3"]},
        },
    }


def test_the_groups_and_their_order():
    message = reminder_message(person(8))
    sections = [b["text"]["text"] for b in message.blocks if b["type"] == "section"]
    titles = [text for text in sections if text.endswith("*") and "\n" not in text]
    assert titles == [
        ":rotating_light: *Overdue*",
        ":date: *Due*",
        ":hourglass_flowing_sand: *Coming up*",
        ":spiral_calendar_pad: *Monthly update round*",
    ]
    assert (
        "2 overdue, 2 due, 2 coming up, 2 monthly update round" in message.blocks[1]["text"]["text"]
    )


@pytest.mark.parametrize(
    ("days", "phrase"),
    [(-1, "*1 day overdue*"), (0, "due today"), (1, "due tomorrow"), (12, "due in 12 days")],
)
def test_days_to_or_past_due(days, phrase):
    action = state(1, timescale=TODAY + timedelta(days=days), last_update=None)
    item = ReminderItem(action, Due(Reason.DUE, days), ("Lead",))
    text = reminder_message(PersonReminder("U0LEAD001", TODAY, (item,))).blocks[3]["text"]["text"]
    assert f" · {phrase} · Last update none yet" in text


def test_metadata():
    assert reminder_metadata(person(2)) == {
        "event_type": "planbot_reminder",
        "event_payload": {"date": "2018-12-14", "user": "U0LEAD001", "actions": ["1.1", "1.2"]},
    }


def unreachable(count: int) -> list[Unreachable]:
    problems = [Problem.ROLE_NOT_MAPPED, Problem.NOBODY_AVAILABLE, Problem.NO_TIMESCALE]
    return [
        Unreachable(
            state(n),
            problems[n % 3],
            role=f"{LONG_ROLE} {n % 40}",
            away=(Leave("U0AWAY001", date(2019, 1, 4)),),
        )
        for n in range(count)
    ]


@pytest.mark.parametrize("count", [1, 10, 500])
def test_the_admins_list_stays_within_limits(count):
    assert_within_limits(unreachable_message(TODAY, unreachable(count)))


def test_the_admins_list_groups_by_role_and_says_what_to_do():
    entries = [
        Unreachable(state(1), Problem.ROLE_NOT_MAPPED, role="Head of Service"),
        Unreachable(state(2), Problem.ROLE_NOT_MAPPED, role="Head of Service"),
        Unreachable(state(3, timescale=None), Problem.NO_TIMESCALE),
    ]
    message = unreachable_message(TODAY, entries)
    text = "\n".join(block_texts(message.blocks))
    assert (
        '• Actions 1.2, 1.3: role "Head of Service" is not mapped to a Slack user. '
        'To fix: run `planbot leads map "Head of Service" USER_ID`.'
    ) in text
    assert "• Action 1.4: has no timescale, so it is never reminded." in text
    assert message.text == "3 plan actions could not be chased on 14 Dec 2018."


def escalations(count: int) -> list[Escalation]:
    return [
        Escalation(
            state(n, timescale=date(2018, 11, 30)),
            (
                SentReminder(ActionRef(1, 1), "U0LEAD001", date(2018, 11, 30)),
                SentReminder(ActionRef(1, 1), "U0LEAD002", date(2018, 12, 7)),
            ),
            days_overdue=14,
        )
        for n in range(count)
    ]


@pytest.mark.parametrize("count", [1, 10, 200])
def test_the_escalation_dm_stays_within_limits(count):
    assert_within_limits(escalation_message(TODAY, escalations(count)))


def test_the_escalation_dm_names_the_action_the_lead_and_the_reminders():
    message = escalation_message(TODAY, escalations(1))
    text = message.blocks[2]["text"]["text"]
    assert text.startswith("*1.1* Ensure that &lt;all&gt; children")
    assert "*14 days overdue*" in text
    assert "Lead: Head of Service" in text
    assert "(<@U0LEAD001>, <@U0LEAD002>) · 2 reminders unanswered: 30 Nov 2018, 7 Dec 2018" in text
    assert message.text.startswith("Escalated on 14 Dec 2018: 1 overdue action without an answer")


def test_the_admins_list_mentions_people_but_keeps_commands_copyable():
    away = Leave("U0AWAY001", date(2019, 1, 4))
    entry = Unreachable(state(1), Problem.NOBODY_AVAILABLE, role="Q&A Lead", away=(away,))
    (line,) = [t for t in block_texts(unreachable_message(TODAY, [entry]).blocks) if "•" in t]
    assert line == (
        '• Action 1.2: nobody available for "Q&amp;A Lead": <@U0AWAY001> on leave until '
        '4 Jan 2019, no deputy. To fix: name a deputy: `planbot leads map "Q&amp;A Lead" '
        "U0AWAY001 --deputy USER_ID`."
    )
