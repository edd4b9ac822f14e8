"""The sheets of planbot's own workbook: their names, and the headings of its history sheets."""

from __future__ import annotations

PLAN_SHEET = "Plan"
MEASURES_SHEET = "KPIs and quality measures"
ACTIONS_SHEET = "Actions added and closed"
HISTORY_SHEET = "Progress history"
RAG_HISTORY_SHEET = "RAG history"
PROPOSALS_SHEET = "RAG proposals"
TIMESCALE_HISTORY_SHEET = "Timescale history"
MEASURE_HISTORY_SHEET = "Measure history"
LEADS_SHEET = "Leads"
TRACKER_SHEET = "Progress tracker"
ABOUT_SHEET = "About this plan"
# The sheets besides the plan table that reading takes in (matched without regard to case).
EXTRA_SHEETS = (
    MEASURES_SHEET,
    ACTIONS_SHEET,
    HISTORY_SHEET,
    RAG_HISTORY_SHEET,
    PROPOSALS_SHEET,
    TIMESCALE_HISTORY_SHEET,
    MEASURE_HISTORY_SHEET,
    LEADS_SHEET,
    TRACKER_SHEET,
    ABOUT_SHEET,
)

# The history sheets' headings (written in this order; read by name, in any order) and widths.
HISTORY_COLUMNS = (
    ("Action", 8),
    ("Date", 26),
    ("Author", 20),
    ("Source", 10),
    ("Update", 80),
    ("Retracted", 26),
    # The Slack message the update came from, and when it was edited there.
    ("Slack channel", 14),
    ("Slack ts", 20),
    ("Edited", 26),
)
# Read when there, empty when not: exports before them had no such columns.
UPDATE_MESSAGE_COLUMNS = ("Slack channel", "Slack ts", "Edited")
HISTORY_OPTIONAL = ("Retracted", *UPDATE_MESSAGE_COLUMNS)
RAG_HISTORY_COLUMNS = (
    ("Action", 8),
    ("Date", 26),
    ("From", 14),
    ("To", 14),
    ("By", 20),
    ("Via", 10),
    ("Reason", 60),
    ("Proposal", 10),  # the RAG proposals sheet's Proposal it applied; optional when reading
)
RAG_HISTORY_OPTIONAL = ("Proposal",)
# One row per proposal. The update it came from is named by its Slack message (Update channel
# and Update ts) when it has one, otherwise by its Date and Author in the Progress history sheet.
PROPOSAL_COLUMNS = (
    ("Proposal", 10),
    ("Action", 8),
    ("Proposed at", 26),
    ("Proposed by", 20),
    ("RAG", 14),
    ("Revised timescale", 12),
    ("Evidence", 60),
    ("Status", 18),
    ("Confirmed at", 26),
    ("Decided at", 26),
    ("Decided by", 20),
    ("Reason", 40),
    ("Update date", 26),
    ("Update author", 20),
    ("Update channel", 14),
    ("Update ts", 20),
    ("Echo channel", 14),
    ("Echo ts", 20),
    ("Approval messages", 40),
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
# Each action's record: when it was added and by whom (a New Action's `add`; the plan's own
# actions were added when the plan was loaded), and when, by whom and why it was closed. One row
# per action that has any; an action without a row has none (open, added when loaded).
ACTION_RECORD_COLUMNS = (
    ("Action", 8),
    ("Added", 26),
    ("Added by", 20),
    ("Closed", 26),
    ("Closed by", 20),
    ("Closed reason", 60),
)
ACTION_RECORD_OPTIONAL = ("Added by", "Closed by", "Closed reason")
# The Progress tracker sheet's table of frozen months, below the live tallies: its title (in
# column A), then its heading row, then one row per month and priority, as frozen at month end.
FROZEN_MONTHS_TITLE = "Frozen months"
FROZEN_MONTH_COLUMNS = (
    ("Month", 10),
    ("Priority", 9),
    ("Red", 6),
    ("Amber", 6),
    ("Green", 6),
    ("Completed", 6),
    ("Not yet rated", 6),
    ("New Actions", 6),
    ("Total", 6),
    ("Frozen at", 26),
)
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
# date-time without an offset (typed by hand, or an Excel date-time cell) in the plan's time zone.
DATE_TIME_HEADINGS = (
    "Date",
    "Retracted",
    "Edited",
    "Proposed at",
    "Confirmed at",
    "Decided at",
    "Update date",
    "Added",
    "Closed",
    "Frozen at",
)


def date_time_note(zone: str) -> str:
    """The note on a history sheet's date-time heading, for a plan in time zone `zone`."""
    return (
        "Date and time in UTC, as ISO text: 2019-03-31T09:00:00+00:00. One typed without an "
        f"offset (2019-07-01 09:00), or an Excel date-time, is read in the plan's time zone, "
        f"{zone}; or write its offset (2019-07-01T09:00:00+01:00)."
    )


# How the KPIs sheet and the measure history name each kind of measure (domain kind -> words).
MEASURE_KINDS = {"kpi": "KPI", "quality": "Quality measure"}
