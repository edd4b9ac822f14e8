"""RAG signals in a piece of a reply, with negation."""

from __future__ import annotations

import pytest

from bot.plan.rag import Rag
from bot.replies.rag_words import bare_rating, read_rag

R, A, G, C = Rag.RED, Rag.AMBER, Rag.GREEN, Rag.COMPLETED


@pytest.mark.parametrize(
    ("text", "rag", "explicit"),
    [
        ("RAG: amber", A, True),
        ("rag - G", G, True),
        ("RAG G", G, True),
        ("G", G, True),
        ("a", A, True),
        ("Amber", A, True),
        ("🔴", R, True),
        ("🟠 slipped", A, True),
        ("🟡", A, True),
        ("🟢", G, True),
        ("✅", C, True),
        (":red_circle:", R, True),
        (":large_orange_circle:", A, True),
        (":large_yellow_circle:", A, True),
        (":large_green_circle:", G, True),
        (":white_check_mark:", C, True),
        ("was amber, now green", G, True),
        ("done", C, False),
        ("Complete.", C, False),
        ("signed off at QIC", C, False),
        ("finished", C, False),
        ("slipped", A, False),
        ("a bit behind", A, False),
        ("postponed", A, False),
        ("at risk", A, False),
        ("not started", R, False),
        ("haven't started", R, False),
        ("yet to start", R, False),
        ("stalled", R, False),
        ("off track", R, False),
        ("significant delay", R, False),
        ("on track", G, False),
        ("ontrack", G, False),
        ("not yet complete but on track", G, False),
        ("not on track", A, False),
        ("isn't on track", A, False),
        ("Completed? Not quite", G, False),
        ("nearly there", G, False),
        ("not delayed", G, False),
        ("no delays", G, False),
        ("was delayed but now back on track", G, False),
        ("slight delay but still on track", G, False),
        ("on track, but the form has slipped", A, False),
        ("done late", C, False),
        ("done, evidence to follow", C, False),
    ],
)
def test_signals(text, rag, explicit):
    signal = read_rag(text)
    assert signal is not None
    assert (signal.rag, signal.explicit) == (rag, explicit)


@pytest.mark.parametrize(
    "text",
    [
        "thanks, will update next week",
        "Referral form being developed",
        "a new template is with LL",
        "Status update: a new chronology template",
        "Got the green light from SLT",
        "children at risk of CSE",
        "Completed? No",
        "not complete yet",
        "",
    ],
)
def test_no_signal(text):
    assert read_rag(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "Completed? Not quite",
        "will be done by March",
        "to be completed by March",
        "due to be completed",
        "draft complete",
        "phase 1 done",
        "done for about half the managers",
        "training done, the rest to follow",
        "not complete",
        "not yet done",
        "nowhere near complete",
        "on hold until the restructure is done",
        "once the restructure is complete",
        "need to complete the audit",
        "lots of work done on it",
        "still being implemented but the guidance is done",
    ],
)
def test_never_a_false_completed(text):
    signal = read_rag(text)
    assert signal is None or signal.rag is not Rag.COMPLETED


@pytest.mark.parametrize(
    ("text", "rag"),
    [("G", G), ("g.", G), ("RAG: A", A), ("r", R), ("C", C), ("amber", A), ("on track", None)],
)
def test_bare_ratings(text, rag):
    assert bare_rating(text) == rag
