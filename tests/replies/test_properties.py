"""Any text at all: never an exception, always a well-formed answer, never a RAG when asking."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.plan.rag import Rag
from bot.plan.refs import ActionRef
from bot.replies.understand import ContextAction, Understanding, as_json, understand

PLAN = [
    ContextAction(
        ActionRef(p, n),
        f"Action {p}.{n} about training and the leaflet",
        date(2019, 3, 31),
        Rag.UNRATED,
    )
    for p in range(1, 4)
    for n in range(1, 6)
]
WORDS = [
    "1.4",
    "1.2",
    "7.12",
    "on track",
    "not",
    "done",
    "complete",
    "?",
    "G",
    "a",
    "RAG:",
    "amber",
    "🔴",
    "✅",
    ":large_green_circle:",
    "slipped to",
    "April 2019",
    "31/03/19",
    "new date",
    "the rest",
    "others",
    "all",
    "Child A",
    "DOB",
    "case no 12345",
    "https://x.test",
    "evidence on the shared drive",
    "\n",
    ",",
    ".",
    " - ",
    "but",
    "and",
    "/",
    "1.9/1.10",
]
phrases = st.lists(st.sampled_from(WORDS), max_size=30).map(" ".join)
texts = st.one_of(
    st.text(max_size=400),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=200),
    st.binary(max_size=300).map(lambda raw: raw.decode("latin-1")),
    phrases,
)
contexts = st.lists(st.sampled_from(PLAN), max_size=4, unique=True)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))


def _well_formed(result: Understanding) -> None:
    assert isinstance(result.clarify, bool)
    if result.clarify:
        assert all(update.rag is None for update in result.updates)
    for update in result.updates:
        assert update.rag is None or isinstance(update.rag, Rag)
        assert update.evidence_pending == (update.rag is Rag.COMPLETED and update.evidence is None)
    as_json(result)


@settings(max_examples=300, deadline=None)
@given(text=texts, context=contexts, today=days, files=st.integers(0, 3))
def test_any_text_is_understood_without_error(text, context, today, files):
    _well_formed(understand(text, context=context, plan=PLAN, today=today, files=files))


@settings(max_examples=200, deadline=None)
@given(text=phrases, context=contexts)
def test_asking_never_carries_a_rating(text, context):
    _well_formed(understand(text, context=context, plan=PLAN, today=date(2018, 12, 10)))


@settings(max_examples=10, deadline=None)
@given(unit=st.sampled_from(WORDS + ["x", "é", "\x00", "\u202e", "🙂"]), context=contexts)
def test_huge_text_is_read(unit, context):
    text = (unit + " ") * (100_000 // (len(unit) + 1))
    _well_formed(understand(text, context=context, plan=PLAN, today=date(2018, 12, 10)))


def test_control_characters_and_odd_values():
    for text in ["", "\x00\x01\x02", "\r\n\r\n", "\ufeff1.4 done", "1." * 5000, "31/02/19", None]:
        _well_formed(understand(text, context=PLAN[:1], plan=PLAN, today=date(2018, 12, 10)))
