"""Reading the plan's history from planbot's own workbook: progress updates, RAG and timescale
changes, measure values, and who leads each role. Each reader returns its records in the sheet's
order and adds a RowProblem (with the sheet's name) for every bad cell; blank rows are skipped.

Date-times (Date, Retracted, Edited, Proposed at, …) are ISO text, as the export writes them: in UTC, with "+00:00". One
typed by hand without an offset ("2019-07-01 09:00"), or an Excel date-time cell (which has none),
is read in the plan's time zone (`zone`), as whoever typed it meant it. The export says so in a
note on each such heading. A cell holding an Excel error value ("#REF!") makes its row bad.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from bot.plan.history import (
    PROPOSAL_STATUSES,
    FrozenMonthRecord,
    LeadRecord,
    MeasureValueRecord,
    ProposalRecord,
    RagChangeRecord,
    TimescaleChangeRecord,
    UpdateRecord,
    UpdateRef,
    approval_messages_text,
    find_update,
)
from bot.plan.rag import Rag, valid_rag_words
from bot.plan.refs import SLACK_CHANNEL_ID, SLACK_TS, SLACK_USER_ID
from bot.plan.roles import normalise_role, role_key
from bot.plan.specs import CELL_TEXT_LIMIT
from bot.plan.tallies import Tally
from bot.spreadsheet.cells import (
    EXCEL_ERROR_HINT,
    cell_at,
    cell_text,
    excel_error,
    parse_rag_cell,
)
from bot.spreadsheet.dates import cell_date, instant, parse_uk_date
from bot.spreadsheet.extra_sheets import measure_kind, sheet_columns
from bot.spreadsheet.headings import heading_key
from bot.spreadsheet.problems import RowProblem
from bot.spreadsheet.refs import clean_id
from bot.spreadsheet.sheets import (
    ACTION_RECORD_COLUMNS,
    ACTION_RECORD_OPTIONAL,
    ACTIONS_SHEET,
    FROZEN_MONTH_COLUMNS,
    FROZEN_MONTHS_TITLE,
    HISTORY_COLUMNS,
    HISTORY_OPTIONAL,
    HISTORY_SHEET,
    LEADS_COLUMNS,
    LEADS_SHEET,
    MEASURE_HISTORY_COLUMNS,
    MEASURE_HISTORY_SHEET,
    PROPOSAL_COLUMNS,
    PROPOSALS_SHEET,
    RAG_HISTORY_COLUMNS,
    RAG_HISTORY_OPTIONAL,
    RAG_HISTORY_SHEET,
    TIMESCALE_HISTORY_COLUMNS,
    TIMESCALE_HISTORY_SHEET,
    TRACKER_SHEET,
)

ISO_HINT = "write it as 2019-03-31T09:00:00+00:00"
SLACK_USER_HINT = (
    "Slack user ids look like U0123ABCD (in Slack, open the person's profile, choose ⋮ and "
    "Copy member ID)"
)
# A Slack message's ts ("1712345678.000100"), or the identity the bot records in place of one for
# a button press or a modal ("press:<trigger id>", "modal:<view id>").
RECORDED_IDENTITY = re.compile(r"\A[a-z]+:\S+\Z")
SLACK_CHANNEL_HINT = (
    "Slack conversation ids look like C0123ABCD (a channel), G… (a private one) or D… (a DM); "
    "leave it as exported"
)
SLACK_TS_HINT = "a Slack message ts looks like 1712345678.000100; leave it as exported"
MAX_ROLES_LISTED = 8
DEFAULT_VIA = "import"  # the Source or Via of a row that leaves it empty
_YES = ("yes", "y", "true", "x")
_NO = ("no", "n", "false")
_KIND_WORDS = {"kpi": "KPI", "quality": "quality measure"}


@dataclass
class _Row:
    """One row of a history sheet, its cells by heading; each reader method notes its problems."""

    sheet: str
    index: int
    cells: dict[str, object]
    problems: list[RowProblem]
    zone: str = "UTC"
    ok: bool = True

    def problem(self, column: str, message: str) -> None:
        self.ok = False
        self.problems.append(RowProblem(self.index, column, message, self.sheet))

    def text(self, column: str) -> str | None:
        return cell_text(self.cells.get(column))

    def required(self, column: str, what: str) -> str:
        text = self.text(column)
        if text is None:
            self.problem(column, f"the {what} is empty")
        return text or ""

    def action(self, ids: set[str]) -> str:
        action = clean_id(self.text("Action") or "")
        if action not in ids:
            self.problem("Action", f"{action!r} is not an action of this plan")
        return action

    def instant(self, column: str, *, required: bool = True) -> datetime | None:
        text = self.text(column)
        if text is None:
            if required:
                self.problem(column, f"no date and time: {ISO_HINT}")
            return None
        at = instant(self.cells[column], self.zone)
        if at is None:
            self.problem(column, f"{text!r} is not a date and time ({ISO_HINT})")
        return at

    def day(self, column: str) -> date | None:
        day, text, ok = cell_date(self.cells.get(column))
        if not ok:
            self.problem(column, f"{text!r} is not a date; write it as dd/mm/yyyy")
        return day

    def number(self, column: str, what: str, *, required: bool = True) -> int | None:
        """A whole number of 1 or more (a cell Excel holds as 3.0 too)."""
        text = self.text(column)
        if text is None:
            if required:
                self.problem(column, f"the {what} is empty")
            return None
        if not text.isdigit() or int(text) < 1:
            self.problem(column, f"{text!r} is not a {what} (a whole number, 1 or more)")
            return None
        return int(text)

    def slack_message(self, channel_column: str, ts_column: str) -> tuple[str | None, str | None]:
        """A Slack conversation id and a message ts in two cells: both, or neither."""
        channel, ts = self.text(channel_column), self.text(ts_column)
        if channel is not None and not (
            SLACK_CHANNEL_ID.match(channel) or SLACK_USER_ID.match(channel)
        ):
            self.problem(
                channel_column, f"{channel!r} is not a Slack conversation id; {SLACK_CHANNEL_HINT}"
            )
        if ts is not None and not (SLACK_TS.match(ts) or RECORDED_IDENTITY.match(ts)):
            self.problem(ts_column, f"{ts!r} is not a Slack message ts; {SLACK_TS_HINT}")
        if (channel is None) != (ts is None):
            empty, filled = (
                (channel_column, ts_column) if channel is None else (ts_column, channel_column)
            )
            self.problem(
                empty,
                f"the {empty} is empty but the {filled} is not: a Slack message is named by both "
                "(or leave both empty)",
            )
        return channel, ts

    def rag(self, column: str) -> Rag:
        text = self.text(column)
        rag = parse_rag_cell(text)
        if rag is None:
            self.problem(column, f"{text!r} is not a RAG rating; use {valid_rag_words()}")
        return rag or Rag.UNRATED


def _rows(
    rows: list[list[object]],
    sheet: str,
    columns: Sequence[tuple[str, int]],
    problems: list[RowProblem],
    optional: Sequence[str] = (),
    zone: str = "UTC",
    heading_row: int = 1,
) -> Iterator[_Row]:
    """The sheet's non-blank rows below its heading row, `rows[0]` (none when a heading is
    missing); a row with an Excel error value in a cell it reads is noted as bad. `heading_row`
    is that row's number in the sheet (a table further down a sheet), for the problems."""
    names = [name for name, _ in columns]
    before = len(problems)
    found = sheet_columns(
        rows, sheet, [n for n in names if n not in optional], problems, optional=optional
    )
    if heading_row != 1:
        problems[before:] = [
            replace(
                problem,
                row=heading_row,
                message=problem.message.replace("the first row needs", "the heading row needs"),
            )
            for problem in problems[before:]
        ]
    if found is None:
        return
    for index, raw in enumerate(rows[1:], start=heading_row + 1):
        cells = {name: cell_at(raw, column) for name, column in found.items()}
        if any(cell_text(value) is not None for value in cells.values()):
            row = _Row(sheet, index, cells, problems, zone)
            for name, value in cells.items():
                if error := excel_error(value):
                    row.problem(name, f"{error} is {EXCEL_ERROR_HINT}")
                elif len(text := cell_text(value) or "") > CELL_TEXT_LIMIT:
                    row.problem(
                        name,
                        f"the text is {len(text):,} characters long; a spreadsheet cell holds at "
                        f"most {CELL_TEXT_LIMIT:,}: shorten it",
                    )
            yield row


def read_history(
    rows: list[list[object]], ids: set[str], problems: list[RowProblem], zone: str = "UTC"
) -> list[UpdateRecord]:
    """Every progress update, each for an action in `ids`. Retracted, Slack channel, Slack ts and
    Edited may be left out (older exports have none); a Slack message (channel and ts) is one
    update per action, so it may be listed once for each action."""
    updates = []
    first_rows: dict[tuple[str, str, str], int] = {}
    for row in _rows(
        rows, HISTORY_SHEET, HISTORY_COLUMNS, problems, optional=HISTORY_OPTIONAL, zone=zone
    ):
        action = row.action(ids)
        at = row.instant("Date")
        text = row.text("Update")
        if text is None:
            row.problem("Update", "the update has no text")
        retracted_at = row.instant("Retracted", required=False)
        channel, ts = row.slack_message("Slack channel", "Slack ts")
        edited_at = row.instant("Edited", required=False)
        if row.ok and channel is not None and ts is not None:
            first = first_rows.setdefault((channel, ts, action), row.index)
            if first != row.index:
                row.problem(
                    "Slack ts",
                    f"the Slack message {channel} {ts} is already an update of {action} (row "
                    f"{first}): a message is one update per action",
                )
        if row.ok and at is not None and text is not None:
            updates.append(
                UpdateRecord(
                    action,
                    at,
                    text,
                    row.text("Author"),
                    row.text("Source") or DEFAULT_VIA,
                    retracted_at,
                    channel,
                    ts,
                    edited_at,
                )
            )
    return updates


def read_proposals(
    rows: list[list[object]],
    ids: set[str],
    updates: Sequence[UpdateRecord] | None,
    problems: list[RowProblem],
    zone: str = "UTC",
) -> list[ProposalRecord]:
    """Every RAG proposal, decided or not, each for an action in `ids` and numbered once.

    Its update is named by the Update channel and Update ts (the update's Slack message) when it
    has them, otherwise by the Update date and Update author; when `updates` (the Progress
    history sheet, read without problems) is given, it must be one of the action's. An empty
    RAG proposes no new rating (only a revised timescale); Approval messages is JSON text, as
    exported.
    """
    proposals = []
    first_rows: dict[int, int] = {}
    statuses = {status.replace("_", " "): status for status in PROPOSAL_STATUSES}
    for row in _rows(rows, PROPOSALS_SHEET, PROPOSAL_COLUMNS, problems, zone=zone):
        number = row.number("Proposal", "proposal number")
        if number is not None:
            first = first_rows.setdefault(number, row.index)
            if first != row.index:
                row.problem("Proposal", f"proposal {number} is listed twice (first on row {first})")
        action = row.action(ids)
        proposed_at = row.instant("Proposed at")
        rag_text = row.text("RAG")
        rag = None
        if rag_text is not None:
            rag = parse_rag_cell(rag_text)
            if rag is None:
                row.problem(
                    "RAG",
                    f"{rag_text!r} is not a RAG rating; use Red, Amber, Green, Completed, or "
                    "leave it empty when only the timescale moves",
                )
        revised = row.day("Revised timescale")
        written = row.text("Status")
        status = statuses.get(" ".join((written or "").lower().replace("_", " ").split()))
        if status is None:
            row.problem(
                "Status",
                f"{written!r} is not a proposal status; use one of {', '.join(PROPOSAL_STATUSES)}"
                if written
                else f"the status is empty; use one of {', '.join(PROPOSAL_STATUSES)}",
            )
        confirmed_at = row.instant("Confirmed at", required=False)
        decided_at = row.instant("Decided at", required=False)
        update = _update_ref(row, action, updates)
        echo_channel, echo_ts = row.slack_message("Echo channel", "Echo ts")
        messages = _approval_messages(row)
        if row.ok and number is not None and proposed_at is not None and status is not None:
            proposals.append(
                ProposalRecord(
                    number=number,
                    action=action,
                    proposed_at=proposed_at,
                    proposed_by=row.text("Proposed by"),
                    rag=rag,
                    revised_timescale=revised,
                    evidence=row.text("Evidence"),
                    status=status,
                    update=update,
                    confirmed_at=confirmed_at,
                    decided_by=row.text("Decided by"),
                    decided_at=decided_at,
                    reason=row.text("Reason"),
                    echo_channel=echo_channel,
                    echo_ts=echo_ts,
                    approval_messages=messages,
                )
            )
    return proposals


def _update_ref(row: _Row, action: str, updates: Sequence[UpdateRecord] | None) -> UpdateRef | None:
    """The proposal row's update (None when its Update cells are empty), checked against the
    Progress history's `updates` when they are known."""
    cells = ("Update date", "Update author", "Update channel", "Update ts")
    if all(row.text(column) is None for column in cells):
        return None
    at = row.instant("Update date")
    channel, ts = row.slack_message("Update channel", "Update ts")
    if at is None or not row.ok:
        return None
    ref = UpdateRef(at, row.text("Update author"), channel, ts)
    if updates is not None and find_update(ref, action, list(updates)) is None:
        if channel is not None and ts is not None:
            column, which = "Update ts", f"from the Slack message {channel} {ts}"
        else:
            column = "Update date"
            which = f"by {ref.author or 'nobody named'} at {row.text('Update date')}"
        row.problem(
            column,
            f"the Progress history sheet has no update of {action} {which}: name the update "
            "the proposal came from as that sheet has it, or leave the Update cells empty",
        )
    return ref


def _approval_messages(row: _Row) -> str | None:
    """The Approval messages cell as canonical JSON text of a list (None when empty or [])."""
    text = row.text("Approval messages")
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, list):
        row.problem(
            "Approval messages",
            "not a JSON list of the approvers' messages; leave it as exported (or empty)",
        )
        return None
    return approval_messages_text(value)


def read_rag_history(
    rows: list[list[object]],
    ids: set[str],
    problems: list[RowProblem],
    zone: str = "UTC",
    proposals: Mapping[int, str] | None = None,
    *,
    has_proposals: bool = True,
) -> list[RagChangeRecord]:
    """Every change of an action's agreed RAG; an empty From or To is "not yet rated".

    Proposal (optional: older exports have none) names the RAG proposals sheet's proposal the
    change applied: one of `proposals` (number -> action), for the same action. Without that
    sheet (`has_proposals` False) no change may name one; with `proposals` None (that sheet had
    bad rows) the numbers are not checked.
    """
    changes = []
    for row in _rows(
        rows,
        RAG_HISTORY_SHEET,
        RAG_HISTORY_COLUMNS,
        problems,
        optional=RAG_HISTORY_OPTIONAL,
        zone=zone,
    ):
        action = row.action(ids)
        at = row.instant("Date")
        from_rag, to_rag = row.rag("From"), row.rag("To")
        proposal = row.number("Proposal", "proposal number", required=False)
        if proposal is not None and not has_proposals:
            row.problem(
                "Proposal",
                f"proposal {proposal} is named, but the workbook has no {PROPOSALS_SHEET!r} "
                "sheet: leave it empty, or put that sheet back",
            )
        elif proposal is not None and proposals is not None:
            if proposal not in proposals:
                row.problem(
                    "Proposal", f"there is no proposal {proposal} in the {PROPOSALS_SHEET!r} sheet"
                )
            elif proposals[proposal] != action:
                row.problem(
                    "Proposal",
                    f"proposal {proposal} is about action {proposals[proposal]}, not {action}",
                )
        if row.ok and at is not None:
            changes.append(
                RagChangeRecord(
                    action,
                    at,
                    from_rag,
                    to_rag,
                    row.text("By"),
                    row.text("Via") or DEFAULT_VIA,
                    row.text("Reason"),
                    proposal,
                )
            )
    return changes


def read_timescale_history(
    rows: list[list[object]], ids: set[str], problems: list[RowProblem], zone: str = "UTC"
) -> list[TimescaleChangeRecord]:
    """Every revision of an action's timescale; an empty From or To is "no date"."""
    changes = []
    for row in _rows(rows, TIMESCALE_HISTORY_SHEET, TIMESCALE_HISTORY_COLUMNS, problems, zone=zone):
        action = row.action(ids)
        at = row.instant("Date")
        from_date, to_date = row.day("From"), row.day("To")
        if row.ok and at is not None:
            changes.append(
                TimescaleChangeRecord(
                    action,
                    at,
                    from_date,
                    to_date,
                    row.text("By"),
                    row.text("Via") or DEFAULT_VIA,
                    row.text("Reason"),
                )
            )
    return changes


def is_planbot_leads(rows: list[list[object]]) -> bool:
    """Whether a "Leads" sheet is planbot's (a "Slack user" heading in its first row), not an
    owner's own list of lead officers, which is left alone."""
    return heading_key("Slack user") in {heading_key(cell) for cell in (rows[0] if rows else [])}


def read_leads(
    rows: list[list[object]], roles: Sequence[str], problems: list[RowProblem]
) -> list[LeadRecord]:
    """Who leads (or deputises for) each role; a role and user pair may be listed once.

    Each Role must be a lead role of an action in the plan table (`roles`, as split_leads read
    the Lead column): it is matched by role_key (case, dashes and spaces forgiven, as `leads map`
    finds a role), and comes back spelt as the plan spells it (the same spelling written exactly
    wins). Each Slack user must be a Slack user id (U0123ABCD).
    """
    exact = {role: role for role in roles}
    folded: dict[str, str] = {}
    for role in roles:
        folded.setdefault(role_key(role), role)
    leads = []
    first_rows: dict[tuple[str, str], int] = {}
    for row in _rows(rows, LEADS_SHEET, LEADS_COLUMNS, problems):
        written = row.required("Role", "role")
        role = normalise_role(written)
        role = exact.get(role) or folded.get(role_key(role), "")
        if written and not role:
            row.problem("Role", _unknown_role(written, roles))
        user_id = row.required("Slack user", "Slack user")
        if user_id and not SLACK_USER_ID.match(user_id):
            row.problem("Slack user", f"{user_id!r} is not a Slack user id; {SLACK_USER_HINT}")
        deputy = (row.text("Deputy") or "").lower()
        if deputy not in ("", *_YES, *_NO):
            row.problem("Deputy", f"{row.text('Deputy')!r} is not yes (a deputy) or empty (a lead)")
        if role and user_id:
            first = first_rows.setdefault((role, user_id), row.index)
            if first != row.index:
                row.problem(
                    "Slack user",
                    f"{user_id} is listed for the role {role!r} twice (first on row {first})",
                )
        if row.ok:
            leads.append(LeadRecord(role, user_id, deputy in _YES))
    return leads


def _unknown_role(written: str, roles: Sequence[str]) -> str:
    """Why a Leads row's role is not the plan's, with the plan's roles closest to it first."""
    message = f"{written!r} is not a lead role of any action in the Plan sheet"
    if not roles:
        return f"{message}; no action has one: fill in the Lead column first"
    key = normalise_role(written).casefold()
    closest = sorted(
        roles, key=lambda role: -difflib.SequenceMatcher(None, key, role.casefold()).ratio()
    )[:MAX_ROLES_LISTED]
    listed = ", ".join(repr(role) for role in closest)
    more = len(roles) - len(closest)
    return f"{message}; roles are: {listed}" + (f" (and {more} more)" if more else "")


def check_original_timescales(
    changes: Sequence[TimescaleChangeRecord],
    originals: Mapping[str, tuple[int, date | None]],
    column: str | None,
    problems: list[RowProblem],
) -> None:
    """An action with timescale revisions must keep, as its Original Timescale, the date first
    agreed: the From of its earliest revision (by Date). Otherwise a problem on its row of the
    plan table (`originals`: action id -> (row, Original Timescale); `column`: that heading).
    An action without revisions may have any Original Timescale: one that differs from its
    Timescale is loaded as a revision."""
    first_agreed: dict[str, date | None] = {}
    for change in sorted(changes, key=lambda change: change.at):
        first_agreed.setdefault(change.action, change.from_date)
    for action, agreed in first_agreed.items():
        if action not in originals:
            continue
        row, original = originals[action]
        if original != agreed:
            when = agreed.strftime("%d/%m/%Y") if agreed else "none: leave it empty"
            problems.append(
                RowProblem(
                    row,
                    column or "Original Timescale",
                    f"Original Timescale is the date first agreed ({when}) and cannot be "
                    "edited; change the Timescale column to revise it",
                )
            )


def read_measure_history(
    rows: list[list[object]],
    measures: Mapping[tuple[int, str], Sequence[str]],
    problems: list[RowProblem],
    zone: str = "UTC",
) -> list[MeasureValueRecord]:
    """Every KPI value and QA rating recorded, each for a measure in `measures`: (priority number,
    "kpi" or "quality") -> the names of that priority's measures of that kind, with both kinds'
    keys for every priority of the plan."""
    values = []
    numbers = {number for number, _ in measures}
    for row in _rows(rows, MEASURE_HISTORY_SHEET, MEASURE_HISTORY_COLUMNS, problems, zone=zone):
        written = row.text("Priority")
        number = int(written) if written and written.isdigit() else None
        kind = measure_kind(row.text("Kind"))
        name = row.text("Measure")
        if number is None or number not in numbers:
            row.problem("Priority", f"{written!r} is not a priority of this plan")
        elif kind is None:
            row.problem("Kind", f"{row.text('Kind')!r} is not KPI or Quality measure")
        elif name is None:
            row.problem("Measure", "the measure has no name")
        elif name not in measures.get((number, kind), ()):
            row.problem(
                "Measure",
                f"{name!r} is not a {_KIND_WORDS[kind]} of priority {number} "
                "(see the KPIs and quality measures sheet)",
            )
        value = row.required("Value", "value")
        at = row.instant("Date")
        if row.ok and number is not None and kind and name and at is not None:
            values.append(
                MeasureValueRecord(
                    number,
                    kind,
                    name,
                    value,
                    at,
                    row.text("By"),
                    row.text("Source") or DEFAULT_VIA,
                )
            )
    return values


def read_action_records(
    rows: list[list[object]], ids: set[str], problems: list[RowProblem], zone: str = "UTC"
) -> dict[str, dict[str, object]]:
    """Each action's record (the ActionSpec fields, by action id): when it was added and by
    whom, and when, by whom and why it was closed. An action is listed once; Closed by and
    Closed reason need a Closed date-time (an action with none is open)."""
    records: dict[str, dict[str, object]] = {}
    first_rows: dict[str, int] = {}
    for row in _rows(
        rows,
        ACTIONS_SHEET,
        ACTION_RECORD_COLUMNS,
        problems,
        optional=ACTION_RECORD_OPTIONAL,
        zone=zone,
    ):
        action = row.action(ids)
        if row.ok:
            first = first_rows.setdefault(action, row.index)
            if first != row.index:
                row.problem("Action", f"action {action} is listed twice (first on row {first})")
        created_at = row.instant("Added", required=False)
        closed_at = row.instant("Closed", required=False)
        if row.text("Closed") is None:
            for column in ("Closed by", "Closed reason"):
                if row.text(column) is not None:
                    row.problem(
                        "Closed",
                        f"the Closed date and time is empty but the {column} is not: a closed "
                        f"action has the date and time it was closed ({ISO_HINT}); leave all "
                        "three empty for an open action",
                    )
                    break
        if row.ok:
            records[action] = {
                "created_at": created_at,
                "created_by": row.text("Added by"),
                "closed_at": closed_at,
                "closed_by": row.text("Closed by"),
                "closed_reason": row.text("Closed reason"),
            }
    return records


_MONTH = re.compile(r"\A(\d{4})-(\d{2})\Z")
_MONTH_HINT = "write it as 2018-11"


def _month(row: _Row) -> str | None:
    """The Month cell as "YYYY-MM": so written, as "NOV 2018" or "November 2018", or a date."""
    value, text = row.cells.get("Month"), row.text("Month")
    if text is None:
        row.problem("Month", f"the month is empty; {_MONTH_HINT}")
        return None
    day = value.date() if isinstance(value, datetime) else value
    if not isinstance(day, date):
        if match := _MONTH.match(text):
            year, month = int(match.group(1)), int(match.group(2))
            day = date(year, month, 1) if 1 <= month <= 12 else None
        else:
            day = parse_uk_date(f"1 {text}")
    if day is None:
        row.problem("Month", f"{text!r} is not a month; {_MONTH_HINT}")
        return None
    return f"{day.year:04d}-{day.month:02d}"


def read_frozen_months(
    rows: list[list[object]], problems: list[RowProblem], zone: str = "UTC"
) -> list[FrozenMonthRecord] | None:
    """The Progress tracker sheet's frozen months: the table below the title "Frozen months" in
    column A (None when the sheet has no such title: an export from before it, or an owner's
    tracker). One row per month and priority, each listed once; every tally a whole number, 0 or
    more; Frozen at a date and time. Priorities are not checked against the plan: a month keeps
    the priorities it was frozen with."""
    title = heading_key(FROZEN_MONTHS_TITLE)
    top = next((n for n, raw in enumerate(rows) if heading_key(cell_at(raw, 0)) == title), None)
    if top is None:
        return None
    frozen = []
    first_rows: dict[tuple[str, int], int] = {}
    names = [name for name, _ in FROZEN_MONTH_COLUMNS]
    for row in _rows(
        rows[top + 1 :],
        TRACKER_SHEET,
        FROZEN_MONTH_COLUMNS,
        problems,
        zone=zone,
        heading_row=top + 2,
    ):
        month = _month(row)
        priority = row.number("Priority", "priority number")
        counts = [_count(row, name) for name in names[2:-1]]
        frozen_at = row.instant("Frozen at")
        if month is not None and priority is not None:
            first = first_rows.setdefault((month, priority), row.index)
            if first != row.index:
                row.problem(
                    "Priority",
                    f"priority {priority} of {month} is listed twice (first on row {first})",
                )
        if row.ok and month and priority and frozen_at and None not in counts:
            frozen.append(FrozenMonthRecord(month, priority, Tally(*counts), frozen_at))
    return frozen


def _count(row: _Row, column: str) -> int | None:
    """A tally: a whole number, 0 or more (a cell Excel holds as 3.0 too)."""
    text = row.text(column)
    if text is None or not text.isdigit():
        row.problem(
            column,
            f"{text!r} is not a number of actions (a whole number, 0 or more)"
            if text is not None
            else "the number of actions is empty; write 0 for none",
        )
        return None
    return int(text)
