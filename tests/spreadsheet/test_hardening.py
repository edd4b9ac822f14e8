"""Hostile files (issue 7): every odd file gets a clear report, nothing is truncated or invented,
and a failed write never leaves a broken file behind."""

from __future__ import annotations

import copy
import csv
import errno
import functools
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from bot.plan.history import PlanArchive, UpdateRecord
from bot.plan.plan_file import load_bundled_plan
from bot.plan.specs import CELL_TEXT_LIMIT, ActionSpec, PlanSpec, PrioritySpec
from bot.spreadsheet import (
    HISTORY_SHEET,
    ImportRejected,
    TextTooLong,
    read_plan_table,
    write_csv,
    write_workbook,
)

seed_plan = functools.cache(load_bundled_plan)
HEADINGS = ["Ref", "Action", "Lead", "Timescale", "Progress Update", "RAG"]


def write_rows(path: Path, rows: list[list[object]], delimiter: str = ",") -> Path:
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file, delimiter=delimiter).writerows(rows)
    return path


def rejected(path: Path, column_map: dict[str, str] | None = None) -> ImportRejected:
    with pytest.raises(ImportRejected) as caught:
        read_plan_table(path, column_map)
    return caught.value


def one_action(text: str, action_id: str = "1.1") -> PlanArchive:
    return PlanArchive(
        PlanSpec(
            name="Long",
            sections={"plan": "Plan"},
            priorities=[
                PrioritySpec(
                    number=int(action_id.split(".")[0]),
                    section="plan",
                    recommendation="Priority 1",
                    actions=[ActionSpec(id=action_id, text=text, leads=["Head of CP"])],
                )
            ],
        )
    )


# --- Item 4: lead roles that differ only in case, dashes or spaces -----------------------------


def test_lead_roles_differing_in_case_dashes_or_spaces_are_merged(tmp_path: Path) -> None:
    path = write_rows(
        tmp_path / "plan.csv",
        [
            HEADINGS,
            ["1.1", "One", "Head of CP", "", "", ""],
            ["1.2", "Two", "head of cp", "", "", ""],
            ["1.3", "Three", "Head-of-CP", "", "", ""],
            ["1.4", "Four", "Head of CP –", "", "", ""],
            ["1.5", "Five", "Head of  CP -  ", "", "", ""],
        ],
    )

    read = read_plan_table(path)

    assert [a.leads for a in read.spec.actions] == [["Head of CP"]] * 5
    assert read.merged_roles == {"Head of CP": ["head of cp", "Head-of-CP"]}


def test_a_leads_sheet_finds_a_role_spelt_another_way(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "plan.xlsx", one_action("Do it"))
    book = load_workbook(path)
    sheet = book.create_sheet("Leads")
    sheet.append(["Role", "Slack user", "Deputy"])
    sheet.append(["HEAD-OF-CP", "U0ABCDEF1", ""])
    book.save(path)

    assert [(lead.role, lead.user_id) for lead in read_plan_table(path).leads or []] == [
        ("Head of CP", "U0ABCDEF1")
    ]


# --- Item 5: an unterminated quote -------------------------------------------------------------


def test_a_csv_with_an_unterminated_quote_is_rejected_naming_its_row(tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    path.write_text(
        'Ref,Action,Lead\n1.1,Do it,Owner\n1.2,"Do the second thing,Owner\n1.3,Third,Owner\n'
        "1.4,Fourth,Owner\n",
        encoding="utf-8",
    )

    [problem] = rejected(path).problems

    assert problem.row == 3
    assert "quote" in problem.message and "never closed" in problem.message


def test_quoted_line_breaks_are_still_fine(tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    path.write_text('Ref,Action,Lead\n1.1,"Two\nlines",Owner\n1.2,Next,Owner\n', encoding="utf-8")

    assert [a.text for a in read_plan_table(path).spec.actions] == ["Two\nlines", "Next"]


# --- Item 6: a field over the csv module's limit ------------------------------------------------


def test_a_csv_field_over_131072_characters_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    path = write_rows(
        tmp_path / "plan.csv", [HEADINGS, ["1.1", "Fine", "", "", "", ""], ["1.2", "x" * 140_000]]
    )

    [problem] = rejected(path).problems

    assert problem.row == 3 and "131,072" in problem.message


# --- Item 9: writes go to a temporary file, then replace the old one ----------------------------


def _fail_half_way(monkeypatch: pytest.MonkeyPatch) -> None:
    def save(self, filename):  # writes part of the file, then the disk is full
        Path(filename).write_bytes(b"PK\x03\x04 half a workbook")
        raise OSError(errno.ENOSPC, "No space left on device", str(filename))

    monkeypatch.setattr(Workbook, "save", save)


def test_a_failed_workbook_write_keeps_the_previous_file(tmp_path, monkeypatch) -> None:
    path = write_workbook(tmp_path / "plan.xlsx", one_action("Old"))
    before = path.read_bytes()
    _fail_half_way(monkeypatch)

    with pytest.raises(OSError, match="No space left"):
        write_workbook(path, one_action("New"))

    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.xlsx"]


def test_a_failed_csv_write_keeps_the_previous_file(tmp_path, monkeypatch) -> None:
    path = write_csv(tmp_path / "plan.csv", one_action("Old").spec)
    before = path.read_bytes()
    real_writer = csv.writer

    class Full:
        def __init__(self, file, **kwargs):
            self.inner, self.rows = real_writer(file, **kwargs), 0

        def writerow(self, row):
            self.rows += 1
            if self.rows > 1:
                raise OSError(errno.ENOSPC, "No space left on device")
            self.inner.writerow(row)

    monkeypatch.setattr("bot.spreadsheet.csv_export.csv.writer", Full)

    with pytest.raises(OSError, match="No space left"):
        write_csv(path, one_action("New").spec)

    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.csv"]


def test_a_new_file_is_not_left_half_written(tmp_path, monkeypatch) -> None:
    _fail_half_way(monkeypatch)

    with pytest.raises(OSError):
        write_workbook(tmp_path / "plan.xlsx", one_action("New"))

    assert list(tmp_path.iterdir()) == []


# --- Item 10: a cell holds at most 32,767 characters --------------------------------------------


def test_the_cell_limit_is_excels() -> None:
    assert CELL_TEXT_LIMIT == 32_767


def test_a_text_longer_than_a_cell_is_refused_at_import(tmp_path: Path) -> None:
    path = write_rows(
        tmp_path / "plan.csv",
        [HEADINGS, ["1.1", "Fine", "", "", "p" * (CELL_TEXT_LIMIT + 1), ""]],
    )

    [problem] = rejected(path).problems

    assert (problem.row, problem.column) == (2, "Progress Update")
    assert "32,768 characters" in problem.message and "32,767" in problem.message


def test_an_action_text_must_fit_its_cell_with_its_number_in_front(tmp_path: Path) -> None:
    fits = "a" * (CELL_TEXT_LIMIT - len("1.1 "))
    path = write_rows(tmp_path / "plan.csv", [HEADINGS, ["1.1", fits + "a", "", "", "", ""]])

    [problem] = rejected(path).problems

    assert problem.column == "Action" and "'1.1 '" in problem.message
    write_rows(path, [HEADINGS, ["1.1", fits, "", "", "", ""]])
    assert read_plan_table(path).spec.actions[0].text == fits


def test_the_longest_action_round_trips_without_losing_a_character(tmp_path: Path) -> None:
    text = "a" * (CELL_TEXT_LIMIT - len("1.1 "))
    path = tmp_path / "plan.xlsx"
    archive = one_action(text)
    for _ in range(3):
        write_workbook(path, archive)
        archive = read_plan_table(path)
    assert archive.spec.actions[0].text == text


def test_export_refuses_a_text_a_cell_cannot_hold_instead_of_truncating(tmp_path: Path) -> None:
    with pytest.raises(TextTooLong, match=r"action 1\.1.*32,767"):
        write_workbook(tmp_path / "plan.xlsx", one_action("a" * CELL_TEXT_LIMIT))
    assert list(tmp_path.iterdir()) == []


# --- Item 12: odd cells and odd files -----------------------------------------------------------


def test_control_characters_are_stripped_but_line_breaks_and_tabs_kept(tmp_path: Path) -> None:
    path = write_rows(
        tmp_path / "plan.csv",
        [HEADINGS, ["1.1", "Do \x1b[31mit\x07\x00 now\x9b", "Own\x1ber", "", "a\n\tb\x0c", ""]],
    )

    [action] = read_plan_table(path).spec.actions

    assert (action.text, action.leads, action.progress) == ("Do [31mit now", ["Owner"], "a\n\tb")


@pytest.mark.parametrize(
    "error", ["#REF!", "#N/A", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!"]
)
def test_an_excel_error_value_is_a_bad_row(tmp_path: Path, error: str) -> None:
    path = write_rows(tmp_path / "plan.csv", [HEADINGS, ["1.1", "Do it", error, "", "", ""]])

    [problem] = rejected(path).problems

    assert (problem.row, problem.column) == (2, "Lead")
    assert error in problem.message and "Excel error" in problem.message


def test_an_excel_error_cell_in_a_workbook_is_a_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    book = Workbook()
    book.active.append(HEADINGS)
    book.active.append(["1.1", "Do it", "Owner", "", "=1/0", ""])
    book.save(path)
    # openpyxl does not compute formulas: write the cached error value Excel would have saved.
    book = load_workbook(path)
    book.active["E2"].value = "#DIV/0!"
    book.active["E2"].data_type = "e"
    book.save(path)

    [problem] = rejected(path).problems

    assert problem.column == "Progress Update" and "#DIV/0!" in problem.message


def test_a_date_in_the_lead_column_is_a_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    book = Workbook()
    book.active.append(HEADINGS)
    book.active.append(["1.1", "Do it", datetime(2019, 3, 31), "", "", ""])
    book.active.append(["1.2", "Do more", "31/03/2019", "", "", ""])
    book.save(path)

    problems = rejected(path).problems

    assert [(p.row, p.column) for p in problems] == [(2, "Lead"), (3, "Lead")]
    assert all("is a date, not a lead role" in p.message for p in problems)


def test_a_utf16_csv_is_read(tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    path.write_text("Ref,Action,Lead\n1.1,Café,Owner\n", encoding="utf-16")

    assert read_plan_table(path).spec.actions[0].text == "Café"


def test_a_tab_separated_file_is_read(tmp_path: Path) -> None:
    path = write_rows(
        tmp_path / "plan.csv", [HEADINGS, ["1.1", "Do, it", "Owner", "", "", "Red"]], "\t"
    )

    [action] = read_plan_table(path).spec.actions

    assert (action.text, action.leads) == ("Do, it", ["Owner"])


def test_a_workbook_named_csv_says_what_it_is(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "plan.xlsx", one_action("Do it")).rename(tmp_path / "p.csv")

    [problem] = rejected(path).problems

    assert "Excel workbook" in problem.message and ".xlsx" in problem.message


def test_a_binary_file_named_csv_says_so(tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    path.write_bytes(bytes(range(256)) * 4)

    [problem] = rejected(path).problems

    assert "not text" in problem.message


def test_naive_history_date_times_are_read_in_the_plans_time_zone(tmp_path: Path) -> None:
    archive = one_action("Do it")
    archive.updates = []
    path = write_workbook(tmp_path / "plan.xlsx", archive, timezone="Europe/London")
    book = load_workbook(path)
    book[HISTORY_SHEET].append(["1.1", "2019-07-01 09:00", None, "reply", "Summer"])
    book[HISTORY_SHEET].append(["1.1", datetime(2019, 12, 1, 9), None, "reply", "Winter"])
    note = book[HISTORY_SHEET]["B1"].comment.text
    book.save(path)

    updates = read_plan_table(path, timezone="Europe/London").updates or []

    assert [u.at for u in updates] == [
        datetime(2019, 7, 1, 8, tzinfo=UTC),
        datetime(2019, 12, 1, 9, tzinfo=UTC),
    ]
    assert "Europe/London" in note


@pytest.mark.parametrize(
    ("mapping", "field"),
    [
        ({"Num": "id", "Who": "owner", "When": "due"}, None),
        ({"Num": "ref", "Who": "lead", "When": "deadline"}, None),
    ],
)
def test_map_accepts_common_synonyms(tmp_path: Path, mapping: dict[str, str], field) -> None:
    path = write_rows(
        tmp_path / "plan.csv",
        [["Num", "Task", "Who", "When"], ["1.1", "Do it", "Owner", "31/03/2019"]],
    )

    [action] = read_plan_table(path, {"Task": "action", **mapping}).spec.actions

    assert (action.id, action.leads, action.timescale) == ("1.1", ["Owner"], date(2019, 3, 31))


def test_a_bad_map_field_lists_the_fields_and_synonyms(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "plan.csv", [HEADINGS, ["1.1", "Do it", "", "", "", ""]])

    [problem] = rejected(path, {"Lead": "boss"}).problems

    assert "valid fields: action_id" in problem.message and "owner (lead)" in problem.message


# --- Item 2: what a file carries ----------------------------------------------------------------


def test_a_csv_says_what_it_does_not_carry(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "plan.csv", copy.deepcopy(seed_plan()))

    lacks = read_plan_table(path).lacks

    assert {"about", "measures", "paragraph_refs", "is_new", "timescale_as_written"} <= lacks
    assert not {"progress", "rag", "leads", "timescale", "note"} & lacks


def test_planbot_workbook_lacks_nothing(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "plan.xlsx", PlanArchive(copy.deepcopy(seed_plan())))

    assert read_plan_table(path).lacks == frozenset()


# --- Item 11 (the reader's part): a hand-added history row is read as written -------------------


def test_a_hand_added_history_row_is_read(tmp_path: Path) -> None:
    archive = one_action("Do it")
    archive.spec.actions[0].progress = "Old"
    at = datetime(2019, 1, 1, tzinfo=UTC)
    archive.updates = [UpdateRecord("1.1", at, "Old", None, "import")]
    path = write_workbook(tmp_path / "plan.xlsx", archive)
    book = load_workbook(path)
    book[HISTORY_SHEET].append(["1.1", "2019-02-01T09:00:00+00:00", None, "reply", "Newer"])
    book.save(path)

    read = read_plan_table(path)

    assert [u.text for u in read.updates or []] == ["Old", "Newer"]
    assert read.spec.actions[0].progress == "Old"
