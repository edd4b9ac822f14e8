"""A cell's value as text, and the numbers and keys read from that text."""

from __future__ import annotations

import re
from datetime import datetime

from bot.plan.rag import Rag, parse_rag
from bot.plan.words import without_control

# What Excel shows, and saves, in a cell whose formula failed: never a value of the plan.
EXCEL_ERRORS = frozenset(
    ("#REF!", "#N/A", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!", "#SPILL!", "#CALC!")
)
EXCEL_ERROR_HINT = "an Excel error, not a value: fix the formula or type the value itself"


def cell_text(value: object) -> str | None:
    """A cell as trimmed text (None when blank); whole numbers without ".0"; control characters
    other than tab and line breaks left out."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    return without_control(str(value)).strip() or None


def excel_error(value: object) -> str | None:
    """The Excel error value ("#REF!") a cell holds, or None."""
    text = cell_text(value)
    return text if text is not None and text.upper() in EXCEL_ERRORS else None


def is_number(value: object) -> bool:
    """Whether a cell holds a number (Excel's, not text that spells one)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def cell_at(raw: list[object], column: int) -> object:
    """The row's cell in `column`, or None past the row's last cell."""
    return raw[column] if column < len(raw) else None


def numbers(text: str) -> list[int]:
    """Every whole number written in `text`, in order."""
    return [int(n) for n in re.findall(r"\d+", text)]


def slug(title: str) -> str:
    """A section key made from its title ("Early help" -> "early_help")."""
    return re.sub(r"[^0-9a-z]+", "_", title.lower()).strip("_") or "section"


# A spreadsheet's RAG column is often filled with one letter, or B(lue) for completed.
_RAG_LETTERS = {
    "r": Rag.RED,
    "a": Rag.AMBER,
    "g": Rag.GREEN,
    "c": Rag.COMPLETED,
    "b": Rag.COMPLETED,
}


def parse_rag_cell(text: str | None) -> Rag | None:
    """The Rag a RAG cell means ("Amber", "A", "B" for blue), or None when it is none."""
    return _RAG_LETTERS.get((text or "").strip().lower()) or parse_rag(text)
