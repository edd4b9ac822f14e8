"""Each action's record (added, closed) and the frozen month tallies through planbot's workbook."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.plan.history import FrozenMonthRecord, PlanArchive
from bot.plan.rag import Rag
from bot.plan.specs import ActionSpec, PlanSpec, PrioritySpec
from bot.plan.tallies import TRACKER_ROWS, Tally
from bot.spreadsheet import (
    ACTIONS_SHEET,
    PLAN_SHEET,
    TRACKER_SHEET,
    ImportRejected,
    RowProblem,
    read_plan_table,
    write_workbook,
)

LOADED = datetime(2018, 10, 31, 12, tzinfo=UTC)
ADDED = datetime(2018, 12, 3, 10, 15, 7, 250000, tzinfo=UTC)
CLOSED = datetime(2019, 1, 7, 9, 30, tzinfo=UTC)
NOV_END = datetime(2018, 12, 1, 0, 0, 2, 500, tzinfo=UTC)
DEC_END = datetime(2019, 1, 1, 0, 0, 1, tzinfo=UTC)


def plan() -> PlanSpec:
    return PlanSpec(
        name="Small plan",
        sections={"plan": "Plan"},
        priorities=[
            PrioritySpec(
                number=1,
                section="plan",
                recommendation="Know the front door",
                actions=[
                    ActionSpec(
                        "1.1", "Review the front door", ["Service Manager"], created_at=LOADED
                    ),
                    ActionSpec(
                        "1.2",
                        "Audit thresholds",
                        ["Head of Service"],
                        rag=Rag.AMBER,
                        created_at=LOADED,
                        closed_at=CLOSED,
                        closed_by="U0CHAIR01",
                        closed_reason="Superseded by 1.3",
                    ),
                    ActionSpec(
                        "1.3",
                        "Audit thresholds and step-downs",
                        ["Head of Service"],
                        is_new=True,
                        created_at=ADDED,
                        created_by="U0CHAIR01",
                    ),
                ],
            ),
            PrioritySpec(
                number=2,
                section="plan",
                recommendation="Plan for permanence",
                actions=[
                    ActionSpec(
                        "2.1",
                        "Track permanence",
                        ["Head of LAC"],
                        created_at=LOADED,
                        created_by="cli",
                    )
                ],
            ),
        ],
    )


def frozen() -> list[FrozenMonthRecord]:
    return [
        FrozenMonthRecord("2018-11", 1, Tally(0, 1, 0, 0, 1, 0, 2), NOV_END),
        FrozenMonthRecord("2018-11", 2, Tally(0, 0, 0, 0, 1, 0, 1), NOV_END),
        FrozenMonthRecord("2018-12", 1, Tally(0, 1, 0, 0, 2, 1, 3), DEC_END),
        FrozenMonthRecord("2018-12", 2, Tally(0, 0, 0, 0, 1, 0, 1), DEC_END),
    ]


def archive() -> PlanArchive:
    return PlanArchive(plan(), updates=[], frozen_months=frozen())


def rejected(path: Path) -> list[RowProblem]:
    with pytest.raises(ImportRejected) as caught:
        read_plan_table(path)
    return caught.value.problems


def test_records_and_frozen_months_come_back_exactly(tmp_path: Path) -> None:
    written = archive()

    back = read_plan_table(write_workbook(tmp_path / "plan.xlsx", written))

    assert back == written
    assert back.spec.actions[1].closed_at == CLOSED and back.spec.actions[2].created_at == ADDED
    assert back.frozen_months == frozen()  # microseconds and all
    assert "action_records" not in back.lacks


def test_the_workbook_shows_them_apart_from_the_live_tallies(tmp_path: Path) -> None:
    book = load_workbook(write_workbook(tmp_path / "plan.xlsx", archive()))

    records = list(book[ACTIONS_SHEET].iter_rows(values_only=True))
    assert records[0] == (
        "Action",
        "Added",
        "Added by",
        "Closed",
        "Closed by",
        "Closed reason",
    )
    assert records[2] == (
        "1.2",
        LOADED.isoformat(),
        None,
        CLOSED.isoformat(),
        "U0CHAIR01",
        "Superseded by 1.3",
    )
    # A closed action stays in the plan's own layout, struck through, with a note.
    closed = book[PLAN_SHEET]["C3"]
    assert closed.value == "1.2 Audit thresholds" and closed.font.strike
    assert "Superseded by 1.3" in closed.comment.text
    assert not book[PLAN_SHEET]["C2"].font.strike

    tracker = list(book[TRACKER_SHEET].iter_rows(values_only=True))
    assert tracker[1][:4] == ("Now", 1, 2, "All")  # the live tallies, as before
    assert [row[0] for row in tracker[2:9]] == list(TRACKER_ROWS)
    assert tracker[10][0] == "Frozen months"
    assert tracker[11] == (
        "Month",
        "Priority",
        "Red",
        "Amber",
        "Green",
        "Completed",
        "Not yet rated",
        "New Actions",
        "Total",
        "Frozen at",
    )
    assert tracker[12] == ("2018-11", 1, 0, 1, 0, 0, 1, 0, 2, NOV_END.isoformat())
    assert len(tracker) == 16


def test_frozen_months_go_below_a_by_month_block(tmp_path: Path) -> None:
    by_month = [("NOV 2018", [0, 1, 0, 0, 2, 0, 3])]
    path = write_workbook(tmp_path / "plan.xlsx", archive(), by_month)

    tracker = list(load_workbook(path)[TRACKER_SHEET].iter_rows(values_only=True))
    assert tracker[10][:2] == ("By month", "NOV 2018")
    assert tracker[19][0] == "Frozen months"
    assert read_plan_table(path).frozen_months == frozen()  # the live block is not read


def test_no_frozen_months_and_none_frozen_yet_read_back_apart(tmp_path: Path) -> None:
    bare = PlanArchive(plan())
    empty = PlanArchive(plan(), frozen_months=[])

    bare_path = write_workbook(tmp_path / "bare.xlsx", bare)
    empty_path = write_workbook(tmp_path / "empty.xlsx", empty)

    assert read_plan_table(bare_path).frozen_months is None
    assert read_plan_table(empty_path).frozen_months == []
    column_a = [
        row[0] for row in load_workbook(bare_path)[TRACKER_SHEET].iter_rows(values_only=True)
    ]
    assert "Frozen months" not in column_a


def test_an_older_workbook_carries_no_records_and_no_frozen_months(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "plan.xlsx", archive())
    book = load_workbook(path)
    del book[ACTIONS_SHEET]
    book[TRACKER_SHEET].delete_rows(11, 10)  # as exported before the frozen months were written
    book.save(path)

    back = read_plan_table(path)

    assert "action_records" in back.lacks
    assert not any(action.has_record for action in back.spec.actions)
    assert back.spec.actions[1].closed_at is None and back.frozen_months is None


def test_a_month_may_be_written_as_the_tracker_heads_it_or_as_a_date(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "plan.xlsx", archive())
    book = load_workbook(path)
    book[TRACKER_SHEET]["A13"] = "NOV 2018"
    book[TRACKER_SHEET]["A14"] = datetime(2018, 11, 1)
    book[TRACKER_SHEET]["A15"] = "December 2018"
    book.save(path)

    assert read_plan_table(path).frozen_months == frozen()


def test_bad_record_rows_are_named(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "plan.xlsx", archive())
    book = load_workbook(path)
    sheet = book[ACTIONS_SHEET]
    sheet["D2"], sheet["E2"] = None, "U0CHAIR01"  # closed by, but not closed
    sheet["A5"] = "1.1"  # listed twice
    sheet.append(["9.9", LOADED.isoformat()])
    sheet["B3"] = "yesterday"
    book.save(path)

    assert rejected(path) == [
        RowProblem(
            2,
            "Closed",
            "the Closed date and time is empty but the Closed by is not: a closed action has "
            "the date and time it was closed (write it as 2019-03-31T09:00:00+00:00); leave all "
            "three empty for an open action",
            ACTIONS_SHEET,
        ),
        RowProblem(
            3,
            "Added",
            "'yesterday' is not a date and time (write it as 2019-03-31T09:00:00+00:00)",
            ACTIONS_SHEET,
        ),
        RowProblem(5, "Action", "action 1.1 is listed twice (first on row 2)", ACTIONS_SHEET),
        RowProblem(6, "Action", "'9.9' is not an action of this plan", ACTIONS_SHEET),
    ]


def test_bad_frozen_month_rows_are_named_by_their_row_in_the_tracker(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "plan.xlsx", archive())
    book = load_workbook(path)
    tracker = book[TRACKER_SHEET]
    tracker["A13"] = "Smarch 2018"
    tracker["C14"] = -1
    tracker["D15"] = None
    tracker["B16"] = 1  # 2018-12's priority 1 again
    tracker["J16"] = None
    book.save(path)

    assert rejected(path) == [
        RowProblem(13, "Month", "'Smarch 2018' is not a month; write it as 2018-11", TRACKER_SHEET),
        RowProblem(
            14,
            "Red",
            "'-1' is not a number of actions (a whole number, 0 or more)",
            TRACKER_SHEET,
        ),
        RowProblem(15, "Amber", "the number of actions is empty; write 0 for none", TRACKER_SHEET),
        RowProblem(
            16,
            "Frozen at",
            "no date and time: write it as 2019-03-31T09:00:00+00:00",
            TRACKER_SHEET,
        ),
        RowProblem(
            16,
            "Priority",
            "priority 1 of 2018-12 is listed twice (first on row 15)",
            TRACKER_SHEET,
        ),
    ]


def test_a_frozen_table_without_its_headings_is_refused(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "plan.xlsx", archive())
    book = load_workbook(path)
    book[TRACKER_SHEET]["J12"] = None
    book.save(path)

    assert rejected(path) == [
        RowProblem(
            12,
            None,
            "the heading row needs the headings Month, Priority, Red, Amber, Green, Completed, "
            "Not yet rated, New Actions, Total, Frozen at (missing: Frozen at)",
            TRACKER_SHEET,
        )
    ]
