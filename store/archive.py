"""A plan and its whole history in and out of the database: load, replace, export.

Export then import gives back the same plan and history: every progress update (retracted ones
too, each with the Slack message it came from and when it was edited there), RAG change,
RAG proposal (decided or not, with the update it came from and the RAG change that applied it),
timescale revision, KPI value and lead mapping, each action's record (when it was added and by
whom, whether it is closed) and the frozen month tallies. A proposal keeps its number as its id, so that
Slack buttons naming it still find it; an update is found again by its Slack message, or its
date-time and author (UpdateRef), as ids do not survive. What a spreadsheet changed
(an edited progress text, RAG, timescale or KPI value) becomes a new entry at load time, so the
history shows who changed what through the import.
"""

from __future__ import annotations

import copy
import json
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import delete, func
from sqlmodel import Session, select

from bot.plan.history import (
    LACKABLE,
    FrozenMonthRecord,
    LeadRecord,
    MeasureValueRecord,
    PlanArchive,
    ProposalRecord,
    RagChangeRecord,
    TimescaleChangeRecord,
    UpdateRecord,
    UpdateRef,
    approval_messages_text,
    find_update,
)
from bot.plan.rag import Rag
from bot.plan.refs import ActionRef
from bot.plan.roles import role_key
from bot.plan.specs import ActionSpec, MeasureSpec, PlanSpec, PrioritySpec, same_action_text
from bot.plan.tallies import Tally
from store.models import (
    Action,
    ActionLead,
    Escalation,
    LeadRole,
    Measure,
    MeasureValue,
    MonthSnapshot,
    Plan,
    Priority,
    ProgressUpdate,
    RagChange,
    RagProposal,
    ReminderItem,
    RoleMember,
    Section,
    Snooze,
    TimescaleChange,
)
from store.plan import plan_exists

KIND_OF = {"kpi": "kpis", "quality": "quality_measures"}


class PlanAlreadyLoaded(Exception):
    """The database already holds a plan."""


def load_plan(
    *, session: Session, archive: PlanArchive, loaded_at: datetime, source: str, via: str = "import"
) -> None:
    """Write a plan and its history into an empty database, in the caller's transaction.

    `source` says where the plan came from (a file name); `via` is how rows made here are
    recorded: "seed" for the bundled plan, "import" for a spreadsheet. Without a history the
    plan's own values stand, as of `spec.progress_as_of` (when its authors wrote them). An
    action without a record of when it was added was added then too (a New Action: at
    `loaded_at`). The archive's frozen months are written, but never over a month the database
    has frozen already (load_frozen_months).
    """
    if plan_exists(session=session):
        raise PlanAlreadyLoaded("the database already holds a plan")
    spec = archive.spec
    written_at = spec.progress_as_of or loaded_at
    session.add(
        Plan(
            name=spec.name,
            organisation=spec.organisation,
            loaded_at=loaded_at,
            source=source,
            progress_as_of=spec.progress_as_of,
        )
    )
    sections = {}
    for position, (key, title) in enumerate(spec.sections.items()):
        sections[key] = Section(key=key, title=title, position=position)
        session.add(sections[key])
    session.flush()

    roles: dict[str, LeadRole] = {}
    actions: dict[str, Action] = {}
    measures: dict[tuple[int, str, str], Measure] = {}
    for p_spec in spec.priorities:
        priority = Priority(
            number=p_spec.number,
            section_id=sections[p_spec.section].id,
            ofsted_recommendation=p_spec.ofsted_recommendation,
            recommendation=p_spec.recommendation,
            paragraph_refs=p_spec.paragraph_refs,
            expected_outcomes=p_spec.expected_outcomes,
            note=p_spec.note,
        )
        session.add(priority)
        session.flush()
        for kind, attribute in KIND_OF.items():
            for position, m_spec in enumerate(getattr(p_spec, attribute)):
                measure = Measure(
                    priority_id=priority.id, kind=kind, position=position, name=m_spec.name
                )
                session.add(measure)
                measures[(p_spec.number, kind, m_spec.name)] = measure
        for a_spec in p_spec.actions:
            actions[a_spec.id] = _add_action(
                session,
                priority,
                a_spec,
                roles,
                created_at=a_spec.created_at or (loaded_at if a_spec.is_new else written_at),
            )
    session.flush()
    load_frozen_months(session=session, months=archive.frozen_months)

    as_edit = Stamp(loaded_at, via)  # what the file changed, recorded as of the load
    as_plan = Stamp(written_at, via)  # the plan's own values, as of when they were written
    updates = _load_updates(
        session, archive, actions, as_plan if archive.updates is None else as_edit
    )
    proposals = _load_proposals(session, archive, actions, updates)
    _load_rag_changes(
        session, archive, actions, as_plan if archive.rag_changes is None else as_edit, proposals
    )
    _load_timescale_changes(
        session, archive, actions, as_plan if archive.timescale_changes is None else as_edit
    )
    _load_measure_values(
        session, archive, measures, as_plan if archive.measure_values is None else as_edit
    )
    for lead in archive.leads or []:
        session.add(
            RoleMember(
                role_id=roles[lead.role].id,
                slack_user_id=lead.user_id,
                is_deputy=lead.deputy,
                mapped_at=loaded_at,
                mapped_by=via,
            )
        )
    session.flush()


def load_frozen_months(*, session: Session, months: list[FrozenMonthRecord] | None) -> list[str]:
    """Write the frozen months the database has not frozen; the months written, oldest first.

    A month the database has frozen (any of its priorities) is the committee's record and is
    never rewritten, nor has a priority added to it: its rows in `months` are left out."""
    if not months:
        return []
    frozen = set(session.exec(select(MonthSnapshot.month).distinct()))
    written = []
    for record in months:
        if record.month in frozen:
            continue
        t = record.tally
        session.add(
            MonthSnapshot(
                month=record.month,
                priority_number=record.priority,
                red=t.red,
                amber=t.amber,
                green=t.green,
                completed=t.completed,
                unrated=t.unrated,
                new_actions=t.new_actions,
                total=t.total,
                frozen_at=record.frozen_at,
            )
        )
        written.append(record.month)
    session.flush()
    return sorted(set(written))


def _add_action(
    session: Session,
    priority: Priority,
    spec: ActionSpec,
    roles: dict[str, LeadRole],
    *,
    created_at: datetime,
) -> Action:
    action = Action(
        ref=spec.id,
        priority_id=priority.id,
        number=spec.ref.number,
        text=spec.text,
        paragraph_refs=spec.paragraph_refs,
        timescale=spec.timescale,
        original_timescale=spec.original_timescale or spec.timescale,
        timescale_as_written=spec.timescale_as_written,
        rag=spec.rag.value,
        is_new=spec.is_new,
        created_at=created_at,
        created_by=spec.created_by,
        note=spec.note,
        closed_at=spec.closed_at,
        closed_by=spec.closed_by,
        closed_reason=spec.closed_reason,
    )
    session.add(action)
    session.flush()
    for position, name in enumerate(dict.fromkeys(spec.leads)):
        role = (
            roles.get(name) or session.exec(select(LeadRole).where(LeadRole.name == name)).first()
        )
        if role is None:
            role = LeadRole(name=name)
            session.add(role)
            session.flush()
        roles[name] = role
        session.add(ActionLead(action_id=action.id, role_id=role.id, position=position))
    return action


@dataclass(frozen=True)
class Stamp:
    """When and how the rows a load makes itself are recorded."""

    at: datetime
    via: str

    def following(self, newest: datetime | None) -> datetime:
        """The stamp's time, but never before the entry it follows (a `--today` earlier than the
        file's history would otherwise bury the edit)."""
        return self.at if newest is None or self.at >= newest else newest


@dataclass
class Replayed:
    """Per key (an action, a measure), the last standing value and the last entry's time."""

    latest: dict = field(default_factory=dict)
    last: dict = field(default_factory=dict)
    standing: dict = field(default_factory=lambda: defaultdict(set))  # every standing value


def _replay(
    session: Session, rows: list | None, key, value, model, stands=lambda row: True
) -> Replayed:
    """Write history rows in time order, keeping track of where each key's history ends.

    Every loader then compares what the file says now with `latest` and records a difference
    as an edit stamped `following(last)`.
    """
    replayed = Replayed()
    for row in sorted(rows or [], key=lambda row: row.at):
        session.add(model(row))
        replayed.last[key(row)] = row.at
        if stands(row):
            replayed.latest[key(row)] = value(row)
            replayed.standing[key(row)].add(value(row))
    return replayed


def _load_updates(
    session: Session, archive: PlanArchive, actions: dict[str, Action], stamp: Stamp
) -> dict[str, list[tuple[UpdateRecord, ProgressUpdate]]]:
    """Write the updates; per action, the history's records with their rows (in time order)."""
    written: dict[str, list[tuple[UpdateRecord, ProgressUpdate]]] = defaultdict(list)

    def model(row: UpdateRecord) -> ProgressUpdate:
        update = ProgressUpdate(
            action_id=actions[row.action].id,
            text=row.text,
            at=row.at,
            author=row.author,
            source=row.source,
            slack_channel=row.slack_channel,
            slack_ts=row.slack_ts,
            edited_at=row.edited_at,
            retracted_at=row.retracted_at,
        )
        written[row.action].append((row, update))
        return update

    history = _replay(
        session,
        archive.updates,
        key=lambda row: row.action,
        value=lambda row: row.text,
        stands=lambda row: row.retracted_at is None,  # a retracted update is not the latest
        model=model,
    )
    for a_spec in archive.spec.actions:
        # A text the history already holds is not an edit: with a row added by hand to the
        # Progress history sheet and the Plan sheet left as exported, the Plan's text is an
        # older update, and recording it again would make it the newest.
        if a_spec.progress and a_spec.progress not in history.standing[a_spec.id]:
            session.add(
                ProgressUpdate(
                    action_id=actions[a_spec.id].id,
                    text=a_spec.progress,
                    at=stamp.following(history.last.get(a_spec.id)),
                    source=stamp.via,
                )
            )
    return written


def _load_proposals(
    session: Session,
    archive: PlanArchive,
    actions: dict[str, Action],
    updates: dict[str, list[tuple[UpdateRecord, ProgressUpdate]]],
) -> set[int]:
    """Write the proposals, each with its number as its id and its update found by UpdateRef's
    rule among its action's (none when it is not there); the numbers written."""
    session.flush()  # the updates' ids
    for row in archive.proposals or []:
        update_id = None
        if row.update is not None:
            records = [record for record, _ in updates.get(row.action, [])]
            found = find_update(row.update, row.action, records)
            update_id = updates[row.action][found[0]][1].id if found else None
        session.add(
            RagProposal(
                id=row.number,
                action_id=actions[row.action].id,
                update_id=update_id,
                proposed_rag=row.rag.value if row.rag else None,
                revised_timescale=row.revised_timescale,
                evidence=row.evidence,
                proposed_by=row.proposed_by,
                proposed_at=row.proposed_at,
                status=row.status,
                confirmed_at=row.confirmed_at,
                decided_by=row.decided_by,
                decided_at=row.decided_at,
                reason=row.reason,
                echo_channel=row.echo_channel,
                echo_ts=row.echo_ts,
                approval_messages=json.loads(row.approval_messages)
                if row.approval_messages
                else [],
            )
        )
    session.flush()
    if archive.proposals:
        _ids_continue_after(session, RagProposal)
    return {row.number for row in archive.proposals or []}


def _ids_continue_after(session: Session, model) -> None:
    """Rows written with ids of their own leave PostgreSQL's id sequence behind: move it past
    them (never back, so that an id given out before is not given out again). SQLite's next id
    is always past the largest."""
    if session.get_bind().dialect.name != "postgresql":
        return
    sequence = func.pg_get_serial_sequence(model.__tablename__, "id")
    largest = select(func.coalesce(func.max(model.id), 0) + 1).scalar_subquery()
    session.exec(
        select(func.setval(sequence, func.greatest(func.nextval(sequence), largest), False))
    )


def _load_rag_changes(
    session: Session,
    archive: PlanArchive,
    actions: dict[str, Action],
    stamp: Stamp,
    proposals: set[int],
) -> None:
    history = _replay(
        session,
        archive.rag_changes,
        key=lambda row: row.action,
        value=lambda row: row.to_rag,
        model=lambda row: RagChange(
            action_id=actions[row.action].id,
            from_rag=row.from_rag.value,
            to_rag=row.to_rag.value,
            at=row.at,
            by=row.by,
            via=row.via,
            reason=row.reason,
            proposal_id=row.proposal if row.proposal in proposals else None,
        ),
    )
    for a_spec in archive.spec.actions:
        before = history.latest.get(a_spec.id, Rag.UNRATED)
        if a_spec.rag is not before:
            session.add(
                RagChange(
                    action_id=actions[a_spec.id].id,
                    from_rag=before.value,
                    to_rag=a_spec.rag.value,
                    at=stamp.following(history.last.get(a_spec.id)),
                    via=stamp.via,
                )
            )


def _load_timescale_changes(
    session: Session, archive: PlanArchive, actions: dict[str, Action], stamp: Stamp
) -> None:
    history = _replay(
        session,
        archive.timescale_changes,
        key=lambda row: row.action,
        value=lambda row: row.to_date,
        model=lambda row: TimescaleChange(
            action_id=actions[row.action].id,
            from_date=row.from_date,
            to_date=row.to_date,
            at=row.at,
            by=row.by,
            via=row.via,
            reason=row.reason,
        ),
    )
    for a_spec in archive.spec.actions:
        before = history.latest.get(a_spec.id, a_spec.original_timescale or a_spec.timescale)
        if a_spec.timescale != before:
            session.add(
                TimescaleChange(
                    action_id=actions[a_spec.id].id,
                    from_date=before,
                    to_date=a_spec.timescale,
                    at=stamp.following(history.last.get(a_spec.id)),
                    via=stamp.via,
                )
            )


def _load_measure_values(
    session: Session,
    archive: PlanArchive,
    measures: dict[tuple[int, str, str], Measure],
    stamp: Stamp,
) -> None:
    history = _replay(
        session,
        archive.measure_values,
        key=lambda row: (row.priority, row.kind, row.measure),
        value=lambda row: row.value,
        model=lambda row: MeasureValue(
            measure_id=measures[(row.priority, row.kind, row.measure)].id,
            value=row.value,
            recorded_at=row.at,
            recorded_by=row.by,
            source=row.source,
        ),
    )
    for p_spec in archive.spec.priorities:
        for kind, attribute in KIND_OF.items():
            for m_spec in getattr(p_spec, attribute):
                key = (p_spec.number, kind, m_spec.name)
                if m_spec.current and history.latest.get(key) != m_spec.current:
                    session.add(
                        MeasureValue(
                            measure_id=measures[key].id,
                            value=m_spec.current,
                            recorded_at=stamp.following(history.last.get(key)),
                            source=stamp.via,
                        )
                    )


# Tables a plan replace empties, children first. Spelled out: a table added later (an event
# inbox, a reminder outbox) is not the plan's to wipe.
PLAN_TABLES = (
    MeasureValue,
    Measure,
    RagChange,
    RagProposal,
    TimescaleChange,
    ProgressUpdate,
    RoleMember,
    ActionLead,
    Action,
    LeadRole,
    Priority,
    Section,
    Plan,
)
HISTORY_LISTS = {
    "updates": "progress updates",
    "rag_changes": "RAG changes",
    "proposals": "RAG proposals",
    "timescale_changes": "timescale changes",
    "measure_values": "KPI values",
    "leads": "lead mappings",
}
ACTION_HISTORIES = ("updates", "rag_changes", "proposals", "timescale_changes")
# The action fields a file may lack, in the order a report lists them, with their words.
_ACTION_FIELDS = {
    "leads": "leads",
    "timescale": "timescales",
    "original_timescale": "original timescales",
    "timescale_as_written": "timescales as written",
    "progress": "progress",
    "rag": "RAG",
    "paragraph_refs": "paragraph refs",
    "note": "notes",
    "is_new": "new-action flags",
}
# An action's record (ActionSpec.has_record), and the part of it that says when it was added.
_CREATED_FIELDS = ("created_at", "created_by")
_RECORD_FIELDS = (*_CREATED_FIELDS, "closed_at", "closed_by", "closed_reason")
_PRIORITY_FIELDS = {
    "sections": "sections",
    "ofsted_recommendation": "Ofsted recommendation numbers",
    "priority_paragraph_refs": "paragraph refs",
    "expected_outcomes": "expected outcomes",
    "priority_note": "notes",
}


class ReplaceRefused(Exception):
    """Replacing the plan would lose something the file does not carry; the message says what."""


@dataclass
class ReplaceReport:
    name: str  # the plan's name now (the database's, when the file has none)
    dropped_roles: list[str]
    kept_from_database: list[str]
    # What the file supplied, in words ("15 priorities and 93 actions: their texts, leads, ...").
    replaced: list[str] = field(default_factory=list)
    # Actions whose history was not carried (a different action under their number, or none):
    # it is in the backup only. Priority numbers whose KPI values were not carried likewise.
    history_not_carried: list[str] = field(default_factory=list)
    measures_not_carried: list[int] = field(default_factory=list)
    # Frozen months ("YYYY-MM") the file added (the database had not frozen them), and those
    # whose tallies in the file differ from the database's, which stand (--force).
    frozen_months_added: list[str] = field(default_factory=list)
    frozen_months_kept: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Sameness:
    """Which of the new plan's actions and priorities are the database's, under the same number.

    "The same action" is same_action_text's rule (same number, and nearly the same words); a
    priority is the same when its number is, and its recommendation is nearly the same or, where
    the file spells none, one of its actions is the same. Only what is the same inherits the
    database's history and fields."""

    actions: frozenset[str]
    priorities: frozenset[int]

    @classmethod
    def of(cls, old: PlanSpec, new: PlanSpec) -> _Sameness:
        old_actions = {a.id: a for a in old.actions}
        old_priorities = {p.number: p for p in old.priorities}
        actions = frozenset(
            a.id
            for a in new.actions
            if a.id in old_actions and same_action_text(old_actions[a.id].text, a.text)
        )
        return cls(
            actions,
            frozenset(
                p.number
                for p in new.priorities
                if p.number in old_priorities
                and (
                    any(a.id in actions for a in p.actions)
                    if _unspelt_recommendation(p)
                    else same_action_text(old_priorities[p.number].recommendation, p.recommendation)
                )
            ),
        )


def _unspelt_recommendation(priority: PrioritySpec) -> bool:
    # A file without a recommendation for a priority gets "Priority N" (read_plan_table).
    return priority.recommendation == f"Priority {priority.number}"


def _keep_what_the_file_lacks(
    current: PlanSpec, new: PlanSpec, lacks: frozenset[str], same: _Sameness
) -> PlanSpec:
    """The new plan, with what the file does not carry (`lacks`) taken from the current one for
    the priorities and actions that are the same; others keep what the file said (or nothing)."""
    spec = copy.deepcopy(new)
    old_actions = {a.id: a for a in current.actions}
    old_priorities = {p.number: p for p in current.priorities}
    if "about" in lacks:
        spec.name, spec.organisation = current.name, current.organisation
        spec.progress_as_of = current.progress_as_of
    for priority in spec.priorities:
        old = old_priorities.get(priority.number)
        if old is None or priority.number not in same.priorities:
            continue
        if _unspelt_recommendation(priority):
            priority.recommendation = old.recommendation
        if "sections" in lacks:
            priority.section = old.section
        if "ofsted_recommendation" in lacks:
            priority.ofsted_recommendation = old.ofsted_recommendation
        if "priority_paragraph_refs" in lacks:
            priority.paragraph_refs = list(old.paragraph_refs)
        if "expected_outcomes" in lacks:
            priority.expected_outcomes = list(old.expected_outcomes)
        if "priority_note" in lacks:
            priority.note = old.note
        if "measures" in lacks:
            priority.kpis = copy.deepcopy(old.kpis)
            priority.quality_measures = copy.deepcopy(old.quality_measures)
    for action in spec.actions:
        old = old_actions.get(action.id)
        if old is None or action.id not in same.actions:
            continue
        if "timescale_as_written" in lacks and action.timescale == old.timescale:
            # A CSV's timescale is "dd/mm/yyyy" text; the database's own words for the same date
            # ("end of March 2019") stand. A new date is written as the file wrote it.
            action.timescale_as_written = old.timescale_as_written
        for name in _ACTION_FIELDS:
            if name in lacks and name != "timescale_as_written":
                setattr(action, name, copy.deepcopy(getattr(old, name)))
                if name == "timescale":
                    action.timescale_as_written = old.timescale_as_written
        # The action's record: the file's where it has one, else the database's (an action
        # closed stays closed); the time it was added (and who added it) where the file has none.
        kept = _RECORD_FIELDS
        if "action_records" not in lacks and action.has_record:
            kept = _CREATED_FIELDS if action.created_at is None else ()
        for name in kept:
            setattr(action, name, getattr(old, name))
    used = [p.section for p in spec.priorities]
    titles = {**spec.sections, **current.sections} if "sections" in lacks else spec.sections
    order = [*current.sections, *spec.sections] if "sections" in lacks else list(spec.sections)
    spec.sections = {key: titles[key] for key in dict.fromkeys(order) if key in used}
    return spec


def _report_words(spec: PlanSpec, archive: PlanArchive, lacks: frozenset[str]) -> list[str]:
    """What the file supplied, in words."""
    actions = ["their texts", *(w for n, w in _ACTION_FIELDS.items() if n not in lacks)]
    if "action_records" not in lacks:
        actions.append(LACKABLE["action_records"])
    words = [
        f"{_count(len(spec.priorities), 'priority', 'priorities')} and "
        f"{_count(len(spec.actions), 'action', 'actions')}: {_and(actions)}"
    ]
    priorities = ["recommendations", *(w for n, w in _PRIORITY_FIELDS.items() if n not in lacks)]
    words.append(f"priorities' {_and(priorities)}")
    if "about" not in lacks:
        words.append(LACKABLE["about"])
    if "measures" not in lacks:
        words.append("KPIs and quality measures")
    words += [label for name, label in HISTORY_LISTS.items() if getattr(archive, name) is not None]
    return words


def _kept_words(lacks: frozenset[str]) -> list[str]:
    """What the database kept because the file lacks it, in words (history lists aside)."""
    order = ["about", "measures", *_PRIORITY_FIELDS, *_ACTION_FIELDS]
    priority_words = [w for n, w in _PRIORITY_FIELDS.items() if n in lacks]
    action_words = [w for n, w in _ACTION_FIELDS.items() if n in lacks]
    words = [LACKABLE[name] for name in order[:2] if name in lacks]
    if priority_words:
        words.append(f"priorities' {_and(priority_words)}")
    if action_words:
        words.append(f"actions' {_and(action_words)}")
    if "action_records" in lacks:
        words.append(LACKABLE["action_records"])
    return words


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def replace_plan(
    *, session: Session, archive: PlanArchive, loaded_at: datetime, source: str, force: bool = False
) -> ReplaceReport:
    """Replace the plan with the file's, keeping everything the file does not speak for.

    What the file lacks (`archive.lacks`: a CSV has no About or KPIs sheet, no paragraph refs,
    ...) is kept from the database for the priorities and actions that are the same (_Sameness).
    A history sheet missing from the file keeps the database's entries (for the same actions,
    the roles the new plan still has, matched as `leads map` matches them, and the same
    priorities' measures). History never follows a number onto a different action: the history
    of an action that is gone or different is not carried, whether from the database or from
    the file's own copy of it, and the replace is refused unless `force` (it is in the backup
    the CLI writes first). Entries in the database that a sheet lacks for an action that is the
    same were recorded after the file was exported: refused unless `force` too.

    RAG proposals are history like the rest (decided or not: `proposals` None keeps the
    database's, for the same actions); they keep their numbers as ids, so Slack buttons naming
    them still work. An update keeps its Slack message and edit time, so that Slack delivering
    the message again is still recognised; an older export without those columns (or without
    RAG history's Proposal column) keeps the database's (_with_the_databases_links).

    Each action's record (when it was added and by whom, whether it is closed) is the file's
    where it has one (ActionSpec.has_record; planbot's workbook writes one for every action),
    and the database's for the same action where it has none (an older workbook, a CSV, a plan
    file): a closed action stays closed. A record without the time the action was added keeps
    the database's time and author.

    Frozen month tallies are the committee's record: the database's all stay, whatever the file
    says. The file's months the database has not frozen are added; a month both have whose
    tallies differ (a hand edit, another database's file) is refused unless `force`, which keeps
    the database's (`frozen_months_kept`).
    """
    current = export_archive(session=session)
    archive = _with_the_databases_links(current, archive)
    same = _Sameness.of(current.spec, archive.spec)
    spec = _keep_what_the_file_lacks(current.spec, archive.spec, archive.lacks, same)
    roles = {role_key(lead): lead for action in spec.actions for lead in action.leads}
    measures = {
        (p.number, kind, m.name)
        for p in spec.priorities
        if p.number in same.priorities
        for kind, attribute in KIND_OF.items()
        for m in getattr(p, attribute)
    }

    def carried(name: str, row) -> bool:
        """Whether a row of the database's history may stay with the new plan."""
        if name in ACTION_HISTORIES:
            return row.action in same.actions
        if name == "measure_values":
            return (row.priority, row.kind, row.measure) in measures
        return role_key(row.role) in roles

    kept: dict[str, list] = {}
    newer: list[str] = []
    lost_actions: set[str] = set()
    lost_priorities: set[int] = set()
    for name, label in HISTORY_LISTS.items():
        theirs = getattr(current, name) or []
        mine = getattr(archive, name)
        for row in theirs:
            if carried(name, row) or name == "leads":
                continue
            if name == "measure_values":
                if row.priority not in same.priorities:
                    lost_priorities.add(row.priority)
            else:
                lost_actions.add(row.action)
        if mine is None:
            kept[name] = [
                replace(row, role=roles[role_key(row.role)]) if name == "leads" else row
                for row in theirs
                if carried(name, row)
            ]
            continue
        # The file's own copy of the database's history of an action now different stays out.
        recorded = set(theirs)
        kept[name] = [row for row in mine if row not in recorded or carried(name, row)]
        missing = [row for row in recorded - set(mine) if carried(name, row)]
        if missing:
            newer.append(f"{len(missing)} {label}")
    lost = sorted(lost_actions, key=ActionRef.parse)
    differ, added = _compare_frozen_months(current.frozen_months or [], archive.frozen_months)
    refusals = []
    if differ:
        refusals.append(
            f"{source}'s frozen month tallies of {_and(differ)} differ from the database's: a "
            "frozen month is the committee's record, and a replace never rewrites one (with "
            "--force the database's stand)."
        )
    if newer:
        refusals.append(
            f"The database has {', '.join(newer)} that {source} does not: they were probably "
            "recorded after it was exported. Export again and redo the edits there."
        )
    if lost or lost_priorities:
        what = []
        if lost:
            what.append(f"actions {', '.join(lost)}")
        if lost_priorities:
            what.append(f"the KPIs of priorities {', '.join(map(str, sorted(lost_priorities)))}")
        refusals.append(
            f"The history of {' and '.join(what)} would not be carried: {source} has no action "
            "(or priority) of that number, or a different one (its words differ too much), and "
            "history never follows a number onto a different action."
        )
    if refusals and not force:
        raise ReplaceRefused(
            " ".join(refusals) + " Use --force to replace anyway (the backup keeps all of it)."
        )
    dropped = (
        sorted({row.role for row in current.leads or [] if role_key(row.role) not in roles})
        if archive.leads is None
        else []
    )
    loop = _LoopRows.take(session)
    for table in PLAN_TABLES:
        session.exec(delete(table))
    load_plan(
        session=session,
        archive=replace(archive, spec=spec, **kept),
        loaded_at=loaded_at,
        source=source,
    )
    loop.put_back(session, same.actions)
    return ReplaceReport(
        name=spec.name,
        dropped_roles=dropped,
        kept_from_database=[
            *_kept_words(archive.lacks),
            *(HISTORY_LISTS[name] for name in kept if getattr(archive, name) is None),
            *(LACKABLE[name] for name in _LINKS if name in archive.lacks),
            *(
                ["frozen month tallies"]
                if archive.frozen_months is None and current.frozen_months
                else []
            ),
            *(
                [f"the frozen month tallies of {_and(differ)} ({source}'s differ)"]
                if differ
                else []
            ),
        ],
        replaced=[
            *_report_words(spec, archive, archive.lacks),
            *([f"frozen month tallies of {_and(added)}"] if added else []),
        ],
        history_not_carried=lost,
        measures_not_carried=sorted(lost_priorities),
        frozen_months_added=added,
        frozen_months_kept=differ,
    )


def _compare_frozen_months(
    theirs: list[FrozenMonthRecord], mine: list[FrozenMonthRecord] | None
) -> tuple[list[str], list[str]]:
    """The file's frozen months (`mine`) against the database's: the months both have whose
    tallies differ (any priority's, or its frozen time), and the months only the file has."""
    by_month: dict[str, set] = defaultdict(set)
    for record in theirs:
        by_month[record.month].add(record)
    in_file: dict[str, set] = defaultdict(set)
    for record in mine or []:
        in_file[record.month].add(record)
    differ = sorted(m for m, rows in in_file.items() if m in by_month and rows != by_month[m])
    added = sorted(m for m in in_file if m not in by_month)
    return differ, added


# What an older export's history sheets lack (LACKABLE), with the history list it is part of and
# that list's entries without it.
_LINKS = {
    "update_messages": (
        "updates",
        lambda row: replace(row, slack_channel=None, slack_ts=None, edited_at=None),
    ),
    "proposal_links": ("rag_changes", lambda row: replace(row, proposal=None)),
}


def _with_the_databases_links(current: PlanArchive, archive: PlanArchive) -> PlanArchive:
    """The file's history, where a sheet lacks the columns for an entry's Slack message (and
    edit time) or proposal (an export from before them), with those of the database's entry
    that is otherwise the same: the file does not speak for them, and dropping them would make
    a redelivered message new again (and the entry look changed since the export)."""
    changes = {}
    for lacked, (name, bare) in _LINKS.items():
        mine = getattr(archive, name)
        if lacked not in archive.lacks or mine is None:
            continue
        theirs: dict = defaultdict(list)
        for row in getattr(current, name) or []:
            theirs[bare(row)].append(row)
        changes[name] = [theirs[bare(row)].pop(0) if theirs.get(bare(row)) else row for row in mine]
    return replace(archive, **changes) if changes else archive


@dataclass
class _LoopRows:
    """The reminder loop's rows about actions (reminders sent, snoozes, escalations), kept by
    action number across a replace: they follow an action that is the same, as history does,
    and go with one that is not."""

    items: list[tuple[str, dict]]
    snoozes: list[tuple[str, dict]]
    escalations: list[tuple[str, dict]]

    @classmethod
    def take(cls, session: Session) -> _LoopRows:
        refs = dict(session.exec(select(Action.id, Action.ref)).all())
        taken = {}
        for name, table in (
            ("items", ReminderItem),
            ("snoozes", Snooze),
            ("escalations", Escalation),
        ):
            rows = list(session.exec(select(table)))
            taken[name] = [
                (refs[row.action_id], row.model_dump(exclude={"id", "action_id"})) for row in rows
            ]
            session.exec(delete(table))
        return cls(**taken)

    def put_back(self, session: Session, same: set[str] | dict) -> None:
        ids = dict(session.exec(select(Action.ref, Action.id)).all())
        for rows, table in (
            (self.items, ReminderItem),
            (self.snoozes, Snooze),
            (self.escalations, Escalation),
        ):
            for ref, values in rows:
                if ref in same and ref in ids:
                    session.add(table(action_id=ids[ref], **values))
        session.flush()


def export_archive(*, session: Session) -> PlanArchive:
    """The plan as it stands (latest progress, agreed RAG, current KPI values) and its whole history."""
    plan = session.exec(select(Plan)).first()
    sections = {s.id: s for s in session.exec(select(Section).order_by(Section.position))}
    priorities = list(session.exec(select(Priority).order_by(Priority.number)))
    numbers = {p.id: p.number for p in priorities}
    actions = list(session.exec(select(Action).order_by(Action.priority_id, Action.number)))
    refs = {a.id: a.ref for a in actions}
    roles = {r.id: r.name for r in session.exec(select(LeadRole))}
    leads: dict[int, list[str]] = defaultdict(list)
    for link in session.exec(
        select(ActionLead).order_by(ActionLead.action_id, ActionLead.position)
    ):
        leads[link.action_id].append(roles[link.role_id])

    update_of: dict[int, UpdateRecord] = {}
    for u in session.exec(select(ProgressUpdate).order_by(ProgressUpdate.at, ProgressUpdate.id)):
        update_of[u.id] = UpdateRecord(
            action=refs[u.action_id],
            at=u.at,
            text=u.text,
            author=u.author,
            source=u.source,
            retracted_at=u.retracted_at,
            slack_channel=u.slack_channel,
            slack_ts=u.slack_ts,
            edited_at=u.edited_at,
        )
    updates = list(update_of.values())
    latest_text = {u.action: u.text for u in updates if u.retracted_at is None}
    measures = {
        m.id: m
        for m in session.exec(
            select(Measure).order_by(Measure.priority_id, Measure.kind, Measure.position)
        )
    }
    values = [
        MeasureValueRecord(
            priority=numbers[measures[v.measure_id].priority_id],
            kind=measures[v.measure_id].kind,
            measure=measures[v.measure_id].name,
            value=v.value,
            at=v.recorded_at,
            by=v.recorded_by,
            source=v.source,
        )
        for v in session.exec(
            select(MeasureValue).order_by(MeasureValue.recorded_at, MeasureValue.id)
        )
    ]
    current = {(v.priority, v.kind, v.measure): v.value for v in values}

    by_priority: dict[int, list[ActionSpec]] = defaultdict(list)
    for a in actions:
        by_priority[a.priority_id].append(
            ActionSpec(
                id=a.ref,
                text=a.text,
                leads=leads[a.id],
                timescale=a.timescale,
                timescale_as_written=a.timescale_as_written,
                original_timescale=a.original_timescale,
                progress=latest_text.get(a.ref),
                rag=Rag(a.rag),
                paragraph_refs=list(a.paragraph_refs),
                note=a.note,
                is_new=a.is_new,
                created_at=a.created_at,
                created_by=a.created_by,
                closed_at=a.closed_at,
                closed_by=a.closed_by,
                closed_reason=a.closed_reason,
            )
        )
    measures_of: dict[tuple[int, str], list[MeasureSpec]] = defaultdict(list)
    for m in measures.values():
        number = numbers[m.priority_id]
        measures_of[(number, m.kind)].append(
            MeasureSpec(m.name, current.get((number, m.kind, m.name)))
        )
    spec = PlanSpec(
        name=plan.name if plan else "Improvement plan",
        organisation=plan.organisation if plan else None,
        progress_as_of=plan.progress_as_of if plan else None,
        sections={s.key: s.title for s in sections.values()},
        priorities=[
            PrioritySpec(
                number=p.number,
                section=sections[p.section_id].key,
                recommendation=p.recommendation,
                ofsted_recommendation=p.ofsted_recommendation,
                paragraph_refs=list(p.paragraph_refs),
                expected_outcomes=list(p.expected_outcomes),
                kpis=measures_of[(p.number, "kpi")],
                quality_measures=measures_of[(p.number, "quality")],
                note=p.note,
                actions=by_priority[p.id],
            )
            for p in priorities
        ],
    )
    return PlanArchive(
        spec=spec,
        updates=updates,
        rag_changes=[
            RagChangeRecord(
                action=refs[c.action_id],
                at=c.at,
                from_rag=Rag(c.from_rag),
                to_rag=Rag(c.to_rag),
                by=c.by,
                via=c.via,
                reason=c.reason,
                proposal=c.proposal_id,
            )
            for c in session.exec(select(RagChange).order_by(RagChange.at, RagChange.id))
        ],
        proposals=[
            ProposalRecord(
                number=p.id,
                action=refs[p.action_id],
                proposed_at=p.proposed_at,
                proposed_by=p.proposed_by,
                rag=Rag(p.proposed_rag) if p.proposed_rag else None,
                revised_timescale=p.revised_timescale,
                evidence=p.evidence,
                status=p.status,
                update=UpdateRef.of(update_of[p.update_id]) if p.update_id in update_of else None,
                confirmed_at=p.confirmed_at,
                decided_by=p.decided_by,
                decided_at=p.decided_at,
                reason=p.reason,
                echo_channel=p.echo_channel,
                echo_ts=p.echo_ts,
                approval_messages=approval_messages_text(p.approval_messages),
            )
            for p in session.exec(select(RagProposal).order_by(RagProposal.id))
        ],
        timescale_changes=[
            TimescaleChangeRecord(
                action=refs[c.action_id],
                at=c.at,
                from_date=c.from_date,
                to_date=c.to_date,
                by=c.by,
                via=c.via,
                reason=c.reason,
            )
            for c in session.exec(
                select(TimescaleChange).order_by(TimescaleChange.at, TimescaleChange.id)
            )
        ],
        leads=[
            LeadRecord(role=roles[m.role_id], user_id=m.slack_user_id, deputy=m.is_deputy)
            for m in session.exec(select(RoleMember).order_by(RoleMember.id))
        ],
        measure_values=values,
        frozen_months=_frozen_months(session),
    )


def _frozen_months(session: Session) -> list[FrozenMonthRecord]:
    """Every frozen month's tallies, by month then priority."""
    return [
        FrozenMonthRecord(
            month=row.month,
            priority=row.priority_number,
            tally=Tally(
                row.red,
                row.amber,
                row.green,
                row.completed,
                row.unrated,
                row.new_actions,
                row.total,
            ),
            frozen_at=row.frozen_at,
        )
        for row in session.exec(
            select(MonthSnapshot).order_by(MonthSnapshot.month, MonthSnapshot.priority_number)
        )
    ]
