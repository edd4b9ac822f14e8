"""Keeping CSV text from running as a formula when the file is opened in Excel.

OWASP's CSV-injection advice: a cell that starts with "=", "+", "-", "@", tab or carriage return
is written with a single quote in front, so that a progress reply such as '=HYPERLINK(...)'
stays text. Reading a CSV takes that one quote off again, so a plan's text round-trips exactly.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def _needs_quote(text: str) -> bool:
    # Quotes already in front count too: "'=x" is written "''=x", so reading gives "'=x" back.
    return text.lstrip(QUOTE).startswith(FORMULA_STARTS)


def guard_formula(value: object) -> object:
    """The value to write in a CSV cell: text a spreadsheet would run as a formula gets a quote."""
    if isinstance(value, str) and _needs_quote(value):
        return QUOTE + value
    return value


def unguard_formula(text: str) -> str:
    """A CSV cell as it was before guard_formula."""
    if text.startswith(QUOTE) and _needs_quote(text[1:]):
        return text[1:]
    return text
