"""Parsing `/plan` arguments: a table of inputs and what they mean."""

from __future__ import annotations

import pytest

from bot.plan.refs import ActionRef
from bot.status import grammar
from bot.status.grammar import (
    ActionStatus,
    Help,
    Invalid,
    PlanStatus,
    PriorityStatus,
    RecommendationStatus,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Help()),
        ("   ", Help()),
        ("help", Help()),
        ("HELP", Help()),
        ("status", PlanStatus()),
        ("  status   ", PlanStatus()),
        ("status 7", PriorityStatus(7)),
        ("status 7.", PriorityStatus(7)),
        ("status ７", PriorityStatus(7)),  # full-width digit from a phone keyboard
        ("status 7.3", ActionStatus(ActionRef(7, 3))),
        ("status 1.16", ActionStatus(ActionRef(1, 16))),
        ("status rec 9", RecommendationStatus(9)),
        ("status Recommendation 9", RecommendationStatus(9)),
    ],
)
def test_valid(text, expected):
    assert grammar.parse(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "status abc",
        "status -1",
        "status 7.3.1",
        "status 1 2",
        "status rec",
        "status rec x",
        "status 9999999",
        "frobnicate",
        "status 7.x",
    ],
)
def test_invalid_says_what_is_valid(text):
    result = grammar.parse(text)
    assert isinstance(result, Invalid)
    assert "/plan" in result.message


def test_unknown_verb_lists_the_verbs():
    message = grammar.parse("delete everything").message
    assert "`/plan delete`" in message and "`/plan status 7`" in message


def test_echo_cannot_break_formatting():
    message = grammar.parse("status `" + "x" * 100).message
    assert "`" * 2 not in message.replace("``", "") and "…" in message


@pytest.mark.parametrize(
    ("numbers", "text"),
    [([1, 2, 3], "1–3"), ([1, 2, 3, 5, 7, 8], "1–3, 5, 7–8"), ([4], "4"), ([], "none")],
)
def test_describe_range(numbers, text):
    assert grammar.describe_range(numbers) == text


def test_not_found_messages():
    assert (
        grammar.no_such_priority(99, list(range(1, 16)))
        == "There is no priority 99 — the plan has priorities 1–15."
    )
    assert grammar.no_such_action(ActionRef(7, 9), ["7.1", "7.6"], list(range(1, 16))) == (
        "There is no action 7.9 — priority 7 has actions 7.1–7.6."
    )
    assert "priorities 1–15" in grammar.no_such_action(ActionRef(99, 1), [], list(range(1, 16)))
