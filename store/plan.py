"""Reading the plan back as plain views: the whole plan, a priority, an action with its history."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date

from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    null,
    or_,
    union_all,
)
from sqlmodel import Session, select

from bot.plan.rag import RAG_BY_VALUE, Rag
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
from store.driver import DriverQuery, day, instant, read_together
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


# Every `/plan status` answer reads through these statements, built once and run on the driver
# (store/driver.py: SQLAlchemy's per-statement work cost six times the statements). Each is one
# round trip to PostgreSQL, which is what a priority's answer costs there, so an action comes in
# one row a lead role (in the plan's order), with its priority's number and its newest standing
# update: that update is found in the (action_id, at) index and only that row is read.
_NEWEST_UPDATE_ID = (
    select(ProgressUpdate.id)
    .where(ProgressUpdate.action_id == Action.id, ProgressUpdate.retracted_at.is_(None))
    .order_by(ProgressUpdate.at.desc(), ProgressUpdate.id.desc())
    .limit(1)
    .correlate(Action)
    .scalar_subquery()
)
# What every line about an action shows, first in every statement that lists actions (here and
# in store/reminders.py): its id, priority number, number, text, timescales and RAG.
ACTION_LINE = (
    Action.id,
    Priority.number,
    Action.number,
    Action.text,
    Action.timescale,
    Action.original_timescale,
    Action.rag,
)
_ACTION_ROWS = (
    select(
        *ACTION_LINE,
        Action.is_new,
        Action.note,
        Action.closed_at,
        Action.closed_by,
        Action.closed_reason,
        ProgressUpdate.at,
        ProgressUpdate.text,
        ProgressUpdate.author,
        ProgressUpdate.source,
        LeadRole.name,
    )
    .join(Priority, Priority.id == Action.priority_id)
    .outerjoin(ProgressUpdate, ProgressUpdate.id == _NEWEST_UPDATE_ID)
    .outerjoin(ActionLead, ActionLead.action_id == Action.id)
    .outerjoin(LeadRole, LeadRole.id == ActionLead.role_id)
    .order_by(Priority.number, Action.number, ActionLead.position)
)
_PRIORITY_COLUMNS = (
    Priority.id,
    Priority.number,
    Priority.ofsted_recommendation,
    Section.title,
    Priority.recommendation,
)
_PRIORITY_ROWS = (
    select(*_PRIORITY_COLUMNS)
    .join(Section, Section.id == Priority.section_id)
    .order_by(Priority.number)
)


def _action_views(rows: list[tuple]) -> list[tuple[tuple, ActionView]]:
    """Each action's row (its first, of _ACTION_ROWS) and view, in the plan's order."""
    actions: dict[int, tuple[tuple, list[str]]] = {}
    for row in rows:
        action = actions.get(row[0])
        if action is None:
            action = actions[row[0]] = (row, [])
        if row[16] is not None:
            action[1].append(row[16])
    return [(row, _action_view(row, leads)) for row, leads in actions.values()]


_ACTIONS_OF_PRIORITY = DriverQuery(_ACTION_ROWS.where(Priority.number == bindparam("number")))
_ACTION_BY_REF = DriverQuery(_ACTION_ROWS.where(Action.ref == bindparam("ref")))
_EVERY_ACTION = DriverQuery(_ACTION_ROWS)
_PRIORITY_BY_NUMBER = DriverQuery(_PRIORITY_ROWS.where(Priority.number == bindparam("number")))
_PRIORITIES_FOR_RECOMMENDATION = DriverQuery(
    _PRIORITY_ROWS.where(Priority.ofsted_recommendation == bindparam("recommendation"))
)
_EVERY_PRIORITY = DriverQuery(_PRIORITY_ROWS)


def _action_view(row: tuple, leads: list[str]) -> ActionView:
    """An action's view from its row of _ACTION_ROWS."""
    at = instant(row[12])
    return ActionView(
        ref=ActionRef(row[1], row[2]),
        text=row[3],
        leads=tuple(leads),
        timescale=day(row[4]),
        original_timescale=day(row[5]),
        rag=RAG_BY_VALUE[row[6]],
        last_update=UpdateView(at=at, text=row[13], author=row[14], source=row[15])
        if at is not None
        else None,
        is_new=bool(row[7]),
        note=row[8],
        closed=row[9] is not None,
    )


def _priority_view(row: tuple, actions: tuple[ActionView, ...] = ()) -> PriorityView:
    """A priority's view from its row of _PRIORITY_ROWS (its first five columns)."""
    _id, number, recommendation, section, title = row[:5]
    return PriorityView(
        number=number,
        ofsted_recommendation=recommendation,
        section=section,
        title=title,
        actions=actions,
    )


def _with_actions(session: Session, priority: tuple) -> PriorityView:
    views = _action_views(_ACTIONS_OF_PRIORITY.rows(session, number=priority[1]))
    return _priority_view(priority, tuple(view for _, view in views))


def plan_outline(*, session: Session) -> PlanOutline:
    """Every priority with its actions, current RAG and latest update."""
    by_priority: dict[int, list[ActionView]] = defaultdict(list)
    for _, view in _action_views(_EVERY_ACTION.rows(session)):
        by_priority[view.ref.priority].append(view)
    return PlanOutline(
        name=plan_name(session=session) or "",
        priorities=tuple(
            _priority_view(p, tuple(by_priority.get(p[1], ())))
            for p in _EVERY_PRIORITY.rows(session)
        ),
    )


# The whole-plan table counts actions per priority and RAG in the database: reading every
# action with its text, leads and newest update to count three columns took 1.6-2.4 s at 50,000
# actions (issue 10). The counts mirror bot.plan.tallies.tally and bot.plan.timing.is_overdue (a
# test compares them on the seed plan); the index ix_action_counts holds every column read here.
def _counted(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


# One statement, one row a priority in the plan's order, so the Python work is the same at
# 50,000 actions as at 100: the actions are counted per priority and RAG (the GROUP BY keys are
# the index's first two columns), and those rows turned into one a priority in the database.
_BY_RAG = (
    select(
        Action.priority_id.label("priority_id"),
        Action.rag.label("rag"),
        func.count().label("actions"),
        _counted(Action.is_new).label("new_actions"),
        # Past the timescale and not closed: overdue unless completed, which is applied below.
        _counted((Action.timescale < bindparam("today")) & Action.closed_at.is_(None)).label(
            "late"
        ),
    )
    .group_by(Action.priority_id, Action.rag)
    .subquery()
)
_PER_PRIORITY = (
    select(
        _BY_RAG.c.priority_id,
        # In _TALLY_FIELDS's order: each RAG, new actions, all; then overdue.
        *(func.sum(_BY_RAG.c.actions).filter(_BY_RAG.c.rag == rag.value) for rag in Rag),
        func.sum(_BY_RAG.c.new_actions),
        func.sum(_BY_RAG.c.actions),
        func.sum(_BY_RAG.c.late).filter(_BY_RAG.c.rag != Rag.COMPLETED.value),
    )
    .group_by(_BY_RAG.c.priority_id)
    .subquery()
)
_PLAN_COUNTS = (
    select(
        Priority.number,
        Priority.ofsted_recommendation,
        Priority.recommendation,
        *(func.coalesce(column, 0) for column in list(_PER_PRIORITY.c)[1:]),
    )
    .outerjoin(_PER_PRIORITY, _PER_PRIORITY.c.priority_id == Priority.id)
    .order_by(Priority.number)
)


def plan_summary(*, session: Session, today: date) -> PlanSummary:
    """Every priority's actions counted by agreed RAG, new and overdue as of `today`."""
    return PlanSummary(
        name=plan_name(session=session) or "",
        priorities=tuple(
            PriorityCounts(
                number=number,
                ofsted_recommendation=recommendation,
                title=title,
                tally=Tally(**dict(zip(_TALLY_FIELDS, counts[:-1], strict=True))),
                overdue=counts[-1],
            )
            for number, recommendation, title, *counts in session.exec(
                _PLAN_COUNTS, params={"today": today}
            )
        ),
    )


_TALLY_FIELDS = (*(rag.value for rag in Rag), "new_actions", "total")


def priority_numbers(*, session: Session) -> list[int]:
    return list(session.exec(select(Priority.number).order_by(Priority.number)))


def priority_view(*, session: Session, number: int) -> PriorityView | None:
    """Priority N with its actions, and its KPIs and quality measures with their latest values."""
    # The priority comes in one row a measure (or one row, without measures).
    rows, actions = read_together(
        session,
        (_PRIORITY_WITH_MEASURES, {"number": number}),
        (_ACTIONS_OF_PRIORITY, {"number": number}),
    )
    if not rows:
        return None
    measures = tuple(
        MeasureView(kind, name, value, instant(at))
        for *_, kind, name, value, at in rows
        if kind is not None
    )
    views = tuple(view for _, view in _action_views(actions))
    return replace(_priority_view(rows[0], views), measures=measures)


def priorities_for_recommendation(*, session: Session, recommendation: int) -> list[PriorityView]:
    """The priorities that answer Ofsted recommendation M."""
    return [
        _with_actions(session, priority)
        for priority in _PRIORITIES_FOR_RECOMMENDATION.rows(session, recommendation=recommendation)
    ]


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


def _timeline(kind: int, model, *columns) -> Select:
    """One kind of an action's history as rows of one shape: kind, at, id, text, old RAG, new RAG,
    old date, new date, reason, by, via, Slack channel, Slack ts, retracted at."""
    return (
        select(
            literal_column(str(kind)).label("kind"),
            model.at.label("at"),
            model.id.label("id"),
            *columns,
        )
        .join(Action, Action.id == model.action_id)
        .where(Action.ref == bindparam("ref"))
    )


# An action's updates, RAG changes and timescale changes in one statement, oldest first (at the
# same instant: the update, then the RAG, then the timescale). PostgreSQL types a column of a
# UNION from its first branches, so the dates' NULLs say they are dates.
_NO_DAY = cast(null(), Date)
_HISTORY_OF = DriverQuery(
    union_all(
        _timeline(
            0,
            ProgressUpdate,
            ProgressUpdate.text,
            null(),
            null(),
            _NO_DAY,
            _NO_DAY,
            null(),
            ProgressUpdate.author,
            ProgressUpdate.source,
            ProgressUpdate.slack_channel,
            ProgressUpdate.slack_ts,
            ProgressUpdate.retracted_at,
        ),
        _timeline(
            1,
            RagChange,
            null(),
            RagChange.from_rag,
            RagChange.to_rag,
            _NO_DAY,
            _NO_DAY,
            RagChange.reason,
            RagChange.by,
            RagChange.via,
            null(),
            null(),
            null(),
        ),
        _timeline(
            2,
            TimescaleChange,
            null(),
            null(),
            null(),
            TimescaleChange.from_date,
            TimescaleChange.to_date,
            TimescaleChange.reason,
            TimescaleChange.by,
            TimescaleChange.via,
            null(),
            null(),
            null(),
        ),
    ).order_by(literal_column("at"), literal_column("kind"), literal_column("id"))
)
_OPEN_ESCALATION_OF = DriverQuery(
    select(Escalation.day, Escalation.reminders)
    .join(Action, Action.id == Escalation.action_id)
    .where(Action.ref == bindparam("ref"), Escalation.resolved_at.is_(None))
    .order_by(Escalation.id.desc())
    .limit(1)
)
_PEOPLE_OF = DriverQuery(
    select(RoleMember.slack_user_id, RoleMember.is_deputy)
    .join(ActionLead, ActionLead.role_id == RoleMember.role_id)
    .join(Action, Action.id == ActionLead.action_id)
    .where(Action.ref == bindparam("ref"))
    .order_by(RoleMember.id)
)
_UNDECIDED_OF = DriverQuery(
    select(
        RagProposal.proposed_rag,
        RagProposal.revised_timescale,
        RagProposal.status,
        RagProposal.proposed_by,
    )
    .join(Action, Action.id == RagProposal.action_id)
    .where(
        Action.ref == bindparam("ref"),
        or_(RagProposal.status == "evidence_pending", RagProposal.status == "awaiting_approval"),
    )
    .order_by(RagProposal.id)
)


def _history(rows: list[tuple]) -> list[HistoryEntry]:
    """An action's updates, RAG changes and timescale changes, oldest first (_HISTORY_OF's rows)."""
    history: list[HistoryEntry] = []
    for row in rows:
        kind, at, _id, text, old, new, old_day, new_day, reason, by, via, channel, ts, retracted = (
            row
        )
        if kind == 0:
            text = text if retracted is None else f"(retracted) {text}"
            entry = HistoryEntry(instant(at), "update", text, by, via, permalink(channel, ts))
        elif kind == 1:
            said = f"RAG {Rag(old).label} → {Rag(new).label}" + (f" ({reason})" if reason else "")
            entry = HistoryEntry(instant(at), "rag", said, by, via)
        else:
            old, new = (day(d).isoformat() if d else "none" for d in (old_day, new_day))
            said = f"Timescale {old} → {new}" + (f" ({reason})" if reason else "")
            entry = HistoryEntry(instant(at), "timescale", said, by, via)
        history.append(entry)
    return history


def action_detail(*, session: Session, ref: str) -> ActionDetail | None:
    """One action with its priority and whole history, oldest first."""
    asked = ActionRef.parse(ref)
    if asked is None:
        return None
    # Every part is read by the action's ref, so that all go together (one round trip on
    # PostgreSQL).
    found, priority, escalation, people, undecided, history = read_together(
        session,
        (_ACTION_BY_REF, {"ref": ref}),
        (_PRIORITY_BY_NUMBER, {"number": asked.priority}),
        (_OPEN_ESCALATION_OF, {"ref": ref}),
        (_PEOPLE_OF, {"ref": ref}),
        (_UNDECIDED_OF, {"ref": ref}),
        (_HISTORY_OF, {"ref": ref}),
    )
    if not found:
        return None
    [(row, view)] = _action_views(found)
    closed_at, closed_by, closed_reason = instant(row[9]), row[10], row[11]
    return ActionDetail(
        priority=_priority_view(priority[0], (view,)),
        action=view,
        history=tuple(_history(history)),
        leads=tuple(dict.fromkeys(user for user, deputy in people if not deputy)),
        deputies=tuple(dict.fromkeys(user for user, deputy in people if deputy)),
        pending=tuple(
            _pending_text(proposed_rag, day(revised), status, proposed_by)
            for proposed_rag, revised, status, proposed_by in undecided
        ),
        escalation=_escalation_text(day(escalation[0][0]), escalation[0][1])
        if escalation
        else None,
        closure=Closure(closed_at, closed_by, closed_reason) if closed_at else None,
    )


def _pending_text(
    proposed_rag: str | None, revised_timescale: date | None, status: str, proposed_by: str | None
) -> str:
    what = []
    if proposed_rag:
        what.append(f"RAG {Rag(proposed_rag).label}")
    if revised_timescale:
        what.append(f"timescale {revised_timescale.isoformat()}")
    state = (
        "completed — evidence pending"
        if status == "evidence_pending"
        else "awaiting the approvers' decision"
    )
    return f"{', '.join(what) or 'An update'} proposed by {proposed_by or 'a lead'}: {state}"


def permalink(channel: str | None, ts: str | None) -> str | None:
    """A link to a Slack message (Slack sends a signed-in reader on to their workspace), or None
    when the update did not come from one (an import, a button, a command)."""
    if not channel or not ts or not SLACK_TS.match(ts) or channel[0] not in "CDG":
        return None
    return f"https://slack.com/archives/{channel}/p{ts.replace('.', '')}"


# Each measure with its newest value (by when it was recorded), found through the measure's id.
_NEWEST_VALUE_ID = (
    select(MeasureValue.id)
    .where(MeasureValue.measure_id == Measure.id)
    .order_by(MeasureValue.recorded_at.desc(), MeasureValue.id.desc())
    .limit(1)
    .correlate(Measure)
    .scalar_subquery()
)
_PRIORITY_WITH_MEASURES = DriverQuery(
    select(
        *_PRIORITY_COLUMNS, Measure.kind, Measure.name, MeasureValue.value, MeasureValue.recorded_at
    )
    .join(Section, Section.id == Priority.section_id)
    .outerjoin(Measure, Measure.priority_id == Priority.id)
    .outerjoin(MeasureValue, MeasureValue.id == _NEWEST_VALUE_ID)
    .where(Priority.number == bindparam("number"))
    .order_by(Measure.kind, Measure.position)
)


def _escalation_text(day_: date, reminders: int) -> str:
    count = f"{reminders} reminder{'s' if reminders != 1 else ''}"
    return f"Escalated to the approvers on {day_.isoformat()}: {count} unanswered"
