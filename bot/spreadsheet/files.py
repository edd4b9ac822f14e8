"""Opening an .xlsx or .csv file as rows of cells: the plan table, and planbot's other sheets."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from bot.spreadsheet.formulas import unguard_formula
from bot.spreadsheet.headings import HEADING_ROWS, detect, heading_key
from bot.spreadsheet.problems import ImportRejected, RowProblem
from bot.spreadsheet.sheets import EXTRA_SHEETS, PLAN_SHEET

SUPPORTED = ".xlsx (Excel workbook) or .csv (UTF-8, comma- or semicolon-separated)"


@dataclass
class Book:
    """A file's cells, row by row."""

    rows: list[list[object]]  # the plan table
    sheets: dict[str, list[list[object]]] = field(default_factory=dict)  # planbot's other sheets


def read_csv(path: Path, source: str, column_map: dict[str, str]) -> Book:
    """A CSV's rows (UTF-8 or Windows-1252, "," or ";"), each cell as write_csv had it."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")  # Excel's plain "CSV (Comma delimited)" on Windows
        except UnicodeDecodeError:
            raise ImportRejected(
                source,
                [
                    RowProblem(
                        None,
                        None,
                        (
                            "the file is not UTF-8 text; in Excel, save it as CSV UTF-8 (Comma delimited)"
                        ),
                    )
                ],
            ) from None
    if not text.strip():
        raise ImportRejected(source, [RowProblem(None, None, "the file is empty")])
    # A comma or a semicolon (Excel's CSV where the comma is the decimal mark): take the one
    # under which more headings are found.
    wanted = {heading_key(column) for column in column_map}
    best: tuple[int, list[list[object]]] | None = None
    for delimiter in (",", ";"):
        rows: list[list[object]] = [
            [unguard_formula(cell) for cell in row]
            for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        ]
        top = rows[:HEADING_ROWS]
        score = max(
            (100 * len(wanted & {heading_key(c) for c in r}) + len(detect(r)) for r in top),
            default=0,
        )
        if best is None or score > best[0]:
            best = (score, rows)
    assert best is not None
    return Book(best[1])


def read_xlsx(path: Path, source: str) -> Book:
    """A workbook's plan table (its "Plan" sheet, or the first with a header row) and other sheets."""
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportRejected(
            source,
            [
                RowProblem(
                    None,
                    None,
                    (
                        f"not a readable .xlsx workbook ({exc.__class__.__name__}); open it in Excel and save it "
                        "again as Excel Workbook (.xlsx)"
                    ),
                )
            ],
        ) from None
    try:
        sheets: dict[str, list[list[object]]] = {}
        for sheet in book.worksheets:
            sheet.reset_dimensions()  # some writers record a wrong used range
            sheets[sheet.title] = [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    by_title = {title.casefold(): title for title in sheets}
    plan_title = by_title.get(PLAN_SHEET.casefold())
    if plan_title is None:
        # Not a planbot export: the first sheet with a header row holds the plan.
        plan_title = next(
            (
                t
                for t, rows in sheets.items()
                if any(len(detect(r)) > 1 for r in rows[:HEADING_ROWS])
            ),
            next(iter(sheets), None),
        )
    extras = {
        name: sheets[by_title[name.casefold()]]
        for name in EXTRA_SHEETS
        if name.casefold() in by_title
    }
    return Book(sheets.get(plan_title, []) if plan_title else [], extras)
