"""Reading the plan back as plain views: the whole plan, a priority, an action with its history."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime

from sqlalchemy import ColumnElement, case, func
from sqlmodel import Session, select

from bot.plan.rag import Rag
from bot.plan.refs import SLACK_TS, ActionRef
from bot.plan.tallies import Tally
from bot.plan.views import (
    ActionDetail,
    ActionView,
    Closure,
    HistoryEntry,
    MeasureView,
    PlanOutline,
    PlanSummary,
    PriorityCounts,
    PriorityView,
    UpdateView,
)
from store.models import (
    Action,
    ActionLead,
    Escalation,
    LeadRole,
    Measure,
    MeasureValue,
    Plan,
    Priority,
    ProgressUpdate,
    RagChange,
    RagProposal,
    RoleMember,
    Section,
    TimescaleChange,
)

# --- Loading -----------------------------------------------------------------------------------


def plan_exists(*, session: Session) -> bool:
    return session.exec(select(func.count()).select_from(Plan)).one() > 0


def plan_name(*, session: Session) -> str | None:
    plan = session.exec(select(Plan)).first()
    return plan.name if plan else None


# --- Reading -----------------------------------------------------------------------------------


# The reading statements are built once: building a statement costs more than running it on a
# priority of a hundred actions (bench/bench_status.py). Callers add one `.where()`.

# Each action's newest standing update is found in the (action_id, at) index and only that row
# is read: ranking every update with a window function read and sorted ten times as many rows.
_NEWEST_UPDATE_ID = (
    select(ProgressUpdate.id)
    .where(ProgressUpdate.action_id == Action.id, ProgressUpdate.retracted_at.is_(None))
    .order_by(ProgressUpdate.at.desc(), ProgressUpdate.id.desc())
    .limit(1)
    .correlate(Action)
    .scalar_subquery()
)
_NEWEST_UPDATES = select(
    ProgressUpdate.action_id,
    ProgressUpdate.at,
    ProgressUpdate.text,
    ProgressUpdate.author,
    ProgressUpdate.source,
).join(Action, ProgressUpdate.id == _NEWEST_UPDATE_ID)
_LEADS = (
    select(ActionLead.action_id, LeadRole.name)
    .join(LeadRole, LeadRole.id == ActionLead.role_id)
    .join(Action, Action.id == ActionLead.action_id)
    .order_by(ActionLead.action_id, ActionLead.position)
)


def _latest_updates(session: Session, which: ColumnElement[bool]) -> dict[int, UpdateView]:
    """The newest standing update of each action that `which` (a condition on Action) selects."""
    return {
        row[0]: UpdateView(at=row[1], text=row[2], author=row[3], source=row[4])
        for row in session.exec(_NEWEST_UPDATES.where(which))
    }


def _leads(session: Session, which: ColumnElement[bool]) -> dict[int, list[str]]:
    """Each selected action's lead roles, in the plan's order."""
    leads: dict[int, list[str]] = defaultdict(list)
    for action_id, name in session.exec(_LEADS.where(which)):
        leads[action_id].append(name)
    return leads


def _action_views(
    session: Session, actions: list, which: ColumnElement[bool], priority_numbers: dict[int, int]
) -> list[ActionView]:
    """Views of `actions` (rows of VIEW_COLUMNS), which `which` selects in one condition.

    Selecting by one condition (a priority, an action) rather than by a list of a hundred ids
    spares SQLAlchemy coercing every id on every call.
    """
    updates = _latest_updates(session, which)
    leads = _leads(session, which)
    return [
        ActionView(
            ref=ActionRef(priority_numbers[a.priority_id], a.number),
            text=a.text,
            leads=tuple(leads.get(a.id, ())),
            timescale=a.timescale,
            original_timescale=a.original_timescale,
            rag=Rag(a.rag),
            last_update=updates.get(a.id),
            is_new=a.is_new,
            note=a.note,
            closed=a.closed_at is not None,
        )
        for a in actions
    ]


_VIEW_ROWS_ORDER = (Action.priority_id, Action.number)
VIEW_COLUMNS = (
    Action.id,
    Action.priority_id,
    Action.ref,
    Action.number,
    Action.text,
    Action.timescale,
    Action.original_timescale,
    Action.rag,
    Action.is_new,
    Action.note,
    Action.closed_at,
)


_VIEW_ROWS = select(*VIEW_COLUMNS).order_by(*_VIEW_ROWS_ORDER)


def _priority_views(session: Session, priorities: list[Priority]) -> list[PriorityView]:
    if not priorities:
        return []
    ids = [p.id for p in priorities]
    which = Action.priority_id.in_(ids)
    numbers = {p.id: p.number for p in priorities}
    # Plain rows of the columns a view needs: building and identity-mapping ORM objects for
    # them cost more than reading them (bench/bench_status.py).
    actions = list(
        session.exec(select(*VIEW_COLUMNS).where(which).order_by(Action.priority_id, Action.number))
    )
    views = _action_views(session, actions, which, numbers)
    by_priority: dict[int, list[ActionView]] = defaultdict(list)
    for action, view in zip(actions, views, strict=True):
        by_priority[action.priority_id].append(view)
    sections = {s.id: s.title for s in session.exec(select(Section))}
    return [
        PriorityView(
            number=p.number,
            ofsted_recommendation=p.ofsted_recommendation,
            section=sections[p.section_id],
            title=p.recommendation,
            actions=tuple(by_priority.get(p.id, ())),
        )
        for p in priorities
    ]


def plan_outline(*, session: Session) -> PlanOutline:
    """Every priority with its actions, current RAG and latest update."""
    priorities = list(session.exec(select(Priority).order_by(Priority.number)))
    return PlanOutline(
        name=plan_name(session=session) or "",
        priorities=tuple(_priority_views(session, priorities)),
    )


# The whole-plan table counts actions per priority and RAG in the database: reading every
# action with its text, leads and newest update to count three columns took 1.6-2.4 s at 50,000
# actions (issue 10). The counts mirror bot.plan.tallies.tally and bot.plan.timing.is_overdue (a
# test compares them on the seed plan); the index ix_action_counts holds every column read here.
def _counted(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def plan_summary(*, session: Session, today: date) -> PlanSummary:
    """Every priority's actions counted by agreed RAG, new and overdue as of `today`."""
    # Past the timescale and open; completed ones are never overdue, which the rows below
    # apply, grouped as they are by RAG.
    late = _counted((Action.timescale < today) & Action.closed_at.is_(None))
    tallies: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(_TALLY_FIELDS, 0))
    overdue: dict[int, int] = defaultdict(int)
    for priority_id, rag, count, new, past in session.exec(
        select(
            Action.priority_id, Action.rag, func.count(), _counted(Action.is_new), late
        ).group_by(Action.priority_id, Action.rag)
    ):
        counts = tallies[priority_id]
        counts[Rag(rag).value] += count
        counts["new_actions"] += new
        counts["total"] += count
        if rag != Rag.COMPLETED.value:
            overdue[priority_id] += past
    priorities = session.exec(
        select(
            Priority.id, Priority.number, Priority.ofsted_recommendation, Priority.recommendation
        ).order_by(Priority.number)
    )
    return PlanSummary(
        name=plan_name(session=session) or "",
        priorities=tuple(
            PriorityCounts(
                number=number,
                ofsted_recommendation=recommendation,
                title=title,
                tally=Tally(**tallies[priority_id]),
                overdue=overdue[priority_id],
            )
            for priority_id, number, recommendation, title in priorities
        ),
    )


_TALLY_FIELDS = (*(rag.value for rag in Rag), "new_actions", "total")


def priority_numbers(*, session: Session) -> list[int]:
    return list(session.exec(select(Priority.number).order_by(Priority.number)))


def priority_view(*, session: Session, number: int) -> PriorityView | None:
    priority = session.exec(select(Priority).where(Priority.number == number)).first()
    if priority is None:
        return None
    view = _priority_views(session, [priority])[0]
    return replace(view, measures=measures_of(session=session, priority_id=priority.id))


def priorities_for_recommendation(*, session: Session, recommendation: int) -> list[PriorityView]:
    """The priorities that answer Ofsted recommendation M."""
    priorities = list(
        session.exec(
            select(Priority)
            .where(Priority.ofsted_recommendation == recommendation)
            .order_by(Priority.number)
        )
    )
    return _priority_views(session, priorities)


def ofsted_recommendations(*, session: Session) -> list[int]:
    return sorted(
        {n for n in session.exec(select(Priority.ofsted_recommendation)) if n is not None}
    )


def action_refs(*, session: Session, priority: int) -> list[str]:
    query = (
        select(Action.ref)
        .join(Priority, Priority.id == Action.priority_id)
        .where(Priority.number == priority)
        .order_by(Action.number)
    )
    return list(session.exec(query))


def action_detail(*, session: Session, ref: str) -> ActionDetail | None:
    """One action with its priority and whole history, oldest first."""
    action = session.exec(select(Action).where(Action.ref == ref)).first()
    if action is None:
        return None
    priority = session.get(Priority, action.priority_id)
    [view] = _action_views(
        session, [action], Action.id == action.id, {priority.id: priority.number}
    )
    section = session.get(Section, priority.section_id)
    history: list[HistoryEntry] = []
    for update in session.exec(
        select(ProgressUpdate)
        .where(ProgressUpdate.action_id == action.id)
        .order_by(ProgressUpdate.at)
    ):
        text = update.text if update.retracted_at is None else f"(retracted) {update.text}"
        history.append(
            HistoryEntry(
                at=update.at,
                kind="update",
                text=text,
                by=update.author,
                via=update.source,
                link=permalink(update.slack_channel, update.slack_ts),
            )
        )
    for change in session.exec(select(RagChange).where(RagChange.action_id == action.id)):
        text = f"RAG {Rag(change.from_rag).label} → {Rag(change.to_rag).label}"
        if change.reason:
            text += f" ({change.reason})"
        history.append(
            HistoryEntry(at=change.at, kind="rag", text=text, by=change.by, via=change.via)
        )
    for change in session.exec(
        select(TimescaleChange).where(TimescaleChange.action_id == action.id)
    ):
        old = change.from_date.isoformat() if change.from_date else "none"
        new = change.to_date.isoformat() if change.to_date else "none"
        text = f"Timescale {old} → {new}" + (f" ({change.reason})" if change.reason else "")
        history.append(
            HistoryEntry(at=change.at, kind="timescale", text=text, by=change.by, via=change.via)
        )
    # Same-instant entries keep a fixed order: the update, then the RAG, then the timescale.
    order = {"update": 0, "rag": 1, "timescale": 2}
    history.sort(key=lambda entry: (entry.at, order[entry.kind]))
    priority_view_ = PriorityView(
        number=priority.number,
        ofsted_recommendation=priority.ofsted_recommendation,
        section=section.title,
        title=priority.recommendation,
        actions=(view,),
    )
    escalation = session.exec(
        select(Escalation)
        .where(Escalation.action_id == action.id, Escalation.resolved_at.is_(None))
        .order_by(Escalation.id.desc())
    ).first()
    people = session.exec(
        select(RoleMember.slack_user_id, RoleMember.is_deputy)
        .join(ActionLead, ActionLead.role_id == RoleMember.role_id)
        .where(ActionLead.action_id == action.id)
        .order_by(RoleMember.id)
    ).all()
    pending = [
        _pending_text(row)
        for row in session.exec(
            select(RagProposal)
            .where(
                RagProposal.action_id == action.id,
                RagProposal.status.in_(("evidence_pending", "awaiting_approval")),
            )
            .order_by(RagProposal.id)
        )
    ]
    return ActionDetail(
        priority=priority_view_,
        action=view,
        history=tuple(history),
        leads=tuple(dict.fromkeys(user for user, deputy in people if not deputy)),
        deputies=tuple(dict.fromkeys(user for user, deputy in people if deputy)),
        pending=tuple(pending),
        escalation=_escalation_text(escalation) if escalation else None,
        closure=Closure(action.closed_at, action.closed_by, action.closed_reason)
        if action.closed_at
        else None,
    )


def _pending_text(row: RagProposal) -> str:
    what = []
    if row.proposed_rag:
        what.append(f"RAG {Rag(row.proposed_rag).label}")
    if row.revised_timescale:
        what.append(f"timescale {row.revised_timescale.isoformat()}")
    state = (
        "completed — evidence pending"
        if row.status == "evidence_pending"
        else "awaiting the approvers' decision"
    )
    return f"{', '.join(what) or 'An update'} proposed by {row.proposed_by or 'a lead'}: {state}"


def permalink(channel: str | None, ts: str | None) -> str | None:
    """A link to a Slack message (Slack sends a signed-in reader on to their workspace), or None
    when the update did not come from one (an import, a button, a command)."""
    if not channel or not ts or not SLACK_TS.match(ts) or channel[0] not in "CDG":
        return None
    return f"https://slack.com/archives/{channel}/p{ts.replace('.', '')}"


def measures_of(*, session: Session, priority_id: int) -> tuple[MeasureView, ...]:
    """A priority's KPIs and quality measures, each with its latest value."""
    latest: dict[int, tuple[str, datetime]] = {}
    for measure_id, value, at in session.exec(
        select(MeasureValue.measure_id, MeasureValue.value, MeasureValue.recorded_at)
        .join(Measure, Measure.id == MeasureValue.measure_id)
        .where(Measure.priority_id == priority_id)
        .order_by(MeasureValue.recorded_at, MeasureValue.id)
    ):
        latest[measure_id] = (value, at)
    return tuple(
        MeasureView(m.kind, m.name, *latest.get(m.id, (None, None)))
        for m in session.exec(
            select(Measure)
            .where(Measure.priority_id == priority_id)
            .order_by(Measure.kind, Measure.position)
        )
    )


def _escalation_text(escalation: Escalation) -> str:
    reminders = f"{escalation.reminders} reminder{'s' if escalation.reminders != 1 else ''}"
    return f"Escalated to the approvers on {escalation.day.isoformat()}: {reminders} unanswered"
