"""The entry point: which actions, the proposals, the consistency rules, the JSON shape."""

from __future__ import annotations

from datetime import date

from bot.plan.rag import Rag
from bot.plan.refs import ActionRef
from bot.replies.understand import ContextAction, Understanding, as_json, understand

TODAY = date(2018, 12, 10)


def action(
    ref: str, text: str = "Review the process", timescale=date(2018, 12, 31)
) -> ContextAction:
    return ContextAction(ActionRef.parse(ref), text, timescale, Rag.UNRATED)


PLAN = [
    action("1.4", "Review and improve process for recording and screening of contacts in ICRT"),
    action("1.13", "Formalise the process for planning child protection enquiries"),
    action("8.1", "Develop a leaflet for children aged 16 and 17 who present as homeless"),
    action("8.2", "Formally record their decisions on a form", date(2018, 11, 30)),
    action("9.5", "Training to be delivered to staff on permanence planning", date(2019, 8, 31)),
]
BY_REF = {a.ref: a for a in PLAN}


def read(text: str, context=(), today=TODAY, files=0) -> Understanding:
    return understand(
        text,
        context=[BY_REF[ActionRef.parse(r)] for r in context],
        plan=PLAN,
        today=today,
        files=files,
    )


def test_one_context_action_takes_the_whole_reply():
    result = read("Flowchart agreed. On track", ["1.4"])
    assert not result.clarify
    (update,) = result.updates
    assert (update.ref, update.rag, update.text) == (
        ActionRef(1, 4),
        Rag.GREEN,
        "Flowchart agreed. On track",
    )


def test_several_actions_each_get_their_segment():
    result = read("1.4 done, minutes attached. 1.13 slipped to March 2019", ["1.4", "1.13"])
    first, second = result.updates
    assert (first.rag, first.evidence, first.evidence_pending) == (
        Rag.COMPLETED,
        "minutes attached",
        False,
    )
    assert (second.rag, second.revised_timescale) == (Rag.AMBER, date(2019, 3, 31))
    assert "1.4" not in second.text


def test_the_plan_accepts_a_mapping_too():
    result = understand("1.4 on track", context=[], plan=BY_REF, today=TODAY)
    assert [str(update.ref) for update in result.updates] == ["1.4"]


def test_no_reference_and_several_actions_asks_which():
    result = read("on track", ["1.4", "1.13"])
    assert result.clarify and result.updates == ()
    assert set(result.candidates) == {ActionRef(1, 4), ActionRef(1, 13)}


def test_the_words_of_one_action_pick_it():
    result = read("Homeless leaflet done", ["8.1", "8.2"])
    assert [str(update.ref) for update in result.updates] == ["8.1"]


def test_no_context_and_no_reference_asks_with_the_likely_actions():
    result = read("The homeless leaflet is done")
    assert result.clarify
    assert result.candidates[0] == ActionRef(8, 1)


def test_an_action_the_plan_lacks_is_named_in_a_warning():
    result = read("1.31 complete", ["1.4"])
    assert result.clarify and result.updates == ()
    assert [w.kind for w in result.warnings] == ["unknown_action"]
    assert "1.31" in result.warnings[0]


def test_green_past_the_timescale_is_flagged():
    (update,) = read("on track", ["8.2"]).updates
    assert update.rag is Rag.GREEN
    assert update.notes == ("Green but 10 days past its timescale — Amber?",)


def test_a_revised_timescale_means_at_least_amber():
    (update,) = read("should be done by 28/02/19", ["1.4"]).updates
    assert (update.rag, update.revised_timescale) == (Rag.AMBER, date(2019, 2, 28))
    assert update.notes


def test_an_explicit_rating_stands_with_a_revised_timescale():
    (update,) = read("RAG green, new date 28/02/19", ["1.4"]).updates
    assert (update.rag, update.revised_timescale) == (Rag.GREEN, date(2019, 2, 28))


def test_completed_without_evidence_is_pending():
    (update,) = read("Done", ["1.4"]).updates
    assert (update.rag, update.evidence, update.evidence_pending) == (Rag.COMPLETED, None, True)
    (update,) = read("Done", ["1.4"], files=2).updates
    assert (update.evidence, update.evidence_pending) == ("attached file", False)


def test_child_data_is_warned_of_gently():
    result = read("Child A's review done", ["1.4"])
    assert [w.kind for w in result.warnings] == ["child_data"]
    assert "never needs" in result.warnings[0]


def test_empty_text_is_understood_as_nothing():
    assert read("   ", ["1.4"]) == Understanding((), False, (), ())


def test_as_json():
    result = read(
        "1.4 slipped to April 2019, see https://x.test/a. 1.13 no update", ["1.4", "1.13"]
    )
    assert as_json(result) == {
        "updates": [
            {
                "action": "1.4",
                "rag": "amber",
                "revised_timescale": "2019-04-30",
                "evidence": True,
                "text": "1.4 slipped to April 2019, see https://x.test/a",
            },
            {
                "action": "1.13",
                "rag": None,
                "revised_timescale": None,
                "evidence": False,
                "text": "1.13 no update",
            },
        ],
        "clarify": False,
        "warnings": [],
    }


def test_as_json_when_asking():
    assert as_json(read("on track", ["1.4", "1.13"])) == {
        "updates": [],
        "clarify": True,
        "warnings": [],
    }
