"""The plan table's rows below the header, read into priorities and their actions, with problems."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from bot.plan.rag import Rag, valid_rag_words
from bot.plan.roles import RoleSpellings
from bot.plan.specs import CELL_TEXT_LIMIT, ActionSpec, MeasureSpec
from bot.spreadsheet.cells import (
    EXCEL_ERROR_HINT,
    cell_at,
    cell_text,
    excel_error,
    is_number,
    numbers,
    parse_rag_cell,
)
from bot.spreadsheet.dates import cell_date, parse_uk_date
from bot.spreadsheet.headings import FIELDS, Header, heading_key
from bot.spreadsheet.leads import split_leads
from bot.spreadsheet.problems import RowProblem
from bot.spreadsheet.refs import (
    ACTION_HEAD,
    PARAGRAPH_LIST,
    action_ref,
    clean_id,
    priority_cell,
    split_trailing_refs,
)

_YES = ("yes", "y", "true", "1", "x", "new")
_NO = ("", "no", "n", "false", "0")


@dataclass
class PriorityDraft:
    """A priority as its rows are read; becomes a PrioritySpec once the whole file is good."""

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

    def set(
        self, name: str, value: object, row: int, column: str | None, problems: list[RowProblem]
    ) -> None:
        """Record a priority-level value once; a different value on a later row is a problem."""
        if name not in self.first_rows:
            setattr(self, name, value)
            self.first_rows[name] = row
        elif getattr(self, name) != value:
            problems.append(
                RowProblem(
                    row,
                    column,
                    (
                        f"priority {self.number} already has a different {name.replace('_', ' ')} "
                        f"on row {self.first_rows[name]}; write it once, on the priority's first row, "
                        "or the same on every row"
                    ),
                )
            )


@dataclass
class _PriorityCells:
    """A row's priority-level cells: filled on a priority's first row only, or on every row."""

    row: int
    number: int | None = None
    values: list[tuple[str, object, str | None]] = field(
        default_factory=list
    )  # field, value, heading

    def apply(self, draft: PriorityDraft, problems: list[RowProblem]) -> None:
        for name, value, column in self.values:
            draft.set(name, value, self.row, column, problems)


def _priority_cells(
    cells: dict[str, object], row: int, heading: dict[str, str | None], problems: list[RowProblem]
) -> _PriorityCells:
    found = _PriorityCells(row)

    def add(name: str, value: object, column: str | None) -> None:
        if value not in (None, "", []):
            found.values.append((name, value, column))

    if (text := cell_text(cells.get("priority"))) is not None:
        # A number, "Priority N: recommendation ... (para 21) (Ref: Ofsted Recommendation M)", or text.
        found.number, recommendation, refs, ofsted = priority_cell(text)
        add("recommendation", recommendation, heading["priority"])
        add("paragraph_refs", refs, heading["priority"])
        add("ofsted_recommendation", ofsted, heading["priority"])
    if (text := cell_text(cells.get("recommendation"))) is not None:
        recommendation, refs, ofsted = split_trailing_refs(text, ofsted=True)
        add("recommendation", " ".join(recommendation.split()), heading["recommendation"])
        add("paragraph_refs", refs, heading["recommendation"])
        add("ofsted_recommendation", ofsted, heading["recommendation"])
    if (text := cell_text(cells.get("ofsted_recommendation"))) is not None:
        if text.isdigit():
            add("ofsted_recommendation", int(text), heading["ofsted_recommendation"])
        else:
            problems.append(
                RowProblem(
                    row,
                    heading["ofsted_recommendation"],
                    f"{text!r} is not an Ofsted recommendation number",
                )
            )
    if (text := cell_text(cells.get("expected_outcomes"))) is not None:
        # One outcome per line; bullets dropped.
        lines = [
            re.sub(r"^[\s\u2022\u00b7*\-\u2013]+", "", line).strip() for line in text.split("\n")
        ]
        add("expected_outcomes", [line for line in lines if line], heading["expected_outcomes"])
    add("section", cell_text(cells.get("section")), heading["section"])
    add("note", cell_text(cells.get("priority_note")), heading["priority_note"])
    return found


@dataclass
class Table:
    """The plan table's rows, read into priorities."""

    priorities: dict[int, PriorityDraft] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)  # action id -> its (1-based) row
    # Every lead role named in the Lead column, in order, each once (bad rows' too, so that the
    # Leads sheet is checked against what the owner wrote, not only against the good rows).
    lead_roles: list[str] = field(default_factory=list)
    # Lead roles spelt differently ("Head of CP", "head of cp") are one role: see RoleSpellings.
    spellings: RoleSpellings = field(default_factory=RoleSpellings)

    def priority(self, number: int) -> PriorityDraft:
        return self.priorities.setdefault(number, PriorityDraft(number))


def _numeric_id_hint(column: str | None) -> str:
    return (
        f"Excel stored this id as a number (1.10 becomes 1.1): format the {column or 'Ref'} "
        "column as Text and retype the ids"
    )


def read_table(rows: list[list[object]], header: Header, problems: list[RowProblem]) -> Table:
    """Every row below the header as an action of its priority; each bad cell adds a problem."""
    table = Table()
    heading = {name: header.heading(name) for name in FIELDS}
    header_keys = {c: heading_key(header.cells[c]) for c in header.fields}
    seen: dict[str, tuple[int, bool]] = {}  # action id -> (row, whether its id cell was a number)
    carried: int | None = (
        None  # the last priority number written, for bare ids ("3" under priority 7)
    )
    pending: list[
        _PriorityCells
    ] = []  # priority rows without a number, for the next action's priority

    for index in range(header.row, len(rows)):
        row = index + 1
        raw = rows[index]
        cells = {name: cell_at(raw, c) for c, name in header.fields.items()}
        if all(cell_text(v) is None for v in cells.values()):
            continue
        if all(heading_key(cell_at(raw, c)) == key for c, key in header_keys.items()):
            continue  # the header repeated (a printed plan repeats it after each page break)

        def bad(name: str, message: str, row: int = row) -> None:
            problems.append(RowProblem(row, heading[name], message))

        if _bad_cells(cells, bad):
            continue
        leads = table.spellings.spell_all(split_leads(cell_text(cells.get("lead"))))
        for role in leads:
            if role not in table.lead_roles:
                table.lead_roles.append(role)

        priority = _priority_cells(cells, row, heading, problems)
        if priority.number is not None:
            carried = priority.number

        # The action id: its own column, or the start of the Actions cell ("1.1 Commission ...").
        action_text = cell_text(cells.get("action"))
        id_text = cell_text(cells.get("action_id"))
        id_column = "action_id"
        if id_text is None and action_text and (match := ACTION_HEAD.match(action_text)):
            id_text, id_column = match.group(1), "action"
            action_text = action_text[match.end() :].strip() or None
        elif (
            id_text is not None
            and action_text
            and (match := ACTION_HEAD.match(action_text))
            and match.group(1) == clean_id(id_text)
        ):
            action_text = action_text[match.end() :].strip() or None  # "7.3" beside "7.3 Do X"

        if id_text is None and action_text is None:
            if priority.number is not None:
                priority.apply(table.priority(priority.number), problems)
            elif priority.values:
                pending.append(priority)
            else:
                bad(
                    "action_id" if heading["action_id"] else "action",
                    (
                        "no action id and no action text; every row below the header row must be an "
                        "action (delete the row if it is not)"
                    ),
                )
            continue
        before, waiting, pending = len(problems), pending, []
        if id_text is None:
            where = "the Actions cell does not start with an action number like 7.3"
            if heading["action_id"]:
                where = f"the {heading['action_id']} cell is empty"
            bad("action_id" if heading["action_id"] else "action", f"no action id: {where}")
            continue
        ref = action_ref(id_text, carried)
        if ref is None:
            bad(id_column, f"{id_text!r} is not an action number like 7.3")
            continue
        action_id = str(ref)
        # Excel keeps a typed 1.10 as the number 1.1, which then looks like a second 1.1.
        numeric = id_column == "action_id" and is_number(cells.get("action_id"))
        if action_id in seen:
            first_row, first_numeric = seen[action_id]
            message = f"action {action_id} appears twice (first on row {first_row})"
            if numeric or first_numeric:
                message += f"; {_numeric_id_hint(heading['action_id'])}"
            bad(id_column, message)
            continue
        seen[action_id] = (row, numeric)
        if priority.number is not None and priority.number != ref.priority:
            bad(
                "priority",
                f"action {action_id} belongs to priority {ref.priority}, but the "
                f"{heading['priority']} cell says priority {priority.number}",
            )
        if action_text is None:
            bad("action", f"action {action_id} has no action text")
        action = _action(action_id, action_text or "", leads, cells, row, heading, problems)
        if len(action.cell_text) > CELL_TEXT_LIMIT:
            # The Plan sheet writes "1.1 <text>" in one cell: a text that fits only without its
            # number would lose its end at export, and more at every round trip.
            room = CELL_TEXT_LIMIT - len(action.cell_text) + len(action.text)
            bad(
                "action",
                f"action {action_id}'s text is {len(action.text):,} characters long; with its "
                f"number in front ({action_id + ' '!r}), as the Plan sheet writes it, a cell "
                f"holds at most {room:,}: shorten it",
            )
        if len(problems) == before:
            draft = table.priority(ref.priority)
            for earlier in [*waiting, priority]:
                earlier.apply(draft, problems)
            draft.actions.append(action)
            table.rows[action_id] = row
    for earlier in pending:
        problems.append(RowProblem(earlier.row, None, "priority details with no action below them"))
    return table


def _bad_cells(cells: dict[str, object], bad) -> bool:
    """Note each cell no plan value can come from; whether there was any (the row is then not
    read further, so that one bad cell gets one message, not several)."""
    found = False
    for name, value in cells.items():
        text = cell_text(value)
        if text is None:
            continue
        if error := excel_error(text):
            bad(name, f"{error} is {EXCEL_ERROR_HINT}")
        elif len(text) > CELL_TEXT_LIMIT:
            bad(
                name,
                f"the text is {len(text):,} characters long; a spreadsheet cell holds at most "
                f"{CELL_TEXT_LIMIT:,}: shorten it",
            )
        elif name == "lead" and (isinstance(value, date) or parse_uk_date(text)):
            # A date where a role should be: usually the columns are shifted, or mapped wrongly.
            bad(
                name,
                f"{text!r} is a date, not a lead role: check that this is the Lead column "
                "(or name the columns with --map COLUMN=FIELD)",
            )
        else:
            continue
        found = True
    return found


def _action(
    action_id: str,
    text: str,
    leads: list[str],
    cells: dict[str, object],
    row: int,
    heading: dict[str, str | None],
    problems: list[RowProblem],
) -> ActionSpec:
    """The row's action; each bad cell adds a problem (and the caller drops the action)."""

    def bad(name: str, message: str) -> None:
        problems.append(RowProblem(row, heading[name], message))

    if heading["paragraph_refs"] is not None:
        refs_text = cell_text(cells.get("paragraph_refs")) or ""
        if refs_text and not PARAGRAPH_LIST.fullmatch(refs_text):
            bad("paragraph_refs", f"{refs_text!r} is not a list of paragraph numbers like 21, 78")
        refs = numbers(refs_text)
    else:
        text, refs, _ = split_trailing_refs(text, ofsted=False)  # "Commission ... (21) (78)."

    timescale, as_written, ok = cell_date(cells.get("timescale"))
    if not ok:
        bad("timescale", f"{as_written!r} is not a date; write it as dd/mm/yyyy")
    if heading["timescale_as_written"] is not None and not isinstance(cells.get("timescale"), str):
        as_written = cell_text(cells.get("timescale_as_written"))
    original, original_text, ok = cell_date(cells.get("original_timescale"))
    if not ok:
        bad("original_timescale", f"{original_text!r} is not a date; write it as dd/mm/yyyy")

    rag_text = cell_text(cells.get("rag"))
    rag = parse_rag_cell(rag_text)
    if rag is None:
        bad("rag", f"{rag_text!r} is not a RAG rating; use {valid_rag_words()}")

    new_text = (cell_text(cells.get("new_action")) or "").lower()
    if new_text not in _YES + _NO:
        bad("new_action", f"{new_text!r} is not yes or no")

    return ActionSpec(
        id=action_id,
        text=text,
        leads=leads,
        timescale=timescale,
        timescale_as_written=as_written,
        original_timescale=original,
        progress=cell_text(cells.get("progress")),
        rag=rag or Rag.UNRATED,
        paragraph_refs=refs,
        note=cell_text(cells.get("note")),
        is_new=new_text in _YES,
    )
