"""Reading the sheets only planbot's own workbook has: About this plan and the measures; the
history sheets are in history_sheets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.plan.specs import MeasureSpec
from bot.spreadsheet.cells import EXCEL_ERROR_HINT, cell_at, cell_text, excel_error, slug
from bot.spreadsheet.dates import instant
from bot.spreadsheet.headings import heading_key
from bot.spreadsheet.problems import RowProblem
from bot.spreadsheet.sheets import ABOUT_SHEET, MEASURES_SHEET
from bot.spreadsheet.table import Table


def sheet_columns(
    rows: list[list[object]],
    sheet: str,
    wanted: Sequence[str],
    problems: list[RowProblem],
    optional: Sequence[str] = (),
) -> dict[str, int] | None:
    """Column index of each wanted (and each optional one there is) heading in a planbot sheet's
    first row; None, with a problem, when a wanted one is missing."""
    first = [heading_key(cell) for cell in (rows[0] if rows else [])]
    columns = {
        name: first.index(heading_key(name))
        for name in (*wanted, *optional)
        if heading_key(name) in first
    }
    missing = [name for name in wanted if name not in columns]
    if missing:
        problems.append(
            RowProblem(
                1,
                None,
                f"the first row needs the headings {', '.join(wanted)} "
                f"(missing: {', '.join(missing)})",
                sheet,
            )
        )
        return None
    return columns


_KIND_PLURALS = {"kpi": "KPIs", "quality": "quality measures"}


def measure_kind(text: str | None) -> str | None:
    """ "kpi" or "quality" for a Kind cell ("KPI", "Quality measure"), or None."""
    words = " ".join((text or "").lower().split())
    return {"kpi": "kpi", "quality measure": "quality", "quality": "quality"}.get(words)


@dataclass
class About:
    """The "About this plan" sheet: what the plan table does not hold."""

    name: str | None = None
    organisation: str | None = None
    progress_as_of: datetime | None = None
    sections: dict[str, str] = field(default_factory=dict)  # key -> title


def read_about(rows: list[list[object]], problems: list[RowProblem], zone: str = "UTC") -> About:
    """The plan's name, organisation, progress_as_of (a naive one in `zone`) and sections."""
    about = About()
    for index, raw in enumerate(rows[1:], start=2):
        label = (cell_text(cell_at(raw, 0)) or "").lower()
        value = cell_text(cell_at(raw, 1))
        if label == "plan":
            about.name = value
        elif label == "organisation":
            about.organisation = value
        elif label == "progress as of" and value:
            about.progress_as_of = instant(value, zone)
            if about.progress_as_of is None:
                problems.append(
                    RowProblem(index, "Value", f"{value!r} is not a date and time", ABOUT_SHEET)
                )
        elif label == "section" and value:
            about.sections[cell_text(cell_at(raw, 2)) or slug(value)] = value
    return about


def read_measures(rows: list[list[object]], table: Table, problems: list[RowProblem]) -> None:
    """Add each KPI and quality measure to its priority in `table`. Within a priority, each KPI
    and each quality measure needs its own name: the measure history finds a measure by it."""
    columns = sheet_columns(
        rows, MEASURES_SHEET, ("Priority", "Kind", "Measure", "Current"), problems
    )
    if columns is None:
        return
    first_rows: dict[tuple[int, str, str], int] = {}  # (priority, kind, name) -> its first row
    for index, raw in enumerate(rows[1:], start=2):
        cells = {name: cell_text(cell_at(raw, column)) for name, column in columns.items()}
        if not any(cells.values()):
            continue
        errors = [(name, text) for name, text in cells.items() if excel_error(text)]
        for name, text in errors:
            problems.append(
                RowProblem(index, name, f"{text} is {EXCEL_ERROR_HINT}", MEASURES_SHEET)
            )
        if errors:
            continue
        number = cells["Priority"]
        kind = measure_kind(cells["Kind"])
        if number is None or not number.isdigit() or int(number) not in table.priorities:
            problems.append(
                RowProblem(
                    index, "Priority", f"{number!r} is not a priority of this plan", MEASURES_SHEET
                )
            )
        elif kind is None:
            problems.append(
                RowProblem(
                    index,
                    "Kind",
                    f"{cells['Kind']!r} is not KPI or Quality measure",
                    MEASURES_SHEET,
                )
            )
        elif not cells["Measure"]:
            problems.append(RowProblem(index, "Measure", "the measure has no name", MEASURES_SHEET))
        else:
            name = cells["Measure"]
            first = first_rows.setdefault((int(number), kind, name), index)
            if first != index:
                problems.append(
                    RowProblem(
                        index,
                        "Measure",
                        f"two {_KIND_PLURALS[kind]} of priority {int(number)} are both called "
                        f"{name!r} (rows {first} and {index}); each needs its own name",
                        MEASURES_SHEET,
                    )
                )
                continue
            draft = table.priorities[int(number)]
            measures = draft.kpis if kind == "kpi" else draft.quality_measures
            measures.append(MeasureSpec(name, cells["Current"]))
