"""A broken plan file gets one report naming every problem; nothing is loaded from it."""

from __future__ import annotations

import pytest
import yaml

from bot.plan.plan_file import PlanFileError, bundled_plan_path, plan_from_data, read_plan_file
from bot.plan.specs import texts_too_long


def _plan(**priority) -> dict:
    base = {
        "number": 1,
        "section": "leadership",
        "recommendation": "Do better",
        "actions": [{"id": "1.1", "text": "Act"}],
    }
    return {"priorities": [{**base, **priority}]}


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"plan": "My plan", "priorities": []}, "`plan:` must be a mapping"),
        ({"sections": ["a"], "priorities": []}, "`sections:` must map keys to titles"),
        (
            _plan(ofsted_recommendation="nine"),
            "ofsted_recommendation 'nine' must be a whole number",
        ),
        (_plan(expected_outcomes="Children are safe"), "expected_outcomes must be a list"),
        (_plan(actions=[{"id": 1.1, "text": "Act"}]), "id 1.1 must be quoted"),
        (_plan(actions=[{"id": "one", "text": "Act"}]), "id 'one' is not an action number"),
        (_plan(actions=[{"id": "2.1", "text": "Act"}]), "action 2.1: listed under priority 1"),
        (
            _plan(actions=[{"id": "1.1", "text": "Act", "timescale": "31/03/2019"}]),
            "is not a date (write it as YYYY-MM-DD",
        ),
        (
            _plan(actions=[{"id": "1.1", "text": "Act", "rag": "purple"}]),
            "RAG 'purple' is not one of",
        ),
        (
            _plan(actions=[{"id": "1.1", "text": "A"}, {"id": "1.1", "text": "B"}]),
            "action 1.1: appears twice",
        ),
        (_plan(section="nowhere"), "section 'nowhere' is not one of"),
        ({"priorities": "none"}, "needs a top-level `priorities:` list"),
    ],
)
def test_problems_are_named(data, problem):
    with pytest.raises(PlanFileError) as raised:
        plan_from_data(data, source="plan.yaml")
    assert problem in str(raised.value)
    assert str(raised.value).startswith("plan.yaml cannot be loaded")


def test_all_problems_are_reported_at_once():
    data = _plan(ofsted_recommendation="nine", section="nowhere", actions=[{"id": "x"}])
    with pytest.raises(PlanFileError) as raised:
        plan_from_data(data)
    assert len(raised.value.problems) == 3


def test_unreadable_and_invalid_yaml(tmp_path):
    with pytest.raises(PlanFileError, match="cannot read the file"):
        read_plan_file(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("plan: {name: X}\npriorities: a: b\n")
    with pytest.raises(PlanFileError, match="not valid YAML") as raised:
        read_plan_file(bad)
    # The report quotes the line and points at the column, as the pure-Python parser does.
    assert "line 2, column 14:\n    priorities: a: b\n                 ^" in str(raised.value)


def test_an_impossible_date_is_a_problem_not_a_crash(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("plan: {name: X}\npriorities:\n  - number: 1\n    timescale: 2018-02-30\n")
    with pytest.raises(
        PlanFileError, match="2018-02-30 is not a date .day is out of range"
    ) as raised:
        read_plan_file(bad)
    assert "line 4, column 16:" in str(raised.value)  # where it is


@pytest.mark.parametrize(
    "text",
    ["number: !!int one\n", "number: 0b_\n", f"number: {'9' * 5000}\n", "[" * 5000 + "\n"],
)
def test_values_yaml_cannot_build_and_deep_nesting_are_problems_not_crashes(tmp_path, text):
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    with pytest.raises(PlanFileError, match="not valid YAML: "):
        read_plan_file(bad)


BOMB: list = ["x"]
for _ in range(9):
    BOMB = [BOMB] * 9  # what YAML aliases make: shared, so cheap, until printed (9**9 x's)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (_plan(actions=5), "priority 1: actions must be a list"),
        (_plan(kpis=5), "priority 1 KPIs must be a list"),
        (_plan(actions=[{"id": "1.1", "text": "Act", "rag": ["Red"]}]), "RAG ['Red'] is not one"),
        (_plan(section=["x"]), "section ['x'] is not one of"),
        (_plan(ofsted_recommendation=10**25), "ofsted_recommendation 1000"),
        (_plan(number=10**25), "`number` must be a whole number from 1 to 2,147,483,647"),
        (_plan(number=True), "`number` must be a whole number"),
        ({"plan": {"name": "Plan \ud800"}, **_plan()}, "plan.name: holds a character"),
        ({"plan": {"progress_as_of": 5}, **_plan()}, "plan.progress_as_of: 5 is not a date"),
        ({"plan": {"name": BOMB}, **_plan()}, "plan.name: must be text, not a list"),
        (_plan(actions=[{"id": "1.1", "text": "Act", "leads": [BOMB]}]), "lead: must be text"),
        (
            _plan(actions=[{"id": "1.1", "text": {"a": 1}}]),
            "action 1.1: must be text, not a mapping",
        ),
        (_plan(expected_outcomes=[BOMB]), "expected outcome: must be text, not a list"),
        (_plan(actions=[{"id": "1.1", "text": "Act", "timescale": BOMB}]), "is not a date"),
    ],
)
def test_values_of_the_wrong_kind_are_named_not_crashes(data, problem):
    with pytest.raises(PlanFileError) as raised:
        plan_from_data(data)
    assert problem in str(raised.value)
    assert len(str(raised.value)) < 1000  # a value behind aliases is quoted cut short


def test_texts_a_cell_cannot_hold_include_the_name_and_the_leads():
    spec = plan_from_data(
        {
            "plan": {"name": "n" * 40_000},
            **_plan(actions=[{"id": "1.1", "text": "Act", "leads": ["r" * 40_000]}]),
        }
    )
    found = texts_too_long(spec)
    assert any("the plan's name is 40,000" in f for f in found)
    assert any("action 1.1's leads is 40,000" in f for f in found)


def test_the_fast_parser_reads_the_seed_as_the_pure_python_one_does():
    text = bundled_plan_path().read_text(encoding="utf-8")
    assert yaml.load(text, Loader=yaml.CSafeLoader) == yaml.safe_load(text)  # noqa: S506


def test_a_good_minimal_plan():
    spec = plan_from_data(
        _plan(
            actions=[
                {"id": "1.1", "text": "Act", "leads": ["Service Manager – ICRT"], "rag": "Amber"}
            ]
        )
    )
    action = spec.actions[0]
    assert action.leads == ["Service Manager - ICRT"] and action.rag.value == "amber"
    assert spec.name == "Improvement plan"
