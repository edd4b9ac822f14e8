"""write_workbook: a PlanArchive as an XLSX in the plan's own layout, with the tracker and the
plan's whole history."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.plan.history import FrozenMonthRecord, PlanArchive
from bot.plan.rag import Rag
from bot.plan.specs import CELL_TEXT_LIMIT, ActionSpec, PlanSpec, PrioritySpec
from bot.plan.tallies import TRACKER_ROWS, tally
from bot.spreadsheet.files import write_atomically
from bot.spreadsheet.leads import leads_cell
from bot.spreadsheet.sheets import (
    ABOUT_SHEET,
    ACTION_RECORD_COLUMNS,
    ACTIONS_SHEET,
    DATE_TIME_HEADINGS,
    FROZEN_MONTH_COLUMNS,
    FROZEN_MONTHS_TITLE,
    HISTORY_COLUMNS,
    HISTORY_SHEET,
    LEADS_COLUMNS,
    LEADS_SHEET,
    MEASURE_HISTORY_COLUMNS,
    MEASURE_HISTORY_SHEET,
    MEASURE_KINDS,
    MEASURES_SHEET,
    PLAN_SHEET,
    PROPOSAL_COLUMNS,
    PROPOSALS_SHEET,
    RAG_HISTORY_COLUMNS,
    RAG_HISTORY_SHEET,
    TIMESCALE_HISTORY_COLUMNS,
    TIMESCALE_HISTORY_SHEET,
    TRACKER_SHEET,
    date_time_note,
)

PLAN_COLUMNS = (
    ("Recommendation", 45),
    ("Expected Outcomes", 45),
    ("Actions", 55),
    ("Lead", 28),
    ("Timescale", 12),
    ("Progress Update", 60),
    ("RAG", 11),
    # To the right of the plan's own layout: what a lossless round trip needs.
    ("Section", 28),
    ("Original Timescale", 12),
    ("Timescale As Written", 12),
    ("Paragraph Refs", 10),
    ("New Action", 8),
    ("Note", 40),
    ("Priority Note", 40),
)
RAG_FILLS = {Rag.RED: "FF0000", Rag.AMBER: "FFC000", Rag.GREEN: "00B050", Rag.COMPLETED: "0070C0"}
_WHITE_TEXT = {Rag.RED, Rag.COMPLETED}
_DATE_FORMAT = "dd/mm/yyyy"
_WRAP = Alignment(wrap_text=True, vertical="top")
_BOLD = Font(bold=True)
_CLOSED = Font(strike=True, color="808080")  # a closed action's Actions cell


def recommendation_cell(priority: PrioritySpec) -> str:
    """ "Priority N: <recommendation> (para 21, 23) (Ref: Ofsted Recommendation M)"."""
    text = f"Priority {priority.number}"
    if priority.recommendation != text:
        text += f": {priority.recommendation}"
    if priority.paragraph_refs:
        text += f" (para {', '.join(str(n) for n in priority.paragraph_refs)})"
    if priority.ofsted_recommendation is not None:
        text += f" (Ref: Ofsted Recommendation {priority.ofsted_recommendation})"
    return text


class TextTooLong(ValueError):
    """A text longer than an XLSX cell holds: the export stops rather than cut it."""


def _safe(value: object) -> object:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value) or None
    return value


def _put_row(sheet: Worksheet, row: int, values: list, what: str | None = None) -> None:
    """One row of cells, dates shown as dd/mm/yyyy; `what` names the row in a TextTooLong."""
    for column, value in enumerate(values, start=1):
        _put(
            sheet,
            row,
            column,
            value,
            number_format=_DATE_FORMAT if isinstance(value, date) else None,
            what=what,
        )


def _put(
    sheet: Worksheet,
    row: int,
    column: int,
    value: object,
    *,
    number_format: str | None = None,
    what: str | None = None,
) -> Cell:
    cell = sheet.cell(row=row, column=column)
    value = _safe(value)
    if isinstance(value, str) and len(value) > CELL_TEXT_LIMIT:
        # openpyxl would cut it to the limit without a word: the rest would be lost for good.
        heading = sheet.cell(row=1, column=column).value if row > 1 else None
        where = what or f"the {sheet.title!r} sheet, cell {cell.coordinate}"
        raise TextTooLong(
            f"{where}: the {heading or 'text'} is {len(value):,} characters long and an XLSX "
            f"cell holds at most {CELL_TEXT_LIMIT:,}; shorten it, or export to .csv"
        )
    cell.value = value
    if isinstance(cell.value, str):
        cell.data_type = "s"  # text, even when it starts with "=" (never a formula)
    if number_format:
        cell.number_format = number_format
    cell.alignment = _WRAP
    return cell


def _heading_row(
    sheet: Worksheet, headings: Sequence[str], widths: Sequence[int] | None = None
) -> None:
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
                    action.cell_text,
                    leads_cell(action.leads, "\n"),
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
            _put_row(sheet, row, values, f"action {action.id}" if action else None)
            if action is not None and action.closed_at is not None:
                actions_cell = sheet.cell(row=row, column=3)
                actions_cell.font = _CLOSED
                actions_cell.comment = Comment(_closed_note(action), "planbot")
            if action is not None and (fill := RAG_FILLS.get(action.rag)):
                rag_cell = sheet.cell(row=row, column=7)
                rag_cell.fill = PatternFill("solid", fgColor=fill)
                rag_cell.font = Font(
                    bold=True, color="FFFFFF" if action.rag in _WHITE_TEXT else "000000"
                )
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(PLAN_COLUMNS))}{row}"


def _closed_note(action: ActionSpec) -> str:
    """The note on a closed action's Actions cell; the "Actions added and closed" sheet is the
    record (a note is not read back)."""
    reason = action.closed_reason or ""
    if len(reason) > 500:
        reason = reason[:500] + "…"
    note = f"Closed {action.closed_at:%d/%m/%Y}" if action.closed_at else "Closed"
    note += (f" by {action.closed_by}" if action.closed_by else "") + (
        f": {reason}" if reason else ""
    )
    return ILLEGAL_CHARACTERS_RE.sub("", note) + f" (see the {ACTIONS_SHEET!r} sheet)"


def _measures_sheet(sheet: Worksheet, spec: PlanSpec) -> None:
    _heading_row(sheet, ("Priority", "Kind", "Measure", "Current"), (9, 16, 80, 30))
    row = 1
    for priority in spec.priorities:
        for kind, measures in (
            (MEASURE_KINDS["kpi"], priority.kpis),
            (MEASURE_KINDS["quality"], priority.quality_measures),
        ):
            for measure in measures:
                row += 1
                for column, value in enumerate(
                    (priority.number, kind, measure.name, measure.current), start=1
                ):
                    _put(sheet, row, column, value)


def _iso(at: datetime | None) -> str | None:
    """A history date-time as ISO text in UTC (naive means UTC), or None."""
    if at is None:
        return None
    return (at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)).isoformat()


def _table_sheet(
    sheet: Worksheet,
    columns: Sequence[tuple[str, int]],
    rows: Iterable[Sequence[object]],
    zone: str,
) -> None:
    """A history sheet: its heading row (a note on each date-time heading: UTC, and a naive one
    in the plan's time zone `zone`), then one row per record (dates as dd/mm/yyyy)."""
    _heading_row(sheet, [name for name, _ in columns], [width for _, width in columns])
    for column, (name, _) in enumerate(columns, start=1):
        if name in DATE_TIME_HEADINGS:
            sheet.cell(row=1, column=column).comment = Comment(date_time_note(zone), "planbot")
    for row, values in enumerate(rows, start=2):
        _put_row(sheet, row, values)


def _actions_sheet(sheet: Worksheet, spec: PlanSpec, zone: str) -> None:
    """Each action's record (when added and by whom; when, by whom and why closed), for every
    action that has one."""
    _table_sheet(
        sheet,
        ACTION_RECORD_COLUMNS,
        (
            (
                a.id,
                _iso(a.created_at),
                a.created_by,
                _iso(a.closed_at),
                a.closed_by,
                a.closed_reason,
            )
            for a in spec.actions
            if a.has_record or a.created_by is not None
        ),
        zone,
    )


def _history_sheets(book: Workbook, archive: PlanArchive, zone: str) -> None:
    """One sheet for each of the archive's history lists that is not None."""
    if archive.updates is not None:
        _table_sheet(
            book.create_sheet(HISTORY_SHEET),
            HISTORY_COLUMNS,
            (
                (
                    u.action,
                    _iso(u.at),
                    u.author,
                    u.source,
                    u.text,
                    _iso(u.retracted_at),
                    u.slack_channel,
                    u.slack_ts,
                    _iso(u.edited_at),
                )
                for u in archive.updates
            ),
            zone,
        )
    if archive.rag_changes is not None:
        _table_sheet(
            book.create_sheet(RAG_HISTORY_SHEET),
            RAG_HISTORY_COLUMNS,
            (
                (
                    c.action,
                    _iso(c.at),
                    c.from_rag.label,
                    c.to_rag.label,
                    c.by,
                    c.via,
                    c.reason,
                    c.proposal,
                )
                for c in archive.rag_changes
            ),
            zone,
        )
    if archive.proposals is not None:
        _table_sheet(
            book.create_sheet(PROPOSALS_SHEET),
            PROPOSAL_COLUMNS,
            (
                (
                    p.number,
                    p.action,
                    _iso(p.proposed_at),
                    p.proposed_by,
                    p.rag.label if p.rag else None,
                    p.revised_timescale,
                    p.evidence,
                    p.status,
                    _iso(p.confirmed_at),
                    _iso(p.decided_at),
                    p.decided_by,
                    p.reason,
                    _iso(p.update.at) if p.update else None,
                    p.update.author if p.update else None,
                    p.update.slack_channel if p.update else None,
                    p.update.slack_ts if p.update else None,
                    p.echo_channel,
                    p.echo_ts,
                    p.approval_messages,
                )
                for p in archive.proposals
            ),
            zone,
        )
    if archive.timescale_changes is not None:
        _table_sheet(
            book.create_sheet(TIMESCALE_HISTORY_SHEET),
            TIMESCALE_HISTORY_COLUMNS,
            (
                (c.action, _iso(c.at), c.from_date, c.to_date, c.by, c.via, c.reason)
                for c in archive.timescale_changes
            ),
            zone,
        )
    if archive.measure_values is not None:
        _table_sheet(
            book.create_sheet(MEASURE_HISTORY_SHEET),
            MEASURE_HISTORY_COLUMNS,
            (
                (
                    v.priority,
                    MEASURE_KINDS[v.kind],
                    v.measure,
                    v.value,
                    _iso(v.at),
                    v.by,
                    v.source,
                )
                for v in archive.measure_values
            ),
            zone,
        )
    if archive.leads is not None:
        _table_sheet(
            book.create_sheet(LEADS_SHEET),
            LEADS_COLUMNS,
            ((lead.role, lead.user_id, "yes" if lead.deputy else None) for lead in archive.leads),
            zone,
        )


def _tracker_sheet(
    sheet: Worksheet,
    spec: PlanSpec,
    months: Sequence[tuple[str, Sequence[int]]] | None,
    frozen: Sequence[FrozenMonthRecord] | None,
    zone: str,
) -> None:
    numbers = [priority.number for priority in spec.priorities]
    _put(sheet, 1, 2, "RECOMMENDATIONS").font = _BOLD
    _put(sheet, 2, 1, "Now").font = _BOLD  # the live tallies; frozen months are below
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
                raise ValueError(
                    f"month {label!r} has {len(values)} values, not one per tracker row "
                    f"({', '.join(TRACKER_ROWS)})"
                )
            _put(sheet, top, column, label).font = _BOLD
            for offset, value in enumerate(values):
                _put(sheet, top + 1 + offset, column, value)
        for offset, label in enumerate(TRACKER_ROWS):
            _put(sheet, top + 1 + offset, 1, label).font = _BOLD
    if frozen is not None:
        _frozen_months(sheet, sheet.max_row + 2, frozen, zone)
    sheet.freeze_panes = "B3"


def _frozen_months(
    sheet: Worksheet, top: int, frozen: Sequence[FrozenMonthRecord], zone: str
) -> None:
    """The frozen months' table from row `top`: its title, its headings, then one row per month
    and priority (the month as "YYYY-MM", the time it was frozen as ISO text in UTC)."""
    title = _put(sheet, top, 1, FROZEN_MONTHS_TITLE)
    title.font = _BOLD
    title.comment = Comment(
        "Each month's tallies per priority as they stood at the month's end, frozen then: the "
        "committee's record. An import adds a month the database has not frozen and never "
        "rewrites one it has; the tallies above are live.",
        "planbot",
    )
    for column, (name, _) in enumerate(FROZEN_MONTH_COLUMNS, start=1):
        heading = _put(sheet, top + 1, column, name)
        heading.font = _BOLD
        if name in DATE_TIME_HEADINGS:
            heading.comment = Comment(date_time_note(zone), "planbot")
    for row, record in enumerate(frozen, start=top + 2):
        _put_row(
            sheet,
            row,
            [record.month, record.priority, *record.tally.as_row(), _iso(record.frozen_at)],
        )


def _about_sheet(sheet: Worksheet, spec: PlanSpec) -> None:
    _heading_row(sheet, ("Field", "Value", "Key"), (16, 60, 24))
    rows: list[tuple[object, ...]] = [
        ("Plan", spec.name),
        ("Organisation", spec.organisation),
        (
            "Progress as of",
            spec.progress_as_of.astimezone(UTC).isoformat() if spec.progress_as_of else None,
        ),
        *(("Section", title, key) for key, title in spec.sections.items()),
    ]
    for row, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            _put(sheet, row, column, value)


def write_workbook(
    path: Path,
    archive: PlanArchive,
    tracker: Sequence[tuple[str, Sequence[int]]] | None = None,
    *,
    timezone: str = "UTC",
) -> Path:
    """Write a plan and its history as an XLSX workbook in the plan's own layout;
    read_plan_table reads it back as an equal PlanArchive.

    Sheets: "Plan" (one row per action, RAG cells coloured, a closed action's text struck
    through), "KPIs and quality measures", "Actions added and closed" (when each action was
    added and by whom; when, by whom and why it was closed), then
    one sheet for each history list that is not None (an empty list writes its headings only):
    "Progress history" (with each update's Slack message and edit time), "RAG history" (with
    the proposal each change applied), "RAG proposals" (decided or not: one row each, numbered,
    naming its update by Slack message, or date and author), "Timescale history", "Measure
    history" and "Leads"; then "Progress tracker" (the current, live tallies by priority,
    `tracker`'s (month, one value per TRACKER_ROWS row) columns below, and under the title
    "Frozen months" the archive's frozen month tallies, one row per month and priority, when
    `frozen_months` is not None) and "About this plan"
    (name, organisation, progress_as_of, sections). History date-times are ISO text in UTC (a note on each date-time heading says so,
    and that reading takes one without an offset in the plan's `timezone`); timescales are dates
    shown dd/mm/yyyy.

    Nothing is cut: a text longer than a cell holds (CELL_TEXT_LIMIT) raises TextTooLong naming
    it. The file is written beside `path` and renamed (write_atomically): a failure leaves no
    file, or the previous one as it was.
    """
    spec = archive.spec
    book = Workbook()
    plan = book.active
    plan.title = PLAN_SHEET
    _plan_sheet(plan, spec)
    _measures_sheet(book.create_sheet(MEASURES_SHEET), spec)
    _actions_sheet(book.create_sheet(ACTIONS_SHEET), spec, timezone)
    _history_sheets(book, archive, timezone)
    _tracker_sheet(book.create_sheet(TRACKER_SHEET), spec, tracker, archive.frozen_months, timezone)
    _about_sheet(book.create_sheet(ABOUT_SHEET), spec)
    return write_atomically(path, lambda temp: book.save(temp))
