"""Opening an .xlsx or .csv file as rows of cells: the plan table, and planbot's other sheets."""

from __future__ import annotations

import codecs
import csv
import io
import os
import secrets
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from bot.plan.specs import CELL_TEXT_LIMIT
from bot.spreadsheet.formulas import unguard_formula
from bot.spreadsheet.headings import HEADING_ROWS, detect, heading_key
from bot.spreadsheet.problems import ImportRejected, RowProblem
from bot.spreadsheet.sheets import EXTRA_SHEETS, PLAN_SHEET

SUPPORTED = ".xlsx (Excel workbook) or .csv (UTF-8 or UTF-16; comma-, semicolon- or tab-separated)"


@dataclass
class Book:
    """A file's cells, row by row."""

    rows: list[list[object]]  # the plan table
    sheets: dict[str, list[list[object]]] = field(default_factory=dict)  # planbot's other sheets


def _decode(raw: bytes, source: str) -> str:
    """A CSV's text: UTF-8 (with or without a BOM), UTF-16 (Excel's "Unicode Text"), or
    Windows-1252; anything else is rejected saying what it looks like."""
    if raw.startswith(b"PK\x03\x04"):
        problem = "this is an Excel workbook, not CSV text: name it .xlsx and import that"
        raise ImportRejected(source, [RowProblem(None, None, problem)])
    # cp1252: Excel's plain "CSV (Comma delimited)" on Windows.
    encodings = ["utf-8-sig", "cp1252"]
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    elif raw[:4096].count(0) * 10 > len(raw[:4096]):
        # UTF-16 without its BOM puts a NUL beside every ASCII letter; many NULs elsewhere mean
        # the file is not text at all (a workbook in another format, an image...). A stray NUL
        # in a text is a control character like any other: reading leaves it out.
        sample = raw[:4096]
        if sample[1::2].count(0) * 2 > len(sample[1::2]):
            encodings = ["utf-16-le"]
        elif sample[0::2].count(0) * 2 > len(sample[0::2]):
            encodings = ["utf-16-be"]
        else:
            problem = f"the file is not text (it holds NUL bytes); save the plan as {SUPPORTED}"
            raise ImportRejected(source, [RowProblem(None, None, problem)])
    for encoding in encodings:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    problem = (
        "the file is not text in UTF-8, UTF-16 or Windows-1252; in Excel, save it as "
        "CSV UTF-8 (Comma delimited)"
    )
    raise ImportRejected(source, [RowProblem(None, None, problem)])


def _unclosed_quote(text: str, delimiter: str) -> int | None:
    """The row (1-based record) in which a quoted cell opens and never closes, or None.

    The csv module would read such a cell to the end of the file, swallowing every row below it
    into one cell, and say nothing; this follows its rules (a quote opens a quoted cell only as
    the cell's first character; "" inside is a quote) to find where that happened."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # as csv ends a row: either alone
    row, at, at_start = 1, 0, True
    while at < len(text):
        char = text[at]
        if at_start and char == '"':
            end = at + 1
            while True:
                end = text.find('"', end)
                if end == -1:
                    return row
                if text.startswith('""', end):
                    end += 2
                    continue
                break
            row += text.count("\n", at, end)  # line breaks inside quotes stay in the cell...
            at, at_start = end + 1, False
            continue
        if char == "\n":
            row += 1  # ...but one outside them starts the next row
        at_start = char in (delimiter, "\n")
        at += 1
    return None


def _csv_rows(text: str, delimiter: str) -> tuple[list[list[object]], RowProblem | None]:
    """The rows read with this delimiter, and what stopped the reading, if anything."""
    rows: list[list[object]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append([unguard_formula(cell) for cell in row])
    except csv.Error as exc:
        limit = csv.field_size_limit()
        message = (
            f"a cell is longer than {limit:,} characters, far more than a spreadsheet cell "
            f"holds ({CELL_TEXT_LIMIT:,}); is a quote missing its closing quote above it?"
            if "field limit" in str(exc)
            else f"not readable as CSV ({exc})"
        )
        return rows, RowProblem(len(rows) + 1, None, message)
    if (row := _unclosed_quote(text, delimiter)) is not None:
        return rows, RowProblem(
            row,
            None,
            'a quote (") opens a cell here and is never closed, so every row below would be read '
            "into that one cell; close the quote, or remove it",
        )
    return rows, None


def read_csv(path: Path, source: str, column_map: dict[str, str]) -> Book:
    """A CSV's rows (UTF-8, UTF-16 or Windows-1252; ",", ";" or tab), each cell as write_csv had it."""
    text = _decode(path.read_bytes(), source)
    if not text.strip():
        raise ImportRejected(source, [RowProblem(None, None, "the file is empty")])
    # A comma, a semicolon (Excel's CSV where the comma is the decimal mark) or a tab (Excel's
    # "Unicode Text", or a copy from a web page): take the one under which more headings are found.
    wanted = {heading_key(column) for column in column_map}
    best: tuple[int, list[list[object]], RowProblem | None] | None = None
    for delimiter in (",", ";", "\t"):
        rows, problem = _csv_rows(text, delimiter)
        top = rows[:HEADING_ROWS]
        score = max(
            (100 * len(wanted & {heading_key(c) for c in r}) + len(detect(r)) for r in top),
            default=0,
        )
        if best is None or score > best[0]:
            best = (score, rows, problem)
    assert best is not None
    if best[2] is not None:
        raise ImportRejected(source, [best[2]])
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


def write_atomically(path: Path, write: Callable[[Path], None]) -> Path:
    """Have `write` write a temporary file beside `path`, then rename it to `path` (os.replace).

    A failure part way (a full disk, a cell too long) so leaves neither a truncated file that
    looks valid nor a previous file destroyed: the temporary file is removed and `path` is as it
    was. The temporary file is in the same folder so that the rename stays on one file system,
    where it is atomic. An OSError names `path`, not the temporary file.
    """
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        temp.open("xb").close()  # mode "x": never another's file; the umask applies
        try:
            write(temp)
            with temp.open("rb+") as written:
                os.fsync(written.fileno())  # on disk before it takes the name
            if path.exists():
                shutil.copymode(path, temp)  # a replaced file keeps who may read it
            os.replace(temp, path)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from None
    return path
