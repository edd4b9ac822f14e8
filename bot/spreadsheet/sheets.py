"""The sheets of planbot's own workbook: their names, and the headings of its history sheets."""

from __future__ import annotations

PLAN_SHEET = "Plan"
MEASURES_SHEET = "KPIs and quality measures"
HISTORY_SHEET = "Progress history"
RAG_HISTORY_SHEET = "RAG history"
TIMESCALE_HISTORY_SHEET = "Timescale history"
MEASURE_HISTORY_SHEET = "Measure history"
LEADS_SHEET = "Leads"
TRACKER_SHEET = "Progress tracker"
ABOUT_SHEET = "About this plan"
# The sheets besides the plan table that reading takes in (matched without regard to case).
EXTRA_SHEETS = (
    MEASURES_SHEET,
    HISTORY_SHEET,
    RAG_HISTORY_SHEET,
    TIMESCALE_HISTORY_SHEET,
    MEASURE_HISTORY_SHEET,
    LEADS_SHEET,
    ABOUT_SHEET,
)

# The history sheets' headings (written in this order; read by name, in any order) and widths.
HISTORY_COLUMNS = (
    ("Action", 8),
    ("Date", 26),
    ("Author", 20),
    ("Source", 10),
    ("Update", 80),
    ("Retracted", 26),  # optional when reading: exports before it had no such column
)
RAG_HISTORY_COLUMNS = (
    ("Action", 8),
    ("Date", 26),
    ("From", 14),
    ("To", 14),
    ("By", 20),
    ("Via", 10),
    ("Reason", 60),
)
TIMESCALE_HISTORY_COLUMNS = (
    ("Action", 8),
    ("Date", 26),
    ("From", 12),
    ("To", 12),
    ("By", 20),
    ("Via", 10),
    ("Reason", 60),
)
LEADS_COLUMNS = (("Role", 50), ("Slack user", 16), ("Deputy", 8))
MEASURE_HISTORY_COLUMNS = (
    ("Priority", 9),
    ("Kind", 16),
    ("Measure", 60),
    ("Value", 20),
    ("Date", 26),
    ("By", 20),
    ("Source", 10),
)

# The history sheets' date-time headings, and the note the export puts on each: reading takes a
# date-time without an offset (typed by hand, or an Excel date-time cell) as UTC.
DATE_TIME_HEADINGS = ("Date", "Retracted")
UTC_NOTE = (
    "Date and time in UTC, as ISO text: 2019-03-31T09:00:00+00:00. One typed without an offset "
    "(2019-03-31 09:00) is read as UTC, not UK time: add +01:00 in British Summer Time."
)

# How the KPIs sheet and the measure history name each kind of measure (domain kind -> words).
MEASURE_KINDS = {"kpi": "KPI", "quality": "Quality measure"}
