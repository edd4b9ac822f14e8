"""Plans as spreadsheets: an owner's tracker (XLSX or CSV) read into a PlanSpec, and a plan written
back out in its own layout (XLSX with the progress tracker and every update, or a flat CSV).

Pure: files in, PlanSpec out and back; no database and no Slack. A broken file gets one report
naming every bad row, its column and why, and nothing is returned from it, so the caller can load
only a complete plan, in one transaction.

What a round trip keeps:
- XLSX (`write_workbook` then `read_plan_table`): everything in the PlanSpec (plan name,
  organisation, progress_as_of and the sections, on the "About this plan" sheet; priorities with
  recommendation, Ofsted number, paragraph refs, expected outcomes, note, KPIs and quality
  measures with their current values; actions with every field) and every progress update.
- CSV (`write_csv` then `read_plan_table`): priority number, section, Ofsted recommendation and
  recommendation text; action id, text, leads, timescale, original timescale, progress, RAG and
  note. Not carried: the plan's name, organisation and progress_as_of, the priorities' paragraph
  refs, expected outcomes, notes, KPIs and quality measures, the actions' paragraph refs, "new
  action" flag and timescale as written (a CSV timescale is text, so it comes back as written
  "dd/mm/yyyy"), and the update history. Text that Excel would run as a formula ("=", "+", "-",
  "@", tab or carriage return first) is written with a "'" in front, which reading a CSV takes
  off again.

Modules: headings (the header row and --map), table (its rows into priorities and actions),
extra_sheets (planbot's About, measures and history sheets), files (opening .xlsx and .csv),
reading (read_plan_table), workbook_export and csv_export (the writers); cells, dates, leads, refs
and formulas read and write single cells; problems and sheets hold what the others share.
"""

from bot.spreadsheet.csv_export import CSV_COLUMNS, write_csv
from bot.spreadsheet.dates import parse_uk_date
from bot.spreadsheet.files import SUPPORTED
from bot.spreadsheet.headings import FIELDS, HEADINGS, IGNORE
from bot.spreadsheet.leads import ROLE_WORDS, split_leads
from bot.spreadsheet.problems import ImportRejected, RowProblem
from bot.spreadsheet.reading import DEFAULT_PLAN_NAME, ImportedPlan, read_plan_table
from bot.spreadsheet.refs import split_trailing_refs
from bot.spreadsheet.sheets import (
    ABOUT_SHEET,
    HISTORY_SHEET,
    MEASURES_SHEET,
    PLAN_SHEET,
    TRACKER_SHEET,
    HistoryRow,
    UpdateLike,
)
from bot.spreadsheet.workbook_export import (
    PLAN_COLUMNS,
    RAG_FILLS,
    recommendation_cell,
    write_workbook,
)

__all__ = [
    "ABOUT_SHEET",
    "CSV_COLUMNS",
    "DEFAULT_PLAN_NAME",
    "FIELDS",
    "HEADINGS",
    "HISTORY_SHEET",
    "IGNORE",
    "MEASURES_SHEET",
    "PLAN_COLUMNS",
    "PLAN_SHEET",
    "RAG_FILLS",
    "ROLE_WORDS",
    "SUPPORTED",
    "TRACKER_SHEET",
    "HistoryRow",
    "ImportRejected",
    "ImportedPlan",
    "RowProblem",
    "UpdateLike",
    "parse_uk_date",
    "read_plan_table",
    "recommendation_cell",
    "split_leads",
    "split_trailing_refs",
    "write_csv",
    "write_workbook",
]
