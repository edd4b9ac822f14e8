"""The sheets of planbot's own workbook: their names, and HistoryRow, one row of its history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

PLAN_SHEET = "Plan"
MEASURES_SHEET = "KPIs and quality measures"
HISTORY_SHEET = "Progress history"
TRACKER_SHEET = "Progress tracker"
ABOUT_SHEET = "About this plan"


@dataclass
class HistoryRow:
    """One progress update, as the export's history sheet holds it (the store's UpdateRecord)."""

    action: str
    at: datetime
    text: str
    author: str | None
    source: str


class UpdateLike(Protocol):
    """Anything with a HistoryRow's fields (the store's UpdateRecord will do)."""

    action: str
    at: datetime
    text: str
    author: str | None
    source: str
