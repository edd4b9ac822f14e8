"""Loading, replacing and exporting a plan with its whole history: nothing lost, nothing twice."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, select

from bot.plan.history import (
    FrozenMonthRecord,
    LeadRecord,
    MeasureValueRecord,
    PlanArchive,
    ProposalRecord,
    RagChangeRecord,
    TimescaleChangeRecord,
    UpdateRecord,
    UpdateRef,
)
from bot.plan.rag import Rag
from bot.plan.tallies import Tally
from store import archive, leads, plan
from store.engine import make_engine, migrate, transaction
from store.models import Action, RagChange, TimescaleChange
from tests.conftest import LOADED_AT

NOV = datetime(2018, 11, 20, 10, tzinfo=UTC)
DEC = datetime(2018, 12, 3, 10, tzinfo=UTC)
DEC_EDIT = datetime(2018, 12, 3, 10, 5, tzinfo=UTC)
DM, TS = "D0LEAD0001", "1543831200.000100"  # the Slack message of 1.4's December update


def _export(engine) -> PlanArchive:
    with Session(engine) as session:
        return archive.export_archive(session=session)


def _with_history(spec) -> PlanArchive:
    """The seed plan after a month of use: every kind of history, by hand."""
    spec = copy.deepcopy(spec)
    actions = {a.id: a for a in spec.actions}
    actions["1.4"].rag = Rag.AMBER
    actions["7.5"].original_timescale = date(2018, 12, 31)
    actions["7.5"].timescale = date(2019, 3, 31)  # revised
    actions["1.4"].progress = "Flowchart embedded; audit in January."
    spec.priorities[0].kpis[0].current = "87%"
    seed_updates = [
        UpdateRecord(a.id, spec.progress_as_of, a.progress, None, "seed")
        for a in copy.deepcopy(_seed_actions(spec))
        if a.progress
    ]
    return PlanArchive(
        spec=spec,
        updates=[
            *seed_updates,
            UpdateRecord("1.4", NOV, "Oops, wrong action", "U0LEAD1", "reply", retracted_at=NOV),
            UpdateRecord(
                "1.4",
                DEC,
                "Flowchart embedded; audit in January.",
                "U0LEAD1",
                "reply",
                slack_channel=DM,
                slack_ts=TS,
                edited_at=DEC_EDIT,
            ),
        ],
        rag_changes=[
            RagChangeRecord("1.4", NOV, Rag.UNRATED, Rag.GREEN, "U0CHAIR", "button", None),
            RagChangeRecord(
                "1.4", DEC, Rag.GREEN, Rag.AMBER, "U0CHAIR", "button", "Audit slipped", proposal=3
            ),
        ],
        proposals=[
            ProposalRecord(
                number=3,
                action="1.4",
                proposed_at=DEC,
                proposed_by="U0LEAD1",
                rag=Rag.AMBER,
                revised_timescale=None,
                evidence=None,
                status="accepted",
                update=UpdateRef(DEC, "U0LEAD1", DM, TS),
                confirmed_at=DEC,
                decided_by="U0CHAIR",
                decided_at=DEC,
                echo_channel=DM,
                echo_ts=TS,
                approval_messages='[{"channel":"D0CHAIR01","ts":"1543831300.000200"}]',
            ),
            ProposalRecord(  # undecided: the lead has yet to confirm it
                number=5,
                action="7.5",
                proposed_at=DEC_EDIT,
                proposed_by="U0LEAD1",
                rag=None,
                revised_timescale=date(2019, 6, 30),
                evidence=None,
                status="unconfirmed",
            ),
        ],
        timescale_changes=[
            TimescaleChangeRecord(
                "7.5",
                DEC,
                date(2018, 12, 31),
                date(2019, 3, 31),
                "U0CHAIR",
                "command",
                "Court backlog",
            )
        ],
        leads=[
            LeadRecord("Service Manager - ICRT", "U0LEAD1"),
            LeadRecord("Service Manager - ICRT", "U0DEP1", deputy=True),
        ],
        measure_values=[
            MeasureValueRecord(
                1, "kpi", spec.priorities[0].kpis[0].name, "81%", NOV, "U0PERF", "command"
            ),
            MeasureValueRecord(
                1, "kpi", spec.priorities[0].kpis[0].name, "87%", DEC, "U0PERF", "command"
            ),
        ],
    )


def _seed_actions(_spec):
    from bot.plan.plan_file import load_bundled_plan

    return load_bundled_plan().actions  # the texts as the seed wrote them, before any edit


def test_loading_twice_is_refused(seeded, seed_spec):
    with pytest.raises(archive.PlanAlreadyLoaded), transaction(seeded) as session:
        archive.load_plan(
            session=session, archive=PlanArchive(seed_spec), loaded_at=LOADED_AT, source="again"
        )
    with Session(seeded) as session:
        assert len(list(session.exec(select(Action)))) == 93


def test_a_plan_without_history_stands_as_written(engine, seed_spec):
    spec = copy.deepcopy(seed_spec)
    spec.priorities[0].actions[0].rag = Rag.GREEN
    spec.priorities[6].actions[4].original_timescale = date(2018, 11, 30)
    with transaction(engine) as session:
        archive.load_plan(
            session=session, archive=PlanArchive(spec), loaded_at=LOADED_AT, source="plan.yaml"
        )
    with Session(engine) as session:
        [rag] = session.exec(select(RagChange))
        [timescale] = session.exec(select(TimescaleChange))
    written = seed_spec.progress_as_of
    assert (rag.from_rag, rag.to_rag, rag.via, rag.at) == ("unrated", "green", "import", written)
    assert (timescale.from_date, timescale.to_date, timescale.at) == (
        date(2018, 11, 30),
        date(2018, 12, 31),
        written,
    )


def test_export_then_load_loses_nothing(engine, database_url, seed_spec, tmp_path):
    with transaction(engine) as session:
        archive.load_plan(
            session=session, archive=_with_history(seed_spec), loaded_at=LOADED_AT, source="history"
        )
    exported = _export(engine)
    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    migrate(fresh)
    with transaction(fresh) as session:
        archive.load_plan(session=session, archive=exported, loaded_at=DEC, source="export.xlsx")
    again = _export(fresh)
    assert again == exported
    assert [c.reason for c in again.rag_changes] == [None, "Audit slipped"]
    assert any(u.retracted_at for u in again.updates)
    assert again.leads == [
        LeadRecord("Service Manager - ICRT", "U0LEAD1"),
        LeadRecord("Service Manager - ICRT", "U0DEP1", deputy=True),
    ]
    with Session(fresh) as session:
        detail = plan.action_detail(session=session, ref="7.5")
    assert detail.action.original_timescale == date(
        2018, 12, 31
    ) and detail.action.timescale == date(2019, 3, 31)
    fresh.dispose()


def test_what_the_spreadsheet_changed_is_recorded_at_load_time(engine, seed_spec):
    with transaction(engine) as session:
        archive.load_plan(
            session=session, archive=_with_history(seed_spec), loaded_at=LOADED_AT, source="history"
        )
    exported = _export(engine)
    actions = {a.id: a for a in exported.spec.actions}
    actions["1.4"].rag = Rag.GREEN
    actions["1.4"].progress = "Audit done."
    actions["7.5"].timescale = date(2019, 6, 30)
    exported.spec.priorities[0].kpis[0].current = "90%"
    with transaction(engine) as session:
        archive.replace_plan(
            session=session,
            archive=exported,
            loaded_at=datetime(2019, 1, 7, tzinfo=UTC),
            source="edited.xlsx",
        )
    after = _export(engine)
    edit = datetime(2019, 1, 7, tzinfo=UTC)
    assert after.updates[-1] == UpdateRecord("1.4", edit, "Audit done.", None, "import")
    assert after.rag_changes[-1] == RagChangeRecord(
        "1.4", edit, Rag.AMBER, Rag.GREEN, None, "import"
    )
    assert after.timescale_changes[-1] == TimescaleChangeRecord(
        "7.5", edit, date(2019, 3, 31), date(2019, 6, 30), None, "import"
    )
    assert after.measure_values[-1].value == "90%" and after.measure_values[-1].at == edit
    # Nothing twice: each list grew by exactly the one edit.
    assert (
        len(after.updates),
        len(after.rag_changes),
        len(after.timescale_changes),
        len(after.measure_values),
    ) == (
        len(exported.updates) + 1,
        len(exported.rag_changes) + 1,
        len(exported.timescale_changes) + 1,
        len(exported.measure_values) + 1,
    )
    assert after.leads == exported.leads


def test_replace_without_a_leads_sheet_keeps_the_mappings_of_roles_that_remain(seeded, seed_spec):
    with transaction(seeded) as session:
        for role, user in (("Chair of SSCB", "U0KEEP0001"), ("CEO of TfC", "U0GONE0001")):
            leads.map_role(
                session=session, role_name=role, user_id=user, deputy=None, at=LOADED_AT, by=None
            )
    spec = copy.deepcopy(seed_spec)
    spec.priorities = [
        replace(p) for p in spec.priorities if p.number != 13
    ]  # 13.2 is the CEO of TfC's only action
    with transaction(seeded) as session:
        report = archive.replace_plan(  # forced: 13.2's history goes (the backup keeps it)
            session=session,
            archive=PlanArchive(spec),
            loaded_at=DEC,
            source="new.xlsx",
            force=True,
        )
    assert report.dropped_roles == ["CEO of TfC"]
    assert "lead mappings" in report.kept_from_database
    assert _export(seeded).leads == [LeadRecord("Chair of SSCB", "U0KEEP0001")]


def test_seed_export_matches_the_seed(seeded, seed_spec):
    exported = _export(seeded)
    assert [a.id for a in exported.spec.actions] == [a.id for a in seed_spec.actions]
    assert [a.leads for a in exported.spec.actions] == [a.leads for a in seed_spec.actions]
    assert [a.progress for a in exported.spec.actions] == [a.progress for a in seed_spec.actions]
    assert exported.spec.progress_as_of == seed_spec.progress_as_of
    assert len(exported.updates) == sum(1 for a in seed_spec.actions if a.progress)
    assert exported.rag_changes == [] and exported.timescale_changes == [] and exported.leads == []


def _load(engine, archive_, at=LOADED_AT):
    with transaction(engine) as session:
        archive.load_plan(session=session, archive=archive_, loaded_at=at, source="history")


def test_a_stale_file_is_refused_unless_forced(engine, seed_spec):
    _load(engine, _with_history(seed_spec))
    stale = _export(engine)
    with transaction(engine) as session:  # recorded after the export
        leads.map_role(
            session=session,
            role_name="CEO of TfC",
            user_id="U0NEWONE1",
            deputy=None,
            at=DEC,
            by=None,
        )
    with (
        pytest.raises(archive.ReplaceRefused, match="1 lead mappings that stale.xlsx does not"),
        transaction(engine) as session,
    ):
        archive.replace_plan(session=session, archive=stale, loaded_at=DEC, source="stale.xlsx")
    assert LeadRecord("CEO of TfC", "U0NEWONE1") in _export(engine).leads  # nothing changed
    with transaction(engine) as session:
        archive.replace_plan(
            session=session, archive=stale, loaded_at=DEC, source="stale.xlsx", force=True
        )
    assert LeadRecord("CEO of TfC", "U0NEWONE1") not in _export(engine).leads


def test_a_missing_history_sheet_keeps_the_database_history(engine, seed_spec):
    _load(engine, _with_history(seed_spec))
    before = _export(engine)
    without = replace(before, rag_changes=None, measure_values=None)
    with transaction(engine) as session:
        report = archive.replace_plan(
            session=session, archive=without, loaded_at=DEC, source="partial.xlsx"
        )
    assert report.kept_from_database == ["RAG changes", "KPI values"]
    assert _export(engine) == before


# --- Closed actions, added actions and frozen months -------------------------------------------

JAN = datetime(2019, 1, 7, 9, 30, tzinfo=UTC)
NOV_TALLY = Tally(red=1, amber=2, green=3, completed=0, unrated=10, new_actions=0, total=16)


def _in_use(engine) -> None:
    """A New Action added (3.x), 7.5 closed and November frozen, as the bot records them."""
    from store import changes, snapshots
    from store.models import Priority

    with transaction(engine) as session:
        priority = session.exec(select(Priority).where(Priority.number == 3)).one()
        changes.add_action(
            session=session,
            priority_id=priority.id,
            priority_number=3,
            text="Audit step-downs",
            role_ids=[],
            due=date(2019, 3, 31),
            at=DEC,
            by="U0CHAIR01",
        )
        changes.close(
            session=session,
            action=changes.action_facts(session=session, ref="7.5"),
            reason="Superseded by 7.6",
            at=JAN,
            by="U0CHAIR01",
        )
        snapshots.freeze(
            session=session,
            month="2018-11",
            tallies={1: NOV_TALLY, 2: Tally(total=4, unrated=4)},
            at=datetime(2018, 12, 1, 0, 0, 3, tzinfo=UTC),
        )


def _action(engine, ref: str) -> Action:
    with Session(engine) as session:
        return session.exec(select(Action).where(Action.ref == ref)).one()


def test_closed_and_added_actions_and_frozen_months_survive_export_and_load(seeded, tmp_path):
    _in_use(seeded)
    exported = _export(seeded)
    closed = next(a for a in exported.spec.actions if a.id == "7.5")
    assert (closed.closed_at, closed.closed_by, closed.closed_reason) == (
        JAN,
        "U0CHAIR01",
        "Superseded by 7.6",
    )
    assert [m.month for m in exported.frozen_months] == ["2018-11", "2018-11"]
    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    migrate(fresh)
    with transaction(fresh) as session:
        archive.load_plan(session=session, archive=exported, loaded_at=JAN, source="x.xlsx")
    assert _export(fresh) == exported
    added = _action(fresh, exported.spec.priorities[2].actions[-1].id)
    assert (added.is_new, added.created_at, added.created_by) == (True, DEC, "U0CHAIR01")
    assert _action(fresh, "7.5").closed_at == JAN
    fresh.dispose()


def test_a_replace_keeps_the_frozen_months_and_adds_only_new_ones(seeded):
    _in_use(seeded)
    exported = _export(seeded)
    october = FrozenMonthRecord("2018-10", 1, Tally(total=16, unrated=16), DEC)
    with transaction(seeded) as session:
        report = archive.replace_plan(
            session=session,
            archive=replace(exported, frozen_months=[october, *exported.frozen_months]),
            loaded_at=JAN,
            source="plan.xlsx",
        )
    assert report.frozen_months_added == ["2018-10"] and report.frozen_months_kept == []
    assert "frozen month tallies of 2018-10" in report.replaced
    assert _export(seeded).frozen_months == [october, *exported.frozen_months]


def test_a_frozen_month_that_differs_is_refused_and_forced_keeps_the_databases(seeded):
    _in_use(seeded)
    exported = _export(seeded)
    edited = [replace(exported.frozen_months[0], tally=Tally(total=16, green=16))]
    edited.append(FrozenMonthRecord("2018-12", 1, NOV_TALLY, JAN))
    file = replace(exported, frozen_months=edited)  # and priority 2's November row gone
    with (
        pytest.raises(
            archive.ReplaceRefused,
            match="plan.xlsx's frozen month tallies of 2018-11 differ from the database's",
        ),
        transaction(seeded) as session,
    ):
        archive.replace_plan(session=session, archive=file, loaded_at=JAN, source="plan.xlsx")
    with transaction(seeded) as session:
        report = archive.replace_plan(
            session=session, archive=file, loaded_at=JAN, source="plan.xlsx", force=True
        )
    assert report.frozen_months_kept == ["2018-11"] and report.frozen_months_added == ["2018-12"]
    assert "the frozen month tallies of 2018-11 (plan.xlsx's differ)" in report.kept_from_database
    assert _export(seeded).frozen_months == [*exported.frozen_months, edited[1]]


def test_a_file_without_frozen_months_or_records_keeps_the_databases(seeded):
    """An export from before them (or a CSV, or a plan file): nothing of either is lost."""
    _in_use(seeded)
    exported = _export(seeded)
    older = copy.deepcopy(exported)
    for action in older.spec.actions:
        action.created_at = action.created_by = action.closed_at = None
        action.closed_by = action.closed_reason = None
    older = replace(older, frozen_months=None, lacks=frozenset({"action_records"}))
    with transaction(seeded) as session:
        report = archive.replace_plan(
            session=session, archive=older, loaded_at=JAN, source="old.xlsx"
        )
    assert "frozen month tallies" in report.kept_from_database
    assert "when actions were added and which are closed" in report.kept_from_database
    assert _export(seeded) == exported
    # A plan file says nothing of them either (no `lacks`): the same actions keep theirs.
    with transaction(seeded) as session:
        archive.replace_plan(
            session=session, archive=replace(older, lacks=frozenset()), loaded_at=JAN, source="p"
        )
    assert _export(seeded) == exported


def test_a_files_record_reopens_an_action_and_a_blank_added_keeps_the_databases(seeded):
    _in_use(seeded)
    exported = _export(seeded)
    file = copy.deepcopy(exported)
    actions = {a.id: a for a in file.spec.actions}
    actions["7.5"].closed_at = actions["7.5"].closed_by = actions["7.5"].closed_reason = None
    new = file.spec.priorities[2].actions[-1]
    new.created_at = new.created_by = None  # Added left empty, Closed filled in by hand
    new.closed_at, new.closed_reason = JAN, "Merged into 3.1"
    with transaction(seeded) as session:
        archive.replace_plan(session=session, archive=file, loaded_at=JAN, source="plan.xlsx")
    assert _action(seeded, "7.5").closed_at is None
    added = _action(seeded, new.id)
    assert (added.created_at, added.created_by) == (DEC, "U0CHAIR01")
    assert (added.closed_at, added.closed_reason) == (JAN, "Merged into 3.1")


# --- Issue 9: Slack ids and RAG proposals through export and import -----------------------------


def _links(engine) -> tuple[list, list]:
    """Each proposal's id, action and update (by its Slack message), and each RAG change's
    proposal id: the links export_archive compares by number and UpdateRef."""
    from store.models import ProgressUpdate, RagProposal

    with Session(engine) as session:
        refs = dict(session.exec(select(Action.id, Action.ref)).all())
        updates = {u.id: u for u in session.exec(select(ProgressUpdate))}
        proposals = [
            (
                p.id,
                refs[p.action_id],
                (updates[p.update_id].slack_ts, updates[p.update_id].text) if p.update_id else None,
            )
            for p in session.exec(select(RagProposal).order_by(RagProposal.id))
        ]
        changes = [
            (refs[c.action_id], c.to_rag, c.proposal_id)
            for c in session.exec(select(RagChange).order_by(RagChange.at, RagChange.id))
        ]
    return proposals, changes


def test_proposals_and_slack_ids_survive_export_and_load(engine, seed_spec):
    _load(engine, _with_history(seed_spec))

    exported, written = _export(engine), _with_history(seed_spec)

    assert exported.updates == written.updates
    assert exported.rag_changes == written.rag_changes
    assert exported.proposals == written.proposals
    proposals, changes = _links(engine)
    assert proposals == [
        (3, "1.4", (TS, "Flowchart embedded; audit in January.")),
        (5, "7.5", None),
    ]
    assert ("1.4", "amber", 3) in changes


def test_a_replace_with_proposals_present_keeps_them(engine, seed_spec):
    _load(engine, _with_history(seed_spec))
    before, links = _export(engine), _links(engine)

    with transaction(engine) as session:  # the file carries them (planbot's own workbook)
        report = archive.replace_plan(
            session=session, archive=before, loaded_at=DEC, source="plan.xlsx"
        )
    assert report.history_not_carried == [] and "RAG proposals" in report.replaced
    assert _export(engine) == before and _links(engine) == links

    without = replace(before, proposals=None)  # the file has no RAG proposals sheet
    with transaction(engine) as session:
        report = archive.replace_plan(
            session=session, archive=without, loaded_at=DEC, source="partial.xlsx"
        )
    assert report.kept_from_database == ["RAG proposals"]
    assert _export(engine) == before and _links(engine) == links


def test_a_proposal_keeps_its_number_and_a_new_one_gets_a_new_number(engine, seed_spec):
    from store import replies

    _load(engine, _with_history(seed_spec))
    with transaction(engine) as session:
        archive.replace_plan(
            session=session, archive=_export(engine), loaded_at=DEC, source="plan.xlsx"
        )
    with transaction(engine) as session:
        action = session.exec(select(Action).where(Action.ref == "2.1")).one()
        new = replies.add_proposal(
            session=session,
            action_id=action.id,
            update_id=None,
            rag=Rag.RED,
            revised=None,
            evidence=None,
            by="U0LEAD1",
            at=DEC,
            status="unconfirmed",
            echo_channel=None,
            echo_ts=None,
        )
    assert new > 5  # 3 and 5 are the loaded proposals' own (on PostgreSQL: the sequence moved on)
    with Session(engine) as session:
        assert replies.proposal(session=session, proposal_id=3).status == "accepted"


def test_proposals_of_an_action_that_is_not_the_same_need_force(engine, seed_spec):
    _load(engine, _with_history(seed_spec))
    other = _export(engine)
    action = next(a for a in other.spec.actions if a.id == "7.5")
    action.text = "Something else entirely"
    other = replace(
        other,
        proposals=None,  # the database's: 7.5's is not carried
        timescale_changes=[c for c in other.timescale_changes if c.action != "7.5"],
    )
    with (
        pytest.raises(archive.ReplaceRefused, match=r"7\.5") as refused,
        transaction(engine) as session,
    ):
        archive.replace_plan(session=session, archive=other, loaded_at=DEC, source="other.xlsx")
    assert "--force" in str(refused.value)
    with transaction(engine) as session:
        report = archive.replace_plan(
            session=session, archive=other, loaded_at=DEC, source="other.xlsx", force=True
        )
    assert report.history_not_carried == ["7.5"]
    assert [p.number for p in _export(engine).proposals] == [3]


def test_an_older_export_keeps_the_databases_slack_ids_and_proposal_links(engine, seed_spec):
    """An export from before the Slack columns and the Proposal column: the same entries, but
    without those; a replace from it is not stale, and keeps the database's."""
    _load(engine, _with_history(seed_spec))
    before, links = _export(engine), _links(engine)
    older = replace(
        before,
        updates=[
            replace(u, slack_channel=None, slack_ts=None, edited_at=None) for u in before.updates
        ],
        rag_changes=[replace(c, proposal=None) for c in before.rag_changes],
        proposals=None,
        lacks=frozenset({"update_messages", "proposal_links"}),
    )
    with transaction(engine) as session:
        report = archive.replace_plan(
            session=session, archive=older, loaded_at=DEC, source="older.xlsx"
        )
    assert _export(engine) == before and _links(engine) == links
    assert "progress updates' Slack messages and edit times" in report.kept_from_database


@pytest.fixture
def other_engine(engine, database_of, tmp_path):
    """A second migrated, empty database on the same kind of database as `engine`."""
    if engine.dialect.name == "sqlite":
        other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
        migrate(other)
    else:
        other = make_engine(database_of("migrated"))
    yield other
    other.dispose()


@pytest.mark.parametrize("how", ["import", "replace"])
def test_a_redelivered_message_is_recognised_after_a_workbook_round_trip(
    engine, other_engine, seed_spec, tmp_path, how
):
    from bot.spreadsheet import read_plan_table, write_workbook
    from store import replies

    _load(engine, _with_history(seed_spec))
    links = _links(engine)
    # (Without the Leads sheet: _with_history's user ids are too short for a workbook.)
    path = write_workbook(tmp_path / "plan.xlsx", replace(_export(engine), leads=None))
    target = other_engine if how == "import" else engine
    with transaction(target) as session:
        if how == "import":
            archive.load_plan(
                session=session, archive=read_plan_table(path), loaded_at=DEC, source=path.name
            )
        else:
            archive.replace_plan(
                session=session, archive=read_plan_table(path), loaded_at=DEC, source=path.name
            )
    assert _links(target) == links  # the same numbers, updates and RAG changes
    with transaction(target) as session:
        action = session.exec(select(Action).where(Action.ref == "1.4")).one()

        def deliver(ref_id: int):
            return replies.record_update(
                session=session,
                action_id=ref_id,
                text="Flowchart embedded; audit in January.",
                author="U0LEAD1",
                at=DEC_EDIT,
                source="reply",
                channel=DM,
                ts=TS,
            )

        assert deliver(action.id) is None  # Slack delivering the message again: nothing new
        other = session.exec(select(Action).where(Action.ref == "1.5")).one()
        assert deliver(other.id) is not None  # the same message may speak of another action
    assert _export(target).proposals == _export(engine).proposals


def test_an_edit_loaded_with_an_earlier_clock_still_comes_last(engine, seed_spec):
    _load(engine, _with_history(seed_spec))
    exported = _export(engine)
    next(a for a in exported.spec.actions if a.id == "1.4").rag = Rag.RED
    early = datetime(2018, 11, 1, tzinfo=UTC)  # before the DEC entries in the file
    with transaction(engine) as session:
        archive.replace_plan(
            session=session, archive=exported, loaded_at=early, source="edited.xlsx"
        )
    after = _export(engine)
    assert after.rag_changes[-1].to_rag is Rag.RED and after.rag_changes[-1].at == DEC
    with Session(engine) as session:
        assert plan.action_detail(session=session, ref="1.4").action.rag is Rag.RED


# --- Issue 7: replaces that never mislead -------------------------------------------------------


def _csv_of(spec, tmp_path):
    """What `planbot export k.csv` then reading it back gives: the action table only."""
    from bot.spreadsheet import read_plan_table, write_csv

    return read_plan_table(write_csv(tmp_path / "k.csv", spec))


def test_a_csv_replace_keeps_what_a_csv_does_not_carry(engine, seed_spec, tmp_path):
    _load(engine, _with_history(seed_spec))
    before = _export(engine)
    with transaction(engine) as session:
        report = archive.replace_plan(
            session=session, archive=_csv_of(before.spec, tmp_path), loaded_at=DEC, source="k.csv"
        )
    after = _export(engine)
    assert after == before
    assert after.spec.name == seed_spec.name and after.spec.organisation == seed_spec.organisation
    assert sum(len(p.kpis) + len(p.quality_measures) for p in after.spec.priorities) == 71
    assert "plan name, organisation and progress as of" in report.kept_from_database
    assert "KPIs and quality measures with their values" in report.kept_from_database
    assert "progress updates" in report.kept_from_database
    assert report.replaced == [
        "15 priorities and 93 actions: their texts, leads, timescales, original timescales, "
        "progress, RAG and notes",
        "priorities' recommendations, sections and Ofsted recommendation numbers",
    ]
    assert report.history_not_carried == []


def test_history_never_follows_a_number_onto_a_different_action(seeded, seed_spec):
    other = copy.deepcopy(seed_spec)
    first = other.priorities[0].actions[0]
    first.text, first.progress = "Do the first thing", None
    with (
        pytest.raises(archive.ReplaceRefused, match=r"1\.1") as refused,
        transaction(seeded) as session,
    ):
        archive.replace_plan(
            session=session, archive=PlanArchive(other), loaded_at=DEC, source="other.xlsx"
        )
    assert "--force" in str(refused.value) and "backup" in str(refused.value)
    with transaction(seeded) as session:
        report = archive.replace_plan(
            session=session,
            archive=PlanArchive(other),
            loaded_at=DEC,
            source="other.xlsx",
            force=True,
        )
    assert report.history_not_carried == ["1.1"]
    with Session(seeded) as session:
        assert not plan.action_detail(session=session, ref="1.1").history
        assert plan.action_detail(session=session, ref="1.2").history


@pytest.mark.parametrize(
    ("old", "new", "same"),
    [
        (
            "Commission an independent review of ICRT",
            "commission an independent review of ICRT.",
            True,
        ),
        (
            "Agree and implement new ICRT model",
            "Agree and implement new ICRT model by March, with partners",
            True,
        ),
        (
            "Comission an independant review of ICRT",
            "Commission an independent review of ICRT",
            True,
        ),
        ("Commission an independent review of ICRT", "Do the first thing", False),
        ("Do it", "Do that", False),
    ],
)
def test_the_same_action_rule(old, new, same):
    from bot.plan.specs import same_action_text

    assert same_action_text(old, new) is same


def test_removed_actions_history_needs_force_too(seeded, seed_spec):
    spec = copy.deepcopy(seed_spec)
    spec.priorities = [p for p in spec.priorities if p.number != 13]
    with pytest.raises(archive.ReplaceRefused, match=r"13\.2"), transaction(seeded) as session:
        archive.replace_plan(session=session, archive=PlanArchive(spec), loaded_at=DEC, source="x")


def test_mappings_follow_a_role_spelt_another_way(seeded, seed_spec):
    with transaction(seeded) as session:
        leads.map_role(
            session=session,
            role_name="Chair of SSCB",
            user_id="U0KEEP0001",
            deputy=None,
            at=LOADED_AT,
            by=None,
        )
    spec = copy.deepcopy(seed_spec)
    for action in spec.actions:
        action.leads = ["chair of sscb" if r == "Chair of SSCB" else r for r in action.leads]
    with transaction(seeded) as session:
        report = archive.replace_plan(
            session=session, archive=PlanArchive(spec), loaded_at=DEC, source="x.xlsx"
        )
    assert report.dropped_roles == []
    assert _export(seeded).leads == [LeadRecord("chair of sscb", "U0KEEP0001")]


def test_a_hand_added_history_row_does_not_bring_back_the_older_progress(engine, seed_spec):
    _load(engine, _with_history(seed_spec))
    exported = _export(engine)
    action = next(a for a in exported.spec.actions if a.id == "1.4")
    older = action.progress
    later = datetime(2019, 1, 7, tzinfo=UTC)
    exported.updates.append(UpdateRecord("1.4", later, "Audit done.", "U0LEAD1", "reply"))
    assert action.progress == older  # the Plan sheet was not touched
    with transaction(engine) as session:
        archive.replace_plan(
            session=session,
            archive=exported,
            loaded_at=datetime(2019, 2, 1, tzinfo=UTC),
            source="edited.xlsx",
        )
    after = _export(engine)
    mine = [u.text for u in after.updates if u.action == "1.4"]
    assert mine[-1] == "Audit done." and mine.count(older) == 1
