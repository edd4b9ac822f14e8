"""The statements `/plan status` reads the plan with, written with the models.

store/plan.py names them (store.driver.DriverQuery) and turns their rows into views; they are
kept apart so that reading a SQLite plan needs no SQLAlchemy: store/sqlite_statements.py holds
each compiled for SQLite (`python -m store.bake` writes it; a test checks it is current), and
`planbot status` reads through those (store/quick.py), starting in a fraction of the time.
"""

from __future__ import annotations

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
from sqlmodel import select

from bot.plan.rag import Rag
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

PLAN_NAME = select(Plan.name).order_by(Plan.id).limit(1)

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


ACTIONS_OF_PRIORITY = _ACTION_ROWS.where(Priority.number == bindparam("number"))
ACTION_BY_REF = _ACTION_ROWS.where(Action.ref == bindparam("ref"))
EVERY_ACTION = _ACTION_ROWS
PRIORITY_BY_NUMBER = _PRIORITY_ROWS.where(Priority.number == bindparam("number"))
PRIORITIES_FOR_RECOMMENDATION = _PRIORITY_ROWS.where(
    Priority.ofsted_recommendation == bindparam("recommendation")
)
EVERY_PRIORITY = _PRIORITY_ROWS
PRIORITY_NUMBERS = select(Priority.number).order_by(Priority.number)
OFSTED_RECOMMENDATIONS = (
    select(Priority.ofsted_recommendation)
    .where(Priority.ofsted_recommendation.is_not(None))
    .distinct()
    .order_by(Priority.ofsted_recommendation)
)
ACTION_REFS_OF_PRIORITY = (
    select(Action.ref)
    .join(Priority, Priority.id == Action.priority_id)
    .where(Priority.number == bindparam("number"))
    .order_by(Action.number)
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
PLAN_COUNTS = (
    select(
        Priority.number,
        Priority.ofsted_recommendation,
        Priority.recommendation,
        *(func.coalesce(column, 0) for column in list(_PER_PRIORITY.c)[1:]),
    )
    .outerjoin(_PER_PRIORITY, _PER_PRIORITY.c.priority_id == Priority.id)
    .order_by(Priority.number)
)


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
HISTORY_OF = union_all(
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
OPEN_ESCALATION_OF = (
    select(Escalation.day, Escalation.reminders)
    .join(Action, Action.id == Escalation.action_id)
    .where(Action.ref == bindparam("ref"), Escalation.resolved_at.is_(None))
    .order_by(Escalation.id.desc())
    .limit(1)
)
PEOPLE_OF = (
    select(RoleMember.slack_user_id, RoleMember.is_deputy)
    .join(ActionLead, ActionLead.role_id == RoleMember.role_id)
    .join(Action, Action.id == ActionLead.action_id)
    .where(Action.ref == bindparam("ref"))
    .order_by(RoleMember.id)
)
UNDECIDED_OF = (
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


# Each measure with its newest value (by when it was recorded), found through the measure's id.
_NEWEST_VALUE_ID = (
    select(MeasureValue.id)
    .where(MeasureValue.measure_id == Measure.id)
    .order_by(MeasureValue.recorded_at.desc(), MeasureValue.id.desc())
    .limit(1)
    .correlate(Measure)
    .scalar_subquery()
)
PRIORITY_WITH_MEASURES = (
    select(
        *_PRIORITY_COLUMNS, Measure.kind, Measure.name, MeasureValue.value, MeasureValue.recorded_at
    )
    .join(Section, Section.id == Priority.section_id)
    .outerjoin(Measure, Measure.priority_id == Priority.id)
    .outerjoin(MeasureValue, MeasureValue.id == _NEWEST_VALUE_ID)
    .where(Priority.number == bindparam("number"))
    .order_by(Measure.kind, Measure.position)
)
