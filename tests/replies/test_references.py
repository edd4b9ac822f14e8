"""Which actions a reply names, and the segment of text for each."""

from __future__ import annotations

import pytest

from bot.plan.refs import ActionRef
from bot.replies.references import attribute, find_references, speaks_of_all

PLAN = {
    ActionRef(p, n) for p, count in ((1, 16), (2, 8), (7, 6), (9, 10)) for n in range(1, count + 1)
}


def refs(text: str) -> list[str]:
    return [str(mention.ref) for mention in find_references(text, PLAN)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.4 on track", ["1.4"]),
        ("action 1.4 done", ["1.4"]),
        ("9.5: training booked", ["9.5"]),
        ("1.9 and 1.10 done", ["1.9", "1.10"]),
        ("1.9/1.10 done", ["1.9", "1.10"]),
        ("7.1 - 7.4 on track", ["7.1", "7.2", "7.3", "7.4"]),
        ("1.4. Done", ["1.4"]),
        ("7.12 delayed", ["7.12"]),
        ("Action 19.2 done", ["19.2"]),
        ("1.10 linked to 1.5 but behind", ["1.10"]),
        ("waiting on 1.8", []),
        ("down 2.5% this month", []),
        ("takes 1.5 days", []),
        ("£1.2m budget", []),
        ("caseloads at 18.5", []),
        ("meeting at 9.30 tomorrow", []),
        ("meeting 9.30 tomorrow", []),
        ("new date 30.11.18", []),
        ("version v1.4", []),
    ],
)
def test_references(text, expected):
    assert refs(text) == expected


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("1.4 done but 1.13 slipped", [("1.4", "1.4 done"), ("1.13", "1.13 slipped")]),
        (
            "Done on 1.4, still behind on 1.13",
            [("1.4", "Done on 1.4"), ("1.13", "still behind on 1.13")],
        ),
        ("1.9 and 1.10 both done", [("1.9 1.10", "1.9 and 1.10 both done")]),
        ("1.9, 1.10: delayed", [("1.9 1.10", "1.9, 1.10: delayed")]),
        ("1.4 - G, 1.13 - A", [("1.4", "1.4 - G"), ("1.13", "1.13 - A")]),
        (
            "1.4: agreed, on track.\n1.13: done",
            [("1.4", "1.4: agreed, on track"), ("1.13", "1.13: done")],
        ),
        ("2.1 🔴 2.2 🟠", [("2.1", "2.1 🔴"), ("2.2", "2.2 🟠")]),
    ],
)
def test_segments(text, segments):
    plan = PLAN | {ActionRef(1, 13)}
    result = attribute(text, find_references(text, plan))
    assert [(" ".join(map(str, group)), segment) for group, segment in result.segments] == segments


def test_the_others_and_the_preamble_are_kept_apart():
    text = "All good: 1.4 on track. 1.13 slipped. The rest fine"
    result = attribute(text, find_references(text, PLAN | {ActionRef(1, 13)}))
    assert result.preamble == "All good"
    assert result.others == "The rest fine"


@pytest.mark.parametrize(
    ("text", "all_of_them"),
    [
        ("All on track", True),
        ("both done", True),
        ("They're all on track, nothing to flag", True),
        ("All three amber", True),
        ("All managers are collating examples", False),
        ("on track", False),
    ],
)
def test_speaks_of_all(text, all_of_them):
    assert speaks_of_all(text) is all_of_them
