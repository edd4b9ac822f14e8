"""Plans as spreadsheets: an owner's tracker (XLSX or CSV) read into a PlanArchive (a PlanSpec and
whatever history the file holds), and a plan written back out in its own layout (XLSX with the
progress tracker and the plan's whole history, or a flat CSV).

Pure: files in, PlanArchive out and back; no database and no Slack. A broken file gets one report
naming every bad row, its column and why, and nothing is returned from it, so the caller can load
only a complete plan, in one transaction.

What a round trip keeps:
- XLSX (`write_workbook` then `read_plan_table`): the whole PlanArchive, equal to what was
  written. Everything in the PlanSpec (plan name, organisation, progress_as_of and the sections,
  on the "About this plan" sheet; priorities with recommendation, Ofsted number, paragraph refs,
  expected outcomes, note, KPIs and quality measures with their current values; actions with
  every field, and each action's record on "Actions added and closed": when it was added and
  by whom, when, by whom and why it was closed), the frozen month tallies (the table below the
  title "Frozen months" on the "Progress tracker" sheet, one row per month and priority; the
  tallies above it are live, and not read), and each history list in order on a sheet of its
  own: progress updates with their retraction, Slack message and edit time ("Progress
  history"), RAG changes with the proposal each applied ("RAG history"), RAG proposals decided
  or not, each naming its update by Slack message or date and author ("RAG proposals"),
  timescale revisions ("Timescale history"), KPI values and QA ratings over time ("Measure
  history") and the Slack users who lead or deputise for each role ("Leads"). A list left None
  is not written, and reads back as None; an empty list is a sheet with its headings only, and
  reads back as []. Date-times come back as aware UTC datetimes (a naive one, typed by hand, is
  read in the plan's time zone), equal to the ones written. As everywhere in a workbook, text
  comes back trimmed, an empty text as None, and control characters other than tab and line
  breaks are left out (reading strips them from a CSV too). No text is ever cut: every text
  must fit an XLSX cell (CELL_TEXT_LIMIT, an action's with its number in front); reading
  refuses a longer one, writing raises TextTooLong. Both writers write a temporary file and
  rename it (write_atomically).
- CSV (`write_csv` then `read_plan_table`): priority number, section, Ofsted recommendation and
  recommendation text; action id, text, leads, timescale, original timescale, progress, RAG and
  note. Not carried: the plan's name, organisation and progress_as_of, the priorities' paragraph
  refs, expected outcomes, notes, KPIs and quality measures, the actions' paragraph refs, "new
  action" flag, timescale as written (a CSV timescale is text, so it comes back as written
  "dd/mm/yyyy") and records (when added, whether closed), the frozen months, and the history
  (every list is None when read). Text that Excel would run as a formula ("=", "+", "-", "@",
  tab or carriage return first) is written with a "'" in front, which reading a CSV takes off
  again.

Modules: headings (the header row and --map), table (its rows into priorities and actions),
extra_sheets (planbot's About and measures sheets), history_sheets (its history and Leads
sheets, the actions' records and the frozen months), files (opening .xlsx and .csv), reading (read_plan_table), workbook_export and
csv_export (the writers); cells, dates, leads, refs and formulas read and write single cells;
problems and sheets hold what the others share.
"""

from bot.spreadsheet.csv_export import CSV_COLUMNS, write_csv
from bot.spreadsheet.dates import parse_uk_date
from bot.spreadsheet.files import SUPPORTED, write_atomically
from bot.spreadsheet.headings import FIELDS, HEADINGS, IGNORE
from bot.spreadsheet.leads import ROLE_WORDS, split_leads
from bot.spreadsheet.problems import ImportRejected, RowProblem
from bot.spreadsheet.reading import DEFAULT_PLAN_NAME, read_plan_table
from bot.spreadsheet.refs import split_trailing_refs
from bot.spreadsheet.sheets import (
    ABOUT_SHEET,
    ACTIONS_SHEET,
    HISTORY_SHEET,
    LEADS_SHEET,
    MEASURE_HISTORY_SHEET,
    MEASURES_SHEET,
    PLAN_SHEET,
    PROPOSALS_SHEET,
    RAG_HISTORY_SHEET,
    TIMESCALE_HISTORY_SHEET,
    TRACKER_SHEET,
)
from bot.spreadsheet.workbook_export import (
    PLAN_COLUMNS,
    RAG_FILLS,
    TextTooLong,
    recommendation_cell,
    write_workbook,
)

__all__ = [
    "ABOUT_SHEET",
    "ACTIONS_SHEET",
    "CSV_COLUMNS",
    "DEFAULT_PLAN_NAME",
    "FIELDS",
    "HEADINGS",
    "HISTORY_SHEET",
    "IGNORE",
    "LEADS_SHEET",
    "MEASURE_HISTORY_SHEET",
    "MEASURES_SHEET",
    "PLAN_COLUMNS",
    "PLAN_SHEET",
    "PROPOSALS_SHEET",
    "RAG_FILLS",
    "RAG_HISTORY_SHEET",
    "ROLE_WORDS",
    "SUPPORTED",
    "TIMESCALE_HISTORY_SHEET",
    "TRACKER_SHEET",
    "ImportRejected",
    "RowProblem",
    "TextTooLong",
    "parse_uk_date",
    "read_plan_table",
    "recommendation_cell",
    "split_leads",
    "split_trailing_refs",
    "write_atomically",
    "write_csv",
    "write_workbook",
]
