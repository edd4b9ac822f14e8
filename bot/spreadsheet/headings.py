"""Finding the plan table's header row, and which column holds which field (detected, or --map)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.spreadsheet.cells import cell_text
from bot.spreadsheet.problems import RowProblem

# Each field's headings, compared after heading_key(); earlier ones win when a file has several.
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
# Other names `--map` accepts for a field: the words owners use for it (compared as _field_key).
FIELD_SYNONYMS = {
    "ref": "action_id",
    "id": "action_id",
    "number": "action_id",
    "no": "action_id",
    "action_ref": "action_id",
    "action_number": "action_id",
    "description": "action",
    "text": "action",
    "owner": "lead",
    "leads": "lead",
    "responsible": "lead",
    "due": "timescale",
    "due_date": "timescale",
    "deadline": "timescale",
    "target_date": "timescale",
    "date": "timescale",
    "update": "progress",
    "progress_update": "progress",
    "latest_update": "progress",
    "status": "rag",
    "rag_status": "rag",
    "rating": "rag",
    "outcomes": "expected_outcomes",
    "ofsted": "ofsted_recommendation",
    "notes": "note",
    "skip": IGNORE,
}

HEADING_ROWS = 10  # the header row must be among the first ten


def heading_key(value: object) -> str:
    """A heading compared case-insensitively, ignoring punctuation and extra spaces."""
    text = cell_text(value) or ""
    if text.strip() == "#":
        return "#"
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


def _field_key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def detect(cells: Sequence[object]) -> dict[int, str]:
    """Column index -> field, for the headings this row's cells spell."""
    best: dict[str, tuple[int, int]] = {}  # field -> (rank of the heading, column)
    for column, cell in enumerate(cells):
        key = heading_key(cell)
        for name, headings in HEADINGS.items():
            if key in headings:
                candidate = (headings.index(key), column)
                best[name] = min(best.get(name, candidate), candidate)
    mapping = {column: name for name, (_rank, column) in best.items()}
    # "Recommendation" beside a "Priority" column holds the recommendation's text.
    for column, cell in enumerate(cells):
        if heading_key(cell) == "recommendation" and column not in mapping:
            mapping[column] = "recommendation"
    return mapping


@dataclass
class Header:
    """The plan table's header row and the field of each of its columns."""

    row: int  # 1-based
    cells: list[object]
    fields: dict[int, str]  # column index -> field

    def heading(self, name: str) -> str | None:
        """The heading, as written in the file, of the column holding field `name`."""
        for column, field_name in self.fields.items():
            if field_name == name:
                return cell_text(self.cells[column])
        return None


def find_header(
    rows: list[list[object]], column_map: dict[str, str], problems: list[RowProblem]
) -> Header | None:
    """The header row among the first ten, with each column's field (detected, then --map)."""
    wanted = {heading_key(column): column for column in column_map}
    best: tuple[tuple[int, int], int] | None = None
    for index, cells in enumerate(rows[:HEADING_ROWS]):
        keys = {heading_key(cell) for cell in cells}
        score = (sum(key in keys for key in wanted), len(detect(cells)))
        if score > (0, 1) and (best is None or score > best[0]):
            best = (score, index)
    index = best[1] if best else None
    cells = list(rows[index]) if index is not None else []
    fields = detect(cells)
    valid_fields = {_field_key(name): name for name in FIELDS}
    valid_fields.update({_field_key(word): name for word, name in FIELD_SYNONYMS.items()})
    for key, column in wanted.items():
        target = valid_fields.get(_field_key(column_map[column]))
        if target is None:
            problems.append(
                RowProblem(
                    None,
                    column,
                    (
                        f"--map {column}={column_map[column]}: {column_map[column]!r} is not a field; "
                        f"valid fields: {', '.join(FIELDS)}; also accepted: "
                        + ", ".join(f"{word} ({name})" for word, name in FIELD_SYNONYMS.items())
                    ),
                )
            )
            continue
        at = next((i for i, cell in enumerate(cells) if heading_key(cell) == key), None)
        if at is None:
            listed = ", ".join(repr(t) for cell in cells if (t := cell_text(cell))) or "none found"
            problems.append(
                RowProblem(
                    None,
                    column,
                    (
                        f"--map {column}={column_map[column]}: there is no column {column!r} in the file; "
                        f"its columns are: {listed}"
                    ),
                )
            )
            continue
        fields = {c: f for c, f in fields.items() if f != target and c != at}
        if target != IGNORE:
            fields[at] = target
    if problems:
        return None
    if index is None or not ({"action", "action_id"} & set(fields.values())):
        problems.append(
            RowProblem(
                None,
                None,
                (
                    f"no header row found in the first {HEADING_ROWS} rows: expected headings such as "
                    "Ref, Action, Lead, Timescale, Progress Update, RAG "
                    "(or name the columns with --map COLUMN=FIELD)"
                ),
            )
        )
        return None
    header = Header(index + 1, cells, fields)
    if "action" not in fields.values():
        problems.append(
            RowProblem(
                header.row,
                None,
                (
                    "no action text column: expected a heading such as Action, Actions or Action description "
                    "(or --map COLUMN=action)"
                ),
            )
        )
        return None
    return header
