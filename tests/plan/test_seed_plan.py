"""The bundled seed plan is a faithful transcription of ../shared/seed/000_5dad8e1a6bb989e3.txt."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.plan.rag import Rag

ACTIONS_PER_PRIORITY = {
    1: 16,
    2: 8,
    3: 8,
    4: 6,
    5: 10,
    6: 6,
    7: 6,
    8: 3,
    9: 10,
    10: 3,
    11: 2,
    12: 3,
    13: 4,
    14: 4,
    15: 4,
}
# Priority -> the Ofsted recommendation it answers ("Ref: Ofsted Recommendation M").
OFSTED = {
    1: 1,
    2: 2,
    3: 6,
    4: 7,
    5: 8,
    6: 11,
    7: 9,
    8: 10,
    9: 12,
    10: 13,
    11: 14,
    12: 15,
    13: 3,
    14: 4,
    15: 5,
}
SECTIONS = {
    **dict.fromkeys(range(1, 7), "help_and_protection"),
    # The "2. CHILDREN LOOKED AFTER AND ACHIEVING PERMANENCE" heading stands before Priority 7.
    **dict.fromkeys(range(7, 13), "looked_after"),
    **dict.fromkeys(range(13, 16), "leadership"),
}


def test_counts(seed_spec):
    assert {p.number: len(p.actions) for p in seed_spec.priorities} == ACTIONS_PER_PRIORITY
    assert len(seed_spec.actions) == 93
    assert seed_spec.actions[0].id == "1.1" and seed_spec.actions[-1].id == "15.4"


def test_action_numbers_run_without_gaps(seed_spec):
    for priority in seed_spec.priorities:
        assert [a.ref.number for a in priority.actions] == list(range(1, len(priority.actions) + 1))


def test_ofsted_mapping_and_sections(seed_spec):
    assert {p.number: p.ofsted_recommendation for p in seed_spec.priorities} == OFSTED
    assert {p.number: p.section for p in seed_spec.priorities} == SECTIONS
    assert sorted(OFSTED.values()) == list(range(1, 16))


def test_plan_header(seed_spec):
    assert seed_spec.name == "Together for Children Learning and Improvement Plan 2018"
    assert seed_spec.progress_as_of == datetime(2018, 10, 31, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("ref", "leads", "timescale"),
    [
        ("1.1", ["Director of Quality Assurance & Performance"], date(2018, 9, 1)),
        ("1.4", ["Service Manager - ICRT"], date(2018, 12, 31)),
        ("1.5", ["Northumbria Police Safeguarding MASH Manager"], date(2019, 5, 31)),
        ("2.6", ["ICRT Manager", "MSET Co-ordinator"], date(2019, 3, 31)),
        (
            "4.1",
            ["Service Manager", "Principal Social Worker"],
            date(2019, 3, 31),
        ),  # "Service Manager & Principal Social Worker"
        ("7.2", ["Service Manager - CP"], date(2019, 3, 31)),  # Cyrillic "СР" in the seed
        (
            "9.1",
            ["Director of Children's Social Care"],
            date(2019, 3, 31),
        ),  # seed repeats it as 31/03/13
        (
            "13.2",
            ["CEO of TfC", "Head of Contractual Relationships in Sunderland Council"],
            date(2019, 1, 31),
        ),
        ("14.1", ["Workforce Development Manager", "SSCB Workforce Lead"], date(2020, 3, 31)),
        ("15.4", ["Director of Children's Social Care"], date(2018, 12, 31)),
    ],
)
def test_spot_checks(seed_spec, ref, leads, timescale):
    action = next(a for a in seed_spec.actions if a.id == ref)
    assert action.leads == leads
    assert action.timescale == timescale


@pytest.mark.parametrize(
    ("ref", "leads", "timescale"),
    [
        # Source line 355 prints one lead cell, cut off as "Service Manager -", beside 5.1 and 5.2.
        ("5.1", ["Service Manager - ICRT"], date(2019, 3, 31)),
        ("5.2", [], None),
        # Source line 356's lead cell, "Service Manager - ICRT Service Manager - ICRT Principal
        # Social Worker", and its dates 30/09/18 30/11/18 31/03/19: one each for 5.3, 5.4, 5.5.
        ("5.3", ["Service Manager - ICRT"], date(2018, 9, 30)),
        ("5.4", ["Service Manager - ICRT"], date(2018, 11, 30)),
        ("5.5", ["Principal Social Worker"], date(2019, 3, 31)),
    ],
)
def test_merged_row_5_1_to_5_5(seed_spec, ref, leads, timescale):
    action = next(a for a in seed_spec.actions if a.id == ref)
    assert (action.leads, action.timescale) == (leads, timescale)
    assert action.note and "Merged row (5.1-5.5)" in action.note


def test_merged_row_notes_say_what_the_seed_prints(seed_spec):
    actions = {a.id: a for a in seed_spec.actions}
    cell = "Service Manager - ICRT Service Manager - ICRT Principal Social Worker"
    priority5 = seed_spec.priorities[4]
    assert cell in " ".join(priority5.note.split())
    assert "4 leads and 4 dates" in priority5.note
    assert '"Service Manager -"' in actions["5.1"].note  # the cut-off cell, flagged
    for ref in ("5.3", "5.4"):
        assert cell in " ".join(actions[ref].note.split())
    assert "no lead" not in actions["5.4"].note.lower()


def test_only_5_2_lacks_a_lead(seed_spec):
    assert [a.id for a in seed_spec.actions if not a.leads] == ["5.2"]


def test_missing_timescales_are_kept_missing_and_flagged(seed_spec):
    missing = {a.id: a for a in seed_spec.actions if a.timescale is None}
    assert set(missing) == {"5.2", "10.2"}
    assert all(a.note and a.timescale_as_written is None for a in missing.values())


def test_garbled_date_is_explained(seed_spec):
    action = next(a for a in seed_spec.actions if a.id == "9.1")
    assert "31/03/13" in action.note


def test_dates_match_what_the_seed_wrote(seed_spec):
    for action in seed_spec.actions:
        if action.timescale:
            assert action.timescale.strftime("%d/%m/%y") == action.timescale_as_written, action.id


def test_progress_texts(seed_spec):
    actions = {a.id: a for a in seed_spec.actions}
    assert actions["1.1"].progress.startswith(
        "Independent review of ICRT and repeat contacts concluded."
    )
    assert "took place on 01/10/18" in actions["1.3"].progress
    assert "signed off by mid-November" in actions["13.2"].progress
    assert actions["1.5"].progress is None  # the seed's cell is empty
    assert "\n\n" in actions["1.4"].progress  # two paragraphs in the seed's cell
    assert "regress" not in (actions["11.1"].progress or "")  # OCR noise dropped


def test_roles_are_clean(seed_spec):
    roles = {lead for action in seed_spec.actions for lead in action.leads}
    assert not [r for r in roles if "–" in r or "  " in r or r != r.strip()]
    assert "MSET Coordinator" not in roles  # dash variant normalised to "MSET Co-ordinator"
    assert {
        "Service Manager - ICRT",
        "Director of Children's Social Care",
        "Chair of SSCB",
    } <= roles


def test_no_rag_and_no_new_actions_in_the_seed(seed_spec):
    assert {a.rag for a in seed_spec.actions} == {Rag.UNRATED}
    assert not any(a.is_new for a in seed_spec.actions)


# (KPIs, quality measures) per priority, counted in the seed with wrapped lines rejoined.
MEASURES = {
    1: (7, 5),
    2: (2, 3),
    3: (3, 5),
    4: (0, 2),
    5: (2, 5),
    6: (1, 3),
    7: (3, 1),
    8: (0, 1),
    9: (3, 6),
    10: (0, 2),
    11: (0, 2),
    12: (2, 2),
    13: (0, 1),
    14: (0, 1),
    15: (5, 4),
}


def test_every_priority_has_its_measures(seed_spec):
    assert {
        p.number: (len(p.kpis), len(p.quality_measures)) for p in seed_spec.priorities
    } == MEASURES
    by_number = {p.number: p for p in seed_spec.priorities}
    # A KPI wrapped over two lines in the seed, rejoined.
    assert by_number[15].kpis[0].name == (
        "% of social worker open cases that have had a supervision discussion recorded within 9 weeks of the previous one"
    )
    assert (
        by_number[7]
        .quality_measures[0]
        .name.endswith("applications are timely and of good quality")
    )
    assert (
        by_number[6].quality_measures[2].name
        == "Increased notifications of private fostering arrangements"
    )


def test_all_43_quality_measures(seed_spec):
    assert sum(len(p.quality_measures) for p in seed_spec.priorities) == 43
    fourth = seed_spec.priorities[14].quality_measures[3]
    # The seed's last line; its Current Quality Assurance Rating cell is empty.
    assert fourth.name == (
        "Feedback from children and young people and their families is being responded to"
    )
    assert fourth.current is None


# Actions whose text in the seed ends with a full stop after the paragraph refs, as in
# "1.1 Commission an independent review of ICRT (21) (78).": the refs go, the full stop stays.
FULL_STOP_AFTER_REFS = [
    "1.1",
    "1.12",
    "1.13",
    "2.1",
    "2.2",
    "3.1",
    "3.5",
    "9.1",
    "9.5",
    "9.8",
    "9.9",
    "10.1",
    "12.1",
    "12.2",
    "13.1",
    "14.1",
    "14.2",
    "15.4",
]
# Actions whose text in the seed has no full stop at the end (e.g. "practices (79)").
NO_FULL_STOP_IN_SEED = {
    *("1.2", "1.4", "1.5", "1.6", "1.7", "1.10", "2.7", "3.7", "4.4", "4.5", "5.3"),
    *("5.4", "5.5", "5.6", "5.7", "5.8", "6.3", "6.6", "9.6", "11.2", "15.1", "15.3"),
}


def test_trailing_full_stops_survive_the_paragraph_refs(seed_spec):
    actions = {a.id: a for a in seed_spec.actions}
    assert all(actions[ref].paragraph_refs for ref in FULL_STOP_AFTER_REFS)
    assert [ref for ref in FULL_STOP_AFTER_REFS if not actions[ref].text.endswith(".")] == []
    assert actions["1.1"].text == "Commission an independent review of ICRT."


def test_every_action_ends_as_the_seed_does(seed_spec):
    assert {a.id for a in seed_spec.actions if not a.text.endswith(".")} == NO_FULL_STOP_IN_SEED
    assert not [a.id for a in seed_spec.actions if a.text.endswith((")", ". ", ".."))]


def test_measures(seed_spec):
    priority1 = seed_spec.priorities[0]
    assert len(priority1.kpis) == 7 and len(priority1.quality_measures) == 5
    assert priority1.kpis[0].name == "% of all contacts that have received a decision within 24 hrs"
    assert priority1.paragraph_refs == [21, 23, 78]
    assert all(m.current is None for p in seed_spec.priorities for m in p.kpis)
