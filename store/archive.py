"""A plan and its whole history in and out of the database: load, replace, export.

Export then import gives back the same plan and history: every progress update (retracted ones
too), RAG change, timescale revision, KPI value and lead mapping. What a spreadsheet changed
(an edited progress text, RAG, timescale or KPI value) becomes a new entry at load time, so the
history shows who changed what through the import.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import delete, func
from sqlmodel import Session, select

from bot.plan.history import (
    LeadRecord,
    MeasureValueRecord,
    PlanArchive,
    RagChangeRecord,
    TimescaleChangeRecord,
    UpdateRecord,
)
from bot.plan.rag import Rag
from bot.plan.specs import ActionSpec, MeasureSpec, PlanSpec, PrioritySpec
from store.models import (
    Action,
    ActionLead,
    LeadRole,
    Measure,
    MeasureValue,
    MonthSnapshot,
    Plan,
    Priority,
    ProgressUpdate,
    RagChange,
    RagProposal,
    RoleMember,
    Section,
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
    plan's own values stand, as of `spec.progress_as_of` (when its authors wrote them).
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
                created_at=loaded_at if a_spec.is_new else written_at,
            )
    session.flush()

    as_edit = Stamp(loaded_at, via)  # what the file changed, recorded as of the load
    as_plan = Stamp(written_at, via)  # the plan's own values, as of when they were written
    _load_updates(session, archive, actions, as_plan if archive.updates is None else as_edit)
    _load_rag_changes(
        session, archive, actions, as_plan if archive.rag_changes is None else as_edit
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
        note=spec.note,
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
    return replayed


def _load_updates(
    session: Session, archive: PlanArchive, actions: dict[str, Action], stamp: Stamp
) -> None:
    history = _replay(
        session,
        archive.updates,
        key=lambda row: row.action,
        value=lambda row: row.text,
        stands=lambda row: row.retracted_at is None,  # a retracted update is not the latest
        model=lambda row: ProgressUpdate(
            action_id=actions[row.action].id,
            text=row.text,
            at=row.at,
            author=row.author,
            source=row.source,
            retracted_at=row.retracted_at,
        ),
    )
    for a_spec in archive.spec.actions:
        if a_spec.progress and history.latest.get(a_spec.id) != a_spec.progress:
            session.add(
                ProgressUpdate(
                    action_id=actions[a_spec.id].id,
                    text=a_spec.progress,
                    at=stamp.following(history.last.get(a_spec.id)),
                    source=stamp.via,
                )
            )


def _load_rag_changes(
    session: Session, archive: PlanArchive, actions: dict[str, Action], stamp: Stamp
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
    "timescale_changes": "timescale changes",
    "measure_values": "KPI values",
    "leads": "lead mappings",
}


class ReplaceRefused(Exception):
    """Replacing the plan would lose something the file does not carry; the message says what."""


@dataclass
class ReplaceReport:
    dropped_roles: list[str]
    kept_from_database: list[str]


def replace_plan(
    *, session: Session, archive: PlanArchive, loaded_at: datetime, source: str, force: bool = False
) -> ReplaceReport:
    """Replace the plan with the file's, keeping everything the file does not speak for.

    A history sheet missing from the file keeps the database's entries (for the actions, roles
    and measures the new plan still has). Entries in the database that a sheet lacks were
    recorded after the file was exported: the replace is refused unless `force` (they are in
    the backup the CLI writes first).
    """
    pending = session.exec(select(func.count()).select_from(RagProposal)).one()
    frozen = session.exec(select(func.count()).select_from(MonthSnapshot)).one()
    if pending or frozen:
        raise ReplaceRefused(
            f"The database holds {pending} RAG proposal(s) and {frozen} frozen month tally(ies), "
            "which a spreadsheet does not carry; the plan cannot be replaced."
        )
    current = export_archive(session=session)
    spec = archive.spec
    refs = {action.id for action in spec.actions}
    roles = {lead for action in spec.actions for lead in action.leads}
    measures = {
        (p.number, kind, m.name)
        for p in spec.priorities
        for kind, attribute in KIND_OF.items()
        for m in getattr(p, attribute)
    }
    still_there = {
        "updates": lambda row: row.action in refs,
        "rag_changes": lambda row: row.action in refs,
        "timescale_changes": lambda row: row.action in refs,
        "measure_values": lambda row: (row.priority, row.kind, row.measure) in measures,
        "leads": lambda row: row.role in roles,
    }
    carried: dict[str, list] = {}
    newer: list[str] = []
    for name, label in HISTORY_LISTS.items():
        theirs = getattr(current, name) or []
        mine = getattr(archive, name)
        if mine is None:
            carried[name] = [row for row in theirs if still_there[name](row)]
            continue
        missing = set(theirs) - set(mine)
        if missing:
            newer.append(f"{len(missing)} {label}")
    if newer and not force:
        raise ReplaceRefused(
            f"The database has {', '.join(newer)} that {source} does not: they were probably recorded "
            "after it was exported. Export again and redo the edits there, or use --force to "
            "replace them (the backup keeps them)."
        )
    dropped = (
        sorted({row.role for row in current.leads or [] if row.role not in roles})
        if archive.leads is None
        else []
    )
    for table in PLAN_TABLES:
        session.exec(delete(table))
    load_plan(
        session=session, archive=replace(archive, **carried), loaded_at=loaded_at, source=source
    )
    return ReplaceReport(
        dropped_roles=dropped, kept_from_database=[HISTORY_LISTS[name] for name in carried]
    )


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

    updates = [
        UpdateRecord(
            action=refs[u.action_id],
            at=u.at,
            text=u.text,
            author=u.author,
            source=u.source,
            retracted_at=u.retracted_at,
        )
        for u in session.exec(select(ProgressUpdate).order_by(ProgressUpdate.at, ProgressUpdate.id))
    ]
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
            )
            for c in session.exec(select(RagChange).order_by(RagChange.at, RagChange.id))
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
    )
