"""read_plan_table: an owner's .xlsx or .csv into a PlanArchive, or ImportRejected naming every
problem."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from bot.plan.history import PlanArchive
from bot.plan.specs import SECTIONS, PlanSpec, PrioritySpec
from bot.spreadsheet.cells import cell_text, slug
from bot.spreadsheet.extra_sheets import About, read_about, read_measures
from bot.spreadsheet.files import SUPPORTED, read_csv, read_xlsx
from bot.spreadsheet.headings import find_header, heading_key
from bot.spreadsheet.history_sheets import (
    check_original_timescales,
    is_planbot_leads,
    read_action_records,
    read_frozen_months,
    read_history,
    read_leads,
    read_measure_history,
    read_proposals,
    read_rag_history,
    read_timescale_history,
)
from bot.spreadsheet.problems import ImportRejected, RowProblem
from bot.spreadsheet.sheets import (
    ABOUT_SHEET,
    ACTIONS_SHEET,
    HISTORY_SHEET,
    LEADS_SHEET,
    MEASURE_HISTORY_SHEET,
    MEASURES_SHEET,
    PROPOSALS_SHEET,
    RAG_HISTORY_OPTIONAL,
    RAG_HISTORY_SHEET,
    TIMESCALE_HISTORY_SHEET,
    TRACKER_SHEET,
    UPDATE_MESSAGE_COLUMNS,
)
from bot.spreadsheet.table import Table, read_table

DEFAULT_PLAN_NAME = "Improvement plan"

T = TypeVar("T")


def read_plan_table(
    path: Path, column_map: dict[str, str] | None = None, *, timezone: str = "UTC"
) -> PlanArchive:
    """Read a plan, and whatever history the file holds, from an owner's spreadsheet (.xlsx or
    .csv), or raise ImportRejected listing every problem.

    The header row (within the first ten rows) is found from common headings (HEADINGS);
    `column_map` ({"Heading as in the file": "field"}, the CLI's --map) overrides them. Each row
    below it is one action. The action id comes from its own column or from the start of the
    Actions cell ("1.1 Commission ..."); its priority from the id ("7.3" is in priority 7).
    Priority-level cells (recommendation, expected outcomes, section) may be filled on the
    priority's first row only. Without a Section column every priority is in section "plan".
    Dates are day first (parse_uk_date); leads are split by split_leads. Write action ids as text:
    Excel keeps a number cell 7.10 as 7.1 (which then shows up as a duplicate of 7.1).

    Each action's record (when it was added and by whom; when, by whom and why it was closed)
    comes from the "Actions added and closed" sheet; an action without a row there has none
    (ActionSpec.has_record), and without the sheet `lacks` says so. The frozen month tallies
    come from the table below "Frozen months" on the "Progress tracker" sheet (None without it).
    The archive's history lists come from planbot's own sheets ("Progress history", "RAG
    history", "RAG proposals", "Timescale history", "Leads", "Measure history"); each is None
    when the file has no such sheet (a CSV never has), and [] when the sheet is there but empty. A "Leads" sheet without
    a "Slack user" heading is taken to be the owner's own and is not read. History date-times
    are ISO text in UTC; one without an offset (typed by hand, or an Excel date-time) is read in
    `timezone`, the plan's.

    Lead roles that differ only in case, dashes or spaces are one role, spelt as first written
    (`merged_roles` lists the other spellings); control characters other than tab and line
    breaks are left out of every text. The archive's `lacks` names what the file does not carry
    (see LACKABLE), so that a replace keeps the database's.

    What the store could not load is rejected here, so that nothing is loaded from such a file:
    two KPIs (or quality measures) of one priority with the same name; a Leads row whose Role
    is not a lead role of any action (a role is matched ignoring case, dashes and spaces, and
    comes back spelt as in the plan table) or whose Slack user is not a user id like U0123ABCD;
    a Slack message listed twice as an update of one action; a proposal whose update is not in
    the Progress history, or a RAG change naming a proposal that is not in the RAG proposals
    sheet (or is another action's); an action with timescale revisions whose Original
    Timescale is not the From of its earliest revision (the date first agreed, which only the Timescale column may revise); an
    Excel error value (#REF!, #N/A...) in a cell read, or a date in the Lead column; and a text
    longer than an XLSX cell holds (CELL_TEXT_LIMIT; an action's with its number in front, as
    the Plan sheet writes it), which an export could not write back whole.
    """
    source = path.name
    column_map = dict(column_map or {})
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        kind = f"a {suffix} file" if suffix else "a file without an extension"
        raise ImportRejected(
            source, [RowProblem(None, None, f"cannot import {kind}; save the plan as {SUPPORTED}")]
        )
    if not path.is_file():
        raise ImportRejected(source, [RowProblem(None, None, f"there is no file {str(path)!r}")])
    book = read_xlsx(path, source) if suffix == ".xlsx" else read_csv(path, source, column_map)

    problems: list[RowProblem] = []
    if not any(cell_text(cell) for row in book.rows for cell in row):
        raise ImportRejected(
            source, [RowProblem(None, None, "the file is empty: no plan table found")]
        )
    header = find_header(book.rows, column_map, problems)
    if header is None:
        raise ImportRejected(source, problems)
    table = read_table(book.rows, header, problems)
    if not table.priorities and not problems:
        problems.append(RowProblem(header.row, None, "no actions below the header row"))

    about = (
        read_about(book.sheets[ABOUT_SHEET], problems, timezone)
        if ABOUT_SHEET in book.sheets
        else About()
    )
    if MEASURES_SHEET in book.sheets:
        read_measures(book.sheets[MEASURES_SHEET], table, problems)
    ids = {a.id for draft in table.priorities.values() for a in draft.actions}
    measures = {
        (number, kind): [m.name for m in (draft.kpis if kind == "kpi" else draft.quality_measures)]
        for number, draft in table.priorities.items()
        for kind in ("kpi", "quality")
    }

    def sheet(name: str, read: Callable[[list[list[object]]], T]) -> T | None:
        return read(book.sheets[name]) if name in book.sheets else None

    records = sheet(ACTIONS_SHEET, lambda rows: read_action_records(rows, ids, problems, timezone))
    before = len(problems)
    updates = sheet(HISTORY_SHEET, lambda rows: read_history(rows, ids, problems, timezone))
    # A proposal's update is checked against the Progress history when that sheet read cleanly
    # (with a bad row the update may be the one missing: fix that first); a RAG change's
    # proposal likewise against the RAG proposals sheet.
    known_updates = updates if len(problems) == before else None
    before = len(problems)
    proposals = sheet(
        PROPOSALS_SHEET,
        lambda rows: read_proposals(rows, ids, known_updates, problems, timezone),
    )
    rag_changes = sheet(
        RAG_HISTORY_SHEET,
        lambda rows: read_rag_history(
            rows,
            ids,
            problems,
            timezone,
            {p.number: p.action for p in proposals or []} if len(problems) == before else None,
            has_proposals=proposals is not None,
        ),
    )
    before = len(problems)
    timescale_changes = sheet(
        TIMESCALE_HISTORY_SHEET, lambda rows: read_timescale_history(rows, ids, problems, timezone)
    )
    if timescale_changes and len(problems) == before:
        # With a bad row the earliest revision may be unknown: fix that first.
        originals = {
            action.id: (table.rows[action.id], action.original_timescale)
            for draft in table.priorities.values()
            for action in draft.actions
        }
        check_original_timescales(
            timescale_changes, originals, header.heading("original_timescale"), problems
        )
    leads = (
        sheet(LEADS_SHEET, lambda rows: read_leads(rows, table.lead_roles, problems))
        if is_planbot_leads(book.sheets.get(LEADS_SHEET, []))
        else None  # no Leads sheet, or the owner's own
    )
    measure_values = sheet(
        MEASURE_HISTORY_SHEET, lambda rows: read_measure_history(rows, measures, problems, timezone)
    )
    frozen_months = sheet(TRACKER_SHEET, lambda rows: read_frozen_months(rows, problems, timezone))
    if problems:
        raise ImportRejected(source, problems)
    for draft in table.priorities.values():
        for action in draft.actions:
            for name, value in (records or {}).get(action.id, {}).items():
                setattr(action, name, value)
    spec = _spec(table, about, has_sections=header.heading("section") is not None)
    return PlanArchive(
        spec=spec,
        updates=updates,
        rag_changes=rag_changes,
        timescale_changes=timescale_changes,
        leads=leads,
        measure_values=measure_values,
        proposals=proposals,
        frozen_months=frozen_months,
        lacks=_lacks(spec, set(header.fields.values()), set(book.sheets))
        | _history_lacks(book.sheets),
        merged_roles=table.spellings.merged_roles(),
    )


# The action and priority fields a column of the plan table carries (field of the column).
_COLUMN_OF = {
    "sections": "section",
    "expected_outcomes": "expected_outcomes",
    "priority_note": "priority_note",
    "leads": "lead",
    "timescale": "timescale",
    "original_timescale": "original_timescale",
    "timescale_as_written": "timescale_as_written",
    "progress": "progress",
    "rag": "rag",
    "note": "note",
    "is_new": "new_action",
}


def _lacks(spec: PlanSpec, columns: set[str], sheets: set[str]) -> frozenset[str]:
    """What the file does not carry: a field without a column, a sheet that is not there.

    Paragraph refs and Ofsted numbers have no column of their own in a tracker: they are written
    at the end of the recommendation or action text, "(para 21) (Ref: Ofsted Recommendation 1)".
    Such a file carries them where it spells any, and planbot's own workbook (the one with an
    About sheet) always does, so that deleting them there deletes them.
    """
    own = ABOUT_SHEET in sheets
    lacks = {name for name, column in _COLUMN_OF.items() if column not in columns}
    if not own:
        lacks.add("about")
    if MEASURES_SHEET not in sheets:
        lacks.add("measures")
    if ACTIONS_SHEET not in sheets:
        lacks.add("action_records")
    spelt = {
        "ofsted_recommendation": "ofsted_recommendation" in columns
        or any(p.ofsted_recommendation is not None for p in spec.priorities),
        "priority_paragraph_refs": any(p.paragraph_refs for p in spec.priorities),
        "paragraph_refs": "paragraph_refs" in columns
        or any(a.paragraph_refs for a in spec.actions),
    }
    lacks |= {name for name, found in spelt.items() if not (own or found)}
    return frozenset(lacks)


def _history_lacks(sheets: dict[str, list[list[object]]]) -> frozenset[str]:
    """The history columns a history sheet that is there lacks (an export from before them)."""

    def lacks(sheet: str, columns: tuple[str, ...]) -> bool:
        if sheet not in sheets:
            return False
        first = {heading_key(cell) for cell in (sheets[sheet][0] if sheets[sheet] else [])}
        return not all(heading_key(column) in first for column in columns)

    found = set()
    if lacks(HISTORY_SHEET, UPDATE_MESSAGE_COLUMNS):
        found.add("update_messages")
    if lacks(RAG_HISTORY_SHEET, RAG_HISTORY_OPTIONAL):
        found.add("proposal_links")
    return frozenset(found)


def _spec(table: Table, about: About, *, has_sections: bool) -> PlanSpec:
    known = {title.casefold(): key for key, title in SECTIONS.items()}
    known.update({title.casefold(): key for key, title in about.sections.items()})
    sections = dict(about.sections)

    def section_key(title: str | None) -> str:
        if not title:
            sections.setdefault("plan", "Plan")
            return "plan"
        key = known.get(title.casefold())
        if key is None:
            key = base = slug(title)
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
