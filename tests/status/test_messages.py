"""/plan's messages read as sentences: plurals, one sentence per answer, escaped echoes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.plan.rag import Rag
from bot.plan.refs import ActionRef
from bot.plan.views import ActionDetail, ActionView, HistoryEntry, PriorityView
from bot.plan.words import counted
from bot.status import grammar, views
from bot.status.grammar import Invalid

TODAY = date(2018, 11, 20)
TZ = "Europe/London"


@pytest.mark.parametrize(
    ("n", "noun", "expected"),
    [
        (0, "priority", "0 priorities"),
        (1, "priority", "1 priority"),
        (2, "priority", "2 priorities"),
        (1, "RAG change", "1 RAG change"),
        (3, "RAG change", "3 RAG changes"),
        (1, "older entry", "1 older entry"),
        (2, "older entry", "2 older entries"),
        (1, "person", "1 person"),
        (2, ("person", "people"), "2 people"),
    ],
)
def test_counted(n, noun, expected):
    assert counted(n, noun) == expected


def test_no_action_in_a_missing_priority_is_one_sentence():
    message = grammar.no_such_action(ActionRef(99, 1), [], list(range(1, 16)))
    assert (
        message == "There is no action 99.1: the plan has no priority 99 (it has priorities 1–15)."
    )
    empty = grammar.no_such_action(ActionRef(7, 3), [], [])
    assert empty.count("There is") == 1 and "no priorities yet" in empty


def test_a_plan_without_ofsted_numbers_says_so():
    message = grammar.no_such_recommendation(1, [])
    assert message == (
        "The plan records no Ofsted recommendation numbers, so no priority answers "
        "recommendation 1. Try `/plan status 7` (a priority) instead."
    )
    assert "none" not in message


@pytest.mark.parametrize(
    ("text", "echo"),
    [
        ("status <!channel>", "&lt;!channel&gt;"),
        ("status a&b", "a&amp;b"),
        ("<@U0ABCDEF1> status", "&lt;@U0ABCDEF1&gt;"),
        ("status <https://evil.example|click>", "&lt;https://evil.example|click&gt;"),
    ],
)
def test_echoes_of_bad_input_are_escaped_for_slack(text, echo):
    result = grammar.parse(text)
    assert isinstance(result, Invalid)
    assert echo in result.message
    assert "<" not in result.message and ">" not in result.message
    # The plain text (for the terminal) keeps what was typed.
    assert echo.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") in result.plain


def _action(ref: ActionRef) -> ActionView:
    return ActionView(
        ref=ref,
        text="Do it",
        leads=(),
        timescale=None,
        original_timescale=None,
        rag=Rag.UNRATED,
        last_update=None,
    )


def test_one_older_entry_is_singular():
    history = tuple(
        HistoryEntry(
            at=datetime(2018, 11, 1, tzinfo=UTC), kind="update", text="x", by=None, via="seed"
        )
        for _ in range(60)
    )
    priority = PriorityView(
        number=1, ofsted_recommendation=None, section="S", title="T", actions=()
    )

    def note(entries) -> str:
        detail = ActionDetail(priority=priority, action=_action(ActionRef(1, 1)), history=entries)
        return views.action_blocks(detail, TODAY, TZ)[-1]["elements"][0]["text"]

    hidden = int(note(history).split()[0])
    assert note(history).startswith(f"{hidden} older entries not shown")
    assert note(history[: len(history) - hidden + 1]).startswith("1 older entry not shown")
