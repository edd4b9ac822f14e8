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
  "dd/mm/yyyy"), and the update history.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Protocol

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from bot.domain import (
    SECTIONS,
    ActionRef,
    ActionSpec,
    MeasureSpec,
    PlanSpec,
    PrioritySpec,
    Rag,
    parse_rag,
    valid_rag_words,
)
from bot.plan_file import normalise_role
from bot.tracker import TRACKER_ROWS, tally

SUPPORTED = ".xlsx (Excel workbook) or .csv (UTF-8, comma- or semicolon-separated)"
DEFAULT_PLAN_NAME = "Improvement plan"

PLAN_SHEET = "Plan"
MEASURES_SHEET = "KPIs and quality measures"
HISTORY_SHEET = "Progress history"
TRACKER_SHEET = "Progress tracker"
ABOUT_SHEET = "About this plan"

# --- Results and errors ------------------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    """One thing wrong with an import file: where (1-based spreadsheet row, heading) and why.

    `row` is None for a problem with the whole file; `sheet` names a workbook sheet other than
    the plan's own table.
    """

    row: int | None
    column: str | None
    message: str
    sheet: str | None = None

    def describe(self, source: str) -> str:
        where = source
        if self.sheet:
            where += f" sheet {self.sheet!r}"
        if self.row is not None:
            where += f" row {self.row}"
        if self.column:
            where += f" ({self.column})"
        return f"{where}: {self.message}"


@dataclass
class ImportRejected(Exception):
    """A plan file that cannot be imported, with every problem found; nothing was read from it."""

    source: str
    problems: list[RowProblem]

    MAX_LISTED = 50

    def __str__(self) -> str:
        if len(self.problems) == 1:
            return self.problems[0].describe(self.source)
        lines = [f"{self.source} cannot be imported ({len(self.problems)} problems); nothing was loaded:"]
        lines += [f"  {problem.describe(self.source)}" for problem in self.problems[: self.MAX_LISTED]]
        if len(self.problems) > self.MAX_LISTED:
            lines.append(f"  … and {len(self.problems) - self.MAX_LISTED} more")
        return "\n".join(lines)


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


@dataclass
class ImportedPlan:
    spec: PlanSpec
    # Every update from the workbook's "Progress history" sheet; None when the file has none.
    updates: list[HistoryRow] | None = None


# --- Headings ----------------------------------------------------------------------------------

# Each field's headings, compared after _heading_key(); earlier ones win when a file has several.
HEADINGS: dict[str, tuple[str, ...]] = {
    "action_id": ("ref", "action ref", "action id", "action number", "action no", "no", "#"),
    "action": ("actions", "action", "action description"),
    "lead": ("lead", "leads", "lead officer", "owner", "responsible"),
    "timescale": ("timescale", "due date", "target date", "deadline", "due"),
    "progress": ("progress update", "progress", "latest update", "update"),
    "rag": ("rag", "rag status", "rag rating", "status"),
    "priority": ("priority", "priority recommendation", "recommendation"),
    "recommendation": (),  # a "Recommendation" column beside a "Priority" one (planbot's CSV)
    "section": ("section",),
    "expected_outcomes": ("expected outcomes",),
    "ofsted_recommendation": ("ofsted recommendation",),
    "original_timescale": ("original timescale",),
    "timescale_as_written": ("timescale as written",),
    "paragraph_refs": ("paragraph refs",),
    "new_action": ("new action",),
    "note": ("note", "notes"),
    "priority_note": ("priority note",),
}
IGNORE = "ignore"
FIELDS = (*HEADINGS, IGNORE)  # what `--map COLUMN=FIELD` accepts; "ignore" drops a column

_HEADING_ROWS = 10  # the header row must be among the first ten


def _heading_key(value: object) -> str:
    """A heading compared case-insensitively, ignoring punctuation and extra spaces."""
    text = _text(value) or ""
    if text.strip() == "#":
        return "#"
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


def _field_key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _detect(cells: Sequence[object]) -> dict[int, str]:
    """Column index -> field, for the headings this row's cells spell."""
    best: dict[str, tuple[int, int]] = {}  # field -> (rank of the heading, column)
    for column, cell in enumerate(cells):
        key = _heading_key(cell)
        for name, headings in HEADINGS.items():
            if key in headings:
                candidate = (headings.index(key), column)
                best[name] = min(best.get(name, candidate), candidate)
    mapping = {column: name for name, (_rank, column) in best.items()}
    # "Recommendation" beside a "Priority" column holds the recommendation's text.
    for column, cell in enumerate(cells):
        if _heading_key(cell) == "recommendation" and column not in mapping:
            mapping[column] = "recommendation"
    return mapping


@dataclass
class _Header:
    row: int  # 1-based
    cells: list[object]
    fields: dict[int, str]  # column index -> field

    def heading(self, name: str) -> str | None:
        for column, field_name in self.fields.items():
            if field_name == name:
                return _text(self.cells[column])
        return None


def _find_header(
    rows: list[list[object]], column_map: dict[str, str], problems: list[RowProblem]
) -> _Header | None:
    """The header row among the first ten, with each column's field (detected, then --map)."""
    wanted = {_heading_key(column): column for column in column_map}
    best: tuple[tuple[int, int], int] | None = None
    for index, cells in enumerate(rows[:_HEADING_ROWS]):
        keys = {_heading_key(cell) for cell in cells}
        score = (sum(key in keys for key in wanted), len(_detect(cells)))
        if score > (0, 1) and (best is None or score > best[0]):
            best = (score, index)
    index = best[1] if best else None
    cells = list(rows[index]) if index is not None else []
    fields = _detect(cells)
    valid_fields = {_field_key(name): name for name in FIELDS}
    for heading_key, column in wanted.items():
        target = valid_fields.get(_field_key(column_map[column]))
        if target is None:
            problems.append(RowProblem(None, column, (
                f"--map {column}={column_map[column]}: {column_map[column]!r} is not a field; "
                f"valid fields: {', '.join(FIELDS)}"
            )))
            continue
        at = next((i for i, cell in enumerate(cells) if _heading_key(cell) == heading_key), None)
        if at is None:
            listed = ", ".join(repr(t) for cell in cells if (t := _text(cell))) or "none found"
            problems.append(RowProblem(None, column, (
                f"--map {column}={column_map[column]}: there is no column {column!r} in the file; "
                f"its columns are: {listed}"
            )))
            continue
        fields = {c: f for c, f in fields.items() if f != target and c != at}
        if target != IGNORE:
            fields[at] = target
    if problems:
        return None
    if index is None or not ({"action", "action_id"} & set(fields.values())):
        problems.append(RowProblem(None, None, (
            f"no header row found in the first {_HEADING_ROWS} rows: expected headings such as "
            "Ref, Action, Lead, Timescale, Progress Update, RAG "
            "(or name the columns with --map COLUMN=FIELD)"
        )))
        return None
    header = _Header(index + 1, cells, fields)
    if "action" not in fields.values():
        problems.append(RowProblem(header.row, None, (
            "no action text column: expected a heading such as Action, Actions or Action description "
            "(or --map COLUMN=action)"
        )))
        return None
    return header


# --- Cells -------------------------------------------------------------------------------------


def _text(value: object) -> str | None:
    """A cell as trimmed text (None when blank); whole numbers without ".0"."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
    return text or None


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"), ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_NUMERIC_DATE = re.compile(r"^(\d{1,2})\s*([/.\-])\s*(\d{1,2})\s*\2\s*(\d{2}|\d{4})$")
_WORDY_DATE = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?\s+(\d{2}|\d{4})$", re.I)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+)?$")


def parse_uk_date(text: str) -> date | None:
    """A date as written in the UK (dd/mm/yy, d.m.yyyy, "31 March 2019", "31 Mar 19", ISO), or None.

    Day first, always: "03/31/2019" is not a date. Two-digit years are 20yy.
    """
    text = " ".join(text.split())
    if match := _ISO_DATE.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _NUMERIC_DATE.match(text):
        day, month, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
    elif (match := _WORDY_DATE.match(text)) and match.group(2).lower() in _MONTHS:
        day, month, year = int(match.group(1)), _MONTHS[match.group(2).lower()], int(match.group(3))
    else:
        return None
    if year < 100:
        year += 2000
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _cell_date(value: object) -> tuple[date | None, str | None, bool]:
    """(date, the cell's text when it was text, ok) for a date cell."""
    if isinstance(value, datetime):
        return value.date(), None, True
    if isinstance(value, date):
        return value, None, True
    text = _text(value)
    if text is None:
        return None, None, True
    if not isinstance(value, str):
        return None, text, False  # a bare number is not a date, whatever Excel might mean by it
    parsed = parse_uk_date(text)
    return parsed, text, parsed is not None


# Role words that start a second role after " & ", " and " or " / " (case-sensitive).
ROLE_WORDS = (
    "Service", "Director", "Head", "Chair", "IRO", "Principal", "Workforce", "Team", "Manager",
    "Lead", "CEO", "SSCB", "MSET", "ICRT", "Quality",
)
_ROLE_JOINER = re.compile(r"\s+(?:&|and|/)\s+(?=(?:" + "|".join(ROLE_WORDS) + r")\b)")


def split_leads(cell: str | None) -> list[str]:
    """The lead roles in a Lead cell, each normalised; a role named twice is kept once.

    The rule: split on newlines and ";" always; split on " & ", " and " or " / " only when the
    text after the separator starts with one of ROLE_WORDS, capitalised as listed ("Service Manager
    & IRO Manager" is two roles; "Director of Quality Assurance & Performance" is one, since
    "Performance" is not a role word). A cell that ends with ";" is taken as written: split on ";"
    and newlines only. planbot's exports end a lone role that the rule would split with ";"
    ("Chair of SSCB Learning and Workforce Development Group;"), so it survives the round trip.
    """
    text = (cell or "").replace("\r", "\n").strip()
    as_written = text.endswith(";")
    roles: list[str] = []
    for part in re.split(r"[;\n]", text):
        for piece in [part] if as_written else _ROLE_JOINER.split(part):
            name = normalise_role(piece)
            if name and name not in roles:
                roles.append(name)
    return roles


def _leads_cell(roles: Sequence[str], joiner: str) -> str:
    cell = joiner.join(roles)
    if any(len(split_leads(role)) > 1 for role in roles):
        cell += ";"  # keep a role with "&"/"and" in its name whole (see split_leads)
    return cell


_REF_GROUP = r"\d{1,3}(?:\s*(?:,|&|and)\s*\d{1,3})*"
_TRAILING_PARAS = re.compile(
    r"\(\s*(?:para(?:graph)?s?\.?\s*)?(" + _REF_GROUP + r")\s*\)\s*\.?\s*$", re.I
)
_TRAILING_OFSTED = re.compile(r"\(\s*ref\s*[:.]?\s*ofsted\s+recommendation\s+(\d{1,4})\s*\)\s*\.?\s*$", re.I)
_PRIORITY_HEAD = re.compile(r"^\s*(?:priority|recommendation)\s*(\d{1,4})\b\s*[:.\-\u2013]?\s*", re.I)
_ACTION_HEAD = re.compile(r"^\s*(\d{1,4}\.\d{1,4})\.?(?:\s+|$)")


def _numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", text)]


def split_trailing_refs(text: str, *, ofsted: bool) -> tuple[str, list[int], int | None]:
    """Text without its trailing "(21) (78)" / "(para 21, 23)" / "(Ref: Ofsted Recommendation 1)".

    Returns (text, paragraph refs in reading order, Ofsted recommendation number or None).
    Only numbers of up to three digits count as paragraph refs, so "(2019)" stays in the text.
    """
    groups: list[list[int]] = []
    number = None
    while True:
        text = text.rstrip()
        if ofsted and number is None and (match := _TRAILING_OFSTED.search(text)):
            number = int(match.group(1))
        elif match := _TRAILING_PARAS.search(text):
            groups.insert(0, _numbers(match.group(1)))
        else:
            break
        text = text[: match.start()]
    return text.strip(), [n for group in groups for n in group], number


def _priority_cell(text: str) -> tuple[int | None, str, list[int], int | None]:
    """(number, recommendation, paragraph refs, Ofsted number) from a Priority/Recommendation cell.

    The recommendation comes back on one line (a wrapped cell's line breaks become spaces).

    "7", "Priority 7", "Priority 7: Ensure ... (para 27, 36) (Ref: Ofsted Recommendation 9)", or
    the recommendation's text alone.
    """
    if text.isdigit():
        return int(text), "", [], None
    number = None
    if match := _PRIORITY_HEAD.match(text):
        number, text = int(match.group(1)), text[match.end() :]
    recommendation, refs, ofsted = split_trailing_refs(text, ofsted=True)
    return number, " ".join(recommendation.split()), refs, ofsted


def _slug(title: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", title.lower()).strip("_") or "section"


# --- Reading the table -------------------------------------------------------------------------


@dataclass
class _PriorityDraft:
    number: int
    recommendation: str | None = None
    ofsted_recommendation: int | None = None
    paragraph_refs: list[int] = field(default_factory=list)
    expected_outcomes: list[str] = field(default_factory=list)
    section: str | None = None
    note: str | None = None
    kpis: list[MeasureSpec] = field(default_factory=list)
    quality_measures: list[MeasureSpec] = field(default_factory=list)
    actions: list[ActionSpec] = field(default_factory=list)
    first_rows: dict[str, int] = field(default_factory=dict)

    def set(self, name: str, value: object, row: int, column: str | None, problems: list[RowProblem]) -> None:
        """Record a priority-level value once; a different value on a later row is a problem."""
        if name not in self.first_rows:
            setattr(self, name, value)
            self.first_rows[name] = row
        elif getattr(self, name) != value:
            problems.append(RowProblem(row, column, (
                f"priority {self.number} already has a different {name.replace('_', ' ')} "
                f"on row {self.first_rows[name]}; write it once, on the priority's first row, "
                "or the same on every row"
            )))


@dataclass
class _PriorityCells:
    """A row's priority-level cells: filled on a priority's first row only, or on every row."""

    row: int
    number: int | None = None
    values: list[tuple[str, object, str | None]] = field(default_factory=list)  # field, value, heading

    def apply(self, draft: _PriorityDraft, problems: list[RowProblem]) -> None:
        for name, value, column in self.values:
            draft.set(name, value, self.row, column, problems)


def _priority_cells(
    cells: dict[str, object], row: int, heading: dict[str, str | None], problems: list[RowProblem]
) -> _PriorityCells:
    found = _PriorityCells(row)

    def add(name: str, value: object, column: str | None) -> None:
        if value not in (None, "", []):
            found.values.append((name, value, column))

    if (text := _text(cells.get("priority"))) is not None:
        # A number, "Priority N: recommendation ... (para 21) (Ref: Ofsted Recommendation M)", or text.
        found.number, recommendation, refs, ofsted = _priority_cell(text)
        add("recommendation", recommendation, heading["priority"])
        add("paragraph_refs", refs, heading["priority"])
        add("ofsted_recommendation", ofsted, heading["priority"])
    if (text := _text(cells.get("recommendation"))) is not None:
        recommendation, refs, ofsted = split_trailing_refs(text, ofsted=True)
        add("recommendation", " ".join(recommendation.split()), heading["recommendation"])
        add("paragraph_refs", refs, heading["recommendation"])
        add("ofsted_recommendation", ofsted, heading["recommendation"])
    if (text := _text(cells.get("ofsted_recommendation"))) is not None:
        if text.isdigit():
            add("ofsted_recommendation", int(text), heading["ofsted_recommendation"])
        else:
            problems.append(RowProblem(row, heading["ofsted_recommendation"],
                                       f"{text!r} is not an Ofsted recommendation number"))
    if (text := _text(cells.get("expected_outcomes"))) is not None:
        # One outcome per line; bullets dropped.
        lines = [re.sub(r"^[\s\u2022\u00b7*\-\u2013]+", "", line).strip() for line in text.split("\n")]
        add("expected_outcomes", [line for line in lines if line], heading["expected_outcomes"])
    add("section", _text(cells.get("section")), heading["section"])
    add("note", _text(cells.get("priority_note")), heading["priority_note"])
    return found


@dataclass
class _Table:
    """The plan table's rows, read into priorities."""

    priorities: dict[int, _PriorityDraft] = field(default_factory=dict)

    def priority(self, number: int) -> _PriorityDraft:
        return self.priorities.setdefault(number, _PriorityDraft(number))


def _read_table(rows: list[list[object]], header: _Header, problems: list[RowProblem]) -> _Table:
    table = _Table()
    heading = {name: header.heading(name) for name in FIELDS}
    header_keys = {c: _heading_key(header.cells[c]) for c in header.fields}
    seen: dict[str, int] = {}  # action id -> row
    carried: int | None = None  # the last priority number written, for bare ids ("3" under priority 7)
    pending: list[_PriorityCells] = []  # priority rows without a number, for the next action's priority

    for index in range(header.row, len(rows)):
        row = index + 1
        raw = rows[index]
        cells = {name: raw[c] if c < len(raw) else None for c, name in header.fields.items()}
        if all(_text(v) is None for v in cells.values()):
            continue
        if all(_heading_key(raw[c] if c < len(raw) else None) == key for c, key in header_keys.items()):
            continue  # the header repeated (a printed plan repeats it after each page break)

        def bad(name: str, message: str, row: int = row) -> None:
            problems.append(RowProblem(row, heading[name], message))

        priority = _priority_cells(cells, row, heading, problems)
        if priority.number is not None:
            carried = priority.number

        # The action id: its own column, or the start of the Actions cell ("1.1 Commission ...").
        action_text = _text(cells.get("action"))
        id_text = _text(cells.get("action_id"))
        id_column = "action_id"
        if id_text is None and action_text and (match := _ACTION_HEAD.match(action_text)):
            id_text, id_column = match.group(1), "action"
            action_text = action_text[match.end() :].strip() or None
        elif (
            id_text is not None
            and action_text
            and (match := _ACTION_HEAD.match(action_text))
            and match.group(1) == _clean_id(id_text)
        ):
            action_text = action_text[match.end() :].strip() or None  # "7.3" beside "7.3 Do X"

        if id_text is None and action_text is None:
            if priority.number is not None:
                priority.apply(table.priority(priority.number), problems)
            elif priority.values:
                pending.append(priority)
            else:
                bad("action_id" if heading["action_id"] else "action", (
                    "no action id and no action text; every row below the header row must be an "
                    "action (delete the row if it is not)"
                ))
            continue
        before, waiting, pending = len(problems), pending, []
        if id_text is None:
            where = "the Actions cell does not start with an action number like 7.3"
            if heading["action_id"]:
                where = f"the {heading['action_id']} cell is empty"
            bad("action_id" if heading["action_id"] else "action", f"no action id: {where}")
            continue
        ref = _action_ref(id_text, carried)
        if ref is None:
            bad(id_column, f"{id_text!r} is not an action number like 7.3")
            continue
        action_id = str(ref)
        if action_id in seen:
            bad(id_column, f"action {action_id} appears twice (first on row {seen[action_id]})")
            continue
        seen[action_id] = row
        if priority.number is not None and priority.number != ref.priority:
            bad("priority", f"action {action_id} belongs to priority {ref.priority}, but the "
                            f"{heading['priority']} cell says priority {priority.number}")
        if action_text is None:
            bad("action", f"action {action_id} has no action text")
        action = _action(action_id, action_text or "", cells, row, heading, problems)
        if len(problems) == before:
            draft = table.priority(ref.priority)
            for earlier in [*waiting, priority]:
                earlier.apply(draft, problems)
            draft.actions.append(action)
    for earlier in pending:
        problems.append(RowProblem(earlier.row, None, "priority details with no action below them"))
    return table


def _clean_id(text: str) -> str:
    text = re.sub(r"^\s*action\s+", "", text, flags=re.I)
    return text.strip().rstrip(".")


def _action_ref(text: str, priority: int | None) -> ActionRef | None:
    """"7.3" (or "Action 7.3"); a bare "3" is action 3 of the priority above, when there is one."""
    text = _clean_id(text)
    if text.isdigit() and priority is not None:
        return ActionRef(priority, int(text))
    return ActionRef.parse(text)


_PARAGRAPH_LIST = re.compile(r"\d+(?:\s*(?:,|;|&|and)\s*\d+)*")
_YES = ("yes", "y", "true", "1", "x", "new")
_NO = ("", "no", "n", "false", "0")


def _action(
    action_id: str,
    text: str,
    cells: dict[str, object],
    row: int,
    heading: dict[str, str | None],
    problems: list[RowProblem],
) -> ActionSpec:
    """The row's action; each bad cell adds a problem (and the caller drops the action)."""

    def bad(name: str, message: str) -> None:
        problems.append(RowProblem(row, heading[name], message))

    if heading["paragraph_refs"] is not None:
        refs_text = _text(cells.get("paragraph_refs")) or ""
        if refs_text and not _PARAGRAPH_LIST.fullmatch(refs_text):
            bad("paragraph_refs", f"{refs_text!r} is not a list of paragraph numbers like 21, 78")
        refs = _numbers(refs_text)
    else:
        text, refs, _ = split_trailing_refs(text, ofsted=False)  # "Commission ... (21) (78)."

    timescale, as_written, ok = _cell_date(cells.get("timescale"))
    if not ok:
        bad("timescale", f"{as_written!r} is not a date; write it as dd/mm/yyyy")
    if heading["timescale_as_written"] is not None and not isinstance(cells.get("timescale"), str):
        as_written = _text(cells.get("timescale_as_written"))
    original, original_text, ok = _cell_date(cells.get("original_timescale"))
    if not ok:
        bad("original_timescale", f"{original_text!r} is not a date; write it as dd/mm/yyyy")

    rag_text = _text(cells.get("rag"))
    rag = parse_rag(rag_text)
    if rag is None:
        bad("rag", f"{rag_text!r} is not a RAG rating; use {valid_rag_words()}")

    new_text = (_text(cells.get("new_action")) or "").lower()
    if new_text not in _YES + _NO:
        bad("new_action", f"{new_text!r} is not yes or no")

    return ActionSpec(
        id=action_id,
        text=text,
        leads=split_leads(_text(cells.get("lead"))),
        timescale=timescale,
        timescale_as_written=as_written,
        original_timescale=original,
        progress=_text(cells.get("progress")),
        rag=rag or Rag.UNRATED,
        paragraph_refs=refs,
        note=_text(cells.get("note")),
        is_new=new_text in _YES,
    )


# --- The workbook's other sheets ---------------------------------------------------------------


def _sheet_columns(
    rows: list[list[object]], sheet: str, wanted: Sequence[str], problems: list[RowProblem]
) -> dict[str, int] | None:
    """Column index of each wanted heading in a planbot sheet's first row."""
    first = [_heading_key(cell) for cell in (rows[0] if rows else [])]
    columns = {name: first.index(_heading_key(name)) for name in wanted if _heading_key(name) in first}
    missing = [name for name in wanted if name not in columns]
    if missing:
        problems.append(RowProblem(1, None, f"the first row needs the headings {', '.join(wanted)} "
                                            f"(missing: {', '.join(missing)})", sheet))
        return None
    return columns


def _cell(raw: list[object], column: int) -> object:
    return raw[column] if column < len(raw) else None


@dataclass
class _About:
    name: str | None = None
    organisation: str | None = None
    progress_as_of: datetime | None = None
    sections: dict[str, str] = field(default_factory=dict)  # key -> title


def _read_about(rows: list[list[object]], problems: list[RowProblem]) -> _About:
    about = _About()
    for index, raw in enumerate(rows[1:], start=2):
        label = (_text(_cell(raw, 0)) or "").lower()
        value = _text(_cell(raw, 1))
        if label == "plan":
            about.name = value
        elif label == "organisation":
            about.organisation = value
        elif label == "progress as of" and value:
            about.progress_as_of = _instant(value)
            if about.progress_as_of is None:
                problems.append(RowProblem(index, "Value", f"{value!r} is not a date and time", ABOUT_SHEET))
        elif label == "section" and value:
            about.sections[_text(_cell(raw, 2)) or _slug(value)] = value
    return about


def _instant(value: object) -> datetime | None:
    """An aware UTC datetime from an ISO text or a datetime cell; naive means UTC."""
    if isinstance(value, datetime):
        at = value
    else:
        try:
            at = datetime.fromisoformat(_text(value) or "")
        except ValueError:
            return None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _read_measures(rows: list[list[object]], table: _Table, problems: list[RowProblem]) -> None:
    columns = _sheet_columns(rows, MEASURES_SHEET, ("Priority", "Kind", "Measure", "Current"), problems)
    if columns is None:
        return
    for index, raw in enumerate(rows[1:], start=2):
        cells = {name: _text(_cell(raw, column)) for name, column in columns.items()}
        if not any(cells.values()):
            continue
        number = cells["Priority"]
        kind = (cells["Kind"] or "").lower()
        if number is None or not number.isdigit() or int(number) not in table.priorities:
            problems.append(RowProblem(index, "Priority", f"{number!r} is not a priority of this plan",
                                       MEASURES_SHEET))
        elif kind not in ("kpi", "quality measure"):
            problems.append(RowProblem(index, "Kind", f"{cells['Kind']!r} is not KPI or Quality measure",
                                       MEASURES_SHEET))
        elif not cells["Measure"]:
            problems.append(RowProblem(index, "Measure", "the measure has no name", MEASURES_SHEET))
        else:
            draft = table.priorities[int(number)]
            measures = draft.kpis if kind == "kpi" else draft.quality_measures
            measures.append(MeasureSpec(cells["Measure"], cells["Current"]))


def _read_history(rows: list[list[object]], ids: set[str], problems: list[RowProblem]) -> list[HistoryRow]:
    columns = _sheet_columns(rows, HISTORY_SHEET, ("Action", "Date", "Author", "Source", "Update"), problems)
    if columns is None:
        return []
    history = []
    for index, raw in enumerate(rows[1:], start=2):
        cells = {name: _cell(raw, column) for name, column in columns.items()}
        if all(_text(v) is None for v in cells.values()):
            continue
        action = _clean_id(_text(cells["Action"]) or "")
        at = _instant(cells["Date"])
        text = _text(cells["Update"])
        if action not in ids:
            problems.append(RowProblem(index, "Action", f"{action!r} is not an action of this plan",
                                       HISTORY_SHEET))
        elif at is None:
            problems.append(RowProblem(index, "Date", f"{_text(cells['Date'])!r} is not a date and time "
                                                      "(write it as 2019-03-31T09:00:00+00:00)", HISTORY_SHEET))
        elif text is None:
            problems.append(RowProblem(index, "Update", "the update has no text", HISTORY_SHEET))
        else:
            history.append(HistoryRow(action, at, text, _text(cells["Author"]),
                                      _text(cells["Source"]) or "import"))
    return history


# --- Files -------------------------------------------------------------------------------------


@dataclass
class _Book:
    rows: list[list[object]]  # the plan table
    sheets: dict[str, list[list[object]]] = field(default_factory=dict)  # planbot's other sheets


def _read_csv(path: Path, source: str, column_map: dict[str, str]) -> _Book:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")  # Excel's plain "CSV (Comma delimited)" on Windows
        except UnicodeDecodeError:
            raise ImportRejected(source, [RowProblem(None, None, (
                "the file is not UTF-8 text; in Excel, save it as CSV UTF-8 (Comma delimited)"
            ))]) from None
    if not text.strip():
        raise ImportRejected(source, [RowProblem(None, None, "the file is empty")])
    # A comma or a semicolon (Excel's CSV where the comma is the decimal mark): take the one
    # under which more headings are found.
    wanted = {_heading_key(column) for column in column_map}
    best: tuple[int, list[list[object]]] | None = None
    for delimiter in (",", ";"):
        rows: list[list[object]] = [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
        top = rows[:_HEADING_ROWS]
        score = max((100 * len(wanted & {_heading_key(c) for c in r}) + len(_detect(r)) for r in top), default=0)
        if best is None or score > best[0]:
            best = (score, rows)
    assert best is not None
    return _Book(best[1])


def _read_xlsx(path: Path, source: str) -> _Book:
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportRejected(source, [RowProblem(None, None, (
            f"not a readable .xlsx workbook ({exc.__class__.__name__}); open it in Excel and save it "
            "again as Excel Workbook (.xlsx)"
        ))]) from None
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
            (t for t, rows in sheets.items() if any(len(_detect(r)) > 1 for r in rows[:_HEADING_ROWS])),
            next(iter(sheets), None),
        )
    extras = {
        name: sheets[by_title[name.casefold()]]
        for name in (MEASURES_SHEET, HISTORY_SHEET, ABOUT_SHEET)
        if name.casefold() in by_title
    }
    return _Book(sheets.get(plan_title, []) if plan_title else [], extras)


def read_plan_table(path: Path, column_map: dict[str, str] | None = None) -> ImportedPlan:
    """Read a plan from an owner's spreadsheet (.xlsx or .csv), or raise ImportRejected listing
    every problem.

    The header row (within the first ten rows) is found from common headings (HEADINGS);
    `column_map` ({"Heading as in the file": "field"}, the CLI's --map) overrides them. Each row
    below it is one action. The action id comes from its own column or from the start of the
    Actions cell ("1.1 Commission ..."); its priority from the id ("7.3" is in priority 7).
    Priority-level cells (recommendation, expected outcomes, section) may be filled on the
    priority's first row only. Without a Section column every priority is in section "plan".
    Dates are day first (parse_uk_date); leads are split by split_leads. Write action ids as text:
    Excel keeps a number cell 7.10 as 7.1 (which then shows up as a duplicate of 7.1).
    """
    source = path.name
    column_map = dict(column_map or {})
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        kind = f"a {suffix} file" if suffix else "a file without an extension"
        raise ImportRejected(source, [RowProblem(None, None, f"cannot import {kind}; save the plan as {SUPPORTED}")])
    if not path.is_file():
        raise ImportRejected(source, [RowProblem(None, None, f"there is no file {str(path)!r}")])
    book = _read_xlsx(path, source) if suffix == ".xlsx" else _read_csv(path, source, column_map)

    problems: list[RowProblem] = []
    if not any(_text(cell) for row in book.rows for cell in row):
        raise ImportRejected(source, [RowProblem(None, None, "the file is empty: no plan table found")])
    header = _find_header(book.rows, column_map, problems)
    if header is None:
        raise ImportRejected(source, problems)
    table = _read_table(book.rows, header, problems)
    if not table.priorities and not problems:
        problems.append(RowProblem(header.row, None, "no actions below the header row"))

    about = _read_about(book.sheets[ABOUT_SHEET], problems) if ABOUT_SHEET in book.sheets else _About()
    if MEASURES_SHEET in book.sheets:
        _read_measures(book.sheets[MEASURES_SHEET], table, problems)
    updates = None
    if HISTORY_SHEET in book.sheets:
        ids = {a.id for draft in table.priorities.values() for a in draft.actions}
        updates = _read_history(book.sheets[HISTORY_SHEET], ids, problems)
    if problems:
        raise ImportRejected(source, problems)
    return ImportedPlan(_spec(table, about, has_sections=header.heading("section") is not None), updates)


def _spec(table: _Table, about: _About, *, has_sections: bool) -> PlanSpec:
    known = {title.casefold(): key for key, title in SECTIONS.items()}
    known.update({title.casefold(): key for key, title in about.sections.items()})
    sections = dict(about.sections)

    def section_key(title: str | None) -> str:
        if not title:
            sections.setdefault("plan", "Plan")
            return "plan"
        key = known.get(title.casefold())
        if key is None:
            key = base = _slug(title)
            suffix = 2
            while key in sections and sections[key].casefold() != title.casefold():
                key, suffix = f"{base}_{suffix}", suffix + 1
            known[title.casefold()] = key
        sections.setdefault(key, title)
        return key

    priorities = [
        PrioritySpec(
            number=draft.number,
            section=section_key(draft.section if has_sections else None),
            recommendation=draft.recommendation or f"Priority {draft.number}",
            ofsted_recommendation=draft.ofsted_recommendation,
            paragraph_refs=draft.paragraph_refs,
            expected_outcomes=draft.expected_outcomes,
            kpis=draft.kpis,
            quality_measures=draft.quality_measures,
            note=draft.note,
            actions=draft.actions,
        )
        for draft in sorted(table.priorities.values(), key=lambda d: d.number)
    ]
    return PlanSpec(
        name=about.name or DEFAULT_PLAN_NAME,
        organisation=about.organisation,
        progress_as_of=about.progress_as_of,
        sections=sections,
        priorities=priorities,
    )


# --- Writing -----------------------------------------------------------------------------------

PLAN_COLUMNS = (
    ("Recommendation", 45), ("Expected Outcomes", 45), ("Actions", 55), ("Lead", 28), ("Timescale", 12),
    ("Progress Update", 60), ("RAG", 11),
    # To the right of the plan's own layout: what a lossless round trip needs.
    ("Section", 28), ("Original Timescale", 12), ("Timescale As Written", 12), ("Paragraph Refs", 10),
    ("New Action", 8), ("Note", 40), ("Priority Note", 40),
)
CSV_COLUMNS = (
    "Priority", "Section", "Ofsted Recommendation", "Recommendation", "Ref", "Action", "Lead",
    "Timescale", "Original Timescale", "Progress Update", "RAG", "Note",
)
RAG_FILLS = {Rag.RED: "FF0000", Rag.AMBER: "FFC000", Rag.GREEN: "00B050", Rag.COMPLETED: "0070C0"}
_WHITE_TEXT = {Rag.RED, Rag.COMPLETED}
_DATE_FORMAT = "dd/mm/yyyy"
_WRAP = Alignment(wrap_text=True, vertical="top")
_BOLD = Font(bold=True)


def recommendation_cell(priority: PrioritySpec) -> str:
    """"Priority N: <recommendation> (para 21, 23) (Ref: Ofsted Recommendation M)"."""
    text = f"Priority {priority.number}"
    if priority.recommendation != text:
        text += f": {priority.recommendation}"
    if priority.paragraph_refs:
        text += f" (para {', '.join(str(n) for n in priority.paragraph_refs)})"
    if priority.ofsted_recommendation is not None:
        text += f" (Ref: Ofsted Recommendation {priority.ofsted_recommendation})"
    return text


def _safe(value: object) -> object:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value) or None
    return value


def _put(sheet: Worksheet, row: int, column: int, value: object, *, number_format: str | None = None) -> Cell:
    cell = sheet.cell(row=row, column=column)
    cell.value = _safe(value)
    if isinstance(cell.value, str):
        cell.data_type = "s"  # text, even when it starts with "=" (never a formula)
    if number_format:
        cell.number_format = number_format
    cell.alignment = _WRAP
    return cell


def _heading_row(sheet: Worksheet, headings: Sequence[str], widths: Sequence[int] | None = None) -> None:
    for column, heading in enumerate(headings, start=1):
        _put(sheet, 1, column, heading).font = _BOLD
        if widths:
            sheet.column_dimensions[get_column_letter(column)].width = widths[column - 1]
    sheet.freeze_panes = "A2"


def _plan_sheet(sheet: Worksheet, spec: PlanSpec) -> None:
    _heading_row(sheet, [name for name, _ in PLAN_COLUMNS], [width for _, width in PLAN_COLUMNS])
    row = 1
    for priority in spec.priorities:
        section = spec.sections.get(priority.section, priority.section)
        # A priority without actions still gets its row, so that it (and its KPIs) come back.
        for position, action in enumerate(priority.actions or [None]):
            row += 1
            first = position == 0
            values: list[object] = [
                recommendation_cell(priority) if first else None,
                "\n".join(priority.expected_outcomes) if first else None,
            ]
            if action is None:
                values += [None] * 5 + [section] + [None] * 5
            else:
                values += [
                    f"{action.id} {action.text}",
                    _leads_cell(action.leads, "\n"),
                    action.timescale,
                    action.progress,
                    "" if action.rag is Rag.UNRATED else action.rag.label,
                    section,
                    action.original_timescale,
                    action.timescale_as_written,
                    ", ".join(str(n) for n in action.paragraph_refs),
                    "Yes" if action.is_new else "",
                    action.note,
                ]
            values.append(priority.note if first else None)
            for column, value in enumerate(values, start=1):
                _put(sheet, row, column, value, number_format=_DATE_FORMAT if isinstance(value, date) else None)
            if action is not None and (fill := RAG_FILLS.get(action.rag)):
                rag_cell = sheet.cell(row=row, column=7)
                rag_cell.fill = PatternFill("solid", fgColor=fill)
                rag_cell.font = Font(bold=True, color="FFFFFF" if action.rag in _WHITE_TEXT else "000000")
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(PLAN_COLUMNS))}{row}"


def _measures_sheet(sheet: Worksheet, spec: PlanSpec) -> None:
    _heading_row(sheet, ("Priority", "Kind", "Measure", "Current"), (9, 16, 80, 30))
    row = 1
    for priority in spec.priorities:
        for kind, measures in (("KPI", priority.kpis), ("Quality measure", priority.quality_measures)):
            for measure in measures:
                row += 1
                for column, value in enumerate((priority.number, kind, measure.name, measure.current), start=1):
                    _put(sheet, row, column, value)


def _history_sheet(sheet: Worksheet, history: Iterable[UpdateLike]) -> None:
    _heading_row(sheet, ("Action", "Date", "Author", "Source", "Update"), (8, 26, 20, 10, 80))
    for row, update in enumerate(history, start=2):
        at = update.at.replace(tzinfo=UTC) if update.at.tzinfo is None else update.at.astimezone(UTC)
        for column, value in enumerate(
            (update.action, at.isoformat(), update.author, update.source, update.text), start=1
        ):
            _put(sheet, row, column, value)


def _tracker_sheet(sheet: Worksheet, spec: PlanSpec, months: Sequence[tuple[str, Sequence[int]]] | None) -> None:
    numbers = [priority.number for priority in spec.priorities]
    _put(sheet, 1, 2, "RECOMMENDATIONS").font = _BOLD
    if numbers:
        sheet.merge_cells(start_row=1, start_column=2, end_row=1, end_column=len(numbers) + 1)
    for column, heading in enumerate([*numbers, "All"], start=2):
        _put(sheet, 2, column, heading).font = _BOLD
    tallies = [tally(priority.actions) for priority in spec.priorities]
    whole = tally(spec.actions)
    for offset, label in enumerate(TRACKER_ROWS):
        row = 3 + offset
        _put(sheet, row, 1, label).font = _BOLD
        for column, counts in enumerate([*tallies, whole], start=2):
            _put(sheet, row, column, counts.as_row()[offset])
    sheet.column_dimensions["A"].width = 16
    if months:
        top = 3 + len(TRACKER_ROWS) + 1
        _put(sheet, top, 1, "By month").font = _BOLD
        for column, (label, values) in enumerate(months, start=2):
            if len(values) != len(TRACKER_ROWS):
                raise ValueError(f"month {label!r} has {len(values)} values, not one per tracker row "
                                 f"({', '.join(TRACKER_ROWS)})")
            _put(sheet, top, column, label).font = _BOLD
            for offset, value in enumerate(values):
                _put(sheet, top + 1 + offset, column, value)
        for offset, label in enumerate(TRACKER_ROWS):
            _put(sheet, top + 1 + offset, 1, label).font = _BOLD
    sheet.freeze_panes = "B3"


def _about_sheet(sheet: Worksheet, spec: PlanSpec) -> None:
    _heading_row(sheet, ("Field", "Value", "Key"), (16, 60, 24))
    rows: list[tuple[object, ...]] = [
        ("Plan", spec.name),
        ("Organisation", spec.organisation),
        ("Progress as of", spec.progress_as_of.astimezone(UTC).isoformat() if spec.progress_as_of else None),
        *(("Section", title, key) for key, title in spec.sections.items()),
    ]
    for row, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            _put(sheet, row, column, value)


def write_workbook(
    path: Path,
    spec: PlanSpec,
    history: Iterable[UpdateLike],
    tracker: Sequence[tuple[str, Sequence[int]]] | None = None,
) -> Path:
    """Write the plan as an XLSX workbook in its own layout; read_plan_table reads it back whole.

    Sheets: "Plan" (one row per action, RAG cells coloured), "KPIs and quality measures",
    "Progress history" (every update in `history`), "Progress tracker" (the current tallies by
    priority, and `tracker`'s (month, one value per TRACKER_ROWS row) columns below), and
    "About this plan" (name, organisation, progress_as_of, sections).
    """
    book = Workbook()
    plan = book.active
    plan.title = PLAN_SHEET
    _plan_sheet(plan, spec)
    _measures_sheet(book.create_sheet(MEASURES_SHEET), spec)
    _history_sheet(book.create_sheet(HISTORY_SHEET), history)
    _tracker_sheet(book.create_sheet(TRACKER_SHEET), spec, tracker)
    _about_sheet(book.create_sheet(ABOUT_SHEET), spec)
    book.save(path)
    return path


def write_csv(path: Path, spec: PlanSpec) -> Path:
    """Write one row per action as CSV (UTF-8 with a BOM, for Excel); read_plan_table reads it back.

    The module docstring lists the fields a CSV does not carry.
    """
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(CSV_COLUMNS)
        for priority in spec.priorities:
            section = spec.sections.get(priority.section, priority.section)
            head = [
                priority.number,
                section,
                priority.ofsted_recommendation if priority.ofsted_recommendation is not None else "",
                priority.recommendation,
            ]
            if not priority.actions:
                writer.writerow(head + [""] * (len(CSV_COLUMNS) - len(head)))  # keeps an empty priority
            for action in priority.actions:
                writer.writerow([
                    *head,
                    action.id,
                    action.text,
                    _leads_cell(action.leads, "; "),
                    action.timescale.strftime("%d/%m/%Y") if action.timescale else "",
                    action.original_timescale.strftime("%d/%m/%Y") if action.original_timescale else "",
                    action.progress or "",
                    "" if action.rag is Rag.UNRATED else action.rag.label,
                    action.note or "",
                ])
    return path
