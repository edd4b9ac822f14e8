"""write_csv: one row per action, safe to open in Excel; the package docstring says what it leaves out."""

from __future__ import annotations

import csv
from pathlib import Path

from bot.plan.rag import Rag
from bot.plan.specs import PlanSpec
from bot.spreadsheet.files import write_atomically
from bot.spreadsheet.formulas import guard_formula
from bot.spreadsheet.leads import leads_cell

CSV_COLUMNS = (
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
)


def write_csv(path: Path, spec: PlanSpec) -> Path:
    """Write one row per action as CSV (UTF-8 with a BOM, for Excel); read_plan_table reads it back.

    Text that Excel would run as a formula is written with a quote in front (see formulas.py), and
    every cell is in double quotes, so that a ";" in the text cannot start a new cell where Excel
    splits on semicolons. The package docstring lists the fields a CSV does not carry. The file is
    written beside `path` and renamed (write_atomically): a failure leaves no file, or the
    previous one as it was.
    """
    return write_atomically(path, lambda temp: _write(temp, spec))


def _write(path: Path, spec: PlanSpec) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file, quoting=csv.QUOTE_ALL)
        writer.writerow(CSV_COLUMNS)
        for priority in spec.priorities:
            section = spec.sections.get(priority.section, priority.section)
            head = [
                priority.number,
                section,
                priority.ofsted_recommendation
                if priority.ofsted_recommendation is not None
                else "",
                priority.recommendation,
            ]
            if not priority.actions:
                row = head + [""] * (len(CSV_COLUMNS) - len(head))  # keeps an empty priority
                writer.writerow([guard_formula(value) for value in row])
            for action in priority.actions:
                row = [
                    *head,
                    action.id,
                    action.text,
                    leads_cell(action.leads, "; "),
                    action.timescale.strftime("%d/%m/%Y") if action.timescale else "",
                    action.original_timescale.strftime("%d/%m/%Y")
                    if action.original_timescale
                    else "",
                    action.progress or "",
                    "" if action.rag is Rag.UNRATED else action.rag.label,
                    action.note or "",
                ]
                writer.writerow([guard_formula(value) for value in row])
