"""Status views: text, JSON and Block Kit, inside Slack's limits whatever the plan's size."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.plan import timing
from bot.plan.rag import Rag
from bot.plan.refs import ActionRef
from bot.plan.views import (
    ActionDetail,
    ActionView,
    HistoryEntry,
    PlanOutline,
    PriorityView,
    UpdateView,
)
from bot.slack_double.content_limits import message_block_errors
from bot.status import views

TODAY = date(2018, 11, 20)
TZ = "Europe/London"


def _action(
    n: int,
    *,
    priority: int = 1,
    rag: Rag = Rag.UNRATED,
    timescale: date | None = date(2019, 3, 31),
    text: str = "Do the thing",
) -> ActionView:
    return ActionView(
        ref=ActionRef(priority, n),
        text=text,
        leads=("Service Manager - ICRT",),
        timescale=timescale,
        original_timescale=timescale,
        rag=rag,
        last_update=UpdateView(
            at=datetime(2018, 10, 31, 12, tzinfo=UTC), text="Going well", author=None, source="seed"
        ),
    )


def _priority(count: int, text: str = "Do the thing") -> PriorityView:
    return PriorityView(
        number=1,
        ofsted_recommendation=1,
        section="Help",
        title="Urgently review ICRT",
        actions=tuple(_action(n, text=text) for n in range(1, count + 1)),
    )


@pytest.mark.parametrize(
    ("timescale", "rag", "phrase"),
    [
        (date(2018, 11, 20), Rag.GREEN, "due today"),
        (date(2018, 11, 21), Rag.GREEN, "due in 1 day"),
        (date(2018, 11, 30), Rag.AMBER, "due in 10 days"),
        (date(2018, 11, 19), Rag.RED, "1 day overdue"),
        (date(2018, 11, 1), Rag.UNRATED, "19 days overdue"),
        (date(2018, 11, 1), Rag.COMPLETED, "completed"),
        (None, Rag.GREEN, "timescale missing"),
    ],
)
def test_due_phrase(timescale, rag, phrase):
    assert timing.due_phrase(_action(1, rag=rag, timescale=timescale), TODAY) == phrase


def test_revised_timescale_shows_the_original():
    action = ActionView(
        ref=ActionRef(1, 1),
        text="x",
        leads=(),
        timescale=date(2019, 6, 30),
        original_timescale=date(2019, 3, 31),
        rag=Rag.AMBER,
        last_update=None,
    )
    assert timing.timescale_text(action) == "30 Jun 2019 (originally 31 Mar 2019)"


@pytest.mark.parametrize("count", [0, 1, 16, 99, 100, 101, 500])
def test_priority_blocks_stay_inside_limits(count):
    blocks = views.priority_blocks(_priority(count, text="A long action text " * 20), TODAY, TZ)
    assert message_block_errors(blocks) == []
    shown = sum(
        block.get("text", {}).get("text", "").count("*1.")
        for block in blocks
        if block["type"] == "section"
    )
    if shown < count:
        assert f"Showing {shown} of {count} actions" in blocks[-1]["elements"][0]["text"]
    assert count < 300 or shown < count  # 500 long actions cannot fit in one message


@pytest.mark.parametrize("priorities", [1, 15, 99, 150])
def test_plan_blocks_stay_inside_limits(priorities):
    outline = PlanOutline(
        name="Plan",
        priorities=tuple(
            PriorityView(
                number=n,
                ofsted_recommendation=n,
                section="S",
                title="T",
                actions=(_action(1, priority=n),),
            )
            for n in range(1, priorities + 1)
        ),
    )
    blocks = views.plan_blocks(outline, TODAY)
    assert message_block_errors(blocks) == []
    assert sum(b["type"] == "table" for b in blocks) == 1


def test_action_blocks_with_long_history_stay_inside_limits():
    history = tuple(
        HistoryEntry(
            at=datetime(2018, 11, 1, tzinfo=UTC),
            kind="update",
            text="word " * 1000,
            by="U0LEAD",
            via="reply",
        )
        for _ in range(80)
    )
    detail = ActionDetail(priority=_priority(1), action=_action(1), history=history)
    blocks = views.action_blocks(detail, TODAY, TZ)
    assert message_block_errors(blocks) == []
    assert "older entries not shown" in blocks[-1]["elements"][0]["text"]


def test_mrkdwn_is_escaped():
    blocks = views.priority_blocks(_priority(1, text="Use <!channel> & <@U123>"), TODAY, TZ)
    assert "&lt;!channel&gt; &amp; &lt;@U123&gt;" in blocks[-1]["text"]["text"]


def test_json_shape():
    outline = PlanOutline(name="Plan", priorities=(_priority(1),))
    data = views.plan_json(outline)
    action = data["priorities"][0]["actions"][0]
    assert data["plan"] == "Plan"
    assert set(data["priorities"][0]) >= {
        "number",
        "ofsted_recommendation",
        "section",
        "title",
        "actions",
    }
    assert (
        action["id"] == "1.1" and action["timescale"] == "2019-03-31" and action["rag"] == "unrated"
    )
    assert action["leads"] == ["Service Manager - ICRT"]
    assert action["last_update"] == {"at": "2018-10-31T12:00:00+00:00", "text": "Going well"}


def test_plan_text_counts_overdue():
    outline = PlanOutline(
        name="Plan",
        priorities=(
            PriorityView(
                number=1,
                ofsted_recommendation=1,
                section="S",
                title="T",
                actions=(_action(1, timescale=date(2018, 11, 1)), _action(2)),
            ),
        ),
    )
    assert "2 not yet rated (2 actions); 1 overdue" in views.plan_text(outline, TODAY)
