"""Issue 9: updates keep their Slack message and edit time through the workbook, and RAG proposals
(decided or not) travel on a sheet of their own, each naming its update and the RAG change that
applied it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.plan.history import PlanArchive, ProposalRecord, UpdateRecord, UpdateRef
from bot.plan.rag import Rag
from bot.spreadsheet import (
    HISTORY_SHEET,
    PROPOSALS_SHEET,
    RAG_HISTORY_SHEET,
    RowProblem,
    read_plan_table,
    write_workbook,
)
from tests.spreadsheet.test_spreadsheet import (
    AT,
    ISO_FIX,
    full_archive,
    history_workbook,
    rejected,
    small_plan,
)

at = datetime(2019, 1, 1, 9, tzinfo=UTC)
MESSAGE = {"Slack channel": "C0123ABCD", "Slack ts": "1546333200.000100"}
CHANNEL_HINT = (
    "Slack conversation ids look like C0123ABCD (a channel), G… (a private one) or D… (a DM); "
    "leave it as exported"
)
TS_HINT = "a Slack message ts looks like 1712345678.000100; leave it as exported"
STATUSES = "unconfirmed, evidence_pending, awaiting_approval, accepted, returned, withdrawn"


def test_an_updates_slack_message_and_edit_time_are_read(tmp_path: Path) -> None:
    path = history_workbook(
        tmp_path,
        {HISTORY_SHEET: [{**MESSAGE, "Edited": "2019-01-01T09:05:00+00:00"}]},
    )

    [update] = read_plan_table(path).updates or []

    assert (update.slack_channel, update.slack_ts, update.edited_at) == (
        "C0123ABCD",
        "1546333200.000100",
        datetime(2019, 1, 1, 9, 5, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("sheet", "changes", "problem"),
    [
        (
            HISTORY_SHEET,
            {"Slack channel": "general", "Slack ts": "1546333200.000100"},
            RowProblem(
                2, "Slack channel", f"'general' is not a Slack conversation id; {CHANNEL_HINT}"
            ),
        ),
        (
            HISTORY_SHEET,
            {"Slack channel": "C0123ABCD", "Slack ts": "1546333200"},
            RowProblem(2, "Slack ts", f"'1546333200' is not a Slack message ts; {TS_HINT}"),
        ),
        (
            HISTORY_SHEET,
            {"Slack channel": "C0123ABCD"},
            RowProblem(
                2,
                "Slack ts",
                "the Slack ts is empty but the Slack channel is not: a Slack message is named by "
                "both (or leave both empty)",
            ),
        ),
        (
            HISTORY_SHEET,
            {"Edited": "later"},
            RowProblem(2, "Edited", f"'later' is not a date and time ({ISO_FIX})"),
        ),
        (
            RAG_HISTORY_SHEET,
            {"Proposal": "first"},
            RowProblem(
                2, "Proposal", "'first' is not a proposal number (a whole number, 1 or more)"
            ),
        ),
        (
            RAG_HISTORY_SHEET,
            {"Proposal": 4},
            RowProblem(2, "Proposal", "there is no proposal 4 in the 'RAG proposals' sheet"),
        ),
        (
            PROPOSALS_SHEET,
            {"Proposal": None},
            RowProblem(2, "Proposal", "the proposal number is empty"),
        ),
        (
            PROPOSALS_SHEET,
            {"Action": "9.9"},
            RowProblem(2, "Action", "'9.9' is not an action of this plan"),
        ),
        (
            PROPOSALS_SHEET,
            {"Proposed at": None},
            RowProblem(2, "Proposed at", f"no date and time: {ISO_FIX}"),
        ),
        (
            PROPOSALS_SHEET,
            {"RAG": "Purple"},
            RowProblem(
                2,
                "RAG",
                "'Purple' is not a RAG rating; use Red, Amber, Green, Completed, or leave it "
                "empty when only the timescale moves",
            ),
        ),
        (
            PROPOSALS_SHEET,
            {"Revised timescale": "TBC"},
            RowProblem(2, "Revised timescale", "'TBC' is not a date; write it as dd/mm/yyyy"),
        ),
        (
            PROPOSALS_SHEET,
            {"Status": "pending"},
            RowProblem(2, "Status", f"'pending' is not a proposal status; use one of {STATUSES}"),
        ),
        (
            PROPOSALS_SHEET,
            {"Decided at": "Tuesday"},
            RowProblem(2, "Decided at", f"'Tuesday' is not a date and time ({ISO_FIX})"),
        ),
        (
            PROPOSALS_SHEET,
            {"Update date": AT, "Update author": "U1"},  # the Progress history sheet is empty
            RowProblem(
                2,
                "Update date",
                "the Progress history sheet has no update of 1.1 by U1 at "
                f"{AT}: name the update the proposal came from as that sheet has it, or leave "
                "the Update cells empty",
            ),
        ),
        (
            PROPOSALS_SHEET,
            {"Update author": "U1"},
            RowProblem(2, "Update date", f"no date and time: {ISO_FIX}"),
        ),
        (
            PROPOSALS_SHEET,
            {"Echo ts": "1546333200.000100"},
            RowProblem(
                2,
                "Echo channel",
                "the Echo channel is empty but the Echo ts is not: a Slack message is named by "
                "both (or leave both empty)",
            ),
        ),
        (
            PROPOSALS_SHEET,
            {"Approval messages": "C0123ABCD"},
            RowProblem(
                2,
                "Approval messages",
                "not a JSON list of the approvers' messages; leave it as exported (or empty)",
            ),
        ),
    ],
)
def test_each_bad_slack_or_proposal_cell_is_named(
    tmp_path: Path, sheet: str, changes: dict[str, object], problem: RowProblem
) -> None:
    path = history_workbook(tmp_path, {sheet: [changes]})

    [found] = rejected(path).problems
    assert found == RowProblem(problem.row, problem.column, problem.message, sheet)


def test_a_slack_message_is_one_update_per_action(tmp_path: Path) -> None:
    path = history_workbook(
        tmp_path,
        {HISTORY_SHEET: [MESSAGE, {**MESSAGE, "Action": "1.2"}, {**MESSAGE, "Update": "Again"}]},
    )

    assert rejected(path).problems == [
        RowProblem(
            4,
            "Slack ts",
            "the Slack message C0123ABCD 1546333200.000100 is already an update of 1.1 (row 2): "
            "a message is one update per action",
            HISTORY_SHEET,
        )
    ]


def test_the_identities_the_bot_records_for_presses_and_modals_are_read(tmp_path: Path) -> None:
    path = history_workbook(
        tmp_path,
        {
            HISTORY_SHEET: [
                {"Slack channel": "D0123ABCD", "Slack ts": "press:1234.5678.abcdef"},
                {"Slack channel": "U0123ABCD", "Slack ts": "modal:V0123ABCD"},  # DM by user id
            ]
        },
    )

    updates = read_plan_table(path).updates or []

    assert [(u.slack_channel, u.slack_ts) for u in updates] == [
        ("D0123ABCD", "press:1234.5678.abcdef"),
        ("U0123ABCD", "modal:V0123ABCD"),
    ]


def test_a_proposal_names_its_update_by_slack_message_or_date_and_author(tmp_path: Path) -> None:
    path = history_workbook(
        tmp_path,
        {
            HISTORY_SHEET: [MESSAGE, {"Action": "1.2", "Author": "Jo"}],
            PROPOSALS_SHEET: [
                # The Slack message decides: the date written beside it is not compared.
                {
                    "Update date": "2019-01-01T10:00:00+00:00",
                    "Update channel": "C0123ABCD",
                    "Update ts": "1546333200.000100",
                },
                {
                    "Proposal": 2,
                    "Action": "1.2",
                    "Status": "Awaiting approval",  # as typed by hand
                    "Update date": AT,
                    "Update author": "Jo",
                },
            ],
        },
    )

    proposals = read_plan_table(path).proposals or []

    assert [p.update for p in proposals] == [
        UpdateRef(datetime(2019, 1, 1, 10, tzinfo=UTC), None, "C0123ABCD", "1546333200.000100"),
        UpdateRef(at, "Jo"),
    ]
    assert proposals[1].status == "awaiting_approval"


def test_a_proposal_listed_twice_is_named(tmp_path: Path) -> None:
    path = history_workbook(tmp_path, {PROPOSALS_SHEET: [{}, {"Action": "1.2"}]})

    assert rejected(path).problems == [
        RowProblem(3, "Proposal", "proposal 1 is listed twice (first on row 2)", PROPOSALS_SHEET)
    ]


def test_a_rag_change_names_a_proposal_of_its_own_action(tmp_path: Path) -> None:
    path = history_workbook(
        tmp_path,
        {
            PROPOSALS_SHEET: [{"Action": "1.2"}],
            RAG_HISTORY_SHEET: [{"Proposal": 1}],
        },
    )

    assert rejected(path).problems == [
        RowProblem(2, "Proposal", "proposal 1 is about action 1.2, not 1.1", RAG_HISTORY_SHEET)
    ]


def test_a_rag_change_cannot_name_a_proposal_without_the_proposals_sheet(tmp_path: Path) -> None:
    path = history_workbook(tmp_path, {RAG_HISTORY_SHEET: [{"Proposal": 1}]})
    book = load_workbook(path)
    del book[PROPOSALS_SHEET]
    book.save(path)

    assert rejected(path).problems == [
        RowProblem(
            2,
            "Proposal",
            "proposal 1 is named, but the workbook has no 'RAG proposals' sheet: leave it "
            "empty, or put that sheet back",
            RAG_HISTORY_SHEET,
        )
    ]


def test_a_bad_progress_history_row_is_fixed_before_proposals_are_checked(
    tmp_path: Path,
) -> None:
    path = history_workbook(
        tmp_path,
        {
            HISTORY_SHEET: [{"Author": "Jo", "Update": None}],
            PROPOSALS_SHEET: [{"Update date": AT, "Update author": "Jo"}],
        },
    )

    assert [(p.sheet, p.column) for p in rejected(path).problems] == [(HISTORY_SHEET, "Update")]


def test_an_export_from_before_slack_ids_and_proposals_is_read(tmp_path: Path) -> None:
    """No Slack channel, Slack ts or Edited column, no Proposal column, no proposals sheet."""
    spec = small_plan()
    updates = [UpdateRecord("1.1", at, "Started", "U1", "reply")]
    path = write_workbook(tmp_path / "plan.xlsx", PlanArchive(spec, updates, rag_changes=[]))
    book = load_workbook(path)
    book[HISTORY_SHEET].delete_cols(7, 3)
    book[RAG_HISTORY_SHEET].delete_cols(8)
    book.save(path)

    back = read_plan_table(path)

    assert back == PlanArchive(spec, updates, rag_changes=[])
    assert back.proposals is None
    # A replace keeps the database's Slack messages and proposal links for these entries.
    assert {"update_messages", "proposal_links"} <= back.lacks


def test_the_whole_archive_lacks_no_history_column(tmp_path: Path) -> None:
    back = read_plan_table(write_workbook(tmp_path / "plan.xlsx", full_archive()))

    assert back.lacks == frozenset()
    assert back.proposals == full_archive().proposals


def test_a_proposal_to_unrated_is_not_a_timescale_only_one(tmp_path: Path) -> None:
    archive = full_archive()
    assert archive.proposals is not None
    archive.proposals.append(
        ProposalRecord(10, "1.1", at, "U0ADMIN", Rag.UNRATED, None, None, "withdrawn")
    )

    back = read_plan_table(write_workbook(tmp_path / "plan.xlsx", archive))

    assert back.proposals is not None and back.proposals[-1].rag is Rag.UNRATED
